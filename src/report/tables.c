/* Regression tables (see include/silkflow/tables.h). The grid of cells is
 * built once and rendered in four formats. */
#include "silkflow/tables.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static char *fmt(const char *f, ...) SF_PRINTF(1, 2);
static char *fmt(const char *f, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, f);
    vsnprintf(buf, sizeof buf, f, ap);
    va_end(ap);
    return sf_strdup(buf);
}

/* the style of the tables (the models file's [tables] and [labels],
 * docs/methods.md section 11) and the grid being filled */
typedef struct {
    char ***cell;
    int *kind;
    int nrow, cap, ncol;
} grid;

typedef struct {
    sf_regtable *t;
    const sf_table_style *st;
    grid g;
    int nc;
} rctx;

static const char *stars(const sf_table_style *st, double p)
{
    static const char *s[] = {"", "*", "**", "***"};
    if (!(p == p)) return "";
    int n = 0;
    for (int i = 0; i < st->nstars; i++)
        if (p < st->stars[i]) n = i + 1;
    return s[n];
}

static char *num(const rctx *c, double v)
{
    if (!isfinite(v)) return sf_strdup("");
    if (fabs(v) >= 1000) return fmt("%.2E", v);
    return fmt("%.*f", c->st->digits, v);
}

static char *dec(const rctx *c, double v) { return fmt("%.*f", c->st->digits, v); }

static char *interval(const rctx *c, double lo, double hi)
{
    int d = c->st->digits;
    return isfinite(lo) ? fmt("[%.*f, %.*f]", d, lo, d, hi) : sf_strdup("");
}

static int same_eq(const sf_fit *a, const sf_fit *b)
{
    return a->role == b->role && a->N == b->N && !strcmp(a->formula, b->formula) && a->k == b->k &&
           (a->k == 0 || a->b[0] == b->b[0]);
}

static const char *label_of(const sf_table_style *st, const char *name)
{
    for (int i = 0; i < st->nlabels; i++)
        if (!strcmp(st->label_var[i], name)) return st->label_text[i];
    return NULL;
}

static const char *fe_label(const sf_table_style *st, const char *fe, char *buf, size_t n)
{
    const char *l = label_of(st, fe);
    if (l) return l;
    if (!strcmp(fe, "industry")) return "Industry Fixed Effects";
    if (!strcmp(fe, "partner")) return "Country Fixed Effects";
    if (!strcmp(fe, "year")) return "Time Fixed Effects";
    snprintf(buf, n, "%s Fixed Effects", fe);
    return buf;
}

static char **grid_row(grid *g, int kind)
{
    if (g->nrow == g->cap) {
        g->cap = g->cap ? 2 * g->cap : 32;
        g->cell = sf_realloc(g->cell, sizeof(char **) * (size_t)g->cap);
        g->kind = sf_realloc(g->kind, sizeof(int) * (size_t)g->cap);
    }
    char **r = sf_calloc((size_t)g->ncol + 1, sizeof(char *));
    g->cell[g->nrow] = r;
    g->kind[g->nrow++] = kind;
    return r;
}

static void add_note(sf_regtable *t, char *s)
{
    t->notes = sf_realloc(t->notes, sizeof(char *) * (size_t)(t->nnotes + 1));
    t->notes[t->nnotes++] = s;
}

static char *pretty_coef(const sf_table_style *st, const char *c)
{
    /* a label for the whole term, else interactions print as "ITR x D1"
     * (like the paper's "ITR × D1") with each part labelled */
    const char *whole = label_of(st, c);
    if (whole) return sf_strdup(whole);
    char buf[1024], part[512];
    size_t L = 0;
    buf[0] = 0;
    for (const char *p = c; *p;) {
        size_t n = strcspn(p, ":");
        snprintf(part, sizeof part, "%.*s", (int)n, p);
        const char *l = label_of(st, part);
        L += (size_t)snprintf(buf + L, sizeof buf - L, "%s%s", L ? " x " : "", l ? l : part);
        if (L >= sizeof buf) break;
        p += n;
        if (*p == ':') p++;
    }
    return sf_strdup(buf);
}

/* header: column numbers, dependent variables, estimator when not all OLS */
static void render_header(rctx *c)
{
    sf_regtable *t = c->t;
    char **r = grid_row(&c->g, 0);
    r[0] = sf_strdup("");
    for (int j = 0; j < c->nc; j++) r[j + 1] = fmt("(%d)", t->col[j]->col_no);
    r = grid_row(&c->g, 0);
    r[0] = sf_strdup("");
    for (int j = 0; j < c->nc; j++) {
        const char *l = label_of(c->st, t->col[j]->depvar);
        r[j + 1] = sf_strdup(l ? l : t->col[j]->depvar);
    }
    int special = 0;
    for (int j = 0; j < c->nc; j++)
        if (t->col[j]->is_iv || t->col[j]->role == SF_ROLE_MED_M || t->col[j]->role == SF_ROLE_MED_Y) special = 1;
    if (!special) return;
    r = grid_row(&c->g, 0);
    r[0] = sf_strdup("");
    for (int j = 0; j < c->nc; j++) {
        const sf_fit *f = t->col[j];
        const char *s = f->role == SF_ROLE_FIRST    ? "First stage"
                        : f->is_iv                  ? "2SLS"
                        : f->role == SF_ROLE_MED_M ? "Mediator"
                        : f->role == SF_ROLE_MED_Y ? "Outcome"
                                                   : "OLS";
        r[j + 1] = sf_strdup(s);
    }
}

