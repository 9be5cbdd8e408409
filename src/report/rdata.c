/* Reading a results file for the report: provenance, per-year diagnostics,
 * the panel, the networks, /trade and /estimates. Only the file's status and
 * readability are errors; every other part is optional (absent parts are
 * reported as such in the report). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"
#include "silkflow/h5.h"

static char *attr_dup(hid_t obj, const char *name)
{
    char **s = NULL;
    hsize_t n = 0;
    if (sf_h5_get_attr_strings(obj, name, &s, &n) != 0 || n == 0) {
        free(s);
        return sf_strdup("");
    }
    char *r = s[0];
    for (hsize_t i = 1; i < n; i++) free(s[i]);
    free(s);
    return r;
}

static double attr_num(hid_t obj, const char *name)
{
    double v = NAN;
    if (sf_h5_get_attr_doubles(obj, name, &v, 1) != 0) v = NAN;
    return v;
}

static void attr_str_into(hid_t obj, const char *name, char *buf, size_t n)
{
    char *s = attr_dup(obj, name);
    snprintf(buf, n, "%s", s);
    free(s);
}

/* A double dataset of exactly `count` values (any shape), or NULL. */
static double *read_doubles(hid_t loc, const char *name, size_t count)
{
    if (!sf_h5_exists(loc, name)) return NULL;
    double *v = NULL;
    int rank = 0;
    hsize_t dims[8];
    if (sf_h5_read_double(loc, name, &v, &rank, dims, NULL) != SF_OK) return NULL;
    size_t tot = 1;
    for (int i = 0; i < rank; i++) tot *= (size_t)dims[i];
    if (tot != count) {
        free(v);
        return NULL;
    }
    return v;
}

static int *read_ints(hid_t loc, const char *name, size_t count)
{
    if (!sf_h5_exists(loc, name)) return NULL;
    int *v = NULL;
    hsize_t n = 0;
    if (sf_h5_read_int(loc, name, &v, &n, NULL) != SF_OK) return NULL;
    if ((size_t)n != count) {
        free(v);
        return NULL;
    }
    return v;
}

static char **read_strings(hid_t loc, const char *name, int *n)
{
    *n = 0;
    if (!sf_h5_exists(loc, name)) return NULL;
    char **s = NULL;
    hsize_t m = 0;
    if (sf_h5_read_strings(loc, name, &s, &m, NULL) != SF_OK) return NULL;
    *n = (int)m;
    return s;
}

static void free_strings(char **s, int n)
{
    if (!s) return;
    for (int i = 0; i < n; i++) free(s[i]);
    free(s);
}

/* names of the links of a group, natural order */
typedef struct {
    char **v;
    int n;
} name_list;

static int cmp_nat(const void *a, const void *b) { return rp_natcmp(*(char *const *)a, *(char *const *)b); }

static name_list list_group(hid_t f, const char *path)
{
    name_list l = {0};
    size_t n = 0;
    if (sf_h5_list(f, path, SF_H5_BY_NAME, &l.v, &n) != 0) return l;
    l.n = (int)n;
    if (l.n > 1) qsort(l.v, (size_t)l.n, sizeof(char *), cmp_nat);
    return l;
}

static void read_years(hid_t f, rp_data *d)
{
    name_list l = list_group(f, "/years");
    d->years = sf_calloc((size_t)(l.n ? l.n : 1), sizeof(rp_year));
    for (int i = 0; i < l.n; i++) {
        char path[64];
        snprintf(path, sizeof path, "/years/%s", l.v[i]);
        hid_t g = sf_h5_open_group(f, path);
        free(l.v[i]);
        if (g < 0) continue;
        rp_year *y = &d->years[d->nyears++];
        y->year = atoi(path + 7);
        attr_str_into(g, "status", y->status, sizeof y->status);
        attr_str_into(g, "role", y->role, sizeof y->role);
        attr_str_into(g, "grid", y->grid, sizeof y->grid);
        attr_str_into(g, "residual_check", y->check, sizeof y->check);
        y->seconds = attr_num(g, "seconds");
        for (int k = 0; k < 5; k++) y->t[k] = NAN;
        double t[5];
        if (sf_h5_get_attr_doubles(g, "seconds_read_derive_invert_products_decompose", t, 5) == 0)
            memcpy(y->t, t, sizeof t);
        y->residual = attr_num(g, "residual");
        y->rcond = attr_num(g, "rcond");
        y->imbalance_max = attr_num(g, "max_imbalance");
        y->imbalance_total = attr_num(g, "imbalance_total");
        y->wwz_err = attr_num(g, "wwz_identity_max_rel_error");
        y->wwz_tol = attr_num(g, "wwz_identity_tolerance");
        y->ranks = attr_num(g, "ranks");
        y->block = attr_num(g, "block");
        y->n_zero = attr_num(g, "n_zero_output");
        y->n_zero_exp = attr_num(g, "n_zero_output_with_exports");
        y->n_neg_fd = attr_num(g, "n_negative_final_demand");
        y->n_neg_va = attr_num(g, "n_negative_value_added");
        y->n_neg_x = attr_num(g, "n_negative_output");
        y->n_colsum_ge1 = attr_num(g, "n_colsum_A_ge_1");
        sf_h5_close_object(g);
    }
    free(l.v);
}

