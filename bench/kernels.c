/* Dense kernels on the BLACS grid of all ranks, for bench/scale.sh and the
 * performance model of docs/hpc.md: pdgemm (the machine's practical peak),
 * pdgetrf, pdgetri, and the alternative inverse by pdgetrs against the
 * identity; with one rank also LAPACK dgetrf + dgetri on the same matrix.
 *   usage: mpirun -n P kernels N NB [REPEAT]
 * Prints "kernel seconds gflops" lines (median of REPEAT) on rank 0, under a
 * header that names the BLAS and its kernel (bench/blas.sh compares kernels). */
#include <lapacke.h>
#include <math.h>
#include <mpi.h>
#include <stdlib.h>
#include <string.h>

#include "silkflow/common.h"
#include "silkflow/grid.h"
#include "silkflow/scalapack.h"
#include "silkflow/version.h"

void dgemm_(const char *ta, const char *tb, const int *m, const int *n, const int *k, const double *alpha,
            const double *a, const int *lda, const double *b, const int *ldb, const double *beta, double *c,
            const int *ldc);

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmpd);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* a diagonally dominant matrix like I - A, filled by global index */
static void fill(double *loc, int mloc, int nloc, int lld, int nb, int myrow, int mycol, int nprow, int npcol, int n)
{
    for (int jl = 0; jl < nloc; jl++) {
        int j = (jl / nb) * npcol * nb + mycol * nb + jl % nb;
        for (int il = 0; il < mloc; il++) {
            int i = (il / nb) * nprow * nb + myrow * nb + il % nb;
            unsigned long long h = (unsigned long long)i * 2654435761ULL ^ (unsigned long long)j * 40503ULL;
            h ^= h >> 13;
            h *= 0x9E3779B97F4A7C15ULL;
            double u = (double)(h >> 11) / 9007199254740992.0;
            loc[(size_t)jl * lld + il] = (i == j ? 1.0 : 0.0) - u * 0.5 / n;
        }
    }
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int P, me;
    MPI_Comm_size(MPI_COMM_WORLD, &P);
    MPI_Comm_rank(MPI_COMM_WORLD, &me);
    if (argc < 3) {
        if (!me) fprintf(stderr, "usage: kernels N NB [REPEAT]\n");
        MPI_Finalize();
        return 1;
    }
    int n = atoi(argv[1]), nb = atoi(argv[2]), rep = argc > 3 ? atoi(argv[3]) : 3;
    int years[1] = {0};
    sf_plan plan;
    sf_plan_make(P, years, 1, P, &plan);
    sf_grid g;
    sf_grid_create(&plan, MPI_COMM_WORLD, &g);
    int zero = 0, one = 1, info;
    int mloc = numroc_(&n, &nb, &g.myrow, &zero, &g.nprow), nloc = numroc_(&n, &nb, &g.mycol, &zero, &g.npcol);
    int lld = mloc > 1 ? mloc : 1;
    int desc[9];
    descinit_(desc, &n, &n, &nb, &nb, &zero, &zero, &g.ctxt, &lld, &info);
    size_t sz = (size_t)lld * (size_t)(nloc > 0 ? nloc : 1);
    double *A = sf_aligned_alloc(sz * 8), *Bm = sf_aligned_alloc(sz * 8), *C = sf_aligned_alloc(sz * 8);
    int *ipiv = sf_malloc(sizeof(int) * (size_t)(mloc + nb));
    double *t_gemm = sf_malloc(sizeof(double) * (size_t)rep), *t_trf = sf_malloc(sizeof(double) * (size_t)rep),
           *t_tri = sf_malloc(sizeof(double) * (size_t)rep), *t_trs = sf_malloc(sizeof(double) * (size_t)rep),
           *t_lap = sf_malloc(sizeof(double) * (size_t)rep);
    const double done = 1.0, dzero = 0.0;
    const double nn = (double)n;
    for (int r = 0; r < rep; r++) {
        fill(A, mloc, nloc, lld, nb, g.myrow, g.mycol, g.nprow, g.npcol, n);
        fill(Bm, mloc, nloc, lld, nb, g.myrow, g.mycol, g.nprow, g.npcol, n);
        MPI_Barrier(MPI_COMM_WORLD);
        double t0 = MPI_Wtime();
        pdgemm_("N", "N", &n, &n, &n, &done, A, &one, &one, desc, Bm, &one, &one, desc, &dzero, C, &one, &one, desc);
        MPI_Barrier(MPI_COMM_WORLD);
        t_gemm[r] = MPI_Wtime() - t0;
        /* getrf + getri */
        fill(A, mloc, nloc, lld, nb, g.myrow, g.mycol, g.nprow, g.npcol, n);
        MPI_Barrier(MPI_COMM_WORLD);
        t0 = MPI_Wtime();
        pdgetrf_(&n, &n, A, &one, &one, desc, ipiv, &info);
        MPI_Barrier(MPI_COMM_WORLD);
        t_trf[r] = MPI_Wtime() - t0;
        memcpy(C, A, sz * 8); /* keep the LU for the trs variant */
        int lwork = -1, liwork = -1, iwq;
        double wq;
        pdgetri_(&n, A, &one, &one, desc, ipiv, &wq, &lwork, &iwq, &liwork, &info);
        lwork = (int)wq + 1;
        liwork = iwq + 1;
        double *w = sf_malloc(sizeof(double) * (size_t)lwork);
        int *iw = sf_malloc(sizeof(int) * (size_t)liwork);
        MPI_Barrier(MPI_COMM_WORLD);
        t0 = MPI_Wtime();
        pdgetri_(&n, A, &one, &one, desc, ipiv, w, &lwork, iw, &liwork, &info);
        MPI_Barrier(MPI_COMM_WORLD);
        t_tri[r] = MPI_Wtime() - t0;
        free(w);
        free(iw);
        /* inverse by solving against the identity with the same LU */
        for (int jl = 0; jl < nloc; jl++) {
            int j = (jl / nb) * g.npcol * nb + g.mycol * nb + jl % nb;
            for (int il = 0; il < mloc; il++) {
                int i = (il / nb) * g.nprow * nb + g.myrow * nb + il % nb;
                Bm[(size_t)jl * lld + il] = i == j;
            }
        }
        MPI_Barrier(MPI_COMM_WORLD);
        t0 = MPI_Wtime();
        pdgetrs_("N", &n, &n, C, &one, &one, desc, ipiv, Bm, &one, &one, desc, &info);
        MPI_Barrier(MPI_COMM_WORLD);
        t_trs[r] = MPI_Wtime() - t0;
        t_lap[r] = NAN;
        if (P == 1) {
            fill(A, mloc, nloc, lld, nb, 0, 0, 1, 1, n);
            t0 = MPI_Wtime();
            LAPACKE_dgetrf(LAPACK_COL_MAJOR, n, n, A, lld, ipiv);
            LAPACKE_dgetri(LAPACK_COL_MAJOR, n, A, lld, ipiv);
            t_lap[r] = MPI_Wtime() - t0;
        }
    }
    if (!me) {
        double g1 = median(t_gemm, rep), f1 = median(t_trf, rep), i1 = median(t_tri, rep), s1 = median(t_trs, rep);
        char blas[512];
        sf_blas_summary(blas, sizeof blas);
        printf("grid %dx%d n %d nb %d (medians of %d), %s\n", g.nprow, g.npcol, n, nb, rep, blas);
        printf("pdgemm        %8.3f s %8.1f GFLOP/s\n", g1, 2 * nn * nn * nn / g1 / 1e9);
        printf("pdgetrf       %8.3f s %8.1f GFLOP/s\n", f1, 2.0 / 3 * nn * nn * nn / f1 / 1e9);
        printf("pdgetri       %8.3f s %8.1f GFLOP/s\n", i1, 4.0 / 3 * nn * nn * nn / i1 / 1e9);
        printf("pdgetrs(I)    %8.3f s %8.1f GFLOP/s\n", s1, 2 * nn * nn * nn / s1 / 1e9);
        printf("inverse trf+tri %6.3f s  trf+trs(I) %6.3f s\n", f1 + i1, f1 + s1);
        if (P == 1) {
            double l1 = median(t_lap, rep);
            printf("lapack getrf+getri %6.3f s %8.1f GFLOP/s\n", l1, 2 * nn * nn * nn / l1 / 1e9);
        }
    }
    sf_grid_free(&g);
    sf_plan_free(&plan);
    MPI_Finalize();
    return 0;
}
