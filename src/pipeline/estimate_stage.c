/* The estimation stage (docs/config.md [estimate], docs/output.md
 * "/estimates"): silkflow estimate and the end of silkflow run.
 *
 * Every rank reads the data and fits the models (cheap and deterministic);
 * the bootstrap replicates of each model are split over the ranks and
 * combined with sf_par_allreduce_sum, so results are identical for any
 * number of ranks. Rank 0 prints the tables and writes the files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "silkflow/common.h"
#include "silkflow/frame.h"
#include "silkflow/h5.h"
#include "silkflow/par.h"
#include "silkflow/pipeline.h"
#include "silkflow/stats.h"
#include "silkflow/stats_h5.h"
#include "silkflow/tables.h"

/* Regressors dropped because the fixed effects absorb their raw values: one
 * warning per regressor and reason, naming the first and last model. */
typedef struct {
    char **text, **first, **last;
    int *count, n;
} absorbed;

static void note_absorbed(absorbed *a, const char *text, const char *model)
{
    for (int i = 0; i < a->n; i++)
        if (!strcmp(a->text[i], text)) {
            a->count[i]++;
            free(a->last[i]);
            a->last[i] = sf_strdup(model);
            return;
        }
    a->text = sf_realloc(a->text, sizeof(char *) * (size_t)(a->n + 1));
    a->first = sf_realloc(a->first, sizeof(char *) * (size_t)(a->n + 1));
    a->last = sf_realloc(a->last, sizeof(char *) * (size_t)(a->n + 1));
    a->count = sf_realloc(a->count, sizeof(int) * (size_t)(a->n + 1));
    a->text[a->n] = sf_strdup(text);
    a->first[a->n] = sf_strdup(model);
    a->last[a->n] = sf_strdup(model);
    a->count[a->n++] = 1;
}

/* warn: one warning per entry (a finished estimation only). */
static void absorbed_free(absorbed *a, int warn)
{
    for (int i = 0; i < a->n; i++) {
        if (warn)
            sf_warn("estimate: regressor %s; in %d model%s (%s%s%s)", a->text[i], a->count[i],
                    a->count[i] > 1 ? "s" : "", a->first[i], a->count[i] > 1 ? " ... " : "",
                    a->count[i] > 1 ? a->last[i] : "");
        free(a->text[i]);
        free(a->first[i]);
        free(a->last[i]);
    }
    free(a->text);
    free(a->first);
    free(a->last);
    free(a->count);
}

/* The data and the models, checked against each other. Every rank. */
static int load_inputs(const sf_estimate_opts *a, sf_frame **fr, sf_models *m, sf_err *e)
{
    double t0 = sf_now();
    int rc = a->csv ? sf_frame_read_csv(a->csv, fr, e) : sf_panel_read_h5(a->panel, fr, e);
    /* a read that fails on one rank only (file system) must not leave the
     * others waiting in a bootstrap reduction: agree before going on */
    if (sf_par_any(rc != SF_OK)) return rc ? rc : sf_fail(e, SF_EUSER, "reading the data failed on another rank");
    sf_info("estimate: %zu rows, %d columns from %s (%.2f s)", (*fr)->nrow, (*fr)->ncol, a->csv ? a->csv : a->panel,
            sf_now() - t0);
    if ((rc = sf_models_parse(a->models, m, e))) return rc;
    for (int i = 0; i < m->n && a->vcov; i++)
        if ((rc = sf_model_set_vcov(&m->m[i], a->vcov, a->vcov_from ? a->vcov_from : "--vcov", e))) return rc;
    for (int i = 0; i < m->n; i++)
        if ((rc = sf_model_check(&m->m[i], *fr, e))) return rc;
    return SF_OK;
}

/* Fit every model section in order; a stop request is honoured between two
 * sections (every rank agrees). */
