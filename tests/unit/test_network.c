/* Centralities and core-periphery structure of core/network.c against
 * networkx and numpy on two small directed weighted networks (reference
 * values from tests/unit/network_ref.py, pasted below: run it to regenerate):
 * w1 has integer weights, so equal-length shortest paths occur; w2 is a dense
 * random network. Then the group aggregates of sf_network_groups against
 * their definitions and identities (the groups of a partition sum to the
 * partners' shares). */
#include "silkflow/decomp.h"
#include "silkflow/network.h"
#include "testlib.h"

/* w1 */
static const double w1[] = {0, 5, 1, 0, 2, 0, 3, 0, 4, 1, 0, 1, 1, 2, 0, 6, 0, 0, 0, 1, 3, 0, 2, 1, 2, 0, 0, 1, 0, 3, 1, 1, 0, 0, 4, 0};
static const double w1_bc[] = {0.25, 0.25, 0.15000000000000002, 0.10000000000000001, 0.40000000000000002, 0};
static const double w1_ev[] = {0.36940808705590689, 0.4609643228000041, 0.47528960221174199, 0.47819703533707325, 0.35746915118707262, 0.26209302489204289};
static const double w1_core[] = {0.46235270962589187, 0.66533706799259051, 0.76446952609404983, 0.56633041503731696, 0.26170492004334606, 0.21426863401381699};
static const double w1_fit = 0.39129632476183168, w1_split_fit = 0.47140452079103168;
static const int w1_incore[] = {0, 1, 1, 0, 0, 0};
/* w2 */
static const double w2[] = {0, 2.5760000000000001, 4.7539999999999996, 4.694, 15.282999999999999, 0.56100000000000005, 2.262, 0.57699999999999996, 0, 0.34799999999999998, 1.2270000000000001, 0.253, 0.75, 5.3680000000000003, 2.3530000000000002, 2.3599999999999999, 0, 0.76900000000000002, 0.060999999999999999, 4.4249999999999998, 0.104, 1.383, 0.84999999999999998, 1.2290000000000001, 0, 0.60599999999999998, 3.863, 0.14499999999999999, 3.2799999999999998, 0.079000000000000001, 5.9269999999999996, 0.46600000000000003, 0, 9.6029999999999998, 0.039, 0.624, 2.3639999999999999, 3.8530000000000002, 7.6710000000000003, 2.4820000000000002, 0, 1.173, 1.4890000000000001, 1.1120000000000001, 4.4269999999999996, 1.27, 2.7269999999999999, 11.292999999999999, 0};
static const double w2_bc[] = {0.033333333333333333, 0.13333333333333333, 0.10000000000000001, 0, 0.033333333333333333, 0.36666666666666664, 0.16666666666666666};
static const double w2_ev[] = {0.22951829325530609, 0.23113750792697899, 0.44169028435479152, 0.42512359233173669, 0.36945970697132641, 0.59527995909930675, 0.16497795204029264};
static const double w2_core[] = {0.53962387331385309, 0.17547976637941926, 0.3803370115396762, 0.29482477186534073, 0.66199062111916129, 0.5900613060471398, 0.35374464400251221};
static const double w2_fit = 0.57598227884740505, w2_split_fit = 0.78687892449731645;
static const int w2_incore[] = {0, 0, 0, 0, 1, 1, 0};

static void check_case(const char *name, int m, const double *w, const double *bc, const double *ev,
                       const double *core, double fit, const int *incore, double split_fit)
{
    double x[8], y[8];
    int in[8], k = 0;
    sf_betweenness(m, w, x);
    for (int i = 0; i < m; i++) CHECK_NEAR(x[i], bc[i], 1e-12);
    CHECK_MSG(sf_eigenvector(m, w, y) > 0, "%s: eigenvector did not converge", name);
    for (int i = 0; i < m; i++) CHECK_NEAR(y[i], ev[i], 1e-10);
    const double r = sf_coreness(m, w, x);
    for (int i = 0; i < m; i++) CHECK_NEAR(x[i], core[i], 1e-9);
    CHECK_NEAR(r, fit, 1e-9);
    const double rs = sf_core_split(m, w, x, in, &k);
    CHECK_NEAR(rs, split_fit, 1e-9);
    int nk = 0;
    for (int i = 0; i < m; i++) {
        CHECK_MSG(in[i] == incore[i], "%s: node %d core %d, expected %d", name, i, in[i], incore[i]);
        nk += incore[i];
    }
    CHECK(k == nk);
}

