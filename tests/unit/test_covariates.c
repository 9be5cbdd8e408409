/* Unit tests of the covariates module (src/covariates/covariates.c, cov_*.c) on the
 * real sources in data/covariates.
 *
 * Pinned values were computed independently from the raw files with short
 * /usr/bin/python3 scripts (csv module + numpy.var(ddof=1); the full
 * reference is tests/scripts/covariates_ref.py, run by
 * tests/scripts/covariates_reference.sh over every bri64 partner and year).
 *
 * With "--dump OUT FOCAL PARTNERS_FILE Y0 Y1" the program writes the frame
 * for those arguments to OUT (used by covariates_reference.sh) and exits. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "silkflow/common.h"
#include "silkflow/covariates.h"
#include "silkflow/frame.h"
#include "testlib.h"

#define DIR "data/covariates"

static char g_tmp[512];

static double cell(const sf_frame *f, const char *col, const char *partner, int year)
{
    sf_column *c = sf_frame_col(f, col), *p = sf_frame_col(f, "partner"), *y = sf_frame_col(f, "year");
    if (!c || !p || !y || c->type != SF_COL_NUM) return -12345;
    for (size_t i = 0; i < f->nrow; i++)
        if (p->str[i] && !strcmp(p->str[i], partner) && y->num[i] == year) return c->num[i];
    return -12345;
}

static const char *cell_str(const sf_frame *f, const char *col, const char *partner, int year)
{
    sf_column *c = sf_frame_col(f, col), *p = sf_frame_col(f, "partner"), *y = sf_frame_col(f, "year");
    if (!c || !p || !y || c->type != SF_COL_STR) return "(no column)";
    for (size_t i = 0; i < f->nrow; i++)
        if (p->str[i] && !strcmp(p->str[i], partner) && y->num[i] == year) return c->str[i];
    return "(no row)";
}

static size_t count_nan(const sf_frame *f, const char *col)
{
    sf_column *c = sf_frame_col(f, col);
    size_t n = 0;
    for (size_t i = 0; c && i < f->nrow; i++) n += c->type == SF_COL_NUM ? isnan(c->num[i]) : !c->str[i];
    return n;
}

static int has_text(const char *hay, const char *needle) { return hay && strstr(hay, needle) != NULL; }

static int any_warning(const sf_cov_report *r, const char *a, const char *b)
{
    for (int i = 0; i < r->nwarnings; i++)
        if (has_text(r->warnings[i], a) && (!b || has_text(r->warnings[i], b))) return 1;
    return 0;
}

static int any_reason(const sf_cov_colreport *c, int missing, const char *a, const char *b)
{
    int n = missing ? c->nmissing_why : c->nfilled_why;
    const sf_cov_reason *r = missing ? c->missing_why : c->filled_why;
    for (int i = 0; i < n; i++)
        if (has_text(r[i].text, a) && (!b || has_text(r[i].text, b))) return 1;
    return 0;
}

static char *tmp_path(const char *name)
{
    static char buf[8][640];
    static int k = 0;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/%s", g_tmp, name);
    return buf[k];
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    if (!fp) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(2);
    }
    fputs(text, fp);
    fclose(fp);
}

/* A directory holding links to the real sources except those whose name
 * starts with one of the skip prefixes. */
static void link_sources(const char *dir, const char *const *skip, int nskip)
{
    static const char *const FILES[] = {
        "API_NY.GDP.PCAP.CD_DS2_en_csv_v2_6298251.csv", "API_SL.TLF.TOTL.IN_DS2_en_csv_v2_5996631.csv",
        "Metadata_Country_API_SL.TLF.TOTL.IN_DS2_en_csv_v2_5996631.csv", "OGHIST_FY25_country_analytical_history.csv",
        "WGIData.csv", "brent-year.csv", "bri_signatories_nedopil2023.csv", "desta_list_of_treaties_02_02_dyads.csv",
        "dist_cepii.csv", "geo_cepii.csv", "hofstede_6d_2015-08-16.csv", "hofstede_insights_country_flat.csv",
        "wb_gdppc_gnipc_1960_2021.csv",
    };
    sf_mkdir_p(dir);
    char cwd[512];
    if (!getcwd(cwd, sizeof cwd)) exit(2);
    for (size_t i = 0; i < sizeof FILES / sizeof FILES[0]; i++) {
        int skipped = 0;
        for (int k = 0; k < nskip; k++) skipped |= !strncmp(FILES[i], skip[k], strlen(skip[k]));
        if (skipped) continue;
        char src[1200], dst[1200];
        snprintf(src, sizeof src, "%s/%s/%s", cwd, DIR, FILES[i]);
        snprintf(dst, sizeof dst, "%s/%s", dir, FILES[i]);
        if (symlink(src, dst)) {
            fprintf(stderr, "symlink %s failed\n", dst);
            exit(2);
        }
    }
}

