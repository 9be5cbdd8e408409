/* The results file describes itself (docs/output.md "Self-description"):
 * every dataset gets the attributes units, dims and description, and every
 * axis an HDF5 dimension scale, so that xarray (h5netcdf, netCDF4) opens any
 * group without phony dimensions and pandas gets labelled columns. The
 * coordinates the axes need (sector_code, exporter, importer, term, ...) are
 * written first; then each dataset is matched against the rules below. Runs
 * on rank 0 on a serial file, after the stages that write datasets. */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "silkflow/pipeline.h"
#include "silkflow/decomp.h"

/* units: "$" = the table's units (root attribute units), "" = text */
typedef struct {
    const char *pattern, *dims, *units, *desc;
} rule;

static const rule RULES[] = {
    {"/labels/region_code", "region_code", "", "region code (ISO3 after aliasing; Eora's ROW)"},
    {"/labels/region_name", "region_code", "", "region name"},
    {"/labels/region_start", "region_start", "1",
     "first sector (0-based) of each region: region g owns [start[g], start[g+1]); the last entry is n"},
    {"/labels/sector_code", "sector_code", "", "sector label: region code and 1-based industry (CHN.3)"},
    {"/labels/sector_region", "sector_code", "1", "0-based region (index into region_code) of each sector"},
    {"/labels/sector_industry", "sector_code", "1", "1-based industry of each sector within its region"},
    {"/labels/sector_name", "sector_code", "", "industry name of each sector"},
    {"/years/*/sector_code", "sector_code", "", "sector label: region code and 1-based industry"},
    {"/years/*/sector_code_to", "sector_code_to", "", "sector label of the columns of leontief"},
    {"/years/*/exporter", "exporter", "", "exporting (origin) region code"},
    {"/years/*/importer", "importer", "", "importing (destination or absorbing) region code"},
    {"/years/*/term", "term", "", "WWZ term name (T1..T16, docs/output.md for decompr's column order)"},
    {"/years/*/industry", "industry", "1", "1-based industry within a region"},
    {"/years/*/x", "sector_code", "$", "gross output x"},
    {"/years/*/va", "sector_code", "$", "value added"},
    {"/years/*/exports", "sector_code", "$", "gross exports E_k to all other regions"},
    {"/years/*/exports_bilateral", "sector_code, importer", "$", "exports of sector k to region r"},
    {"/years/*/fd_country", "exporter, importer", "$", "[s, r]: final demand of r for the goods of s"},
    {"/years/*/vby", "sector_code, importer", "$",
     "diag(v) B Y: value added of sector k absorbed in the final demand of region r"},
    {"/years/*/vax", "exporter, importer", "$", "VAX_sr: value added of s absorbed in the final demand of r"},
    {"/years/*/vbe_country", "exporter, importer", "$",
     "value added of s embodied in the gross exports of r (VAR)"},
    {"/years/*/wwz_country", "exporter, importer, term", "$",
     "WWZ terms of the gross exports of s to r, summed over the sectors of s (attributes term_names, "
     "decompr_column)"},
    {"/years/*/wwz", "exporter, importer, industry, term", "$", "WWZ terms by exporting sector"},
    {"/years/*/leontief", "sector_code, sector_code_to", "1", "Leontief inverse B = (I - A)^-1"},
    {"/years/*/sector/v", "sector_code", "1", "value-added coefficient va / x"},
    {"/years/*/sector/dva", "sector_code", "$", "DVA_k: domestic value added in the exports of k (T1..T8)"},
    {"/years/*/sector/iv", "sector_code", "$", "IV_k: indirect value-added exports of k"},
    {"/years/*/sector/fv", "sector_code", "$", "FV_k: foreign value added in the exports of k"},
    {"/years/*/sector/dfwd", "sector_code", "$", "D_k: forward-linkage domestic value added in exports"},
    {"/years/*/sector/rca", "sector_code", "1", "value-added revealed comparative advantage RCA_k"},
    {"/years/*/sector/gvc_p", "sector_code", "1", "GVC participation (IV_k + FV_k) / E_k"},
    {"/years/*/sector/gvc_pos", "sector_code", "1", "GVC position ln(1 + IV/E) - ln(1 + FV/E)"},
    {"/provenance/timings", "computed_year, timing", "s",
     "seconds per computed year and stage (a reused year keeps the timings of the run that computed it)"},
    {"/provenance/computed_year", "computed_year", "year", "the computed years (rows of timings)"},
    {"/provenance/timing", "timing", "", "the columns of timings"},
    {"/provenance/input_files", "input_files", "", "every input file of the computed years"},
    {"/provenance/input_sha256", "input_files", "", "SHA-256 of each input file"},
    {"/network/*/nodes", "nodes", "", "region code of each node (node 0 = focal)"},
    {"/network/*/nodes_to", "nodes_to", "", "region code of each node (columns of vax and var)"},
    {"/network/*/vax", "nodes, nodes_to", "$", "value-added trade network: VAX from row to column"},
    {"/network/*/var", "nodes, nodes_to", "$", "value-added-in-exports network: VAR from row to column"},
    {"/network/*/strength_*", "nodes", "$", "node strength (sum of the flows in or out)"},
    {"/network/*/pagerank*", "nodes", "1", "PageRank of the node"},
    {"/network/*/focal_va_sources_share", "nodes", "1", "share of each node in the focal's foreign value added"},
    {"/network/*/betweenness_*", "nodes", "1",
     "betweenness centrality, edge length 1 / flow, normalised by (m - 1)(m - 2) (methods.md section 8)"},
    {"/network/*/eigenvector_*", "nodes", "1", "eigenvector centrality on in-flows, unit Euclidean norm"},
    {"/network/*/coreness_*", "nodes", "1",
     "Borgatti-Everett continuous coreness of the symmetrised flows scaled by the largest flow"},
    {"/network/*/core_*", "nodes", "1", "1 when the node is in the core (best split of the nodes by coreness)"},
    {"/network/*/region_group", "region_group", "", "regional group of the partners (covariate group)"},
    {"/network/*/group_va_sources_share", "region_group", "1",
     "share of the group in the foreign value added of the focal region's gross exports"},
    {"/network/*/group_focal_va_share", "region_group", "1",
     "focal value added / all foreign value added in the gross exports of the group"},
    {"/network/*/group_fin_dva_share", "region_group", "1",
     "focal DVA in final-goods exports to the group / its DVA in all exports to the group"},
    {"/network/*/group_fin_va_capture", "region_group", "1",
     "focal DVA in final-goods exports to the group / its final-goods exports to the group"},
    {"/estimates/*/coef", "coef", "", "coefficient name"},
    {"/estimates/*/coef_to", "coef_to", "", "coefficient name (columns of V)"},
    {"/estimates/*/dropped", "dropped", "", "regressors dropped (collinear or without variation)"},
    {"/estimates/*/notes", "notes", "", "notes on the estimation"},
    {"/estimates/*/b", "coef", "per unit of the regressor", "coefficient estimate"},
    {"/estimates/*/se", "coef", "per unit of the regressor", "standard error (attribute vcov of the group)"},
    {"/estimates/*/t", "coef", "1", "t statistic"},
    {"/estimates/*/p", "coef", "1", "p-value (two-sided)"},
    {"/estimates/*/ci_lo", "coef", "per unit of the regressor", "lower bound of the 95% confidence interval"},
    {"/estimates/*/ci_hi", "coef", "per unit of the regressor", "upper bound of the 95% confidence interval"},
    {"/estimates/*/V", "coef, coef_to", "squared coefficient units", "variance-covariance matrix of b"},
    {"/estimates/*/boot_p", "coef", "1", "wild cluster bootstrap p-value (NaN except at the key coefficient)"},
    {"/estimates/*/boot_ci_lo", "coef", "per unit of the regressor", "bootstrap 95% CI, lower bound"},
    {"/estimates/*/boot_ci_hi", "coef", "per unit of the regressor", "bootstrap 95% CI, upper bound"},
    {"/trade/years", "years", "year", "the years of the trade series (the lag year first when computed)"},
    {"/trade/period", "period", "", "periods of *_growth_mean, *_growth_n, *_cagr (attribute periods of /trade)"},
    {"/trade/groups/names", "names", "", "destination group name"},
    {"/trade/groups/description", "names", "", "destination group description"},
    {"/trade/groups/available", "names", "1", NULL},
    {"/trade/groups/membership", "years, names, region", "1", NULL},
    {"/trade/groups/*_growth_mean", "period, names", "1", NULL},
    {"/trade/groups/*_growth_n", "period, names", "1", NULL},
    {"/trade/groups/*_cagr", "period, names", "1", NULL},
    {"/trade/groups/*", "years, names", NULL, NULL},
    {"/trade/regions/names", "names", "", "regional group name"},
    {"/trade/regions/members", "names", "", "the partners in the regional group"},
    {"/trade/regions/*_growth_mean", "period, names", "1", NULL},
    {"/trade/regions/*_growth_n", "period, names", "1", NULL},
    {"/trade/regions/*_cagr", "period, names", "1", NULL},
    {"/trade/regions/*", "years, names", NULL, NULL},
    {"/trade/industry_classes/names", "names", "", "industry class name"},
    {"/trade/industry_classes/description", "names", "", "industry class description"},
    {"/trade/industry_classes/groups", "groups", "", "destination group name"},
    {"/trade/industry_classes/*_growth_mean", "period, names, groups", "1", NULL},
    {"/trade/industry_classes/*_growth_n", "period, names, groups", "1", NULL},
    {"/trade/industry_classes/*_cagr", "period, names, groups", "1", NULL},
    {"/trade/industry_classes/*", "years, names, groups", NULL, NULL},
    {"/trade/agreements/calendar_year", "calendar_year", "year", "calendar year of the agreement counts"},
    {"/trade/agreements/fta_agreements", "calendar_year", "1",
     "trade agreements of the focal country in force at the end of the year (DESTA dyads: distinct base treaties)"},
    {"/trade/agreements/fta_partners", "calendar_year", "1",
     "countries and regions with which the focal country has a trade agreement in force (DESTA dyads)"},
    {"/trade/agreements/bri_signatories", "calendar_year", "1",
     "countries that had signed a BRI cooperation document by the end of the year (Nedopil 2023; attribute "
     "bri_undated: signatories without a date, not counted)"},
    {"/trade/agreements/stated_measure", "stated_measure", "", "what Du (2025) states (data/countries/du2025_stated.csv)"},
    {"/trade/agreements/stated_year", "stated_measure", "year", "the year the statement refers to"},
    {"/trade/agreements/stated_value", "stated_measure", "1", "the number stated (counts, or percent for growth)"},
    {"/trade/agreements/stated_quote", "stated_measure", "", "the sentence of the paper, verbatim"},
    {"/trade/agreements/stated_source", "stated_measure", "", "section of the paper"},
    {"/trade/agreements/stated_qualifier", "stated_measure", "", "qualifier in the text (more than, projected)"},
    {"/trade/industries/industry", "industry", "1", "1-based industry of the focal region"},
    {"/trade/industries/name", "industry", "", "industry name"},
    {"/trade/industries/class", "industry", "", "industry class"},
    {"/trade/industries/groups", "groups", "", "destination group name"},
    {"/trade/industries/*_growth_mean", "period, industry, groups", "1", NULL},
    {"/trade/industries/*_growth_n", "period, industry, groups", "1", NULL},
    {"/trade/industries/*_cagr", "period, industry, groups", "1", NULL},
    {"/trade/industries/*", "years, industry, groups", NULL, NULL},
};

