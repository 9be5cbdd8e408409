/* Covariates and dummies from external country data (docs/methods.md section 7):
 * POL, ECO, CUL (+ CUL_filled), DIS, FTA, LF, D1, BRI (+ BRI_year) and the
 * partner's regional group, one row per (partner, year). Every rule is
 * documented in docs/covariates.md; the report records each missing or
 * rule-filled cell with its reason. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cov_build.h"
#include "silkflow/covariates.h"

/* ======================= group ======================= */

static void build_group(ctx_t *x)
{
    char **g = sf_frame_add_str(x->f, "group");
    int col = cov_rep_col(x->rep, "group", x->nrow);
    if (!x->have_groups && !x->have_meta) {
        cov_rep_unavailable(x->rep, col);
        cov_all_missing_code(x, col, "source files absent (bri64.csv, Metadata_Country_*.csv)", "");
        cov_rep_warn(x->rep, "group: neither the group file nor the WDI country metadata was found: group is empty");
        return;
    }
    cov_strs none = {0};
    for (int p = 0; p < x->np; p++) {
        const char *grp = x->have_groups ? cov_attr_v1(&x->groups, x->pc[p]) : NULL;
        if (!grp && x->have_meta) grp = cov_attr_v1(&x->meta, x->pc[p]);
        if (!grp) cov_list_partner(x, p, &none);
        for (int t = 0; t < x->ny; t++) {
            if (grp)
                g[ROW(x, p, t)] = sf_strdup(grp);
            else
                cov_rep_cell(x->rep, col, 1, "neither in the group file nor with a WDI region", x->pg[p],
                             x->years[t]);
        }
    }
    if (none.n) {
        char *j = cov_strs_join(&none);
        cov_rep_warn(x->rep, "group: no group for %s", j);
        free(j);
    }
    cov_strs_free(&none);
}

/* ======================= driver ======================= */

static int load_context(ctx_t *x, const sf_cov_options *opt, sf_err *e)
{
    char *gpath = NULL;
    if (opt && opt->groups_file) {
        if (!sf_file_exists(opt->groups_file))
            return sf_fail(e, SF_EUSER, "%s: group file not found", opt->groups_file);
        gpath = sf_strdup(opt->groups_file);
    } else {
        char *up = sf_path_join(x->dir, "../countries/bri64.csv");
        if (sf_file_exists(up))
            gpath = up;
        else {
            free(up);
            gpath = sf_path_join(x->dir, "bri64.csv");
            if (!sf_file_exists(gpath)) {
                free(gpath);
                gpath = NULL;
            }
        }
    }
    if (gpath) {
        if (cov_load_groups(gpath, &x->groups, e)) {
            free(gpath);
            return SF_EUSER;
        }
        x->have_groups = 1;
        cov_rep_note(x->rep, "group: read %s", gpath);
        free(gpath);
    } else
        cov_rep_warn(x->rep, "group: no bri64.csv (in %s/../countries or %s): groups from WDI regions only", x->dir,
                     x->dir);
    char *mpath = cov_find_note(x, "group", "Metadata_Country_*.csv");
    if (mpath) {
        if (cov_load_meta(mpath, &x->meta, e)) {
            free(mpath);
            return SF_EUSER;
        }
        x->have_meta = 1;
        free(mpath);
    } else
        cov_rep_warn(x->rep, "group: no Metadata_Country_*.csv in %s: no WDI regions", x->dir);
    return SF_OK;
}

int sf_covariates_build(const char *dir, const char *focal, char *const *partners, int npartners,
                        const int *years, int nyears, const sf_cov_options *opt, sf_frame **out,
                        sf_cov_report *rep, sf_err *e)
{
    *out = NULL;
    memset(rep, 0, sizeof *rep);
    if (!dir || !sf_is_dir(dir)) return sf_fail(e, SF_EUSER, "%s: covariate directory not found", dir ? dir : "(null)");
    if (!focal || !*focal) return sf_fail(e, SF_EUSER, "covariates: no focal country");
    if (npartners < 0 || nyears < 0) return sf_fail(e, SF_EINTERNAL, "covariates: negative list size");
    ctx_t x;
    memset(&x, 0, sizeof x);
    x.dir = dir;
    cov_canon(focal, x.focal);
    x.focal_given = focal;
    x.np = npartners;
    x.pg = partners;
    x.ny = nyears;
    x.years = years;
    x.dis_log = opt ? opt->dis_log : 0;
    x.nrow = (size_t)npartners * (size_t)nyears;
    x.f = sf_frame_new(x.nrow);
    x.rep = cov_rep_new(rep);
    x.pc = sf_malloc(16 * (size_t)(npartners + 1));
    for (int p = 0; p < npartners; p++) {
        cov_canon(partners[p], x.pc[p]);
        if (!strcmp(x.pc[p], x.focal))
            cov_rep_warn(x.rep, "partner %s is the focal country: its distances are 0 or meaningless", partners[p]);
    }
    char **pcol = sf_frame_add_str(x.f, "partner");
    double *ycol = sf_frame_add_num(x.f, "year");
    for (int p = 0; p < npartners; p++)
        for (int t = 0; t < nyears; t++) {
            pcol[ROW(&x, p, t)] = sf_strdup(partners[p]);
            ycol[ROW(&x, p, t)] = years[t];
        }
    int rc = load_context(&x, opt, e);
    if (!rc) build_group(&x);
    if (!rc) rc = cov_build_pol(&x, e);
    if (!rc) rc = cov_build_eco(&x, e);
    if (!rc) rc = cov_build_cul(&x, e);
    if (!rc) rc = cov_build_dis(&x, e);
    if (!rc) rc = cov_build_fta(&x, e);
    if (!rc) rc = cov_build_lf(&x, e);
    if (!rc) rc = cov_build_d1(&x, e);
    if (!rc) rc = cov_build_stage(&x, e);
    if (!rc) rc = cov_build_bri(&x, e);
    cov_rep_finish(x.rep);
    if (x.have_groups) cov_attr_free(&x.groups);
    if (x.have_meta) cov_attr_free(&x.meta);
    free(x.pc);
    if (rc) {
        sf_frame_free(x.f);
        sf_cov_report_free(rep);
        return rc;
    }
    *out = x.f;
    return SF_OK;
}
