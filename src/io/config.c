#include "silkflow/config.h"

#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Key types */
enum {
    K_STR,      /* free string */
    K_CHOICE,   /* one of choices ("a|b|c"), stored as string */
    K_PATH,     /* existing file or directory (resolved) */
    K_OPTPATH,  /* like K_PATH, "none"/"" = NULL */
    K_OUTPATH,  /* output path (not checked for existence) */
    K_INT,      /* integer in [lo, hi] */
    K_INTAUTO,  /* "auto" -> 0 or integer in [lo, hi] */
    K_DOUBLE,   /* real in [lo, hi] */
    K_BOOL,     /* true/false/yes/no/1/0/on/off */
    K_LIST,     /* integer list ("3-16", "7,8,9") within [lo, hi] */
    K_CODE      /* region code: 2-8 alphanumerics */
};

typedef struct {
    const char *section, *name;
    int type;
    const char *def;     /* default text (NULL = unset) */
    const char *choices; /* K_CHOICE */
    double lo, hi;
    size_t off;          /* offset of the field in sf_config */
    size_t off_count;    /* K_LIST: offset of the count field */
    const char *help;
} keydef;

#define F(x) offsetof(sf_config, x)

static const keydef KEYS[] = {
    {"data", "format", K_CHOICE, "eora26", "eora26|mrio-tsv", 0, 0, F(format), 0, "release format"},
    {"data", "path", K_PATH, NULL, NULL, 0, 0, F(data_path), 0, "directory of the release"},
    {"data", "prefix", K_STR, NULL, NULL, 0, 0, F(prefix), 0, "file prefix"},
    {"data", "price", K_CHOICE, "bp", "bp|pp", 0, 0, F(price), 0, "price basis in the file names"},
    {"data", "years", K_LIST, NULL, NULL, 1900, 2100, F(years), F(nyears), "years to compute"},
    {"data", "row", K_CHOICE, "keep", "keep|drop", 0, 0, 0, 0, "keep or drop the Eora ROW account"},
    {"data", "va_source", K_CHOICE, "derived", "derived|table", 0, 0, 0, 0, "value added source"},
    {"data", "aliases", K_OPTPATH, NULL, NULL, 0, 0, F(aliases), 0, "region alias file"},
    {"data", "units", K_STR, NULL, NULL, 0, 0, F(units), 0, "units of the values"},
    {"model", "focal", K_CODE, "CHN", NULL, 0, 0, F(focal), 0, "focal region"},
    {"model", "partners", K_OPTPATH, NULL, NULL, 0, 0, F(partners), 0, "partner list file"},
    {"model", "industries", K_LIST, "4-11", NULL, 1, 100000, F(industries), F(nindustries), "industries"},
    {"model", "ic_basis", K_CHOICE, "direct", "direct|total", 0, 0, 0, 0, "integration basis"},
    {"model", "tech_high", K_LIST, "7-10", NULL, 1, 100000, F(tech_high), F(ntech_high), "D2 = 1 industries"},
    {"model", "d3_after", K_INT, "2013", NULL, 1900, 2100, F(d3_after), 0, "D3 = 1 for years after this"},
    {"model", "concordance", K_OPTPATH, NULL, NULL, 0, 0, F(concordance), 0, "sector concordance file"},
    {"covariates", "file", K_OPTPATH, NULL, NULL, 0, 0, F(cov_file), 0, "country-year CSV"},
    {"covariates", "sources", K_OPTPATH, NULL, NULL, 0, 0, F(cov_dir), 0, "directory of raw sources"},
    {"covariates", "dis_form", K_CHOICE, "level", "level|log", 0, 0, 0, 0, "DIS in km x $ or its log"},
    {"compute", "block", K_INT, "64", NULL, 1, 4096, F(block), 0, "ScaLAPACK block size"},
    {"compute", "ranks_per_year", K_INTAUTO, "auto", NULL, 1, 1 << 20, F(ranks_per_year), 0, "ranks per grid"},
    {"compute", "store_leontief", K_BOOL, "false", NULL, 0, 0, F(store_leontief), 0, "store B"},
    {"compute", "store_wwz", K_CHOICE, "country", "none|country|sector", 0, 0, 0, 0, "WWZ detail"},
    {"compute", "zero_eps", K_DOUBLE, "1e-9", NULL, 0, 1e-2, F(zero_eps), 0, "zero-output threshold"},
    {"compute", "residual_max", K_DOUBLE, "16", NULL, 1e-9, 1e9, F(residual_max), 0, "residual check"},
    {"compute", "memory_per_rank_gb", K_DOUBLE, "0", NULL, 0, 1e6, F(mem_per_rank_gb), 0, "memory budget"},
    {"estimate", "models", K_OPTPATH, NULL, NULL, 0, 0, F(models), 0, "models file"},
    {"estimate", "bootstrap", K_INT, "9999", NULL, 0, 10000000, F(bootstrap), 0, "bootstrap replicates"},
    {"estimate", "seed", K_INT, "20231122", NULL, 0, 4294967295.0, 0, 0, "random seed"},
    {"estimate", "winsorize", K_DOUBLE, "1", NULL, 0, 49, F(winsorize), 0, "winsorising percent per tail"},
    {"estimate", "vcov", K_STR, NULL, NULL, 0, 0, F(est_vcov), 0, "variance for every model"},
    {"estimate", "normalize", K_BOOL, "true", NULL, 0, 0, F(normalize), 0, "min-max normalisation"},
    {"estimate", "itr_form", K_CHOICE, "log", "level|log", 0, 0, 0, 0, "ITR, ITR1 in logs (the paper's lnITR) or levels"},
    {"estimate", "iih_form", K_CHOICE, "literal", "literal|log|bounded", 0, 0, 0, 0, "IIH as defined, ln IIH or IIH / (1 + IIH)"},
    {"network", "threshold", K_DOUBLE, "0.001", NULL, 0, 1, F(net_threshold), 0, "density threshold"},
    {"output", "file", K_OUTPATH, "out/results.h5", NULL, 0, 0, F(out_file), 0, "results file"},
    {"output", "tables", K_OUTPATH, "out/tables", NULL, 0, 0, F(tables_dir), 0, "tables directory"},
    {"output", "report", K_BOOL, "true", NULL, 0, 0, F(report), 0, "write the report"},
};
#define NKEYS (sizeof KEYS / sizeof KEYS[0])

