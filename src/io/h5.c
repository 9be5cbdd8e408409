/* Thin helpers over HDF5; see include/silkflow/h5.h. */
#include "silkflow/h5.h"

#include <hdf5_hl.h>

#include <stdlib.h>
#include <string.h>

void sf_h5_silence(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

int sf_h5_create(sf_h5 *h, const char *path, MPI_Comm comm, sf_err *e)
{
    memset(h, 0, sizeof *h);
    sf_h5_silence();
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    h->root = 1;
    if (comm != MPI_COMM_NULL) {
        int r;
        MPI_Comm_rank(comm, &r);
        h->root = r == 0;
        h->parallel = 1;
        h->comm = comm;
        H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL);
        H5Pset_all_coll_metadata_ops(fapl, 1);
        H5Pset_coll_metadata_write(fapl, 1);
    }
    H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST);
    h->file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    H5Pclose(fapl);
    if (h->file < 0) return sf_fail_write(e, SF_EUSER, path, 0, 0, "%s: cannot create HDF5 file", path);
    h->path = sf_strdup(path);
    return SF_OK;
}

int sf_h5_open(sf_h5 *h, const char *path, int write, sf_err *e)
{
    memset(h, 0, sizeof *h);
    sf_h5_silence();
    h->root = 1;
    if (H5Fis_hdf5(path) <= 0) return sf_fail(e, SF_EUSER, "%s: not an HDF5 file (or unreadable)", path);
    h->file = H5Fopen(path, write ? H5F_ACC_RDWR : H5F_ACC_RDONLY, H5P_DEFAULT);
    if (h->file < 0) return sf_fail(e, SF_EUSER, "%s: cannot open HDF5 file", path);
    h->path = sf_strdup(path);
    return SF_OK;
}

int sf_h5_close(sf_h5 *h, sf_err *e)
{
    int rc = SF_OK;
    if (h->file > 0) {
        if (H5Fclose(h->file) < 0)
            rc = sf_fail_write(e, SF_EUSER, h->path, 0, 0, "%s: error closing HDF5 file", h->path);
    }
    free(h->path);
    memset(h, 0, sizeof *h);
    return rc;
}

int sf_h5_exists(hid_t loc, const char *path)
{
    /* check each component: H5Lexists fails on missing intermediates */
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", path);
    char *p = buf;
    if (*p == '/') p++;
    char acc[1024] = "";
    if (path[0] == '/') strcpy(acc, "/");
    char *save = NULL;
    for (char *tok = strtok_r(p, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
        if (acc[0] && strcmp(acc, "/")) strncat(acc, "/", sizeof acc - strlen(acc) - 1);
        strncat(acc, tok, sizeof acc - strlen(acc) - 1);
        if (H5Lexists(loc, acc, H5P_DEFAULT) <= 0) return 0;
    }
    return 1;
}

hid_t sf_h5_group(sf_h5 *h, const char *path)
{
    (void)h;
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    /* attributes stay in the object header (compact): HDF5 1.10 crashes in
     * H5Ocopy on dense attribute storage holding variable-length strings */
    hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
    H5Pset_attr_phase_change(gcpl, 65535, 65535);
    hid_t g;
    if (sf_h5_exists(h->file, path))
        g = H5Gopen2(h->file, path, H5P_DEFAULT);
    else
        g = H5Gcreate2(h->file, path, lcpl, gcpl, H5P_DEFAULT);
    H5Pclose(gcpl);
    H5Pclose(lcpl);
    return g;
}

static int write_any(sf_h5 *h, hid_t loc, const char *name, hid_t mtype, hid_t ftype, int rank,
                     const hsize_t *dims, const void *data, sf_err *e)
{
    hid_t space = H5Screate_simple(rank, dims, NULL);
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    if (H5Lexists(loc, name, H5P_DEFAULT) > 0) H5Ldelete(loc, name, H5P_DEFAULT);
    hid_t ds = H5Dcreate2(loc, name, ftype, space, lcpl, H5P_DEFAULT, H5P_DEFAULT);
    H5Pclose(lcpl);
    if (ds < 0) {
        H5Sclose(space);
        return sf_fail_write(e, SF_EINTERNAL, h->path ? h->path : ".", 0, 0, "%s: cannot create dataset %s",
                             h->path ? h->path : "?", name);
    }
    hid_t dxpl = H5P_DEFAULT;
    hid_t mspace = H5S_ALL, fspace = H5S_ALL;
    static const double dummy[1] = {0};
    if (h->parallel) {
        dxpl = H5Pcreate(H5P_DATASET_XFER);
        H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE);
        fspace = H5Scopy(space);
        mspace = H5Scopy(space);
        if (!h->root) {
            H5Sselect_none(fspace);
            H5Sselect_none(mspace);
            data = dummy;
        }
    }
    hssize_t npts = H5Sget_simple_extent_npoints(space);
    herr_t st = 0;
    if (npts > 0 || h->parallel) st = H5Dwrite(ds, mtype, mspace, fspace, dxpl, data ? data : dummy);
    if (h->parallel) {
        H5Pclose(dxpl);
        H5Sclose(fspace);
        H5Sclose(mspace);
    }
    H5Dclose(ds);
    H5Sclose(space);
    if (st < 0)
        return sf_fail_write(e, SF_EINTERNAL, h->path ? h->path : ".", 0, (double)npts * (double)H5Tget_size(ftype),
                             "%s: cannot write dataset %s", h->path ? h->path : "?", name);
    return SF_OK;
}

