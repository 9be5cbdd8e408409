/* Bootstraps.
 *
 * Wild cluster restricted bootstrap (WCR, boottest conventions) for H0:
 * b_j = r in y = X b + D a + u. With a = the row of the OLS projection that
 * gives b_j (a'X = e_j', a'D = 0), the restricted residuals u(r) = u0 - r u1
 * (linear in r) and Z = [D, X], every replicate with cluster weights v has
 *     b*_j - r       = sum_g v_g A_g              A_g = sum_{i in g} a_i u_i
 *     score of h     = v_h A_h - alpha_h' Q (sum_g v_g beta_g) - AX_h' R (sum_g v_g BX_g)
 * where alpha_h, AX_h are per-cluster sums of a_i d_i, a_i x_i; beta_g, BX_g
 * of d_i u_i, x_i u_i; Q = (D'D)^+ and R = (X~'X~)^-1 (X~ = FE-demeaned X).
 * All of these are precomputed once; a replicate costs O(L^2 + nnz + G k)
 * (L = FE levels) instead of O(N). Since everything is linear in r, a
 * replicate is kept as five numbers (numerator and variance as polynomials
 * in r) and p(r) for any r costs O(B): the confidence interval is found by
 * bisection on p(r) = alpha (test inversion).
 *
 * Pairs cluster bootstrap: clusters are resampled with replacement; each
 * replicate's weighted normal equations are assembled from per-cluster
 * cross-product blocks (levels the cluster touches x variables), the largest
 * FE is eliminated exactly (its block is diagonal), the rest by a dense
 * Cholesky with zero pivots skipped. With the variables ordered
 * [others, X, M, Y] the coefficients needed are ratios of Cholesky entries.
 *
 * Replicate weights come from sf_rng_u64(seed, replicate, cluster): replicate
 * b is the same whichever process computes it; processes take contiguous
 * replicate ranges and combine integer counts / disjoint slots with a sum,
 * so results do not depend on the number of processes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "silkflow/stats.h"
#include "silkflow/stats_boot.h"
#include "stats_internal.h"

double sf_boot_weight(sf_boot_weights w, uint64_t seed, int enumerate, uint64_t b, uint64_t g)
{
    if (enumerate) return ((b >> g) & 1) ? -1.0 : 1.0;
    uint64_t u = sf_rng_u64(seed, b, g);
    switch (w) {
    case SF_W_WEBB: {
        static const double v[6] = {-1.224744871391589, -1.0, -0.7071067811865476,
                                    0.7071067811865476, 1.0, 1.224744871391589};
        return v[(u >> 11) % 6];
    }
    case SF_W_MAMMEN: {
        double s5 = sqrt(5.0), p = (s5 + 1.0) / (2.0 * s5);
        double x = (double)(u >> 11) * 0x1.0p-53;
        return x < p ? (1.0 - s5) / 2.0 : (1.0 + s5) / 2.0;
    }
    default:
        return (u >> 63) ? 1.0 : -1.0;
    }
}

void sf_boot_plan(sf_boot_weights w, long B, int G, int rank, int size, sf_boot_share *s)
{
    s->enumerate = w == SF_W_RADEMACHER && G <= 30 && (1L << G) <= B;
    s->B = s->enumerate ? 1L << G : B;
    if (size < 1) size = 1;
    s->b0 = s->B * rank / size;
    s->b1 = s->B * (rank + 1) / size;
}

/* intersection grouping of two groupings */
static void group_intersect(const sf_group *a, const sf_group *b, sf_group *out)
{
    out->n = a->n;
    out->id = sf_malloc(sizeof(int) * (a->n ? a->n : 1));
    sf_strmap m;
    sf_strmap_init(&m, a->n / 4 + 16);
    out->nlev = 0;
    char key[64];
    for (size_t i = 0; i < a->n; i++) {
        snprintf(key, sizeof key, "%d|%d", a->id[i], b->id[i]);
        int v = sf_strmap_put(&m, key, out->nlev);
        if (v == out->nlev) out->nlev++;
        out->id[i] = v;
    }
    sf_strmap_free(&m);
}

void sf_group_intersect(const sf_group *a, const sf_group *b, sf_group *out) { group_intersect(a, b, out); }

/* y <- residual of y on the columns of W (n x m), via (W'W)^-1 */
static int partial_out(double *y, const double *W, int m, size_t n)
{
    if (m == 0) return 0;
    double *WW = sf_malloc(sizeof(double) * (size_t)m * m), *Wy = sf_malloc(sizeof(double) * (size_t)m);
    for (int a = 0; a < m; a++) {
        for (int b = a; b < m; b++) {
            double s = 0;
            for (size_t i = 0; i < n; i++) s += W[i + (size_t)a * n] * W[i + (size_t)b * n];
            WW[a + (size_t)b * m] = WW[b + (size_t)a * m] = s;
        }
        double s = 0;
        for (size_t i = 0; i < n; i++) s += W[i + (size_t)a * n] * y[i];
        Wy[a] = s;
    }
    int rc = sf_spd_inverse(WW, m);
    if (!rc) {
        for (int a = 0; a < m; a++) {
            double c = 0;
            for (int b = 0; b < m; b++) c += WW[a + (size_t)b * m] * Wy[b];
            for (size_t i = 0; i < n; i++) y[i] -= c * W[i + (size_t)a * n];
        }
    }
    free(WW);
    free(Wy);
    return rc;
}

