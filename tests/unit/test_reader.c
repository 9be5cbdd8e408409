/* The MRIO reader (Eora26 layout, mrio-tsv): one small synthetic release per
 * quirk, built at test time in a temporary directory (zips written with
 * libzip), and the 17 real WIOD 2013 years of data/wiod2013.
 *
 * Fixture: 4 regions with different sector counts (AAA 3 sectors, BBB 2 in
 * a "Commodities" block, ROM 2 (alias ROU), ROW 1 "Statistical
 * Discrepancies", Eora-like), 2 final-demand categories per region, 2
 * value-added rows. Every cell is a distinct number written in one of
 * several shapes; the expected value is strtod of the same text.
 *
 *   test_reader                 all tests
 *   test_reader --dump-sums Y   WIOD year Y: row sums of T and FD, column sums
 *                               of T and VA, zero-output count (for
 *                               tests/scripts/reader_wiod_sums.sh)
 *   test_reader --read DIR PREFIX YEAR
 *                               read a release with ROW kept and dropped
 *                               (tests/scripts/reader_eora_full.sh)
 */
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "../../src/io/mrio_internal.h"
#include "silkflow/mrio.h"
#include "silkflow/numparse.h"
#include "testlib.h"

/* ---- fixture ------------------------------------------------------------------ */

#define NREG 4
static const char *REG_CODE[NREG] = {"AAA", "BBB", "ROM", "ROW"};
static const char *REG_NAME[NREG] = {"Alpha", "Beta", "Romania", "Statistical Discrepancies"};
static const char *REG_BLOCK[NREG] = {"Industries", "Commodities", "Industries", "Industries"};
static const int REG_NS[NREG] = {3, 2, 2, 1};
#define N 8
#define NFD 8
#define NVA 2

typedef struct {
    int crlf;          /* CRLF line ends everywhere */
    int trail;         /* trailing tab (and a space) on data lines */
    int no_row;        /* omit the ROW region */
    int all_ind;       /* every block "Industries" (no "Commodities") */
    /* damage to the T text: */
    int t_short_row;   /* line 3 has one number fewer */
    int t_long_row;    /* line 5 has one number more */
    int t_nonnum;      /* line 2, column 4 is "12x" */
    int t_nan;         /* line 6, column 2 is "NaN" */
    int t_inf;         /* line 4, column 1 is "1e999" */
    int t_lines;       /* +1: an extra line; -1: the last line missing */
    int t_emptyfield;  /* line 7: two tabs between columns 2 and 3 */
    int split_region;  /* labels_T: AAA's last sector moved after BBB */
    int bad_fd_region; /* labels_FD: a column of region XXX */
} fixopt;

typedef struct {
    char *s;
    size_t n, cap;
} sbuf;

static void sb_add(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        size_t room = b->cap - b->n;
        int k = vsnprintf(b->s ? b->s + b->n : NULL, room, fmt, ap);
        va_end(ap);
        if ((size_t)k < room) {
            b->n += (size_t)k;
            return;
        }
        b->cap = (b->cap + (size_t)k + 1) * 2;
        b->s = realloc(b->s, b->cap);
    }
}

/* The text of cell (m, i, j) of matrix m (0 T, 1 FD, 2 VA) and its value. */
static void cell(int m, int i, int j, char *tok, size_t sz)
{
    int k = (m * 131 + i * 17 + j * 7) % 7;
    double base = (m + 1) * 1000 + i * 37 + j + 0.5;
    switch (k) {
    case 0: snprintf(tok, sz, "0"); break;
    case 1: snprintf(tok, sz, "%d", (int)base); break;
    case 2: snprintf(tok, sz, "%.6f", base / 7); break;
    case 3: snprintf(tok, sz, "%.10e", base * 1e-9); break;
    case 4: snprintf(tok, sz, "-%.3f", base / 3); break; /* inventories, subsidies */
    case 5: snprintf(tok, sz, "%.17g", base / 11); break;
    default: snprintf(tok, sz, "%.2E", base * 1e5); break;
    }
}
static double cellv(int m, int i, int j)
{
    char tok[64];
    cell(m, i, j, tok, sizeof tok);
    return strtod(tok, NULL);
}

static char *matrix_text(int m, int rows, int cols, const fixopt *o, size_t *len)
{
    sbuf b = {0};
    const char *nl = o->crlf ? "\r\n" : "\n";
    int nrows = rows + (m == 0 && o->t_lines < 0 ? -1 : 0);
    for (int i = 0; i < nrows; i++) {
        int ncols = cols;
        if (m == 0 && o->t_short_row && i == 2) ncols--;
        if (m == 0 && o->t_long_row && i == 4) ncols++;
        for (int j = 0; j < ncols; j++) {
            char tok[64];
            cell(m, i, j < cols ? j : 0, tok, sizeof tok);
            if (m == 0 && o->t_nonnum && i == 1 && j == 3) snprintf(tok, sizeof tok, "12x");
            if (m == 0 && o->t_nan && i == 5 && j == 1) snprintf(tok, sizeof tok, "NaN");
            if (m == 0 && o->t_inf && i == 3 && j == 0) snprintf(tok, sizeof tok, "1e999");
            sb_add(&b, "%s%s", j ? "\t" : "", tok);
            if (m == 0 && o->t_emptyfield && i == 6 && j == 1) sb_add(&b, "\t");
        }
        sb_add(&b, "%s%s", o->trail ? "\t " : "", nl);
    }
    if (m == 0 && o->t_lines > 0) sb_add(&b, "1%s", nl);
    *len = b.n;
    return b.s;
}

