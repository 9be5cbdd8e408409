/* silkflow inspect (docs/output.md): a readable summary of a results file (or
 * of a year cache file) on stdout, and the panel as CSV. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "silkflow/common.h"
#include "silkflow/decomp.h"
#include "silkflow/frame.h"
#include "silkflow/h5.h"
#include "silkflow/pipeline.h"

static void print_attr(hid_t obj, const char *name, const char *label)
{
    char buf[4096];
    double v;
    if (sf_h5_get_attr_str(obj, name, buf, sizeof buf) == 0) {
        char *nl = strchr(buf, '\n');
        if (nl && strcmp(name, "library_versions")) *nl = '\0';
        printf("  %-16s %s\n", label, buf);
    } else if (sf_h5_get_attr_double(obj, name, &v) == 0) {
        printf("  %-16s %.10g\n", label, v);
    }
}

static void free_strings(char **s, size_t n)
{
    for (size_t i = 0; i < n; i++) free(s[i]);
    free(s);
}

static void print_provenance(const char *path, hid_t f)
{
    static const char *const A[][2] = {
        {"software", "software"},       {"version", "version"},
        {"git_revision", "git revision"}, {"created_utc", "created (UTC)"},
        {"status", "status"},           {"config_file", "config"},
        {"config_sha256", "config sha256"}, {"source_format", "source format"},
        {"source_path", "source path"}, {"units", "units"},
        {"years", "years"},             {"focal", "focal region"},
        {"grid", "grid"},               {"slurm_job_id", "slurm job"},
        {"hostname", "host"}};
    printf("%s\n", path);
    for (size_t i = 0; i < sizeof A / sizeof A[0]; i++) print_attr(f, A[i][0], A[i][1]);
    hid_t pg = sf_h5_open_group(f, "/provenance");
    if (pg >= 0) {
        print_attr(pg, "blas", "blas");
        print_attr(pg, "blas_kernel_selection", "blas kernel");
        print_attr(pg, "blas_library", "blas library");
        sf_h5_close_object(pg);
    }
    if (sf_h5_exists(f, "/labels/region_code")) {
        hsize_t G = 0, n = 0;
        char **codes = NULL;
        int *sr = NULL;
        sf_h5_read_strings(f, "/labels/region_code", &codes, &G, NULL);
        sf_h5_read_int(f, "/labels/sector_region", &sr, &n, NULL);
        printf("  %-16s %llu regions, %llu sectors\n", "table", (unsigned long long)G, (unsigned long long)n);
        free_strings(codes, G);
        free(sr);
    }
}

/* The WWZ identity verdict of a year group: 1 when its error exceeds the
 * tolerance stored with it (SF_WWZ_IDENTITY_TOL for files written before the
 * attribute). */
static int wwz_flagged(hid_t y, double *err, double *tol)
{
    *err = NAN;
    *tol = SF_WWZ_IDENTITY_TOL;
    sf_h5_get_attr_double(y, "wwz_identity_max_rel_error", err);
    sf_h5_get_attr_double(y, "wwz_identity_tolerance", tol);
    return isnan(*err) ? sf_h5_has_attr(y, "wwz_identity_max_rel_error") : *err > *tol;
}