/* ------------------------------------------------------------------ WCR */
typedef struct {
    int G;          /* bootstrap clusters */
    int L;          /* FE levels (all dims) */
    int k;
    double *A0, *A1;          /* G */
    int *ptr, *lev;           /* CSR per cluster over levels */
    double *alpha, *beta0, *beta1;
    double *AX, *BX0, *BX1;   /* G x k (row per cluster) */
    double *Q;                /* L x L */
    double *R;                /* k x k */
    sf_vdims vd;              /* variance dims */
} wcr_pre;

static void wcr_pre_free(wcr_pre *p)
{
    free(p->A0);
    free(p->A1);
    free(p->ptr);
    free(p->lev);
    free(p->alpha);
    free(p->beta0);
    free(p->beta1);
    free(p->AX);
    free(p->BX0);
    free(p->BX1);
    free(p->Q);
    free(p->R);
    sf_vdims_free(&p->vd);
}

/* the five numbers of one replicate */
static void wcr_replicate(const wcr_pre *P, const double *v, double *work, double out[5])
{
    int G = P->G, L = P->L, k = P->k;
    double *w0 = work, *w1 = w0 + L, *u0 = w1 + L, *u1 = u0 + L;
    double *s0 = u1 + L, *s1 = s0 + k, *x0 = s1 + k, *x1 = x0 + k;
    double *K0 = x1 + k, *K1 = K0 + G, *S0 = K1 + G;
    double n0 = 0, n1 = 0;
    memset(w0, 0, sizeof(double) * 2 * (size_t)L);
    memset(s0, 0, sizeof(double) * 2 * (size_t)k);
    for (int g = 0; g < G; g++) {
        double vg = v[g];
        n0 += vg * P->A0[g];
        n1 += vg * P->A1[g];
        for (int q = P->ptr[g]; q < P->ptr[g + 1]; q++) {
            w0[P->lev[q]] += vg * P->beta0[q];
            w1[P->lev[q]] += vg * P->beta1[q];
        }
        const double *b0 = P->BX0 + (size_t)g * k, *b1 = P->BX1 + (size_t)g * k;
        for (int c = 0; c < k; c++) {
            s0[c] += vg * b0[c];
            s1[c] += vg * b1[c];
        }
    }
    /* u = Q w (Q symmetric; column-major walk) */
    sf_matvec2(P->Q, L, w0, w1, u0, u1);
    for (int a = 0; a < k; a++) {
        double t0 = 0, t1 = 0;
        for (int b = 0; b < k; b++) {
            t0 += P->R[a + (size_t)b * k] * s0[b];
            t1 += P->R[a + (size_t)b * k] * s1[b];
        }
        x0[a] = t0;
        x1[a] = t1;
    }
    for (int g = 0; g < G; g++) {
        double k0 = v[g] * P->A0[g], k1 = v[g] * P->A1[g];
        for (int q = P->ptr[g]; q < P->ptr[g + 1]; q++) {
            k0 -= P->alpha[q] * u0[P->lev[q]];
            k1 -= P->alpha[q] * u1[P->lev[q]];
        }
        const double *ax = P->AX + (size_t)g * k;
        for (int c = 0; c < k; c++) {
            k0 -= ax[c] * x0[c];
            k1 -= ax[c] * x1[c];
        }
        K0[g] = k0;
        K1[g] = k1;
    }
    double q[3];
    sf_vdims_quad(&P->vd, K0, K1, G, S0, q); /* S0, S1: 2 G doubles of work */
    out[0] = n0;
    out[1] = n1;
    out[2] = q[0];
    out[3] = q[1];
    out[4] = q[2];
}

typedef struct {
    const double *rep; /* nloc x 5 */
    long nloc;
    long B;
    double bj, se;     /* unrestricted estimate and its (bootstrap-consistent) SE */
    sf_reduce_fn reduce;
} pfun;

/* bootstrap p-value at r (symmetric): share of |t*| > |t| */
static double p_at(const pfun *F, double r)
{
    double t = (F->bj - r) / F->se, at = fabs(t);
    double cnt = 0;
    for (long b = 0; b < F->nloc; b++) {
        const double *q = F->rep + 5 * b;
        double num = q[0] - r * q[1];
        double var = q[2] - 2 * r * q[3] + r * r * q[4];
        if (!(var > 0)) {
            if (num != 0) cnt += 1; /* degenerate variance: count as extreme */
            continue;
        }
        double ts = fabs(num) / sqrt(var);
        if (ts > at * (1 + 1e-10) + 1e-300) cnt += 1;
    }
    if (F->reduce) F->reduce(&cnt, 1);
    return cnt / (double)F->B;
}

