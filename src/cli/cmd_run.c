/* placeholder: replaced by the module that implements 'silkflow run' */
#include <stdio.h>

#include "silkflow/cli.h"

int sf_cmd_run(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    sf_cli_error("'run' is not implemented yet");
    return 2;
}
