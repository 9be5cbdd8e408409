#!/usr/bin/env bash
# Runs every test: unit test binaries ($BUILD/tests/test_*), then the scripted
# tests in tests/scripts/*.sh (MPI, end-to-end, CLI). Each script gets BIN,
# BUILD and a private TMPDIR; a script exits 0 (pass), 77 (skip) or else (fail).
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BIN=${BIN:-bin/silkflow} BUILD
export OPENBLAS_NUM_THREADS=1
# run's log lines unstamped, so that the scripts can anchor on them (a script's
# output is a file, where run would stamp them); run_progress.sh checks the stamps
export SILKFLOW_TIMESTAMPS=${SILKFLOW_TIMESTAMPS:-0}
if [[ $BUILD == build-san ]]; then
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:fast_unwind_on_malloc=0}
  export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
fi
pass=0 fail=0 skip=0 failed=()
t_all=$(date +%s%N)
run_one() {
  local name=$1; shift
  local t0=$(date +%s%N) log rc
  log=$(mktemp)
  "$@" >"$log" 2>&1; rc=$?
  local ds=$(( ($(date +%s%N) - t0) / 100000000 )); local dt="$((ds / 10)).$((ds % 10))"
  if [[ $rc == 0 ]]; then pass=$((pass+1)); printf 'PASS %-40s %6ss\n' "$name" "$dt"
  elif [[ $rc == 77 ]]; then skip=$((skip+1)); printf 'SKIP %-40s %s\n' "$name" "$(tail -n1 "$log")"
  else fail=$((fail+1)); failed+=("$name"); printf 'FAIL %-40s %6ss\n' "$name" "$dt"
    # the reasons first (a script's own FAIL lines, which may be far from its end), then its last lines
    grep -E '^(FAIL|error|.*: error:)' "$log" | head -n 20 | sed 's/^/    reason: /'
    tail -n 40 "$log" | sed 's/^/    /'
  fi
  rm -f "$log"
}
only=${TESTS:-}
for t in "$BUILD"/tests/test_*; do
  [[ -x $t ]] || continue
  n=$(basename "$t"); [[ -n $only && ! $n =~ $only ]] && continue
  run_one "$n" "$t"
done
for s in tests/scripts/*.sh; do
  [[ -f $s ]] || continue
  n=$(basename "$s" .sh); [[ -n $only && ! $n =~ $only ]] && continue
  d=$(mktemp -d)
  run_one "$n" env TMPDIR="$d" bash "$s"
  rm -rf "$d"
done
dt=$(( ($(date +%s%N) - t_all) / 1000000000 ))
echo "tests: $pass passed, $fail failed, $skip skipped in ${dt}s"
[[ $fail == 0 ]] || { echo "failed: ${failed[*]}"; exit 1; }
