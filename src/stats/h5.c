/* HDF5 reading of /panel and writing of /estimates (see stats_h5.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "silkflow/stats_h5.h"
#include "stats_internal.h"

/* /panel through the one frame reader of io/h5.c (sf_h5_read_frame: the
 * "columns" order, then creation order; fixed strings trimmed, empty =
 * missing; pure dimension scales such as /panel/row skipped) */
int sf_panel_read_h5(const char *path, sf_frame **out, sf_err *e)
{
    *out = NULL;
    if (!sf_file_exists(path)) return sf_fail(e, SF_EUSER, "%s: no such file", path);
    sf_h5 h;
    if (sf_h5_open(&h, path, 0, NULL) != SF_OK)
        return sf_fail(e, SF_EUSER, "%s: not an HDF5 file (or not readable)", path);
    if (!sf_h5_exists(h.file, "panel")) {
        sf_h5_close(&h, NULL);
        return sf_fail(e, SF_EUSER, "%s: no /panel group (run the pipeline first)", path);
    }
    sf_frame *f = NULL;
    int rc = sf_h5_read_frame(h.file, "/panel", &f, e);
    sf_h5_close(&h, NULL);
    if (rc) return rc;
    if (f->ncol == 0) {
        sf_frame_free(f);
        return sf_fail(e, SF_EUSER, "%s: /panel holds no 1-D dataset", path);
    }
    *out = f;
    return SF_OK;
}

/* ---------------------------------------------------------------- writing */
static int wr_doubles(hid_t g, const char *name, const double *v, int rank, const hsize_t *dims)
{
    sf_h5 h = {.file = g, .root = 1};
    return sf_h5_write_double(&h, g, name, rank, dims, v, NULL) != SF_OK;
}

static int wr_strings(hid_t g, const char *name, char *const *v, hsize_t n)
{
    sf_h5 h = {.file = g, .root = 1};
    return sf_h5_write_strings(&h, g, name, n, v, NULL) != SF_OK;
}

static void at_d(hid_t g, const char *name, double v) { sf_h5_attr_double(g, name, v); }
static void at_l(hid_t g, const char *name, long long v) { sf_h5_attr_int(g, name, (long)v); }
static void at_s(hid_t g, const char *name, const char *v) { sf_h5_attr_str(g, name, v); }
/* the statistics of sf_fit_attrs of one kind (stats_internal.h) */
static void at_fit(hid_t g, const sf_fit *f, int when)
{
    for (int i = 0; i < sf_fit_nattrs; i++)
        if (sf_fit_attrs[i].when == when) at_d(g, sf_fit_attrs[i].name, SF_FIT_FIELD(f, &sf_fit_attrs[i]));
}

static const char *role_name(int r)
{
    static const char *n[] = {"model", "first_stage", "mediation_m", "mediation_y", "mediation_total"};
    return r >= 0 && r <= 4 ? n[r] : "model";
}

/* The layout of the tables on the fit's group (read back by est_read.c):
 * title, table column, fixed effects, cluster counts, bootstrap details. */
static int at_layout(hid_t g, const sf_fit *f)
{
    char fe[1024] = "";
    size_t L = 0;
    for (int a = 0; a < f->nfe && L < sizeof fe; a++)
        L += (size_t)snprintf(fe + L, sizeof fe - L, "%s%s", a ? "," : "", f->fe[a]);
    double ncl[2] = {(double)f->n_clusters[0], (double)f->n_clusters[1]};
    int bad = sf_h5_attr_str(g, "title", f->title ? f->title : "");
    bad |= sf_h5_attr_int(g, "table_column", f->col_no);
    bad |= sf_h5_attr_int(g, "is_iv", f->is_iv);
    bad |= sf_h5_attr_int(g, "has_controls", f->has_controls);
    bad |= sf_h5_attr_str(g, "fixed_effects", fe);
    bad |= sf_h5_attr_int(g, "cluster_dims", f->ncl);
    if (f->ncl) bad |= sf_h5_attr_double_array(g, "cluster_counts", (hsize_t)f->ncl, ncl);
    bad |= sf_h5_attr_str(g, "boot_weights", f->boot_weights);
    bad |= sf_h5_attr_int(g, "boot_enumerated", f->boot_enum);
    bad |= sf_h5_attr_str(g, "boot_note", f->boot_note);
    bad |= sf_h5_attr_int(g, "med_B", f->med_B);
    bad |= sf_h5_attr_int(g, "first_column", f->first_column);
    if (f->subset) bad |= sf_h5_attr_str(g, "subset", f->subset);
    if (f->table_note) bad |= sf_h5_attr_str(g, "table_note", f->table_note);
    return bad;
}

