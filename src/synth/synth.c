/* silkflow: synthetic releases in the exact Eora26 on-disk layout.
 *
 * How a year is made (all quantities in thousands of current US$):
 *   1. final demand F (n x 6G) from region demand D_r(t), domestic bias and
 *      gravity imports; f = row sums of F;
 *   2. the expected technology: domestic blocks A_dom (stored, small) and a
 *      separable import part E[A_imp]_ij = pi_i g(s,r) m_r c_j; xhat solves
 *      xhat = (A_dom + E[A_imp]) xhat + f by fixed-point iteration (cheap:
 *      the import part is applied through region sums);
 *   3. T is streamed row by row: Z_ij = A_dom_ij xhat_j at home and
 *      E[A_imp]_ij xhat_j times mean-one noise abroad, the row's exports then
 *      scaled to their expectation (so row sums equal xhat - f), small flows
 *      thinned to 0 or ~min_flow keeping their expectation; no n x n storage,
 *      row sums R and column sums C are accumulated on the way;
 *   4. x = R + f (rows balance exactly), VA_j = x_j - C_j split over the
 *      primary-input rows (columns balance exactly), plus a deliberate
 *      imbalance of SF_SYNTH_IMBALANCE relative in the last row.
 * Since x = xhat, column sums of A = Z/x are the input shares c_j <= 0.75
 * moved only by the import noise of the column (checked: < 0.95 or fail).
 *
 * Randomness: one small generator (xoshiro256**, seeded through splitmix64)
 * per (seed, purpose, year, row): no global state, years independent.
 * Zip members are produced by zip_source_function callbacks that format
 * rows on demand (own number formatter, no printf per number), by default
 * in a producer thread while libzip deflates; nothing n x n is ever stored.
 */
#include "silkflow/numparse.h"
#include "silkflow/synth.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zip.h>

/* ---------------------------------------------------------------------------------------
 * Random numbers
 * ------------------------------------------------------------------------------------- */

typedef struct {
    uint64_t s[4];
} rng_t;