/* the panel's columns (docs/output.md "The panel", methods.md section 6) */
static const char *const PANEL_DESC[][3] = {
    {"year", "year", "year"},
    {"partner", "", "partner region (ISO3)"},
    {"industry", "1", "1-based industry"},
    {"IC", "1", "integration: mean of the four intermediate supply and demand rates"},
    {"IIn", "1", "interaction: mean value added of the partner industry per unit of the other's exports"},
    {"IIH", "1", "coordination of the two sectors' VAX growth"},
    {"ITR", "$", "industrial transfer: value added induced by the other's final demand, both directions"},
    {"ITR_FIN", "$", "ITR route: final goods exported"},
    {"ITR_INT", "$", "ITR route: intermediates for the importer's own final goods"},
    {"ITR_INTREX_b", "$", "ITR route: intermediates re-exported by the importer to third countries and back"},
    {"ITR_INT_d", "$", "ITR route: via third countries' final goods"},
    {"ITR_INTREX_d", "$", "ITR route: via third countries to the importer's final goods"},
    {"ITR1", "1", "ITR / global gross output of the industry"},
    {"RVC", "1", "regional value chain cooperation (VAR both ways / exports of both sectors)"},
    {"INC", "percent", "industrial concentration: 100 * (va of both) / world va of the industry"},
    {"GVC_P", "1", "GVC participation of the partner sector"},
    {"GVC_D", "1", "gap in GVC position (focal - partner)"},
    {"RCA_D", "1", "gap in value-added RCA (focal - partner)"},
    {"RH1", "1", "IC with the partner's industry replaced by all its sectors"},
    {"HD1", "1", "IIn with the partner's industry replaced by all its sectors"},
    {"XT1", "1", "IIH with the partner's industry replaced by all its sectors"},
    {"D1", "1", "1 when the partner is a high-income country that year"},
    {"D2", "1", "1 for the high-technology industries ([model] tech_high)"},
    {"D3", "1", "1 for the years after [model] d3_after"},
    {"VAX_c", "$", "DVA_k of the focal sector (input of IIH)"},
    {"VAX_r", "$", "DVA_k of the partner sector (input of IIH)"},
    {"VAX_rall", "$", "DVA_k summed over the partner's sectors (input of XT1)"},
    {"POL", "1", "covariate: political relations (covariates.md)"},
    {"ECO", "1", "covariate: economic relations (covariates.md)"},
    {"CUL", "1", "covariate: cultural distance (covariates.md)"},
    {"CUL_filled", "1", "1 when CUL was filled (covariates.md)"},
    {"DIS", "1", "covariate: distance (covariates.md)"},
    {"FTA", "1", "1 when a free trade agreement is in force"},
    {"LF", "1", "covariate: the instrument LF (covariates.md)"},
    {"BRI", "1", "1 when the partner has signed a BRI agreement by that year"},
    {"BRI_year", "year", "year the partner signed a BRI agreement"},
    {"group", "", "regional group of the partner"},
};

