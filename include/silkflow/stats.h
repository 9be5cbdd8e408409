/* silkflow stats: the estimation engine (docs/methods.md section 11, docs/output.md
 * "Models file").
 *
 *   - distributions (t, F, chi2, normal) for p-values and intervals;
 *   - preprocessing helpers for the panel stage (winsorise, min-max);
 *   - a counter-based random generator (bootstrap weights depend only on
 *     (seed, replicate, cluster), never on how replicates are split);
 *   - absorption of any number of fixed effects (accelerated alternating
 *     projections), singleton dropping, the degrees of freedom of the FEs;
 *   - the models file (fixest-style formulas) and the estimation of one
 *     section: OLS/2SLS with absorbed FEs, iid/HC1/one- and two-way cluster
 *     VCV with the Stata/reghdfe, fixest or no small-sample convention,
 *     ivreg2 diagnostics, mediation, wild cluster restricted and pairs
 *     cluster bootstrap.
 *
 * Numerics never call MPI: the bootstrap takes a rank, a size and a sum
 * reduction callback (the CLI passes sf_par_allreduce_sum).
 *
 * Conventions (each checked against a peer's published numbers in
 * tests/unit/test_stats_ref.c, see tests/data/reference/econ/REFERENCE.md):
 *   - FE models report _cons as reghdfe does: means added back after the
 *     absorption, a constant column appended (slopes and their VCV are the
 *     within regression's).
 *   - K = regressors + constant + rank of the FEs beyond the constant
 *     (sf_fe_rank: exact for 1-2 FEs via connected components, for 3+ each
 *     further FE loses one level - conservative); with a cluster VCV, FEs
 *     nested in a cluster variable are left out (reghdfe; fixest "nested"),
 *     unless `ssc = ... fe-all`.
 *   - iid: RSS/(N-K); HC1: N/(N-K); cluster: (N-1)/(N-K) * G/(G-1), t and
 *     F on G-1 df; two-way: Cameron-Gelbach-Miller V1 + V2 - V12 with
 *     Gmin/(Gmin-1) on every term (`conventional`: each its own G), t on
 *     Gmin-1 df, then made PSD by zeroing negative eigenvalues (the slopes'
 *     block in FE models). `none`: no factor; `nosmall`: ivreg2 without
 *     `small` (ML variances, z and chi2; dofminus/sdofminus as ivreg2).
 *   - R2 = 1 - RSS/TSS; adjusted R2 with all FE levels in K; within R2 =
 *     1 - RSS/(demeaned TSS); adjusted within R2 as fixest: 1 - (1 - r2w)
 *     (N - Kfe)/(N - Kfe - k) (Kfe = rank of [1, D]); RMSE = sqrt(RSS/N)
 *     (fixest; reghdfe's root MSE divides by N - K).
 *   - F: Wald test of all slopes / k; a singular slope VCV (fewer clusters
 *     than slopes) uses Stata's invsym-like generalized inverse.
 *   - IV diagnostics (one endogenous regressor): Anderson LM = (N - dofminus)
 *     * squared canonical correlation; Cragg-Donald F = cc/(1-cc) (N - L -
 *     dofminus - sdofminus)/L1; Kleibergen-Paap rk LM and Wald F from the
 *     robust/cluster score covariance (ranktest), L counting the FE df.
 *   - WCR (boottest): restricted residuals, Rademacher/Webb/Mammen weights by
 *     bootstrap cluster (the intersection of the cluster dims), the same
 *     VCV formula for t and every t*, p = share of |t*| > |t| (strict, with
 *     a 1e-10 relative tie margin), full enumeration when 2^G <= B; the 95%
 *     CI is {r : p(r) > 0.05} found by bisection to 1e-12 relative. Without
 *     a cluster variable each row is its own cluster. OLS only.
 *   - Pairs cluster bootstrap: clusters of the first cluster variable (rows
 *     without one) drawn with replacement; percentile CI; for a key
 *     coefficient p = share of |b* - b| >= |b| (null-centred). */
#ifndef SILKFLOW_STATS_H
#define SILKFLOW_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "silkflow/common.h"
#include "silkflow/frame.h"

/* ---------------------------------------------------------------- distributions */
/* Two-sided p-value P(|T| >= |t|) of Student's t with df degrees of freedom;
 * df <= 0 or infinite means the standard normal. */
