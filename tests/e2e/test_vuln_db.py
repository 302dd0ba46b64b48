"""End-to-end tests of the technology watch with its database: `vigie vuln import|match|
digest`, findings of organisations' products, GET /api/v1/orgs/{id}/findings and
GET /api/v1/vulns/{cve}, incremental matching on import and on PATCH of an organisation."""
import json
import os

import pytest

from conftest import connect, ROOT, make_org, run

DATA = os.path.join(ROOT, "tests", "data", "vulndb")
CORPUS = os.environ.get("VIGIE_CORPUS", os.path.join(ROOT, "..", "shared", "corpus"))


def data(name):
    return os.path.join(DATA, name)


def summary(p):
    """The numbers of the import summary line on stderr."""
    line = [l for l in p.stderr.splitlines() if l.startswith("imported ")][-1]
    out = {}
    for part in line.split(":", 1)[1].replace(";", ",").split(","):
        words = part.split()
        if len(words) >= 2 and words[0].isdigit():
            out[words[1]] = int(words[0])
    return out


def ndjson(text):
    return [json.loads(l) for l in text.splitlines() if l.strip()]


def test_import_idempotent_and_newer_replaces(tmp_path):
    db = tmp_path / "v.db"
    p = run("vuln", "import", data("nvd-a.json"), data("kev.json"), data("epss.csv"), db=db)
    s = summary(p)
    assert s["added"] == 4 and s["updated"] == 0 and s["unchanged"] == 0 and s["rejected"] == 0
    assert s["KEV"] == 1 and s["EPSS"] == 3
    s = summary(run("vuln", "import", data("nvd-a.json"), db=db))
    assert s == {**s, "added": 0, "updated": 0, "unchanged": 4, "rejected": 0}
    s = summary(run("vuln", "import", data("nvd-b.json"), db=db))
    assert (s["added"], s["updated"], s["unchanged"]) == (1, 1, 1)
    s = summary(run("vuln", "import", data("nvd-older.json"), db=db))
    assert (s["added"], s["updated"], s["unchanged"]) == (0, 0, 1)


def test_broken_records_reported_rest_imported(tmp_path):
    db = tmp_path / "v.db"
    p = run("vuln", "import", data("nvd-broken.json"), db=db)
    s = summary(p)
    assert s["added"] == 2 and s["rejected"] == 2
    f = data("nvd-broken.json")
    assert f + ": /vulnerabilities/1/cve/configurations/0/nodes/0/cpeMatch/0/criteria:" in p.stderr
    assert f + ": /vulnerabilities/3/cve/metrics/cvssMetricV31/0/cvssData/baseScore:" in p.stderr


def test_file_without_products_imports(server, tmp_path):
    """A CVE 5 file whose only record is REJECTED names no product at all: the import
    stores it and re-matches it against a constituency that has products (an empty list
    of names and products: no undefined behaviour under UBSan), with no finding."""
    a, _ = setup_orgs(server)
    f = tmp_path / "rejected.json"
    f.write_text(json.dumps([{
        "dataType": "CVE_RECORD", "dataVersion": "5.1",
        "cveMetadata": {"cveId": "CVE-2025-4045", "state": "REJECTED",
                        "datePublished": "2025-01-01T00:00:00.000Z",
                        "dateUpdated": "2025-02-11T00:00:00.000Z"},
        "containers": {"cna": {"rejectedReasons": [{"lang": "en", "value": "duplicate"}]}}}]))
    p = run("vuln", "import", str(f), db=server.db)
    assert "runtime error" not in p.stderr
    s = summary(p)
    assert (s["added"], s["updated"], s["unchanged"]) == (1, 0, 0)
    s = summary(run("vuln", "import", str(f), db=server.db))
    assert (s["added"], s["unchanged"]) == (0, 1)
    assert server.get(f"/api/v1/orgs/{a['id']}/findings").json()["items"] == []


