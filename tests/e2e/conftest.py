"""Fixtures for end-to-end tests: the real vigie binary, a real server on 127.0.0.1 with an
ephemeral port, and a temporary SQLite database. VIGIE_BIN selects the binary (the ASan build
in `make test`'s second pass).

Every test has a timeout (pytest-timeout, tests/e2e/pytest.ini). A test that needs the shared
corpus (../shared/corpus, or $VIGIE_CORPUS) calls need_corpus(path): without it the test is
skipped, except under CI=true where it fails, so that a CI run never passes without it.

The backend (issue 16): VIGIE_E2E_BACKEND=sqlite (the default) or pg. Under pg, a throwaway
PostgreSQL 15 cluster is started once for the session (pgcluster.py), and every database path a
test gives vigie (run(db=...), Server(db), db_arg(path) for a test's own subprocess) becomes,
the first time it is seen, a fresh database of that cluster: the same path always names the same
database, and the test's files (logs beside the path) stay in tmp_path. connect(db) opens either
for the test's own SQL (sqlite3 for a file, psycopg2 for PostgreSQL; "?" placeholders in both).
A test whose subject is SQLite itself is marked sqlite_only(why) and skipped under pg; files
that compare both backends themselves run in the SQLite pass only (BOTH_BACKENDS)."""
import os
import re
import signal
import sqlite3
import sys
import subprocess
import time

import pytest
import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # when loaded from tests/browser
from mailsink import smtp  # noqa: E402,F401 (a fixture: a real SMTP server for every suite)
from pgcluster import (new_database, drop_database, shared_cluster,  # noqa: E402
                       stop_shared_cluster)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("VIGIE_BIN", os.path.join(ROOT, "vigie"))
CORPUS = os.environ.get("VIGIE_CORPUS", os.path.join(ROOT, "..", "shared", "corpus"))
IN_CI = os.environ.get("CI", "").lower() == "true"
CORPUS_MISSING = "shared corpus missing"

BACKEND = os.environ.get("VIGIE_E2E_BACKEND", "sqlite") or "sqlite"
if BACKEND not in ("sqlite", "pg"):
    raise SystemExit(f"VIGIE_E2E_BACKEND={BACKEND!r}: sqlite or pg")
PG = BACKEND == "pg"
# Files that start PostgreSQL and SQLite side by side themselves: the pg pass skips them (they
# ran in the SQLite pass, with their own PostgreSQL databases).
BOTH_BACKENDS = {"test_pg_schema.py", "test_pg_serve.py", "test_pg_fixture.py",
                 "test_db_copy.py", "test_pg_multi.py", "test_pg_faults.py"}
try:
    import psycopg2  # Debian's python3-psycopg2 (scripts/deps.sh), for connect() under pg
    DB_ERRORS = (sqlite3.DatabaseError, psycopg2.Error)
except ImportError:
    psycopg2 = None
    DB_ERRORS = (sqlite3.DatabaseError,)
_databases = {}  # absolute path a test named -> URI of its PostgreSQL database (under pg)
_made = [0]  # databases made under pg, for the summary
_basetemp = [None]  # pytest's temporary folder (tmp_path_factory), set by _pg_basetemp
_kept_on_sqlite = set()  # under pg, the tests that gave vigie a path kept as a SQLite path


def is_uri(db):
    return str(db).startswith(("postgresql://", "postgres://"))


def _may_map(path):
    """Whether a database path may become a PostgreSQL database: it is under pytest's
    temporary folder (not /proc/nope/...), is not there yet, and its folder is there (a
    missing folder is a test of a database that cannot be opened, or of init making it)."""
    base = _basetemp[0]
    if not base or not path.startswith(base + os.sep) or os.path.lexists(path):
        return False
    return os.path.isdir(os.path.dirname(path))


