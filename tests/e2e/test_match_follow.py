"""End-to-end tests of `vigie match --follow [--state FILE | --db PATH --record]` (issue 17,
following logs): the real binary follows files while the test appends to them, rotates them both
ways (rename and a new file; copy-truncate), creates them late, kills the follower with SIGKILL
and restarts it with its state. What it prints is compared with a one-shot `vigie match` over the
same content; with --record, the sightings stored (SQLite, or PostgreSQL in the pg pass through
conftest's db_arg) with those of a one-shot --record."""
import json
import os
import signal
import subprocess

import pytest

from conftest import BIN, db_arg, run, sql, wait_for

IOCS = "domain-name evil.example\nipv4-addr 203.0.113.0/24\nurl http://bad.example/x\n"


def event(i):
    """Event number i: about one in three hits a domain, one in five an address."""
    host = f"h{i}.evil.example" if i % 3 == 0 else f"h{i}.fine.example"
    dest = f"203.0.113.{i % 250}" if i % 5 == 0 else f"192.0.2.{i % 250}"
    return json.dumps({"timestamp": "2026-12-01T10:00:00.000000+0000", "src_ip": "10.0.0.1",
                       "dest_ip": dest, "dns": {"rrname": host}, "n": i}) + "\n"


def events(a, b):
    return "".join(event(i) for i in range(a, b))


