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
 * the group attribute "columns". */
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

/* sf_h5_create of a serial file (one process). */
int sf_h5_create_serial(sf_h5 *h, const char *path, sf_err *e);
/* Open an existing group (negative when it does not exist); close it with
 * sf_h5_group_close (a negative id is ignored). */
hid_t sf_h5_group_open(hid_t loc, const char *path);
void sf_h5_group_close(hid_t g);

#endif
