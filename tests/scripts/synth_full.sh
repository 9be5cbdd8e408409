#!/usr/bin/env bash
# silkflow synth at full Eora26 size (defaults: 190 regions, 4915 rows, 1140 FD
# columns, 2619 satellite rows): one year, dimensions of every member counted.
set -euo pipefail
PY=/usr/bin/python3
$PY -c 'import zipfile' 2>/dev/null || { echo "skip: /usr/bin/python3 is missing"; exit 77; }
"$BIN" synth --out "$TMPDIR/full" --years 2015 --seed 2
$PY tests/scripts/synth_check.py dims "$TMPDIR/full/Eora26_2015_bp.zip" 4915 1140 2619
cmp <(unzip -p "$TMPDIR/full/Eora26_2015_bp.zip" labels_T.txt) data/eora26-labels/labels_T.txt
cmp <(unzip -p "$TMPDIR/full/Eora26_2015_bp.zip" labels_FD.txt) data/eora26-labels/labels_FD.txt
echo "synth_full: ok"
