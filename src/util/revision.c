/* The git revision the binary was built from (SF_GIT_REV, set by the Makefile,
 * which rebuilds this object whenever HEAD moves). */
#include "silkflow/version.h"

#ifndef SF_GIT_REV
#define SF_GIT_REV "unknown"
#endif

const char *sf_git_revision(void) { return SF_GIT_REV; }
