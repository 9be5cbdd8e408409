#!/usr/bin/env bash
# Malformed inputs (issue 12): each case builds a bad input from the shipped
# WIOD 2011 table in $TMPDIR. A bad case must exit 1 with exactly one line of
# output, "silkflow: error: ...", naming the file (and the line and column, or
# the zip member), and leave no file under its output directory: no results
# file, no tables, nothing in the year cache (<out>.years) a later run could
# reuse. Good cases (a UTF-8 byte order mark, an output directory that does not
# exist yet) must give the results of the plain run. Bad configs beyond these
# (reversed year ranges, years outside 1900-2100, a missing partners file, ...)
# are in config_errors.sh. MALFORMED_LOG=FILE appends "case: exit: message".
set -euo pipefail
T=$TMPDIR
Y=2011
py=/usr/bin/python3
ZTOOL=$PWD/tests/scripts/malformed_zip.py
ZIPNAME=WIOD2013_${Y}_bp.zip
MT=WIOD2013_${Y}_bp_T.txt
MFD=WIOD2013_${Y}_bp_FD.txt
unset SF_MAX_ZIP_MEMBER
mkdir -p "$T/m"
unzip -q -d "$T/m" "data/wiod2013/$ZIPNAME"
n=0
fail() { echo "case $CASE: $*"; [[ -z ${out:-} ]] || echo "$out"; exit 1; }

