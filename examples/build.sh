#!/usr/bin/env bash
# Builds the example contracts for wasm32-unknown-unknown (release: opt-level z, LTO) and
# copies them to examples/out/<crate>.wasm. Runs from this directory so that
# examples/.cargo/config.toml (CPU features, memory maximum, stack size) applies.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || rustup target add wasm32-unknown-unknown
target_dir="${EXAMPLES_TARGET_DIR:-$here/target}"
CARGO_TARGET_DIR="$target_dir" cargo build --release --target wasm32-unknown-unknown
mkdir -p out
for crate in counter erc20 caller abi-probe vault erc20-macro erc721-macro; do
    cp "$target_dir/wasm32-unknown-unknown/release/${crate//-/_}.wasm" "out/$crate.wasm"
done
wc -c out/*.wasm

# AssemblyScript: the counter and the vault (the SDK's contract transform) examples and the
# SDK's bindings check module (npm installs the compiler into sdk/assemblyscript/node_modules
# on first use).
as-counter/build.sh
as-vault/build.sh
../sdk/assemblyscript/build.sh
wc -c out/as-counter.wasm out/as-vault.wasm ../sdk/assemblyscript/build/bindings.wasm

# The native RV64IM example in C (riscv64-unknown-elf-gcc): out/native-c.elf.
native-c/build.sh

# The Rust counter as a native RV64IM contract (the same source, riscv64im-unknown-none-elf,
# core and alloc from rust-src): out/native-rust-counter.elf.
native-rust/build.sh
