/* Fast decimal number parsing with strtod's results (see numparse.h for the
 * method). The fast paths are exact by construction: an integer mantissa of at
 * most 53 bits and a power of ten up to 1e22 are both exact doubles, so one
 * IEEE multiplication or division rounds the exact product/quotient once,
 * which is what a correctly rounding strtod returns. */
#include "silkflow/numparse.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const double P10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                               1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* 10^k as uint64 for k <= 19 */
static const uint64_t U10[20] = {1ULL,
                                 10ULL,
                                 100ULL,
                                 1000ULL,
                                 10000ULL,
                                 100000ULL,
                                 1000000ULL,
                                 10000000ULL,
                                 100000000ULL,
                                 1000000000ULL,
                                 10000000000ULL,
                                 100000000000ULL,
                                 1000000000000ULL,
                                 10000000000000ULL,
                                 100000000000000ULL,
                                 1000000000000000ULL,
                                 10000000000000000ULL,
                                 100000000000000000ULL,
                                 1000000000000000000ULL,
                                 10000000000000000000ULL};

#define TWO53 9007199254740992ULL

#if LDBL_MANT_DIG == 64
/* 10^k = 5^k 2^k is exact in a 64-bit significand while 5^k < 2^64: k <= 27 */
#define LD_MAXEXP 27
static const long double L10[LD_MAXEXP + 1] = {
    1e0L,  1e1L,  1e2L,  1e3L,  1e4L,  1e5L,  1e6L,  1e7L,  1e8L,  1e9L,  1e10L, 1e11L, 1e12L, 1e13L,
    1e14L, 1e15L, 1e16L, 1e17L, 1e18L, 1e19L, 1e20L, 1e21L, 1e22L, 1e23L, 1e24L, 1e25L, 1e26L, 1e27L};
#endif

static inline int is_digit(char c) { return (unsigned)(unsigned char)c - '0' < 10u; }

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SWAR 1
/* Eight ASCII digits at once (little endian: the first character is the low
 * byte). */
static inline uint64_t load8(const char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline int all_digits8(uint64_t v)
{
    /* every byte in 0x30..0x39: high nibble 3, and adding 6 keeps it 3 */
    return ((v & 0xF0F0F0F0F0F0F0F0ULL) | (((v + 0x0606060606060606ULL) & 0xF0F0F0F0F0F0F0F0ULL) >> 4)) ==
           0x3333333333333333ULL;
}

static inline uint64_t digits8(uint64_t v)
{
    v -= 0x3030303030303030ULL;
    v = v * 10 + (v >> 8); /* pairs: d0*10+d1 in bytes 0,2,4,6 */
    const uint64_t mask = 0x000000FF000000FFULL;
    const uint64_t mul1 = 100 + (1000000ULL << 32);
    const uint64_t mul2 = 1 + (10000ULL << 32);
    return (((v & mask) * mul1) + (((v >> 16) & mask) * mul2)) >> 32;
}
#endif

/* Gather digits into w (wrapping silently beyond 19 digits: the caller
 * counts digits and then takes the slow path). */
static inline const char *gather(const char *p, uint64_t *w)
{
    uint64_t v = *w;
#ifdef SWAR
    for (;;) {
        uint64_t c = load8(p);
        if (!all_digits8(c)) break;
        v = v * 100000000ULL + digits8(c);
        p += 8;
    }
#endif
    while (is_digit(*p)) v = v * 10 + (uint64_t)(*p++ - '0');
    *w = v;
    return p;
}

static const char *slow(const char *s, const char *end, double *out)
{
    char *e;
    double v = strtod(s, &e);
    /* our grammar is strtod's decimal grammar: both must end at the same place */
    if (e != end) return NULL;
    *out = v;
    return end;
}

const char *sf_numparse(const char *s, double *out)
{
    const char *p = s;
    int neg = 0;
    if (*p == '-') {
        neg = 1;
        p++;
    } else if (*p == '+') {
        p++;
    }
    const char *d0 = p;
    while (*p == '0') p++; /* leading zeros are not significant */
    const char *sig = p;
    uint64_t w = 0;
    p = gather(p, &w);
    long nd = p - sig;       /* significant digits in w */
    long nint = p - d0;      /* digits before the point, zeros included */
    long exp10 = 0;
    if (*p == '.') {
        const char *f0 = ++p;
        if (nd == 0)
            while (*p == '0') p++;
        const char *fs = p;
        p = gather(p, &w);
        nd += p - fs;
        exp10 = -(long)(p - f0);
        if (nint == 0 && p == f0) return NULL; /* "." alone */
    } else if (nint == 0) {
        return NULL;
    }
    if ((*p | 0x20) == 'e') {
        const char *e = p + 1;
        int eneg = 0;
        if (*e == '-') {
            eneg = 1;
            e++;
        } else if (*e == '+') {
            e++;
        }
        if (is_digit(*e)) {
            long ev = 0;
            while (is_digit(*e)) {
                if (ev < 100000000L) ev = ev * 10 + (*e - '0');
                e++;
            }
            exp10 += eneg ? -ev : ev;
            p = e;
        }
    }
    if (nd > 19) return slow(s, p, out);
    if (w == 0) {
        *out = neg ? -0.0 : 0.0;
        return p;
    }
    double v;
    if (w <= TWO53) {
        if (exp10 >= 0 && exp10 <= 22) {
            v = (double)w * P10[exp10];
            goto done;
        }
        if (exp10 < 0 && exp10 >= -22) {
            v = (double)w / P10[-exp10];
            goto done;
        }
        /* 1234e25: move part of the power into the mantissa while it stays
         * an exact integer <= 2^53 */
        if (exp10 > 22 && exp10 <= 22 + 19 && w <= TWO53 / U10[exp10 - 22]) {
            v = (double)(w * U10[exp10 - 22]) * 1e22;
            goto done;
        }
    }
#ifdef LD_MAXEXP
    if (exp10 >= -LD_MAXEXP && exp10 <= LD_MAXEXP) {
        long double r = exp10 >= 0 ? (long double)w * L10[exp10] : (long double)w / L10[-exp10];
        /* r is the exact value rounded once to 64 bits; rounding it to 53 bits
         * is right unless r lies exactly halfway between two doubles (low 11
         * bits of the significand 100 0000 0000). r is a normal double
         * magnitude here (1e-27 <= r < 1e47). */
        int ex;
        long double m = frexpl(r, &ex);
        uint64_t bits = (uint64_t)ldexpl(m, 64);
        if ((bits & 0x7FF) != 0x400) {
            v = (double)r;
            goto done;
        }
    }
#endif
    return slow(s, p, out);
done:
    *out = neg ? -v : v;
    return p;
}
