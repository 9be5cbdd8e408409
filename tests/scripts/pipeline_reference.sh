#!/usr/bin/env bash
# The whole pipeline (reader, distributed inversion on BLACS grids of 1-4
# ranks with block size 2, products, assembly, HDF5 output) against the
# decompr/exvatools reference tables, and identical results across world sizes.
set -euo pipefail
py=/usr/bin/python3
for ref in leather rand4x3 exva_wiodtest; do
  d=$TMPDIR/$ref
  $py tests/scripts/pipeline_reference.py make "$d/data" "$ref"
  focal=$(awk 'NR==1{print $2}' "$d/data/labels_T.txt")
  for np in 1 2 3 4; do
    cat > "$d/run$np.ini" <<INI
[data]
format = mrio-tsv
path = $d/data
prefix = REF
years = 2000
[model]
focal = $focal
industries = 1-3
tech_high = 2
[compute]
block = 2
ranks_per_year = $np
store_leontief = true
store_wwz = sector
[estimate]
models = none
[output]
file = $d/out$np.h5
tables = $d/tables$np
INI
    tests/mpirun.sh $np "$BIN" run "$d/run$np.ini" --quiet
    $py tests/scripts/pipeline_reference.py check "$d/data" "$ref" "$d/out$np.h5"
    [[ $np == 1 ]] || $py tests/scripts/pipeline_reference.py same "$d/out$np.h5" "$d/out1.h5"
  done
done
