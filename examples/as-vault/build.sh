#!/usr/bin/env bash
# Builds the AssemblyScript vault to examples/out/as-vault.wasm (the SDK's compile.sh runs
# the contract transform and embeds the zkos:abi section).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
../../sdk/assemblyscript/compile.sh assembly/index.ts ../out/as-vault.wasm
