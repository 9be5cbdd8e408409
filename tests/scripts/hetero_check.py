#!/usr/bin/python3
"""Independent dense check of a run (hetero.sh, indicators_wiod.sh): B, VBY
and the WWZ identity from numpy, and the panel indicators recomputed from
METHODS.md, with industries made of several sectors when a concordance is
given ('-' = each sector its own industry).
usage: hetero_check.py DATA_DIR PREFIX YEAR CONCORDANCE|- FOCAL PARTNERS RESULTS.h5"""
import csv, io, sys, zipfile
import numpy as np
import h5py

data, prefix, year, conc, focal, partners, h5 = (sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4],
                                                 sys.argv[5], sys.argv[6].split(','), sys.argv[7])
z = zipfile.ZipFile(f'{data}/{prefix}_{year}_bp.zip')
rd = lambda m: np.loadtxt(io.StringIO(z.read(f'{prefix}_{year}_bp_{m}.txt').decode()), ndmin=2)
T, FD, VA = rd('T'), rd('FD'), rd('VA')
ALIAS = {'ROM': 'ROU', 'RoW': 'ROW'}
codes = [ALIAS.get(c, c) for c in (l.split('\t')[1] for l in z.read('labels_T.txt').decode().splitlines())]
fdcodes = [ALIAS.get(c, c) for c in (l.split('\t')[1] for l in z.read('labels_FD.txt').decode().splitlines())]
regions = list(dict.fromkeys(codes))
reg = np.array([regions.index(c) for c in codes])
n, G = len(codes), len(regions)
sec = np.zeros(n, int)
for g in range(G):
    idx = np.where(reg == g)[0]
    sec[idx] = np.arange(1, len(idx) + 1)
Y = np.zeros((n, G))
for f, c in enumerate(fdcodes):
    Y[:, regions.index(c)] += FD[:, f]
x = T.sum(1) + Y.sum(1)
zero = np.abs(x) <= 1e-9 * np.abs(x).max()
va = x - T.sum(0)
A = np.where(zero[None, :], 0.0, T / np.where(zero, 1.0, x)[None, :])
v = np.where(zero, 0.0, va / np.where(zero, 1.0, x))
B = np.linalg.inv(np.eye(n) - A)
E = np.array([sum(T[k, reg == r].sum() + Y[k, r] for r in range(G) if r != reg[k]) for k in range(n)])
VBY = v[:, None] * (B @ Y)

f = h5py.File(h5, 'r')
y = f[f'/years/{year}']
def near(a, b, tol, what):
    a, b = np.asarray(a, float), np.asarray(b, float)
    e = np.nanmax(np.abs(a - b) / np.maximum(1.0, np.abs(b)))
    assert e <= tol, f'{what}: {e:.3g} > {tol}'
    return e
if 'leontief' in y:
    near(y['leontief'][()], B, 1e-10, 'B')
near(y['vby'][()], VBY, 1e-10 * np.abs(VBY).max(), 'VBY')
W = y['wwz_country'][()]
for s in range(G):
    for r in range(G):
        if s != r:
            Esr = T[reg == s][:, reg == r].sum() + Y[reg == s, r].sum()
            assert abs(W[s, r].sum() - Esr) <= 1e-9 * max(1, abs(Esr)), (s, r, W[s, r].sum(), Esr)
assert 'wwz' not in y, 'store_wwz = sector must be refused for heterogeneous tables'

# concordance
ind = np.zeros(n, int)
rules = {}
if conc != '-':
    for row in csv.reader(l for l in open(conc) if not l.lstrip().startswith('#')):
        if row[0] == 'region':
            continue
        rules[(row[0], int(row[1]))] = int(row[2])
for k in range(n):
    ind[k] = rules.get((codes[k], sec[k]), rules.get(('*', sec[k]), 0)) if conc != '-' else sec[k]

def weights(K):
    if len(K) == 1:
        return np.ones(1)
    se, sx = E[K].sum(), x[K].sum()
    return E[K] / se if se != 0 else (x[K] / sx if sx != 0 else np.full(len(K), 1 / len(K)))

c = regions.index(focal)
P = f['/panel']
pp = [s.decode() if isinstance(s, bytes) else s for s in P['partner'][()]]
checked = 0
for row in range(len(pp)):
    r = regions.index(pp[row]); i = int(P['industry'][row])
    Kc = np.where((reg == c) & (ind == i))[0]; Kr = np.where((reg == r) & (ind == i))[0]
    raw = lambda k: P[k + '_raw'][row] if k + '_raw' in P else P[k][row]
    got = {k: raw(k) for k in ('IC', 'IIn', 'ITR', 'ITR1', 'RVC', 'INC', 'GVC_P')}
    if len(Kc) == 0 or len(Kr) == 0:
        assert all(np.isnan(g) for g in got.values()), (pp[row], i, got)
        continue
    if zero[Kc].all() or zero[Kr].all():
        assert np.isnan(got['IC']), (pp[row], i, 'IC of a zero-output pair must be missing')
        continue
    wc, wr = weights(Kc), weights(Kr)
    zcr, zrc = T[np.ix_(Kc, Kr)].sum(), T[np.ix_(Kr, Kc)].sum()
    xc, xr = x[Kc].sum(), x[Kr].sum()
    IC = (zcr / xr + zcr / xc + zrc / xc + zrc / xr) / 4
    thc = ((v[Kr][:, None] * B[np.ix_(Kr, Kc)]).sum(0) * wc).sum()
    thr = ((v[Kc][:, None] * B[np.ix_(Kc, Kr)]).sum(0) * wr).sum()
    ITR = VBY[Kr, c].sum() + VBY[Kc, r].sum()
    indk = ind == i
    RVC = ((v[Kr][:, None] * B[np.ix_(Kr, Kc)] * E[Kc][None, :]).sum() +
           (v[Kc][:, None] * B[np.ix_(Kc, Kr)] * E[Kr][None, :]).sum()) / (E[Kc].sum() + E[Kr].sum())
    INC = 100 * (va[Kc].sum() + va[Kr].sum()) / va[indk].sum()
    foreign = reg[:, None] != reg[None, :]
    IV = v * ((B * foreign) @ E)
    FV = ((v[:, None] * B * foreign).sum(0)) * E
    want = {'IC': IC, 'IIn': (thc + thr) / 2, 'ITR': ITR, 'ITR1': ITR / x[indk].sum(), 'RVC': RVC, 'INC': INC,
            'GVC_P': (IV[Kr].sum() + FV[Kr].sum()) / E[Kr].sum() if E[Kr].sum() != 0 else np.nan}
    for k in want:
        if np.isnan(want[k]):
            assert np.isnan(got[k]), (pp[row], i, k, got[k])
        else:
            near(got[k], want[k], 1e-10, f'{pp[row]} industry {i} {k}')
    routes = sum(raw(k) for k in ('ITR_FIN', 'ITR_INT', 'ITR_INTREX_b', 'ITR_INT_d', 'ITR_INTREX_d'))
    near(routes, ITR, 1e-10, 'routes sum to ITR')
    checked += 1
assert checked >= 8, checked
print(f'{prefix} table n = {n} ({G} regions, {sorted(set(np.bincount(reg)))} sectors): B, VBY, WWZ identity '
      f'and {checked} panel rows x 8 indicators agree with the dense computation')
