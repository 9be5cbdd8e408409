/* Covariates: CUL, Kogut-Singh over Hofstede's four original dimensions,
 * with group means for countries without scores. docs/covariates.md. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cov_build.h"

/* ======================= CUL: Hofstede Kogut-Singh ======================= */

/* Scores of the four original dimensions (PDI, IDV, MAS, UAI), stored in a
 * country x "year" table whose years 0..3 are the dimensions. */
#define HOF_ND 4

static void put_scores(cov_cy *s, sf_strmap *src, const char *iso, const double *v, int source)
{
    if (cov_cy_find(s, iso) >= 0) return; /* first source wins */
    int r = cov_cy_row(s, iso);
    for (int d = 0; d < HOF_ND; d++) cov_cy_set(s, r, d, v[d]);
    sf_strmap_put(src, iso, source);
}

/* Hofstede's four original dimensions, as both source files name their columns */
static const char *const DIM[HOF_ND] = {"pdi", "idv", "mas", "uai"};

/* The four dimension scores of the current row (missing = NaN); *full stays
 * 1 when all four are present. SF_EUSER naming file, line and dimension when
 * a cell is not a number. */
static int read_dims(const sf_csv *c, const int *jd, const char *path, double v[HOF_ND], int *full, sf_err *e)
{
    for (int d = 0; d < HOF_ND; d++) {
        if (cov_cell_num(c->cell[jd[d]], &v[d]))
            return sf_fail(e, SF_EUSER, "%s: line %ld: %s '%s' is not a number", path, c->line, DIM[d],
                           c->cell[jd[d]]);
        *full &= isfinite(v[d]);
    }
    return SF_OK;
}

static int load_hof_academic(ctx_t *x, const char *path, cov_cy *s, sf_strmap *src, sf_err *e)
{
    sf_csv c;
    if (sf_csv_open_header(&c, path, 0, e)) return SF_EUSER;
    int r;
    int ncol = c.n, jc = sf_csv_find(&c, "ctr"), jn = sf_csv_find(&c, "country"), jd[HOF_ND];
    for (int d = 0; d < HOF_ND; d++) jd[d] = sf_csv_find(&c, DIM[d]);
    if (jc < 0 || jn < 0 || jd[0] < 0 || jd[1] < 0 || jd[2] < 0 || jd[3] < 0) {
        sf_csv_close(&c);
        return sf_fail(e, SF_EUSER, "%s: line 1: expected columns ctr, country, pdi, idv, mas, uai", path);
    }
    int rc = SF_OK;
    cov_strs unknown = {0}, partial = {0};
    while ((r = sf_csv_next(&c, e)) == 1) {
        if (sf_csv_blank(&c)) continue;
        if (c.n != ncol) {
            rc = sf_fail(e, SF_EUSER, "%s: line %ld: %d fields, the header has %d", path, c.line, c.n, ncol);
            break;
        }
        double v[HOF_ND];
        int full = 1;
        if ((rc = read_dims(&c, jd, path, v, &full, e))) break;
        const char *name = NULL, *iso = cov_hofstede_iso3(c.cell[jc], &name);
        if (!iso || strcmp(name, c.cell[jn])) {
            char b[160];
            snprintf(b, sizeof b, "%s '%s' (line %ld)", c.cell[jc], c.cell[jn], c.line);
            cov_strs_add_unique(&unknown, b);
            continue;
        }
        if (!*iso) continue; /* a region or a sub-national sample */
        if (!full) {
            cov_strs_add_unique(&partial, iso);
            continue;
        }
        put_scores(s, src, iso, v, 1);
    }
    if (r < 0) rc = SF_EUSER;
    if (!rc && unknown.n) {
        char *j = cov_strs_join(&unknown);
        cov_rep_warn(x->rep, "CUL: %s: rows with codes the code table does not know (skipped): %s",
                     sf_basename(path), j);
        free(j);
    }
    if (!rc && partial.n) {
        char *j = cov_strs_join(&partial);
        cov_rep_note(x->rep, "CUL: %s lacks some of PDI, IDV, MAS, UAI for %s (the next source is tried)",
                     sf_basename(path), j);
        free(j);
    }
    cov_strs_free(&unknown);
    cov_strs_free(&partial);
    sf_csv_close(&c);
    return rc;
}

static const char *name_to_iso(ctx_t *x, const char *name)
{
    const char *iso = cov_name_alias_iso3(name);
    if (iso) return iso;
    for (int i = 0; x->have_meta && i < x->meta.n; i++)
        if (x->meta.v2[i] && sf_streq_nocase(x->meta.v2[i], name)) return x->meta.code[i];
    return NULL;
}

