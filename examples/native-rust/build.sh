#!/usr/bin/env bash
# Builds the Rust counter and ERC-20 (examples/counter, examples/erc20: their sources
# unchanged) as native RV64IM contracts: static libraries for riscv64im-unknown-none-elf
# (core and alloc built from source: rustup component add rust-src), each linked with the
# SDK's `_start` into a static ELF, examples/out/native-rust-<name>.elf.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
target_dir="${NATIVE_RUST_TARGET_DIR:-$here/target}"
RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="$target_dir" cargo build --release \
    --target riscv64im-unknown-none-elf \
    -Zbuild-std=core,alloc -Zbuild-std-features=compiler-builtins-mem
ld="${RISCV_LD:-riscv64-unknown-elf-ld}"
mkdir -p ../out
for name in counter erc20; do
    "$ld" -static --gc-sections -e _start -u call -u deploy \
        -o "../out/native-rust-$name.elf" "$target_dir/riscv64im-unknown-none-elf/release/lib$name.a"
done
