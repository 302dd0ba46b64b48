"""End-to-end tests of upstream advisories (issue 13): `vigie advisory import` of the real
CERT-FR bulletins of ../shared/corpus/certfr (HTML fragments, SCADA and "N/A" products, no CVE,
many CVEs, several revisions), re-imports, newer and older revisions, broken files, and
GET /api/v1/upstream-advisories[/{ref}[/draft]]: the CVE and organisation filters, the
constituents concerned (by a finding, by a product) and the draft body of each bulletin."""
import copy
import json
import os
import shutil

import pytest

from conftest import CORPUS, ROOT, make_org, need_corpus, run

CERTFR = os.path.join(CORPUS, "certfr")
DATA = os.path.join(ROOT, "tests", "data", "upstream")
BROKEN = {  # file -> the place the import names
    "bad-array.json": "bad-array.json: ",
    "bad-cve-name.json": "bad-cve-name.json:/cves/0/name: ",
    "bad-revision-date.json": "bad-revision-date.json:/revisions/0/revision_date: ",
    "bad-syntax.json": "bad-syntax.json:30: ",
}
RISKS = {"remote code execution", "privilege escalation", "denial of service",
         "security bypass", "information disclosure", "data integrity breach",
         "cross-site scripting", "server-side request forgery", "other"}


def corpus_files():
    need_corpus(CERTFR)
    names = sorted(n for n in os.listdir(CERTFR) if n.endswith(".json"))
    assert len(names) == 8, names
    return [os.path.join(CERTFR, n) for n in names]


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def ndjson(text):
    return [json.loads(l) for l in text.splitlines() if l.strip()]


def imp(db, *paths, check=True):
    p = run("advisory", "import", *paths, db=db, check=check)
    lines = ndjson(p.stdout)
    return p, lines[:-1], lines[-1]


def total(imported=0, updated=0, unchanged=0, older=0, skipped=0):
    return {"imported": imported, "updated": updated, "unchanged": unchanged, "older": older,
            "skipped": skipped}


def test_import_corpus_then_unchanged(tmp_path):
    files = corpus_files()
    db = tmp_path / "v.db"
    p, lines, tot = imp(db, CERTFR)
    assert p.returncode == 0 and p.stderr == ""
    assert tot == total(imported=8)
    # in name order, each with the reference its file holds
    assert [l["file"] for l in lines] == files
    assert [l["ref"] for l in lines] == [load(f)["reference"] for f in files]
    assert {l["result"] for l in lines} == {"imported"}
    # again, as a folder and one file by name: nothing changes, each counted
    p, lines, tot = imp(db, CERTFR, files[0])
    assert tot == total(unchanged=9)
    assert p.returncode == 0


def test_newer_revision_updates_older_ignored(server, tmp_path):
    files = corpus_files()
    src = os.path.join(CERTFR, "CERTFR-2023-AVI-0191.json")  # three revisions
    doc = load(src)
    assert len(doc["revisions"]) == 3
    newer = copy.deepcopy(doc)
    newer["revisions"].append({"description": "Ajout d'une CVE",
                               "revision_date": "2023-03-09T00:00:00.000000"})
    newer["cves"].append({"name": "CVE-2023-0999", "url": "https://www.cve.org/x"})
    newer["title"] = "Multiples vulnérabilités dans Wireshark (révisé)"
    older = copy.deepcopy(doc)
    older["revisions"] = older["revisions"][:2]
    older["title"] = "older"
    (tmp_path / "newer.json").write_text(json.dumps(newer), encoding="utf-8")
    (tmp_path / "older.json").write_text(json.dumps(older), encoding="utf-8")
    _, _, tot = imp(server.db, *files)
    assert tot == total(imported=8)
    p, lines, tot = imp(server.db, str(tmp_path / "newer.json"))
    assert tot == total(updated=1) and lines[0]["result"] == "updated"
    p, lines, tot = imp(server.db, str(tmp_path / "older.json"), src)
    assert tot == total(older=2)
    assert [l["result"] for l in lines] == ["older", "older"]
    a = server.get("/api/v1/upstream-advisories/CERTFR-2023-AVI-0191").json()
    assert a["title"] == newer["title"]
    assert a["revisions"] == 4
    assert a["first_revision_date"] == "2023-03-03T00:00:00Z"
    assert a["last_revision_date"] == "2023-03-09T00:00:00Z"
    assert a["cves"] == sorted(["CVE-2023-1161", "CVE-2023-0999"])
    assert a["document"] == newer
    r = server.get("/api/v1/upstream-advisories", params={"cve": "CVE-2023-0999"})
    assert [i["ref"] for i in r.json()["items"]] == ["CERTFR-2023-AVI-0191"]


