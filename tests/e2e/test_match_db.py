"""Indicators in the database: `vigie ioc import`, `vigie match --db [--record]`, POST
/api/v1/events, and what sightings lead to (attribution, alerts, escalation)."""
import json

from conftest import db_arg, make_org, run

IOCS = """# feed
domain-name evil.example
ipv4-addr 203.0.113.0/24
url http://Bad.example:80/x#frag
sha256 zz
bogus thing
email-addr phish@lure.example
"""


def hits(stdout):
    return [json.loads(line) for line in stdout.splitlines()]


def summary(stderr):
    return json.loads(stderr.strip().splitlines()[-1])


def import_iocs(tmp_path, db, text=IOCS, *extra):
    f = tmp_path / "feed.txt"
    f.write_text(text)
    return run("ioc", "import", *extra, str(f), db=db, check=False)


def test_ioc_import_idempotent_with_file_line_errors(tmp_path, server):
    p = import_iocs(tmp_path, server.db)
    assert p.returncode == 0, p.stderr
    assert f"{tmp_path}/feed.txt:5: invalid sha256" in p.stderr
    assert f"{tmp_path}/feed.txt:6: unknown indicator type 'bogus'" in p.stderr
    assert summary(p.stderr) == {"added": 4, "updated": 0, "unchanged": 0, "rejected": 2}
    items = server.get("/api/v1/indicators").json()["items"]
    assert sorted((i["type"], i["value"]) for i in items) == [
        ("domain-name", "evil.example"), ("email-addr", "phish@lure.example"),
        ("ipv4-addr", "203.0.113.0/24"), ("url", "http://bad.example/x")]
    assert {i["source"] for i in items} == {f"{tmp_path}/feed.txt"}
    assert {i["tlp"] for i in items} == {"AMBER"}
    # a second run changes nothing
    p = import_iocs(tmp_path, server.db)
    assert summary(p.stderr) == {"added": 0, "updated": 0, "unchanged": 4, "rejected": 2}
    assert len(server.get("/api/v1/indicators").json()["items"]) == 4


def test_ioc_import_options_csv_and_strict(tmp_path, server):
    f = tmp_path / "feed.csv"
    f.write_text("value,type,comment\nmd5.example,domain-name,x\n"
                 "d41d8cd98f00b204e9800998ecf8427e,md5,y\n")
    p = run("ioc", "import", "--tlp", "GREEN", "--source", "misp", "--confidence", "90",
            str(f), db=server.db)
    assert summary(p.stderr)["added"] == 2
    items = server.get("/api/v1/indicators?source=misp").json()["items"]
    assert [(i["tlp"], i["confidence"]) for i in items] == [("GREEN", 90)] * 2
    # an option changed: updated, not added
    p = run("ioc", "import", "--tlp", "RED", "--source", "misp", str(f), db=server.db)
    assert summary(p.stderr) == {"added": 0, "updated": 2, "unchanged": 0, "rejected": 0}
    p = import_iocs(tmp_path, server.db, IOCS, "--strict")
    assert p.returncode == 1 and "feed.txt:5:" in p.stderr and "feed.txt:6" not in p.stderr
    assert run("ioc", "import", "--tlp", "WHITE", str(f), db=server.db,
               check=False).returncode == 2
    assert run("ioc", "import", "--confidence", "101", str(f), db=server.db,
               check=False).returncode == 2
    assert run("ioc", "import", db=server.db, check=False).returncode == 2
    p = run("ioc", "import", str(tmp_path / "missing"), db=server.db, check=False)
    assert p.returncode == 1 and "missing" in p.stderr


