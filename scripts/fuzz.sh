#!/usr/bin/env bash
# Runs the cargo-fuzz targets of fuzz/ (see fuzz/README.md).
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# Each target runs SECONDS (default 30) on a copy of its committed corpus
# (fuzz/corpus/TARGET), two targets at a time (FUZZ_JOBS to change). A crash, a timeout
# (FUZZ_TIMEOUT seconds per input, default 20) or an out-of-memory input fails the script;
# the input is left in fuzz/artifacts/TARGET/ and its libFuzzer log in target/fuzz/logs/.
# New inputs found stay in the copy (target/fuzz/corpus/TARGET), reused by the next run;
# FUZZ_FRESH=1 starts again from the committed corpus.
#
# The targets build with the stable toolchain (RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its
# -Z flags) and without a sanitizer (-s none: the code under test is safe Rust, and
# AddressSanitizer would cost a nightly toolchain and half the speed); FUZZ_TOOLCHAIN=nightly
# and FUZZ_SANITIZER=address build the classic way.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-30}
[ $# -gt 0 ] && shift
all=(evm_diff wasm_validate elf_lift tx_decode json_input rv_diff rv_compile)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all[@]}")
jobs=${FUZZ_JOBS:-2}
toolchain=${FUZZ_TOOLCHAIN:-stable}
sanitizer=${FUZZ_SANITIZER:-none}
timeout_s=${FUZZ_TIMEOUT:-20}

command -v cargo-fuzz >/dev/null 2>&1 || { echo "fuzz.sh: cargo-fuzz is not installed (scripts/setup.sh installs it)" >&2; exit 1; }

export RUSTC_BOOTSTRAP=1
build=(cargo "+$toolchain" fuzz build --fuzz-dir fuzz -s "$sanitizer" --target-dir target/fuzz)
echo "== fuzz: building the targets (${build[*]})" >&2
start=$(date +%s)
"${build[@]}" >&2
echo "== fuzz: built in $(( $(date +%s) - start )) s" >&2

bin_dir=target/fuzz/x86_64-unknown-linux-gnu/release
mkdir -p target/fuzz/logs
run_one() {
  local t=$1
  local corpus=target/fuzz/corpus/$t
  if [ -n "${FUZZ_FRESH:-}" ]; then rm -rf "$corpus"; fi
  mkdir -p "$corpus" "fuzz/artifacts/$t"
  cp -n fuzz/corpus/"$t"/* "$corpus"/ 2>/dev/null || true
  local log=target/fuzz/logs/$t.log
  if "$bin_dir/$t" "$corpus" -max_total_time="$seconds" -timeout="$timeout_s" -rss_limit_mb=4096 \
      -max_len=65536 -print_final_stats=1 -artifact_prefix="fuzz/artifacts/$t/" >"$log" 2>&1; then
    local runs
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
    echo "fuzz $t: ok, $runs runs in ${seconds} s ($(( runs / (seconds > 0 ? seconds : 1) )) /s), corpus $(ls "$corpus" | wc -l)"
  else
    echo "fuzz $t: FAILED (log $log, input in fuzz/artifacts/$t/):"
    grep -m3 -E "panicked at|ERROR: libFuzzer|SUMMARY" "$log" | sed 's/^/  /'
    return 1
  fi
}

failed=0
pids=()
names=()
for t in "${targets[@]}"; do
  run_one "$t" &
  pids+=($!)
  names+=("$t")
  if [ ${#pids[@]} -ge "$jobs" ]; then
    wait "${pids[0]}" || failed=1
    pids=("${pids[@]:1}")
    names=("${names[@]:1}")
  fi
done
for p in "${pids[@]}"; do
  wait "$p" || failed=1
done
exit $failed
