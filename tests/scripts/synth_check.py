#!/usr/bin/python3
"""Independent checks of a synthetic Eora26 release written by 'silkflow synth'.

usage: synth_check.py full ZIP LABELS_DIR G N [--rows R] [--digits P] [--crlf]
       synth_check.py dims ZIP N NFD Q

'full' parses every member with numpy and checks the layout, the labels
against the real label files, the accounting identities and the economic
features; 'dims' only counts lines and fields (fast, for full-size zips).
Exits 1 with a message on the first failure.
"""
import re
import sys
import zipfile

import numpy as np

FAIL = []


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def read_members(path):
    z = zipfile.ZipFile(path)
    check(z.testzip() is None, f"{path}: CRC error")
    return z, z.namelist()


def year_of(path):
    m = re.search(r"Eora26_(\d{4})_bp\.zip$", path)
    check(m, f"{path}: name is not Eora26_YYYY_bp.zip")
    return m.group(1)


def expected_names(y):
    return [f"Eora26_{y}_bp_{s}.txt" for s in ("T", "FD", "VA", "Q", "QY")] + [
        "labels_T.txt", "labels_FD.txt", "labels_VA.txt", "labels_Q.txt"]


def split_lines(raw, name, crlf):
    text = raw.decode("utf-8")
    check(text.endswith("\n"), f"{name}: last line has no line end")
    if crlf:
        check(text.count("\r\n") == text.count("\n"), f"{name}: expected CRLF on every line")
        lines = text[:-2].split("\r\n")
    else:
        check("\r" not in text, f"{name}: CR found, expected LF line ends")
        lines = text[:-1].split("\n")
    return lines


SIG = re.compile(r"^-?(\d+)(?:\.(\d+))?(?:e[+-]\d+)?$")


