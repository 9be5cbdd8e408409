"""h5_same.py A.h5 B.h5: two results files hold the same results to rounding.

Every dataset of A (the /years, /panel, /network and /trade ones; not
/provenance/timings) must be in B with the same shape; floats within 1e-12
relative to the value or to the dataset's largest magnitude (a WWZ term that is
a small difference of large flows carries the rounding of the large ones),
others equal. IIH and XT1 are 1/|delta - 1| and amplify rounding by up to 1e4
where delta is near 1 (the largest WIOD IIH is 4039): 1e-8 for them. Prints
the differences (exit 1) or the largest difference (exit 0). Used by
blas_kernel.sh (two BLAS kernels) and inverse_methods.sh (Gauss-Jordan and LU).
"""
import re, sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
names, bad, worst = [], [], (0.0, "")
a.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) and n != "provenance/timings" else None)
for n in names:
    if n not in b:
        bad.append(f"{n}: only in the first file"); continue
    x, y = a[n][()], b[n][()]
    if x.shape != y.shape:
        bad.append(f"{n}: shape {x.shape} vs {y.shape}"); continue
    if x.dtype.kind != "f":
        if not np.array_equal(x, y): bad.append(f"{n}: values differ")
        continue
    tol = 1e-8 if re.search(r"(^|/)(IIH|XT1)(_raw)?$", n) else 1e-12
    nan = np.isnan(x) & np.isnan(y)
    if (np.isnan(x) != np.isnan(y)).any():
        bad.append(f"{n}: NaN in one run only"); continue
    if nan.all(): continue
    scale = max(np.nanmax(np.abs(x)), np.nanmax(np.abs(y)))
    d = np.where(nan, 0.0, np.abs(x - y))
    ref = np.maximum(np.maximum(np.abs(x), np.abs(y)), scale)
    rel = np.where(nan, 0.0, d / np.where(ref > 0, ref, 1.0))
    if rel.max() > worst[0]: worst = (float(rel.max()), n)
    if (rel > tol).any(): bad.append(f"{n}: {(rel > tol).sum()} value(s) beyond {tol:g}, max {rel.max():.3g}")
if len(names) < 50: bad.append(f"only {len(names)} datasets")
for m in bad[:20]: print("  " + m)
if not bad: print(f"{len(names)} datasets the same, largest difference {worst[0]:.3g} ({worst[1]})")
sys.exit(1 if bad else 0)
