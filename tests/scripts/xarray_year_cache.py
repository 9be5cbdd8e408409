"""A year cache file (<output>.years/YYYY.h5) opens as it is in xarray
(h5netcdf, no phony_dims), like the results file (issue 15): every dataset
of /years/YYYY and /rows has units, dims and description attributes and one
dimension scale per axis; the coordinates carry the labels of the results
file's /labels; the units are the table's. Usage:
xarray_year_cache.py CACHE.h5 YEAR RESULTS.h5"""
import sys
import warnings

import h5py
import numpy as np
import xarray as xr

from nc_layout import check_described, variables

path, year, results = sys.argv[1], sys.argv[2], sys.argv[3]
fails = []


def check(ok, msg):
    if not ok:
        fails.append(msg)


with h5py.File(path, "r") as f:
    datasets = variables(f)
    check(len(datasets) > 40, f"only {len(datasets)} datasets")
    for name in datasets:
        check_described(f, name, check)
    vax = f[f"years/{year}/vax"][()]
    rows_itr = f["rows/ITR"][()]
with h5py.File(results, "r") as r:
    regions = [s.decode() for s in r["labels/region_code"][()]]
    codes = [f"{regions[g]}.{i}" for g, i in zip(r["labels/sector_region"][()], r["labels/sector_industry"][()])]
    units = r.attrs["units"]
    vax_res = r[f"years/{year}/vax"][()]
check(np.array_equal(vax, vax_res), "the cache's vax differs from the results file's")

with warnings.catch_warnings():
    warnings.simplefilter("error")  # e.g. duplicate dimension names
    for g in (f"years/{year}", f"years/{year}/sector", "rows"):
        try:
            xr.open_dataset(path, group=g, engine="h5netcdf").load()
        except Exception as ex:  # noqa: BLE001
            fails.append(f"xarray cannot open group {g}: {type(ex).__name__}: {ex}")
    ds = xr.open_dataset(path, group=f"years/{year}", engine="h5netcdf")
    check(list(ds["exporter"].values) == regions, "exporter coordinate != /labels/region_code")
    check(list(ds["importer"].values) == regions, "importer coordinate != /labels/region_code")
    check(list(ds["sector_code"].values) == codes, "sector_code coordinate != region_code.industry")
    check(ds["vax"].dims == ("exporter", "importer"), f"vax dims {ds['vax'].dims}")
    check(ds["vax"].attrs.get("units") == units, f"vax units {ds['vax'].attrs.get('units')!r} != {units!r}")
    check(ds["x"].dims == ("sector_code",) and ds["x"].attrs["units"] == units, "x dims or units")
    check(ds["wwz_country"].dims == ("exporter", "importer", "term"), f"wwz_country dims {ds['wwz_country'].dims}")
    check(ds["term"].values[5] == "RDV_FIN", f"term T6 is {ds['term'].values[5]}")
    check(float(ds["vax"].sel(exporter=regions[0], importer=regions[1])) == vax[0, 1], "vax.sel disagrees with h5py")
    s = xr.open_dataset(path, group=f"years/{year}/sector", engine="h5netcdf")
    check(s["dva"].attrs.get("units") == units and "DVA" in s["dva"].attrs.get("description", ""), "sector/dva attributes")
    rows = xr.open_dataset(path, group="rows", engine="h5netcdf")
    check(set(rows.dims) == {"row"}, f"rows dims {dict(rows.dims)}")
    check(rows["ITR"].attrs.get("units") == units, f"rows ITR units {rows['ITR'].attrs.get('units')!r}")
    check(rows["year"].attrs.get("units") == "year" and int(rows["year"].values[0]) == int(year), "rows year")
    check(isinstance(rows["partner"].values[0], str), f"rows partner comes as {type(rows['partner'].values[0])}")
    check(np.allclose(rows["ITR"].values, rows_itr, equal_nan=True), "rows ITR differs from h5py")

if fails:
    print(f"xarray_year_cache: {len(fails)} problem(s); first: {fails[0]}")
    for m in fails[1:10]:
        print("  " + m, file=sys.stderr)
    sys.exit(1)
print(f"xarray_year_cache: {len(datasets)} datasets of {path} described and opened")
