#!/usr/bin/python3
"""The /network/YYYY group against an independent computation from the
year's country matrices: node set, flows (VAX and VAR), totals, density,
strengths, PageRank (a direct linear solve, not an iteration), the focal
region's rank and sources, and the final-goods capture shares.
usage: network_check.py RESULTS.h5 YEAR FOCAL PARTNERS_FILE THRESHOLD"""
import sys
import numpy as np
import h5py

h5, year, focal, pfile, thr = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5])
f = h5py.File(h5, 'r')
dec = lambda a: [s.decode() if isinstance(s, bytes) else s for s in a]
codes = dec(f['/labels/region_code'][()])
partners = [l.split('#')[0].strip() for l in open(pfile)]
partners = sorted(codes.index(p) for p in partners if p and p in codes)
c = codes.index(focal)
nodes = [c] + partners
m = len(nodes)
y = f[f'/years/{year}']
net = f[f'/network/{year}']
assert dec(net['nodes'][()]) == [codes[k] for k in nodes]
near = lambda a, b, what, tol=1e-12: np.testing.assert_allclose(a, b, rtol=tol, atol=tol * max(1, np.max(np.abs(b))), err_msg=what)
for name, src in (('vax', y['vax'][()]), ('var', y['vbe_country'][()])):
    W = src[np.ix_(nodes, nodes)].copy()
    np.fill_diagonal(W, 0)
    near(net[name][()], W, name)
    near(net[f'strength_out_{name}'][()], W.sum(1), 'out strength')
    near(net[f'strength_in_{name}'][()], W.sum(0), 'in strength')
    near(net.attrs[f'total_flow_{name}'], W.sum(), 'total')
    near(net.attrs[f'intra_partner_flow_{name}'], W[1:, 1:].sum(), 'intra')
    world = src.sum() - np.trace(src)
    near(net.attrs[f'world_flow_{name}'], world, 'world')
    dens = ((W >= thr * W.max()) & ~np.eye(m, dtype=bool)).sum() / (m * (m - 1))
    near(net.attrs[f'density_{name}'], dens, 'density')
    # PageRank: pr = (1-d)/m + d (P' pr + (a . pr)/m), a = dangling nodes
    d = 0.85
    out = W.sum(1)
    Pm = np.where(out[:, None] > 0, W / np.where(out > 0, out, 1)[:, None], 0.0)
    a = (out <= 0).astype(float)
    M = Pm.T + np.outer(np.ones(m), a) / m
    pr = np.linalg.solve(np.eye(m) - d * M, np.full(m, (1 - d) / m))
    near(net[f'pagerank_{name}'][()], pr, 'pagerank', 1e-10)
    rank = 1 + int((pr[1:] > pr[0]).sum())
    assert net.attrs[f'focal_rank_{name}'] == rank, (name, net.attrs[f'focal_rank_{name}'], rank)
vbe = y['vbe_country'][()]
foreign = vbe[:, c].sum() - vbe[c, c]
near(net['focal_va_sources_share'][()][1:], vbe[partners, c] / foreign, 'sources')
wwz = y['wwz_country'][()]
fd = y['fd_country'][()]
fin = wwz[c, partners, 0].sum()
near(net.attrs['focal_fin_dva_share'], fin / wwz[c, partners, :8].sum(), 'final-goods DVA share')
near(net.attrs['focal_fin_va_capture'], fin / fd[c, partners].sum(), 'final-goods capture')
print(f'network {year}: {m} nodes, flows, density, strengths, PageRank (rank {rank}), sources and capture agree')
