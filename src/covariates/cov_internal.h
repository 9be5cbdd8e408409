/* Internal pieces of the covariates module (src/covariates/cov_*.c, covariates.c):
 * number cells of util's CSV reader (frame.h), a
 * country x year table, code tables, and the report builder. */
#ifndef SILKFLOW_COV_INTERNAL_H
#define SILKFLOW_COV_INTERNAL_H

#include <stddef.h>

#include "silkflow/common.h"
#include "silkflow/covariates.h"
#include "silkflow/frame.h"

/* ---------------- CSV records: util's reader (frame.h) ---------------- */
/* Parse a number cell: 0 ok (NaN for a missing token), -1 not a number or
 * not finite. */
int cov_cell_num(const char *s, double *v);

/* ---------------- country x year values ---------------- */
typedef struct {
    sf_strmap idx;
    char **code;
    int n, cap;
    int y0, ny;     /* years y0 .. y0+ny-1 */
    double *v;      /* n x ny, NaN missing */
    unsigned char *has_year; /* ny: 1 when the source has a column/record for that year */
} cov_cy;
void cov_cy_init(cov_cy *t, int y0, int ny);
void cov_cy_free(cov_cy *t);
int cov_cy_row(cov_cy *t, const char *code); /* find or add */
int cov_cy_find(const cov_cy *t, const char *code);
double cov_cy_get(const cov_cy *t, int row, int year); /* NaN outside */
void cov_cy_set(cov_cy *t, int row, int year, double v);

/* ---------------- codes ---------------- */
/* Canonical ISO3 of a code as given: upper-cased, region aliases (sf_alias),
 * then SUD=SDN, SDS=SSD. Writes into buf (16 bytes) and returns it. */
const char *cov_canon(const char *code, char *buf);
/* CEPII dist_cepii.csv / geo_cepii.csv code of a canonical ISO3 code. */
const char *cov_cepii_dist_code(const char *iso3);
const char *cov_cepii_geo_code(const char *iso3);
/* Hofstede academic file: ISO3 of a file code, "" for rows that are not one
 * country (regions, language parts), NULL for unknown codes; *name is the
 * country name the table expects for that code. */
const char *cov_hofstede_iso3(const char *code, const char **name);
/* Country names used by the Hofstede Insights file that differ from the
 * World Bank's names; NULL when not in the table. */
const char *cov_name_alias_iso3(const char *name);

/* ---------------- report builder ---------------- */
typedef struct cov_rep cov_rep;
cov_rep *cov_rep_new(sf_cov_report *out);
/* Column handle (created on first use, in order of first use). */
int cov_rep_col(cov_rep *r, const char *name, size_t cells);
void cov_rep_unavailable(cov_rep *r, int col);
/* Record one missing (missing=1) or filled (missing=0) cell: kind groups
 * the reason, code and year are listed under it (code NULL/"" = no code). */
void cov_rep_cell(cov_rep *r, int col, int missing, const char *kind, const char *code, int year);
void cov_rep_warn(cov_rep *r, const char *fmt, ...) SF_PRINTF(2, 3);
void cov_rep_note(cov_rep *r, const char *fmt, ...) SF_PRINTF(2, 3);
/* Write the accumulated reasons into the public report and free r. */
void cov_rep_finish(cov_rep *r);

/* String list helpers. */
typedef struct {
    char **s;
    int n, cap;
} cov_strs;
void cov_strs_add_unique(cov_strs *l, const char *s);
void cov_strs_free(cov_strs *l);
/* "A, B, C" (malloc'ed). */
char *cov_strs_join(const cov_strs *l);

#endif
