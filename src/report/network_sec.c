/* The report's sections on the structure of the value-added network
 * (Zheng et al. 2019: centralities, core-periphery, China's value-added
 * sources and final-goods capture by regional group) and on the trade
 * agreements over time (Du 2025). Definitions: docs/methods.md section 8,
 * docs/trade.md "Agreements". */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"

static void num(rp_buf *b, double v, const char *fmt)
{
    if (isfinite(v))
        rp_printf(b, fmt, v);
    else
        rp_puts(b, "-");
}

/* per year: the focal region's centralities and the core */
static void focal_table(rp_buf *b, const rp_data *d)
{
    rp_printf(b, "**%s in the VAX network, per year** (coreness: Borgatti-Everett continuous model of the "
                 "symmetrised flows scaled by the largest flow; fit: correlation of the flows with c_i c_j; core: the "
                 "split of the nodes by coreness that best fits the ideal core-periphery pattern; betweenness: "
                 "edge length 1 / flow, normalised; eigenvector: on in-flows, unit norm)\n\n",
              d->focal);
    rp_puts(b, "| year | coreness | rank | fit | core size | core | betweenness | eigenvector | out-strength share % |\n"
               "| :--- | ---: | ---: | ---: | ---: | :--- | ---: | ---: | ---: |\n");
    for (int i = 0; i < d->nnet; i++) {
        const rp_net *n = &d->net[i];
        int rank = 1;
        double tot = 0;
        for (int a = 0; a < n->m; a++) {
            if (a && n->core && n->core[a] > n->core[0]) rank++;
            tot += n->sout[a];
        }
        rp_printf(b, "| %d | ", n->year);
        num(b, n->core ? n->core[0] : NAN, "%.3f");
        rp_printf(b, " | %d | ", rank);
        num(b, n->core_fit, "%.3f");
        rp_puts(b, " | ");
        num(b, n->ncore, "%.0f");
        rp_puts(b, " | ");
        int any = 0;
        for (int a = 0; n->incore && a < n->m; a++)
            if (n->incore[a]) rp_printf(b, "%s%s", any++ ? " " : "", n->nodes[a]);
        if (!any) rp_puts(b, "-");
        rp_puts(b, " | ");
        num(b, n->bc ? n->bc[0] : NAN, "%.3f");
        rp_puts(b, " | ");
        num(b, n->ev ? n->ev[0] : NAN, "%.3f");
        rp_puts(b, " | ");
        num(b, tot > 0 ? 100 * n->sout[0] / tot : NAN, "%.1f");
        rp_puts(b, " |\n");
    }
    rp_putc(b, '\n');
}

/* the nodes of the last year by coreness */
static void node_table(rp_buf *b, const rp_data *d)
{
    const rp_net *n = &d->net[d->nnet - 1];
    int *ord = sf_malloc(sizeof(int) * (size_t)n->m);
    for (int a = 0; a < n->m; a++) ord[a] = a;
    for (int i = 1; i < n->m; i++)
        for (int j = i; j > 0 && n->core[ord[j]] > n->core[ord[j - 1]]; j--) {
            const int t = ord[j];
            ord[j] = ord[j - 1];
            ord[j - 1] = t;
        }
    rp_printf(b, "**Nodes of the VAX network in %d, by coreness** (strengths: VAX flows in and out, units: %s)\n\n"
                 "| node | in-strength | out-strength | betweenness | eigenvector | coreness | core |\n"
                 "| :--- | ---: | ---: | ---: | ---: | ---: | :---: |\n",
              n->year, d->units && *d->units ? d->units : "the table's units");
    for (int i = 0; i < n->m; i++) {
        const int a = ord[i];
        char si[48], so[48];
        rp_fmt_amount(si, sizeof si, n->sin[a]);
        rp_fmt_amount(so, sizeof so, n->sout[a]);
        rp_printf(b, "| %s | %s | %s | ", n->nodes[a], si, so);
        num(b, n->bc ? n->bc[a] : NAN, "%.3f");
        rp_puts(b, " | ");
        num(b, n->ev ? n->ev[a] : NAN, "%.3f");
        rp_puts(b, " | ");
        num(b, n->core[a], "%.3f");
        rp_printf(b, " | %s |\n", n->incore && n->incore[a] ? "core" : "");
    }
    rp_putc(b, '\n');
    free(ord);
}

/* groups as columns, years as rows, of one group_* measure (percent) */
static void group_table(rp_buf *b, const rp_data *d, int which, const char *title)
{
    const rp_net *z = &d->net[d->nnet - 1];
    rp_printf(b, "**%s** (%%)\n\n| year |", title);
    for (int k = 0; k < z->ng; k++) rp_printf(b, " %s |", z->gnames[k]);
    rp_puts(b, "\n| :--- |");
    for (int k = 0; k < z->ng; k++) rp_puts(b, " ---: |");
    rp_putc(b, '\n');
    for (int i = 0; i < d->nnet; i++) {
        const rp_net *n = &d->net[i];
        const double *v = which == 0 ? n->g_src : which == 1 ? n->g_focal : which == 2 ? n->g_cap : n->g_fin;
        rp_printf(b, "| %d |", n->year);
        for (int k = 0; k < z->ng; k++) {
            int j = -1;
            for (int q = 0; q < n->ng && j < 0; q++)
                if (!strcmp(n->gnames[q], z->gnames[k])) j = q;
            rp_putc(b, ' ');
            num(b, v && j >= 0 ? 100 * v[j] : NAN, "%.2f");
            rp_puts(b, " |");
        }
        rp_putc(b, '\n');
    }
    rp_putc(b, '\n');
}

