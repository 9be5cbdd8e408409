/* Unit tests of the estimation engine on small constructed data, against
 * identities and brute-force computations:
 *   distributions (known quantiles), winsorise / min-max, the counter RNG;
 *   FE absorption vs a dense dummy-variable projection (3 unbalanced FEs);
 *   iterative singleton dropping, FE rank (connected components);
 *   lags with gaps, interactions, log(), subsets, collinearity report;
 *   mediation arithmetic (total = direct + beta1 * gamma3 exactly);
 *   the pairs engine's coefficients vs OLS with FEs;
 *   the fast WCR vs a brute-force WCR that re-estimates every replicate
 *   with dummy variables (full enumeration: p-values must be identical);
 *   models-file errors name the file, the line and the token. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "silkflow/frame.h"
#include "silkflow/stats.h"
#include "silkflow/stats_boot.h"
#include "../../src/stats/stats_internal.h"
#include "testlib.h"

/* ---------------------------------------------------------------- helpers */
static double gauss(uint64_t seed, uint64_t i)
{
    double u1 = sf_rng_unif(seed, i, 0), u2 = sf_rng_unif(seed, i, 1);
    if (u1 < 1e-300) u1 = 1e-300;
    return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

static sf_fit **estimate_text(const sf_frame *f, const char *text, int *n, sf_err *e, int *rc)
{
    sf_models m;
    sf_fit **fits = NULL;
    *n = 0;
    *rc = sf_models_parse_text(text, "unit.models", &m, e);
    if (*rc) return NULL;
    sf_est_opts o;
    sf_est_opts_default(&o);
    o.boot_reps = 0;
    for (int i = 0; i < m.n && !*rc; i++) *rc = sf_estimate_section(f, &m.m[i], &o, &fits, n, e);
    sf_models_free(&m);
    return fits;
}

static void free_fits(sf_fit **f, int n)
{
    for (int i = 0; i < n; i++) sf_fit_free(f[i]);
    free(f);
}

static int ci(const sf_fit *f, const char *name)
{
    for (int i = 0; i < f->k; i++)
        if (!strcmp(f->coef[i], name)) return i;
    return -1;
}

/* dense least squares residual of y on the columns of A (n x p) via pinv */
static void dense_resid(const double *A, int p, size_t n, const double *y, double *r)
{
    double *AA = calloc((size_t)p * p, sizeof(double)), *Ay = calloc((size_t)p, sizeof(double));
    for (int a = 0; a < p; a++) {
        for (int b = 0; b < p; b++)
            for (size_t i = 0; i < n; i++) AA[a + (size_t)b * p] += A[i + a * n] * A[i + b * n];
        for (size_t i = 0; i < n; i++) Ay[a] += A[i + a * n] * y[i];
    }
    sf_sym_pinv(AA, p, 1e-12);
    for (size_t i = 0; i < n; i++) {
        double f = 0;
        for (int a = 0; a < p; a++) {
            double c = 0;
            for (int b = 0; b < p; b++) c += AA[a + (size_t)b * p] * Ay[b];
            f += A[i + a * n] * c;
        }
        r[i] = y[i] - f;
    }
    free(AA);
    free(Ay);
}

/* ---------------------------------------------------------------- tests */
static void test_dist(void)
{
    CHECK_NEAR(sf_dist_t_p2(2.0, 10), 0.07338803, 1e-7);
    CHECK_NEAR(sf_dist_t_p2(1.959963984540054, 0), 0.05, 1e-12);
    CHECK_NEAR(sf_dist_t_q(0.025, 10), 2.228138851986, 1e-9);
    CHECK_NEAR(sf_dist_t_q(0.025, 0), 1.959963984540054, 1e-9);
    CHECK_NEAR(sf_dist_chi2_sf(3.841458820694124, 1), 0.05, 1e-10);
    CHECK_NEAR(sf_dist_chi2_sf(10, 4), 0.04042768199451279, 1e-10);
    CHECK_NEAR(sf_dist_f_sf(3.492828, 2, 20), 0.05, 1e-6);
    CHECK_NEAR(sf_dist_f_sf(2.0, 3, 0) , sf_dist_chi2_sf(6.0, 3), 1e-12);
    /* deep tail: relative accuracy */
    double p = sf_dist_t_p2(15.9287, 170);
    CHECK(p > 1e-36 && p < 1e-34);
}

static void test_prep(void)
{
    double x[102];
    for (int i = 0; i < 100; i++) x[i] = i + 1;
    x[100] = NAN;
    x[101] = 1000;
    double lo, hi;
    /* 101 finite values 1..100, 1000 */
    long ch = sf_winsorize(x, 102, 1.0, &lo, &hi);
    CHECK_NEAR(lo, 2.0, 1e-12); /* h = 100 * 0.01 = 1 -> second order statistic */
    CHECK_NEAR(hi, 100.0, 1e-12);
    CHECK(ch == 2 && x[0] == 2 && x[101] == 100 && isnan(x[100]));
    double mn, mx;
    CHECK(sf_minmax_normalize(x, 102, &mn, &mx) == 0);
    CHECK(mn == 2 && mx == 100 && x[0] == 0 && x[101] == 1 && isnan(x[100]));
    double c[3] = {5, 5, NAN};
    CHECK(sf_minmax_normalize(c, 3, &mn, &mx) == -1 && c[0] == 5);
    /* RNG: deterministic, counter-dependent, roughly uniform */
    CHECK(sf_rng_u64(1, 2, 3) == sf_rng_u64(1, 2, 3));
    CHECK(sf_rng_u64(1, 2, 3) != sf_rng_u64(1, 2, 4) && sf_rng_u64(1, 2, 3) != sf_rng_u64(1, 3, 3));
    double s = 0;
    for (int i = 0; i < 100000; i++) s += sf_rng_unif(9, (uint64_t)i, 0);
    CHECK_NEAR(s / 100000, 0.5, 0.005);
}

static void test_absorb(void)
{
    size_t n = 400;
    sf_group g[3];
    int L[3] = {13, 7, 5};
    for (int f = 0; f < 3; f++) {
        g[f].n = n;
        g[f].nlev = L[f];
        g[f].id = malloc(sizeof(int) * n);
    }
    double *y = malloc(sizeof(double) * n), *y0 = malloc(sizeof(double) * n);
    for (size_t i = 0; i < n; i++) {
        /* unbalanced: skewed level frequencies */
        g[0].id[i] = (int)(sf_rng_u64(3, i, 0) % 13);
        g[1].id[i] = (int)((sf_rng_u64(3, i, 1) % 100) < 60 ? 0 : 1 + sf_rng_u64(3, i, 2) % 6);
        g[2].id[i] = (int)(sf_rng_u64(3, i, 3) % 5);
        y[i] = y0[i] = gauss(5, i) + g[0].id[i] * 0.3 - g[1].id[i] + 2.0 * g[2].id[i];
    }
    sf_absorb a;
    sf_absorb_init(&a, g, 3, n, NULL);
    sf_absorb_demean(&a, y, 1);
    CHECK(a.not_converged == 0);
    /* dense: dummies of all three FEs (rank deficient; pinv) */
    int p = 13 + 7 + 5;
    double *D = calloc(n * (size_t)p, sizeof(double)), *r = malloc(sizeof(double) * n);
    for (size_t i = 0; i < n; i++) {
        D[i + (size_t)g[0].id[i] * n] = 1;
        D[i + (size_t)(13 + g[1].id[i]) * n] = 1;
        D[i + (size_t)(20 + g[2].id[i]) * n] = 1;
    }
    dense_resid(D, p, n, y0, r);
    double md = 0, ny = 0;
    for (size_t i = 0; i < n; i++) {
        md = fmax(md, fabs(r[i] - y[i]));
        ny = fmax(ny, fabs(y0[i]));
    }
    CHECK_MSG(md < 1e-10 * ny, "absorb vs dense: max diff %g", md);
    /* FE rank: exact for 2 FEs (connected), conservative for 3 */
    CHECK(sf_fe_rank(g, 2, NULL) == 13 + 7 - 1);
    CHECK(sf_fe_rank(g, 3, NULL) == 13 + 7 - 1 + 5 - 1);
    unsigned char skip[3] = {1, 0, 0};
    CHECK(sf_fe_rank(g, 3, skip) == 7 + 5 - 1);
    sf_absorb_free(&a);
    /* two components: levels {0,1} of a only meet level 0 of b, {2} meets {1} */
    sf_group A = {4, (int[]){0, 1, 2, 2}, 3}, B = {4, (int[]){0, 0, 1, 1}, 2};
    CHECK(sf_group_components(&A, &B) == 2);
    sf_group two[2] = {A, B};
    CHECK(sf_fe_rank(two, 2, NULL) == 3 + 2 - 2);
    CHECK(sf_group_nested(&A, &B) == 1 && sf_group_nested(&B, &A) == 0);
    for (int f = 0; f < 3; f++) free(g[f].id);
    free(y);
    free(y0);
    free(D);
    free(r);
}

static void test_singletons(void)
{
    /* FE1 levels: a a b c c d ; FE2 levels: x y y z z z
     * pass 1: b (FE1 once) and x (FE2 once) -> rows 2 and 0; d once -> row 5
     * pass 2: row 1 (a now once) ; pass 3: y now once? row 1 gone, row 2 gone -> none left with y
     * remaining rows 3, 4 (c, z) */
    int f1[6] = {0, 0, 1, 2, 2, 3}, f2[6] = {0, 1, 1, 2, 2, 2};
    sf_group g[2] = {{6, f1, 4}, {6, f2, 3}};
    unsigned char keep[6] = {1, 1, 1, 1, 1, 1};
    size_t d = sf_singletons_drop(g, 2, keep, 6);
    CHECK(d == 4);
    CHECK(!keep[0] && !keep[1] && !keep[2] && keep[3] && keep[4] && !keep[5]);
}

/* a small panel frame: unit u (1..U), time t (2001..2010) with a gap */
static sf_frame *panel(size_t *nrow)
{
    int U = 12, T = 10;
    size_t n = 0, cap = (size_t)U * T;
    sf_frame *f = sf_frame_new(cap);
    double *u = sf_frame_add_num(f, "u"), *t = sf_frame_add_num(f, "year"), *x = sf_frame_add_num(f, "x"),
           *d = sf_frame_add_num(f, "D"), *y = sf_frame_add_num(f, "y"), *z = sf_frame_add_num(f, "z"),
           *ind = sf_frame_add_num(f, "industry"), *m = sf_frame_add_num(f, "M"), *w = sf_frame_add_num(f, "w"),
           *xx = sf_frame_add_num(f, "x2"), *cst = sf_frame_add_num(f, "indconst"), *iv = sf_frame_add_num(f, "iv"),
           *d1 = sf_frame_add_num(f, "ind1"), *d2 = sf_frame_add_num(f, "ind2"), *q = sf_frame_add_num(f, "q");
    char **p = sf_frame_add_str(f, "partner");
    static const char *codes[4] = {"CHN", "DEU", "FRA", "IND"};
    for (int a = 0; a < U; a++)
        for (int b = 0; b < T; b++) {
            if (a == 3 && b == 5) continue; /* gap: unit 3 has no 2006 */
            u[n] = a + 1;
            t[n] = 2001 + b;
            x[n] = gauss(11, n) + 0.1 * a;
            d[n] = (a % 2);
            ind[n] = a % 3;
            p[n] = sf_strdup(codes[a % 4]);
            w[n] = gauss(12, n);
            n++;
        }
    /* y = 1.5 * L.x + 2 x:D + FE + small noise; needs the lag, so fill after */
    for (size_t i = 0; i < n; i++) {
        double lag = NAN;
        for (size_t j = 0; j < n; j++)
            if (u[j] == u[i] && t[j] == t[i] - 1) lag = x[j];
        y[i] = isnan(lag) ? 0.0 : 1.5 * lag + 2.0 * x[i] * d[i] + 0.3 * u[i] + 0.01 * gauss(13, i);
        m[i] = 0.7 * x[i] + 0.2 * w[i] + 0.1 * gauss(14, i);
        z[i] = 0.5 * x[i] + 0.8 * m[i] + 0.3 * w[i] + 0.2 * u[i] + gauss(15, i);
        xx[i] = 2 * x[i];
        cst[i] = 3.0 + ind[i];
        iv[i] = 0.8 * x[i] + 0.5 * gauss(16, i);
        d1[i] = ind[i] == 1;
        d2[i] = ind[i] == 2;
        q[i] = 0.4 * x[i] + 0.3 * w[i] + ind[i] + gauss(17, i) * (1 + x[i] * x[i]);
    }
    f->nrow = n; /* shrink: the columns keep their larger allocation */
    *nrow = n;
    return f;
}

static void test_models_on_panel(void)
{
    size_t n;
    sf_frame *f = panel(&n);
    CHECK(n == 119);
    sf_err e = {0};
    int nf, rc;
    /* lags with a gap: rows 2001 (12) and the row after the gap (1) have no lag */
    sf_fit **r = estimate_text(f,
                               "[lag]\nformula = y ~ L.x + x:D | u\npanel = u, year\nvcov = hc1\nbootstrap = none\n",
                               &nf, &e, &rc);
    CHECK_MSG(rc == 0, "%s", e.msg);
    if (!rc) {
        CHECK(r[0]->N == 119 - 13);
        CHECK(r[0]->n_missing == 13);
        CHECK(ci(r[0], "L.x") == 0 && ci(r[0], "x:D") == 1);
        CHECK_NEAR(r[0]->b[0], 1.5, 0.01);
        CHECK_NEAR(r[0]->b[1], 2.0, 0.01);
        free_fits(r, nf);
    }
    /* lags need a unique (unit, time) */
    r = estimate_text(f, "[lag]\nformula = y ~ L.x\npanel = D, year\nvcov = hc1\nbootstrap = none\n", &nf, &e, &rc);
    CHECK(rc == SF_EUSER && strstr(e.msg, "two rows for the same unit and time"));
    free_fits(r, nf);
    /* subset by partner (string column) */
    FILE *fp = fopen("build/tests/unit_subset.txt", "w");
    fprintf(fp, "# two codes\nCHN\n  DEU  # trailing comment\n\n");
    fclose(fp);
    r = estimate_text(f,
                      "[s]\nformula = z ~ x | u\nsubset = build/tests/unit_subset.txt\nvcov = cluster(u)\nbootstrap = none\n",
                      &nf, &e, &rc);
    CHECK_MSG(rc == 0, "%s", e.msg);
    if (!rc) {
        /* units 1,2,5,6,9,10 (codes CHN, DEU) x 10 years */
        CHECK(r[0]->N == 60 && r[0]->n_subset == 59);
        CHECK(r[0]->n_clusters[0] == 6);
        free_fits(r, nf);
    }
    /* collinearity: x2 = 2 x (collinear), indconst constant within industry (absorbed) */
    r = estimate_text(f, "[c]\nformula = z ~ x + x2 + indconst + w | industry\nvcov = iid\nbootstrap = none\n", &nf, &e,
                      &rc);
    CHECK_MSG(rc == 0, "%s", e.msg);
    if (!rc) {
        CHECK(r[0]->k == 3 && ci(r[0], "x") == 0 && ci(r[0], "w") == 1 && ci(r[0], "_cons") == 2);
        CHECK(r[0]->ndropped == 2);
        CHECK(r[0]->ndropped == 2 && strstr(r[0]->dropped[0], "x2 (collinear"));
        CHECK(r[0]->ndropped == 2 && strstr(r[0]->dropped[1], "indconst (absorbed by the fixed effects)"));
        free_fits(r, nf);
    }
    /* mediation: total = direct + beta1 * gamma3 exactly (same sample, same FEs) */
    r = estimate_text(f, "[med]\nformula = z ~ x + w | u + industry\nmediator = M\nvcov = cluster(u)\nbootstrap = none\n",
                      &nf, &e, &rc);
    CHECK_MSG(rc == 0, "%s", e.msg);
    if (!rc) {
        CHECK(nf == 3 && r[0]->role == SF_ROLE_MED_M && r[1]->role == SF_ROLE_MED_Y && r[2]->role == SF_ROLE_MED_TOTAL);
        const sf_fit *fy = r[1];
        double direct = fy->b[ci(fy, "x")];
        CHECK_NEAR(fy->med_beta1, r[0]->b[ci(r[0], "x")], 1e-14);
        CHECK_NEAR(fy->med_gamma3, fy->b[ci(fy, "M")], 1e-14);
        CHECK_NEAR(fy->med_indirect, fy->med_beta1 * fy->med_gamma3, 1e-14);
        CHECK_NEAR(fy->med_total, direct + fy->med_indirect, 1e-10);
        CHECK_NEAR(fy->med_share, fy->med_indirect / fy->med_total, 1e-12);
        CHECK(ci(fy, "M") == 1); /* mediator printed right after X */
        free_fits(r, nf);
    }
    /* singletons are dropped (reghdfe) or kept (fixest) */
    r = estimate_text(f, "[s]\nformula = z ~ x | u + year\nsubset = build/tests/unit_subset.txt\nvcov = iid\nbootstrap = none\n",
                      &nf, &e, &rc);
    CHECK(rc == 0 && r[0]->n_singletons == 0);
    free_fits(r, nf);
    sf_frame_free(f);
}

/* absorbing a FE equals including its dummies: OLS and 2SLS, iid and
 * HC1, coefficients, SEs and the IV diagnostics (K and L count the FE) */
static void test_fe_vs_dummies(void)
{
    size_t n;
    sf_frame *f = panel(&n);
    sf_err e = {0};
    const char *pairs[][2] = {
        {"[a]\nformula = q ~ x + w | industry\nvcov = iid\nbootstrap = none\n",
         "[a]\nformula = q ~ x + w + ind1 + ind2\nvcov = iid\nbootstrap = none\n"},
        {"[a]\nformula = q ~ w | industry | x ~ iv\nvcov = hc1\nbootstrap = none\n",
         "[a]\nformula = q ~ w + ind1 + ind2 | x ~ iv\nvcov = hc1\nbootstrap = none\n"},
        {"[a]\nformula = q ~ w | industry | x ~ iv\nvcov = iid\nbootstrap = none\n",
         "[a]\nformula = q ~ w + ind1 + ind2 | x ~ iv\nvcov = iid\nbootstrap = none\n"},
    };
    for (int c = 0; c < 3; c++) {
        int na, nb, rca, rcb;
        sf_fit **A = estimate_text(f, pairs[c][0], &na, &e, &rca), **B = estimate_text(f, pairs[c][1], &nb, &e, &rcb);
        CHECK_MSG(rca == 0 && rcb == 0, "%s", e.msg);
        if (rca || rcb) continue;
        const sf_fit *a = A[na - 1], *b = B[nb - 1];
        const char *names[2] = {"x", "w"};
        for (int q = 0; q < 2; q++) {
            int ia = ci(a, names[q]), ib = ci(b, names[q]);
            CHECK(ia >= 0 && ib >= 0);
            CHECK_NEAR(a->b[ia], b->b[ib], 1e-10);
            CHECK_NEAR(a->se[ia], b->se[ib], 1e-10);
        }
        CHECK(a->K == b->K);
        CHECK_NEAR(a->r2, b->r2, 1e-12);
        if (a->is_iv) {
            CHECK_NEAR(a->idstat, b->idstat, 1e-8);
            CHECK_NEAR(a->cdf, b->cdf, 1e-8);
            if (!isnan(b->kpf)) CHECK_NEAR(a->kpf, b->kpf, 1e-8);
            CHECK_NEAR(A[0]->F, B[0]->F, 1e-8); /* first-stage F */
        }
        free_fits(A, na);
        free_fits(B, nb);
    }
    sf_frame_free(f);
}

static void test_pairs_point(void)
{
    size_t n;
    sf_frame *f = panel(&n);
    sf_err e = {0};
    int nf, rc;
    sf_fit **r = estimate_text(f, "[p]\nformula = z ~ w + x | u + industry\nvcov = cluster(u)\nbootstrap = none\n", &nf, &e, &rc);
    CHECK(rc == 0);
    sf_group g[2];
    sf_group_from_frame(f, "u", &g[0], &e);
    sf_group_from_frame(f, "industry", &g[1], &e);
    double *V = malloc(sizeof(double) * n * 3);
    memcpy(V, sf_frame_col(f, "w")->num, sizeof(double) * n);
    memcpy(V + n, sf_frame_col(f, "x")->num, sizeof(double) * n);
    memcpy(V + 2 * n, sf_frame_col(f, "z")->num, sizeof(double) * n);
    sf_pairs_req rq = {2, 1};
    sf_pairs_in in = {n, g, 2, V, 3, &g[0], &rq, 1, 0, 1, 0, 1, NULL};
    double v;
    CHECK(sf_pairs_point(&in, &v, &e) == 0);
    CHECK_NEAR(v, r[0]->b[ci(r[0], "x")], 1e-10);
    /* replicates are reproducible and the engine's spread is plausible */
    in.B = 50;
    double a[50], b[50];
    CHECK(sf_pairs(&in, a, &e) == 0 && sf_pairs(&in, b, &e) == 0);
    CHECK(!memcmp(a, b, sizeof a));
    double mean = 0;
    for (int i = 0; i < 50; i++) mean += a[i] / 50;
    CHECK_NEAR(mean, v, 0.2);
    free(V);
    sf_group_free(&g[0]);
    sf_group_free(&g[1]);
    free_fits(r, nf);
    sf_frame_free(f);
}

/* brute-force WCR: every Rademacher draw re-estimated with dense dummies */
static double brute_wcr_p(size_t n, const double *y, const double *x1, const double *x2, const int *fe, int L,
                          const int *cl, int G, double r, double *t_out)
{
    int p = 2 + L; /* x1, x2, dummies (rank deficient when combined with nothing: fine, no constant) */
    double *A = calloc(n * (size_t)p, sizeof(double));
    for (size_t i = 0; i < n; i++) {
        A[i] = x1[i];
        A[i + n] = x2[i];
        A[i + (size_t)(2 + fe[i]) * n] = 1;
    }
    /* a = row of the projection for x1: x1 partialled on [x2, D] / norm */
    double *xt = malloc(sizeof(double) * n), *e = malloc(sizeof(double) * n), *ys = malloc(sizeof(double) * n),
           *ur = malloc(sizeof(double) * n), *yr = malloc(sizeof(double) * n);
    dense_resid(A + n, p - 1, n, x1, xt);
    double xx = 0;
    for (size_t i = 0; i < n; i++) xx += xt[i] * xt[i];
    double K = 1 + 1 + L; /* slopes + FE df (one FE: L levels incl. the constant) */
    double c = (n - 1.0) / (n - K) * G / (G - 1.0);
    /* unrestricted t */
    double b = 0;
    for (size_t i = 0; i < n; i++) b += xt[i] * y[i] / xx;
    dense_resid(A, p, n, y, e);
    double *s = calloc((size_t)G, sizeof(double));
    for (size_t i = 0; i < n; i++) s[cl[i]] += xt[i] / xx * e[i];
    double v = 0;
    for (int g = 0; g < G; g++) v += s[g] * s[g];
    double t = (b - r) / sqrt(c * v);
    *t_out = t;
    /* restricted residuals */
    for (size_t i = 0; i < n; i++) yr[i] = y[i] - r * x1[i];
    dense_resid(A + n, p - 1, n, yr, ur);
    int cnt = 0, B = 1 << G;
    for (int d = 0; d < B; d++) {
        for (size_t i = 0; i < n; i++) ys[i] = y[i] - ur[i] + ur[i] * (((d >> cl[i]) & 1) ? -1.0 : 1.0);
        double bs = 0;
        for (size_t i = 0; i < n; i++) bs += xt[i] * ys[i] / xx;
        dense_resid(A, p, n, ys, e);
        memset(s, 0, sizeof(double) * (size_t)G);
        for (size_t i = 0; i < n; i++) s[cl[i]] += xt[i] / xx * e[i];
        v = 0;
        for (int g = 0; g < G; g++) v += s[g] * s[g];
        double ts = (bs - r) / sqrt(c * v);
        if (fabs(ts) > fabs(t) * (1 + 1e-10)) cnt++;
    }
    free(A);
    free(xt);
    free(e);
    free(ys);
    free(ur);
    free(yr);
    free(s);
    return (double)cnt / B;
}

/* two-way: draws at the intersection, variance c (S1 + S2 - S12) */
static double brute_wcr2_p(size_t n, const double *y, const double *x1, const double *x2, const int *c1, int G1,
                           const int *c2, int G2, double *t_out)
{
    int p = 3;
    double *A = calloc(n * 3, sizeof(double));
    for (size_t i = 0; i < n; i++) {
        A[i] = x1[i];
        A[i + n] = x2[i];
        A[i + 2 * n] = 1;
    }
    double *xt = malloc(sizeof(double) * n), *e = malloc(sizeof(double) * n), *ys = malloc(sizeof(double) * n),
           *ur = malloc(sizeof(double) * n);
    dense_resid(A + n, p - 1, n, x1, xt);
    double xx = 0;
    for (size_t i = 0; i < n; i++) xx += xt[i] * xt[i];
    int Gm = G1 < G2 ? G1 : G2;
    double c = (n - 1.0) / (n - 3.0) * Gm / (Gm - 1.0);
    int G12 = G1 * G2;
    double *s1 = malloc(sizeof(double) * G1), *s2 = malloc(sizeof(double) * G2), *s12 = malloc(sizeof(double) * G12);
#define VAR2(res)                                                                                  \
    ({                                                                                             \
        memset(s1, 0, sizeof(double) * G1);                                                        \
        memset(s2, 0, sizeof(double) * G2);                                                        \
        memset(s12, 0, sizeof(double) * G12);                                                      \
        for (size_t i = 0; i < n; i++) {                                                           \
            double sc = xt[i] / xx * (res)[i];                                                     \
            s1[c1[i]] += sc;                                                                       \
            s2[c2[i]] += sc;                                                                       \
            s12[c1[i] * G2 + c2[i]] += sc;                                                         \
        }                                                                                          \
        double v_ = 0;                                                                             \
        for (int g = 0; g < G1; g++) v_ += s1[g] * s1[g];                                          \
        for (int g = 0; g < G2; g++) v_ += s2[g] * s2[g];                                          \
        for (int g = 0; g < G12; g++) v_ -= s12[g] * s12[g];                                       \
        c * v_;                                                                                    \
    })
    double b = 0;
    for (size_t i = 0; i < n; i++) b += xt[i] * y[i] / xx;
    dense_resid(A, p, n, y, e);
    double t = b / sqrt(VAR2(e));
    *t_out = t;
    dense_resid(A + n, p - 1, n, y, ur);
    int cnt = 0, B = 1 << G12;
    for (int d = 0; d < B; d++) {
        for (size_t i = 0; i < n; i++) ys[i] = y[i] - ur[i] + ur[i] * (((d >> (c1[i] * G2 + c2[i])) & 1) ? -1.0 : 1.0);
        double bs = 0;
        for (size_t i = 0; i < n; i++) bs += xt[i] * ys[i] / xx;
        dense_resid(A, p, n, ys, e);
        double v = VAR2(e);
        double ts = v > 0 ? bs / sqrt(v) : INFINITY;
        if (fabs(ts) > fabs(t) * (1 + 1e-10)) cnt++;
    }
#undef VAR2
    free(A);
    free(xt);
    free(e);
    free(ys);
    free(ur);
    free(s1);
    free(s2);
    free(s12);
    return (double)cnt / B;
}

static void test_wcr_twoway(void)
{
    size_t n = 60;
    int G1 = 4, G2 = 3;
    double *y = malloc(sizeof(double) * n), *X = malloc(sizeof(double) * n * 2);
    int *c1 = malloc(sizeof(int) * n), *c2 = malloc(sizeof(int) * n);
    for (size_t i = 0; i < n; i++) {
        c1[i] = (int)(i % 4);
        c2[i] = (int)((i / 4) % 3);
        X[i] = gauss(31, i) + 0.4 * c1[i];
        X[i + n] = gauss(32, i) - 0.3 * c2[i];
        y[i] = 0.2 * X[i] + 0.5 * X[i + n] + gauss(33, i) + 0.5 * c1[i] * c2[i];
    }
    /* cluster ids numbered by first appearance, as sf_group_from_frame does */
    sf_group g[2] = {{n, c1, G1}, {n, c2, G2}};
    sf_ssc ssc;
    sf_ssc_default(&ssc);
    sf_wcr_in in = {0};
    in.n = n;
    in.y = y;
    in.X = X;
    in.k = 2;
    in.cl = g;
    in.ncl = 2;
    in.j = 0;
    in.K = 3;
    in.ssc = &ssc;
    in.B = 4096;
    in.level = 0.95;
    in.size = 1;
    sf_err e = {0};
    sf_wcr_out out;
    CHECK(sf_wcr(&in, &out, &e) == 0);
    CHECK(out.enumerated && out.B == 4096);
    double tb, pb = brute_wcr2_p(n, y, X, X + n, c1, G1, c2, G2, &tb);
    CHECK_NEAR(out.t, tb, 1e-9);
    CHECK_MSG(fabs(out.p - pb) < 1e-12, "two-way: fast p %g, brute force p %g", out.p, pb);
    free(y);
    free(X);
    free(c1);
    free(c2);
}

static void test_wcr_brute(void)
{
    size_t n = 72;
    int G = 8, L = 4;
    double *y = malloc(sizeof(double) * n), *X = malloc(sizeof(double) * n * 2);
    int *fe = malloc(sizeof(int) * n), *cl = malloc(sizeof(int) * n);
    for (size_t i = 0; i < n; i++) {
        cl[i] = (int)(i % (size_t)G);
        fe[i] = (int)((i / 3) % (size_t)L); /* crosses the clusters */
        X[i] = gauss(21, i) + 0.3 * cl[i];
        X[i + n] = gauss(22, i);
        y[i] = 0.15 * X[i] - 0.5 * X[i + n] + fe[i] + gauss(23, i) * (1 + 0.2 * cl[i]);
    }
    sf_group gfe = {n, fe, L}, gcl = {n, cl, G};
    sf_ssc ssc;
    sf_ssc_default(&ssc);
    sf_wcr_in in = {0};
    in.n = n;
    in.y = y;
    in.X = X;
    in.k = 2;
    in.fe = &gfe;
    in.nfe = 1;
    in.cl = &gcl;
    in.ncl = 1;
    in.j = 0;
    in.K = 2 + L; /* 2 slopes + L FE levels (incl. the constant) */
    in.ssc = &ssc;
    in.B = 9999;
    in.level = 0.95;
    in.size = 1;
    sf_err e = {0};
    double rs[3] = {0.0, 0.1, 0.3};
    for (int q = 0; q < 3; q++) {
        in.r = rs[q];
        sf_wcr_out out;
        CHECK(sf_wcr(&in, &out, &e) == 0);
        CHECK(out.enumerated && out.B == 256);
        double tb;
        double pb = brute_wcr_p(n, y, X, X + n, fe, L, cl, G, rs[q], &tb);
        CHECK_NEAR(out.t, tb, 1e-9);
        CHECK_MSG(fabs(out.p - pb) < 1e-12, "r = %g: fast p %g, brute force p %g", rs[q], out.p, pb);
        /* the CI ends are where p crosses 0.05 */
        if (q == 0) {
            double lo, hi;
            double w = out.ci_hi - out.ci_lo;
            CHECK(w > 0);
            in.r = out.ci_lo - 1e-6 * w;
            sf_wcr_out o2;
            sf_wcr(&in, &o2, &e);
            lo = o2.p;
            in.r = out.ci_lo + 1e-6 * w;
            sf_wcr(&in, &o2, &e);
            hi = o2.p;
            CHECK_MSG(lo <= 0.05 && hi > 0.05, "p around the CI lower end: %g %g", lo, hi);
        }
    }
    free(y);
    free(X);
    free(fe);
    free(cl);
}

/* ---------------------------------------------------------------- models-file errors */
/* A regressor whose <var>_raw twin is a partner effect plus a year effect
 * (ln(distance x oil price)) and whose preprocessed value is a non-linear
 * transform of it (winsorising, here a cube) is dropped with its reason; the
 * same preprocessed column without a raw twin, or with a twin that is not
 * absorbed (distance x oil price in levels), is estimated. */
static void test_raw_absorbed(void)
{
    size_t n;
    sf_frame *f = panel(&n);
    double *dr = sf_frame_add_num(f, "DIS_raw"), *dv = sf_frame_add_num(f, "DIS"), *lv = sf_frame_add_num(f, "LV_raw"),
           *lp = sf_frame_add_num(f, "LV"), *dn = sf_frame_add_num(f, "DN");
    const double *u = sf_frame_col(f, "u")->num, *t = sf_frame_col(f, "year")->num;
    for (size_t i = 0; i < n; i++) {
        double dist = 1000 + 350 * u[i], oil = 20 + 7 * (t[i] - 2000) + (t[i] == 2004 ? 15 : 0);
        dr[i] = log(dist * oil);
        dv[i] = dn[i] = pow(dr[i] - 12, 3);
        lv[i] = dist * oil;
        lp[i] = pow(lv[i] / 1e5, 3);
    }
    const char *txt = "[a]\nformula = y ~ x + DIS + LV + DN | u + year\nvcov = cluster(u)\nbootstrap = none\n";
    int nf, rc;
    sf_err e = {0};
    sf_fit **fits = estimate_text(f, txt, &nf, &e, &rc);
    CHECK_MSG(rc == SF_OK && nf == 1, "%s", e.msg);
    if (!rc && nf == 1) {
        const sf_fit *a = fits[0];
        CHECK(ci(a, "DIS") < 0 && ci(a, "x") >= 0 && ci(a, "LV") >= 0);
        CHECK(a->ndropped == 1 && a->ndropped && strstr(a->dropped[0], "DIS (absorbed by the fixed effects before"));
        /* DN: the same values as DIS, no twin: collinear with DIS? no, DIS is dropped, so DN is estimated */
        CHECK(ci(a, "DN") >= 0);
    }
    free_fits(fits, nf);
    sf_frame_free(f);
}

static void expect_error(const char *text, const char *want1, const char *want2)
{
    sf_models m;
    sf_err e = {0};
    int rc = sf_models_parse_text(text, "jobs/x.models", &m, &e);
    CHECK_MSG(rc == SF_EUSER && strstr(e.msg, want1) && (!want2 || strstr(e.msg, want2)), "rc %d msg '%s' (want '%s') for:\n%s",
              rc, e.msg, want1, text);
    if (!rc) sf_models_free(&m);
}

static void test_parse(void)
{
    expect_error("[a]\nformula = y ~ x\nfoo = 1\n", "jobs/x.models:3:", "unknown key 'foo'");
    expect_error("[a]\nformula = y x\n", "jobs/x.models:2:", "no '~'");
    expect_error("[a]\nformula = y ~ x + \n", ":2:", "empty term");
    expect_error("[a]\nformula = y ~ x + 3z\n", ":2:", "'3z'");
    expect_error("[a]\nformula = y ~ x | fe | z\n", ":2:", "endog ~ instruments");
    expect_error("[a]\nformula = y ~ x | fe | a + b ~ z\n", ":2:", "fewer instruments");
    expect_error("[a]\nvcov = cluster(a, b, c)\nformula = y ~ x\n", ":2:", "one or two");
    expect_error("[a]\nvcov = robustish\nformula = y ~ x\n", ":2:", "bad vcov 'robustish'");
    expect_error("[a]\nformula = y ~ x\nssc = stata weird\n", ":3:", "'weird'");
    expect_error("[a]\nformula = y ~ x\nbootstrap = maybe\n", ":3:", "'maybe'");
    expect_error("[a]\nvcov = iid\n", ":1:", "no formula");
    expect_error("[a]\nformula = y ~ x\n[a]\nformula = y ~ z\n", ":3:", "duplicate section");
    expect_error("[a]\nformula = y ~ x\nsubset = /no/such/file.txt\n", ":3:", "not found");
    expect_error("[defaults]\nvcov = nonsense\n[a]\nformula = y ~ x\n", ":2:", "nonsense");
    expect_error("formula = y ~ x\n", ":1:", "before any [section]");
    expect_error("[a\nformula = y ~ x\n", ":1:", "bad section header");
    expect_error("[a]\nformula = y ~ x | a b\n", ":2:", "'a b'");
    /* good file: defaults carry over, later [defaults] replace keys */
    sf_models m;
    sf_err e = {0};
    int rc = sf_models_parse_text("# c\n[defaults]\nvcov = hc1 ; comment\ntable = T1\n[a]\nformula = y ~ L.x + x:D1 + log(z) | "
                                  "fe1 + a#b | en ~ in1 + in2\n[defaults]\ntable = T2\n[b]\nformula = y ~ x\nvcov = "
                                  "cluster(pair, year)\nssc = fixest conventional\n",
                                  "jobs/x.models", &m, &e);
    CHECK_MSG(rc == 0, "%s", e.msg);
    if (!rc) {
        CHECK(m.n == 2);
        CHECK(m.m[0].vcov == SF_V_HC1 && !strcmp(m.m[0].table, "T1") && m.m[0].nx == 3 && m.m[0].nfe == 2);
        CHECK(!strcmp(m.m[0].x[0].name, "L.x") && m.m[0].x[0].fac[0].lag == 1);
        CHECK(!strcmp(m.m[0].x[1].name, "x:D1") && m.m[0].x[1].nfac == 2);
        CHECK(!strcmp(m.m[0].x[2].name, "log(z)") && m.m[0].x[2].fac[0].log == 1);
        CHECK(!strcmp(m.m[0].fe[1], "a#b") && m.m[0].nendog == 1 && m.m[0].ninstr == 2);
        CHECK(m.m[1].vcov == SF_V_CLUSTER && m.m[1].ncl == 2 && !strcmp(m.m[1].cl[0], "pair"));
        CHECK(!strcmp(m.m[1].table, "T2") && m.m[1].ssc.keep_singletons && !m.m[1].ssc.cluster_min);
        sf_models_free(&m);
    }
    /* unknown variables are reported with the formula's line */
    sf_frame *f = sf_frame_new(3);
    sf_frame_add_num(f, "y");
    sf_frame_add_num(f, "x");
    rc = sf_models_parse_text("[a]\n\nformula = y ~ x + nope\nvcov = iid\n", "jobs/x.models", &m, &e);
    CHECK(rc == 0);
    if (!rc) {
        rc = sf_model_check(&m.m[0], f, &e);
        CHECK(rc == SF_EUSER && strstr(e.msg, "jobs/x.models:3:") && strstr(e.msg, "'nope'"));
        sf_models_free(&m);
    }
    rc = sf_models_parse_text("[a]\nformula = y ~ x\n", "jobs/x.models", &m, &e);
    if (!rc) {
        rc = sf_model_check(&m.m[0], f, &e); /* default vcov cluster(pair) without partner/industry */
        CHECK(rc == SF_EUSER && strstr(e.msg, "pair"));
        sf_models_free(&m);
    }
    sf_frame_free(f);
}

int main(void)
{
    test_dist();
    test_prep();
    test_absorb();
    test_singletons();
    test_models_on_panel();
    test_fe_vs_dummies();
    test_pairs_point();
    test_wcr_brute();
    test_wcr_twoway();
    test_raw_absorbed();
    test_parse();
    TEST_MAIN_END();
}