typedef struct {
    sf_config *cfg;
    const char *cfgdir;
    char seen[NKEYS];
    char *values[NKEYS];
    int first_error;     /* 1 when err holds a message */
    sf_err *e;
    const char *path;
} parse_ctx;

static int find_key(const char *section, const char *name)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (!strcmp(KEYS[i].section, section) && !strcmp(KEYS[i].name, name)) return (int)i;
    return -1;
}

static int known_section(const char *section)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (!strcmp(KEYS[i].section, section)) return 1;
    return 0;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    parse_ctx *c = user;
    if (!known_section(section)) {
        if (!c->first_error) {
            sf_fail(c->e, SF_EUSER, "unknown section [%s] (key '%s'); sections are data, model, covariates, "
                    "compute, estimate, network, output", section, name);
            c->first_error = 1;
        }
        return 0;
    }
    int k = find_key(section, name);
    if (k < 0) {
        if (!c->first_error) {
            char list[1024] = "";
            for (size_t i = 0; i < NKEYS; i++)
                if (!strcmp(KEYS[i].section, section)) {
                    strncat(list, list[0] ? ", " : "", sizeof list - strlen(list) - 1);
                    strncat(list, KEYS[i].name, sizeof list - strlen(list) - 1);
                }
            sf_fail(c->e, SF_EUSER, "[%s] unknown key '%s' (known: %s)", section, name, list);
            c->first_error = 1;
        }
        return 0;
    }
    if (c->seen[k]) {
        if (!c->first_error) {
            sf_fail(c->e, SF_EUSER, "[%s] key '%s' given twice", section, name);
            c->first_error = 1;
        }
        return 0;
    }
    c->seen[k] = 1;
    c->values[k] = sf_strdup(value);
    return 1;
}

/* An input path of the config (docs/config.md): an absolute path as it is; a
 * relative one beside the config file first, then in the data directory
 * (sf_datadir: the installed share/silkflow, or the source tree). NULL when
 * neither exists; tried[0], tried[1] (malloc'ed) then name the places looked at. */
static char *resolve_path(const char *value, const char *cfgdir, char *tried[2])
{
    tried[0] = tried[1] = NULL;
    if (value[0] == '/') return sf_strdup(value);
    const char *where[2] = {cfgdir, sf_datadir()};
    for (int i = 0; i < 2; i++) {
        char *p = sf_path_join(where[i], value);
        if (sf_file_exists(p) || sf_is_dir(p)) {
            for (int j = 0; j < i; j++) free(tried[j]);
            tried[0] = NULL;
            return p;
        }
        tried[i] = p;
    }
    return NULL;
}

