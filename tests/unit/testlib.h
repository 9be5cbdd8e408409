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
