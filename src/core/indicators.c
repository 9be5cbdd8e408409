/* The symbiosis indicators of Hu (2023), exactly as docs/methods.md section 6
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

/* The sectors of region g in industry i (common industries: o->ind_of, else
 * the labels' sector index), into K; returns their number. */
static int sectors_in(const sf_labels *lab, const int *ind_of, int g, int i, int *K)
{
    int m = 0;
    for (int k = lab->region_start[g]; k < lab->region_start[g + 1]; k++)
        if ((ind_of ? ind_of[k] : lab->sector_industry[k]) == i) K[m++] = k;
    return m;
}

/* Weights within a set of sectors for the per-unit-of-exports measures: one
 * sector weighs 1 (docs/methods.md exactly); several are weighted by exports, by
 * output when they do not export, else equally. */
static void set_weights(const int *K, int m, const sf_derived *d, double *w)
{
    if (m == 1) {
        w[0] = 1;
        return;
    }
    double se = 0, sx = 0;
    for (int q = 0; q < m; q++) {
        se += d->E[K[q]];
        sx += d->x[K[q]];
    }
    for (int q = 0; q < m; q++) w[q] = se != 0 ? d->E[K[q]] / se : sx != 0 ? d->x[K[q]] / sx : 1.0 / m;
}

/* What one year's rows share: the inputs, the industry totals and the
 * scratch sets of sf_indicators_year. */
typedef struct {
    const sf_labels *lab;
    const sf_table *t;
    const sf_derived *d;
    const sf_products *p;
    const sf_decomp *dec;
    const sf_ind_opts *o;
    int c, c0, Nc;
    size_t N;
    const double *xind, *vaind, *dind, *dreg;
    double dall;
    int *Kc, *Kr;
    double *wc, *wr;
    const double *rc_route, *cr_route; /* routes r -> c and c -> r */
    double **col;
    int r, r0, r1;                     /* the partner */
    double xr_all, Er_all, vax_rall;   /* aggregates over all of r's sectors */
} ind_ctx;

/* The indicators of the focal region and partner x->r in industry i, into row
 * `row` of the columns (left NaN when the industry is absent in one of them). */
