/* Decompositions on random tables with heterogeneous sector counts, a
 * zero-output sector and a negative final-demand entry:
 *  - every output of sf_decompose and sf_routes against an independent,
 *    literal transcription of the METHODS.md formulas with explicit dense
 *    per-pair block products (slow, fine at n ~ 30), to 1e-12;
 *  - the WWZ identities (sum T1..T16 = E^{sr}; T1..T10 and T11..T16 against
 *    V^s B^ss and sum_{t!=s} V^t B^ts times E^{sr}) and routes summing to VBY;
 *  - the right-hand sides handed to the distributed layer, and error paths. */
#include "test_decomp_util.h"

#define TOL 1e-12

static uint64_t rng_state;
static double urand(void) { return (double)(t_splitmix64(&rng_state) >> 11) * 0x1.0p-53; } /* [0, 1) */

/* ---- the brute-force side: full n x n matrices, block loops ----------------------------- */
typedef struct {
    const sf_labels *lab;
    int n, G;
    double *A, *B, *L; /* n x n; L block diagonal */
    double *Y, *v, *x, *E; /* Y n x G; E total exports from Z and Y */
} ctx;

static int R0(const ctx *c, int g) { return c->lab->region_start[g]; }
static int R1(const ctx *c, int g) { return c->lab->region_start[g + 1]; }

/* y (full length, zeroed) = rows of region r of M (n x n) times x (full length) */
static void mv(const ctx *c, const double *M, int r, const double *x, double *y)
{
    memset(y, 0, (size_t)c->n * sizeof(double));
    for (int i = R0(c, r); i < R1(c, r); i++) {
        double s = 0;
        for (int j = 0; j < c->n; j++) s += M[(size_t)i * c->n + j] * x[j];
        y[i] = s;
    }
}

/* acc += Y^{tu} as a full-length vector (nonzero on t's rows) */
static void addY(const ctx *c, int t, int u, double *acc)
{
    for (int i = R0(c, t); i < R1(c, t); i++) acc[i] += c->Y[(size_t)i * c->G + u];
}

/* (V^t M^{t.})_k for all k: sum_{i in t} v_i M[i,k] */
static double vrow(const ctx *c, const double *M, int t, int k)
{
    double s = 0;
    for (int i = R0(c, t); i < R1(c, t); i++) s += c->v[i] * M[(size_t)i * c->n + k];
    return s;
}

/* out[k] (k in s) = (A^{s.} m)_k where m is nonzero only off s */
static void Am(const ctx *c, int s, const double *m, double *out)
{
    mv(c, c->A, s, m, out);
}

