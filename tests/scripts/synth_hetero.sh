#!/usr/bin/env bash
# silkflow synth --rows: heterogeneous releases (regions with different sector
# counts, 'Sector k' labels, real region names/blocks) with the right total rows,
# varying counts, and the same accounting checks as the homogeneous case.
set -euo pipefail
PY=/usr/bin/python3
$PY -c 'import numpy' 2>/dev/null || { echo "skip: /usr/bin/python3 with numpy is missing"; exit 77; }
ROOT=$PWD
CHECK="$PY $ROOT/tests/scripts/synth_check.py"
LAB=$ROOT/data/eora26-labels

"$BIN" synth --out "$TMPDIR/h" --regions 25 --rows 700 --years 2012 --seed 5
$CHECK full "$TMPDIR/h/Eora26_2012_bp.zip" "$LAB" 25 0 --rows 700
# the counts: total 700, ROW 1, countries differ, a few detailed tables
unzip -p "$TMPDIR/h/Eora26_2012_bp.zip" labels_T.txt | cut -f2 | uniq -c | awk '
  { n[NR] = $1; tot += $1 } END {
    if (tot != 700 || NR != 25 || n[NR] != 1) { print "bad counts: total " tot ", regions " NR ", ROW " n[NR]; exit 1 }
    mx = 0; for (i = 1; i < NR; i++) { if (n[i] > mx) mx = n[i]; c26 += n[i] == 26 }
    if (mx < 60 || c26 < 5) { print "counts not Eora-like: max " mx ", 26-sector countries " c26; exit 1 }
    print "counts ok: max " mx ", 26-sector countries " c26 }'
# block column: real release's 'Commodities' for CHN etc. (first 25 include none) -> all Industries here;
# a release reaching CHN has both
"$BIN" synth --out "$TMPDIR/k" --regions 45 --rows 1200 --years 2012 --seed 5 --quiet
blocks=$(unzip -p "$TMPDIR/k/Eora26_2012_bp.zip" labels_T.txt | cut -f3 | sort -u | tr '\n' ' ')
[[ $blocks == "Commodities Industries " ]] || { echo "blocks: $blocks"; exit 1; }
unzip -p "$TMPDIR/k/Eora26_2012_bp.zip" labels_T.txt | grep -q $'^China\tCHN\tCommodities\tSector 1\t$'
[[ $(unzip -p "$TMPDIR/k/Eora26_2012_bp.zip" labels_T.txt | wc -l) == 1200 ]]
$CHECK dims "$TMPDIR/k/Eora26_2012_bp.zip" 1200 270 2619
# same seed, same bytes; --rows and --sectors exclude each other
"$BIN" synth --out "$TMPDIR/h2" --regions 25 --rows 700 --years 2012 --seed 5 --quiet
cmp "$TMPDIR/h/Eora26_2012_bp.zip" "$TMPDIR/h2/Eora26_2012_bp.zip"
echo "synth_hetero: ok"