static int copy_strings(sf_h5 *h, const char *from, hid_t g, const char *to, sf_err *e)
{
    char **s = NULL;
    hsize_t n = 0;
    int rc = sf_h5_read_strings(h->file, from, &s, &n, e);
    if (!rc) rc = sf_h5_write_strings(h, g, to, n, s, e);
    for (hsize_t i = 0; i < n; i++) free(s[i]);
    free(s);
    return rc;
}

static int has(hid_t g, const char *name) { return sf_h5_exists(g, name); }

static hsize_t ds_len(hid_t g, const char *name, int axis)
{
    hsize_t dd[8] = {0};
    sf_h5_shape(g, name, NULL, dd);
    return dd[axis];
}

/* The coordinates of one /years/YYYY group g: sector_code (n), exporter and
 * importer (G region codes), term, industry (with wwz), sector_code_to (with
 * leontief); those present are kept. */
static int year_coords(sf_h5 *h, hid_t g, char *const *sc, hsize_t n, char *const *codes, hsize_t G, sf_err *e)
{
    int rc = SF_OK;
    if (!has(g, "sector_code")) rc = sf_h5_write_strings(h, g, "sector_code", n, sc, e);
    if (!rc && !has(g, "exporter")) rc = sf_h5_write_strings(h, g, "exporter", G, codes, e);
    if (!rc && !has(g, "importer")) rc = sf_h5_write_strings(h, g, "importer", G, codes, e);
    if (!rc && !has(g, "term")) rc = sf_h5_write_strings(h, g, "term", SF_WWZ_NTERMS, (char *const *)sf_wwz_names, e);
    if (!rc && has(g, "wwz") && !has(g, "industry")) {
        hsize_t N = ds_len(g, "wwz", 2);
        int *ind = sf_malloc(sizeof(int) * (size_t)(N ? N : 1));
        for (hsize_t k = 0; k < N; k++) ind[k] = (int)k + 1;
        rc = sf_h5_write_int(h, g, "industry", 1, &N, ind, e);
        free(ind);
    }
    if (!rc && has(g, "leontief") && !has(g, "sector_code_to"))
        rc = sf_h5_write_strings(h, g, "sector_code_to", n, sc, e);
    return rc;
}

