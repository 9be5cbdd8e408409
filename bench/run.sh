#!/usr/bin/env bash
# Runs every benchmark script bench/*.sh (or those matching $BENCH) and keeps
# their reports in bench/results/<name>.txt. Benchmarks are not tests: they
# measure, as medians and as ratios against a baseline measured in the same
# run, because the machine is shared and noisy.
set -uo pipefail
cd "$(dirname "$0")/.."
export BUILD=${BUILD:-build} BIN=${BIN:-bin/silkflow}
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
mkdir -p bench/results
for s in bench/*.sh; do
  n=$(basename "$s" .sh)
  [[ $n == run ]] && continue
  [[ -n ${BENCH:-} && ! $n =~ $BENCH ]] && continue
  echo "=== $n"
  bash "$s" 2>&1 | tee "bench/results/$n.txt"
done
