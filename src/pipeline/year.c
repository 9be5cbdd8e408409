/* One year of silkflow run on a group of ranks: the cache decision (reuse a
 * cached year whose inputs, settings and version are unchanged), else read,
 * check, invert (par), decompose, indicators and the year's cache file
 * (docs/architecture.md). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "run_internal.h"
#include "silkflow/h5.h"
#include "silkflow/indicators.h"
#include "silkflow/par.h"

/* The inputs of a year as found now: paths, and their size and modification
 * time (a "stamp"); the SHA-256 are computed only when needed. */
typedef struct {
    int n;
    char **files;
    char **hashes;      /* NULL until computed */
    char **stamps;      /* "size:mtime_ns" */
    /* hashing on a thread while the table is read (hash_start / hash_join) */
    pthread_t hash_thread;
    int hashing, hash_rc;
    sf_err hash_err;
} inputs;

static int inputs_hash(inputs *in, sf_err *e)
{
    in->hashes = sf_calloc((size_t)(in->n ? in->n : 1), sizeof(char *));
    for (int i = 0; i < in->n; i++) {
        in->hashes[i] = sf_malloc(65);
        int rc = sf_sha256_file(in->files[i], in->hashes[i], e);
        if (rc) return rc;
    }
    return SF_OK;
}

static void *hash_main(void *arg)
{
    inputs *in = arg;
    in->hash_rc = inputs_hash(in, &in->hash_err);
    return NULL;
}

/* A recomputed year needs its inputs' SHA-256 only for the year file, so they
 * are computed on a thread while the table is read (0.1 s a year for a
 * full-size Eora26 zip, which the reader's threads leave room for when the
 * rank has a spare core), or here when no thread can be started. */
static int hash_start(inputs *in, sf_err *e)
{
    memset(&in->hash_err, 0, sizeof in->hash_err);
    in->hashing = pthread_create(&in->hash_thread, NULL, hash_main, in) == 0;
    return in->hashing ? SF_OK : inputs_hash(in, e);
}

/* code, or the hashing's error when code is SF_OK */
static int hash_join(inputs *in, int code, sf_err *e)
{
    if (!in->hashing) return code;
    pthread_join(in->hash_thread, NULL);
    in->hashing = 0;
    if (code == SF_OK && in->hash_rc) {
        *e = in->hash_err;
        code = in->hash_rc;
    }
    return code;
}

static void inputs_free(inputs *in)
{
    sf_err unused; /* a failed or abandoned year: its error is reported by the caller */
    hash_join(in, SF_OK, &unused);
    for (int i = 0; i < in->n; i++) {
        free(in->files[i]);
        if (in->hashes) free(in->hashes[i]);
        free(in->stamps[i]);
    }
    free(in->files);
    free(in->hashes);
    free(in->stamps);
    memset(in, 0, sizeof *in);
}


static void free_strings(char **s, hsize_t n)
{
    for (hsize_t i = 0; i < n; i++) free(s[i]);
    free(s);
}

/* Does the cached year group gid match these inputs? */
static int cached_group_ok(const sf_run_ctx *c, hid_t gid, inputs *in, sf_err *e, int *rc_out)
{
    char buf[256];
    int ok = sf_h5_get_attr_str(gid, "status", buf, sizeof buf) == 0 && !strcmp(buf, "complete") &&
             sf_h5_get_attr_str(gid, "config_year_sha256", buf, sizeof buf) == 0 && !strcmp(buf, c->year_hash) &&
             sf_h5_get_attr_str(gid, "version", buf, sizeof buf) == 0 && !strcmp(buf, SF_VERSION);
    char **fs = NULL, **hs = NULL, **ss = NULL;
    hsize_t nf = 0, nh = 0, ns = 0;
    sf_h5_get_attr_strings(gid, "input_files", &fs, &nf);
    sf_h5_get_attr_strings(gid, "input_sha256", &hs, &nh);
    sf_h5_get_attr_strings(gid, "input_stamps", &ss, &ns);
    ok = ok && (int)nf == in->n && (int)nh == in->n;
    for (int i = 0; i < in->n && ok; i++) ok = !strcmp(fs[i], in->files[i]);
    int same_stamps = ok && (int)ns == in->n;
    for (int i = 0; i < in->n && same_stamps; i++) same_stamps = !strcmp(ss[i], in->stamps[i]);
    if (ok && !same_stamps) {
        *rc_out = inputs_hash(in, e);
        for (int i = 0; i < in->n && ok && *rc_out == SF_OK; i++) ok = !strcmp(hs[i], in->hashes[i]);
        if (*rc_out) ok = 0;
    }
    free_strings(fs, nf);
    free_strings(hs, nh);
    free_strings(ss, ns);
    return ok;
}

/* Cache decision: 0 recompute, 1 reuse. A cached year is reused when its
 * status, settings hash and version match and its inputs are the same files
 * with the same stamps; when only the stamps differ, the inputs are hashed
 * and compared with the stored SHA-256 (same content: reuse). */
