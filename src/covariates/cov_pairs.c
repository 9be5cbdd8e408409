/* Covariates of the country pair: DIS (CEPII capital distance x Brent price,
 * in levels or, with dis_form = log, its logarithm)
 * and FTA (DESTA agreements in force). docs/covariates.md. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cov_build.h"

/* ======================= DIS: capital distance x oil price ======================= */

/* Mean earth radius (IUGG), km. CEPII's distcap corresponds to a radius
 * about 0.094% larger (docs/covariates.md); the great-circle fallback is
 * used only for pairs dist_cepii.csv lacks. */
#define EARTH_R_KM 6371.0

static double great_circle(double la1, double lo1, double la2, double lo2)
{
    const double rad = M_PI / 180.0;
    double p1 = la1 * rad, p2 = la2 * rad, dp = (la2 - la1) * rad, dl = (lo2 - lo1) * rad;
    double h = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);
    if (h > 1) h = 1;
    return 2 * EARTH_R_KM * asin(sqrt(h));
}

static int load_brent(const char *path, cov_cy *b, sf_err *e)
{
    sf_csv c;
    if (sf_csv_open_header(&c, path, 0, e)) return SF_EUSER;
    int r;
    int ncol = c.n, jd = sf_csv_find(&c, "Date"), jp = sf_csv_find(&c, "Price");
    if (jd < 0 || jp < 0) {
        sf_csv_close(&c);
        return sf_fail(e, SF_EUSER, "%s: line 1: expected columns Date, Price", path);
    }
    /* annual average = mean of the rows dated in that year (one row per year
     * in the annual file; a monthly or daily file works the same way) */
    cov_cy sum, cnt;
    cov_cy_init(&sum, COV_LONG_Y0, COV_LONG_Y1 - COV_LONG_Y0 + 1);
    cov_cy_init(&cnt, COV_LONG_Y0, COV_LONG_Y1 - COV_LONG_Y0 + 1);
    int rs = cov_cy_row(&sum, "brent"), rn = cov_cy_row(&cnt, "brent");
    int rc = SF_OK;
    while ((r = sf_csv_next(&c, e)) == 1) {
        if (sf_csv_blank(&c)) continue;
        const char *d = c.n == ncol ? c.cell[jd] : "";
        char ys[5] = {0};
        long y;
        double v;
        if (c.n == ncol) memcpy(ys, d, strlen(d) >= 4 ? 4 : strlen(d));
        if (c.n != ncol || strlen(d) < 4 || (d[4] && d[4] != '-' && d[4] != '/') || sf_parse_int(ys, &y)) {
            rc = sf_fail(e, SF_EUSER, "%s: line %ld: expected Date (YYYY-MM-DD), Price", path, c.line);
            break;
        }
        if (cov_cell_num(c.cell[jp], &v)) {
            rc = sf_fail(e, SF_EUSER, "%s: line %ld: price '%s' is not a number", path, c.line, c.cell[jp]);
            break;
        }
        if (!isfinite(v) || y < COV_LONG_Y0 || y > COV_LONG_Y1) continue;
        double s0 = cov_cy_get(&sum, rs, (int)y), n0 = cov_cy_get(&cnt, rn, (int)y);
        cov_cy_set(&sum, rs, (int)y, (isfinite(s0) ? s0 : 0) + v);
        cov_cy_set(&cnt, rn, (int)y, (isfinite(n0) ? n0 : 0) + 1);
    }
    if (r < 0) rc = SF_EUSER;
    sf_csv_close(&c);
    cov_cy_init(b, COV_LONG_Y0, COV_LONG_Y1 - COV_LONG_Y0 + 1);
    int rb = cov_cy_row(b, "brent");
    for (int y = COV_LONG_Y0; y <= COV_LONG_Y1; y++) {
        double n0 = cov_cy_get(&cnt, rn, y);
        if (n0 > 0) cov_cy_set(b, rb, y, cov_cy_get(&sum, rs, y) / n0);
    }
    cov_cy_free(&sum);
    cov_cy_free(&cnt);
    if (rc) cov_cy_free(b);
    return rc;
}

