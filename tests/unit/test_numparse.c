/* sf_numparse against strtod: millions of random tokens of many shapes
 * (integers, 1-25 significant digits, leading/trailing zeros, exponents,
 * tiny/huge/subnormal values, halfway points between doubles, %.17g of
 * random bit patterns) must give bit-identical doubles and the same end. */
#include <errno.h>
#include <float.h>
#include <stdint.h>

#include "silkflow/numparse.h"
#include "testlib.h"

static uint64_t rng_s = 0x9E3779B97F4A7C15ULL;
static uint64_t rnd(void) { return t_splitmix64(&rng_s); }
static int rndint(int lo, int hi) { return lo + (int)(rnd() % (uint64_t)(hi - lo + 1)); }

static long n_tested = 0, n_mismatch = 0;

/* Compare one token (NUL-terminated text in tok) with strtod. */
static void cmp(const char *tok)
{
    char buf[600];
    size_t l = strlen(tok);
    if (l + 1 + SF_NUMPARSE_PAD > sizeof buf) return;
    memcpy(buf, tok, l);
    buf[l] = '\t';
    memset(buf + l + 1, 0, SF_NUMPARSE_PAD);
    char *se;
    double ref = strtod(tok, &se);
    double got = 0;
    const char *ge = sf_numparse(buf, &got);
    n_tested++;
    int ok;
    if (se == tok) {
        ok = ge == NULL;
    } else {
        ok = ge != NULL && ge - buf == se - tok && memcmp(&got, &ref, sizeof got) == 0;
    }
    if (!ok) {
        n_mismatch++;
        if (n_mismatch <= 20)
            fprintf(stderr, "mismatch on '%s': strtod %.17g (end %ld), sf_numparse %.17g (end %ld)\n", tok, ref,
                    (long)(se - tok), got, ge ? (long)(ge - buf) : -1L);
    }
}

static void digits(char *p, int n, int first_nonzero)
{
    for (int i = 0; i < n; i++) p[i] = (char)('0' + (i == 0 && first_nonzero ? rndint(1, 9) : rndint(0, 9)));
    p[n] = '\0';
}

/* d significant digits with the decimal point at position pt (may be <= 0 or
 * > d: leading/trailing zeros), optional sign and exponent */
static void shaped(int d, int pt, int expo, int use_exp, int sign, int trailing_zeros)
{
    char sig[64], tok[256];
    digits(sig, d, 1);
    char *o = tok;
    if (sign == 1) *o++ = '-';
    if (sign == 2) *o++ = '+';
    if (pt <= 0) {
        if (rnd() & 1) *o++ = '0';
        *o++ = '.';
        for (int i = 0; i < -pt; i++) *o++ = '0';
        o += sprintf(o, "%s", sig);
    } else if (pt >= d) {
        o += sprintf(o, "%s", sig);
        for (int i = d; i < pt; i++) *o++ = '0';
        if (rnd() % 4 == 0) *o++ = '.';
    } else {
        memcpy(o, sig, (size_t)pt);
        o += pt;
        *o++ = '.';
        o += sprintf(o, "%s", sig + pt);
    }
    for (int i = 0; i < trailing_zeros; i++) *o++ = '0';
    if (use_exp) {
        static const char *pos[] = {"e", "E", "e+", "E+"}, *negf[] = {"e-", "E-"};
        const char *f = expo < 0 ? negf[rnd() % 2] : pos[rnd() % 4];
        const char *lz = rnd() % 8 == 0 ? "00" : ""; /* leading zeros in the exponent */
        o += sprintf(o, "%s%s%d", f, lz, abs(expo));
    }
    *o = '\0';
    cmp(tok);
}