static int year_cache_ok(const sf_run_ctx *c, int year, inputs *in, sf_err *e, int *rc_out, sf_year_rec *rec)
{
    char *path = sf_year_file_path(c->cachedir, year);
    int ok = 0;
    *rc_out = SF_OK;
    sf_h5 h;
    if (sf_file_exists(path) && sf_h5_open(&h, path, 0, NULL) == SF_OK) {
        char grp[32];
        snprintf(grp, sizeof grp, "/years/%d", year);
        hid_t gid = sf_h5_open_group(h.file, grp);
        if (gid >= 0) ok = cached_group_ok(c, gid, in, e, rc_out);
        /* for the run's WWZ identity warning (progress.c) */
        double zi = 0;
        if (ok) sf_h5_get_attr_double(gid, "wwz_identity_max_rel_error", &rec->max_identity_err);
        if (ok && sf_h5_get_attr_double(gid, "n_zero_output_with_inputs", &zi) == 0)
            rec->val.n_zero_output_inputs = (int)zi;
        sf_h5_close_object(gid);
        sf_h5_close(&h, NULL);
    }
    free(path);
    return ok;
}

/* The group root's inputs: files, stamps, sizes and the cache decision. */
static int year_inputs(const sf_run_ctx *c, int year, inputs *in, sf_year_rec *rec, int *reuse, sf_err *e)
{
    int code = sf_source_year_files(&c->src, year, &in->files, &in->n, e);
    if (code) return code;
    in->stamps = sf_calloc((size_t)(in->n ? in->n : 1), sizeof(char *));
    for (int i = 0; i < in->n; i++) {
        struct stat st;
        char buf[64] = "unreadable";
        if (stat(in->files[i], &st) == 0) {
            snprintf(buf, sizeof buf, "%lld:%lld.%09ld", (long long)st.st_size, (long long)st.st_mtim.tv_sec,
                     st.st_mtim.tv_nsec);
            rec->bytes_in += (double)st.st_size;
        }
        in->stamps[i] = sf_strdup(buf);
    }
    if (!c->force) *reuse = year_cache_ok(c, year, in, e, &code, rec);
    return code;
}

/* What a computed year holds on the group root until it is written. */
typedef struct {
    sf_labels *ylab;
    sf_table t;
    sf_derived d;
    sf_rhs r;
    sf_products p;
    sf_decomp dec;
    double *Bfull, *exb, *fdc;
    sf_frame *rows;
    sf_inv_info info;
} year_work;

static void year_work_free(year_work *w)
{
    sf_labels_free(w->ylab);
    sf_table_free(&w->t);
    sf_derived_free(&w->d);
    sf_rhs_free(&w->r);
    sf_products_free(&w->p);
    sf_decomp_free(&w->dec);
    free(w->Bfull);
    free(w->exb);
    free(w->fdc);
    sf_frame_free(w->rows);
}

/* Group root: read the table (its structure must match the reference labels),
 * derive and check it, and prepare the inversion's right-hand sides. */
static int year_read(const sf_run_ctx *c, int year, year_work *w, sf_year_rec *rec, sf_err *e)
{
    int code = sf_labels_read(&c->src, year, &w->ylab, e);
    if (code == SF_OK && !sf_labels_equal(w->ylab, c->lab))
        code = sf_fail(e, SF_EUSER, "year %d: the label files describe another structure than year %d's "
                       "(regions or sector counts differ); split the run by structure", year, c->years[0]);
    double tr = sf_now();
    sf_test_pause("read", year);
    if (code == SF_OK) code = sf_table_read(&c->src, year, w->ylab, &w->t, e);
    rec->t_read = sf_now() - tr;
    if (code) return code;
    double td = sf_now();
    w->t.lab = c->lab;
    sf_derive(&w->t, c->cfg.va_table ? SF_VA_TABLE : SF_VA_DERIVED, c->cfg.zero_eps, &w->d);
    sf_validate(&w->t, &w->d, &rec->val);
    sf_rhs_build(c->lab, &w->d, c->focal, &w->r);
    sf_products_alloc(c->lab, c->focal, &w->p);
    if (c->cfg.store_leontief) w->Bfull = sf_malloc(sizeof(double) * (size_t)c->lab->n * (size_t)c->lab->n);
    rec->t_derive = sf_now() - td;
    return SF_OK;
}

/* Group root: the decompositions, the indicators (the year's panel rows),
 * bilateral exports and final demand by country pair. */
