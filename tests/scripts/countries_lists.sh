#!/usr/bin/env bash
# The sample lists of configs/countries/ against their sources, recomputed independently in Python:
# bri-signatories-2021.txt = the Nedopil (2023) signatories other than China that joined by
# 2021-12-31 or have no date; bri-signatories-2021-eora.txt = those in the Eora26 labels, in Eora codes
# (SUD, SDS for SDN, SSD); configs/eora26.ini uses the Eora list. silkflow's list reader on both files:
# tests/unit/test_covariates.c.
set -euo pipefail
cd "$(dirname "$0")/../.."
/usr/bin/python3 - <<'PY'
import csv, sys
def codes(p):
    out = []
    for l in open(p):
        s = l.split("#")[0].strip()
        if s: out.append(s)
    return out
rows = list(csv.DictReader(open("data/covariates/bri_signatories_nedopil2023.csv")))
want = sorted(r["Country Code"] for r in rows
              if r["Country Code"] != "CHN" and (not r["Likely date of joining"] or r["Likely date of joining"] <= "2021-12-31"))
got = codes("configs/countries/bri-signatories-2021.txt")
if got != want:
    print("FAIL bri-signatories-2021.txt differs from the source: extra %s missing %s" % (set(got) - set(want), set(want) - set(got))); sys.exit(1)
eora = {l.split("\t")[1] for l in open("data/eora26-labels/labels_T.txt")}
to_e = {"SDN": "SUD", "SSD": "SDS"}
want_e = [to_e.get(c, c) for c in want if to_e.get(c, c) in eora]
got_e = codes("configs/countries/bri-signatories-2021-eora.txt")
if got_e != want_e:
    print("FAIL bri-signatories-2021-eora.txt differs: extra %s missing %s" % (set(got_e) - set(want_e), set(want_e) - set(got_e))); sys.exit(1)
for p, n in (("configs/countries/bri-signatories-2021.txt", len(want)), ("configs/countries/bri-signatories-2021-eora.txt", len(want_e))):
    head = "".join(l for l in open(p) if l.startswith("#"))
    if ("%d " % n) not in head:
        print("FAIL %s: its header does not state its count %d" % (p, n)); sys.exit(1)
ini = open("configs/eora26.ini").read()
if "partners    = configs/countries/bri-signatories-2021-eora.txt" not in ini:
    print("FAIL configs/eora26.ini does not use bri-signatories-2021-eora.txt"); sys.exit(1)
print("lists ok: %d signatories by 2021, %d in Eora26" % (len(want), len(want_e)))
PY
