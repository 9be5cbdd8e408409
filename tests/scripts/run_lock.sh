#!/usr/bin/env bash
# Two runs on one output (issue 12): while a run holds <results file>.lock,
# a second `silkflow run` (plain, --resume, --years-only, under MPI or not)
# exits 1 naming the holder (host, pid, since when); inspect and report still
# work. A lock left by a killed run is taken over by the next run: kill -9 of
# the holder, a pid that now belongs to another process, a lock from another
# host not refreshed for 10 minutes, a requeued Slurm job, a half-written lock
# file. A fresh lock from another host is respected. SIGUSR1 under mpirun
# stops the run and releases the lock. Moments are hit with the
# SILKFLOW_TEST_PAUSE test hook (include/silkflow/common.h).
set -uo pipefail
cd "$(dirname "$0")/../.."
source tests/lib.sh
T=$TMPDIR
fail() { echo "FAIL: $*"; exit 1; }
host=$(hostname)
mkdir -p "$T/data"
cp data/wiod2013/WIOD2013_{2009,2010,2011}_bp.zip "$T/data/"
wiod_ini "$T/l.ini" "$T/data" 2010-2011
cat >> "$T/l.ini" <<INI
[estimate]
models = none
[output]
file = $T/l/out.h5
tables = $T/l/tables
report = false
INI
lock=$T/l/out.h5.lock
run() { "$BIN" run "$T/l.ini" --quiet "$@" > "$T/run.out" 2> "$T/run.err"; }

# start a run paused at STAGE (test hook) in the background: $pid
start_paused() { # start_paused STAGE [launcher...]
  local stage=$1; shift
  rm -rf "$T/l/out.h5.years" # computed years are reused: recompute
  SILKFLOW_TEST_PAUSE=$stage "$@" "$BIN" run "$T/l.ini" --quiet > "$T/a.out" 2> "$T/a.err" & pid=$!
  for _ in $(seq 600); do
    grep -q "test hook: paused at" "$T/a.err" && return 0
    kill -0 $pid 2>/dev/null || break
    sleep 0.05
  done
  fail "the first run never paused at $stage: $(tail -n1 "$T/a.err")"
}

# a complete results file first (for inspect and report below)
run || fail "the first run failed: $(tail -n1 "$T/run.err")"
[[ ! -e $lock ]] || fail "a finished run left its lock file $lock"

# 1. a second run while the first one holds the lock
start_paused read:2010
apid=$(sed -n 's/.*(pid \([0-9]*\)).*/\1/p' "$T/a.err")
[[ -f $lock ]] || fail "no lock file $lock while a run is going"
for opt in "" --resume --years-only --force; do
  run $opt; rc=$?
  [[ $rc == 1 ]] || fail "second run ${opt:-(plain)} while the first holds the lock: exit $rc, not 1"
  msg=$(grep "error:" "$T/run.err")
  [[ $msg == *"is in use by another silkflow run: host $host, pid $apid, since 20"* ]] ||
    fail "second run ${opt:-(plain)}: message does not name the holder (host $host, pid $apid): $msg"
done
echo "refused: $msg"
"$BIN" inspect "$T/l/out.h5" > /dev/null || fail "inspect refused while a run holds the lock"
"$BIN" report "$T/l/out.h5" --out "$T/rep" > /dev/null || fail "report refused while a run holds the lock"

# 2. kill -9 of the holder: the next run takes the lock over at once
kill -9 $pid; wait $pid 2>/dev/null
[[ -f $lock ]] || fail "the lock file vanished with kill -9 (cannot test the take-over)"
run || fail "run after kill -9 of the holder: exit $?: $(tail -n1 "$T/run.err")"
grep -q "took over the lock left by a run that is gone (host $host, pid $apid, .*that process is gone)" "$T/run.err" ||
  fail "no take-over warning after kill -9: $(head -n1 "$T/run.err")"
[[ ! -e $lock ]] || fail "lock file left after a successful run"

forge() { # forge HOST PID START [SLURM_JOB RESTART]: a lock file as another run writes it
  printf 'silkflow run lock\nhost=%s\npid=%s\nstart=%s\nboot=\nsince=2020-01-01T00:00:00Z\nslurm_job=%s\nslurm_restart=%s\nend\n' \
    "$1" "$2" "$3" "${4:-}" "${5:-0}" > "$lock"
}
takes_over() { # takes_over WHY-PATTERN CASE [env...]
  local why=$1 what=$2; shift 2
  env "$@" "$BIN" run "$T/l.ini" --quiet > "$T/run.out" 2> "$T/run.err" || fail "$what: exit $?: $(tail -n1 "$T/run.err")"
  grep -q "took over the lock.*$why" "$T/run.err" || fail "$what: no take-over warning: $(head -n1 "$T/run.err")"
  [[ ! -e $lock ]] || fail "$what: lock file left after the run"
}

# 3. pid reuse: the pid is alive (this shell) but started at another time
forge "$host" $$ 1
takes_over "that pid now belongs to another process" "pid reuse"
# 4. a half-written lock file (its writer killed between create and write)
: > "$lock"; touch -d '-1 minute' "$lock"
takes_over "incomplete" "empty lock file"
# 5. another host, refreshed recently: respected
forge othernode 4242 0
run; rc=$?
[[ $rc == 1 ]] || fail "a fresh lock from another host: exit $rc, not 1"
grep -q "host othernode, pid 4242, since 2020-01-01T00:00:00Z" "$T/run.err" ||
  fail "fresh foreign lock: message does not name the holder: $(tail -n1 "$T/run.err")"
# ... and taken over once it has not been refreshed for 10 minutes
touch -d '-11 minutes' "$lock"
takes_over "not refreshed" "stale lock from another host"
# 6. a requeued Slurm job: the lock of its previous start on another node
forge othernode 4242 0 777 0
takes_over "Slurm requeued its job" "Slurm requeue" SLURM_JOB_ID=777 SLURM_RESTART_COUNT=1
forge othernode 4242 0 777 1
env SLURM_JOB_ID=777 SLURM_RESTART_COUNT=1 "$BIN" run "$T/l.ini" --quiet > /dev/null 2> "$T/run.err" &&
  fail "the same Slurm job and restart count on another host took the lock over"
rm -f "$lock"

# 7. MPI: rank 0 holds the lock; SIGUSR1 to mpirun stops the run and frees it
start_paused read:2010 tests/mpirun.sh 2
run; rc=$?
[[ $rc == 1 ]] || fail "a run while a 2-rank run holds the lock: exit $rc, not 1"
grep -q "is in use by another silkflow run: host $host" "$T/run.err" || fail "MPI holder not named: $(tail -n1 "$T/run.err")"
kill -USR1 $pid; wait $pid; rc=$?
[[ $rc == 1 ]] || fail "2-rank run stopped by SIGUSR1: exit $rc, not 1: $(tail -n1 "$T/a.err")"
[[ ! -e $lock ]] || fail "2-rank run stopped by SIGUSR1 left its lock file"
run || fail "run after the stopped 2-rank run: exit $?: $(tail -n1 "$T/run.err")"
echo "lock: refusal, inspect/report, take-over (kill -9, pid reuse, empty, foreign stale, Slurm requeue), MPI OK"
