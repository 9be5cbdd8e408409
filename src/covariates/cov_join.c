/* Covariates: the user's country-year CSV ([covariates] file = ...) joined
 * onto a frame by (partner, year), and the partner list files
 * (configs/countries/NAME.txt). */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cov_internal.h"
#include "silkflow/covariates.h"

/* ---------------- user country-year CSV ---------------- */

typedef struct {
    char *name;
    int numeric;
    sf_column *dst; /* existing frame column (only tested for NULL: new) */
} ucol;

static int valid_code(const char *s)
{
    size_t l = strlen(s);
    if (l < 2 || l > 15) return 0;
    for (size_t i = 0; i < l; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_') return 0;
    return 1;
}

/* the data columns of the header (not iso3/partner, year): names, file columns */
static int join_header(const sf_csv *c, const char *path, int jk, int jy, ucol *uc, int *src, int *nup, sf_err *e)
{
    int rc = SF_OK, ncol = c->n, nu = 0;
    for (int j = 0; j < ncol && !rc; j++) {
        if (j == jk || j == jy) continue;
        if (!*c->cell[j]) {
            rc = sf_fail(e, SF_EUSER, "%s: line 1: column %d has no name", path, j + 1);
            break;
        }
        if (sf_streq_nocase(c->cell[j], "iso3") || sf_streq_nocase(c->cell[j], "partner") ||
            sf_streq_nocase(c->cell[j], "year")) {
            rc = sf_fail(e, SF_EUSER, "%s: line 1: column '%s' repeats a key column", path, c->cell[j]);
            break;
        }
        for (int k = 0; k < nu; k++)
            if (sf_streq_nocase(uc[k].name, c->cell[j]))
                rc = sf_fail(e, SF_EUSER, "%s: line 1: column '%s' appears twice", path, c->cell[j]);
        uc[nu].name = sf_strdup(c->cell[j]);
        uc[nu].numeric = 1;
        src[nu++] = j;
    }
    *nup = nu;
    return rc;
}

/* a file column joined onto an existing numeric column must be numeric */
static int join_types(sf_frame *f, const char *path, ucol *uc, int nu, char **cells, const long *lines, size_t nr,
                      sf_err *e)
{
    sf_column *fp = sf_frame_col(f, "partner"), *fy = sf_frame_col(f, "year");
    int rc = SF_OK;
    for (int k = 0; k < nu && !rc; k++) {
        sf_column *d = sf_frame_col(f, uc[k].name);
        if (!d) continue;
        if (d == fp || d == fy) {
            rc = sf_fail(e, SF_EUSER, "%s: line 1: column '%s' would replace a key column", path, uc[k].name);
            break;
        }
        if (d->type == SF_COL_NUM && !uc[k].numeric) {
            for (size_t i = 0; i < nr; i++) {
                const char *s = cells[i * (size_t)nu + (size_t)k];
                double v;
                if (s && cov_cell_num(s, &v)) {
                    rc = sf_fail(e, SF_EUSER, "%s: line %ld: column '%s' is numeric, '%s' is not a number", path,
                                 lines[i], uc[k].name, s);
                    break;
                }
            }
        }
        uc[k].numeric = d->type == SF_COL_NUM;
        uc[k].dst = d;
    }
    return rc;
}

/* match the frame's rows by (canonical code, year) and copy the file's cells,
 * with the report's cells and note */
static void join_apply(sf_frame *f, const char *path, sf_cov_report *rep, ucol *uc, int nu, char **cells, size_t nr,
                       const sf_strmap *key)
{
    sf_column *fp = sf_frame_col(f, "partner"), *fy = sf_frame_col(f, "year");
    /* match the frame's rows */
    int *match = sf_malloc(sizeof(int) * (f->nrow + 1));
    size_t matched = 0;
    unsigned char *used = sf_calloc(nr + 1, 1);
    for (size_t i = 0; i < f->nrow; i++) {
        match[i] = -1;
        if (!fp->str[i] || !isfinite(fy->num[i])) continue;
        char cb[16], kb[40];
        snprintf(kb, sizeof kb, "%s|%ld", cov_canon(fp->str[i], cb), (long)fy->num[i]);
        match[i] = sf_strmap_get(key, kb);
        if (match[i] >= 0) {
            matched++;
            used[match[i]] = 1;
        }
    }
    size_t unused = 0;
    for (size_t i = 0; i < nr; i++) unused += !used[i];
    cov_rep *rp = rep ? cov_rep_new(rep) : NULL;
    const char *fn = sf_basename(path);
    char k_nomatch[256], k_empty[256], k_took[256];
    for (int k = 0; k < nu; k++) {
        int existed = uc[k].dst != NULL;
        snprintf(k_nomatch, sizeof k_nomatch, "%sno row for the partner-year in %s",
                 existed ? "missing before the join and " : "", fn);
        snprintf(k_empty, sizeof k_empty, "%sempty in %s", existed ? "missing before the join and " : "", fn);
        snprintf(k_took, sizeof k_took, "value taken from %s (the file wins over the built-in value)", fn);
        /* columns are looked up again: adding one may move the others */
        sf_column *d = existed ? sf_frame_col(f, uc[k].name) : NULL;
        if (!d) {
            if (uc[k].numeric)
                sf_frame_add_num(f, uc[k].name);
            else
                sf_frame_add_str(f, uc[k].name);
            d = sf_frame_col(f, uc[k].name);
            fp = sf_frame_col(f, "partner"); /* add may move the columns */
            fy = sf_frame_col(f, "year");
        }
        int col = rp ? cov_rep_col(rp, d->name, f->nrow) : -1;
        for (size_t i = 0; i < f->nrow; i++) {
            const char *s = match[i] >= 0 ? cells[(size_t)match[i] * (size_t)nu + (size_t)k] : NULL;
            if (s) {
                if (d->type == SF_COL_NUM) {
                    double v;
                    cov_cell_num(s, &v);
                    if (existed && rp) cov_rep_cell(rp, col, 0, k_took, fp->str[i], (int)fy->num[i]);
                    d->num[i] = v;
                } else {
                    if (existed && rp) cov_rep_cell(rp, col, 0, k_took, fp->str[i], (int)fy->num[i]);
                    free(d->str[i]);
                    d->str[i] = sf_strdup(s);
                }
                continue;
            }
            int miss = d->type == SF_COL_NUM ? !isfinite(d->num[i]) : !d->str[i];
            if (miss && rp)
                cov_rep_cell(rp, col, 1, match[i] >= 0 ? k_empty : k_nomatch, fp->str[i] ? fp->str[i] : "",
                             isfinite(fy->num[i]) ? (int)fy->num[i] : 0);
        }
    }
    if (rp) {
        cov_rep_note(rp, "join: %s: %zu of %zu frame rows matched; %zu of its %zu rows matched no frame row", fn,
                     matched, f->nrow, unused, nr);
        cov_rep_finish(rp);
    }
    free(match);
    free(used);
}

int sf_covariates_join_csv(sf_frame *f, const char *path, sf_cov_report *rep, sf_err *e)
{
    sf_column *fp = sf_frame_col(f, "partner"), *fy = sf_frame_col(f, "year");
    if (!fp || fp->type != SF_COL_STR || !fy || fy->type != SF_COL_NUM)
        return sf_fail(e, SF_EINTERNAL, "covariates join: the frame has no string 'partner' and numeric 'year' columns");
    sf_csv c;
    if (sf_csv_open_header(&c, path, 0, e)) return SF_EUSER;
    int r = 0; /* stays 0 when a header error skips the rows */
    int ncol = c.n, jk = sf_csv_find(&c, "iso3"), jy = sf_csv_find(&c, "year");
    if (jk < 0) jk = sf_csv_find(&c, "partner");
    if (jk < 0 || jy < 0) {
        sf_csv_close(&c);
        return sf_fail(e, SF_EUSER, "%s: line 1: expected columns iso3 (or partner) and year", path);
    }
    int nu = 0;
    ucol *uc = sf_calloc((size_t)ncol, sizeof(ucol));
    int *src = sf_malloc(sizeof(int) * (size_t)ncol); /* file column of data column k */
    int rc = join_header(&c, path, jk, jy, uc, src, &nu, e);
    /* rows */
    size_t nr = 0, cap = 256;
    char **cells = sf_malloc(sizeof(char *) * cap * (size_t)(nu + 1));
    long *lines = sf_malloc(sizeof(long) * cap);
    sf_strmap key;
    sf_strmap_init(&key, 0);
    while (!rc && (r = sf_csv_next(&c, e)) == 1) {
        if (sf_csv_blank(&c)) continue;
        if (c.n != ncol) {
            rc = sf_fail(e, SF_EUSER, "%s: line %ld: %d fields, the header has %d", path, c.line, c.n, ncol);
            break;
        }
        long y;
        if (sf_parse_int(c.cell[jy], &y) || y < 1000 || y > 3000) {
            rc = sf_fail(e, SF_EUSER, "%s: line %ld: year '%s' is not a year", path, c.line, c.cell[jy]);
            break;
        }
        if (!valid_code(c.cell[jk])) {
            rc = sf_fail(e, SF_EUSER, "%s: line %ld: '%s' is not a country code", path, c.line, c.cell[jk]);
            break;
        }
        char cb[16], kb[40];
        snprintf(kb, sizeof kb, "%s|%ld", cov_canon(c.cell[jk], cb), y);
        int prev = sf_strmap_get(&key, kb);
        if (prev >= 0) {
            rc = sf_fail(e, SF_EUSER, "%s: line %ld: %s %ld already given on line %ld", path, c.line, c.cell[jk], y,
                         lines[prev]);
            break;
        }
        if (nr == cap) {
            cap *= 2;
            cells = sf_realloc(cells, sizeof(char *) * cap * (size_t)(nu + 1));
            lines = sf_realloc(lines, sizeof(long) * cap);
        }
        sf_strmap_put(&key, kb, (int)nr);
        lines[nr] = c.line;
        for (int k = 0; k < nu; k++) {
            const char *s = c.cell[src[k]];
            double v;
            cells[nr * (size_t)nu + (size_t)k] = sf_csv_missing(s) ? NULL : sf_strdup(s);
            if (uc[k].numeric && cov_cell_num(s, &v)) uc[k].numeric = 0;
        }
        nr++;
    }
    if (r < 0) rc = SF_EUSER;
    sf_csv_close(&c);
    /* types against existing columns */
    if (!rc) rc = join_types(f, path, uc, nu, cells, lines, nr, e);
    if (!rc) join_apply(f, path, rep, uc, nu, cells, nr, &key);
    for (size_t i = 0; i < nr * (size_t)nu; i++) free(cells[i]);
    free(cells);
    free(lines);
    sf_strmap_free(&key);
    for (int k = 0; k < nu; k++) free(uc[k].name);
    free(uc);
    free(src);
    return rc;
}

/* ---------------- partner list files ---------------- */

int sf_partner_list_read(const char *path, char ***codes, int *n, sf_err *e)
{
    *codes = NULL;
    *n = 0;
    size_t len;
    char *text = sf_read_file(path, &len, e);
    if (!text) return SF_EUSER;
    char **out = NULL;
    long *lineof = NULL;
    int m = 0, rc = SF_OK;
    long line = 0;
    char *p = text;
    if (len >= 3 && (unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB && (unsigned char)p[2] == 0xBF) p += 3;
    while (*p && !rc) {
        char *nl = strchr(p, '\n');
        if (nl) *nl = '\0';
        line++;
        char *hash = strchr(p, '#');
        if (hash) *hash = '\0';
        char *s = sf_trim(p);
        p = nl ? nl + 1 : p + strlen(p);
        if (!*s) continue;
        size_t l = strcspn(s, " \t,;");
        if (s[l]) {
            rc = sf_fail(e, SF_EUSER, "%s: line %ld: one ISO3 code per line, got '%s'", path, line, s);
            break;
        }
        if (l != 3 || !isalpha((unsigned char)s[0]) || !isalpha((unsigned char)s[1]) || !isalpha((unsigned char)s[2])) {
            rc = sf_fail(e, SF_EUSER, "%s: line %ld: '%s' is not an ISO3 code (three letters)", path, line, s);
            break;
        }
        char code[4] = {(char)toupper((unsigned char)s[0]), (char)toupper((unsigned char)s[1]),
                        (char)toupper((unsigned char)s[2]), 0};
        for (int i = 0; i < m; i++)
            if (!strcmp(out[i], code)) {
                rc = sf_fail(e, SF_EUSER, "%s: line %ld: %s is already listed on line %ld", path, line, code,
                             lineof[i]);
                break;
            }
        if (rc) break;
        out = sf_realloc(out, sizeof(char *) * (size_t)(m + 1));
        lineof = sf_realloc(lineof, sizeof(long) * (size_t)(m + 1));
        out[m] = sf_strdup(code);
        lineof[m++] = line;
    }
    free(text);
    free(lineof);
    if (!rc && !m) rc = sf_fail(e, SF_EUSER, "%s: no country codes in the file", path);
    if (rc) {
        sf_partner_list_free(out, m);
        return rc;
    }
    *codes = out;
    *n = m;
    return SF_OK;
}

void sf_partner_list_free(char **codes, int n)
{
    for (int i = 0; i < n; i++) free(codes[i]);
    free(codes);
}
