/* placeholder: replaced by the module that implements 'silkflow estimate' */
#include <stdio.h>

#include "silkflow/cli.h"

int sf_cmd_estimate(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    sf_cli_error("'estimate' is not implemented yet");
    return 2;
}
