/* silkflow stats: the pairs cluster bootstrap engine (used by the estimator
 * for mediation indirect effects and `bootstrap = pairs`). */
#ifndef SILKFLOW_STATS_BOOT_H
#define SILKFLOW_STATS_BOOT_H

#include "silkflow/stats.h"

/* Intersection of two groupings (levels numbered by first appearance). */
void sf_group_intersect(const sf_group *a, const sf_group *b, sf_group *out);

/* One requested quantity per replicate: the coefficient of variable `reg`
 * (the last regressor) in the regression of variable `dep` on the FEs and
 * the variables 0..reg. Indices refer to the columns of V. */
typedef struct {
    int dep, reg;
} sf_pairs_req;

typedef struct {
    size_t n;
    const sf_group *fe; /* absorbed FEs (nfe = 0: a constant) */
    int nfe;
    const double *V;    /* n x m column-major variables, in regression order */
    int m;
    const sf_group *cl; /* resampled clusters (NULL: rows) */
    const sf_pairs_req *req;
    int nreq;
    long B;
    uint64_t seed;
    int rank, size;
    sf_reduce_fn reduce;
} sf_pairs_in;

/* Fills vals (B x nreq, row per replicate; NaN where a replicate could not
 * identify the coefficient). Every process gets the full array. */
int sf_pairs(const sf_pairs_in *in, double *vals, sf_err *e);

/* The requested coefficients on the original sample (all weights 1), by the
 * same algebra (used by the tests to check the engine against OLS). */
int sf_pairs_point(const sf_pairs_in *in, double *vals, sf_err *e);

#endif
