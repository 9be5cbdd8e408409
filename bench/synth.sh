#!/usr/bin/env bash
# Benchmark of 'silkflow synth': wall time of one full-size Eora26 year
# (190 regions, 4915 rows) and of one full-Eora-size heterogeneous year
# (--rows 15909), as medians of REPEAT runs, with baselines measured in the
# same run: --serial (no formatting thread) and --level 0 (no deflate: the
# cost of generating and formatting alone).
#   bench/synth.sh                 (from the repository root, after make)
#   REPEAT=5 BIG=0 bench/synth.sh  (BIG=0 skips the 15909-row case)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-bin/silkflow}
REPEAT=${REPEAT:-3}
BIG=${BIG:-1}
[[ -x $BIN ]] || { echo "bench/synth.sh: build first (make)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/synth-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
export OPENBLAS_NUM_THREADS=1

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# run NAME ARGS...: REPEAT runs of one year, prints the median seconds and the sizes
run() {
  local name=$1; shift
  local t=() line zipmb textmb
  for ((k = 0; k < REPEAT; k++)); do
    rm -rf "$work/out"
    line=$("$BIN" synth --out "$work/out" --years 2010 --seed 1 "$@" | grep '^synth 2010 ')
    t+=("$(awk '{print $3}' <<<"$line")")
    zipmb=$(awk '{print $5}' <<<"$line")
    textmb=$(sed -E 's/.*\(text ([0-9.]+) MB.*/\1/' <<<"$line")
  done
  local med; med=$(printf '%s\n' "${t[@]}" | median)
  printf '%-34s median %7.2f s  (runs: %s)  zip %8.1f MB  text %8.1f MB  %6.1f MB/s text\n' \
    "$name" "$med" "${t[*]}" "$zipmb" "$textmb" "$(awk -v a="$textmb" -v b="$med" 'BEGIN{print a/b}')"
  echo "$med" >"$work/med.$name"
}

echo "silkflow synth benchmark: $(nproc) cores, REPEAT=$REPEAT, $(date -u +%Y-%m-%dT%H:%MZ)"
run full-4915 
run full-4915-serial --serial
run full-4915-store --level 0
if [[ $BIG == 1 ]]; then
  run rows-15909 --rows 15909
  run rows-15909-serial --rows 15909 --serial
fi
a=$(cat "$work/med.full-4915"); b=$(cat "$work/med.full-4915-serial")
echo "pipeline speed-up (full-4915): $(awk -v a="$a" -v b="$b" 'BEGIN{printf "%.2fx", b/a}')"
if [[ $BIG == 1 ]]; then
  a=$(cat "$work/med.rows-15909"); b=$(cat "$work/med.rows-15909-serial")
  echo "pipeline speed-up (rows-15909): $(awk -v a="$a" -v b="$b" 'BEGIN{printf "%.2fx", b/a}')"
fi
