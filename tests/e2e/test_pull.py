"""`vigie share pull` (issue 12): a MISP feed pulled incrementally (only the events whose
timestamp changed), a TAXII 2.1 collection pulled page by page and resumed, and the errors:
unreachable URL, HTTP errors with TAXII error bodies, malformed manifests and events. The
sources here are small HTTP servers in the test process, so that every answer (a malformed one
included) and every request the client makes can be seen; test_misp_feed.py pulls from
vigie's own feed."""
import http.server
import json
import os
import threading
import urllib.parse
import uuid as uuidlib

import pytest

from conftest import connect, run

EV_A = "5f0c1a3e-1d2b-4c5d-8e9f-0a1b2c3d4e5f"
EV_B = "6a1d2b4f-2e3c-4d6e-9fa0-1b2c3d4e5f60"


def misp_event(uid, ts, values):
    return {"Event": {"uuid": uid, "info": "event " + uid[:8], "date": "2026-12-01",
                      "timestamp": str(ts), "threat_level_id": "2", "analysis": "1",
                      "Tag": [{"name": "tlp:green"}],
                      "Attribute": [{"type": "ip-dst", "category": "Network activity",
                                     "value": v, "to_ids": True, "uuid": str(uuidlib.uuid4()),
                                     "timestamp": str(ts)} for v in values]}}


class Source:
    """An HTTP server on 127.0.0.1 answering from `files` (path -> (status, headers, body)) or
    from `handler(path, query, headers)`, and logging each request (path, query, headers)."""

    def __init__(self):
        self.files = {}
        self.handler = None
        self.log = []
        src = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                u = urllib.parse.urlsplit(self.path)
                q = urllib.parse.parse_qs(u.query)
                src.log.append((u.path, q, dict(self.headers)))
                if src.handler:
                    status, headers, body = src.handler(u.path, q, self.headers)
                else:
                    status, headers, body = src.files.get(u.path, (404, {}, b"not found"))
                if isinstance(body, (dict, list)):
                    body = json.dumps(body).encode()
                elif isinstance(body, str):
                    body = body.encode()
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def paths(self):
        return [p for p, _, _ in self.log]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def source():
    s = Source()
    yield s
    s.close()


def put_feed(src, events):
    """Serves events ({uuid: (timestamp, values)}) as a MISP feed under /feed/."""
    manifest = {}
    for uid, (ts, values) in events.items():
        ev = misp_event(uid, ts, values)
        src.files["/feed/%s.json" % uid] = (200, {"Content-Type": "application/json"}, ev)
        manifest[uid] = {"info": ev["Event"]["info"], "date": "2026-12-01",
                         "timestamp": str(ts), "threat_level_id": "2", "analysis": "1",
                         "Orgc": {"name": "partner"}, "Tag": [{"name": "tlp:green"}]}
    src.files["/feed/manifest.json"] = (200, {"Content-Type": "application/json"}, manifest)


def pull(db, *args, check=False):
    p = run("share", "pull", *args, db=db, check=check)
    lines = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
    return p, lines


