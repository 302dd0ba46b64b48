"""A real SMTP server for the end-to-end tests (issue 15): aiosmtpd on 127.0.0.1, an
ephemeral port, storing what it receives; it can be told to answer 4xx or 5xx and to stall.
Used through the `smtp` fixture (conftest.py imports it) and env() for vigie's mail settings."""
import asyncio
import email
import email.policy
import os
import socket
import threading

import pytest
from aiosmtpd.controller import Controller


class Handler:
    """Stores each envelope with the peer it came from; answers the next of `answers` (then
    250) at the end of DATA; `stall` (an Event) makes DATA wait after storing until it is
    set, so that a sender can be killed while the server holds a message."""

    def __init__(self):
        self.got = []
        self.answers = []
        self.stall_at = None
        self.stall = threading.Event()
        self.stalled = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.got.append((session.peer, envelope.mail_from, list(envelope.rcpt_tos),
                         envelope.content))
        if self.stall_at is not None and len(self.got) == self.stall_at:
            self.stalled.set()
            while not self.stall.is_set():
                await asyncio.sleep(0.05)
        if self.answers:
            return self.answers.pop(0)
        return "250 2.0.0 OK stored"

    def messages(self):
        return [email.message_from_bytes(c, policy=email.policy.default)
                for _, _, _, c in self.got]


@pytest.fixture
def smtp():
    h = Handler()
    with socket.socket() as s:  # a free port (the controller checks its own by connecting)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    c = Controller(h, hostname="127.0.0.1", port=port)
    c.start()
    h.url = f"smtp://127.0.0.1:{port}"
    yield h
    h.stall.set()
    c.stop()


def env(**kw):
    e = dict(os.environ)
    e.update({"VIGIE_MAIL_FROM": "CERT Vigie <cert@vigie.example>", "VIGIE_MAIL_BACKOFF": "1",
              "VIGIE_MAIL_BACKOFF_MAX": "4", "VIGIE_MAIL_LEASE": "2"})
    e.update(kw)
    return e
