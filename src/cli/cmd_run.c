/* silkflow run CONFIG: options, help and exit codes. The stage driver is
 * src/pipeline/run.c (docs/architecture.md). */
#include <signal.h>
#include <string.h>

#include "silkflow/cli.h"
#include "silkflow/par.h"
#include "silkflow/pipeline.h"

static const char *RUN_HELP =
    "usage: silkflow run CONFIG [--years 2005-2007] [--resume] [--force] [--quiet]\n"
    "                           [--output FILE] [--cache DIR] [--years-only] [--no-lag]\n"
    "                           [--blas-kernel=auto|keep]\n"
    "\n"
    "Runs the whole pipeline described by the INI file CONFIG: ingest, Leontief\n"
    "inversion (ScaLAPACK), value-added decompositions, indicators, panel,\n"
    "estimation and report. Run it under MPI (mpirun -n P silkflow run ..., or srun)\n"
    "or as a single process.\n"
    "\n"
    "options:\n"
    "  --years SPEC  compute these years instead of [data] years (2005, 2005-2007, 2003,2010)\n"
    "  --resume      continue a run that was stopped or killed: completed years are\n"
    "                reused (this is also what every rerun does, see below)\n"
    "  --force       recompute every year even when its cached result is up to date\n"
    "  --quiet       only warnings, errors (stderr) and the final summary: no progress\n"
    "                lines, no printed tables (the tables directory still gets them)\n"
    "  --output FILE the results file instead of [output] file\n"
    "  --cache DIR   the year cache instead of <results file>.years\n"
    "  --years-only  compute the years into the cache and stop (no results file,\n"
    "                panel, estimation or report): for job arrays over year ranges\n"
    "  --no-lag      do not compute the year before the first one (it serves IIH)\n"
    "  --blas-kernel=auto|keep  keep: OpenBLAS's own kernel choice (default auto, below)\n"
    "\n"
    "Reruns are incremental: each year's results are cached in <output>.years/YYYY.h5\n"
    "with the SHA-256 of its input files, a hash of the settings that shape it and the\n"
    "software version; a year whose provenance matches is not recomputed. The results\n"
    "file ([output] file) is replaced atomically at the end of a successful run.\n"
    "SIGTERM or SIGUSR1 stop the job at the end of the current round of years, after\n"
    "the results file is assembled, or between two model sections of the estimation.\n"
    "One run at a time per results file: rank 0 holds <results file>.lock; a second\n"
    "run exits 1 naming the first (host, pid, since when). The lock of a killed run is\n"
    "taken over: at once on the same host, from another host after 10 minutes.\n"
    "A full disk stops the run with exit 1 naming the file; completed years are kept\n"
    "and --resume continues once there is space.\n"
    "[data] years = all takes every year the release holds.\n"
    "\n"
    "BLAS kernel: with OpenBLAS running an older kernel than the CPU supports,\n"
    "silkflow sets OPENBLAS_CORETYPE (SkylakeX for AVX-512, Haswell for AVX2) and\n"
    "re-executes itself before MPI starts; the \"plan: BLAS\" line says which kernel\n"
    "runs and why. A user's OPENBLAS_CORETYPE is kept; --blas-kernel=keep or\n"
    "SILKFLOW_BLAS_AUTO=0 keep OpenBLAS's own choice.\n"
    "\n"
    "Zip members are inflated up to a ceiling (32 bytes per expected number + 1 MiB):\n"
    "SF_MAX_ZIP_MEMBER=SIZE (e.g. 20G) raises it for a genuine oversized member.\n"
    "Progress: \"[round k/N] year YYYY stage ...; elapsed, ETA\" as each stage of a\n"
    "year finishes, a line per round, then a summary. Lines start with an ISO 8601\n"
    "UTC timestamp when the output is not a terminal or in a Slurm job;\n"
    "SILKFLOW_TIMESTAMPS=1|0 forces it (mpirun gives ranks a terminal).\n"
    "Exit codes: 0 success, 1 user error, 2 internal or numerical failure.\n";

static volatile sig_atomic_t g_stop = 0;
static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

int sf_cmd_run(int argc, char **argv)
{
    if (sf_cli_wants_help(argc, argv)) {
        fputs(RUN_HELP, stdout);
        return 0;
    }
    const char *cfgpath = NULL, *years_opt = NULL, *output = NULL, *cache = NULL;
    int resume = 0, force = 0, quiet = 0, years_only = 0, no_lag = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--years") && i + 1 < argc)
            years_opt = argv[++i];
        else if (!strncmp(argv[i], "--years=", 8))
            years_opt = argv[i] + 8;
        else if (!strcmp(argv[i], "--resume"))
            resume = 1;
        else if (!strcmp(argv[i], "--force"))
            force = 1;
        else if (!strcmp(argv[i], "--quiet"))
            quiet = 1;
        else if (!strcmp(argv[i], "--output") && i + 1 < argc)
            output = argv[++i];
        else if (!strcmp(argv[i], "--cache") && i + 1 < argc)
            cache = argv[++i];
        else if (!strcmp(argv[i], "--years-only"))
            years_only = 1;
        else if (!strcmp(argv[i], "--no-lag"))
            no_lag = 1;
        else if (argv[i][0] == '-') {
            fprintf(stderr, "silkflow: error: run: unknown option '%s'\n\n%s", argv[i], RUN_HELP);
            return 1;
        } else if (!cfgpath)
            cfgpath = argv[i];
        else {
            fprintf(stderr, "silkflow: error: run: unexpected argument '%s'\n", argv[i]);
            return 1;
        }
    }
    if (!cfgpath) {
        fprintf(stderr, "silkflow: error: run: missing CONFIG\n\n%s", RUN_HELP);
        return 1;
    }
    (void)resume;
    /* before MPI starts: a signal during start-up must not kill the rank */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    sf_par_init(&argc, &argv);
    sf_log_set_quiet(quiet);
    sf_log_set_stamps(-1); /* timestamps in logs (Slurm), not on a terminal */
    const sf_run_opts o = {.config = cfgpath, .years = years_opt, .output = output, .cache = cache,
                           .force = force, .quiet = quiet, .years_only = years_only, .no_lag = no_lag,
                           .stop = &g_stop};
    sf_err e = {0};
    int rc = sf_run(&o, &e);
    if (rc && sf_par_rank() == 0) sf_cli_error(e.msg);
    sf_par_finalize();
    return rc;
}
