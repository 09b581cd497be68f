#!/usr/bin/env bash
# Compiles test/bindings.ts (references every raw binding) to build/bindings.wasm, which the
# Rust SDK test checks against host-abi.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
./compile.sh test/bindings.ts build/bindings.wasm
