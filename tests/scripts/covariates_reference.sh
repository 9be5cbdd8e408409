#!/usr/bin/env bash
# Covariates against an independent Python implementation of the documented
# rules (tests/scripts/covariates_ref.py): every cell of the frame for
# (1) CHN x the 64 BRI countries x 1993-2024 and (2) USA x a list of awkward
# codes (Eora's SUD SDS USR ANT, CEPII's COD/COG trap, ROM, Kosovo, Taiwan,
# Curacao, ROW, lower case) x 1993-2024, to 1e-12.
set -euo pipefail
PY=/usr/bin/python3
[[ -x $PY ]] && $PY -c 'import numpy' 2>/dev/null || { echo "skip: /usr/bin/python3 with numpy not available"; exit 77; }
T=$BUILD/tests/test_covariates
[[ -x $T ]] || { echo "missing $T (make check builds it)"; exit 1; }
W=${TMPDIR:-/tmp}
"$T" --dump "$W/bri64.csv" CHN configs/countries/bri64.txt 1993 2024 >"$W/bri64.report"
$PY tests/scripts/covariates_ref.py data/covariates CHN configs/countries/bri64.txt 1993 2024 "$W/bri64.csv"
printf '%s\n' SUD SDS USR ANT COD COG ROM TWN HKG CHN DEU XKX SSD MAC MNE SRB IND CUW ROW sgp >"$W/odd.txt"
"$T" --dump "$W/odd.csv" USA "$W/odd.txt" 1993 2024 >"$W/odd.report"
$PY tests/scripts/covariates_ref.py data/covariates USA "$W/odd.txt" 1993 2024 "$W/odd.csv"
# the report lists the partners absent from a source
grep -q "POL: no data in WGIData.csv for USR" "$W/odd.report"
grep -q "CUL: group means used" "$W/bri64.report"
echo "covariates: C and Python agree"
