/* Dense inverse by blocked Gauss-Jordan elimination (docs/hpc.md "Inversion").
 *
 * B = M^-1 in place, M column-major. Each step k takes the nb x nb pivot block
 * K, inverts it (LAPACK, partial pivoting inside the block) and eliminates
 * block column K from every other row at once:
 *
 *   P = M_KK^-1,  C = M_:K,  R = P M_K:  with R_KK = I + P instead of P M_KK = I
 *   M_O: -= C_O: R   for the rows O outside K (two (n - nb) x n x nb dgemms,
 *                    above and below K: nearly all the flops)
 *   M_K: = R outside K,  M_KK = P
 *
 * The columns K come out of the same product: M_OK - C_OK (I + P) = -C_OK P,
 * their Gauss-Jordan value, so no product is spent on zeroed rows or columns:
 * 2 n^3 flops exactly (2 (n - nb) n nb per step, 2 nb^2 n for R), like LU +
 * inverse (dgetrf + dgetri), but nearly all of them in two large dgemm shapes,
 * where dgetri spends its time in narrow ones: faster on the same cores
 * (bench/README.md). No pivoting between blocks: the caller
 * uses it for column diagonally dominant I - A (Leontief matrices: columns of
 * A summing to < 1), where Gaussian elimination needs no pivoting and its
 * growth factor is at most 2; a pivot block that is singular or badly
 * conditioned is reported, not used, so the caller can fall back to LU. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>

#include "silkflow/decomp.h"

/* pivot blocks with a reciprocal condition below this are refused */
#define GJ_RCOND_MIN 1e-10

/* P (bb x bb, column-major) := P^-1; 0, or the 1-based column of P at which it
 * is singular or too badly conditioned (then P is undefined) */
static int invert_pivot(int bb, double *P, int *ipiv, double *w, int *iw)
{
    const double pn = LAPACKE_dlange_work(LAPACK_COL_MAJOR, '1', bb, bb, P, bb, w);
    int info = LAPACKE_dgetrf_work(LAPACK_COL_MAJOR, bb, bb, P, bb, ipiv);
    if (info != 0) return info > 0 ? info : 1;
    double rc = 0;
    LAPACKE_dgecon_work(LAPACK_COL_MAJOR, '1', bb, P, bb, pn, &rc, w, iw);
    if (!(rc >= GJ_RCOND_MIN)) return 1;
    info = LAPACKE_dgetri_work(LAPACK_COL_MAJOR, bb, P, bb, ipiv, w, bb * bb);
    return info != 0 ? 1 : 0;
}

int sf_gj_invert(int n, double *M, int ld, int nb, int *bad)
{
    if (nb < 1) nb = SF_GJ_BLOCK;
    if (nb > n) nb = n > 0 ? n : 1;
    const size_t N = (size_t)n, LD = (size_t)ld;
    double *C = sf_aligned_alloc(sizeof(double) * N * (size_t)nb);
    double *R = sf_aligned_alloc(sizeof(double) * N * (size_t)nb);
    double *P = sf_malloc(sizeof(double) * (size_t)nb * (size_t)nb);
    double *w = sf_malloc(sizeof(double) * (size_t)(nb * nb > 4 * nb ? nb * nb : 4 * nb));
    int *ipiv = sf_malloc(sizeof(int) * (size_t)nb), *iw = sf_malloc(sizeof(int) * (size_t)nb);
    int rc = 0;
    for (int k = 0; k < n && rc == 0; k += nb) {
        const int bb = n - k < nb ? n - k : nb;
        const size_t K = (size_t)k, BB = (size_t)bb;
        for (size_t j = 0; j < BB; j++) memcpy(P + j * BB, M + (K + j) * LD + K, sizeof(double) * BB);
        const int piv = invert_pivot(bb, P, ipiv, w, iw);
        if (piv) {
            if (bad) *bad = k + piv - 1;
            rc = 1;
            break;
        }
        for (size_t j = 0; j < BB; j++) memcpy(C + j * N, M + (K + j) * LD, sizeof(double) * N);
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, bb, n, bb, 1.0, P, bb, M + K, ld, 0.0, R, bb);
        for (size_t j = 0; j < BB; j++) /* R_KK = I + P: the columns K in the same product */
            for (size_t i = 0; i < BB; i++) R[(K + j) * BB + i] = P[j * BB + i] + (i == j ? 1.0 : 0.0);
        const int below = n - k - bb;
        if (k > 0) cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, k, n, bb, -1.0, C, n, R, bb, 1.0, M, ld);
        if (below > 0)
            cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, below, n, bb, -1.0, C + K + BB, n, R, bb, 1.0,
                        M + K + BB, ld);
        for (size_t j = 0; j < N; j++)
            memcpy(M + j * LD + K, j < K || j >= K + BB ? R + j * BB : P + (j - K) * BB, sizeof(double) * BB);
    }
    free(C);
    free(R);
    free(P);
    free(w);
    free(ipiv);
    free(iw);
    return rc;
}
