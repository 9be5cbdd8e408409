/* Trade-cooperation indicators (core/trade.c) against an independent dense
 * computation on a small random table with regions of different sizes:
 * country flows from Z, Y and B directly, group sums and their identities
 * (partners + non-partners = world, groups of a partition sum to the total,
 * sectors sum to the country flow, VA exports to the world = the focal's
 * value added absorbed abroad), membership with unknown statuses; growth
 * rates, the before/after means and CAGRs, shares and indices on hand-made
 * numbers. */
#include "silkflow/trade.h"
#include "test_decomp_util.h"

static unsigned long long rs_ = 0x2545F4914F6CDD1DULL;

enum { G = 5, NFD = 2 };

static void test_table(void)
{
    int Ns[G] = {3, 4, 2, 3, 5};
    char *codes[G] = {"AAA", "CHN", "BBB", "CCC", "DDD"};
    sf_labels *lab = td_labels(G, Ns, NFD, codes, NULL);
    const int n = lab->n, c = 1;
    const size_t N = (size_t)n;
    sf_table t;
    td_random_table(lab, 2010, &rs_, &t);
    t.F[5 * lab->nfd + 1] = -2.0; /* negative final demand (inventories) of a focal sector */
    sf_derived d;
    sf_derive(&t, SF_VA_DERIVED, 1e-9, &d);
    double *B = td_inverse(n, t.Z, &d);
    sf_products p;
    sf_products_dense(lab, &d, B, c, &p);
    sf_decomp dec;
    sf_err e = {0};
    CHECK_MSG(sf_decompose(lab, &t, &d, &p, NULL, &dec, &e) == SF_OK, "%s", e.msg);
    double *exb = sf_malloc(sizeof(double) * N * G);
    sf_exports_bilateral(&t, &d, exb);

    /* independent: gross flows from Z and Y, value-added flows from v, B, Y */
    double gx[G] = {0}, gm[G] = {0}, vx[G] = {0}, vm[G] = {0};
    double *BY = sf_calloc(N * G, sizeof(double));
    for (int k = 0; k < n; k++)
        for (int r = 0; r < G; r++)
            for (int j = 0; j < n; j++) BY[k * G + r] += B[k * n + j] * d.Y[j * G + r];
    for (int k = 0; k < n; k++) {
        const int s = lab->sector_region[k];
        for (int r = 0; r < G; r++) {
            if (r == s) continue;
            double fl = d.Y[k * G + r];
            for (int j = lab->region_start[r]; j < lab->region_start[r + 1]; j++) fl += t.Z[k * n + j];
            if (s == c) gx[r] += fl;
            if (r == c) gm[s] += fl;
        }
        for (int r = 0; r < G; r++) {
            if (s == c && r != c) vx[r] += d.v[k] * BY[k * G + r];
            if (s != c && r == c) vm[s] += d.v[k] * BY[k * G + r];
        }
    }
    double flows[SF_TR_NMEAS * G];
    sf_trade_country_flows(lab, c, exb, dec.vax, flows);
    for (int r = 0; r < G; r++) {
        CHECK_NEAR(flows[SF_TR_GX * G + r], gx[r], 1e-12);
        CHECK_NEAR(flows[SF_TR_GM * G + r], gm[r], 1e-12);
        CHECK_NEAR(flows[SF_TR_GT * G + r], gx[r] + gm[r], 1e-12);
        CHECK_NEAR(flows[SF_TR_VX * G + r], vx[r], 1e-10);
        CHECK_NEAR(flows[SF_TR_VM * G + r], vm[r], 1e-10);
        CHECK_NEAR(flows[SF_TR_VT * G + r], vx[r] + vm[r], 1e-10);
    }
    CHECK(flows[SF_TR_GX * G + c] == 0 && flows[SF_TR_VX * G + c] == 0 && flows[SF_TR_GM * G + c] == 0);
    CHECK(gx[0] > 0 && vm[4] > 0);

    /* groups: partners BBB, CCC; BRI: AAA yes, BBB unknown, CCC no, DDD yes; FTA: CCC only */
    unsigned char isp[G] = {0, 0, 1, 1, 0};
    double bri[G] = {1, NAN, NAN, 0, 1}, ever[G] = {1, 1, NAN, 1, 1}, fta[G] = {0, 1, 0, 1, 0};
    unsigned char mem[SF_TG_N * G];
    int unk[SF_TG_N], avail[SF_TG_N];
    sf_trade_membership(G, c, isp, bri, ever, fta, mem, unk, avail);
#define M(k, r) mem[(k) * G + (r)]
    for (int r = 0; r < G; r++) {
        CHECK(M(SF_TG_WORLD, r) == (r != c));
        CHECK(M(SF_TG_PARTNERS, r) == (r == 2 || r == 3));
        CHECK(M(SF_TG_NONPARTNERS, r) == (r == 0 || r == 4));
        CHECK(M(SF_TG_BRI, r) == (r == 0 || r == 4));
        CHECK(M(SF_TG_BRI_EVER, r) == (r == 0 || r == 3 || r == 4)); /* the focal's own status is ignored */
        CHECK(M(SF_TG_FTA, r) == (r == 3));
        CHECK(M(SF_TG_PARTNERS_BRI, r) == 0);
        CHECK(M(SF_TG_PARTNERS_FTA, r) == (r == 3));
    }
    CHECK(unk[SF_TG_BRI] == 1 && unk[SF_TG_PARTNERS_BRI] == 1 && unk[SF_TG_BRI_EVER] == 1 && unk[SF_TG_FTA] == 0);
    CHECK(unk[SF_TG_WORLD] == 0 && avail[SF_TG_BRI] && avail[SF_TG_FTA]);
    unsigned char mem2[SF_TG_N * G];
    int unk2[SF_TG_N], avail2[SF_TG_N];
    sf_trade_membership(G, c, isp, NULL, NULL, fta, mem2, unk2, avail2);
    CHECK(!avail2[SF_TG_BRI] && !avail2[SF_TG_PARTNERS_BRI] && !avail2[SF_TG_BRI_EVER] && avail2[SF_TG_FTA]);
    CHECK(avail2[SF_TG_WORLD] && avail2[SF_TG_PARTNERS]);
    int none = 0;
    for (int r = 0; r < G; r++) none += mem2[SF_TG_BRI * G + r] + mem2[SF_TG_BRI_EVER * G + r];
    CHECK(none == 0);

    double sums[SF_TR_NMEAS][SF_TG_N];
    for (int m = 0; m < SF_TR_NMEAS; m++) {
        sf_trade_group_sums(G, SF_TG_N, mem, flows + m * G, sums[m]);
        const double *f = flows + m * G;
        CHECK_NEAR(sums[m][SF_TG_PARTNERS] + sums[m][SF_TG_NONPARTNERS], sums[m][SF_TG_WORLD], 1e-13);
        CHECK_NEAR(sums[m][SF_TG_WORLD], f[0] + f[2] + f[3] + f[4], 1e-13);
        CHECK_NEAR(sums[m][SF_TG_PARTNERS], f[2] + f[3], 1e-13);
        CHECK_NEAR(sums[m][SF_TG_BRI], f[0] + f[4], 1e-13);
        /* bri + (known non-signatories) + (unknown) = world */
        CHECK_NEAR(sums[m][SF_TG_BRI] + f[3] + f[2], sums[m][SF_TG_WORLD], 1e-13);
    }
    double Ec = 0, vac = 0, vdom = 0;
    for (int k = lab->region_start[c]; k < lab->region_start[c + 1]; k++) {
        Ec += d.E[k];
        vac += d.va[k];
        vdom += d.v[k] * BY[k * G + c];
    }
    CHECK_NEAR(sums[SF_TR_GX][SF_TG_WORLD], Ec, 1e-12);
    /* VA exports to the world = the focal's value added absorbed abroad = va - own absorption */
    CHECK_NEAR(sums[SF_TR_VX][SF_TG_WORLD], vac - vdom, 1e-10);

    /* by sector of the focal region: the sectors sum to the group values */
    const int ns = Ns[c];
    double sgx[8 * SF_TG_N], svx[8 * SF_TG_N];
    sf_trade_sector_exports(lab, c, exb, dec.vby, SF_TG_N, mem, sgx, svx);
    for (int k = 0; k < SF_TG_N; k++) {
        double a = 0, b = 0;
        for (int i = 0; i < ns; i++) {
            a += sgx[i * SF_TG_N + k];
            b += svx[i * SF_TG_N + k];
        }
        CHECK_NEAR(a, sums[SF_TR_GX][k], 1e-12);
        CHECK_NEAR(b, sums[SF_TR_VX][k], 1e-10);
    }
    /* one cell against the dense product: sector 2 of CHN, to DDD */
    const int k2 = lab->region_start[c] + 1;
    CHECK_NEAR(svx[1 * SF_TG_N + SF_TG_BRI], d.v[k2] * (BY[k2 * G + 0] + BY[k2 * G + 4]), 1e-10);
    CHECK_NEAR(sgx[1 * SF_TG_N + SF_TG_WORLD], d.E[k2], 1e-12);

    free(BY);
    free(exb);
    sf_decomp_free(&dec);
    sf_products_free(&p);
    sf_derived_free(&d);
    free(B);
    sf_table_free(&t);
    sf_labels_free(lab);
}