/* ---------------------------------------------------------------------------------------- */

static void test_values(void)
{
    char *partners[] = {"RUS", "MMR", "MNG", "PAK", "SGP", "ITA", "USR", "ROM", "SUD"};
    int years[] = {1993, 1995, 1996, 1997, 1999, 2003, 2004, 2005, 2010, 2012, 2018, 2019, 2022, 2023};
    int np = 9, ny = 14;
    sf_frame *f = NULL;
    sf_cov_report rep = {0};
    sf_err e = {0};
    int rc = sf_covariates_build(DIR, "CHN", partners, np, years, ny, NULL, &f, &rep, &e);
    CHECK_MSG(rc == SF_OK, "%s", e.msg);
    if (rc) return;
    CHECK(f->nrow == (size_t)(np * ny));
    /* CHN-RUS 2010, every column by hand */
    CHECK_NEAR(cell(f, "POL", "RUS", 2010), 0.26105863597115819, 1e-12);
    CHECK_NEAR(cell(f, "ECO", "RUS", 2010), fabs(log(4550.47394361131) - log(10674.990234375)), 1e-12);
    CHECK_NEAR(cell(f, "DIS", "RUS", 2010), 5795.045 * 79.61, 1e-7); /* distcap CHN-RUS x Brent 2010, km x $ */
    CHECK_NEAR(cell(f, "LF", "RUS", 2010), log(75875081.0), 1e-12);
    CHECK(cell(f, "FTA", "RUS", 2010) == 0);
    CHECK(cell(f, "D1", "RUS", 2010) == 0); /* FY12 (2010 GNI): UM */
    CHECK(cell(f, "D1", "RUS", 2012) == 1); /* FY14 (2012 GNI): H */
    CHECK_NEAR(cell(f, "CUL", "RUS", 2010), 3.2549904995449257, 1e-12);
    CHECK(cell(f, "CUL_filled", "RUS", 2010) == 0);
    CHECK(!strcmp(cell_str(f, "group", "RUS", 2010), "CIS"));
    /* Russia signed, but the list gives no date: missing, not 0 */
    CHECK(isnan(cell(f, "BRI", "RUS", 2010)) && isnan(cell(f, "BRI_year", "RUS", 2010)));
    /* CUL is time-invariant */
    CHECK(cell(f, "CUL", "RUS", 1993) == cell(f, "CUL", "RUS", 2023));

    /* gap-year rule: 1997 from the mean of 1996 and 1998 estimates (and the
     * variances of those means); 1995 from 1996 (nearest, one year out);
     * 1993 is two years out: missing */
    CHECK_NEAR(cell(f, "POL", "RUS", 1997), 0.44823698205607237, 1e-12);
    CHECK_NEAR(cell(f, "POL", "RUS", 1999), 0.49425380995572882, 1e-12);
    CHECK_NEAR(cell(f, "POL", "RUS", 1995), 0.53022641693463746, 1e-12);
    CHECK(cell(f, "POL", "RUS", 1995) == cell(f, "POL", "RUS", 1996));
    CHECK(isnan(cell(f, "POL", "RUS", 1993)));
    CHECK(!isnan(cell(f, "POL", "RUS", 2023))); /* 2022 carried one year */
    const sf_cov_colreport *pol = sf_cov_report_col(&rep, "POL");
    CHECK(pol && pol->available);
    if (pol) {
        /* every partner with WGI data: 1995, 2023 nearest; 1997, 1999 interpolated; USR never */
        CHECK(any_reason(pol, 0, "interpolated", "1997,1999"));
        CHECK(any_reason(pol, 0, "nearest", "1995,2023"));
        /* 8 partners with WGI data x 4 filled years */
        CHECK_MSG(pol->filled == 8 * 4, "filled %zu", pol->filled);
        CHECK(any_reason(pol, 1, "outside", "1993"));
        CHECK(any_reason(pol, 1, "not in WGIData.csv", "USR"));
    }

    /* FTA: China-Pakistan (in force 2004), ASEAN-China (2005) */
    CHECK(cell(f, "FTA", "PAK", 2003) == 0 && cell(f, "FTA", "PAK", 2004) == 1);
    CHECK(cell(f, "FTA", "SGP", 2004) == 0 && cell(f, "FTA", "SGP", 2005) == 1);
    /* BRI: Italy joined 2019-03, left 2023-06 (status at the end of the year) */
    CHECK(cell(f, "BRI", "ITA", 2018) == 0 && cell(f, "BRI", "ITA", 2019) == 1 && cell(f, "BRI", "ITA", 2022) == 1 &&
          cell(f, "BRI", "ITA", 2023) == 0);
    CHECK(cell(f, "BRI_year", "ITA", 2010) == 2019);
    CHECK(cell(f, "BRI", "PAK", 2018) == 1 && cell(f, "BRI", "PAK", 2010) == 0 && cell(f, "BRI_year", "PAK", 2010) == 2013);

    /* CUL group-mean fill: Myanmar has no Hofstede scores: the mean of the
     * scored bri64 "Southeast Asia" countries (SGP MYS IDN THA VNM PHL);
     * Mongolia is alone in "East Asia": the mean of its WDI region */
    CHECK_NEAR(cell(f, "CUL", "MMR", 2010), 0.32255704984377315, 1e-12);
    CHECK(cell(f, "CUL_filled", "MMR", 2010) == 1);
    CHECK_NEAR(cell(f, "CUL", "MNG", 2010), 0.44192699391208151, 1e-12);
    CHECK(cell(f, "CUL_filled", "MNG", 2010) == 1);
    CHECK(!strcmp(cell_str(f, "group", "MNG", 2010), "East Asia"));
    const sf_cov_colreport *cul = sf_cov_report_col(&rep, "CUL");
    CHECK(cul && any_reason(cul, 0, "bri64 group", "MMR") && any_reason(cul, 0, "WDI region", "MNG"));

    /* historical codes: ROM = ROU, SUD = SDN (as given in the partner column) */
    CHECK_NEAR(cell(f, "POL", "ROM", 2010), 1.1234878475868191, 1e-12);
    CHECK(!isnan(cell(f, "DIS", "ROM", 2010)) && !isnan(cell(f, "LF", "SUD", 2010)));
    CHECK(!strcmp(cell_str(f, "group", "ROM", 2010), "Central and Eastern Europe"));

    /* a partner absent from the sources: NaN, counted, warned */
    CHECK(isnan(cell(f, "POL", "USR", 2010)) && isnan(cell(f, "ECO", "USR", 2010)) &&
          isnan(cell(f, "LF", "USR", 2010)) && isnan(cell(f, "DIS", "USR", 2010)) &&
          isnan(cell(f, "FTA", "USR", 2010)) && isnan(cell(f, "CUL", "USR", 2010)));
    CHECK(any_warning(&rep, "POL", "USR") && any_warning(&rep, "LF", "USR") && any_warning(&rep, "DIS", "USR"));
    CHECK(isnan(cell(f, "D1", "USR", 1993))); /* the USSR row (SUN) ends with FY92 = data year 1990 */

    /* the report counts exactly the NaN cells of each column */
    for (int i = 0; i < rep.ncols; i++) {
        const sf_cov_colreport *c = &rep.cols[i];
        CHECK_MSG(c->missing == count_nan(f, c->name), "%s: report %zu, frame %zu", c->name, c->missing,
                  count_nan(f, c->name));
        CHECK(c->cells == f->nrow);
    }
    char *text = sf_cov_report_text(&rep);
    CHECK(has_text(text, "POL: ") && has_text(text, "missing"));
    free(text);
    sf_cov_report_log(&rep); /* warnings to stderr (progress is quiet here) */
    sf_frame_free(f);
    sf_cov_report_free(&rep);
}

