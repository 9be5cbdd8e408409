#!/usr/bin/python3
"""Check /trade of a results file against a numpy recomputation from the
/years data of the same file (docs/trade.md definitions).

usage: trade_check.py RESULTS.h5 PARTNERS.txt INDUSTRIES TECH_HIGH BOUNDARY MODE [BRI_CSV]
  INDUSTRIES, TECH_HIGH: 1-based lists like 3-16 or 8-15
  MODE: sources  -> BRI/FTA available; bri_ever members must be in BRI_CSV;
                    partners_bri / partners_fta must agree with /panel BRI and FTA
        nosources -> FTA not available (values NaN); BRI comes from a user CSV
"""
import csv
import glob
import math
import sys

import h5py
import numpy as np

fails = 0


def check(cond, what):
    global fails
    if not cond:
        fails += 1
        print("FAIL:", what)


def near(a, b, what, tol=1e-11):
    a = np.asarray(a, float)
    b = np.asarray(b, float)
    ok = a.shape == b.shape and np.array_equal(np.isnan(a), np.isnan(b))
    if ok:
        m = ~np.isnan(a)
        ok = np.all(np.abs(a[m] - b[m]) <= tol * np.maximum(1, np.abs(b[m])))
    if not ok:
        print("  got     ", a.ravel()[:12])
        print("  expected", b.ravel()[:12])
    check(ok, what)


def intlist(s):
    out = []
    for part in s.split(","):
        if "-" in part:
            a, b = part.split("-")
            out += list(range(int(a), int(b) + 1))
        else:
            out.append(int(part))
    return out


def growth(x, years):
    g = np.full(x.shape, np.nan)
    for t in range(1, len(years)):
        if years[t - 1] == years[t] - 1:
            prev = x[t - 1]
            with np.errstate(invalid="ignore", divide="ignore"):
                g[t] = np.where(prev > 0, x[t] / prev - 1, np.nan)
    return g


def periods(x, g, years, b):
    """mean growth, count, cagr for (before, after) over the last axis columns"""
    years = np.asarray(years)
    shp = (2,) + x.shape[1:]
    mean, n, cagr = np.full(shp, np.nan), np.zeros(shp, int), np.full(shp, np.nan)
    for p, sel in enumerate([years <= b, years > b]):
        gg = g[sel]
        n[p] = np.sum(np.isfinite(gg), axis=0)
        with np.errstate(invalid="ignore"):
            mean[p] = np.where(n[p] > 0, np.nansum(gg, axis=0) / np.maximum(n[p], 1), np.nan)
    before = np.where(years <= b)[0]
    after = np.where(years > b)[0]
    spans = [None, None]
    if len(before) >= 2:
        spans[0] = (0, before[-1])
    if len(after):
        f = before[-1] if len(before) else after[0]
        if len(years) - 1 > f:
            spans[1] = (f, len(years) - 1)
    for p, sp in enumerate(spans):
        if sp is None:
            continue
        x0, x1 = x[sp[0]], x[sp[1]]
        with np.errstate(invalid="ignore", divide="ignore"):
            cagr[p] = np.where((x0 > 0) & (x1 > 0), (x1 / x0) ** (1.0 / (years[sp[1]] - years[sp[0]])) - 1, np.nan)
    return mean, n, cagr


def check_series(g, name, level, ref, years, b):
    near(g[name][...], level, f"{g.name}/{name}")
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(ref > 0, level / ref, np.nan)
    near(g[name + "_share"][...], share, f"{g.name}/{name}_share")
    gr = growth(level, years)
    near(g[name + "_growth"][...], gr, f"{g.name}/{name}_growth")
    with np.errstate(invalid="ignore", divide="ignore"):
        idx = np.where(level[0] > 0, 100 * level / level[0], np.nan)
    near(g[name + "_index"][...], idx, f"{g.name}/{name}_index")
    mean, n, cagr = periods(level, gr, years, b)
    near(g[name + "_growth_mean"][...], mean, f"{g.name}/{name}_growth_mean")
    check(np.array_equal(g[name + "_growth_n"][...], n), f"{g.name}/{name}_growth_n")
    near(g[name + "_cagr"][...], cagr, f"{g.name}/{name}_cagr")


def num(s):
    return float("nan") if s == "-" else float(s)