def test_misp_pull_fetches_only_changed_events(tmp_path, source):
    db = tmp_path / "b.db"
    put_feed(source, {EV_A: (1764547200, ["198.51.100.1"]),
                      EV_B: (1764547300, ["198.51.100.2", "198.51.100.3"])})
    p, lines = pull(db, "--misp-feed", source.url + "/feed/")
    assert p.returncode == 0, p.stderr
    assert sorted(e["event"] for e in lines) == sorted([EV_A, EV_B])
    assert all(e["status"] == "imported" for e in lines), lines
    assert {e["event"]: e["timestamp"] for e in lines} == {EV_A: "1764547200", EV_B: "1764547300"}
    assert "2 event(s) listed: 2 imported, 0 unchanged, 0 failed" in p.stderr
    assert sorted(source.paths()) == sorted(["/feed/manifest.json", "/feed/%s.json" % EV_A,
                                             "/feed/%s.json" % EV_B])
    # imported as `vigie share import` would: the values with the event's TLP, and the feed's
    # host as their source
    assert sources(db) == {("198.51.100.%d" % n, "GREEN", "127.0.0.1") for n in (1, 2, 3)}

    # nothing changed: only the manifest is read, nothing is imported
    source.log.clear()
    p, lines = pull(db, "--misp-feed", source.url + "/feed/manifest.json")
    assert p.returncode == 0, p.stderr
    assert lines == []
    assert "2 event(s) listed: 0 imported, 2 unchanged, 0 failed" in p.stderr
    assert source.paths() == ["/feed/manifest.json"]

    # B changes: B alone is fetched again
    source.log.clear()
    put_feed(source, {EV_A: (1764547200, ["198.51.100.1"]),
                      EV_B: (1764547999, ["198.51.100.2", "198.51.100.4"])})
    p, lines = pull(db, "--misp-feed", source.url + "/feed")
    assert p.returncode == 0, p.stderr
    assert [(e["event"], e["timestamp"], e["status"]) for e in lines] == \
        [(EV_B, "1764547999", "imported")]
    assert "2 event(s) listed: 1 imported, 1 unchanged, 0 failed" in p.stderr
    assert sorted(source.paths()) == ["/feed/%s.json" % EV_B, "/feed/manifest.json"]


def sources(db):
    con = connect(str(db))
    try:
        return set(con.execute("SELECT value, tlp, source FROM indicator"))
    finally:
        con.close()


def test_misp_pull_state_is_per_feed(tmp_path, source):
    """The same events under another feed URL are another source: fetched again."""
    db = tmp_path / "b.db"
    put_feed(source, {EV_A: (1764547200, ["198.51.100.1"])})
    assert pull(db, "--misp-feed", source.url + "/feed/", "--source", "cert-x")[0].returncode == 0
    assert sources(db) == {("198.51.100.1", "GREEN", "cert-x")}
    source.files["/other/manifest.json"] = source.files["/feed/manifest.json"]
    source.files["/other/%s.json" % EV_A] = source.files["/feed/%s.json" % EV_A]
    p, lines = pull(db, "--misp-feed", source.url + "/other/")
    assert p.returncode == 0, p.stderr
    assert [e["event"] for e in lines] == [EV_A]


def test_misp_pull_sends_credentials(tmp_path, source):
    db = tmp_path / "b.db"
    put_feed(source, {EV_A: (1, ["198.51.100.1"])})
    assert pull(db, "--misp-feed", source.url + "/feed/", "--token", "s3cret")[0].returncode == 0
    assert {h.get("Authorization") for _, _, h in source.log} == {"Bearer s3cret"}
    source.log.clear()
    p, _ = pull(tmp_path / "c.db", "--misp-feed", source.url + "/feed/", "--user", "7",
                "--password", "pw")
    assert p.returncode == 0, p.stderr
    # "7:pw" in base64
    assert {h.get("Authorization") for _, _, h in source.log} == {"Basic Nzpwdw=="}


