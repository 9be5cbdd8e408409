/* Distributed Leontief inversion and the products of B the decompositions
 * need (see decomp.h), on one group's BLACS grid.
 *
 *   root: Z (row-major) --scatter--> local block-cyclic pieces
 *   all:  M = I - A locally (A_ij = Z_ij / x_j), keep a copy for the check
 *   all:  pdgetrf (+ pdgecon) + pdgetri  ->  B in place
 *   all:  pdgemm B * [Y Yd Yo Yc E] and B * S (probe columns for the check)
 *   all:  local sweeps of B: Vind'B, diagonal blocks, focal block row/column
 *   root: gathers / reductions of the above (row-major, as decomp.h wants)
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>

#include "silkflow/decomp.h"
#include "silkflow/grid.h"
#include "silkflow/scalapack.h"

typedef struct {
    int m, n, nb, mloc, nloc, lld;
    int desc[9];
} dmat;

static int imax(int a, int b) { return a > b ? a : b; }

/* the larger of m and a; a NaN, once met, stays (a check must not pass on it) */
static double max_nan(double m, double a) { return isnan(m) || a <= m ? m : a; }

/* local index -> global index for a block-cyclic dimension (source 0) */
static inline int l2g(int il, int nb, int iproc, int nprocs) { return (il / nb) * nprocs * nb + iproc * nb + il % nb; }

static void dmat_init(dmat *a, const sf_grid *g, int m, int n, int nb)
{
    int zero = 0, info;
    a->m = m;
    a->n = n;
    a->nb = nb;
    a->mloc = numroc_(&m, &nb, &g->myrow, &zero, &g->nprow);
    a->nloc = numroc_(&n, &nb, &g->mycol, &zero, &g->npcol);
    a->lld = imax(1, a->mloc);
    descinit_(a->desc, &m, &n, &nb, &nb, &zero, &zero, &g->ctxt, &a->lld, &info);
}

/* local storage of a distributed matrix; every caller writes all of it */
static double *dmat_alloc(const dmat *a)
{
    size_t sz = (size_t)a->lld * (size_t)imax(1, a->nloc);
    return sf_big_alloc(sz * sizeof(double));
}

/* MPI messages of any size (counts above INT_MAX are chunked). */
static void send_big(const double *buf, size_t n, int dest, MPI_Comm comm)
{
    const size_t chunk = (size_t)1 << 27;
    for (size_t off = 0; off < n; off += chunk) {
        int m = (int)(n - off < chunk ? n - off : chunk);
        MPI_Send(buf + off, m, MPI_DOUBLE, dest, 77, comm);
    }
}

static void recv_big(double *buf, size_t n, int src, MPI_Comm comm)
{
    const size_t chunk = (size_t)1 << 27;
    for (size_t off = 0; off < n; off += chunk) {
        int m = (int)(n - off < chunk ? n - off : chunk);
        MPI_Recv(buf + off, m, MPI_DOUBLE, src, 77, comm, MPI_STATUS_IGNORE);
    }
}

/* Copy between a row-major global matrix G (ldg) and the column-major local
 * piece (ld) of process (pr, pc). Tiles of nb rows keep both sides in cache. */
/* Copy between a row-major global matrix G (ldg) and local columns
 * [jl0, jl1) of process (pr, pc) in column-major storage buf (leading
 * dimension ld, column jl0 first). Tiles of nb rows keep both sides in cache. */
static void pack_cols(const dmat *a, const sf_grid *g, int pr, int pc, int jl0, int jl1, const double *G,
                      size_t ldg, double *buf, int ld, int unpack)
{
    int zero = 0;
    const int mloc = numroc_(&a->m, &a->nb, &pr, &zero, &g->nprow);
    for (int il0 = 0; il0 < mloc; il0 += a->nb) {
        const int h = mloc - il0 < a->nb ? mloc - il0 : a->nb;
        const size_t i0 = (size_t)l2g(il0, a->nb, pr, g->nprow);
        for (int jl = jl0; jl < jl1; jl++) {
            const size_t j = (size_t)l2g(jl, a->nb, pc, g->npcol);
            double *loc = buf + (size_t)(jl - jl0) * (size_t)ld + (size_t)il0;
            if (!unpack && jl + 8 <= jl1 && jl % a->nb + 8 <= a->nb) {
                /* 8 columns of one block (consecutive in G) at once: each
                 * row's cache line of G is read once, not 8 times (the
                 * distribution of I - A, issue 13) */
                for (int k = 0; k < h; k++) {
                    const double *src = G + (i0 + (size_t)k) * ldg + j;
                    for (int q = 0; q < 8; q++) loc[(size_t)q * (size_t)ld + (size_t)k] = src[q];
                }
                jl += 7;
                continue;
            }
            if (unpack) {
                double *dst = (double *)G + i0 * ldg + j;
                for (int k = 0; k < h; k++) dst[(size_t)k * ldg] = loc[k];
            } else {
                const double *src = G + i0 * ldg + j;
                for (int k = 0; k < h; k++) loc[k] = src[(size_t)k * ldg];
            }
        }
    }
}

/* The pieces of other processes travel in chunks of whole local columns of
 * about 32 MB, so the root needs one chunk buffer, not a copy of a piece. */
static int chunk_cols(int mloc, int nb)
{
    long c = (4L << 20) / (mloc > 0 ? mloc : 1);
    c -= c % nb;
    return (int)(c < nb ? nb : c);
}

/* doubles in the root's chunk buffer: one chunk, or the largest other piece if smaller */
static size_t chunk_buffer(const dmat *a, const sf_grid *g)
{
    int zero = 0;
    size_t mx = 0;
    for (int pr = 0; pr < g->nprow; pr++)
        for (int pc = 0; pc < g->npcol; pc++) {
            if (Cblacs_pnum(g->ctxt, pr, pc) == 0) continue;
            const int mloc = numroc_(&a->m, &a->nb, &pr, &zero, &g->nprow);
            const int nloc = numroc_(&a->n, &a->nb, &pc, &zero, &g->npcol);
            const size_t ld = (size_t)imax(1, mloc), cc = (size_t)chunk_cols(mloc, a->nb);
            const size_t need = ld * (cc < (size_t)nloc ? cc : (size_t)nloc);
            if (need > mx) mx = need;
        }
    return mx ? mx : 1;
}

