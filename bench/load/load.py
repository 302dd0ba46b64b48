#!/usr/bin/python3
"""The server under abuse (issue 11, "Done when"): /api/v1/health latency, in one run, while
nothing else runs, during a login flood, during 1,000 slow connections and while another
process holds the database's write lock (with writes waiting for it). Standard library only.

    /usr/bin/python3 bench/load/load.py [--bin build/release/vigie] [--requests 200]
        [--rate 50] [--flood 32] [--slow 1000] [--serve-arg=--threads=4 ...]

It starts the server on a temporary database with a user that has a password, then measures
each phase with one probe: --requests sequential GETs of /api/v1/health at --rate per second,
each on a new connection from 127.0.0.1 (as a monitoring probe does), and prints a table of
median, p99 and max latency and the failures (no answer within 10 s, or not 200). The load
of each phase runs in processes of its own, so that the probe's timing is not the load
generator's: the flood from 32 connections of 127.0.1.x posting wrong passwords, the slow
connections from 127.0.2.x (spread over --slow-addrs addresses, so that a per-address cap does
not simply refuse them all): half send nothing, half one byte of a request every 20 s, and
any the server closes is opened again. During the lock, a Python sqlite3 connection holds
BEGIN EXCLUSIVE on the server's file and 4 clients keep posting incidents, so that a write is
always waiting for the lock. Raises its own open-files limit (and so the server's) to the hard
limit. One run takes about a minute."""
import argparse
import http.client
import json
import multiprocessing as mp
import os
import re
import resource
import selectors
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time

PASSWORD = "correct horse battery staple"
INCIDENT = {"title": "load", "class": "malicious-code", "type": "infected-system",
            "observables": [{"value": "192.0.2.1"}]}


def call(port, method, path, body=None, token=None, source="127.0.0.1", timeout=10.0,
         conn=None):
    """One request; returns (status, parsed body or text). A fresh connection unless conn."""
    own = conn is None
    if own:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout,
                                          source_address=(source, 0))
    headers = {"Connection": "close"} if own else {}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = "Bearer " + token
    try:
        conn.request(method, path, body=data, headers=headers)
        r = conn.getresponse()
        text = r.read()
        try:
            return r.status, json.loads(text)
        except ValueError:
            return r.status, text
    finally:
        if own:
            conn.close()


# ---- load generators (each in a process of its own) ---------------------------------------

def flood(port, user, n, stop, counts):
    """n threads posting wrong passwords to /api/v1/login, each from its own 127.0.1.x,
    keeping its connection alive while the server does."""
    def worker(k):
        src = f"127.0.1.{k % 250 + 1}"
        conn = None
        while not stop.is_set():
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30,
                                                      source_address=(src, 0))
                st, _ = call(port, "POST", "/api/v1/login",
                             {"name": user, "password": "wrong password " + str(k)},
                             conn=conn)
                with counts.get_lock():
                    counts[0] += 1
                    if st == 429:
                        counts[1] += 1
            except (OSError, http.client.HTTPException):
                with counts.get_lock():
                    counts[2] += 1
                if conn:
                    conn.close()
                conn = None
                time.sleep(0.05)
        if conn:
            conn.close()

    ts = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


def slow(port, n, naddrs, stop, ready, counts):
    """n connections from 127.0.2.x: the even ones send nothing, the odd ones one byte of a
    request line every 20 s. One the server closes is opened again."""
    request = b"POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n"
    sel = selectors.DefaultSelector()
    socks = {}  # index -> [socket, bytes sent, next send time]

    def open_one(i):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.bind((f"127.0.2.{i % naddrs + 1}", 0))
        try:
            s.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        except OSError:
            s.close()
            return False
        socks[i] = [s, 0, time.monotonic() + (i % 20 if i % 2 else 1e18)]
        sel.register(s, selectors.EVENT_READ, i)
        return True

    for i in range(n):
        if not open_one(i):
            with counts.get_lock():
                counts[1] += 1
    ready.set()
    while not stop.is_set():
        for key, _ in sel.select(timeout=0.5):
            i = key.data
            s = socks[i][0]
            try:
                gone = not s.recv(4096)  # an answer (408, 503) or EOF: closed by the server
            except BlockingIOError:
                gone = False
            except OSError:
                gone = True
            if gone:
                sel.unregister(s)
                s.close()
                del socks[i]
                with counts.get_lock():
                    counts[0] += 1
                open_one(i)
        now = time.monotonic()
        for i, v in list(socks.items()):
            if now >= v[2]:
                try:
                    v[0].send(request[v[1] % len(request):][:1])
                    v[1] += 1
                except OSError:
                    pass
                v[2] = now + 20
    for v in socks.values():
        v[0].close()


