"""The PostgreSQL fixture of the end-to-end suites (pgcluster.py): a session's cluster, a fresh
database per test (issue 16; vigie on it: test_pg_serve.py)."""
import os

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
