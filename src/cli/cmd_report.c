/* silkflow report FILE.h5: (re)write the report of a results file. */
#include <stdio.h>
#include <string.h>

#include "silkflow/cli.h"
#include "silkflow/common.h"
#include "silkflow/report.h"

static const char *REPORT_HELP =
    "usage: silkflow report FILE.h5 [--out DIR] [--tables DIR] [--gnuplot PATH] [--no-figures] [--quiet]\n"
    "\n"
    "Writes a readable report of a results file: DIR/report.md and DIR/report.html (one\n"
    "self-contained page that opens from DIR) with the run summary, diagnostics, the\n"
    "regression and trade tables, and figures drawn by gnuplot in DIR/figures (PNG and\n"
    "SVG, with the gnuplot script of each). `silkflow run` writes the same report at the\n"
    "end of a run unless [output] report = false. See docs/output.md.\n"
    "\n"
    "options:\n"
    "  --out DIR       report directory (default: beside the results file, <stem>-report,\n"
    "                  e.g. out/wiod2013-bri.h5 -> out/wiod2013-bri-report)\n"
    "  --tables DIR    directory of the regression tables (<table>.md) and trade.md\n"
    "                  (default: [output] tables of the run's config, stored in the file)\n"
    "  --gnuplot PATH  gnuplot executable (default: $SF_GNUPLOT, else gnuplot on PATH)\n"
    "  --no-figures    do not draw figures (the report says so)\n"
    "  --quiet         no progress line\n"
    "\n"
    "Without gnuplot the report is still written, and says that the figures were skipped.\n";

int sf_cmd_report(int argc, char **argv)
{
    if (sf_cli_wants_help(argc, argv)) {
        fputs(REPORT_HELP, stdout);
        return 0;
    }
    sf_report_opts o = {0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if ((!strcmp(a, "--out") || !strcmp(a, "--tables") || !strcmp(a, "--gnuplot")) && i + 1 >= argc) {
            fprintf(stderr, "silkflow: error: report: %s needs a value\n", a);
            return 1;
        }
        if (!strcmp(a, "--out"))
            o.out_dir = argv[++i];
        else if (!strcmp(a, "--tables"))
            o.tables_dir = argv[++i];
        else if (!strcmp(a, "--gnuplot"))
            o.gnuplot = argv[++i];
        else if (!strcmp(a, "--no-figures"))
            o.no_figures = 1;
        else if (!strcmp(a, "--quiet"))
            sf_log_set_quiet(1);
        else if (a[0] == '-') {
            fprintf(stderr, "silkflow: error: report: unknown option '%s'\n\n%s", a, REPORT_HELP);
            return 1;
        } else if (!o.results)
            o.results = a;
        else {
            fprintf(stderr, "silkflow: error: report: unexpected argument '%s'\n", a);
            return 1;
        }
    }
    if (!o.results) {
        fprintf(stderr, "silkflow: error: report: missing FILE.h5\n\n%s", REPORT_HELP);
        return 1;
    }
    if (o.tables_dir && !sf_is_dir(o.tables_dir)) {
        fprintf(stderr, "silkflow: error: report: --tables %s: no such directory\n", o.tables_dir);
        return 1;
    }
    sf_err e = {0};
    int rc = sf_report_write(&o, NULL, &e);
    if (rc) sf_cli_error(e.msg);
    return rc;
}