static inline uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Hash of a tuple, used to key streams and for per-cell draws. */
static uint64_t hash4(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    uint64_t x = a;
    uint64_t h = splitmix64(&x);
    x = h ^ (b * 0xD1342543DE82EF95ULL);
    h = splitmix64(&x);
    x = h ^ (c * 0xAF251AF3B0F025B5ULL);
    h = splitmix64(&x);
    x = h ^ (d * 0x9FB21C651E98DF25ULL);
    return splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t rng_next(rng_t *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

/* Stream purposes (part of the key, so streams never overlap). */
enum {
    TAG_REGION = 1, TAG_SECTOR, TAG_TECH, TAG_DOM, TAG_ZERO, TAG_COUNTS, TAG_QROW,
    TAG_Y_REGION = 101, TAG_Y_SECTOR, TAG_Y_DOM, TAG_Y_T, TAG_Y_F, TAG_Y_VA, TAG_Y_Q, TAG_Y_QY
};

static void rng_seed(rng_t *r, uint64_t seed, uint64_t tag, uint64_t year, uint64_t idx)
{
    uint64_t k = hash4(seed, tag, year, idx);
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&k);
}

/* uniform in [0, 1) */
static inline double rng_unif(rng_t *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }

/* two uniforms in [0, 1) from one draw (32 bits each: plenty for noise) */
static inline void rng_unif2(rng_t *r, double *a, double *b)
{
    uint64_t x = rng_next(r);
    *a = (double)(x >> 32) * 0x1.0p-32;
    *b = (double)(x & 0xFFFFFFFFu) * 0x1.0p-32;
}

static double rng_gauss(rng_t *r)
{
    double u1 = rng_unif(r), u2 = rng_unif(r);
    if (u1 < 1e-300) u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* log-normal with median 1 */
static double rng_lognormal(rng_t *r, double sigma) { return exp(sigma * rng_gauss(r)); }

/* uniform in [0, 1) from a hash (for per-cell draws without a stream) */
static inline double hash_unif(uint64_t h) { return (double)(h >> 11) * 0x1.0p-53; }

/* ---------------------------------------------------------------------------------------
 * Number formatting: %.Pg without printf
 * ------------------------------------------------------------------------------------- */

static const double P10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                               1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static size_t format_slow(double v, int P, char *buf)
{
    char tmp[64];
    int k = snprintf(tmp, sizeof tmp, "%.*g", P, v);
    memcpy(buf, tmp, (size_t)k);
    return (size_t)k;
}

size_t sf_synth_format(double v, int P, char *buf)
{
    if (v == 0.0) {
        buf[0] = '0';
        return 1;
    }
    if (P < 1 || P > 15 || !isfinite(v)) return format_slow(v, P < 1 ? 1 : P, buf);
    char *p = buf;
    double a = v < 0 ? -v : v;
    int e2;
    frexp(a, &e2); /* a in [2^(e2-1), 2^e2) */
    /* floor(log10 a) is est or est + 1 */
    int e10 = (int)floor((e2 - 1) * 0.30102999566398120);
    double sc;
    int k = P - 1 - e10;
    if (k > 22 || k < -22) return format_slow(v, P, buf);
    sc = k >= 0 ? a * P10[k] : a / P10[-k];
    if (sc >= (double)sf_u10[P]) {
        e10++;
        k--;
        if (k < -22) return format_slow(v, P, buf);
        sc = k >= 0 ? a * P10[k] : a / P10[-k];
    }
    /* round to nearest like printf: a computed fraction of exactly one half
     * is resolved with the exact residual of the scaling (fma), ties to even */
    uint64_t m = (uint64_t)sc;
    double frac = sc - (double)m;
    if (frac > 0.5) {
        m++;
    } else if (frac == 0.5) {
        double res = k >= 0 ? fma(a, P10[k], -sc) : fma(-sc, P10[-k], a);
        if (res > 0 || (res == 0 && (m & 1))) m++;
    }
    if (m >= sf_u10[P]) { /* 9.99..95 rounded up to the next power of ten */
        m /= 10;
        e10++;
    }
    char d[20];
    for (int i = P - 1; i >= 0; i--) {
        d[i] = (char)('0' + m % 10);
        m /= 10;
    }
    int nd = P;
    while (nd > 1 && d[nd - 1] == '0') nd--;
    if (v < 0) *p++ = '-';
    if (e10 < -4 || e10 >= P) {
        *p++ = d[0];
        if (nd > 1) {
            *p++ = '.';
            for (int i = 1; i < nd; i++) *p++ = d[i];
        }
        *p++ = 'e';
        int ex = e10;
        if (ex < 0) {
            *p++ = '-';
            ex = -ex;
        } else {
            *p++ = '+';
        }
        if (ex >= 100) {
            *p++ = (char)('0' + ex / 100);
            ex %= 100;
        }
        *p++ = (char)('0' + ex / 10);
        *p++ = (char)('0' + ex % 10);
    } else if (e10 >= 0) {
        for (int i = 0; i <= e10; i++) *p++ = d[i];
        if (nd > e10 + 1) {
            *p++ = '.';
            for (int i = e10 + 1; i < nd; i++) *p++ = d[i];
        }
    } else {
        *p++ = '0';
        *p++ = '.';
        for (int i = 0; i < -e10 - 1; i++) *p++ = '0';
        for (int i = 0; i < nd; i++) *p++ = d[i];
    }
    return (size_t)(p - buf);
}

/* ---------------------------------------------------------------------------------------
 * Sector profiles by Eora26 sector type (index 0..25 in the Eora26 order).
 * c_in: intermediate input share of output; size: share of a region's output;
 * exp: export propensity; fd: final-demand weight; gfcf/gov: shares of the
 * sector's final demand going to P.51 / P.3g.
 * ------------------------------------------------------------------------------------- */

#define NTYPE 26
#define TYPE_ROW 24 /* the ROW account behaves like "Others" */

static const struct {
    double c_in, size, exp, fd, gfcf, gov;
} TYPES[NTYPE] = {
    {0.45, 3.0, 1.2, 2.0, 0.05, 0.00},  /* Agriculture */
    {0.40, 0.4, 1.0, 0.6, 0.00, 0.00},  /* Fishing */
    {0.45, 3.0, 2.5, 0.2, 0.05, 0.00},  /* Mining and Quarrying */
    {0.70, 5.0, 1.0, 6.0, 0.00, 0.00},  /* Food & Beverages */
    {0.68, 2.0, 1.6, 3.0, 0.02, 0.00},  /* Textiles and Wearing Apparel */
    {0.65, 2.0, 1.0, 0.6, 0.05, 0.00},  /* Wood and Paper */
    {0.70, 5.0, 2.0, 1.5, 0.02, 0.02},  /* Petroleum, Chemical, Non-Metallic */
    {0.68, 4.0, 1.8, 0.5, 0.25, 0.00},  /* Metal Products */
    {0.65, 4.0, 2.2, 2.0, 0.45, 0.00},  /* Electrical and Machinery */
    {0.70, 4.0, 2.2, 2.5, 0.40, 0.02},  /* Transport Equipment */
    {0.62, 1.2, 1.2, 1.5, 0.15, 0.00},  /* Other Manufacturing */
    {0.55, 0.3, 0.5, 0.05, 0.00, 0.00}, /* Recycling */
    {0.50, 3.0, 0.2, 2.0, 0.00, 0.02},  /* Electricity, Gas and Water */
    {0.60, 6.0, 0.1, 8.0, 0.85, 0.02},  /* Construction */
    {0.45, 1.0, 0.3, 0.5, 0.05, 0.00},  /* Maintenance and Repair */
    {0.40, 6.0, 0.6, 3.0, 0.05, 0.00},  /* Wholesale Trade */
    {0.40, 5.0, 0.2, 6.0, 0.02, 0.00},  /* Retail Trade */
    {0.50, 3.0, 0.4, 4.0, 0.00, 0.02},  /* Hotels and Restaurants */
    {0.50, 5.0, 0.8, 2.0, 0.02, 0.03},  /* Transport */
    {0.40, 2.0, 0.3, 2.0, 0.05, 0.02},  /* Post and Telecommunications */
    {0.35, 10.0, 0.5, 5.0, 0.10, 0.02}, /* Financial Intermediation and Business */
    {0.35, 5.0, 0.05, 6.0, 0.00, 0.90}, /* Public Administration */
    {0.30, 8.0, 0.1, 8.0, 0.00, 0.50},  /* Education, Health and Other Services */
    {0.10, 0.3, 0.0, 1.0, 0.00, 0.00},  /* Private Households */
    {0.40, 2.0, 0.3, 2.0, 0.02, 0.10},  /* Others */
    {0.30, 0.5, 1.0, 0.5, 0.00, 0.00},  /* Re-export & Re-import */
};

/* ---------------------------------------------------------------------------------------
 * Label files
 * ------------------------------------------------------------------------------------- */

typedef struct {
    char **line;  /* raw text of each line, without line end */
    char ***fld;  /* fields of each line (trailing empty field dropped) */
    int *nfld;
    int n;
    char *path;
} labfile;

static void labfile_free(labfile *L)
{
    for (int i = 0; i < L->n; i++) {
        free(L->line[i]);
        for (int k = 0; k < L->nfld[i]; k++) free(L->fld[i][k]);
        free(L->fld[i]);
    }
    free(L->line);
    free(L->fld);
    free(L->nfld);
    free(L->path);
    memset(L, 0, sizeof *L);
}

static int labfile_read(const char *dir, const char *name, int minfld, labfile *L, sf_err *e)
{
    memset(L, 0, sizeof *L);
    L->path = sf_path_join(dir, name);
    size_t len;
    char *text = sf_read_file(L->path, &len, e);
    if (!text) return SF_EUSER;
    int cap = 1024;
    L->line = sf_malloc(sizeof(char *) * (size_t)cap);
    L->fld = sf_malloc(sizeof(char **) * (size_t)cap);
    L->nfld = sf_malloc(sizeof(int) * (size_t)cap);
    char *p = text, *end = text + len;
    int lineno = 0;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *le = nl ? nl : end;
        lineno++;
        size_t ll = (size_t)(le - p);
        if (ll > 0 && p[ll - 1] == '\r') ll--;
        if (ll == 0) { /* blank lines (e.g. at the end) are skipped */
            p = nl ? nl + 1 : end;
            continue;
        }
        if (L->n == cap) {
            cap *= 2;
            L->line = sf_realloc(L->line, sizeof(char *) * (size_t)cap);
            L->fld = sf_realloc(L->fld, sizeof(char **) * (size_t)cap);
            L->nfld = sf_realloc(L->nfld, sizeof(int) * (size_t)cap);
        }
        char *ln = sf_malloc(ll + 1);
        memcpy(ln, p, ll);
        ln[ll] = 0;
        int nf = 1;
        for (size_t i = 0; i < ll; i++) nf += ln[i] == '\t';
        char **f = sf_malloc(sizeof(char *) * (size_t)nf);
        int k = 0;
        char *q = ln;
        for (;;) {
            char *t = strchr(q, '\t');
            size_t fl = t ? (size_t)(t - q) : strlen(q);
            if (!t && fl == 0) break; /* trailing tab */
            f[k] = sf_malloc(fl + 1);
            memcpy(f[k], q, fl);
            f[k][fl] = 0;
            k++;
            if (!t) break;
            q = t + 1;
        }
        L->line[L->n] = ln;
        L->fld[L->n] = f;
        L->nfld[L->n] = k;
        L->n++;
        if (k < minfld) {
            free(text);
            return sf_fail(e, SF_EUSER, "%s:%d: expected at least %d tab-separated fields, found %d", L->path,
                           lineno, minfld, k);
        }
        p = nl ? nl + 1 : end;
    }
    free(text);
    if (L->n == 0) return sf_fail(e, SF_EUSER, "%s: no label lines", L->path);
    return SF_OK;
}

/* A region of the label files: consecutive lines with the same code. */
typedef struct {
    int first, count; /* lines in labels_T */
    int fd_first, fd_count;
} labregion;

static int group_regions(const labfile *L, labregion **out)
{
    int cap = 256, n = 0;
    labregion *r = sf_calloc((size_t)cap, sizeof *r);
    for (int i = 0; i < L->n; i++) {
        if (n > 0 && !strcmp(L->fld[i][1], L->fld[r[n - 1].first][1])) {
            r[n - 1].count++;
            continue;
        }
        if (n == cap) {
            cap *= 2;
            r = sf_realloc(r, sizeof *r * (size_t)cap);
        }
        r[n].first = i;
        r[n].count = 1;
        r[n].fd_first = -1;
        r[n].fd_count = 0;
        n++;
    }
    *out = r;
    return n;
}

/* text builder */
typedef struct {
    char *p;
    size_t n, cap;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = sf_realloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}
static void sb_str(sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }

/* ---------------------------------------------------------------------------------------
 * The prepared release
 * ------------------------------------------------------------------------------------- */

enum { QK_ZERO = 0, QK_ONES, QK_VATOTAL, QK_VAROW, QK_INT };

struct sf_synth {
    sf_synth_opts o;
    char *out_dir, *labels_dir;
    int G, n, ncat, nfd, nva, q;
    int *start;          /* G+1 */
    int *region;         /* n */
    int *type;           /* n: Eora26 sector type for the profiles */
    char **code;         /* G */
    /* label texts as written into every zip */
    sbuf lab[4];         /* T, FD, VA, Q */
    /* final-demand categories and primary inputs */
    double *cat_share;   /* ncat: base share of a sector's final demand */
    int inv_cat, hh_cat; /* changes in inventories (P.52), households (P.3h) */
    double *va_share;    /* nva: base share of value added */
    int sub_row, mixed_row;
    /* satellite rows */
    int *qkind, *qva, *qhh;
    double *qint, *qdens;
    /* regions (fixed by the seed) */
    double *share, *growth, *m, *h, *grav; /* grav[s*G + r]: share of r's imports from s */
    /* sectors (fixed by the seed) */
    double *pi, *qf, *cbase;             /* export weights, final-demand weights, input shares */
    unsigned char *zero;
    double *dombase;                     /* domestic supplier weights, per region k x k */
    size_t *dom_off;                     /* G+1 */
    double fd_world_2010;
    time_t mtime;
};

void sf_synth_opts_default(sf_synth_opts *o)
{
    memset(o, 0, sizeof *o);
    o->out_dir = NULL;
    o->labels_dir = NULL;
    o->regions = 190;
    o->sectors = 26;
    o->rows = 0;
    o->seed = 1;
    o->digits = 9;
    o->crlf = 0;
    o->level = 1;
    o->min_flow = 1.0;
    o->pipeline = 1;
}

int sf_synth_n(const sf_synth *s) { return s->n; }
int sf_synth_regions(const sf_synth *s) { return s->G; }
int sf_synth_nfd(const sf_synth *s) { return s->nfd; }
int sf_synth_q(const sf_synth *s) { return s->q; }

void sf_synth_free(sf_synth *s)
{
    if (!s) return;
    free(s->out_dir);
    free(s->labels_dir);
    free(s->start);
    free(s->region);
    free(s->type);
    if (s->code)
        for (int g = 0; g < s->G; g++) free(s->code[g]);
    free(s->code);
    for (int i = 0; i < 4; i++) free(s->lab[i].p);
    free(s->cat_share);
    free(s->va_share);
    free(s->qkind);
    free(s->qva);
    free(s->qhh);
    free(s->qint);
    free(s->qdens);
    free(s->share);
    free(s->growth);
    free(s->m);
    free(s->h);
    free(s->grav);
    free(s->pi);
    free(s->qf);
    free(s->cbase);
    free(s->zero);
    free(s->dombase);
    free(s->dom_off);
    free(s);
}

static int contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = hay; *p; p++)
        if (!strncasecmp(p, needle, n)) return 1;
    return 0;
}

static const char *last_field(const labfile *L, int i) { return L->fld[i][L->nfld[i] - 1]; }

/* Final-demand categories and primary inputs: recognised by name, so label
 * directories other than Eora's still work (unknown names get a generic share). */
static void setup_categories(sf_synth *s, const labfile *FD, const labregion *fdreg)
{
    s->cat_share = sf_calloc((size_t)s->ncat, sizeof(double));
    s->inv_cat = -1;
    s->hh_cat = 0;
    for (int c = 0; c < s->ncat; c++) {
        const char *nm = FD->fld[fdreg->fd_first + c][3];
        double sh = 0.05;
        if (contains_nocase(nm, "household")) sh = 1.0, s->hh_cat = c;
        else if (contains_nocase(nm, "non-profit")) sh = 0.015;
        else if (contains_nocase(nm, "government")) sh = 0.0;      /* from the sector profile */
        else if (contains_nocase(nm, "fixed capital")) sh = 0.0;   /* from the sector profile */
        else if (contains_nocase(nm, "inventor")) sh = 0.0, s->inv_cat = c;
        else if (contains_nocase(nm, "valuables")) sh = 0.003;
        s->cat_share[c] = sh;
    }
}

