"""End-to-end tests of incident mail through the incident's life (issue 15): opened, status
changed, public note, each queued in the transaction of the change and written in each
contact's language (one message per language: French, English, or French then English for a
contact with none), through the TLP gate (RED never leaves). Checked on what the real SMTP
server (aiosmtpd, the `smtp` fixture) received and on GET /api/v1/outbox."""
from conftest import make_incident, make_org, run, web_login
from mailsink import env

FR, EN, BOTH = "fr@a.example", "en@a.example", "none@a.example"
CONTACTS = [{"name": "Fanny", "email": FR, "lang": "fr"},
            {"name": "Eddie", "email": EN, "lang": "en"},
            {"name": "Nina", "email": BOTH}]


def send(srv, smtp):
    return run("mail", "send", db=srv.db, env=env(VIGIE_SMTP_URL=smtp.url)).stdout.strip()


def outbox(srv):
    r = srv.get("/api/v1/outbox?limit=100")
    assert r.status_code == 200, r.text
    return r.json()["items"]


def delivered(srv, smtp):
    """Delivers what is queued; {recipient: (subject, text, html)} of what the server got."""
    before = len(smtp.got)
    n = len(outbox(srv)) - before
    assert send(srv, smtp) == f"sent {n} retried 0 failed 0"
    out = {}
    for (_, _, rcpts, _), m in list(zip(smtp.got, smtp.messages()))[before:]:
        assert len(rcpts) == 1, rcpts
        text = m.get_body(("plain",)).get_content().replace("\r\n", "\n")
        html = m.get_body(("html",)).get_content().replace("\r\n", "\n")
        out[rcpts[0]] = (m["Subject"], text, html)
    return out


def note(srv, ref, text, public=None):
    body = {"text": text} if public is None else {"text": text, "public": public}
    return srv.post(f"/api/v1/incidents/{ref}/notes", body)


def test_lifecycle_in_each_language(server, smtp):
    org = make_org(server, "Org A", contacts=CONTACTS)
    inc = make_incident(server, org=org["id"], tlp="AMBER", severity="high",
                        title="Hameçonnage <b>ciblé</b>")
    ref = inc["ref"]
    items = outbox(server)
    # one message per language group, in the creation's transaction, reference in the subject
    assert [(m["to"], m["kind"], m["object"]) for m in items] == [
        ([FR], "incident", ref), ([EN], "incident", ref), ([BOTH], "incident", ref)]
    got = delivered(server, smtp)
    assert set(got) == {FR, EN, BOTH}

    subject, text, html = got[FR]
    assert subject == f"[{ref}] [TLP:AMBER] Incident ouvert : Hameçonnage <b>ciblé</b>"
    assert text.startswith("TLP:AMBER\n\nBonjour,\n\n")
    assert f"Le CERT a ouvert l'incident {ref} qui concerne votre organisation." in text
    assert "Sévérité : élevée\n" in text and "Statut : nouveau\n" in text
    assert f"conservez la référence [{ref}] dans l'objet" in text
    assert "Hello" not in text and "The CERT" not in text
    assert '<html lang="fr">' in html and "Hameçonnage &lt;b&gt;ciblé&lt;/b&gt;" in html
    assert "<b>" not in html

    subject, text, html = got[EN]
    assert subject == f"[{ref}] [TLP:AMBER] Incident opened: Hameçonnage <b>ciblé</b>"
    assert text.startswith("TLP:AMBER\n\nHello,\n\n")
    assert f"The CERT opened incident {ref}, which concerns your organisation." in text
    assert "Severity: high\n" in text and "Status: new\n" in text
    assert "Bonjour" not in text and "Sévérité" not in text
    assert '<html lang="en">' in html and "<b>" not in html

    subject, text, html = got[BOTH]
    assert subject == (f"[{ref}] [TLP:AMBER] Incident ouvert / Incident opened: "
                       "Hameçonnage <b>ciblé</b>")
    assert text.startswith("TLP:AMBER\n\nBonjour,\n\n")
    assert text.index("Le CERT a ouvert") < text.index("The CERT opened")
    assert "Sévérité / Severity: élevée / high\n" in text
    assert "Statut / Status: nouveau / new\n" in text
    assert '<div lang="fr">' in html and '<div lang="en">' in html

    # a status change names both statuses, in each language
    r = server.patch(f"/api/v1/incidents/{ref}", {"status": "triage"})
    assert r.status_code == 200, r.text
    got = delivered(server, smtp)
    assert got[FR][0] == f"[{ref}] [TLP:AMBER] Changement de statut : Hameçonnage <b>ciblé</b>"
    assert ("Le statut de l'incident " + ref + " qui concerne votre organisation est passé de "
            "« nouveau » à « en tri ».") in got[FR][1]
    assert got[EN][0] == f"[{ref}] [TLP:AMBER] Status changed: Hameçonnage <b>ciblé</b>"
    assert f'changed from "new" to "triage".' in got[EN][1]
    assert "« nouveau » à « en tri »" in got[BOTH][1]
    assert 'from "new" to "triage"' in got[BOTH][1]
    assert "from &quot;new&quot; to &quot;triage&quot;" in got[BOTH][2]

    # a patch that leaves the status as it is sends nothing
    r = server.patch(f"/api/v1/incidents/{ref}", {"status": "triage", "severity": "critical"})
    assert r.status_code == 200, r.text
    assert len(outbox(server)) == 6

    # a public note carries its text, escaped in HTML; its control characters dropped
    body = "Bloquez 198.51.100.7.\nPuis <script>alert(1)</script> & redémarrez.\x1b[31m"
    r = note(server, ref, body, public=True)
    assert r.status_code == 201, r.text
    assert r.json()["detail"] == {"text": body, "public": True}
    got = delivered(server, smtp)
    clean = "Bloquez 198.51.100.7.\nPuis <script>alert(1)</script> & redémarrez.[31m"
    for rcpt, intro in ((FR, "Le CERT a ajouté l'information suivante"),
                        (EN, "The CERT added the following information"),
                        (BOTH, "The CERT added the following information")):
        subject, text, html = got[rcpt]
        assert subject.startswith(f"[{ref}] [TLP:AMBER] "), subject
        assert intro in text and f"----\n{clean}\n----\n" in text
        assert "\x1b" not in text and "\x1b" not in html
        assert "<script>" not in html
        assert ("Puis &lt;script&gt;alert(1)&lt;/script&gt; &amp; redémarrez." in html)
    assert got[FR][0].endswith("] Nouvelle information : Hameçonnage <b>ciblé</b>")
    assert got[EN][0].endswith("] New information: Hameçonnage <b>ciblé</b>")
    # the note in the timeline, public, as GET shows it
    tl = server.get(f"/api/v1/incidents/{ref}").json()["timeline"]
    notes = [t["detail"] for t in tl if t["action"] == "note"]
    assert notes == [{"text": body, "public": True}]