/* root's row-major G (m x n, leading dimension ldg) -> every process's local piece */
static void scatter_rowmajor(const sf_grid *g, const dmat *a, const double *G, size_t ldg, double *loc)
{
    int zero = 0;
    if (g->rank == 0) {
        double *buf = NULL;
        for (int pr = 0; pr < g->nprow; pr++)
            for (int pc = 0; pc < g->npcol; pc++) {
                const int dest = Cblacs_pnum(g->ctxt, pr, pc);
                const int mloc = numroc_(&a->m, &a->nb, &pr, &zero, &g->nprow);
                const int nloc = numroc_(&a->n, &a->nb, &pc, &zero, &g->npcol);
                if (dest == 0) {
                    pack_cols(a, g, pr, pc, 0, nloc, G, ldg, loc, a->lld, 0);
                    continue;
                }
                const int ld = imax(1, mloc), cc = chunk_cols(mloc, a->nb);
                if (!buf) buf = sf_malloc(sizeof(double) * chunk_buffer(a, g));
                for (int j0 = 0; j0 < nloc; j0 += cc) {
                    const int j1 = nloc - j0 < cc ? nloc : j0 + cc;
                    pack_cols(a, g, pr, pc, j0, j1, G, ldg, buf, ld, 0);
                    send_big(buf, (size_t)ld * (size_t)(j1 - j0), dest, g->comm);
                }
            }
        free(buf);
    } else {
        const int cc = chunk_cols(a->mloc, a->nb);
        for (int j0 = 0; j0 < a->nloc; j0 += cc) {
            const int j1 = a->nloc - j0 < cc ? a->nloc : j0 + cc;
            recv_big(loc + (size_t)j0 * (size_t)a->lld, (size_t)a->lld * (size_t)(j1 - j0), 0, g->comm);
        }
    }
}

/* every process's local piece -> root's row-major G */
static void gather_rowmajor(const sf_grid *g, const dmat *a, const double *loc, double *G, size_t ldg)
{
    int zero = 0;
    if (g->rank == 0) {
        double *buf = NULL;
        for (int pr = 0; pr < g->nprow; pr++)
            for (int pc = 0; pc < g->npcol; pc++) {
                const int src = Cblacs_pnum(g->ctxt, pr, pc);
                const int mloc = numroc_(&a->m, &a->nb, &pr, &zero, &g->nprow);
                const int nloc = numroc_(&a->n, &a->nb, &pc, &zero, &g->npcol);
                if (src == 0) {
                    pack_cols(a, g, pr, pc, 0, nloc, G, ldg, (double *)loc, a->lld, 1);
                    continue;
                }
                const int ld = imax(1, mloc), cc = chunk_cols(mloc, a->nb);
                if (!buf) buf = sf_malloc(sizeof(double) * chunk_buffer(a, g));
                for (int j0 = 0; j0 < nloc; j0 += cc) {
                    const int j1 = nloc - j0 < cc ? nloc : j0 + cc;
                    recv_big(buf, (size_t)ld * (size_t)(j1 - j0), src, g->comm);
                    pack_cols(a, g, pr, pc, j0, j1, G, ldg, buf, ld, 1);
                }
            }
        free(buf);
    } else {
        const int cc = chunk_cols(a->mloc, a->nb);
        for (int j0 = 0; j0 < a->nloc; j0 += cc) {
            const int j1 = a->nloc - j0 < cc ? a->nloc : j0 + cc;
            send_big(loc + (size_t)j0 * (size_t)a->lld, (size_t)a->lld * (size_t)(j1 - j0), 0, g->comm);
        }
    }
}

/* Sum-reduce a buffer to the group root (large buffers in chunks). */
static void reduce_to_root(const sf_grid *g, double *buf, size_t n)
{
    if (g->size == 1) return;
    const size_t chunk = (size_t)1 << 26;
    for (size_t off = 0; off < n; off += chunk) {
        int m = (int)(n - off < chunk ? n - off : chunk);
        if (g->rank == 0)
            MPI_Reduce(MPI_IN_PLACE, buf + off, m, MPI_DOUBLE, MPI_SUM, 0, g->comm);
        else
            MPI_Reduce(buf + off, NULL, m, MPI_DOUBLE, MPI_SUM, 0, g->comm);
    }
}

static void bcast_doubles(const sf_grid *g, double *buf, size_t n)
{
    if (g->size == 1) return;
    const size_t chunk = (size_t)1 << 26;
    for (size_t off = 0; off < n; off += chunk) {
        int m = (int)(n - off < chunk ? n - off : chunk);
        MPI_Bcast(buf + off, m, MPI_DOUBLE, 0, g->comm);
    }
}

/* The probe columns of the residual check (docs/methods.md section 2): a
 * contiguous block of up to 64 columns in the middle of the table, pj0 ..
 * pj0+pm-1, and the focal region's columns c0 .. c0+Nc-1. */
static void probe_block_cols(int n, int *pm, int *pj0)
{
    *pm = n < 64 ? n : 64;
    *pj0 = (n - *pm) / 2;
}

/* R (n x m, row-major) -= A R with A = Z diag(1/x) (zero columns where zf):
 * for R = B_S this leaves (I - A) B_S, I - A taken from the table itself */
static void minus_A_times(int n, const double *Z, const double *x, const double *zf, double *R, int m)
{
    double *W = sf_malloc(sizeof(double) * (size_t)n * (size_t)m);
    for (int k = 0; k < n; k++)
        for (int q = 0; q < m; q++) W[(size_t)k * m + q] = zf[k] != 0 ? 0 : R[(size_t)k * m + q] / x[k];
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, m, n, -1.0, Z, n, W, m, 1.0, R, m);
    free(W);
}

/* max |R - I_S| over the first pm + Nc columns of R (n rows, leading
 * dimension ldr): the probe block, then the focal columns */
static double probe_max(int n, const double *R, int ldr, int pm, int pj0, int Nc, int c0)
{
    double mx = 0;
    for (int i = 0; i < n; i++)
        for (int q = 0; q < pm + Nc; q++) {
            const int jg = q < pm ? pj0 + q : c0 + q - pm;
            mx = max_nan(mx, fabs(R[(size_t)i * ldr + q] - (i == jg ? 1.0 : 0.0)));
        }
    return mx;
}

