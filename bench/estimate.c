/* Benchmark of the estimation engine: one full regression (data assembly,
 * FE absorption, OLS, cluster VCV) of a 17,424-row panel with 147 FE levels
 * (121 partners + 8 industries + 18 years) and 968 pair clusters, against
 * the wild cluster restricted bootstrap of its key coefficient with 9,999
 * replicates (p-value and test-inversion CI), and a pairs cluster bootstrap
 * of a mediation indirect effect. Prints the median of R runs of each.
 *   usage: estimate [runs] [B] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "silkflow/frame.h"
#include "silkflow/stats.h"
#include "silkflow/stats_boot.h"

static double gauss(uint64_t s, uint64_t i)
{
    double u1 = sf_rng_unif(s, i, 0), u2 = sf_rng_unif(s, i, 1);
    if (u1 < 1e-300) u1 = 1e-300;
    return sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);
}

static sf_frame *make_panel(void)
{
    int P = 121, I = 8, T = 18;
    size_t n = (size_t)P * I * T, r = 0;
    sf_frame *f = sf_frame_new(n);
    char **partner = sf_frame_add_str(f, "partner");
    double *ind = sf_frame_add_num(f, "industry"), *yr = sf_frame_add_num(f, "year");
    const char *xn[9] = {"ITR", "GVC_P", "GVC_D", "RCA_D", "POL", "ECO", "CUL", "DIS", "FTA"};
    double *x[9];
    for (int j = 0; j < 9; j++) x[j] = sf_frame_add_num(f, xn[j]);
    double *y = sf_frame_add_num(f, "IC"), *m = sf_frame_add_num(f, "RVC");
    for (int p = 0; p < P; p++)
        for (int i = 0; i < I; i++)
            for (int t = 0; t < T; t++, r++) {
                char code[8];
                snprintf(code, sizeof code, "P%03d", p);
                partner[r] = sf_strdup(code);
                ind[r] = 4 + i;
                yr[r] = 2003 + t;
                for (int j = 0; j < 9; j++) x[j][r] = gauss(10 + j, r) + 0.1 * p / P;
                m[r] = 0.1 * x[0][r] + gauss(30, r);
                y[r] = 0.6 * x[0][r] + 0.3 * m[r] + 0.05 * x[1][r] + 0.01 * p + 0.1 * i + 0.02 * t + gauss(31, r) +
                       0.3 * gauss(32, (uint64_t)(p * I + i));
            }
    return f;
}

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(double), cmpd);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static double run(const sf_frame *f, const char *text, long B, double *stat)
{
    sf_models m;
    sf_err e = {0};
    if (sf_models_parse_text(text, "bench.models", &m, &e)) {
        fprintf(stderr, "%s\n", e.msg);
        exit(2);
    }
    sf_est_opts o;
    sf_est_opts_default(&o);
    o.boot_reps = B;
    o.boot_override = 1;
    sf_fit **fits = NULL;
    int nf = 0;
    double t0 = sf_now();
    if (sf_estimate_section(f, &m.m[0], &o, &fits, &nf, &e)) {
        fprintf(stderr, "%s\n", e.msg);
        exit(2);
    }
    double dt = sf_now() - t0;
    if (stat) *stat = fits[nf - 1]->boot_p;
    for (int i = 0; i < nf; i++) sf_fit_free(fits[i]);
    free(fits);
    sf_models_free(&m);
    return dt;
}

int main(int argc, char **argv)
{
    int R = argc > 1 ? atoi(argv[1]) : 5;
    long B = argc > 2 ? atol(argv[2]) : 9999;
    if (R < 1) R = 1;
    sf_frame *f = make_panel();
    const char *ols = "[m]\nformula = IC ~ ITR + GVC_P + GVC_D + RCA_D + POL + ECO + CUL + DIS + FTA | industry + partner + "
                      "year\nvcov = cluster(pair)\nbootstrap = wcr\n";
    /* the pairs engine as the mediation uses it: V = [controls, X, M, Y],
     * three coefficients per replicate (beta1, gamma3, total effect) */
    size_t n = f->nrow;
    const char *vn[12] = {"GVC_P", "GVC_D", "RCA_D", "POL", "ECO", "CUL", "DIS", "FTA", "ITR", "RVC", "IC"};
    double *V = malloc(sizeof(double) * n * 11);
    for (int j = 0; j < 11; j++) memcpy(V + (size_t)j * n, sf_frame_col(f, vn[j])->num, sizeof(double) * n);
    sf_group fe[3], cl;
    sf_err e = {0};
    sf_group_from_frame(f, "industry", &fe[0], &e);
    sf_group_from_frame(f, "partner", &fe[1], &e);
    sf_group_from_frame(f, "year", &fe[2], &e);
    sf_group_from_frame(f, "pair", &cl, &e);
    sf_pairs_req rq[3] = {{9, 8}, {10, 9}, {10, 8}};
    double *t_fit = malloc(sizeof(double) * R), *t_wcr = malloc(sizeof(double) * R), *t_med = malloc(sizeof(double) * R),
           *t_med0 = malloc(sizeof(double) * R);
    long Bp = B / 10 > 0 ? B / 10 : 1;
    double p = NAN;
    for (int r = 0; r < R; r++) {
        t_fit[r] = run(f, ols, 0, NULL);
        t_wcr[r] = run(f, ols, B, &p) - t_fit[r];
        sf_pairs_in in = {n, fe, 3, V, 11, &cl, rq, 3, Bp, 1, 0, 1, NULL};
        double *vals = malloc(sizeof(double) * 3 * (size_t)Bp);
        double t0 = sf_now();
        sf_pairs(&in, vals, &e);
        t_med[r] = sf_now() - t0;
        t_med0[r] = vals[0];
        free(vals);
    }
    double mf = median(t_fit, R), mw = median(t_wcr, R), mm = median(t_med, R);
    printf("estimate bench: %zu rows, 147 FE levels, 968 clusters, 10 regressors, median of %d runs\n", f->nrow, R);
    printf("  one full regression (assembly, absorption, OLS, cluster VCV): %8.4f s\n", mf);
    printf("  WCR bootstrap, %ld replicates (p-value + CI inversion):     %8.4f s  = %.1f regressions, %.1f us/replicate\n",
           B, mw, mw / mf, 1e6 * mw / B);
    printf("  pairs bootstrap (mediation: 3 coefficients), %ld replicates: %8.4f s  = %.1f regressions, %.1f us/replicate\n",
           Bp, mm, mm / mf, 1e6 * mm / Bp);
    printf("  (WCR p-value of the key coefficient: %.4f)\n", p);
    free(t_fit);
    free(t_wcr);
    free(t_med);
    free(t_med0);
    free(V);
    for (int q = 0; q < 3; q++) sf_group_free(&fe[q]);
    sf_group_free(&cl);
    sf_frame_free(f);
    return 0;
}
