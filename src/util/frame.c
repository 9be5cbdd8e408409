#include "silkflow/frame.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

sf_frame *sf_frame_new(size_t nrow)
{
    sf_frame *f = sf_calloc(1, sizeof *f);
    f->nrow = nrow;
    return f;
}

static void col_free(sf_column *c, size_t nrow)
{
    free(c->name);
    free(c->num);
    if (c->str) {
        for (size_t i = 0; i < nrow; i++) free(c->str[i]);
        free(c->str);
    }
}

void sf_frame_free(sf_frame *f)
{
    if (!f) return;
    for (int j = 0; j < f->ncol; j++) col_free(&f->cols[j], f->nrow);
    free(f->cols);
    free(f);
}

int sf_frame_col_index(const sf_frame *f, const char *name)
{
    for (int j = 0; j < f->ncol; j++)
        if (strcmp(f->cols[j].name, name) == 0) return j;
    for (int j = 0; j < f->ncol; j++)
        if (sf_streq_nocase(f->cols[j].name, name)) return j;
    return -1;
}

sf_column *sf_frame_col(const sf_frame *f, const char *name)
{
    int j = sf_frame_col_index(f, name);
    return j < 0 ? NULL : &f->cols[j];
}

static sf_column *add_col(sf_frame *f, const char *name, sf_coltype type)
{
    int j = -1;
    for (int k = 0; k < f->ncol; k++)
        if (strcmp(f->cols[k].name, name) == 0) j = k;
    if (j >= 0) {
        col_free(&f->cols[j], f->nrow);
    } else {
        if (f->ncol == f->cap) {
            f->cap = f->cap ? 2 * f->cap : 16;
            f->cols = sf_realloc(f->cols, sizeof(sf_column) * (size_t)f->cap);
        }
        j = f->ncol++;
    }
    sf_column *c = &f->cols[j];
    memset(c, 0, sizeof *c);
    c->name = sf_strdup(name);
    c->type = type;
    if (type == SF_COL_NUM) {
        c->num = sf_malloc(sizeof(double) * (f->nrow ? f->nrow : 1));
        for (size_t i = 0; i < f->nrow; i++) c->num[i] = NAN;
    } else {
        c->str = sf_calloc(f->nrow ? f->nrow : 1, sizeof(char *));
    }
    return c;
}

double *sf_frame_add_num(sf_frame *f, const char *name) { return add_col(f, name, SF_COL_NUM)->num; }
char **sf_frame_add_str(sf_frame *f, const char *name) { return add_col(f, name, SF_COL_STR)->str; }

void sf_frame_filter(sf_frame *f, const unsigned char *keep)
{
    size_t m = 0;
    for (size_t i = 0; i < f->nrow; i++) m += keep[i] != 0;
    for (int j = 0; j < f->ncol; j++) {
        sf_column *c = &f->cols[j];
        size_t k = 0;
        for (size_t i = 0; i < f->nrow; i++) {
            if (c->type == SF_COL_NUM) {
                if (keep[i]) c->num[k++] = c->num[i];
            } else {
                if (keep[i])
                    c->str[k++] = c->str[i];
                else
                    free(c->str[i]);
            }
        }
    }
    f->nrow = m;
}

int sf_frame_rbind(sf_frame *f, const sf_frame *g)
{
    for (int j = 0; j < g->ncol; j++) {
        const sf_column *cg = &g->cols[j];
        int k = -1;
        for (int q = 0; q < f->ncol; q++)
            if (!strcmp(f->cols[q].name, cg->name)) k = q;
        if (k >= 0 && f->cols[k].type != cg->type) return -1;
        if (k < 0) add_col(f, cg->name, cg->type);
    }
    const size_t n0 = f->nrow, n1 = f->nrow + g->nrow;
    for (int q = 0; q < f->ncol; q++) {
        sf_column *c = &f->cols[q];
        int j = -1;
        for (int k = 0; k < g->ncol; k++)
            if (!strcmp(g->cols[k].name, c->name)) j = k;
        if (c->type == SF_COL_NUM) {
            c->num = sf_realloc(c->num, sizeof(double) * (n1 ? n1 : 1));
            for (size_t i = 0; i < g->nrow; i++) c->num[n0 + i] = j >= 0 ? g->cols[j].num[i] : NAN;
        } else {
            c->str = sf_realloc(c->str, sizeof(char *) * (n1 ? n1 : 1));
            for (size_t i = 0; i < g->nrow; i++)
                c->str[n0 + i] = j >= 0 && g->cols[j].str[i] ? sf_strdup(g->cols[j].str[i]) : NULL;
        }
    }
    f->nrow = n1;
    return 0;
}

typedef struct {
    const char *s;
    double x;
    size_t row;
} join_key;