static void setup_va(sf_synth *s, const labfile *VA)
{
    s->va_share = sf_calloc((size_t)s->nva, sizeof(double));
    s->sub_row = -1;
    s->mixed_row = -1;
    for (int v = 0; v < s->nva; v++) {
        const char *nm = last_field(VA, v);
        double sh = 0.1;
        if (contains_nocase(nm, "compensation")) sh = 0.50;
        else if (contains_nocase(nm, "subsid")) sh = 0.0, s->sub_row = v;
        else if (contains_nocase(nm, "tax")) sh = 0.06;
        else if (contains_nocase(nm, "surplus")) sh = 0.22;
        else if (contains_nocase(nm, "mixed")) sh = 0.08, s->mixed_row = v;
        else if (contains_nocase(nm, "fixed capital")) sh = 0.14;
        s->va_share[v] = sh;
    }
}

/* Satellite rows: value-added rows mirror VA, the dummy stressor is all ones,
 * energy/emission/employment rows are intensities times output, deprecated
 * and everything else is zero (most of Eora's Q is zero for most sectors). */
static void setup_q(sf_synth *s, const labfile *Q)
{
    int q = s->q;
    s->qkind = sf_calloc((size_t)q, sizeof(int));
    s->qva = sf_calloc((size_t)q, sizeof(int));
    s->qhh = sf_calloc((size_t)q, sizeof(int));
    s->qint = sf_calloc((size_t)q, sizeof(double));
    s->qdens = sf_calloc((size_t)q, sizeof(double));
    static const char *va_keys[6] = {"wages", "taxes", "subsidies", "NOS", "NMI", "depreciation"};
    for (int i = 0; i < q; i++) {
        const char *blk = Q->fld[i][0];
        const char *all = Q->line[i];
        rng_t r;
        rng_seed(&r, s->o.seed, TAG_QROW, 0, (uint64_t)i);
        if (contains_nocase(all, "deprecated")) {
            s->qkind[i] = QK_ZERO;
        } else if (contains_nocase(blk, "Dummy stressor")) {
            s->qkind[i] = QK_ONES;
        } else if (!strncasecmp(blk, "Value added", 11)) {
            s->qkind[i] = QK_ZERO;
            if (contains_nocase(blk, "Total")) s->qkind[i] = QK_VATOTAL;
            for (int k = 0; k < 6 && s->nva == 6; k++)
                if (contains_nocase(blk, va_keys[k])) s->qkind[i] = QK_VAROW, s->qva[i] = k;
        } else if (contains_nocase(blk, "Energy Usage") || contains_nocase(blk, "-CO2 ") ||
                   contains_nocase(blk, "-CH4 ") || contains_nocase(blk, "-N2O ") ||
                   contains_nocase(blk, "Employment") || contains_nocase(blk, "CO2 emissions") ||
                   contains_nocase(blk, "Raw material inputs, total")) {
            s->qkind[i] = QK_INT;
            s->qint[i] = 1e-4 * rng_lognormal(&r, 1.5);
            s->qdens[i] = 0.15 + 0.6 * rng_unif(&r);
            /* households emit directly (fuel, cars): QY gets these rows */
            s->qhh[i] = !contains_nocase(blk, "Employment") && !contains_nocase(blk, "Raw material");
        }
    }
}

/* 1 when a comes before b: larger value first, ties by index */
static int before_desc(const double *v, int a, int b) { return v[a] > v[b] || (v[a] == v[b] && a < b); }

/* Insertion sort of idx by v descending (deterministic on ties): n is at
 * most a few hundred regions. */