static char *labels_text(int which, const fixopt *o, size_t *len)
{
    sbuf b = {0};
    const char *nl = o->crlf ? "\r\n" : "\n";
    int G = o->no_row ? NREG - 1 : NREG;
    if (which == 0) {
        if (o->split_region) {
            /* AAA s1 s2, BBB s1 s2, AAA s3, ... */
            int order[][2] = {{0, 1}, {0, 2}, {1, 1}, {1, 2}, {0, 3}, {2, 1}, {2, 2}, {3, 1}};
            for (int k = 0; k < G + 4; k++) {
                int g = order[k][0];
                sb_add(&b, "%s\t%s\t%s\tSector %d\t%s", REG_NAME[g], REG_CODE[g], REG_BLOCK[g], order[k][1], nl);
            }
        } else {
            for (int g = 0; g < G; g++)
                for (int s = 1; s <= REG_NS[g]; s++)
                    sb_add(&b, "%s\t%s\t%s\t%s\t%s", REG_NAME[g], REG_CODE[g], o->all_ind ? "Industries" : REG_BLOCK[g],
                           g == 3 ? "Total" : (s == 1 ? "Agriculture" : s == 2 ? "Hotels and Restraurants" : "Other"), nl);
        }
    } else if (which == 1) {
        for (int g = 0; g < G; g++) {
            const char *code = o->bad_fd_region && g == 1 ? "XXX" : REG_CODE[g];
            sb_add(&b, "%s\t%s\tFinal Demand\tHousehold final consumption P.3h\t%s", REG_NAME[g], code, nl);
            sb_add(&b, "%s\t%s\tFinal Demand\tChanges in inventories P.52\t%s", REG_NAME[g], code, nl);
        }
    } else {
        sb_add(&b, "Primary Inputs\tCompensation of employees D.1\t%s", nl);
        sb_add(&b, "Primary Inputs\tSubsidies on production D.39\t%s", nl);
    }
    *len = b.n;
    return b.s;
}

static char g_tmp[512];

static void write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(2);
    }
    fwrite(data, 1, len, f);
    fclose(f);
}

/* A zip with the given members (names may contain folders). */
static void write_zip(const char *path, int nm, const char **names, char **data, const size_t *lens)
{
    int zerr;
    zip_t *za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    if (!za) {
        fprintf(stderr, "zip_open %s failed\n", path);
        exit(2);
    }
    for (int k = 0; k < nm; k++) {
        const char *slash = strrchr(names[k], '/');
        if (slash) {
            char dir[256];
            snprintf(dir, sizeof dir, "%.*s", (int)(slash - names[k]), names[k]);
            zip_dir_add(za, dir, 0); /* fails harmlessly when present */
        }
        zip_source_t *zs = zip_source_buffer(za, data[k], lens[k], 0);
        if (zip_file_add(za, names[k], zs, ZIP_FL_OVERWRITE) < 0) {
            fprintf(stderr, "zip_file_add: %s\n", zip_strerror(za));
            exit(2);
        }
    }
    if (zip_close(za) < 0) {
        fprintf(stderr, "zip_close: %s\n", zip_strerror(za));
        exit(2);
    }
}

enum { L_ZIP, L_FLAT, L_YEARDIR };      /* where the data go */
/* where the labels go: year zip; indices.zip only; loose in the release
 * directory; loose without labels_VA; year zip without labels_VA, all in
 * indices.zip (Eora26 2016) */
enum { LB_ZIP, LB_INDICES, LB_LOOSE, LB_NONE_VA, LB_ZIP_NO_VA };

/* A release of one year in a fresh directory; returns the directory. */
static const char *make_release(const char *name, const char *prefix, int year, int layout, int labels,
                                const fixopt *o)
{
    static char dirs[4][700]; /* a few results stay valid at once */
    static int turn = 0;
    char *dir = dirs[turn++ % 4];
    snprintf(dir, sizeof dirs[0], "%s/%s", g_tmp, name);
    mkdir(dir, 0755);
    char base[128];
    snprintf(base, sizeof base, "%s_%d_bp", prefix, year);
    int G = o->no_row ? NREG - 1 : NREG, n = o->no_row ? N - 1 : N, nfd = o->no_row ? NFD - 2 : NFD;
    size_t lens[7];
    char *data[7];
    data[0] = matrix_text(0, n, n, o, &lens[0]);
    data[1] = matrix_text(1, n, nfd, o, &lens[1]);
    data[2] = matrix_text(2, NVA, n, o, &lens[2]);
    data[3] = labels_text(0, o, &lens[3]);
    data[4] = labels_text(1, o, &lens[4]);
    data[5] = labels_text(2, o, &lens[5]);
    /* a Q file the reader must ignore */
    data[6] = strdup("1\t2\n");
    lens[6] = 4;
    (void)G;
    char names[7][256];
    const char *kinds[] = {"T", "FD", "VA"};
    for (int k = 0; k < 3; k++) snprintf(names[k], sizeof names[k], "%s_%s.txt", base, kinds[k]);
    snprintf(names[3], sizeof names[3], "labels_T.txt");
    snprintf(names[4], sizeof names[4], "labels_FD.txt");
    snprintf(names[5], sizeof names[5], "labels_VA.txt");
    snprintf(names[6], sizeof names[6], "%s_Q.txt", base);
    int nlab = labels == LB_NONE_VA ? 2 : 3;
    if (layout == L_ZIP) {
        /* nested folders, as some releases have */
        char zn[7][300];
        const char *zp[7];
        char *zd[7];
        size_t zl[7];
        int m = 0;
        for (int k = 0; k < 7; k++) {
            int is_label = k >= 3 && k <= 5;
            if (is_label && labels != LB_ZIP && labels != LB_ZIP_NO_VA) continue;
            if (k == 5 && labels == LB_ZIP_NO_VA) continue;
            snprintf(zn[m], sizeof zn[m], "%s/%s%s", base, is_label ? "indices/" : "", names[k]);
            zp[m] = zn[m];
            zd[m] = data[k];
            zl[m] = lens[k];
            m++;
        }
        char path[900];
        snprintf(path, sizeof path, "%s/%s.zip", dir, base);
        write_zip(path, m, zp, zd, zl);
    } else {
        char ddir[800];
        if (layout == L_YEARDIR) {
            snprintf(ddir, sizeof ddir, "%s/%d", dir, year);
            mkdir(ddir, 0755);
        } else {
            snprintf(ddir, sizeof ddir, "%s", dir);
        }
        for (int k = 0; k < 7; k++) {
            if (k >= 3 && k <= 5 && labels != LB_ZIP) continue;
            char path[1200];
            snprintf(path, sizeof path, "%s/%s", ddir, names[k]);
            write_file(path, data[k], lens[k]);
        }
    }
    if (labels == LB_INDICES || labels == LB_ZIP_NO_VA) {
        char zn[3][300];
        const char *zp[3];
        for (int k = 0; k < 3; k++) {
            snprintf(zn[k], sizeof zn[k], "indices/%s", names[3 + k]);
            zp[k] = zn[k];
        }
        char path[900];
        snprintf(path, sizeof path, "%s/indices.zip", dir);
        write_zip(path, 3, zp, data + 3, lens + 3);
    } else if (labels == LB_LOOSE || labels == LB_NONE_VA) {
        for (int k = 0; k < nlab; k++) {
            char path[1200];
            snprintf(path, sizeof path, "%s/%s", dir, names[3 + k]);
            write_file(path, data[3 + k], lens[3 + k]);
        }
    }
    for (int k = 0; k < 7; k++) free(data[k]);
    return dir;
}