/* sf_network_year on a 4-region world with node set {1 (focal), 0, 3} and groups */
static void check_groups(void)
{
    enum { G = 4 };
    double vax[G * G], vbe[G * G], fd[G * G], wwz[G * G * SF_WWZ_NTERMS];
    for (int i = 0; i < G * G; i++) {
        vax[i] = 1 + (i * 7) % 5;
        vbe[i] = 2 + (i * 3) % 7;
        fd[i] = 10 + i;
    }
    for (int i = 0; i < G * G * SF_WWZ_NTERMS; i++) wwz[i] = 1 + (i % 9) * 0.5;
    const int partners[2] = {0, 3}, c = 1;
    sf_network net;
    sf_network_year(G, vax, vbe, wwz, fd, c, partners, 2, 0.001, &net);
    const int grp[3] = {-1, 1, 0}; /* node 1 = region 0 in group 1, node 2 = region 3 in group 0 */
    sf_network_groups(G, vbe, wwz, fd, 2, grp, &net);
    double foreign = 0;
    for (int s = 0; s < G; s++)
        if (s != c) foreign += vbe[s * G + c];
    CHECK_NEAR(net.grp_src_share[1], vbe[0 * G + c] / foreign, 1e-15);
    CHECK_NEAR(net.grp_src_share[0] + net.grp_src_share[1], net.src_share[1] + net.src_share[2], 1e-15);
    const double fva3 = vbe[0 * G + 3] + vbe[1 * G + 3] + vbe[2 * G + 3];
    CHECK_NEAR(net.grp_focal_share[0], vbe[c * G + 3] / fva3, 1e-15);
    const double *t = wwz + (c * G + 3) * SF_WWZ_NTERMS;
    double dva = 0;
    for (int q = 0; q < 8; q++) dva += t[q];
    CHECK_NEAR(net.grp_fin_share[0], t[0] / dva, 1e-15);
    CHECK_NEAR(net.grp_fin_capture[0], t[0] / fd[c * G + 3], 1e-15);
    /* one group with both partners = the network-wide measures */
    const int one[3] = {-1, 0, 0};
    sf_network n2;
    sf_network_year(G, vax, vbe, wwz, fd, c, partners, 2, 0.001, &n2);
    sf_network_groups(G, vbe, wwz, fd, 1, one, &n2);
    CHECK_NEAR(n2.grp_fin_share[0], n2.fin_share, 1e-15);
    CHECK_NEAR(n2.grp_fin_capture[0], n2.fin_capture, 1e-15);
    CHECK_NEAR(n2.grp_src_share[0], n2.src_share[1] + n2.src_share[2], 1e-15);
    /* strengths: in and out both sum to the total flow; betweenness within [0, 1] */
    for (int k = 0; k < 2; k++) {
        double si = 0, so = 0;
        for (int a = 0; a < net.m; a++) {
            si += net.in[k][a];
            so += net.out[k][a];
            CHECK(net.betweenness[k][a] >= 0 && net.betweenness[k][a] <= 1);
        }
        CHECK_NEAR(si, net.total[k], 1e-14);
        CHECK_NEAR(so, net.total[k], 1e-14);
    }
    sf_network_free(&net);
    sf_network_free(&n2);
}

int main(void)
{
    check_case("w1", 6, w1, w1_bc, w1_ev, w1_core, w1_fit, w1_incore, w1_split_fit);
    check_case("w2", 7, w2, w2_bc, w2_ev, w2_core, w2_fit, w2_incore, w2_split_fit);
    /* a node without in-edges has betweenness 0; a network without flows: coreness NaN */
    double z[9] = {0};
    double c3[3];
    CHECK(isnan(sf_coreness(3, z, c3)) && isnan(c3[0]));
    check_groups();
    TEST_MAIN_END();
}
