/* /estimates back into fits (see stats_h5.h): what `silkflow tables` and
 * `silkflow export --what estimates` read (docs/output.md), with the layout
 * attributes sf_estimates_write_h5 stores (the model order, titles, columns,
 * fixed effects, cluster counts, bootstrap details), so that the tables
 * re-rendered from a results file are the ones the estimation stage printed.
 * All HDF5 access goes through io/h5.c. */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "silkflow/h5.h"
#include "silkflow/stats_h5.h"
#include "stats_internal.h"

#define FA(name, field, when) {name, offsetof(sf_fit, field), when}
const sf_fit_attr sf_fit_attrs[] = {
    FA("r2", r2, SF_FA_ALL), FA("r2_within", r2_within, SF_FA_ALL), FA("r2_adj", r2_adj, SF_FA_ALL),
    FA("r2_within_adj", r2_within_adj, SF_FA_ALL), FA("rmse", rmse, SF_FA_ALL), FA("F", F, SF_FA_ALL),
    FA("F_p", F_p, SF_FA_ALL), FA("F_df1", F_df1, SF_FA_ALL), FA("F_df2", F_df2, SF_FA_ALL),
    FA("idstat", idstat, SF_FA_IV), FA("idstat_p", idstat_p, SF_FA_IV), FA("cragg_donald_F", cdf, SF_FA_IV),
    FA("kp_rk_wald_F", kpf, SF_FA_IV), FA("med_beta1", med_beta1, SF_FA_MED),
    FA("med_gamma3", med_gamma3, SF_FA_MED), FA("med_indirect", med_indirect, SF_FA_MED),
    FA("med_total", med_total, SF_FA_MED), FA("med_share", med_share, SF_FA_MED),
    FA("med_ci_lo", med_ci_lo, SF_FA_MED), FA("med_ci_hi", med_ci_hi, SF_FA_MED),
};
const int sf_fit_nattrs = (int)(sizeof sf_fit_attrs / sizeof sf_fit_attrs[0]);
const sf_fit_attr sf_fit_vectors[] = {
    FA("b", b, 0), FA("se", se, 0), FA("t", t, 0), FA("p", p, 0), FA("ci_lo", ci_lo, 0), FA("ci_hi", ci_hi, 0),
};
const int sf_fit_nvectors = (int)(sizeof sf_fit_vectors / sizeof sf_fit_vectors[0]);
#undef FA

/* ---------------------------------------------------------------- reading */
static double at_d(hid_t g, const char *name)
{
    double v;
    return sf_h5_get_attr_double(g, name, &v) ? NAN : v;
}

static char *at_s(hid_t g, const char *name)
{
    char **s = NULL;
    hsize_t n = 0;
    if (sf_h5_get_attr_strings(g, name, &s, &n) || n == 0) {
        free(s);
        return NULL;
    }
    for (hsize_t i = 1; i < n; i++) free(s[i]);
    char *r = s[0];
    free(s);
    return r;
}

static void at_buf(hid_t g, const char *name, char *buf, size_t n)
{
    char *s = at_s(g, name);
    snprintf(buf, n, "%s", s ? s : "");
    free(s);
}

static size_t at_z(hid_t g, const char *name)
{
    double v = at_d(g, name);
    return isfinite(v) && v > 0 ? (size_t)v : 0;
}

static int role_of(const char *r)
{
    static const char *n[] = {"model", "first_stage", "mediation_m", "mediation_y", "mediation_total"};
    for (int i = 0; r && i < 5; i++)
        if (!strcmp(r, n[i])) return i;
    return SF_ROLE_MODEL;
}

static int read_vec(hid_t g, const char *name, int k, double **out, sf_err *e)
{
    int rank = 0;
    hsize_t dims[8] = {0};
    if (sf_h5_read_double(g, name, out, &rank, dims, e)) return e ? e->code : SF_EUSER;
    if (rank != 1 || dims[0] != (hsize_t)k) return sf_fail(e, SF_EUSER, "%s has %llu values, coef %d", name,
                                                         (unsigned long long)dims[0], k);
    return SF_OK;
}

