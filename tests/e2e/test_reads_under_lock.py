"""Reads while another process holds the database's write lock (issue 11, item 3). A Python
sqlite3 connection holds BEGIN EXCLUSIVE on the server's file (in WAL mode, readers go on); a
write waits for the lock on the database thread. GETs are served by the reader thread from
their own read transaction: they answer, with the right content, while the write is still
pending, and the write then answers 503 busy with Retry-After. What is asserted is the order
of completion and the answers, not durations."""
import sqlite3
import threading
import time

import pytest
import requests

from conftest import make_incident

INCIDENT = {"title": "while locked", "class": "malicious-code", "type": "infected-system",
            "observables": [{"value": "192.0.2.7"}]}


class Pending:
    """A request run on a thread of its own; done is set when its answer is in."""

    def __init__(self, srv, method, path, body=None):
        self.answer = None
        self.error = None
        self.done = threading.Event()

        def go():
            try:
                self.answer = requests.request(
                    method, srv.url + path, json=body, timeout=60,
                    headers={"Authorization": "Bearer " + srv.admin})
            except Exception as e:  # reported by the test, not lost in the thread
                self.error = e
            self.done.set()

        self.thread = threading.Thread(target=go, daemon=True)
        self.thread.start()

    def wait(self):
        assert self.done.wait(60), "no answer within 60 s"
        assert self.error is None, self.error
        return self.answer


def hold_lock(db, mode="EXCLUSIVE"):
    """Another process's connection holding the write lock of db (the caller rolls it back)."""
    holder = sqlite3.connect(str(db), timeout=1, isolation_level=None)
    holder.execute(f"BEGIN {mode}")
    # a write of its own, uncommitted: the lock is really held, and readers must not see it
    holder.execute("UPDATE incident SET title = 'uncommitted' WHERE id = 1")
    return holder


@pytest.mark.sqlite_only("SQLite's file lock held by another process (BEGIN EXCLUSIVE)")
def test_reads_answer_while_a_write_waits_for_the_lock(server):
    inc = make_incident(server, observables=["192.0.2.7", "evil.example"], title="before")
    ref = inc["ref"]
    other = make_incident(server, observables=["192.0.2.7"], title="other")
    holder = hold_lock(server.db)
    try:
        write = Pending(server, "POST", "/api/v1/incidents", INCIDENT)
        # the write is sent first; give it time to reach the database thread, which then
        # waits for the lock (10 s): the reads below arrive while it waits
        time.sleep(0.5)
        assert not write.done.is_set(), "the write did not wait for the lock"
        reads = []
        with requests.Session() as s:
            auth = {"Authorization": "Bearer " + server.admin}
            for _ in range(3):
                h = s.get(server.url + "/api/v1/health", timeout=60)
                assert h.status_code == 200, h.text
                assert h.json()["status"] == "ok"
                reads.append(h)
            r = s.get(server.url + f"/api/v1/incidents/{ref}", headers=auth, timeout=60)
            assert r.status_code == 200, r.text
            # the committed title, not the holder's uncommitted one
            assert r.json()["title"] == "before", r.text
            assert {o["value"] for o in r.json()["observables"]} == {"192.0.2.7",
                                                                     "evil.example"}
            listed = s.get(server.url + "/api/v1/incidents?limit=10", headers=auth, timeout=60)
            assert listed.status_code == 200, listed.text
            assert [i["ref"] for i in listed.json()["items"]] == [other["ref"], ref]
            rel = s.get(server.url + f"/api/v1/incidents/{ref}/related", headers=auth,
                        timeout=60)
            assert rel.status_code == 200, rel.text
            assert other["ref"] in rel.text, rel.text
        # every read completed while the write was still waiting for the lock
        assert not write.done.is_set(), "a read waited until the write was answered"
        w = write.wait()
        assert w.status_code == 503, w.text
        assert w.json()["error"]["code"] == "busy", w.text
        assert w.headers.get("Retry-After") == "1", w.headers
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    # lifted: the write goes through and is read back at once (read-your-writes across the
    # two threads)
    r = server.post("/api/v1/incidents", dict(INCIDENT, title="after"))
    assert r.status_code == 201, r.text
    got = server.get(f"/api/v1/incidents/{r.json()['ref']}")
    assert got.status_code == 200 and got.json()["title"] == "after", got.text
    listed = server.get("/api/v1/incidents?limit=10").json()["items"]
    assert [i["title"] for i in listed] == ["after", "other", "before"]


def test_a_write_answered_is_read_back_at_once(server):
    # each write is answered after its commit; the GET that follows, on the reader thread's
    # own connection, sees it (and a revoked token is refused there at once)
    for i in range(20):
        r = server.post("/api/v1/incidents", dict(INCIDENT, title=f"n{i}"))
        assert r.status_code == 201, r.text
        got = server.get(f"/api/v1/incidents/{r.json()['ref']}")
        assert got.status_code == 200 and got.json()["title"] == f"n{i}", got.text
    tok = server.post("/api/v1/tokens", {"label": "t"})
    assert tok.status_code == 201, tok.text
    secret, tid = tok.json()["token"], tok.json()["id"]
    assert server.get("/api/v1/me", token=secret).status_code == 200  # now cached by the reader
    d = server.req("DELETE", f"/api/v1/tokens/{tid}", token=secret)
    assert d.status_code in (200, 204), d.text
    r = server.get("/api/v1/me", token=secret)
    assert r.status_code == 401, r.text
    assert r.json()["error"]["code"] == "unauthorized"
