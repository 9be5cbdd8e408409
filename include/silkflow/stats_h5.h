/* silkflow stats: HDF5 input/output of the estimation stage (docs/output.md
 * "Results file"): the /panel datasets as a frame, and /estimates/<model>/.
 * Serial HDF5 API (the library is the parallel build: files are opened with
 * the default property lists). */
#ifndef SILKFLOW_STATS_H5_H
#define SILKFLOW_STATS_H5_H

#include "silkflow/h5.h"

#include "silkflow/frame.h"
#include "silkflow/stats.h"

/* Read /panel of an HDF5 file into a frame with sf_h5_read_frame (h5.h: its
 * order, types and skips); fails naming the file when it is missing, not HDF5,
 * has no /panel or /panel has no column. */
int sf_panel_read_h5(const char *path, sf_frame **out, sf_err *e);

/* Write /estimates/<model>/ for each fit (an existing group of that name is
 * replaced): datasets coef (strings), b, se, t, p, ci_lo, ci_hi (k), V (k x k),
 * boot_p, boot_ci_lo, boot_ci_hi (k, NaN except at the key coefficient);
 * attributes N, r2, r2_within, r2_adj, rmse, F, F_p, n_clusters,
 * singletons_dropped, missing_dropped, formula, vcov, ssc, depvar, role,
 * key_coef, boot_method, boot_B, and for IV/mediation models their
 * statistics; the layout of the tables (after sf_tables_build has numbered the
 * columns): the attribute models of /estimates (the fits in order) and per fit
 * title, table_column, first_column, is_iv, has_controls, fixed_effects,
 * cluster_dims, cluster_counts, boot_weights, boot_enumerated, boot_note,
 * med_B, subset, table_note. */
int sf_estimates_write_h5(hid_t file, sf_fit *const *fits, int nfits, sf_err *e);

/* Read the fits listed in the attribute models of /estimates of a results
 * file (malloc'ed; free each with sf_fit_free). Errors name the file. */
int sf_estimates_read(const char *path, sf_fit ***fits, int *nfits, sf_err *e);

#endif
