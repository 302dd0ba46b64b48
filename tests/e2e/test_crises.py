"""The crisis cell (issue 15) through its API: a crisis opened, its members mobilised, a roll-call
whose links (read here from the outbox; tests/e2e/test_crisis_mail.py follows them from the
mail a real SMTP server received) are each used once (a second use refused, an unknown one said so without naming a
member), who has not answered after N minutes, two sitreps (one with a second version), the log,
the closing with its review checked line by line as Markdown, the roles (a reader reads and is
refused every write), the audit of every write, and each refusal of bad input with its JSON
pointer."""
import hashlib
import json
import re

import pytest

from conftest import connect, make_incident, make_org

ACK = re.compile(r"^/ack/[0-9a-f]{64}$")


def err(r, status, code, field):
    assert r.status_code == status, (r.status_code, r.text)
    e = r.json()["error"]
    assert (e["code"], e.get("field")) == (code, field), r.text
    return e


def crisis(srv, **extra):
    body = {"title": "Ransomware wave on hospitals"}
    body.update(extra)
    r = srv.post("/api/v1/crises", body)
    assert r.status_code == 201, r.text
    assert r.headers["Location"] == f"/api/v1/crises/{r.json()['id']}"
    return r.json()


MEMBERS = [
    {"kind": "partner", "name": "CERT-EU", "email": "duty@cert.europa.example", "role": "liaison"},
    {"kind": "person", "name": "Préfet de zone", "email": "prefet@interieur.example",
     "role": "authority"},
    {"kind": "contact", "name": "CHU Nord SOC", "email": "soc@chu-nord.example",
     "role": "technical"},
]


def linked(srv):
    """MEMBERS with what the TLP gate needs: the partner's partner_id, the contact's org_id."""
    p = srv.post("/api/v1/partners", {"name": "CERT-EU", "country": "BE", "max_tlp": "AMBER"})
    assert p.status_code == 201, p.text
    o = make_org(srv, "CHU Nord")
    return [{**MEMBERS[0], "partner_id": p.json()["id"]}, MEMBERS[1],
            {**MEMBERS[2], "org_id": o["id"]}]


def ack_links(srv):
    """The acknowledgement link of each recipient's latest crisis mail, read from the outbox's
    table (the API need not show the links: test_crisis_mail.py takes them from the mail)."""
    db = connect(srv.db)
    try:
        rows = db.execute("SELECT recipients, body_text FROM outbox WHERE kind = 'crisis' "
                          "ORDER BY id").fetchall()
    finally:
        db.close()
    out = {}
    for to, text in rows:
        found = re.search(r"/ack/[0-9a-f]{64}", text)
        if found:
            out[json.loads(to)[0]] = found.group(0)
    return out


def mobilise(srv, cid):
    out = []
    for m in linked(srv):
        r = srv.post(f"/api/v1/crises/{cid}/members", m)
        assert r.status_code == 201, r.text
        got = r.json()
        assert {k: got[k] for k in m} == m and got["id"] > 0
        out.append(got)
    return out


