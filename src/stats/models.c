/* The models file (docs/config.md; the shipped ones are in jobs/): INI-like sections, one model
 * per section, fixest-style formulas
 *     y ~ x1 + x2 + x1:D1 | fe1 + fe2 | endog ~ instr
 *     y ~ x1 | endog ~ instr            (IV without fixed effects)
 * with L.x / L2.x lags, log(x), interactions a:b, FE groupings a#b and the
 * built-in pair (= partner#industry). A [defaults] section applies to every
 * following section (a later [defaults] replaces the keys it sets).
 * Comments: lines starting with # or ;, and ' ;' / ' #' after a value.
 * Every error names the file, the line and the offending token. */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "silkflow/stats.h"

typedef struct {
    char *key, *val;
    int line;
} kv;

typedef struct {
    kv *v;
    int n, cap;
} kvlist;

static void kv_add(kvlist *l, const char *k, const char *v, int line)
{
    for (int i = 0; i < l->n; i++)
        if (!strcmp(l->v[i].key, k)) { /* later value wins */
            free(l->v[i].val);
            l->v[i].val = sf_strdup(v);
            l->v[i].line = line;
            return;
        }
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->v = sf_realloc(l->v, sizeof(kv) * (size_t)l->cap);
    }
    l->v[l->n].key = sf_strdup(k);
    l->v[l->n].val = sf_strdup(v);
    l->v[l->n].line = line;
    l->n++;
}

static void kv_free(kvlist *l)
{
    for (int i = 0; i < l->n; i++) {
        free(l->v[i].key);
        free(l->v[i].val);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}

static void kv_copy(kvlist *dst, const kvlist *src)
{
    for (int i = 0; i < src->n; i++) kv_add(dst, src->v[i].key, src->v[i].val, src->v[i].line);
}

static const char *KNOWN_KEYS[] = {"formula", "vcov",     "ssc",       "bootstrap", "boot_reps", "boot_coef",
                                   "boot_weights", "mediator", "subset", "subset_by", "panel", "table",
                                   "title", "controls", "first_stage", "first_column", "note", NULL};

static int bad(sf_err *e, const char *path, int line, const char *fmt, ...) SF_PRINTF(4, 5);
static int bad(sf_err *e, const char *path, int line, const char *fmt, ...)
{
    char msg[1800];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (line <= 0) return sf_fail(e, SF_EUSER, "%s: %s", path, msg);
    return sf_fail(e, SF_EUSER, "%s:%d: %s", path, line, msg);
}

/* ------------------------------------------------------------------ formula parsing */
static char *dupn(const char *s, size_t n)
{
    char *r = sf_malloc(n + 1);
    memcpy(r, s, n);
    r[n] = 0;
    return r;
}

static int is_name_start(int c) { return isalpha(c) || c == '_'; }
static int is_name_char(int c) { return isalnum(c) || c == '_'; }

static void term_free(sf_term *t)
{
    free(t->name);
    for (int i = 0; i < t->nfac; i++) free(t->fac[i].var);
    memset(t, 0, sizeof *t);
}

static void term_name(sf_term *t)
{
    char buf[512] = "";
    size_t len = 0;
    for (int i = 0; i < t->nfac; i++) {
        const sf_factor *f = &t->fac[i];
        char lag[16] = "";
        if (f->lag == 1)
            strcpy(lag, "L.");
        else if (f->lag > 1)
            snprintf(lag, sizeof lag, "L%d.", f->lag);
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s%s%s%s", i ? ":" : "", lag, f->log ? "log(" : "",
                                f->var, f->log ? ")" : "");
        if (len >= sizeof buf) len = sizeof buf - 1;
    }
    t->name = sf_strdup(buf);
}

/* one term "L.x:log(y):D1"; returns 0 or -1 with the offending text in badtok */
static int parse_term(const char *s, sf_term *t, char *badtok, size_t bsz)
{
    memset(t, 0, sizeof *t);
    const char *p = s;
    while (isspace((unsigned char)*p)) p++;
    for (;;) {
        if (t->nfac == SF_MAX_FACTORS) {
            snprintf(badtok, bsz, "%s", s);
            return -1;
        }
        sf_factor *f = &t->fac[t->nfac];
        memset(f, 0, sizeof *f);
        /* lag prefix */
        if (p[0] == 'L' && (p[1] == '.' || isdigit((unsigned char)p[1]))) {
            const char *q = p + 1;
            int lag = 1;
            if (isdigit((unsigned char)*q)) {
                lag = 0;
                while (isdigit((unsigned char)*q)) lag = lag * 10 + (*q++ - '0');
            }
            if (*q == '.' && lag >= 1 && lag <= 50) {
                f->lag = lag;
                p = q + 1;
            }
        }
        int is_log = 0;
        if (!strncmp(p, "log(", 4)) {
            is_log = 1;
            p += 4;
            while (isspace((unsigned char)*p)) p++;
        }
        if (!is_name_start((unsigned char)*p)) {
            snprintf(badtok, bsz, "%s", *p ? p : s);
            term_free(t);
            return -1;
        }
        const char *b = p;
        while (is_name_char((unsigned char)*p)) p++;
        f->var = dupn(b, (size_t)(p - b));
        f->log = is_log;
        t->nfac++;
        while (isspace((unsigned char)*p)) p++;
        if (is_log) {
            if (*p != ')') {
                snprintf(badtok, bsz, "%s", *p ? p : s);
                term_free(t);
                return -1;
            }
            p++;
            while (isspace((unsigned char)*p)) p++;
        }
        if (*p == ':') {
            p++;
            while (isspace((unsigned char)*p)) p++;
            continue;
        }
        if (*p) {
            snprintf(badtok, bsz, "%s", p);
            term_free(t);
            return -1;
        }
        break;
    }
    term_name(t);
    return 0;
}

/* trimmed copy */
static char *tdup(const char *s)
{
    while (isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1])) n--;
    return dupn(s, n);
}

