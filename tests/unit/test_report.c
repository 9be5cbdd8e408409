/* The report's small pieces: Markdown -> HTML (structure, alignment, escaping:
 * no text from a results file can become markup or a script link), the
 * Markdown escaping of text, natural order, amounts, and the default report
 * directory. */
#include "../../src/report/report_internal.h"
#include "silkflow/report.h"
#include "testlib.h"

static char *html_of(const char *md)
{
    rp_buf o = {0};
    rp_md_to_html(md, "t<itle>", &o);
    return o.s;
}

static int has(const char *s, const char *sub) { return strstr(s, sub) != NULL; }

static int count(const char *s, const char *sub)
{
    int n = 0;
    for (const char *p = strstr(s, sub); p; p = strstr(p + 1, sub)) n++;
    return n;
}

int main(void)
{
    /* headings, contents, paragraphs, lists */
    char *h = html_of("# Top\n\n## First part\n\ntext *it* and **bold** and `c<d>`\nsecond line\n\n"
                      "- one\n- two\n  continued\n\n## Second\n");
    CHECK(has(h, "<title>t&lt;itle&gt;</title>"));
    CHECK(has(h, "<h1 id=\"top\">Top</h1>"));
    CHECK(has(h, "<nav><a href=\"#first-part\">First part</a><a href=\"#second\">Second</a></nav>"));
    CHECK(has(h, "<p>text <em>it</em> and <strong>bold</strong> and <code>c&lt;d&gt;</code>\nsecond line</p>"));
    CHECK(has(h, "<ul>\n<li>one</li>\n<li>two continued</li>\n</ul>"));
    CHECK(has(h, "<style>") && !has(h, "<script") && !has(h, "<link"));
    free(h);

    /* a pipe table: alignment from the separator, escaped pipes and stars stay text */
    h = html_of("| a | b \\| c | d |\n| :--- | ---: | :---: |\n| 1 | 0.25\\*\\* | x |\n| 2 |\n\nafter\n");
    CHECK(has(h, "<th style=\"text-align:left\">a</th><th style=\"text-align:right\">b | c</th>"
                 "<th style=\"text-align:center\">d</th>"));
    CHECK(has(h, "<td style=\"text-align:right\">0.25**</td>"));
    CHECK(count(h, "<tr>") == 3);           /* header + two rows; a short row is padded */
    CHECK(count(h, "<td") == 6);
    CHECK(has(h, "<p>after</p>"));
    free(h);

    /* a line starting with | but no separator row is a paragraph */
    h = html_of("| not a table\n");
    CHECK(has(h, "<p>| not a table</p>") && !has(h, "<table>"));
    free(h);

    /* fenced code is verbatim, escaped */
    h = html_of("```ini\n[output]\nfile = <x> & *y*\n```\n");
    CHECK(has(h, "<pre><code>[output]\nfile = &lt;x&gt; &amp; *y*\n</code></pre>"));
    free(h);

    /* images and links: relative paths and http(s) kept, other schemes dropped */
    h = html_of("![Fig 1](figures/a.png)\n\n[SVG](figures/a.svg) [x](javascript:alert(1)) [w](https://e.org/p)\n");
    CHECK(has(h, "<figure><img src=\"figures/a.png\" alt=\"Fig 1\" loading=\"lazy\"></figure>"));
    CHECK(has(h, "<a href=\"figures/a.svg\">SVG</a>"));
    CHECK(has(h, "<a href=\"\">x</a>") && !has(h, "javascript"));
    CHECK(has(h, "<a href=\"https://e.org/p\">w</a>"));
    free(h);

    /* raw HTML in the text is text */
    h = html_of("a <script>alert(1)</script> <img src=x onerror=y>\n");
    CHECK(!has(h, "<script>alert") && has(h, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    CHECK(!has(h, "<img src=x"));
    free(h);

    /* the report's collapsible sections */
    h = html_of("<details><summary>Config **x**</summary>\n\n```\nk = v\n```\n\n</details>\n");
    CHECK(has(h, "<details><summary>Config <strong>x</strong></summary>"));
    CHECK(has(h, "</details>"));
    free(h);

    /* Markdown escaping of arbitrary text round-trips through the renderer */
    rp_buf m = {0};
    rp_md_text(&m, "a|b *c* _d_ `e` [f](g) <h>\\");
    CHECK(!strcmp(m.s, "a\\|b \\*c\\* \\_d\\_ \\`e\\` \\[f\\](g) \\<h\\>\\\\"));
    h = html_of(m.s);
    CHECK(has(h, "<p>a|b *c* _d_ `e` [f](g) &lt;h&gt;\\</p>"));
    free(h);
    rp_buf_free(&m);

    /* natural order of table and model names */
    CHECK(rp_natcmp("table2", "table10") < 0);
    CHECK(rp_natcmp("table4_1", "table4_2") < 0);
    CHECK(rp_natcmp("table4_2", "table5") < 0);
    CHECK(rp_natcmp("t10_ic", "t9_ic") > 0);
    CHECK(rp_natcmp("abc", "abc") == 0);

    /* amounts */
    char b[48];
    rp_fmt_amount(b, sizeof b, 142250.4);
    CHECK(!strcmp(b, "142,250"));
    rp_fmt_amount(b, sizeof b, -1234567.0);
    CHECK(!strcmp(b, "-1,234,567"));
    rp_fmt_amount(b, sizeof b, 5255.2);
    CHECK(!strcmp(b, "5255"));
    rp_fmt_amount(b, sizeof b, NAN);
    CHECK(!strcmp(b, "-"));

    /* default report directory */
    char *d = sf_report_default_dir("out/wiod2013-bri.h5");
    CHECK(!strcmp(d, "out/wiod2013-bri-report"));
    free(d);
    d = sf_report_default_dir("results");
    CHECK(!strcmp(d, "./results-report") || !strcmp(d, "results-report"));
    free(d);
    TEST_MAIN_END();
}
