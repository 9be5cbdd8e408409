#!/usr/bin/env bash
# The results file opens as it is with xarray (engine h5netcdf, no phony_dims)
# and pandas (issue 15): a run on two WIOD 2013 years with two small models,
# then tests/scripts/xarray_open.py checks every dataset's units, dims,
# description and dimension scales, the coordinates against /labels, integer
# keys and one string type. The checker must reject a file with a missing
# attribute and one with an axis without a scale.
set -euo pipefail
py=/usr/bin/python3
$py -c 'import h5py, numpy, pandas, xarray, h5netcdf' 2>/dev/null ||
    { echo "no h5py/pandas/xarray/h5netcdf for /usr/bin/python3 (Debian python3-xarray python3-h5netcdf)"; exit 77; }
d=$TMPDIR
source tests/lib.sh
two_models "$d/m.models"
wiod_run_ini "$d/x.ini" 2010-2011 "$d/out" "$d/m.models"
run_ok "$d/x.ini" "$d/run.log" || exit 1
if grep -q 'no description for the dataset' "$d/run.log"; then
    echo "run: $(grep -m1 'no description' "$d/run.log")"; exit 1
fi
$py tests/scripts/xarray_open.py "$d/out/res.h5"
# estimate --panel rewrites /estimates: still described
"$BIN" estimate --panel "$d/out/res.h5" --models "$d/m.models" --quiet > /dev/null
$py tests/scripts/xarray_open.py "$d/out/res.h5" > /dev/null || { echo "after estimate --panel: not self-describing"; exit 1; }
# store_wwz = sector and store_leontief: wwz (exporter, importer, industry, term), leontief
sed 's/^block = 64/block = 64\nstore_wwz = sector\nstore_leontief = true/; s#/out/#/out3/#; s/^years = .*/years = 2011/' \
    "$d/x.ini" | sed 's#^models = .*#models = none#' > "$d/x3.ini"
"$BIN" run "$d/x3.ini" --quiet --no-lag > "$d/run3.log" 2>&1 || { echo "store_wwz = sector run failed: $(tail -1 "$d/run3.log")"; exit 1; }
! grep -m1 'no description for the dataset' "$d/run3.log" || exit 1
$py tests/scripts/xarray_open.py "$d/out3/res.h5" > /dev/null || { echo "store_wwz = sector file: not self-describing"; exit 1; }
$py -c 'import sys, xarray as xr; y = xr.open_dataset(sys.argv[1], group="years/2011", engine="h5netcdf")
assert y.wwz.dims == ("exporter", "importer", "industry", "term"), y.wwz.dims
assert y.leontief.dims == ("sector_code", "sector_code_to"), y.leontief.dims' "$d/out3/res.h5" ||
    { echo "wwz or leontief dims wrong"; exit 1; }
# the checker fails on a damaged copy
cp "$d/out/res.h5" "$d/bad.h5"
$py -c 'import h5py,sys; h5py.File(sys.argv[1],"r+")["years/2011/vax"].attrs.__delitem__("units")' "$d/bad.h5"
if $py tests/scripts/xarray_open.py "$d/bad.h5" > "$d/bad.log" 2>&1; then echo "checker accepted a dataset without units"; exit 1; fi
grep -q 'vax: no attribute units' "$d/bad.log" || { echo "checker: wrong complaint: $(head -1 "$d/bad.log")"; exit 1; }
cp "$d/out/res.h5" "$d/bad2.h5"
$py -c 'import h5py,sys; f=h5py.File(sys.argv[1],"r+"); f["years/2011/extra"]=[[1.0,2.0]]; d=f["years/2011/extra"]; d.attrs["units"]="1"; d.attrs["dims"]="a, b"; d.attrs["description"]="x"' "$d/bad2.h5"
if $py tests/scripts/xarray_open.py "$d/bad2.h5" > "$d/bad2.log" 2>&1; then echo "checker accepted an axis without a scale"; exit 1; fi
# --opt=value works like --opt value (every command; main.c splits it)
"$BIN" inspect "$d/out/res.h5" --panel-csv="$d/p1.csv" > /dev/null || { echo "inspect --panel-csv=FILE refused"; exit 1; }
"$BIN" inspect "$d/out/res.h5" --panel-csv "$d/p2.csv" > /dev/null
cmp -s "$d/p1.csv" "$d/p2.csv" || { echo "--panel-csv=FILE and --panel-csv FILE differ"; exit 1; }
# the panel's row axis (a dimension scale without data) is not a panel column for estimate
printf '[m]\nformula = IC ~ row | pair\n' > "$d/row.models"
if "$BIN" estimate --panel "$d/out/res.h5" --models "$d/row.models" --bootstrap 0 --no-write --quiet > "$d/row.log" 2>&1; then
    echo "estimate read /panel/row (an axis without data) as a column"; exit 1
fi
grep -q "row" "$d/row.log" || { echo "estimate on 'row': unexpected message: $(head -1 "$d/row.log")"; exit 1; }
# help cites files that exist in the repository
for c in run estimate inspect report synth tables export; do
    for ref in $("$BIN" $c --help | grep -oE '(docs/[a-z_]+|\b[A-Z]+)\.md' | sort -u); do
        [[ -f $ref || -f docs/$ref ]] || { echo "silkflow $c --help cites $ref, not in the repository"; exit 1; }
    done
done
echo "xarray_open: ok"
