#!/usr/bin/env bash
# The per-year cache files describe themselves like the results file (issue
# 15): a run on two WIOD 2013 years, then tests/scripts/xarray_year_cache.py
# opens a cache file with xarray (h5netcdf) and checks every dataset's units,
# dims, description and scales, and the coordinates against the results
# file's /labels. A cache written by an older version (no attributes, no
# coordinates, fixed-length strings) is reused and gives the same results file
# (values, attributes and scales; only run provenance and timings differ); with
# another version it is recomputed, and then described.
set -euo pipefail
py=/usr/bin/python3
$py -c 'import h5py, numpy, xarray, h5netcdf' 2>/dev/null ||
    { echo "no h5py/xarray/h5netcdf for /usr/bin/python3 (Debian python3-xarray python3-h5netcdf)"; exit 77; }
d=$TMPDIR
. tests/lib.sh
wiod_run_ini "$d/x.ini" 2010-2011 "$d/out" none
"$BIN" run "$d/x.ini" --quiet --no-lag > "$d/a.log" 2>&1 || { echo "silkflow run failed: $(tail -1 "$d/a.log")"; exit 1; }
! grep -m1 'no description for the dataset' "$d/a.log" || exit 1
cache=$d/out/res.h5.years
$py tests/scripts/xarray_year_cache.py "$cache/2011.h5" 2011 "$d/out/res.h5"
$py tests/scripts/xarray_open.py "$d/out/res.h5" > /dev/null || { echo "results file from described caches: not self-describing"; exit 1; }
cp "$d/out/res.h5" "$d/a.h5"

# the cache as an older version wrote it
cat > "$d/old.py" <<'PY'
import sys, h5py, numpy as np
NOT_A_VAR = b"This is a netCDF dimension but not a netCDF variable"
for path in sys.argv[1:]:
    with h5py.File(path, "r+") as f:
        ds = []
        f.visititems(lambda n, o: ds.append(n) if isinstance(o, h5py.Dataset) else None)
        for n in ds:
            a = f[n].attrs
            for k in ("DIMENSION_LIST", "REFERENCE_LIST", "units", "description", "decompr_column"):
                if k in a: del a[k]
            if "dims" in a and not n.endswith("/wwz_country"): del a["dims"]
        for n in ds:
            base = n.rsplit("/", 1)[-1]
            if NOT_A_VAR in f[n].attrs.get("NAME", b"") or (n.startswith("years/") and base in
                    ("sector_code", "sector_code_to", "exporter", "importer", "term", "industry")):
                del f[n]
            elif "CLASS" in f[n].attrs:
                del f[n].attrs["CLASS"]; del f[n].attrs["NAME"]
        for n in list(f["rows"].keys()):
            d = f["rows"][n]
            if h5py.check_string_dtype(d.dtype):
                v = [s.encode() if isinstance(s, str) else s for s in d.asstr()[()]]
                del f["rows"][n]
                f["rows"].create_dataset(n, data=np.array(v, dtype=f"S{max(len(s) for s in v)}"))
        left = []
        f.visititems(lambda n, o: left.append(n) if isinstance(o, h5py.Dataset) and
                     ("units" in o.attrs or "DIMENSION_LIST" in o.attrs) else None)
        assert not left and "sector_code" not in f[f"years/{path[-7:-3]}"], left
        assert f["rows/partner"].dtype.kind == "S", f["rows/partner"].dtype
PY
$py "$d/old.py" "$cache/2010.h5" "$cache/2011.h5" || { echo "could not write the old-format cache"; exit 1; }
"$BIN" run "$d/x.ini" --no-lag > "$d/b.log" 2>&1 || { echo "run on old caches failed: $(tail -1 "$d/b.log")"; exit 1; }
n=$(grep -cE '^\[round [0-9]+/[0-9]+\] year [0-9]+ reuse ' "$d/b.log" || true)
[[ $n == 2 ]] || { echo "the old-format caches were not reused ($n of 2 years)"; exit 1; }
cat > "$d/same.py" <<'PY'
"""Same results file: every dataset (values, type), every attribute but run
provenance and timings, the scales of every axis."""
import sys, h5py, numpy as np
SKIP = {"created_utc", "git_revision", "config_file", "config_text", "config_sha256", "REFERENCE_LIST"}
def walk(f):
    out = {}
    f.visititems(lambda n, o: out.__setitem__(n, o) if not n.startswith("provenance") else None)
    out[""] = f
    return out
with h5py.File(sys.argv[1], "r") as a, h5py.File(sys.argv[2], "r") as b:
    A, B = walk(a), walk(b)
    assert A.keys() == B.keys(), sorted(set(A) ^ set(B))[:5]
    for n in A:
        x, y = A[n], B[n]
        if isinstance(x, h5py.Dataset):
            assert x.dtype == y.dtype and x.shape == y.shape, (n, x.dtype, y.dtype)
            u, v = x[()], y[()]
            ok = np.array_equal(u, v, equal_nan=True) if x.dtype.kind == "f" else np.array_equal(u, v)
            assert ok, f"/{n}: values differ"
            sa = [[s.name for s in x.dims[i].values()] for i in range(x.ndim)]
            sb = [[s.name for s in y.dims[i].values()] for i in range(y.ndim)]
            assert sa == sb, (n, sa, sb)
        ka = {k for k in x.attrs if k not in SKIP and not k.startswith("seconds")}
        kb = {k for k in y.attrs if k not in SKIP and not k.startswith("seconds")}
        assert ka == kb, (n, ka ^ kb)
        for k in ka - {"DIMENSION_LIST"}:
            u, v = x.attrs[k], y.attrs[k]
            assert np.array_equal(np.asarray(u), np.asarray(v), equal_nan=np.asarray(u).dtype.kind == "f"), f"/{n} attribute {k}: {u!r} != {v!r}"
print(f"same: {len(A)} objects")
PY
$py "$d/same.py" "$d/a.h5" "$d/out/res.h5" || { echo "results from old-format caches differ from those of described caches"; exit 1; }
# the checker of this test fails on an old-format cache
if $py tests/scripts/xarray_year_cache.py "$cache/2010.h5" 2010 "$d/out/res.h5" > "$d/c.log" 2>&1; then
    echo "xarray_year_cache.py accepted an old-format cache"; exit 1
fi
# another version: the year is recomputed, and its new cache file described
$py -c 'import h5py,sys; h5py.File(sys.argv[1],"r+")["years/2011"].attrs["version"]="0.0-old"' "$cache/2011.h5"
"$BIN" run "$d/x.ini" --no-lag > "$d/c.log" 2>&1 || { echo "run after a version change failed: $(tail -1 "$d/c.log")"; exit 1; }
grep -qE '^\[round [0-9]+/[0-9]+\] year 2011 read ' "$d/c.log" || { echo "2011 of another version was not recomputed"; exit 1; }
grep -qE '^\[round [0-9]+/[0-9]+\] year 2010 reuse ' "$d/c.log" || { echo "2010 was not reused"; exit 1; }
$py tests/scripts/xarray_year_cache.py "$cache/2011.h5" 2011 "$d/out/res.h5" > /dev/null ||
    { echo "the recomputed cache file is not described"; exit 1; }
$py tests/scripts/xarray_open.py "$d/out/res.h5" > /dev/null || { echo "results file from mixed caches: not self-describing"; exit 1; }
echo "xarray_year_cache: ok"