def test_done_when(server):
    inc = make_incident(server, title="CHU Nord encrypted")
    c = crisis(server, level="major", incidents=[inc["ref"]])
    assert (c["level"], c["state"], c["closed"], c["incidents"]) == \
        ("major", "open", None, [inc["ref"]])
    assert c["members"] == [] and c["log"] == [] and c["sitreps"] == [] and c["review"] is None
    cid = c["id"]
    members = mobilise(server, cid)

    # the roll-call: one link per member, in its mail only (never in the answer)
    r = server.post(f"/api/v1/crises/{cid}/rollcall")
    assert r.status_code == 201, r.text
    rc = r.json()
    assert (rc["rollcall"], rc["members"], rc["resent"]) == (1, 3, False)
    assert "links" not in rc and not re.search(r"[0-9a-f]{64}", r.text)
    assert [c["member_id"] for c in rc["called"]] == [m["id"] for m in members]
    links = ack_links(server)
    assert set(links) == {m["email"] for m in MEMBERS}
    assert all(ACK.match(l) for l in links.values()) and len(set(links.values())) == 3
    # the crisis tables keep the tokens' SHA-256 only (the token itself lives in the queued
    # message until it is delivered: docs/SECURITY.md)
    db = connect(server.db)
    try:
        hashes = {bytes(h) for (h,) in db.execute("SELECT hash FROM crisis_ack")}
        tables = [str(row) for t in ("crisis", "crisis_member", "crisis_log", "crisis_ack")
                  for row in db.execute(f"SELECT * FROM {t}")]
    finally:
        db.close()
    for link in links.values():
        token = link[len("/ack/"):]
        assert not any(token in row for row in tables)
        assert hashlib.sha256(token.encode()).digest() in hashes

    # nobody has answered; after 60 minutes nobody is late yet
    p = server.get(f"/api/v1/crises/{cid}/rollcall?after_minutes=0").json()
    assert (p["rollcall"], p["after_minutes"], p["sent"]) == (1, 0, rc["sent"])
    assert [m["email"] for m in p["pending"]] == [m["email"] for m in MEMBERS]
    assert p["acknowledged"] == []
    p = server.get(f"/api/v1/crises/{cid}/rollcall?after_minutes=60").json()
    assert p["pending"] == [] and p["acknowledged"] == []

    # a link checker's HEAD does not use a link
    h = server.req("HEAD", links["duty@cert.europa.example"], token="")
    assert (h.status_code, h.headers["Allow"]) == (405, "GET")
    # two of three acknowledge, without a token, each link once
    for email in ("duty@cert.europa.example", "soc@chu-nord.example"):
        a = server.get(links[email], token="")
        assert a.status_code == 200, a.text
        assert a.headers["Content-Type"].startswith("text/plain")
        assert re.fullmatch(r"Acknowledged at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z\. Thank you\.\n",
                            a.text), a.text
        again = server.get(links[email], token="")
        assert (again.status_code, again.text) == (410, "This link was already used.\n")
    for bad in ("/ack/" + "0" * 64, "/ack/" + "A" * 64, "/ack/short", "/ack/" + "0" * 65):
        u = server.get(bad, token="")
        assert (u.status_code, u.text) == (404, "This link is not valid.\n"), bad
    p = server.get(f"/api/v1/crises/{cid}/rollcall?after_minutes=0").json()
    assert [m["email"] for m in p["pending"]] == ["prefet@interieur.example"]
    assert sorted(m["email"] for m in p["acknowledged"]) == \
        ["duty@cert.europa.example", "soc@chu-nord.example"]
    assert all(m["acked"] >= rc["sent"] for m in p["acknowledged"])

    # a second roll-call: fresh links; the first ones stay used
    r2 = server.post(f"/api/v1/crises/{cid}/rollcall").json()
    assert r2["rollcall"] == 2 and not set(ack_links(server).values()) & set(links.values())
    p = server.get(f"/api/v1/crises/{cid}/rollcall").json()
    assert p["rollcall"] == 2 and len(p["pending"]) == 3 and p["acknowledged"] == []
    assert server.get(links["duty@cert.europa.example"], token="").status_code == 410

    # the log and two sitreps, the first in two versions
    e = server.post(f"/api/v1/crises/{cid}/log", {"text": "Cell opened\nat the CERT"})
    assert e.status_code == 201, e.text
    assert (e.json()["author"], e.json()["text"]) == ("admin", "Cell opened\nat the CERT")
    s1 = server.post(f"/api/v1/crises/{cid}/sitreps",
                     {"title": "Sitrep 1", "body": "# Situation\n\n3 hospitals hit.",
                      "tlp": "amber"})
    assert s1.status_code == 201, s1.text
    assert {k: s1.json()[k] for k in ("number", "version", "tlp", "author")} == \
        {"number": 1, "version": 1, "tlp": "AMBER", "author": "admin"}
    s1b = server.post(f"/api/v1/crises/{cid}/sitreps",
                      {"number": 1, "title": "Sitrep 1", "body": "4 hospitals hit.",
                       "tlp": "GREEN"}).json()
    assert (s1b["number"], s1b["version"], s1b["tlp"]) == (1, 2, "GREEN")
    s2 = server.post(f"/api/v1/crises/{cid}/sitreps",
                     {"title": "Sitrep 2", "body": "Contained."}).json()
    assert (s2["number"], s2["version"], s2["tlp"]) == (2, 1, "AMBER")
    err(server.post(f"/api/v1/crises/{cid}/sitreps", {"number": 3, "title": "x", "body": "y"}),
        404, "not_found", "/number")
    got = server.get(f"/api/v1/crises/{cid}").json()
    assert [(s["number"], s["version"]) for s in got["sitreps"]] == [(1, 1), (1, 2), (2, 1)]
    assert [s["body"] for s in got["sitreps"]] == \
        ["# Situation\n\n3 hospitals hit.", "4 hospitals hit.", "Contained."]

    # no review before the closing
    err(server.get(f"/api/v1/crises/{cid}/review.md"), 409, "conflict", "state")

    # closing with the review
    r = server.post(f"/api/v1/crises/{cid}/close",
                    {"summary": "A ransomware wave hit four hospitals.",
                     "actions": ["Patch the VPN gateways", "Exercise the cell twice a year"]})
    assert r.status_code == 200, r.text
    closed = r.json()
    assert closed["state"] == "closed" and closed["closed"] >= c["opened"]
    timeline = server.get(f"/api/v1/incidents/{inc['ref']}").json()["timeline"]
    lines = [(e["at"], 0, i, f"log (admin): {e['text']}".replace("\n", " "))
             for i, e in enumerate(closed["log"])]
    assert [e["text"].split(":")[0] for e in closed["log"]] == \
        ["Roll-call 1 sent by mail to 3 member(s)", "Roll-call 2 sent by mail to 3 member(s)",
         "Cell opened\nat the CERT"]
    lines += [(s["at"], 1, i, f"sitrep {s['number']} v{s['version']} [TLP:{s['tlp']}] "
               f"(admin): {s['title']}") for i, s in enumerate(closed["sitreps"])]
    lines += [(t["at"], 2, i, f"incident {inc['ref']} {t['action']} ({t['actor']})")
              for i, t in enumerate(timeline)]
    lines.sort()
    expected = (
        "# Crisis review: Ransomware wave on hospitals\n\n"
        f"- Level: major\n- Opened: {c['opened']}\n- Closed: {closed['closed']}\n"
        f"- Incidents: {inc['ref']}\n- Members: 3\n\n"
        "## What happened\n\nA ransomware wave hit four hospitals.\n\n## Timeline\n\n"
        + "".join(f"- {at} {text}\n" for at, _, _, text in lines)
        + "\n## Actions\n\n- [ ] Patch the VPN gateways\n- [ ] Exercise the cell twice a year\n")
    md = server.get(f"/api/v1/crises/{cid}/review.md")
    assert md.status_code == 200 and md.headers["Content-Type"].startswith("text/markdown")
    assert md.text == expected
    assert closed["review"] == expected
    assert len(lines) == 3 + 3 + len(timeline) and len(timeline) >= 1

    # a closed crisis changes no more
    for path, body in (("close", {"summary": "again"}), ("log", {"text": "late"}),
                       ("members", MEMBERS[1]), ("rollcall", None),
                       ("sitreps", {"title": "x", "body": "y"})):
        err(server.post(f"/api/v1/crises/{cid}/{path}", body), 409, "conflict", "state")
    err(server.patch(f"/api/v1/crises/{cid}", {"level": "watch"}), 409, "conflict", "state")

    # every write audited
    actions = [a["action"] for a in server.get("/api/v1/audit?limit=200").json()["items"]]
    for a, n in (("crisis.create", 1), ("crisis.member.add", 3), ("crisis.rollcall", 2),
                 ("crisis.ack", 2), ("crisis.log", 3), ("crisis.sitrep", 3),
                 ("crisis.close", 1)):
        assert actions.count(a) == n, (a, actions)


