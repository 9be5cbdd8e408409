#!/usr/bin/python3
"""Are two silkflow results files the same results?

usage: compare.py A B [--rtol R]

Every dataset of A is in B and the other way round, with the same shape,
dtype kind and values (NaN equals NaN; |a - b| <= rtol * max(|a|, |b|) for
floats, rtol 0 = bitwise), and every /years/YYYY has status "complete" in
both. Attributes that describe the run rather than its results (times, ranks,
grid, config text, creation time) are not compared. Files that are not HDF5
(the stand-in binary's) are compared byte for byte. Exit 0 same, 1 different.
"""
import sys

import numpy as np


STATS = {"maxrel": 0.0}


def is_hdf5(path):
    with open(path, "rb") as f:
        return f.read(8) == b"\x89HDF\r\n\x1a\n"


def datasets(f):
    # /provenance/timings records how long each year took: it differs between runs by nature
    out = {}
    f.visititems(lambda name, obj: out.__setitem__(name, obj)
                 if hasattr(obj, "shape") and name != "provenance/timings" else None)
    return out


def same_values(a, b, rtol):
    if a.dtype.kind in "fc" or b.dtype.kind in "fc":
        a = a.astype(np.float64)
        b = b.astype(np.float64)
        nan = np.isnan(a) & np.isnan(b)
        diff = np.abs(a - b)
        tol = rtol * np.maximum(np.abs(a), np.abs(b))
        ok = nan | (diff <= tol) | (a == b)
        if ok.all():
            both = ~nan
            if both.any():
                rel = diff[both] / np.maximum(np.maximum(np.abs(a[both]), np.abs(b[both])), 1e-300)
                STATS["maxrel"] = max(STATS["maxrel"], float(rel.max()))
            return True, ""
        bad = ~ok
        rel = diff[bad] / np.maximum(np.maximum(np.abs(a[bad]), np.abs(b[bad])), 1e-300)
        return False, f"{bad.sum()} value(s) differ, max relative difference {rel.max():.3g}"
    if a.shape != b.shape or not np.array_equal(a, b):
        return False, "values differ"
    return True, ""


def main():
    args = sys.argv[1:]
    rtol = 0.0
    if "--rtol" in args:
        i = args.index("--rtol")
        rtol = float(args[i + 1])
        del args[i : i + 2]
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    pa, pb = args
    if not (is_hdf5(pa) and is_hdf5(pb)):
        same = open(pa, "rb").read() == open(pb, "rb").read()
        print("same bytes" if same else f"{pa} and {pb} differ")
        return 0 if same else 1
    import h5py

    problems = []
    with h5py.File(pa, "r") as fa, h5py.File(pb, "r") as fb:
        da, db = datasets(fa), datasets(fb)
        for name in sorted(set(da) ^ set(db)):
            problems.append(f"{name}: only in {pa if name in da else pb}")
        for name in sorted(set(da) & set(db)):
            a, b = da[name][()], db[name][()]
            a, b = np.asarray(a), np.asarray(b)
            if a.shape != b.shape:
                problems.append(f"{name}: shape {a.shape} vs {b.shape}")
                continue
            ok, why = same_values(a, b, rtol)
            if not ok:
                problems.append(f"{name}: {why}")
        for f, p in ((fa, pa), (fb, pb)):
            for y in f.get("years", {}):
                st = f["years"][y].attrs.get("status", b"")
                st = st.decode() if isinstance(st, bytes) else str(st)
                if st != "complete":
                    problems.append(f"{p}: /years/{y} status '{st}'")
        n = len(set(da) & set(db))
    maxrel = STATS["maxrel"]
    exact = maxrel == 0.0
    if problems:
        print(f"{len(problems)} difference(s):")
        for p in problems[:20]:
            print("  " + p)
        return 1
    how = "bitwise identical" if exact else f"within rtol {rtol:g}, max relative difference {maxrel:.3g}"
    print(f"same results: {n} datasets, {how}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