/* ---- checks --------------------------------------------------------------------- */

static sf_source src_of(const char *dir, const char *prefix, int drop)
{
    sf_source s = {.format = strcmp(prefix, "Eora26") ? "mrio-tsv" : "eora26",
                   .path = dir,
                   .prefix = strcmp(prefix, "Eora26") ? prefix : NULL,
                   .price = "bp",
                   .drop_row = drop};
    return s;
}

/* Read the fixture and compare everything with what was written. */
static void check_fixture(const char *what, const sf_source *src, int year, int drop, int no_row, int nfiles)
{
    sf_err e = {0};
    sf_labels *lab = NULL;
    int rc = sf_labels_read(src, year, &lab, &e);
    CHECK_MSG(rc == SF_OK, "%s: labels: %s", what, e.msg);
    if (rc) return;
    int G = no_row ? 3 : 4, dropped = drop && !no_row;
    int Gk = dropped ? 3 : G;
    int n = Gk == 3 ? N - 1 : N, nfd = Gk == 3 ? NFD - 2 : NFD;
    CHECK_MSG(lab->G == Gk && lab->n == n && lab->nfd == nfd && lab->nva == NVA, "%s: dims %d %d %d %d", what,
              lab->G, lab->n, lab->nfd, lab->nva);
    CHECK(lab->row_dropped == dropped);
    CHECK(lab->max_sectors == 3 && lab->homogeneous == 0);
    if (lab->G >= 3) {
        CHECK(!strcmp(lab->region_code[0], "AAA") && !strcmp(lab->region_code[1], "BBB"));
        CHECK(!strcmp(lab->region_code[2], "ROU") && !strcmp(lab->region_code_raw[2], "ROM"));
        CHECK(!strcmp(lab->region_name[1], "Beta"));
        CHECK(lab->region_start[0] == 0 && lab->region_start[1] == 3 && lab->region_start[2] == 5 &&
              lab->region_start[3] == 7);
        CHECK(lab->sector_region[4] == 1 && lab->sector_industry[4] == 2 && lab->sector_industry[5] == 1);
        CHECK(!strcmp(lab->sector_name[1], "Hotels and Restraurants"));
        CHECK(lab->fd_region[0] == 0 && lab->fd_region[3] == 1 && lab->fd_region[5] == 2);
        CHECK(!strcmp(lab->fd_name[1], "Changes in inventories P.52"));
        CHECK(!strcmp(lab->va_name[1], "Subsidies on production D.39"));
        CHECK(sf_labels_region(lab, "ROM") == 2 && sf_labels_region(lab, "ROU") == 2);
    }
    if (lab->G == 4) CHECK(!strcmp(lab->region_code[3], "ROW") && lab->region_start[4] == 8);
    sf_table t;
    rc = sf_table_read(src, year, lab, &t, &e);
    CHECK_MSG(rc == SF_OK, "%s: table: %s", what, e.msg);
    if (rc == SF_OK) {
        /* the text has nT = N (or N-1 without ROW) rows; kept rows are the first n */
        int bad = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) bad += t.Z[(size_t)i * n + j] != cellv(0, i, j);
        for (int i = 0; i < n; i++)
            for (int f = 0; f < nfd; f++) bad += t.F[(size_t)i * nfd + f] != cellv(1, i, f);
        for (int q = 0; q < NVA; q++)
            for (int j = 0; j < n; j++) bad += t.W[(size_t)q * n + j] != cellv(2, q, j);
        CHECK_MSG(bad == 0, "%s: %d cells differ", what, bad);
        CHECK(t.year == year && t.lab == lab && t.input_sha256 == NULL);
        CHECK_MSG(t.ninput == nfiles, "%s: %d input files, expected %d", what, t.ninput, nfiles);
        char **files;
        int nf;
        CHECK(sf_source_year_files(src, year, &files, &nf, &e) == SF_OK && nf == t.ninput);
        for (int k = 0; k < nf && k < t.ninput; k++) {
            CHECK(!strcmp(files[k], t.input_files[k]));
            CHECK(sf_file_exists(files[k]));
            free(files[k]);
        }
        free(files);
        sf_table_free(&t);
    }
    sf_labels_free(lab);
}

