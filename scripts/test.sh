#!/usr/bin/env bash
# Runs every zkos test. Installs what it needs (scripts/setup.sh), then: formatting and
# clippy, the no_std build of the kernel-side crates for riscv64im-unknown-none-elf, the
# example contracts for wasm32, and the whole test suite in release mode with nextest.
# The last line is nextest's summary.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

scripts/setup.sh

echo "== execution-spec-tests fixtures (Prague, Osaka) into target/eest" >&2
scripts/unpack-eest.sh

echo "== formatting" >&2
cargo fmt --all --check >&2

echo "== example contracts (wasm32)" >&2
examples/build.sh >&2

echo "== benchmark programs (native RV64IM, wasm32, wasmi and rv-backend on the machine)" >&2
bench/build.sh >&2

echo "== kernel-side crates for riscv64im-unknown-none-elf" >&2
scripts/build-kernel.sh >&2

echo "== clippy" >&2
if [ "${CI:-}" = "true" ]; then
  cargo clippy --release --workspace --all-targets -- -D warnings >&2
else
  cargo clippy --release --workspace --all-targets >&2
fi

echo "== fuzz targets (fuzz/: ${ZKOS_FUZZ_SECONDS:-20} s each on the committed corpus, two at a time)" >&2
FUZZ_FRESH=1 scripts/fuzz.sh "${ZKOS_FUZZ_SECONDS:-20}" >&2

echo "== tests" >&2
cargo nextest run --release --workspace --no-fail-fast 2>&1
