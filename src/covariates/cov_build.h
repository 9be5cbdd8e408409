/* Internal: the state shared by the column builders of the covariates
 * (covariates.c drives them; cov_wb.c POL, ECO, LF; cov_culture.c CUL;
 * cov_pairs.c DIS, FTA; cov_status.c D1, BRI). */
#ifndef SILKFLOW_COV_BUILD_H
#define SILKFLOW_COV_BUILD_H

#include "cov_internal.h"
#include "cov_sources.h"
#include "silkflow/frame.h"

typedef struct {
    const char *dir;
    char focal[16];         /* canonical ISO3 */
    const char *focal_given;
    int np;
    char (*pc)[16];         /* canonical partner codes */
    char *const *pg;        /* partner codes as given */
    int ny;
    const int *years;
    size_t nrow;
    sf_frame *f;
    cov_rep *rep;
    cov_attr groups, meta;  /* bri64 groups, WDI metadata (regions, names) */
    int have_groups, have_meta;
    int dis_log;            /* sf_cov_options.dis_log */
} ctx_t;

#define ROW(x, p, t) ((size_t)(p) * (size_t)(x)->ny + (size_t)(t))

/* "SUD (as SDN)" when the canonical code differs from the given one. */
void cov_label(const char *given, const char *canon, char *buf, size_t n);
/* Add partner p's label (cov_label) to l once (the partners a source lacks). */
void cov_list_partner(const ctx_t *x, int p, cov_strs *l);
/* Add a numeric column (NaN) to the frame and to the report. */
int cov_col_begin(ctx_t *x, const char *name, double **data);
/* Every cell of a column missing for one reason (listed under code). */
void cov_all_missing_code(ctx_t *x, int col, const char *kind, const char *code);
/* Column without its source file: all NaN, unavailable, warned. */
int cov_source_absent(ctx_t *x, int col, const char *name, const char *what);
/* The source file matching pattern (noted in the report), NULL if none. */
char *cov_find_note(ctx_t *x, const char *name, const char *pattern);
/* Warning listing the partners a source lacks; frees l. */
void cov_warn_absent(ctx_t *x, const char *col, const char *file, cov_strs *l, const char *what);
/* Sample variance (n - 1) of the finite values; NaN when fewer than 2. */
double cov_sample_var(const double *v, int n);
/* Does a table have data (a column or a record) for year y? Its range. */
int cov_cy_covers(const cov_cy *t, int y);
void cov_cy_range(const cov_cy *t, int *first, int *last);

int cov_build_pol(ctx_t *x, sf_err *e);
int cov_build_eco(ctx_t *x, sf_err *e);
int cov_build_lf(ctx_t *x, sf_err *e);
int cov_build_cul(ctx_t *x, sf_err *e);
int cov_build_dis(ctx_t *x, sf_err *e);
int cov_build_fta(ctx_t *x, sf_err *e);
int cov_build_d1(ctx_t *x, sf_err *e);
int cov_build_stage(ctx_t *x, sf_err *e);
int cov_build_bri(ctx_t *x, sf_err *e);

#endif
