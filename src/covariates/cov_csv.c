/* Covariates: small building blocks. A CSV record reader that remembers the
 * physical line of every record (so errors name the line), a string -> int
 * hash map, a country x year table and a string list. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cov_internal.h"

/* ---------------- CSV records ---------------- */

int cov_csv_open(cov_csv *c, const char *path, char sep, sf_err *e)
{
    memset(c, 0, sizeof *c);
    size_t len;
    c->path = path;
    c->text = sf_read_file(path, &len, e);
    if (!c->text) return SF_EUSER;
    c->p = c->text;
    c->end = c->text + len;
    if (len >= 3 && (unsigned char)c->p[0] == 0xEF && (unsigned char)c->p[1] == 0xBB &&
        (unsigned char)c->p[2] == 0xBF)
        c->p += 3;
    if (!sep) {
        int commas = 0, semis = 0, tabs = 0;
        for (const char *q = c->p; q < c->end && *q != '\n'; q++) {
            commas += *q == ',';
            semis += *q == ';';
            tabs += *q == '\t';
        }
        sep = commas ? ',' : (semis && semis >= tabs ? ';' : (tabs ? '\t' : ','));
    }
    c->sep = sep;
    c->next_line = 1;
    c->bcap = 256;
    c->buf = sf_malloc(c->bcap);
    return SF_OK;
}

static void put_char(cov_csv *c, size_t *bl, char ch)
{
    if (*bl + 2 > c->bcap) c->buf = sf_realloc(c->buf, c->bcap *= 2);
    c->buf[(*bl)++] = ch;
}

static void end_cell(cov_csv *c, size_t *bl, size_t start, int quoted)
{
    if (*bl + 1 > c->bcap) c->buf = sf_realloc(c->buf, c->bcap *= 2);
    c->buf[*bl] = '\0';
    if (!quoted) { /* trim blanks in place */
        size_t s = start, t = *bl;
        while (s < t && isspace((unsigned char)c->buf[s])) s++;
        while (t > s && isspace((unsigned char)c->buf[t - 1])) t--;
        memmove(c->buf + start, c->buf + s, t - s);
        *bl = start + (t - s);
        c->buf[*bl] = '\0';
    }
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 64;
        c->off = sf_realloc(c->off, sizeof(size_t) * (size_t)c->cap);
        c->cell = sf_realloc(c->cell, sizeof(char *) * (size_t)c->cap);
    }
    c->off[c->n++] = start;
    (*bl)++; /* keep the terminating NUL */
}

