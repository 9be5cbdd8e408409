#!/usr/bin/env python3
"""Checks the CSV files of `silkflow export` against h5py reading the same
results file (tests/scripts/export.sh): every row, label and value (exactly:
%.17g round-trips), the row counts, the WWZ term names and decompr's columns
as docs/output.md lists them. Prints one FAIL line and exits 1 on the first
difference."""
import sys, os
import h5py, numpy as np, pandas as pd

WWZ = ["DVA_FIN", "DVA_INT", "DVA_INTrexI1", "DVA_INTrexF", "DVA_INTrexI2", "RDV_FIN", "RDV_FIN2", "RDV_INT",
       "DDC_FIN", "DDC_INT", "MVA_FIN", "OVA_FIN", "MVA_INT", "OVA_INT", "MDC", "ODC"]
DECOMPR = [1, 2, 3, 4, 5, 7, 8, 6, 13, 14, 10, 9, 12, 11, 16, 15]   # docs/output.md


def fail(msg):
    print("FAIL " + msg)
    sys.exit(1)


def s(a):
    return [x.decode() if isinstance(x, bytes) else str(x) for x in a]


def read(path):
    return pd.read_csv(path, keep_default_na=False, na_values=[""], dtype=str)


def num(col):
    return col.astype(float).to_numpy()  # exact (pandas' own parser may round the last digit)


def same(name, got, want):
    got, want = np.asarray(got, dtype=float).ravel(), np.asarray(want, dtype=float).ravel()
    if got.shape != want.shape:
        fail(f"{name}: {got.size} values, the .h5 has {want.size}")
    bad = ~((got == want) | (np.isnan(got) & np.isnan(want)))
    if bad.any():
        i = int(np.argmax(bad))
        fail(f"{name}: value {i} is {got[i]!r}, the .h5 has {want[i]!r}")