/* coefficient names: the union in order of appearance, _cons last. A name
 * not seen yet goes right after the previous name of its own column (so a
 * mediator or an interaction sits next to the key regressor, as in the
 * paper), or first. Borrowed pointers. */
static const char **coef_names(const sf_regtable *t, int *n)
{
    int ncn = 0, capn = 16, has_cons = 0;
    const char **cn = sf_malloc(sizeof(char *) * (size_t)capn);
    for (int j = 0; j < t->ncol; j++) {
        int prev = -1;
        for (int a = 0; a < t->col[j]->k; a++) {
            const char *nm = t->col[j]->coef[a];
            if (!strcmp(nm, "_cons")) {
                has_cons = 1;
                continue;
            }
            int at = -1;
            for (int q = 0; q < ncn; q++)
                if (!strcmp(cn[q], nm)) at = q;
            if (at < 0) {
                if (ncn == capn) cn = sf_realloc(cn, sizeof(char *) * (size_t)(capn *= 2));
                at = prev + 1;
                memmove(cn + at + 1, cn + at, sizeof(char *) * (size_t)(ncn - at));
                cn[at] = nm;
                ncn++;
            }
            prev = at;
        }
    }
    if (has_cons) {
        if (ncn == capn) cn = sf_realloc(cn, sizeof(char *) * (size_t)(capn + 1));
        cn[ncn++] = "_cons";
    }
    *n = ncn;
    return cn;
}

/* the statistic under a coefficient: t [..], se (..) or the CI [lo, hi] */
static char *coef_stat(const rctx *c, const sf_fit *f, int a)
{
    int d = c->st->digits;
    switch (c->st->coefstat) {
    case SF_COEFSTAT_SE: return isfinite(f->se[a]) ? fmt("(%.*f)", d, f->se[a]) : sf_strdup("(.)");
    case SF_COEFSTAT_CI:
        return isfinite(f->ci_lo[a]) && isfinite(f->ci_hi[a]) ? fmt("[%.*f, %.*f]", d, f->ci_lo[a], d, f->ci_hi[a])
                                                              : sf_strdup("[.]");
    default: return isfinite(f->t[a]) ? fmt("[%.*f]", d, f->t[a]) : sf_strdup("[.]");
    }
}

static void render_coefs(rctx *c)
{
    int ncn;
    const char **cn = coef_names(c->t, &ncn);
    for (int q = 0; q < ncn; q++) {
        char **rb = grid_row(&c->g, 1), **rt = grid_row(&c->g, 2);
        rb[0] = pretty_coef(c->st, cn[q]);
        rt[0] = sf_strdup("");
        for (int j = 0; j < c->nc; j++) {
            const sf_fit *f = c->t->col[j];
            int a = -1;
            for (int i = 0; i < f->k; i++)
                if (!strcmp(f->coef[i], cn[q])) a = i;
            if (a < 0) {
                rb[j + 1] = sf_strdup("");
                rt[j + 1] = sf_strdup("");
            } else {
                rb[j + 1] = fmt("%.*f%s", c->st->digits, f->b[a], stars(c->st, f->p[a]));
                rt[j + 1] = coef_stat(c, f, a);
            }
        }
    }
    free(cn);
}

static char **stat_row(rctx *c, const char *label)
{
    char **r = grid_row(&c->g, 3);
    r[0] = sf_strdup(label);
    return r;
}

static void render_fit_stats(rctx *c)
{
    sf_fit **col = c->t->col;
    char **r = stat_row(c, "N");
    for (int j = 0; j < c->nc; j++) r[j + 1] = fmt("%zu", col[j]->N);
    r = stat_row(c, "R2");
    for (int j = 0; j < c->nc; j++) r[j + 1] = num(c, col[j]->r2);
    int any_within = 0;
    for (int j = 0; j < c->nc; j++)
        if (isfinite(col[j]->r2_within)) any_within = 1;
    if (any_within) {
        r = stat_row(c, "Within R2");
        for (int j = 0; j < c->nc; j++) r[j + 1] = num(c, col[j]->r2_within);
    }
    r = stat_row(c, "F");
    for (int j = 0; j < c->nc; j++) r[j + 1] = num(c, col[j]->F);
    r = stat_row(c, "p");
    for (int j = 0; j < c->nc; j++) r[j + 1] = isfinite(col[j]->F_p) ? fmt("%.3f", col[j]->F_p) : sf_strdup("");
}