/* max |(I - A) B_S - I_S| from the probe block of B (Bp, n x pm, row-major)
 * and its focal columns (Bf, n x Nc): one product with Z for both */
static double probe_residual(const sf_labels *lab, const double *Z, const double *x, const double *zf,
                             const double *Bf, int Nc, int c0, const double *Bp, int pm, int pj0)
{
    const int n = lab->n, m = pm + Nc;
    double *R = sf_malloc(sizeof(double) * (size_t)n * (size_t)m);
    for (int k = 0; k < n; k++) {
        memcpy(R + (size_t)k * m, Bp + (size_t)k * pm, sizeof(double) * (size_t)pm);
        if (Nc) memcpy(R + (size_t)k * m + pm, Bf + (size_t)k * Nc, sizeof(double) * (size_t)Nc);
    }
    minus_A_times(n, Z, x, zf, R, m);
    const double mx = probe_max(n, R, m, pm, pj0, Nc, c0);
    free(R);
    return mx;
}

static void sector_label(const sf_labels *lab, int j, char *buf, size_t n)
{
    if (j < 0 || j >= lab->n) {
        snprintf(buf, n, "sector %d", j);
        return;
    }
    snprintf(buf, n, "sector %d (%s %d '%s')", j + 1, lab->region_code[lab->sector_region[j]],
             lab->sector_industry[j], lab->sector_name ? lab->sector_name[j] : "");
}

/* One year on the group's grid: what the steps below share. */
typedef struct {
    const sf_grid *g;
    const sf_labels *lab;
    int n, G, nb, root, focal, year;
    int single;     /* 1 x 1 grid: LAPACK on the whole column-major matrix */
    int probe_done; /* the residual check's probe columns are done (Gauss-Jordan's test) */
    int nrhs;       /* columns of sf_rhs (root's, broadcast) */
    double *xv;     /* every rank: x | zero flags | v | per-row Yd, Yo, Yc values (6n) */
    dmat M;         /* I - A, then B in place */
    double *Ml;
} year_ctx;

/* local row of global row i on this process, or -1 when another process row holds it */
static int g2l_row(const year_ctx *c, int i)
{
    const int nb = c->nb, np = c->g->nprow;
    if ((i / nb) % np != c->g->myrow) return -1;
    return (i / (nb * np)) * nb + i % nb;
}

static void year_ctx_free(year_ctx *c)
{
    sf_big_free(c->Ml);
    free(c->xv);
    c->Ml = c->xv = NULL;
}

/* ||M||_1 of the group's matrix (I - A or B), the same on every rank */
static double norm1(const year_ctx *c)
{
    const int n = c->n, one = 1;
    double *w = sf_malloc(sizeof(double) * (size_t)imax(1, c->M.nloc)); /* pdlange's workspace: LOCc(N) */
    const double r = pdlange_("1", &n, &n, c->Ml, &one, &one, c->M.desc, w);
    free(w);
    return r;
}

/* 1 x 1 grid: I - A straight from the root's row-major Z into the
 * column-major M and ||I - A||_1, in one pass over both (tiles of 64 rows x 8
 * columns keep them in cache); the same values as the block-cyclic path */
static void form_single(year_ctx *c, const sf_table *t, sf_inv_info *info)
{
    const size_t N = (size_t)c->n, LD = (size_t)c->M.lld;
    const double *x = c->xv, *zf = c->xv + c->n, *Z = t->Z;
    double *cs = sf_calloc(N, sizeof(double));
    for (size_t i0 = 0; i0 < N; i0 += 64) {
        const size_t h = N - i0 < 64 ? N - i0 : 64;
        for (size_t j0 = 0; j0 < N; j0 += 8) {
            const size_t w = N - j0 < 8 ? N - j0 : 8;
            for (size_t k = 0; k < h; k++) /* the tile, transposed: a cache line of each row once */
                for (size_t q = 0; q < w; q++) c->Ml[(j0 + q) * LD + i0 + k] = Z[(i0 + k) * N + j0 + q];
            for (size_t q = 0; q < w; q++) { /* then each column of it, in cache */
                const size_t j = j0 + q;
                double *col = c->Ml + j * LD + i0, s = 0;
                if (zf[j] != 0) {
                    memset(col, 0, sizeof(double) * h);
                } else {
                    const double xj = x[j];
                    for (size_t k = 0; k < h; k++) col[k] = -(col[k] / xj);
                }
                if (j >= i0 && j < i0 + h) col[j - i0] += 1.0;
                for (size_t k = 0; k < h; k++) s += fabs(col[k]);
                cs[j] += s;
            }
        }
    }
    double mx = 0;
    for (size_t j = 0; j < N; j++) mx = max_nan(mx, cs[j]);
    free(cs);
    info->anorm = mx;
}

/* Z block-cyclic, made I - A in place (A_ij = Z_ij / x_j, zero columns for
 * zero-output sectors); ||I - A||_1 */
static void form_matrix(year_ctx *c, const sf_table *t, sf_inv_info *info)
{
    if (c->single) {
        const double t1 = MPI_Wtime();
        form_single(c, t, info);
        info->t_form = MPI_Wtime() - t1;
        return;
    }
    const sf_grid *g = c->g;
    const int n = c->n, nb = c->nb;
    const double *x = c->xv, *zf = c->xv + c->n;
    scatter_rowmajor(g, &c->M, c->root ? t->Z : NULL, (size_t)n, c->Ml);
    const double t1 = MPI_Wtime();
    for (int jl = 0; jl < c->M.nloc; jl++) {
        const int j = l2g(jl, nb, g->mycol, g->npcol);
        double *col = c->Ml + (size_t)jl * (size_t)c->M.lld;
        if (zf[j] != 0) {
            memset(col, 0, sizeof(double) * (size_t)c->M.mloc);
        } else {
            const double xj = x[j];
            for (int il = 0; il < c->M.mloc; il++) col[il] = -(col[il] / xj);
        }
        const int id = g2l_row(c, j);
        if (id >= 0) col[id] += 1.0;
    }
    info->anorm = norm1(c);
    info->t_form = MPI_Wtime() - t1;
}

/* distribute: x, zero flags, v and the one non-zero per row of the sparse
 * right-hand sides (Yd, Yo, Yc: columns G + t, 2G + t, 3G + t of sf_rhs,
 * t = region of the row) to every rank; then I - A (form_matrix). */
