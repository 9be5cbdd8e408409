/* Covariates and dummies from external country data (METHODS.md section 5):
 * POL, ECO, CUL (+ CUL_filled), DIS, FTA, LF, D1, BRI (+ BRI_year) and the
 * partner's regional group, one row per (partner, year). Every rule is
 * documented in docs/covariates.md; the report records each missing or
 * rule-filled cell with its reason. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cov_internal.h"
#include "cov_sources.h"
#include "silkflow/covariates.h"

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
} ctx_t;

#define ROW(x, p, t) ((size_t)(p) * (size_t)(x)->ny + (size_t)(t))

/* "SUD (as SDN)" when the canonical code differs from the given one. */
static void label(const char *given, const char *canon, char *buf, size_t n)
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

static int col_begin(ctx_t *x, const char *name, double **data)
{
    *data = sf_frame_add_num(x->f, name);
    return cov_rep_col(x->rep, name, x->nrow);
}

/* Every cell of a column missing for one reason. */
static void all_missing_code(ctx_t *x, int col, const char *kind, const char *code)
{
    for (int p = 0; p < x->np; p++)
        for (int t = 0; t < x->ny; t++) cov_rep_cell(x->rep, col, 1, kind, code, x->years[t]);
}

static int source_absent(ctx_t *x, int col, const char *name, const char *what)
{
    cov_rep_unavailable(x->rep, col);
    char kind[512];
    snprintf(kind, sizeof kind, "source file absent (%s)", what);
    all_missing_code(x, col, kind, "");
    cov_rep_warn(x->rep, "%s: no %s in %s: column %s is missing (NaN) in every row", name, what, x->dir, name);
    return SF_OK;
}

static char *find_note(ctx_t *x, const char *name, const char *pattern)
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

static void warn_absent(ctx_t *x, const char *col, const char *file, cov_strs *l, const char *what)
{
    if (!l->n) return;
    char *s = cov_strs_join(l);
    cov_rep_warn(x->rep, "%s: no data in %s for %s (%s)", col, file, s, what);
    free(s);
    cov_strs_free(l);
}

/* Sample variance (n - 1) of the finite values; NaN when fewer than 2. */
static double sample_var(const double *v, int n)
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
static int cy_covers(const cov_cy *t, int y) { return y >= t->y0 && y < t->y0 + t->ny && t->has_year[y - t->y0]; }

static void cy_range(const cov_cy *t, int *first, int *last)
{
    *first = *last = -1;
    for (int k = 0; k < t->ny; k++)
        if (t->has_year[k]) {
            if (*first < 0) *first = t->y0 + k;
            *last = t->y0 + k;
        }
}

/* ======================= POL: WGI Kogut-Singh ======================= */

static const char *const WGI_IND[6] = {"CC.EST", "GE.EST", "PV.EST", "RQ.EST", "RL.EST", "VA.EST"};

enum { YR_EXACT, YR_INTERP, YR_NEAREST, YR_OUTSIDE };

/* How a requested year is served by a table with has_year marks:
 * exact; inside the coverage but without a column (WGI 1997, 1999, 2001):
 * linear interpolation between the nearest years before (lo) and after
 * (hi); one year outside the coverage: the nearest year (lo); else outside. */
static int year_rule(const cov_cy *w, int y, int *lo, int *hi)
{
    int first, last;
    cy_range(w, &first, &last);
    if (first < 0) return YR_OUTSIDE;
    if (y >= first && y <= last) {
        if (w->has_year[y - w->y0]) return YR_EXACT;
        *lo = y - 1;
        while (!w->has_year[*lo - w->y0]) (*lo)--;
        *hi = y + 1;
        while (!w->has_year[*hi - w->y0]) (*hi)++;
        return YR_INTERP;
    }
    if (y == first - 1) {
        *lo = first;
        return YR_NEAREST;
    }
    if (y == last + 1) {
        *lo = last;
        return YR_NEAREST;
    }
    return YR_OUTSIDE;
}

static double rule_value(const cov_cy *w, int row, int rule, int y, int lo, int hi)
{
    if (row < 0) return NAN;
    if (rule == YR_EXACT) return cov_cy_get(w, row, y);
    if (rule == YR_NEAREST) return cov_cy_get(w, row, lo);
    if (rule == YR_INTERP) {
        double a = cov_cy_get(w, row, lo), b = cov_cy_get(w, row, hi);
        if (!isfinite(a) || !isfinite(b)) return NAN;
        double s = (double)(y - lo) / (double)(hi - lo);
        return (1 - s) * a + s * b;
    }
    return NAN;
}

static int build_pol(ctx_t *x, sf_err *e)
{
    double *out;
    int col = col_begin(x, "POL", &out);
    char *path = find_note(x, "POL", "WGIData*.csv");
    if (!path) return source_absent(x, col, "POL", "WGIData*.csv (Worldwide Governance Indicators)");
    cov_cy w[6];
    if (cov_load_wide(path, WGI_IND, 6, w, e)) {
        free(path);
        return SF_EUSER;
    }
    const char *fn = sf_basename(path);
    int first, last;
    cy_range(&w[0], &first, &last);
    char k_focal[256], k_partner[256], k_outside[256], k_dimf[256], k_dimp[256];
    snprintf(k_focal, sizeof k_focal, "focal country not in %s", fn);
    snprintf(k_partner, sizeof k_partner, "not in %s", fn);
    snprintf(k_outside, sizeof k_outside, "year outside %s coverage %d-%d (by more than one year)", fn, first, last);
    snprintf(k_dimf, sizeof k_dimf, "focal country lacks a WGI estimate that year");
    snprintf(k_dimp, sizeof k_dimp, "partner lacks a WGI estimate that year");
    const char *k_interp = "WGI gap year: estimates interpolated linearly between the adjacent WGI years";
    const char *k_near = "nearest WGI year (one year outside the coverage)";

    int frow[6], nrows = w[0].n;
    for (int d = 0; d < 6; d++) {
        frow[d] = cov_cy_find(&w[d], x->focal);
        if (w[d].n > nrows) nrows = w[d].n;
    }
    int focal_in = frow[0] >= 0;
    cov_strs absent = {0};
    int *prow = sf_malloc(sizeof(int) * 6 * (size_t)(x->np ? x->np : 1));
    unsigned char *pin = sf_calloc((size_t)x->np + 1, 1); /* partner has a row for some dimension */
    for (int p = 0; p < x->np; p++) {
        for (int d = 0; d < 6; d++) {
            prow[6 * p + d] = cov_cy_find(&w[d], x->pc[p]);
            pin[p] |= prow[6 * p + d] >= 0;
        }
        if (!pin[p]) {
            char lb[48];
            label(x->pg[p], x->pc[p], lb, sizeof lb);
            cov_strs_add_unique(&absent, lb);
        }
    }
    if (!focal_in) cov_rep_warn(x->rep, "POL: focal country %s is not in %s: POL is missing in every row", x->focal, fn);
    double *vals = sf_malloc(sizeof(double) * (size_t)(nrows ? nrows : 1));
    for (int t = 0; t < x->ny; t++) {
        int y = x->years[t], lo = 0, hi = 0;
        int rule = year_rule(&w[0], y, &lo, &hi);
        double var[6], fv[6];
        for (int d = 0; d < 6 && rule != YR_OUTSIDE; d++) {
            for (int i = 0; i < w[d].n; i++) vals[i] = rule_value(&w[d], i, rule, y, lo, hi);
            var[d] = sample_var(vals, w[d].n);
            fv[d] = rule_value(&w[d], frow[d], rule, y, lo, hi);
        }
        for (int p = 0; p < x->np; p++) {
            size_t r = ROW(x, p, t);
            if (!focal_in) {
                cov_rep_cell(x->rep, col, 1, k_focal, x->focal_given, y);
                continue;
            }
            if (!pin[p]) {
                cov_rep_cell(x->rep, col, 1, k_partner, x->pg[p], y);
                continue;
            }
            if (rule == YR_OUTSIDE) {
                cov_rep_cell(x->rep, col, 1, k_outside, "", y);
                continue;
            }
            double s = 0;
            int ok = 1, fok = 1;
            for (int d = 0; d < 6; d++) {
                double pv = rule_value(&w[d], prow[6 * p + d], rule, y, lo, hi);
                if (!isfinite(fv[d])) fok = 0;
                if (!isfinite(pv)) ok = 0;
                if (!fok || !ok || !(var[d] > 0)) break;
                s += (fv[d] - pv) * (fv[d] - pv) / var[d];
            }
            if (!fok) {
                cov_rep_cell(x->rep, col, 1, k_dimf, x->focal_given, y);
                continue;
            }
            if (!ok) {
                cov_rep_cell(x->rep, col, 1, k_dimp, x->pg[p], y);
                continue;
            }
            out[r] = s / 6.0;
            if (rule == YR_INTERP) cov_rep_cell(x->rep, col, 0, k_interp, "", y);
            if (rule == YR_NEAREST) cov_rep_cell(x->rep, col, 0, k_near, "", y);
        }
    }
    warn_absent(x, "POL", fn, &absent, "their POL is missing");
    free(vals);
    free(prow);
    free(pin);
    for (int d = 0; d < 6; d++) cov_cy_free(&w[d]);
    free(path);
    return SF_OK;
}

