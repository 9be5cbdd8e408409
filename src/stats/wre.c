/* Wild restricted efficient bootstrap (WRE, Davidson and MacKinnon 2010) of
 * H0: beta = r in the IV model
 *     y = beta x + X g + D a + u,   x = Z p + X q + D c + e
 * with one endogenous regressor x, instruments Z, exogenous X and absorbed
 * FEs D, as boottest does after ivreg2 (restricted, "efficient" first stage).
 *
 * Restricted estimates at r: u1 = residual of y - r x on [X, D]; the reduced
 * form x on [W, D, u1] (W = [Z, X]) gives p~ and u2 = x - W p~ - D c~. A
 * replicate with cluster weights v draws
 *     x* = W p~ + D c~ + v # u2,   y* = r x* + X g~ + D a~ + v # u1
 * (so y*'s random part is v # (u1 + r u2))
 * and computes the 2SLS t statistic of beta* - r with the model's cluster
 * variance formula. Everything the 2SLS and its cluster scores need is a
 * cross product with the demeaned instruments W~ = M_D W, per cluster h:
 *     W~_h' (M_D (v # u))_h = v_h W~_h'u_h - (W~_h' D_h) Q (sum_g v_g D_g'u_g)
 * (Q = (D'D)^+), and W~_h' W~_h; so a replicate costs O(L^2 + nnz l + G l k)
 * (L FE levels, l = columns of W, k = 1 + columns of X) instead of O(N), and
 * the FEs are handled exactly whether or not they are nested in the
 * clusters. The statistic on the data is the replicate with v = 1.
 *
 * p = share of |t*| > |t| (the tie margin of the WCR); full enumeration when
 * 2^G <= B with Rademacher weights. Restricted estimates depend on r non-
 * linearly, so the 95% CI is {r : p(r) > 0.05} found by bisection with the
 * whole bootstrap re-run at each r on the same weights. Replicates are split
 * over processes (weights keyed by (seed, replicate, cluster)). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "silkflow/stats.h"
#include "silkflow/stats_boot.h"
#include "stats_internal.h"

typedef struct {
    size_t n;
    int l, kx, kz, k, G, L;
    const sf_wre_in *in;
    const sf_group *bcl;   /* bootstrap clusters */
    double *yt, *xt, *Wt;  /* demeaned y, x, W = [Z, X] (n x l) */
    double *M, *Minv;      /* W~'W~ and its inverse (l x l) */
    double *XXinv;         /* (X~'X~)^-1 (kx x kx) */
    double *Mh;            /* G x l x l per-cluster W~_h'W~_h */
    int *ptr, *lev;        /* CSR per cluster over FE levels */
    double *Aw;            /* nnz x l: W~ summed over the cluster's rows at the level */
    int *rowlev;           /* n x nfe: level index per row and FE */
    double *Q;             /* L x L */
    sf_vdims vd;           /* variance dims */
    /* per r */
    double *phi1, *phi2;   /* l */
    double *Mp1, *Mp2;     /* G x l: Mh phi */
    double *Wu1, *Wu2;     /* G x l */
    double *Du1, *Du2;     /* nnz */
    double *work;
} wre_t;

/* b = A^-1 stored (k x k) times v */
static void matvec(const double *A, int k, const double *v, double *out)
{
    for (int a = 0; a < k; a++) {
        double s = 0;
        for (int b = 0; b < k; b++) s += A[a + (size_t)b * k] * v[b];
        out[a] = s;
    }
}