/* All 16 terms for (s, r), exporter sector k at T[(k - R0(s)) * 16 + q], from the formulas. */
static void brute_wwz(const ctx *c, int s, int r, double *T)
{
    const int n = c->n, G = c->G;
    double *m = sf_calloc((size_t)n, 8), *x = sf_calloc((size_t)n, 8), *tmp = sf_calloc((size_t)n, 8);
    double *q[16];
    for (int i = 0; i < 16; i++) q[i] = sf_calloc((size_t)n, 8);
#define RESET(v) memset(v, 0, (size_t)n * 8)
    /* T2 */
    RESET(x); addY(c, r, r, x); mv(c, c->B, r, x, m); Am(c, s, m, q[1]);
    /* T3: sum_{t!=s,r} B^rt Y^tt */
    RESET(m);
    for (int t = 0; t < G; t++) {
        if (t == s || t == r) continue;
        RESET(x); addY(c, t, t, x); mv(c, c->B, r, x, tmp);
        for (int i = 0; i < n; i++) m[i] += tmp[i];
    }
    Am(c, s, m, q[2]);
    /* T4: B^rr sum_{t!=s,r} Y^rt */
    RESET(x);
    for (int t = 0; t < G; t++) if (t != s && t != r) addY(c, r, t, x);
    mv(c, c->B, r, x, m); Am(c, s, m, q[3]);
    /* T5: sum_{t!=s,r} B^rt sum_{u!=s,t} Y^tu */
    RESET(m);
    for (int t = 0; t < G; t++) {
        if (t == s || t == r) continue;
        RESET(x);
        for (int u = 0; u < G; u++) if (u != s && u != t) addY(c, t, u, x);
        mv(c, c->B, r, x, tmp);
        for (int i = 0; i < n; i++) m[i] += tmp[i];
    }
    Am(c, s, m, q[4]);
    /* T6: B^rr Y^rs */
    RESET(x); addY(c, r, s, x); mv(c, c->B, r, x, m); Am(c, s, m, q[5]);
    /* T7: sum_{t!=s,r} B^rt Y^ts */
    RESET(m);
    for (int t = 0; t < G; t++) {
        if (t == s || t == r) continue;
        RESET(x); addY(c, t, s, x); mv(c, c->B, r, x, tmp);
        for (int i = 0; i < n; i++) m[i] += tmp[i];
    }
    Am(c, s, m, q[6]);
    /* T8: B^rs Y^ss */
    RESET(x); addY(c, s, s, x); mv(c, c->B, r, x, m); Am(c, s, m, q[7]);
    /* T9: B^rs sum_{t!=s} Y^st */
    RESET(x);
    for (int t = 0; t < G; t++) if (t != s) addY(c, s, t, x);
    mv(c, c->B, r, x, m); Am(c, s, m, q[8]);
    /* T10: A^sr X^r */
    RESET(m);
    for (int i = R0(c, r); i < R1(c, r); i++) m[i] = c->x[i];
    Am(c, s, m, q[9]);
    /* T13/T14: A^sr L^rr Y^rr ; T15/T16: A^sr L^rr E^{r*} */
    RESET(x); addY(c, r, r, x); mv(c, c->L, r, x, m); Am(c, s, m, q[12]);
    RESET(x);
    for (int i = R0(c, r); i < R1(c, r); i++) x[i] = c->E[i];
    mv(c, c->L, r, x, m); Am(c, s, m, q[14]);
    for (int k = R0(c, s); k < R1(c, s); k++) {
        double *Tk = T + (size_t)(k - R0(c, s)) * 16;
        const double vb = vrow(c, c->B, s, k), vl = vrow(c, c->L, s, k), vbr = vrow(c, c->B, r, k);
        double vbo = 0;
        for (int t = 0; t < G; t++) if (t != s && t != r) vbo += vrow(c, c->B, t, k);
        const double y = c->Y[(size_t)k * G + r];
        Tk[0] = vb * y;
        for (int i = 1; i <= 8; i++) Tk[i] = vl * q[i][k];
        Tk[9] = (vb - vl) * q[9][k];
        Tk[10] = vbr * y;
        Tk[11] = vbo * y;
        Tk[12] = vbr * q[12][k];
        Tk[13] = vbo * q[12][k];
        Tk[14] = vbr * q[14][k];
        Tk[15] = vbo * q[14][k];
    }
#undef RESET
    for (int i = 0; i < 16; i++) free(q[i]);
    free(m);
    free(x);
    free(tmp);
}