static void industry_row(ind_ctx *x, int i, size_t row)
{
    const sf_labels *lab = x->lab;
    const sf_table *t = x->t;
    const sf_derived *d = x->d;
    const sf_products *p = x->p;
    const sf_decomp *dec = x->dec;
    const sf_ind_opts *o = x->o;
    const int c = x->c, c0 = x->c0, Nc = x->Nc, G = lab->G, r = x->r, r0 = x->r0, r1 = x->r1;
    const size_t N = x->N;
    const int *ind_of = o->ind_of;
    int *Kc = x->Kc, *Kr = x->Kr;
    double *wc = x->wc, *wr = x->wr, **col = x->col;
    const double *xind = x->xind, *vaind = x->vaind, *dind = x->dind, *dreg = x->dreg;
    const double dall = x->dall, xr_all = x->xr_all, Er_all = x->Er_all, vax_rall = x->vax_rall;
    const double *rc_route = x->rc_route, *cr_route = x->cr_route;
    /* B entries of the focal blocks: B[k_c, j] = Bfrow[(k_c - c0) * n + j],
     * B[j, k_c] = Bfcol[j * Nc + (k_c - c0)] */
#define BROW(kc, j) p->Bfrow[(size_t)((kc) - c0) * N + (size_t)(j)]
#define BCOL(j, kc) p->Bfcol[(size_t)(j) * (size_t)Nc + (size_t)((kc) - c0)]
    const int mc = sectors_in(lab, ind_of, c, i, Kc), mr = sectors_in(lab, ind_of, r, i, Kr);
    if (!mc || !mr) return; /* industry absent in one of the regions: all NaN */
    set_weights(Kc, mc, d, wc);
    set_weights(Kr, mr, d, wr);
    double xc = 0, xr = 0, Ec = 0, Er = 0, vac = 0, var_ = 0, ivc = 0, fvc = 0, ivr = 0, fvr = 0;
    double Dc = 0, Dr = 0, vaxc = 0, vaxr = 0;
    int allzc = 1, allzr = 1;
    for (int q = 0; q < mc; q++) {
        const int k = Kc[q];
        xc += d->x[k];
        Ec += d->E[k];
        vac += d->va[k];
        ivc += dec->iv[k];
        fvc += dec->fv[k];
        Dc += dec->dfwd[k];
        vaxc += dec->dva[k];
        allzc &= d->zero[k];
    }
    for (int q = 0; q < mr; q++) {
        const int k = Kr[q];
        xr += d->x[k];
        Er += d->E[k];
        var_ += d->va[k];
        ivr += dec->iv[k];
        fvr += dec->fv[k];
        Dr += dec->dfwd[k];
        vaxr += dec->dva[k];
        allzr &= d->zero[k];
    }
    /* flows between the two sets: direct Z, value-added embodied v B x, B weighted */
    double zcr = 0, zrc = 0, thc = 0, thr = 0, varc = 0, varr = 0;
    for (int a = 0; a < mc; a++)
        for (int b = 0; b < mr; b++) {
            const int kc = Kc[a], kr = Kr[b];
            const double bcr = BROW(kc, kr), brc = BCOL(kr, kc);
            if (o->ic_total) {
                zcr += d->v[kc] * bcr * d->x[kr];
                zrc += d->v[kr] * brc * d->x[kc];
            } else {
                zcr += t->Z[(size_t)kc * N + (size_t)kr];
                zrc += t->Z[(size_t)kr * N + (size_t)kc];
            }
            thc += d->v[kr] * brc * wc[a]; /* theta_{ic,ir}: r's VA per unit of c's exports */
            thr += d->v[kc] * bcr * wr[b]; /* theta_{ir,ic} */
            varc += d->v[kr] * brc * d->E[kc];
            varr += d->v[kc] * bcr * d->E[kr];
        }
    if (!allzc && !allzr) col[C_IC][row] = (zcr / xr + zcr / xc + zrc / xc + zrc / xr) / 4;
    col[C_IIN][row] = (thc + thr) / 2;
    /* ITR and routes */
    double T_cr = 0, T_rc = 0; /* T_{ic,r}: VA of (r,i) for c's final demand; T_{ir,c} */
    for (int b = 0; b < mr; b++) T_cr += dec->vby[(size_t)Kr[b] * (size_t)G + (size_t)c];
    for (int a = 0; a < mc; a++) T_rc += dec->vby[(size_t)Kc[a] * (size_t)G + (size_t)r];
    col[C_ITR][row] = T_cr + T_rc;
    for (int q = 0; q < SF_ROUTE_N; q++) {
        double sroute = 0;
        for (int b = 0; b < mr; b++) sroute += rc_route[(size_t)(Kr[b] - r0) * SF_ROUTE_N + (size_t)q];
        for (int a = 0; a < mc; a++) sroute += cr_route[(size_t)(Kc[a] - c0) * SF_ROUTE_N + (size_t)q];
        col[C_FIN + q][row] = sroute;
    }
    col[C_ITR1][row] = ratio(T_cr + T_rc, xind[i]);
    col[C_RVC][row] = ratio(varc + varr, Ec + Er);
    col[C_INC][row] = ratio(100 * (vac + var_), vaind[i]);
    /* controls: participation and position of the sets, RCA gap */
    if (Er != 0) col[C_GVCP][row] = (ivr + fvr) / Er;
    if (Ec != 0 && Er != 0) {
        const double a1 = 1 + ivc / Ec, a2 = 1 + fvc / Ec, b1 = 1 + ivr / Er, b2 = 1 + fvr / Er;
        if (a1 > 0 && a2 > 0 && b1 > 0 && b2 > 0) col[C_GVCD][row] = (log(a1) - log(a2)) - (log(b1) - log(b2));
    }
    if (dreg[c] != 0 && dreg[r] != 0 && dind[i] != 0 && dall != 0)
        col[C_RCAD][row] = (Dc / dreg[c] - Dr / dreg[r]) / (dind[i] / dall);
    /* RH1: (r, i) replaced by all of r's sectors */
    if (!allzc && xr_all != 0) {
        double zc_rall = 0, zrall_c = 0;
        for (int a = 0; a < mc; a++) {
            const int kc = Kc[a];
            for (int j = r0; j < r1; j++) {
                if (o->ic_total) {
                    zc_rall += d->v[kc] * BROW(kc, j) * d->x[j];
                    zrall_c += d->v[j] * BCOL(j, kc) * d->x[kc];
                } else {
                    zc_rall += t->Z[(size_t)kc * N + (size_t)j];
                    zrall_c += t->Z[(size_t)j * N + (size_t)kc];
                }
            }
        }
        col[C_RH1][row] = (zc_rall / xr_all + zc_rall / xc + zrall_c / xc + zrall_c / xr_all) / 4;
    }
    /* HD1: theta_{ic,r*} = sum_{a in r} v_a B[a, K_c] (weighted), theta_{r*,ic} =
     * export-weighted mean over r's sectors of v_{K_c} B[K_c, j] */
    if (Er_all != 0) {
        double t1 = 0, t2 = 0;
        for (int a = 0; a < mc; a++) {
            const int kc = Kc[a];
            t1 += p->VBreg[(size_t)r * N + (size_t)kc] * wc[a];
            for (int j = r0; j < r1; j++) t2 += d->v[kc] * BROW(kc, j) * d->E[j];
        }
        col[C_HD1][row] = (t1 + t2 / Er_all) / 2;
    }
    col[C_VAXC][row] = vaxc;
    col[C_VAXR][row] = vaxr;
    col[C_VAXRALL][row] = vax_rall;
#undef BROW
#undef BCOL
}

