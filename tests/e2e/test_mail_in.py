"""End-to-end tests of inbound mail (issue 15): real-world-shaped messages (multipart
alternative and mixed, quoted-printable, base64, ISO-8859-1, attachments, defanged
observables, X-ARF reports of ../shared/corpus/xarf) through `vigie mail ingest` on standard
input and from a Maildir, against a real server and a real SMTP server: outcome, incidents and
their observables, replies threaded into a timeline, duplicates, quarantine with the message
kept byte for byte, the answer to an ineligible sender delivered, none to a machine."""
import hashlib
import json
import os
import shutil
import subprocess
from email.message import EmailMessage

from conftest import db_arg, unopenable, BIN, CORPUS, make_incident, make_org, need_corpus, run
from mailsink import env

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "mailin")
XARF = os.path.join(CORPUS, "xarf", "samples", "positive")


def sample(name):
    with open(os.path.join(DATA, name), "rb") as f:
        return f.read()


def ingest(db, raw, code=0, **kw):
    """Feeds raw (bytes) to `vigie mail ingest` on stdin; the NDJSON line (a dict)."""
    p = subprocess.run([BIN, "mail", "ingest", "--db", db_arg(db)], input=raw, capture_output=True,
                       env=env(**kw), timeout=60)
    assert p.returncode == code, p.stderr.decode()
    if code:
        return None
    lines = p.stdout.decode().splitlines()
    assert len(lines) == 1, p.stdout
    assert b"ingested 1" in p.stderr
    return json.loads(lines[0])


def inbound(srv, id_):
    r = srv.get(f"/api/v1/inbound/{id_}")
    assert r.status_code == 200, r.text
    return r.json()


def incident(srv, ref):
    r = srv.get(f"/api/v1/incidents/{ref}")
    assert r.status_code == 200, r.text
    return r.json()


def obs_of(inc):
    return {(o["type"], o["value"]) for o in inc["observables"]}


def test_report_from_a_constituent_then_duplicate(server):
    org = make_org(server, "Ministère", domains=["ministere.example"])
    raw = sample("report_constituent_qp.eml")
    out = ingest(server.db, raw)
    assert out["outcome"] == "report"
    ref = out["ref"]
    assert ref.startswith("VIG-") and "answer_id" not in out and "reason" not in out
    inc = incident(server, ref)
    assert inc["title"] == "Hameçonnage reçu ce matin"  # RFC 2047, ISO-8859-1
    assert "courriel d'hameçonnage ce matin" in inc["description"]  # quoted-printable, latin1
    assert inc["org"] == org["id"] and inc["unverified"] is True
    assert inc["reporter"]["email"] == "rssi@ministere.example"
    assert inc["reporter"]["name"] == "René Dupré"
    assert {("url", "http://login-portail.example/connexion"), ("ipv4-addr", "198.51.100.7"),
            ("email-addr", "phisher@bad-sender.example")} <= obs_of(inc)
    got = inbound(server, out["inbound_id"])
    assert got["outcome"] == "report" and got["ref"] == ref
    assert got["message_id"] == "report-1@ministere.example"
    assert got["sender"] == "rssi@ministere.example"
    assert got["size"] == len(raw) and got["sha256"] == hashlib.sha256(raw).hexdigest()
    assert got["attachments"] == []
    # the same message again: a duplicate, nothing else written
    n_before = len(server.get("/api/v1/incidents").json()["items"])
    dup = ingest(server.db, raw)
    assert dup["outcome"] == "duplicate" and dup["first_id"] == out["inbound_id"]
    assert "ref" not in dup
    assert len(server.get("/api/v1/incidents").json()["items"]) == n_before
    # same Message-ID, other bytes (a resent copy): still a duplicate
    dup2 = ingest(server.db, raw.replace(b"Le RSSI", b"Le RSSI (copie)"))
    assert dup2["outcome"] == "duplicate" and dup2["first_id"] == out["inbound_id"]
    r = server.get("/api/v1/inbound?outcome=duplicate")
    assert [m["id"] for m in r.json()["items"]] == [dup2["inbound_id"], dup["inbound_id"]]


