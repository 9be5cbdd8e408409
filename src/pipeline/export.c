/* silkflow export: tidy long CSV files from a results file (docs/output.md
 * "Tidy export"), one value per row, every axis a labelled column. The
 * labels come from the coordinates the results file names in each dataset's
 * dims attribute (pipeline/describe.c), so a file needs no knowledge of the
 * layout beyond the dataset names. Each CSV is written to DIR/.NAME.tmp and
 * renamed when complete. Serial. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "silkflow/pipeline.h"
#include "silkflow/stats_h5.h"

typedef struct {
    FILE *fp;
    char path[4096], tmp[4200];
    size_t rows;
} csvout;

static void csv_str(FILE *fp, const char *s)
{
    if (!s) return;
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, fp);
        return;
    }
    fputc('"', fp);
    for (; *s; s++) {
        if (*s == '"') fputc('"', fp);
        fputc(*s, fp);
    }
    fputc('"', fp);
}

static void csv_num(FILE *fp, double v)
{
    if (isfinite(v)) fprintf(fp, "%.17g", v);
    else if (!isnan(v)) fputs(v > 0 ? "inf" : "-inf", fp);
}

static int out_open(csvout *o, const char *dir, const char *name, const char *header, sf_err *e)
{
    memset(o, 0, sizeof *o);
    snprintf(o->path, sizeof o->path, "%s/%s.csv", dir, name);
    snprintf(o->tmp, sizeof o->tmp, "%s/.%s.csv.tmp", dir, name);
    o->fp = fopen(o->tmp, "w");
    if (!o->fp) return sf_fail(e, SF_EUSER, "%s: cannot write (%s)", o->tmp, strerror(errno));
    fprintf(o->fp, "%s\n", header);
    return SF_OK;
}

static int out_close(csvout *o, int ok, sf_err *e)
{
    if (!o->fp) return SF_OK;
    int bad = ferror(o->fp);
    bad |= fclose(o->fp) != 0;
    o->fp = NULL;
    if (!ok) {
        remove(o->tmp);
        return SF_OK;
    }
    if (bad || rename(o->tmp, o->path)) {
        int rc = sf_fail(e, SF_EUSER, "%s: cannot write (%s)", o->path, strerror(errno));
        remove(o->tmp);
        return rc;
    }
    sf_info("export: %s (%zu rows)", o->path, o->rows);
    return SF_OK;
}

/* ---------------------------------------------------------------- one dataset
 * The labels of one axis: the coordinate dataset of that name in the
 * dataset's group or the nearest ancestor (strings, or numbers as integers
 * when they are), else 0-based positions. WWZ's term axis carries decompr's
 * column beside the name (attribute decompr_column). */
typedef struct {
    char **s;
    hsize_t n;
    int *extra; /* decompr's column of each term, or NULL */
} labels;

static void labels_free(labels *l)
{
    for (hsize_t i = 0; i < l->n; i++) free(l->s[i]);
    free(l->s);
    free(l->extra);
    l->s = NULL;
    l->extra = NULL;
    l->n = 0;
}

/* a netCDF-style dimension without values (pipeline/describe.c) */
static int pure_dim(hid_t file, const char *path)
{
    char nm[128] = "";
    hid_t o = sf_h5_object_open(file, path);
    int r = o >= 0 && !sf_h5_get_attr_str(o, "NAME", nm, sizeof nm) && !strncmp(nm, "This is a netCDF dimension", 26);
    sf_h5_close_object(o);
    return r;
}

static int read_labels(hid_t file, const char *p, hsize_t len, labels *l)
{
    if (!sf_h5_exists(file, p) || pure_dim(file, p)) return -1;
    if (sf_h5_is_string(file, p)) {
        if (!sf_h5_read_strings(file, p, &l->s, &l->n, NULL) && l->n == len) return 0;
        labels_free(l);
        return -1;
    }
    double *v = NULL;
    int r = 0;
    hsize_t d[8] = {0};
    if (!sf_h5_read_double(file, p, &v, &r, d, NULL) && r == 1 && d[0] == len) {
        l->s = sf_calloc(len ? len : 1, sizeof(char *));
        l->n = len;
        for (hsize_t i = 0; i < len; i++) {
            char b[64];
            snprintf(b, sizeof b, "%.17g", v[i]);
            l->s[i] = sf_strdup(b);
        }
        free(v);
        return 0;
    }
    free(v);
    return -1;
}

