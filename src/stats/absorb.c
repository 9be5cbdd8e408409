/* Fixed effects: groupings, singleton dropping, connected components, the
 * FE degrees of freedom (reghdfe convention) and the absorption itself
 * (alternating projections accelerated by conjugate gradients). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "silkflow/stats.h"
#include "stats_internal.h"

/* ------------------------------------------------------------------ groupings */
void sf_group_free(sf_group *g)
{
    free(g->id);
    memset(g, 0, sizeof *g);
}

/* split "a#b#c" into column pointers; "pair" means partner#industry unless
 * the frame has a column of that name */
static int resolve_parts(const sf_frame *f, const char *spec, const sf_column **cols, int *nc, sf_err *e)
{
    char buf[256];
    if (strlen(spec) >= sizeof buf) return sf_fail(e, SF_EUSER, "grouping name too long: '%s'", spec);
    strcpy(buf, spec);
    if (!strcmp(buf, "pair") && !sf_frame_col(f, "pair")) strcpy(buf, "partner#industry");
    *nc = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, "#", &save); tok; tok = strtok_r(NULL, "#", &save)) {
        sf_trim(tok);
        const sf_column *c = sf_frame_col(f, tok);
        if (!c) {
            if (!strcmp(spec, "pair"))
                return sf_fail(e, SF_EUSER,
                               "grouping 'pair' needs the columns partner and industry (or a column named pair); "
                               "'%s' is missing",
                               tok);
            return sf_fail(e, SF_EUSER, "unknown variable '%s' in grouping '%s'", tok, spec);
        }
        if (*nc == 8) return sf_fail(e, SF_EUSER, "too many parts in grouping '%s'", spec);
        cols[(*nc)++] = c;
    }
    if (*nc == 0) return sf_fail(e, SF_EUSER, "empty grouping name '%s'", spec);
    return SF_OK;
}

int sf_group_from_frame(const sf_frame *f, const char *spec, sf_group *g, sf_err *e)
{
    const sf_column *cols[8];
    int nc;
    int rc = resolve_parts(f, spec, cols, &nc, e);
    if (rc) return rc;
    g->n = f->nrow;
    g->id = sf_malloc(sizeof(int) * (f->nrow ? f->nrow : 1));
    g->nlev = 0;
    sf_strmap m;
    sf_strmap_init(&m, f->nrow / 4 + 16);
    char key[1024];
    for (size_t i = 0; i < f->nrow; i++) {
        size_t len = 0;
        int missing = 0;
        for (int c = 0; c < nc && !missing; c++) {
            if (cols[c]->type == SF_COL_NUM) {
                double v = cols[c]->num[i];
                if (isnan(v))
                    missing = 1;
                else
                    len += (size_t)snprintf(key + len, sizeof key - len, "%.17g\x1f", v);
            } else {
                const char *s = cols[c]->str[i];
                if (!s)
                    missing = 1;
                else
                    len += (size_t)snprintf(key + len, sizeof key - len, "%s\x1f", s);
            }
            if (len >= sizeof key - 1) len = sizeof key - 2;
        }
        if (missing) {
            g->id[i] = -1;
            continue;
        }
        int v = sf_strmap_put(&m, key, g->nlev);
        if (v == g->nlev) g->nlev++;
        g->id[i] = v;
    }
    sf_strmap_free(&m);
    return SF_OK;
}

void sf_group_filter(sf_group *g, const unsigned char *keep)
{
    int *map = sf_malloc(sizeof(int) * (g->nlev ? (size_t)g->nlev : 1));
    for (int l = 0; l < g->nlev; l++) map[l] = -1;
    size_t m = 0;
    int nl = 0;
    for (size_t i = 0; i < g->n; i++) {
        if (!keep[i]) continue;
        int v = g->id[i];
        if (v >= 0) {
            if (map[v] < 0) map[v] = nl++;
            v = map[v];
        }
        g->id[m++] = v;
    }
    g->n = m;
    g->nlev = nl;
    free(map);
}

