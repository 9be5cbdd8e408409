/* The report's figures, drawn by gnuplot from the results file:
 *   trends_group     IC, IIn, IIH, ITR over the years by regional group of partners
 *   trends_industry  the same by industry (heat maps: industry x year)
 *   itr_routes       ITR by route (FIN, INT, INTREX_b, INT_d, INTREX_d), levels and shares
 *   network          the value-added flow network, first and last year (circular layout)
 *   network_rank     the focal region's PageRank rank and score over the years
 *   network_groups   VA sources and final-goods capture by regional group; the focal's coreness, betweenness
 *   trade_growth     gross and value-added trade with BRI countries, partners and the world
 *   agreements       trade agreements and BRI signatories per year, with Du (2025)'s stated counts
 *   coef_itr         the key ITR coefficient of every model with bootstrap and conventional CIs
 * Each figure is figures/<name>.png and .svg from one script figures/<name>.gp
 * with its data inline. Missing values never reach gnuplot as a silent gap in
 * an otherwise empty plot: a series without data is left out and named in the
 * figure's note, a panel without data says "no data", and a figure without any
 * data is not drawn (the report says why). */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "report_internal.h"

static const char *const PAL[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                  "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"};
#define NPAL (int)(sizeof PAL / sizeof PAL[0])
#define FOCAL_COLOR "#d62728"

/* ------------------------------------------------------------ small helpers */
static int isnum(double v) { return isfinite(v); }

static void gp_quote(rp_buf *s, const char *t)
{
    rp_putc(s, '"');
    for (; t && *t; t++) {
        if (*t == '"' || *t == '\\') rp_putc(s, '\\');
        if (*t == '\n')
            rp_puts(s, "\\n");
        else
            rp_putc(s, *t);
    }
    rp_putc(s, '"');
}

/* after a multiplot title: its font, the grid and no key */
#define MULTI_TAIL " font \",13\"\nset grid lc rgb \"#dddddd\"\nset key off\n"

/* cmd, the formatted text quoted for gnuplot, then tail: set title "...", a
 * multiplot title and its settings */
static void gp_text(rp_buf *s, const char *cmd, const char *tail, const char *fmt, ...) SF_PRINTF(4, 5);
static void gp_text(rp_buf *s, const char *cmd, const char *tail, const char *fmt, ...)
{
    char t[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t, sizeof t, fmt, ap);
    va_end(ap);
    rp_puts(s, cmd);
    gp_quote(s, t);
    rp_puts(s, tail);
}

