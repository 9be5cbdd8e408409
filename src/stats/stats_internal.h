/* silkflow stats: helpers shared by the src/stats files (not a public API;
 * the unit tests may use them). */
#ifndef SILKFLOW_STATS_INTERNAL_H
#define SILKFLOW_STATS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "silkflow/stats.h"

/* ---- small dense linear algebra (column-major, k x k symmetric) ---- */
/* Cholesky-based inverse of an SPD matrix in place; returns 0 or -1. */
int sf_spd_inverse(double *A, int k);
/* Symmetric eigen decomposition (LAPACK dsyevd): A is overwritten by the
 * eigenvectors (columns), w by the eigenvalues ascending. 0 ok. */
int sf_sym_eigen(double *A, int k, double *w);
/* Pseudo-inverse of a symmetric PSD matrix in place (eigenvalues below
 * tol * max are treated as 0). Returns the rank. */
int sf_sym_pinv(double *A, int k, double tol);
/* Generalized inverse of a symmetric matrix as Stata's invsym()/test: Gauss-
 * Jordan with the largest remaining positive diagonal as pivot; pivots below
 * max|diag| * sqrt(eps) end the sweep and their rows/columns are zeroed.
 * Returns the rank. */
int sf_sym_ginv_sweep(double *A, int k);
/* 1 when the correlation form of the SPD matrix V is numerically singular
 * (reciprocal condition below sqrt(eps)). */
int sf_sym_badly_conditioned(const double *V, int k);
/* Make a symmetric matrix PSD by zeroing negative eigenvalues; returns 1 when
 * something changed. */
int sf_sym_psd_fix(double *A, int k);

/* ---- the least-squares core on a prepared design ---- */
typedef struct {
    size_t n;
    double *y;      /* n */
    double *X;      /* n x k column-major; the constant (if any) is the last column */
    int k;
    double *Z;      /* IV: n x l instruments (excluded first, then the exogenous X) */
    int l;
    int nendog;     /* IV: X columns [0, nendog) are endogenous */
    int nexcl;      /* IV: Z columns [0, nexcl) are excluded instruments */
    int has_const;
    int df_fe;      /* extra parameters for K absorbed by the FEs */
    const sf_group *cl;
    int ncl;
    const sf_group *cl12; /* intersection of two cluster dims */
    sf_vcov_kind vcov;
    const sf_ssc *ssc;
    double level;
    int psd_slopes_only; /* two-way PSD repair on the leading k-1 block (FE models) */
} sf_ls_in;

typedef struct {
    double *b, *V, *resid; /* k, k x k, n */
    int K;
    double rss, sigma2, df_resid;
    long G[2];
    long Gmin;
    int psd_fixed;
    int rank_ok;
} sf_ls_out;

/* OLS (Z == NULL) or 2SLS. Returns 0, or -1 when X'X (or the IV matrix) is
 * singular. The caller frees the out arrays with sf_ls_out_free. */
int sf_ls_fit(const sf_ls_in *in, sf_ls_out *out);
void sf_ls_out_free(sf_ls_out *o);

/* Sandwich meat of score rows: S is n x k (row i = score of row i) summed
 * by group (g = NULL: each row). out k x k += sign * factor * sum_g s_g s_g'. */
void sf_meat_add(const double *S, size_t n, int k, const sf_group *g, double factor, double *out);

/* Bootstrap replicates: B (2^G when that enumerates every Rademacher sign vector, no
 * more than the B asked for) and this rank's share [b0, b1). */
typedef struct {
    long B, b0, b1;
    int enumerate;
} sf_boot_share;
void sf_boot_plan(sf_boot_weights w, long B, int G, int rank, int size, sf_boot_share *s);
/* Replicate b's weight of cluster g: the b-th sign vector when enumerating, else a
 * counter-based draw from the weight distribution (Rademacher, Webb, Mammen). */
double sf_boot_weight(sf_boot_weights w, uint64_t seed, int enumerate, uint64_t b, uint64_t g);

/* u0 = Q w0 and u1 = Q w1 for a column-major L x L matrix Q, in one column walk
 * that skips the columns both weights leave out (the bootstraps' replicate step). */
void sf_matvec2(const double *Q, int L, const double *w0, const double *w1, double *u0, double *u1);

/* ---- shared by the WCR (boot.c) and the WRE (wre.c), defined in boot.c ---- */
/* The bootstrap clusters: the one cluster dim, the intersection of two (built
 * in *own) or, without clusters, the rows (in *own); sf_group_free(own). */
const sf_group *sf_boot_clusters(size_t n, const sf_group *cl, int ncl, sf_group *own);
/* The FEs of a model; without any (*nfe = 0) the constant as a one-level FE
 * built in *own (*nfe = 1). */
const sf_group *sf_boot_fe(size_t n, const sf_group *fe, int *nfe, sf_group *own);
/* The dimensions of the cluster variance over the bootstrap clusters: one
 * (the rows or one cluster dim) or three (CGM two-way: dim 0, dim 1 and their
 * intersection with the negative sign), each with its small-sample factor. */
typedef struct {
    int ndim;
    int *map[3]; /* bootstrap cluster -> level of dim d; NULL: the bootstrap clusters */
    int G[3];    /* levels of dim d */
    double f[3]; /* factor, with sign */
} sf_vdims;
void sf_vdims_setup(sf_vdims *d, const sf_ssc *ssc, const sf_group *cl, int ncl, size_t n, double K,
                    const sf_group *bcl);
void sf_vdims_free(sf_vdims *d);
/* With a, b per bootstrap cluster (G values) summed to each dim's levels:
 * q = sum_d f_d (a'a, a'b, b'b); b = NULL gives q[0] only. work: 2 G doubles. */
void sf_vdims_quad(const sf_vdims *d, const double *a, const double *b, int G, double *work, double q[3]);
/* Test inversion: the boundary of {r : p(r) > alpha} on side dir (+1/-1) of
 * center, the step start doubled until p falls (at most maxgrow times, else
 * +-inf), then bisection (at most maxit steps, until the bracket is <= tol). */
double sf_boot_invert(double (*p)(void *, double), void *ctx, double center, double alpha, int dir, double start,
                      int maxgrow, int maxit, double tol);
/* alpha = 1 - level (0.05 by default) and the quantile q of t(G - 1), t(N - K)
 * or the normal that scales the SE to start the CI search (2 when undefined). */
double sf_boot_ci_q(double level, const sf_ssc *ssc, int ncl, int G, double N, double K, double *alpha);

/* ---- the statistics of a fit stored as attributes of /estimates/<model>
 * (docs/output.md): the one list that stats/h5.c writes and est_read.c reads
 * back. when: SF_FA_ALL every fit, SF_FA_IV IV models, SF_FA_MED mediation. */
enum { SF_FA_ALL, SF_FA_IV, SF_FA_MED };
typedef struct {
    const char *name;
    size_t off; /* offsetof(sf_fit, the double) */
    int when;
} sf_fit_attr;
extern const sf_fit_attr sf_fit_attrs[];
extern const int sf_fit_nattrs;
/* the per-coefficient datasets b, se, t, p, ci_lo, ci_hi (off: the double *) */
extern const sf_fit_attr sf_fit_vectors[];
extern const int sf_fit_nvectors;
#define SF_FIT_FIELD(f, a) (*(double *)((char *)(f) + (a)->off))
#define SF_FIT_VECTOR(f, a) (*(double **)((char *)(f) + (a)->off))

#endif
