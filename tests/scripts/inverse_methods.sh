#!/usr/bin/env bash
# The two ways B is formed (docs/hpc.md "Inversion"): on a 1 x 1 grid blocked
# Gauss-Jordan (WIOD 2008, 2010 and 2011 have columns of A summing to 1.1-2.5,
# so I - A is not column diagonally dominant there), with SF_INVERT=lu, when
# Gauss-Jordan's acceptance test refuses its B (staged: SF_TEST_GJ_REJECT=1)
# and on a grid of 2 ranks LU (dgetrf/dgetri, pdgetrf/pdgetri).
# Each year's `inversion` attribute and progress line say which ran; the
# Gauss-Jordan rcond is exactly 1 / (||I - A||_1 ||B||_1); the residual check
# passes; and the results of all three runs agree to rounding (h5_same.py).
set -euo pipefail
py=/usr/bin/python3
T=$TMPDIR
fail() { echo "FAIL inverse_methods: $*"; exit 1; }
$py -c 'import h5py, numpy' 2>/dev/null || { echo "skip: needs python3-numpy and python3-h5py"; exit 77; }
unset SF_INVERT
mkdir -p "$T/data"
cp data/wiod2013/WIOD2013_{2008,2009,2010,2011}_bp.zip "$T/data/"
mk() { sed -e "s#^path .*#path = $T/data#" -e "s#^models .*#models = none#" -e "s#^file .*#file = $T/$1/out.h5#" \
         -e "s#^tables .*#tables = $T/$1/tables\nreport = false#" configs/wiod2013.ini > "$T/$1.ini"; }
for r in gj lu rej grid; do mk $r; done
sed -i 's/^ranks_per_year = .*/ranks_per_year = 2/' "$T/grid.ini"
grep -q '^ranks_per_year = 2$' "$T/grid.ini" || fail "configs/wiod2013.ini has no ranks_per_year line to set"
"$BIN" run "$T/gj.ini" --years 2009-2011 > "$T/gj.log" || fail "run (Gauss-Jordan) failed"
SF_INVERT=lu "$BIN" run "$T/lu.ini" --years 2009-2011 > "$T/lu.log" || fail "run with SF_INVERT=lu failed"
SF_TEST_GJ_REJECT=1 "$BIN" run "$T/rej.ini" --years 2009-2011 > "$T/rej.log" || fail "run with Gauss-Jordan refused failed"
tests/mpirun.sh 2 "$BIN" run "$T/grid.ini" --years 2009-2011 > "$T/grid.log" || fail "run on a 1 x 2 grid failed"
grep -q '^plan: 2 ranks, 1 group.*BLACS grid 1x2' "$T/grid.log" || fail "the 2-rank run is not one 1 x 2 grid: $(grep '^plan: 2' "$T/grid.log")"
for r in gj lu rej grid; do
  want=lu word=LU; [[ $r == gj ]] && want=gauss-jordan word=Gauss-Jordan
  [[ $(grep -c " invert .*GFLOP/s  $word, rcond " "$T/$r.log") == 4 ]] || fail "$r: not 4 progress lines saying $word: $(grep ' invert ' "$T/$r.log")"
  $py - "$T/$r/out.h5" "$want" <<'PY' || fail "$r: the year attributes (above)"
import sys, h5py
f, want = h5py.File(sys.argv[1], "r"), sys.argv[2]
bad = []
for y in ("2008", "2009", "2010", "2011"):
    a = f["years/" + y].attrs
    m = a["inversion"].decode() if isinstance(a["inversion"], bytes) else a["inversion"]
    if m != want: bad.append(f"{y}: inversion {m}, want {want}")
    chk = a["residual_check"].decode() if isinstance(a["residual_check"], bytes) else a["residual_check"]
    if chk != "PASSED": bad.append(f"{y}: residual check {chk}")
    k = a["rcond"] * a["norm1_I_minus_A"] * a["norm1_B"]
    if want == "gauss-jordan" and abs(k - 1) > 1e-12: bad.append(f"{y}: rcond ||I-A|| ||B|| = {k!r}, want 1")
    if want == "lu" and k < 1 - 1e-12: bad.append(f"{y}: LU's rcond estimate below the exact value ({k!r})")
for m in bad: print("  " + m)
sys.exit(1 if bad else 0)
PY
done
$py tests/scripts/h5_same.py "$T/lu/out.h5" "$T/gj/out.h5" || fail "Gauss-Jordan and LU (1 x 1) results differ (above)"
$py tests/scripts/h5_same.py "$T/rej/out.h5" "$T/gj/out.h5" || fail "refused Gauss-Jordan (then LU) and Gauss-Jordan results differ (above)"
$py tests/scripts/h5_same.py "$T/grid/out.h5" "$T/gj/out.h5" || fail "Gauss-Jordan and ScaLAPACK LU (1 x 2) results differ (above)"
echo "ok: Gauss-Jordan on 1 x 1, LU with SF_INVERT=lu, after a refusal and on 1 x 2, results the same to rounding"