def test_misp_pull_failed_event_is_not_recorded(tmp_path, source):
    """An event that cannot be fetched or read is reported, the others imported, the exit
    status 1; the next pull fetches it again (its timestamp was not recorded)."""
    db = tmp_path / "b.db"
    put_feed(source, {EV_A: (10, ["198.51.100.1"]), EV_B: (20, ["198.51.100.2"])})
    source.files["/feed/%s.json" % EV_B] = (200, {}, b'{"Event": {"uuid": ')
    p, lines = pull(db, "--misp-feed", source.url + "/feed/")
    assert p.returncode == 1
    by = {e["event"]: e for e in lines}
    assert by[EV_A]["status"] == "imported"
    assert by[EV_B]["status"] == "failed"
    msg = by[EV_B]["error"]["message"]
    assert source.url + "/feed/%s.json" % EV_B in msg and "line 1" in msg, msg
    assert "1 imported, 0 unchanged, 1 failed" in p.stderr

    # served under the wrong uuid: refused, named by its pointer
    other = misp_event(str(uuidlib.uuid4()), 20, ["198.51.100.2"])
    source.files["/feed/%s.json" % EV_B] = (200, {}, other)
    p, lines = pull(db, "--misp-feed", source.url + "/feed/")
    assert p.returncode == 1
    assert [(e["event"], e["status"], e["error"]["pointer"]) for e in lines] == \
        [(EV_B, "failed", "/Event/uuid")]

    # a 404: named with its status
    del source.files["/feed/%s.json" % EV_B]
    p, lines = pull(db, "--misp-feed", source.url + "/feed/")
    assert p.returncode == 1
    assert "HTTP 404" in lines[0]["error"]["message"]

    put_feed(source, {EV_A: (10, ["198.51.100.1"]), EV_B: (20, ["198.51.100.2"])})
    p, lines = pull(db, "--misp-feed", source.url + "/feed/")
    assert p.returncode == 0, p.stderr
    assert [(e["event"], e["status"]) for e in lines] == [(EV_B, "imported")]


@pytest.mark.parametrize("manifest,where", [
    (b"{\"a\": ", "line 1"),
    (b"[]", "/: not a JSON object"),
    (json.dumps({"not-a-uuid": {"timestamp": "1"}}).encode(), "not an event uuid"),
    (json.dumps({EV_A: {"info": "x"}}).encode(), "/%s/timestamp: missing" % EV_A),
    (json.dumps({EV_A: {"timestamp": "12ab"}}).encode(), "/%s/timestamp: not a timestamp" % EV_A),
])
def test_misp_pull_malformed_manifest(tmp_path, source, manifest, where):
    source.files["/feed/manifest.json"] = (200, {}, manifest)
    p, lines = pull(tmp_path / "b.db", "--misp-feed", source.url + "/feed/")
    assert p.returncode == 1
    assert lines == []
    assert source.url + "/feed/manifest.json: " in p.stderr and where in p.stderr, p.stderr
    assert source.paths() == ["/feed/manifest.json"]


def test_pull_unreachable_and_usage(tmp_path, source):
    port = source.httpd.server_address[1]
    source.close()  # nothing listens there any more
    p, lines = pull(tmp_path / "b.db", "--misp-feed", "http://127.0.0.1:%d/feed/" % port)
    assert p.returncode == 1
    assert "GET http://127.0.0.1:%d/feed/manifest.json: " % port in p.stderr, p.stderr
    p, _ = pull(tmp_path / "b.db", "--taxii", "http://127.0.0.1:%d/api/" % port,
                "--collection", "c")
    assert p.returncode == 1
    assert "GET http://127.0.0.1:%d/api/collections/c/objects/: " % port in p.stderr, p.stderr
    for args in (["--taxii", "http://h/"], ["--misp-feed", "http://h/", "--taxii", "http://h/"],
                 [], ["--misp-feed", "ftp://h/"], ["--misp-feed", "http://h/", "--since", "x"],
                 ["--taxii", "http://h/", "--collection", "c", "--limit", "0"],
                 ["--misp-feed", "http://h/", "--token", "t", "--user", "u", "--password", "p"]):
        p, _ = pull(tmp_path / "b.db", *args)
        assert p.returncode == (1 if args == ["--misp-feed", "ftp://h/"] else 2), (args, p.stderr)


# ---- TAXII ----

