#!/usr/bin/env bash
# The module rules (docs/architecture.md) on the built objects: downward module
# dependencies only, no circles between files, MPI only in src/par, HDF5 only in the
# HDF5 layer, no function over 150 lines; known violations in tests/arch/allowed.txt
# (a list that may only shrink). First a self-test on two tiny objects that break a
# rule, so that the checker is known to fail when it should.
set -uo pipefail
BUILD=${BUILD:-build}
T=${TMPDIR:-/tmp}
mkdir -p "$T/b/util" "$T/b/cli" "$T/arch"
printf 'int sf_cli_thing(void);\nint sf_util_thing(void) { return sf_cli_thing(); }\n' >"$T/u.c"
printf 'int sf_cli_thing(void) { return 1; }\n' >"$T/c.c"
cc -c "$T/u.c" -o "$T/b/util/u.o" && cc -c "$T/c.c" -o "$T/b/cli/c.o" || { echo "FAIL self-test: cc failed"; exit 1; }
out=$(/usr/bin/python3 tests/arch/deps_check.py "$T/b" "$T/arch/none.txt" 2>&1)
grep -q 'FAIL edge util -> cli' <<<"$out" || { echo "FAIL self-test: a util -> cli call was not reported: $out"; exit 1; }
/usr/bin/python3 tests/arch/deps_check.py "$BUILD" tests/arch/allowed.txt