static int load_hof_insights(ctx_t *x, const char *path, cov_cy *s, sf_strmap *src, sf_err *e)
{
    sf_csv c;
    if (sf_csv_open_header(&c, path, 0, e)) return SF_EUSER;
    int r;
    int ncol = c.n, jn = sf_csv_find(&c, "country"), ji = sf_csv_find(&c, "iso3_bri_subset"), jd[HOF_ND];
    if (ji < 0) ji = sf_csv_find(&c, "iso3");
    for (int d = 0; d < HOF_ND; d++) jd[d] = sf_csv_find(&c, DIM[d]);
    if (jn < 0 || jd[0] < 0 || jd[1] < 0 || jd[2] < 0 || jd[3] < 0) {
        sf_csv_close(&c);
        return sf_fail(e, SF_EUSER, "%s: line 1: expected columns country, pdi, idv, mas, uai", path);
    }
    int rc = SF_OK;
    cov_strs unmatched = {0};
    while ((r = sf_csv_next(&c, e)) == 1) {
        if (sf_csv_blank(&c)) continue;
        if (c.n != ncol) {
            rc = sf_fail(e, SF_EUSER, "%s: line %ld: %d fields, the header has %d", path, c.line, c.n, ncol);
            break;
        }
        double v[HOF_ND];
        int full = 1;
        if ((rc = read_dims(&c, jd, path, v, &full, e))) break;
        char buf[16];
        const char *iso = ji >= 0 && *c.cell[ji] ? cov_canon(c.cell[ji], buf) : name_to_iso(x, c.cell[jn]);
        if (!iso) {
            cov_strs_add_unique(&unmatched, c.cell[jn]);
            continue;
        }
        if (full) put_scores(s, src, iso, v, 2);
    }
    if (r < 0) rc = SF_EUSER;
    if (!rc && unmatched.n) {
        char *j = cov_strs_join(&unmatched);
        cov_rep_warn(x->rep, "CUL: %s: country names matched to no ISO3 code (skipped): %s", sf_basename(path), j);
        free(j);
    }
    cov_strs_free(&unmatched);
    sf_csv_close(&c);
    return rc;
}

/* Mean scores of the scored countries in a group: by bri64 group (byregion
 * = 0) or WDI region (1). Returns the number of countries averaged. */
static int group_mean(ctx_t *x, const cov_cy *s, const char *group, int byregion, double *m)
{
    int n = 0;
    for (int d = 0; d < HOF_ND; d++) m[d] = 0;
    for (int i = 0; i < s->n; i++) {
        const char *g = byregion ? (x->have_meta ? cov_attr_v1(&x->meta, s->code[i]) : NULL)
                                 : (x->have_groups ? cov_attr_v1(&x->groups, s->code[i]) : NULL);
        if (!g || strcmp(g, group)) continue;
        for (int d = 0; d < HOF_ND; d++) m[d] += cov_cy_get(s, i, d);
        n++;
    }
    for (int d = 0; d < HOF_ND; d++) m[d] = n ? m[d] / n : NAN;
    return n;
}

/* Scores of a country: observed, else the mean of its bri64 group, else of
 * its WDI region. *how: 0 observed, 1 bri64 group, 2 WDI region, -1 none. */
static void scores_of(ctx_t *x, const cov_cy *s, const char *iso, double *v, int *how, const char **grp)
{
    int r = cov_cy_find(s, iso);
    *grp = NULL;
    if (r >= 0) {
        for (int d = 0; d < HOF_ND; d++) v[d] = cov_cy_get(s, r, d);
        *how = 0;
        return;
    }
    const char *g = x->have_groups ? cov_attr_v1(&x->groups, iso) : NULL;
    if (g && group_mean(x, s, g, 0, v) > 0) {
        *how = 1;
        *grp = g;
        return;
    }
    g = x->have_meta ? cov_attr_v1(&x->meta, iso) : NULL;
    if (g && group_mean(x, s, g, 1, v) > 0) {
        *how = 2;
        *grp = g;
        return;
    }
    *how = -1;
}