/* restricted estimates and per-cluster residual sums at r */
static int wre_at(wre_t *P, double r)
{
    size_t n = P->n;
    int l = P->l, kx = P->kx, kz = P->kz, G = P->G;
    double *u1 = P->work, *u2 = u1 + n;
    for (size_t i = 0; i < n; i++) u1[i] = P->yt[i] - r * P->xt[i];
    double g[64] = {0}, Xu[64] = {0};
    for (int c = 0; c < kx; c++) {
        const double *xc = P->Wt + (size_t)(kz + c) * n;
        double s = 0;
        for (size_t i = 0; i < n; i++) s += xc[i] * u1[i];
        Xu[c] = s;
    }
    matvec(P->XXinv, kx, Xu, g);
    for (int c = 0; c < kx; c++) {
        const double *xc = P->Wt + (size_t)(kz + c) * n;
        for (size_t i = 0; i < n; i++) u1[i] -= g[c] * xc[i];
    }
    /* reduced form x on [W~, u1]: normal equations (l + 1) */
    int m = l + 1;
    double A[65 * 65], rhs[65], sol[65];
    for (int a = 0; a < l; a++)
        for (int b = 0; b < l; b++) A[a + (size_t)b * m] = P->M[a + (size_t)b * l];
    for (int a = 0; a < l; a++) {
        const double *wa = P->Wt + (size_t)a * n;
        double s = 0, sx = 0;
        for (size_t i = 0; i < n; i++) {
            s += wa[i] * u1[i];
            sx += wa[i] * P->xt[i];
        }
        A[a + (size_t)l * m] = A[l + (size_t)a * m] = s;
        rhs[a] = sx;
    }
    double uu = 0, ux = 0;
    for (size_t i = 0; i < n; i++) {
        uu += u1[i] * u1[i];
        ux += u1[i] * P->xt[i];
    }
    A[l + (size_t)l * m] = uu;
    rhs[l] = ux;
    int dim = uu > 0 ? m : l; /* u1 = 0: no correction term */
    if (dim < m) {
        for (int a = 0; a < l; a++)
            for (int b = 0; b < l; b++) A[a + (size_t)b * l] = P->M[a + (size_t)b * l];
    }
    if (sf_spd_inverse(A, dim)) return -1;
    matvec(A, dim, rhs, sol);
    for (int a = 0; a < l; a++) P->phi2[a] = sol[a];
    for (size_t i = 0; i < n; i++) {
        double f = 0;
        for (int a = 0; a < l; a++) f += P->Wt[i + (size_t)a * n] * sol[a];
        u2[i] = P->xt[i] - f;
    }
    for (int a = 0; a < l; a++) P->phi1[a] = r * P->phi2[a];
    for (int c = 0; c < kx; c++) P->phi1[kz + c] += g[c];
    /* per-cluster sums */
    memset(P->Wu1, 0, sizeof(double) * (size_t)G * l);
    memset(P->Wu2, 0, sizeof(double) * (size_t)G * l);
    int nnz = P->ptr[G];
    memset(P->Du1, 0, sizeof(double) * (size_t)nnz);
    memset(P->Du2, 0, sizeof(double) * (size_t)nnz);
    int nfe = P->in->nfe;
    /* y* = r x* + X g~ + v # u1 carries r v # u2 too: its random part is
     * v # (u1 + r u2) */
    for (size_t i = 0; i < n; i++) u1[i] += r * u2[i];
    for (size_t i = 0; i < n; i++) {
        int h = P->bcl->id[i];
        for (int a = 0; a < l; a++) {
            double w = P->Wt[i + (size_t)a * n];
            P->Wu1[(size_t)h * l + a] += w * u1[i];
            P->Wu2[(size_t)h * l + a] += w * u2[i];
        }
        for (int f = 0; f < nfe; f++) {
            int lv = P->rowlev[i * (size_t)nfe + f];
            for (int q = P->ptr[h]; q < P->ptr[h + 1]; q++)
                if (P->lev[q] == lv) {
                    P->Du1[q] += u1[i];
                    P->Du2[q] += u2[i];
                    break;
                }
        }
    }
    for (int h = 0; h < G; h++) {
        const double *Mh = P->Mh + (size_t)h * l * l;
        matvec(Mh, l, P->phi1, P->Mp1 + (size_t)h * l);
        matvec(Mh, l, P->phi2, P->Mp2 + (size_t)h * l);
    }
    return 0;
}