int main(int argc, char **argv)
{
    long scale = argc > 1 ? atol(argv[1]) : 1; /* multiply the sample sizes */

    /* fixed cases */
    static const char *fixed[] = {
        "0", "-0", "+0", "0.0", "-0.0", "-0e5", "0e-999", "00012", "+5", "-5", ".5", "-.5", "5.", "-5.",
        "1e", "1e+", "1e-", "1E5", "1e+05", "1e-05", ".e1", ".", "-", "+", "-.", "e5", "+-1", "--1",
        "1.2.3", "12abc", "9007199254740992", "9007199254740993", "9007199254740994",
        "9007199254740995", "18446744073709551615", "18446744073709551616", "99999999999999999999",
        "1e22", "1e23", "1e-22", "1e-23", "123456789e25", "9e37", "4.9e-324", "2.4703282292062327e-324",
        "2.4703282292062328e-324", "2.2250738585072011e-308", "2.2250738585072014e-308", "1.7976931348623157e308",
        "1.7976931348623158e308", "1.7976931348623159e308", "1e309", "-1e309", "1e-400", "-1e-400",
        "0.1", "0.2", "0.3", "3.141592653589793", "2.718281828459045", "1234567890123456789",
        "12345678901234567890", "0.000000000000000000000000000001", "100000000000000000000000",
        "8.988465674311579e307", "5e-324", "1e99999999999", "1e-99999999999", "0.1e-99999999999",
        "7.2057594037927933e16", "9.007199254740993e15", "1.00000000000000011102230246251565404236316680908203125",
        "1.00000000000000011102230246251565404236316680908203124", "1.00000000000000011102230246251565404236316680908203126",
        NULL};
    for (int i = 0; fixed[i]; i++) cmp(fixed[i]);

    /* NaN/Inf/hex are not numbers of a table (strtod takes them) */
    {
        const char *no[] = {"nan", "NaN", "inf", "-inf", "Infinity", "0x1p3", NULL};
        for (int i = 0; no[i]; i++) {
            char buf[64] = {0};
            snprintf(buf, sizeof buf - SF_NUMPARSE_PAD, "%s", no[i]);
            double v;
            const char *e = sf_numparse(buf, &v);
            if (buf[0] == '0') CHECK(e == buf + 1 && v == 0); /* "0" then 'x' */
            else CHECK(e == NULL);
        }
    }
    /* "-0" keeps its sign */
    {
        char buf[32] = "-0\t";
        double v = 1;
        CHECK(sf_numparse(buf, &v) == buf + 2 && v == 0 && signbit(v));
    }

    long N = 200000 * scale;
    /* integers of 1..20 digits */
    for (long k = 0; k < N; k++) {
        char tok[64];
        int d = rndint(1, 20), s = rndint(0, 5);
        char *o = tok;
        if (s == 1) *o++ = '-';
        digits(o, d, 1);
        cmp(tok);
    }
    /* decimals with 1..17 (sometimes up to 25) significant digits, many point positions */
    for (long k = 0; k < 4 * N; k++) {
        int d = rnd() % 16 == 0 ? rndint(18, 25) : rndint(1, 17);
        int pt = rndint(-8, d + 6);
        shaped(d, pt, 0, 0, rndint(0, 3) == 1 ? 1 : 0, rnd() % 8 == 0 ? rndint(1, 6) : 0);
    }
    /* scientific: d.ddd e+-XX over the whole range */
    for (long k = 0; k < 2 * N; k++) {
        int d = rndint(1, 19);
        int expo = rnd() % 4 == 0 ? rndint(-340, 320) : rndint(-30, 30);
        shaped(d, 1, expo, 1, rndint(0, 2), 0);
    }
    /* printf of random doubles: %.17g of random bit patterns (all magnitudes,
     * subnormals included), %.6g .. %.16g of values of table-like size */
    for (long k = 0; k < N; k++) {
        uint64_t b = rnd();
        double x;
        memcpy(&x, &b, sizeof x);
        if (!isfinite(x)) continue;
        char tok[64];
        snprintf(tok, sizeof tok, "%.17g", x);
        cmp(tok);
        snprintf(tok, sizeof tok, "%.*g", rndint(1, 19), x);
        cmp(tok);
        double y = ldexp((double)(rnd() >> 11), rndint(-80, 40));
        snprintf(tok, sizeof tok, "%.*g", rndint(6, 16), y);
        cmp(tok);
        snprintf(tok, sizeof tok, "%.*f", rndint(0, 12), y);
        cmp(tok);
    }
    /* halfway points between adjacent doubles, written exactly (slow path)
     * and rounded to 16..20 significant digits (the extended-precision path
     * and its halfway guard) */
    for (long k = 0; k < N / 2; k++) {
        double x = ldexp((double)((rnd() >> 11) | (1ULL << 52)), rndint(-120, 60));
        long double mid = (long double)x + (long double)(nextafter(x, INFINITY) - x) / 2;
        char tok[128];
        snprintf(tok, sizeof tok, "%.60Lg", mid);
        cmp(tok);
        snprintf(tok, sizeof tok, "%.*Le", rndint(15, 19), mid);
        cmp(tok);
        /* integers at the 2^53 boundary and mid-integers above it */
        uint64_t big = (1ULL << 53) + (rnd() % (1ULL << 20)) * 2 + 1;
        snprintf(tok, sizeof tok, "%llu", (unsigned long long)big * (uint64_t)rndint(1, 2000));
        cmp(tok);
    }
    printf("numparse: %ld tokens compared with strtod, %ld mismatches\n", n_tested, n_mismatch);
    CHECK(n_mismatch == 0);
    CHECK(n_tested > 1000000);
    TEST_MAIN_END();
}
