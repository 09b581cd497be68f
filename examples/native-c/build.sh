#!/usr/bin/env bash
# Builds the native C examples as static RV64IM ELFs: counter.c to examples/out/native-c.elf
# (and with clang to native-c-clang.elf), alu.c (every RV64IM instruction, for the lifter's
# differential test) to native-alu.elf, vault.c (payable) to native-vault.elf.
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
# A payable contract (value in, balance out): native-vault.elf.
"$cc" -march=rv64im -mabi=lp64 -O2 -nostdlib -static -o "$here/../out/native-vault.elf" "$here/vault.c"
# The counter again with clang and lld (scripts/setup.sh installs clang-19 and lld-19):
# native-c-clang.elf.
clang="${RISCV_CLANG:-clang-19}"
if ! command -v "$clang" >/dev/null; then
    echo "$clang not found: apt-get install clang-19 lld-19" >&2
    exit 1
fi
"$clang" --target=riscv64-unknown-elf -march=rv64im -mabi=lp64 -O2 -nostdlib -static -fuse-ld=lld \
    -o "$here/../out/native-c-clang.elf" "$here/counter.c"
# The same ALU program linked far from the default address (its image is moved in the
# lifted module's memory: the test of that path).
"$cc" -march=rv64im -mabi=lp64 -O2 -nostdlib -static -Wl,-Ttext-segment=0x2000000 \
    -o "$here/../out/native-alu-high.elf" "$here/alu.c"
