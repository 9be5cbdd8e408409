/* The trade stage (rank 0; Du 2025, issue 8): the focal region's gross and
 * value-added trade with its partners, BRI signatories, FTA partners and the
 * world, per year, by regional group and by industry, from the /years data
 * already copied into the results file; written to /trade, printed as a
 * compact table and written to the tables directory as trade.txt/.md/.csv.
 * Every number is defined in docs/trade.md; the arithmetic is core/trade.c. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "silkflow/covariates.h"
#include "silkflow/h5.h"
#include "silkflow/pipeline.h"
#include "silkflow/tables.h"
#include "silkflow/trade.h"

/* measures of the sector-level sets (exports only: the focal's own sectors) */
static const int EXPORT_MEAS[2] = {SF_TR_GX, SF_TR_VX};
static const int ALL_MEAS[SF_TR_NMEAS] = {SF_TR_GX, SF_TR_GM, SF_TR_GT, SF_TR_VX, SF_TR_VM, SF_TR_VT};
static const int SERIES2[2] = {0, 1}; /* the two measures of the sector-level series */

typedef struct {
    const sf_run_info *ri;
    int ny, G, focal, K, R, ns;
    int *years;
    unsigned char *is_partner;    /* G */
    double *bri, *fta;            /* ny x G statuses, NULL when not available */
    double *bri_ever;             /* G, NULL when not available */
    int *rgroup;                  /* G: regional group of each partner, -1 otherwise */
    char **rnames;                /* R */
    int *sclass;                  /* ns: class of each focal sector */
    unsigned char *mem;           /* ny x K x G */
    int *unknown, *nmem;          /* ny x K */
    int avail[SF_TG_N];
    char *unknown_text[3];        /* regions with unknown BRI, BRI ever, FTA status */
    sf_trade_series grp, reg, cls, ind;
} trade_ctx;

/* ---------------- statuses from the covariates ---------------- */

static double *status_column(const sf_frame *f, const char *name, const trade_ctx *x, const int *region)
{
    const sf_column *c = sf_frame_col(f, name);
    if (!c || c->type != SF_COL_NUM) return NULL;
    double *s = sf_malloc(sizeof(double) * (size_t)x->ny * (size_t)x->G);
    for (size_t i = 0; i < (size_t)x->ny * (size_t)x->G; i++) s[i] = NAN;
    int known = 0;
    for (size_t i = 0; i < f->nrow; i++) {
        const int p = (int)(i / (size_t)x->ny), t = (int)(i % (size_t)x->ny);
        s[(size_t)t * x->G + region[p]] = c->num[i];
        known += !isnan(c->num[i]);
    }
    if (!known) { /* a column without a single value: the source is absent */
        free(s);
        return NULL;
    }
    return s;
}

/* Codes of the regions whose status is unknown in some year ("RUS, AUT"). */
static char *unknown_list(const trade_ctx *x, const double *s, int per_year)
{
    size_t cap = 64, len = 0;
    char *buf = sf_calloc(cap, 1);
    for (int r = 0; r < x->G; r++) {
        if (r == x->focal) continue;
        int unk = 0;
        for (int t = 0; t < (per_year ? x->ny : 1); t++) unk |= isnan(s[(size_t)t * x->G + r]);
        if (!unk) continue;
        const char *code = x->ri->lab->region_code[r];
        if (len + strlen(code) + 3 > cap) {
            cap = 2 * cap + strlen(code);
            buf = sf_realloc(buf, cap);
        }
        len += (size_t)snprintf(buf + len, cap - len, "%s%s", len ? ", " : "", code);
    }
    return buf;
}

/* BRI, FTA and the regional group of every region other than the focal one:
 * the covariates builder ([covariates] sources) over all of them, then the
 * user's country-year CSV ([covariates] file), which wins cell by cell. */
static int load_status(trade_ctx *x, sf_err *e)
{
    const sf_run_info *ri = x->ri;
    const sf_config *cfg = ri->cfg;
    const int G = x->G, np = G - 1;
    char **codes = sf_malloc(sizeof(char *) * (size_t)(np ? np : 1));
    int *region = sf_malloc(sizeof(int) * (size_t)(np ? np : 1));
    for (int r = 0, p = 0; r < G; r++)
        if (r != x->focal) {
            region[p] = r;
            codes[p++] = ri->lab->region_code[r];
        }
    sf_frame *f = NULL;
    int rc = SF_OK;
    if (cfg->cov_dir) {
        sf_cov_report rep;
        memset(&rep, 0, sizeof rep);
        rc = sf_covariates_build(cfg->cov_dir, cfg->focal, codes, np, x->years, x->ny, NULL, &f, &rep, e);
        sf_cov_report_free(&rep);
    } else {
        f = sf_frame_new((size_t)np * (size_t)x->ny);
        char **pc = sf_frame_add_str(f, "partner");
        double *yc = sf_frame_add_num(f, "year");
        for (int p = 0; p < np; p++)
            for (int t = 0; t < x->ny; t++) {
                pc[(size_t)p * x->ny + t] = sf_strdup(codes[p]);
                yc[(size_t)p * x->ny + t] = x->years[t];
            }
    }
    if (!rc && cfg->cov_file) rc = sf_covariates_join_csv(f, cfg->cov_file, NULL, e);
    if (!rc && f->nrow != (size_t)np * (size_t)x->ny)
        rc = sf_fail(e, SF_EINTERNAL, "trade: the covariates frame has %zu rows, expected %d", f->nrow, np * x->ny);
    if (!rc) {
        x->bri = status_column(f, "BRI", x, region);
        x->fta = status_column(f, "FTA", x, region);
        /* signed at any date: BRI_year known or BRI = 1 in some year; never: BRI = 0 in every year */
        const sf_column *by = sf_frame_col(f, "BRI_year");
        if (x->bri || (by && by->type == SF_COL_NUM)) {
            x->bri_ever = sf_malloc(sizeof(double) * (size_t)G);
            for (int r = 0; r < G; r++) x->bri_ever[r] = NAN;
            for (int p = 0; p < np; p++) {
                int ever = 0, never = 1;
                for (int t = 0; t < x->ny; t++) {
                    const size_t i = (size_t)p * x->ny + t;
                    const double b = x->bri ? x->bri[(size_t)t * G + region[p]] : NAN;
                    ever |= b == 1.0 || (by && by->type == SF_COL_NUM && isfinite(by->num[i]));
                    never &= b == 0.0;
                }
                x->bri_ever[region[p]] = ever ? 1.0 : never ? 0.0 : NAN;
            }
        }
        /* regional groups of the partners, in order of first appearance */
        const sf_column *gc = sf_frame_col(f, "group");
        x->rgroup = sf_malloc(sizeof(int) * (size_t)G);
        x->rnames = sf_malloc(sizeof(char *) * (size_t)(np + 1));
        x->R = 0;
        for (int r = 0; r < G; r++) x->rgroup[r] = -1;
        for (int j = 0; j < ri->npartners; j++) {
            const int r = ri->partners[j];
            const char *name = NULL;
            for (int p = 0; p < np && !name; p++)
                if (region[p] == r && gc && gc->type == SF_COL_STR)
                    for (int t = 0; t < x->ny && !name; t++) name = gc->str[(size_t)p * x->ny + t];
            if (!name) name = "(no group)";
            int g = -1;
            for (int k = 0; k < x->R; k++)
                if (!strcmp(x->rnames[k], name)) g = k;
            if (g < 0) {
                g = x->R++;
                x->rnames[g] = sf_strdup(name);
            }
            x->rgroup[r] = g;
        }
    }
    sf_frame_free(f);
    free(codes);
    free(region);
    return rc;
}

