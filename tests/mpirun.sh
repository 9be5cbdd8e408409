#!/usr/bin/env bash
# Run a command under Open MPI with NP ranks, the way the tests and `make demo`
# need it on a workstation: oversubscription allowed, root allowed, one BLAS
# thread per rank.   usage: tests/mpirun.sh NP command [args...]
set -euo pipefail
np=$1; shift
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# keep Open MPI quiet and local (no network probing on closed machines)
export OMPI_MCA_btl=${OMPI_MCA_btl:-self,vader}
export OMPI_MCA_btl_vader_single_copy_mechanism=${OMPI_MCA_btl_vader_single_copy_mechanism:-none}
export OMPI_MCA_rmaps_base_oversubscribe=1
# Sanitizer build: LeakSanitizer's stop-the-world tracer can crash among Open
# MPI's progress threads with several ranks (a sanitizer failure, not a leak);
# leaks are checked in the single-process runs, ASan and UBSan stay on.
if [[ ${BUILD:-} == build-san && $np -gt 1 ]]; then
  export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0"
fi
fwd=(-x OPENBLAS_NUM_THREADS)
for v in $(compgen -e | grep -E '^(SF_|SILKFLOW_TEST_|ASAN_|LSAN_|UBSAN_)'); do fwd+=(-x "$v"); done
exec mpirun --oversubscribe --bind-to none -n "$np" "${fwd[@]}" "$@"
