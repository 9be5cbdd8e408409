/* silkflow run: the stage driver (docs/architecture.md, docs/hpc.md).
 *
 * Years are spread over groups of ranks (par/grid.c); each group computes its
 * years one after the other (year.c), in rounds: after every round all ranks
 * combine their status (an error anywhere stops the job with that error;
 * SIGTERM/SIGUSR1 stop it cleanly) and rank 0 prints the round's line; each
 * group root prints the stages of its year as they finish (progress.c). Each
 * year's results go to their own file in the year cache (<output>.years/YYYY.h5),
 * written under a temporary name and renamed when complete, so a killed run
 * never leaves a year that looks complete and a rerun reuses every year whose
 * inputs, settings and software version are unchanged. Rank 0 then assembles
 * the results file (also via a temporary name) and runs the panel, estimation
 * and report stages (finish.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "run_internal.h"
#include "silkflow/concordance.h"
#include "silkflow/lock.h"
#include "silkflow/par.h"
#include "silkflow/version.h"

static int same_file(const struct stat *a, const char *path)
{
    struct stat b;
    return path && stat(path, &b) == 0 && a->st_dev == b.st_dev && a->st_ino == b.st_ino;
}

/* The results file is replaced at the end of the run: it must not be a
 * directory, nor one of the run's inputs (the config, a year's zip or label
 * file, partners, concordance, aliases, models, covariates file). */
static int check_output(const sf_run_ctx *c, const char *cfgpath, const char *what, sf_err *e)
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

