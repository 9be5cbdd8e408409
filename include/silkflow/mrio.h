/* silkflow: multi-region input-output tables in memory, and the reader of the
 * Eora26 on-disk layout (also any MRIO in that layout with another file
 * prefix: format mrio-tsv). No MPI here.
 *
 * Layout on disk (see docs/ and ../shared/data/eora26-labels/README.md):
 *   <path>/<prefix>_YYYY_<price>.zip holding <prefix>_YYYY_<price>_{T,FD,VA}.txt
 *   and labels_{T,FD,VA}.txt (labels may instead be in <path>/indices.zip or
 *   loose in <path>), or the same files unpacked in <path> or <path>/YYYY/.
 *   Zip members are matched by basename (nested folders allowed).
 */
#ifndef SILKFLOW_MRIO_H
#define SILKFLOW_MRIO_H

#include <stddef.h>

#include "silkflow/common.h"

/* Structure of a table, from the label files (never hard-coded). */
typedef struct {
    int G;                /* regions */
    int n;                /* rows/columns of T ("sectors") */
    int nfd;              /* final-demand columns */
    int nva;              /* value-added (primary input) rows */
    char **region_code;   /* G: code as in the table after aliasing (e.g. ROU for WIOD's ROM) */
    char **region_code_raw; /* G: code as written in the labels */
    char **region_name;   /* G */
    int *region_start;    /* G+1: region g owns rows [region_start[g], region_start[g+1]) */
    int *sector_region;   /* n: 0-based region */
    int *sector_industry; /* n: 1-based index within its region */
    char **sector_name;   /* n */
    int *fd_region;       /* nfd: 0-based region owning each FD column */
    char **fd_name;       /* nfd: category name */
    char **va_name;       /* nva */
    int row_dropped;      /* 1 when row = drop removed an Eora ROW account */
    int max_sectors;      /* max sectors of any region */
    int homogeneous;      /* 1 when every region has the same sector count */
} sf_labels;

/* One year's table. Matrices are row-major, dense. */
typedef struct {
    int year;
    sf_labels *lab;       /* shared, not owned */
    double *Z;            /* n x n intermediate use (row = supplier) */
    double *F;            /* n x nfd final demand by category */
    double *W;            /* nva x n primary inputs (may be NULL when nva == 0) */
    char **input_files;   /* files read (for hashes/provenance) */
    char **input_sha256;  /* hex digests, parallel to input_files */
    int ninput;
} sf_table;

/* Derived quantities per docs/methods.md section 1. */
typedef struct {
    int n, G;
    double *Y;        /* n x G final demand summed over each region's categories */
    double *x;        /* n gross output (row side) */
    double *xcol;     /* n column side Z'1 + W'1 */
    double *va;       /* n value added (va_source) */
    double *v;        /* n va/x (0 for zero-output sectors) */
    double *E;        /* n total exports E_k = sum_{r != s} (Z^{sr}1 + Y^{sr})_k */
    unsigned char *zero; /* n: 1 for zero-output sectors (|x| <= eps_x) */
    double eps_x;
    /* from the same pass over Z and F, for sf_validate and sf_exports_bilateral */
    double *zcol;     /* n column sums Z'1 */
    double *zreg;     /* n x G: row k of Z summed over the columns of region r */
    long n_negative_z, n_negative_fd;
} sf_derived;

/* Validation report of one year (diagnostics, not errors). */
typedef struct {
    int year;
    double max_imbalance;     /* max_j |x_j - xcol_j| / max(|x_j|, 1) */
    int imbalance_sector;     /* argmax (0-based row) */
    int n_zero_output;
    int n_zero_output_exporting; /* zero-output sectors with non-zero exports (not decomposable) */
    int n_zero_output_inputs;    /* zero-output sectors that buy inputs (those flows are not decomposable) */
    double imbalance_total;   /* sum_j |x_j - xcol_j| / sum_j |x_j| */
    int n_negative_output;
    long n_negative_fd;       /* negative entries of F */
    long n_negative_va;       /* negative entries of va (derived or table) */
    long n_negative_z;        /* negative entries of Z */
    int n_colsum_ge1;         /* columns j with sum_i A_ij >= 1 */
    double max_colsum;        /* max column sum of A */
    int max_colsum_sector;
} sf_validation;

typedef enum { SF_VA_DERIVED = 0, SF_VA_TABLE = 1 } sf_va_source;

typedef struct {
    const char *format;   /* "eora26" or "mrio-tsv" */
    const char *path;     /* directory of the release */
    const char *prefix;   /* file prefix ("Eora26" for eora26) */
    const char *price;    /* "bp" or "pp" */
    int drop_row;         /* row = drop */
    const char *aliases;  /* alias file (NULL: the built-in table only) */
} sf_source;

/* Read the labels of a year (from the year zip, indices.zip or loose files).
 * Region aliases are applied to region_code. */
int sf_labels_read(const sf_source *src, int year, sf_labels **out, sf_err *e);
void sf_labels_free(sf_labels *lab);
/* 1 when both describe the same structure. */
int sf_labels_equal(const sf_labels *a, const sf_labels *b);
/* Region index of a code (after aliasing), -1 when absent. */
int sf_labels_region(const sf_labels *lab, const char *code);

/* Which years does the release hold (sorted)? */
int sf_source_years(const sf_source *src, int **years, int *count, sf_err *e);
/* Input files of a year (paths as read, for hashing) */
int sf_source_year_files(const sf_source *src, int year, char ***files, int *count, sf_err *e);

/* Read one year's T, FD, VA into t (allocates Z, F, W). lab must come from
 * sf_labels_read for a compatible year. NaN/Inf, truncated rows, wrong
 * column counts and non-numbers are errors naming file, line and column. */
int sf_table_read(const sf_source *src, int year, sf_labels *lab, sf_table *t, sf_err *e);
void sf_table_free(sf_table *t);

/* Compute derived quantities; eps_rel is the zero-output threshold relative to
 * max |x| (METHODS: 1e-9). */
void sf_derive(const sf_table *t, sf_va_source vas, double eps_rel, sf_derived *d);
void sf_derived_free(sf_derived *d);
void sf_validate(const sf_table *t, const sf_derived *d, sf_validation *v);
/* Bilateral gross exports by exporting sector: out[k, r] (n x G, row-major)
 * = sum_{j in r} Z[k, j] + Y[k, r] for r != region(k), 0 for r = region(k).
 * Row sums equal d->E. */
void sf_exports_bilateral(const sf_table *t, const sf_derived *d, double *out);

/* Region aliases: built-in table (ROM=ROU, ...) plus an optional file with
 * lines "FROM=TO" or "FROM TO" and # comments. Returns the canonical code
 * (static or from the table); input returned when there is no alias. */
int sf_aliases_load(const char *path, sf_err *e);
const char *sf_alias(const char *code);

#endif
