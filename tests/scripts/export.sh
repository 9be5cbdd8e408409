#!/usr/bin/env bash
# silkflow export (issue 15): tidy long CSV of a run on the shipped WIOD 2013
# tables, every file checked against h5py reading the same results file
# (tests/scripts/export_check.py: labels, values, row counts, WWZ term names
# and decompr's columns). The checker must reject a damaged export; bad
# arguments and an unwritable directory fail with a message naming them.
set -euo pipefail
py=/usr/bin/python3
$py -c 'import h5py, numpy, pandas' 2>/dev/null || { echo "no h5py/pandas for /usr/bin/python3 (Debian python3-h5py python3-pandas)"; exit 77; }
d=$TMPDIR
fail() { echo "FAIL $*"; exit 1; }
source tests/lib.sh
two_models "$d/m.models"
cat >> "$d/m.models" <<'M'
[m3]
formula = IC ~ GVC_P | industry + partner + year | ITR ~ LF
table = table5
title = Table 5: Endogeneity
M
wiod_run_ini "$d/x.ini" 2010-2011 "$d/out" "$d/m.models"
run_ok "$d/x.ini" "$d/run.log" || exit 1
"$BIN" export "$d/out/res.h5" --to "$d/csv" > "$d/export.log" 2>&1 || fail "export: $(tail -1 "$d/export.log")"
for f in wwz vax vby sector panel trade_groups trade_regions estimates; do
    [[ -s $d/csv/$f.csv ]] || fail "export wrote no $f.csv"
done
[[ ! -e $d/csv/wwz_sector.csv ]] || fail "wwz_sector.csv without store_wwz = sector"
! ls -a "$d/csv" | grep -q '\.tmp$' || fail "a temporary file is left in the export directory"
$py tests/scripts/export_check.py "$d/out/res.h5" "$d/csv" || exit 1
# the WWZ terms by exporting sector (store_wwz = sector), and --what
sed 's/^block = 64/block = 64\nstore_wwz = sector/; s#/out/#/out2/#; s/^years = .*/years = 2011/; s#^models = .*#models = none#' \
    "$d/x.ini" > "$d/x2.ini"
"$BIN" run "$d/x2.ini" --quiet --no-lag > "$d/run2.log" 2>&1 || fail "store_wwz = sector run: $(tail -1 "$d/run2.log")"
"$BIN" export "$d/out2/res.h5" --to "$d/csv2" --what=wwz,vax --quiet || fail "export --what wwz,vax"
[[ -s $d/csv2/wwz_sector.csv && -s $d/csv2/vax.csv && ! -e $d/csv2/vby.csv ]] || fail "--what wwz,vax wrote $(ls "$d/csv2")"
[[ -z $("$BIN" export "$d/out2/res.h5" --to "$d/csv3" --what vax --quiet 2>&1) ]] || fail "--quiet still prints"
$py tests/scripts/export_check.py "$d/out2/res.h5" "$d/csv2" wwz,vax || exit 1
# the checker notices one changed value and one changed term label
cp -r "$d/csv" "$d/bad"
sed -i '5s/,\([0-9.e+-]*\)$/,1\1/' "$d/bad/vax.csv"
if $py tests/scripts/export_check.py "$d/out/res.h5" "$d/bad" vax > "$d/bad.log" 2>&1; then fail "checker accepted a changed value"; fi
grep -q '^FAIL vax.csv' "$d/bad.log" || fail "checker: $(head -1 "$d/bad.log")"
sed -i '0,/RDV_INT/s//RDV_FIN/' "$d/bad/wwz.csv"
if $py tests/scripts/export_check.py "$d/out/res.h5" "$d/bad" wwz > "$d/bad.log" 2>&1; then fail "checker accepted a wrong term"; fi
# errors name the file or the argument
: > "$d/plainfile"
if "$BIN" export "$d/out/res.h5" --to "$d/plainfile/x" > "$d/e1.log" 2>&1; then fail "export into a file's subdirectory succeeded"; fi
grep -q "plainfile/x" "$d/e1.log" || fail "error does not name the directory: $(cat "$d/e1.log")"
if "$BIN" export "$d/out/res.h5" --to "$d/c4" --what wwz,bogus > "$d/e2.log" 2>&1; then fail "--what bogus accepted"; fi
grep -q "unknown kind 'bogus'" "$d/e2.log" || fail "--what bogus: $(cat "$d/e2.log")"
if "$BIN" export "$d/nope.h5" --to "$d/c5" > "$d/e3.log" 2>&1; then fail "a missing results file accepted"; fi
grep -q "nope.h5" "$d/e3.log" || fail "missing file not named: $(cat "$d/e3.log")"
if [[ $(id -u) != 0 ]]; then
    mkdir "$d/ro" && chmod 555 "$d/ro"
    if "$BIN" export "$d/out/res.h5" --to "$d/ro" --what vax > "$d/e4.log" 2>&1; then fail "export into a read-only directory"; fi
    grep -q "ro/.vax.csv.tmp" "$d/e4.log" || fail "unwritable: $(cat "$d/e4.log")"
fi
echo "export: ok ($(grep -c . "$d/csv/wwz.csv") wwz rows)"
