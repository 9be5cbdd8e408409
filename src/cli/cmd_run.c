/* silkflow run CONFIG: the whole pipeline.
 *
 * Stage driver. Years are spread over groups of ranks (par/grid.c); each
 * group computes its years one after the other, in rounds: after every round
 * all ranks combine their status (an error anywhere stops the job with that
 * error; SIGTERM/SIGUSR1 stop it cleanly), and rank 0 prints the progress
 * lines of the round. Each year's results go to their own file in the year
 * cache (<output>.years/YYYY.h5), written under a temporary name and renamed
 * when complete, so a killed run never leaves a year that looks complete and
 * a rerun reuses every year whose inputs, settings and software version are
 * unchanged. Rank 0 then assembles the results file (also via a temporary
 * name) and runs the panel, estimation and report stages.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "silkflow/cli.h"
#include "silkflow/concordance.h"
#include "silkflow/config.h"
#include "silkflow/decomp.h"
#include "silkflow/grid.h"
#include "silkflow/h5.h"
#include "silkflow/indicators.h"
#include "silkflow/lock.h"
#include "silkflow/mrio.h"
#include "silkflow/par.h"
#include "silkflow/pipeline.h"
#include "silkflow/version.h"

static const char *RUN_HELP =
    "usage: silkflow run CONFIG [--years 2005-2007] [--resume] [--force] [--quiet]\n"
    "                           [--output FILE] [--cache DIR] [--years-only] [--no-lag]\n"
    "                           [--blas-kernel=auto|keep]\n"
    "\n"
    "Runs the whole pipeline described by the INI file CONFIG: ingest, Leontief\n"
    "inversion (ScaLAPACK), value-added decompositions, indicators, panel,\n"
    "estimation and report. Run it under MPI (mpirun -n P silkflow run ..., or srun)\n"
    "or as a single process.\n"
    "\n"
    "options:\n"
    "  --years SPEC  compute these years instead of [data] years (2005, 2005-2007, 2003,2010)\n"
    "  --resume      continue a run that was stopped or killed: completed years are\n"
    "                reused (this is also what every rerun does, see below)\n"
    "  --force       recompute every year even when its cached result is up to date\n"
    "  --quiet       no progress lines and no printed tables (the tables directory\n"
    "                still gets them; warnings and errors still go to stderr)\n"
    "  --output FILE the results file instead of [output] file\n"
    "  --cache DIR   the year cache instead of <results file>.years\n"
    "  --years-only  compute the years into the cache and stop (no results file,\n"
    "                panel, estimation or report): for job arrays over year ranges\n"
    "  --no-lag      do not compute the year before the first one (it serves IIH)\n"
    "  --blas-kernel=auto|keep  keep: OpenBLAS's own kernel choice (default auto, below)\n"
    "\n"
    "Reruns are incremental: each year's results are cached in <output>.years/YYYY.h5\n"
    "with the SHA-256 of its input files, a hash of the settings that shape it and the\n"
    "software version; a year whose provenance matches is not recomputed. The results\n"
    "file ([output] file) is replaced atomically at the end of a successful run.\n"
    "SIGTERM or SIGUSR1 stop the job at the end of the current round of years, after\n"
    "the results file is assembled, or between two model sections of the estimation.\n"
    "One run at a time per results file: rank 0 holds <results file>.lock; a second\n"
    "run exits 1 naming the first (host, pid, since when). The lock of a killed run is\n"
    "taken over: at once on the same host, from another host after 10 minutes.\n"
    "A full disk stops the run with exit 1 naming the file; completed years are kept\n"
    "and --resume continues once there is space.\n"
    "[data] years = all takes every year the release holds.\n"
    "\n"
    "BLAS kernel: with OpenBLAS running an older kernel than the CPU supports,\n"
    "silkflow sets OPENBLAS_CORETYPE (SkylakeX for AVX-512, Haswell for AVX2) and\n"
    "re-executes itself before MPI starts; the \"plan: BLAS\" line says which kernel\n"
    "runs and why. A user's OPENBLAS_CORETYPE is kept; --blas-kernel=keep or\n"
    "SILKFLOW_BLAS_AUTO=0 keep OpenBLAS's own choice.\n"
    "\n"
    "Zip members are inflated up to a ceiling (32 bytes per expected number + 1 MiB):\n"
    "SF_MAX_ZIP_MEMBER=SIZE (e.g. 20G) raises it for a genuine oversized member.\n"
    "Exit codes: 0 success, 1 user error, 2 internal or numerical failure.\n";

static volatile sig_atomic_t g_stop = 0;
static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

/* per-year record gathered to rank 0 after each round */
typedef struct {
    int year;           /* 0 = no year this round */
    int status;         /* 0 computed, 1 reused, 2 failed */
    int n;
    double bytes_in;
    double t_read, t_derive, t_invert, t_products, t_decompose, t_write, t_total;
    double t_scatter, t_gemm, t_collect;
    double residual, residual_scaled, rcond;
    int passed;
    sf_validation val;
    double max_identity_err, max_va_gap;
} year_rec;

