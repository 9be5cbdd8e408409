/* The report (include/silkflow/report.h): report.md stitched from the results
 * file, the figures and the regression tables, then report.html from it. */
#include <dirent.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"
#include "silkflow/report.h"

/* a WWZ identity error above the year's tolerance (attribute
 * wwz_identity_tolerance) is flagged; WWZ_TOL, the value of SF_WWZ_IDENTITY_TOL
 * in core/decomp.h, for results files written before that attribute */
#define WWZ_TOL 1e-8

static const char *dash(const char *s) { return s && *s ? s : "-"; }

static int isnum(double v) { return isfinite(v); }

static double wwz_tol(const rp_year *y) { return isnum(y->wwz_tol) ? y->wwz_tol : WWZ_TOL; }

/* a stored NaN error is flagged too; a missing one (NaN as well) only when the
 * year has its tolerance, i.e. was written with the check */
static int wwz_flagged(const rp_year *y)
{
    return isnum(y->wwz_err) ? y->wwz_err > wwz_tol(y) : isnum(y->wwz_tol);
}

/* a number for a table cell: "-" when missing */
static void cell_num(rp_buf *b, double v, const char *fmt)
{
    if (isnum(v))
        rp_printf(b, fmt, v);
    else
        rp_puts(b, "-");
}

char *sf_report_default_dir(const char *results)
{
    char *dir = sf_dirname(results);
    const char *base = sf_basename(results);
    size_t n = strlen(base);
    const char *dot = strrchr(base, '.');
    if (dot && dot != base) n = (size_t)(dot - base);
    char *name = sf_malloc(n + 16);
    snprintf(name, n + 16, "%.*s-report", (int)n, base);
    char *out = sf_path_join(dir, name);
    free(dir);
    free(name);
    return out;
}

/* relative path from directory `from` to `to` when both exist, else `to` */
static char *relpath(const char *from, const char *to)
{
    char a[PATH_MAX], b[PATH_MAX];
    if (!realpath(from, a) || !realpath(to, b)) return sf_strdup(to);
    size_t i = 0, common = 0;
    while (a[i] && a[i] == b[i]) {
        if (a[i] == '/') common = i;
        i++;
    }
    if (!a[i] && (b[i] == '/' || !b[i])) common = i;
    if (!b[i] && a[i] == '/') common = i;
    rp_buf r = {0};
    for (const char *p = a + common; *p; p++)
        if (*p == '/') rp_puts(&r, "../");
    const char *rest = b + common;
    if (*rest == '/') rest++;
    rp_puts(&r, *rest ? rest : ".");
    return r.s;
}

/* ------------------------------------------------------------ tables directory */
typedef struct {
    char *tables;
} ini_out;

static int ini_cb(void *user, const char *section, const char *name, const char *value)
{
    ini_out *o = user;
    if (!strcmp(section, "output") && !strcmp(name, "tables")) {
        free(o->tables);
        o->tables = sf_strdup(value);
    }
    return 1;
}

/* [output] tables of the run's config: as given (relative to the directory
 * the run started in), else relative to the config file, else beside the
 * results file; NULL when none of them is a directory. */
static char *tables_from_config(const rp_data *d)
{
    ini_out o = {0};
    ini_parse_string(d->config_text, ini_cb, &o);
    char *v = o.tables ? o.tables : sf_strdup("out/tables");
    char *cand[3] = {sf_strdup(v), NULL, NULL};
    char *cdir = sf_dirname(d->config_file), *rdir = sf_dirname(d->path);
    cand[1] = sf_path_join(cdir, v);
    cand[2] = sf_path_join(rdir, sf_basename(v));
    char *found = NULL;
    for (int i = 0; i < 3; i++) {
        if (!found && sf_is_dir(cand[i]))
            found = cand[i];
        else
            free(cand[i]);
    }
    free(cdir);
    free(rdir);
    free(v);
    return found;
}

/* ------------------------------------------------------------ sections */
static int panel_years(const rp_data *d, int *first, int *last, int *count)
{
    *count = 0;
    for (int i = 0; i < d->nyears; i++) {
        if (!strcmp(d->years[i].role, "lag")) continue;
        if (!*count) *first = d->years[i].year;
        *last = d->years[i].year;
        (*count)++;
    }
    return *count;
}

/* distinct partners of the panel (first appearance), or the network's nodes */
static char **partner_list(const rp_data *d, int *n)
{
    *n = 0;
    sf_column *c = d->panel ? sf_frame_col(d->panel, "partner") : NULL;
    if (c && c->type == SF_COL_STR) {
        char **out = sf_malloc(sizeof(char *) * (d->panel->nrow + 1));
        for (size_t i = 0; i < d->panel->nrow; i++) {
            if (!c->str[i]) continue;
            int seen = 0;
            for (int k = 0; k < *n && !seen; k++) seen = !strcmp(out[k], c->str[i]);
            if (!seen) out[(*n)++] = c->str[i];
        }
        return out;
    }
    if (d->nnet) {
        char **out = sf_malloc(sizeof(char *) * (size_t)(d->net[0].m + 1));
        for (int i = 1; i < d->net[0].m; i++) out[(*n)++] = d->net[0].nodes[i];
        return out;
    }
    return NULL;
}

static int trade_group(const rp_trade *t, const char *name)
{
    for (int k = 0; t && k < t->K; k++)
        if (!strcmp(t->names[k], name)) return k;
    return -1;
}

