#!/usr/bin/env bash
# A full-size synthetic Eora26 year (silkflow synth: 190 regions incl. the
# one-sector ROW, real labels) read by the reader, ROW kept and dropped:
# 4915 x 4915 + 1140 FD columns + 6 VA rows, and 4914 / 1134 after the drop.
# Skipped where the synth subcommand is not available.
set -euo pipefail
T="$BUILD/tests/test_reader"
[[ -x $T ]] || { echo "skip: $T not built"; exit 77; }
"$BIN" synth --help 2>&1 | grep -q -- '--out' || { echo "skip: no silkflow synth"; exit 77; }
"$BIN" synth --out "$TMPDIR/eora" --format eora26 --years 2015 --quiet
out=$("$T" --read "$TMPDIR/eora" Eora26 2015)
echo "$out"
grep -q '^keep G=190 n=4915 nfd=1140 nva=6 max_sectors=26 homogeneous=0 ' <<<"$out"
grep -q '^drop G=189 n=4914 nfd=1134 nva=6 max_sectors=26 homogeneous=1 row_dropped=1$' <<<"$out"
grep -q '^dropped table differs from the kept one in 0 cells; 0 non-finite values$' <<<"$out"