int cov_csv_next(cov_csv *c, sf_err *e)
{
    if (c->p >= c->end) return 0;
    c->line = c->next_line;
    c->n = 0;
    size_t bl = 0;
    const char *p = c->p;
    for (;;) {
        size_t start = bl;
        int quoted = 0;
        while (p < c->end && (*p == ' ' || *p == '\t') && *p != c->sep) p++;
        if (p < c->end && *p == '"') {
            quoted = 1;
            p++;
            for (;;) {
                if (p >= c->end) {
                    sf_fail(e, SF_EUSER, "%s: line %ld: unterminated quote", c->path, c->line);
                    return -1;
                }
                if (*p == '"') {
                    if (p + 1 < c->end && p[1] == '"') {
                        put_char(c, &bl, '"');
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                if (*p == '\n') c->next_line++;
                put_char(c, &bl, *p++);
            }
            /* text after the closing quote up to the separator is kept */
        }
        while (p < c->end && *p != c->sep && *p != '\n' && *p != '\r') put_char(c, &bl, *p++);
        end_cell(c, &bl, start, quoted);
        if (p < c->end && *p == c->sep) {
            p++;
            continue;
        }
        if (p < c->end && *p == '\r') p++;
        if (p < c->end && *p == '\n') p++;
        c->next_line++;
        break;
    }
    c->p = p;
    for (int j = 0; j < c->n; j++) c->cell[j] = c->buf + c->off[j];
    return 1;
}

int cov_csv_blank(const cov_csv *c) { return c->n == 1 && !c->cell[0][0]; }

void cov_csv_close(cov_csv *c)
{
    free(c->text);
    free(c->buf);
    free(c->off);
    free(c->cell);
    memset(c, 0, sizeof *c);
}

int cov_csv_open_header(cov_csv *c, const char *path, char sep, sf_err *e)
{
    if (cov_csv_open(c, path, sep, e)) return SF_EUSER;
    int r = cov_csv_next(c, e);
    if (r <= 0) {
        cov_csv_close(c);
        return r == 0 ? sf_fail(e, SF_EUSER, "%s: empty file (no header line)", path) : SF_EUSER;
    }
    return SF_OK;
}

int cov_csv_find(const cov_csv *c, const char *name)
{
    for (int j = 0; j < c->n; j++)
        if (sf_streq_nocase(c->cell[j], name)) return j;
    return -1;
}

int cov_missing_token(const char *s)
{
    return !*s || !strcmp(s, "NA") || !strcmp(s, "NaN") || !strcmp(s, "nan") || !strcmp(s, ".") ||
           !strcmp(s, "..") || !strcmp(s, "#NULL!") || !strcmp(s, "#N/A");
}

int cov_cell_num(const char *s, double *v)
{
    if (cov_missing_token(s)) {
        *v = NAN;
        return 0;
    }
    if (sf_parse_double(s, v) || !isfinite(*v)) return -1;
    return 0;
}

/* ---------------- string -> int map (open addressing, FNV-1a) ---------------- */

static size_t hash_str(const char *s)
{
    size_t h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

void cov_map_init(cov_map *m) { memset(m, 0, sizeof *m); }

void cov_map_free(cov_map *m)
{
    for (size_t i = 0; i < m->cap; i++) free(m->key[i]);
    free(m->key);
    free(m->val);
    memset(m, 0, sizeof *m);
}

int cov_map_get(const cov_map *m, const char *key)
{
    if (!m->cap) return -1;
    for (size_t i = hash_str(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (!m->key[i]) return -1;
        if (!strcmp(m->key[i], key)) return m->val[i];
    }
}

static void map_insert(cov_map *m, char *key, int val)
{
    size_t i = hash_str(key) & (m->cap - 1);
    while (m->key[i] && strcmp(m->key[i], key)) i = (i + 1) & (m->cap - 1);
    if (m->key[i]) {
        free(key);
        m->val[i] = val;
        return;
    }
    m->key[i] = key;
    m->val[i] = val;
    m->n++;
}

void cov_map_put(cov_map *m, const char *key, int val)
{
    if (2 * (m->n + 1) > m->cap) {
        size_t oc = m->cap;
        char **ok = m->key;
        int *ov = m->val;
        m->cap = oc ? 2 * oc : 64;
        m->key = sf_calloc(m->cap, sizeof(char *));
        m->val = sf_calloc(m->cap, sizeof(int));
        m->n = 0;
        for (size_t i = 0; i < oc; i++)
            if (ok[i]) map_insert(m, ok[i], ov[i]);
        free(ok);
        free(ov);
    }
    map_insert(m, sf_strdup(key), val);
}

/* ---------------- country x year table ---------------- */

void cov_cy_init(cov_cy *t, int y0, int ny)
{
    memset(t, 0, sizeof *t);
    cov_map_init(&t->idx);
    t->y0 = y0;
    t->ny = ny > 0 ? ny : 0;
    t->has_year = sf_calloc((size_t)t->ny + 1, 1);
}

void cov_cy_free(cov_cy *t)
{
    cov_map_free(&t->idx);
    for (int i = 0; i < t->n; i++) free(t->code[i]);
    free(t->code);
    free(t->v);
    free(t->has_year);
    memset(t, 0, sizeof *t);
}

int cov_cy_find(const cov_cy *t, const char *code) { return cov_map_get(&t->idx, code); }

int cov_cy_row(cov_cy *t, const char *code)
{
    int r = cov_map_get(&t->idx, code);
    if (r >= 0) return r;
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 64;
        t->code = sf_realloc(t->code, sizeof(char *) * (size_t)t->cap);
        t->v = sf_realloc(t->v, sizeof(double) * (size_t)t->cap * (size_t)(t->ny ? t->ny : 1));
    }
    r = t->n++;
    t->code[r] = sf_strdup(code);
    for (int k = 0; k < t->ny; k++) t->v[(size_t)r * (size_t)t->ny + (size_t)k] = NAN;
    cov_map_put(&t->idx, code, r);
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
