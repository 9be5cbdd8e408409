/* Progress lines of silkflow run (docs/hpc.md): each group root prints
 * "[round k/N] year YYYY stage ...; elapsed T, ETA T" as it finishes a stage of
 * its year, rank 0 a line per round. The ETA is the time until the last year
 * is computed, from the mean time of the years this group computed so far
 * ("-" before the first); the later stages (assemble, estimate, report) are
 * not in it. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "run_internal.h"

/* "12.3 s", "4m05s", "2h07m" */
static void duration(double s, char *buf, size_t n)
{
    if (s < 0) s = 0;
    if (s < 100)
        snprintf(buf, n, "%.1f s", s);
    else if (s < 3600)
        snprintf(buf, n, "%dm%02ds", (int)(s / 60), (int)s % 60);
    else
        snprintf(buf, n, "%dh%02dm", (int)(s / 3600), ((int)s % 3600) / 60);
}

static void clock_text(const sf_run_progress *pg, int year_done, char *buf, size_t n)
{
    const double now = sf_now();
    char el[32], eta[32] = "-";
    duration(now - pg->t_start, el, sizeof el);
    if (pg->computed > 0) {
        const double mean = pg->t_computed / pg->computed;
        duration(year_done ? mean * pg->left : mean * (pg->left + 1) - (now - pg->t_year), eta, sizeof eta);
    }
    snprintf(buf, n, "elapsed %s, ETA %s", el, eta);
}

void sf_progress_stage(sf_run_progress *pg, const sf_year_rec *r, int stage)
{
    if (stage == SF_STAGE_WRITE) {
        pg->computed++;
        pg->t_computed += r->t_total;
    }
    char clk[96];
    clock_text(pg, stage >= SF_STAGE_WRITE, clk, sizeof clk);
    char head[48];
    snprintf(head, sizeof head, "[round %d/%d] year %d", pg->round, pg->rounds, r->year);
    const sf_validation *v = &r->val;
    const sf_inv_info *in = &r->inv;
    const double n = r->n;
    switch (stage) {
    case SF_STAGE_READ:
        sf_progress("%s %-9s %7.2f s  %8.1f MB/s  (%.1f MB of input); %s", head, "read", r->t_read,
                    r->t_read > 0 ? r->bytes_in / 1e6 / r->t_read : 0, r->bytes_in / 1e6, clk);
        sf_progress("%s %-9s %7.2f s  imbalance %.2g overall (max %.2g in sector %d), %d zero-output sectors "
                    "(%d with exports, %d with inputs), %d negative-output, %ld negative final-demand and %ld "
                    "negative value-added cells, %d columns of A summing to >= 1 (max %.4f); %s",
                    head, "check", r->t_derive, v->imbalance_total, v->max_imbalance, v->imbalance_sector + 1,
                    v->n_zero_output, v->n_zero_output_exporting, v->n_zero_output_inputs, v->n_negative_output,
                    v->n_negative_fd, v->n_negative_va, v->n_colsum_ge1, v->max_colsum, clk);
        break;
    case SF_STAGE_INVERT:
        sf_progress("%s %-9s %7.2f s  %8.1f GFLOP/s  %s, rcond %.3g, scaled residual %.3g (%s); %s", head, "invert",
                    r->t_invert, r->t_invert > 0 ? 2.0 * n * n * n / 1e9 / r->t_invert : 0,
                    in->method == SF_INV_GAUSS_JORDAN ? "Gauss-Jordan" : "LU", in->rcond,
                    in->residual_scaled, in->passed ? "PASSED" : "FAILED", clk);
        sf_progress("%s %-9s %7.2f s  (distribute I - A %.2f s, pdgemm %.2f s, sweep, collect and residual check "
                    "%.2f s); %s", head, "products", r->t_products, in->t_scatter, in->t_products, in->t_collect,
                    clk);
        break;
    case SF_STAGE_DECOMPOSE:
        sf_progress("%s %-9s %7.2f s  WWZ identity error %.2g; v'B = 1 within %.2g; %s", head, "decompose",
                    r->t_decompose, r->max_identity_err, r->max_va_gap, clk);
        break;
    case SF_STAGE_WRITE:
        sf_progress("%s %-9s %7.2f s  (year done in %.2f s); %s", head, "write", r->t_write, r->t_total, clk);
        break;
    default:
        sf_progress("%s %-9s %7.2f s  cached result up to date (inputs, settings and version unchanged); %s", head,
                    "reuse", r->t_total, clk);
    }
}

/* A year whose WWZ identity error exceeds SF_WWZ_IDENTITY_TOL: one warning
 * (also for a reused year), as inspect and the report flag it. */
static void wwz_warning(const sf_year_rec *r)
{
    if (!r->year || r->status == SF_YEAR_FAILED) return;
    if (!(r->max_identity_err > SF_WWZ_IDENTITY_TOL) && !isnan(r->max_identity_err)) return;
    sf_warn("year %d: WWZ identity error %.2e exceeds its tolerance %.0e: %s (docs/methods.md)", r->year,
            r->max_identity_err, SF_WWZ_IDENTITY_TOL,
            r->val.n_zero_output_inputs
                ? "a zero-output sector buys inputs; A has no column for it, so x = BY fails for its suppliers "
                  "and their WWZ terms miss those purchases"
                : "the WWZ terms of some exporting sector do not add up to its exports");
}

void sf_progress_round(const sf_run_progress *pg, const sf_year_rec *recs, const int *roots, int ngroups,
                       double t_years)
{
    int ys[64], ny = 0, nc = 0, nr = 0, nf = 0;
    for (int i = 0; i < ngroups; i++) {
        const sf_year_rec *r = &recs[roots[i]];
        if (!r->year) continue;
        if (ny < 64) ys[ny++] = r->year;
        nc += r->status == SF_YEAR_COMPUTED;
        nr += r->status == SF_YEAR_REUSED;
        nf += r->status == SF_YEAR_FAILED;
    }
    char list[256] = "", el[32], eta[32];
    sf_format_int_list(ys, ny, list, sizeof list);
    const double now = sf_now();
    duration(now - pg->t_start, el, sizeof el);
    duration((now - t_years) / pg->round * (pg->rounds - pg->round), eta, sizeof eta);
    char failed[32] = "";
    if (nf) snprintf(failed, sizeof failed, ", %d failed", nf);
    sf_progress("[round %d/%d] done: year%s %s (%d computed, %d reused%s); elapsed %s, ETA %s", pg->round,
                pg->rounds, ny > 1 ? "s" : "", list, nc, nr, failed, el, eta);
    for (int i = 0; i < ngroups; i++) wwz_warning(&recs[roots[i]]);
}
