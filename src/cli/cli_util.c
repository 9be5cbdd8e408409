#include <stdio.h>
#include <string.h>

#include "silkflow/cli.h"

void sf_cli_error(const char *msg) { fprintf(stderr, "silkflow: error: %s\n", msg); }

int sf_cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) return 1;
    return 0;
}
