#!/usr/bin/env python3
"""The architecture rules of docs (issue 14), checked on the built objects with nm.

Modules are the folders of src/ (build/<module>/<file>.o). Rules:
  1. a module calls only the modules below it in LAYERS' allowed edges;
  2. no circle between object files (a calls b calls ... a);
  3. MPI_/BLACS/ScaLAPACK symbols only in src/par (and MPI-IO in the HDF5 layer io/h5);
  4. H5* symbols only in the HDF5 layer (io/h5);
  5. no function in src/ longer than MAX_LINES lines.
Known violations are listed in tests/arch/allowed.txt, one per line, so that the
list can only shrink: a violation not listed fails, and so does a listed one that no
longer occurs (remove it from the list).
Usage: deps_check.py BUILD_DIR ALLOWED_FILE.  Exit 0 clean, 1 violations."""
import collections, glob, os, subprocess, sys

ALLOWED = {
    'util': set(),
    'core': {'util'},
    'par': {'util', 'core'},
    'io': {'util', 'core'},
    'stats': {'util', 'io'},
    'covariates': {'util', 'io', 'core'},
    'synth': {'util', 'io', 'core'},
    'report': {'util', 'io', 'stats'},
    'pipeline': {'util', 'io', 'core', 'par', 'stats', 'report', 'covariates', 'synth'},
    'cli': {'util', 'io', 'core', 'par', 'stats', 'report', 'covariates', 'synth', 'pipeline'},
}
MPI_PREFIX = ('MPI_', 'PMPI_', 'ompi_', 'Cblacs', 'blacs_', 'pd', 'numroc_', 'descinit_', 'indxg2')
HDF5_LAYER = {'io/h5'}
MAX_LINES = 150


def long_functions(src):
    """'long FILE:FUNCTION' for every function body over MAX_LINES lines (the code is
    clang-formatted: a function's braces sit alone in column 0)."""
    out = set()
    for path in sorted(glob.glob(os.path.join(src, '**', '*.c'), recursive=True)):
        lines = open(path, encoding='utf-8', errors='replace').read().split('\n')
        start = None
        for i, line in enumerate(lines):
            if line == '{' and i > 0:
                start = i
                head = ' '.join(lines[max(0, i - 3):i])
                name = head.split('(')[0].split()[-1].lstrip('*') if '(' in head else '?'
            elif line.startswith('}') and start is not None:
                if i - start - 1 > MAX_LINES:
                    out.add(f'long {os.path.relpath(path, os.path.dirname(src))}:{name}')
                start = None
    return out


def symbols(obj):
    out = subprocess.run(['nm', obj], capture_output=True, text=True, check=True).stdout
    d, u = set(), set()
    for line in out.splitlines():
        p = line.split()
        if len(p) == 3 and p[1] in 'TDBRCG':
            d.add(p[2])
        elif len(p) == 2 and p[0] == 'U':
            u.add(p[1])
    return d, u


def main(build, allowed_file):
    objs = sorted(o for o in glob.glob(os.path.join(build, '*', '*.o')) if '/tests/' not in o)
    if not objs:
        print(f'deps_check: no objects under {build}/*/ (build first)')
        return 1
    name = {o: os.path.relpath(o, build)[:-2] for o in objs}  # io/h5
    defs, undef = {}, {}
    for o in objs:
        d, u = symbols(o)
        undef[o] = u
        for s in d:
            defs[s] = o
    found = set()
    graph = collections.defaultdict(set)
    for o in objs:
        mod = name[o].split('/')[0]
        for s in undef[o]:
            if s in defs and defs[s] != o:
                t = defs[s]
                graph[name[o]].add(name[t])
                tmod = name[t].split('/')[0]
                if tmod != mod and tmod not in ALLOWED.get(mod, set()):
                    found.add(f'edge {mod} -> {tmod}')
            if s.startswith(MPI_PREFIX) and s not in defs and not name[o].startswith('par/') \
                    and not (name[o] in HDF5_LAYER and s.startswith(('MPI_', 'ompi_'))):
                found.add(f'mpi {name[o]}')
            if s.startswith('H5') and s not in defs and name[o] not in HDF5_LAYER:
                found.add(f'hdf5 {name[o]}')
    # circles between files: strongly connected components of more than one file
    index, low, stack, on, comps, n = {}, {}, [], set(), [], [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            c = []
            while True:
                w = stack.pop()
                on.discard(w)
                c.append(w)
                if w == v:
                    break
            if len(c) > 1:
                comps.append(sorted(c))

    for v in sorted(name.values()):
        if v not in index:
            visit(v)
    for c in comps:
        found.add('circle ' + ' '.join(c))
    found |= long_functions(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'src'))
    allowed = set()
    if os.path.exists(allowed_file):
        for line in open(allowed_file):
            line = line.split('#')[0].strip()
            if line:
                allowed.add(line)
    new = sorted(found - allowed)
    gone = sorted(allowed - found)
    for v in new:
        print(f'FAIL {v}: breaks the module rules (docs/architecture.md)')
    for v in gone:
        print(f'FAIL {v}: listed in {allowed_file} but no longer occurs: remove the line')
    print(f'deps_check: {len(objs)} objects, {len(found)} known violation(s) left, {len(new)} new, {len(gone)} stale')
    return 1 if new or gone else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1], sys.argv[2]))
