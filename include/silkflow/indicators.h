/* silkflow core: the symbiosis indicators of Hu (2023) per year (docs/methods.md
 * section 4), for the focal region and every partner x industry, computed
 * from the table, the products of B and the decomposition. MPI-free.
 * IIH and XT1 need year t-1 and are computed after the gather
 * (sf_panel_lagged). */
#ifndef SILKFLOW_INDICATORS_H
#define SILKFLOW_INDICATORS_H

#include "silkflow/decomp.h"
#include "silkflow/frame.h"
#include "silkflow/mrio.h"

typedef struct {
    int focal;               /* region index */
    const int *partners;     /* region indices (focal excluded) */
    int npartners;
    const int *industries;   /* 1-based industries */
    int nindustries;
    int ic_total;            /* ic_basis = total */
    const int *tech_high;    /* D2 = 1 industries */
    int ntech_high;
    int d3_after;            /* D3 = 1 for years after */
    const int *ind_of;       /* n: common industry of each sector (concordance), 0 = none;
                                NULL: the sector's index within its region */
} sf_ind_opts;

/* Sector of (region g, industry i) or -1 when the region has no such
 * industry. Uses the sectors' industry codes from the labels. */
int sf_sector_of(const sf_labels *lab, int g, int industry);

/* One frame per year, one row per partner x industry (partner-major).
 * Industry i of region g is the set of g's sectors with ind_of = i: one
 * sector in Eora26/WIOD (then the formulas are exactly docs/methods.md's); with a
 * concordance several sectors may form it, and the indicators aggregate
 * them (flows, outputs, exports, value added summed; per-unit-of-exports
 * measures weighted by exports; docs/methods.md). Columns:
 * year, partner (code), industry, IC, IIn, ITR, ITR_FIN, ITR_INT,
 * ITR_INTREX_b, ITR_INT_d, ITR_INTREX_d, ITR1, RVC, INC, GVC_P, GVC_D,
 * RCA_D, RH1, HD1, D2, D3, and the inputs of IIH/XT1: VAX_c, VAX_r, VAX_rall.
 * Cells that cannot be computed are NaN (zero output, zero exports, missing
 * industry); sf_panel_missing_report counts them. */
int sf_indicators_year(const sf_labels *lab, const sf_table *t, const sf_derived *d, const sf_products *p,
                       const sf_decomp *dec, const sf_ind_opts *o, int year, sf_frame **out, sf_err *e);

/* IIH and XT1 from the VAX columns of years t and t-1 of the same
 * (partner, industry): rows without a previous year get NaN. Adds columns
 * IIH and XT1 to the stacked frame. Missing IIH cells are counted by reason
 * in why[]: 0 no previous year, 1 VAX(t-1) <= 0, 2 a growth rate is 0,
 * 3 delta = 1, 4 VAX missing (industry absent); likewise for XT1 in why_xt1. */
#define SF_IIH_NREASONS 5
extern const char *const sf_iih_reasons[SF_IIH_NREASONS];
void sf_panel_lagged(sf_frame *f, long why[SF_IIH_NREASONS], long why_xt1[SF_IIH_NREASONS]);

/* IIH formula (docs/methods.md section 6): NaN when VAX(t-1) <= 0 for either side, a
 * growth rate is 0, or |delta - 1| < 1e-9. */
double sf_iih(double vc_t, double vc_t1, double vr_t, double vr_t1);

#endif
