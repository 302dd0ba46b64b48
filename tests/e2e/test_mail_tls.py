"""End-to-end tests of the SMTP settings, TLS and AUTH (issue 15): certificates made here with
`openssl` (a private CA and a server certificate for 127.0.0.1, and a stranger CA), real
aiosmtpd servers requiring STARTTLS and AUTH, or speaking TLS at once (smtps://), or offering
AUTH without STARTTLS; the settings given through the environment or `vigie config set`;
`vigie config` itself; and `vigie serve` picking up a `config set` made while it runs."""
import socket
import ssl
import subprocess

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult

from conftest import Server, run, wait_for
from mailsink import Handler, env

USER, PASSWORD = "cert-bot", "s3cr3t pass-phrase"


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """ca.pem (trusted through smtp.cafile), server.pem/key signed by it for IP 127.0.0.1,
    other-ca.pem (a CA that signed nothing here)."""
    d = tmp_path_factory.mktemp("pki")
    for ca in ("ca", "other-ca"):
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{ca}.key",
                "-out", f"{ca}.pem", "-days", "2", "-subj", f"/CN=vigie test {ca}", cwd=d)
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out",
            "server.csr", "-subj", "/CN=127.0.0.1", cwd=d)
    (d / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "san.ext", cwd=d)
    return d


class Recorder(Handler):
    """The sink's handler, also noting for each message whether it came over TLS and who
    authenticated, and every AUTH command the server saw (even refused)."""

    def __init__(self):
        super().__init__()
        self.tls = []
        self.auth_users = []
        self.auth_commands = []

    async def handle_DATA(self, server, session, envelope):
        self.tls.append(server.transport.get_extra_info("ssl_object") is not None)
        self.auth_users.append(session.auth_data.login if session.authenticated else None)
        return await super().handle_DATA(server, session, envelope)


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False, auth_data=auth_data)  # False: say 535


class RecordingController(Controller):
    def factory(self):
        h = self.handler

        class S(SMTP):
            async def smtp_AUTH(self, arg):
                h.auth_commands.append(arg)
                return await super().smtp_AUTH(arg)

        return S(self.handler, **self.SMTP_kwargs)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_ctx(pki):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(pki / "server.pem", pki / "server.key")
    return ctx


@pytest.fixture
def sink(pki, request):
    """A recording SMTP server; request.param: "starttls" (STARTTLS required, AUTH over TLS
    only), "smtps" (TLS at once, AUTH), "plain" (no STARTTLS, AUTH offered in clear)."""
    mode = request.param
    h = Recorder()
    port = free_port()
    kw = dict(authenticator=authenticator, auth_exclude_mechanism=["CRAM-MD5"])
    if mode == "starttls":
        kw.update(tls_context=server_ctx(pki), require_starttls=True, auth_require_tls=True)
    elif mode == "plain":
        kw.update(auth_require_tls=False)
    else:  # aiosmtpd does not count implicit TLS as TLS for auth_require_tls
        kw.update(ssl_context=server_ctx(pki), auth_require_tls=False)
    c = RecordingController(h, hostname="127.0.0.1", port=port, **kw)
    c.start()
    h.url = f"{'smtps' if mode == 'smtps' else 'smtp'}://127.0.0.1:{port}"
    yield h
    h.stall.set()
    c.stop()


@pytest.fixture
def db(tmp_path, monkeypatch):
    """A database served by `vigie serve` whose sender thread runs once (at start), so that
    the outbox API can be read while `vigie mail send` delivers."""
    monkeypatch.setenv("VIGIE_MAIL_INTERVAL", "3600")
    srv = Server(tmp_path / "vigie.db")
    yield srv
    rc, err = srv.stop()
    assert rc == 0, err[-2000:]


def queue(srv, subject="TLS test"):
    return int(run("mail", "queue", "--to", "alice@example.org", "--subject", subject,
                   "--text", "body", db=srv.db, env=env()).stdout)


def configure(srv, how, **cfg):
    """Gives cfg ({smtp.url: ...}) through the environment (returned) or `vigie config set`
    (the password through standard input, the way the docs say)."""
    names = {"smtp.url": "VIGIE_SMTP_URL", "smtp.user": "VIGIE_SMTP_USER",
             "smtp.password": "VIGIE_SMTP_PASSWORD", "smtp.cafile": "VIGIE_SMTP_CAFILE"}
    if how == "env":
        return env(**{names[k]: str(v) for k, v in cfg.items()})
    for k, v in cfg.items():
        if k == "smtp.password":
            run("config", "set", k, "-", db=srv.db, input=v + "\n")
        else:
            run("config", "set", k, str(v), db=srv.db)
    return env()


def send(srv, e):
    return run("mail", "send", db=srv.db, env=e).stdout.strip()


