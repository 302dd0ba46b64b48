"""The PostgreSQL schema (src/store/schema/pg/) against the SQLite one (issue 16): the parity
checker (scripts/schema_parity.py) on fresh databases of both engines, and the same SQL run on
both to see that they refuse the same rows (CHECK, NOT NULL, UNIQUE, foreign keys, the audit
triggers), keep the same statistics through their triggers, and list an organisation's
products alike. The product name key that PostgreSQL computes in PL/pgSQL (vg_cpe_name_key) is
compared with the C function it mirrors (core/product.c vg_product_key_cpe23), compiled here
into a small harness, over several thousand CPE names.

A real PostgreSQL 15 cluster (scripts/pgcluster.sh, one per module, a database per test) and a
real SQLite file made by `vigie init` (or by a SQLite server, for the keys vigie writes)."""
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import tempfile

import pytest

from conftest import ROOT, BIN, make_org, run

CLUSTER = os.path.join(ROOT, "scripts", "pgcluster.sh")
PARITY = os.path.join(ROOT, "scripts", "schema_parity.py")
PG_SCHEMA = sorted(os.path.join(ROOT, "src", "store", "schema", "pg", f)
                   for f in os.listdir(os.path.join(ROOT, "src", "store", "schema", "pg"))
                   if f.endswith(".sql"))


class SqlError(Exception):
    """A statement refused; sqlstate is PostgreSQL's code, or 'sqlite' plus the message."""

    def __init__(self, engine, sqlstate, message):
        super().__init__(f"{engine}: {sqlstate} {message}")
        self.sqlstate = sqlstate
        self.message = message


def psql(uri, *args, input=None):
    p = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-v", "VERBOSITY=verbose",
                        *args, uri], capture_output=True, text=True, input=input, timeout=120)
    if p.returncode != 0:
        m = re.search(r"ERROR:\s+([0-9A-Z]{5}):\s*(.*)", p.stderr)
        raise SqlError("postgresql", m.group(1) if m else "?????",
                       m.group(2) if m else p.stderr.strip())
    return p.stdout


class Pg:
    """One database of the module's cluster with the PostgreSQL schema applied."""

    def __init__(self, uri):
        self.uri = uri

    def exec(self, sql):
        """Runs sql (one statement, autocommit); its rows as 'a|b' strings."""
        out = psql(self.uri, "-At", "-c", sql)
        return out.split("\n")[:-1]  # a row a line; an empty text is an empty line


class Lite:
    """A SQLite database made by `vigie init`, opened as vigie opens it (foreign keys on)."""

    def __init__(self, path):
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA foreign_keys = ON")

    def exec(self, sql):
        try:
            rows = self.db.execute(sql).fetchall()
        except sqlite3.Error as e:
            raise SqlError("sqlite", type(e).__name__, str(e))
        return ["|".join("" if v is None else str(v) for v in r) for r in rows]