/* /labels/sector_code and the coordinates of each /years/YYYY */
static int label_coords(sf_h5 *h, sf_err *e)
{
    if (!sf_h5_exists(h->file, "/labels/region_code") || !sf_h5_exists(h->file, "/labels/sector_region"))
        return SF_OK;
    char **rc_ = NULL;
    hsize_t G = 0, n = 0, n2 = 0;
    int *sr = NULL, *si = NULL;
    int rc = sf_h5_read_strings(h->file, "/labels/region_code", &rc_, &G, e);
    if (!rc) rc = sf_h5_read_int(h->file, "/labels/sector_region", &sr, &n, e);
    if (!rc) rc = sf_h5_read_int(h->file, "/labels/sector_industry", &si, &n2, e);
    hid_t lg = sf_h5_open_group(h->file, "/labels");
    if (!rc && !has(lg, "sector_code")) {
        char **sc = sf_calloc(n ? n : 1, sizeof(char *));
        for (hsize_t k = 0; k < n; k++) {
            sc[k] = sf_malloc(64);
            snprintf(sc[k], 64, "%s.%d", sr[k] >= 0 && (hsize_t)sr[k] < G ? rc_[sr[k]] : "?", si[k]);
        }
        rc = sf_h5_write_strings(h, lg, "sector_code", n, sc, e);
        for (hsize_t k = 0; k < n; k++) free(sc[k]);
        free(sc);
    }
    sf_h5_close_object(lg);
    int maxind = 0;
    for (hsize_t k = 0; k < n; k++) maxind = si[k] > maxind ? si[k] : maxind;
    hid_t yg = rc ? -1 : sf_h5_open_group(h->file, "/years");
    char **yn = NULL;
    size_t ny = 0;
    if (yg >= 0) sf_h5_list(h->file, "/years", SF_H5_BY_NAME, &yn, &ny);
    char **sc = NULL;
    hsize_t nsc = 0;
    if (!rc && ny) rc = sf_h5_read_strings(h->file, "/labels/sector_code", &sc, &nsc, e);
    for (size_t i = 0; i < ny && !rc; i++) {
        hid_t g = sf_h5_open_group(yg, yn[i]);
        rc = year_coords(h, g, sc, nsc, rc_, G, e);
        sf_h5_close_object(g);
    }
    for (hsize_t k = 0; k < nsc; k++) free(sc[k]);
    free(sc);
    for (size_t i = 0; i < ny; i++) free(yn[i]);
    free(yn);
    sf_h5_close_object(yg);
    (void)maxind;
    for (hsize_t g = 0; g < G; g++) free(rc_[g]);
    free(rc_);
    free(sr);
    free(si);
    return rc;
}

