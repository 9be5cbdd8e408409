/* Regression tables (see include/silkflow/tables.h). The grid of cells is
 * built once and rendered in four formats. */
#include "silkflow/tables.h"

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

static const char *stars(double p)
{
    if (!(p == p)) return "";
    return p < 0.01 ? "***" : p < 0.05 ? "**" : p < 0.1 ? "*" : "";
}

static char *num(double v)
{
    if (!isfinite(v)) return sf_strdup("");
    if (fabs(v) >= 1000) return fmt("%.2E", v);
    return fmt("%.4f", v);
}

static int same_eq(const sf_fit *a, const sf_fit *b)
{
    return a->role == b->role && a->N == b->N && !strcmp(a->formula, b->formula) && a->k == b->k &&
           (a->k == 0 || a->b[0] == b->b[0]);
}

static const char *fe_label(const char *fe, char *buf, size_t n)
{
    if (!strcmp(fe, "industry")) return "Industry Fixed Effects";
    if (!strcmp(fe, "partner")) return "Country Fixed Effects";
    if (!strcmp(fe, "year")) return "Time Fixed Effects";
    snprintf(buf, n, "%s Fixed Effects", fe);
    return buf;
}

typedef struct {
    char ***cell;
    int *kind;
    int nrow, cap, ncol;
} grid;

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

static char *pretty_coef(const char *c)
{
    /* interactions print as "ITR x D1" like the paper's "ITR × D1" */
    char buf[512];
    size_t L = 0;
    for (const char *p = c; *p && L + 4 < sizeof buf; p++) {
        if (*p == ':') {
            memcpy(buf + L, " x ", 3);
            L += 3;
        } else
            buf[L++] = *p;
    }
    buf[L] = 0;
    return sf_strdup(buf);
}

