/* sf_tsv_parse_text (a whole text parsed by several threads, each a part of
 * the lines) against the streaming reader sf_tsv_read, which is the reference:
 * for valid texts (LF, CRLF, trailing blanks, a byte order mark, no final
 * newline, row and column maps) the matrices must be bit-identical, and for
 * each kind of defect, placed at random lines (so in the first, a middle or
 * the last part), the status and the message must be the same, line and
 * column included, for 1 to 4 threads and parts of a few lines. */
#include <stdarg.h>

#include "silkflow/numparse.h"
#include "testlib.h"

static uint64_t rs = 0x243F6A8885A308D3ULL;
static uint64_t rnd(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return rs;
}

typedef struct {
    char *p;
    size_t n, cap;
} sbuf;

static void put(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int k = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
        va_end(ap);
        if ((size_t)k < b->cap - b->n) {
            b->n += (size_t)k;
            return;
        }
        b->cap = b->cap * 2 + (size_t)k + 64;
        b->p = realloc(b->p, b->cap);
    }
}


enum { OK, TRUNC_ROW, EXTRA_COL, BLANK_LINE, BAD_CHAR, NAN_FIELD, HUGE, EMPTY_FIELD, MORE_LINES, FEWER_LINES,
       NKIND };

/* rows x cols text; defect kind at line bad (0-based); style bits: 1 CRLF,
 * 2 trailing tab+space, 4 BOM, 8 no final newline, 16 blank lines at the end */
static char *make_text(int rows, int cols, int kind, int bad, int style, size_t *len)
{
    sbuf b = {malloc(256), 0, 256};
    b.p[0] = 0;
    if (style & 4) put(&b, "\xEF\xBB\xBF");
    const int nrows = kind == FEWER_LINES ? bad : kind == MORE_LINES ? rows + 1 : rows;
    for (int i = 0; i < nrows; i++) {
        int nc = (kind == TRUNC_ROW && i == bad) ? cols - 1 : (kind == EXTRA_COL && i == bad) ? cols + 1 : cols;
        if (kind == BLANK_LINE && i == bad) put(&b, "%s", (style & 1) ? "\r\n" : "\n");
        for (int j = 0; j < nc; j++) {
            if (j) put(&b, "\t");
            if (i == bad && j == cols / 2 && kind == BAD_CHAR) put(&b, "1.5x");
            else if (i == bad && j == cols / 2 && kind == NAN_FIELD) put(&b, "nan");
            else if (i == bad && j == cols / 2 && kind == HUGE) put(&b, "1e999");
            else if (i == bad && j == cols / 2 && kind == EMPTY_FIELD) put(&b, "\t2");
            else if (rnd() % 3 == 0) put(&b, "0");
            else put(&b, "%s%.*g", rnd() % 7 == 0 ? "-" : "", 3 + (int)(rnd() % 15),
                     (double)(rnd() % 1000000) / (double)(1 + rnd() % 1000) * (rnd() % 5 == 0 ? 1e-7 : 1));
        }
        if (style & 2) put(&b, "\t ");
        if (i < nrows - 1 || !(style & 8)) put(&b, "%s", (style & 1) ? "\r\n" : "\n");
    }
    if (style & 16) put(&b, "\n \n\n");
    *len = b.n;
    return b.p;
}