static int run_sections(const sf_estimate_opts *a, const sf_frame *fr, const sf_models *m, const sf_est_opts *o,
                        sf_fit ***fits, int *nfits, sf_err *e)
{
    absorbed ab = {0};
    int rc = SF_OK;
    for (int i = 0; i < m->n; i++) {
        if (i == 1 && o->rank == 0) sf_test_pause("estimate", 0);
        if (i && a->stop && sf_par_any(*a->stop != 0)) {
            rc = sf_fail(e, SF_EUSER, "stopped by a signal during estimation (after [%s], %d of %d model "
                         "sections); the results file was not written (rerun or use --resume to continue)",
                         m->m[i - 1].name, i, m->n);
            break;
        }
        double ts = sf_now();
        int before = *nfits;
        if ((rc = sf_estimate_section(fr, &m->m[i], o, fits, nfits, e))) break;
        for (int j = before; j < *nfits; j++) {
            const sf_fit *f = (*fits)[j];
            if (f->role == SF_ROLE_FIRST) continue;
            for (int d = 0; d < f->ndropped; d++)
                if (strstr(f->dropped[d], "before winsorising")) note_absorbed(&ab, f->dropped[d], f->name);
            sf_info("estimate: [%s] %s: N = %zu, %d coefficients%s%s (%.2f s)", m->m[i].name, f->name, f->N, f->k,
                    f->boot_B ? ", bootstrap " : "", f->boot_B ? (f->boot_enum ? "enumerated" : "drawn") : "",
                    j == *nfits - 1 ? sf_now() - ts : f->seconds);
        }
    }
    absorbed_free(&ab, rc == SF_OK);
    return rc;
}

/* Rank 0: the tables, printed (unless quiet) and written to a->out. */
static int write_tables(const sf_estimate_opts *a, sf_fit **fits, int nfits, const sf_models *m, sf_err *e)
{
    sf_regtable *tabs;
    int nt, rc = SF_OK;
    sf_tables_build_styled(fits, nfits, &m->style, &tabs, &nt);
    if (!a->quiet) { /* quiet: the tables go to a->out only */
        for (int q = 0; q < nt; q++) sf_table_write(stdout, &tabs[q], SF_TAB_TXT);
        fflush(stdout);
    }
    if (a->out) {
        rc = sf_tables_write_dir(a->out, tabs, nt, e);
        if (!rc) sf_info("estimate: %d table(s) written to %s", nt, a->out);
    }
    sf_tables_free(tabs, nt);
    return rc;
}

/* Rank 0: /estimates of the results file a->panel, described. */
static int write_estimates(const sf_estimate_opts *a, sf_fit **fits, int nfits, sf_err *e)
{
    sf_h5 h;
    if (sf_h5_open(&h, a->panel, 1, NULL) != SF_OK)
        return sf_fail(e, SF_EUSER, "%s: cannot open for writing the estimates", a->panel);
    int rc = sf_estimates_write_h5(h.file, fits, nfits, e);
    if (!rc) rc = sf_results_describe(&h, e);
    if (rc) sf_err_prefix(e, "%s", a->panel);
    if (rc && sf_write_failure(a->panel, 0, 0)) /* a full disk, not an internal error */
        rc = sf_fail_write(e, rc, a->panel, 0, 0, "%s", e->msg);
    int crc = sf_h5_close(&h, rc ? NULL : e);
    if (!rc) rc = crc;
    if (!rc) sf_info("estimate: %d model(s) written under /estimates of %s", nfits, a->panel);
    return rc;
}

int sf_estimate_stage(const sf_estimate_opts *a, int rank, int size, sf_err *e)
{
    sf_frame *fr = NULL;
    sf_models m;
    memset(&m, 0, sizeof m);
    sf_fit **fits = NULL;
    int nfits = 0;
    int rc = load_inputs(a, &fr, &m, e);
    sf_ssc ssc;
    sf_est_opts o;
    sf_est_opts_default(&o);
    o.boot_reps = a->boot;
    o.boot_override = a->boot_set;
    o.seed = a->seed;
    o.rank = rank;
    o.size = size;
    o.reduce = size > 1 ? sf_par_allreduce_sum : NULL;
    if (!rc && a->ssc) {
        char bad[128];
        sf_ssc_default(&ssc);
        if (sf_ssc_parse(a->ssc, &ssc, bad, sizeof bad))
            rc = sf_fail(e, SF_EUSER, "estimate: --ssc: bad value '%s' (stata, fixest, none, then modifiers)", bad);
        o.ssc = &ssc;
    }
    if (!rc) rc = run_sections(a, fr, &m, &o, &fits, &nfits, e);
    /* errors so far are the same on every rank (same data, same models) */
    if (!rc) {
        if (rank == 0) rc = write_tables(a, fits, nfits, &m, e);
        /* every rank has closed the panel file long ago; the flag reduction
         * makes the write below wait for all of them (and shares a failure) */
        if (sf_par_any(rc != SF_OK) && !rc) rc = SF_EINTERNAL;
        if (!rc && a->panel && !a->no_write && rank == 0) rc = write_estimates(a, fits, nfits, e);
    }
    for (int i = 0; i < nfits; i++) sf_fit_free(fits[i]);
    free(fits);
    sf_models_free(&m);
    sf_frame_free(fr);
    return rc;
}
