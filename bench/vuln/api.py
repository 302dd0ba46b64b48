#!/usr/bin/python3
"""Times the vulnerability routes on a benchmark database (stdlib only): an organisation's
findings (first and a later page), one CVE's view, and a PATCH adding a product (which
matches the new product incrementally).  usage: api.py VIGIE DB"""
import json
import re
import subprocess
import sys
import time
import urllib.request

vigie, db = sys.argv[1], sys.argv[2]
token = subprocess.run([vigie, "token", "create", "--db", db, "--user", "bench", "--role",
                        "admin"], capture_output=True, text=True, check=True).stdout.strip()
srv = subprocess.Popen([vigie, "serve", "--db", db, "--listen", "127.0.0.1:0"],
                       stderr=subprocess.PIPE, text=True)
url = None
while url is None:
    m = re.search(r"listening on (http://\S+)", srv.stderr.readline())
    url = m.group(1) if m else None


def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url + path, data=data, method=method, headers={
        "Authorization": "Bearer " + token, "Content-Type": "application/json"})
    t = time.perf_counter()
    with urllib.request.urlopen(req) as r:
        out = json.loads(r.read())
    return out, (time.perf_counter() - t) * 1e3


def timed(label, method, path, body=None, n=20):
    ms = sorted(call(method, path, body)[1] for _ in range(n))
    print(f"  {label}: median {ms[len(ms) // 2]:.1f} ms, max {ms[-1]:.1f} ms ({n} requests)")


try:
    orgs = call("GET", "/api/v1/orgs?limit=500")[0]["items"]
    org = orgs[0]["id"]
    first = call("GET", f"/api/v1/orgs/{org}/findings?limit=50")[0]
    print(f"organisation {org}: {len(orgs[0]['assets']['products'])} products")
    timed("GET /orgs/{id}/findings?limit=50 (first page)", "GET",
          f"/api/v1/orgs/{org}/findings?limit=50")
    cur = first["next_cursor"]
    for _ in range(20):
        page = call("GET", f"/api/v1/orgs/{org}/findings?limit=50&cursor={cur}")[0]
        cur = page["next_cursor"] or cur
    timed("GET /orgs/{id}/findings?limit=50 (21st page)", "GET",
          f"/api/v1/orgs/{org}/findings?limit=50&cursor={cur}")
    cve = first["items"][0]["cve"]
    timed(f"GET /vulns/{cve}", "GET", f"/api/v1/vulns/{cve}")
    # PATCH: add to the last organisation a product another one has (found in findings)
    target = orgs[-1]
    products = list(target["assets"]["products"])
    extra = [i["asset"] for i in first["items"] if i["asset"] not in products][:1]
    before, _ = call("GET", f"/api/v1/orgs/{target['id']}/findings?limit=500")
    assets = dict(target["assets"], products=products + extra)
    _, ms = call("PATCH", f"/api/v1/orgs/{target['id']}", {"assets": assets})
    after, _ = call("GET", f"/api/v1/orgs/{target['id']}/findings?limit=500")
    new = [i for i in after["items"] if i["asset"] in extra]
    print(f"  PATCH /orgs/{{id}} adding {extra[0] if extra else '-'}: {ms:.1f} ms, "
          f"{len(new)} new findings (first page of 500)")
finally:
    srv.terminate()
    srv.wait()