/* distcap for (focal, other) pairs: dist[k] for other code k in `want`. */
static int load_dist(const char *path, const char *fcode, const sf_strmap *want, double *dfwd, double *drev, sf_err *e)
{
    sf_csv c;
    if (sf_csv_open_header(&c, path, ',', e)) return SF_EUSER;
    int r;
    int ncol = c.n, jo = sf_csv_find(&c, "iso_o"), jd = sf_csv_find(&c, "iso_d"), jc = sf_csv_find(&c, "distcap");
    if (jo < 0 || jd < 0 || jc < 0) {
        sf_csv_close(&c);
        return sf_fail(e, SF_EUSER, "%s: line 1: expected columns iso_o, iso_d, distcap", path);
    }
    int rc = SF_OK;
    while ((r = sf_csv_next(&c, e)) == 1) {
        if (sf_csv_blank(&c)) continue;
        if (c.n != ncol) {
            rc = sf_fail(e, SF_EUSER, "%s: line %ld: %d fields, the header has %d", path, c.line, c.n, ncol);
            break;
        }
        int fwd = !strcmp(c.cell[jo], fcode), rev = !strcmp(c.cell[jd], fcode);
        if (!fwd && !rev) continue;
        int k = sf_strmap_get(want, fwd ? c.cell[jd] : c.cell[jo]);
        if (k < 0) continue;
        double v;
        if (cov_cell_num(c.cell[jc], &v) || (isfinite(v) && v < 0)) {
            rc = sf_fail(e, SF_EUSER, "%s: line %ld: distcap '%s' is not a distance", path, c.line, c.cell[jc]);
            break;
        }
        if (fwd && !isfinite(dfwd[k])) dfwd[k] = v;
        if (rev && !isfinite(drev[k])) drev[k] = v;
    }
    if (r < 0) rc = SF_EUSER;
    sf_csv_close(&c);
    return rc;
}

/* Capitals: code -> (lat, lon) from the row with cap = 1, else cap = 2,
 * else the first row of the code. lat/lon stored as "years" 0 and 1. */
static int load_geo(const char *path, cov_cy *g, sf_err *e)
{
    sf_csv c;
    if (sf_csv_open_header(&c, path, ',', e)) return SF_EUSER;
    int r;
    int ncol = c.n, ji = sf_csv_find(&c, "iso3"), jla = sf_csv_find(&c, "lat"), jlo = sf_csv_find(&c, "lon"),
        jc = sf_csv_find(&c, "cap");
    if (ji < 0 || jla < 0 || jlo < 0 || jc < 0) {
        sf_csv_close(&c);
        return sf_fail(e, SF_EUSER, "%s: line 1: expected columns iso3, lat, lon, cap", path);
    }
    cov_cy_init(g, 0, 3); /* 0 lat, 1 lon, 2 rank of the row (1 best) */
    int rc = SF_OK;
    while ((r = sf_csv_next(&c, e)) == 1) {
        if (sf_csv_blank(&c)) continue;
        if (c.n != ncol) {
            rc = sf_fail(e, SF_EUSER, "%s: line %ld: %d fields, the header has %d", path, c.line, c.n, ncol);
            break;
        }
        double la, lo, cap;
        if (cov_cell_num(c.cell[jla], &la) || cov_cell_num(c.cell[jlo], &lo) || cov_cell_num(c.cell[jc], &cap) ||
            !isfinite(la) || !isfinite(lo) || fabs(la) > 90 || fabs(lo) > 180) {
            rc = sf_fail(e, SF_EUSER, "%s: line %ld: bad lat/lon/cap", path, c.line);
            break;
        }
        double rank = cap == 1 ? 1 : (cap == 2 ? 2 : 3);
        int row = cov_cy_find(g, c.cell[ji]);
        if (row >= 0 && !(rank < cov_cy_get(g, row, 2))) continue;
        row = cov_cy_row(g, c.cell[ji]);
        cov_cy_set(g, row, 0, la);
        cov_cy_set(g, row, 1, lo);
        cov_cy_set(g, row, 2, rank);
    }
    if (r < 0) rc = SF_EUSER;
    sf_csv_close(&c);
    if (rc) cov_cy_free(g);
    return rc;
}

