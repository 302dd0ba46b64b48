#!/usr/bin/python3
"""Generates an NVD-sized benchmark set for vigie's vulnerability matcher (stdlib only).

Writes, under OUT (default bench/out/vuln):
  nvd/page-NNNN.json  NVD CVE API 2.0 pages of 2,000 CVEs: 250,000 CVEs, about 1,000,000
                      cpeMatch entries (exact versions, every kind of range, any-version,
                      wildcard versions, AND configurations with "running on" platforms,
                      negated nodes), CVSS v4.0/v3.1/v3.0/v2 metrics, weaknesses;
  inventory.tsv       100,000 assets (org TAB cpe) across 1,000 organisations;
  kev.json            a KEV catalog of 1,500 of those CVEs;
  epss.csv            EPSS scores for every CVE.
Products are drawn with a Zipf-like skew (weight 1/rank^0.8: the top product carries about
2.5 % of the CVEs, as linux_kernel does in NVD) and a third of the inventory comes from
that skewed draw, the rest uniformly from the long tail.

usage: /usr/bin/python3 bench/vuln/gen.py [--cves N] [--assets N] [--orgs N] [--seed S] [OUT]
"""
import argparse
import bisect
import json
import os
import random


_ZTABLE = []


def _z(rng):
    """A product index drawn with weight 1/(i+1)^s (the table is the cumulative weight)."""
    return bisect.bisect_left(_ZTABLE, rng.random() * _ZTABLE[-1])


def build_ztable(n, s):
    total = 0.0
    for i in range(n):
        total += 1.0 / ((i + 1) ** s)
        _ZTABLE.append(total)