def test_ineligible_answered_by_mail_machines_never(server, smtp):
    raw = sample("report_individual_b64.eml")
    out = ingest(server.db, raw, VIGIE_REDIRECT_URL="https://aide.example/victimes")
    assert out["outcome"] == "ineligible" and out["answer_id"] > 0 and "ref" not in out
    got = inbound(server, out["inbound_id"])
    pdf = b"%PDF-1.4\n% vigie inbound test attachment\n"
    assert got["attachments"] == [{
        "id": got["attachments"][0]["id"], "name": "facture.pdf", "media_type": "application/pdf",
        "size": len(pdf), "sha256": hashlib.sha256(pdf).hexdigest(), "is_archive": False,
        "kept": True}]
    # a machine (auto-replied) is never answered
    auto = ingest(server.db, sample("auto_replied.eml"))
    assert auto["outcome"] == "ineligible" and "answer_id" not in auto
    assert auto["reason"] == "not answered: Auto-Submitted"
    # nor a mailing list, nor a bounce, nor our own address
    for extra, why in ((b"List-Id: <abuse.lists.example>\r\n", "List-Id"),
                       (b"Precedence: bulk\r\n", "Precedence")):
        m = raw.replace(b"Message-ID: <perso-1@", b"Message-ID: <x-" + why.encode() + b"@")
        m = extra + m
        o = ingest(server.db, m)
        assert o["outcome"] == "ineligible" and o["reason"] == "not answered: " + why
    for sender, why in ((b"MAILER-DAEMON@mx.example", "machine sender"),
                        (b"cert@vigie.example", "our own address")):
        m = raw.replace(b"jane.doe@mail-perso.example", sender).replace(
            b"<perso-1@", b"<s-" + why.replace(" ", "-").encode() + b"@")
        o = ingest(server.db, m)
        assert o["outcome"] == "ineligible" and o["reason"] == "not answered: " + why
    p = run("mail", "send", db=server.db, env=env(VIGIE_SMTP_URL=smtp.url))
    assert p.stdout.strip() == "sent 1 retried 0 failed 0"
    assert len(smtp.got) == 1
    _, mail_from, rcpts, _ = smtp.got[0]
    assert mail_from == "cert@vigie.example" and rcpts == ["jane.doe@mail-perso.example"]
    m = smtp.messages()[0]
    assert m["Subject"] == "Votre signalement / Your report"
    assert m["Auto-Submitted"] == "auto-generated"
    text = m.get_body(("plain",)).get_content()
    assert text.count("https://aide.example/victimes") == 2  # French, then English
    assert "cybermalveillance.gouv.fr" in text and "Nous avons bien reçu" in text
    assert "We have received your message" in text
    assert "Suspicious invoice" not in text and "scam" not in text  # nothing echoed
    box = server.get("/api/v1/outbox").json()["items"]
    assert [(b["kind"], b["state"]) for b in box] == [("intake", "sent")]


def test_hostile_quarantined_raw_kept_byte_equal(server):
    cases = {
        "broken_base64.eml": "part 2: bad base64",
        "deep_nesting.eml": "MIME nesting deeper than 16",
    }
    ids = []
    for name, reason in cases.items():
        raw = sample(name)
        out = ingest(server.db, raw)
        assert out["outcome"] == "quarantined" and reason in out["reason"]
        assert "ref" not in out
        ids.append(out["inbound_id"])
        r = server.get(f"/api/v1/inbound/{out['inbound_id']}/raw")
        assert r.status_code == 200
        assert r.headers["Content-Type"].startswith("message/rfc822")
        assert r.content == raw
        assert inbound(server, out["inbound_id"])["reason"] == out["reason"]
    # bytes that are not a message at all, with NUL and invalid UTF-8: kept as they came
    junk = b"\x00\xff\xfe garbage \r\n\r\n\x80\x81"
    out = ingest(server.db, junk)
    assert out["outcome"] == "quarantined"
    assert server.get(f"/api/v1/inbound/{out['inbound_id']}/raw").content == junk
    # the same junk again is a duplicate (same bytes, no Message-ID), not a second quarantine
    assert ingest(server.db, junk)["outcome"] == "duplicate"
    items = server.get("/api/v1/inbound?outcome=quarantined&limit=2").json()
    assert [m["id"] for m in items["items"]] == [out["inbound_id"], ids[1]]
    assert items["next_cursor"]
    rest = server.get("/api/v1/inbound?outcome=quarantined&limit=2&cursor=" +
                      items["next_cursor"]).json()
    assert [m["id"] for m in rest["items"]] == [ids[0]] and rest["next_cursor"] is None
    r = server.get("/api/v1/inbound?outcome=spam")
    assert r.status_code == 400 and r.json()["error"]["field"] == "outcome"
    assert server.get("/api/v1/inbound/999999").status_code == 404
    assert server.get("/api/v1/inbound/999999/raw").status_code == 404
    reader = server.token("rita", "reader")
    assert server.get("/api/v1/inbound", token=reader).status_code == 403
    assert server.get(f"/api/v1/inbound/{ids[0]}/raw", token=reader).status_code == 403


