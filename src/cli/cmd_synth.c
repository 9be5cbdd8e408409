/* placeholder: replaced by the module that implements 'silkflow synth' */
#include <stdio.h>

#include "silkflow/cli.h"

int sf_cmd_synth(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    sf_cli_error("'synth' is not implemented yet");
    return 2;
}