/* ---------------- the year loop ---------------- */

static int read_year(hid_t f, int year, const char *name, hsize_t d0, hsize_t d1, double **out, sf_err *e)
{
    char path[64];
    snprintf(path, sizeof path, "/years/%d/%s", year, name);
    int rank;
    hsize_t dims[4];
    int rc = sf_h5_read_double(f, path, out, &rank, dims, e);
    if (!rc && (rank != 2 || dims[0] != d0 || dims[1] != d1)) {
        rc = sf_fail(e, SF_EINTERNAL, "%s has unexpected dimensions (expected %llu x %llu)", path,
                     (unsigned long long)d0, (unsigned long long)d1);
        free(*out);
        *out = NULL;
    }
    return rc;
}

static double *lvl(sf_trade_series *s, int m, int t) { return s->level + ((size_t)m * s->ny + (size_t)t) * s->K; }

static int compute_year(trade_ctx *x, hid_t f, int t, sf_err *e)
{
    const sf_labels *lab = x->ri->lab;
    const int G = x->G, K = x->K, ns = x->ns, year = x->years[t];
    double *exb = NULL, *vby = NULL, *vax = NULL;
    int rc = read_year(f, year, "exports_bilateral", (hsize_t)lab->n, (hsize_t)G, &exb, e);
    if (!rc) rc = read_year(f, year, "vby", (hsize_t)lab->n, (hsize_t)G, &vby, e);
    if (!rc) rc = read_year(f, year, "vax", (hsize_t)G, (hsize_t)G, &vax, e);
    if (rc) {
        free(exb);
        free(vby);
        return rc;
    }
    unsigned char *mem = x->mem + (size_t)t * K * G;
    sf_trade_membership(G, x->focal, x->is_partner, x->bri ? x->bri + (size_t)t * G : NULL, x->bri_ever,
                        x->fta ? x->fta + (size_t)t * G : NULL, mem, x->unknown + (size_t)t * K, x->avail);
    sf_trade_fixed_groups(lab, x->focal, mem);
    for (int k = 0; k < K; k++) {
        int c = 0;
        for (int r = 0; r < G; r++) c += mem[(size_t)k * G + r];
        x->nmem[(size_t)t * K + k] = c;
    }
    /* country flows summed by standard group and by regional group */
    double *flows = sf_malloc(sizeof(double) * SF_TR_NMEAS * (size_t)G);
    sf_trade_country_flows(lab, x->focal, exb, vax, flows);
    unsigned char *rmem = sf_calloc((size_t)(x->R ? x->R : 1) * (size_t)G, 1);
    for (int r = 0; r < G; r++)
        if (x->rgroup[r] >= 0) rmem[(size_t)x->rgroup[r] * G + r] = 1;
    for (int m = 0; m < SF_TR_NMEAS; m++) {
        double *gl = lvl(&x->grp, m, t);
        sf_trade_group_sums(G, K, mem, flows + (size_t)m * G, gl);
        for (int k = 0; k < K; k++)
            if (!x->avail[k]) gl[k] = NAN;
        sf_trade_group_sums(G, x->R, rmem, flows + (size_t)m * G, lvl(&x->reg, m, t));
    }
    /* the focal's exports by sector and class */
    double *gx = sf_malloc(sizeof(double) * (size_t)ns * K), *vx = sf_malloc(sizeof(double) * (size_t)ns * K);
    sf_trade_sector_exports(lab, x->focal, exb, vby, K, mem, gx, vx);
    const double *sec[2] = {gx, vx};
    for (int m = 0; m < 2; m++) {
        double *il = lvl(&x->ind, m, t), *cl = lvl(&x->cls, m, t);
        memset(cl, 0, sizeof(double) * SF_TC_N * (size_t)K);
        for (int i = 0; i < ns; i++)
            for (int k = 0; k < K; k++) {
                const double v = x->avail[k] ? sec[m][(size_t)i * K + k] : NAN;
                il[(size_t)i * K + k] = v;
                cl[(size_t)x->sclass[i] * K + k] += v;
                cl[(size_t)SF_TC_ALL * K + k] += v;
            }
    }
    free(gx);
    free(vx);
    free(rmem);
    free(flows);
    free(exb);
    free(vby);
    free(vax);
    return SF_OK;
}

/* ---------------- HDF5 ---------------- */

static void ds_attr(hid_t g, const char *ds, const char *name, const char *fmt, ...) SF_PRINTF(4, 5);
static void ds_attr(hid_t g, const char *ds, const char *name, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    hid_t d = sf_h5_open_dataset(g, ds);
    if (d < 0) return;
    sf_h5_attr_str(d, name, buf);
    sf_h5_close_object(d);
}

/* The datasets of a series: per measure <m> (ny, inner...), <m>_share,
 * <m>_growth, <m>_index, and (2, inner...) <m>_growth_mean, <m>_growth_n,
 * <m>_cagr. */