static double p_of(void *F, double r) { return p_at(F, r); }

/* The demeaned data of sf_wcr and the linear pieces of the statistic:
 * a = row j of R X~', the restricted residuals u(r) = u0 - r u1, the
 * unrestricted estimate bj and residuals eh. */
typedef struct {
    double *Xt, *yt, *a, *u0, *u1, *eh;
    double bj;
} wcr_lin;

static void wcr_lin_free(wcr_lin *w)
{
    free(w->Xt);
    free(w->a);
    free(w->u0);
    free(w->u1);
    free(w->eh);
}

static int wcr_linear(const sf_wcr_in *in, const sf_group *fe, int nfe, wcr_pre *P, wcr_lin *w, sf_err *e)
{
    size_t n = in->n;
    int k = in->k, j = in->j;
    /* demeaned copies */
    double *Xt = sf_malloc(sizeof(double) * n * (size_t)(k + 1) + 8), *yt = Xt + n * (size_t)k;
    w->Xt = Xt;
    w->yt = yt;
    memcpy(Xt, in->X, sizeof(double) * n * (size_t)k);
    memcpy(yt, in->y, sizeof(double) * n);
    sf_absorb ab;
    sf_absorb_init(&ab, fe, nfe, n, NULL);
    sf_absorb_demean(&ab, Xt, k + 1);
    sf_absorb_free(&ab);

    /* R = (X~'X~)^-1 and a = row j of R X~' */
    P->R = sf_malloc(sizeof(double) * (size_t)k * k);
    for (int a = 0; a < k; a++)
        for (int b = a; b < k; b++) {
            double s = 0;
            for (size_t i = 0; i < n; i++) s += Xt[i + (size_t)a * n] * Xt[i + (size_t)b * n];
            P->R[a + (size_t)b * k] = P->R[b + (size_t)a * k] = s;
        }
    if (sf_spd_inverse(P->R, k)) return sf_fail(e, SF_EINTERNAL, "wcr: regressors are collinear");
    double *a = w->a = sf_malloc(sizeof(double) * n);
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (int c = 0; c < k; c++) s += P->R[j + (size_t)c * k] * Xt[i + (size_t)c * n];
        a[i] = s;
    }
    /* restricted residuals u(r) = u0 - r u1 */
    double *u0 = w->u0 = sf_malloc(sizeof(double) * n);
    double *u1 = w->u1 = sf_malloc(sizeof(double) * n);
    memcpy(u0, yt, sizeof(double) * n);
    memcpy(u1, Xt + (size_t)j * n, sizeof(double) * n);
    {
        double *W = sf_malloc(sizeof(double) * n * (size_t)(k > 1 ? k - 1 : 1));
        int m = 0;
        for (int c = 0; c < k; c++)
            if (c != j) memcpy(W + (size_t)(m++) * n, Xt + (size_t)c * n, sizeof(double) * n);
        partial_out(u0, W, m, n);
        partial_out(u1, W, m, n);
        free(W);
    }
    /* unrestricted estimate and residuals */
    double bj = 0;
    for (size_t i = 0; i < n; i++) bj += a[i] * yt[i];
    w->bj = bj;
    double *eh = w->eh = sf_malloc(sizeof(double) * n);
    {
        double *bb = sf_malloc(sizeof(double) * (size_t)k);
        for (int c = 0; c < k; c++) {
            double s = 0;
            for (size_t i = 0; i < n; i++) {
                double t = 0;
                for (int d = 0; d < k; d++) t += P->R[c + (size_t)d * k] * Xt[i + (size_t)d * n];
                s += t * yt[i];
            }
            bb[c] = s;
        }
        for (size_t i = 0; i < n; i++) {
            double f = 0;
            for (int c = 0; c < k; c++) f += Xt[i + (size_t)c * n] * bb[c];
            eh[i] = yt[i] - f;
        }
        free(bb);
    }
    return SF_OK;
}

/* the squared SE of the unrestricted estimate with the same formula */
static double wcr_se2(const wcr_pre *P, const sf_group *bcl, const wcr_lin *w, size_t n)
{
    int G = P->G;
    double *s = sf_calloc(3 * (size_t)G + 1, sizeof(double)), q[3];
    for (size_t i = 0; i < n; i++) s[bcl->id[i]] += w->a[i] * w->eh[i];
    sf_vdims_quad(&P->vd, s, NULL, G, s + G, q);
    free(s);
    return q[0];
}