static void axis_labels(hid_t file, const char *group, const char *dim, hsize_t len, labels *l)
{
    char g[1024], p[1200];
    snprintf(g, sizeof g, "%s", group);
    memset(l, 0, sizeof *l);
    for (;;) {
        snprintf(p, sizeof p, "%s/%s", g, dim);
        if (!read_labels(file, p, len, l)) return;
        char *slash = strrchr(g, '/');
        if (!slash || slash == g) break;
        *slash = 0;
    }
    snprintf(p, sizeof p, "/labels/%s", dim); /* e.g. region -> /labels/region_code */
    if (!read_labels(file, p, len, l)) return;
    snprintf(p, sizeof p, "/labels/%s_code", dim);
    if (!read_labels(file, p, len, l)) return;
    l->s = sf_calloc(len ? len : 1, sizeof(char *));
    l->n = len;
    for (hsize_t i = 0; i < len; i++) {
        char b[32];
        snprintf(b, sizeof b, "%llu", (unsigned long long)i);
        l->s[i] = sf_strdup(b);
    }
}

static void add_decompr(hid_t obj, labels *l)
{
    double *dc = NULL;
    hsize_t n = 0;
    if (!sf_h5_get_attr_doubles_alloc(obj, "decompr_column", &dc, &n) && n == l->n) {
        l->extra = sf_malloc(sizeof(int) * (size_t)(n ? n : 1));
        for (hsize_t i = 0; i < n; i++) l->extra[i] = (int)dc[i];
    }
    free(dc);
}

/* the dims attribute split at ", " (n names, at most 8) */
static int split_dims(hid_t obj, char names[8][64])
{
    char dims[512] = "";
    if (sf_h5_get_attr_str(obj, "dims", dims, sizeof dims)) return 0;
    int n = 0;
    for (char *p = dims, *tok; (tok = strsep(&p, ",")) && n < 8;) {
        while (*tok == ' ') tok++;
        if (*tok) snprintf(names[n++], 64, "%s", tok);
    }
    return n;
}

/* rows "prefix,<label of each axis>,value" for every element of path */
static int dump_dataset(hid_t file, const char *path, const char *prefix, csvout *o, sf_err *e)
{
    double *v = NULL;
    int rank = 0;
    hsize_t d[8] = {0};
    if (sf_h5_read_double(file, path, &v, &rank, d, e)) return e->code;
    hid_t obj = sf_h5_object_open(file, path);
    char names[8][64];
    int nd = split_dims(obj, names);
    if (nd != rank) {
        sf_h5_close_object(obj);
        free(v);
        return sf_fail(e, SF_EUSER, "%s: attribute dims names %d axes, the dataset has %d", path, nd, rank);
    }
    char group[1024];
    snprintf(group, sizeof group, "%s", path);
    *strrchr(group, '/') = 0;
    labels lab[8];
    size_t tot = 1;
    for (int a = 0; a < rank; a++) {
        axis_labels(file, group, names[a], d[a], &lab[a]);
        if (!strcmp(names[a], "term")) add_decompr(obj, &lab[a]);
        tot *= (size_t)d[a];
    }
    sf_h5_close_object(obj);
    size_t idx[8] = {0};
    for (size_t i = 0; i < tot; i++) {
        if (prefix) fprintf(o->fp, "%s,", prefix);
        for (int a = 0; a < rank; a++) {
            csv_str(o->fp, lab[a].s[idx[a]]);
            if (lab[a].extra) fprintf(o->fp, ",%d", lab[a].extra[idx[a]]);
            fputc(',', o->fp);
        }
        csv_num(o->fp, v[i]);
        fputc('\n', o->fp);
        for (int a = rank - 1; a >= 0; a--) /* row-major odometer */
            if (++idx[a] < d[a]) break;
            else idx[a] = 0;
    }
    o->rows += tot;
    for (int a = 0; a < rank; a++) labels_free(&lab[a]);
    free(v);
    return SF_OK;
}

/* ---------------------------------------------------------------- the kinds */
/* the names of the groups (SF_H5_GROUPS) or datasets (SF_H5_DATASETS) of g */
static char **list_of(hid_t file, const char *g, int kind, int *n)
{
    char **s = NULL;
    size_t m = 0;
    sf_h5_list(file, g, SF_H5_BY_NAME | kind, &s, &m);
    *n = (int)m;
    return s;
}

