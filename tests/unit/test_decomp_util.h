/* Helpers for the decomposition tests (test_decomp_*.c): labels and tables
 * built in memory, CSV matrices, and a dense Leontief inverse. */
#ifndef TEST_DECOMP_UTIL_H
#define TEST_DECOMP_UTIL_H

#include <cblas.h>
#include <lapacke.h>

#include "silkflow/decomp.h"
#include "silkflow/frame.h"
#include "silkflow/mrio.h"
#include "testlib.h"

/* Labels of G regions with Ns[g] sectors and nfd_per final-demand categories
 * each. Codes and names default to R<g> and R<g>.S<i>. */
static inline sf_labels *td_labels(int G, const int *Ns, int nfd_per, char *const *codes, char *const *secnames)
{
    sf_labels *lab = sf_calloc(1, sizeof *lab);
    lab->G = G;
    lab->region_code = sf_calloc((size_t)G, sizeof(char *));
    lab->region_code_raw = sf_calloc((size_t)G, sizeof(char *));
    lab->region_name = sf_calloc((size_t)G, sizeof(char *));
    lab->region_start = sf_calloc((size_t)G + 1, sizeof(int));
    char buf[256];
    lab->homogeneous = 1;
    for (int g = 0; g < G; g++) {
        if (codes) snprintf(buf, sizeof buf, "%s", codes[g]);
        else snprintf(buf, sizeof buf, "R%d", g);
        lab->region_code[g] = sf_strdup(buf);
        lab->region_code_raw[g] = sf_strdup(buf);
        lab->region_name[g] = sf_strdup(buf);
        lab->region_start[g + 1] = lab->region_start[g] + Ns[g];
        if (Ns[g] > lab->max_sectors) lab->max_sectors = Ns[g];
        if (Ns[g] != Ns[0]) lab->homogeneous = 0;
    }
    const int n = lab->region_start[G];
    lab->n = n;
    lab->sector_region = sf_calloc((size_t)n, sizeof(int));
    lab->sector_industry = sf_calloc((size_t)n, sizeof(int));
    lab->sector_name = sf_calloc((size_t)n, sizeof(char *));
    for (int g = 0; g < G; g++)
        for (int k = lab->region_start[g]; k < lab->region_start[g + 1]; k++) {
            lab->sector_region[k] = g;
            lab->sector_industry[k] = k - lab->region_start[g] + 1;
            if (secnames) snprintf(buf, sizeof buf, "%s", secnames[k]);
            else snprintf(buf, sizeof buf, "%s.S%d", lab->region_code[g], k - lab->region_start[g] + 1);
            lab->sector_name[k] = sf_strdup(buf);
        }
    lab->nfd = G * nfd_per;
    lab->fd_region = sf_calloc((size_t)lab->nfd, sizeof(int));
    lab->fd_name = sf_calloc((size_t)lab->nfd, sizeof(char *));
    for (int f = 0; f < lab->nfd; f++) {
        lab->fd_region[f] = f / nfd_per;
        snprintf(buf, sizeof buf, "FD%d", f % nfd_per + 1);
        lab->fd_name[f] = sf_strdup(buf);
    }
    return lab;
}

/* xorshift64 in [0, 1), the state owned by the caller */
static inline double td_urand(unsigned long long *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (double)(*s >> 11) / 9007199254740992.0;
}

/* A random table over lab: intermediate use mostly domestic (8 against 1),
 * final demand mostly for home goods (30 against 3); Z then F are drawn
 * row by row from *rng. The caller frees with sf_table_free. */
static inline void td_random_table(sf_labels *lab, int year, unsigned long long *rng, sf_table *t)
{
    const int n = lab->n;
    const size_t N = (size_t)n;
    memset(t, 0, sizeof *t);
    t->lab = lab;
    t->year = year;
    t->Z = sf_calloc(N * N, sizeof(double));
    t->F = sf_calloc(N * (size_t)lab->nfd, sizeof(double));
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            t->Z[i * n + j] = (lab->sector_region[i] == lab->sector_region[j] ? 8.0 : 1.0) * td_urand(rng);
    for (int i = 0; i < n; i++)
        for (int f = 0; f < lab->nfd; f++)
            t->F[i * lab->nfd + f] = (lab->fd_region[f] == lab->sector_region[i] ? 30 : 3) * td_urand(rng);
}

/* Numeric part of a CSV (columns from first_col on), row-major, malloc'ed. */
static inline double *td_read_csv(const char *path, int first_col, int *nrow, int *ncol, sf_frame **keep)
{
    sf_frame *f;
    sf_err e = {0};
    if (sf_frame_read_csv(path, &f, &e) != SF_OK) {
        fprintf(stderr, "%s\n", e.msg);
        exit(2);
    }
    const int nc = f->ncol - first_col;
    double *m = sf_calloc(f->nrow * (size_t)nc + 1, sizeof(double));
    for (int c = 0; c < nc; c++) {
        const sf_column *col = &f->cols[first_col + c];
        if (col->type != SF_COL_NUM) {
            fprintf(stderr, "%s: column %s is not numeric\n", path, col->name);
            exit(2);
        }
        for (size_t i = 0; i < f->nrow; i++) m[i * nc + c] = col->num[i];
    }
    *nrow = (int)f->nrow;
    *ncol = nc;
    if (keep) *keep = f;
    else sf_frame_free(f);
    return m;
}

/* B = (I - A)^-1 with A = Z diag(x)^-1 (zero columns for zero-output sectors). */
static inline double *td_inverse(int n, const double *Z, const sf_derived *d)
{
    const size_t N = (size_t)n;
    double *B = sf_malloc(N * N * sizeof(double));
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < N; j++) B[i * N + j] = (i == j) - (d->zero[j] ? 0.0 : Z[i * N + j] / d->x[j]);
    lapack_int *ipiv = sf_malloc(N * sizeof(lapack_int));
    lapack_int info = LAPACKE_dgetrf(LAPACK_ROW_MAJOR, n, n, B, n, ipiv);
    if (!info) info = LAPACKE_dgetri(LAPACK_ROW_MAJOR, n, B, n, ipiv);
    free(ipiv);
    if (info) {
        fprintf(stderr, "td_inverse: LAPACK info %d\n", (int)info);
        exit(2);
    }
    return B;
}

/* Largest |a - b| / max(1, |b|) over m entries. */
static inline double td_maxdiff(const double *a, const double *b, size_t m)
{
    double w = 0;
    for (size_t i = 0; i < m; i++) {
        double s = fabs(b[i]) > 1 ? fabs(b[i]) : 1, r = fabs(a[i] - b[i]) / s;
        if (isnan(r)) return INFINITY;
        if (r > w) w = r;
    }
    return w;
}

#endif
