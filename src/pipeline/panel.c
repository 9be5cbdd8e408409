/* The panel stage (rank 0): stack the indicator rows of every year from the
 * year cache, compute IIH and XT1 (they need year t-1), join the covariates,
 * count missing cells by column and reason, preprocess, and write /panel
 * (and a CSV copy for Stata/R/Python users). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "silkflow/covariates.h"
#include "silkflow/h5.h"
#include "silkflow/indicators.h"
#include "silkflow/pipeline.h"
#include "silkflow/stats.h"

static const char *const PANEL_ORDER[] = {
    "year", "partner", "industry", "IC", "IIn", "IIH", "ITR", "ITR_FIN", "ITR_INT", "ITR_INTREX_b", "ITR_INT_d",
    "ITR_INTREX_d", "ITR1", "RVC", "INC", "GVC_P", "GVC_D", "RCA_D", "RH1", "HD1", "XT1", "D1", "D2", "D3",
    "POL", "ECO", "CUL", "DIS", "FTA", "LF", "STAGE"};

/* why a cell of a computed column is missing */
static const char *reason_of(const char *col)
{
    if (!strcmp(col, "IC") || !strcmp(col, "RH1")) return "zero output of one of the two sectors";
    if (!strcmp(col, "GVC_P") || !strcmp(col, "GVC_D")) return "zero exports of the sector (participation undefined)";
    if (!strcmp(col, "RVC")) return "zero exports of both sectors";
    if (!strcmp(col, "HD1")) return "zero exports of the partner";
    if (!strcmp(col, "ITR") || !strcmp(col, "ITR1")) return "no transfer either way (ITR <= 0: ln undefined, itr_form = log)";
    if (!strcmp(col, "RCA_D")) return "zero forward-linkage value added in exports";
    return "not available";
}

/* Covariates: built from the raw sources ([covariates] sources) for the
 * partners and panel years, joined by (partner, year); then the user's
 * country-year CSV ([covariates] file). Without sources the panel has no
 * covariate columns and the log says so. */
static int join_covariates(const sf_run_info *ri, sf_frame *f, sf_cov_report *rep, sf_err *e)
{
    const sf_config *cfg = ri->cfg;
    if (cfg->cov_dir) {
        char **codes = sf_malloc(sizeof(char *) * (size_t)(ri->npartners ? ri->npartners : 1));
        for (int i = 0; i < ri->npartners; i++) codes[i] = ri->lab->region_code[ri->partners[i]];
        sf_frame *cov = NULL;
        sf_cov_options opt = {.groups_file = NULL, .dis_log = cfg->dis_log};
        int rc = sf_covariates_build(cfg->cov_dir, cfg->focal, codes, ri->npartners, cfg->years, cfg->nyears, &opt,
                                     &cov, rep, e);
        free(codes);
        if (rc) return rc;
        static const char *const take[] = {"group", "POL", "ECO", "CUL", "CUL_filled", "DIS", "FTA", "LF", "D1",
                                           "STAGE", "BRI", "BRI_year"};
        long m = sf_frame_join(f, cov, "partner", "year", take, (int)(sizeof take / sizeof take[0]));
        sf_frame_free(cov);
        if (m < 0) return sf_fail(e, SF_EINTERNAL, "covariates: duplicate (partner, year) keys");
        sf_cov_report_log(rep);
    } else {
        sf_info("%-10s no [covariates] sources: the panel has no POL, ECO, CUL, DIS, FTA, LF, D1 columns; models "
                "that use them will report the missing columns", "covariates");
    }
    if (cfg->cov_file) {
        int rc = sf_covariates_join_csv(f, cfg->cov_file, rep, e);
        if (rc) return rc;
    }
    return SF_OK;
}

/* Preprocessing (docs/methods.md section 10): winsorise at the pooled p/100-p percentiles,
 * then min-max normalise, the variables the models use; the raw values stay
 * beside them as <name>_raw. Route columns and VAX inputs are left raw (their
 * additivity matters to users; no model uses them). */
static const char *const PREPROCESSED[] = {"IC", "IIn", "IIH", "RH1", "HD1", "XT1", "ITR", "ITR1", "RVC", "INC",
                                           "GVC_P", "GVC_D", "RCA_D", "POL", "ECO", "CUL", "DIS", "LF"};

/* The functional forms of [estimate] itr_form and iih_form (docs/methods.md section 10), applied
 * before winsorising: ln ITR and ln ITR1 (a value <= 0 becomes missing, counted), ln IIH, or the
 * bounded IIH / (1 + IIH). Returns the cells lost; *what names the map (NULL: none). */