static void sort_idx_desc(int *idx, int n, const double *v)
{
    for (int i = 1; i < n; i++) {
        int t = idx[i], j = i;
        while (j > 0 && before_desc(v, t, idx[j - 1])) {
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = t;
    }
}

void sf_synth_sector_counts(uint64_t seed, int G, int rows, const double *size, int *counts)
{
    int nc = G - 1; /* countries; the ROW account gets one sector */
    counts[G - 1] = 1;
    if (nc <= 0) return;
    double *raw = sf_malloc(sizeof(double) * (size_t)nc);
    rng_t r;
    rng_seed(&r, seed, TAG_COUNTS, 0, 0);
    /* like the full Eora: most countries at 26 sectors, some national
     * tables of 30-200, a few very detailed ones with hundreds */
    for (int g = 0; g < nc; g++) {
        double u = rng_unif(&r), v = rng_unif(&r);
        raw[g] = u < 0.55 ? 26 : u < 0.80 ? 30 + 50 * v : u < 0.93 ? 80 + 150 * v : 300 + 220 * v;
    }
    /* the largest regions get the largest tables */
    int *byraw = sf_malloc(sizeof(int) * (size_t)nc), *bysize = sf_malloc(sizeof(int) * (size_t)nc);
    for (int g = 0; g < nc; g++) byraw[g] = bysize[g] = g;
    sort_idx_desc(byraw, nc, raw);
    double *sz = sf_malloc(sizeof(double) * (size_t)nc);
    for (int g = 0; g < nc; g++) sz[g] = size ? size[g] : 1.0;
    sort_idx_desc(bysize, nc, sz);
    double *w = sf_malloc(sizeof(double) * (size_t)nc);
    for (int k = 0; k < nc; k++) w[bysize[k]] = raw[byraw[k]];
    /* scale to rows - 1 in total, at least one sector each; the 26-sector
     * countries keep 26 when the others can absorb the difference */
    long target = rows - 1;
    int n26 = 0;
    for (int g = 0; g < nc; g++) n26 += w[g] == 26;
    long rest = target - 26L * n26;
    int keep26 = n26 < nc && rest >= 2L * (nc - n26);
    double tot = 0;
    for (int g = 0; g < nc; g++)
        if (!keep26 || w[g] != 26) tot += w[g];
    long sum = 0;
    for (int g = 0; g < nc; g++) {
        if (keep26 && w[g] == 26) {
            counts[g] = 26;
        } else {
            long c = (long)floor(w[g] * (double)(keep26 ? rest : target) / tot);
            counts[g] = (int)(c < 1 ? 1 : c);
        }
        sum += counts[g];
    }
    /* the round robin below leaves the 26-sector countries alone when it can */
    if (keep26)
        for (int g = 0; g < nc; g++)
            if (w[g] == 26) w[g] = 0;
    /* fix the rounding, largest tables first, round robin */
    int *byw = sf_malloc(sizeof(int) * (size_t)nc);
    for (int g = 0; g < nc; g++) byw[g] = g;
    sort_idx_desc(byw, nc, w);
    for (int k = 0; sum < target; k = (k + 1) % nc) {
        counts[byw[k]]++;
        sum++;
    }
    for (int k = 0; sum > target; k = (k + 1) % nc) {
        if (counts[byw[k]] > 1) {
            counts[byw[k]]--;
            sum--;
        }
    }
    free(raw);
    free(byraw);
    free(bysize);
    free(sz);
    free(w);
    free(byw);
}

/* Regions: sizes, growth, locations, import shares, gravity. */
static void setup_regions(sf_synth *s)
{
    int G = s->G;
    s->share = sf_malloc(sizeof(double) * (size_t)G);
    s->growth = sf_malloc(sizeof(double) * (size_t)G);
    s->m = sf_malloc(sizeof(double) * (size_t)G);
    s->h = sf_malloc(sizeof(double) * (size_t)G);
    s->grav = sf_calloc((size_t)G * (size_t)G, sizeof(double));
    double *lat = sf_malloc(sizeof(double) * (size_t)G), *lon = sf_malloc(sizeof(double) * (size_t)G);
    double tot = 0;
    for (int g = 0; g < G; g++) {
        rng_t r;
        rng_seed(&r, s->o.seed, TAG_REGION, 0, (uint64_t)g);
        s->share[g] = rng_lognormal(&r, 2.0);
        s->growth[g] = 0.025 * rng_gauss(&r);
        lat[g] = asin(2 * rng_unif(&r) - 1);
        lon[g] = 6.283185307179586 * rng_unif(&r);
        if (g < G - 1) tot += s->share[g];
    }
    /* no country above ~20% of the world (the largest real economies): if the
     * draw is more concentrated, flatten it with a power alpha < 1 */
    if (G > 6) {
        double lo = 0, hi = 1, alpha = 1;
        for (int it = 0; it < 60; it++) {
            double t = 0, mx = 0;
            for (int g = 0; g < G - 1; g++) {
                double v = pow(s->share[g], alpha);
                t += v;
                if (v > mx) mx = v;
            }
            if (it == 0 && mx / t <= 0.2) break;
            if (mx / t > 0.2) hi = alpha;
            else lo = alpha;
            alpha = 0.5 * (lo + hi);
            if (it == 59) alpha = lo;
        }
        tot = 0;
        for (int g = 0; g < G - 1; g++) {
            s->share[g] = pow(s->share[g], alpha);
            tot += s->share[g];
        }
    }
    /* the ROW account is small (a statistical remainder), countries share the rest */
    const double row_share = 0.003;
    for (int g = 0; g < G - 1; g++) s->share[g] *= (1 - row_share) / tot;
    s->share[G - 1] = G > 1 ? row_share : 1.0;
    for (int g = 0; g < G; g++) {
        /* big economies import a smaller part of their inputs */
        double lr = log(s->share[g] * G);
        double m = 0.22 - 0.04 * lr;
        s->m[g] = m < 0.04 ? 0.04 : m > 0.45 ? 0.45 : m;
        s->h[g] = 0.6 * s->m[g];
    }
    /* gravity: r imports from s in proportion to size_s / distance(s, r) */
    for (int r = 0; r < G; r++) {
        double sum = 0;
        for (int g = 0; g < G; g++) {
            if (g == r) continue;
            double c = sin(lat[g]) * sin(lat[r]) + cos(lat[g]) * cos(lat[r]) * cos(lon[g] - lon[r]);
            c = c > 1 ? 1 : c < -1 ? -1 : c;
            double km = 6371.0 * acos(c);
            if (km < 300) km = 300;
            double v = pow(s->share[g], 0.9) / km;
            s->grav[(size_t)g * G + r] = v;
            sum += v;
        }
        for (int g = 0; g < G; g++)
            if (g != r && sum > 0) s->grav[(size_t)g * G + r] /= sum;
    }
    free(lat);
    free(lon);
}

/* Sectors: types, zero-output sectors, weights, input shares, domestic technology. */
static void setup_sectors(sf_synth *s)
{
    int G = s->G, n = s->n;
    s->type = sf_malloc(sizeof(int) * (size_t)n);
    s->region = sf_malloc(sizeof(int) * (size_t)n);
    s->pi = sf_malloc(sizeof(double) * (size_t)n);
    s->qf = sf_malloc(sizeof(double) * (size_t)n);
    s->cbase = sf_malloc(sizeof(double) * (size_t)n);
    s->zero = sf_calloc((size_t)n, 1);
    double *w = sf_malloc(sizeof(double) * (size_t)n);
    for (int g = 0; g < G; g++) {
        int k = s->start[g + 1] - s->start[g];
        for (int a = 0; a < k; a++) {
            int i = s->start[g] + a;
            s->region[i] = g;
            s->type[i] = g == G - 1 && k == 1 ? TYPE_ROW : k <= NTYPE ? a : (int)((long)a * NTYPE / k);
        }
    }
    /* zero-output sectors: about 0.4% of the rows, at least one, never the
     * last live sector of a region */
    {
        int nz = (int)(0.004 * n + 0.5);
        if (nz < 1) nz = 1;
        rng_t r;
        rng_seed(&r, s->o.seed, TAG_ZERO, 0, 0);
        int *live = sf_malloc(sizeof(int) * (size_t)G);
        for (int g = 0; g < G; g++) live[g] = s->start[g + 1] - s->start[g];
        int tries = 0;
        while (nz > 0 && tries < 100 * n) {
            tries++;
            int i = (int)(rng_unif(&r) * n);
            int g = s->region[i];
            if (g == G - 1 || s->zero[i] || live[g] < 2) continue;
            s->zero[i] = 1;
            live[g]--;
            nz--;
        }
        free(live);
    }
    for (int i = 0; i < n; i++) {
        rng_t r;
        rng_seed(&r, s->o.seed, TAG_SECTOR, 0, (uint64_t)i);
        int t = s->type[i];
        double z = s->zero[i] ? 0.0 : 1.0;
        w[i] = z * TYPES[t].size * rng_lognormal(&r, 0.6);
        s->pi[i] = w[i] * TYPES[t].exp * rng_lognormal(&r, 0.8);
        s->qf[i] = z * TYPES[t].fd * rng_lognormal(&r, 0.5);
        s->cbase[i] = z * TYPES[t].c_in * (0.85 + 0.2 * rng_unif(&r));
    }
    /* export and final-demand weights sum to one within each region */
    for (int g = 0; g < G; g++) {
        double sp = 0, sq = 0;
        for (int i = s->start[g]; i < s->start[g + 1]; i++) sp += s->pi[i], sq += s->qf[i];
        for (int i = s->start[g]; i < s->start[g + 1]; i++) {
            s->pi[i] = sp > 0 ? s->pi[i] / sp : 0;
            s->qf[i] = sq > 0 ? s->qf[i] / sq : 0;
        }
    }
    /* technology: affinity between sector types, log-normal */
    double tech[NTYPE * NTYPE];
    {
        rng_t r;
        rng_seed(&r, s->o.seed, TAG_TECH, 0, 0);
        for (int k = 0; k < NTYPE * NTYPE; k++) tech[k] = rng_lognormal(&r, 1.0);
    }
    /* domestic blocks: dense up to ~40 suppliers per column, sparser in the
     * detailed national tables */
    s->dom_off = sf_malloc(sizeof(size_t) * (size_t)(G + 1));
    s->dom_off[0] = 0;
    for (int g = 0; g < G; g++) {
        size_t k = (size_t)(s->start[g + 1] - s->start[g]);
        s->dom_off[g + 1] = s->dom_off[g] + k * k;
    }
    s->dombase = sf_malloc(sizeof(double) * (s->dom_off[G] ? s->dom_off[G] : 1));
    for (int g = 0; g < G; g++) {
        int k = s->start[g + 1] - s->start[g];
        double keep = k <= 40 ? 1.0 : 40.0 / k;
        for (int a = 0; a < k; a++) {
            int i = s->start[g] + a;
            rng_t r;
            rng_seed(&r, s->o.seed, TAG_DOM, 0, (uint64_t)i);
            double *row = s->dombase + s->dom_off[g] + (size_t)a * k;
            for (int b = 0; b < k; b++) {
                int j = s->start[g] + b;
                double u1, u2;
                rng_unif2(&r, &u1, &u2);
                double v = 0;
                if (a == b || u1 < keep)
                    v = w[i] * tech[s->type[i] * NTYPE + s->type[j]] * (a == b ? 4.0 : 1.0) * (0.2 + 1.6 * u2);
                row[b] = v;
            }
        }
    }
    free(w);
}

static int find_dir_with_labels(const char *dir)
{
    char *p = sf_path_join(dir, "labels_T.txt");
    int ok = sf_file_exists(p);
    free(p);
    return ok;
}

/* Default labels directory: data/eora26-labels next to the executable
 * (bin/silkflow -> ../data/eora26-labels), else in the data directory
 * (sf_datadir: an installed share/silkflow), else under the current directory. */
static char *default_labels_dir(void)
{
    char exe[4096];
    ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (k > 0) {
        exe[k] = 0;
        char *d = sf_dirname(exe);
        const char *rel[] = {"../data/eora26-labels", "../../data/eora26-labels", "data/eora26-labels"};
        for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
            char *p = sf_path_join(d, rel[i]);
            if (find_dir_with_labels(p)) {
                free(d);
                return p;
            }
            free(p);
        }
        free(d);
    }
    char *p = sf_path_join(sf_datadir(), "data/eora26-labels");
    if (find_dir_with_labels(p)) return p;
    free(p);
    if (find_dir_with_labels("data/eora26-labels")) return sf_strdup("data/eora26-labels");
    return NULL;
}

static void put_line(sbuf *b, const char *line, int crlf)
{
    sb_str(b, line);
    sb_str(b, crlf ? "\r\n" : "\n");
}

static void put_label(sbuf *b, const char *name, const char *code, const char *block, const char *item, int crlf)
{
    sb_str(b, name);
    sb_str(b, "\t");
    sb_str(b, code);
    sb_str(b, "\t");
    sb_str(b, block);
    sb_str(b, "\t");
    sb_str(b, item);
    sb_str(b, crlf ? "\t\r\n" : "\t\n");
}

/* the options of sf_synth_open */
static int check_opts(const sf_synth_opts *o, sf_err *e)
{
    if (o->regions < 2) return sf_fail(e, SF_EUSER, "--regions must be at least 2 (countries + ROW), got %d", o->regions);
    if (o->rows < 0 || o->rows > SF_SYNTH_MAX_ROWS)
        return sf_fail(e, SF_EUSER, "--rows must be between the number of regions and %d, got %d", SF_SYNTH_MAX_ROWS,
                       o->rows);
    if (o->rows > 0 && o->rows < o->regions)
        return sf_fail(e, SF_EUSER, "--rows %d is less than --regions %d (every region needs a sector)", o->rows,
                       o->regions);
    if (o->rows == 0 && o->sectors < 1) return sf_fail(e, SF_EUSER, "--sectors must be at least 1, got %d", o->sectors);
    if (o->digits < 3 || o->digits > 17) return sf_fail(e, SF_EUSER, "--digits must be within 3-17, got %d", o->digits);
    if (o->level < 0 || o->level > 9) return sf_fail(e, SF_EUSER, "--level must be within 0-9, got %d", o->level);
    if (!(o->min_flow >= 0) || !isfinite(o->min_flow))
        return sf_fail(e, SF_EUSER, "--min-flow must be a finite number >= 0");
    if (!o->out_dir || !*o->out_dir) return sf_fail(e, SF_EUSER, "--out DIR is required");
    return SF_OK;
}

/* the four label files of the release: the chosen regions' lines */
static void put_labels(sf_synth *s, const labregion *reg, const int *pick, const int *cnt, const labfile *T,
                       const labfile *FD, const labfile *VA, const labfile *Q)
{
    int crlf = s->o.crlf;
    for (int g = 0; g < s->G; g++) {
        const labregion *R = &reg[pick[g]];
        char **f0 = T->fld[R->first];
        for (int a = 0; a < cnt[g]; a++) {
            if (s->o.rows > 0 && g < s->G - 1) {
                char item[32];
                snprintf(item, sizeof item, "Sector %d", a + 1);
                put_label(&s->lab[0], f0[0], f0[1], f0[2], item, crlf);
            } else {
                put_line(&s->lab[0], T->line[R->first + a], crlf);
            }
        }
        for (int c = 0; c < s->ncat; c++) put_line(&s->lab[1], FD->line[R->fd_first + c], crlf);
    }
    for (int i = 0; i < VA->n; i++) put_line(&s->lab[2], VA->line[i], crlf);
    for (int i = 0; i < Q->n; i++) put_line(&s->lab[3], Q->line[i], crlf);
}

