#!/usr/bin/env bash
# The report (issue 7) end to end on three WIOD 2013 years (+ the lag year):
# `silkflow run` writes report.md, report.html and the figures; every file they
# name exists, PNGs decode (zlib) and are not blank, SVGs are well-formed XML
# with drawing elements, report.html references only existing relative paths;
# the numbers of the report and the data of the figures agree with h5py/numpy
# on the results file (tests/scripts/report_check.py). Then `silkflow report`
# on modified copies: without gnuplot (report written, says so), with no usable
# panel/network data (figures skipped with reasons, no crash), with /estimates
# (the coefficient figure), and the error cases.
set -euo pipefail
py=/usr/bin/python3
$py -c 'import h5py, numpy' 2>/dev/null || { echo "no h5py/numpy for /usr/bin/python3"; exit 77; }
command -v gnuplot >/dev/null || { echo "gnuplot not installed (Debian gnuplot-nox)"; exit 77; }
d=$TMPDIR
source tests/lib.sh
wiod_run_ini "$d/r.ini" 2009-2011 "$d/out" none report
"$BIN" run "$d/r.ini" > "$d/run.log"
grep -q '^report     .*res-report/report.html .* 8 figures drawn, 1 skipped' "$d/run.log"
R=$d/out/res-report
[[ -s $R/report.md && -s $R/report.html ]]
$py tests/scripts/report_check.py files "$R"
$py tests/scripts/report_check.py numbers "$R" "$d/out/res.h5"
grep -q 'No estimation in this run' "$R/report.md"

# [output] report = false: no report
sed 's/^\[output\]/[output]\nreport = false/' "$d/r.ini" | sed "s#$d/out/#$d/out2/#" > "$d/r2.ini"
"$BIN" run "$d/r2.ini" --quiet
[[ -f $d/out2/res.h5 && ! -e $d/out2/res-report ]]

# re-rendering is deterministic apart from nothing: same report.md twice
"$BIN" report "$d/out/res.h5" --out "$d/again" --quiet
"$BIN" report "$d/out/res.h5" --out "$d/again2" --quiet
cmp <(sed 's#again2#again#g' "$d/again2/report.md") "$d/again/report.md"
cmp "$d/again/figures/network.gp" "$d/again2/figures/network.gp"

# without gnuplot: explicit path that does not exist, and an empty PATH
SF_GNUPLOT=/nonexistent/gnuplot "$BIN" report "$d/out/res.h5" --out "$d/nogp" > "$d/nogp.log" 2>&1
grep -q 'SF_GNUPLOT=/nonexistent/gnuplot is not an executable file' "$d/nogp/report.md"
$py tests/scripts/report_check.py nogp "$d/nogp"
env -u SF_GNUPLOT PATH=/nonexistent "$BIN" report "$d/out/res.h5" --out "$d/nogp2" --quiet 2> "$d/nogp2.log"
grep -q 'gnuplot is not installed' "$d/nogp2/report.md"
grep -q 'warning: report: gnuplot is not installed' "$d/nogp2.log"
$py tests/scripts/report_check.py nogp "$d/nogp2"

# missing data: the indicators and routes all NaN, no /network; a previous
# report in the same directory must not leave stale images behind
cp "$d/out/res.h5" "$d/nan.h5"
$py - "$d/nan.h5" <<'PY'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r+") as f:
    for c in ("IC", "IIn", "IIH", "ITR", "ITR_FIN", "ITR_INT", "ITR_INTREX_b", "ITR_INT_d", "ITR_INTREX_d"):
        for name in (c, c + "_raw"):
            if name in f["panel"]:
                f["panel/" + name][...] = np.nan
    del f["network"]
PY
"$BIN" report "$d/out/res.h5" --out "$d/nanrep" --quiet
"$BIN" report "$d/nan.h5" --out "$d/nanrep" --quiet
$py tests/scripts/report_check.py nan "$d/nanrep"
$py tests/scripts/report_check.py files "$d/nanrep"

