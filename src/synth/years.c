/* silkflow synth's years (silkflow synth --help): the years of a release over a
 * pool of threads, each writing whole years (sf_synth_write_year is
 * thread-safe for distinct years), a progress line per finished year. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "silkflow/common.h"
#include "silkflow/synth.h"

typedef struct {
    const sf_synth *s;
    const int *years;
    int nyears, next, quiet, rc;
    sf_err err;
    pthread_mutex_t mu;
} pool_t;

static void *worker(void *arg)
{
    pool_t *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        int k = p->rc ? p->nyears : p->next++;
        pthread_mutex_unlock(&p->mu);
        if (k >= p->nyears) break;
        sf_synth_year_stats st;
        sf_err e;
        sf_err_clear(&e);
        int rc = sf_synth_write_year(p->s, p->years[k], &st, &e);
        pthread_mutex_lock(&p->mu);
        if (rc) {
            if (!p->rc) {
                p->rc = rc;
                p->err = e;
            }
        } else if (!p->quiet) {
            printf("synth %d %8.2f s %9.1f MB  (text %.1f MB, world output %.4g k$, max colsum A %.3f, "
                   "%d zero-output sectors)\n",
                   st.year, st.seconds, st.zip_bytes / 1e6, st.text_bytes / 1e6, st.world_output, st.max_colsum,
                   st.n_zero_output);
            fflush(stdout);
        }
        pthread_mutex_unlock(&p->mu);
    }
    return NULL;
}

int sf_synth_write_years(const sf_synth *s, const int *years, int ny, int jobs, int quiet, sf_err *e)
{
    pool_t p;
    memset(&p, 0, sizeof p);
    p.s = s;
    p.years = years;
    p.nyears = ny;
    p.quiet = quiet;
    pthread_mutex_init(&p.mu, NULL);
    if (jobs > ny) jobs = ny;
    if (jobs <= 1) {
        worker(&p);
    } else {
        pthread_t *th = sf_malloc(sizeof(pthread_t) * (size_t)jobs);
        int started = 0;
        for (int k = 0; k < jobs; k++) {
            if (pthread_create(&th[k], NULL, worker, &p) != 0) break;
            started++;
        }
        if (started == 0) worker(&p);
        for (int k = 0; k < started; k++) pthread_join(th[k], NULL);
        free(th);
    }
    pthread_mutex_destroy(&p.mu);
    if (p.rc) *e = p.err;
    return p.rc;
}