/* A damaged release must fail with SF_EUSER and a message holding every
 * fragment given (file names, "line N", "column N"). */
static void expect_error(const char *what, const sf_source *src, int year, int table_stage, ...)
{
    sf_err e = {0};
    sf_labels *lab = NULL;
    int rc = sf_labels_read(src, year, &lab, &e);
    if (table_stage) {
        CHECK_MSG(rc == SF_OK, "%s: labels should read: %s", what, e.msg);
        if (rc) return;
        sf_table t;
        rc = sf_table_read(src, year, lab, &t, &e);
        CHECK(t.Z == NULL && t.F == NULL && t.input_files == NULL);
        sf_labels_free(lab);
    } else {
        CHECK(lab == NULL);
    }
    CHECK_MSG(rc == SF_EUSER && e.code == SF_EUSER, "%s: rc %d", what, rc);
    va_list ap;
    va_start(ap, table_stage);
    for (const char *frag; (frag = va_arg(ap, const char *));)
        CHECK_MSG(strstr(e.msg, frag) != NULL, "%s: message lacks '%s': %s", what, frag, e.msg);
    va_end(ap);
    printf("  %-22s -> %s\n", what, e.msg);
}

static void test_layouts(void)
{
    fixopt o = {0};
    const char *d;
    sf_source s;

    d = make_release("zip", "Eora26", 2001, L_ZIP, LB_ZIP, &o);
    s = src_of(d, "Eora26", 0);
    check_fixture("zip, nested folders", &s, 2001, 0, 0, 1);

    d = make_release("flat", "Eora26", 2001, L_FLAT, LB_ZIP, &o);
    s = src_of(d, "Eora26", 0);
    check_fixture("unpacked files", &s, 2001, 0, 0, 6);

    d = make_release("yeardir", "Eora26", 2001, L_YEARDIR, LB_LOOSE, &o);
    s = src_of(d, "Eora26", 0);
    check_fixture("unpacked in YYYY/, loose labels", &s, 2001, 0, 0, 6);

    d = make_release("indices", "Eora26", 2001, L_ZIP, LB_INDICES, &o);
    s = src_of(d, "Eora26", 0);
    check_fixture("labels only in indices.zip", &s, 2001, 0, 0, 2);

    /* labels_VA.txt missing from the year zip (Eora26 2016): from indices.zip */
    d = make_release("novalabel", "Eora26", 2016, L_ZIP, LB_ZIP_NO_VA, &o);
    s = src_of(d, "Eora26", 0);
    check_fixture("labels_VA from indices.zip", &s, 2016, 0, 0, 2);

    o.crlf = 1;
    o.trail = 1;
    d = make_release("crlf", "Eora26", 2001, L_ZIP, LB_ZIP, &o);
    s = src_of(d, "Eora26", 0);
    check_fixture("CRLF, trailing tabs", &s, 2001, 0, 0, 1);
    o.crlf = o.trail = 0;

    d = make_release("drop", "Eora26", 2001, L_ZIP, LB_ZIP, &o);
    s = src_of(d, "Eora26", 1);
    check_fixture("row = drop", &s, 2001, 1, 0, 1);
    /* labels read with drop do not fit a table read without it */
    {
        sf_labels *lab;
        sf_err e = {0};
        CHECK(sf_labels_read(&s, 2001, &lab, &e) == SF_OK);
        sf_source keep = s;
        keep.drop_row = 0;
        sf_table t;
        CHECK(sf_table_read(&keep, 2001, lab, &t, &e) == SF_EUSER && strstr(e.msg, "differ"));
        sf_labels_free(lab);
    }

    o.no_row = 1;
    d = make_release("norow", "Eora26", 2001, L_ZIP, LB_ZIP, &o);
    s = src_of(d, "Eora26", 1);
    check_fixture("drop without a ROW", &s, 2001, 1, 1, 1);
    o.no_row = 0;

    d = make_release("tsv", "MYMRIO", 2003, L_ZIP, LB_ZIP, &o);
    s = src_of(d, "MYMRIO", 0);
    check_fixture("mrio-tsv prefix", &s, 2003, 0, 0, 1);

    /* Commodities and Industries blocks mean the same: identical structure */
    {
        sf_labels *a = NULL, *b = NULL;
        sf_err e = {0};
        fixopt oi = {0};
        oi.all_ind = 1;
        sf_source s1 = src_of(make_release("commodities", "Eora26", 2001, L_FLAT, LB_LOOSE, &o), "Eora26", 0);
        CHECK(sf_labels_read(&s1, 2001, &a, &e) == SF_OK);
        sf_source s2 = src_of(make_release("industries", "Eora26", 2001, L_FLAT, LB_LOOSE, &oi), "Eora26", 0);
        CHECK(sf_labels_read(&s2, 2001, &b, &e) == SF_OK);
        CHECK(a && b && sf_labels_equal(a, b) && a->region_start[2] - a->region_start[1] == 2);
        sf_labels_free(a);
        sf_labels_free(b);
    }

    /* years of a release: zips, unpacked, YYYY/ directories */
    {
        char dir[800];
        snprintf(dir, sizeof dir, "%s/years", g_tmp);
        mkdir(dir, 0755);
        fixopt oo = {0};
        make_release("years", "Eora26", 2004, L_ZIP, LB_ZIP, &oo);
        make_release("years", "Eora26", 2002, L_FLAT, LB_LOOSE, &oo);
        make_release("years", "Eora26", 2003, L_YEARDIR, LB_LOOSE, &oo);
        make_release("years", "Other", 2007, L_ZIP, LB_ZIP, &oo); /* another prefix: not listed */
        sf_source s3 = src_of(dir, "Eora26", 0);
        int *ys, ny;
        sf_err e = {0};
        CHECK(sf_source_years(&s3, &ys, &ny, &e) == SF_OK);
        CHECK(ny == 3 && ys[0] == 2002 && ys[1] == 2003 && ys[2] == 2004);
        free(ys);
        for (int y = 2002; y <= 2004; y++) check_fixture("one of several years", &s3, y, 0, 0, y == 2004 ? 1 : y == 2002 ? 6 : 6);
        /* a missing year */
        expect_error("missing year", &s3, 1999, 0, "1999", dir, NULL);
        /* price basis is part of the name */
        s3.price = "pp";
        CHECK(sf_source_years(&s3, &ys, &ny, &e) == SF_EUSER);
    }
}

