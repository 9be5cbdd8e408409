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
# the network's regional groups come from the same covariate group as /trade/regions
if $py -c 'import networkx' 2>/dev/null; then
  $py tests/scripts/network_check.py "$d/out.h5" 2011 CHN configs/countries/bri-wiod.txt 0.001
fi

printf 'iso3,year,BRI\nRUS,2009,0\nRUS,2010,1\nRUS,2011,1\nTUR,2009,0\nTUR,2010,1\nTUR,2011,1\nIND,2010,0\n' > "$d/user.csv"
cfg "file = $d/user.csv" > "$d/b.ini"
"$BIN" run "$d/b.ini" > "$d/b.log"
grep -q 'FTA not available' "$d/b.log"
$py tests/scripts/trade_check.py "$d/out.h5" configs/countries/bri-wiod.txt 3-16 8-15 2010 nosources "$d/user.csv" "$d/tables/trade.csv" "$d/b.log"
