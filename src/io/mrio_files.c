/* Where a year of an MRIO release lives on disk, and reading its files:
 *   <path>/<prefix>_<YYYY>_<price>.zip  (members matched by basename, so
 *                                        nested folders are fine), or
 *   <path>/<prefix>_<YYYY>_<price>_{T,FD,VA}.txt, or the same in <path>/<YYYY>/.
 * Labels: the year zip, then loose files in <path>/<YYYY>/ and <path>/, then
 * <path>/indices.zip. Archives are read in place with libzip (nothing is
 * unpacked to disk). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libdeflate.h>

#include "mrio_internal.h"

#define SLURP_MAX ((size_t)256 << 20) /* label files are a few hundred kB */

static const char *src_prefix(const sf_source *src, char *buf, size_t bufsz)
{
    const char *p = src->prefix;
    if (!p || !*p) p = (!src->format || !strcmp(src->format, "eora26")) ? "Eora26" : NULL;
    if (!p) return NULL;
    /* "Eora26_" and "Eora26" name the same files */
    snprintf(buf, bufsz, "%s", p);
    size_t l = strlen(buf);
    while (l > 0 && buf[l - 1] == '_') buf[--l] = '\0';
    return buf;
}

static const char *src_price(const sf_source *src) { return src->price && *src->price ? src->price : "bp"; }

static int check_source(const sf_source *src, char *prefix, size_t prefsz, sf_err *e)
{
    if (!src->path || !*src->path) return sf_fail(e, SF_EUSER, "[data] path is not set");
    if (!sf_is_dir(src->path)) return sf_fail(e, SF_EUSER, "data path '%s' is not a directory", src->path);
    if (!src_prefix(src, prefix, prefsz))
        return sf_fail(e, SF_EUSER, "[data] prefix is required for format = %s", src->format ? src->format : "?");
    return SF_OK;
}

static int zip_open_ro(const char *path, zip_t **out, sf_err *e)
{
    int zerr = 0;
    zip_t *za = zip_open(path, ZIP_RDONLY, &zerr);
    if (!za) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, zerr);
        int rc = sf_fail(e, SF_EUSER, "%s: cannot open as a zip archive: %s", path, zip_error_strerror(&ze));
        zip_error_fini(&ze);
        return rc;
    }
    if (zip_get_num_entries(za, 0) <= 0) {
        zip_discard(za);
        return sf_fail(e, SF_EUSER, "%s: empty zip archive (no members)", path);
    }
    *out = za;
    return SF_OK;
}

/* Index of the member whose basename is name (case-insensitive); -1 when
 * absent; -2 (with e set) when two members share it. */
static zip_int64_t zip_find(zip_t *za, const char *zpath, const char *name, sf_err *e)
{
    zip_int64_t n = zip_get_num_entries(za, 0), found = -1;
    for (zip_int64_t i = 0; i < n; i++) {
        const char *m = zip_get_name(za, (zip_uint64_t)i, 0);
        if (!m || !*m || m[strlen(m) - 1] == '/') continue;
        if (!sf_streq_nocase(sf_basename(m), name)) continue;
        if (found >= 0) {
            sf_fail(e, SF_EUSER, "%s: two members named %s: %s and %s", zpath, name,
                    zip_get_name(za, (zip_uint64_t)found, 0), m);
            return -2;
        }
        found = i;
    }
    return found;
}

static void ref_zip(mrio_ref *r, zip_t *za, const char *zpath, zip_int64_t idx)
{
    r->path = sf_strdup(zpath);
    r->za = za;
    r->index = (zip_uint64_t)idx;
    const char *m = zip_get_name(za, (zip_uint64_t)idx, 0);
    size_t l = strlen(zpath) + strlen(m) + 2;
    r->display = sf_malloc(l);
    snprintf(r->display, l, "%s:%s", zpath, m);
}

static void ref_file(mrio_ref *r, const char *path)
{
    r->path = sf_strdup(path);
    r->za = NULL;
    r->index = 0;
    r->display = sf_strdup(path);
}

void mrio_ref_free(mrio_ref *r)
{
    if (!r) return;
    free(r->path);
    free(r->display);
    memset(r, 0, sizeof *r);
}

