/* The distributed inversion and products (par/leontief.c) against a dense
 * LAPACK computation on the root, on a small heterogeneous table with a
 * zero-output sector, with a small block size so block-cyclic wrapping is
 * exercised. Runs on any number of ranks (tests/scripts/par_ranks.sh runs
 * it on 1-4); also checks the singular-table error, and on a 1 x 1 grid which
 * inversion ran: Gauss-Jordan (also for an I - A that is not column diagonally
 * dominant), LU with SF_INVERT=lu, after a refused singular pivot block (the
 * error still names the sector) and when the acceptance test refuses
 * Gauss-Jordan's B (SF_TEST_GJ_REJECT=1). */
#include <math.h>
#include <stdlib.h>

#include <lapacke.h>
#include <mpi.h>

#include "silkflow/grid.h"
#include "silkflow/par.h"
#include "testlib.h"

static void nan_fill(double *a, size_t k)
{
    for (size_t i = 0; i < k; i++) a[i] = NAN;
}

static int all_finite(const double *a, size_t k)
{
    for (size_t i = 0; i < k; i++)
        if (!isfinite(a[i])) return 0;
    return 1;
}

static unsigned long long rng = 88172645463325252ULL;
static double urand(void) { return t_xorshift(&rng); }

/* regions with 3, 5, 1, 4, 6 sectors */
static sf_labels *make_labels(void)
{
    static const int sizes[] = {3, 5, 1, 4, 6};
    sf_labels *lab = sf_calloc(1, sizeof *lab);
    lab->G = 5;
    lab->region_start = sf_malloc(sizeof(int) * 6);
    lab->region_start[0] = 0;
    for (int g = 0; g < 5; g++) lab->region_start[g + 1] = lab->region_start[g] + sizes[g];
    lab->n = lab->region_start[5];
    lab->region_code = sf_malloc(sizeof(char *) * 5);
    for (int g = 0; g < 5; g++) {
        char c[8];
        snprintf(c, sizeof c, "R%02d", g);
        lab->region_code[g] = sf_strdup(c);
    }
    lab->sector_region = sf_malloc(sizeof(int) * (size_t)lab->n);
    lab->sector_industry = sf_malloc(sizeof(int) * (size_t)lab->n);
    for (int g = 0; g < 5; g++)
        for (int i = lab->region_start[g]; i < lab->region_start[g + 1]; i++) {
            lab->sector_region[i] = g;
            lab->sector_industry[i] = i - lab->region_start[g] + 1;
        }
    return lab;
}

static int gj_runs; /* cases inverted by Gauss-Jordan */
enum { CASE_PLAIN, CASE_SINGULAR, CASE_NOT_DOMINANT, CASE_LU, CASE_REJECT };

