"""Incidents: creation, RSIT classification, lifecycle, timeline, audit, notes, observables,
playbook steps and list filters."""
import re

from conftest import connect, make_incident, make_org


def test_create_and_get(server):
    org = make_org(server, "CHU", kind="ose")
    inc = make_incident(server, title="Ransomware", description="files encrypted",
                        severity="critical", tlp="RED", pap="GREEN", org=org["id"],
                        reporter={"name": "Ana", "email": "ana@chu.example"},
                        occurred="2026-11-28T10:00:00+01:00")
    assert re.fullmatch(r"VIG-\d{4}-000001", inc["ref"])
    assert inc["status"] == "new" and inc["tlp"] == "RED" and inc["pap"] == "GREEN"
    assert inc["org"] == org["id"] and inc["org_name"] == "CHU"
    assert inc["occurred"] == "2026-11-28T09:00:00Z"
    assert inc["timeline"][0]["action"] == "created"
    got = server.get("/api/v1/incidents/" + inc["ref"]).json()
    assert got["title"] == "Ransomware" and got["severity"] == "critical"


def test_creation_answers_what_get_gives(server):
    """The creation's answer is built from what was written, not read back: it must be the
    incident exactly as GET shows it, whatever the body holds."""
    org = make_org(server, "Mairie de Lyon", kind="local-authority")
    bodies = [
        {},
        {"title": "Phishing wave", "description": "mails to staff", "org": org["id"],
         "class": "fraud", "type": "phishing", "severity": "high", "tlp": "AMBER+STRICT",
         "pap": "RED", "reporter": {"name": "Zoé", "email": "zoe@lyon.example", "phone": "+33 1"},
         "occurred": "2026-11-28T10:00:00+01:00", "assignee": "admin"},
        {"title": "dup", "observables": [
            {"value": "HTTP://Evil.Example:80/a"}, {"value": "10.1.2.3"}, {"value": "10.1.2.3"},
            {"value": "2001:DB8::1"}, {"value": "evil.example", "type": "domain-name"},
            {"value": "D41D8CD98F00B204E9800998ECF8427E"}, {"value": "Bob@Evil.Example"}]},
    ]
    for body in bodies:
        made = make_incident(server, **body)
        got = server.get("/api/v1/incidents/" + made["ref"]).json()
        assert made == got


def test_defaults(server):
    inc = make_incident(server)
    assert (inc["severity"], inc["tlp"], inc["pap"]) == ("medium", "AMBER", "AMBER")
    second = make_incident(server)
    assert int(second["ref"][-6:]) == int(inc["ref"][-6:]) + 1


def test_rsit_classification_is_enforced(server):
    for cls, typ, ok in [("malicious-code", "infected-system", True),
                         ("intrusions", "system-compromise", True),
                         ("fraud", "phishing", True),
                         ("availability", "ddos", True),
                         ("malicious-code", "phishing", False),
                         ("malware", "infected-system", False),
                         ("fraud", "", False)]:
        r = server.post("/api/v1/incidents", {"title": "x", "class": cls, "type": typ})
        assert (r.status_code == 201) == ok, (cls, typ, r.text)
        if not ok:
            assert r.json()["error"]["field"] in ("/class", "/type")
    tax = server.get("/api/v1/taxonomy").json()
    classes = {c["class"]: c["types"] for c in tax["classes"]}
    assert "infected-system" in classes["malicious-code"]
    assert len(classes) == 11


