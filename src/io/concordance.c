/* Sector -> common industry concordance files (include/silkflow/concordance.h). */
#include "silkflow/concordance.h"

#include <stdlib.h>
#include <string.h>

void sf_concordance_identity(const sf_labels *lab, int *ind_of)
{
    for (int k = 0; k < lab->n; k++) ind_of[k] = lab->sector_industry[k];
}

typedef struct {
    int g;        /* region index, -1 = '*' */
    int sector;   /* 1-based */
    int industry; /* 0 = left out */
    int line;
} centry;

static int split_csv(char *s, char **f, int max)
{
    int n = 0;
    for (char *p = s;;) {
        if (n == max) return n + 1;
        char *c = strchr(p, ',');
        if (c) *c = '\0';
        f[n++] = sf_trim(p);
        if (!c) break;
        p = c + 1;
    }
    return n;
}

int sf_concordance_load(const char *path, const sf_labels *lab, const int *must_map, int nmust, int *ind_of,
                        sf_err *e)
{
    size_t len;
    char *text = sf_read_file(path, &len, e);
    if (!text) return SF_EUSER;
    int cap = 256, m = 0, line = 0, header = 0, rc = SF_OK;
    centry *v = sf_malloc(sizeof(centry) * (size_t)cap);
    char unknown[1024] = "";
    int nunknown = 0;
    char *save = NULL;
    for (char *l = strtok_r(text, "\n", &save); l && rc == SF_OK; l = strtok_r(NULL, "\n", &save)) {
        line++;
        char *h = strchr(l, '#');
        if (h) *h = '\0';
        char *s = sf_trim(l);
        if (!*s) continue;
        char *f[5];
        int nf = split_csv(s, f, 4);
        if (!header) {
            if (nf < 3 || !sf_streq_nocase(f[0], "region") || !sf_streq_nocase(f[1], "sector") ||
                !sf_streq_nocase(f[2], "industry"))
                rc = sf_fail(e, SF_EUSER, "%s: line %d: expected the header region,sector,industry[,industry_name]",
                             path, line);
            header = 1;
            continue;
        }
        if (nf < 3 || nf > 4) {
            rc = sf_fail(e, SF_EUSER, "%s: line %d: expected region,sector,industry[,industry_name] (%d fields)", path,
                         line, nf);
            break;
        }
        long sec, ind;
        if (sf_parse_int(f[1], &sec) || sec < 1 || sec > 1000000) {
            rc = sf_fail(e, SF_EUSER, "%s: line %d: sector '%s' is not a positive integer", path, line, f[1]);
            break;
        }
        if (sf_parse_int(f[2], &ind) || ind < 0 || ind > 1000000) {
            rc = sf_fail(e, SF_EUSER, "%s: line %d: industry '%s' is not a non-negative integer", path, line, f[2]);
            break;
        }
        int g = -1;
        if (strcmp(f[0], "*")) {
            g = sf_labels_region(lab, f[0]);
            if (g < 0) {
                if (!strstr(unknown, f[0]) && nunknown < 40) {
                    snprintf(unknown + strlen(unknown), sizeof unknown - strlen(unknown), "%s%s", *unknown ? " " : "",
                             f[0]);
                    nunknown++;
                }
                continue;
            }
            const int Ng = lab->region_start[g + 1] - lab->region_start[g];
            if (sec > Ng) {
                rc = sf_fail(e, SF_EUSER, "%s: line %d: region %s has %d sectors, not %ld", path, line, f[0], Ng, sec);
                break;
            }
        }
        for (int q = 0; q < m; q++)
            if (v[q].g == g && v[q].sector == sec) {
                rc = sf_fail(e, SF_EUSER, "%s: line %d: sector %ld of %s is already mapped on line %d", path, line, sec,
                             f[0], v[q].line);
                break;
            }
        if (rc) break;
        if (m == cap) v = sf_realloc(v, sizeof(centry) * (size_t)(cap *= 2));
        v[m++] = (centry){g, (int)sec, (int)ind, line};
    }
    free(text);
    if (rc == SF_OK && !header) rc = sf_fail(e, SF_EUSER, "%s: empty concordance (no header line)", path);
    if (rc == SF_OK) {
        for (int k = 0; k < lab->n; k++) {
            const int g = lab->sector_region[k], sec = lab->sector_industry[k];
            int star = -1, spec = -1;
            for (int q = 0; q < m; q++) {
                if (v[q].sector != sec) continue;
                if (v[q].g == g) spec = v[q].industry;
                if (v[q].g < 0) star = v[q].industry;
            }
            ind_of[k] = spec >= 0 ? spec : star >= 0 ? star : -1;
        }
        for (int i = 0; i < nmust && rc == SF_OK; i++) {
            const int g = must_map[i];
            for (int k = lab->region_start[g]; k < lab->region_start[g + 1]; k++)
                if (ind_of[k] < 0) {
                    rc = sf_fail(e, SF_EUSER, "%s: sector %d ('%s') of %s is not mapped to an industry (add a line "
                                 "%s,%d,<industry> or *,%d,<industry>)", path, lab->sector_industry[k],
                                 lab->sector_name ? lab->sector_name[k] : "", lab->region_code[g], lab->region_code[g],
                                 lab->sector_industry[k], lab->sector_industry[k]);
                    break;
                }
        }
        for (int k = 0; k < lab->n; k++)
            if (ind_of[k] < 0) ind_of[k] = 0;
    }
    if (rc == SF_OK && nunknown)
        sf_warn("%s: region codes not in the table, their lines ignored: %s", path, unknown);
    free(v);
    return rc;
}
