/* The Hu (2023) indicators (core/indicators.c) against an independent dense
 * transcription of METHODS.md section 4 on a small random table with a
 * zero-output sector and a partner sector with zero exports; IIH/XT1 and
 * their missing-cell rules on hand-made numbers. */
#include "silkflow/indicators.h"
#include "test_decomp_util.h"

static unsigned long long rs_ = 0x9E3779B97F4A7C15ULL;

enum { G = 5, NS = 4, NFD = 2 };

static double col(const sf_frame *f, const char *name, size_t row)
{
    const sf_column *c = sf_frame_col(f, name);
    return c ? c->num[row] : -12345;
}

/* dense inverse of a k x k block (row-major) of I - A */
static double *local_inv(int k, const double *Mblk)
{
    double *L = sf_malloc(sizeof(double) * (size_t)(k * k));
    memcpy(L, Mblk, sizeof(double) * (size_t)(k * k));
    lapack_int ip[64];
    LAPACKE_dgetrf(LAPACK_ROW_MAJOR, k, k, L, k, ip);
    LAPACKE_dgetri(LAPACK_ROW_MAJOR, k, L, k, ip);
    return L;
}

int main(void)
{
    int Ns[G] = {NS, NS, NS, NS, NS};
    char *codes[G] = {"AAA", "CHN", "BBB", "CCC", "DDD"};
    sf_labels *lab = td_labels(G, Ns, NFD, codes, NULL);
    const int n = lab->n;
    const size_t N = (size_t)n;
    sf_table t;
    td_random_table(lab, 2010, &rs_, &t);
    t.F[3 * lab->nfd + 5] = -2.5; /* negative final demand (inventories) */
    /* zero-output sector: BBB industry 2 (row 9) */
    const int kz = 9;
    for (int k = 0; k < n; k++) t.Z[kz * n + k] = t.Z[k * n + kz] = 0;
    for (int f = 0; f < lab->nfd; f++) t.F[kz * lab->nfd + f] = 0;
    /* zero exports: CCC industry 3 (row 14) sells only at home */
    const int ke = 14;
    for (int k = 0; k < n; k++)
        if (lab->sector_region[k] != 3) t.Z[ke * n + k] = 0;
    for (int f = 0; f < lab->nfd; f++)
        if (lab->fd_region[f] != 3) t.F[ke * lab->nfd + f] = 0;

    sf_derived d;
    sf_derive(&t, SF_VA_DERIVED, 1e-9, &d);
    CHECK(d.zero[kz] && d.E[ke] == 0);
    const int focal = 1;
    double *B = td_inverse(n, t.Z, &d);
    sf_products p;
    sf_products_dense(lab, &d, B, focal, &p);
    sf_decomp dec;
    sf_err e = {0};
    CHECK_MSG(sf_decompose(lab, &t, &d, &p, NULL, &dec, &e) == SF_OK, "%s", e.msg);
    int partners[3] = {2, 3, 4};
    int inds[3] = {2, 3, 4};
    int high[2] = {3, 4};
    for (int basis = 0; basis < 2; basis++) {
        sf_ind_opts o = {.focal = focal, .partners = partners, .npartners = 3, .industries = inds, .nindustries = 3,
                         .ic_total = basis, .tech_high = high, .ntech_high = 2, .d3_after = 2013};
        sf_frame *f = NULL;
        CHECK_MSG(sf_indicators_year(lab, &t, &d, &p, &dec, &o, 2010, &f, &e) == SF_OK, "%s", e.msg);
        CHECK(f && f->nrow == 9);

        /* independent dense quantities */
        double *A = sf_calloc(N * N, sizeof(double));
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) A[i * n + j] = d.zero[j] ? 0 : t.Z[i * n + j] / d.x[j];
        double *VBY = sf_calloc(N * G, sizeof(double));
        for (int k = 0; k < n; k++)
            for (int r = 0; r < G; r++) {
                double s = 0;
                for (int j = 0; j < n; j++) s += B[k * n + j] * d.Y[j * G + r];
                VBY[k * G + r] = d.v[k] * s;
            }
        /* local inverses */
        double *Lblk[G];
        for (int g = 0; g < G; g++) {
            double M[NS * NS];
            int r0 = lab->region_start[g];
            for (int a = 0; a < NS; a++)
                for (int b = 0; b < NS; b++) M[a * NS + b] = (a == b) - A[(r0 + a) * n + r0 + b];
            Lblk[g] = local_inv(NS, M);
        }
#define REG(k) lab->sector_region[k]
        double IV[64], FV[64], Dk[64];
        for (int k = 0; k < n; k++) {
            double iv = 0, fv = 0;
            for (int j = 0; j < n; j++)
                if (REG(j) != REG(k)) {
                    iv += B[k * n + j] * d.E[j];
                    fv += d.v[j] * B[j * n + k];
                }
            IV[k] = d.v[k] * iv;
            FV[k] = fv * d.E[k];
            int s = REG(k), s0 = lab->region_start[s];
            double le = 0;
            for (int j = 0; j < NS; j++) le += Lblk[s][(k - s0) * NS + j] * d.E[s0 + j];
            Dk[k] = d.v[k] * le;
        }
        double Dall = 0, Dreg[G] = {0}, Dind[NS + 1] = {0};
        for (int k = 0; k < n; k++) {
            Dall += Dk[k];
            Dreg[REG(k)] += Dk[k];
            Dind[lab->sector_industry[k]] += Dk[k];
        }
        /* routes for origin a, absorber b, origin sector k (brute force over blocks) */
#define BLK(M, i, j) (M)[(size_t)(i) * N + (size_t)(j)]
        double xind[NS + 1] = {0}, vaind[NS + 1] = {0};
        for (int k = 0; k < n; k++) {
            xind[lab->sector_industry[k]] += d.x[k];
            vaind[lab->sector_industry[k]] += d.va[k];
        }
        size_t row = 0;
        for (int pi = 0; pi < 3; pi++)
            for (int ii = 0; ii < 3; ii++, row++) {
                const int r = partners[pi], i = inds[ii];
                const int kc = lab->region_start[focal] + i - 1, kr = lab->region_start[r] + i - 1;
                CHECK(col(f, "year", row) == 2010 && col(f, "industry", row) == i);
                CHECK(!strcmp(sf_frame_col(f, "partner")->str[row], codes[r]));
                /* IC */
                double zcr = basis ? d.v[kc] * B[kc * n + kr] * d.x[kr] : t.Z[kc * n + kr];
                double zrc = basis ? d.v[kr] * B[kr * n + kc] * d.x[kc] : t.Z[kr * n + kc];
                double IC = (zcr / d.x[kr] + zrc / d.x[kc] + zcr / d.x[kc] + zrc / d.x[kr]) / 4;
                if (kr == kz) CHECK(isnan(col(f, "IC", row)));
                else CHECK_NEAR(col(f, "IC", row), IC, 1e-12);
                CHECK_NEAR(col(f, "IIn", row), (d.v[kr] * B[kr * n + kc] + d.v[kc] * B[kc * n + kr]) / 2, 1e-12);
                double ITR = VBY[kr * G + focal] + VBY[kc * G + r];
                CHECK_NEAR(col(f, "ITR", row), ITR, 1e-12);
                CHECK_NEAR(col(f, "ITR1", row), ITR / xind[i], 1e-12);
                /* routes, both directions, brute force */
                double rsum[5] = {0};
                for (int dir = 0; dir < 2; dir++) {
                    const int a = dir ? focal : r, b = dir ? r : focal, k = dir ? kc : kr;
                    const int a0 = lab->region_start[a];
                    /* helper: (B^{x y} Y^{y z})_j for j in x */
                    double fin = 0, inn = 0, rexb = 0, intd = 0, rexd = 0;
                    for (int u = 0; u < NS; u++) { /* u: row of B^aa */
                        double s = 0;
                        for (int j = lab->region_start[a]; j < lab->region_start[a + 1]; j++)
                            s += B[(a0 + u) * n + j] * d.Y[j * G + b];
                        if (u == k - a0) fin = d.v[k] * s;
                    }
                    /* w vectors over all rows j: BbbYbb, sum_{d in D} B^bd Y^db, ... */
                    double *tmp = sf_calloc(N, sizeof(double));
                    double *intv = sf_calloc(N, sizeof(double)), *rexbv = sf_calloc(N, sizeof(double));
                    double *intdv = sf_calloc(N, sizeof(double)), *rexdv = sf_calloc(N, sizeof(double));
                    for (int j = 0; j < n; j++) {
                        const int rj = REG(j);
                        double s1 = 0, s2 = 0, s3 = 0, s4 = 0;
                        for (int q = 0; q < n; q++) {
                            const int rq = REG(q);
                            if (rj == b && rq == b) s1 += B[j * n + q] * d.Y[q * G + b];              /* B^bb Y^bb */
                            if (rj == b && rq != a && rq != b) s2 += B[j * n + q] * d.Y[q * G + b];   /* B^bd Y^db */
                            if (rj != a && rj != b && rq != a && rq != b)
                                s3 += B[j * n + q] * d.Y[q * G + b];                                  /* B^dp Y^pb */
                            if (rj != a && rj != b && rq == b) s4 += B[j * n + q] * d.Y[q * G + b];   /* B^db Y^bb */
                        }
                        intv[j] = s1;
                        rexbv[j] = s2;
                        intdv[j] = s3;
                        rexdv[j] = s4;
                    }
                    /* L^aa A^a. w, restricted as the formulas say */
                    double acc[4] = {0};
                    for (int u = 0; u < NS; u++) {
                        double lw = Lblk[a][(k - a0) * NS + u];
                        for (int j = 0; j < n; j++) {
                            const double aij = A[(a0 + u) * n + j];
                            const int rj = REG(j);
                            if (rj == b) {
                                acc[0] += lw * aij * intv[j];
                                acc[1] += lw * aij * rexbv[j];
                            } else if (rj != a) {
                                acc[2] += lw * aij * intdv[j];
                                acc[3] += lw * aij * rexdv[j];
                            }
                        }
                    }
                    inn = d.v[k] * acc[0];
                    rexb = d.v[k] * acc[1];
                    intd = d.v[k] * acc[2];
                    rexd = d.v[k] * acc[3];
                    rsum[0] += fin;
                    rsum[1] += inn;
                    rsum[2] += rexb;
                    rsum[3] += intd;
                    rsum[4] += rexd;
                    /* the five routes add up to VBY[k, b] */
                    CHECK_NEAR(fin + inn + rexb + intd + rexd, VBY[k * G + b], 1e-11);
                    free(tmp);
                    free(intv);
                    free(rexbv);
                    free(intdv);
                    free(rexdv);
                }
                CHECK_NEAR(col(f, "ITR_FIN", row), rsum[0], 1e-12);
                CHECK_NEAR(col(f, "ITR_INT", row), rsum[1], 1e-12);
                CHECK_NEAR(col(f, "ITR_INTREX_b", row), rsum[2], 1e-12);
                CHECK_NEAR(col(f, "ITR_INT_d", row), rsum[3], 1e-12);
                CHECK_NEAR(col(f, "ITR_INTREX_d", row), rsum[4], 1e-12);
                /* RVC, INC */
                double RVC = (d.v[kr] * B[kr * n + kc] * d.E[kc] + d.v[kc] * B[kc * n + kr] * d.E[kr]) /
                             (d.E[kc] + d.E[kr]);
                CHECK_NEAR(col(f, "RVC", row), RVC, 1e-12);
                CHECK_NEAR(col(f, "INC", row), 100 * (d.va[kc] + d.va[kr]) / vaind[i], 1e-12);
                /* GVC_P, GVC_D, RCA_D */
                if (d.E[kr] == 0) {
                    CHECK(isnan(col(f, "GVC_P", row)));
                    CHECK(isnan(col(f, "GVC_D", row)));
                } else {
                    CHECK_NEAR(col(f, "GVC_P", row), (IV[kr] + FV[kr]) / d.E[kr], 1e-12);
                    double pc = log(1 + IV[kc] / d.E[kc]) - log(1 + FV[kc] / d.E[kc]);
                    double pr = log(1 + IV[kr] / d.E[kr]) - log(1 + FV[kr] / d.E[kr]);
                    CHECK_NEAR(col(f, "GVC_D", row), pc - pr, 1e-12);
                }
                double rcac = (Dk[kc] / Dreg[focal]) / (Dind[i] / Dall), rcar = (Dk[kr] / Dreg[r]) / (Dind[i] / Dall);
                CHECK_NEAR(col(f, "RCA_D", row), rcac - rcar, 1e-11);
                /* RH1, HD1: all of r's sectors */
                double zc_all = 0, zall_c = 0, xr_all = 0, Er_all = 0, th1 = 0, th2 = 0;
                for (int j = lab->region_start[r]; j < lab->region_start[r + 1]; j++) {
                    zc_all += basis ? d.v[kc] * B[kc * n + j] * d.x[j] : t.Z[kc * n + j];
                    zall_c += basis ? d.v[j] * B[j * n + kc] * d.x[kc] : t.Z[j * n + kc];
                    xr_all += d.x[j];
                    Er_all += d.E[j];
                    th1 += d.v[j] * B[j * n + kc];
                    th2 += d.v[kc] * B[kc * n + j] * d.E[j];
                }
                CHECK_NEAR(col(f, "RH1", row),
                           (zc_all / xr_all + zc_all / d.x[kc] + zall_c / d.x[kc] + zall_c / xr_all) / 4, 1e-12);
                CHECK_NEAR(col(f, "HD1", row), (th1 + th2 / Er_all) / 2, 1e-12);
                CHECK(col(f, "D2", row) == (i >= 3));
                CHECK(col(f, "D3", row) == 0);
            }
        for (int g = 0; g < G; g++) free(Lblk[g]);
        free(A);
        free(VBY);
        sf_frame_free(f);
    }

    /* IIH: hand-made growth rates. VAX_c 100 -> 110 (g = 0.1), VAX_r 50 -> 60 (g = 0.2):
     * delta1 = 0.5, delta2 = 2: IIH = (1/0.5 + 1/1) / 2 = 1.5 */
    CHECK_NEAR(sf_iih(110, 100, 60, 50), 1.5, 1e-15);
    CHECK(isnan(sf_iih(110, 0, 60, 50)));   /* VAX(t-1) <= 0 */
    CHECK(isnan(sf_iih(100, 100, 60, 50))); /* zero growth */
    CHECK(isnan(sf_iih(110, 100, 55, 50))); /* equal growth: delta = 1 */
    sf_frame *pf = sf_frame_new(5);
    double *y = sf_frame_add_num(pf, "year"), *in = sf_frame_add_num(pf, "industry");
    char **pp = sf_frame_add_str(pf, "partner");
    double *vc = sf_frame_add_num(pf, "VAX_c"), *vr = sf_frame_add_num(pf, "VAX_r"), *va = sf_frame_add_num(pf, "VAX_rall");
    double yy[5] = {2001, 2000, 2002, 2001, 2004}, c5[5] = {110, 100, 110, 100, 120}, r5[5] = {60, 50, 66, 40, 70};
    const char *ps[5] = {"XXX", "XXX", "XXX", "YYY", "XXX"};
    for (int i = 0; i < 5; i++) {
        y[i] = yy[i];
        in[i] = 3;
        pp[i] = sf_strdup(ps[i]);
        vc[i] = c5[i];
        vr[i] = r5[i];
        va[i] = 2 * r5[i];
    }
    long why[SF_IIH_NREASONS], whyx[SF_IIH_NREASONS];
    sf_panel_lagged(pf, why, whyx);
    const double *iih = sf_frame_col(pf, "IIH")->num, *xt1 = sf_frame_col(pf, "XT1")->num;
    CHECK_NEAR(iih[0], 1.5, 1e-15);          /* XXX 2001 vs 2000 */
    CHECK_NEAR(xt1[0], 1.5, 1e-15);          /* doubling VAX_r keeps its growth */
    CHECK(isnan(iih[1]) && isnan(iih[3]));   /* first years of XXX, YYY */
    CHECK(isnan(iih[2]));                    /* 2002: g_c = 0 */
    CHECK(isnan(iih[4]));                    /* 2004: gap (no 2003) */
    CHECK(why[0] == 3 && why[2] == 1);
    CHECK(whyx[0] == 3 && whyx[2] == 1);
    sf_frame_free(pf);

    sf_decomp_free(&dec);
    sf_products_free(&p);
    sf_derived_free(&d);
    free(B);
    sf_table_free(&t);
    sf_labels_free(lab);
    TEST_MAIN_END();
}
