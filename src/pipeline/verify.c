/* The judgement of a year's inverse: par (src/par/leontief.c) returns the
 * HPL-style residual of the probe columns, this decides whether the year
 * passes (docs/methods.md, section 2; the threshold is
 * [compute] residual_max, docs/config.md). */
#include "silkflow/pipeline.h"

int sf_verify_inverse(const sf_config *cfg, int year, sf_inv_info *info, sf_err *e)
{
    const double limit = cfg->residual_max;
    info->passed = info->residual_scaled < limit; /* NaN fails */
    if (info->passed) return SF_OK;
    return sf_fail(e, SF_EINTERNAL, "year %d: the inverse fails the residual check (scaled residual %.3g >= %g, "
                   "[compute] residual_max; max |(I-A)B - I| = %.3g)", year, info->residual_scaled, limit,
                   info->residual);
}