def db_arg(db):
    """What vigie's --db (or $VIGIE_DB) receives for the database db names: str(db) on SQLite;
    under pg, the URI of the database this path maps to (made on first use). A path outside
    pytest's temporary folder, in a folder that is not there, or a file that already exists (a
    test's own bytes) stays a SQLite path: the test is about that path."""
    if db is None:
        return None
    s = str(db)
    if not PG or not s or is_uri(s):
        return s
    key = os.path.abspath(s)
    if key not in _databases:
        if not _may_map(key):
            _kept_on_sqlite.add(os.environ.get("PYTEST_CURRENT_TEST", "?").split(" ")[0])
            return s
        _databases[key] = new_database()
        _made[0] += 1
    return _databases[key]


class _PgConnection:
    """A psycopg2 connection (autocommit) with the sqlite3 connection's calls the tests use:
    execute/executemany with "?" placeholders, commit, close, `with`."""

    def __init__(self, uri):
        assert psycopg2, "python3-psycopg2 is missing: run scripts/deps.sh"
        self._c = psycopg2.connect(uri)
        self._c.autocommit = True

    @staticmethod
    def _sql(sql):
        return sql.replace("%", "%%").replace("?", "%s")

    def execute(self, sql, params=()):
        cur = self._c.cursor()
        cur.execute(self._sql(sql), tuple(params))
        return cur

    def executemany(self, sql, seq):
        cur = self._c.cursor()
        cur.executemany(self._sql(sql), [tuple(p) for p in seq])
        return cur

    def commit(self):
        pass

    def close(self):
        self._c.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def connect(db, **kw):
    """A connection to the database db names (see db_arg): sqlite3.connect(path, **kw) for a
    file, a psycopg2 connection for PostgreSQL. Close it."""
    arg = db_arg(db)
    if is_uri(arg):
        return _PgConnection(arg)
    return sqlite3.connect(arg, **kw)


def sql(db, query, *params):
    """Runs query (with "?" placeholders) on the database db names; returns the rows (a list
    of tuples; empty for a statement without rows). Commits."""
    con = connect(db)
    try:
        cur = con.execute(query, params)
        rows = cur.fetchall() if cur.description else []
        con.commit()
        return rows
    finally:
        con.close()