static void test_malformed(void)
{
    sf_source s;
    const char *d;
    printf("malformed releases:\n");
#define DAMAGED(name, field, stage, ...)                                                                          \
    do {                                                                                                         \
        fixopt o = {0};                                                                                          \
        o.field;                                                                                                 \
        d = make_release(name, "Eora26", 2010, L_ZIP, LB_ZIP, &o);                                               \
        s = src_of(d, "Eora26", 0);                                                                              \
        expect_error(name, &s, 2010, stage, __VA_ARGS__, NULL);                                                  \
    } while (0)
    DAMAGED("truncated row", t_short_row = 1, 1, "Eora26_2010_bp.zip:Eora26_2010_bp/Eora26_2010_bp_T.txt",
            "line 3", "truncated");
    DAMAGED("wrong column count", t_long_row = 1, 1, "Eora26_2010_bp_T.txt", "line 5", "column 9", "column count");
    DAMAGED("non-number", t_nonnum = 1, 1, "Eora26_2010_bp_T.txt", "line 2", "column 4", "'12x'");
    DAMAGED("NaN", t_nan = 1, 1, "Eora26_2010_bp_T.txt", "line 6", "column 2", "NaN");
    DAMAGED("Inf (overflow)", t_inf = 1, 1, "Eora26_2010_bp_T.txt", "line 4", "column 1", "out of range");
    DAMAGED("too many lines", t_lines = 1, 1, "Eora26_2010_bp_T.txt", "line 9", "too many lines");
    DAMAGED("too few lines", t_lines = -1, 1, "Eora26_2010_bp_T.txt", "ends at line 8", "7 lines of numbers", "expected 8");
    DAMAGED("empty field", t_emptyfield = 1, 1, "Eora26_2010_bp_T.txt", "line 7", "column 3", "empty field");
    DAMAGED("region split in two", split_region = 1, 0, "labels_T.txt", "line 5", "AAA", "consecutive");
    DAMAGED("unknown FD region", bad_fd_region = 1, 0, "labels_FD.txt", "line 3", "XXX");

    /* missing label file: labels_VA nowhere (loose labels, no indices.zip) */
    {
        fixopt o = {0};
        d = make_release("missing label", "Eora26", 2010, L_FLAT, LB_NONE_VA, &o);
        s = src_of(d, "Eora26", 0);
        expect_error("missing label file", &s, 2010, 0, "labels_VA.txt", "not found", d, "indices.zip", NULL);
    }
    /* labels missing in the year zip, and no indices.zip */
    {
        fixopt o = {0};
        d = make_release("zip without labels", "Eora26", 2010, L_ZIP, LB_INDICES, &o);
        char p[900];
        snprintf(p, sizeof p, "%s/indices.zip", d);
        unlink(p);
        s = src_of(d, "Eora26", 0);
        expect_error("labels nowhere", &s, 2010, 0, "labels_T.txt", "Eora26_2010_bp.zip", "indices.zip", NULL);
    }
    /* empty zip: a bare end-of-central-directory record, and a 0-byte file */
    {
        char dir[800], p[900];
        snprintf(dir, sizeof dir, "%s/emptyzip", g_tmp);
        mkdir(dir, 0755);
        snprintf(p, sizeof p, "%s/Eora26_2010_bp.zip", dir);
        static const char eocd[22] = {'P', 'K', 5, 6};
        write_file(p, eocd, sizeof eocd);
        s = src_of(dir, "Eora26", 0);
        expect_error("empty zip", &s, 2010, 0, "Eora26_2010_bp.zip", "empty", NULL);
        write_file(p, "", 0);
        expect_error("0-byte zip", &s, 2010, 0, "Eora26_2010_bp.zip", NULL);
        write_file(p, "this is not a zip archive at all, just some text\n", 49);
        expect_error("corrupt zip", &s, 2010, 0, "Eora26_2010_bp.zip", "zip", NULL);
    }
    /* a zip whose T member is damaged inside the compressed stream */
    {
        fixopt o = {0};
        d = make_release("crc", "Eora26", 2010, L_ZIP, LB_ZIP, &o);
        char p[900];
        snprintf(p, sizeof p, "%s/Eora26_2010_bp.zip", d);
        size_t len;
        sf_err e = {0};
        char *z = sf_read_file(p, &len, &e);
        /* the first member is the T text: flip bytes in its data */
        for (size_t k = 120; k < 140 && k < len; k++) z[k] ^= 0x55;
        write_file(p, z, len);
        free(z);
        s = src_of(d, "Eora26", 0);
        sf_labels *lab = NULL;
        int rc = sf_labels_read(&s, 2010, &lab, &e);
        if (rc == SF_OK) {
            sf_table t;
            rc = sf_table_read(&s, 2010, lab, &t, &e);
            sf_labels_free(lab);
        }
        CHECK_MSG(rc == SF_EUSER && strstr(e.msg, "Eora26_2010_bp"), "damaged member: rc %d: %s", rc, e.msg);
        printf("  %-22s -> %s\n", "damaged member", e.msg);
    }
}