/* Routes of METHODS.md section 4 for origin a, absorber b; out[(k - R0(a)) * 5 + route]. */
static void brute_routes(const ctx *c, int a, int b, double *out)
{
    const int n = c->n, G = c->G;
    double *x = sf_calloc((size_t)n, 8), *m = sf_calloc((size_t)n, 8), *tmp = sf_calloc((size_t)n, 8);
    double *acc[5], *res = sf_calloc((size_t)n, 8);
    for (int i = 0; i < 5; i++) acc[i] = sf_calloc((size_t)n, 8);
#define RESET(v) memset(v, 0, (size_t)n * 8)
    /* FIN: B^aa Y^ab (no L, no A) */
    RESET(x); addY(c, a, b, x); mv(c, c->B, a, x, acc[0]);
    /* INT: A^ab B^bb Y^bb */
    RESET(x); addY(c, b, b, x); mv(c, c->B, b, x, m); Am(c, a, m, acc[1]);
    /* INTREX_b: A^ab sum_{d in D} B^bd Y^db */
    RESET(m);
    for (int d = 0; d < G; d++) {
        if (d == a || d == b) continue;
        RESET(x); addY(c, d, b, x); mv(c, c->B, b, x, tmp);
        for (int i = 0; i < n; i++) m[i] += tmp[i];
    }
    Am(c, a, m, acc[2]);
    /* INT_d: sum_{d in D} A^ad sum_{p in D} B^dp Y^pb ; INTREX_d: sum_{d in D} A^ad B^db Y^bb */
    for (int d = 0; d < G; d++) {
        if (d == a || d == b) continue;
        RESET(m);
        for (int p = 0; p < G; p++) {
            if (p == a || p == b) continue;
            RESET(x); addY(c, p, b, x); mv(c, c->B, d, x, tmp);
            for (int i = 0; i < n; i++) m[i] += tmp[i];
        }
        Am(c, a, m, tmp);
        for (int i = 0; i < n; i++) acc[3][i] += tmp[i];
        RESET(x); addY(c, b, b, x); mv(c, c->B, d, x, m); Am(c, a, m, tmp);
        for (int i = 0; i < n; i++) acc[4][i] += tmp[i];
    }
    for (int q = 0; q < 5; q++) {
        if (q > 0) { mv(c, c->L, a, acc[q], res); } else memcpy(res, acc[0], (size_t)n * 8);
        for (int k = R0(c, a); k < R1(c, a); k++) out[(size_t)(k - R0(c, a)) * 5 + q] = c->v[k] * res[k];
    }
#undef RESET
    for (int i = 0; i < 5; i++) free(acc[i]);
    free(x);
    free(m);
    free(tmp);
    free(res);
}

/* ---- a random table ----------------------------------------------------------------------- */
typedef struct {
    int G;
    int Ns[8];
    int nfd;
    int zero_sector;   /* -1: none */
    int neg_fd;        /* 1: one negative final-demand entry */
    uint64_t seed;
} scenario;

static void make_table(const scenario *sc, sf_labels **labp, sf_table *t)
{
    rng_state = sc->seed;
    sf_labels *lab = td_labels(sc->G, sc->Ns, sc->nfd, NULL, NULL);
    const int n = lab->n;
    const size_t N = (size_t)n;
    memset(t, 0, sizeof *t);
    t->lab = lab;
    t->Z = sf_calloc(N * N, 8);
    t->F = sf_calloc(N * (size_t)lab->nfd, 8);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            const int dom = lab->sector_region[i] == lab->sector_region[j];
            t->Z[i * N + j] = urand() * (dom ? 8.0 : 2.0);
        }
    for (int i = 0; i < n; i++)
        for (int f = 0; f < lab->nfd; f++) {
            const int dom = lab->fd_region[f] == lab->sector_region[i];
            t->F[i * (size_t)lab->nfd + f] = (dom ? 10.0 * n : 2.0 * n) * (0.2 + urand());
        }
    if (sc->neg_fd) {
        /* inventory draw-downs: one domestic category, and one foreign category large
         * enough to make Y[3, 2] and the bilateral exports of sector 3 to region 2 negative */
        t->F[3 * (size_t)lab->nfd + 1] = -7.5;
        t->F[3 * (size_t)lab->nfd + 2 * sc->nfd] = -5.0 * n;
    }
    if (sc->zero_sector >= 0) {
        const int z = sc->zero_sector;
        for (int j = 0; j < n; j++) t->Z[z * N + j] = t->Z[j * N + z] = 0;
        for (int f = 0; f < lab->nfd; f++) t->F[z * (size_t)lab->nfd + f] = 0;
    }
    *labp = lab;
}

