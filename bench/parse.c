/* Parse throughput: sf_numparse and the streaming matrix reader against a
 * strtod loop, on a full-size Eora26-like T text (4915 x 4915 numbers) built
 * in memory; then the end-to-end read of a zip member (inflate + parse) and
 * of a whole synthetic Eora26 year (T, FD, VA, real labels) with
 * sf_table_read. Medians of R runs (default 5), MB = 10^6 bytes of text.
 *
 *   build/bench/parse [--runs R] [--n N] [--tmp DIR] [--no-zip]
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zip.h>

#include "silkflow/common.h"
#include "silkflow/mrio.h"
#include "silkflow/numparse.h"

static uint64_t rs = 20240601;
static uint64_t rnd(void)
{
    uint64_t z = (rs += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
static double unif(void) { return (double)(rnd() >> 11) * 0x1p-53; }

/* One number of a realistic mix: 40% zeros, 15% integers, 40% decimals with
 * 6-15 significant digits over many magnitudes, 5% in exponent notation. */
static int one_number(char *o)
{
    double u = unif();
    if (u < 0.40) return sprintf(o, "0");
    if (u < 0.55) return sprintf(o, "%llu", (unsigned long long)(rnd() % 10000000ULL));
    double mag = pow(10.0, -4.0 + 11.0 * unif());
    double x = mag * (1 + unif());
    if (u < 0.95) {
        int sig = 6 + (int)(rnd() % 10);
        int e10 = (int)floor(log10(x));
        int dec = sig - 1 - e10;
        if (dec < 0) dec = 0;
        return sprintf(o, "%.*f", dec, x);
    }
    return sprintf(o, "%.*e", 5 + (int)(rnd() % 10), x * 1e-9);
}

/* rows x cols tab-separated, LF (or CRLF) */
static char *make_text(int rows, int cols, int crlf, size_t *len)
{
    size_t cap = (size_t)rows * (size_t)cols * 12 + 1024, n = 0;
    char *t = sf_malloc(cap + SF_NUMPARSE_PAD + 1);
    for (int i = 0; i < rows; i++) {
        for (int j = 0; j < cols; j++) {
            if (n + 64 > cap) {
                cap *= 2;
                t = sf_realloc(t, cap + SF_NUMPARSE_PAD + 1);
            }
            n += (size_t)one_number(t + n);
            t[n++] = j + 1 < cols ? '\t' : '\n';
            if (j + 1 == cols && crlf) {
                t[n - 1] = '\r';
                t[n++] = '\n';
            }
        }
    }
    memset(t + n, 0, SF_NUMPARSE_PAD + 1);
    *len = n;
    return t;
}

/* CPU time of this thread: on a shared machine the wall time of a
 * single-threaded loop includes the time other jobs had the core */
static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}
static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmpd);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

typedef struct {
    const char *p;
    size_t left;
} memsrc;
static long mem_read(void *ctx, char *buf, size_t cap, sf_err *e)
{
    (void)e;
    memsrc *m = ctx;
    size_t k = m->left < cap ? m->left : cap;
    memcpy(buf, m->p, k);
    m->p += k;
    m->left -= k;
    return (long)k;
}
static long zip_read(void *ctx, char *buf, size_t cap, sf_err *e)
{
    zip_int64_t r = zip_fread((zip_file_t *)ctx, buf, cap);
    if (r < 0) return sf_fail(e, SF_EUSER, "zip read error"), -1;
    return (long)r;
}

static void write_member(zip_t *za, const char *name, const char *text, size_t len, int level)
{
    zip_source_t *zs = zip_source_buffer(za, text, len, 0);
    zip_int64_t idx = zip_file_add(za, name, zs, ZIP_FL_OVERWRITE);
    if (idx < 0) {
        fprintf(stderr, "zip_file_add: %s\n", zip_strerror(za));
        exit(2);
    }
    zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_DEFLATE, (zip_uint32_t)level);
}

/* Real texts: the WIOD 2011 T text (1435 x 1435 integers, many zeros, 20
 * passes per run) and the T text of the synthetic Eora26 release of
 * bench/year.sh (bench/cache, when there: 4915 x 4915, as silkflow synth
 * writes it), wall and CPU time. */
