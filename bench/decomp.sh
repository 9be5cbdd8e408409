#!/usr/bin/env bash
# Benchmark of the decomposition assembly at Eora26 size (n = 4915, G = 190):
# medians of 3 runs of sf_decompose (country and sector storage) and of the
# routes for one focal region, against one dense n x n x G dgemm in the same
# run. One BLAS thread (the machine is shared). Usage: bench/decomp.sh [G N reps]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
make -s "$BUILD/bench/decomp"
export OPENBLAS_NUM_THREADS=1
"$BUILD/bench/decomp" "$@"
