/* silkflow command-line subcommands. Each takes argc/argv after the
 * subcommand name (argv[0] is the subcommand) and returns the exit code:
 * 0 success, 1 user error, 2 internal/numerical failure. */
#ifndef SILKFLOW_CLI_H
#define SILKFLOW_CLI_H

#include "silkflow/common.h"

int sf_cmd_run(int argc, char **argv);
int sf_cmd_estimate(int argc, char **argv);
int sf_cmd_synth(int argc, char **argv);
int sf_cmd_inspect(int argc, char **argv);
int sf_cmd_report(int argc, char **argv);
int sf_cmd_version(int argc, char **argv);
int sf_cmd_tables(int argc, char **argv);
int sf_cmd_export(int argc, char **argv);

/* Print "silkflow: error: <msg>" to stderr. */
void sf_cli_error(const char *msg);
/* 1 when argv holds -h or --help. */
int sf_cli_wants_help(int argc, char **argv);

#endif