/* split s on the separator character at nesting depth 0 (parentheses) */
static int split_top(const char *s, char sep, char ***parts)
{
    int n = 0, cap = 8, depth = 0;
    char **v = sf_malloc(sizeof(char *) * (size_t)cap);
    const char *b = s;
    for (const char *p = s;; p++) {
        if (*p == '(') depth++;
        if (*p == ')') depth--;
        if (*p == 0 || (*p == sep && depth == 0)) {
            if (n == cap) v = sf_realloc(v, sizeof(char *) * (size_t)(cap *= 2));
            char *t = dupn(b, (size_t)(p - b));
            v[n++] = tdup(t);
            free(t);
            if (*p == 0) break;
            b = p + 1;
        }
    }
    *parts = v;
    return n;
}

static void free_parts(char **v, int n)
{
    for (int i = 0; i < n; i++) free(v[i]);
    free(v);
}


static int parse_terms(const char *s, sf_term **out, int *nout, int allow_one, const char *path, int line,
                       sf_err *e)
{
    char **parts;
    int np = split_top(s, '+', &parts);
    *out = NULL;
    *nout = 0;
    sf_term *v = sf_calloc((size_t)np + 1, sizeof(sf_term));
    int n = 0;
    for (int i = 0; i < np; i++) {
        char *t = tdup(parts[i]);
        if (!*t) {
            free(t);
            free_parts(parts, np);
            for (int q = 0; q < n; q++) term_free(&v[q]);
            free(v);
            return bad(e, path, line, "bad formula: empty term in '%s'", s);
        }
        if (allow_one && (!strcmp(t, "1") || !strcmp(t, "0")) && np == 1) {
            free(t);
            break;
        }
        char badtok[256];
        if (parse_term(t, &v[n], badtok, sizeof badtok)) {
            int rc = bad(e, path, line, "bad formula: cannot read term '%s' (at '%s')", t, badtok);
            free(t);
            free_parts(parts, np);
            for (int q = 0; q < n; q++) term_free(&v[q]);
            free(v);
            return rc;
        }
        free(t);
        n++;
    }
    free_parts(parts, np);
    *out = v;
    *nout = n;
    return SF_OK;
}

static int valid_group_name(const char *s)
{
    if (!*s) return 0;
    const char *p = s;
    for (;;) {
        if (!is_name_start((unsigned char)*p)) return 0;
        while (is_name_char((unsigned char)*p)) p++;
        if (*p == 0) return 1;
        if (*p != '#') return 0;
        p++;
    }
}

static int parse_groups(const char *s, char ***out, int *nout, const char *path, int line, const char *what,
                        sf_err *e)
{
    char **parts;
    int np = split_top(s, '+', &parts);
    char **v = sf_calloc((size_t)np + 1, sizeof(char *));
    int n = 0;
    for (int i = 0; i < np; i++) {
        char *t = tdup(parts[i]);
        /* allow spaces around # (a # b), not inside a name */
        char *w = t;
        for (char *r = t; *r; r++) {
            if (isspace((unsigned char)*r)) {
                char *nx = r;
                while (isspace((unsigned char)*nx)) nx++;
                if ((w > t && w[-1] == '#') || *nx == '#') continue;
            }
            *w++ = *r;
        }
        *w = 0;
        if (!valid_group_name(t)) {
            int rc = bad(e, path, line, "bad %s: '%s' is not a variable or a#b combination", what, t);
            free(t);
            for (int q = 0; q < n; q++) free(v[q]);
            free(v);
            free_parts(parts, np);
            return rc;
        }
        v[n++] = t;
    }
    free_parts(parts, np);
    *out = v;
    *nout = n;
    return SF_OK;
}