static void text_bench(const char *path, const char *member, int n, int reps, const char *label, int runs)
{
    int zerr;
    zip_t *z = zip_open(path, ZIP_RDONLY, &zerr);
    if (!z) {
        printf("(%s skipped: %s not found)\n", label, path);
        return;
    }
    zip_stat_t st;
    zip_file_t *zf;
    if (zip_stat(z, member, 0, &st) || !(zf = zip_fopen(z, member, 0))) {
        zip_discard(z);
        return;
    }
    size_t len = (size_t)st.size;
    char *text = sf_calloc(len + SF_NUMPARSE_PAD + 1, 1);
    if (zip_fread(zf, text, len) != (zip_int64_t)len) len = 0;
    zip_fclose(zf);
    zip_discard(z);
    double *a = sf_malloc(sizeof(double) * (size_t)n * n), *b = sf_malloc(sizeof(double) * (size_t)n * n);
    double *ts = sf_malloc(sizeof(double) * (size_t)runs), *tt = sf_malloc(sizeof(double) * (size_t)runs);
    double *cs = sf_malloc(sizeof(double) * (size_t)runs), *ct = sf_malloc(sizeof(double) * (size_t)runs);
    int same = len > 0;
    for (int r = 0; r < runs && same; r++) {
        double t0 = sf_now(), c0 = cpu_now();
        for (int k = 0; k < reps; k++) {
            const char *p = text;
            for (size_t i = 0; i < (size_t)n * n; i++) {
                char *end;
                a[i] = strtod(p, &end);
                p = end + 1;
            }
        }
        ts[r] = sf_now() - t0;
        cs[r] = cpu_now() - c0;
        t0 = sf_now();
        c0 = cpu_now();
        for (int k = 0; k < reps; k++) {
            memsrc m = {text, len};
            sf_tsv_spec sp = {.name = member, .rows = n, .cols = n, .dst = b, .ld = (size_t)n};
            sf_err e = {0};
            if (sf_tsv_read(&sp, mem_read, &m, &e)) same = 0;
        }
        tt[r] = sf_now() - t0;
        ct[r] = cpu_now() - c0;
        same &= !memcmp(a, b, sizeof(double) * (size_t)n * n);
    }
    if (same) {
        double mb = (double)len * reps / 1e6, ms = median(ts, runs), mt = median(tt, runs);
        double cms = median(cs, runs), cmt = median(ct, runs);
        printf("\n%s (%.1f MB):\n", label, (double)len / 1e6);
        printf("strtod loop        %8.1f MB/s  (CPU time %8.1f MB/s)\n", mb / ms, mb / cms);
        printf("sf_tsv_read (mem)  %8.1f MB/s  (CPU time %8.1f MB/s)  %.2fx strtod\n", mb / mt, mb / cmt, ms / mt);
    } else {
        printf("%s: results differ from strtod\n", label);
    }
    free(text);
    free(a);
    free(b);
    free(ts);
    free(tt);
    free(cs);
    free(ct);
}