def item(srv, mid):
    r = srv.get("/api/v1/outbox")
    assert r.status_code == 200, r.text
    return next(m for m in r.json()["items"] if m["id"] == mid)


@pytest.mark.parametrize("sink", ["starttls", "smtps"], indirect=True)
@pytest.mark.parametrize("how", ["env", "config"])
def test_tls_auth_delivered(db, sink, pki, how):
    """STARTTLS required by the server then AUTH, or TLS at once (smtps://) then AUTH: the
    message arrives over TLS from the authenticated user."""
    mid = queue(db)
    e = configure(db, how, **{"smtp.url": sink.url, "smtp.user": USER,
                              "smtp.password": PASSWORD, "smtp.cafile": pki / "ca.pem"})
    assert send(db, e) == "sent 1 retried 0 failed 0"
    assert [r for _, _, r, _ in sink.got] == [["alice@example.org"]]
    assert sink.tls == [True] and sink.auth_users == [USER.encode()]
    assert sink.messages()[0]["Subject"] == "TLS test"
    m = item(db, mid)
    assert m["state"] == "sent" and m["attempts"] == 1 and m["last_answer"].startswith("250")


@pytest.mark.parametrize("sink", ["starttls"], indirect=True)
@pytest.mark.parametrize("how", ["env", "config"])
def test_wrong_password_retried_answer_kept(db, sink, pki, how):
    """A refused AUTH says nothing about the message: it waits (queued, retried later) with
    the server's 535 kept, and the round stops there: the second message is not tried, so
    a wrong password is not knocked again message after message."""
    first, second = queue(db, "one"), queue(db, "two")
    e = configure(db, how, **{"smtp.url": sink.url, "smtp.user": USER,
                              "smtp.password": "wrong", "smtp.cafile": pki / "ca.pem"})
    assert send(db, e) == "sent 0 retried 2 failed 0"
    assert sink.got == [] and len(sink.auth_commands) == 1
    for mid in (first, second):
        m = item(db, mid)
        assert m["state"] == "queued" and m["attempts"] == 1
        assert "535" in m["last_answer"], m["last_answer"]
    # the right password later: both delivered, same Message-IDs as queued
    e = configure(db, how, **{"smtp.password": PASSWORD})
    if how == "env":
        e.update(VIGIE_SMTP_URL=sink.url, VIGIE_SMTP_USER=USER,
                 VIGIE_SMTP_CAFILE=str(pki / "ca.pem"))
    wait_for(lambda: send(db, e) == "sent 2 retried 0 failed 0", timeout=5,
             what="the retry after the backoff")
    assert sorted(m["Subject"] for m in sink.messages()) == ["one", "two"]
    ids = {item(db, x)["message_id"] for x in (first, second)}
    assert {m["Message-ID"] for m in sink.messages()} == ids


@pytest.mark.parametrize("sink", ["plain"], indirect=True)
@pytest.mark.parametrize("how", ["env", "config"])
def test_no_starttls_with_user_sends_nothing(db, sink, how):
    mid = queue(db)
    e = configure(db, how, **{"smtp.url": sink.url, "smtp.user": USER,
                              "smtp.password": PASSWORD})
    assert send(db, e) == "sent 0 retried 1 failed 0"
    # the server offered AUTH in clear: vigie never used it
    assert sink.got == [] and sink.auth_commands == []
    m = item(db, mid)
    assert m["state"] == "queued" and "STARTTLS" in m["last_answer"], m["last_answer"]
    # with no user, the same server takes the message (no TLS, no AUTH)
    if how == "env":
        e.pop("VIGIE_SMTP_USER")
        e.pop("VIGIE_SMTP_PASSWORD")
    else:
        run("config", "unset", "smtp.user", db=db.db)
        run("config", "unset", "smtp.password", db=db.db)
    wait_for(lambda: send(db, e) == "sent 1 retried 0 failed 0", timeout=5, what="the retry")
    assert sink.tls == [False] and sink.auth_users == [None]


@pytest.mark.parametrize("sink", ["starttls", "smtps"], indirect=True)
def test_untrusted_certificate_refused(db, sink, pki):
    """The server's certificate signed by a CA vigie was not told to trust: no message, no
    AUTH, the error kept."""
    mid = queue(db)
    e = configure(db, "config", **{"smtp.url": sink.url, "smtp.user": USER,
                                   "smtp.password": PASSWORD,
                                   "smtp.cafile": pki / "other-ca.pem"})
    assert send(db, e) == "sent 0 retried 1 failed 0"
    assert sink.got == [] and sink.auth_commands == []
    m = item(db, mid)
    assert m["state"] == "queued"
    assert "certificate" in m["last_answer"].lower(), m["last_answer"]


