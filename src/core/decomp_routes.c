/* The five routes of the industrial transfer T for origin a and absorber b
 * (docs/methods.md section 6), one of them the focal region c. Each route is
 * computed from its own formula (none as a residual), so that their sum
 * against VBY[a-rows, b] is a real check:
 *   FIN      = v_a # (B^aa Y^ab)
 *   INT      = v_a # (L^aa A^ab BYd[b-rows, b])                 BYd[.,b] = B^.b Y^bb
 *   INTREX_b = v_a # (L^aa A^ab w),   w = BY[b,b] - BYd[b,b] - B^ba Y^ab  (= sum_{d in D} B^bd Y^db)
 *   INT_d    = v_a # (L^aa sum_{d in D} A^ad u_d),  u_d = BY[d,b] - BYd[d,b] - B^da Y^ab
 *                                                   (= sum_{p in D} B^dp Y^pb)
 *   INTREX_d = v_a # (L^aa sum_{d in D} A^ad BYd[d-rows, b])
 * with D = regions other than a and b. The blocks B^ba and B^da come from the
 * focal block column when a = c (B^.c), from the focal block row when b = c
 * (B^ca), and B^da Y^ac is then the product column BYc[d, a]. */
#include <stdlib.h>
#include <string.h>

#include "decomp_internal.h"

const char *const sf_route_names[SF_ROUTE_N] = {"FIN", "INT", "INTREX_b", "INT_d", "INTREX_d"};

enum { R_FIN, R_INT, R_INTREX_B, R_INT_D, R_INTREX_D };

int sf_routes(const sf_labels *lab, const sf_table *t, const sf_derived *d, const sf_products *p, int a, int b,
              double *out, sf_err *e)
{
    const int n = lab->n, G = lab->G, c = p->focal;
    const size_t N = (size_t)n;
    const int *rs = lab->region_start;
    if (c < 0 || p->nrhs < 4 * G + 1 || !p->Bfrow || !p->Bfcol)
        return sf_fail(e, SF_EINTERNAL, "sf_routes: the products were computed without a focal region");
    if (a < 0 || a >= G || b < 0 || b >= G || a == b || (a != c && b != c))
        return sf_fail(e, SF_EINTERNAL, "sf_routes: bad region pair (%d, %d) for focal region %d", a, b, c);
    const int a0 = rs[a], na = rs[a + 1] - a0, c0 = rs[c], nc = rs[c + 1] - c0;
    if (na == 0) return SF_OK;
    double *invx = sf_decomp_invx(d);
    double *L = sf_malloc((size_t)na * na * sizeof(double));
    int rc = sf_decomp_local_inverse(lab, t, invx, a, L, e);
    if (rc != SF_OK) {
        free(invx);
        free(L);
        return rc;
    }
    /* Y^{ab} and Y^{cb} as contiguous vectors (columns of the row-major Y) */
    double *yab = sf_malloc((size_t)na * sizeof(double)), *ycb = sf_malloc((size_t)nc * sizeof(double));
    for (int i = 0; i < na; i++) yab[i] = d->Y[(size_t)(a0 + i) * G + b];
    for (int i = 0; i < nc; i++) ycb[i] = d->Y[(size_t)(c0 + i) * G + b];
    /* (B^{ja} Y^{ab}) for every row j outside a: the "a-origin" part of BY[j, b] */
    double *bay = sf_calloc(N, sizeof(double));
    for (int j = 0; j < n; j++) {
        const int g = lab->sector_region[j];
        if (g == a) continue;
        double s = 0;
        if (a == c) {
            const double *bc = p->Bfcol + (size_t)j * nc; /* B[j, c-block] */
            for (int i = 0; i < nc; i++) s += bc[i] * ycb[i];
        } else if (g == b) {
            /* b = c: B^{ca} from the focal block row */
            const double *br = p->Bfrow + (size_t)(j - c0) * N + a0;
            for (int i = 0; i < na; i++) s += br[i] * yab[i];
        } else {
            s = SF_BYC(p, j, a); /* b = c: (B^{da} Y^{ac})_j */
        }
        bay[j] = s;
    }
    /* the two vectors the routes need beyond a's rows, gathered contiguously:
     * byd_j = BYd[j, b] and rest_j = BY[j, b] - BYd[j, b] - (B^{ja} Y^{ab})_j */
    double *byd = sf_calloc(N, sizeof(double)), *rest = sf_calloc(N, sizeof(double));
    for (int j = 0; j < n; j++) {
        if (lab->sector_region[j] == a) continue;
        byd[j] = SF_BYD(p, j, b);
        rest[j] = SF_BY(p, j, b) - byd[j] - bay[j];
    }
    /* y[route][i] for i in a: A^{a.} times the route's vector, before L^aa */
    double *y = sf_calloc((size_t)4 * na, sizeof(double));
    const int b0 = rs[b], b1 = rs[b + 1];
    const int lo0 = a < b ? a0 : b0, lo1 = a < b ? rs[a + 1] : b1, hi0 = a < b ? b0 : a0,
              hi1 = a < b ? b1 : rs[a + 1];
    const int dr[3][2] = {{0, lo0}, {lo1, hi0}, {hi1, n}};
    for (int i = 0; i < na; i++) {
        const double *z = t->Z + (size_t)(a0 + i) * N;
        double yint = 0, yrexb = 0, yintd = 0, yrexd = 0;
        for (int j = b0; j < b1; j++) { /* j in b */
            const double aij = z[j] * invx[j];
            yint += aij * byd[j];
            yrexb += aij * rest[j];
        }
        for (int q = 0; q < 3; q++) { /* j in D: the ranges around a's and b's blocks, in order */
            for (int j = dr[q][0]; j < dr[q][1]; j++) {
                const double aij = z[j] * invx[j];
                yintd += aij * rest[j];
                yrexd += aij * byd[j];
            }
        }
        y[0 * na + i] = yint;
        y[1 * na + i] = yrexb;
        y[2 * na + i] = yintd;
        y[3 * na + i] = yrexd;
    }
    const double *Baa = p->Bdiag + p->dstart[a];
    for (int k = 0; k < na; k++) {
        const double vk = d->v[a0 + k];
        const double *Lk = L + (size_t)k * na, *Bk = Baa + (size_t)k * na;
        double fin = 0, l[4] = {0, 0, 0, 0};
        for (int i = 0; i < na; i++) {
            fin += Bk[i] * yab[i];
            for (int q = 0; q < 4; q++) l[q] += Lk[i] * y[q * na + i];
        }
        double *o = out + (size_t)k * SF_ROUTE_N;
        o[R_FIN] = vk * fin;
        o[R_INT] = vk * l[0];
        o[R_INTREX_B] = vk * l[1];
        o[R_INT_D] = vk * l[2];
        o[R_INTREX_D] = vk * l[3];
    }
    free(invx);
    free(L);
    free(bay);
    free(yab);
    free(ycb);
    free(byd);
    free(rest);
    free(y);
    return SF_OK;
}