int mrio_ctx_open(const sf_source *src, int year, mrio_ctx *c, sf_err *e)
{
    memset(c, 0, sizeof *c);
    c->src = src;
    c->year = year;
    c->path = src->path;
    char prefix[256];
    int rc = check_source(src, prefix, sizeof prefix, e);
    if (rc) return rc;
    if (src->aliases && (rc = sf_aliases_load(src->aliases, e))) return rc;
    snprintf(c->base, sizeof c->base, "%s_%d_%s", prefix, year, src_price(src));
    char name[600], ydir[32];
    snprintf(ydir, sizeof ydir, "%d", year);
    char *yd = sf_path_join(src->path, ydir);
    if (sf_is_dir(yd)) c->year_dir = yd;
    else free(yd);
    snprintf(name, sizeof name, "%s.zip", c->base);
    char *zp = sf_path_join(src->path, name);
    struct stat st;
    if (!sf_file_exists(zp) && lstat(zp, &st) == 0) { /* there, but a dangling link, a loop, a directory */
        int rc = sf_fail(e, SF_EUSER, "%s: cannot open: %s", zp,
                         stat(zp, &st) != 0 ? strerror(errno) : "not a regular file");
        free(zp);
        return rc;
    }
    if (sf_file_exists(zp)) {
        c->zip_path = zp;
        return zip_open_ro(zp, &c->zip, e);
    }
    free(zp);
    snprintf(name, sizeof name, "%s_T.txt", c->base);
    char *t = sf_path_join(src->path, name);
    if (sf_file_exists(t)) {
        c->data_dir = sf_strdup(src->path);
    } else if (c->year_dir) {
        char *t2 = sf_path_join(c->year_dir, name);
        if (sf_file_exists(t2)) c->data_dir = sf_strdup(c->year_dir);
        free(t2);
    }
    free(t);
    if (!c->data_dir)
        return sf_fail(e, SF_EUSER, "year %d not found in %s: no %s.zip, %s_T.txt or %d/%s_T.txt", year, src->path,
                       c->base, c->base, year, c->base);
    return SF_OK;
}

void mrio_ctx_close(mrio_ctx *c)
{
    if (c->zip) zip_discard(c->zip);
    if (c->idx) zip_discard(c->idx);
    free(c->zip_path);
    free(c->data_dir);
    free(c->year_dir);
    free(c->idx_path);
    memset(c, 0, sizeof *c);
}

int mrio_find_data(mrio_ctx *c, const char *kind, mrio_ref *r, sf_err *e)
{
    char name[600];
    snprintf(name, sizeof name, "%s_%s.txt", c->base, kind);
    memset(r, 0, sizeof *r);
    if (c->zip) {
        zip_int64_t i = zip_find(c->zip, c->zip_path, name, e);
        if (i == -2) return SF_EUSER;
        if (i < 0) return sf_fail(e, SF_EUSER, "%s: no member %s (members are matched by basename)", c->zip_path, name);
        ref_zip(r, c->zip, c->zip_path, i);
        return SF_OK;
    }
    char *p = sf_path_join(c->data_dir, name);
    if (!sf_file_exists(p)) {
        int rc = sf_fail(e, SF_EUSER, "%s: not found", p);
        free(p);
        return rc;
    }
    ref_file(r, p);
    free(p);
    return SF_OK;
}

