#!/usr/bin/env bash
# Builds the native C example (counter.c) as a static RV64IM ELF: examples/out/native-c.elf.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cc="${RISCV_CC:-riscv64-unknown-elf-gcc}"
if ! command -v "$cc" >/dev/null; then
    echo "$cc not found: apt-get install gcc-riscv64-unknown-elf" >&2
    exit 1
fi
mkdir -p "$here/../out"
"$cc" -march=rv64im -mabi=lp64 -O2 -nostdlib -static -o "$here/../out/native-c.elf" "$here/counter.c"
