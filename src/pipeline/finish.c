/* Rank 0's part of a run after the years: the results file (assembled from
 * the year cache under a temporary name, renamed when complete), then the
 * panel, estimation and report stages. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "silkflow/cli.h"
#include "silkflow/h5.h"
#include "silkflow/par.h"
#include "silkflow/pipeline.h"
#include "silkflow/report.h"
#include "silkflow/version.h"

static int write_root_attrs(hid_t f, const sf_run_info *ri)
{
    const sf_config *cfg = ri->cfg;
    char buf[4096];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    sf_h5_attr_str(f, "software", "silkflow");
    sf_h5_attr_str(f, "version", SF_VERSION);
    sf_h5_attr_str(f, "git_revision", sf_git_revision());
    sf_h5_attr_str(f, "created_utc", buf);
    sf_h5_attr_str(f, "config_file", cfg->path);
    sf_h5_attr_str(f, "config_text", cfg->text);
    sf_h5_attr_str(f, "config_sha256", cfg->sha256);
    sf_h5_attr_str(f, "config_year_sha256", "");
    sf_h5_attr_str(f, "source_format", cfg->format);
    sf_h5_attr_str(f, "source_path", cfg->data_path);
    sf_h5_attr_str(f, "source_prefix", cfg->prefix);
    sf_h5_attr_str(f, "units", cfg->units);
    sf_h5_attr_int(f, "mpi_ranks", ri->world_size);
    snprintf(buf, sizeof buf, "%d group%s of ranks, one BLACS grid each (group 0: %dx%d), block %d", ri->ngroups,
             ri->ngroups > 1 ? "s" : "", ri->grid_rows, ri->grid_cols, cfg->block);
    sf_h5_attr_str(f, "grid", buf);
    sf_library_versions(buf, sizeof buf);
    sf_h5_attr_str(f, "library_versions", buf);
    const char *job = getenv("SLURM_JOB_ID");
    sf_h5_attr_str(f, "slurm_job_id", job ? job : "");
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    sf_h5_attr_str(f, "hostname", host);
    char ys[512];
    sf_format_int_list(cfg->years, cfg->nyears, ys, sizeof ys);
    sf_h5_attr_str(f, "years", ys);
    sf_h5_attr_str(f, "focal", cfg->focal);
    return 0;
}

static int write_labels(sf_h5 *h, const sf_labels *lab, sf_err *e)
{
    hid_t g = sf_h5_group(h, "/labels");
    hsize_t G = (hsize_t)lab->G, n = (hsize_t)lab->n;
    int rc = sf_h5_write_strings(h, g, "region_code", G, lab->region_code, e);
    if (!rc && lab->region_name) rc = sf_h5_write_strings(h, g, "region_name", G, lab->region_name, e);
    if (!rc) rc = sf_h5_write_int(h, g, "sector_region", 1, &n, lab->sector_region, e);
    if (!rc) rc = sf_h5_write_int(h, g, "sector_industry", 1, &n, lab->sector_industry, e);
    if (!rc && lab->sector_name) rc = sf_h5_write_strings(h, g, "sector_name", n, lab->sector_name, e);
    if (!rc) {
        hsize_t G1 = G + 1;
        rc = sf_h5_write_int(h, g, "region_start", 1, &G1, lab->region_start, e);
    }
    sf_h5_close_object(g);
    return rc;
}

/* /provenance: the BLAS of this run's rank 0 (library, version, kernel, threads
 * per rank and how the kernel was chosen) */
static void write_blas_attrs(hid_t g)
{
    sf_blas_info b;
    sf_blas_query(&b);
    char sum[512];
    sf_blas_summary(sum, sizeof sum);
    sf_h5_attr_str(g, "blas", sum);
    sf_h5_attr_str(g, "blas_library", b.library);
    sf_h5_attr_str(g, "blas_name", b.name);
    sf_h5_attr_str(g, "blas_version", b.version);
    sf_h5_attr_str(g, "blas_config", b.config);
    sf_h5_attr_str(g, "blas_kernel", b.kernel);
    sf_h5_attr_int(g, "blas_threads", b.threads);
    sf_h5_attr_str(g, "blas_kernel_selection", b.selection);
}

/* /provenance/timings: one row per year, the stage timings of its computation
 * (from the year's attributes, i.e. when it was computed), and the inputs */
