/* Covariates describing the partner's status: D1 (World Bank high income)
 * and BRI (cooperation document signed). docs/covariates.md. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cov_build.h"

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
 * ("..", blank, "Specific") -> missing; with ordinal set, the group itself:
 * L 1, LM 2, UM 3, H 4. Rows whose first cell is not a three-letter
 * upper-case code (notes, "YUGf") are skipped. */
static int load_oghist(const char *path, int ordinal, cov_cy *out, sf_err *e)
{
    sf_csv c;
    if (sf_csv_open(&c, path, ',', e)) return SF_EUSER;
    int r, nfy = 0, ncol = 0;
    while ((r = sf_csv_next(&c, e)) == 1) {
        nfy = 0;
        for (int j = 0; j < c.n; j++) nfy += is_fy(c.cell[j]);
        if (nfy >= 3) break;
    }
    if (r <= 0) {
        sf_csv_close(&c);
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
    r = sf_csv_next(&c, e);
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
            r = sf_csv_next(&c, e);
            if (r != 1) break;
        }
        have_row = 0;
        if (sf_csv_blank(&c) || !is_code3(c.cell[0])) continue;
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
            if (ordinal)
                d = !strcmp(v, "L") ? 1.0 : !strcmp(v, "LM") ? 2.0 : !strcmp(v, "UM") ? 3.0 : !strcmp(v, "H") ? 4.0 : NAN;
            cov_cy_set(out, row, dy[j], d);
        }
    }
    if (r < 0) rc = SF_EUSER;
    free(dy);
    sf_csv_close(&c);
    if (rc) cov_cy_free(out);
    return rc;
}

/* The historical OGHIST row a partner falls back on: Serbia and Montenegro
 * before their own rows start take "YUG" (Serbia and Montenegro, former);
 * Eora's USR the USSR row "SUN". NULL for the others. */
static const char *oghist_alt(const char *code)
{
    if (!strcmp(code, "SRB") || !strcmp(code, "MNE")) return "YUG";
    return !strcmp(code, "USR") ? "SUN" : NULL;
}

/* The class of year y from the partner's own row, else from its historical
 * row arow (*used_alt = 1); NaN when neither has one. */
static double oghist_get(const cov_cy *og, int row, int arow, int y, int *used_alt)
{
    double v = cov_cy_get(og, row, y);
    *used_alt = 0;
    if (!isfinite(v) && arow >= 0) {
        v = cov_cy_get(og, arow, y);
        *used_alt = isfinite(v);
    }
    return v;
}