def db_made(db):
    """Whether vigie made the database db names: the SQLite file exists; the PostgreSQL
    database it maps to holds a table."""
    arg = db_arg(db)
    if not is_uri(arg):
        return os.path.exists(arg)
    return sql(db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")[0][0] > 0


def drop_table(db, table):
    """Drops table from the database db names (a fault injected between two runs); on
    PostgreSQL with CASCADE (the foreign keys other tables hold on it go with it)."""
    sql(db, f"DROP TABLE {table}" + (" CASCADE" if is_uri(db_arg(db)) else ""))


def no_such_table(db, table):
    """The engine's message for a missing table, as vigie passes it on."""
    return (f'relation "{table}" does not exist' if is_uri(db_arg(db))
            else f"no such table: {table}")


def db_bytes(db):
    """Every byte the database db names holds: the SQLite file, or a PostgreSQL database's
    data as pg_dump writes it (for "the database holds no secret")."""
    arg = db_arg(db)
    if not is_uri(arg):
        with open(arg, "rb") as f:
            return f.read()
    p = subprocess.run(["/usr/lib/postgresql/15/bin/pg_dump", "--data-only", "-d", arg],
                       capture_output=True, timeout=120)
    assert p.returncode == 0, p.stderr.decode(errors="replace")
    return p.stdout


class Unopenable:
    """A database vigie cannot open (made by unopenable): db for --db or $VIGIE_DB, shown the
    words vigie's message gives after 'vigie CMD: ', cause the engine's reason, secret the
    URI's password (None on SQLite)."""

    def __init__(self, db, shown, cause, secret=None, name=None):
        self.db, self.shown, self.cause, self.secret, self._name = db, shown, cause, secret, name

    def check(self, p, prefix, code=1):
        """p (a CompletedProcess, text or bytes) exited code, printed nothing on stdout, and its
        stderr says prefix + shown and the cause; the URI's password is printed nowhere."""
        out = p.stdout if isinstance(p.stdout, str) else p.stdout.decode(errors="replace")
        err = p.stderr if isinstance(p.stderr, str) else p.stderr.decode(errors="replace")
        assert p.returncode == code, (p.returncode, err)
        assert prefix + self.shown in err, err
        assert self.cause in err, err
        assert out == "", out
        if self.secret:
            assert self.secret not in err and self.secret not in out, err

    def exists(self):
        """Whether the database is there now (a failed command must not have made it)."""
        if self._name is None:
            return os.path.lexists(self.db)
        with _PgConnection(shared_cluster()) as con:
            return con.execute("SELECT count(*) FROM pg_database WHERE datname = ?",
                               (self._name,)).fetchone()[0] > 0


UNOPENABLE_SECRET = "Pw-never-printed-5b7e"
# the kinds of unopenable database for the backend of the run (a parametrize list)
UNOPENABLE_KINDS = ["database", "user", "server"] if PG else ["file"]


def unopenable(kind="database", path="/proc/nope/v.db"):
    """A database vigie cannot open, for the tests of that failure on both backends. On SQLite
    the file path (kind aside): a folder in /proc, or one that is not there. Under pg a URI of
    the session's cluster holding a password (vigie shows the URI without it): kind "database"
    names a database that does not exist; "user" a role that does not exist (the password as
    a password= parameter); "server" a socket folder where no server listens."""
    if not PG:
        return Unopenable(path, f"cannot open database {path}", "unable to open database file")
    head, _, query = shared_cluster().partition("/postgres?")  # postgresql://vigie@, host=DIR
    user = head[len("postgresql://"):-1]
    if kind == "database":
        name = f"absent_{os.getpid()}"
        return Unopenable(f"postgresql://{user}:{UNOPENABLE_SECRET}@/{name}?{query}",
                          f"database unavailable: cannot connect to {head}/{name}?{query}: ",
                          f'database "{name}" does not exist', UNOPENABLE_SECRET, name)
    if kind == "user":
        return Unopenable(f"postgresql://ghost@/postgres?{query}&password={UNOPENABLE_SECRET}",
                          "database unavailable: cannot connect to postgresql://ghost@/postgres?"
                          f"{query}&password=***: ", 'role "ghost" does not exist',
                          UNOPENABLE_SECRET)
    assert kind == "server", kind
    # a folder of the cluster's own (removed with it): a short path, as libpq's message that
    # vigie passes on is cut after 255 bytes
    folder = os.path.join(query.partition("host=")[2], "no-server")
    os.makedirs(folder, exist_ok=True)
    return Unopenable(f"postgresql://{user}:{UNOPENABLE_SECRET}@/vigie?host={folder}",
                      f"database unavailable: cannot connect to {head}/vigie?host={folder}: ",
                      f'"{folder}/.s.PGSQL.5432" failed: No such file or directory',
                      UNOPENABLE_SECRET)


def pytest_configure(config):
    config.addinivalue_line("markers", "sqlite_only(why): the test's subject is SQLite itself "
                            "(file, WAL, locks, bytes); skipped under VIGIE_E2E_BACKEND=pg")


def pytest_collection_modifyitems(config, items):
    if not PG:
        return
    for item in items:
        m = item.get_closest_marker("sqlite_only")
        if m:
            item.add_marker(pytest.mark.skip(reason="SQLite only: " + (m.args[0] if m.args
                                                                        else "")))
        elif os.path.basename(str(item.fspath)) in BOTH_BACKENDS:
            item.add_marker(pytest.mark.skip(
                reason="compares both backends itself: runs in the SQLite pass"))


def pytest_terminal_summary(terminalreporter):
    """Under pg, counts the databases made and names the tests that gave vigie a path kept on
    SQLite (see db_arg)."""
    if PG:
        terminalreporter.write_line(f"PostgreSQL databases made: {_made[0]}")
    if _kept_on_sqlite:
        terminalreporter.write_line(f"SQLite paths kept under pg ({len(_kept_on_sqlite)} "
                                    "tests): " + " ".join(sorted(_kept_on_sqlite)))


def pytest_sessionfinish(session, exitstatus):
    stop_shared_cluster()


@pytest.fixture(scope="session", autouse=True)
def _pg_basetemp(tmp_path_factory):
    _basetemp[0] = os.path.abspath(str(tmp_path_factory.getbasetemp()))


@pytest.fixture(autouse=True)
def _pg_databases(request):
    """Under pg, drops the databases made for paths under the test's tmp_path after it (a module's
    databases, under tmp_path_factory, live until the cluster is removed)."""
    if not PG or "tmp_path" not in request.fixturenames:
        yield
        return
    base = os.path.abspath(str(request.getfixturevalue("tmp_path"))) + os.sep
    yield
    for key in [k for k in _databases if k.startswith(base)]:
        drop_database(_databases.pop(key))


def need_corpus(*paths):
    """Skips the test when one of the corpus files or folders in paths is missing, or fails it
    under CI=true (the corpus is part of the CI checkout)."""
    missing = [str(p) for p in paths if not os.path.exists(p)]
    if not missing:
        return
    msg = f"{CORPUS_MISSING}: {', '.join(missing)} (set VIGIE_CORPUS)"
    if IN_CI:
        pytest.fail(msg + " -- under CI=true a missing corpus is a failure", pytrace=False)
    pytest.skip(msg)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI=true, a skip that names the corpus (the older tests skip by themselves rather
    than through need_corpus) is reported as a failure."""
    outcome = yield
    rep = outcome.get_result()
    if IN_CI and rep.skipped and not hasattr(rep, "wasxfail"):
        reason = str(rep.longrepr[-1]) if isinstance(rep.longrepr, tuple) else str(rep.longrepr)
        if "corpus" in reason.lower():
            rep.outcome = "failed"
            rep.longrepr = f"{item.nodeid}: {reason} -- under CI=true a missing corpus is a failure"


def wait_for(cond, timeout=30.0, interval=0.01, what="condition"):
    """Polls cond() until it returns a true value (returned) or fails the test after timeout
    seconds, naming what was awaited. The way to wait for a state: never a bare sleep."""
    deadline = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.monotonic() >= deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}", pytrace=False)
        time.sleep(interval)


def run(*args, db=None, check=True, input=None, env=None):
    """Runs the vigie binary; returns the CompletedProcess (text mode)."""
    cmd = [BIN, *args]
    if db:
        cmd += ["--db", db_arg(db)]
    p = subprocess.run(cmd, capture_output=True, text=True, input=input, timeout=120,
                       env=env)
    if check and p.returncode != 0:
        raise AssertionError(f"{cmd} exited {p.returncode}: {p.stderr}")
    return p


class Server:
    """A running `vigie serve` with an admin token and request helpers."""

    def __init__(self, db, extra=(), log=None):
        self.db = db
        self.logpath = log or str(db) + ".log"  # a PostgreSQL URI names no file: give log
        self.admin = run("init", db=db).stdout.strip()
        self.extra = list(extra)
        self.start()

    def start(self):
        # a Server made with __new__ (a second server on a database) has no logpath
        self.log = open(getattr(self, "logpath", None) or str(self.db) + ".log", "a+")
        self.proc = subprocess.Popen(
            [BIN, "serve", "--db", db_arg(self.db), "--listen", "127.0.0.1:0", *self.extra],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 60
        line = ""
        while time.time() < deadline:
            line = self.proc.stderr.readline()
            m = re.search(r"listening on (http://127\.0\.0\.1:(\d+))", line)
            if m:
                self.url = m.group(1)
                self.port = int(m.group(2))
                break
            if not line and self.proc.poll() is not None:
                raise AssertionError("server exited early")
        else:
            raise AssertionError("server did not start: " + line)
        self.s = requests.Session()

    def stop(self, sig=signal.SIGTERM):
        self.s.close()
        self.proc.send_signal(sig)
        rc = self.proc.wait(timeout=60)
        err = self.proc.stderr.read()
        self.proc.stderr.close()
        self.log.close()
        return rc, err

    def req(self, method, path, token=None, **kw):
        headers = kw.pop("headers", {})
        tok = self.admin if token is None else token
        if tok:
            headers["Authorization"] = "Bearer " + tok
        if "data" in kw and path.startswith("/api/v1/events") and \
                not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = "application/x-ndjson"  # as vigie's clients send it
        return self.s.request(method, self.url + path, headers=headers, timeout=60, **kw)

    def get(self, path, **kw):
        return self.req("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.req("POST", path, json=body, **kw)

    def patch(self, path, body=None, **kw):
        return self.req("PATCH", path, json=body, **kw)

    def token(self, user, role):
        return run("token", "create", "--user", user, "--role", role, db=self.db).stdout.strip()


@pytest.fixture
def server(tmp_path):
    srv = Server(tmp_path / "vigie.db", extra=["--report-rate", "100000"])
    yield srv
    rc, err = srv.stop()
    assert rc == 0, f"server exited {rc} on SIGTERM: {err[-3000:]}"


USER_PASSWORD = "correct horse battery"


@pytest.fixture
def user_server(request, tmp_path):
    """A server (with the serve options of an indirect parameter, if any) and an analyst
    "dana" whose password is USER_PASSWORD: for logins."""
    extra = getattr(request, "param", [])
    srv = Server(tmp_path / "vigie.db", extra=["--report-rate", "100000", *extra])
    r = srv.post("/api/v1/users", {"name": "dana", "role": "analyst", "password": USER_PASSWORD})
    assert r.status_code == 201, r.text
    yield srv
    rc, err = srv.stop()
    assert rc == 0, f"server exited {rc} on SIGTERM: {err[-3000:]}"


def make_org(srv, name, kind="ministry", domains=(), cidrs=(), **extra):
    body = {"name": name, "kind": kind, "sector": "government",
            "assets": {"domains": list(domains), "cidrs": list(cidrs), "products": []}}
    body.update(extra)
    r = srv.post("/api/v1/orgs", body)
    assert r.status_code == 201, r.text
    return r.json()


def make_incident(srv, observables=(), **fields):
    body = {"title": "t", "class": "malicious-code", "type": "infected-system"}
    body.update(fields)
    if observables:
        body["observables"] = [o if isinstance(o, dict) else {"value": o} for o in observables]
    r = srv.post("/api/v1/incidents", body)
    assert r.status_code == 201, r.text
    return r.json()


# The web console (issue 14): a requests session logged in through the login form, and the
# CSRF token its pages carry.
CSRF_RE = re.compile(r'name="csrf" value="([0-9a-f]{64})"')


def csrf_of(html):
    """The CSRF token of a console page (its forms' hidden field)."""
    m = CSRF_RE.search(html)
    assert m, "no CSRF field in the page"
    return m.group(1)


def add_user(srv, name, role, password=USER_PASSWORD):
    r = srv.post("/api/v1/users", {"name": name, "role": role, "password": password})
    assert r.status_code == 201, r.text
    return r.json()


def web_login(srv, name, password=USER_PASSWORD, page="/console/"):
    """A requests.Session logged in to the console as name (its cookie set); .csrf holds the
    CSRF token of its session, read from a console page (its home by default)."""
    s = requests.Session()
    r = s.post(srv.url + "/console/login", data={"name": name, "password": password},
               allow_redirects=False, timeout=60)
    assert r.status_code == 303, r.text[:2000]
    r = s.get(srv.url + page, timeout=60)
    assert r.status_code == 200, r.text[:2000]
    s.csrf = csrf_of(r.text)
    s.base = srv.url
    return s