static int read_strs(hid_t g, const char *name, char ***out, int *n, sf_err *e)
{
    *out = NULL;
    *n = 0;
    if (!sf_h5_exists(g, name)) return SF_OK;
    hsize_t m = 0;
    if (sf_h5_read_strings(g, name, out, &m, e)) return e ? e->code : SF_EUSER;
    *n = (int)m;
    return SF_OK;
}

static void read_attrs(hid_t g, sf_fit *f)
{
    f->section = at_s(g, "section");
    f->table = at_s(g, "table");
    f->title = at_s(g, "title");
    if (f->title && !f->title[0]) {
        free(f->title);
        f->title = NULL;
    }
    f->formula = at_s(g, "formula");
    f->depvar = at_s(g, "depvar");
    f->vcov_desc = at_s(g, "vcov");
    f->ssc_desc = at_s(g, "ssc");
    char *role = at_s(g, "role");
    f->role = role_of(role);
    free(role);
    f->N = at_z(g, "N");
    f->n_missing = at_z(g, "missing_dropped");
    f->n_subset = at_z(g, "subset_dropped");
    f->n_singletons = at_z(g, "singletons_dropped");
    f->K = (int)at_z(g, "K");
    for (int i = 0; i < sf_fit_nattrs; i++) SF_FIT_FIELD(f, &sf_fit_attrs[i]) = at_d(g, sf_fit_attrs[i].name);
    f->is_iv = (int)at_z(g, "is_iv");
    f->has_controls = (int)at_z(g, "has_controls");
    double col = at_d(g, "table_column");
    f->col_no = isfinite(col) ? (int)col : 0;
    /* a first stage that no table showed was hidden (first_stage = hide) */
    if (f->role == SF_ROLE_FIRST && f->col_no == 0) f->col_no = -1;
    char *fe = at_s(g, "fixed_effects");
    f->fe = sf_malloc(sizeof(char *) * 16);
    for (char *p = fe, *tok; p && (tok = strsep(&p, ","));)
        if (*tok && f->nfe < 16) f->fe[f->nfe++] = sf_strdup(tok);
    free(fe);
    double *cc = NULL;
    hsize_t ncc = 0;
    f->ncl = (int)at_z(g, "cluster_dims");
    if (f->ncl > 2) f->ncl = 2;
    if (!sf_h5_get_attr_doubles_alloc(g, "cluster_counts", &cc, &ncc))
        for (hsize_t i = 0; i < ncc && i < 2; i++) f->n_clusters[i] = (long)cc[i];
    free(cc);
    char *bm = at_s(g, "boot_method");
    f->boot_type = !bm ? SF_BOOT_NONE : !strcmp(bm, "wcr") ? SF_BOOT_WCR : !strcmp(bm, "wre") ? SF_BOOT_WRE
                 : !strcmp(bm, "pairs") ? SF_BOOT_PAIRS : SF_BOOT_NONE;
    free(bm);
    f->boot_B = (long)at_z(g, "boot_B");
    f->boot_enum = (int)at_z(g, "boot_enumerated");
    at_buf(g, "boot_weights", f->boot_weights, sizeof f->boot_weights);
    at_buf(g, "boot_note", f->boot_note, sizeof f->boot_note);
    at_buf(g, "idstat_name", f->idstat_name, sizeof f->idstat_name);
    f->idstat_df = NAN;
    f->mediator = at_s(g, "mediator");
    f->med_B = (long)at_z(g, "med_B");
    f->first_column = (int)at_z(g, "first_column");
    f->subset = at_s(g, "subset");
    f->table_note = at_s(g, "table_note");
    f->boot_t = NAN;
}

