/* The least-squares core on a prepared design (FEs already absorbed): OLS or
 * 2SLS coefficients, residuals and the VCV under the chosen small-sample
 * convention:
 *   iid      sigma2 (X'X)^-1,     sigma2 = RSS / (N - K - dofminus - sdofminus)   [adj]
 *                                 sigma2 = RSS / (N - dofminus)                   [no adj]
 *   HC1      H (sum s_i s_i') H * N / (N - K - dofminus - sdofminus)                [adj]
 *                                 * N / (N - dofminus)                            [no adj]
 *   cluster  H (sum_g s_g s_g') H * (N-1)/(N-K-sdofminus) [adj] * G/(G-1) [cluster_adj]
 *   two-way  the Cameron-Gelbach-Miller sum V1 + V2 - V12, each term with
 *            Gmin/(Gmin-1) (cluster_min) or its own G/(G-1), then made PSD
 * with s_i = x_i e_i (OLS) or xhat_i e_i (2SLS), H the bread. These are the
 * Stata regress/reghdfe/ivreg2 `small` factors; t and F use N - K (iid, HC1)
 * or Gmin - 1 (cluster) denominator df, or z/chi2 when ssc->normal. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats_internal.h"

static void crossprod(const double *A, int p, const double *B, int q, size_t n, double *out)
{
    for (int a = 0; a < p; a++)
        for (int b = 0; b < q; b++) {
            const double *x = A + (size_t)a * n, *y = B + (size_t)b * n;
            double s = 0;
            for (size_t i = 0; i < n; i++) s += x[i] * y[i];
            out[a + (size_t)b * p] = s;
        }
}

void sf_ls_out_free(sf_ls_out *o)
{
    free(o->b);
    free(o->V);
    free(o->resid);
    memset(o, 0, sizeof *o);
}

/* the cluster meat (one- or two-way) of the scores S, with its factors */
static void cluster_meat(const sf_ls_in *in, sf_ls_out *out, const double *S, int K, double *meat)
{
    size_t n = in->n;
    int k = in->k;
    const sf_ssc *ssc = in->ssc;
    double N = (double)n, sdm = ssc->sdofminus;
    double adjN = ssc->adj ? (N - 1) / (N - K - sdm) : 1.0;
    long G0 = in->cl[0].nlev, G1 = in->ncl > 1 ? in->cl[1].nlev : 0;
    out->G[0] = G0;
    out->G[1] = G1;
    long Gmin = in->ncl > 1 && G1 < G0 ? G1 : G0;
    out->Gmin = Gmin;
    if (in->ncl == 1) {
        double f = adjN * (ssc->cluster_adj ? (double)G0 / (G0 - 1) : 1.0);
        sf_meat_add(S, n, k, &in->cl[0], f, meat);
    } else {
        long G12 = in->cl12->nlev;
        double f0, f1, f12;
        if (!ssc->cluster_adj)
            f0 = f1 = f12 = 1.0;
        else if (ssc->cluster_min)
            f0 = f1 = f12 = (double)Gmin / (Gmin - 1);
        else {
            f0 = (double)G0 / (G0 - 1);
            f1 = (double)G1 / (G1 - 1);
            f12 = (double)G12 / (G12 - 1);
        }
        sf_meat_add(S, n, k, &in->cl[0], adjN * f0, meat);
        sf_meat_add(S, n, k, &in->cl[1], adjN * f1, meat);
        sf_meat_add(S, n, k, in->cl12, -adjN * f12, meat);
    }
    out->df_resid = (double)(Gmin - 1);
}

/* V = H meat H, exactly symmetric */
static void sandwich(const double *H, const double *meat, int k, double *V)
{
    double *T = sf_calloc((size_t)k * k + 1, sizeof(double));
    for (int a = 0; a < k; a++)
        for (int b = 0; b < k; b++) {
            double s = 0;
            for (int c = 0; c < k; c++) s += H[a + (size_t)c * k] * meat[c + (size_t)b * k];
            T[a + (size_t)b * k] = s;
        }
    for (int a = 0; a < k; a++)
        for (int b = 0; b < k; b++) {
            double s = 0;
            for (int c = 0; c < k; c++) s += T[a + (size_t)c * k] * H[c + (size_t)b * k];
            V[a + (size_t)b * k] = s;
        }
    for (int a = 0; a < k; a++) /* exact symmetry */
        for (int b = a + 1; b < k; b++) {
            double s = 0.5 * (V[a + (size_t)b * k] + V[b + (size_t)a * k]);
            V[a + (size_t)b * k] = V[b + (size_t)a * k] = s;
        }
    free(T);
}

