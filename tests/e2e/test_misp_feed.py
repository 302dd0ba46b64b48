"""The MISP feed vigie serves (issue 12): /misp-feed/manifest.json, /misp-feed/{uuid}.json and
/misp-feed/hashes.csv per recipient through the TLP gate (an incident's own TLP decides whether
it is listed: RED and AMBER+STRICT never reach a partner, AMBER only a partner whose max_tlp
is AMBER), authenticated by a partner's token (bearer or HTTP Basic) or a CERT user's; the
three files agree with each other; and `vigie share pull --misp-feed` from a vigie server into
a second database: everything the first time, nothing the second, a changed event alone."""
import base64
import hashlib
import json

import pytest

from conftest import connect, Server, make_incident, make_org, run, wait_for

LEVELS = ["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"]
# a value and a title per level, recognisable in any byte sent
VALUE = {lvl: "%s-secret.example" % lvl.lower().replace("+", "-") for lvl in LEVELS}
TITLE = {lvl: "incident-title-%s" % lvl.lower().replace("+", "-") for lvl in LEVELS}
MAY = {"GREEN": {"CLEAR", "GREEN"}, "AMBER": {"CLEAR", "GREEN", "AMBER"}}


def partner(srv, name, max_tlp):
    r = srv.post("/api/v1/partners", {"name": name, "country": "BE", "max_tlp": max_tlp})
    assert r.status_code == 201, r.text
    p = r.json()
    r = srv.post("/api/v1/partners/%d/tokens" % p["id"], {"label": "feed"})
    assert r.status_code == 201, r.text
    return p["id"], r.json()["token"]


def basic(user, password):
    return "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()


@pytest.fixture
def feed(server):
    """A server holding one incident per TLP level (concerning a constituent), and partners of
    max_tlp GREEN and AMBER. Returns (server, {level: ref}, {max_tlp: (id, token)})."""
    org = make_org(server, "Ministere", domains=["ministere.example"])["id"]
    refs = {}
    for lvl in LEVELS:
        refs[lvl] = make_incident(server, observables=[VALUE[lvl], "198.51.100.%d"
                                                       % (LEVELS.index(lvl) + 1)],
                                  tlp=lvl, org=org, title=TITLE[lvl])["ref"]
    partners = {m: partner(server, "CERT-" + m, m) for m in ("GREEN", "AMBER")}
    return server, refs, partners


def get_feed(srv, token=None, headers=None):
    """Every byte of the feed as the caller gets it: (manifest, {uuid: event}, hashes lines,
    all bytes)."""
    kw = {"headers": headers} if headers else {}
    tok = token if headers is None else ""
    r = srv.get("/misp-feed/manifest.json", token=tok, **kw)
    assert r.status_code == 200, r.text
    raw = r.content
    manifest = r.json()
    events = {}
    for uid in manifest:
        e = srv.get("/misp-feed/%s.json" % uid, token=tok, **kw)
        assert e.status_code == 200, e.text
        raw += e.content
        events[uid] = e.json()
    h = srv.get("/misp-feed/hashes.csv", token=tok, **kw)
    assert h.status_code == 200, h.text
    assert h.headers["Content-Type"].startswith("text/csv")
    raw += h.content
    lines = h.text.splitlines()
    return manifest, events, lines, raw


def titles(events):
    return {e["Event"]["info"] for e in events.values()}


def check_consistent(manifest, events, lines):
    """manifest <-> events <-> hashes.csv: the same events, the same headers, one line per
    attribute value (md5 of the value, the event's uuid)."""
    want = set()
    for uid, entry in manifest.items():
        ev = events[uid]["Event"]
        assert ev["uuid"] == uid
        for k in ("info", "date", "timestamp", "threat_level_id", "analysis"):
            assert str(entry[k]) == str(ev[k]), (k, entry, ev)
        assert [t["name"] for t in entry["Tag"]] == [t["name"] for t in ev.get("Tag", [])]
        for a in ev.get("Attribute", []):
            parts = a["value"].split("|") if "|" in a["type"] else [a["value"]]
            for p in parts:
                want.add("%s,%s" % (hashlib.md5(p.encode()).hexdigest(), uid))
    assert set(lines) == want
    assert len(lines) == len(set(lines)) or len(lines) >= len(want)