int sf_group_nested(const sf_group *a, const sf_group *b)
{
    int *owner = sf_malloc(sizeof(int) * (a->nlev ? (size_t)a->nlev : 1));
    for (int l = 0; l < a->nlev; l++) owner[l] = -1;
    int ok = 1;
    for (size_t i = 0; i < a->n && ok; i++) {
        int x = a->id[i], y = b->id[i];
        if (x < 0 || y < 0) continue;
        if (owner[x] < 0)
            owner[x] = y;
        else if (owner[x] != y)
            ok = 0;
    }
    free(owner);
    return ok;
}

size_t sf_singletons_drop(const sf_group *fe, int nfe, unsigned char *keep, size_t n)
{
    size_t dropped = 0;
    int **cnt = sf_malloc(sizeof(int *) * (nfe ? (size_t)nfe : 1));
    for (int f = 0; f < nfe; f++) cnt[f] = sf_malloc(sizeof(int) * (fe[f].nlev ? (size_t)fe[f].nlev : 1));
    for (;;) {
        for (int f = 0; f < nfe; f++) {
            memset(cnt[f], 0, sizeof(int) * (size_t)fe[f].nlev);
            for (size_t i = 0; i < n; i++)
                if (keep[i] && fe[f].id[i] >= 0) cnt[f][fe[f].id[i]]++;
        }
        size_t now = 0;
        for (size_t i = 0; i < n; i++) {
            if (!keep[i]) continue;
            for (int f = 0; f < nfe; f++)
                if (fe[f].id[i] >= 0 && cnt[f][fe[f].id[i]] == 1) {
                    keep[i] = 0;
                    now++;
                    break;
                }
        }
        dropped += now;
        if (!now) break;
    }
    for (int f = 0; f < nfe; f++) free(cnt[f]);
    free(cnt);
    return dropped;
}

static int uf_find(int *p, int x)
{
    while (p[x] != x) {
        p[x] = p[p[x]];
        x = p[x];
    }
    return x;
}

int sf_group_components(const sf_group *a, const sf_group *b)
{
    int L = a->nlev + b->nlev;
    int *p = sf_malloc(sizeof(int) * (L ? (size_t)L : 1));
    for (int i = 0; i < L; i++) p[i] = i;
    int comps = L;
    for (size_t i = 0; i < a->n; i++) {
        if (a->id[i] < 0 || b->id[i] < 0) continue;
        int x = uf_find(p, a->id[i]), y = uf_find(p, a->nlev + b->id[i]);
        if (x != y) {
            p[x] = y;
            comps--;
        }
    }
    free(p);
    return comps;
}

int sf_fe_rank(const sf_group *fe, int nfe, const unsigned char *skip)
{
    int idx[64], m = 0;
    for (int f = 0; f < nfe && m < 64; f++)
        if (!skip || !skip[f]) idx[m++] = f;
    if (m == 0) return 1;
    int r = fe[idx[0]].nlev;
    if (m >= 2) r += fe[idx[1]].nlev - sf_group_components(&fe[idx[0]], &fe[idx[1]]);
    for (int q = 2; q < m; q++) r += fe[idx[q]].nlev - 1;
    return r < 1 ? 1 : r;
}

/* ------------------------------------------------------------------ absorption */
void sf_absorb_init(sf_absorb *a, const sf_group *fe, int nfe, size_t n, const double *w)
{
    memset(a, 0, sizeof *a);
    a->n = n;
    a->nfe = nfe;
    a->fe = fe;
    a->w = w;
    a->tol = 1e-12;
    a->maxit = 2000;
    a->wsum = sf_malloc(sizeof(double *) * (nfe ? (size_t)nfe : 1));
    for (int f = 0; f < nfe; f++) {
        a->wsum[f] = sf_calloc(fe[f].nlev ? (size_t)fe[f].nlev : 1, sizeof(double));
        for (size_t i = 0; i < n; i++) a->wsum[f][fe[f].id[i]] += w ? w[i] : 1.0;
    }
}

void sf_absorb_free(sf_absorb *a)
{
    if (a->wsum)
        for (int f = 0; f < a->nfe; f++) free(a->wsum[f]);
    free(a->wsum);
    a->wsum = NULL;
}

