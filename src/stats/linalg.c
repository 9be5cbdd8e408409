/* Small dense linear algebra for the estimator (k x k matrices, k small):
 * Cholesky inverse, symmetric eigen (LAPACK), pseudo-inverse, PSD repair,
 * and the sandwich "meat" of score rows summed by group. */
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats_internal.h"

int sf_spd_inverse(double *A, int k)
{
    if (k == 0) return 0;
    for (size_t i = 0; i < (size_t)k * k; i++)
        if (!isfinite(A[i])) return -1;
    /* A = L L' (dpotrf: info > 0 when a pivot is not positive), then A^-1 from L (dpotri) */
    if (LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', k, A, k) != 0) return -1;
    if (LAPACKE_dpotri(LAPACK_COL_MAJOR, 'L', k, A, k) != 0) return -1;
    for (int j = 0; j < k; j++)
        for (int i = j + 1; i < k; i++) A[j + (size_t)i * k] = A[i + (size_t)j * k];
    return 0;
}

int sf_sym_eigen(double *A, int k, double *w)
{
    if (k == 0) return 0;
    lapack_int info = LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'V', 'L', k, A, k, w);
    return info == 0 ? 0 : -1;
}

int sf_sym_pinv(double *A, int k, double tol)
{
    if (k == 0) return 0;
    double *U = sf_malloc(sizeof(double) * (size_t)k * k), *w = sf_malloc(sizeof(double) * (size_t)k);
    memcpy(U, A, sizeof(double) * (size_t)k * k);
    if (sf_sym_eigen(U, k, w)) {
        free(U);
        free(w);
        return -1;
    }
    double mx = 0;
    for (int i = 0; i < k; i++)
        if (fabs(w[i]) > mx) mx = fabs(w[i]);
    int rank = 0;
    for (int i = 0; i < k; i++) {
        if (w[i] > tol * mx) {
            w[i] = 1.0 / w[i];
            rank++;
        } else
            w[i] = 0;
    }
    memset(A, 0, sizeof(double) * (size_t)k * k);
    for (int p = 0; p < k; p++) {
        if (w[p] == 0) continue;
        const double *u = U + (size_t)p * k;
        for (int j = 0; j < k; j++) {
            double uj = u[j] * w[p];
            if (uj == 0) continue;
            double *col = A + (size_t)j * k;
            for (int i = 0; i < k; i++) col[i] += u[i] * uj;
        }
    }
    free(U);
    free(w);
    return rank;
}

int sf_sym_psd_fix(double *A, int k)
{
    if (k == 0) return 0;
    double *U = sf_malloc(sizeof(double) * (size_t)k * k), *w = sf_malloc(sizeof(double) * (size_t)k);
    memcpy(U, A, sizeof(double) * (size_t)k * k);
    int changed = 0;
    if (sf_sym_eigen(U, k, w) == 0) {
        for (int i = 0; i < k; i++)
            if (w[i] < 0) changed = 1;
        if (changed) {
            memset(A, 0, sizeof(double) * (size_t)k * k);
            for (int p = 0; p < k; p++) {
                if (w[p] <= 0) continue;
                const double *u = U + (size_t)p * k;
                for (int j = 0; j < k; j++)
                    for (int i = 0; i < k; i++) A[i + (size_t)j * k] += w[p] * u[i] * u[j];
            }
        }
    }
    free(U);
    free(w);
    return changed;
}