int sf_h5_write_double(sf_h5 *h, hid_t loc, const char *name, int rank, const hsize_t *dims, const double *data,
                       sf_err *e)
{
    return write_any(h, loc, name, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, rank, dims, data, e);
}

int sf_h5_write_int(sf_h5 *h, hid_t loc, const char *name, int rank, const hsize_t *dims, const int *data,
                    sf_err *e)
{
    return write_any(h, loc, name, H5T_NATIVE_INT, H5T_STD_I32LE, rank, dims, data, e);
}

/* every string silkflow writes (datasets and attributes) is variable-length
 * UTF-8: h5py, h5netcdf/xarray and netCDF read it as text. Serial files only:
 * HDF5 1.10 cannot write variable-length data with MPI-IO. */
static hid_t str_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    return t;
}

int sf_h5_write_strings(sf_h5 *h, hid_t loc, const char *name, hsize_t n, char *const *s, sf_err *e)
{
    if (h->parallel)
        return sf_fail(e, SF_EINTERNAL, "%s: string dataset %s cannot be written with MPI-IO", h->path, name);
    const char **v = sf_calloc(n ? n : 1, sizeof(char *));
    for (hsize_t i = 0; i < n; i++) v[i] = s[i] ? s[i] : "";
    hid_t t = str_type();
    int rc = write_any(h, loc, name, t, t, 1, &n, v, e);
    H5Tclose(t);
    free(v);
    return rc;
}

static int attr_write(hid_t obj, const char *name, hid_t type, hid_t space, const void *v)
{
    if (H5Aexists(obj, name) > 0) H5Adelete(obj, name);
    hid_t a = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0) return -1;
    herr_t st = H5Awrite(a, type, v);
    H5Aclose(a);
    return st < 0 ? -1 : 0;
}

int sf_h5_attr_str(hid_t obj, const char *name, const char *value)
{
    if (!value) value = "";
    hid_t t = str_type();
    hid_t sp = H5Screate(H5S_SCALAR);
    int rc = attr_write(obj, name, t, sp, &value);
    H5Sclose(sp);
    H5Tclose(t);
    return rc;
}

int sf_h5_attr_double(hid_t obj, const char *name, double value)
{
    hid_t sp = H5Screate(H5S_SCALAR);
    int rc = attr_write(obj, name, H5T_NATIVE_DOUBLE, sp, &value);
    H5Sclose(sp);
    return rc;
}

int sf_h5_attr_int(hid_t obj, const char *name, long value)
{
    hid_t sp = H5Screate(H5S_SCALAR);
    long long v = value;
    int rc = attr_write(obj, name, H5T_NATIVE_LLONG, sp, &v);
    H5Sclose(sp);
    return rc;
}

int sf_h5_attr_double_array(hid_t obj, const char *name, hsize_t n, const double *v)
{
    hid_t sp = H5Screate_simple(1, &n, NULL);
    int rc = attr_write(obj, name, H5T_NATIVE_DOUBLE, sp, v);
    H5Sclose(sp);
    return rc;
}

int sf_h5_attr_strings(hid_t obj, const char *name, hsize_t n, char *const *s)
{
    const char **v = sf_calloc(n ? n : 1, sizeof(char *));
    for (hsize_t i = 0; i < n; i++) v[i] = s[i] ? s[i] : "";
    if (!n) v[0] = "";
    hid_t t = str_type();
    hsize_t nn = n ? n : 1;
    hid_t sp = H5Screate_simple(1, &nn, NULL);
    int rc = attr_write(obj, name, t, sp, v);
    H5Sclose(sp);
    H5Tclose(t);
    free(v);
    return rc;
}

