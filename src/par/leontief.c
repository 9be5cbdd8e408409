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

#include "silkflow/grid.h"
#include "silkflow/scalapack.h"

typedef struct {
    int m, n, nb, mloc, nloc, lld;
    int desc[9];
} dmat;

static int imax(int a, int b) { return a > b ? a : b; }

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
    return sf_aligned_alloc(sz * sizeof(double));
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

/* max |(I - A) B_S - I_S| for the probe columns S: Bs (n x m, row-major, the
 * columns j0 .. j0+m-1 of B); A = Z diag(1/x) with zero columns where zf */
static double probe_block(int n, const double *Z, const double *x, const double *zf, const double *Bs, int m,
                          int j0)
{
    double *W = sf_malloc(sizeof(double) * (size_t)n * (size_t)m);
    double *R = sf_malloc(sizeof(double) * (size_t)n * (size_t)m);
    for (int k = 0; k < n; k++)
        for (int q = 0; q < m; q++) W[(size_t)k * m + q] = zf[k] != 0 ? 0 : Bs[(size_t)k * m + q] / x[k];
    memcpy(R, Bs, sizeof(double) * (size_t)n * (size_t)m);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, m, n, -1.0, Z, n, W, m, 1.0, R, m);
    double mx = 0;
    for (int i = 0; i < n; i++)
        for (int q = 0; q < m; q++) {
            double a = fabs(R[(size_t)i * m + q] - (i == j0 + q ? 1.0 : 0.0));
            if (!(a <= mx)) mx = a; /* NaN propagates */
        }
    free(W);
    free(R);
    return mx;
}