static int parse_formula(sf_model_spec *m, const char *text, const char *path, int line, sf_err *e)
{
    const char *tilde = strchr(text, '~');
    if (!tilde) return bad(e, path, line, "bad formula: no '~' in '%s'", text);
    char *tmp = dupn(text, (size_t)(tilde - text));
    char *lhs = tdup(tmp);
    free(tmp);
    char badtok[256];
    if (!*lhs) {
        free(lhs);
        return bad(e, path, line, "bad formula: no dependent variable before '~' in '%s'", text);
    }
    if (parse_term(lhs, &m->y, badtok, sizeof badtok) || m->y.nfac != 1) {
        int rc = bad(e, path, line, "bad formula: dependent variable '%s' (at '%s')", lhs, badtok);
        free(lhs);
        return rc;
    }
    free(lhs);
    char **parts;
    int np = split_top(tilde + 1, '|', &parts);
    int rc = SF_OK;
    if (np > 3) {
        rc = bad(e, path, line, "bad formula: more than three '|' parts in '%s'", text);
        goto done;
    }
    if ((rc = parse_terms(parts[0], &m->x, &m->nx, 1, path, line, e))) goto done;
    const char *fe = NULL, *iv = NULL;
    if (np == 2) {
        if (strchr(parts[1], '~'))
            iv = parts[1];
        else
            fe = parts[1];
    } else if (np == 3) {
        fe = parts[1];
        iv = parts[2];
        if (!strchr(iv, '~')) {
            rc = bad(e, path, line, "bad formula: the third part '%s' must be 'endog ~ instruments'", iv);
            goto done;
        }
        if (strchr(fe, '~')) {
            rc = bad(e, path, line, "bad formula: '~' in the fixed-effects part '%s'", fe);
            goto done;
        }
    }
    if (fe) {
        char *t = tdup(fe);
        if (*t && strcmp(t, "0") && strcmp(t, "1")) rc = parse_groups(t, &m->fe, &m->nfe, path, line, "fixed effect", e);
        free(t);
        if (rc) goto done;
    }
    if (iv) {
        const char *t2 = strchr(iv, '~');
        if (strchr(t2 + 1, '~')) {
            rc = bad(e, path, line, "bad formula: two '~' in the IV part '%s'", iv);
            goto done;
        }
        char *en = dupn(iv, (size_t)(t2 - iv));
        if ((rc = parse_terms(en, &m->endog, &m->nendog, 0, path, line, e))) {
            free(en);
            goto done;
        }
        free(en);
        if ((rc = parse_terms(t2 + 1, &m->instr, &m->ninstr, 0, path, line, e))) goto done;
        if (m->nendog == 0 || m->ninstr == 0) {
            rc = bad(e, path, line, "bad formula: IV part '%s' needs endogenous variables and instruments", iv);
            goto done;
        }
        if (m->ninstr < m->nendog) {
            rc = bad(e, path, line, "bad formula: fewer instruments (%d) than endogenous regressors (%d) in '%s'",
                     m->ninstr, m->nendog, iv);
            goto done;
        }
    }
    if (m->nx == 0 && m->nendog == 0) rc = bad(e, path, line, "bad formula: no regressor in '%s'", text);
done:
    free_parts(parts, np);
    return rc;
}

/* ------------------------------------------------------------------ keys */
/* A file named in a models file: absolute as given; relative beside the models
 * file, then in its parent folder, then in the data directory (docs/config.md,
 * "Paths"), as the config's own paths resolve. */
static char *resolve_file(const char *models_path, const char *name)
{
    if (name[0] == '/') return sf_file_exists(name) ? sf_strdup(name) : NULL;
    char *dir = sf_dirname(models_path);
    char *up = sf_path_join(dir, "..");
    const char *where[3] = {dir, up, sf_datadir()};
    char *found = NULL;
    for (int i = 0; i < 3 && !found; i++) {
        if (!where[i]) continue;
        char *p = sf_path_join(where[i], name);
        if (sf_file_exists(p)) found = p;
        else free(p);
    }
    free(up);
    free(dir);
    return found;
}

