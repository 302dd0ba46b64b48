"""End-to-end tests of the advisories' workflow (issue 13) through the API: an analyst writes,
edits and submits; the four-eyes rule refuses their own publication and a second analyst
publishes; a published text changes only through a revision; an alert is closed; readers
cannot write; every step is in the audit log with its actor; references stay unique and
without gaps when two servers create at once on one database; --single-analyst lets the author
publish and the audit says so; draft-from-cves fills a draft from the technology watch and keeps
the constituents concerned internal."""
import os
import re
import threading

import pytest

from conftest import ROOT, Server, make_org, run

YEAR_REF = re.compile(r"^VIGIE-(\d{4})-([A-Z]{3})-(\d{4})$")
VULNDB = os.path.join(ROOT, "tests", "data", "vulndb")

AVIS = {
    "kind": "avis",
    "title": "Vulnérabilité dans Example Server",
    "risks": ["remote code execution"],
    "affected_systems": [{"vendor": "Example", "product": "Server", "versions": "< 2.4.58",
                          "fixed": "2.4.58",
                          "cpe": "cpe:2.3:a:example:server:*:*:*:*:*:*:*:*"}],
    "cves": ["cve-2024-0001"],
    "summary": "Une vulnérabilité permet l'exécution de code.",
    "references": ["https://example.org/sa-1"],
}


@pytest.fixture
def team(server):
    """The server with analysts A and B and a reader."""
    server.a = server.token("alice", "analyst")
    server.b = server.token("bob", "analyst")
    server.r = server.token("rita", "reader")
    return server


def audit(srv, ref):
    """The audit entries of advisory ref, oldest first: (actor, action, detail)."""
    out, cursor = [], None
    while True:
        q = "/api/v1/audit?limit=500" + (f"&cursor={cursor}" if cursor else "")
        r = srv.get(q)
        assert r.status_code == 200, r.text
        body = r.json()
        out += [(e["actor"], e["action"], e["detail"]) for e in body["items"]
                if e["object"] == "advisory:" + ref]
        cursor = body["next_cursor"]
        if not cursor:
            return list(reversed(out))


def create(srv, token, body=AVIS):
    r = srv.post("/api/v1/advisories", body, token=token)
    assert r.status_code == 201, r.text
    return r.json()


