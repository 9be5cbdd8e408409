/* silkflow: country-pair covariates and dummies from external country data
 * (docs/methods.md section 7). Every rule and source quirk is documented in
 * docs/covariates.md; data/covariates/README.md describes the files.
 *
 * sf_covariates_build reads the raw sources in a directory (data/covariates
 * layout) and returns one row per (partner, year) with the columns
 *   partner (string, as given), year, group (string),
 *   POL, ECO, CUL, CUL_filled, DIS, FTA, LF, D1, STAGE, BRI, BRI_year.
 * Missing inputs never stop the run: a missing cell is NaN, a missing source
 * file leaves its column all NaN, and the report says how many cells are
 * missing in each column and why. Malformed source files are SF_EUSER errors
 * naming the file and line. */
#ifndef SILKFLOW_COVARIATES_H
#define SILKFLOW_COVARIATES_H

#include <stddef.h>

#include "silkflow/common.h"
#include "silkflow/frame.h"

/* One reason for missing (or rule-filled) cells of a column, with the
 * number of cells it concerns. text names the countries and years. */
typedef struct {
    char *text;
    size_t cells;
} sf_cov_reason;

typedef struct {
    char name[32];
    int available;         /* 0: the source file is absent, every cell is NaN */
    size_t cells;          /* rows of the frame */
    size_t missing;        /* NaN cells */
    size_t filled;         /* cells filled by a documented rule (interpolation,
                              nearest year, fallback source, group mean) */
    int nmissing_why, nfilled_why;
    sf_cov_reason *missing_why, *filled_why;
} sf_cov_colreport;

typedef struct {
    int ncols;
    sf_cov_colreport *cols;
    int nwarnings;
    char **warnings;       /* e.g. countries absent from a source, absent files */
    int nnotes;
    char **notes;          /* source files used and rules applied */
} sf_cov_report;

/* Options; NULL means the defaults below. */
typedef struct {
    /* File with iso3,name,group (regional groups of the BRI countries).
     * NULL: DIR/../countries/bri64.csv, then DIR/bri64.csv. */
    const char *groups_file;
    /* DIS: 0 = the product in levels, km x US$ per barrel (Hu 2023, Table 1:
     * unit KM.$; the default); 1 = its logarithm ln(km x $), which is a
     * partner effect plus a year effect and so absorbed by partner + year
     * FEs ([covariates] dis_form = level | log). */
    int dis_log;
} sf_cov_options;

/* Build the covariate frame for focal x partners x years from the raw
 * sources in dir. Codes are taken as given (the partner column keeps them)
 * and looked up through the region aliases (sf_alias: ROM=ROU, ZAR=COD, ...)
 * plus SUD=SDN and SDS=SSD; each source's own historical codes are mapped
 * (docs/covariates.md). Years need not be sorted. On success *out holds
 * npartners * nyears rows (partner-major, years in the given order) and rep
 * (which must be zero-initialised or freed before) the report. */
int sf_covariates_build(const char *dir, const char *focal, char *const *partners, int npartners,
                        const int *years, int nyears, const sf_cov_options *opt, sf_frame **out,
                        sf_cov_report *rep, sf_err *e);

/* Join a user-provided country-year CSV (docs/config.md [covariates] file:
 * columns iso3 (or partner), year, then any others) onto a frame that has a
 * string column `partner` and a numeric column `year` (one or many rows per
 * key, e.g. the panel). New columns are added; a column that already exists
 * takes the file's value wherever the file has one (the file wins cell by
 * cell; its missing cells keep the existing value). Rows of the frame without
 * a match get NaN/NULL in new columns. Duplicate keys, bad years and type
 * clashes are SF_EUSER naming the file and line. rep may be NULL; otherwise
 * a column report per joined column is appended and a note summarises the
 * match. */
int sf_covariates_join_csv(sf_frame *f, const char *path, sf_cov_report *rep, sf_err *e);

/* Partner list file: one ISO3 code per line (3 letters, case-insensitive,
 * returned upper-case), '#' starts a comment, blank lines ignored. A bad
 * code, a second code on a line, a duplicate or an empty list is SF_EUSER
 * naming the file and line. */
int sf_partner_list_read(const char *path, char ***codes, int *n, sf_err *e);
void sf_partner_list_free(char **codes, int n);

/* ISO 3166-1 numeric -> alpha-3 (NULL when unknown). Covers the current
 * standard plus codes data sources still use: 530 ANT (ISO 3166-3), 736 SDN
 * (Sudan before 2011), 900 XKX (Kosovo, user-assigned as by the World Bank
 * and DESTA). */
const char *sf_iso_numeric_to_alpha3(int num);
/* The reverse (current code first); -1 when unknown. */
int sf_iso_alpha3_to_numeric(const char *alpha3);

/* Report helpers. */
const sf_cov_colreport *sf_cov_report_col(const sf_cov_report *r, const char *name);
/* Multi-line text (malloc'ed): one summary line per column with its
 * reasons, then warnings and notes. */
char *sf_cov_report_text(const sf_cov_report *r);
/* Summary via sf_info, warnings via sf_warn. */
void sf_cov_report_log(const sf_cov_report *r);
void sf_cov_report_free(sf_cov_report *r);

/* Du (2025): counts over the calendar years y0..y1 of the focal country's
 * trade agreements in force (DESTA dyads in dir: distinct base treaties with
 * an entry of the focal, entry into force <= t; and the distinct countries of
 * those entries) and of the countries that had signed a BRI cooperation
 * document by the end of t (bri_signatories*.csv; those without a date are
 * bri_undated). A source that is absent leaves its series NaN (and its file
 * name NULL); malformed files are SF_EUSER. docs/trade.md "Agreements". */
typedef struct {
    int n;
    int *year;
    double *fta_agreements, *fta_partners, *bri_signatories;
    int bri_undated;           /* -1 without the file */
    char *desta_file, *bri_file; /* basenames of the files read, NULL when absent */
} sf_cov_counts;
int sf_cov_agreement_counts(const char *dir, const char *focal, int y0, int y1, sf_cov_counts *c, sf_err *e);
void sf_cov_counts_free(sf_cov_counts *c);

#endif