def test_list_get_patch(server):
    a = crisis(server)
    assert a["level"] == "crisis"
    b = crisis(server, title="Second", level="watch")
    items = server.get("/api/v1/crises").json()["items"]
    assert [(i["id"], i["title"], i["level"], i["state"]) for i in items] == \
        [(b["id"], "Second", "watch", "open"), (a["id"], "Ransomware wave on hospitals",
                                               "crisis", "open")]
    page = server.get("/api/v1/crises?limit=1").json()
    assert [i["id"] for i in page["items"]] == [b["id"]] and page["next_cursor"]
    page2 = server.get(f"/api/v1/crises?limit=1&cursor={page['next_cursor']}").json()
    assert [i["id"] for i in page2["items"]] == [a["id"]] and page2["next_cursor"] is None
    inc = make_incident(server)
    r = server.patch(f"/api/v1/crises/{a['id']}", {"level": "alert", "incidents": [inc["ref"]]})
    assert r.status_code == 200, r.text
    assert (r.json()["level"], r.json()["title"], r.json()["incidents"]) == \
        ("alert", "Ransomware wave on hospitals", [inc["ref"]])
    err(server.get("/api/v1/crises/999"), 404, "not_found", "id")
    err(server.patch("/api/v1/crises/999", {"level": "alert"}), 404, "not_found", "id")
    err(server.post("/api/v1/crises/999/log", {"text": "x"}), 404, "not_found", "id")
    err(server.post(f"/api/v1/crises/{a['id']}/rollcall"), 409, "conflict", "members")
    p = server.get(f"/api/v1/crises/{a['id']}/rollcall").json()
    assert (p["rollcall"], p["sent"], p["pending"]) == (0, None, [])


