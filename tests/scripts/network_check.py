#!/usr/bin/python3
"""The /network/YYYY group against an independent computation from the
year's country matrices: node set, flows (VAX and VAR), totals, density,
strengths, PageRank (a direct linear solve, not an iteration), the focal
region's rank and sources, and the final-goods capture shares; betweenness
and eigenvector centrality against networkx (numpy's principal eigenvector),
the Borgatti-Everett coreness against an EM fit with numpy's eigh, the core
split by brute force over k, strength identities (in and out strengths each
sum to the total flow), and the regional-group aggregates from /panel/group.
usage: network_check.py RESULTS.h5 YEAR FOCAL PARTNERS_FILE THRESHOLD"""
import sys
import numpy as np
import h5py
import networkx as nx

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
    # strength identities on real data
    near(net[f'strength_in_{name}'][()].sum(), net.attrs[f'total_flow_{name}'], 'sum of in-strengths = total')
    near(net[f'strength_out_{name}'][()].sum(), net.attrs[f'total_flow_{name}'], 'sum of out-strengths = total')
    # betweenness (edge length 1/w) and eigenvector centrality: networkx
    Gx = nx.DiGraph()
    Gx.add_nodes_from(range(m))
    for i in range(m):
        for j in range(m):
            if i != j and W[i, j] > 0:
                Gx.add_edge(i, j, weight=W[i, j], dist=1.0 / W[i, j])
    bc = nx.betweenness_centrality(Gx, weight='dist', normalized=True)
    near(net[f'betweenness_{name}'][()], [bc[i] for i in range(m)], 'betweenness', 1e-10)
    lam, V = np.linalg.eig(W.T)
    v = np.abs(np.real(V[:, np.argmax(np.real(lam))]))
    v /= np.linalg.norm(v)
    near(net[f'eigenvector_{name}'][()], v, 'eigenvector (numpy)', 1e-9)
    ev = nx.eigenvector_centrality(Gx, weight='weight', max_iter=10000, tol=1e-14)
    near(net[f'eigenvector_{name}'][()], [ev[i] for i in range(m)], 'eigenvector (networkx)', 1e-7)
    # continuous coreness: EM with the diagonal imputed by c_i^2, best rank-1 fit by eigh
    a = (W + W.T) / (2 * W.max())
    cr = np.sqrt(a.sum(1) / (m - 1))
    for _ in range(100000):
        M = a.copy()
        np.fill_diagonal(M, cr * cr)
        l, U = np.linalg.eigh(M)
        cn = np.sqrt(max(l[-1], 0)) * np.abs(U[:, -1])
        done = np.abs(cn - cr).sum() < 1e-15
        cr = cn
        if done:
            break
    near(net[f'coreness_{name}'][()], cr, 'coreness', 1e-8)
    off = ~np.eye(m, dtype=bool)
    near(net.attrs[f'core_fit_{name}'], np.corrcoef(a[off], np.outer(cr, cr)[off])[0, 1], 'core fit', 1e-8)
    order = sorted(range(m), key=lambda i: (-cr[i], i))
    best, bk = -np.inf, 0
    for k in range(1, m):
        core = np.zeros(m, bool)
        core[order[:k]] = True
        use = off & (core[:, None] == core[None, :])
        P = np.outer(core, core).astype(float)[use]
        r = np.corrcoef(a[use], P)[0, 1] if P.std() > 0 else -np.inf
        if r > best + 1e-12:
            best, bk = r, k
    incore = np.zeros(m, int)
    incore[order[:bk]] = 1
    assert (net[f'core_{name}'][()] == incore).all(), (name, net[f'core_{name}'][()], incore)
    assert net.attrs[f'ncore_{name}'] == bk
    near(net.attrs[f'core_split_fit_{name}'], best, 'core split fit', 1e-8)
vbe = y['vbe_country'][()]
foreign = vbe[:, c].sum() - vbe[c, c]
near(net['focal_va_sources_share'][()][1:], vbe[partners, c] / foreign, 'sources')
wwz = y['wwz_country'][()]
fd = y['fd_country'][()]
fin = wwz[c, partners, 0].sum()
near(net.attrs['focal_fin_dva_share'], fin / wwz[c, partners, :8].sum(), 'final-goods DVA share')
near(net.attrs['focal_fin_va_capture'], fin / fd[c, partners].sum(), 'final-goods capture')
# regional groups of the partners (the panel's covariate group, first appearance along the partners)
pg = {}
if '/panel/group' in f:
    for p_, g_ in zip(dec(f['/panel/partner'][()]), dec(f['/panel/group'][()])):
        if g_ and p_ not in pg:
            pg[p_] = g_
names = []
for r in partners:
    g_ = pg.get(codes[r], '(no group)')
    if g_ not in names:
        names.append(g_)
assert dec(net['region_group'][()]) == names, (dec(net['region_group'][()]), names)
src = np.zeros(len(names)); fin_g = np.zeros(len(names)); dva_g = np.zeros(len(names)); fd_g = np.zeros(len(names))
cin = np.zeros(len(names)); fva = np.zeros(len(names))
for r in partners:
    k = names.index(pg.get(codes[r], '(no group)'))
    src[k] += vbe[r, c] / foreign
    fin_g[k] += wwz[c, r, 0]; dva_g[k] += wwz[c, r, :8].sum(); fd_g[k] += fd[c, r]
    cin[k] += vbe[c, r]; fva[k] += vbe[:, r].sum() - vbe[r, r]
near(net['group_va_sources_share'][()], src, 'group sources')
near(net['group_va_sources_share'][()].sum(), net['focal_va_sources_share'][()].sum(), 'groups sum to the partners')
near(net['group_fin_dva_share'][()], fin_g / dva_g, 'group final-goods DVA share')
near(net['group_fin_va_capture'][()], fin_g / fd_g, 'group final-goods capture')
near(net['group_focal_va_share'][()], cin / fva, 'group focal VA share')
print(f'{len(names)} groups ({", ".join(names)}); ', end='')
print(f'network {year}: {m} nodes, flows, density, strengths, PageRank (rank {rank}), sources, capture, betweenness, eigenvector, coreness and core agree')