/* FE levels: offsets off[] and the pseudo-inverse Q of D'D */
static int wcr_fe_levels(wcr_pre *P, const sf_group *fe, int nfe, size_t n, int *off, sf_err *e)
{
    int L = 0;
    for (int f = 0; f < nfe; f++) {
        off[f] = L;
        L += fe[f].nlev;
    }
    P->L = L;
    if ((double)L * L > 4e8)
        return sf_fail(e, SF_EUSER, "wild bootstrap: %d fixed-effect levels is too many for the cluster algorithm", L);
    P->Q = sf_calloc((size_t)L * L + 1, sizeof(double));
    for (size_t i = 0; i < n; i++)
        for (int f = 0; f < nfe; f++)
            for (int h = 0; h < nfe; h++) P->Q[(off[f] + fe[f].id[i]) + (size_t)(off[h] + fe[h].id[i]) * L] += 1.0;
    if (sf_sym_pinv(P->Q, L, 1e-10) < 0) return sf_fail(e, SF_EINTERNAL, "wcr: eigen decomposition of D'D failed");
    return SF_OK;
}

/* per-cluster sums (rows ordered by cluster) and the score test at r */
static void wcr_cluster_sums(const sf_wcr_in *in, wcr_pre *P, const sf_group *bcl, const sf_group *fe, int nfe,
                             const int *off, const wcr_lin *w, sf_wcr_out *out)
{
    size_t n = in->n;
    int k = in->k, G = P->G, L = P->L;
    const double *a = w->a, *u0 = w->u0, *u1 = w->u1, *Xt = w->Xt;
    const sf_ssc *ssc = in->ssc;
    double N = (double)n;
    int *cnt = sf_calloc((size_t)G + 1, sizeof(int)), *order = sf_malloc(sizeof(int) * (n ? n : 1));
    for (size_t i = 0; i < n; i++) cnt[bcl->id[i] + 1]++;
    for (int g = 0; g < G; g++) cnt[g + 1] += cnt[g];
    int *pos = sf_malloc(sizeof(int) * ((size_t)G + 1));
    memcpy(pos, cnt, sizeof(int) * ((size_t)G + 1));
    for (size_t i = 0; i < n; i++) order[pos[bcl->id[i]]++] = (int)i;
    free(pos);
    P->A0 = sf_calloc((size_t)G + 1, sizeof(double));
    P->A1 = sf_calloc((size_t)G + 1, sizeof(double));
    P->AX = sf_calloc((size_t)G * k + 1, sizeof(double));
    P->BX0 = sf_calloc((size_t)G * k + 1, sizeof(double));
    P->BX1 = sf_calloc((size_t)G * k + 1, sizeof(double));
    P->ptr = sf_malloc(sizeof(int) * ((size_t)G + 1));
    size_t cap = n * (size_t)nfe + 16, nnz = 0;
    P->lev = sf_malloc(sizeof(int) * cap);
    P->alpha = sf_malloc(sizeof(double) * cap);
    P->beta0 = sf_malloc(sizeof(double) * cap);
    P->beta1 = sf_malloc(sizeof(double) * cap);
    int *slot = sf_malloc(sizeof(int) * ((size_t)L + 1));
    for (int l = 0; l < L; l++) slot[l] = -1;
    for (int g = 0; g < G; g++) {
        P->ptr[g] = (int)nnz;
        size_t first = nnz;
        for (int q = cnt[g]; q < cnt[g + 1]; q++) {
            size_t i = (size_t)order[q];
            P->A0[g] += a[i] * u0[i];
            P->A1[g] += a[i] * u1[i];
            for (int c = 0; c < k; c++) {
                double x = Xt[i + (size_t)c * n];
                P->AX[(size_t)g * k + c] += a[i] * x;
                P->BX0[(size_t)g * k + c] += x * u0[i];
                P->BX1[(size_t)g * k + c] += x * u1[i];
            }
            for (int f = 0; f < nfe; f++) {
                int l = off[f] + fe[f].id[i];
                if (slot[l] < 0) {
                    slot[l] = (int)nnz;
                    P->lev[nnz] = l;
                    P->alpha[nnz] = P->beta0[nnz] = P->beta1[nnz] = 0;
                    nnz++;
                }
                P->alpha[slot[l]] += a[i];
                P->beta0[slot[l]] += u0[i];
                P->beta1[slot[l]] += u1[i];
            }
        }
        for (size_t q = first; q < nnz; q++) slot[P->lev[q]] = -1;
    }
    P->ptr[G] = (int)nnz;
    free(slot);
    /* score test (no bootstrap) at r, one-way on the bootstrap clusters:
     * recentred scores s_g - (N_g/N) sum(s) (boottest) */
    {
        double tot = 0, q = 0;
        for (int g = 0; g < G; g++) tot += P->A0[g] - in->r * P->A1[g];
        for (int g = 0; g < G; g++) {
            double s = P->A0[g] - in->r * P->A1[g] - (double)(cnt[g + 1] - cnt[g]) / N * tot;
            q += s * s;
        }
        double f = (ssc->adj ? (N - 1) / (N - in->K) : 1.0) * (ssc->cluster_adj ? (double)G / (G - 1) : 1.0);
        if (in->ncl == 0) f = ssc->adj ? N / (N - in->K) : 1.0;
        out->score_t = q > 0 ? tot / sqrt(f * q) : NAN;
        out->score_p = sf_dist_t_p2(out->score_t, ssc->normal ? 0 : G - 1);
    }
    free(cnt);
    free(order);
}

