/* Estimation of one models-file section (docs/methods.md section 11):
 *   sample   rows outside the subset, with a missing value in any variable
 *            the model uses (incl. FE and cluster ids), then singletons
 *            (iteratively, reghdfe) are dropped, and each count reported;
 *   absorb   y, X (and IV variables) are demeaned by the FEs; the means are
 *            added back and a constant column appended, so _cons is reported
 *            as reghdfe does (mean of y minus the means of X times b) and the
 *            slopes and their VCV are those of the within regression;
 *   collinear regressors (absorbed by the FEs, or collinear after partialling
 *            out) are dropped and named;
 *   fit      OLS or 2SLS with the section's VCV and small-sample convention
 *            (K = regressors + constant + FE levels not nested in a cluster
 *            variable, minus the redundant ones, see sf_fe_rank);
 *   IV       first stage, Anderson/Kleibergen-Paap rk LM, Cragg-Donald and
 *            Kleibergen-Paap rk Wald F (ivreg2/ranktest formulas, one
 *            endogenous regressor);
 *   mediation three equations on one common sample, indirect effect
 *            beta1 * gamma3 and its share of the total effect;
 *   bootstrap WCR (OLS) or pairs for the key coefficient, pairs for the
 *            indirect effect. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "silkflow/stats.h"
#include "silkflow/stats_boot.h"
#include "stats_internal.h"

/* ------------------------------------------------------------------ fit objects */
void sf_fit_free(sf_fit *f)
{
    if (!f) return;
    free(f->name);
    free(f->section);
    free(f->table);
    free(f->title);
    free(f->formula);
    free(f->depvar);
    free(f->vcov_desc);
    free(f->ssc_desc);
    for (int i = 0; i < f->k; i++) free(f->coef[i]);
    free(f->coef);
    free(f->b);
    free(f->se);
    free(f->t);
    free(f->p);
    free(f->ci_lo);
    free(f->ci_hi);
    free(f->V);
    for (int i = 0; i < f->nfe; i++) free(f->fe[i]);
    free(f->fe);
    for (int i = 0; i < 2; i++) free(f->cl_name[i]);
    for (int i = 0; i < f->ndropped; i++) free(f->dropped[i]);
    free(f->dropped);
    for (int i = 0; i < f->nnotes; i++) free(f->notes[i]);
    free(f->notes);
    free(f->mediator);
    free(f->subset);
    free(f->table_note);
    /* first stage fits are owned by the fit list, not by the second stage */
    free(f);
}

void sf_fit_note(sf_fit *f, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    f->notes = sf_realloc(f->notes, sizeof(char *) * (size_t)(f->nnotes + 1));
    f->notes[f->nnotes++] = sf_strdup(buf);
}

static void fit_dropped(sf_fit *f, const char *name, const char *why)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s (%s)", name, why);
    f->dropped = sf_realloc(f->dropped, sizeof(char *) * (size_t)(f->ndropped + 1));
    f->dropped[f->ndropped++] = sf_strdup(buf);
}

void sf_est_opts_default(sf_est_opts *o)
{
    memset(o, 0, sizeof *o);
    o->boot_reps = 9999;
    o->seed = 20231122;
    o->size = 1;
    o->level = 0.95;
}

/* ------------------------------------------------------------------ checks */
static int term_check(const sf_model_spec *s, const sf_frame *f, const sf_term *t, int line, const char *where,
                      sf_err *e)
{
    for (int q = 0; q < t->nfac; q++) {
        const sf_column *c = sf_frame_col(f, t->fac[q].var);
        if (!c)
            return sf_fail(e, SF_EUSER, "%s:%d: unknown variable '%s' in %s of [%s]", s->path, line, t->fac[q].var,
                           where, s->name);
        if (c->type != SF_COL_NUM)
            return sf_fail(e, SF_EUSER, "%s:%d: variable '%s' in %s of [%s] is not numeric", s->path, line,
                           t->fac[q].var, where, s->name);
    }
    return SF_OK;
}

static int group_check(const sf_model_spec *s, const sf_frame *f, const char *g, int line, const char *where,
                       sf_err *e)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", g);
    if (!strcmp(buf, "pair") && !sf_frame_col(f, "pair")) {
        if (!sf_frame_col(f, "partner") || !sf_frame_col(f, "industry"))
            return sf_fail(e, SF_EUSER,
                           "%s:%d: '%s' in %s of [%s]: the built-in 'pair' needs the columns partner and industry",
                           s->path, line, g, where, s->name);
        return SF_OK;
    }
    char *save = NULL;
    for (char *tok = strtok_r(buf, "#", &save); tok; tok = strtok_r(NULL, "#", &save))
        if (!sf_frame_col(f, tok))
            return sf_fail(e, SF_EUSER, "%s:%d: unknown variable '%s' in %s of [%s]", s->path, line, tok, where,
                           s->name);
    return SF_OK;
}

static int has_lag(const sf_model_spec *s)
{
    const sf_term *lists[3] = {s->x, s->endog, s->instr};
    int ns[3] = {s->nx, s->nendog, s->ninstr};
    for (int l = 0; l < 3; l++)
        for (int i = 0; i < ns[l]; i++)
            for (int q = 0; q < lists[l][i].nfac; q++)
                if (lists[l][i].fac[q].lag) return 1;
    return s->y.fac[0].lag != 0;
}

int sf_model_check(const sf_model_spec *s, const sf_frame *f, sf_err *e)
{
    int rc, fl = s->formula_line;
    if ((rc = term_check(s, f, &s->y, fl, "the formula", e))) return rc;
    for (int i = 0; i < s->nx; i++)
        if ((rc = term_check(s, f, &s->x[i], fl, "the formula", e))) return rc;
    for (int i = 0; i < s->nendog; i++)
        if ((rc = term_check(s, f, &s->endog[i], fl, "the formula", e))) return rc;
    for (int i = 0; i < s->ninstr; i++)
        if ((rc = term_check(s, f, &s->instr[i], fl, "the formula", e))) return rc;
    for (int i = 0; i < s->nfe; i++)
        if ((rc = group_check(s, f, s->fe[i], fl, "the fixed effects", e))) return rc;
    if (s->vcov == SF_V_CLUSTER)
        for (int i = 0; i < s->ncl; i++)
            if ((rc = group_check(s, f, s->cl[i], s->vcov_line ? s->vcov_line : s->line, "vcov", e))) return rc;
    if (s->mediator) {
        sf_term t = {0};
        sf_factor fa = {s->mediator, 0, 0};
        t.nfac = 1;
        t.fac[0] = fa;
        if ((rc = term_check(s, f, &t, s->mediator_line, "mediator", e))) return rc;
    }
    if (s->subset && !sf_frame_col(f, s->subset_by))
        return sf_fail(e, SF_EUSER, "%s:%d: subset needs the column '%s' (subset_by) in [%s]", s->path,
                       s->subset_line, s->subset_by, s->name);
    if (has_lag(s)) {
        int pl = s->panel_line ? s->panel_line : fl;
        if ((rc = group_check(s, f, s->panel_unit, pl, "the panel unit (needed by L.)", e))) return rc;
        const sf_column *c = sf_frame_col(f, s->panel_time);
        if (!c || c->type != SF_COL_NUM)
            return sf_fail(e, SF_EUSER, "%s:%d: lags in [%s] need a numeric panel time column '%s'", s->path, pl,
                           s->name, s->panel_time);
    }
    return SF_OK;
}

/* ------------------------------------------------------------------ data */
typedef struct {
    const sf_frame *f;
    const sf_model_spec *s;
    int *lagrow[51]; /* per lag order: row of (unit, t - L) or -1 */
    sf_group unit;
    const double *time;
    int have_panel;
} dctx;

static int panel_build(dctx *d, sf_err *e)
{
    const sf_model_spec *s = d->s;
    int rc = sf_group_from_frame(d->f, s->panel_unit, &d->unit, e);
    if (rc) return sf_err_prefix(e, "%s:%d: panel", s->path, s->panel_line ? s->panel_line : s->formula_line);
    d->time = sf_frame_col(d->f, s->panel_time)->num;
    d->have_panel = 1;
    return SF_OK;
}

static int lag_index(dctx *d, int L, sf_err *e)
{
    if (d->lagrow[L]) return SF_OK;
    size_t n = d->f->nrow;
    sf_strmap m;
    sf_strmap_init(&m, n);
    char key[96];
    for (size_t i = 0; i < n; i++) {
        if (d->unit.id[i] < 0 || isnan(d->time[i])) continue;
        snprintf(key, sizeof key, "%d|%.17g", d->unit.id[i], d->time[i]);
        int v = sf_strmap_put(&m, key, (int)i);
        if (v != (int)i) {
            sf_strmap_free(&m);
            return sf_fail(e, SF_EUSER,
                           "%s: [%s]: the panel (%s, %s) has two rows for the same unit and time (rows %d and %zu); "
                           "lags need a unique (unit, time)",
                           d->s->path, d->s->name, d->s->panel_unit, d->s->panel_time, v + 2, i + 2);
        }
    }
    int *r = sf_malloc(sizeof(int) * (n ? n : 1));
    for (size_t i = 0; i < n; i++) {
        r[i] = -1;
        if (d->unit.id[i] < 0 || isnan(d->time[i])) continue;
        snprintf(key, sizeof key, "%d|%.17g", d->unit.id[i], d->time[i] - L);
        r[i] = sf_strmap_get(&m, key);
    }
    sf_strmap_free(&m);
    d->lagrow[L] = r;
    return SF_OK;
}

/* values of a term on every frame row (NaN = missing) */
static int eval_term(dctx *d, const sf_term *t, double **out, sf_err *e)
{
    size_t n = d->f->nrow;
    double *v = sf_malloc(sizeof(double) * (n ? n : 1));
    for (size_t i = 0; i < n; i++) v[i] = 1.0;
    for (int q = 0; q < t->nfac; q++) {
        const sf_factor *fa = &t->fac[q];
        const double *x = sf_frame_col(d->f, fa->var)->num;
        const int *lr = NULL;
        if (fa->lag) {
            if (!d->have_panel) {
                int rc = panel_build(d, e);
                if (rc) {
                    free(v);
                    return rc;
                }
            }
            int rc = lag_index(d, fa->lag, e);
            if (rc) {
                free(v);
                return rc;
            }
            lr = d->lagrow[fa->lag];
        }
        for (size_t i = 0; i < n; i++) {
            double xv;
            if (lr)
                xv = lr[i] >= 0 ? x[lr[i]] : NAN;
            else
                xv = x[i];
            if (fa->log) xv = xv > 0 ? log(xv) : NAN;
            v[i] *= xv;
        }
    }
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i])) v[i] = NAN;
    *out = v;
    return SF_OK;
}

