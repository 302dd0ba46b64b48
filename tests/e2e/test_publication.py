"""Publication of advisories (issue 13), end to end: an alert authored, reviewed (four eyes),
published, revised and closed through the API, then every public output fetched from the
server and checked — HTML pages and Atom/RSS feeds with xmllint, CSAF against the official
schema and vigie's own checker, hashes, CERT-FR-style JSON keys and types — with a <script>
injected in every field; what is not public (drafts, TLP:GREEN) is nowhere; and the folder of
`vigie advisory publish-site` holds exactly what the server answers, byte for byte."""
import hashlib
import json
import os
import re
import sys
import subprocess

import pytest

from conftest import BIN, CORPUS, Server, need_corpus, run

SITE = "https://cert.example.test"
XSS = "<script>alert(1)</script>"
ATTR = "\"><svg onload=alert(2)>"


@pytest.fixture
def pub(tmp_path):
    srv = Server(tmp_path / "vigie.db", extra=["--site-url", SITE, "--site-name", "CERT Test"])
    srv.author = srv.token("alice", "analyst")
    srv.reviewer = srv.token("bob", "analyst")
    srv.reader = srv.token("carol", "reader")
    yield srv
    rc, err = srv.stop()
    assert rc == 0, f"server exited {rc} on SIGTERM: {err[-3000:]}"


def body(kind="alerte", tlp="CLEAR", mark=""):
    return {
        "kind": kind,
        "title": f"Exploitation active d'une vulnérabilité {XSS}{mark}",
        "tlp": tlp,
        "risks": ["remote code execution", "security bypass"],
        "affected_systems": [
            {"vendor": f"Acme {XSS}", "product": f"Gateway {ATTR}", "versions": "< 1.10.3",
             "fixed": "1.10.3", "cpe": "cpe:2.3:a:acme:gateway:*:*:*:*:*:*:*:*"},
            {"vendor": "Acme", "product": "Edge", "versions": "2.x antérieures à 2.4.1"},
        ],
        "cves": ["CVE-2026-12345", "cve-2026-0001"],
        "summary": f"Une vulnérabilité **critique** {XSS} est exploitée.\n\n"
                   f"[lien](javascript:alert(3)) <img src=x onerror=alert(4)>",
        "solution": f"Appliquer le correctif 1.10.3. {XSS}",
        "references": [{"url": "https://acme.example/psirt/2026-01", "title": f"PSIRT {ATTR}",
                        "vendor": True}],
    }


def publish(srv, ref, author, reviewer):
    r = srv.post(f"/api/v1/advisories/{ref}/submit", {}, token=author)
    assert r.status_code == 200, r.text
    r = srv.post(f"/api/v1/advisories/{ref}/publish", {}, token=author)
    assert r.status_code == 403, r.text
    assert r.json()["error"]["code"] == "four_eyes"
    r = srv.post(f"/api/v1/advisories/{ref}/publish", {}, token=reviewer)
    assert r.status_code == 200, r.text
    return r.json()


def public(srv, path):
    return srv.get(path, token="")


def xmllint(data, tmp_path, name):
    f = tmp_path / name
    f.write_bytes(data)
    p = subprocess.run(["xmllint", "--noout", str(f)], capture_output=True, text=True)
    assert p.returncode == 0, f"{name}: {p.stderr[:2000]}"


_VALIDATOR = []


def csaf_validator():
    """The official CSAF 2.0 schema with FIRST's CVSS schemas it $refs, as the corpus's own
    validator resolves them (test_csaf_validate.py builds its oracle the same way)."""
    if _VALIDATOR:
        return _VALIDATOR[0]
    need_corpus(os.path.join(CORPUS, "tools", "validate_corpus.py"))
    sys.path.insert(0, os.path.join(CORPUS, "tools"))
    cwd = os.getcwd()
    try:
        import validate_corpus as vc  # chdirs to the corpus root (once, on import)
        os.chdir(vc.ROOT)
        _VALIDATOR.append(vc.csaf_validator())
        return _VALIDATOR[0]
    finally:
        os.chdir(cwd)


def no_raw_injection(text, where):
    """No injected tag, event handler or script URL made it into markup (as escaped text they
    may appear)."""
    for raw in (XSS, "<svg", "<img", "<script"):
        assert raw not in text.lower(), f"{where}: raw {raw!r} in the output"
    assert not re.search(r"<[^>]*\son\w+\s*=", text), f"{where}: an event handler attribute"
    assert not re.search(r"(href|src)\s*=\s*[\"']?\s*javascript:", text, re.I), where