/* first-stage diagnostics, mediation, bootstrap of the key coefficient */
static void render_extra_stats(rctx *c)
{
    sf_fit **col = c->t->col;
    int any_iv = 0, any_med = 0, any_boot = 0;
    for (int j = 0; j < c->nc; j++) {
        if (col[j]->role == SF_ROLE_FIRST) any_iv = 1;
        if (isfinite(col[j]->med_indirect)) any_med = 1;
        if (isfinite(col[j]->boot_p)) any_boot = 1;
    }
    char **r;
    if (any_iv) {
        r = stat_row(c, "LM");
        for (int j = 0; j < c->nc; j++) r[j + 1] = col[j]->role == SF_ROLE_FIRST ? num(c, col[j]->idstat) : sf_strdup("");
        r = stat_row(c, "LM p");
        for (int j = 0; j < c->nc; j++)
            r[j + 1] = col[j]->role == SF_ROLE_FIRST && isfinite(col[j]->idstat_p) ? fmt("%.3f", col[j]->idstat_p)
                                                                                    : sf_strdup("");
        r = stat_row(c, "Cragg-Donald F");
        for (int j = 0; j < c->nc; j++) r[j + 1] = col[j]->role == SF_ROLE_FIRST ? num(c, col[j]->cdf) : sf_strdup("");
    }
    if (any_med) {
        r = stat_row(c, "Indirect effect");
        for (int j = 0; j < c->nc; j++) r[j + 1] = isfinite(col[j]->med_indirect) ? dec(c, col[j]->med_indirect) : sf_strdup("");
        r = stat_row(c, "Share of total");
        for (int j = 0; j < c->nc; j++) r[j + 1] = isfinite(col[j]->med_indirect) ? dec(c, col[j]->med_share) : sf_strdup("");
        r = stat_row(c, "Indirect 95% CI");
        for (int j = 0; j < c->nc; j++)
            r[j + 1] = isfinite(col[j]->med_indirect) ? interval(c, col[j]->med_ci_lo, col[j]->med_ci_hi) : sf_strdup("");
    }
    if (any_boot) {
        r = stat_row(c, "Bootstrap p");
        for (int j = 0; j < c->nc; j++) r[j + 1] = isfinite(col[j]->boot_p) ? fmt("%.4f", col[j]->boot_p) : sf_strdup("");
        r = stat_row(c, "Bootstrap 95% CI");
        for (int j = 0; j < c->nc; j++) r[j + 1] = interval(c, col[j]->boot_ci_lo, col[j]->boot_ci_hi);
    }
}

/* The same equation as an earlier one (the first stage or the mediator equation of another
 * outcome): same role and formula; the sample may differ by the outcome's missing rows. */
static int same_aux(const sf_fit *a, const sf_fit *b)
{
    return a->role == b->role && !strcmp(a->formula, b->formula);
}

/* Identical estimates: the same dependent variable, sample size and coefficients. */
static int same_estimates(const sf_fit *a, const sf_fit *b)
{
    if (a->role != b->role || a->N != b->N || a->k != b->k || strcmp(a->depvar, b->depvar)) return 0;
    for (int i = 0; i < a->k; i++)
        if (strcmp(a->coef[i], b->coef[i]) ||
            !(fabs(a->b[i] - b->b[i]) <= 1e-10 * (1 + fabs(b->b[i])) && fabs(a->se[i] - b->se[i]) <= 1e-10 * (1 + fabs(b->se[i]))))
            return 0;
    return 1;
}

/* A table whose every column equals an earlier printed column (e.g. a subset that keeps every row,
 * or an interaction that cannot vary): its header rows stay, the coefficient rows are replaced by a
 * note naming the columns it equals and why (docs/methods.md section 11). */
static void collapse_copy(sf_regtable *t, const sf_regtable *all, int q)
{
    int nc = t->ncol;
    const sf_fit **eq = sf_calloc((size_t)nc + 1, sizeof(sf_fit *));
    for (int j = 0; j < nc; j++)
        for (int p = 0; p < q && !eq[j]; p++)
            for (int i = 0; i < all[p].ncol && !eq[j]; i++)
                if (all[p].col[i]->col_no > 0 && same_estimates(t->col[j], all[p].col[i])) eq[j] = all[p].col[i];
    for (int j = 0; j < nc; j++)
        if (!eq[j]) {
            free(eq);
            return;
        }
    char buf[2048];
    size_t L = 0;
    L += (size_t)snprintf(buf + L, sizeof buf - L, "Every column equals an earlier one:");
    for (int j = 0; j < nc && L < sizeof buf; j++)
        L += (size_t)snprintf(buf + L, sizeof buf - L, "%s (%d) = (%d)", j ? "," : "", t->col[j]->col_no, eq[j]->col_no);
    const sf_fit *f0 = t->col[0];
    if (f0->subset && f0->n_subset == 0 && L < sizeof buf)
        L += (size_t)snprintf(buf + L, sizeof buf - L, "; the subset %s keeps every row of the sample", f0->subset);
    /* terms dropped in every column, not dropped in the column it equals */
    for (int d = 0; d < f0->ndropped && L < sizeof buf; d++) {
        int all_cols = 1, in_eq = 0;
        for (int j = 1; j < nc; j++) {
            int has = 0;
            for (int a = 0; a < t->col[j]->ndropped; a++) has |= !strcmp(t->col[j]->dropped[a], f0->dropped[d]);
            all_cols &= has;
        }
        for (int a = 0; a < eq[0]->ndropped; a++) in_eq |= !strcmp(eq[0]->dropped[a], f0->dropped[d]);
        if (!all_cols || in_eq) continue;
        const char *paren = strstr(f0->dropped[d], " (constant in the sample)");
        if (paren)
            L += (size_t)snprintf(buf + L, sizeof buf - L, "; %.*s cannot vary: it is constant in the sample%s",
                                  (int)(paren - f0->dropped[d]), f0->dropped[d],
                                  strstr(f0->dropped[d], "D3") ? " (D3 = 1 only after [model] d3_after, default 2013: "
                                                                 "no sample year is)" : "");
        else
            L += (size_t)snprintf(buf + L, sizeof buf - L, "; dropped in every column: %s", f0->dropped[d]);
    }
    if (L < sizeof buf) snprintf(buf + L, sizeof buf - L, ". Not printed again (the estimates are in /estimates).");
    free(eq);
    int keep = 0;
    while (keep < t->nrow && t->kind[keep] == 0) keep++;
    for (int r = keep; r < t->nrow; r++) {
        for (int c = 0; c <= t->ncol; c++) free(t->cell[r][c]);
        free(t->cell[r]);
    }
    t->nrow = keep;
    for (int i = 0; i < t->nnotes; i++) free(t->notes[i]);
    t->nnotes = 0;
    add_note(t, sf_strdup(buf));
}