def test_author_review_publish_revise(team):
    s = team
    adv = create(s, s.a)
    ref = adv["ref"]
    m = YEAR_REF.match(ref)
    assert m and m.group(2) == "AVI" and m.group(3) == "0001", ref
    assert s.post("/api/v1/advisories", AVIS, token=s.a).headers.get("Location", "").endswith(
        "-AVI-0002")
    assert (adv["status"], adv["version"], adv["tlp"], adv["revisions"]) == \
        ("draft", 0, "CLEAR", [])
    assert adv["cves"] == ["CVE-2024-0001"]
    assert adv["references"] == [{"url": "https://example.org/sa-1"}]
    assert adv["authors"] == ["alice"] and adv["published"] is None

    # A edits and submits
    r = s.patch(f"/api/v1/advisories/{ref}", {"solution": "Mettre à jour en 2.4.58."}, token=s.a)
    assert r.status_code == 200, r.text
    assert r.json()["solution"] == "Mettre à jour en 2.4.58."
    # a bad field is refused with its pointer
    r = s.patch(f"/api/v1/advisories/{ref}",
                {"affected_systems": [{"vendor": "V", "product": "P", "versions": "1",
                                       "cpe": "cpe:2.3:a:v"}]}, token=s.a)
    assert r.status_code == 400
    assert r.json()["error"]["field"] == "/affected_systems/0/cpe"
    r = s.patch(f"/api/v1/advisories/{ref}", {"closed_at": "2026-01-01T00:00:00Z"}, token=s.a)
    assert (r.status_code, r.json()["error"]["field"]) == (400, "/closed_at")
    # publishing a draft is a conflict: it must be submitted first
    r = s.post(f"/api/v1/advisories/{ref}/publish", token=s.b)
    assert (r.status_code, r.json()["error"]["code"]) == (409, "conflict")
    r = s.post(f"/api/v1/advisories/{ref}/submit", token=s.a)
    assert r.status_code == 200 and r.json()["status"] == "review", r.text
    r = s.post(f"/api/v1/advisories/{ref}/submit", token=s.a)
    assert (r.status_code, r.json()["error"]["code"]) == (409, "conflict")

    # four eyes: A cannot publish what A wrote
    r = s.post(f"/api/v1/advisories/{ref}/publish", token=s.a)
    assert r.status_code == 403, r.text
    err = r.json()["error"]
    assert err["code"] == "four_eyes" and "alice" in err["message"]
    assert s.get(f"/api/v1/advisories/{ref}").json()["status"] == "review"

    # B publishes: version 1, "Version initiale", dates
    r = s.post(f"/api/v1/advisories/{ref}/publish", token=s.b)
    assert r.status_code == 200, r.text
    p = r.json()
    assert (p["status"], p["version"]) == ("published", 1)
    assert [(v["version"], v["description"], v["publisher"]) for v in p["revisions"]] == \
        [(1, "Version initiale", "bob")]
    assert p["published_at"] and p["published_at"] == p["last_published_at"] == \
        p["revisions"][0]["date"]
    assert p["published"]["solution"] == "Mettre à jour en 2.4.58."
    assert p["authors"] == []

    # a published text is not edited in place
    r = s.patch(f"/api/v1/advisories/{ref}", {"title": "x"}, token=s.a)
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "conflict"
    assert "revision" in r.json()["error"]["message"]
    # a revision needs a description
    r = s.post(f"/api/v1/advisories/{ref}/revisions", {"solution": "x"}, token=s.a)
    assert (r.status_code, r.json()["error"]["field"]) == (400, "/description")

    # A revises; the published version stays served meanwhile
    r = s.post(f"/api/v1/advisories/{ref}/revisions",
               {"description": "Ajout du correctif 2.4.59", "solution": "Mettre à jour en 2.4.59."},
               token=s.a)
    assert r.status_code == 200, r.text
    rv = r.json()
    assert (rv["status"], rv["version"], rv["pending_description"]) == \
        ("draft", 1, "Ajout du correctif 2.4.59")
    assert rv["solution"] == "Mettre à jour en 2.4.59."
    assert rv["published"]["solution"] == "Mettre à jour en 2.4.58."
    r = s.post(f"/api/v1/advisories/{ref}/revisions", {"description": "again"}, token=s.a)
    assert r.status_code == 409
    assert s.post(f"/api/v1/advisories/{ref}/submit", token=s.a).status_code == 200
    r = s.post(f"/api/v1/advisories/{ref}/publish", token=s.a)
    assert (r.status_code, r.json()["error"]["code"]) == (403, "four_eyes")
    r = s.post(f"/api/v1/advisories/{ref}/publish", token=s.b)
    assert r.status_code == 200, r.text
    p2 = r.json()
    assert (p2["status"], p2["version"]) == ("published", 2)
    assert [(v["version"], v["description"]) for v in p2["revisions"]] == \
        [(1, "Version initiale"), (2, "Ajout du correctif 2.4.59")]
    assert p2["revisions"][0]["date"] < p2["revisions"][1]["date"]
    assert p2["published_at"] == p["published_at"]
    assert p2["last_published_at"] == p2["revisions"][1]["date"]
    assert p2["published"]["solution"] == "Mettre à jour en 2.4.59."

    # closing an avis is a conflict
    r = s.post(f"/api/v1/advisories/{ref}/close", token=s.a)
    assert r.status_code == 409 and r.json()["error"]["code"] == "conflict"
    assert "alert" in r.json()["error"]["message"]

    # every step in the audit log, with its actor
    steps = [(a, act) for a, act, _ in audit(s, ref)]
    assert steps == [("alice", "advisory.create"), ("alice", "advisory.patch"),
                     ("alice", "advisory.submit"), ("bob", "advisory.publish"),
                     ("alice", "advisory.revise"), ("alice", "advisory.submit"),
                     ("bob", "advisory.publish")]
    details = [d for _, act, d in audit(s, ref) if act == "advisory.publish"]
    assert [(d["version"], d["single_analyst"]) for d in details] == [(1, False), (2, False)]