@pytest.mark.parametrize("max_tlp", ["GREEN", "AMBER"])
def test_feed_per_partner_by_tlp(feed, max_tlp):
    srv, refs, partners = feed
    pid, tok = partners[max_tlp]
    manifest, events, lines, raw = get_feed(srv, tok)
    assert titles(events) == {TITLE[lvl] for lvl in MAY[max_tlp]}
    assert len(manifest) == len(MAY[max_tlp])
    check_consistent(manifest, events, lines)
    for lvl in LEVELS:
        if lvl not in MAY[max_tlp]:
            # never in any byte: not the value, not the title, not the reference
            for secret in (VALUE[lvl], TITLE[lvl], refs[lvl]):
                assert secret.encode() not in raw, (lvl, secret)
    # each event carries its TLP tag, and the value of its own level
    for e in events.values():
        ev = e["Event"]
        lvl = [t["name"] for t in ev["Tag"] if t["name"].startswith("tlp:")]
        assert len(lvl) == 1 and lvl[0].upper()[4:] in MAY[max_tlp], lvl
        assert VALUE[lvl[0][4:].upper()] in {a["value"] for a in ev["Attribute"]}

    # the same with HTTP Basic (the partner's id and token)
    m2, e2, l2, _ = get_feed(srv, headers={"Authorization": basic(pid, tok)})
    assert (m2, e2, sorted(l2)) == (manifest, events, sorted(lines))


def test_feed_for_the_cert_and_refusals(feed):
    srv, refs, partners = feed
    reader = srv.token("feed-reader", "reader")
    manifest, events, lines, _ = get_feed(srv, reader)
    assert titles(events) == set(TITLE.values())  # a CERT user: the internal view
    check_consistent(manifest, events, lines)
    by_title = {e["Event"]["info"]: uid for uid, e in events.items()}

    gid, gtok = partners["GREEN"]
    _, atok = partners["AMBER"]
    for lvl in ("AMBER", "AMBER+STRICT", "RED"):
        r = srv.get("/misp-feed/%s.json" % by_title[TITLE[lvl]], token=gtok)
        assert r.status_code == 404, (lvl, r.text)
        assert r.json()["error"]["code"] == "not_found"
        assert TITLE[lvl] not in r.text
    for lvl in ("AMBER+STRICT", "RED"):
        assert srv.get("/misp-feed/%s.json" % by_title[TITLE[lvl]],
                       token=atok).status_code == 404
    # not shareable and not existing: the same answer
    hidden = srv.get("/misp-feed/%s.json" % by_title[TITLE["RED"]], token=atok)
    absent = srv.get("/misp-feed/00000000-0000-4000-8000-000000000000.json", token=atok)
    assert (hidden.status_code, hidden.json()) == (absent.status_code, absent.json())
    for bad in ("x.json", "manifest", by_title[TITLE["CLEAR"]], "%s.csv" % by_title[TITLE["CLEAR"]]):
        assert srv.get("/misp-feed/" + bad, token=atok).status_code == 404, bad
    # an upper-case uuid is the same event
    up = srv.get("/misp-feed/%s.json" % by_title[TITLE["CLEAR"]].upper(), token=atok)
    assert up.status_code == 200 and up.json()["Event"]["info"] == TITLE["CLEAR"]

    # no token, a wrong one, a wrong Basic password: 401
    for path in ("manifest.json", "hashes.csv", by_title[TITLE["CLEAR"]] + ".json"):
        assert srv.get("/misp-feed/" + path, token="").status_code == 401
        assert srv.get("/misp-feed/" + path, token="vgp_" + "0" * 64).status_code == 401
        r = srv.get("/misp-feed/" + path, token="",
                    headers={"Authorization": basic(gid, "vgp_" + "1" * 64)})
        assert r.status_code == 401
    # a partner's token reaches the feed but no other part of the API: 403
    assert srv.get("/api/v1/incidents", token=gtok).status_code == 403