ini() { # the config of the current case on stdout
  cat <<INI
[data]
format = mrio-tsv
path = $C/d
prefix = WIOD2013
years = $Y
[model]
focal = CHN
[estimate]
models = none
[output]
file = $C/out/out.h5
tables = $C/out/tables
INI
}
newcase() { # newcase NAME: $C/m holds a copy of the members, $C/d the release, $C/cfg.ini the config
  CASE=$1 C=$T/$1 out=
  mkdir -p "$C/d"
  cp -r "$T/m" "$C/m"
  ini > "$C/cfg.ini"
}
pack() { (cd "$C/m" && zip -q -X "$C/d/$ZIPNAME" ./*); }
edit() { # edit MEMBER AWK-PROGRAM: rewrite a member of $C/m
  awk -F'\t' -v OFS='\t' "$2" "$C/m/$1" > "$C/m/$1.new"
  mv "$C/m/$1.new" "$C/m/$1"
}
run() { set +e; out=$("$BIN" run "$C/cfg.ini" --quiet "$@" 2>&1); rc=$?; set -e; }
log() { [[ -z ${MALFORMED_LOG:-} ]] || printf '%s: exit %s: %s\n' "$CASE" "$rc" "$out" >> "$MALFORMED_LOG"; }
failed_with() { # failed_with TEXT...: the last run failed with one error line holding every TEXT
  log
  [[ $rc == 1 ]] || fail "exit $rc, expected 1"
  [[ $(wc -l <<<"$out") == 1 && $out == "silkflow: error: "* ]] || fail "expected one line 'silkflow: error: ...'"
  for s in "$@"; do [[ $out == *"$s"* ]] || fail "the message does not say '$s'"; done
}
bad() { # bad TEXT...: the run fails with one error line holding every TEXT, and writes nothing
  run "${ARGS[@]}"
  failed_with "$@"
  if [[ -d $C/out ]]; then
    left=$(find "$C/out" ! -type d)
    [[ -z $left ]] || fail "files left behind: $left"
  fi
  n=$((n + 1))
}
ARGS=()
same() { # same A.h5 B.h5: every dataset equal (timings aside)
  $py - "$1" "$2" <<'PY'
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], 'r'), h5py.File(sys.argv[2], 'r')
n = 0
def visit(name, obj):
    global n
    if isinstance(obj, h5py.Dataset) and name != 'provenance/timings' and not name.startswith('provenance/input_'):
        x, y = obj[()], b[name][()]
        ok = x.shape == y.shape and (np.array_equal(x, y, equal_nan=True) if x.dtype.kind == 'f' else np.array_equal(x, y))
        if not ok: sys.exit(f'dataset {name} differs')
        n += 1
a.visititems(visit)
if n < 20: sys.exit(f'only {n} datasets')
PY
}

# the plain run, to compare the accepted variants with
newcase plain; pack; run
[[ $rc == 0 && -f $C/out/out.h5 ]] || fail "the plain run failed (exit $rc)"
REF=$C/out/out.h5

# ---- archives -------------------------------------------------------------------------------
newcase zip_member_cut; $py "$ZTOOL" cut "data/wiod2013/$ZIPNAME" "$C/d/$ZIPNAME" "$MT" 0.5
bad "$C/d/$ZIPNAME:$MT: " "truncated or corrupt zip member"
newcase zip_file_cut; head -c 300000 "data/wiod2013/$ZIPNAME" > "$C/d/$ZIPNAME"
bad "$C/d/$ZIPNAME: cannot open as a zip archive"
newcase not_a_zip; echo "this is not a zip archive" > "$C/d/$ZIPNAME"
bad "$C/d/$ZIPNAME: cannot open as a zip archive: Not a zip archive"
newcase empty_zip; $py "$ZTOOL" empty "$C/d/$ZIPNAME"
bad "$C/d/$ZIPNAME: empty zip archive (no members)"
newcase zero_bytes; : > "$C/d/$ZIPNAME"
bad "$C/d/$ZIPNAME: cannot open as a zip archive: Not a zip archive"
newcase member_missing; rm "$C/m/$MT"; pack
bad "$C/d/$ZIPNAME: no member $MT"
newcase symlink_loop; ln -s "$ZIPNAME" "$C/d/$ZIPNAME"
bad "$C/d/$ZIPNAME: " "symbolic links"
newcase path_symlink_loop; ln -s loop "$C/loop"; sed -i "s|^path = .*|path = $C/loop|" "$C/cfg.ini"
bad "$C/cfg.ini: [data] path = '$C/loop': Too many levels of symbolic links"

# ---- zip bombs: members that inflate beyond the limit or beyond their declared size ----------
newcase bomb_declared; $py "$ZTOOL" declare "data/wiod2013/$ZIPNAME" "$C/d/$ZIPNAME" "$MT" 12000000000
bad "$C/d/$ZIPNAME:$MT: " "declares 11.2 GiB" "limit of 63.8 MiB" "SF_MAX_ZIP_MEMBER"
newcase bomb_limit; pack
SF_MAX_ZIP_MEMBER=1M bad "$C/d/$ZIPNAME:$MT: " "declares 4.1 MiB" "limit of 1.0 MiB (SF_MAX_ZIP_MEMBER=1M)"
SF_MAX_ZIP_MEMBER=10M run
[[ $rc == 0 ]] || fail "SF_MAX_ZIP_MEMBER=10M: exit $rc, expected 0"
rm -rf "$C/out"
SF_MAX_ZIP_MEMBER=lots bad "environment variable SF_MAX_ZIP_MEMBER = 'lots': expected a size"
newcase bomb_forged; $py "$ZTOOL" pad "data/wiod2013/$ZIPNAME" "$C/d/$ZIPNAME" "$MT" 50000000
bad "$C/d/$ZIPNAME:$MT: " "inflates to more than the 4284548 bytes its header declares"

# ---- matrices -------------------------------------------------------------------------------
newcase t_text_cut; head -c 2000000 "$T/m/$MT" > "$C/m/$MT"; pack
bad "$C/d/$ZIPNAME:$MT: line 669: truncated row: 1401 numbers, expected 1435 (the sizes come from $C/d/$ZIPNAME:labels_T.txt: 1435 sectors)"
newcase t_row_missing; sed -i '$d' "$C/m/$MT"; pack
bad "$C/d/$ZIPNAME:$MT: wrong number of lines: " "after 1434 lines of numbers, expected 1435"
newcase t_extra_row; tail -n 1 "$T/m/$MT" >> "$C/m/$MT"; pack
bad "$C/d/$ZIPNAME:$MT: line 1436: too many lines"
newcase t_column_missing; edit "$MT" '{NF = 1434; print}'; pack
bad "$C/d/$ZIPNAME:$MT: line 1: truncated row: 1434 numbers, expected 1435"
newcase t_extra_column; edit "$MT" 'NR == 5 {$1436 = 7} 1'; pack
bad "$C/d/$ZIPNAME:$MT: line 5, column 1436: wrong column count: more than 1435 numbers"
newcase non_numeric; edit "$MT" 'NR == 7 {$3 = "12abc"} 1'; pack
bad "$C/d/$ZIPNAME:$MT: line 7, column 3: not a number: '12abc'"
newcase nan; edit "$MT" 'NR == 8 {$4 = "NaN"} 1'; pack
bad "$C/d/$ZIPNAME:$MT: line 8, column 4: NaN/Inf is not allowed: 'NaN'"
newcase inf; edit "$MT" 'NR == 9 {$5 = "-inf"} 1'; pack
bad "$C/d/$ZIPNAME:$MT: line 9, column 5: NaN/Inf is not allowed: '-inf'"
newcase huge; edit "$MT" 'NR == 10 {$6 = "1e400"} 1'; pack
bad "$C/d/$ZIPNAME:$MT: line 10, column 6: number out of range: '1e400'"
newcase fd_non_numeric; edit "$MFD" 'NR == 3 {$2 = "n/a"} 1'; pack
bad "$C/d/$ZIPNAME:$MFD: line 3, column 2: not a number: 'n/a'"

# a bad year after a good one (one process, and two ranks with a year each): the good year stays
# in the cache, complete; the bad one leaves nothing; no results file
newcase second_year_bad; edit "$MT" 'NR == 8 {$4 = "NaN"} 1'; pack
cp data/wiod2013/WIOD2013_2010_bp.zip "$C/d/"
sed -i 's/^years = .*/years = 2010-2011/' "$C/cfg.ini"
for np in 1 2; do
  CASE=second_year_bad_np$np
  rm -rf "$C/out"
  if [[ $np == 1 ]]; then run; else
    # mpirun's own notice (a box between lines of dashes) is not silkflow's output
    set +e; out=$(tests/mpirun.sh 2 "$BIN" run "$C/cfg.ini" --quiet 2>&1 | awk '/^-+$/ {box = !box; next} !box'); rc=$?; set -e
  fi
  failed_with "$C/d/$ZIPNAME:$MT: line 8, column 4: NaN/Inf is not allowed: 'NaN'"
  left=$(cd "$C/out" && find . ! -type d | sort | tr '\n' ' ')
  [[ $left == "./out.h5.years/2010.h5 " ]] || fail "expected only the cached 2010, found: $left"
  $py -c "import h5py,sys; s=h5py.File(sys.argv[1],'r')['years/2010'].attrs['status']; sys.exit((s.decode() if isinstance(s,bytes) else s)!='complete')" \
    "$C/out/out.h5.years/2010.h5" || fail "the cached 2010 is not complete"
  n=$((n + 1))
done

# ---- label files ----------------------------------------------------------------------------
newcase labels_too_few; sed -i '$d' "$C/m/labels_T.txt"; pack  # RoW loses a sector
bad "$C/cfg.ini: regions CHN (35 sectors) and ROW (34 sectors) use different classifications (sector counts from the labels_T.txt of $Y in $C/d)"
newcase labels_region_missing; sed -i '/^RoW/d' "$C/m/labels_T.txt" "$C/m/labels_FD.txt"; pack
bad "$C/d/$ZIPNAME:$MT: line 1, column 1401: wrong column count: more than 1400 numbers (the sizes come from $C/d/$ZIPNAME:labels_T.txt: 1400 sectors)"
newcase labels_fd_too_few; sed -i '$d' "$C/m/labels_FD.txt"; pack
bad "$C/d/$ZIPNAME:$MFD: line 1, column 205: wrong column count: more than 204 numbers (the sizes come from $C/d/$ZIPNAME:labels_T.txt: 1435 sectors, and $C/d/$ZIPNAME:labels_FD.txt: 204 final-demand columns)"
newcase region_twice_apart; edit labels_T.txt '$2 == "BEL" {$2 = "AUS"} 1'; pack
bad "$C/d/$ZIPNAME:labels_T.txt: line 71: region AUS appears again after other regions"
newcase region_twice_adjacent; edit labels_T.txt '$2 == "AUT" {$2 = "AUS"} 1'; pack
bad "$C/d/$ZIPNAME:labels_T.txt: line 36: region AUS lists its first sector 'Agriculture, Hunting, Forestry and Fishing' again (first at line 1): two regions with the same code?"
newcase labels_binary; printf 'AUS\tAUS\tIndustries\t\0x\t\n' >> "$C/m/labels_T.txt"; pack
bad "$C/d/$ZIPNAME:labels_T.txt: not a text file"

# ---- a UTF-8 byte order mark is accepted (label files and matrices), results unchanged --------
newcase bom; for f in labels_T.txt labels_FD.txt "$MT" "$MFD"; do
  { printf '\xef\xbb\xbf'; cat "$T/m/$f"; } > "$C/m/$f"; done; pack
run
[[ $rc == 0 ]] || fail "a byte order mark is refused: exit $rc"
same "$REF" "$C/out/out.h5" || fail "results differ from the run without byte order marks"

# ---- configs --------------------------------------------------------------------------------
newcase no_data_section; pack; sed -i '/^\[data\]/,/^years/d' "$C/cfg.ini"
bad "$C/cfg.ini: [data] path is required"
newcase years_not_in_release; pack; sed -i 's/^years = .*/years = 2010-2012/' "$C/cfg.ini"
bad "$C/cfg.ini: [data] years: no data for 2010, 2012 in $C/d" "the release holds $Y"
newcase partners_missing; pack; sed -i "s|^focal = CHN|&\npartners = $C/nofile.txt|" "$C/cfg.ini"
bad "$C/cfg.ini: [model] partners = '$C/nofile.txt': No such file or directory"
newcase partners_is_dir; pack; sed -i "s|^focal = CHN|&\npartners = $C/d|" "$C/cfg.ini"
bad "$C/cfg.ini: [model] partners = '$C/d': a directory, expected a file"
newcase out_under_file; pack; : > "$C/file.txt"; sed -i "s|^file = .*|file = $C/file.txt/sub/out.h5|" "$C/cfg.ini"
bad "$C/file.txt/sub: cannot create directory for [output] file: Not a directory"
newcase out_is_dir; pack; mkdir -p "$C/out/dir"; sed -i "s|^file = .*|file = $C/out/dir|" "$C/cfg.ini"
bad "$C/cfg.ini: [output] file = '$C/out/dir': is a directory, expected the name of the results file"
newcase out_is_input_zip; pack; sed -i "s|^file = .*|file = $C/d/$ZIPNAME|" "$C/cfg.ini"
sum=$(sha256sum < "$C/d/$ZIPNAME")
bad "[output] file = '$C/d/$ZIPNAME'" "is an input"
[[ $(sha256sum < "$C/d/$ZIPNAME") == "$sum" && ! -e $C/d/$ZIPNAME.years ]] || fail "the input zip was touched"
newcase out_is_config; pack; sed -i "s|^file = .*|file = $C/cfg.ini|" "$C/cfg.ini"
bad "[output] file = '$C/cfg.ini'" "is an input"
newcase out_is_partners; pack; cp configs/countries/bri-wiod.txt "$C/p.txt"
sed -i "s|^focal = CHN|&\npartners = $C/p.txt|; s|^file = .*|file = $C/p.txt|" "$C/cfg.ini"
bad "[output] file = '$C/p.txt'" "is an input"
newcase out_readonly
if [[ $(id -u) == 0 ]]; then
  echo "out_readonly: skipped (root writes into read-only directories; out_under_file covers an unwritable path)"
else
  pack; mkdir -p "$C/ro"; chmod 555 "$C/ro"; sed -i "s|^file = .*|file = $C/ro/out.h5|" "$C/cfg.ini"
  bad "$C/ro/out.h5" "Permission denied"
fi
# an output directory that does not exist yet is created
newcase out_new_dir; pack; sed -i "s|^file = .*|file = $C/out/new/deeper/out.h5|" "$C/cfg.ini"
run
[[ $rc == 0 && -f $C/out/new/deeper/out.h5 ]] || fail "a new output directory: exit $rc, no results file"
same "$REF" "$C/out/new/deeper/out.h5" || fail "results differ from the plain run"

echo "$n malformed inputs refused with one message naming the file; a byte order mark and a new output directory accepted"
