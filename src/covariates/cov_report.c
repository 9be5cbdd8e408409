/* Covariates: the report. While a column is built, every missing or
 * rule-filled cell is recorded under a reason ("kind"), with its country code
 * and year; the finished report lists, per column, the number of cells per
 * reason and the countries and years concerned ("not in WGIData.csv: USR
 * 1995-2011"). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cov_internal.h"

typedef struct {
    char code[16];
    int *years;
    int ny, cap;
} rmember;

typedef struct {
    char *kind;
    int missing;
    size_t count;
    int nm, cap;
    rmember *m;
} rkind;

typedef struct {
    char name[32];
    int available;
    size_t cells;
    int nk, cap;
    rkind *k;
} rcol;

struct cov_rep {
    sf_cov_report *out;
    int ncol, cap;
    rcol *c;
};

cov_rep *cov_rep_new(sf_cov_report *out)
{
    cov_rep *r = sf_calloc(1, sizeof *r);
    r->out = out;
    return r;
}

int cov_rep_col(cov_rep *r, const char *name, size_t cells)
{
    for (int i = 0; i < r->ncol; i++)
        if (!strcmp(r->c[i].name, name)) return i;
    if (r->ncol == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 16;
        r->c = sf_realloc(r->c, sizeof(rcol) * (size_t)r->cap);
    }
    rcol *c = &r->c[r->ncol];
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "%s", name);
    c->available = 1;
    c->cells = cells;
    return r->ncol++;
}

void cov_rep_unavailable(cov_rep *r, int col) { r->c[col].available = 0; }

void cov_rep_cell(cov_rep *r, int col, int missing, const char *kind, const char *code, int year)
{
    rcol *c = &r->c[col];
    rkind *k = NULL;
    for (int i = 0; i < c->nk; i++)
        if (c->k[i].missing == missing && !strcmp(c->k[i].kind, kind)) {
            k = &c->k[i];
            break;
        }
    if (!k) {
        if (c->nk == c->cap) {
            c->cap = c->cap ? 2 * c->cap : 8;
            c->k = sf_realloc(c->k, sizeof(rkind) * (size_t)c->cap);
        }
        k = &c->k[c->nk++];
        memset(k, 0, sizeof *k);
        k->kind = sf_strdup(kind);
        k->missing = missing;
    }
    k->count++;
    if (!code) code = "";
    rmember *m = NULL;
    for (int i = 0; i < k->nm; i++)
        if (!strcmp(k->m[i].code, code)) {
            m = &k->m[i];
            break;
        }
    if (!m) {
        if (k->nm == k->cap) {
            k->cap = k->cap ? 2 * k->cap : 8;
            k->m = sf_realloc(k->m, sizeof(rmember) * (size_t)k->cap);
        }
        m = &k->m[k->nm++];
        memset(m, 0, sizeof *m);
        snprintf(m->code, sizeof m->code, "%s", code);
    }
    if (m->ny == m->cap) {
        m->cap = m->cap ? 2 * m->cap : 8;
        m->years = sf_realloc(m->years, sizeof(int) * (size_t)m->cap);
    }
    m->years[m->ny++] = year;
}

static void add_line(char ***list, int *n, const char *fmt, va_list ap)
{
    char buf[2048];
    vsnprintf(buf, sizeof buf, fmt, ap);
    for (int i = 0; i < *n; i++)
        if (!strcmp((*list)[i], buf)) return;
    *list = sf_realloc(*list, sizeof(char *) * (size_t)(*n + 1));
    (*list)[(*n)++] = sf_strdup(buf);
}

void cov_rep_warn(cov_rep *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_line(&r->out->warnings, &r->out->nwarnings, fmt, ap);
    va_end(ap);
}

void cov_rep_note(cov_rep *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_line(&r->out->notes, &r->out->nnotes, fmt, ap);
    va_end(ap);
}

/* "kind: CODE 1995-1997; CODE2 2001" (members in order of first record). */
static char *kind_text(rkind *k)
{
    size_t cap = strlen(k->kind) + 64, len = 0;
    char *s = sf_malloc(cap);
    len = (size_t)snprintf(s, cap, "%s", k->kind);
    for (int i = 0; i < k->nm; i++) {
        rmember *m = &k->m[i];
        sf_sort_int(m->years, (size_t)m->ny);
        int u = 0;
        for (int j = 0; j < m->ny; j++)
            if (!u || m->years[u - 1] != m->years[j]) m->years[u++] = m->years[j];
        char yb[1024];
        sf_format_int_list(m->years, u, yb, sizeof yb);
        size_t need = len + strlen(m->code) + strlen(yb) + 8;
        if (need > cap) s = sf_realloc(s, cap = 2 * need);
        len += (size_t)snprintf(s + len, cap - len, "%s%s%s%s", i ? "; " : ": ", m->code, *m->code ? " " : "",
                                yb);
    }
    return s;
}