int sf_indicators_year(const sf_labels *lab, const sf_table *t, const sf_derived *d, const sf_products *p,
                       const sf_decomp *dec, const sf_ind_opts *o, int year, sf_frame **out, sf_err *e)
{
    const int n = lab->n, G = lab->G, c = o->focal;
    const int *rs = lab->region_start;
    const int c0 = rs[c], Nc = rs[c + 1] - c0;
    const size_t N = (size_t)n;
    const size_t nrow = (size_t)o->npartners * (size_t)o->nindustries;
    const int *ind_of = o->ind_of;
    *out = NULL;
    if (!p->Bfrow || !p->Bfcol || p->focal != c)
        return sf_fail(e, SF_EINTERNAL, "indicators: products lack the focal region's blocks of B");

    sf_frame *f = sf_frame_new(nrow);
    double *yr = sf_frame_add_num(f, "year");
    char **pc = sf_frame_add_str(f, "partner");
    double *ind = sf_frame_add_num(f, "industry");
    double *col[NCOLS];
    for (int k = 0; k < NCOLS; k++) col[k] = sf_frame_add_num(f, COLS[k]);

    /* industry totals of x, va and D (forward-linkage DVA in exports), and D by region */
    int maxind = 0;
    for (int k = 0; k < n; k++) {
        const int i = ind_of ? ind_of[k] : lab->sector_industry[k];
        if (i > maxind) maxind = i;
    }
    double *xind = sf_calloc((size_t)maxind + 1, sizeof(double));
    double *vaind = sf_calloc((size_t)maxind + 1, sizeof(double));
    double *dind = sf_calloc((size_t)maxind + 1, sizeof(double));
    double *dreg = sf_calloc((size_t)G, sizeof(double));
    double dall = 0;
    for (int k = 0; k < n; k++) {
        const int i = ind_of ? ind_of[k] : lab->sector_industry[k];
        dreg[lab->sector_region[k]] += dec->dfwd[k];
        dall += dec->dfwd[k];
        if (i <= 0) continue;
        xind[i] += d->x[k];
        vaind[i] += d->va[k];
        dind[i] += dec->dfwd[k];
    }
    const int maxN = lab->max_sectors ? lab->max_sectors : n;
    int *Kc = sf_malloc(sizeof(int) * (size_t)maxN), *Kr = sf_malloc(sizeof(int) * (size_t)maxN);
    double *wc = sf_malloc(sizeof(double) * (size_t)maxN), *wr = sf_malloc(sizeof(double) * (size_t)maxN);
    double *rc_route = sf_malloc(sizeof(double) * SF_ROUTE_N * (size_t)maxN);
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
        /* aggregates over all of r's sectors */
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
            int high = 0;
            for (int h = 0; h < o->ntech_high; h++) high |= o->tech_high[h] == i;
            col[C_D2][row] = high;
            col[C_D3][row] = year > o->d3_after;
            ind_ctx x = {.lab = lab, .t = t, .d = d, .p = p, .dec = dec, .o = o, .c = c, .c0 = c0, .Nc = Nc,
                         .N = N, .xind = xind, .vaind = vaind, .dind = dind, .dreg = dreg, .dall = dall,
                         .Kc = Kc, .Kr = Kr, .wc = wc, .wr = wr, .rc_route = rc_route, .cr_route = cr_route,
                         .col = col, .r = r, .r0 = r0, .r1 = r1, .xr_all = xr_all, .Er_all = Er_all,
                         .vax_rall = vax_rall};
            industry_row(&x, i, row);
        }
    }
    free(xind);
    free(vaind);
    free(dind);
    free(dreg);
    free(Kc);
    free(Kr);
    free(wc);
    free(wr);
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
