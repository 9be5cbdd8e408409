/* silkflow: the INI configuration (docs/config.md), parsed with inih
 * and validated key by key. Unknown sections/keys, bad values and missing
 * files are user errors naming the file, line and key. */
#ifndef SILKFLOW_CONFIG_H
#define SILKFLOW_CONFIG_H

#include "silkflow/common.h"

typedef struct {
    /* the file itself */
    char *path;          /* config file as given */
    char *text;          /* full text (provenance) */
    char sha256[65];     /* of text */

    /* [data] */
    char *format;        /* eora26 | mrio-tsv */
    char *data_path;     /* directory of the release (resolved) */
    char *prefix;        /* file prefix (Eora26 for eora26) */
    char *price;         /* bp | pp */
    int *years;          /* requested years (sorted); NULL/0 with years = all */
    int nyears;
    int drop_row;        /* row = drop */
    int va_table;        /* va_source = table */
    char *aliases;       /* alias file (resolved) or NULL */
    char *units;         /* units of the table's values (from the format when not set) */

    /* [model] */
    char *focal;         /* region code (e.g. CHN) */
    char *partners;      /* partner list file (resolved) or NULL = all other regions */
    int *industries;     /* 1-based industry indices */
    int nindustries;
    int ic_total;        /* ic_basis = total */
    int *tech_high;      /* industries with D2 = 1 */
    int ntech_high;
    int d3_after;        /* D3 = 1 for years > d3_after (2013) */
    char *concordance;   /* optional sector->industry concordance file (resolved) */

    /* [covariates] */
    char *cov_file;      /* optional country-year CSV (iso3,year,...) */
    char *cov_dir;       /* directory of the raw covariate sources (resolved) or NULL */
    int dis_log;         /* dis_form = log (default level: km x $, Hu 2023 Table 1) */

    /* [compute] */
    int block;           /* ScaLAPACK block size */
    int ranks_per_year;  /* 0 = auto */
    int store_leontief;
    int store_wwz;       /* 0 none, 1 country, 2 sector */
    double zero_eps;     /* zero-output threshold relative to max x */
    double mem_per_rank_gb; /* memory budget per rank (0 = from the node) */
    double residual_max; /* a year's inverse passes when its scaled residual is below this (16) */

    /* [estimate] */
    char *models;        /* models file (resolved) or NULL = none */
    int bootstrap;       /* replicates, 0 = none */
    unsigned long seed;
    double winsorize;    /* percent in each tail (1 = 1/99), 0 = off */
    int normalize;       /* min-max normalisation on */
    int itr_log;         /* itr_form = log (default): ITR, ITR1 enter as ln, before winsorising */
    int iih_form;        /* iih_form: 0 literal (default), 1 log, 2 bounded IIH / (1 + IIH) */
    char *est_vcov;      /* vcov for every model (NULL = the models file's) */

    /* [network] */
    double net_threshold; /* density threshold, share of the largest flow */

    /* [output] */
    char *out_file;      /* results file */
    char *tables_dir;    /* tables (and report) directory */
    int report;          /* write report and figures */
} sf_config;

/* Parse and validate. Relative paths are resolved against the current
 * directory when they exist there, else against the config file's directory. */
int sf_config_load(const char *path, sf_config *cfg, sf_err *e);
void sf_config_free(sf_config *cfg);
/* Hash of the settings that determine a year's results ([data], [model],
 * [compute] store keys) plus the software version: a year computed with the
 * same inputs and this hash is reused. */
void sf_config_year_hash(const sf_config *cfg, char hex[65]);
/* Override years from a --years argument; returns 0 ok. */
int sf_config_set_years(sf_config *cfg, const char *spec, sf_err *e);

#endif