int sf_ls_fit(const sf_ls_in *in, sf_ls_out *out)
{
    memset(out, 0, sizeof *out);
    size_t n = in->n;
    int k = in->k;
    const sf_ssc *ssc = in->ssc;
    double *R = NULL; /* regressors used in the bread and scores: X or Xhat */
    double *H = sf_malloc(sizeof(double) * (size_t)k * k + 8);
    double *Xty = sf_malloc(sizeof(double) * (size_t)k + 8);
    out->b = sf_calloc((size_t)k + 1, sizeof(double));
    out->V = sf_calloc((size_t)k * k + 1, sizeof(double));
    out->resid = sf_malloc(sizeof(double) * (n ? n : 1));
    out->rank_ok = 1;
    if (!in->Z) {
        R = in->X;
        crossprod(in->X, k, in->X, k, n, H);
        if (sf_spd_inverse(H, k)) goto singular;
        crossprod(in->X, k, in->y, 1, n, Xty);
    } else {
        int l = in->l;
        double *ZZ = sf_malloc(sizeof(double) * (size_t)l * l), *ZX = sf_malloc(sizeof(double) * (size_t)l * k);
        crossprod(in->Z, l, in->Z, l, n, ZZ);
        crossprod(in->Z, l, in->X, k, n, ZX);
        if (sf_spd_inverse(ZZ, l)) {
            free(ZZ);
            free(ZX);
            goto singular;
        }
        /* Pi = (Z'Z)^-1 Z'X (l x k); Xhat = Z Pi */
        double *Pi = sf_calloc((size_t)l * k, sizeof(double));
        for (int c = 0; c < k; c++)
            for (int a = 0; a < l; a++) {
                double s = 0;
                for (int b = 0; b < l; b++) s += ZZ[a + (size_t)b * l] * ZX[b + (size_t)c * l];
                Pi[a + (size_t)c * l] = s;
            }
        R = sf_calloc(n * (size_t)k + 1, sizeof(double));
        for (int c = 0; c < k; c++)
            for (int a = 0; a < l; a++) {
                double pa = Pi[a + (size_t)c * l];
                if (pa == 0) continue;
                const double *z = in->Z + (size_t)a * n;
                double *r = R + (size_t)c * n;
                for (size_t i = 0; i < n; i++) r[i] += pa * z[i];
            }
        free(ZZ);
        free(ZX);
        free(Pi);
        crossprod(R, k, R, k, n, H);
        if (sf_spd_inverse(H, k)) {
            free(R);
            R = NULL;
            goto singular;
        }
        crossprod(R, k, in->y, 1, n, Xty);
    }
    for (int a = 0; a < k; a++) {
        double s = 0;
        for (int b = 0; b < k; b++) s += H[a + (size_t)b * k] * Xty[b];
        out->b[a] = s;
    }
    double rss = 0;
    for (size_t i = 0; i < n; i++) {
        double f = 0;
        for (int c = 0; c < k; c++) f += in->X[i + (size_t)c * n] * out->b[c];
        out->resid[i] = in->y[i] - f;
        rss += out->resid[i] * out->resid[i];
    }
    out->rss = rss;
    int K = k + in->df_fe;
    out->K = K;
    double N = (double)n, dm = ssc->dofminus, sdm = ssc->sdofminus;
    double nsmall = N - K - dm - sdm;
    out->df_resid = nsmall;
    out->sigma2 = rss / (ssc->adj ? nsmall : N - dm);

    double *meat = sf_calloc((size_t)k * k + 1, sizeof(double));
    if (in->vcov == SF_V_IID) {
        for (size_t q = 0; q < (size_t)k * k; q++) out->V[q] = out->sigma2 * H[q];
    } else {
        double *S = sf_malloc(sizeof(double) * n * (size_t)k + 8);
        for (int c = 0; c < k; c++)
            for (size_t i = 0; i < n; i++) S[i + (size_t)c * n] = R[i + (size_t)c * n] * out->resid[i];
        if (in->vcov == SF_V_HC1) {
            double fac = ssc->adj ? N / nsmall : N / (N - dm);
            sf_meat_add(S, n, k, NULL, fac, meat);
        } else {
            cluster_meat(in, out, S, K, meat);
        }
        free(S);
        sandwich(H, meat, k, out->V);
        if (in->vcov == SF_V_CLUSTER && in->ncl > 1) {
            /* with absorbed FEs the constant only re-expresses the FE
             * level, and its own two-way variance may be negative: the
             * PSD repair is applied to the slopes' block (as fixest, which
             * has no constant there); without FEs to the whole matrix */
            int kf = in->psd_slopes_only && k > 1 ? k - 1 : k;
            double *Vs = sf_malloc(sizeof(double) * (size_t)kf * kf + 8);
            for (int a = 0; a < kf; a++)
                for (int b = 0; b < kf; b++) Vs[a + (size_t)b * kf] = out->V[a + (size_t)b * k];
            out->psd_fixed = sf_sym_psd_fix(Vs, kf);
            if (out->psd_fixed)
                for (int a = 0; a < kf; a++)
                    for (int b = 0; b < kf; b++) out->V[a + (size_t)b * k] = Vs[a + (size_t)b * kf];
            free(Vs);
        }
    }
    free(meat);
    if (R != in->X) free(R);
    free(H);
    free(Xty);
    return 0;
singular:
    out->rank_ok = 0;
    free(H);
    free(Xty);
    return -1;
}