static int read_subset(const char *path, sf_strmap *m, sf_err *e)
{
    size_t len;
    char *text = sf_read_file(path, &len, e);
    if (!text) return e ? e->code : SF_EUSER;
    sf_strmap_init(m, 256);
    char *save = NULL;
    int lineno = 0;
    for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        lineno++;
        char *s = sf_trim(l);
        char *hash = strchr(s, '#');
        if (hash) *hash = 0;
        char *comma = strchr(s, ',');
        if (comma) *comma = 0; /* CSV: first column */
        s = sf_trim(s);
        if (s[0] == '"') {
            s++;
            char *q = strchr(s, '"');
            if (q) *q = 0;
        }
        if (!*s) continue;
        if (lineno == 1 && (sf_streq_nocase(s, "iso3") || sf_streq_nocase(s, "code"))) continue;
        sf_strmap_put(m, s, 1);
    }
    free(text);
    if (m->count == 0) {
        sf_strmap_free(m);
        return sf_fail(e, SF_EUSER, "subset file %s lists no code", path);
    }
    return SF_OK;
}

/* ------------------------------------------------------------------ the estimation context */
typedef struct {
    const sf_model_spec *s;
    const sf_est_opts *o;
    sf_ssc ssc;
    size_t n;          /* rows in the estimation sample */
    sf_group *fe;      /* nfe, filtered */
    int nfe;
    sf_group cl[2];
    int ncl;
    sf_group cl12;
    sf_vcov_kind vcov;
    int rank_all;      /* rank of [1, D] */
    int rank_nn;       /* the same without FEs nested in a cluster */
    size_t n_missing, n_subset, n_single;
    double **cols;     /* compacted term values, indexed like names */
    char **names;
    int ncols;
    int nmain;         /* cols[0..nmain) are the model's terms; the rest are
                          their raw twins (terms on the <var>_raw columns) */
    int *twin;         /* per main column: index of its raw twin, -1 = none */
    unsigned char *raw_absorbed; /* per main column: the raw twin is absorbed */
} ectx;

static const double *ecol(const ectx *c, const char *name)
{
    for (int i = 0; i < c->ncols; i++)
        if (!strcmp(c->names[i], name)) return c->cols[i];
    return NULL;
}

static double vsum(const double *x, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += x[i];
    return s;
}

static char *vcov_desc(const ectx *c)
{
    char buf[256];
    if (c->vcov == SF_V_IID)
        snprintf(buf, sizeof buf, "iid");
    else if (c->vcov == SF_V_HC1)
        snprintf(buf, sizeof buf, "hc1");
    else if (c->ncl == 1)
        snprintf(buf, sizeof buf, "cluster(%s)", c->s->cl[0]);
    else
        snprintf(buf, sizeof buf, "cluster(%s, %s)", c->s->cl[0], c->s->cl[1]);
    return sf_strdup(buf);
}

static sf_fit *fit_new(const ectx *c, const char *name, int role)
{
    sf_fit *f = sf_calloc(1, sizeof *f);
    f->name = sf_strdup(name);
    f->section = sf_strdup(c->s->name);
    f->table = sf_strdup(c->s->table);
    f->title = c->s->title ? sf_strdup(c->s->title) : NULL;
    f->role = role;
    f->key = -1;
    f->first_column = c->s->first_column;
    f->subset = c->s->subset ? sf_strdup(sf_basename(c->s->subset)) : NULL;
    f->table_note = c->s->note ? sf_strdup(c->s->note) : NULL;
    f->vcov_desc = vcov_desc(c);
    f->ssc_desc = sf_strdup(c->ssc.name);
    f->N = c->n;
    f->n_missing = c->n_missing;
    f->n_subset = c->n_subset;
    f->n_singletons = c->n_single;
    f->nfe = c->s->nfe;
    f->fe = sf_malloc(sizeof(char *) * (size_t)(f->nfe + 1));
    for (int i = 0; i < f->nfe; i++) f->fe[i] = sf_strdup(c->s->fe[i]);
    f->ncl = c->vcov == SF_V_CLUSTER ? c->ncl : 0;
    for (int i = 0; i < f->ncl; i++) {
        f->cl_name[i] = sf_strdup(c->s->cl[i]);
        f->n_clusters[i] = c->cl[i].nlev;
    }
    f->boot_p = f->boot_ci_lo = f->boot_ci_hi = f->boot_t = NAN;
    f->idstat = f->idstat_p = f->idstat_df = f->cdf = f->kpf = NAN;
    f->med_beta1 = f->med_gamma3 = f->med_indirect = f->med_total = f->med_share = NAN;
    f->med_ci_lo = f->med_ci_hi = NAN;
    f->r2_within = f->r2_within_adj = NAN;
    return f;
}

/* Gram-Schmidt screen of candidate columns (demeaned, n x m): returns a
 * keep mask; raw holds the undemeaned columns (for the absorbed test). */
/* Project q (n values) off the orthonormal columns Q[0..nq) — twice, for
 * accuracy (classical Gram-Schmidt with reorthogonalisation) — and return
 * its squared norm. */
static double gs_project(const double *Q, int nq, size_t n, double *q)
{
    for (int pass = 0; pass < 2; pass++)
        for (int a = 0; a < nq; a++) {
            const double *qa = Q + (size_t)a * n;
            double s = 0;
            for (size_t i = 0; i < n; i++) s += qa[i] * q[i];
            for (size_t i = 0; i < n; i++) q[i] -= s * qa[i];
        }
    double nn = 0;
    for (size_t i = 0; i < n; i++) nn += q[i] * q[i];
    return nn;
}

static void screen_collinear(const double *dm, const double *raw, int m, size_t n, const double *basis, int nb,
                             const unsigned char *force, unsigned char *keep, int *why)
{
    double *Q = sf_malloc(sizeof(double) * n * (size_t)(m + nb + 1) + 8);
    int nq = 0;
    /* orthonormal basis of the columns already accepted (e.g. exogenous X) */
    for (int b = 0; b < nb; b++) {
        double *q = Q + (size_t)nq * n;
        memcpy(q, basis + (size_t)b * n, sizeof(double) * n);
        double nn = gs_project(Q, nq, n, q);
        if (nn > 0) {
            nn = 1 / sqrt(nn);
            for (size_t i = 0; i < n; i++) q[i] *= nn;
            nq++;
        }
    }
    for (int c = 0; c < m; c++) {
        const double *x = dm + (size_t)c * n, *xr = raw + (size_t)c * n;
        double mean = vsum(xr, n) / (double)n, rawss = 0, dmss = 0;
        for (size_t i = 0; i < n; i++) {
            rawss += (xr[i] - mean) * (xr[i] - mean);
            dmss += x[i] * x[i];
        }
        keep[c] = 0;
        if (!(rawss > 0)) {
            why[c] = 1; /* constant */
            continue;
        }
        if (force && force[c]) {
            why[c] = 4; /* its raw values are absorbed by the FEs */
            continue;
        }
        if (!(dmss > 1e-9 * rawss)) {
            why[c] = 2; /* absorbed by the FEs */
            continue;
        }
        double *q = Q + (size_t)nq * n;
        memcpy(q, x, sizeof(double) * n);
        double nn = gs_project(Q, nq, n, q);
        if (!(nn > 1e-9 * dmss)) {
            why[c] = 3; /* collinear */
            continue;
        }
        nn = 1 / sqrt(nn);
        for (size_t i = 0; i < n; i++) q[i] *= nn;
        nq++;
        keep[c] = 1;
        why[c] = 0;
    }
    free(Q);
}

/* 1 when the raw twin of term `name` is absorbed by the FEs */
static int raw_absorbed(const ectx *c, const char *name)
{
    if (!c->raw_absorbed) return 0;
    for (int i = 0; i < c->nmain; i++)
        if (!strcmp(c->names[i], name)) return c->raw_absorbed[i];
    return 0;
}

static const char *why_text(int nfe, int w)
{
    if (w == 1) return "constant in the sample";
    if (w == 2) return nfe ? "absorbed by the fixed effects" : "constant in the sample";
    if (w == 4)
        return "absorbed by the fixed effects before winsorising and normalising: its remaining variation comes "
               "from the preprocessing only";
    return "collinear with the other regressors";
}