static int year_decompose(const sf_run_ctx *c, int year, year_work *w, sf_year_rec *rec, sf_err *e)
{
    double tdc = sf_now();
    sf_decomp_opts o = {.store_sector = c->cfg.store_wwz == 2};
    sf_test_pause("decompose", year);
    int code = sf_decompose(c->lab, &w->t, &w->d, &w->p, &o, &w->dec, e);
    if (code == SF_OK) {
        sf_ind_opts io = {.focal = c->focal, .partners = c->partners, .npartners = c->npartners,
                          .industries = c->cfg.industries, .nindustries = c->cfg.nindustries,
                          .ic_total = c->cfg.ic_total, .tech_high = c->cfg.tech_high,
                          .ntech_high = c->cfg.ntech_high, .d3_after = c->cfg.d3_after, .ind_of = c->ind_of};
        code = sf_indicators_year(c->lab, &w->t, &w->d, &w->p, &w->dec, &io, year, &w->rows, e);
        w->exb = sf_malloc(sizeof(double) * (size_t)c->lab->n * (size_t)c->lab->G);
        sf_exports_bilateral(&w->t, &w->d, w->exb);
        const int G = c->lab->G;
        w->fdc = sf_calloc((size_t)G * (size_t)G, sizeof(double));
        for (int k = 0; k < c->lab->n; k++)
            for (int rr = 0; rr < G; rr++)
                w->fdc[(size_t)c->lab->sector_region[k] * G + rr] += w->d.Y[(size_t)k * G + rr];
    }
    rec->t_decompose = sf_now() - tdc;
    rec->max_identity_err = w->dec.max_identity_err;
    rec->max_va_gap = w->dec.max_va_gap;
    return code;
}

/* Every rank of the group: the distributed inversion and its products. */
static int year_invert(const sf_run_ctx *c, int year, year_work *w, sf_year_rec *rec, sf_err *e)
{
    const sf_grid *g = &c->grid;
    const int root = g->rank == 0;
    sf_inv_info info;
    memset(&info, 0, sizeof info);
    if (root) sf_test_pause("invert", year);
    int code = sf_par_year(g, c->cfg.block, year, c->lab, root ? &w->t : NULL, root ? &w->d : NULL,
                           root ? &w->r : NULL, c->focal, &w->p, root ? w->Bfull : NULL, &info, e);
    if (code == SF_OK) code = sf_verify_inverse(&c->cfg, year, &info, e);
    rec->inv = info;
    rec->t_invert = info.t_factor + info.t_invert;
    rec->t_products = info.t_scatter + info.t_products + info.t_collect;
    w->info = info;
    return code;
}

/* The year computed: read, invert, decompose, write; each stage's status is
 * shared over the group before the next. */
static int year_compute(sf_run_ctx *c, int year, inputs *in, sf_year_rec *rec, sf_err *e)
{
    const sf_grid *g = &c->grid;
    const int root = g->rank == 0;
    year_work w;
    memset(&w, 0, sizeof w);
    int code = root ? year_read(c, year, &w, rec, e) : SF_OK;
    if (root) code = hash_join(in, code, e);
    code = sf_grid_max_int(g, code);
    if (root && code == SF_OK) sf_progress_stage(&c->pg, rec, SF_STAGE_READ);
    if (code == SF_OK) code = year_invert(c, year, &w, rec, e);
    sf_rhs_free(&w.r);
    if (root && code == SF_OK) sf_progress_stage(&c->pg, rec, SF_STAGE_INVERT);
    if (root && code == SF_OK) code = year_decompose(c, year, &w, rec, e);
    code = sf_grid_max_int(g, code);
    if (root && code == SF_OK) sf_progress_stage(&c->pg, rec, SF_STAGE_DECOMPOSE);
    if (code == SF_OK) {
        double tw = sf_now();
        sf_year_out out = {.year = year, .lab = c->lab, .cfg = &c->cfg, .d = &w.d, .dec = &w.dec, .B = w.Bfull,
                           .exports_bilateral = w.exb, .fd_country = w.fdc, .rows = w.rows, .rec = rec,
                           .files = in->files, .hashes = in->hashes, .stamps = in->stamps, .nfiles = in->n,
                           .year_hash = c->year_hash, .role = year == c->lag_year ? "lag" : "panel",
                           .run_id = c->run_id};
        code = sf_year_write(g, c->cachedir, &out, e);
        rec->t_write = sf_now() - tw;
    }
    if (root) year_work_free(&w);
    return code;
}

int sf_year_process(sf_run_ctx *c, int year, sf_year_rec *rec, sf_err *e)
{
    const sf_grid *g = &c->grid;
    const int root = g->rank == 0;
    memset(rec, 0, sizeof *rec);
    rec->year = year;
    rec->n = c->lab->n;
    double t0 = sf_now();
    c->pg.t_year = t0;
    inputs in;
    memset(&in, 0, sizeof in);
    int reuse = 0;
    int code = root ? year_inputs(c, year, &in, rec, &reuse, e) : SF_OK;
    code = sf_grid_max_int(g, code);
    sf_grid_bcast_int(g, &reuse);
    /* recompute: the provenance needs the inputs' SHA-256 (Nettle, SHA-NI: ~1.3 GB/s), during the read */
    if (code == SF_OK && !reuse) {
        if (root && !in.hashes) code = hash_start(&in, e);
        code = sf_grid_max_int(g, code);
    }
    if (code == SF_OK && !reuse) code = year_compute(c, year, &in, rec, e);
    inputs_free(&in);
    if (!root && code) sf_fail(e, code, "year %d failed on the group root", year);
    rec->status = code ? SF_YEAR_FAILED : reuse ? SF_YEAR_REUSED : SF_YEAR_COMPUTED;
    rec->t_total = sf_now() - t0;
    if (root && code == SF_OK) sf_progress_stage(&c->pg, rec, reuse ? SF_STAGE_REUSE : SF_STAGE_WRITE);
    return code;
}