def xarf_mail(json_path, sender, mid):
    m = EmailMessage()
    m["From"] = sender
    m["To"] = "abuse@vigie.example"
    m["Subject"] = "abuse report"
    m["Message-ID"] = f"<{mid}>"
    m["X-XARF"] = "PLAIN"
    m["Auto-Submitted"] = "auto-generated"
    m.set_content("This is an X-ARF report.\n")
    with open(json_path, "rb") as f:
        m.add_attachment(f.read(), maintype="application", subtype="json",
                         filename="report.json")
    return m.as_bytes()


def test_xarf_reports_become_incidents(server):
    phishing = os.path.join(XARF, "3", "phishing_sample.json")
    ddos = os.path.join(XARF, "development", "ddos_sample.json")
    need_corpus(phishing, ddos)
    owner = make_org(server, "Hébergeur", cidrs=["192.0.2.0/24"])
    make_org(server, "Partenaire", domains=["abuse-net.example"])
    # the reported address is a constituent's: the incident is that organisation's
    out = ingest(server.db, xarf_mail(phishing, "reports@xarf-sender.example", "x1@xarf"))
    assert out["outcome"] == "xarf"
    inc = incident(server, out["ref"])
    assert (inc["class"], inc["type"]) == ("fraud", "phishing")
    assert inc["org"] == owner["id"]
    assert {("ipv4-addr", "192.0.2.55"), ("url", "http://phish.example.org/index.html")} <= \
        obs_of(inc)
    assert inc["occurred"] == "2018-02-05T14:17:10Z"
    assert inc["reporter"] == {"name": "Mr. Example", "email": "contact@example.com"}
    assert inc["title"] == "X-ARF Content/Phishing: 192.0.2.55"
    assert "X-ARF report:" in inc["description"]
    # another address, sent from a constituent's domain: through the intake, class kept
    with open(ddos) as f:
        body = json.load(f)
    body["Report"]["SourceIp"] = "203.0.113.9"
    path = os.path.join(str(server.db) + "-ddos.json")
    with open(path, "w") as f:
        json.dump(body, f)
    out = ingest(server.db, xarf_mail(path, "noc@abuse-net.example", "x2@xarf"))
    assert out["outcome"] == "xarf"
    inc = incident(server, out["ref"])
    assert (inc["class"], inc["type"]) == ("availability", "dos")
    assert ("ipv4-addr", "203.0.113.9") in obs_of(inc)
    assert inc["unverified"] is True
    # from outside the constituency about nobody's asset: ineligible, and a machine: no answer
    out = ingest(server.db, xarf_mail(path, "noc@elsewhere.example", "x3@xarf"))
    assert out["outcome"] == "ineligible" and "answer_id" not in out
    # X-ARF v4 in the body of the message (X-XARF: PLAIN), about a host of another constituent
    brand = make_org(server, "Banque", cidrs=["203.0.113.0/24"])
    with open(os.path.join(DATA, "..", "mailread", "xarf_v4_body.eml"), "rb") as f:
        out = ingest(server.db, f.read())
    assert out["outcome"] == "xarf"
    inc = incident(server, out["ref"])
    assert (inc["class"], inc["type"], inc["org"]) == ("fraud", "phishing", brand["id"])
    assert {("ipv4-addr", "203.0.113.45"), ("url", "http://secure-banking-login.example.com/auth"),
            ("sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")} <= \
        obs_of(inc)
    assert inc["occurred"] == "2025-01-11T15:15:24Z"
    assert inc["reporter"]["email"] == "takedown@brand-protect.example"