/* t statistic of one replicate (v = NULL: all weights 1) */
static double wre_t_stat(const wre_t *P, const double *v, double r, double *work, double *beta_out)
{
    int l = P->l, kx = P->kx, kz = P->kz, k = P->k, G = P->G, L = P->L;
    double *w1 = work, *w2 = w1 + L, *q1 = w2 + L, *q2 = q1 + L;
    double *Y1 = q2 + L, *Y2 = Y1 + (size_t)G * l, *sc = Y2 + (size_t)G * l;
    memset(w1, 0, sizeof(double) * 2 * (size_t)L);
    for (int h = 0; h < G; h++) {
        double vh = v ? v[h] : 1.0;
        for (int q = P->ptr[h]; q < P->ptr[h + 1]; q++) {
            w1[P->lev[q]] += vh * P->Du1[q];
            w2[P->lev[q]] += vh * P->Du2[q];
        }
    }
    sf_matvec2(P->Q, L, w1, w2, q1, q2);
    double T1[64] = {0}, T2[64] = {0};
    for (int h = 0; h < G; h++) {
        double vh = v ? v[h] : 1.0;
        double *y1 = Y1 + (size_t)h * l, *y2 = Y2 + (size_t)h * l;
        for (int a = 0; a < l; a++) {
            y1[a] = P->Mp1[(size_t)h * l + a] + vh * P->Wu1[(size_t)h * l + a];
            y2[a] = P->Mp2[(size_t)h * l + a] + vh * P->Wu2[(size_t)h * l + a];
        }
        for (int q = P->ptr[h]; q < P->ptr[h + 1]; q++) {
            const double *aw = P->Aw + (size_t)q * l;
            double c1 = q1[P->lev[q]], c2 = q2[P->lev[q]];
            for (int a = 0; a < l; a++) {
                y1[a] -= aw[a] * c1;
                y2[a] -= aw[a] * c2;
            }
        }
        for (int a = 0; a < l; a++) {
            T1[a] += y1[a];
            T2[a] += y2[a];
        }
    }
    /* Gm = W~'R (l x k), R = [x*, X~]; Pi = Minv Gm; H = Gm' Pi */
    double Gm[64 * 33], Pi[64 * 33], H[33 * 33], rhs[33], th[33], d[64];
    for (int a = 0; a < l; a++) {
        Gm[a] = T2[a];
        for (int c = 0; c < kx; c++) Gm[a + (size_t)(1 + c) * l] = P->M[a + (size_t)(kz + c) * l];
    }
    for (int c = 0; c < k; c++) matvec(P->Minv, l, Gm + (size_t)c * l, Pi + (size_t)c * l);
    for (int a = 0; a < k; a++)
        for (int b = 0; b < k; b++) {
            double s = 0;
            for (int q = 0; q < l; q++) s += Gm[q + (size_t)a * l] * Pi[q + (size_t)b * l];
            H[a + (size_t)b * k] = s;
        }
    for (int a = 0; a < k; a++) {
        double s = 0;
        for (int q = 0; q < l; q++) s += Pi[q + (size_t)a * l] * T1[q];
        rhs[a] = s;
    }
    if (sf_spd_inverse(H, k)) return NAN;
    matvec(H, k, rhs, th);
    for (int q = 0; q < l; q++) {
        double s = 0;
        for (int c = 0; c < k; c++) s += Pi[q + (size_t)c * l] * H[c]; /* H^-1 e_0: first column */
        d[q] = s;
    }
    /* cluster scores d' S_h(u^) */
    for (int h = 0; h < G; h++) {
        const double *y1 = Y1 + (size_t)h * l, *y2 = Y2 + (size_t)h * l, *Mh = P->Mh + (size_t)h * l * l;
        double s = 0;
        for (int a = 0; a < l; a++) {
            double e = y1[a] - th[0] * y2[a];
            for (int c = 0; c < kx; c++) e -= th[1 + c] * Mh[a + (size_t)(kz + c) * l];
            s += d[a] * e;
        }
        sc[h] = s;
    }
    double q[3];
    sf_vdims_quad(&P->vd, sc, NULL, G, sc + G, q);
    double var = q[0];
    if (beta_out) *beta_out = th[0];
    if (!(var > 0)) return NAN;
    return (th[0] - r) / sqrt(var);
}

