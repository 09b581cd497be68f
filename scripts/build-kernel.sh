#!/usr/bin/env bash
# Builds for the RV64IM machine, as DESIGN.md §2 describes (a target spec made from
# riscv64im-unknown-none-elf with atomic compare-and-swap enabled; LLVM lowers atomic
# read-modify-writes to __sync_* calls the kernel defines):
#  - the kernel-side crates (no_std + alloc), checked to build for the machine (skipped with
#    the argument `elf`);
#  - the kernel program (kernel/, its own workspace, linked by kernel/kernel.ld) into
#    target/kernel/zkos-kernel.elf, which `zkos` carries (node/build.rs runs `build-kernel.sh
#    elf`, so the ELF is rebuilt whenever the crates it is made of change).
set -euo pipefail
cd "$(dirname "$0")/.."
spec="$PWD/wasm-runtime/kernel/riscv64im-zkos.json"
# Run from a build script (node/build.rs), cargo's variables must not leak into this build.
unset RUSTC_WORKSPACE_WRAPPER RUSTC_WRAPPER RUSTFLAGS CARGO_ENCODED_RUSTFLAGS CARGO_TARGET_DIR \
  CARGO_BUILD_TARGET CARGO_MAKEFLAGS MAKEFLAGS MFLAGS CARGO_PRIMARY_PACKAGE
if [[ "${1:-}" != elf ]]; then
  crates=(-p host-abi -p wasm-validator -p wasm-runtime -p evm-to-wasm -p rv-backend)
  RUSTC_BOOTSTRAP=1 cargo build --release "${crates[@]}" --no-default-features \
    -Zbuild-std=core,alloc -Zjson-target-spec --target "$spec" \
    --target-dir target/kernel
  echo "kernel-side crates built for $(basename "$spec" .json)"
fi
RUSTC_BOOTSTRAP=1 cargo build --release --manifest-path kernel/Cargo.toml \
  -Zbuild-std=core,alloc -Zbuild-std-features=compiler-builtins-mem -Zjson-target-spec \
  --target "$spec" --target-dir target/kernel
elf=target/kernel/zkos-kernel.elf
cp target/kernel/riscv64im-zkos/release/zkos-kernel "$elf.tmp"
mv "$elf.tmp" "$elf"
echo "kernel: $elf ($(wc -c < "$elf") bytes)" >&2
