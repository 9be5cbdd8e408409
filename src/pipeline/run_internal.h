/* Internal to src/pipeline: the run driver's context (run.c), one year
 * (year.c) and the progress lines (progress.c). */
#ifndef SILKFLOW_RUN_INTERNAL_H
#define SILKFLOW_RUN_INTERNAL_H

#include "silkflow/grid.h"
#include "silkflow/pipeline.h"

/* Where a group is in its years, for the progress lines of its root. */
typedef struct {
    int round, rounds;   /* the current round (1-based) and the rounds of the run */
    double t_start;      /* start of the run (sf_now) */
    double t_year;       /* start of the current year */
    int left;            /* this group's years after the current one */
    int computed;        /* years this group computed so far */
    double t_computed;   /* their seconds */
} sf_run_progress;

typedef struct {
    sf_config cfg;
    sf_source src;
    sf_labels *lab;
    int focal;
    int force, quiet;
    char *cachedir;
    int *years;         /* all years computed (with the lag year first when present) */
    int nyears;
    int lag_year;       /* the year before the first panel year, or 0 */
    sf_plan plan;
    sf_grid grid;
    char year_hash[65];
    int *partners;      /* region indices */
    int npartners;
    int *ind_of;        /* common industry of each sector (concordance) or NULL = identity */
    char run_id[96];    /* host.pid of world rank 0: unique temporary names */
    sf_run_progress pg;
} sf_run_ctx;

/* One year on this rank's group (src/pipeline/year.c): the cache decision,
 * then read, invert, decompose and write, or reuse. Collective over the group;
 * rec is complete on the group root. */
int sf_year_process(sf_run_ctx *c, int year, sf_year_rec *rec, sf_err *e);

/* Progress lines (src/pipeline/progress.c): "[round k/N] year YYYY stage ...;
 * elapsed, ETA" as a group root finishes a stage of its year. */
enum { SF_STAGE_READ, SF_STAGE_INVERT, SF_STAGE_DECOMPOSE, SF_STAGE_WRITE, SF_STAGE_REUSE };
void sf_progress_stage(sf_run_progress *pg, const sf_year_rec *r, int stage);
/* Rank 0 after round k: the years of the round (recs: one per world rank,
 * roots holds the group roots' ranks) and the ETA of the remaining rounds. */
void sf_progress_round(const sf_run_progress *pg, const sf_year_rec *recs, const int *roots, int ngroups,
                       double t_years);

#endif
