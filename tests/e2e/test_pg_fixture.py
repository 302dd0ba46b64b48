"""The PostgreSQL fixture of the end-to-end suites (pgcluster.py), and what vigie says today
when --db names a PostgreSQL database (issue 16: the backend is refused until every domain is
ported, naming those that are not, never showing the URI's password)."""
import os
import subprocess

from pgcluster import pg_cluster, pg_db, pg_sql  # noqa: F401 (fixtures)

BIN = os.environ.get("VIGIE_BIN", os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "vigie"))


def test_each_test_gets_a_fresh_database(pg_db):
    assert "host=/tmp/vgpg." in pg_db
    name = pg_sql(pg_db, "SELECT current_database()")
    assert pg_db.split("?")[0].endswith("/" + name)
    assert pg_sql(pg_db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == "0"
    pg_sql(pg_db, "CREATE TABLE left_behind (x int)")


def test_the_next_one_does_not_see_the_last_ones_tables(pg_db):
    assert pg_sql(pg_db, "SELECT count(*) FROM pg_tables WHERE tablename = 'left_behind'") == "0"


def test_vigie_refuses_the_incomplete_backend_without_showing_the_password(pg_db):
    uri = pg_db.replace("postgresql://vigie@", "postgresql://vigie:s3cret@")
    r = subprocess.run([BIN, "init", "--db", uri], capture_output=True, text=True, timeout=60)
    assert r.returncode != 0
    assert "PostgreSQL backend is incomplete" in r.stderr
    missing = r.stderr.split("not yet ported: ", 1)[1].split(";", 1)[0].split(", ")
    assert missing and "user" not in missing and "org" not in missing and "dump" not in missing
    assert "s3cret" not in r.stderr + r.stdout
    # nothing was written to the database
    assert pg_sql(pg_db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == "0"
