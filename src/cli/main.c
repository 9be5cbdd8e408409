/* silkflow: entry point and subcommand dispatch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "silkflow/cli.h"
#include "silkflow/common.h"
#include "silkflow/version.h"

static const char *USAGE =
    "usage: silkflow <command> [options]\n"
    "\n"
    "Multi-region input-output economics at HPC scale: Leontief inversion with\n"
    "ScaLAPACK, WWZ value-added decompositions, the symbiosis indicators of Hu (2023),\n"
    "Belt and Road production networks and the fixed-effects estimation tables.\n"
    "\n"
    "commands:\n"
    "  run CONFIG       the whole pipeline (under mpirun/srun or as one process)\n"
    "  estimate ...     estimation only, from a results file or any CSV panel\n"
    "  synth ...        write a synthetic release in the exact Eora26 format\n"
    "  inspect FILE.h5  readable summary of a results file\n"
    "  report FILE.h5   the report (Markdown, HTML, figures) of a results file\n"
    "  tables FILE.h5   the regression tables again from /estimates (no estimation)\n"
    "  export FILE.h5   tidy long CSV of WWZ, VAX, VBY, sector, panel, trade, estimates\n"
    "  version          version, git revision and library versions\n"
    "\n"
    "'silkflow <command> --help' describes each command.\n"
    "\n"
    "BLAS kernel: when OpenBLAS runs an older kernel than the CPU supports (OpenBLAS\n"
    "0.3.21 does not know recent CPUs and falls back to Prescott or Haswell), silkflow\n"
    "sets OPENBLAS_CORETYPE=SkylakeX (AVX-512) or Haswell (AVX2) and re-executes\n"
    "itself at start-up, before MPI starts. A user's OPENBLAS_CORETYPE is kept;\n"
    "--blas-kernel=keep (with any command) or SILKFLOW_BLAS_AUTO=0 keep OpenBLAS's\n"
    "own choice. 'silkflow version' shows the BLAS, its kernel and threads.\n"
    "\n"
    "Data directory: the shipped configs/, data/ and jobs/ (PREFIX/share/silkflow once\n"
    "installed, the source tree for an uninstalled build; SILKFLOW_DATADIR overrides;\n"
    "'silkflow version' prints it). A relative input path of a config is looked up\n"
    "beside the config file first, then there (docs/config.md).\n"
    "Exit codes: 0 success, 1 user error (bad config or input), 2 internal or numerical failure.\n";

/* "--opt=value" becomes "--opt" "value" for every command (getopt_long style;
 * "--opt value" works as well); a bare "--" ends the options. synth parses
 * "=" itself (and says which flags take no value). */
typedef struct {
    char **argv;  /* the split argument vector (its own array) */
    char **owned; /* the option names cut from "--opt=value" */
    int nowned;
} split_args;

static void split_equals(int *argc, char **argv, split_args *sp)
{
    sp->argv = sf_calloc((size_t)(2 * *argc + 1), sizeof(char *));
    sp->owned = sf_calloc((size_t)(*argc + 1), sizeof(char *));
    sp->nowned = 0;
    int n = 0, opts = 1;
    for (int i = 0; i < *argc; i++) {
        char *a = argv[i], *eq = strchr(a, '=');
        if (!strcmp(a, "--")) opts = 0;
        if (opts && i > 1 && !strncmp(a, "--", 2) && eq && eq > a + 2) {
            char *o = sf_strdup(a);
            o[eq - a] = '\0';
            sp->owned[sp->nowned++] = o;
            sp->argv[n++] = o;
            sp->argv[n++] = eq + 1;
        } else {
            sp->argv[n++] = a;
        }
    }
    sp->argv[n] = NULL;
    *argc = n;
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        fputs(USAGE, stderr);
        return 1;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        fputs(USAGE, stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version")) return sf_cmd_version(1, argv + 1);
    struct {
        const char *name;
        int (*fn)(int, char **);
    } cmds[] = {{"run", sf_cmd_run},         {"estimate", sf_cmd_estimate}, {"synth", sf_cmd_synth},
                {"inspect", sf_cmd_inspect}, {"version", sf_cmd_version}, {"report", sf_cmd_report},
                {"tables", sf_cmd_tables},   {"export", sf_cmd_export}};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (!strcmp(cmd, cmds[i].name)) return cmds[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "silkflow: error: unknown command '%s'\n\n%s", cmd, USAGE);
    return 1;
}

int main(int argc, char **argv)
{
    if (sf_blas_startup(&argc, argv)) return 1; /* may re-execute the program: first */
    if (argc < 2 || !strcmp(argv[1], "synth")) return dispatch(argc, argv);
    split_args sp;
    split_equals(&argc, argv, &sp);
    int rc = dispatch(argc, sp.argv);
    for (int i = 0; i < sp.nowned; i++) free(sp.owned[i]);
    free(sp.owned);
    free(sp.argv);
    return rc;
}