static int run_case(const sf_grid *g, const sf_labels *lab, int mode, int nb)
{
    const int singular = mode == CASE_SINGULAR;
    const int n = lab->n, G = lab->G, focal = 3;
    const int root = g->rank == 0;
    sf_table t = {0};
    sf_derived d = {0};
    sf_rhs r = {0};
    sf_products p = {0};
    double *Bfull = NULL;
    if (root) {
        t.Z = sf_calloc((size_t)n * n, sizeof(double));
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                int same = lab->sector_region[i] == lab->sector_region[j];
                t.Z[i * n + j] = (same ? 10.0 : 1.0) * urand();
            }
        /* zero-output sector 6: empty row and column */
        for (int k = 0; k < n; k++) t.Z[6 * n + k] = t.Z[k * n + 6] = 0;
        d.n = n;
        d.G = G;
        d.x = sf_calloc((size_t)n, sizeof(double));
        d.v = sf_calloc((size_t)n, sizeof(double));
        d.zero = sf_calloc((size_t)n, 1);
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < n; j++) s += t.Z[i * n + j];
            d.x[i] = s + 20 * urand() + 5;
        }
        d.x[6] = 0;
        d.zero[6] = 1;
        if (singular) { /* sector 9 uses only its own output: A_99 = 1 */
            for (int k = 0; k < n; k++) t.Z[9 * n + k] = t.Z[k * n + 9] = 0;
            t.Z[9 * n + 9] = 7;
            d.x[9] = 7;
        }
        if (mode == CASE_NOT_DOMINANT) t.Z[0 * n + 2] = 2 * d.x[2]; /* A_02 = 2 */
        for (int j = 0; j < n; j++) d.v[j] = d.zero[j] ? 0 : 0.3 + 0.2 * urand();
        /* right-hand sides with the structure of sf_rhs_build: random Y, E */
        d.Y = sf_malloc(sizeof(double) * (size_t)n * G);
        d.E = sf_malloc(sizeof(double) * (size_t)n);
        for (int i = 0; i < n * G; i++) d.Y[i] = urand() - 0.2;
        for (int i = 0; i < n; i++) d.E[i] = urand();
        sf_rhs_build(lab, &d, focal, &r);
        /* products storage */
        p.n = n;
        p.G = G;
        p.focal = focal;
        p.nrhs = r.nrhs;
        p.BR = sf_calloc((size_t)n * (size_t)r.nrhs, sizeof(double));
        p.VBreg = sf_calloc((size_t)G * (size_t)n, sizeof(double));
        p.dstart = sf_malloc(sizeof(long) * (size_t)(G + 1));
        p.dstart[0] = 0;
        for (int k = 0; k < G; k++) {
            long Ng = lab->region_start[k + 1] - lab->region_start[k];
            p.dstart[k + 1] = p.dstart[k] + Ng * Ng;
        }
        p.Bdiag = sf_calloc((size_t)p.dstart[G], sizeof(double));
        int Nc = lab->region_start[focal + 1] - lab->region_start[focal];
        p.Bfrow = sf_calloc((size_t)Nc * (size_t)n, sizeof(double));
        p.Bfcol = sf_calloc((size_t)Nc * (size_t)n, sizeof(double));
        Bfull = sf_calloc((size_t)n * n, sizeof(double));
        /* NaN in every output: an entry the products do not write stays NaN (checked below) */
        nan_fill(p.BR, (size_t)n * (size_t)r.nrhs);
        nan_fill(p.VBreg, (size_t)G * (size_t)n);
        nan_fill(p.Bdiag, (size_t)p.dstart[G]);
        nan_fill(p.Bfrow, (size_t)Nc * (size_t)n);
        nan_fill(p.Bfcol, (size_t)Nc * (size_t)n);
    }
    sf_inv_info info;
    sf_err e = {0};
    if (mode == CASE_LU) setenv("SF_INVERT", "lu", 1);
    if (mode == CASE_REJECT) setenv("SF_TEST_GJ_REJECT", "1", 1);
    int rc = sf_par_year(g, nb, 2001, lab, root ? &t : NULL, root ? &d : NULL, root ? &r : NULL, focal, &p,
                         root ? Bfull : NULL, &info, &e);
    unsetenv("SF_INVERT");
    unsetenv("SF_TEST_GJ_REJECT");
    if (root && rc == SF_OK) {
        const int gj = g->size == 1 && (mode == CASE_PLAIN || mode == CASE_NOT_DOMINANT);
        const int Nc = lab->region_start[focal + 1] - lab->region_start[focal];
        CHECK_MSG(all_finite(p.BR, (size_t)n * (size_t)r.nrhs) && all_finite(p.VBreg, (size_t)G * (size_t)n) &&
                      all_finite(p.Bdiag, (size_t)p.dstart[G]) && all_finite(p.Bfrow, (size_t)Nc * (size_t)n) &&
                      all_finite(p.Bfcol, (size_t)Nc * (size_t)n),
                  "mode %d, %d ranks: an output entry was not written", mode, g->size);
        gj_runs += info.method == SF_INV_GAUSS_JORDAN;
        CHECK_MSG(info.method == (gj ? SF_INV_GAUSS_JORDAN : SF_INV_LU), "mode %d, %d ranks: method %d", mode, g->size,
                  info.method);
        /* Gauss-Jordan's exact 1 / (||I - A||_1 ||B||_1), LU's estimate is not below it */
        CHECK(gj ? fabs(info.rcond * info.anorm * info.bnorm - 1) < 1e-12 : info.rcond * info.anorm * info.bnorm >= 1 - 1e-12);
    }
    if (singular) {
        CHECK(rc == SF_EINTERNAL);
        if (root) {
            CHECK_MSG(strstr(e.msg, "year 2001") && strstr(e.msg, "sector 10"), "%s", e.msg);
        }
    } else if (root) {
        CHECK_MSG(rc == SF_OK, "%s", e.msg);
        /* dense reference */
        double *M = sf_calloc((size_t)n * n, sizeof(double));
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                M[i * n + j] = (i == j) - (d.zero[j] ? 0 : t.Z[i * n + j] / d.x[j]);
        int *ip = sf_malloc(sizeof(int) * (size_t)n);
        CHECK(LAPACKE_dgetrf(LAPACK_ROW_MAJOR, n, n, M, n, ip) == 0);
        CHECK(LAPACKE_dgetri(LAPACK_ROW_MAJOR, n, M, n, ip) == 0);
        double err = 0;
        for (int i = 0; i < n * n; i++) err = fmax(err, fabs(Bfull[i] - M[i]));
        CHECK_MSG(err < 1e-13, "B max error %g", err);
        double eBR = 0;
        for (int i = 0; i < n; i++)
            for (int c = 0; c < r.nrhs; c++) {
                double s = 0;
                for (int k = 0; k < n; k++) s += M[i * n + k] * r.rhs[k * r.nrhs + c];
                eBR = fmax(eBR, fabs(s - p.BR[i * r.nrhs + c]) / fmax(1, fabs(s)));
            }
        CHECK_MSG(eBR < 1e-13, "BR error %g", eBR);
        double eV = 0;
        for (int tt = 0; tt < G; tt++)
            for (int k = 0; k < n; k++) {
                double s = 0;
                for (int j = lab->region_start[tt]; j < lab->region_start[tt + 1]; j++) s += d.v[j] * M[j * n + k];
                eV = fmax(eV, fabs(s - p.VBreg[tt * n + k]));
            }
        CHECK_MSG(eV < 1e-13, "VBreg error %g", eV);
        double eD = 0;
        for (int gg = 0; gg < G; gg++) {
            int r0 = lab->region_start[gg], Ng = lab->region_start[gg + 1] - r0;
            for (int a = 0; a < Ng; a++)
                for (int b = 0; b < Ng; b++)
                    eD = fmax(eD, fabs(p.Bdiag[p.dstart[gg] + a * Ng + b] - Bfull[(r0 + a) * n + r0 + b]));
        }
        CHECK(eD == 0);
        int c0 = lab->region_start[focal], Nc = lab->region_start[focal + 1] - c0;
        double eF = 0;
        for (int a = 0; a < Nc; a++)
            for (int k = 0; k < n; k++) {
                eF = fmax(eF, fabs(p.Bfrow[a * n + k] - Bfull[(c0 + a) * n + k]));
                eF = fmax(eF, fabs(p.Bfcol[k * Nc + a] - Bfull[k * n + c0 + a]));
            }
        CHECK(eF == 0);
        CHECK(info.residual < 1e-13 && info.residual_scaled < 16 && !info.passed && info.rcond > 1e-6);
        CHECK(info.probe_columns >= Nc);
        /* zero-output sector: B column 6 is the unit vector */
        CHECK(Bfull[6 * n + 6] == 1.0);
        free(M);
        free(ip);
    } else {
        CHECK(rc == SF_OK);
    }
    if (root) {
        free(t.Z);
        free(d.x);
        free(d.v);
        free(d.zero);
        free(d.Y);
        free(d.E);
        sf_rhs_free(&r);
        free(p.BR);
        free(p.VBreg);
        free(p.dstart);
        free(p.Bdiag);
        free(p.Bfrow);
        free(p.Bfcol);
        free(Bfull);
    }
    return 0;
}

