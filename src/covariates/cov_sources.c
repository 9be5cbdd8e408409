/* Covariates: readers of the generic source layouts. World Bank "wide"
 * files (WDI, WGI: one row per country and indicator, one column per year,
 * possibly with metadata lines before the header), "long" country-year
 * files, the WDI country metadata, the group file and a directory lookup by
 * file-name pattern. Each malformed line is an SF_EUSER error naming the file
 * and line; a country or year a file does not have is simply absent. */
#include <dirent.h>
#include <fnmatch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cov_internal.h"
#include "cov_sources.h"

/* ---------------- file lookup ---------------- */

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

char *cov_find_source(const char *dir, const char *pattern, char **others)
{
    if (others) *others = NULL;
    DIR *d = opendir(dir);
    if (!d) return NULL;
    char **names = NULL;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.' || fnmatch(pattern, de->d_name, 0)) continue;
        names = sf_realloc(names, sizeof(char *) * (size_t)(n + 1));
        names[n++] = sf_strdup(de->d_name);
    }
    closedir(d);
    if (!n) return NULL;
    qsort(names, (size_t)n, sizeof(char *), cmp_str);
    /* several vintages: the last in name order (the newest by the World
     * Bank's numbering) is used, and the caller notes the others */
    char *path = sf_path_join(dir, names[n - 1]);
    if (n > 1 && others) {
        cov_strs l = {0};
        for (int i = 0; i < n - 1; i++) cov_strs_add_unique(&l, names[i]);
        *others = cov_strs_join(&l);
        cov_strs_free(&l);
    }
    for (int i = 0; i < n; i++) free(names[i]);
    free(names);
    return path;
}

/* ---------------- wide World Bank files ---------------- */

static int year_cell(const char *s)
{
    long y;
    if (strlen(s) != 4 || sf_parse_int(s, &y) || y < 1800 || y > 2200) return -1;
    return (int)y;
}

int cov_load_wide(const char *path, const char *const *ind, int nind, cov_cy *out, sf_err *e)
{
    sf_csv c;
    if (sf_csv_open(&c, path, ',', e)) return SF_EUSER;
    int rc, ncol = 0, icol = -1, *yr = NULL, y0 = 0, y1 = -1;
    /* the header is the first record whose second cell is "Country Code";
     * WDI downloads put 4 metadata lines before it */
    while ((rc = sf_csv_next(&c, e)) == 1) {
        if (c.n >= 2 && sf_streq_nocase(c.cell[1], "Country Code")) break;
    }
    if (rc <= 0) {
        sf_csv_close(&c);
        if (rc == 0) return sf_fail(e, SF_EUSER, "%s: no header line (one with 'Country Code' in the second column)", path);
        return SF_EUSER;
    }
    long hline = c.line;
    ncol = c.n;
    icol = sf_csv_find(&c, "Indicator Code");
    if (nind > 0 && icol < 0) {
        sf_csv_close(&c);
        return sf_fail(e, SF_EUSER, "%s: line %ld: no 'Indicator Code' column", path, hline);
    }
    yr = sf_malloc(sizeof(int) * (size_t)ncol);
    for (int j = 0; j < ncol; j++) {
        yr[j] = j >= 2 ? year_cell(c.cell[j]) : -1;
        if (yr[j] < 0) continue;
        if (y1 < y0) y0 = y1 = yr[j];
        if (yr[j] < y0) y0 = yr[j];
        if (yr[j] > y1) y1 = yr[j];
    }
    if (y1 < y0) {
        free(yr);
        sf_csv_close(&c);
        return sf_fail(e, SF_EUSER, "%s: line %ld: no year columns in the header", path, hline);
    }
    int nt = nind > 0 ? nind : 1;
    for (int k = 0; k < nt; k++) {
        cov_cy_init(&out[k], y0, y1 - y0 + 1);
        for (int j = 0; j < ncol; j++)
            if (yr[j] >= 0) out[k].has_year[yr[j] - y0] = 1;
    }
    int *seen = sf_calloc((size_t)nt, sizeof(int));
    rc = SF_OK;
    int r;
    while ((r = sf_csv_next(&c, e)) == 1) {
        if (sf_csv_blank(&c)) continue;
        if (c.n != ncol) {
            rc = sf_fail(e, SF_EUSER, "%s: line %ld: %d fields, the header (line %ld) has %d", path, c.line, c.n,
                         hline, ncol);
            break;
        }
        const char *code = c.cell[1];
        if (!*code) {
            rc = sf_fail(e, SF_EUSER, "%s: line %ld: empty country code", path, c.line);
            break;
        }
        int k = 0;
        if (nind > 0) {
            for (k = 0; k < nind && strcmp(c.cell[icol], ind[k]); k++) {
            }
            if (k == nind) continue; /* an indicator we do not use */
        }
        if (cov_cy_find(&out[k], code) >= 0) {
            rc = sf_fail(e, SF_EUSER, "%s: line %ld: second row for country %s%s%s", path, c.line, code,
                         nind > 0 ? " and indicator " : "", nind > 0 ? ind[k] : "");
            break;
        }
        int row = cov_cy_row(&out[k], code);
        seen[k]++;
        for (int j = 0; j < ncol; j++) {
            if (yr[j] < 0) continue;
            double v;
            if (cov_cell_num(c.cell[j], &v)) {
                rc = sf_fail(e, SF_EUSER, "%s: line %ld: column %d (%d): '%s' is not a number", path, c.line, j + 1,
                             yr[j], c.cell[j]);
                break;
            }
            cov_cy_set(&out[k], row, yr[j], v);
        }
        if (rc) break;
    }
    if (r < 0) rc = SF_EUSER;
    for (int k = 0; rc == SF_OK && k < nind; k++)
        if (!seen[k]) rc = sf_fail(e, SF_EUSER, "%s: no rows for indicator %s", path, ind[k]);
    free(seen);
    free(yr);
    sf_csv_close(&c);
    if (rc)
        for (int k = 0; k < nt; k++) cov_cy_free(&out[k]);
    return rc;
}