def test_nothing_readable_fails(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    p = run("vuln", "import", str(bad), db=tmp_path / "v.db", check=False)
    assert p.returncode == 1
    assert "bad.json" in p.stderr
    p = run("vuln", "import", str(bad), data("nvd-a.json"), db=tmp_path / "v.db", check=False)
    assert p.returncode == 1  # one file failed
    assert "vigie vuln import: 1 file(s) read, 1 failed\n" in p.stderr
    p = run("vuln", "import", "--keep-going", str(bad), data("nvd-a.json"), db=tmp_path / "v.db",
            check=False)
    assert p.returncode == 0


def test_corpus_samples_import(tmp_path):
    nvd = os.path.join(CORPUS, "nvd2", "nvd-go", "nvd-api", "testdata", "responses",
                       "cves-2023.json")
    kev = os.path.join(CORPUS, "kev", "known_exploited_vulnerabilities.json")
    if not os.path.exists(nvd) or not os.path.exists(kev):
        pytest.skip("corpus absent (set VIGIE_CORPUS)")
    db = tmp_path / "v.db"
    s = summary(run("vuln", "import", nvd, kev, db=db))
    assert s["added"] > 0 and s["KEV"] > 1000
    s2 = summary(run("vuln", "import", nvd, kev, db=db))
    assert s2["added"] == 0 and s2["updated"] == 0 and s2["unchanged"] == s["added"]


def setup_orgs(server):
    a = make_org(server, "Ministry A", assets={"cidrs": [], "domains": [], "products": [
        "cpe:2.3:a:apache:http_server:2.4.41:*:*:*:*:*:*:*",
        "cpe:2.3:a:acme:gadget:1.9:*:*:*:*:*:*:*",
        "cpe:2.3:a:acme:widget:1.0:*:*:*:*:*:*:*"]})
    b = make_org(server, "Agency B", kind="public-agency", assets={"cidrs": [], "domains": [],
                 "products": ["cpe:2.3:a:apache:http_server:2.2.0:*:*:*:*:*:*:*"]})
    return a, b


def test_match_order_and_findings_api(server):
    a, b = setup_orgs(server)
    db = server.db
    run("vuln", "import", data("nvd-a.json"), data("kev.json"), data("epss.csv"), db=db)
    p = run("vuln", "match", db=db)
    found = ndjson(p.stdout)
    keys = [(f["org"], f["cve"]) for f in found]
    # KEV first (1003), then EPSS >= 0.1 (1001), then CVSS (1002)
    # the organisation is its id, a number, as the API gives it
    assert keys == [(a["id"], "CVE-2025-1003"), (a["id"], "CVE-2025-1001"),
                    (a["id"], "CVE-2025-1002")]
    assert [f["priority"] for f in found] == [0, 1, 2]
    r = server.get(f"/api/v1/orgs/{a['id']}/findings")
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert [i["cve"] for i in items] == ["CVE-2025-1003", "CVE-2025-1001", "CVE-2025-1002"]
    assert [(i["org"], i["asset"]) for i in items] == [(f["org"], f["asset"]) for f in found]
    assert items[0]["kev"]["dueDate"] == "2025-02-22"
    assert items[1]["epss"]["score"] == pytest.approx(0.42)
    assert items[2]["cvss"]["score"] == pytest.approx(5.3)
    assert items[0]["asset"] == "cpe:2.3:a:acme:gadget:1.9:*:*:*:*:*:*:*"
    # pagination
    r1 = server.get(f"/api/v1/orgs/{a['id']}/findings?limit=2").json()
    assert len(r1["items"]) == 2 and r1["next_cursor"]
    r2 = server.get(f"/api/v1/orgs/{a['id']}/findings?limit=2&cursor={r1['next_cursor']}").json()
    assert [i["cve"] for i in r2["items"]] == ["CVE-2025-1002"] and r2["next_cursor"] is None
    # readers may read; bad arguments and unknown things
    reader = server.token("rdr", "reader")
    assert server.get(f"/api/v1/orgs/{a['id']}/findings", token=reader).status_code == 200
    assert server.get(f"/api/v1/orgs/{b['id']}/findings").json()["items"] == []
    assert server.get("/api/v1/orgs/99999/findings").status_code == 404
    r = server.get(f"/api/v1/orgs/{a['id']}/findings?limit=0")
    assert r.status_code == 400 and r.json()["error"]["field"] == "limit"
    r = server.get(f"/api/v1/orgs/{a['id']}/findings?cursor=zzz")
    assert r.status_code == 400 and r.json()["error"]["field"] == "cursor"
    # the CVE view
    r = server.get("/api/v1/vulns/CVE-2025-1001", token=reader)
    assert r.status_code == 200, r.text
    v = r.json()
    assert v["cvss"]["score"] == pytest.approx(7.5) and v["cvss"]["severity"] == "HIGH"
    assert v["descriptions"][0]["value"].startswith("Apache HTTP Server path traversal")
    assert v["references"][0]["url"] == "https://httpd.apache.org/security/test-1001"
    assert v["epss"]["score"] == pytest.approx(0.42) and v["kev"] is None
    assert v["affected"] == [{"org": a["id"], "name": "Ministry A", "assets": [
        "cpe:2.3:a:apache:http_server:2.4.41:*:*:*:*:*:*:*"]}]
    assert server.get("/api/v1/vulns/CVE-2025-1003").json()["kev"]["knownRansomwareCampaignUse"]
    assert server.get("/api/v1/vulns/CVE-2099-9999").status_code == 404
    r = server.get("/api/v1/vulns/not-a-cve")
    assert r.status_code == 404 and r.json()["error"]["field"] == "cve"


def test_import_matches_new_cves_incrementally(server):
    a, _ = setup_orgs(server)
    db = server.db
    run("vuln", "import", data("nvd-a.json"), db=db)
    p = run("vuln", "import", data("nvd-b.json"), db=db)
    # only the two changed CVEs (1002 updated, 1004 new) are re-matched
    assert "matched 2 changed CVE(s)" in p.stderr
    cves = [i["cve"] for i in server.get(f"/api/v1/orgs/{a['id']}/findings").json()["items"]]
    assert sorted(cves) == ["CVE-2025-1001", "CVE-2025-1002", "CVE-2025-1003", "CVE-2025-1004"]
    # 1002 now has CVSS 8.8 and ranks first (no KEV/EPSS imported here)
    assert cves[0] == "CVE-2025-1002"


def test_patch_adding_product_yields_findings(server):
    a, b = setup_orgs(server)
    db = server.db
    run("vuln", "import", data("nvd-a.json"), db=db)
    assert server.get(f"/api/v1/orgs/{b['id']}/findings").json()["items"] == []
    products = ["cpe:2.3:a:apache:http_server:2.2.0:*:*:*:*:*:*:*",
                "cpe:2.3:a:globex:portal:3.2:*:*:*:*:*:*:*"]
    r = server.patch(f"/api/v1/orgs/{b['id']}",
                     {"assets": {"cidrs": [], "domains": [], "products": products}})
    assert r.status_code == 200, r.text
    items = server.get(f"/api/v1/orgs/{b['id']}/findings").json()["items"]
    assert [(i["cve"], i["asset"]) for i in items] == [("CVE-2025-1005", products[1])]
    # removing it drops its findings
    r = server.patch(f"/api/v1/orgs/{b['id']}",
                     {"assets": {"cidrs": [], "domains": [], "products": products[:1]}})
    assert r.status_code == 200
    assert server.get(f"/api/v1/orgs/{b['id']}/findings").json()["items"] == []
    # a new organisation created with products gets its findings at once
    c = make_org(server, "City C", kind="local-authority", assets={
        "cidrs": [], "domains": [], "products": ["cpe:2.3:a:acme:widget:1.0:*:*:*:*:*:*:*"]})
    items = server.get(f"/api/v1/orgs/{c['id']}/findings").json()["items"]
    assert [i["cve"] for i in items] == ["CVE-2025-1002"]


def test_digest_shows_only_new_findings(server):
    a, _ = setup_orgs(server)
    db = server.db
    run("vuln", "import", data("nvd-a.json"), data("kev.json"), db=db)
    d1 = json.loads(run("vuln", "digest", "--org", str(a["id"]), "--json", db=db).stdout)
    assert d1["since"] is None and d1["name"] == "Ministry A"
    assert [f["cve"] for f in d1["findings"]] == ["CVE-2025-1003", "CVE-2025-1001",
                                                  "CVE-2025-1002"]
    d2 = json.loads(run("vuln", "digest", "--org", str(a["id"]), "--json", db=db).stdout)
    assert d2["findings"] == [] and d2["since"] == d1["until"]
    run("vuln", "import", data("nvd-b.json"), db=db)
    text = run("vuln", "digest", "--org", str(a["id"]), db=db).stdout
    assert "CVE-2025-1004" in text and "CVE-2025-1003" not in text
    assert "1 new finding(s) since the last digest" in text
    # a full re-match keeps first_seen: nothing new for the digest
    run("vuln", "match", db=db)
    d4 = json.loads(run("vuln", "digest", "--org", str(a["id"]), "--json", db=db).stdout)
    assert d4["findings"] == []
    p = run("vuln", "digest", "--org", "424242", db=db, check=False)
    assert p.returncode == 1
    assert run("vuln", "digest", db=db, check=False).returncode == 2


def test_match_org_and_since(server):
    a, b = setup_orgs(server)
    db = server.db
    run("vuln", "import", data("nvd-a.json"), data("nvd-b.json"), db=db)
    found = ndjson(run("vuln", "match", "--org", str(a["id"]), db=db).stdout)
    assert {f["org"] for f in found} == {a["id"]} and len(found) == 4
    recent = ndjson(run("vuln", "match", "--since", "2025-02-01", db=db).stdout)
    assert sorted(f["cve"] for f in recent) == ["CVE-2025-1002", "CVE-2025-1004"]
    assert run("vuln", "match", "--org", "x", db=db, check=False).returncode == 2


def match_summary(p):
    """(findings, new, gone, organisations changed, organisations) of a match's stderr."""
    line = [l for l in p.stderr.splitlines() if " findings (" in l][-1]
    nums = [int(w.strip("(;,")) for w in line.replace(")", " ").split() if w.strip("(;,").isdigit()]
    # "C CVEs x A assets: F findings (N new, G gone; K of O organisations changed)"
    return tuple(nums[2:7])


def stored_findings(db):
    con = connect(db)
    rows = sorted(con.execute("SELECT org_id, asset_id, key, first_seen FROM finding"))
    con.close()
    return rows


def test_rematch_rewrites_only_what_changed(server):
    """A full re-match compares each organisation's findings fingerprint with the stored one
    and rewrites only those that differ; every incremental write keeps the fingerprints."""
    a, b = setup_orgs(server)
    db = server.db
    run("vuln", "import", data("nvd-a.json"), data("kev.json"), data("epss.csv"), db=db)
    first = run("vuln", "match", db=db)
    findings = stored_findings(db)
    assert findings and match_summary(first)[0] == 3
    # nothing changed: nothing rewritten, the same output
    again = run("vuln", "match", db=db)
    assert match_summary(again) == (3, 0, 0, 0, 2)
    assert again.stdout == first.stdout and stored_findings(db) == findings
    # --quiet: stored, not printed
    quiet = run("vuln", "match", "--quiet", db=db)
    assert quiet.stdout == "" and match_summary(quiet) == (3, 0, 0, 0, 2)
    assert run("vuln", "match", "--quiet", "--since", "2025-01-01", db=db,
               check=False).returncode == 2
    # incremental paths (an import of changed CVEs, a PATCH adding a product) keep the
    # fingerprints right: the next full re-match finds nothing to rewrite
    run("vuln", "import", data("nvd-b.json"), db=db)
    r = server.patch(f"/api/v1/orgs/{b['id']}", {"assets": {"cidrs": [], "domains": [], "products": [
        "cpe:2.3:a:apache:http_server:2.2.0:*:*:*:*:*:*:*",
        "cpe:2.3:a:globex:portal:3.2:*:*:*:*:*:*:*"]}})
    assert r.status_code == 200, r.text
    findings = stored_findings(db)
    p = run("vuln", "match", "--quiet", db=db)
    n = match_summary(p)[0]
    assert n == len(findings) and match_summary(p) == (n, 0, 0, 0, 2)
    assert stored_findings(db) == findings
    # a fingerprint that differs (findings written by an older matcher): that organisation
    # alone is rewritten, its findings kept, and the fingerprint is right again
    con = connect(db)
    con.execute("UPDATE finding_sum SET h = h + 1 WHERE org_id = ?", (a["id"],))
    con.commit()
    con.close()
    assert match_summary(run("vuln", "match", "--quiet", db=db)) == (n, 0, 0, 1, 2)
    assert stored_findings(db) == findings
    assert match_summary(run("vuln", "match", "--quiet", db=db)) == (n, 0, 0, 0, 2)
    # both stale: each organisation gets back its own findings, no more, no fewer
    con = connect(db)
    con.execute("UPDATE finding_sum SET h = h + 1")
    con.commit()
    con.close()
    assert match_summary(run("vuln", "match", "--quiet", db=db)) == (n, 0, 0, 2, 2)
    assert stored_findings(db) == findings
    # a finding lost and its organisation's fingerprint unknown: rewritten, finding back
    con = connect(db)
    con.execute("DELETE FROM finding WHERE id = (SELECT max(id) FROM finding WHERE org_id = ?)",
                (a["id"],))
    con.execute("DELETE FROM finding_sum WHERE org_id = ?", (a["id"],))
    con.commit()
    con.close()
    p = run("vuln", "match", "--quiet", db=db)
    assert match_summary(p) == (n, 1, 0, 1, 2)
    assert [f[:3] for f in stored_findings(db)] == [f[:3] for f in findings]
    # records without a compact form (a database from before it) are read from their JSON
    con = connect(db)
    con.execute("DELETE FROM vuln_compact")
    con.commit()
    con.close()
    p = run("vuln", "match", db=db)
    assert match_summary(p) == (n, 0, 0, 0, 2)
    assert len(ndjson(p.stdout)) == n
    # a compact form altered in the database is reported, not matched, and nothing crashes
    run("vuln", "import", data("nvd-a.json"), db=db)  # unchanged: no compact form rewritten
    con = connect(db)
    con.execute("INSERT INTO vuln_compact(key, source, data) SELECT key, source, ? "
                "FROM vuln_record LIMIT 1", (bytes.fromhex("5647433101"),))
    con.commit()
    con.close()
    p = run("vuln", "match", "--quiet", db=db)
    assert "1 stored record(s) unreadable" in p.stderr