static void step_distribute(year_ctx *c, const sf_table *t, const sf_derived *d, const sf_rhs *r, sf_inv_info *info)
{
    const sf_grid *g = c->g;
    const int n = c->n, G = c->G;
    c->xv = sf_calloc((size_t)(6 * n), sizeof(double));
    if (c->root) {
        const int nr = r->nrhs;
        for (int j = 0; j < n; j++) {
            const int tj = c->lab->sector_region[j];
            const double *row = r->rhs + (size_t)j * (size_t)nr;
            c->xv[j] = d->x[j];
            c->xv[n + j] = d->zero[j] ? 1.0 : 0.0;
            c->xv[2 * n + j] = d->v[j];
            c->xv[3 * n + j] = row[G + tj];
            c->xv[4 * n + j] = row[2 * G + tj];
            if (c->focal >= 0) c->xv[5 * n + j] = row[3 * G + tj];
        }
        c->nrhs = nr;
    }
    bcast_doubles(g, c->xv, (size_t)(6 * n));
    MPI_Bcast(&c->nrhs, 1, MPI_INT, 0, g->comm);
    dmat_init(&c->M, g, n, n, c->nb);
    c->Ml = dmat_alloc(&c->M);
    form_matrix(c, t, info);
}

/* Gauss-Jordan's own acceptance test, on every column at once (Freivalds):
 * for w = (+-1), max |(I - A)(B w) - w| / (n eps ||I - A||_1 ||B||_1), with
 * I - A taken from the table (Z, x) as in the residual check. B w and ||B||_1
 * (into info->bnorm) come from one pass over the columns of B; (I - A) B w
 * comes from the residual check's product with Z, one more column of it, so
 * the check's residual (info->residual, the probe columns) is done here too
 * and Z is read once. */
static double gj_scaled_residual(const year_ctx *c, const sf_table *t, sf_inv_info *info)
{
    const int n = c->n, focal = c->focal;
    const size_t LD = (size_t)c->M.lld;
    int pm, pj0;
    probe_block_cols(n, &pm, &pj0);
    const int Nc = focal >= 0 ? c->lab->region_start[focal + 1] - c->lab->region_start[focal] : 0;
    const int c0 = focal >= 0 ? c->lab->region_start[focal] : 0, m = pm + Nc + 1;
    double *w = sf_malloc(sizeof(double) * (size_t)n), *y = sf_calloc((size_t)n, sizeof(double));
    for (int j = 0; j < n; j++) w[j] = (((unsigned)j * 2654435761u) >> 31) ? 1.0 : -1.0;
    double bn = 0;
    for (int j = 0; j < n; j++) {
        const double *col = c->Ml + (size_t)j * LD;
        cblas_daxpy(n, w[j], col, 1, y, 1);
        bn = max_nan(bn, cblas_dasum(n, col, 1));
    }
    info->bnorm = bn;
    /* R = [B_probe  B_focal  B w], row-major */
    double *R = sf_malloc(sizeof(double) * (size_t)n * (size_t)m);
    for (int q = 0; q < pm + Nc; q++) {
        const double *col = c->Ml + (size_t)(q < pm ? pj0 + q : c0 + q - pm) * LD;
        for (int k = 0; k < n; k++) R[(size_t)k * m + q] = col[k];
    }
    for (int k = 0; k < n; k++) R[(size_t)k * m + m - 1] = y[k];
    minus_A_times(n, t->Z, c->xv, c->xv + n, R, m);
    info->residual = probe_max(n, R, m, pm, pj0, Nc, c0);
    info->probe_columns = pm + Nc;
    double mx = 0;
    for (int i = 0; i < n; i++) mx = max_nan(mx, fabs(R[(size_t)i * m + m - 1] - w[i]));
    free(w);
    free(y);
    free(R);
    return mx / ((double)n * DBL_EPSILON * info->anorm * info->bnorm);
}

/* invert on a 1 x 1 grid by blocked Gauss-Jordan (sf_gj_invert, core) unless
 * SF_INVERT=lu: 1 when B is in place, with ||B||_1 and the exact reciprocal
 * condition 1 / (||I - A||_1 ||B||_1); 0 when the caller must use LU, with
 * I - A formed again. Gauss-Jordan pivots only inside its pivot blocks, so its
 * B is kept only when no pivot block was refused and its whole-matrix
 * residual (gj_scaled_residual) is at most GJ_ACCEPT: LU gives about 1e-4
 * on Eora26 and WIOD years, the residual check's threshold is 16. */
#define GJ_ACCEPT 1.0
static int step_gauss_jordan(year_ctx *c, const sf_table *t, sf_inv_info *info)
{
    const char *env = getenv("SF_INVERT");
    if (!c->single || (env && strcmp(env, "lu") == 0)) return 0;
    const int n = c->n;
    int bad = -1;
    if (sf_gj_invert(n, c->Ml, c->M.lld, SF_GJ_BLOCK, &bad) == 0) {
        const double r = gj_scaled_residual(c, t, info);
        info->rcond = 1.0 / (info->anorm * info->bnorm);
        const char *rej = getenv("SF_TEST_GJ_REJECT"); /* tests: the fallback */
        /* near-singular goes to LU too: its error names the smallest pivot's sector */
        if (info->rcond >= 1e-12 && r <= GJ_ACCEPT && !(rej && *rej == '1')) {
            info->method = SF_INV_GAUSS_JORDAN;
            c->probe_done = 1;
            return 1;
        }
    }
    form_matrix(c, t, info);
    return 0;
}

/* factor: LU (LAPACK on a 1 x 1 grid: ScaLAPACK adds only overhead there, its
 * pdgetri runs ~25% slower than dgetri with threaded BLAS, bench/kernels.c),
 * the reciprocal condition number, and the singular / near-singular errors
 * naming the sector of the smallest pivot. *ipiv is set on success. */
