"""The usage errors and failures of `vigie partner` and `vigie share` (issue 12's commands):
each bad call exits 2 (usage) or 1 (failure) with a message that names what is wrong, and
writes nothing. Written for issue 10's coverage floor (cli/ was the nearest to 90 %)."""
import json

from conftest import run, unopenable


def usage(*args, db=None, says):
    r = run(*args, db=db, check=False)
    assert r.returncode == 2, (args, r.returncode, r.stderr)
    assert says in r.stderr, (args, r.stderr)
    assert r.stdout == ""
    return r


def partners(db):
    return [json.loads(l)["name"] for l in run("partner", "list", db=db).stdout.splitlines()]


def test_partner_cli_usage_and_failures(tmp_path):
    db = str(tmp_path / "v.db")
    run("init", db=db)
    usage("partner", db=db, says="expected: vigie partner add|list|token")
    usage("partner", "frob", db=db, says="expected: vigie partner add|list|token")
    usage("partner", "add", "CERT-A", "--bogus", db=db, says="unknown option")
    usage("partner", "add", "CERT-A", "CERT-B", "--country", "FR", db=db,
          says="expected: vigie partner add NAME --country CC")
    usage("partner", "add", "CERT-A", db=db, says="--country CC is required")
    many = []
    for _ in range(65):
        many += ["--network", "first"]
    usage("partner", "add", "CERT-A", "--country", "FR", *many, db=db,
          says="--network given more than 64 times")
    many = []
    for i in range(65):
        many += ["--contact", f"c{i}@cert.example"]
    usage("partner", "add", "CERT-A", "--country", "FR", *many, db=db,
          says="--contact given more than 64 times")
    # 64 of each is the limit, not over it
    r = run("partner", "add", "CERT-A", "--country", "FR", *(["--network", "first"] * 64), db=db)
    assert json.loads(r.stdout)["networks"] == ["first"]
    usage("partner", "list", "extra", db=db, says="expected: vigie partner list")
    usage("partner", "list", "--bogus", db=db, says="unknown option")
    usage("partner", "token", db=db, says="expected: vigie partner token ID")
    usage("partner", "token", "abc", db=db, says="expected: vigie partner token ID")
    usage("partner", "token", "0", db=db, says="expected: vigie partner token ID")
    usage("partner", "token", "1", "--bogus", db=db, says="unknown option")
    assert partners(db) == ["CERT-A"]
    r = run("partner", "token", "7", db=db, check=False)
    assert r.returncode == 1 and "7" in r.stderr and r.stdout == ""
    r = run("partner", "--help")
    assert r.returncode == 0 and "vigie partner token ID" in r.stdout
    # a database that cannot be opened (a folder that is not there; under pg a database that
    # does not exist): exit 1 naming it, and nothing made
    missing = unopenable(path=str(tmp_path / "no" / "such" / "dir" / "v.db"))
    for args in (("partner", "list"), ("partner", "token", "1"),
                 ("partner", "add", "CERT-B", "--country", "FR")):
        missing.check(run(*args, db=missing.db, check=False), "vigie partner: ")
    assert not missing.exists()


def test_share_cli_usage_and_failures(tmp_path):
    db = str(tmp_path / "v.db")
    run("init", db=db)
    usage("share", says="expected a subcommand: export, import, pull")
    usage("share", "frob", db=db, says="unknown subcommand 'frob'")
    usage("share", "export", "--format", "misp", "--bogus", db=db, says="unknown option '--bogus'")
    r = run("share", "export", "--format", check=False)
    assert r.returncode == 2 and "--format needs a value" in r.stderr
    usage("share", "export", "--format", "csv", "--incident", "X", db=db,
          says="--format is misp or stix")
    usage("share", "export", "--format", "misp", db=db,
          says="give either --incident REF or --indicators FILTER")
    usage("share", "export", "--format", "stix", "--incident", "X", "--indicators", "all", db=db,
          says="give either --incident REF or --indicators FILTER")
    usage("share", "export", "--format", "misp", "--incident", "X", "--to", "nobody", db=db,
          says="to")
    usage("share", "export", "--format", "misp", "--indicators", "all", db=db,
          says="--indicators: a filter is KEY=VALUE")
    r = run("share", "import", "--format", check=False)
    assert r.returncode == 2 and "--format needs a value" in r.stderr
    usage("share", "import", "--bogus", "f.json", db=db, says="unknown option '--bogus'")
    usage("share", "import", "--format", "csv", "f.json", db=db,
          says="--format is misp, stix or auto")
    usage("share", "import", db=db, says="import needs at least one FILE")
    usage("share", "import", *[f"f{i}.json" for i in range(1025)], db=db, says="too many files")
    # a file that cannot be read: named, with the system's reason; exit 2 as a malformed one
    r = run("share", "import", str(tmp_path / "absent.json"), db=db, check=False)
    assert r.returncode == 2 and "absent.json" in r.stderr and r.stdout == ""
    assert "No such file" in r.stderr
    missing = unopenable(path=str(tmp_path / "no" / "such" / "dir" / "v.db"))
    doc = tmp_path / "e.json"
    doc.write_text('{"Event": {"info": "x", "Attribute": []}}')
    for args in (("share", "import", str(doc)),
                 ("share", "export", "--format", "misp", "--indicators", "source=x")):
        missing.check(run(*args, db=missing.db, check=False), "vigie share: ")
    assert not missing.exists()
