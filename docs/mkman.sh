#!/usr/bin/env bash
# docs/mkman.sh BIN > silkflow.1: the man page of silkflow, generated from
# `BIN --help` and `BIN <command> --help` (so it says what the binary says);
# used by `make install`. The help texts are kept as preformatted blocks.
set -euo pipefail
bin=${1:?usage: docs/mkman.sh path/to/silkflow}
# roff-safe text: backslashes as \e, a leading . or ' escaped with \&
esc() { sed -e 's/\\/\\e/g' -e "s/^\([.']\)/\\\\\&\1/"; }
block() { printf '.nf\n'; esc; printf '.fi\n'; }
version=$("$bin" version 2>/dev/null | head -n 1 | sed -n 's/^silkflow \([^ ,]*\).*/\1/p')
[[ -n $version ]] || { echo "mkman: $bin version gives no version line" >&2; exit 1; }
date=${SOURCE_DATE_EPOCH:+$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)}
date=${date:-$(date -u +%Y-%m-%d)}
main=$("$bin" --help)
cat <<EOF
.TH SILKFLOW 1 "$date" "silkflow $version" "User Commands"
.SH NAME
silkflow \\- multi-region input-output economics: Leontief inversion, WWZ decompositions, indicators and estimation
.SH SYNOPSIS
.B silkflow
.I command
[\\fIoptions\\fR]
.SH DESCRIPTION
EOF
block <<<"$main"
echo '.SH COMMANDS'
for c in $(sed -n '/^commands:/,/^$/p' <<<"$main" | awk 'NR > 1 && NF {print $1}'); do
  printf '.SS "silkflow %s"\n' "$c"
  "$bin" "$c" --help | block
done
datadir=${SILKFLOW_DATADIR:-}
cat <<EOF
.SH FILES
.TP
.I ${datadir:-PREFIX/share/silkflow}
the data directory: the shipped configs (configs/), the WIOD 2013 tables, country lists and
covariate sources (data/) and the models files (jobs/). A relative input path of a config is
looked up beside the config file first, then here.
.SH ENVIRONMENT
.TP
.B SILKFLOW_DATADIR
use this data directory instead of the installed one.
.TP
.B OPENBLAS_CORETYPE\\fR, \\fBSILKFLOW_BLAS_AUTO
the BLAS kernel (see DESCRIPTION).
.SH EXIT STATUS
0 success, 1 user error (bad config or input), 2 internal or numerical failure.
.SH SEE ALSO
.BR mpirun (1),
.BR srun (1);
the documentation in the source tree: README.md, docs/config.md, docs/output.md, docs/methods.md.
EOF
