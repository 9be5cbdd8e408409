#!/usr/bin/env bash
# The BLAS kernel at start-up (issue 13): without OPENBLAS_CORETYPE silkflow runs
# a kernel of the class the CPU supports (AVX-512: SkylakeX, AVX2: Haswell) and
# says so in the plan line and /provenance; when OpenBLAS's own choice is older
# (OpenBLAS 0.3.21 falls back to Prescott on CPUs it does not know), silkflow
# re-executes itself with OPENBLAS_CORETYPE set, once, also under mpirun; a
# user's OPENBLAS_CORETYPE is kept; --blas-kernel=keep and SILKFLOW_BLAS_AUTO=0
# keep OpenBLAS's choice; and WIOD results are the same within 1e-12 relative
# with Prescott and with the selected kernel.
# OpenBLAS knows this test machine's CPU, so its "poor choice" is staged:
# SF_TEST_BLAS_FALLBACK=K makes silkflow take OPENBLAS_CORETYPE=K for OpenBLAS's
# own choice rather than the user's.
set -euo pipefail
py=/usr/bin/python3
T=$TMPDIR
fail() { echo "blas_kernel: $*"; exit 1; }
unset OPENBLAS_CORETYPE SILKFLOW_BLAS_AUTO SILKFLOW_BLAS_REEXEC SF_TEST_BLAS_FALLBACK
flags=$(grep -m1 '^flags' /proc/cpuinfo || true)
if [[ " $flags " == *" avx512f "* && " $flags " == *" avx512bw "* && " $flags " == *" avx512vl "* && " $flags " == *" avx512dq "* ]]; then
  want=SkylakeX; class='SkylakeX|Cooperlake|SapphireRapids'
elif [[ " $flags " == *" avx2 "* && " $flags " == *" fma "* ]]; then
  want=Haswell; class='Haswell|Zen|SkylakeX|Cooperlake|SapphireRapids'
else
  echo "skip: the CPU has neither AVX2 nor AVX-512"; exit 77
fi
ver=$("$BIN" version) || fail "'$BIN version' failed"
grep -q '^BLAS kernel: ' <<<"$ver" || { echo "skip: the BLAS is not OpenBLAS"; exit 77; }
$py -c 'import h5py, numpy' 2>/dev/null || { echo "skip: needs python3-numpy and python3-h5py"; exit 77; }

kernel_of() { sed -n 's/^BLAS kernel: \([A-Za-z0-9_]*\),.*/\1/p' <<<"$1"; }
# the staged fallback is replaced (one process), and the marker stops a loop
v=$(OPENBLAS_CORETYPE=Prescott SF_TEST_BLAS_FALLBACK=Prescott "$BIN" version)
[[ $(kernel_of "$v") == "$want" && $v == *"selected by silkflow"*"chose Prescott"* ]] || fail "fallback Prescott not replaced by $want: $v"
v=$(SILKFLOW_BLAS_REEXEC=$want:Prescott OPENBLAS_CORETYPE=Prescott SF_TEST_BLAS_FALLBACK=Prescott "$BIN" version 2>"$T/loop.err")
[[ $(kernel_of "$v") == Prescott ]] && grep -q "did not take effect" "$T/loop.err" || fail "the re-exec marker did not stop a second re-exec: $v"
# (c) opt-outs
for how in "--blas-kernel=keep" "--blas-kernel keep"; do
  v=$(OPENBLAS_CORETYPE=Prescott SF_TEST_BLAS_FALLBACK=Prescott "$BIN" $how version)
  [[ $(kernel_of "$v") == Prescott && $v == *"automatic selection off"* ]] || fail "$how did not keep Prescott: $v"
done
v=$(SILKFLOW_BLAS_AUTO=0 OPENBLAS_CORETYPE=Prescott SF_TEST_BLAS_FALLBACK=Prescott "$BIN" version)
[[ $(kernel_of "$v") == Prescott && $v == *"SILKFLOW_BLAS_AUTO=0"* ]] || fail "SILKFLOW_BLAS_AUTO=0 did not keep Prescott: $v"
set +e; err=$("$BIN" --blas-kernel=fast version 2>&1 >/dev/null); rc=$?; set -e
[[ $rc == 1 && $err == *"--blas-kernel='fast'"* ]] || fail "a bad --blas-kernel value: exit $rc, '$err'"
# another BLAS behind libblas.so.3 (update-alternatives): reported, no selection
ref=/usr/lib/x86_64-linux-gnu/blas
if [[ -e $ref/libblas.so.3 ]]; then
  v=$(LD_LIBRARY_PATH=$ref "$BIN" version) || fail "version with the reference BLAS failed"
  grep -q "^BLAS: unknown ($ref/" <<<"$v" || fail "the reference BLAS is not reported as unknown: $v"