static double col_sum_year(const rp_data *d, const char *col, double year)
{
    sf_column *c = rp_raw_col(d, col), *y = sf_frame_col(d->panel, "year");
    if (!c || !y || c->type != SF_COL_NUM || y->type != SF_COL_NUM) return NAN;
    double s = 0;
    int any = 0;
    for (size_t i = 0; i < d->panel->nrow; i++)
        if (y->num[i] == year && isnum(c->num[i])) {
            s += c->num[i];
            any = 1;
        }
    return any ? s : NAN;
}

/* The checks line of "At a glance": PASSED only when no diagnostic flags a year
 * (the inverse check and the WWZ identity; docs/methods.md). */
static void at_a_glance_checks(rp_buf *b, const rp_data *d)
{
    int inv_ok = 1;
    double rmax = 0, wmax = 0;
    rp_buf flag = {0};
    for (int i = 0; i < d->nyears; i++) {
        const rp_year *y = &d->years[i];
        if (*y->check && strcmp(y->check, "PASSED")) inv_ok = 0;
        if (isnum(y->residual) && y->residual > rmax) rmax = y->residual;
        if (wwz_flagged(y))
            rp_printf(&flag, "%s%d (%.2e > %.0e)", flag.len ? ", " : "", y->year, y->wwz_err, wwz_tol(y));
        else if (isnum(y->wwz_err) && y->wwz_err > wmax)
            wmax = y->wwz_err;
    }
    if (inv_ok && !flag.len) {
        rp_printf(b, "- Checks: PASSED in every year: Leontief inverse (largest residual max|(I-A)B - I| = %.2g), WWZ "
                     "identity (largest relative error %.2g).\n",
                  rmax, wmax);
    } else {
        rp_printf(b, "- Checks: **not all passed**: Leontief inverse %s (largest residual %.2g)",
                  inv_ok ? "PASSED in every year" : "**not passed** in some years", rmax);
        if (flag.len)
            rp_printf(b, "; WWZ identity **FLAGGED** in %s: the terms of some exporting sector do not add up to its "
                         "exports there (see Diagnostics)", flag.s);
        else
            rp_printf(b, "; WWZ identity within its tolerance in every year (largest relative error %.2g)", wmax);
        rp_puts(b, ".\n");
    }
    rp_buf_free(&flag);
}

static void at_a_glance(rp_buf *b, const rp_data *d)
{
    int y0 = 0, y1 = 0, ny = 0;
    panel_years(d, &y0, &y1, &ny);
    rp_puts(b, "**At a glance**\n\n");
    if (d->panel) {
        double miss = 0;
        for (int j = 0; j < d->panel->ncol; j++)
            if (isnum(d->miss[j])) miss += d->miss[j];
        rp_printf(b, "- Panel: %zu rows (partner x industry x year), %d columns, %.0f missing cells (see Diagnostics).\n",
                  d->panel->nrow, d->panel->ncol, miss);
        if (ny > 1) {
            double a = col_sum_year(d, "ITR", y0), z = col_sum_year(d, "ITR", y1);
            if (isnum(a) && isnum(z) && a > 0) {
                char sa[48], sz[48];
                rp_fmt_amount(sa, sizeof sa, a);
                rp_fmt_amount(sz, sizeof sz, z);
                rp_printf(b, "- Industrial transfer ITR summed over the pairs: %s in %d, %s in %d (x%.2f; %s).\n", sa,
                          y0, sz, y1, z / a, dash(d->units));
            }
        }
    }
    if (d->nnet) {
        const rp_net *a = &d->net[0], *z = &d->net[d->nnet - 1];
        if (isnum(a->rank_vax) && isnum(z->rank_vax))
            rp_printf(b, "- PageRank rank of %s in the value-added network of its partners: %.0f in %d, %.0f in %d "
                         "(of %d nodes).\n",
                      d->focal, a->rank_vax, a->year, z->rank_vax, z->year, z->m);
    }
    const rp_trade *t = d->trade;
    int kp = trade_group(t, "partners"), kb = trade_group(t, "bri_ever");
    if (t && t->gx_share && t->Y > 1 && kp >= 0) {
        int Y = t->Y, K = t->K;
        double s0 = t->gx_share[kp], s1 = t->gx_share[(Y - 1) * K + kp];
        if (isnum(s0) && isnum(s1))
            rp_printf(b, "- Share of the partners in %s's gross exports: %.1f%% in %d, %.1f%% in %d", d->focal, 100 * s0,
                      t->years[0], 100 * s1, t->years[Y - 1]);
        if (kb >= 0 && isnum(t->gx_share[kb]) && isnum(t->gx_share[(Y - 1) * K + kb]))
            rp_printf(b, "; of the BRI signatories (ever): %.1f%% and %.1f%%", 100 * t->gx_share[kb],
                      100 * t->gx_share[(Y - 1) * K + kb]);
        rp_puts(b, ".\n");
    }
    if (d->has_estimates) {
        int nk = 0, pos = 0, neg = 0;
        for (int i = 0; i < d->nmodels; i++) {
            const rp_model *m = &d->models[i];
            if (!strcmp(m->role, "first_stage") || !m->coef || !m->b) continue;
            for (int j = 0; j < m->k; j++) {
                if (strcmp(m->coef[j], m->key)) continue;
                if (!strstr(m->key, "ITR")) continue;
                nk++;
                double pv = m->bp && isnum(m->bp[j]) ? m->bp[j] : m->p ? m->p[j] : NAN;
                if (isnum(pv) && pv < 0.05) {
                    pos += m->b[j] > 0;
                    neg += m->b[j] < 0;
                }
            }
        }
        rp_printf(b, "- Estimates: %d models", d->nmodels);
        if (nk)
            rp_printf(b, "; of the %d key ITR coefficients, %d are positive and %d negative at the 5%% level, %d "
                         "not significant (bootstrap p-value where computed, else the model's)",
                      nk, pos, neg, nk - pos - neg);
        rp_puts(b, ".\n");
    }
    at_a_glance_checks(b, d);
    rp_putc(b, '\n');
}