/* the second axis of square matrices: a copy of the first axis's labels */
static int square_coords(sf_h5 *h, const char *top, const char *from, const char *to, const char *needs,
                         sf_err *e)
{
    if (!sf_h5_exists(h->file, top)) return SF_OK;
    char **names = NULL;
    size_t nn = 0;
    sf_h5_list(h->file, top, SF_H5_BY_NAME, &names, &nn);
    int rc = SF_OK;
    for (size_t i = 0; i < nn && !rc; i++) {
        char p[512];
        snprintf(p, sizeof p, "%s/%s", top, names[i]);
        hid_t g = sf_h5_open_group(h->file, p);
        if (g < 0) continue;
        snprintf(p, sizeof p, "%s/%s/%s", top, names[i], from);
        if (has(g, needs) && has(g, from) && !has(g, to)) rc = copy_strings(h, p, g, to, e);
        sf_h5_close_object(g);
    }
    for (size_t i = 0; i < nn; i++) free(names[i]);
    free(names);
    return rc;
}

static int other_coords(sf_h5 *h, sf_err *e)
{
    int rc = square_coords(h, "/estimates", "coef", "coef_to", "V", e);
    if (!rc) rc = square_coords(h, "/network", "nodes", "nodes_to", "vax", e);
    if (!rc && sf_h5_exists(h->file, "/provenance/timings") && !sf_h5_exists(h->file, "/provenance/timing")) {
        hid_t g = sf_h5_open_group(h->file, "/provenance");
        double *t = NULL;
        int r = 0;
        hsize_t d[8] = {0};
        rc = sf_h5_read_double(g, "timings", &t, &r, d, e);
        if (!rc) {
            int *yr = sf_malloc(sizeof(int) * (size_t)(d[0] ? d[0] : 1));
            for (hsize_t i = 0; i < d[0]; i++) yr[i] = (int)t[i * d[1]];
            rc = sf_h5_write_int(h, g, "computed_year", 1, d, yr, e);
            free(yr);
            hid_t ds = sf_h5_open_dataset(g, "timings");
            char **cols = NULL;
            hsize_t nc = 0;
            sf_h5_get_attr_strings(ds, "columns", &cols, &nc);
            sf_h5_close_object(ds);
            if (!rc) rc = sf_h5_write_strings(h, g, "timing", nc, cols, e);
            for (hsize_t i = 0; i < nc; i++) free(cols[i]);
            free(cols);
        }
        free(t);
        sf_h5_close_object(g);
    }
    if (!rc && sf_h5_exists(h->file, "/trade/years") && !sf_h5_exists(h->file, "/trade/period")) {
        static const char *const per[] = {"to_boundary_year", "after_boundary_year"};
        hid_t g = sf_h5_open_group(h->file, "/trade");
        rc = sf_h5_write_strings(h, g, "period", 2, (char *const *)per, e);
        sf_h5_close_object(g);
    }
    return rc;
}