int sf_wcr(const sf_wcr_in *in, sf_wcr_out *out, sf_err *e)
{
    memset(out, 0, sizeof *out);
    size_t n = in->n;
    int k = in->k, j = in->j;
    if (k < 1 || j < 0 || j >= k) return sf_fail(e, SF_EINTERNAL, "wcr: bad coefficient index");
    sf_group one = {0};
    int nfe = in->nfe;
    const sf_group *fe = sf_boot_fe(n, in->fe, &nfe, &one);
    wcr_pre P;
    memset(&P, 0, sizeof P);
    P.k = k;
    wcr_lin w = {0};
    double *work = NULL, *rep = NULL, *vbuf = NULL;
    sf_group bc = {0};
    int rc = wcr_linear(in, fe, nfe, &P, &w, e);
    if (rc) goto done;

    const sf_group *bcl = sf_boot_clusters(n, in->cl, in->ncl, &bc);
    int G = bcl->nlev;
    P.G = G;
    sf_vdims_setup(&P.vd, in->ssc, in->cl, in->ncl, n, in->K, bcl);
    double se2 = wcr_se2(&P, bcl, &w, n);
    if (!(se2 > 0)) {
        rc = sf_fail(e, SF_EINTERNAL, "wcr: the cluster variance of the tested coefficient is not positive");
        goto done;
    }
    double se = sqrt(se2);
    out->t = (w.bj - in->r) / se;

    int off[64];
    rc = wcr_fe_levels(&P, fe, nfe, n, off, e);
    if (rc) goto done;
    wcr_cluster_sums(in, &P, bcl, fe, nfe, off, &w, out);

    /* replicates */
    int L = P.L;
    sf_boot_share sh;
    sf_boot_plan(in->weights, in->B, G, in->rank, in->size, &sh);
    long B = sh.B, b0 = sh.b0, b1 = sh.b1, nloc = b1 - b0;
    int enumerate = sh.enumerate;
    out->B = B;
    out->enumerated = enumerate;
    rep = sf_malloc(sizeof(double) * 5 * (size_t)(nloc > 0 ? nloc : 1));
    vbuf = sf_malloc(sizeof(double) * ((size_t)G + 1));
    work = sf_malloc(sizeof(double) * (4 * (size_t)L + 4 * (size_t)k + 4 * (size_t)G + 8));
    for (long b = b0; b < b1; b++) {
        for (int g = 0; g < G; g++) vbuf[g] = sf_boot_weight(in->weights, in->seed, enumerate, (uint64_t)b, (uint64_t)g);
        wcr_replicate(&P, vbuf, work, rep + 5 * (b - b0));
    }
    pfun F = {rep, nloc, B, w.bj, se, in->size > 1 ? in->reduce : NULL};
    out->p = p_at(&F, in->r);
    double alpha, q = sf_boot_ci_q(in->level, in->ssc, in->ncl, G, (double)n, in->K, &alpha);
    double tol = 1e-12 * (fabs(w.bj) + se);
    out->ci_lo = sf_boot_invert(p_of, &F, w.bj, alpha, -1, q * se, 60, 100, tol);
    out->ci_hi = sf_boot_invert(p_of, &F, w.bj, alpha, +1, q * se, 60, 100, tol);
done:
    wcr_lin_free(&w);
    free(work);
    free(rep);
    free(vbuf);
    sf_group_free(&bc);
    wcr_pre_free(&P);
    sf_group_free(&one);
    return rc;
}

/* ---- shared by the WCR (above) and the WRE (wre.c): stats_internal.h ---- */
const sf_group *sf_boot_clusters(size_t n, const sf_group *cl, int ncl, sf_group *own)
{
    if (ncl == 1) return &cl[0];
    if (ncl > 1) {
        group_intersect(&cl[0], &cl[1], own);
        return own;
    }
    own->n = n;
    own->nlev = (int)n;
    own->id = sf_malloc(sizeof(int) * (n ? n : 1));
    for (size_t i = 0; i < n; i++) own->id[i] = (int)i;
    return own;
}

const sf_group *sf_boot_fe(size_t n, const sf_group *fe, int *nfe, sf_group *own)
{
    if (*nfe > 0) return fe;
    own->n = n;
    own->nlev = 1;
    own->id = sf_calloc(n ? n : 1, sizeof(int));
    *nfe = 1;
    return own;
}