int main(int argc, char **argv)
{
    int runs = 5, n = 4915, with_zip = 1;
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp) tmp = "/tmp";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--runs") && i + 1 < argc) runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--n") && i + 1 < argc) n = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--tmp") && i + 1 < argc) tmp = argv[++i];
        else if (!strcmp(argv[i], "--no-zip")) with_zip = 0;
        else {
            fprintf(stderr, "usage: %s [--runs R] [--n N] [--tmp DIR] [--no-zip]\n", argv[0]);
            return 1;
        }
    }
    if (runs < 1 || n < 2) return 1;
    size_t len;
    double t0 = sf_now();
    char *text = make_text(n, n, 0, &len);
    const double mb = (double)len / 1e6;
    const size_t N = (size_t)n * (size_t)n;
    printf("T text: %d x %d numbers, %.1f MB (built in %.1f s), %d runs, medians\n", n, n, mb, sf_now() - t0,
           runs);
    double *ref = sf_malloc(N * sizeof(double)), *got = sf_malloc(N * sizeof(double));
    double *ts = sf_malloc(sizeof(double) * (size_t)runs), *tp = sf_malloc(sizeof(double) * (size_t)runs),
           *tt = sf_malloc(sizeof(double) * (size_t)runs);
    double *cs = sf_malloc(sizeof(double) * (size_t)runs), *cp = sf_malloc(sizeof(double) * (size_t)runs),
           *ct = sf_malloc(sizeof(double) * (size_t)runs);
    int identical = 1;
    for (int r = 0; r < runs; r++) {
        /* strtod loop: the baseline */
        double a = sf_now(), c = cpu_now();
        const char *p = text;
        for (size_t k = 0; k < N; k++) {
            char *end;
            ref[k] = strtod(p, &end);
            p = end + 1;
        }
        ts[r] = sf_now() - a;
        cs[r] = cpu_now() - c;
        /* sf_numparse loop: the same tokens */
        a = sf_now();
        c = cpu_now();
        p = text;
        for (size_t k = 0; k < N; k++) p = sf_numparse(p, &got[k]) + 1;
        tp[r] = sf_now() - a;
        cp[r] = cpu_now() - c;
        if (memcmp(ref, got, N * sizeof(double))) identical = 0;
        /* the streaming matrix reader (grammar, line/column checks), chunks
         * copied from memory as zip_fread would deliver them */
        memset(got, 0, N * sizeof(double));
        memsrc m = {text, len};
        sf_tsv_spec sp = {.name = "T", .rows = n, .cols = n, .dst = got, .ld = (size_t)n};
        sf_err e = {0};
        a = sf_now();
        c = cpu_now();
        if (sf_tsv_read(&sp, mem_read, &m, &e)) {
            fprintf(stderr, "sf_tsv_read: %s\n", e.msg);
            return 2;
        }
        tt[r] = sf_now() - a;
        ct[r] = cpu_now() - c;
        if (memcmp(ref, got, N * sizeof(double))) identical = 0;
    }
    double ms = median(ts, runs), mp = median(tp, runs), mt = median(tt, runs);
    printf("strtod loop        %8.1f MB/s  (%.3f s; CPU time %8.1f MB/s)\n", mb / ms, ms, mb / median(cs, runs));
    printf("sf_numparse loop   %8.1f MB/s  (%.3f s; CPU time %8.1f MB/s)  %.2fx strtod\n", mb / mp, mp,
           mb / median(cp, runs), ms / mp);
    printf("sf_tsv_read (mem)  %8.1f MB/s  (%.3f s; CPU time %8.1f MB/s)  %.2fx strtod\n", mb / mt, mt,
           mb / median(ct, runs), ms / mt);
    printf("results bit-identical to strtod: %s\n", identical ? "yes" : "NO");
    /* memory bandwidth reference: one read pass over the text */
    {
        double *tm = sf_malloc(sizeof(double) * (size_t)runs);
        volatile uint64_t sink = 0;
        for (int r = 0; r < runs; r++) {
            double a = sf_now();
            uint64_t s = 0;
            const uint64_t *w = (const uint64_t *)(const void *)text;
            for (size_t k = 0; k < len / 8; k++) s += w[k];
            sink += s;
            tm[r] = sf_now() - a;
        }
        double mm = median(tm, runs);
        printf("memory read pass   %8.1f MB/s  (reference)\n", mb / mm);
        free(tm);
    }
    if (!identical) return 2;
    text_bench("data/wiod2013/WIOD2013_2011_bp.zip", "WIOD2013_2011_bp_T.txt", 1435, 20,
               "real WIOD 2011 T text (integers)", runs);
    text_bench("bench/cache/eora26/Eora26_2004_bp.zip", "Eora26_2004_bp_T.txt", 4915, 1,
               "T text of the synthetic Eora26 release of bench/year.sh (silkflow synth, 2004)", runs);
    if (!with_zip) return 0;

    /* a full synthetic Eora26 year: real labels, T, FD, VA in one zip */
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/sf_bench_parse_XXXXXX", tmp);
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 2;
    }
    const char *labdir = "data/eora26-labels";
    size_t lt, lf, lv;
    sf_err e = {0};
    char *pt = sf_path_join(labdir, "labels_T.txt"), *pf = sf_path_join(labdir, "labels_FD.txt"),
         *pv = sf_path_join(labdir, "labels_VA.txt");
    char *labT = sf_read_file(pt, &lt, &e), *labF = sf_read_file(pf, &lf, &e), *labV = sf_read_file(pv, &lv, &e);
    free(pt);
    free(pf);
    free(pv);
    if (!labT || !labF || !labV || n != 4915) {
        printf("(end-to-end part skipped: needs data/eora26-labels and --n 4915)\n");
        return 0;
    }
    size_t lenF, lenV;
    char *textF = make_text(4915, 1140, 0, &lenF), *textV = make_text(6, 4915, 0, &lenV);
    char zpath[4200];
    snprintf(zpath, sizeof zpath, "%s/Eora26_2015_bp.zip", dir);
    int zerr;
    zip_t *za = zip_open(zpath, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    write_member(za, "Eora26_2015_bp/Eora26_2015_bp_T.txt", text, len, 6);
    write_member(za, "Eora26_2015_bp/Eora26_2015_bp_FD.txt", textF, lenF, 6);
    write_member(za, "Eora26_2015_bp/Eora26_2015_bp_VA.txt", textV, lenV, 6);
    write_member(za, "Eora26_2015_bp/labels_T.txt", labT, lt, 6);
    write_member(za, "Eora26_2015_bp/labels_FD.txt", labF, lf, 6);
    write_member(za, "Eora26_2015_bp/labels_VA.txt", labV, lv, 6);
    t0 = sf_now();
    if (zip_close(za) < 0) {
        fprintf(stderr, "zip_close: %s\n", zip_strerror(za));
        return 2;
    }
    printf("\nsynthetic Eora26 year zip written in %.1f s (deflate level 6)\n", sf_now() - t0);

    double *ti = sf_malloc(sizeof(double) * (size_t)runs), *tz = sf_malloc(sizeof(double) * (size_t)runs),
           *ty = sf_malloc(sizeof(double) * (size_t)runs);
    char *ibuf = sf_malloc((size_t)4 << 20);
    int same = 1;
    double mb_year = (double)(len + lenF + lenV) / 1e6;
    for (int r = 0; r < runs; r++) {
        /* inflate only */
        zip_t *z = zip_open(zpath, ZIP_RDONLY, &zerr);
        zip_file_t *zf = zip_fopen(z, "Eora26_2015_bp/Eora26_2015_bp_T.txt", 0);
        double a = sf_now();
        zip_int64_t k;
        while ((k = zip_fread(zf, ibuf, (size_t)4 << 20)) > 0) {
        }
        ti[r] = sf_now() - a;
        zip_fclose(zf);
        /* inflate + parse of the T member */
        zf = zip_fopen(z, "Eora26_2015_bp/Eora26_2015_bp_T.txt", 0);
        sf_tsv_spec sp = {.name = "T", .rows = n, .cols = n, .dst = got, .ld = (size_t)n};
        a = sf_now();
        if (sf_tsv_read(&sp, zip_read, zf, &e)) {
            fprintf(stderr, "%s\n", e.msg);
            return 2;
        }
        tz[r] = sf_now() - a;
        zip_fclose(zf);
        zip_discard(z);
        if (memcmp(ref, got, N * sizeof(double))) same = 0;
        /* the whole year through the public reader */
        sf_source src = {.format = "eora26", .path = dir, .prefix = "Eora26", .price = "bp"};
        sf_labels *lab = NULL;
        sf_table t = {0};
        a = sf_now();
        if (sf_labels_read(&src, 2015, &lab, &e) || sf_table_read(&src, 2015, lab, &t, &e)) {
            fprintf(stderr, "%s\n", e.msg);
            return 2;
        }
        ty[r] = sf_now() - a;
        if (lab->n != 4915 || lab->nfd != 1140 || lab->nva != 6 || memcmp(ref, t.Z, N * sizeof(double))) same = 0;
        sf_table_free(&t);
        sf_labels_free(lab);
    }
    double mi = median(ti, runs), mz = median(tz, runs), my = median(ty, runs);
    printf("inflate only (T)         %8.1f MB/s of text  (%.3f s)\n", mb / mi, mi);
    printf("inflate + parse (T)      %8.1f MB/s of text  (%.3f s)  %.2fx strtod alone\n", mb / mz, mz, ms / mz);
    printf("sf_table_read (T,FD,VA)  %8.1f MB/s of text  (%.3f s for %.1f MB)\n", mb_year / my, my, mb_year);
    printf("zip results identical to strtod: %s\n", same ? "yes" : "NO");
    unlink(zpath);
    rmdir(dir);
    free(ibuf);
    return same ? 0 : 2;
}
