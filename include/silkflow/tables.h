/* silkflow report: regression tables like the paper's (one column per model,
 * coefficient with stars and the t statistic in brackets below, N, R2, F, p,
 * fixed-effect and control rows, IV and mediation statistics, bootstrap
 * p-value and CI of the key coefficient), as text, Markdown, LaTeX and CSV. */
#ifndef SILKFLOW_TABLES_H
#define SILKFLOW_TABLES_H

#include <stdio.h>

#include "silkflow/common.h"
#include "silkflow/stats.h"

typedef enum { SF_TAB_TXT = 0, SF_TAB_MD = 1, SF_TAB_TEX = 2, SF_TAB_CSV = 3 } sf_tab_format;

typedef struct {
    char *name;
    char *title;
    int ncol;
    sf_fit **col;  /* borrowed */
    int nrow;      /* the rendered grid: nrow x (ncol + 1) cells */
    char ***cell;
    int *kind;     /* per row: 0 header, 1 coefficient, 2 t statistic, 3 statistic, 4 indicator */
    char **notes;
    int nnotes;
} sf_regtable;

/* Group the fits into tables (by fit->table, in order of first appearance),
 * choose the columns (first stages and mediator equations shown once per
 * table, total-effect equations folded into their section's column), number
 * the columns continuously across tables (as the paper does) and render the
 * cells. */
void sf_tables_build(sf_fit *const *fits, int nfits, sf_regtable **out, int *nout);
/* The same in a style (the models file's [tables] and [labels]; NULL = the
 * default: t statistics, 4 digits, stars at 0.1, 0.05, 0.01, no labels). */
void sf_tables_build_styled(sf_fit *const *fits, int nfits, const sf_table_style *st, sf_regtable **out,
                            int *nout);
void sf_tables_free(sf_regtable *t, int n);
void sf_table_write(FILE *fp, const sf_regtable *t, sf_tab_format fmt);
/* DIR/<table>.txt, .md, .tex, .csv (written to .tmp then renamed). */
int sf_tables_write_dir(const char *dir, const sf_regtable *t, int n, sf_err *e);

/* silkflow tables: read the fits of /estimates of a results file, build the
 * tables in the style of the models file (NULL: the default style), print
 * them as text (print = 1) and write them to out_dir (NULL: none). */
int sf_tables_from_results(const char *results, const char *models, const char *out_dir, int print, int *ntables,
                           sf_err *e);

/* A small titled grid of text cells for tables that are not regressions (the
 * trade stage's): rendered by the same text and Markdown writers as the
 * regression tables (report/tables.c). Cells are formatted by the caller;
 * NULL = empty. */
typedef struct {
    char title[256];
    int nc, nr, cap;
    char **head; /* nc */
    char **cell; /* nr x nc, row-major */
} sf_texttab;
void sf_texttab_init(sf_texttab *t, int nc, const char *fmt, ...) SF_PRINTF(3, 4);
void sf_texttab_head(sf_texttab *t, int j, const char *s);
void sf_texttab_row(sf_texttab *t); /* append an empty row */
void sf_texttab_set(sf_texttab *t, int j, const char *fmt, ...) SF_PRINTF(3, 4); /* cell j of the last row */
void sf_texttab_free(sf_texttab *t);
/* The title, the head and the rows in fixed width (the first column
 * left-aligned, the others right-aligned, two spaces apart) and a blank line;
 * fp == NULL logs each line through sf_info after the prefix `log` (%-10s). */
void sf_texttab_write_txt(const sf_texttab *t, FILE *fp, const char *log);
/* **title**, then a Markdown table (| and * escaped) and a blank line. */
void sf_texttab_write_md(const sf_texttab *t, FILE *fp);

#endif