int mrio_find_label(mrio_ctx *c, const char *name, mrio_ref *r, sf_err *e)
{
    memset(r, 0, sizeof *r);
    char looked[1500] = "";
    size_t lk = 0;
#define LOOKED(...) lk += (size_t)snprintf(looked + lk, lk < sizeof looked ? sizeof looked - lk : 0, __VA_ARGS__)
    if (c->zip) {
        zip_int64_t i = zip_find(c->zip, c->zip_path, name, e);
        if (i == -2) return SF_EUSER;
        if (i >= 0) {
            ref_zip(r, c->zip, c->zip_path, i);
            return SF_OK;
        }
        LOOKED("%s", c->zip_path);
    }
    const char *dirs[2] = {c->year_dir, c->path};
    for (int k = 0; k < 2; k++) {
        if (!dirs[k]) continue;
        char *p = sf_path_join(dirs[k], name);
        if (sf_file_exists(p)) {
            ref_file(r, p);
            free(p);
            return SF_OK;
        }
        free(p);
        LOOKED("%s%s/", lk ? ", " : "", dirs[k]);
    }
    if (!c->idx_tried) {
        c->idx_tried = 1;
        char *ip = sf_path_join(c->path, "indices.zip");
        if (sf_file_exists(ip)) {
            int rc = zip_open_ro(ip, &c->idx, e);
            if (rc) {
                free(ip);
                return rc;
            }
            c->idx_path = ip;
        } else {
            free(ip);
        }
    }
    if (c->idx) {
        zip_int64_t i = zip_find(c->idx, c->idx_path, name, e);
        if (i == -2) return SF_EUSER;
        if (i >= 0) {
            ref_zip(r, c->idx, c->idx_path, i);
            return SF_OK;
        }
        LOOKED(", %s", c->idx_path);
    } else {
        LOOKED(", %s/indices.zip (absent)", c->path);
    }
#undef LOOKED
    return sf_fail(e, SF_EUSER, "label file %s for year %d not found; looked in %s", name, c->year, looked);
}

/* ---- reading ------------------------------------------------------------------- */

/* Zip members are inflated under a ceiling, so that a crafted archive (a "zip
 * bomb": a few kB that declare or inflate to many GB) is refused instead of
 * being inflated for minutes: a member whose header declares more than the
 * limit is not opened, and one that inflates to more than its header declares
 * is cut off there. The limit is SF_MAX_ZIP_MEMBER (bytes, or with K, M, G, T:
 * powers of 1024) when set, else 32 bytes per expected number of a matrix
 * (%.17g prints at most 24 characters, plus the tab) + 1 MiB, and
 * SLURP_MAX for a label file. */
#define MEMBER_ENV "SF_MAX_ZIP_MEMBER"

