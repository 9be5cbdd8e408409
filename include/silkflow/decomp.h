/* silkflow core: Leontief products and value-added decompositions
 * (docs/methods.md sections 1-4). MPI-free: the distributed layer (par) computes
 * the n x G products with ScaLAPACK and hands them here; tests compute the
 * same products densely with sf_products_dense.
 *
 * Notation: n sectors, G regions, region g owns rows [rs[g], rs[g+1]).
 * All matrices row-major. B = (I - A)^-1.
 */
#ifndef SILKFLOW_DECOMP_H
#define SILKFLOW_DECOMP_H

#include "silkflow/common.h"
#include "silkflow/mrio.h"

/* The right-hand sides the distributed layer multiplies B by (n x nrhs,
 * row-major), and the left-hand side Vind' (G x n):
 *   column block 0 [0, G):    Y            -> BY
 *   column block 1 [G, 2G):   Yd  (col t = Y^{tt} on t's rows)            -> BYd
 *   column block 2 [2G, 3G):  Yo  (col t = sum_{u!=t} Y^{tu} on t's rows) -> BYo
 *   column block 3 [3G, 4G):  Yc  (col t = Y^{tc} on t's rows, c = focal) -> BYc (only when focal >= 0)
 *   last column:              E   (total exports)                         -> BE
 * Vind (n x G): Vind[j, reg(j)] = v_j  ->  VBreg = Vind' B (G x n). */
typedef struct {
    int n, G, focal;   /* focal region index or -1 */
    int nrhs;          /* 3G + 1, or 4G + 1 with a focal region */
    double *rhs;       /* n x nrhs */
    double *vind;      /* n x G: Vind (row-major), the left-hand side of VBreg = Vind' B */
} sf_rhs;

typedef struct {
    int n, G, focal;
    int nrhs;
    double *BR;        /* n x nrhs: B * rhs (column blocks as in sf_rhs) */
    double *VBreg;     /* G x n: VBreg[t,k] = sum_{j in t} v_j B_jk */
    double *Bdiag;     /* diagonal blocks: region g's N_g x N_g block (row-major) at dstart[g] */
    long *dstart;      /* G+1 offsets into Bdiag */
    double *Bfrow;     /* N_c x n: focal block row B^{c.} (NULL without focal) */
    double *Bfcol;     /* n x N_c: focal block column B^{.c} (NULL without focal) */
} sf_products;

/* Accessors of the column blocks of BR. */
#define SF_BY(p, j, t) ((p)->BR[(size_t)(j) * (p)->nrhs + (t)])
#define SF_BYD(p, j, t) ((p)->BR[(size_t)(j) * (p)->nrhs + (p)->G + (t)])
#define SF_BYO(p, j, t) ((p)->BR[(size_t)(j) * (p)->nrhs + 2 * (p)->G + (t)])
#define SF_BYC(p, j, t) ((p)->BR[(size_t)(j) * (p)->nrhs + 3 * (p)->G + (t)])
#define SF_BE(p, j) ((p)->BR[(size_t)(j) * (p)->nrhs + (p)->nrhs - 1])

/* Build the right-hand sides and Vind from the derived table. */
void sf_rhs_build(const sf_labels *lab, const sf_derived *d, int focal, sf_rhs *r);
void sf_rhs_free(sf_rhs *r);
/* Allocate products (BR, VBreg, Bdiag with dstart, focal blocks). */
void sf_products_alloc(const sf_labels *lab, int focal, sf_products *p);
void sf_products_free(sf_products *p);
/* Dense reference: compute all products from a full B (n x n row-major). */
void sf_products_dense(const sf_labels *lab, const sf_derived *d, const double *B, int focal, sf_products *p);

/* The 16 WWZ terms, docs/methods.md (section 4) numbering (T1 = index 0). */
#define SF_WWZ_NTERMS 16
extern const char *const sf_wwz_names[SF_WWZ_NTERMS]; /* "DVA_FIN", ... */
/* A year whose wwz_identity_max_rel_error exceeds this is flagged (run warning,
 * inspect, report; docs/methods.md): the identity holds to ~1e-15 on clean
 * tables. Stored per year as the attribute wwz_identity_tolerance. */