static int write_series(sf_h5 *out, hid_t g, const trade_ctx *x, const sf_trade_series *s, const int *meas,
                        int rank_in, const hsize_t *inner, const char *dims_text, const char *share_of)
{
    sf_err e0 = {0}, *e = &e0;
    hsize_t dy[4] = {(hsize_t)s->ny}, dp[4] = {2};
    for (int i = 0; i < rank_in; i++) dy[i + 1] = dp[i + 1] = inner[i];
    const size_t per = (size_t)s->ny * (size_t)s->K, perp = 2 * (size_t)s->K;
    const char *units = x->ri->cfg->units;
    const int b = s->boundary;
    int rc = SF_OK;
    for (int m = 0; m < s->nm && !rc; m++) {
        const char *mn = sf_trade_measure_names[meas[m]];
        char nm[96];
        rc = sf_h5_write_double(out, g, mn, rank_in + 1, dy, s->level + m * per, e);
        if (rc) break;
        ds_attr(g, mn, "description", "%s", sf_trade_measure_desc[meas[m]]);
        ds_attr(g, mn, "units", "%s", units);
        ds_attr(g, mn, "dims", "year, %s", dims_text);
        snprintf(nm, sizeof nm, "%s_share", mn);
        if ((rc = sf_h5_write_double(out, g, nm, rank_in + 1, dy, s->share + m * per, e))) break;
        ds_attr(g, nm, "description", "%s / %s (a fraction; missing when the denominator is <= 0 or missing)", mn,
                share_of);
        ds_attr(g, nm, "dims", "year, %s", dims_text);
        snprintf(nm, sizeof nm, "%s_growth", mn);
        if ((rc = sf_h5_write_double(out, g, nm, rank_in + 1, dy, s->growth + m * per, e))) break;
        ds_attr(g, nm, "description",
                "%s(t) / %s(t-1) - 1 (a fraction); missing in the first year, when year t-1 is not in the run, "
                "when %s(t-1) <= 0 and for unavailable groups", mn, mn, mn);
        ds_attr(g, nm, "dims", "year, %s", dims_text);
        snprintf(nm, sizeof nm, "%s_index", mn);
        if ((rc = sf_h5_write_double(out, g, nm, rank_in + 1, dy, s->index + m * per, e))) break;
        ds_attr(g, nm, "description", "100 * %s(t) / %s(first year); missing when the first year's value is <= 0",
                mn, mn);
        ds_attr(g, nm, "dims", "year, %s", dims_text);
        snprintf(nm, sizeof nm, "%s_growth_mean", mn);
        if ((rc = sf_h5_write_double(out, g, nm, rank_in + 1, dp, s->gmean + m * perp, e))) break;
        ds_attr(g, nm, "description",
                "arithmetic mean of the annual growth rates %s_growth of the years <= %d (row 0) and > %d (row 1); "
                "missing when no growth rate of the period is defined", mn, b, b);
        ds_attr(g, nm, "dims", "period, %s", dims_text);
        snprintf(nm, sizeof nm, "%s_growth_n", mn);
        int *gn = sf_malloc(sizeof(int) * (perp ? perp : 1));
        memcpy(gn, s->gn + m * perp, sizeof(int) * perp);
        rc = sf_h5_write_int(out, g, nm, rank_in + 1, dp, gn, e);
        free(gn);
        if (rc) break;
        ds_attr(g, nm, "description", "number of annual growth rates averaged in %s_growth_mean", mn);
        ds_attr(g, nm, "dims", "period, %s", dims_text);
        snprintf(nm, sizeof nm, "%s_cagr", mn);
        if ((rc = sf_h5_write_double(out, g, nm, rank_in + 1, dp, s->cagr + m * perp, e))) break;
        ds_attr(g, nm, "description",
                "compound annual growth rate (x_to / x_from)^(1 / (to - from)) - 1; row 0 from %d to %d, row 1 "
                "from %d to %d (0 = no such span: missing)",
                s->cagr_from[0], s->cagr_to[0], s->cagr_from[1], s->cagr_to[1]);
        ds_attr(g, nm, "dims", "period, %s", dims_text);
    }
    return rc;
}

static int write_strings(sf_h5 *out, hid_t g, const char *name, int n, const char *const *s, sf_err *e)
{
    return sf_h5_write_strings(out, g, name, (hsize_t)n, (char *const *)s, e);
}

