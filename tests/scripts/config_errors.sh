#!/usr/bin/env bash
# Config validation (issue 2): every bad config is one clear error naming the
# file, the line or key, exit code 1, and nothing is written. Bad data files
# and the output checks are in malformed.sh.
set -euo pipefail
T=$TMPDIR
base() { cat <<INI
[data]
format = mrio-tsv
path = data/wiod2013
prefix = WIOD2013
years = 2011
[model]
focal = CHN
[estimate]
models = none
[output]
file = $T/out/out.h5
tables = $T/out/tables
INI
}
n=0
expect() { # expect NAME PATTERN : config on stdin must fail with PATTERN
  local name=$1 pat=$2
  cat > "$T/$name.ini"
  set +e; out=$("$BIN" run "$T/$name.ini" 2>&1); rc=$?; set -e
  if [[ $rc != 1 ]] || ! grep -q -- "$pat" <<<"$out"; then
    echo "case $name: exit $rc, expected 1 and /$pat/; got:"; echo "$out"; exit 1
  fi
  [[ $(grep -c '^silkflow: error: ' <<<"$out") == 1 ]] || { echo "case $name: not exactly one error line:"; echo "$out"; exit 1; }
  [[ ! -e $T/out ]] || { echo "case $name wrote output"; exit 1; }
  n=$((n + 1))
}
base | sed 's/^years = 2011/years = 2011\ncolour = blue/' | expect unknown_key "$T/unknown_key.ini: line 6: \[data\] unknown key 'colour'"
base | sed 's/^\[model\]/[modle]/' | expect unknown_section "unknown section \[modle\]"
base | sed 's/^years = 2011/years = 2011-2009/' | expect bad_years "\[data\] years = '2011-2009'"
base | sed 's/^years = 2011/years = 1890/' | expect year_range "out of range \[1900, 2100\]"
base | sed 's/^years = 2011/years = 2030/' | expect missing_year "no data for 2030"
base | sed 's|^path = data/wiod2013|path = data/nonexistent|' | expect missing_path "\[data\] path = 'data/nonexistent': no such file or directory"
base | sed 's/^format = mrio-tsv/format = xlsx/' | expect bad_choice "must be one of eora26|mrio-tsv"
base | sed 's/^focal = CHN/focal = XYZ/' | expect bad_focal "focal = XYZ: no such region"
base | sed 's/^\[model\]/[model]\npartners = nofile.txt/' | expect missing_partners "partners = 'nofile.txt': no such file"
base | sed 's/^\[estimate\]/[compute]\nblock = 0\n[estimate]/' | expect bad_block "block = '0': out of range"
base | sed 's/^\[estimate\]/[compute]\nstore_leontief = maybe\n[estimate]/' | expect bad_bool "must be true or false"
base | sed 's/^years = 2011/years = 2011\nyears = 2010/' | expect twice "given twice"
base | sed 's/^years = 2011/just some text/' | expect syntax "syntax.ini: line 5: syntax error"
base | sed '/^years/d' | expect required "\[data\] years is required"
printf 'ZZZ # comment\n1abc\n' > "$T/badpartners.txt"
base | sed "s|^\[model\]|[model]\npartners = $T/badpartners.txt|" | expect bad_partner_line "badpartners.txt: line 2"
# --years overrides, a bad --years is an error too
base > "$T/ok.ini"
set +e; out=$("$BIN" run "$T/ok.ini" --years 20x1 2>&1); rc=$?; set -e
[[ $rc == 1 ]] && grep -q -- "--years '20x1'" <<<"$out" || { echo "$out"; exit 1; }
echo "$n bad configs rejected with their file and line or key"