static int has_fe(const sf_fit *f, const char *fe, int upto)
{
    for (int b = 0; b < upto; b++)
        if (!strcmp(f->fe[b], fe)) return 1;
    return 0;
}

/* YES/NO rows: controls, then the union of the fixed effects */
static void render_indicators(rctx *c)
{
    sf_fit **col = c->t->col;
    char **r = grid_row(&c->g, 4);
    r[0] = sf_strdup("Control Variables");
    for (int j = 0; j < c->nc; j++) r[j + 1] = sf_strdup(col[j]->has_controls ? "YES" : "NO");
    for (int j = 0; j < c->nc; j++)
        for (int a = 0; a < col[j]->nfe; a++) {
            const char *fe = col[j]->fe[a];
            int seen = has_fe(col[j], fe, a);
            for (int jj = 0; jj < j && !seen; jj++) seen = has_fe(col[jj], fe, col[jj]->nfe);
            if (seen) continue;
            char lb[256];
            r = grid_row(&c->g, 4);
            r[0] = sf_strdup(fe_label(c->st, fe, lb, sizeof lb));
            for (int q = 0; q < c->nc; q++) r[q + 1] = sf_strdup(has_fe(col[q], fe, col[q]->nfe) ? "YES" : "NO");
        }
}

/* a p threshold as the note prints it: 0.10, 0.05, 0.01, 0.001 */
static void pthresh(char *buf, size_t n, double x)
{
    double h = x * 100;
    if (fabs(h - floor(h + 0.5)) < 1e-9) snprintf(buf, n, "%.2f", x);
    else snprintf(buf, n, "%g", x);
}

static char *first_note(const sf_table_style *st)
{
    static const char *what[] = {"t statistics in brackets", "Standard errors in parentheses",
                                 "95% confidence intervals in brackets"};
    char buf[512];
    size_t L = (size_t)snprintf(buf, sizeof buf, "%s", what[st->coefstat]);
    for (int i = 0; i < st->nstars; i++) {
        char th[32];
        pthresh(th, sizeof th, st->stars[i]);
        L += (size_t)snprintf(buf + L, sizeof buf - L, "%s%.*s p<%s", i ? ", " : "; ", i + 1, "***", th);
    }
    snprintf(buf + L, sizeof buf - L, ".");
    return sf_strdup(buf);
}