/* ---- self-description: attributes and dimension scales ---- */

/* the 1-D dataset `name` of length len in group or its nearest ancestor */
static hid_t find_scale(hid_t file, const char *group, const char *name, hsize_t len)
{
    char g[1024], p[1280];
    snprintf(g, sizeof g, "%s", group);
    for (;;) {
        snprintf(p, sizeof p, "%s/%s", strcmp(g, "/") ? g : "", name);
        if (sf_h5_exists(file, p) && H5Oexists_by_name(file, p, H5P_DEFAULT) > 0) {
            H5O_info_t oi;
            if (H5Oget_info_by_name(file, p, &oi, H5P_DEFAULT) >= 0 && oi.type == H5O_TYPE_DATASET) {
                hid_t d = H5Dopen2(file, p, H5P_DEFAULT);
                hid_t sp = H5Dget_space(d);
                hsize_t dd[8] = {0};
                int r = H5Sget_simple_extent_ndims(sp);
                if (r == 1) H5Sget_simple_extent_dims(sp, dd, NULL);
                H5Sclose(sp);
                if (r == 1 && dd[0] == len) return d;
                H5Dclose(d);
            }
        }
        if (!strcmp(g, "/")) return -1;
        char *slash = strrchr(g, '/');
        if (slash == g) g[1] = '\0';
        else *slash = '\0';
    }
}

/* a netCDF "dimension but not a variable": a scale without data, named by this
 * prefix and the length (netCDF-4's convention) */
#define PURE_DIM_NAME "This is a netCDF dimension but not a netCDF variable."
static int is_pure_name(const char *nm) { return !strncmp(nm, PURE_DIM_NAME, sizeof PURE_DIM_NAME - 2); }

static hid_t pure_dimension(hid_t file, const char *group, const char *name, hsize_t len)
{
    char p[1280];
    snprintf(p, sizeof p, "%s/%s", strcmp(group, "/") ? group : "", name);
    if (sf_h5_exists(file, p)) return -1;
    hid_t sp = H5Screate_simple(1, &len, NULL);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER);
    hid_t d = H5Dcreate2(file, p, H5T_IEEE_F32LE, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    H5Pclose(dcpl);
    H5Sclose(sp);
    if (d < 0) return -1;
    char nm[96];
    snprintf(nm, sizeof nm, PURE_DIM_NAME "%10llu", (unsigned long long)len);
    H5DSset_scale(d, nm);
    return d;
}

static int attach_axes(hid_t file, hid_t ds, const char *path, const char *dims)
{
    char group[1024], list[512];
    snprintf(group, sizeof group, "%s", path);
    char *slash = strrchr(group, '/');
    const char *self = path;
    if (slash) {
        self = path + (slash - group) + 1;
        if (slash == group) group[1] = '\0';
        else *slash = '\0';
    }
    snprintf(list, sizeof list, "%s", dims);
    char *names[8];
    int nd = 0;
    char *save = NULL;
    for (char *t = strtok_r(list, ",", &save); t && nd < 8; t = strtok_r(NULL, ",", &save)) {
        while (*t == ' ') t++;
        char *end = t + strlen(t);
        while (end > t && end[-1] == ' ') *--end = '\0';
        names[nd++] = t;
    }
    hid_t sp = H5Dget_space(ds);
    hsize_t dd[8] = {0};
    int rank = H5Sget_simple_extent_ndims(sp);
    if (rank > 0 && rank <= 8) H5Sget_simple_extent_dims(sp, dd, NULL);
    H5Sclose(sp);
    if (rank != nd) return -1;
    if (rank == 1 && !strcmp(names[0], self)) {
        if (H5DSis_scale(ds) <= 0 && H5DSset_scale(ds, self) < 0) return -1;
        return 0;
    }
    int rc = 0;
    for (int i = 0; i < nd && !rc; i++) {
        hid_t sc = find_scale(file, group, names[i], dd[i]);
        if (sc < 0) sc = pure_dimension(file, group, names[i], dd[i]);
        if (sc < 0) return -1;
        if (H5DSis_scale(sc) <= 0 && H5DSset_scale(sc, names[i]) < 0) rc = -1;
        if (!rc && H5DSis_attached(ds, sc, (unsigned)i) <= 0 && H5DSattach_scale(ds, sc, (unsigned)i) < 0) rc = -1;
        H5Dclose(sc);
    }
    return rc;
}

