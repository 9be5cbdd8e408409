/* silkflow: sector -> common industry concordance, for indicators that
 * compare "the same industry" across regions whose classifications differ
 * (full Eora: each country's own sectors; WIOD 35 -> Eora26 26).
 *
 * File format (CSV, '#' comments, a header line):
 *   region,sector,industry[,industry_name]
 *   *,3,4,Food & Beverages      every region's sector 3 -> industry 4
 *   USA,17,12,...               a region-specific line overrides the '*' lines
 *   ROW,1,0,                    industry 0: left out of industry-level indicators
 * sector is 1-based within the region; several sectors may map to one
 * industry (the indicators then aggregate them, docs/methods.md). */
#ifndef SILKFLOW_CONCORDANCE_H
#define SILKFLOW_CONCORDANCE_H

#include "silkflow/mrio.h"

/* ind_of[k] (n entries) = common industry of sector k, 0 = unmapped. Errors
 * (SF_EUSER) name the file and line. Region codes absent from the table are
 * reported in one warning; sectors of the regions in must_map[0..nmust) that
 * no line maps are an error. */
int sf_concordance_load(const char *path, const sf_labels *lab, const int *must_map, int nmust, int *ind_of,
                        sf_err *e);
/* Identity: the sector's index within its region. */
void sf_concordance_identity(const sf_labels *lab, int *ind_of);

#endif
