/* Covariates from World Bank series: POL (WGI Kogut-Singh, with the gap-year
 * and nearest-year rules), ECO (GDP per capita, with the fallback file) and
 * LF (labour force). docs/covariates.md. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cov_build.h"

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
    cov_cy_range(w, &first, &last);
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

int cov_build_pol(ctx_t *x, sf_err *e)
{
    double *out;
    int col = cov_col_begin(x, "POL", &out);
    char *path = cov_find_note(x, "POL", "WGIData*.csv");
    if (!path) return cov_source_absent(x, col, "POL", "WGIData*.csv (Worldwide Governance Indicators)");
    cov_cy w[6];
    if (cov_load_wide(path, WGI_IND, 6, w, e)) {
        free(path);
        return SF_EUSER;
    }
    const char *fn = sf_basename(path);
    int first, last;
    cov_cy_range(&w[0], &first, &last);
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
        if (!pin[p]) cov_list_partner(x, p, &absent);
    }
    if (!focal_in) cov_rep_warn(x->rep, "POL: focal country %s is not in %s: POL is missing in every row", x->focal, fn);
    double *vals = sf_malloc(sizeof(double) * (size_t)(nrows ? nrows : 1));
    for (int t = 0; t < x->ny; t++) {
        int y = x->years[t], lo = 0, hi = 0;
        int rule = year_rule(&w[0], y, &lo, &hi);
        double var[6], fv[6];
        for (int d = 0; d < 6 && rule != YR_OUTSIDE; d++) {
            for (int i = 0; i < w[d].n; i++) vals[i] = rule_value(&w[d], i, rule, y, lo, hi);
            var[d] = cov_sample_var(vals, w[d].n);
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
    cov_warn_absent(x, "POL", fn, &absent, "their POL is missing");
    free(vals);
    free(prow);
    free(pin);
    for (int d = 0; d < 6; d++) cov_cy_free(&w[d]);
    free(path);
    return SF_OK;
}

/* ======================= ECO: GDP per capita ======================= */

int cov_build_eco(ctx_t *x, sf_err *e)
{
    double *out;
    int col = cov_col_begin(x, "ECO", &out);
    char *pw = cov_find_note(x, "ECO", "API_NY.GDP.PCAP.CD*.csv");
    char *pf = cov_find_note(x, "ECO", "wb_gdppc_gnipc_*.csv");
    if (!pw && !pf)
        return cov_source_absent(x, col, "ECO", "API_NY.GDP.PCAP.CD*.csv or wb_gdppc_gnipc_*.csv (GDP per capita)");
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
        cov_cy_range(&wdi, &a, &b);
        if (a >= 0 && a < f0) f0 = a;
        if (b > f1) f1 = b;
    }
    if (have_f) {
        cov_cy_range(&fb, &a, &b);
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
        if (rw < 0 && rf < 0) cov_list_partner(x, p, &absent);
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
        int covered = (have_w && cov_cy_covers(&wdi, y)) || (have_f && cov_cy_covers(&fb, y));
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
    cov_warn_absent(x, "ECO", "the GDP per capita files", &absent, "their ECO is missing");
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

/* ======================= LF: labour force ======================= */

int cov_build_lf(ctx_t *x, sf_err *e)
{
    double *out;
    int col = cov_col_begin(x, "LF", &out);
    char *path = cov_find_note(x, "LF", "API_SL.TLF.TOTL.IN*.csv");
    if (!path) return cov_source_absent(x, col, "LF", "API_SL.TLF.TOTL.IN*.csv (WDI labour force)");
    cov_cy lf;
    if (cov_load_wide(path, NULL, 0, &lf, e)) {
        free(path);
        return SF_EUSER;
    }
    char k_abs[256], k_out[256];
    int f0, f1;
    cov_cy_range(&lf, &f0, &f1);
    snprintf(k_abs, sizeof k_abs, "not in %s", sf_basename(path));
    snprintf(k_out, sizeof k_out, "year outside %s coverage (%d-%d)", sf_basename(path), f0, f1);
    cov_strs absent = {0};
    for (int p = 0; p < x->np; p++) {
        int row = cov_cy_find(&lf, x->pc[p]);
        if (row < 0) cov_list_partner(x, p, &absent);
        for (int t = 0; t < x->ny; t++) {
            int y = x->years[t];
            double v = cov_cy_get(&lf, row, y);
            if (row < 0)
                cov_rep_cell(x->rep, col, 1, k_abs, x->pg[p], y);
            else if (!cov_cy_covers(&lf, y))
                cov_rep_cell(x->rep, col, 1, k_out, "", y);
            else if (!(v > 0))
                cov_rep_cell(x->rep, col, 1, "no labour force value that year", x->pg[p], y);
            else
                out[ROW(x, p, t)] = log(v);
        }
    }
    cov_warn_absent(x, "LF", sf_basename(path), &absent, "their LF is missing");
    cov_cy_free(&lf);
    free(path);
    return SF_OK;
}