def test_incident_validation(server):
    cases = [({"class": "fraud", "type": "phishing"}, "/title"),
             ({"title": "t", "class": "fraud", "type": "phishing", "severity": "urgent"},
              "/severity"),
             ({"title": "t", "class": "fraud", "type": "phishing", "tlp": "WHITE"}, "/tlp"),
             ({"title": "t", "class": "fraud", "type": "phishing", "pap": "AMBER+STRICT"},
              "/pap"),
             ({"title": "t", "class": "fraud", "type": "phishing", "org": 999}, "/org"),
             ({"title": "t", "class": "fraud", "type": "phishing", "org": "x"}, "/org"),
             ({"title": "t", "class": "fraud", "type": "phishing", "status": "closed"},
              "/status"),
             ({"title": "t", "class": "fraud", "type": "phishing", "occurred": "yesterday"},
              "/occurred"),
             ({"title": "t", "class": "fraud", "type": "phishing",
               "observables": [{"value": "1.2.3.4"}, {"value": "???"}]},
              "/observables/1/value"),
             ({"title": "t", "class": "fraud", "type": "phishing",
               "observables": [{"value": "1.2.3.4", "type": "md5"}]},
              "/observables/0/value"),
             ({"title": "t", "class": "fraud", "type": "phishing",
               "observables": [{"value": "x", "type": "mutex"}]},
              "/observables/0/type")]
    for body, field in cases:
        r = server.post("/api/v1/incidents", body)
        assert r.status_code == 400, (body, r.text)
        assert r.json()["error"]["field"] == field, (body, r.json())
    assert server.get("/api/v1/incidents").json()["items"] == []


LIFE = ["triage", "analysis", "containment", "eradication", "recovery", "closed"]


def test_full_lifecycle_and_timeline(server):
    inc = make_incident(server)
    ref = inc["ref"]
    for st in LIFE:
        r = server.patch("/api/v1/incidents/" + ref, {"status": st})
        assert r.status_code == 200, r.text
        assert r.json()["status"] == st
    r = server.patch("/api/v1/incidents/" + ref, {"status": "triage"})  # reopen
    assert r.status_code == 200
    tl = r.json()["timeline"]
    moves = [(e["detail"]["from"], e["detail"]["to"]) for e in tl if e["action"] == "status"]
    assert moves == list(zip(["new"] + LIFE, LIFE + ["triage"]))
    assert all(e["actor"] == "admin" for e in tl)


def test_illegal_transition_is_409_with_allowed(server):
    ref = make_incident(server)["ref"]
    r = server.patch("/api/v1/incidents/" + ref, {"status": "recovery"})
    assert r.status_code == 409
    err = r.json()["error"]
    assert err["code"] == "conflict" and sorted(err["allowed"]) == ["rejected", "triage"]
    assert server.get("/api/v1/incidents/" + ref).json()["status"] == "new"
    assert server.patch("/api/v1/incidents/" + ref, {"status": "rejected"}).status_code == 200
    r = server.patch("/api/v1/incidents/" + ref, {"status": "closed"})
    assert r.status_code == 409 and r.json()["error"]["allowed"] == ["triage"]