int sf_h5_describe(hid_t file, const char *path, const char *units, const char *dims, const char *desc)
{
    hid_t ds = H5Dopen2(file, path, H5P_DEFAULT);
    if (ds < 0) return -1;
    if (units) sf_h5_attr_str(ds, "units", units);
    if (desc) sf_h5_attr_str(ds, "description", desc);
    int rc = 0;
    if (dims) {
        sf_h5_attr_str(ds, "dims", dims);
        rc = attach_axes(file, ds, path, dims);
    }
    H5Dclose(ds);
    return rc;
}

int sf_h5_read_double(hid_t loc, const char *name, double **data, int *rank, hsize_t *dims, sf_err *e)
{
    *data = NULL;
    hid_t ds = H5Dopen2(loc, name, H5P_DEFAULT);
    if (ds < 0) return sf_fail(e, SF_EUSER, "dataset %s not found", name);
    hid_t sp = H5Dget_space(ds);
    int r = H5Sget_simple_extent_ndims(sp);
    hsize_t d[8] = {0};
    if (r > 8) r = 8;
    H5Sget_simple_extent_dims(sp, d, NULL);
    size_t tot = 1;
    for (int i = 0; i < r; i++) tot *= (size_t)d[i];
    double *buf = sf_malloc(sizeof(double) * (tot ? tot : 1));
    herr_t st = tot ? H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) : 0;
    H5Sclose(sp);
    H5Dclose(ds);
    if (st < 0) {
        free(buf);
        return sf_fail(e, SF_EUSER, "dataset %s: read error", name);
    }
    if (rank) *rank = r;
    if (dims)
        for (int i = 0; i < r; i++) dims[i] = d[i];
    *data = buf;
    return SF_OK;
}

int sf_h5_read_int(hid_t loc, const char *name, int **data, hsize_t *n, sf_err *e)
{
    *data = NULL;
    hid_t ds = H5Dopen2(loc, name, H5P_DEFAULT);
    if (ds < 0) return sf_fail(e, SF_EUSER, "dataset %s not found", name);
    hid_t sp = H5Dget_space(ds);
    hssize_t tot = H5Sget_simple_extent_npoints(sp);
    int *buf = sf_malloc(sizeof(int) * (size_t)(tot > 0 ? tot : 1));
    herr_t st = tot > 0 ? H5Dread(ds, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) : 0;
    H5Sclose(sp);
    H5Dclose(ds);
    if (st < 0) {
        free(buf);
        return sf_fail(e, SF_EUSER, "dataset %s: read error", name);
    }
    *n = (hsize_t)tot;
    *data = buf;
    return SF_OK;
}

