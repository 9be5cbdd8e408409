#!/usr/bin/env bash
# The reader against an independent parse of the raw WIOD text: row sums of T
# and FD, column sums of T and VA and the zero-output count of two years, from
# build/tests/test_reader --dump-sums, must equal what numpy computes from
# the zip members (values are integers: the sums are exact either way).
set -euo pipefail
PY=/usr/bin/python3
"$PY" -c 'import numpy' 2>/dev/null || { echo "skip: /usr/bin/python3 has no numpy"; exit 77; }
T="$BUILD/tests/test_reader"
[[ -x $T ]] || { echo "skip: $T not built"; exit 77; }
for year in 1995 2011; do
  "$T" --dump-sums "$year" >"$TMPDIR/sums_$year.txt"
  "$PY" - "$year" "$TMPDIR/sums_$year.txt" <<'PYEOF'
import io, sys, zipfile
import numpy as np
year, path = sys.argv[1], sys.argv[2]
z = zipfile.ZipFile(f"data/wiod2013/WIOD2013_{year}_bp.zip")
def mat(kind):
    return np.loadtxt(io.BytesIO(z.read(f"WIOD2013_{year}_bp_{kind}.txt")), delimiter="\t", ndmin=2)
T, F, V = mat("T"), mat("FD"), mat("VA")
got = {}
for line in open(path):
    k, *v = line.split()
    got[k] = v
n = T.shape[0]
assert (int(got["n"][0]), int(got["n"][2]), int(got["n"][4])) == (n, F.shape[1], V.shape[0]), got["n"]
assert T.shape == (1435, 1435) and F.shape == (1435, 205) and V.shape == (1, 1435)
ref = {"rowT": T.sum(1), "rowFD": F.sum(1), "colT": T.sum(0), "colVA": V.sum(0)}
for k, r in ref.items():
    g = np.array([float(x) for x in got[k]])
    assert g.shape == r.shape, (k, g.shape)
    bad = np.flatnonzero(g != r)
    assert bad.size == 0, f"{year} {k}: {bad.size} differ, first at {bad[0]}: {g[bad[0]]} vs {r[bad[0]]}"
x = T.sum(1) + F.sum(1)
nzero = int((np.abs(x) <= 1e-9 * np.abs(x).max()).sum())
assert int(got["zero"][0]) == nzero, (got["zero"], nzero)
print(f"{year}: sums of T, FD, VA equal numpy's; {nzero} zero-output sectors")
PYEOF
done
