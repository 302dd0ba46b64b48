"""The public intake cannot be abused (issue 11, items 4 to 6): a claim by e-mail domain stays
unverified until an analyst checks it; rate limits per network (IPv6 /64, configurable IPv4
prefix), a global cap that holds reports in a bounded queue, X-Forwarded-For read only from
trusted proxies; networks too wide and too many observables refused."""
import json
import socket

from conftest import db_arg, connect, Server, make_incident, make_org, run


def body(email="r@agency.example", kind="ministry", **extra):
    b = {"reporter": {"name": "R", "email": email},
         "organisation": {"name": "Declared", "kind": kind},
         "title": "Suspicious mail", "description": "We received phishing."}
    b.update(extra)
    return b


def report(srv, xff=None, **kw):
    headers = {"X-Forwarded-For": xff} if xff is not None else {}
    return srv.post("/api/v1/reports", body(**kw), token="", headers=headers)


def intake_log(srv):
    db = connect(srv.db)
    rows = db.execute("SELECT client, decision, incident_ref FROM intake ORDER BY id").fetchall()
    db.close()
    return rows


def start(tmp_path, *extra, name="i.db"):
    return Server(tmp_path / name, extra=list(extra))


# ---------------------------------------------------------------- item 4: unverified claims

def test_claim_by_email_domain_is_a_candidate_until_an_analyst_verifies(server):
    org = make_org(server, "Ministry", kind="ministry", domains=["min.example"])
    refs = []
    # subdomains, upper case and a trailing dot all reach the organisation, never verified
    for email in ("agent@dept.min.example", "Agent@MIN.EXAMPLE", "agent@min.example.",
                  "x@A.B.Min.Example."):
        r = report(server, email=email, kind="individual")
        assert r.status_code == 201, (email, r.text)
        assert r.json() == {"decision": "accepted", "incident": r.json()["incident"],
                            "unverified": True}, email
        inc = server.get("/api/v1/incidents/" + r.json()["incident"]).json()
        assert inc["org"] == org["id"] and inc["org_name"] == "Ministry", email
        assert inc["unverified"] is True, email
        refs.append(inc["ref"])
    # the answer tells an anonymous reporter nothing of whether its domain is a constituent's
    other = report(server, email="x@stranger.example", kind="ministry").json()
    assert set(other) == {"decision", "incident", "unverified"} and other["unverified"] is True
    # a reader cannot verify; an analyst can, and the timeline says who
    reader = server.token("rita", "reader")
    analyst = server.token("anna", "analyst")
    r = server.patch("/api/v1/incidents/" + refs[0], {"unverified": False}, token=reader)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert server.get("/api/v1/incidents/" + refs[0]).json()["unverified"] is True
    r = server.patch("/api/v1/incidents/" + refs[0], {"unverified": False}, token=analyst)
    assert r.status_code == 200, r.text
    inc = server.get("/api/v1/incidents/" + refs[0]).json()
    assert inc["unverified"] is False and inc["org"] == org["id"]
    assert inc["timeline"][-1]["actor"] == "anna"
    assert inc["timeline"][-1]["detail"] == {"unverified": {"from": True, "to": False}}
    # or rejects the candidate: the organisation is cleared
    r = server.patch("/api/v1/incidents/" + refs[1], {"org": None}, token=analyst)
    assert r.status_code == 200, r.text
    inc = server.get("/api/v1/incidents/" + refs[1]).json()
    assert inc["org"] is None and inc["unverified"] is True


# ------------------------------------------------------- item 6: wide networks, observables

