#!/usr/bin/python3
"""Synthetic Hu (2023) panel for the estimation tests and benchmarks.

usage: estimate_gen_panel.py OUT.csv [--partners P] [--seed S] [--h5 OUT.h5]

Partners are the 64 ISO3 codes of data/countries/bri64.csv followed by made-up
codes (X01, X02...), industries 4..11, years 2003..2021: 121 x 8 x 19 = 18,392
rows by default. The dependent variables are linear in ITR (true coefficient
0.6 for IC), the controls, the mediators and partner/industry/year effects,
with noise; a few cells are missing and a few years are absent for some
pairs (gaps for the lag tests)."""
import csv
import os
import sys

import numpy as np


def main():
    args = sys.argv[1:]
    out = args[0]
    P, seed, h5 = 121, 7, None
    i = 1
    while i < len(args):
        if args[i] == "--partners":
            P = int(args[i + 1]); i += 2
        elif args[i] == "--seed":
            seed = int(args[i + 1]); i += 2
        elif args[i] == "--h5":
            h5 = args[i + 1]; i += 2
        else:
            sys.exit("unknown option " + args[i])
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    codes = [r["iso3"] for r in csv.DictReader(open(os.path.join(root, "data/countries/bri64.csv")))]
    codes = (codes + ["X%02d" % k for k in range(1, 200)])[:P]
    inds = list(range(4, 12))
    years = list(range(2003, 2022))
    rng = np.random.default_rng(seed)
    rows = [(p, ind, y) for p in range(P) for ind in inds for y in years]
    # gaps: drop ~1% of (pair, year) cells
    keep = rng.random(len(rows)) > 0.01
    rows = [r for r, k in zip(rows, keep) if k]
    n = len(rows)
    pi = np.array([r[0] for r in rows]); ii = np.array([r[1] for r in rows]); yi = np.array([r[2] for r in rows])
    a_p = rng.normal(0, 0.5, P); a_i = rng.normal(0, 0.5, 12); a_y = rng.normal(0, 0.3, 2030)
    pair_eff = rng.normal(0, 0.3, (P, 12))
    ITR = 0.5 + 0.3 * a_p[pi] + pair_eff[pi, ii] + rng.normal(0, 1, n)
    LF = 0.8 * a_p[pi] + rng.normal(0, 0.5, P)[pi] + 0.02 * (yi - 2003) + rng.normal(0, 0.3, n)
    ITR = ITR + 0.5 * LF
    ctrl = {k: rng.normal(0, 1, n) + 0.2 * a_p[pi] for k in ["GVC_P", "GVC_D", "RCA_D", "POL", "ECO", "CUL", "DIS", "FTA"]}
    ctrl["FTA"] = (rng.random(n) < 0.3).astype(float)
    D1 = ((a_p[pi] > 0.2) & (yi > 2008)).astype(float)
    D2 = np.isin(ii, [7, 8, 9, 10]).astype(float)
    D3 = (yi > 2013).astype(float)
    STAGE = ((a_p[pi] <= 0.2) & (a_p[pi] > -0.4)).astype(float)  # no draw: the other columns stay as they were
    RVC = 0.1 * ITR + 0.05 * ctrl["GVC_P"] + 0.2 * a_i[ii] + rng.normal(0, 0.5, n)
    INC = 1.5 * ITR + 0.3 * a_p[pi] + rng.normal(0, 1, n)
    fe = a_p[pi] + a_i[ii] + a_y[yi]
    cx = 0.03 * ctrl["GVC_P"] + 0.01 * ctrl["GVC_D"] + 0.2 * ctrl["RCA_D"] + 0.03 * ctrl["POL"] - 0.1 * ctrl["CUL"]
    IC = 0.6 * ITR - 0.04 * ITR * D1 + 0.3 * RVC + cx + fe + rng.normal(0, 1, n)
    IIn = 0.5 * ITR + 0.2 * ITR * D2 + 0.02 * INC + cx + fe + rng.normal(0, 1, n)
    IIH = 0.2 * ITR + 0.1 * ITR * D3 + 0.5 * RVC + 0.5 * fe + rng.normal(0, 1, n)
    IIH[rng.random(n) < 0.02] = np.nan
    ITR1 = ITR / 10 + rng.normal(0, 0.05, n)
    RH1 = 0.5 * ITR + cx + fe + rng.normal(0, 1, n)
    HD1 = 0.3 * ITR + cx + fe + rng.normal(0, 1, n)
    XT1 = 0.2 * ITR + fe + rng.normal(0, 1, n)
    cols = {"partner": [codes[p] for p in pi], "industry": ii, "year": yi, "IC": IC, "IIn": IIn, "IIH": IIH,
            "ITR": ITR, "ITR1": ITR1, "RVC": RVC, "INC": INC, "RH1": RH1, "HD1": HD1, "XT1": XT1, "D1": D1,
            "D2": D2, "D3": D3, "LF": LF, "STAGE": STAGE}
    cols.update(ctrl)
    names = list(cols)
    with open(out, "w", newline="") as fp:
        w = csv.writer(fp)
        w.writerow(names)
        for r in range(n):
            row = []
            for k in names:
                v = cols[k][r]
                if isinstance(v, str):
                    row.append(v)
                elif isinstance(v, (np.integer, int)):
                    row.append(str(int(v)))
                else:
                    row.append("" if np.isnan(v) else repr(float(v)))
            w.writerow(row)
    if h5:
        import h5py
        with h5py.File(h5, "w") as f:
            g = f.create_group("panel")
            for k in names:
                if k == "partner":
                    g.create_dataset(k, data=np.array(cols[k], dtype=h5py.string_dtype()))
                elif k in ("industry", "year"):
                    g.create_dataset(k, data=np.asarray(cols[k], dtype=np.int32))
                else:
                    g.create_dataset(k, data=np.asarray(cols[k], dtype=np.float64))


main()