def test_maildir_moves_after_commit(server, tmp_path):
    make_org(server, "Ministère", domains=["ministere.example"])
    md = tmp_path / "Maildir"
    for sub in ("new", "cur", "tmp"):
        (md / sub).mkdir(parents=True)
    (md / "new" / "1.a").write_bytes(sample("report_constituent_qp.eml"))
    (md / "new" / "2.b").write_bytes(sample("report_constituent_qp.eml"))  # the same again
    (md / "new" / "3.c").write_bytes(sample("broken_base64.eml"))
    (md / "new" / ".hidden").write_bytes(b"not a message")
    (md / "cur" / "0.old:2,S").write_bytes(b"already read")
    os.symlink("/etc/passwd", md / "new" / "4.link")  # not a regular file: never followed
    p = subprocess.run([BIN, "mail", "ingest", "--db", db_arg(server.db), "--maildir", str(md),
                        "--batch", "2"], capture_output=True, env=env(), timeout=60)
    assert p.returncode == 1, p.stderr  # one file could not be read
    assert b"4.link: skipped, left in new/" in p.stderr
    lines = [json.loads(x) for x in p.stdout.decode().splitlines()]
    assert [(x["file"], x["outcome"]) for x in lines] == \
        [("1.a", "report"), ("2.b", "duplicate"), ("3.c", "quarantined")]
    assert b"ingested 3, report 1," in p.stderr
    assert b"quarantined 1, duplicate 1; failed 1" in p.stderr
    assert sorted(os.listdir(md / "new")) == [".hidden", "4.link"]
    os.unlink(md / "new" / "4.link")
    assert sorted(os.listdir(md / "cur")) == ["0.old:2,S", "1.a:2,S", "2.b:2,S", "3.c:2,S"]
    assert (md / "cur" / "0.old:2,S").read_bytes() == b"already read"
    assert (md / "cur" / "1.a:2,S").read_bytes() == sample("report_constituent_qp.eml")
    # a second run finds nothing new
    p = subprocess.run([BIN, "mail", "ingest", "--db", db_arg(server.db), "--maildir", str(md)],
                       capture_output=True, env=env(), timeout=60)
    assert p.returncode == 0 and p.stdout == b"" and b"ingested 0" in p.stderr
    # a crash after the commit and before the move: the file is still in new/ next time, and
    # is taken as a duplicate (nothing done twice)
    shutil.copy(md / "cur" / "1.a:2,S", md / "new" / "1.a")
    n_inc = len(server.get("/api/v1/incidents").json()["items"])
    p = subprocess.run([BIN, "mail", "ingest", "--db", db_arg(server.db), "--maildir", str(md)],
                       capture_output=True, env=env(), timeout=60)
    assert p.returncode == 0
    assert json.loads(p.stdout)["outcome"] == "duplicate"
    assert len(server.get("/api/v1/incidents").json()["items"]) == n_inc
    assert sorted(os.listdir(md / "new")) == [".hidden"]


def test_store_failure_is_a_temporary_failure(tmp_path):
    """A store that cannot be opened (SQLite: a path under a file; PostgreSQL: no server at the
    socket) is a temporary failure: the MTA keeps the message and retries."""
    notdir = tmp_path / "not-a-dir"
    notdir.write_text("x")
    bad = unopenable("server", path=str(notdir / "vigie.db"))
    p = subprocess.run([BIN, "mail", "ingest", "--db", bad.db],
                       input=sample("auto_replied.eml"), capture_output=True, env=env(),
                       timeout=60)
    bad.check(p, "vigie mail: ", code=75)  # EX_TEMPFAIL
    p = subprocess.run([BIN, "mail", "ingest", "--db", db_arg(tmp_path / "v.db"), "--bogus"],
                       capture_output=True, env=env(), timeout=60)
    assert p.returncode == 2