/* the decompr column (1-based, among its 16 terms) of each silkflow term */
static void decompr_columns(hid_t file, const char *path)
{
    static const char *const decompr[SF_WWZ_NTERMS] = {
        "DVA_FIN", "DVA_INT", "DVA_INTrexI1", "DVA_INTrexF", "DVA_INTrexI2", "RDV_INT", "RDV_FIN", "RDV_FIN2",
        "OVA_FIN", "MVA_FIN", "OVA_INT",      "MVA_INT",     "DDC_FIN",      "DDC_INT", "ODC",     "MDC"};
    double col[SF_WWZ_NTERMS];
    for (int k = 0; k < SF_WWZ_NTERMS; k++) {
        col[k] = 0;
        for (int j = 0; j < SF_WWZ_NTERMS; j++)
            if (!strcmp(sf_wwz_names[k], decompr[j])) col[k] = j + 1;
    }
    hid_t d = sf_h5_open_dataset(file, path);
    int ic[SF_WWZ_NTERMS];
    for (int k = 0; k < SF_WWZ_NTERMS; k++) ic[k] = (int)col[k];
    sf_h5_attr_int_array(d, "decompr_column", SF_WWZ_NTERMS, ic);
    sf_h5_attr_strings(d, "term_names", SF_WWZ_NTERMS, (char *const *)sf_wwz_names);
    sf_h5_close_object(d);
}

