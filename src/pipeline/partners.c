/* Partner regions of the model, from the [model] partners list file. */
#include <stdlib.h>
#include <string.h>

#include "silkflow/covariates.h"
#include "silkflow/pipeline.h"

int sf_partners_resolve(const sf_config *cfg, const sf_labels *lab, int focal, int **idx, int *n, sf_err *e)
{
    int *out = sf_malloc(sizeof(int) * (size_t)(lab->G ? lab->G : 1)), m = 0;
    if (!cfg->partners) {
        for (int g = 0; g < lab->G; g++) {
            if (g == focal) continue;
            /* Eora's one-sector statistical-discrepancy account is not a partner country */
            if (!strcmp(lab->region_code[g], "ROW") && lab->region_start[g + 1] - lab->region_start[g] == 1)
                continue;
            out[m++] = g;
        }
        *idx = out;
        *n = m;
        return SF_OK;
    }
    char **codes = NULL;
    int nc = 0;
    int rc = sf_partner_list_read(cfg->partners, &codes, &nc, e);
    if (rc) {
        free(out);
        return rc;
    }
    char absent[2048] = "";
    int nabsent = 0;
    for (int i = 0; i < nc; i++) {
        int g = sf_labels_region(lab, codes[i]);
        if (g < 0 || g == focal) {
            if (g < 0) {
                nabsent++;
                snprintf(absent + strlen(absent), sizeof absent - strlen(absent), "%s%s", *absent ? " " : "",
                         codes[i]);
            }
            continue;
        }
        int dup = 0;
        for (int k = 0; k < m; k++) dup |= out[k] == g;
        if (!dup) out[m++] = g;
    }
    if (nabsent)
        sf_warn("%s: %d partner%s not in the table, left out: %s", cfg->partners, nabsent, nabsent > 1 ? "s" : "",
                absent);
    sf_partner_list_free(codes, nc);
    if (m == 0) {
        free(out);
        return sf_fail(e, SF_EUSER, "%s: none of the %d partners is in the table", cfg->partners, nc);
    }
    sf_sort_int(out, (size_t)m);
    *idx = out;
    *n = m;
    return SF_OK;
}