@pytest.fixture(scope="module")
def cluster():
    d = tempfile.mkdtemp(prefix="vgpg.", dir="/tmp")
    p = subprocess.run(["sh", CLUSTER, "start", d], capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        shutil.rmtree(d, ignore_errors=True)
        pytest.fail(f"pgcluster.sh start: {p.stderr}", pytrace=False)
    state = {"uri": p.stdout.strip(), "n": 0}
    yield state
    subprocess.run(["sh", CLUSTER, "stop", d], capture_output=True, timeout=120)


@pytest.fixture
def pg(cluster):
    cluster["n"] += 1
    name = f"t_{cluster['n']}"
    psql(cluster["uri"], "-c", f"CREATE DATABASE {name}")
    uri = cluster["uri"].replace("/postgres?", f"/{name}?")
    for f in PG_SCHEMA:
        psql(uri, "-1", "-f", f)  # one transaction per file, as the backend runs them
    return Pg(uri)


@pytest.fixture
def lite(tmp_path):
    path = tmp_path / "vigie.db"
    run("init", db=path)
    return Lite(str(path))


def both(lite, pg, sql):
    """Runs sql on both engines; (rows, rows) or (SqlError, SqlError) where refused."""
    out = []
    for e in (lite, pg):
        try:
            out.append(e.exec(sql))
        except SqlError as err:
            out.append(err)
    return out


# ---- the parity checker ----

def test_parity_checker_finds_the_schemas_equal(cluster, pg, lite, tmp_path):
    p = subprocess.run(["/usr/bin/python3", PARITY, "--sqlite", str(tmp_path / "vigie.db"),
                        "--pg", pg.uri], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout == ""
    assert "agree" in p.stderr
    # what it compared is the whole schema: 53 tables on each side (follow_position: issue 17)
    assert len(pg.exec("SELECT table_name FROM information_schema.tables "
                       "WHERE table_schema = 'public'")) == 53
    assert len(lite.exec("SELECT name FROM sqlite_master WHERE type = 'table' "
                         "AND name NOT LIKE 'sqlite_%'")) == 53


def test_parity_checker_names_each_difference(cluster, pg, lite, tmp_path):
    for sql in ("ALTER TABLE incident ALTER COLUMN title DROP NOT NULL",
                "DROP INDEX outbox_due",
                "DROP TRIGGER stats_open_update ON incident",
                "ALTER TABLE setting ADD COLUMN extra text",
                "ALTER TABLE indicator ALTER COLUMN confidence SET DEFAULT 40",
                "ALTER TABLE partner DROP CONSTRAINT partner_max_tlp_check",
                "ALTER TABLE epss ALTER COLUMN score TYPE real",
                "DROP INDEX inbound_message_id",
                "CREATE INDEX inbound_message_id ON inbound(message_id)",
                "ALTER TABLE crisis_member DROP CONSTRAINT crisis_member_crisis_id_email_key",
                "ALTER TABLE finding DROP CONSTRAINT finding_org_id_fkey",
                "ALTER TABLE vuln_meta ALTER COLUMN value TYPE text COLLATE \"default\""):
        pg.exec(sql)
    lite.exec("CREATE INDEX vuln_extra ON vuln(severity)")
    p = subprocess.run(["/usr/bin/python3", PARITY, "--sqlite", str(tmp_path / "vigie.db"),
                        "--pg", pg.uri], capture_output=True, text=True, timeout=120)
    assert p.returncode == 1, p.stdout + p.stderr
    lines = p.stdout.splitlines()
    expected = ["incident.title: NOT NULL in SQLite only",
                "outbox.outbox_due: index only in SQLite",
                "incident.stats_open_update: trigger only in SQLite",
                "setting.extra: column only in PostgreSQL",
                "indicator.confidence: default 50 in SQLite, 40 in PostgreSQL",
                "partner: CHECK on ('max_tlp',) ('AMBER', 'CLEAR', 'GREEN') only in SQLite",
                "epss.score: type double precision in SQLite, real in PostgreSQL",
                "inbound.inbound_message_id: index where: message_id<>'' in SQLite, "
                "None in PostgreSQL",
                "crisis_member('crisis_id', 'email'): UNIQUE only in SQLite",
                "finding.org_id: foreign key ('org_id', 'org', 'id', 'CASCADE') only in SQLite",
                "vuln.vuln_extra: index only in SQLite",
                "vuln_meta.value: collation None in PostgreSQL, not C (SQLite's BINARY)"]
    for e in expected:
        assert e in lines, f"{e!r} not in {lines}"
    assert len(lines) == len(expected), lines
    assert f"{len(expected)} difference(s)" in p.stderr


def test_parity_checker_builds_both_itself():
    """Without arguments it makes a fresh SQLite database (vigie init) and a fresh cluster with
    every pg file applied: the path CI and the integrator use."""
    p = subprocess.run(["/usr/bin/python3", PARITY, "--vigie", BIN], capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout == ""


def test_parity_checker_usage_errors(tmp_path):
    p = subprocess.run(["/usr/bin/python3", PARITY, "--sqlite", str(tmp_path / "x.db")],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2
    assert "--sqlite and --pg go together" in p.stderr
    p = subprocess.run(["/usr/bin/python3", PARITY, "--sqlite", str(tmp_path / "none.db"),
                        "--pg", "postgresql:///x?host=/nonexistent"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2
    assert "none.db: no such file" in p.stderr


# ---- the same rows refused ----

PARENTS = [
    "INSERT INTO \"user\"(id, name, role, created) VALUES (100, 'u100', 'analyst', 't')",
    "INSERT INTO org(id, name, kind, sector, created, updated) "
    "VALUES (100, 'ACME', 'sme', 'it', 't', 't')",
    "INSERT INTO indicator(id, type, value, tlp, created, updated) "
    "VALUES (100, 'domain-name', 'a.example', 'GREEN', 't', 't')",
    "INSERT INTO partner(id, name, country, created, updated) "
    "VALUES (100, 'CERT-X', 'XX', 't', 't')",
    "INSERT INTO audit(id, at, actor, action, object) VALUES (100, 't', 'a', 'x', 'o')",
]

# (what is checked, a row both must refuse, the same row made good that both must take)
CASES = [
    ("user.role", "INSERT INTO \"user\"(name, role, created) VALUES ('r1', 'root', 't')",
     "INSERT INTO \"user\"(id, name, role, created) VALUES (101, 'r1', 'reader', 't')"),
    ("user.name unique", "INSERT INTO \"user\"(name, role, created) VALUES ('u100', 'admin', 't')",
     "INSERT INTO \"user\"(id, name, role, created) VALUES (102, 'U100', 'admin', 't')"),
    ("token.kind", "INSERT INTO token(user_id, hash, created, kind) VALUES (100, 'h1', 't', 'web')",
     "INSERT INTO token(id, user_id, hash, created, kind) VALUES (100, 100, 'h1', 't', 'session')"),
    ("token.user_id foreign key",
     "INSERT INTO token(user_id, hash, created) VALUES (999, 'h2', 't')",
     "INSERT INTO token(id, user_id, hash, created) VALUES (101, 100, 'h2', 't')"),
    ("token.hash unique", "INSERT INTO token(user_id, hash, created) VALUES (100, 'h1', 't')",
     "INSERT INTO token(id, user_id, hash, created) VALUES (102, 100, 'h3', 't')"),
    ("org.name without ASCII case",
     "INSERT INTO org(name, kind, sector, created, updated) VALUES ('acme', 'sme', 'it', 't', 't')",
     "INSERT INTO org(id, name, kind, sector, created, updated) "
     "VALUES (101, 'acme2', 'sme', 'it', 't', 't')"),
    ("org.name: non-ASCII letters differ in case (NOCASE folds A-Z only)",
     "INSERT INTO org(name, kind, sector, created, updated) "
     "VALUES ('Acme2', 'sme', 'it', 't', 't')",
     "INSERT INTO org(id, name, kind, sector, created, updated) "
     "VALUES (102, 'ÉCHO', 'sme', 'it', 't', 't'), (103, 'écho', 'sme', 'it', 't', 't')"),
    ("org.sector not null",
     "INSERT INTO org(name, kind, sector, created, updated) VALUES ('n1', 'sme', NULL, 't', 't')",
     "INSERT INTO org(id, name, kind, sector, created, updated) "
     "VALUES (104, 'n1', 'sme', '', 't', 't')"),
    ("indicator.confidence",
     "INSERT INTO indicator(type, value, tlp, confidence, created, updated) "
     "VALUES ('url', 'u', 'GREEN', 101, 't', 't')",
     "INSERT INTO indicator(id, type, value, tlp, confidence, created, updated) "
     "VALUES (101, 'url', 'u', 'GREEN', 100, 't', 't')"),
    ("indicator.confidence below",
     "INSERT INTO indicator(type, value, tlp, confidence, created, updated) "
     "VALUES ('url', 'v', 'GREEN', -1, 't', 't')",
     "INSERT INTO indicator(id, type, value, tlp, confidence, created, updated) "
     "VALUES (102, 'url', 'v', 'GREEN', 0, 't', 't')"),
    ("indicator (type, value) unique",
     "INSERT INTO indicator(type, value, tlp, created, updated) "
     "VALUES ('domain-name', 'a.example', 'GREEN', 't', 't')",
     "INSERT INTO indicator(id, type, value, tlp, created, updated) "
     "VALUES (103, 'domain-name', 'b.example', 'GREEN', 't', 't')"),
    ("alert.status",
     "INSERT INTO alert(indicator_id, day, first_seen, last_seen, count, status, created) "
     "VALUES (100, '2026-01-01', 't', 't', 1, 'closed', 't')",
     "INSERT INTO alert(id, indicator_id, day, first_seen, last_seen, count, status, created) "
     "VALUES (100, 100, '2026-01-01', 't', 't', 1, 'escalated', 't')"),
    ("alert_key: a NULL organisation counts as one",
     "INSERT INTO alert(indicator_id, day, first_seen, last_seen, count, created) "
     "VALUES (100, '2026-01-01', 't', 't', 1, 't')",
     "INSERT INTO alert(id, indicator_id, org_id, day, first_seen, last_seen, count, created) "
     "VALUES (101, 100, 100, '2026-01-01', 't', 't', 1, 't')"),
    ("alert.mailed",
     "INSERT INTO alert(indicator_id, day, first_seen, last_seen, count, created, mailed) "
     "VALUES (100, '2026-01-02', 't', 't', 1, 't', 2)",
     "INSERT INTO alert(id, indicator_id, day, first_seen, last_seen, count, created, mailed) "
     "VALUES (102, 100, '2026-01-02', 't', 't', 1, 't', 1)"),
    ("vuln_record.source",
     "INSERT INTO vuln_record(key, source, modified, json, imported) "
     "VALUES (1, 'osv', 'm', '{}', 't')",
     "INSERT INTO vuln_record(id, key, source, modified, json, imported) "
     "VALUES (100, 1, 'cve5', 'm', '{}', 't')"),
    ("vuln_compact.source", "INSERT INTO vuln_compact(key, source, data) VALUES (1, 'x', '')",
     "INSERT INTO vuln_compact(key, source, data) VALUES (1, 'nvd', '')"),
    ("partner.max_tlp",
     "INSERT INTO partner(name, country, max_tlp, created, updated) "
     "VALUES ('P2', 'XX', 'RED', 't', 't')",
     "INSERT INTO partner(id, name, country, max_tlp, created, updated) "
     "VALUES (101, 'P2', 'XX', 'AMBER', 't', 't')"),
    ("partner.name without ASCII case",
     "INSERT INTO partner(name, country, created, updated) VALUES ('cert-x', 'XX', 't', 't')",
     "INSERT INTO partner(id, name, country, created, updated) "
     "VALUES (102, 'cert-y', 'XX', 't', 't')"),
    ("advisory.status",
     "INSERT INTO advisory(ref, kind, year, number, status, title, tlp, created, updated) "
     "VALUES ('A-1', 'avis', 2026, 1, 'gone', 't', 'CLEAR', 't', 't')",
     "INSERT INTO advisory(id, ref, kind, year, number, status, title, tlp, created, updated) "
     "VALUES (100, 'A-1', 'avis', 2026, 1, 'review', 't', 'CLEAR', 't', 't')"),
    ("outbox.kind",
     "INSERT INTO outbox(message_id, kind, recipients, subject, body_text, next_attempt, "
     "created, updated) VALUES ('<m1>', 'spam', '[]', 's', 'b', 't', 't', 't')",
     "INSERT INTO outbox(id, message_id, kind, recipients, subject, body_text, next_attempt, "
     "created, updated) VALUES (100, '<m1>', 'intake', '[]', 's', 'b', 't', 't', 't')"),
    ("outbox.state",
     "INSERT INTO outbox(message_id, kind, recipients, subject, body_text, state, next_attempt, "
     "created, updated) VALUES ('<m2>', 'crisis', '[]', 's', 'b', 'lost', 't', 't', 't')",
     "INSERT INTO outbox(id, message_id, kind, recipients, subject, body_text, state, "
     "next_attempt, created, updated) "
     "VALUES (101, '<m2>', 'crisis', '[]', 's', 'b', 'failed', 't', 't', 't')"),
    ("inbound.outcome",
     "INSERT INTO inbound(sha256, size, received, outcome, raw) VALUES ('s', 0, 't', 'lost', '')",
     "INSERT INTO inbound(id, sha256, size, received, outcome, raw) "
     "VALUES (100, 's', 0, 't', 'duplicate', '')"),
    ("audit refuses UPDATE", "UPDATE audit SET actor = 'b' WHERE id = 100",
     "INSERT INTO audit(id, at, actor, action, object) VALUES (101, 't', 'b', 'x', 'o')"),
    ("audit refuses DELETE", "DELETE FROM audit WHERE id = 100",
     "SELECT count(*) FROM audit WHERE id = 100"),
]


def test_same_rows_refused_and_taken(lite, pg):
    for sql in PARENTS:
        a, b = both(lite, pg, sql)
        assert not isinstance(a, SqlError) and not isinstance(b, SqlError), (sql, a, b)
    for what, bad, good in CASES:
        a, b = both(lite, pg, bad)
        assert isinstance(a, SqlError), f"{what}: SQLite took {bad}"
        assert isinstance(b, SqlError), f"{what}: PostgreSQL took {bad}"
        # SQLite: a constraint; PostgreSQL: class 23 (integrity constraint violation)
        assert a.sqlstate == "IntegrityError", (what, a)
        assert b.sqlstate.startswith("23"), (what, b)
        a, b = both(lite, pg, good)
        assert not isinstance(a, SqlError), f"{what}: SQLite refused {good}: {a}"
        assert not isinstance(b, SqlError), f"{what}: PostgreSQL refused {good}: {b}"
        assert a == b, (what, a, b)
    assert lite.exec("SELECT count(*) FROM audit WHERE id = 100") == ["1"]
    assert pg.exec("SELECT count(*) FROM audit WHERE id = 100") == ["1"]
    with pytest.raises(SqlError) as e:
        pg.exec("TRUNCATE audit")
    assert "append-only" in e.value.message


# ---- the statistics triggers ----

def inc(i, created, cls, sev, status):
    return ("INSERT INTO incident(id, ref, title, class, type, severity, tlp, pap, status, "
            f"created, updated, created_by) VALUES ({i}, 'VIG-{i}', 't', '{cls}', 'x', '{sev}', "
            f"'GREEN', 'GREEN', '{status}', '{created}', '{created}', 'a')")


def tl(i, incident, at, to, action="status"):
    detail = json.dumps({"from": "x", "to": to}) if to else "{}"
    return ("INSERT INTO timeline(id, incident_id, at, actor, action, detail) "
            f"VALUES ({i}, {incident}, '{at}', 'a', '{action}', '{detail}')")


STATS_STEPS = [
    inc(1, "2026-03-01T10:00:00Z", "fraud", "high", "new"),
    inc(2, "2026-03-01T11:00:00Z", "fraud", "low", "new"),
    inc(3, "2026-03-02T09:00:00Z", "malicious-code", "critical", "closed"),
    inc(4, "2026-03-02T23:59:59Z", "fraud", "high", "rejected"),
    tl(1, 1, "2026-03-01T10:00:30Z", "open"),
    tl(2, 1, "2026-03-01T12:00:00Z", None, action="note"),
    tl(3, 1, "2026-03-02T10:00:00Z", "closed"),
    tl(4, 2, "2026-03-01T11:00:02.5Z", "open"),          # 2.5 s: rounded half away from zero
    tl(5, 2, "2026-03-01T11:00:03.499Z", "closed"),
    tl(6, 3, "2026-03-03T09:00:00Z", "closed"),
    "UPDATE incident SET status = 'closed' WHERE id = 1",
    "UPDATE incident SET severity = 'medium' WHERE id = 2",
    "UPDATE incident SET status = 'open', severity = 'critical' WHERE id = 4",
    "UPDATE incident SET status = status",                 # no change: no count moves
    "UPDATE incident SET created = '2026-02-28T10:00:00Z' WHERE id = 1",  # another day
    "UPDATE incident SET created = '2026-03-02T08:00:00Z' WHERE id = 3",  # same day
    "UPDATE incident SET class = 'fraud' WHERE id = 3",
    "UPDATE timeline SET detail = '{\"to\":\"open\"}' WHERE id = 3",     # no longer closed
    "UPDATE timeline SET action = 'note' WHERE id = 4",                  # first status moves
    "UPDATE timeline SET at = '2026-03-01T11:30:00Z' WHERE id = 5",
    "UPDATE timeline SET action = 'status' WHERE id = 2",                # note becomes status
    "UPDATE incident SET severity = 'low'",                              # every row
    "DELETE FROM timeline WHERE incident_id = 3",
    "DELETE FROM incident WHERE id = 3",
    "DELETE FROM timeline WHERE incident_id = 4",
    "DELETE FROM incident WHERE id = 4",
    inc(5, "2026-03-02T00:00:00Z", "fraud", "low", "new"),
]

STATS_READ = [
    "SELECT day, class, n FROM stats_incident_day ORDER BY day, class",
    "SELECT severity, n FROM stats_open ORDER BY severity",
    "SELECT incident_id, triaged, triage_s, closed, close_s FROM stats_incident_time "
    "ORDER BY incident_id",
]


def test_statistics_triggers_keep_the_same_counts(lite, pg):
    for step in STATS_STEPS:
        a, b = both(lite, pg, step)
        assert not isinstance(a, SqlError) and not isinstance(b, SqlError), (step, a, b)
        for q in STATS_READ:
            a, b = both(lite, pg, q)
            assert a == b, f"after {step}\n{q}\nSQLite: {a}\nPostgreSQL: {b}"
    # the end state, so that a trigger that did nothing on both sides fails too
    assert pg.exec(STATS_READ[0]) == ["2026-02-28|fraud|1", "2026-03-01|fraud|1",
                                      "2026-03-02|fraud|1", "2026-03-02|malicious-code|0"]
    assert pg.exec(STATS_READ[1]) == ["critical|0", "high|0", "low|2", "medium|0"]
    assert pg.exec(STATS_READ[2]) == [
        "1|2026-03-01T10:00:30Z|86430||",
        "2|2026-03-01T11:30:00Z|1800|2026-03-01T11:30:00Z|1800"]


def test_triage_seconds_round_half_away_from_zero(lite, pg):
    for step in (inc(1, "2026-03-01T10:00:00Z", "fraud", "high", "new"),
                 tl(1, 1, "2026-03-01T10:00:02.5Z", "open"),
                 inc(2, "2026-03-01T10:00:00Z", "fraud", "high", "new"),
                 tl(2, 2, "2026-03-01T10:00:03.5Z", "closed"),
                 inc(3, "2026-03-01 10:00", "fraud", "high", "new"),  # no seconds, no zone
                 tl(3, 3, "2026-03-01T10:00:01+01:00", "open")):
        both(lite, pg, step)
    a, b = both(lite, pg, STATS_READ[2])
    assert a == b == ["1|2026-03-01T10:00:02.5Z|3||",
                      "2|2026-03-01T10:00:03.5Z|4|2026-03-01T10:00:03.5Z|4",
                      "3|2026-03-01T10:00:01+01:00|-3599||"]


def test_unreadable_time_is_refused_by_both(lite, pg):
    """julianday() of an unreadable time is NULL, so triage_s NOT NULL refuses the entry: the
    PL/pgSQL trigger refuses it too rather than storing something else."""
    both(lite, pg, inc(1, "yesterday", "fraud", "high", "new"))
    a, b = both(lite, pg, tl(1, 1, "2026-03-01T10:00:00Z", "open"))
    assert isinstance(a, SqlError) and "NOT NULL" in a.message, a
    assert isinstance(b, SqlError) and b.sqlstate == "23502", b


def test_detail_read_only_on_status_entries(lite, pg):
    """The closing time reads the detail (JSON) of status entries only: a note whose detail is
    not JSON does not stop a status entry; a status entry whose detail is not JSON is refused
    by both (SQLite: malformed JSON; PostgreSQL: invalid input syntax for type json)."""
    both(lite, pg, inc(1, "2026-03-01T10:00:00Z", "fraud", "high", "new"))
    for sql in ("INSERT INTO timeline(id, incident_id, at, actor, action, detail) "
                "VALUES (1, 1, '2026-03-01T10:00:00Z', 'a', 'note', 'not json')",
                tl(2, 1, "2026-03-01T10:00:05Z", "closed")):
        a, b = both(lite, pg, sql)
        assert not isinstance(a, SqlError) and not isinstance(b, SqlError), (sql, a, b)
    a, b = both(lite, pg, STATS_READ[2])
    assert a == b == ["1|2026-03-01T10:00:05Z|5|2026-03-01T10:00:05Z|5"]
    both(lite, pg, inc(2, "2026-03-01T10:00:00Z", "fraud", "high", "new"))
    a, b = both(lite, pg, "INSERT INTO timeline(id, incident_id, at, actor, action, detail) "
                          "VALUES (3, 2, '2026-03-01T10:00:09Z', 'a', 'status', '{\"to\":')")
    assert isinstance(a, SqlError) and "malformed JSON" in a.message, a
    assert isinstance(b, SqlError) and b.sqlstate == "22P02", b


# ---- the products of an organisation and their name keys ----

HARNESS = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/product.h"

/* One CPE name a line, hex-encoded; prints [key] or [] when vg_product_key_cpe23 gives -1. */
int main(void)
{
    static char line[8192], name[4096];
    while (fgets(line, sizeof line, stdin)) {
        size_t n = strcspn(line, "\n") / 2;
        for (size_t i = 0; i < n; i++) {
            unsigned v;
            sscanf(line + 2 * i, "%2x", &v);
            name[i] = (char)v;
        }
        name[n] = '\0';
        char key[VG_PRODUCT_KEY_MAX + 1];
        long k = vg_product_key_cpe23(name, key, sizeof key);
        printf("[%s]\n", k < 0 ? "" : key);
    }
    return 0;
}
"""

PIECES = ["a", "Z", "q", "0", "9", "_", "-", ".", " ", "  ", "\\", "\\\\", "*", "?", ":",
          "\\:", "\\*", "\\?", "\\.", "é", "É", "ß", "日本", "\\é", "%", "~", "!", "+", "\t"]


def cpe_names():
    """Hand-picked names, then several thousand made at random (a fixed seed) from the pieces
    the rule treats apart: letters of both cases, digits, separators, quoting, wildcards, the
    component separator, non-ASCII letters, and names longer than the 255-byte cap."""
    names = [
        "cpe:2.3:a:microsoft:.net_framework:4.8:*:*:*:*:*:*:*",
        "cpe:2.3:a:Micro\\.soft:.NET\\ Framework:*:*:*:*:*:*:*:*",
        "cpe:2.3:o:linux:linux_kernel:5.10:*:*:*:*:*:*:*",
        "cpe:2.3:a:-:product:1", "cpe:2.3:a:vendor:-:1", "cpe:2.3:a:*:product:1",
        "cpe:2.3:a:vendor:*:1", "cpe:2.3:a:ven*dor:product", "cpe:2.3:a:vendor:prod?uct",
        "cpe:2.3:a:ven\\*dor:prod\\?uct", "cpe:2.3:a:vendor", "cpe:2.3:a:vendor:",
        "cpe:2.3:a::product", "cpe:2.3:a", "cpe:2.3:", "cpe:2.3", "CPE:2.3:a:v:p",
        "cpe:2.2:a:v:p", "cpe:/a:vendor:product", "", "x", "cpe:2.3:a:v\\:x:p\\:y:1",
        "cpe:2.3:a:vendor\\", "cpe:2.3:a:vendor:product\\", "cpe:2.3:a:__v__:--p--",
        "cpe:2.3:a:Big  Suite:widget_pro\\+:1", "cpe:2.3:a:Éa b:ÿ\\:x:1",
        "cpe:2.3:a:" + "a" * 300 + ":" + "b" * 300, "cpe:2.3:a:" + "a-" * 200 + ":p",
        "cpe:2.3:a:" + "a" * 254 + "-b:p", "cpe:2.3:a:" + "a" * 253 + "-b:p",
        "cpe:2.3:a:" + "a" * 255 + "*:p", "cpe:2.3:a:" + "*" + "a" * 300 + ":p",
    ]
    rnd = random.Random(16)
    for _ in range(4000):
        comps = []
        for _ in range(rnd.randint(1, 6)):
            size = rnd.choice([0, 1, 2, 3, 5, 8, 13]) if rnd.random() < 0.97 else 140
            comps.append("".join(rnd.choice(PIECES) for _ in range(size)))
        prefix = rnd.choice(["cpe:2.3:"] * 12 + ["cpe:2.3", "CPE:2.3:", "cpe:2.2:", ""])
        names.append(prefix + rnd.choice("aoh*-") + ":" + ":".join(comps))
    return names


@pytest.fixture(scope="module")
def c_keys(tmp_path_factory):
    """name -> key by the C function (core/product.c, compiled from the source tree)."""
    d = tmp_path_factory.mktemp("harness")
    (d / "harness.c").write_text(HARNESS)
    exe = d / "harness"
    cc = os.environ.get("CC", "cc")
    p = subprocess.run([cc, "-std=c17", "-O1", "-Wall", "-Werror", "-I", os.path.join(ROOT, "src"),
                        str(d / "harness.c"), os.path.join(ROOT, "src", "core", "product.c"),
                        os.path.join(ROOT, "src", "util", "str.c"), "-o", str(exe)],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    names = cpe_names()
    p = subprocess.run([str(exe)], input="".join(n.encode().hex() + "\n" for n in names),
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    keys = [k[1:-1] for k in p.stdout.split("\n")[:-1]]
    assert len(keys) == len(names)
    return dict(zip(names, keys))


def pg_keys(pg, names):
    values = ",".join(f"('{n.encode().hex()}')" for n in names)
    sql = (f"SELECT '[' || vg_cpe_name_key(convert_from(decode(h, 'hex'), 'UTF8')) || ']' "
           f"FROM (VALUES {values}) AS v(h);\n") if names else ""
    out = psql(pg.uri, "-At", "-f", "-", input=sql)
    return [k[1:-1] for k in out.split("\n")[:-1]]


def test_cpe_name_key_is_the_c_rule(pg, c_keys):
    names = list(c_keys)
    got = pg_keys(pg, names)
    assert len(got) == len(names)
    wrong = [(n[:80], c_keys[n][:80], k[:80]) for n, k in zip(names, got) if k != c_keys[n]]
    assert not wrong, f"{len(wrong)} of {len(names)} differ, e.g. {wrong[:5]}"
    # the set is not trivial: keys and no keys, the cap reached, non-ASCII dropped
    keyed = [k for k in c_keys.values() if k]
    assert len(keyed) > 1000 and len(c_keys) - len(keyed) > 500
    assert max(len(k) for k in keyed) == 2 * 255 + 1
    assert c_keys["cpe:2.3:a:Micro\\.soft:.NET\\ Framework:*:*:*:*:*:*:*:*"] == \
        "micro_soft:net_framework"
    assert c_keys["cpe:2.3:a:v\\:x:p\\:y:1"] == "v_x:p_y"


def org_products(engine, order):
    return engine.exec(f"SELECT org_id, cpe FROM org_product ORDER BY org_id, {order}")


def test_product_trigger_lists_and_keys_alike(lite, pg, c_keys):
    names = list(c_keys)[:600]
    shapes = [
        {"cidrs": [], "domains": [], "products": names},
        {"products": ["cpe:2.3:a:v:p:1", 7, None, True, {"a": 1}, ["x"], "cpe:2.3:a:w:q:2"]},
        {"products": {"b": "cpe:2.3:a:b:b", "a": "cpe:2.3:a:a:a", "n": 3}},
        {"products": "cpe:2.3:a:solo:one:1"},
        {"products": 42},
        {"domains": ["a.example"]},
        {"products": ["cpe:2.3:a:dup:dup", "cpe:2.3:a:dup:dup", "cpe:2.3:a:Dup:Dup"]},
    ]
    for i, assets in enumerate(shapes, start=200):
        text = json.dumps(assets, ensure_ascii=False).replace("'", "''")
        a, b = both(lite, pg, "INSERT INTO org(id, name, kind, sector, assets, created, updated)"
                              f" VALUES ({i}, 'org{i}', 'sme', 'it', '{text}', 't', 't')")
        assert not isinstance(a, SqlError) and not isinstance(b, SqlError), (assets, a, b)
    a, b = org_products(lite, "rowid"), org_products(pg, "id")
    assert a == b
    assert len(b) == 600 + 2 + 2 + 1 + 3
    # every key is the C rule's; SQLite's trigger leaves '' for vigie to fill in C
    keys = pg.exec("SELECT name_key FROM org_product ORDER BY id")
    assert keys[:600] == [c_keys[n] for n in names]
    assert keys[600:] == ["v:p", "w:q", "b:b", "a:a", "solo:one", "dup:dup", "dup:dup", "dup:dup"]
    # an update of assets lists the products again, in their new order; other columns do not
    upd = ("UPDATE org SET assets = '{\"products\":[\"cpe:2.3:a:new:one\",\"cpe:2.3:a:v:p:1\"]}'"
           " WHERE id = 201")
    both(lite, pg, upd)
    both(lite, pg, "UPDATE org SET name = 'renamed' WHERE id = 200")
    a, b = org_products(lite, "rowid"), org_products(pg, "id")
    assert a == b
    assert [r for r in b if r.startswith("201|")] == ["201|cpe:2.3:a:new:one",
                                                      "201|cpe:2.3:a:v:p:1"]
    assert len([r for r in b if r.startswith("200|")]) == 600
    assert pg.exec("SELECT name_key FROM org_product WHERE org_id = 201 ORDER BY id") == \
        ["new:one", "v:p"]
    # a deleted organisation takes its products with it (ON DELETE CASCADE) on both
    both(lite, pg, "DELETE FROM org WHERE id = 203")
    a, b = org_products(lite, "rowid"), org_products(pg, "id")
    assert a == b and not [r for r in b if r.startswith("203|")]


def test_trigger_keys_equal_what_vigie_writes_on_sqlite(server, pg):
    """Organisations made through the API of a SQLite server (the trigger lists the products,
    vigie fills the keys in C): the same assets text inserted on PostgreSQL gives the same rows
    and keys, by the trigger alone."""
    names = ["cpe:2.3:a:microsoft:.net_framework:4.8:*:*:*:*:*:*:*",
             "cpe:2.3:a:micro\\.soft:.net\\ framework:*:*:*:*:*:*:*:*",
             "cpe:2.3:o:linux:linux_kernel:5.10:*:*:*:*:*:*:*",
             "cpe:2.3:a:big_vendor:widget_pro\\+:1.0:*:*:*:*:*:*:*",
             "cpe:2.3:a:__v__:--p--:*:*:*:*:*:*:*:*",
             "cpe:2.3:a:vendor:-:*:*:*:*:*:*:*:*",
             "cpe:2.3:a:*:product:*:*:*:*:*:*:*:*",
             "cpe:2.3:h:cisco:asa_5505:-:*:*:*:*:*:*:*"]
    make_org(server, "Keys one", assets={"cidrs": [], "domains": [], "products": names})
    make_org(server, "Keys two", assets={"cidrs": [], "domains": [], "products": names[::-1]})
    db = sqlite3.connect(str(server.db))
    orgs = db.execute("SELECT id, name, assets FROM org ORDER BY id").fetchall()
    want = ["|".join(str(v) for v in r) for r in db.execute(
        "SELECT org_id, cpe, name_key FROM org_product ORDER BY org_id, rowid")]
    db.close()
    assert len(want) == 16
    assert "1|cpe:2.3:a:micro\\.soft:.net\\ framework:*:*:*:*:*:*:*:*|micro_soft:net_framework" \
        in want
    for oid, name, assets in orgs:
        text = assets.replace("'", "''")
        pg.exec("INSERT INTO org(id, name, kind, sector, assets, created, updated) "
                f"VALUES ({oid}, '{name}', 'sme', 'it', '{text}', 't', 't')")
    assert pg.exec("SELECT org_id, cpe, name_key FROM org_product ORDER BY org_id, id") == want