static int write_h5(trade_ctx *x, sf_h5 *out, sf_err *e)
{
    const sf_run_info *ri = x->ri;
    const int K = x->K, G = x->G, ny = x->ny, b = ri->cfg->d3_after;
    hid_t g = sf_h5_group(out, "/trade");
    sf_h5_attr_str(g, "focal", ri->lab->region_code[x->focal]);
    sf_h5_attr_str(g, "units", ri->cfg->units);
    sf_h5_attr_int(g, "boundary_year", b);
    sf_h5_attr_int(g, "lag_year", ri->lag_year);
    sf_h5_attr_str(g, "source", "/years/YYYY/exports_bilateral, /years/YYYY/vby and /years/YYYY/vax of this file; "
                                "BRI, BRI_year, FTA and group from the covariates (docs/covariates.md)");
    sf_h5_attr_str(g, "documentation", "docs/trade.md");
    sf_h5_attr_str(g, "periods", "row 0 of *_growth_mean, *_growth_n, *_cagr: years <= boundary_year; row 1: "
                                 "years > boundary_year ([model] d3_after)");
    sf_h5_attr_str(g, "bri_status_unknown", x->unknown_text[0]);
    sf_h5_attr_str(g, "bri_ever_status_unknown", x->unknown_text[1]);
    sf_h5_attr_str(g, "fta_status_unknown", x->unknown_text[2]);
    hsize_t hy = (hsize_t)ny;
    int rc = sf_h5_write_int(out, g, "years", 1, &hy, x->years, e);
    sf_h5_close_object(g);
    if (rc) return rc;

    /* standard groups */
    g = sf_h5_group(out, "/trade/groups");
    hsize_t hk = (hsize_t)K, dyk[2] = {hy, hk}, dykg[3] = {hy, hk, (hsize_t)G};
    rc = write_strings(out, g, "names", K, sf_trade_group_names, e);
    if (!rc) rc = write_strings(out, g, "description", K, sf_trade_group_desc, e);
    if (!rc) rc = sf_h5_write_int(out, g, "available", 1, &hk, x->avail, e);
    if (!rc) rc = sf_h5_write_int(out, g, "n_regions", 2, dyk, x->nmem, e);
    if (!rc) rc = sf_h5_write_int(out, g, "n_unknown", 2, dyk, x->unknown, e);
    if (!rc) {
        size_t nm = (size_t)ny * K * G;
        int *mi = sf_malloc(sizeof(int) * (nm ? nm : 1));
        for (size_t i = 0; i < nm; i++) mi[i] = x->mem[i];
        rc = sf_h5_write_int(out, g, "membership", 3, dykg, mi, e);
        free(mi);
    }
    if (!rc) {
        ds_attr(g, "membership", "description", "1 when the region (/labels/region_code order) is in the group "
                                                "that year; the focal region is in no group");
        ds_attr(g, "n_unknown", "description", "regions left out of the group because their status (BRI or FTA) "
                                               "is missing that year");
        ds_attr(g, "available", "description", "0 when the status the group needs is not available at all (no "
                                               "[covariates] sources or file column): its values are missing");
        rc = write_series(out, g, x, &x->grp, ALL_MEAS, 1, &hk, "group", "the world value of the year");
    }
    sf_h5_close_object(g);
    if (rc) return rc;

    /* regional groups of the partners */
    g = sf_h5_group(out, "/trade/regions");
    hsize_t hr = (hsize_t)x->R;
    rc = write_strings(out, g, "names", x->R, (const char *const *)x->rnames, e);
    if (!rc) {
        char **members = sf_calloc((size_t)(x->R ? x->R : 1), sizeof(char *));
        for (int k = 0; k < x->R; k++) {
            size_t len = 0, cap = 8 * (size_t)G + 1;
            members[k] = sf_calloc(cap, 1);
            for (int j = 0; j < ri->npartners; j++) {
                const int r = ri->partners[j];
                if (x->rgroup[r] == k)
                    len += (size_t)snprintf(members[k] + len, cap - len, "%s%s", len ? " " : "",
                                            ri->lab->region_code[r]);
            }
        }
        rc = write_strings(out, g, "members", x->R, (const char *const *)members, e);
        for (int k = 0; k < x->R; k++) free(members[k]);
        free(members);
    }
    if (!rc) {
        sf_h5_attr_str(g, "description", "the partners by regional group (covariate group: bri64.csv, else the WDI "
                                         "region); the groups sum to /trade/groups partners");
        rc = write_series(out, g, x, &x->reg, ALL_MEAS, 1, &hr, "regional group", "the world value of the year");
    }
    sf_h5_close_object(g);
    if (rc) return rc;

    /* industry classes and industries of the focal region */
    g = sf_h5_group(out, "/trade/industry_classes");
    hsize_t dck[2] = {SF_TC_N, hk};
    rc = write_strings(out, g, "names", SF_TC_N, sf_trade_class_names, e);
    if (!rc) rc = write_strings(out, g, "description", SF_TC_N, sf_trade_class_desc, e);
    if (!rc) rc = write_strings(out, g, "groups", K, sf_trade_group_names, e);
    if (!rc) {
        sf_h5_attr_str(g, "description", "the focal region's exports by industry class and destination group; "
                                         "va_exports by industry = vby rows of the class's sectors");
        rc = write_series(out, g, x, &x->cls, EXPORT_MEAS, 2, dck, "class, group",
                          "the focal's exports to the same group (class all)");
    }
    sf_h5_close_object(g);
    if (rc) return rc;
    g = sf_h5_group(out, "/trade/industries");
    const sf_labels *lab = ri->lab;
    const int k0 = lab->region_start[x->focal];
    hsize_t hs = (hsize_t)x->ns, dik[2] = {hs, hk};
    rc = sf_h5_write_int(out, g, "industry", 1, &hs, lab->sector_industry + k0, e);
    if (!rc) {
        const char **nm = sf_malloc(sizeof(char *) * (size_t)(x->ns ? x->ns : 1));
        const char **cl = sf_malloc(sizeof(char *) * (size_t)(x->ns ? x->ns : 1));
        for (int i = 0; i < x->ns; i++) {
            nm[i] = lab->sector_name ? lab->sector_name[k0 + i] : "";
            cl[i] = sf_trade_class_names[x->sclass[i]];
        }
        rc = write_strings(out, g, "name", x->ns, nm, e);
        if (!rc) rc = write_strings(out, g, "class", x->ns, cl, e);
        free(nm);
        free(cl);
    }
    if (!rc) rc = write_strings(out, g, "groups", K, sf_trade_group_names, e);
    if (!rc) rc = write_series(out, g, x, &x->ind, EXPORT_MEAS, 2, dik, "focal sector, group",
                               "the focal's exports to the same group (all industries)");
    sf_h5_close_object(g);
    return rc;
}

/* ---------------- tables ---------------- */

/* The tables are sf_texttab grids, rendered by report/tables.c (one text-table renderer). */

/* numbers: levels with thousands as they are, percentages with one decimal; "-" = missing */
static void tab_num(sf_texttab *t, int j, double v, int pct)
{
    if (!isfinite(v)) sf_texttab_set(t, j, "-");
    else if (pct) sf_texttab_set(t, j, "%.1f", 100 * v);
    else sf_texttab_set(t, j, "%.0f", v);
}

/* The groups shown in the compact tables. */
static const int SHOWN[] = {SF_TG_PARTNERS, SF_TG_BRI_EVER, SF_TG_BRI, SF_TG_FTA, SF_TG_ASEAN, SF_TG_SOUTH_AMERICA};
enum { NSHOWN = 6 };

static const double *ser_at(const sf_trade_series *s, const double *a, int m, int t)
{
    return a + ((size_t)m * s->ny + (size_t)t) * s->K;
}

/* Compact: years as rows; the world's level and growth, then share and growth of the shown groups. */
static void compact_table(const trade_ctx *x, int m, sf_texttab *t)
{
    const sf_trade_series *s = &x->grp;
    sf_texttab_init(t, 3 + 2 * NSHOWN, "%s %s of %s (%s; shares of the world and growth in %%)",
             m == SF_TR_GX ? "Gross" : "Value-added", m == SF_TR_GX ? "exports" : "exports (VAX)",
             x->ri->lab->region_code[x->focal], x->ri->cfg->units);
    sf_texttab_head(t, 0, "year");
    sf_texttab_head(t, 1, "world");
    sf_texttab_head(t, 2, "g%");
    for (int j = 0; j < NSHOWN; j++) {
        char h[64];
        snprintf(h, sizeof h, "%s sh%%", sf_trade_group_names[SHOWN[j]]);
        sf_texttab_head(t, 3 + 2 * j, h);
        sf_texttab_head(t, 4 + 2 * j, "g%");
    }
    for (int y = 0; y < x->ny; y++) {
        sf_texttab_row(t);
        sf_texttab_set(t, 0, "%d", x->years[y]);
        tab_num(t, 1, ser_at(s, s->level, m, y)[SF_TG_WORLD], 0);
        tab_num(t, 2, ser_at(s, s->growth, m, y)[SF_TG_WORLD], 1);
        for (int j = 0; j < NSHOWN; j++) {
            tab_num(t, 3 + 2 * j, ser_at(s, s->share, m, y)[SHOWN[j]], 1);
            tab_num(t, 4 + 2 * j, ser_at(s, s->growth, m, y)[SHOWN[j]], 1);
        }
    }
}

