/* silkflow synth: write a synthetic release in the exact Eora26 on-disk layout. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "silkflow/cli.h"
#include "silkflow/common.h"
#include "silkflow/synth.h"

static const char *HELP =
    "usage: silkflow synth --out DIR [--format eora26] [--regions G] [--sectors N | --rows R]\n"
    "                      [--years 2003-2021] [--seed S] [options]\n"
    "\n"
    "Writes a synthetic multi-region input-output release in the exact Eora26 on-disk\n"
    "layout: DIR/Eora26_YYYY_bp.zip per year holding Eora26_YYYY_bp_{T,FD,VA,Q,QY}.txt\n"
    "and labels_{T,FD,VA,Q}.txt (the real Eora26 labels). Values are thousands of US$,\n"
    "balanced (row and column totals agree to 5e-8 relative plus rounding), with gravity\n"
    "trade, zero-output sectors, negative inventories and subsidies. The same seed gives\n"
    "byte-identical zips; every year can be written alone and gives the same bytes.\n"
    "\n"
    "options:\n"
    "  --out DIR        output directory (created when missing; required)\n"
    "  --format F       eora26 (the only format; default)\n"
    "  --regions G      regions including the ROW account, 2..190 (default 190: the first\n"
    "                   G-1 countries of the labels + ROW with one sector)\n"
    "  --sectors N      sectors per country, the first N Eora26 sector names (default 26)\n"
    "  --rows R         heterogeneous release with R rows in all: countries get different\n"
    "                   sector counts (most 26, a few with hundreds, like the full Eora;\n"
    "                   190 regions and 15909 rows is full-Eora size), sectors 'Sector k'\n"
    "  --years LIST     years, e.g. 2003-2021, 2005, 2003,2007-2009 (default 2003-2021;\n"
    "                   each within 1900-2100)\n"
    "  --seed S         random seed, a non-negative integer (default 1)\n"
    "  --labels DIR     directory of labels_{T,FD,VA,Q}.txt (default: data/eora26-labels\n"
    "                   next to the executable, else in the data directory, else under\n"
    "                   the current directory)\n"
    "  --digits P       significant digits of the numbers, 3..17 (default 9; with 9 or\n"
    "                   more, row and column totals agree within 1e-6 relative)\n"
    "  --min-flow K     flows below K thousand US$ become 0 or about K with the\n"
    "                   probability that keeps their expectation (default 1; 0 = dense)\n"
    "  --level L        deflate level 1 (fast, default) .. 9 (small); 0 stores uncompressed\n"
    "  --crlf           CRLF line ends (default LF)\n"
    "  --jobs J         write J years at the same time (threads; default 1)\n"
    "  --serial         format numbers on the deflating thread (by default a second\n"
    "                   thread formats while libzip deflates; same bytes either way)\n"
    "  --quiet          no progress lines (errors still go to stderr)\n"
    "  -h, --help       this help\n"
    "\n"
    "Prints one line per year written: year, seconds, size of the zip in MB.\n"
    "Each zip is written under a temporary name and renamed when complete.\n"
    "Exit codes: 0 success, 1 bad option or unwritable output, 2 internal failure.\n";

static int usage_error(const char *fmt, const char *a, const char *b)
{
    char msg[512];
    snprintf(msg, sizeof msg, fmt, a, b);
    sf_cli_error(msg);
    fputs("(see 'silkflow synth --help')\n", stderr);
    return 1;
}

static int parse_int_opt(const char *opt, const char *val, long lo, long hi, int *out)
{
    long v;
    if (sf_parse_int(val, &v) || v < lo || v > hi) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s: expected an integer within %ld-%ld, got '%s'", opt, lo, hi, val);
        sf_cli_error(msg);
        return 1;
    }
    *out = (int)v;
    return 0;
}

int sf_cmd_synth(int argc, char **argv)
{
    if (sf_cli_wants_help(argc, argv)) {
        fputs(HELP, stdout);
        return 0;
    }
    sf_synth_opts o;
    sf_synth_opts_default(&o);
    const char *years_s = "2003-2021", *format = "eora26";
    int quiet = 0, jobs = 1, sectors_given = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = NULL;
        char key[64];
        /* --opt=value or --opt value */
        const char *eq = strncmp(a, "--", 2) == 0 ? strchr(a, '=') : NULL;
        if (eq) {
            size_t kl = (size_t)(eq - a);
            if (kl >= sizeof key) kl = sizeof key - 1;
            memcpy(key, a, kl);
            key[kl] = 0;
            val = eq + 1;
        } else {
            snprintf(key, sizeof key, "%s", a);
        }
        int is_flag = !strcmp(key, "--crlf") || !strcmp(key, "--quiet") || !strcmp(key, "-q") ||
                      !strcmp(key, "--serial");
        static const char *valued[] = {"--out",  "--format", "--regions", "--sectors",  "--rows",  "--years",
                                       "--seed", "--labels", "--digits",  "--min-flow", "--level", "--jobs"};
        int is_valued = 0;
        for (size_t k = 0; k < sizeof valued / sizeof valued[0]; k++) is_valued |= !strcmp(key, valued[k]);
        if (!is_flag && !is_valued) {
            if (a[0] == '-') return usage_error("unknown option '%s'%s", a, "");
            return usage_error("unexpected argument '%s'%s", a, "");
        }
        if (is_flag) {
            if (val) return usage_error("option '%s' takes no value%s", key, "");
            if (!strcmp(key, "--crlf")) o.crlf = 1;
            else if (!strcmp(key, "--serial")) o.pipeline = 0;
            else quiet = 1;
            continue;
        }
        if (!val) {
            if (i + 1 >= argc) return usage_error("option '%s' needs a value%s", key, "");
            val = argv[++i];
        }
        if (!*val) return usage_error("option '%s' needs a non-empty value%s", key, "");
        if (!strcmp(key, "--out")) o.out_dir = val;
        else if (!strcmp(key, "--format")) format = val;
        else if (!strcmp(key, "--labels")) o.labels_dir = val;
        else if (!strcmp(key, "--years")) years_s = val;
        else if (!strcmp(key, "--regions")) {
            if (parse_int_opt(key, val, 2, 100000, &o.regions)) return 1;
        } else if (!strcmp(key, "--sectors")) {
            if (parse_int_opt(key, val, 1, 100000, &o.sectors)) return 1;
            sectors_given = 1;
        } else if (!strcmp(key, "--rows")) {
            if (parse_int_opt(key, val, 2, SF_SYNTH_MAX_ROWS, &o.rows)) return 1;
        } else if (!strcmp(key, "--digits")) {
            if (parse_int_opt(key, val, 3, 17, &o.digits)) return 1;
        } else if (!strcmp(key, "--level")) {
            if (parse_int_opt(key, val, 0, 9, &o.level)) return 1;
        } else if (!strcmp(key, "--jobs")) {
            if (parse_int_opt(key, val, 1, 64, &jobs)) return 1;
        } else if (!strcmp(key, "--min-flow")) {
            double d;
            if (sf_parse_double(val, &d) || !(d >= 0) || d > 1e12)
                return usage_error("--min-flow: expected a number >= 0 (thousands of US$), got '%s'%s", val, "");
            o.min_flow = d;
        } else if (!strcmp(key, "--seed")) {
            char *end;
            errno = 0;
            unsigned long long sd = strtoull(val, &end, 0);
            if (errno || *end || val[0] == '-' || val[0] == '+')
                return usage_error("--seed: expected a non-negative integer, got '%s'%s", val, "");
            o.seed = (uint64_t)sd;
        }
    }
    if (strcmp(format, "eora26") != 0)
        return usage_error("--format '%s' is not supported (only eora26)%s", format, "");
    if (!o.out_dir) return usage_error("--out DIR is required%s%s", "", "");
    if (o.rows > 0 && sectors_given) return usage_error("--rows and --sectors exclude each other%s%s", "", "");

    int *years = NULL, ny = 0;
    if (sf_parse_int_list(years_s, &years, &ny) || ny == 0)
        return free(years), usage_error("--years: expected years like 2003-2021 or 2005,2007, got '%s'%s", years_s, "");
    for (int k = 0; k < ny; k++)
        if (years[k] < 1900 || years[k] > 2100) {
            char y[16];
            snprintf(y, sizeof y, "%d", years[k]);
            free(years);
            return usage_error("--years: year %s is outside 1900-2100%s", y, "");
        }

    if (sf_mkdir_p(o.out_dir) != 0 || !sf_is_dir(o.out_dir)) {
        free(years);
        return usage_error("--out %s: cannot create the directory%s", o.out_dir, "");
    }
    if (access(o.out_dir, W_OK | X_OK) != 0) {
        free(years);
        return usage_error("--out %s: directory is not writable%s", o.out_dir, "");
    }

    sf_err e;
    sf_err_clear(&e);
    sf_synth *s = NULL;
    int rc = sf_synth_open(&o, &s, &e);
    if (rc) {
        sf_cli_error(e.msg);
        free(years);
        return rc;
    }
    if (!quiet) {
        printf("synth: %d regions, %d rows, %d final-demand columns, %d satellite rows, %d year%s -> %s\n",
               sf_synth_regions(s), sf_synth_n(s), sf_synth_nfd(s), sf_synth_q(s), ny, ny == 1 ? "" : "s",
               o.out_dir);
        fflush(stdout);
    }
    double t0 = sf_now();
    rc = sf_synth_write_years(s, years, ny, jobs, quiet, &e);
    if (rc) sf_cli_error(e.msg);
    else if (!quiet)
        printf("synth: %d year%s in %.2f s\n", ny, ny == 1 ? "" : "s", sf_now() - t0);
    sf_synth_free(s);
    free(years);
    return rc;
}
