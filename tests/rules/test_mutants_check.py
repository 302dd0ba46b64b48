"""Self-tests of `scripts/mutants.py --check-killed FILE` (the rules phase runs it on
tests/mutants/killed.txt): on a recorded-kills file written in a temporary directory from the
tree's own mutants (`--list`), it accepts entries that name their lines, and reports an entry
whose line's text is gone (an error; dropped by --fix), one whose line moved while its text is
on several lines of the file (an error: it may be another line's mutant; --fix leaves it) and
one that moved with a text found once (a note; its line refreshed by --fix)."""
import collections
import hashlib
import os
import subprocess

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MUTANTS = os.path.join(REPO, "scripts", "mutants.py")
HEAD = "# Mutants a recorded run killed (a test's copy).\n"
KILLER = "test_x.py::test_y"


def mutants():
    """The tree's mutants as --list gives them: (id, file, line) in order."""
    r = subprocess.run(["/usr/bin/python3", MUTANTS, "--list"], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    out = []
    for line in r.stdout.splitlines():
        mid, where, _ = line.split("\t", 2)
        rel, _, no = where.rpartition(":")
        out.append((mid, rel, int(no)))
    return out


@pytest.fixture(scope="module")
def tree():
    """unique: mutants whose text (file, operator, hash) is on one line only; several: a mutant
    whose text is on several lines, with another line of that text."""
    ms = mutants()
    lines = collections.defaultdict(set)
    for mid, _, no in ms:
        lines[mid.rsplit(":", 1)[0]].add(no)
    unique = [m for m in ms if len(lines[m[0].rsplit(":", 1)[0]]) == 1]
    several = [(m, max(lines[m[0].rsplit(":", 1)[0]] - {m[2]}))
               for m in ms if len(lines[m[0].rsplit(":", 1)[0]]) > 1]
    assert len(unique) >= 5 and several, "the targets hold too few mutants for this test"
    return {"unique": unique, "several": several}


def entry(m, line=None):
    mid, rel, no = m
    return f"{mid} {rel}:{no if line is None else line} {KILLER}"


def check(tmp_path, entries, fix=False):
    """Writes entries to a recorded-kills file under tmp_path and runs --check-killed on it
    (with --fix); returns (exit code, stdout, the file's text after)."""
    path = tmp_path / "killed.txt"
    path.write_text(HEAD + "".join(e + "\n" for e in entries))
    r = subprocess.run(["/usr/bin/python3", MUTANTS, "--check-killed", str(path),
                        *(["--fix"] if fix else [])], capture_output=True, text=True,
                       timeout=120)
    assert r.stderr == ""
    return r.returncode, r.stdout, path.read_text()


def summary(n, gone, rerun, moved):
    return f"{n} entries, {gone} gone, {rerun} to re-run, {moved} moved with their text"


def test_clean_entries_pass(tmp_path, tree):
    entries = [entry(m) for m in tree["unique"][:4]] + [entry(tree["several"][0][0])]
    rc, out, text = check(tmp_path, entries)
    assert rc == 0, out
    assert summary(5, 0, 0, 0) in out
    assert out.count("\n") == 1  # the summary only
    rc, out, after = check(tmp_path, entries, fix=True)
    assert rc == 0 and after == text  # nothing to fix: the file as it was


def test_a_line_whose_text_is_gone_is_reported(tmp_path, tree):
    good = [entry(m) for m in tree["unique"][:2]]
    mid, rel, no = tree["unique"][2]
    gone_hash = hashlib.sha1(b"return a line edited since;").hexdigest()[:10]
    file_, op, _, occ = mid.split(":")
    stale = f"{file_}:{op}:{gone_hash}:{occ}"
    rc, out, _ = check(tmp_path, good + [f"{stale} {rel}:{no} {KILLER}"])
    assert rc == 1, out
    assert f"{stale}: no such mutant now (its line changed or went)" in out
    assert summary(3, 1, 0, 0) in out
    # --fix drops it and keeps the others and the file's head
    rc, out, after = check(tmp_path, good + [f"{stale} {rel}:{no} {KILLER}"], fix=True)
    assert rc == 0, out
    assert "1 gone (dropped)" in out
    assert after == HEAD + "".join(e + "\n" for e in sorted(good))


def test_a_moved_line_whose_text_is_unique_is_a_note(tmp_path, tree):
    m = tree["unique"][0]
    rc, out, _ = check(tmp_path, [entry(m, m[2] + 7)])
    assert rc == 0, out
    assert summary(1, 0, 0, 1) in out
    rc, out, after = check(tmp_path, [entry(m, m[2] + 7)], fix=True)
    assert rc == 0 and "1 moved with their text (refreshed)" in out, out
    assert after == HEAD + entry(m) + "\n"  # the line it is on now


def test_a_moved_line_whose_text_is_on_several_lines_is_an_error(tmp_path, tree):
    m, other = tree["several"][0]
    rc, out, _ = check(tmp_path, [entry(m, other)])
    assert rc == 1, out
    assert (f"{m[0]}: recorded at line {other}, now line {m[2]}, whose text is on several "
            "lines: it may be another line's mutant") in out
    assert summary(1, 0, 1, 0) in out
    # --fix cannot tell which line was killed: the entry stays, the check still fails
    rc, out, after = check(tmp_path, [entry(m, other)], fix=True)
    assert rc == 1 and after == HEAD + entry(m, other) + "\n"

