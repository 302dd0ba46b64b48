"""The command line, command by command: the help of each, every option's refusal with its exit
code (2 for usage, 1 for a failure) and its message, the default database path, and the
outputs of the paths the other CLI tests leave aside (serve's --listen forms, vuln's text
digest with KEV and EPSS, import progress on a terminal, ioc and match on files larger than
one read block, directories given as files)."""
import json
import os
import pty
import re
import select
import socket
import subprocess
import time

import pytest
import requests

from conftest import (db_arg, db_made, connect, sql, unopenable, BIN, ROOT, UNOPENABLE_KINDS,
                      make_org, run, wait_for)

DATA = os.path.join(ROOT, "tests", "data")
VULNDB = os.path.join(DATA, "vulndb")
COMMANDS = ("init", "serve", "token", "match", "ioc", "vuln", "cpe", "help", "version",
            "partner", "share", "advisory", "csaf", "mail", "config", "crisis", "db")


def usage(p, cmd, message):
    """A usage error: exit 2, the message on stderr after 'vigie CMD: ', then where to look."""
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert re.search(rf"^vigie {cmd}: ", p.stderr, re.M), p.stderr
    assert f"{message}\n" in p.stderr, p.stderr
    assert p.stderr.endswith(f"see: vigie help {cmd}\n"), p.stderr
    assert p.stdout == ""


def run_in(tmp_path, *args):
    """Runs vigie with VIGIE_DB naming tmp_path/v.db (no --db added after the arguments)."""
    return run(*args, check=False, env=dict(os.environ, VIGIE_DB=db_arg(tmp_path / "v.db")))


def failure(p, message):
    assert p.returncode == 1, (p.returncode, p.stderr)
    assert message in p.stderr, p.stderr
    assert p.stdout == ""


# ---------------------------------------------------------------------------- main, help


def test_no_command_prints_the_command_list_and_exits_2():
    p = run(check=False)
    assert p.returncode == 2
    listed = re.findall(r"^  (\w+) ", p.stdout, re.M)
    assert listed == list(COMMANDS)
    for flag in ("--help", "-h"):
        q = run(flag)
        assert q.stdout == p.stdout and q.stderr == ""
    assert run("--version").stdout == run("version").stdout
    assert re.fullmatch(r"vigie \d+\.\d+\.\d+\n", run("--version").stdout)


@pytest.mark.parametrize("cmd", COMMANDS)
def test_help_of_each_command_starts_with_its_usage(cmd):
    p = run("help", cmd)
    assert p.stdout.startswith(f"usage: vigie {cmd}"), p.stdout[:200]
    assert p.stderr == ""


@pytest.mark.parametrize("args,cmd", [
    (("init", "--help"), "init"),
    (("serve", "--help"), "serve"),
    (("token", "create", "--help"), "token"),
    (("vuln", "--help"), "vuln"),
    (("vuln", "-h"), "vuln"),
    (("vuln", "import", "--help"), "vuln"),
    (("vuln", "match", "--help"), "vuln"),
    (("vuln", "digest", "--help"), "vuln"),
    (("csaf", "--help"), "csaf"),
    (("csaf", "validate", "-h"), "csaf"),
    (("config", "--help"), "config"),
])
def test_help_option_prints_the_same_text_as_help_command(args, cmd, tmp_path):
    p = run(*args, db=tmp_path / "never.db")
    assert p.stdout == run("help", cmd).stdout
    assert not db_made(tmp_path / "never.db")  # --help opens no database


