/* The per-year cache file: <output>.years/YYYY.h5 holding /years/YYYY with the
 * datasets of docs/output.md and the year's provenance. Written under a
 * temporary name, completed by status = "complete", then renamed: a file with
 * the final name is always complete. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "silkflow/h5.h"
#include "silkflow/pipeline.h"
#include "silkflow/version.h"

char *sf_year_file_path(const char *cachedir, int year)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%d.h5", year);
    return sf_path_join(cachedir, buf);
}

static int fsync_path(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* The space a year file is given before it is written (sf_file_reserve): its
 * datasets below, the panel rows, 5% and 256 kB for the metadata. */
static double year_bytes(const sf_year_out *o)
{
    const double n = o->lab->n, G = o->lab->G;
    double words = n * 11 + n * G * 2 + G * G * (3 + SF_WWZ_NTERMS);
    if (o->cfg->store_wwz == 2 && o->lab->homogeneous) words += G * G * o->lab->max_sectors * SF_WWZ_NTERMS;
    if (o->cfg->store_leontief) words += n * n;
    double bytes = 8 * words;
    for (int j = 0; o->rows && j < o->rows->ncol; j++) {
        const sf_column *c = &o->rows->cols[j];
        size_t w = 8;
        for (size_t i = 0; c->type == SF_COL_STR && i < o->rows->nrow; i++)
            if (c->str[i] && strlen(c->str[i]) > w) w = strlen(c->str[i]);
        bytes += (double)w * (double)o->rows->nrow;
    }
    return 1.05 * bytes + 262144;
}

/* The identity checks of a year (docs/methods.md): the WWZ error with the
 * tolerance above which the run, inspect and the report flag it. */
static void identity_attrs(hid_t y, const sf_decomp *dec)
{
    sf_h5_attr_double(y, "wwz_identity_max_rel_error", dec->max_identity_err);
    sf_h5_attr_double(y, "wwz_identity_tolerance", SF_WWZ_IDENTITY_TOL);
    sf_h5_attr_double(y, "va_identity_max_gap", dec->max_va_gap);
}

/* the diagnostics of the inversion and the seconds of the steps of
 * sf_par_year (src/par/leontief.c) */
static void attr_inversion(hid_t y, const sf_inv_info *in)
{
    sf_h5_attr_double(y, "residual", in->residual);
    sf_h5_attr_double(y, "residual_scaled", in->residual_scaled);
    sf_h5_attr_int(y, "residual_probe_columns", in->probe_columns);
    sf_h5_attr_str(y, "residual_check", in->passed ? "PASSED" : "FAILED");
    sf_h5_attr_double(y, "rcond", in->rcond);
    sf_h5_attr_str(y, "inversion", in->method == SF_INV_GAUSS_JORDAN ? "gauss-jordan" : "lu");
    sf_h5_attr_double(y, "norm1_I_minus_A", in->anorm);
    sf_h5_attr_double(y, "norm1_B", in->bnorm);
    const double st[7] = {in->t_scatter, in->t_form, in->t_factor, in->t_invert, in->t_products, in->t_sweep,
                          in->t_residual};
    sf_h5_attr_double_array(y, "seconds_distribute_form_factor_invert_products_sweep_residual", 7, st);
}