int sf_synth_open(const sf_synth_opts *o, sf_synth **out, sf_err *e)
{
    *out = NULL;
    int rc = check_opts(o, e);
    if (rc) return rc;

    sf_synth *s = sf_calloc(1, sizeof *s);
    s->o = *o;
    s->out_dir = sf_strdup(o->out_dir);
    s->o.out_dir = s->out_dir;
    if (o->labels_dir) {
        if (!sf_is_dir(o->labels_dir)) {
            sf_synth_free(s);
            return sf_fail(e, SF_EUSER, "--labels %s: not a directory", o->labels_dir);
        }
        s->labels_dir = sf_strdup(o->labels_dir);
    } else {
        s->labels_dir = default_labels_dir();
        if (!s->labels_dir) {
            sf_synth_free(s);
            return sf_fail(e, SF_EUSER,
                           "cannot find the Eora26 label files (data/eora26-labels next to the executable, in "
                           "the data directory or under the current directory); give --labels DIR");
        }
    }
    s->o.labels_dir = s->labels_dir;

    labfile T = {0}, FD = {0}, VA = {0}, Q = {0};
    labregion *reg = NULL, *fdreg = NULL;
    if ((rc = labfile_read(s->labels_dir, "labels_T.txt", 4, &T, e)) ||
        (rc = labfile_read(s->labels_dir, "labels_FD.txt", 4, &FD, e)) ||
        (rc = labfile_read(s->labels_dir, "labels_VA.txt", 1, &VA, e)) ||
        (rc = labfile_read(s->labels_dir, "labels_Q.txt", 1, &Q, e)))
        goto fail;
    int nreg = group_regions(&T, &reg);
    int nfdreg = group_regions(&FD, &fdreg);
    if (nreg < 2) {
        rc = sf_fail(e, SF_EUSER, "%s: needs at least 2 regions (countries and a final ROW account), found %d", T.path,
                     nreg);
        goto fail;
    }
    int ncountry = nreg - 1;
    if (o->regions - 1 > ncountry) {
        rc = sf_fail(e, SF_EUSER, "--regions %d: %s has only %d countries + ROW (at most --regions %d)", o->regions,
                     T.path, ncountry, nreg);
        goto fail;
    }
    /* match final-demand groups to regions by code */
    for (int g = 0; g < nreg; g++) {
        const char *code = T.fld[reg[g].first][1];
        for (int k = 0; k < nfdreg; k++)
            if (!strcmp(FD.fld[fdreg[k].first][1], code)) {
                reg[g].fd_first = fdreg[k].first;
                reg[g].fd_count = fdreg[k].count;
                break;
            }
    }
    s->G = o->regions;
    s->nva = VA.n;
    s->q = Q.n;
    /* chosen regions: the first G-1 countries and the ROW account (last) */
    int *pick = sf_malloc(sizeof(int) * (size_t)s->G);
    for (int g = 0; g < s->G - 1; g++) pick[g] = g;
    pick[s->G - 1] = nreg - 1;
    s->ncat = reg[pick[0]].fd_count;
    for (int g = 0; g < s->G; g++) {
        const labregion *R = &reg[pick[g]];
        if (R->fd_first < 0 || R->fd_count != s->ncat || s->ncat < 1) {
            rc = sf_fail(e, SF_EUSER, "%s: region %s needs %d final-demand categories like the first region, found %d",
                         FD.path, T.fld[R->first][1], s->ncat, R->fd_count);
            free(pick);
            goto fail;
        }
        if (o->rows == 0 && g < s->G - 1 && R->count < o->sectors) {
            rc = sf_fail(e, SF_EUSER, "--sectors %d: region %s has only %d sectors in %s", o->sectors,
                         T.fld[R->first][1], R->count, T.path);
            free(pick);
            goto fail;
        }
    }
    s->nfd = s->ncat * s->G;
    s->code = sf_calloc((size_t)s->G, sizeof(char *));
    for (int g = 0; g < s->G; g++) s->code[g] = sf_strdup(T.fld[reg[pick[g]].first][1]);

    /* region sizes first: heterogeneous sector counts depend on them */
    s->start = sf_malloc(sizeof(int) * (size_t)(s->G + 1));
    s->n = 0;
    setup_regions(s);
    int *cnt = sf_malloc(sizeof(int) * (size_t)s->G);
    if (o->rows > 0) {
        sf_synth_sector_counts(o->seed, s->G, o->rows, s->share, cnt);
    } else {
        for (int g = 0; g < s->G - 1; g++) cnt[g] = o->sectors;
        cnt[s->G - 1] = 1;
    }
    s->start[0] = 0;
    for (int g = 0; g < s->G; g++) s->start[g + 1] = s->start[g] + cnt[g];
    s->n = s->start[s->G];

    /* label texts */
    put_labels(s, reg, pick, cnt, &T, &FD, &VA, &Q);

    setup_categories(s, &FD, &reg[pick[0]]);
    setup_va(s, &VA);
    setup_q(s, &Q);
    setup_sectors(s);
    s->fd_world_2010 = 5.0e10;
    {
        /* fixed zip timestamps: local 2024-01-01 12:00 (zip stores local DOS time) */
        struct tm tm;
        memset(&tm, 0, sizeof tm);
        tm.tm_year = 2024 - 1900;
        tm.tm_mon = 0;
        tm.tm_mday = 1;
        tm.tm_hour = 12;
        tm.tm_isdst = -1;
        s->mtime = mktime(&tm);
    }
    free(cnt);
    free(pick);
    labfile_free(&T);
    labfile_free(&FD);
    labfile_free(&VA);
    labfile_free(&Q);
    free(reg);
    free(fdreg);
    *out = s;
    return SF_OK;
fail:
    labfile_free(&T);
    labfile_free(&FD);
    labfile_free(&VA);
    labfile_free(&Q);
    free(reg);
    free(fdreg);
    sf_synth_free(s);
    return rc ? rc : SF_EUSER;
}

/* ---------------------------------------------------------------------------------------
 * One year
 * ------------------------------------------------------------------------------------- */

typedef struct {
    const sf_synth *s;
    int year;
    double *D;       /* G: final demand of each region */
    double *c;       /* n: input shares this year */
    double *adom;    /* domestic coefficients this year (per region k x k) */
    double *F;       /* n x nfd */
    double *f;       /* n: row sums of F */
    double *xhat;    /* n: expected output */
    double *colimp;  /* n: c_j m_r xhat_j */
    double *eimp;    /* n: expected exports of each row to intermediate use abroad */
    double *R, *C;   /* n: row and column sums of Z as generated */
    double *x;       /* n */
    double *VA;      /* nva x n */
    double *hh;      /* G: household final demand per region (for QY) */
    int t_rows_done; /* rows of T generated so far */
    int va_ready;
    int failed;
    sf_err err;
    sf_synth_year_stats *st;
} year_t;

static void year_free(year_t *y)
{
    free(y->D);
    free(y->c);
    free(y->adom);
    free(y->F);
    free(y->f);
    free(y->xhat);
    free(y->colimp);
    free(y->eimp);
    free(y->R);
    free(y->C);
    free(y->x);
    free(y->VA);
    free(y->hh);
}

/* Thin a small flow: below min_flow it becomes 0 or ~min_flow with the
 * probability that keeps its expectation (many zeros, like real tables). */
static inline double thin(double z, double tau, rng_t *r)
{
    if (z >= tau || z <= 0) return z;
    double u1, u2;
    rng_unif2(r, &u1, &u2);
    return u1 * tau < z ? tau * (0.5 + u2) : 0.0;
}

static void year_final_demand(year_t *y)
{
    const sf_synth *s = y->s;
    int G = s->G, n = s->n, ncat = s->ncat, nfd = s->nfd;
    double tau = s->o.min_flow;
    double world = s->fd_world_2010 * exp(0.05 * (y->year - 2010));
    for (int g = 0; g < G; g++) {
        rng_t r;
        rng_seed(&r, s->o.seed, TAG_Y_REGION, (uint64_t)y->year, (uint64_t)g);
        y->D[g] = world * s->share[g] * exp(s->growth[g] * (y->year - 2010) + 0.03 * rng_gauss(&r));
    }
    double *sh = sf_malloc(sizeof(double) * (size_t)ncat);
    for (int i = 0; i < n; i++) {
        int si = s->region[i], t = s->type[i];
        double *Fi = y->F + (size_t)i * nfd;
        rng_t r;
        rng_seed(&r, s->o.seed, TAG_Y_F, (uint64_t)y->year, (uint64_t)i);
        /* category profile of this sector (inventories handled apart) */
        double tot = 0;
        for (int c = 0; c < ncat; c++) {
            double v = s->cat_share[c];
            if (c == s->hh_cat) v = 1.0 - TYPES[t].gfcf - TYPES[t].gov;
            if (s->ncat == 6 && c == 2) v = TYPES[t].gov;  /* P.3g */
            if (s->ncat == 6 && c == 3) v = TYPES[t].gfcf; /* P.51 */
            if (s->ncat == 6 && c == 5 && t != 7 && t != 10) v = 0; /* valuables: metals, jewellery */
            sh[c] = v < 0 ? 0 : v;
            tot += sh[c];
        }
        for (int c = 0; c < ncat; c++) sh[c] = tot > 0 ? sh[c] / tot : 0;
        double frow = 0;
        for (int g = 0; g < G; g++) {
            double *cell = Fi + (size_t)g * ncat;
            double base;
            if (g == si) base = y->D[g] * (1 - s->h[g]) * s->qf[i];
            else base = y->D[g] * s->h[g] * s->grav[(size_t)si * G + g] * s->qf[i];
            double total = 0;
            if (base > 0) {
                double u1, u2;
                rng_unif2(&r, &u1, &u2);
                total = g == si ? base * (0.95 + 0.1 * u1) : base * 4.0 * u1 * u2;
                double tg = 1e-4 * y->D[g]; /* never more than 1e-4 of the region's demand */
                total = thin(total, tg < tau ? tg : tau, &r);
            }
            for (int c = 0; c < ncat; c++) {
                double v = 0;
                if (total > 0) {
                    if (c == s->inv_cat) {
                        /* changes in inventories: about a third negative */
                        v = total * (0.06 * rng_unif(&r) - 0.02);
                    } else if (sh[c] > 0) {
                        v = total * sh[c] * (0.9 + 0.2 * rng_unif(&r));
                    }
                }
                cell[c] = v;
                frow += v;
            }
        }
        y->f[i] = frow;
    }
    free(sh);
    for (int g = 0; g < G; g++) {
        double hsum = 0;
        for (int i = 0; i < n; i++) hsum += y->F[(size_t)i * nfd + (size_t)g * ncat + s->hh_cat];
        y->hh[g] = hsum;
    }
}