def test_internal_note_refused_move_and_red_send_nothing(server, smtp):
    org = make_org(server, "Org B", contacts=CONTACTS[:1])
    inc = make_incident(server, org=org["id"], tlp="GREEN")
    ref = inc["ref"]
    assert len(outbox(server)) == 1
    # an internal note (explicit or by default) never leaves
    assert note(server, ref, "internal, explicit", public=False).status_code == 201
    r = note(server, ref, "internal by default")
    assert r.status_code == 201 and r.json()["detail"] == {"text": "internal by default",
                                                           "public": False}
    # public must be a boolean
    r = note(server, ref, "x", public="yes")
    assert r.status_code == 400 and r.json()["error"]["field"] == "/public", r.text
    # a move the lifecycle refuses (new -> closed) is 409 and queues nothing
    r = server.patch(f"/api/v1/incidents/{ref}", {"status": "closed"})
    assert r.status_code == 409, r.text
    assert r.json()["error"]["allowed"] == ["triage", "rejected"]
    assert server.get(f"/api/v1/incidents/{ref}").json()["status"] == "new"
    # a note on an unknown incident is 404 and queues nothing
    assert note(server, "VIG-2026-999999", "nobody", public=True).status_code == 404
    assert len(outbox(server)) == 1
    tl = server.get(f"/api/v1/incidents/{ref}").json()["timeline"]
    assert [t["detail"]["public"] for t in tl if t["action"] == "note"] == [False, False]

    # TLP:RED: nothing on any event
    red = make_incident(server, org=org["id"], tlp="RED")["ref"]
    assert server.patch(f"/api/v1/incidents/{red}", {"status": "triage"}).status_code == 200
    assert note(server, red, "red note", public=True).status_code == 201
    # a status change that makes the incident RED sends nothing either
    assert server.patch(f"/api/v1/incidents/{ref}",
                        {"status": "triage", "tlp": "RED"}).status_code == 200
    assert [m["object"] for m in outbox(server)] == [ref]
    assert send(server, smtp) == "sent 1 retried 0 failed 0"
    assert [r for _, _, r, _ in smtp.got] == [[FR]]