static void read_panel(hid_t f, rp_data *d)
{
    if (!sf_h5_exists(f, "/panel")) return;
    if (sf_h5_read_frame(f, "/panel", &d->panel, NULL) != SF_OK) {
        d->panel = NULL;
        return;
    }
    hid_t g = sf_h5_open_group(f, "/panel");
    int nc = d->panel->ncol;
    d->miss = sf_malloc(sizeof(double) * (size_t)(nc ? nc : 1));
    d->miss_reason = sf_calloc((size_t)(nc ? nc : 1), sizeof(char *));
    for (int j = 0; j < nc; j++) {
        char an[300];
        snprintf(an, sizeof an, "missing_%s", d->panel->cols[j].name);
        d->miss[j] = attr_num(g, an);
        snprintf(an, sizeof an, "missing_%s_reason", d->panel->cols[j].name);
        d->miss_reason[j] = attr_dup(g, an);
    }
    d->cov_report = attr_dup(g, "covariates_report");
    d->preprocessing = attr_dup(g, "preprocessing");
    d->iih_form = attr_dup(g, "iih_form");
    d->itr_form = attr_dup(g, "itr_form");
    sf_h5_close_object(g);
}

static void read_network(hid_t f, rp_data *d)
{
    name_list l = list_group(f, "/network");
    d->net = sf_calloc((size_t)(l.n ? l.n : 1), sizeof(rp_net));
    for (int i = 0; i < l.n; i++) {
        char path[64];
        snprintf(path, sizeof path, "/network/%s", l.v[i]);
        free(l.v[i]);
        hid_t g = sf_h5_open_group(f, path);
        if (g < 0) continue;
        rp_net *nt = &d->net[d->nnet];
        nt->year = atoi(path + 9);
        nt->nodes = read_strings(g, "nodes", &nt->m);
        size_t m = (size_t)nt->m;
        nt->vax = m ? read_doubles(g, "vax", m * m) : NULL;
        nt->sin = m ? read_doubles(g, "strength_in", m) : NULL;
        nt->sout = m ? read_doubles(g, "strength_out", m) : NULL;
        double *pv = m ? read_doubles(g, "pagerank_vax", m) : NULL, *pr = m ? read_doubles(g, "pagerank_var", m) : NULL;
        nt->pr_vax = pv ? pv[0] : NAN;
        nt->pr_var = pr ? pr[0] : NAN;
        free(pv);
        free(pr);
        nt->rank_vax = attr_num(g, "focal_rank_vax");
        nt->rank_var = attr_num(g, "focal_rank_var");
        nt->total_vax = attr_num(g, "total_flow_vax");
        nt->bc = m ? read_doubles(g, "betweenness_vax", m) : NULL;
        nt->ev = m ? read_doubles(g, "eigenvector_vax", m) : NULL;
        nt->core = m ? read_doubles(g, "coreness_vax", m) : NULL;
        nt->incore = m ? read_ints(g, "core_vax", m) : NULL;
        nt->core_fit = attr_num(g, "core_fit_vax");
        nt->ncore = attr_num(g, "ncore_vax");
        nt->gnames = read_strings(g, "region_group", &nt->ng);
        const size_t ng = (size_t)nt->ng;
        nt->g_src = ng ? read_doubles(g, "group_va_sources_share", ng) : NULL;
        nt->g_focal = ng ? read_doubles(g, "group_focal_va_share", ng) : NULL;
        nt->g_fin = ng ? read_doubles(g, "group_fin_dva_share", ng) : NULL;
        nt->g_cap = ng ? read_doubles(g, "group_fin_va_capture", ng) : NULL;
        sf_h5_close_object(g);
        if (!nt->nodes || !nt->vax || !nt->sin || !nt->sout) {
            free_strings(nt->nodes, nt->m);
            free(nt->vax);
            free(nt->sin);
            free(nt->sout);
            memset(nt, 0, sizeof *nt);
            continue;
        }
        d->nnet++;
    }
    free(l.v);
}