def test_networks_wider_than_the_minimum_prefix_are_refused(server):
    ok = report(server, observables=[{"value": "192.0.2.1"}, {"value": "10.0.0.0/8"},
                                     {"value": "2001:db8::/32"}])
    assert ok.status_code == 201, ok.text
    for value, kind in [("10.0.0.0/7", "ipv4"), ("0.0.0.0/0", "ipv4"),
                        ("2001:da8::/31", "ipv6"), ("::/0", "ipv6")]:
        r = report(server, observables=[{"value": "192.0.2.1"}, {"value": value}])
        assert r.status_code == 400, (value, r.text)
        err = r.json()["error"]
        assert err["code"] == "invalid" and err["field"] == "/observables/1/value", (value, err)
        assert "too wide" in err["message"] and ("/8" if kind == "ipv4" else "/32") in \
            err["message"], err
    # refused reports open nothing: one incident, from the good report
    assert len(server.get("/api/v1/incidents").json()["items"]) == 1
    # analysts' own routes keep accepting them
    inc = make_incident(server, observables=[{"value": "0.0.0.0/0"}, {"value": "::/0"}])
    assert {o["value"] for o in inc["observables"]} == {"0.0.0.0/0", "::/0"}


def test_min_prefix_and_observable_cap_are_configurable(tmp_path):
    srv = start(tmp_path, "--intake-min-prefix-ipv4", "16", "--intake-min-prefix-ipv6", "48",
                "--intake-max-observables", "3")
    try:
        assert report(srv, observables=[{"value": "172.16.0.0/16"}]).status_code == 201
        r = report(srv, observables=[{"value": "172.16.0.0/15"}])
        assert r.status_code == 400 and r.json()["error"]["field"] == "/observables/0/value"
        assert report(srv, observables=[{"value": "2001:db8:1::/48"}]).status_code == 201
        r = report(srv, observables=[{"value": "2001:db8::/47"}])
        assert r.status_code == 400 and r.json()["error"]["field"] == "/observables/0/value"
        three = [{"value": f"192.0.2.{i}"} for i in range(3)]
        assert report(srv, observables=three).status_code == 201
        r = report(srv, observables=three + [{"value": "192.0.2.9"}])
        assert r.status_code == 400, r.text
        assert r.json()["error"]["field"] == "/observables"
        assert "at most 3" in r.json()["error"]["message"]
    finally:
        assert srv.stop()[0] == 0
    # bad values are usage errors naming the option
    for opt, val in [("--intake-min-prefix-ipv4", "33"), ("--intake-min-prefix-ipv6", "0"),
                     ("--intake-max-observables", "0"), ("--ratelimit-ipv6-prefix", "129"),
                     ("--report-global-rate", "x"), ("--trusted-proxy", "10.0.0.0/33"),
                     ("--trusted-proxy", "example.org")]:
        r = run("serve", "--db", db_arg(tmp_path / "u.db"), opt, val, check=False)
        assert r.returncode == 2, (opt, val, r.stderr)
        assert opt in r.stderr, r.stderr


def test_one_hundred_observables_accepted_one_hundred_and_one_refused(server):
    obs = [{"value": f"198.51.{i}.1"} for i in range(101)]
    r = report(server, observables=obs[:100])
    assert r.status_code == 201, r.text
    inc = server.get("/api/v1/incidents/" + r.json()["incident"]).json()
    assert len(inc["observables"]) == 100
    r = report(server, observables=obs)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["field"] == "/observables"
    assert "at most 100 observables (101 given)" in r.json()["error"]["message"]


# ------------------------------------------ item 5: rate limits per network, trusted proxies

def test_xff_is_ignored_without_trusted_proxy(tmp_path):
    srv = start(tmp_path, "--report-rate", "2")
    try:
        codes = [report(srv, xff=f"203.0.113.{i}", kind="individual").status_code
                 for i in range(3)]
        assert codes == [200, 200, 429], codes
        assert [c for c, _, _ in intake_log(srv)] == ["127.0.0.1", "127.0.0.1"]
    finally:
        assert srv.stop()[0] == 0