static int write_provenance(sf_h5 *h, const sf_run_info *ri, sf_err *e)
{
    static const char *const cols[] = {"year", "read", "derive", "invert", "products", "decompose", "seconds"};
    const int nc = 7, ny = ri->nyears;
    double *t = sf_calloc((size_t)ny * nc, sizeof(double));
    int nin = 0;
    char **files = NULL, **hashes = NULL;
    for (int i = 0; i < ny; i++) {
        char gname[32];
        snprintf(gname, sizeof gname, "/years/%d", ri->years[i]);
        hid_t y = sf_h5_open_group(h->file, gname);
        double st[5] = {NAN, NAN, NAN, NAN, NAN}, sec = NAN;
        if (sf_h5_get_attr_doubles(y, "seconds_read_derive_invert_products_decompose", st, 5) != 0)
            for (int k = 0; k < 5; k++) st[k] = NAN;
        sf_h5_get_attr_double(y, "seconds", &sec);
        t[i * nc] = ri->years[i];
        for (int k = 0; k < 5; k++) t[i * nc + 1 + k] = st[k];
        t[i * nc + 6] = sec;
        char **f = NULL, **hs = NULL;
        hsize_t nf = 0, nh = 0;
        sf_h5_get_attr_strings(y, "input_files", &f, &nf);
        sf_h5_get_attr_strings(y, "input_sha256", &hs, &nh);
        files = sf_realloc(files, sizeof(char *) * (size_t)(nin + (int)nf + 1));
        hashes = sf_realloc(hashes, sizeof(char *) * (size_t)(nin + (int)nf + 1));
        for (hsize_t k = 0; k < nf; k++) {
            files[nin] = f[k];
            hashes[nin++] = k < nh ? hs[k] : sf_strdup("");
        }
        for (hsize_t k = nf; k < nh; k++) free(hs[k]);
        free(f);
        free(hs);
        sf_h5_close_object(y);
    }
    hid_t g = sf_h5_group(h, "/provenance");
    write_blas_attrs(g);
    hsize_t dims[2] = {(hsize_t)ny, (hsize_t)nc};
    int rc = sf_h5_write_double(h, g, "timings", 2, dims, t, e);
    if (!rc) {
        hid_t ds = sf_h5_open_dataset(g, "timings");
        sf_h5_attr_strings(ds, "columns", (hsize_t)nc, (char *const *)cols);
        sf_h5_attr_str(ds, "units", "seconds (when the year was computed; reused years keep their timings)");
        sf_h5_close_object(ds);
    }
    if (!rc) rc = sf_h5_write_strings(h, g, "input_files", (hsize_t)nin, files, e);
    if (!rc) rc = sf_h5_write_strings(h, g, "input_sha256", (hsize_t)nin, hashes, e);
    for (int k = 0; k < nin; k++) {
        free(files[k]);
        free(hashes[k]);
    }
    free(files);
    free(hashes);
    free(t);
    sf_h5_close_object(g);
    return rc;
}

static int copy_years(sf_h5 *h, const sf_run_info *ri, sf_err *e)
{
    int rc = SF_OK;
    for (int i = 0; i < ri->nyears && rc == SF_OK; i++) {
        char *path = sf_year_file_path(ri->cachedir, ri->years[i]);
        sf_h5 y;
        rc = sf_h5_open(&y, path, 0, e);
        if (!rc) {
            char gname[32];
            snprintf(gname, sizeof gname, "/years/%d", ri->years[i]);
            if (sf_h5_copy(y.file, gname, h->file) < 0)
                rc = sf_fail_write(e, SF_EINTERNAL, h->path, 0, 0, "%s: cannot copy %s from %s", h->path, gname,
                                   path);
            /* the year's dimension scales refer to objects of the cache file:
             * sf_results_describe attaches them again in this file */
            if (!rc && sf_h5_strip_scales(h->file, gname) < 0)
                rc = sf_fail_write(e, SF_EINTERNAL, h->path, 0, 0, "%s: cannot detach the scales of %s", h->path,
                                   gname);
            /* store_wwz = none: the country terms stay in the year cache only (the
             * network stage reads them there) */
            char wz[64];
            snprintf(wz, sizeof wz, "%s/wwz_country", gname);
            if (!rc && ri->cfg->store_wwz == 0) sf_h5_delete(h->file, wz);
            sf_h5_close(&y, NULL);
        }
        free(path);
    }
    return rc;
}

/* The space the results file is given before it is written (sf_file_reserve):
 * its years (which hold the panel rows), 15% and 2 MB more for the panel,
 * network, trade and estimates. */
static double results_bytes(const sf_run_info *ri)
{
    double need = 2e6;
    for (int i = 0; i < ri->nyears; i++) {
        char *path = sf_year_file_path(ri->cachedir, ri->years[i]);
        struct stat st;
        if (stat(path, &st) == 0) need += 1.15 * (double)st.st_size;
        free(path);
    }
    return need;
}

char *sf_partial_path(const char *out, const char *run_id)
{
    size_t l = strlen(out) + strlen(run_id ? run_id : "") + 16;
    char *tmp = sf_malloc(l);
    snprintf(tmp, l, "%s.partial.%s", out, run_id ? run_id : "0");
    return tmp;
}