static void run_scenario(const scenario *sc)
{
    sf_labels *lab;
    sf_table t;
    make_table(sc, &lab, &t);
    const int n = lab->n, G = lab->G;
    const size_t N = (size_t)n;
    sf_derived d;
    sf_derive(&t, SF_VA_DERIVED, 1e-9, &d);
    int nzero = 0;
    for (int k = 0; k < n; k++) nzero += d.zero[k];
    CHECK(nzero == (sc->zero_sector >= 0));
    if (sc->neg_fd) CHECK(d.Y[3 * G + 2] < 0 && lab->sector_region[3] != 2);
    printf("scenario seed %llu: G=%d n=%d zero-output sectors %d\n", (unsigned long long)sc->seed, G, n, nzero);

    ctx c = {.lab = lab, .n = n, .G = G, .Y = d.Y, .v = d.v, .x = d.x};
    c.B = td_inverse(n, t.Z, &d);
    c.A = sf_calloc(N * N, 8);
    c.L = sf_calloc(N * N, 8);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) c.A[i * N + j] = d.zero[j] ? 0 : t.Z[i * N + j] / d.x[j];
    for (int g = 0; g < G; g++) { /* L^gg by its own LAPACK inverse */
        const int r0 = R0(&c, g), m = R1(&c, g) - r0;
        double *M = sf_malloc((size_t)m * m * 8);
        lapack_int *ip = sf_malloc((size_t)m * sizeof *ip);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++) M[i * m + j] = (i == j) - c.A[(r0 + i) * N + r0 + j];
        CHECK(LAPACKE_dgetrf(LAPACK_ROW_MAJOR, m, m, M, m, ip) == 0);
        CHECK(LAPACKE_dgetri(LAPACK_ROW_MAJOR, m, M, m, ip) == 0);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++) c.L[(r0 + i) * N + r0 + j] = M[i * m + j];
        free(M);
        free(ip);
    }
    /* exports straight from Z and Y: bilateral Esr (n x G) and total */
    double *Esr = sf_calloc(N * G, 8);
    c.E = sf_calloc(N, 8);
    for (int k = 0; k < n; k++) {
        const int s = lab->sector_region[k];
        for (int r = 0; r < G; r++) {
            if (r == s) continue;
            double e = d.Y[k * G + r];
            for (int j = R0(&c, r); j < R1(&c, r); j++) e += t.Z[k * N + j];
            Esr[k * G + r] = e;
            if (sc->neg_fd && k == 3 && r == 2) CHECK(e < 0);
            c.E[k] += e;
        }
        CHECK_NEAR(d.E[k], c.E[k], TOL);
    }

    /* the right-hand sides for the distributed layer */
    const int focal = sc->G > 3 ? 3 : 1;
    sf_rhs rh;
    sf_rhs_build(lab, &d, focal, &rh);
    CHECK(rh.nrhs == 4 * G + 1);
    for (int j = 0; j < n; j++) {
        const int tj = lab->sector_region[j];
        const double *row = rh.rhs + (size_t)j * rh.nrhs;
        double yo = 0;
        for (int u = 0; u < G; u++) {
            CHECK(row[u] == d.Y[j * G + u]);
            CHECK(row[G + u] == (u == tj ? d.Y[j * G + u] : 0));
            if (u != tj) yo += d.Y[j * G + u];
            CHECK(rh.vind[(size_t)j * G + u] == (u == tj ? d.v[j] : 0));
        }
        for (int u = 0; u < G; u++) {
            CHECK_NEAR(row[2 * G + u], u == tj ? yo : 0, 1e-15);
            CHECK(row[3 * G + u] == (u == tj ? d.Y[j * G + focal] : 0));
        }
        CHECK(row[4 * G] == d.E[j]);
    }
    sf_rhs_free(&rh);

    sf_products p;
    sf_products_dense(lab, &d, c.B, focal, &p);
    sf_decomp out;
    sf_decomp_opts o = {.store_sector = 1};
    sf_err e = {0};
    CHECK(sf_decompose(lab, &t, &d, &p, &o, &out, &e) == SF_OK);
    printf("  max identity error %.3g\n", out.max_identity_err);
    CHECK(out.max_identity_err < 1e-13);

    /* WWZ terms vs the brute force, and the identities */
    double *T = sf_calloc((size_t)lab->max_sectors * 16, 8), worst = 0, worst_id = 0;
    double *cty = sf_calloc((size_t)G * G * 16, 8), *dva = sf_calloc(N, 8);
    for (int s = 0; s < G; s++)
        for (int r = 0; r < G; r++) {
            if (r == s) {
                for (int k = R0(&c, s); k < R1(&c, s); k++)
                    for (int q2 = 0; q2 < 16; q2++) CHECK(out.wwz_sector[((size_t)k * G + r) * 16 + q2] == 0);
                continue;
            }
            brute_wwz(&c, s, r, T);
            for (int k = R0(&c, s); k < R1(&c, s); k++) {
                const double *Tk = T + (size_t)(k - R0(&c, s)) * 16;
                const double *Tf = out.wwz_sector + ((size_t)k * G + r) * 16;
                double sum = 0, dom = 0, frn = 0;
                for (int q2 = 0; q2 < 16; q2++) {
                    CHECK_NEAR(Tf[q2], Tk[q2], TOL);
                    double dd = fabs(Tf[q2] - Tk[q2]) / fmax(1, fabs(Tk[q2]));
                    if (dd > worst) worst = dd;
                    cty[((size_t)s * G + r) * 16 + q2] += Tk[q2];
                    if (q2 < 8) dva[k] += Tk[q2];
                    sum += Tf[q2];
                    if (q2 < 10) dom += Tf[q2];
                    else frn += Tf[q2];
                }
                double vbs = vrow(&c, c.B, s, k), vbf = 0;
                for (int u = 0; u < G; u++) if (u != s) vbf += vrow(&c, c.B, u, k);
                const double es = Esr[k * G + r];
                CHECK_NEAR(sum, es, TOL);
                CHECK_NEAR(dom, vbs * es, TOL);
                CHECK_NEAR(frn, vbf * es, TOL);
                double di = fabs(sum - es) / fmax(1, fabs(es));
                if (di > worst_id) worst_id = di;
            }
        }
    printf("  WWZ vs brute force: max rel diff %.3g; identity %.3g\n", worst, worst_id);
    CHECK_MSG(td_maxdiff(out.wwz_country, cty, (size_t)G * G * 16) < TOL, "wwz_country");
    CHECK_MSG(td_maxdiff(out.dva, dva, N) < TOL, "dva");
    free(T);
    free(cty);
    free(dva);

    /* Leontief products and sector indicators */
    double *vby = sf_calloc(N * G, 8);
    for (int k = 0; k < n; k++) {
        const int s = lab->sector_region[k];
        for (int r = 0; r < G; r++) {
            double b = 0;
            for (int j = 0; j < n; j++) b += c.B[k * N + j] * d.Y[j * G + r];
            vby[k * G + r] = d.v[k] * b;
        }
        double iv = 0, fv = 0, le = 0;
        for (int j = 0; j < n; j++) {
            if (lab->sector_region[j] == s) {
                le += c.L[k * N + j] * c.E[j];
                continue;
            }
            iv += c.B[k * N + j] * c.E[j];
            fv += d.v[j] * c.B[j * N + k];
        }
        iv *= d.v[k];
        fv *= c.E[k];
        CHECK_NEAR(out.iv[k], iv, TOL);
        CHECK_NEAR(out.fv[k], fv, TOL);
        CHECK_NEAR(out.dfwd[k], d.v[k] * le, TOL);
        if (c.E[k] == 0) {
            CHECK(isnan(out.gvc_p[k]) && isnan(out.gvc_pos[k]));
        } else {
            CHECK_NEAR(out.gvc_p[k], (iv + fv) / c.E[k], TOL);
            CHECK_NEAR(out.gvc_pos[k], log(1 + iv / c.E[k]) - log(1 + fv / c.E[k]), TOL);
        }
    }
    CHECK(out.n_gvc_zero_exports == nzero);
    CHECK(out.n_gvc_pos_undefined == 0);
    CHECK_MSG(td_maxdiff(out.vby, vby, N * G) < TOL, "vby");
    for (int s = 0; s < G; s++)
        for (int r = 0; r < G; r++) {
            double vax = 0, vbe = 0;
            for (int k = R0(&c, s); k < R1(&c, s); k++) {
                vax += vby[k * G + r];
                for (int j = R0(&c, r); j < R1(&c, r); j++) vbe += d.v[k] * c.B[k * N + j] * c.E[j];
            }
            CHECK_NEAR(out.vax[s * G + r], vax, TOL);
            CHECK_NEAR(out.vbe_country[s * G + r], vbe, TOL);
        }
    /* RCA from its definition, with the industry of a sector = its index in the region */
    for (int k = 0; k < n; k++) {
        double ds = 0, di = 0, da = 0;
        for (int h = 0; h < n; h++) {
            if (lab->sector_region[h] == lab->sector_region[k]) ds += out.dfwd[h];
            if (lab->sector_industry[h] == lab->sector_industry[k]) di += out.dfwd[h];
            da += out.dfwd[h];
        }
        CHECK_NEAR(out.rca[k], (out.dfwd[k] / ds) / (di / da), TOL);
    }
    CHECK(out.n_rca_undefined == 0);
    /* nothing else is NaN or infinite */
    for (size_t i = 0; i < N * G * 16; i++) CHECK(isfinite(out.wwz_sector[i]));
    for (size_t i = 0; i < N * G; i++) CHECK(isfinite(out.vby[i]));

    /* without per-sector storage the country results are the same */
    sf_decomp out2;
    sf_decomp_opts o2 = {.store_sector = 0};
    CHECK(sf_decompose(lab, &t, &d, &p, &o2, &out2, &e) == SF_OK);
    CHECK(out2.wwz_sector == NULL);
    CHECK(!memcmp(out2.wwz_country, out.wwz_country, (size_t)G * G * 16 * 8));
    sf_decomp_free(&out2);

    /* routes: against the brute force, and their sum against VBY */
    double *rt = sf_calloc((size_t)lab->max_sectors * 5, 8), *rb = sf_calloc((size_t)lab->max_sectors * 5, 8);
    double wr = 0;
    for (int b = 0; b < G; b++) {
        if (b == focal) continue;
        for (int dir = 0; dir < 2; dir++) {
            const int a0 = dir ? b : focal, b0 = dir ? focal : b;
            CHECK(sf_routes(lab, &t, &d, &p, a0, b0, rt, &e) == SF_OK);
            brute_routes(&c, a0, b0, rb);
            for (int k = R0(&c, a0); k < R1(&c, a0); k++) {
                const int i = k - R0(&c, a0);
                double s = 0;
                for (int q2 = 0; q2 < 5; q2++) {
                    CHECK_NEAR(rt[i * 5 + q2], rb[i * 5 + q2], TOL);
                    double dd = fabs(rt[i * 5 + q2] - rb[i * 5 + q2]) / fmax(1, fabs(rb[i * 5 + q2]));
                    if (dd > wr) wr = dd;
                    s += rt[i * 5 + q2];
                }
                CHECK_NEAR(s, vby[k * G + b0], TOL);
            }
        }
    }
    printf("  routes vs brute force: max rel diff %.3g\n", wr);
    /* bad calls */
    CHECK(sf_routes(lab, &t, &d, &p, focal, focal, rt, &e) == SF_EINTERNAL);
    CHECK(sf_routes(lab, &t, &d, &p, (focal + 1) % G, (focal + 2) % G, rt, &e) == SF_EINTERNAL);
    sf_products p0;
    sf_products_dense(lab, &d, c.B, -1, &p0);
    CHECK(p0.nrhs == 3 * G + 1 && p0.Bfrow == NULL);
    CHECK(sf_routes(lab, &t, &d, &p0, focal, 0, rt, &e) == SF_EINTERNAL);
    /* the no-focal products give the same decomposition */
    CHECK(sf_decompose(lab, &t, &d, &p0, &o2, &out2, &e) == SF_OK);
    CHECK(td_maxdiff(out2.wwz_country, out.wwz_country, (size_t)G * G * 16) < 1e-14);
    sf_decomp_free(&out2);
    /* a NaN in the products is an error, never a silent NaN in the results */
    SF_BYO(&p0, n - 1, 0) = NAN;
    CHECK(sf_decompose(lab, &t, &d, &p0, &o2, &out2, &e) == SF_EINTERNAL);
    CHECK_MSG(strstr(e.msg, "non-finite") != NULL, "message: %s", e.msg);
    CHECK(out2.vby == NULL);
    sf_products_free(&p0);
    free(rt);
    free(rb);

    sf_decomp_free(&out);
    sf_products_free(&p);
    free(vby);
    free(Esr);
    free(c.A);
    free(c.B);
    free(c.L);
    free(c.E);
    sf_derived_free(&d);
    t.lab = NULL;
    sf_table_free(&t);
    sf_labels_free(lab);
}