static void read_trade(hid_t f, rp_data *d)
{
    if (!sf_h5_exists(f, "/trade/years") || !sf_h5_exists(f, "/trade/groups/names")) return;
    hid_t g = sf_h5_open_group(f, "/trade");
    rp_trade *t = sf_calloc(1, sizeof *t);
    hsize_t ny = 0;
    if (sf_h5_read_int(g, "years", &t->years, &ny, NULL) != SF_OK) t->years = NULL;
    t->Y = (int)ny;
    t->names = read_strings(g, "groups/names", &t->K);
    t->boundary = attr_num(g, "boundary_year");
    t->units = attr_dup(g, "units");
    size_t YK = (size_t)t->Y * (size_t)t->K, K2 = 2 * (size_t)t->K;
    if (t->years && t->names && YK) {
        t->available = read_ints(g, "groups/available", (size_t)t->K);
        t->n_regions = read_ints(g, "groups/n_regions", YK);
        t->gx = read_doubles(g, "groups/gross_exports", YK);
        t->gx_share = read_doubles(g, "groups/gross_exports_share", YK);
        t->gx_growth = read_doubles(g, "groups/gross_exports_growth", YK);
        t->vx = read_doubles(g, "groups/va_exports", YK);
        t->vx_share = read_doubles(g, "groups/va_exports_share", YK);
        t->vx_growth = read_doubles(g, "groups/va_exports_growth", YK);
        t->gt_index = read_doubles(g, "groups/gross_trade_index", YK);
        t->vt_index = read_doubles(g, "groups/va_trade_index", YK);
        t->gt_growth = read_doubles(g, "groups/gross_trade_growth", YK);
        t->vt_growth = read_doubles(g, "groups/va_trade_growth", YK);
        t->gx_gmean = read_doubles(g, "groups/gross_exports_growth_mean", K2);
        t->vx_gmean = read_doubles(g, "groups/va_exports_growth_mean", K2);
        t->gt_gmean = read_doubles(g, "groups/gross_trade_growth_mean", K2);
        t->vt_gmean = read_doubles(g, "groups/va_trade_growth_mean", K2);
        d->trade = t;
    } else {
        free(t->years);
        free_strings(t->names, t->K);
        free(t->units);
        free(t);
    }
    sf_h5_close_object(g);
}

static void read_agreements(hid_t f, rp_data *d)
{
    int n = 0;
    if (!sf_h5_exists(f, "/trade/agreements/calendar_year")) return;
    double *yr = NULL;
    int rank = 0;
    hsize_t dims[8];
    if (sf_h5_read_double(f, "/trade/agreements/calendar_year", &yr, &rank, dims, NULL) != SF_OK) return;
    n = rank == 1 ? (int)dims[0] : 0;
    rp_agreements *a = sf_calloc(1, sizeof *a);
    a->n = n;
    a->year = yr;
    a->fta = read_doubles(f, "/trade/agreements/fta_agreements", (size_t)n);
    a->fta_partners = read_doubles(f, "/trade/agreements/fta_partners", (size_t)n);
    a->bri = read_doubles(f, "/trade/agreements/bri_signatories", (size_t)n);
    a->s_measure = read_strings(f, "/trade/agreements/stated_measure", &a->ns);
    int nq = 0, nl = 0;
    a->s_quote = read_strings(f, "/trade/agreements/stated_quote", &nq);
    a->s_qualifier = read_strings(f, "/trade/agreements/stated_qualifier", &nl);
    a->s_year = a->ns ? read_doubles(f, "/trade/agreements/stated_year", (size_t)a->ns) : NULL;
    a->s_value = a->ns ? read_doubles(f, "/trade/agreements/stated_value", (size_t)a->ns) : NULL;
    if (nq != a->ns || nl != a->ns || !a->s_year || !a->s_value) {
        free_strings(a->s_measure, a->ns);
        free_strings(a->s_quote, nq);
        free_strings(a->s_qualifier, nl);
        free(a->s_year);
        free(a->s_value);
        a->s_measure = a->s_quote = a->s_qualifier = NULL;
        a->s_year = a->s_value = NULL;
        a->ns = 0;
    }
    d->agree = a;
}

