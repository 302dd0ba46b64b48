"""The crisis cell by mail (issue 15, "Done when"), checked on what a real SMTP server received
(the `smtp` fixture) after `vigie mail send`: a crisis opened and mobilised (a partner CERT, a
constituent's contact, a person); one roll-call mail per member, to that member only, in its
language, with its personal link; the links taken from the received mails and followed (once:
a second use refused); the one who did not answer pending, a re-send reaching only them (their
old link dead); a GREEN sitrep to all, an AMBER one withheld by the TLP gate from whom it must
(with the reason in the answer and the log), a RED one refused and not sent; the scheduled
reminder to the cell once per period (`vigie crisis tick --now`); the closing review naming the
roll-calls and sitreps from the log."""
import re
from datetime import datetime, timedelta, timezone

import pytest

from conftest import Server, make_incident, make_org, run
from mailsink import env

PUBLIC = "https://cert.example.org"
LINK = re.compile(re.escape(PUBLIC) + r"/ack/([0-9a-f]{64})")


@pytest.fixture
def srv(tmp_path, monkeypatch):
    monkeypatch.setenv("VIGIE_PUBLIC_URL", PUBLIC + "/")  # the trailing slash is dropped
    monkeypatch.delenv("VIGIE_SMTP_URL", raising=False)
    s = Server(tmp_path / "vigie.db", extra=["--report-rate", "100000"])
    yield s
    rc, err = s.stop()
    assert rc == 0, err[-3000:]


def ok(r, status=200):
    assert r.status_code == status, r.text
    return r.json()


def err(r, status, code, field):
    assert r.status_code == status, (r.status_code, r.text)
    e = r.json()["error"]
    assert (e["code"], e.get("field")) == (code, field), r.text
    return e


def deliver(srv, smtp, n):
    """Delivers the outbox; returns the n messages the server got in this round."""
    before = len(smtp.got)
    p = run("mail", "send", db=srv.db, env=env(VIGIE_SMTP_URL=smtp.url))
    assert p.stdout.strip() == f"sent {n} retried 0 failed 0", p.stdout + p.stderr
    assert len(smtp.got) == before + n
    return [(rcpts, m) for (_, _, rcpts, _), m in zip(smtp.got[before:],
                                                      smtp.messages()[before:])]


def parts(m):
    """The decoded text and HTML parts of a message."""
    text = m.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = m.get_body(("html",)).get_content().replace("\r\n", "\n")
    return text, html


def by_rcpt(got):
    out = {}
    for rcpts, m in got:
        assert len(rcpts) == 1 and m["To"] == rcpts[0]  # one message per member
        out[rcpts[0]] = m
    return out


def tick(srv, at):
    p = run("crisis", "tick", "--now", at.strftime("%Y-%m-%dT%H:%M:%SZ"), db=srv.db,
            env=env())
    return p.stdout.strip()