static void sec_summary(rp_buf *b, const rp_data *d, int nreg, int nsec)
{
    int y0 = 0, y1 = 0, ny = 0;
    panel_years(d, &y0, &y1, &ny);
    rp_puts(b, "## Run summary\n\n");
    at_a_glance(b, d);
    rp_puts(b, "| | |\n| :--- | :--- |\n");
    rp_puts(b, "| data | ");
    rp_md_text(b, dash(d->format));
    rp_puts(b, " release at `");
    rp_puts(b, dash(d->source_path));
    rp_puts(b, "`");
    if (*d->prefix) {
        rp_puts(b, " (prefix ");
        rp_md_text(b, d->prefix);
        rp_puts(b, ")");
    }
    rp_puts(b, "; units: ");
    rp_md_text(b, dash(d->units));
    rp_printf(b, " |\n| table | %d regions, %d sectors |\n", nreg, nsec);
    rp_puts(b, "| years | ");
    rp_md_text(b, dash(d->years_str));
    rp_printf(b, " (%d panel years", ny);
    for (int i = 0; i < d->nyears; i++)
        if (!strcmp(d->years[i].role, "lag")) rp_printf(b, "; %d loaded as the lag year for IIH", d->years[i].year);
    rp_puts(b, ") |\n| focal region | ");
    rp_md_text(b, dash(d->focal));
    int np = 0;
    char **pl = partner_list(d, &np);
    rp_printf(b, " |\n| partners | %d: ", np);
    for (int i = 0; i < np; i++) {
        if (i) rp_putc(b, ' ');
        rp_md_text(b, pl[i]);
    }
    free(pl);
    rp_printf(b, " |\n| MPI ranks | %.0f |\n", d->mpi_ranks);
    if (isnum(d->seconds_total)) rp_printf(b, "| run time | %.1f s (all stages, before the report) |\n", d->seconds_total);
    rp_puts(b, "| grid | ");
    rp_md_text(b, dash(d->grid));
    rp_puts(b, " |\n| software | ");
    rp_md_text(b, dash(d->software));
    rp_putc(b, ' ');
    rp_md_text(b, dash(d->version));
    rp_puts(b, ", git revision `");
    rp_puts(b, dash(d->git));
    rp_puts(b, "` |\n| libraries | ");
    {
        /* one line per library in the file: joined by "; " */
        rp_buf l = {0};
        for (const char *q = d->libs; *q; q++) {
            if (*q != '\n')
                rp_putc(&l, *q);
            else if (q[1])
                rp_puts(&l, "; ");
        }
        rp_md_text(b, l.len ? l.s : "-");
        rp_buf_free(&l);
    }
    rp_puts(b, " |\n| config | `");
    rp_puts(b, dash(d->config_file));
    rp_puts(b, "`, sha256 `");
    rp_puts(b, dash(d->config_sha));
    rp_puts(b, "` |\n| host | ");
    rp_md_text(b, dash(d->host));
    if (*d->slurm) {
        rp_puts(b, ", Slurm job ");
        rp_md_text(b, d->slurm);
    }
    rp_puts(b, " |\n| created (UTC) | ");
    rp_md_text(b, dash(d->created));
    rp_puts(b, " |\n| results file | `");
    rp_puts(b, d->path);
    rp_puts(b, "` |\n\n");
}