static int step_factor(year_ctx *c, sf_inv_info *info, int **ipiv_out, sf_err *e)
{
    const sf_grid *g = c->g;
    const int n = c->n, nb = c->nb, one = 1;
    int *ipiv = sf_malloc(sizeof(int) * (size_t)(c->M.mloc + nb));
    int inf = 0;
    /* the _work entry points: LAPACKE's own first scan the n^2 matrix for NaN
     * (three passes over B per year, issue 13); the table is validated finite */
    if (c->single)
        inf = LAPACKE_dgetrf_work(LAPACK_COL_MAJOR, n, n, c->Ml, c->M.lld, ipiv);
    else
        pdgetrf_(&n, &n, c->Ml, &one, &one, c->M.desc, ipiv, &inf);
    int ginf = inf;
    MPI_Allreduce(&inf, &ginf, 1, MPI_INT, MPI_MAX, g->comm);
    /* smallest pivot and where: the diagonal entries held here */
    struct {
        double val;
        int idx;
    } mp = {INFINITY, -1}, gmp;
    for (int jl = 0; jl < c->M.nloc; jl++) {
        const int j = l2g(jl, nb, g->mycol, g->npcol), id = g2l_row(c, j);
        if (id < 0) continue;
        const double u = fabs(c->Ml[(size_t)jl * (size_t)c->M.lld + (size_t)id]);
        if (u < mp.val) {
            mp.val = u;
            mp.idx = j;
        }
    }
    MPI_Allreduce(&mp, &gmp, 1, MPI_DOUBLE_INT, MPI_MINLOC, g->comm);
    int rc = SF_OK;
    char s[256];
    if (ginf > 0) {
        sector_label(c->lab, ginf - 1, s, sizeof s);
        rc = sf_fail(e, SF_EINTERNAL, "year %d: I - A is singular: zero pivot at %s (check that sector's column of "
                     "the table: its inputs exhaust its output)", c->year, s);
    } else if (ginf < 0) {
        rc = sf_fail(e, SF_EINTERNAL, "year %d: pdgetrf argument %d illegal (internal error)", c->year, -ginf);
    } else if (c->single) {
        double *w = sf_malloc(sizeof(double) * (size_t)imax(1, 4 * n));
        int *iw = sf_malloc(sizeof(int) * (size_t)imax(1, n));
        LAPACKE_dgecon_work(LAPACK_COL_MAJOR, '1', n, c->Ml, c->M.lld, info->anorm, &info->rcond, w, iw);
        free(w);
        free(iw);
    } else {
        int lwork = -1, liwork = -1, iwq = 0;
        double wq = 0;
        pdgecon_("1", &n, c->Ml, &one, &one, c->M.desc, &info->anorm, &info->rcond, &wq, &lwork, &iwq, &liwork, &inf);
        lwork = imax(1, (int)wq) + 1;
        liwork = imax(1, iwq);
        double *w = sf_malloc(sizeof(double) * (size_t)lwork);
        int *iw = sf_malloc(sizeof(int) * (size_t)liwork);
        pdgecon_("1", &n, c->Ml, &one, &one, c->M.desc, &info->anorm, &info->rcond, w, &lwork, iw, &liwork, &inf);
        free(w);
        free(iw);
    }
    if (rc == SF_OK && !(info->rcond >= 1e-12)) {
        sector_label(c->lab, gmp.idx, s, sizeof s);
        rc = sf_fail(e, SF_EINTERNAL, "year %d: I - A is near-singular (reciprocal condition %.3g); smallest "
                     "pivot |u| = %.3g at %s", c->year, info->rcond, gmp.val, s);
    }
    if (rc != SF_OK) {
        free(ipiv);
        return rc;
    }
    *ipiv_out = ipiv;
    return SF_OK;
}

/* invert: B = (I - A)^-1 in place from the LU factors; ||B||_1 */
static int step_invert(year_ctx *c, int *ipiv, sf_inv_info *info, sf_err *e)
{
    const int n = c->n, one = 1;
    int inf = 0;
    if (c->single) { /* LAPACKE_dgetri's workspace, without its NaN scan */
        double wq = 0;
        inf = LAPACKE_dgetri_work(LAPACK_COL_MAJOR, n, c->Ml, c->M.lld, ipiv, &wq, -1);
        const int lwork = imax(1, (int)wq);
        double *w = sf_malloc(sizeof(double) * (size_t)lwork);
        if (inf == 0) inf = LAPACKE_dgetri_work(LAPACK_COL_MAJOR, n, c->Ml, c->M.lld, ipiv, w, lwork);
        free(w);
    } else {
        int lwork = -1, liwork = -1, iwq = 0;
        double wq = 0;
        pdgetri_(&n, c->Ml, &one, &one, c->M.desc, ipiv, &wq, &lwork, &iwq, &liwork, &inf);
        lwork = imax(1, (int)wq) + 1;
        liwork = imax(1, iwq) + 1;
        double *w = sf_malloc(sizeof(double) * (size_t)lwork);
        int *iw = sf_malloc(sizeof(int) * (size_t)liwork);
        pdgetri_(&n, c->Ml, &one, &one, c->M.desc, ipiv, w, &lwork, iw, &liwork, &inf);
        free(w);
        free(iw);
    }
    int gi = inf;
    MPI_Allreduce(&inf, &gi, 1, MPI_INT, MPI_MAX, c->g->comm);
    if (gi != 0)
        return sf_fail(e, SF_EINTERNAL, "year %d: %s failed (info %d)", c->year, c->single ? "dgetri" : "pdgetri",
                       gi);
    info->bnorm = norm1(c);
    return SF_OK;
}

/* products: the dense right-hand sides Y (n x G) and E, B * [Y E] by pdgemm,
 * into the Y and E column blocks of p->BR on the root. Yd, Yo and Yc have one
 * non-zero per row (column t = region of the row), so B*Yd, B*Yo, B*Yc cost
 * 2n^2 each, not 2n^2 G: they come from the sweep (step_sweep). On a 1 x 1
 * grid BE comes from the sweep too, and BY from one dgemm that reads Y in
 * place (the row-major rhs is Y' column-major), into a column-major n x G
 * buffer copied into BR by blocks of rows (products_single). */
