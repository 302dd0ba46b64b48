"""End-to-end tests of outbound mail (issue 15): a real SMTP server (aiosmtpd) on 127.0.0.1
stores what it receives and can be told to answer 451 or 550; `vigie mail queue` fills the
outbox, `vigie mail send` delivers it, GET /api/v1/outbox shows each message's state. Checked
on what the server really received: recipients, headers, the subject with its reference, the
decoded bodies, one connection for several messages, retries, failures, and a sender killed
(-9) in the middle of a round that loses nothing."""
import signal
import subprocess
import time

from conftest import db_arg, BIN, Server, make_incident, make_org, run, wait_for
from mailsink import env


def queue(db, *to, subject="Test", text="body", html=None, ref=None, kind="incident"):
    args = ["mail", "queue", "--subject", subject, "--text", text, "--kind", kind]
    for t in to:
        args += ["--to", t]
    if html is not None:
        args += ["--html", html]
    if ref is not None:
        args += ["--ref", ref]
    return int(run(*args, db=db, env=env()).stdout)


def send(db, smtp_url, **kw):
    p = run("mail", "send", db=db, env=env(VIGIE_SMTP_URL=smtp_url, **kw))
    return p.stdout.strip()


def outbox(srv, state=None, limit=100):
    q = f"/api/v1/outbox?limit={limit}" + (f"&state={state}" if state else "")
    r = srv.get(q)
    assert r.status_code == 200, r.text
    return r.json()


def test_delivery_headers_bodies(server, smtp):
    db = server.db
    queue(db, "alice@example.org", "bob@example.net", subject="Incident ouvert : hameçonnage",
          text="Bonjour,\nun incident vous concerne.\nDétails ci-dessous.\n",
          html="<p>Bonjour,</p><p>Détails&nbsp;: <b>hameçonnage</b></p>", ref="VIG-2026-000042")
    # with no SMTP configured, the message waits
    p = run("mail", "send", db=db, env=env(VIGIE_SMTP_URL=""))
    assert p.stdout.strip() == "sent 0 retried 0 failed 0"
    assert "no SMTP server configured" in p.stderr
    assert [m["state"] for m in outbox(server)["items"]] == ["queued"]
    assert send(db, smtp.url) == "sent 1 retried 0 failed 0"
    assert len(smtp.got) == 1
    _, mail_from, rcpts, raw = smtp.got[0]
    assert mail_from == "cert@vigie.example"
    assert rcpts == ["alice@example.org", "bob@example.net"]
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert all(b < 0x80 for b in head)  # RFC 2047: no raw UTF-8 in the headers
    assert b"=?UTF-8?" in head
    m = smtp.messages()[0]
    assert m["Subject"] == "[VIG-2026-000042] Incident ouvert : hameçonnage"
    assert m["Auto-Submitted"] == "auto-generated"
    assert m["From"] == "CERT Vigie <cert@vigie.example>"
    assert m["To"] == "alice@example.org, bob@example.net"
    assert m["Date"] is not None
    assert m.get_content_type() == "multipart/alternative"
    text = m.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = m.get_body(("html",)).get_content().replace("\r\n", "\n")
    assert text == "Bonjour,\nun incident vous concerne.\nDétails ci-dessous.\n"
    assert html == "<p>Bonjour,</p><p>Détails&nbsp;: <b>hameçonnage</b></p>"
    item = outbox(server)["items"][0]
    assert item["state"] == "sent" and item["attempts"] == 1
    assert item["message_id"] == m["Message-ID"]
    assert item["message_id"].endswith("@vigie.example>")
    assert item["last_answer"] == "250 2.0.0 OK stored"
    assert item["to"] == ["alice@example.org", "bob@example.net"]
    assert item["kind"] == "incident" and item["object"] == "VIG-2026-000042"
    # nothing more is due: a second round sends nothing
    assert send(db, smtp.url) == "sent 0 retried 0 failed 0"
    assert len(smtp.got) == 1


def test_several_per_connection(server, smtp):
    for i in range(5):
        queue(server.db, f"c{i}@example.org", subject=f"m{i}")
    assert send(server.db, smtp.url) == "sent 5 retried 0 failed 0"
    peers = {peer for peer, _, _, _ in smtp.got}
    assert len(smtp.got) == 5 and len(peers) == 1, peers
    assert [m["Subject"] for m in smtp.messages()] == [f"m{i}" for i in range(5)]
    assert len({m["Message-ID"] for m in smtp.messages()}) == 5


