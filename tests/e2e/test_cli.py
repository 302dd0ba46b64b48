"""The command line: help, version, init, token, usage errors."""
import re

import pytest

from conftest import PG, UNOPENABLE_KINDS, db_arg, run, sql, unopenable


def test_version_and_help():
    assert re.match(r"^vigie \d+\.\d+\.\d+\n$", run("version").stdout)
    out = run("help").stdout
    for cmd in ("init", "serve", "token", "help", "version"):
        assert re.search(rf"^  {cmd} ", out, re.M), cmd
    assert "--listen" in run("help", "serve").stdout


def test_unknown_command_and_option_are_usage_errors(tmp_path):
    p = run("frobnicate", check=False)
    assert p.returncode == 2 and "unknown command" in p.stderr
    p = run("init", "--nope", db=tmp_path / "x.db", check=False)
    assert p.returncode == 2
    p = run("help", "nope", check=False)
    assert p.returncode == 2
    p = run("token", "create", db=tmp_path / "x.db", check=False)
    assert p.returncode == 2 and "--user" in p.stderr
    p = run("token", "create", "--user", "bob", "--role", "god", db=tmp_path / "x.db",
            check=False)
    assert p.returncode == 2


def test_init_prints_one_token_and_is_repeatable(tmp_path):
    # on SQLite, init also makes the file's missing folder; under pg a database of the cluster
    db = tmp_path / "v.db" if PG else tmp_path / "sub" / "v.db"
    a = run("init", db=db).stdout
    b = run("init", db=db).stdout
    assert re.fullmatch(r"vgt_[0-9a-f]{64}\n", a)
    assert re.fullmatch(r"vgt_[0-9a-f]{64}\n", b)
    assert a != b


def test_db_from_environment(tmp_path):
    import os
    env = dict(os.environ, VIGIE_DB=db_arg(tmp_path / "env.db"))
    p = run("init", env=env)
    assert p.stdout.startswith("vgt_")
    assert sql(tmp_path / "env.db", "SELECT name, role FROM \"user\"") == [("admin", "admin")]


@pytest.mark.parametrize("kind", UNOPENABLE_KINDS)
def test_unwritable_db_fails_cleanly(kind):
    """A database that cannot be opened (SQLite: a folder in /proc; PostgreSQL: a database or a
    user that does not exist, no server at the socket): exit 1 naming it, without its
    password, and nothing made."""
    bad = unopenable(kind)
    bad.check(run("init", db=bad.db, check=False), "vigie init: ")
    assert not bad.exists()


def test_token_create_for_roles(server):
    tok = server.token("carol", "reader")
    r = server.get("/api/v1/me", token=tok)
    assert r.status_code == 200
    assert r.json()["name"] == "carol" and r.json()["role"] == "reader"


def test_file_errors_name_the_path_once(tmp_path):
    """A file that cannot be read is named once per message, not
    '/nonexistent: /nonexistent: No such file or directory'."""
    db = tmp_path / "v.db"
    run("init", db=db)
    missing = str(tmp_path / "nonexistent")
    bad = tmp_path / "epss.csv"
    bad.write_text("not,an,epss,file\n")
    for args, path in ((("ioc", "import", missing), missing),
                       (("match", "--indicators", missing, "-"), missing),
                       (("match", "--db", db_arg(db), "--record", missing), missing),
                       (("vuln", "import", missing), missing),
                       (("vuln", "import", str(bad)), str(bad))):
        p = run(*args, db=db if args[0] != "match" else None, check=False, input="")
        assert p.returncode == 1, (args, p.stderr)
        lines = [line for line in p.stderr.splitlines() if path in line]
        assert lines, (args, p.stderr)
        for line in lines:
            assert line.count(path) == 1, (args, line)
