/* Preprocessing helpers for the panel stage (docs/methods.md section 10) and the
 * counter-based generator used by the bootstrap. */
#include <math.h>
#include <stdlib.h>

#include "silkflow/stats.h"

/* percentile by linear interpolation between order statistics (type 7) */
static double quantile_sorted(const double *v, size_t m, double q)
{
    double h = (double)(m - 1) * q;
    size_t lo = (size_t)floor(h);
    if (lo + 1 >= m) return v[m - 1];
    double frac = h - (double)lo;
    return v[lo] + frac * (v[lo + 1] - v[lo]);
}

long sf_winsorize(double *x, size_t n, double pct, double *lo, double *hi)
{
    double *v = sf_malloc(sizeof(double) * (n ? n : 1));
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i])) v[m++] = x[i];
    if (lo) *lo = NAN;
    if (hi) *hi = NAN;
    if (m == 0 || !(pct >= 0 && pct < 50)) {
        free(v);
        return 0;
    }
    sf_sort_double(v, m);
    double a = quantile_sorted(v, m, pct / 100.0), b = quantile_sorted(v, m, 1.0 - pct / 100.0);
    free(v);
    long changed = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i])) continue;
        if (x[i] < a) {
            x[i] = a;
            changed++;
        } else if (x[i] > b) {
            x[i] = b;
            changed++;
        }
    }
    if (lo) *lo = a;
    if (hi) *hi = b;
    return changed;
}

int sf_minmax_normalize(double *x, size_t n, double *min, double *max)
{
    double a = INFINITY, b = -INFINITY;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i])) {
            if (x[i] < a) a = x[i];
            if (x[i] > b) b = x[i];
        }
    if (min) *min = isfinite(a) ? a : NAN;
    if (max) *max = isfinite(b) ? b : NAN;
    if (!isfinite(a) || !(b > a)) return -1;
    double s = b - a;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i])) x[i] = (x[i] - a) / s;
    return 0;
}

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t sf_rng_u64(uint64_t seed, uint64_t stream, uint64_t counter)
{
    /* three rounds keyed by seed, stream and counter: every input bit
     * reaches every output bit, and nearby counters give unrelated values */
    uint64_t z = mix64(seed + 0x9e3779b97f4a7c15ULL);
    z = mix64(z ^ (stream * 0xd1b54a32d192ed03ULL + 0x8cb92ba72f3d8dd7ULL));
    z = mix64(z ^ (counter * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL));
    return z;
}

double sf_rng_unif(uint64_t seed, uint64_t stream, uint64_t counter)
{
    return (double)(sf_rng_u64(seed, stream, counter) >> 11) * 0x1.0p-53;
}
