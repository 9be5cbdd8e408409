/* silkflow estimate: the estimation stage on its own (docs/config.md, docs/output.md).
 *
 *   silkflow estimate --csv FILE.csv --models JOB [options]
 *   silkflow estimate --panel FILE.h5 --models JOB [options]
 *   silkflow estimate CONFIG
 *
 * Every rank reads the data and fits the models (cheap and deterministic);
 * the bootstrap replicates of each model are split over the ranks and
 * combined with sf_par_allreduce_sum, so results are identical for any
 * number of ranks. Rank 0 prints the tables and writes the files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "silkflow/cli.h"
#include "silkflow/common.h"
#include "silkflow/config.h"
#include "silkflow/frame.h"
#include "silkflow/h5.h"
#include "silkflow/par.h"
#include "silkflow/pipeline.h"
#include "silkflow/stats.h"
#include "silkflow/stats_h5.h"
#include "silkflow/tables.h"

static const char *HELP =
    "usage: silkflow estimate --csv FILE.csv --models JOB [options]\n"
    "       silkflow estimate --panel FILE.h5 --models JOB [options]\n"
    "       silkflow estimate CONFIG\n"
    "\n"
    "Estimates the models of a models file (jobs/*.models, fixest-style formulas) on a\n"
    "panel, prints the regression tables and writes them as DIR/<table>.txt, .md, .tex\n"
    "and .csv with --out DIR. With --panel the data are the 1-D datasets under /panel of\n"
    "a results file, and the results are written under /estimates/<model>/ of that file.\n"
    "The CONFIG form takes the results file, models file, bootstrap, seed and tables\n"
    "directory from the [estimate] and [output] sections of a pipeline config.\n"
    "\n"
    "options:\n"
    "  --csv FILE        CSV panel (header row; numeric and string columns)\n"
    "  --panel FILE.h5   results file with a /panel group (estimates written back)\n"
    "  --models JOB      models file (syntax: docs/methods.md section 11; e.g. jobs/hu2023.models)\n"
    "  --out DIR         write the tables to DIR (txt, md, tex, csv)\n"
    "  --bootstrap B     bootstrap replicates for every model (default 9999, or the\n"
    "                    models file's boot_reps); 0 = no bootstrap\n"
    "  --seed S          bootstrap seed (default 20231122)\n"
    "  --ssc NAME        small-sample convention for every model: stata (default,\n"
    "                    reghdfe/ivreg2 small), fixest, none; modifiers may follow,\n"
    "                    e.g. \"fixest conventional\" (see below)\n"
    "  --vcov SPEC       variance for every model, replacing the models file's:\n"
    "                    iid, hc1, cluster(v) or cluster(v1, v2), e.g. cluster(partner)\n"
    "                    or cluster(partner, year); the WCR/WRE bootstrap follows it\n"
    "  --no-write        with --panel: do not write /estimates\n"
    "  --quiet           no progress lines and no printed tables (--out still writes\n"
    "                    them; warnings and errors still go to stderr)\n"
    "\n"
    "Models file: one [section] per model; keys formula (required), vcov (iid | hc1 |\n"
    "cluster(v) | cluster(v1, v2); default cluster(pair)), ssc, bootstrap (wcr | wre |\n"
    "pairs | none; default wcr: WCR for OLS, WRE for IV models), boot_reps, boot_coef (default: first regressor), boot_weights\n"
    "(rademacher | webb | mammen), mediator, subset (file of ISO3 codes), subset_by\n"
    "(default partner), panel (unit, time; default pair, year), table, title, controls,\n"
    "first_stage (show | hide), first_column (number of the table's first column),\n"
    "note (a line under the table). [defaults] sets keys for all following sections.\n"
    "[tables] coefstat = t | se | ci, digits = 4, stars = 0.1,0.05,0.01 | none and\n"
    "[labels] var = \"Label\" set how the tables look (silkflow tables --help).\n"
    "Formulas: y ~ x1 + L.x2 + x1:D1 + log(x3) | fe1 + a#b | endog ~ instr;\n"
    "pair = partner#industry. ssc modifiers: conventional | min (two-way cluster factor),\n"
    "fe-all (count FEs nested in a cluster in K), keep-singletons | drop-singletons,\n"
    "small | nosmall (ivreg2), dofminus=N, sdofminus=N.\n"
    "\n"
    "Under mpirun the bootstrap replicates are spread over all ranks; the results do\n"
    "not depend on the number of ranks. Exit codes: 0 ok, 1 user error, 2 internal.\n";

typedef sf_estimate_args args;

static int parse_args(int argc, char **argv, args *a, sf_err *e)
{
    memset(a, 0, sizeof *a);
    a->boot = 9999;
    a->seed = 20231122ULL;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define NEEDV                                                                                   \
    do {                                                                                        \
        if (!v) return sf_fail(e, SF_EUSER, "estimate: option %s needs a value", s);            \
        i++;                                                                                    \
    } while (0)
        if (!strcmp(s, "--csv")) {
            NEEDV;
            a->csv = v;
        } else if (!strcmp(s, "--panel")) {
            NEEDV;
            a->panel = v;
        } else if (!strcmp(s, "--models")) {
            NEEDV;
            a->models = v;
        } else if (!strcmp(s, "--out")) {
            NEEDV;
            a->out = v;
        } else if (!strcmp(s, "--bootstrap")) {
            NEEDV;
            long b;
            if (sf_parse_int(v, &b) || b < 0 || b > 100000000)
                return sf_fail(e, SF_EUSER, "estimate: --bootstrap '%s' is not a count >= 0", v);
            a->boot = b;
            a->boot_set = 1;
        } else if (!strcmp(s, "--seed")) {
            NEEDV;
            char *end;
            unsigned long long x = strtoull(v, &end, 10);
            if (!*v || *end) return sf_fail(e, SF_EUSER, "estimate: --seed '%s' is not a non-negative integer", v);
            a->seed = x;
        } else if (!strcmp(s, "--ssc")) {
            NEEDV;
            a->ssc = v;
        } else if (!strcmp(s, "--vcov")) {
            NEEDV;
            a->vcov = v;
        } else if (!strcmp(s, "--no-write")) {
            a->no_write = 1;
        } else if (!strcmp(s, "--quiet")) {
            a->quiet = 1;
        } else if (s[0] == '-') {
            return sf_fail(e, SF_EUSER, "estimate: unknown option '%s' (see silkflow estimate --help)", s);
        } else if (!a->config) {
            a->config = s;
        } else
            return sf_fail(e, SF_EUSER, "estimate: unexpected argument '%s'", s);
#undef NEEDV
    }
    if (a->config && (a->csv || a->panel || a->models))
        return sf_fail(e, SF_EUSER, "estimate: give either CONFIG or --csv/--panel with --models");
    if (!a->config) {
        if (!a->csv == !a->panel)
            return sf_fail(e, SF_EUSER, "estimate: give exactly one of --csv FILE or --panel FILE.h5 (or a CONFIG)");
        if (!a->models) return sf_fail(e, SF_EUSER, "estimate: --models JOB is required");
    }
    return SF_OK;
}

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

static void absorbed_free(absorbed *a)
{
    for (int i = 0; i < a->n; i++) {
        free(a->text[i]);
        free(a->first[i]);
        free(a->last[i]);
    }
    free(a->text);
    free(a->first);
    free(a->last);
    free(a->count);
}

int sf_estimate_main(sf_estimate_args *a, int rank, int size, sf_err *e)
{
    sf_config cfg;
    memset(&cfg, 0, sizeof cfg);
    int have_cfg = 0, rc = SF_OK;
    absorbed ab = {0};
    if (a->config) {
        if ((rc = sf_config_load(a->config, &cfg, e))) return rc;
        have_cfg = 1;
        if (!cfg.models) {
            sf_info("estimate: %s sets models = none; nothing to estimate", a->config);
            sf_config_free(&cfg);
            return SF_OK;
        }
        a->panel = cfg.out_file;
        a->models = cfg.models;
        if (!a->boot_set) a->boot = cfg.bootstrap;
        a->seed = cfg.seed;
        if (!a->out) a->out = cfg.tables_dir;
        if (!a->vcov) a->vcov = cfg.est_vcov;
    }
    sf_frame *fr = NULL;
    sf_models m;
    memset(&m, 0, sizeof m);
    sf_fit **fits = NULL;
    int nfits = 0;
    double t0 = sf_now();
    if (a->csv)
        rc = sf_frame_read_csv(a->csv, &fr, e);
    else
        rc = sf_panel_read_h5(a->panel, &fr, e);
    /* a read that fails on one rank only (file system) must not leave the
     * others waiting in a bootstrap reduction: agree before going on */
    if (sf_par_any(rc != SF_OK)) {
        if (!rc) rc = sf_fail(e, SF_EUSER, "reading the data failed on another rank");
        goto done;
    }
    sf_info("estimate: %zu rows, %d columns from %s (%.2f s)", fr->nrow, fr->ncol, a->csv ? a->csv : a->panel,
            sf_now() - t0);
    if ((rc = sf_models_parse(a->models, &m, e))) goto done;
    for (int i = 0; i < m.n && a->vcov; i++)
        if ((rc = sf_model_set_vcov(&m.m[i], a->vcov, a->config ? "[estimate] vcov" : "--vcov", e))) goto done;
    for (int i = 0; i < m.n; i++)
        if ((rc = sf_model_check(&m.m[i], fr, e))) goto done;
    sf_ssc ssc;
    sf_est_opts o;
    sf_est_opts_default(&o);
    o.boot_reps = a->boot;
    o.boot_override = a->boot_set;
    o.seed = a->seed;
    o.rank = rank;
    o.size = size;
    o.reduce = size > 1 ? sf_par_allreduce_sum : NULL;
    if (a->ssc) {
        char bad[128];
        sf_ssc_default(&ssc);
        if (sf_ssc_parse(a->ssc, &ssc, bad, sizeof bad)) {
            rc = sf_fail(e, SF_EUSER, "estimate: --ssc: bad value '%s' (stata, fixest, none, then modifiers)", bad);
            goto done;
        }
        o.ssc = &ssc;
    }
    for (int i = 0; i < m.n; i++) {
        if (i == 1 && rank == 0) sf_test_pause("estimate", 0);
        if (i && a->stop && sf_par_any(*a->stop != 0)) {
            rc = sf_fail(e, SF_EUSER, "stopped by a signal during estimation (after [%s], %d of %d model "
                         "sections); the results file was not written (rerun or use --resume to continue)",
                         m.m[i - 1].name, i, m.n);
            goto done;
        }
        double ts = sf_now();
        int before = nfits;
        if ((rc = sf_estimate_section(fr, &m.m[i], &o, &fits, &nfits, e))) goto done;
        for (int j = before; j < nfits; j++) {
            const sf_fit *f = fits[j];
            if (f->role == SF_ROLE_FIRST) continue;
            for (int d = 0; d < f->ndropped; d++)
                if (strstr(f->dropped[d], "before winsorising")) note_absorbed(&ab, f->dropped[d], f->name);
            sf_info("estimate: [%s] %s: N = %zu, %d coefficients%s%s (%.2f s)", m.m[i].name, f->name, f->N, f->k,
                    f->boot_B ? ", bootstrap " : "", f->boot_B ? (f->boot_enum ? "enumerated" : "drawn") : "",
                    j == nfits - 1 ? sf_now() - ts : f->seconds);
        }
    }
    for (int i = 0; i < ab.n; i++)
        sf_warn("estimate: regressor %s; in %d model%s (%s%s%s)", ab.text[i], ab.count[i], ab.count[i] > 1 ? "s" : "",
                ab.first[i], ab.count[i] > 1 ? " ... " : "", ab.count[i] > 1 ? ab.last[i] : "");
    if (rank == 0) {
        sf_regtable *tabs;
        int nt;
        sf_tables_build_styled(fits, nfits, &m.style, &tabs, &nt);
        if (!a->quiet) { /* --quiet: the tables go to --out only */
            for (int q = 0; q < nt; q++) sf_table_write(stdout, &tabs[q], SF_TAB_TXT);
            fflush(stdout);
        }
        if (a->out) {
            rc = sf_tables_write_dir(a->out, tabs, nt, e);
            if (!rc) sf_info("estimate: %d table(s) written to %s", nt, a->out);
        }
        sf_tables_free(tabs, nt);
    }
    /* every rank has closed the panel file long ago; the flag reduction
     * makes the write below wait for all of them (and shares a failure) */
    if (sf_par_any(rc != SF_OK)) {
        if (!rc) rc = SF_EINTERNAL;
        goto done;
    }
    if (a->panel && !a->no_write && rank == 0) {
        sf_h5 h;
        if (sf_h5_open(&h, a->panel, 1, NULL) != SF_OK)
            rc = sf_fail(e, SF_EUSER, "%s: cannot open for writing the estimates", a->panel);
        else {
            rc = sf_estimates_write_h5(h.file, fits, nfits, e);
            if (!rc) rc = sf_estimates_write_layout(h.file, fits, nfits, e);
            if (!rc) rc = sf_results_describe(&h, e);
            if (rc) sf_err_prefix(e, "%s", a->panel);
            if (rc && sf_write_failure(a->panel, 0, 0)) /* a full disk, not an internal error */
                rc = sf_fail_write(e, rc, a->panel, 0, 0, "%s", e->msg);
            int crc = sf_h5_close(&h, rc ? NULL : e);
            if (!rc) rc = crc;
            if (!rc) sf_info("estimate: %d model(s) written under /estimates of %s", nfits, a->panel);
        }
    }
done:
    absorbed_free(&ab);
    for (int i = 0; i < nfits; i++) sf_fit_free(fits[i]);
    free(fits);
    sf_models_free(&m);
    sf_frame_free(fr);
    if (have_cfg) sf_config_free(&cfg);
    return rc;
}

int sf_cmd_estimate(int argc, char **argv)
{
    if (sf_cli_wants_help(argc, argv)) {
        fputs(HELP, stdout);
        return 0;
    }
    sf_par_init(&argc, &argv);
    int rank = sf_par_rank(), size = sf_par_size();
    sf_err e = {0};
    args a;
    int rc = parse_args(argc, argv, &a, &e);
    if (!rc) {
        sf_log_set_quiet(a.quiet);
        rc = sf_estimate_main(&a, rank, size, &e);
    }
    if (rc && rank == 0) sf_cli_error(e.msg[0] ? e.msg : "estimation failed");
    /* all ranks return the same code: errors are deterministic (same data) */
    rc = sf_par_any(rc == SF_EINTERNAL) ? SF_EINTERNAL : sf_par_any(rc != SF_OK) ? SF_EUSER : SF_OK;
    sf_par_finalize();
    return rc;
}