static char **read_fixed_strings(hid_t obj, hid_t type, hsize_t n, int is_attr)
{
    char **out = sf_calloc(n ? n : 1, sizeof(char *));
    if (H5Tis_variable_str(type) > 0) {
        char **vl = sf_calloc(n ? n : 1, sizeof(char *));
        hid_t mt = H5Tcopy(H5T_C_S1);
        H5Tset_size(mt, H5T_VARIABLE);
        H5Tset_cset(mt, H5Tget_cset(type));
        herr_t st = is_attr ? H5Aread(obj, mt, vl) : H5Dread(obj, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, vl);
        for (hsize_t i = 0; i < n; i++) {
            out[i] = sf_strdup(st >= 0 && vl[i] ? vl[i] : "");
            free(vl[i]);
        }
        free(vl);
        H5Tclose(mt);
        return out;
    }
    size_t len = H5Tget_size(type);
    char *buf = sf_calloc(n ? n : 1, len + 1);
    /* same size, padding and character set as stored: no conversion */
    hid_t mt = H5Tcopy(H5T_C_S1);
    H5Tset_size(mt, len);
    H5Tset_strpad(mt, H5T_STR_NULLPAD);
    H5Tset_cset(mt, H5Tget_cset(type));
    herr_t st = is_attr ? H5Aread(obj, mt, buf) : H5Dread(obj, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
    H5Tclose(mt);
    for (hsize_t i = 0; i < n; i++) {
        char *s = sf_malloc(len + 1);
        if (st >= 0)
            memcpy(s, buf + i * len, len);
        else
            memset(s, 0, len);
        s[len] = '\0';
        out[i] = s;
    }
    free(buf);
    return out;
}

int sf_h5_read_strings(hid_t loc, const char *name, char ***s, hsize_t *n, sf_err *e)
{
    *s = NULL;
    hid_t ds = H5Dopen2(loc, name, H5P_DEFAULT);
    if (ds < 0) return sf_fail(e, SF_EUSER, "dataset %s not found", name);
    hid_t sp = H5Dget_space(ds);
    hid_t t = H5Dget_type(ds);
    if (H5Tget_class(t) != H5T_STRING) {
        H5Tclose(t);
        H5Sclose(sp);
        H5Dclose(ds);
        return sf_fail(e, SF_EUSER, "dataset %s is not a string dataset", name);
    }
    *n = (hsize_t)H5Sget_simple_extent_npoints(sp);
    *s = read_fixed_strings(ds, t, *n, 0);
    H5Tclose(t);
    H5Sclose(sp);
    H5Dclose(ds);
    return SF_OK;
}

int sf_h5_get_attr_str(hid_t obj, const char *name, char *buf, size_t n)
{
    if (H5Aexists(obj, name) <= 0) return -1;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t t = H5Aget_type(a);
    int rc = -1;
    if (H5Tget_class(t) == H5T_STRING) {
        char **s = read_fixed_strings(a, t, 1, 1);
        snprintf(buf, n, "%s", s[0]);
        free(s[0]);
        free(s);
        rc = 0;
    }
    H5Tclose(t);
    H5Aclose(a);
    return rc;
}

int sf_h5_get_attr_double(hid_t obj, const char *name, double *v)
{
    if (H5Aexists(obj, name) <= 0) return -1;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    herr_t st = H5Aread(a, H5T_NATIVE_DOUBLE, v);
    H5Aclose(a);
    return st < 0 ? -1 : 0;
}

int sf_h5_get_attr_strings(hid_t obj, const char *name, char ***s, hsize_t *n)
{
    *s = NULL;
    *n = 0;
    if (H5Aexists(obj, name) <= 0) return -1;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t t = H5Aget_type(a);
    hid_t sp = H5Aget_space(a);
    int rc = -1;
    if (H5Tget_class(t) == H5T_STRING) {
        *n = (hsize_t)H5Sget_simple_extent_npoints(sp);
        *s = read_fixed_strings(a, t, *n, 1);
        rc = 0;
    }
    H5Sclose(sp);
    H5Tclose(t);
    H5Aclose(a);
    return rc;
}

int sf_h5_write_frame(sf_h5 *h, const char *group, const sf_frame *f, sf_err *e)
{
    hid_t g = sf_h5_group(h, group);
    if (g < 0) return sf_fail(e, SF_EINTERNAL, "%s: cannot create group %s", h->path, group);
    hsize_t n = (hsize_t)f->nrow;
    int rc = SF_OK;
    char **names = sf_malloc(sizeof(char *) * (size_t)(f->ncol ? f->ncol : 1));
    for (int j = 0; j < f->ncol && rc == SF_OK; j++) {
        const sf_column *c = &f->cols[j];
        names[j] = c->name;
        if (c->type == SF_COL_NUM)
            rc = sf_h5_write_double(h, g, c->name, 1, &n, c->num, e);
        else
            rc = sf_h5_write_strings(h, g, c->name, n, c->str, e);
    }
    if (rc == SF_OK) {
        sf_h5_attr_strings(g, "columns", (hsize_t)f->ncol, names);
        sf_h5_attr_int(g, "rows", (long)f->nrow);
    }
    free(names);
    H5Gclose(g);
    return rc;
}

/* The column names of a frame group: its attribute "columns" (the order
 * sf_h5_write_frame kept), then every other link in creation order when the
 * file tracks it, else in name order (a panel written by h5py or pandas). */
static char **frame_names(hid_t loc, const char *group, hid_t g, size_t *n)
{
    char **cols = NULL, **links = NULL;
    hsize_t nc = 0;
    size_t nl = 0;
    sf_h5_get_attr_strings(g, "columns", &cols, &nc);
    sf_h5_list(loc, group, SF_H5_BY_CREATION, &links, &nl);
    char **v = sf_calloc((size_t)nc + nl + 1, sizeof(char *));
    size_t k = 0;
    for (hsize_t i = 0; i < nc; i++) v[k++] = cols[i];
    for (size_t i = 0; i < nl; i++) {
        int dup = 0;
        for (hsize_t j = 0; j < nc && !dup; j++) dup = !strcmp(links[i], cols[j]);
        if (dup)
            free(links[i]);
        else
            v[k++] = links[i];
    }
    free(cols);
    free(links);
    *n = k;
    return v;
}

/* add column `name` of group g to frame *f (created at the first column);
 * groups, netCDF pure dimensions and datasets that are neither numbers nor
 * strings (compound, enum) are skipped */
static int frame_column(hid_t g, const char *file, const char *group, const char *name, sf_frame **f, sf_err *e)
{
    int nd = 0;
    hsize_t dims[8] = {0};
    int kind = sf_h5_shape(g, name, &nd, dims);
    if (kind < 0 || kind == SF_H5_OTHER || sf_h5_is_pure_dimension(g, name)) return SF_OK;
    if (nd != 1) return sf_fail(e, SF_EUSER, "%s: %s/%s is not a 1-D dataset", file, group, name);
    size_t n = (size_t)dims[0];
    if (!*f) *f = sf_frame_new(n);
    if (n != (*f)->nrow)
        return sf_fail(e, SF_EUSER, "%s: %s/%s has %zu rows, the other columns %zu", file, group, name, n,
                       (*f)->nrow);
    if (kind == SF_H5_NUMBER) {
        double *v = NULL;
        if (sf_h5_read_double(g, name, &v, NULL, NULL, NULL) != SF_OK)
            return sf_fail(e, SF_EUSER, "%s: cannot read %s/%s", file, group, name);
        memcpy(sf_frame_add_num(*f, name), v, sizeof(double) * n);
        free(v);
        return SF_OK;
    }
    char **s = NULL;
    hsize_t m = 0;
    if (sf_h5_read_strings(g, name, &s, &m, NULL) != SF_OK)
        return sf_fail(e, SF_EUSER, "%s: cannot read %s/%s", file, group, name);
    char **dst = sf_frame_add_str(*f, name);
    for (hsize_t i = 0; i < m; i++) {
        /* fixed-length strings are padded: trimmed; empty = missing */
        const char *t = kind == SF_H5_STRING_FIXED ? sf_trim(s[i]) : s[i];
        if (i < n && *t) dst[i] = sf_strdup(t);
        free(s[i]);
    }
    free(s);
    return SF_OK;
}

int sf_h5_read_frame(hid_t loc, const char *group, sf_frame **out, sf_err *e)
{
    *out = NULL;
    char file[1024] = "?", gname[300];
    H5Fget_name(loc, file, sizeof file);
    snprintf(gname, sizeof gname, "%s%s", group[0] == '/' ? "" : "/", group);
    hid_t g = sf_h5_open_group(loc, group);
    if (g < 0) return sf_fail(e, SF_EUSER, "%s: no group %s", file, gname);
    size_t ncol = 0;
    char **names = frame_names(loc, group, g, &ncol);
    sf_frame *f = NULL;
    int rc = SF_OK;
    for (size_t j = 0; j < ncol; j++) {
        if (rc == SF_OK) rc = frame_column(g, file, gname, names[j], &f, e);
        free(names[j]);
    }
    free(names);
    H5Gclose(g);
    if (rc) {
        sf_frame_free(f);
        return rc;
    }
    *out = f ? f : sf_frame_new(0);
    return SF_OK;
}

/* sf_h5_create of a serial file (one process). */
int sf_h5_create_serial(sf_h5 *h, const char *path, sf_err *e) { return sf_h5_create(h, path, MPI_COMM_NULL, e); }

/* ---- the rest of the HDF5 layer (include/silkflow/h5.h): objects, listings,
 * shapes and the attributes the stages read back ---- */

hid_t sf_h5_open_group(hid_t loc, const char *path)
{
    if (!sf_h5_exists(loc, path)) return -1;
    return H5Gopen2(loc, path, H5P_DEFAULT);
}

hid_t sf_h5_open_dataset(hid_t loc, const char *path)
{
    if (!sf_h5_exists(loc, path)) return -1;
    return H5Dopen2(loc, path, H5P_DEFAULT);
}

void sf_h5_close_object(hid_t obj)
{
    if (obj >= 0) H5Oclose(obj);
}

hid_t sf_h5_group_at(hid_t loc, const char *path)
{
    if (sf_h5_exists(loc, path)) return H5Gopen2(loc, path, H5P_DEFAULT);
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
    H5Pset_attr_phase_change(gcpl, 65535, 65535); /* compact attributes, as sf_h5_group */
    hid_t g = H5Gcreate2(loc, path, lcpl, gcpl, H5P_DEFAULT);
    H5Pclose(gcpl);
    H5Pclose(lcpl);
    return g;
}

void sf_h5_delete(hid_t loc, const char *name)
{
    if (H5Lexists(loc, name, H5P_DEFAULT) > 0) H5Ldelete(loc, name, H5P_DEFAULT);
}

int sf_h5_copy(hid_t src, const char *name, hid_t dst)
{
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    herr_t st = H5Ocopy(src, name, dst, name, H5P_DEFAULT, lcpl);
    H5Pclose(lcpl);
    return st < 0 ? -1 : 0;
}

/* kind 0 (any), SF_H5_GROUPS or SF_H5_DATASETS */
static int kind_matches(hid_t g, const char *name, int kind)
{
    if (!kind) return 1;
    hid_t o = H5Oopen(g, name, H5P_DEFAULT);
    if (o < 0) return 0;
    H5I_type_t t = H5Iget_type(o);
    H5Oclose(o);
    return kind == SF_H5_GROUPS ? t == H5I_GROUP : t == H5I_DATASET;
}

int sf_h5_list(hid_t loc, const char *path, int flags, char ***names, size_t *n)
{
    *names = NULL;
    *n = 0;
    hid_t g = sf_h5_open_group(loc, path);
    if (g < 0) return -1;
    H5G_info_t gi;
    if (H5Gget_info(g, &gi) < 0) {
        H5Gclose(g);
        return -1;
    }
    H5_index_t idx = H5_INDEX_NAME;
    char probe[8];
    if ((flags & SF_H5_BY_CREATION) &&
        (!gi.nlinks || H5Lget_name_by_idx(g, ".", H5_INDEX_CRT_ORDER, H5_ITER_INC, 0, probe, sizeof probe,
                                          H5P_DEFAULT) >= 0))
        idx = H5_INDEX_CRT_ORDER;
    char **v = sf_calloc(gi.nlinks ? gi.nlinks : 1, sizeof(char *));
    size_t k = 0;
    for (hsize_t i = 0; i < gi.nlinks; i++) {
        ssize_t len = H5Lget_name_by_idx(g, ".", idx, H5_ITER_INC, i, NULL, 0, H5P_DEFAULT);
        if (len < 0) continue;
        v[k] = sf_malloc((size_t)len + 1);
        H5Lget_name_by_idx(g, ".", idx, H5_ITER_INC, i, v[k], (size_t)len + 1, H5P_DEFAULT);
        if (!kind_matches(g, v[k], flags & (SF_H5_GROUPS | SF_H5_DATASETS))) {
            free(v[k]);
            continue;
        }
        k++;
    }
    H5Gclose(g);
    *names = v;
    *n = k;
    return 0;
}

typedef struct {
    char **p;
    size_t n, cap;
} path_list;

static herr_t collect_dataset(hid_t o, const char *name, const H5O_info_t *info, void *op)
{
    (void)o;
    path_list *l = op;
    if (info->type != H5O_TYPE_DATASET) return 0;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 256;
        l->p = sf_realloc(l->p, sizeof(char *) * l->cap);
    }
    size_t len = strlen(name) + 2;
    l->p[l->n] = sf_malloc(len);
    snprintf(l->p[l->n++], len, "/%s", name);
    return 0;
}