static double probe_residual(const sf_labels *lab, const double *Z, const double *x, const double *zf,
                             const double *Bfcol, int Nc, int c0, const double *PB, int pm, int pj0)
{
    double r = probe_block(lab->n, Z, x, zf, PB, pm, pj0);
    if (Nc > 0) {
        double rc = probe_block(lab->n, Z, x, zf, Bfcol, Nc, c0);
        if (!(rc <= r)) r = rc;
    }
    return r;
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

int sf_par_year(const sf_grid *g, int block, int year, const sf_labels *lab, const sf_table *t,
                const sf_derived *d, const sf_rhs *r, int focal, sf_products *p, double *Bfull,
                sf_inv_info *info, sf_err *e)
{
    const int n = lab->n, G = lab->G;
    const int root = g->rank == 0;
    const int one = 1;
    int nb = block < 1 ? 64 : block;
    if (nb > n) nb = n > 0 ? n : 1;
    memset(info, 0, sizeof *info);
    double t0 = MPI_Wtime();

    /* x, zero flags, v and the one non-zero per row of the sparse right-hand
     * sides (Yd, Yo, Yc: columns G + t, 2G + t, 3G + t of sf_rhs, t = region
     * of the row) on every rank */
    double *xv = sf_calloc((size_t)(6 * n), sizeof(double));
    if (root) {
        const int nr = r->nrhs;
        for (int j = 0; j < n; j++) {
            const int tj = lab->sector_region[j];
            const double *row = r->rhs + (size_t)j * (size_t)nr;
            xv[j] = d->x[j];
            xv[n + j] = d->zero[j] ? 1.0 : 0.0;
            xv[2 * n + j] = d->v[j];
            xv[3 * n + j] = row[G + tj];
            xv[4 * n + j] = row[2 * G + tj];
            if (focal >= 0) xv[5 * n + j] = row[3 * G + tj];
        }
    }
    bcast_doubles(g, xv, (size_t)(6 * n));
    const double *x = xv, *zf = xv + n, *v = xv + 2 * n;

    /* M = I - A, block-cyclic */
    dmat M;
    dmat_init(&M, g, n, n, nb);
    double *Ml = dmat_alloc(&M);
    scatter_rowmajor(g, &M, root ? t->Z : NULL, (size_t)n, Ml);
    for (int jl = 0; jl < M.nloc; jl++) {
        const int j = l2g(jl, nb, g->mycol, g->npcol);
        double *col = Ml + (size_t)jl * (size_t)M.lld;
        if (zf[j] != 0) {
            for (int il = 0; il < M.mloc; il++) col[il] = 0;
        } else {
            const double xj = x[j];
            for (int il = 0; il < M.mloc; il++) col[il] = -(col[il] / xj);
        }
        for (int il = 0; il < M.mloc; il++)
            if (l2g(il, nb, g->myrow, g->nprow) == j) col[il] += 1.0;
    }
    {
        /* pdlange needs workspace for the 1-norm: LOCc(N) */
        double *w = sf_malloc(sizeof(double) * (size_t)imax(1, M.nloc));
        info->anorm = pdlange_("1", &n, &n, Ml, &one, &one, M.desc, w);
        free(w);
    }
    double t1 = MPI_Wtime();
    info->t_scatter = t1 - t0;

    /* LU. A 1 x 1 grid calls LAPACK directly: ScaLAPACK adds only overhead
     * there (its pdgetri runs ~25% slower than dgetri with threaded BLAS,
     * bench/kernels.c); the local piece is then the whole column-major matrix. */
    const int single = g->size == 1;
    int *ipiv = sf_malloc(sizeof(int) * (size_t)(M.mloc + nb));
    int inf = 0;
    if (single)
        inf = LAPACKE_dgetrf(LAPACK_COL_MAJOR, n, n, Ml, M.lld, ipiv);
    else
        pdgetrf_(&n, &n, Ml, &one, &one, M.desc, ipiv, &inf);
    int ginf = inf;
    MPI_Allreduce(&inf, &ginf, 1, MPI_INT, MPI_MAX, g->comm);
    /* smallest pivot and where */
    struct {
        double val;
        int idx;
    } mp = {INFINITY, -1}, gmp;
    for (int jl = 0; jl < M.nloc; jl++) {
        const int j = l2g(jl, nb, g->mycol, g->npcol);
        for (int il = 0; il < M.mloc; il++)
            if (l2g(il, nb, g->myrow, g->nprow) == j) {
                double u = fabs(Ml[(size_t)jl * (size_t)M.lld + (size_t)il]);
                if (u < mp.val) {
                    mp.val = u;
                    mp.idx = j;
                }
            }
    }
    MPI_Allreduce(&mp, &gmp, 1, MPI_DOUBLE_INT, MPI_MINLOC, g->comm);
    int rc = SF_OK;
    if (ginf > 0) {
        char s[256];
        sector_label(lab, ginf - 1, s, sizeof s);
        rc = sf_fail(e, SF_EINTERNAL, "year %d: I - A is singular: zero pivot at %s (check that sector's column of "
                     "the table: its inputs exhaust its output)", year, s);
    } else if (ginf < 0) {
        rc = sf_fail(e, SF_EINTERNAL, "year %d: pdgetrf argument %d illegal (internal error)", year, -ginf);
    }
    if (rc == SF_OK && single) {
        inf = LAPACKE_dgecon(LAPACK_COL_MAJOR, '1', n, Ml, M.lld, info->anorm, &info->rcond);
    } else if (rc == SF_OK) {
        int lwork = -1, liwork = -1, iwq = 0;
        double wq = 0;
        pdgecon_("1", &n, Ml, &one, &one, M.desc, &info->anorm, &info->rcond, &wq, &lwork, &iwq, &liwork, &inf);
        lwork = imax(1, (int)wq) + 1;
        liwork = imax(1, iwq);
        double *w = sf_malloc(sizeof(double) * (size_t)lwork);
        int *iw = sf_malloc(sizeof(int) * (size_t)liwork);
        pdgecon_("1", &n, Ml, &one, &one, M.desc, &info->anorm, &info->rcond, w, &lwork, iw, &liwork, &inf);
        free(w);
        free(iw);
    }
    if (rc == SF_OK) {
        if (!(info->rcond >= 1e-12)) {
            char s[256];
            sector_label(lab, gmp.idx, s, sizeof s);
            rc = sf_fail(e, SF_EINTERNAL, "year %d: I - A is near-singular (reciprocal condition %.3g); smallest "
                         "pivot |u| = %.3g at %s", year, info->rcond, gmp.val, s);
        }
    }
    double t2 = MPI_Wtime();
    info->t_factor = t2 - t1;
    if (rc != SF_OK) {
        free(ipiv);
        free(Ml);
        free(xv);
        return rc;
    }

    /* inverse in place */
    if (single) {
        inf = LAPACKE_dgetri(LAPACK_COL_MAJOR, n, Ml, M.lld, ipiv);
        if (inf != 0) {
            free(ipiv);
            free(Ml);
                free(xv);
            return sf_fail(e, SF_EINTERNAL, "year %d: dgetri failed (info %d)", year, inf);
        }
        double *wn = sf_malloc(sizeof(double) * (size_t)imax(1, M.nloc));
        info->bnorm = pdlange_("1", &n, &n, Ml, &one, &one, M.desc, wn);
        free(wn);
    } else {
        int lwork = -1, liwork = -1, iwq = 0;
        double wq = 0;
        pdgetri_(&n, Ml, &one, &one, M.desc, ipiv, &wq, &lwork, &iwq, &liwork, &inf);
        lwork = imax(1, (int)wq) + 1;
        liwork = imax(1, iwq) + 1;
        double *w = sf_malloc(sizeof(double) * (size_t)lwork);
        int *iw = sf_malloc(sizeof(int) * (size_t)liwork);
        pdgetri_(&n, Ml, &one, &one, M.desc, ipiv, w, &lwork, iw, &liwork, &inf);
        free(w);
        free(iw);
        int gi = inf;
        MPI_Allreduce(&inf, &gi, 1, MPI_INT, MPI_MAX, g->comm);
        if (gi != 0) {
            free(ipiv);
            free(Ml);
                free(xv);
            return sf_fail(e, SF_EINTERNAL, "year %d: pdgetri failed (info %d)", year, gi);
        }
        double *wn = sf_malloc(sizeof(double) * (size_t)imax(1, M.nloc));
        info->bnorm = pdlange_("1", &n, &n, Ml, &one, &one, M.desc, wn);
        free(wn);
    }
    free(ipiv);
    double t3 = MPI_Wtime();
    info->t_invert = t3 - t2;

    /* Products. Only Y (n x G) and E are dense right-hand sides: pdgemm.
     * Yd, Yo and Yc have one non-zero per row (column t = region of the row),
     * so B*Yd, B*Yo, B*Yc cost 2n^2 each, not 2n^2 G: they are accumulated in
     * the local sweep of B below, together with Vind'B and the blocks. */
    int nrhs = 0, G1 = G + 1;
    if (root) nrhs = r->nrhs;
    MPI_Bcast(&nrhs, 1, MPI_INT, 0, g->comm);
    double *Rd = NULL;
    if (root) {
        Rd = sf_malloc(sizeof(double) * (size_t)n * (size_t)G1);
        for (int j = 0; j < n; j++) {
            const double *row = r->rhs + (size_t)j * (size_t)nrhs;
            memcpy(Rd + (size_t)j * (size_t)G1, row, sizeof(double) * (size_t)G);
            Rd[(size_t)j * (size_t)G1 + (size_t)G] = row[nrhs - 1];
        }
    }
    dmat R, C;
    dmat_init(&R, g, n, G1, nb);
    dmat_init(&C, g, n, G1, nb);
    double *Rl = dmat_alloc(&R), *Cl = dmat_alloc(&C);
    scatter_rowmajor(g, &R, Rd, (size_t)G1, Rl);
    free(Rd);
    const double done = 1.0, dzero = 0.0;
    pdgemm_("N", "N", &n, &G1, &n, &done, Ml, &one, &one, M.desc, Rl, &one, &one, R.desc, &dzero, Cl, &one, &one,
            C.desc);
    free(Rl);

    double t4 = MPI_Wtime();
    info->t_products = t4 - t3;

    /* collect on the root (p allocated there by the caller) */
    {
        /* BY and BE: the dense product, into the column blocks of BR */
        double *CY = root ? sf_malloc(sizeof(double) * (size_t)n * (size_t)G1) : NULL;
        gather_rowmajor(g, &C, Cl, CY, (size_t)G1);
        if (root) {
            for (int j = 0; j < n; j++) {
                const double *src = CY + (size_t)j * (size_t)G1;
                double *dst = p->BR + (size_t)j * (size_t)nrhs;
                memcpy(dst, src, sizeof(double) * (size_t)G);
                dst[nrhs - 1] = src[G];
            }
            free(CY);
        }
    }
    free(Cl);
    {
        const int *rs = lab->region_start;
        const int nsp = focal >= 0 ? 3 : 2; /* sparse right-hand sides: Yd, Yo, (Yc) */
        const size_t vsz = (size_t)G * (size_t)n, ysz = (size_t)n * (size_t)G;
        long dsz = 0;
        for (int gg = 0; gg < G; gg++) {
            long Ng = rs[gg + 1] - rs[gg];
            dsz += Ng * Ng;
        }
        const int Nc = focal >= 0 ? rs[focal + 1] - rs[focal] : 0;
        const size_t fsz = (size_t)Nc * (size_t)n;
        /* probe columns of the residual check: a contiguous block of up to 64
         * columns in the middle (the focal columns come with Bfcol) */
        const int pm = n < 64 ? n : 64, pj0 = (n - pm) / 2;
        const size_t psz = (size_t)n * (size_t)pm;
        /* one buffer for all reductions: VBreg | BYd | BYo | BYc | Bdiag | Bfrow | Bfcol | probes */
        const size_t tot = vsz + (size_t)nsp * ysz + (size_t)dsz + 2 * fsz + psz;
        double *buf = sf_calloc(tot, sizeof(double));
        double *VB = buf, *BYS = buf + vsz, *BD = BYS + (size_t)nsp * ysz, *FR = BD + dsz, *FC = FR + fsz;
        double *PB = FC + fsz;
        long *dstart = sf_malloc(sizeof(long) * (size_t)(G + 1));
        dstart[0] = 0;
        for (int gg = 0; gg < G; gg++) dstart[gg + 1] = dstart[gg] + (long)(rs[gg + 1] - rs[gg]) * (rs[gg + 1] - rs[gg]);
        int *rowg = sf_malloc(sizeof(int) * (size_t)imax(1, M.mloc));
        for (int il = 0; il < M.mloc; il++) rowg[il] = l2g(il, nb, g->myrow, g->nprow);
        /* local rows in runs of consecutive global rows of one region, and v by local row */
        struct {
            int il0, il1, region;
        } *seg = sf_malloc(sizeof(*seg) * (size_t)imax(1, M.mloc));
        int nseg = 0;
        double *vloc = sf_malloc(sizeof(double) * (size_t)imax(1, M.mloc));
        for (int il = 0; il < M.mloc; il++) {
            const int i = rowg[il], ri = lab->sector_region[i];
            vloc[il] = v[i];
            if (nseg && seg[nseg - 1].region == ri && rowg[il - 1] == i - 1)
                seg[nseg - 1].il1 = il + 1;
            else {
                seg[nseg].il0 = il;
                seg[nseg].il1 = il + 1;
                seg[nseg].region = ri;
                nseg++;
            }
        }
        /* local partial sums of B * (sparse rhs), column-major by region: part[(q*G + t)*mloc + il] */
        double *part = sf_calloc((size_t)nsp * (size_t)G * (size_t)imax(1, M.mloc), sizeof(double));
        const double *ys = xv + 3 * n; /* per row: Yd, Yo, Yc values (see below) */
        for (int jl = 0; jl < M.nloc; jl++) {
            const int j = l2g(jl, nb, g->mycol, g->npcol);
            const int rj = lab->sector_region[j];
            const double *col = Ml + (size_t)jl * (size_t)M.lld;
            for (int q = 0; q < nsp; q++) {
                const double yv = ys[(size_t)q * n + j];
                if (yv == 0) continue;
                double *pc = part + ((size_t)q * G + (size_t)rj) * (size_t)M.mloc;
                for (int il = 0; il < M.mloc; il++) pc[il] += col[il] * yv;
            }
            /* runs of local rows in one region: Vind'B is a dot product per run,
             * the diagonal and focal blocks are plain copies */
            for (int sg = 0; sg < nseg; sg++) {
                const int a = seg[sg].il0, b = seg[sg].il1, ri = seg[sg].region;
                double acc = 0;
                for (int il = a; il < b; il++) acc += vloc[il] * col[il];
                VB[(size_t)ri * (size_t)n + (size_t)j] += acc;
                if (ri == rj) {
                    const int Ng = rs[ri + 1] - rs[ri];
                    double *dst = BD + dstart[ri] + (long)(rowg[a] - rs[ri]) * Ng + (j - rs[ri]);
                    for (int il = a; il < b; il++, dst += Ng) *dst = col[il];
                }
                if (ri == focal) {
                    double *dst = FR + (size_t)(rowg[a] - rs[focal]) * (size_t)n + (size_t)j;
                    for (int il = a; il < b; il++, dst += n) *dst = col[il];
                }
            }
            if (rj == focal)
                for (int il = 0; il < M.mloc; il++)
                    FC[(size_t)rowg[il] * (size_t)Nc + (size_t)(j - rs[focal])] = col[il];
            if (j >= pj0 && j < pj0 + pm)
                for (int il = 0; il < M.mloc; il++) PB[(size_t)rowg[il] * (size_t)pm + (size_t)(j - pj0)] = col[il];
        }
        for (int q = 0; q < nsp; q++)
            for (int t = 0; t < G; t++) {
                const double *pc = part + ((size_t)q * G + (size_t)t) * (size_t)M.mloc;
                double *dst = BYS + (size_t)q * ysz;
                for (int il = 0; il < M.mloc; il++) dst[(size_t)rowg[il] * (size_t)G + (size_t)t] += pc[il];
            }
        free(part);
        free(seg);
        free(vloc);
        free(rowg);
        free(dstart);
        reduce_to_root(g, buf, tot);
        if (root) {
            memcpy(p->VBreg, VB, vsz * sizeof(double));
            for (int j = 0; j < n; j++)
                for (int q = 0; q < nsp; q++)
                    memcpy(p->BR + (size_t)j * (size_t)nrhs + (size_t)(q + 1) * (size_t)G,
                           BYS + (size_t)q * ysz + (size_t)j * (size_t)G, sizeof(double) * (size_t)G);
            memcpy(p->Bdiag, BD, (size_t)dsz * sizeof(double));
            if (Nc) {
                memcpy(p->Bfrow, FR, fsz * sizeof(double));
                memcpy(p->Bfcol, FC, fsz * sizeof(double));
            }
            /* residual, HPL-style, on the root from the table itself:
             * max |(I - A) B(:, S) - I(:, S)| = max |B_S - Z diag(1/x) B_S - I_S| */
            info->residual = probe_residual(lab, t->Z, x, zf, FC, Nc, focal >= 0 ? rs[focal] : 0, PB, pm, pj0);
            info->probe_columns = Nc + pm;
        }
        free(buf);
        MPI_Bcast(&info->residual, 1, MPI_DOUBLE, 0, g->comm);
        MPI_Bcast(&info->probe_columns, 1, MPI_INT, 0, g->comm);
        info->residual_scaled = info->residual / ((double)n * DBL_EPSILON * info->anorm * info->bnorm);
        info->passed = info->residual_scaled < 16.0;
    }
    int wantB = root && Bfull != NULL;
    MPI_Bcast(&wantB, 1, MPI_INT, 0, g->comm);
    if (wantB) gather_rowmajor(g, &M, Ml, root ? Bfull : NULL, (size_t)n);
    free(Ml);
    free(xv);
    info->t_collect = MPI_Wtime() - t4;
    return SF_OK;
}