/* The streaming parser across chunk boundaries: tiny buffers must give the
 * same numbers and the same error positions. */

static void test_chunks(void)
{
    fixopt o = {0};
    o.crlf = 1;
    o.trail = 1;
    size_t len;
    char *txt = matrix_text(0, N, N, &o, &len);
    double ref[N * N], got[N * N];
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) ref[i * N + j] = cellv(0, i, j);
    for (size_t bs = 64; bs <= 512; bs += 13) {
        for (size_t step = 1; step <= 33; step += 8) {
            t_memsrc m = {txt, len, step};
            memset(got, 0, sizeof got);
            sf_tsv_spec sp = {.name = "chunks", .rows = N, .cols = N, .dst = got, .ld = N, .bufsize = bs};
            sf_err e = {0};
            int rc = sf_tsv_read(&sp, t_mem_read, &m, &e);
            CHECK_MSG(rc == SF_OK && !memcmp(ref, got, sizeof ref), "buffer %zu step %zu: %s", bs, step, e.msg);
        }
    }
    free(txt);
    /* the same error position whatever the chunking */
    o.t_nonnum = 1;
    txt = matrix_text(0, N, N, &o, &len);
    for (size_t bs = 64; bs <= 256; bs += 31) {
        t_memsrc m = {txt, len, 7};
        sf_tsv_spec sp = {.name = "chunks", .rows = N, .cols = N, .dst = got, .ld = N, .bufsize = bs};
        sf_err e = {0};
        CHECK(sf_tsv_read(&sp, t_mem_read, &m, &e) == SF_EUSER && strstr(e.msg, "line 2, column 4"));
    }
    free(txt);
    /* a last line without newline; blank lines after the last row */
    {
        /* and a UTF-8 byte order mark at the start, read in one piece or byte by byte */
        const char *t1 = "1\t2\n3\t4", *t2 = "1\t2\r\n3\t4\r\n\r\n\n", *t3 = "\xEF\xBB\xBF" "1\t2\n3\t4\n";
        const char *ts[] = {t1, t2, t3, t3};
        for (int k = 0; k < 4; k++) {
            double v[4] = {0};
            t_memsrc m = {ts[k], strlen(ts[k]), k == 3 ? 1 : 100};
            sf_tsv_spec sp = {.name = "small", .rows = 2, .cols = 2, .dst = v, .ld = 2};
            sf_err e = {0};
            CHECK(sf_tsv_read(&sp, t_mem_read, &m, &e) == SF_OK && v[0] == 1 && v[3] == 4);
        }
        /* blank line inside; leading tab; space-separated; empty text; only a byte order mark; one inside */
        const char *bad[] = {"1\t2\n\n3\t4\n", "\t1\t2\n3\t4\n", "1 2\n3\t4\n", "", "\xEF\xBB\xBF",
                             "1\t2\n\xEF\xBB\xBF" "3\t4\n"};
        const char *frag[] = {"line 2: empty line", "line 1, column 1", "line 1", "empty file", "empty file",
                              "line 2, column 1"};
        for (int k = 0; k < 6; k++) {
            double v[4];
            t_memsrc m = {bad[k], strlen(bad[k]), 100};
            sf_tsv_spec sp = {.name = "small", .rows = 2, .cols = 2, .dst = v, .ld = 2};
            sf_err e = {0};
            CHECK_MSG(sf_tsv_read(&sp, t_mem_read, &m, &e) == SF_EUSER && strstr(e.msg, frag[k]), "bad %d: %s", k,
                      e.msg);
        }
    }
}

/* ---- WIOD 2013 ----------------------------------------------------------------- */

static const char *WIOD_CODES[41] = {"AUS", "AUT", "BEL", "BGR", "BRA", "CAN", "CHN", "CYP", "CZE", "DEU", "DNK",
                                     "ESP", "EST", "FIN", "FRA", "GBR", "GRC", "HUN", "IDN", "IND", "IRL", "ITA",
                                     "JPN", "KOR", "LTU", "LUX", "LVA", "MEX", "MLT", "NLD", "POL", "PRT", "ROU",
                                     "RUS", "SVK", "SVN", "SWE", "TUR", "TWN", "USA", "ROW"};

static sf_source wiod_src(void)
{
    sf_source s = {.format = "mrio-tsv", .path = "data/wiod2013", .prefix = "WIOD2013", .price = "bp"};
    return s;
}