def test_ipv6_clients_share_a_bucket_per_64(tmp_path):
    srv = start(tmp_path, "--report-rate", "2", "--trusted-proxy", "127.0.0.1")
    try:
        def code(addr):
            return report(srv, xff=addr, kind="individual").status_code
        assert code("2001:db8:1:2::1") == 200
        assert code("2001:db8:1:2:aaaa:bbbb:cccc:dddd") == 200
        r = report(srv, xff="2001:db8:1:2::ffff", kind="individual")  # third of one /64
        assert r.status_code == 429 and r.json()["error"]["code"] == "rate_limited"
        assert int(r.headers["Retry-After"]) >= 1
        assert code("2001:db8:1:3::1") == 200  # the next /64 has its own bucket
        # IPv4 is per address by default
        assert [code("192.0.2.1") for _ in range(3)] == [200, 200, 429]
        assert code("192.0.2.2") == 200
        # the client recorded is the one X-Forwarded-For named, canonical
        clients = [c for c, _, _ in intake_log(srv)]
        assert clients[:2] == ["2001:db8:1:2::1", "2001:db8:1:2:aaaa:bbbb:cccc:dddd"]
        assert "192.0.2.2" in clients
    finally:
        assert srv.stop()[0] == 0


def test_ipv4_prefix_is_configurable_and_mapped_addresses_are_ipv4(tmp_path):
    srv = start(tmp_path, "--report-rate", "2", "--trusted-proxy", "127.0.0.0/8",
                "--ratelimit-ipv4-prefix", "24", "--ratelimit-ipv6-prefix", "48")
    try:
        def code(addr):
            return report(srv, xff=addr, kind="individual").status_code
        assert [code("192.0.2.1"), code("192.0.2.200")] == [200, 200]
        assert code("::ffff:192.0.2.77") == 429  # IPv4-mapped: the same /24
        assert code("192.0.3.1") == 200
        assert [code("2001:db8:1:2::1"), code("2001:db8:1:ffff::1")] == [200, 200]
        assert code("2001:db8:1:7::1") == 429  # one /48
        assert intake_log(srv)[-1][0] == "2001:db8:1:ffff::1"
    finally:
        assert srv.stop()[0] == 0


def raw_post(srv, headers):
    """One POST /api/v1/reports with header lines as given (repeated ones too)."""
    data = json.dumps(body(kind="individual")).encode()
    head = ["POST /api/v1/reports HTTP/1.1", "Host: x", "Content-Type: application/json",
            f"Content-Length: {len(data)}", "Connection: close", *headers]
    with socket.create_connection(("127.0.0.1", srv.port), timeout=30) as s:
        s.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + data)
        out = b""
        while chunk := s.recv(65536):
            out += chunk
    return int(out.split(b" ", 2)[1])


def test_spoofed_left_entries_are_ignored(tmp_path):
    srv = start(tmp_path, "--report-rate", "2", "--trusted-proxy", "127.0.0.1",
                "--trusted-proxy", "10.0.0.0/8")
    try:
        # the client is the right-most entry that is not a trusted proxy: what a client
        # writes on the left changes nothing, so it cannot pick a fresh bucket
        codes = [report(srv, xff=f"198.51.100.{i}, 203.0.113.5, 10.1.2.3",
                        kind="individual").status_code for i in range(3)]
        assert codes == [200, 200, 429], codes
        assert [c for c, _, _ in intake_log(srv)] == ["203.0.113.5", "203.0.113.5"]
        # two header lines (a proxy that adds its own): the last one's right-most entry wins
        assert raw_post(srv, ["X-Forwarded-For: 203.0.113.5",
                              "X-Forwarded-For: 198.51.100.200"]) == 200
        assert intake_log(srv)[-1][0] == "198.51.100.200"
        # a malformed entry stops the walk: the proxy that wrote it is the client
        for bad in ("garbage", "203.0.113.9:443", "[2001:db8::1]", "", "203.0.113.9,"):
            assert raw_post(srv, [f"X-Forwarded-For: {bad}"]) in (200, 429), bad
        assert [c for c, _, _ in intake_log(srv)][-2:] == ["127.0.0.1", "127.0.0.1"]
        # every hop trusted: the left-most one is the client
        assert report(srv, xff="10.9.9.9, 10.0.0.1", kind="individual").status_code == 200
        assert intake_log(srv)[-1][0] == "10.9.9.9"
    finally:
        assert srv.stop()[0] == 0