def test_alert_kind_and_closing_date(server, tmp_path):
    """The kind comes from the reference (ALE: alerte); an alert's closing date is kept, and a
    revision that closes it replaces the open one."""
    corpus_files()
    doc = load(os.path.join(CERTFR, "CERTFR-2025-AVI-0823.json"))
    doc["reference"] = "CERTFR-2025-ALE-0012"
    doc["closed_at"] = None
    (tmp_path / "open.json").write_text(json.dumps(doc), encoding="utf-8")
    doc["closed_at"] = "2025-10-01T00:00:00.000000"
    doc["revisions"].append({"description": "Clôture de l'alerte",
                             "revision_date": "2025-10-01T00:00:00.000000"})
    (tmp_path / "closed.json").write_text(json.dumps(doc), encoding="utf-8")
    imp(server.db, str(tmp_path / "open.json"))
    a = server.get("/api/v1/upstream-advisories/CERTFR-2025-ALE-0012").json()
    assert (a["kind"], a["closed_at"], a["revisions"]) == ("alerte", None, 1)
    _, _, tot = imp(server.db, str(tmp_path / "closed.json"))
    assert tot == total(updated=1)
    a = server.get("/api/v1/upstream-advisories/CERTFR-2025-ALE-0012").json()
    assert (a["kind"], a["closed_at"], a["revisions"]) == ("alerte", "2025-10-01T00:00:00Z", 2)
    d = server.get("/api/v1/upstream-advisories/CERTFR-2025-ALE-0012/draft").json()
    assert d["kind"] == "alerte" and "closed_at" not in d


def test_broken_files_skipped_rest_imported(tmp_path):
    files = corpus_files()
    d = tmp_path / "in"
    d.mkdir()
    for f in files[:2]:
        shutil.copy(f, d)
    for name in BROKEN:
        shutil.copy(os.path.join(DATA, name), d)
    (d / "notes.txt").write_text("not a publication")  # not *.json: not read
    db = tmp_path / "v.db"
    p, lines, tot = imp(db, str(d), check=False)
    assert p.returncode == 1
    assert tot == total(imported=2, skipped=4)
    results = {os.path.basename(l["file"]): l for l in lines}
    assert set(results) == set(BROKEN) | {os.path.basename(f) for f in files[:2]}
    for name, where in BROKEN.items():
        assert results[name]["result"] == "skipped"
        assert str(d / name) + where[len(name):] in p.stderr, p.stderr
    assert results["bad-cve-name.json"]["pointer"] == "/cves/0/name"
    assert len(p.stderr.splitlines()) == 4
    # the good ones are there: a second run changes nothing of them
    p, lines, tot = imp(db, *files[:2])
    assert tot == total(unchanged=2)
    # a missing file is skipped too, named
    p, lines, tot = imp(db, str(tmp_path / "nope.json"), check=False)
    assert p.returncode == 1 and tot == total(skipped=1)
    assert str(tmp_path / "nope.json") + ": cannot open" in p.stderr


def test_cve_filter_exactly_the_files_naming_it(server):
    files = corpus_files()
    imp(server.db, CERTFR)
    naming = {}
    for f in files:
        d = load(f)
        for c in d["cves"]:
            naming.setdefault(c["name"].upper(), set()).add(d["reference"])
    assert len(naming) > 100  # the kernel and IBM bulletins name many
    shared = [c for c, refs in naming.items() if len(refs) > 1]
    for cve in sorted(naming):
        r = server.get("/api/v1/upstream-advisories", params={"cve": cve.lower(), "limit": 500})
        assert r.status_code == 200, r.text
        assert {i["ref"] for i in r.json()["items"]} == naming[cve], cve
    r = server.get("/api/v1/upstream-advisories", params={"cve": "CVE-1999-0001"})
    assert r.json()["items"] == []
    # no CVE at all: that bulletin is listed with none
    r = server.get("/api/v1/upstream-advisories", params={"q": "withsecure"}).json()["items"]
    assert [(i["ref"], i["cves"]) for i in r] == [("CERTFR-2023-AVI-0620", [])]
    # every bulletin once, in pages, with its CVEs
    seen, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        body = server.get("/api/v1/upstream-advisories", params=params).json()
        seen += body["items"]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert [i["ref"] for i in seen] == [load(f)["reference"] for f in files]
    for i, f in zip(seen, files):
        assert i["cves"] == sorted({c["name"] for c in load(f)["cves"]})
        assert i["source"] == "CERT-FR" and i["kind"] == "avis"
        assert "document" not in i
    assert shared is not None


