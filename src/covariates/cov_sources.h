/* Internal: readers of the generic source layouts (cov_sources.c). */
#ifndef SILKFLOW_COV_SOURCES_H
#define SILKFLOW_COV_SOURCES_H

#include "cov_internal.h"

/* Years kept from long country-year files. */
#define COV_LONG_Y0 1900
#define COV_LONG_Y1 2100

/* The file in dir matching a shell pattern (fnmatch); the last in name order
 * when several match (*others then lists the rest, malloc'ed). NULL when
 * none matches or dir cannot be read. malloc'ed. */
char *cov_find_source(const char *dir, const char *pattern, char **others);

/* World Bank wide file: header = first record whose 2nd cell is "Country
 * Code"; 4-digit year columns. nind = 0: one table of every row (WDI: one
 * indicator per file); else out[k] gets the rows whose "Indicator Code" is
 * ind[k] (each must occur). */
int cov_load_wide(const char *path, const char *const *ind, int nind, cov_cy *out, sf_err *e);
/* Long file with named code, year and value columns. */
int cov_load_long(const char *path, const char *code_col, const char *year_col, const char *value_col, cov_cy *out,
                  sf_err *e);

/* Two text attributes per code. */
typedef struct {
    sf_strmap idx;
    int n;
    char **code, **v1, **v2;
} cov_attr;
void cov_attr_free(cov_attr *a);
const char *cov_attr_v1(const cov_attr *a, const char *code);
const char *cov_attr_v2(const cov_attr *a, const char *code);
/* WDI Metadata_Country: v1 = Region, v2 = TableName. */
int cov_load_meta(const char *path, cov_attr *out, sf_err *e);
/* bri64.csv: v1 = group, v2 = name. */
int cov_load_groups(const char *path, cov_attr *out, sf_err *e);

#endif