def test_alert_closed(team):
    s = team
    ale = create(s, s.a, {"kind": "alerte", "title": "Campagne d'exploitation", "tlp": "GREEN",
                          "affected_systems": [{"vendor": "Acme", "product": "Gateway", "versions": "< 2.1"}]})
    ref = ale["ref"]
    assert YEAR_REF.match(ref).group(2, 3) == ("ALE", "0001")
    # not published yet: cannot close
    r = s.post(f"/api/v1/advisories/{ref}/close", token=s.b)
    assert (r.status_code, r.json()["error"]["code"]) == (409, "conflict")
    assert s.post(f"/api/v1/advisories/{ref}/submit", token=s.a).status_code == 200
    assert s.post(f"/api/v1/advisories/{ref}/publish", token=s.b).status_code == 200
    r = s.post(f"/api/v1/advisories/{ref}/close", {"description": "Fin de la campagne"},
               token=s.a)
    assert r.status_code == 200, r.text
    c = r.json()
    assert c["closed_at"] and c["version"] == 2 and c["status"] == "published"
    assert [(v["version"], v["description"]) for v in c["revisions"]] == \
        [(1, "Version initiale"), (2, "Fin de la campagne")]
    assert c["revisions"][1]["date"] == c["closed_at"]
    r = s.post(f"/api/v1/advisories/{ref}/close", token=s.a)
    assert (r.status_code, r.json()["error"]["field"]) == (409, "closed_at")
    # the default description
    ale2 = create(s, s.a, {"kind": "alerte", "title": "Autre", "affected_systems": [{"vendor": "Acme", "product": "Gateway", "versions": "< 2.1"}]})
    s.post(f"/api/v1/advisories/{ale2['ref']}/submit", token=s.a)
    s.post(f"/api/v1/advisories/{ale2['ref']}/publish", token=s.b)
    c2 = s.post(f"/api/v1/advisories/{ale2['ref']}/close", token=s.b).json()
    assert c2["revisions"][-1]["description"] == "Clôture de l'alerte"
    assert [a for a, act, _ in audit(s, ref) if act == "advisory.close"] == ["alice"]


def test_readers_and_errors(team):
    s = team
    ref = create(s, s.a)["ref"]
    # readers read, and cannot write
    assert s.get(f"/api/v1/advisories/{ref}", token=s.r).status_code == 200
    assert s.get("/api/v1/advisories", token=s.r).status_code == 200
    for method, path, body in [("POST", "/api/v1/advisories", AVIS),
                               ("PATCH", f"/api/v1/advisories/{ref}", {"title": "x"}),
                               ("POST", f"/api/v1/advisories/{ref}/submit", None),
                               ("POST", f"/api/v1/advisories/{ref}/publish", None),
                               ("POST", f"/api/v1/advisories/{ref}/revisions",
                                {"description": "x"}),
                               ("POST", f"/api/v1/advisories/{ref}/close", None),
                               ("POST", "/api/v1/advisories/draft-from-cves",
                                {"cves": ["CVE-2025-1001"]})]:
        r = s.req(method, path, token=s.r, json=body)
        assert r.status_code == 403, (method, path, r.text)
    assert s.get(f"/api/v1/advisories/{ref}").json()["status"] == "draft"
    # unknown advisory: 404
    r = s.get("/api/v1/advisories/VIGIE-2026-AVI-9999")
    assert (r.status_code, r.json()["error"]["code"]) == (404, "not_found")
    r = s.post("/api/v1/advisories/VIGIE-2026-AVI-9999/publish", token=s.b)
    assert r.status_code == 404
    # create errors name their field
    r = s.post("/api/v1/advisories", {"title": "t"}, token=s.a)
    assert (r.status_code, r.json()["error"]["field"]) == (400, "/kind")
    r = s.post("/api/v1/advisories", {**AVIS, "references": ["javascript:alert(1)"]}, token=s.a)
    assert (r.status_code, r.json()["error"]["field"]) == (400, "/references/0")
    r = s.post("/api/v1/advisories", {**AVIS, "summary": "x" * (256 * 1024 + 1)}, token=s.a)
    assert (r.status_code, r.json()["error"]["code"], r.json()["error"]["field"]) == \
        (400, "too_large", "/summary")
    r = s.patch(f"/api/v1/advisories/{ref}", {"kind": "alerte"}, token=s.a)
    assert (r.status_code, r.json()["error"]["field"]) == (400, "/kind")
    # the list: filters and pages
    create(s, s.a, {"kind": "alerte", "title": "Alerte rouge"})
    items = s.get("/api/v1/advisories?kind=alerte").json()["items"]
    assert [i["title"] for i in items] == ["Alerte rouge"]
    assert len(s.get("/api/v1/advisories?q=rouge").json()["items"]) == 1
    assert len(s.get("/api/v1/advisories?q=%25").json()["items"]) == 0
    assert len(s.get("/api/v1/advisories?status=draft").json()["items"]) == 2
    assert s.get("/api/v1/advisories?status=published").json()["items"] == []
    year = int(ref.split("-")[1])
    assert len(s.get(f"/api/v1/advisories?year={year}").json()["items"]) == 2
    assert s.get(f"/api/v1/advisories?year={year - 1}").json()["items"] == []
    page = s.get("/api/v1/advisories?limit=1").json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    nxt = s.get("/api/v1/advisories?limit=1&cursor=" + page["next_cursor"]).json()
    assert nxt["items"][0]["ref"] == ref and nxt["next_cursor"] is None
    for q, field in [("kind=bulletin", "kind"), ("status=gone", "status"), ("year=0", "year")]:
        r = s.get("/api/v1/advisories?" + q)
        assert (r.status_code, r.json()["error"]["field"]) == (400, field)


