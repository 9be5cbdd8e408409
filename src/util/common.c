#include "silkflow/common.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

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

const char *sf_write_failure(const char *path, int err, double need)
{
    if (err == ENOSPC) return "no space left on device";
    if (err == EDQUOT) return "disk quota exceeded";
    if (err == EFBIG) return "file too large";
    struct statvfs fs;
    char *dir = sf_dirname(path);
    int ok = statvfs(sf_is_dir(path) ? path : dir, &fs) == 0;
    free(dir);
    if (!ok) return NULL;
    if (need < 1048576) need = 1048576;
    if ((double)fs.f_bavail * (double)fs.f_frsize < need || (fs.f_files > 0 && fs.f_favail == 0))
        return "no space left on device";
    return NULL;
}

int sf_fail_write(sf_err *e, int code, const char *path, int err, double need, const char *fmt, ...)
{
    const char *why = sf_write_failure(path, err, need);
    if (e) {
        char msg[sizeof e->msg];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        snprintf(e->msg, sizeof e->msg, "%s%s%s", msg, why ? ": " : "", why ? why : "");
        e->code = why ? SF_EUSER : code;
    }
    return why ? SF_EUSER : code;
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

/* Timestamps at line start: -1 auto (a stream that is not a terminal, e.g. a
 * Slurm log, is stamped), 0 never, 1 always. */
static int g_stamp_out = 0, g_stamp_err = 0;
void sf_log_set_stamps(int mode)
{
    const char *env = getenv("SILKFLOW_TIMESTAMPS");
    if (mode < 0 && env && *env) mode = strcmp(env, "0") != 0;
    /* a Slurm job writes to a file even when mpirun gives the ranks a pseudo-terminal */
    const int job = getenv("SLURM_JOB_ID") != NULL;
    g_stamp_out = mode < 0 ? job || !isatty(STDOUT_FILENO) : mode;
    g_stamp_err = mode < 0 ? job || !isatty(STDERR_FILENO) : mode;
}

/* One log message, written with one call and flushed so that the lines of
 * several ranks sharing a stream (mpirun, srun) do not interleave; each of
 * its lines gets the timestamp when stamps are on. */
static void log_line(FILE *f, const char *prefix, const char *fmt, va_list ap)
{
    char msg[8192], stamp[32] = "", out[12288];
    snprintf(msg, sizeof msg, "%s", prefix);
    size_t pl = strlen(msg);
    vsnprintf(msg + pl, sizeof msg - pl, fmt, ap);
    if (f == stdout ? g_stamp_out : g_stamp_err) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        struct tm tm;
        gmtime_r(&ts.tv_sec, &tm);
        strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ ", &tm);
    }
    const size_t sl = strlen(stamp);
    size_t len = 0;
    for (const char *p = msg; len + sl + 2 < sizeof out;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (n > sizeof out - len - sl - 2) n = sizeof out - len - sl - 2;
        memcpy(out + len, stamp, sl);
        memcpy(out + len + sl, p, n);
        len += sl + n;
        out[len++] = '\n';
        if (!nl) break;
        p = nl + 1;
    }
    out[len] = '\0';
    fputs(out, f);
    fflush(f);
}

void sf_info(const char *fmt, ...)
{
    if (g_quiet || !g_enabled) return;
    va_list ap;
    va_start(ap, fmt);
    log_line(stdout, "", fmt, ap);
    va_end(ap);
}

void sf_warn(const char *fmt, ...)
{
    if (!g_enabled) return;
    va_list ap;
    va_start(ap, fmt);
    log_line(stderr, "silkflow: warning: ", fmt, ap);
    va_end(ap);
}

void sf_progress(const char *fmt, ...)
{
    if (g_quiet) return;
    va_list ap;
    va_start(ap, fmt);
    log_line(stdout, "", fmt, ap);
    va_end(ap);
}

void sf_summary(const char *fmt, ...)
{
    if (!g_enabled) return;
    va_list ap;
    va_start(ap, fmt);
    log_line(stdout, "", fmt, ap);
    va_end(ap);
}

