/* The helpers the column builders of the covariates share (cov_build.h):
 * labels, report cells of absent sources, source lookup, small statistics.
 * In their own file so that covariates.c (the driver) calls the builders
 * (cov_wb.c, cov_culture.c, cov_pairs.c, cov_status.c) and the builders call
 * these, without a circle (docs/architecture.md). */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cov_build.h"

/* "SUD (as SDN)" when the canonical code differs from the given one. */
void cov_label(const char *given, const char *canon, char *buf, size_t n)
{
    char up[16];
    size_t i = 0;
    for (; given[i] && i < sizeof up - 1; i++) up[i] = (char)toupper((unsigned char)given[i]);
    up[i] = '\0';
    if (strcmp(up, canon))
        snprintf(buf, n, "%s (as %s)", given, canon);
    else
        snprintf(buf, n, "%s", given);
}

void cov_list_partner(const ctx_t *x, int p, cov_strs *l)
{
    char lb[48];
    cov_label(x->pg[p], x->pc[p], lb, sizeof lb);
    cov_strs_add_unique(l, lb);
}

int cov_col_begin(ctx_t *x, const char *name, double **data)
{
    *data = sf_frame_add_num(x->f, name);
    return cov_rep_col(x->rep, name, x->nrow);
}

/* Every cell of a column missing for one reason. */
void cov_all_missing_code(ctx_t *x, int col, const char *kind, const char *code)
{
    for (int p = 0; p < x->np; p++)
        for (int t = 0; t < x->ny; t++) cov_rep_cell(x->rep, col, 1, kind, code, x->years[t]);
}

int cov_source_absent(ctx_t *x, int col, const char *name, const char *what)
{
    cov_rep_unavailable(x->rep, col);
    char kind[512];
    snprintf(kind, sizeof kind, "source file absent (%s)", what);
    cov_all_missing_code(x, col, kind, "");
    cov_rep_warn(x->rep, "%s: no %s in %s: column %s is missing (NaN) in every row", name, what, x->dir, name);
    return SF_OK;
}

char *cov_find_note(ctx_t *x, const char *name, const char *pattern)
{
    char *others = NULL;
    char *path = cov_find_source(x->dir, pattern, &others);
    if (path) cov_rep_note(x->rep, "%s: read %s", name, path);
    if (others) {
        cov_rep_note(x->rep, "%s: several files match %s; used %s, not %s", name, pattern, sf_basename(path), others);
        free(others);
    }
    return path;
}

void cov_warn_absent(ctx_t *x, const char *col, const char *file, cov_strs *l, const char *what)
{
    if (!l->n) return;
    char *s = cov_strs_join(l);
    cov_rep_warn(x->rep, "%s: no data in %s for %s (%s)", col, file, s, what);
    free(s);
    cov_strs_free(l);
}

/* Sample variance (n - 1) of the finite values; NaN when fewer than 2. */
double cov_sample_var(const double *v, int n)
{
    double s = 0;
    int m = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(v[i])) {
            s += v[i];
            m++;
        }
    if (m < 2) return NAN;
    double mean = s / m, ss = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(v[i])) ss += (v[i] - mean) * (v[i] - mean);
    return ss / (m - 1);
}

/* Does a table have data (a column or a record) for year y? Its range. */
int cov_cy_covers(const cov_cy *t, int y) { return y >= t->y0 && y < t->y0 + t->ny && t->has_year[y - t->y0]; }

void cov_cy_range(const cov_cy *t, int *first, int *last)
{
    *first = *last = -1;
    for (int k = 0; k < t->ny; k++)
        if (t->has_year[k]) {
            if (*first < 0) *first = t->y0 + k;
            *last = t->y0 + k;
        }
}
