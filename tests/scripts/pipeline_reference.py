#!/usr/bin/python3
"""The whole distributed pipeline against the decompr/exvatools references.

make  DIR REF   : write the reference table REF (tests/data/reference/decomp/REF)
                  as a one-year release in the Eora26 on-disk layout (mrio-tsv,
                  prefix REF) plus a config, in DIR.
check DIR REF H5: compare the results file H5 with the references: leontief
                  (B.csv), x, exports, vby (VBY), wwz (all 16 terms by name),
                  wwz_country, to 1e-12 relative.
same  A.h5 B.h5 : every numeric dataset of A equals B's to 1e-13 relative.
"""
import csv, os, sys
import numpy as np
import h5py

REF = 'tests/data/reference/decomp'
CODES = {'leather': ['ARG', 'TUR', 'DEU'], 'rand4x3': ['CAA', 'CBB', 'CCC', 'CDD']}


def meta(ref):
    m = {}
    for line in open(os.path.join(REF, ref, 'in_meta.txt')):
        k, *v = line.split()
        m[k] = v
    return m


def read_csv(ref, name):
    with open(os.path.join(REF, ref, name)) as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def matrix(ref, name):
    hdr, rows = read_csv(ref, name)
    return np.array([[float(x) for x in r[1:]] for r in rows])


def make(d, ref):
    m = meta(ref)
    G, N, nfd = int(m['G'][0]), int(m['N'][0]), int(m['FD_per_country'][0])
    codes = CODES.get(ref, m['countries'])
    Z = matrix(ref, 'in_Z.csv')
    F = matrix(ref, 'in_Yfd.csv')
    XV = matrix(ref, 'in_X_VA.csv')
    os.makedirs(d, exist_ok=True)
    fmt = lambda row: '\t'.join(repr(float(x)) for x in row) + '\n'
    with open(f'{d}/REF_2000_bp_T.txt', 'w') as f:
        f.writelines(fmt(r) for r in Z)
    with open(f'{d}/REF_2000_bp_FD.txt', 'w') as f:
        f.writelines(fmt(r) for r in F)
    with open(f'{d}/REF_2000_bp_VA.txt', 'w') as f:
        f.write(fmt(XV[:, 1]))
    with open(f'{d}/labels_T.txt', 'w') as f:
        for g in range(G):
            for i in range(N):
                f.write(f'{m["countries"][g]}\t{codes[g]}\tIndustries\t{m["industries"][i]}\t\n')
    with open(f'{d}/labels_FD.txt', 'w') as f:
        for g in range(G):
            for k in range(nfd):
                f.write(f'{m["countries"][g]}\t{codes[g]}\tFinal Demand\tFD{k + 1}\t\n')
    with open(f'{d}/labels_VA.txt', 'w') as f:
        f.write('Primary Inputs\tValue added\t\n')


def near(a, b, tol, what):
    a, b = np.asarray(a, float), np.asarray(b, float)
    assert a.shape == b.shape, f'{what}: shape {a.shape} vs {b.shape}'
    err = np.max(np.abs(a - b) / np.maximum(1.0, np.abs(b))) if a.size else 0.0
    assert err <= tol, f'{what}: max relative error {err:.3g} > {tol}'
    return err


def check(d, ref, h5):
    m = meta(ref)
    G, N = int(m['G'][0]), int(m['N'][0])
    f = h5py.File(h5, 'r')
    y = f['/years/2000']
    st = y.attrs['status']
    assert (st.decode() if isinstance(st, bytes) else st) == 'complete', st
    worst = 0
    worst = max(worst, near(y['leontief'][()], matrix(ref, 'B.csv'), 1e-12, 'B'))
    vxe = matrix(ref, 'v_X_E.csv')
    worst = max(worst, near(y['x'][()], vxe[:, 1], 1e-12, 'x'))
    worst = max(worst, near(y['exports'][()], vxe[:, 2], 1e-12, 'exports'))
    worst = max(worst, near(y['sector/v'][()], vxe[:, 0], 1e-12, 'v'))
    worst = max(worst, near(y['vby'][()], matrix(ref, 'decompr_leontief_finaldemand_VBY.csv'), 1e-12, 'VBY'))
    names = [s.decode() if isinstance(s, bytes) else s for s in y['wwz_country'].attrs['term_names']]
    hdr, rows = read_csv(ref, 'decompr_wwz.csv')
    col = {h: i for i, h in enumerate(hdr)}
    W = y['wwz'][()]                    # (G, G, N, 16) [exporter, importer, sector, term]
    assert W.shape == (G, G, N, 16), W.shape
    C = y['wwz_country'][()]
    cidx = {c: g for g, c in enumerate(m['countries'])}
    iidx = {s: i for i, s in enumerate(m['industries'])}
    ref_w = np.zeros((G, G, N, 16))
    for r in rows:
        s, i, t = cidx[r[0]], iidx[r[1]], cidx[r[2]]
        for q, nm in enumerate(names):
            ref_w[s, t, i, q] = float(r[col[nm]])
    worst = max(worst, near(W, ref_w, 1e-12, 'WWZ 16 terms by name'))
    worst = max(worst, near(C, ref_w.sum(axis=2), 1e-12, 'wwz_country'))
    # identities: the 16 terms add up to bilateral exports
    ex = y['exports_bilateral'][()]     # (n, G)
    for s in range(G):
        for t in range(G):
            if s != t:
                near(W[s, t].sum(axis=1), ex[s * N:(s + 1) * N, t], 1e-12, 'sum of terms = E^sr')
    print(f'{ref}: all quantities within {worst:.2g} of decompr')


def same(a, b):
    fa, fb = h5py.File(a, 'r'), h5py.File(b, 'r')
    worst = 0.0
    n = 0

    def visit(name, obj):
        nonlocal worst, n
        if isinstance(obj, h5py.Dataset) and obj.dtype.kind == 'f' and name.startswith(('years', 'panel', 'network')):
            x, y = obj[()], fb[name][()]
            assert np.array_equal(np.isnan(x), np.isnan(y)), f'{name}: missing cells differ'
            ok = ~np.isnan(x)
            # WWZ terms split a pair's exports: some are small differences of large
            # products (T10 = (V^s B^ss - V^s L^ss) A X), so they are compared on the
            # scale of the pair's terms, not their own; everything else elementwise
            scale = np.maximum(1.0, np.abs(y))
            if name.endswith(('wwz_country', '/wwz')):
                scale = np.maximum(scale, np.abs(y).sum(axis=-1, keepdims=True))
            e = np.max(np.abs(x[ok] - y[ok]) / scale[ok]) if ok.any() else 0.0
            assert e <= 1e-13, f'{name}: {e:.3g} > 1e-13'
            worst = max(worst, e)
            n += 1
    fa.visititems(visit)
    assert n > 0
    print(f'{n} datasets identical within {worst:.2g}')


if __name__ == '__main__':
    cmd = sys.argv[1]
    if cmd == 'make':
        make(sys.argv[2], sys.argv[3])
    elif cmd == 'check':
        check(sys.argv[2], sys.argv[3], sys.argv[4])
    elif cmd == 'same':
        same(sys.argv[2], sys.argv[3])