double sf_dist_t_p2(double t, double df);
/* Upper quantile q with P(T > q) = p (0 < p < 1); df <= 0: normal. */
double sf_dist_t_q(double p, double df);
/* P(F > f) for F(d1, d2); d2 <= 0 or infinite: chi2(d1)/d1. */
double sf_dist_f_sf(double f, double d1, double d2);
/* P(X > x) for chi2(df). */
double sf_dist_chi2_sf(double x, double df);
double sf_dist_norm_cdf(double z);
/* Regularised incomplete beta I_x(a, b) and upper incomplete gamma Q(a, x). */
double sf_betai(double a, double b, double x);
double sf_gammq(double a, double x);

/* ---------------------------------------------------------------- preprocessing */
/* Winsorise x (n values, NaN = missing and left alone) at the pooled pct and
 * 100 - pct percentiles (linear interpolation between order statistics, as
 * numpy's default and R type 7). Returns the number of values changed; the
 * bounds used go to lo/hi (NaN when x has no finite value). pct in [0, 50). */
long sf_winsorize(double *x, size_t n, double pct, double *lo, double *hi);
/* Min-max normalise the finite values of x to [0, 1]. Returns 0, or -1 when
 * x has no finite value or max == min (x is then left unchanged). */
int sf_minmax_normalize(double *x, size_t n, double *min, double *max);

/* ---------------------------------------------------------------- random numbers */
/* Counter-based generator: a 64-bit value that depends only on (seed,
 * stream, counter) (SplitMix64 finaliser applied to a keyed combination). */
uint64_t sf_rng_u64(uint64_t seed, uint64_t stream, uint64_t counter);
/* Uniform in [0, 1) with 53 random bits. */
double sf_rng_unif(uint64_t seed, uint64_t stream, uint64_t counter);

/* ---------------------------------------------------------------- fixed effects */
/* Integer grouping of the rows: id[i] in [0, nlev), or -1 = missing. */
typedef struct {
    size_t n;
    int *id;
    int nlev;
} sf_group;

/* Group rows by the combination of the listed frame columns (a name may be
 * "a#b" for the combination of columns a and b). Levels are numbered in
 * order of first appearance. Returns SF_EUSER naming the missing column. */
int sf_group_from_frame(const sf_frame *f, const char *spec, sf_group *g, sf_err *e);
void sf_group_free(sf_group *g);
/* Renumber levels after dropping rows (keep[i] != 0), compacting id. */
void sf_group_filter(sf_group *g, const unsigned char *keep);
/* 1 when every level of a lies within one level of b (a nested in b). */
int sf_group_nested(const sf_group *a, const sf_group *b);

/* Iteratively mark singleton rows (a level of any FE seen once among the
 * kept rows) as dropped: keep[i] is cleared. Returns the number dropped. */
size_t sf_singletons_drop(const sf_group *fe, int nfe, unsigned char *keep, size_t n);

/* Number of connected components of the bipartite graph of two groupings
 * (levels joined by rows). */
int sf_group_components(const sf_group *a, const sf_group *b);

/* Absorption of nfe fixed effects on n rows (optionally weighted). */
typedef struct {
    size_t n;
    int nfe;
    const sf_group *fe;  /* borrowed */
    const double *w;     /* weights (NULL = 1) */
    double **wsum;       /* per FE per level total weight */
    double tol;          /* CG stopping rule: ||r|| <= tol ||y|| (default 1e-12) */
    int maxit;           /* default 10000 */
    int iters_last;      /* iterations of the last column */
    int iters_max;       /* max over the columns demeaned so far */
    int not_converged;   /* columns that hit maxit */
} sf_absorb;

void sf_absorb_init(sf_absorb *a, const sf_group *fe, int nfe, size_t n, const double *w);
void sf_absorb_free(sf_absorb *a);
/* Replace each of the ncol columns (column-major, leading dimension n) by its
 * residual from the FE projection: symmetric Kaczmarz sweeps accelerated by
 * conjugate gradients (the sweep operator is symmetric positive semidefinite
 * in the weighted inner product). */
void sf_absorb_demean(sf_absorb *a, double *cols, int ncol);

/* Degrees of freedom taken by the FEs (reghdfe convention): the rank of
 * [1, D] over the FEs not flagged in skip[] (skip = NULL: none). Exact for
 * one and two FEs (levels minus connected components); with three or more,
 * each further FE is assumed to lose one level (conservative: never counts
 * fewer df than the truth when the FEs are connected). Returns at least 1
 * (the constant). */
