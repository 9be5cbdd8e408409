/* Tables in memory: labels helpers, derived quantities (docs/methods.md section 1)
 * and the per-year validation report. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "silkflow/mrio.h"

static void free_strs(char **s, int n)
{
    if (!s) return;
    for (int i = 0; i < n; i++) free(s[i]);
    free(s);
}

void sf_labels_free(sf_labels *lab)
{
    if (!lab) return;
    free_strs(lab->region_code, lab->G);
    free_strs(lab->region_code_raw, lab->G);
    free_strs(lab->region_name, lab->G);
    free(lab->region_start);
    free(lab->sector_region);
    free(lab->sector_industry);
    free_strs(lab->sector_name, lab->n);
    free(lab->fd_region);
    free_strs(lab->fd_name, lab->nfd);
    free_strs(lab->va_name, lab->nva);
    free(lab);
}

int sf_labels_equal(const sf_labels *a, const sf_labels *b)
{
    if (a->G != b->G || a->n != b->n || a->nfd != b->nfd || a->nva != b->nva) return 0;
    for (int g = 0; g < a->G; g++)
        if (strcmp(a->region_code[g], b->region_code[g]) || a->region_start[g + 1] != b->region_start[g + 1])
            return 0;
    for (int f = 0; f < a->nfd; f++)
        if (a->fd_region[f] != b->fd_region[f]) return 0;
    return 1;
}

int sf_labels_region(const sf_labels *lab, const char *code)
{
    const char *c = sf_alias(code);
    for (int g = 0; g < lab->G; g++)
        if (!strcmp(lab->region_code[g], c) || sf_streq_nocase(lab->region_code[g], c)) return g;
    return -1;
}

void sf_table_free(sf_table *t)
{
    if (!t) return;
    sf_big_free(t->Z);
    free(t->F);
    free(t->W);
    free_strs(t->input_files, t->ninput);
    free_strs(t->input_sha256, t->ninput);
    memset(t, 0, sizeof *t);
}

void sf_derive(const sf_table *t, sf_va_source vas, double eps_rel, sf_derived *d)
{
    const sf_labels *lab = t->lab;
    const int n = lab->n, G = lab->G, nfd = lab->nfd;
    const size_t N = (size_t)n;
    memset(d, 0, sizeof *d);
    d->n = n;
    d->G = G;
    d->Y = sf_calloc(N * (size_t)G, sizeof(double));
    d->x = sf_calloc(N, sizeof(double));
    d->xcol = sf_calloc(N, sizeof(double));
    d->va = sf_calloc(N, sizeof(double));
    d->v = sf_calloc(N, sizeof(double));
    d->E = sf_calloc(N, sizeof(double));
    d->zero = sf_calloc(N, 1);
    d->zcol = sf_calloc(N, sizeof(double));
    d->zreg = sf_malloc(sizeof(double) * N * (size_t)G);
    double *zcol = d->zcol;
    long negz = 0, negf = 0;
    for (int i = 0; i < n; i++) {
        const double *zr = t->Z + (size_t)i * N;
        const double *fr = t->F + (size_t)i * (size_t)nfd;
        double *yr = d->Y + (size_t)i * (size_t)G, *zg = d->zreg + (size_t)i * (size_t)G;
        const int s = lab->sector_region[i];
        double rz = 0, rexp = 0;
        for (int g = 0; g < G; g++) {
            double sg = 0;
            const int j0 = lab->region_start[g], j1 = lab->region_start[g + 1];
            for (int j = j0; j < j1; j++) {
                sg += zr[j];
                zcol[j] += zr[j];
                negz += zr[j] < 0;
            }
            zg[g] = sg;
            rz += sg;
            if (g != s) rexp += sg;
        }
        for (int f = 0; f < nfd; f++) {
            yr[lab->fd_region[f]] += fr[f];
            negf += fr[f] < 0;
        }
        double ry = 0;
        for (int g = 0; g < G; g++) {
            ry += yr[g];
            if (g != s) rexp += yr[g];
        }
        d->x[i] = rz + ry;
        d->E[i] = rexp;
    }
    double *wcol = sf_calloc(N, sizeof(double));
    for (int q = 0; q < lab->nva; q++)
        for (int j = 0; j < n; j++) wcol[j] += t->W[(size_t)q * N + (size_t)j];
    double xmax = 0;
    for (int j = 0; j < n; j++) xmax = fmax(xmax, fabs(d->x[j]));
    d->eps_x = eps_rel * xmax;
    for (int j = 0; j < n; j++) {
        d->xcol[j] = zcol[j] + wcol[j];
        d->va[j] = vas == SF_VA_TABLE ? wcol[j] : d->x[j] - zcol[j];
        if (fabs(d->x[j]) <= d->eps_x) {
            d->zero[j] = 1;
            d->v[j] = 0;
        } else {
            d->v[j] = d->va[j] / d->x[j];
        }
    }
    d->n_negative_z = negz;
    d->n_negative_fd = negf;
    free(wcol);
}

void sf_derived_free(sf_derived *d)
{
    if (!d) return;
    free(d->Y);
    free(d->x);
    free(d->xcol);
    free(d->va);
    free(d->v);
    free(d->E);
    free(d->zero);
    free(d->zcol);
    free(d->zreg);
    memset(d, 0, sizeof *d);
}

void sf_validate(const sf_table *t, const sf_derived *d, sf_validation *v)
{
    const sf_labels *lab = t->lab;
    const int n = lab->n;
    memset(v, 0, sizeof *v);
    v->year = t->year;
    v->imbalance_sector = -1;
    v->max_colsum_sector = -1;
    double dsum = 0, xsum = 0;
    for (int j = 0; j < n; j++) {
        dsum += fabs(d->x[j] - d->xcol[j]);
        xsum += fabs(d->x[j]);
        if (d->zero[j] && d->E[j] != 0) v->n_zero_output_exporting++;
        double imb = fabs(d->x[j] - d->xcol[j]) / fmax(fabs(d->x[j]), 1.0);
        if (imb > v->max_imbalance) {
            v->max_imbalance = imb;
            v->imbalance_sector = j;
        }
        if (d->zero[j]) v->n_zero_output++;
        else if (d->x[j] < 0) v->n_negative_output++;
        if (d->va[j] < 0) v->n_negative_va++;
    }
    v->imbalance_total = xsum > 0 ? dsum / xsum : 0;
    v->n_negative_z = d->n_negative_z;
    v->n_negative_fd = d->n_negative_fd;
    const double *cs = d->zcol; /* Z'1, from sf_derive's pass over Z */
    for (int j = 0; j < n; j++) {
        if (d->zero[j]) {
            if (cs[j] != 0) v->n_zero_output_inputs++;
            continue;
        }
        double c = cs[j] / d->x[j];
        if (c > v->max_colsum || v->max_colsum_sector < 0) {
            v->max_colsum = c;
            v->max_colsum_sector = j;
        }
        if (c >= 1) v->n_colsum_ge1++;
    }
}

void sf_exports_bilateral(const sf_table *t, const sf_derived *d, double *out)
{
    const sf_labels *lab = t->lab;
    const int n = lab->n, G = lab->G;
    for (int k = 0; k < n; k++) {
        const double *zg = d->zreg + (size_t)k * (size_t)G, *yk = d->Y + (size_t)k * (size_t)G;
        double *o = out + (size_t)k * (size_t)G;
        const int s = lab->sector_region[k];
        for (int r = 0; r < G; r++) o[r] = r == s ? 0 : zg[r] + yk[r];
    }
}
