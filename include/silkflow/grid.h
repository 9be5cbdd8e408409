/* silkflow par: the plan (years over groups of ranks), one BLACS grid per
 * group, block-cyclic distribution, and the distributed Leontief inversion
 * with the products the decompositions need. Only src/par talks to MPI. */
#ifndef SILKFLOW_GRID_H
#define SILKFLOW_GRID_H

#include <mpi.h>

#include "silkflow/common.h"
#include "silkflow/decomp.h"
#include "silkflow/mrio.h"

/* Years spread over groups of ranks. Group g owns world ranks
 * [first[g], first[g+1]); year i is computed by group year_group[i]. */
typedef struct {
    int world_size;
    int ngroups;
    int *first;       /* ngroups + 1 */
    int nyears;
    int *years;
    int *year_group;
} sf_plan;

/* ranks_per_year = 0 (auto): as many groups as years allow (min(P, Y)),
 * ranks split evenly; K > 0: groups of K ranks (the remainder spread one
 * rank each over the first groups). Any world size works. */
void sf_plan_make(int world_size, const int *years, int nyears, int ranks_per_year, sf_plan *p);
void sf_plan_free(sf_plan *p);
/* Group of a world rank. */
int sf_plan_group_of(const sf_plan *p, int world_rank);
/* Near-square grid for k ranks, nprow <= npcol. */
void sf_grid_shape(int k, int *nprow, int *npcol);

typedef struct {
    MPI_Comm comm;    /* the group's communicator */
    int group, ngroups;
    int rank, size;   /* within the group */
    int ctxt;         /* BLACS context */
    int sys_handle;   /* BLACS system handle of comm */
    int nprow, npcol, myrow, mycol;
} sf_grid;

int sf_grid_create(const sf_plan *p, MPI_Comm world, sf_grid *g);
/* sf_grid_create on MPI_COMM_WORLD (callers outside src/par name no MPI object). */
int sf_grid_create_world(const sf_plan *p, sf_grid *g);
void sf_grid_free(sf_grid *g);
/* Group-wide helpers: broadcast from the group root, max over the group. */
void sf_grid_bcast_int(const sf_grid *g, int *v);
int sf_grid_max_int(const sf_grid *g, int v);

/* How B was formed: LU (dgetrf + dgetri on a 1 x 1 grid, pdgetrf + pdgetri
 * on larger ones) or blocked Gauss-Jordan (1 x 1 grids, column diagonally
 * dominant I - A; SF_INVERT=lu turns it off; docs/hpc.md "Inversion"). */
enum { SF_INV_LU = 0, SF_INV_GAUSS_JORDAN = 1 };

/* Diagnostics of one year's inversion (HPL-style check). */
typedef struct {
    int method;            /* SF_INV_LU or SF_INV_GAUSS_JORDAN */
    double anorm;          /* ||I - A||_1 */
    double bnorm;          /* ||B||_1 */
    double rcond;          /* reciprocal condition, 1-norm: the LAPACK/ScaLAPACK estimate after LU
                            * ((p)dgecon), exactly 1 / (||I - A||_1 ||B||_1) after Gauss-Jordan */
    double residual;       /* max |(I-A)B - I| over the probe columns */
    double residual_scaled;/* residual / (n eps ||I-A||_1 ||B||_1) */
    int probe_columns;     /* number of columns of B checked */
    int passed;            /* set by the caller's judgement (sf_verify_inverse, pipeline.h), not by par */
    /* seconds of the steps of sf_par_year: distribute (t_scatter, of which
     * forming I - A t_form), factor, invert, dense products (t_products),
     * sweeps, residual; t_collect = from the end of the products to the end
     * (sweeps, residual and the gather of B when stored) */
    double t_scatter, t_factor, t_invert, t_products, t_collect;
    double t_form, t_sweep, t_residual;
} sf_inv_info;

/* Distributed year: invert I - A on the group's grid and compute the
 * products (see decomp.h). Group root (rank 0) passes the table t, derived
 * d and right-hand sides r; other ranks pass NULL for them. lab must be
 * valid on every rank. On the root, p (allocated with sf_products_alloc)
 * receives the products and, when
 * Bfull != NULL, the full B (n x n row-major). Collective over g->comm.
 * Errors: singular or near-singular I - A (SF_EINTERNAL, naming the year
 * and the sector of the failing pivot); the same status on every rank.
 * The residual of the inverse (info->residual, residual_scaled) is returned,
 * not judged: the caller decides (sf_verify_inverse in pipeline.h). */
int sf_par_year(const sf_grid *g, int block, int year, const sf_labels *lab, const sf_table *t,
                const sf_derived *d, const sf_rhs *r, int focal, sf_products *p, double *Bfull,
                sf_inv_info *info, sf_err *e);

/* Memory footprint of one year on one rank (bytes), from the labels and the
 * grid, before anything is allocated (src/par/memory.c explains the model). */
#include "silkflow/config.h"
double sf_mem_year_bytes(const sf_labels *lab, int block, int store_leontief, int store_wwz, int focal, int nprow,
                         int npcol, int myrow, int mycol, int root);
/* Up-front check (collective over world): the footprints of the ranks of
 * each node against its available memory (or [compute] memory_per_rank_gb);
 * a job that cannot fit fails with the smallest ranks_per_year that would.
 * *predicted_root: the largest group root's predicted bytes; *predicted_node:
 * the busiest node's (all its ranks). SF_NODE_MEMORY_GB overrides the
 * available memory of a node. */
int sf_mem_check(const sf_labels *lab, const sf_config *cfg, int focal, const int *years, int ny, MPI_Comm world,
                 double *predicted_root, double *predicted_node, sf_err *e);
/* sf_mem_check on MPI_COMM_WORLD. */
int sf_mem_check_world(const sf_labels *lab, const sf_config *cfg, int focal, const int *years, int ny,
                       double *predicted_root, double *predicted_node, sf_err *e);

#endif
