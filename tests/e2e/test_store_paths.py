"""The commands and the server when the database refuses a write or a read: a real SQLite error
made from another connection (a trigger that aborts a statement, a deferred foreign key that
fails the COMMIT, a table renamed away). Each command exits 1 naming the cause, nothing is
half-written, and the same command works once the database is whole again. Also the output
that cannot be written (stdout on /dev/full) and stored indicators the matcher cannot read."""
import json
import os
import subprocess

import pytest

from conftest import db_arg, connect, is_uri, no_such_table, BIN, ROOT, make_org, run

DATA = os.path.join(ROOT, "tests", "data")
SAMPLE = os.path.join(DATA, "eve", "sample.json")
GOOD_IOCS = os.path.join(DATA, "iocs", "good.txt")


def sql(db, *statements):
    con = connect(str(db))
    for s in statements:
        con.execute(s)
    con.commit()
    con.close()


def scalar(db, query):
    con = connect(str(db))
    v = con.execute(query).fetchone()[0]
    con.close()
    return v


def on_pg(db):
    return is_uri(db_arg(db))


def abort_on(db, when, table):
    if on_pg(db):  # a trigger function raising the same message
        sql(db, "CREATE FUNCTION inj_f() RETURNS trigger LANGUAGE plpgsql AS "
                "$$BEGIN RAISE EXCEPTION 'injected'; END$$",
                f"CREATE TRIGGER inj_t {when} ON {table} FOR EACH ROW EXECUTE FUNCTION inj_f()")
        return
    sql(db, f"CREATE TRIGGER inj_t {when} ON {table} "
            "BEGIN SELECT RAISE(ABORT, 'injected'); END")


def heal(db):
    if on_pg(db):
        sql(db, "DROP FUNCTION IF EXISTS inj_f() CASCADE")  # its triggers with it
        return
    sql(db, "DROP TRIGGER IF EXISTS inj_t")


def failed(p, message):
    assert p.returncode == 1, (p.returncode, p.stderr)
    assert message in p.stderr, p.stderr


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "v.db"
    run("init", db=path)
    return path


def test_init_and_token_name_the_database_error(db):
    abort_on(db, "BEFORE INSERT", "token")
    failed(run("init", db=db, check=False), "vigie init: database error: injected")
    failed(run("token", "create", "--user", "x", db=db, check=False),
           "vigie token: database error: injected")
    assert scalar(db, "SELECT count(*) FROM token") == 1  # the first init's only
    # made before the token
    assert scalar(db, "SELECT count(*) FROM \"user\" WHERE name = 'x'") == 1
    heal(db)
    assert run("token", "create", "--user", "x", db=db).stdout.startswith("vgt_")


def test_ioc_import_store_failure(db, tmp_path):
    f = tmp_path / "i.txt"
    f.write_text("domain-name new1.example\ndomain-name new2.example\n")
    abort_on(db, "BEFORE INSERT", "indicator")
    p = run("ioc", "import", str(f), db=db, check=False)
    failed(p, f"vigie ioc: {f}: database error: injected")
    assert json.loads(p.stderr.splitlines()[-1])["added"] == 0
    assert scalar(db, "SELECT count(*) FROM indicator") == 0
    heal(db)
    p = run("ioc", "import", str(f), db=db)
    assert json.loads(p.stderr.splitlines()[-1])["added"] == 2


def test_ioc_value_not_utf8_is_rejected_by_line(db, tmp_path):
    f = tmp_path / "u.txt"
    f.write_bytes(b"domain-name \xff\xfe.example\ndomain-name ok.example\n")
    p = run("ioc", "import", str(f), db=db)
    assert f"{f}:1: value is not UTF-8" in p.stderr
    assert json.loads(p.stderr.splitlines()[-1]) == {"added": 1, "updated": 0, "unchanged": 0,
                                                     "rejected": 1}


def test_match_record_store_failure_records_nothing(db):
    run("ioc", "import", GOOD_IOCS, db=db)
    abort_on(db, "BEFORE INSERT", "sighting")
    p = run("match", "--db", db_arg(db), "--record", SAMPLE, check=False)
    failed(p, f"vigie match: {SAMPLE}: database error: injected")
    assert p.stderr.splitlines()[-1] == '{"sightings":0,"alerts":0,"unrecorded":0}'
    assert scalar(db, "SELECT count(*) FROM sighting") == 0
    assert scalar(db, "SELECT count(*) FROM alert") == 0
    heal(db)
    p = run("match", "--db", db_arg(db), "--record", SAMPLE)
    assert json.loads(p.stderr.splitlines()[-1])["sightings"] == len(p.stdout.splitlines()) > 0


def test_match_database_tables_missing(db):
    run("ioc", "import", GOOD_IOCS, db=db)
    sql(db, "ALTER TABLE org RENAME TO inj_gone")
    failed(run("match", "--db", db_arg(db), "--record", SAMPLE, check=False),
           "vigie match: database error: " + no_such_table(db, "org"))
    sql(db, "ALTER TABLE inj_gone RENAME TO org", "ALTER TABLE indicator RENAME TO inj_gone")
    failed(run("match", "--db", db_arg(db), SAMPLE, check=False),
           "vigie match: cannot read the database's indicators")
    sql(db, "ALTER TABLE inj_gone RENAME TO indicator")
    p = run("match", "--db", "/proc/nope/v.db", SAMPLE, check=False)
    failed(p, "vigie match: cannot open database /proc/nope/v.db")


