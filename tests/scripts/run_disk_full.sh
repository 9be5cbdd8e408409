#!/usr/bin/env bash
# A full disk (issue 12), on a real small file system: a tmpfs mounted here
# (needs root; skipped otherwise). A disk that fills while the year cache is
# written, or before the results file is: exit 1 with a message naming the
# file and "no space left on device"; every year completed before is kept
# (complete, reused later), no temporary or half-written file is left, nor the
# lock; a previous complete results file stays as it was; a table that does
# not fit is not left half-written. After the file
# system is grown (mount -o remount,size=...), --resume finishes with results
# identical to a clean run (tests/slurm/compare.py: every dataset but the
# timings, bitwise).
set -uo pipefail
py=/usr/bin/python3
cd "$(dirname "$0")/../.."
source tests/lib.sh
T=$TMPDIR
fail() { echo "FAIL: $*"; exit 1; }
$py -c 'import numpy, h5py' 2>/dev/null || { echo "skip: needs python3-numpy and python3-h5py"; exit 77; }
[[ $(id -u) == 0 ]] || { echo "skip: needs root to mount a small tmpfs (mount -t tmpfs -o size=...)"; exit 77; }
M=$T/mnt
mkdir -p "$M" "$T/data"
mount -t tmpfs -o size=4500k tmpfs "$M" 2>/dev/null || { echo "skip: cannot mount a tmpfs here (no CAP_SYS_ADMIN?)"; exit 77; }
trap 'umount "$M" 2>/dev/null' EXIT
resize() { mount -o remount,size="$1" "$M" || fail "cannot remount $M with size=$1"; }

cp data/wiod2013/WIOD2013_{2007,2008,2009,2010,2011}_bp.zip "$T/data/"
mk() { # mk NAME OUTPUT [TABLES]
  wiod_ini "$T/$1.ini" "$T/data" 2008-2011
  cat >> "$T/$1.ini" <<INI
[estimate]
models = jobs/hu2023.models
bootstrap = 9
[output]
file = $2
tables = ${3:-$T/$1.tables}
report = false
INI
}
run() { "$BIN" run "$T/d.ini" --quiet "$@" > "$T/run.out" 2> "$T/run.err"; }
cache=$M/out.h5.years
complete_years() { # the year files with a final name: all complete; prints their number
  $py - "$cache" <<'PY'
import glob, sys, h5py
n = 0
for p in sorted(glob.glob(sys.argv[1] + "/*.h5")):
    with h5py.File(p, "r") as f:
        y = list(f["years"])[0]
        s = f["years"][y].attrs["status"]
        s = s.decode() if isinstance(s, bytes) else s
        if s != "complete":
            print(f"{p}: status {s} under a final name"); sys.exit(1)
    n += 1
print(n)
PY
}
clean_after_failure() { # CASE: no temporary, partial, lock or results file left by the failed run
  local left
  left=$(find "$M" -name '*.tmp.*' -o -name '*.tmp' -o -name '*.partial.*' -o -name '*.lock' | head -n1)
  [[ -z $left ]] || fail "$1: left $left"
}
same_as_ref() { # CASE [TABLES]
  local out tables=${2:-$T/d.tables}
  out=$($py tests/slurm/compare.py "$T/ref.h5" "$M/out.h5" 2>&1) || fail "$1: not the clean run's results: $(echo "$out" | sed -n 2p)"
  diff -rq "$T/ref.tables" "$tables" > /dev/null || fail "$1: tables differ from the clean run's: $(diff -rq "$T/ref.tables" "$tables" | head -n1)"
}

mk ref "$T/ref.h5"
"$BIN" run "$T/ref.ini" --quiet > /dev/null 2> "$T/ref.err" || fail "the clean run failed: $(tail -n1 "$T/ref.err")"
mk d "$M/out.h5"

