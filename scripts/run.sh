#!/usr/bin/env bash
# The main job: runs the example block shipped in the repo with `zkos run` (a WASM contract
# deployed and called, and plain transfers), printing receipts, logs and the state diff.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo run --release -q -p zkos-node --bin zkos -- run "$@"