void sf_vdims_setup(sf_vdims *d, const sf_ssc *ssc, const sf_group *cl, int ncl, size_t n, double K,
                    const sf_group *bcl)
{
    memset(d, 0, sizeof *d);
    double N = (double)n;
    int G = bcl->nlev;
    d->ndim = 1;
    d->G[0] = G;
    if (ncl == 0) {
        d->f[0] = ssc->adj ? N / (N - K) : 1.0;
        return;
    }
    double adjN = ssc->adj ? (N - 1) / (N - K) : 1.0;
    if (ncl == 1) {
        d->f[0] = adjN * (ssc->cluster_adj ? (double)G / (G - 1) : 1.0);
        return;
    }
    long G0 = cl[0].nlev, G1 = cl[1].nlev, Gmin = G1 < G0 ? G1 : G0;
    d->ndim = 3;
    for (int k = 0; k < 2; k++) {
        d->G[k] = cl[k].nlev;
        d->map[k] = sf_malloc(sizeof(int) * (size_t)G);
        for (size_t i = 0; i < n; i++) d->map[k][bcl->id[i]] = cl[k].id[i];
    }
    d->G[2] = G;
    double f0 = 1, f1 = 1, f12 = 1;
    if (ssc->cluster_adj) {
        if (ssc->cluster_min)
            f0 = f1 = f12 = (double)Gmin / (Gmin - 1);
        else {
            f0 = (double)G0 / (G0 - 1);
            f1 = (double)G1 / (G1 - 1);
            f12 = (double)G / (G - 1);
        }
    }
    d->f[0] = adjN * f0;
    d->f[1] = adjN * f1;
    d->f[2] = -adjN * f12;
}

void sf_vdims_free(sf_vdims *d)
{
    for (int k = 0; k < 3; k++) free(d->map[k]);
    memset(d, 0, sizeof *d);
}

void sf_vdims_quad(const sf_vdims *d, const double *a, const double *b, int G, double *work, double q[3])
{
    q[0] = q[1] = q[2] = 0;
    for (int k = 0; k < d->ndim; k++) {
        const double *A = a, *B = b;
        int m = G;
        if (d->map[k]) { /* summed to the levels of dim k */
            m = d->G[k];
            double *SA = work, *SB = work + m;
            memset(SA, 0, sizeof(double) * (size_t)m);
            if (b) memset(SB, 0, sizeof(double) * (size_t)m);
            for (int g = 0; g < G; g++) {
                SA[d->map[k][g]] += a[g];
                if (b) SB[d->map[k][g]] += b[g];
            }
            A = SA;
            B = b ? SB : NULL;
        }
        double aa = 0, ab = 0, bb = 0;
        for (int h = 0; h < m; h++) {
            aa += A[h] * A[h];
            if (B) {
                ab += A[h] * B[h];
                bb += B[h] * B[h];
            }
        }
        q[0] += d->f[k] * aa;
        q[1] += d->f[k] * ab;
        q[2] += d->f[k] * bb;
    }
}

double sf_boot_invert(double (*p)(void *, double), void *ctx, double center, double alpha, int dir, double start,
                      int maxgrow, int maxit, double tol)
{
    double in = center, out = center + dir * start;
    int grow = 0;
    while (p(ctx, out) > alpha) {
        in = out;
        out = center + dir * start * pow(2.0, ++grow);
        if (grow > maxgrow) return dir * INFINITY;
    }
    for (int it = 0; it < maxit; it++) {
        double mid = 0.5 * (in + out);
        if (mid == in || mid == out) break;
        if (p(ctx, mid) > alpha)
            in = mid;
        else
            out = mid;
        if (fabs(out - in) <= tol) break;
    }
    return 0.5 * (in + out);
}

double sf_boot_ci_q(double level, const sf_ssc *ssc, int ncl, int G, double N, double K, double *alpha)
{
    *alpha = 1.0 - (level > 0 && level < 1 ? level : 0.95);
    double q = sf_dist_t_q(*alpha / 2, ssc->normal ? 0 : (ncl ? G - 1 : N - K));
    return isfinite(q) && q > 0 ? q : 2.0;
}

/* ------------------------------------------------------------------ pairs */
typedef struct {
    int p;          /* coordinates: FE levels (largest FE first) then variables */
    int Lf;         /* levels of the largest FE (eliminated exactly) */
    int G;
    int *ptr;       /* per cluster: offset into idx (local coordinates) */
    int *idx;
    size_t *boff;   /* per cluster: offset into blk */
    double *blk;    /* dense d x d blocks */
    int m, vbase;   /* variables start at coordinate vbase */
} pairs_pre;

static void pairs_pre_free(pairs_pre *P)
{
    free(P->ptr);
    free(P->idx);
    free(P->boff);
    free(P->blk);
}

