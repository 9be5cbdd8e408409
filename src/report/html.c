/* report.md -> report.html: the Markdown subset that the report and the
 * regression tables (.md) use, rendered as one page with inline CSS. Blocks:
 * ATX headings, paragraphs, pipe tables (alignment from the separator row),
 * "- " bullet lists (with indented continuation lines), fenced code, and
 * "<details>" lines passed through. Inline: backslash escapes, `code`,
 * **bold**, *italic*, [text](url) and ![alt](src). Everything else is text,
 * HTML-escaped: nothing in a results file can inject markup.
 * Not md4c: md_html (Debian libmd4c-html0 0.4.8, GitHub dialect) renders the
 * same blocks, but without heading ids (the contents links), <figure>, or URL
 * scheme filtering, and it either passes raw HTML through (markup injection
 * from results-file strings) or, with MD_FLAG_NOHTML, escapes the report's
 * <details> sections (issue 14). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"

static const char *CSS =
    "body{font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;line-height:1.45;color:#222;"
    "max-width:1180px;margin:2em auto;padding:0 1.2em}"
    "h1{border-bottom:2px solid #c0392b;padding-bottom:.2em}h2{border-bottom:1px solid #ddd;margin-top:2em}"
    "table{border-collapse:collapse;margin:.8em 0;font-size:.88em;display:block;overflow-x:auto;max-width:100%}"
    "th,td{border:1px solid #d6d6d6;padding:.25em .6em;white-space:nowrap}th{background:#f3f3f3}"
    "tr:nth-child(even) td{background:#fafafa}"
    "code{background:#f4f4f4;padding:0 .25em;border-radius:3px;font-size:.92em}"
    "pre{background:#f6f6f6;padding:.8em;overflow-x:auto;border:1px solid #e4e4e4;font-size:.85em}"
    "pre code{background:none;padding:0}"
    "img{max-width:100%;height:auto;border:1px solid #e4e4e4}"
    "nav{background:#fafafa;border:1px solid #e4e4e4;padding:.5em 1em;font-size:.92em}"
    "nav a{margin-right:1.2em}.note{color:#8a5300}"
    "details{margin:.6em 0}summary{cursor:pointer;font-weight:600}";

static void esc(rp_buf *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n && s[i]; i++) {
        switch (s[i]) {
        case '<': rp_puts(o, "&lt;"); break;
        case '>': rp_puts(o, "&gt;"); break;
        case '&': rp_puts(o, "&amp;"); break;
        case '"': rp_puts(o, "&quot;"); break;
        default: rp_putc(o, s[i]);
        }
    }
}

/* an URL in a link or image: keep relative paths and http(s); drop anything
 * with a scheme that could run code */
static void url(rp_buf *o, const char *s, size_t n)
{
    size_t colon = 0;
    while (colon < n && (isalnum((unsigned char)s[colon]) || s[colon] == '+' || s[colon] == '.' || s[colon] == '-'))
        colon++;
    if (colon < n && s[colon] == ':' && !(colon == 4 && !strncmp(s, "http", 4)) && !(colon == 5 && !strncmp(s, "https", 5)))
        return;
    esc(o, s, n);
}

/* find the closing delimiter c (not escaped) from s; NULL when none */
static const char *closing(const char *s, const char *end, char c)
{
    for (const char *q = s; q < end; q++) {
        if (*q == '\\' && q + 1 < end) {
            q++;
            continue;
        }
        if (*q == c) return q;
    }
    return NULL;
}

static void inl(rp_buf *o, const char *s, size_t n)
{
    const char *end = s + n;
    for (const char *q = s; q < end;) {
        if (*q == '\\' && q + 1 < end && ispunct((unsigned char)q[1])) {
            esc(o, q + 1, 1);
            q += 2;
        } else if (*q == '`') {
            const char *c = memchr(q + 1, '`', (size_t)(end - q - 1));
            if (!c) {
                esc(o, q, 1);
                q++;
                continue;
            }
            rp_puts(o, "<code>");
            esc(o, q + 1, (size_t)(c - q - 1));
            rp_puts(o, "</code>");
            q = c + 1;
        } else if (*q == '*' && q + 1 < end && q[1] == '*') {
            const char *c = NULL;
            for (const char *r = q + 2; r + 1 < end; r++) {
                if (*r == '\\') {
                    r++;
                    continue;
                }
                if (r[0] == '*' && r[1] == '*') {
                    c = r;
                    break;
                }
            }
            if (!c) {
                esc(o, q, 2);
                q += 2;
                continue;
            }
            rp_puts(o, "<strong>");
            inl(o, q + 2, (size_t)(c - q - 2));
            rp_puts(o, "</strong>");
            q = c + 2;
        } else if (*q == '*' && q + 1 < end && !isspace((unsigned char)q[1])) {
            const char *c = closing(q + 1, end, '*');
            if (!c) {
                esc(o, q, 1);
                q++;
                continue;
            }
            rp_puts(o, "<em>");
            inl(o, q + 1, (size_t)(c - q - 1));
            rp_puts(o, "</em>");
            q = c + 1;
        } else if ((*q == '[' || (*q == '!' && q + 1 < end && q[1] == '['))) {
            int img = *q == '!';
            const char *t0 = q + (img ? 2 : 1);
            const char *t1 = closing(t0, end, ']');
            if (!t1 || t1 + 1 >= end || t1[1] != '(') {
                esc(o, q, 1);
                q++;
                continue;
            }
            const char *u0 = t1 + 2, *u1 = memchr(u0, ')', (size_t)(end - u0));
            if (!u1) {
                esc(o, q, 1);
                q++;
                continue;
            }
            if (img) {
                rp_puts(o, "<img src=\"");
                url(o, u0, (size_t)(u1 - u0));
                rp_puts(o, "\" alt=\"");
                esc(o, t0, (size_t)(t1 - t0));
                rp_puts(o, "\" loading=\"lazy\">");
            } else {
                rp_puts(o, "<a href=\"");
                url(o, u0, (size_t)(u1 - u0));
                rp_puts(o, "\">");
                inl(o, t0, (size_t)(t1 - t0));
                rp_puts(o, "</a>");
            }
            q = u1 + 1;
        } else {
            esc(o, q, 1);
            q++;
        }
    }
}