def labels(name, got, want):
    got, want = list(got), list(want)
    if got != want:
        i = next((k for k, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
        fail(f"{name}: label {i} is {got[i] if i < len(got) else None!r}, expected {want[i] if i < len(want) else None!r}")


def grid(*axes):
    """the labels of every element of an array with these axes, row-major"""
    mesh = np.meshgrid(*[np.arange(len(a)) for a in axes], indexing="ij")
    return [np.asarray(a, dtype=object)[m.ravel()] for a, m in zip(axes, mesh)]


def check_years(f, d, csv, ds, cols, extra=None):
    path = os.path.join(d, csv)
    years = [y for y in sorted(f["years"]) if ds in f["years"][y]]
    if not years:
        if os.path.exists(path):
            fail(f"{csv}: written, but no year has {ds}")
        return 0
    df = read(path)
    labels(csv + " header", list(df.columns), ["year"] + cols + ["value"])
    n = 0
    for y in years:
        g = f["years"][y]
        a = g[ds][()]
        sub = df[df.year == y]
        if len(sub) != a.size:
            fail(f"{csv}: {len(sub)} rows for {y}, {ds} has {a.size} values")
        axes = [s(g[c][()]) if c != "industry" else [str(int(v)) for v in g[c][()]]
                for c in cols if c != "decompr_column"]
        for c, lab in zip([c for c in cols if c != "decompr_column"], grid(*axes)):
            labels(f"{csv} {y} {c}", sub[c], lab)
        if "term" in cols:
            labels(f"{csv} {y} term names", s(g["term"][()]), WWZ)
            dc = list(g[ds].attrs["decompr_column"])
            labels(f"{csv} {y} decompr_column attribute", [int(x) for x in dc], DECOMPR)
            labels(f"{csv} {y} decompr_column", sub.decompr_column.astype(int), np.tile(DECOMPR, a.size // 16))
        same(f"{csv} {y}", num(sub.value), a)
        n += a.size
    if len(df) != n:
        fail(f"{csv}: {len(df)} rows, expected {n}")
    return n


def check_sector(f, d):
    df = read(os.path.join(d, "sector.csv"))
    n = 0
    for y in sorted(f["years"]):
        g = f["years"][y]
        names = [v for v in ("x", "va", "exports") if v in g] + sorted(g["sector"])
        for v in names:
            a = (g[v] if v in ("x", "va", "exports") else g["sector"][v])[()]
            sub = df[(df.year == y) & (df.variable == v)]
            labels(f"sector.csv {y} {v} sector_code", sub.sector_code, s(g["sector_code"][()]))
            same(f"sector.csv {y} {v}", num(sub.value), a)
            n += a.size
    if len(df) != n:
        fail(f"sector.csv: {len(df)} rows, expected {n}")
    return n


def check_panel(f, d):
    df = read(os.path.join(d, "panel.csv"))
    p = f["panel"]
    cols = s(p.attrs["columns"])
    keys = [c for c in cols if p[c].dtype.kind in "OSU" or c in ("year", "industry")]
    vars_ = [c for c in cols if c not in keys]
    labels("panel.csv header", list(df.columns), keys + ["variable", "value"])
    nrow = p[cols[0]].shape[0]
    if len(df) != nrow * len(vars_):
        fail(f"panel.csv: {len(df)} rows, expected {nrow} x {len(vars_)}")
    for v in vars_:
        sub = df[df.variable == v]
        same(f"panel.csv {v}", num(sub.value), p[v][()])
    for k in keys:
        a = p[k][()]
        want = [str(int(x)) for x in a] if a.dtype.kind == "f" else s(a)
        got = list(df[df.variable == vars_[0]][k].fillna(""))
        labels(f"panel.csv key {k}", got, want)
    return len(df)


def check_trade(f, d):
    n = 0
    files = sorted(x for x in os.listdir(d) if x.startswith("trade_"))
    seen = set()
    for fn in files:
        df = read(os.path.join(d, fn))
        part = next(p for p in sorted(f["trade"], key=len, reverse=True)
                    if isinstance(f["trade"][p], h5py.Group) and fn[6:].startswith(p))
        g = f["trade"][part]
        dims = list(df.columns[1:-1])
        for v in df.variable.unique():
            ds = g[v]
            want_dims = [x.strip() for x in ds.attrs["dims"].split(",")]
            labels(f"{fn} {v} axes", dims, want_dims)
            sub = df[df.variable == v]
            a = ds[()]
            for c, lab in zip(dims, grid(*[coord(f, g, c) for c in dims])):
                labels(f"{fn} {v} {c}", sub[c], lab)
            same(f"{fn} {v}", num(sub.value), a)
            n += a.size
            seen.add((part, v))
    for part in f["trade"]:
        if not isinstance(f["trade"][part], h5py.Group):
            continue
        for v, ds in f["trade"][part].items():
            dims = [x.strip() for x in ds.attrs.get("dims", "").split(",")]
            if ds.dtype.kind in "OSU" or "dims" not in ds.attrs or dims == [v] or (part, v) in seen:
                continue
            fail(f"trade: /trade/{part}/{v} not exported")
    return n


def coord(f, g, name):
    nm = g[name].attrs.get("NAME", b"") if name in g else b""
    nm = nm.decode() if isinstance(nm, bytes) else str(nm)
    if name in g and not nm.startswith("This is a netCDF dimension"):
        a = g[name][()]
    elif name in f["trade"]:
        a = f["trade"][name][()]
    else:
        a = f["labels"][name + "_code"][()]
    return [str(int(x)) if isinstance(x, (float, np.floating)) and float(x).is_integer() else
            (x.decode() if isinstance(x, bytes) else str(x)) for x in a]


def check_estimates(f, d):
    df = read(os.path.join(d, "estimates.csv"))
    e = f["estimates"]
    models = s(e.attrs["models"])
    n = 0
    for m in models:
        g = e[m]
        sub = df[df.model == m]
        labels(f"estimates.csv {m} terms", sub.term, s(g["coef"][()]))
        for c in ("b", "se", "t", "p", "ci_lo", "ci_hi"):
            same(f"estimates.csv {m} {'coef' if c == 'b' else c}", num(sub["coef" if c == "b" else c]), g[c][()])
        if (num(sub.nobs) != g.attrs["N"]).any():
            fail(f"estimates.csv {m}: nobs differs from N")
        ncl = int(g.attrs["n_clusters"])
        got = sub.clusters.fillna("0").astype(int).to_numpy()
        if (got != ncl).any():
            fail(f"estimates.csv {m}: clusters {got[0]}, the .h5 has {ncl}")
        labels(f"estimates.csv {m} table", sub.table, [g.attrs["table"]] * len(sub))
        labels(f"estimates.csv {m} vcov", sub.vcov, [g.attrs["vcov"]] * len(sub))
        n += len(sub)
    if len(df) != n:
        fail(f"estimates.csv: {len(df)} rows, the listed models have {n} coefficients")
    return n


def main():
    h5, d = sys.argv[1], sys.argv[2]
    kinds = sys.argv[3].split(",") if len(sys.argv) > 3 else ["wwz", "vax", "vby", "sector", "panel", "trade",
                                                               "estimates"]
    f = h5py.File(h5, "r")
    counts = {}
    if "wwz" in kinds:
        counts["wwz"] = check_years(f, d, "wwz.csv", "wwz_country", ["exporter", "importer", "term", "decompr_column"])
        counts["wwz_sector"] = check_years(f, d, "wwz_sector.csv", "wwz",
                                           ["exporter", "importer", "industry", "term", "decompr_column"])
    if "vax" in kinds:
        counts["vax"] = check_years(f, d, "vax.csv", "vax", ["exporter", "importer"])
    if "vby" in kinds:
        counts["vby"] = check_years(f, d, "vby.csv", "vby", ["sector_code", "importer"])
    if "sector" in kinds:
        counts["sector"] = check_sector(f, d)
    if "panel" in kinds:
        counts["panel"] = check_panel(f, d)
    if "trade" in kinds:
        counts["trade"] = check_trade(f, d)
    if "estimates" in kinds:
        counts["estimates"] = check_estimates(f, d)
    print("export_check: ok " + " ".join(f"{k}={v}" for k, v in counts.items()))


main()