static int cmp_int_asc(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int pairs_prepare(const sf_pairs_in *in, pairs_pre *P, sf_err *e)
{
    memset(P, 0, sizeof *P);
    size_t n = in->n;
    /* coordinate of each FE level: the largest FE first */
    int nfe = in->nfe, big = 0;
    for (int f = 1; f < nfe; f++)
        if (in->fe[f].nlev > in->fe[big].nlev) big = f;
    int off[64], L = 0;
    if (nfe == 0) {
        L = 1; /* the constant */
        P->Lf = 1;
    } else {
        off[big] = 0;
        L = in->fe[big].nlev;
        P->Lf = L;
        for (int f = 0; f < nfe; f++)
            if (f != big) {
                off[f] = L;
                L += in->fe[f].nlev;
            }
    }
    P->m = in->m;
    P->vbase = L;
    P->p = L + in->m;
    int G = in->cl ? in->cl->nlev : (int)n;
    P->G = G;
    int *cnt = sf_calloc((size_t)G + 1, sizeof(int)), *order = sf_malloc(sizeof(int) * (n ? n : 1));
    for (size_t i = 0; i < n; i++) cnt[(in->cl ? in->cl->id[i] : (int)i) + 1]++;
    for (int g = 0; g < G; g++) cnt[g + 1] += cnt[g];
    int *pos = sf_malloc(sizeof(int) * ((size_t)G + 1));
    memcpy(pos, cnt, sizeof(int) * ((size_t)G + 1));
    for (size_t i = 0; i < n; i++) order[pos[in->cl ? in->cl->id[i] : (int)i]++] = (int)i;
    free(pos);
    /* levels per cluster */
    int nf = nfe ? nfe : 1;
    P->ptr = sf_malloc(sizeof(int) * ((size_t)G + 1));
    P->idx = sf_malloc(sizeof(int) * (n * (size_t)nf + (size_t)G * in->m + 16));
    P->boff = sf_malloc(sizeof(size_t) * ((size_t)G + 1));
    int *mark = sf_malloc(sizeof(int) * ((size_t)L + 1));
    for (int l = 0; l < L; l++) mark[l] = -1;
    size_t ni = 0, nb = 0;
    for (int g = 0; g < G; g++) {
        P->ptr[g] = (int)ni;
        size_t first = ni;
        for (int q = cnt[g]; q < cnt[g + 1]; q++) {
            size_t i = (size_t)order[q];
            for (int f = 0; f < nf; f++) {
                int l = nfe ? off[f] + in->fe[f].id[i] : 0;
                if (mark[l] != g) {
                    mark[l] = g;
                    P->idx[ni++] = l;
                }
            }
        }
        qsort(P->idx + first, ni - first, sizeof(int), cmp_int_asc);
        for (int c = 0; c < in->m; c++) P->idx[ni++] = L + c;
        size_t d = ni - first;
        P->boff[g] = nb;
        nb += d * d;
        if (nb > (size_t)4e7) {
            free(cnt);
            free(order);
            free(mark);
            return sf_fail(e, SF_EUSER,
                           "pairs bootstrap: the clusters touch too many fixed-effect levels for the "
                           "sufficient-statistics algorithm (%zu numbers)",
                           nb);
        }
    }
    P->ptr[G] = (int)ni;
    P->boff[G] = nb;
    P->blk = sf_calloc(nb + 1, sizeof(double));
    /* local position of each coordinate while filling cluster g */
    int *loc = sf_malloc(sizeof(int) * ((size_t)P->p + 1));
    double *z = sf_malloc(sizeof(double) * ((size_t)P->p + 1));
    int *zi = sf_malloc(sizeof(int) * ((size_t)P->p + 1));
    for (int g = 0; g < G; g++) {
        int d = P->ptr[g + 1] - P->ptr[g];
        const int *ix = P->idx + P->ptr[g];
        for (int a = 0; a < d; a++) loc[ix[a]] = a;
        double *blk = P->blk + P->boff[g];
        for (int q = cnt[g]; q < cnt[g + 1]; q++) {
            size_t i = (size_t)order[q];
            int nz = 0;
            for (int f = 0; f < nf; f++) {
                zi[nz] = loc[nfe ? off[f] + in->fe[f].id[i] : 0];
                z[nz++] = 1.0;
            }
            for (int c = 0; c < in->m; c++) {
                zi[nz] = loc[L + c];
                z[nz++] = in->V[i + (size_t)c * n];
            }
            for (int a = 0; a < nz; a++)
                for (int b = 0; b < nz; b++) blk[zi[a] + (size_t)zi[b] * d] += z[a] * z[b];
        }
    }
    free(loc);
    free(z);
    free(zi);
    free(cnt);
    free(order);
    free(mark);
    return SF_OK;
}

/* Weighted normal equations of one replicate, factorised; fills the
 * requested ratios. A is p x p work space, d0 p. */
static void pairs_solve(const pairs_pre *P, const sf_pairs_in *in, const double *mult, double *A, double *d0,
                        int *nzl, double *out)
{
    int p = P->p;
    memset(A, 0, sizeof(double) * (size_t)p * p);
    for (int g = 0; g < P->G; g++) {
        double w = mult[g];
        if (w == 0) continue;
        int d = P->ptr[g + 1] - P->ptr[g];
        const int *ix = P->idx + P->ptr[g];
        const double *blk = P->blk + P->boff[g];
        for (int b = 0; b < d; b++) {
            double *col = A + (size_t)ix[b] * p;
            const double *bc = blk + (size_t)b * d;
            for (int a = b; a < d; a++) col[ix[a]] += w * bc[a]; /* lower triangle (ix ascending) */
        }
    }
    for (int j = 0; j < p; j++) d0[j] = A[j + (size_t)j * p];
    /* exact elimination of the largest FE: its block is diagonal */
    for (int l = 0; l < P->Lf; l++) {
        double dl = A[l + (size_t)l * p];
        if (!(dl > 0)) continue;
        const double *col = A + (size_t)l * p;
        int nz = 0;
        for (int a = P->Lf; a < p; a++)
            if (col[a] != 0) nzl[nz++] = a;
        for (int q2 = 0; q2 < nz; q2++) {
            int b = nzl[q2];
            double fb = col[b] / dl;
            double *cb = A + (size_t)b * p;
            for (int q1 = q2; q1 < nz; q1++) cb[nzl[q1]] -= col[nzl[q1]] * fb;
        }
    }
    /* dense Cholesky of the rest (lower), skipping (near) zero pivots */
    for (int j = P->Lf; j < p; j++) {
        double *cj = A + (size_t)j * p;
        double dj = cj[j];
        if (!(dj > 1e-9 * d0[j]) || d0[j] <= 0) {
            for (int i = j; i < p; i++) cj[i] = 0;
            continue;
        }
        double s = sqrt(dj);
        for (int i = j; i < p; i++) cj[i] /= s;
        for (int b = j + 1; b < p; b++) {
            double f = cj[b];
            if (f == 0) continue;
            double *cb = A + (size_t)b * p;
            for (int i = b; i < p; i++) cb[i] -= cj[i] * f;
        }
    }
    for (int q = 0; q < in->nreq; q++) {
        int r = P->vbase + in->req[q].reg, dpd = P->vbase + in->req[q].dep;
        double lrr = A[r + (size_t)r * p];
        out[q] = lrr > 0 ? A[dpd + (size_t)r * p] / lrr : NAN;
    }
}

int sf_pairs_point(const sf_pairs_in *in, double *vals, sf_err *e)
{
    pairs_pre P;
    int rc = pairs_prepare(in, &P, e);
    if (rc) {
        pairs_pre_free(&P);
        return rc;
    }
    double *A = sf_malloc(sizeof(double) * (size_t)P.p * P.p), *d0 = sf_malloc(sizeof(double) * (size_t)P.p);
    int *nzl = sf_malloc(sizeof(int) * (size_t)P.p);
    double *mult = sf_malloc(sizeof(double) * (size_t)P.G);
    for (int g = 0; g < P.G; g++) mult[g] = 1;
    pairs_solve(&P, in, mult, A, d0, nzl, vals);
    free(A);
    free(d0);
    free(nzl);
    free(mult);
    pairs_pre_free(&P);
    return SF_OK;
}

int sf_pairs(const sf_pairs_in *in, double *vals, sf_err *e)
{
    pairs_pre P;
    int rc = pairs_prepare(in, &P, e);
    if (rc) {
        pairs_pre_free(&P);
        return rc;
    }
    long B = in->B;
    int size = in->size > 0 ? in->size : 1;
    long b0 = B * in->rank / size, b1 = B * (in->rank + 1) / size;
    memset(vals, 0, sizeof(double) * (size_t)B * in->nreq);
    double *A = sf_malloc(sizeof(double) * (size_t)P.p * P.p), *d0 = sf_malloc(sizeof(double) * (size_t)P.p);
    int *nzl = sf_malloc(sizeof(int) * (size_t)P.p);
    double *mult = sf_malloc(sizeof(double) * ((size_t)P.G + 1));
    for (long b = b0; b < b1; b++) {
        memset(mult, 0, sizeof(double) * (size_t)P.G);
        for (int d = 0; d < P.G; d++) {
            uint64_t u = sf_rng_u64(in->seed, (uint64_t)b, (uint64_t)d);
            /* unbiased index in [0, G) by 128-bit multiply-shift */
            int g = (int)(((unsigned __int128)u * (unsigned)P.G) >> 64);
            mult[g] += 1;
        }
        pairs_solve(&P, in, mult, A, d0, nzl, vals + (size_t)b * in->nreq);
    }
    if (size > 1 && in->reduce) in->reduce(vals, B * in->nreq);
    free(A);
    free(d0);
    free(nzl);
    free(mult);
    pairs_pre_free(&P);
    return SF_OK;
}
