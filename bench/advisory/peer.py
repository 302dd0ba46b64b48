"""The same-run peer of bench_site: a straightforward Python rendering of a site of N
advisories shaped like bench_site's (stdlib only: html.escape for the pages, no Markdown
renderer, json.dumps for the CERT-FR and CSAF documents, hashlib for their SHA-256 and
SHA-512, string joins for lists of 50 and feeds of 100). Prints files, bytes and seconds.
Usage: peer.py [N]"""
import hashlib
import html
import json
import random
import sys
import time

N = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
rng = random.Random(1)
VENDORS = ["Microsoft", "Cisco", "Fortinet", "Ivanti", "Apache", "VMware", "Siemens",
           "Schneider Electric", "SAP", "Oracle"]


def make(i):
    v = VENDORS[rng.randrange(10)]
    year = 2020 + i % 7
    cves = [f"CVE-{year}-{rng.randrange(99999):05d}" for _ in range(10)]
    return {
        "ref": f"VIGIE-{year}-AVI-{i // 7 + 1:04d}", "title": f"Multiples vulnérabilités dans {v}",
        "summary": ("De multiples vulnérabilités ont été découvertes dans " + v + ". ") * 8,
        "solution": "Se référer au bulletin de sécurité de l'éditeur. " * 3,
        "systems": [{"vendor": v, "product": f"P{k}", "versions": f"< {k}.{i % 20}.1"}
                    for k in range(5)],
        "cves": cves, "date": f"{year}-{1 + i % 12:02d}-{1 + i % 27:02d}T08:00:00Z",
    }


def page(a):
    e = html.escape
    rows = "".join(f"<tr><td>{e(s['vendor'])}</td><td>{e(s['product'])}</td>"
                   f"<td>{e(s['versions'])}</td></tr>" for s in a["systems"])
    cves = "".join(f'<li><a href="https://www.cve.org/CVERecord?id={c}">{c}</a></li>'
                   for c in a["cves"])
    return (f"<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\"/><title>"
            f"{e(a['title'])}</title></head><body><main><h1>{e(a['title'])}</h1>"
            f"<p>{e(a['ref'])}</p><table>{rows}</table><p>{e(a['summary'])}</p>"
            f"<p>{e(a['solution'])}</p><ul>{cves}</ul></main></body></html>")


def csaf(a):
    return {"document": {"category": "csaf_security_advisory", "csaf_version": "2.0",
                         "title": a["title"], "tracking": {"id": a["ref"], "version": "1",
                                                           "current_release_date": a["date"]}},
            "product_tree": {"branches": [{"category": "vendor", "name": s["vendor"],
                                           "branches": [{"category": "product_name",
                                                         "name": s["product"]}]}
                                          for s in a["systems"]]},
            "vulnerabilities": [{"cve": c} for c in a["cves"]]}


t0 = time.process_time()
advisories = [make(i) for i in range(N)]
t1 = time.process_time()
files = size = 0
for a in advisories:
    for body in (page(a).encode(), json.dumps(a, ensure_ascii=False).encode()):
        files += 1
        size += len(body)
    doc = json.dumps(csaf(a), indent=2, ensure_ascii=False).encode()
    for h in (hashlib.sha256(doc).hexdigest(), hashlib.sha512(doc).hexdigest()):
        files += 1
        size += len(h)
    files += 1
    size += len(doc)
advisories.sort(key=lambda a: a["date"], reverse=True)
for k in range(0, N, 50):
    body = "".join(f"<li><a href=\"/advisories/{a['ref']}\">{html.escape(a['title'])}</a></li>"
                   for a in advisories[k:k + 50]).encode()
    files += 1
    size += len(body)
feed = "".join(f"<entry><id>{a['ref']}</id><title>{html.escape(a['title'])}</title></entry>"
               for a in advisories[:100]).encode()
files += 1
size += len(feed)
t2 = time.process_time()
print(f"python peer, {N} advisories: {files} files, {size / 1e6:.1f} MB, "
      f"{t2 - t1:.3f} s CPU rendering ({t1 - t0:.3f} s generating)")
