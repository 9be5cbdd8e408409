#!/usr/bin/env bash
# The trade stage end to end on two WIOD 2013 years (+ the lag year): /trade
# against a numpy recomputation from the /years data of the same results file
# (tests/scripts/trade_check.py), with the covariate sources (BRI/FTA groups,
# cross-checked with the BRI signatories file and the panel's BRI/FTA), then
# without them and with a user CSV that supplies BRI only (FTA unavailable).
set -euo pipefail
py=/usr/bin/python3
$py -c 'import h5py, numpy' 2>/dev/null || { echo "no h5py/numpy for /usr/bin/python3"; exit 77; }
d=$TMPDIR
cfg() { # $1 = the [covariates] section
  cat <<INI
[data]
format = mrio-tsv
path = data/wiod2013
prefix = WIOD2013
years = 2010-2011
[model]
focal = CHN
partners = configs/countries/bri-wiod.txt
industries = 3-16
tech_high = 8-15
d3_after = 2010
[covariates]
$1
[compute]
block = 64
[estimate]
models = none
[output]
file = $d/out.h5
tables = $d/tables
INI
}
cfg "sources = data/covariates" > "$d/a.ini"
"$BIN" run "$d/a.ini" > "$d/a.log"
grep -q '^trade      Gross exports of CHN' "$d/a.log"
grep -q '^trade      Value-added exports (VAX) of CHN' "$d/a.log"
grep -q '^trade      Mean annual growth by group of CHN, before and after 2010' "$d/a.log"
for ext in txt md csv; do [[ -s $d/tables/trade.$ext ]]; done
$py tests/scripts/trade_check.py "$d/out.h5" configs/countries/bri-wiod.txt 3-16 8-15 2010 sources \
    data/covariates/bri_signatories_nedopil2023.csv "$d/tables/trade.csv" "$d/a.log"
# trade.txt and trade.md render the same grids (report/tables.c, the one text-table
# renderer): each Markdown table laid out again here in fixed width (the first
# column left-aligned, the others right-aligned, two spaces apart) is the .txt's
$py - "$d/tables/trade.md" "$d/tables/trade.txt" <<'PY'
import sys
md, txt = open(sys.argv[1]).read(), open(sys.argv[2]).read()
want, n = [], 0
for block in md.split("\n\n**")[1:]:
    title, _, body = block.partition("**\n\n")
    rows = [[c.strip() for c in l.strip().strip("|").split(" | ")] for l in body.splitlines() if l.startswith("|")]
    rows = [r for i, r in enumerate(rows) if i != 1]  # the rule
    assert len({len(r) for r in rows}) == 1, f"trade.md: {title}: rows of unequal length"
    w = [max(len(r[j]) for r in rows) for j in range(len(rows[0]))]
    want += [title] + ["  ".join(c.ljust(w[j]) if j == 0 else c.rjust(w[j]) for j, c in enumerate(r)) for r in rows] + [""]
    n += 1
got = txt.split("\n")[2:]
for i, (a, b) in enumerate(zip(want, got)):
    if a != b: sys.exit(f"FAIL trade.txt line {i + 3}: {b!r}, the Markdown table gives {a!r}")
if len(got) != len(want) + 1 or n < 20: sys.exit(f"FAIL trade.txt has {len(got)} lines after the head, {len(want)} expected ({n} tables)")
PY
# the network's regional groups come from the same covariate group as /trade/regions
if $py -c 'import networkx' 2>/dev/null; then
  $py tests/scripts/network_check.py "$d/out.h5" 2011 CHN configs/countries/bri-wiod.txt 0.001
fi

printf 'iso3,year,BRI\nRUS,2009,0\nRUS,2010,1\nRUS,2011,1\nTUR,2009,0\nTUR,2010,1\nTUR,2011,1\nIND,2010,0\n' > "$d/user.csv"
cfg "file = $d/user.csv" > "$d/b.ini"
"$BIN" run "$d/b.ini" > "$d/b.log"
grep -q 'FTA not available' "$d/b.log"
$py tests/scripts/trade_check.py "$d/out.h5" configs/countries/bri-wiod.txt 3-16 8-15 2010 nosources "$d/user.csv" "$d/tables/trade.csv" "$d/b.log"