static void products_single(year_ctx *c, const sf_rhs *r, sf_products *p)
{
    const int n = c->n, G = c->G, nrhs = c->nrhs;
    /* B Y with M = n: the dgemm writing row-major BY directly (Y' B', M = G)
     * runs ~40% slower in OpenBLAS at n = 4915, G = 190 */
    double *C = sf_big_alloc(sizeof(double) * (size_t)n * (size_t)G);
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, n, G, n, 1.0, c->Ml, c->M.lld, r->rhs, nrhs, 0.0, C, n);
    for (int i0 = 0; i0 < n; i0 += 64) {
        const int i1 = n - i0 < 64 ? n : i0 + 64;
        for (int t = 0; t < G; t++) {
            const double *src = C + (size_t)t * (size_t)n;
            for (int i = i0; i < i1; i++) p->BR[(size_t)i * (size_t)nrhs + (size_t)t] = src[i];
        }
    }
    sf_big_free(C);
}

static void step_products(year_ctx *c, const sf_rhs *r, sf_products *p)
{
    const sf_grid *g = c->g;
    const int n = c->n, G = c->G, G1 = G + 1, nrhs = c->nrhs, one = 1;
    if (c->single) {
        products_single(c, r, p);
        return;
    }
    double *Rd = NULL;
    if (c->root) {
        Rd = sf_malloc(sizeof(double) * (size_t)n * (size_t)G1);
        for (int j = 0; j < n; j++) {
            const double *row = r->rhs + (size_t)j * (size_t)nrhs;
            memcpy(Rd + (size_t)j * (size_t)G1, row, sizeof(double) * (size_t)G);
            Rd[(size_t)j * (size_t)G1 + (size_t)G] = row[nrhs - 1];
        }
    }
    dmat R, C;
    dmat_init(&R, g, n, G1, c->nb);
    dmat_init(&C, g, n, G1, c->nb);
    double *Rl = dmat_alloc(&R), *Cl = dmat_alloc(&C);
    scatter_rowmajor(g, &R, Rd, (size_t)G1, Rl);
    free(Rd);
    const double done = 1.0, dzero = 0.0;
    pdgemm_("N", "N", &n, &G1, &n, &done, c->Ml, &one, &one, c->M.desc, Rl, &one, &one, R.desc, &dzero, Cl, &one,
            &one, C.desc);
    sf_big_free(Rl);
    double *CY = c->root ? sf_malloc(sizeof(double) * (size_t)n * (size_t)G1) : NULL;
    gather_rowmajor(g, &C, Cl, CY, (size_t)G1);
    sf_big_free(Cl);
    if (c->root) {
        for (int j = 0; j < n; j++) {
            const double *src = CY + (size_t)j * (size_t)G1;
            double *dst = p->BR + (size_t)j * (size_t)nrhs;
            memcpy(dst, src, sizeof(double) * (size_t)G);
            dst[nrhs - 1] = src[G];
        }
        free(CY);
    }
}

/* What the sweep of B yields, one buffer for a single reduction:
 * VBreg | BYd | BYo | (BYc) | Bdiag | Bfrow | Bfcol | probe columns.
 * On a 1 x 1 grid (direct) nothing is reduced: VB, BD, FR and FC point into
 * p, BYd/BYo/BYc are written into BR's column blocks, buf holds only the
 * probe columns, and be (B E, when not NULL) is summed here too. */
typedef struct {
    double *buf;
    size_t tot, vsz, ysz, fsz, psz;
    long dsz;
    int nsp, Nc, pm, pj0, direct;
    double *VB, *BYS, *BD, *FR, *FC, *PB, *be;
    const double *E;
} sweep_out;

/* local rows in runs of consecutive global rows of one region */
typedef struct {
    int il0, il1, region;
} row_run;

/* regions whose partial sums of B * (sparse rhs) are kept at a time: their
 * row of BYd (BYo, BYc) is then written one cache line at a time */
#define SWEEP_TB 8

/* sum_i x_i y_i in four interleaved partial sums: the runs are short (a
 * region's sectors) and one sum's chain of additions was the sweep's
 * bottleneck */
static inline double dot4(const double *x, const double *y, int m)
{
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (; i + 4 <= m; i += 4) {
        s0 += x[i] * y[i];
        s1 += x[i + 1] * y[i + 1];
        s2 += x[i + 2] * y[i + 2];
        s3 += x[i + 3] * y[i + 3];
    }
    for (; i < m; i++) s0 += x[i] * y[i];
    return (s0 + s1) + (s2 + s3);
}

/* y_q += c_q x for four vectors y_q in one pass over x */
static void axpy4(int m, const double *restrict x, const double *c, double *restrict y0, double *restrict y1,
                  double *restrict y2, double *restrict y3)
{
    const double c0 = c[0], c1 = c[1], c2 = c[2], c3 = c[3];
    for (int i = 0; i < m; i++) {
        const double xi = x[i];
        y0[i] += xi * c0;
        y1[i] += xi * c1;
        y2[i] += xi * c2;
        y3[i] += xi * c3;
    }
}

/* the sweep over one local column j of B (col): B * (sparse rhs) partial
 * sums into part (regions t0 .. t0 + SWEEP_TB - 1), Vind'B as a dot product
 * per run of rows, the diagonal and focal blocks and the probe columns as
 * plain copies */
static void sweep_column(const year_ctx *c, sweep_out *o, const double *col, int j, const int *rowg,
                         const row_run *seg, int nseg, const double *vloc, const long *dstart, double *part, int t0)
{
    const int n = c->n, mloc = c->M.mloc, focal = c->focal;
    const int *rs = c->lab->region_start;
    const int rj = c->lab->sector_region[j];
    const double *ys = c->xv + 3 * n;
    double *dst[4], cf[4];
    int k = 0;
    for (int q = 0; q < o->nsp; q++) {
        const double yv = ys[(size_t)q * n + j];
        if (yv == 0) continue;
        dst[k] = part + ((size_t)q * SWEEP_TB + (size_t)(rj - t0)) * (size_t)mloc;
        cf[k++] = yv;
    }
    if (o->be && o->E[j] != 0) {
        dst[k] = o->be;
        cf[k++] = o->E[j];
    }
    if (k == 4)
        axpy4(mloc, col, cf, dst[0], dst[1], dst[2], dst[3]);
    else
        for (int q = 0; q < k; q++)
            for (int il = 0; il < mloc; il++) dst[q][il] += col[il] * cf[q];
    for (int sg = 0; sg < nseg; sg++) {
        const int a = seg[sg].il0, b = seg[sg].il1, ri = seg[sg].region;
        double acc = dot4(vloc + a, col + a, b - a);
        double *vb = o->VB + (size_t)ri * (size_t)n + (size_t)j;
        *vb = o->direct ? acc : *vb + acc; /* direct: one run per region, VB not read (no zero page) */
        if (ri == rj) {
            const int Ng = rs[ri + 1] - rs[ri];
            double *dst = o->BD + dstart[ri] + (long)(rowg[a] - rs[ri]) * Ng + (j - rs[ri]);
            for (int il = a; il < b; il++, dst += Ng) *dst = col[il];
        }
        if (ri == focal) {
            double *dst = o->FR + (size_t)(rowg[a] - rs[focal]) * (size_t)n + (size_t)j;
            for (int il = a; il < b; il++, dst += n) *dst = col[il];
        }
    }
    if (rj == focal)
        for (int il = 0; il < mloc; il++) o->FC[(size_t)rowg[il] * (size_t)o->Nc + (size_t)(j - rs[focal])] = col[il];
    if (j >= o->pj0 && j < o->pj0 + o->pm)
        for (int il = 0; il < mloc; il++) o->PB[(size_t)rowg[il] * (size_t)o->pm + (size_t)(j - o->pj0)] = col[il];
}

