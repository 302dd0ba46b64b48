"""End-to-end tests of the technology watch's digests, the detection alerts and the published
advisories by mail (issue 15, "What is sent" (2) to (4)): `vigie mail notify` takes the
digests that are due and the alerts not mailed yet into the outbox, `vigie mail send` delivers
them to a real SMTP server (aiosmtpd), and publishing an advisory queues its mail to the
contacts of the organisations holding an affected product. Checked on what the server
received: recipients per language, opt-outs, the TLP gate (RED never leaves), defanged
indicator values, nothing sent twice."""
import json
import os

from conftest import ROOT, Server, make_org, run, wait_for
from mailsink import env
from test_advisories import AVIS as ADVISORY

VULNDB = os.path.join(ROOT, "tests", "data", "vulndb")
PRODUCTS = ["cpe:2.3:a:apache:http_server:2.4.41:*:*:*:*:*:*:*",
            "cpe:2.3:a:acme:gadget:1.9:*:*:*:*:*:*:*",
            "cpe:2.3:a:acme:widget:1.0:*:*:*:*:*:*:*"]


def assets(products=(), cidrs=()):
    return {"cidrs": list(cidrs), "domains": [], "products": list(products)}


def notify(db, **kw):
    p = run("mail", "notify", db=db, env=env(**kw), check=False)
    assert p.returncode == 0, p.stderr
    return p.stdout.strip()


def send(db, smtp):
    return run("mail", "send", db=db, env=env(VIGIE_SMTP_URL=smtp.url)).stdout.strip()


def body(m, kind):
    return m.get_body((kind,)).get_content().replace("\r\n", "\n")


def by_rcpt(smtp):
    """{first recipient: (recipients, message)} of what the server received."""
    return {r[0]: (r, m) for (_, _, r, _), m in zip(smtp.got, smtp.messages())}


def test_digest_per_language_opt_out_period(server, smtp):
    db = server.db
    a = make_org(server, "Ministry A", assets=assets(PRODUCTS), contacts=[
        {"name": "Fr", "email": "fr@a.example", "lang": "fr"},
        {"name": "En", "email": "en@a.example", "lang": "en"},
        {"name": "Both", "email": "both@a.example"},
        {"name": "Out", "email": "out@a.example", "lang": "fr", "optout": ["digest"]}])
    b = make_org(server, "Agency B", assets=assets(PRODUCTS[:1]), contacts=[
        {"name": "Nobody", "email": "no@b.example", "optout": ["digest", "alert"]}])
    run("vuln", "import", os.path.join(VULNDB, "nvd-a.json"), os.path.join(VULNDB, "kev.json"),
        os.path.join(VULNDB, "epss.csv"), db=db)
    assert notify(db) == "digests 1 alerts 0 held 0 messages 3"
    assert send(db, smtp) == "sent 3 retried 0 failed 0"
    got = by_rcpt(smtp)
    assert sorted(got) == ["both@a.example", "en@a.example", "fr@a.example"]
    assert all(len(r) == 1 for r, _ in got.values())  # one language group per message
    _, fr = got["fr@a.example"]
    assert fr["Subject"] == "TLP:AMBER Veille: 3 vulnérabilité(s) nouvelle(s), Ministry A"
    text = body(fr, "plain")
    assert text.startswith("TLP:AMBER\n")
    # the most urgent first: KEV (1003), then EPSS >= 0.1 (1001), then by CVSS (1002)
    pos = [text.index(c) for c in ("CVE-2025-1003", "CVE-2025-1001", "CVE-2025-1002")]
    assert pos == sorted(pos)
    assert "CVE-2025-1003: priorité 1 (exploitée (catalogue KEV))" in text
    assert "premier bilan" in text and "Hello" not in text
    _, en = got["en@a.example"]
    assert en["Subject"] == "TLP:AMBER Watch: 3 new vulnerability finding(s), Ministry A"
    assert "CVE-2025-1003: priority 1 (exploited (KEV catalog))" in body(en, "plain")
    assert "Bonjour" not in body(en, "plain")
    _, both = got["both@a.example"]
    assert both["Subject"].startswith("TLP:AMBER Veille / Watch: 3 ")
    assert "Bonjour" in body(both, "plain") and "Hello" in body(both, "plain")
    assert "<li><strong>CVE-2025-1003</strong>" in body(both, "html")
    # Agency B's only contact refuses digests: no mail, and its digest is not taken
    d = json.loads(run("vuln", "digest", "--org", str(b["id"]), "--json", db=db).stdout)
    assert d["since"] is None and d["findings"]
    # nothing new: a second round sends nothing
    assert notify(db) == "digests 0 alerts 0 held 0 messages 0"
    # a new finding waits for the period (24 hours by default), then comes alone
    run("vuln", "import", os.path.join(VULNDB, "nvd-b.json"), db=db)
    assert notify(db) == "digests 0 alerts 0 held 0 messages 0"
    assert notify(db, VIGIE_DIGEST_HOURS="0") == "digests 1 alerts 0 held 0 messages 3"
    assert send(db, smtp) == "sent 3 retried 0 failed 0"
    last = smtp.messages()[-1]
    assert "CVE-2025-1004" in body(last, "plain") and "CVE-2025-1003" not in body(last, "plain")
    assert "since the digest of" in body(last, "plain")
    assert "out@a.example" not in [x for _, _, r, _ in smtp.got for x in r]
    assert notify(db, VIGIE_DIGEST_HOURS="0") == "digests 0 alerts 0 held 0 messages 0"
    p = run("mail", "notify", db=db, env=env(VIGIE_DIGEST_HOURS="1d"), check=False)
    assert p.returncode == 1 and "VIGIE_DIGEST_HOURS" in p.stderr
    assert a["id"] != b["id"]