@pytest.mark.parametrize("body,status,code,field", [
    ({}, 400, "invalid", "/title"),
    ({"title": ""}, 400, "invalid", "/title"),
    ({"title": "   "}, 400, "invalid", "/title"),
    ({"title": 3}, 400, "invalid", "/title"),
    ({"title": "x" * 513}, 400, "too_large", "/title"),
    ({"title": "t", "level": "severe"}, 400, "invalid", "/level"),
    ({"title": "t", "level": "CRISIS"}, 400, "invalid", "/level"),
    ({"title": "t", "incidents": "VIG-1"}, 400, "invalid", "/incidents"),
    ({"title": "t", "incidents": ["VIG-2026-000001"]}, 400, "invalid", "/incidents/0"),
    ({"title": "t", "incidents": ["ok-lower"]}, 400, "invalid", "/incidents/0"),
    ({"title": "t", "incidents": ["X"] * 101}, 400, "too_large", "/incidents"),
    ({"title": "t", "owner": "me"}, 400, "invalid", "/owner"),
])
def test_bad_crisis(server, body, status, code, field):
    err(server.post("/api/v1/crises", body), status, code, field)


def test_bad_parts(server):
    cid = crisis(server)["id"]
    m = dict(linked(server)[0])
    for patch, field in (({"kind": "cert"}, "/kind"), ({"role": "boss"}, "/role"),
                         ({"email": "no-at-sign"}, "/email"), ({"email": "a@b@c"}, "/email"),
                         ({"email": "a b@c"}, "/email"), ({"name": ""}, "/name"),
                         ({"lang": "de"}, "/lang"), ({"partner_id": 0}, "/partner_id"),
                         ({"partner_id": "1"}, "/partner_id"), ({"partner_id": 999},
                                                                 "/partner_id"),
                         ({"org_id": 1}, "/org_id"), ({"max_tlp": "GREEN"}, "/max_tlp")):
        err(server.post(f"/api/v1/crises/{cid}/members", {**m, **patch}), 400, "invalid", field)
    no_link = {k: v for k, v in m.items() if k != "partner_id"}
    err(server.post(f"/api/v1/crises/{cid}/members", no_link), 400, "invalid", "/partner_id")
    contact = {**MEMBERS[2], "org_id": 999}
    err(server.post(f"/api/v1/crises/{cid}/members", contact), 400, "invalid", "/org_id")
    err(server.post(f"/api/v1/crises/{cid}/members", MEMBERS[2]), 400, "invalid", "/org_id")
    for bad in ("RED", "AMBER+STRICT", "PINK", 1):
        err(server.post(f"/api/v1/crises/{cid}/members", {**MEMBERS[1], "max_tlp": bad}), 400,
            "invalid", "/max_tlp")
    no_role = {k: v for k, v in MEMBERS[1].items() if k != "role"}
    assert server.post(f"/api/v1/crises/{cid}/members", no_role).json()["role"] == "other"
    assert server.post(f"/api/v1/crises/{cid}/members", m).status_code == 201
    err(server.post(f"/api/v1/crises/{cid}/members", {**m, "name": "Another"}), 409, "exists",
        "/email")
    err(server.post(f"/api/v1/crises/{cid}/log", {}), 400, "invalid", "/text")
    err(server.post(f"/api/v1/crises/{cid}/log", {"text": "x" * 65537}), 400, "too_large",
        "/text")
    assert server.post(f"/api/v1/crises/{cid}/log", {"text": "x" * 65536}).status_code == 201
    err(server.post(f"/api/v1/crises/{cid}/sitreps", {"title": "t", "body": "b", "tlp": "PINK"}),
        400, "invalid", "/tlp")
    err(server.post(f"/api/v1/crises/{cid}/sitreps", {"title": "t", "body": "b", "number": 0}),
        400, "invalid", "/number")
    err(server.post(f"/api/v1/crises/{cid}/sitreps", {"title": "t"}), 400, "invalid", "/body")
    err(server.post(f"/api/v1/crises/{cid}/close", {"summary": "s", "actions": ["ok", 2]}),
        400, "invalid", "/actions/1")
    err(server.post(f"/api/v1/crises/{cid}/close", {"actions": []}), 400, "invalid", "/summary")
    for bad in (-1, 721, "2", 1.5, None):
        err(server.patch(f"/api/v1/crises/{cid}", {"sitrep_every_hours": bad}), 400, "invalid",
            "/sitrep_every_hours")
    for body in ({"pending_only": 1}, {"pending_only": True, "x": 1}, ["x"]):
        err(server.post(f"/api/v1/crises/{cid}/rollcall", body), 400, "invalid",
            "/pending_only" if "pending_only" in body and len(body) == 1 else
            ("/x" if isinstance(body, dict) else None))
    e = err(server.patch(f"/api/v1/crises/{cid}", {}), 400, "invalid", None)
    assert e["message"] == "the patch changes nothing"
    for q in ("-1", "10081", "x", "1.5"):
        err(server.get(f"/api/v1/crises/{cid}/rollcall?after_minutes={q}"), 400, "invalid",
            "after_minutes")
    assert server.get(f"/api/v1/crises/{cid}/rollcall?after_minutes=10080").status_code == 200
    # nothing refused was stored
    got = server.get(f"/api/v1/crises/{cid}").json()
    assert (len(got["members"]), len(got["log"]), got["sitreps"], got["state"]) == \
        (2, 1, [], "open")


