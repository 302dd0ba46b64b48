#!/usr/bin/python3
"""Writes N inbound messages (default 10,000) into MAILDIR/new for bench/mail/ingest.sh, ten
shapes in turn (message i has shape i % 10):
  0-2 a constituent's report (rssi@ministere.example): multipart/alternative, ISO-8859-1,
      quoted-printable, defanged indicators (becomes an incident)
  3   a reply to [VIG-2026-0000NN] (an incident the reports above opened): timeline entry
  4   an individual's report, base64 text and a 20 KB PDF attachment (ineligible: answered)
  5   an X-ARF v3 report about an address of the constituency (an incident)
  6   an out-of-office answer (Auto-Submitted: ineligible, not answered)
  7   an individual's HTML and text message with indicators (ineligible: answered)
  8   broken base64 (quarantined, kept as received)
  9   message i-9 again, same Message-ID (duplicate)
  gen_inbound.py MAILDIR [N]"""
import base64
import os
import quopri
import random
import sys

root, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 10000
new = os.path.join(root, "new")
for sub in ("new", "cur", "tmp"):
    os.makedirs(os.path.join(root, sub), exist_ok=True)
rnd = random.Random(15)
pdf = b"%PDF-1.4\n" + bytes(rnd.getrandbits(8) for _ in range(20000))
pdf_b64 = base64.encodebytes(pdf).decode()


def qp(s):
    return quopri.encodestring(s.encode("iso-8859-1")).decode("ascii")


def shape(i):
    k = i % 10
    mid = f"<bench-{i}@gen.example>"
    ip = f"198.51.{i % 250}.{i % 200 + 1}"
    if k <= 2:
        body = (f"Bonjour,\n\nCourriel d'hameçonnage n°{i} reçu. Lien : hxxp://login-{i}[.]"
                f"example/connexion, serveur {ip.replace('.', '[.]', 1)}.\n" * 8)
        return (f"From: =?ISO-8859-1?Q?Ren=E9?= <rssi@ministere.example>\nTo: cert@vigie.example\n"
                f"Subject: =?ISO-8859-1?Q?Hame=E7onnage_{i}?=\nMessage-ID: {mid}\n"
                f"MIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=\"a{i}\"\n\n"
                f"--a{i}\nContent-Type: text/plain; charset=ISO-8859-1\n"
                f"Content-Transfer-Encoding: quoted-printable\n\n{qp(body)}\n"
                f"--a{i}\nContent-Type: text/html; charset=ISO-8859-1\n"
                f"Content-Transfer-Encoding: quoted-printable\n\n{qp('<p>' + body + '</p>')}\n"
                f"--a{i}--\n")
    if k == 3:
        ref = f"VIG-2026-{(i // 10) % 100 + 1:06d}"
        return (f"From: rssi@ministere.example\nTo: cert@vigie.example\n"
                f"Subject: Re: [{ref}] Incident\nMessage-ID: {mid}\n"
                f"In-Reply-To: <out-{i}@vigie.example>\n\n"
                f"Merci, le poste est isolé. Nouvel indicateur hxxps://c2-{i}[.]example/gate\n"
                f"> texte cité\n")
    if k == 4:
        text = f"Hello, invoice scam number {i}: hxxps://pay-{i}[.]example/pay\n"
        return (f"From: Jane Doe <jane{i}@mail-perso.example>\nTo: cert@vigie.example\n"
                f"Subject: Suspicious invoice {i}\nMessage-ID: {mid}\nMIME-Version: 1.0\n"
                f"Content-Type: multipart/mixed; boundary=\"m{i}\"\n\n"
                f"--m{i}\nContent-Type: text/plain; charset=utf-8\n"
                f"Content-Transfer-Encoding: base64\n\n"
                f"{base64.encodebytes(text.encode()).decode()}\n"
                f"--m{i}\nContent-Type: application/pdf; name=\"f{i}.pdf\"\n"
                f"Content-Disposition: attachment; filename=\"f{i}.pdf\"\n"
                f"Content-Transfer-Encoding: base64\n\n{pdf_b64}\n--m{i}--\n")
    if k == 5:
        x = ('{"Version":"3","ReporterInfo":{"ReporterOrg":"Abuse Net",'
             '"ReporterContactEmail":"abuse@abuse-net.example"},"Report":{"ReportClass":'
             f'"Activity","ReportType":"PortScan","Date":"2026-03-05T10:00:00Z",'
             f'"SourceIp":"192.0.2.{i % 250 + 1}","SourcePort":22}}}}')
        return (f"From: abuse@abuse-net.example\nTo: cert@vigie.example\n"
                f"Subject: abuse report {i}\nMessage-ID: {mid}\nX-XARF: PLAIN\n"
                f"Auto-Submitted: auto-generated\nMIME-Version: 1.0\n"
                f"Content-Type: multipart/mixed; boundary=\"x{i}\"\n\n"
                f"--x{i}\nContent-Type: text/plain\n\nX-ARF report\n"
                f"--x{i}\nContent-Type: application/json; name=\"report.json\"\n"
                f"Content-Disposition: attachment; filename=\"report.json\"\n\n{x}\n--x{i}--\n")
    if k == 6:
        return (f"From: someone{i}@mail-perso.example\nTo: cert@vigie.example\n"
                f"Subject: Absence\nMessage-ID: {mid}\nAuto-Submitted: auto-replied\n\n"
                f"Je suis absent.\n")
    if k == 7:
        return (f"From: bob{i}@mail-perso.example\nTo: cert@vigie.example\n"
                f"Subject: Arnaque {i}\nMessage-ID: {mid}\nMIME-Version: 1.0\n"
                f"Content-Type: multipart/alternative; boundary=\"h{i}\"\n\n"
                f"--h{i}\nContent-Type: text/plain; charset=utf-8\n\n"
                f"Site frauduleux evil-{i}[.]example, IP {ip}\n"
                f"--h{i}\nContent-Type: text/html; charset=utf-8\n\n"
                f"<p>Site frauduleux <b>evil-{i}[.]example</b></p>\n--h{i}--\n")
    if k == 8:
        return (f"From: x{i}@evil.example\nTo: cert@vigie.example\nSubject: broken {i}\n"
                f"Message-ID: {mid}\nMIME-Version: 1.0\n"
                f"Content-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n"
                f"\nsee\n--b\nContent-Type: application/octet-stream\n"
                f"Content-Transfer-Encoding: base64\n\n!!!! not base64 ####\n--b--\n")
    return None


made = []
for i in range(n):
    s = shape(i)
    if s is None:
        s = made[i - 9]
    made.append(s)
    with open(os.path.join(new, f"{i:06d}.gen"), "w", newline="\r\n",
              encoding="utf-8") as f:
        f.write(s)