def eve(ts, src, dest, **kw):
    ev = {"timestamp": ts, "src_ip": src, "dest_ip": dest}
    ev.update(kw)
    return json.dumps(ev)


def test_alerts_defanged_red_withheld_once(server, smtp, tmp_path):
    db = server.db
    make_org(server, "Ministry A", assets=assets(cidrs=["10.1.0.0/16"]), contacts=[
        {"name": "Fr", "email": "fr@a.example", "lang": "fr"},
        {"name": "Both", "email": "both@a.example"},
        {"name": "Out", "email": "out@a.example", "optout": ["alert"]}])
    make_org(server, "Ministry B", assets=assets(cidrs=["10.2.0.0/16"]), contacts=[
        {"name": "B", "email": "b@b.example"}])
    feed = tmp_path / "feed.txt"
    feed.write_text("ipv4-addr 198.51.100.7\ndomain-name evil.example\n")
    run("ioc", "import", str(feed), db=db)
    red = tmp_path / "red.txt"
    red.write_text("domain-name red.example\n")
    run("ioc", "import", "--tlp", "RED", str(red), db=db)
    log = tmp_path / "eve.json"
    log.write_text("\n".join([
        eve("2026-11-20T10:00:00Z", "10.1.0.5", "198.51.100.7"),
        eve("2026-11-20T10:05:00Z", "10.1.0.6", "198.51.100.7"),
        eve("2026-11-20T12:00:00Z", "10.1.9.9", "8.8.8.8", dns={"rrname": "x.evil.example"}),
        eve("2026-11-20T12:30:00Z", "10.1.9.9", "8.8.8.8", dns={"rrname": "red.example"}),
        eve("2026-11-20T13:00:00Z", "10.2.9.9", "8.8.8.8", dns={"rrname": "red.example"}),
        # no constituent address: an alert without organisation, never mailed
        eve("2026-11-20T14:00:00Z", "192.0.2.1", "198.51.100.7"),
    ]) + "\n")
    run("match", "--record", str(log), db=db)
    # A: two alerts mailed, its RED one held; B: only a RED one, held, no mail
    assert notify(db) == "digests 0 alerts 2 held 2 messages 2"
    assert send(db, smtp) == "sent 2 retried 0 failed 0"
    got = by_rcpt(smtp)
    assert sorted(got) == ["both@a.example", "fr@a.example"]
    _, fr = got["fr@a.example"]
    assert fr["Subject"] == "TLP:AMBER Alerte de détection: 2 indicateur(s) vu(s), Ministry A"
    for m in (fr, got["both@a.example"][1]):
        text, html = body(m, "plain"), body(m, "html")
        assert text.startswith("TLP:AMBER\n")
        assert "- 198.51.100[.]7 (ipv4-addr, TLP:AMBER): 2 " in text
        assert "evil[.]example (domain-name, TLP:AMBER): 1 " in text
        assert "<code>198.51.100[.]7</code>" in html
        for s in (text, html, m["Subject"]):
            assert "198.51.100.7" not in s and "evil.example" not in s and "red" not in s
    assert "2026-11-20T10:00:00Z" in body(fr, "plain")
    assert "Detection alert" in got["both@a.example"][1]["Subject"]
    # none twice, even when the same sightings come again the same day
    assert notify(db) == "digests 0 alerts 0 held 0 messages 0"
    run("match", "--record", str(log), db=db)
    assert notify(db) == "digests 0 alerts 0 held 0 messages 0"
    assert len(smtp.got) == 2


