"""Command-line inputs (issue 11, items 12 to 14): indicator files read from a pipe a block at a
time whatever the length of their lines, `vigie ioc import` streaming its input, `vigie vuln
import` reading a pipe and saying when some files failed, untrusted values escaped and cut in
messages, and a database that cannot be written named with its real cause.

Memory is measured, not time: the command runs under a small Python wrapper whose only child it
is, and the wrapper reports that child's peak resident size (getrusage RUSAGE_CHILDREN). A
command that held its whole input (64 MiB here) would be 64 MiB above the same command on a
small input; the bound is half of that."""
import json
import os
import re
import subprocess
import sys

import pytest

from conftest import db_arg, BIN, ROOT, run

VULNDB = os.path.join(ROOT, "tests", "data", "vulndb")
BIG = 64 << 20           # bytes piped in
BOUND_KIB = 32 << 10     # what the big input may add to the peak resident size
MAX_LINE = 1 << 20       # VG_MAX_LINE

# Runs argv[1:], its standard streams inherited, then prints its peak RSS on stderr.
WRAP = ("import resource, subprocess, sys\n"
        "r = subprocess.run(sys.argv[1:])\n"
        "sys.stderr.write('\\nmaxrss_kib=%d\\n' % "
        "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        "sys.exit(r.returncode)\n")


def measured(args, data):
    """Runs vigie ARGS with data on its standard input; (returncode, stderr, peak RSS KiB)."""
    p = subprocess.run([sys.executable, "-c", WRAP, BIN, *args], input=data,
                       capture_output=True, timeout=120)
    err = p.stderr.decode("utf-8", "replace")
    m = re.search(r"\nmaxrss_kib=(\d+)\n$", err)
    assert m, err[-2000:]
    return p.returncode, err[:m.start()], int(m.group(1))


def stats_of(stderr):
    """The --stats JSON line of `vigie match`."""
    line = [x for x in stderr.splitlines() if x.startswith('{"events"')]
    assert line, stderr
    return json.loads(line[-1])


# ------------------------------------------------------------ 12: indicator files from a pipe

def test_match_long_line_from_pipe_is_skipped_in_bounded_memory():
    """A 64 MiB line without newline on a pipe: reported once as FILE:LINE, skipped, the lines
    after it read; memory stays within a block, not the line."""
    args = ["match", "--indicators", "/dev/stdin", "--stats", "/dev/null"]
    small = b"domain-name a.example\n" + b"x" * 100 + b"\ndomain-name b.example\n"
    rc0, err0, rss0 = measured(args, small)
    assert rc0 == 0, err0
    big = b"domain-name a.example\n" + b"x" * BIG + b"\ndomain-name b.example\n"
    rc, err, rss = measured(args, big)
    assert rc == 0, err
    assert f"/dev/stdin:2: line longer than {MAX_LINE} bytes\n" in err
    assert err.count("line longer than") == 1
    st = stats_of(err)
    assert (st["indicators"], st["invalid"]) == (2, 1)
    assert rss - rss0 < BOUND_KIB, (rss0, rss)


def test_match_long_last_line_without_newline_strict():
    """The input ends inside a line over the limit (no newline at all): --strict stops with
    exit 1 naming the line; without it the line is reported and the rest loaded."""
    data = b"domain-name a.example\n" + b"y" * (8 << 20)
    p = subprocess.run([BIN, "match", "--strict", "--indicators", "/dev/stdin", "/dev/null"],
                       input=data, capture_output=True, timeout=60)
    err = p.stderr.decode()
    assert p.returncode == 1, err
    assert f"/dev/stdin:2: line longer than {MAX_LINE} bytes\n" in err
    assert "vigie match: /dev/stdin: invalid indicator line (--strict)" in err
    p = subprocess.run([BIN, "match", "--stats", "--indicators", "/dev/stdin", "/dev/null"],
                       input=data, capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr
    st = stats_of(p.stderr.decode())
    assert (st["indicators"], st["invalid"]) == (1, 1)


def test_long_lines_reported_alike_in_files_and_pipes(tmp_path):
    """A line just over the limit (given whole to the parser) and one longer than a read
    block (skipped by the reader) get the same message, from a file as from a pipe; a line
    of exactly the limit is not "too long"."""
    data = (b"domain-name a.example\n"
            + b"#" + b"c" * (MAX_LINE - 1) + b"\n"  # a comment of exactly VG_MAX_LINE
            + b"z" * (MAX_LINE + 1) + b"\n"         # one byte over
            + b"w" * (5 << 20) + b"\n"              # over a 4 MiB block
            + b"domain-name b.example\n")
    f = tmp_path / "iocs.txt"
    f.write_bytes(data)
    want = [f"{{}}:3: line longer than {MAX_LINE} bytes", f"{{}}:4: line longer than {MAX_LINE} bytes"]
    for name, inp in ((str(f), None), ("/dev/stdin", data)):
        p = subprocess.run([BIN, "match", "--stats", "--indicators", name, "/dev/null"],
                           input=inp, capture_output=True, timeout=60)
        err = p.stderr.decode()
        assert p.returncode == 0, err
        shown = [x for x in err.splitlines() if "longer than" in x]
        assert shown == [w.format(name) for w in want], err
        st = stats_of(err)
        assert (st["indicators"], st["invalid"]) == (2, 2)
    p = run("ioc", "import", str(f), db=tmp_path / "v.db")
    shown = [x for x in p.stderr.splitlines() if "longer than" in x]
    assert shown == [w.format(f) for w in want], p.stderr
    assert '{"added":2,"updated":0,"unchanged":0,"rejected":2}' in p.stderr


def test_ioc_import_streams_a_pipe(tmp_path):
    """`vigie ioc import -` on 64 MiB of input imports it without holding it: the indicators at
    both ends are stored and memory stays within a bound well under the input."""
    db = tmp_path / "v.db"
    run("init", db=db)
    filler = b"# " + b"c" * 1021 + b"\n"  # 1 KiB comment lines
    args = ["ioc", "import", "--db", db_arg(db), "-"]
    rc0, err0, rss0 = measured(args, b"domain-name first.example\n" + filler * 16)
    assert rc0 == 0, err0
    big = b"domain-name first.example\n" + filler * (BIG // len(filler)) + \
        b"ipv4-addr 192.0.2.7\ndomain-name last.example"  # the last line without newline
    rc, err, rss = measured(args, big)
    assert rc == 0, err
    assert '{"added":2,"updated":0,"unchanged":1,"rejected":0}' in err, err
    assert rss - rss0 < BOUND_KIB, (rss0, rss)


def test_ioc_import_strict_long_line_from_pipe(tmp_path):
    """--strict: a line over the limit on a pipe stops the import with exit 1, naming it; the
    lines before it, in the pending chunk, are not stored (as for any invalid line)."""
    db = tmp_path / "v.db"
    data = b"domain-name a.example\n" + b"v" * (6 << 20) + b"\ndomain-name b.example\n"
    p = subprocess.run([BIN, "ioc", "import", "--strict", "--db", db_arg(db), "-"], input=data,
                       capture_output=True, timeout=60)
    err = p.stderr.decode()
    assert p.returncode == 1, err
    assert f"-:2: line longer than {MAX_LINE} bytes\n" in err
    assert "vigie ioc: -: invalid indicator line (--strict)" in err
    assert '"added":0' in err and '"rejected":1' in err


# ------------------------------------------------------------ 13: vuln import

def test_vuln_import_reads_a_pipe_and_a_fifo(tmp_path):
    data = open(os.path.join(VULNDB, "nvd-a.json"), "rb").read()
    db = tmp_path / "v.db"
    p = subprocess.run([BIN, "vuln", "import", "--db", db_arg(db), "/dev/stdin"], input=data,
                       capture_output=True, timeout=60)
    err = p.stderr.decode()
    assert p.returncode == 0, err
    assert "imported 1 file(s)" in err and ": 4 added, 0 updated" in err
    fifo = tmp_path / "feed.json"
    os.mkfifo(fifo)
    writer = subprocess.Popen(["sh", "-c", f"cat '{VULNDB}/nvd-a.json' > '{fifo}'"])
    try:
        p = run("vuln", "import", str(fifo), db=db)
    finally:
        writer.wait(timeout=30)
    assert "imported 1 file(s)" in p.stderr and "0 added, 0 updated, 4 unchanged" in p.stderr
    # an empty pipe is a bad document, not a silent success
    p = subprocess.run([BIN, "vuln", "import", "--db", db_arg(db), "/dev/stdin"], input=b"",
                       capture_output=True, timeout=60)
    assert p.returncode == 1
    assert "nothing imported" in p.stderr.decode()


def test_vuln_import_folder_with_failed_files_exits_1(tmp_path):
    """Some files of a folder fail: the others are imported, a summary line counts both, exit
    1; --keep-going exits 0 then (today's behaviour); when none could be read, exit 1 either
    way."""
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    (feeds / "a.json").write_bytes(open(os.path.join(VULNDB, "nvd-a.json"), "rb").read())
    (feeds / "b.json").write_text("{ not json")
    (feeds / "c.json").write_text('{"x": 1}')
    db = tmp_path / "v.db"
    p = run("vuln", "import", str(feeds), db=db, check=False)
    assert p.returncode == 1, p.stderr
    assert "imported 1 file(s)" in p.stderr and "4 added" in p.stderr
    assert "vigie vuln import: 1 file(s) read, 2 failed\n" in p.stderr
    assert f"{feeds / 'c.json'}: not a CVE 5, NVD 2.0, KEV or EPSS document" in p.stderr
    p = run("vuln", "import", "--keep-going", str(feeds), db=db, check=False)
    assert p.returncode == 0, p.stderr
    assert "4 unchanged" in p.stderr
    assert "vigie vuln import: 1 file(s) read, 2 failed (--keep-going)\n" in p.stderr
    (feeds / "a.json").unlink()
    for extra in ([], ["--keep-going"]):
        p = run("vuln", "import", *extra, str(feeds), db=db, check=False)
        assert p.returncode == 1, p.stderr
        assert "vigie vuln import: nothing imported:" in p.stderr
        assert "vigie vuln import: 0 file(s) read, 2 failed\n" in p.stderr
    # all read: exit 0 and no failure line
    p = run("vuln", "import", os.path.join(VULNDB, "nvd-a.json"), db=db)
    assert "failed" not in p.stderr


# ------------------------------------------------------------ 14: messages

ESC = "\x1b[31mred\x1b]0;title\x07"


def no_raw_controls(text):
    return not any(ord(c) < 0x20 and c not in "\n" for c in text) and "\x7f" not in text


def test_cpe_parse_escapes_and_cuts_its_argument():
    p = run("cpe", "parse", f"cpe:2.3:a:{ESC}:x", check=False)
    assert p.returncode == 1
    assert no_raw_controls(p.stderr), repr(p.stderr)
    assert "cpe:2.3:a:\\x1b[31mred\\x1b]0;title\\x07:x" in p.stderr
    long = "cpe:2.3:a:" + "v" * 100_000 + "\n\x1b"
    p = run("cpe", "parse", long, check=False)
    assert p.returncode == 1
    assert no_raw_controls(p.stderr), repr(p.stderr[:300])
    assert f"...({len(long)} bytes)'" in p.stderr
    assert len(p.stderr) < 1000, len(p.stderr)
    p = run("cpe", "compare", "cpe:/a:v:p", f"cpe:/a:{ESC}", check=False)
    assert p.returncode == 1 and no_raw_controls(p.stderr), repr(p.stderr)
    assert "target 'cpe:/a:\\x1b[31m" in p.stderr


@pytest.mark.parametrize("args,shown", [
    (("cpe", "frob\x1b[2J"), "unknown subcommand 'frob\\x1b[2J'"),
    (("match", "--format", "x\x1b[2J"), "--format is eve or text, not 'x\\x1b[2J'"),
    (("match", "--indicators", "f", "--zz\x1b"), "unknown option '--zz\\x1b'"),
    (("ioc", "import", "--zz\x1b"), "unknown option '--zz\\x1b'"),
    (("ioc", "frob\x9b2J"), "unknown subcommand 'frob\\xc2\\x9b2J'"),
    (("vuln", "import", "--zz\x1b"), "unknown option '--zz\\x1b'"),
    (("vuln", "match", "x\x1b"), "unexpected argument 'x\\x1b'"),
    (("vuln", "frob\x07"), "unknown subcommand 'frob\\x07'"),
    (("help", "frob\x1b"), "no command 'frob\\x1b'"),
    (("frob\x1b",), "unknown command 'frob\\x1b'"),
    (("init", "x\x1b[31m"), "unexpected argument 'x\\x1b[31m'"),
    (("token", "create", "--user", "u", "x\x1b[31m"), "unexpected argument 'x\\x1b[31m'"),
    (("serve", "x\x1b[31m"), "unexpected argument 'x\\x1b[31m'"),
    (("serve", "--trusted-proxy", "\x1b[2J"), "--trusted-proxy '\\x1b[2J' is not an address"),
])
def test_usage_messages_escape_arguments(args, shown):
    p = run(*args, check=False)
    assert p.returncode == 2, p.stderr
    assert shown in p.stderr, p.stderr
    assert no_raw_controls(p.stderr), repr(p.stderr)


def test_usage_messages_cut_long_arguments():
    arg = "--" + "o" * 50_000
    for args in (("ioc", "import", arg), ("vuln", "import", arg), ("match", "--db", "x", arg)):
        p = run(*args, check=False)
        assert p.returncode == 2, p.stderr[:300]
        assert f"...({len(arg)} bytes)'" in p.stderr, p.stderr[:300]
        assert len(p.stderr) < 1000


def test_file_names_escaped_in_messages(tmp_path):
    name = tmp_path / "in\x1b[2Jdicators.txt"
    name.write_text("domain-name a.example\nnot-a-type x\n")
    shown = str(tmp_path) + "/in\\x1b[2Jdicators.txt"
    p = run("match", "--indicators", str(name), "/dev/null")
    assert f"{shown}:2: unknown indicator type 'not-a-type'" in p.stderr, repr(p.stderr)
    assert no_raw_controls(p.stderr)
    p = run("ioc", "import", str(name), db=tmp_path / "v.db")
    assert f"{shown}:2: unknown indicator type 'not-a-type'" in p.stderr, repr(p.stderr)
    assert no_raw_controls(p.stderr)
    p = run("match", "--indicators", str(name) + "\x07", "/dev/null", check=False)
    assert p.returncode == 1
    assert f"vigie match: {shown}\\x07: No such file or directory" in p.stderr, repr(p.stderr)
    p = run("vuln", "import", str(name), db=tmp_path / "v.db", check=False)
    assert p.returncode == 1 and no_raw_controls(p.stderr), repr(p.stderr)
    assert shown in p.stderr


# ------------------------------------------------------------ 14: a database it cannot write

def chattr(flag, path):
    p = subprocess.run(["chattr", flag, str(path)], capture_output=True, text=True)
    return p.returncode == 0


WRITERS = [
    ("ioc", "import", "IOCS"),
    ("vuln", "import", "FEED"),
    ("vuln", "match"),
    ("match", "--indicators", "IOCS", "/dev/null"),
    ("token", "create", "--user", "x"),
    ("init",),
]


def writers(tmp_path):
    iocs = tmp_path / "iocs.txt"
    iocs.write_text("domain-name a.example\n")
    feed = os.path.join(VULNDB, "nvd-a.json")
    for w in WRITERS:
        yield [str(iocs) if a == "IOCS" else feed if a == "FEED" else a for a in w]


@pytest.mark.sqlite_only("the SQLite file made immutable (chattr +i)")
def test_immutable_database_file_named_with_its_cause(tmp_path):
    """A database file the process may not write (root bypasses mode 0444: the immutable flag
    stops root too): every command says which file and why, exit 1, not "not an error"."""
    d = tmp_path / "db"
    d.mkdir()
    db = d / "v.db"
    run("init", db=db)
    if not chattr("+i", db):
        pytest.skip("chattr +i not supported here")
    try:
        for args in writers(tmp_path):
            p = run(*args, db=db, check=False)
            assert p.returncode == 1, (args, p.stderr)
            assert f"cannot open database {db} for writing: Operation not permitted" in \
                p.stderr, (args, p.stderr)
            assert "not an error" not in p.stderr
    finally:
        chattr("-i", db)


@pytest.mark.sqlite_only("the SQLite file's folder not writable (its -wal and -shm files)")
def test_database_in_a_folder_it_cannot_write(tmp_path):
    """The file is writable but its folder is not: the -wal and -shm files cannot be made
    beside it, and the message says so."""
    d = tmp_path / "db"
    d.mkdir()
    db = d / "v.db"
    run("init", db=db)
    assert not os.path.exists(str(db) + "-wal")
    if not chattr("+i", d):
        pytest.skip("chattr +i not supported here")
    try:
        p = run("ioc", "import", str(next(writers(tmp_path))[2]), db=db, check=False)
        assert p.returncode == 1, p.stderr
        assert f"vigie ioc: cannot set up database {db}: " in p.stderr, p.stderr
        assert "its folder, where the -wal and -shm files go, is not writable: " \
            "Operation not permitted" in p.stderr, p.stderr
    finally:
        chattr("-i", d)


@pytest.mark.sqlite_only("the SQLite file on a read-only file system")
def test_read_only_file_system(tmp_path):
    mnt = tmp_path / "fs"
    mnt.mkdir()
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mnt)],
                       capture_output=True, text=True)
    if p.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {p.stderr.strip()}")
    try:
        db = mnt / "v.db"
        run("init", db=db)
        r = subprocess.run(["mount", "-o", "remount,ro", str(mnt)], capture_output=True,
                           text=True)
        assert r.returncode == 0, r.stderr
        for args in writers(tmp_path):
            p = run(*args, db=db, check=False)
            assert p.returncode == 1, (args, p.stderr)
            assert f"cannot open database {db} for writing: Read-only file system" in \
                p.stderr, (args, p.stderr)
        # a database to be made on it: the cause of the failed open
        p = run("ioc", "import", str(tmp_path / "iocs.txt"), db=mnt / "new.db", check=False)
        assert p.returncode == 1
        assert f"cannot open database {mnt / 'new.db'}: unable to open database file; its " \
            "folder is not writable: Read-only file system" in p.stderr, p.stderr
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)