def check_log(path, years, gg, names):
    lines = [l[11:].rstrip("\n") for l in open(path) if l.startswith("trade      ")]
    # compact tables: year, world level, world growth, then share and growth of the shown groups
    shown = ["partners", "bri_ever", "bri", "fta", "asean", "south_america"]
    seen = 0
    for i, l in enumerate(lines):
        for title, mname in (("Gross exports of", "gross_exports"), ("Value-added exports (VAX) of", "va_exports")):
            if not l.startswith(title):
                continue
            seen += 1
            lv, sh, gr = gg[mname][...], gg[mname + "_share"][...], gg[mname + "_growth"][...]
            for t, y in enumerate(years):
                f = lines[i + 2 + t].split()
                check(int(f[0]) == y, f"log {mname}: year {y}")
                near(num(f[1]), round(lv[t, 0]), f"log {mname} {y} world level", 1e-9)
                near(num(f[2]), np.round(100 * gr[t, 0], 1), f"log {mname} {y} world growth", 1e-9)
                for j, g in enumerate(shown):
                    k = names.index(g)
                    near(num(f[3 + 2 * j]), np.round(100 * sh[t, k], 1), f"log {mname} {y} {g} share", 1e-9)
                    near(num(f[4 + 2 * j]), np.round(100 * gr[t, k], 1), f"log {mname} {y} {g} growth", 1e-9)
        if l.startswith("Mean annual growth by group of"):
            seen += 1
            head = lines[i + 1].split()
            check(head[:2] == ["measure", "period"], "log period table header")
            cols = head[2:]
            mname = None
            for r in range(8):
                f = lines[i + 2 + r].split()
                if not f[0].startswith(("<=", ">")):
                    mname = f.pop(0)
                p = 0 if f[0].startswith("<=") else 1
                gm = gg[mname + "_growth_mean"][...]
                for j, g in enumerate(cols):
                    near(num(f[1 + j]), np.round(100 * gm[p, names.index(g)], 1), f"log mean growth {mname} {g} {p}",
                         1e-9)
    check(seen == 3, "the log has the three trade tables")


