#!/usr/bin/env bash
# tests/slurm/run.sh — the Slurm scripts of slurm/ run for real on a throw-away
# single-node Slurm cluster on localhost (`make check-slurm`; `make check` runs it
# through tests/scripts/slurm_local.sh).
#
# Starts munged + slurmctld + slurmd from Debian's slurm-wlm (installed with apt-get
# when missing; tests/slurm/cluster.sh), everything under a temporary directory, then:
#   one_job           slurm/silkflow.sbatch on 2 ranks: COMPLETED, launcher, results file
#                     (the reference for the comparisons below)
#   mpirun_job        the same with SILKFLOW_LAUNCHER=mpirun (no pmix plugin): same results
#   pipeline_array    slurm/submit-pipeline.sh --chunk: stage 2 waits (Reason=Dependency)
#                     and starts after every array task ended; results = reference
#   pipeline_rerun    the same pipeline again, as one stage-1 job: every year reused
#                     (the year files are the same inodes), results = reference
#   pipeline_fail     a failing stage 1 cancels stage 2 (--kill-on-invalid-dep)
#   nightly_singleton two nightly jobs of one name: the second is held (Dependency) while
#                     the first runs and starts after it ended; it finds nothing new
#   nightly_resubmit  a nightly run schedules the next one (PENDING, BeginTime, same
#                     name, tasks and arguments), and only one
#   usr1_requeue      `scancel --signal=USR1 --batch` mid-run: silkflow stops at the end
#                     of its round (exit 1, no results file, part of the years cached), the
#                     job requeues itself, continues with --resume; results = reference
#   signal_timer      (only with SLURM_TEST_SLOW=1, ~2 min) the same stop from the time limit:
#                     --time=1 --signal=B:USR1@50, on the stand-in binary
# Then stops every daemon it started (trap EXIT) and checks that none is left.
#
# Environment: BIN (silkflow binary, default bin/silkflow); when `$BIN run` is not
# implemented yet, or SLURM_TEST_FAKE=1, tests/slurm/fake-silkflow stands in for it
# (same CLI contract, no numerics). SLURM_TEST_KEEP=1 keeps the temporary directory;
# SLURM_TEST_WAIT=S waits S seconds for a job (default 240) before failing the test.
# Exit: 0 all passed, 1 a test failed, 77 Slurm cannot be installed or started here.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
BIN=${BIN:-bin/silkflow}
source tests/slurm/cluster.sh
source slurm/lib.sh
# shellcheck disable=SC2034 # read by slurm/lib.sh
SF_TAG=slurm-test

T=$(mktemp -d "${TMPDIR:-/tmp}/sfslurm.XXXXXX")
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    cluster_stop
    if [[ ${SLURM_TEST_KEEP:-0} == 1 ]]; then echo "kept $T"; else rm -rf "$T"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

t_all=$(date +%s)
cluster_install || { echo "skip: Slurm (slurmctld slurmd slurm-client munge) is not installed and cannot be installed"; exit 77; }
cluster_start "$T/cluster" || { echo "skip: the local Slurm cluster did not start (logs above)"; exit 77; }
t_up=$(date +%s)