static void test_growth(void)
{
    /* growth rates */
    CHECK_NEAR(sf_trade_growth1(100, 110), 0.1, 1e-15);
    CHECK_NEAR(sf_trade_growth1(80, 60), -0.25, 1e-15);
    CHECK(isnan(sf_trade_growth1(0, 5)) && isnan(sf_trade_growth1(-3, 5)) && isnan(sf_trade_growth1(NAN, 5)));
    CHECK(isnan(sf_trade_growth1(5, NAN)));

    /* a series with a gap (no 2015) and a zero level; boundary 2013 */
    const int years[8] = {2010, 2011, 2012, 2013, 2014, 2016, 2017, 2018};
    /* column 0: the reference (world), column 1: a group, column 2: a group that starts at zero */
    const double lv[8][3] = {{200, 100, 0},  {220, 110, 0},  {242, 99, 4},   {260, 121, 5},
                             {300, 150, 6},  {320, 160, 7},  {330, 200, 0},  {360, 180, 3}};
    sf_trade_series s;
    sf_trade_series_alloc(&s, 8, years, 3, 1);
    for (int t = 0; t < 8; t++)
        for (int k = 0; k < 3; k++) s.level[t * 3 + k] = lv[t][k];
    sf_trade_series_finish(&s, NULL, 2013);
#define GR(t, k) s.growth[(t) * 3 + (k)]
    CHECK(isnan(GR(0, 1)));
    CHECK_NEAR(GR(1, 1), 0.1, 1e-15);
    CHECK_NEAR(GR(2, 1), -0.1, 1e-15);
    CHECK_NEAR(GR(3, 1), 121.0 / 99 - 1, 1e-15);
    CHECK_NEAR(GR(4, 1), 150.0 / 121 - 1, 1e-15);
    CHECK(isnan(GR(5, 1)));               /* 2016: 2015 is not in the series */
    CHECK_NEAR(GR(6, 1), 0.25, 1e-15);
    CHECK_NEAR(GR(7, 1), -0.1, 1e-15);
    CHECK(isnan(GR(2, 2)) && isnan(GR(7, 2)));  /* from a zero base */
    CHECK_NEAR(GR(3, 2), 0.25, 1e-15);
    /* shares of column 0, index on the first year */
    CHECK_NEAR(s.share[2 * 3 + 1], 99.0 / 242, 1e-15);
    CHECK_NEAR(s.share[0], 1, 0);
    CHECK_NEAR(s.index[7 * 3 + 1], 180, 1e-13);
    CHECK(isnan(s.index[3 * 3 + 2]));     /* first year's value 0 */
    /* before (<= 2013): growth of 2011, 2012, 2013; after: 2014, 2017, 2018 (2016 undefined) */
    const double gb = (0.1 - 0.1 + (121.0 / 99 - 1)) / 3, ga = ((150.0 / 121 - 1) + 0.25 - 0.1) / 3;
    CHECK_NEAR(s.gmean[0 * 3 + 1], gb, 1e-15);
    CHECK_NEAR(s.gmean[1 * 3 + 1], ga, 1e-15);
    CHECK(s.gn[0 * 3 + 1] == 3 && s.gn[1 * 3 + 1] == 3);
    /* CAGR: 2010 -> 2013 and 2013 -> 2018 */
    CHECK(s.cagr_from[0] == 2010 && s.cagr_to[0] == 2013 && s.cagr_from[1] == 2013 && s.cagr_to[1] == 2018);
    CHECK_NEAR(s.cagr[0 * 3 + 1], pow(121.0 / 100, 1.0 / 3) - 1, 1e-14);
    CHECK_NEAR(s.cagr[1 * 3 + 1], pow(180.0 / 121, 1.0 / 5) - 1, 1e-14);
    CHECK_NEAR(s.cagr[0 * 3 + 0], pow(260.0 / 200, 1.0 / 3) - 1, 1e-14);
    CHECK(isnan(s.cagr[0 * 3 + 2]));      /* starts at 0 */
    CHECK_NEAR(s.cagr[1 * 3 + 2], pow(3.0 / 5, 1.0 / 5) - 1, 1e-14);
    /* column 2 before: only 2013 has a growth rate */
    CHECK(s.gn[0 * 3 + 2] == 1);
    CHECK_NEAR(s.gmean[0 * 3 + 2], 0.25, 1e-15);
    sf_trade_series_free(&s);

    /* only years after the boundary: the after-CAGR starts at the first year; nothing before */
    const int y2[3] = {2015, 2016, 2017};
    const double x2[3] = {10, 12, 18}, g2[3] = {NAN, 0.2, 0.5};
    double mean[2], cagr[2];
    int nn[2], from[2], to[2];
    sf_trade_periods(3, y2, x2, 1, g2, 2013, mean, nn, cagr, from, to);
    CHECK(nn[0] == 0 && isnan(mean[0]) && isnan(cagr[0]) && from[0] == 0);
    CHECK(nn[1] == 2);
    CHECK_NEAR(mean[1], 0.35, 1e-15);
    CHECK(from[1] == 2015 && to[1] == 2017);
    CHECK_NEAR(cagr[1], pow(1.8, 0.5) - 1, 1e-15);
    /* a single year before and none after: no spans */
    const int y3[1] = {2005};
    const double x3[1] = {7}, g3[1] = {NAN};
    sf_trade_periods(1, y3, x3, 1, g3, 2013, mean, nn, cagr, from, to);
    CHECK(isnan(cagr[0]) && isnan(cagr[1]) && nn[0] == 0 && nn[1] == 0 && from[1] == 0);

    /* explicit denominators; a non-positive one gives a missing share */
    const int y4[2] = {2000, 2001};
    sf_trade_series s4;
    sf_trade_series_alloc(&s4, 2, y4, 2, 1);
    const double l4[4] = {1, 2, 3, 4}, r4[4] = {4, 0, 6, -1};
    memcpy(s4.level, l4, sizeof l4);
    sf_trade_series_finish(&s4, r4, 2013);
    CHECK_NEAR(s4.share[0], 0.25, 1e-15);
    CHECK(isnan(s4.share[1]) && isnan(s4.share[3]));
    CHECK_NEAR(s4.share[2], 0.5, 1e-15);
    sf_trade_series_free(&s4);

    /* industry classes */
    const int ind[4] = {3, 4, 5, 6}, high[3] = {5, 6, 9};
    CHECK(sf_trade_class_of(5, ind, 4, high, 3) == SF_TC_MFG_HIGH);
    CHECK(sf_trade_class_of(4, ind, 4, high, 3) == SF_TC_MFG_LOW);
    CHECK(sf_trade_class_of(9, ind, 4, high, 3) == SF_TC_OTHER); /* high tech outside the model industries */
    CHECK(sf_trade_class_of(1, ind, 4, high, 3) == SF_TC_OTHER);
}

int main(void)
{
    test_table();
    test_growth();
    TEST_MAIN_END();
}
