/* Unit tests of util/: SHA-256 vectors, integer lists, CSV frame round trip,
 * the big-buffer reuse of util/bigmem.c. */
#include <stdint.h>

#include "silkflow/common.h"
#include "silkflow/frame.h"
#include "testlib.h"

/* sf_big_keep'd memory is what the next sf_big_alloc gets, grown or shrunk
 * in place with its contents; sf_big_free'd memory is not; small requests
 * and malloc'd pointers go through malloc */
static void test_bigmem(void)
{
    const size_t mb = (size_t)1 << 20;
    unsigned char *a = sf_big_alloc(32 * mb);
    CHECK(((uintptr_t)a & 63) == 0);
    for (size_t i = 0; i < 32 * mb; i += 4096) a[i] = (unsigned char)(i / 4096);
    sf_big_keep(a);
    unsigned char *b = sf_big_alloc(40 * mb); /* the kept buffer, grown: its pages kept */
    int same = 1;
    for (size_t i = 0; i < 32 * mb; i += 4096) same &= b[i] == (unsigned char)(i / 4096);
    CHECK_MSG(same, "a grown kept buffer lost its contents");
    b[40 * mb - 1] = 7;
    sf_big_keep(b);
    unsigned char *c = sf_big_alloc(20 * mb); /* shrunk */
    same = 1;
    for (size_t i = 0; i < 20 * mb; i += 4096) same &= c[i] == (unsigned char)(i / 4096);
    CHECK_MSG(same, "a shrunk kept buffer lost its contents");
    unsigned char *d = sf_big_alloc(20 * mb); /* nothing idle: new, zero-filled memory */
    CHECK(d != c && d[0] == 0 && d[20 * mb - 1] == 0);
    sf_big_free(d);
    sf_big_free(c);
    unsigned char *e = sf_big_alloc(20 * mb); /* freed, not kept: fresh again */
    CHECK(e[4096] == 0);
    sf_big_keep(e);
    sf_big_release();
    char *small = sf_big_alloc(100), *m = sf_malloc(64);
    small[99] = 1;
    sf_big_free(small);
    sf_big_free(m);
}