static long apply_form(const sf_config *cfg, const char *name, double *x, size_t n, const char **what)
{
    int itr = !strcmp(name, "ITR") || !strcmp(name, "ITR1"), iih = !strcmp(name, "IIH");
    long lost = 0;
    *what = NULL;
    if ((itr && cfg->itr_log) || (iih && cfg->iih_form == 1)) {
        *what = itr ? "itr_form = log: ln" : "iih_form = log: ln";
        for (size_t i = 0; i < n; i++)
            if (isfinite(x[i])) {
                if (x[i] > 0)
                    x[i] = log(x[i]);
                else {
                    x[i] = NAN;
                    lost++;
                }
            }
    } else if (iih && cfg->iih_form == 2) {
        *what = "iih_form = bounded: IIH / (1 + IIH)";
        for (size_t i = 0; i < n; i++)
            if (isfinite(x[i])) x[i] = x[i] / (1 + x[i]);
    }
    return lost;
}

static void preprocess(const sf_config *cfg, sf_frame *f, char *desc, size_t descsz)
{
    desc[0] = '\0';
    if (cfg->winsorize <= 0 && !cfg->normalize && !cfg->itr_log && !cfg->iih_form) {
        snprintf(desc, descsz, "none (winsorize = 0, normalize = false, itr_form = level, iih_form = literal)");
        return;
    }
    for (size_t k = 0; k < sizeof PREPROCESSED / sizeof PREPROCESSED[0]; k++) {
        sf_column *c = sf_frame_col(f, PREPROCESSED[k]);
        if (!c || c->type != SF_COL_NUM) continue;
        char raw[64];
        snprintf(raw, sizeof raw, "%s_raw", PREPROCESSED[k]);
        double *r = sf_frame_add_num(f, raw);
        c = sf_frame_col(f, PREPROCESSED[k]); /* adding a column may move the others */
        memcpy(r, c->num, sizeof(double) * f->nrow);
        const char *form;
        long lost = apply_form(cfg, PREPROCESSED[k], c->num, f->nrow, &form);
        if (form)
            snprintf(desc + strlen(desc), descsz - strlen(desc), "%s%s: %s (%ld cells <= 0 made missing), then",
                     *desc ? "; " : "", PREPROCESSED[k], form, lost);
        double lo = NAN, hi = NAN, mn = NAN, mx = NAN;
        long changed = 0;
        if (cfg->winsorize > 0) changed = sf_winsorize(c->num, f->nrow, cfg->winsorize, &lo, &hi);
        if (cfg->normalize) sf_minmax_normalize(c->num, f->nrow, &mn, &mx);
        if (!form) snprintf(desc + strlen(desc), descsz - strlen(desc), "%s%s:", *desc ? "; " : "", PREPROCESSED[k]);
        snprintf(desc + strlen(desc), descsz - strlen(desc), " %ld cells winsorised to [%.6g, %.6g], raw range "
                 "after winsorising [%.6g, %.6g] mapped to [0, 1]", changed, lo, hi, mn, mx);
    }
    sf_info("%-10s %zu rows: %s%s%s%s; raw values kept as <name>_raw", "preprocess", f->nrow,
            cfg->itr_log ? "ITR, ITR1 in logs, " : "", cfg->iih_form == 1 ? "ln IIH, " : cfg->iih_form == 2 ? "IIH / (1 + IIH), " : "",
            cfg->winsorize > 0 ? "winsorised at the pooled percentiles, " : "",
            cfg->normalize ? "min-max normalised" : "not normalised");
}

