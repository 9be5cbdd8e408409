#!/usr/bin/env bash
# The Slurm scripts (slurm/) on a real single-node Slurm cluster started on
# localhost for the test: tests/slurm/run.sh, which `make check-slurm` runs too.
# Skips (77) at once when Slurm is not installed and cannot be (not root, or no
# apt-get), and when tests/slurm/run.sh finds it cannot start the daemons.
# Takes about a minute (the requeue test waits for Slurm's requeue delay).
set -uo pipefail
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null ||
    ! command -v sbatch >/dev/null; then
    if [[ $(id -u) != 0 ]] || ! command -v apt-get >/dev/null; then
        echo "skip: Slurm is not installed (apt-get install slurmctld slurmd slurm-client munge, as root)"
        exit 77
    fi
fi
[[ ${SLURM_TEST_SKIP:-0} == 1 ]] && { echo "skip: SLURM_TEST_SKIP=1"; exit 77; }
# a hung daemon must not hang make check: run.sh stops the cluster on TERM
exec timeout -k 30 600 bash tests/slurm/run.sh