static void test_wiod(void)
{
    sf_source s = wiod_src();
    int *ys, ny;
    sf_err e = {0};
    CHECK(sf_source_years(&s, &ys, &ny, &e) == SF_OK);
    CHECK_MSG(ny == 17 && ys[0] == 1995 && ys[16] == 2011, "%d WIOD years", ny);
    sf_labels *first = NULL;
    double t0 = sf_now(), mb = 0;
    for (int k = 0; k < ny; k++) {
        sf_labels *lab;
        int rc = sf_labels_read(&s, ys[k], &lab, &e);
        CHECK_MSG(rc == SF_OK, "WIOD %d labels: %s", ys[k], e.msg);
        if (rc) continue;
        CHECK(lab->G == 41 && lab->n == 1435 && lab->nfd == 205 && lab->nva == 1);
        CHECK(lab->homogeneous && lab->max_sectors == 35 && !lab->row_dropped);
        int codes_ok = 1;
        for (int g = 0; g < 41 && lab->G == 41; g++) codes_ok &= !strcmp(lab->region_code[g], WIOD_CODES[g]);
        CHECK_MSG(codes_ok, "WIOD %d region codes", ys[k]);
        CHECK(!strcmp(lab->region_code_raw[32], "ROM") && !strcmp(lab->region_code_raw[40], "RoW"));
        CHECK(lab->sector_industry[1434] == 35 && lab->fd_region[204] == 40);
        if (first) CHECK(sf_labels_equal(first, lab));
        sf_table t;
        rc = sf_table_read(&s, ys[k], first ? first : lab, &t, &e);
        CHECK_MSG(rc == SF_OK, "WIOD %d: %s", ys[k], e.msg);
        if (rc == SF_OK) {
            CHECK(t.ninput == 1 && strstr(t.input_files[0], "WIOD2013_") && t.W != NULL);
            /* values are integers (millions of US$, as published) */
            long nonint = 0;
            for (size_t i = 0; i < 1435 * 1435; i++) nonint += t.Z[i] != floor(t.Z[i]);
            CHECK(nonint == 0);
            mb += 1;
            sf_table_free(&t);
        }
        if (!first) first = lab;
        else sf_labels_free(lab);
    }
    printf("WIOD: %d years read in %.2f s\n", ny, sf_now() - t0);
    /* 2011: zero-output sectors, and row = drop removes the 35 RoW sectors */
    {
        sf_table t;
        if (first && sf_table_read(&s, 2011, first, &t, &e) == SF_OK) {
            sf_derived d;
            sf_derive(&t, SF_VA_DERIVED, 1e-9, &d);
            /* numpy on the raw text: 20 rows with T1 + FD1 == 0, 22 columns
             * with T'1 + VA == 0 (the README's 22 counts the column side) */
            int nz = 0, nzc = 0;
            for (int i = 0; i < 1435; i++) nz += d.zero[i], nzc += d.xcol[i] == 0;
            CHECK_MSG(nz == 20 && nzc == 22, "WIOD 2011: %d zero-output sectors (row side), %d (column side)", nz, nzc);
            sf_derived_free(&d);
            sf_table_free(&t);
        }
        sf_source sd = s;
        sd.drop_row = 1;
        sf_labels *ld;
        CHECK(sf_labels_read(&sd, 2011, &ld, &e) == SF_OK && ld->G == 40 && ld->n == 1400 && ld->nfd == 200 &&
              ld->row_dropped);
        sf_labels_free(ld);
    }
    sf_labels_free(first);
    free(ys);
}

/* Sums of one WIOD year for the numpy cross-check: one line per quantity. */
static int dump_sums(int year)
{
    sf_source s = wiod_src();
    sf_labels *lab;
    sf_table t;
    sf_err e = {0};
    if (sf_labels_read(&s, year, &lab, &e) || sf_table_read(&s, year, lab, &t, &e)) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    int n = lab->n, nfd = lab->nfd;
    printf("n %d nfd %d nva %d\n", n, nfd, lab->nva);
    printf("rowT");
    for (int i = 0; i < n; i++) {
        double r = 0;
        for (int j = 0; j < n; j++) r += t.Z[(size_t)i * n + j];
        printf(" %.17g", r);
    }
    printf("\nrowFD");
    for (int i = 0; i < n; i++) {
        double r = 0;
        for (int f = 0; f < nfd; f++) r += t.F[(size_t)i * nfd + f];
        printf(" %.17g", r);
    }
    printf("\ncolT");
    for (int j = 0; j < n; j++) {
        double c = 0;
        for (int i = 0; i < n; i++) c += t.Z[(size_t)i * n + j];
        printf(" %.17g", c);
    }
    printf("\ncolVA");
    for (int j = 0; j < n; j++) {
        double c = 0;
        for (int q = 0; q < lab->nva; q++) c += t.W[(size_t)q * n + j];
        printf(" %.17g", c);
    }
    sf_derived d;
    sf_derive(&t, SF_VA_DERIVED, 1e-9, &d);
    int nz = 0;
    for (int i = 0; i < n; i++) nz += d.zero[i];
    printf("\nzero %d\n", nz);
    sf_derived_free(&d);
    sf_table_free(&t);
    sf_labels_free(lab);
    return 0;
}

/* Any release (e.g. a full-size one from silkflow synth): read a year with
 * ROW kept and dropped; the dropped table must be the kept one without the
 * ROW rows and columns. Prints the dimensions for the calling script. */