def test_concurrent_creation_two_servers(tmp_path):
    """Two servers on one database create at once: the references are unique and gap-free."""
    db = tmp_path / "vigie.db"
    one = Server(db)
    two = Server.__new__(Server)
    two.db, two.admin, two.extra = db, one.admin, []
    two.start()
    try:
        tok = one.token("alice", "analyst")
        refs, errors = [], []
        per = 15

        def creator(srv):
            for _ in range(per):
                r = srv.post("/api/v1/advisories", {"kind": "avis", "title": "t"}, token=tok)
                if r.status_code == 201:
                    refs.append(r.json()["ref"])
                else:
                    errors.append(r.text)

        threads = [threading.Thread(target=creator, args=(srv,)) for srv in (one, two)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert errors == []
        assert len(refs) == 2 * per and len(set(refs)) == 2 * per
        numbers = sorted(int(YEAR_REF.match(r).group(3)) for r in refs)
        assert numbers == list(range(1, 2 * per + 1))
    finally:
        for srv in (one, two):
            rc, err = srv.stop()
            assert rc == 0, err[-2000:]


def test_single_analyst(tmp_path):
    srv = Server(tmp_path / "vigie.db", extra=["--single-analyst", "--advisory-prefix", "CERTX"])
    try:
        a = srv.token("alice", "analyst")
        adv = create(srv, a)
        ref = adv["ref"]
        assert re.match(r"^CERTX-\d{4}-AVI-0001$", ref), ref
        assert srv.post(f"/api/v1/advisories/{ref}/submit", token=a).status_code == 200
        r = srv.post(f"/api/v1/advisories/{ref}/publish", token=a)
        assert r.status_code == 200, r.text
        assert r.json()["version"] == 1
        pub = [d for actor, act, d in audit(srv, ref) if act == "advisory.publish"]
        assert pub == [{"single_analyst": True, "version": 1, "description": "Version initiale"}]
    finally:
        rc, err = srv.stop()
        assert rc == 0, err[-2000:]


def test_serve_refuses_bad_prefix(tmp_path):
    p = run("serve", "--advisory-prefix", "bad-prefix", db=tmp_path / "v.db", check=False)
    assert p.returncode == 2 and "--advisory-prefix" in p.stderr


def test_draft_from_cves(team):
    s = team
    a = make_org(s, "Ministry A", assets={"cidrs": [], "domains": [], "products": [
        "cpe:2.3:a:apache:http_server:2.4.41:*:*:*:*:*:*:*",
        "cpe:2.3:a:acme:gadget:1.9:*:*:*:*:*:*:*"]})
    make_org(s, "Agency B", kind="public-agency", assets={"cidrs": [], "domains": [],
             "products": ["cpe:2.3:a:acme:widget:9.0:*:*:*:*:*:*:*"]})
    run("vuln", "import", os.path.join(VULNDB, "nvd-a.json"), os.path.join(VULNDB, "kev.json"),
        db=s.db)
    run("vuln", "match", db=s.db)
    r = s.post("/api/v1/advisories/draft-from-cves",
               {"cves": ["cve-2025-1001", "CVE-2025-1003"]}, token=s.a)
    assert r.status_code == 201, r.text
    d = r.json()
    assert (d["kind"], d["tlp"], d["status"]) == ("avis", "AMBER", "draft")
    assert r.headers["Location"].endswith(d["ref"])
    cves = {c["id"]: c for c in d["cves"]}
    assert set(cves) == {"CVE-2025-1001", "CVE-2025-1003"}
    assert cves["CVE-2025-1001"]["cvss"] == 7.5 and cves["CVE-2025-1001"]["kev"] is False
    assert cves["CVE-2025-1001"]["cvss_vector"].startswith("CVSS:3.1/")
    assert cves["CVE-2025-1003"]["kev"] is True
    httpd = [x for x in d["affected_systems"] if x["product"] == "http_server"]
    assert httpd == [{"vendor": "apache", "product": "http_server",
                      "versions": ">= 2.4.0, < 2.4.50", "fixed": "2.4.50",
                      "cpe": "cpe:2.3:a:apache:http_server:*:*:*:*:*:*:*:*"}]
    assert {"url": "https://httpd.apache.org/security/test-1001", "vendor": True} in \
        d["references"]
    assert "CVE-2025-1001" in d["summary"]
    consts = d["internal"]["constituents"]
    assert [(c["org"], c["name"]) for c in consts] == [(a["id"], "Ministry A")]
    assert sorted(f["cve"] for f in consts[0]["findings"]) == ["CVE-2025-1001", "CVE-2025-1003"]
    # internal stays out of what is published
    ref = d["ref"]
    assert s.post(f"/api/v1/advisories/{ref}/submit", token=s.a).status_code == 200
    r = s.post(f"/api/v1/advisories/{ref}/publish", token=s.b)
    assert r.status_code == 200, r.text
    p = r.json()
    assert "internal" not in p["published"] and "Ministry A" not in str(p["published"])
    # a CVE the store does not know, and a bad id, name their place
    r = s.post("/api/v1/advisories/draft-from-cves", {"cves": ["CVE-2025-1001", "CVE-1999-0001"]},
               token=s.a)
    assert (r.status_code, r.json()["error"]["field"]) == (404, "/cves/1")
    r = s.post("/api/v1/advisories/draft-from-cves", {"cves": ["nope"]}, token=s.a)
    assert (r.status_code, r.json()["error"]["field"]) == (400, "/cves/0")
    r = s.post("/api/v1/advisories/draft-from-cves", {"cves": []}, token=s.a)
    assert (r.status_code, r.json()["error"]["field"]) == (400, "/cves")


def test_publication_refused_when_its_csaf_would_fail(team):
    """An avis or alerte is published as a CSAF csaf_security_advisory, which names the
    products it concerns: without affected systems the publication is refused, naming the
    field, and nothing changes; with them it goes out."""
    s = team
    ref = create(s, s.a, {"kind": "alerte", "title": "Campagne"})["ref"]
    assert s.post(f"/api/v1/advisories/{ref}/submit", token=s.a).status_code == 200
    r = s.post(f"/api/v1/advisories/{ref}/publish", token=s.b)
    err = r.json()["error"]
    assert (r.status_code, err["code"], err["field"]) == (400, "invalid", "/affected_systems")
    assert "csaf_security_advisory" in err["message"]
    got = s.get(f"/api/v1/advisories/{ref}").json()
    assert (got["status"], got["version"], got["revisions"]) == ("review", 0, [])
    r = s.patch(f"/api/v1/advisories/{ref}",
                {"affected_systems": [{"vendor": "Acme", "product": "Gateway",
                                       "versions": "< 2.1"}]}, token=s.a)
    assert r.status_code == 200, r.text
    r = s.post(f"/api/v1/advisories/{ref}/publish", token=s.b)
    assert (r.status_code, r.json()["version"]) == (200, 1), r.text
    # a bulletin (csaf_base) needs no product
    ref = create(s, s.a, {"kind": "actualite", "title": "Bulletin"})["ref"]
    s.post(f"/api/v1/advisories/{ref}/submit", token=s.a)
    assert s.post(f"/api/v1/advisories/{ref}/publish", token=s.b).status_code == 200
