#!/usr/bin/env bash
# silkflow tables (issue 15): the regression tables re-rendered from
# /estimates are byte-identical to the ones the estimation stage wrote (the
# paper's models with a bootstrap, IV, mediation, a hidden first stage and a
# two-way cluster), and the models file's [tables] and [labels] change them
# as documented (checked against the estimates read with h5py).
set -euo pipefail
py=/usr/bin/python3
$py -c 'import h5py, numpy' 2>/dev/null || { echo "no h5py for /usr/bin/python3 (Debian python3-h5py)"; exit 77; }
d=$TMPDIR
fail() { echo "FAIL $*"; exit 1; }
cat > "$d/m.models" <<'M'
[x_hide]
formula = IC ~ GVC_P | industry + year | ITR ~ LF
first_stage = hide
vcov = cluster(partner, year)
bootstrap = none
table = extra
title = Extra: hidden first stage, two-way clusters
M
cat jobs/hu2023.models >> "$d/m.models"
source tests/lib.sh
paper_ini "$d/x.ini" 2010-2011 19 "$d/m.models" "$d/out"
run_ok "$d/x.ini" "$d/run.log" || exit 1
# 1. the same bytes, from the results file alone
"$BIN" tables "$d/out/res.h5" --out "$d/re" --quiet || fail "silkflow tables failed"
n=0
for f in "$d"/out/tables/table*.* "$d"/out/tables/extra.*; do
    cmp -s "$f" "$d/re/$(basename "$f")" || fail "tables: $(basename "$f") differs from the estimate stage's: $(diff "$f" "$d/re/$(basename "$f")" | head -3)"
    n=$((n + 1))
done
(( n == 48 )) || fail "expected 12 tables x 4 formats, compared $n files"
grep -q 'bootstrap: WRE' "$d/re/table5.txt" || fail "table5 lost its WRE bootstrap note"
grep -q 'clusters [0-9]* x [0-9]*' "$d/re/extra.txt" || fail "extra: two-way cluster counts missing"
! grep -q 'First stage' "$d/re/extra.txt" || fail "the hidden first stage is shown"
# printed text = the .txt files in order
"$BIN" tables "$d/out/res.h5" > "$d/printed.txt" 2> /dev/null
cat "$d/out/tables/extra.txt" "$d"/out/tables/table{2,3,4_1,4_2,5,6,7,8,9,10,9a}.txt | cmp -s - "$d/printed.txt" ||
    fail "printed tables differ from the .txt files"
# 2. the style: se in parentheses, 3 digits, two star levels, labels
cat > "$d/style.models" <<'M'
[tables]
coefstat = se
digits = 3
stars = 0.05, 0.01
[labels]
ITR = "Industrial transfer"
IC = "Integration"
industry = "Industry FE"
[t2_1]
formula = IC ~ ITR | industry + partner + year
table = table2
M
"$BIN" tables "$d/out/res.h5" --models "$d/style.models" --out "$d/st" --quiet || fail "tables --models style"
$py - "$d/out/res.h5" "$d/st/table2.csv" "$d/st/table2.txt" <<'PY' || exit 1
import sys, csv, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
g = f["estimates/t2_1"]
coef = [c.decode() if isinstance(c, bytes) else c for c in g["coef"][()]]
k = coef.index("ITR")
b, se, p = g["b"][k], g["se"][k], g["p"][k]
stars = "**" if p < 0.01 else "*" if p < 0.05 else ""
rows = list(csv.reader(open(sys.argv[2])))
row = next(i for i, r in enumerate(rows) if r[0] == "Industrial transfer")
want = (f"{b:.3f}{stars}", f"({se:.3f})")
got = (rows[row][1], rows[row + 1][1])
if got != want:
    print(f"FAIL style: ITR of t2_1 prints {got}, expected {want} (b {b}, se {se}, p {p})"); sys.exit(1)
if rows[1][1] != "Integration":
    print(f"FAIL style: depvar label {rows[1][1]!r}"); sys.exit(1)
