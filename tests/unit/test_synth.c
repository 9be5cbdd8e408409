/* Unit tests of the synthetic-release helpers: the number formatter against
 * printf("%.*g") and strtod, and the heterogeneous sector counts. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "silkflow/synth.h"
#include "testlib.h"

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 11;
}

static void test_format(void)
{
    char a[64], b[64];
    /* fixed cases: shape of %g (no trailing zeros, exponent form outside 1e-5..1e(P-1)) */
    struct {
        double v;
        int p;
        const char *s;
    } cases[] = {{0.0, 9, "0"},
                 {-0.0, 9, "0"},
                 {1.0, 9, "1"},
                 {-2.5, 9, "-2.5"},
                 {123456.789, 9, "123456.789"},
                 {1234567890.0, 9, "1.23456789e+09"},
                 {0.0001234, 9, "0.0001234"},
                 {0.00001234, 9, "1.234e-05"},
                 {999999999.6, 9, "1e+09"},
                 {9.9999999996, 9, "10"},
                 {100.0, 6, "100"},
                 {1e22, 9, "1e+22"},
                 {3.0e-300, 9, "3e-300"},
                 {1.5e300, 6, "1.5e+300"}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        size_t n = sf_synth_format(cases[k].v, cases[k].p, a);
        a[n] = 0;
        CHECK_MSG(!strcmp(a, cases[k].s), "format(%.17g, %d) = '%s', expected '%s'", cases[k].v, cases[k].p, a,
                  cases[k].s);
    }
    /* random values over the range of an MRIO table: agree with printf
     * except in rare halfway cases, and always within half a unit of the
     * last digit */
    uint64_t s = 42;
    long total = 0, differ = 0, bad = 0;
    /* the fast path serves 3..15 digits (16-17 go through printf) */
    for (int p = 3; p <= 15; p++) {
        for (int it = 0; it < 40000; it++) {
            double mant = 1 + (double)lcg(&s) / 9007199254740992.0 * 9;
            int ex = (int)(lcg(&s) % 26) - 12;
            double v = mant * pow(10, ex) * ((lcg(&s) & 1) ? 1 : -1);
            if (it % 7 == 0) v = (double)(lcg(&s) % 100000) / 100; /* round numbers */
            size_t n = sf_synth_format(v, p, a);
            a[n] = 0;
            snprintf(b, sizeof b, "%.*g", p, v);
            total++;
            if (strcmp(a, b)) {
                if (differ++ < 5) fprintf(stderr, "differs: p=%d v=%.17g -> '%s' (printf '%s')\n", p, v, a, b);
            }
            double back = strtod(a, NULL), ulp = fabs(v) * pow(10, 1 - p);
            if (!(fabs(back - v) <= 0.5000001 * ulp + 1e-300)) {
                if (bad++ < 5) fprintf(stderr, "p=%d v=%.17g -> '%s' (printf '%s')\n", p, v, a, b);
            }
        }
    }
    CHECK_MSG(bad == 0, "%ld of %ld formatted values off by more than half a unit of the last digit", bad, total);
    CHECK_MSG(differ * 100000 <= total, "%ld of %ld differ from printf (expected none or nearly none)", differ,
              total);
    printf("format: %ld values, %ld differ from printf in the last digit\n", total, differ);
}

static void test_counts(void)
{
    int G = 190, rows = 15909;
    double size[190];
    for (int g = 0; g < G; g++) size[g] = 1.0 + (g * 37 % 101);
    int c1[190], c2[190];
    sf_synth_sector_counts(7, G, rows, size, c1);
    sf_synth_sector_counts(7, G, rows, size, c2);
    long sum = 0;
    int mn = 1 << 30, mx = 0, n26 = 0, big = 0;
    for (int g = 0; g < G; g++) {
        sum += c1[g];
        if (c1[g] < mn) mn = c1[g];
        if (c1[g] > mx) mx = c1[g];
        n26 += c1[g] == 26;
        big += c1[g] >= 250;
        CHECK(c1[g] == c2[g]);
    }
    CHECK_MSG(sum == rows, "sector counts sum to %ld, expected %d", sum, rows);
    CHECK(c1[G - 1] == 1);
    CHECK_MSG(mn >= 1, "min count %d", mn);
    CHECK_MSG(n26 >= 60, "only %d countries with 26 sectors", n26);
    CHECK_MSG(big >= 3 && mx <= 700, "%d regions with >= 250 sectors, max %d", big, mx);
    /* the largest region gets one of the largest tables */
    int gbig = 0;
    for (int g = 1; g < G - 1; g++)
        if (size[g] > size[gbig]) gbig = g;
    CHECK_MSG(c1[gbig] >= 100, "largest region has only %d sectors", c1[gbig]);
    /* extremes: one sector each, and a small total */
    int c3[5];
    sf_synth_sector_counts(1, 5, 5, NULL, c3);
    for (int g = 0; g < 5; g++) CHECK(c3[g] == 1);
    int c4[12];
    sf_synth_sector_counts(3, 12, 100, NULL, c4);
    sum = 0;
    for (int g = 0; g < 12; g++) {
        sum += c4[g];
        CHECK(c4[g] >= 1);
    }
    CHECK(sum == 100);
    /* another seed, other counts */
    sf_synth_sector_counts(8, G, rows, size, c2);
    int same = 1;
    for (int g = 0; g < G; g++) same &= c1[g] == c2[g];
    CHECK(!same);
}

int main(void)
{
    test_format();
    test_counts();
    TEST_MAIN_END();
}
