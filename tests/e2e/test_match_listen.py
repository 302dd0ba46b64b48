"""End-to-end tests of `vigie match --listen unix:PATH` (issue 17, Suricata's socket output:
eve-log with filetype unix_stream): the real binary listens on a Unix socket, the tests connect
as sensors (several at once) and write EVE lines; what it prints and, with --record, the
sightings stored (SQLite, or PostgreSQL in the pg pass through conftest's db_arg) are compared
with a one-shot `vigie match` over the same lines. A sensor sending garbage or an over-long line
keeps its connection; a database held locked makes the bounded queue drop lines, counted, while
the sensors' writes still complete."""
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time

import pytest

from conftest import BIN, Server, connect, db_arg, is_uri, run, sql, wait_for

IOCS = "domain-name evil.example\nipv4-addr 203.0.113.0/24\nurl http://bad.example/x\n"


def event(i, sensor=0):
    """Event number i: about one in three hits a domain, one in five an address."""
    host = f"h{i}.evil.example" if i % 3 == 0 else f"h{i}.fine.example"
    dest = f"203.0.113.{i % 250}" if i % 5 == 0 else f"192.0.2.{i % 250}"
    return json.dumps({"timestamp": f"2026-12-01T10:{i // 60 % 60:02d}:{i % 60:02d}.000000+0000",
                       "src_ip": f"10.0.{sensor}.1", "dest_ip": dest,
                       "dns": {"rrname": host}, "n": i}) + "\n"


def events(a, b, sensor=0):
    return "".join(event(i, sensor) for i in range(a, b))


@pytest.fixture
def sock_dir():
    d = tempfile.mkdtemp(prefix="vgl.", dir="/tmp")  # a socket path is at most 107 bytes
    yield d
    shutil.rmtree(d, ignore_errors=True)


class Listener:
    """A running `vigie match --listen`, its output going to files the test reads."""

    def __init__(self, tmp_path, path, extra=(), iocs=True, name="l"):
        self.path = path
        self.out = tmp_path / f"{name}.out"
        self.err = tmp_path / f"{name}.err"
        cmd = [BIN, "match", "--listen", "unix:" + path, "--threads", "2", "--stats", *extra]
        if iocs:
            cmd += ["--indicators", str(tmp_path / "iocs.txt")]
        with open(self.out, "wb") as o, open(self.err, "wb") as e:
            self.proc = subprocess.Popen(cmd, stdout=o, stderr=e)

    def wait_listening(self):
        # (a connection made to see whether it listens would count as a sensor's)
        wait_for(lambda: "listening on unix:" in self.stderr() or self.proc.poll() is not None,
                 timeout=15, what="the socket")
        assert self.proc.poll() is None, self.stderr()

    def lines(self):
        return [x for x in self.out.read_text().split("\n") if x]

    def stderr(self):
        return self.err.read_text()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=30)

    def stats(self):
        return json.loads(self.stderr().splitlines()[-1])


@pytest.fixture
def listener(tmp_path):
    (tmp_path / "iocs.txt").write_text(IOCS)
    started = []

    def start(*args, **kw):
        x = Listener(tmp_path, *args, **kw)
        started.append(x)
        x.wait_listening()
        return x
    yield start
    for x in started:
        if x.proc.poll() is None:
            x.proc.kill()
            x.proc.wait()