static void sec_timings(rp_buf *b, const rp_data *d)
{
    rp_puts(b, "### Timings per year\n\n");
    rp_puts(b, "Seconds per stage of each year, as recorded in `/years/YYYY` (attributes `seconds` and "
               "`seconds_read_derive_invert_products_decompose`); a year reused from the cache keeps the timings "
               "of the run that computed it.\n\n");
    rp_puts(b, "| year | role | ranks | grid | block | read | derive | invert | products | decompose | total |\n");
    rp_puts(b, "| :--- | :--- | ---: | :--- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    double sum[6] = {0};
    for (int i = 0; i < d->nyears; i++) {
        const rp_year *y = &d->years[i];
        rp_printf(b, "| %d | %s | ", y->year, dash(y->role));
        cell_num(b, y->ranks, "%.0f");
        rp_printf(b, " | %s | ", dash(y->grid));
        cell_num(b, y->block, "%.0f");
        for (int k = 0; k < 5; k++) {
            rp_puts(b, " | ");
            cell_num(b, y->t[k], "%.2f");
            if (isnum(y->t[k])) sum[k] += y->t[k];
        }
        rp_puts(b, " | ");
        cell_num(b, y->seconds, "%.2f");
        if (isnum(y->seconds)) sum[5] += y->seconds;
        rp_puts(b, " |\n");
    }
    rp_puts(b, "| **sum** | | | | ");
    for (int k = 0; k < 6; k++) rp_printf(b, " | %.2f", sum[k]);
    rp_puts(b, " |\n\n");
}

static void sec_config(rp_buf *b, const rp_data *d)
{
    rp_puts(b, "<details><summary>Configuration of the run (as stored in the results file)</summary>\n\n```ini\n");
    const char *t = d->config_text;
    rp_puts(b, t);
    if (*t && t[strlen(t) - 1] != '\n') rp_putc(b, '\n');
    rp_puts(b, "```\n\n</details>\n\n");
}

/* column j is the raw copy "<name>_raw" of a preprocessed column <name> */
static int is_raw_copy(const rp_data *d, int j)
{
    const char *nm = d->panel->cols[j].name;
    size_t l = strlen(nm);
    if (l <= 4 || strcmp(nm + l - 4, "_raw")) return 0;
    char base[256];
    snprintf(base, sizeof base, "%.*s", (int)(l - 4), nm);
    return sf_frame_col(d->panel, base) != NULL;
}

static void sec_diagnostics(rp_buf *b, const rp_data *d)
{
    rp_puts(b, "## Diagnostics\n\n### Tables and inversion, per year\n\n");
    rp_puts(b, "Imbalance: max_j |x_j - x_col,j| / max(|x_j|, 1) over sectors (row-side against column-side output) "
               "and the same for the whole table; residual: max |(I-A)B - I| over probe columns; WWZ identity: "
               "largest relative error of sum(T1..T16) = E over exporting sectors (zero-output sectors excluded). "
               "Negative final demand (inventories) and negative value added (subsidies) are real data, counted here.\n\n");
    rp_puts(b, "| year | status | residual | check | rcond | max imbalance | total imbalance | zero-output sectors "
               "(with exports) | negative final demand cells | negative value added | negative output | WWZ identity "
               "error |\n");
    rp_puts(b, "| :--- | :--- | ---: | :--- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (int i = 0; i < d->nyears; i++) {
        const rp_year *y = &d->years[i];
        int bad_status = strcmp(y->status, "complete") != 0, bad_check = strcmp(y->check, "PASSED") != 0;
        rp_printf(b, "| %d | %s%s%s | ", y->year, bad_status ? "**" : "", dash(y->status), bad_status ? "**" : "");
        cell_num(b, y->residual, "%.2g");
        rp_printf(b, " | %s%s%s | ", bad_check ? "**" : "", dash(y->check), bad_check ? "**" : "");
        cell_num(b, y->rcond, "%.3g");
        rp_puts(b, " | ");
        cell_num(b, y->imbalance_max, "%.3g");
        rp_puts(b, " | ");
        cell_num(b, y->imbalance_total, "%.3g");
        rp_puts(b, " | ");
        cell_num(b, y->n_zero, "%.0f");
        if (isnum(y->n_zero_exp)) rp_printf(b, " (%.0f)", y->n_zero_exp);
        rp_puts(b, " | ");
        cell_num(b, y->n_neg_fd, "%.0f");
        rp_puts(b, " | ");
        cell_num(b, y->n_neg_va, "%.0f");
        rp_puts(b, " | ");
        cell_num(b, y->n_neg_x, "%.0f");
        rp_puts(b, " | ");
        int bad_wwz = wwz_flagged(y);
        if (bad_wwz) rp_puts(b, "**");
        cell_num(b, y->wwz_err, "%.2g");
        if (bad_wwz) rp_puts(b, "**");
        rp_puts(b, " |\n");
    }
    rp_putc(b, '\n');
    /* flag what deserves a look */
    rp_buf flag = {0};
    for (int i = 0; i < d->nyears; i++)
        if (wwz_flagged(&d->years[i]))
            rp_printf(&flag, "%s%d (%.2e > %.0e)", flag.len ? ", " : "", d->years[i].year, d->years[i].wwz_err,
                      wwz_tol(&d->years[i]));
    if (flag.len)
        rp_printf(b, "**Attention:** the WWZ identity error exceeds its tolerance in %s: the decomposition terms of "
                     "some exporting sector do not add up to its exports there (see `wwz_identity_max_rel_error` "
                     "and `wwz_identity_tolerance` in `/years/YYYY`, and docs/methods.md).\n\n",
                  flag.s);
    rp_buf_free(&flag);
    for (int i = 0; i < d->nyears; i++)
        if (strcmp(d->years[i].check, "PASSED") || strcmp(d->years[i].status, "complete")) {
            rp_puts(b, "**Attention:** some years are not complete or their inverse check did not pass (bold "
                       "above).\n\n");
            break;
        }
    rp_puts(b, "### Missing cells of the panel\n\n");
    if (!d->panel) {
        rp_puts(b, "The results file has no panel.\n\n");
        return;
    }
    int nm = 0;
    for (int j = 0; j < d->panel->ncol; j++) nm += isnum(d->miss[j]) && d->miss[j] > 0 && !is_raw_copy(d, j);
    if (!nm) {
        rp_printf(b, "No column of the panel has a missing cell (%zu rows).\n\n", d->panel->nrow);
    } else {
        rp_printf(b, "Columns with missing cells (of %zu rows; counts and reasons from the `/panel` attributes "
                     "`missing_<column>` and `missing_<column>_reason`; the `<column>_raw` copies of preprocessed "
                     "columns miss the same cells); every other column is complete.\n\n",
                  d->panel->nrow);
        rp_puts(b, "| column | missing | share | reason |\n| :--- | ---: | ---: | :--- |\n");
        for (int j = 0; j < d->panel->ncol; j++) {
            if (!(isnum(d->miss[j]) && d->miss[j] > 0) || is_raw_copy(d, j)) continue;
            rp_puts(b, "| ");
            rp_md_text(b, d->panel->cols[j].name);
            rp_printf(b, " | %.0f | %.1f%% | ", d->miss[j],
                      d->panel->nrow ? 100.0 * d->miss[j] / (double)d->panel->nrow : 0.0);
            rp_md_text(b, dash(d->miss_reason[j]));
            rp_puts(b, " |\n");
        }
        rp_putc(b, '\n');
    }
    /* the ITR route identity, checked on the stored panel */
    static const char *const R[] = {"ITR_FIN", "ITR_INT", "ITR_INTREX_b", "ITR_INT_d", "ITR_INTREX_d"};
    sf_column *itr = rp_raw_col(d, "ITR");
    sf_column *rc[5];
    int ok = itr && itr->type == SF_COL_NUM;
    for (int r = 0; r < 5; r++) ok &= (rc[r] = sf_frame_col(d->panel, R[r])) && rc[r]->type == SF_COL_NUM;
    if (ok) {
        double worst = 0, scale = 0;
        size_t checked = 0;
        for (size_t i = 0; i < d->panel->nrow; i++)
            if (isnum(itr->num[i]) && fabs(itr->num[i]) > scale) scale = fabs(itr->num[i]);
        for (size_t i = 0; i < d->panel->nrow; i++) {
            double s = 0;
            int fin = isnum(itr->num[i]);
            for (int r = 0; r < 5; r++) {
                fin &= isnum(rc[r]->num[i]);
                s += rc[r]->num[i];
            }
            if (!fin) continue;
            checked++;
            double err = fabs(s - itr->num[i]) / fmax(fabs(itr->num[i]), 1e-12 * scale);
            if (err > worst) worst = err;
        }
        rp_printf(b, "ITR route identity (FIN + INT + INTREX_b + INT_d + INTREX_d = ITR) on %zu panel rows: largest "
                     "relative error %.2g.\n\n",
                  checked, worst);
    }
    if (d->preprocessing && *d->preprocessing) {
        rp_puts(b, "<details><summary>Preprocessing of the model variables (winsorising, normalisation)</summary>\n\n```\n");
        for (const char *q = d->preprocessing; *q; q++) {
            if (q[0] == ';' && q[1] == ' ') {
                rp_putc(b, '\n');
                q++;
            } else {
                rp_putc(b, *q);
            }
        }
        rp_puts(b, "\n```\n\nThe figures and the sums in this report use the raw values (`<name>_raw`).\n\n</details>\n\n");
    }
    if (d->cov_report && *d->cov_report) {
        rp_puts(b, "<details><summary>Covariates: missing and filled cells</summary>\n\n```\n");
        rp_puts(b, d->cov_report);
        if (d->cov_report[strlen(d->cov_report) - 1] != '\n') rp_putc(b, '\n');
        rp_puts(b, "```\n\n</details>\n\n");
    }
}

static void sec_figures(rp_buf *b, const rp_figure *f, int n, const char *why_none)
{
    rp_puts(b, "## Figures\n\n");
    if (why_none && *why_none) {
        rp_puts(b, "**Figures were skipped:** ");
        rp_md_text(b, why_none);
        rp_puts(b, ". The report is complete otherwise");
        int scripts = 0;
        for (int i = 0; i < n; i++) scripts += f[i].script;
        if (scripts) rp_puts(b, "; the figure scripts are in `figures/*.gp` (run them with gnuplot in that directory)");
        rp_puts(b, ".\n\n");
    }
    rp_puts(b, "PNG images with an SVG copy beside each (`figures/`); the gnuplot script that drew a figure, with its "
               "data, is `figures/<name>.gp`.\n\n");
    for (int i = 0; i < n; i++) {
        rp_printf(b, "### Figure %d: ", i + 1);
        rp_md_text(b, f[i].title);
        rp_puts(b, "\n\n");
        if (f[i].ok) {
            rp_puts(b, "![");
            rp_md_text(b, f[i].title);
            rp_printf(b, "](figures/%s.png)\n\n", f[i].name);
            rp_printf(b, "*Figure %d.* ", i + 1);
            if (f[i].caption.s) rp_puts(b, f[i].caption.s);
            rp_printf(b, " [SVG](figures/%s.svg)\n\n", f[i].name);
            if (f[i].note.len) {
                rp_puts(b, "*Note:* ");
                rp_puts(b, f[i].note.s);
                rp_puts(b, "\n\n");
            }
        } else {
            rp_puts(b, "*Not drawn:* ");
            if (f[i].note.s) {
                /* the note starts with "not drawn: ..." */
                const char *s = f[i].note.s;
                if (!strncmp(s, "not drawn: ", 11)) s += 11;
                else if (!strncmp(s, "not drawn ", 10)) s += 10;
                rp_puts(b, s);
            }
            rp_puts(b, "\n\n");
        }
    }
}

/* percentile of sorted v[0..m) by linear interpolation between order statistics (numpy's default) */
static double pct_sorted(const double *v, size_t m, double q)
{
    double h = (double)(m - 1) * q;
    size_t lo = (size_t)floor(h);
    return lo + 1 >= m ? v[m - 1] : v[lo] + (h - (double)lo) * (v[lo + 1] - v[lo]);
}

/* One row of the IIH distribution table: N, min, p1, p25, median, p75, p99, max, share at the floor
 * (floor_v; NaN: at the row's minimum, the floor's image after the form and the preprocessing). */
static void iih_row(rp_buf *b, const char *label, const sf_column *c, size_t n, double floor_v)
{
    double *v = sf_malloc(sizeof(double) * (n ? n : 1));
    size_t m = 0, at = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(c->num[i])) v[m++] = c->num[i];
    rp_printf(b, "| %s | %zu |", label, m);
    if (m) {
        sf_sort_double(v, m);
        if (!isfinite(floor_v)) floor_v = v[0]; /* the image of the floor: the minimum */
        for (size_t i = 0; i < m; i++) at += fabs(v[i] - floor_v) <= 1e-9 * fmax(1, fabs(floor_v));
        const double q[] = {0, 0.01, 0.25, 0.5, 0.75, 0.99, 1};
        for (int k = 0; k < 7; k++) rp_printf(b, " %.4g |", pct_sorted(v, m, q[k]));
        rp_printf(b, " %.2f%% |\n", 100.0 * (double)at / (double)m);
    } else
        rp_puts(b, " - | - | - | - | - | - | - | - |\n");
    free(v);
}

