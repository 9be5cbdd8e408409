# Shared helpers of the bench scripts (source it from the repository root).

# med V...: the median of the numbers
med() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}'; }

# stage_sum STAGES [YEAR] < LOG: "SUM N" over the progress lines of `silkflow run`
# ([timestamp] [round r/R] year YYYY STAGE SECONDS s ..., docs/hpc.md "Progress"): the seconds of
# the stages in the comma list STAGES (of YEAR only, when given) and how many lines matched
stage_sum() {
  awk -v st=",$1," -v yr="${2:-}" '{for (i = 1; i + 3 <= NF; i++)
      if ($i == "year" && $(i+1) ~ /^[0-9]+$/ && index(st, "," $(i+2) ",") && (yr == "" || $(i+1) == yr)) {t += $(i+3); n++; break}}
    END{printf "%.3f %d\n", t, n}'
}

# eora_ini FILE DATA YEARS OUTDIR [KEY = VALUE ...]: a config for the synthetic Eora26 release in
# DATA (no estimation, no report) writing OUTDIR/out.h5; the extra lines go into [compute]
eora_ini() {
  local f=$1 data=$2 years=$3 out=$4
  shift 4
  {
    printf '[data]\nformat = eora26\npath = %s\nyears = %s\n' "$data" "$years"
    printf '[model]\nfocal = CHN\npartners = configs/countries/bri-eora.txt\n[compute]\n'
    for kv in "$@"; do printf '%s\n' "$kv"; done
    printf '[estimate]\nmodels = none\n[output]\nfile = %s/out.h5\ntables = %s/tables\nreport = false\n' "$out" "$out"
  } >"$f"
}
