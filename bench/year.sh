#!/usr/bin/env bash
# One full-size Eora26 year (synthetic, 4915 x 4915, made by `silkflow synth`),
# on all cores of this machine, measured in one run:
#   floor:  LAPACK dgetrf + dgetri of I - A alone (OpenBLAS with NCORES threads)
#   silkflow, two layouts of the same cores:
#     RANKS x THREADS = NCORES x 1 (one BLACS grid of NCORES ranks: pdgetrf + pdgetri)
#     and 1 x NCORES (a 1 x 1 grid: dgetrf + dgetri with threaded BLAS)
#   for each: the inversion, the year (read, check, invert, products, all-pairs
#   WWZ, indicators, write: the sum of the year's stages) and the process wall
#   time (MPI start-up, covariates, panel, network, trade and results file too)
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
med() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}'; }
declare -A R
lap=()
for r in $(seq "$REPEAT"); do
  lap+=("$(OPENBLAS_NUM_THREADS=$NCORES "$BUILD/bench/lapack_inverse" eora26 "$CACHE/eora26" Eora26 "$YEAR" 1 | awk '{print $2}')")
  for layout in "$NCORES 1" "1 $NCORES"; do
    set -- $layout
    sed -i "s/^ranks_per_year = .*/ranks_per_year = $1/" "$W/year.ini"
    t0=$(date +%s%N)
    out=$(OPENBLAS_NUM_THREADS=$2 tests/mpirun.sh "$1" "$BIN" run "$W/year.ini" --force)
    t1=$(date +%s%N)
    k="$1x$2"
    R[$k.wall]+="$(echo "$t0 $t1" | awk '{printf "%.3f", ($2-$1)/1e9}') "
    R[$k.inv]+="$(echo "$out" | awk '$1=="invert"{print $3}') "
    R[$k.year]+="$(echo "$out" | awk '$2=="'"$YEAR"'" && ($1=="read"||$1=="check"||$1=="invert"||$1=="products"||$1=="decompose"||$1=="write"){s+=$3} END{print s}') "
    for st in read products decompose; do R[$k.$st]+="$(echo "$out" | awk -v s=$st '$1==s{print $3}') "; done
  done
  echo "round $r: lapack ${lap[-1]} s; ${NCORES}x1: invert $(echo ${R[${NCORES}x1.inv]} | awk '{print $NF}') s, year $(echo ${R[${NCORES}x1.year]} | awk '{print $NF}') s; 1x${NCORES}: invert $(echo ${R[1x${NCORES}.inv]} | awk '{print $NF}') s, year $(echo ${R[1x${NCORES}.year]} | awk '{print $NF}') s"
done
L=$(med "${lap[@]}")
echo
echo "full-size Eora26 year (n = 4915), $NCORES cores, medians of $REPEAT interleaved rounds:"
printf '  %-52s %7.2f s\n' "LAPACK dgetrf+dgetri ($NCORES threads) [floor]" "$L"
for k in "${NCORES}x1" "1x${NCORES}"; do
  r=${k%x*}; t=${k#*x}
  I=$(med ${R[$k.inv]}); Y=$(med ${R[$k.year]}); A=$(med ${R[$k.wall]})
  echo "  silkflow, $r rank(s) x $t BLAS thread(s):"
  printf '    %-50s %7.2f s   %.2fx floor\n' "inversion" "$I" "$(echo "$I $L" | awk '{print $1/$2}')"
  printf '    %-50s %7.2f s   %.2fx floor\n' "year: read, invert, products, all-pairs WWZ, write" "$Y" "$(echo "$Y $L" | awk '{print $1/$2}')"
  printf '    %-50s %7.2f s   %.2fx floor\n' "process wall time (start-up, panel, results file)" "$A" "$(echo "$A $L" | awk '{print $1/$2}')"
  printf '      %-48s %7.2f s\n' "of which read+parse" "$(med ${R[$k.read]})" "of which products" "$(med ${R[$k.products]})" "of which all-pairs WWZ" "$(med ${R[$k.decompose]})"
done