void sf_run_id(char *buf, size_t n)
{
    char host[64] = "host";
    gethostname(host, sizeof host - 1);
    for (char *p = host; *p; p++)
        if (*p == '.' || *p == '/') *p = '-';
    snprintf(buf, n, "%s.%ld", host, (long)getpid());
    int len = (int)strlen(buf) + 1;
    sf_par_bcast_int(&len);
    sf_par_bcast(buf, len);
}

/* name ends in ".<tag>.<host>.<pid>" with our host and a dead pid */
static int stale(const char *name, const char *tag, const char *host)
{
    const char *t = strstr(name, tag);
    if (!t) return 0;
    t += strlen(tag);
    size_t hl = strlen(host);
    if (strncmp(t, host, hl) || t[hl] != '.') return 0;
    char *end;
    long pid = strtol(t + hl + 1, &end, 10);
    if (*end || pid <= 0) return 0;
    return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

static void sweep_dir(const char *dir, const char *prefix, const char *tag, const char *host)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (prefix && strncmp(de->d_name, prefix, strlen(prefix))) continue;
        if (!stale(de->d_name, tag, host)) continue;
        char *p = sf_path_join(dir, de->d_name);
        if (remove(p) == 0) sf_warn("removed %s, left by a killed run", p);
        free(p);
    }
    closedir(d);
}

void sf_remove_stale_temporaries(const char *cachedir, const char *out_file)
{
    char host[64] = "host";
    gethostname(host, sizeof host - 1);
    for (char *p = host; *p; p++)
        if (*p == '.' || *p == '/') *p = '-';
    sweep_dir(cachedir, NULL, ".tmp.", host);
    char *od = sf_dirname(out_file);
    sweep_dir(od, sf_basename(out_file), ".partial.", host);
    free(od);
}

int sf_finish_assemble(const sf_run_info *ri, sf_err *e)
{
    const char *out = ri->cfg->out_file;
    char *dir = sf_dirname(out);
    if (sf_mkdir_p(dir) != 0) {
        int rc = sf_fail(e, SF_EUSER, "%s: cannot create directory for [output] file: %s", dir, strerror(errno));
        free(dir);
        return rc;
    }
    free(dir);
    char *tmp = sf_partial_path(out, ri->run_id);
    double t0 = sf_now();
    sf_h5 h;
    int rc = sf_h5_create_serial(&h, tmp, e);
    if (rc) {
        free(tmp);
        return rc;
    }
    write_root_attrs(h.file, ri);
    sf_h5_attr_str(h.file, "status", "assembling");
    rc = sf_file_reserve(tmp, results_bytes(ri), "the results file", e);
    if (!rc) rc = write_labels(&h, ri->lab, e);
    if (!rc) rc = copy_years(&h, ri, e);
    if (!rc) sf_test_pause("assemble", 0); /* the results file half-written */
    if (!rc) rc = write_provenance(&h, ri, e);
    sf_frame *panel = NULL;
    if (!rc) rc = sf_panel_stage(ri, &h, &panel, e);
    if (!rc) rc = sf_network_stage(ri, &h, e);
    if (!rc) rc = sf_trade_stage(ri, &h, e);
    sf_frame_free(panel);
    int crc = sf_h5_close(&h, rc ? NULL : e);
    if (!rc) rc = crc;
    if (rc) remove(tmp);
    else sf_info("%-10s %s  %7.2f s  %d years, panel, network, trade", "assemble", tmp, sf_now() - t0, ri->nyears);
    free(tmp);
    return rc;
}

int sf_finish_complete(const sf_run_info *ri, sf_err *e)
{
    const char *out = ri->cfg->out_file;
    char *tmp = sf_partial_path(out, ri->run_id);
    sf_h5 h;
    int rc = sf_h5_open(&h, tmp, 1, e);
    if (!rc) rc = sf_results_describe(&h, e);
    if (!rc) {
        sf_h5_attr_double(h.file, "seconds_total", sf_now() - ri->t_start);
        sf_h5_attr_str(h.file, "status", "complete");
        rc = sf_h5_close(&h, e);
    }
    if (!rc) sf_file_unreserve(tmp, results_bytes(ri));
    if (!rc) {
        int fd = open(tmp, O_RDONLY);
        if (fd >= 0) {
            fsync(fd);
            close(fd);
        }
        if (rename(tmp, out) != 0) rc = sf_fail(e, SF_EUSER, "%s: cannot rename to %s", tmp, out);
    }
    if (rc) remove(tmp);
    free(tmp);
    /* the report stage: last, from the complete results file (docs/output.md) */
    if (!rc && ri->cfg->report) {
        sf_report_opts ro = {.results = out, .tables_dir = ri->cfg->tables_dir};
        rc = sf_report_write(&ro, NULL, e);
        if (rc) sf_err_prefix(e, "report (the results file %s is complete; retry with silkflow report)", out);
    }
    return rc;
}
