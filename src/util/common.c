#include "silkflow/common.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

int sf_fail(sf_err *e, int code, const char *fmt, ...)
{
    if (e) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
        e->code = code;
    }
    return code;
}

int sf_err_prefix(sf_err *e, const char *fmt, ...)
{
    if (!e) return SF_EINTERNAL;
    char pre[1024], old[sizeof e->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(pre, sizeof pre, fmt, ap);
    va_end(ap);
    memcpy(old, e->msg, sizeof old);
    snprintf(e->msg, sizeof e->msg, "%s: %s", pre, old);
    if (e->code == SF_OK) e->code = SF_EINTERNAL;
    return e->code;
}

void sf_err_clear(sf_err *e)
{
    if (e) {
        e->code = SF_OK;
        e->msg[0] = '\0';
    }
}

static void oom(size_t n)
{
    fprintf(stderr, "silkflow: error: out of memory allocating %zu bytes\n", n);
    exit(SF_EINTERNAL);
}

void *sf_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) oom(n);
    return p;
}

void *sf_calloc(size_t n, size_t sz)
{
    void *p = calloc(n ? n : 1, sz ? sz : 1);
    if (!p) oom(n * sz);
    return p;
}

void *sf_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) oom(n);
    return q;
}

char *sf_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = sf_malloc(n);
    memcpy(p, s, n);
    return p;
}

void *sf_aligned_alloc(size_t n)
{
    void *p = NULL;
    if (posix_memalign(&p, 64, n ? n : 64) != 0) oom(n);
    return p;
}

static int g_quiet = 0, g_enabled = 1;
void sf_log_set_quiet(int quiet) { g_quiet = quiet; }
int sf_log_quiet(void) { return g_quiet; }
void sf_log_set_enabled(int enabled) { g_enabled = enabled; }

void sf_info(const char *fmt, ...)
{
    if (g_quiet || !g_enabled) return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    fflush(stdout);
}

void sf_warn(const char *fmt, ...)
{
    if (!g_enabled) return;
    va_list ap;
    va_start(ap, fmt);
    fputs("silkflow: warning: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

double sf_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

char *sf_trim(char *s)
{
    while (*s && isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1])) s[--n] = '\0';
    return s;
}

int sf_streq_nocase(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return 0;
    return *a == *b;
}

const char *sf_basename(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

int sf_parse_int(const char *s, long *out)
{
    if (!s || !*s) return -1;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s) return -1;
    while (*end && isspace((unsigned char)*end)) end++;
    if (*end) return -1;
    *out = v;
    return 0;
}

int sf_parse_double(const char *s, double *out)
{
    if (!s || !*s) return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno == ERANGE || end == s) return -1;
    while (*end && isspace((unsigned char)*end)) end++;
    if (*end) return -1;
    *out = v;
    return 0;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void sf_sort_int(int *v, size_t n) { qsort(v, n, sizeof *v, cmp_int); }
void sf_sort_double(double *v, size_t n) { qsort(v, n, sizeof *v, cmp_double); }

int sf_parse_int_list(const char *s, int **out, int *count)
{
    *out = NULL;
    *count = 0;
    if (!s) return -1;
    char *copy = sf_strdup(s);
    int cap = 16, n = 0;
    int *v = sf_malloc(sizeof(int) * (size_t)cap);
    int rc = 0;
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        tok = sf_trim(tok);
        if (!*tok) { rc = -1; break; }
        long a, b;
        char *dash = strchr(tok + 1, '-'); /* allow leading minus on first number */
        if (dash) {
            *dash = '\0';
            if (sf_parse_int(sf_trim(tok), &a) || sf_parse_int(sf_trim(dash + 1), &b) || b < a ||
                b - a > 10000000) {
                rc = -1;
                break;
            }
        } else {
            if (sf_parse_int(tok, &a)) { rc = -1; break; }
            b = a;
        }
        if (a < INT_MIN || b > INT_MAX) { rc = -1; break; }
        for (long x = a; x <= b; x++) {
            if (n == cap) {
                cap *= 2;
                v = sf_realloc(v, sizeof(int) * (size_t)cap);
            }
            v[n++] = (int)x;
        }
    }
    free(copy);
    if (rc || n == 0) {
        free(v);
        return -1;
    }
    sf_sort_int(v, (size_t)n);
    int m = 0;
    for (int i = 0; i < n; i++)
        if (m == 0 || v[m - 1] != v[i]) v[m++] = v[i];
    *out = v;
    *count = m;
    return 0;
}