def writers(port, token, n, stop):
    """n clients posting incidents (each waits for the lock, then 503 busy)."""
    def worker():
        while not stop.is_set():
            try:
                call(port, "POST", "/api/v1/incidents", INCIDENT, token=token, timeout=60)
            except (OSError, http.client.HTTPException):
                time.sleep(0.1)

    ts = [threading.Thread(target=worker, daemon=True) for _ in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


# ---- the probe ---------------------------------------------------------------------------

def probe(port, n, rate, cap_s):
    """n GETs of /api/v1/health at rate per second (sequential: a late one is sent as soon as
    the previous one is answered), stopped after cap_s seconds. Returns (latencies in ms of
    the 200s, failures, sent)."""
    lat, fails, sent = [], 0, 0
    t0 = time.monotonic()
    for i in range(n):
        due = t0 + i / rate
        now = time.monotonic()
        if now - t0 > cap_s:
            break
        if due > now:
            time.sleep(due - now)
        sent += 1
        a = time.perf_counter()
        try:
            st, body = call(port, "GET", "/api/v1/health", timeout=10)
            ok = st == 200 and isinstance(body, dict) and body.get("status") == "ok"
        except (OSError, http.client.HTTPException):
            ok = False
        ms = (time.perf_counter() - a) * 1000
        if ok:
            lat.append(ms)
        else:
            fails += 1
    return lat, fails, sent


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] if xs else float("nan")


# ---- the run -----------------------------------------------------------------------------

def start_server(binary, db, extra):
    p = subprocess.Popen([binary, "serve", "--db", db, "--listen", "127.0.0.1:0", *extra],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        line = p.stderr.readline()
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
        if m:
            # keep reading its log, so that it never blocks on a full pipe
            threading.Thread(target=lambda: [None for _ in p.stderr], daemon=True).start()
            return p, int(m.group(1))
        if not line and p.poll() is not None:
            sys.exit(f"load.py: the server exited ({p.returncode})")
    sys.exit("load.py: the server did not start")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default="build/release/vigie")
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--rate", type=float, default=50.0)
    ap.add_argument("--flood", type=int, default=32)
    ap.add_argument("--slow", type=int, default=1000)
    ap.add_argument("--slow-addrs", type=int, default=250)
    ap.add_argument("--cap", type=float, default=30.0, help="seconds at most per phase")
    ap.add_argument("--serve-arg", action="append", default=[],
                    help="an option for vigie serve (repeat): --serve-arg=--threads=4")
    ap.add_argument("--phases", default="quiet,login,slow,lock")
    a = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # inherited by the server
    if hard < a.slow + 200:
        sys.exit(f"load.py: open files limited to {hard}: raise ulimit -Hn above {a.slow + 200}")
    binary = os.path.abspath(a.bin)
    tmp = tempfile.mkdtemp(prefix="vigie-load-")
    db = os.path.join(tmp, "v.db")
    srv = None
    try:
        admin = subprocess.run([binary, "init", "--db", db], capture_output=True, text=True,
                               check=True).stdout.strip()
        srv, port = start_server(binary, db, a.serve_arg)
        st, _ = call(port, "POST", "/api/v1/users",
                     {"name": "alice", "role": "analyst", "password": PASSWORD}, token=admin)
        assert st == 201, st
        st, body = call(port, "POST", "/api/v1/login", {"name": "alice", "password": PASSWORD},
                        timeout=30)
        assert st == 201 and body.get("token"), (st, body)
        rows = []
        for phase in a.phases.split(","):
            stop = mp.Event()
            procs, note, holder = [], "", None
            if phase == "login":
                counts = mp.Array("l", 3)
                per = max(1, a.flood // 4)
                for k in range(0, a.flood, per):
                    procs.append(mp.Process(target=flood, args=(port, "alice",
                                                                min(per, a.flood - k), stop,
                                                                counts)))
            elif phase == "slow":
                counts = mp.Array("l", 2)
                ready = mp.Event()
                procs.append(mp.Process(target=slow, args=(port, a.slow, a.slow_addrs, stop,
                                                           ready, counts)))
            elif phase == "lock":
                holder = sqlite3.connect(db, timeout=1, isolation_level=None)
                holder.execute("BEGIN EXCLUSIVE")
                procs.append(mp.Process(target=writers, args=(port, admin, 4, stop)))
            elif phase != "quiet":
                sys.exit(f"load.py: unknown phase {phase}")
            for p in procs:
                p.start()
            if phase == "slow":
                ready.wait(60)
            time.sleep(1.0 if procs else 0)  # the load is on before the probe starts
            lat, fails, sent = probe(port, a.requests, a.rate, a.cap)
            stop.set()
            if phase == "login":
                note = (f"{counts[0]} logins answered ({counts[1]} 429), "
                        f"{counts[2]} failed")
            elif phase == "slow":
                note = f"{counts[0]} closed by the server (reopened), {counts[1]} refused"
            elif phase == "lock":
                note = "BEGIN EXCLUSIVE held, 4 writers waiting"
            if holder:
                holder.execute("ROLLBACK")
                holder.close()
            for p in procs:
                p.join(5)
                if p.is_alive():  # a writer waiting for its answer
                    p.terminate()
                    p.join()
            rows.append((phase, sent, fails, statistics.median(lat) if lat else float("nan"),
                         pct(lat, 99), max(lat) if lat else float("nan"), note))
            time.sleep(1.0)
        print(f"vigie load: {a.requests} GET /api/v1/health at {a.rate:g}/s per phase, "
              f"binary {a.bin}")
        print("| phase | sent | failed | median ms | p99 ms | max ms | load |")
        print("|---|---|---|---|---|---|---|")
        for r in rows:
            print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]:.2f} | {r[4]:.2f} | {r[5]:.2f} | {r[6]} |")
    finally:
        if srv:
            srv.terminate()
            try:
                srv.wait(60)
            except subprocess.TimeoutExpired:
                srv.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    mp.set_start_method("fork")
    main()
