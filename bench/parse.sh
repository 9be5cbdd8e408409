#!/usr/bin/env bash
# Parse throughput benchmark (bench/parse.c): sf_numparse and the streaming
# matrix reader against strtod on a full-size Eora26-like T text, then the
# end-to-end read of a synthetic Eora26 year from a zip. Run from anywhere:
#   bench/parse.sh [--runs R] [--no-zip]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
make -s "$BUILD/bench/parse" >/dev/null
export OPENBLAS_NUM_THREADS=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$BUILD/bench/parse" --tmp "$tmp" "$@"
