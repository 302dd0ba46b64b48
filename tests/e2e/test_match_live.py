"""End-to-end tests of live indicators (issue 17): a running `vigie match --follow` reloads its
indicators without stopping. With --db, `vigie serve` on the same database (SQLite, or
PostgreSQL in the pg pass through conftest's db_arg) adds, withdraws or lets expire an
indicator while the follower runs: the follower's index follows within about a second, and
--record stores the new indicator's sightings. With --indicators, SIGHUP re-reads the files,
and a reload that fails (garbage with --strict, a file gone) keeps the old index and says so.
Also `valid_until`, STIX's name for `expires`, at the API."""
import json
import signal
import subprocess
import time

import pytest

from conftest import BIN, db_arg, sql, wait_for

RELOADED = "vigie match: indicators reloaded: "
KEPT = "vigie match: indicators not reloaded, the previous ones kept: "


def dns(host, n=0):
    return json.dumps({"timestamp": "2026-12-01T10:00:00.000000+0000", "src_ip": "10.0.0.1",
                       "dest_ip": "192.0.2.1", "dns": {"rrname": host}, "n": n}) + "\n"


def stamp(t):
    """Epoch seconds t as vigie stores times."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


class Follower:
    """A running `vigie match --follow` on one log, its output in files the test reads."""

    def __init__(self, tmp_path, args):
        self.log = tmp_path / "eve.json"
        self.log.touch()
        self.out = tmp_path / "f.out"
        self.err = tmp_path / "f.err"
        self.n = 0
        with open(self.out, "wb") as o, open(self.err, "wb") as e:
            self.proc = subprocess.Popen([BIN, "match", "--follow", "--threads", "1", *args,
                                          str(self.log)], stdout=o, stderr=e)

    def hits(self):
        text = self.out.read_text()
        return [json.loads(x) for x in text.split("\n") if x]

    def values(self):
        return [h["value"] for h in self.hits()]

    def stderr(self):
        return self.err.read_text()

    def reloads(self):
        return self.stderr().count(RELOADED)

    def append(self, *hosts):
        with open(self.log, "a") as f:
            for h in hosts:
                self.n += 1
                f.write(dns(h, self.n))

    def probe(self, host, marker):
        """Appends an event for host and then one for marker (an indicator that always hits);
        returns whether host hit, once marker's hit is out (both were matched by then, with
        the same index: one piece)."""
        before = self.values().count(marker)
        seen = self.values().count(host)
        self.append(host, marker)
        wait_for(lambda: self.values().count(marker) > before, timeout=10,
                 what=f"the hit of {marker}")
        return self.values().count(host) > seen

    def wait_reloads(self, n):
        wait_for(lambda: self.reloads() >= n, timeout=10, what=f"{n} reloads")
        return time.monotonic()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=15)


@pytest.fixture
def follower_of(tmp_path):
    made = []

    def make(args):
        f = Follower(tmp_path, args)
        made.append(f)
        return f

    yield make
    for f in made:
        assert f.stop() == 0, f.stderr()


def sightings(db):
    return [tuple(r) for r in sql(db, "SELECT i.value, count(*) FROM sighting s JOIN indicator i "
                                      "ON i.id = s.indicator_id GROUP BY i.value "
                                      "ORDER BY i.value")]


def post_ok(server, body):
    r = server.post("/api/v1/indicators", body)
    assert r.status_code in (200, 201), r.text
    return r.json()


def test_added_withdrawn_and_expired_indicators_follow_the_database(server, follower_of):
    post_ok(server, {"value": "always.example"})
    f = follower_of(["--db", db_arg(server.db), "--record"])
    assert f.probe("new.example", "always.example") is False
    assert f.reloads() == 0

    # added through the API: matching within a second (the version is looked at every second)
    post_ok(server, {"value": "new.example"})
    t0 = time.monotonic()
    took = f.wait_reloads(1) - t0
    assert took < 1.5, f"reloaded {took:.2f} s after the import"
    assert RELOADED + "2\n" in f.stderr()
    assert f.probe("new.example", "always.example") is True
    # recorded with the new index: the sighting names the new indicator
    # (a hit is printed before its sighting commits)
    wait_for(lambda: sightings(server.db) == [("always.example", 2), ("new.example", 1)],
             timeout=10, what="the sightings of both indicators")

    # withdrawn (vigie has no deletion of indicators: an expiry in the past ends one)
    post_ok(server, {"value": "new.example", "expires": stamp(time.time() - 60)})
    t0 = time.monotonic()
    took = f.wait_reloads(2) - t0
    assert took < 1.5, f"reloaded {took:.2f} s after the withdrawal"
    assert RELOADED + "1\n" in f.stderr()
    assert f.probe("new.example", "always.example") is False

    # expiring two seconds ahead (given as valid_until): hits until then, not after
    exp = int(time.time()) + 2
    post_ok(server, {"value": "brief.example", "valid_until": stamp(exp)})
    f.wait_reloads(3)
    assert f.probe("brief.example", "always.example") is True
    n = f.reloads()
    wait_for(lambda: f.reloads() > n, timeout=10, what="the reload at the expiry")
    late = time.time() - exp
    assert -0.05 < late < 1.5, f"reloaded {late:.2f} s after the expiry"
    assert f.probe("brief.example", "always.example") is False
    assert KEPT not in f.stderr()
    assert f.stop() == 0
    assert sightings(server.db) == [("always.example", 5), ("brief.example", 1),
                                    ("new.example", 1)]


def test_no_reload_while_the_indicators_do_not_change(server, follower_of):
    post_ok(server, {"value": "always.example"})
    f = follower_of(["--db", db_arg(server.db)])
    assert f.probe("x.example", "always.example") is False
    # an organisation made (a write, not an indicator) and 1.5 polls: the same index
    r = server.post("/api/v1/orgs", {"name": "Org A", "kind": "ministry"})
    assert r.status_code == 201, r.text
    time.sleep(1.5)
    assert f.probe("x.example", "always.example") is False
    if not db_arg(server.db).startswith("postgresql"):
        return  # on SQLite any commit by another process counts as a change (see MATCH.md)
    assert f.reloads() == 0


def test_sighup_rereads_the_indicator_files(tmp_path, follower_of):
    iocs = tmp_path / "iocs.txt"
    iocs.write_text("domain-name always.example\n")
    f = follower_of(["--indicators", str(iocs)])
    assert f.probe("late.example", "always.example") is False
    iocs.write_text("domain-name always.example\ndomain-name late.example\n")
    # files are not watched: without SIGHUP the index stays
    time.sleep(1.2)
    assert f.probe("late.example", "always.example") is False
    assert f.reloads() == 0
    f.proc.send_signal(signal.SIGHUP)
    t0 = time.monotonic()
    took = f.wait_reloads(1) - t0
    assert took < 0.5, f"reloaded {took:.2f} s after SIGHUP"
    assert RELOADED + "2\n" in f.stderr()
    assert f.probe("late.example", "always.example") is True


def test_a_failed_reload_keeps_the_old_index(tmp_path, follower_of):
    iocs = tmp_path / "iocs.txt"
    iocs.write_text("domain-name always.example\ndomain-name kept.example\n")
    f = follower_of(["--strict", "--indicators", str(iocs)])
    assert f.probe("kept.example", "always.example") is True

    # garbage with --strict: reported, the old index goes on matching
    iocs.write_text("domain-name always.example\nthis is not an indicator\n")
    f.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: KEPT in f.stderr(), timeout=10, what="the failure reported")
    assert "iocs.txt: invalid indicator line (--strict)" in f.stderr()
    assert f.probe("kept.example", "always.example") is True
    # the file gone: the same
    iocs.unlink()
    f.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: f.stderr().count(KEPT) == 2, timeout=10, what="the second failure")
    assert "No such file or directory" in f.stderr()
    assert f.probe("kept.example", "always.example") is True
    assert f.reloads() == 0
    # a good file again: reloaded
    iocs.write_text("domain-name always.example\n")
    f.proc.send_signal(signal.SIGHUP)
    f.wait_reloads(1)
    assert f.probe("kept.example", "always.example") is False
    assert f.proc.poll() is None


def test_valid_until_is_expires(server):
    r = server.post("/api/v1/indicators", {"value": "a.example",
                                           "valid_until": "2030-01-02T03:04:05+01:00"})
    assert r.status_code == 201, r.text
    assert r.json()["expires"] == "2030-01-02T02:04:05Z" and "valid_until" not in r.json()
    # both, the same instant written two ways: taken
    r = server.post("/api/v1/indicators", {"value": "b.example",
                                           "expires": "2030-01-02T02:04:05Z",
                                           "valid_until": "2030-01-02T03:04:05+01:00"})
    assert r.status_code == 201, r.text
    assert r.json()["expires"] == "2030-01-02T02:04:05Z"
    # both and different: refused, naming the field
    r = server.post("/api/v1/indicators", {"value": "c.example",
                                           "expires": "2030-01-02T02:04:05Z",
                                           "valid_until": "2030-01-02T02:04:06Z"})
    assert r.status_code == 400
    assert r.json()["error"]["field"] == "/valid_until"
    r = server.post("/api/v1/indicators", {"value": "c.example", "valid_until": "soon"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "/valid_until"
    # in a bulk import, the rejected one is named with its place
    r = server.post("/api/v1/indicators", {"indicators": [
        {"value": "d.example", "valid_until": "2030-01-01T00:00:00Z"},
        {"value": "e.example", "valid_until": "2030-01-01T00:00:00Z",
         "expires": "2031-01-01T00:00:00Z"}]})
    assert r.status_code in (200, 201), r.text
    assert r.json()["rejected"][0]["field"] == "/indicators/1/valid_until"
    got = server.get("/api/v1/indicators?limit=100").json()["items"]
    assert {i["value"]: i["expires"] for i in got} == {
        "a.example": "2030-01-02T02:04:05Z", "b.example": "2030-01-02T02:04:05Z",
        "d.example": "2030-01-01T00:00:00Z"}