/* fill b, se, t, p, CI, F from an ls result; names given */
static void fill_coefs(sf_fit *f, const ectx *c, const sf_ls_out *ls, char **names, int k, int has_const)
{
    f->k = k;
    f->coef = sf_malloc(sizeof(char *) * (size_t)k);
    f->b = sf_malloc(sizeof(double) * (size_t)k);
    f->se = sf_malloc(sizeof(double) * (size_t)k);
    f->t = sf_malloc(sizeof(double) * (size_t)k);
    f->p = sf_malloc(sizeof(double) * (size_t)k);
    f->ci_lo = sf_malloc(sizeof(double) * (size_t)k);
    f->ci_hi = sf_malloc(sizeof(double) * (size_t)k);
    f->V = sf_malloc(sizeof(double) * (size_t)k * k);
    memcpy(f->V, ls->V, sizeof(double) * (size_t)k * k);
    double df = c->ssc.normal ? 0 : ls->df_resid;
    f->df_resid = c->ssc.normal ? INFINITY : ls->df_resid;
    double level = c->o->level > 0 && c->o->level < 1 ? c->o->level : 0.95;
    double q = sf_dist_t_q((1 - level) / 2, df);
    for (int a = 0; a < k; a++) {
        f->coef[a] = sf_strdup(names[a]);
        f->b[a] = ls->b[a];
        double v = ls->V[a + (size_t)a * k];
        f->se[a] = v > 0 ? sqrt(v) : 0.0;
        f->t[a] = f->se[a] > 0 ? f->b[a] / f->se[a] : NAN;
        f->p[a] = f->se[a] > 0 ? sf_dist_t_p2(f->t[a], df) : NAN;
        f->ci_lo[a] = f->b[a] - q * f->se[a];
        f->ci_hi[a] = f->b[a] + q * f->se[a];
    }
    f->K = ls->K;
    /* F: Wald test that all slopes are zero */
    int ks = has_const ? k - 1 : k;
    f->F = f->F_p = NAN;
    f->F_df1 = ks;
    f->F_df2 = ls->df_resid;
    if (ks > 0) {
        /* Wald chi2 with a Cholesky inverse, or Stata's invsym-like
         * generalized inverse when V is (numerically) singular, e.g. with
         * fewer clusters than slopes */
        double *W = sf_malloc(sizeof(double) * (size_t)ks * ks);
        for (int a = 0; a < ks; a++)
            for (int b = 0; b < ks; b++) W[a + (size_t)b * ks] = ls->V[a + (size_t)b * k];
        int singular = sf_sym_badly_conditioned(W, ks);
        if (singular || sf_spd_inverse(W, ks)) {
            for (int a = 0; a < ks; a++)
                for (int b = 0; b < ks; b++) W[a + (size_t)b * ks] = ls->V[a + (size_t)b * k];
            int rank = sf_sym_ginv_sweep(W, ks);
            if (rank < ks) sf_fit_note(f, "F: the VCV of the slopes has rank %d < %d (generalized inverse)", rank, ks);
            if (rank == 0) ks = 0;
        }
        if (ks > 0) {
            double w = 0;
            for (int a = 0; a < ks; a++)
                for (int b = 0; b < ks; b++) w += ls->b[a] * W[a + (size_t)b * ks] * ls->b[b];
            double N = (double)c->n, K = ls->K, dm = c->ssc.dofminus, sdm = c->ssc.sdofminus;
            f->F = w / ks;
            double df2 = ls->df_resid;
            if (c->ssc.normal) { /* ivreg2 without small: F from the uncorrected chi2 */
                if (c->vcov == SF_V_CLUSTER) {
                    double M = (double)ls->Gmin;
                    f->F *= (M - 1) / M * (N - K - sdm) / (N - 1);
                } else
                    f->F *= (N - K - dm - sdm) / (N - dm);
                f->F_df2 = df2;
            }
            f->F_p = sf_dist_f_sf(f->F, f->F_df1, df2);
        }
        free(W);
    }
}

/* columns for one equation, demeaned; means kept for adding back */
typedef struct {
    double *raw;  /* n x m raw values */
    double *dm;   /* n x m demeaned */
    double *mean; /* m */
    int m;
    int absorb_iters, absorb_bad;
} eqdata;

static void eq_build(const ectx *c, const double *const *cols, int m, eqdata *q)
{
    size_t n = c->n;
    q->m = m;
    q->raw = sf_malloc(sizeof(double) * n * (size_t)m + 8);
    q->dm = sf_malloc(sizeof(double) * n * (size_t)m + 8);
    q->mean = sf_malloc(sizeof(double) * (size_t)m + 8);
    for (int j = 0; j < m; j++) {
        memcpy(q->raw + (size_t)j * n, cols[j], sizeof(double) * n);
        q->mean[j] = vsum(cols[j], n) / (double)n;
    }
    memcpy(q->dm, q->raw, sizeof(double) * n * (size_t)m);
    if (c->nfe > 0) {
        sf_absorb ab;
        sf_absorb_init(&ab, c->fe, c->nfe, n, NULL);
        sf_absorb_demean(&ab, q->dm, m);
        q->absorb_iters = ab.iters_max;
        q->absorb_bad = ab.not_converged;
        sf_absorb_free(&ab);
    } else
        for (int j = 0; j < m; j++)
            for (size_t i = 0; i < n; i++) q->dm[i + (size_t)j * n] -= q->mean[j];
}

static void eq_free(eqdata *q)
{
    free(q->raw);
    free(q->dm);
    free(q->mean);
}

static void ls_setup(const ectx *c, sf_ls_in *in)
{
    memset(in, 0, sizeof *in);
    in->n = c->n;
    in->has_const = 1;
    in->df_fe = c->rank_nn - 1;
    in->cl = c->cl;
    in->ncl = c->vcov == SF_V_CLUSTER ? c->ncl : 0;
    in->cl12 = c->ncl > 1 ? &c->cl12 : NULL;
    in->vcov = c->vcov;
    in->ssc = &c->ssc;
    in->psd_slopes_only = c->nfe > 0;
}

static double r2_adj_within(double r2w, double N, int rank_all, int ks)
{
    return 1 - (1 - r2w) * (N - rank_all) / (N - rank_all - ks);
}

static uint64_t name_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static long boot_reps(const ectx *c)
{
    if (c->o->boot_override || c->s->boot_reps < 0) return c->o->boot_reps;
    return c->s->boot_reps;
}

static int has_var(const sf_term *t, const char *v)
{
    for (int q = 0; q < t->nfac; q++)
        if (!strcmp(t->fac[q].var, v)) return 1;
    return 0;
}

static int is_control(const ectx *c, const sf_term *t, const char *keyvar)
{
    const sf_model_spec *s = c->s;
    if (s->ncontrols > 0) {
        for (int q = 0; q < t->nfac; q++)
            for (int i = 0; i < s->ncontrols; i++)
                if (!strcmp(t->fac[q].var, s->controls[i])) return 1;
        return 0;
    }
    if (keyvar && has_var(t, keyvar)) return 0;
    if (s->mediator && has_var(t, s->mediator)) return 0;
    return 1;
}

/* percentile (type 7) of the finite values of v */
static double percentile(double *v, long n, double q)
{
    if (n <= 0) return NAN;
    sf_sort_double(v, (size_t)n);
    double h = (double)(n - 1) * q;
    long lo = (long)floor(h);
    if (lo + 1 >= n) return v[n - 1];
    return v[lo] + (h - (double)lo) * (v[lo + 1] - v[lo]);
}

/* ------------------------------------------------------------------ OLS equation */
typedef struct {
    const sf_term *y;     /* dependent */
    const sf_term **x;    /* regressors in display order */
    int nx;
    const char *keyname;  /* key coefficient (NULL: the first regressor) */
    const char *name;
    int role;
    int bootstrap;        /* run the key-coefficient bootstrap */
} olsreq;

static char *formula_text(const ectx *c, const sf_term *y, const sf_term **x, int nx, const sf_term **en, int ne,
                          const sf_term **in, int ni)
{
    char buf[4096];
    size_t L = 0;
    L += (size_t)snprintf(buf + L, sizeof buf - L, "%s ~ ", y->name);
    for (int i = 0; i < nx && L < sizeof buf; i++) L += (size_t)snprintf(buf + L, sizeof buf - L, "%s%s", i ? " + " : "", x[i]->name);
    if (nx == 0 && L < sizeof buf) L += (size_t)snprintf(buf + L, sizeof buf - L, "1");
    if (c->s->nfe && L < sizeof buf) {
        L += (size_t)snprintf(buf + L, sizeof buf - L, " | ");
        for (int i = 0; i < c->s->nfe && L < sizeof buf; i++)
            L += (size_t)snprintf(buf + L, sizeof buf - L, "%s%s", i ? " + " : "", c->s->fe[i]);
    }
    if (ne && L < sizeof buf) {
        L += (size_t)snprintf(buf + L, sizeof buf - L, " | ");
        for (int i = 0; i < ne && L < sizeof buf; i++) L += (size_t)snprintf(buf + L, sizeof buf - L, "%s%s", i ? " + " : "", en[i]->name);
        if (L < sizeof buf) L += (size_t)snprintf(buf + L, sizeof buf - L, " ~ ");
        for (int i = 0; i < ni && L < sizeof buf; i++) L += (size_t)snprintf(buf + L, sizeof buf - L, "%s%s", i ? " + " : "", in[i]->name);
    }
    return sf_strdup(buf);
}

/* The result of a wild bootstrap (WCR or WRE) on the fit, with its weights and,
 * without a cluster variable, the note that it ran over rows. */
static void store_wild(const ectx *c, sf_fit *f, int type, const sf_wcr_out *out)
{
    static const char *wn[] = {"rademacher", "webb", "mammen"};
    f->boot_type = type;
    f->boot_B = out->B;
    f->boot_enum = out->enumerated;
    snprintf(f->boot_weights, sizeof f->boot_weights, "%s", wn[c->s->boot_weights]);
    f->boot_t = out->t;
    f->boot_p = out->p;
    f->boot_ci_lo = out->ci_lo;
    f->boot_ci_hi = out->ci_hi;
    if (c->vcov != SF_V_CLUSTER)
        snprintf(f->boot_note, sizeof f->boot_note, "wild restricted %sbootstrap over rows (no cluster variable)",
                 type == SF_BOOT_WRE ? "efficient " : "");
}

static int run_wcr(const ectx *c, sf_fit *f, const double *yraw, const double *Xraw, int k, int j, sf_err *e)
{
    long B = boot_reps(c);
    if (B <= 0) return SF_OK;
    sf_wcr_in in;
    memset(&in, 0, sizeof in);
    in.n = c->n;
    in.y = yraw;
    in.X = Xraw;
    in.k = k;
    in.fe = c->fe;
    in.nfe = c->nfe;
    in.cl = c->vcov == SF_V_CLUSTER ? c->cl : NULL;
    in.ncl = c->vcov == SF_V_CLUSTER ? c->ncl : 0;
    in.j = j;
    in.r = 0;
    in.K = f->K;
    in.ssc = &c->ssc;
    in.B = B;
    in.weights = c->s->boot_weights;
    in.seed = sf_rng_u64(c->o->seed, name_hash(f->name), 0x57c);
    in.level = c->o->level;
    in.rank = c->o->rank;
    in.size = c->o->size;
    in.reduce = c->o->reduce;
    sf_wcr_out out;
    sf_err e2 = {0};
    if (sf_wcr(&in, &out, &e2)) {
        if (e2.code == SF_EUSER) {
            sf_fail(e, SF_EUSER, "%s: [%s]: %s", c->s->path, c->s->name, e2.msg);
            return SF_EUSER;
        }
        snprintf(f->boot_note, sizeof f->boot_note, "bootstrap not run: %s", e2.msg);
        return SF_OK;
    }
    store_wild(c, f, SF_BOOT_WCR, &out);
    return SF_OK;
}