def make_products(rng, nproducts):
    parts = []
    words = ["web", "mail", "db", "cms", "vpn", "fw", "router", "camera", "office", "portal",
             "server", "client", "agent", "suite", "gateway", "switch", "player", "reader",
             "manager", "console", "lib", "sdk", "plugin", "kernel", "firmware", "studio"]
    products = []
    for i in range(nproducts):
        vendor = "vendor%d" % (i // 3)
        product = "%s_%s%d" % (rng.choice(words), rng.choice(words), i)
        kind = "a"
        r = rng.random()
        if r < 0.08:
            kind = "o"
        elif r < 0.10:
            kind = "h"
        nver = rng.randint(5, 60)
        major = rng.randint(0, 12)
        versions = []
        minor = 0
        patch = 0
        for _ in range(nver):
            step = rng.random()
            if step < 0.6:
                patch += 1
            elif step < 0.9:
                minor += 1
                patch = 0
            else:
                major += 1
                minor = patch = 0
            v = "%d.%d.%d" % (major, minor, patch)
            if rng.random() < 0.05:
                v += rng.choice(["-rc1", "-beta", "a", "p1"])
            versions.append(v)
        products.append((kind, vendor, product, versions))
    return products


def cpe(kind, vendor, product, version="*", target_sw="*"):
    return "cpe:2.3:%s:%s:%s:%s:*:*:*:*:%s:*:*" % (kind, vendor, product, version, target_sw)


def criterion(rng, prod, vulnerable=True):
    kind, vendor, product, versions = prod
    m = {"vulnerable": vulnerable}
    r = rng.random()
    if r < 0.55:
        m["criteria"] = cpe(kind, vendor, product, rng.choice(versions))
    elif r < 0.92:
        m["criteria"] = cpe(kind, vendor, product)
        a, b = sorted(rng.sample(range(len(versions)), 2))
        shape = rng.random()
        if shape < 0.45:
            m["versionEndExcluding"] = versions[b]
        elif shape < 0.6:
            m["versionEndIncluding"] = versions[b]
        elif shape < 0.85:
            m["versionStartIncluding"] = versions[a]
            m["versionEndExcluding"] = versions[b]
        elif shape < 0.95:
            m["versionStartIncluding"] = versions[a]
            m["versionEndIncluding"] = versions[b]
        else:
            m["versionStartExcluding"] = versions[a]
    elif r < 0.97:
        m["criteria"] = cpe(kind, vendor, product)  # every version
    else:
        v = rng.choice(versions).split(".")
        m["criteria"] = cpe(kind, vendor, product, v[0] + "\\." + v[1] + "\\.*"
                            if len(v) > 2 else v[0] + "\\.*")
    m["matchCriteriaId"] = "%08X-0000-4000-8000-%012X" % (rng.getrandbits(32), rng.getrandbits(48))
    return m


def metrics(rng):
    score = round(rng.uniform(1.0, 10.0), 1)
    sev = "LOW" if score < 4 else "MEDIUM" if score < 7 else "HIGH" if score < 9 else "CRITICAL"
    out = {}
    which = rng.random()
    key, ver = ("cvssMetricV31", "3.1") if which < 0.75 else (
        ("cvssMetricV40", "4.0") if which < 0.85 else (
            ("cvssMetricV30", "3.0") if which < 0.93 else ("cvssMetricV2", "2.0")))
    data = {"version": ver, "vectorString": "CVSS:%s/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" % ver,
            "baseScore": score}
    entry = {"source": "nvd@nist.gov", "type": "Primary", "cvssData": data}
    if key == "cvssMetricV2":
        entry["baseSeverity"] = "HIGH" if score >= 7 else "MEDIUM" if score >= 4 else "LOW"
    else:
        data["baseSeverity"] = sev
    out[key] = [entry]
    return out


def make_cve(rng, idx, products, nprod, platforms):
    year = 1999 + idx * 27 // 250000
    cid = "CVE-%d-%05d" % (year, idx)
    configs = []
    r = rng.random()
    prod = products[_z(rng)]
    if r < 0.06:
        # firmware AND hardware ("running on"), as NVD writes IoT CVEs
        hw = products[rng.randrange(nprod)]
        configs.append({"operator": "AND", "nodes": [
            {"operator": "OR", "negate": False, "cpeMatch": [criterion(rng, prod)]},
            {"operator": "OR", "negate": False, "cpeMatch": [
                {"vulnerable": False, "criteria": cpe("h", hw[1], hw[2], "-"),
                 "matchCriteriaId": "00000000-0000-4000-8000-000000000000"}]}]})
    elif r < 0.12:
        # an application AND the platform it runs on
        plat = rng.choice(platforms)
        configs.append({"operator": "AND", "nodes": [
            {"operator": "OR", "negate": False,
             "cpeMatch": [criterion(rng, prod) for _ in range(rng.randint(1, 4))]},
            {"operator": "OR", "negate": rng.random() < 0.1,
             "cpeMatch": [criterion(rng, plat, False)]}]})
    else:
        n = 1 + min(int(rng.expovariate(1 / 3.3)), 40)
        ms = [criterion(rng, prod) for _ in range(n)]
        if rng.random() < 0.15:
            other = products[_z(rng)]
            ms += [criterion(rng, other) for _ in range(rng.randint(1, 3))]
        configs.append({"nodes": [{"operator": "OR", "negate": False, "cpeMatch": ms}]})
    ts = "%d-%02d-%02dT%02d:%02d:%02d.%03d" % (year, rng.randint(1, 12), rng.randint(1, 28),
                                                rng.randint(0, 23), rng.randint(0, 59),
                                                rng.randint(0, 59), rng.randint(0, 999))
    return {"cve": {
        "id": cid, "sourceIdentifier": "cve@mitre.org", "published": ts, "lastModified": ts,
        "vulnStatus": "Analyzed",
        "descriptions": [{"lang": "en", "value": "Generated vulnerability %s in %s." % (cid, prod[2])}],
        "metrics": metrics(rng),
        "weaknesses": [{"source": "nvd@nist.gov", "type": "Primary",
                        "description": [{"lang": "en", "value": "CWE-%d" % rng.choice([79, 89, 787, 20, 125, 22, 352, 416])}]}],
        "configurations": configs,
        "references": [{"url": "https://example.org/advisory/%s" % cid, "source": "cve@mitre.org"}],
    }}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out", nargs="?", default="bench/out/vuln")
    ap.add_argument("--cves", type=int, default=250000)
    ap.add_argument("--assets", type=int, default=100000)
    ap.add_argument("--orgs", type=int, default=1000)
    ap.add_argument("--products", type=int, default=30000)
    ap.add_argument("--page", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=20261129)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    build_ztable(a.products, 0.8)
    products = make_products(rng, a.products)
    platforms = [("o", "microsoft", "windows", ["7", "8.1", "10", "11"]),
                 ("o", "linux", "linux_kernel", ["4.19", "5.4", "5.10", "5.15", "6.1", "6.6"]),
                 ("o", "apple", "macos", ["12.0", "13.0", "14.0"]),
                 ("o", "google", "android", ["11.0", "12.0", "13.0", "14.0"])]
    os.makedirs(os.path.join(a.out, "nvd"), exist_ok=True)
    nmatch = 0
    ids = []
    for start in range(0, a.cves, a.page):
        vulns = []
        for i in range(start, min(start + a.page, a.cves)):
            v = make_cve(rng, i, products, a.products, platforms)
            for c in v["cve"]["configurations"]:
                for n in c["nodes"]:
                    nmatch += len(n["cpeMatch"])
            ids.append(v["cve"]["id"])
            vulns.append(v)
        page = {"resultsPerPage": len(vulns), "startIndex": start, "totalResults": a.cves,
                "format": "NVD_CVE", "version": "2.0", "timestamp": "2026-11-29T00:00:00.000",
                "vulnerabilities": vulns}
        with open(os.path.join(a.out, "nvd", "page-%04d.json" % (start // a.page)), "w") as f:
            json.dump(page, f, separators=(",", ":"))
    with open(os.path.join(a.out, "inventory.tsv"), "w") as f:
        for i in range(a.assets):
            org = "org-%04d" % (i * a.orgs // a.assets)
            r = rng.random()
            if r < 0.05:
                p = rng.choice(platforms)
                f.write("%s\t%s\n" % (org, cpe(p[0], p[1], p[2], rng.choice(p[3]))))
            elif r < 0.07:
                p = products[rng.randrange(a.products)]
                f.write("%s\t%s\n" % (org, cpe("h", p[1], p[2], "-")))
            else:
                # a third from the popular products, the rest from the long tail
                p = products[_z(rng) if rng.random() < 0.3 else rng.randrange(a.products)]
                f.write("%s\t%s\n" % (org, cpe(p[0], p[1], p[2], rng.choice(p[3]))))
    kev = [{"cveID": c, "vendorProject": "x", "product": "y", "vulnerabilityName": "z",
            "dateAdded": "2024-01-%02d" % (1 + i % 28), "shortDescription": "",
            "requiredAction": "patch", "dueDate": "2024-02-%02d" % (1 + i % 28),
            "knownRansomwareCampaignUse": rng.choice(["Known", "Unknown"]), "notes": ""}
           for i, c in enumerate(rng.sample(ids, min(1500, len(ids))))]
    with open(os.path.join(a.out, "kev.json"), "w") as f:
        json.dump({"title": "bench", "catalogVersion": "2026.11.29", "count": len(kev),
                   "vulnerabilities": kev}, f)
    with open(os.path.join(a.out, "epss.csv"), "w") as f:
        f.write("#model_version:v2025.03.14,score_date:2026-11-29T00:00:00+0000\n")
        f.write("cve,epss,percentile\n")
        for c in ids:
            e = min(1.0, rng.expovariate(1 / 0.03))
            f.write("%s,%.5f,%.5f\n" % (c, e, rng.random()))
    print("%d CVEs, %d cpeMatch entries, %d assets, %d organisations -> %s"
          % (a.cves, nmatch, a.assets, a.orgs, a.out))


if __name__ == "__main__":
    main()
