/* silkflow export FILE.h5 --to DIR: tidy long CSV (docs/output.md "Tidy
 * export"). Options here, the work in pipeline/export.c. */
#include <stdio.h>
#include <string.h>

#include "silkflow/cli.h"
#include "silkflow/common.h"
#include "silkflow/pipeline.h"

static const char *EXPORT_HELP =
    "usage: silkflow export FILE.h5 --to DIR [--what KINDS] [--quiet]\n"
    "\n"
    "Writes tidy long CSV files of a results file: one value per row, every axis a\n"
    "labelled column, numbers with 17 significant digits (an empty value is missing).\n"
    "\n"
    "  wwz        DIR/wwz.csv         year,exporter,importer,term,decompr_column,value\n"
    "             DIR/wwz_sector.csv  year,exporter,importer,industry,term,decompr_column,value\n"
    "                                 (when the run stored store_wwz = sector)\n"
    "             term is the WWZ term name (DVA_FIN ... ODC); decompr_column is its\n"
    "             position among the 16 term columns of R decompr's wwz()\n"
    "  vax        DIR/vax.csv         year,exporter,importer,value\n"
    "  vby        DIR/vby.csv         year,sector_code,importer,value\n"
    "  sector     DIR/sector.csv      year,variable,sector_code,value (x, va, exports and\n"
    "                                 the sector indicators dfwd, dva, fv, gvc_p, ...)\n"
    "  panel      DIR/panel.csv       year,partner,industry,group,variable,value\n"
    "  trade      DIR/trade_<part>.csv, trade_<part>_period.csv, ...  variable,<axes>,value\n"
    "  estimates  DIR/estimates.csv   one row per model and term: table,model,section,role,\n"
    "                                 depvar,term,coef,se,t,p,ci_lo,ci_hi,boot_p,nobs,\n"
    "                                 clusters,r2,r2_within,vcov,ssc,formula\n"
    "\n"
    "options:\n"
    "  --to DIR       output directory (created; each file written to a temporary name,\n"
    "                 then renamed)\n"
    "  --what KINDS   comma list of the kinds above (default: all that the file holds)\n"
    "  --quiet        no progress lines\n"
    "\n"
    "See docs/output.md. Exit codes: 0 ok, 1 user error.\n";

int sf_cmd_export(int argc, char **argv)
{
    if (sf_cli_wants_help(argc, argv)) {
        fputs(EXPORT_HELP, stdout);
        return 0;
    }
    const char *results = NULL, *dir = NULL, *what = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if ((!strcmp(a, "--to") || !strcmp(a, "--what")) && i + 1 >= argc) {
            fprintf(stderr, "silkflow: error: export: %s needs a value\n", a);
            return 1;
        }
        if (!strcmp(a, "--to"))
            dir = argv[++i];
        else if (!strcmp(a, "--what"))
            what = argv[++i];
        else if (!strcmp(a, "--quiet"))
            sf_log_set_quiet(1);
        else if (a[0] == '-') {
            fprintf(stderr, "silkflow: error: export: unknown option '%s' (see silkflow export --help)\n", a);
            return 1;
        } else if (!results)
            results = a;
        else {
            fprintf(stderr, "silkflow: error: export: unexpected argument '%s'\n", a);
            return 1;
        }
    }
    if (!results || !dir) {
        fprintf(stderr, "silkflow: error: export: give FILE.h5 and --to DIR\n\n%s", EXPORT_HELP);
        return 1;
    }
    sf_err e = {0};
    unsigned mask;
    int rc = sf_export_parse_what(what, &mask, &e);
    if (!rc) rc = sf_export(results, dir, mask, &e);
    if (rc) {
        sf_cli_error(e.msg);
        return rc == SF_EINTERNAL ? 2 : 1;
    }
    return 0;
}