static int parse_vcov(sf_model_spec *m, const char *v, const char *path, int line, sf_err *e)
{
    char *t = tdup(v);
    int rc = SF_OK;
    m->ncl = 0;
    if (sf_streq_nocase(t, "iid") || sf_streq_nocase(t, "ols") || sf_streq_nocase(t, "unadjusted"))
        m->vcov = SF_V_IID;
    else if (sf_streq_nocase(t, "hc1") || sf_streq_nocase(t, "robust") || sf_streq_nocase(t, "hetero"))
        m->vcov = SF_V_HC1;
    else if (!strncmp(t, "cluster(", 8) && t[strlen(t) - 1] == ')') {
        m->vcov = SF_V_CLUSTER;
        char *in = dupn(t + 8, strlen(t) - 9);
        char **parts;
        int np = split_top(in, ',', &parts);
        free(in);
        if (np < 1 || np > 2) {
            rc = bad(e, path, line, "bad vcov '%s': cluster() takes one or two variables", t);
        } else {
            for (int i = 0; i < np && !rc; i++) {
                char *g = tdup(parts[i]);
                if (!valid_group_name(g))
                    rc = bad(e, path, line, "bad vcov '%s': '%s' is not a variable", t, g);
                else
                    m->cl[m->ncl++] = sf_strdup(g);
                free(g);
            }
        }
        free_parts(parts, np);
    } else
        rc = bad(e, path, line, "bad vcov '%s' (use iid, hc1, cluster(v) or cluster(v1, v2))", t);
    free(m->vcov_text);
    m->vcov_text = t;
    m->vcov_line = line;
    return rc;
}

int sf_model_set_vcov(sf_model_spec *m, const char *text, const char *where, sf_err *e)
{
    for (int i = 0; i < m->ncl; i++) {
        free(m->cl[i]);
        m->cl[i] = NULL;
    }
    m->ncl = 0;
    int rc = parse_vcov(m, text, where, 0, e);
    m->vcov_line = 0;
    return rc;
}

static int parse_list(const char *v, char ***out, int *nout)
{
    char *t = sf_strdup(v);
    int n = 0, cap = 8;
    char **r = sf_malloc(sizeof(char *) * (size_t)cap);
    char *save = NULL;
    for (char *tok = strtok_r(t, " ,\t", &save); tok; tok = strtok_r(NULL, " ,\t", &save)) {
        if (n == cap) r = sf_realloc(r, sizeof(char *) * (size_t)(cap *= 2));
        r[n++] = sf_strdup(tok);
    }
    free(t);
    *out = r;
    *nout = n;
    return 0;
}

static void spec_defaults(sf_model_spec *m)
{
    m->vcov = SF_V_CLUSTER;
    m->cl[0] = sf_strdup("pair");
    m->ncl = 1;
    m->vcov_text = sf_strdup("cluster(pair)");
    sf_ssc_default(&m->ssc);
    m->boot = SF_BOOT_WCR;
    m->boot_reps = -1;
    m->boot_weights = SF_W_RADEMACHER;
    m->subset_by = sf_strdup("partner");
    m->panel_unit = sf_strdup("pair");
    m->panel_time = sf_strdup("year");
    m->first_stage = 1;
}

static void spec_free(sf_model_spec *m)
{
    free(m->note);
    free(m->name);
    free(m->formula);
    term_free(&m->y);
    for (int i = 0; i < m->nx; i++) term_free(&m->x[i]);
    free(m->x);
    for (int i = 0; i < m->nfe; i++) free(m->fe[i]);
    free(m->fe);
    for (int i = 0; i < m->nendog; i++) term_free(&m->endog[i]);
    free(m->endog);
    for (int i = 0; i < m->ninstr; i++) term_free(&m->instr[i]);
    free(m->instr);
    for (int i = 0; i < m->ncl; i++) free(m->cl[i]);
    free(m->vcov_text);
    free(m->boot_coef);
    free(m->mediator);
    free(m->subset);
    free(m->subset_by);
    free(m->panel_unit);
    free(m->panel_time);
    free(m->table);
    free(m->title);
    for (int i = 0; i < m->ncontrols; i++) free(m->controls[i]);
    free(m->controls);
    memset(m, 0, sizeof *m);
}

/* The keys of the printed layout: table, title, note, first_column. -1 = not one of them. */
static int apply_layout_key(sf_model_spec *m, const char *k, const char *v, const char *path, int line, sf_err *e)
{
    if (!strcmp(k, "table")) {
        free(m->table);
        m->table = sf_strdup(v);
        return SF_OK;
    }
    if (!strcmp(k, "title")) {
        free(m->title);
        m->title = sf_strdup(v);
        return SF_OK;
    }
    if (!strcmp(k, "note")) {
        free(m->note);
        m->note = sf_streq_nocase(v, "none") ? NULL : sf_strdup(v);
        return SF_OK;
    }
    if (!strcmp(k, "first_column")) {
        long c;
        if (sf_parse_int(v, &c) || c < 0 || c > 100000)
            return bad(e, path, line, "bad first_column '%s' (the number of the table's first column, 0 = continue)", v);
        m->first_column = (int)c;
        return SF_OK;
    }
    return -1;
}