/* dis_form: log is ln(level) cell by cell; the log form is a partner effect
 * plus a year effect (its double difference across two partners and two
 * years is 0), the level form is not (the reason it is the default). */
static void test_dis_form(void)
{
    char *partners[] = {"RUS", "PAK", "SGP"};
    int years[] = {2003, 2010, 2015};
    sf_frame *fl = NULL, *fg = NULL;
    sf_cov_report r1 = {0}, r2 = {0};
    sf_err e = {0};
    sf_cov_options lv = {0}, lg = {.dis_log = 1};
    int rc = sf_covariates_build(DIR, "CHN", partners, 3, years, 3, &lv, &fl, &r1, &e);
    if (!rc) rc = sf_covariates_build(DIR, "CHN", partners, 3, years, 3, &lg, &fg, &r2, &e);
    CHECK_MSG(rc == SF_OK, "%s", e.msg);
    if (!rc) {
        for (int p = 0; p < 3; p++)
            for (int t = 0; t < 3; t++) {
                double a = cell(fl, "DIS", partners[p], years[t]), b = cell(fg, "DIS", partners[p], years[t]);
                CHECK_NEAR(b, log(a), 1e-12);
            }
        double dd_log = cell(fg, "DIS", "RUS", 2003) - cell(fg, "DIS", "RUS", 2015) - cell(fg, "DIS", "SGP", 2003) +
                        cell(fg, "DIS", "SGP", 2015);
        double dd_lev = cell(fl, "DIS", "RUS", 2003) - cell(fl, "DIS", "RUS", 2015) - cell(fl, "DIS", "SGP", 2003) +
                        cell(fl, "DIS", "SGP", 2015);
        CHECK(fabs(dd_log) < 1e-12);
        CHECK(fabs(dd_lev) > 1.0);
    }
    sf_frame_free(fl);
    sf_frame_free(fg);
    sf_cov_report_free(&r1);
    sf_cov_report_free(&r2);
}