static char **year_groups(hid_t file, int *n) { return list_of(file, "/years", SF_H5_GROUPS, n); }

static void free_names(char **s, int n)
{
    for (int i = 0; i < n; i++) free(s[i]);
    free(s);
}

/* one dataset of every year: DIR/name.csv with "year,<dims>,value" */
static int export_years(hid_t file, const char *dir, const char *file_name, const char *ds, const char *header,
                        sf_err *e)
{
    int ny = 0, rc = SF_OK, found = 0;
    char **years = year_groups(file, &ny);
    csvout o = {0};
    for (int i = 0; i < ny && !rc; i++) {
        char p[512];
        snprintf(p, sizeof p, "/years/%s/%s", years[i], ds);
        if (!sf_h5_exists(file, p)) continue;
        if (!found++) rc = out_open(&o, dir, file_name, header, e);
        if (!rc) rc = dump_dataset(file, p, years[i], &o, e);
    }
    free_names(years, ny);
    int crc = found ? out_close(&o, rc == SF_OK, e) : SF_OK;
    return rc ? rc : crc;
}

static int export_sector(hid_t file, const char *dir, sf_err *e)
{
    int ny = 0, rc = SF_OK;
    char **years = year_groups(file, &ny);
    csvout o = {0};
    if (ny) rc = out_open(&o, dir, "sector", "year,variable,sector_code,value", e);
    static const char *top[] = {"x", "va", "exports"};
    for (int i = 0; i < ny && !rc; i++) {
        char g[512], p[1024], pre[256];
        for (int k = 0; k < 3 && !rc; k++) {
            snprintf(p, sizeof p, "/years/%s/%s", years[i], top[k]);
            snprintf(pre, sizeof pre, "%s,%s", years[i], top[k]);
            if (sf_h5_exists(file, p)) rc = dump_dataset(file, p, pre, &o, e);
        }
        snprintf(g, sizeof g, "/years/%s/sector", years[i]);
        char **ds = NULL;
        int nds = 0;
        ds = list_of(file, g, SF_H5_DATASETS, &nds);
        for (int k = 0; k < nds && !rc; k++) {
            snprintf(p, sizeof p, "%s/%s", g, ds[k]);
            snprintf(pre, sizeof pre, "%s,%s", years[i], ds[k]);
            rc = dump_dataset(file, p, pre, &o, e);
        }
        free_names(ds, nds);
    }
    free_names(years, ny);
    int crc = out_close(&o, rc == SF_OK, e);
    return rc ? rc : crc;
}

/* the panel (one row per year, partner and industry): the numeric columns
 * other than year and industry become variable,value rows; the string
 * columns and year, industry stay as keys */
static int export_panel(hid_t file, const char *dir, sf_err *e)
{
    if (!sf_h5_exists(file, "/panel")) return SF_OK;
    sf_frame *f = NULL;
    int rc = sf_h5_read_frame(file, "/panel", &f, e);
    if (rc) return rc;
    char header[4096] = "";
    size_t L = 0;
    int *key = sf_calloc((size_t)f->ncol + 1, sizeof(int));
    for (int c = 0; c < f->ncol; c++) {
        const sf_column *col = &f->cols[c];
        key[c] = col->type == SF_COL_STR || !strcmp(col->name, "year") || !strcmp(col->name, "industry");
        if (key[c] && L < sizeof header) L += (size_t)snprintf(header + L, sizeof header - L, "%s,", col->name);
    }
    if (L < sizeof header) snprintf(header + L, sizeof header - L, "variable,value");
    csvout o;
    rc = out_open(&o, dir, "panel", header, e);
    for (size_t i = 0; i < f->nrow && !rc; i++)
        for (int c = 0; c < f->ncol; c++) {
            if (key[c]) continue;
            for (int k = 0; k < f->ncol; k++) {
                if (!key[k]) continue;
                if (f->cols[k].type == SF_COL_STR) csv_str(o.fp, f->cols[k].str[i]);
                else csv_num(o.fp, f->cols[k].num[i]);
                fputc(',', o.fp);
            }
            csv_str(o.fp, f->cols[c].name);
            fputc(',', o.fp);
            csv_num(o.fp, f->cols[c].num[i]);
            fputc('\n', o.fp);
            o.rows++;
        }
    free(key);
    sf_frame_free(f);
    int crc = out_close(&o, rc == SF_OK, e);
    return rc ? rc : crc;
}