/* WRE bootstrap of the (one) endogenous regressor of an IV fit; q holds the
 * raw columns [y, x, X (nx), Z (ni)], kx/kz the kept exogenous/instruments */
static int run_wre(const ectx *c, sf_fit *f, const eqdata *q, const unsigned char *kx, const unsigned char *kz)
{
    const sf_model_spec *s = c->s;
    size_t n = c->n;
    long B = boot_reps(c);
    int nx = s->nx, ni = s->ninstr, mx = 0, mz = 0;
    double *X = sf_malloc(sizeof(double) * n * (size_t)(nx + 1) + 8), *Z = sf_malloc(sizeof(double) * n * (size_t)(ni + 1) + 8);
    for (int i = 0; i < nx; i++)
        if (kx[i]) memcpy(X + (size_t)(mx++) * n, q->raw + (size_t)(2 + i) * n, sizeof(double) * n);
    for (int i = 0; i < ni; i++)
        if (kz[i]) memcpy(Z + (size_t)(mz++) * n, q->raw + (size_t)(2 + nx + i) * n, sizeof(double) * n);
    sf_wre_in in;
    memset(&in, 0, sizeof in);
    in.n = n;
    in.y = q->raw;
    in.x = q->raw + n;
    in.X = X;
    in.kx = mx;
    in.Z = Z;
    in.kz = mz;
    in.fe = c->fe;
    in.nfe = c->nfe;
    in.cl = c->vcov == SF_V_CLUSTER ? c->cl : NULL;
    in.ncl = c->vcov == SF_V_CLUSTER ? c->ncl : 0;
    in.r = 0;
    in.K = f->K;
    in.ssc = &c->ssc;
    in.B = B;
    in.weights = s->boot_weights;
    in.seed = sf_rng_u64(c->o->seed, name_hash(f->name), 0x3e7);
    in.level = c->o->level;
    in.rank = c->o->rank;
    in.size = c->o->size;
    in.reduce = c->o->reduce;
    sf_wcr_out out;
    sf_err e2 = {0};
    int rc = sf_wre(&in, &out, &e2);
    free(X);
    free(Z);
    if (rc) {
        snprintf(f->boot_note, sizeof f->boot_note, "bootstrap not run: %s", e2.msg);
        return SF_OK;
    }
    store_wild(c, f, SF_BOOT_WRE, &out);
    return SF_OK;
}

static int run_pairs_key(const ectx *c, sf_fit *f, const double *yraw, const double *Xraw, int k, int j, sf_err *e)
{
    long B = boot_reps(c);
    if (B <= 0) return SF_OK;
    size_t n = c->n;
    /* V = [others, key, y] */
    double *V = sf_malloc(sizeof(double) * n * (size_t)(k + 1) + 8);
    int m = 0;
    for (int a = 0; a < k; a++)
        if (a != j) memcpy(V + (size_t)(m++) * n, Xraw + (size_t)a * n, sizeof(double) * n);
    memcpy(V + (size_t)(m++) * n, Xraw + (size_t)j * n, sizeof(double) * n);
    memcpy(V + (size_t)(m++) * n, yraw, sizeof(double) * n);
    sf_pairs_req rq = {m - 1, m - 2};
    sf_pairs_in in = {n, c->fe, c->nfe, V, m, c->vcov == SF_V_CLUSTER ? &c->cl[0] : NULL, &rq, 1, B,
                      sf_rng_u64(c->o->seed, name_hash(f->name), 0xba5), c->o->rank, c->o->size, c->o->reduce};
    double *vals = sf_malloc(sizeof(double) * (size_t)B + 8);
    int rc = sf_pairs(&in, vals, e);
    if (rc) {
        free(V);
        free(vals);
        return sf_err_prefix(e, "%s: [%s]", c->s->path, c->s->name);
    }
    long ok = 0, ext = 0;
    double bhat = f->b[j];
    for (long b = 0; b < B; b++)
        if (isfinite(vals[b])) {
            if (fabs(vals[b] - bhat) >= fabs(bhat)) ext++;
            vals[ok++] = vals[b];
        }
    double alpha = 1 - (c->o->level > 0 && c->o->level < 1 ? c->o->level : 0.95);
    f->boot_type = SF_BOOT_PAIRS;
    f->boot_B = B;
    snprintf(f->boot_weights, sizeof f->boot_weights, "pairs");
    f->boot_t = f->t[j];
    f->boot_p = ok ? (double)ext / ok : NAN;
    f->boot_ci_lo = percentile(vals, ok, alpha / 2);
    f->boot_ci_hi = percentile(vals, ok, 1 - alpha / 2);
    if (ok < B) sf_fit_note(f, "pairs bootstrap: %ld of %ld replicates could not identify the coefficient", B - ok, B);
    free(V);
    free(vals);
    return SF_OK;
}

/* Fit y on x (+ FEs + constant). Returns the fit; kept regressor columns
 * (raw) are returned in *Xkeep (n x *kkeep) for further use when asked. */
static int fit_ols(const ectx *c, const olsreq *r, sf_fit **out, sf_err *e)
{
    size_t n = c->n;
    double t0 = sf_now();
    int m = r->nx + 1;
    const double **cols = sf_malloc(sizeof(double *) * (size_t)m);
    cols[0] = ecol(c, r->y->name);
    for (int i = 0; i < r->nx; i++) cols[i + 1] = ecol(c, r->x[i]->name);
    eqdata q;
    eq_build(c, cols, m, &q);
    free(cols);
    sf_fit *f = fit_new(c, r->name, r->role);
    f->depvar = sf_strdup(r->y->name);
    f->formula = formula_text(c, r->y, r->x, r->nx, NULL, 0, NULL, 0);
    if (q.absorb_bad)
        sf_fit_note(f, "FE absorption did not reach the tolerance for %d column(s)", q.absorb_bad);
    /* collinearity */
    unsigned char *keep = sf_calloc((size_t)r->nx + 1, 1), *force = sf_calloc((size_t)r->nx + 1, 1);
    int *why = sf_calloc((size_t)r->nx + 1, sizeof(int));
    for (int i = 0; i < r->nx; i++) force[i] = (unsigned char)raw_absorbed(c, r->x[i]->name);
    screen_collinear(q.dm + n, q.raw + n, r->nx, n, NULL, 0, force, keep, why);
    free(force);
    int k = 0;
    for (int i = 0; i < r->nx; i++)
        if (keep[i]) k++;
        else
            fit_dropped(f, r->x[i]->name, why_text(c->nfe, why[i]));
    /* design [x~ + mean, 1] */
    int kk = k + 1;
    double *X = sf_malloc(sizeof(double) * n * (size_t)kk + 8), *Xraw = sf_malloc(sizeof(double) * n * (size_t)(k + 1) + 8);
    char **names = sf_malloc(sizeof(char *) * (size_t)kk);
    int a = 0, key = -1;
    for (int i = 0; i < r->nx; i++) {
        if (!keep[i]) continue;
        const double *dm = q.dm + (size_t)(i + 1) * n;
        for (size_t t = 0; t < n; t++) X[t + (size_t)a * n] = dm[t] + q.mean[i + 1];
        memcpy(Xraw + (size_t)a * n, q.raw + (size_t)(i + 1) * n, sizeof(double) * n);
        names[a] = (char *)r->x[i]->name;
        if (r->keyname ? !strcmp(r->keyname, r->x[i]->name) : key < 0) key = a;
        a++;
    }
    for (size_t t = 0; t < n; t++) X[t + (size_t)k * n] = 1.0;
    names[k] = "_cons";
    double *y = sf_malloc(sizeof(double) * n);
    for (size_t t = 0; t < n; t++) y[t] = q.dm[t] + q.mean[0];
    sf_ls_in in;
    ls_setup(c, &in);
    in.y = y;
    in.X = X;
    in.k = kk;
    sf_ls_out ls;
    int rc = SF_OK;
    if (sf_ls_fit(&in, &ls)) {
        rc = sf_fail(e, SF_EINTERNAL, "%s: [%s]: X'X is singular after dropping collinear regressors", c->s->path,
                     c->s->name);
        goto done;
    }
    fill_coefs(f, c, &ls, names, kk, 1);
    f->key = key;
    if (r->keyname && key < 0)
        sf_fit_note(f, "key coefficient '%s' was dropped (collinear)", r->keyname);
    /* fit statistics */
    {
        double tss = 0, my = q.mean[0], wss = 0;
        for (size_t t = 0; t < n; t++) {
            tss += (q.raw[t] - my) * (q.raw[t] - my);
            wss += q.dm[t] * q.dm[t];
        }
        double N = (double)n;
        f->rss = ls.rss;
        f->tss = tss;
        f->r2 = 1 - ls.rss / tss;
        f->r2_adj = 1 - (1 - f->r2) * (N - 1) / (N - (k + c->rank_all));
        f->rmse = sqrt(ls.rss / N);
        f->df_fe = c->rank_all - 1;
        if (c->nfe > 0) {
            f->r2_within = 1 - ls.rss / wss;
            f->r2_within_adj = r2_adj_within(f->r2_within, N, c->rank_all, k);
        }
        f->psd_fixed = ls.psd_fixed;
        if (ls.psd_fixed) sf_fit_note(f, "two-way cluster VCV was not positive semidefinite: negative eigenvalues set to 0");
    }
    /* controls flag */
    {
        const char *keyvar = r->nx ? r->x[0]->fac[0].var : NULL;
        if (r->keyname)
            for (int i = 0; i < r->nx; i++)
                if (!strcmp(r->x[i]->name, r->keyname)) keyvar = r->x[i]->fac[0].var;
        for (int i = 0; i < r->nx; i++)
            if (is_control(c, r->x[i], keyvar)) f->has_controls = 1;
    }
    /* bootstrap of the key coefficient */
    if (r->bootstrap && key >= 0 && k > 0) {
        if (c->s->boot == SF_BOOT_WCR || c->s->boot == SF_BOOT_WRE)
            rc = run_wcr(c, f, q.raw, Xraw, k, key, e);
        else if (c->s->boot == SF_BOOT_PAIRS)
            rc = run_pairs_key(c, f, q.raw, Xraw, k, key, e);
    }
    sf_ls_out_free(&ls);
done:
    free(X);
    free(Xraw);
    free(y);
    free(names);
    free(keep);
    free(why);
    eq_free(&q);
    f->seconds = sf_now() - t0;
    if (rc) {
        sf_fit_free(f);
        return rc;
    }
    *out = f;
    return SF_OK;
}

