/* silkflow report internals: the results file as read for the report, a
 * growable text buffer, the figures (gnuplot) and the Markdown-to-HTML
 * rendering. Not part of the public API (include/silkflow/report.h). */
#ifndef SILKFLOW_REPORT_INTERNAL_H
#define SILKFLOW_REPORT_INTERNAL_H

#include <stddef.h>

#include "silkflow/common.h"
#include "silkflow/frame.h"

/* ------------------------------------------------------------ text buffer */
typedef struct {
    char *s;
    size_t len, cap;
} rp_buf;

void rp_printf(rp_buf *b, const char *fmt, ...) SF_PRINTF(2, 3);
void rp_puts(rp_buf *b, const char *s);
void rp_putc(rp_buf *b, char c);
void rp_buf_free(rp_buf *b);
/* An amount for reading: 142,197 (whole units with thousands separators from
 * 10,000 on), 5255, 0.3142; "-" when not finite. */
void rp_fmt_amount(char *buf, size_t n, double v);
/* Markdown-safe copy of s (escapes | * _ ` [ ] < > and backslash). */
void rp_md_text(rp_buf *b, const char *s);

/* ------------------------------------------------------------ the data */
typedef struct {
    int year;
    char status[32], role[16], grid[32], check[16];
    double seconds, t[5]; /* read, derive, invert, products, decompose */
    double residual, rcond, imbalance_max, imbalance_total, wwz_err;
    double wwz_tol;       /* attribute wwz_identity_tolerance, NaN in files written before it */
    double ranks, block;
    double n_zero, n_zero_exp, n_neg_fd, n_neg_va, n_neg_x, n_colsum_ge1;
} rp_year;

typedef struct {
    int year;
    int m;           /* nodes, node 0 = focal */
    char **nodes;
    double *vax;     /* m x m VAX flows */
    double *sin, *sout;
    double pr_vax, pr_var;     /* focal PageRank */
    double rank_vax, rank_var; /* focal PageRank rank (1 = first) */
    double total_vax;
    /* structure of the VAX network (NULL / NaN when the file predates it) */
    double *bc, *ev, *core; /* m: betweenness, eigenvector, coreness */
    int *incore;            /* m: 1 = in the core */
    double core_fit, ncore;
    int ng;                 /* regional groups of the partners */
    char **gnames;
    double *g_src, *g_focal, *g_fin, *g_cap; /* ng: the group_* datasets */
} rp_net;

/* /trade/agreements (Du 2025): counts per calendar year, and the paper's statements */
typedef struct {
    int n;
    double *year, *fta, *fta_partners, *bri;
    int ns;
    char **s_measure, **s_quote, **s_qualifier;
    double *s_year, *s_value;
} rp_agreements;

/* /trade/groups: series (Y x K) of one measure */
typedef struct {
    int Y, K;
    int *years;
    char **names;
    int *available;  /* K */
    int *n_regions;  /* Y x K */
    double boundary; /* boundary_year */
    char *units;
    /* Y x K */
    double *gx, *gx_share, *gx_growth, *vx, *vx_share, *vx_growth;
    double *gt_index, *vt_index, *gt_growth, *vt_growth;
    /* 2 x K */
    double *gx_gmean, *vx_gmean, *gt_gmean, *vt_gmean;
} rp_trade;

typedef struct {
    char *name, *table, *depvar, *role, *key, *formula, *boot_method;
    double N, r2;
    int k;
    char **coef;
    double *b, *se, *p, *lo, *hi, *blo, *bhi, *bp;
} rp_model;

typedef struct {
    char *path;
    /* root attributes ("" when absent) */
    char *software, *version, *git, *created, *config_file, *config_text, *config_sha, *format, *source_path,
        *prefix, *units, *years_str, *focal, *grid, *host, *slurm, *libs, *status;
    double mpi_ranks;
    double seconds_total; /* the whole run, when recorded */
    /* labels */
    int G, n;
    char **region_code;
    int *sector_region, *sector_industry;
    char **sector_name;
    /* years */
    rp_year *years;
    int nyears;
    /* panel and its missing-cell attributes (per column, "" when none) */
    sf_frame *panel;
    double *miss;
    char **miss_reason;
    char *cov_report;
    char *preprocessing; /* /panel attribute: what was winsorised and normalised */
    char *iih_form, *itr_form; /* /panel attributes ([estimate] iih_form, itr_form), NULL = absent */
    /* network */
    rp_net *net;
    int nnet;
    /* trade */
    rp_trade *trade;
    rp_agreements *agree;
    /* estimates */
    rp_model *models;
    int nmodels;
    int has_estimates;
} rp_data;

int rp_data_read(const char *path, rp_data *d, sf_err *e);
void rp_data_free(rp_data *d);
/* A panel column in its own units: "<name>_raw" when the panel stage
 * preprocessed the column for the estimation, else "<name>"; NULL if absent. */
sf_column *rp_raw_col(const rp_data *d, const char *name);
/* Name of the focal region's sector of industry i (1-based), or NULL. */
const char *rp_industry_name(const rp_data *d, int industry);
/* Natural order ("t2_1" < "t10_1"), for table and model names. */
int rp_natcmp(const char *a, const char *b);

/* ------------------------------------------------------------ sections (network_sec.c) */
/* "## Network structure": centralities, coreness, VA sources and capture by group */
void rp_sec_network(rp_buf *b, const rp_data *d);
/* "### Trade agreements ...": /trade/agreements and the statements of Du (2025) */
void rp_sec_agreements(rp_buf *b, const rp_data *d);

/* ------------------------------------------------------------ figures */
typedef struct {
    char name[64];      /* file stem in figures/ */
    char title[256];
    rp_buf caption;     /* Markdown */
    int ok;             /* 1: figures/<name>.png and .svg were written */
    int script;         /* 1: figures/<name>.gp was written */
    rp_buf note;        /* why skipped, or remarks (Markdown) */
} rp_figure;

typedef struct {
    const char *gnuplot; /* executable, NULL when not found */
    const char *dir;     /* figures directory */
    char why_none[512];  /* when gnuplot is NULL: why */
} rp_plotter;

/* Find gnuplot: explicit path, $SF_GNUPLOT, else PATH. Returns a malloc'ed
 * path or NULL (why in msg). */
char *rp_gnuplot_find(const char *explicit_path, char *msg, size_t msgsz);
/* Run a gnuplot script (stdin); its messages go to logpath. 0 when gnuplot
 * exits 0; else -1 with the first error line in err. */
int rp_gnuplot_run(const char *gnuplot, const char *script, const char *logpath, char *err, size_t errsz);

/* All figures of the report, in order (*figs malloc'ed). */
void rp_figures_make(const rp_data *d, const rp_plotter *p, rp_figure **figs, int *nfigs);
void rp_figures_free(rp_figure *figs, int n);

/* ------------------------------------------------------------ HTML */
/* Render the Markdown subset the report uses (ATX headings, paragraphs,
 * pipe tables, bullet lists, fenced code, images, links, **bold**, *italic*,
 * `code`, backslash escapes) as one HTML page with inline CSS. */
void rp_md_to_html(const char *md, const char *title, rp_buf *out);

#endif
