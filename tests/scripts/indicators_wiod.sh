#!/usr/bin/env bash
# Issue 4 on real data: the WIOD 2011 run's B, VBY, WWZ identity and the
# panel indicators (IC, IIn, ITR, ITR1, RVC, INC, GVC_P, routes) against an
# independent dense numpy computation of METHODS.md from the raw tables
# (zero-output sectors and negative final demand included); and the
# value-added networks (flows, density, strengths, PageRank by a direct
# linear solve) against the year's country matrices.
set -euo pipefail
py=/usr/bin/python3
$py -c 'import networkx' 2>/dev/null || { echo "no networkx for /usr/bin/python3 (Debian python3-networkx, make deps)"; exit 77; }
T=$TMPDIR
cat > "$T/w.ini" <<INI
[data]
format = mrio-tsv
path = data/wiod2013
prefix = WIOD2013
years = 2011
[model]
focal = CHN
partners = configs/countries/bri-wiod.txt
industries = 3-16
tech_high = 8-15
[compute]
store_leontief = true
[estimate]
models = none
[output]
file = $T/w/out.h5
tables = $T/w/tables
INI
"$BIN" run "$T/w.ini" --quiet --no-lag
$py tests/scripts/hetero_check.py data/wiod2013 WIOD2013 2011 - CHN "$(grep -v '^#' configs/countries/bri-wiod.txt | awk '{print $1}' | paste -sd,)" "$T/w/out.h5"
$py tests/scripts/network_check.py "$T/w/out.h5" 2011 CHN configs/countries/bri-wiod.txt 0.001
