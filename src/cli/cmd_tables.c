/* silkflow tables FILE.h5: re-render the regression tables from /estimates
 * (docs/output.md "Regression tables"). Options here, the work in
 * report/retables.c. */
#include <stdio.h>
#include <string.h>

#include "silkflow/cli.h"
#include "silkflow/common.h"
#include "silkflow/tables.h"

static const char *TABLES_HELP =
    "usage: silkflow tables FILE.h5 [--models FILE] [--out DIR] [--quiet]\n"
    "\n"
    "Re-renders the regression tables from /estimates of a results file, without\n"
    "estimating again: the same tables (.txt, .md, .tex, .csv) that silkflow estimate\n"
    "and silkflow run write, byte for byte with the same style. The results file needs\n"
    "/estimates written by this version (silkflow estimate --panel FILE.h5 rewrites it).\n"
    "\n"
    "options:\n"
    "  --models FILE  take the style from the [tables] and [labels] sections of a models\n"
    "                 file (docs/methods.md section 11):\n"
    "                   [tables]\n"
    "                   coefstat = t | se | ci   below each coefficient: t statistic in\n"
    "                                           brackets (default), standard error in\n"
    "                                           parentheses, or the 95% CI in brackets\n"
    "                   digits   = 4             decimals (0 to 10)\n"
    "                   stars    = 0.1,0.05,0.01 p thresholds of *, **, *** (or none)\n"
    "                   [labels]\n"
    "                   ITR = \"Industrial transfer\"   names of variables and fixed effects\n"
    "  --out DIR      write DIR/<table>.txt, .md, .tex and .csv (written to a temporary\n"
    "                 name, then renamed)\n"
    "  --quiet        do not print the tables (with --out) and no progress line\n"
    "\n"
    "Without --out the tables are printed as text. Exit codes: 0 ok, 1 user error.\n";

int sf_cmd_tables(int argc, char **argv)
{
    if (sf_cli_wants_help(argc, argv)) {
        fputs(TABLES_HELP, stdout);
        return 0;
    }
    const char *results = NULL, *models = NULL, *out = NULL;
    int quiet = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if ((!strcmp(a, "--models") || !strcmp(a, "--out")) && i + 1 >= argc) {
            fprintf(stderr, "silkflow: error: tables: %s needs a value\n", a);
            return 1;
        }
        if (!strcmp(a, "--models"))
            models = argv[++i];
        else if (!strcmp(a, "--out"))
            out = argv[++i];
        else if (!strcmp(a, "--quiet"))
            quiet = 1;
        else if (a[0] == '-') {
            fprintf(stderr, "silkflow: error: tables: unknown option '%s' (see silkflow tables --help)\n", a);
            return 1;
        } else if (!results)
            results = a;
        else {
            fprintf(stderr, "silkflow: error: tables: unexpected argument '%s'\n", a);
            return 1;
        }
    }
    if (!results) {
        fprintf(stderr, "silkflow: error: tables: missing FILE.h5\n\n%s", TABLES_HELP);
        return 1;
    }
    sf_log_set_quiet(quiet);
    sf_err e = {0};
    int nt = 0;
    int rc = sf_tables_from_results(results, models, out, !(quiet && out), &nt, &e);
    if (rc) {
        sf_cli_error(e.msg);
        return rc == SF_EINTERNAL ? 2 : 1;
    }
    if (out) sf_info("tables: %d table(s) from %s written to %s", nt, results, out);
    return 0;
}
