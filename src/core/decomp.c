/* WWZ decomposition of bilateral gross exports, Leontief products and the
 * sector indicators (docs/methods.md sections 2-6), assembled from the products of
 * B that the distributed layer computes (sf_products). Only B costs O(n^3);
 * everything here is O(n^2) (one pass over Z) plus O(sum_g N_g^3) for the
 * local inverses.
 *
 * How each term reduces to the products. For exporter s, importer r, exporting
 * sector k in s, j over r's sectors, a_kj = Z_kj / x_j, VL = V^s L^ss,
 * VBs = VBreg[s,k], VBr = VBreg[r,k], oth = sum_{t != s} VBreg[t,k] - VBr,
 * BrrY[j,u] = (B^rr Y^ru)_j (from the diagonal blocks), and for j in r:
 *   BYd[j,t] = (B^rt Y^tt)_j, BYo[j,t] = (B^rt sum_{u!=t} Y^tu)_j, BY[j,t] = (B^r. Y^.t)_j:
 *   T1  = VBs Y_kr                T11 = VBr Y_kr         T12 = oth Y_kr
 *   T2  = VL_k sum_j a_kj BYd[j,r]
 *   T3  = VL_k sum_j a_kj (sum_{t!=r} BYd[j,t] - BYd[j,s])
 *   T4  = VL_k sum_j a_kj (BYo[j,r] - BrrY[j,s])
 *   T5  = VL_k sum_j a_kj (sum_{t!=r} BYo[j,t] - BYo[j,s] - BY[j,s] + BYd[j,s] + BrrY[j,s])
 *   T6  = VL_k sum_j a_kj BrrY[j,s]
 *   T7  = VL_k sum_j a_kj (BY[j,s] - BYd[j,s] - BrrY[j,s])
 *   T8  = VL_k sum_j a_kj BYd[j,s]          T9 = VL_k sum_j a_kj BYo[j,s]
 *   T10 = (VBs - VL_k) sum_j a_kj x_j
 *   T13 = VBr sum_j a_kj (L^rr Y^rr)_j      T14 = oth * the same sum
 *   T15 = VBr sum_j a_kj (L^rr E^r)_j       T16 = oth * the same sum
 * (T5: sum_{t!=s,r} B^rt sum_{u!=s,t} Y^tu = sum_{t!=s,r} B^rt Yo^t - sum_{t!=s,r} B^rt Y^ts,
 *  and the second sum is BY[.,s] minus its t = s and t = r parts.)
 * So for exporter s every term is a dot product of the row a_k. restricted to
 * r's columns with one of 11 vectors over j (the "term columns" W below); W is
 * rebuilt once per exporter and one pass over row k of Z yields all terms for
 * all importers. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "decomp_internal.h"

const char *const sf_wwz_names[SF_WWZ_NTERMS] = {
    "DVA_FIN", "DVA_INT", "DVA_INTrexI1", "DVA_INTrexF", "DVA_INTrexI2", "RDV_FIN", "RDV_FIN2", "RDV_INT",
    "DDC_FIN", "DDC_INT", "MVA_FIN",      "OVA_FIN",     "MVA_INT",      "OVA_INT", "MDC",      "ODC"};

/* Columns of the term matrix W (n x NW, row-major); padded to 12 doubles so
 * a row is three 32-byte vectors. */
enum { W_T2, W_T3, W_T4, W_T5, W_T6, W_T7, W_T8, W_T9, W_X, W_LY, W_LE, NW_USED };
#define NW 12

void sf_decomp_free(sf_decomp *out)
{
    if (!out) return;
    free(out->vby);
    free(out->vax);
    free(out->vbe_country);
    free(out->wwz_country);
    free(out->wwz_sector);
    free(out->dva);
    free(out->iv);
    free(out->fv);
    free(out->dfwd);
    free(out->rca);
    free(out->gvc_p);
    free(out->gvc_pos);
    memset(out, 0, sizeof *out);
}