/* Input shares and domestic coefficients of the year. */
static void year_technology(year_t *y)
{
    const sf_synth *s = y->s;
    int G = s->G;
    for (int i = 0; i < s->n; i++) {
        rng_t r;
        rng_seed(&r, s->o.seed, TAG_Y_SECTOR, (uint64_t)y->year, (uint64_t)i);
        double c = s->cbase[i] * (0.97 + 0.06 * rng_unif(&r));
        y->c[i] = c > 0.75 ? 0.75 : c;
    }
    double *colsum = sf_malloc(sizeof(double) * (size_t)(s->n ? s->n : 1));
    for (int g = 0; g < G; g++) {
        int k = s->start[g + 1] - s->start[g];
        const double *B = s->dombase + s->dom_off[g];
        double *A = y->adom + s->dom_off[g];
        for (int b = 0; b < k; b++) colsum[b] = 0;
        for (int a = 0; a < k; a++) {
            rng_t r;
            rng_seed(&r, s->o.seed, TAG_Y_DOM, (uint64_t)y->year, (uint64_t)(s->start[g] + a));
            for (int b = 0; b < k; b++) {
                double u1, u2;
                rng_unif2(&r, &u1, &u2);
                double v = B[(size_t)a * k + b] * (0.85 + 0.3 * u1);
                A[(size_t)a * k + b] = v;
                colsum[b] += v;
            }
        }
        for (int b = 0; b < k; b++) {
            int j = s->start[g] + b;
            double scale = colsum[b] > 0 ? y->c[j] * (1 - s->m[g]) / colsum[b] : 0;
            for (int a = 0; a < k; a++) A[(size_t)a * k + b] *= scale;
        }
    }
    free(colsum);
}

/* xhat = A_dom xhat + E[A_imp] xhat + f by fixed-point iteration; the
 * column sums of the expected A are c_j < 0.8, so it converges geometrically. */
static void year_solve(year_t *y)
{
    const sf_synth *s = y->s;
    int G = s->G, n = s->n;
    double *xn = sf_malloc(sizeof(double) * (size_t)n);
    double *u = sf_malloc(sizeof(double) * (size_t)G), *v = sf_malloc(sizeof(double) * (size_t)G);
    memcpy(y->xhat, y->f, sizeof(double) * (size_t)n);
    for (int it = 0; it < 500; it++) {
        for (int g = 0; g < G; g++) {
            double t = 0;
            for (int j = s->start[g]; j < s->start[g + 1]; j++) t += y->c[j] * y->xhat[j];
            u[g] = s->m[g] * t;
        }
        for (int g = 0; g < G; g++) {
            double t = 0;
            const double *gr = s->grav + (size_t)g * G;
            for (int r = 0; r < G; r++) t += gr[r] * u[r];
            v[g] = t;
        }
        double dmax = 0, xmax = 0;
        for (int g = 0; g < G; g++) {
            int k = s->start[g + 1] - s->start[g], j0 = s->start[g];
            const double *A = y->adom + s->dom_off[g];
            for (int a = 0; a < k; a++) {
                int i = j0 + a;
                double t = y->f[i] + s->pi[i] * v[g];
                const double *Ar = A + (size_t)a * k;
                for (int b = 0; b < k; b++) t += Ar[b] * y->xhat[j0 + b];
                xn[i] = t;
            }
        }
        for (int i = 0; i < n; i++) {
            double d = fabs(xn[i] - y->xhat[i]);
            if (d > dmax) dmax = d;
            if (fabs(xn[i]) > xmax) xmax = fabs(xn[i]);
            y->xhat[i] = xn[i];
        }
        if (dmax <= 1e-13 * xmax) break;
    }
    for (int i = 0; i < n; i++) {
        if (y->xhat[i] < 0) y->xhat[i] = 0; /* negative inventories can't push output below 0 */
        y->colimp[i] = y->c[i] * s->m[s->region[i]] * y->xhat[i];
    }
    /* expected intermediate exports of each row: pi_i sum_{r != s} g(s,r) sum_{j in r} colimp_j */
    for (int g = 0; g < G; g++) {
        double t = 0;
        for (int j = s->start[g]; j < s->start[g + 1]; j++) t += y->colimp[j];
        u[g] = t;
    }
    for (int g = 0; g < G; g++) {
        double t = 0;
        const double *gr = s->grav + (size_t)g * G;
        for (int r = 0; r < G; r++) t += gr[r] * u[r];
        for (int i = s->start[g]; i < s->start[g + 1]; i++) y->eimp[i] = s->pi[i] * t;
    }
    free(xn);
    free(u);
    free(v);
}

/* One row of T into z (n values); accumulates R and C. */
static void gen_t_row(year_t *y, int i, double *z)
{
    const sf_synth *s = y->s;
    int G = s->G, si = s->region[i];
    double tau = s->o.min_flow, pii = s->pi[i];
    rng_t r;
    rng_seed(&r, s->o.seed, TAG_Y_T, (uint64_t)y->year, (uint64_t)i);
    double rsum = 0, exports = 0;
    for (int g = 0; g < G; g++) {
        int j0 = s->start[g], j1 = s->start[g + 1];
        if (g == si) continue;
        double fac = pii * s->grav[(size_t)si * G + g];
        for (int j = j0; j < j1; j++) {
            double base = y->colimp[j] * fac, v = 0;
            if (base > 0) {
                double u1, u2;
                rng_unif2(&r, &u1, &u2);
                /* the threshold never exceeds 1e-3 of the column's imports, so
                 * thinning cannot pile flows on a small column */
                double tj = 1e-3 * y->colimp[j];
                v = thin(base * (0.4 + 1.2 * u1), tj < tau ? tj : tau, &r);
            }
            z[j] = v;
            exports += v;
        }
    }
    /* scale the row's exports to their expectation: then x = xhat (up to
     * the solver tolerance) and the noise only moves column sums a little */
    double rho = exports > 0 ? y->eimp[i] / exports : 0;
    for (int g = 0; g < G; g++) {
        int j0 = s->start[g], j1 = s->start[g + 1];
        if (g == si) {
            int k = j1 - j0;
            const double *A = y->adom + s->dom_off[g] + (size_t)(i - j0) * k;
            for (int b = 0; b < k; b++) z[j0 + b] = A[b] * y->xhat[j0 + b];
        } else if (rho != 1) {
            for (int j = j0; j < j1; j++) z[j] *= rho;
        }
    }
    for (int j = 0; j < s->n; j++) {
        rsum += z[j];
        y->C[j] += z[j];
    }
    y->R[i] = rsum;
}

/* After T: x, value added (split over the primary-input rows), stats. */
static int year_value_added(year_t *y)
{
    const sf_synth *s = y->s;
    int n = s->n, nva = s->nva;
    sf_synth_year_stats *st = y->st;
    double world = 0, maxcol = 0;
    int nzero = 0;
    for (int i = 0; i < n; i++) {
        y->x[i] = y->R[i] + y->f[i];
        world += y->x[i];
    }
    double *sh = sf_malloc(sizeof(double) * (size_t)nva);
    long nneg = 0;
    double maximb = 0;
    for (int j = 0; j < n; j++) {
        double xj = y->x[j], va = xj - y->C[j];
        rng_t r;
        rng_seed(&r, s->o.seed, TAG_Y_VA, (uint64_t)y->year, (uint64_t)j);
        if (xj <= 0) {
            if (xj < 0 || y->C[j] != 0) {
                free(sh);
                return sf_fail(&y->err, SF_EINTERNAL, "synth %d: sector %d has output %g and inputs %g (generator bug)",
                               y->year, j + 1, xj, y->C[j]);
            }
            nzero++;
            for (int v = 0; v < nva; v++) y->VA[(size_t)v * n + j] = 0;
            continue;
        }
        double colsum = y->C[j] / xj;
        if (colsum > maxcol) maxcol = colsum;
        if (!(colsum < 0.95)) {
            free(sh);
            return sf_fail(&y->err, SF_EINTERNAL,
                           "synth %d: column sum of A is %.3f for sector %d (generator out of its range)", y->year,
                           colsum, j + 1);
        }
        /* subsidies (negative) for about half the sectors, up to 5% of output */
        double sub = 0;
        if (s->sub_row >= 0) {
            double u1 = rng_unif(&r), u2 = rng_unif(&r);
            int t = s->type[j];
            double p = (t <= 2 || t == 12 || t == 18) ? 0.8 : 0.4; /* agriculture, energy, transport */
            if (u1 < p) sub = -0.05 * u2 * xj;
        }
        double tot = 0;
        for (int v = 0; v < nva; v++) {
            double b = s->va_share[v];
            if (v == s->mixed_row && s->type[j] <= 1) b *= 4; /* farmers and fishers */
            sh[v] = v == s->sub_row ? 0 : b * (0.7 + 0.6 * rng_unif(&r));
            tot += sh[v];
        }
        double rest = va - sub;
        for (int v = 0; v < nva; v++) {
            double val = v == s->sub_row ? sub : rest * sh[v] / tot;
            y->VA[(size_t)v * n + j] = val;
        }
        /* deliberate small imbalance in the last row, like a real release */
        double d = SF_SYNTH_IMBALANCE * xj * (2 * rng_unif(&r) - 1);
        y->VA[(size_t)(nva - 1) * n + j] += d;
        if (fabs(d) / (xj > 1 ? xj : 1) > maximb) maximb = fabs(d) / (xj > 1 ? xj : 1);
    }
    for (size_t k = 0; k < (size_t)nva * n; k++) nneg += y->VA[k] < 0;
    free(sh);
    long nfdneg = 0;
    for (size_t k = 0; k < (size_t)n * s->nfd; k++) nfdneg += y->F[k] < 0;
    st->world_output = world;
    st->max_colsum = maxcol;
    st->n_zero_output = nzero;
    st->n_negative_fd = nfdneg;
    st->n_negative_va = nneg;
    st->max_imbalance = maximb;
    y->va_ready = 1;
    return SF_OK;
}

