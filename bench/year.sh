#!/usr/bin/env bash
# Full-size Eora26 years (synthetic, 4915 x 4915, made by `silkflow synth`) on
# all cores of this machine, measured in one run (issue 13):
#   floor:  LAPACK dgetrf + dgetri of one year's I - A alone (OpenBLAS, NCORES
#           threads, the kernel KERNEL)
#   silkflow `run` on YEARS (default 2004 2005: config years = 2005, whose lag
#   year 2004 is computed too), two layouts of the same cores:
#     1 x NCORES: one rank, NCORES BLAS threads (a 1 x 1 grid: dgetrf + dgetri)
#     NCORES x 1: NCORES ranks, one BLAS thread each (ranks_per_year = auto:
#                 the years side by side, one rank each)
#   for each: the time per processed year (process wall time / years, and the
#   sum of a year's stages), its ratio to the floor, the stage split (read,
#   check, invert, products, decompose, write; products further split into
#   distributing I - A, the dense products, the sweep and the residual, from the
#   year files; on a 1 x 1 grid the residual check runs in invert, with
#   Gauss-Jordan's own test, so its step reads 0), the peak memory of the largest process (/usr/bin/time -v) and
#   the BLAS kernel that ran (the plan line).
# Runs are interleaved (REPEAT rounds); medians are reported.
#   KERNEL=SkylakeX|Haswell|...  OPENBLAS_CORETYPE for every run (default: the
#     best this CPU runs, SkylakeX with AVX-512, Haswell with AVX2; "env": the
#     environment as it is)
#   STREAM=1 (default) also runs 1 x NCORES with SF_READ_STREAM=1, the streaming
#     reader of before (libzip inflate, one member after the other), for the
#     reading gain in the same run; STREAM=0 skips it
#   Y19=1  also run 19 full-size years (2003-2021) once, NCORES x 1, and report
#     the total (else it is extrapolated from the per-year time, and labelled so)
#   NCORES, REPEAT (3), YEARS, CACHE (bench/cache), BIN, BUILD
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
BUILD=${BUILD:-build}; BIN=${BIN:-bin/silkflow}
NCORES=${NCORES:-$(nproc)}; REPEAT=${REPEAT:-3}; YEARS=${YEARS:-2004 2005}
CACHE=${CACHE:-bench/cache}
read -r -a YS <<<"$YEARS"
LAST=${YS[-1]}; NY=${#YS[@]}
flags=$(grep -m1 '^flags' /proc/cpuinfo || true)
has() { [[ " $flags " == *" $1 "* ]]; }
if [[ -z ${KERNEL:-} ]]; then
  KERNEL=env
  has avx2 && has fma && KERNEL=Haswell
  has avx512f && has avx512bw && has avx512dq && has avx512vl && KERNEL=SkylakeX
fi
kenv() { if [[ $KERNEL == env ]]; then "$@"; else OPENBLAS_CORETYPE=$KERNEL "$@"; fi; }
[[ -x /usr/bin/time ]] || { echo "bench/year.sh: needs GNU time (Debian package time)"; exit 1; }
make -s "$BUILD/bench/lapack_inverse" >/dev/null
for y in "${YS[@]}"; do
  [[ -f $CACHE/eora26/Eora26_${y}_bp.zip ]] || "$BIN" synth --out "$CACHE/eora26" --years "$y" --seed 1 --quiet
done
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
ini() { eora_ini "$1" "$CACHE/eora26" "$2" "$W" "block = ${BLOCK:-64}"; } # ini FILE YEARS
ini "$W/year.ini" "$LAST"
# mean over the run's years of the seconds of stage $1 in log $2
stage() { stage_sum "$1" <"$2" | awk -v n="$NY" '{printf "%.3f", $1 / n}'; }
# mean over the years of step $1 (0-based) of seconds_distribute_form_factor_invert_products_sweep_residual
step() {
  for y in "${YS[@]}"; do
    h5dump -a "/years/$y/seconds_distribute_form_factor_invert_products_sweep_residual" "$W/out.h5" 2>/dev/null |
      awk '/\(0\)/{sub(/.*\(0\): */, ""); gsub(/,/, " "); print}'
  done | awk -v k="$1" '{t+=$(k+1); n++} END{printf "%.3f", n ? t/n : 0}'
}
declare -A R
lap=()
LAYOUTS=("1 $NCORES" "$NCORES 1")
[[ ${STREAM:-1} == 1 ]] && LAYOUTS+=("1 $NCORES stream")
for r in $(seq "$REPEAT"); do
  lap+=("$(kenv env OPENBLAS_NUM_THREADS="$NCORES" "$BUILD/bench/lapack_inverse" eora26 "$CACHE/eora26" Eora26 "$LAST" 1 | awk '{print $2}')")
  line="round $r: lapack ${lap[-1]} s"
  for layout in "${LAYOUTS[@]}"; do
    set -- $layout
    k="$1x$2${3:+-$3}"
    rd=0; [[ ${3:-} == stream ]] && rd=1
    t0=$(date +%s%N)
    kenv env SF_READ_STREAM=$rd OPENBLAS_NUM_THREADS="$2" /usr/bin/time -v -o "$W/time.txt" tests/mpirun.sh "$1" "$BIN" run "$W/year.ini" --force > "$W/log" 2>&1 ||
      { echo "silkflow run failed ($k):"; tail -5 "$W/log"; exit 1; }
    t1=$(date +%s%N)
    R[$k.kernel]=$(awk '/^plan: BLAS/{for(i=1;i<=NF;i++) if($i=="kernel"){k=$(i+1); sub(/,$/, "", k); print k; exit}}' "$W/log")
    wall=$(echo "$t0 $t1" | awk '{printf "%.3f", ($2-$1)/1e9}')
    R[$k.wall]+="$wall "
    R[$k.pyw]+="$(echo "$wall $NY" | awk '{printf "%.3f", $1/$2}') "
    y=0
    for st in read check invert products decompose write; do
      v=$(stage $st "$W/log"); R[$k.$st]+="$v "; y=$(echo "$y $v" | awk '{print $1+$2}')
    done
    R[$k.year]+="$y "
    i=0
    for st in distribute form factor inv dense sweep residual; do R[$k.s_$st]+="$(step $i) "; i=$((i + 1)); done
    R[$k.rss]+="$(awk -F': ' '/Maximum resident set size/{printf "%.3f", $2/1048576}' "$W/time.txt") "
    line+="; $k: per year $(echo ${R[$k.pyw]} | awk '{print $NF}') s, invert $(echo ${R[$k.invert]} | awk '{print $NF}') s"
  done
  echo "$line"
done
L=$(med "${lap[@]}")
ratio() { echo "$1 $L" | awk '{printf "%.2fx", $1/$2}'; }
echo
echo "full-size Eora26 years (n = 4915; years ${YS[*]}), $NCORES cores, OPENBLAS_CORETYPE=$KERNEL, medians of $REPEAT interleaved rounds:"
printf '  %-58s %7.2f s\n' "LAPACK dgetrf+dgetri ($NCORES threads) [floor]" "$L"
for layout in "${LAYOUTS[@]}"; do
  set -- $layout
  k="$1x$2${3:+-$3}"
  echo "  silkflow, $1 rank(s) x $2 BLAS thread(s), kernel ${R[$k.kernel]:-?}${3:+, SF_READ_STREAM=1 (the reader before issue 13)}:"
  P=$(med ${R[$k.pyw]}); Y=$(med ${R[$k.year]})
  printf '    %-56s %7.2f s   %s floor\n' "per processed year: process wall time / $NY years" "$P" "$(ratio "$P")"
  printf '    %-56s %7.2f s   %s floor\n' "one year's stages (read ... write), mean over the years" "$Y" "$(ratio "$Y")"
  for st in read check invert products decompose write; do
    printf '      %-54s %7.2f s\n' "$st" "$(med ${R[$k.$st]})"
  done
  printf '      %-54s %s\n' "products: distribute I - A (of which forming it)" \
    "$(med ${R[$k.s_distribute]}) s ($(med ${R[$k.s_form]}) s)"
  printf '      %-54s %s\n' "products: dense B [Y E], sweep, residual (1x1: in invert)" \
    "$(med ${R[$k.s_dense]}) s, $(med ${R[$k.s_sweep]}) s, $(med ${R[$k.s_residual]}) s"
  printf '    %-56s %7.2f s\n' "process wall time" "$(med ${R[$k.wall]})"
  printf '    %-56s %7.3f GB\n' "peak memory of the largest process (time -v)" "$(med ${R[$k.rss]})"
done
# 19 years: the per-year time of the years-side-by-side layout, plus the
# run's fixed cost (wall - years x per-year stages, approximated by layout 1's
# difference), or measured
k="${NCORES}x1"
P=$(med ${R[$k.pyw]})
if [[ ${Y19:-0} == 1 ]]; then
  for y in $(seq 2003 2021); do
    [[ -f $CACHE/eora26/Eora26_${y}_bp.zip ]] || "$BIN" synth --out "$CACHE/eora26" --years "$y" --seed 1 --quiet
  done
  ini "$W/y19.ini" 2004-2021
  t0=$(date +%s%N)
  kenv env OPENBLAS_NUM_THREADS=1 /usr/bin/time -v -o "$W/time19.txt" tests/mpirun.sh "$NCORES" "$BIN" run "$W/y19.ini" --force > "$W/log19" 2>&1 ||
    { echo "19-year run failed:"; tail -5 "$W/log19"; exit 1; }
  t1=$(date +%s%N)
  T=$(echo "$t0 $t1" | awk '{printf "%.1f", ($2-$1)/1e9}')
  printf '  %-58s %7.1f s (measured, once; %.2f s per year; peak %.3f GB)\n' "19 full-size years (2003-2021), $NCORES x 1" "$T" \
    "$(echo "$T" | awk '{print $1/19}')" "$(awk -F': ' '/Maximum resident set size/{print $2/1048576}' "$W/time19.txt")"
else
  printf '  %-58s %7.1f s (EXTRAPOLATED: 19 x the per-year time of %s; Y19=1 measures it)\n' \
    "19 full-size years (2003-2021), $NCORES x 1" "$(echo "$P" | awk '{print 19*$1}')" "$k"
fi
