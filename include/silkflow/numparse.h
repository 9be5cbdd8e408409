/* silkflow: fast decimal number parsing, bit-identical to strtod.
 *
 * The readers parse tens of millions of numbers per table (an Eora26 T file
 * holds 24 million), so the common shapes take an exact fast path and only
 * the rare ones fall back to strtod:
 *  - up to 19 significant digits are gathered into a uint64 mantissa w, with a
 *    decimal exponent q;
 *  - w <= 2^53 and |q| <= 22: Clinger's fast path, one exactly rounded double
 *    multiplication or division by an exact power of ten;
 *  - otherwise, where long double has a 64-bit significand (x86), |q| <= 27:
 *    one exactly rounded extended multiplication/division, then rounding to
 *    double, unless the extended result sits exactly on a double halfway
 *    point (the only case where double rounding can go wrong);
 *  - everything else (more than 19 digits, large exponents): strtod.
 * Results are those of strtod in the C locale, sign of zero included.
 * The matrix readers below have one more path in front of these (x86-64,
 * SSE2): 64 bytes are scanned at once for tabs, non-digits and points, and a
 * field [+-]digits[.digits] of at most 15 digits followed by a tab is
 * converted without a branch on its digits (Clinger, one division); any other
 * field goes through sf_numparse (tests/unit/test_numparse_tsv.c).
 *
 * Grammar accepted: [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?
 * No leading whitespace, no hexadecimal, no nan/inf: those are not numbers
 * of a table. An 'e' not followed by exponent digits ends the number before
 * the 'e' (as strtod does).
 */
#ifndef SILKFLOW_NUMPARSE_H
#define SILKFLOW_NUMPARSE_H

#include <stddef.h>
#include <stdint.h>

#include "silkflow/common.h"

/* Bytes that must be readable after the character that ends a number: the
 * parser reads 8 digits at a time. Buffers handed to sf_numparse need this
 * much slack after their last byte. */
#define SF_NUMPARSE_PAD 16

/* Parse the number starting at s. Returns a pointer to the first character
 * after it and stores the value in *out, or returns NULL when s does not
 * start with a number. The character ending the number must be one that
 * cannot continue it (a delimiter, NUL, ...), and SF_NUMPARSE_PAD bytes after
 * it must be readable. Overflow gives +-inf (as strtod): callers that need
 * finite values check. */
const char *sf_numparse(const char *s, double *out);

/* 10^k as uint64 for k = 0..19 */
extern const uint64_t sf_u10[20];

/* ---- streaming reader of a tab-separated numeric matrix -------------------
 * Text: `rows` lines of `cols` numbers separated by one tab; LF or CRLF line
 * ends; trailing spaces/tabs at the end of a line and blank lines after the
 * last row are tolerated, and so is a UTF-8 byte order mark at the start;
 * nothing else is (no header, no empty fields).
 * The text arrives in chunks from a read callback (zip_fread, fread, memory)
 * and numbers go straight into the destination: memory is the matrix plus
 * one buffer. Errors are SF_EUSER naming `name`, the line and the column:
 * truncated row, too many columns, wrong number of lines, non-number,
 * NaN/Inf, out-of-range values. */

/* Read up to cap bytes into buf: returns the count, 0 at the end, or -1 after
 * filling e. */
typedef long (*sf_read_fn)(void *ctx, char *buf, size_t cap, sf_err *e);

typedef struct {
    const char *name;     /* for messages: "file.txt" or "archive.zip:member.txt" */
    int rows, cols;       /* lines and numbers per line expected in the text */
    double *dst;          /* destination, row-major with leading dimension ld */
    size_t ld;
    const int *row_map;   /* text row -> destination row, -1 = skip (NULL: identity) */
    const int *col_map;   /* text column -> destination column, -1 = skip (NULL: identity) */
    size_t bufsize;       /* chunk buffer in bytes (0: 4 MiB); sf_tsv_parse_text: smallest part per thread (0: 8 MiB) */
    const char *shape;    /* for the size errors: where rows and cols come from (NULL: not said) */
} sf_tsv_spec;

int sf_tsv_read(const sf_tsv_spec *spec, sf_read_fn rd, void *ctx, sf_err *e);

/* The same reader on a whole text in memory, parsed by nthreads threads (each
 * a part of the lines; results and error messages as sf_tsv_read's). text
 * holds len bytes and has SF_NUMPARSE_PAD + 2 writable, zeroed bytes after
 * them (a newline and the NUL sentinel are added there). */
int sf_tsv_parse_text(const sf_tsv_spec *spec, char *text, size_t len, int nthreads, sf_err *e);

#endif
