/* silkflow: thin helpers over HDF5 (parallel build). Files are opened either
 * by one process (serial driver) or by a group of ranks with the MPI-IO
 * driver; with MPI-IO every rank calls every function (collective metadata),
 * data comes from the group root and writes are collective (the other ranks
 * pass an empty selection). Errors name the file and the object. */
#ifndef SILKFLOW_H5_H
#define SILKFLOW_H5_H

#include <hdf5.h>
#include <mpi.h>

#include "silkflow/common.h"
#include "silkflow/frame.h"

typedef struct {
    hid_t file;
    int parallel;     /* opened with MPI-IO on comm */
    int root;         /* this rank supplies data */
    MPI_Comm comm;    /* the group of a parallel file */
    char *path;
} sf_h5;

/* Create (truncate) a file; comm = MPI_COMM_NULL for a serial file. */
int sf_h5_create(sf_h5 *h, const char *path, MPI_Comm comm, sf_err *e);
/* Open an existing file read-only (serial) or read-write. */
int sf_h5_open(sf_h5 *h, const char *path, int write, sf_err *e);
int sf_h5_close(sf_h5 *h, sf_err *e);
void sf_h5_silence(void); /* turn off HDF5's automatic error printing */

/* Create intermediate groups of a path like "/years/2005" (returns group id). */
hid_t sf_h5_group(sf_h5 *h, const char *path);
int sf_h5_exists(hid_t loc, const char *path);

/* Datasets: rank-1..4 doubles/ints, written whole by the root. */
int sf_h5_write_double(sf_h5 *h, hid_t loc, const char *name, int rank, const hsize_t *dims, const double *data,
                       sf_err *e);
int sf_h5_write_int(sf_h5 *h, hid_t loc, const char *name, int rank, const hsize_t *dims, const int *data,
                    sf_err *e);
/* 1-D variable-length UTF-8 strings (NULL entries written as ""); serial files
 * only. Every string attribute is variable-length UTF-8 as well. */
int sf_h5_write_strings(sf_h5 *h, hid_t loc, const char *name, hsize_t n, char *const *s, sf_err *e);

/* A data frame as a group of equal-length 1-D datasets, one per column
 * (numbers as float64, strings as variable-length UTF-8), column order kept in
 * the group attribute "columns". The reader (the one reader of /panel, /rows
 * and any frame written by h5py or pandas) takes the columns in that order,
 * then every other dataset in creation order when the file tracks it, else in
 * name order; numbers (integer or float) as double, NaN = missing; strings
 * (variable or fixed length, the fixed ones trimmed of padding) with "" =
 * missing (NULL); it skips subgroups, netCDF pure dimensions (/panel/row) and
 * datasets of other types (compound, enum), and fails, naming the file and the
 * dataset, on a dataset that is not 1-D or whose length differs from the
 * others'. An empty group gives a frame without columns. */
int sf_h5_write_frame(sf_h5 *h, const char *group, const sf_frame *f, sf_err *e);
int sf_h5_read_frame(hid_t loc, const char *group, sf_frame **out, sf_err *e);

/* Attributes on an object (every rank calls with the same values). */
int sf_h5_attr_str(hid_t obj, const char *name, const char *value);
int sf_h5_attr_double(hid_t obj, const char *name, double value);
int sf_h5_attr_int(hid_t obj, const char *name, long value);
int sf_h5_attr_double_array(hid_t obj, const char *name, hsize_t n, const double *v);
int sf_h5_attr_strings(hid_t obj, const char *name, hsize_t n, char *const *s);

/* Self-description (serial files): the attributes units, dims (the dimension
 * names, comma separated) and description of dataset `path` (NULL leaves an
 * attribute as it is), and each axis attached to an HDF5 dimension scale: the
 * dataset of that name in the dataset's group or the nearest ancestor with the
 * axis's length (made a scale), else a netCDF-style pure dimension created in
 * the group. A dataset named like its single dimension is a coordinate (a scale
 * of itself). Returns 0, or -1 when an axis cannot be attached. */
int sf_h5_describe(hid_t file, const char *path, const char *units, const char *dims, const char *desc);

