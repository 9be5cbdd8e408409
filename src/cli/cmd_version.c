/* silkflow version: the version, git revision and library versions. */
#include <stdio.h>

#include "silkflow/cli.h"
#include "silkflow/common.h"
#include "silkflow/version.h"

int sf_cmd_version(int argc, char **argv)
{
    if (sf_cli_wants_help(argc, argv)) {
        puts("usage: silkflow version\n\nPrints the silkflow version, its git revision and the versions of the\n"
             "libraries it was built with (MPI, ScaLAPACK, HDF5, OpenBLAS, libzip, inih), with\n"
             "the BLAS library the process calls, its kernel (and how it was chosen: see\n"
             "'silkflow --help') and its threads, and the data directory (configs/, data/,\n"
             "jobs/; SILKFLOW_DATADIR overrides the compiled-in one).");
        return 0;
    }
    char libs[4096];
    sf_library_versions(libs, sizeof libs);
    printf("silkflow %s (git %s)\n%s", SF_VERSION, sf_git_revision(), libs);
    printf("data directory: %s\n", sf_datadir());
    return 0;
}
