#!/usr/bin/env bash
# silkflow estimate from the command line: --help, a reference model through
# the CLI (Grunfeld, clustered: SE 0.06328129), and user errors that exit 1
# with one message naming the file, the line and the offending token.
set -uo pipefail
cd "$(dirname "$0")/../.."
T=${TMPDIR:-/tmp}
fail() { echo "FAIL: $*"; exit 1; }
G=tests/data/reference/econ/grunfeld.csv

"$BIN" estimate --help | grep -q -- "--models JOB" || fail "--help"

cat > "$T/g.models" <<'M'
[g]
formula = invest ~ capital | firm + year
vcov = cluster(firm)
bootstrap = none
M
out=$("$BIN" estimate --csv $G --models "$T/g.models" --out "$T/gt") || fail "grunfeld run"
# --quiet prints nothing on stdout (the tables still go to --out)
q=$("$BIN" estimate --csv $G --models "$T/g.models" --out "$T/gq" --quiet) || fail "grunfeld run --quiet"
[[ -z $q && -s $T/gq/g.txt ]] || fail "--quiet printed $(echo "$q" | wc -l) line(s) or wrote no table"
# t = 0.41380183 / 0.06328129 = 6.5391
echo "$out" | grep -q "\[6.5391\]" || fail "grunfeld t statistic: $out"
[[ -s $T/gt/g.csv && -s $T/gt/g.tex ]] || fail "tables not written"
# --vcov replaces the models file's: two-way firm + year (Gmin rule) SE 0.06041290
# (REFERENCE.md), t = 0.41380183 / 0.06041290 = 6.8496, with 10 x 20 clusters noted
out=$("$BIN" estimate --csv $G --models "$T/g.models" --vcov "cluster(firm, year)") || fail "--vcov run"
echo "$out" | grep -q "\[6.8496\]" || fail "--vcov cluster(firm, year) t statistic: $out"
echo "$out" | grep -q "clusters 10 x 20" || fail "--vcov: number of clusters not stated: $out"

expect_err() { # expected-substring... -- args
  local want=() ; while [[ $1 != -- ]]; do want+=("$1"); shift; done; shift
  local msg rc
  msg=$("$BIN" estimate "$@" 2>&1 >/dev/null); rc=$?
  [[ $rc == 1 ]] || fail "exit $rc (want 1) for: $* : $msg"
  [[ $(echo "$msg" | grep -c "silkflow: error:") == 1 ]] || fail "not one error line: $msg"
  for w in "${want[@]}"; do [[ $msg == *"$w"* ]] || fail "message lacks '$w': $msg"; done
}
expect_err "--vcov: bad vcov 'clus(x'" -- --csv $G --models "$T/g.models" --vcov "clus(x"
printf '[g]\nformula = invest ~ capital | firm + year\nvcov = cluster(firm)\ncolour = blue\n' > "$T/bad1.models"
expect_err "$T/bad1.models:4:" "unknown key 'colour'" -- --csv $G --models "$T/bad1.models"
printf '[g]\n\nformula = invest ~ capital + nothere | firm\n' > "$T/bad2.models"
expect_err "$T/bad2.models:3:" "'nothere'" -- --csv $G --models "$T/bad2.models"
printf '[g]\nformula = invest ~ capital | firm\nvcov = cluster(firm, year, value)\n' > "$T/bad3.models"
expect_err "$T/bad3.models:3:" "cluster" -- --csv $G --models "$T/bad3.models"
printf '[g]\nformula = invest ~ capital ++ value\n' > "$T/bad4.models"
expect_err "$T/bad4.models:2:" "empty term" -- --csv $G --models "$T/bad4.models"
printf '[g]\nformula = invest ~ capital | firm\n' > "$T/bad5.models"
expect_err "$T/bad5.models" "pair" -- --csv $G --models "$T/bad5.models"
expect_err "none.csv" "cannot open" -- --csv "$T/none.csv" --models "$T/g.models"
expect_err "--models" -- --csv $G
expect_err "unknown option '--frobnicate'" -- --csv $G --models "$T/g.models" --frobnicate
expect_err "--bootstrap" -- --csv $G --models "$T/g.models" --bootstrap -3
expect_err "--ssc" "weird" -- --csv $G --models "$T/g.models" --ssc "stata weird"
printf '[g]\nformula = invest ~ L.capital | firm\nvcov = iid\n' > "$T/bad6.models"
expect_err "bad6.models:2:" "panel unit (needed by L.)" -- --csv $G --models "$T/bad6.models"
echo ok
