/* The BLAS kernel this process runs (OPENBLAS_CORETYPE, or OpenBLAS's or
 * silkflow's choice) and its speed, for bench/blas.sh: DGEMM at n x n, and
 * LAPACK dgetrf + dgetri (the Leontief inversion of one rank) at INV_N.
 *   usage: blas N REPEAT [INV_N]
 * Prints one line: "kernel K threads T dgemm N GFLOPS getri INV_N SECONDS"
 * (medians of REPEAT; getri only with INV_N > 0, once). */
#include <lapacke.h>
#include <stdio.h>
#include <stdlib.h>

#include "silkflow/common.h"
#include "silkflow/version.h"

void dgemm_(const char *ta, const char *tb, const int *m, const int *n, const int *k, const double *alpha,
            const double *a, const int *lda, const double *b, const int *ldb, const double *beta, double *c,
            const int *ldc);

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* a diagonally dominant matrix like I - A */
static void fill(double *a, int n)
{
    for (size_t j = 0; j < (size_t)n; j++)
        for (size_t i = 0; i < (size_t)n; i++) {
            unsigned long long h = i * 2654435761ULL ^ j * 40503ULL;
            h ^= h >> 13;
            h *= 0x9E3779B97F4A7C15ULL;
            a[j * (size_t)n + i] = (i == j ? 1.0 : 0.0) - (double)(h >> 11) / 9007199254740992.0 * 0.5 / n;
        }
}

int main(int argc, char **argv)
{
    if (sf_blas_startup(&argc, argv)) return 1;
    if (argc < 3) {
        fputs("usage: blas N REPEAT [INV_N]\n", stderr);
        return 1;
    }
    int n = atoi(argv[1]), rep = atoi(argv[2]), ninv = argc > 3 ? atoi(argv[3]) : 0;
    if (n < 1 || rep < 1) return 1;
    sf_blas_info b;
    sf_blas_query(&b);
    size_t sz = (size_t)n * (size_t)n;
    double *A = sf_aligned_alloc(sz * 8), *B = sf_aligned_alloc(sz * 8), *C = sf_aligned_alloc(sz * 8);
    fill(A, n);
    fill(B, n);
    const double one = 1.0, zero = 0.0;
    double *t = sf_malloc(sizeof(double) * (size_t)rep);
    dgemm_("N", "N", &n, &n, &n, &one, A, &n, B, &n, &zero, C, &n); /* warm-up: threads, pages */
    for (int r = 0; r < rep; r++) {
        double t0 = sf_now();
        dgemm_("N", "N", &n, &n, &n, &one, A, &n, B, &n, &zero, C, &n);
        t[r] = sf_now() - t0;
    }
    qsort(t, (size_t)rep, sizeof *t, cmpd);
    double med = rep % 2 ? t[rep / 2] : 0.5 * (t[rep / 2 - 1] + t[rep / 2]);
    printf("kernel %s threads %d dgemm %d %.1f", b.kernel, b.threads, n, 2.0 * n * n * (double)n / med / 1e9);
    free(A);
    free(B);
    free(C);
    if (ninv > 0) {
        double *M = sf_aligned_alloc((size_t)ninv * (size_t)ninv * 8);
        lapack_int *ipiv = sf_malloc(sizeof(lapack_int) * (size_t)ninv);
        fill(M, ninv);
        double t0 = sf_now();
        int info = LAPACKE_dgetrf(LAPACK_COL_MAJOR, ninv, ninv, M, ninv, ipiv);
        if (!info) info = LAPACKE_dgetri(LAPACK_COL_MAJOR, ninv, M, ninv, ipiv);
        printf(" getri %d %.3f%s", ninv, sf_now() - t0, info ? " (failed)" : "");
        free(M);
        free(ipiv);
    }
    printf("\n");
    free(t);
    return 0;
}
