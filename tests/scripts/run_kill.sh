#!/usr/bin/env bash
# kill -9 and SIGTERM at named moments of a run (issue 12): while a year is
# read, inverted, decomposed or its cache file half-written, while the
# results file is assembled, during the estimation. The moments are hit with
# the SILKFLOW_TEST_PAUSE test hook (include/silkflow/common.h), not timing.
# After each: no year file with a final name is incomplete and there is no
# results file; SIGTERM exits 1 ("stopped by a signal") leaving no temporary
# file; then --resume reuses the completed years and gives results identical
# to an uninterrupted run (tests/slurm/compare.py: every dataset but the
# timings, bitwise; the tables byte for byte) and leaves no temporary file.
set -uo pipefail
py=/usr/bin/python3
cd "$(dirname "$0")/../.."
source tests/lib.sh
T=$TMPDIR
fail() { echo "FAIL: $*"; exit 1; }
$py -c 'import numpy, h5py' 2>/dev/null || { echo "skip: needs python3-numpy and python3-h5py"; exit 77; }
mkdir -p "$T/data"
cp data/wiod2013/WIOD2013_{2009,2010,2011}_bp.zip "$T/data/"
mk() { # mk NAME: a config writing into $T/NAME
  wiod_ini "$T/$1.ini" "$T/data" 2010-2011
  cat >> "$T/$1.ini" <<INI
[estimate]
models = jobs/hu2023.models
bootstrap = 9
[output]
file = $T/$1/out.h5
tables = $T/$1/tables
report = false
INI
}
check_cache() { # CASE: every year file with a final name is complete
  $py - "$T/k/out.h5.years" "$1" <<'PY' || exit 1
import glob, sys, h5py
for p in glob.glob(sys.argv[1] + "/*.h5"):
    with h5py.File(p, "r") as f:
        y = list(f["years"])[0]
        s = f["years"][y].attrs["status"]
        if (s.decode() if isinstance(s, bytes) else s) != "complete":
            print(f"FAIL: {sys.argv[2]}: {p} is incomplete under its final name"); sys.exit(1)
PY
}
temporaries() { find "$T/k" -name '*.tmp.*' -o -name '*.tmp' -o -name '*.partial.*' | head -n1; }

mk ref
"$BIN" run "$T/ref.ini" --quiet > /dev/null 2> "$T/ref.err" || fail "the uninterrupted run failed: $(tail -n1 "$T/ref.err")"

# SIGNAL STAGE REUSED: stop the run at STAGE with SIGNAL, then --resume must reuse REUSED years
scenario() {
  local sig=$1 stage=$2 want=$3 what="kill -$1 at $2" rc
  rm -rf "$T/k"
  mk k
  SILKFLOW_TEST_PAUSE=$stage "$BIN" run "$T/k.ini" --quiet > "$T/k.out" 2> "$T/k.err" & local pid=$!
  for _ in $(seq 600); do
    grep -q "test hook: paused at" "$T/k.err" && break
    kill -0 $pid 2>/dev/null || fail "$what: the run ended before the moment: $(tail -n1 "$T/k.err")"
    sleep 0.05
  done
  grep -q "test hook: paused at" "$T/k.err" || fail "$what: the run never reached the moment"
  kill -"$sig" $pid
  wait $pid 2>/dev/null; rc=$?
  local stopmsg
  stopmsg=$(grep "error:" "$T/k.err")
  if [[ $sig == 9 ]]; then
    [[ $rc == 137 ]] || fail "$what: exit $rc, not 137"
  else
    [[ $rc == 1 ]] || fail "$what: exit $rc, not 1: $(tail -n1 "$T/k.err")"
    grep -q "error: stopped by a signal" "$T/k.err" || fail "$what: no 'stopped by a signal': $(tail -n1 "$T/k.err")"
    [[ -z $(temporaries) ]] || fail "$what: the stopped run left $(temporaries)"
    [[ ! -e $T/k/out.h5.lock ]] || fail "$what: the stopped run left its lock"
  fi
  check_cache "$what"
  [[ ! -e $T/k/out.h5 ]] || fail "$what: a results file exists although the run was stopped before its end"
  "$BIN" run "$T/k.ini" --resume > "$T/k.out" 2> "$T/k.err" || fail "$what: --resume failed: exit $?: $(tail -n1 "$T/k.err")"
  local reused
  reused=$(grep -cE '^\[round [0-9]+/[0-9]+\] year [0-9]+ reuse ' "$T/k.out")
  [[ $reused == "$want" ]] || fail "$what: --resume reused $reused years, expected $want"
  local out
  out=$($py tests/slurm/compare.py "$T/ref/out.h5" "$T/k/out.h5" 2>&1) ||
    fail "$what: --resume did not give the uninterrupted run's results: $(echo "$out" | sed -n 2p)"
  diff -rq "$T/ref/tables" "$T/k/tables" > /dev/null ||
    fail "$what: tables differ: $(diff -rq "$T/ref/tables" "$T/k/tables" | head -n1)"
  [[ -z $(temporaries) ]] || fail "$what: temporary file left after --resume: $(temporaries)"
  echo "$what: exit $rc${stopmsg:+ ($stopmsg)}; --resume reused $reused years, $(echo "$out" | tail -n1)"
}

# years run 2009 (lag), 2010, 2011, one after the other
scenario 9 read:2010 1
scenario 9 invert:2010 1
scenario 9 decompose:2011 2
scenario 9 write:2010 1           # the year file half-written under its temporary name
scenario 9 assemble 3             # the results file half-written
scenario 9 estimate 3
scenario TERM read:2010 2         # SIGTERM: the round ends, its year is kept
scenario TERM invert:2011 3
scenario TERM assemble 3
scenario TERM estimate 3
echo "kill -9 and SIGTERM at 6 moments: --resume gives the uninterrupted run's results"
