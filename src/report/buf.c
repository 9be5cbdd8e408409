/* The report's growable text buffer and small string helpers. */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"

static void reserve(rp_buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap) return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1) cap *= 2;
    b->s = sf_realloc(b->s, cap);
    b->cap = cap;
}

void rp_printf(rp_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0) {
        reserve(b, 0);
        b->s[b->len] = '\0';
        return;
    }
    reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void rp_puts(rp_buf *b, const char *s)
{
    size_t n = strlen(s);
    reserve(b, n);
    memcpy(b->s + b->len, s, n + 1);
    b->len += n;
}

void rp_putc(rp_buf *b, char c)
{
    reserve(b, 1);
    b->s[b->len++] = c;
    b->s[b->len] = '\0';
}

void rp_buf_free(rp_buf *b)
{
    free(b->s);
    memset(b, 0, sizeof *b);
}

void rp_md_text(rp_buf *b, const char *s)
{
    for (; s && *s; s++) {
        if (strchr("\\|*_`[]<>", *s)) rp_putc(b, '\\');
        if (*s == '\n' || *s == '\r')
            rp_putc(b, ' ');
        else
            rp_putc(b, *s);
    }
}

/* Compare with digit runs as numbers: table2 < table4_1 < table10. */
int rp_natcmp(const char *a, const char *b)
{
    while (*a && *b) {
        if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
            char *ea, *eb;
            unsigned long long x = strtoull(a, &ea, 10), y = strtoull(b, &eb, 10);
            if (x != y) return x < y ? -1 : 1;
            a = ea;
            b = eb;
            continue;
        }
        if (*a != *b) return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
        a++;
        b++;
    }
    return *a ? 1 : *b ? -1 : 0;
}

void rp_fmt_amount(char *buf, size_t n, double v)
{
    if (!isfinite(v)) {
        snprintf(buf, n, "-");
        return;
    }
    if (fabs(v) < 1e4 || fabs(v) >= 1e15) {
        snprintf(buf, n, "%.4g", v);
        return;
    }
    /* whole units with thousands separators: 142,197 */
    char raw[32];
    snprintf(raw, sizeof raw, "%.0f", fabs(v));
    size_t len = strlen(raw), k = 0;
    char out[48];
    if (v < 0) out[k++] = '-';
    for (size_t i = 0; i < len; i++) {
        if (i && (len - i) % 3 == 0) out[k++] = ',';
        out[k++] = raw[i];
    }
    out[k] = '\0';
    snprintf(buf, n, "%s", out);
}
