/* Label files of an MRIO release in the Eora26 layout: tab-separated lines
 * with a trailing tab, CRLF or LF:
 *   labels_T.txt   name, code, block, sector   (block: Industries or Commodities, same meaning)
 *   labels_FD.txt  name, code, block, category
 *   labels_VA.txt  block, item (the last field is the name)
 * The structure of the table comes from here and nowhere else: regions are
 * runs of the same code in labels_T, each region's sectors are numbered
 * 1..N_g, final-demand columns belong to the region named by their code. */
#include <stdlib.h>
#include <string.h>

#include "mrio_internal.h"

typedef struct {
    char **f;  /* fields, trimmed, trailing empty ones removed */
    int nf;
    long line; /* 1-based line in the file */
} lline;

typedef struct {
    char *text;
    lline *l;
    int n;
    char *display;
} lfile;

static void lfile_free(lfile *lf)
{
    for (int i = 0; i < lf->n; i++) free(lf->l[i].f);
    free(lf->l);
    free(lf->text);
    free(lf->display);
    memset(lf, 0, sizeof *lf);
}

static int is_blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r') return 0;
    return 1;
}

/* Split the text in place into lines and fields. Blank lines are allowed at
 * the end only: inside the file they would shift every later label. */
static int lfile_split(lfile *lf, sf_err *e)
{
    char *s = lf->text;
    if (!strncmp(s, "\xEF\xBB\xBF", 3)) s += 3; /* UTF-8 byte order mark */
    long line = 0, blank_at = 0;
    int cap = 0;
    while (*s) {
        char *nl = strchr(s, '\n');
        char *next = nl ? nl + 1 : s + strlen(s);
        if (nl) *nl = '\0';
        line++;
        if (is_blank(s)) {
            if (!blank_at) blank_at = line;
            s = next;
            continue;
        }
        if (blank_at)
            return sf_fail(e, SF_EUSER, "%s: line %ld: blank line inside the label file (labels continue at line %ld)",
                           lf->display, blank_at, line);
        lline L = {NULL, 0, line};
        int fcap = 0;
        for (char *f = s;;) {
            char *tab = strchr(f, '\t');
            if (tab) *tab = '\0';
            if (L.nf == fcap) L.f = sf_realloc(L.f, sizeof(char *) * (size_t)(fcap = fcap ? 2 * fcap : 8));
            L.f[L.nf++] = sf_trim(f);
            if (!tab) break;
            f = tab + 1;
        }
        while (L.nf > 0 && !*L.f[L.nf - 1]) L.nf--;
        if (lf->n == cap) lf->l = sf_realloc(lf->l, sizeof(lline) * (size_t)(cap = cap ? 2 * cap : 256));
        lf->l[lf->n++] = L;
        s = next;
    }
    return SF_OK;
}

static int lfile_load(mrio_ctx *c, const char *name, lfile *lf, sf_err *e)
{
    memset(lf, 0, sizeof *lf);
    mrio_ref r;
    int rc = mrio_find_label(c, name, &r, e);
    if (rc) return rc;
    size_t len;
    lf->display = sf_strdup(r.display);
    lf->text = mrio_ref_slurp(&r, &len, e);
    mrio_ref_free(&r);
    if (!lf->text) return SF_EUSER;
    if (strlen(lf->text) != len)
        return sf_fail(e, SF_EUSER, "%s: not a text file (NUL byte at offset %zu)", lf->display, strlen(lf->text));
    return lfile_split(lf, e);
}

static sf_labels *labels_alloc(int G, int n, int nfd, int nva)
{
    sf_labels *L = sf_calloc(1, sizeof *L);
    L->G = G;
    L->n = n;
    L->nfd = nfd;
    L->nva = nva;
    L->region_code = sf_calloc((size_t)G + 1, sizeof(char *));
    L->region_code_raw = sf_calloc((size_t)G + 1, sizeof(char *));
    L->region_name = sf_calloc((size_t)G + 1, sizeof(char *));
    L->region_start = sf_calloc((size_t)G + 1, sizeof(int));
    L->sector_region = sf_calloc((size_t)n + 1, sizeof(int));
    L->sector_industry = sf_calloc((size_t)n + 1, sizeof(int));
    L->sector_name = sf_calloc((size_t)n + 1, sizeof(char *));
    L->fd_region = sf_calloc((size_t)nfd + 1, sizeof(int));
    L->fd_name = sf_calloc((size_t)nfd + 1, sizeof(char *));
    L->va_name = sf_calloc((size_t)nva + 1, sizeof(char *));
    return L;
}

