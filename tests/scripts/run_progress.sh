#!/usr/bin/env bash
# Progress of silkflow run (issue 15 point 5, docs/hpc.md): "[round k/N] year
# YYYY stage ...; elapsed, ETA" lines as each stage of a year finishes (every
# group root prints its own years), a line per round from rank 0, ISO
# timestamps when the output is not a terminal or in a Slurm job, and --quiet
# printing only warnings, errors and the final summary.
set -euo pipefail
source tests/lib.sh
T=$TMPDIR
fail() { echo "FAIL $*"; exit 1; }
export SILKFLOW_TIMESTAMPS=0
wiod_ini "$T/p.ini" data/wiod2013 2008-2011
cat >> "$T/p.ini" <<INI
[estimate]
models = none
[output]
file = $T/p/out.h5
tables = $T/p/tables
INI
stages=(read check invert products decompose write)
ts='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z'

# 1 process: 5 years (2007 is the lag year) in 5 rounds, each stage in order
"$BIN" run "$T/p.ini" --force > "$T/a.out" 2> "$T/a.err" || fail "run: $(tail -n1 "$T/a.err")"
k=0
for y in 2007 2008 2009 2010 2011; do
  k=$((k + 1))
  got=$(sed -nE "s/^\[round $k\/5\] year $y ([a-z]+) .*; elapsed [0-9.]+ s, ETA (-|[0-9.]+ s)$/\1/p" "$T/a.out" | paste -sd' ')
  [[ $got == "${stages[*]}" ]] || fail "year $y (round $k/5): stages '$got', want '${stages[*]}'"
  # the year's lines come before the line of its round
  last=$(grep -n "^\[round $k/5\] year $y write " "$T/a.out" | cut -d: -f1)
  done_at=$(grep -n "^\[round $k/5\] done: year $y (1 computed, 0 reused); elapsed [0-9.]* s, ETA [0-9.]* s$" "$T/a.out" | cut -d: -f1)
  [[ -n $last && -n $done_at && $last -lt $done_at ]] || fail "round $k: no round line after the year's lines"
done
grep -q '^\[round 1/5\] year 2007 read .*ETA -$' "$T/a.out" || fail "the first year has an ETA before any year finished"
grep -q '^\[round 5/5\] year 2011 write .*ETA 0.0 s$' "$T/a.out" || fail "the last year's write line: ETA not 0: $(grep 'year 2011 write' "$T/a.out")"
grep -q '^\[round 2/5\] year 2008 read .*ETA [0-9.]* s$' "$T/a.out" || fail "no ETA once a year is done"
grep -q '^years: 5 (5 computed, 0 reused) in [0-9.]* s, 5 rounds on 1 group of ranks$' "$T/a.out" || fail "no years summary"
grep -q '^done in ' "$T/a.out" || fail "no done line"
grep -qE "^$ts" "$T/a.out" "$T/a.err" && fail "SILKFLOW_TIMESTAMPS=0 stamped a line"

# --quiet: only the summary on stdout (and warnings on stderr)
"$BIN" run "$T/p.ini" --quiet > "$T/q.out" 2> "$T/q.err" || fail "quiet run: $(tail -n1 "$T/q.err")"
[[ $(wc -l < "$T/q.out") == 2 ]] && grep -q '^years: 5 (0 computed, 5 reused) ' "$T/q.out" && grep -q '^done in ' "$T/q.out" ||
  fail "--quiet printed more than the summary: $(head -n3 "$T/q.out")"
grep -v '^silkflow: warning: ' "$T/q.err" && fail "--quiet: stderr holds more than warnings"

# auto: a file is stamped, each line with the time it was printed (UTC)
t0=$(date -u +%s)
env -u SILKFLOW_TIMESTAMPS "$BIN" run "$T/p.ini" > "$T/s.out" 2> "$T/s.err" || fail "stamped run: $(tail -n1 "$T/s.err")"
t1=$(date -u +%s)
[[ $(grep -cvE "^$ts " "$T/s.out") == 0 ]] || fail "unstamped line in a file: $(grep -vE "^$ts " "$T/s.out" | head -n1)"
grep -qE "^$ts \[round 5/5\] year 2011 reuse " "$T/s.out" || fail "no stamped reuse line"
[[ $(grep -cvE "^$ts " "$T/s.err") == 0 ]] || fail "unstamped line on stderr: $(grep -vE "^$ts " "$T/s.err" | head -n1)"
grep -qE "^$ts silkflow: warning: " "$T/s.err" || fail "no stamped warning (the WIOD config warns about RUS)"
while read -r stamp; do
  s=$(date -u -d "$stamp" +%s)
  ((s >= t0 && s <= t1)) || fail "timestamp $stamp outside the run ($t0..$t1)"
done < <(cut -d' ' -f1 "$T/s.out" | sort -u)
# the error line stays "silkflow: error: ..." (one line for scripts)
set +e; env SILKFLOW_TIMESTAMPS=1 "$BIN" run "$T/none.ini" > /dev/null 2> "$T/e.err"; rc=$?; set -e
[[ $rc == 1 ]] && grep -q '^silkflow: error: ' "$T/e.err" || fail "error line: rc $rc, $(cat "$T/e.err")"

# a terminal: no stamps, unless in a Slurm job (mpirun gives ranks a pseudo-terminal)
if command -v script > /dev/null; then
  script -qec "env -u SILKFLOW_TIMESTAMPS $BIN run $T/p.ini" /dev/null > "$T/tty.out" < /dev/null || fail "run on a terminal"
  grep -q 'year 2011 reuse' "$T/tty.out" || fail "no progress on the terminal"
  grep -qE "^$ts" "$T/tty.out" && fail "a terminal got timestamps"
  script -qec "env -u SILKFLOW_TIMESTAMPS SLURM_JOB_ID=4242 $BIN run $T/p.ini" /dev/null > "$T/tty2.out" < /dev/null ||
    fail "run on a terminal in a Slurm job"
  grep -qE "^$ts \[round 5/5\] year 2011 reuse " "$T/tty2.out" || fail "a Slurm job on a terminal is not stamped"
fi

# 2 ranks, 2 groups: each group root prints its own years as it computes them
tests/mpirun.sh 2 "$BIN" run "$T/p.ini" --force > "$T/m.out" 2> "$T/m.err" || fail "2 ranks: $(tail -n1 "$T/m.err")"
for y in 2007 2008 2009 2010 2011; do
  got=$(sed -nE "s/^\[round [1-3]\/3\] year $y ([a-z]+) .*/\1/p" "$T/m.out" | paste -sd' ')
  [[ $got == "${stages[*]}" ]] || fail "2 ranks, year $y: stages '$got'"
done
[[ $(grep -c '^\[round [1-3]/3\] done: ' "$T/m.out") == 3 ]] || fail "2 ranks: not 3 round lines"
grep -q '^\[round 1/3\] done: years 2007-2008 (2 computed, 0 reused)' "$T/m.out" || fail "2 ranks: round 1 line"
echo "progress lines, stamps and --quiet as documented"
