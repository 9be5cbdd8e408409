#!/usr/bin/env bash
# The up-front memory check (issue 9): a job that cannot fit its budget stops
# before writing anything, naming the smallest grid that fits; that grid runs;
# the measured peak is close to the prediction.
set -euo pipefail
T=$TMPDIR
mk() { # mk NAME RANKS_PER_YEAR BUDGET_GB
  cat > "$T/$1.ini" <<INI
[data]
format = mrio-tsv
path = data/wiod2013
prefix = WIOD2013
years = 2010-2011
[compute]
ranks_per_year = $2
memory_per_rank_gb = $3
[estimate]
models = none
[output]
file = $T/$1/out.h5
tables = $T/$1/tables
INI
}
mk small 1 0.095
set +e; out=$(tests/mpirun.sh 2 "$BIN" run "$T/small.ini" 2>&1); rc=$?; set -e
[[ $rc == 1 ]] || { echo "expected exit 1, got $rc: $out"; exit 1; }
echo "$out" | grep -q "does not fit" && echo "$out" | grep -q "set \[compute\] ranks_per_year = 2" \
  || { echo "unexpected message: $out"; exit 1; }
[[ ! -e $T/small ]] || { echo "the failed job wrote files:"; find "$T/small"; exit 1; }
mk fits 2 0.095
out=$(tests/mpirun.sh 2 "$BIN" run "$T/fits.ini")
line=$(echo "$out" | grep '^done')
peak=$(echo "$line" | sed -E 's/.*peak memory ([0-9.]+) GB.*/\1/')
pred=$(echo "$line" | sed -E 's/.*predicted ([0-9.]+) GB.*/\1/')
echo "peak $peak GB, predicted $pred GB, budget 0.095 GB"
awk -v p="$peak" -v q="$pred" 'BEGIN{ r=p/q; exit !(r > 0.6 && r < 1.15 && p <= 0.095) }' \
  || { echo "measured peak $peak GB is not within the prediction $pred GB"; exit 1; }
