#!/usr/bin/env bash
# silkflow synth: option validation (exit 1 with a clear message and no output
# files), --help documenting every option, and the exit code of a good run.
set -uo pipefail
fails=0
expect_fail() { # expect_fail "message regex" args...
  local want=$1; shift
  local err rc
  err=$("$BIN" synth "$@" 2>&1 >/dev/null); rc=$?
  if [[ $rc != 1 ]]; then echo "FAIL: synth $* exited $rc (expected 1)"; fails=$((fails+1)); return; fi
  if ! grep -Eq -e "$want" <<<"$err"; then echo "FAIL: synth $*: message '$err' lacks /$want/"; fails=$((fails+1)); return; fi
  echo "ok: synth $* -> $(head -n1 <<<"$err")"
}
O=$TMPDIR/out
expect_fail "--out DIR is required" --regions 3
expect_fail "unknown option '--bogus'" --out "$O" --bogus
expect_fail "unexpected argument 'extra'" --out "$O" extra
expect_fail "--years" --out "$O" --years 2005-2003x
expect_fail "--years" --out "$O" --years abc
expect_fail "outside 1900-2100" --out "$O" --years 1850
expect_fail "--regions: expected an integer within 2-" --out "$O" --regions 1
expect_fail "--regions: expected an integer" --out "$O" --regions x
expect_fail "only 189 countries" --out "$O" --regions 191
expect_fail "--sectors: expected an integer" --out "$O" --sectors 0
expect_fail "has only 26 sectors" --out "$O" --regions 3 --sectors 27
expect_fail "--rows 5 is less than --regions 6" --out "$O" --regions 6 --rows 5
expect_fail "--rows: expected an integer within" --out "$O" --rows 99999999
expect_fail "exclude each other" --out "$O" --rows 100 --sectors 4
expect_fail "--seed: expected a non-negative integer" --out "$O" --seed -3
expect_fail "--seed: expected a non-negative integer" --out "$O" --seed 12abc
expect_fail "--digits: expected an integer within 3-17" --out "$O" --digits 2
expect_fail "--level" --out "$O" --level 10
expect_fail "--min-flow" --out "$O" --min-flow -1
expect_fail "--jobs" --out "$O" --jobs 0
expect_fail "only eora26" --out "$O" --format wiod
expect_fail "needs a value" --out "$O" --regions
expect_fail "takes no value" --out "$O" --crlf=1
expect_fail "--labels .*not a directory" --out "$O" --labels "$TMPDIR/nowhere" --regions 3 --sectors 2
mkdir -p "$TMPDIR/badlab"
expect_fail "labels_T.txt" --out "$O" --labels "$TMPDIR/badlab" --regions 3 --sectors 2
printf 'A\tAAA\tIndustries\n' >"$TMPDIR/badlab/labels_T.txt"
expect_fail "labels_T.txt:1: expected at least 4" --out "$O" --labels "$TMPDIR/badlab" --regions 3 --sectors 2
: >"$TMPDIR/file"
expect_fail "--out .*cannot create" --out "$TMPDIR/file/sub" --regions 3 --sectors 2 --years 2003
# nothing was written by the failures
if [[ -e $O && -n "$(ls -A "$O")" ]]; then echo "FAIL: files written by failed runs: $(ls -A "$O")"; fails=$((fails+1)); fi

# --help documents every option
help=$("$BIN" synth --help); rc=$?
[[ $rc == 0 ]] || { echo "FAIL: --help exited $rc"; fails=$((fails+1)); }
for opt in --out --format --regions --sectors --rows --years --seed --labels --digits --min-flow --level --crlf --jobs --serial --quiet --help; do
  grep -q -- "$opt" <<<"$help" || { echo "FAIL: --help lacks $opt"; fails=$((fails+1)); }
done

# a good run exits 0, --opt=value works, no temporary files are left
"$BIN" synth --out="$TMPDIR/ok" --regions=3 --sectors=2 --years=2003,2005 --seed=0x2a --quiet
rc=$?
[[ $rc == 0 ]] || { echo "FAIL: good run exited $rc"; fails=$((fails+1)); }
[[ "$(ls -A "$TMPDIR/ok" | tr '\n' ' ')" == "Eora26_2003_bp.zip Eora26_2005_bp.zip " ]] \
  || { echo "FAIL: output files: $(ls -A "$TMPDIR/ok")"; fails=$((fails+1)); }
[[ $fails == 0 ]] || { echo "$fails failure(s)"; exit 1; }
echo "synth_cli: ok"