def test_reply_to_an_incident_mail_lands_in_its_timeline(server, smtp):
    """Done when: an incident opened for a constituent produces a mail; a reply to it lands in
    the incident's timeline."""
    org = make_org(server, "Préfecture", domains=["prefecture.example"],
                   contacts=[{"name": "Camille", "email": "camille@prefecture.example"}])
    inc = make_incident(server, org=org["id"], tlp="AMBER", title="Poste compromis")
    ref = inc["ref"]
    p = run("mail", "send", db=server.db, env=env(VIGIE_SMTP_URL=smtp.url))
    assert p.stdout.strip() == "sent 1 retried 0 failed 0"
    sent = smtp.messages()[0]
    assert smtp.got[0][2] == ["camille@prefecture.example"]
    assert sent["Subject"].startswith(f"[{ref}] ")
    # the contact answers from their mail client
    reply = EmailMessage()
    reply["From"] = "Camille <camille@prefecture.example>"
    reply["To"] = sent["From"]
    reply["Subject"] = "Re: " + sent["Subject"]
    reply["Message-ID"] = "<reply-1@prefecture.example>"
    reply["In-Reply-To"] = sent["Message-ID"]
    reply["References"] = sent["Message-ID"]
    reply.set_content("Le poste est isolé. Il contactait hxxps://c2-relais[.]example/gate "
                      "et 203.0.113[.]77.\nCamille, camille@prefecture.example\n\n"
                      "> texte cité, hxxp://quoted[.]example/x\n  > 192.0.2.200\n")
    logs = b"2026-03-05 10:00 beacon to c2-relais\n"
    reply.add_attachment(logs, maintype="text", subtype="plain", filename="journal.txt")
    out = ingest(server.db, reply.as_bytes())
    assert out["outcome"] == "reply" and out["ref"] == ref
    got = incident(server, ref)
    notes = [e for e in got["timeline"] if e["actor"] == "camille@prefecture.example" and
             e["action"] == "note"]
    assert notes, got["timeline"]
    assert len(notes) == 1
    text = notes[0]["detail"]["text"]
    assert text.startswith("Mail from camille@prefecture.example: Re: [" + ref + "] ")
    assert "Le poste est isolé." in text and "- journal.txt (text/plain, 37 bytes, sha256 " in text
    digest = hashlib.sha256(logs).hexdigest()
    assert {("url", "https://c2-relais.example/gate"), ("ipv4-addr", "203.0.113.77"),
            ("sha256", digest)} <= obs_of(got)
    # neither what the reply quotes nor the sender's own address
    values = {v for _, v in obs_of(got)}
    assert not values & {"http://quoted.example/x", "192.0.2.200", "camille@prefecture.example"}
    assert "texte cité" in text  # the note keeps the whole text
    # nothing else was opened; no answer was queued
    assert len(server.get("/api/v1/incidents").json()["items"]) == 1
    assert len(server.get("/api/v1/outbox").json()["items"]) == 1
    # a reference that names no incident: a new report
    other = reply.as_bytes().replace(ref.encode(), b"VIG-2020-999999").replace(
        b"reply-1@", b"reply-2@")
    out = ingest(server.db, other)
    assert out["outcome"] == "report" and out["ref"] != ref


def test_global_cap_holds_reports_for_the_analysts(server, tmp_path):
    make_org(server, "Ministère", domains=["ministere.example"])
    md = tmp_path / "Maildir"
    (md / "new").mkdir(parents=True)
    raw = sample("report_constituent_qp.eml")
    for i in range(3):
        (md / "new" / f"{i}.m").write_bytes(raw.replace(b"<report-1@", f"<r{i}@".encode()))
    p = subprocess.run([BIN, "mail", "ingest", "--db", db_arg(server.db), "--maildir", str(md),
                        "--report-global-rate", "1"], capture_output=True, env=env(), timeout=60)
    assert p.returncode == 0, p.stderr
    lines = [json.loads(x) for x in p.stdout.decode().splitlines()]
    assert [x["outcome"] for x in lines] == ["report", "queued", "queued"]
    assert "ref" in lines[0] and "queue_id" not in lines[0]
    held = server.get("/api/v1/reports/queue").json()["items"]
    assert sorted(h["id"] for h in held) == sorted(x["queue_id"] for x in lines[1:])
    assert inbound(server, lines[1]["inbound_id"])["queue_id"] == lines[1]["queue_id"]
    assert len(server.get("/api/v1/incidents").json()["items"]) == 1