static int describe_one(hid_t file, const char *path, const char *units)
{
    const char *base = strrchr(path, '/') + 1;
    if (!strncmp(path, "/panel/", 7) || !strncmp(path, "/rows/", 6)) { /* the panel; a year's rows of it */
        char raw[64] = "";
        const char *col = base;
        const char *suf = strstr(base, "_raw");
        if (suf && suf[4] == '\0' && (size_t)(suf - base) < sizeof raw) {
            memcpy(raw, base, (size_t)(suf - base));
            raw[suf - base] = '\0';
            col = raw;
        }
        for (size_t k = 0; k < sizeof PANEL_DESC / sizeof PANEL_DESC[0]; k++)
            if (!strcmp(col, PANEL_DESC[k][0])) {
                char d[512];
                snprintf(d, sizeof d, "%s%s", PANEL_DESC[k][2], col != base ? " (raw value, before preprocessing)" : "");
                const char *u = !strcmp(PANEL_DESC[k][1], "$") ? units : PANEL_DESC[k][1];
                return sf_h5_describe(file, path, u, "row", d);
            }
        return sf_h5_describe(file, path, "1", "row", "panel column (covariate, [covariates] file)");
    }
    for (size_t k = 0; k < sizeof RULES / sizeof RULES[0]; k++) {
        const rule *r = &RULES[k];
        if (fnmatch(r->pattern, path, FNM_PATHNAME) != 0) continue;
        const char *u = r->units && !strcmp(r->units, "$") ? units : r->units;
        hid_t d = sf_h5_open_dataset(file, path);
        int has_u = sf_h5_has_attr(d, "units"), has_d = sf_h5_has_attr(d, "description");
        sf_h5_close_object(d);
        /* trade writes its own descriptions and level units: keep them */
        if (!u && !has_u) u = !strncmp(path, "/trade/", 7) ? units : "1";
        const char *desc = r->desc;
        if (!desc && !has_d) desc = "see docs/trade.md";
        if (!strcmp(base, "wwz_country") || !strcmp(base, "wwz")) decompr_columns(file, path);
        return sf_h5_describe(file, path, u, r->dims, desc);
    }
    return -2;
}

/* units, dims and description of every dataset of the file, by the rules */
static int describe_all(sf_h5 *h, const char *units, sf_err *e)
{
    int rc = SF_OK;
    struct {
        char **p;
        size_t n;
    } l = {0};
    sf_h5_list_datasets(h->file, &l.p, &l.n);
    int nbad = 0;
    for (size_t i = 0; i < l.n; i++) {
        if (!rc && !sf_h5_is_pure_dimension(h->file, l.p[i])) {
            int r = describe_one(h->file, l.p[i], units);
            if (r == -2) {
                sf_warn("%s: no description for the dataset %s", h->path, l.p[i]);
                nbad++;
            } else if (r) {
                rc = sf_fail(e, SF_EINTERNAL, "%s: cannot attach the dimension scales of %s", h->path, l.p[i]);
            }
        }
        free(l.p[i]);
    }
    free(l.p);
    (void)nbad;
    return rc;
}

int sf_results_describe(sf_h5 *h, sf_err *e)
{
    char units[512] = "";
    sf_h5_get_attr_str(h->file, "units", units, sizeof units);
    int rc = label_coords(h, e);
    if (!rc) rc = other_coords(h, e);
    if (!rc) rc = describe_all(h, units, e);
    return rc;
}

int sf_year_file_describe(sf_h5 *h, int year, const sf_labels *lab, const char *units, sf_err *e)
{
    const hsize_t n = (hsize_t)lab->n, G = (hsize_t)lab->G;
    char **sc = sf_calloc(n ? n : 1, sizeof(char *));
    for (hsize_t k = 0; k < n; k++) { /* as /labels/sector_code (label_coords) */
        sc[k] = sf_malloc(64);
        snprintf(sc[k], 64, "%s.%d", lab->region_code[lab->sector_region[k]], lab->sector_industry[k]);
    }
    char gname[32];
    snprintf(gname, sizeof gname, "/years/%d", year);
    hid_t g = sf_h5_open_group(h->file, gname);
    int rc = g < 0 ? sf_fail(e, SF_EINTERNAL, "%s: no group %s", h->path, gname)
                   : year_coords(h, g, sc, n, lab->region_code, G, e);
    sf_h5_close_object(g);
    for (hsize_t k = 0; k < n; k++) free(sc[k]);
    free(sc);
    if (!rc) rc = describe_all(h, units ? units : "", e);
    return rc;
}
