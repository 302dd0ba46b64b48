#!/usr/bin/python3
"""`vigie match --follow` (issue 17): what following costs, on a fresh SQLite database (or the
PostgreSQL database of --db URI).

  - catch-up: N events appended at once to a followed log; wall seconds until the last one is
    matched (plain --follow: its last hit printed; --record: its position stored), the
    follower's CPU seconds (/proc/PID/stat: does not depend on the machine's load), and with
    --record the transactions (pieces of 5000 lines at most) and sightings stored;
  - latency: one hitting event appended at a time, milliseconds until its hit is printed
    (the follower looks every 100 ms: about 50 ms on average, 100 ms at most, plus the scan).

usage: /usr/bin/python3 bench/match/follow.py [--events N] [--db URI]
env: VIGIE_BIN (default ./vigie). Files go to a temporary folder, removed at the end."""
import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VIGIE = os.environ.get("VIGIE_BIN", os.path.join(ROOT, "vigie"))
IOCS = "domain-name evil.example\nipv4-addr 203.0.113.0/24\n"
TICK = os.sysconf("SC_CLK_TCK")


def event(i):
    host = f"h{i}.evil.example" if i % 3 == 0 else f"h{i}.fine.example"
    dest = f"203.0.113.{i % 250}" if i % 5 == 0 else f"192.0.2.{i % 250}"
    return json.dumps({"timestamp": "2026-12-01T10:00:00.000000+0000", "src_ip": "10.0.0.1",
                       "dest_ip": dest, "dns": {"rrname": host}, "n": i}) + "\n"


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def wait(cond, timeout=300):
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            sys.exit("timed out")
        time.sleep(0.002)


def count_lines(path):
    with open(path, "rb") as f:
        return f.read().count(b"\n")


def query(db, sql):
    if db.startswith("postgres"):
        out = subprocess.run(["psql", "-X", "-At", "-c", sql, db], capture_output=True,
                             text=True, check=True).stdout.split()
        return int(out[0]) if out else 0
    con = sqlite3.connect(db)
    try:
        row = con.execute(sql).fetchone()
        return row[0] if row and row[0] is not None else 0
    finally:
        con.close()


def catch_up(tmp, n, db):
    log, out = os.path.join(tmp, f"eve-{bool(db)}.json"), os.path.join(tmp, f"hits-{bool(db)}")
    open(log, "w").close()
    want = sum(1 for i in range(n) if i % 3 == 0) + sum(1 for i in range(n) if i % 5 == 0)
    cmd = [VIGIE, "match", "--follow", "--threads", "1"]
    cmd += ["--db", db, "--record"] if db else ["--indicators", os.path.join(tmp, "iocs.txt")]
    with open(out, "wb") as o:
        p = subprocess.Popen(cmd + [log], stdout=o, stderr=subprocess.DEVNULL)
    time.sleep(0.3)
    data = "".join(event(i) for i in range(n))
    c0, t0 = cpu_seconds(p.pid), time.monotonic()
    with open(log, "a") as f:
        f.write(data)
    if db:
        wait(lambda: query(db, "SELECT max(line_count) FROM follow_position") == n)
    else:
        wait(lambda: count_lines(out) >= want)
    wall, cpu = time.monotonic() - t0, cpu_seconds(p.pid) - c0
    p.terminate()
    p.wait()
    r = {"mode": "--record" if db else "print", "events": n, "bytes": len(data),
         "hits": want, "wall_s": round(wall, 3), "cpu_s": round(cpu, 3),
         "events_per_cpu_s": round(n / cpu) if cpu else None}
    if db:
        r["sightings"] = query(db, "SELECT count(*) FROM sighting")
        r["transactions_min"] = -(-n // 5000)
    return r


def latency(tmp, rounds=20):
    log, out = os.path.join(tmp, "lat.json"), os.path.join(tmp, "lat.out")
    open(log, "w").close()
    with open(out, "wb") as o:
        p = subprocess.Popen([VIGIE, "match", "--follow", "--indicators",
                              os.path.join(tmp, "iocs.txt"), log], stdout=o,
                             stderr=subprocess.DEVNULL)
    time.sleep(0.3)
    ms = []
    for i in range(rounds):
        t0 = time.monotonic()
        with open(log, "a") as f:
            f.write(event(15 * (i + 1)))  # a multiple of 15: two hits
        wait(lambda: count_lines(out) >= 2 * (i + 1))  # a domain and an address hit each
        ms.append((time.monotonic() - t0) * 1000)
        time.sleep(0.037)  # not in step with the follower's looks
    p.terminate()
    p.wait()
    ms.sort()
    return {"latency_ms_median": round(ms[len(ms) // 2], 1), "latency_ms_max": round(ms[-1], 1),
            "rounds": rounds}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=200000)
    ap.add_argument("--db", help="a PostgreSQL URI (default: a fresh SQLite file)")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="vgfollow.")
    try:
        with open(os.path.join(tmp, "iocs.txt"), "w") as f:
            f.write(IOCS)
        db = a.db or os.path.join(tmp, "v.db")
        subprocess.run([VIGIE, "init", "--db", db], check=True, capture_output=True)
        subprocess.run([VIGIE, "ioc", "import", "--db", db, os.path.join(tmp, "iocs.txt")],
                       check=True, capture_output=True)
        print(f"== {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}", file=sys.stderr)
        print(json.dumps(catch_up(tmp, a.events, None)))
        print(json.dumps(catch_up(tmp, a.events, db)))
        print(json.dumps(latency(tmp)))
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