def sensor(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s


def write_all(socks_and_data):
    """Sends each (socket, bytes) at the same time, in pieces cut anywhere (a line spans
    sends), from one thread per socket; returns when all are sent."""
    def send(s, data):
        for k in range(0, len(data), 4093):
            s.sendall(data[k:k + 4093])
    threads = [threading.Thread(target=send, args=sd) for sd in socks_and_data]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a sensor's writes did not complete"


def one_shot(tmp_path, log, *extra):
    p = subprocess.run([BIN, "match", *extra, str(log)], capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return [json.loads(x) for x in p.stdout.decode().splitlines()]


def stored_db(tmp_path, name):
    db = tmp_path / name
    run("init", db=db)
    run("ioc", "import", str(tmp_path / "iocs.txt"), db=db)
    return db


def sightings(db, source=True):
    """The sightings stored, as a sorted list (a multiset: a repeat shows)."""
    rows = sql(db, "SELECT i.value, s.org_id, s.seen, s.value, s.field, s.source "
                   "FROM sighting s JOIN indicator i ON i.id = s.indicator_id")
    return sorted(r if source else r[:5] for r in rows)


def count(db):
    return sql(db, "SELECT count(*) FROM sighting")[0][0]


def test_two_sensors_at_once_print_what_one_shot_prints(tmp_path, sock_dir, listener):
    path = os.path.join(sock_dir, "eve.sock")
    lst = listener(path)
    assert oct(os.stat(path).st_mode & 0o777) == "0o660"
    a, b = sensor(path), sensor(path)
    da, db_ = events(0, 3000, 1), events(3000, 6000, 2)
    write_all([(a, da.encode()), (b, db_.encode())])
    a.close()
    b.close()
    per = {}
    for name, data in (("a", da), ("b", db_)):
        (tmp_path / name).write_text(data)
        per[name] = one_shot(tmp_path, tmp_path / name, "--indicators", str(tmp_path / "iocs.txt"))
    want = len(per["a"]) + len(per["b"])
    wait_for(lambda: len(lst.lines()) >= want, timeout=20, what=f"{want} hits printed")
    assert lst.stop() == 0
    got = [json.loads(x) for x in lst.lines()]
    assert len(got) == want
    files = sorted({h["file"] for h in got})
    assert files == [f"unix:{path}#1", f"unix:{path}#2"]
    # each connection's hits are the one-shot hits of what it sent, its lines counted from 1
    by_file = {f: [{k: v for k, v in h.items() if k != "file"} for h in got if h["file"] == f]
               for f in files}
    first = by_file[files[0]]
    a_is_first = first[0] in per["a"]
    assert by_file[files[0]] == per["a" if a_is_first else "b"]
    assert by_file[files[1]] == per["b" if a_is_first else "a"]
    st = lst.stats()
    assert st["listen"]["connections"] == 2 and st["listen"]["lines"] == 6000
    assert st["listen"]["dropped"] == 0 and st["listen"]["malformed"] == 0
    assert st["hits"] == want and st["events"] == 6000
    assert [c["lines"] for c in st["listen"]["per_connection"]] == [3000, 3000]
    assert not os.path.exists(path)  # the socket file is removed at the end


def test_two_sensors_record_the_sightings_of_a_one_shot_record(tmp_path, sock_dir, listener):
    (tmp_path / "iocs.txt").write_text(IOCS)
    db, ref = stored_db(tmp_path, "listen.db"), stored_db(tmp_path, "ref.db")
    path = os.path.join(sock_dir, "eve.sock")
    lst = listener(path, extra=["--db", db_arg(db), "--record"], iocs=False)
    a, b = sensor(path), sensor(path)
    da, db_ = events(0, 7000, 1), events(7000, 14000, 2)
    write_all([(a, da.encode()), (b, db_.encode())])
    a.close()
    b.close()
    (tmp_path / "all.json").write_text(da + db_)
    one_shot(tmp_path, tmp_path / "all.json", "--db", db_arg(ref), "--record")
    want = count(ref)
    wait_for(lambda: count(db) >= want, timeout=20, what=f"{want} sightings stored")
    assert lst.stop() == 0
    assert sightings(db, source=False) == sightings(ref, source=False)
    # sources: the connection and the line in it
    srcs = {r[5].rsplit(":", 1)[0] for r in sightings(db)}
    assert srcs == {f"unix:{path}#1", f"unix:{path}#2"}
    lines = sorted(int(r[5].rsplit(":", 1)[1]) for r in sightings(db))
    assert lines[0] >= 1 and lines[-1] <= 7000
    summary = json.loads(lst.stderr().splitlines()[-2])
    assert summary["sightings"] == want
    st = lst.stats()
    assert st["listen"]["lines"] == 14000 and st["listen"]["dropped"] == 0
    assert st["listen"]["batches"] >= 3  # at most 5000 lines per batch
    assert 0 <= st["listen"]["latency_ms"]["p50"] <= st["listen"]["latency_ms"]["p99"]


def test_garbage_and_an_overlong_line_are_reported_and_the_connection_goes_on(
        tmp_path, sock_dir, listener):
    path = os.path.join(sock_dir, "eve.sock")
    lst = listener(path)
    bad, good = sensor(path), sensor(path)
    # bad: an event, garbage, a line of 1 MiB + 1 byte (over VG_MAX_LINE), an event; a line of
    # exactly 1 MiB is not over the limit (malformed JSON, but not skipped as too long)
    long_line = b"x" * (1024 * 1024 + 1) + b"\n"
    limit_line = b"y" * (1024 * 1024) + b"\n"
    data = (event(3).encode() + b"not json at all\n" + long_line + event(6).encode() +
            limit_line + b"z" * (3 * 1024 * 1024) + b"\n" + event(9).encode())
    write_all([(bad, data), (good, events(0, 300).encode())])
    want_good = len(one_shot(tmp_path, _write(tmp_path, "g", events(0, 300)),
                             "--indicators", str(tmp_path / "iocs.txt")))
    wait_for(lambda: len(lst.lines()) >= want_good + 3, timeout=20, what="the hits")
    bad.close()
    good.close()
    assert lst.stop() == 0
    hits = [json.loads(x) for x in lst.lines()]
    bad_hits = [(h["line"], h["value"]) for h in hits if h["file"].endswith("#1")]
    assert bad_hits == [(1, "h3.evil.example"), (4, "h6.evil.example"),
                        (7, "h9.evil.example")]
    err = lst.stderr()
    assert f"unix:{path}#1:2: malformed JSON" in err
    assert f"unix:{path}#1:3: line longer than 1048576 bytes, skipped" in err
    assert f"unix:{path}#1:5: malformed JSON" in err  # at the limit: read, not skipped
    assert f"unix:{path}#1:6: line longer than 1048576 bytes, skipped" in err
    st = lst.stats()["listen"]
    assert st["malformed"] == 4 and st["too_long"] == 2 and st["lines"] == 307
    assert st["per_connection"][0]["too_long"] == 2 and st["per_connection"][1]["too_long"] == 0


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return p


def hold_write_lock(db):
    """A connection holding the database's write lock on sightings (SQLite: BEGIN IMMEDIATE;
    PostgreSQL: LOCK TABLE sighting); COMMIT it to release."""
    if is_uri(db_arg(db)):
        con = connect(db)
        con.execute("BEGIN")
        con.execute("LOCK TABLE sighting IN EXCLUSIVE MODE")
    else:
        con = sqlite3.connect(db_arg(db), isolation_level=None)
        con.execute("BEGIN IMMEDIATE")
    return con


def test_a_locked_database_fills_the_queue_lines_dropped_and_counted_writes_complete(
        tmp_path, sock_dir, listener):
    (tmp_path / "iocs.txt").write_text(IOCS)
    db = stored_db(tmp_path, "listen.db")
    path = os.path.join(sock_dir, "eve.sock")
    lst = listener(path, extra=["--db", db_arg(db), "--record", "--queue", "500"], iocs=False)
    lock = hold_write_lock(db)
    try:
        s = sensor(path)
        s.sendall(events(0, 100).encode())  # taken by the matcher, which then waits on the lock
        time.sleep(0.3)
        t0 = time.monotonic()
        write_all([(s, events(100, 20000).encode())])
        sent_in = time.monotonic() - t0
        # the readers kept reading while the matcher waited: the queue is full, lines dropped
        assert count(db) == 0
    finally:
        lock.execute("COMMIT")
        lock.close()
    assert sent_in < 5, f"the sensor's writes took {sent_in:.1f} s"
    s.close()
    wait_for(lambda: count(db) > 0, timeout=20, what="sightings once the lock is gone")
    time.sleep(0.3)
    assert lst.stop() == 0
    st = lst.stats()
    ls = st["listen"]
    assert ls["lines"] == 20000 and ls["dropped"] > 10000
    assert ls["per_connection"][0]["dropped"] == ls["dropped"]
    assert st["events"] == 20000 - ls["dropped"]  # what was not dropped was matched
    assert count(db) == st["hits"]  # and recorded
    assert json.loads(lst.stderr().splitlines()[-2])["sightings"] == count(db)


def test_a_live_socket_is_refused_a_stale_one_replaced(tmp_path, sock_dir, listener):
    path = os.path.join(sock_dir, "eve.sock")
    lst = listener(path)
    p = subprocess.run([BIN, "match", "--indicators", str(tmp_path / "iocs.txt"),
                        "--listen", "unix:" + path], capture_output=True, text=True, timeout=30)
    assert p.returncode == 1 and f"{path}: another process listens on it" in p.stderr
    lst.proc.kill()  # SIGKILL: the socket file stays behind, stale
    lst.proc.wait()
    assert os.path.exists(path)
    lst2 = listener(path, name="l2")
    s = sensor(path)
    s.sendall(event(3).encode())
    wait_for(lambda: lst2.lines(), timeout=15, what="a hit")
    s.close()
    assert lst2.stop() == 0
    plain = os.path.join(sock_dir, "file")
    with open(plain, "w") as f:
        f.write("x")
    p = subprocess.run([BIN, "match", "--indicators", str(tmp_path / "iocs.txt"),
                        "--listen", "unix:" + plain], capture_output=True, text=True, timeout=30)
    assert p.returncode == 1 and "exists and is not a socket" in p.stderr
    assert open(plain).read() == "x"


@pytest.mark.parametrize("args, message", [
    (["--listen", "/x.sock"], "--listen is unix:PATH"),
    (["--listen", "unix:"], "--listen is unix:PATH"),
    (["--listen", "unix:/tmp/x.sock", "x.log"], "--listen reads the socket only"),
    (["--listen", "unix:/tmp/x.sock", "--follow"], "--listen reads the socket only"),
    (["--queue", "10", "x.log"], "--queue needs --listen"),
    (["--busy-timeout", "10", "x.log"], "--busy-timeout needs --db"),
    (["--db", "x.db", "--busy-timeout", "0", "x.log"], "--busy-timeout must be 1 to"),
    (["--listen", "unix:/tmp/x.sock", "--queue", "0"], "--queue is a number of lines"),
])
def test_listen_usage_errors(tmp_path, args, message):
    (tmp_path / "iocs.txt").write_text(IOCS)
    p = subprocess.run([BIN, "match", "--indicators", str(tmp_path / "iocs.txt"), *args],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 2 and message in p.stderr


# ---- vigie serve --eve-socket ----

def health(srv):
    r = srv.get("/api/v1/health", token="")
    assert r.status_code == 200
    return r.json()


def test_serve_eve_socket_records_as_one_shot_and_health_counts(tmp_path, sock_dir):
    (tmp_path / "iocs.txt").write_text(IOCS)
    path = os.path.join(sock_dir, "eve.sock")
    db, ref = tmp_path / "vigie.db", stored_db(tmp_path, "ref.db")
    srv = Server(db, extra=["--eve-socket", path], log=str(tmp_path / "srv.log"))
    try:
        assert oct(os.stat(path).st_mode & 0o777) == "0o660"
        run("ioc", "import", str(tmp_path / "iocs.txt"), db=db)
        assert health(srv)["eve_socket"] == {"connections": 0, "lines": 0, "dropped": 0,
                                             "malformed": 0, "lost": 0}
        a, b = sensor(path), sensor(path)
        da, db_ = events(0, 6000, 1), events(6000, 12000, 2)
        write_all([(a, da.encode() + b"garbage\n"), (b, db_.encode())])
        (tmp_path / "all.json").write_text(da + db_)
        one_shot(tmp_path, tmp_path / "all.json", "--db", db_arg(ref), "--record")
        want = count(ref)
        wait_for(lambda: count(db) >= want, timeout=20, what=f"{want} sightings stored")
        assert sightings(db, source=False) == sightings(ref, source=False)
        assert {r[5].rsplit(":", 1)[0] for r in sightings(db)} == {f"unix:{path}#1",
                                                                   f"unix:{path}#2"}
        # the alerts the sightings count in, through the API
        alerts = srv.get("/api/v1/alerts").json()
        assert sum(x["count"] for x in alerts["items"]) == want
        wait_for(lambda: health(srv)["eve_socket"]["malformed"] == 1, timeout=10,
                 what="the garbage counted")
        assert health(srv)["eve_socket"] == {"connections": 2, "lines": 12001, "dropped": 0,
                                             "malformed": 1, "lost": 0}
        # an indicator imported while the server runs matches the next events (the server's
        # index is reloaded when the indicators change)
        (tmp_path / "more.txt").write_text("domain-name fine.example\n")
        run("ioc", "import", str(tmp_path / "more.txt"), db=db)
        a.sendall(events(20000, 20010, 1).encode())
        wait_for(lambda: sql(db, "SELECT count(*) FROM sighting s JOIN indicator i ON "
                                 "i.id = s.indicator_id WHERE i.value = 'fine.example'")[0][0] > 0,
                 timeout=10, what="the new indicator's sightings")
        a.close()
        b.close()
    finally:
        rc, err = srv.stop()
    assert rc == 0, err[-2000:]
    assert not os.path.exists(path)


def test_serve_without_eve_socket_has_no_counts(server):
    assert "eve_socket" not in health(server)


def test_serve_eve_socket_on_a_plain_file_is_refused(tmp_path, sock_dir):
    plain = os.path.join(sock_dir, "file")
    with open(plain, "w") as f:
        f.write("x")
    db = tmp_path / "vigie.db"
    run("init", db=db)
    p = subprocess.run([BIN, "serve", "--db", db_arg(db), "--listen", "127.0.0.1:0",
                        "--eve-socket", plain], capture_output=True, text=True, timeout=30)
    assert p.returncode == 1 and "--eve-socket" in p.stderr and "not a socket" in p.stderr


def test_a_lock_past_the_busy_timeout_retries_the_batch_nothing_lost(tmp_path, sock_dir,
                                                                     listener):
    (tmp_path / "iocs.txt").write_text(IOCS)
    db, ref = stored_db(tmp_path, "listen.db"), stored_db(tmp_path, "ref.db")
    path = os.path.join(sock_dir, "eve.sock")
    lst = listener(path, extra=["--db", db_arg(db), "--record", "--busy-timeout", "100"],
                   iocs=False)
    lock = hold_write_lock(db)
    try:
        s = sensor(path)
        s.sendall(events(0, 3000).encode())
        wait_for(lambda: "tried again" in lst.stderr(), timeout=15, what="a retry")
        assert count(db) == 0
    finally:
        lock.execute("COMMIT")
        lock.close()
    s.sendall(events(3000, 4000).encode())
    s.close()
    (tmp_path / "all.json").write_text(events(0, 4000))
    one_shot(tmp_path, tmp_path / "all.json", "--db", db_arg(ref), "--record")
    wait_for(lambda: count(db) >= count(ref), timeout=15, what="all sightings stored")
    assert lst.stop() == 0
    assert sightings(db, source=False) == sightings(ref, source=False)
    st = lst.stats()
    assert st["listen"]["dropped"] == 0 and st["events"] == 4000  # counted once, not per try


def dns_event(host, n):
    return (json.dumps({"timestamp": "2026-12-01T10:00:00.000000+0000", "src_ip": "10.0.9.1",
                        "dest_ip": "192.0.2.9", "dns": {"rrname": host}, "n": n}) + "\n").encode()


def test_listen_reloads_the_stored_indicators_between_batches(tmp_path, sock_dir, listener):
    (tmp_path / "iocs.txt").write_text(IOCS)
    db = stored_db(tmp_path, "live.db")
    path = sock_dir + "/eve.sock"
    x = listener(path, extra=["--db", db_arg(db), "--record"], iocs=False)
    s = sensor(path)
    s.sendall(dns_event("late.example", 1) + dns_event("h0.evil.example", 2))
    wait_for(lambda: count(db) == 1, timeout=10, what="the first hit recorded")
    assert "indicators reloaded" not in x.stderr()
    (tmp_path / "late.txt").write_text("domain-name late.example\n")
    t0 = time.monotonic()
    run("ioc", "import", str(tmp_path / "late.txt"), db=db)
    wait_for(lambda: "indicators reloaded: 4" in x.stderr(), timeout=10, what="the reload")
    took = time.monotonic() - t0
    assert took < 1.6, f"reloaded {took:.2f} s after the import"
    s.sendall(dns_event("late.example", 3))
    wait_for(lambda: count(db) == 2, timeout=10, what="the new indicator's sighting")
    got = sql(db, "SELECT i.value, s.source FROM sighting s JOIN indicator i "
                  "ON i.id = s.indicator_id ORDER BY s.id")
    assert [tuple(r) for r in got] == [("evil.example", f"unix:{path}#1:2"),
                                       ("late.example", f"unix:{path}#1:3")]
    s.close()
    assert x.stop() == 0


def test_listen_sighup_rereads_the_indicator_files(tmp_path, sock_dir, listener):
    path = sock_dir + "/eve.sock"
    x = listener(path)
    s = sensor(path)
    s.sendall(dns_event("late.example", 1) + dns_event("h0.evil.example", 2))
    wait_for(lambda: len(x.lines()) == 1, timeout=10, what="the first hit")
    (tmp_path / "iocs.txt").write_text(IOCS + "domain-name late.example\n")
    x.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: "indicators reloaded: 4" in x.stderr(), timeout=10, what="the reload")
    s.sendall(dns_event("late.example", 3))
    wait_for(lambda: len(x.lines()) == 2, timeout=10, what="the new indicator's hit")
    hit = json.loads(x.lines()[1])
    assert hit["indicator"] == "late.example" and hit["line"] == 3
    s.close()
    assert x.stop() == 0


def _smaps_field(pid, name):
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith(name + ":"):
                return int(line.split()[1])
    return None


def test_no_huge_page_is_taken_before_a_command_asks(tmp_path, sock_dir, listener):
    """The release binary's allocator (jemalloc, thp:always) makes its first extents before
    main() runs, from the libraries' constructors: with huge pages still allowed they held 6 MB
    of resident memory (three 2 MiB pages) that `vigie match` never used. main.c turns them off
    in a .preinit_array function, before any constructor; only bulk commands turn them on."""
    lst = listener(os.path.join(sock_dir, "s"))
    pid = lst.proc.pid
    with open(f"/proc/{pid}/maps") as f:
        maps = f.read()
    if "libjemalloc" not in maps:
        pytest.skip("this binary does not allocate with jemalloc (a sanitizer build)")
    with open("/sys/kernel/mm/transparent_hugepage/enabled") as f:
        if "[never]" in f.read():
            pytest.skip("transparent huge pages are off on this machine")
    with open(f"/proc/{pid}/status") as f:
        assert "THP_enabled:\t0" in f.read()
    assert _smaps_field(pid, "AnonHugePages") == 0