static int read_release(const char *dir, const char *prefix, int year)
{
    sf_source s = {.format = strcmp(prefix, "Eora26") ? "mrio-tsv" : "eora26", .path = dir, .prefix = prefix};
    sf_err e = {0};
    sf_labels *lk = NULL, *ld = NULL;
    sf_table tk, td;
    double t0 = sf_now();
    if (sf_labels_read(&s, year, &lk, &e) || sf_table_read(&s, year, lk, &tk, &e)) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    double t1 = sf_now();
    s.drop_row = 1;
    if (sf_labels_read(&s, year, &ld, &e) || sf_table_read(&s, year, ld, &td, &e)) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    printf("keep G=%d n=%d nfd=%d nva=%d max_sectors=%d homogeneous=%d (read in %.2f s)\n", lk->G, lk->n, lk->nfd,
           lk->nva, lk->max_sectors, lk->homogeneous, t1 - t0);
    printf("drop G=%d n=%d nfd=%d nva=%d max_sectors=%d homogeneous=%d row_dropped=%d\n", ld->G, ld->n, ld->nfd,
           ld->nva, ld->max_sectors, ld->homogeneous, ld->row_dropped);
    int g = sf_labels_region(lk, "ROW");
    long bad = 0, nonfinite = 0;
    if (g >= 0) {
        int r0 = lk->region_start[g], r1 = lk->region_start[g + 1];
        int *keep = sf_malloc(sizeof(int) * (size_t)ld->n), *fk = sf_malloc(sizeof(int) * (size_t)(ld->nfd + 1));
        for (int i = 0, k = 0; i < lk->n; i++)
            if (i < r0 || i >= r1) keep[k++] = i;
        for (int f = 0, k = 0; f < lk->nfd; f++)
            if (lk->fd_region[f] != g) fk[k++] = f;
        size_t nk = (size_t)lk->n, nd = (size_t)ld->n;
        for (size_t i = 0; i < nd; i++) {
            for (size_t j = 0; j < nd; j++) bad += td.Z[i * nd + j] != tk.Z[(size_t)keep[i] * nk + (size_t)keep[j]];
            for (int f = 0; f < ld->nfd; f++)
                bad += td.F[i * (size_t)ld->nfd + (size_t)f] != tk.F[(size_t)keep[i] * (size_t)lk->nfd + (size_t)fk[f]];
        }
        for (int q = 0; q < ld->nva; q++)
            for (size_t j = 0; j < nd; j++) bad += td.W[(size_t)q * nd + j] != tk.W[(size_t)q * nk + (size_t)keep[j]];
        free(keep);
        free(fk);
    }
    for (size_t i = 0; i < (size_t)lk->n * (size_t)lk->n; i++) nonfinite += !isfinite(tk.Z[i]);
    printf("dropped table differs from the kept one in %ld cells; %ld non-finite values\n", bad, nonfinite);
    sf_table_free(&tk);
    sf_table_free(&td);
    sf_labels_free(lk);
    sf_labels_free(ld);
    return bad || nonfinite || g < 0;
}

/* mrio_zip_member_data: in a mapped archive, each member's compressed bytes are
 * where libzip reads them; a cut or damaged archive, or another entry's
 * statistics, give NULL (the member is then read by libzip) */
static void test_zipdata(void)
{
    char path[600], *data[3];
    const char *names[3] = {"a/T.txt", "FD.txt", "labels_T.txt"};
    size_t lens[3];
    fixopt o = {0};
    for (int k = 0; k < 3; k++) data[k] = matrix_text(0, 40 + 20 * k, 30, &o, &lens[k]);
    snprintf(path, sizeof path, "%s/zipdata.zip", g_tmp);
    write_zip(path, 3, names, data, lens);
    int zerr = 0;
    zip_t *za = zip_open(path, ZIP_RDONLY, &zerr);
    size_t n = 0;
    const unsigned char *z = sf_map_file(path, &n, NULL);
    CHECK(za && z);
    zip_int64_t ne = za ? zip_get_num_entries(za, 0) : 0;
    int seen = 0;
    for (zip_int64_t i = 0; z && i < ne; i++) {
        zip_stat_t st;
        zip_stat_init(&st);
        if (zip_stat_index(za, (zip_uint64_t)i, 0, &st) != 0 || st.comp_method != ZIP_CM_DEFLATE) continue;
        seen++;
        const unsigned char *d = mrio_zip_member_data(z, n, za, (zip_uint64_t)i, &st);
        char *ref = malloc(st.comp_size);
        zip_file_t *zf = zip_fopen_index(za, (zip_uint64_t)i, ZIP_FL_COMPRESSED);
        zip_int64_t got = zf ? zip_fread(zf, ref, st.comp_size) : -1;
        if (zf) zip_fclose(zf);
        CHECK_MSG(d && got == (zip_int64_t)st.comp_size && !memcmp(d, ref, st.comp_size), "member %s", st.name);
        free(ref);
        CHECK(!mrio_zip_member_data(z, n - 1, za, (zip_uint64_t)i, &st)); /* no end record */
        zip_stat_t other = st;
        other.crc ^= 1;
        CHECK(!mrio_zip_member_data(z, n, za, (zip_uint64_t)i, &other));
        other = st;
        other.comp_size++;
        CHECK(!mrio_zip_member_data(z, n, za, (zip_uint64_t)i, &other));
        if (i + 1 < ne) CHECK(!mrio_zip_member_data(z, n, za, (zip_uint64_t)i + 1, &st));
        /* the local header damaged */
        unsigned char *cp = malloc(n);
        memcpy(cp, z, n);
        const size_t at = (size_t)(d - z);
        for (size_t k = 0; k < at; k++)
            if (!memcmp(cp + k, "PK\3\4", 4) && k + 30 + strlen(st.name) == at) cp[k] = 'X';
        CHECK(!mrio_zip_member_data(cp, n, za, (zip_uint64_t)i, &st));
        free(cp);
    }
    CHECK(seen == 3);
    if (z) sf_unmap_file(z, n);
    if (za) zip_discard(za);
    for (int k = 0; k < 3; k++) free(data[k]);
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--dump-sums")) return dump_sums(atoi(argv[2]));
    if (argc == 5 && !strcmp(argv[1], "--read")) return read_release(argv[2], argv[3], atoi(argv[4]));
    const char *tmp = getenv("TMPDIR");
    snprintf(g_tmp, sizeof g_tmp, "%s/sf_test_reader_XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(g_tmp)) {
        perror("mkdtemp");
        return 2;
    }
    test_chunks();
    test_zipdata();
    test_layouts();
    test_malformed();
    test_wiod();
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_tmp);
    if (!t_failures && system(cmd) != 0) fprintf(stderr, "could not remove %s\n", g_tmp);
    TEST_MAIN_END();
}