int main(int argc, char **argv)
{
    sf_par_init(&argc, &argv);
    int P = sf_par_size();
    sf_labels *lab = make_labels();
    int years[1] = {2001};
    sf_plan plan;
    sf_plan_make(P, years, 1, P, &plan); /* one group with all ranks */
    sf_grid g;
    sf_grid_create(&plan, MPI_COMM_WORLD, &g);
    CHECK(g.size == P && g.nprow * g.npcol == P);
    int nbs[] = {2, 3, 64};
    for (int k = 0; k < 3; k++) run_case(&g, lab, CASE_PLAIN, nbs[k]);
    run_case(&g, lab, CASE_SINGULAR, 4);
    run_case(&g, lab, CASE_NOT_DOMINANT, 3);
    run_case(&g, lab, CASE_LU, 3);
    run_case(&g, lab, CASE_REJECT, 3);
    if (P == 1) CHECK_MSG(gj_runs == 4, "Gauss-Jordan ran %d times, want 4", gj_runs);
    sf_grid_free(&g);
    sf_plan_free(&plan);
    /* plans for several world sizes: every rank in exactly one group */
    int ys[5] = {1, 2, 3, 4, 5};
    for (int w = 1; w <= 9; w++)
        for (int k = 0; k <= 3; k++) {
            sf_plan q;
            sf_plan_make(w, ys, 5, k, &q);
            CHECK(q.first[0] == 0 && q.first[q.ngroups] == w && q.ngroups <= 5 && q.ngroups >= 1);
            for (int gg = 0; gg < q.ngroups; gg++) CHECK(q.first[gg + 1] > q.first[gg]);
            if (k == 0) CHECK(q.ngroups == (w < 5 ? w : 5));
            sf_plan_free(&q);
        }
    sf_labels_free(lab);
    int fails = t_failures;
    MPI_Allreduce(MPI_IN_PLACE, &fails, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    t_failures = fails;
    int rank = sf_par_rank();
    sf_par_finalize();
    if (rank != 0) return t_failures ? 1 : 0;
    TEST_MAIN_END();
}
