#!/usr/bin/env bash
# Bootstrap results do not depend on the number of MPI ranks: the same models
# (WCR drawn with Rademacher and Webb weights, WCR fully enumerated, pairs
# cluster bootstrap of a mediation indirect effect and of a key coefficient)
# estimated with 1, 2 and 3 ranks write bit-identical /estimates datasets.
set -euo pipefail
PY=/usr/bin/python3
$PY -c 'import numpy, h5py' 2>/dev/null || { echo "skip: needs python3-numpy and python3-h5py"; exit 77; }
command -v mpirun >/dev/null || { echo "skip: no mpirun"; exit 77; }
cd "$(dirname "$0")/../.."
T=${TMPDIR:-/tmp}
$PY tests/scripts/estimate_gen_panel.py "$T/p.csv" --partners 24 --seed 3 --h5 "$T/p.h5"
cat > "$T/m.models" <<'MODELS'
[defaults]
vcov = cluster(pair)
table = mpi
[w1]
formula = IC ~ ITR + GVC_P | industry + partner + year
boot_reps = 499
[w2]
formula = IIn ~ ITR + GVC_P | industry + partner + year
vcov = cluster(partner)
boot_reps = 1000
boot_weights = webb
[w3]
formula = IC ~ ITR + GVC_P | industry + year
vcov = cluster(industry)
[m1]
formula = IC ~ ITR + GVC_P | industry + partner + year
mediator = RVC
boot_reps = 199
[p1]
formula = IIH ~ ITR + POL | industry + partner + year
bootstrap = pairs
boot_reps = 99
MODELS
for np in 1 2 3; do
  cp "$T/p.h5" "$T/p$np.h5"
  tests/mpirun.sh $np "$BIN" estimate --panel "$T/p$np.h5" --models "$T/m.models" --out "$T/t$np" --quiet > "$T/out$np.txt"
done
$PY - "$T" <<'PY'
import sys, h5py, numpy as np
T = sys.argv[1]
def dump(path):
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                out[name] = obj[()]
            for k, v in obj.attrs.items():
                if k in ("DIMENSION_LIST", "REFERENCE_LIST"):
                    continue  # dimension scales: object addresses, file-specific
                out[name + "@" + k] = v
        f["estimates"].visititems(visit)
    return out
a = dump(T + "/p1.h5")
assert len(a) > 100, "too few results"
# the bootstrap ran: p-values and CIs present for the key coefficients
for m in ["w1", "w2", "w3", "m1", "p1"]:
    bp = a[m + "/boot_p"]
    assert np.isfinite(bp).sum() == 1, m
assert a["w3@boot_B"] == 256, a["w3@boot_B"]          # 2^8 <= 9999: enumeration
assert np.isfinite(a["m1@med_ci_lo"]) and a["m1@med_ci_lo"] < a["m1@med_indirect"] < a["m1@med_ci_hi"]
for np_ in (2, 3):
    b = dump(T + "/p%d.h5" % np_)
    assert a.keys() == b.keys(), "different datasets with %d ranks" % np_
    for k in a:
        x, y = a[k], b[k]
        if isinstance(x, np.ndarray) and x.dtype.kind == "f":
            assert np.array_equal(x, y, equal_nan=True), "%s differs with %d ranks" % (k, np_)
        elif isinstance(x, (float, np.floating)):
            assert (x == y) or (np.isnan(x) and np.isnan(y)), "%s differs with %d ranks: %r %r" % (k, np_, x, y)
        else:
            assert np.all(x == y), "%s differs with %d ranks" % (k, np_)
print("identical /estimates for 1, 2 and 3 ranks:", len(a), "items")
PY
[[ ! -s $T/out1.txt ]] || { echo "estimate --quiet printed on stdout"; exit 1; }
diff -r "$T/t1" "$T/t2"
diff -r "$T/t1" "$T/t3"
echo ok
