/* The symbiosis indicators of Hu (2023), exactly as METHODS.md section 4
 * defines them, for focal region c, partner r and industry i:
 * k_c = (c, i), k_r = (r, i). */
#include "silkflow/indicators.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int sf_sector_of(const sf_labels *lab, int g, int industry)
{
    for (int k = lab->region_start[g]; k < lab->region_start[g + 1]; k++)
        if (lab->sector_industry[k] == industry) return k;
    return -1;
}

static double ratio(double a, double b) { return b != 0 ? a / b : NAN; }

double sf_iih(double vc_t, double vc_t1, double vr_t, double vr_t1)
{
    if (!(vc_t1 > 0) || !(vr_t1 > 0) || isnan(vc_t) || isnan(vr_t)) return NAN;
    const double gc = (vc_t - vc_t1) / vc_t1, gr = (vr_t - vr_t1) / vr_t1;
    if (gc == 0 || gr == 0) return NAN;
    const double d1 = gc / gr, d2 = gr / gc;
    if (fabs(d1 - 1) < 1e-9 || fabs(d2 - 1) < 1e-9) return NAN;
    return (1 / fabs(d1 - 1) + 1 / fabs(d2 - 1)) / 2;
}

enum {
    C_IC, C_IIN, C_ITR, C_FIN, C_INT, C_INTREXB, C_INTD, C_INTREXD, C_ITR1, C_RVC, C_INC, C_GVCP, C_GVCD, C_RCAD,
    C_RH1, C_HD1, C_D2, C_D3, C_VAXC, C_VAXR, C_VAXRALL, NCOLS
};
static const char *const COLS[NCOLS] = {
    "IC", "IIn", "ITR", "ITR_FIN", "ITR_INT", "ITR_INTREX_b", "ITR_INT_d", "ITR_INTREX_d", "ITR1", "RVC", "INC",
    "GVC_P", "GVC_D", "RCA_D", "RH1", "HD1", "D2", "D3", "VAX_c", "VAX_r", "VAX_rall"};