/* p is the root's products (used directly on a 1 x 1 grid), E its exports */
static void sweep_alloc(const year_ctx *c, sweep_out *o, sf_products *p, const double *E)
{
    const int n = c->n, G = c->G, focal = c->focal;
    const int *rs = c->lab->region_start;
    memset(o, 0, sizeof *o);
    o->direct = c->single;
    o->nsp = focal >= 0 ? 3 : 2; /* sparse right-hand sides: Yd, Yo, (Yc) */
    o->vsz = (size_t)G * (size_t)n;
    o->ysz = (size_t)n * (size_t)G;
    for (int gg = 0; gg < G; gg++) o->dsz += (long)(rs[gg + 1] - rs[gg]) * (rs[gg + 1] - rs[gg]);
    o->Nc = focal >= 0 ? rs[focal + 1] - rs[focal] : 0;
    o->fsz = (size_t)o->Nc * (size_t)n;
    /* probe columns of the residual check (the focal ones come with Bfcol);
     * none when Gauss-Jordan's test has done the check */
    if (c->probe_done)
        o->pm = o->pj0 = 0;
    else
        probe_block_cols(n, &o->pm, &o->pj0);
    o->psz = (size_t)n * (size_t)o->pm;
    if (o->direct) { /* every entry is written: no zeroed buffer */
        o->tot = o->psz + (size_t)n;
        o->buf = sf_malloc(o->tot * sizeof(double));
        o->PB = o->buf;
        o->be = o->PB + o->psz;
        memset(o->be, 0, sizeof(double) * (size_t)n);
        o->E = E;
        o->VB = p->VBreg;
        o->BD = p->Bdiag;
        o->FR = p->Bfrow;
        o->FC = p->Bfcol;
        return;
    }
    o->tot = o->vsz + (size_t)o->nsp * o->ysz + (size_t)o->dsz + 2 * o->fsz + o->psz;
    o->buf = sf_calloc(o->tot, sizeof(double));
    o->VB = o->buf;
    o->BYS = o->buf + o->vsz;
    o->BD = o->BYS + (size_t)o->nsp * o->ysz;
    o->FR = o->BD + o->dsz;
    o->FC = o->FR + o->fsz;
    o->PB = o->FC + o->fsz;
}

/* part (regions t0 .. t0 + SWEEP_TB - 1, local rows) into BYd, BYo, BYc:
 * into BR's column blocks on a 1 x 1 grid, else added into BYS (n x G per
 * right-hand side) for the reduction; then part is zeroed for the next regions */
static void sweep_flush(const year_ctx *c, sweep_out *o, sf_products *p, const int *rowg, double *part, int t0)
{
    const int G = c->G, mloc = c->M.mloc, nt = G - t0 < SWEEP_TB ? G - t0 : SWEEP_TB;
    const size_t ld = o->direct ? (size_t)c->nrhs : (size_t)G;
    for (int q = 0; q < o->nsp; q++) {
        const double *pq = part + (size_t)q * SWEEP_TB * (size_t)mloc;
        double *dq = o->direct ? p->BR + (size_t)(q + 1) * (size_t)G : o->BYS + (size_t)q * o->ysz;
        for (int il = 0; il < mloc; il++) {
            double *dst = dq + (size_t)rowg[il] * ld + (size_t)t0;
            if (o->direct)
                for (int tt = 0; tt < nt; tt++) dst[tt] = pq[(size_t)tt * (size_t)mloc + (size_t)il];
            else
                for (int tt = 0; tt < nt; tt++) dst[tt] += pq[(size_t)tt * (size_t)mloc + (size_t)il];
        }
    }
    memset(part, 0, sizeof(double) * (size_t)o->nsp * SWEEP_TB * (size_t)mloc);
}

/* local runs of rows of one region (seg) and their v (vloc); returns nseg */
static int sweep_runs(const year_ctx *c, const int *rowg, row_run *seg, double *vloc)
{
    const int n = c->n, mloc = c->M.mloc;
    int nseg = 0;
    for (int il = 0; il < mloc; il++) {
        const int i = rowg[il], ri = c->lab->sector_region[i];
        vloc[il] = c->xv[2 * n + i];
        if (nseg && seg[nseg - 1].region == ri && rowg[il - 1] == i - 1) {
            seg[nseg - 1].il1 = il + 1;
        } else {
            seg[nseg] = (row_run){il, il + 1, ri};
            nseg++;
        }
    }
    return nseg;
}

/* sweeps: one pass over the local columns of B for everything that is not a
 * dense product (see sweep_column), reduced to the root and copied into p
 * (on a 1 x 1 grid written into p as it goes, with BE: r's last column) */
