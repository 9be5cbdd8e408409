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

#endif