static void slug(rp_buf *o, const char *s, size_t n)
{
    int dash = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isalnum(c)) {
            if (dash && o->len) rp_putc(o, '-');
            rp_putc(o, (char)tolower(c));
            dash = 0;
        } else {
            dash = 1;
        }
    }
}

typedef struct {
    const char **l;
    size_t *n;
    int count;
} lines;

static lines split(const char *md)
{
    lines L = {0};
    int cap = 64;
    L.l = sf_malloc(sizeof(char *) * (size_t)cap);
    L.n = sf_malloc(sizeof(size_t) * (size_t)cap);
    for (const char *p = md; *p;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (L.count == cap) {
            cap *= 2;
            L.l = sf_realloc(L.l, sizeof(char *) * (size_t)cap);
            L.n = sf_realloc(L.n, sizeof(size_t) * (size_t)cap);
        }
        size_t k = len;
        if (k && p[k - 1] == '\r') k--;
        L.l[L.count] = p;
        L.n[L.count++] = k;
        if (!e) break;
        p = e + 1;
    }
    return L;
}

static int blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isspace((unsigned char)s[i])) return 0;
    return 1;
}

static int heading_level(const char *s, size_t n)
{
    size_t h = 0;
    while (h < n && s[h] == '#') h++;
    return h >= 1 && h <= 6 && h < n && s[h] == ' ' ? (int)h : 0;
}

static int is_item(const char *s, size_t n) { return n >= 2 && (s[0] == '-' || s[0] == '*') && s[1] == ' '; }

/* cells of a table row: split on unescaped | ; returns count */
static int cells(const char *s, size_t n, const char **c0, size_t *cn, int max)
{
    size_t a = 0, b = n;
    while (a < b && isspace((unsigned char)s[a])) a++;
    while (b > a && isspace((unsigned char)s[b - 1])) b--;
    if (a < b && s[a] == '|') a++;
    if (b > a && s[b - 1] == '|' && !(b >= 2 && s[b - 2] == '\\')) b--;
    int k = 0;
    size_t st = a;
    for (size_t i = a; i <= b && k < max; i++) {
        if (i < b && s[i] == '\\') {
            i++;
            continue;
        }
        if (i == b || s[i] == '|') {
            size_t x = st, y = i;
            while (x < y && isspace((unsigned char)s[x])) x++;
            while (y > x && isspace((unsigned char)s[y - 1])) y--;
            c0[k] = s + x;
            cn[k++] = y - x;
            st = i + 1;
        }
    }
    return k;
}

static int is_sep_row(const char *s, size_t n)
{
    int dashes = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '-') dashes++;
        else if (!strchr("|: \t", s[i])) return 0;
    }
    return dashes > 0;
}

#define MAXC 256

