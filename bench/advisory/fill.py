"""Fills a server (started with --single-analyst) with N published TLP:CLEAR advisories
through the API (create, submit, publish), 4 connections at once, and writes their
pages' paths (/advisories/REF, /guides/REF) to REFS. Usage: fill.py URL TOKEN N REFS"""
import sys
import threading
import time

import requests

url, token, n, refs_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
KINDS = ["avis"] * 7 + ["alerte", "actualite", "guide"]
refs = []
lock = threading.Lock()


def body(i):
    return {
        "kind": KINDS[i % 10], "title": f"Multiples vulnérabilités dans le produit {i}",
        "tlp": "CLEAR", "risks": ["remote code execution", "denial of service"],
        "affected_systems": [{"vendor": f"Vendor{i % 50}", "product": f"Product {k}",
                              "versions": f"< {k}.{i % 20}.1", "fixed": f"{k}.{i % 20}.1"}
                             for k in range(5)],
        "cves": [f"CVE-2026-{(i * 10 + k) % 100000:05d}" for k in range(10)],
        "summary": ("De multiples vulnérabilités ont été découvertes dans le **produit**. "
                    "Elles permettent une exécution de code arbitraire à distance.\n\n") * 6,
        "solution": "Se référer au bulletin de sécurité de l'éditeur (cf. Documentation).\n",
        "references": [{"url": f"https://vendor.example/psirt/{i}", "title": "Bulletin",
                        "vendor": True}],
    }


def work(start):
    s = requests.Session()
    s.headers["Authorization"] = "Bearer " + token
    for i in range(start, n, 4):
        r = s.post(url + "/api/v1/advisories", json=body(i))
        r.raise_for_status()
        ref = r.json()["ref"]
        s.post(f"{url}/api/v1/advisories/{ref}/submit", json={}).raise_for_status()
        s.post(f"{url}/api/v1/advisories/{ref}/publish", json={}).raise_for_status()
        with lock:  # the page's path: guides have their own folder
            refs.append(("/guides/" if KINDS[i % 10] == "guide" else "/advisories/") + ref)


t0 = time.time()
threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
with open(refs_path, "w") as f:
    f.write("\n".join(sorted(refs)) + "\n")
print(f"  filled {len(refs)} published advisories in {time.time() - t0:.1f} s")