static const char *fmt_bytes(double b, char *buf, size_t sz)
{
    static const char *unit[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB"};
    int u = 0;
    while (b >= 1024 && u < 5) b /= 1024, u++;
    if (u == 0) snprintf(buf, sz, "%.0f bytes", b);
    else snprintf(buf, sz, "%.1f %s", b, unit[u]);
    return buf;
}

/* The limit in force: the variable when set, else dflt (described by why). */
static int member_limit(double dflt, const char *why, double *limit, char *desc, size_t dsz,
                        sf_err *e)
{
    const char *env = getenv(MEMBER_ENV);
    if (!env || !*env) {
        *limit = dflt;
        snprintf(desc, dsz, "%s", why);
        return SF_OK;
    }
    char *end;
    errno = 0;
    double v = strtod(env, &end);
    int shift = 0;
    switch (*end) {
    case 'k': case 'K': shift = 10, end++; break;
    case 'm': case 'M': shift = 20, end++; break;
    case 'g': case 'G': shift = 30, end++; break;
    case 't': case 'T': shift = 40, end++; break;
    default: break;
    }
    if (shift && (*end == 'i' || *end == 'I')) end++;
    if (*end == 'b' || *end == 'B') end++;
    if (end == env || *end || errno || !(v > 0) || v * (double)(1ULL << shift) > 9e18)
        return sf_fail(e, SF_EUSER, "environment variable %s = '%s': expected a size in bytes such as 1048576, 500M "
                       "or 20G", MEMBER_ENV, env);
    *limit = v * (double)(1ULL << shift);
    snprintf(desc, dsz, "%s=%s", MEMBER_ENV, env);
    return SF_OK;
}

typedef struct {
    const mrio_ref *r;
    zip_file_t *zf;
    FILE *fp;
    double declared;    /* uncompressed size in the zip headers; < 0 unknown */
    double got;         /* bytes inflated so far */
} stream;

static int stream_open(const mrio_ref *r, double dflt_limit, const char *why, stream *s, sf_err *e)
{
    memset(s, 0, sizeof *s);
    s->r = r;
    s->declared = -1;
    if (r->za) {
        zip_stat_t st;
        zip_stat_init(&st);
        if (zip_stat_index(r->za, r->index, 0, &st) == 0 && (st.valid & ZIP_STAT_SIZE)) {
            double limit = 0;
            char desc[160], b1[32], b2[32];
            int rc = member_limit(dflt_limit, why, &limit, desc, sizeof desc, e);
            if (rc) return rc;
            s->declared = (double)st.size;
            if (s->declared > limit)
                return sf_fail(e, SF_EUSER,
                               "%s: zip member declares %s uncompressed, over the limit of %s (%s): refused without "
                               "inflating it (a corrupt or crafted archive?); if the member is genuine, raise the "
                               "limit with %s=SIZE, e.g. %s=%.0fG",
                               r->display, fmt_bytes(s->declared, b1, sizeof b1), fmt_bytes(limit, b2, sizeof b2),
                               desc, MEMBER_ENV, MEMBER_ENV, ceil(s->declared / (1 << 30)) + 1);
        }
        s->zf = zip_fopen_index(r->za, r->index, 0);
        if (!s->zf) return sf_fail(e, SF_EUSER, "%s: cannot open zip member: %s", r->display, zip_strerror(r->za));
    } else {
        s->fp = fopen(r->path, "rb");
        if (!s->fp) return sf_fail(e, SF_EUSER, "%s: cannot open: %s", r->path, strerror(errno));
    }
    return SF_OK;
}

static void stream_close(stream *s)
{
    if (s->zf) zip_fclose(s->zf);
    if (s->fp) fclose(s->fp);
}

static long stream_read(void *ctx, char *buf, size_t cap, sf_err *e)
{
    stream *s = ctx;
    if (s->zf) {
        zip_int64_t k = zip_fread(s->zf, buf, cap);
        if (k < 0) {
            if (s->declared >= 0 && s->got < s->declared)
                return sf_fail(e, SF_EUSER, "%s: truncated or corrupt zip member: it inflates to %.0f of the %.0f "
                               "bytes its header declares, then fails (%s)", s->r->display, s->got, s->declared,
                               zip_file_strerror(s->zf)), -1;
            return sf_fail(e, SF_EUSER, "%s: corrupt zip member: %s", s->r->display, zip_file_strerror(s->zf)), -1;
        }
        s->got += (double)k;
        if (s->declared >= 0 && s->got > s->declared)
            return sf_fail(e, SF_EUSER, "%s: zip member inflates to more than the %.0f bytes its header declares "
                           "(a corrupt or crafted archive): refused", s->r->display, s->declared), -1;
        return (long)k;
    }
    size_t k = fread(buf, 1, cap, s->fp);
    if (k == 0 && ferror(s->fp)) return sf_fail(e, SF_EUSER, "%s: read error: %s", s->r->path, strerror(errno)), -1;
    return (long)k;
}

char *mrio_ref_slurp(const mrio_ref *r, size_t *len, sf_err *e)
{
    stream s;
    if (stream_open(r, (double)SLURP_MAX, "label files are read whole, up to 256 MiB", &s, e)) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = sf_malloc(cap + 1);
    for (;;) {
        if (n == cap) {
            if (cap >= SLURP_MAX) {
                sf_fail(e, SF_EUSER, "%s: label file larger than %zu MB", r->display, SLURP_MAX >> 20);
                goto fail;
            }
            cap *= 2;
            buf = sf_realloc(buf, cap + 1);
        }
        long k = stream_read(&s, buf + n, cap - n, e);
        if (k < 0) goto fail;
        if (k == 0) break;
        n += (size_t)k;
    }
    stream_close(&s);
    buf[n] = '\0';
    *len = n;
    return buf;
fail:
    stream_close(&s);
    free(buf);
    return NULL;
}

/* Read-ahead: a second thread inflates (or reads) the next chunks while the
 * parser works on the current one, so a zip member costs max(inflate, parse)
 * instead of their sum. A ring of PF_SLOTS buffers; the parser copies out. */
#define PF_SLOTS 3
#define PF_SIZE ((size_t)4 << 20)

typedef struct {
    stream *s;
    char *buf[PF_SLOTS];
    long len[PF_SLOTS]; /* bytes in a full slot; 0 = end; -1 = error */
    int full[PF_SLOTS];
    int head, tail;     /* producer writes head, consumer reads tail */
    size_t off;         /* consumer's position in the tail slot */
    int stop;           /* consumer gave up: producer must end */
    sf_err err;         /* the producer's error */
    pthread_mutex_t mu;
    pthread_cond_t cv;
} prefetch;

static void *prefetch_main(void *arg)
{
    prefetch *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (p->full[p->head] && !p->stop) pthread_cond_wait(&p->cv, &p->mu);
        int slot = p->head, stop = p->stop;
        pthread_mutex_unlock(&p->mu);
        if (stop) return NULL;
        long k = stream_read(p->s, p->buf[slot], PF_SIZE, &p->err);
        pthread_mutex_lock(&p->mu);
        p->len[slot] = k;
        p->full[slot] = 1;
        p->head = (slot + 1) % PF_SLOTS;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        if (k <= 0) return NULL;
    }
}