/* the note of one column: equation, variance, sample, bootstrap, mediation, IV */
static char *column_note(const sf_fit *f, int same_v)
{
    char buf[2048];
    size_t L = 0;
    L += (size_t)snprintf(buf + L, sizeof buf - L, "(%d) %s: %s", f->col_no, f->name, f->formula);
    if (!same_v) L += (size_t)snprintf(buf + L, sizeof buf - L, "; %s, %s", f->vcov_desc, f->ssc_desc);
    if (f->ncl) {
        L += (size_t)snprintf(buf + L, sizeof buf - L, "; clusters %ld", f->n_clusters[0]);
        if (f->ncl > 1) L += (size_t)snprintf(buf + L, sizeof buf - L, " x %ld", f->n_clusters[1]);
    }
    if (f->n_subset) L += (size_t)snprintf(buf + L, sizeof buf - L, "; %zu rows outside the subset", f->n_subset);
    if (f->n_missing) L += (size_t)snprintf(buf + L, sizeof buf - L, "; %zu rows with missing values dropped", f->n_missing);
    if (f->n_singletons) L += (size_t)snprintf(buf + L, sizeof buf - L, "; %zu singletons dropped", f->n_singletons);
    for (int d = 0; d < f->ndropped && L < sizeof buf; d++)
        L += (size_t)snprintf(buf + L, sizeof buf - L, "%s%s", d ? ", " : "; dropped: ", f->dropped[d]);
    if (isfinite(f->boot_p) && L < sizeof buf) {
        if (f->boot_type == SF_BOOT_WCR || f->boot_type == SF_BOOT_WRE)
            L += (size_t)snprintf(buf + L, sizeof buf - L, "; bootstrap: %s %s, %s%ld draws, H0 %s = 0",
                                  f->boot_type == SF_BOOT_WRE ? "WRE" : "WCR", f->boot_weights,
                                  f->boot_enum ? "all " : "", f->boot_B, f->coef[f->key]);
        else
            L += (size_t)snprintf(buf + L, sizeof buf - L, "; bootstrap: pairs cluster, %ld draws, %s", f->boot_B,
                                  f->coef[f->key]);
    }
    if (f->boot_note[0] && L < sizeof buf) L += (size_t)snprintf(buf + L, sizeof buf - L, "; %s", f->boot_note);
    if (isfinite(f->med_indirect) && L < sizeof buf)
        L += (size_t)snprintf(buf + L, sizeof buf - L, "; mediation by %s: beta1 = %.4f, gamma3 = %.4f, total = %.4f%s",
                              f->mediator, f->med_beta1, f->med_gamma3, f->med_total,
                              f->med_B ? " (CI: pairs cluster bootstrap, percentile)" : "");
    if (f->is_iv && f->role == SF_ROLE_MODEL && isfinite(f->idstat) && L < sizeof buf)
        L += (size_t)snprintf(buf + L, sizeof buf - L, "; %s %.4f (p %.4f), Cragg-Donald F %.4f", f->idstat_name,
                              f->idstat, f->idstat_p, f->cdf);
    if (f->is_iv && f->role == SF_ROLE_MODEL && isfinite(f->kpf) && L < sizeof buf)
        L += (size_t)snprintf(buf + L, sizeof buf - L, ", Kleibergen-Paap rk Wald F %.4f", f->kpf);
    for (int q = 0; q < f->nnotes && L < sizeof buf; q++) L += (size_t)snprintf(buf + L, sizeof buf - L, "; %s", f->notes[q]);
    return sf_strdup(buf);
}

static void render_notes(rctx *c)
{
    sf_regtable *t = c->t;
    add_note(t, first_note(c->st));
    const sf_fit *c0 = t->col[0];
    int same_v = 1;
    for (int j = 1; j < c->nc; j++)
        if (strcmp(t->col[j]->vcov_desc, c0->vcov_desc) || strcmp(t->col[j]->ssc_desc, c0->ssc_desc)) same_v = 0;
    if (same_v) add_note(t, fmt("Standard errors: %s, small-sample convention %s.", c0->vcov_desc, c0->ssc_desc));
    for (int j = 0; j < c->nc; j++) add_note(t, column_note(t->col[j], same_v));
}

static void render(sf_regtable *t, const sf_table_style *st)
{
    rctx c = {t, st, {0}, t->ncol};
    c.g.ncol = t->ncol + 1;
    render_header(&c);
    render_coefs(&c);
    render_fit_stats(&c);
    render_extra_stats(&c);
    render_indicators(&c);
    t->cell = c.g.cell;
    t->kind = c.g.kind;
    t->nrow = c.g.nrow;
    render_notes(&c);
}