/* The datasets of /trade/<part>: one file per part and shape of the datasets (by year:
 * trade_<part>.csv; by period: trade_<part>_period.csv; another shape:
 * trade_<part>_<dataset>.csv), columns variable,<dims>,value */
static int export_trade_part(hid_t file, const char *dir, const char *part, sf_err *e)
{
    char g[256];
    snprintf(g, sizeof g, "/trade/%s", part);
    char **ds = NULL;
    int nds = 0, rc = SF_OK;
    ds = list_of(file, g, SF_H5_DATASETS, &nds);
    char *done = sf_calloc((size_t)nds + 1, 1);
    int have_years = 0, have_period = 0; /* trade_<part>.csv and _period.csv claimed */
    for (int i = 0; i < nds && !rc; i++) {
        char p[512], sig[512] = "", names[8][64];
        snprintf(p, sizeof p, "%s/%s", g, ds[i]);
        hid_t obj = sf_h5_object_open(file, p);
        int nd = split_dims(obj, names);
        sf_h5_close_object(obj);
        if (done[i] || sf_h5_is_string(file, p) || nd == 0 || (nd == 1 && !strcmp(names[0], ds[i]))) continue;
        size_t L = 0;
        for (int a = 0; a < nd; a++) L += (size_t)snprintf(sig + L, sizeof sig - L, "%s,", names[a]);
        char fname[512], header[600];
        int shared = 1; /* the file holds every dataset of this shape */
        if (!strcmp(names[0], "years") && !have_years++) snprintf(fname, sizeof fname, "trade_%s", part);
        else if (!strcmp(names[0], "period") && !have_period++) snprintf(fname, sizeof fname, "trade_%s_period", part);
        else {
            snprintf(fname, sizeof fname, "trade_%s_%s", part, ds[i]);
            shared = 0;
        }
        snprintf(header, sizeof header, "variable,%svalue", sig);
        csvout o;
        if ((rc = out_open(&o, dir, fname, header, e))) break;
        for (int j = i; j < nds && !rc; j++) { /* the datasets of the same shape */
            char pj[512], sj[512] = "", nj[8][64];
            snprintf(pj, sizeof pj, "%s/%s", g, ds[j]);
            obj = sf_h5_object_open(file, pj);
            int ndj = split_dims(obj, nj);
            sf_h5_close_object(obj);
            size_t Lj = 0;
            for (int a = 0; a < ndj; a++) Lj += (size_t)snprintf(sj + Lj, sizeof sj - Lj, "%s,", nj[a]);
            if (done[j] || strcmp(sj, sig) || sf_h5_is_string(file, pj) || (ndj == 1 && !strcmp(nj[0], ds[j])))
                continue;
            if (j != i && !shared) continue;
            done[j] = 1;
            rc = dump_dataset(file, pj, ds[j], &o, e);
        }
        int crc = out_close(&o, rc == SF_OK, e);
        if (!rc) rc = crc;
    }
    free(done);
    free_names(ds, nds);
    return rc;
}

static int export_trade(hid_t file, const char *dir, sf_err *e)
{
    char **parts = NULL;
    int np = 0, rc = SF_OK;
    parts = list_of(file, "/trade", SF_H5_GROUPS, &np);
    for (int i = 0; i < np && !rc; i++) rc = export_trade_part(file, dir, parts[i], e);
    free_names(parts, np);
    return rc;
}

static const char *role_label(int r)
{
    static const char *n[] = {"model", "first_stage", "mediation_m", "mediation_y", "mediation_total"};
    return r >= 0 && r <= 4 ? n[r] : "model";
}