int sf_year_write(const sf_grid *g, const char *cachedir, const sf_year_out *o, sf_err *e)
{
    const int root = g->rank == 0;
    const sf_labels *lab = o->lab;
    const hsize_t n = (hsize_t)lab->n, G = (hsize_t)lab->G;
    char *final = sf_year_file_path(cachedir, o->year);
    size_t l = strlen(final) + strlen(o->run_id ? o->run_id : "") + 8;
    char *tmp = sf_malloc(l);
    snprintf(tmp, l, "%s.tmp.%s", final, o->run_id ? o->run_id : "0");
    sf_h5 h;
    int rc = sf_h5_create(&h, tmp, g->comm, e);
    /* the space first: a disk that fills inside HDF5 may crash it */
    const double reserve = root ? year_bytes(o) : 0;
    char what[48];
    snprintf(what, sizeof what, "year %d's cache file", o->year);
    if (root && rc == SF_OK) rc = sf_file_reserve(tmp, reserve, what, e);
    rc = sf_grid_max_int(g, rc);
    if (rc) {
        if (!root) sf_fail(e, rc, "%s: cannot create", tmp);
        if (h.file > 0) sf_h5_close(&h, NULL);
        if (root) remove(tmp);
        free(final);
        free(tmp);
        return rc;
    }
    char gname[32];
    snprintf(gname, sizeof gname, "/years/%d", o->year);
    hid_t yg = sf_h5_group(&h, gname);
    const sf_derived *d = root ? o->d : NULL;
    const sf_decomp *dec = root ? o->dec : NULL;
    hsize_t d1[1] = {n}, dnG[2] = {n, G}, dGG[2] = {G, G}, dGG16[3] = {G, G, SF_WWZ_NTERMS};
    rc = sf_h5_write_double(&h, yg, "x", 1, d1, d ? d->x : NULL, e);
    if (!rc) rc = sf_h5_write_double(&h, yg, "va", 1, d1, d ? d->va : NULL, e);
    if (!rc) rc = sf_h5_write_double(&h, yg, "exports", 1, d1, d ? d->E : NULL, e);
    if (!rc) rc = sf_h5_write_double(&h, yg, "vby", 2, dnG, dec ? dec->vby : NULL, e);
    if (!rc) rc = sf_h5_write_double(&h, yg, "vax", 2, dGG, dec ? dec->vax : NULL, e);
    if (!rc) rc = sf_h5_write_double(&h, yg, "vbe_country", 2, dGG, dec ? dec->vbe_country : NULL, e);
    if (!rc) rc = sf_h5_write_double(&h, yg, "wwz_country", 3, dGG16, dec ? dec->wwz_country : NULL, e);
    if (!rc) rc = sf_h5_write_double(&h, yg, "exports_bilateral", 2, dnG, root ? o->exports_bilateral : NULL, e);
    if (!rc) rc = sf_h5_write_double(&h, yg, "fd_country", 2, dGG, root ? o->fd_country : NULL, e);
    if (!rc) {
        char sub[48];
        snprintf(sub, sizeof sub, "/years/%d/sector", o->year);
        hid_t sg = sf_h5_group(&h, sub);
        rc = sf_h5_write_double(&h, sg, "dva", 1, d1, dec ? dec->dva : NULL, e);
        if (!rc) rc = sf_h5_write_double(&h, sg, "iv", 1, d1, dec ? dec->iv : NULL, e);
        if (!rc) rc = sf_h5_write_double(&h, sg, "fv", 1, d1, dec ? dec->fv : NULL, e);
        if (!rc) rc = sf_h5_write_double(&h, sg, "dfwd", 1, d1, dec ? dec->dfwd : NULL, e);
        if (!rc) rc = sf_h5_write_double(&h, sg, "rca", 1, d1, dec ? dec->rca : NULL, e);
        if (!rc) rc = sf_h5_write_double(&h, sg, "gvc_p", 1, d1, dec ? dec->gvc_p : NULL, e);
        if (!rc) rc = sf_h5_write_double(&h, sg, "gvc_pos", 1, d1, dec ? dec->gvc_pos : NULL, e);
        if (!rc) rc = sf_h5_write_double(&h, sg, "v", 1, d1, d ? d->v : NULL, e);
        sf_h5_close_object(sg);
    }
    if (!rc && o->cfg->store_wwz == 2 && lab->homogeneous) {
        const hsize_t N = (hsize_t)lab->max_sectors;
        hsize_t dw[4] = {G, G, N, SF_WWZ_NTERMS};
        double *w = NULL;
        if (root) {
            /* [exporting sector, importer, term] -> [exporter, importer, sector, term] */
            w = sf_malloc(sizeof(double) * (size_t)(G * G * N * SF_WWZ_NTERMS));
            for (hsize_t s = 0; s < G; s++)
                for (hsize_t r = 0; r < G; r++)
                    for (hsize_t k = 0; k < N; k++)
                        memcpy(w + ((s * G + r) * N + k) * SF_WWZ_NTERMS,
                               dec->wwz_sector + (((hsize_t)lab->region_start[s] + k) * G + r) * SF_WWZ_NTERMS,
                               sizeof(double) * SF_WWZ_NTERMS);
        }
        rc = sf_h5_write_double(&h, yg, "wwz", 4, dw, w, e);
        free(w);
    }
    if (!rc && o->cfg->store_leontief) {
        hsize_t dB[2] = {n, n};
        rc = sf_h5_write_double(&h, yg, "leontief", 2, dB, root ? o->B : NULL, e);
    }
    sf_h5_close_object(yg);
    int crc = sf_h5_close(&h, rc ? NULL : e);
    if (!rc) rc = crc;
    rc = sf_grid_max_int(g, rc);
    if (root && rc == SF_OK) sf_test_pause("write", o->year); /* datasets written, no status yet */
    /* the panel rows, attributes, status last, then the rename: root only */
    if (root && rc == SF_OK && o->rows) {
        sf_h5 a;
        rc = sf_h5_open(&a, tmp, 1, e);
        if (!rc) {
            rc = sf_h5_write_frame(&a, "/rows", o->rows, e);
            int c2 = sf_h5_close(&a, rc ? NULL : e);
            if (!rc) rc = c2;
        }
    }
    crc = SF_OK;
    if (!rc) rc = crc;
    rc = sf_grid_max_int(g, rc);
    if (root && rc == SF_OK) {
        sf_h5 a;
        rc = sf_h5_open(&a, tmp, 1, e);
        if (!rc) {
            hid_t y = sf_h5_open_group(a.file, gname);
            hid_t ds = sf_h5_open_dataset(y, "wwz_country");
            sf_h5_attr_strings(ds, "term_names", SF_WWZ_NTERMS, (char *const *)sf_wwz_names);
            sf_h5_attr_str(ds, "dims", "exporter, importer, term");
            sf_h5_close_object(ds);
            sf_h5_attr_str(y, "version", SF_VERSION);
            sf_h5_attr_str(y, "git_revision", sf_git_revision());
            sf_h5_attr_str(y, "role", o->role);
            sf_h5_attr_str(y, "config_year_sha256", o->year_hash);
            sf_h5_attr_strings(y, "input_files", (hsize_t)o->nfiles, o->files);
            sf_h5_attr_strings(y, "input_sha256", (hsize_t)o->nfiles, o->hashes);
            if (o->stamps) sf_h5_attr_strings(y, "input_stamps", (hsize_t)o->nfiles, o->stamps);
            attr_inversion(y, &o->rec->inv);
            const double tm[5] = {o->rec->t_read, o->rec->t_derive, o->rec->t_invert, o->rec->t_products,
                                  o->rec->t_decompose}; /* the sum: seconds */
            sf_h5_attr_double(y, "seconds", tm[0] + tm[1] + tm[2] + tm[3] + tm[4]);
            sf_h5_attr_double_array(y, "seconds_read_derive_invert_products_decompose", 5, tm);
            sf_h5_attr_int(y, "ranks", g->size);
            char grid[32];
            snprintf(grid, sizeof grid, "%dx%d", g->nprow, g->npcol);
            sf_h5_attr_str(y, "grid", grid);
            sf_h5_attr_int(y, "block", o->cfg->block);
            sf_h5_attr_double(y, "max_imbalance", o->rec->val.max_imbalance);
            sf_h5_attr_int(y, "n_zero_output", o->rec->val.n_zero_output);
            sf_h5_attr_int(y, "n_zero_output_with_exports", o->rec->val.n_zero_output_exporting);
            sf_h5_attr_int(y, "n_zero_output_with_inputs", o->rec->val.n_zero_output_inputs);
            sf_h5_attr_double(y, "imbalance_total", o->rec->val.imbalance_total);
            sf_h5_attr_int(y, "n_negative_output", o->rec->val.n_negative_output);
            sf_h5_attr_int(y, "n_negative_final_demand", o->rec->val.n_negative_fd);
            sf_h5_attr_int(y, "n_negative_value_added", o->rec->val.n_negative_va);
            sf_h5_attr_int(y, "n_colsum_A_ge_1", o->rec->val.n_colsum_ge1);
            sf_h5_attr_double(y, "max_colsum_A", o->rec->val.max_colsum);
            identity_attrs(y, o->dec);
            rc = sf_year_file_describe(&a, o->year, lab, o->cfg->units, e); /* docs/output.md */
            if (!rc) sf_h5_attr_str(y, "status", "complete");
            sf_h5_close_object(y);
            int c2 = sf_h5_close(&a, rc ? NULL : e);
            if (!rc) rc = c2;
        }
        if (!rc) sf_file_unreserve(tmp, reserve);
        if (!rc && (fsync_path(tmp) != 0 || rename(tmp, final) != 0))
            rc = sf_fail(e, SF_EUSER, "%s: cannot rename to %s", tmp, final);
        if (rc) remove(tmp);
    }
    rc = sf_grid_max_int(g, rc);
    if (rc && root) remove(tmp); /* a failed year leaves no temporary file */
    if (rc && !root) sf_fail(e, rc, "writing %s failed on the group root", final);
    free(final);
    free(tmp);
    return rc;
}