def test_roles(server):
    cid = crisis(server)["id"]
    reader = server.token("rita", "reader")
    analyst = server.token("ana", "analyst")
    assert server.get("/api/v1/crises", token=reader).status_code == 200
    assert server.get(f"/api/v1/crises/{cid}", token=reader).status_code == 200
    assert server.get(f"/api/v1/crises/{cid}/rollcall", token=reader).status_code == 200
    for method, path, body in (("POST", "/api/v1/crises", {"title": "t"}),
                               ("PATCH", f"/api/v1/crises/{cid}", {"level": "watch"}),
                               ("POST", f"/api/v1/crises/{cid}/log", {"text": "x"}),
                               ("POST", f"/api/v1/crises/{cid}/members", MEMBERS[0]),
                               ("POST", f"/api/v1/crises/{cid}/rollcall", None),
                               ("POST", f"/api/v1/crises/{cid}/sitreps",
                                {"title": "t", "body": "b"}),
                               ("POST", f"/api/v1/crises/{cid}/close", {"summary": "s"})):
        err(server.req(method, path, token=reader, json=body), 403, "forbidden", None)
    for path in ("/api/v1/crises", f"/api/v1/crises/{cid}"):
        assert server.get(path, token="").status_code == 401
    r = server.post(f"/api/v1/crises/{cid}/log", {"text": "by the analyst"}, token=analyst)
    assert r.status_code == 201 and r.json()["author"] == "ana"
    assert server.get(f"/api/v1/crises/{cid}", token=reader).json()["state"] == "open"
