/* Reader of one year of an MRIO release in the Eora26 layout (format eora26,
 * or mrio-tsv with another prefix): labels, then T (n x n), FD (n x nfd) and
 * VA (nva x n) parsed straight from the zip members (or text files) into
 * the row-major Z, F and W. With row = drop, the region whose code is ROW
 * after aliasing (Eora's one-sector statistical-discrepancy account) loses
 * its rows, its columns and its final-demand columns while parsing. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "mrio_internal.h"

/* Labels of the open year as the caller sees them (after row = drop), with
 * the maps from the text's rows/FD columns (NULL when nothing is dropped). */
static int load_labels(mrio_ctx *c, sf_labels **out, sf_labels **raw_out, int **row_map, int **fd_map, sf_err *e)
{
    sf_labels *raw = NULL;
    *row_map = *fd_map = NULL;
    *raw_out = NULL;
    int rc = mrio_labels_load(c, &raw, e);
    if (rc) return rc;
    if (c->src->drop_row) {
        sf_labels *d = mrio_labels_drop_row(raw, row_map, fd_map);
        if (d && d->G == 0) {
            sf_labels_free(d);
            free(*row_map);
            free(*fd_map);
            *row_map = *fd_map = NULL;
            sf_labels_free(raw);
            return sf_fail(e, SF_EUSER, "year %d: row = drop would remove the only region (ROW)", c->year);
        }
        if (d) {
            *raw_out = raw;
            *out = d;
            return SF_OK;
        }
    }
    *out = raw;
    return SF_OK;
}

int sf_labels_read(const sf_source *src, int year, sf_labels **out, sf_err *e)
{
    *out = NULL;
    mrio_ctx c;
    int rc = mrio_ctx_open(src, year, &c, e);
    if (rc == SF_OK) {
        sf_labels *raw = NULL;
        int *rm = NULL, *fm = NULL;
        rc = load_labels(&c, out, &raw, &rm, &fm, e);
        sf_labels_free(raw);
        free(rm);
        free(fm);
    }
    mrio_ctx_close(&c);
    return rc;
}

/* "where the labels come from" for the size errors of the matrices */
static char *label_display(mrio_ctx *c, const char *name)
{
    mrio_ref r;
    sf_err ignore = {0};
    if (mrio_find_label(c, name, &r, &ignore)) return sf_strdup(name);
    char *d = sf_strdup(r.display);
    mrio_ref_free(&r);
    return d;
}

static int read_matrix(mrio_ctx *c, const char *kind, int rows, int cols, double *dst, size_t ld,
                       const int *row_map, const int *col_map, sf_err *e)
{
    mrio_ref r;
    int rc = mrio_find_data(c, kind, &r, e);
    if (rc) return rc;
    char *lt = label_display(c, "labels_T.txt"), *lo = NULL, shape[1600];
    if (!strcmp(kind, "T")) {
        snprintf(shape, sizeof shape, "%s: %d sectors", lt, rows);
    } else if (!strcmp(kind, "FD")) {
        lo = label_display(c, "labels_FD.txt");
        snprintf(shape, sizeof shape, "%s: %d sectors, and %s: %d final-demand columns", lt, rows, lo, cols);
    } else {
        lo = label_display(c, "labels_VA.txt");
        snprintf(shape, sizeof shape, "%s: %d value-added rows, and %s: %d sectors", lo, rows, lt, cols);
    }
    free(lt);
    free(lo);
    sf_tsv_spec sp = {.rows = rows, .cols = cols, .dst = dst, .ld = ld, .row_map = row_map, .col_map = col_map,
                      .shape = shape};
    rc = mrio_ref_read_matrix(&r, &sp, e);
    mrio_ref_free(&r);
    return rc;
}

/* The final-demand and value-added matrices of a year, read on a thread of their own. */
typedef struct {
    mrio_ctx c;
    const sf_labels *tx;
    sf_table *t;
    size_t n, nfd, nva;
    const int *rm, *fm;
    int rc;
    sf_err err;
} side_job;

static void *side_main(void *arg)
{
    side_job *j = arg;
    j->rc = read_matrix(&j->c, "FD", j->tx->n, j->tx->nfd, j->t->F, j->nfd, j->rm, j->fm, &j->err);
    if (!j->rc && j->nva) j->rc = read_matrix(&j->c, "VA", j->tx->nva, j->tx->n, j->t->W, j->n, NULL, j->rm, &j->err);
    return NULL;
}

int sf_table_read(const sf_source *src, int year, sf_labels *lab, sf_table *t, sf_err *e)
{
    memset(t, 0, sizeof *t);
    mrio_ctx c;
    sf_labels *mine = NULL, *raw = NULL;
    int *rm = NULL, *fm = NULL;
    int rc = mrio_ctx_open(src, year, &c, e);
    if (rc) goto out;
    /* this year's own labels: the text's dimensions, the rows to drop, and a
     * check that the caller's labels describe this year */
    rc = load_labels(&c, &mine, &raw, &rm, &fm, e);
    if (rc) goto out;
    if (!sf_labels_equal(lab, mine) || lab->row_dropped != mine->row_dropped) {
        rc = sf_fail(e, SF_EUSER,
                     "year %d in %s: its labels (%d regions, %d sectors, %d final-demand columns) differ from the "
                     "labels in use (%d regions, %d sectors, %d final-demand columns)",
                     year, src->path, mine->G, mine->n, mine->nfd, lab->G, lab->n, lab->nfd);
        goto out;
    }
    const sf_labels *tx = raw ? raw : mine; /* structure of the text */
    const size_t n = (size_t)lab->n, nfd = (size_t)lab->nfd, nva = (size_t)lab->nva;
    t->year = year;
    t->lab = lab;
    t->Z = sf_big_alloc(n * n * sizeof(double)); /* every cell is parsed into */
    t->F = sf_malloc(n * (nfd ? nfd : 1) * sizeof(double));
    t->W = nva ? sf_malloc(nva * n * sizeof(double)) : NULL;
    /* FD and VA on a second thread with its own handle of the year (libzip
     * archives are not shared between threads) while this one reads T; the
     * errors in the order of the sequential reader: T's, then FD's, VA's */
    side_job sj = {.tx = tx, .t = t, .n = n, .nfd = nfd, .nva = nva, .rm = rm, .fm = fm};
    pthread_t th;
    int side = 0;
    if (!sf_read_stream()) {
        sf_err ignore = {0};
        if (mrio_ctx_open(src, year, &sj.c, &ignore) == SF_OK)
            side = pthread_create(&th, NULL, side_main, &sj) == 0;
        if (!side) mrio_ctx_close(&sj.c);
    }
    rc = read_matrix(&c, "T", tx->n, tx->n, t->Z, n, rm, rm, e);
    if (side) {
        pthread_join(th, NULL);
        mrio_ctx_close(&sj.c);
        if (!rc && sj.rc) {
            rc = sj.rc;
            if (e) *e = sj.err;
        }
    } else {
        if (!rc) rc = read_matrix(&c, "FD", tx->n, tx->nfd, t->F, nfd, rm, fm, e);
        if (!rc && nva) rc = read_matrix(&c, "VA", tx->nva, tx->n, t->W, n, NULL, rm, e);
    }
    if (!rc) rc = mrio_year_files(&c, &t->input_files, &t->ninput, e);
out:
    if (rc) sf_table_free(t);
    sf_labels_free(mine);
    sf_labels_free(raw);
    free(rm);
    free(fm);
    mrio_ctx_close(&c);
    return rc;
}
