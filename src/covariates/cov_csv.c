/* Covariates: small building blocks on util's CSV reader and string map
 * (frame.h, common.h): number cells, a country x year table and a string
 * list. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cov_internal.h"

/* ---------------- number cells ---------------- */

int cov_cell_num(const char *s, double *v)
{
    if (sf_csv_missing(s)) {
        *v = NAN;
        return 0;
    }
    if (sf_parse_double(s, v) || !isfinite(*v)) return -1;
    return 0;
}

/* ---------------- country x year table ---------------- */

void cov_cy_init(cov_cy *t, int y0, int ny)
{
    memset(t, 0, sizeof *t);
    sf_strmap_init(&t->idx, 0);
    t->y0 = y0;
    t->ny = ny > 0 ? ny : 0;
    t->has_year = sf_calloc((size_t)t->ny + 1, 1);
}

void cov_cy_free(cov_cy *t)
{
    sf_strmap_free(&t->idx);
    for (int i = 0; i < t->n; i++) free(t->code[i]);
    free(t->code);
    free(t->v);
    free(t->has_year);
    memset(t, 0, sizeof *t);
}

int cov_cy_find(const cov_cy *t, const char *code) { return sf_strmap_get(&t->idx, code); }

int cov_cy_row(cov_cy *t, const char *code)
{
    int r = sf_strmap_get(&t->idx, code);
    if (r >= 0) return r;
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 64;
        t->code = sf_realloc(t->code, sizeof(char *) * (size_t)t->cap);
        t->v = sf_realloc(t->v, sizeof(double) * (size_t)t->cap * (size_t)(t->ny ? t->ny : 1));
    }
    r = t->n++;
    t->code[r] = sf_strdup(code);
    for (int k = 0; k < t->ny; k++) t->v[(size_t)r * (size_t)t->ny + (size_t)k] = NAN;
    sf_strmap_put(&t->idx, code, r);
    return r;
}

double cov_cy_get(const cov_cy *t, int row, int year)
{
    if (row < 0 || row >= t->n || year < t->y0 || year >= t->y0 + t->ny) return NAN;
    return t->v[(size_t)row * (size_t)t->ny + (size_t)(year - t->y0)];
}

void cov_cy_set(cov_cy *t, int row, int year, double v)
{
    if (row < 0 || row >= t->n || year < t->y0 || year >= t->y0 + t->ny) return;
    t->v[(size_t)row * (size_t)t->ny + (size_t)(year - t->y0)] = v;
}

/* ---------------- string lists ---------------- */

void cov_strs_add_unique(cov_strs *l, const char *s)
{
    for (int i = 0; i < l->n; i++)
        if (!strcmp(l->s[i], s)) return;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->s = sf_realloc(l->s, sizeof(char *) * (size_t)l->cap);
    }
    l->s[l->n++] = sf_strdup(s);
}

void cov_strs_free(cov_strs *l)
{
    for (int i = 0; i < l->n; i++) free(l->s[i]);
    free(l->s);
    memset(l, 0, sizeof *l);
}

char *cov_strs_join(const cov_strs *l)
{
    size_t len = 1;
    for (int i = 0; i < l->n; i++) len += strlen(l->s[i]) + 2;
    char *out = sf_malloc(len);
    out[0] = '\0';
    for (int i = 0; i < l->n; i++) {
        if (i) strcat(out, ", ");
        strcat(out, l->s[i]);
    }
    return out;
}
