/* silkflow tables: the regression tables re-rendered from /estimates of a
 * results file, without estimating again (docs/output.md "Regression
 * tables"), by the renderer the estimation stage uses (tables.c). */
#include <stdlib.h>
#include <string.h>

#include "silkflow/stats_h5.h"
#include "silkflow/tables.h"

int sf_tables_from_results(const char *results, const char *models, const char *out_dir, int print, int *ntables,
                           sf_err *e)
{
    sf_fit **fits = NULL;
    int nfits = 0, rc;
    sf_models m;
    memset(&m, 0, sizeof m);
    sf_table_style_default(&m.style);
    if (models && (rc = sf_models_parse(models, &m, e))) return rc;
    rc = sf_estimates_read(results, &fits, &nfits, e);
    if (!rc && nfits == 0) rc = sf_fail(e, SF_EUSER, "%s: /estimates lists no models", results);
    if (!rc) {
        sf_regtable *tabs;
        int nt;
        sf_tables_build_styled(fits, nfits, &m.style, &tabs, &nt);
        if (print) {
            for (int q = 0; q < nt; q++) sf_table_write(stdout, &tabs[q], SF_TAB_TXT);
            fflush(stdout);
        }
        if (out_dir) rc = sf_tables_write_dir(out_dir, tabs, nt, e);
        if (ntables) *ntables = nt;
        sf_tables_free(tabs, nt);
    }
    for (int i = 0; i < nfits; i++) sf_fit_free(fits[i]);
    free(fits);
    sf_models_free(&m);
    return rc;
}