void sf_format_int_list(const int *v, int count, char *buf, size_t bufsz)
{
    size_t pos = 0;
    buf[0] = '\0';
    for (int i = 0; i < count;) {
        int j = i;
        while (j + 1 < count && v[j + 1] == v[j] + 1) j++;
        int w;
        if (j > i)
            w = snprintf(buf + pos, bufsz - pos, "%s%d-%d", pos ? "," : "", v[i], v[j]);
        else
            w = snprintf(buf + pos, bufsz - pos, "%s%d", pos ? "," : "", v[i]);
        if (w < 0 || (size_t)w >= bufsz - pos) return;
        pos += (size_t)w;
        i = j + 1;
    }
}

int sf_file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int sf_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int sf_mkdir_p(const char *path)
{
    char *p = sf_strdup(path);
    size_t n = strlen(p);
    for (size_t i = 1; i <= n; i++) {
        if (p[i] == '/' || p[i] == '\0') {
            char c = p[i];
            p[i] = '\0';
            if (mkdir(p, 0777) != 0 && errno != EEXIST) {
                free(p);
                return -1;
            }
            p[i] = c;
        }
    }
    free(p);
    return sf_is_dir(path) ? 0 : -1;
}

char *sf_read_file(const char *path, size_t *len, sf_err *e)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        sf_fail(e, SF_EUSER, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        sf_fail(e, SF_EUSER, "%s: is a directory, expected a file", path);
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = sf_malloc(cap);
    for (;;) {
        if (n + 1 >= cap) {
            cap *= 2;
            buf = sf_realloc(buf, cap);
        }
        size_t r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
        if (r == 0) break;
    }
    int bad = ferror(f) ? errno : 0;
    fclose(f);
    if (bad) {
        free(buf);
        sf_fail(e, SF_EUSER, "%s: read error: %s", path, strerror(bad));
        return NULL;
    }
    buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

char *sf_dirname(const char *path)
{
    const char *s = strrchr(path, '/');
    if (!s) return sf_strdup(".");
    if (s == path) return sf_strdup("/");
    size_t n = (size_t)(s - path);
    char *d = sf_malloc(n + 1);
    memcpy(d, path, n);
    d[n] = '\0';
    return d;
}

char *sf_path_join(const char *dir, const char *name)
{
    if (name[0] == '/' || !dir || !*dir) return sf_strdup(name);
    size_t a = strlen(dir), b = strlen(name);
    char *p = sf_malloc(a + b + 2);
    memcpy(p, dir, a);
    size_t pos = a;
    if (a && dir[a - 1] != '/') p[pos++] = '/';
    memcpy(p + pos, name, b + 1);
    return p;
}

/* ---- SHA-256 (FIPS 180-4) ---- */
static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_block(uint32_t h[8], const uint8_t *p)
{
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 |
               (uint32_t)p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t S1 = ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25);
        uint32_t ch = (e & f) ^ (~e & g);
        uint32_t t1 = hh + S1 + ch + K256[i] + w[i];
        uint32_t S0 = ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22);
        uint32_t mj = (a & b) ^ (a & c) ^ (b & c);
        uint32_t t2 = S0 + mj;
        hh = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
}

/* The SHA extensions (SHA-NI), when the CPU has them: ~8x the portable
 * code, which matters for hashing every input file of every year. */
#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>