void sf_meat_add(const double *S, size_t n, int k, const sf_group *g, double factor, double *out)
{
    if (!g) {
        for (int a = 0; a < k; a++)
            for (int b = a; b < k; b++) {
                const double *sa = S + (size_t)a * n, *sb = S + (size_t)b * n;
                double s = 0;
                for (size_t i = 0; i < n; i++) s += sa[i] * sb[i];
                out[a + (size_t)b * k] += factor * s;
                if (a != b) out[b + (size_t)a * k] += factor * s;
            }
        return;
    }
    size_t G = (size_t)g->nlev;
    double *sum = sf_calloc(G * (size_t)k + 1, sizeof(double)); /* G x k, row-major by group */
    for (int a = 0; a < k; a++) {
        const double *sa = S + (size_t)a * n;
        for (size_t i = 0; i < n; i++) sum[(size_t)g->id[i] * k + a] += sa[i];
    }
    for (size_t h = 0; h < G; h++) {
        const double *s = sum + h * k;
        for (int a = 0; a < k; a++)
            for (int b = 0; b < k; b++) out[a + (size_t)b * k] += factor * s[a] * s[b];
    }
    free(sum);
}

int sf_sym_ginv_sweep(double *A, int k)
{
    if (k == 0) return 0;
    int w = 2 * k;
    double *M = sf_calloc((size_t)k * w, sizeof(double)); /* row-major [A | I] */
    double mx = 0;
    for (int i = 0; i < k; i++) {
        for (int j = 0; j < k; j++) M[(size_t)i * w + j] = A[i + (size_t)j * k];
        M[(size_t)i * w + k + i] = 1;
        if (fabs(A[i + (size_t)i * k]) > mx) mx = fabs(A[i + (size_t)i * k]);
    }
    double tol = mx * sqrt(2.220446049250313e-16);
    unsigned char *piv = sf_calloc((size_t)k, 1);
    int rank = 0;
    for (int step = 0; step < k; step++) {
        int best = -1;
        for (int i = 0; i < k; i++)
            if (!piv[i] && (best < 0 || M[(size_t)i * w + i] > M[(size_t)best * w + best])) best = i;
        if (best < 0 || !(M[(size_t)best * w + best] > tol)) break;
        double d = M[(size_t)best * w + best];
        for (int j = 0; j < w; j++) M[(size_t)best * w + j] /= d;
        for (int i = 0; i < k; i++) {
            if (i == best) continue;
            double f = M[(size_t)i * w + best];
            if (f == 0) continue;
            for (int j = 0; j < w; j++) M[(size_t)i * w + j] -= f * M[(size_t)best * w + j];
        }
        piv[best] = 1;
        rank++;
    }
    for (int i = 0; i < k; i++)
        for (int j = 0; j < k; j++)
            A[i + (size_t)j * k] = (piv[i] && piv[j]) ? 0.5 * (M[(size_t)i * w + k + j] + M[(size_t)j * w + k + i]) : 0.0;
    free(M);
    free(piv);
    return rank;
}

int sf_sym_badly_conditioned(const double *V, int k)
{
    if (k == 0) return 0;
    double *C = sf_malloc(sizeof(double) * (size_t)k * k), *w = sf_malloc(sizeof(double) * (size_t)k);
    for (int i = 0; i < k; i++)
        if (!(V[i + (size_t)i * k] > 0)) {
            free(C);
            free(w);
            return 1;
        }
    for (int i = 0; i < k; i++)
        for (int j = 0; j < k; j++)
            C[i + (size_t)j * k] = V[i + (size_t)j * k] / sqrt(V[i + (size_t)i * k] * V[j + (size_t)j * k]);
    int bad = 1;
    if (sf_sym_eigen(C, k, w) == 0 && w[k - 1] > 0) bad = w[0] / w[k - 1] < sqrt(2.220446049250313e-16);
    free(C);
    free(w);
    return bad;
}

void sf_matvec2(const double *Q, int L, const double *w0, const double *w1, double *u0, double *u1)
{
    memset(u0, 0, sizeof(double) * (size_t)L);
    memset(u1, 0, sizeof(double) * (size_t)L);
    for (int b = 0; b < L; b++) {
        double a0 = w0[b], a1 = w1[b];
        if (a0 == 0 && a1 == 0) continue;
        const double *col = Q + (size_t)b * L;
        for (int a = 0; a < L; a++) {
            u0[a] += col[a] * a0;
            u1[a] += col[a] * a1;
        }
    }
}