/* ------------------------------------------------------------------ IV */
/* chi2 = (Z'x)' S(v)^-1 (Z'x), S = sum over groups of (sum v_i z_i)(...)' */
static double kp_chi2(const ectx *c, const double *Zp, int L1, const double *xp, const double *v, int *G_out)
{
    size_t n = c->n;
    double *S = sf_calloc((size_t)L1 * L1 + 1, sizeof(double)), *sc = sf_malloc(sizeof(double) * n * (size_t)L1 + 8);
    double *zx = sf_calloc((size_t)L1 + 1, sizeof(double));
    for (int a = 0; a < L1; a++)
        for (size_t i = 0; i < n; i++) {
            sc[i + (size_t)a * n] = v[i] * Zp[i + (size_t)a * n];
            zx[a] += Zp[i + (size_t)a * n] * xp[i];
        }
    int G = (int)n;
    if (c->vcov == SF_V_CLUSTER) {
        sf_meat_add(sc, n, L1, &c->cl[0], 1.0, S);
        G = c->cl[0].nlev;
        if (c->ncl > 1) {
            sf_meat_add(sc, n, L1, &c->cl[1], 1.0, S);
            sf_meat_add(sc, n, L1, &c->cl12, -1.0, S);
            if (c->cl[1].nlev < G) G = c->cl[1].nlev;
        }
    } else
        sf_meat_add(sc, n, L1, NULL, 1.0, S);
    double chi2 = NAN;
    if (sf_spd_inverse(S, L1) == 0) {
        chi2 = 0;
        for (int a = 0; a < L1; a++)
            for (int b = 0; b < L1; b++) chi2 += zx[a] * S[a + (size_t)b * L1] * zx[b];
    }
    *G_out = G;
    free(S);
    free(sc);
    free(zx);
    return chi2;
}

static void partial_cols(double *Y, int m, const double *W, int nw, size_t n)
{
    /* Y <- M_W Y via (W'W)^-1 */
    double *WW = sf_malloc(sizeof(double) * (size_t)nw * nw + 8);
    for (int a = 0; a < nw; a++)
        for (int b = a; b < nw; b++) {
            double s = 0;
            for (size_t i = 0; i < n; i++) s += W[i + (size_t)a * n] * W[i + (size_t)b * n];
            WW[a + (size_t)b * nw] = WW[b + (size_t)a * nw] = s;
        }
    sf_spd_inverse(WW, nw);
    double *wy = sf_malloc(sizeof(double) * (size_t)nw + 8), *cf = sf_malloc(sizeof(double) * (size_t)nw + 8);
    for (int j = 0; j < m; j++) {
        double *y = Y + (size_t)j * n;
        for (int a = 0; a < nw; a++) {
            double s = 0;
            for (size_t i = 0; i < n; i++) s += W[i + (size_t)a * n] * y[i];
            wy[a] = s;
        }
        for (int a = 0; a < nw; a++) {
            double s = 0;
            for (int b = 0; b < nw; b++) s += WW[a + (size_t)b * nw] * wy[b];
            cf[a] = s;
        }
        for (int a = 0; a < nw; a++)
            for (size_t i = 0; i < n; i++) y[i] -= cf[a] * W[i + (size_t)a * n];
    }
    free(WW);
    free(wy);
    free(cf);
}

static void iv_diagnostics(const ectx *c, sf_fit *f, const double *x1, const double *Z1, int L1, const double *W,
                           int nw, int Ltot)
{
    size_t n = c->n;
    double N = (double)n, dm = c->ssc.dofminus, sdm = c->ssc.sdofminus;
    double *xp = sf_malloc(sizeof(double) * n), *Zp = sf_malloc(sizeof(double) * n * (size_t)L1 + 8);
    memcpy(xp, x1, sizeof(double) * n);
    memcpy(Zp, Z1, sizeof(double) * n * (size_t)L1);
    partial_cols(xp, 1, W, nw, n);
    partial_cols(Zp, L1, W, nw, n);
    /* squared canonical correlation (K1 = 1): x'Pz x / x'x */
    double *ZZ = sf_malloc(sizeof(double) * (size_t)L1 * L1 + 8), *zx = sf_malloc(sizeof(double) * (size_t)L1 + 8);
    double xx = 0;
    for (size_t i = 0; i < n; i++) xx += xp[i] * xp[i];
    for (int a = 0; a < L1; a++) {
        double s = 0;
        for (size_t i = 0; i < n; i++) s += Zp[i + (size_t)a * n] * xp[i];
        zx[a] = s;
        for (int b = a; b < L1; b++) {
            double t = 0;
            for (size_t i = 0; i < n; i++) t += Zp[i + (size_t)a * n] * Zp[i + (size_t)b * n];
            ZZ[a + (size_t)b * L1] = ZZ[b + (size_t)a * L1] = t;
        }
    }
    if (sf_spd_inverse(ZZ, L1) || !(xx > 0)) {
        sf_fit_note(f, "IV diagnostics not computed: instruments collinear after partialling out");
        goto out;
    }
    double *pi = sf_malloc(sizeof(double) * (size_t)L1 + 8), rho2 = 0;
    for (int a = 0; a < L1; a++) {
        double s = 0;
        for (int b = 0; b < L1; b++) s += ZZ[a + (size_t)b * L1] * zx[b];
        pi[a] = s;
        rho2 += zx[a] * s;
    }
    rho2 /= xx;
    f->cdf = rho2 / (1 - rho2) * (N - Ltot - dm - sdm) / L1;
    f->idstat_df = L1;
    if (c->vcov == SF_V_IID) {
        snprintf(f->idstat_name, sizeof f->idstat_name, "Anderson canon. corr. LM");
        f->idstat = (N - dm) * rho2;
        f->kpf = NAN;
    } else {
        snprintf(f->idstat_name, sizeof f->idstat_name, "Kleibergen-Paap rk LM");
        double *v = sf_malloc(sizeof(double) * n);
        int G;
        double lm = kp_chi2(c, Zp, L1, xp, xp, &G);
        for (size_t i = 0; i < n; i++) {
            double s = 0;
            for (int a = 0; a < L1; a++) s += Zp[i + (size_t)a * n] * pi[a];
            v[i] = xp[i] - s;
        }
        double wald = kp_chi2(c, Zp, L1, xp, v, &G);
        free(v);
        if (c->vcov == SF_V_CLUSTER) {
            f->idstat = lm;
            f->kpf = wald / (N - 1) * (N - Ltot - sdm) * (G - 1) / G / L1;
        } else {
            f->idstat = lm / N * (N - dm);
            f->kpf = wald / N * (N - Ltot - dm - sdm) / L1;
        }
    }
    f->idstat_p = sf_dist_chi2_sf(f->idstat, f->idstat_df);
    free(pi);
out:
    free(ZZ);
    free(zx);
    free(xp);
    free(Zp);
}

static char *iv_formula(const ectx *c, const sf_model_spec *s)
{
    int ne = s->nendog, nx = s->nx, ni = s->ninstr;
    const sf_term **xs = sf_malloc(sizeof(sf_term *) * (size_t)(nx + 1)), **es = sf_malloc(sizeof(sf_term *) * (size_t)(ne + 1)),
                  **is = sf_malloc(sizeof(sf_term *) * (size_t)(ni + 1));
    for (int i = 0; i < nx; i++) xs[i] = &s->x[i];
    for (int i = 0; i < ne; i++) es[i] = &s->endog[i];
    for (int i = 0; i < ni; i++) is[i] = &s->instr[i];
    char *r = formula_text(c, &s->y, xs, nx, es, ne, is, ni);
    free(xs);
    free(es);
    free(is);
    return r;
}

/* the 2SLS design of fit_iv: y, X = (endogenous, kept exogenous, 1) and
 * Z = (kept instruments, kept exogenous, 1), FE-demeaned plus the means */
static void iv_design(const ectx *c, const eqdata *qp, const unsigned char *kx, const unsigned char *kz, double *y,
                      double *X, double *Z, char **names, char **znames)
{
    const sf_model_spec *s = c->s;
    const eqdata q = *qp;
    size_t n = c->n;
    int ne = s->nendog, nx = s->nx, ni = s->ninstr;
    const double *dmE = q.dm + n, *dmX = q.dm + (size_t)(1 + ne) * n, *dmZ = q.dm + (size_t)(1 + ne + nx) * n;
    for (size_t t = 0; t < n; t++) y[t] = q.dm[t] + q.mean[0];
    int a = 0;
    for (int i = 0; i < ne; i++, a++) {
        for (size_t t = 0; t < n; t++) X[t + (size_t)a * n] = dmE[t + (size_t)i * n] + q.mean[1 + i];
        names[a] = s->endog[i].name;
    }
    int az = 0;
    for (int i = 0; i < ni; i++) {
        if (!kz[i]) continue;
        for (size_t t = 0; t < n; t++) Z[t + (size_t)az * n] = dmZ[t + (size_t)i * n] + q.mean[1 + ne + nx + i];
        znames[az++] = s->instr[i].name;
    }
    for (int i = 0; i < nx; i++) {
        if (!kx[i]) continue;
        for (size_t t = 0; t < n; t++) {
            double v = dmX[t + (size_t)i * n] + q.mean[1 + ne + i];
            X[t + (size_t)a * n] = v;
            Z[t + (size_t)az * n] = v;
        }
        names[a++] = s->x[i].name;
        znames[az++] = s->x[i].name;
    }
    for (size_t t = 0; t < n; t++) X[t + (size_t)a * n] = Z[t + (size_t)az * n] = 1.0;
    names[a] = znames[az] = "_cons";
}