NVD_TEMPLATE = {
    "resultsPerPage": 1, "startIndex": 0, "totalResults": 1, "format": "NVD_CVE",
    "version": "2.0", "timestamp": "2025-03-01T00:00:00.000",
    "vulnerabilities": [{"cve": {
        "id": "CVE-2023-1161", "sourceIdentifier": "test@example.org",
        "published": "2023-03-06T00:00:00.000", "lastModified": "2023-03-10T00:00:00.000",
        "vulnStatus": "Analyzed",
        "descriptions": [{"lang": "en", "value": "test record"}],
        "configurations": [{"nodes": [{"operator": "OR", "negate": False, "cpeMatch": [{
            "vulnerable": True, "criteria": "cpe:2.3:a:acme:sniffer:*:*:*:*:*:*:*:*",
            "matchCriteriaId": "00000000-0000-0000-0000-000000000000",
            "versionEndExcluding": "4.0.4"}]}]}],
        "references": []}}]}


def test_constituents_by_finding_and_by_product(server, tmp_path):
    corpus_files()
    # F runs a product a CVE of the Wireshark bulletin concerns (a finding); P runs Liferay
    # DXP, a product the Liferay bulletin names; S a Schneider Electric product (its bulletin
    # names the vendor with "N/A" products: no match by vendor alone); N nothing relevant
    f = make_org(server, "Org F", assets={"cidrs": [], "domains": [], "products": [
        "cpe:2.3:a:acme:sniffer:3.0:*:*:*:*:*:*:*"]})
    p = make_org(server, "Org P", assets={"cidrs": [], "domains": [], "products": [
        "cpe:2.3:a:liferay:dxp:2024.q1.1:*:*:*:*:*:*:*"]})
    s = make_org(server, "Org S", assets={"cidrs": [], "domains": [], "products": [
        "cpe:2.3:h:schneider_electric:bmenoc0321:1.0:*:*:*:*:*:*:*"]})
    n = make_org(server, "Org N", assets={"cidrs": [], "domains": [], "products": [
        "cpe:2.3:a:acme:other:1.0:*:*:*:*:*:*:*"]})
    nvd = tmp_path / "nvd.json"
    nvd.write_text(json.dumps(NVD_TEMPLATE))
    run("vuln", "import", str(nvd), db=server.db)
    run("vuln", "match", db=server.db)
    items = server.get(f"/api/v1/orgs/{f['id']}/findings").json()["items"]
    assert [i["cve"] for i in items] == ["CVE-2023-1161"]
    imp(server.db, CERTFR)
    want = {
        "CERTFR-2023-AVI-0191": [{"org": f["id"], "name": "Org F", "why": "finding",
                                  "cves": ["CVE-2023-1161"]}],
        "CERTFR-2025-AVI-0823": [{"org": p["id"], "name": "Org P", "why": "product",
                                  "products": ["cpe:2.3:a:liferay:dxp:2024.q1.1:*:*:*:*:*:*:*"]}],
    }
    for path in corpus_files():
        ref = load(path)["reference"]
        r = server.get(f"/api/v1/upstream-advisories/{ref}")
        assert r.status_code == 200, r.text
        assert r.json()["constituents"] == want.get(ref, []), ref
    for org, refs in ((f, ["CERTFR-2023-AVI-0191"]), (p, ["CERTFR-2025-AVI-0823"]), (s, []),
                      (n, [])):
        r = server.get("/api/v1/upstream-advisories", params={"org": org["id"]})
        assert [i["ref"] for i in r.json()["items"]] == refs, org["name"]
    # an N/A product is keyed by its vendor alone
    a = server.get("/api/v1/upstream-advisories/CERTFR-2023-AVI-0297").json()
    assert "schneider_electric:" in a["products"]
    assert all(k.count(":") == 1 for k in a["products"])


