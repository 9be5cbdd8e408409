/* silkflow report: a readable summary of a results file (docs/output.md,
 * "The report"). From the results file alone (plus the regression tables of
 * the tables directory when present) it writes
 *   <out>/report.md     run summary, diagnostics, tables, figures with captions
 *   <out>/report.html   the same as one self-contained page (inline CSS; the
 *                       figures referenced by relative path, so the directory
 *                       opens and moves as a whole)
 *   <out>/figures/NAME.png, NAME.svg   drawn by gnuplot (pngcairo and svg terminals)
 * A figure whose data are missing is skipped with a note saying why; without
 * gnuplot the report is still written and says that the figures were skipped.
 * Serial; rank 0 only. */
#ifndef SILKFLOW_REPORT_H
#define SILKFLOW_REPORT_H

#include "silkflow/common.h"

typedef struct {
    const char *results;    /* a complete results file */
    const char *out_dir;    /* NULL: sf_report_default_dir(results) */
    const char *tables_dir; /* regression tables (*.md); NULL: [output] tables of the config text stored in
                               the results file, if that directory exists */
    const char *gnuplot;    /* NULL: $SF_GNUPLOT, else "gnuplot" on PATH */
    int no_figures;         /* 1: write no figures (the report says so) */
} sf_report_opts;

typedef struct {
    int figures;      /* figures drawn */
    int skipped;      /* figures skipped (a note in the report says why) */
    char md[4096];    /* path of report.md */
    char html[4096];  /* path of report.html */
} sf_report_result;

/* Default report directory of a results file: <dir>/<stem>-report, e.g.
 * out/wiod2013-bri.h5 -> out/wiod2013-bri-report (malloc'ed). Each results
 * file gets its own directory, so two configs writing into out/ do not
 * overwrite each other's report. */
char *sf_report_default_dir(const char *results);

/* Write the report. Errors: unreadable or incomplete results file, or an
 * output directory that cannot be written (SF_EUSER). res may be NULL. */
int sf_report_write(const sf_report_opts *o, sf_report_result *res, sf_err *e);

#endif
