/* The right-hand sides handed to the distributed layer, the products it hands
 * back (sf_products), and a dense single-process reference that computes
 * exactly those products from a full B (tests, single-rank small runs). */
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "decomp_internal.h"

void sf_decomp_block_offsets(const sf_labels *lab, long *off)
{
    off[0] = 0;
    for (int g = 0; g < lab->G; g++) {
        long ng = lab->region_start[g + 1] - lab->region_start[g];
        off[g + 1] = off[g] + ng * ng;
    }
}

double *sf_decomp_invx(const sf_derived *d)
{
    double *invx = sf_malloc((size_t)d->n * sizeof(double));
    for (int j = 0; j < d->n; j++) invx[j] = d->zero[j] ? 0.0 : 1.0 / d->x[j];
    return invx;
}

int sf_decomp_local_inverse(const sf_labels *lab, const sf_table *t, const double *invx, int g, double *L,
                            sf_err *e)
{
    const int r0 = lab->region_start[g], m = lab->region_start[g + 1] - r0;
    const size_t n = (size_t)lab->n;
    if (m == 0) return SF_OK;
    for (int i = 0; i < m; i++) {
        const double *zr = t->Z + (size_t)(r0 + i) * n + r0;
        for (int j = 0; j < m; j++) L[(size_t)i * m + j] = (i == j) - zr[j] * invx[r0 + j];
    }
    lapack_int *ipiv = sf_malloc((size_t)m * sizeof(lapack_int));
    lapack_int info = LAPACKE_dgetrf(LAPACK_ROW_MAJOR, m, m, L, m, ipiv);
    if (info > 0) {
        free(ipiv);
        return sf_fail(e, SF_EINTERNAL,
                       "local Leontief block I - A^ss of region %s is singular: zero pivot at sector %s "
                       "(row %d of the table)",
                       lab->region_code[g], lab->sector_name ? lab->sector_name[r0 + info - 1] : "?",
                       r0 + (int)info);
    }
    if (info == 0) info = LAPACKE_dgetri(LAPACK_ROW_MAJOR, m, L, m, ipiv);
    free(ipiv);
    if (info != 0)
        return sf_fail(e, SF_EINTERNAL, "local Leontief inverse of region %s: LAPACK error %d",
                       lab->region_code[g], (int)info);
    for (int i = 0; i < m; i++)
        for (int j = 0; j < m; j++)
            if (!isfinite(L[(size_t)i * m + j]))
                return sf_fail(e, SF_EINTERNAL,
                               "local Leontief inverse of region %s is not finite at sector %s "
                               "(near-singular block)",
                               lab->region_code[g], lab->sector_name ? lab->sector_name[r0 + i] : "?");
    return SF_OK;
}

void sf_rhs_build(const sf_labels *lab, const sf_derived *d, int focal, sf_rhs *r)
{
    const int n = lab->n, G = lab->G;
    memset(r, 0, sizeof *r);
    r->n = n;
    r->G = G;
    r->focal = focal;
    r->nrhs = (focal >= 0 ? 4 * G : 3 * G) + 1;
    const size_t nr = (size_t)r->nrhs;
    r->rhs = sf_calloc((size_t)n * nr, sizeof(double));
    r->vind = sf_calloc((size_t)n * (size_t)G, sizeof(double));
    for (int j = 0; j < n; j++) {
        const int t = lab->sector_region[j];
        const double *y = d->Y + (size_t)j * G;
        double *row = r->rhs + (size_t)j * nr;
        double yo = 0;
        for (int u = 0; u < G; u++) {
            row[u] = y[u];
            if (u != t) yo += y[u];
        }
        row[G + t] = y[t];
        row[2 * G + t] = yo;
        if (focal >= 0) row[3 * G + t] = y[focal];
        row[nr - 1] = d->E[j];
        r->vind[(size_t)j * G + t] = d->v[j];
    }
}

void sf_rhs_free(sf_rhs *r)
{
    if (!r) return;
    free(r->rhs);
    free(r->vind);
    memset(r, 0, sizeof *r);
}

void sf_products_alloc(const sf_labels *lab, int focal, sf_products *p)
{
    const int n = lab->n, G = lab->G;
    memset(p, 0, sizeof *p);
    p->n = n;
    p->G = G;
    p->focal = focal;
    p->nrhs = (focal >= 0 ? 4 * G : 3 * G) + 1;
    p->BR = sf_calloc((size_t)n * (size_t)p->nrhs, sizeof(double));
    p->VBreg = sf_calloc((size_t)G * (size_t)n, sizeof(double));
    p->dstart = sf_malloc((size_t)(G + 1) * sizeof(long));
    sf_decomp_block_offsets(lab, p->dstart);
    p->Bdiag = sf_calloc((size_t)p->dstart[G] + 1, sizeof(double));
    if (focal >= 0) {
        const size_t nc = (size_t)(lab->region_start[focal + 1] - lab->region_start[focal]);
        p->Bfrow = sf_calloc(nc * (size_t)n + 1, sizeof(double));
        p->Bfcol = sf_calloc((size_t)n * nc + 1, sizeof(double));
    }
}

void sf_products_free(sf_products *p)
{
    if (!p) return;
    free(p->BR);
    free(p->VBreg);
    free(p->Bdiag);
    free(p->dstart);
    free(p->Bfrow);
    free(p->Bfcol);
    memset(p, 0, sizeof *p);
}

void sf_products_dense(const sf_labels *lab, const sf_derived *d, const double *B, int focal, sf_products *p)
{
    const int n = lab->n, G = lab->G;
    const size_t N = (size_t)n;
    sf_rhs r;
    sf_rhs_build(lab, d, focal, &r);
    sf_products_alloc(lab, focal, p);
    /* BR = B * rhs */
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, r.nrhs, n, 1.0, B, n, r.rhs, r.nrhs, 0.0, p->BR,
                r.nrhs);
    /* VBreg = Vind' B, i.e. row t = sum_{j in t} v_j B[j, :] (Vind is block sparse) */
    for (int j = 0; j < n; j++) {
        const double vj = r.vind[(size_t)j * G + lab->sector_region[j]];
        if (vj != 0) cblas_daxpy(n, vj, B + (size_t)j * N, 1, p->VBreg + (size_t)lab->sector_region[j] * N, 1);
    }
    for (int g = 0; g < G; g++) {
        const int r0 = lab->region_start[g], m = lab->region_start[g + 1] - r0;
        double *blk = p->Bdiag + p->dstart[g];
        for (int i = 0; i < m; i++) memcpy(blk + (size_t)i * m, B + (size_t)(r0 + i) * N + r0, (size_t)m * sizeof(double));
    }
    if (focal >= 0) {
        const int c0 = lab->region_start[focal], nc = lab->region_start[focal + 1] - c0;
        memcpy(p->Bfrow, B + (size_t)c0 * N, (size_t)nc * N * sizeof(double));
        for (int j = 0; j < n; j++)
            memcpy(p->Bfcol + (size_t)j * nc, B + (size_t)j * N + c0, (size_t)nc * sizeof(double));
    }
    sf_rhs_free(&r);
}
