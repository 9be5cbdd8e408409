/* HDF5 reading of /panel and writing of /estimates (see stats_h5.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "silkflow/stats_h5.h"

typedef struct {
    sf_frame *f;
    hsize_t len;
    int have_len;
    sf_err *e;
    int rc;
    const char *path;
} read_ctx;

/* read one link of /panel if it is a dataset (API calls stable from HDF5
 * 1.8 to 1.14: H5Oopen + H5Iget_type rather than the versioned H5O info) */
static herr_t read_one(hid_t grp, const char *name, read_ctx *c)
{
    hid_t obj = H5Oopen(grp, name, H5P_DEFAULT);
    if (obj < 0) return 0;
    int is_ds = H5Iget_type(obj) == H5I_DATASET;
    H5Oclose(obj);
    if (!is_ds) return 0;
    hid_t ds = H5Dopen2(grp, name, H5P_DEFAULT);
    if (ds < 0) {
        c->rc = sf_fail(c->e, SF_EUSER, "%s: cannot open /panel/%s", c->path, name);
        return -1;
    }
    hid_t sp = H5Dget_space(ds), ty = H5Dget_type(ds);
    int nd = H5Sget_simple_extent_ndims(sp);
    hsize_t dims[2] = {0, 0};
    H5Sget_simple_extent_dims(sp, dims, NULL);
    herr_t st = 0;
    if (nd != 1) {
        c->rc = sf_fail(c->e, SF_EUSER, "%s: /panel/%s is not a 1-D dataset", c->path, name);
        st = -1;
        goto out;
    }
    if (!c->have_len) {
        c->len = dims[0];
        c->have_len = 1;
        sf_frame_free(c->f);
        c->f = sf_frame_new((size_t)dims[0]);
    } else if (dims[0] != c->len) {
        c->rc = sf_fail(c->e, SF_EUSER, "%s: /panel/%s has %llu rows, other columns %llu", c->path, name,
                        (unsigned long long)dims[0], (unsigned long long)c->len);
        st = -1;
        goto out;
    }
    H5T_class_t cls = H5Tget_class(ty);
    size_t n = (size_t)dims[0];
    if (cls == H5T_INTEGER || cls == H5T_FLOAT) {
        double *v = sf_frame_add_num(c->f, name);
        if (n && H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0) {
            c->rc = sf_fail(c->e, SF_EUSER, "%s: cannot read /panel/%s", c->path, name);
            st = -1;
        }
    } else if (cls == H5T_STRING) {
        char **dst = sf_frame_add_str(c->f, name);
        if (H5Tis_variable_str(ty) > 0) {
            hid_t mt = H5Tcopy(H5T_C_S1);
            H5Tset_size(mt, H5T_VARIABLE);
            H5Tset_cset(mt, H5Tget_cset(ty)); /* UTF-8 (h5py) or ASCII */
            char **buf = sf_calloc(n ? n : 1, sizeof(char *));
            if (n && H5Dread(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
                c->rc = sf_fail(c->e, SF_EUSER, "%s: cannot read /panel/%s", c->path, name);
                st = -1;
            } else
                for (size_t i = 0; i < n; i++) dst[i] = buf[i] && buf[i][0] ? sf_strdup(buf[i]) : NULL;
            if (n) H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, buf);
            free(buf);
            H5Tclose(mt);
        } else {
            size_t w = H5Tget_size(ty);
            hid_t mt = H5Tcopy(H5T_C_S1);
            H5Tset_size(mt, w);
            H5Tset_strpad(mt, H5T_STR_NULLPAD);
            H5Tset_cset(mt, H5Tget_cset(ty));
            char *buf = sf_calloc(n * w + 1, 1);
            if (n && H5Dread(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
                c->rc = sf_fail(c->e, SF_EUSER, "%s: cannot read /panel/%s", c->path, name);
                st = -1;
            } else
                for (size_t i = 0; i < n; i++) {
                    char *s = sf_calloc(w + 1, 1);
                    memcpy(s, buf + i * w, w);
                    char *t = sf_trim(s);
                    dst[i] = *t ? sf_strdup(t) : NULL;
                    free(s);
                }
            free(buf);
            H5Tclose(mt);
        }
    } /* other classes (compound, enum...) are skipped */
out:
    H5Tclose(ty);
    H5Sclose(sp);
    H5Dclose(ds);
    return st;
}

int sf_panel_read_h5(const char *path, sf_frame **out, sf_err *e)
{
    *out = NULL;
    if (!sf_file_exists(path)) return sf_fail(e, SF_EUSER, "%s: no such file", path);
    H5E_auto2_t old;
    void *olddata;
    H5Eget_auto2(H5E_DEFAULT, &old, &olddata);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    int rc = SF_OK;
    if (f < 0) {
        rc = sf_fail(e, SF_EUSER, "%s: not an HDF5 file (or not readable)", path);
        goto done;
    }
    if (H5Lexists(f, "panel", H5P_DEFAULT) <= 0) {
        rc = sf_fail(e, SF_EUSER, "%s: no /panel group (run the pipeline first)", path);
        H5Fclose(f);
        goto done;
    }
    hid_t g = H5Gopen2(f, "panel", H5P_DEFAULT);
    read_ctx c = {sf_frame_new(0), 0, 0, e, SF_OK, path};
    H5G_info_t gi;
    if (H5Gget_info(g, &gi) >= 0) {
        /* creation order when the file tracks it, else names */
        H5_index_t idx = H5_INDEX_CRT_ORDER;
        char probe[8];
        if (gi.nlinks && H5Lget_name_by_idx(g, ".", idx, H5_ITER_INC, 0, probe, sizeof probe, H5P_DEFAULT) < 0)
            idx = H5_INDEX_NAME;
        for (hsize_t i = 0; i < gi.nlinks && c.rc == SF_OK; i++) {
            ssize_t len = H5Lget_name_by_idx(g, ".", idx, H5_ITER_INC, i, NULL, 0, H5P_DEFAULT);
            if (len < 0) continue;
            char *name = sf_malloc((size_t)len + 1);
            H5Lget_name_by_idx(g, ".", idx, H5_ITER_INC, i, name, (size_t)len + 1, H5P_DEFAULT);
            read_one(g, name, &c);
            free(name);
        }
    }
    H5Gclose(g);
    H5Fclose(f);
    if (c.rc) {
        sf_frame_free(c.f);
        rc = c.rc;
        goto done;
    }
    if (c.f->ncol == 0) {
        sf_frame_free(c.f);
        rc = sf_fail(e, SF_EUSER, "%s: /panel holds no 1-D dataset", path);
        goto done;
    }
    *out = c.f;
done:
    H5Eset_auto2(H5E_DEFAULT, old, olddata);
    return rc;
}

/* ---------------------------------------------------------------- writing */
static int wr_doubles(hid_t g, const char *name, const double *v, int rank, const hsize_t *dims)
{
    hid_t sp = H5Screate_simple(rank, dims, NULL);
    hid_t ds = H5Dcreate2(g, name, H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int bad = ds < 0;
    hsize_t tot = 1;
    for (int i = 0; i < rank; i++) tot *= dims[i];
    if (!bad && tot) bad = H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0;
    if (ds >= 0) H5Dclose(ds);
    H5Sclose(sp);
    return bad;
}

static int wr_strings(hid_t g, const char *name, char *const *v, hsize_t n)
{
    hid_t ty = H5Tcopy(H5T_C_S1);
    H5Tset_size(ty, H5T_VARIABLE);
    H5Tset_cset(ty, H5T_CSET_UTF8);
    hid_t sp = H5Screate_simple(1, &n, NULL);
    hid_t ds = H5Dcreate2(g, name, ty, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int bad = ds < 0;
    if (!bad && n) bad = H5Dwrite(ds, ty, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0;
    if (ds >= 0) H5Dclose(ds);
    H5Sclose(sp);
    H5Tclose(ty);
    return bad;
}

static void at_d(hid_t g, const char *name, double v)
{
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(g, name, H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0) {
        H5Awrite(a, H5T_NATIVE_DOUBLE, &v);
        H5Aclose(a);
    }
    H5Sclose(sp);
}

static void at_l(hid_t g, const char *name, long long v)
{
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(g, name, H5T_STD_I64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0) {
        H5Awrite(a, H5T_NATIVE_LLONG, &v);
        H5Aclose(a);
    }
    H5Sclose(sp);
}

static void at_s(hid_t g, const char *name, const char *v)
{
    if (!v) v = "";
    hid_t ty = H5Tcopy(H5T_C_S1);
    H5Tset_size(ty, H5T_VARIABLE);
    H5Tset_cset(ty, H5T_CSET_UTF8);
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(g, name, ty, sp, H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0) {
        H5Awrite(a, ty, &v);
        H5Aclose(a);
    }
    H5Sclose(sp);
    H5Tclose(ty);
}

static const char *role_name(int r)
{
    static const char *n[] = {"model", "first_stage", "mediation_m", "mediation_y", "mediation_total"};
    return r >= 0 && r <= 4 ? n[r] : "model";
}

int sf_estimates_write_h5(hid_t file, sf_fit *const *fits, int nfits, sf_err *e)
{
    H5E_auto2_t old;
    void *olddata;
    H5Eget_auto2(H5E_DEFAULT, &old, &olddata);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    int rc = SF_OK;
    hid_t est = H5Lexists(file, "estimates", H5P_DEFAULT) > 0 ? H5Gopen2(file, "estimates", H5P_DEFAULT)
                                                              : H5Gcreate2(file, "estimates", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (est < 0) {
        rc = sf_fail(e, SF_EINTERNAL, "cannot create /estimates");
        goto done;
    }
    for (int i = 0; i < nfits && !rc; i++) {
        const sf_fit *f = fits[i];
        if (H5Lexists(est, f->name, H5P_DEFAULT) > 0) H5Ldelete(est, f->name, H5P_DEFAULT);
        hid_t g = H5Gcreate2(est, f->name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
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
        bad |= wr_doubles(g, "b", f->b, 1, &k);
        bad |= wr_doubles(g, "se", f->se, 1, &k);
        bad |= wr_doubles(g, "t", f->t, 1, &k);
        bad |= wr_doubles(g, "p", f->p, 1, &k);
        bad |= wr_doubles(g, "ci_lo", f->ci_lo, 1, &k);
        bad |= wr_doubles(g, "ci_hi", f->ci_hi, 1, &k);
        bad |= wr_doubles(g, "V", f->V, 2, kk);
        bad |= wr_doubles(g, "boot_p", bp, 1, &k);
        bad |= wr_doubles(g, "boot_ci_lo", bl, 1, &k);
        bad |= wr_doubles(g, "boot_ci_hi", bh, 1, &k);
        free(bp);
        free(bl);
        free(bh);
        at_l(g, "N", (long long)f->N);
        at_d(g, "r2", f->r2);
        at_d(g, "r2_within", f->r2_within);
        at_d(g, "r2_adj", f->r2_adj);
        at_d(g, "r2_within_adj", f->r2_within_adj);
        at_d(g, "rmse", f->rmse);
        at_d(g, "F", f->F);
        at_d(g, "F_p", f->F_p);
        at_d(g, "F_df1", f->F_df1);
        at_d(g, "F_df2", f->F_df2);
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
            at_d(g, "idstat", f->idstat);
            at_d(g, "idstat_p", f->idstat_p);
            at_d(g, "cragg_donald_F", f->cdf);
            at_d(g, "kp_rk_wald_F", f->kpf);
        }
        if (f->mediator) {
            at_s(g, "mediator", f->mediator);
            at_d(g, "med_beta1", f->med_beta1);
            at_d(g, "med_gamma3", f->med_gamma3);
            at_d(g, "med_indirect", f->med_indirect);
            at_d(g, "med_total", f->med_total);
            at_d(g, "med_share", f->med_share);
            at_d(g, "med_ci_lo", f->med_ci_lo);
            at_d(g, "med_ci_hi", f->med_ci_hi);
        }
        if (f->ndropped) wr_strings(g, "dropped", f->dropped, (hsize_t)f->ndropped);
        if (f->nnotes) wr_strings(g, "notes", f->notes, (hsize_t)f->nnotes);
        H5Gclose(g);
        if (bad) rc = sf_fail(e, SF_EINTERNAL, "cannot write the datasets of /estimates/%s", f->name);
    }
    H5Gclose(est);
done:
    H5Eset_auto2(H5E_DEFAULT, old, olddata);
    return rc;
}