int sf_indicators_year(const sf_labels *lab, const sf_table *t, const sf_derived *d, const sf_products *p,
                       const sf_decomp *dec, const sf_ind_opts *o, int year, sf_frame **out, sf_err *e)
{
    const int n = lab->n, G = lab->G, c = o->focal;
    const int *rs = lab->region_start;
    const int c0 = rs[c], Nc = rs[c + 1] - c0;
    const size_t N = (size_t)n;
    const size_t nrow = (size_t)o->npartners * (size_t)o->nindustries;
    *out = NULL;
    if (!p->Bfrow || !p->Bfcol || p->focal != c)
        return sf_fail(e, SF_EINTERNAL, "indicators: products lack the focal region's blocks of B");

    sf_frame *f = sf_frame_new(nrow);
    double *yr = sf_frame_add_num(f, "year");
    char **pc = sf_frame_add_str(f, "partner");
    double *ind = sf_frame_add_num(f, "industry");
    double *col[NCOLS];
    for (int k = 0; k < NCOLS; k++) col[k] = sf_frame_add_num(f, COLS[k]);

    /* B entries of the focal blocks: B[k_c, j] = Bfrow[(k_c - c0) * n + j],
     * B[j, k_c] = Bfcol[j * Nc + (k_c - c0)] */
#define BROW(kc, j) p->Bfrow[(size_t)((kc) - c0) * N + (size_t)(j)]
#define BCOL(j, kc) p->Bfcol[(size_t)(j) * (size_t)Nc + (size_t)((kc) - c0)]
    /* industry totals of x and va */
    int maxind = 0;
    for (int k = 0; k < n; k++)
        if (lab->sector_industry[k] > maxind) maxind = lab->sector_industry[k];
    double *xind = sf_calloc((size_t)maxind + 1, sizeof(double));
    double *vaind = sf_calloc((size_t)maxind + 1, sizeof(double));
    for (int k = 0; k < n; k++) {
        xind[lab->sector_industry[k]] += d->x[k];
        vaind[lab->sector_industry[k]] += d->va[k];
    }
    double *rc_route = sf_malloc(sizeof(double) * SF_ROUTE_N * (size_t)(lab->max_sectors ? lab->max_sectors : n));
    double *cr_route = sf_malloc(sizeof(double) * SF_ROUTE_N * (size_t)Nc);
    int rc = SF_OK;
    size_t row = 0;
    for (int pi = 0; pi < o->npartners && rc == SF_OK; pi++) {
        const int r = o->partners[pi];
        const int r0 = rs[r], r1 = rs[r + 1];
        /* routes: origin r absorbed by c, and origin c absorbed by r */
        rc = sf_routes(lab, t, d, p, r, c, rc_route, e);
        if (rc == SF_OK) rc = sf_routes(lab, t, d, p, c, r, cr_route, e);
        if (rc) break;
        /* aggregates over r's sectors */
        double xr_all = 0, Er_all = 0, vax_rall = 0;
        for (int j = r0; j < r1; j++) {
            xr_all += d->x[j];
            Er_all += d->E[j];
            vax_rall += dec->dva[j];
        }
        for (int ii = 0; ii < o->nindustries; ii++, row++) {
            const int i = o->industries[ii];
            yr[row] = year;
            pc[row] = sf_strdup(lab->region_code[r]);
            ind[row] = i;
            const int kc = sf_sector_of(lab, c, i), kr = sf_sector_of(lab, r, i);
            int high = 0;
            for (int h = 0; h < o->ntech_high; h++) high |= o->tech_high[h] == i;
            col[C_D2][row] = high;
            col[C_D3][row] = year > o->d3_after;
            if (kc < 0 || kr < 0) continue; /* industry absent: all NaN */
            const double xc = d->x[kc], xr = d->x[kr];
            const double bcr = BROW(kc, kr), brc = BCOL(kr, kc);
            /* IC */
            double zcr, zrc;
            if (o->ic_total) {
                zcr = d->v[kc] * bcr * xr;
                zrc = d->v[kr] * brc * xc;
            } else {
                zcr = t->Z[(size_t)kc * N + (size_t)kr];
                zrc = t->Z[(size_t)kr * N + (size_t)kc];
            }
            const int zc = d->zero[kc], zr = d->zero[kr];
            if (!zc && !zr)
                col[C_IC][row] = (zcr / xr + zcr / xc + zrc / xc + zrc / xr) / 4;
            /* IIn */
            col[C_IIN][row] = (d->v[kr] * brc + d->v[kc] * bcr) / 2;
            /* ITR and routes */
            const double T_cr = dec->vby[(size_t)kr * (size_t)G + (size_t)c]; /* T_{ic,r} */
            const double T_rc = dec->vby[(size_t)kc * (size_t)G + (size_t)r]; /* T_{ir,c} */
            col[C_ITR][row] = T_cr + T_rc;
            for (int q = 0; q < SF_ROUTE_N; q++)
                col[C_FIN + q][row] = rc_route[(size_t)(kr - r0) * SF_ROUTE_N + (size_t)q] +
                                      cr_route[(size_t)(kc - c0) * SF_ROUTE_N + (size_t)q];
            col[C_ITR1][row] = ratio(T_cr + T_rc, xind[i]);
            /* RVC */
            const double Ec = d->E[kc], Er = d->E[kr];
            col[C_RVC][row] = ratio(d->v[kr] * brc * Ec + d->v[kc] * bcr * Er, Ec + Er);
            /* INC */
            col[C_INC][row] = ratio(100 * (d->va[kc] + d->va[kr]), vaind[i]);
            /* controls */
            col[C_GVCP][row] = dec->gvc_p[kr];
            col[C_GVCD][row] = dec->gvc_pos[kc] - dec->gvc_pos[kr];
            col[C_RCAD][row] = dec->rca[kc] - dec->rca[kr];
            /* RH1: (r, i) replaced by all of r's sectors */
            if (!zc && xr_all != 0) {
                double zc_rall = 0, zrall_c = 0;
                for (int j = r0; j < r1; j++) {
                    if (o->ic_total) {
                        zc_rall += d->v[kc] * BROW(kc, j) * d->x[j];
                        zrall_c += d->v[j] * BCOL(j, kc) * xc;
                    } else {
                        zc_rall += t->Z[(size_t)kc * N + (size_t)j];
                        zrall_c += t->Z[(size_t)j * N + (size_t)kc];
                    }
                }
                col[C_RH1][row] = (zc_rall / xr_all + zc_rall / xc + zrall_c / xc + zrall_c / xr_all) / 4;
            }
            /* HD1: theta_{ic,r*} = VBreg[r, k_c]; theta_{r*,ic} = export-weighted mean of v[k_c] B[k_c, j] */
            if (Er_all != 0) {
                double w = 0;
                for (int j = r0; j < r1; j++) w += d->v[kc] * BROW(kc, j) * d->E[j];
                col[C_HD1][row] = (p->VBreg[(size_t)r * N + (size_t)kc] + w / Er_all) / 2;
            }
            col[C_VAXC][row] = dec->dva[kc];
            col[C_VAXR][row] = dec->dva[kr];
            col[C_VAXRALL][row] = vax_rall;
        }
    }
#undef BROW
#undef BCOL
    free(xind);
    free(vaind);
    free(rc_route);
    free(cr_route);
    if (rc) {
        sf_frame_free(f);
        return rc;
    }
    *out = f;
    return SF_OK;
}