int cov_build_dis(ctx_t *x, sf_err *e)
{
    double *out;
    int col = cov_col_begin(x, "DIS", &out);
    char *pd = cov_find_note(x, "DIS", "dist_cepii*.csv");
    char *pg = cov_find_note(x, "DIS", "geo_cepii*.csv");
    char *pb = cov_find_note(x, "DIS", "brent-year*.csv");
    int rc = SF_OK;
    if (!pb || (!pd && !pg)) {
        rc = cov_source_absent(x, col, "DIS",
                           !pb ? "brent-year*.csv (Brent oil price)" : "dist_cepii*.csv or geo_cepii*.csv (CEPII)");
        free(pd);
        free(pg);
        free(pb);
        return rc;
    }
    cov_cy brent, geo;
    int have_geo = 0;
    if (load_brent(pb, &brent, e)) {
        free(pd);
        free(pg);
        free(pb);
        return SF_EUSER;
    }
    double *dist = sf_malloc(sizeof(double) * (size_t)(x->np + 1));
    int *gc_used = sf_calloc((size_t)x->np + 1, sizeof(int));
    for (int p = 0; p < x->np; p++) dist[p] = NAN;
    if (pd) {
        sf_strmap want;
        sf_strmap_init(&want, 0);
        for (int p = 0; p < x->np; p++) sf_strmap_put(&want, cov_cepii_dist_code(x->pc[p]), p);
        /* several partners may share a CEPII code (SRB, MNE -> YUG): index by code */
        double *fw = sf_malloc(sizeof(double) * (size_t)(x->np + 1)), *rv = sf_malloc(sizeof(double) * (size_t)(x->np + 1));
        for (int p = 0; p <= x->np; p++) fw[p] = rv[p] = NAN;
        rc = load_dist(pd, cov_cepii_dist_code(x->focal), &want, fw, rv, e);
        for (int p = 0; !rc && p < x->np; p++) {
            int k = sf_strmap_get(&want, cov_cepii_dist_code(x->pc[p]));
            dist[p] = isfinite(fw[k]) ? fw[k] : rv[k];
        }
        free(fw);
        free(rv);
        sf_strmap_free(&want);
    }
    if (!rc && pg) {
        rc = load_geo(pg, &geo, e);
        have_geo = !rc;
    }
    if (rc) goto done;
    int fg = have_geo ? cov_cy_find(&geo, cov_cepii_geo_code(x->focal)) : -1;
    cov_strs absent = {0};
    for (int p = 0; p < x->np; p++) {
        if (isfinite(dist[p])) continue;
        int pgr = have_geo ? cov_cy_find(&geo, cov_cepii_geo_code(x->pc[p])) : -1;
        if (fg >= 0 && pgr >= 0) {
            dist[p] = great_circle(cov_cy_get(&geo, fg, 0), cov_cy_get(&geo, fg, 1), cov_cy_get(&geo, pgr, 0),
                                   cov_cy_get(&geo, pgr, 1));
            gc_used[p] = 1;
        } else
            cov_list_partner(x, p, &absent);
    }
    for (int p = 0; p < x->np; p++) {
        if (!strcmp(x->pc[p], "MNE") && isfinite(dist[p]) && !gc_used[p])
            cov_rep_note(x->rep, "DIS: %s uses CEPII's Serbia and Montenegro entry (YUG, capital Belgrade): "
                                 "geo_cepii has no Podgorica", x->pg[p]);
    }
    for (int p = 0; p < x->np; p++)
        for (int t = 0; t < x->ny; t++) {
            int y = x->years[t];
            double b = cov_cy_get(&brent, 0, y);
            if (!isfinite(dist[p])) {
                cov_rep_cell(x->rep, col, 1, "no capital distance for the pair (CEPII)", x->pg[p], y);
                continue;
            }
            if (!(b > 0)) {
                cov_rep_cell(x->rep, col, 1, "no Brent price for the year", "", y);
                continue;
            }
            if (!(dist[p] > 0)) {
                cov_rep_cell(x->rep, col, 1, "capital distance is zero", x->pg[p], y);
                continue;
            }
            out[ROW(x, p, t)] = x->dis_log ? log(dist[p] * b) : dist[p] * b;
            if (gc_used[p])
                cov_rep_cell(x->rep, col, 0, "pair not in dist_cepii: great-circle distance of geo_cepii capitals",
                             x->pg[p], y);
        }
    cov_warn_absent(x, "DIS", "CEPII (dist_cepii, geo_cepii)", &absent, "their DIS is missing");
    cov_rep_note(x->rep, "DIS: %s", x->dis_log ? "dis_form = log: ln(capital distance km x Brent US$/bbl)"
                                                : "dis_form = level: capital distance km x Brent US$/bbl");
done:
    if (have_geo) cov_cy_free(&geo);
    cov_cy_free(&brent);
    free(dist);
    free(gc_used);
    free(pd);
    free(pg);
    free(pb);
    return rc;
}

