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