fi

mkdir -p "$T/data"
cp data/wiod2013/WIOD2013_{2008,2009,2010,2011}_bp.zip "$T/data/"
mk() { sed -e "s#^path .*#path = $T/data#" -e "s#^models .*#models = none#" -e "s#^file .*#file = $T/$1/out.h5#" \
         -e "s#^tables .*#tables = $T/$1/tables\nreport = false#" configs/wiod2013.ini > "$T/$1.ini"; }
plan_kernel() { sed -n 's/^plan: BLAS OpenBLAS [^,]*, kernel \([A-Za-z0-9_]*\),.*/\1/p' "$1"; }
prov() { $py -c "import h5py,sys; a=h5py.File(sys.argv[1],'r')['provenance'].attrs; v=a[sys.argv[2]]; print(v.decode() if isinstance(v,bytes) else v)" "$@"; }

# (a) no OPENBLAS_CORETYPE: OpenBLAS's own choice is kept or replaced, the class is the CPU's
mk own
"$BIN" run "$T/own.ini" --years 2011 --no-lag > "$T/own.log" || fail "run without OPENBLAS_CORETYPE failed"
k=$(plan_kernel "$T/own.log")
[[ $k =~ ^($class)$ ]] || fail "without OPENBLAS_CORETYPE the plan line says kernel '$k', want $want or better: $(grep 'plan: BLAS' "$T/own.log")"
[[ $(prov "$T/own/out.h5" blas_kernel) == "$k" ]] || fail "/provenance blas_kernel is not $k"
# the staged fallback, under mpirun with 2 ranks: every rank re-executes, one plan line
mk sel
OPENBLAS_CORETYPE=Prescott SF_TEST_BLAS_FALLBACK=Prescott tests/mpirun.sh 2 "$BIN" run "$T/sel.ini" --years 2009-2011 > "$T/sel.log" \
  || fail "run (2 ranks) with the staged Prescott fallback failed"
[[ $(grep -c '^plan: BLAS' "$T/sel.log") == 1 ]] || fail "not one 'plan: BLAS' line under mpirun: $(grep -c '^plan: BLAS' "$T/sel.log")"
[[ $(plan_kernel "$T/sel.log") == "$want" ]] || fail "2 ranks: plan line $(grep 'plan: BLAS' "$T/sel.log"), want $want"
grep -q '^plan: BLAS.*selected by silkflow' "$T/sel.log" || fail "the plan line does not say silkflow selected the kernel"
[[ $(prov "$T/sel/out.h5" blas_kernel) == "$want" ]] || fail "/provenance blas_kernel of the 2-rank run is not $want"
[[ $(prov "$T/sel/out.h5" blas_kernel_selection) == "selected by silkflow"* ]] || fail "/provenance blas_kernel_selection does not say silkflow selected it"
"$BIN" inspect "$T/sel/out.h5" | grep -q "^  blas  *OpenBLAS [0-9.]*, kernel $want" || fail "inspect does not show the kernel"
# (b) the user's Prescott is kept (one process, 2 BLAS threads)
mk pre
OPENBLAS_CORETYPE=Prescott OPENBLAS_NUM_THREADS=2 "$BIN" run "$T/pre.ini" --years 2009-2011 > "$T/pre.log" || fail "run with Prescott failed"
[[ $(plan_kernel "$T/pre.log") == Prescott ]] || fail "the user's OPENBLAS_CORETYPE=Prescott was not kept: $(grep 'plan: BLAS' "$T/pre.log")"
grep -q '^plan: BLAS.*2 threads per rank; OPENBLAS_CORETYPE=Prescott set by the user' "$T/pre.log" || fail "plan line: $(grep 'plan: BLAS' "$T/pre.log")"
[[ $(prov "$T/pre/out.h5" blas_kernel) == Prescott && $(prov "$T/pre/out.h5" blas_threads) == 2 ]] || fail "/provenance of the Prescott run"
# (d) the same results with both kernels, to rounding (the datasets and
# tolerances: tests/scripts/h5_same.py)
$py tests/scripts/h5_same.py "$T/pre/out.h5" "$T/sel/out.h5" || fail "Prescott and $want results differ (above)"
echo "ok: own choice $k, fallback replaced by $want (1 and 2 ranks), user's Prescott kept, opt-outs work, results within 1e-12"
