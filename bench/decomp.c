/* Benchmark of the decomposition assembly (sf_decompose, sf_routes) at Eora26
 * size: G = 190 regions (189 x 26 sectors + ROW x 1), n = 4915. Inputs are
 * random but well conditioned (column sums of A about 0.5), the products of B
 * are random numbers (no inversion: the assembly cost is what is measured).
 * A dense dgemm of n x n x G in the same run is the yardstick; the inversion
 * of I - A costs about 2 n^3 flops, i.e. 2n/G such dgemms.
 *
 *   decomp [regions sectors_per_region reps]     (defaults 190 26 3)
 * Prints one "name median_seconds" line per measurement and the ratios. */
#include <cblas.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "silkflow/decomp.h"
#include "silkflow/mrio.h"

static uint64_t rs_state = 42;
static double urand(void)
{
    uint64_t z = (rs_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1.0p-53;
}

static sf_labels *make_labels(int G, int N)
{
    sf_labels *lab = sf_calloc(1, sizeof *lab);
    lab->G = G;
    lab->region_code = sf_calloc((size_t)G, sizeof(char *));
    lab->region_code_raw = sf_calloc((size_t)G, sizeof(char *));
    lab->region_name = sf_calloc((size_t)G, sizeof(char *));
    lab->region_start = sf_calloc((size_t)G + 1, sizeof(int));
    char buf[64];
    for (int g = 0; g < G; g++) {
        snprintf(buf, sizeof buf, "R%03d", g);
        lab->region_code[g] = sf_strdup(buf);
        lab->region_code_raw[g] = sf_strdup(buf);
        lab->region_name[g] = sf_strdup(buf);
        lab->region_start[g + 1] = lab->region_start[g] + (g == G - 1 ? 1 : N); /* ROW: 1 sector */
    }
    const int n = lab->region_start[G];
    lab->n = n;
    lab->max_sectors = N;
    lab->sector_region = sf_calloc((size_t)n, sizeof(int));
    lab->sector_industry = sf_calloc((size_t)n, sizeof(int));
    lab->sector_name = sf_calloc((size_t)n, sizeof(char *));
    for (int g = 0; g < G; g++)
        for (int k = lab->region_start[g]; k < lab->region_start[g + 1]; k++) {
            lab->sector_region[k] = g;
            lab->sector_industry[k] = k - lab->region_start[g] + 1;
            snprintf(buf, sizeof buf, "R%03d.S%d", g, lab->sector_industry[k]);
            lab->sector_name[k] = sf_strdup(buf);
        }
    lab->nfd = G;
    lab->fd_region = sf_calloc((size_t)G, sizeof(int));
    lab->fd_name = sf_calloc((size_t)G, sizeof(char *));
    for (int f = 0; f < G; f++) {
        lab->fd_region[f] = f;
        lab->fd_name[f] = sf_strdup("FD");
    }
    return lab;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int m)
{
    qsort(v, (size_t)m, sizeof *v, cmp_d);
    return m % 2 ? v[m / 2] : 0.5 * (v[m / 2 - 1] + v[m / 2]);
}

int main(int argc, char **argv)
{
    const int G = argc > 1 ? atoi(argv[1]) : 190, N = argc > 2 ? atoi(argv[2]) : 26;
    const int reps = argc > 3 ? atoi(argv[3]) : 3;
    if (G < 3 || N < 1 || reps < 1 || reps > 99) {
        fprintf(stderr, "usage: decomp [regions>=3 sectors>=1 reps 1..99]\n");
        return 1;
    }
    sf_labels *lab = make_labels(G, N);
    const int n = lab->n;
    const size_t NN = (size_t)n;
    printf("decomp bench: G=%d n=%d reps=%d\n", G, n, reps);

    /* table: Z with row sums about half of x, final demand the other half */
    sf_table t = {0};
    t.lab = lab;
    t.Z = sf_malloc(NN * NN * sizeof(double));
    t.F = sf_calloc(NN * (size_t)G, sizeof(double));
    for (int i = 0; i < n; i++) {
        const int s = lab->sector_region[i];
        for (int j = 0; j < n; j++) t.Z[i * NN + j] = urand() * (lab->sector_region[j] == s ? 40.0 : 0.5);
        for (int f = 0; f < G; f++) t.F[i * (size_t)G + f] = urand() * (f == s ? 2000.0 : 5.0) + 1.0;
    }
    sf_derived d;
    sf_derive(&t, SF_VA_DERIVED, 1e-9, &d);

    /* random products (focal region 0, as the panel stage needs) */
    sf_products p;
    sf_products_alloc(lab, 0, &p);
    for (size_t i = 0; i < NN * (size_t)p.nrhs; i++) p.BR[i] = urand() * 100;
    for (size_t i = 0; i < (size_t)G * NN; i++) p.VBreg[i] = urand() / G;
    for (long i = 0; i < p.dstart[G]; i++) p.Bdiag[i] = urand() * 0.1;
    const int nc = lab->region_start[1];
    for (size_t i = 0; i < NN * (size_t)nc; i++) p.Bfrow[i] = p.Bfcol[i] = urand() * 0.1;

    double tc[99], ts[99], tr[99], tg[99];
    sf_err e = {0};
    double chk = 0;
    for (int r = 0; r < reps; r++) {
        sf_decomp out;
        sf_decomp_opts o = {.store_sector = 0};
        double t0 = sf_now();
        if (sf_decompose(lab, &t, &d, &p, &o, &out, &e) != SF_OK) {
            fprintf(stderr, "%s\n", e.msg);
            return 2;
        }
        tc[r] = sf_now() - t0;
        chk += out.wwz_country[16 * 1 + 3];
        sf_decomp_free(&out);
        o.store_sector = 1;
        t0 = sf_now();
        if (sf_decompose(lab, &t, &d, &p, &o, &out, &e) != SF_OK) return 2;
        ts[r] = sf_now() - t0;
        chk += out.wwz_sector[100];
        sf_decomp_free(&out);
    }
    /* routes: focal region with every partner, both directions */
    double *rt = sf_malloc((size_t)5 * N * sizeof(double));
    for (int r = 0; r < reps; r++) {
        double t0 = sf_now();
        for (int b = 1; b < G; b++) {
            if (sf_routes(lab, &t, &d, &p, 0, b, rt, &e) != SF_OK || sf_routes(lab, &t, &d, &p, b, 0, rt, &e) != SF_OK) {
                fprintf(stderr, "%s\n", e.msg);
                return 2;
            }
            chk += rt[0];
        }
        tr[r] = sf_now() - t0;
    }
    free(rt);
    /* yardstick: one dense n x n x G dgemm (reuse Z as the n x n operand) */
    double *C = sf_malloc(NN * (size_t)G * sizeof(double));
    for (int r = 0; r < reps; r++) {
        double t0 = sf_now();
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, G, n, 1.0, t.Z, n, d.Y, G, 0.0, C, G);
        tg[r] = sf_now() - t0;
        chk += C[7];
    }
    free(C);
    const double mc = median(tc, reps), ms = median(ts, reps), mr = median(tr, reps), mg = median(tg, reps);
    const double gemm_flops = 2.0 * n * (double)n * G, inv_flops = 2.0 * n * (double)n * n;
    const double inv_est = mg * inv_flops / gemm_flops;
    printf("decompose_country %.4f\n", mc);
    printf("decompose_sector  %.4f\n", ms);
    printf("routes_all_pairs  %.4f   (%d calls)\n", mr, 2 * (G - 1));
    printf("dgemm_nxnxG       %.4f   (%.2f GFLOP/s)\n", mg, gemm_flops / mg * 1e-9);
    printf("inversion_est     %.4f   (2 n^3 flops at the dgemm rate)\n", inv_est);
    printf("ratio decompose_country / dgemm      %.3f\n", mc / mg);
    printf("ratio decompose_country / inversion  %.4f\n", mc / inv_est);
    printf("ratio decompose_sector / inversion   %.4f\n", ms / inv_est);
    printf("(checksum %.6g)\n", chk);
    sf_products_free(&p);
    sf_derived_free(&d);
    t.lab = NULL;
    sf_table_free(&t);
    sf_labels_free(lab);
    return 0;
}