def test_match_db_reports_stored_values(tmp_path, server):
    import_iocs(tmp_path, server.db)
    log = tmp_path / "eve.json"
    log.write_text(json.dumps({"dns": {"rrname": "A.Evil.Example"}}) + "\n" +
                   "not json\n" +
                   json.dumps({"http": {"hostname": "bad.example", "url": "/x"}}) + "\n")
    p = run("match", str(log), db=server.db)
    assert hits(p.stdout) == [
        {"line": 1, "indicator": "evil.example", "type": "domain-name",
         "value": "A.Evil.Example", "field": "dns.rrname"},
        {"line": 3, "indicator": "http://bad.example/x", "type": "url",
         "value": "http://bad.example/x", "field": "http.hostname+http.url"}]
    assert "eve.json:2:" in p.stderr
    # files and the database together; nothing recorded without --record
    f = tmp_path / "more.txt"
    f.write_text("domain-name bad.example\n")
    p = run("match", "--indicators", str(f), str(log), db=server.db)
    assert [h["indicator"] for h in hits(p.stdout)] == [
        "evil.example", "bad.example", "http://bad.example/x"]
    assert server.get("/api/v1/sightings").json()["items"] == []
    assert run("match", "--record", str(log), check=False).returncode == 2


def eve(ts, src, dest, **kw):
    ev = {"timestamp": ts, "src_ip": src, "dest_ip": dest}
    ev.update(kw)
    return json.dumps(ev)


def test_record_attributes_and_alerts_per_day(tmp_path, server):
    a = make_org(server, "Ministry A", cidrs=["10.1.0.0/16"], domains=["a.example"])
    b = make_org(server, "Ministry B", cidrs=["10.2.0.0/16"], domains=["b.example"])
    import_iocs(tmp_path, server.db, "ipv4-addr 203.0.113.0/24\ndomain-name evil.example\n"
                "domain-name compromised.b.example\n")
    ids = {i["value"]: i["id"] for i in server.get("/api/v1/indicators").json()["items"]}
    log = tmp_path / "eve.json"
    log.write_text("\n".join([
        # outbound from A to the bad network: A (src side)
        eve("2026-11-20T10:00:00.000000+0000", "10.1.0.5", "203.0.113.9"),
        # inbound scan from the bad network to B: B (dest side)
        eve("2026-11-20T11:00:00.000000+0100", "203.0.113.7", "10.2.3.4"),
        # a DNS query from A for the bad domain (dest is an outside resolver)
        eve("2026-11-20T12:00:00Z", "10.1.9.9", "8.8.8.8", dns={"rrname": "x.evil.example"}),
        # no constituent address: the matched host's domain owner (B)
        eve("2026-11-20T13:00:00Z", "192.0.2.1", "192.0.2.2",
            http={"hostname": "www.compromised.b.example", "url": "/"}),
        # again A and the bad network, same day: same alert
        eve("2026-11-20T23:59:59Z", "10.1.0.6", "203.0.113.10"),
        # the next day: a second alert
        eve("2026-11-21T00:00:01Z", "10.1.0.6", "203.0.113.10"),
    ]) + "\n")
    p = run("match", "--record", str(log), db=server.db)
    assert len(hits(p.stdout)) == 6
    assert summary(p.stderr) == {"sightings": 6, "alerts": 5, "unrecorded": 0}
    sg = server.get("/api/v1/sightings?limit=100").json()["items"]
    got = sorted((s["seen"], s["indicator"]["id"], s["org"], s["value"], s["field"], s["source"])
                 for s in sg)
    src = str(log)
    bad, evil, comp = ids["203.0.113.0/24"], ids["evil.example"], ids["compromised.b.example"]
    assert got == [
        ("2026-11-20T10:00:00Z", bad, a["id"], "203.0.113.9", "dest_ip", f"{src}:1"),
        ("2026-11-20T10:00:00Z", bad, b["id"], "203.0.113.7", "src_ip", f"{src}:2"),
        ("2026-11-20T12:00:00Z", evil, a["id"], "x.evil.example", "dns.rrname", f"{src}:3"),
        ("2026-11-20T13:00:00Z", comp, b["id"], "www.compromised.b.example", "http.hostname",
         f"{src}:4"),
        ("2026-11-20T23:59:59Z", bad, a["id"], "203.0.113.10", "dest_ip", f"{src}:5"),
        ("2026-11-21T00:00:01Z", bad, a["id"], "203.0.113.10", "dest_ip", f"{src}:6"),
    ]
    alerts = server.get("/api/v1/alerts").json()["items"]
    per = sorted((al["indicator"]["id"] if isinstance(al["indicator"], dict) else al["indicator"],
                  al["org"]["id"] if isinstance(al["org"], dict) else al["org"], al["day"])
                 for al in alerts)
    assert per == sorted([(bad, a["id"], "2026-11-20"), (bad, b["id"], "2026-11-20"),
                          (evil, a["id"], "2026-11-20"), (comp, b["id"], "2026-11-20"),
                          (bad, a["id"], "2026-11-21")])
    # filters
    only_b = server.get(f"/api/v1/sightings?org={b['id']}").json()["items"]
    assert sorted(s["value"] for s in only_b) == ["203.0.113.7", "www.compromised.b.example"]
    only_evil = server.get(f"/api/v1/sightings?indicator={evil}").json()["items"]
    assert [s["value"] for s in only_evil] == ["x.evil.example"]
    since = server.get("/api/v1/sightings?since=2026-11-20T23:00:00Z").json()["items"]
    assert sorted(s["seen"] for s in since) == ["2026-11-20T23:59:59Z", "2026-11-21T00:00:01Z"]
    assert server.get("/api/v1/sightings?org=x").status_code == 400
    # recording the same log again adds sightings but no alert
    p = run("match", "--record", str(log), db=server.db)
    assert summary(p.stderr)["sightings"] == 6
    assert len(server.get("/api/v1/alerts").json()["items"]) == 5