/* Make sure x and VA exist (normally T was streamed before: members are
 * written in order; if a libzip ever reorders, generate T silently). */
static int year_need_va(year_t *y)
{
    if (y->va_ready) return SF_OK;
    if (y->failed) return y->err.code;
    if (y->t_rows_done < y->s->n) {
        double *z = sf_malloc(sizeof(double) * (size_t)y->s->n);
        for (int i = y->t_rows_done; i < y->s->n; i++) gen_t_row(y, i, z);
        y->t_rows_done = y->s->n;
        free(z);
    }
    int rc = year_value_added(y);
    if (rc) y->failed = 1;
    return rc;
}

/* ---------------------------------------------------------------------------------------
 * Zip members: rows formatted on demand
 * ------------------------------------------------------------------------------------- */

enum { M_T = 0, M_FD, M_VA, M_Q, M_QY };

/* With the pipeline on, a producer thread formats blocks of rows into a
 * small ring while libzip deflates the previous ones on the calling thread
 * (deflate and formatting cost about the same, so this nearly halves the
 * time on two cores). The bytes are the same either way. */
#define NBLK 3

typedef struct {
    year_t *y;
    int kind, nrows, ncols, row;
    size_t cap, pos, end, maxline;
    double *vals;  /* one row of numbers */
    char *zeros;   /* "0\t0\t...0<eol>" for all-zero rows */
    size_t zlen;
    uint64_t bytes;
    zip_error_t zerr;
    /* blocks: one in serial mode; a ring of NBLK with the producer thread */
    char *blk[NBLK];
    size_t blen[NBLK];
    int head, count, held, stop, threaded, eof;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
} member_t;

static void member_init(member_t *mb, year_t *y, int kind)
{
    const sf_synth *s = y->s;
    memset(mb, 0, sizeof *mb);
    mb->y = y;
    mb->kind = kind;
    switch (kind) {
    case M_T: mb->nrows = s->n, mb->ncols = s->n; break;
    case M_FD: mb->nrows = s->n, mb->ncols = s->nfd; break;
    case M_VA: mb->nrows = s->nva, mb->ncols = s->n; break;
    case M_Q: mb->nrows = s->q, mb->ncols = s->n; break;
    default: mb->nrows = s->q, mb->ncols = s->nfd; break;
    }
    zip_error_init(&mb->zerr);
}

static void member_stop(member_t *mb)
{
    if (mb->threaded) {
        pthread_mutex_lock(&mb->mu);
        mb->stop = 1;
        pthread_cond_broadcast(&mb->cv);
        pthread_mutex_unlock(&mb->mu);
        pthread_join(mb->th, NULL);
        pthread_mutex_destroy(&mb->mu);
        pthread_cond_destroy(&mb->cv);
        mb->threaded = 0;
    }
    for (int k = 0; k < NBLK; k++) {
        free(mb->blk[k]);
        mb->blk[k] = NULL;
    }
    free(mb->vals);
    free(mb->zeros);
    mb->zeros = NULL;
    mb->vals = NULL;
}

static void member_release(member_t *mb)
{
    member_stop(mb);
    zip_error_fini(&mb->zerr);
}

static size_t member_fill(member_t *mb, char *buf);

static void *member_producer(void *arg)
{
    member_t *mb = arg;
    for (;;) {
        pthread_mutex_lock(&mb->mu);
        while (mb->count == NBLK && !mb->stop) pthread_cond_wait(&mb->cv, &mb->mu);
        if (mb->stop) {
            pthread_mutex_unlock(&mb->mu);
            break;
        }
        int slot = (mb->head + mb->count) % NBLK;
        pthread_mutex_unlock(&mb->mu);
        size_t len = member_fill(mb, mb->blk[slot]); /* the slot is ours until pushed */
        pthread_mutex_lock(&mb->mu);
        mb->blen[slot] = len;
        mb->count++;
        pthread_cond_broadcast(&mb->cv);
        pthread_mutex_unlock(&mb->mu);
        if (len == 0) break; /* an empty block marks the end */
    }
    return NULL;
}

static int member_open(member_t *mb)
{
    const sf_synth *s = mb->y->s;
    int P = s->o.digits;
    member_stop(mb);
    mb->maxline = (size_t)mb->ncols * (size_t)(P + 10) + 4;
    mb->cap = mb->maxline + ((size_t)1 << 18);
    int nb = s->o.pipeline ? NBLK : 1;
    for (int k = 0; k < nb; k++) mb->blk[k] = sf_malloc(mb->cap);
    mb->head = mb->count = mb->held = mb->stop = mb->eof = 0;
    mb->vals = sf_malloc(sizeof(double) * (size_t)(mb->ncols ? mb->ncols : 1));
    mb->zlen = (size_t)mb->ncols * 2 - 1 + (s->o.crlf ? 2 : 1);
    mb->zeros = sf_malloc(mb->zlen);
    for (int j = 0; j < mb->ncols; j++) mb->zeros[2 * j] = '0', mb->zeros[2 * j + 1] = '\t';
    if (s->o.crlf) mb->zeros[mb->zlen - 2] = '\r';
    mb->zeros[mb->zlen - 1] = '\n';
    mb->row = 0;
    mb->pos = mb->end = 0;
    mb->bytes = 0;
    if (mb->kind == M_T) { /* (re)start T: the sums are accumulated while streaming */
        year_t *y = mb->y;
        memset(y->R, 0, sizeof(double) * (size_t)s->n);
        memset(y->C, 0, sizeof(double) * (size_t)s->n);
        y->t_rows_done = 0;
        y->va_ready = 0;
    }
    if (mb->kind == M_VA || mb->kind == M_Q) {
        int rc = year_need_va(mb->y);
        if (rc) return rc;
    }
    if (s->o.pipeline) {
        pthread_mutex_init(&mb->mu, NULL);
        pthread_cond_init(&mb->cv, NULL);
        if (pthread_create(&mb->th, NULL, member_producer, mb) != 0) {
            pthread_mutex_destroy(&mb->mu);
            pthread_cond_destroy(&mb->cv);
            return sf_fail(&mb->y->err, SF_EINTERNAL, "cannot start a thread");
        }
        mb->threaded = 1;
    }
    return SF_OK;
}

/* Fill vals with row 'row' of the member; returns 1 when the row is all zero
 * (then vals is not filled). */
static int member_row(member_t *mb, int row)
{
    year_t *y = mb->y;
    const sf_synth *s = y->s;
    int n = s->n, nfd = s->nfd;
    double *v = mb->vals;
    switch (mb->kind) {
    case M_T:
        gen_t_row(y, row, v);
        if (row + 1 > y->t_rows_done) y->t_rows_done = row + 1;
        return 0;
    case M_FD: memcpy(v, y->F + (size_t)row * nfd, sizeof(double) * (size_t)nfd); return 0;
    case M_VA: memcpy(v, y->VA + (size_t)row * n, sizeof(double) * (size_t)n); return 0;
    case M_Q: {
        int k = s->qkind[row];
        if (k == QK_ZERO) return 1;
        if (k == QK_ONES) {
            for (int j = 0; j < n; j++) v[j] = 1.0;
            return 0;
        }
        if (k == QK_VAROW) {
            memcpy(v, y->VA + (size_t)s->qva[row] * n, sizeof(double) * (size_t)n);
            return 0;
        }
        if (k == QK_VATOTAL) {
            for (int j = 0; j < n; j++) {
                double t = 0;
                for (int r = 0; r < s->nva; r++) t += y->VA[(size_t)r * n + j];
                v[j] = t;
            }
            return 0;
        }
        rng_t r;
        rng_seed(&r, s->o.seed, TAG_Y_Q, (uint64_t)y->year, (uint64_t)row);
        for (int j = 0; j < n; j++) {
            /* which sector types emit is fixed by the seed; amounts follow output */
            uint64_t hk = hash4(s->o.seed, TAG_QROW, (uint64_t)row, (uint64_t)s->type[j]);
            double val = 0;
            double u = rng_unif(&r);
            if (y->x[j] > 0 && hash_unif(hk) < s->qdens[row]) {
                double tf = exp(2.0 * (hash_unif(hk * 0x9E3779B97F4A7C15ULL) - 0.5) * 2.0);
                val = y->x[j] * s->qint[row] * tf * (0.9 + 0.2 * u);
            }
            v[j] = val;
        }
        return 0;
    }
    default: { /* QY: household direct emissions in the household column */
        if (s->qkind[row] != QK_INT || !s->qhh[row]) return 1;
        rng_t r;
        rng_seed(&r, s->o.seed, TAG_Y_QY, (uint64_t)y->year, (uint64_t)row);
        for (int c = 0; c < nfd; c++) v[c] = 0;
        for (int g = 0; g < s->G; g++) {
            double u = rng_unif(&r);
            v[(size_t)g * s->ncat + s->hh_cat] = y->hh[g] > 0 ? 0.2 * s->qint[row] * y->hh[g] * (0.8 + 0.4 * u) : 0;
        }
        return 0;
    }
    }
}