int sf_panel_stage(const sf_run_info *ri, sf_h5 *out, sf_frame **panel, sf_err *e)
{
    *panel = NULL;
    sf_frame *f = sf_frame_new(0);
    int rc = SF_OK;
    for (int i = 0; i < ri->nyears && rc == SF_OK; i++) {
        char *path = sf_year_file_path(ri->cachedir, ri->years[i]);
        sf_h5 y;
        rc = sf_h5_open(&y, path, 0, e);
        if (!rc) {
            sf_frame *rows = NULL;
            rc = sf_h5_read_frame(y.file, "/rows", &rows, e);
            if (!rc && sf_frame_rbind(f, rows) != 0)
                rc = sf_fail(e, SF_EINTERNAL, "%s: panel rows do not match the other years'", path);
            sf_frame_free(rows);
            sf_h5_close(&y, NULL);
        }
        free(path);
    }
    if (rc) {
        sf_frame_free(f);
        return rc;
    }
    long why[SF_IIH_NREASONS], whyx[SF_IIH_NREASONS];
    sf_panel_lagged(f, why, whyx);
    /* the lag year only serves IIH */
    if (ri->lag_year) {
        sf_column *cy = sf_frame_col(f, "year");
        unsigned char *keep = sf_malloc(f->nrow ? f->nrow : 1);
        long dropped = 0;
        for (size_t i = 0; i < f->nrow; i++) {
            keep[i] = cy->num[i] != ri->lag_year;
            dropped += !keep[i];
        }
        sf_frame_filter(f, keep);
        free(keep);
        why[0] -= dropped; /* the lag year is the earliest: none of its rows has a previous year */
        whyx[0] -= dropped;
    }
    sf_cov_report rep;
    memset(&rep, 0, sizeof rep);
    rc = join_covariates(ri, f, &rep, e);
    if (rc) {
        sf_cov_report_free(&rep);
        sf_frame_free(f);
        return rc;
    }
    /* missing-cell counts are taken on the raw values (preprocessing keeps NaN) */
    char *prep = sf_malloc(8192);
    preprocess(ri->cfg, f, prep, 8192);
    sf_frame_order(f, PANEL_ORDER, (int)(sizeof PANEL_ORDER / sizeof PANEL_ORDER[0]));
    rc = sf_h5_write_frame(out, "/panel", f, e);
    if (rc == SF_OK) {
        hid_t g = sf_h5_open_group(out->file, "/panel");
        /* the keys year and industry as int32 (never missing) */
        static const char *const ints[] = {"year", "industry"};
        int *iv = sf_malloc(sizeof(int) * (f->nrow ? f->nrow : 1));
        for (int k = 0; k < 2 && rc == SF_OK; k++) {
            const sf_column *c = sf_frame_col(f, ints[k]);
            if (!c || c->type != SF_COL_NUM) continue;
            for (size_t i = 0; i < f->nrow; i++) iv[i] = (int)c->num[i];
            hsize_t n = (hsize_t)f->nrow;
            rc = sf_h5_write_int(out, g, ints[k], 1, &n, iv, e);
        }
        free(iv);
        char line[1024];
        long total_missing = 0;
        for (int j = 0; j < f->ncol; j++) {
            const sf_column *c = &f->cols[j];
            long miss = 0;
            for (size_t i = 0; i < f->nrow; i++)
                miss += c->type == SF_COL_NUM ? isnan(c->num[i]) : c->str[i] == NULL;
            char an[128];
            snprintf(an, sizeof an, "missing_%s", c->name);
            sf_h5_attr_int(g, an, miss);
            if (!miss) continue;
            total_missing += miss;
            if (!strcmp(c->name, "IIH") || !strcmp(c->name, "XT1")) {
                line[0] = '\0';
                const long *w = !strcmp(c->name, "IIH") ? why : whyx;
                for (int r = 0; r < SF_IIH_NREASONS; r++)
                    if (w[r])
                        snprintf(line + strlen(line), sizeof line - strlen(line), "%s%ld: %s", *line ? "; " : "",
                                 w[r], sf_iih_reasons[r]);
            } else if (sf_cov_report_col(&rep, c->name)) {
                const sf_cov_colreport *cr = sf_cov_report_col(&rep, c->name);
                line[0] = '\0';
                if (!cr->available) snprintf(line, sizeof line, "source not available");
                for (int r = 0; r < cr->nmissing_why; r++)
                    snprintf(line + strlen(line), sizeof line - strlen(line), "%s%zu: %s", *line ? "; " : "",
                             cr->missing_why[r].cells, cr->missing_why[r].text);
                if (!*line) snprintf(line, sizeof line, "no covariate data for these partner-years");
            } else {
                snprintf(line, sizeof line, "%s", reason_of(c->name));
            }
            snprintf(an, sizeof an, "missing_%s_reason", c->name);
            sf_h5_attr_str(g, an, line);
            sf_info("%-10s %-13s %6ld of %zu cells missing: %s", "panel", c->name, miss, f->nrow, line);
        }
        sf_h5_attr_int(g, "rows", (long)f->nrow);
        sf_h5_attr_str(g, "preprocessing", prep);
        sf_h5_attr_double(g, "winsorize_percent", ri->cfg->winsorize);
        sf_h5_attr_int(g, "normalized", ri->cfg->normalize);
        sf_h5_attr_str(g, "itr_form", ri->cfg->itr_log ? "log" : "level");
        sf_h5_attr_str(g, "iih_form", ri->cfg->iih_form == 1 ? "log" : ri->cfg->iih_form == 2 ? "bounded" : "literal");
        sf_h5_attr_int(g, "missing_cells", total_missing);
        if (rep.ncols) {
            char *txt = sf_cov_report_text(&rep);
            sf_h5_attr_str(g, "covariates_report", txt);
            free(txt);
        }
        sf_h5_close_object(g);
    }
    sf_cov_report_free(&rep);
    free(prep);
    if (rc == SF_OK && ri->cfg->tables_dir) {
        if (sf_mkdir_p(ri->cfg->tables_dir) == 0) {
            char *csv = sf_path_join(ri->cfg->tables_dir, "panel.csv");
            rc = sf_frame_write_csv(f, csv, e);
            free(csv);
        }
    }
    if (rc) {
        sf_frame_free(f);
        return rc;
    }
    *panel = f;
    return SF_OK;
}
