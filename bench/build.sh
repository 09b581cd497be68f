#!/usr/bin/env bash
# Builds what `zkos bench` runs into bench/out/:
#   native.elf        the kernels, rustc for RV64IM (static ELF, runs on rv-machine)
#   kernels.wasm      the kernels, rustc for wasm32 (one export per kernel)
#   standard.wasm     the standard kernels (memset, memcpy, byte loops, ed25519, interp), rustc
#                     for wasm32, a module of their own so kernels.wasm stays as it was
#   wasmi-driver.elf  wasmi built for RV64IM, runs a module's export on rv-machine
#   compiler-driver.elf  rv-backend built for RV64IM, compiles a module on rv-machine
#   deploy-driver.elf  transpiler, lifter, validator and meter built for RV64IM (zkos bench deploy)
#   revm-driver.elf   revm (no_std) built for RV64IM, executes one EVM transaction (zkos bench evm)
#   native-contract.elf  the kernels as a native zkos contract (read/write/exit): run directly
#                     and lifted by native-shim (the lifting table of zkos bench)
# The RV64IM programs use the kernel target spec of DESIGN.md §2 (riscv64im with atomic
# compare-and-swap lowered to __sync_* calls, which bench/rt defines), built with -Zbuild-std
# from rust-src on stable via RUSTC_BOOTSTRAP (rustup has no prebuilt riscv64im std).
# Uses $CARGO_TARGET_DIR if set, else bench/target.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
spec="$here/../wasm-runtime/kernel/riscv64im-zkos.json"
if [[ ! -f "$spec" ]]; then
    echo "build.sh: target spec $spec is missing" >&2
    exit 1
fi
rustup component add rust-src >/dev/null
rustup target add wasm32-unknown-unknown >/dev/null
target_dir="${CARGO_TARGET_DIR:-$here/target}"
export CARGO_TARGET_DIR="$target_dir"

RUSTC_BOOTSTRAP=1 cargo build --release -p bench-native -p bench-wasmi-driver -p bench-compiler-driver \
    -Zbuild-std=core,alloc -Zbuild-std-features=compiler-builtins-mem \
    -Zjson-target-spec --target "$spec"
# revm on its own: built with the others, cargo would unify its dependencies' features
# (alloy-primitives' native-keccak hook among them) into theirs.
RUSTC_BOOTSTRAP=1 cargo build --release -p bench-revm-driver \
    -Zbuild-std=core,alloc -Zbuild-std-features=compiler-builtins-mem \
    -Zjson-target-spec --target "$spec"
# The deployment stages before compilation on their own too: with rv-backend in one build,
# their crates' features would change the compiler-driver's code and its compile figure.
RUSTC_BOOTSTRAP=1 cargo build --release -p bench-deploy-driver \
    -Zbuild-std=core,alloc -Zbuild-std-features=compiler-builtins-mem \
    -Zjson-target-spec --target "$spec"
# The kernels as a native contract, with the same target and flags as native.elf.
RUSTC_BOOTSTRAP=1 cargo build --release -p bench-native-contract \
    -Zbuild-std=core,alloc -Zbuild-std-features=compiler-builtins-mem \
    -Zjson-target-spec --target "$spec"
# The kernels use the wide-arithmetic proposal (64x64->128 products as i64.mul_wide_u, 128-bit
# adds as i64.add128), in the validator's subset; the rest of the flags are .cargo/config.toml's.
cargo build --release -p bench-wasm -p bench-wasm-standard --target wasm32-unknown-unknown \
    --config 'target.wasm32-unknown-unknown.rustflags=["-C", "target-feature=+wide-arithmetic"]'

mkdir -p out
rv="$target_dir/$(basename "$spec" .json)/release"
cp "$rv/bench-native" out/native.elf
cp "$rv/bench-wasmi-driver" out/wasmi-driver.elf
cp "$rv/bench-compiler-driver" out/compiler-driver.elf
cp "$rv/bench-deploy-driver" out/deploy-driver.elf
cp "$rv/bench-revm-driver" out/revm-driver.elf
cp "$rv/bench-native-contract" out/native-contract.elf
cp "$target_dir/wasm32-unknown-unknown/release/bench_wasm.wasm" out/kernels.wasm
cp "$target_dir/wasm32-unknown-unknown/release/bench_wasm_standard.wasm" out/standard.wasm
wc -c out/*