typedef struct {
    wre_t *P;
    const double *V; /* nloc x G weights */
    long nloc, B;
    double *work;
    sf_reduce_fn reduce;
} wre_boot;

/* p(r): restricted DGP at r, share of |t*| > |t(r)|; t(r) to *tr */
static double wre_p(wre_boot *W, double r, double *tr)
{
    double cnt = 0, t = NAN;
    int bad = wre_at(W->P, r);
    if (!bad) t = wre_t_stat(W->P, NULL, r, W->work, NULL);
    if (!bad && isfinite(t))
        for (long b = 0; b < W->nloc; b++) {
            double ts = wre_t_stat(W->P, W->V + (size_t)b * W->P->G, r, W->work, NULL);
            if (!isfinite(ts) || fabs(ts) > fabs(t) * (1 + 1e-10) + 1e-300) cnt += 1;
        }
    double buf[2] = {cnt, bad || !isfinite(t) ? 1.0 : 0.0};
    if (W->reduce) W->reduce(buf, 2);
    if (tr) *tr = t;
    if (buf[1] > 0) return NAN;
    return buf[0] / (double)W->B;
}

static double wre_p_of(void *W, double r) { return wre_p(W, r, NULL); }

static void wre_free(wre_t *P)
{
    free(P->yt);
    free(P->M);
    free(P->Minv);
    free(P->XXinv);
    free(P->Mh);
    free(P->ptr);
    free(P->lev);
    free(P->Aw);
    free(P->rowlev);
    free(P->Q);
    sf_vdims_free(&P->vd);
    free(P->phi1);
    free(P->Mp1);
    free(P->Wu1);
    free(P->Du1);
    free(P->work);
}