typedef struct {
    sf_config cfg;
    sf_source src;
    sf_labels *lab;
    int focal;
    int force, quiet;
    char *cachedir;
    int *years;         /* all years computed (with the lag year first when present) */
    int nyears;
    int lag_year;       /* the year before the first panel year, or 0 */
    sf_plan plan;
    sf_grid grid;
    char year_hash[65];
    int *partners;      /* region indices */
    int npartners;
    int *ind_of;        /* common industry of each sector (concordance) or NULL = identity */
    char run_id[96];    /* host.pid of world rank 0: unique temporary names */
} run_ctx;

/* Does the cached year file match these inputs? */
/* The inputs of a year as found now: paths, and their size and modification
 * time (a "stamp"); the SHA-256 are computed only when needed. */
typedef struct {
    int n;
    char **files;
    char **hashes;      /* NULL until computed */
    char **stamps;      /* "size:mtime_ns" */
} inputs;

static void inputs_free(inputs *in)
{
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

/* Cache decision: 0 recompute, 1 reuse. A cached year is reused when its
 * status, settings hash and version match and its inputs are the same files
 * with the same stamps; when only the stamps differ, the inputs are hashed
 * and compared with the stored SHA-256 (same content: reuse). */
static int year_cache_ok(const run_ctx *c, int year, inputs *in, sf_err *e, int *rc_out)
{
    char *path = sf_year_file_path(c->cachedir, year);
    int ok = 0;
    *rc_out = SF_OK;
    if (sf_file_exists(path)) {
        sf_h5 h;
        if (sf_h5_open(&h, path, 0, NULL) == SF_OK) {
            char grp[32];
            snprintf(grp, sizeof grp, "/years/%d", year);
            if (sf_h5_exists(h.file, grp)) {
                hid_t gid = H5Gopen2(h.file, grp, H5P_DEFAULT);
                char buf[256];
                ok = sf_h5_get_attr_str(gid, "status", buf, sizeof buf) == 0 && !strcmp(buf, "complete") &&
                     sf_h5_get_attr_str(gid, "config_year_sha256", buf, sizeof buf) == 0 &&
                     !strcmp(buf, c->year_hash) && sf_h5_get_attr_str(gid, "version", buf, sizeof buf) == 0 &&
                     !strcmp(buf, SF_VERSION);
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
                for (hsize_t i = 0; i < nf; i++) free(fs[i]);
                for (hsize_t i = 0; i < nh; i++) free(hs[i]);
                for (hsize_t i = 0; i < ns; i++) free(ss[i]);
                free(fs);
                free(hs);
                free(ss);
                H5Gclose(gid);
            }
            sf_h5_close(&h, NULL);
        }
    }
    free(path);
    return ok;
}

/* One year on this rank's group. Collective over the group. */
static int process_year(run_ctx *c, int year, year_rec *rec, sf_err *e)
{
    const sf_grid *g = &c->grid;
    const int root = g->rank == 0;
    memset(rec, 0, sizeof *rec);
    rec->year = year;
    rec->n = c->lab->n;
    double t0 = sf_now();
    int code = SF_OK;

    /* the inputs and the cache decision */
    inputs in;
    memset(&in, 0, sizeof in);
    int reuse = 0;
    if (root) {
        code = sf_source_year_files(&c->src, year, &in.files, &in.n, e);
        if (code == SF_OK) {
            in.stamps = sf_calloc((size_t)(in.n ? in.n : 1), sizeof(char *));
            for (int i = 0; i < in.n; i++) {
                struct stat st;
                char buf[64] = "unreadable";
                if (stat(in.files[i], &st) == 0)
                    snprintf(buf, sizeof buf, "%lld:%lld.%09ld", (long long)st.st_size, (long long)st.st_mtim.tv_sec,
                             st.st_mtim.tv_nsec);
                in.stamps[i] = sf_strdup(buf);
            }
            if (!c->force) reuse = year_cache_ok(c, year, &in, e, &code);
        }
    }
    code = sf_grid_max_int(g, code);
    sf_grid_bcast_int(g, &reuse);
    if (code != SF_OK || reuse) {
        if (!root && code) sf_fail(e, code, "year %d failed on the group root", year);
        rec->status = code ? 2 : 1;
        rec->t_total = sf_now() - t0;
        inputs_free(&in);
        return code;
    }
    /* recompute: the provenance needs the inputs' SHA-256 (Nettle, SHA-NI: ~1.7 GB/s) */
    if (root && !in.hashes) code = inputs_hash(&in, e);
    code = sf_grid_max_int(g, code);
    if (code != SF_OK) {
        if (!root) sf_fail(e, code, "year %d failed on the group root", year);
        rec->status = 2;
        inputs_free(&in);
        return code;
    }

    sf_table t = {0};
    sf_derived d = {0};
    sf_rhs r = {0};
    sf_products p = {0};
    sf_decomp dec = {0};
    double *Bfull = NULL, *exb = NULL, *fdc = NULL;
    sf_frame *rows = NULL;
    sf_inv_info info;
    memset(&info, 0, sizeof info);
    sf_labels *ylab = NULL;
    if (root) {
        /* the structure of this year must match the reference labels */
        code = sf_labels_read(&c->src, year, &ylab, e);
        if (code == SF_OK && !sf_labels_equal(ylab, c->lab))
            code = sf_fail(e, SF_EUSER, "year %d: the label files describe another structure than year %d's "
                           "(regions or sector counts differ); split the run by structure", year, c->years[0]);
        double tr = sf_now();
        sf_test_pause("read", year);
        if (code == SF_OK) code = sf_table_read(&c->src, year, ylab, &t, e);
        rec->t_read = sf_now() - tr;
        for (int i = 0; i < in.n; i++) {
            FILE *f = fopen(in.files[i], "rb");
            if (f) {
                fseek(f, 0, SEEK_END);
                rec->bytes_in += (double)ftell(f);
                fclose(f);
            }
        }
        if (code == SF_OK) {
            double td = sf_now();
            t.lab = c->lab;
            sf_derive(&t, c->cfg.va_table ? SF_VA_TABLE : SF_VA_DERIVED, c->cfg.zero_eps, &d);
            sf_validate(&t, &d, &rec->val);
            sf_rhs_build(c->lab, &d, c->focal, &r);
            sf_products_alloc(c->lab, c->focal, &p);
            if (c->cfg.store_leontief) Bfull = sf_malloc(sizeof(double) * (size_t)c->lab->n * (size_t)c->lab->n);
            rec->t_derive = sf_now() - td;
        }
    }
    code = sf_grid_max_int(g, code);
    if (code == SF_OK) {
        if (root) sf_test_pause("invert", year);
        code = sf_par_year(g, c->cfg.block, year, c->lab, root ? &t : NULL, root ? &d : NULL, root ? &r : NULL,
                           c->focal, &p, root ? Bfull : NULL, &info, e);
        rec->t_invert = info.t_factor + info.t_invert;
        rec->t_products = info.t_scatter + info.t_products + info.t_collect;
        rec->t_scatter = info.t_scatter;
        rec->t_gemm = info.t_products;
        rec->t_collect = info.t_collect;
        rec->residual = info.residual;
        rec->residual_scaled = info.residual_scaled;
        rec->rcond = info.rcond;
        if (code == SF_OK) code = sf_verify_inverse(&c->cfg, year, &info, e);
        rec->passed = info.passed;
    }
    sf_rhs_free(&r);
    if (root && code == SF_OK) {
        double tdc = sf_now();
        sf_decomp_opts o = {.store_sector = c->cfg.store_wwz == 2};
        sf_test_pause("decompose", year);
        code = sf_decompose(c->lab, &t, &d, &p, &o, &dec, e);
        if (code == SF_OK) {
            sf_ind_opts io = {.focal = c->focal, .partners = c->partners, .npartners = c->npartners,
                              .industries = c->cfg.industries, .nindustries = c->cfg.nindustries,
                              .ic_total = c->cfg.ic_total, .tech_high = c->cfg.tech_high,
                              .ntech_high = c->cfg.ntech_high, .d3_after = c->cfg.d3_after,
                              .ind_of = c->ind_of};
            code = sf_indicators_year(c->lab, &t, &d, &p, &dec, &io, year, &rows, e);
            exb = sf_malloc(sizeof(double) * (size_t)c->lab->n * (size_t)c->lab->G);
            sf_exports_bilateral(&t, &d, exb);
            const int G = c->lab->G;
            fdc = sf_calloc((size_t)G * (size_t)G, sizeof(double));
            for (int k = 0; k < c->lab->n; k++)
                for (int rr = 0; rr < G; rr++)
                    fdc[(size_t)c->lab->sector_region[k] * G + rr] += d.Y[(size_t)k * G + rr];
        }
        rec->t_decompose = sf_now() - tdc;
        rec->max_identity_err = dec.max_identity_err;
        rec->max_va_gap = dec.max_va_gap;
    }
    code = sf_grid_max_int(g, code);
    if (code == SF_OK) {
        double tw = sf_now();
        sf_year_out out = {.year = year, .lab = c->lab, .cfg = &c->cfg, .d = &d, .dec = &dec, .B = Bfull,
                           .exports_bilateral = exb, .fd_country = fdc, .rows = rows,
                           .info = &info, .files = in.files, .hashes = in.hashes, .stamps = in.stamps,
                           .nfiles = in.n,
                           .year_hash = c->year_hash, .role = year == c->lag_year ? "lag" : "panel",
                           .run_id = c->run_id};
        rec->t_write = 0;
        rec->t_total = sf_now() - t0;
        out.timings[0] = rec->t_read;
        out.timings[1] = rec->t_derive;
        out.timings[2] = rec->t_invert;
        out.timings[3] = rec->t_products;
        out.timings[4] = rec->t_decompose;
        out.val = &rec->val;
        code = sf_year_write(g, c->cachedir, &out, e);
        rec->t_write = sf_now() - tw;
    }
    if (root) {
        sf_labels_free(ylab);
        sf_table_free(&t);
        sf_derived_free(&d);
        sf_products_free(&p);
        sf_decomp_free(&dec);
        free(Bfull);
        free(exb);
        free(fdc);
        sf_frame_free(rows);
    }
    if (!root && code) sf_fail(e, code, "year %d failed on the group root", year);
    rec->status = code ? 2 : 0;
    rec->t_total = sf_now() - t0;
    inputs_free(&in);
    return code;
}

static void print_round(const run_ctx *c, const year_rec *recs, int P)
{
    for (int i = 0; i < P; i++) {
        const year_rec *r = &recs[i];
        if (!r->year) continue;
        /* only group roots carry the record */
        if (sf_plan_group_of(&c->plan, i) >= 0 && c->plan.first[sf_plan_group_of(&c->plan, i)] != i) continue;
        if (r->status == 1) {
            sf_info("%-10s %d  %7.2f s   cached result up to date (inputs, settings and version unchanged)",
                    "reuse", r->year, r->t_total);
            continue;
        }
        if (r->status == 2) continue;
        double n = r->n;
        sf_info("%-10s %d  %7.2f s  %8.1f MB/s  (%.1f MB of input)", "read", r->year, r->t_read,
                r->t_read > 0 ? r->bytes_in / 1e6 / r->t_read : 0, r->bytes_in / 1e6);
        sf_info("%-10s %d  %7.2f s  imbalance %.2g overall (max %.2g in sector %d), %d zero-output sectors "
                "(%d with exports, %d with inputs), %d negative-output, %ld negative final-demand and %ld negative "
                "value-added cells, %d columns of A summing to >= 1 (max %.4f)",
                "check", r->year, r->t_derive, r->val.imbalance_total, r->val.max_imbalance,
                r->val.imbalance_sector + 1, r->val.n_zero_output, r->val.n_zero_output_exporting,
                r->val.n_zero_output_inputs,
                r->val.n_negative_output, r->val.n_negative_fd, r->val.n_negative_va, r->val.n_colsum_ge1,
                r->val.max_colsum);
        sf_info("%-10s %d  %7.2f s  %8.1f GFLOP/s  rcond %.3g, scaled residual %.3g (%s)", "invert", r->year,
                r->t_invert, r->t_invert > 0 ? 2.0 * n * n * n / 1e9 / r->t_invert : 0, r->rcond,
                r->residual_scaled, r->passed ? "PASSED" : "FAILED");
        sf_info("%-10s %d  %7.2f s  (distribute I - A %.2f s, pdgemm %.2f s, sweep, collect and residual check %.2f s)",
                "products", r->year, r->t_products, r->t_scatter, r->t_gemm, r->t_collect);
        sf_info("%-10s %d  %7.2f s  WWZ identity error %.2g; v'B = 1 within %.2g%s", "decompose", r->year,
                r->t_decompose, r->max_identity_err, r->max_va_gap,
                r->max_identity_err > 1e-9 && r->val.n_zero_output_inputs
                    ? " (a zero-output sector buys inputs: A has no column for it, so x = BY fails for its "
                      "suppliers and their terms miss those purchases)"
                    : "");
        sf_info("%-10s %d  %7.2f s", "write", r->year, r->t_write);
    }
}

static int same_file(const struct stat *a, const char *path)
{
    struct stat b;
    return path && stat(path, &b) == 0 && a->st_dev == b.st_dev && a->st_ino == b.st_ino;
}

/* The results file is replaced at the end of the run: it must not be a
 * directory, nor one of the run's inputs (the config, a year's zip or label
 * file, partners, concordance, aliases, models, covariates file). */
static int check_output(const run_ctx *c, const char *cfgpath, const char *what, sf_err *e)
{
    const char *out = c->cfg.out_file;
    struct stat so;
    if (stat(out, &so) != 0) return SF_OK; /* a new file */
    if (S_ISDIR(so.st_mode))
        return sf_fail(e, SF_EUSER, "%s: %s = '%s': is a directory, expected the name of the results file", cfgpath,
                       what, out);
    const char *named[] = {cfgpath, c->cfg.partners, c->cfg.concordance, c->cfg.aliases, c->cfg.models,
                           c->cfg.cov_file};
    const char *hit = NULL;
    for (size_t i = 0; i < sizeof named / sizeof named[0] && !hit; i++)
        if (same_file(&so, named[i])) hit = named[i];
    for (int y = 0; y < c->nyears && !hit; y++) {
        char **files = NULL;
        int nf = 0;
        if (sf_source_year_files(&c->src, c->years[y], &files, &nf, e) != SF_OK) return SF_EUSER;
        for (int i = 0; i < nf; i++) {
            if (!hit && same_file(&so, files[i])) hit = files[i];
            if (hit != files[i]) free(files[i]);
        }
        free(files);
        if (hit) {
            int rc = sf_fail(e, SF_EUSER, "%s: %s = '%s' is an input of this run (%s, data of %d): refusing to "
                             "overwrite it", cfgpath, what, out, hit, c->years[y]);
            free((char *)hit);
            return rc;
        }
    }
    if (hit)
        return sf_fail(e, SF_EUSER, "%s: %s = '%s' is an input of this run (%s): refusing to overwrite it", cfgpath,
                       what, out, hit);
    return SF_OK;
}

static int setup(run_ctx *c, const char *cfgpath, const char *years_opt, const char *output, const char *cache,
                 int no_lag, sf_err *e)
{
    int rc = sf_config_load(cfgpath, &c->cfg, e);
    if (rc) return rc;
    if (years_opt && (rc = sf_config_set_years(&c->cfg, years_opt, e))) return rc;
    if (output) {
        free(c->cfg.out_file);
        c->cfg.out_file = sf_strdup(output);
    }
    if ((rc = sf_aliases_load(c->cfg.aliases, e))) return rc;
    c->src.format = c->cfg.format;
    c->src.path = c->cfg.data_path;
    c->src.prefix = c->cfg.prefix;
    c->src.price = c->cfg.price;
    c->src.drop_row = c->cfg.drop_row;
    c->src.aliases = c->cfg.aliases;
    int *avail = NULL, navail = 0;
    if ((rc = sf_source_years(&c->src, &avail, &navail, e))) return rc;
    if (c->cfg.nyears == 0) { /* years = all */
        c->cfg.years = sf_malloc(sizeof(int) * (size_t)navail);
        memcpy(c->cfg.years, avail, sizeof(int) * (size_t)navail);
        c->cfg.nyears = navail;
    }
    char missing[512] = "";
    for (int i = 0; i < c->cfg.nyears; i++) {
        int found = 0;
        for (int j = 0; j < navail; j++) found |= avail[j] == c->cfg.years[i];
        if (!found) snprintf(missing + strlen(missing), sizeof missing - strlen(missing), "%s%d", *missing ? ", " : "",
                             c->cfg.years[i]);
    }
    if (*missing) {
        char have[512];
        sf_format_int_list(avail, navail, have, sizeof have);
        free(avail);
        return sf_fail(e, SF_EUSER, "%s: [data] years: no data for %s in %s (prefix %s, price %s; the release "
                       "holds %s)", cfgpath, missing, c->cfg.data_path, c->cfg.prefix, c->cfg.price,
                       navail ? have : "no years");
    }
    /* the year before the first panel year, for IIH, when the data has it */
    c->lag_year = 0;
    for (int j = 0; j < navail && !no_lag; j++)
        if (avail[j] == c->cfg.years[0] - 1) c->lag_year = avail[j];
    free(avail);
    c->nyears = c->cfg.nyears + (c->lag_year ? 1 : 0);
    c->years = sf_malloc(sizeof(int) * (size_t)c->nyears);
    int k = 0;
    if (c->lag_year) c->years[k++] = c->lag_year;
    for (int i = 0; i < c->cfg.nyears; i++) c->years[k++] = c->cfg.years[i];
    if ((rc = sf_labels_read(&c->src, c->cfg.years[0], &c->lab, e))) return rc;
    c->focal = sf_labels_region(c->lab, c->cfg.focal);
    if (c->focal < 0)
        return sf_fail(e, SF_EUSER, "%s: [model] focal = %s: no such region in the table's labels_T.txt", cfgpath,
                       c->cfg.focal);
    if (c->cfg.store_wwz == 2 && !c->lab->homogeneous)
        return sf_fail(e, SF_EUSER, "%s: [compute] store_wwz = sector needs the same number of sectors in every "
                       "region, but this table's regions have between 1 and %d sectors (country totals are "
                       "still stored with store_wwz = country)", cfgpath, c->lab->max_sectors);
    if ((rc = sf_partners_resolve(&c->cfg, c->lab, c->focal, &c->partners, &c->npartners, e))) return rc;
    /* industries comparable across regions: a concordance, or the same sector counts */
    int *must = sf_malloc(sizeof(int) * (size_t)(c->npartners + 1));
    must[0] = c->focal;
    memcpy(must + 1, c->partners, sizeof(int) * (size_t)c->npartners);
    if (c->cfg.concordance) {
        c->ind_of = sf_malloc(sizeof(int) * (size_t)c->lab->n);
        rc = sf_concordance_load(c->cfg.concordance, c->lab, must, c->npartners + 1, c->ind_of, e);
    } else {
        const int *rs = c->lab->region_start;
        for (int i = 1; i <= c->npartners && rc == SF_OK; i++)
            if (rs[must[i] + 1] - rs[must[i]] != rs[c->focal + 1] - rs[c->focal])
                rc = sf_fail(e, SF_EUSER, "%s: regions %s (%d sectors) and %s (%d sectors) use different "
                             "classifications (sector counts from the labels_T.txt of %d in %s): set [model] "
                             "concordance to a sector -> industry file (see docs/methods.md; configs/concordance/ "
                             "has examples)", cfgpath,
                             c->lab->region_code[c->focal], rs[c->focal + 1] - rs[c->focal],
                             c->lab->region_code[must[i]], rs[must[i] + 1] - rs[must[i]], c->cfg.years[0],
                             c->cfg.data_path);
    }
    free(must);
    if (rc) return rc;
    if (cache) {
        c->cachedir = sf_strdup(cache);
    } else {
        size_t l = strlen(c->cfg.out_file);
        c->cachedir = sf_malloc(l + 8);
        snprintf(c->cachedir, l + 8, "%s.years", c->cfg.out_file);
    }
    sf_config_year_hash(&c->cfg, c->year_hash);
    return check_output(c, cfgpath, output ? "--output" : "[output] file", e);
}

/* what setup allocated (also after a failed setup) */
static void run_ctx_free(run_ctx *c)
{
    sf_labels_free(c->lab);
    free(c->years);
    free(c->partners);
    free(c->ind_of);
    free(c->cachedir);
    sf_config_free(&c->cfg);
    memset(c, 0, sizeof *c);
}

/* <results file>.lock, in the results file's directory (created when missing) */
static int take_lock(const run_ctx *c, sf_lock **lock, sf_err *e)
{
    char *dir = sf_dirname(c->cfg.out_file);
    int rc = sf_mkdir_p(dir) != 0 ? sf_fail(e, SF_EUSER, "%s: cannot create directory for [output] file: %s", dir, strerror(errno))
                                  : SF_OK;
    free(dir);
    if (rc) return rc;
    size_t l = strlen(c->cfg.out_file) + 8;
    char *path = sf_malloc(l);
    snprintf(path, l, "%s.lock", c->cfg.out_file);
    rc = sf_lock_take(path, c->cfg.out_file, lock, e);
    free(path);
    return rc;
}

int sf_cmd_run(int argc, char **argv)
{
    if (sf_cli_wants_help(argc, argv)) {
        fputs(RUN_HELP, stdout);
        return 0;
    }
    const char *cfgpath = NULL, *years_opt = NULL, *output = NULL, *cache = NULL;
    int resume = 0, force = 0, quiet = 0, years_only = 0, no_lag = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--years") && i + 1 < argc)
            years_opt = argv[++i];
        else if (!strncmp(argv[i], "--years=", 8))
            years_opt = argv[i] + 8;
        else if (!strcmp(argv[i], "--resume"))
            resume = 1;
        else if (!strcmp(argv[i], "--force"))
            force = 1;
        else if (!strcmp(argv[i], "--quiet"))
            quiet = 1;
        else if (!strcmp(argv[i], "--output") && i + 1 < argc)
            output = argv[++i];
        else if (!strcmp(argv[i], "--cache") && i + 1 < argc)
            cache = argv[++i];
        else if (!strcmp(argv[i], "--years-only"))
            years_only = 1;
        else if (!strcmp(argv[i], "--no-lag"))
            no_lag = 1;
        else if (argv[i][0] == '-') {
            fprintf(stderr, "silkflow: error: run: unknown option '%s'\n\n%s", argv[i], RUN_HELP);
            return 1;
        } else if (!cfgpath)
            cfgpath = argv[i];
        else {
            fprintf(stderr, "silkflow: error: run: unexpected argument '%s'\n", argv[i]);
            return 1;
        }
    }
    if (!cfgpath) {
        fprintf(stderr, "silkflow: error: run: missing CONFIG\n\n%s", RUN_HELP);
        return 1;
    }
    (void)resume;
    /* before MPI starts: a signal during start-up must not kill the rank */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    sf_par_init(&argc, &argv);
    sf_log_set_quiet(quiet);

    const int P = sf_par_size(), me = sf_par_rank();
    run_ctx c;
    memset(&c, 0, sizeof c);
    c.force = force;
    c.quiet = quiet;
    sf_err e = {0};
    double t_start = sf_now();
    int rc = setup(&c, cfgpath, years_opt, output, cache, no_lag, &e);
    /* every rank ran the same setup; they agree on the outcome */
    rc = sf_par_round_sync(rc, &e, 0, NULL);
    if (rc) {
        if (me == 0) sf_cli_error(e.msg);
        run_ctx_free(&c);
        sf_par_finalize();
        return rc;
    }
    double mem_root = 0, mem_node = 0;
    rc = sf_mem_check(c.lab, &c.cfg, c.focal, c.years, c.nyears, MPI_COMM_WORLD, &mem_root, &mem_node, &e);
    rc = sf_par_round_sync(rc, &e, 0, NULL);
    if (rc) {
        if (me == 0) sf_cli_error(e.msg);
        run_ctx_free(&c);
        sf_par_finalize();
        return rc;
    }
    sf_run_id(c.run_id, sizeof c.run_id);
    /* one run at a time per output: rank 0 holds <results file>.lock until the end */
    sf_lock *lock = NULL;
    if (me == 0) {
        rc = take_lock(&c, &lock, &e);
        if (rc == SF_OK && sf_mkdir_p(c.cachedir) != 0)
            rc = sf_fail(&e, SF_EUSER, "%s: cannot create directory: %s", c.cachedir, strerror(errno));
        else if (rc == SF_OK)
            sf_remove_stale_temporaries(c.cachedir, c.cfg.out_file);
    }
    rc = sf_par_round_sync(rc, &e, 0, NULL);
    if (rc) {
        if (me == 0) sf_cli_error(e.msg);
        sf_lock_release(lock);
        run_ctx_free(&c);
        sf_par_finalize();
        return rc;
    }
    sf_plan_make(P, c.years, c.nyears, c.cfg.ranks_per_year, &c.plan);
    sf_grid_create(&c.plan, MPI_COMM_WORLD, &c.grid);
    {
        char ys[256];
        sf_format_int_list(c.cfg.years, c.cfg.nyears, ys, sizeof ys);
        sf_info("silkflow %s: %s, years %s%s%s, %d regions x %d sectors, focal %s", SF_VERSION, c.cfg.data_path, ys,
                c.lag_year ? " (+ " : "", c.lag_year ? "lag year)" : "", c.lab->G, c.lab->n, c.cfg.focal);
        sf_info("plan: %d rank%s, %d group%s of %d-%d ranks (BLACS grid %dx%d on group 0), block %d, predicted "
                "memory per year %.3f GB on a group root, %.3f GB on the busiest node", P, P > 1 ? "s" : "",
                c.plan.ngroups,
                c.plan.ngroups > 1 ? "s" : "", c.plan.first[1] - c.plan.first[0],
                c.plan.first[c.plan.ngroups] - c.plan.first[c.plan.ngroups - 1], c.grid.nprow, c.grid.npcol,
                c.cfg.block, mem_root / 1e9, mem_node / 1e9);
        sf_blas_info b;
        sf_blas_query(&b);
        if (strcmp(b.name, "OpenBLAS"))
            sf_info("plan: BLAS unknown (%s), kernel unknown", b.library);
        else
            sf_info("plan: BLAS OpenBLAS %s, kernel %s, %d thread%s per rank; %s", b.version, b.kernel, b.threads,
                    b.threads == 1 ? "" : "s", b.selection);
    }
    /* this group's years */
    int *mine = sf_malloc(sizeof(int) * (size_t)(c.nyears + 1)), nmine = 0;
    for (int i = 0; i < c.nyears; i++)
        if (c.plan.year_group[i] == c.grid.group) mine[nmine++] = c.years[i];
    const int rounds = (c.nyears + c.plan.ngroups - 1) / c.plan.ngroups;
    year_rec *all = me == 0 ? sf_malloc(sizeof(year_rec) * (size_t)P) : NULL;
    int stop = 0;
    for (int k = 0; k < rounds && rc == SF_OK; k++) {
        year_rec rec;
        memset(&rec, 0, sizeof rec);
        int code = SF_OK;
        if (k < nmine) code = process_year(&c, mine[k], &rec, &e);
        sf_par_gather_bytes(&rec, sizeof rec, all);
        rc = sf_par_round_sync(code, &e, g_stop, &stop);
        if (me == 0) print_round(&c, all, P);
        if (rc == SF_OK && stop) {
            rc = SF_EUSER;
            if (me == 0)
                sf_fail(&e, SF_EUSER, "stopped by a signal after round %d of %d; completed years are kept in %s "
                        "(rerun or use --resume to continue)", k + 1, rounds, c.cachedir);
        }
    }
    free(mine);
    free(all);
    if (rc == SF_OK && years_only) {
        sf_info("years-only: %d year%s in %s; the results file is assembled by a run without --years-only",
                c.nyears, c.nyears > 1 ? "s" : "", c.cachedir);
    } else if (rc == SF_OK) {
        /* the results file and the later stages run on rank 0 */
        const sf_run_info ri = {.cfg = &c.cfg, .lab = c.lab, .cachedir = c.cachedir, .years = c.years,
                                .nyears = c.nyears, .lag_year = c.lag_year, .focal = c.focal, .partners = c.partners,
                                .npartners = c.npartners, .ind_of = c.ind_of, .world_size = P,
                                .ngroups = c.plan.ngroups, .grid_rows = c.grid.nprow, .grid_cols = c.grid.npcol,
                                .t_start = t_start, .run_id = c.run_id};
        if (me == 0) {
            rc = sf_finish_assemble(&ri, &e);
        }
        rc = sf_par_round_sync(rc, &e, g_stop, &stop);
        if (rc == SF_OK && stop) {
            rc = SF_EUSER;
            if (me == 0)
                sf_fail(&e, SF_EUSER, "stopped by a signal after assembling the results file; completed years "
                        "are kept in %s (rerun or use --resume to continue)", c.cachedir);
        }
        char *partial = sf_partial_path(c.cfg.out_file, c.run_id);
        /* estimation: every rank, bootstrap replicates split over them */
        if (rc == SF_OK && c.cfg.models) {
            sf_estimate_args ea = {.panel = partial, .models = c.cfg.models, .out = c.cfg.tables_dir,
                                   .boot = c.cfg.bootstrap, .boot_set = 1, .seed = c.cfg.seed, .vcov = c.cfg.est_vcov,
                                   .quiet = quiet, .stop = &g_stop};
            double te = sf_now();
            rc = sf_estimate_main(&ea, me, P, &e);
            rc = sf_par_round_sync(rc, &e, 0, NULL);
            if (rc == SF_OK) sf_info("%-10s %7.2f s  %s", "estimate", sf_now() - te, c.cfg.models);
        }
        if (rc == SF_OK && me == 0) {
            rc = sf_finish_complete(&ri, &e);
        }
        if (rc && me == 0) remove(partial); /* a stopped or failed run leaves no partial file */
        free(partial);
        rc = sf_par_round_sync(rc, &e, 0, NULL);
    }
    if (rc && me == 0) sf_cli_error(e.msg);
    double peak = sf_par_max_double(sf_peak_rss());
    if (rc == SF_OK)
        sf_info("done in %.1f s: %s (peak memory %.3f GB on the largest rank, predicted %.3f GB per group root)",
                sf_now() - t_start, years_only ? c.cachedir : c.cfg.out_file, peak / 1e9, mem_root / 1e9);
    sf_lock_release(lock);
    sf_grid_free(&c.grid);
    sf_plan_free(&c.plan);
    run_ctx_free(&c);
    sf_par_finalize();
    return rc;
}
