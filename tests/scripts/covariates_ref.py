#!/usr/bin/python3
"""Independent reference for the covariates module (docs/covariates.md).

Re-implements every column from the raw files in data/covariates with
Python's csv module and numpy, following the documented rules, and compares
it cell by cell with a CSV written by the C code (test_covariates --dump).

usage: covariates_ref.py DIR FOCAL PARTNERS_FILE Y0 Y1 C_OUTPUT.csv
exit 0 when every cell agrees (numbers to 1e-12 relative, missing = missing).
"""
import csv
import glob
import math
import os
import sys

import numpy as np

DIR, FOCAL, PFILE, Y0, Y1, COUT = sys.argv[1:7]
YEARS = list(range(int(Y0), int(Y1) + 1))


def canon(c):
    c = c.upper()
    c = {"ROM": "ROU", "ZAR": "COD", "TMP": "TLS", "PAL": "PSE"}.get(c, c)
    return {"SUD": "SDN", "SDS": "SSD"}.get(c, c)


def partners():
    out = []
    for line in open(PFILE):
        line = line.split("#")[0].strip()
        if line:
            out.append(line.upper())
    return out


def num(s):
    s = s.strip()
    if s in ("", "NA", "NaN", "nan", ".", "..", "#NULL!", "#N/A"):
        return math.nan
    return float(s)


def wide(path, indicator=None):
    """WDI/WGI wide file -> {code: {year: value}} (header: 'Country Code' in column 2)."""
    rows = list(csv.reader(open(path, encoding="utf-8-sig")))
    h = next(i for i, r in enumerate(rows) if len(r) > 1 and r[1] == "Country Code")
    hdr = rows[h]
    years = {j: int(c) for j, c in enumerate(hdr) if j >= 2 and c.isdigit() and len(c) == 4}
    out = {}
    for r in rows[h + 1:]:
        if len(r) < 2:
            continue
        if indicator and r[3] != indicator:
            continue
        out[r[1]] = {y: num(r[j]) for j, y in years.items()}
    return out, sorted(years.values())


P = partners()
PC = [canon(p) for p in P]
F = canon(FOCAL)
ref = {}  # (partner, year) -> dict col -> value


def setv(p, y, col, v):
    ref.setdefault((p, y), {})[col] = v


# ---------------- groups ----------------
groups = {canon(r["iso3"]): r["group"] for r in csv.DictReader(open(os.path.join(DIR, "../countries/bri64.csv")))}
meta_path = glob.glob(os.path.join(DIR, "Metadata_Country_*.csv"))[0]
meta_rows = list(csv.reader(open(meta_path, encoding="utf-8-sig")))
region = {r[0]: r[1] for r in meta_rows[1:] if len(r) > 4 and r[1]}
tablename = {r[4].lower(): r[0] for r in meta_rows[1:] if len(r) > 4}
for p, c in zip(P, PC):
    g = groups.get(c) or region.get(c)
    for y in YEARS:
        setv(p, y, "group", g)

# ---------------- POL ----------------
dims = ["CC.EST", "GE.EST", "PV.EST", "RQ.EST", "RL.EST", "VA.EST"]
W = {}
for d in dims:
    W[d], wyears = wide(os.path.join(DIR, "WGIData.csv"), d)


def wgi_at(tab, code, y):
    """value for year y: exact, interpolated inside the coverage, nearest one year outside."""
    if code not in tab:
        return math.nan
    v = tab[code]
    if y in wyears:
        return v[y]
    if wyears[0] < y < wyears[-1]:
        lo = max(k for k in wyears if k < y)
        hi = min(k for k in wyears if k > y)
        s = (y - lo) / (hi - lo)
        return (1 - s) * v[lo] + s * v[hi]
    if y == wyears[0] - 1:
        return v[wyears[0]]
    if y == wyears[-1] + 1:
        return v[wyears[-1]]
    return math.nan


for y in YEARS:
    var = {}
    for d in dims:
        vals = np.array([wgi_at(W[d], c, y) for c in W[d]])
        vals = vals[np.isfinite(vals)]
        var[d] = np.var(vals, ddof=1) if len(vals) > 1 else math.nan
    for p, c in zip(P, PC):
        s = 0.0
        for d in dims:
            s += (wgi_at(W[d], F, y) - wgi_at(W[d], c, y)) ** 2 / var[d]
        setv(p, y, "POL", s / 6)