if not any(r[0] == "Industry FE" for r in rows):
    print("FAIL style: fixed-effect label not used"); sys.exit(1)
txt = open(sys.argv[3]).read()
if "Notes: Standard errors in parentheses; * p<0.05, ** p<0.01." not in txt:
    print("FAIL style: first note: " + txt.split("Notes: ")[1].splitlines()[0]); sys.exit(1)
r2 = next(r for r in rows if r[0] == "R2")[1]
if r2 != f"{g.attrs['r2']:.3f}":
    print(f"FAIL style: R2 {r2!r} with digits = 3"); sys.exit(1)
PY
# coefstat = ci and stars = none
sed 's/^coefstat = se/coefstat = ci/; s/^stars = .*/stars = none/' "$d/style.models" > "$d/ci.models"
"$BIN" tables "$d/out/res.h5" --models "$d/ci.models" --out "$d/ci" --quiet || fail "tables --models ci"
$py - "$d/out/res.h5" "$d/ci/table2.csv" <<'PY' || exit 1
import sys, csv, h5py
g = h5py.File(sys.argv[1], "r")["estimates/t2_1"]
coef = [c.decode() if isinstance(c, bytes) else c for c in g["coef"][()]]
k = coef.index("ITR")
rows = list(csv.reader(open(sys.argv[2])))
row = next(i for i, r in enumerate(rows) if r[0] == "Industrial transfer")
want = (f"{g['b'][k]:.3f}", f"[{g['ci_lo'][k]:.3f}, {g['ci_hi'][k]:.3f}]")
if (rows[row][1], rows[row + 1][1]) != want:
    print(f"FAIL ci: {rows[row][1]!r} {rows[row + 1][1]!r}, expected {want}"); sys.exit(1)
if any("*" in c for r in rows for c in r[1:]):
    print("FAIL stars = none: a star printed"); sys.exit(1)
PY
grep -q '^Notes: 95% confidence intervals in brackets\.$' "$d/ci/table2.txt" || fail "ci note: $(grep Notes "$d/ci/table2.txt")"
# one renderer: estimate with the styled models file writes what tables writes
"$BIN" estimate --panel "$d/out/res.h5" --models "$d/style.models" --bootstrap 0 --no-write --out "$d/est" --quiet 2>/dev/null ||
    fail "estimate with [tables] and [labels]"
"$BIN" estimate --panel "$d/out/res.h5" --models "$d/style.models" --bootstrap 0 --out "$d/est2" --quiet 2>/dev/null
"$BIN" tables "$d/out/res.h5" --models "$d/style.models" --out "$d/st2" --quiet
cmp -s "$d/est/table2.txt" "$d/st2/table2.txt" || fail "estimate and tables render the styled table differently"
# 3. errors name the file and line
printf '[tables]\ncoefstat = z\n[a]\nformula = IC ~ ITR\n' > "$d/bad.models"
if "$BIN" tables "$d/out/res.h5" --models "$d/bad.models" > "$d/e1.log" 2>&1; then fail "coefstat = z accepted"; fi
grep -q 'bad.models:2.*coefstat' "$d/e1.log" || fail "coefstat error: $(cat "$d/e1.log")"
printf '[tables]\nstars = 0.01,0.05\n[a]\nformula = IC ~ ITR\n' > "$d/bad2.models"
if "$BIN" tables "$d/out/res.h5" --models "$d/bad2.models" > "$d/e2.log" 2>&1; then fail "ascending stars accepted"; fi
grep -q 'bad2.models:2' "$d/e2.log" || fail "stars error: $(cat "$d/e2.log")"
cp "$d/out/res.h5" "$d/old.h5"
$py -c 'import h5py,sys; del h5py.File(sys.argv[1],"r+")["estimates"].attrs["models"]' "$d/old.h5"
if "$BIN" tables "$d/old.h5" > "$d/e3.log" 2>&1; then fail "a file without the layout accepted"; fi
grep -q "old.h5: /estimates has no attribute 'models'" "$d/e3.log" || fail "old file: $(cat "$d/e3.log")"
echo "tables_rerender: ok ($n files identical)"