static int apply_key(sf_model_spec *m, const kv *p, const char *path, sf_err *e)
{
    const char *k = p->key, *v = p->val;
    int line = p->line;
    if (!strcmp(k, "formula")) {
        free(m->formula);
        m->formula = sf_strdup(v);
        m->formula_line = line;
        return parse_formula(m, v, path, line, e);
    }
    if (!strcmp(k, "vcov")) {
        for (int i = 0; i < m->ncl; i++) free(m->cl[i]);
        m->ncl = 0;
        return parse_vcov(m, v, path, line, e);
    }
    if (!strcmp(k, "ssc")) {
        char badtok[128];
        sf_ssc_default(&m->ssc);
        if (sf_ssc_parse(v, &m->ssc, badtok, sizeof badtok))
            return bad(e, path, line,
                       "bad ssc value '%s' (use stata, fixest or none, then conventional, min, fe-all, "
                       "keep-singletons, small, nosmall, dofminus=N, sdofminus=N)",
                       badtok);
        m->ssc_line = line;
        return SF_OK;
    }
    if (!strcmp(k, "bootstrap")) {
        if (sf_streq_nocase(v, "wcr") || sf_streq_nocase(v, "wild"))
            m->boot = SF_BOOT_WCR; /* IV models: WRE */
        else if (sf_streq_nocase(v, "wre"))
            m->boot = SF_BOOT_WRE; /* OLS models: WCR */
        else if (sf_streq_nocase(v, "pairs"))
            m->boot = SF_BOOT_PAIRS;
        else if (sf_streq_nocase(v, "none") || !strcmp(v, "0"))
            m->boot = SF_BOOT_NONE;
        else
            return bad(e, path, line, "bad bootstrap '%s' (use wcr, wre, pairs or none)", v);
        return SF_OK;
    }
    if (!strcmp(k, "boot_reps")) {
        long r;
        if (sf_parse_int(v, &r) || r < 0 || r > 100000000)
            return bad(e, path, line, "bad boot_reps '%s' (a count >= 0)", v);
        m->boot_reps = r;
        return SF_OK;
    }
    if (!strcmp(k, "boot_coef")) {
        free(m->boot_coef);
        m->boot_coef = sf_strdup(v);
        m->boot_coef_line = line;
        return SF_OK;
    }
    if (!strcmp(k, "boot_weights")) {
        if (sf_streq_nocase(v, "rademacher"))
            m->boot_weights = SF_W_RADEMACHER;
        else if (sf_streq_nocase(v, "webb"))
            m->boot_weights = SF_W_WEBB;
        else if (sf_streq_nocase(v, "mammen"))
            m->boot_weights = SF_W_MAMMEN;
        else
            return bad(e, path, line, "bad boot_weights '%s' (use rademacher, webb or mammen)", v);
        return SF_OK;
    }
    if (!strcmp(k, "mediator")) {
        free(m->mediator);
        m->mediator = NULL;
        if (sf_streq_nocase(v, "none")) return SF_OK;
        char badtok[256];
        sf_term t;
        if (parse_term(v, &t, badtok, sizeof badtok) || t.nfac != 1 || t.fac[0].lag || t.fac[0].log) {
            if (t.nfac) term_free(&t);
            return bad(e, path, line, "bad mediator '%s' (one variable name)", v);
        }
        term_free(&t);
        m->mediator = sf_strdup(v);
        m->mediator_line = line;
        return SF_OK;
    }
    if (!strcmp(k, "subset")) {
        free(m->subset);
        m->subset = NULL;
        if (sf_streq_nocase(v, "none")) return SF_OK;
        m->subset = resolve_file(path, v);
        m->subset_line = line;
        if (!m->subset) return bad(e, path, line, "subset file '%s' not found", v);
        return SF_OK;
    }
    if (!strcmp(k, "subset_by")) {
        if (!valid_group_name(v)) return bad(e, path, line, "bad subset_by '%s'", v);
        free(m->subset_by);
        m->subset_by = sf_strdup(v);
        return SF_OK;
    }
    if (!strcmp(k, "panel")) {
        char **parts;
        int np = split_top(v, ',', &parts);
        int rc = SF_OK;
        if (np != 2)
            rc = bad(e, path, line, "bad panel '%s' (use: panel = unit, time)", v);
        else {
            char *u = tdup(parts[0]), *t = tdup(parts[1]);
            if (!valid_group_name(u))
                rc = bad(e, path, line, "bad panel unit '%s'", u);
            else if (!valid_group_name(t) || strchr(t, '#'))
                rc = bad(e, path, line, "bad panel time '%s' (one numeric column)", t);
            else {
                free(m->panel_unit);
                free(m->panel_time);
                m->panel_unit = u;
                m->panel_time = t;
                u = t = NULL;
                m->panel_line = line;
            }
            free(u);
            free(t);
        }
        free_parts(parts, np);
        return rc;
    }
    if (!strcmp(k, "controls")) {
        for (int i = 0; i < m->ncontrols; i++) free(m->controls[i]);
        free(m->controls);
        return parse_list(v, &m->controls, &m->ncontrols);
    }
    if (!strcmp(k, "first_stage")) {
        if (sf_streq_nocase(v, "show") || sf_streq_nocase(v, "yes") || sf_streq_nocase(v, "true"))
            m->first_stage = 1;
        else if (sf_streq_nocase(v, "hide") || sf_streq_nocase(v, "no") || sf_streq_nocase(v, "false"))
            m->first_stage = 0;
        else
            return bad(e, path, line, "bad first_stage '%s' (show or hide)", v);
        return SF_OK;
    }
    int rc = apply_layout_key(m, k, v, path, line, e);
    return rc >= 0 ? rc : bad(e, path, line, "unknown key '%s'", k);
}

