#!/usr/bin/env bash
# The OpenBLAS kernel (issue 13), measured in one run on all cores as BLAS threads:
#   1. DGEMM GFLOP/s (n = DGEMM_N) and LAPACK dgetrf + dgetri at n = 4915 (the
#      Leontief inversion of one full-size Eora26 year on one rank), for the
#      default (the environment as it is, with silkflow's automatic selection)
#      OpenBLAS's own choice ("own", when the environment sets OPENBLAS_CORETYPE),
#      and each OPENBLAS_CORETYPE of KERNELS the CPU can run;
#   2. YEAR=1 (default): `silkflow run` on one full-size synthetic Eora26 year
#      (1 rank x NCORES threads) with the same kernels: inversion and year.
# Rounds are interleaved (REPEAT), medians reported with ratios against the
# default measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}; BIN=${BIN:-bin/silkflow}
NCORES=${NCORES:-$(nproc)}; REPEAT=${REPEAT:-3}; DGEMM_N=${DGEMM_N:-3000}; INV_N=${INV_N:-4915}
YEAR=${YEAR:-1}; Y=${BENCH_YEAR:-2005}; CACHE=${CACHE:-bench/cache}
make -s "$BUILD/bench/blas" >/dev/null
flags=$(grep -m1 '^flags' /proc/cpuinfo || true)
has() { [[ " $flags " == *" $1 "* ]]; }
ks=(default)
[[ -n ${OPENBLAS_CORETYPE:-} ]] && ks+=(own) # the environment sets a kernel: OpenBLAS's own choice too
ks+=(Prescott)
has avx2 && has fma && ks+=(Haswell)
has avx512f && has avx512bw && has avx512dq && has avx512vl && ks+=(SkylakeX)
[[ -n ${KERNELS:-} ]] && read -r -a ks <<<"default $KERNELS"
env_k=${OPENBLAS_CORETYPE:-}
# run CMD... with kernel $1 ("default": the environment as it is)
# ("own": without OPENBLAS_CORETYPE, silkflow's selection off)
with() {
  local k=$1; shift
  case $k in
    default) "$@" ;;
    own) env -u OPENBLAS_CORETYPE SILKFLOW_BLAS_AUTO=0 "$@" ;;
    *) OPENBLAS_CORETYPE=$k "$@" ;;
  esac
}
. bench/lib.sh
declare -A G L N I YR
if [[ $YEAR == 1 ]]; then
  [[ -f $CACHE/eora26/Eora26_${Y}_bp.zip ]] || "$BIN" synth --out "$CACHE/eora26" --years "$Y" --seed 1 --quiet
  W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
  eora_ini "$W/year.ini" "$CACHE/eora26" "$Y" "$W" "ranks_per_year = 1"
fi
for r in $(seq "$REPEAT"); do
  line="round $r:"
  for k in "${ks[@]}"; do
    out=$(with "$k" env OPENBLAS_NUM_THREADS="$NCORES" "$BUILD/bench/blas" "$DGEMM_N" 3 "$INV_N")
    N[$k]=$(awk '{print $2}' <<<"$out")
    G[$k]+="$(awk '{print $7}' <<<"$out") "; L[$k]+="$(awk '{print $10}' <<<"$out") "
    line+=" $k(${N[$k]}) $(awk '{print $7}' <<<"$out") GFLOP/s, getrf+getri $(awk '{print $10}' <<<"$out") s;"
    if [[ $YEAR == 1 ]]; then
      log=$(with "$k" env OPENBLAS_NUM_THREADS="$NCORES" "$BIN" run "$W/year.ini" --force --no-lag)
      I[$k]+="$(stage_sum invert "$Y" <<<"$log" | cut -d' ' -f1) "
      YR[$k]+="$(stage_sum read,check,invert,products,decompose,write "$Y" <<<"$log" | cut -d' ' -f1) "
      line+=" year $(awk '{print $NF}' <<<"${YR[$k]}") s;"
    fi
  done
  echo "$line"
done
g0=$(med ${G[default]}); l0=$(med ${L[default]})
echo
echo "OpenBLAS kernels, $NCORES BLAS threads, medians of $REPEAT interleaved rounds (default: OPENBLAS_CORETYPE=${env_k:-unset}, then silkflow's selection):"
printf '  %-26s %14s %8s %22s %8s' "kernel" "DGEMM GFLOP/s" "vs def." "getrf+getri n=$INV_N s" "vs def."
[[ $YEAR == 1 ]] && printf ' %10s %8s %8s' "invert s" "year s" "vs def."
echo
[[ $YEAR == 1 ]] && { i0=$(med ${I[default]}); y0=$(med ${YR[default]}); }
for k in "${ks[@]}"; do
  g=$(med ${G[$k]}); l=$(med ${L[$k]})
  label="$k (${N[$k]})"; [[ $k == "${N[$k]}" ]] && label=$k
  printf '  %-26s %14.1f %7.2fx %22.2f %7.2fx' "$label" "$g" "$(awk -v a="$g" -v b="$g0" 'BEGIN{print a/b}')" "$l" \
    "$(awk -v a="$l0" -v b="$l" 'BEGIN{print a/b}')"
  if [[ $YEAR == 1 ]]; then
    i=$(med ${I[$k]}); y=$(med ${YR[$k]})
    printf ' %10.2f %8.2f %7.2fx' "$i" "$y" "$(awk -v a="$y0" -v b="$y" 'BEGIN{print a/b}')"
  fi
  echo
done
echo "  (vs def.: speed relative to the default; > 1 is faster)"