int main(void)
{
    test_bigmem();
    char hex[65];
    sf_sha256_hex("abc", 3, hex);
    CHECK(!strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    sf_sha256_hex("", 0, hex);
    CHECK(!strcmp(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sf_sha256_hex(m, strlen(m), hex);
    CHECK(!strcmp(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
    /* incremental update over block boundaries equals one shot */
    char big[1000];
    for (int i = 0; i < 1000; i++) big[i] = (char)(i * 7);
    char h1[65], h2[65];
    sf_sha256_hex(big, sizeof big, h1);
    sf_sha256 s;
    sf_sha256_init(&s);
    for (int i = 0; i < 1000; i += 37) sf_sha256_update(&s, big + i, i + 37 <= 1000 ? 37 : 1000 - i);
    sf_sha256_final(&s, h2);
    CHECK(!strcmp(h1, h2));

    /* a long message (many blocks, a partial last one); the digest is Python's hashlib.sha256 */
    {
        size_t len = 1000003;
        unsigned char *b = malloc(len);
        for (size_t i = 0; i < len; i++) b[i] = (unsigned char)((i * 7) % 251);
        sf_sha256_hex(b, len, hex);
        CHECK(!strcmp(hex, "6e0aa3a3e4afdd717e6af8d151be7c532fce9607f2086e89d0136acffec3f3ae"));
        free(b);
    }

    int *v, n;
    CHECK(sf_parse_int_list("3-5, 9,4", &v, &n) == 0 && n == 4 && v[0] == 3 && v[3] == 9);
    char buf[64];
    sf_format_int_list(v, n, buf, sizeof buf);
    CHECK(!strcmp(buf, "3-5,9"));
    free(v);
    CHECK(sf_parse_int_list("5-3", &v, &n) == -1);
    CHECK(sf_parse_int_list("a", &v, &n) == -1);
    CHECK(sf_parse_int_list("", &v, &n) == -1);

    /* frame CSV round trip with quotes, missing values and CRLF */
    const char *path = "build/test_common.csv";
    FILE *f = fopen(path, "w");
    fputs("iso3,year,\"name\",val\r\nCHN,2005,\"China, People's Rep.\",1.5\r\nROU,2006,,NA\r\n", f);
    fclose(f);
    sf_frame *fr;
    sf_err e = {0};
    CHECK(sf_frame_read_csv(path, &fr, &e) == SF_OK);
    CHECK(fr->nrow == 2 && fr->ncol == 4);
    CHECK(sf_frame_col(fr, "year")->type == SF_COL_NUM);
    CHECK(sf_frame_col(fr, "iso3")->type == SF_COL_STR);
    CHECK(!strcmp(sf_frame_col(fr, "name")->str[0], "China, People's Rep."));
    CHECK(sf_frame_col(fr, "name")->str[1] == NULL);
    CHECK(isnan(sf_frame_col(fr, "val")->num[1]));
    CHECK(sf_frame_write_csv(fr, path, &e) == SF_OK);
    sf_frame *g;
    CHECK(sf_frame_read_csv(path, &g, &e) == SF_OK);
    CHECK(g->nrow == 2 && !strcmp(sf_frame_col(g, "name")->str[0], "China, People's Rep."));
    CHECK(sf_frame_col(g, "val")->num[0] == 1.5);
    sf_frame_free(g);
    sf_frame_free(fr);
    /* a ragged row names file and line */
    f = fopen(path, "w");
    fputs("a,b\n1,2\n3\n", f);
    fclose(f);
    CHECK(sf_frame_read_csv(path, &fr, &e) == SF_EUSER);
    CHECK(strstr(e.msg, "line 3") != NULL);

    /* the one CSV rule (frame.h), the same through the frame and the record
     * reader: every missing token, #N/A included, leaves a column numeric (NaN);
     * blanks before an opening quote are skipped; unquoted cells are trimmed */
    f = fopen(path, "w");
    fputs("k,v\na,1\nb,#N/A\nc,#NULL!\nd,..\ne, NA \nf,nan\ng,.\nh,\ni,NaN\n  \"j, k\" ,2.5\n", f);
    fclose(f);
    CHECK(sf_frame_read_csv(path, &fr, &e) == SF_OK);
    CHECK(fr->nrow == 10 && sf_frame_col(fr, "v")->type == SF_COL_NUM);
    CHECK(sf_frame_col(fr, "v")->num[0] == 1 && sf_frame_col(fr, "v")->num[9] == 2.5);
    for (int i = 1; i < 9; i++) CHECK(isnan(sf_frame_col(fr, "v")->num[i]));
    CHECK(!strcmp(sf_frame_col(fr, "k")->str[9], "j, k "));
    sf_frame_free(fr);
    sf_csv c;
    CHECK(sf_csv_open_header(&c, path, 0, &e) == SF_OK && c.n == 2 && sf_csv_find(&c, "V") == 1);
    int nmiss = 0, nrec = 0;
    while (sf_csv_next(&c, &e) == 1) {
        nrec++;
        nmiss += sf_csv_missing(c.cell[1]);
        if (nrec == 10) CHECK(c.line == 11 && !strcmp(c.cell[0], "j, k "));
    }
    CHECK(nrec == 10 && nmiss == 8);
    sf_csv_close(&c);
    CHECK(!sf_csv_missing("N/A") && !sf_csv_missing("0") && sf_csv_missing(""));
    /* a text cell makes the column a string column; missing tokens stay NULL */
    f = fopen(path, "w");
    fputs("v\nx\n#N/A\n", f);
    fclose(f);
    CHECK(sf_frame_read_csv(path, &fr, &e) == SF_OK && sf_frame_col(fr, "v")->type == SF_COL_STR);
    CHECK(!strcmp(sf_frame_col(fr, "v")->str[0], "x") && sf_frame_col(fr, "v")->str[1] == NULL);
    sf_frame_free(fr);
    remove(path);

    /* the string map: a zeroed map is empty; put keeps the first value */
    sf_strmap sm = {0};
    CHECK(sf_strmap_get(&sm, "a") == -1);
    char key[16];
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof key, "k%d", i);
        CHECK(sf_strmap_put(&sm, key, i) == i);
    }
    CHECK(sf_strmap_put(&sm, "k7", 99) == 7 && sf_strmap_get(&sm, "k7") == 7);
    CHECK(sm.count == 1000 && sf_strmap_get(&sm, "k999") == 999 && sf_strmap_get(&sm, "k1000") == -1);
    sf_strmap_free(&sm);
    TEST_MAIN_END();
}