def test_done_when(srv, smtp):
    org = make_org(srv, "CHU Nord")
    other = make_org(srv, "Mairie")
    partner = ok(srv.post("/api/v1/partners",
                          {"name": "CERT-EU", "country": "BE", "max_tlp": "GREEN"}), 201)
    inc = make_incident(srv, title="CHU Nord encrypted", org=org["id"])
    c = ok(srv.post("/api/v1/crises", {"title": "Rançongiciel <hôpitaux>", "level": "major",
                                       "incidents": [inc["ref"]]}), 201)
    cid = c["id"]
    members = [
        {"kind": "partner", "name": "CERT-EU duty", "email": "duty@cert-eu.example",
         "role": "liaison", "partner_id": partner["id"], "lang": "en"},
        {"kind": "contact", "name": "CHU Nord SOC", "email": "soc@chu-nord.example",
         "role": "technical", "org_id": org["id"], "lang": "fr"},
        {"kind": "person", "name": "Préfet de zone", "email": "prefet@interieur.example",
         "role": "authority"},
    ]
    ids = {}
    for m in members:
        got = ok(srv.post(f"/api/v1/crises/{cid}/members", m), 201)
        assert got["lang"] == m.get("lang", "") and got["id"] > 0
        ids[m["email"]] = got["id"]
    person = ok(srv.get(f"/api/v1/crises/{cid}"))["members"][2]
    assert (person["max_tlp"], "partner_id" in person, "org_id" in person) == \
        ("GREEN", False, False)

    # the roll-call: one mail per member, the token only in it
    r = srv.post(f"/api/v1/crises/{cid}/rollcall")
    rc = ok(r, 201)
    assert (rc["rollcall"], rc["members"], rc["resent"]) == (1, 3, False)
    assert not re.search(r"[0-9a-f]{64}", r.text)
    assert [x["email"] for x in rc["called"]] == [m["email"] for m in members]
    mails = by_rcpt(deliver(srv, smtp, 3))
    assert set(mails) == {m["email"] for m in members}
    subjects = {k: m["Subject"] for k, m in mails.items()}
    assert subjects == {
        "duty@cert-eu.example": "Crisis roll-call: Rançongiciel <hôpitaux> [major]",
        "soc@chu-nord.example": "Mobilisation de crise: Rançongiciel <hôpitaux> [major]",
        "prefet@interieur.example":
            "Mobilisation de crise / Crisis roll-call: Rançongiciel <hôpitaux> [major]"}
    tokens = {}
    for rcpt, m in mails.items():
        text, html = parts(m)
        assert m["Auto-Submitted"] == "auto-generated"
        found = set(LINK.findall(text))  # once per language
        assert len(found) == 1 and set(LINK.findall(html)) == found
        tokens[rcpt] = found.pop()
        assert "admin" in text and "major" in text  # who called, the level
        assert "&lt;hôpitaux&gt;" in html and "<hôpitaux>" not in html  # escaped
    assert ("Confirm that you are there" in parts(mails["duty@cert-eu.example"])[0]) and \
        "Confirmez" not in parts(mails["duty@cert-eu.example"])[0]
    assert "Confirmez votre présence" in parts(mails["soc@chu-nord.example"])[0] and \
        "Confirm that" not in parts(mails["soc@chu-nord.example"])[0]
    both = parts(mails["prefet@interieur.example"])[0]
    assert "Confirmez votre présence" in both and "Confirm that you are there" in both
    assert len(set(tokens.values())) == 3

    # two follow their link, from the mail; a second use is refused
    for rcpt in ("duty@cert-eu.example", "soc@chu-nord.example"):
        a = srv.get(f"/ack/{tokens[rcpt]}", token="")
        assert a.status_code == 200 and a.text.startswith("Acknowledged at "), a.text
        assert srv.get(f"/ack/{tokens[rcpt]}", token="").status_code == 410
    p = ok(srv.get(f"/api/v1/crises/{cid}/rollcall?after_minutes=0"))
    assert [m["email"] for m in p["pending"]] == ["prefet@interieur.example"]
    assert sorted(m["email"] for m in p["acknowledged"]) == \
        ["duty@cert-eu.example", "soc@chu-nord.example"]

    # the re-send reaches only the one who did not answer, with a new link; the old one is dead
    rs = ok(srv.post(f"/api/v1/crises/{cid}/rollcall", {"pending_only": True}), 201)
    assert (rs["rollcall"], rs["members"], rs["resent"]) == (1, 1, True)
    assert [x["email"] for x in rs["called"]] == ["prefet@interieur.example"]
    (rcpts, m), = deliver(srv, smtp, 1)
    assert rcpts == ["prefet@interieur.example"]
    new = sorted(set(LINK.findall(parts(m)[0])))
    assert len(new) == 1 and new[0] != tokens["prefet@interieur.example"]
    assert srv.get(f"/ack/{tokens['prefet@interieur.example']}", token="").status_code == 404
    assert srv.get(f"/ack/{new[0]}", token="").status_code == 200
    p = ok(srv.get(f"/api/v1/crises/{cid}/rollcall?after_minutes=0"))
    assert (p["rollcall"], p["pending"], len(p["acknowledged"])) == (1, [], 3)
    err(srv.post(f"/api/v1/crises/{cid}/rollcall", {"pending_only": True}), 409, "conflict",
        "pending")

    # a GREEN sitrep: everybody gets it, its TLP first, the Markdown rendered and escaped
    body = "# Situation\n\n**3** hospitals hit. <script>alert(1)</script>\n\n- VPN patched\n"
    s1 = ok(srv.post(f"/api/v1/crises/{cid}/sitreps",
                     {"title": "Point 1", "body": body, "tlp": "GREEN"}), 201)
    sent = ok(srv.post(f"/api/v1/crises/{cid}/sitreps/{s1['number']}/send"))
    assert (sent["number"], sent["version"], sent["tlp"]) == (1, 1, "GREEN")
    assert [x["email"] for x in sent["sent"]] == [m["email"] for m in members], sent
    assert sent["withheld"] == []
    mails = by_rcpt(deliver(srv, smtp, 3))
    assert mails["duty@cert-eu.example"]["Subject"] == \
        "TLP:GREEN Sitrep 1 v1: Point 1 (Rançongiciel <hôpitaux>)"
    assert mails["soc@chu-nord.example"]["Subject"] == \
        "TLP:GREEN Point de situation 1 v1: Point 1 (Rançongiciel <hôpitaux>)"
    for m in mails.values():
        text, html = parts(m)
        assert text.startswith("TLP:GREEN\n\n") and text.endswith("\nTLP:GREEN\n")
        assert ": Rançongiciel <hôpitaux> [major]\nPoint 1\n\n" + body in text
        assert html.index("TLP:GREEN") < html.index("<h1>")
        assert "<strong>3</strong>" in html and "<li>VPN patched</li>" in html
        assert "<script>" not in html

    # an AMBER sitrep (a second version of sitrep 2): the gate withholds it from the partner
    # (its max_tlp is GREEN) and the person (GREEN by default); the contact of the
    # organisation the crisis's incident concerns gets it
    ok(srv.post(f"/api/v1/crises/{cid}/sitreps", {"title": "Point 2", "body": "draft"}), 201)
    s2 = ok(srv.post(f"/api/v1/crises/{cid}/sitreps",
                     {"number": 2, "title": "Point 2", "body": "Attacker: *APT-X*.",
                      "tlp": "AMBER"}), 201)
    assert (s2["number"], s2["version"]) == (2, 2)
    sent = ok(srv.post(f"/api/v1/crises/{cid}/sitreps/2/send", {}))
    assert (sent["version"], sent["tlp"]) == (2, "AMBER")
    assert [x["email"] for x in sent["sent"]] == ["soc@chu-nord.example"]
    assert [(x["email"], x["reason"]) for x in sent["withheld"]] == [
        ("duty@cert-eu.example", "above the partner's max_tlp"),
        ("prefet@interieur.example", "above the person's max_tlp")]
    (rcpts, m), = deliver(srv, smtp, 1)
    assert rcpts == ["soc@chu-nord.example"] and m["Subject"].startswith("TLP:AMBER ")
    assert "Attacker: *APT-X*." in parts(m)[0] and "<em>APT-X</em>" in parts(m)[1]
    # version 1 of it may be sent on its own; a version or a sitrep that does not exist is not
    v1 = ok(srv.post(f"/api/v1/crises/{cid}/sitreps/2/send", {"version": 1}))
    assert (v1["version"], v1["tlp"], len(v1["sent"])) == (1, "AMBER", 1)
    deliver(srv, smtp, 1)
    err(srv.post(f"/api/v1/crises/{cid}/sitreps/2/send", {"version": 3}), 404, "not_found",
        "/version")
    err(srv.post(f"/api/v1/crises/{cid}/sitreps/9/send"), 404, "not_found", "number")
    err(srv.post(f"/api/v1/crises/{cid}/sitreps/x/send"), 404, "not_found", "number")
    err(srv.post(f"/api/v1/crises/{cid}/sitreps/2/send", {"version": 0}), 400, "invalid",
        "/version")
    err(srv.post(f"/api/v1/crises/{cid}/sitreps/2/send", {"to": "all"}), 400, "invalid", "/to")

    # a RED sitrep is refused: nothing queued, nothing logged
    log_before = len(ok(srv.get(f"/api/v1/crises/{cid}"))["log"])
    s3 = ok(srv.post(f"/api/v1/crises/{cid}/sitreps",
                     {"title": "Point 3", "body": "names", "tlp": "RED"}), 201)
    e = err(srv.post(f"/api/v1/crises/{cid}/sitreps/{s3['number']}/send"), 409, "conflict",
            "tlp")
    assert "TLP:RED" in e["message"]
    deliver(srv, smtp, 0)
    assert len(ok(srv.get(f"/api/v1/crises/{cid}"))["log"]) == log_before
    # a contact whose organisation the crisis does not concern: withheld from AMBER
    ok(srv.post(f"/api/v1/crises/{cid}/members",
                {"kind": "contact", "name": "Mairie DSI", "email": "dsi@mairie.example",
                 "org_id": other["id"]}), 201)
    sent = ok(srv.post(f"/api/v1/crises/{cid}/sitreps/2/send"))
    assert [x["email"] for x in sent["sent"]] == ["soc@chu-nord.example"]
    assert ("dsi@mairie.example",
            "the contact's organisation is not concerned by the crisis's incidents") in \
        [(x["email"], x["reason"]) for x in sent["withheld"]]
    deliver(srv, smtp, 1)

    # the scheduled reminder: to the cell (role "cell") once per period
    ok(srv.post(f"/api/v1/crises/{cid}/members",
                {"kind": "person", "name": "Duty analyst", "email": "cell@cert.example",
                 "role": "cell", "max_tlp": "AMBER", "lang": "en"}), 201)
    got = ok(srv.patch(f"/api/v1/crises/{cid}", {"sitrep_every_hours": 2}))
    assert (got["sitrep_every_hours"], got["reminded"]) == (2, None)
    last = max(s["at"] for s in got["sitreps"])
    t0 = datetime.strptime(last[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    assert tick(srv, t0 + timedelta(minutes=119)) == "scheduled 1 reminders 0 messages 0"
    assert tick(srv, t0 + timedelta(minutes=120)) == "scheduled 1 reminders 1 messages 1"
    assert tick(srv, t0 + timedelta(minutes=200)) == "scheduled 1 reminders 0 messages 0"
    assert tick(srv, t0 + timedelta(minutes=240)) == "scheduled 1 reminders 1 messages 1"
    got = ok(srv.get(f"/api/v1/crises/{cid}"))
    assert got["reminded"] == (t0 + timedelta(minutes=240)).strftime("%Y-%m-%dT%H:%M:%SZ")
    reminders = deliver(srv, smtp, 2)
    assert [r for r, _ in reminders] == [["cell@cert.example"]] * 2
    assert reminders[0][1]["Subject"] == "Sitrep due: Rançongiciel <hôpitaux>"
    assert "every 2 h" in parts(reminders[0][1])[0]
    # a crisis without schedule, or closed, is not reminded
    ok(srv.patch(f"/api/v1/crises/{cid}", {"sitrep_every_hours": 0}))
    assert tick(srv, t0 + timedelta(days=3)) == "scheduled 0 reminders 0 messages 0"
    ok(srv.patch(f"/api/v1/crises/{cid}", {"sitrep_every_hours": 1}))

    # the log says each roll-call, sitrep sent and reminder; the review carries them
    log = [(e["author"], e["text"]) for e in got["log"]]
    assert log[0] == ("admin", "Roll-call 1 sent by mail to 3 member(s): CERT-EU duty "
                      "<duty@cert-eu.example>, CHU Nord SOC <soc@chu-nord.example>, "
                      "Préfet de zone <prefet@interieur.example>")
    assert log[1] == ("admin", "Roll-call 1 re-sent (unanswered only) by mail to 1 member(s): "
                      "Préfet de zone <prefet@interieur.example>")
    assert log[3] == ("admin", "Sitrep 2 v2 [TLP:AMBER] sent by mail to 1 member(s): CHU Nord "
                      "SOC <soc@chu-nord.example>; withheld from 2: CERT-EU duty "
                      "<duty@cert-eu.example> (above the partner's max_tlp), Préfet de zone "
                      "<prefet@interieur.example> (above the person's max_tlp)")
    assert [a for a, t in log if t.startswith("Sitrep reminder")] == ["system", "system"]
    closed = ok(srv.post(f"/api/v1/crises/{cid}/close",
                         {"summary": "Four hospitals hit; contained.", "actions": ["Drill"]}))
    assert tick(srv, t0 + timedelta(days=9)) == "scheduled 0 reminders 0 messages 0"
    review = closed["review"]
    for needle in ("log (admin): Roll-call 1 sent by mail to 3 member(s)",
                   "log (admin): Roll-call 1 re-sent (unanswered only)",
                   "log (admin): Sitrep 1 v1 [TLP:GREEN] sent by mail to 3 member(s)",
                   "log (admin): Sitrep 2 v2 [TLP:AMBER] sent by mail to 1 member(s)",
                   "log (system): Sitrep reminder (one every 2 h",
                   "sitrep 3 v1 [TLP:RED] (admin): Point 3"):
        assert needle in review, needle
    err(srv.post(f"/api/v1/crises/{cid}/sitreps/1/send"), 409, "conflict", "state")
    err(srv.post(f"/api/v1/crises/{cid}/rollcall", {"pending_only": True}), 409, "conflict",
        "state")


def test_many_members_log_names_fifty(srv):
    """A roll-call of 60 members queues 60 messages; its log entry names 50 and counts the
    rest (an entry stays readable, and fits, whatever the list's length)."""
    cid = ok(srv.post("/api/v1/crises", {"title": "Large"}), 201)["id"]
    for i in range(60):
        ok(srv.post(f"/api/v1/crises/{cid}/members",
                    {"kind": "person", "name": f"P{i:02}", "email": f"p{i:02}@x.example"}), 201)
    rc = ok(srv.post(f"/api/v1/crises/{cid}/rollcall"), 201)
    assert (rc["members"], len(rc["called"])) == (60, 60)
    box = srv.get("/api/v1/outbox?limit=100").json()["items"]
    assert sorted(m["to"][0] for m in box if m["kind"] == "crisis") == \
        [f"p{i:02}@x.example" for i in range(60)]
    assert all(m["object"] == f"crisis:{cid}" for m in box if m["kind"] == "crisis")
    # the outbox's listing never shows an acknowledgement token (a bearer secret)
    crisis_mail = [m for m in box if m["kind"] == "crisis"]
    assert all("/ack/(hidden)" in m["text"] and "/ack/(hidden)" in m["html"]
               for m in crisis_mail), crisis_mail[0]["text"]
    assert not any(re.search(r"/ack/[0-9a-f]{64}", m["text"] + m["html"]) for m in crisis_mail)
    text = ok(srv.get(f"/api/v1/crises/{cid}"))["log"][0]["text"]
    assert text.startswith("Roll-call 1 sent by mail to 60 member(s): P00 <p00@x.example>, ")
    assert len(text) < 2000
    assert text.endswith(", P49 <p49@x.example> and 10 more") and "P50" not in text


def test_resend_needs_a_rollcall_and_roles(srv, smtp):
    cid = ok(srv.post("/api/v1/crises", {"title": "t"}), 201)["id"]
    err(srv.post(f"/api/v1/crises/{cid}/rollcall", {"pending_only": True}), 409, "conflict",
        "rollcall")
    ok(srv.post(f"/api/v1/crises/{cid}/members",
                {"kind": "person", "name": "P", "email": "p@x.example"}), 201)
    ok(srv.post(f"/api/v1/crises/{cid}/sitreps", {"title": "s", "body": "b", "tlp": "CLEAR"}),
       201)
    reader = srv.token("rita", "reader")
    for path in (f"/api/v1/crises/{cid}/rollcall", f"/api/v1/crises/{cid}/sitreps/1/send"):
        err(srv.post(path, token=reader), 403, "forbidden", None)
    err(srv.post("/api/v1/crises/999/sitreps/1/send"), 404, "not_found", "id")
    deliver(srv, smtp, 0)
    # the largest sitrep (over the Markdown renderer's 64 KiB: in a <pre>), all of it escaped
    # in the HTML, still goes
    body = '"<&' * (256 * 1024 // 3)
    ok(srv.post(f"/api/v1/crises/{cid}/sitreps", {"title": "big", "body": body, "tlp": "GREEN"}),
       201)
    sent = ok(srv.post(f"/api/v1/crises/{cid}/sitreps/2/send"))
    assert [x["email"] for x in sent["sent"]] == ["p@x.example"]
    (rcpts, m), = deliver(srv, smtp, 1)
    text, html = parts(m)
    assert body in text and "<pre>" + "&quot;&lt;&amp;" * 1000 in html and '"<&' not in html
    assert tick(srv, datetime.now(timezone.utc)) == "scheduled 0 reminders 0 messages 0"
    p = run("crisis", "tick", "--now", "yesterday", db=srv.db, check=False)
    assert p.returncode == 2 and "--now" in p.stderr
    p = run("crisis", "frobnicate", check=False)
    assert p.returncode == 2 and "frobnicate" in p.stderr