def test_retry_after_451_then_sent(server, smtp):
    queue(server.db, "a@example.org", subject="retry me")
    smtp.answers = ["451 4.3.0 Try again later"]
    # a first delay of 4 s: the next round, at once, finds nothing due
    assert send(server.db, smtp.url, VIGIE_MAIL_BACKOFF="4") == "sent 0 retried 1 failed 0"
    item = outbox(server, "queued")["items"][0]
    assert item["attempts"] == 1 and item["last_answer"] == "451 4.3.0 Try again later"
    assert item["next_attempt"] > item["created"]
    # not due yet: nothing is tried
    assert send(server.db, smtp.url) == "sent 0 retried 0 failed 0"
    assert len(smtp.got) == 1
    time.sleep(3.5)
    wait_for(lambda: send(server.db, smtp.url) == "sent 1 retried 0 failed 0", timeout=6,
             interval=0.5, what="the retry")
    item = outbox(server, "sent")["items"][0]
    assert item["attempts"] == 2 and item["last_answer"] == "250 2.0.0 OK stored"
    # the same Message-ID on both attempts
    ids = [m["Message-ID"] for m in smtp.messages()]
    assert len(ids) == 2 and ids[0] == ids[1] == item["message_id"]


def test_server_down_then_backoff(server, smtp):
    queue(server.db, "a@example.org", subject="down")
    assert send(server.db, "smtp://127.0.0.1:1") == "sent 0 retried 1 failed 0"
    item = outbox(server, "queued")["items"][0]
    assert item["attempts"] == 1 and item["last_answer"] != ""
    time.sleep(1.2)
    assert send(server.db, "smtp://127.0.0.1:1") == "sent 0 retried 1 failed 0"
    item2 = outbox(server, "queued")["items"][0]
    assert item2["attempts"] == 2 and item2["next_attempt"] > item["next_attempt"]
    time.sleep(2.2)
    assert send(server.db, smtp.url) == "sent 1 retried 0 failed 0"


def test_550_failed_with_answer(server, smtp):
    queue(server.db, "gone@example.org", subject="refused")
    queue(server.db, "ok@example.org", subject="fine")
    smtp.answers = ["550 5.1.1 Mailbox unavailable"]
    assert send(server.db, smtp.url) == "sent 1 retried 0 failed 1"
    failed = outbox(server, "failed")["items"]
    assert [m["subject"] for m in failed] == ["refused"]
    assert failed[0]["last_answer"] == "550 5.1.1 Mailbox unavailable"
    assert [m["subject"] for m in outbox(server, "sent")["items"]] == ["fine"]
    assert outbox(server, "queued")["items"] == []
    # a failed message is never tried again
    time.sleep(1.1)
    assert send(server.db, smtp.url) == "sent 0 retried 0 failed 0"


def test_outbox_api_paging_roles(server, smtp):
    for i in range(3):
        queue(server.db, f"p{i}@example.org", subject=f"p{i}")
    first = outbox(server, limit=2)
    assert [m["subject"] for m in first["items"]] == ["p0", "p1"] and first["next_cursor"]
    r = server.get(f"/api/v1/outbox?limit=2&cursor={first['next_cursor']}")
    assert [m["subject"] for m in r.json()["items"]] == ["p2"]
    assert r.json()["next_cursor"] is None
    r = server.get("/api/v1/outbox?state=bogus")
    assert r.status_code == 400, r.text
    reader = server.token("rita", "reader")
    assert server.get("/api/v1/outbox", token=reader).status_code == 403
    analyst = server.token("ana", "analyst")
    assert server.get("/api/v1/outbox", token=analyst).status_code == 200
    assert server.get("/api/v1/outbox", token="").status_code == 401


