/* The matrix readers (sf_tsv_parse_text, sf_tsv_read) against strtod, bit for
 * bit: the readers have their own fast path for the common field forms (issue
 * 13), so every number of every WIOD 2013 table (data/wiod2013) and a random
 * corpus of millions of fields (zeros, signs, integers, decimals of 1-25
 * digits with the point anywhere, exponents, %.17g of random bit patterns
 * with subnormals, halfway points between doubles) laid out as tables are
 * parsed and compared with strtod of each field. */
#include <stdint.h>
#include <zip.h>

#include "silkflow/numparse.h"
#include "testlib.h"

static uint64_t rng_s = 0x243F6A8885A308D3ULL;
static uint64_t rnd(void) { return t_splitmix64(&rng_s); }
static int rndint(int lo, int hi) { return lo + (int)(rnd() % (uint64_t)(hi - lo + 1)); }

static void digits(char *o, int n)
{
    for (int i = 0; i < n; i++) o[i] = (char)('0' + rndint(0, 9));
    o[n] = '\0';
}

/* One random field (finite for strtod) into o; returns its length. */
static int field(char *o)
{
    char *p = o;
    int kind = rndint(0, 99);
    if (kind < 15) return sprintf(o, "%s", (const char *[]){"0", "-0", "+0", "0.0", "0.", ".0", "00"}[rnd() % 7]);
    if (kind < 55) { /* [sign] digits [. digits], 1-25 digits (at least one), the point anywhere */
        int s = rndint(0, 5);
        if (s == 0) *p++ = '-';
        if (s == 1) *p++ = '+';
        int d = rnd() % 8 == 0 ? rndint(13, 25) : rndint(1, 16), pt = rndint(0, d);
        digits(p, pt);
        p += pt;
        if (pt < d || rnd() % 4 == 0) *p++ = '.';
        digits(p, d - pt);
        p += d - pt;
        *p = '\0';
        return (int)(p - o);
    }
    if (kind < 70) { /* exponents */
        int d = rndint(1, 19);
        digits(p, d);
        p[0] = (char)('1' + rnd() % 9);
        return (int)(p - o) + d + sprintf(p + d, "e%d", rndint(-330, 280));
    }
    if (kind < 85) { /* printf of random bit patterns: all magnitudes, subnormals */
        double x;
        do {
            uint64_t b = rnd();
            memcpy(&x, &b, sizeof x);
        } while (!isfinite(x));
        if (rnd() & 1) return sprintf(o, "%.17g", x);
        return sprintf(o, "%.*g", rndint(1, 19), x);
    }
    if (kind < 95) { /* table-like values, %.Ng and %.Nf */
        double y = ldexp((double)(rnd() >> 11), rndint(-80, 40));
        if (rnd() & 1) return sprintf(o, "%.*g", rndint(6, 16), y);
        return sprintf(o, "%.*f", rndint(0, 12), y);
    }
    /* halfway points between adjacent doubles, exact and rounded */
    double x = ldexp((double)((rnd() >> 11) | (1ULL << 52)), rndint(-120, 60));
    long double mid = (long double)x + (long double)(nextafter(x, INFINITY) - x) / 2;
    if (rnd() & 1) return sprintf(o, "%.40Lg", mid);
    return sprintf(o, "%.*Le", rndint(15, 19), mid);
}

/* Parse text (rows x cols) with both readers and compare with strtod. */

