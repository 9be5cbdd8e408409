#!/usr/bin/env bash
# slurm/submit-pipeline.sh — submit silkflow as two dependent Slurm jobs:
#   stage 1 (slurm/years.sbatch): the years, as one MPI job or as a job array over
#           ranges of years (--chunk), no estimation;
#   stage 2 (slurm/finish.sbatch): --dependency=afterok on stage 1: collects the
#           years, assembles the results file, estimates. If a stage-1 task fails,
#           stage 2 is cancelled (--kill-on-invalid-dep=yes) instead of waiting forever.
#
#   slurm/submit-pipeline.sh [options] CONFIG [silkflow run options]
#
# options:
#   -c, --chunk N        years per array task; 0 = one job for all years        [0]
#   -y, --years SPEC     the years (1995-2016, 2003,2005-2007)   [CONFIG's [data] years]
#   -n, --ntasks N       MPI ranks of each stage-1 job                            [2]
#   -N, --nodes N        nodes of each stage-1 job                    [as Slurm sees fit]
#   -t, --time T         time limit of each stage-1 job              [partition default]
#   -p, --partition P    partition of both stages                    [SBATCH_PARTITION]
#       --max-parallel K at most K array tasks at once (--array=0-M%K)
#       --finish-ntasks N  ranks of stage 2 (estimation runs on rank 0)            [1]
#       --finish-time T    time limit of stage 2                    [partition default]
#       --sbatch "OPTS"  more sbatch options for both stages (e.g. "-A project --mem=0")
#       --dry-run        print the sbatch commands, submit nothing
#   -h, --help
# Prints the job ids ("years job: ID", "finish job: ID") and the one-liners to watch them.
#
# examples:
#   slurm/submit-pipeline.sh -N 2 -n 64 -t 1:00:00 configs/eora26.ini
#   slurm/submit-pipeline.sh --chunk 4 -n 16 --max-parallel 3 configs/eora26.ini --quiet
# Environment: SILKFLOW_WORK (where the array tasks keep their caches, default
# <[output] file>.work), SILKFLOW, SILKFLOW_LAUNCHER (see slurm/lib.sh); exported to the jobs.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/lib.sh"
# shellcheck disable=SC2034 # read by slurm/lib.sh
SF_TAG=submit-pipeline

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }

chunk=0 years='' ntasks=2 nodes='' time='' partition='' maxpar='' fntasks=1 ftime='' extra='' dry=0
config='' runopts=()
while (($#)); do
    case $1 in
    -c | --chunk) chunk=$2; shift ;;
    -y | --years) years=$2; shift ;;
    -n | --ntasks) ntasks=$2; shift ;;
    -N | --nodes) nodes=$2; shift ;;
    -t | --time) time=$2; shift ;;
    -p | --partition) partition=$2; shift ;;
    --max-parallel) maxpar=$2; shift ;;
    --finish-ntasks) fntasks=$2; shift ;;
    --finish-time) ftime=$2; shift ;;
    --sbatch) extra=$2; shift ;;
    --dry-run) dry=1 ;;
    -h | --help) usage; exit 0 ;;
    *)
        if [[ -z $config && $1 != -* ]]; then config=$1; else runopts+=("$1"); fi ;;
    esac
    shift
done
[[ -n $config ]] || { usage >&2; exit 1; }
[[ -r $config ]] || sf_die "config $config: cannot read"
[[ $chunk =~ ^[0-9]+$ ]] || sf_die "--chunk $chunk: expected a number of years"

[[ -n $years ]] || years=$(sf_ini_get "$config" data years)
[[ -n $years ]] || sf_die "$config: no [data] years and no --years"
read -r -a ylist <<<"$(sf_years_expand "$years")"
((${#ylist[@]})) || sf_die "no years in '$years'"
specs=()
if ((chunk > 0)); then
    mapfile -t specs < <(sf_years_chunks "$chunk" "${ylist[@]}")
else
    specs=("$(sf_years_compact "${ylist[@]}")")
fi

common=(--parsable)
[[ -n $partition ]] && common+=(-p "$partition")
# shellcheck disable=SC2206 # --sbatch is a list of options, split on blanks on purpose
[[ -n $extra ]] && common+=($extra)
s1=("${common[@]}" -n "$ntasks")
[[ -n $nodes ]] && s1+=(-N "$nodes")
[[ -n $time ]] && s1+=(-t "$time")
if ((${#specs[@]} > 1)); then
    s1+=(--array="0-$((${#specs[@]} - 1))${maxpar:+%$maxpar}" --output=silkflow-years-%A_%a.out)
fi

submit() { # prints the job id
    if ((dry)); then
        echo "sbatch $*" >&2
        echo "DRYRUN$RANDOM"
    else
        sbatch "$@" | cut -d';' -f1
    fi
}

# the jobs find slurm/lib.sh through this (their script runs from a spool copy)
export SILKFLOW_HOME=${SILKFLOW_HOME:-$SF_HOME}
j1=$(submit "${s1[@]}" "$here/years.sbatch" "$config" "${specs[@]}" "${runopts[@]}")
[[ -n $j1 ]] || sf_die "stage 1 submission failed"
s2=("${common[@]}" -n "$fntasks" --dependency="afterok:$j1" --kill-on-invalid-dep=yes
    --export="ALL,SILKFLOW_MERGE=$j1")
[[ -n $ftime ]] && s2+=(-t "$ftime")
# the final run assembles exactly the years asked for; --force was for stage 1 (stage 2
# would recompute every year)
fopts=()
for o in "${runopts[@]}"; do [[ $o == --force ]] || fopts+=("$o"); done
[[ $years != "$(sf_ini_get "$config" data years)" ]] && fopts=(--years "$years" "${fopts[@]}")
j2=$(submit "${s2[@]}" "$here/finish.sbatch" "$config" "${fopts[@]}") || {
    sf_log "stage 2 submission failed: cancelling stage 1 ($j1)"
    ((dry)) || scancel "$j1"
    exit 1
}
echo "years job: $j1 (${#specs[@]} task(s): ${specs[*]})"
echo "finish job: $j2 (after $j1 succeeds)"
echo "watch: squeue -j $j1,$j2    details: scontrol show job $j2"