/* ======================= ECO: GDP per capita ======================= */

static int build_eco(ctx_t *x, sf_err *e)
{
    double *out;
    int col = col_begin(x, "ECO", &out);
    char *pw = find_note(x, "ECO", "API_NY.GDP.PCAP.CD*.csv");
    char *pf = find_note(x, "ECO", "wb_gdppc_gnipc_*.csv");
    if (!pw && !pf)
        return source_absent(x, col, "ECO", "API_NY.GDP.PCAP.CD*.csv or wb_gdppc_gnipc_*.csv (GDP per capita)");
    cov_cy wdi, fb;
    int have_w = 0, have_f = 0;
    if (pw) {
        if (cov_load_wide(pw, NULL, 0, &wdi, e)) goto fail;
        have_w = 1;
    } else
        cov_rep_warn(x->rep, "ECO: no API_NY.GDP.PCAP.CD*.csv in %s: GDP per capita from %s only", x->dir,
                     sf_basename(pf));
    if (pf) {
        if (cov_load_long(pf, "iso3", "year", "gdpper2", &fb, e)) goto fail;
        have_f = 1;
    }
    char k_none[256], k_fb[256], k_abs[256], k_out[256];
    int f0 = 9999, f1 = -1, a, b;
    if (have_w) {
        cy_range(&wdi, &a, &b);
        if (a >= 0 && a < f0) f0 = a;
        if (b > f1) f1 = b;
    }
    if (have_f) {
        cy_range(&fb, &a, &b);
        if (a >= 0 && a < f0) f0 = a;
        if (b > f1) f1 = b;
    }
    snprintf(k_out, sizeof k_out, "year outside the GDP per capita files' coverage (%d-%d)", f0, f1);
    snprintf(k_none, sizeof k_none, "no GDP per capita for the partner that year");
    snprintf(k_abs, sizeof k_abs, "partner not in the GDP per capita files");
    snprintf(k_fb, sizeof k_fb, "WDI GDP per capita missing: %s gdpper2 (current US$) used",
             pf ? sf_basename(pf) : "fallback");
    cov_strs absent = {0};
    for (int p = 0; p < x->np; p++) {
        int rw = have_w ? cov_cy_find(&wdi, x->pc[p]) : -1, rf = have_f ? cov_cy_find(&fb, x->pc[p]) : -1;
        if (rw < 0 && rf < 0) {
            char lb[48];
            label(x->pg[p], x->pc[p], lb, sizeof lb);
            cov_strs_add_unique(&absent, lb);
        }
    }
    int fw = have_w ? cov_cy_find(&wdi, x->focal) : -1, ff = have_f ? cov_cy_find(&fb, x->focal) : -1;
    for (int t = 0; t < x->ny; t++) {
        int y = x->years[t];
        double gc = have_w ? cov_cy_get(&wdi, fw, y) : NAN;
        int c_fb = 0;
        if (!(gc > 0) && have_f) {
            gc = cov_cy_get(&fb, ff, y);
            c_fb = gc > 0;
        }
        int covered = (have_w && cy_covers(&wdi, y)) || (have_f && cy_covers(&fb, y));
        for (int p = 0; p < x->np; p++) {
            int rw = have_w ? cov_cy_find(&wdi, x->pc[p]) : -1, rf = have_f ? cov_cy_find(&fb, x->pc[p]) : -1;
            if (!covered) {
                cov_rep_cell(x->rep, col, 1, k_out, "", y);
                continue;
            }
            if (!(gc > 0)) {
                cov_rep_cell(x->rep, col, 1, "no GDP per capita for the focal country that year", x->focal_given, y);
                continue;
            }
            if (rw < 0 && rf < 0) {
                cov_rep_cell(x->rep, col, 1, k_abs, x->pg[p], y);
                continue;
            }
            double gr = have_w ? cov_cy_get(&wdi, rw, y) : NAN;
            int r_fb = 0;
            if (!(gr > 0) && have_f) {
                gr = cov_cy_get(&fb, rf, y);
                r_fb = gr > 0;
            }
            if (!(gr > 0)) {
                cov_rep_cell(x->rep, col, 1, k_none, x->pg[p], y);
                continue;
            }
            out[ROW(x, p, t)] = fabs(log(gc) - log(gr));
            if (c_fb) cov_rep_cell(x->rep, col, 0, k_fb, x->focal_given, y);
            if (r_fb) cov_rep_cell(x->rep, col, 0, k_fb, x->pg[p], y);
        }
    }
    warn_absent(x, "ECO", "the GDP per capita files", &absent, "their ECO is missing");
    if (have_w) cov_cy_free(&wdi);
    if (have_f) cov_cy_free(&fb);
    free(pw);
    free(pf);
    return SF_OK;
fail:
    if (have_w) cov_cy_free(&wdi);
    free(pw);
    free(pf);
    return SF_EUSER;
}

/* ======================= CUL: Hofstede Kogut-Singh ======================= */

/* Scores of the four original dimensions (PDI, IDV, MAS, UAI), stored in a
 * country x "year" table whose years 0..3 are the dimensions. */
#define HOF_ND 4

static void put_scores(cov_cy *s, cov_map *src, const char *iso, const double *v, int source)
{
    if (cov_cy_find(s, iso) >= 0) return; /* first source wins */
    int r = cov_cy_row(s, iso);
    for (int d = 0; d < HOF_ND; d++) cov_cy_set(s, r, d, v[d]);
    cov_map_put(src, iso, source);
}

