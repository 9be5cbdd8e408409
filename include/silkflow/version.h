/* silkflow: version, git revision and the versions of the libraries linked. */
#ifndef SILKFLOW_VERSION_H
#define SILKFLOW_VERSION_H

#include <stddef.h>

const char *sf_git_revision(void);
/* Multi-line "name: version" text of the libraries (MPI, ScaLAPACK, HDF5,
 * OpenBLAS, libzip, inih). */
void sf_library_versions(char *buf, size_t n);

#endif