static int setup(sf_run_ctx *c, const char *cfgpath, const char *years_opt, const char *output, const char *cache,
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
static void run_ctx_free(sf_run_ctx *c)
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
static int take_lock(const sf_run_ctx *c, sf_lock **lock, sf_err *e)
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


/* Setup on every rank, the memory check, then the lock, the cache directory
 * and the sweep of stale temporaries on rank 0; the ranks agree on the outcome
 * of each step. */
static int run_start(sf_run_ctx *c, const sf_run_opts *o, sf_lock **lock, double *mem_root, double *mem_node,
                     sf_err *e)
{
    int rc = setup(c, o->config, o->years, o->output, o->cache, o->no_lag, e);
    /* every rank ran the same setup; they agree on the outcome */
    rc = sf_par_round_sync(rc, e, 0, NULL);
    if (rc) return rc;
    rc = sf_mem_check_world(c->lab, &c->cfg, c->focal, c->years, c->nyears, mem_root, mem_node, e);
    rc = sf_par_round_sync(rc, e, 0, NULL);
    if (rc) return rc;
    sf_run_id(c->run_id, sizeof c->run_id);
    /* one run at a time per output: rank 0 holds <results file>.lock until the end */
    if (sf_par_rank() == 0) {
        rc = take_lock(c, lock, e);
        if (rc == SF_OK && sf_mkdir_p(c->cachedir) != 0)
            rc = sf_fail(e, SF_EUSER, "%s: cannot create directory: %s", c->cachedir, strerror(errno));
        else if (rc == SF_OK)
            sf_remove_stale_temporaries(c->cachedir, c->cfg.out_file);
    }
    return sf_par_round_sync(rc, e, 0, NULL);
}

static void print_plan(const sf_run_ctx *c, int P, double mem_root, double mem_node)
{
    char ys[256];
    sf_format_int_list(c->cfg.years, c->cfg.nyears, ys, sizeof ys);
    sf_info("silkflow %s: %s, years %s%s%s, %d regions x %d sectors, focal %s", SF_VERSION, c->cfg.data_path, ys,
            c->lag_year ? " (+ " : "", c->lag_year ? "lag year)" : "", c->lab->G, c->lab->n, c->cfg.focal);
    const sf_plan *pl = &c->plan;
    sf_info("plan: %d rank%s, %d group%s of %d-%d ranks (BLACS grid %dx%d on group 0), block %d, predicted "
            "memory per year %.3f GB on a group root, %.3f GB on the busiest node", P, P > 1 ? "s" : "",
            pl->ngroups, pl->ngroups > 1 ? "s" : "", pl->first[1] - pl->first[0],
            pl->first[pl->ngroups] - pl->first[pl->ngroups - 1], c->grid.nprow, c->grid.npcol, c->cfg.block,
            mem_root / 1e9, mem_node / 1e9);
    char mv[128];
    int vmaj = 0, vmin = 0;
    sf_par_version(mv, sizeof mv, &vmaj, &vmin);
    sf_info("plan: MPI %s, %s", mv, sf_par_pml());
    sf_blas_info b;
    sf_blas_query(&b);
    if (strcmp(b.name, "OpenBLAS"))
        sf_info("plan: BLAS unknown (%s), kernel unknown", b.library);
    else
        sf_info("plan: BLAS OpenBLAS %s, kernel %s, %d thread%s per rank; %s", b.version, b.kernel, b.threads,
                b.threads == 1 ? "" : "s", b.selection);
}

/* The rounds of years. On rank 0, count[0..1]: the years computed and reused. */
static int run_years(sf_run_ctx *c, const volatile sig_atomic_t *stop_flag, int count[2], sf_err *e)
{
    const int P = sf_par_size(), me = sf_par_rank(), ngroups = c->plan.ngroups;
    /* this group's years */
    int *mine = sf_malloc(sizeof(int) * (size_t)(c->nyears + 1)), nmine = 0;
    for (int i = 0; i < c->nyears; i++)
        if (c->plan.year_group[i] == c->grid.group) mine[nmine++] = c->years[i];
    const int rounds = (c->nyears + ngroups - 1) / ngroups;
    sf_year_rec *all = me == 0 ? sf_malloc(sizeof(sf_year_rec) * (size_t)P) : NULL;
    c->pg.rounds = rounds;
    const double t_years = sf_now();
    int rc = SF_OK, stop = 0;
    for (int k = 0; k < rounds && rc == SF_OK; k++) {
        sf_year_rec rec;
        memset(&rec, 0, sizeof rec);
        c->pg.round = k + 1;
        c->pg.left = nmine - k - 1;
        int code = SF_OK;
        if (k < nmine) code = sf_year_process(c, mine[k], &rec, e);
        sf_par_gather_bytes(&rec, sizeof rec, all);
        rc = sf_par_round_sync(code, e, *stop_flag, &stop);
        if (me == 0) {
            /* only group roots carry the record */
            sf_progress_round(&c->pg, all, c->plan.first, ngroups, t_years);
            for (int g = 0; g < ngroups; g++) {
                const sf_year_rec *r = &all[c->plan.first[g]];
                if (r->year && r->status != SF_YEAR_FAILED) count[r->status == SF_YEAR_REUSED]++;
            }
        }
        if (rc == SF_OK && stop) {
            rc = SF_EUSER;
            if (me == 0)
                sf_fail(e, SF_EUSER, "stopped by a signal after round %d of %d; completed years are kept in %s "
                        "(rerun or use --resume to continue)", k + 1, rounds, c->cachedir);
        }
    }
    free(mine);
    free(all);
    return rc;
}

/* After the years: the results file and the panel, network and trade stages
 * (rank 0), the estimation (every rank), the report and the rename (rank 0). */
static int run_finish(sf_run_ctx *c, const sf_run_opts *o, double t_start, sf_err *e)
{
    const int P = sf_par_size(), me = sf_par_rank();
    const sf_run_info ri = {.cfg = &c->cfg, .lab = c->lab, .cachedir = c->cachedir, .years = c->years,
                            .nyears = c->nyears, .lag_year = c->lag_year, .focal = c->focal,
                            .partners = c->partners, .npartners = c->npartners, .ind_of = c->ind_of,
                            .world_size = P, .ngroups = c->plan.ngroups, .grid_rows = c->grid.nprow,
                            .grid_cols = c->grid.npcol, .t_start = t_start, .run_id = c->run_id};
    int rc = SF_OK, stop = 0;
    if (me == 0) rc = sf_finish_assemble(&ri, e);
    rc = sf_par_round_sync(rc, e, *o->stop, &stop);
    if (rc == SF_OK && stop) {
        rc = SF_EUSER;
        if (me == 0)
            sf_fail(e, SF_EUSER, "stopped by a signal after assembling the results file; completed years "
                    "are kept in %s (rerun or use --resume to continue)", c->cachedir);
    }
    char *partial = sf_partial_path(c->cfg.out_file, c->run_id);
    /* estimation: every rank, bootstrap replicates split over them */
    if (rc == SF_OK && c->cfg.models) {
        double te = sf_now();
        const sf_estimate_opts eo = {.panel = partial, .models = c->cfg.models, .out = c->cfg.tables_dir,
                                     .boot = c->cfg.bootstrap, .boot_set = 1, .seed = c->cfg.seed,
                                     .vcov = c->cfg.est_vcov, .vcov_from = "[estimate] vcov", .quiet = o->quiet,
                                     .stop = o->stop};
        rc = sf_estimate_stage(&eo, me, P, e);
        rc = sf_par_round_sync(rc, e, 0, NULL);
        if (rc == SF_OK) sf_info("%-10s %7.2f s  %s", "estimate", sf_now() - te, c->cfg.models);
    }
    if (rc == SF_OK && me == 0) rc = sf_finish_complete(&ri, e);
    if (rc && me == 0) remove(partial); /* a stopped or failed run leaves no partial file */
    free(partial);
    return sf_par_round_sync(rc, e, 0, NULL);
}

int sf_run(const sf_run_opts *o, sf_err *e)
{
    const int P = sf_par_size();
    sf_run_ctx c;
    memset(&c, 0, sizeof c);
    c.force = o->force;
    c.quiet = o->quiet;
    const double t_start = sf_now();
    c.pg.t_start = t_start;
    sf_lock *lock = NULL;
    double mem_root = 0, mem_node = 0;
    int rc = run_start(&c, o, &lock, &mem_root, &mem_node, e);
    if (rc) {
        sf_lock_release(lock);
        run_ctx_free(&c);
        return rc;
    }
    sf_plan_make(P, c.years, c.nyears, c.cfg.ranks_per_year, &c.plan);
    sf_grid_create_world(&c.plan, &c.grid);
    print_plan(&c, P, mem_root, mem_node);
    int count[2] = {0, 0};
    const double t_years = sf_now();
    rc = run_years(&c, o->stop, count, e);
    sf_big_release(); /* the years' big buffers, kept for reuse from year to year (util/bigmem.c) */
    const double s_years = sf_now() - t_years;
    if (rc == SF_OK && o->years_only)
        sf_summary("years-only: %d year%s in %s; the results file is assembled by a run without --years-only",
                   c.nyears, c.nyears > 1 ? "s" : "", c.cachedir);
    else if (rc == SF_OK)
        rc = run_finish(&c, o, t_start, e);
    double peak = sf_par_max_double(sf_peak_rss());
    if (rc == SF_OK) {
        sf_summary("years: %d (%d computed, %d reused) in %.1f s, %d round%s on %d group%s of ranks", c.nyears,
                   count[0], count[1], s_years, c.pg.rounds, c.pg.rounds > 1 ? "s" : "", c.plan.ngroups,
                   c.plan.ngroups > 1 ? "s" : "");
        sf_summary("done in %.1f s: %s (peak memory %.3f GB on the largest rank, predicted %.3f GB per group root)",
                   sf_now() - t_start, o->years_only ? c.cachedir : c.cfg.out_file, peak / 1e9, mem_root / 1e9);
    }
    sf_lock_release(lock);
    sf_grid_free(&c.grid);
    sf_plan_free(&c.plan);
    run_ctx_free(&c);
    return rc;
}