def taxii_source(src, n_objects, collection="c1"):
    """A TAXII 2.1 collection of n_objects indicators added one second apart, paged by
    `limit` with `next` cursors (the cursor is the index of the first object)."""
    objs = []
    for i in range(n_objects):
        objs.append(({"type": "indicator", "spec_version": "2.1",
                      "id": "indicator--%s" % uuidlib.UUID(int=i + 1),
                      "created": "2026-12-01T00:00:00.000Z",
                      "modified": "2026-12-01T00:00:00.000Z",
                      "pattern": "[ipv4-addr:value = '203.0.113.%d']" % (i + 1),
                      "pattern_type": "stix", "valid_from": "2026-12-01T00:00:00Z"},
                     "2026-12-02T00:00:%02d.000Z" % i))

    def handler(path, q, headers):
        if path != "/api1/collections/%s/objects/" % collection:
            return 404, {"Content-Type": "application/taxii+json;version=2.1"}, \
                {"title": "Collection not found", "http_status": "404",
                 "description": "no collection " + path}
        after = q.get("added_after", [""])[0]
        rest = [o for o in objs if not after or o[1] > after]
        start = int(q.get("next", ["0"])[0])
        limit = int(q.get("limit", ["100"])[0])
        page = rest[start:start + limit]
        more = start + limit < len(rest)
        env = {"more": more}
        if page:
            env["objects"] = [o for o, _ in page]
        if more:
            env["next"] = str(start + limit)
        h = {"Content-Type": "application/taxii+json;version=2.1"}
        if page:
            h["X-TAXII-Date-Added-First"] = page[0][1]
            h["X-TAXII-Date-Added-Last"] = page[-1][1]
        return 200, h, env

    src.handler = handler
    return objs


def test_taxii_pull_pages_and_resume(tmp_path, source):
    objs = taxii_source(source, 5)
    db = tmp_path / "b.db"
    p, lines = pull(db, "--taxii", source.url + "/api1/", "--collection", "c1", "--limit", "2")
    assert p.returncode == 0, p.stderr
    assert [(e["page"], e["objects"], e["status"]) for e in lines] == \
        [(1, 2, "imported"), (2, 2, "imported"), (3, 1, "imported")]
    assert [e["date_added_last"] for e in lines] == [objs[1][1], objs[3][1], objs[4][1]]
    assert [q.get("next") for _, q, _ in source.log] == [None, ["2"], ["4"]]
    assert {h.get("Accept") for _, _, h in source.log} == {"application/taxii+json;version=2.1"}
    assert "3 page(s), 5 object(s)" in p.stderr

    # nothing new: asked added_after the last date seen, nothing imported
    source.log.clear()
    p, lines = pull(db, "--taxii", source.url + "/api1", "--collection", "c1", "--limit", "2")
    assert p.returncode == 0, p.stderr
    assert [q.get("added_after") for _, q, _ in source.log] == [[objs[4][1]]]
    assert [(e["objects"], e["date_added_last"]) for e in lines] == [(0, None)]

    # two more objects: only they come
    objs = taxii_source(source, 7)
    source.log.clear()
    p, lines = pull(db, "--taxii", source.url + "/api1/", "--collection", "c1", "--limit", "2")
    assert p.returncode == 0, p.stderr
    assert [(e["objects"], e["date_added_last"]) for e in lines] == [(2, objs[6][1])]

    # --since overrides the state
    source.log.clear()
    p, lines = pull(db, "--taxii", source.url + "/api1/", "--collection", "c1",
                    "--since", objs[3][1])
    assert p.returncode == 0, p.stderr
    assert [q.get("added_after") for _, q, _ in source.log] == [[objs[3][1]]]
    assert [e["objects"] for e in lines] == [3]