def test_opted_out_contact_still_gets_incident_mail(server, smtp):
    org = make_org(server, "Org C", contacts=[
        {"name": "Out", "email": "out@c.example", "lang": "en", "optout": ["digest", "alert"]},
        {"name": "In", "email": "in@c.example", "lang": "en"}])
    other = make_org(server, "Org D", contacts=[{"name": "D", "email": "d@d.example"}])
    ref = make_incident(server, org=org["id"], tlp="AMBER+STRICT")["ref"]
    assert server.patch(f"/api/v1/incidents/{ref}", {"status": "rejected"}).status_code == 200
    items = outbox(server)
    # one English message each time, both contacts, nobody of the other organisation
    assert [m["to"] for m in items] == [["out@c.example", "in@c.example"]] * 2
    assert all("d@d.example" not in m["to"] for m in items)
    assert other["id"] != org["id"]
    assert send(server, smtp) == "sent 2 retried 0 failed 0"
    subjects = [m["Subject"] for m in smtp.messages()]
    assert subjects[0] == f"[{ref}] [TLP:AMBER+STRICT] Incident opened: t"
    assert subjects[1] == f"[{ref}] [TLP:AMBER+STRICT] Status changed: t"
    text = smtp.messages()[1].get_body(("plain",)).get_content()
    assert text.startswith("TLP:AMBER+STRICT") and 'from "new" to "rejected"' in text


def test_console_note_and_status(user_server, smtp):
    srv = user_server
    org = make_org(srv, "Org E", contacts=[{"name": "E", "email": "e@e.example", "lang": "fr"}])
    ref = make_incident(srv, org=org["id"], tlp="GREEN")["ref"]
    dana = web_login(srv, "dana", page="/console/incidents/" + ref)
    page = dana.get(dana.base + "/console/incidents/" + ref, timeout=60).text
    assert '<input type="checkbox" id="note-public" name="public">' in page

    def post(action, data):
        r = dana.post(f"{dana.base}/console/incidents/{ref}/{action}",
                      data={**data, "csrf": dana.csrf}, allow_redirects=False, timeout=60)
        assert r.status_code == 303, r.text[:2000]

    post("note", {"text": "internal from the console"})
    assert len(outbox(srv)) == 1
    post("note", {"text": "public from the console", "public": "on"})
    post("status", {"status": "triage"})
    items = outbox(srv)
    assert len(items) == 3 and all(m["to"] == ["e@e.example"] for m in items)
    assert "public from the console" in items[1]["text"]
    assert "« nouveau » à « en tri »" in items[2]["text"]
    notes = [t["detail"] for t in srv.get(f"/api/v1/incidents/{ref}").json()["timeline"]
             if t["action"] == "note"]
    assert notes == [{"text": "internal from the console", "public": False},
                     {"text": "public from the console", "public": True}]
    page = dana.get(dana.base + "/console/incidents/" + ref, timeout=60).text
    assert page.count("Public, ") == 1


def test_organisation_set_later_is_told_as_opened(server, smtp):
    a = make_org(server, "Org F", contacts=[{"name": "F", "email": "f@f.example", "lang": "fr"}])
    b = make_org(server, "Org G", contacts=[{"name": "G", "email": "g@g.example", "lang": "en"}])
    ref = make_incident(server, tlp="GREEN", title="from a report")["ref"]
    red = make_incident(server, tlp="RED")["ref"]
    assert outbox(server) == []
    # the organisation set by an analyst (a report's is only a claim): told as opened
    assert server.patch(f"/api/v1/incidents/{ref}", {"org": a["id"]}).status_code == 200
    # moved to another organisation with a new status: that one is told as opened, once
    r = server.patch(f"/api/v1/incidents/{ref}", {"org": b["id"], "status": "triage"})
    assert r.status_code == 200, r.text
    # no organisation any more, or a RED incident: nothing
    assert server.patch(f"/api/v1/incidents/{ref}", {"org": None}).status_code == 200
    assert server.patch(f"/api/v1/incidents/{red}", {"org": a["id"]}).status_code == 200
    items = outbox(server)
    assert [(m["to"], m["object"]) for m in items] == [(["f@f.example"], ref),
                                                         (["g@g.example"], ref)]
    assert items[0]["subject"] == f"[{ref}] [TLP:GREEN] Incident ouvert : from a report"
    assert items[1]["subject"] == f"[{ref}] [TLP:GREEN] Incident opened: from a report"
    assert "Status: triage\n" in items[1]["text"]
