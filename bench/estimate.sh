#!/usr/bin/env bash
# Estimation benchmark (bench/estimate.c): one full FE regression of a
# 17,424-row, 147-FE-level panel against 9,999 WCR bootstrap replicates of its
# key coefficient and a pairs bootstrap of a mediation effect; medians of
# RUNS runs (default 5) measured in the same process.
#   usage: bench/estimate.sh [RUNS] [B]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export OPENBLAS_NUM_THREADS=1
make -s "$BUILD/bench/estimate"
"$BUILD/bench/estimate" "${1:-5}" "${2:-9999}"