void sf_tables_build_styled(sf_fit *const *fits, int nfits, const sf_table_style *st, sf_regtable **out, int *nout)
{
    sf_table_style def;
    if (!st) {
        sf_table_style_default(&def);
        st = &def;
    }
    sf_regtable *t = NULL;
    int nt = 0, colno = 0;
    /* per table: the first stages / mediator equations not printed (same equation as a printed one) */
    char **skipped = NULL;
    for (int i = 0; i < nfits; i++) {
        sf_fit *f = fits[i];
        if (f->role == SF_ROLE_MED_TOTAL) continue;
        int ti = -1;
        for (int q = 0; q < nt; q++)
            if (!strcmp(t[q].name, f->table)) ti = q;
        if (ti < 0) {
            t = sf_realloc(t, sizeof(sf_regtable) * (size_t)(nt + 1));
            skipped = sf_realloc(skipped, sizeof(char *) * (size_t)(nt + 1));
            memset(&t[nt], 0, sizeof(sf_regtable));
            skipped[nt] = NULL;
            t[nt].name = sf_strdup(f->table);
            ti = nt++;
        }
        sf_regtable *tb = &t[ti];
        if (!tb->title && f->title) tb->title = sf_strdup(f->title);
        if (f->role == SF_ROLE_FIRST || f->role == SF_ROLE_MED_M) {
            const sf_fit *dup = NULL;
            for (int j = 0; j < tb->ncol && !dup; j++)
                if (same_eq(tb->col[j], f) || same_aux(tb->col[j], f)) dup = tb->col[j];
            if (dup && !same_eq(dup, f)) {
                /* printed once, as the models file says; the others are named in a note */
                char one[256];
                snprintf(one, sizeof one, "%s%s (N %zu)", skipped[ti] ? ", " : "", f->name, f->N);
                size_t have = skipped[ti] ? strlen(skipped[ti]) : 0;
                skipped[ti] = sf_realloc(skipped[ti], have + strlen(one) + 1);
                memcpy(skipped[ti] + have, one, strlen(one) + 1);
            }
            if (dup || (f->role == SF_ROLE_FIRST && f->col_no < 0)) continue;
        }
        tb->col = sf_realloc(tb->col, sizeof(sf_fit *) * (size_t)(tb->ncol + 1));
        tb->col[tb->ncol++] = f;
    }
    /* column numbers continue across tables in file order; a section's first_column sets the
     * number of its table's first column (the paper's numbering, which skips (29)) */
    for (int i = 0; i < nfits; i++) fits[i]->col_no = 0;
    for (int q = 0; q < nt; q++) {
        if (t[q].ncol && t[q].col[0]->first_column > 0) colno = t[q].col[0]->first_column - 1;
        for (int j = 0; j < t[q].ncol; j++) t[q].col[j]->col_no = ++colno;
    }
    for (int q = 0; q < nt; q++) {
        if (!t[q].title) t[q].title = sf_strdup(t[q].name);
        render(&t[q], st);
        for (int j = 0; j < t[q].ncol; j++) {
            const char *n = t[q].col[j]->table_note;
            int seen = 0;
            for (int i = 0; i < j && n; i++) seen |= t[q].col[i]->table_note && !strcmp(t[q].col[i]->table_note, n);
            if (n && !seen) add_note(&t[q], sf_strdup(n));
        }
        if (skipped[q])
            add_note(&t[q], fmt("Printed once: %s %s the same equation on the sample of another outcome, stored "
                                "in /estimates.", skipped[q], strchr(skipped[q], ',') ? "are" : "is"));
        free(skipped[q]);
        if (q > 0) collapse_copy(&t[q], t, q);
    }
    free(skipped);
    *out = t;
    *nout = nt;
}

void sf_tables_build(sf_fit *const *fits, int nfits, sf_regtable **out, int *nout)
{
    sf_tables_build_styled(fits, nfits, NULL, out, nout);
}

void sf_tables_free(sf_regtable *t, int n)
{
    for (int q = 0; q < n; q++) {
        for (int r = 0; r < t[q].nrow; r++) {
            for (int c = 0; c <= t[q].ncol; c++) free(t[q].cell[r][c]);
            free(t[q].cell[r]);
        }
        free(t[q].cell);
        free(t[q].kind);
        for (int i = 0; i < t[q].nnotes; i++) free(t[q].notes[i]);
        free(t[q].notes);
        free(t[q].col);
        free(t[q].name);
        free(t[q].title);
    }
    free(t);
}

/* ---------------------------------------------------------------- renderers */
/* LaTeX text: the special characters escaped, < > | in math mode, and a
 * minus sign ($-$) for a hyphen that starts a number ("-0.25", "[-1.5, 2]") */
static void tex_escape(FILE *fp, const char *s)
{
    for (const char *p = s; *p; p++) {
        switch (*p) {
        case '_': fputs("\\_", fp); break;
        case '&': fputs("\\&", fp); break;
        case '%': fputs("\\%", fp); break;
        case '#': fputs("\\#", fp); break;
        case '$': fputs("\\$", fp); break;
        case '~': fputs("\\textasciitilde{}", fp); break;
        case '^': fputs("\\textasciicircum{}", fp); break;
        case '\\': fputs("\\textbackslash{}", fp); break;
        case '{': fputs("\\{", fp); break;
        case '}': fputs("\\}", fp); break;
        case '<': fputs("$<$", fp); break;
        case '>': fputs("$>$", fp); break;
        case '|': fputs("$|$", fp); break;
        case '-': {
            int starts = p == s || !(isalnum((unsigned char)p[-1]) || p[-1] == ')' || p[-1] == '.');
            int digit = isdigit((unsigned char)p[1]) || (p[1] == '.' && isdigit((unsigned char)p[2]));
            fputs(starts && digit ? "$-$" : "-", fp);
            break;
        }
        default: fputc(*p, fp);
        }
    }
}