# ---------------- ECO ----------------
gdp, _ = wide(glob.glob(os.path.join(DIR, "API_NY.GDP.PCAP.CD*.csv"))[0])
fb = {}
for r in csv.DictReader(open(glob.glob(os.path.join(DIR, "wb_gdppc_gnipc_*.csv"))[0])):
    fb[(r["iso3"], int(r["year"]))] = num(r["gdpper2"])


def gdppc(c, y):
    v = gdp.get(c, {}).get(y, math.nan)
    if not v > 0:
        v = fb.get((c, y), math.nan)
    return v if v > 0 else math.nan


for y in YEARS:
    for p, c in zip(P, PC):
        setv(p, y, "ECO", abs(math.log(gdppc(F, y)) - math.log(gdppc(c, y))) if gdppc(F, y) > 0 and gdppc(c, y) > 0 else math.nan)

# ---------------- CUL ----------------
HOF = {  # academic file code -> ISO3 (None: not one country)
    "AFE": None, "AFW": None, "ARA": None, "BEF": None, "BEN": None, "CAF": None, "GEE": None, "SAW": None,
    "SWF": None, "SWG": None, "ALG": "DZA", "AUL": "AUS", "BAN": "BGD", "BOS": "BIH", "BUL": "BGR",
    "BUF": "BFA", "CHI": "CHN", "COS": "CRI", "CRO": "HRV", "DEN": "DNK", "ECA": "ECU", "SAL": "SLV",
    "GER": "DEU", "GRE": "GRC", "GUA": "GTM", "HOK": "HKG", "ICE": "ISL", "IDO": "IDN", "IRA": "IRN",
    "IRE": "IRL", "KYR": "KGZ", "LAT": "LVA", "LIT": "LTU", "MAC": "MKD", "MAL": "MYS", "MOL": "MDA",
    "MNG": "MNE", "MOR": "MAR", "NET": "NLD", "NIG": "NGA", "PHI": "PHL", "POR": "PRT", "PUE": "PRI",
    "ROM": "ROU", "SER": "SRB", "SIN": "SGP", "SLK": "SVK", "SLV": "SVN", "SAF": "ZAF", "SPA": "ESP",
    "SWI": "CHE", "TAI": "TWN", "TAN": "TZA", "TRI": "TTO", "URU": "URY", "VIE": "VNM", "ZAM": "ZMB",
    "ZIM": "ZWE",
}
NAMES = {"cape verde": "CPV", "czech republic": "CZE", "egypt": "EGY", "hong kong": "HKG", "iran": "IRN",
         "russia": "RUS", "são tomé and príncipe": "STP", "slovakia": "SVK", "south korea": "KOR",
         "syria": "SYR", "taiwan": "TWN", "turkey": "TUR", "venezuela": "VEN"}
scores = {}
for r in csv.DictReader(open(glob.glob(os.path.join(DIR, "hofstede_6d_*.csv"))[0], encoding="utf-8-sig"), delimiter=";"):
    iso = HOF.get(r["ctr"], r["ctr"])
    v = [num(r[k]) for k in ("pdi", "idv", "mas", "uai")]
    if iso and all(math.isfinite(a) for a in v) and iso not in scores:
        scores[iso] = v
for r in csv.DictReader(open(glob.glob(os.path.join(DIR, "hofstede_insights_country_flat*.csv"))[0], encoding="utf-8-sig")):
    iso = r["iso3_bri_subset"] or NAMES.get(r["country"].lower()) or tablename.get(r["country"].lower())
    v = [num(r[k]) for k in ("pdi", "idv", "mas", "uai")]
    if iso and all(math.isfinite(a) for a in v) and iso not in scores:
        scores[iso] = v
S = np.array(list(scores.values()))
hvar = S.var(axis=0, ddof=1)


def hof(c):
    if c in scores:
        return scores[c], 0
    g = groups.get(c)
    mem = [scores[k] for k in scores if g and groups.get(k) == g]
    if mem:
        return list(np.mean(mem, axis=0)), 1
    g = region.get(c)
    mem = [scores[k] for k in scores if g and region.get(k) == g]
    if mem:
        return list(np.mean(mem, axis=0)), 1
    return None, 0


fs, ff = hof(F)
for p, c in zip(P, PC):
    ps, pf = hof(c)
    cul = sum((fs[d] - ps[d]) ** 2 / hvar[d] for d in range(4)) / 4 if fs and ps else math.nan
    for y in YEARS:
        setv(p, y, "CUL", cul)
        setv(p, y, "CUL_filled", (1.0 if (pf or ff) else 0.0) if fs and ps else math.nan)