# ---- the binary: real, or the stand-in ---------------------------------------------------
if [[ ${SLURM_TEST_FAKE:-0} != 1 ]] && [[ -x $BIN ]] && "$BIN" run --help 2>&1 | grep -q -- --resume; then
    export SILKFLOW=$ROOT/$BIN
    [[ $BIN == /* ]] && SILKFLOW=$BIN
    REAL=1
    echo "binary: $SILKFLOW (real)"
else
    export SILKFLOW=$ROOT/tests/slurm/fake-silkflow FAKE_SECONDS=${FAKE_SECONDS:-0.4}
    REAL=0
    echo "binary: tests/slurm/fake-silkflow (stand-in: '$BIN run' is not implemented here)"
fi
export OPENBLAS_NUM_THREADS=1
# keep Open MPI local and quiet on a closed machine (as tests/mpirun.sh)
export OMPI_MCA_btl=${OMPI_MCA_btl:-self,vader} OMPI_MCA_btl_vader_single_copy_mechanism=none
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
unset SILKFLOW_NIGHTLY_BEGIN SILKFLOW_WORK SILKFLOW_MERGE SILKFLOW_LAUNCHER

# ---- test configs: the shipped WIOD demo, small, writing under $T ------------------------
YEARS=${SLURM_TEST_YEARS:-2000-2011}
mkcfg() { # NAME -> $T/NAME.ini with [output] under $T/NAME/
    local name=$1
    mkdir -p "$T/$name"
    if ((REAL)); then
        # the shipped models file, when there is one; a short bootstrap
        local models=()
        [[ -e $(sf_ini_get configs/wiod2013.ini estimate models) ]] || models=("estimate.models=none")
        sf_ini_override configs/wiod2013.ini "$T/$name.ini" "data.years=$YEARS" \
            "output.file=$T/$name/$name.h5" "output.tables=$T/$name/tables" "estimate.bootstrap=49" "${models[@]}"
    else
        printf '[data]\npath = %s\nyears = %s\n[estimate]\nmodels = %s\n[output]\nfile = %s\n' \
            "$ROOT/data/wiod2013" "$YEARS" "$ROOT/tests/slurm/fake-silkflow" "$T/$name/$name.h5" >"$T/$name.ini"
    fi
    echo "$T/$name.ini"
}
nyears=$(wc -w <<<"$(sf_years_expand "$YEARS")")

# ---- helpers -------------------------------------------------------------------------------
pass=0 fail=0 failed=()
FAILMSG=
no() { FAILMSG=$*; return 1; }
run_test() {
    local name=$1 t0 dt
    t0=$(date +%s%N)
    FAILMSG=
    echo "---- $name"
    if "$name"; then
        pass=$((pass + 1))
        dt=$((($(date +%s%N) - t0) / 1000000))
        dt=$((dt / 1000)).$((dt % 1000 / 100))
        printf 'PASS %-20s %6ss\n' "$name" "$dt"
    else
        fail=$((fail + 1))
        failed+=("$name")
        dt=$((($(date +%s%N) - t0) / 1000000))
        dt=$((dt / 1000)).$((dt % 1000 / 100))
        printf 'FAIL %-20s %6ss  %s\n' "$name" "$dt" "${FAILMSG:-failed without saying why (a defect of this test)}"
        # what a failed test left queued must not leak into the next one
        settle
    fi
}
settle() { # cancel every job of this cluster and wait until none is left
    local t0=$SECONDS
    scancel --quiet --user=root 2>/dev/null
    while [[ -n $(squeue -h -o %i 2>/dev/null) ]] && ((SECONDS - t0 < 60)); do sleep 0.5; done
}
jfield() { # JOBID FIELD -> value from scontrol (first record)
    scontrol show job -o "$1" 2>/dev/null | head -n1 | grep -o "\b$2=[^ ]*" | head -n1 | cut -d= -f2-
}
jstate() { jfield "$1" JobState; }
array_tasks() { # JOBID -> the task ids of an array job, over all its records: once tasks start,
    # scontrol lists each started task on its own and the rest as a range ("0-2", "1-2", "2", "0,2%1")
    scontrol show job -o "$1" 2>/dev/null | grep -o '\bArrayTaskId=[^ ]*' | cut -d= -f2 | cut -d% -f1 | tr ',' '\n' |
        awk -F- '{ for (i = $1; i <= ($2 == "" ? $1 : $2); i++) print i }' | sort -n -u | tr '\n' ' '
}
jepoch() { date -d "$(jfield "$1" "$2")" +%s; }
final_state() { [[ $1 =~ ^(COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE|PREEMPTED)$ ]]; }
wait_job() { # JOBID [TIMEOUT s]: until every record of JOBID (array tasks too) is final
    local id=$1 limit=${2:-${SLURM_TEST_WAIT:-240}} t0=$SECONDS states s final
    while ((SECONDS - t0 < limit)); do
        states=$(scontrol show job -o "$id" 2>/dev/null | grep -o '\bJobState=[A-Z_]*' | cut -d= -f2)
        final=1
        [[ -n $states ]] || final=0
        for s in $states; do final_state "$s" || final=0; done
        ((final)) && return 0
        # a node that is down or drained will not run the job: say so now
        if [[ $(sinfo -h -n localhost -o %T 2>/dev/null) =~ ^(down|drain|drained|draining|fail) ]] && ((SECONDS - t0 > 20)); then
            no "job $id cannot run: node localhost is $(sinfo -h -n localhost -o '%T (%E)'); $(job_summary "$id")"
            diagnose "$id"
            return 1
        fi
        sleep 0.5
    done
    no "job $id not finished after ${limit} s: $(job_summary "$id")"
    diagnose "$id"
    return 1
}
job_summary() { # JOBID -> "id STATE/Reason ..." for every record (array tasks too)
    scontrol show job -o "$1" 2>/dev/null | sed -n 's/.*\bJobId=\([0-9]*\).*\bArrayTaskId=\([^ ]*\).*\bJobState=\([A-Z_]*\) Reason=\([^ ]*\).*/\1[\2] \3\/\4/p;
        /ArrayTaskId=/!s/.*\bJobId=\([0-9]*\).*\bJobState=\([A-Z_]*\) Reason=\([^ ]*\).*/\1 \2\/\3/p' | tr '\n' ' '
}
diagnose() { # JOBID: the queue, the daemons' recent errors and the job's log, for the reader of a failure
    echo "    diagnosis for job $1:"
    squeue -o '%i %j %T %r %M' 2>&1 | sed 's/^/    squeue| /' | head -n 12
    sinfo -N -o '%N %T %E' 2>&1 | sed 's/^/    sinfo| /'
    grep -hiE 'error|fatal|drain|not responding|expired' "$CLUSTER_DIR"/log/slurm{ctld,d}.log 2>/dev/null |
        grep -vE 'state file|backup state|MailProg' | tail -n 10 | sed 's/^/    log| /'
    local f
    for f in $(scontrol show job -o "$1" 2>/dev/null | grep -o '\bStdOut=[^ ]*' | cut -d= -f2 | sort -u); do
        [[ -f $f ]] && tail -n 5 "$f" | sed "s|^|    ${f##*/}| |"
    done
}
wait_state() { # JOBID STATE [TIMEOUT]
    local t0=$SECONDS
    while ((SECONDS - t0 < ${3:-60})); do
        [[ $(jstate "$1") == "$2" ]] && return 0
        sleep 0.2
    done
    return 1
}
show_log() { # FILE [N]: the last N lines of a job's log that tell what the scripts did
    [[ -f $1 ]] || return 0
    # silkflow's lines may start with an ISO timestamp (under Slurm, docs/hpc.md "Progress")
    grep -E '^[a-z.-]+\.sbatch: |silkflow: error|^srun: error|^slurmstepd|\] year [0-9]+ (reuse|compute|write)( |$)|\] done: |^(\S+Z )?done |^silkflow fake|(^|Z )plan: ' "$1" |
        sed 's/^/    | /' | tail -n "${2:-25}"
}
compare() { # A B [RTOL]: results of A = results of B
    local out
    out=$(/usr/bin/python3 tests/slurm/compare.py "$1" "$2" ${3:+--rtol "$3"} 2>&1)
    local rc=$?
    echo "    compare: $out" | head -n 8
    return $rc
}
ncached() { local n=0 f; for f in "$1".years/*.h5; do [[ -f $f ]] && n=$((n + 1)); done; echo $n; }

# ---- the tests -----------------------------------------------------------------------------
REF=
one_job() {
    local cfg id
    cfg=$(mkcfg ref)
    id=$(cd "$T/ref" && sbatch --parsable -n 2 "$ROOT/slurm/silkflow.sbatch" "$cfg") || no "sbatch failed" || return
    wait_job "$id" || return
    local log=$T/ref/silkflow-$id.out
    show_log "$log" 12
    [[ $(jstate "$id") == COMPLETED && $(jfield "$id" ExitCode) == 0:0 ]] || no "job $id: $(jstate "$id") exit $(jfield "$id" ExitCode)" || return
    if srun --mpi=list 2>&1 | grep -qw pmix; then
        grep -q 'launch: srun --mpi=pmix (2 ranks' "$log" || no "not launched with srun --mpi=pmix on 2 ranks" || return
    fi
    REF=$T/ref/ref.h5
    [[ -f $REF && ! -e $REF.partial ]] || no "no results file $REF" || return
    [[ $(ncached "$REF") -ge $nyears ]] || no "year cache has $(ncached "$REF") files, want >= $nyears" || return
    "$SILKFLOW" inspect "$REF" >"$T/ref/inspect.txt" 2>&1 || no "silkflow inspect $REF failed" || return
    head -n 5 "$T/ref/inspect.txt" | sed 's/^/    inspect| /'
}

mpirun_job() {
    # the fallback for a Slurm without the pmix plugin: Open MPI's mpirun in the allocation
    [[ -n $REF ]] || no "needs the reference of one_job" || return
    local cfg id
    cfg=$(mkcfg mpi)
    id=$(cd "$T/mpi" && SILKFLOW_LAUNCHER=mpirun sbatch --parsable -n 2 "$ROOT/slurm/silkflow.sbatch" "$cfg") || no "sbatch failed" || return
    wait_job "$id" || return
    show_log "$T/mpi/silkflow-$id.out" 4
    [[ $(jstate "$id") == COMPLETED ]] || no "job $id: $(jstate "$id")" || return
    grep -q 'launch: mpirun .*2 ranks' "$T/mpi/silkflow-$id.out" || no "not launched with mpirun on 2 ranks" || return
    compare "$T/mpi/mpi.h5" "$REF" || no "results differ from one_job's" || return
}

PIPE_CFG= PIPE_OK=0
pipeline_array() {
    [[ -n $REF ]] || no "needs the reference of one_job" || return
    PIPE_CFG=$(mkcfg pipe)
    local out j1 j2
    out=$(cd "$T/pipe" && "$ROOT/slurm/submit-pipeline.sh" --chunk 4 -n 1 "$PIPE_CFG" 2>&1) || { echo "$out"; no "submit-pipeline failed"; return; }
    echo "$out" | sed 's/^/    | /'
    j1=$(sed -n 's/^years job: \([0-9]*\).*/\1/p' <<<"$out")
    j2=$(sed -n 's/^finish job: \([0-9]*\).*/\1/p' <<<"$out")
    [[ -n $j1 && -n $j2 ]] || no "no job ids" || return
    [[ $(array_tasks "$j1") == "0 1 2 " ]] || no "stage 1 is not an array of 3 tasks (tasks: $(array_tasks "$j1"); $(scontrol show job -o "$j1" | grep -o '\bArrayTaskId=[^ ]*' | tr '\n' ' '))" || return
    local st reason
    st=$(jstate "$j2") reason=$(jfield "$j2" Reason)
    [[ $st == PENDING && $reason == Dependency ]] || no "stage 2 right after submission: $st/$reason, want PENDING/Dependency" || return
    wait_job "$j1" && wait_job "$j2" || return
    show_log "$T/pipe/silkflow-finish-$j2.out" 8
    local ntask
    ntask=$(scontrol show job -o "$j1" | grep -c 'ArrayTaskId=[0-9]* ')
    ((ntask == 3)) || no "stage 1 ran $ntask array tasks, want 3" || return
    local s
    for s in $(scontrol show job -o "$j1" | grep -o '\bJobState=[A-Z]*' | cut -d= -f2); do
        [[ $s == COMPLETED ]] || no "an array task ended $s" || return
    done
    [[ $(jstate "$j2") == COMPLETED ]] || no "stage 2 ended $(jstate "$j2")" || return
    # stage 2 started only after the last array task ended
    local last=0 e
    while read -r e; do
        e=$(date -d "$e" +%s)
        ((e > last)) && last=$e
    done < <(scontrol show job -o "$j1" | grep -o '\bEndTime=[^ ]*' | cut -d= -f2)
    local start2
    start2=$(jepoch "$j2" StartTime)
    ((start2 >= last)) || no "stage 2 started at $start2, before the last array task ended ($last)" || return
    [[ ! -e $T/pipe/pipe.h5.work/$j1 ]] || no "work directory of $j1 left behind" || return
    [[ $(ncached "$T/pipe/pipe.h5") -ge $nyears ]] || no "shared year cache has $(ncached "$T/pipe/pipe.h5") files" || return
    # array tasks ran on 1 rank, the reference on 2: allow rounding
    compare "$T/pipe/pipe.h5" "$REF" 1e-10 || no "results differ from one_job's" || return
    PIPE_OK=1
}

pipeline_rerun() {
    ((PIPE_OK)) || no "not run: it reruns what pipeline_array made, and pipeline_array did not pass" || return
    local before after out j1 j2
    before=$(stat -c '%n %i' "$T"/pipe/pipe.h5.years/*.h5) || no "no year files from pipeline_array" || return
    out=$(cd "$T/pipe" && "$ROOT/slurm/submit-pipeline.sh" -n 2 "$PIPE_CFG" 2>&1) || { echo "$out"; no "submit-pipeline failed"; return; }
    j1=$(sed -n 's/^years job: \([0-9]*\).*/\1/p' <<<"$out")
    j2=$(sed -n 's/^finish job: \([0-9]*\).*/\1/p' <<<"$out")
    [[ -n $j1 && -n $j2 ]] || no "no job ids" || return
    wait_job "$j1" && wait_job "$j2" || return
    show_log "$T/pipe/silkflow-finish-$j2.out" 4
    [[ $(jstate "$j1") == COMPLETED && $(jstate "$j2") == COMPLETED ]] || no "jobs ended $(jstate "$j1")/$(jstate "$j2")" || return
    after=$(stat -c '%n %i' "$T"/pipe/pipe.h5.years/*.h5)
    [[ $before == "$after" ]] || no "year files were rewritten: every year should have been reused ($(diff <(echo "$before") <(echo "$after") | grep -c '^>') changed)" || return
    grep -q "merged job $j1: 0 new year file" "$T/pipe/silkflow-finish-$j2.out" || no "stage 2 merged new years" || return
    compare "$T/pipe/pipe.h5" "$REF" 1e-10 || no "results differ" || return
}

pipeline_fail() {
    # stage 1 on a config whose data directory does not exist: it fails, stage 2 is cancelled
    local cfg=$T/bad.ini out j1 j2
    mkdir -p "$T/bad"
    sed "s|^path *=.*|path = $T/no-such-dir|" "$(mkcfg badsrc)" >"$cfg"
    out=$(cd "$T/bad" && "$ROOT/slurm/submit-pipeline.sh" -n 1 "$cfg" 2>&1) || { echo "$out"; no "submit-pipeline failed"; return; }
    j1=$(sed -n 's/^years job: \([0-9]*\).*/\1/p' <<<"$out")
    j2=$(sed -n 's/^finish job: \([0-9]*\).*/\1/p' <<<"$out")
    wait_job "$j1" && wait_job "$j2" 60 || return
    [[ $(jstate "$j1") == FAILED ]] || no "stage 1 ended $(jstate "$j1"), want FAILED" || return
    [[ $(jstate "$j2") == CANCELLED ]] || no "stage 2 ended $(jstate "$j2"), want CANCELLED" || return
}

nightly_singleton() {
    local cfg a b
    cfg=$(mkcfg night)
    a=$(cd "$T/night" && SILKFLOW_NIGHTLY_BEGIN=none sbatch --parsable -n 1 "$ROOT/slurm/nightly.sbatch" "$cfg") || no "sbatch failed" || return
    b=$(cd "$T/night" && SILKFLOW_NIGHTLY_BEGIN=none sbatch --parsable -n 1 "$ROOT/slurm/nightly.sbatch" "$cfg") || no "sbatch failed" || return
    wait_state "$a" RUNNING 30 || no "first job never ran ($(jstate "$a"))" || return
    # one CPU is still free: only the singleton dependency can hold the second job
    sleep 1
    [[ $(jstate "$a") != RUNNING || ($(jstate "$b") == PENDING && $(jfield "$b" Reason) == Dependency) ]] ||
        no "second job $(jstate "$b")/$(jfield "$b" Reason) while the first runs, want PENDING/Dependency" || return
    wait_job "$a" && wait_job "$b" || return
    show_log "$T/night/silkflow-nightly-$b.out" 4
    [[ $(jstate "$a") == COMPLETED && $(jstate "$b") == COMPLETED ]] || no "jobs ended $(jstate "$a")/$(jstate "$b")" || return
    local ea sb
    ea=$(jepoch "$a" EndTime) sb=$(jepoch "$b" StartTime)
    ((sb >= ea)) || no "second job started ($sb) before the first ended ($ea)" || return
    grep -q 'nothing changed since' "$T/night/silkflow-nightly-$b.out" || no "second run did not see that nothing changed" || return
    compare "$T/night/night.h5" "$REF" 1e-10 || no "results differ" || return
}

nightly_resubmit() {
    [[ -f $T/night.ini ]] || no "needs nightly_singleton" || return
    local a next n
    a=$(cd "$T/night" && SILKFLOW_NIGHTLY_BEGIN=now+1hour sbatch --parsable -J sftest-next -n 1 "$ROOT/slurm/nightly.sbatch" "$T/night.ini" --quiet) ||
        no "sbatch failed" || return
    wait_job "$a" || return
    show_log "$T/night/sftest-next-$a.out" 5
    [[ $(jstate "$a") == COMPLETED ]] || no "job ended $(jstate "$a")" || return
    next=$(squeue -h -n sftest-next -t PENDING -o %i)
    n=$(wc -w <<<"$next")
    [[ $n == 1 ]] || no "$n pending successors ($next), want 1" || return
    # held by its begin time (the singleton dependency on the job that submitted it is
    # released once the scheduler has seen that job end)
    local t0=$SECONDS
    while [[ $(jfield "$next" Reason) != BeginTime ]] && ((SECONDS - t0 < 20)); do sleep 0.5; done
    [[ $(jfield "$next" Reason) == BeginTime ]] || no "successor pending for $(jfield "$next" Reason), want BeginTime" || return
    local cmd
    cmd=$(scontrol show job "$next" | sed -n 's/^ *Command=//p')
    [[ $cmd == "$ROOT/slurm/nightly.sbatch $T/night.ini --quiet" ]] || no "successor runs '$cmd'" || return
    [[ $(jfield "$next" NumTasks) == 1 ]] || no "successor has $(jfield "$next" NumTasks) tasks" || return
    local begin now
    begin=$(jepoch "$next" StartTime) now=$(date +%s)
    ((begin > now + 3000)) || no "successor begins in $((begin - now)) s, want about an hour" || return
    scancel "$next"
}

usr1_requeue() {
    [[ -n $REF ]] || no "needs the reference of one_job" || return
    local cfg id out
    cfg=$(mkcfg sig)
    out=$T/sig/sig.h5
    id=$(cd "$T/sig" && sbatch --parsable -n 2 "$ROOT/slurm/silkflow.sbatch" "$cfg") || no "sbatch failed" || return
    # the first year in the cache: silkflow runs and handles signals
    local t0=$SECONDS
    while (($(ncached "$out") < 1)); do
        ((SECONDS - t0 < 120)) || no "no year computed after 120 s" || return
        final_state "$(jstate "$id")" && { show_log "$T/sig/silkflow-$id.out"; no "job ended before any year"; return; }
        sleep 0.1
    done
    scancel --signal=USR1 --batch "$id" || no "scancel --signal=USR1 --batch failed" || return
    # requeued: pending again with one restart; the stop left no results file
    t0=$SECONDS
    until [[ $(jfield "$id" Restarts) == 1 ]]; do
        ((SECONDS - t0 < 60)) || { show_log "$T/sig/silkflow-$id.out"; no "not requeued ($(jstate "$id"))"; return; }
        sleep 0.2
    done
    local nc
    nc=$(ncached "$out")
    echo "    stopped with $nc of $nyears+ years cached"
    if [[ $(jstate "$id") != RUNNING ]]; then
        [[ ! -e $out ]] || no "a results file exists after the stop" || return
    fi
    ((nc < nyears)) || no "all years done before the stop: signal came too late to test" || return
    wait_job "$id" 240 || return
    show_log "$T/sig/silkflow-$id.out" 30
    [[ $(jstate "$id") == COMPLETED && $(jfield "$id" Restarts) == 1 ]] ||
        no "job ended $(jstate "$id") after $(jfield "$id" Restarts) restarts, want COMPLETED after 1" || return
    grep -q 'stopped cleanly by USR1 (exit 1): requeueing' "$T/sig/silkflow-$id.out" || no "no clean stop in the log" || return
    [[ -f $out ]] || no "no results file" || return
    compare "$out" "$REF" || no "results differ from the uninterrupted run" || return
}

signal_timer() {
    # (SLURM_TEST_SLOW=1) the time limit instead of scancel: --time=1 --signal=B:USR1@50
    # on the stand-in binary (a real run of the test years is too short for a 1-minute
    # limit); slurmctld checks the signal timers every 30 s or so
    local id cfg=$T/timer.ini
    mkdir -p "$T/timer"
    printf '[data]\npath = %s\nyears = 1995-2020\n[output]\nfile = %s\n' "$ROOT/data/wiod2013" "$T/timer/t.h5" >"$cfg"
    id=$(cd "$T/timer" && SILKFLOW=$ROOT/tests/slurm/fake-silkflow FAKE_SECONDS=3 \
        sbatch --parsable -n 1 -t 1 --signal=B:USR1@50 "$ROOT/slurm/silkflow.sbatch" "$cfg") || no "sbatch failed" || return
    wait_job "$id" 400 || return
    show_log "$T/timer/silkflow-$id.out" 12
    [[ $(jstate "$id") == COMPLETED ]] || no "job ended $(jstate "$id")" || return
    (($(jfield "$id" Restarts) >= 1)) || no "the time-limit signal never came (no restart)" || return
    grep -q 'stopped cleanly by USR1' "$T/timer/silkflow-$id.out" || no "no clean stop in the log" || return
}

tests=(one_job mpirun_job pipeline_array pipeline_rerun pipeline_fail nightly_singleton nightly_resubmit usr1_requeue)
[[ ${SLURM_TEST_SLOW:-0} == 1 ]] && tests+=(signal_timer)
for t in "${tests[@]}"; do
    [[ -n ${SLURM_TESTS:-} && ! $t =~ $SLURM_TESTS ]] && continue
    run_test "$t"
done

# ---- no daemon, job or step left behind ----------------------------------------------------
dir=$CLUSTER_DIR
cluster_stop
left=
for f in "$dir"/run/*.pid; do
    [[ -s $f ]] && kill -0 "$(<"$f")" 2>/dev/null && left+=" $(basename "$f" .pid)"
done
for p in $(pgrep -x slurmstepd; pgrep -f fake-silkflow); do
    tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -q "^SLURM_CONF=$dir/" && left+=" pid$p"
done
if [[ -n $left ]]; then
    fail=$((fail + 1)) failed+=(cleanup)
    echo "FAIL cleanup: still running:$left"
else
    pass=$((pass + 1))
    echo "PASS cleanup (no daemon or step left)"
fi
echo "slurm: cluster up in $((t_up - t_all)) s, all in $(($(date +%s) - t_all)) s ($([[ $REAL == 1 ]] && echo real silkflow || echo stand-in binary))"
echo "$pass passed, $fail failed"
((fail == 0)) || { echo "failed: ${failed[*]}"; exit 1; }
