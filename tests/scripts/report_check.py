"""Checks of a silkflow report directory (tests/scripts/report_render.sh).

  report_check.py files DIR            every file named in report.md / report.html
                                       exists; PNGs decode and are not blank; SVGs
                                       are well-formed XML with drawing elements
  report_check.py numbers DIR FILE.h5  numbers of the report and of the figures'
                                       data against h5py/numpy on the results file
  report_check.py nogp DIR             report written without gnuplot: says so, no
                                       image, the figure scripts are there
  report_check.py nan DIR              report of a results file without usable data
  report_check.py estimates DIR FILE.h5  the coefficient figure and key coefficients
"""
import html.parser
import os
import re
import struct
import sys
import xml.etree.ElementTree as ET
import zlib

import h5py
import numpy as np


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


# ------------------------------------------------------------------ images
def paeth_row(cur, prev, ch):
    # the first pixel: a = c = 0, so the predictor is b
    for x in range(ch):
        cur[x] = (cur[x] + prev[x]) & 255
    for x in range(ch, len(cur)):
        a, b, c = cur[x - ch], prev[x], prev[x - ch]
        p = a + b - c
        pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
        if pa <= pb and pa <= pc:
            cur[x] = (cur[x] + a) & 255
        elif pb <= pc:
            cur[x] = (cur[x] + b) & 255
        else:
            cur[x] = (cur[x] + c) & 255
    return cur