static int parse_bool(const char *s, int *out)
{
    if (sf_streq_nocase(s, "true") || sf_streq_nocase(s, "yes") || !strcmp(s, "1") || sf_streq_nocase(s, "on")) {
        *out = 1;
        return 0;
    }
    if (sf_streq_nocase(s, "false") || sf_streq_nocase(s, "no") || !strcmp(s, "0") || sf_streq_nocase(s, "off")) {
        *out = 0;
        return 0;
    }
    return -1;
}

static int in_choices(const char *v, const char *choices)
{
    const char *p = choices;
    size_t lv = strlen(v);
    while (*p) {
        const char *bar = strchr(p, '|');
        size_t l = bar ? (size_t)(bar - p) : strlen(p);
        if (l == lv && !strncmp(p, v, l)) return 1;
        if (!bar) break;
        p = bar + 1;
    }
    return 0;
}

/* Apply one key's value (or default). Returns SF_OK or SF_EUSER. */
static int apply(parse_ctx *c, int k, const char *value, int from_default)
{
    const keydef *kd = &KEYS[k];
    char *base = (char *)c->cfg;
    const char *where = c->path;
    char vbuf[4096];
    snprintf(vbuf, sizeof vbuf, "%s", value);
    char *v = sf_trim(vbuf);
#define BAD(...)                                                                                        \
    do {                                                                                                \
        char m_[1024];                                                                                  \
        snprintf(m_, sizeof m_, __VA_ARGS__);                                                           \
        return sf_fail(c->e, SF_EUSER, "%s: [%s] %s = '%s': %s%s", where, kd->section, kd->name, v, m_, \
                       from_default ? " (default)" : "");                                              \
    } while (0)
    switch (kd->type) {
    case K_STR:
        if (!*v) BAD("empty value");
        *(char **)(base + kd->off) = sf_strdup(v);
        break;
    case K_CHOICE:
        if (!in_choices(v, kd->choices)) BAD("must be one of %s", kd->choices);
        if (kd->off || !strcmp(kd->name, "format")) {
            *(char **)(base + kd->off) = sf_strdup(v);
        } else if (!strcmp(kd->name, "row")) {
            c->cfg->drop_row = !strcmp(v, "drop");
        } else if (!strcmp(kd->name, "va_source")) {
            c->cfg->va_table = !strcmp(v, "table");
        } else if (!strcmp(kd->name, "dis_form")) {
            c->cfg->dis_log = !strcmp(v, "log");
        } else if (!strcmp(kd->name, "itr_form")) {
            c->cfg->itr_log = !strcmp(v, "log");
        } else if (!strcmp(kd->name, "iih_form")) {
            c->cfg->iih_form = !strcmp(v, "log") ? 1 : !strcmp(v, "bounded") ? 2 : 0;
        } else if (!strcmp(kd->name, "ic_basis")) {
            c->cfg->ic_total = !strcmp(v, "total");
        } else if (!strcmp(kd->name, "store_wwz")) {
            c->cfg->store_wwz = !strcmp(v, "none") ? 0 : !strcmp(v, "country") ? 1 : 2;
        }
        break;
    case K_PATH:
    case K_OPTPATH: {
        if (kd->type == K_OPTPATH && (!*v || sf_streq_nocase(v, "none"))) {
            *(char **)(base + kd->off) = NULL;
            break;
        }
        if (!*v) BAD("empty path");
        char *tried[2];
        char *p = resolve_path(v, c->cfgdir, tried);
        if (!p) {
            char t0[2048], t1[2048];
            snprintf(t0, sizeof t0, "%s", tried[0] ? tried[0] : v);
            snprintf(t1, sizeof t1, "%s", tried[1] ? tried[1] : "");
            free(tried[0]);
            free(tried[1]);
            if (v[0] == '/') BAD("no such file or directory");
            BAD("no such file or directory (looked beside the config, %s, and in the data directory, %s; "
                "SILKFLOW_DATADIR sets that directory)", t0, t1);
        }
        /* [data] path and [covariates] sources are directories, the other paths files */
        const int want_dir = !strcmp(kd->name, "path") || !strcmp(kd->name, "sources");
        struct stat st;
        const char *why = NULL;
        if (stat(p, &st) != 0) why = strerror(errno);
        else if (want_dir && !S_ISDIR(st.st_mode)) why = "not a directory";
        else if (!want_dir && S_ISDIR(st.st_mode)) why = "a directory, expected a file";
        if (why) {
            free(p);
            BAD("%s", why);
        }
        *(char **)(base + kd->off) = p;
        break;
    }
    case K_OUTPATH:
        if (!*v) BAD("empty path");
        *(char **)(base + kd->off) = sf_strdup(v);
        break;
    case K_INT:
    case K_INTAUTO: {
        long x;
        if (kd->type == K_INTAUTO && sf_streq_nocase(v, "auto")) {
            *(int *)(base + kd->off) = 0;
            break;
        }
        if (sf_parse_int(v, &x)) BAD("not an integer%s", kd->type == K_INTAUTO ? " or 'auto'" : "");
        if ((double)x < kd->lo || (double)x > kd->hi) BAD("out of range [%.0f, %.0f]", kd->lo, kd->hi);
        if (!strcmp(kd->name, "seed"))
            c->cfg->seed = (unsigned long)x;
        else
            *(int *)(base + kd->off) = (int)x;
        break;
    }
    case K_DOUBLE: {
        double x;
        if (sf_parse_double(v, &x) || !isfinite(x)) BAD("not a number");
        if (x < kd->lo || x > kd->hi) BAD("out of range [%g, %g]", kd->lo, kd->hi);
        *(double *)(base + kd->off) = x;
        break;
    }
    case K_BOOL: {
        int b;
        if (parse_bool(v, &b)) BAD("must be true or false");
        *(int *)(base + kd->off) = b;
        break;
    }
    case K_LIST: {
        int *list, cnt;
        if (!strcmp(kd->name, "years") && sf_streq_nocase(v, "all")) {
            /* every year the release holds, resolved when the release is read */
            *(int **)(base + kd->off) = NULL;
            *(int *)(base + kd->off_count) = 0;
            break;
        }
        if (sf_parse_int_list(v, &list, &cnt)) BAD("not a list of integers like 3-16 or 7,8,9");
        for (int i = 0; i < cnt; i++)
            if (list[i] < kd->lo || list[i] > kd->hi) {
                const int bad = list[i];
                free(list);
                BAD("value %d out of range [%.0f, %.0f]", bad, kd->lo, kd->hi);
            }
        *(int **)(base + kd->off) = list;
        *(int *)(base + kd->off_count) = cnt;
        break;
    }
    case K_CODE: {
        size_t l = strlen(v);
        if (l < 2 || l > 8) BAD("a region code has 2 to 8 characters");
        for (size_t i = 0; i < l; i++)
            if (!((v[i] >= 'A' && v[i] <= 'Z') || (v[i] >= 'a' && v[i] <= 'z') || (v[i] >= '0' && v[i] <= '9')))
                BAD("a region code has letters and digits only");
        *(char **)(base + kd->off) = sf_strdup(v);
        break;
    }
    }
#undef BAD
    return SF_OK;
}