int sf_h5_list_datasets(hid_t file, char ***paths, size_t *n)
{
    path_list l = {0};
    herr_t st = H5Ovisit(file, H5_INDEX_NAME, H5_ITER_INC, collect_dataset, &l);
    *paths = l.p;
    *n = l.n;
    return st < 0 ? -1 : 0;
}

int sf_h5_shape(hid_t loc, const char *name, int *rank, hsize_t *dims)
{
    hid_t obj = H5Oopen(loc, name, H5P_DEFAULT);
    if (obj < 0) return -1;
    int is_ds = H5Iget_type(obj) == H5I_DATASET;
    H5Oclose(obj);
    if (!is_ds) return -1;
    hid_t ds = H5Dopen2(loc, name, H5P_DEFAULT);
    if (ds < 0) return -1;
    hid_t sp = H5Dget_space(ds), ty = H5Dget_type(ds);
    int r = H5Sget_simple_extent_ndims(sp);
    hsize_t d[32] = {0};
    if (r >= 0 && r <= 32) H5Sget_simple_extent_dims(sp, d, NULL);
    if (rank) *rank = r;
    if (dims)
        for (int i = 0; i < r && i < 8; i++) dims[i] = d[i];
    H5T_class_t cls = H5Tget_class(ty);
    int kind = SF_H5_OTHER;
    if (cls == H5T_INTEGER || cls == H5T_FLOAT) kind = SF_H5_NUMBER;
    else if (cls == H5T_STRING) kind = H5Tis_variable_str(ty) > 0 ? SF_H5_STRING : SF_H5_STRING_FIXED;
    H5Tclose(ty);
    H5Sclose(sp);
    H5Dclose(ds);
    return kind;
}

