"""The results file opens as it is in xarray (h5netcdf, no phony_dims) and
pandas (issue 15): every dataset has units, dims and description attributes
and a dimension scale per axis; the coordinates carry the labels of /labels;
year and industry are integers; every string is variable-length UTF-8; the
WWZ terms name their decompr columns. Usage: xarray_open.py FILE.h5"""
import sys
import warnings

import h5py
import numpy as np
import pandas as pd
import xarray as xr

from nc_layout import check_described, variables

path = sys.argv[1]
fails = []


def check(ok, msg):
    if not ok:
        fails.append(msg)


with h5py.File(path, "r") as f:
    datasets = variables(f)
    groups = {name.rsplit("/", 1)[0] if "/" in name else "" for name in datasets}
    check(len(datasets) > 200, f"only {len(datasets)} datasets")
    for name in datasets:
        check_described(f, name, check)
        d = f[name]
        if d.dtype.kind in "SO" or h5py.check_string_dtype(d.dtype):
            info = h5py.check_string_dtype(d.dtype)
            check(info is not None and info.length is None and info.encoding == "utf-8",
                  f"/{name}: string type {d.dtype} is not variable-length UTF-8")
        for k, v in d.attrs.items():
            if isinstance(v, (bytes, np.bytes_)) and k not in ("CLASS", "NAME"):
                fails.append(f"/{name}: attribute {k} is a fixed-length string")
    for k, v in f.attrs.items():
        check(not isinstance(v, (bytes, np.bytes_)), f"/: attribute {k} is a fixed-length string")
    check(f["panel/year"].dtype == np.int32, f"/panel/year is {f['panel/year'].dtype}")
    check(f["panel/industry"].dtype == np.int32, f"/panel/industry is {f['panel/industry'].dtype}")
    regions = [s.decode() for s in f["labels/region_code"][()]]
    sreg = f["labels/sector_region"][()]
    sind = f["labels/sector_industry"][()]
    years = sorted(f["years"].keys())
    y = years[-1]
    vax = f[f"years/{y}/vax"][()]
    wwz = f[f"years/{y}/wwz_country"]
    names = list(wwz.attrs["term_names"])
    dcol = list(wwz.attrs["decompr_column"])
    decompr = ["DVA_FIN", "DVA_INT", "DVA_INTrexI1", "DVA_INTrexF", "DVA_INTrexI2", "RDV_INT", "RDV_FIN",
               "RDV_FIN2", "OVA_FIN", "MVA_FIN", "OVA_INT", "MVA_INT", "DDC_FIN", "DDC_INT", "ODC", "MDC"]
    check([decompr[c - 1] for c in dcol] == names, f"decompr_column {dcol} does not map {names}")
    check(names[5] == "RDV_FIN" and dcol[5] == 7, "T6 is not RDV_FIN = decompr column 7")
    wwz_us = wwz[regions.index("CHN"), regions.index("USA"), :] if "USA" in regions else None
    panel_cols = list(f["panel"].attrs["columns"])
    panel_h5 = {c: f["panel"][c][()] for c in panel_cols}
    units = f.attrs["units"]

with warnings.catch_warnings():
    warnings.simplefilter("error")  # e.g. duplicate dimension names
    for g in sorted(groups):
        if not g:
            continue
        try:
            ds = xr.open_dataset(path, group=g, engine="h5netcdf")
            ds.load()
        except Exception as ex:  # noqa: BLE001
            fails.append(f"xarray cannot open group {g}: {type(ex).__name__}: {ex}")

    ds = xr.open_dataset(path, group=f"years/{y}", engine="h5netcdf")
    check(list(ds["exporter"].values) == regions, "years exporter coordinate != /labels/region_code")
    check(list(ds["importer"].values) == regions, "years importer coordinate != /labels/region_code")
    codes = [f"{regions[r]}.{i}" for r, i in zip(sreg, sind)]
    check(list(ds["sector_code"].values) == codes, "sector_code coordinate != region_code.industry")
    check(ds["vax"].dims == ("exporter", "importer"), f"vax dims {ds['vax'].dims}")
    check(ds["vax"].attrs.get("units") == units, f"vax units {ds['vax'].attrs.get('units')!r} != {units!r}")
    check(ds["x"].dims == ("sector_code",) and ds["x"].attrs["units"] == units, "x dims or units")
    check(ds["vby"].dims == ("sector_code", "importer"), f"vby dims {ds['vby'].dims}")
    check(list(ds["term"].values) == names, "term coordinate != term_names")
    r0, r1 = regions[0], regions[1]
    check(float(ds["vax"].sel(exporter=r0, importer=r1)) == vax[0, 1], "vax.sel disagrees with h5py")
    if wwz_us is not None:
        v = ds["wwz_country"].sel(exporter="CHN", importer="USA", term="RDV_FIN").item()
        check(v == wwz_us[5], "wwz_country.sel(term='RDV_FIN') is not term T6")

    p = xr.open_dataset(path, group="panel", engine="h5netcdf")
    check(set(p.dims) == {"row"}, f"panel dims {dict(p.dims)}")
    df = p.to_dataframe()[panel_cols]
    check(isinstance(df, pd.DataFrame) and len(df) == len(panel_h5["year"]), "panel DataFrame size")
    check(df["year"].dtype.kind == "i" and df["industry"].dtype.kind == "i", f"panel key dtypes {df.dtypes[:3]}")
    check(isinstance(df["partner"].iloc[0], str), f"partner comes as {type(df['partner'].iloc[0])}")
    check(np.allclose(df["ITR"].to_numpy(), panel_h5["ITR"], equal_nan=True), "panel ITR differs from h5py")
    check(p["ITR"].attrs.get("units") == units and p["ITR"].attrs.get("description"), "panel ITR attributes")

    lab = xr.open_dataset(path, group="labels", engine="h5netcdf")
    check(lab["sector_name"].dims == ("sector_code",), f"labels sector_name dims {lab['sector_name'].dims}")
    check(list(lab["region_code"].values) == regions, "labels region_code")

    est = [g for g in groups if g.startswith("estimates/")]
    for g in est[:3]:
        e = xr.open_dataset(path, group=g, engine="h5netcdf")
        check(e["V"].dims == ("coef", "coef_to"), f"{g}: V dims {e['V'].dims}")
        check(isinstance(e["coef"].values[0], str), f"{g}: coef names are not str")

if fails:
    print(f"xarray_open: {len(fails)} problem(s); first: {fails[0]}")
    for m in fails[1:10]:
        print("  " + m, file=sys.stderr)
    sys.exit(1)
print(f"xarray_open: {len(datasets)} datasets in {len(groups)} groups described and opened")