static int join_cmp(const void *a, const void *b)
{
    const join_key *p = a, *q = b;
    int c = strcmp(p->s, q->s);
    if (c) return c;
    return (p->x > q->x) - (p->x < q->x);
}

long sf_frame_join(sf_frame *f, const sf_frame *g, const char *key_s, const char *key_n, const char *const *cols,
                   int ncols)
{
    const sf_column *gs = sf_frame_col(g, key_s), *gn = sf_frame_col(g, key_n);
    const sf_column *fs = sf_frame_col(f, key_s), *fn = sf_frame_col(f, key_n);
    if (!gs || !gn || !fs || !fn || gs->type != SF_COL_STR || fs->type != SF_COL_STR || gn->type != SF_COL_NUM ||
        fn->type != SF_COL_NUM)
        return -1;
    join_key *k = sf_malloc(sizeof(join_key) * (g->nrow ? g->nrow : 1));
    for (size_t i = 0; i < g->nrow; i++) {
        k[i].s = gs->str[i] ? gs->str[i] : "";
        k[i].x = gn->num[i];
        k[i].row = i;
    }
    qsort(k, g->nrow, sizeof *k, join_cmp);
    for (size_t i = 1; i < g->nrow; i++)
        if (!join_cmp(&k[i - 1], &k[i])) {
            free(k);
            return -1;
        }
    size_t *match = sf_malloc(sizeof(size_t) * (f->nrow ? f->nrow : 1));
    long matched = 0;
    for (size_t i = 0; i < f->nrow; i++) {
        join_key q = {fs->str[i] ? fs->str[i] : "", fn->num[i], 0};
        join_key *hit = g->nrow ? bsearch(&q, k, g->nrow, sizeof *k, join_cmp) : NULL;
        match[i] = hit ? hit->row : (size_t)-1;
        matched += hit != NULL;
    }
    for (int c = 0; c < ncols; c++) {
        const sf_column *src = sf_frame_col(g, cols[c]);
        if (!src) continue;
        if (src->type == SF_COL_NUM) {
            double *dst = sf_frame_add_num(f, cols[c]);
            for (size_t i = 0; i < f->nrow; i++)
                if (match[i] != (size_t)-1) dst[i] = src->num[match[i]];
        } else {
            char **dst = sf_frame_add_str(f, cols[c]);
            for (size_t i = 0; i < f->nrow; i++)
                if (match[i] != (size_t)-1 && src->str[match[i]]) dst[i] = sf_strdup(src->str[match[i]]);
        }
    }
    free(match);
    free(k);
    return matched;
}

void sf_frame_order(sf_frame *f, const char *const *names, int n)
{
    int pos = 0;
    for (int k = 0; k < n; k++) {
        int j = -1;
        for (int q = pos; q < f->ncol; q++)
            if (!strcmp(f->cols[q].name, names[k])) j = q;
        if (j < 0) continue;
        sf_column c = f->cols[j];
        memmove(&f->cols[pos + 1], &f->cols[pos], sizeof(sf_column) * (size_t)(j - pos));
        f->cols[pos++] = c;
    }
}

/* ---------------- CSV reading (the rules: frame.h) ---------------- */

int sf_csv_open(sf_csv *c, const char *path, char sep, sf_err *e)
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

static void put_char(sf_csv *c, size_t *bl, char ch)
{
    if (*bl + 2 > c->bcap) c->buf = sf_realloc(c->buf, c->bcap *= 2);
    c->buf[(*bl)++] = ch;
}

static void end_cell(sf_csv *c, size_t *bl, size_t start, int quoted)
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

int sf_csv_next(sf_csv *c, sf_err *e)
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

int sf_csv_blank(const sf_csv *c) { return c->n == 1 && !c->cell[0][0]; }

void sf_csv_close(sf_csv *c)
{
    free(c->text);
    free(c->buf);
    free(c->off);
    free(c->cell);
    memset(c, 0, sizeof *c);
}

int sf_csv_open_header(sf_csv *c, const char *path, char sep, sf_err *e)
{
    if (sf_csv_open(c, path, sep, e)) return SF_EUSER;
    int r = sf_csv_next(c, e);
    if (r <= 0) {
        sf_csv_close(c);
        return r == 0 ? sf_fail(e, SF_EUSER, "%s: empty file (no header line)", path) : SF_EUSER;
    }
    return SF_OK;
}

int sf_csv_find(const sf_csv *c, const char *name)
{
    for (int j = 0; j < c->n; j++)
        if (sf_streq_nocase(c->cell[j], name)) return j;
    return -1;
}

int sf_csv_missing(const char *s)
{
    return !*s || !strcmp(s, "NA") || !strcmp(s, "NaN") || !strcmp(s, "nan") || !strcmp(s, ".") ||
           !strcmp(s, "..") || !strcmp(s, "#NULL!") || !strcmp(s, "#N/A");
}