/* R2, RMSE and the within R2 of the second stage */
static void iv_fit_stats(const ectx *c, sf_fit *f, const eqdata *qp, const sf_ls_out *lsp, int k,
                         const unsigned char *kx)
{
    const sf_model_spec *s = c->s;
    const eqdata q = *qp;
    const sf_ls_out ls = *lsp;
    size_t n = c->n;
    int nx = s->nx;
    double tss = 0, wss = 0, N = (double)n;
    for (size_t t = 0; t < n; t++) {
        tss += (q.raw[t] - q.mean[0]) * (q.raw[t] - q.mean[0]);
        wss += q.dm[t] * q.dm[t];
    }
    f->rss = ls.rss;
    f->tss = tss;
    f->r2 = 1 - ls.rss / tss;
    f->r2_adj = 1 - (1 - f->r2) * (N - 1) / (N - (k - 1 + c->rank_all));
    f->rmse = sqrt(ls.rss / N);
    f->df_fe = c->rank_all - 1;
    if (c->nfe > 0) {
        f->r2_within = 1 - ls.rss / wss;
        f->r2_within_adj = r2_adj_within(f->r2_within, N, c->rank_all, k - 1);
    }
    for (int i = 0; i < nx; i++)
        if (kx[i] && is_control(c, &s->x[i], NULL)) f->has_controls = 1;
}

/* the first stage of the first endogenous regressor of fit_iv */
static sf_fit *iv_first_stage(const ectx *c, const sf_fit *f, const eqdata *qp, double *X, double *Z, int l, int kzn,
                              char **znames)
{
    const sf_model_spec *s = c->s;
    const eqdata q = *qp;
    size_t n = c->n;
    double N = (double)n;
    sf_fit *fs = fit_new(c, "", SF_ROLE_FIRST);
    free(fs->name);
    char nm[512];
    snprintf(nm, sizeof nm, "%s.first", s->name);
    fs->name = sf_strdup(nm);
    fs->depvar = sf_strdup(s->endog[0].name);
    {
        char buf[4096];
        size_t L = (size_t)snprintf(buf, sizeof buf, "%s ~ ", s->endog[0].name);
        for (int b = 0; b < l - 1 && L < sizeof buf; b++)
            L += (size_t)snprintf(buf + L, sizeof buf - L, "%s%s", b ? " + " : "", znames[b]);
        if (s->nfe && L < sizeof buf) {
            L += (size_t)snprintf(buf + L, sizeof buf - L, " | ");
            for (int b = 0; b < s->nfe && L < sizeof buf; b++)
                L += (size_t)snprintf(buf + L, sizeof buf - L, "%s%s", b ? " + " : "", s->fe[b]);
        }
        fs->formula = sf_strdup(buf);
    }
    sf_ls_in in1;
    ls_setup(c, &in1);
    in1.y = X;
    in1.X = Z;
    in1.k = l;
    sf_ls_out ls1;
    if (sf_ls_fit(&in1, &ls1) == 0) {
        fill_coefs(fs, c, &ls1, znames, l, 1);
        fs->key = 0;
        double tss1 = 0, m1 = vsum(q.raw + n, n) / N;
        for (size_t t = 0; t < n; t++) tss1 += (q.raw[n + t] - m1) * (q.raw[n + t] - m1);
        fs->rss = ls1.rss;
        fs->tss = tss1;
        fs->r2 = 1 - ls1.rss / tss1;
        fs->r2_adj = 1 - (1 - fs->r2) * (N - 1) / (N - (l - 1 + c->rank_all));
        fs->rmse = sqrt(ls1.rss / N);
        fs->has_controls = f->has_controls;
        /* the first-stage F of the table: F on the excluded instruments
         * (= KP rk Wald F robust / Cragg-Donald F iid with one endogenous) */
        fs->F = c->vcov == SF_V_IID ? f->cdf : f->kpf;
        fs->F_df1 = kzn;
        fs->F_df2 = c->ssc.normal ? INFINITY : ls1.df_resid;
        fs->F_p = sf_dist_f_sf(fs->F, kzn, c->ssc.normal ? 0 : ls1.df_resid);
        snprintf(fs->idstat_name, sizeof fs->idstat_name, "%s", f->idstat_name);
        fs->idstat = f->idstat;
        fs->idstat_p = f->idstat_p;
        fs->idstat_df = f->idstat_df;
        fs->cdf = f->cdf;
        fs->kpf = f->kpf;
        sf_ls_out_free(&ls1);
    }
    fs->is_iv = 1;
    fs->col_no = s->first_stage ? 0 : -1; /* -1: not shown in tables */
    return fs;
}

static int fit_iv(const ectx *c, sf_fit ***fits, int *nfits, sf_err *e)
{
    const sf_model_spec *s = c->s;
    size_t n = c->n;
    double t0 = sf_now();
    int ne = s->nendog, nx = s->nx, ni = s->ninstr;
    int m = 1 + ne + nx + ni;
    const double **cols = sf_malloc(sizeof(double *) * (size_t)m);
    cols[0] = ecol(c, s->y.name);
    for (int i = 0; i < ne; i++) cols[1 + i] = ecol(c, s->endog[i].name);
    for (int i = 0; i < nx; i++) cols[1 + ne + i] = ecol(c, s->x[i].name);
    for (int i = 0; i < ni; i++) cols[1 + ne + nx + i] = ecol(c, s->instr[i].name);
    eqdata q;
    eq_build(c, cols, m, &q);
    free(cols);
    sf_fit *f = fit_new(c, s->name, SF_ROLE_MODEL);
    f->is_iv = 1;
    f->depvar = sf_strdup(s->y.name);
    f->formula = iv_formula(c, s);
    int rc = SF_OK;
    /* exogenous screen, then endogenous and instruments against the kept exogenous */
    unsigned char *kx = sf_calloc((size_t)nx + 1, 1), *ke = sf_calloc((size_t)ne + 1, 1), *kz = sf_calloc((size_t)ni + 1, 1);
    int *why = sf_calloc((size_t)(nx + ne + ni) + 1, sizeof(int));
    const double *dmE = q.dm + n, *dmX = q.dm + (size_t)(1 + ne) * n, *dmZ = q.dm + (size_t)(1 + ne + nx) * n;
    unsigned char *fx = sf_calloc((size_t)nx + 1, 1);
    for (int i = 0; i < nx; i++) fx[i] = (unsigned char)raw_absorbed(c, s->x[i].name);
    screen_collinear(dmX, q.raw + (size_t)(1 + ne) * n, nx, n, NULL, 0, fx, kx, why);
    free(fx);
    int kxn = 0;
    double *Wb = sf_malloc(sizeof(double) * n * (size_t)(nx + 1) + 8);
    for (int i = 0; i < nx; i++) {
        if (kx[i])
            memcpy(Wb + (size_t)(kxn++) * n, dmX + (size_t)i * n, sizeof(double) * n);
        else
            fit_dropped(f, s->x[i].name, why_text(c->nfe, why[i]));
    }
    screen_collinear(dmE, q.raw + n, ne, n, Wb, kxn, NULL, ke, why);
    for (int i = 0; i < ne; i++)
        if (!ke[i]) {
            rc = sf_fail(e, SF_EUSER, "%s:%d: [%s]: endogenous regressor '%s' is %s", s->path, s->formula_line,
                         s->name, s->endog[i].name, why_text(c->nfe, why[i]));
            goto fail;
        }
    screen_collinear(dmZ, q.raw + (size_t)(1 + ne + nx) * n, ni, n, Wb, kxn, NULL, kz, why);
    int kzn = 0;
    for (int i = 0; i < ni; i++)
        if (kz[i])
            kzn++;
        else
            fit_dropped(f, s->instr[i].name, why_text(c->nfe, why[i]));
    if (kzn < ne) {
        rc = sf_fail(e, SF_EUSER, "%s:%d: [%s]: fewer usable instruments (%d) than endogenous regressors (%d)", s->path,
                     s->formula_line, s->name, kzn, ne);
        goto fail;
    }
    {
        int k = ne + kxn + 1, l = kzn + kxn + 1;
        double *X = sf_malloc(sizeof(double) * n * (size_t)k + 8), *Z = sf_malloc(sizeof(double) * n * (size_t)l + 8);
        double *y = sf_malloc(sizeof(double) * n);
        char **names = sf_malloc(sizeof(char *) * (size_t)k), **znames = sf_malloc(sizeof(char *) * (size_t)l);
        iv_design(c, &q, kx, kz, y, X, Z, names, znames);
        sf_ls_in in;
        ls_setup(c, &in);
        in.y = y;
        in.X = X;
        in.k = k;
        in.Z = Z;
        in.l = l;
        in.nendog = ne;
        in.nexcl = kzn;
        sf_ls_out ls;
        if (sf_ls_fit(&in, &ls)) {
            rc = sf_fail(e, SF_EINTERNAL, "%s: [%s]: the IV cross-product matrix is singular", s->path, s->name);
            free(X);
            free(Z);
            free(y);
            free(names);
            free(znames);
            goto fail;
        }
        fill_coefs(f, c, &ls, names, k, 1);
        f->key = 0;
        if (s->boot_coef)
            for (int b = 0; b < k; b++)
                if (!strcmp(names[b], s->boot_coef)) f->key = b;
        iv_fit_stats(c, f, &q, &ls, k, kx);
        if (ls.psd_fixed) sf_fit_note(f, "two-way cluster VCV was not positive semidefinite: negative eigenvalues set to 0");
        if ((s->boot == SF_BOOT_WCR || s->boot == SF_BOOT_WRE) && boot_reps(c) > 0) {
            if (ne != 1)
                snprintf(f->boot_note, sizeof f->boot_note, "WRE bootstrap: one endogenous regressor only");
            else {
                if (f->key != 0) {
                    sf_fit_note(f, "the WRE bootstrap tests the endogenous regressor %s, not boot_coef %s",
                                names[0], names[f->key]);
                    f->key = 0;
                }
                rc = run_wre(c, f, &q, kx, kz);
            }
        } else if (s->boot == SF_BOOT_PAIRS && boot_reps(c) > 0)
            snprintf(f->boot_note, sizeof f->boot_note, "pairs bootstrap is for OLS models only");
        if (rc) {
            free(X);
            free(Z);
            free(y);
            free(names);
            free(znames);
            sf_ls_out_free(&ls);
            goto fail;
        }
        /* diagnostics (one endogenous regressor) */
        int Ltot = l + (c->rank_nn - 1);
        double *W = Z + (size_t)kzn * n; /* exogenous + constant */
        if (ne == 1)
            iv_diagnostics(c, f, X, Z, kzn, W, kxn + 1, Ltot);
        else
            sf_fit_note(f, "identification statistics are computed for one endogenous regressor only");
        /* first stage of the first endogenous regressor */
        sf_fit *fs = iv_first_stage(c, f, &q, X, Z, l, kzn, znames);
        f->first = fs;
        sf_ls_out_free(&ls);
        free(X);
        free(Z);
        free(y);
        free(names);
        free(znames);
        f->seconds = sf_now() - t0;
        fs->seconds = f->seconds;
        *fits = sf_realloc(*fits, sizeof(sf_fit *) * (size_t)(*nfits + 2));
        (*fits)[(*nfits)++] = fs;
        (*fits)[(*nfits)++] = f;
    }
    free(kx);
    free(ke);
    free(kz);
    free(why);
    free(Wb);
    eq_free(&q);
    return SF_OK;
fail:
    free(kx);
    free(ke);
    free(kz);
    free(why);
    free(Wb);
    eq_free(&q);
    sf_fit_free(f);
    return rc;
}

