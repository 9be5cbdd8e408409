# slurm/lib.sh — shell functions shared by the silkflow batch scripts.
# Sourced, never run. Needs bash 4, coreutils and the Slurm client commands.
#
#   sf_init                 SILKFLOW (the binary), SF_TAG (log prefix), cd to the submit directory
#   sf_launch CMD...        run CMD as an MPI job step in the allocation (srun --mpi=pmix,
#                           or mpirun when this Slurm has no pmix plugin; SILKFLOW_LAUNCHER)
#   sf_step CMD...          run CMD in the background, forward USR1/TERM to it as USR1 (the
#                           signal that makes silkflow stop at the end of the current round),
#                           wait for it; its exit code is returned, SF_SIGNAL names the signal
#   sf_check_result RC FILE the step's exit code, or 2 when it "succeeded" without writing FILE
#   sf_requeue_or_fail RC [CACHEDIR]   after a clean stop by a signal: requeue this job (it
#                           then continues with --resume) if this allocation completed a year
#                           and it was requeued fewer than SILKFLOW_MAX_REQUEUE times
#   sf_ini_get FILE SECTION KEY      one value of an INI file (comments stripped)
#   sf_ini_override IN OUT sec.key=value ...   copy of IN with these keys replaced and
#                           every relative input path made absolute (so OUT may live anywhere)
#   sf_output_file CONFIG   the [output] file of CONFIG (default out/results.h5)
#   sf_years_expand SPEC    "1995-1997,2001" -> "1995 1996 1997 2001"
#   sf_years_chunks N Y...  groups of N years as --years specs, one per line ("1995-1997")
#
# Variables read (all optional):
#   SILKFLOW              the silkflow binary [bin/silkflow of the checkout holding this file]
#   SILKFLOW_LAUNCHER     auto | pmix | pmi2 | mpirun | none   [auto]
#                         auto = srun --mpi=pmix when `srun --mpi=list` has pmix, else mpirun
#                         (Debian's Open MPI runs under pmix, not under Slurm's pmi2)
#   SILKFLOW_MPIRUN       the mpirun command for the mpirun launcher [mpirun]
#   SILKFLOW_MAX_REQUEUE  how often a job may requeue itself after a clean stop [10]

SF_TAG=${SF_TAG:-silkflow-slurm}

sf_log() { echo "$SF_TAG: $(date '+%F %T') $*" >&2; }
sf_die() { sf_log "error: $*"; exit 1; }

sf_init() {
    # Slurm starts a batch script in the submit directory already; outside Slurm
    # (a plain `bash slurm/x.sbatch`, useful for tests) stay where we are.
    if [[ -n ${SLURM_SUBMIT_DIR:-} ]]; then cd "$SLURM_SUBMIT_DIR" || sf_die "cannot cd to $SLURM_SUBMIT_DIR"; fi
    SILKFLOW=${SILKFLOW:-$SF_HOME/bin/silkflow}
    [[ -x $SILKFLOW ]] || command -v "$SILKFLOW" >/dev/null ||
        sf_die "silkflow binary '$SILKFLOW' not found (build it with make, or set SILKFLOW=/path/to/silkflow)"
    export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
}

# ---- MPI launch --------------------------------------------------------------------------
sf_pick_launcher() {
    local l=${SILKFLOW_LAUNCHER:-auto}
    if [[ $l == auto ]]; then
        if [[ -z ${SLURM_JOB_ID:-} ]]; then
            l=none
        elif srun --mpi=list 2>&1 | grep -qw pmix; then
            l=pmix
        else
            l=mpirun
        fi
    fi
    echo "$l"
}

sf_launch() {
    local l
    l=$(sf_pick_launcher)
    case $l in
        pmix | pmi2)
            # one rank per task of the allocation; --kill-on-bad-exit: a rank that dies takes
            # the others down instead of leaving them waiting in a collective
            sf_log "launch: srun --mpi=$l (${SLURM_NTASKS:-1} ranks on ${SLURM_JOB_NUM_NODES:-1} node(s))"
            exec srun --mpi="$l" --kill-on-bad-exit=1 "$@" ;;
        mpirun)
            # this Slurm has no pmix plugin: Open MPI's mpirun reads the allocation itself
            sf_log "launch: ${SILKFLOW_MPIRUN:-mpirun} (no pmix plugin in this Slurm; ${SLURM_NTASKS:-1} ranks)"
            exec ${SILKFLOW_MPIRUN:-mpirun} -n "${SLURM_NTASKS:-1}" "$@" ;;
        none)
            sf_log "launch: single process"
            exec "$@" ;;
        *) sf_die "SILKFLOW_LAUNCHER=$l: expected auto, pmix, pmi2, mpirun or none" ;;
    esac
}