void cov_rep_finish(cov_rep *r)
{
    sf_cov_report *o = r->out;
    for (int i = 0; i < r->ncol; i++) {
        rcol *c = &r->c[i];
        /* a column joined twice replaces its earlier entry */
        sf_cov_colreport *d = NULL;
        for (int j = 0; j < o->ncols; j++)
            if (!strcmp(o->cols[j].name, c->name)) {
                d = &o->cols[j];
                for (int q = 0; q < d->nmissing_why; q++) free(d->missing_why[q].text);
                for (int q = 0; q < d->nfilled_why; q++) free(d->filled_why[q].text);
                free(d->missing_why);
                free(d->filled_why);
                break;
            }
        if (!d) {
            o->cols = sf_realloc(o->cols, sizeof(sf_cov_colreport) * (size_t)(o->ncols + 1));
            d = &o->cols[o->ncols++];
        }
        memset(d, 0, sizeof *d);
        snprintf(d->name, sizeof d->name, "%s", c->name);
        d->available = c->available;
        d->cells = c->cells;
        for (int q = 0; q < c->nk; q++) {
            rkind *k = &c->k[q];
            sf_cov_reason rs = {kind_text(k), k->count};
            if (k->missing) {
                d->missing_why = sf_realloc(d->missing_why, sizeof(sf_cov_reason) * (size_t)(d->nmissing_why + 1));
                d->missing_why[d->nmissing_why++] = rs;
                d->missing += k->count;
            } else {
                d->filled_why = sf_realloc(d->filled_why, sizeof(sf_cov_reason) * (size_t)(d->nfilled_why + 1));
                d->filled_why[d->nfilled_why++] = rs;
                d->filled += k->count;
            }
            for (int m = 0; m < k->nm; m++) free(k->m[m].years);
            free(k->m);
            free(k->kind);
        }
        free(c->k);
    }
    free(r->c);
    free(r);
}

/* ---------------- public report helpers ---------------- */

const sf_cov_colreport *sf_cov_report_col(const sf_cov_report *r, const char *name)
{
    for (int i = 0; r && i < r->ncols; i++)
        if (!strcmp(r->cols[i].name, name)) return &r->cols[i];
    return NULL;
}

typedef struct {
    char *s;
    size_t len, cap;
} sbuf;

static void sb_add(sbuf *b, const char *fmt, ...) SF_PRINTF(2, 3);
static void sb_add(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if (b->len + (size_t)n + 1 > b->cap) {
        b->cap = 2 * (b->len + (size_t)n + 1);
        b->s = sf_realloc(b->s, b->cap);
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

static void col_summary(sbuf *b, const sf_cov_colreport *c)
{
    if (!c->available) {
        sb_add(b, "%s: source file absent, all %zu cells missing\n", c->name, c->cells);
        return;
    }
    sb_add(b, "%s: %zu of %zu cells missing", c->name, c->missing, c->cells);
    if (c->filled) sb_add(b, ", %zu filled by rule", c->filled);
    sb_add(b, "\n");
    for (int i = 0; i < c->nmissing_why; i++)
        sb_add(b, "  missing %zu: %s\n", c->missing_why[i].cells, c->missing_why[i].text);
    for (int i = 0; i < c->nfilled_why; i++)
        sb_add(b, "  filled %zu: %s\n", c->filled_why[i].cells, c->filled_why[i].text);
}

char *sf_cov_report_text(const sf_cov_report *r)
{
    sbuf b = {0};
    sb_add(&b, "%s", "");
    for (int i = 0; i < r->ncols; i++) col_summary(&b, &r->cols[i]);
    for (int i = 0; i < r->nwarnings; i++) sb_add(&b, "warning: %s\n", r->warnings[i]);
    for (int i = 0; i < r->nnotes; i++) sb_add(&b, "note: %s\n", r->notes[i]);
    return b.s;
}

void sf_cov_report_log(const sf_cov_report *r)
{
    for (int i = 0; i < r->ncols; i++) {
        sbuf b = {0};
        sb_add(&b, "%s", "");
        col_summary(&b, &r->cols[i]);
        if (b.len && b.s[b.len - 1] == '\n') b.s[--b.len] = '\0';
        sf_info("covariates: %s", b.s);
        free(b.s);
    }
    for (int i = 0; i < r->nwarnings; i++) sf_warn("covariates: %s", r->warnings[i]);
}

void sf_cov_report_free(sf_cov_report *r)
{
    if (!r) return;
    for (int i = 0; i < r->ncols; i++) {
        sf_cov_colreport *c = &r->cols[i];
        for (int q = 0; q < c->nmissing_why; q++) free(c->missing_why[q].text);
        for (int q = 0; q < c->nfilled_why; q++) free(c->filled_why[q].text);
        free(c->missing_why);
        free(c->filled_why);
    }
    free(r->cols);
    for (int i = 0; i < r->nwarnings; i++) free(r->warnings[i]);
    free(r->warnings);
    for (int i = 0; i < r->nnotes; i++) free(r->notes[i]);
    free(r->notes);
    memset(r, 0, sizeof *r);
}