/* "Table 4.1: Robustness" -> number "4.1", caption "Robustness"; else no number */
static const char *tex_title(const char *title, char *num, size_t n)
{
    num[0] = 0;
    if (strncmp(title, "Table ", 6)) return title;
    const char *p = title + 6;
    size_t k = strspn(p, "0123456789.ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
    if (!k || k >= n || p[k] != ':') return title;
    snprintf(num, n, "%.*s", (int)k, p);
    p += k + 1;
    while (*p == ' ') p++;
    return p;
}

/* a rule between the blocks header | coefficients | statistics | indicators,
 * none between a coefficient and the statistic under it */
static int block_starts(const sf_regtable *t, int r)
{
    return r > 0 && t->kind[r] != t->kind[r - 1] && t->kind[r] != 2 && !(t->kind[r] == 1 && t->kind[r - 1] == 2);
}

/* booktabs (\usepackage{booktabs}); the table keeps the number of its title
 * ("Table 2: ..." is numbered 2, not "Table 1: Table 2: ...") */
static void write_tex(FILE *fp, const sf_regtable *t)
{
    int nc = t->ncol + 1;
    char no[64];
    const char *cap = tex_title(t->title, no, sizeof no);
    fputs("\\begin{table}[htbp]\n\\centering\n", fp);
    if (no[0]) fprintf(fp, "\\renewcommand{\\thetable}{%s}\n", no);
    fputs("\\caption{", fp);
    tex_escape(fp, cap);
    fputs("}\n\\label{tab:", fp);
    for (const char *p = t->name; *p; p++) fputc(isalnum((unsigned char)*p) || *p == '.' || *p == '-' ? *p : '-', fp);
    fputs("}\n\\begin{tabular}{l", fp);
    for (int c = 1; c < nc; c++) fputc('c', fp);
    fputs("}\n\\toprule\n", fp);
    for (int r = 0; r < t->nrow; r++) {
        if (block_starts(t, r)) fputs("\\midrule\n", fp);
        for (int c = 0; c < nc; c++) {
            if (c) fputs(" & ", fp);
            const char *s = t->cell[r][c];
            const char *st = t->kind[r] == 1 ? strchr(s, '*') : NULL; /* stars as superscripts */
            if (st) {
                char tmp[256];
                snprintf(tmp, sizeof tmp, "%.*s", (int)(st - s), s);
                tex_escape(fp, tmp);
                fprintf(fp, "$^{%s}$", st);
            } else
                tex_escape(fp, s);
        }
        fputs(" \\\\\n", fp);
    }
    fputs("\\bottomrule\n\\end{tabular}\n\\par\\smallskip\n{\\footnotesize ", fp);
    for (int i = 0; i < t->nnotes; i++) {
        if (i) fputs("\\\\\n", fp);
        tex_escape(fp, t->notes[i]);
    }
    fputs("}\n\\end{table}\n", fp);
}

static void csv_cell(FILE *fp, const char *s)
{
    if (strpbrk(s, ",\"\n")) {
        fputc('"', fp);
        for (; *s; s++) {
            if (*s == '"') fputc('"', fp);
            fputc(*s, fp);
        }
        fputc('"', fp);
    } else
        fputs(s, fp);
}

static void md_cell(FILE *fp, const char *s)
{
    for (; *s; s++) {
        if (*s == '|') fputc('\\', fp);
        if (*s == '*') fputc('\\', fp);
        fputc(*s, fp);
    }
}

/* ---- the one text-table renderer (the regression tables and sf_texttab):
 * column widths, fixed-width rows, Markdown rows; a NULL cell is empty ---- */
static void widen(int *w, char *const *row, int nc)
{
    for (int c = 0; c < nc; c++) {
        int l = row[c] ? (int)strlen(row[c]) : 0;
        if (l > w[c]) w[c] = l;
    }
}

/* the first cell left-aligned, the others right-aligned, two spaces apart
 * (buf holds at least sum(w) + 2 nc + 1 bytes) */
static void text_row(char *buf, size_t cap, char *const *row, int nc, const int *w)
{
    size_t len = 0;
    buf[0] = 0;
    for (int c = 0; c < nc && len < cap; c++)
        len += (size_t)snprintf(buf + len, cap - len, c == 0 ? "%-*s" : "  %*s", w[c], row[c] ? row[c] : "");
}

static void md_row(FILE *fp, char *const *row, int nc)
{
    fputc('|', fp);
    for (int c = 0; c < nc; c++) {
        fputc(' ', fp);
        md_cell(fp, row[c] ? row[c] : "");
        fputs(" |", fp);
    }
    fputc('\n', fp);
}

/* the head rule: the first column left-aligned, the others right-aligned */
static void md_rule(FILE *fp, int nc)
{
    fputc('|', fp);
    for (int c = 0; c < nc; c++) fputs(c ? " ---: |" : " :--- |", fp);
    fputc('\n', fp);
}

void sf_table_write(FILE *fp, const sf_regtable *t, sf_tab_format f)
{
    int nc = t->ncol + 1;
    if (f == SF_TAB_TXT) {
        int *w = sf_calloc((size_t)nc, sizeof(int));
        for (int r = 0; r < t->nrow; r++) widen(w, t->cell[r], nc);
        int total = 0;
        for (int c = 0; c < nc; c++) total += w[c] + 2;
        char *line = sf_malloc((size_t)total + 1);
        fprintf(fp, "%s\n", t->title);
        for (int i = 0; i < total; i++) fputc('=', fp);
        fputc('\n', fp);
        for (int r = 0; r < t->nrow; r++) {
            /* rule between blocks: header | coefficients | statistics | indicators */
            if (block_starts(t, r)) {
                for (int i = 0; i < total; i++) fputc('-', fp);
                fputc('\n', fp);
            }
            text_row(line, (size_t)total + 1, t->cell[r], nc, w);
            fprintf(fp, "%s  \n", line);
        }
        for (int i = 0; i < total; i++) fputc('=', fp);
        fputc('\n', fp);
        for (int i = 0; i < t->nnotes; i++) fprintf(fp, "%s%s\n", i ? "  " : "Notes: ", t->notes[i]);
        fputc('\n', fp);
        free(line);
        free(w);
    } else if (f == SF_TAB_MD) {
        fprintf(fp, "### ");
        md_cell(fp, t->title);
        fprintf(fp, "\n\n");
        for (int r = 0; r < t->nrow; r++) {
            md_row(fp, t->cell[r], nc);
            if (r == 0) md_rule(fp, nc);
        }
        fputc('\n', fp);
        for (int i = 0; i < t->nnotes; i++) {
            fputs(i ? "- " : "Notes:\n\n- ", fp);
            md_cell(fp, t->notes[i]);
            fputc('\n', fp);
        }
        fputc('\n', fp);
    } else if (f == SF_TAB_TEX) {
        write_tex(fp, t);
    } else {
        for (int r = 0; r < t->nrow; r++) {
            for (int c = 0; c < nc; c++) {
                if (c) fputc(',', fp);
                csv_cell(fp, t->cell[r][c]);
            }
            fputc('\n', fp);
        }
    }
}

int sf_tables_write_dir(const char *dir, const sf_regtable *t, int n, sf_err *e)
{
    if (sf_mkdir_p(dir)) return sf_fail(e, SF_EUSER, "cannot create the tables directory %s", dir);
    static const char *ext[] = {"txt", "md", "tex", "csv"};
    for (int q = 0; q < n; q++)
        for (int k = 0; k < 4; k++) {
            char path[4096], tmp[4200];
            snprintf(path, sizeof path, "%s/%s.%s", dir, t[q].name, ext[k]);
            snprintf(tmp, sizeof tmp, "%s.tmp", path);
            FILE *fp = fopen(tmp, "w");
            if (!fp) return sf_fail(e, SF_EUSER, "cannot write %s", tmp);
            sf_table_write(fp, &t[q], (sf_tab_format)k);
            if (fclose(fp) || rename(tmp, path)) return sf_fail(e, SF_EUSER, "cannot write %s", path);
        }
    return SF_OK;
}

/* ---- sf_texttab: a small titled grid of text cells (tables.h) ---- */
void sf_texttab_init(sf_texttab *t, int nc, const char *f, ...)
{
    memset(t, 0, sizeof *t);
    va_list ap;
    va_start(ap, f);
    vsnprintf(t->title, sizeof t->title, f, ap);
    va_end(ap);
    t->nc = nc;
    t->head = sf_calloc((size_t)nc, sizeof(char *));
}

void sf_texttab_head(sf_texttab *t, int j, const char *s)
{
    free(t->head[j]);
    t->head[j] = sf_strdup(s);
}

void sf_texttab_row(sf_texttab *t)
{
    if (t->nr == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 32;
        t->cell = sf_realloc(t->cell, sizeof(char *) * (size_t)t->cap * (size_t)t->nc);
    }
    for (int j = 0; j < t->nc; j++) t->cell[(size_t)t->nr * t->nc + j] = NULL;
    t->nr++;
}

void sf_texttab_set(sf_texttab *t, int j, const char *f, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, f);
    vsnprintf(buf, sizeof buf, f, ap);
    va_end(ap);
    char **c = &t->cell[(size_t)(t->nr - 1) * t->nc + j];
    free(*c);
    *c = sf_strdup(buf);
}