static int finish_section(sf_models *out, const char *name, int line, const kvlist *keys, const char *path,
                          sf_err *e)
{
    sf_model_spec m;
    memset(&m, 0, sizeof m);
    spec_defaults(&m);
    m.name = sf_strdup(name);
    m.line = line;
    int rc = SF_OK;
    for (int i = 0; i < keys->n && !rc; i++) rc = apply_key(&m, &keys->v[i], path, e);
    if (!rc && !m.formula) rc = bad(e, path, line, "section [%s] has no formula", name);
    if (!rc && m.mediator && m.nendog) rc = bad(e, path, m.mediator_line, "mediator '%s' with an IV formula is not supported", m.mediator);
    if (!rc && m.mediator && m.nx == 0) rc = bad(e, path, m.mediator_line, "mediator needs a regressor X in the formula");
    if (rc) {
        spec_free(&m);
        return rc;
    }
    if (!m.table) m.table = sf_strdup(name);
    out->m = sf_realloc(out->m, sizeof(sf_model_spec) * (size_t)(out->n + 1));
    out->m[out->n++] = m;
    out->m[out->n - 1].path = out->path;
    return SF_OK;
}

void sf_models_free(sf_models *m)
{
    for (int i = 0; i < m->n; i++) spec_free(&m->m[i]);
    free(m->m);
    free(m->path);
    sf_table_style_free(&m->style);
    memset(m, 0, sizeof *m);
}

static void strip_comment(char *s)
{
    for (char *p = s; *p; p++)
        if ((*p == ';' || *p == '#') && p > s && isspace((unsigned char)p[-1])) {
            *p = 0;
            return;
        }
}

/* ---------------------------------------------------------------- [tables] and [labels]
 * (docs/methods.md section 11): how the regression tables look */
void sf_table_style_default(sf_table_style *st)
{
    memset(st, 0, sizeof *st);
    st->coefstat = SF_COEFSTAT_T;
    st->digits = 4;
    st->nstars = 3;
    st->stars[0] = 0.1;
    st->stars[1] = 0.05;
    st->stars[2] = 0.01;
}

void sf_table_style_free(sf_table_style *st)
{
    for (int i = 0; i < st->nlabels; i++) {
        free(st->label_var[i]);
        free(st->label_text[i]);
    }
    free(st->label_var);
    free(st->label_text);
    st->label_var = st->label_text = NULL;
    st->nlabels = 0;
}

static int style_stars(sf_table_style *st, const char *val, const char *path, int line, sf_err *e)
{
    if (!strcmp(val, "none")) {
        st->nstars = 0;
        return SF_OK;
    }
    double v[4];
    int n = 0;
    const char *p = val;
    while (*p) {
        char *end;
        double x = strtod(p, &end);
        if (end == p || n == 3 || !(x > 0 && x < 1) || (n && x >= v[n - 1]))
            return bad(e, path, line, "stars = '%s': give up to three descending p thresholds in (0, 1), e.g. "
                                      "0.1,0.05,0.01, or none", val);
        v[n++] = x;
        p = end;
        while (*p == ' ' || *p == ',') p++;
    }
    if (!n) return bad(e, path, line, "stars: empty value");
    st->nstars = n;
    memcpy(st->stars, v, sizeof(double) * (size_t)n);
    return SF_OK;
}

