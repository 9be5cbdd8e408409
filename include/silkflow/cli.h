/* silkflow command-line subcommands. Each takes argc/argv after the
 * subcommand name (argv[0] is the subcommand) and returns the exit code:
 * 0 success, 1 user error, 2 internal/numerical failure. */
#ifndef SILKFLOW_CLI_H
#define SILKFLOW_CLI_H

#include <signal.h>

#include "silkflow/common.h"

int sf_cmd_run(int argc, char **argv);
int sf_cmd_estimate(int argc, char **argv);
int sf_cmd_synth(int argc, char **argv);
int sf_cmd_inspect(int argc, char **argv);
int sf_cmd_report(int argc, char **argv);
int sf_cmd_version(int argc, char **argv);
int sf_cmd_tables(int argc, char **argv);
int sf_cmd_export(int argc, char **argv);

/* The estimation stage (silkflow estimate, and the end of silkflow run):
 * every rank calls it with the same arguments; bootstrap replicates are
 * split over the ranks; rank 0 prints and writes the tables (out) and, with
 * panel, the /estimates of that results file. */
typedef struct {
    const char *csv, *panel, *models, *out, *config;
    long boot;
    int boot_set;
    unsigned long long seed;
    const char *ssc;
    const char *vcov;    /* --vcov / [estimate] vcov: replaces every model's vcov */
    int no_write, quiet;
    const volatile sig_atomic_t *stop;   /* when set (silkflow run): nonzero after SIGTERM/SIGUSR1 stops between
                                 * model sections (every rank calls, they agree) */
} sf_estimate_args;
int sf_estimate_main(sf_estimate_args *a, int rank, int size, sf_err *e);

/* Print "silkflow: error: <msg>" to stderr. */
void sf_cli_error(const char *msg);
/* 1 when argv holds -h or --help. */
int sf_cli_wants_help(int argc, char **argv);

#endif