/* one row per model and coefficient */
static int export_estimates(const char *results, const char *dir, sf_err *e)
{
    sf_fit **fits = NULL;
    int nfits = 0;
    int rc = sf_estimates_read(results, &fits, &nfits, e);
    if (rc) return rc;
    csvout o;
    rc = out_open(&o, dir, "estimates",
                  "table,model,section,role,depvar,term,coef,se,t,p,ci_lo,ci_hi,boot_p,nobs,clusters,r2,r2_within,"
                  "vcov,ssc,formula", e);
    for (int i = 0; i < nfits && !rc; i++) {
        const sf_fit *f = fits[i];
        long ncl = f->ncl ? (f->ncl > 1 && f->n_clusters[1] < f->n_clusters[0] ? f->n_clusters[1] : f->n_clusters[0]) : 0;
        for (int a = 0; a < f->k; a++) {
            const char *s[] = {f->table, f->name, f->section, role_label(f->role), f->depvar, f->coef[a]};
            for (int q = 0; q < 6; q++) {
                csv_str(o.fp, s[q]);
                fputc(',', o.fp);
            }
            double v[] = {f->b[a], f->se[a], f->t[a], f->p[a], f->ci_lo[a], f->ci_hi[a], a == f->key ? f->boot_p : NAN};
            for (int q = 0; q < 7; q++) {
                csv_num(o.fp, v[q]);
                fputc(',', o.fp);
            }
            fprintf(o.fp, "%zu,", f->N);
            if (ncl) fprintf(o.fp, "%ld", ncl);
            fputc(',', o.fp);
            csv_num(o.fp, f->r2);
            fputc(',', o.fp);
            csv_num(o.fp, f->r2_within);
            fputc(',', o.fp);
            csv_str(o.fp, f->vcov_desc);
            fputc(',', o.fp);
            csv_str(o.fp, f->ssc_desc);
            fputc(',', o.fp);
            csv_str(o.fp, f->formula);
            fputc('\n', o.fp);
            o.rows++;
        }
    }
    for (int i = 0; i < nfits; i++) sf_fit_free(fits[i]);
    free(fits);
    int crc = out_close(&o, rc == SF_OK, e);
    return rc ? rc : crc;
}

/* ---------------------------------------------------------------- driver */
static const char *const KINDS[] = {"wwz", "vax", "vby", "sector", "panel", "trade", "estimates"};
#define NKINDS 7

int sf_export_parse_what(const char *what, unsigned *mask, sf_err *e)
{
    *mask = 0;
    if (!what) {
        *mask = (1u << NKINDS) - 1;
        return SF_OK;
    }
    char *copy = sf_strdup(what);
    int rc = SF_OK;
    for (char *p = copy, *tok; (tok = strsep(&p, ",")) && !rc;) {
        tok = sf_trim(tok);
        if (!*tok) continue;
        int k = -1;
        for (int i = 0; i < NKINDS; i++)
            if (!strcmp(KINDS[i], tok)) k = i;
        if (k < 0) rc = sf_fail(e, SF_EUSER, "export: --what: unknown kind '%s' (wwz, vax, vby, sector, panel, "
                                "trade, estimates)", tok);
        else *mask |= 1u << k;
    }
    free(copy);
    if (!rc && !*mask) rc = sf_fail(e, SF_EUSER, "export: --what: empty list");
    return rc;
}

int sf_export(const char *results, const char *dir, unsigned mask, sf_err *e)
{
    if (!sf_file_exists(results)) return sf_fail(e, SF_EUSER, "%s: no such file", results);
    if (sf_mkdir_p(dir)) return sf_fail(e, SF_EUSER, "%s: cannot create the export directory", dir);
    sf_h5_silence();
    sf_h5 h;
    memset(&h, 0, sizeof h);
    if (sf_h5_open(&h, results, 0, e)) return e->code ? e->code : SF_EUSER;
    hid_t f = h.file;
    int rc = SF_OK, have_est = sf_h5_exists(f, "/estimates");
    if (mask & 1) {
        rc = export_years(f, dir, "wwz", "wwz_country", "year,exporter,importer,term,decompr_column,value", e);
        if (!rc)
            rc = export_years(f, dir, "wwz_sector", "wwz", "year,exporter,importer,industry,term,decompr_column,value", e);
    }
    if (!rc && (mask & 2)) rc = export_years(f, dir, "vax", "vax", "year,exporter,importer,value", e);
    if (!rc && (mask & 4)) rc = export_years(f, dir, "vby", "vby", "year,sector_code,importer,value", e);
    if (!rc && (mask & 8)) rc = export_sector(f, dir, e);
    if (!rc && (mask & 16)) rc = export_panel(f, dir, e);
    if (!rc && (mask & 32)) rc = export_trade(f, dir, e);
    sf_h5_close(&h, NULL);
    if (!rc && (mask & 64) && have_est) rc = export_estimates(results, dir, e);
    if (rc && !strstr(e->msg, results)) sf_err_prefix(e, "%s", results);
    return rc;
}
