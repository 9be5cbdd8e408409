/* silkflow's pipeline (docs/architecture.md): the run driver and its stages
 * (years, the per-year cache file, the results file, panel, network, trade,
 * estimation), and the file-level commands inspect and export. */
#ifndef SILKFLOW_PIPELINE_H
#define SILKFLOW_PIPELINE_H

#include <signal.h>

#include "silkflow/config.h"
#include "silkflow/decomp.h"
#include "silkflow/frame.h"
#include "silkflow/grid.h"
#include "silkflow/h5.h"
#include "silkflow/mrio.h"

/* One year's record: what each stage cost and what the checks found. The group
 * root fills it (src/pipeline/year.c), prints it as progress, writes it into
 * the year's attributes (sf_year_write) and every rank sends it to rank 0 for
 * the round line and the summary (fixed size, gathered as bytes). */
enum { SF_YEAR_COMPUTED = 0, SF_YEAR_REUSED = 1, SF_YEAR_FAILED = 2 };
typedef struct {
    int year;           /* 0 = no year this round */
    int status;         /* SF_YEAR_COMPUTED, SF_YEAR_REUSED or SF_YEAR_FAILED */
    int n;              /* sectors */
    double bytes_in;    /* size of the input files */
    double t_read, t_derive, t_invert, t_products, t_decompose, t_write, t_total;
    sf_inv_info inv;    /* the inversion: residual, rcond, step timings */
    sf_validation val;
    double max_identity_err, max_va_gap;
} sf_year_rec;

/* Everything one year writes to its cache file. */
typedef struct {
    int year;
    const sf_labels *lab;
    const sf_config *cfg;
    const sf_derived *d;        /* root only */
    const sf_decomp *dec;       /* root only */
    const double *B;            /* root only, NULL unless store_leontief */
    const double *exports_bilateral; /* root only, n x G */
    const double *fd_country;   /* root only, G x G: final demand of r for s's goods */
    const sf_frame *rows;       /* root only: the year's panel rows (indicators) */
    const sf_year_rec *rec;     /* timings, inversion and validation (validation: root only) */
    char **files, **hashes;     /* root only */
    char **stamps;              /* root only: "size:mtime" of each input */
    int nfiles;
    const char *year_hash;
    const char *role;           /* "panel" or "lag" */
    const char *run_id;         /* unique temporary names (sf_run_id) */
} sf_year_out;

/* Partner regions of the model: the [model] partners list resolved against
 * the table's labels (codes absent from the table are reported in one warning,
 * not an error), or every region but the focal one and an Eora ROW account. */
int sf_partners_resolve(const sf_config *cfg, const sf_labels *lab, int focal, int **idx, int *n, sf_err *e);

/* Path of a year's cache file (malloc'ed). */
char *sf_year_file_path(const char *cachedir, int year);
/* Write the year's cache file: datasets collectively over the group (MPI-IO),
 * then attributes and status = "complete" by the root, then an atomic rename.
 * Collective over g->comm. */
int sf_year_write(const sf_grid *g, const char *cachedir, const sf_year_out *o, sf_err *e);

typedef struct {
    const sf_config *cfg;
    const sf_labels *lab;
    const char *cachedir;
    const int *years;
    int nyears;
    int lag_year;
    int focal;
    const int *partners;
    int npartners;
    const int *ind_of;          /* common industry of each sector (concordance) or NULL */
    int world_size, ngroups, grid_rows, grid_cols;
    double t_start;
    const char *run_id;
} sf_run_info;

/* The panel stage (rank 0): /panel in the results file, *panel the frame. */
int sf_panel_stage(const sf_run_info *ri, sf_h5 *out, sf_frame **panel, sf_err *e);

/* The network stage (rank 0): /network/YYYY for the panel years. */
int sf_network_stage(const sf_run_info *ri, sf_h5 *out, sf_err *e);

/* The trade stage (rank 0): /trade (docs/trade.md), a printed table and
 * trade.txt/.md/.csv in the tables directory. */
int sf_trade_stage(const sf_run_info *ri, sf_h5 *out, sf_err *e);

/* The results file is assembled under <output>.partial and renamed when
 * complete. Rank 0: labels, /years from the year cache, then the panel,
 * network and trade stages. */