static void test_missing_file(void)
{
    const char *skip[] = {"hofstede_"};
    char *dir = tmp_path("nohof");
    link_sources(dir, skip, 1);
    char *partners[] = {"RUS", "PAK"};
    int years[] = {2010, 2011};
    sf_cov_options opt = {.groups_file = "data/countries/bri64.csv"};
    sf_frame *f = NULL;
    sf_cov_report rep = {0};
    sf_err e = {0};
    int rc = sf_covariates_build(dir, "CHN", partners, 2, years, 2, &opt, &f, &rep, &e);
    CHECK_MSG(rc == SF_OK, "%s", e.msg);
    if (rc) return;
    CHECK(count_nan(f, "CUL") == 4 && count_nan(f, "CUL_filled") == 4);
    const sf_cov_colreport *c = sf_cov_report_col(&rep, "CUL");
    CHECK(c && !c->available && c->missing == 4);
    CHECK(any_warning(&rep, "CUL", "hofstede"));
    /* the rest is unaffected */
    CHECK_NEAR(cell(f, "POL", "RUS", 2010), 0.26105863597115819, 1e-12);
    CHECK(!strcmp(cell_str(f, "group", "PAK", 2010), "South Asia"));
    sf_frame_free(f);
    sf_cov_report_free(&rep);

    /* no sources at all: every column NaN, still no error */
    char *empty = tmp_path("empty");
    sf_mkdir_p(empty);
    rc = sf_covariates_build(empty, "CHN", partners, 2, years, 2, NULL, &f, &rep, &e);
    CHECK_MSG(rc == SF_OK, "%s", e.msg);
    if (rc) return;
    const char *cols[] = {"POL", "ECO", "CUL", "DIS", "FTA", "LF", "D1", "BRI", "BRI_year", "group"};
    for (int i = 0; i < 10; i++) {
        CHECK_MSG(count_nan(f, cols[i]) == 4, "%s", cols[i]);
        const sf_cov_colreport *cr = sf_cov_report_col(&rep, cols[i]);
        CHECK_MSG(cr && !cr->available, "%s", cols[i]);
    }
    sf_frame_free(f);
    sf_cov_report_free(&rep);
}