int sf_frame_read_csv(const char *path, sf_frame **out, sf_err *e)
{
    *out = NULL;
    sf_csv c;
    if (sf_csv_open_header(&c, path, 0, e)) return e ? e->code : SF_EUSER;
    int ncol = c.n;
    char **names = sf_malloc(sizeof(char *) * (size_t)(ncol ? ncol : 1));
    for (int j = 0; j < ncol; j++) {
        if (*c.cell[j])
            names[j] = sf_strdup(c.cell[j]);
        else {
            char tmp[32];
            snprintf(tmp, sizeof tmp, "V%d", j + 1);
            names[j] = sf_strdup(tmp);
        }
    }
    /* collect cells */
    size_t rcap = 1024, nrow = 0;
    char ***rows = sf_malloc(sizeof(char **) * rcap);
    int rc = SF_OK, r;
    while ((r = sf_csv_next(&c, e)) == 1) {
        if (sf_csv_blank(&c)) continue;
        if (c.n != ncol) {
            rc = sf_fail(e, SF_EUSER, "%s: line %ld: %d fields, the header has %d", path, c.line, c.n, ncol);
            break;
        }
        if (nrow == rcap) rows = sf_realloc(rows, sizeof(char **) * (rcap *= 2));
        rows[nrow] = sf_malloc(sizeof(char *) * (size_t)ncol);
        for (int j = 0; j < ncol; j++) rows[nrow][j] = sf_strdup(c.cell[j]);
        nrow++;
    }
    if (r < 0) rc = SF_EUSER;
    sf_csv_close(&c);
    if (rc == SF_OK) {
        sf_frame *f = sf_frame_new(nrow);
        for (int j = 0; j < ncol; j++) {
            int numeric = 1;
            for (size_t i = 0; i < nrow && numeric; i++) {
                const char *s = rows[i][j];
                if (sf_csv_missing(s)) continue;
                double v;
                if (sf_parse_double(s, &v)) numeric = 0;
            }
            if (numeric) {
                double *d = sf_frame_add_num(f, names[j]);
                for (size_t i = 0; i < nrow; i++) {
                    const char *s = rows[i][j];
                    if (!sf_csv_missing(s)) sf_parse_double(s, &d[i]);
                }
            } else {
                char **s = sf_frame_add_str(f, names[j]);
                for (size_t i = 0; i < nrow; i++) {
                    if (!sf_csv_missing(rows[i][j])) {
                        s[i] = rows[i][j];
                        rows[i][j] = NULL;
                    }
                }
            }
        }
        *out = f;
    }
    for (size_t i = 0; i < nrow; i++) {
        for (int j = 0; j < ncol; j++) free(rows[i][j]);
        free(rows[i]);
    }
    free(rows);
    for (int j = 0; j < ncol; j++) free(names[j]);
    free(names);
    return rc;
}

static void write_str(FILE *fp, const char *s)
{
    if (strpbrk(s, ",\"\n\r")) {
        fputc('"', fp);
        for (; *s; s++) {
            if (*s == '"') fputc('"', fp);
            fputc(*s, fp);
        }
        fputc('"', fp);
    } else {
        fputs(s, fp);
    }
}

int sf_frame_write_csv(const sf_frame *f, const char *path, sf_err *e)
{
    size_t pl = strlen(path);
    char *tmp = sf_malloc(pl + 8);
    snprintf(tmp, pl + 8, "%s.tmp", path);
    FILE *fp = fopen(tmp, "w");
    if (!fp) {
        int rc = sf_fail(e, SF_EUSER, "%s: cannot create: %s", tmp, strerror(errno));
        free(tmp);
        return rc;
    }
    for (int j = 0; j < f->ncol; j++) {
        if (j) fputc(',', fp);
        write_str(fp, f->cols[j].name);
    }
    fputc('\n', fp);
    for (size_t i = 0; i < f->nrow; i++) {
        for (int j = 0; j < f->ncol; j++) {
            if (j) fputc(',', fp);
            const sf_column *c = &f->cols[j];
            if (c->type == SF_COL_NUM) {
                if (!isnan(c->num[i])) fprintf(fp, "%.17g", c->num[i]);
            } else if (c->str[i]) {
                write_str(fp, c->str[i]);
            }
        }
        fputc('\n', fp);
    }
    int bad = ferror(fp), err = errno;
    if (fclose(fp) != 0) bad = 1, err = errno;
    if (bad || rename(tmp, path) != 0) {
        remove(tmp);
        free(tmp);
        return sf_fail_write(e, SF_EUSER, path, bad ? err : 0, 0, "%s: write failed", path);
    }
    free(tmp);
    return SF_OK;
}
