/* Trade-cooperation indicators of the focal region (Du 2025; issue 8):
 * country flows, group membership and sums, exports by sector, growth rates
 * and the before/after period statistics. MPI-free; docs/trade.md. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "silkflow/trade.h"

const char *const sf_trade_measure_names[SF_TR_NMEAS] = {"gross_exports", "gross_imports", "gross_trade",
                                                         "va_exports",    "va_imports",    "va_trade"};
const char *const sf_trade_measure_desc[SF_TR_NMEAS] = {
    "gross exports of the focal region to the group: sum over the focal's sectors k and members r of "
    "exports_bilateral[k, r] (intermediates + final goods)",
    "gross imports of the focal region from the group: sum over members r and their sectors k of "
    "exports_bilateral[k, focal]",
    "gross trade: gross_exports + gross_imports",
    "value-added exports: sum over members r of vax[focal, r], the focal's value added absorbed in r's final demand",
    "value-added imports: sum over members r of vax[r, focal], r's value added absorbed in the focal's final demand",
    "value-added trade: va_exports + va_imports"};

const char *const sf_trade_group_names[SF_TG_N] = {"world", "partners", "nonpartners", "bri",
                                                   "bri_ever", "fta", "partners_bri", "partners_fta",
                                                   "asean", "south_america"};
const char *const sf_trade_group_desc[SF_TG_N] = {
    "every region of the table except the focal region",
    "the [model] partners list",
    "world minus partners",
    "regions that had signed a BRI cooperation document by the end of the year (covariate BRI = 1)",
    "regions that signed a BRI cooperation document at any date (fixed composition: BRI_year known or BRI = 1 "
    "in some year)",
    "regions with a trade agreement with the focal region in force in the year (covariate FTA = 1)",
    "partners in bri",
    "partners in fta",
    "the ten ASEAN member states (current membership, fixed composition)",
    "South America (UN M49 region 005; fixed composition)"};

/* ASEAN (asean.org, member states since Cambodia joined in 1999) */
const char *const sf_trade_asean[10] = {"BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "VNM"};
/* UN M49 (unstats.un.org/unsd/methodology/m49) region 005 South America */
const char *const sf_trade_south_america[14] = {"ARG", "BOL", "BRA", "CHL", "COL", "ECU", "FLK",
                                                "GUF", "GUY", "PRY", "PER", "SUR", "URY", "VEN"};

void sf_trade_fixed_groups(const sf_labels *lab, int focal, unsigned char *mem)
{
    const int G = lab->G;
    for (int r = 0; r < G; r++) {
        const char *code = lab->region_code[r];
        int a = 0, s = 0;
        for (int i = 0; i < 10; i++) a |= !strcmp(code, sf_trade_asean[i]);
        for (int i = 0; i < 14; i++) s |= !strcmp(code, sf_trade_south_america[i]);
        mem[(size_t)SF_TG_ASEAN * G + r] = (unsigned char)(a && r != focal);
        mem[(size_t)SF_TG_SOUTH_AMERICA * G + r] = (unsigned char)(s && r != focal);
    }
}

const char *const sf_trade_class_names[SF_TC_N] = {"mfg_high_tech", "mfg_low_tech", "non_mfg", "all"};
const char *const sf_trade_class_desc[SF_TC_N] = {
    "[model] industries that are in tech_high (D2 = 1)", "[model] industries not in tech_high (D2 = 0)",
    "industries outside [model] industries", "every industry of the focal region"};

void sf_trade_country_flows(const sf_labels *lab, int focal, const double *exb, const double *vax, double *out)
{
    const int G = lab->G, c = focal;
    memset(out, 0, sizeof(double) * (size_t)SF_TR_NMEAS * (size_t)G);
    double *gx = out + (size_t)SF_TR_GX * G, *gm = out + (size_t)SF_TR_GM * G;
    /* exports: the focal's rows; imports: column c of every other region's rows */
    for (int k = lab->region_start[c]; k < lab->region_start[c + 1]; k++)
        for (int r = 0; r < G; r++)
            if (r != c) gx[r] += exb[(size_t)k * G + r];
    for (int k = 0; k < lab->n; k++) {
        const int r = lab->sector_region[k];
        if (r != c) gm[r] += exb[(size_t)k * G + c];
    }
    for (int r = 0; r < G; r++) {
        if (r == c) continue;
        out[(size_t)SF_TR_GT * G + r] = gx[r] + gm[r];
        out[(size_t)SF_TR_VX * G + r] = vax[(size_t)c * G + r];
        out[(size_t)SF_TR_VM * G + r] = vax[(size_t)r * G + c];
        out[(size_t)SF_TR_VT * G + r] = vax[(size_t)c * G + r] + vax[(size_t)r * G + c];
    }
}

/* 1 member, 0 not, -1 unknown */
static int status_of(const double *s, int r)
{
    if (isnan(s[r])) return -1;
    return s[r] == 1.0;
}

void sf_trade_membership(int G, int focal, const unsigned char *is_partner, const double *bri,
                         const double *bri_ever, const double *fta, unsigned char *mem, int *unknown, int *avail)
{
    memset(mem, 0, (size_t)SF_TG_N * (size_t)G);
    for (int k = 0; k < SF_TG_N; k++) {
        unknown[k] = 0;
        avail[k] = 1;
    }
    if (!bri) avail[SF_TG_BRI] = avail[SF_TG_PARTNERS_BRI] = 0;
    if (!bri_ever) avail[SF_TG_BRI_EVER] = 0;
    if (!fta) avail[SF_TG_FTA] = avail[SF_TG_PARTNERS_FTA] = 0;
    for (int r = 0; r < G; r++) {
        if (r == focal) continue;
        const int p = is_partner[r] != 0;
        mem[(size_t)SF_TG_WORLD * G + r] = 1;
        mem[(size_t)SF_TG_PARTNERS * G + r] = (unsigned char)p;
        mem[(size_t)SF_TG_NONPARTNERS * G + r] = (unsigned char)!p;
        /* status-based groups: an unknown status keeps the region out and is counted */
        const double *st[3] = {bri, bri_ever, fta};
        const int grp[3] = {SF_TG_BRI, SF_TG_BRI_EVER, SF_TG_FTA};
        const int pgrp[3] = {SF_TG_PARTNERS_BRI, -1, SF_TG_PARTNERS_FTA};
        for (int j = 0; j < 3; j++) {
            if (!st[j]) continue;
            const int s = status_of(st[j], r);
            if (s < 0) {
                unknown[grp[j]]++;
                if (pgrp[j] >= 0 && p) unknown[pgrp[j]]++;
                continue;
            }
            mem[(size_t)grp[j] * G + r] = (unsigned char)s;
            if (pgrp[j] >= 0) mem[(size_t)pgrp[j] * G + r] = (unsigned char)(s && p);
        }
    }
}

void sf_trade_group_sums(int G, int K, const unsigned char *mem, const double *v, double *out)
{
    for (int k = 0; k < K; k++) {
        double acc = 0;
        for (int r = 0; r < G; r++)
            if (mem[(size_t)k * G + r]) acc += v[r];
        out[k] = acc;
    }
}

void sf_trade_sector_exports(const sf_labels *lab, int focal, const double *exb, const double *vby, int K,
                             const unsigned char *mem, double *gx, double *vx)
{
    const int G = lab->G, k0 = lab->region_start[focal], ns = lab->region_start[focal + 1] - k0;
    for (int i = 0; i < ns; i++) {
        sf_trade_group_sums(G, K, mem, exb + (size_t)(k0 + i) * G, gx + (size_t)i * K);
        sf_trade_group_sums(G, K, mem, vby + (size_t)(k0 + i) * G, vx + (size_t)i * K);
    }
}

int sf_trade_class_of(int industry, const int *industries, int nind, const int *tech_high, int nhigh)
{
    int in = 0, hi = 0;
    for (int i = 0; i < nind; i++) in |= industries[i] == industry;
    for (int i = 0; i < nhigh; i++) hi |= tech_high[i] == industry;
    if (!in) return SF_TC_OTHER;
    return hi ? SF_TC_MFG_HIGH : SF_TC_MFG_LOW;
}

double sf_trade_growth1(double prev, double cur)
{
    if (!isfinite(prev) || !isfinite(cur) || prev <= 0) return NAN;
    return cur / prev - 1.0;
}

void sf_trade_series_alloc(sf_trade_series *s, int ny, const int *years, int K, int nm)
{
    memset(s, 0, sizeof *s);
    s->ny = ny;
    s->K = K;
    s->nm = nm;
    s->years = sf_malloc(sizeof(int) * (size_t)(ny ? ny : 1));
    memcpy(s->years, years, sizeof(int) * (size_t)ny);
    const size_t m = (size_t)nm * (size_t)ny * (size_t)K + 1, p = (size_t)nm * 2 * (size_t)K + 1;
    s->level = sf_calloc(m, sizeof(double));
    s->share = sf_calloc(m, sizeof(double));
    s->growth = sf_calloc(m, sizeof(double));
    s->index = sf_calloc(m, sizeof(double));
    s->gmean = sf_calloc(p, sizeof(double));
    s->gn = sf_calloc(p, sizeof(int));
    s->cagr = sf_calloc(p, sizeof(double));
}

void sf_trade_series_free(sf_trade_series *s)
{
    free(s->years);
    free(s->level);
    free(s->share);
    free(s->growth);
    free(s->index);
    free(s->gmean);
    free(s->gn);
    free(s->cagr);
    memset(s, 0, sizeof *s);
}

static int cagr_span(double x0, double x1, int y0, int y1, double *out)
{
    *out = NAN;
    if (y1 <= y0 || !isfinite(x0) || !isfinite(x1) || x0 <= 0 || x1 <= 0) return 0;
    *out = pow(x1 / x0, 1.0 / (double)(y1 - y0)) - 1.0;
    return 1;
}

void sf_trade_periods(int ny, const int *years, const double *x, size_t stride, const double *g, int b,
                      double mean[2], int n[2], double cagr[2], int from[2], int to[2])
{
    double sum[2] = {0, 0};
    n[0] = n[1] = 0;
    int last_before = -1, first_after = -1;
    for (int t = 0; t < ny; t++) {
        const int p = years[t] > b;
        if (!p) last_before = t;
        if (p && first_after < 0) first_after = t;
        if (isfinite(g[(size_t)t * stride])) {
            sum[p] += g[(size_t)t * stride];
            n[p]++;
        }
    }
    for (int p = 0; p < 2; p++) mean[p] = n[p] ? sum[p] / n[p] : NAN;
    /* period 0: first year .. last year <= b; period 1: last year <= b (its base) .. last year */
    int f0 = -1, t0 = -1, f1 = -1, t1 = -1;
    if (last_before > 0) {
        f0 = 0;
        t0 = last_before;
    }
    if (first_after >= 0) {
        f1 = last_before >= 0 ? last_before : first_after;
        t1 = ny - 1;
        if (t1 == f1) f1 = t1 = -1;
    }
    const int fr[2] = {f0, f1}, tt[2] = {t0, t1};
    for (int p = 0; p < 2; p++) {
        cagr[p] = NAN;
        from[p] = to[p] = 0;
        if (fr[p] < 0) continue;
        from[p] = years[fr[p]];
        to[p] = years[tt[p]];
        cagr_span(x[(size_t)fr[p] * stride], x[(size_t)tt[p] * stride], from[p], to[p], &cagr[p]);
    }
}

void sf_trade_series_finish(sf_trade_series *s, const double *ref, int boundary)
{
    const int ny = s->ny, K = s->K;
    s->boundary = boundary;
    for (int m = 0; m < s->nm; m++) {
        const size_t base = (size_t)m * (size_t)ny * (size_t)K;
        for (int t = 0; t < ny; t++)
            for (int k = 0; k < K; k++) {
                const size_t i = base + (size_t)t * K + k;
                const double x = s->level[i];
                const double d = ref ? ref[i] : s->level[base + (size_t)t * K];
                s->share[i] = isfinite(d) && d > 0 && isfinite(x) ? x / d : NAN;
                const int annual = t > 0 && s->years[t - 1] == s->years[t] - 1;
                s->growth[i] = annual ? sf_trade_growth1(s->level[i - (size_t)K], x) : NAN;
                const double x0 = s->level[base + k];
                s->index[i] = isfinite(x0) && x0 > 0 && isfinite(x) ? 100.0 * x / x0 : NAN;
            }
        for (int k = 0; k < K; k++) {
            double mean[2], cagr[2];
            int n[2];
            sf_trade_periods(ny, s->years, s->level + base + k, (size_t)K, s->growth + base + k, boundary, mean, n,
                             cagr, s->cagr_from, s->cagr_to);
            for (int p = 0; p < 2; p++) {
                const size_t j = ((size_t)m * 2 + (size_t)p) * (size_t)K + (size_t)k;
                s->gmean[j] = mean[p];
                s->gn[j] = n[p];
                s->cagr[j] = cagr[p];
            }
        }
    }
}
