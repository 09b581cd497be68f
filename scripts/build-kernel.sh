#!/usr/bin/env bash
# Builds the kernel-side crates (no_std + alloc) for the RV64IM machine, as DESIGN.md §2
# describes: a target spec made from riscv64im-unknown-none-elf with atomic compare-and-swap
# enabled (LLVM lowers atomic read-modify-writes to __sync_* calls the kernel defines).
set -euo pipefail
cd "$(dirname "$0")/.."
spec=wasm-runtime/kernel/riscv64im-zkos.json
crates=(-p host-abi -p wasm-validator -p wasm-runtime -p evm-to-wasm -p rv-backend)
RUSTC_BOOTSTRAP=1 cargo build --release "${crates[@]}" --no-default-features \
  -Zbuild-std=core,alloc -Zjson-target-spec --target "$spec" \
  --target-dir target/kernel
echo "kernel-side crates built for $(basename "$spec" .json)"
