#!/usr/bin/env bash
# One full-size Eora26 year (synthetic, 4915 x 4915, made by `silkflow synth`),
# on all cores of this machine, measured in one run:
#   floor:  LAPACK dgetrf + dgetri of I - A alone (OpenBLAS with NCORES threads)
#   silkflow inversion (pdgetrf + pdgetri on one grid of NCORES ranks, 1 thread each)
#   silkflow whole year: read, check, invert, products, all-pairs WWZ, indicators, write
# Runs are interleaved (REPEAT rounds) and medians are reported with ratios
# against the floor. decompr (R) is not installable here from Debian packages:
# see bench/README.md for its published cost.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}; BIN=${BIN:-bin/silkflow}
NCORES=${NCORES:-$(nproc)}; REPEAT=${REPEAT:-3}; YEAR=${YEAR:-2005}
CACHE=${CACHE:-bench/cache}
make -s "$BUILD/bench/lapack_inverse" >/dev/null
if [[ ! -f $CACHE/eora26/Eora26_${YEAR}_bp.zip ]]; then
  "$BIN" synth --out "$CACHE/eora26" --years "$YEAR" --seed 1 --quiet
fi
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
cat > "$W/year.ini" <<INI
[data]
format = eora26
path = $CACHE/eora26
years = $YEAR
[model]
focal = CHN
partners = configs/countries/bri-eora.txt
[compute]
block = ${BLOCK:-64}
ranks_per_year = $NCORES
[estimate]
models = none
[output]
file = $W/out.h5
tables = $W/tables
report = false
INI
lap=(); inv=(); whole=(); rd=(); prod=(); dec=()
for r in $(seq "$REPEAT"); do
  l=$(OPENBLAS_NUM_THREADS=$NCORES "$BUILD/bench/lapack_inverse" eora26 "$CACHE/eora26" Eora26 "$YEAR" 1 | awk '{print $2}')
  t0=$(date +%s%N)
  out=$(OPENBLAS_NUM_THREADS=1 tests/mpirun.sh "$NCORES" "$BIN" run "$W/year.ini" --force)
  t1=$(date +%s%N)
  lap+=("$l"); whole+=("$(echo "$t0 $t1" | awk '{printf "%.3f", ($2-$1)/1e9}')")
  inv+=("$(echo "$out" | awk '$1=="invert"{print $3}')")
  rd+=("$(echo "$out" | awk '$1=="read"{print $3}')")
  prod+=("$(echo "$out" | awk '$1=="products"{print $3}')")
  dec+=("$(echo "$out" | awk '$1=="decompose"{print $3}')")
  echo "round $r: lapack ${lap[-1]} s, silkflow invert ${inv[-1]} s, whole year ${whole[-1]} s"
done
med() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}'; }
L=$(med "${lap[@]}"); I=$(med "${inv[@]}"); Y=$(med "${whole[@]}")
echo
echo "full-size Eora26 year (n = 4915), $NCORES cores, medians of $REPEAT interleaved rounds:"
printf '  %-44s %7.2f s\n' "LAPACK dgetrf+dgetri ($NCORES threads) [floor]" "$L"
printf '  %-44s %7.2f s   %.2fx floor\n' "silkflow inversion ($NCORES ranks, pdgetrf+pdgetri)" "$I" "$(echo "$I $L" | awk '{print $1/$2}')"
printf '  %-44s %7.2f s   %.2fx floor\n' "silkflow whole year (process wall time)" "$Y" "$(echo "$Y $L" | awk '{print $1/$2}')"
printf '  %-44s %7.2f s\n' "  of which read+parse" "$(med "${rd[@]}")" "  of which products (scatter, pdgemm, sweep)" "$(med "${prod[@]}")" "  of which decompose (all-pairs WWZ)" "$(med "${dec[@]}")"