/* ======================= FTA: DESTA dyads ======================= */

typedef struct {
    char base[32];
    int withdrawal;
    int eif, sign; /* entry-into-force and signature years, 0 = unknown */
} fta_entry;

typedef struct {
    fta_entry *e;
    int n, cap;
} fta_list;

static int parse_year_cell(const char *s, int *y)
{
    long v;
    if (sf_csv_missing(s)) {
        *y = 0;
        return 0;
    }
    if (sf_parse_int(s, &v) || v < 1000 || v > 3000) return -1;
    *y = (int)v;
    return 0;
}

int cov_build_fta(ctx_t *x, sf_err *e)
{
    double *out;
    int col = cov_col_begin(x, "FTA", &out);
    char *path = cov_find_note(x, "FTA", "desta_list_of_treaties_*dyads*.csv");
    if (!path) return cov_source_absent(x, col, "FTA", "desta_list_of_treaties_*dyads*.csv (DESTA)");
    int fnum = sf_iso_alpha3_to_numeric(x->focal);
    int *pnum = sf_malloc(sizeof(int) * (size_t)(x->np + 1));
    for (int p = 0; p < x->np; p++) pnum[p] = sf_iso_alpha3_to_numeric(x->pc[p]);
    fta_list *L = sf_calloc((size_t)x->np + 1, sizeof(fta_list));
    unsigned char *listed = sf_calloc(1000, 1);
    sf_csv c;
    int rc = SF_OK, r, last_sign = 0;
    if (sf_csv_open(&c, path, ',', e)) {
        rc = SF_EUSER;
        goto done;
    }
    r = sf_csv_next(&c, e);
    if (r <= 0) {
        rc = r == 0 ? sf_fail(e, SF_EUSER, "%s: empty file (no header line)", path) : SF_EUSER;
        sf_csv_close(&c);
        goto done;
    }
    int ncol = c.n, j1 = sf_csv_find(&c, "iso1"), j2 = sf_csv_find(&c, "iso2"), jb = sf_csv_find(&c, "base_treaty"),
        jt = sf_csv_find(&c, "entry_type"), jy = sf_csv_find(&c, "year"), je = sf_csv_find(&c, "entryforceyear");
    if (j1 < 0 || j2 < 0 || jb < 0 || jt < 0 || jy < 0 || je < 0) {
        sf_csv_close(&c);
        rc = sf_fail(e, SF_EUSER, "%s: line 1: expected columns iso1, iso2, base_treaty, entry_type, year, "
                                  "entryforceyear", path);
        goto done;
    }
    while ((r = sf_csv_next(&c, e)) == 1) {
        if (sf_csv_blank(&c)) continue;
        if (c.n != ncol) {
            rc = sf_fail(e, SF_EUSER, "%s: line %ld: %d fields, the header has %d", path, c.line, c.n, ncol);
            break;
        }
        long a, b;
        int sy, ey;
        if (sf_parse_int(c.cell[j1], &a) || sf_parse_int(c.cell[j2], &b) || a < 0 || a > 999 || b < 0 || b > 999) {
            rc = sf_fail(e, SF_EUSER, "%s: line %ld: iso1/iso2 '%s'/'%s' are not ISO numeric codes", path, c.line,
                         c.cell[j1], c.cell[j2]);
            break;
        }
        if (parse_year_cell(c.cell[jy], &sy) || parse_year_cell(c.cell[je], &ey)) {
            rc = sf_fail(e, SF_EUSER, "%s: line %ld: year '%s' / entryforceyear '%s' is not a year", path, c.line,
                         c.cell[jy], c.cell[je]);
            break;
        }
        listed[a] = listed[b] = 1;
        if (sy > last_sign) last_sign = sy;
        long other = a == fnum ? b : (b == fnum ? a : -1);
        if (fnum < 0 || other < 0) continue;
        for (int p = 0; p < x->np; p++) {
            if (pnum[p] != other) continue;
            fta_list *l = &L[p];
            if (l->n == l->cap) {
                l->cap = l->cap ? 2 * l->cap : 8;
                l->e = sf_realloc(l->e, sizeof(fta_entry) * (size_t)l->cap);
            }
            fta_entry *en = &l->e[l->n++];
            snprintf(en->base, sizeof en->base, "%s", c.cell[jb]);
            en->withdrawal = strstr(c.cell[jt], "withdraw") != NULL;
            en->eif = ey;
            en->sign = sy;
        }
    }
    if (r < 0) rc = SF_EUSER;
    sf_csv_close(&c);
    if (rc) goto done;
    cov_strs nocode = {0}, unlisted = {0};
    char k_after[160];
    snprintf(k_after, sizeof k_after, "year after the DESTA coverage (last signature year %d)", last_sign);
    for (int p = 0; p < x->np; p++) {
        char lb[48];
        cov_label(x->pg[p], x->pc[p], lb, sizeof lb);
        if (pnum[p] < 0)
            cov_strs_add_unique(&nocode, lb);
        else if (!listed[pnum[p]])
            cov_strs_add_unique(&unlisted, lb);
        for (int t = 0; t < x->ny; t++) {
            int y = x->years[t];
            if (fnum < 0) {
                cov_rep_cell(x->rep, col, 1, "focal country has no ISO numeric code", x->focal_given, y);
                continue;
            }
            if (pnum[p] < 0) {
                cov_rep_cell(x->rep, col, 1, "no ISO numeric code (cannot be matched to DESTA)", x->pg[p], y);
                continue;
            }
            if (y > last_sign) {
                cov_rep_cell(x->rep, col, 1, k_after, "", y);
                continue;
            }
            /* in force in y: an entry (base treaty, accession, consolidated
             * version, ...) with entry into force <= y, not followed by a
             * withdrawal of the dyad from that base treaty in or before y */
            int inforce = 0;
            const fta_list *l = &L[p];
            for (int i = 0; i < l->n && !inforce; i++) {
                const fta_entry *en = &l->e[i];
                if (en->withdrawal || !en->eif || en->eif > y) continue;
                int gone = 0;
                for (int k = 0; k < l->n && !gone; k++) {
                    const fta_entry *w = &l->e[k];
                    int wy = w->eif ? w->eif : w->sign;
                    gone = w->withdrawal && !strcmp(w->base, en->base) && wy && wy <= y && wy >= en->eif;
                }
                inforce = !gone;
            }
            out[ROW(x, p, t)] = inforce;
        }
    }
    if (fnum >= 0 && !listed[fnum])
        cov_rep_warn(x->rep, "FTA: focal country %s is in no DESTA agreement: FTA = 0", x->focal);
    cov_warn_absent(x, "FTA", sf_basename(path), &nocode, "no ISO numeric code, their FTA is missing");
    cov_warn_absent(x, "FTA", sf_basename(path), &unlisted, "in no agreement at all, their FTA is 0");
done:
    for (int p = 0; p < x->np; p++) free(L[p].e);
    free(L);
    free(listed);
    free(pnum);
    free(path);
    return rc;
}