static void labels_finish(sf_labels *L)
{
    L->max_sectors = 0;
    L->homogeneous = 1;
    for (int g = 0; g < L->G; g++) {
        int ng = L->region_start[g + 1] - L->region_start[g];
        if (ng > L->max_sectors) L->max_sectors = ng;
        if (ng != L->region_start[1] - L->region_start[0]) L->homogeneous = 0;
    }
}

static int build(const lfile *T, const lfile *FD, const lfile *VA, sf_labels **out, sf_err *e)
{
    *out = NULL;
    if (T->n == 0) return sf_fail(e, SF_EUSER, "%s: no sectors (empty label file)", T->display);
    for (int i = 0; i < T->n; i++)
        if (T->l[i].nf < 4 || !*T->l[i].f[1])
            return sf_fail(e, SF_EUSER,
                           "%s: line %ld: expected 4 tab-separated fields (name, region code, block, sector), found %d",
                           T->display, T->l[i].line, T->l[i].nf);
    for (int i = 0; i < FD->n; i++)
        if (FD->l[i].nf < 4 || !*FD->l[i].f[1])
            return sf_fail(e, SF_EUSER,
                           "%s: line %ld: expected 4 tab-separated fields (name, region code, block, category), found %d",
                           FD->display, FD->l[i].line, FD->l[i].nf);
    /* regions: runs of the same code */
    int G = 0;
    for (int i = 0; i < T->n; i++)
        if (i == 0 || strcmp(T->l[i].f[1], T->l[i - 1].f[1])) G++;
    sf_labels *L = labels_alloc(G, T->n, FD->n, VA->n);
    long *first_line = sf_calloc((size_t)G, sizeof(long)), *last_line = sf_calloc((size_t)G, sizeof(long));
    int g = -1, rc = SF_OK;
    for (int i = 0; i < T->n && !rc; i++) {
        const lline *l = &T->l[i];
        const char *code = l->f[1];
        if (i == 0 || strcmp(code, T->l[i - 1].f[1])) {
            const char *alias = sf_alias(code);
            for (int h = 0; h <= g; h++) {
                if (!strcmp(L->region_code_raw[h], code)) {
                    rc = sf_fail(e, SF_EUSER,
                                 "%s: line %ld: region %s appears again after other regions (its sectors at lines "
                                 "%ld-%ld); a region's sectors must be consecutive",
                                 T->display, l->line, code, first_line[h], last_line[h]);
                    break;
                }
                if (!strcmp(L->region_code[h], alias)) {
                    rc = sf_fail(e, SF_EUSER, "%s: line %ld: region code %s means %s after aliasing, like %s at line %ld",
                                 T->display, l->line, code, alias, L->region_code_raw[h], first_line[h]);
                    break;
                }
            }
            if (rc) break;
            g++;
            L->region_code_raw[g] = sf_strdup(code);
            L->region_code[g] = sf_strdup(alias);
            L->region_name[g] = sf_strdup(l->f[0]);
            L->region_start[g] = i;
            first_line[g] = l->line;
        }
        /* a region whose sector list starts over: two regions with the same code next to each other */
        const lline *l0 = &T->l[L->region_start[g]];
        if (i > L->region_start[g] && !strcmp(l->f[3], l0->f[3]) && !strcmp(l->f[2], l0->f[2])) {
            rc = sf_fail(e, SF_EUSER,
                         "%s: line %ld: region %s lists its first sector '%s' again (first at line %ld): two "
                         "regions with the same code?", T->display, l->line, code, l->f[3], l0->line);
            break;
        }
        last_line[g] = l->line;
        L->sector_region[i] = g;
        L->sector_industry[i] = i - L->region_start[g] + 1;
        L->sector_name[i] = sf_strdup(l->f[3]);
    }
    free(first_line);
    free(last_line);
    if (rc) {
        sf_labels_free(L);
        return rc;
    }
    L->region_start[G] = T->n;
    for (int f = 0; f < FD->n; f++) {
        const lline *l = &FD->l[f];
        int r = -1;
        for (int h = 0; h < G && r < 0; h++)
            if (!strcmp(L->region_code_raw[h], l->f[1])) r = h;
        const char *alias = sf_alias(l->f[1]);
        for (int h = 0; h < G && r < 0; h++)
            if (!strcmp(L->region_code[h], alias)) r = h;
        if (r < 0) {
            rc = sf_fail(e, SF_EUSER, "%s: line %ld: region code '%s' of a final-demand column is not a region of %s",
                         FD->display, l->line, l->f[1], T->display);
            sf_labels_free(L);
            return rc;
        }
        L->fd_region[f] = r;
        L->fd_name[f] = sf_strdup(l->f[3]);
    }
    for (int q = 0; q < VA->n; q++) L->va_name[q] = sf_strdup(VA->l[q].f[VA->l[q].nf - 1]);
    labels_finish(L);
    *out = L;
    return SF_OK;
}