static void expect_user_error(const char *dir, const char *want1, const char *want2)
{
    char *partners[] = {"RUS"};
    int years[] = {2010};
    sf_cov_options opt = {.groups_file = "data/countries/bri64.csv"};
    sf_frame *f = NULL;
    sf_cov_report rep = {0};
    sf_err e = {0};
    int rc = sf_covariates_build(dir, "CHN", partners, 1, years, 1, &opt, &f, &rep, &e);
    CHECK_MSG(rc == SF_EUSER, "rc %d", rc);
    CHECK_MSG(has_text(e.msg, want1) && has_text(e.msg, want2), "message: %s", e.msg);
    CHECK(f == NULL && rep.ncols == 0);
    sf_frame_free(f);
    sf_cov_report_free(&rep);
}

static void test_malformed(void)
{
    const char *skip_brent[] = {"brent-year"};
    char *d1 = tmp_path("badbrent");
    link_sources(d1, skip_brent, 1);
    char p[700];
    snprintf(p, sizeof p, "%s/brent-year.csv", d1);
    write_file(p, "Date,Price\n1987-06-30,18.53\n1988-06-30,14.91\n1989-06-30,eighteen\n");
    expect_user_error(d1, "brent-year.csv: line 4", "eighteen");

    char *d2 = tmp_path("badwgi");
    sf_mkdir_p(d2);
    snprintf(p, sizeof p, "%s/WGIData.csv", d2);
    write_file(p, "\"Country Name\",\"Country Code\",\"Indicator Name\",\"Indicator Code\",\"1996\",\"1998\",\n"
                  "\"China\",\"CHN\",\"x\",\"CC.EST\",\"-0.2\",\"-0.3\",\n"
                  "\"Russia\",\"RUS\",\"x\",\"CC.EST\",\"-0.2\",\"n/a\",\n");
    expect_user_error(d2, "WGIData.csv: line 3", "n/a");

    char *d3 = tmp_path("baddist");
    sf_mkdir_p(d3);
    snprintf(p, sizeof p, "%s/dist_cepii.csv", d3);
    write_file(p, "iso_o,iso_d,contig,distcap\nCHN,RUS,1,5795.045\n\nCHN,ROM,0\n");
    snprintf(p, sizeof p, "%s/brent-year.csv", d3);
    write_file(p, "Date,Price\n2010-06-30,79.61\n");
    expect_user_error(d3, "dist_cepii.csv: line 4", "fields");

    char *d4 = tmp_path("badquote");
    sf_mkdir_p(d4);
    snprintf(p, sizeof p, "%s/OGHIST_x.csv", d4);
    write_file(p, "ISO3,COUNTRY,FY89,FY90,FY91\nCHN,China,L,L,L\nRUS,\"Russia,..,..,..\n");
    expect_user_error(d4, "OGHIST_x.csv: line 3", "quote");
}