static long prefetch_read(void *ctx, char *buf, size_t cap, sf_err *e)
{
    prefetch *p = ctx;
    pthread_mutex_lock(&p->mu);
    while (!p->full[p->tail]) pthread_cond_wait(&p->cv, &p->mu);
    const int slot = p->tail;
    const long len = p->len[slot];
    pthread_mutex_unlock(&p->mu);
    if (len < 0) {
        if (e) *e = p->err;
        return -1;
    }
    if (len == 0) return 0; /* the end stays full: later calls return 0 too */
    size_t take = (size_t)len - p->off < cap ? (size_t)len - p->off : cap;
    memcpy(buf, p->buf[slot] + p->off, take);
    p->off += take;
    if (p->off == (size_t)len) {
        p->off = 0;
        pthread_mutex_lock(&p->mu);
        p->full[slot] = 0;
        p->tail = (slot + 1) % PF_SLOTS;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
    return (long)take;
}

/* Whole-member fast path: a deflated zip member of at most WHOLE_MAX bytes is
 * inflated in one call by libdeflate (2-3x zlib's inflate) into one buffer,
 * straight from the archive mapped (the page cache's pages: no copy of the
 * compressed bytes; mrio_zipdata.c finds them) or else from a copy read by
 * libzip, checked against the header's size and CRC-32, and parsed
 * by several threads (sf_tsv_parse_text). Anything unusual (another method,
 * encryption, a size or CRC that does not match, a decoding error) is left to
 * the streaming reader below, which reports it with its messages. Larger
 * members (full-Eora size) stream: a whole buffer of them would exceed the
 * memory the year is predicted to need (src/par/memory.c). */
#define WHOLE_MAX ((zip_uint64_t)768 << 20)

/* SF_READ_STREAM=1: the streaming reader only (libzip's inflate, one member
 * after the other), for comparisons (bench/year.sh) and as a way around */
int sf_read_stream(void)
{
    const char *v = getenv("SF_READ_STREAM");
    return v && *v && strcmp(v, "0") != 0;
}

static int parse_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 4 ? 4 : (int)n;
}

/* The member's compressed bytes in *in: from the mapped archive (*map, *maplen:
 * no copy) when they can be located there, else read by libzip into a buffer
 * (*map NULL). 0 when neither. */
static int member_bytes(const mrio_ref *r, const zip_stat_t *st, const unsigned char **in,
                        const unsigned char **map, size_t *maplen)
{
    *map = sf_map_file(r->path, maplen, NULL);
    const unsigned char *d = *map ? mrio_zip_member_data(*map, *maplen, r->za, r->index, st) : NULL;
    if (d) { /* not MADV_POPULATE_READ: the faults' read-around costs less (measured) */
        *in = d;
        return 1;
    }
    sf_unmap_file(*map, *maplen);
    *map = NULL;
    zip_file_t *zf = zip_fopen_index(r->za, r->index, ZIP_FL_COMPRESSED);
    if (!zf) return 0;
    char *buf = sf_big_alloc((size_t)st->comp_size);
    zip_uint64_t got = 0;
    while (got < st->comp_size) {
        zip_int64_t k = zip_fread(zf, buf + got, st->comp_size - got);
        if (k <= 0) break;
        got += (zip_uint64_t)k;
    }
    zip_fclose(zf);
    if (got != st->comp_size) {
        sf_big_free(buf);
        return 0;
    }
    *in = (const unsigned char *)buf;
    return 1;
}

