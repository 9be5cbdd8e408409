/* Baseline for bench/year.sh: LAPACK dgetrf + dgetri of I - A for one year of
 * a release (read with silkflow's reader), on the cores OpenBLAS is given;
 * or, with gj:NB, silkflow's blocked Gauss-Jordan (sf_gj_invert, pivot blocks
 * of NB; 0: SF_GJ_BLOCK) of the same matrix, for choosing the block.
 *   usage: lapack_inverse FORMAT PATH PREFIX YEAR [REPEAT [gj:NB]]
 * Prints one line per repetition: "lapack_inverse SECONDS GFLOPS" (or
 * "gauss_jordan NB SECONDS GFLOPS"). */
#include <lapacke.h>
#include <stdlib.h>
#include <string.h>

#include "silkflow/decomp.h"
#include "silkflow/mrio.h"

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s FORMAT PATH PREFIX YEAR [REPEAT]\n", argv[0]);
        return 1;
    }
    sf_source src = {.format = argv[1], .path = argv[2], .prefix = argv[3], .price = "bp"};
    int year = atoi(argv[4]), rep = argc > 5 ? atoi(argv[5]) : 1;
    const int gj = argc > 6 && strncmp(argv[6], "gj:", 3) == 0, nb = gj ? atoi(argv[6] + 3) : 0;
    sf_err e = {0};
    sf_labels *lab = NULL;
    sf_table t = {0};
    if (sf_labels_read(&src, year, &lab, &e) || sf_table_read(&src, year, lab, &t, &e)) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    t.lab = lab;
    sf_derived d;
    sf_derive(&t, SF_VA_DERIVED, 1e-9, &d);
    const int n = lab->n;
    const size_t N = (size_t)n;
    double *M = sf_malloc(sizeof(double) * N * N);
    lapack_int *ipiv = sf_malloc(sizeof(lapack_int) * N);
    for (int r = 0; r < rep; r++) {
        /* column-major M^T (the row-major Z read as is): same cost as M */
        for (size_t i = 0; i < N; i++)
            for (size_t j = 0; j < N; j++) M[i * N + j] = (i == j) - (d.zero[j] ? 0 : t.Z[i * N + j] / d.x[j]);
        double t0 = sf_now();
        int info = 0;
        if (gj) {
            info = sf_gj_invert(n, M, n, nb, NULL);
        } else {
            info = LAPACKE_dgetrf(LAPACK_COL_MAJOR, n, n, M, n, ipiv);
            if (!info) info = LAPACKE_dgetri(LAPACK_COL_MAJOR, n, M, n, ipiv);
        }
        double dt = sf_now() - t0;
        if (info) {
            fprintf(stderr, "%s info %d\n", gj ? "Gauss-Jordan" : "LAPACK", info);
            return 2;
        }
        if (gj) printf("gauss_jordan %d %.3f %.1f\n", nb > 0 ? nb : SF_GJ_BLOCK, dt, 2.0 * n * (double)n * n / dt / 1e9);
        else printf("lapack_inverse %.3f %.1f\n", dt, 2.0 * n * (double)n * n / dt / 1e9);
        fflush(stdout);
    }
    free(M);
    free(ipiv);
    sf_derived_free(&d);
    sf_table_free(&t);
    sf_labels_free(lab);
    return 0;
}
