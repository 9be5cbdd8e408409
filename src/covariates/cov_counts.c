/* Counts over time of the focal country's trade agreements (DESTA dyads) and
 * of the countries that signed BRI cooperation documents (Nedopil 2023), for
 * the Du (2025) series of the trade stage (docs/trade.md "Agreements"). */
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include "silkflow/covariates.h"
#include "cov_sources.h"

static int year_of_date(const char *s)
{
    if (!s || strlen(s) < 4) return 0;
    char y[5];
    memcpy(y, s, 4);
    y[4] = '\0';
    long v;
    return sf_parse_int(y, &v) || v < 1000 || v > 9999 ? 0 : (int)v;
}

/* DESTA: per year, the distinct base treaties with an entry of the focal in
 * force (entryforceyear <= t) and the distinct other countries of those entries. */
static int count_desta(const char *path, int fnum, sf_cov_counts *c, sf_err *e)
{
    sf_frame *f = NULL;
    int rc = sf_frame_read_csv(path, &f, e);
    if (rc) return rc;
    const sf_column *i1 = sf_frame_col(f, "iso1"), *i2 = sf_frame_col(f, "iso2"), *bt = sf_frame_col(f, "base_treaty"),
                    *ey = sf_frame_col(f, "entryforceyear"), *et = sf_frame_col(f, "entry_type");
    if (!i1 || !i2 || !bt || !ey || !et || i1->type || i2->type || bt->type || ey->type || et->type != SF_COL_STR) {
        sf_frame_free(f);
        return sf_fail(e, SF_EUSER, "%s: line 1: expected numeric columns iso1, iso2, base_treaty, entryforceyear "
                                    "and entry_type", path);
    }
    for (int t = 0; t < c->n; t++) {
        const int y = c->year[t];
        int nb = 0, np = 0;
        double *base = sf_malloc(sizeof(double) * (f->nrow + 1));
        unsigned char partner[1000] = {0};
        for (size_t i = 0; i < f->nrow; i++) {
            const double a = i1->num[i], b = i2->num[i];
            if (!(a == fnum || b == fnum) || !isfinite(ey->num[i]) || ey->num[i] > y) continue;
            if (et->str[i] && strstr(et->str[i], "withdraw")) continue;
            const int other = (int)(a == fnum ? b : a);
            if (other >= 0 && other < 1000 && !partner[other]) {
                partner[other] = 1;
                np++;
            }
            int seen = 0;
            for (int k = 0; k < nb && !seen; k++) seen = base[k] == bt->num[i];
            if (!seen) base[nb++] = bt->num[i];
        }
        free(base);
        c->fta_agreements[t] = nb;
        c->fta_partners[t] = np;
    }
    sf_frame_free(f);
    return SF_OK;
}

/* Nedopil: countries other than the focal with a joining date in or before t
 * and no exit in or before t; signatories without a date are counted apart. */
static int count_bri(const char *path, const char *focal, sf_cov_counts *c, sf_err *e)
{
    sf_frame *f = NULL;
    int rc = sf_frame_read_csv(path, &f, e);
    if (rc) return rc;
    const sf_column *cc = sf_frame_col(f, "Country Code"), *jd = sf_frame_col(f, "Likely date of joining"),
                    *xd = sf_frame_col(f, "Likely date of exit");
    if (!cc || cc->type != SF_COL_STR || !jd) {
        sf_frame_free(f);
        return sf_fail(e, SF_EUSER, "%s: line 1: expected columns 'Country Code', 'Likely date of joining'", path);
    }
    c->bri_undated = 0;
    for (size_t i = 0; i < f->nrow; i++) {
        if (!cc->str[i] || !strcmp(cc->str[i], focal)) continue;
        const int j = jd->type == SF_COL_STR ? year_of_date(jd->str[i]) : 0;
        const int x = xd && xd->type == SF_COL_STR ? year_of_date(xd->str[i]) : 0;
        if (!j) {
            c->bri_undated++;
            continue;
        }
        for (int t = 0; t < c->n; t++)
            if (j <= c->year[t] && !(x && x <= c->year[t])) c->bri_signatories[t]++;
    }
    sf_frame_free(f);
    return SF_OK;
}

int sf_cov_agreement_counts(const char *dir, const char *focal, int y0, int y1, sf_cov_counts *c, sf_err *e)
{
    memset(c, 0, sizeof *c);
    c->n = y1 >= y0 ? y1 - y0 + 1 : 0;
    const size_t n = (size_t)(c->n ? c->n : 1);
    c->year = sf_malloc(sizeof(int) * n);
    c->fta_agreements = sf_malloc(sizeof(double) * n);
    c->fta_partners = sf_malloc(sizeof(double) * n);
    c->bri_signatories = sf_calloc(n, sizeof(double));
    for (int t = 0; t < c->n; t++) {
        c->year[t] = y0 + t;
        c->fta_agreements[t] = c->fta_partners[t] = NAN;
    }
    c->bri_undated = -1;
    int rc = SF_OK;
    char *desta = cov_find_source(dir, "desta_list_of_treaties_*dyads*.csv", NULL);
    char *bri = cov_find_source(dir, "bri_signatories*.csv", NULL);
    const int fnum = sf_iso_alpha3_to_numeric(focal);
    if (desta && fnum >= 0) {
        rc = count_desta(desta, fnum, c, e);
        c->desta_file = sf_strdup(sf_basename(desta));
    }
    if (!rc && bri) {
        rc = count_bri(bri, focal, c, e);
        c->bri_file = sf_strdup(sf_basename(bri));
    } else {
        for (int t = 0; t < c->n; t++) c->bri_signatories[t] = NAN;
    }
    free(desta);
    free(bri);
    return rc;
}

void sf_cov_counts_free(sf_cov_counts *c)
{
    free(c->year);
    free(c->fta_agreements);
    free(c->fta_partners);
    free(c->bri_signatories);
    free(c->desta_file);
    free(c->bri_file);
    memset(c, 0, sizeof *c);
}
