#!/usr/bin/python3
"""Live indicators (issue 17): the memory of `vigie match --follow` while its index is rebuilt
beside the one in use and swapped (app/live.c). With N indicators (bench/match/gen.py's
indicator file, or those of a database after `vigie ioc import`):

  - base: the process's resident memory with one indicator (all but the index);
  - steady: its resident memory once the N indicators are loaded (index = steady - base);
  - peak: its highest resident memory (VmHWM, reset through /proc/PID/clear_refs before each
    reload) during each of R reloads (SIGHUP), measured after "indicators reloaded";
    peak - steady is what a reload adds: the new index built beside the old one;
  - the reload's wall seconds (noisy on a shared machine) and CPU seconds (/proc/PID/stat).

The target: peak - steady <= the index (its own count of bytes, --stats' index_bytes) + one
4 MiB read block: two indexes at once, never more. (With --db, steady - base also holds the
database's pages that SQLite keeps mapped, which a reload does not add to.) Counts of memory do
not depend on the machine's load; exit 1 when the target is missed.

usage: /usr/bin/python3 bench/match/live.py [--iocs FILE] [--db PATH] [--reloads R]
  --iocs FILE  the indicator file (default: bench/out/iocs.txt, made by
               `/usr/bin/python3 bench/match/gen.py bench/out 1` if missing)
  --db PATH    load the indicators from this database (SQLite path or PostgreSQL URI) instead
               of --iocs (import them first: `vigie ioc import --db PATH FILE`)
env: VIGIE_BIN (default ./vigie)."""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VIGIE = os.environ.get("VIGIE_BIN", os.path.join(ROOT, "vigie"))
TICK = os.sysconf("SC_CLK_TCK")
RELOADED = b"vigie match: indicators reloaded: "
READ_BLOCK_KIB = 4096  # cli/cmd_match.c's IOC_BLOCK: an indicator file is read 4 MiB at a time


def status_kib(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(key)


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def wait(cond, timeout=600):
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            sys.exit("timed out")
        time.sleep(0.01)


class Follower:
    def __init__(self, tmp, args):
        self.log = os.path.join(tmp, "eve.json")
        open(self.log, "w").close()
        self.err = os.path.join(tmp, "err")
        self.out = os.path.join(tmp, "out")
        with open(self.err, "wb") as e, open(self.out, "wb") as o:
            self.proc = subprocess.Popen([VIGIE, "match", "--follow", "--threads", "1",
                                          "--stats", *args, self.log], stdout=o, stderr=e)
        self.n = 0

    def stderr(self):
        with open(self.err, "rb") as f:
            return f.read()

    def ready(self):
        """Appends an event and waits for the follower to have read it (its index is loaded
        and it is polling): the marker's line in the log was scanned when the CPU time stays
        still and the process is sleeping."""
        with open(self.log, "a") as f:
            self.n += 1
            f.write(json.dumps({"dns": {"rrname": "probe.example"}, "n": self.n}) + "\n")
        last = -1.0
        while True:
            time.sleep(0.3)
            c = cpu_seconds(self.proc.pid)
            if self.proc.poll() is not None:
                sys.exit("vigie match exited: " + self.stderr().decode())
            if c == last:
                return
            last = c

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=60)
        stats = [x for x in self.stderr().split(b"\n") if x.startswith(b'{"events"')]
        return json.loads(stats[-1]) if stats else {}


def measure(args, reloads):
    tmp = tempfile.mkdtemp(prefix="vigie-live-")
    try:
        f = Follower(tmp, args)
        f.ready()
        pid = f.proc.pid
        steady = status_kib(pid, "VmRSS")
        load_peak = status_kib(pid, "VmHWM")
        rows = []
        for i in range(reloads):
            with open(f"/proc/{pid}/clear_refs", "w") as c:
                c.write("5")  # resets VmHWM to the current resident memory
            before = f.stderr().count(RELOADED)
            c0, t0 = cpu_seconds(pid), time.monotonic()
            f.proc.send_signal(signal.SIGHUP)
            wait(lambda: f.stderr().count(RELOADED) > before)
            wall = time.monotonic() - t0
            f.ready()
            rows.append({"peak_kib": status_kib(pid, "VmHWM"), "after_kib": status_kib(pid, "VmRSS"),
                         "wall_s": round(wall, 2), "cpu_s": round(cpu_seconds(pid) - c0, 2)})
        stats = f.stop()
        return steady, load_peak, rows, stats
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iocs", default=os.path.join(ROOT, "bench", "out", "iocs.txt"))
    ap.add_argument("--db")
    ap.add_argument("--reloads", type=int, default=3)
    a = ap.parse_args()
    if not a.db and not os.path.exists(a.iocs):
        subprocess.run([sys.executable, os.path.join(ROOT, "bench", "match", "gen.py"),
                        os.path.dirname(a.iocs), "1"], check=True)
    tmp = tempfile.mkdtemp(prefix="vigie-live-")
    one = os.path.join(tmp, "one.txt")
    with open(one, "w") as f:
        f.write("domain-name probe.example\n")
    base, _, _, _ = measure(["--indicators", one], 0)
    shutil.rmtree(tmp)
    args = ["--db", a.db] if a.db else ["--indicators", a.iocs]
    steady, load_peak, rows, stats = measure(args, a.reloads)
    index = steady - base
    print(json.dumps({"source": a.db or a.iocs, "indicators": stats.get("indicators"),
                      "index_bytes": stats.get("index_bytes"), "base_kib": base,
                      "steady_kib": steady, "index_kib": index, "load_peak_kib": load_peak,
                      "reloads": rows}))
    worst = max(r["peak_kib"] for r in rows) if rows else steady
    own = (stats.get("index_bytes") or 0) // 1024  # the index's own count of its bytes
    extra = worst - steady
    print(f"steady: base + {index} KiB (the index, {own} KiB by its own count, and with --db the "
          f"database's cached pages); highest during a reload: steady + {extra} KiB = "
          f"{extra / own if own else 0:.3f} x the index: old and new index side by side; "
          f"target <= 1 x the index + {READ_BLOCK_KIB} KiB (a read block)")
    return 0 if extra <= own + READ_BLOCK_KIB else 1

if __name__ == "__main__":
    sys.exit(main())