static void test_iso_numeric(void)
{
    CHECK(!strcmp(sf_iso_numeric_to_alpha3(156), "CHN"));
    CHECK(!strcmp(sf_iso_numeric_to_alpha3(643), "RUS"));
    CHECK(!strcmp(sf_iso_numeric_to_alpha3(642), "ROU"));
    CHECK(!strcmp(sf_iso_numeric_to_alpha3(180), "COD") && !strcmp(sf_iso_numeric_to_alpha3(178), "COG"));
    CHECK(!strcmp(sf_iso_numeric_to_alpha3(688), "SRB") && !strcmp(sf_iso_numeric_to_alpha3(499), "MNE"));
    CHECK(!strcmp(sf_iso_numeric_to_alpha3(729), "SDN") && !strcmp(sf_iso_numeric_to_alpha3(728), "SSD"));
    CHECK(!strcmp(sf_iso_numeric_to_alpha3(736), "SDN") && sf_iso_alpha3_to_numeric("SDN") == 729);
    CHECK(!strcmp(sf_iso_numeric_to_alpha3(900), "XKX") && !strcmp(sf_iso_numeric_to_alpha3(158), "TWN"));
    CHECK(!strcmp(sf_iso_numeric_to_alpha3(275), "PSE") && !strcmp(sf_iso_numeric_to_alpha3(626), "TLS"));
    CHECK(!strcmp(sf_iso_numeric_to_alpha3(4), "AFG") && !strcmp(sf_iso_numeric_to_alpha3(894), "ZMB"));
    CHECK(sf_iso_numeric_to_alpha3(0) == NULL && sf_iso_numeric_to_alpha3(999) == NULL);
    CHECK(sf_iso_alpha3_to_numeric("USR") == -1 && sf_iso_alpha3_to_numeric("CHN") == 156);
    /* round trip over every code */
    int n = 0;
    for (int k = 1; k < 1000; k++) {
        const char *a = sf_iso_numeric_to_alpha3(k);
        if (!a) continue;
        n++;
        if (k != 736) CHECK_MSG(sf_iso_alpha3_to_numeric(a) == k, "%d %s", k, a);
    }
    CHECK_MSG(n == 252, "%d codes", n);
    /* against CEPII's geo_cepii cnum, which is ISO numeric except for a few
     * Comtrade reporter numbers (Belgium-Luxembourg 58, France 251, Italy
     * 381, Taiwan 490, Norway 579, India 699, South Africa 711, Switzerland
     * 757, USA 842, Serbia and Montenegro 891, Palestine 931) */
    sf_frame *g = NULL;
    sf_err e = {0};
    int rc = sf_frame_read_csv(DIR "/geo_cepii.csv", &g, &e);
    CHECK_MSG(rc == SF_OK, "%s", e.msg);
    if (rc) return;
    sf_column *iso = sf_frame_col(g, "iso3"), *cn = sf_frame_col(g, "cnum");
    int agree = 0, comtrade = 0, other = 0;
    for (size_t i = 0; i < g->nrow; i++) {
        int k = (int)cn->num[i];
        const char *a = sf_iso_numeric_to_alpha3(k);
        const char *c = iso->str[i];
        /* CEPII's old codes */
        if (!strcmp(c, "ROM")) c = "ROU";
        if (!strcmp(c, "ZAR")) c = "COD";
        if (!strcmp(c, "TMP")) c = "TLS";
        if (a && !strcmp(a, c))
            agree++;
        else if (k == 58 || k == 251 || k == 381 || k == 490 || k == 579 || k == 699 || k == 711 || k == 757 ||
                 k == 842 || k == 891 || k == 931)
            comtrade++;
        else {
            other++;
            fprintf(stderr, "geo_cepii %s cnum %d -> %s\n", c, k, a ? a : "(none)");
        }
    }
    /* 13 rows: South Africa and the USA have two rows each */
    CHECK_MSG(other == 0 && comtrade == 13 && agree == (int)g->nrow - 13, "%d %d %d", agree, comtrade, other);
    sf_frame_free(g);
}