int sf_fe_rank(const sf_group *fe, int nfe, const unsigned char *skip);

/* ---------------------------------------------------------------- small-sample conventions */
typedef struct {
    int adj;             /* (N-1)/(N-K) (cluster), N/(N-K) (HC1), RSS/(N-K) (iid) */
    int cluster_adj;     /* G/(G-1) */
    int cluster_min;     /* two-way: Gmin/(Gmin-1) on every term (1) or each term's own G (0) */
    int fe_nested;       /* FEs nested in a cluster variable left out of K */
    int keep_singletons; /* fixest keeps them, reghdfe drops them */
    int normal;          /* z / chi2 inference (ivreg2 without `small`) */
    int dofminus;        /* ivreg2 dofminus (large-sample N adjustment) */
    int sdofminus;       /* ivreg2 sdofminus (small-sample K adjustment) */
    char name[64];       /* description, e.g. "stata", "fixest conventional" */
} sf_ssc;

/* Presets: "stata" (default: reghdfe/ivreg2 small), "fixest" (the same but
 * singletons kept), "none" (no factor; t/F keep their df). Modifiers, space
 * or comma separated after a preset: conventional | min, fe-all | fe-nested,
 * keep-singletons | drop-singletons, small | nosmall (nosmall = none + z),
 * dofminus=N, sdofminus=N. Returns 0, or -1 with the bad token copied. */
int sf_ssc_parse(const char *text, sf_ssc *s, char *bad, size_t badsz);
void sf_ssc_default(sf_ssc *s);

/* ---------------------------------------------------------------- models file */
#define SF_MAX_FACTORS 4

typedef struct {
    char *var;  /* column name */
    int lag;    /* L.x = 1, L2.x = 2, 0 = none */
    int log;    /* log(x) */
} sf_factor;

/* A term: a product of factors (x, L.x, log(x), x:D1, L.x:D1 ...). */
typedef struct {
    char *name; /* as written (canonical spacing) */
    int nfac;
    sf_factor fac[SF_MAX_FACTORS];
} sf_term;

typedef enum { SF_V_IID = 0, SF_V_HC1 = 1, SF_V_CLUSTER = 2 } sf_vcov_kind;
typedef enum { SF_BOOT_NONE = 0, SF_BOOT_WCR = 1, SF_BOOT_PAIRS = 2, SF_BOOT_WRE = 3 } sf_boot_kind;
typedef enum { SF_W_RADEMACHER = 0, SF_W_WEBB = 1, SF_W_MAMMEN = 2 } sf_boot_weights;

typedef struct {
    char *name;       /* section name */
    int line;         /* line of the [section] header */
    const char *path; /* models file (borrowed from sf_models) */

    char *formula;
    int formula_line;
    sf_term y;
    sf_term *x;
    int nx;
    char **fe;        /* FE groupings: column, a#b, or pair */
    int nfe;
    sf_term *endog;
    int nendog;
    sf_term *instr;
    int ninstr;

    sf_vcov_kind vcov;
    char *cl[2];
    int ncl;
    int vcov_line;
    char *vcov_text;

    sf_ssc ssc;
    int ssc_line;

    sf_boot_kind boot;
    long boot_reps;   /* -1 = the run's default */
    char *boot_coef;  /* NULL = first regressor */
    int boot_coef_line;
    sf_boot_weights boot_weights;

    char *mediator;   /* NULL = none */
    int mediator_line;

    char *subset;     /* resolved path or NULL */
    int subset_line;
    char *subset_by;  /* column (default partner) */

    char *panel_unit; /* default pair */
    char *panel_time; /* default year */
    int panel_line;

    char *table;      /* table name (default: section name) */
    char *title;
    char **controls;  /* names counted as control variables (NULL = rule) */
    int ncontrols;
    int first_stage;  /* show the first stage of IV models (default 1) */
    int first_column; /* number of the table's first printed column (the paper's), 0 = continue */
    char *note;       /* a note printed under the table (once per table), NULL = none */
} sf_model_spec;

/* How the regression tables look (the models file's [tables] and [labels]
 * sections, docs/methods.md section 11; used by report/tables.c). */
