"""The peer of the outbound mail benchmark (bench/mail/send.sh): a straightforward sender of the
same outbox over one SMTP connection with Python's smtplib and email package: each queued
message built as MIME (text and HTML, the same Message-ID) and sent, nothing written back.
    python3 peer.py DB SMTP_PORT   -> prints the number sent"""
import json
import sqlite3
import smtplib
import sys
from email.message import EmailMessage
from email.utils import formatdate

db, port = sys.argv[1], int(sys.argv[2])
rows = sqlite3.connect(db).execute(
    "SELECT message_id, recipients, subject, body_text, body_html FROM outbox "
    "WHERE state = 'queued' ORDER BY id").fetchall()
n = 0
with smtplib.SMTP("127.0.0.1", port) as s:
    for mid, rcpts, subject, text, html in rows:
        to = json.loads(rcpts)
        m = EmailMessage()
        m["From"] = "CERT Vigie <cert@vigie.example>"
        m["To"] = ", ".join(to)
        m["Subject"] = subject
        m["Date"] = formatdate()
        m["Message-ID"] = mid
        m["Auto-Submitted"] = "auto-generated"
        m.set_content(text)
        if html:
            m.add_alternative(html, subtype="html")
        s.send_message(m, from_addr="cert@vigie.example", to_addrs=to)
        n += 1
print(n)
