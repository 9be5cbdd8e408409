#!/usr/bin/env bash
# The WRE bootstrap of IV models (Davidson & MacKinnon 2010, boottest after
# ivreg2) against an independent brute-force numpy implementation
# (tests/scripts/wre_ref.py: every replicate rebuilt and re-estimated with FE
# dummies): 2SLS t, p-value (all 256 Rademacher draws, 8 clusters crossed
# with the year and industry FEs) and the 95% CI by test inversion, to the 4
# printed decimals, on two data sets; and the same numbers on 2 MPI ranks.
set -uo pipefail
cd "$(dirname "$0")/../.."
PY=/usr/bin/python3
[[ -x $PY ]] && $PY -c 'import numpy' 2>/dev/null || { echo "skip: /usr/bin/python3 with numpy not available"; exit 77; }
T=${TMPDIR:-/tmp}
fail() { echo "FAIL: $*"; exit 1; }
printf '[iv]\nformula = y ~ w | year + ind | x ~ z1 + z2\nvcov = cluster(cl)\nbootstrap = wre\n' > "$T/iv.models"
for seed in 1 7; do
  $PY tests/scripts/wre_ref.py gen $seed > "$T/d$seed.csv" || fail "generating data"
  read -r t p lo hi < <($PY tests/scripts/wre_ref.py "$T/d$seed.csv") || fail "reference run"
  out=$("$BIN" estimate --csv "$T/d$seed.csv" --models "$T/iv.models" --bootstrap 999) || fail "silkflow run"
  want_t=$(printf '[%.4f]' "$t"); want_p=$(printf '%.4f' "$p"); want_ci=$(printf '[%.4f, %.4f]' "$lo" "$hi")
  echo "$out" | grep -qF -- "$want_t" || fail "seed $seed: 2SLS t, want $want_t: $out"
  echo "$out" | grep "Bootstrap p" | grep -qF -- "$want_p" || fail "seed $seed: WRE p, want $want_p: $(echo "$out" | grep 'Bootstrap p')"
  echo "$out" | grep "Bootstrap 95% CI" | grep -qF -- "$want_ci" || fail "seed $seed: WRE CI, want $want_ci: $(echo "$out" | grep 'Bootstrap 95')"
  echo "$out" | grep -q "bootstrap: WRE rademacher, all 256 draws, H0 x = 0" || fail "seed $seed: WRE note missing"
  if [[ $seed == 7 ]]; then
    mpi=$(tests/mpirun.sh 2 "$BIN" estimate --csv "$T/d$seed.csv" --models "$T/iv.models" --bootstrap 999 2>&1) ||
      fail "2-rank run: $mpi"
    [[ "$(echo "$mpi" | grep "Bootstrap")" == "$(echo "$out" | grep "Bootstrap")" ]] || fail "2 ranks differ: $mpi"
  fi
done
echo "wre: silkflow and the brute-force reference agree"