/* Period statistics: rows measure x period, columns the world and the shown groups. */
/* sidx: measure indexes within the series, mids: their measure ids (names) */
static void period_table(const trade_ctx *x, const sf_trade_series *s, const int *sidx, const int *mids, int nm,
                         const int *cols, const char *const *colnames, int ncols, int cagr, sf_texttab *t, const char *what)
{
    const int b = x->ri->cfg->d3_after;
    sf_texttab_init(t, 2 + ncols, "%s %s of %s, before and after %d (%%)%s", cagr ? "Compound annual growth" :
             "Mean annual growth", what, x->ri->lab->region_code[x->focal], b,
             cagr ? "" : " [mean of the annual growth rates of the period's years]");
    sf_texttab_head(t, 0, "measure");
    sf_texttab_head(t, 1, "period");
    for (int j = 0; j < ncols; j++) sf_texttab_head(t, 2 + j, colnames[j]);
    for (int m = 0; m < nm; m++)
        for (int p = 0; p < 2; p++) {
            sf_texttab_row(t);
            sf_texttab_set(t, 0, "%s", p ? "" : sf_trade_measure_names[mids[m]]);
            if (cagr && s->cagr_from[p]) sf_texttab_set(t, 1, "%d-%d", s->cagr_from[p], s->cagr_to[p]);
            else sf_texttab_set(t, 1, "%s%d", p ? ">" : "<=", b);
            const double *a = (cagr ? s->cagr : s->gmean) + ((size_t)sidx[m] * 2 + (size_t)p) * s->K;
            for (int j = 0; j < ncols; j++) tab_num(t, 2 + j, a[cols[j]], 1);
        }
}

/* One statistic of one measure over all columns of a series (years as rows). */
static void series_table(const trade_ctx *x, const sf_trade_series *s, int m, int mid, int stat, int k0, int kstep,
                         int nk, const char *const *colnames, const char *what, sf_texttab *t)
{
    static const char *const sname[3] = {"", "share (%)", "growth (%)"};
    sf_texttab_init(t, 1 + nk, "%s%s%s %s", sf_trade_measure_names[mid], stat ? " " : "", sname[stat], what);
    if (!stat) snprintf(t->title + strlen(t->title), sizeof t->title - strlen(t->title), " (%s)", x->ri->cfg->units);
    sf_texttab_head(t, 0, "year");
    for (int j = 0; j < nk; j++) sf_texttab_head(t, 1 + j, colnames[j]);
    const double *a = stat == 0 ? s->level : stat == 1 ? s->share : s->growth;
    for (int y = 0; y < x->ny; y++) {
        sf_texttab_row(t);
        sf_texttab_set(t, 0, "%d", x->years[y]);
        for (int j = 0; j < nk; j++) tab_num(t, 1 + j, ser_at(s, a, m, y)[k0 + j * kstep], stat != 0);
    }
}

static void emit(sf_texttab *t, FILE *txt, FILE *md)
{
    if (txt) sf_texttab_write_txt(t, txt, "trade");
    if (md) sf_texttab_write_md(t, md);
    sf_texttab_free(t);
}

static void write_tables(const trade_ctx *x, FILE *txt, FILE *md)
{
    sf_texttab t;
    const char *gcols[SF_TG_N];
    int gidx[SF_TG_N];
    for (int k = 0; k < SF_TG_N; k++) {
        gcols[k] = sf_trade_group_names[k];
        gidx[k] = k;
    }
    /* groups: every measure, levels, shares, growth; then the periods */
    for (int m = 0; m < SF_TR_NMEAS; m++)
        for (int stat = 0; stat < 3; stat++) {
            series_table(x, &x->grp, m, m, stat, 0, 1, SF_TG_N, gcols, "by group of partners", &t);
            emit(&t, txt, md);
        }
    for (int c = 0; c < 2; c++) {
        period_table(x, &x->grp, ALL_MEAS, ALL_MEAS, SF_TR_NMEAS, gidx, gcols, SF_TG_N, c, &t, "by group");
        emit(&t, txt, md);
    }
    /* regional groups */
    if (x->R > 0) {
        int *ridx = sf_malloc(sizeof(int) * (size_t)x->R);
        for (int k = 0; k < x->R; k++) ridx[k] = k;
        for (int m = 0; m < SF_TR_NMEAS; m++)
            for (int stat = 0; stat < 3; stat += 2) {
                series_table(x, &x->reg, m, m, stat, 0, 1, x->R, (const char *const *)x->rnames,
                             "by regional group of the partners", &t);
                emit(&t, txt, md);
            }
        for (int c = 0; c < 2; c++) {
            period_table(x, &x->reg, ALL_MEAS, ALL_MEAS, SF_TR_NMEAS, ridx, (const char *const *)x->rnames, x->R, c, &t,
                         "by regional group of the partners");
            emit(&t, txt, md);
        }
        free(ridx);
    }
    /* industry classes: for the world and the shown groups */
    const int K = x->K;
    for (int m = 0; m < 2; m++)
        for (int j = -1; j < NSHOWN; j++) {
            const int k = j < 0 ? SF_TG_WORLD : SHOWN[j];
            char what[128];
            snprintf(what, sizeof what, "by industry class, exports to %s", sf_trade_group_names[k]);
            for (int stat = 0; stat < 3; stat++) {
                series_table(x, &x->cls, m, EXPORT_MEAS[m], stat, k, K, SF_TC_N, sf_trade_class_names, what, &t);
                emit(&t, txt, md);
            }
        }
    for (int c = 0; c < 2; c++) {
        int cidx[SF_TC_N * (1 + NSHOWN)];
        const char *cn[SF_TC_N * (1 + NSHOWN)];
        char names[SF_TC_N * (1 + NSHOWN)][96];
        int n = 0;
        for (int j = -1; j < NSHOWN; j++)
            for (int cl = 0; cl < SF_TC_N; cl++) {
                const int k = j < 0 ? SF_TG_WORLD : SHOWN[j];
                cidx[n] = cl * K + k;
                snprintf(names[n], sizeof names[n], "%s/%s", sf_trade_class_names[cl], sf_trade_group_names[k]);
                cn[n] = names[n];
                n++;
            }
        period_table(x, &x->cls, SERIES2, EXPORT_MEAS, 2, cidx, cn, n, c, &t, "of exports by industry class/group");
        emit(&t, txt, md);
    }
}

