/* silkflow: synthetic MRIO releases in the exact Eora26 on-disk layout
 * ('silkflow synth'), for tests and benchmarks at full size. No MPI here.
 *
 * A release is one zip per year, DIR/Eora26_YYYY_bp.zip, holding
 *   Eora26_YYYY_bp_T.txt   n x n      intermediate use (row = supplier)
 *   Eora26_YYYY_bp_FD.txt  n x nfd    final demand (nfd = 6 categories x G regions)
 *   Eora26_YYYY_bp_VA.txt  nva x n    primary inputs (6 rows)
 *   Eora26_YYYY_bp_Q.txt   q x n      satellite accounts (q = lines of labels_Q)
 *   Eora26_YYYY_bp_QY.txt  q x nfd    satellite accounts of final demand
 *   labels_T.txt labels_FD.txt labels_VA.txt labels_Q.txt
 * Data lines are tab-separated numbers without a trailing tab; label lines
 * end with a tab, like the real release.
 *
 * The release is a deterministic function of (seed, options, year): every
 * year derives its random streams from (seed, year, row), so years can be
 * written in any order, alone or together, and give the same bytes.
 *
 * Economic structure (all in thousands of current US$):
 *   - region sizes log-normal, fixed by the seed, growing ~5% a year with
 *     region-specific trends and yearly noise; world output ~1e11 k$;
 *   - most intermediate use domestic; imports of region r from s follow a
 *     gravity law ~ size_s * size_r / distance(s, r);
 *   - x solves x = A x + f in expectation, so column sums of A = Z/x stay
 *     near the sector's input share (<= ~0.8) and I - A is well conditioned;
 *   - a few zero-output sectors (row, column, final demand and VA all 0);
 *   - negative inventories (P.52) and negative subsidies (D.39);
 *   - row totals Z1 + F1 and column totals Z'1 + VA'1 agree up to a small
 *     deliberate imbalance (SF_SYNTH_IMBALANCE relative) plus number rounding.
 */
#ifndef SILKFLOW_SYNTH_H
#define SILKFLOW_SYNTH_H

#include <stddef.h>
#include <stdint.h>

#include "silkflow/common.h"

/* Relative size of the deliberate row/column imbalance put into the last
 * primary-input row (consumption of fixed capital K.1 in Eora). */
#define SF_SYNTH_IMBALANCE 5e-8

/* Largest --rows accepted (T has rows^2 numbers). */
#define SF_SYNTH_MAX_ROWS 40000

typedef struct {
    const char *out_dir;    /* where the zips go (created when missing) */
    const char *labels_dir; /* directory holding the real labels_{T,FD,VA,Q}.txt */
    int regions;            /* G including the ROW account (>= 2) */
    int sectors;            /* sectors per country when rows == 0 (1..sectors in labels) */
    int rows;               /* > 0: heterogeneous release with this many rows in total */
    uint64_t seed;
    int digits;             /* significant digits of the numbers (4..17) */
    int crlf;               /* 1: CRLF line ends */
    int level;              /* deflate level (1 fast .. 9 small) */
    double min_flow;        /* flows below this (k$) are thinned stochastically
                             * to 0 or ~min_flow, preserving expectations */
    int pipeline;           /* 1: format in a second thread while deflating */
} sf_synth_opts;

/* Defaults: full size (190 regions, 26 sectors), seed 1, 9 digits, LF,
 * deflate level 1, min_flow 1 k$, pipeline on. */
void sf_synth_opts_default(sf_synth_opts *o);

/* Per-year outcome. */
typedef struct {
    int year;
    double seconds;
    uint64_t zip_bytes;      /* size of the finished zip */
    uint64_t text_bytes;     /* uncompressed bytes of all members */
    double world_output;     /* sum of x, k$ */
    double max_colsum;       /* max column sum of A = Z / x */
    int n_zero_output;
    long n_negative_fd;
    long n_negative_va;
    double max_imbalance;    /* max |rowtotal - coltotal| / max(|x|, 1) before rounding */
} sf_synth_year_stats;

/* A prepared release: labels and everything fixed by the seed. */
typedef struct sf_synth sf_synth;

/* Read the labels and build the time-invariant structure. Bad options or
 * label files: SF_EUSER with a message naming the option or file:line. */
int sf_synth_open(const sf_synth_opts *o, sf_synth **out, sf_err *e);
/* Write DIR/Eora26_YYYY_bp.zip (through a temporary name renamed at the end).
 * Thread-safe for distinct years on the same sf_synth. */
int sf_synth_write_year(const sf_synth *s, int year, sf_synth_year_stats *st, sf_err *e);
void sf_synth_free(sf_synth *s);

/* Dimensions of a prepared release. */
int sf_synth_n(const sf_synth *s);
int sf_synth_regions(const sf_synth *s);
int sf_synth_nfd(const sf_synth *s);
int sf_synth_q(const sf_synth *s);

/* Sector counts of a heterogeneous release: counts[g] for g < G (the last,
 * the ROW account, gets 1) summing to rows; large regions get the most
 * sectors. Deterministic in (seed, G, rows). Exposed for tests. */
void sf_synth_sector_counts(uint64_t seed, int G, int rows, const double *size, int *counts);

/* Format v with 'digits' significant digits in the style of printf("%.*g")
 * (shortest: no trailing zeros; 0 as "0"); returns the length written (no
 * NUL). buf needs digits + 10 bytes. Fast path without printf for 3..15
 * digits (correct rounding, ties to even, as glibc's printf); printf beyond. */
size_t sf_synth_format(double v, int digits, char *buf);

/* Write the given years with up to jobs threads (src/synth/years.c), printing
 * a line per finished year unless quiet; the first failure stops the pool and
 * is returned in e. */
int sf_synth_write_years(const sf_synth *s, const int *years, int ny, int jobs, int quiet, sf_err *e);

#endif
