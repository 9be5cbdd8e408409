/* Helpers shared by the decomposition sources (src/core/decomp*.c); not a
 * public contract. */
#ifndef SILKFLOW_DECOMP_INTERNAL_H
#define SILKFLOW_DECOMP_INTERNAL_H

#include "silkflow/decomp.h"

/* Offsets of the diagonal blocks (region g's N_g x N_g block starts at
 * off[g]); off has G + 1 entries, off[G] is the total length. */
void sf_decomp_block_offsets(const sf_labels *lab, long *off);

/* 1 / x_j, or 0 for zero-output sectors: A_ij = Z_ij * invx_j. malloc'ed. */
double *sf_decomp_invx(const sf_derived *d);

/* Local Leontief inverse L^gg = (I - A^gg)^-1 of region g into L (N_g x N_g,
 * row-major). SF_EINTERNAL when the block is singular or the inverse is not
 * finite; the message names the region code and the sector. */
int sf_decomp_local_inverse(const sf_labels *lab, const sf_table *t, const double *invx, int g, double *L,
                            sf_err *e);

#endif