void rp_sec_network(rp_buf *b, const rp_data *d)
{
    rp_puts(b, "## Network structure\n\n");
    if (!d->nnet || !d->net[d->nnet - 1].core) {
        rp_puts(b, "The results file has no centralities or coreness in `/network` (a run before they were added, or "
                   "no network stage).\n\n");
        return;
    }
    rp_printf(b, "The value-added networks among %s and its partners (Zheng et al. 2019; docs/methods.md section 8): "
                 "who is central and who is in the core, and where %s's foreign value added comes from, by regional "
                 "group of the partners (figure `network_groups`).\n\n",
              d->focal, d->focal);
    focal_table(b, d);
    node_table(b, d);
    const rp_net *z = &d->net[d->nnet - 1];
    if (!z->ng || !z->g_src) {
        rp_puts(b, "No regional-group aggregates (the partners have no covariate `group`).\n\n");
        return;
    }
    char t[256];
    snprintf(t, sizeof t, "Where the foreign value added in %s's gross exports comes from: share of each group", d->focal);
    group_table(b, d, 0, t);
    snprintf(t, sizeof t, "%s's value added in the partners' exports: its share in the foreign value added of each "
                          "group's gross exports", d->focal);
    group_table(b, d, 1, t);
    snprintf(t, sizeof t, "Final-goods capture: %s's DVA in final-goods exports to the group / those final-goods "
                          "exports", d->focal);
    group_table(b, d, 2, t);
    snprintf(t, sizeof t, "Share of final goods in %s's DVA exported to the group (DVA_FIN / DVA)", d->focal);
    group_table(b, d, 3, t);
    rp_puts(b, "The groups are the covariate `group` of the partners (bri64.csv, else the WDI region), the grouping "
               "of the trade section's regional groups; a group's shares sum over its members.\n\n");
}

void rp_sec_agreements(rp_buf *b, const rp_data *d)
{
    const rp_agreements *a = d->agree;
    rp_puts(b, "### Trade agreements and BRI cooperation partners (Du 2025)\n\n");
    if (!a || !a->n) {
        rp_puts(b, "The results file has no `/trade/agreements` (it is counted from the covariate sources: set "
                   "`[covariates] sources`).\n\n");
        return;
    }
    rp_printf(b, "Per year, the trade agreements of %s in force (DESTA dyads: distinct base treaties, entry into "
                 "force by the end of the year), the countries and regions they cover, and the countries that had "
                 "signed a BRI cooperation document (Nedopil 2023); figure `agreements`. Years with no change are "
                 "left out.\n\n| year | agreements in force | countries and regions | BRI signatories |\n"
                 "| :--- | ---: | ---: | ---: |\n",
              d->focal);
    for (int i = 0; i < a->n; i++) {
        const int same = i > 0 && i < a->n - 1 && a->fta[i] == a->fta[i - 1] &&
                         a->fta_partners[i] == a->fta_partners[i - 1] && a->bri[i] == a->bri[i - 1];
        if (same) continue;
        rp_printf(b, "| %.0f | ", a->year[i]);
        num(b, a->fta[i], "%.0f");
        rp_puts(b, " | ");
        num(b, a->fta_partners[i], "%.0f");
        rp_puts(b, " | ");
        num(b, a->bri[i], "%.0f");
        rp_puts(b, " |\n");
    }
    rp_putc(b, '\n');
    if (!a->ns) return;
    rp_puts(b, "**What Du (2025) states** (data/countries/du2025_stated.csv; the paper's own figures, quoted, not "
               "computed here)\n\n| statement | year | value | quote |\n| :--- | ---: | ---: | :--- |\n");
    for (int i = 0; i < a->ns; i++) {
        rp_printf(b, "| %s | %.0f | %s%s", a->s_measure[i], a->s_year[i], a->s_qualifier[i],
                  *a->s_qualifier[i] ? " " : "");
        num(b, a->s_value[i], "%g");
        rp_puts(b, " | ");
        rp_md_text(b, a->s_quote[i]);
        rp_puts(b, " |\n");
    }
    rp_putc(b, '\n');
    for (int i = 0; i < a->n; i++)
        if (a->year[i] == 2023)
            rp_printf(b, "In 2023 DESTA has %.0f agreements of %s in force with %.0f countries and regions, against "
                         "the paper's 22 with 29 (signed; DESTA lists agreements signed but not yet in force, and "
                         "counts an amended treaty as its own base treaty); Nedopil lists %.0f signatories with a "
                         "date by 2023, against the paper's \"more than 150\".\n\n",
                      a->fta[i], d->focal, a->fta_partners[i], a->bri[i]);
}