# estimates: two hand-made models (one with a bootstrap CI, one first stage)
cp "$d/out/res.h5" "$d/est.h5"
$py - "$d/est.h5" <<'PY'
import sys, h5py, numpy as np
s = h5py.string_dtype()
with h5py.File(sys.argv[1], "r+") as f:
    def model(name, coef, b, key, role, table, dep, boot):
        g = f.create_group("estimates/" + name)
        g["coef"] = np.array(coef, dtype=object).astype(s)
        b = np.array(b, float); se = np.abs(b) / 2 + 0.01
        for k, v in (("b", b), ("se", se), ("t", b / se), ("p", np.full(len(b), 0.04)),
                     ("ci_lo", b - 2 * se), ("ci_hi", b + 2 * se)):
            g[k] = v
        nanv = np.full(len(b), np.nan)
        bl, bh, bp = nanv.copy(), nanv.copy(), nanv.copy()
        if boot:
            bl[0], bh[0], bp[0] = b[0] - 3 * se[0], b[0] + 3 * se[0], 0.03
        g["boot_ci_lo"], g["boot_ci_hi"], g["boot_p"] = bl, bh, bp
        for k, v in (("key_coef", key), ("role", role), ("table", table), ("depvar", dep), ("formula", "y ~ x")):
            g.attrs[k] = v
        g.attrs["N"] = 600; g.attrs["r2"] = 0.5
    model("t2_1", ["ITR"], [0.25], "ITR", "model", "table2", "IC", True)
    model("t2_4", ["ITR", "GVC_P"], [0.3, -0.1], "ITR", "model", "table2", "IC", False)
    model("t3_7", ["L.ITR"], [0.2], "L.ITR", "model", "table3", "IIn", True)
    model("t5_19", ["LF"], [1.5], "LF", "first_stage", "table5", "ITR", False)
PY
mkdir -p "$d/esttab"
printf '### Table 2: Benchmark regression\n\n| | (1) | (2) |\n| :--- | ---: | ---: |\n| ITR | 0.2500** | 0.3000** |\n| | [2.1] | [2.2] |\n\n' > "$d/esttab/table2.md"
"$BIN" report "$d/est.h5" --out "$d/estrep" --tables "$d/esttab" --quiet
$py tests/scripts/report_check.py estimates "$d/estrep" "$d/est.h5"
$py tests/scripts/report_check.py files "$d/estrep"
grep -q '^### Table 2: Benchmark regression' "$d/estrep/report.md"
grep -q 'Tables not found.*table3' "$d/estrep/report.md"
grep -q '<td style="text-align:right">0.2500\*\*</td>' "$d/estrep/report.html"

# errors: no file, not HDF5, incomplete results file, bad option
set +e
"$BIN" report "$d/none.h5" 2> "$d/e1"; r1=$?
"$BIN" report "$d/r.ini" 2> "$d/e2"; r2=$?
cp "$d/out/res.h5" "$d/partial.h5"
$py -c 'import sys,h5py; f=h5py.File(sys.argv[1],"r+"); f.attrs["status"]="partial"' "$d/partial.h5"
"$BIN" report "$d/partial.h5" 2> "$d/e3"; r3=$?
"$BIN" report "$d/out/res.h5" --bogus 2> "$d/e4"; r4=$?
"$BIN" report "$d/out/res.h5" --tables "$d/nosuchdir" 2> "$d/e5"; r5=$?
set -e
[[ $r1 == 1 && $r2 == 1 && $r3 == 1 && $r4 == 1 && $r5 == 1 ]] || { echo "exit codes $r1 $r2 $r3 $r4 $r5"; exit 1; }
grep -q 'none.h5' "$d/e1"
grep -q 'not a complete silkflow results file (status "partial")' "$d/e3"
grep -q "unknown option '--bogus'" "$d/e4"
"$BIN" report --help | grep -q 'usage: silkflow report FILE.h5'
echo "report_render: ok"