AVIS = {**ADVISORY, "title": "Vulnérabilité dans Example <Server>"}


def publish(srv, tok, body):
    r = srv.post("/api/v1/advisories", body, token=tok)
    assert r.status_code == 201, r.text
    ref = r.json()["ref"]
    assert srv.post(f"/api/v1/advisories/{ref}/submit", token=tok).status_code == 200
    r = srv.post(f"/api/v1/advisories/{ref}/publish", token=tok)
    assert r.status_code == 200, r.text
    return ref


def outbox(srv):
    r = srv.get("/api/v1/outbox?limit=100")
    assert r.status_code == 200, r.text
    return r.json()["items"]


def test_advisory_to_holders_of_its_products(tmp_path, smtp, monkeypatch):
    monkeypatch.setenv("VIGIE_PUBLIC_URL", "https://cert.example/")
    srv = Server(tmp_path / "adv.db", extra=["--single-analyst"])
    try:
        tok = srv.token("alice", "analyst")
        a = make_org(srv, "Org A", assets=assets(["cpe:2.3:a:example:server:2.4.1:*:*:*:*:*:*:*"]),
                     contacts=[{"name": "A1", "email": "a1@a.example", "lang": "en"},
                               {"name": "A2", "email": "a2@a.example", "optout": ["advisory"]}])
        make_org(srv, "Org B", assets=assets(["cpe:2.3:a:other:thing:1.0:*:*:*:*:*:*:*"]),
                 contacts=[{"name": "B1", "email": "b1@b.example"}])
        make_org(srv, "Org C", assets=assets(["cpe:2.3:a:example:server:2.0:*:*:*:*:*:*:*"]),
                 contacts=[{"name": "C1", "email": "c1@c.example", "lang": "fr"}])
        ref = publish(srv, tok, AVIS)
        items = outbox(srv)
        assert [(m["kind"], m["object"], m["to"]) for m in items] == [
            ("advisory", ref, ["a1@a.example"]), ("advisory", ref, ["c1@c.example"])]
        en = items[0]
        assert en["subject"] == f"TLP:CLEAR {ref}: Vulnérabilité dans Example <Server>"
        assert en["text"].startswith("TLP:CLEAR\n")
        assert "Risks: remote code execution" in en["text"]
        assert "- Example Server < 2.4.58 (fixed in 2.4.58)" in en["text"]
        assert "- cpe:2.3:a:example:server:2.4.1:*:*:*:*:*:*:*" in en["text"]
        assert "CVE: CVE-2024-0001" in en["text"]
        assert f"The advisory online: https://cert.example/advisories/{ref}/" in en["text"]
        assert "Example &lt;Server&gt;" in en["html"] and "<Server>" not in en["html"]
        assert "Systèmes affectés: " not in en["text"]
        assert "Systèmes affectés:" in items[1]["text"]
        # a revision does not send again
        r = srv.post(f"/api/v1/advisories/{ref}/revisions",
                     {"title": "Vulnérabilités dans Example Server",
                      "description": "Titre corrigé"}, token=tok)
        assert r.status_code == 200, r.text
        assert srv.post(f"/api/v1/advisories/{ref}/submit", token=tok).status_code == 200
        r = srv.post(f"/api/v1/advisories/{ref}/publish", token=tok)
        assert (r.status_code, r.json()["version"]) == (200, 2)
        assert len(outbox(srv)) == 2
        # RED never leaves; AMBER without the organisation among those concerned neither
        publish(srv, tok, {**AVIS, "tlp": "RED", "title": "rouge"})
        publish(srv, tok, {**AVIS, "tlp": "AMBER", "title": "ambre"})
        assert len(outbox(srv)) == 2
        # GREEN goes, without a public link
        green = publish(srv, tok, {**AVIS, "tlp": "GREEN", "title": "vert"})
        items = outbox(srv)[2:]
        assert [(m["object"], m["to"]) for m in items] == [
            (green, ["a1@a.example"]), (green, ["c1@c.example"])]
        assert "advisories/" not in items[0]["text"] and "TLP:GREEN" in items[0]["subject"]
        assert send(srv.db, smtp) == "sent 4 retried 0 failed 0"
        assert [r for _, _, r, _ in smtp.got] == [["a1@a.example"], ["c1@c.example"],
                                                  ["a1@a.example"], ["c1@c.example"]]
        # AMBER goes to the organisations the advisory concerns (its internal constituents,
        # here from the watch's findings), not to another holder of the product
        e = make_org(srv, "Org E", assets=assets(PRODUCTS[:1]),
                     contacts=[{"name": "E1", "email": "e1@e.example"}])
        make_org(srv, "Org F", assets=assets(["cpe:2.3:a:apache:http_server:2.4.99:*:*:*:*:*:*:*"]),
                 contacts=[{"name": "F1", "email": "f1@f.example"}])
        run("vuln", "import", os.path.join(VULNDB, "nvd-a.json"), db=srv.db)
        r = srv.post("/api/v1/advisories/draft-from-cves", {"cves": ["CVE-2025-1001"]}, token=tok)
        assert r.status_code == 201, r.text
        d = r.json()
        assert d["tlp"] == "AMBER"
        assert [c["org"] for c in d["internal"]["constituents"]] == [e["id"]]
        ref = d["ref"]
        assert srv.post(f"/api/v1/advisories/{ref}/submit", token=tok).status_code == 200
        assert srv.post(f"/api/v1/advisories/{ref}/publish", token=tok).status_code == 200
        items = [m for m in outbox(srv) if m["object"] == ref]
        assert [(m["to"], m["subject"][:10]) for m in items] == [(["e1@e.example"], "TLP:AMBER ")]
        assert "Your products concerned" in items[0]["text"]
        assert "cpe:2.3:a:apache:http_server:2.4.41" in items[0]["text"]
        assert "advisories/" not in items[0]["text"]
        assert a["id"]
    finally:
        rc, err = srv.stop()
        assert rc == 0, err[-2000:]


def test_serve_thread_runs_the_round(tmp_path, monkeypatch, smtp):
    """`vigie serve`'s sender thread takes the digests that are due and delivers them, with no
    `vigie mail notify`: each round runs the notifications, then delivery."""
    for k, v in env(VIGIE_SMTP_URL=smtp.url, VIGIE_MAIL_INTERVAL="1",
                    VIGIE_DIGEST_HOURS="0").items():
        monkeypatch.setenv(k, v)
    srv = Server(tmp_path / "vigie.db")
    try:
        make_org(srv, "Ministry A", assets=assets(PRODUCTS), contacts=[
            {"name": "En", "email": "en@a.example", "lang": "en"}])
        run("vuln", "import", os.path.join(VULNDB, "nvd-a.json"), db=srv.db)
        wait_for(lambda: len(smtp.got) == 1, timeout=5, what="the digest from the thread")
        assert smtp.got[0][2] == ["en@a.example"]
        assert smtp.messages()[0]["Subject"].startswith("TLP:AMBER Watch: ")
    finally:
        rc, err = srv.stop()
    assert rc == 0, err[-2000:]