def test_config_cli(tmp_path):
    d = tmp_path / "c.db"
    run("init", db=d)

    def cfg(*a, **kw):
        return run("config", *a, db=d, check=False, **kw)

    p = cfg("set", "smtp.port", "25")
    assert p.returncode == 1 and "unknown key 'smtp.port'" in p.stderr
    for bad, why in [("http://mail.example.org", "must start with smtp:// or smtps://"),
                     ("smtp://", "expected a host"), ("smtp://mx:0", "1 to 65535"),
                     ("smtp://mx:65536", "1 to 65535"), ("smtp://u:p@mx", "no credentials"),
                     ("smtp://mx x", "unexpected ' '"), ("smtp://mx\nRCPT", "control")]:
        p = cfg("set", "smtp.url", bad)
        assert p.returncode == 1 and why in p.stderr and "smtp.url" in p.stderr, (bad, p.stderr)
    assert cfg("set", "smtp.url", "smtps://[::1]:65535").returncode == 0
    assert cfg("set", "smtp.url", "smtp://mx.example.org:587").returncode == 0
    for bad in ["not an address", "a@", "Name <a@b> <c@d>", "x@y\r\nBcc: z@w"]:
        p = cfg("set", "mail.from", bad)
        assert p.returncode == 1 and "mail.from" in p.stderr, (bad, p.stderr)
    assert cfg("set", "mail.from", "CERT Vigie <cert@vigie.example>").returncode == 0
    p = cfg("set", "public.url", "ftp://x")
    assert p.returncode == 1 and "public.url" in p.stderr
    p = cfg("set", "smtp.cafile", str(tmp_path / "missing.pem"))
    assert p.returncode == 1 and "not a readable file" in p.stderr
    assert cfg("set", "smtp.url", "").returncode == 1
    assert cfg("set", "smtp.user").returncode == 2  # usage: a value is missing
    # the password: from standard input, never printed
    assert cfg("set", "smtp.password", "-", input="").returncode == 2
    assert cfg("set", "smtp.password", "-", input="hunter2 x\n").returncode == 0
    p = cfg("get", "smtp.password")
    assert p.stdout == "(set)\n" and "hunter2" not in p.stdout + p.stderr
    p = cfg("list", env=env(VIGIE_PUBLIC_URL="https://cert.example.org/"))
    assert "hunter2" not in p.stdout
    rows = {ln.split()[0]: ln for ln in p.stdout.splitlines()}
    assert rows["smtp.password"].split()[1:] == ["(set)", "database"]
    assert rows["smtp.url"].split()[1:] == ["smtp://mx.example.org:587", "database"]
    assert rows["smtp.user"].split()[1:] == ["-", "unset"]
    assert "environment ($VIGIE_PUBLIC_URL)" in rows["public.url"]
    assert "database" in rows["mail.from"]
    # the environment's SMTP URL takes the whole SMTP group: the database's password is not
    # sent to that server
    p = cfg("list", env=env(VIGIE_SMTP_URL="smtp://127.0.0.1:1"))
    rows = {ln.split()[0]: ln for ln in p.stdout.splitlines()}
    assert rows["smtp.url"].split()[1:3] == ["smtp://127.0.0.1:1", "environment"]
    assert rows["smtp.password"].split()[1:3] == ["-", "unset"]
    assert "overridden" in rows["smtp.password"]
    p = cfg("get", "smtp.user")
    assert p.returncode == 1 and "smtp.user is not set" in p.stderr
    assert cfg("unset", "smtp.password").returncode == 0
    p = cfg("unset", "smtp.password")
    assert p.returncode == 1 and "not set in the database" in p.stderr
    assert cfg("get", "mail.from").stdout == "CERT Vigie <cert@vigie.example>\n"
    assert cfg("get", "nope").returncode == 1


def test_serve_picks_up_config_set(tmp_path, monkeypatch, smtp):
    """The sender thread of `vigie serve` reads the settings each round: a message waits
    while no server is configured, and leaves once `vigie config set smtp.url` is made,
    without a restart."""
    monkeypatch.setenv("VIGIE_MAIL_INTERVAL", "1")
    monkeypatch.delenv("VIGIE_SMTP_URL", raising=False)
    srv = Server(tmp_path / "vigie.db")
    try:
        mid = queue(srv)
        wait_for(lambda: item(srv, mid)["attempts"] == 0, timeout=2)
        run("config", "set", "mail.from", "Cellule <cell@cert.example>", db=srv.db)
        run("config", "set", "smtp.url", smtp.url, db=srv.db)
        wait_for(lambda: item(srv, mid)["state"] == "sent", timeout=5,
                 what="the thread's next round")
        assert smtp.messages()[0]["From"] == "Cellule <cell@cert.example>"
        assert smtp.got[0][1] == "cell@cert.example"
    finally:
        rc, err = srv.stop()
    assert rc == 0, err[-2000:]