typedef enum { SF_COEFSTAT_T = 0, SF_COEFSTAT_SE = 1, SF_COEFSTAT_CI = 2 } sf_coefstat;
typedef struct {
    int coefstat;      /* below each coefficient: t (default) in brackets, se in parentheses, ci */
    int digits;        /* decimals of coefficients and statistics (default 4) */
    int nstars;        /* 0 = no stars; default 3 */
    double stars[3];   /* descending p thresholds for *, **, *** (default 0.1, 0.05, 0.01) */
    int nlabels;       /* [labels] var = "Label" */
    char **label_var, **label_text;
} sf_table_style;
void sf_table_style_default(sf_table_style *st);
void sf_table_style_free(sf_table_style *st);

typedef struct {
    char *path;
    sf_model_spec *m;
    int n;
    sf_table_style style;
} sf_models;

/* Parse a models file. Errors: SF_EUSER "FILE:LINE: message 'token'". */
int sf_models_parse(const char *path, sf_models *out, sf_err *e);
/* Same from text (path names it in messages and resolves relative files). */
int sf_models_parse_text(const char *text, const char *path, sf_models *out, sf_err *e);
void sf_models_free(sf_models *m);
/* Replace a section's vcov by text (iid | hc1 | cluster(v) | cluster(v1, v2)),
 * e.g. from `silkflow estimate --vcov` or [estimate] vcov; where names the
 * origin in messages. */
int sf_model_set_vcov(sf_model_spec *m, const char *text, const char *where, sf_err *e);
/* Check that every variable a section needs exists in the frame (and that
 * lags, pair, subset files are usable). SF_EUSER naming file, line, token. */
int sf_model_check(const sf_model_spec *s, const sf_frame *f, sf_err *e);

/* ---------------------------------------------------------------- estimation */
typedef enum {
    SF_ROLE_MODEL = 0,     /* an ordinary section (OLS or the 2SLS second stage) */
    SF_ROLE_FIRST = 1,     /* the first stage of an IV section */
    SF_ROLE_MED_M = 2,     /* mediation: M ~ X + controls */
    SF_ROLE_MED_Y = 3,     /* mediation: Y ~ X + M + controls (the section's own column) */
    SF_ROLE_MED_TOTAL = 4  /* mediation: Y ~ X + controls */
} sf_fit_role;

typedef struct sf_fit {
    char *name;     /* model name: section, or section.first / .m / .total */
    char *section;
    char *table;
    char *title;
    char *formula;  /* the equation actually estimated */
    char *depvar;
    char *vcov_desc;
    char *ssc_desc;
    int role;
    int is_iv;
    int col_no;     /* assigned when tables are built */

    int k;          /* coefficients reported, _cons last when present */
    char **coef;
    double *b, *se, *t, *p, *ci_lo, *ci_hi;
    double *V;      /* k x k */
    int key;        /* index of the key coefficient, -1 = none */

    size_t N;
    size_t n_missing;    /* rows dropped for missing values */
    size_t n_subset;     /* rows outside the subset */
    size_t n_singletons; /* singleton rows dropped */
    int nfe;
    char **fe;
    int has_controls;
    int df_fe;      /* df absorbed by FEs beyond the constant (all levels) */
    int K;          /* parameters in the small-sample K */
    double df_resid; /* df of t and F */

    double r2, r2_adj, r2_within, r2_within_adj, rmse, rss, tss;
    double F, F_p, F_df1, F_df2;

    int ncl;
    char *cl_name[2];
    long n_clusters[2];
    int psd_fixed;  /* two-way VCV made PSD */

    char **dropped; /* "name (reason)" for collinear / absorbed regressors */
    int ndropped;
    char **notes;
    int nnotes;

    /* IV diagnostics (ivreg2 names) */
    struct sf_fit *first;
    char idstat_name[48];
    double idstat, idstat_p, idstat_df; /* Anderson LM (iid) or KP rk LM */
    double cdf;                         /* Cragg-Donald Wald F */
    double kpf;                         /* Kleibergen-Paap rk Wald F (NaN for iid) */

    /* bootstrap of the key coefficient */
    int boot_type;
    long boot_B;
    int boot_enum;  /* full enumeration */
    char boot_weights[16];
    double boot_t, boot_p, boot_ci_lo, boot_ci_hi;
    char boot_note[160];

    /* mediation (the Y ~ X + M column carries these) */
    char *mediator;
    double med_beta1, med_gamma3, med_indirect, med_total, med_share;
    double med_ci_lo, med_ci_hi;
    long med_B, med_failed;

    double seconds;
    int first_column; /* the section's first_column (0 = continue the numbering) */
    char *subset;     /* the section's subset file (basename) or NULL */
    char *table_note; /* the section's note key (printed once under its table) or NULL */
} sf_fit;