/* demeaning, cross products, FE level structure */
static int wre_setup(wre_t *P, const sf_group *fe, int nfe, sf_err *e)
{
    const sf_wre_in *in = P->in;
    size_t n = P->n;
    int l = P->l, kz = P->kz, kx = P->kx, G = P->G;
    P->yt = sf_malloc(sizeof(double) * n * (size_t)(l + 2) + 8);
    P->xt = P->yt + n;
    P->Wt = P->xt + n;
    memcpy(P->yt, in->y, sizeof(double) * n);
    memcpy(P->xt, in->x, sizeof(double) * n);
    memcpy(P->Wt, in->Z, sizeof(double) * n * (size_t)kz);
    if (kx) memcpy(P->Wt + n * (size_t)kz, in->X, sizeof(double) * n * (size_t)kx);
    sf_absorb ab;
    sf_absorb_init(&ab, fe, nfe, n, NULL);
    sf_absorb_demean(&ab, P->yt, l + 2);
    sf_absorb_free(&ab);
    P->M = sf_malloc(sizeof(double) * (size_t)l * l);
    P->Minv = sf_malloc(sizeof(double) * (size_t)l * l);
    P->Mh = sf_calloc((size_t)G * l * l + 1, sizeof(double));
    for (size_t i = 0; i < n; i++) {
        double *Mh = P->Mh + (size_t)P->bcl->id[i] * l * l;
        for (int a = 0; a < l; a++)
            for (int b = 0; b < l; b++) Mh[a + (size_t)b * l] += P->Wt[i + (size_t)a * n] * P->Wt[i + (size_t)b * n];
    }
    memset(P->M, 0, sizeof(double) * (size_t)l * l);
    for (int h = 0; h < G; h++)
        for (int q = 0; q < l * l; q++) P->M[q] += P->Mh[(size_t)h * l * l + q];
    memcpy(P->Minv, P->M, sizeof(double) * (size_t)l * l);
    if (sf_spd_inverse(P->Minv, l)) return sf_fail(e, SF_EINTERNAL, "wre: instruments are collinear");
    P->XXinv = sf_malloc(sizeof(double) * (size_t)(kx ? kx * kx : 1));
    for (int a = 0; a < kx; a++)
        for (int b = 0; b < kx; b++) P->XXinv[a + (size_t)b * kx] = P->M[(kz + a) + (size_t)(kz + b) * l];
    if (kx && sf_spd_inverse(P->XXinv, kx)) return sf_fail(e, SF_EINTERNAL, "wre: exogenous regressors are collinear");
    /* FE levels */
    int L = 0, off[64];
    for (int f = 0; f < nfe; f++) {
        off[f] = L;
        L += fe[f].nlev;
    }
    P->L = L;
    if ((double)L * L > 4e8)
        return sf_fail(e, SF_EUSER, "wild bootstrap: %d fixed-effect levels is too many for the cluster algorithm", L);
    P->rowlev = sf_malloc(sizeof(int) * n * (size_t)nfe + 8);
    for (size_t i = 0; i < n; i++)
        for (int f = 0; f < nfe; f++) P->rowlev[i * (size_t)nfe + f] = off[f] + fe[f].id[i];
    P->Q = sf_calloc((size_t)L * L + 1, sizeof(double));
    for (size_t i = 0; i < n; i++)
        for (int f = 0; f < nfe; f++)
            for (int h = 0; h < nfe; h++)
                P->Q[P->rowlev[i * (size_t)nfe + f] + (size_t)P->rowlev[i * (size_t)nfe + h] * L] += 1.0;
    if (sf_sym_pinv(P->Q, L, 1e-10) < 0) return sf_fail(e, SF_EINTERNAL, "wre: eigen decomposition of D'D failed");
    /* CSR of (cluster, level) pairs with W~ sums */
    int *mark = sf_malloc(sizeof(int) * ((size_t)L + 1));
    int *cnt = sf_calloc((size_t)G + 1, sizeof(int)), *order = sf_malloc(sizeof(int) * (n ? n : 1));
    for (size_t i = 0; i < n; i++) cnt[P->bcl->id[i] + 1]++;
    for (int g = 0; g < G; g++) cnt[g + 1] += cnt[g];
    int *pos = sf_malloc(sizeof(int) * ((size_t)G + 1));
    memcpy(pos, cnt, sizeof(int) * ((size_t)G + 1));
    for (size_t i = 0; i < n; i++) order[pos[P->bcl->id[i]]++] = (int)i;
    free(pos);
    size_t cap = n * (size_t)nfe + 16, nnz = 0;
    P->ptr = sf_malloc(sizeof(int) * ((size_t)G + 1));
    P->lev = sf_malloc(sizeof(int) * cap);
    P->Aw = sf_calloc(cap * (size_t)l, sizeof(double));
    for (int q = 0; q < L; q++) mark[q] = -1;
    for (int g = 0; g < G; g++) {
        P->ptr[g] = (int)nnz;
        size_t first = nnz;
        for (int q = cnt[g]; q < cnt[g + 1]; q++) {
            size_t i = (size_t)order[q];
            for (int f = 0; f < nfe; f++) {
                int lv = P->rowlev[i * (size_t)nfe + f];
                if (mark[lv] < 0) {
                    mark[lv] = (int)nnz;
                    P->lev[nnz++] = lv;
                }
                double *aw = P->Aw + (size_t)mark[lv] * l;
                for (int a = 0; a < l; a++) aw[a] += P->Wt[i + (size_t)a * n];
            }
        }
        for (size_t q = first; q < nnz; q++) mark[P->lev[q]] = -1;
    }
    P->ptr[G] = (int)nnz;
    free(mark);
    free(cnt);
    free(order);
    P->phi1 = sf_malloc(sizeof(double) * 2 * (size_t)l);
    P->phi2 = P->phi1 + l;
    P->Mp1 = sf_malloc(sizeof(double) * 2 * (size_t)G * l + 8);
    P->Mp2 = P->Mp1 + (size_t)G * l;
    P->Wu1 = sf_malloc(sizeof(double) * 2 * (size_t)G * l + 8);
    P->Wu2 = P->Wu1 + (size_t)G * l;
    P->Du1 = sf_malloc(sizeof(double) * 2 * (nnz + 1));
    P->Du2 = P->Du1 + nnz + 1;
    P->work = sf_malloc(sizeof(double) * (2 * n + 8));
    return SF_OK;
}