def test_update_fields_recorded_in_timeline_and_audit(server):
    server.token("alice", "analyst")
    ref = make_incident(server)["ref"]
    r = server.patch("/api/v1/incidents/" + ref,
                     {"severity": "high", "assignee": "alice", "class": "intrusions",
                      "type": "system-compromise"})
    assert r.status_code == 200, r.text
    upd = [e for e in r.json()["timeline"] if e["action"] == "update"][-1]
    assert upd["detail"]["severity"] == {"from": "medium", "to": "high"}
    assert upd["detail"]["assignee"] == {"from": None, "to": "alice"}
    r = server.patch("/api/v1/incidents/" + ref, {"assignee": "nobody"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "/assignee"
    r = server.patch("/api/v1/incidents/" + ref, {"type": "phishing"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "/type"
    r = server.patch("/api/v1/incidents/" + ref, {"title": 5})
    assert r.status_code == 400
    audit = server.get("/api/v1/audit").json()["items"]
    actions = [a["action"] for a in audit if a["object"] == ref]
    assert actions == ["incident.update", "incident.create"]


def test_notes(server):
    ref = make_incident(server)["ref"]
    r = server.post(f"/api/v1/incidents/{ref}/notes", {"text": "called the CISO"})
    assert r.status_code == 201
    tl = server.get("/api/v1/incidents/" + ref).json()["timeline"]
    assert tl[-1]["action"] == "note" and tl[-1]["detail"]["text"] == "called the CISO"
    assert server.post(f"/api/v1/incidents/{ref}/notes", {"text": ""}).status_code == 400
    assert server.post(f"/api/v1/incidents/{ref}/notes", {"txt": "a"}).status_code == 400
    assert server.post("/api/v1/incidents/VIG-1-1/notes", {"text": "a"}).status_code == 404


OBSERVABLES = [
    ("192.0.2.1", "ipv4-addr", "192.0.2.1"),
    ("192.0.2.77/24", "ipv4-addr", "192.0.2.0/24"),
    ("10.0.0.1/32", "ipv4-addr", "10.0.0.1"),
    ("2001:DB8:0:0:0:0:0:1", "ipv6-addr", "2001:db8::1"),
    ("2001:db8::1234/32", "ipv6-addr", "2001:db8::/32"),
    ("::ffff:1.2.3.4", "ipv6-addr", "::ffff:1.2.3.4"),
    ("Evil.EXAMPLE.", "domain-name", "evil.example"),
    ("xn--bcher-kva.example", "domain-name", "xn--bcher-kva.example"),
    ("HTTP://User:pw@Evil.Example:80/Path?q=1#frag", "url", "http://evil.example/Path?q=1"),
    ("https://evil.example:443", "url", "https://evil.example/"),
    ("https://evil.example:8443/a", "url", "https://evil.example:8443/a"),
    ("http://[2001:DB8::1]:8080/x", "url", "http://[2001:db8::1]:8080/x"),
    ("Bad.Guy@Evil.Example", "email-addr", "bad.guy@evil.example"),
    ("44D88612FEA8A8F36DE82E1278ABB02F", "md5", "44d88612fea8a8f36de82e1278abb02f"),
    ("3395856CE81F2B7382DEE72602F798B642F14140", "sha1",
     "3395856ce81f2b7382dee72602f798b642f14140"),
    ("275A021BBFB6489E54D471899F7DB9D1663FC695EC2FE2A2C4538AABF651FD0F", "sha256",
     "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"),
]


def test_observable_detection_and_normalisation(server):
    ref = make_incident(server)["ref"]
    for raw, typ, norm in OBSERVABLES:
        r = server.post(f"/api/v1/incidents/{ref}/observables", {"value": raw})
        assert r.status_code == 201, (raw, r.text)
        assert (r.json()["type"], r.json()["value"]) == (typ, norm), raw
    obs = server.get("/api/v1/incidents/" + ref).json()["observables"]
    assert [(o["type"], o["value"]) for o in obs] == [(t, n) for _, t, n in OBSERVABLES]
    # the same observable again is not duplicated
    r = server.post(f"/api/v1/incidents/{ref}/observables", {"value": "EVIL.example"})
    assert r.status_code == 200 and r.json()["created"] is False
    # explicit types are checked
    r = server.post(f"/api/v1/incidents/{ref}/observables", {"value": "evil.example",
                                                             "type": "ipv4-addr"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "/value"
    r = server.post(f"/api/v1/incidents/{ref}/observables", {"value": "not detectable"})
    assert r.status_code == 400 and "type" in r.json()["error"]["message"]


def test_duplicate_observables_on_creation_are_stored_once(server):
    inc = make_incident(server, ["Evil.Example", "evil.example.", "1.2.3.4", "1.2.3.4/32"])
    assert [(o["type"], o["value"]) for o in inc["observables"]] == [
        ("domain-name", "evil.example"), ("ipv4-addr", "1.2.3.4")]


def test_playbook_steps(server):
    inc = make_incident(server)
    steps = inc["steps"]
    assert len(steps) >= 4 and all(s["done"] is False for s in steps)
    assert {s["phase"] for s in steps} >= {"containment", "eradication", "recovery"}
    sid = steps[0]["id"]
    r = server.patch(f"/api/v1/incidents/{inc['ref']}/steps/{sid}", {"done": True})
    assert r.status_code == 200 and r.json()["done"] is True and r.json()["done_by"] == "admin"
    got = server.get("/api/v1/incidents/" + inc["ref"]).json()
    assert [s["done"] for s in got["steps"]][0] is True
    assert got["timeline"][-1]["action"] == "step"
    assert server.patch(f"/api/v1/incidents/{inc['ref']}/steps/nope",
                        {"done": True}).status_code == 404
    assert server.patch(f"/api/v1/incidents/{inc['ref']}/steps/{sid}",
                        {"done": "yes"}).status_code == 400


def test_playbooks_are_editable(server):
    pbs = server.get("/api/v1/playbooks").json()["items"]
    assert len(pbs) == 11
    before = make_incident(server, **{"class": "fraud", "type": "phishing"})
    assert [s["id"] for s in before["steps"]] != ["call-soc"]
    new = [{"id": "call-soc", "phase": "containment", "title": "Call the SOC"}]
    r = server.req("PUT", "/api/v1/playbooks/fraud", json={"steps": new})
    assert r.status_code == 200, r.text
    inc = make_incident(server, **{"class": "fraud", "type": "phishing"})
    assert [s["id"] for s in inc["steps"]] == ["call-soc"]
    bad = [{"id": "a", "phase": "party", "title": "x"}]
    r = server.req("PUT", "/api/v1/playbooks/fraud", json={"steps": bad})
    assert r.status_code == 400 and r.json()["error"]["field"] == "/steps/0/phase"
    r = server.req("PUT", "/api/v1/playbooks/fraud", json={})
    assert r.status_code == 400 and r.json()["error"]["field"] == "/steps"
    assert server.req("PUT", "/api/v1/playbooks/nope", json={"steps": new}).status_code == 404
    reader = server.token("r", "reader")
    assert server.req("PUT", "/api/v1/playbooks/fraud", json={"steps": new},
                      token=reader).status_code == 403


def test_list_filters_and_pagination(server):
    org = make_org(server, "O")
    make_incident(server, severity="low")
    make_incident(server, severity="high", org=org["id"])
    make_incident(server, **{"class": "fraud", "type": "phishing", "tlp": "GREEN"})
    ref = make_incident(server)["ref"]
    server.patch("/api/v1/incidents/" + ref, {"status": "triage"})

    def refs(q):
        r = server.get("/api/v1/incidents" + q)
        assert r.status_code == 200, r.text
        return len(r.json()["items"])

    assert refs("") == 4
    assert refs("?severity=high") == 1
    assert refs(f"?org={org['id']}") == 1
    assert refs("?class=fraud") == 1
    assert refs("?tlp=GREEN") == 1
    assert refs("?status=triage") == 1
    assert refs("?status=new&severity=low") == 1
    for bad in ("?status=open", "?class=nope", "?org=x", "?tlp=WHITE", "?limit=-1"):
        assert server.get("/api/v1/incidents" + bad).status_code == 400, bad
    page1 = server.get("/api/v1/incidents?limit=3").json()
    page2 = server.get("/api/v1/incidents?limit=3&cursor=" + page1["next_cursor"]).json()
    assert len(page1["items"]) == 3 and len(page2["items"]) == 1 and page2["next_cursor"] is None
    allrefs = [i["ref"] for i in page1["items"] + page2["items"]]
    assert allrefs == sorted(allrefs, reverse=True)


def test_readers_cannot_write(server):
    reader = server.token("r", "reader")
    ref = make_incident(server)["ref"]
    body = {"title": "t", "class": "fraud", "type": "phishing"}
    assert server.post("/api/v1/incidents", body, token=reader).status_code == 403
    assert server.patch("/api/v1/incidents/" + ref, {"status": "triage"},
                        token=reader).status_code == 403
    assert server.post(f"/api/v1/incidents/{ref}/notes", {"text": "x"},
                       token=reader).status_code == 403
    assert server.get("/api/v1/incidents/" + ref, token=reader).status_code == 200
    analyst = server.token("a", "analyst")
    assert server.post("/api/v1/incidents", body, token=analyst).status_code == 201


def test_reference_prefix_is_configurable(tmp_path):
    from conftest import Server
    srv = Server(tmp_path / "p.db", extra=["--ref-prefix", "CERTFR"])
    try:
        ref = make_incident(srv)["ref"]
        assert re.fullmatch(r"CERTFR-\d{4}-000001", ref)
    finally:
        assert srv.stop()[0] == 0


def test_playbook_changed_by_another_process_is_used_at_once(server):
    """Playbooks are cached by the server; a change written by another connection must
    show in the next incident."""
    first = make_incident(server, **{"class": "fraud", "type": "phishing"})
    db = connect(server.db)
    db.execute("""UPDATE playbook SET steps = '[{"id":"x1","title":"Check","phase":"analysis"}]'
                  WHERE class = 'fraud'""")
    db.commit()
    db.close()
    second = make_incident(server, **{"class": "fraud", "type": "phishing"})
    assert [s["id"] for s in first["steps"]] != ["x1"]
    assert [s["id"] for s in second["steps"]] == ["x1"]
    got = server.get("/api/v1/incidents/" + first["ref"]).json()
    assert [s["id"] for s in got["steps"]] == ["x1"]


def _pages(server, query, limit=2):
    """Every ref of GET /api/v1/incidents?query, page by page (limit per page)."""
    refs, cursor = [], None
    for _ in range(100):
        url = f"/api/v1/incidents?limit={limit}&{query}" + (f"&cursor={cursor}" if cursor else "")
        r = server.get(url)
        assert r.status_code == 200, r.text
        body = r.json()
        assert len(body["items"]) <= limit
        refs += [i["ref"] for i in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return refs
    raise AssertionError("the pages did not end")


def test_list_assignee_filter_and_sorts(server):
    for name in ("ann", "bob"):
        assert server.post("/api/v1/users", {"name": name, "role": "analyst",
                                             "password": "a long password"}).status_code == 201
    sevs = ["low", "critical", "medium", "high", "critical", "low", "high"]
    incs = [make_incident(server, title=f"i{k}", severity=s) for k, s in enumerate(sevs)]
    refs = [i["ref"] for i in incs]
    # assign: 0 and 3 to ann, 5 to bob; then touch 1 so that it is the last updated
    for k, who in ((0, "ann"), (3, "ann"), (5, "bob")):
        r = server.patch("/api/v1/incidents/" + refs[k], {"assignee": who})
        assert r.status_code == 200 and r.json()["assignee"] == who
    assert server.patch("/api/v1/incidents/" + refs[1], {"title": "touched"}).status_code == 200

    got = _pages(server, "assignee=ann")
    assert got == [refs[3], refs[0]]
    got = _pages(server, "assignee=bob")
    assert got == [refs[5]]
    got = _pages(server, "assignee=none")
    assert got == [refs[6], refs[4], refs[2], refs[1]]
    got = _pages(server, "assignee=nobody")
    assert got == []
    got = _pages(server, "assignee=ann&sort=oldest")
    assert got == [refs[0], refs[3]]

    assert _pages(server, "sort=newest") == refs[::-1]
    assert _pages(server, "") == refs[::-1]
    assert _pages(server, "sort=oldest") == refs
    # last updated first: 1 (touched last), then 5, 3, 0 (assigned in that order: 5 last), then
    # the others newest first (created in order, each after the one before)
    assert _pages(server, "sort=updated") == [refs[1], refs[5], refs[3], refs[0], refs[6],
                                                   refs[4], refs[2]]
    # most severe first, ties newest first
    assert _pages(server, "sort=severity") == [refs[4], refs[1], refs[6], refs[3], refs[2],
                                                    refs[5], refs[0]]
    assert _pages(server, "sort=severity&assignee=none") == [refs[4], refs[1], refs[6],
                                                                 refs[2]]

    for q, field, msg in (
            ("sort=random", "sort", "sort must be one of: newest, oldest, updated, severity"),
            ("assignee=", "assignee", "assignee must be a user name or none (unassigned)"),
            ("sort=updated&cursor=c5", "cursor", "cursor is not one this server gave")):
        r = server.get("/api/v1/incidents?" + q)
        assert r.status_code == 400, q
        assert r.json()["error"] == {"code": "invalid", "field": field, "message": msg}
    # a cursor of one order is refused by another
    r = server.get("/api/v1/incidents?limit=2&sort=updated").json()
    assert r["next_cursor"].startswith("u")
    bad = server.get("/api/v1/incidents?sort=severity&cursor=" + r["next_cursor"])
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "cursor"