def test_draft_body_of_each_bulletin(server):
    files = corpus_files()
    imp(server.db, CERTFR)
    for path in files:
        src = load(path)
        r = server.get(f"/api/v1/upstream-advisories/{src['reference']}/draft")
        assert r.status_code == 200, r.text
        d = r.json()
        assert set(d) <= {"kind", "title", "tlp", "lang", "risks", "affected_systems", "cves",
                          "summary", "solution", "references"}
        assert d["kind"] == "avis" and d["tlp"] == "CLEAR"
        assert d["title"] == src["title"]
        assert d["cves"] == [c["name"] for c in src["cves"]]
        assert len(d["risks"]) == len(set(d["risks"])) and set(d["risks"]) <= RISKS
        assert (len(d["risks"]) > 0) == (len(src["risks"]) > 0)
        systems = src["affected_systems"]
        assert [(s["vendor"], s["product"], s["versions"], s["scada"])
                for s in d["affected_systems"]] == [
            (s["product"]["vendor"]["name"], s["product"]["name"],
             # "Wireshark versions 4.0.x ..." is read as product Wireshark, "4.0.x ..."
             s["description"].removeprefix(s["product"]["name"] + " versions "),
             s["product"]["vendor"]["scada"]) for s in systems]
        assert [x["url"] for x in d["references"]] == \
            [v["url"] for v in src["vendor_advisories"]] + [l["url"] for l in src["links"]]
        assert [x["vendor"] for x in d["references"]] == \
            [True] * len(src["vendor_advisories"]) + [False] * len(src["links"])
        for x, v in zip(d["references"], src["vendor_advisories"]):
            if v["published_at"]:
                assert x["published_at"] == v["published_at"] + "T00:00:00Z"
            else:
                assert "published_at" not in x
        # the solution section of the content, without its heading; no markup in the summary
        assert d["solution"].startswith("Se référer au bulletin de sécurité de l'éditeur")
        assert "##" not in d["solution"]
        assert "<" not in d["summary"] and d["summary"].strip()
    # the IBM bulletin's summary had an HTML fragment
    d = server.get("/api/v1/upstream-advisories/CERTFR-2023-AVI-0198/draft").json()
    assert "les produits IBM. Elles" in d["summary"].replace("\n", " ")
    # the risks as mapped: CERT-FR's wording to the controlled list
    d = server.get("/api/v1/upstream-advisories/CERTFR-2024-AVI-0268/draft").json()
    assert d["risks"] == ["remote code execution", "security bypass"]


def test_draft_body_makes_a_draft(server):
    """Each bulletin's draft body, posted as it is, makes a draft (h-flow's POST
    /api/v1/advisories: skipped until that route is merged in)."""
    files = corpus_files()
    imp(server.db, CERTFR)
    probe = server.post("/api/v1/advisories", {})
    if probe.status_code in (404, 405) and probe.json()["error"].get("field") != "/kind":
        pytest.skip("POST /api/v1/advisories is not routed in this tree yet (h-flow)")
    for path in files:
        ref = load(path)["reference"]
        body = server.get(f"/api/v1/upstream-advisories/{ref}/draft").json()
        r = server.post("/api/v1/advisories", body)
        assert r.status_code == 201, (ref, r.text)
        a = r.json()
        assert a["status"] == "draft" and a["title"] == body["title"], ref
        assert a["kind"] == "avis"


def test_api_errors_and_roles(server):
    corpus_files()
    imp(server.db, CERTFR)
    reader = server.token("rita", "reader")
    r = server.get("/api/v1/upstream-advisories/CERTFR-2024-AVI-0268", token=reader)
    assert r.status_code == 200 and r.json()["ref"] == "CERTFR-2024-AVI-0268"
    r = server.get("/api/v1/upstream-advisories/CERTFR-2024-AVI-0268/draft", token=reader)
    assert r.status_code == 200
    r = server.get("/api/v1/upstream-advisories", token="")
    assert r.status_code == 401
    for path in ("/api/v1/upstream-advisories/CERTFR-2099-AVI-0001",
                 "/api/v1/upstream-advisories/CERTFR-2099-AVI-0001/draft"):
        r = server.get(path)
        assert r.status_code == 404, r.text
        assert r.json()["error"]["field"] == "ref"
    for params, field in (({"cve": "CVE-24-1"}, "cve"), ({"org": "x"}, "org"),
                          ({"limit": "0"}, "limit"), ({"cursor": "zz"}, "cursor"),
                          ({"q": "x" * 300}, "q")):
        r = server.get("/api/v1/upstream-advisories", params=params)
        assert r.status_code == 400, params
        assert r.json()["error"]["field"] == field
    r = server.get("/api/v1/upstream-advisories", params={"source": "CERT-FR", "limit": 500})
    assert len(r.json()["items"]) == 8
    r = server.get("/api/v1/upstream-advisories", params={"source": "CERT-XX"})
    assert r.json()["items"] == []


def test_cli_usage(tmp_path):
    assert run("advisory", check=False).returncode == 2
    assert run("advisory", "import", db=tmp_path / "v.db", check=False).returncode == 2
    assert run("advisory", "import", "--nope", "x", check=False).returncode == 2
    p = run("help", "advisory")
    assert "vigie advisory import [--db PATH] FILE|DIR..." in p.stdout