/* v <- v minus its (weighted) group means for FE f */
static void project_out(const sf_absorb *a, int f, double *v, double *tmp)
{
    const int *id = a->fe[f].id;
    int L = a->fe[f].nlev;
    const double *ws = a->wsum[f], *w = a->w;
    size_t n = a->n;
    memset(tmp, 0, sizeof(double) * (size_t)L);
    if (w)
        for (size_t i = 0; i < n; i++) tmp[id[i]] += w[i] * v[i];
    else
        for (size_t i = 0; i < n; i++) tmp[id[i]] += v[i];
    for (int l = 0; l < L; l++) tmp[l] = ws[l] > 0 ? tmp[l] / ws[l] : 0.0;
    for (size_t i = 0; i < n; i++) v[i] -= tmp[id[i]];
}

/* symmetric Kaczmarz sweep T = P1 P2 .. PF .. P2 P1 (P = annihilators) */
static void sweep(const sf_absorb *a, double *v, double *tmp)
{
    for (int f = 0; f < a->nfe; f++) project_out(a, f, v, tmp);
    for (int f = a->nfe - 2; f >= 0; f--) project_out(a, f, v, tmp);
}

static double dotw(const sf_absorb *a, const double *x, const double *y)
{
    double s = 0;
    if (a->w)
        for (size_t i = 0; i < a->n; i++) s += a->w[i] * x[i] * y[i];
    else
        for (size_t i = 0; i < a->n; i++) s += x[i] * y[i];
    return s;
}

/* CG on (I - T) z = (I - T) y; the limit of the sweeps is y - z */
static void demean_one(sf_absorb *a, double *y, double *buf, double *tmp)
{
    size_t n = a->n;
    double *z = buf, *r = buf + n, *p = buf + 2 * n, *q = buf + 3 * n;
    double ynorm2 = dotw(a, y, y);
    a->iters_last = 0;
    if (ynorm2 == 0) return;
    double tol2 = a->tol * a->tol * ynorm2;
    memset(z, 0, sizeof(double) * n);
    int it = 0, since_restart = 0;
    double rr = 0;
    for (;;) {
        if (since_restart == 0) { /* exact residual r = (I - T)(y - z) */
            for (size_t i = 0; i < n; i++) q[i] = y[i] - z[i];
            memcpy(r, q, sizeof(double) * n);
            sweep(a, q, tmp);
            for (size_t i = 0; i < n; i++) r[i] -= q[i];
            memcpy(p, r, sizeof(double) * n);
            rr = dotw(a, r, r);
            if (rr <= tol2) break;
        }
        if (it >= a->maxit) {
            a->not_converged++;
            break;
        }
        memcpy(q, p, sizeof(double) * n);
        sweep(a, q, tmp);
        for (size_t i = 0; i < n; i++) q[i] = p[i] - q[i]; /* q = (I - T) p */
        double pq = dotw(a, p, q);
        it++;
        if (!(pq > 0)) break;
        double alpha = rr / pq;
        for (size_t i = 0; i < n; i++) {
            z[i] += alpha * p[i];
            r[i] -= alpha * q[i];
        }
        double rr2 = dotw(a, r, r);
        if (rr2 <= tol2) {
            rr = rr2;
            break;
        }
        double beta = rr2 / rr;
        rr = rr2;
        for (size_t i = 0; i < n; i++) p[i] = r[i] + beta * p[i];
        if (++since_restart >= 100) since_restart = 0;
    }
    for (size_t i = 0; i < n; i++) y[i] -= z[i];
    sweep(a, y, tmp); /* one more sweep removes what CG rounding left */
    a->iters_last = it;
    if (it > a->iters_max) a->iters_max = it;
}

void sf_absorb_demean(sf_absorb *a, double *cols, int ncol)
{
    if (a->nfe == 0) return;
    int Lmax = 1;
    for (int f = 0; f < a->nfe; f++)
        if (a->fe[f].nlev > Lmax) Lmax = a->fe[f].nlev;
    double *tmp = sf_malloc(sizeof(double) * (size_t)Lmax);
    if (a->nfe == 1) { /* one FE: a single projection is exact */
        for (int c = 0; c < ncol; c++) project_out(a, 0, cols + (size_t)c * a->n, tmp);
        free(tmp);
        return;
    }
    double *buf = sf_malloc(sizeof(double) * 4 * (a->n ? a->n : 1));
    for (int c = 0; c < ncol; c++) demean_one(a, cols + (size_t)c * a->n, buf, tmp);
    free(buf);
    free(tmp);
}