int sf_config_load(const char *path, sf_config *cfg, sf_err *e)
{
    memset(cfg, 0, sizeof *cfg);
    size_t len;
    char *text = sf_read_file(path, &len, e);
    if (!text) return e ? e->code : SF_EUSER;
    if (memchr(text, '\0', len)) {
        free(text);
        return sf_fail(e, SF_EUSER, "%s: not a text file", path);
    }
    cfg->path = sf_strdup(path);
    cfg->text = text;
    sf_sha256_hex(text, len, cfg->sha256);
    char *cfgdir = sf_dirname(path);
    parse_ctx c;
    memset(&c, 0, sizeof c);
    c.cfg = cfg;
    c.cfgdir = cfgdir;
    c.e = e;
    c.path = path;
    int line = ini_parse_string(text, handler, &c);
    int rc = SF_OK;
    if (line != 0) {
        if (c.first_error)
            rc = sf_err_prefix(e, "%s: line %d", path, line);
        else
            rc = sf_fail(e, SF_EUSER, "%s: line %d: syntax error (expected [section] or key = value)", path, line);
        if (e) e->code = SF_EUSER;
        rc = SF_EUSER;
    }
    for (size_t k = 0; k < NKEYS && rc == SF_OK; k++) {
        const char *val = c.seen[k] ? c.values[k] : KEYS[k].def;
        if (!val) {
            if (!strcmp(KEYS[k].name, "path") || !strcmp(KEYS[k].name, "years")) {
                rc = sf_fail(e, SF_EUSER, "%s: [%s] %s is required", path, KEYS[k].section, KEYS[k].name);
            }
            continue;
        }
        rc = apply(&c, (int)k, val, !c.seen[k]);
    }
    if (rc == SF_OK && !cfg->prefix) {
        if (!strcmp(cfg->format, "eora26"))
            cfg->prefix = sf_strdup("Eora26");
        else
            rc = sf_fail(e, SF_EUSER, "%s: [data] prefix is required for format = mrio-tsv", path);
    }
    if (rc == SF_OK && !cfg->units)
        cfg->units = sf_strdup(!strcmp(cfg->format, "eora26") ? "thousands of current US$" : "as in the source tables");
    if (rc == SF_OK && cfg->data_path && !sf_is_dir(cfg->data_path))
        rc = sf_fail(e, SF_EUSER, "%s: [data] path = '%s': not a directory", path, cfg->data_path);
    if (rc == SF_OK && cfg->ranks_per_year < 0) rc = sf_fail(e, SF_EUSER, "%s: bad ranks_per_year", path);
    for (size_t k = 0; k < NKEYS; k++) free(c.values[k]);
    free(cfgdir);
    if (rc != SF_OK) sf_config_free(cfg);
    return rc;
}