static void test_partner_lists(void)
{
    char **codes;
    int n;
    sf_err e = {0};
    char *p = tmp_path("p_ok.txt");
    write_file(p, "# BRI sample\n\nrus   # Russia\n  POL\nTUR#Turkey\n\r\n");
    CHECK(sf_partner_list_read(p, &codes, &n, &e) == SF_OK);
    CHECK(n == 3 && !strcmp(codes[0], "RUS") && !strcmp(codes[1], "POL") && !strcmp(codes[2], "TUR"));
    sf_partner_list_free(codes, n);

    const char *bad[][2] = {
        {"RUS\nPOL\nCH\n", "line 3"},
        {"RUS\nPOL TUR\n", "line 2"},
        {"RUS\nR1S\n", "line 2"},
        {"RUS\nPOL\nrus\n", "line 3"},
        {"# nothing\n\n", "no country codes"},
    };
    for (int i = 0; i < 5; i++) {
        write_file(p, bad[i][0]);
        e.msg[0] = '\0';
        int rc = sf_partner_list_read(p, &codes, &n, &e);
        CHECK_MSG(rc == SF_EUSER && has_text(e.msg, bad[i][1]) && has_text(e.msg, "p_ok.txt"), "case %d: %s", i, e.msg);
    }
    CHECK(sf_partner_list_read(tmp_path("absent.txt"), &codes, &n, &e) == SF_EUSER);

    /* the shipped lists against their sources */
    sf_frame *b = NULL;
    CHECK(sf_frame_read_csv("data/countries/bri64.csv", &b, &e) == SF_OK);
    CHECK(sf_partner_list_read("configs/countries/bri64.txt", &codes, &n, &e) == SF_OK);
    CHECK(b && n == 64 && b->nrow == 64);
    for (int i = 0; b && i < n && i < 64; i++) CHECK(!strcmp(codes[i], sf_frame_col(b, "iso3")->str[i]));
    sf_partner_list_free(codes, n);
    sf_frame_free(b);
    CHECK(sf_partner_list_read("configs/countries/bri-wiod.txt", &codes, &n, &e) == SF_OK);
    const char *wiod[] = {"BGR", "CZE", "EST", "HUN", "IDN", "IND", "LTU", "LVA", "POL", "ROU", "RUS", "SVK", "SVN", "TUR"};
    CHECK(n == 14);
    for (int i = 0; i < n && i < 14; i++) CHECK(!strcmp(codes[i], wiod[i]));
    sf_partner_list_free(codes, n);
    /* the signatories by 2021 (Nedopil 2023; tests/scripts/countries_lists.sh checks the codes) */
    CHECK(sf_partner_list_read("configs/countries/bri-signatories-2021.txt", &codes, &n, &e) == SF_OK && n == 143);
    sf_partner_list_free(codes, n);
    CHECK(sf_partner_list_read("configs/countries/bri-signatories-2021-eora.txt", &codes, &n, &e) == SF_OK && n == 131);
    sf_partner_list_free(codes, n);
    CHECK(sf_partner_list_read("configs/countries/bri-eora.txt", &codes, &n, &e) == SF_OK);
    CHECK(n == 63);
    size_t len;
    char *labels = sf_read_file("data/eora26-labels/labels_T.txt", &len, &e);
    CHECK(labels != NULL);
    for (int i = 0; labels && i < n; i++) {
        char pat[8];
        snprintf(pat, sizeof pat, "\t%s\t", codes[i]);
        CHECK_MSG(strstr(labels, pat) != NULL, "%s not in Eora26 labels", codes[i]);
        CHECK(strcmp(codes[i], "TLS") != 0);
    }
    CHECK(labels && !strstr(labels, "\tTLS\t"));
    free(labels);
    sf_partner_list_free(codes, n);
}