/* Per-sector quantities from the local inverses and the diagonal blocks of B. */
typedef struct {
    double *fsum;   /* n: sum_{t != reg(k)} VBreg[t,k], foreign value added per unit of k's
                     * output (summed directly, not as 1 - VBreg[s,k], to keep it accurate) */
    double *VL;     /* n: (V^s L^ss)_k */
    double *LY;     /* n: (L^rr Y^rr)_j */
    double *LE;     /* n: (L^rr E^r)_j */
    double *BssE;   /* n: (B^ss E^s)_k */
    double *BrrY;   /* n x G: (B^rr Y^ru)_j */
    double *sYd;    /* n: sum_{t != reg(j)} BYd[j,t] */
    double *sYo;    /* n: sum_{t != reg(j)} BYo[j,t] */
    double *oYd;    /* n: BYd[j,reg(j)] */
    double *oYo;    /* n: BYo[j,reg(j)] */
} local_q;

static void local_q_free(local_q *q)
{
    free(q->fsum);
    free(q->VL);
    free(q->LY);
    free(q->LE);
    free(q->BssE);
    free(q->BrrY);
    free(q->sYd);
    free(q->sYo);
    free(q->oYd);
    free(q->oYo);
}

static void local_q_build(const sf_labels *lab, const sf_derived *d, const sf_products *p, const double *Lall,
                          const long *off, local_q *q)
{
    const int n = lab->n, G = lab->G;
    const size_t N = (size_t)n;
    q->fsum = sf_calloc(N, sizeof(double));
    q->VL = sf_calloc(N, sizeof(double));
    q->LY = sf_calloc(N, sizeof(double));
    q->LE = sf_calloc(N, sizeof(double));
    q->BssE = sf_calloc(N, sizeof(double));
    q->BrrY = sf_calloc(N * (size_t)G, sizeof(double));
    q->sYd = sf_calloc(N, sizeof(double));
    q->sYo = sf_calloc(N, sizeof(double));
    q->oYd = sf_malloc(N * sizeof(double));
    q->oYo = sf_malloc(N * sizeof(double));
    for (int j = 0; j < n; j++) {
        const int r = lab->sector_region[j];
        q->oYd[j] = SF_BYD(p, j, r);
        q->oYo[j] = SF_BYO(p, j, r);
        double sd = 0, so = 0;
        for (int t = 0; t < G; t++) {
            if (t == r) continue;
            sd += SF_BYD(p, j, t);
            so += SF_BYO(p, j, t);
        }
        q->sYd[j] = sd;
        q->sYo[j] = so;
    }
    for (int t = 0; t < G; t++) {
        const double *vb = p->VBreg + (size_t)t * N;
        for (int k = 0; k < n; k++)
            if (lab->sector_region[k] != t) q->fsum[k] += vb[k];
    }
    for (int g = 0; g < G; g++) {
        const int r0 = lab->region_start[g], m = lab->region_start[g + 1] - r0;
        if (m == 0) continue;
        const double *L = Lall + off[g], *Bgg = p->Bdiag + p->dstart[g];
        for (int i = 0; i < m; i++) {
            const double vi = d->v[r0 + i];
            const double *Li = L + (size_t)i * m;
            for (int k = 0; k < m; k++) q->VL[r0 + k] += vi * Li[k];
        }
        for (int j = 0; j < m; j++) {
            const double *Lj = L + (size_t)j * m, *Bj = Bgg + (size_t)j * m;
            double ly = 0, le = 0, be = 0;
            for (int i = 0; i < m; i++) {
                ly += Lj[i] * d->Y[(size_t)(r0 + i) * G + g];
                le += Lj[i] * d->E[r0 + i];
                be += Bj[i] * d->E[r0 + i];
            }
            q->LY[r0 + j] = ly;
            q->LE[r0 + j] = le;
            q->BssE[r0 + j] = be;
        }
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, G, m, 1.0, Bgg, m, d->Y + (size_t)r0 * G, G,
                    0.0, q->BrrY + (size_t)r0 * G, G);
    }
}

/* The columns s0 .. s0 + ns - 1 of BYd, BYo, BY and BrrY, transposed: for
 * exporter s = s0 + ss, T[(ss * n + j) * 4 + {0,1,2,3}] = BYd[j,s], BYo[j,s],
 * BY[j,s], BrrY[j,s]. A row of BR is read once for SF_TERM_SB exporters, not
 * once per exporter (each row is another page: the TLB, not the flops, was
 * what fill_terms cost). */
