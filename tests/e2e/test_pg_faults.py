"""Failures of PostgreSQL under a running `vigie serve` (issue 16, "real components in tests"):
the database server restarted while clients create incidents, stopped for a while, vigie's
connections killed with pg_terminate_backend, a statement held up by a lock past the statement
timeout. Each time the requests that fail answer 503 "unavailable" with a clear message (never
500, never a hang, never a crash), the next ones succeed without restarting vigie, and every
write acknowledged (201) is in the database afterwards.

These tests restart and stop their cluster: they start one of their own (module-scoped), not
the session's shared one of pgcluster.py."""
import os
import subprocess
import tempfile
import threading
import time

import pytest
import requests

from conftest import Server, wait_for
from pgcluster import SCRIPT, pg_sql

INCIDENT = {"title": "t", "class": "fraud", "type": "phishing"}


def cluster_cmd(cmd, folder):
    r = subprocess.run(["sh", SCRIPT, cmd, folder], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, f"pgcluster.sh {cmd}: {r.stderr}"
    return r.stdout.strip()


@pytest.fixture(scope="module")
def cluster():
    """(folder, URI of the database "postgres") of a cluster of this module's own."""
    folder = tempfile.mkdtemp(prefix="vgpg.", dir="/tmp")
    try:
        uri = cluster_cmd("start", folder)
        yield folder, uri
    finally:
        subprocess.run(["sh", SCRIPT, "stop", folder], capture_output=True, timeout=60)


@pytest.fixture
def db(cluster, request):
    """(folder, URI) of a fresh database of the module's cluster (up again after the test)."""
    folder, uri = cluster
    name = "f_" + request.node.name.split("[")[0][5:40]
    pg_sql(uri, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    pg_sql(uri, f"CREATE DATABASE {name}")
    yield folder, uri.replace("/postgres?", f"/{name}?")
    if subprocess.run(["psql", "-X", "-d", uri, "-c", "SELECT 1"],
                      capture_output=True).returncode != 0:
        cluster_cmd("resume", folder)  # a test that failed while the server was stopped
    pg_sql(uri, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def srv(db, tmp_path):
    folder, uri = db
    s = Server(uri, log=str(tmp_path / "serve.log"))
    yield s
    assert s.proc.poll() is None, "vigie serve died"
    rc, err = s.stop()
    assert rc == 0, f"server exited {rc} on SIGTERM: {err[-3000:]}"


def unavailable(r):
    """Checks a refusal for a database that passes: 503, code "unavailable", a message
    naming the database, Retry-After, and nothing of the database's address."""
    assert r.status_code == 503, (r.status_code, r.text)
    err = r.json()["error"]
    assert err["code"] == "unavailable", err
    assert "database" in err["message"] and "try again" in err["message"], err
    assert "postgresql://" not in err["message"] and "/tmp/" not in err["message"], err
    assert r.headers.get("Retry-After") == "1"
    return err["message"]


def stored_refs(uri):
    return set(pg_sql(uri, "SELECT ref FROM incident").split())


class Load:
    """Client threads creating incidents through srv until stopped; keeps every answer
    (status, ref or error body, seconds taken)."""

    def __init__(self, srv, threads=3):
        self.srv, self.stop_ev, self.lock = srv, threading.Event(), threading.Lock()
        self.answers = []
        self.threads = [threading.Thread(target=self.work) for _ in range(threads)]
        for t in self.threads:
            t.start()

    def work(self):
        hdr = {"Authorization": "Bearer " + self.srv.admin}
        with requests.Session() as s:
            while not self.stop_ev.is_set():
                t0 = time.monotonic()
                try:
                    r = s.post(self.srv.url + "/api/v1/incidents", json=INCIDENT, headers=hdr,
                               timeout=30)
                    got = (r.status_code, r.json().get("ref") if r.status_code == 201 else r)
                except requests.RequestException as e:  # a hang or a cut: the test fails
                    got = (0, repr(e))
                with self.lock:
                    self.answers.append((*got, time.monotonic() - t0))

    def created(self):
        with self.lock:
            return sum(1 for a in self.answers if a[0] == 201)

    def finish(self):
        self.stop_ev.set()
        for t in self.threads:
            t.join(timeout=60)
        assert not any(t.is_alive() for t in self.threads), "a client hung"
        return self.answers


def test_restart_under_load_fails_with_503_then_recovers(srv, db):
    folder, uri = db
    load = Load(srv)
    try:
        wait_for(lambda: load.created() >= 30, what="30 creations before the restart")
        for _ in range(2):
            cluster_cmd("restart", folder)
            after = load.created()
            wait_for(lambda: load.created() >= after + 30, timeout=30,
                     what="creations to succeed again after the restart")
    finally:
        answers = load.finish()
    statuses = {a[0] for a in answers}
    assert statuses <= {201, 503}, [a for a in answers if a[0] not in (201, 503)][:3]
    for a in answers:
        if a[0] == 503:
            unavailable(a[1])
    assert max(a[2] for a in answers) < 15, "a request waited for the database too long"
    acked = {a[1] for a in answers if a[0] == 201}
    missing = acked - stored_refs(uri)
    assert not missing, f"acknowledged but lost: {sorted(missing)[:5]}"
    # the same server goes on: reads and writes
    r = srv.post("/api/v1/incidents", INCIDENT)
    assert r.status_code == 201, r.text
    assert srv.get(f"/api/v1/incidents/{r.json()['ref']}").status_code == 200


def test_database_stopped_then_started_again(srv, db):
    folder, uri = db
    ref = srv.post("/api/v1/incidents", INCIDENT).json()["ref"]
    cluster_cmd("halt", folder)
    try:
        # writes, reads, and the token check before them: 503, quickly, each time
        for _ in range(2):
            t0 = time.monotonic()
            msg = unavailable(srv.post("/api/v1/incidents", INCIDENT))
            assert "unavailable" in msg
            unavailable(srv.get(f"/api/v1/incidents/{ref}"))
            unavailable(srv.get("/api/v1/incidents"))
            unavailable(srv.post("/api/v1/login", {"name": "admin", "password": "x" * 12},
                                 token=""))
            assert time.monotonic() - t0 < 10
        assert srv.get("/api/v1/health", token="").status_code == 200  # the server is up
    finally:
        cluster_cmd("resume", folder)
    r = srv.post("/api/v1/incidents", INCIDENT)
    assert r.status_code == 201, r.text
    assert srv.get(f"/api/v1/incidents/{ref}").status_code == 200
    assert stored_refs(uri) == {ref, r.json()["ref"]}


def vigie_backends(uri):
    return pg_sql(uri, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'vigie' "
                       "AND datname = current_database()")


def test_terminated_connections_recover(srv, db):
    _, uri = db
    refs = [srv.post("/api/v1/incidents", INCIDENT).json()["ref"] for _ in range(3)]
    assert srv.get(f"/api/v1/incidents/{refs[0]}").status_code == 200
    assert int(vigie_backends(uri)) >= 2  # the database thread's and the reader's at least
    for rnd in range(3):
        killed = pg_sql(uri, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                             "WHERE application_name = 'vigie' AND datname = current_database()")
        assert int(killed) >= 2
        # at most one 503 (a request whose transaction was cut), then success
        for path, method in ((f"/api/v1/incidents/{refs[0]}", "get"),
                             ("/api/v1/incidents", "post")):
            r = getattr(srv, method)(path, INCIDENT) if method == "post" else srv.get(path)
            if r.status_code == 503:
                unavailable(r)
                r = getattr(srv, method)(path, INCIDENT) if method == "post" else srv.get(path)
            assert r.status_code in (200, 201), (rnd, path, r.status_code, r.text)
            if method == "post":
                refs.append(r.json()["ref"])
    assert stored_refs(uri) == set(refs)


def test_terminated_under_load_loses_no_acknowledged_write(srv, db):
    _, uri = db
    load = Load(srv)
    try:
        for _ in range(4):
            before = load.created()
            wait_for(lambda: load.created() >= before + 15, what="creations between kills")
            pg_sql(uri, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE application_name = 'vigie' AND datname = current_database()")
        after = load.created()
        wait_for(lambda: load.created() >= after + 15, what="creations after the last kill")
    finally:
        answers = load.finish()
    assert {a[0] for a in answers} <= {201, 503}
    for a in answers:
        if a[0] == 503:
            unavailable(a[1])
    acked = {a[1] for a in answers if a[0] == 201}
    assert acked <= stored_refs(uri)


def test_statement_timeout_answers_503_then_succeeds(db, tmp_path):
    """A lock held by another session: the request waits for it until the statement timeout
    (set in the URI here: options=-c statement_timeout=...), answers 503, and succeeds once
    the lock is released. The busy timeout (lock_timeout) is set longer, so that the statement
    timeout is what ends the wait."""
    folder, uri = db
    uri_t = uri + "&options=-c%20statement_timeout%3D700"
    s = Server(uri_t, extra=["--busy-timeout", "60000"], log=str(tmp_path / "serve.log"))
    holder = None
    try:
        ref = s.post("/api/v1/incidents", INCIDENT).json()["ref"]
        holder = subprocess.Popen(["psql", "-X", "-q", "-A", "-t", "-d", uri], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        holder.stdin.write("BEGIN;\nLOCK TABLE incident IN ACCESS EXCLUSIVE MODE;\n"
                           "SELECT 'locked';\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "locked"
        for call in (lambda: s.get(f"/api/v1/incidents/{ref}"),
                     lambda: s.post("/api/v1/incidents", INCIDENT)):
            t0 = time.monotonic()
            r = call()
            took = time.monotonic() - t0
            assert "timeout" in unavailable(r)
            assert 0.6 < took < 5, took
        holder.stdin.write("COMMIT;\n")
        holder.stdin.close()
        assert holder.wait(timeout=30) == 0
        assert s.get(f"/api/v1/incidents/{ref}").status_code == 200
        r = s.post("/api/v1/incidents", INCIDENT)
        assert r.status_code == 201, r.text
        assert stored_refs(uri) == {ref, r.json()["ref"]}
    finally:
        if holder and holder.poll() is None:
            holder.kill()
            holder.wait()
        assert s.proc.poll() is None, "vigie serve died"
        rc, err = s.stop()
        assert rc == 0, err[-3000:]
    assert os.path.exists(folder)
