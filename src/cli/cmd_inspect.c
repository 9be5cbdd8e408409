/* silkflow inspect FILE.h5: a readable summary of a results file (or of a
 * year cache file), and the panel as CSV. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "silkflow/cli.h"
#include "silkflow/h5.h"

static const char *INSPECT_HELP =
    "usage: silkflow inspect FILE.h5 [--panel-csv OUT.csv] [--years]\n"
    "\n"
    "Prints a summary of a silkflow results file: provenance (version, git revision,\n"
    "config hash, MPI ranks and grid, Slurm job, BLAS library, kernel and threads),\n"
    "the years with their status, inversion check and timings, the panel (rows,\n"
    "missing cells by column) and the estimates.\n"
    "\n"
    "options:\n"
    "  --panel-csv OUT.csv  write /panel as a CSV file (for Stata, R, Python)\n"
    "  --years              one line per year only\n";

typedef struct {
    int nyears;
    char names[512][16];
} year_list;

static herr_t collect_years(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
    (void)g;
    (void)info;
    year_list *y = data;
    if (y->nyears < 512) snprintf(y->names[y->nyears++], 16, "%s", name);
    return 0;
}

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

static double dataset_mb(hid_t loc, const char *name)
{
    if (H5Lexists(loc, name, H5P_DEFAULT) <= 0) return -1;
    hid_t ds = H5Dopen2(loc, name, H5P_DEFAULT);
    hsize_t sz = H5Dget_storage_size(ds);
    H5Dclose(ds);
    return (double)sz / 1e6;
}

int sf_cmd_inspect(int argc, char **argv)
{
    if (sf_cli_wants_help(argc, argv)) {
        fputs(INSPECT_HELP, stdout);
        return 0;
    }
    const char *path = NULL, *csv = NULL;
    int years_only = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--panel-csv") && i + 1 < argc)
            csv = argv[++i];
        else if (!strcmp(argv[i], "--years"))
            years_only = 1;
        else if (argv[i][0] == '-') {
            fprintf(stderr, "silkflow: error: inspect: unknown option '%s'\n\n%s", argv[i], INSPECT_HELP);
            return 1;
        } else if (!path)
            path = argv[i];
        else {
            fprintf(stderr, "silkflow: error: inspect: unexpected argument '%s'\n", argv[i]);
            return 1;
        }
    }
    if (!path) {
        fprintf(stderr, "silkflow: error: inspect: missing FILE.h5\n\n%s", INSPECT_HELP);
        return 1;
    }
    sf_err e = {0};
    sf_h5 h;
    if (sf_h5_open(&h, path, 0, &e)) {
        sf_cli_error(e.msg);
        return 1;
    }
    hid_t f = h.file;
    if (!years_only) {
        printf("%s\n", path);
        print_attr(f, "software", "software");
        print_attr(f, "version", "version");
        print_attr(f, "git_revision", "git revision");
        print_attr(f, "created_utc", "created (UTC)");
        print_attr(f, "status", "status");
        print_attr(f, "config_file", "config");
        print_attr(f, "config_sha256", "config sha256");
        print_attr(f, "source_format", "source format");
        print_attr(f, "source_path", "source path");
        print_attr(f, "units", "units");
        print_attr(f, "years", "years");
        print_attr(f, "focal", "focal region");
        print_attr(f, "grid", "grid");
        print_attr(f, "slurm_job_id", "slurm job");
        print_attr(f, "hostname", "host");
        if (sf_h5_exists(f, "/provenance")) {
            hid_t pg = H5Gopen2(f, "/provenance", H5P_DEFAULT);
            print_attr(pg, "blas", "blas");
            print_attr(pg, "blas_kernel_selection", "blas kernel");
            print_attr(pg, "blas_library", "blas library");
            H5Gclose(pg);
        }
        if (sf_h5_exists(f, "/labels/region_code")) {
            hsize_t G = 0, n = 0;
            char **codes = NULL;
            int *sr = NULL;
            sf_h5_read_strings(f, "/labels/region_code", &codes, &G, NULL);
            sf_h5_read_int(f, "/labels/sector_region", &sr, &n, NULL);
            printf("  %-16s %llu regions, %llu sectors\n", "table", (unsigned long long)G, (unsigned long long)n);
            for (hsize_t i = 0; i < G; i++) free(codes[i]);
            free(codes);
            free(sr);
        }
    }
    int rc = 0;
    if (sf_h5_exists(f, "/years")) {
        hid_t yg = H5Gopen2(f, "/years", H5P_DEFAULT);
        year_list yl = {0};
        H5Literate(yg, H5_INDEX_NAME, H5_ITER_INC, NULL, collect_years, &yl);
        printf("years (%d):\n  %-6s %-9s %-6s %9s %10s %10s %8s %8s  %s\n", yl.nyears, "year", "status", "role",
               "seconds", "rcond", "residual", "check", "MB", "inputs");
        for (int i = 0; i < yl.nyears; i++) {
            hid_t y = H5Gopen2(yg, yl.names[i], H5P_DEFAULT);
            char status[64] = "?", role[32] = "", check[32] = "";
            double secs = NAN, rcond = NAN, res = NAN;
            sf_h5_get_attr_str(y, "status", status, sizeof status);
            sf_h5_get_attr_str(y, "role", role, sizeof role);
            sf_h5_get_attr_str(y, "residual_check", check, sizeof check);
            sf_h5_get_attr_double(y, "seconds", &secs);
            sf_h5_get_attr_double(y, "rcond", &rcond);
            sf_h5_get_attr_double(y, "residual", &res);
            double mb = 0;
            const char *ds[] = {"x", "va", "exports", "vby", "vax", "vbe_country", "wwz_country", "wwz", "leontief",
                                "exports_bilateral"};
            for (size_t k = 0; k < sizeof ds / sizeof ds[0]; k++) {
                double m = dataset_mb(y, ds[k]);
                if (m > 0) mb += m;
            }
            char **files = NULL;
            hsize_t nf = 0;
            sf_h5_get_attr_strings(y, "input_files", &files, &nf);
            printf("  %-6s %-9s %-6s %9.2f %10.3g %10.3g %8s %8.1f  ", yl.names[i], status, role, secs, rcond, res,
                   check, mb);
            for (hsize_t k = 0; k < nf; k++) {
                printf("%s%s", k ? ", " : "", sf_basename(files[k]));
                free(files[k]);
            }
            free(files);
            printf("\n");
            H5Gclose(y);
        }
        H5Gclose(yg);
    }
    if (!years_only && sf_h5_exists(f, "/panel")) {
        hid_t pg = H5Gopen2(f, "/panel", H5P_DEFAULT);
        char **cols = NULL;
        hsize_t nc = 0;
        sf_h5_get_attr_strings(pg, "columns", &cols, &nc);
        double rows = 0;
        {
            hid_t a = H5Aexists(pg, "rows") > 0 ? H5Aopen(pg, "rows", H5P_DEFAULT) : -1;
            long long r = 0;
            if (a >= 0) {
                H5Aread(a, H5T_NATIVE_LLONG, &r);
                H5Aclose(a);
            }
            rows = (double)r;
        }
        printf("panel: %.0f rows, %llu columns\n", rows, (unsigned long long)nc);
        for (hsize_t j = 0; j < nc; j++) {
            char an[160];
            snprintf(an, sizeof an, "missing_%s", cols[j]);
            long long miss = 0;
            if (H5Aexists(pg, an) > 0) {
                hid_t a = H5Aopen(pg, an, H5P_DEFAULT);
                H5Aread(a, H5T_NATIVE_LLONG, &miss);
                H5Aclose(a);
            }
            char reason[1024] = "";
            snprintf(an, sizeof an, "missing_%s_reason", cols[j]);
            sf_h5_get_attr_str(pg, an, reason, sizeof reason);
            printf("  %-14s missing %7lld%s%s\n", cols[j], miss, *reason ? "  " : "", reason);
            free(cols[j]);
        }
        free(cols);
        H5Gclose(pg);
    }
    if (!years_only && sf_h5_exists(f, "/estimates")) {
        hid_t eg = H5Gopen2(f, "/estimates", H5P_DEFAULT);
        H5G_info_t info;
        H5Gget_info(eg, &info);
        printf("estimates: %llu models\n", (unsigned long long)info.nlinks);
        H5Gclose(eg);
    }
    if (csv) {
        sf_frame *p = NULL;
        if (sf_h5_read_frame(f, "/panel", &p, &e) || sf_frame_write_csv(p, csv, &e)) {
            sf_cli_error(e.msg);
            rc = 1;
        } else {
            printf("panel written to %s (%zu rows, %d columns)\n", csv, p->nrow, p->ncol);
        }
        sf_frame_free(p);
    }
    sf_h5_close(&h, NULL);
    return rc;
}