# ---------------- DIS ----------------
brent = {}
for r in csv.DictReader(open(os.path.join(DIR, "brent-year.csv"))):
    brent.setdefault(int(r["Date"][:4]), []).append(float(r["Price"]))
brent = {y: sum(v) / len(v) for y, v in brent.items()}
DCODE = {"ROU": "ROM", "COD": "ZAR", "COG": "COD", "TLS": "TMP", "PSE": "PAL", "SRB": "YUG", "MNE": "YUG"}
GCODE = {"ROU": "ROM", "COD": "ZAR", "TLS": "TMP", "PSE": "PAL", "SRB": "YUG", "MNE": "YUG"}
dist = {}
for r in csv.DictReader(open(os.path.join(DIR, "dist_cepii.csv"))):
    dist[(r["iso_o"], r["iso_d"])] = float(r["distcap"])
capital = {}
for r in csv.DictReader(open(os.path.join(DIR, "geo_cepii.csv"), encoding="utf-8-sig")):
    rank = {1.0: 1, 2.0: 2}.get(float(r["cap"]), 3)
    if r["iso3"] not in capital or rank < capital[r["iso3"]][0]:
        capital[r["iso3"]] = (rank, float(r["lat"]), float(r["lon"]))


def capdist(a, b):
    da, db = DCODE.get(a, a), DCODE.get(b, b)
    if (da, db) in dist:
        return dist[(da, db)]
    if (db, da) in dist:
        return dist[(db, da)]
    ga, gb = GCODE.get(a, a), GCODE.get(b, b)
    if ga in capital and gb in capital:
        _, la1, lo1 = capital[ga]
        _, la2, lo2 = capital[gb]
        p1, p2 = math.radians(la1), math.radians(la2)
        h = math.sin(math.radians(la2 - la1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lo2 - lo1) / 2) ** 2
        return 2 * 6371.0 * math.asin(math.sqrt(min(h, 1.0)))
    return math.nan


for p, c in zip(P, PC):
    d = capdist(F, c)
    for y in YEARS:
        # dis_form = level (the default): km x US$ (Hu 2023, Table 1)
        setv(p, y, "DIS", d * brent[y] if y in brent and d > 0 else math.nan)

# ---------------- FTA ----------------
# ISO numeric from geo_cepii's cnum (old codes renamed), with the entries where
# CEPII's number is not the ISO one (Comtrade reporter codes) or is absent.
numiso = {}
old = {"ROM": "ROU", "ZAR": "COD", "TMP": "TLS", "PAL": "PSE"}
for r in csv.DictReader(open(os.path.join(DIR, "geo_cepii.csv"), encoding="utf-8-sig")):
    numiso.setdefault(old.get(r["iso3"], r["iso3"]), int(float(r["cnum"])))
numiso.update({"BEL": 56, "FRA": 250, "ITA": 380, "TWN": 158, "NOR": 578, "IND": 356, "ZAF": 710, "CHE": 756,
               "USA": 840, "PSE": 275, "SRB": 688, "MNE": 499, "SSD": 728, "SDN": 729, "XKX": 900, "LIE": 438,
               "MCO": 492, "CUW": 531, "SXM": 534})
numiso.pop("YUG", None)
treaties = list(csv.DictReader(open(os.path.join(DIR, "desta_list_of_treaties_02_02_dyads.csv"), encoding="utf-8-sig")))
last = max(int(r["year"]) for r in treaties)
for p, c in zip(P, PC):
    a, b = numiso.get(F), numiso.get(c)
    rows = [r for r in treaties if a is not None and b is not None and {int(r["iso1"]), int(r["iso2"])} == {a, b}] if a != b else \
        [r for r in treaties if int(r["iso1"]) == a and int(r["iso2"]) == a]
    for y in YEARS:
        if a is None or b is None or y > last:
            setv(p, y, "FTA", math.nan)
            continue
        on = 0
        for r in rows:
            if "withdraw" in r["entry_type"] or not r["entryforceyear"] or int(r["entryforceyear"]) > y:
                continue
            gone = any("withdraw" in w["entry_type"] and w["base_treaty"] == r["base_treaty"] and
                       int(r["entryforceyear"]) <= int(w["entryforceyear"] or w["year"]) <= y for w in rows)
            on |= not gone
        setv(p, y, "FTA", float(on))