int cov_build_cul(ctx_t *x, sf_err *e)
{
    double *out, *flag;
    int col = cov_col_begin(x, "CUL", &out);
    int colf = cov_col_begin(x, "CUL_filled", &flag);
    char *pa = cov_find_note(x, "CUL", "hofstede_6d_*.csv");
    char *pi = cov_find_note(x, "CUL", "hofstede_insights_country_flat*.csv");
    if (!pa && !pi) {
        cov_source_absent(x, colf, "CUL_filled", "hofstede_6d_*.csv or hofstede_insights_country_flat*.csv");
        return cov_source_absent(x, col, "CUL", "hofstede_6d_*.csv or hofstede_insights_country_flat*.csv (Hofstede)");
    }
    cov_cy s;
    sf_strmap src;
    cov_cy_init(&s, 0, HOF_ND);
    sf_strmap_init(&src, 0);
    int rc = SF_OK;
    if (pa) rc = load_hof_academic(x, pa, &s, &src, e);
    if (!rc && pi) rc = load_hof_insights(x, pi, &s, &src, e);
    if (rc) goto done;
    double var[HOF_ND], *col_d = sf_malloc(sizeof(double) * (size_t)(s.n ? s.n : 1));
    for (int d = 0; d < HOF_ND; d++) {
        for (int i = 0; i < s.n; i++) col_d[i] = cov_cy_get(&s, i, d);
        var[d] = cov_sample_var(col_d, s.n);
    }
    free(col_d);
    cov_rep_note(x->rep, "CUL: Kogut-Singh over PDI, IDV, MAS, UAI; sample variances over the %d scored countries: "
                         "%.6g, %.6g, %.6g, %.6g", s.n, var[0], var[1], var[2], var[3]);
    double fv[HOF_ND];
    int fhow;
    const char *fgrp;
    scores_of(x, &s, x->focal, fv, &fhow, &fgrp);
    if (fhow > 0)
        cov_rep_warn(x->rep, "CUL: focal country %s has no Hofstede scores: mean of its group '%s' used", x->focal,
                     fgrp);
    if (fhow < 0) cov_rep_warn(x->rep, "CUL: focal country %s has no Hofstede scores: CUL is missing", x->focal);
    cov_strs filled = {0}, none = {0};
    for (int p = 0; p < x->np; p++) {
        double pv[HOF_ND];
        int how;
        const char *grp;
        scores_of(x, &s, x->pc[p], pv, &how, &grp);
        char lb[48], item[160];
        cov_label(x->pg[p], x->pc[p], lb, sizeof lb);
        if (how > 0) {
            snprintf(item, sizeof item, "%s <- %s '%s'", lb, how == 1 ? "group" : "WDI region", grp);
            cov_strs_add_unique(&filled, item);
        }
        if (how < 0) cov_strs_add_unique(&none, lb);
        double ks = NAN;
        if (fhow >= 0 && how >= 0 && var[0] > 0 && var[1] > 0 && var[2] > 0 && var[3] > 0) {
            ks = 0;
            for (int d = 0; d < HOF_ND; d++) ks += (fv[d] - pv[d]) * (fv[d] - pv[d]) / var[d];
            ks /= HOF_ND;
        }
        for (int t = 0; t < x->ny; t++) {
            int y = x->years[t];
            size_t r = ROW(x, p, t);
            if (!isfinite(ks)) {
                const char *k = fhow < 0 ? "focal country has no Hofstede scores (nor its group)"
                                         : "no Hofstede scores for the partner nor its group";
                const char *code = fhow < 0 ? x->focal_given : x->pg[p];
                cov_rep_cell(x->rep, col, 1, k, code, y);
                cov_rep_cell(x->rep, colf, 1, k, code, y);
                continue;
            }
            out[r] = ks;
            flag[r] = (how > 0 || fhow > 0) ? 1.0 : 0.0;
            if (how == 1) cov_rep_cell(x->rep, col, 0, "no Hofstede scores: mean of the partner's bri64 group", x->pg[p], y);
            if (how == 2) cov_rep_cell(x->rep, col, 0, "no Hofstede scores: mean of the partner's WDI region", x->pg[p], y);
            if (fhow > 0) cov_rep_cell(x->rep, col, 0, "focal country without Hofstede scores: group mean", x->focal_given, y);
        }
    }
    if (filled.n) {
        char *j = cov_strs_join(&filled);
        cov_rep_note(x->rep, "CUL: group means used (CUL_filled = 1): %s", j);
        free(j);
    }
    if (none.n) {
        char *j = cov_strs_join(&none);
        cov_rep_warn(x->rep, "CUL: no Hofstede scores and no scored country in the group for %s (CUL missing)", j);
        free(j);
    }
    cov_strs_free(&filled);
    cov_strs_free(&none);
done:
    cov_cy_free(&s);
    sf_strmap_free(&src);
    free(pa);
    free(pi);
    return rc;
}
