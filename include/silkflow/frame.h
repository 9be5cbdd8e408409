/* silkflow: a small column-oriented data frame (panel, covariates, estimation
 * input) with a CSV reader/writer. Numeric missing values are NaN; string
 * missing values are NULL. */
#ifndef SILKFLOW_FRAME_H
#define SILKFLOW_FRAME_H

#include <stddef.h>

#include "silkflow/common.h"

typedef enum { SF_COL_NUM = 0, SF_COL_STR = 1 } sf_coltype;

typedef struct {
    char *name;
    sf_coltype type;
    double *num; /* SF_COL_NUM: nrow values, NaN = missing */
    char **str;  /* SF_COL_STR: nrow strings, NULL = missing */
} sf_column;

typedef struct {
    size_t nrow;
    int ncol, cap;
    sf_column *cols;
} sf_frame;

sf_frame *sf_frame_new(size_t nrow);
void sf_frame_free(sf_frame *f);
/* Add a column (NaN / NULL initialised); replaces an existing column of the
 * same name. Returns the data pointer. */
double *sf_frame_add_num(sf_frame *f, const char *name);
char **sf_frame_add_str(sf_frame *f, const char *name);
/* Column by name (exact, then case-insensitive); NULL when absent. */
sf_column *sf_frame_col(const sf_frame *f, const char *name);
int sf_frame_col_index(const sf_frame *f, const char *name);
/* Keep the rows where keep[i] != 0 (in order). */
void sf_frame_filter(sf_frame *f, const unsigned char *keep);
/* Append the rows of g to f. Columns are matched by name; columns of f
 * absent from g get missing values, columns of g absent from f are added
 * (missing in f's earlier rows). A column numeric in one and string in the
 * other is an error (-1). */
int sf_frame_rbind(sf_frame *f, const sf_frame *g);
/* Left join: for every row of f, find the row of g with equal keys (a string
 * column key_s and a numeric column key_n present in both) and copy g's
 * columns cols[0..ncols) into f (added or replaced; NaN/NULL where no match).
 * Returns the number of rows of f that found a match, -1 when g has duplicate
 * keys or a key column is missing. */
long sf_frame_join(sf_frame *f, const sf_frame *g, const char *key_s, const char *key_n, const char *const *cols,
                   int ncols);
/* Move the named columns (those present) to the front, in that order. */
void sf_frame_order(sf_frame *f, const char *const *names, int n);

/* CSV, the one reader of silkflow (util/frame.c). Rules: comma separated, or
 * ';' / tab when the header line has no comma; RFC 4180 quotes ("" inside a
 * quoted cell is a quote; blanks before an opening quote are skipped; text
 * after the closing quote up to the separator is kept); CRLF tolerated; a
 * UTF-8 BOM skipped; unquoted cells trimmed of surrounding blanks; an empty
 * line is a record of one empty cell (sf_csv_blank). Missing cells
 * (sf_csv_missing): "", NA, NaN, nan, ".", "..", "#NULL!" and "#N/A" (Excel's
 * and the World Bank's not-available). Errors name the file and line. */
typedef struct {
    const char *path;
    char *text;
    const char *p, *end;
    char sep;
    long line;      /* physical line (1-based) where the current record starts */
    long next_line; /* line where the next record starts */
    int n;          /* cells in the current record */
    char **cell;    /* cell strings (valid until the next call) */
    int cap;
    char *buf;
    size_t bcap;
    size_t *off;
} sf_csv;

/* Open path; sep 0 = from the first line. Absent/unreadable file: SF_EUSER. */
int sf_csv_open(sf_csv *c, const char *path, char sep, sf_err *e);
/* sf_csv_open, then the first record as the header: an empty file is an error
 * naming it (the file is closed on any error). */
int sf_csv_open_header(sf_csv *c, const char *path, char sep, sf_err *e);
/* Next record: 1 read, 0 end of file, -1 error (unterminated quote). */
int sf_csv_next(sf_csv *c, sf_err *e);
int sf_csv_blank(const sf_csv *c);
void sf_csv_close(sf_csv *c);
/* Index of a cell (case-insensitive) in the current record, -1 absent. */
int sf_csv_find(const sf_csv *c, const char *name);
int sf_csv_missing(const char *s);

/* A whole CSV file as a frame, by the rules above: a column is numeric when
 * every non-missing cell parses as a number; every record has the header's
 * number of fields (blank lines skipped); empty header cells are named V1, V2... */
int sf_frame_read_csv(const char *path, sf_frame **out, sf_err *e);
/* Write with %.17g for numbers (empty cell for NaN), quoting strings when
 * needed. Writes to path.tmp then renames. */
int sf_frame_write_csv(const sf_frame *f, const char *path, sf_err *e);

#endif