/* ---------------- long country-year files ---------------- */

int cov_load_long(const char *path, const char *code_col, const char *year_col, const char *value_col, cov_cy *out,
                  sf_err *e)
{
    sf_csv c;
    if (sf_csv_open_header(&c, path, 0, e)) return SF_EUSER;
    int r;
    int ncol = c.n, jc = sf_csv_find(&c, code_col), jy = sf_csv_find(&c, year_col),
        jv = sf_csv_find(&c, value_col);
    if (jc < 0 || jy < 0 || jv < 0) {
        const char *miss = jc < 0 ? code_col : (jy < 0 ? year_col : value_col);
        sf_csv_close(&c);
        return sf_fail(e, SF_EUSER, "%s: line 1: no column '%s'", path, miss);
    }
    cov_cy_init(out, COV_LONG_Y0, COV_LONG_Y1 - COV_LONG_Y0 + 1);
    int rc = SF_OK;
    while ((r = sf_csv_next(&c, e)) == 1) {
        if (sf_csv_blank(&c)) continue;
        if (c.n != ncol) {
            rc = sf_fail(e, SF_EUSER, "%s: line %ld: %d fields, the header has %d", path, c.line, c.n, ncol);
            break;
        }
        long y;
        double v;
        if (sf_parse_int(c.cell[jy], &y)) {
            rc = sf_fail(e, SF_EUSER, "%s: line %ld: year '%s' is not an integer", path, c.line, c.cell[jy]);
            break;
        }
        if (cov_cell_num(c.cell[jv], &v)) {
            rc = sf_fail(e, SF_EUSER, "%s: line %ld: %s '%s' is not a number", path, c.line, value_col, c.cell[jv]);
            break;
        }
        if (!*c.cell[jc]) {
            rc = sf_fail(e, SF_EUSER, "%s: line %ld: empty %s", path, c.line, code_col);
            break;
        }
        if (y < COV_LONG_Y0 || y > COV_LONG_Y1) continue;
        int row = cov_cy_row(out, c.cell[jc]);
        out->has_year[y - COV_LONG_Y0] = 1;
        cov_cy_set(out, row, (int)y, v);
    }
    if (r < 0) rc = SF_EUSER;
    sf_csv_close(&c);
    if (rc) cov_cy_free(out);
    return rc;
}

/* ---------------- code -> text attributes (regions, groups, names) ---------------- */

void cov_attr_free(cov_attr *a)
{
    sf_strmap_free(&a->idx);
    for (int i = 0; i < a->n; i++) {
        free(a->code[i]);
        free(a->v1[i]);
        free(a->v2[i]);
    }
    free(a->code);
    free(a->v1);
    free(a->v2);
    memset(a, 0, sizeof *a);
}

