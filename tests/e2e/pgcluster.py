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

shared_cluster() starts that cluster on first use (one per pytest process, whoever asks first:
pg_cluster or conftest's PostgreSQL backend, VIGIE_E2E_BACKEND=pg); stop_shared_cluster() (run
by conftest at the session's end) stops and removes it. new_database() / drop_database(uri)
make and drop a database of it.
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


_shared = {}  # folder, uri, error: the process's one cluster


def shared_cluster():
    """The URI of the database "postgres" of the process's cluster, started on first use; fails
    the calling test (and every later one) with the script's output if it cannot start."""
    if "error" in _shared:
        pytest.fail(_shared["error"], pytrace=False)
    if "uri" not in _shared:
        folder = tempfile.mkdtemp(prefix="vgpg.", dir="/tmp")
        r = subprocess.run(["sh", SCRIPT, "start", folder], capture_output=True, text=True,
                           timeout=120)
        if r.returncode != 0 or not r.stdout.startswith("postgresql://"):
            subprocess.run(["sh", SCRIPT, "stop", folder], capture_output=True, timeout=60)
            _shared["error"] = (f"the PostgreSQL cluster did not start ({r.returncode}): "
                                f"{r.stderr.strip() or r.stdout.strip()}")
            pytest.fail(_shared["error"], pytrace=False)
        _shared["folder"] = folder
        _shared["uri"] = r.stdout.strip()
    return _shared["uri"]


def stop_shared_cluster():
    """Stops and removes the process's cluster, if one was started."""
    admin = _shared.pop("admin", None)
    if admin is not None:
        admin.close()
    folder = _shared.pop("folder", None)
    _shared.pop("uri", None)
    if folder:
        subprocess.run(["sh", SCRIPT, "stop", folder], capture_output=True, timeout=60)


def _admin(sql):
    """Runs sql on the cluster's database "postgres": through one kept psycopg2 connection
    (a psql per database made is slow), else psql."""
    cluster = shared_cluster()
    try:
        import psycopg2  # Debian's python3-psycopg2 (scripts/deps.sh)
    except ImportError:
        pg_sql(cluster, sql)
        return
    if "admin" not in _shared:
        _shared["admin"] = psycopg2.connect(cluster)
        _shared["admin"].autocommit = True
    with _shared["admin"].cursor() as cur:
        cur.execute(sql)


def new_database():
    """The URI of a new, empty database of the process's cluster."""
    name = f"t_{os.getpid()}_{next(_numbers)}"
    _admin(f"CREATE DATABASE {name}")
    return _database_uri(shared_cluster(), name)


def drop_database(uri):
    """Drops the database of uri (made by new_database), even if a server still holds it."""
    name = uri.partition("?")[0].rsplit("/", 1)[1]
    _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def pg_cluster():
    """The URI of the cluster's database "postgres"."""
    return shared_cluster()


@pytest.fixture
def pg_db(pg_cluster):
    """The URI of a fresh database of the session's cluster."""
    uri = new_database()
    try:
        yield uri
    finally:
        drop_database(uri)