def test_match_skips_stored_indicators_it_cannot_read(db):
    run("ioc", "import", GOOD_IOCS, db=db)
    n = scalar(db, "SELECT count(*) FROM indicator")
    sql(db, "UPDATE indicator SET type = 'x-unknown' WHERE value = 'evil.example'")
    p = run("match", "--db", db_arg(db), SAMPLE)
    assert "vigie match: 1 stored indicators the matcher cannot read, skipped" in p.stderr
    hits = [json.loads(l) for l in p.stdout.splitlines()]
    assert hits and all(h["indicator"] != "evil.example" for h in hits)
    assert n > 1


@pytest.mark.parametrize("record", [False, True])
def test_match_output_that_cannot_be_written(db, record):
    run("ioc", "import", GOOD_IOCS, db=db)
    args = ["match", "--db", db_arg(db)] + (["--record"] if record else []) + [SAMPLE]
    with open("/dev/full", "w") as full:
        p = subprocess.run([BIN, *args], stdout=full, stderr=subprocess.PIPE, text=True,
                           timeout=120)
    assert p.returncode == 1
    assert p.stderr.count("vigie match: cannot write the output\n") == 1, p.stderr


def test_match_indicator_file_output_that_cannot_be_written():
    with open("/dev/full", "w") as full:
        p = subprocess.run([BIN, "match", "--indicators", GOOD_IOCS, SAMPLE, SAMPLE],
                           stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert p.returncode == 1
    assert p.stderr.count("vigie match: cannot write the output\n") == 1, p.stderr


def test_vuln_import_and_match_store_failures(db):
    vulndb = os.path.join(DATA, "vulndb")
    abort_on(db, "BEFORE INSERT", "vuln_record")
    p = run("vuln", "import", os.path.join(vulndb, "nvd-a.json"), db=db, check=False)
    failed(p, "vigie vuln import: database error: injected")
    assert "imported 1 file(s)" in p.stderr and "0 added" in p.stderr
    assert scalar(db, "SELECT count(*) FROM vuln") == 0
    heal(db)
    run("vuln", "import", os.path.join(vulndb, "nvd-a.json"), db=db)
    assert scalar(db, "SELECT count(*) FROM vuln") == 4
    sql(db, "ALTER TABLE vuln_record RENAME TO inj_gone")
    failed(run("vuln", "match", db=db, check=False), "vigie vuln match: cannot read the store: ")
    sql(db, "ALTER TABLE inj_gone RENAME TO vuln_record")
    assert run("vuln", "match", "--quiet", db=db).returncode == 0


def test_server_answers_500_when_the_commit_fails_and_keeps_nothing(server):
    """A batch whose COMMIT fails answers 500 'internal' to its writes; none of them is kept,
    and the server goes on."""
    sql(server.db, "CREATE TABLE inj_parent(id INTEGER PRIMARY KEY)",
        "CREATE TABLE inj_child(p INTEGER REFERENCES inj_parent(id) "
        "DEFERRABLE INITIALLY DEFERRED)")
    if on_pg(server.db):
        sql(server.db, "CREATE FUNCTION inj_f() RETURNS trigger LANGUAGE plpgsql AS "
                       "$$BEGIN INSERT INTO inj_child VALUES (1); RETURN NULL; END$$",
            "CREATE TRIGGER inj_t AFTER INSERT ON audit FOR EACH ROW EXECUTE FUNCTION inj_f()")
    else:
        sql(server.db, "CREATE TRIGGER inj_t AFTER INSERT ON audit BEGIN "
                       "INSERT INTO inj_child VALUES (1); END")
    body = {"name": "Ministry Z", "kind": "ministry", "sector": "government",
            "assets": {"domains": ["z.example"], "cidrs": [], "products": []}}
    r = server.post("/api/v1/orgs", body)
    assert r.status_code == 500, r.text
    assert r.json()["error"]["code"] == "internal"
    assert r.json()["error"]["message"] == "the database could not commit"
    assert server.get("/api/v1/orgs").json()["items"] == []
    assert scalar(server.db, "SELECT count(*) FROM org") == 0
    heal(server.db)
    assert make_org(server, "Ministry Z")["name"] == "Ministry Z"
    rc, err = server.stop()
    assert rc == 0
    assert "commit: database error: " + ('insert or update on table "inj_child" violates '
                                         'foreign key constraint' if on_pg(server.db) else
                                         "FOREIGN KEY constraint failed") in err, err
    server.start()


def test_events_answer_500_when_organisations_cannot_be_read(server):
    r = server.post("/api/v1/indicators", {"type": "domain-name", "value": "evil.example"})
    assert r.status_code == 201, r.text
    sql(server.db, "ALTER TABLE org RENAME TO inj_gone")
    line = json.dumps({"event_type": "dns", "dns": {"rrname": "evil.example"}}) + "\n"
    r = server.req("POST", "/api/v1/events", data=line.encode(),
                   headers={"Content-Type": "application/x-ndjson"})
    assert r.status_code == 500, r.text
    assert r.json()["error"]["code"] == "internal"
    sql(server.db, "ALTER TABLE inj_gone RENAME TO org")
    assert scalar(server.db, "SELECT count(*) FROM sighting") == 0
    r = server.req("POST", "/api/v1/events", data=line.encode(),
                   headers={"Content-Type": "application/x-ndjson"})
    assert r.status_code == 200, r.text
    assert r.json()["sightings"] == 1
