/* placeholder: replaced by the module that implements 'silkflow inspect' */
#include <stdio.h>

#include "silkflow/cli.h"

int sf_cmd_inspect(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    sf_cli_error("'inspect' is not implemented yet");
    return 2;
}