#define SF_TERM_SB 16
static void gather_terms(const sf_labels *lab, const sf_products *p, const local_q *q, int s0, int ns, double *T)
{
    const int n = lab->n, G = lab->G;
    for (int j = 0; j < n; j++) {
        const double *br = p->BR + (size_t)j * (size_t)p->nrhs + (size_t)s0, *brr = q->BrrY + (size_t)j * G + s0;
        for (int ss = 0; ss < ns; ss++) {
            double *t = T + ((size_t)ss * (size_t)n + (size_t)j) * 4;
            t[0] = br[G + ss];
            t[1] = br[2 * G + ss];
            t[2] = br[ss];
            t[3] = brr[ss];
        }
    }
}

/* Term columns for exporter s: row j (in region r = reg(j), r != s) holds the
 * vectors whose dot products with a_k. over r's columns give T2..T10, T13, T15
 * (see the table at the top); Ts = s's columns from gather_terms. Rows of s
 * itself are never read. */
static void fill_terms(const sf_labels *lab, const sf_derived *d, const local_q *q, int s, const double *Ts,
                       double *W)
{
    const int n = lab->n;
    for (int j = 0; j < n; j++) {
        const int r = lab->sector_region[j];
        double *w = W + (size_t)j * NW;
        if (r == s) {
            memset(w, 0, NW * sizeof(double));
            continue;
        }
        const double sd = q->sYd[j], so = q->sYo[j];
        const double *ts = Ts + (size_t)j * 4;
        const double yd_s = ts[0], yo_s = ts[1], y_s = ts[2], brr_s = ts[3];
        w[W_T2] = q->oYd[j];
        w[W_T3] = sd - yd_s;
        w[W_T4] = q->oYo[j] - brr_s;
        w[W_T5] = so - yo_s - y_s + yd_s + brr_s;
        w[W_T6] = brr_s;
        w[W_T7] = y_s - yd_s - brr_s;
        w[W_T8] = yd_s;
        w[W_T9] = yo_s;
        w[W_X] = d->x[j];
        w[W_LY] = q->LY[j];
        w[W_LE] = q->LE[j];
        w[NW_USED] = 0;
    }
}

/* For rows k = 0..NR-1 (NR = 1 or 2, rows z[k] of Z): sum_{j in [j0, j1)}
 * a_kj W[j, :] with a_kj = z_kj * invx_j, and sum z_kj and sum |z_kj| (the
 * bilateral intermediate exports and their gross scale, for the identity
 * check; flows into zero-output sectors are left out of both: A has no column
 * for them, so the decomposition cannot account for them — the validation
 * counts such sectors). Two rows share each
 * load of W, which halves the traffic of the hot loop. */
typedef struct {
    double acc[NW];
    double zsum, zabs;
} dots;

static inline void block_dots1(const double *restrict z0, const double *restrict invx, const double *restrict W,
                               int j0, int j1, dots *o0)
{
    double a0[NW] = {0};
    double zs0 = 0, za0 = 0;
    for (int j = j0; j < j1; j++) {
        const double *w = W + (size_t)j * NW;
        const double x0 = z0[j], c0 = x0 * invx[j];
#pragma GCC unroll 12
        for (int c = 0; c < NW; c++) a0[c] += c0 * w[c];
        const double live = invx[j] != 0;
        zs0 += live * x0;
        za0 += live * fabs(x0);
    }
    memcpy(o0->acc, a0, sizeof a0);
    o0->zsum = zs0;
    o0->zabs = za0;
}