static int style_key(sf_table_style *st, int section, const char *key, const char *val, const char *path, int line,
                     sf_err *e)
{
    if (section == 2) { /* [labels] var = "Label" */
        size_t L = strlen(val);
        char *txt = L >= 2 && (val[0] == '"' || val[0] == '\'') && val[L - 1] == val[0] ? dupn(val + 1, L - 2)
                                                                                       : sf_strdup(val);
        st->label_var = sf_realloc(st->label_var, sizeof(char *) * (size_t)(st->nlabels + 1));
        st->label_text = sf_realloc(st->label_text, sizeof(char *) * (size_t)(st->nlabels + 1));
        st->label_var[st->nlabels] = sf_strdup(key);
        st->label_text[st->nlabels++] = txt;
        return SF_OK;
    }
    if (!strcmp(key, "coefstat")) {
        if (!strcmp(val, "t")) st->coefstat = SF_COEFSTAT_T;
        else if (!strcmp(val, "se")) st->coefstat = SF_COEFSTAT_SE;
        else if (!strcmp(val, "ci")) st->coefstat = SF_COEFSTAT_CI;
        else return bad(e, path, line, "coefstat = '%s': t, se or ci", val);
        return SF_OK;
    }
    if (!strcmp(key, "digits")) {
        long d;
        if (sf_parse_int(val, &d) || d < 0 || d > 10) return bad(e, path, line, "digits = '%s': 0 to 10", val);
        st->digits = (int)d;
        return SF_OK;
    }
    if (!strcmp(key, "stars")) return style_stars(st, val, path, line, e);
    return bad(e, path, line, "unknown key '%s' in [tables] (known: coefstat, digits, stars)", key);
}

int sf_models_parse_text(const char *text, const char *path, sf_models *out, sf_err *e)
{
    memset(out, 0, sizeof *out);
    out->path = sf_strdup(path);
    sf_table_style_default(&out->style);
    kvlist defaults = {0}, cur = {0};
    char *sec = NULL;
    int sec_line = 0, in_defaults = 0, in_style = 0, rc = SF_OK;
    char *copy = sf_strdup(text);
    char *save = NULL;
    int line = 0;
    const char *p = copy;
    (void)save;
    while (*p && !rc) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        char *l = dupn(p, len);
        line++;
        p = eol ? eol + 1 : p + len;
        char *s = sf_trim(l);
        if (line == 1 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB && (unsigned char)s[2] == 0xBF)
            s = sf_trim(s + 3);
        if (!*s || *s == '#' || *s == ';') {
            free(l);
            continue;
        }
        strip_comment(s);
        s = sf_trim(s);
        if (*s == '[') {
            char *close = strchr(s, ']');
            if (!close || sf_trim(close + 1)[0]) {
                rc = bad(e, path, line, "bad section header '%s'", s);
                free(l);
                break;
            }
            *close = 0;
            char *name = sf_trim(s + 1);
            if (!valid_group_name(name) && strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != strlen(name)) {
                rc = bad(e, path, line, "bad section name '%s'", name);
                free(l);
                break;
            }
            if (!*name) {
                rc = bad(e, path, line, "empty section name");
                free(l);
                break;
            }
            if (sec && !in_defaults && !in_style) rc = finish_section(out, sec, sec_line, &cur, path, e);
            kv_free(&cur);
            free(sec);
            sec = sf_strdup(name);
            sec_line = line;
            in_defaults = !strcmp(name, "defaults");
            in_style = !strcmp(name, "tables") ? 1 : !strcmp(name, "labels") ? 2 : 0;
            if (!rc && !in_defaults && !in_style) {
                for (int i = 0; i < out->n; i++)
                    if (!strcmp(out->m[i].name, name)) rc = bad(e, path, line, "duplicate section [%s]", name);
                kv_copy(&cur, &defaults);
            }
            free(l);
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq) {
            rc = bad(e, path, line, "expected 'key = value', got '%s'", s);
            free(l);
            break;
        }
        *eq = 0;
        char *key = sf_trim(s), *val = sf_trim(eq + 1);
        if (in_style) {
            rc = *val ? style_key(&out->style, in_style, key, val, path, line, e)
                      : bad(e, path, line, "empty value for '%s'", key);
            free(l);
            continue;
        }
        int known = 0;
        for (int i = 0; KNOWN_KEYS[i]; i++)
            if (!strcmp(KNOWN_KEYS[i], key)) known = 1;
        if (!known) {
            rc = bad(e, path, line, "unknown key '%s' (known: formula, vcov, ssc, bootstrap, boot_reps, boot_coef, "
                                    "boot_weights, mediator, subset, subset_by, panel, table, title, controls, first_stage, "
                                    "first_column, note)",
                     key);
            free(l);
            break;
        }
        if (!sec) {
            rc = bad(e, path, line, "key '%s' before any [section]", key);
            free(l);
            break;
        }
        if (!*val) {
            rc = bad(e, path, line, "empty value for '%s'", key);
            free(l);
            break;
        }
        if (in_defaults) {
            if (!strcmp(key, "formula")) {
                rc = bad(e, path, line, "'formula' cannot be a default");
                free(l);
                break;
            }
            /* validate now so the error points at the [defaults] line */
            sf_model_spec probe;
            memset(&probe, 0, sizeof probe);
            spec_defaults(&probe);
            kv one = {key, val, line};
            rc = apply_key(&probe, &one, path, e);
            spec_free(&probe);
            if (!rc) kv_add(&defaults, key, val, line);
        } else
            kv_add(&cur, key, val, line);
        free(l);
    }
    if (!rc && sec && !in_defaults && !in_style) rc = finish_section(out, sec, sec_line, &cur, path, e);
    if (!rc && out->n == 0) rc = bad(e, path, line ? line : 1, "no model sections");
    free(sec);
    kv_free(&cur);
    kv_free(&defaults);
    free(copy);
    if (rc) sf_models_free(out);
    return rc;
}