def test_events_api_escalation_and_roles(tmp_path, server):
    a = make_org(server, "Ministry A", cidrs=["10.1.0.0/16", "2001:db8:a::/48"],
                 domains=["a.example"])
    r = server.post("/api/v1/indicators", {"indicators": [
        {"value": "203.0.113.0/24"}, {"value": "evil.example"},
        {"value": "d41d8cd98f00b204e9800998ecf8427e"}]})
    assert r.status_code == 200, r.text
    body = "\n".join([
        eve("2026-11-22T08:00:00Z", "10.1.2.3", "203.0.113.5"),
        "{broken",
        eve("2026-11-22T08:01:00Z", "2001:db8:a::1", "2001:db8:ffff::1",
            fileinfo={"md5": "D41D8CD98F00B204E9800998ECF8427E"}),
        "",
        eve("2026-11-22T08:02:00Z", "192.0.2.1", "192.0.2.2", dns={"rrname": "ok.example"}),
    ]) + "\n"
    r = server.req("POST", "/api/v1/events", data=body,
                   headers={"Content-Type": "application/x-ndjson"})
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["events"], out["hits"], out["sightings"], out["alerts"]) == (3, 2, 2, 2)
    assert [m["line"] for m in out["malformed"]] == [2] and out["malformed"][0]["message"]
    sg = server.get(f"/api/v1/sightings?org={a['id']}").json()["items"]
    assert sorted((s["value"], s["source"]) for s in sg) == [
        ("203.0.113.5", "api:1"), ("D41D8CD98F00B204E9800998ECF8427E", "api:3")]
    # a new indicator is seen by the next request (the cached index is rebuilt)
    server.post("/api/v1/indicators", {"value": "ok.example"})
    r = server.req("POST", "/api/v1/events", data=body)
    assert (r.json()["hits"], r.json()["alerts"]) == (3, 3)
    # an import by another process (the CLI) is seen too
    f = tmp_path / "more.txt"
    f.write_text("md5 d41d8cd98f00b204e9800998ecf8427f\n")
    run("ioc", "import", str(f), db=server.db)
    extra = json.dumps({"h": "D41D8CD98F00B204E9800998ECF8427F"}) + "\n"
    r = server.req("POST", "/api/v1/events", data=body + extra)
    assert (r.json()["events"], r.json()["hits"]) == (4, 4)
    # escalate the alert of the bad network for A
    alerts = server.get(f"/api/v1/alerts?org={a['id']}&status=open").json()["items"]
    al = next(x for x in alerts if "203.0.113.5" in json.dumps(x)
              or json.dumps(x).find("203.0.113.0/24") >= 0)
    r = server.post(f"/api/v1/alerts/{al['id']}/escalate", {"severity": "high"})
    assert r.status_code == 201, r.text
    ref = r.json()["ref"]
    inc = server.get(f"/api/v1/incidents/{ref}").json()
    values = {o["value"] for o in inc["observables"]}
    assert {"203.0.113.0/24", "203.0.113.5"} <= values
    assert inc["severity"] == "high"
    assert server.post(f"/api/v1/alerts/{al['id']}/escalate", {}).status_code == 409
    # readers may read but not post events
    reader = server.token("rita", "reader")
    assert server.req("POST", "/api/v1/events", token=reader, data=body).status_code == 403
    assert server.get("/api/v1/alerts", token=reader).status_code == 200
    assert server.req("POST", "/api/v1/events", token="", data=body).status_code == 401