static inline void block_dots2(const double *restrict z0, const double *restrict z1, const double *restrict invx,
                               const double *restrict W, int j0, int j1, dots *o0, dots *o1)
{
    double a0[NW] = {0}, a1[NW] = {0};
    double zs0 = 0, za0 = 0, zs1 = 0, za1 = 0;
    for (int j = j0; j < j1; j++) {
        const double *w = W + (size_t)j * NW;
        const double x0 = z0[j], x1 = z1[j], c0 = x0 * invx[j], c1 = x1 * invx[j];
#pragma GCC unroll 12 /* whole: the accumulators stay in registers */
        for (int c = 0; c < NW; c++) {
            a0[c] += c0 * w[c];
            a1[c] += c1 * w[c];
        }
        const double live = invx[j] != 0;
        zs0 += live * x0;
        za0 += live * fabs(x0);
        zs1 += live * x1;
        za1 += live * fabs(x1);
    }
    memcpy(o0->acc, a0, sizeof a0);
    memcpy(o1->acc, a1, sizeof a1);
    o0->zsum = zs0;
    o0->zabs = za0;
    o1->zsum = zs1;
    o1->zabs = za1;
}

static void alloc_out(int n, int G, int store_sector, sf_decomp *out)
{
    const size_t N = (size_t)n, GG = (size_t)G;
    memset(out, 0, sizeof *out);
    out->n = n;
    out->G = G;
    out->vby = sf_calloc(N * GG, sizeof(double));
    out->vax = sf_calloc(GG * GG, sizeof(double));
    out->vbe_country = sf_calloc(GG * GG, sizeof(double));
    out->wwz_country = sf_calloc(GG * GG * SF_WWZ_NTERMS, sizeof(double));
    if (store_sector) out->wwz_sector = sf_calloc(N * GG * SF_WWZ_NTERMS, sizeof(double));
    out->dva = sf_calloc(N, sizeof(double));
    out->iv = sf_calloc(N, sizeof(double));
    out->fv = sf_calloc(N, sizeof(double));
    out->dfwd = sf_calloc(N, sizeof(double));
    out->rca = sf_calloc(N, sizeof(double));
    out->gvc_p = sf_calloc(N, sizeof(double));
    out->gvc_pos = sf_calloc(N, sizeof(double));
}

/* Running results of the WWZ pass. */
typedef struct {
    sf_decomp *out;
    double maxerr;
} wwz_acc;

/* The 16 terms of exporting sector k (region s) to importer r from its dot
 * products; adds them to the outputs and tracks the identity error. */
static void wwz_assemble(const sf_labels *lab, const sf_derived *d, const sf_products *p, const local_q *q, int s,
                         int k, int r, const dots *dt, double *dva, wwz_acc *w)
{
    const int G = lab->G;
    const size_t N = (size_t)lab->n;
    const double *acc = dt->acc;
    const double vbs = p->VBreg[(size_t)s * N + k], vl = q->VL[k];
    const double vbr = p->VBreg[(size_t)r * N + k];
    const double oth = q->fsum[k] - vbr;
    const double y = d->Y[(size_t)k * G + r];
    double T[SF_WWZ_NTERMS];
    T[0] = vbs * y;
    for (int c = W_T2; c <= W_T9; c++) T[1 + c] = vl * acc[c];
    T[9] = (vbs - vl) * acc[W_X];
    T[10] = vbr * y;
    T[11] = oth * y;
    T[12] = vbr * acc[W_LY];
    T[13] = oth * acc[W_LY];
    T[14] = vbr * acc[W_LE];
    T[15] = oth * acc[W_LE];
    double sum = 0;
    double *wc = w->out->wwz_country + ((size_t)s * G + r) * SF_WWZ_NTERMS;
    for (int c = 0; c < SF_WWZ_NTERMS; c++) {
        sum += T[c];
        wc[c] += T[c];
    }
    for (int c = 0; c < 8; c++) *dva += T[c];
    if (w->out->wwz_sector) memcpy(w->out->wwz_sector + ((size_t)k * G + r) * SF_WWZ_NTERMS, T, sizeof T);
    /* A zero-output sector's exports (entries that cancel in its row, e.g.
     * negative inventories) carry no value added: the terms are 0 and the
     * identity cannot hold; such sectors are counted by the validation. */
    const double scale = dt->zabs + fabs(y);
    if (scale > 0 && !d->zero[k]) {
        const double ck = vbs + q->fsum[k];
        const double err = fabs(sum - ck * (dt->zsum + y)) / scale;
        if (!isnan(w->maxerr) && !(err <= w->maxerr)) w->maxerr = err; /* a NaN sticks */
    }
}