def test_taxii_pull_errors(tmp_path, source):
    taxii_source(source, 3)
    db = tmp_path / "b.db"
    p, lines = pull(db, "--taxii", source.url + "/api1/", "--collection", "nope")
    assert p.returncode == 1
    assert "HTTP 404: Collection not found: no collection /api1/collections/nope/objects/" \
        in p.stderr, p.stderr
    assert lines[0]["status"] == "failed"

    # a page that is not an envelope: the pages before it stay imported and recorded
    good = source.handler

    def broken(path, q, headers):
        if q.get("next") == ["2"]:
            return 200, {}, {"objects": {"not": "an array"}, "more": False}
        return good(path, q, headers)
    source.handler = broken
    p, lines = pull(db, "--taxii", source.url + "/api1/", "--collection", "c1", "--limit", "2")
    assert p.returncode == 1
    assert [e["status"] for e in lines] == ["imported", "failed"]
    assert lines[1]["error"]["pointer"] == "/objects"
    assert "/objects: not an array" in p.stderr
    source.handler = good
    source.log.clear()
    p, lines = pull(db, "--taxii", source.url + "/api1/", "--collection", "c1", "--limit", "2")
    assert p.returncode == 0, p.stderr
    assert [e["objects"] for e in lines] == [1]
    assert source.log[0][1].get("added_after") == ["2026-12-02T00:00:01.000Z"]

    # a non-TAXII error body still says the status
    source.handler = lambda path, q, h: (500, {}, "oops")
    p, _ = pull(db, "--taxii", source.url + "/api1/", "--collection", "c1")
    assert p.returncode == 1
    assert "HTTP 500 (not a TAXII error body)" in p.stderr


# ---- TAXII from vigie's own server ----

TLP_GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"


def vigie_indicator(n):
    return {"type": "indicator", "spec_version": "2.1",
            "id": "indicator--%s" % uuidlib.UUID(int=1000 + n),
            "created": "2026-12-01T00:00:00.000Z", "modified": "2026-12-01T00:00:00.000Z",
            "pattern": "[domain-name:value = 'pulled-%d.example']" % n, "pattern_type": "stix",
            "valid_from": "2026-12-01T00:00:00Z", "object_marking_refs": [TLP_GREEN]}


def taxii_post(srv, coll, objects):
    r = srv.req("POST", "/taxii2/vigie/collections/%s/objects/" % coll,
                data=json.dumps({"objects": objects}),
                headers={"Content-Type": "application/taxii+json;version=2.1",
                         "Accept": "application/taxii+json;version=2.1"})
    assert r.status_code == 202, r.text
    assert r.json()["failure_count"] == 0, r.text


def pulled_domains(db):
    con = connect(str(db))
    try:
        return {(v, tlp) for v, tlp in con.execute(
            "SELECT value, tlp FROM indicator WHERE type = 'domain-name' AND value LIKE "
            "'pulled-%'")}
    finally:
        con.close()


def test_taxii_pull_from_vigie(server, tmp_path):
    r = server.post("/api/v1/partners", {"name": "CERT-X", "country": "BE", "max_tlp": "GREEN"})
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    tok = server.post("/api/v1/partners/%d/tokens" % pid, {"label": "pull"}).json()["token"]
    r = server.post("/api/v1/taxii/collections", {"title": "Out", "readers": "all"})
    assert r.status_code == 201, r.text
    coll = r.json()["id"]
    taxii_post(server, coll, [vigie_indicator(n) for n in range(5)])
    db = tmp_path / "b.db"
    root = server.url + "/taxii2/vigie/"
    args = ("--taxii", root, "--collection", coll, "--user", str(pid), "--password", tok,
            "--limit", "2")
    p, lines = pull(db, *args)
    assert p.returncode == 0, p.stderr
    assert [(e["objects"], e["status"]) for e in lines] == \
        [(2, "imported"), (2, "imported"), (1, "imported")]
    assert pulled_domains(db) == {("pulled-%d.example" % n, "GREEN") for n in range(5)}

    p, lines = pull(db, *args)
    assert p.returncode == 0, p.stderr
    assert [e["objects"] for e in lines] == [0]

    taxii_post(server, coll, [vigie_indicator(n) for n in range(5, 7)])
    p, lines = pull(db, *args)
    assert p.returncode == 0, p.stderr
    assert [e["objects"] for e in lines] == [2]
    assert len(pulled_domains(db)) == 7

    # a collection that does not exist: the TAXII error, with its status
    p, lines = pull(db, "--taxii", root, "--collection", "no-such-collection", "--user",
                    str(pid), "--password", tok)
    assert p.returncode == 1
    assert "HTTP 404: " in p.stderr, p.stderr
    assert lines[0]["status"] == "failed"
