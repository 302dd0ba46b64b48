"""A throwaway PostgreSQL 15 cluster for the end-to-end suites (issue 16).

pg_cluster (session-scoped): one cluster per pytest run, started with scripts/pgcluster.sh
(initdb + pg_ctl, Unix socket in a folder under /tmp, no TCP port, run as the unprivileged
user vigiepg when root), stopped and removed at the end. Nothing is skipped: if the cluster
cannot start, every test using it fails with the script's output.

pg_db (per test): a fresh, empty database of that cluster; the test gets its connection URI
(postgresql://vigie@/t_N?host=DIR, superuser vigie, trust authentication), to give vigie as
--db. Dropped after the test (WITH (FORCE): a server left running does not keep it).

Use: `from pgcluster import pg_cluster, pg_db  # noqa: F401` in a test file (or conftest.py),
then take pg_db as an argument. pg_sql(uri, sql) runs SQL through psql and returns its output.
"""
import itertools
import os
import subprocess
import tempfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "scripts", "pgcluster.sh")
_numbers = itertools.count(1)


def pg_sql(uri, sql):
    """Runs sql on the database of uri with psql (-v ON_ERROR_STOP=1, unaligned, tuples only);
    returns its standard output stripped. Fails the test when psql fails."""
    r = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", uri,
                        "-c", sql], capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        pytest.fail(f"psql {sql!r}: {r.stderr.strip()}", pytrace=False)
    return r.stdout.strip()


def _database_uri(uri, name):
    head, sep, tail = uri.partition("/postgres?")
    assert sep, f"unexpected cluster URI {uri}"
    return f"{head}/{name}?{tail}"


@pytest.fixture(scope="session")
def pg_cluster():
    """The URI of the cluster's database "postgres"."""
    folder = tempfile.mkdtemp(prefix="vgpg.", dir="/tmp")
    r = subprocess.run(["sh", SCRIPT, "start", folder], capture_output=True, text=True,
                       timeout=120)
    if r.returncode != 0 or not r.stdout.startswith("postgresql://"):
        subprocess.run(["sh", SCRIPT, "stop", folder], capture_output=True, timeout=60)
        pytest.fail(f"the PostgreSQL cluster did not start ({r.returncode}): "
                    f"{r.stderr.strip() or r.stdout.strip()}", pytrace=False)
    try:
        yield r.stdout.strip()
    finally:
        subprocess.run(["sh", SCRIPT, "stop", folder], capture_output=True, timeout=60)


@pytest.fixture
def pg_db(pg_cluster):
    """The URI of a fresh database of the session's cluster."""
    name = f"t_{os.getpid()}_{next(_numbers)}"
    pg_sql(pg_cluster, f"CREATE DATABASE {name}")
    try:
        yield _database_uri(pg_cluster, name)
    finally:
        pg_sql(pg_cluster, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
