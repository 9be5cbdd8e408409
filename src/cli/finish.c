/* Rank 0's part of a run after the years: the results file (assembled from
 * the year cache under a temporary name, renamed when complete), then the
 * panel, estimation and report stages. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
    H5Gclose(g);
    return rc;
}

static int copy_years(sf_h5 *h, const sf_run_info *ri, sf_err *e)
{
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    int rc = SF_OK;
    for (int i = 0; i < ri->nyears && rc == SF_OK; i++) {
        char *path = sf_year_file_path(ri->cachedir, ri->years[i]);
        sf_h5 y;
        rc = sf_h5_open(&y, path, 0, e);
        if (!rc) {
            char gname[32];
            snprintf(gname, sizeof gname, "/years/%d", ri->years[i]);
            if (H5Ocopy(y.file, gname, h->file, gname, H5P_DEFAULT, lcpl) < 0)
                rc = sf_fail(e, SF_EINTERNAL, "%s: cannot copy %s into the results file", path, gname);
            sf_h5_close(&y, NULL);
        }
        free(path);
    }
    H5Pclose(lcpl);
    return rc;
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
        int rc = sf_fail(e, SF_EUSER, "%s: cannot create directory for [output] file", dir);
        free(dir);
        return rc;
    }
    free(dir);
    char *tmp = sf_partial_path(out, ri->run_id);
    double t0 = sf_now();
    sf_h5 h;
    int rc = sf_h5_create(&h, tmp, MPI_COMM_NULL, e);
    if (rc) {
        free(tmp);
        return rc;
    }
    write_root_attrs(h.file, ri);
    sf_h5_attr_str(h.file, "status", "assembling");
    rc = write_labels(&h, ri->lab, e);
    if (!rc) rc = copy_years(&h, ri, e);
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
    if (!rc) {
        char buf[64];
        snprintf(buf, sizeof buf, "%.3f", sf_now() - ri->t_start);
        sf_h5_attr_double(h.file, "seconds_total", sf_now() - ri->t_start);
        sf_h5_attr_str(h.file, "status", "complete");
        rc = sf_h5_close(&h, e);
    }
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