def test_feed_follows_the_gate_now(feed):
    """A lowered max_tlp, a changed incident TLP: the next answer follows (nothing cached)."""
    srv, refs, partners = feed
    pid, tok = partners["AMBER"]
    assert len(srv.get("/misp-feed/manifest.json", token=tok).json()) == 3
    r = srv.patch("/api/v1/partners/%d" % pid, {"max_tlp": "GREEN"})
    assert r.status_code == 200, r.text
    m = srv.get("/misp-feed/manifest.json", token=tok).json()
    assert len(m) == 2
    r = srv.patch("/api/v1/incidents/" + refs["GREEN"], {"tlp": "RED"})
    assert r.status_code == 200, r.text
    _, events, lines, raw = get_feed(srv, tok)
    assert titles(events) == {TITLE["CLEAR"]}
    assert VALUE["GREEN"].encode() not in raw


def indicators(db):
    con = connect(str(db))
    try:
        return {(t, v): tlp for t, v, tlp in
                con.execute("SELECT type, value, tlp FROM indicator")}
    finally:
        con.close()


def pull(db, url, tok):
    p = run("share", "pull", "--misp-feed", url, "--token", tok, db=db, check=False)
    return p, [json.loads(x) for x in p.stdout.splitlines() if x.strip()]


def test_pull_from_vigie_feed(feed, tmp_path):
    srv, refs, partners = feed
    _, tok = partners["AMBER"]
    db = tmp_path / "b.db"
    run("init", db=db)
    url = srv.url + "/misp-feed/"
    p, lines = pull(db, url, tok)
    assert p.returncode == 0, p.stderr
    assert len(lines) == 3 and all(e["status"] == "imported" for e in lines), lines
    assert "3 event(s) listed: 3 imported, 0 unchanged, 0 failed" in p.stderr
    got = indicators(db)
    for lvl in ("CLEAR", "GREEN", "AMBER"):
        assert got[("domain-name", VALUE[lvl])] == lvl
    assert not any(v in (VALUE["RED"], VALUE["AMBER+STRICT"]) for _, v in got)
    assert sum(e["import"]["items"] for e in lines) == 6

    p, lines = pull(db, url, tok)
    assert p.returncode == 0, p.stderr
    assert lines == []
    assert "3 event(s) listed: 0 imported, 3 unchanged, 0 failed" in p.stderr

    # one incident changes: its event alone is fetched again (MISP timestamps are seconds:
    # changed until the manifest says so)
    before = srv.get("/misp-feed/manifest.json", token=tok).json()
    r = srv.post("/api/v1/incidents/%s/observables" % refs["GREEN"],
                 {"value": "added-later.example"})
    assert r.status_code in (200, 201), r.text

    def changed():
        m = srv.get("/misp-feed/manifest.json", token=tok).json()
        if m != before:
            return m
        srv.post("/api/v1/incidents/%s/notes" % refs["GREEN"], {"text": "again"})
        return None
    after = wait_for(changed, timeout=5, interval=0.2, what="the event's timestamp to change")
    moved = [u for u in after if after[u]["timestamp"] != before[u]["timestamp"]]
    assert len(moved) == 1
    p, lines = pull(db, url, tok)
    assert p.returncode == 0, p.stderr
    assert [(e["event"], e["status"]) for e in lines] == [(moved[0], "imported")]
    assert "3 event(s) listed: 1 imported, 2 unchanged, 0 failed" in p.stderr
    assert indicators(db)[("domain-name", "added-later.example")] == "GREEN"


def test_pull_feed_errors(feed, tmp_path):
    srv, refs, partners = feed
    db = tmp_path / "b.db"
    p, _ = pull(db, srv.url + "/misp-feed/", "vgp_" + "0" * 64)
    assert p.returncode == 1
    assert srv.url + "/misp-feed/manifest.json: HTTP 401" in p.stderr, p.stderr
    p, _ = pull(db, srv.url + "/no-feed/", partners["GREEN"][1])
    assert p.returncode == 1
    assert "/no-feed/manifest.json: HTTP " in p.stderr, p.stderr