int cov_build_d1(ctx_t *x, sf_err *e)
{
    double *out;
    int col = cov_col_begin(x, "D1", &out);
    char *path = cov_find_note(x, "D1", "OGHIST*.csv");
    if (!path) return cov_source_absent(x, col, "D1", "OGHIST*.csv (World Bank income classification history)");
    cov_cy og;
    if (load_oghist(path, 0, &og, e)) {
        free(path);
        return SF_EUSER;
    }
    int first, last;
    cov_cy_range(&og, &first, &last);
    char k_abs[256], k_out[256];
    snprintf(k_abs, sizeof k_abs, "not in %s", sf_basename(path));
    snprintf(k_out, sizeof k_out, "year outside the classification history (data years %d-%d)", first, last);
    cov_rep_note(x->rep, "D1: year t uses the classification based on year-t GNI per capita (column FY(t+2) of %s)",
                 sf_basename(path));
    cov_strs absent = {0};
    for (int p = 0; p < x->np; p++) {
        const char *alt = oghist_alt(x->pc[p]);
        int row = cov_cy_find(&og, x->pc[p]), arow = alt ? cov_cy_find(&og, alt) : -1;
        if (row < 0 && arow < 0) cov_list_partner(x, p, &absent);
        for (int t = 0; t < x->ny; t++) {
            int y = x->years[t], used_alt = 0;
            double v = oghist_get(&og, row, arow, y, &used_alt);
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
    cov_warn_absent(x, "D1", sf_basename(path), &absent, "their D1 is missing");
    cov_cy_free(&og);
    free(path);
    return SF_OK;
}

/* ======================= STAGE: the focal country's income group =======================
 * 1 when the partner's World Bank income group (L, LM, UM, H; OGHIST, the same year rule as D1)
 * equals the focal country's that year, 0 when it differs, missing when either is unclassified.
 * The sample of Table 9's extra regression (Hu 2023: partners "with industrial development stages
 * similar to China"; docs/methods.md section 12). */
int cov_build_stage(ctx_t *x, sf_err *e)
{
    double *out;
    int col = cov_col_begin(x, "STAGE", &out);
    char *path = cov_find_note(x, "STAGE", "OGHIST*.csv");
    if (!path) return cov_source_absent(x, col, "STAGE", "OGHIST*.csv (World Bank income classification history)");
    cov_cy og;
    if (load_oghist(path, 1, &og, e)) {
        free(path);
        return SF_EUSER;
    }
    int frow = cov_cy_find(&og, x->focal);
    cov_rep_note(x->rep, "STAGE: 1 when the partner is in %s's World Bank income group of the year (%s)", x->focal,
                 sf_basename(path));
    for (int p = 0; p < x->np; p++) {
        const char *alt = oghist_alt(x->pc[p]);
        int row = cov_cy_find(&og, x->pc[p]), arow = alt ? cov_cy_find(&og, alt) : -1;
        for (int t = 0; t < x->ny; t++) {
            int y = x->years[t], used_alt;
            double v = oghist_get(&og, row, arow, y, &used_alt), fv = cov_cy_get(&og, frow, y);
            if (isfinite(v) && isfinite(fv))
                out[ROW(x, p, t)] = v == fv ? 1.0 : 0.0;
            else
                cov_rep_cell(x->rep, col, 1, !isfinite(fv) ? "focal country unclassified that year"
                                                           : "partner unclassified that year", x->pg[p], y);
        }
    }
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

int cov_build_bri(ctx_t *x, sf_err *e)
{
    double *out, *outy;
    int col = cov_col_begin(x, "BRI", &out);
    int coly = cov_col_begin(x, "BRI_year", &outy);
    char *path = cov_find_note(x, "BRI", "bri_signatories*.csv");
    if (!path) {
        cov_source_absent(x, coly, "BRI_year", "bri_signatories*.csv");
        return cov_source_absent(x, col, "BRI", "bri_signatories*.csv (BRI cooperation documents)");
    }
    cov_cy js; /* "years" 0 = join year, 1 = exit year (0 = none) */
    cov_cy_init(&js, 0, 2);
    sf_csv c;
    int rc = SF_OK, r;
    if (sf_csv_open(&c, path, 0, e)) {
        rc = SF_EUSER;
        goto done;
    }
    r = sf_csv_next(&c, e);
    if (r <= 0) {
        rc = r == 0 ? sf_fail(e, SF_EUSER, "%s: empty file (no header line)", path) : SF_EUSER;
        sf_csv_close(&c);
        goto done;
    }
    int ncol = c.n, jc = sf_csv_find(&c, "Country Code"), jj = sf_csv_find(&c, "Likely date of joining"),
        jx = sf_csv_find(&c, "Likely date of exit");
    if (jc < 0 || jj < 0) {
        sf_csv_close(&c);
        rc = sf_fail(e, SF_EUSER, "%s: line 1: expected columns 'Country Code', 'Likely date of joining'", path);
        goto done;
    }
    while ((r = sf_csv_next(&c, e)) == 1) {
        if (sf_csv_blank(&c)) continue;
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
    sf_csv_close(&c);
    if (rc) goto done;
    char k_never[256];
    snprintf(k_never, sizeof k_never, "not a signatory in %s (BRI = 0)", sf_basename(path));
    cov_strs nodate = {0};
    for (int p = 0; p < x->np; p++) {
        int row = cov_cy_find(&js, x->pc[p]);
        double jy = cov_cy_get(&js, row, 0), xy = cov_cy_get(&js, row, 1);
        if (row >= 0 && !isfinite(jy)) cov_list_partner(x, p, &nodate);
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