/* Reading (serial files). Returned buffers are malloc'ed. */
int sf_h5_read_double(hid_t loc, const char *name, double **data, int *rank, hsize_t *dims, sf_err *e);
int sf_h5_read_int(hid_t loc, const char *name, int **data, hsize_t *n, sf_err *e);
int sf_h5_read_strings(hid_t loc, const char *name, char ***s, hsize_t *n, sf_err *e);
/* Attribute readers: 0 when found. */
int sf_h5_get_attr_str(hid_t obj, const char *name, char *buf, size_t n);
int sf_h5_get_attr_double(hid_t obj, const char *name, double *v);
int sf_h5_get_attr_strings(hid_t obj, const char *name, char ***s, hsize_t *n);

/* ---- the rest of the HDF5 layer: every H5* call of silkflow is in io/h5.c
 * (docs/architecture.md); the modules above use these. ---- */

/* Open a group, a dataset or either (object) by path (relative to loc, or
 * absolute); a negative id when there is none. Close with sf_h5_close_object. */
hid_t sf_h5_open_group(hid_t loc, const char *path);
hid_t sf_h5_open_dataset(hid_t loc, const char *path);
hid_t sf_h5_object_open(hid_t loc, const char *path);
void sf_h5_close_object(hid_t obj);
/* Open, or create with intermediate groups, the group `path` under loc (as
 * sf_h5_group, for a location that is not the file). */
hid_t sf_h5_group_at(hid_t loc, const char *path);
/* Delete the link `name` under loc if it exists. */
void sf_h5_delete(hid_t loc, const char *name);
/* Copy the object src:/name to dst:/name (intermediate groups created). */
int sf_h5_copy(hid_t src, const char *name, hid_t dst);

/* The names of the links of group `path` (malloc'ed, free each and the array).
 * flags: SF_H5_BY_NAME (name order) or SF_H5_BY_CREATION (creation order when
 * the file tracks it, else name order), or'ed with SF_H5_GROUPS or
 * SF_H5_DATASETS to keep only groups or only datasets. 0, or -1 when there is
 * no such group. */
enum { SF_H5_BY_NAME = 0, SF_H5_BY_CREATION = 1, SF_H5_GROUPS = 2, SF_H5_DATASETS = 4 };
int sf_h5_list(hid_t loc, const char *path, int flags, char ***names, size_t *n);
/* The absolute paths of every dataset of the file, in name order (recursive). */
int sf_h5_list_datasets(hid_t file, char ***paths, size_t *n);

/* The shape and kind of dataset `name`: rank and dims (up to 8 axes); returns
 * the kind, or -1 when `name` is not a dataset. */
enum { SF_H5_OTHER, SF_H5_NUMBER, SF_H5_STRING, SF_H5_STRING_FIXED };
int sf_h5_shape(hid_t loc, const char *name, int *rank, hsize_t *dims);

/* Attributes: existence; a numeric attribute of exactly n values as doubles
 * (0 when found); a 1-D int32 attribute. */
int sf_h5_has_attr(hid_t obj, const char *name);
int sf_h5_get_attr_doubles(hid_t obj, const char *name, double *v, size_t n);
/* a numeric attribute of any shape, malloc'ed; 0 when found */
int sf_h5_get_attr_doubles_alloc(hid_t obj, const char *name, double **v, hsize_t *n);
/* 1 when dataset `name` is a netCDF "dimension but not a variable" (a scale
 * without data, e.g. /panel/row, written for xarray): readers skip it */
int sf_h5_is_pure_dimension(hid_t loc, const char *name);
/* 1 when dataset `name` holds strings */
int sf_h5_is_string(hid_t loc, const char *name);
/* Bytes that dataset `name` under loc occupies in the file, -1 when there is none. */
long long sf_h5_storage_bytes(hid_t loc, const char *name);
int sf_h5_attr_int_array(hid_t obj, const char *name, hsize_t n, const int *v);

/* The version of the HDF5 library linked. */
void sf_h5_version(unsigned *maj, unsigned *min, unsigned *rel);
/* sf_h5_create of a serial file (one process). */
int sf_h5_create_serial(sf_h5 *h, const char *path, sf_err *e);

/* Remove the dimension-scale attributes (DIMENSION_LIST, REFERENCE_LIST, and
 * CLASS and NAME of scales; a netCDF pure dimension keeps its own) of every
 * dataset under group: after sf_h5_copy into another file their object
 * references point nowhere; sf_h5_describe attaches the scales again. */
int sf_h5_strip_scales(hid_t loc, const char *group);

#endif