/* ------------------------------------------------------------------ mediation */
static int fit_mediation(const ectx *c, sf_fit ***fits, int *nfits, sf_err *e)
{
    const sf_model_spec *s = c->s;
    sf_term M = {0};
    M.name = s->mediator;
    M.nfac = 1;
    M.fac[0].var = s->mediator;
    int nx = s->nx;
    const sf_term **xs = sf_malloc(sizeof(sf_term *) * (size_t)(nx + 1));
    const sf_term **xm = sf_malloc(sizeof(sf_term *) * (size_t)(nx + 2));
    for (int i = 0; i < nx; i++) xs[i] = &s->x[i];
    xm[0] = &s->x[0];
    xm[1] = &M;
    for (int i = 1; i < nx; i++) xm[i + 1] = &s->x[i];
    const char *keyname = s->boot_coef ? s->boot_coef : s->x[0].name;
    char nm[3][512];
    snprintf(nm[0], sizeof nm[0], "%s.m", s->name);
    snprintf(nm[1], sizeof nm[1], "%s", s->name);
    snprintf(nm[2], sizeof nm[2], "%s.total", s->name);
    olsreq r1 = {&M, xs, nx, keyname, nm[0], SF_ROLE_MED_M, 1};
    olsreq r2 = {&s->y, xm, nx + 1, keyname, nm[1], SF_ROLE_MED_Y, 1};
    olsreq r3 = {&s->y, xs, nx, keyname, nm[2], SF_ROLE_MED_TOTAL, 0}; /* not printed: no bootstrap */
    sf_fit *f1 = NULL, *f2 = NULL, *f3 = NULL;
    int rc = fit_ols(c, &r1, &f1, e);
    if (!rc) rc = fit_ols(c, &r2, &f2, e);
    if (!rc) rc = fit_ols(c, &r3, &f3, e);
    if (rc) {
        sf_fit_free(f1);
        sf_fit_free(f2);
        sf_fit_free(f3);
        free(xs);
        free(xm);
        return rc;
    }
    int ix1 = -1, im2 = -1, ix3 = -1;
    for (int a = 0; a < f1->k; a++)
        if (!strcmp(f1->coef[a], keyname)) ix1 = a;
    for (int a = 0; a < f2->k; a++)
        if (!strcmp(f2->coef[a], s->mediator)) im2 = a;
    for (int a = 0; a < f3->k; a++)
        if (!strcmp(f3->coef[a], keyname)) ix3 = a;
    f2->mediator = sf_strdup(s->mediator);
    if (ix1 < 0 || im2 < 0 || ix3 < 0) {
        sf_fit_note(f2, "mediation effects not computed: X or the mediator was dropped as collinear");
    } else {
        f2->med_beta1 = f1->b[ix1];
        f2->med_gamma3 = f2->b[im2];
        f2->med_indirect = f2->med_beta1 * f2->med_gamma3;
        f2->med_total = f3->b[ix3];
        f2->med_share = f2->med_indirect / f2->med_total;
        long B = boot_reps(c);
        if (s->boot != SF_BOOT_NONE && B > 0) {
            /* V = [controls..., X, M, Y] (kept regressors only) */
            size_t n = c->n;
            double *V = sf_malloc(sizeof(double) * n * (size_t)(nx + 3) + 8);
            int m = 0;
            for (int i = 0; i < nx; i++) {
                if (!strcmp(s->x[i].name, keyname)) continue;
                int kept = 0;
                for (int a = 0; a < f3->k; a++)
                    if (!strcmp(f3->coef[a], s->x[i].name)) kept = 1;
                if (kept) memcpy(V + (size_t)(m++) * n, ecol(c, s->x[i].name), sizeof(double) * n);
            }
            int iX = m, iM = m + 1, iY = m + 2;
            memcpy(V + (size_t)iX * n, ecol(c, keyname), sizeof(double) * n);
            memcpy(V + (size_t)iM * n, ecol(c, s->mediator), sizeof(double) * n);
            memcpy(V + (size_t)iY * n, ecol(c, s->y.name), sizeof(double) * n);
            m += 3;
            sf_pairs_req rq[3] = {{iM, iX}, {iY, iM}, {iY, iX}};
            sf_pairs_in in = {n, c->fe, c->nfe, V, m, c->vcov == SF_V_CLUSTER ? &c->cl[0] : NULL, rq, 3, B,
                              sf_rng_u64(c->o->seed, name_hash(s->name), 0x3ed), c->o->rank, c->o->size,
                              c->o->reduce};
            double *vals = sf_malloc(sizeof(double) * (size_t)B * 3 + 8);
            rc = sf_pairs(&in, vals, e);
            if (!rc) {
                double *ind = sf_malloc(sizeof(double) * (size_t)B + 8);
                long ok = 0;
                for (long b = 0; b < B; b++) {
                    double v = vals[3 * b] * vals[3 * b + 1];
                    if (isfinite(v)) ind[ok++] = v;
                }
                double alpha = 1 - (c->o->level > 0 && c->o->level < 1 ? c->o->level : 0.95);
                f2->med_ci_lo = percentile(ind, ok, alpha / 2);
                f2->med_ci_hi = percentile(ind, ok, 1 - alpha / 2);
                f2->med_B = B;
                f2->med_failed = B - ok;
                if (ok < B) sf_fit_note(f2, "mediation bootstrap: %ld of %ld replicates failed", B - ok, B);
                free(ind);
            } else
                rc = sf_err_prefix(e, "%s: [%s]", s->path, s->name);
            free(vals);
            free(V);
        }
    }
    free(xs);
    free(xm);
    if (rc) {
        sf_fit_free(f1);
        sf_fit_free(f2);
        sf_fit_free(f3);
        return rc;
    }
    *fits = sf_realloc(*fits, sizeof(sf_fit *) * (size_t)(*nfits + 3));
    (*fits)[(*nfits)++] = f1;
    (*fits)[(*nfits)++] = f2;
    (*fits)[(*nfits)++] = f3;
    return SF_OK;
}

/* ------------------------------------------------------------------ driver */
/* Raw twins: for a regressor whose variables were winsorised/normalised by
 * the panel stage (the frame has <var>_raw beside <var>), the same term on
 * the raw columns. A regressor whose raw twin is collinear with the FEs up
 * to rounding varies only through the preprocessing (ln(distance x oil
 * price) = partner effect + year effect): it is dropped and named rather
 * than estimated. Columns 1..nmain (the dependent variable is column 0 and
 * is not checked). */
static int add_raw_twins(dctx *d, ectx *c, const sf_term *const *cterm, sf_err *e)
{
    c->twin = sf_malloc(sizeof(int) * (size_t)(c->nmain + 1));
    for (int j = 0; j < c->nmain; j++) {
        c->twin[j] = -1;
        if (j == 0 || c->s->nfe == 0) continue;
        const sf_term *t = cterm[j];
        sf_term tw = *t;
        char names[SF_MAX_FACTORS][160];
        int any = 0;
        for (int q = 0; q < t->nfac; q++) {
            snprintf(names[q], sizeof names[q], "%s_raw", t->fac[q].var);
            const sf_column *col = sf_frame_col(d->f, names[q]);
            if (col && col->type == SF_COL_NUM) {
                tw.fac[q].var = names[q];
                any = 1;
            }
        }
        if (!any) continue;
        int rc = eval_term(d, &tw, &c->cols[c->ncols], e);
        if (rc) return rc;
        char nm[512];
        snprintf(nm, sizeof nm, "%s (raw)", t->name);
        c->twin[j] = c->ncols;
        c->names[c->ncols++] = sf_strdup(nm);
    }
    return SF_OK;
}

static void check_raw_twins(ectx *c)
{
    size_t n = c->n;
    c->raw_absorbed = sf_calloc((size_t)c->nmain + 1, 1);
    if (c->nfe == 0 || c->ncols == c->nmain) return;
    int m = c->ncols - c->nmain;
    double *dm = sf_malloc(sizeof(double) * n * (size_t)m + 8);
    for (int j = 0; j < m; j++) memcpy(dm + (size_t)j * n, c->cols[c->nmain + j], sizeof(double) * n);
    sf_absorb ab;
    sf_absorb_init(&ab, c->fe, c->nfe, n, NULL);
    sf_absorb_demean(&ab, dm, m);
    sf_absorb_free(&ab);
    for (int j = 1; j < c->nmain; j++) {
        if (c->twin[j] < 0) continue;
        int t = c->twin[j] - c->nmain;
        const double *xr = c->cols[c->twin[j]], *x = dm + (size_t)t * n;
        double mean = vsum(xr, n) / (double)n, rawss = 0, dmss = 0, ok = 1;
        for (size_t i = 0; i < n; i++) {
            if (!isfinite(xr[i])) ok = 0;
            rawss += (xr[i] - mean) * (xr[i] - mean);
            dmss += x[i] * x[i];
        }
        if (ok && rawss > 0 && !(dmss > 1e-9 * rawss)) c->raw_absorbed[j] = 1;
    }
    free(dm);
}

