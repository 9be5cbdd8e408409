/* Internal to the MRIO reader (src/io/mrio_*.c): where a year's files are,
 * how to open them, and the raw labels before row = drop. */
#ifndef SILKFLOW_MRIO_INTERNAL_H
#define SILKFLOW_MRIO_INTERNAL_H

#include <zip.h>

#include "silkflow/mrio.h"
#include "silkflow/numparse.h"

/* One year of a release, with its archives open. */
typedef struct {
    const sf_source *src;
    int year;
    const char *path;   /* release directory */
    char base[512];     /* <prefix>_<YYYY>_<price> */
    char *zip_path;     /* <path>/<base>.zip when present */
    zip_t *zip;
    char *data_dir;     /* directory of unpacked data files (no year zip) */
    char *year_dir;     /* <path>/<YYYY> when it is a directory */
    char *idx_path;     /* <path>/indices.zip, opened on first need */
    zip_t *idx;
    int idx_tried;
} mrio_ctx;

/* A file to read: loose, or a member of an open archive. */
typedef struct {
    char *path;      /* the file, or the archive holding it */
    zip_t *za;       /* NULL for a loose file (not owned) */
    zip_uint64_t index;
    char *display;   /* "path" or "path:member" for messages */
} mrio_ref;

/* Locate the year (zip or unpacked files); fails with a clear message when
 * the year is absent or its zip is empty or corrupt. */
int mrio_ctx_open(const sf_source *src, int year, mrio_ctx *c, sf_err *e);
void mrio_ctx_close(mrio_ctx *c);
/* kind "T", "FD" or "VA" */
int mrio_find_data(mrio_ctx *c, const char *kind, mrio_ref *r, sf_err *e);
/* name "labels_T.txt" etc.: year zip, <path>/<YYYY>/, <path>/, <path>/indices.zip */
int mrio_find_label(mrio_ctx *c, const char *name, mrio_ref *r, sf_err *e);
void mrio_ref_free(mrio_ref *r);
/* Whole content, NUL-terminated (label files). */
char *mrio_ref_slurp(const mrio_ref *r, size_t *len, sf_err *e);
/* Paths holding the year's data and labels (zips or text files), deduplicated. */
int mrio_year_files(mrio_ctx *c, char ***files, int *count, sf_err *e);
/* SF_READ_STREAM set (not 0): read members one after the other, streaming
 * (docs/config.md, "Input files"). */
int sf_read_stream(void);
/* Parse a matrix file into spec->dst (spec->name is set from r). */
int mrio_ref_read_matrix(const mrio_ref *r, sf_tsv_spec *spec, sf_err *e);

/* The compressed bytes (st->comp_size of them) of the deflated member
 * `index` of za, whose archive file is mapped at z (n bytes); NULL when they
 * cannot be located with certainty (src/io/mrio_zipdata.c). */
const unsigned char *mrio_zip_member_data(const unsigned char *z, size_t n, zip_t *za, zip_uint64_t index,
                                          const zip_stat_t *st);

/* Labels as written (ROW kept), and the drop of the ROW account:
 * row_map (n_raw: raw sector -> kept index or -1) and fd_map (nfd_raw) are
 * set to NULL when nothing was dropped. */
int mrio_labels_load(mrio_ctx *c, sf_labels **raw, sf_err *e);
sf_labels *mrio_labels_drop_row(const sf_labels *raw, int **row_map, int **fd_map);

#endif