static int run_case(int rows, int cols, int kind, int bad, int style, int maps)
{
    size_t len;
    char *txt = make_text(rows, cols, kind, bad, style, &len);
    int *rm = NULL, *cm = NULL, drows = rows, dcols = cols;
    if (maps) { /* drop every third text row and column */
        rm = malloc(sizeof(int) * (size_t)rows);
        cm = malloc(sizeof(int) * (size_t)(cols + 1));
        drows = dcols = 0;
        for (int i = 0; i < rows; i++) rm[i] = i % 3 == 1 ? -1 : drows++;
        for (int j = 0; j < cols; j++) cm[j] = j % 3 == 1 ? -1 : dcols++;
    }
    const size_t dsz = (size_t)(drows ? drows : 1) * (size_t)(dcols ? dcols : 1);
    double *ref = calloc(dsz, sizeof(double)), *got = calloc(dsz, sizeof(double));
    sf_tsv_spec sp = {.name = "t.txt", .rows = rows, .cols = cols, .dst = ref, .ld = (size_t)dcols, .row_map = rm,
                      .col_map = cm, .bufsize = 0, .shape = "labels.txt: test"};
    t_memsrc m = {txt, len, 1 + rnd() % 5000};
    sf_err e1 = {0};
    int rc1 = sf_tsv_read(&sp, t_mem_read, &m, &e1);
    int fails = 0;
    for (int th = 1; th <= 4; th++) {
        char *copy = calloc(len + SF_NUMPARSE_PAD + 2, 1);
        memcpy(copy, txt, len);
        memset(got, 0, dsz * sizeof(double));
        sf_tsv_spec s2 = sp;
        s2.dst = got;
        s2.bufsize = 1 + len / 7; /* parts of a few lines */
        sf_err e2 = {0};
        int rc2 = sf_tsv_parse_text(&s2, copy, len, th, &e2);
        int same = rc1 == rc2 && (rc1 ? !strcmp(e1.msg, e2.msg) : !memcmp(ref, got, dsz * sizeof(double)));
        CHECK_MSG(same, "kind %d line %d style %d maps %d threads %d: streaming %d '%s', whole %d '%s'", kind, bad,
                  style, maps, th, rc1, e1.msg, rc2, e2.msg);
        fails += !same;
        free(copy);
    }
    free(txt);
    free(rm);
    free(cm);
    free(ref);
    free(got);
    return rc1;
}

int main(void)
{
    int errors = 0, cases = 0;
    for (int kind = 0; kind < NKIND; kind++)
        for (int rep = 0; rep < 12; rep++) {
            const int rows = 5 + (int)(rnd() % 40), cols = 3 + (int)(rnd() % 30);
            const int bad = (int)(rnd() % (unsigned)rows), style = (int)(rnd() % 32), maps = (int)(rnd() % 2);
            int rc = run_case(rows, cols, kind, bad, style, maps);
            cases++;
            errors += rc != SF_OK;
            /* a defect must be an error, a valid text must not */
            CHECK_MSG((kind == OK) == (rc == SF_OK), "kind %d line %d style %d: streaming reader gave %d", kind, bad,
                      style, rc);
        }
    /* a field longer than the streaming reader's 4 MiB buffer: the same message from the whole-text path */
    {
        const size_t big = ((size_t)5 << 20), len = 6 + big + 4;
        char *txt = calloc(len + SF_NUMPARSE_PAD + 2, 1);
        size_t k = (size_t)sprintf(txt, "1\t2\n3\t");
        memset(txt + k, '1', big);
        k += big;
        k += (size_t)sprintf(txt + k, "\n");
        double dst[4];
        sf_tsv_spec sl = {.name = "l.txt", .rows = 2, .cols = 2, .dst = dst, .ld = 2};
        t_memsrc m = {txt, k, 65536};
        sf_err e1 = {0}, e2 = {0};
        int rc1 = sf_tsv_read(&sl, t_mem_read, &m, &e1);
        char *copy = calloc(k + SF_NUMPARSE_PAD + 2, 1);
        memcpy(copy, txt, k);
        int rc2 = sf_tsv_parse_text(&sl, copy, k, 2, &e2);
        CHECK_MSG(rc1 == SF_EUSER && strstr(e1.msg, "a field longer than 4194304 bytes"), "streaming: %d '%s'", rc1,
                  e1.msg);
        CHECK_MSG(rc2 == rc1 && !strcmp(e1.msg, e2.msg), "whole text: %d '%s', streaming '%s'", rc2, e2.msg, e1.msg);
        free(copy);
        free(txt);
    }
    /* the empty text */
    sf_tsv_spec sp = {.name = "e.txt", .rows = 2, .cols = 2, .dst = NULL, .ld = 2};
    char buf[SF_NUMPARSE_PAD + 8] = {0};
    sf_err e = {0};
    CHECK(sf_tsv_parse_text(&sp, buf, 0, 2, &e) == SF_EUSER && strstr(e.msg, "e.txt: empty file") != NULL);
    printf("tsv parts: %d cases (%d with a defect) x 1-4 threads, same values and messages as the streaming reader\n",
           cases, errors);
    TEST_MAIN_END();
}