int sf_finish_assemble(const sf_run_info *ri, sf_err *e);
/* Rank 0, after the estimation stage wrote /estimates into the partial file:
 * the report, status = "complete", then the atomic rename. */
int sf_finish_complete(const sf_run_info *ri, sf_err *e);
/* <output>.partial.<run id> (malloc'ed). */
char *sf_partial_path(const char *out, const char *run_id);
/* "host.pid" of world rank 0, the same on every rank (collective): temporary
 * files of concurrent jobs (e.g. Slurm array tasks sharing a cache) never
 * collide. */
void sf_run_id(char *buf, size_t n);
/* Rank 0 at start: remove temporary files (*.tmp.<host>.<pid>, *.partial.<host>.<pid>)
 * that processes of this host left when they were killed (the pid is gone). */
void sf_remove_stale_temporaries(const char *cachedir, const char *out_file);

/* Units, dims and description attributes on every dataset of a results file
 * and an HDF5 dimension scale on every axis (src/pipeline/describe.c); a serial
 * file opened for writing, rank 0; running it again changes nothing. */
int sf_results_describe(sf_h5 *h, sf_err *e);
/* The same for a year's cache file (/years/YYYY and /rows), its coordinates
 * from lab, units the table's units ([data] units); the copy of /years/YYYY
 * into the results file is then described as sf_results_describe would. */
int sf_year_file_describe(sf_h5 *h, int year, const sf_labels *lab, const char *units, sf_err *e);

/* silkflow export (pipeline/export.c, docs/output.md "Tidy export"): long CSV
 * files of a results file in dir, one value per row. what: a comma list of
 * wwz, vax, vby, sector, panel, trade, estimates (NULL = all) as a mask. */
int sf_export_parse_what(const char *what, unsigned *mask, sf_err *e);
int sf_export(const char *results, const char *dir, unsigned mask, sf_err *e);

/* silkflow run (src/pipeline/run.c): every rank calls it after sf_par_init
 * with the same options; returns the exit status, with the error in e on rank
 * 0 (the caller prints it). */
typedef struct {
    const char *config;         /* the INI file */
    const char *years;          /* --years, or NULL */
    const char *output, *cache; /* --output, --cache, or NULL */
    int force, quiet, years_only, no_lag;
    const volatile sig_atomic_t *stop; /* nonzero after SIGTERM/SIGUSR1: stop at the next safe point */
} sf_run_opts;
int sf_run(const sf_run_opts *o, sf_err *e);

/* The residual check of a year's inverse (src/pipeline/verify.c): sets
 * info->passed (scaled residual below [compute] residual_max) and fails with
 * SF_EINTERNAL naming the year when it is not. */
int sf_verify_inverse(const sf_config *cfg, int year, sf_inv_info *info, sf_err *e);

/* The estimation stage (src/pipeline/estimate_stage.c): silkflow estimate and
 * the end of silkflow run. Every rank calls it with the same options; the
 * bootstrap replicates are split over the ranks; rank 0 prints the tables
 * (unless quiet), writes them to out and, with panel, /estimates of that
 * results file (unless no_write). */
typedef struct {
    const char *csv, *panel;    /* the data: a CSV file or the /panel of a results file (exactly one) */
    const char *models, *out;   /* the models file; the tables directory or NULL */
    long boot;                  /* bootstrap replicates */
    int boot_set;               /* boot replaces the models file's boot_reps */
    unsigned long long seed;
    const char *ssc;            /* small-sample convention for every model, or NULL */
    const char *vcov;           /* replaces every model's vcov, or NULL */
    const char *vcov_from;      /* where vcov came from, for messages (NULL = "--vcov") */
    int no_write, quiet;
    const volatile sig_atomic_t *stop; /* or NULL: nonzero after SIGTERM/SIGUSR1 stops between model
                                        * sections (every rank calls, they agree) */
} sf_estimate_opts;
int sf_estimate_stage(const sf_estimate_opts *o, int rank, int size, sf_err *e);

/* silkflow inspect (src/pipeline/inspect.c): a summary of a results file or a
 * year cache file on stdout (provenance, years with their checks, panel,
 * estimates; years_only: the years), and with csv the panel as a CSV file. */
int sf_inspect(const char *path, const char *csv, int years_only, sf_err *e);

#endif
