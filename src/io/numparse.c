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

/* 10^k as uint64 for k <= 19 (also used by the number formatter of synth) */
const uint64_t sf_u10[20] = {1ULL,
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
/* Eight characters at once (little endian: the first character is the low
 * byte). */
static inline uint64_t load8(const char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* x: eight characters xor '0', so that digits are exactly the bytes 0..9.
 * Returns the high bit of each byte that is not a digit. Adding 0x76 can
 * carry out of a byte only when it is >= 0x8A (a non-digit), which only
 * disturbs the bytes above it: the lowest marked byte is always right. */
static inline uint64_t nondigit_mask(uint64_t x)
{
    return ((x + 0x7676767676767676ULL) | x) & 0x8080808080808080ULL;
}

/* Value of 8 digit bytes (0..9, the first character in the low byte). */
static inline uint64_t digits8(uint64_t v)
{
    v = v * 10 + (v >> 8); /* pairs: d0*10+d1 in bytes 0,2,4,6 */
    const uint64_t mask = 0x000000FF000000FFULL;
    const uint64_t mul1 = 100 + (1000000ULL << 32);
    const uint64_t mul2 = 1 + (10000ULL << 32);
    return (((v & mask) * mul1) + (((v >> 16) & mask) * mul2)) >> 32;
}
#endif

/* Gather digits into w (wrapping silently beyond 19 digits: the caller
 * counts digits and then takes the slow path). Eight at a time; the last
 * k < 8 digits are moved to the top of the word, where the zero bytes below
 * them act as leading zeros: no per-digit loop. */
static inline const char *gather(const char *p, uint64_t *w)
{
    uint64_t v = *w;
#ifdef SWAR
    for (;;) {
        uint64_t x = load8(p) ^ 0x3030303030303030ULL;
        uint64_t m = nondigit_mask(x);
        if (m == 0) {
            v = v * 100000000ULL + digits8(x);
            p += 8;
            continue;
        }
        int k = __builtin_ctzll(m) >> 3;
        /* a branch rather than arithmetic that also works at k = 0: when it
         * is predicted, p does not wait for k, and the next number's loads
         * start early (measured: zeros parse twice as fast) */
        if (k) {
            v = v * sf_u10[k] + digits8(x << (64 - 8 * k));
            p += k;
        }
        break;
    }
#else
    while (is_digit(*p)) v = v * 10 + (uint64_t)(*p++ - '0');
#endif
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

static const double P10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                               1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

#ifdef LD_MAXEXP
/* The extended path needs long double arithmetic to really carry 64 bits:
 * not so when the x87 precision control is set to 53 bits, or under
 * valgrind, which emulates x87 in double precision. Checked once at run
 * time (a benign race: every thread stores the same answer); without it
 * those numbers go to strtod. */
static int ld_extended(void)
{
    static volatile int known = -1;
    if (known < 0) {
        volatile long double one = 1.0L, tiny = 0x1p-62L;
        long double sum = one + tiny;
        known = sum != one;
    }
    return known;
}
#endif

/* Beyond Clinger's range: w * 10^q with w <= 19 digits. */
static const char *beyond(const char *s, const char *p, uint64_t w, long q, int neg, double *out)
{
    double v;
    /* 1234e25: move part of the power into the mantissa while it stays an
     * exact integer <= 2^53 */
    if (w <= TWO53 && q > 22 && q <= 22 + 19 && w <= TWO53 / sf_u10[q - 22]) {
        v = (double)(w * sf_u10[q - 22]) * 1e22;
        goto done;
    }
#ifdef LD_MAXEXP
    if (q >= -LD_MAXEXP && q <= LD_MAXEXP && ld_extended()) {
        long double r = q >= 0 ? (long double)w * L10[q] : (long double)w / L10[-q];
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

/* The rest of a number after its mantissa: exponent, then the conversion
 * (kept out of line: exponents are rare in tables). */
static __attribute__((noinline)) const char *with_exponent(const char *s, const char *p, uint64_t w, long nd, long q,
                                                           int neg, double *out)
{
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
        q += eneg ? -ev : ev;
        p = e;
    }
    if (nd > 19) return slow(s, p, out);
    if (w == 0) {
        *out = neg ? -0.0 : 0.0;
        return p;
    }
    if (w <= TWO53 && q >= -22 && q <= 22) {
        double v = q >= 0 ? (double)w * P10[q] : (double)w / P10[-q];
        *out = neg ? -v : v;
        return p;
    }
    return beyond(s, p, w, q, neg, out);
}

/* The parser proper, inlined into the matrix reader's loop. */
static inline __attribute__((always_inline)) const char *parse_number(const char *s, double *out)
{
    const char *p = s;
    int neg = *p == '-';
    p += neg | (*p == '+');
    const char *d0 = p;
    while (*p == '0') p++; /* leading zeros are not significant */
    const char *sig = p;
    uint64_t w = 0;
    p = gather(p, &w);
    long nd = p - sig;  /* significant digits in w */
    long nint = p - d0; /* digits before the point, zeros included */
    long q = 0;
    if (*p == '.') {
        const char *f0 = ++p;
        if (nd == 0)
            while (*p == '0') p++;
        const char *fs = p;
        p = gather(p, &w);
        nd += p - fs;
        q = -(long)(p - f0);
        if (nint == 0 && p == f0) return NULL; /* "." alone */
    } else if (nint == 0) {
        return NULL;
    }
    if ((*p | 0x20) == 'e') return with_exponent(s, p, w, nd, q, neg, out);
    if (nd > 19) return slow(s, p, out);
    /* Clinger: w and 10^|q| are exact doubles, one operation rounds once.
     * (Branches rather than a multiply-then-divide table: division costs
     * more than a predicted branch.) */
    double v;
    if (w == 0) {
        v = 0;
    } else if (w <= TWO53 && q >= 0 && q <= 22) {
        v = (double)w * P10[q];
    } else if (w <= TWO53 && q < 0 && q >= -22) {
        v = (double)w / P10[-q];
    } else {
        return beyond(s, p, w, q, neg, out);
    }
    *out = neg ? -v : v;
    return p;
}

const char *sf_numparse(const char *s, double *out) { return parse_number(s, out); }

/* ---- tab-separated matrices ------------------------------------------------ */

#if defined(SWAR) && defined(__SSE2__) && defined(__SIZEOF_INT128__)
#include <emmintrin.h>
#define FAST_RUN 1
/* The bulk of a table, without a branch on its digits (issue 13): the tabs of
 * 64 bytes are found at once, so where the next number starts does not wait
 * for the digits of this one (the numbers of a block are parsed side by side
 * by the CPU), and each field of the common form [sign][digits][.digits] with
 * at most 15 digits is converted straight: w < 10^15 < 2^53 and 10^f (f <= 15)
 * are exact doubles, so the one division rounds once, to strtod's result
 * (Clinger's fast path). Any other field (an exponent, more digits, a line
 * end, an error) stops the run and is parsed by the general code below. */

static inline __m128i eq8(__m128i c, char x) { return _mm_cmpeq_epi8(c, _mm_set1_epi8(x)); }

/* 64 bytes at p: bit i set when p[i] is a tab, is not a digit, is a point. */
typedef struct {
    uint64_t tab, nondigit, dot;
} scan64;

static inline scan64 scan_block(const char *p)
{
    scan64 m = {0, 0, 0};
    for (int k = 0; k < 4; k++) {
        __m128i c = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
        __m128i d = _mm_max_epu8(_mm_sub_epi8(c, _mm_set1_epi8('0')), _mm_set1_epi8(9));
        m.tab |= (uint64_t)(unsigned)_mm_movemask_epi8(eq8(c, '\t')) << (16 * k);
        m.nondigit |= (uint64_t)(~(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(d, _mm_set1_epi8(9))) & 0xFFFFu) << (16 * k);
        m.dot |= (uint64_t)(unsigned)_mm_movemask_epi8(eq8(c, '.')) << (16 * k);
    }
    return m;
}

/* The value of the nd digits of the field s (len bytes, a sign byte sg, a
 * point at a when dot): digit bytes (xor '0') with the sign byte zeroed and
 * the point deleted, right-aligned (zero bytes below act as leading zeros)
 * and converted 8 at a time. Arithmetic only: no branch on the digits. */
static inline uint64_t field_digits(const char *s, unsigned len, unsigned sg, unsigned a, unsigned dot)
{
    const uint64_t Z = 0x3030303030303030ULL;
    uint64_t lo, hi;
    memcpy(&lo, s, 8);
    lo ^= Z;
    lo &= ~(uint64_t)(0xFFu & (0u - sg)); /* the sign byte becomes a leading zero */
    if (len <= 8) {                       /* one word (a branch on the length class only) */
        uint64_t low = ((uint64_t)1 << (8 * (a & 7))) - 1;
        low |= (uint64_t)0 - (dot ^ 1u); /* no point: nothing deleted */
        lo = (lo & low) | ((lo >> 8) & ~low);
        return digits8(lo << (8 * (8 - (len - dot))));
    }
    memcpy(&hi, s + 8, 8);
    unsigned __int128 W = (unsigned __int128)(hi ^ Z) << 64 | lo;
    unsigned __int128 low = ((unsigned __int128)1 << (8 * (a & 15))) - 1;
    low |= (unsigned __int128)0 - (dot ^ 1u);
    W = (W & low) | ((W >> 8) & ~low);
    W <<= 8 * (16 - (len - dot));
    return digits8((uint64_t)W) * 100000000ULL + digits8((uint64_t)(W >> 64));
}

/* Numbers each followed by a tab, from p (a number's start) while p < lim
 * (lim + 80 bytes readable) and col < cols. Returns where it stopped: the
 * start of a field after a tab, or p itself. */
static __attribute__((noinline)) const char *fast_run(const char *p, const char *lim, double *dst, int *pcol, int cols)
{
    int col = *pcol;
    while (p < lim && col < cols) {
        const char *base = p;
        scan64 m = scan_block(base);
        if (!m.tab) break;
        do {
            const unsigned t = (unsigned)__builtin_ctzll(m.tab), o = (unsigned)(p - base), len = t - o;
            m.tab &= m.tab - 1;
            if (len - 1u > 15u) goto out; /* empty, or longer than 16 bytes */
            if (len == 1 && (unsigned)(p[0] - '0') < 10u) { /* one digit (mostly zeros, in runs) */
                dst[col++] = (double)(p[0] - '0');
                p = base + t + 1;
                if (col == cols) goto out;
                continue;
            }
            const unsigned neg = p[0] == '-', sg = neg | (p[0] == '+');
            /* the field's non-digits but the sign: none, or one point */
            const uint64_t other = (m.nondigit >> o) & (((uint64_t)1 << len) - 1) & ~(uint64_t)sg;
            const unsigned dot = other != 0, nd = len - sg - dot;
            if ((other & (other - 1)) | (other & ~(m.dot >> o)) || nd - 1u > 14u) goto out;
            const unsigned a = (unsigned)__builtin_ctzll(other | ((uint64_t)1 << len)); /* the point, or len */
            /* w < 10^15 < 2^53 and 10^f (f <= 15) are exact: one rounding */
            double v = (double)field_digits(p, len, sg, a, dot) / P10[len - a - dot];
            uint64_t bits;
            memcpy(&bits, &v, 8);
            bits ^= (uint64_t)neg << 63;
            memcpy(&dst[col], &bits, 8);
            col++;
            p = base + t + 1;
            if (col == cols) goto out;
        } while (m.tab);
    }
out:
    *pcol = col;
    return p;
}
#endif


#include <ctype.h>

/* Characters a chunk may be cut after: a number never contains them. */
static inline int is_delim(char c) { return c == '\t' || c == '\n' || c == '\r' || c == ' '; }
static inline int is_numstart(char c) { return is_digit(c) || c == '-' || c == '+' || c == '.'; }

enum { S_LINE_START, S_NUM, S_FIELD, S_TRAIL };

typedef struct {
    const sf_tsv_spec *sp;
    long line;      /* 1-based line of the text being parsed */
    int row, col;   /* text row (lines of numbers done), numbers on this line */
    double *dst;    /* where this line's numbers go */
    double *scratch;
    char hint[640];   /* " (the sizes come from ...)" for the size errors, or "" */
} tsv_state;

/* The offending field (up to a delimiter, at most 40 characters) for messages. */
static void field_text(const char *p, const char *end, char *out, size_t outsz)
{
    size_t k = 0;
    while (p < end && *p && !is_delim(*p) && k + 4 < outsz && k < 40) {
        unsigned char c = (unsigned char)*p++;
        out[k++] = isprint(c) ? (char)c : '?';
    }
    if (p < end && *p && !is_delim(*p) && k + 4 < outsz) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    out[k] = '\0';
}

/* the streaming reader's buffer (sf_tsv_read): a longer field is refused there */
#define SF_TSV_FIELD_MAX ((size_t)4 << 20)

static int bad_field(const tsv_state *s, const char *p, const char *end, sf_err *e)
{
    size_t flen = 0;
    while (p + flen < end && p[flen] && !is_delim(p[flen]) && flen <= SF_TSV_FIELD_MAX) flen++;
    if (flen > SF_TSV_FIELD_MAX) /* as the streaming reader says it, whichever path read the text */
        return sf_fail(e, SF_EUSER, "%s: line %ld, column %d: a field longer than %zu bytes", s->sp->name, s->line,
                       s->col + 1, SF_TSV_FIELD_MAX);
    char tok[64];
    field_text(p, end, tok, sizeof tok);
    const char *t = tok + (tok[0] == '-' || tok[0] == '+');
    if (!strncasecmp(t, "nan", 3) || !strncasecmp(t, "inf", 3))
        return sf_fail(e, SF_EUSER, "%s: line %ld, column %d: NaN/Inf is not allowed: '%s'", s->sp->name, s->line,
                       s->col + 1, tok);
    if (!tok[0])
        return sf_fail(e, SF_EUSER, "%s: line %ld, column %d: not a number: unexpected character 0x%02x",
                       s->sp->name, s->line, s->col + 1, (unsigned char)*p);
    return sf_fail(e, SF_EUSER, "%s: line %ld, column %d: not a number: '%s'", s->sp->name, s->line, s->col + 1,
                   tok);
}

/* A line of numbers is complete: check its length, place it, move on. */
static int end_line(tsv_state *s, sf_err *e)
{
    const sf_tsv_spec *sp = s->sp;
    if (s->col != sp->cols) {
        if (s->col == 0)
            return sf_fail(e, SF_EUSER, "%s: line %ld: empty line, expected %d numbers%s", sp->name, s->line,
                           sp->cols, s->hint);
        return sf_fail(e, SF_EUSER, "%s: line %ld: truncated row: %d numbers, expected %d%s", sp->name, s->line,
                       s->col, sp->cols, s->hint);
    }
    if (s->scratch) {
        int r = sp->row_map ? sp->row_map[s->row] : s->row;
        if (r >= 0) {
            double *d = sp->dst + (size_t)r * sp->ld;
            for (int j = 0; j < sp->cols; j++) {
                int c = sp->col_map ? sp->col_map[j] : j;
                if (c >= 0) d[c] = s->scratch[j];
            }
        }
    }
    s->row++;
    s->line++;
    s->col = 0;
    return SF_OK;
}

/* Parse [p, end): whole fields only (the text before end ends with a
 * delimiter or is the end of the input) and *end is a NUL sentinel. */
static int parse_chunk(tsv_state *s, int *st, const char *p, const char *end, sf_err *e)
{
    const sf_tsv_spec *sp = s->sp;
    const int cols = sp->cols;
    int rc;
    while (p < end) {
        char c = *p;
        if (s->row >= sp->rows) {
            /* after the last row: blank lines and spaces only */
            if (c == '\n') s->line++;
            else if (!is_delim(c))
                return sf_fail(e, SF_EUSER, "%s: line %ld: too many lines: expected %d lines of numbers%s",
                               sp->name, s->line, sp->rows, s->hint);
            p++;
            continue;
        }
        switch (*st) {
        case S_LINE_START:
            if (is_numstart(c)) {
                s->dst = s->scratch ? s->scratch : sp->dst + (size_t)s->row * sp->ld;
                *st = S_NUM;
            } else if (c == '\n') {
                if ((rc = end_line(s, e))) return rc;
                p++;
            } else if (is_delim(c)) {
                *st = S_TRAIL;
                p++;
            } else {
                return bad_field(s, p, end, e);
            }
            break;
        case S_FIELD: /* after a tab: a number, or trailing whitespace */
            if (is_numstart(c)) {
                *st = S_NUM;
            } else if (c == '\n') {
                if ((rc = end_line(s, e))) return rc;
                *st = S_LINE_START;
                p++;
            } else if (is_delim(c)) {
                *st = S_TRAIL;
                p++;
            } else {
                return bad_field(s, p, end, e);
            }
            break;
        case S_TRAIL: /* whitespace that must run to the end of the line */
            if (c == '\n') {
                if ((rc = end_line(s, e))) return rc;
                *st = S_LINE_START;
            } else if (!is_delim(c)) {
                return sf_fail(e, SF_EUSER, "%s: line %ld, column %d: empty field (two tabs in a row, or "
                               "whitespace before a number)", sp->name, s->line, s->col + 1);
            }
            p++;
            break;
        case S_NUM: {
            /* the hot loop: number, tab, number, tab, ... */
            double *dst = s->dst;
            int col = s->col;
            for (;;) {
                double v;
#ifdef FAST_RUN
                if (end - p > 80 && col < cols) {
                    const char *p1 = fast_run(p, end - 80, dst, &col, cols);
                    if (p1 != p) {
                        p = p1;
                        if (!is_numstart(*p)) { /* as after any tab */
                            *st = S_FIELD;
                            break;
                        }
                    }
                }
#endif
                if (col == cols) {
                    s->col = col;
                    return sf_fail(e, SF_EUSER, "%s: line %ld, column %d: wrong column count: more than %d numbers%s",
                                   sp->name, s->line, col + 1, cols, s->hint);
                }
                /* zeros are most of a sparse table: "0<TAB>" costs a few
                 * instructions instead of a parse */
                if (p[0] == '0' && p[1] == '\t') {
                    dst[col++] = 0.0;
                    p += 2;
                    if (is_numstart(*p)) continue;
                    *st = S_FIELD;
                    break;
                }
                const char *q = parse_number(p, &v);
                if (!q || (!is_delim(*q) && q != end)) {
                    s->col = col;
                    return bad_field(s, p, end, e);
                }
                if ((size_t)(q - p) > SF_TSV_FIELD_MAX) { /* as the streaming reader refuses it */
                    s->col = col;
                    return bad_field(s, p, end, e);
                }
                if (isinf(v)) {
                    char tok[64];
                    s->col = col;
                    field_text(p, end, tok, sizeof tok);
                    return sf_fail(e, SF_EUSER, "%s: line %ld, column %d: number out of range: '%s'", sp->name,
                                   s->line, col + 1, tok);
                }
                dst[col++] = v;
                c = *q;
                p = q + 1;
                if (c == '\t') {
                    if (is_numstart(*p)) continue; /* *end is NUL: never crosses end */
                    *st = S_FIELD;
                } else if (c == '\n') {
                    s->col = col;
                    if ((rc = end_line(s, e))) return rc;
                    *st = S_LINE_START;
                    col = s->col;
                } else if (q == end) { /* cannot happen: chunks end with a delimiter */
                    return sf_fail(e, SF_EINTERNAL, "%s: line %ld: chunk boundary inside a number", sp->name, s->line);
                } else {
                    *st = S_TRAIL; /* '\r' or ' ' */
                }
                break;
            }
            s->col = col;
            break;
        }
        }
    }
    return SF_OK;
}

int sf_tsv_read(const sf_tsv_spec *sp, sf_read_fn rd, void *ctx, sf_err *e)
{
    size_t cap = sp->bufsize ? sp->bufsize : SF_TSV_FIELD_MAX;
    if (cap < 64) cap = 64;
    /* slack for the NUL sentinel and the 8-byte loads of sf_numparse; zeroed
     * so that no load ever sees uninitialised bytes */
    char *buf = sf_calloc(cap + SF_NUMPARSE_PAD + 2, 1);
    tsv_state s = {.sp = sp, .line = 1};
    if (sp->shape) snprintf(s.hint, sizeof s.hint, " (the sizes come from %s)", sp->shape);
    if (sp->row_map || sp->col_map) s.scratch = sf_malloc((size_t)(sp->cols > 0 ? sp->cols : 1) * sizeof(double));
    int st = S_LINE_START, rc = SF_OK, eof = 0, bom_checked = 0;
    size_t have = 0;
    long total = 0;
    while (!eof) {
        while (have < cap) {
            long r = rd(ctx, buf + have, cap - have, e);
            if (r < 0) {
                rc = e && e->code ? e->code : SF_EUSER;
                goto out;
            }
            if (r == 0) {
                eof = 1;
                break;
            }
            have += (size_t)r;
            total += r;
        }
        if (!bom_checked) { /* a UTF-8 byte order mark (files saved by Windows tools) is skipped */
            bom_checked = 1;
            if (have >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3)) {
                memmove(buf, buf + 3, have - 3);
                have -= 3;
                total -= 3;
                if (!eof) continue;
            }
        }
        size_t lim;
        if (eof) {
            lim = have;
            /* a last line without its newline gets one */
            if (have > 0 && buf[have - 1] != '\n') buf[lim++] = '\n';
        } else {
            lim = have;
            while (lim > 0 && !is_delim(buf[lim - 1])) lim--;
            if (lim == 0) {
                rc = sf_fail(e, SF_EUSER, "%s: line %ld, column %d: a field longer than %zu bytes", sp->name, s.line,
                             s.col + 1, cap);
                goto out;
            }
        }
        char saved = buf[lim];
        buf[lim] = '\0';
        rc = parse_chunk(&s, &st, buf, buf + lim, e);
        buf[lim] = saved;
        if (rc) goto out;
        if (!eof) {
            memmove(buf, buf + lim, have - lim);
            have -= lim;
        }
    }
    if (total == 0 && sp->rows > 0) {
        rc = sf_fail(e, SF_EUSER, "%s: empty file, expected %d lines of %d numbers%s", sp->name, sp->rows, sp->cols,
                     s.hint);
    } else if (s.row < sp->rows) {
        rc = sf_fail(e, SF_EUSER, "%s: wrong number of lines: the text ends at line %ld after %d lines of numbers, "
                     "expected %d%s", sp->name, s.line, s.row, sp->rows, s.hint);
    }
out:
    free(buf);
    free(s.scratch);
    return rc;
}

/* ---- a whole text in memory, parsed by several threads -------------------- */

#include <pthread.h>

typedef struct {
    tsv_state s;
    int st, rc;
    const char *p, *end;
    sf_err err;
} tsv_part;

static void *tsv_part_main(void *arg)
{
    tsv_part *t = arg;
    t->rc = parse_chunk(&t->s, &t->st, t->p, t->end, &t->err);
    return NULL;
}

/* The text is cut into parts at line starts; a part's first line and row are
 * the newlines before it (every earlier line is a row of numbers, else an
 * earlier part reports it first), so each part parses as the streaming reader
 * would, and the error reported is that of the first failing part: the first
 * error of the text, with the same message. */
int sf_tsv_parse_text(const sf_tsv_spec *sp, char *text, size_t len, int nthreads, sf_err *e)
{
    char *p0 = text;
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) p0 += 3, len -= 3;
    if (len == 0 && sp->rows > 0) {
        char hint[640] = "";
        if (sp->shape) snprintf(hint, sizeof hint, " (the sizes come from %s)", sp->shape);
        return sf_fail(e, SF_EUSER, "%s: empty file, expected %d lines of %d numbers%s", sp->name, sp->rows, sp->cols,
                       hint);
    }
    if (len > 0 && p0[len - 1] != '\n') p0[len++] = '\n';
    p0[len] = '\0';
    const size_t min_part = sp->bufsize ? sp->bufsize : (size_t)8 << 20;
    int np = nthreads < 1 ? 1 : nthreads > 16 ? 16 : nthreads;
    while (np > 1 && len / (size_t)np < min_part) np--;
    tsv_part part[16];
    const char *end = p0 + len, *at = p0;
    long nl = 0;
    int k = 0;
    for (; k < np && at < end; k++) {
        tsv_part *t = &part[k];
        memset(t, 0, sizeof *t);
        t->s.sp = sp;
        t->s.line = 1 + nl;
        t->s.row = nl < sp->rows ? (int)nl : sp->rows;
        if (sp->shape) snprintf(t->s.hint, sizeof t->s.hint, " (the sizes come from %s)", sp->shape);
        if (sp->row_map || sp->col_map)
            t->s.scratch = sf_malloc((size_t)(sp->cols > 0 ? sp->cols : 1) * sizeof(double));
        t->st = S_LINE_START;
        t->p = at;
        const char *cut = k == np - 1 ? end : p0 + len / (size_t)np * (size_t)(k + 1);
        if (cut < at) cut = at;
        if (cut < end) {
            const char *q = memchr(cut, '\n', (size_t)(end - cut));
            cut = q ? q + 1 : end;
        }
        t->end = cut;
        if (k + 1 < np)
            for (const char *q = at; (q = memchr(q, '\n', (size_t)(cut - q))) != NULL; q++) nl++;
        at = cut;
    }
    np = k;
    pthread_t th[16];
    int started[16] = {0};
    for (k = 1; k < np; k++) started[k] = pthread_create(&th[k], NULL, tsv_part_main, &part[k]) == 0;
    tsv_part_main(&part[0]);
    for (k = 1; k < np; k++) {
        if (started[k]) pthread_join(th[k], NULL);
        else tsv_part_main(&part[k]);
    }
    int rc = SF_OK;
    for (k = 0; k < np && !rc; k++)
        if (part[k].rc) {
            rc = part[k].rc;
            if (e) *e = part[k].err;
        }
    if (!rc && np > 0 && part[np - 1].s.row < sp->rows) {
        const tsv_state *s = &part[np - 1].s;
        rc = sf_fail(e, SF_EUSER, "%s: wrong number of lines: the text ends at line %ld after %d lines of numbers, "
                     "expected %d%s", sp->name, s->line, s->row, sp->rows, s->hint);
    }
    for (k = 0; k < np; k++) free(part[k].s.scratch);
    return rc;
}