static void print_year(hid_t yg, const char *name, char *flags, size_t nflags)
{
    hid_t y = sf_h5_open_group(yg, name);
    if (y < 0) return;
    char status[64] = "?", role[32] = "", check[32] = "";
    double secs = NAN, rcond = NAN, res = NAN, err, tol;
    sf_h5_get_attr_str(y, "status", status, sizeof status);
    sf_h5_get_attr_str(y, "role", role, sizeof role);
    sf_h5_get_attr_str(y, "residual_check", check, sizeof check);
    sf_h5_get_attr_double(y, "seconds", &secs);
    sf_h5_get_attr_double(y, "rcond", &rcond);
    sf_h5_get_attr_double(y, "residual", &res);
    const int flag = wwz_flagged(y, &err, &tol);
    double mb = 0;
    static const char *const ds[] = {"x",           "va",  "exports", "vby",      "vax",
                                     "vbe_country", "wwz_country", "wwz", "leontief", "exports_bilateral"};
    for (size_t k = 0; k < sizeof ds / sizeof ds[0]; k++) {
        long long b = sf_h5_storage_bytes(y, ds[k]);
        if (b > 0) mb += (double)b / 1e6;
    }
    char **files = NULL;
    hsize_t nf = 0;
    sf_h5_get_attr_strings(y, "input_files", &files, &nf);
    printf("  %-6s %-9s %-6s %9.2f %10.3g %10.3g %8s %10.2e %-4s %8.1f  ", name, status, role, secs, rcond, res, check,
           err, flag ? "FLAG" : "", mb);
    for (hsize_t k = 0; k < nf; k++) printf("%s%s", k ? ", " : "", sf_basename(files[k]));
    printf("\n");
    free_strings(files, nf);
    if (flag) {
        size_t l = strlen(flags);
        snprintf(flags + l, nflags - l, "FLAG: year %s: WWZ identity error %.2e exceeds its tolerance %.0e "
                 "(wwz_identity_max_rel_error of /years/%s; docs/methods.md)\n", name, err, tol, name);
    }
    sf_h5_close_object(y);
}

static void print_years(hid_t f)
{
    char **names = NULL;
    size_t n = 0;
    if (sf_h5_list(f, "/years", SF_H5_BY_NAME, &names, &n) != 0) return;
    hid_t yg = sf_h5_open_group(f, "/years");
    printf("years (%zu):\n  %-6s %-9s %-6s %9s %10s %10s %8s %10s %-4s %8s  %s\n", n, "year", "status", "role",
           "seconds", "rcond", "residual", "check", "wwz error", "", "MB", "inputs");
    char flags[8192] = "";
    for (size_t i = 0; i < n; i++) print_year(yg, names[i], flags, sizeof flags);
    fputs(flags, stdout);
    sf_h5_close_object(yg);
    free_strings(names, n);
}

static void print_panel(hid_t f)
{
    hid_t pg = sf_h5_open_group(f, "/panel");
    if (pg < 0) return;
    char **cols = NULL;
    hsize_t nc = 0;
    sf_h5_get_attr_strings(pg, "columns", &cols, &nc);
    double rows = 0;
    sf_h5_get_attr_double(pg, "rows", &rows);
    printf("panel: %.0f rows, %llu columns\n", rows, (unsigned long long)nc);
    for (hsize_t j = 0; j < nc; j++) {
        char an[160];
        snprintf(an, sizeof an, "missing_%s", cols[j]);
        double miss = 0;
        sf_h5_get_attr_double(pg, an, &miss);
        char reason[1024] = "";
        snprintf(an, sizeof an, "missing_%s_reason", cols[j]);
        sf_h5_get_attr_str(pg, an, reason, sizeof reason);
        printf("  %-14s missing %7.0f%s%s\n", cols[j], miss, *reason ? "  " : "", reason);
    }
    free_strings(cols, nc);
    sf_h5_close_object(pg);
}

static int write_panel_csv(hid_t f, const char *csv, sf_err *e)
{
    sf_frame *p = NULL;
    int rc = sf_h5_read_frame(f, "/panel", &p, e);
    if (!rc) rc = sf_frame_write_csv(p, csv, e);
    if (!rc) printf("panel written to %s (%zu rows, %d columns)\n", csv, p->nrow, p->ncol);
    sf_frame_free(p);
    return rc;
}

int sf_inspect(const char *path, const char *csv, int years_only, sf_err *e)
{
    sf_h5 h;
    int rc = sf_h5_open(&h, path, 0, e);
    if (rc) return rc;
    hid_t f = h.file;
    if (!years_only) print_provenance(path, f);
    print_years(f);
    if (!years_only) {
        print_panel(f);
        char **models = NULL;
        size_t nm = 0;
        if (sf_h5_list(f, "/estimates", SF_H5_BY_NAME, &models, &nm) == 0) printf("estimates: %zu models\n", nm);
        free_strings(models, nm);
    }
    if (csv) rc = write_panel_csv(f, csv, e);
    sf_h5_close(&h, NULL);
    return rc;
}