static void test_join(void)
{
    char *partners[] = {"RUS", "ROU", "PAK"};
    int years[] = {2010, 2015};
    sf_frame *f = NULL;
    sf_cov_report rep = {0};
    sf_err e = {0};
    int rc = sf_covariates_build(DIR, "CHN", partners, 3, years, 2, NULL, &f, &rep, &e);
    CHECK_MSG(rc == SF_OK, "%s", e.msg);
    if (rc) return;
    double pol_pak = cell(f, "POL", "PAK", 2010);
    char *p = tmp_path("user.csv");
    /* ROM matches ROU; BRI for RUS overrides the built-in NaN; an empty BRI
     * keeps the built-in value; XKX matches no frame row */
    write_file(p, "iso3,year,tariff,BRI,note\n"
                  "RUS,2010,5.5,0,a\n"
                  "RUS,2015,4.25,1,\n"
                  "ROM,2010,3,,b\n"
                  "XKX,2010,1,1,c\n");
    rc = sf_covariates_join_csv(f, p, &rep, &e);
    CHECK_MSG(rc == SF_OK, "%s", e.msg);
    CHECK(cell(f, "tariff", "RUS", 2010) == 5.5 && cell(f, "tariff", "RUS", 2015) == 4.25);
    CHECK(cell(f, "tariff", "ROU", 2010) == 3 && isnan(cell(f, "tariff", "ROU", 2015)));
    CHECK(isnan(cell(f, "tariff", "PAK", 2010)));
    CHECK(cell(f, "BRI", "RUS", 2010) == 0 && cell(f, "BRI", "RUS", 2015) == 1);
    CHECK(cell(f, "BRI", "ROU", 2010) == 0 && cell(f, "BRI", "ROU", 2015) == 1); /* built-in kept (ROU joined 2015) */
    CHECK(!strcmp(cell_str(f, "note", "RUS", 2010), "a") && cell_str(f, "note", "RUS", 2015) == NULL);
    CHECK(cell(f, "POL", "PAK", 2010) == pol_pak);
    const sf_cov_colreport *t = sf_cov_report_col(&rep, "tariff"), *b = sf_cov_report_col(&rep, "BRI");
    CHECK(t && t->missing == 3 && t->missing == count_nan(f, "tariff"));
    CHECK(b && b->filled == 2 && b->missing == 0 && any_reason(b, 0, "user.csv", "RUS 2010,2015"));
    int noted = 0;
    for (int i = 0; i < rep.nnotes; i++) noted |= has_text(rep.notes[i], "3 of 6 frame rows matched; 1 of its 4");
    CHECK(noted);

    /* errors name the file and line */
    write_file(p, "iso3,year,x\nRUS,2010,1\nRUS,2011,2\nRUS,2010,3\n");
    CHECK(sf_covariates_join_csv(f, p, NULL, &e) == SF_EUSER && has_text(e.msg, "line 4") && has_text(e.msg, "line 2"));
    write_file(p, "iso3,year,x\nRUS,20x0,1\n");
    CHECK(sf_covariates_join_csv(f, p, NULL, &e) == SF_EUSER && has_text(e.msg, "user.csv: line 2"));
    write_file(p, "country,year,x\nRUS,2010,1\n");
    CHECK(sf_covariates_join_csv(f, p, NULL, &e) == SF_EUSER && has_text(e.msg, "iso3"));
    write_file(p, "partner,year,POL\nRUS,2010,abc\n");
    CHECK(sf_covariates_join_csv(f, p, NULL, &e) == SF_EUSER && has_text(e.msg, "line 2") && has_text(e.msg, "abc"));
    write_file(p, "iso3,year,x\nRUS,2010,1,2\n");
    CHECK(sf_covariates_join_csv(f, p, NULL, &e) == SF_EUSER && has_text(e.msg, "line 2"));
    sf_frame_free(f);
    sf_cov_report_free(&rep);
}

static int dump(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr, "usage: test_covariates --dump OUT FOCAL PARTNERS_FILE Y0 Y1\n");
        return 2;
    }
    char **codes;
    int n;
    sf_err e = {0};
    if (sf_partner_list_read(argv[4], &codes, &n, &e)) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    int y0 = atoi(argv[5]), y1 = atoi(argv[6]), ny = y1 - y0 + 1;
    int *years = malloc(sizeof(int) * (size_t)(ny > 0 ? ny : 1));
    for (int i = 0; i < ny; i++) years[i] = y0 + i;
    sf_frame *f = NULL;
    sf_cov_report rep = {0};
    int rc = sf_covariates_build(DIR, argv[3], codes, n, years, ny, NULL, &f, &rep, &e);
    if (!rc) rc = sf_frame_write_csv(f, argv[2], &e);
    if (rc)
        fprintf(stderr, "%s\n", e.msg);
    else {
        char *t = sf_cov_report_text(&rep);
        fputs(t, stdout);
        free(t);
    }
    sf_frame_free(f);
    sf_cov_report_free(&rep);
    sf_partner_list_free(codes, n);
    free(years);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--dump")) return dump(argc, argv);
    const char *t = getenv("TMPDIR");
    snprintf(g_tmp, sizeof g_tmp, "%s/silkflow-cov-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(g_tmp)) {
        perror("mkdtemp");
        return 2;
    }
    sf_log_set_quiet(1);
    test_values();
    test_dis_form();
    test_missing_file();
    test_malformed();
    test_iso_numeric();
    test_partner_lists();
    test_join();
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_tmp);
    if (system(cmd)) fprintf(stderr, "could not remove %s\n", g_tmp);
    TEST_MAIN_END();
}