def one_shot(tmp_path, *logs):
    p = subprocess.run([BIN, "match", "--indicators", str(tmp_path / "iocs.txt"), *map(str, logs)],
                       capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return p.stdout.decode()


def lines_of(path):
    try:
        with open(path, "rb") as f:
            data = f.read().decode()
    except FileNotFoundError:
        return []
    return [line for line in data.split("\n") if line]


class Follower:
    """A running `vigie match --follow`, its output going to files the test reads."""

    def __init__(self, tmp_path, logs, state=None, name="f", extra=(), iocs=True):
        self.out = tmp_path / f"{name}.out"
        self.err = tmp_path / f"{name}.err"
        cmd = [BIN, "match", "--follow", "--threads", "2", *extra]
        if iocs:
            cmd += ["--indicators", str(tmp_path / "iocs.txt")]
        if state:
            cmd += ["--state", str(state)]
        cmd += [str(x) for x in logs]
        with open(self.out, "wb") as o, open(self.err, "wb") as e:
            self.proc = subprocess.Popen(cmd, stdout=o, stderr=e)

    def lines(self):
        return lines_of(self.out)

    def stderr(self):
        return self.err.read_text()

    def wait_lines(self, n, what="hits"):
        return wait_for(lambda: len(self.lines()) >= n and self.lines(), timeout=15,
                        what=f"{n} {what} printed")

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.proc.wait(timeout=15)

    def wait_stderr(self, text):
        wait_for(lambda: text in self.stderr(), timeout=15, what=repr(text))


@pytest.fixture
def follow(tmp_path):
    (tmp_path / "iocs.txt").write_text(IOCS)
    started = []

    def start(*args, **kw):
        f = Follower(tmp_path, *args, **kw)
        started.append(f)
        return f
    yield start
    for f in started:
        if f.proc.poll() is None:
            f.proc.kill()
            f.proc.wait()


def append(path, text):
    with open(path, "a") as f:
        f.write(text)


def test_appends_and_a_partial_line_print_what_one_shot_prints(tmp_path, follow):
    log = tmp_path / "eve.json"
    log.write_text(events(0, 40))
    f = follow([log])
    want = one_shot(tmp_path, log).splitlines()
    f.wait_lines(len(want))
    # a line written in two parts: its first part comes with a whole line, so the follower has
    # read past that line (its hit is out) while the partial one was there
    partial = event(42)
    append(log, event(41) + partial[:25])
    n41 = len(one_shot(tmp_path, log).splitlines())  # the partial line is malformed on its own
    f.wait_lines(n41)
    assert "malformed" not in f.stderr() and "42" not in "".join(f.lines()[len(want):])
    append(log, partial[25:] + events(43, 100))
    want = one_shot(tmp_path, log)
    f.wait_lines(len(want.splitlines()))
    assert f.stop() == 0
    assert "\n".join(f.lines()) + "\n" == want
    assert f.stderr() == ""


def test_rotation_by_rename_reads_the_old_file_to_its_end(tmp_path, follow):
    log, old = tmp_path / "eve.json", tmp_path / "eve.json.1"
    log.write_text(events(0, 30))
    f = follow([log])
    f.wait_lines(len(one_shot(tmp_path, log).splitlines()))
    # written to the old file, then renamed, its last line without a newline: all read
    append(log, events(30, 60) + event(60).rstrip("\n"))
    os.rename(log, old)
    log.write_text(events(100, 130))
    want = one_shot(tmp_path, old) + one_shot(tmp_path, log)
    f.wait_lines(len(want.splitlines()))
    f.wait_stderr("rotated")
    append(log, events(130, 140))
    want = one_shot(tmp_path, old) + one_shot(tmp_path, log)
    f.wait_lines(len(want.splitlines()))
    assert f.stop() == 0
    assert "\n".join(f.lines()) + "\n" == want
    assert json.loads(f.lines()[-1])["line"] == 39  # event 138, numbered from 1 in the new file


def test_copy_truncate_starts_again_from_the_start(tmp_path, follow):
    log = tmp_path / "eve.json"
    log.write_text(events(0, 50))
    state = tmp_path / "state.json"
    f = follow([log], state=state)
    first = one_shot(tmp_path, log)
    f.wait_lines(len(first.splitlines()))
    os.truncate(log, 0)
    f.wait_stderr("truncated")
    log.write_text(events(200, 212))
    want = first + one_shot(tmp_path, log)
    f.wait_lines(len(want.splitlines()))
    assert f.stop() == 0
    assert "\n".join(f.lines()) + "\n" == want
    st = json.loads(state.read_text())
    assert st["files"] == [{"path": str(log), "dev": os.stat(log).st_dev,
                            "ino": os.stat(log).st_ino, "offset": os.path.getsize(log),
                            "line": 12}]


def test_a_file_created_after_start_is_waited_for(tmp_path, follow):
    here, late = tmp_path / "here.json", tmp_path / "late.json"
    here.write_text(events(0, 10))
    f = follow([here, late])
    f.wait_lines(len(one_shot(tmp_path, here).splitlines()))
    late.write_text(events(10, 40))
    want = one_shot(tmp_path, here, late)  # two logs: each hit has "file"
    f.wait_lines(len(want.splitlines()))
    f.wait_stderr("late.json: appeared")
    assert f.stop(signal.SIGINT) == 0
    assert sorted(f.lines()) == sorted(want.splitlines())
    assert {json.loads(x)["file"] for x in f.lines()} == {str(here), str(late)}


def test_sigkill_then_restart_with_state_loses_no_hit(tmp_path, follow):
    log = tmp_path / "eve.json"
    state = tmp_path / "state.json"
    log.write_text(events(0, 3000))
    f1 = follow([log], state=state, name="one")
    f1.wait_lines(1)
    append(log, events(3000, 6000))
    f1.wait_lines(len(one_shot(tmp_path, log).splitlines()) // 2)
    append(log, events(6000, 9000))
    f1.proc.kill()  # SIGKILL: no flush, no last state
    f1.proc.wait()
    saved = json.loads(state.read_text())["files"][0]
    assert saved["path"] == str(log) and saved["ino"] == os.stat(log).st_ino
    f2 = follow([log], state=state, name="two")
    f2.wait_stderr("resumed after line")
    append(log, events(9000, 10000))
    want = one_shot(tmp_path, log).splitlines()
    # run two starts where the state says: its first hit is at or after the saved line
    wait_for(lambda: f2.lines() and f2.lines()[-1] == want[-1], timeout=20,
             what="the last hit in run two")
    assert f2.stop() == 0
    one, two = f1.lines(), f2.lines()
    assert set(one) | set(two) == set(want)  # no hit lost
    assert one == want[:len(one)]  # each run prints hits in order, run two from the state on
    assert two == want[len(want) - len(two):]
    assert json.loads(two[0])["line"] > saved["line"]
    # repeats: only hits printed before the crash and after the state saved
    repeated = set(one) & set(two)
    assert all(json.loads(x)["line"] > saved["line"] for x in repeated)


def test_restart_after_a_rotation_while_stopped_reads_the_old_file_then_the_new(tmp_path, follow):
    log = tmp_path / "eve.json"
    state = tmp_path / "state.json"
    log.write_text(events(0, 20))
    f1 = follow([log], state=state, name="one")
    first = one_shot(tmp_path, log)
    f1.wait_lines(len(first.splitlines()))
    assert f1.stop() == 0
    assert json.loads(state.read_text())["files"][0]["line"] == 20
    # the same file grown: only what is new is read, numbered on
    append(log, events(20, 30))
    f2 = follow([log], state=state, name="two")
    want = one_shot(tmp_path, log)
    f2.wait_lines(len(want.splitlines()) - len(first.splitlines()))
    assert f2.stop() == 0
    assert "\n".join(f1.lines() + f2.lines()) + "\n" == want
    # rotated while stopped, after lines were added: the old file is found under its new name
    # and read on to its end (line 31 on), then the new file from its start
    old = tmp_path / "eve.json.1"
    append(log, events(30, 40))
    os.rename(log, old)
    log.write_text(events(50, 60))
    f3 = follow([log], state=state, name="three")
    before = len(want.splitlines())
    want = "".join(one_shot(tmp_path, old).splitlines(True)[before:]) + one_shot(tmp_path, log)
    f3.wait_lines(len(want.splitlines()))
    f3.wait_stderr("found renamed")
    assert f3.stop() == 0
    assert "\n".join(f3.lines()) + "\n" == want
    assert json.loads(f3.lines()[0])["line"] == 31


@pytest.mark.parametrize("text, where", [
    ("not json", "not JSON: malformed JSON at line 1"),
    ('{"files": 3}', 'no array "files"'),
    ('{"files": [], "extra": 1}', "extra"),
    ('{"files": [{"path": "x", "dev": "1", "ino": 2, "offset": 0, "line": 0}]}',
     "files[0].dev is not a whole number"),
    ('{"files": [{"path": "x", "dev": 1, "ino": 2, "line": 0}]}', "files[0].offset is missing"),
    ('{"files": [{"path": "x", "dev": 1, "ino": 2, "offset": -5, "line": 0}]}',
     "files[0].offset is not a whole number"),
    ('{"files": [7]}', "files[0] is not an object"),
    ('{"files": [{"path": "", "dev": 1, "ino": 2, "offset": 0, "line": 0}]}',
     "files[0].path is not a file name"),
])
def test_a_bad_state_file_is_an_error_naming_it_and_the_place(tmp_path, text, where):
    (tmp_path / "iocs.txt").write_text(IOCS)
    state = tmp_path / "state.json"
    state.write_text(text)
    p = subprocess.run([BIN, "match", "--follow", "--indicators", str(tmp_path / "iocs.txt"),
                        "--state", str(state), str(tmp_path / "eve.json")],
                       capture_output=True, text=True, timeout=15)
    assert p.returncode == 1
    assert f"vigie match: {state}: " in p.stderr and where in p.stderr, p.stderr
    assert state.read_text() == text  # left as it was


@pytest.mark.parametrize("args, message", [
    (["--state", "s.json", "x.log"], "--state needs --follow"),
    (["--follow", "-"], "--follow reads files, not standard input"),
    (["--follow"], "--follow needs LOGFILE"),
])
def test_follow_usage_errors(tmp_path, args, message):
    (tmp_path / "iocs.txt").write_text(IOCS)
    p = subprocess.run([BIN, "match", "--indicators", str(tmp_path / "iocs.txt"), *args],
                       capture_output=True, text=True, timeout=15, cwd=tmp_path)
    assert p.returncode == 2 and message in p.stderr, p.stderr


# ---- --record ----

def stored_db(tmp_path, name):
    db = tmp_path / name
    run("init", db=db)
    run("ioc", "import", str(tmp_path / "iocs.txt"), db=db)
    return db


def sightings(db):
    """The sightings stored, as a sorted list (a multiset: a repeat shows)."""
    return sorted(sql(db, "SELECT i.value, s.org_id, s.seen, s.value, s.field, s.source "
                          "FROM sighting s JOIN indicator i ON i.id = s.indicator_id"))


def count(db):
    return sql(db, "SELECT count(*) FROM sighting")[0][0]


def one_shot_record(tmp_path, db, *logs):
    p = subprocess.run([BIN, "match", "--db", db_arg(db), "--record", *map(str, logs)],
                       capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return p.stdout.decode()


def rotated_reference(tmp_path, ref, old, log):
    """The sightings of one-shot --record runs into ref over the old file's content, then the
    new one's, each under a copy named as the log (for "source"), renamed back to log."""
    ref_log = tmp_path / "ref" / log.name
    ref_log.parent.mkdir()
    for content in (old.read_text(), log.read_text()):
        ref_log.write_text(content)
        one_shot_record(tmp_path, ref, ref_log)
    return [(a, b, c, d, e, src.replace(str(ref_log), str(log))) for a, b, c, d, e, src in
            sightings(ref)]


def test_record_sigkill_and_restart_neither_loses_nor_repeats_a_sighting(tmp_path, follow):
    (tmp_path / "iocs.txt").write_text(IOCS)
    db, ref = stored_db(tmp_path, "follow.db"), stored_db(tmp_path, "ref.db")
    log = tmp_path / "eve.json"
    log.write_text(events(0, 4000))
    rec = ["--db", db_arg(db), "--record"]
    f1 = follow([log], name="one", extra=rec, iocs=False)
    wait_for(lambda: count(db) > 0, timeout=15, what="sightings stored")
    append(log, events(4000, 8000))
    wait_for(lambda: count(db) > 2000, timeout=15, what="more sightings stored")
    append(log, events(8000, 12000))
    f1.proc.kill()  # SIGKILL, maybe in the middle of a piece
    f1.proc.wait()
    pos = sql(db, "SELECT path, ino, byte_offset, line_count FROM follow_position "
                  "WHERE follower = 'default'")
    assert len(pos) == 1 and pos[0][0] == str(log) and pos[0][1] == os.stat(log).st_ino
    assert pos[0][2] > 0 and pos[0][3] > 0
    with open(log, "rb") as fh:  # the offset ends a whole line, the line count matches it
        head = fh.read(pos[0][2])
    assert head.endswith(b"\n") and head.count(b"\n") == pos[0][3]
    f2 = follow([log], name="two", extra=rec, iocs=False)
    append(log, events(12000, 13000))
    want = one_shot_record(tmp_path, ref, log)
    wait_for(lambda: count(db) >= count(ref), timeout=20, what="all sightings stored")
    assert f2.stop() == 0
    got, exp = sightings(db), sightings(ref)
    assert len(got) == len(exp) and got == exp  # none lost, none repeated
    assert sql(db, "SELECT byte_offset, line_count FROM follow_position") == [
        (os.path.getsize(log), 13000)]
    # printed: nothing lost; a repeat only of hits printed just before the kill
    assert set(f1.lines()) | set(f2.lines()) == set(want.splitlines())
    assert f2.lines() == want.splitlines()[len(want.splitlines()) - len(f2.lines()):]
    assert json.loads(f2.lines()[0])["line"] > pos[0][3]
    assert json.loads(f2.stderr().splitlines()[-1])["sightings"] == count(ref) - len(
        [r for r in exp if int(r[5].rsplit(":", 1)[1]) <= pos[0][3]])


def test_record_sigterm_stops_between_pieces_of_5000_lines(tmp_path, follow):
    (tmp_path / "iocs.txt").write_text(IOCS)
    db, ref = stored_db(tmp_path, "follow.db"), stored_db(tmp_path, "ref.db")
    log = tmp_path / "eve.json"
    log.write_text(events(0, 60000))
    rec = ["--db", db_arg(db), "--record"]
    f1 = follow([log], name="one", extra=rec, iocs=False)
    wait_for(lambda: sql(db, "SELECT line_count FROM follow_position"), timeout=15,
             what="a first piece stored")
    assert f1.stop() == 0  # SIGTERM: the backlog is not read to its end first
    (done,), = sql(db, "SELECT line_count FROM follow_position")
    assert done % 5000 == 0 and 0 < done < 60000  # whole pieces of 5000 lines
    assert json.loads(f1.stderr().splitlines()[-1])["sightings"] == count(db)
    f2 = follow([log], name="two", extra=rec, iocs=False)
    one_shot_record(tmp_path, ref, log)
    wait_for(lambda: sql(db, "SELECT line_count FROM follow_position") == [(60000,)],
             timeout=20, what="the rest stored")
    assert f2.stop() == 0
    assert sightings(db) == sightings(ref)


def test_record_rotation_sources_count_lines_per_file(tmp_path, follow):
    (tmp_path / "iocs.txt").write_text(IOCS)
    db, ref = stored_db(tmp_path, "follow.db"), stored_db(tmp_path, "ref.db")
    log, old = tmp_path / "eve.json", tmp_path / "eve.json.1"
    log.write_text(events(0, 30))
    f = follow([log], extra=["--db", db_arg(db), "--record", "--follower", "sensor-1"],
               iocs=False)
    wait_for(lambda: count(db) > 0, timeout=15, what="sightings stored")
    append(log, events(30, 60))
    os.rename(log, old)
    log.write_text(events(60, 75))
    f.wait_stderr("rotated")
    wait_for(lambda: sql(db, "SELECT line_count FROM follow_position") == [(15,)], timeout=15,
             what="the new file's position")
    assert f.stop() == 0
    rename = rotated_reference(tmp_path, ref, old, log)
    assert sightings(db) == sorted(rename)
    assert sql(db, "SELECT follower, path FROM follow_position") == [("sensor-1", str(log))]


def test_record_sigkill_then_rotation_while_stopped(tmp_path, follow):
    (tmp_path / "iocs.txt").write_text(IOCS)
    db, ref = stored_db(tmp_path, "follow.db"), stored_db(tmp_path, "ref.db")
    log, old = tmp_path / "eve.json", tmp_path / "eve.json.1"
    log.write_text(events(0, 300))
    rec = ["--db", db_arg(db), "--record"]
    f1 = follow([log], name="one", extra=rec, iocs=False)
    wait_for(lambda: sql(db, "SELECT line_count FROM follow_position") == [(300,)], timeout=15,
             what="the first lines recorded")
    f1.proc.kill()
    f1.proc.wait()
    # written while no one follows, then rotated: the end of the old file must not be lost
    append(log, events(300, 400))
    os.rename(log, old)
    log.write_text(events(400, 450))
    f2 = follow([log], name="two", extra=rec, iocs=False)
    f2.wait_stderr("rotated")
    wait_for(lambda: sql(db, "SELECT ino, line_count FROM follow_position") ==
             [(os.stat(log).st_ino, 50)], timeout=15, what="the new file recorded")
    assert f2.stop() == 0
    rename = rotated_reference(tmp_path, ref, old, log)
    assert sightings(db) == sorted(rename)


@pytest.mark.parametrize("args, message", [
    (["--follow", "--record", "--state", "s.json", "x.log"], "--state is for --follow without"),
    (["--follow", "--follower", "a", "x.log"], "--follower needs --follow and --record"),
    (["--follow", "--record", "--follower=", "x.log"], "--follower needs a name"),
])
def test_record_usage_errors(tmp_path, args, message):
    (tmp_path / "iocs.txt").write_text(IOCS)
    p = subprocess.run([BIN, "match", "--db", str(tmp_path / "v.db"), *args],
                       capture_output=True, text=True, timeout=15, cwd=tmp_path)
    assert p.returncode == 2 and message in p.stderr, p.stderr