/* The 16 WWZ terms for every exporting sector and importer: one pass over
 * Z, two rows at a time. */
static void wwz_terms(const sf_labels *lab, const sf_table *t, const sf_derived *d, const sf_products *p,
                      const local_q *q, const double *invx, sf_decomp *out)
{
    const int n = lab->n, G = lab->G;
    const size_t N = (size_t)n;
    const int *rs = lab->region_start;
    double *W = sf_aligned_alloc(N * NW * sizeof(double));
    double *T = sf_malloc(N * 4 * SF_TERM_SB * sizeof(double));
    wwz_acc w = {out, 0};
    for (int s = 0; s < G; s++) {
        if (s % SF_TERM_SB == 0) gather_terms(lab, p, q, s, G - s < SF_TERM_SB ? G - s : SF_TERM_SB, T);
        if (rs[s + 1] == rs[s]) continue;
        fill_terms(lab, d, q, s, T + (size_t)(s % SF_TERM_SB) * N * 4, W);
        for (int k = rs[s]; k < rs[s + 1]; k += 2) {
            const int two = k + 1 < rs[s + 1];
            const double *z0 = t->Z + (size_t)k * N, *z1 = two ? z0 + N : NULL;
            double dva0 = 0, dva1 = 0;
            for (int r = 0; r < G; r++) {
                if (r == s || rs[r + 1] == rs[r]) continue;
                dots d0, d1;
                if (two) {
                    block_dots2(z0, z1, invx, W, rs[r], rs[r + 1], &d0, &d1);
                    wwz_assemble(lab, d, p, q, s, k, r, &d0, &dva0, &w);
                    wwz_assemble(lab, d, p, q, s, k + 1, r, &d1, &dva1, &w);
                } else {
                    block_dots1(z0, invx, W, rs[r], rs[r + 1], &d0);
                    wwz_assemble(lab, d, p, q, s, k, r, &d0, &dva0, &w);
                }
            }
            out->dva[k] = dva0;
            if (two) out->dva[k + 1] = dva1;
        }
    }
    out->max_identity_err = w.maxerr;
    out->max_va_gap = 0;
    for (int k = 0; k < n; k++)
        if (!d->zero[k]) {
            const double gap = fabs(1 - (p->VBreg[(size_t)lab->sector_region[k] * (size_t)n + (size_t)k] + q->fsum[k]));
            if (!(gap <= out->max_va_gap)) out->max_va_gap = gap;
        }
    free(W);
    free(T);
}

/* Leontief products, Koopman IV/FV, GVC participation/position, D_k and RCA. */
static void sector_indicators(const sf_labels *lab, const sf_derived *d, const sf_products *p, const local_q *q,
                              sf_decomp *out)
{
    const int n = lab->n, G = lab->G;
    const size_t N = (size_t)n;
    for (int k = 0; k < n; k++) {
        const int s = lab->sector_region[k];
        for (int r = 0; r < G; r++) {
            const double vby = d->v[k] * SF_BY(p, k, r);
            out->vby[(size_t)k * G + r] = vby;
            out->vax[(size_t)s * G + r] += vby;
        }
    }
    for (int s = 0; s < G; s++) {
        const double *vb = p->VBreg + (size_t)s * N;
        for (int j = 0; j < n; j++) out->vbe_country[(size_t)s * G + lab->sector_region[j]] += vb[j] * d->E[j];
    }
    for (int k = 0; k < n; k++) {
        const double E = d->E[k];
        out->iv[k] = d->v[k] * (SF_BE(p, k) - q->BssE[k]);
        out->fv[k] = q->fsum[k] * E;
        out->dfwd[k] = d->v[k] * q->LE[k];
        if (E == 0) {
            out->gvc_p[k] = out->gvc_pos[k] = NAN;
            out->n_gvc_zero_exports++;
            continue;
        }
        const double ivr = out->iv[k] / E, fvr = out->fv[k] / E;
        out->gvc_p[k] = ivr + fvr;
        if (1 + ivr > 0 && 1 + fvr > 0) {
            out->gvc_pos[k] = log1p(ivr) - log1p(fvr);
        } else {
            out->gvc_pos[k] = NAN;
            out->n_gvc_pos_undefined++;
        }
    }
    /* RCA_k = (D_k / sum_{j in s} D_j) / (sum_{ind(h) = ind(k)} D_h / sum_all D) */
    int nind = 0;
    for (int k = 0; k < n; k++)
        if (lab->sector_industry[k] > nind) nind = lab->sector_industry[k];
    double *dreg = sf_calloc((size_t)G, sizeof(double)), *dind = sf_calloc((size_t)nind + 1, sizeof(double));
    double dall = 0;
    for (int k = 0; k < n; k++) {
        dreg[lab->sector_region[k]] += out->dfwd[k];
        dind[lab->sector_industry[k]] += out->dfwd[k];
        dall += out->dfwd[k];
    }
    for (int k = 0; k < n; k++) {
        const double ds = dreg[lab->sector_region[k]], di = dind[lab->sector_industry[k]];
        if (ds != 0 && di != 0 && dall != 0) {
            out->rca[k] = (out->dfwd[k] / ds) / (di / dall);
        } else {
            out->rca[k] = NAN;
            out->n_rca_undefined++;
        }
    }
    free(dreg);
    free(dind);
}