void sf_config_free(sf_config *cfg)
{
    free(cfg->path);
    free(cfg->text);
    free(cfg->format);
    free(cfg->data_path);
    free(cfg->prefix);
    free(cfg->price);
    free(cfg->years);
    free(cfg->aliases);
    free(cfg->units);
    free(cfg->focal);
    free(cfg->partners);
    free(cfg->industries);
    free(cfg->tech_high);
    free(cfg->concordance);
    free(cfg->cov_file);
    free(cfg->est_vcov);
    free(cfg->cov_dir);
    free(cfg->models);
    free(cfg->out_file);
    free(cfg->tables_dir);
    memset(cfg, 0, sizeof *cfg);
}

int sf_config_set_years(sf_config *cfg, const char *spec, sf_err *e)
{
    int *list, cnt;
    if (sf_parse_int_list(spec, &list, &cnt))
        return sf_fail(e, SF_EUSER, "--years '%s': expected a year or a range like 2005-2007", spec);
    for (int i = 0; i < cnt; i++)
        if (list[i] < 1900 || list[i] > 2100) {
            free(list);
            return sf_fail(e, SF_EUSER, "--years '%s': year out of range", spec);
        }
    free(cfg->years);
    cfg->years = list;
    cfg->nyears = cnt;
    return SF_OK;
}

void sf_config_year_hash(const sf_config *cfg, char hex[65])
{
    sf_sha256 s;
    sf_sha256_init(&s);
    char buf[4096];
    char ind[1024], th[1024];
    sf_format_int_list(cfg->industries, cfg->nindustries, ind, sizeof ind);
    sf_format_int_list(cfg->tech_high, cfg->ntech_high, th, sizeof th);
    int n = snprintf(buf, sizeof buf,
                     "silkflow %s\nformat=%s\nprefix=%s\nprice=%s\ndrop_row=%d\nva_table=%d\nfocal=%s\n"
                     "industries=%s\nic_total=%d\ntech_high=%s\nd3_after=%d\nstore_leontief=%d\nstore_wwz=%d\n"
                     "zero_eps=%.17g\n",
                     SF_VERSION, cfg->format, cfg->prefix, cfg->price, cfg->drop_row, cfg->va_table, cfg->focal,
                     ind, cfg->ic_total, th, cfg->d3_after, cfg->store_leontief, cfg->store_wwz, cfg->zero_eps);
    /* hashed only when not the default, so that the hash of existing caches stays */
    if (cfg->residual_max != 16.0 && n > 0 && (size_t)n < sizeof buf)
        n += snprintf(buf + n, sizeof buf - (size_t)n, "residual_max=%.17g\n", cfg->residual_max);
    sf_sha256_update(&s, buf, (size_t)n);
    /* files whose content shapes a year's results */
    const char *files[3] = {cfg->aliases, cfg->partners, cfg->concordance};
    for (int i = 0; i < 3; i++) {
        char h[65] = "none";
        if (files[i] && sf_sha256_file(files[i], h, NULL) != SF_OK) snprintf(h, sizeof h, "unreadable");
        sf_sha256_update(&s, h, strlen(h));
    }
    sf_sha256_final(&s, hex);
}
