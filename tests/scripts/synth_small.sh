#!/usr/bin/env bash
# silkflow synth: a small release (5 countries x 4 sectors + ROW, 3 years) checked
# member by member with numpy (layout, real labels, balance, A column sums,
# zero-output sectors, negative P.52/D.39, satellite rows); determinism: same
# seed -> byte-identical zips, a year written alone -> the same bytes, another
# seed -> other data; --crlf, --digits, --quiet and running from another directory.
set -euo pipefail
PY=/usr/bin/python3
$PY -c 'import numpy' 2>/dev/null || { echo "skip: /usr/bin/python3 with numpy is missing"; exit 77; }
ROOT=$PWD
BIN=$(realpath "${BIN:-bin/silkflow}")
CHECK="$PY $ROOT/tests/scripts/synth_check.py"
LAB=$ROOT/data/eora26-labels
cd "$TMPDIR"

"$BIN" synth --out a --regions 6 --sectors 4 --years 2003-2005 --seed 11 >log.txt
cat log.txt
[[ $(grep -c '^synth 200[345] ' log.txt) == 3 ]] || { echo "expected one progress line per year"; exit 1; }
[[ "$(ls -A a | tr '\n' ' ')" == "Eora26_2003_bp.zip Eora26_2004_bp.zip Eora26_2005_bp.zip " ]] \
  || { echo "unexpected files in the output: $(ls -A a)"; exit 1; }
for y in 2003 2004 2005; do $CHECK full a/Eora26_${y}_bp.zip "$LAB" 6 4; done

# same seed: byte-identical; one year alone (other order): identical too
"$BIN" synth --out b --regions 6 --sectors 4 --years 2003-2005 --seed 11 --quiet >log2.txt
[[ ! -s log2.txt ]] || { echo "--quiet printed something"; exit 1; }
"$BIN" synth --out c --regions 6 --sectors 4 --years 2004 --seed 11 --quiet
for y in 2003 2004 2005; do cmp a/Eora26_${y}_bp.zip b/Eora26_${y}_bp.zip; done
cmp a/Eora26_2004_bp.zip c/Eora26_2004_bp.zip
# threads (--jobs) give the same bytes
"$BIN" synth --out j --regions 6 --sectors 4 --years 2003-2005 --seed 11 --quiet --jobs 2
for y in 2003 2004 2005; do cmp a/Eora26_${y}_bp.zip j/Eora26_${y}_bp.zip; done
# formatting on the deflating thread (--serial) gives the same bytes as the pipeline
"$BIN" synth --out k --regions 6 --sectors 4 --years 2003-2005 --seed 11 --quiet --serial
for y in 2003 2004 2005; do cmp a/Eora26_${y}_bp.zip k/Eora26_${y}_bp.zip; done

# another seed: other data, same labels
"$BIN" synth --out d --regions 6 --sectors 4 --years 2003-2005 --seed 12 --quiet
for y in 2003 2004 2005; do
  if cmp -s a/Eora26_${y}_bp.zip d/Eora26_${y}_bp.zip; then echo "seed 12 gave the same zip as seed 11"; exit 1; fi
  for m in T FD VA Q; do
    if [[ $(unzip -p a/Eora26_${y}_bp.zip Eora26_${y}_bp_$m.txt | md5sum) == \
          $(unzip -p d/Eora26_${y}_bp.zip Eora26_${y}_bp_$m.txt | md5sum) ]]; then
      echo "seed 12: $m of $y equals seed 11's"; exit 1
    fi
  done
  cmp <(unzip -p a/Eora26_${y}_bp.zip labels_T.txt) <(unzip -p d/Eora26_${y}_bp.zip labels_T.txt)
done
$CHECK full d/Eora26_2005_bp.zip "$LAB" 6 4

# years differ from each other and grow on average
$PY - <<'PY'
import zipfile, numpy as np
tot = []
for y in (2003, 2004, 2005):
    z = zipfile.ZipFile(f"a/Eora26_{y}_bp.zip")
    T = np.loadtxt(z.open(f"Eora26_{y}_bp_T.txt"))
    F = np.loadtxt(z.open(f"Eora26_{y}_bp_FD.txt"))
    tot.append(T.sum() + F.sum())
print("world output by year", tot)
assert len(set(tot)) == 3, "years are identical"
assert all(0.7 < b / a < 1.5 for a, b in zip(tot, tot[1:])), "implausible year-to-year change"
PY

# CRLF line ends, fewer digits, a larger release; labels found from another directory
"$BIN" synth --out e --regions 9 --sectors 26 --years 2010 --seed 3 --crlf --digits 6 --quiet
$CHECK full e/Eora26_2010_bp.zip "$LAB" 9 26 --crlf --digits 6
"$BIN" synth --out f --labels "$LAB" --regions 9 --sectors 26 --years 2010 --seed 3 --crlf --digits 6 --quiet
cmp e/Eora26_2010_bp.zip f/Eora26_2010_bp.zip
# dense (--min-flow 0) and very sparse (--min-flow 1e9) releases stay balanced with A well inside
"$BIN" synth --out g --regions 6 --sectors 4 --years 2021 --seed 4 --min-flow 0 --quiet
$CHECK full g/Eora26_2021_bp.zip "$LAB" 6 4
"$BIN" synth --out h --regions 6 --sectors 4 --years 2021 --seed 4 --min-flow 1e9 --quiet
$CHECK full h/Eora26_2021_bp.zip "$LAB" 6 4
echo "synth_small: ok"