int sf_h5_has_attr(hid_t obj, const char *name) { return H5Aexists(obj, name) > 0; }

int sf_h5_get_attr_doubles(hid_t obj, const char *name, double *v, size_t n)
{
    if (H5Aexists(obj, name) <= 0) return -1;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t t = H5Aget_type(a), sp = H5Aget_space(a);
    H5T_class_t c = H5Tget_class(t);
    int rc = -1;
    if ((c == H5T_INTEGER || c == H5T_FLOAT) && H5Sget_simple_extent_npoints(sp) == (hssize_t)n &&
        H5Aread(a, H5T_NATIVE_DOUBLE, v) >= 0)
        rc = 0;
    H5Sclose(sp);
    H5Tclose(t);
    H5Aclose(a);
    return rc;
}

int sf_h5_attr_int_array(hid_t obj, const char *name, hsize_t n, const int *v)
{
    hid_t sp = H5Screate_simple(1, &n, NULL);
    if (H5Aexists(obj, name) > 0) H5Adelete(obj, name);
    hid_t a = H5Acreate2(obj, name, H5T_STD_I32LE, sp, H5P_DEFAULT, H5P_DEFAULT);
    herr_t st = a < 0 ? -1 : H5Awrite(a, H5T_NATIVE_INT, v);
    if (a >= 0) H5Aclose(a);
    H5Sclose(sp);
    return st < 0 ? -1 : 0;
}