/* Long CSV: one row per set, item, group and year (levels, shares, growth,
 * index), then one per period (mean growth, count, CAGR). */
static void csv_series(FILE *f, const trade_ctx *x, const char *set, const sf_trade_series *s, const int *meas,
                       int nitems, const char *const *items, int ngroups, const char *const *groups)
{
    for (int m = 0; m < s->nm; m++)
        for (int it = 0; it < nitems; it++)
            for (int k = 0; k < ngroups; k++) {
                const int col = it * ngroups + k;
                for (int y = 0; y < s->ny; y++) {
                    const size_t i = ((size_t)m * s->ny + (size_t)y) * s->K + (size_t)col;
                    fprintf(f, "%s,\"%s\",%s,%d,,%s", set, items[it], groups[k], s->years[y],
                            sf_trade_measure_names[meas[m]]);
                    const double v[4] = {s->level[i], s->share[i], s->growth[i], s->index[i]};
                    for (int j = 0; j < 4; j++)
                        if (isfinite(v[j])) fprintf(f, ",%.17g", v[j]);
                        else fputs(",", f);
                    fputs(",,\n", f);
                }
                for (int p = 0; p < 2; p++) {
                    const size_t i = ((size_t)m * 2 + (size_t)p) * s->K + (size_t)col;
                    fprintf(f, "%s,\"%s\",%s,,%s%d,%s,,,", set, items[it], groups[k], p ? ">" : "<=", s->boundary,
                            sf_trade_measure_names[meas[m]]);
                    if (isfinite(s->gmean[i])) fprintf(f, "%.17g", s->gmean[i]);
                    fprintf(f, ",,%d,", s->gn[i]);
                    if (isfinite(s->cagr[i])) fprintf(f, "%.17g", s->cagr[i]);
                    fputc('\n', f);
                }
            }
    (void)x;
}

static int write_csv(const trade_ctx *x, const char *path, sf_err *e)
{
    FILE *f = fopen(path, "w");
    if (!f) return sf_fail(e, SF_EUSER, "%s: cannot write", path);
    fputs("set,item,group,year,period,measure,level,share,growth,index,growth_n,cagr\n", f);
    const char *all = "all";
    csv_series(f, x, "groups", &x->grp, ALL_MEAS, 1, &all, SF_TG_N, sf_trade_group_names);
    const char *partners = "partners";
    csv_series(f, x, "regions", &x->reg, ALL_MEAS, x->R, (const char *const *)x->rnames, 1, &partners);
    csv_series(f, x, "industry_classes", &x->cls, EXPORT_MEAS, SF_TC_N, sf_trade_class_names, SF_TG_N,
               sf_trade_group_names);
    const sf_labels *lab = x->ri->lab;
    const int k0 = lab->region_start[x->focal];
    char **names = sf_malloc(sizeof(char *) * (size_t)(x->ns ? x->ns : 1));
    for (int i = 0; i < x->ns; i++) {
        char buf[256];
        /* industry number and name, quotes doubled away */
        snprintf(buf, sizeof buf, "%d %s", lab->sector_industry[k0 + i], lab->sector_name ? lab->sector_name[k0 + i] : "");
        for (char *q = buf; *q; q++)
            if (*q == '"') *q = '\'';
        names[i] = sf_strdup(buf);
    }
    csv_series(f, x, "industries", &x->ind, EXPORT_MEAS, x->ns, (const char *const *)names, SF_TG_N,
               sf_trade_group_names);
    for (int i = 0; i < x->ns; i++) free(names[i]);
    free(names);
    int bad = ferror(f), err = errno;
    if (fclose(f)) bad = 1, err = errno;
    if (bad) return sf_fail_write(e, SF_EUSER, path, err, 0, "%s: write failed", path);
    return SF_OK;
}

static int write_files(const trade_ctx *x, sf_err *e)
{
    const char *dir = x->ri->cfg->tables_dir;
    if (!dir) return SF_OK;
    if (sf_mkdir_p(dir) != 0) return sf_fail(e, SF_EUSER, "%s: cannot create the [output] tables directory", dir);
    /* written under temporary names, renamed when all three are complete */
    char *ptxt = sf_path_join(dir, "trade.txt.tmp"), *pmd = sf_path_join(dir, "trade.md.tmp"),
         *pcsv = sf_path_join(dir, "trade.csv.tmp");
    FILE *txt = fopen(ptxt, "w"), *md = fopen(pmd, "w");
    int rc = SF_OK;
    if (!txt || !md) rc = sf_fail(e, SF_EUSER, "%s: cannot write", !txt ? ptxt : pmd);
    if (!rc) {
        const char *head = "Trade cooperation indicators (docs/trade.md): the focal region's gross and value-added "
                           "trade by group of partners, regional group and industry class.";
        fprintf(txt, "%s\n\n", head);
        fprintf(md, "# Trade cooperation indicators\n\n%s\n\n", head);
        write_tables(x, txt, md);
    }
    if (txt && fclose(txt) && !rc) rc = sf_fail_write(e, SF_EUSER, ptxt, errno, 0, "%s: write failed", ptxt);
    if (md && fclose(md) && !rc) rc = sf_fail_write(e, SF_EUSER, pmd, errno, 0, "%s: write failed", pmd);
    if (!rc) rc = write_csv(x, pcsv, e);
    char *const tmps[3] = {ptxt, pmd, pcsv};
    for (int i = 0; i < 3; i++) {
        char *final = sf_strdup(tmps[i]);
        final[strlen(final) - 4] = 0;
        if (!rc && rename(tmps[i], final) != 0)
            rc = sf_fail(e, SF_EUSER, "%s: cannot rename to %s: %s", tmps[i], final, strerror(errno));
        if (rc) remove(tmps[i]);
        free(final);
    }
    free(ptxt);
    free(pmd);
    free(pcsv);
    return rc;
}

