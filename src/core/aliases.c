/* Region-code aliases: the built-in table maps codes used by releases to the
 * ISO3 codes used everywhere else (partner lists, covariates); an optional
 * file adds or overrides entries. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "silkflow/mrio.h"

typedef struct {
    char from[16], to[16];
} alias_t;

/* WIOD 2013 writes ROM for Romania; Eora's historical codes (SUD, USR, ANT,
 * SDS) are kept as they are: they have no single ISO3 equivalent. */
static const alias_t BUILTIN[] = {
    {"ROM", "ROU"}, {"ZAR", "COD"}, {"TMP", "TLS"}, {"PAL", "PSE"}, {"RoW", "ROW"},
};

static alias_t *g_alias = NULL;
static int g_nalias = 0;

static void add_alias(const char *from, const char *to)
{
    for (int i = 0; i < g_nalias; i++)
        if (!strcmp(g_alias[i].from, from)) {
            snprintf(g_alias[i].to, sizeof g_alias[i].to, "%s", to);
            return;
        }
    g_alias = sf_realloc(g_alias, sizeof(alias_t) * (size_t)(g_nalias + 1));
    snprintf(g_alias[g_nalias].from, sizeof g_alias[g_nalias].from, "%s", from);
    snprintf(g_alias[g_nalias].to, sizeof g_alias[g_nalias].to, "%s", to);
    g_nalias++;
}

static void ensure_builtin(void)
{
    if (g_alias) return;
    g_alias = sf_malloc(sizeof(alias_t));
    g_nalias = 0;
    for (size_t i = 0; i < sizeof BUILTIN / sizeof BUILTIN[0]; i++) add_alias(BUILTIN[i].from, BUILTIN[i].to);
}

static int valid_code(const char *s)
{
    size_t l = strlen(s);
    if (l < 2 || l > 15) return 0;
    for (size_t i = 0; i < l; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_') return 0;
    return 1;
}

int sf_aliases_load(const char *path, sf_err *e)
{
    ensure_builtin();
    if (!path) return SF_OK;
    size_t len;
    char *text = sf_read_file(path, &len, e);
    if (!text) return SF_EUSER;
    int line = 0, rc = SF_OK;
    char *save = NULL;
    for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        line++;
        char *hash = strchr(l, '#');
        if (hash) *hash = '\0';
        char *s = sf_trim(l);
        if (!*s) continue;
        char *sep = strpbrk(s, "= \t,");
        if (!sep) {
            rc = sf_fail(e, SF_EUSER, "%s: line %d: expected FROM=TO, got '%s'", path, line, s);
            break;
        }
        *sep = '\0';
        char *from = sf_trim(s), *to = sf_trim(sep + 1);
        while (*to == '=' || *to == ',') to = sf_trim(to + 1);
        if (!valid_code(from) || !valid_code(to)) {
            rc = sf_fail(e, SF_EUSER, "%s: line %d: bad region code in '%s=%s'", path, line, from, to);
            break;
        }
        add_alias(from, to);
    }
    free(text);
    return rc;
}

const char *sf_alias(const char *code)
{
    ensure_builtin();
    for (int i = 0; i < g_nalias; i++)
        if (!strcmp(g_alias[i].from, code)) return g_alias[i].to;
    return code;
}