# ---- signals -----------------------------------------------------------------------------
# Bash runs a trap only once the foreground command ends, so the step runs in the
# background and the script waits for it: then `scancel --signal=USR1 --batch` (or
# --signal=B:USR1@T before the time limit) reaches the trap at once. The step gets
# USR1 whatever came in: srun and mpirun both pass USR1 on to every rank, whereas a
# TERM would make them kill the ranks after a few seconds instead of letting
# silkflow finish its round.
SF_SIGNAL=
SF_STEP_START=
sf_step() {
    SF_SIGNAL=
    SF_STEP_START=$(date +%s)
    ( sf_launch "$@" ) &
    local pid=$! rc
    trap 'SF_SIGNAL=USR1; sf_log "USR1: asking the step to stop at the end of its round"; kill -USR1 '"$pid"' 2>/dev/null' USR1
    trap 'SF_SIGNAL=TERM; sf_log "TERM: asking the step to stop at the end of its round"; kill -USR1 '"$pid"' 2>/dev/null' TERM
    while :; do
        wait "$pid"
        rc=$?
        ((rc > 128)) || break
        # 128+n: a trapped signal interrupted the wait (the step may still run), or the
        # step died of signal n
        kill -0 "$pid" 2>/dev/null && continue
        # it ended meanwhile: bash kept its status unless this wait was the one that took it
        local rc2
        wait "$pid" 2>/dev/null
        rc2=$?
        ((rc2 != 127)) && rc=$rc2
        break
    done
    trap - USR1 TERM
    return "$rc"
}

# After the step: 0 when it finished; after a clean stop by a signal, requeue,
# as long as this allocation completed at least one year (a year file in CACHEDIR
# written since the step started; without CACHEDIR this is not checked) and the job
# was requeued fewer than SILKFLOW_MAX_REQUEUE times.
sf_requeue_or_fail() {
    local rc=$1 cache=${2:-} max=${SILKFLOW_MAX_REQUEUE:-10} n=${SLURM_RESTART_COUNT:-0}
    ((rc == 0)) && return 0
    # silkflow exits 1 after a clean stop; 2 is a failure that a requeue would repeat
    if ((rc == 1)) && [[ $SF_SIGNAL == USR1 && -n ${SLURM_JOB_ID:-} ]]; then
        if ((n >= max)); then
            sf_log "stopped by $SF_SIGNAL (exit $rc) but already requeued $n times (SILKFLOW_MAX_REQUEUE=$max): giving up;" \
                "completed years are kept, resubmit to continue"
            return "$rc"
        fi
        if [[ -n $cache ]]; then
            local ndone
            ndone=$(find "$cache" -maxdepth 1 -name '*.h5' -newermt "@$SF_STEP_START" 2>/dev/null | wc -l)
            if ((ndone == 0)); then
                sf_log "stopped by $SF_SIGNAL (exit $rc) before completing any year in this allocation: not requeueing" \
                    "(a longer time limit, or more ranks, is needed); resubmit to continue"
                return "$rc"
            fi
            sf_log "this allocation completed $ndone year(s)"
        fi
        sf_log "stopped cleanly by $SF_SIGNAL (exit $rc): requeueing job $SLURM_JOB_ID (restart $((n + 1)) of at most $max);" \
            "it continues with --resume"
        # scontrol requeue ends this script: nothing after it runs when it succeeds
        if scontrol requeue "$SLURM_JOB_ID"; then
            sleep 30 # slurmctld ends this batch script now
            return "$rc"
        fi
        sf_log "scontrol requeue failed (the site may forbid requeueing): resubmit the job to continue"
        return "$rc"
    fi
    [[ -n $SF_SIGNAL ]] && sf_log "stopped by $SF_SIGNAL (exit $rc): completed years are kept; resubmit to continue"
    return "$rc"
}

# rc of the step, but 2 when it says it succeeded without writing RESULT since it
# started: srun can report 0 when its tasks could not even be launched
sf_check_result() {
    local rc=$1 result=$2
    if ((rc == 0)) && ! [[ -f $result && $(stat -c %Y "$result") -ge ${SF_STEP_START:-0} ]]; then
        sf_log "the step exited 0 but did not write $result (a launch failure?): counted as a failure"
        return 2
    fi
    return "$rc"
}

