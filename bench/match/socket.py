#!/usr/bin/python3
"""`vigie match --listen unix:PATH --db DB --record` (issue 17, Suricata's socket output): what
the socket sustains, on a fresh SQLite database (or the PostgreSQL database of --db URI, which
must be empty: it is initialised here).

  - flood: --sensors connections each write their share of --events EVE lines as fast as the
    socket takes them (the queue has room for all: none is dropped, what is measured is the
    matcher's pace); events per second from the first byte sent to the last sighting stored
    (counted in the database), the listener's CPU seconds (/proc/PID/stat: does not depend on
    the machine's load), lines dropped (none expected with the default queue);
  - paced: the sensors write --rate events per second in total (in 10 ms ticks) for
    --seconds; the latency of each line from its reader queueing it to its batch's commit
    (--stats's latency_ms: p50, p99, max) and the lines dropped. The targets of issue 17:
    >= 100,000 events/s sustained, p99 <= 100 ms.

About half the events hit (one in three a domain, one in five an address): each is a
sighting to store, so the database's writes dominate.

usage: /usr/bin/python3 bench/match/socket.py [--events N] [--sensors K] [--rate R]
                                              [--seconds S] [--db URI]
env: VIGIE_BIN (default ./vigie). Files go to a temporary folder, removed at the end."""
import os
import sys

# this file is named socket.py: its folder, first on the path, would shadow the module
sys.path = [p for p in sys.path
            if os.path.abspath(p or ".") != os.path.dirname(os.path.abspath(__file__))]
import argparse  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import sqlite3  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VIGIE = os.environ.get("VIGIE_BIN", os.path.join(ROOT, "vigie"))
# the events, indicators and CPU seconds of bench/match/follow.py
_spec = importlib.util.spec_from_file_location(
    "follow_bench", os.path.join(os.path.dirname(os.path.abspath(__file__)), "follow.py"))
follow = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(follow)
IOCS, event, cpu_seconds = follow.IOCS, follow.event, follow.cpu_seconds


def hits(a, b):
    return sum((i % 3 == 0) + (i % 5 == 0) for i in range(a, b))


def count(db):
    if db.startswith("postgres"):
        out = subprocess.run(["psql", "-X", "-At", "-c", "SELECT count(*) FROM sighting", db],
                             capture_output=True, text=True, check=True).stdout.split()
        return int(out[0])
    con = sqlite3.connect(db, timeout=30)
    try:
        return con.execute("SELECT count(*) FROM sighting").fetchone()[0]
    finally:
        con.close()


def vigie(*args):
    subprocess.run([VIGIE, *args], check=True, capture_output=True)


class Listener:
    def __init__(self, tmp, db, queue):
        self.path = os.path.join(tmp, "eve.sock")
        self.err = open(os.path.join(tmp, "listen.err"), "w+")
        self.proc = subprocess.Popen([VIGIE, "match", "--listen", "unix:" + self.path, "--db", db,
                                      "--record", "--stats", "--queue", str(queue)],
                                     stdout=subprocess.DEVNULL, stderr=self.err)
        LISTENERS.append(self.proc)
        end = time.monotonic() + 30
        while not os.path.exists(self.path):
            if time.monotonic() > end or self.proc.poll() is not None:
                sys.exit("the listener did not start")
            time.sleep(0.01)

    def stop(self):
        cpu = cpu_seconds(self.proc.pid)
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=300)
        self.err.seek(0)
        return cpu, json.loads(self.err.read().splitlines()[-1])


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s


LISTENERS = []  # killed at the end if still running (a failure)


def flood(tmp, db, n, k):
    base = count(db)
    lst = Listener(tmp, db, n)  # room for all: what is measured is the matcher's pace
    shares = [(j * n // k, (j + 1) * n // k) for j in range(k)]
    data = ["".join(event(i) for i in range(a, b)).encode() for a, b in shares]
    socks = [connect(lst.path) for _ in range(k)]
    want = base + hits(0, n)
    t0 = time.monotonic()
    threads = [threading.Thread(target=s.sendall, args=(d,)) for s, d in zip(socks, data)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sent = time.monotonic() - t0
    while count(db) < want:
        if time.monotonic() - t0 > 120:
            sys.exit(f"timed out: {want - count(db)} sightings missing")
        time.sleep(0.01)
    wall = time.monotonic() - t0
    for s in socks:
        s.close()
    cpu, st = lst.stop()
    ls = st["listen"]
    return {"events": n, "sensors": k, "sent_seconds": round(sent, 3),
            "stored_seconds": round(wall, 3), "events_per_s": round(n / wall),
            "listener_cpu_seconds": round(cpu, 2), "events_per_cpu_s": round(n / cpu) if cpu else 0,
            "batches": ls["batches"], "dropped": ls["dropped"], "sightings": want - base}


def paced(tmp, db, rate, seconds, k):
    lst = Listener(tmp, db, 100000)
    socks = [connect(lst.path) for _ in range(k)]
    per_tick = max(1, rate // 100 // k)  # lines per sensor per 10 ms
    ticks = int(seconds * 100)
    # made before: the writers' own CPU time is only sending
    chunks = [["".join(event(x) for x in range(j * 10 ** 8 + t * per_tick,
                                                   j * 10 ** 8 + (t + 1) * per_tick)).encode()
               for t in range(ticks)] for j in range(k)]
    late = [0]

    def sensor(j, s):
        t = time.monotonic()
        for chunk in chunks[j]:
            s.sendall(chunk)
            t += 0.01
            d = t - time.monotonic()
            if d > 0:
                time.sleep(d)
            else:
                late[0] += 1
    threads = [threading.Thread(target=sensor, args=(j, s)) for j, s in enumerate(socks)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    time.sleep(0.3)
    for s in socks:
        s.close()
    cpu, st = lst.stop()
    ls = st["listen"]
    return {"rate_asked": rate, "sent": ls["lines"], "seconds": seconds,
            "rate_sent": round(ls["lines"] / seconds), "writer_ticks_late": late[0],
            "latency_ms": ls["latency_ms"], "dropped": ls["dropped"], "batches": ls["batches"],
            "listener_cpu_seconds": round(cpu, 2)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=300000)
    ap.add_argument("--sensors", type=int, default=2)
    ap.add_argument("--rate", type=int, default=100000)
    ap.add_argument("--seconds", type=float, default=3)
    ap.add_argument("--db", help="an empty PostgreSQL database's URI (default: a fresh SQLite "
                                 "file)")
    a = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))  # the listeners are killed
    tmp = tempfile.mkdtemp(prefix="vgsock.", dir="/tmp")
    try:
        db = a.db or os.path.join(tmp, "bench.db")
        vigie("init", "--db", db)
        with open(os.path.join(tmp, "iocs.txt"), "w") as f:
            f.write(IOCS)
        vigie("ioc", "import", os.path.join(tmp, "iocs.txt"), "--db", db)
        out = {"backend": "postgresql" if db.startswith("postgres") else "sqlite",
               "loadavg": os.getloadavg()[0], "cpus": os.cpu_count()}
        out["flood"] = flood(tmp, db, a.events, a.sensors)
        out["paced"] = paced(tmp, db, a.rate, a.seconds, a.sensors)
        out["loadavg_end"] = os.getloadavg()[0]
        print(json.dumps(out, indent=1))
    finally:
        for p in LISTENERS:
            if p.poll() is None:
                p.kill()
                p.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