static int load_hof_academic(ctx_t *x, const char *path, cov_cy *s, cov_map *src, sf_err *e)
{
    cov_csv c;
    if (cov_csv_open(&c, path, 0, e)) return SF_EUSER;
    int r = cov_csv_next(&c, e);
    if (r <= 0) {
        cov_csv_close(&c);
        return r == 0 ? sf_fail(e, SF_EUSER, "%s: empty file (no header line)", path) : SF_EUSER;
    }
    static const char *const DIM[HOF_ND] = {"pdi", "idv", "mas", "uai"};
    int ncol = c.n, jc = cov_csv_find(&c, "ctr"), jn = cov_csv_find(&c, "country"), jd[HOF_ND];
    for (int d = 0; d < HOF_ND; d++) jd[d] = cov_csv_find(&c, DIM[d]);
    if (jc < 0 || jn < 0 || jd[0] < 0 || jd[1] < 0 || jd[2] < 0 || jd[3] < 0) {
        cov_csv_close(&c);
        return sf_fail(e, SF_EUSER, "%s: line 1: expected columns ctr, country, pdi, idv, mas, uai", path);
    }
    int rc = SF_OK;
    cov_strs unknown = {0}, partial = {0};
    while ((r = cov_csv_next(&c, e)) == 1) {
        if (cov_csv_blank(&c)) continue;
        if (c.n != ncol) {
            rc = sf_fail(e, SF_EUSER, "%s: line %ld: %d fields, the header has %d", path, c.line, c.n, ncol);
            break;
        }
        double v[HOF_ND];
        int full = 1;
        for (int d = 0; d < HOF_ND; d++) {
            if (cov_cell_num(c.cell[jd[d]], &v[d])) {
                rc = sf_fail(e, SF_EUSER, "%s: line %ld: %s '%s' is not a number", path, c.line, DIM[d],
                             c.cell[jd[d]]);
                break;
            }
            full &= isfinite(v[d]);
        }
        if (rc) break;
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
    cov_csv_close(&c);
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

static int load_hof_insights(ctx_t *x, const char *path, cov_cy *s, cov_map *src, sf_err *e)
{
    cov_csv c;
    if (cov_csv_open(&c, path, 0, e)) return SF_EUSER;
    int r = cov_csv_next(&c, e);
    if (r <= 0) {
        cov_csv_close(&c);
        return r == 0 ? sf_fail(e, SF_EUSER, "%s: empty file (no header line)", path) : SF_EUSER;
    }
    static const char *const DIM[HOF_ND] = {"pdi", "idv", "mas", "uai"};
    int ncol = c.n, jn = cov_csv_find(&c, "country"), ji = cov_csv_find(&c, "iso3_bri_subset"), jd[HOF_ND];
    if (ji < 0) ji = cov_csv_find(&c, "iso3");
    for (int d = 0; d < HOF_ND; d++) jd[d] = cov_csv_find(&c, DIM[d]);
    if (jn < 0 || jd[0] < 0 || jd[1] < 0 || jd[2] < 0 || jd[3] < 0) {
        cov_csv_close(&c);
        return sf_fail(e, SF_EUSER, "%s: line 1: expected columns country, pdi, idv, mas, uai", path);
    }
    int rc = SF_OK;
    cov_strs unmatched = {0};
    while ((r = cov_csv_next(&c, e)) == 1) {
        if (cov_csv_blank(&c)) continue;
        if (c.n != ncol) {
            rc = sf_fail(e, SF_EUSER, "%s: line %ld: %d fields, the header has %d", path, c.line, c.n, ncol);
            break;
        }
        double v[HOF_ND];
        int full = 1;
        for (int d = 0; d < HOF_ND; d++) {
            if (cov_cell_num(c.cell[jd[d]], &v[d])) {
                rc = sf_fail(e, SF_EUSER, "%s: line %ld: %s '%s' is not a number", path, c.line, DIM[d],
                             c.cell[jd[d]]);
                break;
            }
            full &= isfinite(v[d]);
        }
        if (rc) break;
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
    cov_csv_close(&c);
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

static int build_cul(ctx_t *x, sf_err *e)
{
    double *out, *flag;
    int col = col_begin(x, "CUL", &out);
    int colf = col_begin(x, "CUL_filled", &flag);
    char *pa = find_note(x, "CUL", "hofstede_6d_*.csv");
    char *pi = find_note(x, "CUL", "hofstede_insights_country_flat*.csv");
    if (!pa && !pi) {
        source_absent(x, colf, "CUL_filled", "hofstede_6d_*.csv or hofstede_insights_country_flat*.csv");
        return source_absent(x, col, "CUL", "hofstede_6d_*.csv or hofstede_insights_country_flat*.csv (Hofstede)");
    }
    cov_cy s;
    cov_map src;
    cov_cy_init(&s, 0, HOF_ND);
    cov_map_init(&src);
    int rc = SF_OK;
    if (pa) rc = load_hof_academic(x, pa, &s, &src, e);
    if (!rc && pi) rc = load_hof_insights(x, pi, &s, &src, e);
    if (rc) goto done;
    double var[HOF_ND], *col_d = sf_malloc(sizeof(double) * (size_t)(s.n ? s.n : 1));
    for (int d = 0; d < HOF_ND; d++) {
        for (int i = 0; i < s.n; i++) col_d[i] = cov_cy_get(&s, i, d);
        var[d] = sample_var(col_d, s.n);
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
        label(x->pg[p], x->pc[p], lb, sizeof lb);
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
    cov_map_free(&src);
    free(pa);
    free(pi);
    return rc;
}

/* ======================= DIS: capital distance x oil price ======================= */

/* Mean earth radius (IUGG), km. CEPII's distcap corresponds to a radius
 * about 0.094% larger (docs/covariates.md); the great-circle fallback is
 * used only for pairs dist_cepii.csv lacks. */
#define EARTH_R_KM 6371.0

static double great_circle(double la1, double lo1, double la2, double lo2)
{
    const double rad = M_PI / 180.0;
    double p1 = la1 * rad, p2 = la2 * rad, dp = (la2 - la1) * rad, dl = (lo2 - lo1) * rad;
    double h = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);
    if (h > 1) h = 1;
    return 2 * EARTH_R_KM * asin(sqrt(h));
}

static int load_brent(const char *path, cov_cy *b, sf_err *e)
{
    cov_csv c;
    if (cov_csv_open(&c, path, 0, e)) return SF_EUSER;
    int r = cov_csv_next(&c, e);
    if (r <= 0) {
        cov_csv_close(&c);
        return r == 0 ? sf_fail(e, SF_EUSER, "%s: empty file (no header line)", path) : SF_EUSER;
    }
    int ncol = c.n, jd = cov_csv_find(&c, "Date"), jp = cov_csv_find(&c, "Price");
    if (jd < 0 || jp < 0) {
        cov_csv_close(&c);
        return sf_fail(e, SF_EUSER, "%s: line 1: expected columns Date, Price", path);
    }
    /* annual average = mean of the rows dated in that year (one row per year
     * in the annual file; a monthly or daily file works the same way) */
    cov_cy sum, cnt;
    cov_cy_init(&sum, COV_LONG_Y0, COV_LONG_Y1 - COV_LONG_Y0 + 1);
    cov_cy_init(&cnt, COV_LONG_Y0, COV_LONG_Y1 - COV_LONG_Y0 + 1);
    int rs = cov_cy_row(&sum, "brent"), rn = cov_cy_row(&cnt, "brent");
    int rc = SF_OK;
    while ((r = cov_csv_next(&c, e)) == 1) {
        if (cov_csv_blank(&c)) continue;
        const char *d = c.n == ncol ? c.cell[jd] : "";
        char ys[5] = {0};
        long y;
        double v;
        if (c.n == ncol) memcpy(ys, d, strlen(d) >= 4 ? 4 : strlen(d));
        if (c.n != ncol || strlen(d) < 4 || (d[4] && d[4] != '-' && d[4] != '/') || sf_parse_int(ys, &y)) {
            rc = sf_fail(e, SF_EUSER, "%s: line %ld: expected Date (YYYY-MM-DD), Price", path, c.line);
            break;
        }
        if (cov_cell_num(c.cell[jp], &v)) {
            rc = sf_fail(e, SF_EUSER, "%s: line %ld: price '%s' is not a number", path, c.line, c.cell[jp]);
            break;
        }
        if (!isfinite(v) || y < COV_LONG_Y0 || y > COV_LONG_Y1) continue;
        double s0 = cov_cy_get(&sum, rs, (int)y), n0 = cov_cy_get(&cnt, rn, (int)y);
        cov_cy_set(&sum, rs, (int)y, (isfinite(s0) ? s0 : 0) + v);
        cov_cy_set(&cnt, rn, (int)y, (isfinite(n0) ? n0 : 0) + 1);
    }
    if (r < 0) rc = SF_EUSER;
    cov_csv_close(&c);
    cov_cy_init(b, COV_LONG_Y0, COV_LONG_Y1 - COV_LONG_Y0 + 1);
    int rb = cov_cy_row(b, "brent");
    for (int y = COV_LONG_Y0; y <= COV_LONG_Y1; y++) {
        double n0 = cov_cy_get(&cnt, rn, y);
        if (n0 > 0) cov_cy_set(b, rb, y, cov_cy_get(&sum, rs, y) / n0);
    }
    cov_cy_free(&sum);
    cov_cy_free(&cnt);
    if (rc) cov_cy_free(b);
    return rc;
}

/* distcap for (focal, other) pairs: dist[k] for other code k in `want`. */
static int load_dist(const char *path, const char *fcode, const cov_map *want, double *dfwd, double *drev, sf_err *e)
{
    cov_csv c;
    if (cov_csv_open(&c, path, ',', e)) return SF_EUSER;
    int r = cov_csv_next(&c, e);
    if (r <= 0) {
        cov_csv_close(&c);
        return r == 0 ? sf_fail(e, SF_EUSER, "%s: empty file (no header line)", path) : SF_EUSER;
    }
    int ncol = c.n, jo = cov_csv_find(&c, "iso_o"), jd = cov_csv_find(&c, "iso_d"), jc = cov_csv_find(&c, "distcap");
    if (jo < 0 || jd < 0 || jc < 0) {
        cov_csv_close(&c);
        return sf_fail(e, SF_EUSER, "%s: line 1: expected columns iso_o, iso_d, distcap", path);
    }
    int rc = SF_OK;
    while ((r = cov_csv_next(&c, e)) == 1) {
        if (cov_csv_blank(&c)) continue;
        if (c.n != ncol) {
            rc = sf_fail(e, SF_EUSER, "%s: line %ld: %d fields, the header has %d", path, c.line, c.n, ncol);
            break;
        }
        int fwd = !strcmp(c.cell[jo], fcode), rev = !strcmp(c.cell[jd], fcode);
        if (!fwd && !rev) continue;
        int k = cov_map_get(want, fwd ? c.cell[jd] : c.cell[jo]);
        if (k < 0) continue;
        double v;
        if (cov_cell_num(c.cell[jc], &v) || (isfinite(v) && v < 0)) {
            rc = sf_fail(e, SF_EUSER, "%s: line %ld: distcap '%s' is not a distance", path, c.line, c.cell[jc]);
            break;
        }
        if (fwd && !isfinite(dfwd[k])) dfwd[k] = v;
        if (rev && !isfinite(drev[k])) drev[k] = v;
    }
    if (r < 0) rc = SF_EUSER;
    cov_csv_close(&c);
    return rc;
}

/* Capitals: code -> (lat, lon) from the row with cap = 1, else cap = 2,
 * else the first row of the code. lat/lon stored as "years" 0 and 1. */
static int load_geo(const char *path, cov_cy *g, sf_err *e)
{
    cov_csv c;
    if (cov_csv_open(&c, path, ',', e)) return SF_EUSER;
    int r = cov_csv_next(&c, e);
    if (r <= 0) {
        cov_csv_close(&c);
        return r == 0 ? sf_fail(e, SF_EUSER, "%s: empty file (no header line)", path) : SF_EUSER;
    }
    int ncol = c.n, ji = cov_csv_find(&c, "iso3"), jla = cov_csv_find(&c, "lat"), jlo = cov_csv_find(&c, "lon"),
        jc = cov_csv_find(&c, "cap");
    if (ji < 0 || jla < 0 || jlo < 0 || jc < 0) {
        cov_csv_close(&c);
        return sf_fail(e, SF_EUSER, "%s: line 1: expected columns iso3, lat, lon, cap", path);
    }
    cov_cy_init(g, 0, 3); /* 0 lat, 1 lon, 2 rank of the row (1 best) */
    int rc = SF_OK;
    while ((r = cov_csv_next(&c, e)) == 1) {
        if (cov_csv_blank(&c)) continue;
        if (c.n != ncol) {
            rc = sf_fail(e, SF_EUSER, "%s: line %ld: %d fields, the header has %d", path, c.line, c.n, ncol);
            break;
        }
        double la, lo, cap;
        if (cov_cell_num(c.cell[jla], &la) || cov_cell_num(c.cell[jlo], &lo) || cov_cell_num(c.cell[jc], &cap) ||
            !isfinite(la) || !isfinite(lo) || fabs(la) > 90 || fabs(lo) > 180) {
            rc = sf_fail(e, SF_EUSER, "%s: line %ld: bad lat/lon/cap", path, c.line);
            break;
        }
        double rank = cap == 1 ? 1 : (cap == 2 ? 2 : 3);
        int row = cov_cy_find(g, c.cell[ji]);
        if (row >= 0 && !(rank < cov_cy_get(g, row, 2))) continue;
        row = cov_cy_row(g, c.cell[ji]);
        cov_cy_set(g, row, 0, la);
        cov_cy_set(g, row, 1, lo);
        cov_cy_set(g, row, 2, rank);
    }
    if (r < 0) rc = SF_EUSER;
    cov_csv_close(&c);
    if (rc) cov_cy_free(g);
    return rc;
}

static int build_dis(ctx_t *x, sf_err *e)
{
    double *out;
    int col = col_begin(x, "DIS", &out);
    char *pd = find_note(x, "DIS", "dist_cepii*.csv");
    char *pg = find_note(x, "DIS", "geo_cepii*.csv");
    char *pb = find_note(x, "DIS", "brent-year*.csv");
    int rc = SF_OK;
    if (!pb || (!pd && !pg)) {
        rc = source_absent(x, col, "DIS",
                           !pb ? "brent-year*.csv (Brent oil price)" : "dist_cepii*.csv or geo_cepii*.csv (CEPII)");
        free(pd);
        free(pg);
        free(pb);
        return rc;
    }
    cov_cy brent, geo;
    int have_geo = 0;
    if (load_brent(pb, &brent, e)) {
        free(pd);
        free(pg);
        free(pb);
        return SF_EUSER;
    }
    double *dist = sf_malloc(sizeof(double) * (size_t)(x->np + 1));
    int *gc_used = sf_calloc((size_t)x->np + 1, sizeof(int));
    for (int p = 0; p < x->np; p++) dist[p] = NAN;
    if (pd) {
        cov_map want;
        cov_map_init(&want);
        for (int p = 0; p < x->np; p++) cov_map_put(&want, cov_cepii_dist_code(x->pc[p]), p);
        /* several partners may share a CEPII code (SRB, MNE -> YUG): index by code */
        double *fw = sf_malloc(sizeof(double) * (size_t)(x->np + 1)), *rv = sf_malloc(sizeof(double) * (size_t)(x->np + 1));
        for (int p = 0; p <= x->np; p++) fw[p] = rv[p] = NAN;
        rc = load_dist(pd, cov_cepii_dist_code(x->focal), &want, fw, rv, e);
        for (int p = 0; !rc && p < x->np; p++) {
            int k = cov_map_get(&want, cov_cepii_dist_code(x->pc[p]));
            dist[p] = isfinite(fw[k]) ? fw[k] : rv[k];
        }
        free(fw);
        free(rv);
        cov_map_free(&want);
    }
    if (!rc && pg) {
        rc = load_geo(pg, &geo, e);
        have_geo = !rc;
    }
    if (rc) goto done;
    int fg = have_geo ? cov_cy_find(&geo, cov_cepii_geo_code(x->focal)) : -1;
    cov_strs absent = {0};
    for (int p = 0; p < x->np; p++) {
        if (isfinite(dist[p])) continue;
        int pgr = have_geo ? cov_cy_find(&geo, cov_cepii_geo_code(x->pc[p])) : -1;
        if (fg >= 0 && pgr >= 0) {
            dist[p] = great_circle(cov_cy_get(&geo, fg, 0), cov_cy_get(&geo, fg, 1), cov_cy_get(&geo, pgr, 0),
                                   cov_cy_get(&geo, pgr, 1));
            gc_used[p] = 1;
        } else {
            char lb[48];
            label(x->pg[p], x->pc[p], lb, sizeof lb);
            cov_strs_add_unique(&absent, lb);
        }
    }
    for (int p = 0; p < x->np; p++) {
        if (!strcmp(x->pc[p], "MNE") && isfinite(dist[p]) && !gc_used[p])
            cov_rep_note(x->rep, "DIS: %s uses CEPII's Serbia and Montenegro entry (YUG, capital Belgrade): "
                                 "geo_cepii has no Podgorica", x->pg[p]);
    }
    for (int p = 0; p < x->np; p++)
        for (int t = 0; t < x->ny; t++) {
            int y = x->years[t];
            double b = cov_cy_get(&brent, 0, y);
            if (!isfinite(dist[p])) {
                cov_rep_cell(x->rep, col, 1, "no capital distance for the pair (CEPII)", x->pg[p], y);
                continue;
            }
            if (!(b > 0)) {
                cov_rep_cell(x->rep, col, 1, "no Brent price for the year", "", y);
                continue;
            }
            if (!(dist[p] > 0)) {
                cov_rep_cell(x->rep, col, 1, "capital distance is zero", x->pg[p], y);
                continue;
            }
            out[ROW(x, p, t)] = log(dist[p] * b);
            if (gc_used[p])
                cov_rep_cell(x->rep, col, 0, "pair not in dist_cepii: great-circle distance of geo_cepii capitals",
                             x->pg[p], y);
        }
    warn_absent(x, "DIS", "CEPII (dist_cepii, geo_cepii)", &absent, "their DIS is missing");
done:
    if (have_geo) cov_cy_free(&geo);
    cov_cy_free(&brent);
    free(dist);
    free(gc_used);
    free(pd);
    free(pg);
    free(pb);
    return rc;
}

/* ======================= FTA: DESTA dyads ======================= */

typedef struct {
    char base[32];
    int withdrawal;
    int eif, sign; /* entry-into-force and signature years, 0 = unknown */
} fta_entry;

typedef struct {
    fta_entry *e;
    int n, cap;
} fta_list;

static int parse_year_cell(const char *s, int *y)
{
    long v;
    if (cov_missing_token(s)) {
        *y = 0;
        return 0;
    }
    if (sf_parse_int(s, &v) || v < 1000 || v > 3000) return -1;
    *y = (int)v;
    return 0;
}

static int build_fta(ctx_t *x, sf_err *e)
{
    double *out;
    int col = col_begin(x, "FTA", &out);
    char *path = find_note(x, "FTA", "desta_list_of_treaties_*dyads*.csv");
    if (!path) return source_absent(x, col, "FTA", "desta_list_of_treaties_*dyads*.csv (DESTA)");
    int fnum = sf_iso_alpha3_to_numeric(x->focal);
    int *pnum = sf_malloc(sizeof(int) * (size_t)(x->np + 1));
    for (int p = 0; p < x->np; p++) pnum[p] = sf_iso_alpha3_to_numeric(x->pc[p]);
    fta_list *L = sf_calloc((size_t)x->np + 1, sizeof(fta_list));
    unsigned char *listed = sf_calloc(1000, 1);
    cov_csv c;
    int rc = SF_OK, r, last_sign = 0;
    if (cov_csv_open(&c, path, ',', e)) {
        rc = SF_EUSER;
        goto done;
    }
    r = cov_csv_next(&c, e);
    if (r <= 0) {
        rc = r == 0 ? sf_fail(e, SF_EUSER, "%s: empty file (no header line)", path) : SF_EUSER;
        cov_csv_close(&c);
        goto done;
    }
    int ncol = c.n, j1 = cov_csv_find(&c, "iso1"), j2 = cov_csv_find(&c, "iso2"), jb = cov_csv_find(&c, "base_treaty"),
        jt = cov_csv_find(&c, "entry_type"), jy = cov_csv_find(&c, "year"), je = cov_csv_find(&c, "entryforceyear");
    if (j1 < 0 || j2 < 0 || jb < 0 || jt < 0 || jy < 0 || je < 0) {
        cov_csv_close(&c);
        rc = sf_fail(e, SF_EUSER, "%s: line 1: expected columns iso1, iso2, base_treaty, entry_type, year, "
                                  "entryforceyear", path);
        goto done;
    }
    while ((r = cov_csv_next(&c, e)) == 1) {
        if (cov_csv_blank(&c)) continue;
        if (c.n != ncol) {
            rc = sf_fail(e, SF_EUSER, "%s: line %ld: %d fields, the header has %d", path, c.line, c.n, ncol);
            break;
        }
        long a, b;
        int sy, ey;
        if (sf_parse_int(c.cell[j1], &a) || sf_parse_int(c.cell[j2], &b) || a < 0 || a > 999 || b < 0 || b > 999) {
            rc = sf_fail(e, SF_EUSER, "%s: line %ld: iso1/iso2 '%s'/'%s' are not ISO numeric codes", path, c.line,
                         c.cell[j1], c.cell[j2]);
            break;
        }
        if (parse_year_cell(c.cell[jy], &sy) || parse_year_cell(c.cell[je], &ey)) {
            rc = sf_fail(e, SF_EUSER, "%s: line %ld: year '%s' / entryforceyear '%s' is not a year", path, c.line,
                         c.cell[jy], c.cell[je]);
            break;
        }
        listed[a] = listed[b] = 1;
        if (sy > last_sign) last_sign = sy;
        long other = a == fnum ? b : (b == fnum ? a : -1);
        if (fnum < 0 || other < 0) continue;
        for (int p = 0; p < x->np; p++) {
            if (pnum[p] != other) continue;
            fta_list *l = &L[p];
            if (l->n == l->cap) {
                l->cap = l->cap ? 2 * l->cap : 8;
                l->e = sf_realloc(l->e, sizeof(fta_entry) * (size_t)l->cap);
            }
            fta_entry *en = &l->e[l->n++];
            snprintf(en->base, sizeof en->base, "%s", c.cell[jb]);
            en->withdrawal = strstr(c.cell[jt], "withdraw") != NULL;
            en->eif = ey;
            en->sign = sy;
        }
    }
    if (r < 0) rc = SF_EUSER;
    cov_csv_close(&c);
    if (rc) goto done;
    cov_strs nocode = {0}, unlisted = {0};
    char k_after[160];
    snprintf(k_after, sizeof k_after, "year after the DESTA coverage (last signature year %d)", last_sign);
    for (int p = 0; p < x->np; p++) {
        char lb[48];
        label(x->pg[p], x->pc[p], lb, sizeof lb);
        if (pnum[p] < 0)
            cov_strs_add_unique(&nocode, lb);
        else if (!listed[pnum[p]])
            cov_strs_add_unique(&unlisted, lb);
        for (int t = 0; t < x->ny; t++) {
            int y = x->years[t];
            if (fnum < 0) {
                cov_rep_cell(x->rep, col, 1, "focal country has no ISO numeric code", x->focal_given, y);
                continue;
            }
            if (pnum[p] < 0) {
                cov_rep_cell(x->rep, col, 1, "no ISO numeric code (cannot be matched to DESTA)", x->pg[p], y);
                continue;
            }
            if (y > last_sign) {
                cov_rep_cell(x->rep, col, 1, k_after, "", y);
                continue;
            }
            /* in force in y: an entry (base treaty, accession, consolidated
             * version, ...) with entry into force <= y, not followed by a
             * withdrawal of the dyad from that base treaty in or before y */
            int inforce = 0;
            const fta_list *l = &L[p];
            for (int i = 0; i < l->n && !inforce; i++) {
                const fta_entry *en = &l->e[i];
                if (en->withdrawal || !en->eif || en->eif > y) continue;
                int gone = 0;
                for (int k = 0; k < l->n && !gone; k++) {
                    const fta_entry *w = &l->e[k];
                    int wy = w->eif ? w->eif : w->sign;
                    gone = w->withdrawal && !strcmp(w->base, en->base) && wy && wy <= y && wy >= en->eif;
                }
                inforce = !gone;
            }
            out[ROW(x, p, t)] = inforce;
        }
    }
    if (fnum >= 0 && !listed[fnum])
        cov_rep_warn(x->rep, "FTA: focal country %s is in no DESTA agreement: FTA = 0", x->focal);
    warn_absent(x, "FTA", sf_basename(path), &nocode, "no ISO numeric code, their FTA is missing");
    warn_absent(x, "FTA", sf_basename(path), &unlisted, "in no agreement at all, their FTA is 0");
done:
    for (int p = 0; p < x->np; p++) free(L[p].e);
    free(L);
    free(listed);
    free(pnum);
    free(path);
    return rc;
}

/* ======================= LF: labour force ======================= */

static int build_lf(ctx_t *x, sf_err *e)
{
    double *out;
    int col = col_begin(x, "LF", &out);
    char *path = find_note(x, "LF", "API_SL.TLF.TOTL.IN*.csv");
    if (!path) return source_absent(x, col, "LF", "API_SL.TLF.TOTL.IN*.csv (WDI labour force)");
    cov_cy lf;
    if (cov_load_wide(path, NULL, 0, &lf, e)) {
        free(path);
        return SF_EUSER;
    }
    char k_abs[256], k_out[256];
    int f0, f1;
    cy_range(&lf, &f0, &f1);
    snprintf(k_abs, sizeof k_abs, "not in %s", sf_basename(path));
    snprintf(k_out, sizeof k_out, "year outside %s coverage (%d-%d)", sf_basename(path), f0, f1);
    cov_strs absent = {0};
    for (int p = 0; p < x->np; p++) {
        int row = cov_cy_find(&lf, x->pc[p]);
        if (row < 0) {
            char lb[48];
            label(x->pg[p], x->pc[p], lb, sizeof lb);
            cov_strs_add_unique(&absent, lb);
        }
        for (int t = 0; t < x->ny; t++) {
            int y = x->years[t];
            double v = cov_cy_get(&lf, row, y);
            if (row < 0)
                cov_rep_cell(x->rep, col, 1, k_abs, x->pg[p], y);
            else if (!cy_covers(&lf, y))
                cov_rep_cell(x->rep, col, 1, k_out, "", y);
            else if (!(v > 0))
                cov_rep_cell(x->rep, col, 1, "no labour force value that year", x->pg[p], y);
            else
                out[ROW(x, p, t)] = log(v);
        }
    }
    warn_absent(x, "LF", sf_basename(path), &absent, "their LF is missing");
    cov_cy_free(&lf);
    free(path);
    return SF_OK;
}

/* ======================= D1: World Bank income group ======================= */

static int is_fy(const char *s)
{
    return strlen(s) == 4 && (s[0] == 'F' || s[0] == 'f') && (s[1] == 'Y' || s[1] == 'y') &&
           isdigit((unsigned char)s[2]) && isdigit((unsigned char)s[3]);
}

static int year_like(const char *s)
{
    long v;
    return strlen(s) == 4 && !sf_parse_int(s, &v) && v >= 1900 && v <= 2100;
}

static int is_code3(const char *s)
{
    return strlen(s) == 3 && isupper((unsigned char)s[0]) && isupper((unsigned char)s[1]) &&
           isupper((unsigned char)s[2]);
}

/* OGHIST: the header row has FYxx columns; a following row of 4-digit years
 * (the original sheet's "data for calendar year" row) gives the data years,
 * otherwise data year = fiscal year - 2 (FY89 = 1987 ... FY25 = 2023).
 * Values: H -> 1; L, LM, UM (a trailing '*' dropped) -> 0; anything else
 * ("..", blank, "Specific") -> missing. Rows whose first cell is not a
 * three-letter upper-case code (notes, "YUGf") are skipped. */
static int load_oghist(const char *path, cov_cy *out, sf_err *e)
{
    cov_csv c;
    if (cov_csv_open(&c, path, ',', e)) return SF_EUSER;
    int r, nfy = 0, ncol = 0;
    while ((r = cov_csv_next(&c, e)) == 1) {
        nfy = 0;
        for (int j = 0; j < c.n; j++) nfy += is_fy(c.cell[j]);
        if (nfy >= 3) break;
    }
    if (r <= 0) {
        cov_csv_close(&c);
        return r == 0 ? sf_fail(e, SF_EUSER, "%s: no header row with FYxx columns", path) : SF_EUSER;
    }
    long hline = c.line;
    ncol = c.n;
    int *dy = sf_malloc(sizeof(int) * (size_t)ncol), y0 = 9999, y1 = 0;
    for (int j = 0; j < ncol; j++) {
        dy[j] = -1;
        if (!is_fy(c.cell[j])) continue;
        int yy = (c.cell[j][2] - '0') * 10 + (c.cell[j][3] - '0');
        dy[j] = (yy >= 50 ? 1900 : 2000) + yy - 2;
    }
    int rc = SF_OK, have_row = 0;
    /* optional data-year row */
    r = cov_csv_next(&c, e);
    if (r == 1) {
        int years = 0;
        for (int j = 0; j < c.n && j < ncol; j++)
            if (dy[j] >= 0 && year_like(c.cell[j])) years++;
        if (years >= nfy / 2 && years > 0) {
            for (int j = 0; j < c.n && j < ncol; j++) {
                long v;
                if (dy[j] >= 0 && !sf_parse_int(c.cell[j], &v)) dy[j] = (int)v;
            }
        } else
            have_row = 1;
    }
    for (int j = 0; j < ncol; j++)
        if (dy[j] >= 0) {
            if (dy[j] < y0) y0 = dy[j];
            if (dy[j] > y1) y1 = dy[j];
        }
    cov_cy_init(out, y0, y1 - y0 + 1);
    for (int j = 0; j < ncol; j++)
        if (dy[j] >= 0) out->has_year[dy[j] - y0] = 1;
    while (r == 1) {
        if (!have_row) {
            r = cov_csv_next(&c, e);
            if (r != 1) break;
        }
        have_row = 0;
        if (cov_csv_blank(&c) || !is_code3(c.cell[0])) continue;
        if (c.n < ncol) {
            rc = sf_fail(e, SF_EUSER, "%s: line %ld: %d fields, the header (line %ld) has %d", path, c.line, c.n,
                         hline, ncol);
            break;
        }
        if (cov_cy_find(out, c.cell[0]) >= 0) {
            rc = sf_fail(e, SF_EUSER, "%s: line %ld: second row for %s", path, c.line, c.cell[0]);
            break;
        }
        int row = cov_cy_row(out, c.cell[0]);
        for (int j = 0; j < ncol; j++) {
            if (dy[j] < 0) continue;
            char v[16];
            snprintf(v, sizeof v, "%s", c.cell[j]);
            size_t l = strlen(v);
            if (l && v[l - 1] == '*') v[l - 1] = '\0';
            double d = !strcmp(v, "H") ? 1.0 : (!strcmp(v, "L") || !strcmp(v, "LM") || !strcmp(v, "UM")) ? 0.0 : NAN;
            cov_cy_set(out, row, dy[j], d);
        }
    }
    if (r < 0) rc = SF_EUSER;
    free(dy);
    cov_csv_close(&c);
    if (rc) cov_cy_free(out);
    return rc;
}

static int build_d1(ctx_t *x, sf_err *e)
{
    double *out;
    int col = col_begin(x, "D1", &out);
    char *path = find_note(x, "D1", "OGHIST*.csv");
    if (!path) return source_absent(x, col, "D1", "OGHIST*.csv (World Bank income classification history)");
    cov_cy og;
    if (load_oghist(path, &og, e)) {
        free(path);
        return SF_EUSER;
    }
    int first, last;
    cy_range(&og, &first, &last);
    char k_abs[256], k_out[256];
    snprintf(k_abs, sizeof k_abs, "not in %s", sf_basename(path));
    snprintf(k_out, sizeof k_out, "year outside the classification history (data years %d-%d)", first, last);
    cov_rep_note(x->rep, "D1: year t uses the classification based on year-t GNI per capita (column FY(t+2) of %s)",
                 sf_basename(path));
    cov_strs absent = {0};
    for (int p = 0; p < x->np; p++) {
        /* historical rows: Serbia and Montenegro before their own rows
         * start take "YUG" (Serbia and Montenegro, former); Eora's USR the
         * USSR row "SUN" */
        const char *alt = !strcmp(x->pc[p], "SRB") || !strcmp(x->pc[p], "MNE") ? "YUG"
                          : !strcmp(x->pc[p], "USR")                            ? "SUN"
                                                                                : NULL;
        int row = cov_cy_find(&og, x->pc[p]), arow = alt ? cov_cy_find(&og, alt) : -1;
        if (row < 0 && arow < 0) {
            char lb[48];
            label(x->pg[p], x->pc[p], lb, sizeof lb);
            cov_strs_add_unique(&absent, lb);
        }
        for (int t = 0; t < x->ny; t++) {
            int y = x->years[t];
            double v = cov_cy_get(&og, row, y);
            int used_alt = 0;
            if (!isfinite(v) && arow >= 0) {
                v = cov_cy_get(&og, arow, y);
                used_alt = isfinite(v);
            }
            if (isfinite(v)) {
                out[ROW(x, p, t)] = v;
                if (used_alt) {
                    char k[128];
                    snprintf(k, sizeof k, "own classification missing: the %s row used", alt);
                    cov_rep_cell(x->rep, col, 0, k, x->pg[p], y);
                }
            } else if (row < 0 && arow < 0)
                cov_rep_cell(x->rep, col, 1, k_abs, x->pg[p], y);
            else if (y < first || y > last)
                cov_rep_cell(x->rep, col, 1, k_out, "", y);
            else
                cov_rep_cell(x->rep, col, 1, "no classification that year ('..', blank or 'Specific')", x->pg[p], y);
        }
    }
    warn_absent(x, "D1", sf_basename(path), &absent, "their D1 is missing");
    cov_cy_free(&og);
    free(path);
    return SF_OK;
}

/* ======================= BRI: cooperation documents ======================= */

/* "YYYY", "YYYY-MM" or "YYYY-MM-DD" -> year; 0 for an empty cell; -1 bad. */
static int date_year(const char *s)
{
    if (!*s) return 0;
    size_t l = strlen(s);
    if (l < 4) return -1;
    for (int i = 0; i < 4; i++)
        if (!isdigit((unsigned char)s[i])) return -1;
    if (l > 4 && s[4] != '-' && s[4] != '/') return -1;
    for (size_t i = 5; i < l; i++)
        if (!isdigit((unsigned char)s[i]) && s[i] != '-' && s[i] != '/' && s[i] != ' ' && s[i] != ':') return -1;
    return (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
}

static int build_bri(ctx_t *x, sf_err *e)
{
    double *out, *outy;
    int col = col_begin(x, "BRI", &out);
    int coly = col_begin(x, "BRI_year", &outy);
    char *path = find_note(x, "BRI", "bri_signatories*.csv");
    if (!path) {
        source_absent(x, coly, "BRI_year", "bri_signatories*.csv");
        return source_absent(x, col, "BRI", "bri_signatories*.csv (BRI cooperation documents)");
    }
    cov_cy js; /* "years" 0 = join year, 1 = exit year (0 = none) */
    cov_cy_init(&js, 0, 2);
    cov_csv c;
    int rc = SF_OK, r;
    if (cov_csv_open(&c, path, 0, e)) {
        rc = SF_EUSER;
        goto done;
    }
    r = cov_csv_next(&c, e);
    if (r <= 0) {
        rc = r == 0 ? sf_fail(e, SF_EUSER, "%s: empty file (no header line)", path) : SF_EUSER;
        cov_csv_close(&c);
        goto done;
    }
    int ncol = c.n, jc = cov_csv_find(&c, "Country Code"), jj = cov_csv_find(&c, "Likely date of joining"),
        jx = cov_csv_find(&c, "Likely date of exit");
    if (jc < 0 || jj < 0) {
        cov_csv_close(&c);
        rc = sf_fail(e, SF_EUSER, "%s: line 1: expected columns 'Country Code', 'Likely date of joining'", path);
        goto done;
    }
    while ((r = cov_csv_next(&c, e)) == 1) {
        if (cov_csv_blank(&c)) continue;
        if (c.n != ncol) {
            rc = sf_fail(e, SF_EUSER, "%s: line %ld: %d fields, the header has %d", path, c.line, c.n, ncol);
            break;
        }
        int jy = date_year(c.cell[jj]), xy = jx >= 0 ? date_year(c.cell[jx]) : 0;
        if (jy < 0 || xy < 0) {
            rc = sf_fail(e, SF_EUSER, "%s: line %ld: date '%s' is not YYYY-MM-DD", path, c.line,
                         jy < 0 ? c.cell[jj] : c.cell[jx]);
            break;
        }
        char buf[16];
        const char *iso = cov_canon(c.cell[jc], buf);
        if (!*iso) continue;
        int row = cov_cy_row(&js, iso);
        cov_cy_set(&js, row, 0, jy ? jy : NAN);
        cov_cy_set(&js, row, 1, xy);
    }
    if (r < 0) rc = SF_EUSER;
    cov_csv_close(&c);
    if (rc) goto done;
    char k_never[256];
    snprintf(k_never, sizeof k_never, "not a signatory in %s (BRI = 0)", sf_basename(path));
    cov_strs nodate = {0};
    for (int p = 0; p < x->np; p++) {
        int row = cov_cy_find(&js, x->pc[p]);
        double jy = cov_cy_get(&js, row, 0), xy = cov_cy_get(&js, row, 1);
        if (row >= 0 && !isfinite(jy)) {
            char lb[48];
            label(x->pg[p], x->pc[p], lb, sizeof lb);
            cov_strs_add_unique(&nodate, lb);
        }
        for (int t = 0; t < x->ny; t++) {
            int y = x->years[t];
            size_t rr = ROW(x, p, t);
            if (row < 0) {
                out[rr] = 0;
                cov_rep_cell(x->rep, coly, 1, k_never, x->pg[p], y);
            } else if (!isfinite(jy)) {
                cov_rep_cell(x->rep, col, 1, "signatory without a joining date", x->pg[p], y);
                cov_rep_cell(x->rep, coly, 1, "signatory without a joining date", x->pg[p], y);
            } else {
                /* status at the end of year y */
                out[rr] = jy <= y && !(xy > 0 && xy <= y);
                outy[rr] = jy;
            }
        }
    }
    if (nodate.n) {
        char *j = cov_strs_join(&nodate);
        cov_rep_warn(x->rep, "BRI: %s lists %s without a joining date: their BRI and BRI_year are missing "
                             "(supply them with [covariates] file)", sf_basename(path), j);
        free(j);
    }
    cov_strs_free(&nodate);
done:
    cov_cy_free(&js);
    free(path);
    return rc;
}

/* ======================= group ======================= */

static void build_group(ctx_t *x)
{
    char **g = sf_frame_add_str(x->f, "group");
    int col = cov_rep_col(x->rep, "group", x->nrow);
    if (!x->have_groups && !x->have_meta) {
        cov_rep_unavailable(x->rep, col);
        all_missing_code(x, col, "source files absent (bri64.csv, Metadata_Country_*.csv)", "");
        cov_rep_warn(x->rep, "group: neither the group file nor the WDI country metadata was found: group is empty");
        return;
    }
    cov_strs none = {0};
    for (int p = 0; p < x->np; p++) {
        const char *grp = x->have_groups ? cov_attr_v1(&x->groups, x->pc[p]) : NULL;
        if (!grp && x->have_meta) grp = cov_attr_v1(&x->meta, x->pc[p]);
        if (!grp) {
            char lb[48];
            label(x->pg[p], x->pc[p], lb, sizeof lb);
            cov_strs_add_unique(&none, lb);
        }
        for (int t = 0; t < x->ny; t++) {
            if (grp)
                g[ROW(x, p, t)] = sf_strdup(grp);
            else
                cov_rep_cell(x->rep, col, 1, "neither in the group file nor with a WDI region", x->pg[p],
                             x->years[t]);
        }
    }
    if (none.n) {
        char *j = cov_strs_join(&none);
        cov_rep_warn(x->rep, "group: no group for %s", j);
        free(j);
    }
    cov_strs_free(&none);
}

/* ======================= driver ======================= */

static int load_context(ctx_t *x, const sf_cov_options *opt, sf_err *e)
{
    char *gpath = NULL;
    if (opt && opt->groups_file) {
        if (!sf_file_exists(opt->groups_file))
            return sf_fail(e, SF_EUSER, "%s: group file not found", opt->groups_file);
        gpath = sf_strdup(opt->groups_file);
    } else {
        char *up = sf_path_join(x->dir, "../countries/bri64.csv");
        if (sf_file_exists(up))
            gpath = up;
        else {
            free(up);
            gpath = sf_path_join(x->dir, "bri64.csv");
            if (!sf_file_exists(gpath)) {
                free(gpath);
                gpath = NULL;
            }
        }
    }
    if (gpath) {
        if (cov_load_groups(gpath, &x->groups, e)) {
            free(gpath);
            return SF_EUSER;
        }
        x->have_groups = 1;
        cov_rep_note(x->rep, "group: read %s", gpath);
        free(gpath);
    } else
        cov_rep_warn(x->rep, "group: no bri64.csv (in %s/../countries or %s): groups from WDI regions only", x->dir,
                     x->dir);
    char *mpath = find_note(x, "group", "Metadata_Country_*.csv");
    if (mpath) {
        if (cov_load_meta(mpath, &x->meta, e)) {
            free(mpath);
            return SF_EUSER;
        }
        x->have_meta = 1;
        free(mpath);
    } else
        cov_rep_warn(x->rep, "group: no Metadata_Country_*.csv in %s: no WDI regions", x->dir);
    return SF_OK;
}

int sf_covariates_build(const char *dir, const char *focal, char *const *partners, int npartners,
                        const int *years, int nyears, const sf_cov_options *opt, sf_frame **out,
                        sf_cov_report *rep, sf_err *e)
{
    *out = NULL;
    memset(rep, 0, sizeof *rep);
    if (!dir || !sf_is_dir(dir)) return sf_fail(e, SF_EUSER, "%s: covariate directory not found", dir ? dir : "(null)");
    if (!focal || !*focal) return sf_fail(e, SF_EUSER, "covariates: no focal country");
    if (npartners < 0 || nyears < 0) return sf_fail(e, SF_EINTERNAL, "covariates: negative list size");
    ctx_t x;
    memset(&x, 0, sizeof x);
    x.dir = dir;
    cov_canon(focal, x.focal);
    x.focal_given = focal;
    x.np = npartners;
    x.pg = partners;
    x.ny = nyears;
    x.years = years;
    x.nrow = (size_t)npartners * (size_t)nyears;
    x.f = sf_frame_new(x.nrow);
    x.rep = cov_rep_new(rep);
    x.pc = sf_malloc(16 * (size_t)(npartners + 1));
    for (int p = 0; p < npartners; p++) {
        cov_canon(partners[p], x.pc[p]);
        if (!strcmp(x.pc[p], x.focal))
            cov_rep_warn(x.rep, "partner %s is the focal country: its distances are 0 or meaningless", partners[p]);
    }
    char **pcol = sf_frame_add_str(x.f, "partner");
    double *ycol = sf_frame_add_num(x.f, "year");
    for (int p = 0; p < npartners; p++)
        for (int t = 0; t < nyears; t++) {
            pcol[ROW(&x, p, t)] = sf_strdup(partners[p]);
            ycol[ROW(&x, p, t)] = years[t];
        }
    int rc = load_context(&x, opt, e);
    if (!rc) build_group(&x);
    if (!rc) rc = build_pol(&x, e);
    if (!rc) rc = build_eco(&x, e);
    if (!rc) rc = build_cul(&x, e);
    if (!rc) rc = build_dis(&x, e);
    if (!rc) rc = build_fta(&x, e);
    if (!rc) rc = build_lf(&x, e);
    if (!rc) rc = build_d1(&x, e);
    if (!rc) rc = build_bri(&x, e);
    cov_rep_finish(x.rep);
    if (x.have_groups) cov_attr_free(&x.groups);
    if (x.have_meta) cov_attr_free(&x.meta);
    free(x.pc);
    if (rc) {
        sf_frame_free(x.f);
        sf_cov_report_free(rep);
        return rc;
    }
    *out = x.f;
    return SF_OK;
}