__attribute__((target("sha,sse4.1"))) static void sha256_block_ni(uint32_t h[8], const uint8_t *data)
{
    const __m128i MASK = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i tmp = _mm_loadu_si128((const __m128i *)&h[0]);
    __m128i st1 = _mm_loadu_si128((const __m128i *)&h[4]);
    tmp = _mm_shuffle_epi32(tmp, 0xB1);          /* CDAB */
    st1 = _mm_shuffle_epi32(st1, 0x1B);          /* EFGH */
    __m128i st0 = _mm_alignr_epi8(tmp, st1, 8);  /* ABEF */
    st1 = _mm_blend_epi16(st1, tmp, 0xF0);       /* CDGH */
    const __m128i abef = st0, cdgh = st1;
    __m128i m[4];
    for (int i = 0; i < 16; i++) {
        if (i < 4)
            m[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 16 * i)), MASK);
        else
            m[i % 4] = _mm_sha256msg2_epu32(
                _mm_add_epi32(_mm_sha256msg1_epu32(m[i % 4], m[(i + 1) % 4]),
                              _mm_alignr_epi8(m[(i + 3) % 4], m[(i + 2) % 4], 4)),
                m[(i + 3) % 4]);
        __m128i msg = _mm_add_epi32(m[i % 4], _mm_loadu_si128((const __m128i *)&K256[4 * i]));
        st1 = _mm_sha256rnds2_epu32(st1, st0, msg);
        msg = _mm_shuffle_epi32(msg, 0x0E);
        st0 = _mm_sha256rnds2_epu32(st0, st1, msg);
    }
    st0 = _mm_add_epi32(st0, abef);
    st1 = _mm_add_epi32(st1, cdgh);
    tmp = _mm_shuffle_epi32(st0, 0x1B);          /* FEBA */
    st1 = _mm_shuffle_epi32(st1, 0xB1);          /* DCHG */
    st0 = _mm_blend_epi16(tmp, st1, 0xF0);       /* DCBA */
    st1 = _mm_alignr_epi8(st1, tmp, 8);          /* ABEF -> HGFE */
    _mm_storeu_si128((__m128i *)&h[0], st0);
    _mm_storeu_si128((__m128i *)&h[4], st1);
}

static int have_sha_ni(void)
{
    static int cached = -1;
    if (cached < 0) {
        unsigned a, b, c, d;
        cached = __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 29)) && __get_cpuid(1, &a, &b, &c, &d) &&
                 (c & (1u << 19)) && !getenv("SF_NO_SHA_NI");
    }
    return cached;
}
#define SHA256_BLOCK(h, p) (have_sha_ni() ? sha256_block_ni((h), (p)) : sha256_block((h), (p)))
#else
#define SHA256_BLOCK(h, p) sha256_block((h), (p))
#endif

void sf_sha256_init(sf_sha256 *s)
{
    static const uint32_t h0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(s->h, h0, sizeof h0);
    s->len = 0;
    s->nbuf = 0;
}

void sf_sha256_update(sf_sha256 *s, const void *data, size_t n)
{
    const uint8_t *p = data;
    s->len += n;
    if (s->nbuf) {
        size_t take = 64 - s->nbuf < n ? 64 - s->nbuf : n;
        memcpy(s->buf + s->nbuf, p, take);
        s->nbuf += take;
        p += take;
        n -= take;
        if (s->nbuf == 64) {
            SHA256_BLOCK(s->h, s->buf);
            s->nbuf = 0;
        }
    }
    while (n >= 64) {
        SHA256_BLOCK(s->h, p);
        p += 64;
        n -= 64;
    }
    if (n) {
        memcpy(s->buf, p, n);
        s->nbuf = n;
    }
}

void sf_sha256_final(sf_sha256 *s, char hex[65])
{
    uint64_t bits = s->len * 8;
    uint8_t pad = 0x80;
    sf_sha256_update(s, &pad, 1);
    uint8_t z = 0;
    while (s->nbuf != 56) sf_sha256_update(s, &z, 1);
    uint8_t lenb[8];
    for (int i = 0; i < 8; i++) lenb[i] = (uint8_t)(bits >> (56 - 8 * i));
    sf_sha256_update(s, lenb, 8);
    for (int i = 0; i < 8; i++) sprintf(hex + 8 * i, "%08x", s->h[i]);
    hex[64] = '\0';
}

void sf_sha256_hex(const void *data, size_t n, char hex[65])
{
    sf_sha256 s;
    sf_sha256_init(&s);
    sf_sha256_update(&s, data, n);
    sf_sha256_final(&s, hex);
}

int sf_sha256_file(const char *path, char hex[65], sf_err *e)
{
    FILE *f = fopen(path, "rb");
    if (!f) return sf_fail(e, SF_EUSER, "%s: cannot open: %s", path, strerror(errno));
    sf_sha256 s;
    sf_sha256_init(&s);
    enum { BUFSZ = 1 << 20 };
    uint8_t *buf = sf_malloc(BUFSZ);
    size_t r;
    while ((r = fread(buf, 1, BUFSZ, f)) > 0) sf_sha256_update(&s, buf, r);
    int bad = ferror(f);
    fclose(f);
    free(buf);
    if (bad) return sf_fail(e, SF_EUSER, "%s: read error", path);
    sf_sha256_final(&s, hex);
    return SF_OK;
}
