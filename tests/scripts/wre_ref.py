#!/usr/bin/env python3
"""Brute-force wild restricted efficient bootstrap (Davidson & MacKinnon 2010),
independent of silkflow's cluster-sum algebra: every replicate rebuilds y* and
x* row by row and re-estimates the 2SLS with explicit FE dummy columns (no
demeaning), the cluster VCV by its textbook sandwich with the Stata factor
(N-1)/(N-K) G/(G-1) (K = all regressors + dummies' rank, as reghdfe when the
FEs are not nested in the cluster), full Rademacher enumeration (2^G draws).

usage: wre_ref.py DATA.csv  -> prints  t p ci_lo ci_hi
       wre_ref.py gen SEED  -> a test panel (8 clusters crossed with year and ind FEs) on stdout
model: y ~ w | year + ind | x ~ z1 + z2, clustered by cl, H0 beta_x = 0."""
import csv, itertools, sys
import numpy as np

if sys.argv[1] == "gen":
    rng = np.random.default_rng(int(sys.argv[2]))
    G, T, I = 8, 6, 3
    a_g, b_t, c_i = rng.normal(size=G), rng.normal(size=T), rng.normal(size=I)
    print("cl,year,ind,y,x,w,z1,z2")
    for g in range(G):
        for t in range(T):
            for i in range(I):
                if rng.random() < 0.1:
                    continue
                z1, z2, w = rng.normal() + 0.3 * g, rng.normal(), rng.normal()
                v = rng.normal() * (1 + 0.5 * (g % 3))
                u = 0.6 * v + rng.normal()
                x = 0.5 * z1 + 0.4 * z2 + 0.3 * w + b_t[t] + c_i[i] + v
                y = 0.2 * x + 0.5 * w + a_g[g] + b_t[t] + c_i[i] + u
                print("%d,%d,%d,%r,%r,%r,%r,%r" % (g + 1, 2000 + t, i + 1, y, x, w, z1, z2))
    sys.exit(0)
rows = list(csv.DictReader(open(sys.argv[1])))
y = np.array([float(r["y"]) for r in rows]); x = np.array([float(r["x"]) for r in rows])
w = np.array([float(r["w"]) for r in rows])
Z = np.column_stack([[float(r["z1"]) for r in rows], [float(r["z2"]) for r in rows]])
cl = np.array([int(r["cl"]) for r in rows]); n = len(rows)


def dummies(col):
    lev = sorted(set(r[col] for r in rows))
    return np.column_stack([[1.0 if r[col] == l else 0.0 for r in rows] for l in lev])


D = np.column_stack([np.ones(n), dummies("year")[:, 1:], dummies("ind")[:, 1:]])  # full-rank FE dummies
Xex = np.column_stack([w, D])             # exogenous: w, constant, FE dummies
W = np.column_stack([Z, Xex])             # all instruments
K = 1 + Xex.shape[1]                      # x, w, constant and FE dummies
levels = sorted(set(cl)); G = len(levels); gi = np.array([levels.index(c) for c in cl])
fac = (n - 1) / (n - K) * G / (G - 1)
PW = W @ np.linalg.pinv(W)


def tsls_t(yv, xv, r):
    R = np.column_stack([xv, Xex])
    Xh = PW @ R
    H = np.linalg.inv(Xh.T @ R)
    b = H @ (Xh.T @ yv)
    u = yv - R @ b
    S = np.zeros((G, R.shape[1]))
    np.add.at(S, gi, Xh * u[:, None])
    V = fac * H @ (S.T @ S) @ H.T
    return (b[0] - r) / np.sqrt(V[0, 0]), b[0]


def restricted(r):
    g = np.linalg.lstsq(Xex, y - r * x, rcond=None)[0]
    u1 = y - r * x - Xex @ g
    A = np.column_stack([W, u1])
    p = np.linalg.lstsq(A, x, rcond=None)[0]
    u2 = x - W @ p[:W.shape[1]]
    return g, u1, p[:W.shape[1]], u2


VS = np.array([[-1.0 if (b >> h) & 1 else 1.0 for h in range(G)] for b in range(2 ** G)])


def pval(r):
    g, u1, p, u2 = restricted(r)
    t0, _ = tsls_t(y, x, r)
    cnt = 0
    for v in VS:
        vi = v[gi]
        xs = W @ p + vi * u2
        ys = r * xs + Xex @ g + vi * u1
        ts, _ = tsls_t(ys, xs, r)
        if abs(ts) > abs(t0) * (1 + 1e-10):
            cnt += 1
    return cnt / len(VS), t0


t, bhat = tsls_t(y, x, 0.0)
p, _ = pval(0.0)
se = bhat / t


def bound(d):
    inn, out = bhat, bhat + d * 2.5 * abs(se)
    while pval(out)[0] > 0.05:
        inn, out = out, bhat + d * 2 * abs(out - bhat)
    for _ in range(40):
        mid = 0.5 * (inn + out)
        if pval(mid)[0] > 0.05:
            inn = mid
        else:
            out = mid
    return 0.5 * (inn + out)


print("%.10f %.10f %.10f %.10f" % (t, p, bound(-1), bound(+1)))
