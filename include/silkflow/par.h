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
/* End of a round of years: combine the status of every rank (max code over
 * MPI_COMM_WORLD); rank 0 receives the message of the lowest failing rank in
 * e. Also returns the max in *stop of the local stop flags (signals). */
int sf_par_round_sync(int code, sf_err *e, int stop_local, int *stop);
/* Gather fixed-size records (nbytes each) from every world rank to rank 0
 * (out: world_size * nbytes on rank 0, may be NULL elsewhere). */
void sf_par_gather_bytes(const void *rec, long nbytes, void *out);
/* Broadcast an int / a malloc'ed string (root 0 of MPI_COMM_WORLD). */
void sf_par_bcast_int(int *v);
/* Max over all ranks of MPI_COMM_WORLD. */
double sf_par_max_double(double v);
/* Peak resident memory of this process (bytes, getrusage). */
double sf_peak_rss(void);
/* The MPI library's version string, first line up to the first comma
 * ("Open MPI v4.1.4"), and the MPI standard it implements (major, minor). */
void sf_par_version(char *buf, size_t n, int *major, int *minor);
/* Open MPI's point-to-point layer as sf_par_init left it, for the plan line:
 * "pml ob1 (one node: chosen by silkflow; ...)", the user's, or Open MPI's */
const char *sf_par_pml(void);

#endif