static void gp_num(rp_buf *s, double v)
{
    if (isnum(v))
        rp_printf(s, " %.10g", v);
    else
        rp_puts(s, " NaN");
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* mean (or median) of the finite values among v[0..n); NaN when none. v is reordered. */
static double summary(double *v, int n, int median)
{
    int m = 0;
    for (int i = 0; i < n; i++)
        if (isnum(v[i])) v[m++] = v[i];
    if (m == 0) return NAN;
    if (median) {
        qsort(v, (size_t)m, sizeof(double), cmp_dbl);
        return m % 2 ? v[m / 2] : 0.5 * (v[m / 2 - 1] + v[m / 2]);
    }
    double s = 0;
    for (int i = 0; i < m; i++) s += v[i];
    return s / m;
}

static int count_finite(const double *v, int n)
{
    int c = 0;
    for (int i = 0; i < n; i++) c += isnum(v[i]);
    return c;
}

/* log scale when every finite value is > 0 and they span more than `ratio` */
static int wants_log(const double *v, int n, double ratio)
{
    double lo = INFINITY, hi = 0;
    int any = 0;
    for (int i = 0; i < n; i++) {
        if (!isnum(v[i])) continue;
        if (v[i] <= 0) return 0;
        any = 1;
        if (v[i] < lo) lo = v[i];
        if (v[i] > hi) hi = v[i];
    }
    return any && hi / lo > ratio;
}

static void set_note(rp_figure *f, const char *fmt, const char *arg)
{
    f->note.len = 0;
    if (f->note.s) f->note.s[0] = '\0';
    rp_printf(&f->note, fmt, arg);
}

/* ------------------------------------------------------------ line panels */
typedef struct {
    const char *title;
    const double *y; /* nx values */
    const char *color;
    double lw;
    int dash;
} series;

/* $name: x then one column per series (NaN where missing) */
static void datablock(rp_buf *s, const char *name, const double *x, int nx, const series *ser, int ns)
{
    rp_printf(s, "$%s << EOD\n", name);
    for (int i = 0; i < nx; i++) {
        gp_num(s, x[i]);
        for (int k = 0; k < ns; k++) gp_num(s, ser[k].y[i]);
        rp_putc(s, '\n');
    }
    rp_puts(s, "EOD\n");
}

static void empty_panel(rp_buf *s, const char *why)
{
    gp_text(s, "unset logscale y\nset label 99 ",
            " at graph 0.5,0.5 center tc rgb \"#888888\"\nplot [0:1][0:1] 2 notitle\nunset label 99\n", "%s", why);
}

/* plot the series of block that have data; returns how many */
static int lines_plot(rp_buf *s, const char *block, const series *ser, int ns, int nx, int points)
{
    int drawn = 0;
    for (int k = 0; k < ns; k++) {
        if (!count_finite(ser[k].y, nx)) continue;
        rp_puts(s, drawn ? ", \\\n     " : "plot ");
        rp_printf(s, "$%s using 1:%d with %s lw %.1f dt %d lc rgb \"%s\"%s title ", block, k + 2,
                  points ? "linespoints" : "lines", ser[k].lw, ser[k].dash ? ser[k].dash : 1, ser[k].color,
                  points ? " pt 7 ps 0.6" : "");
        gp_quote(s, ser[k].title);
        drawn++;
    }
    if (drawn)
        rp_putc(s, '\n');
    else
        empty_panel(s, "no data");
    return drawn;
}

static void year_axis(rp_buf *s, const double *years, int ny)
{
    double lo = years[0], hi = years[ny - 1];
    if (hi - lo < 1) {
        lo -= 1;
        hi += 1;
    }
    rp_printf(s, "set xrange [%g:%g]\n", lo - 0.3, hi + 0.3);
    if (ny <= 12) { /* a tic at every year of the data, none elsewhere */
        rp_puts(s, "set xtics (");
        for (int i = 0; i < ny; i++) rp_printf(s, "%s\"%.0f\" %g", i ? ", " : "", years[i], years[i]);
        rp_puts(s, ")\n");
    } else {
        int step = hi - lo > 24 ? 5 : 2;
        rp_printf(s, "set xtics %g,%d,%g format \"%%.0f\"\n", years[0], step, years[ny - 1]);
    }
    if (hi - lo > 8) rp_puts(s, "set xtics rotate by 45 right\n");
}

/* ------------------------------------------------------------ running */
static int nonempty(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && st.st_size > 0;
}

/* Write figures/<name>.gp (data blocks + the body drawn for PNG and SVG) and
 * run it. */
static void fig_render(const rp_plotter *p, rp_figure *f, const rp_buf *blocks, const rp_buf *body, int w, int h)
{
    rp_buf s = {0};
    rp_printf(&s, "# silkflow report figure: %s\n# re-render in this directory with: gnuplot %s.gp\n", f->title, f->name);
    rp_puts(&s, "set encoding utf8\n");
    if (blocks->s) rp_puts(&s, blocks->s);
    rp_puts(&s, "do for [fmt in \"png svg\"] {\n");
    rp_printf(&s,
              "if (fmt eq \"png\") {\n  set terminal pngcairo size %d,%d font \"Sans,11\" noenhanced background rgb "
              "\"white\"\n} else {\n  set terminal svg size %d,%d font \"Sans,11\" noenhanced background rgb "
              "\"white\"\n}\n",
              w, h, w, h);
    rp_printf(&s, "set output \"%s.\".fmt\nreset\nset encoding utf8\n", f->name);
    if (body->s) rp_puts(&s, body->s);
    rp_puts(&s, "unset multiplot\nset output\n}\n");

    char *gp = NULL, *png = NULL, *svg = NULL, *log = NULL;
    char name[96];
    snprintf(name, sizeof name, "%s.gp", f->name);
    gp = sf_path_join(p->dir, name);
    snprintf(name, sizeof name, "%s.png", f->name);
    png = sf_path_join(p->dir, name);
    snprintf(name, sizeof name, "%s.svg", f->name);
    svg = sf_path_join(p->dir, name);
    snprintf(name, sizeof name, "%s.log", f->name);
    log = sf_path_join(p->dir, name);
    remove(png);
    remove(svg);
    FILE *fp = fopen(gp, "w");
    int wrote = fp && fwrite(s.s, 1, s.len, fp) == s.len;
    if (fp && fclose(fp) != 0) wrote = 0;
    rp_buf_free(&s);
    f->script = wrote;
    if (!wrote) {
        set_note(f, "not drawn: cannot write the script %s", gp);
    } else if (!p->gnuplot) {
        rp_printf(&f->note, "not drawn (%s); its script is `figures/%s.gp`: run `gnuplot %s.gp` in the figures "
                            "directory to draw it",
                  p->why_none, f->name, f->name);
    } else {
        char err[600];
        if (rp_gnuplot_run(p->gnuplot, gp, log, err, sizeof err) != 0) {
            rp_printf(&f->note, "not drawn: gnuplot failed (");
            rp_md_text(&f->note, err);
            rp_printf(&f->note, "); script `figures/%s.gp`, messages `figures/%s.log`", f->name, f->name);
            remove(png);
            remove(svg);
        } else if (!nonempty(png) || !nonempty(svg)) {
            rp_printf(&f->note, "not drawn: gnuplot wrote no image (messages in `figures/%s.log`)", f->name);
        } else {
            f->ok = 1;
            remove(log);
        }
    }
    free(gp);
    free(png);
    free(svg);
    free(log);
}

/* ------------------------------------------------------------ panel data */
typedef struct {
    const sf_frame *f;
    const double *year, *industry;
    char **partner, **group;
    double *years; /* unique panel years */
    int ny;
} panel_view;

static int panel_open(const rp_data *d, panel_view *v)
{
    memset(v, 0, sizeof *v);
    if (!d->panel || d->panel->nrow == 0) return -1;
    v->f = d->panel;
    sf_column *c = sf_frame_col(d->panel, "year");
    if (!c || c->type != SF_COL_NUM) return -1;
    v->year = c->num;
    c = sf_frame_col(d->panel, "industry");
    v->industry = c && c->type == SF_COL_NUM ? c->num : NULL;
    c = sf_frame_col(d->panel, "partner");
    v->partner = c && c->type == SF_COL_STR ? c->str : NULL;
    c = sf_frame_col(d->panel, "group");
    v->group = c && c->type == SF_COL_STR ? c->str : NULL;
    size_t n = d->panel->nrow;
    double *y = sf_malloc(sizeof(double) * n);
    int m = 0;
    for (size_t i = 0; i < n; i++)
        if (isnum(v->year[i])) y[m++] = v->year[i];
    qsort(y, (size_t)m, sizeof(double), cmp_dbl);
    int u = 0;
    for (int i = 0; i < m; i++)
        if (u == 0 || y[i] != y[u - 1]) y[u++] = y[i];
    v->years = y;
    v->ny = u;
    return u ? 0 : -1;
}

static int year_index(const panel_view *v, double y)
{
    for (int i = 0; i < v->ny; i++)
        if (v->years[i] == y) return i;
    return -1;
}

/* a numeric panel column in its own units: <name>_raw when the panel stage
 * preprocessed it (winsorised, min-max normalised for the estimation) */
static const double *num_col(const rp_data *d, const char *name)
{
    sf_column *c = rp_raw_col(d, name);
    return c && c->type == SF_COL_NUM ? c->num : NULL;
}

/* The four indicators of the trend figures; IIH is summarised by its median
 * (it is 1/|delta - 1|: a few pairs whose growth rates nearly coincide reach
 * thousands and would make a mean meaningless). */
static const struct {
    const char *col, *label;
    int median;
} TREND[4] = {{"IC", "IC, integration (mean)", 0},
              {"IIn", "IIn, interaction (mean)", 0},
              {"IIH", "IIH, coordination (median)", 1},
              {"ITR", "ITR, industrial transfer (mean)", 0}};

/* cell value: summary over the rows of year index yi whose key equals k (k < 0: all) */
static void cell_summaries(const rp_data *d, const panel_view *v, const int *key, int nkeys, const char *col,
                           int median, double *out /* (nkeys + 1) x ny, row 0 = all */)
{
    const double *x = num_col(d, col);
    size_t n = d->panel->nrow;
    int nk = nkeys + 1;
    for (int i = 0; i < nk * v->ny; i++) out[i] = NAN;
    if (!x) return;
    double *buf = sf_malloc(sizeof(double) * (n ? n : 1));
    for (int k = -1; k < nkeys; k++)
        for (int yi = 0; yi < v->ny; yi++) {
            int m = 0;
            for (size_t i = 0; i < n; i++)
                if (v->year[i] == v->years[yi] && (k < 0 || key[i] == k)) buf[m++] = x[i];
            out[(k + 1) * v->ny + yi] = summary(buf, m, median);
        }
    free(buf);
}

/* ------------------------------------------------------------ trends by group */
static void fig_trends_group(const rp_data *d, const rp_plotter *p, rp_figure *f)
{
    snprintf(f->name, sizeof f->name, "trends_group");
    snprintf(f->title, sizeof f->title, "Symbiosis indicators by regional group of partners");
    panel_view v;
    if (panel_open(d, &v) != 0) {
        set_note(f, "not drawn: the results file has no panel%s", "");
        free(v.years);
        return;
    }
    size_t n = d->panel->nrow;
    /* groups: sorted distinct values, "(no group)" for missing cells */
    char **names = NULL;
    int ng = 0;
    int *key = sf_malloc(sizeof(int) * n);
    if (v.group) {
        char **all = sf_malloc(sizeof(char *) * n);
        for (size_t i = 0; i < n; i++) all[i] = v.group[i] && *v.group[i] ? v.group[i] : "(no group)";
        char **srt = sf_malloc(sizeof(char *) * n);
        memcpy(srt, all, sizeof(char *) * n);
        qsort(srt, n, sizeof(char *), cmp_str);
        names = sf_malloc(sizeof(char *) * n);
        for (size_t i = 0; i < n; i++)
            if (ng == 0 || strcmp(srt[i], names[ng - 1])) names[ng++] = srt[i];
        for (size_t i = 0; i < n; i++) {
            char **hit = bsearch(&all[i], names, (size_t)ng, sizeof(char *), cmp_str);
            key[i] = hit ? (int)(hit - names) : -1;
        }
        free(srt);
        free(all);
    } else {
        for (size_t i = 0; i < n; i++) key[i] = -1;
    }
    int nk = ng + 1;
    double *vals = sf_malloc(sizeof(double) * (size_t)(4 * nk * v.ny));
    int total = 0;
    for (int k = 0; k < 4; k++) {
        cell_summaries(d, &v, key, ng, TREND[k].col, TREND[k].median, vals + (size_t)k * nk * v.ny);
        total += count_finite(vals + (size_t)k * nk * v.ny, nk * v.ny);
    }
    if (!total) {
        set_note(f, "not drawn: IC, IIn, IIH and ITR have no value in the panel%s", "");
    } else {
        series *ser = sf_malloc(sizeof(series) * (size_t)nk);
        rp_buf blocks = {0}, body = {0};
        for (int k = 0; k < 4; k++) {
            for (int g = 0; g < nk; g++) {
                ser[g].y = vals + ((size_t)k * nk + g) * v.ny;
                ser[g].title = g ? names[g - 1] : "all partners";
                ser[g].color = g ? PAL[(g - 1) % NPAL] : "#000000";
                ser[g].lw = g ? 1.8 : 3.0;
                ser[g].dash = g ? 1 + (g - 1) / NPAL : 1;
            }
            char bn[16];
            snprintf(bn, sizeof bn, "d%d", k);
            datablock(&blocks, bn, v.years, v.ny, ser, nk);
        }
        gp_text(&body, "set multiplot layout 2,2 margins 0.08,0.98,0.2,0.93 spacing 0.08,0.12 title ", MULTI_TAIL,
                "Symbiosis indicators of %s with its partners, by regional group", d->focal);
        year_axis(&body, v.years, v.ny);
        rp_buf empty = {0}; /* which series have no value */
        for (int k = 0; k < 4; k++) {
            const double *blk = vals + (size_t)k * nk * v.ny;
            gp_text(&body, "set title ", "\n", "%s", TREND[k].label);
            if (k == 3) {
                gp_text(&body, "set ylabel ", "\n", "%s", d->units);
                /* one legend for the four panels, below them */
                rp_puts(&body, "set key at screen 0.5,0.07 center center vertical maxrows 2 Left reverse width 3 samplen 3\n");
            }
            rp_puts(&body, wants_log(blk, nk * v.ny, 100) ? "set logscale y\n" : "unset logscale y\n");
            rp_puts(&body, "set format y \"%g\"\n");
            for (int g = 0; g < nk; g++) {
                ser[g].y = blk + (size_t)g * v.ny;
                ser[g].title = g ? names[g - 1] : "all partners";
                ser[g].color = g ? PAL[(g - 1) % NPAL] : "#000000";
                ser[g].lw = g ? 1.8 : 3.0;
                ser[g].dash = g ? 1 + (g - 1) / NPAL : 1;
            }
            if (!count_finite(ser[0].y, v.ny)) {
                rp_printf(&empty, "%s%s has no value in the panel (see the missing cells under Diagnostics)",
                          empty.len ? "; " : "", TREND[k].col);
            } else {
                int first = 1;
                for (int g = 1; g < nk; g++)
                    if (!count_finite(ser[g].y, v.ny)) {
                        if (first)
                            rp_printf(&empty, "%s%s has no value for ", empty.len ? "; " : "", TREND[k].col);
                        else
                            rp_puts(&empty, ", ");
                        rp_md_text(&empty, ser[g].title);
                        first = 0;
                    }
            }
            char bn[16];
            snprintf(bn, sizeof bn, "d%d", k);
            /* the legend is drawn in the last panel: keep its entries even when the
             * last panel misses a series, by plotting the others first */
            lines_plot(&body, bn, ser, nk, v.ny, v.ny <= 8);
        }
        fig_render(p, f, &blocks, &body, 1300, 1000);
        rp_printf(&f->caption,
                  "IC (integration), IIn (interaction), IIH (coordination) and ITR (industrial transfer, %s) of %s "
                  "with its partners by year (raw values, before the preprocessing for the estimation): the mean "
                  "over the partner-industry pairs of each regional group "
                  "(the covariate `group`: bri64.csv groups, else the WDI region), and over all pairs (black). "
                  "IIH is summarised by its median: it is 1/|delta - 1| and a few pairs whose export growth rates "
                  "nearly coincide reach values in the thousands.",
                  *d->units ? d->units : "table units", d->focal);
        if (!v.group) rp_puts(&f->note, "The panel has no `group` column (no [covariates] sources): all partners only. ");
        if (empty.len) rp_printf(&f->note, "Left out: %s. ", empty.s);
        rp_buf_free(&empty);
        if (wants_log(vals + (size_t)3 * nk * v.ny, nk * v.ny, 100)) rp_puts(&f->caption, " ITR on a log scale.");
        rp_buf_free(&blocks);
        rp_buf_free(&body);
        free(ser);
    }
    free(vals);
    free(names);
    free(key);
    free(v.years);
}

/* ------------------------------------------------------------ trends by industry */
static void fig_trends_industry(const rp_data *d, const rp_plotter *p, rp_figure *f)
{
    snprintf(f->name, sizeof f->name, "trends_industry");
    snprintf(f->title, sizeof f->title, "Symbiosis indicators by industry");
    panel_view v;
    if (panel_open(d, &v) != 0 || !v.industry) {
        set_note(f, "not drawn: the results file has no panel with an industry column%s", "");
        free(v.years);
        return;
    }
    size_t n = d->panel->nrow;
    /* industries: sorted distinct */
    double *ind = sf_malloc(sizeof(double) * n);
    int ni = 0;
    for (size_t i = 0; i < n; i++)
        if (isnum(v.industry[i])) ind[ni++] = v.industry[i];
    qsort(ind, (size_t)ni, sizeof(double), cmp_dbl);
    int u = 0;
    for (int i = 0; i < ni; i++)
        if (u == 0 || ind[i] != ind[u - 1]) ind[u++] = ind[i];
    ni = u;
    int *key = sf_malloc(sizeof(int) * (n ? n : 1));
    for (size_t i = 0; i < n; i++) {
        key[i] = -2; /* matches no industry */
        for (int k = 0; k < ni; k++)
            if (v.industry[i] == ind[k]) key[i] = k;
    }
    int nk = ni + 1;
    double *vals = sf_malloc(sizeof(double) * (size_t)(4 * nk * (v.ny ? v.ny : 1)));
    int total = 0;
    for (int k = 0; k < 4; k++) {
        cell_summaries(d, &v, key, ni, TREND[k].col, TREND[k].median, vals + (size_t)k * nk * v.ny);
        total += count_finite(vals + (size_t)k * nk * v.ny + v.ny, ni * v.ny);
    }
    if (!ni || !total) {
        set_note(f, "not drawn: IC, IIn, IIH and ITR have no value by industry in the panel%s", "");
    } else {
        rp_buf blocks = {0}, body = {0};
        /* heat-map cells: year, row (1 = first industry, drawn at the top), value; missing cells left out */
        for (int k = 0; k < 4; k++) {
            rp_printf(&blocks, "$h%d << EOD\n", k);
            for (int r = 0; r < ni; r++)
                for (int yi = 0; yi < v.ny; yi++) {
                    double x = vals[((size_t)k * nk + r + 1) * v.ny + yi];
                    if (isnum(x)) rp_printf(&blocks, "%g %d %.10g\n", v.years[yi], ni - r, x);
                }
            rp_puts(&blocks, "EOD\n");
        }
        /* explicit panel positions: industry names on the left column only */
        const double left0 = 0.25, right1 = 0.95, gapx = 0.09, top = 0.92, bottom = 0.08, gapy = 0.12;
        const double pw = (right1 - left0 - gapx) / 2, ph = (top - bottom - gapy) / 2;
        gp_text(&body, "set multiplot title ", " font \",13\"\n",
                "Symbiosis indicators of %s with its partners, by industry (colour: value; grey: no value)", d->focal);
        rp_puts(&body, "set palette defined (0 '#440154', 1 '#3b528b', 2 '#21918c', 3 '#5ec962', 4 '#fde725')\n");
        rp_puts(&body, "set key off\nset colorbox user size 0.012, graph 1\nset tics out nomirror\n");
        year_axis(&body, v.years, v.ny);
        rp_printf(&body, "set yrange [0.5:%d.5]\n", ni);
        rp_buf ytics = {0};
        rp_puts(&ytics, "set ytics (");
        for (int r = 0; r < ni; r++) {
            const char *nm = rp_industry_name(d, (int)ind[r]);
            char lab[64];
            if (nm)
                snprintf(lab, sizeof lab, "%d %.34s%s", (int)ind[r], nm, strlen(nm) > 34 ? "..." : "");
            else
                snprintf(lab, sizeof lab, "industry %d", (int)ind[r]);
            if (r) rp_puts(&ytics, ", ");
            gp_quote(&ytics, lab);
            rp_printf(&ytics, " %d", ni - r);
        }
        rp_puts(&ytics, ")\n");
        rp_puts(&body, "set object 1 rectangle from graph 0,0 to graph 1,1 behind fc rgb '#e6e6e6' fs solid noborder\n");
        for (int k = 0; k < 4; k++) {
            int row = k / 2, col = k % 2;
            double l = left0 + col * (pw + gapx), b = top - (row + 1) * ph - row * gapy;
            rp_printf(&body, "set lmargin at screen %.4f\nset rmargin at screen %.4f\n", l, l + pw - 0.03);
            rp_printf(&body, "set bmargin at screen %.4f\nset tmargin at screen %.4f\n", b, b + ph);
            /* industry names on the left column only */
            rp_puts(&body, col ? "unset ytics\n" : ytics.s);
            rp_printf(&body, "set colorbox user origin screen %.4f, screen %.4f size screen 0.012, screen %.4f\n",
                      l + pw - 0.02, b, ph);
            gp_text(&body, "set title ", "\n", "%s", TREND[k].label);
            const double *blk = vals + ((size_t)k * nk + 1) * v.ny;
            int lg = wants_log(blk, ni * v.ny, 100);
            rp_puts(&body, lg ? "set logscale cb\nset format cb \"%.0e\"\n" : "unset logscale cb\nset format cb \"%g\"\n");
            if (!count_finite(blk, ni * v.ny)) {
                empty_panel(&body, "no data");
                continue;
            }
            rp_printf(&body, "plot $h%d using 1:2:(0.5):(0.5):3 with boxxyerror fs solid 1.0 noborder lc palette notitle\n", k);
        }
        rp_buf_free(&ytics);
        fig_render(p, f, &blocks, &body, 1400, 420 + 36 * ni);
        rp_printf(&f->caption,
                  "IC, IIn, IIH and ITR of %s with its partners by industry (rows) and year (columns): the mean "
                  "over partners (IIH: the median, see above). Grey cells have no value. Colour scales are "
                  "logarithmic where a panel's values span more than two orders of magnitude.",
                  d->focal);
        rp_buf_free(&blocks);
        rp_buf_free(&body);
    }
    free(vals);
    free(key);
    free(ind);
    free(v.years);
}

/* ------------------------------------------------------------ ITR by route */
static const struct {
    const char *col, *label;
} ROUTE[5] = {{"ITR_FIN", "FIN: final goods, direct"},
              {"ITR_INT", "INT: intermediates absorbed by the importer"},
              {"ITR_INTREX_b", "INTREX_b: intermediates returning in third-country final goods"},
              {"ITR_INT_d", "INT_d: via a third country's final goods"},
              {"ITR_INTREX_d", "INTREX_d: via a third country into the importer's final goods"}};

static void fig_itr_routes(const rp_data *d, const rp_plotter *p, rp_figure *f)
{
    snprintf(f->name, sizeof f->name, "itr_routes");
    snprintf(f->title, sizeof f->title, "Industrial transfer (ITR) by route");
    panel_view v;
    if (panel_open(d, &v) != 0) {
        set_note(f, "not drawn: the results file has no panel%s", "");
        free(v.years);
        return;
    }
    const double *col[5];
    int ncols = 0;
    for (int r = 0; r < 5; r++) ncols += (col[r] = num_col(d, ROUTE[r].col)) != NULL;
    if (ncols < 5) {
        set_note(f, "not drawn: the panel lacks the ITR route columns (%s ...)", ROUTE[0].col);
        free(v.years);
        return;
    }
    size_t n = d->panel->nrow;
    int ny = v.ny;
    double *sum = sf_calloc((size_t)(5 * ny), sizeof(double));
    int *cnt = sf_calloc((size_t)(5 * ny), sizeof(int));
    for (size_t i = 0; i < n; i++) {
        int yi = year_index(&v, v.year[i]);
        if (yi < 0) continue;
        for (int r = 0; r < 5; r++)
            if (isnum(col[r][i])) {
                sum[r * ny + yi] += col[r][i];
                cnt[r * ny + yi]++;
            }
    }
    /* a year is drawn when every route has values that year */
    double *yrs = sf_malloc(sizeof(double) * (size_t)ny), *cum = sf_malloc(sizeof(double) * (size_t)(6 * ny)),
           *shr = sf_malloc(sizeof(double) * (size_t)(6 * ny));
    int m = 0, negative = 0, dropped = 0;
    for (int yi = 0; yi < ny; yi++) {
        int ok = 1;
        for (int r = 0; r < 5; r++) ok &= cnt[r * ny + yi] > 0;
        if (!ok) {
            dropped++;
            continue;
        }
        double tot = 0;
        for (int r = 0; r < 5; r++) {
            tot += sum[r * ny + yi];
            negative |= sum[r * ny + yi] < 0;
        }
        yrs[m] = v.years[yi];
        double c = 0;
        for (int r = 0; r <= 5; r++) {
            cum[r * ny + m] = c;
            shr[r * ny + m] = tot > 0 ? 100 * c / tot : NAN;
            if (r < 5) c += sum[r * ny + yi];
        }
        m++;
    }
    if (m == 0) {
        set_note(f, "not drawn: no year has values for all five ITR routes%s", "");
    } else {
        rp_buf blocks = {0}, body = {0};
        rp_puts(&blocks, "$lev << EOD\n");
        for (int i = 0; i < m; i++) {
            gp_num(&blocks, yrs[i]);
            for (int r = 0; r <= 5; r++) gp_num(&blocks, cum[r * ny + i]);
            rp_putc(&blocks, '\n');
        }
        rp_puts(&blocks, "EOD\n$shr << EOD\n");
        for (int i = 0; i < m; i++) {
            gp_num(&blocks, yrs[i]);
            for (int r = 0; r <= 5; r++) gp_num(&blocks, shr[r * ny + i]);
            rp_putc(&blocks, '\n');
        }
        rp_puts(&blocks, "EOD\n");
        gp_text(&body, "set multiplot layout 1,2 margins 0.08,0.98,0.3,0.9 spacing 0.08 title ",
                " font \",13\"\nset grid front lc rgb \"#bbbbbb\"\nset key off\n",
                "Industrial transfer between %s and its partners by route (sum over partner-industry pairs)", d->focal);
        year_axis(&body, yrs, m);
        const char *rcol[5] = {PAL[0], PAL[1], PAL[2], PAL[4], PAL[9]};
        for (int panel = 0; panel < 2; panel++) {
            const char *blk = panel ? "shr" : "lev";
            gp_text(&body, "set title ", "\n", "%s", panel ? "Shares of ITR (%)" : "ITR by route (stacked)");
            if (panel) {
                rp_puts(&body, "set ylabel \"%\"\nset yrange [0:100]\nset format y \"%g\"\n");
                rp_puts(&body, "set key at screen 0.5,0.12 center center vertical maxrows 3 Left reverse width 3 samplen 2\n");
            } else {
                /* levels from 0 (stacked areas and boxes read from the axis); 4.5M, not 4.5e+06 */
                rp_puts(&body, "set ylabel ");
                gp_quote(&body, d->units);
                rp_printf(&body, "\nset yrange [%s:*]\nset format y \"%%.1s%%c\"\n", negative ? "*" : "0");
            }
            if (negative && !panel) {
                /* routes with negative sums cannot be stacked: draw each route's sum as a line */
                rp_printf(&body, "plot ");
                for (int r = 0; r < 5; r++)
                    rp_printf(&body, "%s$lev using 1:($%d-$%d) with linespoints lw 2 pt 7 ps 0.5 lc rgb \"%s\" notitle",
                              r ? ", " : "", r + 3, r + 2, rcol[r]);
                rp_putc(&body, '\n');
                continue;
            }
            if (m == 1) {
                /* one year: stacked boxes, the largest cumulative first */
                rp_puts(&body, "set boxwidth 0.6\nplot ");
                for (int r = 4; r >= 0; r--) {
                    rp_printf(&body, "%s$%s using 1:%d with boxes fs solid 0.85 lc rgb \"%s\" title ", r < 4 ? ", " : "",
                              blk, r + 3, rcol[r]);
                    gp_quote(&body, ROUTE[r].label);
                }
            } else {
                rp_puts(&body, "plot ");
                for (int r = 0; r < 5; r++) {
                    rp_printf(&body, "%s$%s using 1:%d:%d with filledcurves fs solid 0.85 lc rgb \"%s\" title ",
                              r ? ", " : "", blk, r + 2, r + 3, rcol[r]);
                    gp_quote(&body, ROUTE[r].label);
                }
            }
            rp_putc(&body, '\n');
        }
        fig_render(p, f, &blocks, &body, 1300, 620);
        rp_printf(&f->caption,
                  "ITR summed over the partner-industry pairs of each year, split by the route of the value added "
                  "(METHODS: final goods, intermediates absorbed by the importer, intermediates returning to the "
                  "importer in third-country final goods, via a third country's final goods, via a third country "
                  "into the importer's final goods; both directions %s-partner and partner-%s added). Left: "
                  "levels (%s), stacked; right: shares of the total.",
                  d->focal, d->focal, *d->units ? d->units : "table units");
        if (negative)
            rp_puts(&f->note, "Some routes have negative sums (negative final demand, e.g. inventories): the "
                              "levels are drawn as lines, not stacked. ");
        if (dropped) rp_printf(&f->note, "%d year(s) without values for every route are left out. ", dropped);
        rp_buf_free(&blocks);
        rp_buf_free(&body);
    }
    free(sum);
    free(cnt);
    free(yrs);
    free(cum);
    free(shr);
    free(v.years);
}

/* ------------------------------------------------------------ network */
/* one panel: circular layout, the focal region (node 0) in the centre */
static int network_panel(rp_buf *blocks, rp_buf *body, const rp_data *d, const rp_net *nt, int id)
{
    const int m = nt->m;
    double *x = sf_malloc(sizeof(double) * (size_t)m), *y = sf_malloc(sizeof(double) * (size_t)m),
           *rad = sf_malloc(sizeof(double) * (size_t)m);
    double smax = 0;
    for (int i = 0; i < m; i++) {
        double s = nt->sin[i] + nt->sout[i];
        if (isnum(s) && s > smax) smax = s;
    }
    for (int i = 0; i < m; i++) {
        double th = M_PI / 2 - (m > 1 ? 2 * M_PI * (i - 1) / (m - 1) : 0);
        x[i] = i ? cos(th) : 0;
        y[i] = i ? sin(th) : 0;
        double s = nt->sin[i] + nt->sout[i];
        /* node area proportional to strength (in + out) */
        rad[i] = 0.035 + (smax > 0 && isnum(s) && s > 0 ? 0.17 * sqrt(s / smax) : 0);
    }
    /* undirected edges w_ij + w_ji, thin ones first so that thick ones are on top */
    typedef struct {
        int i, j;
        double w;
    } edge;
    edge *E = sf_malloc(sizeof(edge) * (size_t)(m * m / 2 + 1));
    int ne = 0;
    double wmax = 0;
    for (int i = 0; i < m; i++)
        for (int j = i + 1; j < m; j++) {
            double w = nt->vax[i * m + j] + nt->vax[j * m + i];
            if (!isnum(w) || w <= 0) continue;
            E[ne++] = (edge){i, j, w};
            if (w > wmax) wmax = w;
        }
    for (int a = 1; a < ne; a++) /* insertion sort by weight */
        for (int b = a; b > 0 && E[b].w < E[b - 1].w; b--) {
            edge t = E[b];
            E[b] = E[b - 1];
            E[b - 1] = t;
        }
    int shown = 0;
    rp_puts(body, "unset arrow\nunset label\n");
    for (int k = 0; k < ne; k++) {
        if (E[k].w < 0.01 * wmax) continue;
        int foc = E[k].i == 0;
        rp_printf(body, "set arrow from %.4f,%.4f to %.4f,%.4f nohead back lw %.2f lc rgb \"%s\"\n", x[E[k].i],
                  y[E[k].i], x[E[k].j], y[E[k].j], 0.4 + 11.0 * E[k].w / wmax, foc ? "#50d62728" : "#601f77b4");
        shown++;
    }
    rp_printf(blocks, "$n%d << EOD\n", id);
    for (int i = 0; i < m; i++) {
        double lx = x[i], ly = y[i];
        if (i) { /* labels outside the circle */
            double rr = 1 + rad[i] + 0.1;
            lx = x[i] * rr;
            ly = y[i] * rr;
        }
        /* the label as a data token: region codes are alphanumeric, anything else becomes _ */
        char code[32];
        snprintf(code, sizeof code, "%s", nt->nodes[i]);
        for (char *q = code; *q; q++)
            if (!isalnum((unsigned char)*q) && *q != '-' && *q != '.') *q = '_';
        rp_printf(blocks, "%.4f %.4f %.4f %s %.4f %.4f \"%s\"\n", x[i], y[i], rad[i], i ? "0x1f77b4" : "0xd62728", lx,
                  ly, *code ? code : "?");
    }
    rp_puts(blocks, "EOD\n");
    char t[300], sw[48], st[48];
    rp_fmt_amount(sw, sizeof sw, wmax);
    rp_fmt_amount(st, sizeof st, nt->total_vax);
    snprintf(t, sizeof t, "%d: value-added flows among %s and %d partners\nlargest edge %s, total %s (%s)", nt->year,
             nt->nodes[0], m - 1, sw, st, *d->units ? d->units : "table units");
    gp_text(body, "set title ", "\n", "%s", t);
    if (ne == 0) {
        empty_panel(body, "no flows");
    } else {
        rp_printf(body,
                  "plot $n%d using 1:2:3:4 with circles lc rgb variable fs solid 0.95 border lc rgb \"#333333\" "
                  "notitle, \\\n     $n%d using 5:6:7 every ::1 with labels font \",10\" notitle, \\\n"
                  "     $n%d using 5:6:7 every ::0::0 with labels font \",11\" tc rgb \"white\" notitle\n",
                  id, id, id);
    }
    free(x);
    free(y);
    free(rad);
    free(E);
    return shown;
}

static void fig_network(const rp_data *d, const rp_plotter *p, rp_figure *f)
{
    snprintf(f->name, sizeof f->name, "network");
    snprintf(f->title, sizeof f->title, "Value-added flow network, first and last year");
    if (d->nnet == 0) {
        set_note(f, "not drawn: the results file has no /network%s", "");
        return;
    }
    const rp_net *a = &d->net[0], *b = &d->net[d->nnet - 1];
    int two = d->nnet > 1;
    rp_buf blocks = {0}, body = {0};
    rp_printf(&body, "set multiplot layout 1,%d\n", two ? 2 : 1);
    rp_puts(&body, "set size ratio -1\nunset border\nunset tics\nunset key\nset xrange [-1.5:1.5]\nset yrange [-1.5:1.5]\n");
    network_panel(&blocks, &body, d, a, 0);
    if (two) network_panel(&blocks, &body, d, b, 1);
    fig_render(p, f, &blocks, &body, two ? 1400 : 760, 760);
    rp_printf(&f->caption,
              "The value-added (VAX) flow network among %s (red, centre) and its partners (blue) in %d%s%d: node "
              "area proportional to strength (value added sent plus received among these nodes); edge width "
              "proportional to the flow between the two regions (both directions added; edges under 1%% of the "
              "largest are not drawn). Each panel is scaled to its own largest flow; the totals are in the titles.",
              d->focal, a->year, two ? " and " : "", two ? b->year : a->year);
    if (!two) {
        /* the caption above names the year twice; say it once */
        f->caption.len = 0;
        rp_printf(&f->caption,
                  "The value-added (VAX) flow network among %s (red, centre) and its partners (blue) in %d: node "
                  "area proportional to strength, edge width proportional to the flow (both directions added; "
                  "edges under 1%% of the largest are not drawn).",
                  d->focal, a->year);
    }
    rp_buf_free(&blocks);
    rp_buf_free(&body);
}

static void fig_network_rank(const rp_data *d, const rp_plotter *p, rp_figure *f)
{
    snprintf(f->name, sizeof f->name, "network_rank");
    snprintf(f->title, sizeof f->title, "PageRank of the focal region over the years");
    if (d->nnet == 0) {
        set_note(f, "not drawn: the results file has no /network%s", "");
        return;
    }
    int ny = d->nnet, mmax = 1;
    double *yr = sf_malloc(sizeof(double) * (size_t)ny), *v = sf_malloc(sizeof(double) * (size_t)(4 * ny));
    for (int i = 0; i < ny; i++) {
        yr[i] = d->net[i].year;
        v[i] = d->net[i].rank_vax;
        v[ny + i] = d->net[i].rank_var;
        v[2 * ny + i] = d->net[i].pr_vax;
        v[3 * ny + i] = d->net[i].pr_var;
        if (d->net[i].m > mmax) mmax = d->net[i].m;
    }
    if (!count_finite(v, 4 * ny)) {
        set_note(f, "not drawn: the networks have no PageRank values%s", "");
    } else {
        series s[2] = {{"VAX network (value added absorbed in final demand)", v, FOCAL_COLOR, 2.5, 1},
                       {"VAR network (value added in gross exports)", v + ny, PAL[0], 2.0, 2}};
        series s2[2] = {{"VAX network", v + 2 * ny, FOCAL_COLOR, 2.5, 1}, {"VAR network", v + 3 * ny, PAL[0], 2.0, 2}};
        rp_buf blocks = {0}, body = {0};
        datablock(&blocks, "r", yr, ny, s, 2);
        datablock(&blocks, "p", yr, ny, s2, 2);
        gp_text(&body, "set multiplot layout 1,2 margins 0.08,0.98,0.25,0.88 spacing 0.1 title ", MULTI_TAIL,
                "%s in the value-added network of its partners", d->focal);
        year_axis(&body, yr, ny);
        char tt[200];
        snprintf(tt, sizeof tt, "PageRank rank of %s (1 = most central)", d->focal);
        gp_text(&body, "set title ", "\nset ytics 1\n", "%s", tt);
        /* the rank axis: 1 at the top, down to the worst rank seen (at least 5) */
        {
            double worst = 1;
            for (int i = 0; i < 2 * ny; i++)
                if (isnum(v[i]) && v[i] > worst) worst = v[i];
            int lim = (int)fmin(mmax, fmax(5, worst + 1));
            rp_printf(&body, "set yrange [%d.5:0.5]\n", lim);
        }
        lines_plot(&body, "r", s, 2, ny, 1);
        snprintf(tt, sizeof tt, "PageRank score of %s", d->focal);
        gp_text(&body, "set title ", "\nset yrange [0:*]\nset ytics auto\n", "%s", tt);
        rp_puts(&body, "set key at screen 0.5,0.07 center center vertical maxrows 1 Left reverse width 3\n");
        lines_plot(&body, "p", s2, 2, ny, 1);
        fig_render(p, f, &blocks, &body, 1300, 560);
        rp_printf(&f->caption,
                  "The rank (left) and score (right) of %s by weighted PageRank (damping 0.85) in the value-added "
                  "networks among %s and its partners, per year: VAX (value added of a region absorbed in another's "
                  "final demand) and VAR (value added of a region embodied in another's gross exports).",
                  d->focal, d->focal);
        rp_buf_free(&blocks);
        rp_buf_free(&body);
    }
    free(yr);
    free(v);
}

/* The focal region's value-added sources and final-goods capture by regional group of its partners
 * (Zheng et al. 2019; /network/YYYY/group_*), and its coreness and betweenness, over the years. */
static void fig_network_groups(const rp_data *d, const rp_plotter *p, rp_figure *f)
{
    snprintf(f->name, sizeof f->name, "network_groups");
    snprintf(f->title, sizeof f->title, "Value-added sources, final-goods capture and coreness by regional group");
    const int ny = d->nnet;
    const rp_net *z = ny ? &d->net[ny - 1] : NULL;
    if (!z || !z->ng || !z->g_src || !z->g_cap) {
        set_note(f, "not drawn: the results file has no /network regional-group aggregates (group_*)%s", "");
        return;
    }
    const int ng = z->ng > NPAL ? NPAL : z->ng;
    double *yr = sf_malloc(sizeof(double) * (size_t)ny), *v = sf_malloc(sizeof(double) * (size_t)(2 * ng + 2) * ny);
    for (int i = 0; i < ny; i++) {
        const rp_net *nt = &d->net[i];
        yr[i] = nt->year;
        for (int k = 0; k < ng; k++) {
            int j = -1; /* the same group by name: the group order may differ between years */
            for (int q = 0; q < nt->ng && j < 0; q++)
                if (!strcmp(nt->gnames[q], z->gnames[k])) j = q;
            v[(size_t)k * ny + i] = j >= 0 && nt->g_src ? 100 * nt->g_src[j] : NAN;
            v[(size_t)(ng + k) * ny + i] = j >= 0 && nt->g_cap ? 100 * nt->g_cap[j] : NAN;
        }
        v[(size_t)(2 * ng) * ny + i] = nt->core ? nt->core[0] : NAN;
        v[(size_t)(2 * ng + 1) * ny + i] = nt->bc ? nt->bc[0] : NAN;
    }
    series s1[NPAL], s2[NPAL], s3[2];
    for (int k = 0; k < ng; k++) {
        s1[k] = (series){z->gnames[k], v + (size_t)k * ny, PAL[k], 2.0, 1};
        s2[k] = (series){z->gnames[k], v + (size_t)(ng + k) * ny, PAL[k], 2.0, 1};
    }
    s3[0] = (series){"coreness (continuous)", v + (size_t)(2 * ng) * ny, FOCAL_COLOR, 2.5, 1};
    s3[1] = (series){"betweenness", v + (size_t)(2 * ng + 1) * ny, PAL[0], 2.0, 2};
    rp_buf blocks = {0}, body = {0};
    datablock(&blocks, "src", yr, ny, s1, ng);
    datablock(&blocks, "cap", yr, ny, s2, ng);
    datablock(&blocks, "core", yr, ny, s3, 2);
    char t[256];
    gp_text(&body, "set multiplot layout 1,3 margins 0.06,0.98,0.3,0.88 spacing 0.07 title ", MULTI_TAIL,
            "%s and the regional groups of its partners (VAX/VAR networks)", d->focal);
    year_axis(&body, yr, ny);
    snprintf(t, sizeof t, "share in the foreign VA of %s's exports (%%)", d->focal);
    gp_text(&body, "set title ", "\nset yrange [0:*]\n", "%s", t);
    lines_plot(&body, "src", s1, ng, ny, 1);
    snprintf(t, sizeof t, "%s's DVA in final goods / final-goods exports (%%)", d->focal);
    gp_text(&body, "set title ", "\nset yrange [*:*]\n", "%s", t);
    rp_puts(&body, "set key at screen 0.36,0.1 center center horizontal maxcols 3 Left reverse width 2\n");
    lines_plot(&body, "cap", s2, ng, ny, 1);
    snprintf(t, sizeof t, "%s in the VAX network", d->focal);
    gp_text(&body, "set title ",
            "\nset yrange [0:*]\nset key at screen 0.85,0.08 center center horizontal Left reverse width 2\n", "%s", t);
    lines_plot(&body, "core", s3, 2, ny, 1);
    fig_render(p, f, &blocks, &body, 1500, 560);
    rp_printf(&f->caption,
              "Left: the share of each regional group of partners in the foreign value added embodied in %s's gross "
              "exports (the east-to-west reading of Zheng et al. 2019). Middle: the final-goods capture of %s in its "
              "exports to each group, its domestic value added in final-goods exports (WWZ DVA_FIN) over the gross "
              "final-goods exports. Right: the Borgatti-Everett continuous coreness of %s and its betweenness "
              "(edge length 1 / flow) in the VAX network. Definitions: docs/methods.md section 8.",
              d->focal, d->focal, d->focal);
    rp_buf_free(&blocks);
    rp_buf_free(&body);
    free(yr);
    free(v);
}

/* Du (2025): trade agreements and BRI signatories per year, with the paper's statements as points. */
static void fig_agreements(const rp_data *d, const rp_plotter *p, rp_figure *f)
{
    snprintf(f->name, sizeof f->name, "agreements");
    snprintf(f->title, sizeof f->title, "Trade agreements and BRI cooperation partners over time");
    const rp_agreements *a = d->agree;
    if (!a || !a->n || !a->fta || !a->bri) {
        set_note(f, "not drawn: the results file has no /trade/agreements (it needs [covariates] sources)%s", "");
        return;
    }
    series s[3] = {{"trade agreements in force (DESTA)", a->fta, PAL[0], 2.5, 1},
                   {"countries and regions with one (DESTA)", a->fta_partners, PAL[1], 2.0, 2},
                   {"BRI signatories (Nedopil 2023)", a->bri, FOCAL_COLOR, 2.5, 1}};
    rp_buf blocks = {0}, body = {0};
    datablock(&blocks, "ag", a->year, a->n, s, 3);
    /* the paper's counts (not the growth rates) as points */
    static const char *const KEYS[3] = {"fta_agreements", "fta_partners", "bri_cooperation_countries"};
    int nst = 0;
    rp_puts(&blocks, "$st << EOD\n");
    for (int i = 0; i < a->ns; i++)
        for (int k = 0; k < 3; k++)
            if (!strcmp(a->s_measure[i], KEYS[k]) && isnum(a->s_value[i])) {
                rp_printf(&blocks, "%g %d %.10g\n", a->s_year[i], k, a->s_value[i]);
                nst++;
            }
    rp_puts(&blocks, "EOD\n");
    rp_puts(&body, "set grid lc rgb \"#dddddd\"\nset key top left Left reverse\nset yrange [0:*]\n");
    gp_text(&body, "set lmargin 8\nset bmargin 5\nset title ", "\n",
            "Trade agreements of %s and BRI cooperation partners, per year", d->focal);
    year_axis(&body, a->year, a->n);
    rp_printf(&body, "set xrange [%g:%g]\n", a->year[0] - 0.3, a->year[a->n - 1] + 1.3);
    lines_plot(&body, "ag", s, 3, a->n, 0);
    if (nst) { /* the statements on top of the lines */
        body.len -= 1; /* drop the newline that ends the plot command */
        rp_puts(&body, ", \\\n     $st using 1:3 with points pt 9 ps 1.6 lc rgb \"#000000\" title "
                       "\"stated by Du (2025)\"\n");
    }
    fig_render(p, f, &blocks, &body, 1000, 560);
    rp_printf(&f->caption,
              "Per calendar year, the trade agreements of %s in force at the end of the year (distinct DESTA base "
              "treaties with an entry of %s, entry into force in or before the year) and the countries and regions "
              "they cover; the countries that had signed a BRI cooperation document (Nedopil 2023; signatories "
              "without a date are not counted). Triangles: the counts Du (2025) states (\"22 free trade agreements "
              "with 29 countries and regions\" as of 2023, signed rather than in force; \"more than 150\" "
              "cooperation countries), from data/countries/du2025_stated.csv.",
              d->focal, d->focal);
    rp_buf_free(&blocks);
    rp_buf_free(&body);
}

/* ------------------------------------------------------------ trade */
static void fig_trade(const rp_data *d, const rp_plotter *p, rp_figure *f)
{
    snprintf(f->name, sizeof f->name, "trade_growth");
    snprintf(f->title, sizeof f->title, "Trade with Belt and Road countries, partners and the world");
    const rp_trade *t = d->trade;
    if (!t || !t->gt_index || !t->vt_index || !t->gt_growth || !t->vt_growth) {
        set_note(f, "not drawn: the results file has no /trade series%s", "");
        return;
    }
    static const struct {
        const char *name, *label;
    } G[] = {{"world", "world"},
             {"partners", "partners (model list)"},
             {"bri_ever", "BRI signatories (ever)"},
             {"bri", "BRI signatories (in force)"},
             {"fta", "FTA partners (in force)"},
             {"asean", "ASEAN"},
             {"south_america", "South America"}};
    const int NG = (int)(sizeof G / sizeof G[0]);
    const int Y = t->Y, K = t->K;
    double *yr = sf_malloc(sizeof(double) * (size_t)Y);
    for (int i = 0; i < Y; i++) yr[i] = t->years[i];
    double *col = sf_malloc(sizeof(double) * (size_t)(4 * NG * Y));
    series ser[4][7];
    int ns[4] = {0, 0, 0, 0};
    rp_buf no_index = {0}, no_growth = {0};
    const double *src[4] = {t->gt_index, t->vt_index, t->gt_growth, t->vt_growth};
    for (int gi = 0; gi < NG; gi++) {
        int k = -1;
        for (int j = 0; j < K; j++)
            if (!strcmp(t->names[j], G[gi].name)) k = j;
        if (k < 0) continue;
        if (t->available && !t->available[k]) {
            rp_printf(&f->note, "%s: not shown, the status is not available (no covariate source). ", G[gi].label);
            continue;
        }
        int members = 0;
        if (t->n_regions)
            for (int i = 0; i < Y; i++) members += t->n_regions[i * K + k];
        else
            members = 1;
        int any = 0;
        for (int q = 0; q < 4; q++) {
            double *c = col + ((size_t)q * NG + gi) * Y;
            for (int i = 0; i < Y; i++) c[i] = src[q][i * K + k] * (q >= 2 ? 100 : 1);
            any += count_finite(c, Y);
        }
        if (!members || !any) {
            rp_printf(&f->note, "%s: not shown, %s. ", G[gi].label,
                      !members ? "no member in any year of the run" : "no value (zero trade in the first year)");
            continue;
        }
        for (int q = 0; q < 4; q++) {
            ser[q][ns[q]++] = (series){G[gi].label, col + ((size_t)q * NG + gi) * Y, gi ? PAL[gi - 1] : "#000000",
                                       gi ? 2.0 : 3.0, 1};
            if ((q == 0 || q == 2) && !count_finite(col + ((size_t)q * NG + gi) * Y, Y)) {
                rp_buf *l = q ? &no_growth : &no_index;
                rp_printf(l, "%s%s", l->len ? ", " : "", G[gi].label);
            }
        }
    }
    if (no_index.len)
        rp_printf(&f->note, "No index for %s (no trade in the first year, the base of the index). ", no_index.s);
    if (no_growth.len)
        rp_printf(&f->note, "No growth rate for %s (%s). ", no_growth.s,
                  Y < 2 ? "the run has a single year" : "no two consecutive years with trade");
    rp_buf_free(&no_index);
    rp_buf_free(&no_growth);
    if (!ns[0]) {
        if (!f->note.len) set_note(f, "not drawn: no group has trade values%s", "");
    } else {
        rp_buf blocks = {0}, body = {0};
        for (int q = 0; q < 4; q++) {
            char bn[8];
            snprintf(bn, sizeof bn, "t%d", q);
            datablock(&blocks, bn, yr, Y, ser[q], ns[q]);
        }
        gp_text(&body, "set multiplot layout 2,2 margins 0.08,0.98,0.16,0.92 spacing 0.08,0.12 title ", MULTI_TAIL,
                "Trade of %s: gross and value added, by group of countries", d->focal);
        year_axis(&body, yr, Y);
        double B = t->boundary;
        int mark = isnum(B) && B >= yr[0] && B < yr[Y - 1];
        static const char *const title[4] = {"Gross trade, index (first year = 100)",
                                             "Value-added trade, index (first year = 100)",
                                             "Gross trade, annual growth (%)", "Value-added trade, annual growth (%)"};
        for (int q = 0; q < 4; q++) {
            char bn[8];
            snprintf(bn, sizeof bn, "t%d", q);
            gp_text(&body, "unset arrow\nunset label\nset title ", "\n", "%s", title[q]);
            int lg = 0;
            if (q < 2) {
                double *all = sf_malloc(sizeof(double) * (size_t)(ns[q] * Y));
                for (int s = 0; s < ns[q]; s++) memcpy(all + s * Y, ser[q][s].y, sizeof(double) * (size_t)Y);
                lg = wants_log(all, ns[q] * Y, 4);
                free(all);
            }
            rp_puts(&body, lg ? "set logscale y\nset format y \"%g\"\n" : "unset logscale y\nset format y \"%g\"\n");
            if (q >= 2) rp_puts(&body, "set arrow from graph 0, first 0 to graph 1, first 0 nohead lc rgb \"#888888\"\n");
            if (mark) {
                rp_printf(&body, "set arrow from %g, graph 0 to %g, graph 1 nohead dt 2 lw 1.5 lc rgb \"#555555\"\n",
                          B + 0.5, B + 0.5);
                rp_printf(&body, "set label \"BRI announced (%g)\" at %g, graph 0.95 right offset -0.5,0 tc rgb \"#555555\"\n",
                          B + 0, B + 0.5);
            }
            if (q == 3) rp_puts(&body, "set key at screen 0.5,0.05 center center vertical maxrows 2 Left reverse width 3\n");
            lines_plot(&body, bn, ser[q], ns[q], Y, Y <= 8);
        }
        fig_render(p, f, &blocks, &body, 1300, 950);
        rp_printf(&f->caption,
                  "Gross trade (exports plus imports) and value-added trade (value added exported plus imported, "
                  "absorbed in final demand) of %s with the world, its partners, BRI signatories and FTA partners: "
                  "index (top, first year = 100%s) and annual growth rates (bottom); see docs/trade.md for the "
                  "groups and definitions.%s",
                  d->focal, "; log scale where all values are positive", mark ? " The dashed line marks the announcement of the BRI: growth after it belongs to the later period." : "");
        rp_buf_free(&blocks);
        rp_buf_free(&body);
    }
    free(col);
    free(yr);
}

/* ------------------------------------------------------------ coefficients */
static int itr_coef(const rp_model *m)
{
    if (!m->b || !m->coef) return -1;
    if (m->key && strstr(m->key, "ITR"))
        for (int j = 0; j < m->k; j++)
            if (!strcmp(m->coef[j], m->key)) return j;
    for (int j = 0; j < m->k; j++)
        if (strstr(m->coef[j], "ITR")) return j;
    return -1;
}

/* panel of a row: its dependent variable and the scale of the coefficient
 * (ITR1 = ITR / global output has another unit than ITR and L.ITR) */
static void coef_group(const rp_model *m, int j, char *buf, size_t n)
{
    snprintf(buf, n, "%s|%s", *m->depvar ? m->depvar : "?", strstr(m->coef[j], "ITR1") ? "ITR1" : "ITR");
}

static void fig_coef(const rp_data *d, const rp_plotter *p, rp_figure *f)
{
    snprintf(f->name, sizeof f->name, "coef_itr");
    snprintf(f->title, sizeof f->title, "Key ITR coefficients across the models");
    if (!d->has_estimates || d->nmodels == 0) {
        set_note(f, "not drawn: the results file has no estimates (`[estimate] models = none`, or `silkflow "
                    "estimate` not run)%s", "");
        return;
    }
    /* rows: models with an ITR coefficient (first stages excluded), grouped
     * by dependent variable and coefficient scale, in order of appearance */
    int nm = d->nmodels, nrow = 0, nboot = 0;
    int *idx = sf_malloc(sizeof(int) * (size_t)nm), *cj = sf_malloc(sizeof(int) * (size_t)nm);
    char(*grp)[96] = sf_malloc(sizeof *grp * (size_t)nm);
    int ngrp = 0;
    for (int i = 0; i < nm; i++) {
        const rp_model *m = &d->models[i];
        if (m->role && !strcmp(m->role, "first_stage")) continue;
        int j = itr_coef(m);
        if (j < 0 || !isnum(m->b[j])) continue;
        idx[nrow] = i;
        cj[nrow++] = j;
        char g[96];
        coef_group(m, j, g, sizeof g);
        int seen = 0;
        for (int k = 0; k < ngrp; k++) seen |= !strcmp(grp[k], g);
        if (!seen) snprintf(grp[ngrp++], sizeof grp[0], "%s", g);
    }
    if (!nrow) {
        set_note(f, "not drawn: no model has an ITR coefficient with a finite estimate%s", "");
        free(idx);
        free(cj);
        free(grp);
        return;
    }
    /* layout in pixels: a title line and an axis per panel, 22 px per row */
    const int ROW = 22, PAD = 78, TOP = 60, BOTTOM = 70;
    int H = TOP + BOTTOM + ROW * nrow + PAD * ngrp;
    rp_buf blocks = {0}, body = {0};
    gp_text(&body, "set multiplot title ",
            " font \",13\"\nset grid xtics lc rgb \"#dddddd\"\nset lmargin at screen 0.3\nset rmargin at screen 0.97\n",
            "%s", "Coefficient of ITR (its lag L.ITR, or ITR1) by model, with 95% confidence intervals");
    rp_puts(&body, "set key off\n");
    double cur = TOP; /* pixels from the top */
    for (int k = 0; k < ngrp; k++) {
        int rows = 0;
        rp_printf(&blocks, "$c%d << EOD\n", k);
        rp_buf tics = {0};
        for (int r = 0; r < nrow; r++) {
            const rp_model *m = &d->models[idx[r]];
            char g[96];
            coef_group(m, cj[r], g, sizeof g);
            if (strcmp(g, grp[k])) continue;
            int j = cj[r];
            rows++;
            double lo = m->lo ? m->lo[j] : NAN, hi = m->hi ? m->hi[j] : NAN;
            double blo = m->blo ? m->blo[j] : NAN, bhi = m->bhi ? m->bhi[j] : NAN;
            if (isnum(blo) && isnum(bhi)) nboot++;
            rp_printf(&blocks, "%d", -rows);
            gp_num(&blocks, m->b[j]);
            gp_num(&blocks, isnum(lo) ? lo : m->b[j]);
            gp_num(&blocks, isnum(hi) ? hi : m->b[j]);
            gp_num(&blocks, blo);
            gp_num(&blocks, bhi);
            rp_putc(&blocks, '\n');
            char lab[200];
            snprintf(lab, sizeof lab, "%s: %s%s%s", m->name, m->coef[j], *m->table ? ", " : "", m->table);
            if (rows > 1) rp_puts(&tics, ", ");
            gp_quote(&tics, lab);
            rp_printf(&tics, " %d", -rows);
        }
        rp_puts(&blocks, "EOD\n");
        double top = cur + 26, bot = cur + 26 + ROW * (rows + 0.6);
        rp_printf(&body, "set tmargin at screen %.5f\nset bmargin at screen %.5f\n", 1 - top / H, 1 - bot / H);
        cur += ROW * rows + PAD;
        rp_printf(&body, "set yrange [%g:%g]\nset ytics (%s) font \",9\"\n", -rows - 0.6, -0.4, tics.s ? tics.s : "");
        rp_buf_free(&tics);
        char *bar = strchr(grp[k], '|');
        *bar = '\0';
        char tt[200];
        snprintf(tt, sizeof tt, "dependent variable %s, coefficient of %s", grp[k],
                 !strcmp(bar + 1, "ITR1") ? "ITR1" : "ITR or L.ITR");
        gp_text(&body, "set title ", " offset 0,-0.5\n", "%s", tt);
        /* the zero line, drawn only when 0 is inside the panel's range */
        rp_printf(&body, "unset arrow\nset yzeroaxis lt 1 lw 1 lc rgb \"#888888\"\n");
        if (k == ngrp - 1) rp_printf(&body, "set key at screen 0.63, screen %.5f center center vertical maxrows 1 Left reverse width 3\n", 22.0 / H);
        rp_printf(&body,
                  "plot $c%d using (($5+$6)/2):1:5:6 with xerrorbars lw 5 pt -1 lc rgb \"#60d62728\" title \"wild "
                  "cluster bootstrap 95%% CI\", \\\n"
                  "     $c%d using 2:1:3:4 with xerrorbars lw 1.2 pt 7 ps 0.9 lc rgb \"#1f3b73\" title \"estimate, "
                  "95%% CI\"\n",
                  k, k);
    }
    fig_render(p, f, &blocks, &body, 1100, H);
    rp_printf(&f->caption,
              "The key coefficient of every model that has one (ITR, its lag L.ITR, or ITR1; first stages "
              "excluded), one panel per dependent variable and coefficient (ITR1 = ITR / global output has another "
              "unit): point estimate with the 95%% confidence interval from the model's variance (dark) and, where "
              "computed, the wild cluster restricted bootstrap 95%% CI (thick, red). Labels: model, coefficient, "
              "table.");
    if (!nboot) rp_puts(&f->note, "No model has a bootstrap CI (bootstrap = 0 or none): only the conventional CIs are drawn. ");
    rp_buf_free(&blocks);
    rp_buf_free(&body);
    free(idx);
    free(cj);
    free(grp);
}

/* ------------------------------------------------------------ all */
void rp_figures_make(const rp_data *d, const rp_plotter *p, rp_figure **figs, int *nfigs)
{
    void (*const make[])(const rp_data *, const rp_plotter *, rp_figure *) = {
        fig_trends_group, fig_trends_industry, fig_itr_routes, fig_network, fig_network_rank, fig_network_groups,
        fig_trade, fig_agreements, fig_coef};
    int n = (int)(sizeof make / sizeof make[0]);
    rp_figure *f = sf_calloc((size_t)n, sizeof(rp_figure));
    for (int i = 0; i < n; i++) make[i](d, p, &f[i]);
    *figs = f;
    *nfigs = n;
}

void rp_figures_free(rp_figure *figs, int n)
{
    for (int i = 0; i < n; i++) {
        rp_buf_free(&figs[i].caption);
        rp_buf_free(&figs[i].note);
    }
    free(figs);
}