# ---- INI files ---------------------------------------------------------------------------
# value of KEY in [SECTION] (first occurrence), inline "; comment" and "# comment" stripped
sf_ini_get() {
    local file=$1 sec=$2 key=$3
    awk -v sec="$sec" -v key="$key" '
        function trim(s) { sub(/^[ \t\r]+/, "", s); sub(/[ \t\r]+$/, "", s); return s }
        /^[ \t]*[;#]/ { next }
        /^[ \t]*\[/ { s = $0; sub(/^[ \t]*\[/, "", s); sub(/\].*/, "", s); cur = trim(s); next }
        cur == sec {
            i = index($0, "="); if (i == 0) next
            k = trim(substr($0, 1, i - 1)); if (k != key) next
            v = substr($0, i + 1); sub(/[ \t]+[;#].*$/, "", v); print trim(v); exit
        }' "$file"
}

sf_output_file() {
    local f
    f=$(sf_ini_get "$1" output file)
    echo "${f:-out/results.h5}"
}

# the keys whose values are input paths, resolved by silkflow against the current
# directory first, then against the config file's directory
SF_INI_PATH_KEYS=" data.path data.aliases model.partners model.concordance covariates.file covariates.sources estimate.models "

sf_abspath() { # PATH relative to the current directory -> absolute (need not exist)
    case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac
}

sf_ini_override() {
    local in=$1 out=$2
    shift 2
    [[ -r $in ]] || sf_die "config $in: cannot read"
    local cfgdir
    cfgdir=$(cd "$(dirname "$in")" && pwd)
    declare -A over=()
    local kv
    for kv in "$@"; do over[${kv%%=*}]=${kv#*=}; done
    local line sec='' key val rest tmp
    tmp=$out.tmp.$$
    {
        echo "; generated by slurm/lib.sh from $(sf_abspath "$in") on $(date '+%F %T'); do not edit"
        while IFS= read -r line || [[ -n $line ]]; do
            line=${line%$'\r'}
            if [[ $line =~ ^[[:space:]]*\[([^]]*)\] ]]; then
                sec=${BASH_REMATCH[1]}
                sec=${sec//[[:space:]]/}
                echo "$line"
                continue
            fi
            if [[ $line =~ ^[[:space:]]*([A-Za-z0-9_]+)[[:space:]]*=(.*)$ ]]; then
                key=${BASH_REMATCH[1]}
                rest=${BASH_REMATCH[2]}
                if [[ -n ${over[$sec.$key]+x} ]]; then
                    echo "; $line    (replaced below)"
                    continue
                fi
                if [[ $SF_INI_PATH_KEYS == *" $sec.$key "* ]]; then
                    val=$(sed -E 's/[[:space:]]+[;#].*$//; s/^[[:space:]]+//; s/[[:space:]]+$//' <<<"$rest")
                    if [[ -n $val && $val != /* && ${val,,} != none ]]; then
                        if [[ -e $val ]]; then
                            val=$PWD/$val
                        elif [[ -e $cfgdir/$val ]]; then
                            val=$cfgdir/$val
                        fi
                        echo "$key = $val"
                        continue
                    fi
                fi
            fi
            echo "$line"
        done <"$in"
        # the replaced keys, section by section (a section may appear twice in an INI file)
        local k last=
        for k in $(printf '%s\n' "${!over[@]}" | sort); do
            [[ ${k%%.*} == "$last" ]] || printf '[%s]\n' "${k%%.*}"
            last=${k%%.*}
            printf '%s = %s\n' "${k#*.}" "${over[$k]}"
        done
    } >"$tmp" && mv -f "$tmp" "$out"
}

# ---- years -------------------------------------------------------------------------------
sf_years_expand() {
    local spec=${1//[[:space:]]/} part a b y out=()
    local IFS=,
    for part in $spec; do
        if [[ $part =~ ^([0-9]{4})-([0-9]{4})$ ]]; then
            a=${BASH_REMATCH[1]} b=${BASH_REMATCH[2]}
            ((a <= b)) || sf_die "years '$part': first year after last"
            for ((y = a; y <= b; y++)); do out+=("$y"); done
        elif [[ $part =~ ^[0-9]{4}$ ]]; then
            out+=("$part")
        elif [[ -n $part ]]; then
            sf_die "years '$1': expected a list like 1995-2011 or 2003,2005-2007"
        fi
    done
    IFS=' '
    echo "${out[*]}"
}

# "1995 1996 1997 2001" -> "1995-1997,2001"
sf_years_compact() {
    local res='' a='' b='' y
    for y in "$@"; do
        if [[ -n $b && $y == $((b + 1)) ]]; then b=$y; continue; fi
        [[ -n $a ]] && res+="${res:+,}$a$([[ $a != "$b" ]] && echo "-$b")"
        a=$y b=$y
    done
    [[ -n $a ]] && res+="${res:+,}$a$([[ $a != "$b" ]] && echo "-$b")"
    echo "$res"
}

sf_years_chunks() {
    local n=$1
    shift
    ((n >= 1)) || sf_die "chunk size must be >= 1"
    local i
    for ((i = 1; i <= $#; i += n)); do
        sf_years_compact "${@:i:n}"
    done
}

# SF_HOME: the silkflow checkout this library belongs to (slurm/..)
SF_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