/* A singular local block is an SF_EINTERNAL error naming region and sector. */
static void singular_block(void)
{
    int Ns[3] = {2, 2, 2};
    sf_labels *lab = td_labels(3, Ns, 1, NULL, NULL);
    sf_table t = {0};
    t.lab = lab;
    t.Z = sf_calloc(36, 8);
    t.F = sf_calloc(18, 8);
    for (int i = 0; i < 6; i++) {
        t.F[i * 3 + i / 2] = 10;
        t.F[i * 3 + (i / 2 + 1) % 3] = 1;
    }
    /* R1.S2 uses only its own output: A[3,3] = 1 */
    for (int f = 0; f < 3; f++) t.F[3 * 3 + f] = 0;
    t.Z[3 * 6 + 3] = 5;
    sf_derived d;
    sf_derive(&t, SF_VA_DERIVED, 1e-9, &d);
    sf_products p;
    sf_products_alloc(lab, -1, &p);
    sf_decomp out;
    sf_err e = {0};
    CHECK(sf_decompose(lab, &t, &d, &p, NULL, &out, &e) == SF_EINTERNAL);
    CHECK_MSG(strstr(e.msg, "R1") && strstr(e.msg, "R1.S2"), "message: %s", e.msg);
    printf("singular block: %s\n", e.msg);
    /* mismatched products */
    sf_products_free(&p);
    int Ns2[2] = {2, 2};
    sf_labels *lab2 = td_labels(2, Ns2, 1, NULL, NULL);
    sf_products_alloc(lab2, -1, &p);
    CHECK(sf_decompose(lab, &t, &d, &p, NULL, &out, &e) == SF_EINTERNAL);
    sf_products_free(&p);
    sf_labels_free(lab2);
    sf_derived_free(&d);
    t.lab = NULL;
    sf_table_free(&t);
    sf_labels_free(lab);
}

int main(void)
{
    const scenario sc[] = {
        {.G = 6, .Ns = {4, 1, 7, 6, 5, 8}, .nfd = 2, .zero_sector = 4 + 1 + 3, .neg_fd = 1, .seed = 12345},
        {.G = 3, .Ns = {4, 4, 4}, .nfd = 1, .zero_sector = -1, .neg_fd = 0, .seed = 777},
        {.G = 5, .Ns = {1, 9, 2, 3, 6}, .nfd = 3, .zero_sector = 0 + 1 + 9 + 2 + 1, .neg_fd = 1, .seed = 99},
    };
    for (size_t i = 0; i < sizeof sc / sizeof sc[0]; i++) run_scenario(&sc[i]);
    singular_block();
    TEST_MAIN_END();
}