static void step_sweep(year_ctx *c, const sf_rhs *r, sf_products *p, sweep_out *o)
{
    const sf_grid *g = c->g;
    const int n = c->n, G = c->G, nb = c->nb, mloc = c->M.mloc, nrhs = c->nrhs;
    const int *rs = c->lab->region_start;
    double *E = NULL;
    if (c->single) {
        E = sf_malloc(sizeof(double) * (size_t)imax(1, n));
        for (int j = 0; j < n; j++) E[j] = r->rhs[(size_t)j * (size_t)nrhs + (size_t)(nrhs - 1)];
    }
    sweep_alloc(c, o, p, E);
    long *dstart = sf_malloc(sizeof(long) * (size_t)(G + 1));
    dstart[0] = 0;
    for (int gg = 0; gg < G; gg++) dstart[gg + 1] = dstart[gg] + (long)(rs[gg + 1] - rs[gg]) * (rs[gg + 1] - rs[gg]);
    int *rowg = sf_malloc(sizeof(int) * (size_t)imax(1, mloc));
    for (int il = 0; il < mloc; il++) rowg[il] = l2g(il, nb, g->myrow, g->nprow);
    row_run *seg = sf_malloc(sizeof(*seg) * (size_t)imax(1, mloc));
    double *vloc = sf_malloc(sizeof(double) * (size_t)imax(1, mloc));
    const int nseg = sweep_runs(c, rowg, seg, vloc);
    /* local partial sums of B * (sparse rhs) of SWEEP_TB regions, column-major:
     * part[(q*SWEEP_TB + t - t0)*mloc + il]; the local columns come in
     * increasing global order, so their regions never decrease */
    double *part = sf_calloc((size_t)o->nsp * SWEEP_TB * (size_t)imax(1, mloc), sizeof(double));
    int t0 = 0;
    for (int jl = 0; jl < c->M.nloc; jl++) {
        const int j = l2g(jl, nb, g->mycol, g->npcol);
        for (; c->lab->sector_region[j] >= t0 + SWEEP_TB; t0 += SWEEP_TB) sweep_flush(c, o, p, rowg, part, t0);
        sweep_column(c, o, c->Ml + (size_t)jl * (size_t)c->M.lld, j, rowg, seg, nseg, vloc, dstart, part, t0);
    }
    for (; t0 < G; t0 += SWEEP_TB) sweep_flush(c, o, p, rowg, part, t0);
    free(part);
    free(seg);
    free(vloc);
    free(rowg);
    free(dstart);
    free(E);
    if (o->direct) {
        for (int i = 0; i < n; i++) p->BR[(size_t)i * (size_t)nrhs + (size_t)(nrhs - 1)] = o->be[i];
        return;
    }
    reduce_to_root(g, o->buf, o->tot);
    if (!c->root) return;
    memcpy(p->VBreg, o->VB, o->vsz * sizeof(double));
    for (int j = 0; j < n; j++)
        for (int q = 0; q < o->nsp; q++)
            memcpy(p->BR + (size_t)j * (size_t)nrhs + (size_t)(q + 1) * (size_t)G,
                   o->BYS + (size_t)q * o->ysz + (size_t)j * (size_t)G, sizeof(double) * (size_t)G);
    memcpy(p->Bdiag, o->BD, (size_t)o->dsz * sizeof(double));
    if (o->Nc) {
        memcpy(p->Bfrow, o->FR, o->fsz * sizeof(double));
        memcpy(p->Bfcol, o->FC, o->fsz * sizeof(double));
    }
}

/* residual, HPL-style, on the root from the table itself:
 * max |(I - A) B(:, S) - I(:, S)| = max |B_S - Z diag(1/x) B_S - I_S| over
 * the probe and focal columns S, and its scaled form (docs/methods.md);
 * the same values on every rank. Judged by the caller (pipeline/verify.c). */
static void step_residual(const year_ctx *c, const sf_table *t, const sweep_out *o, sf_inv_info *info)
{
    if (c->root && !c->probe_done) {
        const int c0 = c->focal >= 0 ? c->lab->region_start[c->focal] : 0;
        info->residual = probe_residual(c->lab, t->Z, c->xv, c->xv + c->n, o->FC, o->Nc, c0, o->PB, o->pm, o->pj0);
        info->probe_columns = o->Nc + o->pm;
    }
    MPI_Bcast(&info->residual, 1, MPI_DOUBLE, 0, c->g->comm);
    MPI_Bcast(&info->probe_columns, 1, MPI_INT, 0, c->g->comm);
    info->residual_scaled = info->residual / ((double)c->n * DBL_EPSILON * info->anorm * info->bnorm);
}

int sf_par_year(const sf_grid *g, int block, int year, const sf_labels *lab, const sf_table *t,
                const sf_derived *d, const sf_rhs *r, int focal, sf_products *p, double *Bfull,
                sf_inv_info *info, sf_err *e)
{
    year_ctx c = {.g = g, .lab = lab, .n = lab->n, .G = lab->G, .root = g->rank == 0, .focal = focal,
                  .year = year, .single = g->size == 1};
    c.nb = block < 1 ? 64 : block;
    if (c.nb > c.n) c.nb = c.n > 0 ? c.n : 1;
    memset(info, 0, sizeof *info);
    double t0 = MPI_Wtime();
    step_distribute(&c, t, d, r, info);
    double t1 = MPI_Wtime();
    info->t_scatter = t1 - t0;
    int *ipiv = NULL, rc = SF_OK;
    double t2 = t1;
    if (!step_gauss_jordan(&c, t, info)) { /* LU; t_factor includes a refused Gauss-Jordan */
        rc = step_factor(&c, info, &ipiv, e);
        info->t_factor = MPI_Wtime() - t2;
        t2 = MPI_Wtime();
        if (rc == SF_OK) rc = step_invert(&c, ipiv, info, e);
        free(ipiv);
    }
    double t3 = MPI_Wtime();
    info->t_invert = t3 - t2;
    if (rc != SF_OK) {
        year_ctx_free(&c);
        return rc;
    }
    step_products(&c, r, p);
    double t4 = MPI_Wtime();
    info->t_products = t4 - t3;
    sweep_out o;
    step_sweep(&c, r, p, &o);
    double t5 = MPI_Wtime();
    info->t_sweep = t5 - t4;
    step_residual(&c, t, &o, info);
    free(o.buf);
    double t6 = MPI_Wtime();
    info->t_residual = t6 - t5;
    int wantB = c.root && Bfull != NULL;
    MPI_Bcast(&wantB, 1, MPI_INT, 0, g->comm);
    if (wantB) gather_rowmajor(g, &c.M, c.Ml, c.root ? Bfull : NULL, (size_t)c.n);
    year_ctx_free(&c);
    info->t_collect = MPI_Wtime() - t4;
    return SF_OK;
}
