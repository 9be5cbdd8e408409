#!/usr/bin/env bash
# Issue 15 point 4: `make install PREFIX=... [DESTDIR=...]` and config paths
# (docs/config.md). Into a temporary PREFIX:
#  - the binary, share/silkflow/{configs,data,jobs} (file for file the repository's) and a man page that
#    `man -l` renders (no groff warnings), naming every command of --help;
#  - the installed binary's data directory is PREFIX/share/silkflow (`version`), SILKFLOW_DATADIR
#    overrides it; with DESTDIR the files are staged but the binary still points at PREFIX;
#  - the installed config, run from an unrelated working directory; a copy of it in another
#    directory, run from a third one (inputs found in the data directory: /years/2011 input_files and
#    the source path point there); a partner file beside the copy wins over the installed one (the
#    panel's partners are the 3 of that file, against h5py); a missing file: one error naming the
#    config, the key and both places tried;
#  - the uninstalled bin/silkflow with the repository's config from an unrelated directory;
#  - `make uninstall` removes all of it.
set -euo pipefail
py=/usr/bin/python3
$py -c 'import h5py' 2>/dev/null || { echo "skip: no h5py for /usr/bin/python3"; exit 77; }
fail() { echo "FAIL $*"; exit 1; }
ROOT=$PWD
T=$TMPDIR
san=; [[ ${BUILD:-build} == build-san ]] && san=1
BINR=$(realpath "${BIN:-bin/silkflow}")
P=$T/prefix
S=$P/share/silkflow

make -s SAN=$san install PREFIX="$P" > "$T/install.log" 2>&1 || { tail -n 20 "$T/install.log"; fail "make install failed"; }
[[ -x $P/bin/silkflow ]] || fail "no $P/bin/silkflow"
for d in configs data jobs; do
  diff -r "$ROOT/$d" "$S/$d" > /dev/null || fail "$S/$d differs from the repository's $d/"
done
"$P/bin/silkflow" version | grep -qx "data directory: $S" || fail "the installed binary's data directory is not $S: $("$P/bin/silkflow" version | tail -n 1)"
SILKFLOW_DATADIR=/x/y "$P/bin/silkflow" version | grep -qx "data directory: /x/y" || fail "SILKFLOW_DATADIR does not override the data directory"

# the man page
M=$P/share/man/man1/silkflow.1
[[ -s $M ]] || fail "no man page $M"
MANWIDTH=100 MANPAGER=cat man -l "$M" > "$T/man.txt" 2> "$T/man.err" || fail "man -l $M failed: $(cat "$T/man.err")"
warn=$(groff -man -Tutf8 -ww -z "$M" 2>&1) || true
[[ -z $warn ]] || fail "groff warns on the man page: $warn"
for c in run estimate synth inspect report version; do
  grep -q "^   silkflow $c\$" "$T/man.txt" || fail "the man page has no section for 'silkflow $c'"
  grep -q "usage: silkflow $c" "$T/man.txt" || fail "the man page lacks the usage of 'silkflow $c'"
done
grep -q 'SILKFLOW_DATADIR' "$T/man.txt" && grep -q "$S" "$T/man.txt" || fail "the man page does not name the data directory"

# the installed config, from an unrelated working directory (computes the years: every input resolves)
mkdir -p "$T/cwd1" && cd "$T/cwd1"
"$P/bin/silkflow" run "$S/configs/wiod2013.ini" --years 2011 --no-lag --years-only --quiet > run1.log 2>&1 \
  || { cat run1.log; fail "the installed config does not run from $PWD"; }
[[ -f out/wiod2013-bri.h5.years/2011.h5 ]] || fail "no year cache under the working directory"

# a copy in another directory, run from a third one, without estimation
mkdir -p "$T/elsewhere" "$T/cwd2"
sed -e 's|^models .*|models = none|' -e 's|^file .*|file = res/o.h5|' -e 's|^tables .*|tables = res/tables|' \
    -e 's|^years .*|years = 2011|' "$S/configs/wiod2013.ini" > "$T/elsewhere/my.ini"
cd "$T/cwd2"
"$P/bin/silkflow" run "$T/elsewhere/my.ini" --quiet > run2.log 2>&1 || { cat run2.log; fail "a copy of the config does not run from $PWD"; }
[[ -f res/o.h5 ]] || fail "no results file res/o.h5 under the working directory"
$py - res/o.h5 "$S" <<'PY' || fail "the copy's inputs were not the installed data"
import sys, h5py
f = h5py.File(sys.argv[1], 'r')
s = sys.argv[2]
files = [x.decode() if isinstance(x, bytes) else x for x in f['years/2011'].attrs['input_files']]
src = f.attrs['source_path']
src = src.decode() if isinstance(src, bytes) else src
assert files == [s + '/data/wiod2013/WIOD2013_2011_bp.zip'], files
assert src == s + '/data/wiod2013', src
p = {x.decode() if isinstance(x, bytes) else x for x in f['panel/partner'][()]}
assert len(p) > 3, p
PY