def test_alert_lifecycle_and_every_output(pub, tmp_path):
    srv = pub
    r = srv.post("/api/v1/advisories", body(), token=srv.author)
    assert r.status_code == 201, r.text
    adv = r.json()
    ref = adv["ref"]
    assert ref.startswith("VIGIE-") and "-ALE-" in ref
    # a reader cannot write; a draft is not public
    assert srv.post(f"/api/v1/advisories/{ref}/submit", {}, token=srv.reader).status_code == 403
    assert public(srv, f"/advisories/{ref}").status_code == 404
    pubd = publish(srv, ref, srv.author, srv.reviewer)
    assert pubd["version"] == 1 and pubd["status"] == "published"

    # the page: escaped, well-formed, the headers of a public page
    r = public(srv, f"/advisories/{ref}")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/html")
    # the whole policy (a header value is not cut short)
    assert r.headers["Content-Security-Policy"] == (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    # one Cache-Control: the public file's, not the API's no-store beside it
    assert r.raw.headers.getlist("Cache-Control") == ["public, max-age=60"]
    no_raw_injection(r.text, "page")
    assert "&lt;script&gt;" in r.text and ref in r.text
    assert "<script" not in r.text.lower()
    xmllint(r.content, tmp_path, "page.xhtml")
    assert public(srv, f"/advisories/{ref}/").content == r.content

    # lists and feeds
    for path in ("/advisories/", "/advisories/alerte/", "/advisories/feed.atom",
                 "/advisories/alerte/feed.atom", "/advisories/feed/", "/advisories/alerte/feed/"):
        r = public(srv, path)
        assert r.status_code == 200, path
        no_raw_injection(r.text, path)
        assert ref in r.text, path
        xmllint(r.content, tmp_path, path.strip("/").replace("/", "_") + ".xml")
    assert public(srv, "/advisories/feed.atom").headers["Content-Type"].startswith(
        "application/atom+xml")
    assert public(srv, "/advisories/feed/").headers["Content-Type"].startswith(
        "application/rss+xml")
    assert ref not in public(srv, "/advisories/avis/").text

    # CERT-FR-style JSON: CERT-FR's keys and types
    sample = os.path.join(CORPUS, "certfr", "CERTFR-2024-AVI-0268.json")
    need_corpus(sample)
    theirs = json.load(open(sample))
    ours = public(srv, f"/advisories/{ref}/json/").json()
    for k, v in theirs.items():
        if k == "$ref":
            continue
        assert k in ours, k
        if v is not None and ours[k] is not None:
            assert type(ours[k]) is type(v), k
    assert ours["reference"] == ref and ours["title"] == body()["title"]
    assert [c["name"] for c in ours["cves"]] == ["CVE-2026-12345", "CVE-2026-0001"]
    assert ours["revisions"][0]["description"]
    assert "closed_at" in ours and ours["closed_at"] is None
    listing = public(srv, "/advisories/json/").json()
    assert [e["reference"] for e in listing] == [ref]

    # CSAF: the provider, the document, its hashes, index.txt and changes.csv
    meta = public(srv, "/.well-known/csaf/provider-metadata.json").json()
    assert meta["canonical_url"] == SITE + "/.well-known/csaf/provider-metadata.json"
    assert meta["distributions"][0]["directory_url"] == SITE + "/.well-known/csaf/white/"
    index = public(srv, "/.well-known/csaf/white/index.txt").text.split()
    assert len(index) == 1 and index[0].endswith(ref.lower() + ".json")
    changes = public(srv, "/.well-known/csaf/white/changes.csv").text.strip().splitlines()
    assert changes[0].startswith(f'"{index[0]}",')
    r = public(srv, "/.well-known/csaf/white/" + index[0])
    assert r.status_code == 200
    doc = r.json()
    errors = sorted(csaf_validator().iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    f = tmp_path / "doc.json"
    f.write_bytes(r.content)
    p = subprocess.run([BIN, "csaf", "validate", str(f)], capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
    assert doc["document"]["tracking"]["id"] == ref
    assert doc["document"]["tracking"]["version"] == "1"
    assert doc["document"]["distribution"]["tlp"]["label"] == "WHITE"
    assert doc["document"]["title"] == body()["title"]
    assert {v["cve"] for v in doc["vulnerabilities"]} == {"CVE-2026-12345", "CVE-2026-0001"}
    for algo in ("sha256", "sha512"):
        h = public(srv, "/.well-known/csaf/white/" + index[0] + "." + algo).text.split()
        assert h[0] == hashlib.new(algo, r.content).hexdigest()
        assert h[1] == ref.lower() + ".json"

    # a revision, published by the other analyst
    r = srv.post(f"/api/v1/advisories/{ref}/revisions",
                 {"description": "Ajout d'une version corrigée", "solution": "Version 1.10.4."},
                 token=srv.author)
    assert r.status_code in (200, 201), r.text
    # the published version stays served meanwhile
    assert "1.10.4" not in public(srv, f"/advisories/{ref}").text
    pubd = publish(srv, ref, srv.author, srv.reviewer)
    assert pubd["version"] == 2
    page = public(srv, f"/advisories/{ref}").text
    assert "1.10.4" in page and "Ajout d&#39;une version corrigée" in page \
        or "Ajout d&apos;une version corrigée" in page or "Ajout d'une version corrigée" in page
    doc = public(srv, "/.well-known/csaf/white/" + index[0]).json()
    assert doc["document"]["tracking"]["version"] == "2"
    assert [h["number"] for h in doc["document"]["tracking"]["revision_history"]] == ["1", "2"]
    assert len(public(srv, f"/advisories/{ref}/json/").json()["revisions"]) == 2

    # closing the alert
    r = srv.post(f"/api/v1/advisories/{ref}/close", {}, token=srv.reviewer)
    assert r.status_code == 200, r.text
    closed = public(srv, f"/advisories/{ref}/json/").json()
    assert closed["closed_at"]
    doc = public(srv, "/.well-known/csaf/white/" + index[0]).json()
    errors = list(csaf_validator().iter_errors(doc))
    assert not errors, [e.message for e in errors[:5]]


def test_only_public_advisories_are_published(pub, tmp_path):
    srv = pub
    refs = {}
    for tlp in ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"):
        r = srv.post("/api/v1/advisories", body(kind="avis", tlp=tlp, mark=tlp),
                     token=srv.author)
        assert r.status_code == 201, r.text
        refs[tlp] = r.json()["ref"]
        publish(srv, refs[tlp], srv.author, srv.reviewer)
    r = srv.post("/api/v1/advisories", body(kind="avis", mark="DRAFT"), token=srv.author)
    draft = r.json()["ref"]
    everything = ""
    for path in ("/advisories/", "/advisories/avis/", "/advisories/feed.atom", "/advisories/feed/",
                 "/advisories/json/", "/.well-known/csaf/white/index.txt",
                 "/.well-known/csaf/white/changes.csv"):
        r = public(srv, path)
        assert r.status_code == 200, path
        everything += r.text
    assert refs["CLEAR"] in everything
    for hidden in (refs["GREEN"], refs["AMBER"], refs["AMBER+STRICT"], refs["RED"], draft):
        assert hidden not in everything and hidden.lower() not in everything
        assert public(srv, f"/advisories/{hidden}").status_code == 404
        assert public(srv, f"/advisories/{hidden}/json/").status_code == 404


def test_publish_site_folder_equals_what_the_server_answers(pub, tmp_path):
    srv = pub
    for kind in ("avis", "alerte", "actualite", "guide"):
        r = srv.post("/api/v1/advisories", body(kind=kind, mark=kind), token=srv.author)
        assert r.status_code == 201, r.text
        publish(srv, r.json()["ref"], srv.author, srv.reviewer)
    out = tmp_path / "site"
    p = run("advisory", "publish-site", "--out", str(out), "--site-url", SITE,
            "--site-name", "CERT Test", db=srv.db)
    summary = json.loads(p.stdout)
    files = sorted(q for q in out.rglob("*") if q.is_file())
    assert summary["files"] == len(files) > 20
    assert not [q for q in files if q.name.endswith(".tmp")]
    for q in files:
        rel = q.relative_to(out).as_posix()
        r = public(srv, "/" + rel)
        assert r.status_code == 200, rel
        assert r.content == q.read_bytes(), rel
    # guides are under /guides/, not in the advisories' lists, and have no CSAF document
    assert (out / "guides" / "index.html").exists()
    index = (out / ".well-known" / "csaf" / "white" / "index.txt").read_text().split()
    assert len(index) == 3 and not [i for i in index if "-gui-" in i]


def test_publish_site_usage(tmp_path):
    p = run("advisory", "publish-site", "--site-url", SITE, db=tmp_path / "v.db", check=False)
    assert p.returncode == 2 and "--out" in p.stderr
    p = run("advisory", "publish-site", "--out", str(tmp_path / "o"), db=tmp_path / "v.db",
            check=False)
    assert p.returncode == 2 and "--site-url" in p.stderr
    p = run("advisory", "publish-site", "--out", str(tmp_path / "o"), "--site-url",
            "ftp://x", db=tmp_path / "v.db", check=False)
    assert p.returncode == 2


def test_shared_advisories_through_the_tlp_gate(pub, tmp_path):
    """A TLP:GREEN advisory goes to partners (and constituents), never to the public; an AMBER
    one only to a partner whose max_tlp is AMBER; what the gate withholds is 404 as if absent;
    a partner's token reads these sharing routes; the CSAF document carries its TLP label and
    passes the checker."""
    srv = pub
    refs = {}
    for tlp in ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"):
        r = srv.post("/api/v1/advisories", body(kind="avis", tlp=tlp, mark=tlp),
                     token=srv.author)
        assert r.status_code == 201, r.text
        refs[tlp] = r.json()["ref"]
        publish(srv, refs[tlp], srv.author, srv.reviewer)
    draft = srv.post("/api/v1/advisories", body(kind="avis", mark="D"),
                     token=srv.author).json()["ref"]

    def partner_token(name, max_tlp):
        p = srv.post("/api/v1/partners", {"name": name, "country": "BE", "max_tlp": max_tlp})
        assert p.status_code == 201, p.text
        t = srv.post(f"/api/v1/partners/{p.json()['id']}/tokens")
        assert t.status_code == 201, t.text
        return t.json()["token"]

    green = partner_token("CERT-GREEN", "GREEN")
    amber = partner_token("CERT-AMBER", "AMBER")

    def listed(token, to=None):
        path = "/api/v1/share/advisories" + (f"?to={to}" if to else "")
        r = srv.get(path, token=token)
        assert r.status_code == 200, r.text
        return [i["ref"] for i in r.json()["items"]]

    assert sorted(listed(green)) == sorted([refs["CLEAR"], refs["GREEN"]])
    assert sorted(listed(amber)) == sorted([refs["CLEAR"], refs["GREEN"], refs["AMBER"]])
    # the CERT's own users get everything published (never a draft), or preview a recipient
    assert sorted(listed(srv.reader)) == sorted(refs.values())
    assert draft not in listed(srv.reader)
    org = srv.post("/api/v1/orgs", {"name": "Ministère", "kind": "ministry",
                                    "sector": "government"}).json()
    assert sorted(listed(srv.reader, to=f"org:{org['id']}")) == sorted(
        [refs["CLEAR"], refs["GREEN"]])
    # withheld is absent; a published one comes as CSAF (default) or CERT-FR JSON
    r = srv.get(f"/api/v1/share/advisories/{refs['AMBER']}", token=green)
    assert (r.status_code, r.json()["error"]["field"]) == (404, "ref")
    # AMBER+STRICT concerns no one organisation: no partner, no constituent gets it
    for ref in (refs["RED"], refs["AMBER+STRICT"], draft):
        assert srv.get(f"/api/v1/share/advisories/{ref}", token=amber).status_code == 404
    r = srv.get(f"/api/v1/share/advisories/{refs['GREEN']}", token=green)
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["document"]["distribution"]["tlp"]["label"] == "GREEN"
    assert doc["document"]["tracking"]["id"] == refs["GREEN"]
    errors = list(csaf_validator().iter_errors(doc))
    assert not errors, [e.message for e in errors[:5]]
    f = tmp_path / "green.json"
    f.write_bytes(r.content)
    p = subprocess.run([BIN, "csaf", "validate", str(f)], capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
    r = srv.get(f"/api/v1/share/advisories/{refs['AMBER']}?format=certfr", token=amber)
    assert r.status_code == 200 and r.json()["reference"] == refs["AMBER"]
    r = srv.get(f"/api/v1/share/advisories/{refs['GREEN']}?format=stix", token=green)
    assert (r.status_code, r.json()["error"]["field"]) == (400, "format")
    # and none of them but CLEAR is public
    assert public(srv, f"/advisories/{refs['GREEN']}").status_code == 404
    assert refs["GREEN"] not in public(srv, "/advisories/feed.atom").text