/* IIH and XT1 need (partner, industry) in years t and t-1: sort the rows by
 * (partner, industry, year) and pair consecutive years. */
typedef struct {
    const char *partner;
    double industry, year;
    size_t row;
} lag_key;

static int lag_cmp(const void *a, const void *b)
{
    const lag_key *x = a, *y = b;
    int s = strcmp(x->partner, y->partner);
    if (s) return s;
    if (x->industry != y->industry) return x->industry < y->industry ? -1 : 1;
    if (x->year != y->year) return x->year < y->year ? -1 : 1;
    return 0;
}

const char *const sf_iih_reasons[SF_IIH_NREASONS] = {"no previous year in the data", "VAX(t-1) <= 0",
                                                       "a growth rate is 0", "delta = 1 (equal growth)",
                                                       "industry absent"};

static int iih_reason(double vc_t, double vc_t1, double vr_t, double vr_t1)
{
    if (isnan(vc_t) || isnan(vr_t) || isnan(vc_t1) || isnan(vr_t1)) return 4;
    if (!(vc_t1 > 0) || !(vr_t1 > 0)) return 1;
    const double gc = (vc_t - vc_t1) / vc_t1, gr = (vr_t - vr_t1) / vr_t1;
    if (gc == 0 || gr == 0) return 2;
    return 3;
}

void sf_panel_lagged(sf_frame *f, long why[SF_IIH_NREASONS], long why_xt1[SF_IIH_NREASONS])
{
    for (int r = 0; r < SF_IIH_NREASONS; r++) why[r] = why_xt1[r] = 0;
    double *iih = sf_frame_add_num(f, "IIH");
    double *xt1 = sf_frame_add_num(f, "XT1");
    sf_column *cy = sf_frame_col(f, "year"), *cp = sf_frame_col(f, "partner"), *ci = sf_frame_col(f, "industry");
    sf_column *vc = sf_frame_col(f, "VAX_c"), *vr = sf_frame_col(f, "VAX_r"), *va = sf_frame_col(f, "VAX_rall");
    if (!cy || !cp || !ci || !vc || !vr || !va) return;
    const size_t nr = f->nrow;
    lag_key *k = sf_malloc(sizeof(lag_key) * (nr ? nr : 1));
    for (size_t i = 0; i < nr; i++) {
        k[i].partner = cp->str[i] ? cp->str[i] : "";
        k[i].industry = ci->num[i];
        k[i].year = cy->num[i];
        k[i].row = i;
    }
    qsort(k, nr, sizeof *k, lag_cmp);
    for (size_t j = 0; j < nr; j++) {
        const lag_key *b = &k[j], *a = j ? &k[j - 1] : NULL;
        const size_t it = b->row;
        if (!a || strcmp(a->partner, b->partner) || a->industry != b->industry || b->year != a->year + 1) {
            why[0]++;
            why_xt1[0]++;
            continue;
        }
        const size_t it1 = a->row;
        iih[it] = sf_iih(vc->num[it], vc->num[it1], vr->num[it], vr->num[it1]);
        xt1[it] = sf_iih(vc->num[it], vc->num[it1], va->num[it], va->num[it1]);
        if (isnan(iih[it])) why[iih_reason(vc->num[it], vc->num[it1], vr->num[it], vr->num[it1])]++;
        if (isnan(xt1[it])) why_xt1[iih_reason(vc->num[it], vc->num[it1], va->num[it], va->num[it1])]++;
    }
    free(k);
}