void sf_fit_free(sf_fit *f);
/* Append a note (printf style) to fit->notes. */
void sf_fit_note(sf_fit *f, const char *fmt, ...) SF_PRINTF(2, 3);

/* Sum reduction across processes (in place), e.g. sf_par_allreduce_sum. */
typedef void (*sf_reduce_fn)(double *buf, long n);

typedef struct {
    long boot_reps;      /* default replicates (INTERFACE default 9999); 0 = no bootstrap */
    uint64_t seed;
    int boot_override;   /* 1: boot_reps also overrides the sections' own */
    const sf_ssc *ssc;   /* override every section's convention (NULL = keep) */
    int rank, size;      /* replicate split: this process takes its share */
    sf_reduce_fn reduce; /* NULL when size == 1 */
    double level;        /* confidence level, default 0.95 */
} sf_est_opts;

void sf_est_opts_default(sf_est_opts *o);

/* Estimate one section on a frame. Appends 1 fit (OLS), 2 (IV: first stage
 * then second stage) or 3 (mediation: M equation, Y ~ X + M, total effect)
 * to *fits. Every process must call it with the same data (the bootstrap
 * replicates are split among them). */
int sf_estimate_section(const sf_frame *f, const sf_model_spec *s, const sf_est_opts *o,
                        sf_fit ***fits, int *nfits, sf_err *e);

/* ---------------------------------------------------------------- low-level pieces (tested directly) */
/* Wild cluster restricted bootstrap of H0: b[j] = r in y = X b + D a + u
 * (X n x k column-major WITHOUT the FE columns, D given by the groupings).
 * The cluster grouping cl (one or two dims) defines the variance; the
 * bootstrap draws at the intersection of the cluster dims. */
typedef struct {
    size_t n;
    const double *y;
    const double *X;
    int k;
    const sf_group *fe;  /* absorbed FEs (may be NULL/0: a constant is used) */
    int nfe;
    const sf_group *cl;  /* 1 or 2 cluster dims; NULL = each row its own cluster */
    int ncl;
    int j;               /* tested coefficient */
    double r;            /* null value for the p-value */
    double K;            /* small-sample K (for (N-1)/(N-K)) */
    const sf_ssc *ssc;
    long B;
    sf_boot_weights weights;
    uint64_t seed;
    double level;
    int rank, size;
    sf_reduce_fn reduce;
} sf_wcr_in;

typedef struct {
    double t;      /* the test statistic (cluster t of b[j] - r) */
    double p;      /* symmetric bootstrap p-value */
    double ci_lo, ci_hi;
    long B;        /* replicates used */
    int enumerated;
    double score_t, score_p; /* score test (no bootstrap), recentred scores, t(G-1) */
} sf_wcr_out;

int sf_wcr(const sf_wcr_in *in, sf_wcr_out *out, sf_err *e);

/* Wild restricted efficient bootstrap (WRE, Davidson and MacKinnon 2010;
 * boottest after ivreg2) of H0: beta = r in the IV model y = beta x + X g +
 * D a + u with x endogenous, instruments Z, exogenous X (no constant, no FE
 * columns) and absorbed FEs. Variance, clusters, weights, enumeration and
 * the p-value rule as sf_wcr; the CI re-runs the bootstrap at each r (level
 * < 0: no CI). out->t is the 2SLS t of beta - r with the cluster formula;
 * score_t/score_p are NaN. */
typedef struct {
    size_t n;
    const double *y, *x; /* dependent and endogenous regressor */
    const double *X;     /* n x kx exogenous */
    int kx;
    const double *Z;     /* n x kz excluded instruments */
    int kz;
    const sf_group *fe;
    int nfe;
    const sf_group *cl;  /* 1 or 2 dims; NULL = rows */
    int ncl;
    double r;
    double K;            /* small-sample K of the model */
    const sf_ssc *ssc;
    long B;
    sf_boot_weights weights;
    uint64_t seed;
    double level;
    int rank, size;
    sf_reduce_fn reduce;
} sf_wre_in;

int sf_wre(const sf_wre_in *in, sf_wcr_out *out, sf_err *e);

#endif