/* IIH's distribution: the literal formula is 0.5 whenever the two growth rates have opposite
 * signs and unbounded as they meet, which is why [estimate] iih_form offers ln IIH and the bounded
 * IIH / (1 + IIH) (docs/methods.md section 12). */
static void sec_iih(rp_buf *b, const rp_data *d)
{
    if (!d->panel) return;
    const sf_column *raw = rp_raw_col(d, "IIH"), *est = sf_frame_col(d->panel, "IIH");
    if (!raw || raw->type != SF_COL_NUM) return;
    rp_puts(b, "## Coordination IIH: distribution\n\n");
    rp_printf(b, "IIH = (1/|delta - 1| + 1/|1/delta - 1|) / 2 is 0.5 (its floor) whenever the two export growth "
                 "rates have opposite signs and has no upper bound as they approach each other. The estimation uses "
                 "`iih_form = %s`%s.\n\n",
              d->iih_form ? d->iih_form : "literal",
              d->iih_form && !strcmp(d->iih_form, "log")       ? " (ln IIH, then winsorised and normalised)"
              : d->iih_form && !strcmp(d->iih_form, "bounded") ? " (IIH / (1 + IIH), then winsorised and normalised)"
                                                               : " (the paper's formula; `log` and `bounded` are the "
                                                                 "alternatives)");
    rp_puts(b, "| IIH | N | min | p1 | p25 | median | p75 | p99 | max | share at the floor |\n");
    rp_puts(b, "| :--- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    iih_row(b, "raw (the formula)", raw, d->panel->nrow, 0.5);
    if (est && est != raw && est->type == SF_COL_NUM) iih_row(b, "as estimated", est, d->panel->nrow, NAN);
    rp_puts(b, "\n");
}

/* the regression tables (<table>.md of the tables directory) of the tables named in /estimates */
static void sec_tables(rp_buf *b, const rp_data *d, const char *tables_dir, const char *out_dir)
{
    rp_puts(b, "## Regression tables\n\n");
    if (!d->has_estimates || d->nmodels == 0) {
        rp_puts(b, "No estimation in this run (`[estimate] models = none`). Run `silkflow estimate CONFIG` (or "
                   "`silkflow estimate --panel FILE.h5 --models JOB`), then `silkflow report FILE.h5` to add the "
                   "tables and the coefficient figure.\n\n");
        return;
    }
    /* key coefficients, one line per model, from /estimates */
    rp_puts(b, "### Key coefficients\n\n");
    rp_puts(b, "The key coefficient of every model (`key_coef`; the one bootstrapped), from `/estimates/<model>`.\n\n");
    rp_puts(b, "| model | table | dependent | coefficient | estimate | s.e. | p | bootstrap p | bootstrap 95% CI | N | R2 |\n");
    rp_puts(b, "| :--- | :--- | :--- | :--- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (int i = 0; i < d->nmodels; i++) {
        const rp_model *m = &d->models[i];
        int j = -1;
        for (int k = 0; m->coef && k < m->k; k++)
            if (!strcmp(m->coef[k], m->key)) j = k;
        if (j < 0 && m->k > 0 && strcmp(m->role, "first_stage")) j = 0;
        if (j < 0 || !m->b) continue;
        rp_puts(b, "| ");
        rp_md_text(b, m->name);
        rp_puts(b, " | ");
        rp_md_text(b, dash(m->table));
        rp_puts(b, " | ");
        rp_md_text(b, dash(m->depvar));
        rp_puts(b, " | ");
        rp_md_text(b, m->coef[j]);
        rp_puts(b, " | ");
        cell_num(b, m->b[j], "%.4g");
        rp_puts(b, " | ");
        cell_num(b, m->se ? m->se[j] : NAN, "%.4g");
        rp_puts(b, " | ");
        cell_num(b, m->p ? m->p[j] : NAN, "%.3f");
        rp_puts(b, " | ");
        cell_num(b, m->bp ? m->bp[j] : NAN, "%.3f");
        rp_puts(b, " | ");
        if (m->blo && m->bhi && isnum(m->blo[j]) && isnum(m->bhi[j]))
            rp_printf(b, "[%.4g, %.4g]", m->blo[j], m->bhi[j]);
        else
            rp_puts(b, "-");
        rp_puts(b, " | ");
        cell_num(b, m->N, "%.0f");
        rp_puts(b, " | ");
        cell_num(b, m->r2, "%.3f");
        rp_puts(b, " |\n");
    }
    rp_putc(b, '\n');
    /* the tables, in natural order of their names */
    char **names = sf_malloc(sizeof(char *) * (size_t)d->nmodels);
    int nt = 0;
    for (int i = 0; i < d->nmodels; i++) {
        const char *t = d->models[i].table;
        if (!t || !*t) continue;
        int seen = 0;
        for (int k = 0; k < nt && !seen; k++) seen = !strcmp(names[k], t);
        if (!seen) names[nt++] = (char *)t;
    }
    for (int a = 1; a < nt; a++)
        for (int c = a; c > 0 && rp_natcmp(names[c], names[c - 1]) < 0; c--) {
            char *x = names[c];
            names[c] = names[c - 1];
            names[c - 1] = x;
        }
    int included = 0;
    rp_buf missing = {0};
    for (int k = 0; k < nt; k++) {
        char *fn = NULL, *text = NULL;
        if (tables_dir) {
            char base[300];
            snprintf(base, sizeof base, "%s.md", names[k]);
            fn = sf_path_join(tables_dir, base);
            text = sf_file_exists(fn) ? sf_read_file(fn, NULL, NULL) : NULL;
        }
        if (text) {
            /* the table files are Markdown already ("### Title", a pipe table, notes) */
            rp_puts(b, text);
            if (*text && text[strlen(text) - 1] != '\n') rp_putc(b, '\n');
            char *rel = relpath(out_dir, fn);
            rp_printf(b, "\nAlso as `%s` (.txt, .tex, .csv beside it).\n\n", rel);
            free(rel);
            included++;
        } else {
            rp_printf(&missing, "%s%s", missing.len ? ", " : "", names[k]);
        }
        free(text);
        free(fn);
    }
    if (missing.len) {
        rp_puts(b, "*Tables not found* ");
        if (tables_dir) {
            rp_puts(b, "in `");
            rp_puts(b, tables_dir);
            rp_puts(b, "`");
        } else {
            rp_puts(b, "(no tables directory: pass `silkflow report --tables DIR`)");
        }
        rp_puts(b, ": ");
        rp_md_text(b, missing.s);
        rp_puts(b, ". The key coefficients above come from the results file.\n\n");
    }
    rp_buf_free(&missing);
    (void)included;
    free(names);
}

static void sec_trade(rp_buf *b, const rp_data *d, const char *tables_dir, const char *out_dir)
{
    rp_puts(b, "## Trade\n\n");
    const rp_trade *t = d->trade;
    if (!t || !t->gx || !t->vx) {
        rp_puts(b, "The results file has no `/trade` group.\n\n");
        return;
    }
    static const char *const GN[] = {"world", "partners", "bri_ever", "bri", "fta", "asean", "south_america"};
    enum { NGN = sizeof GN / sizeof GN[0] };
    int kk[NGN], ng = 0;
    const int Y = t->Y, K = t->K;
    rp_buf left = {0};
    for (int g = 0; g < NGN; g++) {
        int k = trade_group(t, GN[g]);
        if (k < 0) continue;
        int members = 0;
        for (int i = 0; i < Y; i++) members += t->n_regions ? t->n_regions[i * K + k] : 1;
        if (t->available && !t->available[k])
            rp_printf(&left, "%s`%s` (status not available)", left.len ? ", " : "", GN[g]);
        else if (!members && g > 0)
            rp_printf(&left, "%s`%s` (no member in these years)", left.len ? ", " : "", GN[g]);
        else
            kk[ng++] = k;
    }
    rp_printf(b, "Exports of %s, gross and value added (%s; shares of the world value and annual growth in %%; "
                 "groups as in docs/trade.md: `bri_ever` is the fixed set of countries that signed a BRI document "
                 "at any date, `bri` those that had signed by the year; `asean` and `south_america`, the two regions "
                 "whose export growth Du 2025 quotes, are fixed sets of countries).\n\n",
              d->focal, dash(t->units));
    if (left.len) rp_printf(b, "Left out: %s.\n\n", left.s);
    rp_buf_free(&left);
    for (int q = 0; q < 2; q++) {
        const double *lv = q ? t->vx : t->gx, *sh = q ? t->vx_share : t->gx_share, *gr = q ? t->vx_growth : t->gx_growth;
        rp_printf(b, "**%s exports**\n\n| year | world | growth %% |", q ? "Value-added" : "Gross");
        for (int g = 1; g < ng; g++) rp_printf(b, " %s share %% | %s growth %% |", t->names[kk[g]], t->names[kk[g]]);
        rp_puts(b, "\n| :--- | ---: | ---: |");
        for (int g = 1; g < ng; g++) rp_puts(b, " ---: | ---: |");
        rp_putc(b, '\n');
        for (int i = 0; i < Y; i++) {
            rp_printf(b, "| %d | ", t->years[i]);
            cell_num(b, ng ? lv[i * K + kk[0]] : NAN, "%.0f");
            rp_puts(b, " | ");
            cell_num(b, gr && ng ? 100 * gr[i * K + kk[0]] : NAN, "%.1f");
            for (int g = 1; g < ng; g++) {
                rp_puts(b, " | ");
                cell_num(b, sh ? 100 * sh[i * K + kk[g]] : NAN, "%.1f");
                rp_puts(b, " | ");
                cell_num(b, gr ? 100 * gr[i * K + kk[g]] : NAN, "%.1f");
            }
            rp_puts(b, " |\n");
        }
        rp_putc(b, '\n');
    }
    if (t->gx_gmean && t->vx_gmean && t->gt_gmean && t->vt_gmean) {
        rp_printf(b, "**Mean annual growth (%%) before and after %.0f** (the mean of the annual growth rates of the "
                     "period's years; \"-\": no year in the period)\n\n| measure | period |",
                  t->boundary);
        for (int g = 0; g < ng; g++) rp_printf(b, " %s |", t->names[kk[g]]);
        rp_puts(b, "\n| :--- | :--- |");
        for (int g = 0; g < ng; g++) rp_puts(b, " ---: |");
        rp_putc(b, '\n');
        const double *M[4] = {t->gx_gmean, t->vx_gmean, t->gt_gmean, t->vt_gmean};
        static const char *const MN[4] = {"gross exports", "value-added exports", "gross trade", "value-added trade"};
        for (int q = 0; q < 4; q++)
            for (int per = 0; per < 2; per++) {
                rp_printf(b, "| %s | %s %.0f |", per ? "" : MN[q], per ? ">" : "<=", t->boundary);
                for (int g = 0; g < ng; g++) {
                    rp_putc(b, ' ');
                    cell_num(b, 100 * M[q][per * K + kk[g]], "%.1f");
                    rp_puts(b, " |");
                }
                rp_putc(b, '\n');
            }
        rp_putc(b, '\n');
    }
    char *fn = tables_dir ? sf_path_join(tables_dir, "trade.md") : NULL;
    if (fn && sf_file_exists(fn)) {
        char *rel = relpath(out_dir, fn);
        rp_printf(b, "All trade tables (imports, regional groups, industry classes): [%s](%s).\n\n", rel, rel);
        free(rel);
    } else {
        rp_puts(b, "All trade series are in `/trade` of the results file (docs/trade.md).\n\n");
    }
    free(fn);
    rp_sec_agreements(b, d);
}

/* ------------------------------------------------------------ writing */
static int write_text(const char *path, const char *text, size_t len, sf_err *e)
{
    size_t l = strlen(path);
    char *tmp = sf_malloc(l + 8);
    snprintf(tmp, l + 8, "%s.tmp", path);
    FILE *fp = fopen(tmp, "w");
    int ok = fp && fwrite(text, 1, len, fp) == len, err = errno;
    if (fp && fclose(fp) != 0) ok = 0, err = errno;
    if (ok && rename(tmp, path) != 0) ok = 0, err = errno;
    if (!ok) remove(tmp);
    free(tmp);
    return ok ? SF_OK : sf_fail_write(e, SF_EUSER, path, err, 0, "%s: cannot write", path);
}

int sf_report_write(const sf_report_opts *o, sf_report_result *res, sf_err *e)
{
    double t0 = sf_now();
    rp_data d;
    int rc = rp_data_read(o->results, &d, e);
    if (rc) {
        rp_data_free(&d);
        return rc;
    }
    char *out = o->out_dir ? sf_strdup(o->out_dir) : sf_report_default_dir(o->results);
    char *figdir = sf_path_join(out, "figures");
    if (sf_mkdir_p(figdir) != 0) {
        rc = sf_fail(e, SF_EUSER, "%s: cannot create the report directory", figdir);
        free(figdir);
        free(out);
        rp_data_free(&d);
        return rc;
    }
    char *tables = o->tables_dir ? (sf_is_dir(o->tables_dir) ? sf_strdup(o->tables_dir) : NULL) : tables_from_config(&d);

    /* figures */
    rp_plotter pl = {0};
    char *gp = NULL;
    pl.dir = figdir;
    if (o->no_figures)
        snprintf(pl.why_none, sizeof pl.why_none, "figures were turned off (--no-figures)");
    else
        gp = rp_gnuplot_find(o->gnuplot, pl.why_none, sizeof pl.why_none);
    pl.gnuplot = gp;
    rp_figure *figs = NULL;
    int nfig = 0;
    rp_figures_make(&d, &pl, &figs, &nfig);
    int drawn = 0;
    for (int i = 0; i < nfig; i++) {
        drawn += figs[i].ok;
        if (!figs[i].ok) { /* no stale image of an earlier report */
            const char *ext[] = {"png", "svg", "gp"};
            for (int k = 0; k < (figs[i].script ? 2 : 3); k++) {
                char nm[96];
                snprintf(nm, sizeof nm, "%s.%s", figs[i].name, ext[k]);
                char *pth = sf_path_join(figdir, nm);
                remove(pth);
                free(pth);
            }
        }
    }

    /* report.md */
    int y0 = 0, y1 = 0, ny = 0;
    panel_years(&d, &y0, &y1, &ny);
    rp_buf md = {0};
    char title[512];
    if (ny > 1)
        snprintf(title, sizeof title, "silkflow report: %s and its partners, %d-%d", dash(d.focal), y0, y1);
    else
        snprintf(title, sizeof title, "silkflow report: %s and its partners, %d", dash(d.focal), y0);
    rp_puts(&md, "# ");
    rp_md_text(&md, title);
    rp_puts(&md, "\n\n");
    rp_puts(&md, "Written by `silkflow report` from the results file `");
    rp_puts(&md, d.path);
    rp_puts(&md, "`; regenerate with `silkflow report ");
    rp_puts(&md, d.path);
    rp_puts(&md, " --out ");
    rp_puts(&md, out);
    rp_puts(&md, "`. The file layout and how to read it from Python, R and Stata are in docs/output.md; the "
                 "indicators and estimators in docs/methods.md.\n\n");
    int nsec = d.n;
    sec_summary(&md, &d, d.G, nsec);
    sec_figures(&md, figs, nfig, gp ? NULL : pl.why_none);
    sec_iih(&md, &d);
    sec_tables(&md, &d, tables, out);
    rp_sec_network(&md, &d);
    sec_trade(&md, &d, tables, out);
    sec_diagnostics(&md, &d);
    rp_puts(&md, "## Reproducibility\n\n");
    sec_timings(&md, &d);
    sec_config(&md, &d);

    char *mdpath = sf_path_join(out, "report.md"), *htpath = sf_path_join(out, "report.html");
    rc = write_text(mdpath, md.s, md.len, e);
    if (!rc) {
        rp_buf html = {0};
        rp_md_to_html(md.s, title, &html);
        rc = write_text(htpath, html.s, html.len, e);
        rp_buf_free(&html);
    }
    if (!rc) {
        if (!gp) sf_warn("report: %s; the report says so", pl.why_none);
        sf_info("%-10s %s  %7.2f s  %d figure%s drawn, %d skipped", "report", htpath, sf_now() - t0, drawn,
                drawn == 1 ? "" : "s", nfig - drawn);
        if (res) {
            res->figures = drawn;
            res->skipped = nfig - drawn;
            snprintf(res->md, sizeof res->md, "%s", mdpath);
            snprintf(res->html, sizeof res->html, "%s", htpath);
        }
    }
    free(mdpath);
    free(htpath);
    rp_buf_free(&md);
    rp_figures_free(figs, nfig);
    free(gp);
    free(tables);
    free(figdir);
    free(out);
    rp_data_free(&d);
    return rc;
}
