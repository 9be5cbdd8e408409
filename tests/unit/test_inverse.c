/* Blocked Gauss-Jordan inverse (core/inverse.c, sf_gj_invert) against LAPACK
 * dgetrf + dgetri: random column diagonally dominant Leontief-like matrices
 * of sizes that are and are not multiples of the block, blocks of 1 to more
 * than n; a pivot block that needs pivoting inside it; the residual
 * max |M B - I|; and the refusal of a singular pivot block (with its column). */
#include <cblas.h>
#include <lapacke.h>

#include "silkflow/decomp.h"
#include "testlib.h"

static unsigned long long rng = 0x9E3779B97F4A7C15ULL;
static double urand(void) { return t_xorshift(&rng); }

/* I - A, column-major, A >= 0 with 20% zeros and column sums in [0.3, 0.9) */
static double *leontief(int n)
{
    double *M = sf_malloc(sizeof(double) * (size_t)n * (size_t)n);
    for (int j = 0; j < n; j++) {
        double s = 0, *c = M + (size_t)j * n;
        for (int i = 0; i < n; i++) s += c[i] = urand() < 0.2 ? 0 : urand();
        const double cs = 0.3 + 0.6 * urand();
        for (int i = 0; i < n; i++) c[i] = (i == j) - (s > 0 ? c[i] * cs / s : 0);
    }
    return M;
}

/* max |X - Y| / max |Y| and max |M X - I| */
static void compare(int n, const double *M, const double *X, const double *Y, double *rel, double *res)
{
    double d = 0, mx = 0;
    for (size_t i = 0; i < (size_t)n * n; i++) {
        d = fmax(d, fabs(X[i] - Y[i]));
        mx = fmax(mx, fabs(Y[i]));
    }
    *rel = d / mx;
    double *P = sf_malloc(sizeof(double) * (size_t)n * n);
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, M, n, X, n, 0.0, P, n);
    double r = 0;
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) r = fmax(r, fabs(P[(size_t)j * n + i] - (i == j)));
    *res = r;
    free(P);
}

static double *lapack_inverse(int n, const double *M)
{
    double *Y = sf_malloc(sizeof(double) * (size_t)n * n);
    memcpy(Y, M, sizeof(double) * (size_t)n * n);
    int *ip = sf_malloc(sizeof(int) * (size_t)n);
    CHECK(LAPACKE_dgetrf(LAPACK_COL_MAJOR, n, n, Y, n, ip) == 0);
    CHECK(LAPACKE_dgetri(LAPACK_COL_MAJOR, n, Y, n, ip) == 0);
    free(ip);
    return Y;
}

static void random_case(int n, int nb)
{
    double *M = leontief(n), *X = sf_malloc(sizeof(double) * (size_t)n * n), *Y = lapack_inverse(n, M);
    memcpy(X, M, sizeof(double) * (size_t)n * n);
    int bad = -7;
    CHECK_MSG(sf_gj_invert(n, X, n, nb, &bad) == 0 && bad == -7, "n %d nb %d refused at %d", n, nb, bad);
    double rel, res;
    compare(n, M, X, Y, &rel, &res);
    CHECK_MSG(rel < 1e-14 && res < 1e-13, "n %d nb %d: relative difference to LAPACK %g, residual %g", n, nb, rel, res);
    free(M);
    free(X);
    free(Y);
}

int main(void)
{
    const int ns[] = {1, 2, 7, 64, 200, 451};
    const int nbs[] = {0, 1, 3, 64, 500};
    for (size_t a = 0; a < sizeof ns / sizeof *ns; a++)
        for (size_t b = 0; b < sizeof nbs / sizeof *nbs; b++) random_case(ns[a], nbs[b]);

    /* a leading block that needs a row swap inside it: [[0 1] [1 0]] on top of a Leontief matrix */
    const int n = 50;
    double *M = leontief(n);
    M[0] = 0, M[1] = 1, M[n] = 1, M[n + 1] = 0;
    for (int i = 2; i < n; i++) M[i] = M[(size_t)n + i] = 0;
    for (int j = 2; j < n; j++) M[(size_t)j * n] = M[(size_t)j * n + 1] = 0;
    double *X = sf_malloc(sizeof(double) * (size_t)n * n), *Y = lapack_inverse(n, M), rel, res;
    memcpy(X, M, sizeof(double) * (size_t)n * n);
    CHECK(sf_gj_invert(n, X, n, 8, NULL) == 0);
    compare(n, M, X, Y, &rel, &res);
    CHECK_MSG(rel < 1e-14 && res < 1e-13, "swap inside a block: %g, residual %g", rel, res);

    /* singular pivot block: column 13 all zero (a sector whose inputs exhaust its output) */
    free(M);
    M = leontief(n);
    for (int i = 0; i < n; i++) M[(size_t)13 * n + i] = 0;
    memcpy(X, M, sizeof(double) * (size_t)n * n);
    int bad = -1;
    CHECK(sf_gj_invert(n, X, n, 8, &bad) == 1);
    CHECK_MSG(bad >= 8 && bad <= 15, "singular block reported at column %d, want the block of column 13", bad);
    free(M);
    free(X);
    free(Y);
    TEST_MAIN_END();
}
