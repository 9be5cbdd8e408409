/* silkflow inspect FILE.h5: options and help; the summary is
 * src/pipeline/inspect.c. */
#include <stdio.h>
#include <string.h>

#include "silkflow/cli.h"
#include "silkflow/pipeline.h"

static const char *INSPECT_HELP =
    "usage: silkflow inspect FILE.h5 [--panel-csv OUT.csv] [--years]\n"
    "\n"
    "Prints a summary of a silkflow results file: provenance (version, git revision,\n"
    "config hash, MPI ranks and grid, Slurm job, BLAS library, kernel and threads),\n"
    "the years with their status, inversion check, WWZ identity error (FLAG when it\n"
    "exceeds the year's tolerance), timings and inputs, the panel (rows, missing\n"
    "cells by column) and the estimates.\n"
    "\n"
    "options:\n"
    "  --panel-csv OUT.csv  write /panel as a CSV file (for Stata, R, Python)\n"
    "  --years              the years only\n";

typedef struct {
    const char *path, *csv;
    int years_only;
} inspect_args;

/* 0 ok, 1 error (printed), -1 help printed */
static int parse_args(int argc, char **argv, inspect_args *a)
{
    memset(a, 0, sizeof *a);
    if (sf_cli_wants_help(argc, argv)) {
        fputs(INSPECT_HELP, stdout);
        return -1;
    }
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--panel-csv") && i + 1 < argc)
            a->csv = argv[++i];
        else if (!strcmp(argv[i], "--years"))
            a->years_only = 1;
        else if (argv[i][0] == '-') {
            fprintf(stderr, "silkflow: error: inspect: unknown option '%s'\n\n%s", argv[i], INSPECT_HELP);
            return 1;
        } else if (!a->path)
            a->path = argv[i];
        else {
            fprintf(stderr, "silkflow: error: inspect: unexpected argument '%s'\n", argv[i]);
            return 1;
        }
    }
    if (!a->path) {
        fprintf(stderr, "silkflow: error: inspect: missing FILE.h5\n\n%s", INSPECT_HELP);
        return 1;
    }
    return 0;
}

int sf_cmd_inspect(int argc, char **argv)
{
    inspect_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc) return rc < 0 ? 0 : rc;
    sf_err e = {0};
    rc = sf_inspect(a.path, a.csv, a.years_only, &e);
    if (rc) sf_cli_error(e.msg);
    return rc ? 1 : 0;
}
