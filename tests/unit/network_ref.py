#!/usr/bin/python3
"""Reference values of tests/unit/test_network.c, from networkx and numpy
(independent of silkflow's code): betweenness (networkx, edge length 1/w),
eigenvector centrality (networkx on in-edges; checked against numpy's
principal left eigenvector), the Borgatti-Everett continuous coreness by an
EM iteration with numpy's eigh (the diagonal imputed by c_i^2, then the best
rank-1 fit), and the best top-k core split by brute force over k.
Prints the C initialisers that the test pastes in."""
import numpy as np
import networkx as nx

def refs(W):
    m = len(W)
    G = nx.DiGraph()
    G.add_nodes_from(range(m))
    for i in range(m):
        for j in range(m):
            if i != j and W[i][j] > 0:
                G.add_edge(i, j, weight=W[i][j], dist=1.0 / W[i][j])
    bc = nx.betweenness_centrality(G, weight='dist', normalized=True)
    ev = nx.eigenvector_centrality(G, weight='weight', max_iter=100000, tol=1e-15)
    A = np.array(W, float)
    np.fill_diagonal(A, 0)
    lam, V = np.linalg.eig(A.T)
    v = np.abs(np.real(V[:, np.argmax(np.real(lam))]))
    v /= np.linalg.norm(v)
    assert np.allclose(v, [ev[i] for i in range(m)], atol=1e-9), 'networkx vs numpy eigenvector'
    a = (A + A.T) / (2 * A.max())
    c = np.sqrt(a.sum(1) / (m - 1))
    for _ in range(200000):
        M = a.copy()
        np.fill_diagonal(M, c * c)
        l, U = np.linalg.eigh(M)
        cn = np.sqrt(max(l[-1], 0)) * np.abs(U[:, -1])
        if np.abs(cn - c).sum() < 1e-15:
            c = cn
            break
        c = cn
    off = ~np.eye(m, dtype=bool)
    fit = np.corrcoef(a[off], np.outer(c, c)[off])[0, 1]
    order = sorted(range(m), key=lambda i: (-c[i], i))
    best, bk = -np.inf, 0
    for k in range(1, m):
        core = np.zeros(m, bool)
        core[order[:k]] = True
        P = np.outer(core, core).astype(float)
        use = off & (core[:, None] == core[None, :])
        r = np.corrcoef(a[use], P[use])[0, 1] if P[use].std() > 0 else -np.inf
        if r > best + 1e-12:
            best, bk = r, k
    core = [1 if i in order[:bk] else 0 for i in range(m)]
    return [bc[i] for i in range(m)], v, c, fit, core, best

fmt = lambda xs: '{' + ', '.join('%.17g' % x for x in xs) + '}'
W1 = [[0, 5, 1, 0, 2, 0], [3, 0, 4, 1, 0, 1], [1, 2, 0, 6, 0, 0], [0, 1, 3, 0, 2, 1], [2, 0, 0, 1, 0, 3],
      [1, 1, 0, 0, 4, 0]]
rng = np.random.default_rng(16)
W2 = np.round(rng.lognormal(0, 1.5, (7, 7)), 3)
np.fill_diagonal(W2, 0)
for name, W in (('w1', W1), ('w2', W2.tolist())):
    bc, ev, c, fit, core, sfit = refs(W)
    print(f'/* {name} */')
    print(f'static const double {name}[] = {fmt(np.ravel(W))};')
    print(f'static const double {name}_bc[] = {fmt(bc)};')
    print(f'static const double {name}_ev[] = {fmt(ev)};')
    print(f'static const double {name}_core[] = {fmt(c)};')
    print(f'static const double {name}_fit = %.17g, {name}_split_fit = %.17g;' % (fit, sfit))
    print(f'static const int {name}_incore[] = {{{", ".join(map(str, core))}}};')