static void free_agreements(rp_agreements *a)
{
    if (!a) return;
    free(a->year);
    free(a->fta);
    free(a->fta_partners);
    free(a->bri);
    free_strings(a->s_measure, a->ns);
    free_strings(a->s_quote, a->ns);
    free_strings(a->s_qualifier, a->ns);
    free(a->s_year);
    free(a->s_value);
    free(a);
}

static void read_estimates(hid_t f, rp_data *d)
{
    if (!sf_h5_exists(f, "/estimates")) return;
    d->has_estimates = 1;
    name_list l = list_group(f, "/estimates");
    d->models = sf_calloc((size_t)(l.n ? l.n : 1), sizeof(rp_model));
    for (int i = 0; i < l.n; i++) {
        char path[512];
        snprintf(path, sizeof path, "/estimates/%s", l.v[i]);
        hid_t g = sf_h5_open_group(f, path);
        if (g < 0) {
            free(l.v[i]);
            continue;
        }
        rp_model *m = &d->models[d->nmodels];
        m->name = l.v[i];
        m->coef = read_strings(g, "coef", &m->k);
        size_t k = (size_t)m->k;
        if (k) {
            m->b = read_doubles(g, "b", k);
            m->se = read_doubles(g, "se", k);
            m->p = read_doubles(g, "p", k);
            m->lo = read_doubles(g, "ci_lo", k);
            m->hi = read_doubles(g, "ci_hi", k);
            m->blo = read_doubles(g, "boot_ci_lo", k);
            m->bhi = read_doubles(g, "boot_ci_hi", k);
            m->bp = read_doubles(g, "boot_p", k);
        }
        m->table = attr_dup(g, "table");
        m->depvar = attr_dup(g, "depvar");
        m->role = attr_dup(g, "role");
        m->key = attr_dup(g, "key_coef");
        m->formula = attr_dup(g, "formula");
        m->boot_method = attr_dup(g, "boot_method");
        m->N = attr_num(g, "N");
        m->r2 = attr_num(g, "r2");
        sf_h5_close_object(g);
        d->nmodels++;
    }
    free(l.v);
}

int rp_data_read(const char *path, rp_data *d, sf_err *e)
{
    memset(d, 0, sizeof *d);
    sf_h5 h;
    int rc = sf_h5_open(&h, path, 0, e);
    if (rc) return rc;
    hid_t f = h.file;
    d->path = sf_strdup(path);
    d->status = attr_dup(f, "status");
    if (strcmp(d->status, "complete") != 0) {
        sf_h5_close(&h, NULL);
        return sf_fail(e, SF_EUSER, "%s: not a complete silkflow results file (status \"%s\")", path, d->status);
    }
    d->software = attr_dup(f, "software");
    d->version = attr_dup(f, "version");
    d->git = attr_dup(f, "git_revision");
    d->created = attr_dup(f, "created_utc");
    d->config_file = attr_dup(f, "config_file");
    d->config_text = attr_dup(f, "config_text");
    d->config_sha = attr_dup(f, "config_sha256");
    d->format = attr_dup(f, "source_format");
    d->source_path = attr_dup(f, "source_path");
    d->prefix = attr_dup(f, "source_prefix");
    d->units = attr_dup(f, "units");
    d->years_str = attr_dup(f, "years");
    d->focal = attr_dup(f, "focal");
    d->grid = attr_dup(f, "grid");
    d->host = attr_dup(f, "hostname");
    d->slurm = attr_dup(f, "slurm_job_id");
    d->libs = attr_dup(f, "library_versions");
    d->mpi_ranks = attr_num(f, "mpi_ranks");
    d->seconds_total = attr_num(f, "seconds_total");

    int nn = 0;
    d->region_code = read_strings(f, "/labels/region_code", &d->G);
    d->sector_name = read_strings(f, "/labels/sector_name", &nn);
    hsize_t n1 = 0, n2 = 0;
    if (sf_h5_exists(f, "/labels/sector_region")) sf_h5_read_int(f, "/labels/sector_region", &d->sector_region, &n1, NULL);
    if (sf_h5_exists(f, "/labels/sector_industry"))
        sf_h5_read_int(f, "/labels/sector_industry", &d->sector_industry, &n2, NULL);
    d->n = (int)n1;
    if (n2 != n1 || (d->sector_name && nn != d->n)) {
        /* inconsistent labels: keep the codes only */
        free(d->sector_industry);
        d->sector_industry = NULL;
        free_strings(d->sector_name, nn);
        d->sector_name = NULL;
    }
    read_years(f, d);
    read_panel(f, d);
    read_network(f, d);
    read_agreements(f, d);
    read_trade(f, d);
    read_estimates(f, d);
    sf_h5_close(&h, NULL);
    return SF_OK;
}