/* No NaN/Inf may leave silently: the products of B are checked through what
 * was built from them (NaN propagates into these sums). gvc_* and rca have
 * their own counted missing cells. Returns the first bad sector or -1. */
static int first_nonfinite(const sf_labels *lab, const sf_decomp *out)
{
    const int n = lab->n, G = lab->G;
    for (int k = 0; k < n; k++) {
        if (!isfinite(out->dva[k]) || !isfinite(out->iv[k]) || !isfinite(out->fv[k]) || !isfinite(out->dfwd[k]))
            return k;
        for (int r = 0; r < G; r++)
            if (!isfinite(out->vby[(size_t)k * G + r])) return k;
    }
    for (int s = 0; s < G; s++)
        for (size_t i = 0; i < (size_t)G * SF_WWZ_NTERMS; i++)
            if (!isfinite(out->wwz_country[(size_t)s * G * SF_WWZ_NTERMS + i])) return lab->region_start[s];
    return -1;
}

int sf_decompose(const sf_labels *lab, const sf_table *t, const sf_derived *d, const sf_products *p,
                 const sf_decomp_opts *o, sf_decomp *out, sf_err *e)
{
    const int n = lab->n, G = lab->G;
    memset(out, 0, sizeof *out);
    if (p->n != n || p->G != G || d->n != n || d->G != G || p->nrhs < 3 * G + 1)
        return sf_fail(e, SF_EINTERNAL, "sf_decompose: products (n=%d, G=%d) do not match the table (n=%d, G=%d)",
                       p->n, p->G, n, G);
    long *off = sf_malloc((size_t)(G + 1) * sizeof(long));
    sf_decomp_block_offsets(lab, off);
    double *Lall = sf_malloc((size_t)off[G] * sizeof(double) + 1);
    double *invx = sf_decomp_invx(d);
    for (int g = 0; g < G; g++) {
        int rc = sf_decomp_local_inverse(lab, t, invx, g, Lall + off[g], e);
        if (rc != SF_OK) {
            free(off);
            free(Lall);
            free(invx);
            return rc;
        }
    }
    local_q q;
    local_q_build(lab, d, p, Lall, off, &q);
    alloc_out(n, G, o && o->store_sector, out);
    wwz_terms(lab, t, d, p, &q, invx, out);
    sector_indicators(lab, d, p, &q, out);
    local_q_free(&q);
    free(off);
    free(Lall);
    free(invx);
    const int bad = first_nonfinite(lab, out);
    if (bad >= 0) {
        sf_decomp_free(out);
        return sf_fail(e, SF_EINTERNAL,
                       "decomposition: non-finite result at sector %s (region %s): the products of B hold NaN "
                       "or Inf",
                       lab->sector_name ? lab->sector_name[bad] : "?", lab->region_code[lab->sector_region[bad]]);
    }
    return SF_OK;
}
