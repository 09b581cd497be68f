#!/usr/bin/env bash
# Builds the native C examples as static RV64IM ELFs: counter.c to examples/out/native-c.elf,
# alu.c (every RV64IM instruction, for the lifter's differential test) to native-alu.elf.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cc="${RISCV_CC:-riscv64-unknown-elf-gcc}"
if ! command -v "$cc" >/dev/null; then
    echo "$cc not found: apt-get install gcc-riscv64-unknown-elf" >&2
    exit 1
fi
mkdir -p "$here/../out"
"$cc" -march=rv64im -mabi=lp64 -O2 -nostdlib -static -o "$here/../out/native-c.elf" "$here/counter.c"
"$cc" -march=rv64im -mabi=lp64 -O2 -nostdlib -static -o "$here/../out/native-alu.elf" "$here/alu.c"
# The same ALU program linked far from the default address (its image is moved in the
# lifted module's memory: the test of that path).
"$cc" -march=rv64im -mabi=lp64 -O2 -nostdlib -static -Wl,-Ttext-segment=0x2000000 \
    -o "$here/../out/native-alu-high.elf" "$here/alu.c"
