"""TAXII page benchmark (bench/taxii/run.sh): fills a collection with N indicator objects,
then times GET objects pages of 1,000 at random places in it (added_after), through the server
and, for the same pages, through the sqlite3 command-line tool running the store's query."""
import argparse
import json
import random
import re
import sqlite3
import statistics
import subprocess
import time
import uuid

import requests

TAXII = "application/taxii+json;version=2.1"
GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
PAGES = 300
BASE_US = 1_700_000_000_000_000


def obj(i):
    return {"type": "indicator", "spec_version": "2.1", "id": f"indicator--{uuid.UUID(int=i + 1)}",
            "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
            "name": f"C2 address {i}", "pattern_type": "stix",
            "pattern": f"[ipv4-addr:value = '10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}']",
            "valid_from": "2024-01-01T00:00:00Z", "object_marking_refs": [GREEN]}


def fill(a):
    r = requests.post(a.url + "/api/v1/taxii/collections",
                      headers={"Authorization": "Bearer " + a.token},
                      json={"title": "bench", "readers": "all"})
    r.raise_for_status()
    t0 = time.perf_counter()
    db = sqlite3.connect(a.db)
    seq = db.execute("SELECT seq FROM taxii_collection WHERE id = ?", (r.json()["id"],)).fetchone()[0]
    rows = ((seq, BASE_US + i, o["id"], "indicator", "2.1", o["modified"],
             1704067200000000, 1, "user:bench", json.dumps(o, separators=(",", ":")))
            for i, o in ((i, obj(i)) for i in range(a.objects)))
    db.executemany("INSERT INTO taxii_object(coll, added, id, type, spec_version, version, "
                   "version_us, tlp, source, object) VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
    db.commit()
    db.close()
    print(f"filled {a.objects} objects in {time.perf_counter() - t0:.1f} s")


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def report(name, ms):
    print(f"{name}: {len(ms)} pages, p50 {statistics.median(ms):.1f} ms, "
          f"p99 {pct(ms, 99):.1f} ms, max {max(ms):.1f} ms")


def stamp(us):
    t = time.gmtime(us // 1_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", t) + f".{us % 1_000_000:06d}Z"


def measure(a):
    s = requests.Session()
    s.headers.update({"Authorization": "Bearer " + a.token, "Accept": TAXII})
    coll = s.get(a.url + "/taxii2/vigie/collections/").json()["collections"][0]["id"]
    url = f"{a.url}/taxii2/vigie/collections/{coll}/objects/"
    rnd = random.Random(12)
    starts = [rnd.randrange(0, a.objects - 1000) for _ in range(PAGES)]
    # one untimed pass over the same pages first: the figures are of a warm cache (the file in
    # the OS cache, as on a server that has been running), for vigie and sqlite3 alike
    for k in starts:
        s.get(url, params={"limit": 1000, "added_after": stamp(BASE_US + k - 1),
                           "match[version]": "last"})
    for label, n, extra in (("GET objects (match[version]=last, the default)", 1000, {}),
                            ("GET objects, match[version]=all", 1000, {"match[version]": "all"}),
                            ("GET objects, limit=1 (the cost of a request)", 1, {})):
        ms = []
        for k in starts:
            t0 = time.perf_counter()
            r = s.get(url, params={"limit": n, "added_after": stamp(BASE_US + k - 1), **extra})
            ms.append((time.perf_counter() - t0) * 1000)
            env = r.json()
            assert r.status_code == 200 and len(env["objects"]) == n, r.text[:200]
        report(label, ms)
        if n == 1000:
            size = len(r.content)
    print(f"answer size: {size} bytes for 1,000 objects")
    # the same pages through sqlite3: the store's query (match[version]=last) in one process
    sql = ["PRAGMA query_only=1;", ".timer on", ".output /dev/null"]
    q = ("SELECT o.added, o.id, o.type, o.spec_version, o.version, o.tlp, o.object FROM "
         "taxii_object o WHERE o.coll = 1 AND o.added > {a} AND (NOT EXISTS (SELECT 1 FROM "
         "taxii_object n WHERE n.coll = o.coll AND n.id = o.id AND n.version_us > o.version_us)) "
         "ORDER BY o.added LIMIT 1001;")
    sql += [q.format(a=BASE_US + k - 1) for k in starts]
    p = subprocess.run(["sqlite3", a.db], input="\n".join(sql), capture_output=True, text=True,
                       check=True)
    real = [float(x) * 1000 for x in re.findall(r"Run Time: real ([0-9.]+)", p.stdout + p.stderr)]
    report("sqlite3 CLI, the same query (rows read, not sent)", real[-PAGES:])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--objects", type=int, default=1_000_000)
    ap.add_argument("--phase", choices=("fill", "measure"), required=True)
    a = ap.parse_args()
    fill(a) if a.phase == "fill" else measure(a)


if __name__ == "__main__":
    main()
