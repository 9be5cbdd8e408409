/* The string -> int hash map of silkflow (common.h): open addressing with
 * linear probing, FNV-1a, keys copied, at most half full. */
#include <stdlib.h>
#include <string.h>

#include "silkflow/common.h"

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

void sf_strmap_init(sf_strmap *m, size_t expected)
{
    size_t cap = 16;
    while (cap < 2 * expected + 16) cap *= 2;
    m->cap = cap;
    m->count = 0;
    m->key = sf_calloc(cap, sizeof(char *));
    m->val = sf_malloc(sizeof(int) * cap);
}

void sf_strmap_free(sf_strmap *m)
{
    if (!m->key) return;
    for (size_t i = 0; i < m->cap; i++) free(m->key[i]);
    free(m->key);
    free(m->val);
    memset(m, 0, sizeof *m);
}

static size_t slot_of(const sf_strmap *m, const char *key)
{
    size_t i = (size_t)fnv1a(key) & (m->cap - 1);
    while (m->key[i] && strcmp(m->key[i], key) != 0) i = (i + 1) & (m->cap - 1);
    return i;
}

int sf_strmap_get(const sf_strmap *m, const char *key)
{
    if (!m->cap) return -1;
    size_t i = slot_of(m, key);
    return m->key[i] ? m->val[i] : -1;
}

int sf_strmap_put(sf_strmap *m, const char *key, int val)
{
    if (!m->cap) sf_strmap_init(m, 0);
    if (2 * (m->count + 1) > m->cap) {
        sf_strmap big;
        big.cap = m->cap * 2;
        big.count = 0;
        big.key = sf_calloc(big.cap, sizeof(char *));
        big.val = sf_malloc(sizeof(int) * big.cap);
        for (size_t i = 0; i < m->cap; i++)
            if (m->key[i]) {
                size_t j = slot_of(&big, m->key[i]);
                big.key[j] = m->key[i];
                big.val[j] = m->val[i];
                big.count++;
            }
        free(m->key);
        free(m->val);
        *m = big;
    }
    size_t i = slot_of(m, key);
    if (m->key[i]) return m->val[i];
    m->key[i] = sf_strdup(key);
    m->val[i] = val;
    m->count++;
    return val;
}
