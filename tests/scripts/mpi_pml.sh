#!/usr/bin/env bash
# Open MPI's point-to-point layer (src/par/par.c, choose_pml): on one node
# silkflow picks ob1 before MPI_Init, so Open MPI does not open the network
# layers (MTLs: PSM, OFI) it would otherwise probe in every run (0.2-0.3 s);
# the plan line says so; a user's OMPI_MCA_pml is kept (and then Open MPI
# opens what it names); a rank started by srun is left to Open MPI.
set -euo pipefail
T=$TMPDIR
fail() { echo "FAIL mpi_pml: $*"; exit 1; }
unset OMPI_MCA_pml
sed -e "s#^models .*#models = none#" -e "s#^file .*#file = $T/out.h5#" \
    -e "s#^tables .*#tables = $T/tables\nreport = false#" configs/wiod2013.ini > "$T/a.ini"
run() { "$@" run "$T/a.ini" --years 2009 --no-lag --years-only --force > "$T/log" 2>&1 || { cat "$T/log"; fail "run failed: $*"; }; }
plan() { grep '^plan: MPI' "$T/log" || true; }
export OMPI_MCA_mtl_base_verbose=10
run tests/mpirun.sh 2 "$BIN"
plan | grep -q 'pml ob1 (one node: chosen by silkflow' || fail "2 ranks on one node: $(plan)"
! grep -q 'opening mtl components' "$T/log" || fail "2 ranks on one node: Open MPI still opened its MTLs"
run "$BIN"
plan | grep -q 'pml ob1 (one node: chosen by silkflow' || fail "one process: $(plan)"
OMPI_MCA_pml=ob1,cm run tests/mpirun.sh 2 "$BIN"
plan | grep -q 'pml ob1,cm (OMPI_MCA_pml set by the user)' || fail "the user's OMPI_MCA_pml: $(plan)"
grep -q 'opening mtl components' "$T/log" || fail "the user's OMPI_MCA_pml=ob1,cm was not what Open MPI used (no MTLs opened)"
SLURM_PROCID=0 run "$BIN"
plan | grep -q 'pml chosen by Open MPI' || fail "a rank started by srun: $(plan)"
echo "ok: ob1 on one node (no MTLs opened), the user's choice kept, srun's ranks left to Open MPI"