void sf_h5_version(unsigned *maj, unsigned *min, unsigned *rel) { H5get_libversion(maj, min, rel); }

hid_t sf_h5_object_open(hid_t loc, const char *path)
{
    if (!sf_h5_exists(loc, path)) return -1;
    return H5Oopen(loc, path, H5P_DEFAULT);
}

long long sf_h5_storage_bytes(hid_t loc, const char *name)
{
    hid_t ds = sf_h5_open_dataset(loc, name);
    if (ds < 0) return -1;
    long long sz = (long long)H5Dget_storage_size(ds);
    H5Dclose(ds);
    return sz;
}

int sf_h5_is_string(hid_t loc, const char *name)
{
    if (!sf_h5_exists(loc, name)) return 0;
    int k = sf_h5_shape(loc, name, NULL, NULL);
    return k == SF_H5_STRING || k == SF_H5_STRING_FIXED;
}

int sf_h5_get_attr_doubles_alloc(hid_t obj, const char *name, double **v, hsize_t *n)
{
    *v = NULL;
    *n = 0;
    if (H5Aexists(obj, name) <= 0) return -1;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t sp = H5Aget_space(a);
    hssize_t m = H5Sget_simple_extent_npoints(sp);
    H5Sclose(sp);
    H5Aclose(a);
    if (m < 0) return -1;
    *v = sf_malloc(sizeof(double) * (size_t)(m > 0 ? m : 1));
    if (m > 0 && sf_h5_get_attr_doubles(obj, name, *v, (size_t)m)) {
        free(*v);
        *v = NULL;
        return -1;
    }
    *n = (hsize_t)m;
    return 0;
}

int sf_h5_is_pure_dimension(hid_t loc, const char *name)
{
    hid_t ds = sf_h5_open_dataset(loc, name);
    if (ds < 0) return 0;
    char nm[96] = "";
    int r = sf_h5_get_attr_str(ds, "NAME", nm, sizeof nm) == 0 && is_pure_name(nm);
    H5Dclose(ds);
    return r;
}

/* ---- the dimension scales of a copied group ------------------------------------------------ */

static herr_t strip_scales_one(hid_t g, const char *name, const H5O_info_t *info, void *op)
{
    (void)op;
    if (info->type != H5O_TYPE_DATASET) return 0;
    hid_t d = H5Dopen2(g, name, H5P_DEFAULT);
    if (d < 0) return -1;
    char cls[32] = "", nm[96] = "";
    sf_h5_get_attr_str(d, "CLASS", cls, sizeof cls);
    sf_h5_get_attr_str(d, "NAME", nm, sizeof nm);
    const int pure = is_pure_name(nm);
    static const char *const A[] = {"DIMENSION_LIST", "REFERENCE_LIST", "CLASS", "NAME"};
    const int na = !strcmp(cls, "DIMENSION_SCALE") && !pure ? 4 : 2;
    for (int k = 0; k < na; k++)
        if (H5Aexists(d, A[k]) > 0) H5Adelete(d, A[k]);
    H5Dclose(d);
    return 0;
}

int sf_h5_strip_scales(hid_t loc, const char *group)
{
    hid_t g = H5Gopen2(loc, group, H5P_DEFAULT);
    if (g < 0) return -1;
    herr_t st = H5Ovisit(g, H5_INDEX_NAME, H5_ITER_INC, strip_scales_one, NULL);
    H5Gclose(g);
    return st < 0 ? -1 : 0;
}