/* 1: taken (the result in *rc), 0: not taken (nothing reported) */
static int read_whole(const mrio_ref *r, sf_tsv_spec *spec, int *rc, sf_err *e)
{
    zip_stat_t st;
    zip_stat_init(&st);
    const zip_uint64_t need = ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE | ZIP_STAT_COMP_METHOD | ZIP_STAT_CRC;
    if (zip_stat_index(r->za, r->index, 0, &st) != 0 || (st.valid & need) != need) return 0;
    if (st.comp_method != ZIP_CM_DEFLATE || st.size == 0 || st.size > WHOLE_MAX || st.comp_size == 0 ||
        st.comp_size > WHOLE_MAX)
        return 0;
    if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE) return 0;
    const unsigned char *in = NULL, *map = NULL;
    size_t maplen = 0;
    if (!member_bytes(r, &st, &in, &map, &maplen)) return 0;
    const size_t n = (size_t)st.size;
    char *text = sf_big_alloc(n + SF_NUMPARSE_PAD + 2);
    memset(text + n, 0, SF_NUMPARSE_PAD + 2);
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    size_t out = 0;
    int ok = d && libdeflate_deflate_decompress(d, in, (size_t)st.comp_size, text, n, &out) == LIBDEFLATE_SUCCESS &&
             out == n && libdeflate_crc32(0, text, n) == st.crc;
    if (d) libdeflate_free_decompressor(d);
    if (map) sf_unmap_file(map, maplen);
    else sf_big_free((void *)in);
    if (!ok) {
        sf_big_free(text);
        return 0;
    }
    *rc = sf_tsv_parse_text(spec, text, n, parse_threads(), e);
    /* T's text is kept for I - A, the next large buffer a year asks for (util/bigmem.c) */
    if (spec->rows == spec->cols) sf_big_keep(text);
    else sf_big_free(text);
    return 1;
}

int mrio_ref_read_matrix(const mrio_ref *r, sf_tsv_spec *spec, sf_err *e)
{
    stream s;
    char why[96];
    snprintf(why, sizeof why, "32 bytes per number of a %d x %d matrix + 1 MiB", spec->rows, spec->cols);
    int rc = stream_open(r, 32.0 * spec->rows * spec->cols + (1 << 20), why, &s, e);
    if (rc) return rc;
    spec->name = r->display;
    if (r->za && !sf_read_stream() && read_whole(r, spec, &rc, e)) {
        stream_close(&s);
        return rc;
    }
    prefetch p;
    memset(&p, 0, sizeof p);
    p.s = &s;
    pthread_t th;
    int threaded = r->za != NULL; /* inflating is the slow part: plain files are read directly */
    if (threaded) {
        for (int i = 0; i < PF_SLOTS; i++) p.buf[i] = sf_malloc(PF_SIZE);
        pthread_mutex_init(&p.mu, NULL);
        pthread_cond_init(&p.cv, NULL);
        if (pthread_create(&th, NULL, prefetch_main, &p) != 0) {
            threaded = 0;
            for (int i = 0; i < PF_SLOTS; i++) free(p.buf[i]);
        }
    }
    if (threaded) {
        rc = sf_tsv_read(spec, prefetch_read, &p, e);
        pthread_mutex_lock(&p.mu);
        p.stop = 1;
        pthread_cond_broadcast(&p.cv);
        pthread_mutex_unlock(&p.mu);
        pthread_join(th, NULL);
        pthread_mutex_destroy(&p.mu);
        pthread_cond_destroy(&p.cv);
        for (int i = 0; i < PF_SLOTS; i++) free(p.buf[i]);
    } else {
        rc = sf_tsv_read(spec, stream_read, &s, e);
    }
    stream_close(&s);
    return rc;
}

/* ---- years and files of a release ----------------------------------------------- */

/* name == <prefix>_<YYYY>_<price><tail>: the year, else -1 */
static int match_year(const char *name, const char *prefix, const char *price, const char *tail)
{
    size_t lp = strlen(prefix);
    if (strncmp(name, prefix, lp) || name[lp] != '_') return -1;
    const char *y = name + lp + 1;
    for (int k = 0; k < 4; k++)
        if (!isdigit((unsigned char)y[k])) return -1;
    if (y[4] != '_') return -1;
    size_t lr = strlen(price);
    if (strncmp(y + 5, price, lr) || strcmp(y + 5 + lr, tail)) return -1;
    return atoi(y) >= 1000 ? atoi(y) : -1;
}