int sf_estimates_write_h5(hid_t file, sf_fit *const *fits, int nfits, sf_err *e)
{
    sf_h5_silence();
    int rc = SF_OK;
    hid_t est = sf_h5_group_at(file, "estimates");
    if (est < 0) return sf_fail(e, SF_EINTERNAL, "cannot create /estimates");
    for (int i = 0; i < nfits && !rc; i++) {
        const sf_fit *f = fits[i];
        sf_h5_delete(est, f->name);
        hid_t g = sf_h5_group_at(est, f->name);
        if (g < 0) {
            rc = sf_fail(e, SF_EINTERNAL, "cannot create /estimates/%s", f->name);
            break;
        }
        hsize_t k = (hsize_t)f->k, kk[2] = {k, k};
        double *bp = sf_malloc(sizeof(double) * (k + 1)), *bl = sf_malloc(sizeof(double) * (k + 1)),
               *bh = sf_malloc(sizeof(double) * (k + 1));
        for (hsize_t a = 0; a < k; a++) bp[a] = bl[a] = bh[a] = NAN;
        if (f->key >= 0 && f->key < f->k) {
            bp[f->key] = f->boot_p;
            bl[f->key] = f->boot_ci_lo;
            bh[f->key] = f->boot_ci_hi;
        }
        int bad = wr_strings(g, "coef", f->coef, k);
        for (int v = 0; v < sf_fit_nvectors; v++)
            bad |= wr_doubles(g, sf_fit_vectors[v].name, SF_FIT_VECTOR(f, &sf_fit_vectors[v]), 1, &k);
        bad |= wr_doubles(g, "V", f->V, 2, kk);
        bad |= wr_doubles(g, "boot_p", bp, 1, &k);
        bad |= wr_doubles(g, "boot_ci_lo", bl, 1, &k);
        bad |= wr_doubles(g, "boot_ci_hi", bh, 1, &k);
        free(bp);
        free(bl);
        free(bh);
        at_l(g, "N", (long long)f->N);
        at_fit(g, f, SF_FA_ALL);
        at_l(g, "n_clusters", f->ncl ? (f->ncl > 1 && f->n_clusters[1] < f->n_clusters[0] ? f->n_clusters[1] : f->n_clusters[0]) : 0);
        at_l(g, "singletons_dropped", (long long)f->n_singletons);
        at_l(g, "missing_dropped", (long long)f->n_missing);
        at_l(g, "subset_dropped", (long long)f->n_subset);
        at_l(g, "K", f->K);
        at_s(g, "formula", f->formula);
        at_s(g, "vcov", f->vcov_desc);
        at_s(g, "ssc", f->ssc_desc);
        at_s(g, "depvar", f->depvar);
        at_s(g, "section", f->section);
        at_s(g, "table", f->table);
        at_s(g, "role", role_name(f->role));
        at_s(g, "key_coef", f->key >= 0 && f->key < f->k ? f->coef[f->key] : "");
        at_s(g, "boot_method", f->boot_type == SF_BOOT_WCR ? "wcr" : f->boot_type == SF_BOOT_WRE ? "wre" : f->boot_type == SF_BOOT_PAIRS ? "pairs" : "none");
        at_l(g, "boot_B", f->boot_B);
        if (f->is_iv) {
            at_s(g, "idstat_name", f->idstat_name);
            at_fit(g, f, SF_FA_IV);
        }
        if (f->mediator) {
            at_s(g, "mediator", f->mediator);
            at_fit(g, f, SF_FA_MED);
        }
        if (f->ndropped) wr_strings(g, "dropped", f->dropped, (hsize_t)f->ndropped);
        if (f->nnotes) wr_strings(g, "notes", f->notes, (hsize_t)f->nnotes);
        if (at_layout(g, f)) rc = sf_fail(e, SF_EINTERNAL, "cannot write the attributes of /estimates/%s", f->name);
        sf_h5_close_object(g);
        if (bad && !rc) rc = sf_fail(e, SF_EINTERNAL, "cannot write the datasets of /estimates/%s", f->name);
    }
    if (!rc) { /* the fits in order */
        char **names = sf_calloc((size_t)(nfits ? nfits : 1), sizeof(char *));
        for (int i = 0; i < nfits; i++) names[i] = fits[i]->name;
        if (sf_h5_attr_strings(est, "models", (hsize_t)nfits, names))
            rc = sf_fail(e, SF_EINTERNAL, "cannot write the attribute models of /estimates");
        free(names);
    }
    sf_h5_close_object(est);
    return rc;
}
