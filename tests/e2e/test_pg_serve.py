"""The whole server on PostgreSQL (issue 16): `vigie init` and `vigie serve` on a throwaway
cluster's database, and the same seeded random session of API calls and commands played on a
SQLite file and on PostgreSQL, whose answers must be equal (times, tokens and Message-IDs set
aside): organisations, incidents with observables, lifecycle moves, notes, related incidents,
lists with filters, sorts and pages, indicators imported by the CLI, statistics, crises, the
outbox. Also: the URI's password is never printed."""
import json
import os
import random
import re
import subprocess

from conftest import BIN, Server, run
from pgcluster import pg_cluster, pg_db, pg_sql  # noqa: F401 (fixtures)

CLASSES = [("malicious-code", "infected-system"), ("fraud", "phishing"),
           ("intrusions", "system-compromise"), ("availability", "ddos")]
TIMES = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")


def norm(v):
    """Times become "T"; Message-IDs and tokens are dropped."""
    if isinstance(v, dict):
        return {k: norm(x) for k, x in v.items() if k not in ("message_id", "generated")}
    if isinstance(v, list):
        return [norm(x) for x in v]
    if isinstance(v, str):
        return TIMES.sub("T", v)
    return v


def session(srv, seed, tmp):
    """A seeded random session on srv; returns every answer (status and JSON) in order."""
    rnd = random.Random(seed)
    out = []

    def call(method, path, body=None):
        r = getattr(srv, method)(path, body) if body is not None else getattr(srv, method)(path)
        out.append((method, path, r.status_code,
                    norm(r.json()) if r.headers.get("content-type", "").startswith(
                        "application/json") else r.text))
        return r

    orgs = []
    for i in range(4):
        r = call("post", "/api/v1/orgs", {
            "name": f"Org {seed}.{i}", "kind": rnd.choice(["ministry", "oiv", "ose"]),
            "sector": "government",
            "assets": {"domains": [f"org{seed}-{i}.example"],
                       "cidrs": [f"10.{seed * 10 + i}.0.0/16"],
                       "products": ["cpe:2.3:a:acme:widget:1.0:*:*:*:*:*:*:*"]},
            "contacts": [{"name": "C", "email": f"c@org{i}.example",
                          "lang": rnd.choice(["fr", "en"])}]})
        orgs.append(r.json()["id"])
    pool = [f"198.51.100.{n}" for n in range(1, 9)] + [f"evil{n}.example" for n in range(4)]
    refs = []
    for i in range(25):
        cls, typ = rnd.choice(CLASSES)
        body = {"title": f"Incident {i}", "class": cls, "type": typ,
                "severity": rnd.choice(["low", "medium", "high", "critical"]),
                "tlp": rnd.choice(["CLEAR", "GREEN", "AMBER", "RED"]),
                "observables": [{"value": v} for v in rnd.sample(pool, rnd.randint(0, 3))]}
        if rnd.random() < 0.8:
            body["org"] = rnd.choice(orgs)
        r = call("post", "/api/v1/incidents", body)
        if r.status_code == 201:
            refs.append(r.json()["ref"])
    for _ in range(30):
        ref = rnd.choice(refs)
        op = rnd.random()
        if op < 0.35:
            call("patch", f"/api/v1/incidents/{ref}",
                 {"status": rnd.choice(["triage", "analysis", "closed", "rejected", "new"])})
        elif op < 0.6:
            call("post", f"/api/v1/incidents/{ref}/notes",
                 {"text": f"note {rnd.random():.6f}", "public": rnd.random() < 0.5})
        elif op < 0.8:
            call("post", f"/api/v1/incidents/{ref}/observables", {"value": rnd.choice(pool)})
        else:
            call("patch", f"/api/v1/incidents/{ref}", {"assignee": rnd.choice(["ana", "bob"])})
    for ref in refs:
        call("get", f"/api/v1/incidents/{ref}")
        call("get", f"/api/v1/incidents/{ref}/related")
    for q in ["", "?status=new", "?severity=high", "?sort=severity", "?sort=oldest&limit=7",
              f"?org={orgs[0]}", "?assignee=none", "?tlp=RED"]:
        cursor, pages = None, 0
        while pages < 10:
            sep = "&" if "?" in q else "?"
            r = call("get", "/api/v1/incidents" + q + (f"{sep}cursor={cursor}" if cursor else ""))
            cursor = r.json().get("next_cursor")
            pages += 1
            if not cursor:
                break
    feed = tmp / f"feed{seed}.txt"
    feed.write_text("".join(f"{v}\n" for v in rnd.sample(pool, 6)))
    p = run("ioc", "import", "--tlp", "GREEN", "--source", "s", str(feed), db=srv.db)
    out.append(("cli", "ioc import", p.returncode, p.stdout))
    call("get", "/api/v1/indicators?limit=50")
    call("get", "/api/v1/orgs")
    call("get", "/api/v1/outbox?limit=200")
    r = call("post", "/api/v1/crises", {"title": "Crise", "incidents": refs[:2]})
    cid = r.json()["id"]
    call("post", f"/api/v1/crises/{cid}/members",
         {"kind": "person", "name": "P", "email": "p@x.example", "role": "cell"})
    call("post", f"/api/v1/crises/{cid}/log", {"text": "début"})
    call("get", f"/api/v1/crises/{cid}")
    return out


def test_same_session_same_answers_on_both_backends(tmp_path, pg_db):
    sq = Server(tmp_path / "vigie.db")
    pg = Server(pg_db, log=str(tmp_path / "pg.log"))
    try:
        for seed in (1, 2):
            a = session(sq, seed, tmp_path)
            b = session(pg, seed, tmp_path)
            assert len(a) == len(b) > 100
            # the session reaches what it is meant to: refusals, related incidents, pages
            assert any(x[2] == 409 for x in a) and any(x[2] == 400 for x in a)
            assert any(x[1].endswith("/related") and x[3]["related"] for x in a)
            assert any("cursor=" in x[1] for x in a)
            for x, y in zip(a, b):
                assert x == y, f"seed {seed}: SQLite {x!r}\nPostgreSQL {y!r}"
    finally:
        sq.stop()
        pg.stop()


def test_init_on_postgresql_without_showing_the_password(pg_db):
    uri = pg_db.replace("postgresql://vigie@", "postgresql://vigie:s3cret@")
    r = subprocess.run([BIN, "init", "--db", uri], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("vgt_")
    assert "s3cret" not in r.stderr + r.stdout
    assert int(pg_sql(pg_db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")) > 40
    # a second init migrates nothing and makes another admin token
    r2 = subprocess.run([BIN, "init", "--db", uri], capture_output=True, text=True, timeout=60)
    assert r2.returncode == 0 and r2.stdout != r.stdout
    bad = uri.replace("host=/tmp/vgpg.", "host=/tmp/vgpg-none.")
    r3 = subprocess.run([BIN, "init", "--db", bad], capture_output=True, text=True, timeout=60)
    assert r3.returncode == 1 and "database unavailable" in r3.stderr
    assert "s3cret" not in r3.stderr + r3.stdout
    assert json.dumps(r3.stderr)  # a message, not a crash
    assert os.path.exists(BIN)
