#!/usr/bin/env bash
# Builds the AssemblyScript counter to examples/out/as-counter.wasm.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
../../sdk/assemblyscript/compile.sh assembly/index.ts ../out/as-counter.wasm
