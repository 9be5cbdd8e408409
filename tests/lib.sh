# Shared helpers of the scripted tests (source it from tests/scripts/*.sh, run from the
# repository root as tests/run.sh does).

# wiod_ini FILE DATA YEARS: the [data], [model] and [covariates] sections of a small
# WIOD 2013 config (the release in DATA, China and the BRI partners); the caller
# appends its own [estimate] and [output] sections.
wiod_ini() {
    cat >"$1" <<INI
[data]
format = mrio-tsv
path = $2
prefix = WIOD2013
years = $3
[model]
focal = CHN
partners = configs/countries/bri-wiod.txt
industries = 3-16
tech_high = 8-15
[covariates]
sources = data/covariates
INI
}

# ---- results files of the shipped WIOD 2013 release (export, xarray_open, report_render,
# diagnostics_wiod, tables_rerender, latex_tables)

# wiod_run_ini FILE YEARS OUT MODELS [report]: a complete config on data/wiod2013 (wiod_ini, the
# release's units, [compute] block = 64) writing OUT/res.h5 and OUT/tables; MODELS = none or a
# models file (then bootstrap = 0); report = false unless the fifth argument is "report".
wiod_run_ini() {
    wiod_ini "$1" data/wiod2013 "$2"
    sed -i 's/^prefix = WIOD2013$/&\nunits = millions of current US$/' "$1"
    {
        printf '[compute]\nblock = 64\n[estimate]\nmodels = %s\n' "$4"
        [[ $4 == none ]] || printf 'bootstrap = 0\n'
        printf '[output]\nfile = %s/res.h5\ntables = %s/tables\n' "$3" "$3"
        [[ ${5:-} == report ]] || printf 'report = false\n'
    } >>"$1"
}

# paper_ini FILE YEARS BOOTSTRAP MODELS OUT: configs/wiod2013.ini (the paper's settings) on YEARS
# with the bootstrap draws, the models file, OUT/res.h5, OUT/tables and no report.
paper_ini() {
    sed "s/^years .*/years = $2/; s/^bootstrap .*/bootstrap = $3/; s#^models .*#models = $4#;
         s#^file .*#file = $5/res.h5#; s#^tables .*#tables = $5/tables#; s#^\[output\]#[output]\nreport = false#" \
        configs/wiod2013.ini >"$1"
}

# two_models FILE: two small models of Table 2 (clustered by pair, no bootstrap); callers append more.
two_models() {
    cat >"$1" <<'M'
[defaults]
vcov = cluster(pair)
bootstrap = none
table = table2
title = Table 2: Benchmark regression
[m1]
formula = IC ~ ITR | industry + partner + year
[m2]
formula = IIn ~ ITR + GVC_P | industry + partner + year
M
}

# run_ok INI LOG [ARGS...]: silkflow run INI --quiet ARGS, output to LOG; on failure one line
# "FAIL silkflow run: <the log's last line>" and status 1.
run_ok() {
    local ini=$1 log=$2
    shift 2
    "$BIN" run "$ini" --quiet "$@" >"$log" 2>&1 || { echo "FAIL silkflow run $ini: $(tail -1 "$log")"; return 1; }
}