# ------------------------------------------------------------ item 5: global cap and queue

def test_global_cap_holds_reports_in_a_bounded_queue(tmp_path):
    srv = start(tmp_path, "--report-rate", "100000", "--report-global-rate", "2",
                "--report-queue-max", "3")
    try:
        first = [report(srv, email=f"r{i}@agency.example") for i in range(2)]
        assert [r.status_code for r in first] == [201, 201]
        held = [report(srv, email=f"h{i}@agency.example") for i in range(3)]
        assert [r.status_code for r in held] == [202, 202, 202], held[0].text
        assert [r.json()["decision"] for r in held] == ["queued"] * 3
        ids = [r.json()["queued"] for r in held]
        assert ids == sorted(ids) and len(set(ids)) == 3
        assert "incident" not in held[0].json()
        full = report(srv, email="full@agency.example")
        assert full.status_code == 503, full.text
        assert full.json()["error"]["code"] == "queue_full"
        assert int(full.headers["Retry-After"]) >= 1
        # redirects open no incident: the cap does not apply to them
        assert report(srv, kind="individual").status_code == 200
        assert len(srv.get("/api/v1/incidents").json()["items"]) == 2
        # analysts see the queue (readers may read it), oldest first
        reader = srv.token("rita", "reader")
        analyst = srv.token("anna", "analyst")
        q = srv.get("/api/v1/reports/queue", token=reader)
        assert q.status_code == 200, q.text
        items = q.json()["items"]
        assert [i["id"] for i in items] == ids and q.json()["next_cursor"] is None
        assert items[0]["report"]["reporter"]["email"] == "h0@agency.example"
        assert items[0]["client"] == "127.0.0.1" and items[0]["received"].endswith("Z")
        page = srv.get("/api/v1/reports/queue?limit=2", token=reader).json()
        assert [i["id"] for i in page["items"]] == ids[:2] and page["next_cursor"]
        rest = srv.get("/api/v1/reports/queue?limit=2&cursor=" + page["next_cursor"],
                       token=reader).json()
        assert [i["id"] for i in rest["items"]] == ids[2:]
        # accept: a reader may not; an analyst opens the incident, unverified
        path = f"/api/v1/reports/queue/{ids[0]}/accept"
        r = srv.post(path, token=reader)
        assert r.status_code == 403
        r = srv.post(path, token=analyst)
        assert r.status_code == 201, r.text
        assert r.json()["decision"] == "accepted" and r.json()["unverified"] is True
        assert r.headers["Location"] == "/api/v1/incidents/" + r.json()["incident"]
        inc = srv.get("/api/v1/incidents/" + r.json()["incident"]).json()
        assert inc["reporter"]["email"] == "h0@agency.example" and inc["unverified"] is True
        assert srv.post(path, token=analyst).status_code == 404  # gone from the queue
        # discard
        r = srv.req("DELETE", f"/api/v1/reports/queue/{ids[1]}", token=reader)
        assert r.status_code == 403
        r = srv.req("DELETE", f"/api/v1/reports/queue/{ids[1]}", token=analyst)
        assert r.status_code == 200 and r.json() == {"id": ids[1], "discarded": True}
        r = srv.req("DELETE", f"/api/v1/reports/queue/{ids[1]}", token=analyst)
        assert r.status_code == 404 and r.json()["error"]["field"] == "id"
        left = srv.get("/api/v1/reports/queue").json()["items"]
        assert [i["id"] for i in left] == [ids[2]]
        # room again in the queue
        assert report(srv, email="again@agency.example").status_code == 202
        assert len(srv.get("/api/v1/incidents").json()["items"]) == 3
        assert [d for _, d, _ in intake_log(srv)] == [
            "accepted", "accepted", "queued", "queued", "queued", "refused", "redirect",
            "accepted", "discarded", "queued"]
    finally:
        assert srv.stop()[0] == 0
