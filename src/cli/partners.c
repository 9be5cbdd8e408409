/* Partner regions of the model, from the [model] partners list file. */
#include <stdlib.h>
#include <string.h>

#include "silkflow/pipeline.h"

/* Partner list files: one code per line, '#' comments, blank lines. */
static int read_codes(const char *path, char ***codes, int *n, sf_err *e)
{
    size_t len;
    char *text = sf_read_file(path, &len, e);
    if (!text) return SF_EUSER;
    int cap = 64, m = 0, line = 0, rc = SF_OK;
    char **v = sf_malloc(sizeof(char *) * (size_t)cap);
    char *save = NULL;
    for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        line++;
        char *h = strchr(l, '#');
        if (h) *h = '\0';
        char *s = sf_trim(l);
        if (!*s) continue;
        size_t k = strlen(s);
        int ok = k >= 2 && k <= 8;
        for (size_t i = 0; i < k && ok; i++)
            ok = (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9');
        if (!ok) {
            rc = sf_fail(e, SF_EUSER, "%s: line %d: '%s' is not a region code (ISO3 letters, one per line)", path,
                         line, s);
            break;
        }
        if (m == cap) v = sf_realloc(v, sizeof(char *) * (size_t)(cap *= 2));
        v[m++] = sf_strdup(s);
    }
    free(text);
    if (rc) {
        for (int i = 0; i < m; i++) free(v[i]);
        free(v);
        return rc;
    }
    *codes = v;
    *n = m;
    return SF_OK;
}

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
    int rc = read_codes(cfg->partners, &codes, &nc, e);
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
    for (int i = 0; i < nc; i++) free(codes[i]);
    free(codes);
    if (m == 0) {
        free(out);
        return sf_fail(e, SF_EUSER, "%s: none of the %d partners is in the table", cfg->partners, nc);
    }
    sf_sort_int(out, (size_t)m);
    *idx = out;
    *n = m;
    return SF_OK;
}