@pytest.mark.sqlite_only("the default database is a SQLite file, ./var/vigie.db")
def test_db_defaults_to_var_vigie_db_in_the_working_folder(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "VIGIE_DB"}
    p = subprocess.run([BIN, "init"], cwd=tmp_path, env=env, capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0, p.stderr
    assert re.fullmatch(r"vgt_[0-9a-f]{64}\n", p.stdout)
    db = tmp_path / "var" / "vigie.db"
    con = connect(str(db))
    assert con.execute("SELECT name, role FROM \"user\"").fetchall() == [("admin", "admin")]
    con.close()
    env["VIGIE_DB"] = ""  # empty: the default again
    p = subprocess.run([BIN, "init"], cwd=tmp_path, env=env, capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0
    con = connect(str(db))
    assert con.execute("SELECT count(*) FROM token").fetchone() == (2,)
    con.close()


def test_vigie_db_replaces_the_default_and_db_replaces_vigie_db(tmp_path):
    """$VIGIE_DB (a URI under pg) is the database when --db is not given: nothing is made at
    the default path ./var/vigie.db; --db wins over $VIGIE_DB."""
    env = dict(os.environ, VIGIE_DB=db_arg(tmp_path / "env.db"))
    p = subprocess.run([BIN, "init"], cwd=tmp_path, env=env, capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0, p.stderr
    assert re.fullmatch(r"vgt_[0-9a-f]{64}\n", p.stdout)
    assert sql(tmp_path / "env.db", "SELECT name, role FROM \"user\"") == [("admin", "admin")]
    assert not os.path.exists(tmp_path / "var")
    p = subprocess.run([BIN, "init", "--db", db_arg(tmp_path / "opt.db")], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert sql(tmp_path / "opt.db", "SELECT count(*) FROM token") == [(1,)]
    assert sql(tmp_path / "env.db", "SELECT count(*) FROM token") == [(1,)]
    assert not os.path.exists(tmp_path / "var")


# ---------------------------------------------------------------------------- init, token


@pytest.mark.parametrize("args,cmd,message", [
    (("init", "extra"), "init", "unexpected argument 'extra'"),
    (("init", "--nope"), "init", "unknown option"),
    (("token",), "token", "expected: vigie token create --user NAME"),
    (("token", "revoke"), "token", "expected: vigie token create --user NAME"),
    (("token", "create", "--user", "u", "--zzz"), "token", "unknown option"),
    (("token", "create", "--user", "u", "extra"), "token", "unexpected argument 'extra'"),
])
def test_init_and_token_usage_errors(args, cmd, message, tmp_path):
    p = run_in(tmp_path, *args)
    usage(p, cmd, message)


def test_token_label_is_stored_and_listed(server):
    tok = run("token", "create", "--user", "dora", "--role", "reader", "--label", "laptop",
              db=server.db).stdout.strip()
    assert re.fullmatch(r"vgt_[0-9a-f]{64}", tok)
    r = server.get("/api/v1/tokens", token=tok)
    assert r.status_code == 200, r.text
    labels = [t["label"] for t in r.json()["items"]]
    assert labels == ["laptop"]


# ---------------------------------------------------------------------------- serve


@pytest.mark.parametrize("args,message", [
    (("--threads", "0"), "--threads must be 1 to 256"),
    (("--threads", "257"), "--threads must be 1 to 256"),
    (("--report-rate", "0"), "--report-rate must be 1 to 1000000 per minute"),
    (("--report-rate", "1000001"), "--report-rate must be 1 to 1000000 per minute"),
    (("--ref-prefix", "vig"), "--ref-prefix must be 1-15 of [A-Z0-9]"),
    (("--ref-prefix", ""), "--ref-prefix must be 1-15 of [A-Z0-9]"),
    (("--ref-prefix", "ABCDEFGHIJKLMNOP"), "--ref-prefix must be 1-15 of [A-Z0-9]"),
    (("--bogus",), "unknown option"),
    (("extra",), "unexpected argument 'extra'"),
])
def test_serve_option_errors_are_usage_errors(args, message, tmp_path):
    p = run("serve", "--listen", "127.0.0.1:0", *args, db=tmp_path / "v.db", check=False)
    usage(p, "serve", message)


@pytest.mark.parametrize("listen,message", [
    ("nohost", "vigie serve: --listen must be HOST:PORT"),
    (":8080", "vigie serve: --listen must be HOST:PORT"),
    ("127.0.0.1:65536", "vigie serve: bad port '65536'"),
    ("127.0.0.1:x", "vigie serve: bad port 'x'"),
    ("no-such-host.invalid:0", "vigie serve: cannot resolve 'no-such-host.invalid'"),
    ("a" * 300 + ":0", "vigie serve: host name too long"),
])
def test_serve_bad_listen_address_fails_before_serving(listen, message, tmp_path):
    p = run("serve", "--listen", listen, db=tmp_path / "v.db", check=False)
    failure(p, message)
    assert "listening on" not in p.stderr


@pytest.mark.parametrize("kind", UNOPENABLE_KINDS)
def test_serve_unopenable_database_fails(kind):
    bad = unopenable(kind)
    p = run("serve", "--listen", "127.0.0.1:0", db=bad.db, check=False)
    bad.check(p, "vigie serve: ")
    assert "listening on" not in p.stderr
    p = run("serve", "--demo", "--listen", "127.0.0.1:0", db=bad.db, check=False)
    bad.check(p, "vigie serve: demo data: ")
    assert "listening on" not in p.stderr


def test_serve_port_in_use_is_refused(server, tmp_path):
    listen = f"127.0.0.1:{server.port}"
    p = run("serve", "--listen", listen, db=tmp_path / "other.db", check=False)
    failure(p, f"vigie serve: cannot listen on {listen}: Address already in use")
    assert server.get("/api/v1/health").status_code == 200  # the first one is untouched


def start_serve(db, *args):
    """Starts `vigie serve` with args; returns (process, base url) once it listens."""
    proc = subprocess.Popen([BIN, "serve", "--db", db_arg(db), *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        m = re.search(r"listening on (http://\S+)", line)
        if m:
            return proc, m.group(1)
        if not line and proc.poll() is not None:
            break
    proc.kill()
    proc.wait(timeout=30)
    pytest.fail("server did not start")


def stop_serve(proc):
    proc.terminate()
    assert proc.wait(timeout=60) == 0
    err = proc.stderr.read()
    proc.stderr.close()
    return err


def ipv6_loopback():
    try:
        s = socket.socket(socket.AF_INET6)
        s.bind(("::1", 0))
        s.close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not ipv6_loopback(), reason="no IPv6 loopback on this machine")
def test_serve_on_ipv6_loopback_with_prefix_and_threads(tmp_path):
    db = tmp_path / "v.db"
    admin = run("init", db=db).stdout.strip()
    proc, url = start_serve(db, "--listen", "[::1]:0", "--threads", "2", "--ref-prefix",
                            "CERTX7")
    try:
        assert re.fullmatch(r"http://\[::1\]:\d+", url), url
        h = {"Authorization": "Bearer " + admin}
        r = requests.post(url + "/api/v1/incidents", headers=h, timeout=60,
                          json={"title": "t", "class": "fraud", "type": "phishing"})
        assert r.status_code == 201, r.text
        assert re.fullmatch(r"CERTX7-\d{4}-000001", r.json()["ref"])
        year = r.json()["ref"].split("-")[1]
        # the public intake counts reports per client address: an IPv6 one too
        rep = {"reporter": {"name": "R", "email": "r@a.example"},
               "organisation": {"name": "B", "kind": "ministry"}, "title": "t",
               "description": "d"}
        answers = [requests.post(url + "/api/v1/reports", json=rep, timeout=60)
                   for _ in range(11)]
        assert [a.status_code for a in answers[:10]] == [201] * 10, answers[0].text
        assert answers[9].json()["incident"] == "CERTX7-" + year + "-000011"
        assert answers[10].status_code == 429
        assert answers[10].json()["error"]["code"] == "rate_limited"
        assert int(answers[10].headers["Retry-After"]) >= 1
    finally:
        stop_serve(proc)


# ---------------------------------------------------------------------------- ioc


@pytest.mark.parametrize("args,message", [
    ((), "expected a subcommand: import"),
    (("export",), "unknown subcommand 'export'"),
    (("import",), "no indicator file given"),
    (("import", "--tlp"), "--tlp needs a value"),
    (("import", "f", "--db"), "--db needs a value"),
    (("import", "--zz", "f"), "unknown option '--zz'"),
    (("import", "-", "-x"), "unknown option '-x'"),
    (("import", "--confidence", "101", "f"), "--confidence is a number from 0 to 100"),
    (("import", "--confidence", "-1", "f"), "--confidence is a number from 0 to 100"),
    (("import", "--tlp", "purple", "f"),
     "--tlp: /tlp must be one of: CLEAR, GREEN, AMBER, AMBER+STRICT, RED"),
])
def test_ioc_usage_errors(args, message, tmp_path):
    p = run_in(tmp_path, "ioc", *args)
    usage(p, "ioc", message)
    assert not db_made(tmp_path / "v.db")


def test_ioc_failures_name_the_file(tmp_path):
    bad = unopenable()
    bad.check(run("ioc", "import", "x.txt", db=bad.db, check=False), "vigie ioc: ")
    d = tmp_path / "adir"
    d.mkdir()
    p = run("ioc", "import", str(d), db=tmp_path / "v.db", check=False)
    assert p.returncode == 1
    assert f"vigie ioc: {d}: Is a directory" in p.stderr


def ioc_counts(p):
    return json.loads(p.stderr.strip().splitlines()[-1])


def test_ioc_import_empty_many_and_invalid_files(tmp_path, server):
    db = server.db
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    p = run("ioc", "import", str(empty), db=db)
    assert ioc_counts(p) == {"added": 0, "updated": 0, "unchanged": 0, "rejected": 0}
    # more than one store chunk (10,000 indicators) and more than one read block (64 KiB)
    many = tmp_path / "many.txt"
    many.write_text("".join(f"domain-name h{i}.many.example\n" for i in range(10001)))
    assert many.stat().st_size > 65536
    p = run("ioc", "import", "--source", "bulk", str(many), db=db)
    assert ioc_counts(p) == {"added": 10001, "updated": 0, "unchanged": 0, "rejected": 0}
    r = server.get("/api/v1/indicators?source=bulk&limit=1")
    assert r.status_code == 200 and r.json()["items"][0]["value"] == "h0.many.example"
    con = connect(str(db))
    assert con.execute("SELECT count(*) FROM indicator WHERE source = 'bulk'").fetchone() == (
        10001,)
    con.close()
    p = run("ioc", "import", "--source", "bulk", str(many), db=db)
    assert ioc_counts(p) == {"added": 0, "updated": 0, "unchanged": 10001, "rejected": 0}
    # 102 invalid lines: a hundred shown with their line, then a count of all
    bad = tmp_path / "bad.txt"
    bad.write_text("".join(f"junk {i}\n" for i in range(102)) + "domain-name ok.example\n")
    p = run("ioc", "import", str(bad), db=db)
    shown = [l for l in p.stderr.splitlines() if l.startswith(f"{bad}:")]
    assert shown[:100] == [f"{bad}:{i}: unknown indicator type 'junk'" for i in range(1, 101)]
    assert shown[100:] == [f"{bad}: 102 invalid lines skipped (first 100 shown)"]
    assert ioc_counts(p) == {"added": 1, "updated": 0, "unchanged": 0, "rejected": 102}


# ---------------------------------------------------------------------------- match


@pytest.mark.parametrize("args,message", [
    (("--stats=1",), "--stats takes no value"),
    (("--record",), "--record needs --db PATH"),
    (("-x",), "unknown option '-x'"),
    (("--" + "x" * 40,), "unknown option '--" + "x" * 40 + "'"),
    (("--threads=0",), "--threads is a number from 1 to 256"),
    (("--format=csv",), "--format is eve or text, not 'csv'"),
])
def test_match_usage_errors(args, message):
    p = run("match", "--indicators", os.path.join(DATA, "iocs", "good.txt"), *args,
            check=False)
    usage(p, "match", message)


def test_match_option_forms_and_end_of_options(tmp_path):
    iocs = os.path.join(DATA, "iocs", "good.txt")
    log = os.path.join(DATA, "eve", "sample.json")
    ref = run("match", "--indicators", iocs, log).stdout
    assert ref.count("\n") == 11
    assert run("match", f"--indicators={iocs}", "--format=eve", "--threads=1", log).stdout == ref
    # after "--" everything is a log file, even a name that looks like an option
    dash = tmp_path / "--stats"
    dash.write_bytes(open(log, "rb").read())
    p = run("match", "--indicators", iocs, "--", str(dash))
    assert [json.loads(l)["value"] for l in p.stdout.splitlines()] == \
        [json.loads(l)["value"] for l in ref.splitlines()]
    assert '"events"' not in p.stderr  # --stats was a file name, not the option


def test_match_directory_and_long_indicator_line(tmp_path):
    iocs = os.path.join(DATA, "iocs", "good.txt")
    d = tmp_path / "logs"
    d.mkdir()
    p = run("match", "--indicators", iocs, str(d), check=False)
    failure(p, f"vigie match: {d}: read: Is a directory")
    # one indicator line longer than the 4 MiB read block: refused by name, the rest loaded
    big = tmp_path / "big.txt"
    with open(big, "w") as f:
        f.write("domain-name " + "a" * (5 << 20) + "\ndomain-name c2.evil.example\n")
    p = run("match", "--indicators", str(big), os.path.join(DATA, "eve", "sample.json"))
    assert f"{big}:1: " in p.stderr
    values = {json.loads(l)["indicator"] for l in p.stdout.splitlines()}
    assert values == {"c2.evil.example"}


def test_match_indicator_file_with_many_invalid_lines(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("".join(f"junk line {i}\n" for i in range(11)) +
                   "domain-name c2.evil.example\n")
    p = run("match", "--indicators", str(bad), os.path.join(DATA, "eve", "sample.json"))
    shown = [l for l in p.stderr.splitlines() if l.startswith(f"{bad}:")]
    assert [l.split(":")[1] for l in shown[:10]] == [str(i) for i in range(1, 11)]
    assert len(shown) == 11  # ten lines, then the count
    assert f"{bad}: 11 invalid lines skipped (first 10 shown)" in p.stderr
    assert {json.loads(l)["indicator"] for l in p.stdout.splitlines()} == {"c2.evil.example"}


def test_match_record_errors(tmp_path, server):
    db = server.db
    r = server.post("/api/v1/indicators", {"type": "domain-name", "value": "c2.evil.example"})
    assert r.status_code == 201, r.text
    d = tmp_path / "logs"
    d.mkdir()
    p = run("match", "--db", db_arg(db), "--record", str(d), check=False)
    failure(p, f"vigie match: {d}: Is a directory")
    # more than ten malformed lines: ten shown, then the count; the good events recorded
    log = tmp_path / "log.json"
    good = open(os.path.join(DATA, "eve", "sample.json")).read()
    log.write_text("{broken\n" * 12 + good)
    p = run("match", "--db", db_arg(db), "--record", str(log))
    shown = [l for l in p.stderr.splitlines() if l.startswith(f"{log}:")]
    assert [int(l.split(":")[1]) for l in shown] == list(range(1, 11))
    assert "vigie match: 12 malformed lines skipped (first 10 shown)" in p.stderr
    assert p.stderr.splitlines()[-1] == '{"sightings":%d,"alerts":1,"unrecorded":0}' % len(
        [l for l in p.stdout.splitlines()])
    hits = [json.loads(l) for l in p.stdout.splitlines()]
    assert hits and {h["indicator"] for h in hits} == {"c2.evil.example"}
    s = server.get("/api/v1/sightings").json()["items"]
    assert len(s) == len(hits)


# ---------------------------------------------------------------------------- vuln


@pytest.mark.parametrize("args,message", [
    ((), "expected: import, match or digest"),
    (("frob",), "unknown subcommand 'frob'"),
    (("import",), "import needs at least one FILE or DIR"),
    (("import", "--zz", "f"), "unknown option '--zz'"),
    (("match", "--zz"), "unknown option '--zz'"),
    (("match", "extra"), "unexpected argument 'extra'"),
    (("match", "--since", "x"), "--since must be a date (YYYY-MM-DD)"),
    (("match", "--since", "2025-01-01", "--quiet"),
     "--since selects what is printed: not with --quiet"),
    (("match", "--org", "0"), "--org must be an organisation id"),
    (("digest",), "digest needs --org ID"),
    (("digest", "--zz"), "unknown option '--zz'"),
    (("digest", "--org", "-3"), "--org must be an organisation id"),
    (("digest", "--org", "1", "extra"), "unexpected argument 'extra'"),
])
def test_vuln_usage_errors(args, message, tmp_path):
    p = run_in(tmp_path, "vuln", *args)
    usage(p, "vuln", message)
    assert not db_made(tmp_path / "v.db")


@pytest.mark.parametrize("sub", [("import", "f.json"), ("match",), ("digest", "--org", "1")])
def test_vuln_unopenable_database(sub):
    bad = unopenable("server")
    bad.check(run("vuln", *sub, db=bad.db, check=False), f"vigie vuln {sub[0]}: ")


def test_vuln_match_unknown_org_and_empty_folder(tmp_path):
    db = tmp_path / "v.db"
    run("init", db=db)
    p = run("vuln", "match", "--org", "77", db=db, check=False)
    failure(p, "vigie vuln match: no organisation 77")
    empty = tmp_path / "feeds"
    empty.mkdir()
    p = run("vuln", "import", str(empty), db=db, check=False)
    failure(p, "vigie vuln import: nothing imported: no feed file found")


def test_vuln_import_folder_reports_each_bad_file_once(tmp_path):
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    (feeds / "nvd.json").write_bytes(open(os.path.join(VULNDB, "nvd-a.json"), "rb").read())
    (feeds / "other.json").write_text('{"x": 1}')
    (feeds / "epss.csv").write_bytes(open(os.path.join(DATA, "epss", "broken.csv"), "rb").read())
    p = run("vuln", "import", str(feeds), db=tmp_path / "v.db", check=False)
    assert p.returncode == 1, p.stderr  # a file failed (--keep-going: 0)
    assert "vigie vuln import: 2 file(s) read, 1 failed\n" in p.stderr
    other = str(feeds / "other.json")
    assert f"{other}: not a CVE 5, NVD 2.0, KEV or EPSS document\n" in p.stderr
    assert f"{feeds / 'epss.csv'}:4: first field is not a CVE id" in p.stderr
    assert "imported 2 file(s)" in p.stderr and "; 1 file(s) unreadable" in p.stderr
    assert "4 added, 0 updated, 0 unchanged, 4 rejected" in p.stderr


def test_vuln_digest_text_shows_kev_and_epss(server):
    org = make_org(server, "Ministry D", assets={"cidrs": [], "domains": [], "products": [
        "cpe:2.3:a:apache:http_server:2.4.41:*:*:*:*:*:*:*",
        "cpe:2.3:a:acme:gadget:1.9:*:*:*:*:*:*:*"]})
    db = server.db
    run("vuln", "import", os.path.join(VULNDB, "nvd-a.json"), os.path.join(VULNDB, "kev.json"),
        os.path.join(VULNDB, "epss.csv"), db=db)
    text = run("vuln", "digest", "--org", str(org["id"]), db=db).stdout
    lines = text.splitlines()
    assert re.fullmatch(rf"Digest for Ministry D \(organisation {org['id']}\), until \S+",
                        lines[0])
    assert lines[1] == "2 finding(s) (first digest)"
    kev = text.index("[KEV] CVE-2025-1003")
    epss = text.index("[EPSS] CVE-2025-1001")
    assert kev < epss  # KEV first
    assert "known exploited (CISA KEV) since 2025-02-01, due 2025-02-22, used by ransomware" \
        in text[kev:epss]
    assert re.search(r"\[EPSS\] CVE-2025-1001  CVSS \d+\.\d \w+  EPSS 0\.420\n"
                     r"  asset: cpe:2\.3:a:apache:http_server:2\.4\.41", text), text
    # taken: the next digest is empty and says since when
    again = run("vuln", "digest", "--org", str(org["id"]), db=db).stdout.splitlines()
    assert re.fullmatch(r"0 new finding\(s\) since the last digest \(\S+\)", again[1])


def test_vuln_import_progress_on_a_terminal(tmp_path):
    master, slave = pty.openpty()
    try:
        p = subprocess.Popen([BIN, "vuln", "import", "--db", db_arg(tmp_path / "v.db"),
                              os.path.join(VULNDB, "nvd-a.json"),
                              os.path.join(VULNDB, "kev.json")],
                             stdout=subprocess.PIPE, stderr=slave)
        os.close(slave)
        slave = None
        out = b""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            r, _, _ = select.select([master], [], [], 1)
            if r:
                try:
                    chunk = os.read(master, 4096)
                except OSError:  # the terminal closed with the process
                    break
                if not chunk:
                    break
                out += chunk
            elif p.poll() is not None:
                break
        assert p.wait(timeout=60) == 0
        p.stdout.close()
    finally:
        if slave is not None:
            os.close(slave)
        os.close(master)
    text = out.decode()
    assert re.search(r"\r1/2 files, \d+ records, \d+ records/s, ETA \d+ s", text), text
    assert re.search(r"\r2/2 files, 4 records, \d+ records/s, ETA 0 s +\r?\n", text), text
    assert "imported 2 file(s)" in text


def test_match_event_with_hundreds_of_hits_reports_each_indicator_once(tmp_path):
    """One event naming 700 indicators, each twice: 700 hits, one per indicator, at its first
    place (the per-event seen set grows past its first size)."""
    iocs = tmp_path / "many.txt"
    iocs.write_text("".join(f"domain-name d{i}.many.example\n" for i in range(700)))
    log = tmp_path / "ev.json"
    log.write_text(json.dumps({"a": [f"d{i}.many.example" for i in range(700)] * 2}) + "\n")
    for threads in ("1", "2"):
        hits = [json.loads(l) for l in
                run("match", "--indicators", str(iocs), "--threads", threads, str(log))
                .stdout.splitlines()]
        assert len(hits) == 700
        assert [h["field"] for h in hits] == [f"a[{i}]" for i in range(700)]
        assert {h["indicator"] for h in hits} == {f"d{i}.many.example" for i in range(700)}


def test_match_pipe_line_longer_than_a_read_block(tmp_path):
    """Through a pipe the log is read 32 MiB at a time: a line longer than that is skipped
    whole and named, and the next line is read from where it ends."""
    big = '{"a":"' + "x" * (33 * 1024 * 1024) + '"}\n{"a":"c2.evil.example"}\n'
    p = run("match", "--indicators", os.path.join(DATA, "iocs", "good.txt"), "-", input=big)
    assert p.stderr == "-:1: line longer than 1048576 bytes, skipped\n"
    hits = [json.loads(l) for l in p.stdout.splitlines()]
    assert [(h["line"], h["value"]) for h in hits] == [(2, "c2.evil.example")]


# ---------------------------------------------------------------------------- vuln feeds

def nvd_with(mutate):
    """An NVD 2.0 document: a record of nvd-a.json changed by mutate, then a good one."""
    import copy
    base = json.load(open(os.path.join(VULNDB, "nvd-a.json")))["vulnerabilities"][1]
    bad, good = copy.deepcopy(base), copy.deepcopy(base)
    mutate(bad["cve"])
    good["cve"]["id"] = "CVE-2025-1999"
    return {"format": "NVD_CVE", "version": "2.0", "vulnerabilities": [bad, good]}


def cm(c):
    return c["configurations"][0]["nodes"][0]["cpeMatch"][0]


CM = "/vulnerabilities/0/cve/configurations/0/nodes/0/cpeMatch/0"


@pytest.mark.parametrize("mutate,where,message", [
    (lambda c: c.__setitem__("metrics", []), "/vulnerabilities/0/cve/metrics",
     "metrics: not an object"),
    (lambda c: c["metrics"].__setitem__("cvssMetricV31", [1]),
     "/vulnerabilities/0/cve/metrics/cvssMetricV31/0", "metric: not an object"),
    (lambda c: c["metrics"]["cvssMetricV31"][0].pop("cvssData"),
     "/vulnerabilities/0/cve/metrics/cvssMetricV31/0/cvssData",
     "cvssData: missing or not an object"),
    (lambda c: c["configurations"][0]["nodes"][0].__setitem__("cpeMatch", [7]), CM,
     "cpeMatch: not an object"),
    (lambda c: cm(c).pop("criteria"), CM + "/criteria", "criteria: missing or not a string"),
    (lambda c: cm(c).__setitem__("versionEndExcluding", ""), CM + "/versionEndExcluding",
     "versionEndExcluding: not a version string"),
    (lambda c: cm(c).update({"versionStartIncluding": "1", "versionStartExcluding": "2"}),
     CM + "/versionStartExcluding", "start bound: both Including and Excluding"),
])
def test_nvd_record_rejected_by_its_place(mutate, where, message, tmp_path):
    f = tmp_path / "nvd.json"
    f.write_text(json.dumps(nvd_with(mutate)))
    p = run("vuln", "import", str(f), db=tmp_path / "v.db")
    assert p.stderr.splitlines()[0] == f"{f}: {where}: {message}"
    assert "1 added, 0 updated, 0 unchanged, 1 rejected" in p.stderr
    assert run("vuln", "match", "--quiet", db=tmp_path / "v.db").returncode == 0
    con = connect(str(tmp_path / "v.db"))
    assert con.execute("SELECT cve FROM vuln").fetchall() == [("CVE-2025-1999",)]
    con.close()


def cve5_affected(r):
    return r["containers"]["cna"]["affected"][0]


def drop_cna_metrics_and(r, adp):
    r["containers"]["cna"].pop("metrics")
    r["containers"]["adp"] = adp


@pytest.mark.parametrize("mutate,where,message", [
    (lambda r: r["containers"]["cna"].__setitem__("metrics", {}), "/containers/cna/metrics",
     "metrics: not an array"),
    (lambda r: drop_cna_metrics_and(r, [{"metrics": 5}]), "/containers/adp/0/metrics",
     "metrics: not an array"),
    (lambda r: cve5_affected(r).__setitem__("defaultStatus", 3), "/containers/cna/affected/0",
     "affected product: vendor, product or defaultStatus not a string"),
    (lambda r: cve5_affected(r).__setitem__("versions", {}),
     "/containers/cna/affected/0/versions", "versions: not an array"),
    (lambda r: cve5_affected(r)["versions"][0].pop("version"),
     "/containers/cna/affected/0/versions/0", "version: version missing, or a field not a string"),
    (lambda r: r["cveMetadata"].pop("state"), "/cveMetadata/state",
     "state: missing, or a date not a string"),
    (lambda r: r["containers"].pop("cna"), "/containers/cna", "cna: missing or not an object"),
    (lambda r: r.__setitem__("containers", 5), "/containers",
     "containers: missing or not an object"),
])
def test_cve5_record_rejected_by_its_place(mutate, where, message, tmp_path):
    rec = json.load(open(os.path.join(DATA, "cve5", "affected.json")))[0]
    mutate(rec)
    f = tmp_path / "cve5.json"
    f.write_text(json.dumps(rec))
    p = run("vuln", "import", str(f), db=tmp_path / "v.db")
    assert p.stderr.splitlines()[0] == f"{f}: {where}: {message}"
    assert "0 added, 0 updated, 0 unchanged, 1 rejected" in p.stderr


def test_cve5_adp_score_used_when_the_cna_has_none(tmp_path):
    rec = json.load(open(os.path.join(DATA, "cve5", "affected.json")))[0]
    drop_cna_metrics_and(rec, [{"metrics": [{"other": {}}, {"cvssV3_0": {
        "version": "3.0", "baseScore": 6.1, "baseSeverity": "MEDIUM"}}]}])
    f = tmp_path / "cve5.json"
    f.write_text(json.dumps(rec))
    db = tmp_path / "v.db"
    p = run("vuln", "import", str(f), db=db)
    assert "1 added" in p.stderr
    con = connect(str(db))
    assert con.execute("SELECT cve, cvss, cvss_version FROM vuln").fetchall() == [
        ("CVE-2024-2001", 6.1, "3.0")]
    con.close()