def main():
    path, ppath, inds, high, b, mode = sys.argv[1:7]
    b = int(b)
    inds, high = intlist(inds), intlist(high)
    f = h5py.File(path, "r")
    codes = [c.decode() for c in f["/labels/region_code"][...]]
    sreg = f["/labels/sector_region"][...]
    sind = f["/labels/sector_industry"][...]
    G = len(codes)
    tr = f["/trade"]
    focal = tr.attrs["focal"]
    focal = focal.decode() if isinstance(focal, bytes) else focal
    c = codes.index(focal)
    years = list(tr["years"][...])
    check(years == sorted(years) and len(years) >= 2, "years ascending")
    check(int(tr.attrs["boundary_year"]) == b, "boundary attribute")
    partners = []
    for line in open(ppath):
        line = line.split("#")[0].strip()
        if line:
            partners.append(codes.index(line.upper()))
    rows = np.where(sreg == c)[0]

    # country flows from /years
    meas = ["gross_exports", "gross_imports", "gross_trade", "va_exports", "va_imports", "va_trade"]
    flows = np.zeros((len(years), 6, G))
    sec_gx = np.zeros((len(years), len(rows), G))
    sec_vx = np.zeros((len(years), len(rows), G))
    for t, y in enumerate(years):
        yg = f[f"/years/{y}"]
        exb, vax, vby = yg["exports_bilateral"][...], yg["vax"][...], yg["vby"][...]
        gx = exb[rows].sum(axis=0)
        gm = np.array([exb[sreg == r, c].sum() for r in range(G)])
        vx, vm = vax[c].copy(), vax[:, c].copy()
        for a in (gx, gm, vx, vm):
            a[c] = 0
        flows[t] = [gx, gm, gx + gm, vx, vm, vx + vm]
        sec_gx[t], sec_vx[t] = exb[rows], vby[rows]
        sec_gx[t][:, c] = sec_vx[t][:, c] = 0
        # identities: world exports = the focal's exports; VA exports = its VA absorbed abroad
        near(gx.sum(), yg["exports"][...][rows].sum(), f"{y}: world gross exports = sum of the focal's E_k")
        near(vx.sum(), vby[rows].sum() - vby[rows][:, c].sum(), f"{y}: VA exports = VBY rows of c off column c")

    # standard groups
    gg = tr["groups"]
    names = [s.decode() for s in gg["names"][...]]
    K = len(names)
    check(names == ["world", "partners", "nonpartners", "bri", "bri_ever", "fta", "partners_bri", "partners_fta",
                    "asean", "south_america"], "group names")
    # fixed geographic groups: ASEAN members and UN M49 South America (Du 2025's two regions)
    asean = {"BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "VNM"}
    south = {"ARG", "BOL", "BRA", "CHL", "COL", "ECU", "FLK", "GUF", "GUY", "PRY", "PER", "SUR", "URY", "VEN"}
    mem = gg["membership"][...].astype(bool)
    avail = gg["available"][...]
    isp = np.zeros(G, bool)
    isp[partners] = True
    notc = np.arange(G) != c
    for t in range(len(years)):
        M = mem[t]
        check(np.array_equal(M[0], notc), "world = all but the focal")
        check(np.array_equal(M[1], isp & notc), "partners")
        check(np.array_equal(M[2], ~isp & notc), "nonpartners")
        check(not M[:, c].any(), "focal in no group")
        check(np.array_equal(M[6], M[3] & isp), "partners_bri = bri & partners")
        check(np.array_equal(M[7], M[5] & isp), "partners_fta = fta & partners")
        check(not (M[3] & ~M[4]).any(), "bri is within bri_ever")
        check(np.array_equal(gg["n_regions"][t], M.sum(axis=1)), "n_regions")
        check(np.array_equal(M[8], np.array([codes[r] in asean and r != c for r in range(G)])), "asean")
        check(np.array_equal(M[9], np.array([codes[r] in south and r != c for r in range(G)])), "south_america")
    level = np.einsum("tmg,tkg->mtk", flows, mem.astype(float))
    for k in range(K):
        if not avail[k]:
            level[:, :, k] = np.nan
    for m, nm in enumerate(meas):
        check_series(gg, nm, level[m], level[m][:, [0]] * np.ones((1, K)), years, b)
        near(level[m][:, 1] + level[m][:, 2], level[m][:, 0], f"{nm}: partners + nonpartners = world")

    # regional groups of the partners
    rg = tr["regions"]
    members = [s.decode().split() for s in rg["members"][...]]
    check(sorted(sum(members, [])) == sorted(codes[p] for p in partners), "regional groups partition the partners")
    R = len(members)
    rm = np.zeros((R, G))
    for k, ms in enumerate(members):
        for code in ms:
            rm[k, codes.index(code)] = 1
    rlevel = np.einsum("tmg,kg->mtk", flows, rm)
    for m, nm in enumerate(meas):
        check_series(rg, nm, rlevel[m], level[m][:, [0]] * np.ones((1, R)), years, b)
        near(rlevel[m].sum(axis=1), level[m][:, 1], f"regions/{nm} sum to partners")

    # industries and classes of the focal region
    cls_of = []
    for i in sind[rows]:
        cls_of.append(2 if i not in inds else 0 if i in high else 1)
    ig, cg = tr["industries"], tr["industry_classes"]
    check([s.decode() for s in ig["class"][...]] == [["mfg_high_tech", "mfg_low_tech", "non_mfg"][k] for k in cls_of],
          "industry classes")
    memf = mem.astype(float)
    for m, (nm, sec) in enumerate([("gross_exports", sec_gx), ("va_exports", sec_vx)]):
        ilevel = np.einsum("tig,tkg->tik", sec, memf)
        for k in range(K):
            if not avail[k]:
                ilevel[:, :, k] = np.nan
        clevel = np.zeros((len(years), 4, K))
        for ci in range(3):
            clevel[:, ci] = ilevel[:, [i for i in range(len(rows)) if cls_of[i] == ci]].sum(axis=1)
        clevel[:, 3] = ilevel.sum(axis=1)
        near(clevel[:, 3], level[0 if m == 0 else 3], f"classes/{nm}: all = the group's {nm}")
        check_series(cg, nm, clevel, clevel[:, [3]] * np.ones((1, 4, 1)), years, b)
        check_series(ig, nm, ilevel, clevel[:, [3]] * np.ones((1, len(rows), 1)), years, b)

    # statuses
    if mode == "sources":
        check(avail.all(), "all groups available with the covariate sources")
        signed = set()
        with open(sys.argv[7], newline="") as fh:
            for row in csv.DictReader(fh):
                signed.add(row["Country Code"])
        for t, y in enumerate(years):
            for r in np.where(mem[t, 4])[0]:
                check(codes[r] in signed, f"{codes[r]} in bri_ever but not in the BRI signatories file")
        # the panel's BRI and FTA columns (same covariates) agree for the partners
        if "/panel" in f:
            pp = [s.decode() for s in f["/panel/partner"][...]]
            py = f["/panel/year"][...]
            for col, k in (("BRI", 6), ("FTA", 7)):
                v = f[f"/panel/{col}"][...]
                for i in range(len(pp)):
                    if int(py[i]) not in years or math.isnan(v[i]):
                        continue
                    t = years.index(int(py[i]))
                    check(bool(mem[t, k, codes.index(pp[i])]) == (v[i] == 1), f"panel {col} {pp[i]} {py[i]}")
    else:
        check(not avail[5] and not avail[7], "fta unavailable without sources")
        check(np.isnan(gg["gross_exports"][...][:, 5]).all(), "fta values missing")
        check(avail[3] and avail[4], "bri from the user file")
        user = {}
        with open(sys.argv[7], newline="") as fh:
            for row in csv.DictReader(fh):
                user[(row["iso3"], int(row["year"]))] = float(row["BRI"])
        ever = {code for (code, y), v in user.items() if v == 1}
        for t, y in enumerate(years):
            exp = np.array([user.get((codes[r], y)) == 1 and r != c for r in range(G)])
            check(np.array_equal(mem[t, 3], exp), f"{y}: bri from the user file")
            check(np.array_equal(mem[t, 4], np.array([codes[r] in ever for r in range(G)])), f"{y}: bri_ever")
            unk = sum(1 for r in range(G) if r != c and (codes[r], y) not in user)
            check(gg["n_unknown"][t, 3] == unk, f"{y}: bri unknown count")

    # agreements over time (Du 2025): recount from the DESTA dyads and the signatories file with csv
    if mode == "sources":
        ag = tr["agreements"]
        cy = list(ag["calendar_year"][...])
        check(cy == list(range(1990, 2024)), "agreements: calendar years 1990-2023")
        dy = [r for r in csv.DictReader(open(glob.glob("data/covariates/desta_list_of_treaties_*dyads*.csv")[0],
                                              encoding="utf-8-sig"))
              if "156" in (r["iso1"], r["iso2"]) and r["entryforceyear"] and "withdraw" not in r["entry_type"]]
        for t, y in enumerate(cy):
            live = [r for r in dy if int(r["entryforceyear"]) <= y]
            check(ag["fta_agreements"][t] == len({r["base_treaty"] for r in live}), f"agreements {y}")
            check(ag["fta_partners"][t] == len({r["iso2"] if r["iso1"] == "156" else r["iso1"] for r in live}),
                  f"agreement partners {y}")
        sig = [r for r in csv.DictReader(open(sys.argv[7], newline="")) if r["Country Code"] != "CHN"]
        for t, y in enumerate(cy):
            n = sum(1 for r in sig if r["Likely date of joining"] and int(r["Likely date of joining"][:4]) <= y
                    and not (r["Likely date of exit"] and int(r["Likely date of exit"][:4]) <= y))
            check(ag["bri_signatories"][t] == n, f"BRI signatories {y}")
        check(ag.attrs["bri_undated"] == sum(1 for r in sig if not r["Likely date of joining"]), "undated signatories")
        stated = list(csv.DictReader(open("data/countries/du2025_stated.csv", newline="")))
        check([s_.decode() for s_ in ag["stated_measure"][...]] == [r["measure"] for r in stated], "stated measures")
        near(ag["stated_value"][...], [float(r["value"]) for r in stated], "stated values")
        check(ag["fta_agreements"][cy.index(2013)] == 13, "DESTA: 13 agreements of China in force in 2013")
    else:
        check("agreements" not in tr, "no /trade/agreements without covariate sources")

    # tables directory: the CSV agrees with the HDF5 (world gross exports)
    if len(sys.argv) > 8:
        with open(sys.argv[8], newline="") as fh:
            rows_csv = [r for r in csv.DictReader(fh)]
        w = {int(r["year"]): float(r["level"]) for r in rows_csv
             if r["set"] == "groups" and r["group"] == "world" and r["measure"] == "va_exports" and r["year"]}
        near([w[y] for y in years], level[3][:, 0], "trade.csv va_exports world")
    # the printed tables (rank 0's output) agree with the HDF5 to their rounding
    if len(sys.argv) > 9:
        check_log(sys.argv[9], years, gg, names)
    print("trade_check:", "FAILED" if fails else "ok", f"({fails} failures)")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
