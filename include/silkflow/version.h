/* silkflow: version, git revision and the versions of the libraries linked. */
#ifndef SILKFLOW_VERSION_H
#define SILKFLOW_VERSION_H

#include <stddef.h>

const char *sf_git_revision(void);
/* Multi-line "name: version" text of the libraries (MPI, ScaLAPACK, HDF5,
 * OpenBLAS, libzip, inih). */
void sf_library_versions(char *buf, size_t n);

/* The BLAS this process calls (src/cli/blas.c). */
typedef struct {
    char library[512]; /* the shared object that provides dgemm_, or "unknown" */
    char name[32];     /* "OpenBLAS" or "unknown" */
    char version[32];  /* "0.3.21" or "unknown" */
    char config[256];  /* openblas_get_config(), "" when not OpenBLAS */
    char kernel[64];   /* openblas_get_corename(), or "unknown" */
    int threads;       /* openblas_get_num_threads(), 0 when not known */
    char selection[256]; /* how the kernel was chosen */
    int auto_selected; /* 1 when silkflow set OPENBLAS_CORETYPE */
} sf_blas_info;
void sf_blas_query(sf_blas_info *b);
/* "OpenBLAS 0.3.21, kernel SkylakeX (selected by silkflow), 2 threads" */
void sf_blas_summary(char *buf, size_t n);
/* First thing in main, before MPI is initialised: takes --blas-kernel=auto|keep
 * out of argv; when OpenBLAS runs an older class of kernel than the CPU
 * supports (AVX-512: SkylakeX, AVX2: Haswell), the user has not set
 * OPENBLAS_CORETYPE and neither --blas-kernel=keep nor SILKFLOW_BLAS_AUTO=0
 * is given, sets OPENBLAS_CORETYPE and re-executes /proc/self/exe with the
 * same argv (once: a marker variable). Returns 0, or 1 after printing an
 * error about the option or the variable. */
int sf_blas_startup(int *argc, char **argv);

#endif