# 1. the year cache fills: 4.5 MB hold three 1.4 MB year files
run; rc=$?
[[ $rc == 1 ]] || fail "year cache on a full disk: exit $rc, not 1: $(tail -n1 "$T/run.err")"
msg=$(grep "error:" "$T/run.err")
[[ $msg == *"$cache/"*".h5"*"no space left on device"* ]] || fail "year cache on a full disk: message lacks the file or the reason: $msg"
echo "year cache: $msg"
kept=$(complete_years) || fail "after the year cache filled: $kept"
((kept >= 1 && kept < 5)) || fail "after the year cache filled: $kept complete years kept, expected 1-4"
clean_after_failure "year cache full"
[[ ! -e $M/out.h5 ]] || fail "a results file appeared although the years failed"
resize 40m
"$BIN" run "$T/d.ini" --resume > "$T/resume.out" 2> "$T/run.err" || fail "--resume after freeing space: exit $?: $(tail -n1 "$T/run.err")"
reused=$(grep -cE '^\[round [0-9]+/[0-9]+\] year [0-9]+ reuse ' "$T/resume.out")
[[ $reused == "$kept" ]] || fail "--resume reused $reused years, the failed run had completed $kept"
same_as_ref "year cache full, then --resume"

# 2. the results file does not fit (the years do): nothing of it is left
rm -rf "${M:?}"/* "$T/d.tables"
resize 9m
run; rc=$?
[[ $rc == 1 ]] || fail "results file on a full disk: exit $rc, not 1: $(tail -n1 "$T/run.err")"
msg=$(grep "error:" "$T/run.err")
[[ $msg == *"$M/out.h5.partial."*"no space left on device"* ]] || fail "results file on a full disk: message lacks the file or the reason: $msg"
echo "results file: $msg"
kept=$(complete_years) || fail "after the results file failed: $kept"
[[ $kept == 5 ]] || fail "after the results file failed: $kept complete years kept, not 5"
clean_after_failure "results file full"
[[ ! -e $M/out.h5 ]] || fail "a results file appeared although it did not fit"
resize 40m
"$BIN" run "$T/d.ini" --resume > "$T/resume.out" 2> "$T/run.err" || fail "--resume after freeing space: exit $?: $(tail -n1 "$T/run.err")"
[[ $(grep -cE '^\[round [0-9]+/[0-9]+\] year [0-9]+ reuse ' "$T/resume.out") == 5 ]] || fail "--resume did not reuse the 5 cached years"
same_as_ref "results file full, then --resume"

# 3. a rerun that runs out of space keeps the previous results file as it was
sum=$(sha256sum < "$M/out.h5")
used=$(df -k --output=used "$M" | tail -n1)
resize $((used + 2200))k # room for one year file at a time, not for a new results file
run --force; rc=$?
[[ $rc == 1 ]] || fail "rerun on a full disk: exit $rc, not 1: $(tail -n1 "$T/run.err")"
grep -q "no space left on device" "$T/run.err" || fail "rerun on a full disk: $(tail -n1 "$T/run.err")"
[[ $(sha256sum < "$M/out.h5") == "$sum" ]] || fail "a failed rerun changed the previous results file"
clean_after_failure "rerun on a full disk"
# 4. the tables fill the disk (while the results file's space is reserved):
#    no table is left half-written under its name, nor the results file
rm -rf "${M:?}"/*
resize 18m # 5 year files (7.4 MB, self-describing) + the results file's reservation (10.5 MB) + < 1 MB
mk d "$M/out.h5" "$M/tables"
run; rc=$?
[[ $rc == 1 ]] || fail "tables on a full disk: exit $rc, not 1 (is 18 MB still too small for years + results file + tables?): $(tail -n1 "$T/run.err")"
msg=$(grep "error:" "$T/run.err")
[[ $msg == *"$M/tables/"*"no space left on device"* ]] || fail "tables on a full disk: message lacks the file or the reason: $msg"
echo "tables: $msg"
clean_after_failure "tables full"
[[ ! -e $M/out.h5 ]] || fail "a results file appeared although its tables failed"
resize 40m
"$BIN" run "$T/d.ini" --resume > "$T/resume.out" 2> "$T/run.err" || fail "--resume after freeing space: exit $?: $(tail -n1 "$T/run.err")"
same_as_ref "tables full, then --resume" "$M/tables"
echo "disk full: year cache, results file and rerun fail cleanly (exit 1); --resume gives the clean run's results"