static void attr_add(cov_attr *a, const char *code, const char *v1, const char *v2)
{
    if (sf_strmap_get(&a->idx, code) >= 0) return;
    a->code = sf_realloc(a->code, sizeof(char *) * (size_t)(a->n + 1));
    a->v1 = sf_realloc(a->v1, sizeof(char *) * (size_t)(a->n + 1));
    a->v2 = sf_realloc(a->v2, sizeof(char *) * (size_t)(a->n + 1));
    a->code[a->n] = sf_strdup(code);
    a->v1[a->n] = v1 && *v1 ? sf_strdup(v1) : NULL;
    a->v2[a->n] = v2 && *v2 ? sf_strdup(v2) : NULL;
    sf_strmap_put(&a->idx, code, a->n);
    a->n++;
}

const char *cov_attr_v1(const cov_attr *a, const char *code)
{
    int i = sf_strmap_get(&a->idx, code);
    return i < 0 ? NULL : a->v1[i];
}

const char *cov_attr_v2(const cov_attr *a, const char *code)
{
    int i = sf_strmap_get(&a->idx, code);
    return i < 0 ? NULL : a->v2[i];
}

/* WDI Metadata_Country file: Country Code, Region, IncomeGroup, SpecialNotes,
 * TableName. v1 = Region (empty for aggregates), v2 = TableName. */
int cov_load_meta(const char *path, cov_attr *out, sf_err *e)
{
    memset(out, 0, sizeof *out);
    sf_strmap_init(&out->idx, 0);
    sf_csv c;
    if (sf_csv_open(&c, path, ',', e)) return SF_EUSER;
    int r;
    while ((r = sf_csv_next(&c, e)) == 1)
        if (c.n >= 1 && sf_streq_nocase(c.cell[0], "Country Code")) break;
    if (r <= 0) {
        sf_csv_close(&c);
        return r == 0 ? sf_fail(e, SF_EUSER, "%s: no header line (one starting with 'Country Code')", path)
                      : SF_EUSER;
    }
    int ncol = c.n, jr = sf_csv_find(&c, "Region"), jn = sf_csv_find(&c, "TableName");
    long hline = c.line;
    if (jr < 0 || jn < 0) {
        sf_csv_close(&c);
        return sf_fail(e, SF_EUSER, "%s: line %ld: no '%s' column", path, hline, jr < 0 ? "Region" : "TableName");
    }
    int rc = SF_OK;
    while ((r = sf_csv_next(&c, e)) == 1) {
        if (sf_csv_blank(&c)) continue;
        if (c.n != ncol) {
            rc = sf_fail(e, SF_EUSER, "%s: line %ld: %d fields, the header (line %ld) has %d", path, c.line, c.n,
                         hline, ncol);
            break;
        }
        if (!*c.cell[0]) {
            rc = sf_fail(e, SF_EUSER, "%s: line %ld: empty country code", path, c.line);
            break;
        }
        attr_add(out, c.cell[0], c.cell[jr], c.cell[jn]);
    }
    if (r < 0) rc = SF_EUSER;
    sf_csv_close(&c);
    if (rc) cov_attr_free(out);
    return rc;
}

/* Group file (data/countries/bri64.csv): iso3, name, group. v1 = group,
 * v2 = name. */
int cov_load_groups(const char *path, cov_attr *out, sf_err *e)
{
    memset(out, 0, sizeof *out);
    sf_strmap_init(&out->idx, 0);
    sf_csv c;
    if (sf_csv_open_header(&c, path, 0, e)) return SF_EUSER;
    int r;
    int ncol = c.n, jc = sf_csv_find(&c, "iso3"), jg = sf_csv_find(&c, "group"), jn = sf_csv_find(&c, "name");
    if (jc < 0 || jg < 0) {
        sf_csv_close(&c);
        return sf_fail(e, SF_EUSER, "%s: line 1: no '%s' column", path, jc < 0 ? "iso3" : "group");
    }
    int rc = SF_OK;
    while ((r = sf_csv_next(&c, e)) == 1) {
        if (sf_csv_blank(&c)) continue;
        if (c.n != ncol) {
            rc = sf_fail(e, SF_EUSER, "%s: line %ld: %d fields, the header has %d", path, c.line, c.n, ncol);
            break;
        }
        char buf[16];
        if (strlen(c.cell[jc]) != 3 || !*c.cell[jg]) {
            rc = sf_fail(e, SF_EUSER, "%s: line %ld: expected an ISO3 code and a group", path, c.line);
            break;
        }
        attr_add(out, cov_canon(c.cell[jc], buf), c.cell[jg], jn >= 0 ? c.cell[jn] : NULL);
    }
    if (r < 0) rc = SF_EUSER;
    sf_csv_close(&c);
    if (rc) cov_attr_free(out);
    return rc;
}