const char *rp_industry_name(const rp_data *d, int industry)
{
    if (!d->sector_name || !d->sector_industry || !d->sector_region || !d->region_code) return NULL;
    int focal = -1;
    for (int r = 0; r < d->G; r++)
        if (!strcmp(d->region_code[r], d->focal)) focal = r;
    for (int k = 0; k < d->n; k++)
        if ((focal < 0 || d->sector_region[k] == focal) && d->sector_industry[k] == industry) return d->sector_name[k];
    return NULL;
}

static void free_trade(rp_trade *t)
{
    if (!t) return;
    free(t->years);
    free_strings(t->names, t->K);
    free(t->units);
    double *v[] = {t->gx, t->gx_share, t->gx_growth, t->vx, t->vx_share, t->vx_growth, t->gt_index, t->vt_index,
                   t->gt_growth, t->vt_growth, t->gx_gmean, t->vx_gmean, t->gt_gmean, t->vt_gmean};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) free(v[i]);
    free(t->available);
    free(t->n_regions);
    free(t);
}

void rp_data_free(rp_data *d)
{
    char *s[] = {d->path,   d->software, d->version, d->git,   d->created, d->config_file, d->config_text,
                 d->config_sha, d->format, d->source_path, d->prefix, d->units, d->years_str, d->focal,
                 d->grid,   d->host,     d->slurm,   d->libs,  d->status, d->cov_report, d->preprocessing,
                 d->iih_form, d->itr_form};
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++) free(s[i]);
    free_strings(d->region_code, d->G);
    free_strings(d->sector_name, d->n);
    free(d->sector_region);
    free(d->sector_industry);
    free(d->years);
    if (d->panel) free_strings(d->miss_reason, d->panel->ncol);
    free(d->miss);
    sf_frame_free(d->panel);
    for (int i = 0; i < d->nnet; i++) {
        free_strings(d->net[i].nodes, d->net[i].m);
        free(d->net[i].vax);
        free(d->net[i].sin);
        free(d->net[i].sout);
        free(d->net[i].bc);
        free(d->net[i].ev);
        free(d->net[i].core);
        free(d->net[i].incore);
        free_strings(d->net[i].gnames, d->net[i].ng);
        free(d->net[i].g_src);
        free(d->net[i].g_focal);
        free(d->net[i].g_fin);
        free(d->net[i].g_cap);
    }
    free(d->net);
    free_trade(d->trade);
    free_agreements(d->agree);
    for (int i = 0; i < d->nmodels; i++) {
        rp_model *m = &d->models[i];
        char *ms[] = {m->name, m->table, m->depvar, m->role, m->key, m->formula, m->boot_method};
        for (size_t j = 0; j < sizeof ms / sizeof ms[0]; j++) free(ms[j]);
        free_strings(m->coef, m->k);
        double *v[] = {m->b, m->se, m->p, m->lo, m->hi, m->blo, m->bhi, m->bp};
        for (size_t j = 0; j < sizeof v / sizeof v[0]; j++) free(v[j]);
    }
    free(d->models);
    memset(d, 0, sizeof *d);
}

sf_column *rp_raw_col(const rp_data *d, const char *name)
{
    if (!d->panel) return NULL;
    char raw[256];
    snprintf(raw, sizeof raw, "%s_raw", name);
    sf_column *c = sf_frame_col(d->panel, raw);
    return c ? c : sf_frame_col(d->panel, name);
}