int sf_source_years(const sf_source *src, int **years, int *count, sf_err *e)
{
    *years = NULL;
    *count = 0;
    char prefix[256];
    int rc = check_source(src, prefix, sizeof prefix, e);
    if (rc) return rc;
    const char *price = src_price(src);
    DIR *d = opendir(src->path);
    if (!d) return sf_fail(e, SF_EUSER, "%s: cannot list: %s", src->path, strerror(errno));
    int n = 0, cap = 16;
    int *v = sf_malloc(sizeof(int) * (size_t)cap);
    struct dirent *de;
    while ((de = readdir(d))) {
        int y = match_year(de->d_name, prefix, price, ".zip");
        if (y < 0) y = match_year(de->d_name, prefix, price, "_T.txt");
        if (y < 0 && strlen(de->d_name) == 4 && isdigit((unsigned char)de->d_name[0]) &&
            strspn(de->d_name, "0123456789") == 4) {
            /* <path>/<YYYY>/<prefix>_<YYYY>_<price>_T.txt */
            char name[600];
            snprintf(name, sizeof name, "%s/%s/%s_%s_%s_T.txt", src->path, de->d_name, prefix, de->d_name, price);
            if (sf_file_exists(name)) y = atoi(de->d_name);
        }
        if (y < 0) continue;
        if (n == cap) v = sf_realloc(v, sizeof(int) * (size_t)(cap *= 2));
        v[n++] = y;
    }
    closedir(d);
    sf_sort_int(v, (size_t)n);
    int m = 0;
    for (int i = 0; i < n; i++)
        if (m == 0 || v[m - 1] != v[i]) v[m++] = v[i];
    if (m == 0) {
        free(v);
        return sf_fail(e, SF_EUSER, "%s: no year found (no %s_YYYY_%s.zip, %s_YYYY_%s_T.txt or YYYY/ with it)",
                       src->path, prefix, price, prefix, price);
    }
    *years = v;
    *count = m;
    return SF_OK;
}

static void add_file(char ***files, int *n, const char *path)
{
    for (int i = 0; i < *n; i++)
        if (!strcmp((*files)[i], path)) return;
    *files = sf_realloc(*files, sizeof(char *) * (size_t)(*n + 1));
    (*files)[(*n)++] = sf_strdup(path);
}

/* Files of an open year: data (zip or T/FD/VA) then label sources. The VA
 * file is listed only when present (a table without value-added rows has none). */
int mrio_year_files(mrio_ctx *c, char ***files, int *count, sf_err *e)
{
    char **f = NULL;
    int n = 0, rc = SF_OK;
    static const char *kinds[] = {"T", "FD", "VA"};
    static const char *labels[] = {"labels_T.txt", "labels_FD.txt", "labels_VA.txt"};
    mrio_ref r;
    for (int k = 0; k < 3 && !rc; k++) {
        rc = mrio_find_data(c, kinds[k], &r, e);
        if (rc == SF_OK) add_file(&f, &n, r.path);
        else if (k == 2) rc = SF_OK, sf_err_clear(e);
        mrio_ref_free(&r);
    }
    for (int k = 0; k < 3 && !rc; k++) {
        rc = mrio_find_label(c, labels[k], &r, e);
        if (rc == SF_OK) add_file(&f, &n, r.path);
        mrio_ref_free(&r);
    }
    if (rc) {
        for (int i = 0; i < n; i++) free(f[i]);
        free(f);
        return rc;
    }
    *files = f;
    *count = n;
    return SF_OK;
}

int sf_source_year_files(const sf_source *src, int year, char ***files, int *count, sf_err *e)
{
    *files = NULL;
    *count = 0;
    mrio_ctx c;
    int rc = mrio_ctx_open(src, year, &c, e);
    if (rc == SF_OK) rc = mrio_year_files(&c, files, count, e);
    mrio_ctx_close(&c);
    return rc;
}
