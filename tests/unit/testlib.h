/* Minimal test harness: CHECK/CHECK_NEAR record failures and keep going;
 * TEST_MAIN_END returns non-zero when anything failed. Tests find shared
 * reference data through SF_TESTDATA (default tests/data, copied from ../shared/data) and the project root
 * through the current directory (tests run from the repository root). */
#ifndef SILKFLOW_TESTLIB_H
#define SILKFLOW_TESTLIB_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#include "silkflow/common.h"

/* splitmix64: the next 64 random bits of state *s */
static inline uint64_t t_splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* An in-memory source for the streaming reader sf_tsv_read: the text p of
 * left bytes, at most step bytes per read (0: as many as asked for). */
typedef struct {
    const char *p;
    size_t left, step;
} t_memsrc;
static inline long t_mem_read(void *ctx, char *buf, size_t cap, sf_err *e)
{
    (void)e;
    t_memsrc *m = ctx;
    size_t k = m->left < cap ? m->left : cap;
    if (m->step && k > m->step) k = m->step;
    memcpy(buf, m->p, k);
    m->p += k;
    m->left -= k;
    return (long)k;
}

/* xorshift64 -> [0, 1): a small deterministic generator for test matrices */
static inline double t_xorshift(unsigned long long *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (double)(*s >> 11) / 9007199254740992.0;
}

static int t_failures = 0, t_checks = 0;

#define CHECK(cond)                                                                    \
    do {                                                                               \
        t_checks++;                                                                    \
        if (!(cond)) {                                                                 \
            t_failures++;                                                              \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);   \
        }                                                                              \
    } while (0)

#define CHECK_MSG(cond, ...)                                                           \
    do {                                                                               \
        t_checks++;                                                                    \
        if (!(cond)) {                                                                 \
            t_failures++;                                                              \
            fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond);   \
            fprintf(stderr, __VA_ARGS__);                                              \
            fputc('\n', stderr);                                                       \
        }                                                                              \
    } while (0)

/* |a - b| <= tol * max(1, |b|) (relative for large numbers, absolute near 0) */
#define CHECK_NEAR(a, b, tol)                                                          \
    do {                                                                               \
        double a_ = (a), b_ = (b), s_ = fabs(b_) > 1 ? fabs(b_) : 1;                   \
        t_checks++;                                                                    \
        if (!(fabs(a_ - b_) <= (tol) * s_) || isnan(a_) != isnan(b_)) {                \
            t_failures++;                                                              \
            fprintf(stderr, "%s:%d: %s = %.17g, expected %.17g (tol %g)\n", __FILE__,  \
                    __LINE__, #a, a_, b_, (double)(tol));                              \
        }                                                                              \
    } while (0)

static inline const char *t_data(void)
{
    const char *s = getenv("SF_TESTDATA");
    return s && *s ? s : "tests/data";
}

#define TEST_MAIN_END()                                                                \
    do {                                                                               \
        if (t_failures)                                                                \
            fprintf(stderr, "FAIL: %d of %d checks failed\n", t_failures, t_checks);   \
        else                                                                           \
            printf("ok: %d checks\n", t_checks);                                       \
        return t_failures ? 1 : 0;                                                     \
    } while (0)

#endif