static int read_fit(hid_t file, const char *name, sf_fit **out, sf_err *e)
{
    char path[1024];
    snprintf(path, sizeof path, "/estimates/%s", name);
    hid_t g = sf_h5_object_open(file, path);
    if (g < 0) return sf_fail(e, SF_EUSER, "%s is listed in the attribute models of /estimates but missing", path);
    sf_fit *f = sf_calloc(1, sizeof *f);
    f->name = sf_strdup(name);
    f->key = -1;
    read_attrs(g, f);
    int rc = read_strs(g, "coef", &f->coef, &f->k, e);
    double *bp = NULL, *bl = NULL, *bh = NULL;
    for (int i = 0; i < sf_fit_nvectors && !rc; i++)
        rc = read_vec(g, sf_fit_vectors[i].name, f->k, &SF_FIT_VECTOR(f, &sf_fit_vectors[i]), e);
    if (!rc) rc = read_vec(g, "boot_p", f->k, &bp, e);
    if (!rc) rc = read_vec(g, "boot_ci_lo", f->k, &bl, e);
    if (!rc) rc = read_vec(g, "boot_ci_hi", f->k, &bh, e);
    if (!rc) rc = read_strs(g, "dropped", &f->dropped, &f->ndropped, e);
    if (!rc) rc = read_strs(g, "notes", &f->notes, &f->nnotes, e);
    f->boot_p = f->boot_ci_lo = f->boot_ci_hi = NAN;
    char *key = rc ? NULL : at_s(g, "key_coef");
    for (int a = 0; key && a < f->k; a++)
        if (!strcmp(f->coef[a], key)) {
            f->key = a;
            f->boot_p = bp[a];
            f->boot_ci_lo = bl[a];
            f->boot_ci_hi = bh[a];
        }
    free(key);
    free(bp);
    free(bl);
    free(bh);
    sf_h5_close_object(g);
    if (!rc && (!f->formula || !f->table || !f->depvar || !f->vcov_desc || !f->ssc_desc))
        rc = sf_fail(e, SF_EUSER, "%s lacks one of the attributes formula, table, depvar, vcov, ssc", path);
    if (rc) {
        sf_fit_free(f);
        sf_err_prefix(e, "%s", path);
        return rc;
    }
    *out = f;
    return SF_OK;
}

int sf_estimates_read(const char *path, sf_fit ***fits, int *nfits, sf_err *e)
{
    *fits = NULL;
    *nfits = 0;
    if (!sf_file_exists(path)) return sf_fail(e, SF_EUSER, "%s: no such file", path);
    sf_h5 h;
    memset(&h, 0, sizeof h);
    sf_h5_silence();
    if (sf_h5_open(&h, path, 0, e)) return e ? e->code : SF_EUSER;
    int rc = SF_OK;
    hid_t est = sf_h5_object_open(h.file, "/estimates");
    char **names = NULL;
    hsize_t n = 0;
    if (est < 0)
        rc = sf_fail(e, SF_EUSER, "%s: no /estimates group (run silkflow estimate --panel first)", path);
    else if (sf_h5_get_attr_strings(est, "models", &names, &n))
        rc = sf_fail(e, SF_EUSER, "%s: /estimates has no attribute 'models' (written by an older silkflow; "
                     "run silkflow estimate --panel %s --models FILE again)", path, path);
    sf_h5_close_object(est);
    sf_fit **f = sf_calloc(n ? n : 1, sizeof(sf_fit *));
    int m = 0;
    for (hsize_t i = 0; i < n && !rc; i++) {
        rc = read_fit(h.file, names[i], &f[m], e);
        if (!rc) m++;
    }
    if (rc && !strstr(e->msg, path)) sf_err_prefix(e, "%s", path);
    for (hsize_t i = 0; i < n; i++) free(names[i]);
    free(names);
    sf_h5_close(&h, NULL);
    if (rc) {
        for (int i = 0; i < m; i++) sf_fit_free(f[i]);
        free(f);
        return rc;
    }
    *fits = f;
    *nfits = m;
    return SF_OK;
}