def test_kill_9_mid_round_loses_nothing(server, smtp):
    n = 6
    for i in range(n):
        queue(server.db, f"k{i}@example.org", subject=f"k{i}")
    smtp.stall_at = 3  # the server holds the third message, stored but not yet answered
    p = subprocess.Popen([BIN, "mail", "send", "--db", db_arg(server.db)],
                         env=env(VIGIE_SMTP_URL=smtp.url), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    assert smtp.stalled.wait(20)
    p.send_signal(signal.SIGKILL)
    p.wait()
    smtp.stall_at = None
    smtp.stall.set()
    states = [m["state"] for m in outbox(server)["items"]]
    assert states[:2] == ["sent", "sent"] and "queued" in states
    # the claimed messages come back once their lease (2 s) is over
    time.sleep(2.2)
    wait_for(lambda: send(server.db, smtp.url).startswith("sent") and
             all(m["state"] == "sent" for m in outbox(server)["items"]),
             timeout=10, interval=0.5, what="every message sent")
    ids = [m["Message-ID"] for m in smtp.messages()]
    queued_ids = [m["message_id"] for m in outbox(server)["items"]]
    assert set(ids) == set(queued_ids) and len(queued_ids) == n
    # at most the message in flight at the kill came twice, with the same Message-ID
    dups = [i for i in set(ids) if ids.count(i) > 1]
    assert len(ids) - n == len(dups) <= 1
    if dups:
        assert smtp.messages()[2]["Message-ID"] == dups[0]


def test_incident_opened_mails_its_contacts_through_the_gate(server, smtp):
    a = make_org(server, "Org A", contacts=[{"name": "Jo", "email": "jo@a.example"},
                                            {"name": "Kim", "email": "kim@a.example"},
                                            {"name": "Jo again", "email": "jo@a.example"}])
    b = make_org(server, "Org B", contacts=[{"name": "Lee", "email": "lee@b.example"}])
    make_org(server, "Org C")  # no contact
    amber = make_incident(server, org=a["id"], tlp="AMBER",
                          title="Rançongiciel <script>alert(1)</script> & co")
    make_incident(server, org=a["id"], tlp="RED", title="red stays in")
    make_incident(server, tlp="GREEN", title="no organisation")
    green_b = make_incident(server, org=b["id"], tlp="GREEN", title="green for B")
    make_incident(server, org=3, tlp="CLEAR", title="org without contacts")
    items = outbox(server)["items"]
    assert [(m["object"], m["to"]) for m in items] == [
        (amber["ref"], ["jo@a.example", "kim@a.example"]),
        (green_b["ref"], ["lee@b.example"])]
    assert all(m["kind"] == "incident" and m["state"] == "queued" for m in items)
    assert send(server.db, smtp.url) == "sent 2 retried 0 failed 0"
    rcpts = [r for _, _, r, _ in smtp.got]
    assert rcpts == [["jo@a.example", "kim@a.example"], ["lee@b.example"]]
    m = smtp.messages()[0]
    assert m["Subject"] == (f"[{amber['ref']}] [TLP:AMBER] Incident ouvert / Incident opened: "
                            "Rançongiciel <script>alert(1)</script> & co")
    text = m.get_body(("plain",)).get_content()
    assert text.startswith("TLP:AMBER\n") or text.startswith("TLP:AMBER\r\n")
    assert f"Le CERT a ouvert l'incident {amber['ref']}" in text
    assert f"The CERT opened incident {amber['ref']}" in text
    assert "Rançongiciel <script>alert(1)</script> & co" in text
    html = m.get_body(("html",)).get_content()
    assert "<script>" not in html
    assert "Rançongiciel &lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    assert m["Auto-Submitted"] == "auto-generated"


def test_serve_sender_thread(tmp_path, smtp, monkeypatch):
    for k, v in env(VIGIE_SMTP_URL=smtp.url, VIGIE_MAIL_INTERVAL="1").items():
        monkeypatch.setenv(k, v)
    srv = Server(tmp_path / "serve.db")
    stopped = None
    try:
        org = make_org(srv, "Org S", contacts=[{"name": "Sam", "email": "sam@s.example"}])
        inc = make_incident(srv, org=org["id"], tlp="GREEN", title="served")
        wait_for(lambda: len(smtp.got) == 1, timeout=10, what="the sender thread's delivery")
        assert smtp.got[0][2] == ["sam@s.example"]
        assert smtp.messages()[0]["Subject"].startswith(f"[{inc['ref']}] ")
        wait_for(lambda: outbox(srv, "sent")["items"], timeout=5, what="marked sent")
        time.sleep(1.5)
        assert len(smtp.got) == 1  # sent once, not again at the next rounds
        stopped = srv.stop()
    finally:
        if stopped is None:
            srv.stop()
    rc, err = stopped
    assert rc == 0 and "mail:" not in err, err