def parse_matrix(raw, name, rows, cols, crlf, digits):
    lines = split_lines(raw, name, crlf)
    check(len(lines) == rows, f"{name}: {len(lines)} lines, expected {rows}")
    out = np.empty((rows, cols))
    for i, ln in enumerate(lines):
        check(not ln.endswith("\t"), f"{name}:{i+1}: trailing tab on a data line")
        tok = ln.split("\t")
        check(len(tok) == cols, f"{name}:{i+1}: {len(tok)} fields, expected {cols}")
        for t in tok[:3] + tok[-3:] + tok[:: max(1, cols // 7)]:
            m = SIG.match(t)
            check(m, f"{name}:{i+1}: '{t}' is not a plain number")
            if float(t) == 0:
                check(t == "0", f"{name}:{i+1}: zero written as '{t}', expected '0'")
            else:
                d = (m.group(1) + (m.group(2) or "")).lstrip("0")
                check(len(d) <= digits, f"{name}:{i+1}: '{t}' has more than {digits} significant digits")
        out[i] = np.array(tok, dtype=float)
    check(np.isfinite(out).all(), f"{name}: NaN or Inf")
    return out


def real_labels(d):
    def rd(n):
        with open(f"{d}/{n}", encoding="utf-8") as f:
            return [ln.rstrip("\n") for ln in f if ln.strip()]
    return rd("labels_T.txt"), rd("labels_FD.txt"), rd("labels_VA.txt"), rd("labels_Q.txt")


def groups(lines):
    """consecutive lines by code (field 2) -> list of (code, [lines])"""
    out = []
    for ln in lines:
        c = ln.split("\t")[1]
        if out and out[-1][0] == c:
            out[-1][1].append(ln)
        else:
            out.append((c, [ln]))
    return out


def check_label_format(lines, name, nf):
    for i, ln in enumerate(lines):
        check(ln.endswith("\t"), f"{name}:{i+1}: label line must end with a tab")
        f = ln[:-1].split("\t")
        check(len(f) == nf and all(f), f"{name}:{i+1}: expected {nf} non-empty fields, got {f}")


def full(path, labdir, G, N, rows, digits, crlf):
    y = year_of(path)
    z, names = read_members(path)
    check(names == expected_names(y), f"members {names} != {expected_names(y)}")
    rT, rFD, rVA, rQ = real_labels(labdir)
    lab = {k: split_lines(z.read(f"labels_{k}.txt"), f"labels_{k}.txt", crlf) for k in ("T", "FD", "VA", "Q")}
    check_label_format(lab["T"], "labels_T", 4)
    check_label_format(lab["FD"], "labels_FD", 4)
    check_label_format(lab["VA"], "labels_VA", 2)
    check(lab["VA"] == rVA, "labels_VA differs from the real file")
    check(lab["Q"] == rQ, "labels_Q differs from the real file")
    real_g = groups(rT)
    real_fd = dict(groups(rFD))
    got = groups(lab["T"])
    check(len(got) == G, f"labels_T has {len(got)} regions, expected {G}")
    want_codes = [c for c, _ in real_g[: G - 1]] + [real_g[-1][0]]
    check([c for c, _ in got] == want_codes, "labels_T regions are not the first G-1 real countries + ROW")
    counts = [len(l) for _, l in got]
    check(got[-1][1] == real_g[-1][1][:1], "the ROW account must be the real last line, one sector")
    for (c, l), (_, rl) in zip(got[:-1], real_g[: G - 1]):
        if rows:
            blk = rl[0].split("\t")[2]
            exp = [f"{rl[0].split(chr(9))[0]}\t{c}\t{blk}\tSector {k+1}\t" for k in range(len(l))]
            check(l == exp, f"labels_T {c}: expected generated 'Sector k' lines with block {blk}")
        else:
            check(l == rl[:N], f"labels_T {c}: not the first {N} real lines")
    n = len(lab["T"])
    if rows:
        check(n == rows, f"{n} rows, expected {rows}")
        check(len(set(counts[:-1])) > 1, "heterogeneous release with equal sector counts")
    else:
        check(n == (G - 1) * N + 1, f"{n} rows, expected {(G-1)*N+1}")
    fd_exp = sum((real_fd[c] for c in want_codes), [])
    check(lab["FD"] == fd_exp, "labels_FD are not the real lines of the chosen regions")
    nfd, q = len(lab["FD"]), len(lab["Q"])
    check(nfd == 6 * G, f"labels_FD has {nfd} lines, expected {6*G}")

    T = parse_matrix(z.read(names[0]), names[0], n, n, crlf, digits)
    FD = parse_matrix(z.read(names[1]), names[1], n, nfd, crlf, digits)
    VA = parse_matrix(z.read(names[2]), names[2], 6, n, crlf, digits)
    Q = parse_matrix(z.read(names[3]), names[3], q, n, crlf, digits)
    QY = parse_matrix(z.read(names[4]), names[4], q, nfd, crlf, digits)

    # accounting: rows Z1 + F1, columns Z'1 + VA'1
    xr = T.sum(1) + FD.sum(1)
    xc = T.sum(0) + VA.sum(0)
    rel = np.abs(xr - xc) / np.maximum(np.abs(xr), 1)
    # the generator's imbalance is 5e-8 relative; rounding to P digits adds at
    # most half a unit of the last digit of every entry of the row and column
    ulp = 0.5 * 10.0 ** (1 - digits)
    bound = 5e-8 * np.abs(xr) + ulp * (np.abs(T).sum(1) + np.abs(FD).sum(1) + np.abs(T).sum(0) + np.abs(VA).sum(0))
    check((np.abs(xr - xc) <= 1.01 * bound + 1e-9).all(), "row/column imbalance exceeds 5e-8 + rounding")
    if digits >= 9:
        check(rel.max() < 1e-6, f"row/column totals differ by {rel.max():.3g} relative (limit 1e-6)")
    check(rel.max() > 0, "row and column totals agree exactly: the deliberate imbalance is missing")
    check(T.min() >= 0, "negative intermediate flows")
    world = xr.sum()
    check(1e10 < world < 1e12, f"world output {world:.3g} k$ is not Eora-like (~1e11)")
    # zero-output sectors: whole row, column, final demand and VA zero
    zero = np.where(xr == 0)[0]
    check(len(zero) >= 1, "no zero-output sector")
    for j in zero:
        check(not T[j].any() and not T[:, j].any() and not FD[j].any() and not VA[:, j].any(),
              f"zero-output sector {j+1} has nonzero entries")
    live = xr > 0
    A = T[:, live] / xr[live]
    cs = A.sum(0)
    check(cs.max() < 0.9, f"max column sum of A is {cs.max():.3f} (expected well below 1)")
    I_A = np.eye(live.sum()) - T[np.ix_(live, live)] / xr[live]
    cond = np.linalg.cond(I_A, 1)
    check(cond < 1e3, f"I - A is badly conditioned (cond_1 {cond:.3g})")
    # negative inventories (P.52: 5th category) and subsidies (D.39: 3rd VA row)
    cats = [ln.split("\t")[3] for ln in lab["FD"][:6]]
    inv = cats.index("Changes in inventories P.52")
    check((FD[:, inv::6] < 0).sum() > 0, "no negative P.52 entries")
    check((FD[:, [k for k in range(nfd) if k % 6 != inv]] < 0).sum() == 0, "negative final demand outside P.52")
    sub = [ln.split("\t")[1] for ln in lab["VA"]].index("Subsidies on production D.39")
    check((VA[sub] < 0).sum() > 0, "no negative D.39 entries")
    check((VA[sub] > 0).sum() == 0, "positive subsidies")
    # domestic blocks dominate intermediate use
    reg = np.repeat(np.arange(G), counts)
    dom = (reg[:, None] == reg[None, :])
    share = T[dom].sum() / T.sum()
    check(share > 0.6, f"domestic share of intermediate use {share:.2f} (expected most of it)")
    # satellite accounts: value added rows mirror VA, dummy stressor all ones, mostly zeros
    qb = [ln.split("\t")[0] for ln in lab["Q"]]
    tot = qb.index("Value added, Total (000 USD)")
    vab = 1.01 * ulp * (np.abs(Q[tot]) + np.abs(VA).sum(0)) + 1e-9
    check((np.abs(Q[tot] - VA.sum(0)) <= vab).all(), "Q 'Value added, Total' != VA column sums")
    check(np.array_equal(Q[qb.index("Value added, from subsidies (000 USD)")], VA[sub]),
          "Q subsidies row != VA D.39")
    check((Q[qb.index("Dummy stressor, all 1s")] == 1).all(), "dummy stressor is not all ones")
    check((Q == 0).mean() > 0.8, "Q should be mostly zeros")
    check((Q < 0)[[i for i in range(q) if "Value added" not in qb[i]]].sum() == 0, "negative satellite entries")
    check(QY.any() and (QY == 0).mean() > 0.9, "QY should be mostly zeros with some entries")
    print(f"ok {path}: n={n} nfd={nfd} q={q} world={world:.4g} max|imb|={rel.max():.2g} "
          f"max colsum={cs.max():.3f} cond={cond:.3g} zero={len(zero)} negP52={(FD[:, inv::6] < 0).sum()} "
          f"domestic={share:.2f} Tzeros={(T == 0).mean():.2f}")
    return xr


def dims(path, n, nfd, q):
    y = year_of(path)
    z, names = read_members(path)
    check(names == expected_names(y), f"members {names} != {expected_names(y)}")
    for nm, r, c in ((names[0], n, n), (names[1], n, nfd), (names[2], 6, n), (names[3], q, n), (names[4], q, nfd)):
        with z.open(nm) as f:
            k = 0
            for ln in f:
                k += 1
                check(ln.endswith(b"\n") and not ln.endswith(b"\t\n"), f"{nm}:{k}: bad line end")
                nt = ln.count(b"\t")
                check(nt == c - 1, f"{nm}:{k}: {nt + 1} fields, expected {c}")
            check(k == r, f"{nm}: {k} lines, expected {r}")
    for k, cnt in (("T", n), ("FD", nfd), ("VA", 6), ("Q", q)):
        m = len(z.read(f"labels_{k}.txt").splitlines())
        check(m == cnt, f"labels_{k}: {m} lines, expected {cnt}")
    print(f"ok {path}: dims {n}x{n}, FD {n}x{nfd}, VA 6x{n}, Q {q}x{n}, QY {q}x{nfd}")


def main(a):
    if len(a) >= 1 and a[0] == "dims":
        dims(a[1], int(a[2]), int(a[3]), int(a[4]))
        return
    if len(a) < 5 or a[0] != "full":
        print(__doc__)
        sys.exit(2)
    rows, digits, crlf = 0, 9, False
    rest = a[5:]
    while rest:
        o = rest.pop(0)
        if o == "--rows":
            rows = int(rest.pop(0))
        elif o == "--digits":
            digits = int(rest.pop(0))
        elif o == "--crlf":
            crlf = True
        else:
            fail(f"unknown option {o}")
    full(a[1], a[2], int(a[3]), int(a[4]), rows, digits, crlf)


if __name__ == "__main__":
    main(sys.argv[1:])
