/* silkflow core: trade-cooperation indicators of the focal region under the
 * Belt and Road Initiative (Du 2025; issue 8). MPI-free: everything is
 * computed from one year's arrays of the results file (exports_bilateral,
 * vby, vax) and the regions' BRI / FTA status. docs/trade.md defines every
 * number; this header is the contract of the computation.
 *
 * Flows of the focal region c with a region r != c in a year:
 *   gross exports   GX_r = sum_{k in c} exports_bilateral[k, r]
 *   gross imports   GM_r = sum_{k in r} exports_bilateral[k, c]
 *   gross trade     GT_r = GX_r + GM_r
 *   VA exports      VX_r = vax[c, r]  (c's value added absorbed in r's final demand)
 *   VA imports      VM_r = vax[r, c]
 *   VA trade        VT_r = VX_r + VM_r
 * A group's value is the sum over its member regions; the focal region is in
 * no group. Missing values are NaN and always have a documented reason. */
#ifndef SILKFLOW_TRADE_H
#define SILKFLOW_TRADE_H

#include "silkflow/common.h"
#include "silkflow/mrio.h"

enum { SF_TR_GX, SF_TR_GM, SF_TR_GT, SF_TR_VX, SF_TR_VM, SF_TR_VT, SF_TR_NMEAS };
extern const char *const sf_trade_measure_names[SF_TR_NMEAS]; /* "gross_exports", ... */
extern const char *const sf_trade_measure_desc[SF_TR_NMEAS];

/* The standard groups of partner regions (columns of /trade/groups). */
enum {
    SF_TG_WORLD,        /* every region of the table but the focal one */
    SF_TG_PARTNERS,     /* the [model] partners list */
    SF_TG_NONPARTNERS,  /* world minus partners */
    SF_TG_BRI,          /* regions with a BRI cooperation document signed by the end of the year */
    SF_TG_BRI_EVER,     /* regions that signed at any date the source knows (fixed composition) */
    SF_TG_FTA,          /* regions with a trade agreement with the focal region in force in the year */
    SF_TG_PARTNERS_BRI, /* partners in SF_TG_BRI */
    SF_TG_PARTNERS_FTA, /* partners in SF_TG_FTA */
    SF_TG_ASEAN,        /* the ten ASEAN member states (fixed composition; sf_trade_fixed_groups) */
    SF_TG_SOUTH_AMERICA, /* the countries of UN M49 region 005 South America (fixed) */
    SF_TG_N
};
extern const char *const sf_trade_group_names[SF_TG_N]; /* "world", "partners", ... */
extern const char *const sf_trade_group_desc[SF_TG_N];

/* Classes of the focal region's industries (D2 of the config). */
enum { SF_TC_MFG_HIGH, SF_TC_MFG_LOW, SF_TC_OTHER, SF_TC_ALL, SF_TC_N };
extern const char *const sf_trade_class_names[SF_TC_N];
extern const char *const sf_trade_class_desc[SF_TC_N];

/* Country flows of the focal region with every region in one year:
 * out[m * G + r] for measure m (SF_TR_*), 0 at r = focal.
 * exb: n x G exports_bilateral, vax: G x G (row-major). */
void sf_trade_country_flows(const sf_labels *lab, int focal, const double *exb, const double *vax, double *out);

/* Membership of every region in the standard groups for one year:
 * mem[k * G + r] = 1 when region r is in group k (never the focal region).
 * is_partner: G flags. bri, bri_ever, fta: G statuses (1, 0 or NaN =
 * unknown: the region is left out of that group and counted in
 * unknown[k]); a NULL status array means the information is not available at
 * all (avail[k] = 0 for the groups that need it, no member). */
void sf_trade_membership(int G, int focal, const unsigned char *is_partner, const double *bri,
                         const double *bri_ever, const double *fta, unsigned char *mem, int *unknown, int *avail);

/* The fixed geographic groups (Du 2025 quotes China's export growth to ASEAN
 * and South America): mem rows SF_TG_ASEAN and SF_TG_SOUTH_AMERICA from the
 * region codes (docs/trade.md); call after sf_trade_membership. */
void sf_trade_fixed_groups(const sf_labels *lab, int focal, unsigned char *mem);
extern const char *const sf_trade_asean[10];
extern const char *const sf_trade_south_america[14];

/* out[k] = sum_r mem[k * G + r] * v[r] for k < K. */
void sf_trade_group_sums(int G, int K, const unsigned char *mem, const double *v, double *out);

/* Exports of the focal region by its sectors and group of destinations:
 * gx[i * K + k] = sum_{r in k} exports_bilateral[k_i, r],
 * vx[i * K + k] = sum_{r in k} vby[k_i, r], i over the focal's sectors
 * (lab->region_start order). exb, vby: n x G. */
void sf_trade_sector_exports(const sf_labels *lab, int focal, const double *exb, const double *vby, int K,
                             const unsigned char *mem, double *gx, double *vx);

/* Class of an industry (1-based index within the region): SF_TC_MFG_HIGH
 * when it is in industries and tech_high, SF_TC_MFG_LOW in industries only,
 * SF_TC_OTHER otherwise. */
int sf_trade_class_of(int industry, const int *industries, int nind, const int *tech_high, int nhigh);

/* Annual growth rate cur / prev - 1; NaN when prev <= 0 or either is not
 * finite (a growth rate from a non-positive base is undefined). */
double sf_trade_growth1(double prev, double cur);

/* A set of K columns (groups, regions, class x group, ...) over ny years for
 * nm measures. Layouts: [m][t][k] for per-year arrays, [m][p][k] for the
 * two periods p = 0 (years <= boundary) and p = 1 (years > boundary). */
typedef struct {
    int ny, K, nm;
    int *years;         /* ny, ascending */
    double *level;      /* nm x ny x K: filled by the caller */
    double *share;      /* level / ref (ref <= 0 or not finite: NaN) */
    double *growth;     /* level(t) / level(t-1) - 1, t-1 the previous calendar year, present in years */
    double *index;      /* 100 * level(t) / level(first year) */
    double *gmean;      /* nm x 2 x K: mean of the defined growth rates of the period's years */
    int *gn;            /* nm x 2 x K: how many growth rates enter gmean */
    double *cagr;       /* nm x 2 x K: compound annual growth over the period (docs/trade.md) */
    int cagr_from[2], cagr_to[2]; /* years spanned by the CAGR of each period (0 when none) */
    int boundary;
} sf_trade_series;

void sf_trade_series_alloc(sf_trade_series *s, int ny, const int *years, int K, int nm);
void sf_trade_series_free(sf_trade_series *s);
/* Shares, growth, index and the period statistics from level. ref has the
 * layout of level (the denominator of each share); NULL = column 0 of the
 * same measure and year. */
void sf_trade_series_finish(sf_trade_series *s, const double *ref, int boundary);

/* Period statistics of one column x over the years (helpers of finish,
 * exposed for the tests): growth g (ny, may hold NaN), boundary year b.
 * mean[p], n[p]: mean and count of the finite g[t] with years[t] <= b (p = 0)
 * or > b (p = 1). cagr[p] = (x[to] / x[from])^(1 / (to - from)) - 1 where
 * period 0 runs from the first year to the last year <= b and period 1 from
 * the last year <= b (or the first year > b when there is none) to the last
 * year; NaN when the span is empty or an end is <= 0. from/to: the years. */
void sf_trade_periods(int ny, const int *years, const double *x, size_t stride, const double *g, int b,
                      double mean[2], int n[2], double cagr[2], int from[2], int to[2]);

#endif
