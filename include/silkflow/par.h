/* silkflow par: the only module that talks to MPI and BLACS/ScaLAPACK.
 * Numerics (core, stats) never call MPI; they get data from here. */
#ifndef SILKFLOW_PAR_H
#define SILKFLOW_PAR_H

#include "silkflow/common.h"

/* Initialise MPI (works under mpirun/srun and as a single process).
 * Idempotent; sf_par_finalize is registered by the caller. */
void sf_par_init(int *argc, char ***argv);
void sf_par_finalize(void);
int sf_par_rank(void);
int sf_par_size(void);
/* In-place sum over all ranks of MPI_COMM_WORLD. */
void sf_par_allreduce_sum(double *buf, long n);
/* Broadcast from rank 0 of MPI_COMM_WORLD. */
void sf_par_bcast(void *buf, long nbytes);
/* Logical OR/AND of a flag over all ranks. */
int sf_par_any(int flag);
/* Abort all ranks with an exit code (after printing on the calling rank). */
void sf_par_abort(int code);

#endif
