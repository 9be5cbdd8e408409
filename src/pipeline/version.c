#include "silkflow/version.h"

#include <stdio.h>
#include <string.h>
#include <zip.h>

#include "silkflow/common.h"
#include "silkflow/h5.h"
#include "silkflow/par.h"

#ifndef SF_SCALAPACK_VERSION
#define SF_SCALAPACK_VERSION "unknown"
#endif
#ifndef SF_INIH_VERSION
#define SF_INIH_VERSION "unknown"
#endif


void sf_library_versions(char *buf, size_t n)
{
    char mpi[512];
    int mpi_major = 0, mpi_minor = 0;
    sf_par_version(mpi, sizeof mpi, &mpi_major, &mpi_minor);
    unsigned maj, min, rel;
    sf_h5_version(&maj, &min, &rel);
    sf_blas_info b;
    sf_blas_query(&b);
    char blas[1200];
    if (strcmp(b.name, "OpenBLAS"))
        snprintf(blas, sizeof blas, "BLAS: unknown (%s)", b.library);
    else
        snprintf(blas, sizeof blas, "OpenBLAS: %s\nBLAS kernel: %s, %d thread%s; %s\nBLAS library: %s", b.config,
                 b.kernel, b.threads, b.threads == 1 ? "" : "s", b.selection, b.library);
    snprintf(buf, n,
             "MPI: %s (standard %d.%d)\n"
             "ScaLAPACK: %s (Debian libscalapack-openmpi)\n"
             "HDF5: %u.%u.%u (parallel)\n"
             "%s\n"
             "libzip: %s\n"
             "inih: %s\n",
             mpi, mpi_major, mpi_minor, SF_SCALAPACK_VERSION, maj, min, rel, blas,
             zip_libzip_version(), SF_INIH_VERSION);
}