static void render(sf_regtable *t)
{
    grid g = {0};
    g.ncol = t->ncol + 1;
    int nc = t->ncol;
    char **r = grid_row(&g, 0);
    r[0] = sf_strdup("");
    for (int j = 0; j < nc; j++) r[j + 1] = fmt("(%d)", t->col[j]->col_no);
    r = grid_row(&g, 0);
    r[0] = sf_strdup("");
    for (int j = 0; j < nc; j++) r[j + 1] = sf_strdup(t->col[j]->depvar);
    int special = 0;
    for (int j = 0; j < nc; j++)
        if (t->col[j]->is_iv || t->col[j]->role == SF_ROLE_MED_M || t->col[j]->role == SF_ROLE_MED_Y) special = 1;
    if (special) {
        r = grid_row(&g, 0);
        r[0] = sf_strdup("");
        for (int j = 0; j < nc; j++) {
            const sf_fit *f = t->col[j];
            const char *s = f->role == SF_ROLE_FIRST ? "First stage"
                            : f->is_iv              ? "2SLS"
                            : f->role == SF_ROLE_MED_M ? "Mediator"
                            : f->role == SF_ROLE_MED_Y ? "Outcome"
                                                       : "OLS";
            r[j + 1] = sf_strdup(s);
        }
    }
    /* coefficient names: union in order of appearance, _cons last */
    int ncn = 0, capn = 16;
    char **cn = sf_malloc(sizeof(char *) * (size_t)capn);
    int has_cons = 0;
    /* merge the columns' orders: a name not seen yet goes right after the
     * previous name of its own column (so a mediator or an interaction
     * sits next to the key regressor, as in the paper), or first */
    for (int j = 0; j < nc; j++) {
        int prev = -1;
        for (int a = 0; a < t->col[j]->k; a++) {
            const char *c = t->col[j]->coef[a];
            if (!strcmp(c, "_cons")) {
                has_cons = 1;
                continue;
            }
            int at = -1;
            for (int q = 0; q < ncn; q++)
                if (!strcmp(cn[q], c)) at = q;
            if (at < 0) {
                if (ncn == capn) cn = sf_realloc(cn, sizeof(char *) * (size_t)(capn *= 2));
                at = prev + 1;
                memmove(cn + at + 1, cn + at, sizeof(char *) * (size_t)(ncn - at));
                cn[at] = (char *)c;
                ncn++;
            }
            prev = at;
        }
    }
    if (has_cons) {
        if (ncn == capn) cn = sf_realloc(cn, sizeof(char *) * (size_t)(capn + 1));
        cn[ncn++] = "_cons";
    }
    for (int q = 0; q < ncn; q++) {
        char **rb = grid_row(&g, 1), **rt = grid_row(&g, 2);
        rb[0] = pretty_coef(cn[q]);
        rt[0] = sf_strdup("");
        for (int j = 0; j < nc; j++) {
            const sf_fit *f = t->col[j];
            int a = -1;
            for (int i = 0; i < f->k; i++)
                if (!strcmp(f->coef[i], cn[q])) a = i;
            if (a < 0) {
                rb[j + 1] = sf_strdup("");
                rt[j + 1] = sf_strdup("");
            } else {
                rb[j + 1] = fmt("%.4f%s", f->b[a], stars(f->p[a]));
                rt[j + 1] = isfinite(f->t[a]) ? fmt("[%.4f]", f->t[a]) : sf_strdup("[.]");
            }
        }
    }
    free(cn);
    /* statistics */
    r = grid_row(&g, 3);
    r[0] = sf_strdup("N");
    for (int j = 0; j < nc; j++) r[j + 1] = fmt("%zu", t->col[j]->N);
    r = grid_row(&g, 3);
    r[0] = sf_strdup("R2");
    for (int j = 0; j < nc; j++) r[j + 1] = num(t->col[j]->r2);
    int any_within = 0;
    for (int j = 0; j < nc; j++)
        if (isfinite(t->col[j]->r2_within)) any_within = 1;
    if (any_within) {
        r = grid_row(&g, 3);
        r[0] = sf_strdup("Within R2");
        for (int j = 0; j < nc; j++) r[j + 1] = num(t->col[j]->r2_within);
    }
    r = grid_row(&g, 3);
    r[0] = sf_strdup("F");
    for (int j = 0; j < nc; j++) r[j + 1] = num(t->col[j]->F);
    r = grid_row(&g, 3);
    r[0] = sf_strdup("p");
    for (int j = 0; j < nc; j++) r[j + 1] = isfinite(t->col[j]->F_p) ? fmt("%.3f", t->col[j]->F_p) : sf_strdup("");
    int any_iv = 0, any_med = 0, any_boot = 0;
    for (int j = 0; j < nc; j++) {
        if (t->col[j]->role == SF_ROLE_FIRST) any_iv = 1;
        if (isfinite(t->col[j]->med_indirect)) any_med = 1;
        if (isfinite(t->col[j]->boot_p)) any_boot = 1;
    }
    if (any_iv) {
        r = grid_row(&g, 3);
        r[0] = sf_strdup("LM");
        for (int j = 0; j < nc; j++)
            r[j + 1] = t->col[j]->role == SF_ROLE_FIRST ? num(t->col[j]->idstat) : sf_strdup("");
        r = grid_row(&g, 3);
        r[0] = sf_strdup("LM p");
        for (int j = 0; j < nc; j++)
            r[j + 1] = t->col[j]->role == SF_ROLE_FIRST && isfinite(t->col[j]->idstat_p) ? fmt("%.3f", t->col[j]->idstat_p)
                                                                                          : sf_strdup("");
        r = grid_row(&g, 3);
        r[0] = sf_strdup("Cragg-Donald F");
        for (int j = 0; j < nc; j++) r[j + 1] = t->col[j]->role == SF_ROLE_FIRST ? num(t->col[j]->cdf) : sf_strdup("");
    }
    if (any_med) {
        const char *lab[] = {"Indirect effect", "Share of total", "Indirect 95% CI"};
        for (int q = 0; q < 3; q++) {
            r = grid_row(&g, 3);
            r[0] = sf_strdup(lab[q]);
            for (int j = 0; j < nc; j++) {
                const sf_fit *f = t->col[j];
                if (!isfinite(f->med_indirect))
                    r[j + 1] = sf_strdup("");
                else if (q == 0)
                    r[j + 1] = fmt("%.4f", f->med_indirect);
                else if (q == 1)
                    r[j + 1] = fmt("%.4f", f->med_share);
                else
                    r[j + 1] = isfinite(f->med_ci_lo) ? fmt("[%.4f, %.4f]", f->med_ci_lo, f->med_ci_hi) : sf_strdup("");
            }
        }
    }
    if (any_boot) {
        r = grid_row(&g, 3);
        r[0] = sf_strdup("Bootstrap p");
        for (int j = 0; j < nc; j++) r[j + 1] = isfinite(t->col[j]->boot_p) ? fmt("%.4f", t->col[j]->boot_p) : sf_strdup("");
        r = grid_row(&g, 3);
        r[0] = sf_strdup("Bootstrap 95% CI");
        for (int j = 0; j < nc; j++)
            r[j + 1] = isfinite(t->col[j]->boot_ci_lo) ? fmt("[%.4f, %.4f]", t->col[j]->boot_ci_lo, t->col[j]->boot_ci_hi)
                                                       : sf_strdup("");
    }
    r = grid_row(&g, 4);
    r[0] = sf_strdup("Control Variables");
    for (int j = 0; j < nc; j++) r[j + 1] = sf_strdup(t->col[j]->has_controls ? "YES" : "NO");
    /* FE rows: union */
    for (int j = 0; j < nc; j++)
        for (int a = 0; a < t->col[j]->nfe; a++) {
            const char *fe = t->col[j]->fe[a];
            int seen = 0;
            for (int jj = 0; jj < j && !seen; jj++)
                for (int b = 0; b < t->col[jj]->nfe; b++)
                    if (!strcmp(t->col[jj]->fe[b], fe)) seen = 1;
            for (int b = 0; b < a; b++)
                if (!strcmp(t->col[j]->fe[b], fe)) seen = 1;
            if (seen) continue;
            char lb[256];
            r = grid_row(&g, 4);
            r[0] = sf_strdup(fe_label(fe, lb, sizeof lb));
            for (int q = 0; q < nc; q++) {
                int has = 0;
                for (int b = 0; b < t->col[q]->nfe; b++)
                    if (!strcmp(t->col[q]->fe[b], fe)) has = 1;
                r[q + 1] = sf_strdup(has ? "YES" : "NO");
            }
        }
    t->cell = g.cell;
    t->kind = g.kind;
    t->nrow = g.nrow;

    /* notes */
    add_note(t, sf_strdup("t statistics in brackets; * p<0.10, ** p<0.05, *** p<0.01."));
    const sf_fit *c0 = t->col[0];
    int same_v = 1;
    for (int j = 1; j < nc; j++)
        if (strcmp(t->col[j]->vcov_desc, c0->vcov_desc) || strcmp(t->col[j]->ssc_desc, c0->ssc_desc)) same_v = 0;
    if (same_v)
        add_note(t, fmt("Standard errors: %s, small-sample convention %s.", c0->vcov_desc, c0->ssc_desc));
    for (int j = 0; j < nc; j++) {
        const sf_fit *f = t->col[j];
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
            L += (size_t)snprintf(buf + L, sizeof buf - L,
                                  "; mediation by %s: beta1 = %.4f, gamma3 = %.4f, total = %.4f%s", f->mediator,
                                  f->med_beta1, f->med_gamma3, f->med_total,
                                  f->med_B ? " (CI: pairs cluster bootstrap, percentile)" : "");
        if (f->is_iv && f->role == SF_ROLE_MODEL && isfinite(f->idstat) && L < sizeof buf)
            L += (size_t)snprintf(buf + L, sizeof buf - L, "; %s %.4f (p %.4f), Cragg-Donald F %.4f%s", f->idstat_name,
                                  f->idstat, f->idstat_p, f->cdf, isfinite(f->kpf) ? "" : "");
        if (f->is_iv && f->role == SF_ROLE_MODEL && isfinite(f->kpf) && L < sizeof buf)
            L += (size_t)snprintf(buf + L, sizeof buf - L, ", Kleibergen-Paap rk Wald F %.4f", f->kpf);
        for (int q = 0; q < f->nnotes && L < sizeof buf; q++) L += (size_t)snprintf(buf + L, sizeof buf - L, "; %s", f->notes[q]);
        add_note(t, sf_strdup(buf));
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

void sf_tables_build(sf_fit *const *fits, int nfits, sf_regtable **out, int *nout)
{
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
        render(&t[q]);
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
static void tex_escape(FILE *fp, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '_': fputs("\\_", fp); break;
        case '&': fputs("\\&", fp); break;
        case '%': fputs("\\%", fp); break;
        case '#': fputs("\\#", fp); break;
        case '$': fputs("\\$", fp); break;
        case '~': fputs("\\textasciitilde{}", fp); break;
        case '^': fputs("\\^{}", fp); break;
        case '\\': fputs("\\textbackslash{}", fp); break;
        case '{': fputs("\\{", fp); break;
        case '}': fputs("\\}", fp); break;
        default: fputc(*s, fp);
        }
    }
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

void sf_table_write(FILE *fp, const sf_regtable *t, sf_tab_format f)
{
    int nc = t->ncol + 1;
    if (f == SF_TAB_TXT) {
        int *w = sf_calloc((size_t)nc, sizeof(int));
        for (int r = 0; r < t->nrow; r++)
            for (int c = 0; c < nc; c++) {
                int l = (int)strlen(t->cell[r][c]);
                if (l > w[c]) w[c] = l;
            }
        int total = 0;
        for (int c = 0; c < nc; c++) total += w[c] + 2;
        fprintf(fp, "%s\n", t->title);
        for (int i = 0; i < total; i++) fputc('=', fp);
        fputc('\n', fp);
        for (int r = 0; r < t->nrow; r++) {
            /* rule between blocks: header | coefficients | statistics | indicators */
            if (r > 0 && t->kind[r] != t->kind[r - 1] && t->kind[r] != 2 && !(t->kind[r] == 1 && t->kind[r - 1] == 2)) {
                for (int i = 0; i < total; i++) fputc('-', fp);
                fputc('\n', fp);
            }
            fprintf(fp, "%-*s", w[0] + 2, t->cell[r][0]);
            for (int c = 1; c < nc; c++) fprintf(fp, "%*s  ", w[c], t->cell[r][c]);
            fputc('\n', fp);
        }
        for (int i = 0; i < total; i++) fputc('=', fp);
        fputc('\n', fp);
        for (int i = 0; i < t->nnotes; i++) fprintf(fp, "%s%s\n", i ? "  " : "Notes: ", t->notes[i]);
        fputc('\n', fp);
        free(w);
    } else if (f == SF_TAB_MD) {
        fprintf(fp, "### ");
        md_cell(fp, t->title);
        fprintf(fp, "\n\n");
        for (int r = 0; r < t->nrow; r++) {
            fputc('|', fp);
            for (int c = 0; c < nc; c++) {
                fputc(' ', fp);
                md_cell(fp, t->cell[r][c]);
                fputs(" |", fp);
            }
            fputc('\n', fp);
            if (r == 0) {
                fputc('|', fp);
                for (int c = 0; c < nc; c++) fputs(c ? " ---: |" : " :--- |", fp);
                fputc('\n', fp);
            }
        }
        fputc('\n', fp);
        for (int i = 0; i < t->nnotes; i++) {
            fputs(i ? "- " : "Notes:\n\n- ", fp);
            md_cell(fp, t->notes[i]);
            fputc('\n', fp);
        }
        fputc('\n', fp);
    } else if (f == SF_TAB_TEX) {
        fprintf(fp, "\\begin{table}[htbp]\n\\centering\n\\caption{");
        tex_escape(fp, t->title);
        fprintf(fp, "}\n\\begin{tabular}{l");
        for (int c = 1; c < nc; c++) fputc('c', fp);
        fprintf(fp, "}\n\\hline\\hline\n");
        for (int r = 0; r < t->nrow; r++) {
            if (r > 0 && t->kind[r] != t->kind[r - 1] && t->kind[r] != 2) fprintf(fp, "\\hline\n");
            for (int c = 0; c < nc; c++) {
                if (c) fputs(" & ", fp);
                const char *s = t->cell[r][c];
                /* stars as superscripts */
                const char *st = strchr(s, '*');
                if (st && t->kind[r] == 1) {
                    char tmp[256];
                    snprintf(tmp, sizeof tmp, "%.*s", (int)(st - s), s);
                    tex_escape(fp, tmp);
                    fprintf(fp, "$^{%s}$", st);
                } else
                    tex_escape(fp, s);
            }
            fputs(" \\\\\n", fp);
        }
        fprintf(fp, "\\hline\\hline\n\\end{tabular}\n\\par\\smallskip\n{\\footnotesize ");
        for (int i = 0; i < t->nnotes; i++) {
            if (i) fputs("\\\\\n", fp);
            tex_escape(fp, t->notes[i]);
        }
        fprintf(fp, "}\n\\end{table}\n");
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
