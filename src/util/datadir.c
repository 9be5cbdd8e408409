/* The data directory (include/silkflow/common.h, docs/config.md). Its own
 * object: the Makefile compiles it with SF_DATADIR = the source tree for
 * bin/silkflow and with $(PREFIX)/share/silkflow for `make install`, whose
 * binary links that object before libsilkflow.a. Define nothing else here. */
#include <stdlib.h>

#include "silkflow/common.h"

#ifndef SF_DATADIR
#define SF_DATADIR "/usr/local/share/silkflow"
#endif

const char *sf_datadir(void)
{
    const char *e = getenv("SILKFLOW_DATADIR");
    return e && *e ? e : SF_DATADIR;
}