static void print_console(const trade_ctx *x)
{
    sf_texttab t;
    compact_table(x, SF_TR_GX, &t);
    sf_texttab_write_txt(&t, NULL, "trade");
    sf_texttab_free(&t);
    compact_table(x, SF_TR_VX, &t);
    sf_texttab_write_txt(&t, NULL, "trade");
    sf_texttab_free(&t);
    static const int meas[4] = {SF_TR_GX, SF_TR_VX, SF_TR_GM, SF_TR_VM};
    int cols[1 + NSHOWN];
    const char *names[1 + NSHOWN];
    cols[0] = SF_TG_WORLD;
    names[0] = "world";
    for (int j = 0; j < NSHOWN; j++) {
        cols[1 + j] = SHOWN[j];
        names[1 + j] = sf_trade_group_names[SHOWN[j]];
    }
    period_table(x, &x->grp, meas, meas, 4, cols, names, 1 + NSHOWN, 0, &t, "by group");
    sf_texttab_write_txt(&t, NULL, "trade");
    sf_texttab_free(&t);
    const char *what[3] = {"BRI", "BRI (ever)", "FTA"};
    for (int j = 0; j < 3; j++)
        if (x->unknown_text[j][0])
            sf_info("%-10s %s status unknown for %s: left out of that group (see docs/trade.md)", "trade", what[j],
                    x->unknown_text[j]);
    if (!x->avail[SF_TG_BRI] || !x->avail[SF_TG_FTA])
        sf_info("%-10s %s%s%s not available (no [covariates] sources or file columns): those groups are missing",
                "trade", !x->avail[SF_TG_BRI] ? "BRI" : "", !x->avail[SF_TG_BRI] && !x->avail[SF_TG_FTA] ? " and " : "",
                !x->avail[SF_TG_FTA] ? "FTA" : "");
}

/* ---------------- the stage ---------------- */

static void ctx_free(trade_ctx *x)
{
    free(x->years);
    free(x->is_partner);
    free(x->bri);
    free(x->fta);
    free(x->bri_ever);
    free(x->rgroup);
    for (int k = 0; k < x->R; k++) free(x->rnames[k]);
    free(x->rnames);
    free(x->sclass);
    free(x->mem);
    free(x->unknown);
    free(x->nmem);
    for (int j = 0; j < 3; j++) free(x->unknown_text[j]);
    sf_trade_series_free(&x->grp);
    sf_trade_series_free(&x->reg);
    sf_trade_series_free(&x->cls);
    sf_trade_series_free(&x->ind);
}

/* ---------------- agreements over time (Du 2025; docs/trade.md "Agreements") ---------------- */

enum { AGR_Y0 = 1990, AGR_Y1 = 2023 }; /* DESTA v2.02 and Nedopil (2023) end in 2023 */

/* The paper's stated counts: DIR/../countries/du2025_stated.csv, else DIR/du2025_stated.csv; NULL if absent. */
static sf_frame *read_stated(const char *dir, char *used, size_t n, sf_err *e, int *rc)
{
    const char *rel[2] = {"/../countries/du2025_stated.csv", "/du2025_stated.csv"};
    for (int i = 0; i < 2; i++) {
        snprintf(used, n, "%s%s", dir, rel[i]);
        FILE *f = fopen(used, "r");
        if (!f) continue;
        fclose(f);
        sf_frame *fr = NULL;
        *rc = sf_frame_read_csv(used, &fr, e);
        const char *need[4] = {"measure", "year", "value", "quote"};
        for (int k = 0; k < 4 && !*rc; k++)
            if (!sf_frame_col(fr, need[k]))
                *rc = sf_fail(e, SF_EUSER, "%s: line 1: no column %s (expected measure, year, value, quote, source)",
                              used, need[k]);
        for (int k = 1; k < 3 && !*rc; k++)
            if (sf_frame_col(fr, need[k])->type != SF_COL_NUM)
                *rc = sf_fail(e, SF_EUSER, "%s: column %s has a cell that is not a number", used, need[k]);
        if (*rc) {
            sf_frame_free(fr);
            return NULL;
        }
        return fr;
    }
    used[0] = '\0';
    return NULL;
}

static int write_agreements(const sf_run_info *ri, sf_h5 *out, sf_err *e)
{
    const char *dir = ri->cfg->cov_dir;
    if (!dir) return SF_OK;
    sf_cov_counts c;
    int rc = sf_cov_agreement_counts(dir, ri->cfg->focal, AGR_Y0, AGR_Y1, &c, e);
    char spath[4096];
    sf_frame *st = rc ? NULL : read_stated(dir, spath, sizeof spath, e, &rc);
    if (!rc) {
        hid_t g = sf_h5_group(out, "/trade/agreements");
        const hsize_t n = (hsize_t)c.n;
        rc = sf_h5_write_int(out, g, "calendar_year", 1, &n, c.year, e);
        if (!rc) rc = sf_h5_write_double(out, g, "fta_agreements", 1, &n, c.fta_agreements, e);
        if (!rc) rc = sf_h5_write_double(out, g, "fta_partners", 1, &n, c.fta_partners, e);
        if (!rc) rc = sf_h5_write_double(out, g, "bri_signatories", 1, &n, c.bri_signatories, e);
        sf_h5_attr_int(g, "bri_undated", c.bri_undated);
        sf_h5_attr_str(g, "desta_file", c.desta_file ? c.desta_file : "");
        sf_h5_attr_str(g, "bri_file", c.bri_file ? c.bri_file : "");
        sf_h5_attr_str(g, "stated_file", st ? spath : "");
        if (st && !rc) {
            const hsize_t ns = (hsize_t)st->nrow;
            const sf_column *m = sf_frame_col(st, "measure"), *y = sf_frame_col(st, "year"),
                            *v = sf_frame_col(st, "value"), *q = sf_frame_col(st, "quote"),
                            *src = sf_frame_col(st, "source"), *ql = sf_frame_col(st, "qualifier");
            char **empty = sf_calloc(ns + 1, sizeof(char *));
            rc = sf_h5_write_strings(out, g, "stated_measure", ns, m->type == SF_COL_STR ? m->str : empty, e);
            if (!rc) rc = sf_h5_write_double(out, g, "stated_year", 1, &ns, y->num, e);
            if (!rc) rc = sf_h5_write_double(out, g, "stated_value", 1, &ns, v->num, e);
            if (!rc) rc = sf_h5_write_strings(out, g, "stated_quote", ns, q->type == SF_COL_STR ? q->str : empty, e);
            if (!rc)
                rc = sf_h5_write_strings(out, g, "stated_source", ns, src && src->type == SF_COL_STR ? src->str : empty,
                                         e);
            if (!rc)
                rc = sf_h5_write_strings(out, g, "stated_qualifier", ns, ql && ql->type == SF_COL_STR ? ql->str : empty,
                                         e);
            free(empty);
        }
        sf_h5_close_object(g);
        const int last = c.n - 1;
        sf_info("%-10s agreements of %s in force in %d: %.0f (with %.0f countries and regions, DESTA); BRI signatories "
                "%.0f (+%d without a date, Nedopil 2023)%s",
                "trade", ri->cfg->focal, c.year[last], c.fta_agreements[last], c.fta_partners[last],
                c.bri_signatories[last], c.bri_undated < 0 ? 0 : c.bri_undated,
                st ? "; the statements of Du (2025) in /trade/agreements/stated_*" : "");
    }
    sf_frame_free(st);
    sf_cov_counts_free(&c);
    return rc;
}