void rp_md_to_html(const char *md, const char *title, rp_buf *o)
{
    lines L = split(md ? md : "");
    rp_puts(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    esc(o, title, strlen(title));
    rp_printf(o, "</title>\n<style>%s</style>\n</head>\n<body>\n", CSS);
    /* contents: the level-2 headings */
    int nh2 = 0;
    for (int i = 0; i < L.count; i++)
        if (heading_level(L.l[i], L.n[i]) == 2) nh2++;
    if (nh2 > 1) {
        rp_puts(o, "<nav>");
        for (int i = 0; i < L.count; i++) {
            if (heading_level(L.l[i], L.n[i]) != 2) continue;
            rp_puts(o, "<a href=\"#");
            slug(o, L.l[i] + 3, L.n[i] - 3);
            rp_puts(o, "\">");
            inl(o, L.l[i] + 3, L.n[i] - 3);
            rp_puts(o, "</a>");
        }
        rp_puts(o, "</nav>\n");
    }
    const char **c0 = sf_malloc(sizeof(char *) * MAXC);
    size_t *cn = sf_malloc(sizeof(size_t) * MAXC);
    char *align = sf_malloc(MAXC);
    for (int i = 0; i < L.count;) {
        const char *s = L.l[i];
        size_t n = L.n[i];
        int h;
        if (blank(s, n)) {
            i++;
        } else if (n >= 3 && !strncmp(s, "```", 3)) {
            rp_puts(o, "<pre><code>");
            for (i++; i < L.count && !(L.n[i] >= 3 && !strncmp(L.l[i], "```", 3)); i++) {
                esc(o, L.l[i], L.n[i]);
                rp_putc(o, '\n');
            }
            rp_puts(o, "</code></pre>\n");
            i++;
        } else if ((h = heading_level(s, n)) > 0) {
            rp_printf(o, "<h%d id=\"", h);
            slug(o, s + h + 1, n - (size_t)h - 1);
            rp_puts(o, "\">");
            inl(o, s + h + 1, n - (size_t)h - 1);
            rp_printf(o, "</h%d>\n", h);
            i++;
        } else if (!strncmp(s, "<details>", 9) || !strncmp(s, "</details>", 10)) {
            /* the report's own collapsible sections: <details><summary>text</summary> */
            if (s[1] == '/') {
                rp_puts(o, "</details>\n");
            } else {
                const char *a = strstr(s, "<summary>"), *b = strstr(s, "</summary>");
                rp_puts(o, "<details><summary>");
                if (a && b && b > a && (size_t)(b - s) <= n) inl(o, a + 9, (size_t)(b - a - 9));
                rp_puts(o, "</summary>\n");
            }
            i++;
        } else if (s[0] == '|' && i + 1 < L.count && is_sep_row(L.l[i + 1], L.n[i + 1])) {
            int nc = cells(s, n, c0, cn, MAXC);
            const char *hc[MAXC];
            size_t hn[MAXC];
            memcpy(hc, c0, sizeof(char *) * (size_t)nc);
            memcpy(hn, cn, sizeof(size_t) * (size_t)nc);
            int ns = cells(L.l[i + 1], L.n[i + 1], c0, cn, MAXC);
            for (int k = 0; k < nc; k++) {
                align[k] = 'l';
                if (k < ns && cn[k]) {
                    int l = c0[k][0] == ':', r = c0[k][cn[k] - 1] == ':';
                    align[k] = l && r ? 'c' : r ? 'r' : 'l';
                }
            }
            static const char *const AL[] = {"left", "right", "center"};
#define ALIGN(k) AL[align[k] == 'r' ? 1 : align[k] == 'c' ? 2 : 0]
            rp_puts(o, "<table>\n<thead><tr>");
            for (int k = 0; k < nc; k++) {
                rp_printf(o, "<th style=\"text-align:%s\">", ALIGN(k));
                inl(o, hc[k], hn[k]);
                rp_puts(o, "</th>");
            }
            rp_puts(o, "</tr></thead>\n<tbody>\n");
            for (i += 2; i < L.count && L.n[i] && L.l[i][0] == '|'; i++) {
                int m = cells(L.l[i], L.n[i], c0, cn, MAXC);
                rp_puts(o, "<tr>");
                for (int k = 0; k < nc; k++) {
                    rp_printf(o, "<td style=\"text-align:%s\">", ALIGN(k));
                    if (k < m) inl(o, c0[k], cn[k]);
                    rp_puts(o, "</td>");
                }
                rp_puts(o, "</tr>\n");
            }
#undef ALIGN
            rp_puts(o, "</tbody>\n</table>\n");
        } else if (is_item(s, n)) {
            rp_puts(o, "<ul>\n");
            while (i < L.count && is_item(L.l[i], L.n[i])) {
                rp_puts(o, "<li>");
                inl(o, L.l[i] + 2, L.n[i] - 2);
                for (i++; i < L.count && L.n[i] > 2 && L.l[i][0] == ' ' && L.l[i][1] == ' ' && !blank(L.l[i], L.n[i]);
                     i++) {
                    rp_putc(o, ' ');
                    inl(o, L.l[i] + 2, L.n[i] - 2);
                }
                rp_puts(o, "</li>\n");
            }
            rp_puts(o, "</ul>\n");
        } else {
            /* paragraph: up to a blank line or another block */
            int img_only = n > 4 && s[0] == '!' && s[1] == '[' && s[n - 1] == ')';
            rp_puts(o, img_only ? "<figure>" : "<p>");
            int first = 1;
            while (i < L.count && !blank(L.l[i], L.n[i]) && !heading_level(L.l[i], L.n[i]) &&
                   !(L.l[i][0] == '|' && !first) && !(is_item(L.l[i], L.n[i]) && !first) &&
                   strncmp(L.l[i], "```", 3) && strncmp(L.l[i], "<details>", 9) && strncmp(L.l[i], "</details>", 10)) {
                if (!first) rp_putc(o, '\n');
                inl(o, L.l[i], L.n[i]);
                first = 0;
                i++;
            }
            rp_puts(o, img_only ? "</figure>\n" : "</p>\n");
        }
    }
    rp_puts(o, "</body>\n</html>\n");
    free(c0);
    free(cn);
    free(align);
    free(L.l);
    free(L.n);
}