double sf_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void sf_test_pause(const char *stage, int year)
{
    const char *want = getenv("SILKFLOW_TEST_PAUSE");
    if (!want || !*want) return;
    const char *colon = strchr(want, ':');
    size_t l = colon ? (size_t)(colon - want) : strlen(want);
    if (strlen(stage) != l || strncmp(want, stage, l)) return;
    if (colon && atoi(colon + 1) != year) return;
    if (year)
        fprintf(stderr, "silkflow: test hook: paused at %s %d (pid %ld)\n", stage, year, (long)getpid());
    else
        fprintf(stderr, "silkflow: test hook: paused at %s (pid %ld)\n", stage, (long)getpid());
    fflush(stderr);
    /* until a handled signal (SIGTERM, SIGUSR1) interrupts the sleep, at most 60 s */
    struct timespec ts = {60, 0};
    nanosleep(&ts, NULL);
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

int sf_file_reserve(const char *path, double bytes, const char *what, sf_err *e)
{
    int fd = open(path, O_WRONLY), err = 0;
    if (fd < 0) return sf_fail(e, SF_EUSER, "%s: cannot open to reserve space: %s", path, strerror(errno));
    if (fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)bytes) != 0) err = errno;
    close(fd);
    if (!err) return SF_OK;
    if (err == EOPNOTSUPP || err == ENOSYS) err = 0; /* then compare with the free space */
    const char *why = sf_write_failure(path, err, bytes);
    if (!why) return SF_OK;
    return sf_fail(e, SF_EUSER, "%s: cannot reserve the %.1f MB of %s: %s", path, bytes / 1e6, what, why);
}

void sf_file_unreserve(const char *path, double bytes)
{
    int fd = open(path, O_WRONLY);
    if (fd < 0) return;
    struct stat st;
    if (fstat(fd, &st) == 0 && (double)st.st_size < bytes)
        fallocate(fd, FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE, st.st_size, (off_t)bytes - st.st_size);
    close(fd);
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

const unsigned char *sf_map_file(const char *path, size_t *len, sf_err *e)
{
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return sf_fail(e, SF_EUSER, "%s: cannot open: %s", path, strerror(errno)), NULL;
    struct stat st;
    void *p = MAP_FAILED;
    int err = 0;
    if (fstat(fd, &st) != 0) err = errno;
    else if (!S_ISREG(st.st_mode)) err = EINVAL;
    else if (st.st_size > 0 && (p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0)) == MAP_FAILED)
        err = errno;
    close(fd);
    if (err) return sf_fail(e, SF_EUSER, "%s: cannot map: %s", path, strerror(err)), NULL;
    if (p == MAP_FAILED) return NULL; /* empty */
    *len = (size_t)st.st_size;
    return p;
}

void sf_unmap_file(const unsigned char *p, size_t len)
{
    if (p) munmap((void *)p, len);
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

/* ---- SHA-256: Nettle's, which uses the SHA extensions (SHA-NI) when the CPU has them ---- */
void sf_sha256_init(sf_sha256 *s) { sha256_init(&s->ctx); }

void sf_sha256_update(sf_sha256 *s, const void *data, size_t n) { sha256_update(&s->ctx, n, data); }

void sf_sha256_final(sf_sha256 *s, char hex[65])
{
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_digest(&s->ctx, sizeof d, d);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++) sprintf(hex + 2 * i, "%02x", d[i]);
    hex[64] = '\0';
}

void sf_sha256_hex(const void *data, size_t n, char hex[65])
{
    sf_sha256 s;
    sf_sha256_init(&s);
    sf_sha256_update(&s, data, n);
    sf_sha256_final(&s, hex);
}

/* Read, not mapped (sf_map_file): Nettle's SHA-NI loop hashes a full-size Eora26
 * zip in 0.13 s of CPU from the mapped pages, 0.107 s from a 1 MiB buffer the
 * kernel has just copied them into (measured here) */
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