/* the rows of the sample (in the subset, no missing value, FE and cluster ids
 * known), compacted in c's columns; returns their number */
static size_t sample_rows(ectx *c, unsigned char *keep, size_t N0, const sf_column *sc, const sf_strmap *sub)
{
    for (size_t i = 0; i < N0; i++) {
        int k = 1;
        if (sc) {
            char key[64];
            const char *v = NULL;
            if (sc->type == SF_COL_STR)
                v = sc->str[i];
            else if (!isnan(sc->num[i])) {
                snprintf(key, sizeof key, "%.17g", sc->num[i]);
                v = key;
            }
            if (!v || sf_strmap_get(sub, v) < 0) {
                keep[i] = 0;
                c->n_subset++;
                continue;
            }
        }
        for (int j = 0; j < c->nmain && k; j++)
            if (isnan(c->cols[j][i])) k = 0;
        for (int j = 0; j < c->nfe && k; j++)
            if (c->fe[j].id[i] < 0) k = 0;
        for (int j = 0; j < c->ncl && k; j++)
            if (c->cl[j].id[i] < 0) k = 0;
        keep[i] = (unsigned char)k;
        if (!k) c->n_missing++;
    }
    for (int j = 0; j < c->nfe; j++) sf_group_filter(&c->fe[j], keep);
    for (int j = 0; j < c->ncl; j++) sf_group_filter(&c->cl[j], keep);
    size_t n1 = 0;
    for (size_t i = 0; i < N0; i++)
        if (keep[i]) {
            for (int j = 0; j < c->ncols; j++) c->cols[j][n1] = c->cols[j][i];
            n1++;
        }
    return n1;
}

/* drop the FE singletons from the n1 rows of the sample; returns the rows left */
static size_t drop_singletons(ectx *c, size_t n1)
{
    unsigned char *k2 = sf_malloc(n1 ? n1 : 1);
    memset(k2, 1, n1);
    c->n_single = sf_singletons_drop(c->fe, c->nfe, k2, n1);
    if (c->n_single) {
        for (int j = 0; j < c->nfe; j++) sf_group_filter(&c->fe[j], k2);
        for (int j = 0; j < c->ncl; j++) sf_group_filter(&c->cl[j], k2);
        size_t n2 = 0;
        for (size_t i = 0; i < n1; i++)
            if (k2[i]) {
                for (int j = 0; j < c->ncols; j++) c->cols[j][n2] = c->cols[j][i];
                n2++;
            }
        n1 = n2;
    }
    free(k2);
    return n1;
}

/* boot_coef must be a regressor of each fit of the section */
static int check_boot_coef(const sf_model_spec *s, sf_fit ***fits, int *nfits, int before, sf_err *e)
{
    for (int i = before; i < *nfits; i++) {
        sf_fit *f = (*fits)[i];
        int found = 0;
        size_t bl = strlen(s->boot_coef);
        for (int a = 0; a < f->k; a++)
            if (!strcmp(f->coef[a], s->boot_coef)) found = 1;
        /* a regressor of the model that the data dropped (collinear, absorbed): the fit's
         * notes say so and there is no bootstrap of it; not an error of the models file */
        for (int a = 0; a < f->ndropped; a++)
            if (!strncmp(f->dropped[a], s->boot_coef, bl) && f->dropped[a][bl] == ' ') found = 1;
        if (!found && f->role != SF_ROLE_FIRST && f->role != SF_ROLE_MED_M) {
            int rc = sf_fail(e, SF_EUSER, "%s:%d: [%s]: boot_coef '%s' is not a regressor of the model", s->path,
                             s->boot_coef_line, s->name, s->boot_coef);
            for (int j = before; j < *nfits; j++) sf_fit_free((*fits)[j]);
            *nfits = before;
            return rc;
        }
    }
    return SF_OK;
}

int sf_estimate_section(const sf_frame *fr, const sf_model_spec *s, const sf_est_opts *o, sf_fit ***fits,
                        int *nfits, sf_err *e)
{
    int rc = sf_model_check(s, fr, e);
    if (rc) return rc;
    size_t N0 = fr->nrow;
    dctx d;
    memset(&d, 0, sizeof d);
    d.f = fr;
    d.s = s;
    ectx c;
    memset(&c, 0, sizeof c);
    c.s = s;
    c.o = o;
    c.ssc = o->ssc ? *o->ssc : s->ssc;
    c.vcov = s->vcov;
    c.nfe = s->nfe;
    c.ncl = s->vcov == SF_V_CLUSTER ? s->ncl : 0;
    c.fe = sf_calloc((size_t)c.nfe + 1, sizeof(sf_group));
    unsigned char *keep = NULL;
    sf_strmap sub = {0};
    /* terms */
    const sf_term *terms[256];
    int nt = 0;
    sf_term medt = {0};
    terms[nt++] = &s->y;
    for (int i = 0; i < s->nx && nt < 200; i++) terms[nt++] = &s->x[i];
    for (int i = 0; i < s->nendog && nt < 200; i++) terms[nt++] = &s->endog[i];
    for (int i = 0; i < s->ninstr && nt < 200; i++) terms[nt++] = &s->instr[i];
    if (s->mediator) {
        medt.name = s->mediator;
        medt.nfac = 1;
        medt.fac[0].var = s->mediator;
        terms[nt++] = &medt;
    }
    c.cols = sf_calloc((size_t)(2 * nt), sizeof(double *));
    c.names = sf_calloc((size_t)(2 * nt), sizeof(char *));
    const sf_term *cterm[256];
    for (int i = 0; i < nt; i++) {
        int dup = 0;
        for (int j = 0; j < c.ncols; j++)
            if (!strcmp(c.names[j], terms[i]->name)) dup = 1;
        if (dup) continue;
        if ((rc = eval_term(&d, terms[i], &c.cols[c.ncols], e))) goto out;
        cterm[c.ncols] = terms[i];
        c.names[c.ncols++] = sf_strdup(terms[i]->name);
    }
    c.nmain = c.ncols;
    if ((rc = add_raw_twins(&d, &c, cterm, e))) goto out;
    for (int i = 0; i < c.nfe; i++)
        if ((rc = sf_group_from_frame(fr, s->fe[i], &c.fe[i], e))) {
            sf_err_prefix(e, "%s:%d: [%s]", s->path, s->formula_line, s->name);
            goto out;
        }
    for (int i = 0; i < c.ncl; i++)
        if ((rc = sf_group_from_frame(fr, s->cl[i], &c.cl[i], e))) {
            sf_err_prefix(e, "%s:%d: [%s]", s->path, s->vcov_line, s->name);
            goto out;
        }
    /* sample */
    keep = sf_malloc(N0 ? N0 : 1);
    const sf_column *sc = NULL;
    if (s->subset) {
        if ((rc = read_subset(s->subset, &sub, e))) {
            sf_err_prefix(e, "%s:%d: [%s]", s->path, s->subset_line, s->name);
            goto out;
        }
        sc = sf_frame_col(fr, s->subset_by);
    }
    size_t n1 = sample_rows(&c, keep, N0, sc, &sub);
    /* singletons */
    if (c.nfe > 0 && !c.ssc.keep_singletons) n1 = drop_singletons(&c, n1);
    c.n = n1;
    int kmin = s->nx + s->nendog + 2 + (s->mediator ? 1 : 0);
    if (n1 < (size_t)kmin) {
        rc = sf_fail(e, SF_EUSER,
                     "%s:%d: [%s]: only %zu usable rows (%zu outside the subset, %zu with missing values, %zu "
                     "singletons)",
                     s->path, s->line, s->name, n1, c.n_subset, c.n_missing, c.n_single);
        goto out;
    }
    if (c.ncl > 1) sf_group_intersect(&c.cl[0], &c.cl[1], &c.cl12);
    for (int j = 0; j < c.ncl; j++)
        if (c.cl[j].nlev < 2) {
            rc = sf_fail(e, SF_EUSER, "%s:%d: [%s]: cluster variable '%s' has %d cluster(s) in the sample", s->path,
                         s->vcov_line, s->name, s->cl[j], c.cl[j].nlev);
            goto out;
        }
    /* FE degrees of freedom */
    c.rank_all = sf_fe_rank(c.fe, c.nfe, NULL);
    {
        unsigned char skip[64] = {0};
        if (c.ssc.fe_nested && c.vcov == SF_V_CLUSTER)
            for (int f = 0; f < c.nfe && f < 64; f++)
                for (int j = 0; j < c.ncl; j++)
                    if (sf_group_nested(&c.fe[f], &c.cl[j])) skip[f] = 1;
        c.rank_nn = sf_fe_rank(c.fe, c.nfe, skip);
    }
    check_raw_twins(&c);
    /* estimate */
    int before = *nfits;
    if (s->nendog)
        rc = fit_iv(&c, fits, nfits, e);
    else if (s->mediator)
        rc = fit_mediation(&c, fits, nfits, e);
    else {
        const sf_term **xs = sf_malloc(sizeof(sf_term *) * (size_t)(s->nx + 1));
        for (int i = 0; i < s->nx; i++) xs[i] = &s->x[i];
        olsreq r = {&s->y, xs, s->nx, s->boot_coef, s->name, SF_ROLE_MODEL, 1};
        sf_fit *f = NULL;
        rc = fit_ols(&c, &r, &f, e);
        free(xs);
        if (!rc) {
            *fits = sf_realloc(*fits, sizeof(sf_fit *) * (size_t)(*nfits + 1));
            (*fits)[(*nfits)++] = f;
        }
    }
    if (!rc && s->boot_coef) rc = check_boot_coef(s, fits, nfits, before, e);
out:
    for (int j = 0; j < c.ncols; j++) {
        free(c.cols[j]);
        free(c.names[j]);
    }
    free(c.cols);
    free(c.names);
    free(c.twin);
    free(c.raw_absorbed);
    for (int j = 0; j < c.nfe; j++) sf_group_free(&c.fe[j]);
    free(c.fe);
    for (int j = 0; j < 2; j++) sf_group_free(&c.cl[j]);
    sf_group_free(&c.cl12);
    free(keep);
    if (sub.key) sf_strmap_free(&sub);
    for (int L = 0; L <= 50; L++) free(d.lagrow[L]);
    sf_group_free(&d.unit);
    return rc;
}
