/* silkflow estimate: options, help and exit codes of the estimation stage on
 * its own (docs/config.md, docs/output.md); the stage is
 * src/pipeline/estimate_stage.c.
 *
 *   silkflow estimate --csv FILE.csv --models JOB [options]
 *   silkflow estimate --panel FILE.h5 --models JOB [options]
 *   silkflow estimate CONFIG */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "silkflow/cli.h"
#include "silkflow/common.h"
#include "silkflow/config.h"
#include "silkflow/par.h"
#include "silkflow/pipeline.h"

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

typedef struct {
    sf_estimate_opts o;
    const char *config;
} args;

static int parse_args(int argc, char **argv, args *a, sf_err *e)
{
    memset(a, 0, sizeof *a);
    a->o.boot = 9999;
    a->o.seed = 20231122ULL;
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
            a->o.csv = v;
        } else if (!strcmp(s, "--panel")) {
            NEEDV;
            a->o.panel = v;
        } else if (!strcmp(s, "--models")) {
            NEEDV;
            a->o.models = v;
        } else if (!strcmp(s, "--out")) {
            NEEDV;
            a->o.out = v;
        } else if (!strcmp(s, "--bootstrap")) {
            NEEDV;
            long b;
            if (sf_parse_int(v, &b) || b < 0 || b > 100000000)
                return sf_fail(e, SF_EUSER, "estimate: --bootstrap '%s' is not a count >= 0", v);
            a->o.boot = b;
            a->o.boot_set = 1;
        } else if (!strcmp(s, "--seed")) {
            NEEDV;
            char *end;
            unsigned long long x = strtoull(v, &end, 10);
            if (!*v || *end) return sf_fail(e, SF_EUSER, "estimate: --seed '%s' is not a non-negative integer", v);
            a->o.seed = x;
        } else if (!strcmp(s, "--ssc")) {
            NEEDV;
            a->o.ssc = v;
        } else if (!strcmp(s, "--vcov")) {
            NEEDV;
            a->o.vcov = v;
        } else if (!strcmp(s, "--no-write")) {
            a->o.no_write = 1;
        } else if (!strcmp(s, "--quiet")) {
            a->o.quiet = 1;
        } else if (s[0] == '-') {
            return sf_fail(e, SF_EUSER, "estimate: unknown option '%s' (see silkflow estimate --help)", s);
        } else if (!a->config) {
            a->config = s;
        } else
            return sf_fail(e, SF_EUSER, "estimate: unexpected argument '%s'", s);
#undef NEEDV
    }
    if (a->config && (a->o.csv || a->o.panel || a->o.models))
        return sf_fail(e, SF_EUSER, "estimate: give either CONFIG or --csv/--panel with --models");
    if (!a->config) {
        if (!a->o.csv == !a->o.panel)
            return sf_fail(e, SF_EUSER, "estimate: give exactly one of --csv FILE or --panel FILE.h5 (or a CONFIG)");
        if (!a->o.models) return sf_fail(e, SF_EUSER, "estimate: --models JOB is required");
    }
    return SF_OK;
}

/* The CONFIG form: the results file, models file, bootstrap, seed, vcov and
 * tables directory from the config's [estimate] and [output] sections
 * (--bootstrap, --out and --vcov win). */
static int estimate_config(args *a, int rank, int size, sf_err *e)
{
    sf_config cfg;
    memset(&cfg, 0, sizeof cfg);
    int rc = sf_config_load(a->config, &cfg, e);
    if (rc) return rc;
    if (!cfg.models) {
        sf_info("estimate: %s sets models = none; nothing to estimate", a->config);
        sf_config_free(&cfg);
        return SF_OK;
    }
    a->o.panel = cfg.out_file;
    a->o.models = cfg.models;
    if (!a->o.boot_set) a->o.boot = cfg.bootstrap;
    a->o.seed = cfg.seed;
    if (!a->o.out) a->o.out = cfg.tables_dir;
    if (!a->o.vcov) {
        a->o.vcov = cfg.est_vcov;
        a->o.vcov_from = "[estimate] vcov";
    }
    rc = sf_estimate_stage(&a->o, rank, size, e);
    sf_config_free(&cfg);
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
        sf_log_set_quiet(a.o.quiet);
        rc = a.config ? estimate_config(&a, rank, size, &e) : sf_estimate_stage(&a.o, rank, size, &e);
    }
    if (rc && rank == 0) sf_cli_error(e.msg[0] ? e.msg : "estimation failed");
    /* all ranks return the same code: errors are deterministic (same data) */
    rc = sf_par_any(rc == SF_EINTERNAL) ? SF_EINTERNAL : sf_par_any(rc != SF_OK) ? SF_EUSER : SF_OK;
    sf_par_finalize();
    return rc;
}