int sf_trade_stage(const sf_run_info *ri, sf_h5 *out, sf_err *e)
{
    double t0 = sf_now();
    trade_ctx x;
    memset(&x, 0, sizeof x);
    x.ri = ri;
    x.G = ri->lab->G;
    x.focal = ri->focal;
    x.K = SF_TG_N;
    x.ny = ri->nyears;
    x.years = sf_malloc(sizeof(int) * (size_t)(x.ny ? x.ny : 1));
    memcpy(x.years, ri->years, sizeof(int) * (size_t)x.ny);
    sf_sort_int(x.years, (size_t)x.ny);
    x.is_partner = sf_calloc((size_t)x.G, 1);
    for (int j = 0; j < ri->npartners; j++) x.is_partner[ri->partners[j]] = 1;
    const sf_labels *lab = ri->lab;
    const int k0 = lab->region_start[x.focal];
    x.ns = lab->region_start[x.focal + 1] - k0;
    x.sclass = sf_malloc(sizeof(int) * (size_t)(x.ns ? x.ns : 1));
    for (int i = 0; i < x.ns; i++)
        x.sclass[i] = sf_trade_class_of(ri->ind_of ? ri->ind_of[k0 + i] : lab->sector_industry[k0 + i], ri->cfg->industries, ri->cfg->nindustries,
                                        ri->cfg->tech_high, ri->cfg->ntech_high);
    int rc = load_status(&x, e);
    if (rc) {
        sf_err_prefix(e, "trade");
        ctx_free(&x);
        return rc;
    }
    x.unknown_text[0] = x.bri ? unknown_list(&x, x.bri, 1) : sf_strdup("");
    x.unknown_text[1] = x.bri_ever ? unknown_list(&x, x.bri_ever, 0) : sf_strdup("");
    x.unknown_text[2] = x.fta ? unknown_list(&x, x.fta, 1) : sf_strdup("");
    const size_t yk = (size_t)x.ny * (size_t)x.K;
    x.mem = sf_calloc(yk * (size_t)x.G + 1, 1);
    x.unknown = sf_calloc(yk + 1, sizeof(int));
    x.nmem = sf_calloc(yk + 1, sizeof(int));
    sf_trade_series_alloc(&x.grp, x.ny, x.years, x.K, SF_TR_NMEAS);
    sf_trade_series_alloc(&x.reg, x.ny, x.years, x.R, SF_TR_NMEAS);
    sf_trade_series_alloc(&x.cls, x.ny, x.years, SF_TC_N * x.K, 2);
    sf_trade_series_alloc(&x.ind, x.ny, x.years, x.ns * x.K, 2);
    /* the year data: in the results file being assembled, else in the year cache */
    for (int t = 0; t < x.ny && !rc; t++) {
        char gname[32];
        snprintf(gname, sizeof gname, "/years/%d", x.years[t]);
        if (sf_h5_exists(out->file, gname)) {
            rc = compute_year(&x, out->file, t, e);
            continue;
        }
        char *path = sf_year_file_path(ri->cachedir, x.years[t]);
        sf_h5 y;
        rc = sf_h5_open(&y, path, 0, e);
        if (!rc) {
            rc = compute_year(&x, y.file, t, e);
            if (rc) sf_err_prefix(e, "%s", path);
            sf_h5_close(&y, NULL);
        }
        free(path);
    }
    if (!rc) {
        const int b = ri->cfg->d3_after;
        sf_trade_series_finish(&x.grp, NULL, b);
        /* regional groups: shares of the world; classes and industries: of the focal's exports to the group */
        size_t nref = (size_t)SF_TR_NMEAS * x.ny * (size_t)x.R;
        if (nref < 2 * yk * SF_TC_N) nref = 2 * yk * SF_TC_N;
        if (nref < 2 * yk * (size_t)x.ns) nref = 2 * yk * (size_t)x.ns;
        double *ref = sf_malloc(sizeof(double) * (nref + 1));
        for (int m = 0; m < SF_TR_NMEAS; m++)
            for (int t = 0; t < x.ny; t++)
                for (int k = 0; k < x.R; k++)
                    ref[((size_t)m * x.ny + t) * x.R + k] = x.grp.level[((size_t)m * x.ny + t) * x.K + SF_TG_WORLD];
        sf_trade_series_finish(&x.reg, ref, b);
        for (int m = 0; m < 2; m++)
            for (int t = 0; t < x.ny; t++) {
                const double *all = x.cls.level + ((size_t)m * x.ny + t) * x.cls.K + (size_t)SF_TC_ALL * x.K;
                for (int c = 0; c < SF_TC_N; c++)
                    for (int k = 0; k < x.K; k++) ref[((size_t)m * x.ny + t) * x.cls.K + (size_t)c * x.K + k] = all[k];
            }
        sf_trade_series_finish(&x.cls, ref, b);
        for (int m = 0; m < 2; m++)
            for (int t = 0; t < x.ny; t++) {
                const double *all = x.cls.level + ((size_t)m * x.ny + t) * x.cls.K + (size_t)SF_TC_ALL * x.K;
                for (int i = 0; i < x.ns; i++)
                    for (int k = 0; k < x.K; k++) ref[((size_t)m * x.ny + t) * x.ind.K + (size_t)i * x.K + k] = all[k];
            }
        sf_trade_series_finish(&x.ind, ref, b);
        free(ref);
        rc = write_h5(&x, out, e);
        if (!rc) rc = write_agreements(ri, out, e);
    }
    if (!rc) rc = write_files(&x, e);
    if (!rc) {
        print_console(&x);
        sf_info("%-10s %d years  %7.2f s  /trade%s%s", "trade", x.ny, sf_now() - t0,
                ri->cfg->tables_dir ? ", tables in " : "", ri->cfg->tables_dir ? ri->cfg->tables_dir : "");
    }
    ctx_free(&x);
    return rc;
}
