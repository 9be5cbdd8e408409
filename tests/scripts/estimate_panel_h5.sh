#!/usr/bin/env bash
# The one /panel reader (io/h5.c sf_h5_read_frame, include/silkflow/h5.h) on a
# panel written by h5py, not by silkflow: the column order is the "columns"
# attribute, then creation order; fixed-length strings are trimmed (the firm
# names are padded with blanks in half the rows: untrimmed they would be 20
# clusters, not 10); a netCDF pure dimension (/panel/row) and a compound
# dataset are skipped; a 2-D dataset and unequal lengths fail naming the file
# and the dataset. The Grunfeld model through the file gives the CSV's
# clustered t statistic 6.5391 (0.41380183 / 0.06328129, estimate_cli.sh).
set -uo pipefail
py=/usr/bin/python3
$py -c 'import h5py, numpy' 2>/dev/null || { echo "no h5py for /usr/bin/python3 (Debian python3-h5py)"; exit 77; }
T=$TMPDIR
fail() { echo "FAIL: $*"; exit 1; }
G=tests/data/reference/econ/grunfeld.csv
$py - "$G" "$T/p.h5" "$T/p2d.h5" "$T/plen.h5" <<'PY' || fail "writing the h5py panels"
import sys, csv, h5py, numpy as np
rows = list(csv.DictReader(open(sys.argv[1])))
n = len(rows)
firm = [r["firm"] + (" " if i % 2 else "") for i, r in enumerate(rows)]
with h5py.File(sys.argv[2], "w", track_order=True) as f:
    g = f.create_group("panel", track_order=True)
    g["year"] = np.array([int(float(r["year"])) for r in rows], dtype=np.int32)
    g["firm"] = np.array(firm, dtype="S24")
    g["invest"] = np.array([float(r["invest"]) for r in rows])
    g["capital"] = np.array([float(r["capital"]) for r in rows])
    g["row"] = np.zeros(n, dtype="f4")
    g["row"].attrs["NAME"] = np.bytes_("This is a netCDF dimension but not a netCDF variable%10d" % n)
    g["cmp"] = np.zeros(n, dtype=[("a", "f8"), ("b", "i4")])
    g.attrs["columns"] = ["capital", "invest"]
for path, extra in ((sys.argv[3], np.zeros((n, 2))), (sys.argv[4], np.zeros(n + 1))):
    with h5py.File(path, "w") as f:
        f["panel/invest"] = np.array([float(r["invest"]) for r in rows])
        f["panel/bad"] = extra
PY
printf '[g]\nformula = invest ~ capital | firm + year\nvcov = cluster(firm)\nbootstrap = none\n' > "$T/g.models"
out=$("$BIN" estimate --panel "$T/p.h5" --models "$T/g.models" --no-write 2>&1) || fail "estimate --panel on the h5py file: $out"
echo "$out" | grep -q "\[6.5391\]" || fail "t statistic through HDF5 is not the CSV's 6.5391: $out"
"$BIN" inspect "$T/p.h5" --panel-csv "$T/p.csv" > /dev/null || fail "inspect --panel-csv on the h5py file"
h=$(head -1 "$T/p.csv")
[[ $h == capital,invest,year,firm ]] || fail "column order $h, expected capital,invest,year,firm (attribute, then creation order)"
$py - "$G" "$T/p.csv" <<'PY' || exit 1
import sys, csv
a = list(csv.DictReader(open(sys.argv[1]))); b = list(csv.DictReader(open(sys.argv[2])))
for r, s in zip(a, b):
    if r["firm"] != s["firm"] or float(r["invest"]) != float(s["invest"]) or int(float(r["year"])) != int(float(s["year"])):
        print(f"FAIL: panel CSV row {s} differs from {r}"); sys.exit(1)
if len(a) != len(b): print(f"FAIL: {len(b)} rows, expected {len(a)}"); sys.exit(1)
PY
"$BIN" estimate --panel "$T/p2d.h5" --models "$T/g.models" --no-write > "$T/e1.log" 2>&1 && fail "a 2-D /panel dataset accepted"
grep -q "p2d.h5: /panel/bad is not a 1-D dataset" "$T/e1.log" || fail "2-D dataset: $(cat "$T/e1.log")"
"$BIN" inspect "$T/plen.h5" --panel-csv "$T/x.csv" > "$T/e2.log" 2>&1 && fail "unequal /panel lengths accepted"
grep -q "plen.h5: /panel/invest has 200 rows, the other columns 201" "$T/e2.log" || fail "unequal lengths: $(cat "$T/e2.log")"
echo "estimate_panel_h5: ok (t 6.5391 through an h5py panel; order, trimming, skips, errors)"