# ---------------- LF ----------------
lf, _ = wide(glob.glob(os.path.join(DIR, "API_SL.TLF.TOTL.IN*.csv"))[0])
for p, c in zip(P, PC):
    for y in YEARS:
        v = lf.get(c, {}).get(y, math.nan)
        setv(p, y, "LF", math.log(v) if v > 0 else math.nan)

# ---------------- D1 ----------------
og = list(csv.reader(open(glob.glob(os.path.join(DIR, "OGHIST*.csv"))[0], encoding="utf-8-sig")))
fycol = {j: 1900 + int(h[2:]) - 2 if int(h[2:]) >= 50 else 2000 + int(h[2:]) - 2
         for j, h in enumerate(og[0]) if h.startswith("FY")}
inc = {}
for r in og[1:]:
    if len(r[0]) == 3 and r[0].isupper():
        inc[r[0]] = {y: {"H": 1.0, "L": 0.0, "LM": 0.0, "UM": 0.0}.get(r[j].rstrip("*"), math.nan)
                     for j, y in fycol.items()}
for p, c in zip(P, PC):
    alt = {"SRB": "YUG", "MNE": "YUG", "USR": "SUN"}.get(c)
    for y in YEARS:
        v = inc.get(c, {}).get(y, math.nan)
        if not math.isfinite(v) and alt:
            v = inc.get(alt, {}).get(y, math.nan)
        setv(p, y, "D1", v)
# ---------------- STAGE: the focal country's income group ----------------
grp = {}
for r in og[1:]:
    if len(r[0]) == 3 and r[0].isupper():
        grp[r[0]] = {y: r[j].rstrip("*") for j, y in fycol.items()}
for p, c in zip(P, PC):
    alt = {"SRB": "YUG", "MNE": "YUG", "USR": "SUN"}.get(c)
    for y in YEARS:
        g = grp.get(c, {}).get(y, "")
        if g not in ("L", "LM", "UM", "H") and alt:
            g = grp.get(alt, {}).get(y, "")
        fg = grp.get(FOCAL, {}).get(y, "")
        ok = g in ("L", "LM", "UM", "H") and fg in ("L", "LM", "UM", "H")
        setv(p, y, "STAGE", float(g == fg) if ok else math.nan)

# ---------------- BRI ----------------
sig = {}
for r in csv.DictReader(open(os.path.join(DIR, "bri_signatories_nedopil2023.csv"), encoding="utf-8-sig")):
    j = int(r["Likely date of joining"][:4]) if r["Likely date of joining"] else None
    x = int(r["Likely date of exit"][:4]) if r["Likely date of exit"] else None
    sig[canon(r["Country Code"])] = (j, x)
for p, c in zip(P, PC):
    for y in YEARS:
        if c not in sig:
            setv(p, y, "BRI", 0.0)
            setv(p, y, "BRI_year", math.nan)
        elif sig[c][0] is None:
            setv(p, y, "BRI", math.nan)
            setv(p, y, "BRI_year", math.nan)
        else:
            j, x = sig[c]
            setv(p, y, "BRI", float(j <= y and not (x and x <= y)))
            setv(p, y, "BRI_year", float(j))

# ---------------- compare ----------------
cols = ["group", "POL", "ECO", "CUL", "CUL_filled", "DIS", "FTA", "LF", "D1", "STAGE", "BRI", "BRI_year"]
bad = 0
seen = 0
counts = {k: 0 for k in cols}
for r in csv.DictReader(open(COUT)):
    key = (r["partner"], int(float(r["year"])))
    exp = ref.pop(key, None)
    if exp is None:
        print("unexpected row", key)
        bad += 1
        continue
    seen += 1
    for k in cols:
        e, g = exp[k], r[k]
        if k == "group":
            ok = (e or "") == g
        else:
            gv = float(g) if g != "" else math.nan
            ok = (math.isnan(e) and math.isnan(gv)) or (not math.isnan(e) and not math.isnan(gv) and
                                                        abs(gv - e) <= 1e-12 * max(1.0, abs(e)))
            counts[k] += not math.isnan(e)
        if not ok:
            bad += 1
            if bad < 40:
                print("MISMATCH", key, k, "C:", g, "ref:", e)
if ref:
    print("rows missing from the C output:", sorted(ref)[:10])
    bad += len(ref)
print("compared %d rows; non-missing reference cells per column: %s" % (seen, counts))
sys.exit(1 if bad else 0)