#define SF_WWZ_IDENTITY_TOL 1e-8

/* Results of the decomposition stage for one year. */
typedef struct {
    int n, G;
    double *vby;         /* n x G: diag(v) B Y */
    double *vax;         /* G x G: VAX_sr = sum_{k in s} VBY[k, r] */
    double *vbe_country; /* G x G: sum_{k in s} sum_{j in r} v_k B_kj E_j */
    double *wwz_country; /* G x G x 16 [exporter, importer, term] */
    double *wwz_sector;  /* n x G x 16 [exporting sector, importer, term] or NULL */
    double *dva;         /* n: sum over importers of T1..T8 (VAX_k of IIH) */
    double *iv;          /* n: IV_k (Koopman) */
    double *fv;          /* n: FV_k */
    double *dfwd;        /* n: D_k = v_k (L^ss E^{s*})_k */
    double *rca;         /* n: value-added RCA */
    double *gvc_p;       /* n: participation (NaN when E_k = 0) */
    double *gvc_pos;     /* n: position (NaN when E_k = 0) */
    double max_identity_err; /* max relative |sum T1..T16 - c_k E^{sr}| over (k, r) with
                              * c_k = sum_t (V^t B^ts)_k (= 1 when v'B = 1'); the scale is
                              * |Y_kr| + sum_{j in r} |Z_kj| (gross flows, never 0 when checked) */
    double max_va_gap;       /* max_k |1 - c_k| over non-zero-output sectors: the value-added
                              * identity v'B = 1' behind "the terms sum to exports"; it fails only
                              * where a zero-output sector (v = 0) still supplies inputs */
    int n_gvc_zero_exports;  /* sectors with E_k = 0: gvc_p and gvc_pos are NaN there */
    int n_gvc_pos_undefined; /* sectors with E_k != 0 but 1 + IV/E <= 0 or 1 + FV/E <= 0
                              * (negative exports): gvc_pos is NaN there */
    int n_rca_undefined;     /* sectors whose region or industry has sum D = 0: rca is NaN */
} sf_decomp;

typedef struct {
    int store_sector;    /* fill wwz_sector (n x G x 16) */
} sf_decomp_opts;

/* Assemble everything from the table, derived quantities and products.
 * Local inverses L^ss are computed inside (LAPACK). Returns SF_OK or
 * SF_EINTERNAL (singular local block: message names region and sector;
 * products that do not match the table; non-finite results, i.e. products
 * holding NaN/Inf: out is then freed). o may be NULL (no sector storage). */
int sf_decompose(const sf_labels *lab, const sf_table *t, const sf_derived *d, const sf_products *p,
                 const sf_decomp_opts *o, sf_decomp *out, sf_err *e);
void sf_decomp_free(sf_decomp *out);

/* Five transfer routes of T for origin a and absorber b (docs/methods.md section 6):
 * out[5 * N_a]: per origin sector, routes FIN, INT, INTREX_b, INT_d, INTREX_d
 * (out[5 * (k - region_start[a]) + route]).
 * Requires a focal region in the products and a == focal or b == focal. */
#define SF_ROUTE_N 5
extern const char *const sf_route_names[SF_ROUTE_N];
int sf_routes(const sf_labels *lab, const sf_table *t, const sf_derived *d, const sf_products *p, int a, int b,
              double *out, sf_err *e);

/* Dense inverse by blocked Gauss-Jordan (src/core/inverse.c): M (n x n,
 * column-major, leading dimension ld) := M^-1 in place, pivot blocks of nb
 * (<= 0: SF_GJ_BLOCK) inverted with partial pivoting inside the block, no
 * pivoting between blocks: for column diagonally dominant matrices such as a
 * Leontief I - A. Returns 0, or 1 when a pivot block is singular or badly
 * conditioned (reciprocal condition < 1e-10): M is then destroyed and *bad
 * (when not NULL) is the 0-based column where it was found. */
#define SF_GJ_BLOCK 384 /* n = 4915: 7% faster than 192 on 1 and 2 threads and with two processes at once (bench/README.md) */
int sf_gj_invert(int n, double *M, int ld, int nb, int *bad);

#endif