def png_pixels(path):
    """Decode an 8-bit PNG (grey, RGB, palette, grey+alpha, RGBA) with zlib."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail(f"{path}: not a PNG signature")
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        typ = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + n]
        crc = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])[0]
        if zlib.crc32(typ + body) & 0xffffffff != crc:
            fail(f"{path}: bad CRC in chunk {typ!r}")
        if typ == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif typ == b"IDAT":
            idat += body
        elif typ == b"IEND":
            break
        pos += 12 + n
    if ihdr is None:
        fail(f"{path}: no IHDR")
    w, h, depth, ctype, _, _, interlace = ihdr
    if w == 0 or h == 0:
        fail(f"{path}: empty image {w}x{h}")
    if depth != 8 or interlace:
        fail(f"{path}: unsupported PNG (depth {depth}, interlace {interlace})")
    ch = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[ctype]
    raw = zlib.decompress(idat)
    stride = w * ch
    if len(raw) != h * (stride + 1):
        fail(f"{path}: IDAT has {len(raw)} bytes, expected {h * (stride + 1)}")
    img = np.zeros((h, stride), dtype=np.uint8)
    prev = bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)]
        if f == 0:
            cur = bytearray(line)
        elif f == 2:  # up
            cur = bytearray(((np.frombuffer(line, np.uint8).astype(np.int32) + np.frombuffer(bytes(prev), np.uint8)) & 255).astype(np.uint8).tobytes())
        elif f == 1:  # sub: a running sum per channel, mod 256
            v = np.frombuffer(line, np.uint8).astype(np.int64).reshape(w, ch)
            cur = bytearray((np.cumsum(v, axis=0) & 255).astype(np.uint8).tobytes())
        elif f == 3:  # average: sequential along the row
            cur = bytearray(line)
            for x in range(stride):
                cur[x] = (cur[x] + (((cur[x - ch] if x >= ch else 0) + prev[x]) >> 1)) & 255
        elif f == 4:  # Paeth: sequential along the row
            cur = paeth_row(bytearray(line), prev, ch)
        else:
            fail(f"{path}: bad filter {f}")
        img[y] = np.frombuffer(bytes(cur), np.uint8)
        prev = cur
    return w, h, img.reshape(h, w, ch)


def check_png(path):
    w, h, px = png_pixels(path)
    flat = px.reshape(-1, px.shape[2])
    packed = np.zeros(flat.shape[0], dtype=np.int64)
    for c in range(flat.shape[1]):
        packed = (packed << 8) | flat[:, c]
    distinct = len(np.unique(packed))
    if distinct < 16:
        fail(f"{path}: {w}x{h} looks blank ({distinct} distinct pixel values)")
    # something is drawn: at least 1% of the pixels differ from the background (the corner)
    inked = np.mean(packed != packed[0])
    if inked < 0.01:
        fail(f"{path}: only {inked:.4f} of the pixels differ from the background")
    return w, h, distinct


def check_svg(path):
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        fail(f"{path}: not well-formed XML: {e}")
    if not root.tag.endswith("svg"):
        fail(f"{path}: root element is {root.tag}")
    drawing = [el for el in root.iter() if el.tag.split("}")[-1] in ("path", "polyline", "polygon", "line", "rect", "circle", "ellipse")]
    texts = [el for el in root.iter() if el.tag.split("}")[-1] == "text"]
    if len(drawing) < 20 or len(texts) < 3:
        fail(f"{path}: only {len(drawing)} drawing elements and {len(texts)} texts")


class Refs(html.parser.HTMLParser):
    VOID = {"img", "meta", "br", "hr", "link", "input"}

    def __init__(self):
        super().__init__()
        self.refs, self.stack, self.errors = [], [], []

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("src", "href") and v:
                self.refs.append(v)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
        else:
            self.stack.pop()


def cmd_files(d):
    md = open(os.path.join(d, "report.md"), encoding="utf-8").read()
    targets = re.findall(r"\]\(([^)\s]+)\)", md)
    figs = [t for t in targets if t.startswith("figures/")]
    if not figs:
        fail("report.md references no figure")
    pngs = svgs = 0
    for t in sorted(set(targets)):
        if re.match(r"^[a-z]+:", t):
            continue
        p = os.path.join(d, t)
        if not os.path.isfile(p) or os.path.getsize(p) == 0:
            fail(f"report.md references {t}: missing or empty")
        if t.endswith(".png"):
            w, h, n = check_png(p)
            pngs += 1
            print(f"  {t}: {w}x{h}, {n} distinct pixel values")
        elif t.endswith(".svg"):
            check_svg(p)
            svgs += 1
    # every drawn figure has both formats, and the images in the text are the PNGs
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md)
    for im in images:
        if not im.endswith(".png") or im[:-4] + ".svg" not in targets:
            fail(f"figure {im}: no SVG link beside it")
    page = open(os.path.join(d, "report.html"), encoding="utf-8").read()
    r = Refs()
    r.feed(page)
    if r.errors or r.stack:
        fail(f"report.html: unbalanced tags: {r.errors[:3]} open {r.stack[:3]}")
    local = [x for x in r.refs if not re.match(r"^([a-z]+:|#)", x)]
    for x in local:
        p = os.path.normpath(os.path.join(d, x))
        if not os.path.exists(p):
            fail(f"report.html references {x}, which does not exist")
        if os.path.isabs(x):
            fail(f"report.html references an absolute path {x}")
    html_imgs = re.findall(r'<img src="([^"]+)"', page)
    if sorted(html_imgs) != sorted(images):
        fail(f"report.html images {html_imgs} differ from report.md's {images}")
    for a in re.findall(r'href="#([^"]+)"', page):
        if f'id="{a}"' not in page:
            fail(f"report.html: contents link #{a} has no target")
    if "<style>" not in page or "<link" in page or "<script" in page:
        fail("report.html: not a self-contained page with inline CSS")
    print(f"files ok: {len(images)} figures, {pngs} PNG and {svgs} SVG checked, {len(local)} local references in report.html")


# ------------------------------------------------------------------ numbers
def datablock(gp_text, name):
    m = re.search(r"^\$" + name + r" << EOD\n(.*?)^EOD$", gp_text, re.S | re.M)
    if not m:
        fail(f"no data block ${name}")
    rows = [[float(v) for v in line.split()] for line in m.group(1).strip().splitlines()]
    return np.array(rows)


def close(a, b, rtol=1e-8, what=""):
    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.shape != b.shape or not np.allclose(a, b, rtol=rtol, atol=0, equal_nan=True):
        fail(f"{what}: {a} != {b}")


def cmd_numbers(d, h5):
    md = open(os.path.join(d, "report.md"), encoding="utf-8").read()
    f = h5py.File(h5, "r")
    P = {k: f["panel/" + k][()] for k in f["panel"]}
    # the report's figures and sums use the raw values of preprocessed columns
    for k in list(P):
        if k.endswith("_raw"):
            P[k[:-4]] = P[k]
    years = np.unique(P["year"])
    itr = P["ITR"]
    # at a glance: ITR summed over the pairs, first and last year
    m = re.search(r"ITR summed over the pairs: ([\d,.e+]+) in (\d+), ([\d,.e+]+) in (\d+)", md)
    if not m:
        fail("no ITR line in 'At a glance'")
    for val, yr in ((m.group(1), m.group(2)), (m.group(3), m.group(4))):
        want = np.nansum(itr[P["year"] == int(yr)])
        got = float(val.replace(",", ""))
        if abs(got - want) > max(0.5, 5e-4 * abs(want)):
            fail(f"ITR sum {yr}: report {got}, panel {want}")
    # the figures' data: trends by group, "all partners" = column 2 of each block, by year
    gp = open(os.path.join(d, "figures", "trends_group.gp")).read()
    for k, (col, median) in enumerate((("IC", 0), ("IIn", 0), ("IIH", 1), ("ITR", 0))):
        blk = datablock(gp, f"d{k}")
        close(blk[:, 0], years, what="trend years")
        want = []
        for y in years:
            v = P[col][(P["year"] == y) & np.isfinite(P[col])]
            want.append(np.nan if v.size == 0 else (np.median(v) if median else v.mean()))
        close(blk[:, 1], want, rtol=1e-8, what=f"all-partner {'median' if median else 'mean'} of {col}")
        # each group's series: the first group in alphabetical order
        groups = sorted({g.decode() for g in P["group"]})
        g0 = np.array([g.decode() == groups[0] for g in P["group"]])
        want = []
        for y in years:
            v = P[col][(P["year"] == y) & g0 & np.isfinite(P[col])]
            want.append(np.nan if v.size == 0 else (np.median(v) if median else v.mean()))
        close(blk[:, 2], want, what=f"{groups[0]} {col}")
    # routes: cumulative sums of the five routes by year
    gp = open(os.path.join(d, "figures", "itr_routes.gp")).read()
    lev = datablock(gp, "lev")
    routes = ["ITR_FIN", "ITR_INT", "ITR_INTREX_b", "ITR_INT_d", "ITR_INTREX_d"]
    for i, y in enumerate(years):
        sums = [np.nansum(P[r][P["year"] == y]) for r in routes]
        close(lev[i, 1:], np.concatenate([[0], np.cumsum(sums)]), what=f"route sums {y}")
    # network: node radii order follows strength, edges follow vax of the first and last year
    gp = open(os.path.join(d, "figures", "network.gp")).read()
    nets = sorted(f["network"].keys())
    for pid, yname in ((0, nets[0]), (1, nets[-1])):
        n = datablock(gp.replace('"', ""), f"n{pid}") if False else None
        g = f["network/" + yname]
        s = g["strength_in"][()] + g["strength_out"][()]
        m = re.search(r"^\$n%d << EOD\n(.*?)^EOD$" % pid, gp, re.S | re.M)
        rad = np.array([float(line.split()[2]) for line in m.group(1).strip().splitlines()])
        if not np.array_equal(np.argsort(rad, kind="stable"), np.argsort(0.035 + 0.17 * np.sqrt(s / s.max()), kind="stable")):
            fail(f"network {yname}: node sizes do not follow strength")
        if yname not in gp:
            fail(f"network figure lacks year {yname}")
    # PageRank rank over the years
    gp = open(os.path.join(d, "figures", "network_rank.gp")).read()
    r = datablock(gp, "r")
    close(r[:, 0], [int(y) for y in nets], what="rank years")
    close(r[:, 1], [f["network/" + y].attrs["focal_rank_vax"] for y in nets], what="focal_rank_vax")
    close(r[:, 2], [f["network/" + y].attrs["focal_rank_var"] for y in nets], what="focal_rank_var")
    # network structure (Zheng et al. 2019): the figure's data and the report's tables against /network
    gp = open(os.path.join(d, "figures", "network_groups.gp")).read()
    gl = f["network/" + nets[-1]]
    gnames = [s_.decode() for s_ in gl["region_group"][()]]
    src, core = datablock(gp, "src"), datablock(gp, "core")
    close(src[:, 0], [int(y) for y in nets], what="network_groups years")
    for k, gname in enumerate(gnames):
        want = []
        for y in nets:
            gy = [s_.decode() for s_ in f["network/" + y]["region_group"][()]]
            want.append(100 * f["network/" + y]["group_va_sources_share"][gy.index(gname)] if gname in gy else np.nan)
        close(src[:, 1 + k], want, what=f"VA sources share of {gname}")
    close(core[:, 1], [f["network/" + y]["coreness_vax"][0] for y in nets], what="focal coreness")
    close(core[:, 2], [f["network/" + y]["betweenness_vax"][0] for y in nets], what="focal betweenness")
    nodes = [s_.decode() for s_ in gl["nodes"][()]]
    members = " ".join(n_ for n_, c_ in zip(nodes, gl["core_vax"][()]) if c_)
    row = re.search(r"^\| %s \| ([\d.]+) \| (\d+) \| ([\d.]+) \| (\d+) \| ([A-Z ]+) \| ([\d.]+) \| ([\d.]+) \|"
                    % nets[-1], md, re.M)
    if not row:
        fail(f"no row of {nets[-1]} in the network structure table")
    close(float(row.group(1)), round(gl["coreness_vax"][0], 3), what="coreness in the table")
    close(float(row.group(3)), round(gl.attrs["core_fit_vax"], 3), what="core fit in the table")
    if row.group(5) != members or int(row.group(4)) != gl.attrs["ncore_vax"]:
        fail(f"core of {nets[-1]}: report {row.group(4)} {row.group(5)!r}, file {members!r}")
    close(float(row.group(6)), round(gl["betweenness_vax"][0], 3), what="betweenness in the table")
    close(float(row.group(7)), round(gl["eigenvector_vax"][0], 3), what="eigenvector in the table")
    sec = md[md.index("**Where the foreign value added"):]
    row = re.search(r"^\| %s \|(.*)\|$" % nets[-1], sec, re.M)
    close([float(x) for x in row.group(1).split("|")], np.round(100 * gl["group_va_sources_share"][()], 2),
          what="VA sources by group in the report")
    # agreements (Du 2025)
    ag = f["trade/agreements"]
    a = datablock(open(os.path.join(d, "figures", "agreements.gp")).read(), "ag")
    close(a[:, 0], ag["calendar_year"][()], what="agreement years")
    close(a[:, 1], ag["fta_agreements"][()], what="agreements in force")
    close(a[:, 3], ag["bri_signatories"][()], what="BRI signatories")
    row = re.search(r"^\| 2023 \| (\d+) \| (\d+) \| (\d+) \|$", md, re.M)
    i23 = list(ag["calendar_year"][()]).index(2023)
    close([float(x) for x in row.groups()], [ag["fta_agreements"][i23], ag["fta_partners"][i23],
                                             ag["bri_signatories"][i23]], what="agreements 2023 row")
    html = open(os.path.join(d, "report.html"), encoding="utf-8").read()
    for s_ in ("Network structure", "Nodes of the VAX network", "Final-goods capture",
               "Trade agreements and BRI cooperation partners (Du 2025)", "What Du (2025) states",
               "south_america share", "asean share"):
        if s_ not in html:
            fail(f"report.html lacks '{s_}'")
    # trade: the world and partners index series, and the gross-exports table row of the last year
    gp = open(os.path.join(d, "figures", "trade_growth.gp")).read()
    names = [s.decode() for s in f["trade/groups/names"][()]]
    t0 = datablock(gp, "t0")
    close(t0[:, 1], f["trade/groups/gross_trade_index"][:, names.index("world")], what="world gross trade index")
    close(t0[:, 2], f["trade/groups/gross_trade_index"][:, names.index("partners")], what="partners gross trade index")
    t3 = datablock(gp, "t3")
    close(t3[:, 1], 100 * f["trade/groups/va_trade_growth"][:, names.index("world")], what="world VA trade growth")
    ty = f["trade/years"][()]
    last = ty[-1]
    m = re.search(r"\*\*Gross exports\*\*.*?^\| %d \| ([\d.]+) \| ([-\d.]+) \| ([\d.]+) \|" % last, md, re.S | re.M)
    if not m:
        fail("no gross exports row for the last year")
    close(float(m.group(1)), round(f["trade/groups/gross_exports"][-1, names.index("world")]), what="world gross exports")
    close(float(m.group(3)), round(100 * f["trade/groups/gross_exports_share"][-1, names.index("partners")], 1),
          what="partners share")
    # diagnostics: the residual of every year and the missing-cell table
    for y in f["years"]:
        res = f["years/" + y].attrs["residual"]
        if not re.search(r"^\| %s \| complete \| %s \|" % (y, re.escape("%.2g" % res)), md, re.M):
            fail(f"diagnostics row of {y}: residual {res:.2g} not found")
    pa = f["panel"].attrs
    for col in f["panel"]:
        if col.endswith("_raw"):
            continue
        n = int(pa.get("missing_" + col, 0))
        row = re.search(r"^\| %s \| (\d+) \|" % re.escape(col.replace("_", "\\_")), md, re.M)
        if n and (not row or int(row.group(1)) != n):
            fail(f"missing cells of {col}: {n} in the file, {row.group(1) if row else 'no row'} in the report")
        if not n and row:
            fail(f"{col} has no missing cell but a row in the report")
    # run summary
    for attr in ("config_sha256", "git_revision"):
        v = f.attrs[attr]
        if (v.decode() if isinstance(v, bytes) else v) not in md:
            fail(f"run summary lacks {attr}")
    print("numbers ok: at a glance, trends, routes, network, rank, network structure, agreements, trade, "
          "diagnostics, provenance")


def cmd_nogp(d):
    md = open(os.path.join(d, "report.md"), encoding="utf-8").read()
    if "**Figures were skipped:**" not in md or "gnuplot" not in md:
        fail("report.md does not say that the figures were skipped")
    if re.search(r"!\[", md):
        fail("report.md shows an image although gnuplot is absent")
    gps = [x for x in os.listdir(os.path.join(d, "figures")) if x.endswith(".gp")]
    imgs = [x for x in os.listdir(os.path.join(d, "figures")) if x.endswith((".png", ".svg"))]
    if len(gps) < 5 or imgs:
        fail(f"figures/: scripts {gps}, images {imgs}")
    for s in ("## Run summary", "## Diagnostics", "## Trade"):
        if s not in md:
            fail(f"report.md without gnuplot lacks {s}")
    print(f"no gnuplot ok: {len(gps)} scripts, no image")


def cmd_nan(d):
    md = open(os.path.join(d, "report.md"), encoding="utf-8").read()
    heads = re.findall(r"^### Figure \d+: (.*)\n\n(.*)$", md, re.M)
    status = {t: body for t, body in heads}
    want_skipped = {
        "Symbiosis indicators by regional group of partners": "have no value",
        "Symbiosis indicators by industry": "have no value",
        "Industrial transfer (ITR) by route": "no year has values",
        "Value-added flow network, first and last year": "no /network",
        "PageRank of the focal region over the years": "no /network",
        "Value-added sources, final-goods capture and coreness by regional group": "no /network",
        "Key ITR coefficients across the models": "no estimates",
    }
    for t, why in want_skipped.items():
        if t not in status or not status[t].startswith("*Not drawn:*") or why not in status[t]:
            fail(f"figure '{t}': expected 'Not drawn' with '{why}', got {status.get(t)!r}")
    t = "Trade with Belt and Road countries, partners and the world"
    if not status.get(t, "").startswith("![") :
        fail(f"the trade figure should still be drawn: {status.get(t)!r}")
    for png in [x for x in os.listdir(os.path.join(d, "figures")) if x.endswith(".png")]:
        if not png.startswith(("trade_growth", "agreements")):
            fail(f"stale or unexpected image {png}")
    print("missing data ok: 7 figures skipped with reasons, the trade and agreements figures drawn")


def sattr(g, name):
    v = g.attrs[name]
    return v.decode() if isinstance(v, bytes) else str(v)


def cmd_estimates(d, h5):
    md = open(os.path.join(d, "report.md"), encoding="utf-8").read()
    if "![Key ITR coefficients across the models](figures/coef_itr.png)" not in md:
        fail("coefficient figure not drawn")
    gp = open(os.path.join(d, "figures", "coef_itr.gp")).read()
    f = h5py.File(h5, "r")
    blocks = dict(re.findall(r"^\$(c\d+) << EOD\n(.*?)^EOD$", gp, re.S | re.M))
    got = sorted(float(line.split()[1]) for b in blocks.values() for line in b.strip().splitlines())
    want = []
    for name in f["estimates"]:
        g = f["estimates/" + name]
        if sattr(g, "role") == "first_stage":
            continue
        coef = [c.decode() if isinstance(c, bytes) else c for c in g["coef"][()]]
        key = sattr(g, "key_coef")
        j = coef.index(key) if "ITR" in key else next((i for i, c in enumerate(coef) if "ITR" in c), None)
        if j is not None:
            want.append(g["b"][j])
            if f"| {name.replace('_', chr(92) + '_')} |" not in md:
                fail(f"key coefficient table lacks {name}")
    close(got, sorted(want), what="coefficients in the figure")
    if "wild cluster bootstrap" not in gp:
        fail("no bootstrap CI in the coefficient figure")
    print(f"estimates ok: {len(want)} coefficients")


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"files": cmd_files, "numbers": cmd_numbers, "nogp": cmd_nogp, "nan": cmd_nan, "estimates": cmd_estimates}[cmd](*args)