int sf_wre(const sf_wre_in *in, sf_wcr_out *out, sf_err *e)
{
    memset(out, 0, sizeof *out);
    out->score_t = out->score_p = NAN;
    size_t n = in->n;
    if (in->kz < 1 || in->kx < 0 || in->kx > 32 || in->kz + in->kx > 60)
        return sf_fail(e, SF_EUSER, "wild restricted efficient bootstrap: at most 32 exogenous regressors and 60 "
                                    "instruments in all (this model has %d and %d)", in->kx, in->kz + in->kx);
    sf_group one = {0}, bc = {0};
    int nfe = in->nfe;
    const sf_group *fe = sf_boot_fe(n, in->fe, &nfe, &one);
    const sf_group *bcl = sf_boot_clusters(n, in->cl, in->ncl, &bc);
    wre_t P;
    memset(&P, 0, sizeof P);
    P.n = n;
    P.in = in;
    P.kz = in->kz;
    P.kx = in->kx;
    P.l = in->kz + in->kx;
    P.k = 1 + in->kx;
    P.G = bcl->nlev;
    P.bcl = bcl;
    sf_wre_in in2 = *in; /* rowlev uses in->nfe; keep the constant FE visible */
    in2.fe = fe;
    in2.nfe = nfe;
    P.in = &in2;
    double *V = NULL, *work = NULL;
    int rc = wre_setup(&P, fe, nfe, e);
    if (rc) goto done;
    sf_vdims_setup(&P.vd, in->ssc, in->cl, in->ncl, n, in->K, bcl);
    int G = P.G;
    sf_boot_share sh;
    sf_boot_plan(in->weights, in->B, G, in->rank, in->size, &sh);
    long B = sh.B, b0 = sh.b0, b1 = sh.b1, nloc = b1 - b0;
    int enumerate = sh.enumerate;
    out->B = B;
    out->enumerated = enumerate;
    V = sf_malloc(sizeof(double) * (size_t)(nloc > 0 ? nloc : 1) * (size_t)G);
    for (long b = b0; b < b1; b++) {
        double *v = V + (size_t)(b - b0) * G;
        for (int g = 0; g < G; g++)
            v[g] = sf_boot_weight(in->weights, in->seed, enumerate, (uint64_t)b, (uint64_t)g);
    }
    work = sf_malloc(sizeof(double) * (4 * (size_t)P.L + 3 * (size_t)G * P.l + 2 * (size_t)G + 64));
    wre_boot W = {&P, V, nloc, B, work, in->size > 1 ? in->reduce : NULL};
    double t;
    out->p = wre_p(&W, in->r, &t);
    out->t = t;
    if (!isfinite(out->p)) {
        rc = sf_fail(e, SF_EINTERNAL, "wre: the restricted model or its variance is degenerate");
        goto done;
    }
    /* unrestricted 2SLS estimate and its SE (same formula) for the CI start */
    double bhat = NAN;
    wre_at(&P, in->r);
    wre_t_stat(&P, NULL, in->r, work, &bhat);
    double se = fabs(t) > 0 ? fabs((bhat - in->r) / t) : NAN;
    if (in->level >= 0 && isfinite(se) && se > 0) {
        double alpha, q = sf_boot_ci_q(in->level, in->ssc, in->ncl, G, (double)n, in->K, &alpha);
        out->ci_lo = sf_boot_invert(wre_p_of, &W, bhat, alpha, -1, q * se, 40, 60, 1e-7 * se);
        out->ci_hi = sf_boot_invert(wre_p_of, &W, bhat, alpha, +1, q * se, 40, 60, 1e-7 * se);
    } else
        out->ci_lo = out->ci_hi = NAN;
done:
    free(V);
    free(work);
    wre_free(&P);
    sf_group_free(&one);
    sf_group_free(&bc);
    return rc;
}