def test_events_api_empty_and_limits(server):
    r = server.req("POST", "/api/v1/events", data="")
    assert r.status_code == 200 and r.json() == {"events": 0, "hits": 0, "malformed": [],
                                                 "sightings": 0, "alerts": 0}
    r = server.req("POST", "/api/v1/events", data="x" * (1024 * 1024 + 10))
    assert r.status_code == 413


def test_events_api_malformed_lines_listed_first_ten(server):
    server.post("/api/v1/indicators", {"value": "evil.example"})
    body = "".join("{bad %d\n" % i for i in range(12))
    # duplicate keys are valid JSON for the scanner: the event's time is still read
    body += '{"timestamp":"2026-11-23T00:00:00+0000","q":"a","q":"x.evil.example"}\n'
    r = server.req("POST", "/api/v1/events", data=body)
    out = r.json()
    assert [m["line"] for m in out["malformed"]] == list(range(1, 11))
    assert (out["events"], out["hits"], out["sightings"]) == (1, 1, 1)
    sg = server.get("/api/v1/sightings").json()["items"]
    assert [(s["seen"], s["source"], s["org"]) for s in sg] == [
        ("2026-11-23T00:00:00Z", "api:13", None)]


def test_ioc_import_from_stdin_and_match_record_from_stdin(tmp_path, server):
    p = run("ioc", "import", "--source", "pasted", "-", db=server.db,
            input="domain-name evil.example\n")
    assert summary(p.stderr)["added"] == 1
    a = make_org(server, "A", cidrs=["10.1.0.0/16"])
    p = run("match", "--record", "-", db=server.db,
            input=eve("2026-11-24T00:00:00Z", "10.1.0.1", "9.9.9.9", dns={"rrname": "evil.example"}))
    assert summary(p.stderr) == {"sightings": 1, "alerts": 1, "unrecorded": 0}
    sg = server.get("/api/v1/sightings").json()["items"]
    assert [(s["source"], s["org"]) for s in sg] == [("stdin:1", a["id"])]


def test_record_reports_malformed_lines_as_match_does(tmp_path):
    """--record names the malformed lines of a log as FILE:LINE like a plain run (they were
    lost: the printer was handed the recorder's context), and still records the good ones."""
    db = tmp_path / "v.db"
    run("init", db=db)
    assert import_iocs(tmp_path, db).returncode == 0
    log = tmp_path / "eve.json"
    log.write_text('{"dns":{"rrname":"evil.example"}}\n{bad\n{"dns":{"rrname":"evil.example"}}\n')
    plain = run("match", "--db", db_arg(db), str(log))
    rec = run("match", "--db", db_arg(db), "--record", str(log))
    assert f"{log}:2: malformed JSON" in plain.stderr
    assert f"{log}:2: malformed JSON" in rec.stderr
    assert rec.stdout == plain.stdout and len(hits(rec.stdout)) == 2
    assert summary(rec.stderr) == {"sightings": 2, "alerts": 1, "unrecorded": 0}