# a partner file beside the copy comes first
mkdir -p "$T/elsewhere/configs/countries"
printf 'IND\nRUS\nTUR\n' > "$T/elsewhere/configs/countries/bri-wiod.txt"
sed -i 's|^file .*|file = res3/o.h5|; s|^tables .*|tables = res3/tables|' "$T/elsewhere/my.ini"
"$P/bin/silkflow" run "$T/elsewhere/my.ini" --quiet > run3.log 2>&1 || { cat run3.log; fail "the copy with its own partner file failed"; }
$py -c "import h5py, sys
p = sorted({x.decode() if isinstance(x, bytes) else x for x in h5py.File('res3/o.h5', 'r')['panel/partner'][()]})
sys.exit(0 if p == ['IND', 'RUS', 'TUR'] else 'partners %s, expected IND RUS TUR from the file beside the config' % p)" \
  || fail "the partner file beside the config was not the one used"

# a missing input: one error naming the config, the key and both places tried
sed 's|^partners .*|partners = lists/none.txt|' "$T/elsewhere/my.ini" > "$T/elsewhere/bad.ini"
set +e; err=$("$P/bin/silkflow" run "$T/elsewhere/bad.ini" 2>&1 >/dev/null); rc=$?; set -e
[[ $rc == 1 ]] || fail "a missing partner file: exit $rc, expected 1"
[[ $(grep -c '^silkflow: error: ' <<<"$err") == 1 ]] || fail "a missing partner file: not exactly one error line: $err"
want="silkflow: error: $T/elsewhere/bad.ini: [model] partners = 'lists/none.txt': no such file or directory (looked beside the config, $T/elsewhere/lists/none.txt, and in the data directory, $S/lists/none.txt"
[[ $err == "$want"* ]] || fail "a missing partner file says: $err"
# SILKFLOW_DATADIR elsewhere: the data are not found, and the message says where it looked
set +e; err=$(SILKFLOW_DATADIR=$T/nowhere "$P/bin/silkflow" run "$T/elsewhere/my.ini" 2>&1 >/dev/null); rc=$?; set -e
[[ $rc == 1 && $err == *"[data] path = 'data/wiod2013': no such file or directory"*"$T/nowhere/data/wiod2013"* ]] \
  || fail "SILKFLOW_DATADIR=$T/nowhere: exit $rc: $err"

# the uninstalled binary and the repository's config from an unrelated directory
mkdir -p "$T/cwd3" && cd "$T/cwd3"
"$BINR" run "$ROOT/configs/wiod2013.ini" --years 2011 --no-lag --years-only --quiet > run4.log 2>&1 \
  || { cat run4.log; fail "bin/silkflow with configs/wiod2013.ini does not run from $PWD"; }
cd "$ROOT"

# DESTDIR stages the files; the binary still points at PREFIX
make -s SAN=$san install PREFIX=/opt/sf-test DESTDIR="$T/stage" > "$T/install2.log" 2>&1 || { tail "$T/install2.log"; fail "make install DESTDIR failed"; }
[[ -x $T/stage/opt/sf-test/bin/silkflow && -f $T/stage/opt/sf-test/share/silkflow/configs/wiod2013.ini && \
   -f $T/stage/opt/sf-test/share/man/man1/silkflow.1 ]] || fail "DESTDIR: files missing under $T/stage/opt/sf-test"
[[ ! -e /opt/sf-test ]] || fail "DESTDIR install wrote /opt/sf-test"
"$T/stage/opt/sf-test/bin/silkflow" version | grep -qx "data directory: /opt/sf-test/share/silkflow" || fail "DESTDIR: the binary's data directory is not PREFIX's"
make -s SAN=$san uninstall PREFIX=/opt/sf-test DESTDIR="$T/stage" > /dev/null
[[ -z $(find "$T/stage" -type f) ]] || fail "uninstall DESTDIR left files: $(find "$T/stage" -type f | head -3)"

# uninstall
make -s SAN=$san uninstall PREFIX="$P" > /dev/null
[[ ! -e $P/bin/silkflow && ! -e $S && ! -e $M ]] || fail "make uninstall left files under $P"
echo "install: binary, $(find "$ROOT/configs" "$ROOT/data" "$ROOT/jobs" -type f | wc -l) shipped files and the man page; installed, copied and uninstalled configs run from other directories; uninstall clean"
