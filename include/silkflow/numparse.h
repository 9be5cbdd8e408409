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
 *
 * Grammar accepted: [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?
 * No leading whitespace, no hexadecimal, no nan/inf: those are not numbers
 * of a table. An 'e' not followed by exponent digits ends the number before
 * the 'e' (as strtod does).
 */
#ifndef SILKFLOW_NUMPARSE_H
#define SILKFLOW_NUMPARSE_H

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

#endif
