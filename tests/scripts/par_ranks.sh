#!/usr/bin/env bash
# The distributed inversion and products against dense LAPACK on 1, 2, 3 and 4
# ranks (grids 1x1, 1x2, 1x3, 2x2; block sizes 2, 3, 64) and the singular error.
set -euo pipefail
t=${BUILD:-build}/tests/test_par_leontief
for np in 1 2 3 4; do
  out=$(tests/mpirun.sh $np "$t" 2>&1) || { echo "np=$np failed:"; echo "$out"; exit 1; }
  echo "np=$np: $(echo "$out" | tail -n1)"
done