int mrio_labels_load(mrio_ctx *c, sf_labels **raw, sf_err *e)
{
    lfile T, FD, VA;
    memset(&FD, 0, sizeof FD);
    memset(&VA, 0, sizeof VA);
    int rc = lfile_load(c, "labels_T.txt", &T, e);
    if (!rc) rc = lfile_load(c, "labels_FD.txt", &FD, e);
    if (!rc) rc = lfile_load(c, "labels_VA.txt", &VA, e);
    if (!rc) rc = build(&T, &FD, &VA, raw, e);
    lfile_free(&T);
    lfile_free(&FD);
    lfile_free(&VA);
    return rc;
}

sf_labels *mrio_labels_drop_row(const sf_labels *raw, int **row_map, int **fd_map)
{
    *row_map = NULL;
    *fd_map = NULL;
    int d = -1;
    for (int g = 0; g < raw->G && d < 0; g++)
        if (!strcmp(raw->region_code[g], "ROW")) d = g;
    if (d < 0) return NULL;
    int nd = raw->region_start[d + 1] - raw->region_start[d], nfd_d = 0;
    for (int f = 0; f < raw->nfd; f++) nfd_d += raw->fd_region[f] == d;
    sf_labels *L = labels_alloc(raw->G - 1, raw->n - nd, raw->nfd - nfd_d, raw->nva);
    int *rm = sf_malloc(sizeof(int) * (size_t)(raw->n + 1)), *fm = sf_malloc(sizeof(int) * (size_t)(raw->nfd + 1));
    for (int g = 0, h = 0; g < raw->G; g++) {
        if (g == d) continue;
        L->region_code[h] = sf_strdup(raw->region_code[g]);
        L->region_code_raw[h] = sf_strdup(raw->region_code_raw[g]);
        L->region_name[h] = sf_strdup(raw->region_name[g]);
        L->region_start[h] = raw->region_start[g] - (g > d ? nd : 0);
        h++;
    }
    L->region_start[L->G] = L->n;
    for (int i = 0, k = 0; i < raw->n; i++) {
        int g = raw->sector_region[i];
        if (g == d) {
            rm[i] = -1;
            continue;
        }
        rm[i] = k;
        L->sector_region[k] = g > d ? g - 1 : g;
        L->sector_industry[k] = raw->sector_industry[i];
        L->sector_name[k] = sf_strdup(raw->sector_name[i]);
        k++;
    }
    for (int f = 0, k = 0; f < raw->nfd; f++) {
        int g = raw->fd_region[f];
        if (g == d) {
            fm[f] = -1;
            continue;
        }
        fm[f] = k;
        L->fd_region[k] = g > d ? g - 1 : g;
        L->fd_name[k] = sf_strdup(raw->fd_name[f]);
        k++;
    }
    for (int q = 0; q < raw->nva; q++) L->va_name[q] = sf_strdup(raw->va_name[q]);
    L->row_dropped = 1;
    labels_finish(L);
    *row_map = rm;
    *fd_map = fm;
    return L;
}