/* Format the next rows into buf (capacity mb->cap); returns the length,
 * 0 at the end of the member. */
static size_t member_fill(member_t *mb, char *buf)
{
    const sf_synth *s = mb->y->s;
    int P = s->o.digits, crlf = s->o.crlf;
    size_t end = 0;
    while (mb->row < mb->nrows && end + mb->maxline <= mb->cap) {
        char *p = buf + end;
        if (member_row(mb, mb->row)) {
            memcpy(p, mb->zeros, mb->zlen);
            p += mb->zlen;
        } else {
            const double *v = mb->vals;
            for (int j = 0; j < mb->ncols; j++) {
                if (j) *p++ = '\t';
                if (v[j] == 0.0) *p++ = '0';
                else p += sf_synth_format(v[j], P, p);
            }
            if (crlf) *p++ = '\r';
            *p++ = '\n';
        }
        end = (size_t)(p - buf);
        mb->row++;
    }
    return end;
}

/* Next block for the reader: sets pos/end into blk[head]; 0 at the end. */
static size_t member_next_block(member_t *mb)
{
    if (!mb->threaded) {
        mb->pos = 0;
        mb->end = member_fill(mb, mb->blk[0]);
        mb->head = 0;
        return mb->end;
    }
    pthread_mutex_lock(&mb->mu);
    if (mb->held) { /* give the consumed block back */
        mb->head = (mb->head + 1) % NBLK;
        mb->count--;
        mb->held = 0;
        pthread_cond_broadcast(&mb->cv);
    }
    while (mb->count == 0) pthread_cond_wait(&mb->cv, &mb->mu);
    mb->held = 1;
    mb->pos = 0;
    mb->end = mb->blen[mb->head];
    pthread_mutex_unlock(&mb->mu);
    return mb->end;
}

static zip_int64_t member_cb(void *ud, void *data, zip_uint64_t len, zip_source_cmd_t cmd)
{
    member_t *mb = ud;
    switch (cmd) {
    case ZIP_SOURCE_OPEN:
        if (member_open(mb)) {
            zip_error_set(&mb->zerr, ZIP_ER_INTERNAL, 0);
            return -1;
        }
        return 0;
    case ZIP_SOURCE_READ: {
        if (mb->y->failed) {
            zip_error_set(&mb->zerr, ZIP_ER_INTERNAL, 0);
            return -1;
        }
        if (mb->eof) return 0;
        if (mb->pos == mb->end && member_next_block(mb) == 0) {
            mb->eof = 1;
            return 0;
        }
        size_t k = mb->end - mb->pos;
        if (k > len) k = (size_t)len;
        memcpy(data, mb->blk[mb->head] + mb->pos, k);
        mb->pos += k;
        mb->bytes += k;
        return (zip_int64_t)k;
    }
    case ZIP_SOURCE_CLOSE:
        /* the thread ends and buffers go at once: one member is open at a time */
        member_stop(mb);
        return 0;
    case ZIP_SOURCE_STAT: {
        zip_stat_t *zs = data;
        zip_stat_init(zs);
        zs->mtime = mb->y->s->mtime;
        zs->valid |= ZIP_STAT_MTIME;
        return sizeof(*zs);
    }
    case ZIP_SOURCE_ERROR: return zip_error_to_data(&mb->zerr, data, len);
    case ZIP_SOURCE_FREE: return 0; /* owned by write_year */
    case ZIP_SOURCE_SUPPORTS: return ZIP_SOURCE_SUPPORTS_READABLE;
    default: zip_error_set(&mb->zerr, ZIP_ER_OPNOTSUPP, 0); return -1;
    }
}

int sf_synth_write_year(const sf_synth *s, int year, sf_synth_year_stats *st, sf_err *e)
{
    double t0 = sf_now();
    sf_synth_year_stats dummy;
    if (!st) st = &dummy;
    memset(st, 0, sizeof *st);
    st->year = year;
    int n = s->n, G = s->G;
    year_t y;
    memset(&y, 0, sizeof y);
    y.s = s;
    y.year = year;
    y.st = st;
    y.D = sf_malloc(sizeof(double) * (size_t)G);
    y.c = sf_malloc(sizeof(double) * (size_t)n);
    y.adom = sf_malloc(sizeof(double) * (s->dom_off[G] ? s->dom_off[G] : 1));
    y.F = sf_malloc(sizeof(double) * (size_t)n * (size_t)s->nfd);
    y.f = sf_malloc(sizeof(double) * (size_t)n);
    y.xhat = sf_malloc(sizeof(double) * (size_t)n);
    y.colimp = sf_malloc(sizeof(double) * (size_t)n);
    y.eimp = sf_malloc(sizeof(double) * (size_t)n);
    y.R = sf_calloc((size_t)n, sizeof(double));
    y.C = sf_calloc((size_t)n, sizeof(double));
    y.x = sf_malloc(sizeof(double) * (size_t)n);
    y.VA = sf_malloc(sizeof(double) * (size_t)n * (size_t)s->nva);
    y.hh = sf_malloc(sizeof(double) * (size_t)G);
    year_final_demand(&y);
    year_technology(&y);
    year_solve(&y);

    char name[64], fname[64], tname[80];
    snprintf(fname, sizeof fname, "Eora26_%d_bp.zip", year);
    snprintf(tname, sizeof tname, ".%s.part", fname);
    char *final = sf_path_join(s->out_dir, fname), *tmp = sf_path_join(s->out_dir, tname);
    unlink(tmp);
    int zerr = 0, rc = SF_OK;
    member_t mb[5];
    for (int k = 0; k < 5; k++) member_init(&mb[k], &y, k);
    zip_t *za = zip_open(tmp, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    if (!za) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, zerr);
        rc = sf_fail(e, SF_EUSER, "cannot create %s: %s", tmp, zip_error_strerror(&ze));
        zip_error_fini(&ze);
        goto done;
    }
    static const char *suffix[5] = {"T", "FD", "VA", "Q", "QY"};
    static const char *labname[4] = {"labels_T.txt", "labels_FD.txt", "labels_VA.txt", "labels_Q.txt"};
    for (int k = 0; k < 9; k++) {
        zip_source_t *src;
        const char *nm;
        if (k < 5) {
            snprintf(name, sizeof name, "Eora26_%d_bp_%s.txt", year, suffix[k]);
            nm = name;
            src = zip_source_function(za, member_cb, &mb[k]);
        } else {
            nm = labname[k - 5];
            src = zip_source_buffer(za, s->lab[k - 5].p, s->lab[k - 5].n, 0);
        }
        zip_int64_t idx = src ? zip_file_add(za, nm, src, ZIP_FL_OVERWRITE) : -1;
        if (idx < 0) {
            if (src) zip_source_free(src);
            rc = sf_fail(e, SF_EINTERNAL, "%s: cannot add %s: %s", tmp, nm, zip_strerror(za));
            zip_discard(za);
            goto done;
        }
        zip_int32_t method = s->o.level > 0 ? ZIP_CM_DEFLATE : ZIP_CM_STORE;
        if (zip_set_file_compression(za, (zip_uint64_t)idx, method, (zip_uint32_t)s->o.level) ||
            zip_file_set_mtime(za, (zip_uint64_t)idx, s->mtime, 0)) {
            rc = sf_fail(e, SF_EINTERNAL, "%s: %s: %s", tmp, nm, zip_strerror(za));
            zip_discard(za);
            goto done;
        }
    }
    if (zip_close(za) != 0) {
        if (y.failed || y.err.code) {
            rc = y.err.code ? y.err.code : SF_EINTERNAL;
            sf_fail(e, rc, "%s", y.err.msg);
        } else {
            rc = sf_fail(e, SF_EUSER, "cannot write %s: %s", tmp, zip_strerror(za));
        }
        zip_discard(za);
        unlink(tmp);
        goto done;
    }
    if (rename(tmp, final) != 0) {
        rc = sf_fail(e, SF_EUSER, "cannot rename %s to %s: %s", tmp, final, strerror(errno));
        unlink(tmp);
        goto done;
    }
    {
        struct stat sb;
        if (stat(final, &sb) == 0) st->zip_bytes = (uint64_t)sb.st_size;
        for (int k = 0; k < 5; k++) st->text_bytes += mb[k].bytes;
        for (int k = 0; k < 4; k++) st->text_bytes += s->lab[k].n;
    }
done:
    for (int k = 0; k < 5; k++) member_release(&mb[k]);
    free(final);
    free(tmp);
    year_free(&y);
    st->seconds = sf_now() - t0;
    return rc;
}
