#!/usr/bin/env bash
# Scaling measurements for docs/hpc.md (issue 9), on this machine's cores:
#  1. dense kernels at n = 4915 (bench/kernels.c): pdgemm (the practical peak),
#     pdgetrf + pdgetri, per layout: 1 rank x 1 thread, 1 rank x NCORES threads,
#     NCORES ranks x 1 thread (one grid), and the block size on that grid;
#  2. whole runs of YEARS synthetic full-size Eora26 years by ranks_per_year:
#     years side by side (groups of 1 rank) against one grid per year, and one
#     rank with threaded BLAS (the per-year seconds and the wall time);
#  3. with FULL=1, one full-Eora-size year (n = 15,909, heterogeneous, made by
#     silkflow synth --rows) on NCORES ranks: time, GFLOP/s, peak memory per
#     rank against the prediction (several minutes, ~4 GB on the group root).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
BUILD=${BUILD:-build}; BIN=${BIN:-bin/silkflow}
NCORES=${NCORES:-$(nproc)}; REPEAT=${REPEAT:-3}; YEARS=${YEARS:-2004-2007}
CACHE=${CACHE:-bench/cache}
make -s "$BUILD/bench/kernels" >/dev/null
echo "== 1. kernels, n = 4915 (medians of $REPEAT)"
OPENBLAS_NUM_THREADS=1 tests/mpirun.sh 1 "$BUILD/bench/kernels" 4915 64 "$REPEAT" | sed 's/^/  1 rank x 1 thread:  /'
OPENBLAS_NUM_THREADS=$NCORES tests/mpirun.sh 1 "$BUILD/bench/kernels" 4915 64 "$REPEAT" | sed "s/^/  1 rank x $NCORES threads: /"
for nb in 32 64 128 256; do
  OPENBLAS_NUM_THREADS=1 tests/mpirun.sh "$NCORES" "$BUILD/bench/kernels" 4915 $nb "$REPEAT" | sed "s/^/  $NCORES ranks, nb $nb: /"
done
echo "== 2. $YEARS, full-size Eora26 years, whole runs"
"$BIN" synth --out "$CACHE/eora26" --years "$YEARS" --seed 1 --quiet --jobs 2 2>/dev/null || true
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
run() { # run RANKS THREADS RANKS_PER_YEAR
  eora_ini "$W/s.ini" "$CACHE/eora26" "$YEARS" "$W" "ranks_per_year = $3"
  local t0 t1 out
  t0=$(date +%s%N)
  out=$(OPENBLAS_NUM_THREADS=$2 tests/mpirun.sh "$1" "$BIN" run "$W/s.ini" --force --no-lag)
  t1=$(date +%s%N)
  local inv=$(stage_sum invert <<<"$out" | awk '{printf "%.2f", $2 ? $1 / $2 : 0}')
  local peak=$(echo "$out" | grep -E '(^|Z )done in' | sed -E 's/.*peak memory ([0-9.]+) GB.*/\1/')
  printf '  %d rank(s) x %d thread(s), ranks_per_year %d: wall %6.1f s, mean inversion per year %5.2f s, peak %s GB per rank\n' \
    "$1" "$2" "$3" "$(echo "$t0 $t1" | awk '{print ($2-$1)/1e9}')" "$inv" "$peak"
}
run "$NCORES" 1 1
run "$NCORES" 1 "$NCORES"
run 1 "$NCORES" 1
if [[ ${FULL:-0} == 1 ]]; then
  echo "== 3. one full-Eora-size year (n = 15,909) on $NCORES ranks"
  [[ -f $CACHE/fulleora/Eora26_2005_bp.zip ]] || "$BIN" synth --out "$CACHE/fulleora" --rows 15909 --years 2005 --seed 2 --quiet
  { echo "region,sector,industry"; echo "ROW,1,0"; for k in $(seq 1 2000); do echo "*,$k,$(( (k - 1) % 26 + 1 ))"; done; } > "$W/conc.csv"
  cat > "$W/f.ini" <<INI
[data]
format = eora26
path = $CACHE/fulleora
years = 2005
[model]
focal = CHN
partners = configs/countries/bri-eora.txt
concordance = $W/conc.csv
[compute]
ranks_per_year = $NCORES
[estimate]
models = none
[output]
file = $W/full.h5
tables = $W/tables
report = false
INI
  OPENBLAS_NUM_THREADS=1 tests/mpirun.sh "$NCORES" "$BIN" run "$W/f.ini" --force | grep -E '(^|Z )(plan|done in)|\] year [0-9]+ (read|invert|products|decompose) ' | sed 's/^/  /'
fi