int sf_models_parse(const char *path, sf_models *out, sf_err *e)
{
    size_t len;
    char *text = sf_read_file(path, &len, e);
    if (!text) {
        memset(out, 0, sizeof *out);
        return e ? e->code : SF_EUSER;
    }
    int rc = sf_models_parse_text(text, path, out, e);
    free(text);
    return rc;
}

/* ------------------------------------------------------------------ ssc */
void sf_ssc_default(sf_ssc *s)
{
    memset(s, 0, sizeof *s);
    s->adj = 1;
    s->cluster_adj = 1;
    s->cluster_min = 1;
    s->fe_nested = 1;
    strcpy(s->name, "stata");
}

int sf_ssc_parse(const char *text, sf_ssc *s, char *badtok, size_t bsz)
{
    char *t = sf_strdup(text);
    char *save = NULL;
    int first = 1, rc = 0;
    char name[64] = "";
    for (char *tok = strtok_r(t, " ,\t", &save); tok; tok = strtok_r(NULL, " ,\t", &save)) {
        long v;
        if (first && sf_streq_nocase(tok, "stata")) {
            sf_ssc_default(s);
        } else if (first && sf_streq_nocase(tok, "fixest")) {
            sf_ssc_default(s);
            s->keep_singletons = 1;
        } else if (first && sf_streq_nocase(tok, "none")) {
            sf_ssc_default(s);
            s->adj = 0;
            s->cluster_adj = 0;
        } else if (sf_streq_nocase(tok, "conventional")) {
            s->cluster_min = 0;
        } else if (sf_streq_nocase(tok, "min")) {
            s->cluster_min = 1;
        } else if (sf_streq_nocase(tok, "fe-all")) {
            s->fe_nested = 0;
        } else if (sf_streq_nocase(tok, "fe-nested")) {
            s->fe_nested = 1;
        } else if (sf_streq_nocase(tok, "keep-singletons")) {
            s->keep_singletons = 1;
        } else if (sf_streq_nocase(tok, "drop-singletons")) {
            s->keep_singletons = 0;
        } else if (sf_streq_nocase(tok, "small")) {
            s->adj = 1;
            s->cluster_adj = 1;
            s->normal = 0;
        } else if (sf_streq_nocase(tok, "nosmall")) {
            s->adj = 0;
            s->cluster_adj = 0;
            s->normal = 1;
        } else if (!strncmp(tok, "dofminus=", 9) && !sf_parse_int(tok + 9, &v) && v >= 0 && v < 1000000) {
            s->dofminus = (int)v;
        } else if (!strncmp(tok, "sdofminus=", 10) && !sf_parse_int(tok + 10, &v) && v >= 0 && v < 1000000) {
            s->sdofminus = (int)v;
        } else {
            snprintf(badtok, bsz, "%s", tok);
            rc = -1;
            break;
        }
        size_t L = strlen(name);
        snprintf(name + L, sizeof name - L, "%s%s", L ? " " : "", tok);
        first = 0;
    }
    if (!rc && first) {
        snprintf(badtok, bsz, "%s", text);
        rc = -1;
    }
    if (!rc) snprintf(s->name, sizeof s->name, "%s", name);
    free(t);
    return rc;
}