static long compare(const char *what, const char *text, size_t len, int rows, int cols)
{
    size_t n = (size_t)rows * (size_t)cols;
    double *ref = malloc(n * sizeof *ref), *got = malloc(n * sizeof *got);
    char *copy = calloc(len + SF_NUMPARSE_PAD + 2, 1);
    const char *p = text;
    for (size_t i = 0; i < n; i++) {
        char *e;
        ref[i] = strtod(p, &e);
        p = e + 1 + (*e == '\r');
    }
    long bad = 0;
    for (int mode = 0; mode < 3; mode++) {
        memset(got, 0xAB, n * sizeof *got);
        sf_tsv_spec sp = {.name = what, .rows = rows, .cols = cols, .dst = got, .ld = (size_t)cols};
        sf_err e = {0};
        int rc;
        if (mode < 2) { /* whole text, 1 and 3 threads (parts of >= 64 KiB) */
            memcpy(copy, text, len);
            sp.bufsize = 1 << 16;
            rc = sf_tsv_parse_text(&sp, copy, len, mode ? 3 : 1, &e);
        } else { /* streaming, a small odd chunk buffer: many chunk ends */
            t_memsrc m = {text, len, 0};
            sp.bufsize = 4099;
            rc = sf_tsv_read(&sp, t_mem_read, &m, &e);
        }
        CHECK_MSG(rc == SF_OK, "%s mode %d: %s", what, mode, e.msg);
        for (size_t i = 0; i < n && rc == SF_OK; i++)
            if (memcmp(&ref[i], &got[i], sizeof(double))) {
                if (bad++ < 10)
                    fprintf(stderr, "%s mode %d: number %zu: strtod %.17g, reader %.17g\n", what, mode, i, ref[i],
                            got[i]);
            }
    }
    free(ref);
    free(got);
    free(copy);
    return bad;
}

static long n_numbers = 0;

static void random_tables(long scale)
{
    for (int t = 0; t < 4 * scale; t++) {
        int cols = (int[]){1, 7, 37, 251}[t % 4], rows = 600000 / cols;
        int crlf = t % 3 == 2;
        size_t cap = (size_t)rows * cols * 48 + 64, len = 0;
        char *text = malloc(cap);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) {
                len += (size_t)field(text + len);
                if (j + 1 < cols) text[len++] = '\t';
                else if (crlf) text[len++] = '\r', text[len++] = '\n';
                else text[len++] = '\n';
            }
        text[len] = '\0';
        char what[64];
        snprintf(what, sizeof what, "random table %d (%d x %d%s)", t, rows, cols, crlf ? ", CRLF" : "");
        long bad = compare(what, text, len, rows, cols);
        CHECK_MSG(bad == 0, "%s: %ld numbers differ from strtod", what, bad);
        n_numbers += (long)rows * cols;
        free(text);
    }
}

static void wiod_tables(void)
{
    char path[256];
    int files = 0;
    for (int y = 1995; y <= 2011; y++) {
        snprintf(path, sizeof path, "data/wiod2013/WIOD2013_%d_bp.zip", y);
        int zerr;
        zip_t *z = zip_open(path, ZIP_RDONLY, &zerr);
        if (!z) continue;
        for (zip_int64_t k = 0; k < zip_get_num_entries(z, 0); k++) {
            const char *name = zip_get_name(z, (zip_uint64_t)k, 0);
            if (!name || !strncmp(name, "labels", 6)) continue;
            zip_stat_t st;
            zip_file_t *zf;
            if (zip_stat_index(z, (zip_uint64_t)k, 0, &st) || !(zf = zip_fopen_index(z, (zip_uint64_t)k, 0))) continue;
            size_t len = (size_t)st.size;
            char *text = calloc(len + 1, 1);
            CHECK(zip_fread(zf, text, len) == (zip_int64_t)len);
            zip_fclose(zf);
            int rows = 0, cols = 1;
            for (size_t i = 0; i < len; i++) rows += text[i] == '\n';
            for (size_t i = 0; i < len && text[i] != '\n'; i++) cols += text[i] == '\t';
            char what[300];
            snprintf(what, sizeof what, "%s:%s", path, name);
            long bad = compare(what, text, len, rows, cols);
            CHECK_MSG(bad == 0, "%s: %ld numbers differ from strtod", what, bad);
            n_numbers += (long)rows * cols;
            files++;
            free(text);
        }
        zip_discard(z);
    }
    printf("numparse_tsv: %d WIOD tables\n", files);
    CHECK_MSG(files == 17 * 3, "expected the 51 tables of data/wiod2013, found %d", files);
}

int main(int argc, char **argv)
{
    long scale = argc > 1 ? atol(argv[1]) : 1;
    random_tables(scale);
    wiod_tables();
    printf("numparse_tsv: %ld numbers compared with strtod (3 reader modes each)\n", n_numbers);
    CHECK(n_numbers > 2000000);
    TEST_MAIN_END();
}