void sf_texttab_free(sf_texttab *t)
{
    for (int j = 0; j < t->nc; j++) free(t->head[j]);
    for (size_t i = 0; i < (size_t)t->nr * t->nc; i++) free(t->cell[i]);
    free(t->head);
    free(t->cell);
    memset(t, 0, sizeof *t);
}

void sf_texttab_write_txt(const sf_texttab *t, FILE *fp, const char *log)
{
    int *w = sf_calloc((size_t)(t->nc ? t->nc : 1), sizeof(int));
    widen(w, t->head, t->nc);
    for (int i = 0; i < t->nr; i++) widen(w, t->cell + (size_t)i * t->nc, t->nc);
    size_t cap = 1;
    for (int j = 0; j < t->nc; j++) cap += (size_t)w[j] + 2;
    char *line = sf_malloc(cap);
    for (int i = -2; i < t->nr; i++) {
        if (i == -1) text_row(line, cap, t->head, t->nc, w);
        else if (i >= 0) text_row(line, cap, t->cell + (size_t)i * t->nc, t->nc, w);
        const char *s = i == -2 ? t->title : line;
        if (fp) fprintf(fp, "%s\n", s);
        else sf_info("%-10s %s", log, s);
    }
    if (fp) fputc('\n', fp);
    free(line);
    free(w);
}

void sf_texttab_write_md(const sf_texttab *t, FILE *fp)
{
    fputs("**", fp);
    md_cell(fp, t->title);
    fputs("**\n\n", fp);
    md_row(fp, t->head, t->nc);
    md_rule(fp, t->nc);
    for (int i = 0; i < t->nr; i++) md_row(fp, t->cell + (size_t)i * t->nc, t->nc);
    fputc('\n', fp);
}
