#!/usr/bin/python3
"""Mutation testing of the files that hold vigie's rules (issue 10, docs/TESTING.md "Mutation
score"). No mutation tool for C is packaged here, so this is the project's own: it applies one
one-line mutation at a time to a copy of the tree (build/mutants/wN/, never the working tree's
src/), rebuilds that copy incrementally (-O0, ASan+UBSan), and runs the fast suite against it:

  compile (a mutant that does not build is "invalid", not counted)
  -> the unit test binaries that name a function of the file, then the others (cmocka)
  -> only when they all pass, the end-to-end files mapped to the mutated file (pytest -x,
     VIGIE_BIN = the copy's binary)
  a mutant is "killed" when a stage fails, "timeout" when a stage overruns (counted as killed),
  "survived" when everything passes.

Operators: cmp (< <= > >= == != flipped), logic (&& <-> ||), neg (an if/while condition
negated), const (an integer constant +1 and -1), del (a one-line call statement or assignment
removed), role (a route's least role one level down or up), tlp (a TLP level literal changed
to its neighbour). Comments, string literals, preprocessor lines and log lines are never
mutated.

A mutant's id is file:operator:hash of the original line's text:occurrence, so it survives
edits elsewhere in the file; tests/mutants/equivalent.txt lists the survivors known to be
equivalent (id, then the reason). A survivor not in that list makes the run fail; a listed
mutant that is killed is reported as stale.

  /usr/bin/python3 scripts/mutants.py                 full run (make mutants)
  /usr/bin/python3 scripts/mutants.py --sample 15     a random sample (seed printed)
  /usr/bin/python3 scripts/mutants.py --files src/core/lifecycle.c --list
"""
import argparse
import concurrent.futures
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.environ.get("VIGIE_MUTANTS_DIR", os.path.join(ROOT, "build", "mutants"))
EQUIV = os.path.join(ROOT, "tests", "mutants", "equivalent.txt")
# The unit tests run in the copies (build/mutants/wN/) and read the shared corpus at
# $VIGIE_CORPUS, else ../shared/corpus from their working directory: point both at the
# working tree's, or under CI=true (where a missing corpus fails) the unmutated copy fails.
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
os.environ.setdefault("VIGIE_CORPUS", os.path.join(SHARED, "corpus"))
VARIANT = "mut"
UNTIMED = 600.0  # the limit of a unit binary never timed (and of any, unmutated)
# The copy is built at -O0 without warnings: faster to rebuild, and a mutant that would only
# warn (a variable left unused by a deleted statement) is still a change of behaviour to test.
# ASan+UBSan (leaks included), as in the ASan pass of `make test`: a deleted free(), a loop
# bound that reads one past an array or a shift too far is killed there, so it is here.
MAKE_VARS = [f"VARIANT={VARIANT}",
             "VCFLAGS=-O0 -g0 -fsanitize=address,undefined -fno-sanitize-recover=all", "WARN=-w",
             "MALLOC_LIBS="]
COPY = ["src", "tests/unit", "tests/data", "guides", "Makefile", "scripts/embed_sql.sh",
        "scripts/embed_text.sh", "scripts/pgcluster.sh"]  # the PostgreSQL unit tests start a cluster

E2E_INCIDENTS = ["test_pinned_rules.py", "test_pins_mutants.py", "test_incidents.py",
                 "test_route_errors.py", "test_reports.py"]
E2E_MATCH = ["test_pinned_rules.py", "test_pins_mutants.py", "test_indicators.py",
             "test_related.py", "test_orgs.py", "test_match_cli.py", "test_match_db.py"]
E2E_VULN = ["test_pinned_rules.py", "test_pins_mutants.py", "test_cpe_cli.py",
            "test_vuln_db.py", "test_product_key.py"]
E2E_SHARE = ["test_pins_share.py", "test_share.py", "test_taxii.py", "test_misp_feed.py",
             "test_pull.py", "test_stix_schema.py"]
E2E_URL = ["test_pins_share.py", "test_normal_forms.py", "test_indicators.py", "test_match_cli.py",
           "test_related.py"]
E2E_ROLES = ["test_pins_mutants.py", "test_roles.py", "test_auth.py", "test_incidents.py",
             "test_reports.py"]

# The files that hold rules, each with the end-to-end files that exercise it (run in this
# order with -x: the likeliest killers first).
TARGETS = {
    "src/core/lifecycle.c": E2E_INCIDENTS,
    "src/core/escalate.c": E2E_INCIDENTS,
    "src/core/incident.c": E2E_INCIDENTS,
    "src/core/indicator.c": E2E_MATCH,
    "src/core/intake.c": E2E_INCIDENTS,
    "src/core/reference.c": E2E_INCIDENTS,
    "src/core/timeline.c": E2E_INCIDENTS,
    "src/core/playbook.c": E2E_INCIDENTS,
    "src/core/observable.c": E2E_MATCH,
    "src/core/corr.c": E2E_MATCH,
    "src/core/attrib.c": E2E_MATCH,
    "src/core/rsit.c": E2E_INCIDENTS,
    "src/core/model.c": E2E_INCIDENTS + ["test_indicators.py"],
    "src/core/product.c": E2E_VULN,
    "src/core/record.c": E2E_INCIDENTS + ["test_indicators.py", "test_orgs.py"],
    "src/api/routes.c": E2E_ROLES,
    "src/http/router.c": E2E_ROLES + ["test_route_errors.py", "test_bad_input.py"],
    # the console's session gate too (session_auth): test_pins_mutants.py pins it first
    "src/http/auth.c": E2E_ROLES + ["test_bad_input.py", "test_partners.py",
                                    "test_web_session.py"],
    "src/vuln/version.c": E2E_VULN,
    "src/vuln/cpe.c": E2E_VULN,
    "src/core/tlp.c": E2E_SHARE + ["test_partners.py"],
    "src/core/partner.c": ["test_pins_share.py", "test_partners.py", "test_share.py"],
    "src/core/url.c": E2E_URL,
}

LOG_CALL = re.compile(r"\bvg_(error|warn|info|debug|log)\s*\(")
OPS = re.compile(r"<<=|>>=|<<|>>|->|<=|>=|==|!=|&&|\|\||[<>]")
FLIP = {"<": "<=", "<=": "<", ">": ">=", ">=": ">", "==": "!=", "!=": "==",
        "&&": "||", "||": "&&"}
INT = re.compile(r"(?<![\w.])(\d+)(?![\w.])")
ROLES = ["VG_PUBLIC", "VG_READER", "VG_ANALYST", "VG_ADMIN"]
ROLE = re.compile(r"\b(VG_PUBLIC|VG_READER|VG_ANALYST|VG_ADMIN)\b")
TLPS = ["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"]
TLP = re.compile(r'"(CLEAR|GREEN|AMBER|AMBER\+STRICT|RED)"')
COND = re.compile(r"\b(if|while)\s*\(")
DECL = re.compile(r"^(const|static|unsigned|signed|struct|enum|int|char|bool|size_t|ssize_t|"
                  r"double|float|long|short|void|json_t|u?int\d+_t|FILE)\b|^\w+\s+\**\s*\w+\s*(=|;|\[)")
ASSIGN = re.compile(r"^[\w\->.\[\]*() ]+?\s*(=|\+=|-=|\|=|&=|\^=|<<=|>>=)(?!=)")
CALL = re.compile(r"^\(?[\w][\w\->.]*\s*\(")
INCDEC = re.compile(r"^[\w\->.\[\]*]+(\+\+|--);$|^(\+\+|--)[\w\->.\[\]*]+;$")


def mask(lines):
    """The lines with comments, string and character literals blanked (same lengths), and
    whether each line is code at all (not a preprocessor line)."""
    out = []
    in_comment = False
    for line in lines:
        m = []
        i = 0
        n = len(line)
        quote = None
        while i < n:
            c = line[i]
            if in_comment:
                if line.startswith("*/", i):
                    in_comment = False
                    m.append("  ")
                    i += 2
                    continue
                m.append(" ")
            elif quote:
                if c == "\\" and i + 1 < n:
                    m.append("  ")
                    i += 2
                    continue
                if c == quote:
                    quote = None
                    m.append(c)
                else:
                    m.append(" ")
            elif line.startswith("/*", i):
                in_comment = True
                m.append("  ")
                i += 2
                continue
            elif line.startswith("//", i):
                m.append(" " * (n - i))
                break
            elif c in "\"'":
                quote = c
                m.append(c)
            else:
                m.append(c)
            i += 1
        out.append("".join(m))
    return out


def matching_paren(s, open_at):
    depth = 0
    for j in range(open_at, len(s)):
        if s[j] == "(":
            depth += 1
        elif s[j] == ")":
            depth -= 1
            if depth == 0:
                return j
    return -1


def line_mutations(line, m, prev):
    """(operator, mutated line) pairs for one line; m is its masked text, prev the masked text
    of the previous code line."""
    res = []
    st = m.strip()
    if not st or st.startswith("#") or LOG_CALL.search(line):
        return res
    for mo in OPS.finditer(m):
        tok = mo.group(0)
        if tok in FLIP:
            op = "logic" if tok in ("&&", "||") else "cmp"
            res.append((op, line[:mo.start()] + FLIP[tok] + line[mo.end():]))
    for mo in COND.finditer(m):
        o = mo.end() - 1
        c = matching_paren(m, o)
        if c > 0:
            res.append(("neg", line[:o + 1] + "!(" + line[o + 1:c] + ")" + line[c:]))
    for mo in INT.finditer(m):
        v = int(mo.group(1))
        for nv in (v + 1, v - 1):
            if nv >= 0:
                res.append(("const", line[:mo.start()] + str(nv) + line[mo.end():]))
    for mo in ROLE.finditer(m):
        k = ROLES.index(mo.group(1))
        for nk in (k - 1, k + 1):
            if 0 <= nk < len(ROLES):
                res.append(("role", line[:mo.start()] + ROLES[nk] + line[mo.end():]))
    for mo in TLP.finditer(line):
        if m[mo.start()] != '"':
            continue  # inside a comment
        k = TLPS.index(mo.group(1))
        nk = k - 1 if k > 0 else 1
        res.append(("tlp", line[:mo.start()] + '"' + TLPS[nk] + '"' + line[mo.end():]))
    # A one-line call statement or assignment, begun and ended on this line.
    starts = prev is None or prev.rstrip().endswith((";", "{", "}", ")", ":", "else"))
    if (starts and st.endswith(";") and st.count("(") == st.count(")")
            and not re.match(r"(return|break|continue|goto|case|default|else|if|for|while|do)\b",
                             st)
            and not DECL.match(st) and (CALL.match(st) or ASSIGN.match(st) or INCDEC.match(st))):
        indent = line[:len(line) - len(line.lstrip())]
        res.append(("del", indent + ";"))
    return res


def mutants_of(rel):
    with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
        text = f.read()
    lines = text.split("\n")
    masked = mask(lines)
    seen = {}
    out = []
    prev = None
    for no, (line, m) in enumerate(zip(lines, masked), 1):
        h = hashlib.sha1(line.strip().encode()).hexdigest()[:10]
        for op, new in line_mutations(line, m, prev):
            key = (op, h)
            k = seen.get(key, 0)
            seen[key] = k + 1
            out.append({"id": f"{rel}:{op}:{h}:{k}", "file": rel, "line": no, "op": op,
                        "orig": line, "new": new})
        if m.strip() and not m.strip().startswith("#"):
            prev = m
    return out


def read_equivalent():
    """id -> reason from tests/mutants/equivalent.txt ("id<TAB>reason"; # comments)."""
    return read_ids(EQUIV) if os.path.exists(EQUIV) else {}


def read_ids(path):
    """id -> the rest of its line, from a list file (# comments)."""
    ids = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                mid, _, rest = line.partition(" ")
                ids[mid] = rest.strip()
    return ids


KILLED = os.path.join(ROOT, "tests", "mutants", "killed.txt")


def check_killed(path, fix=False):
    """Checks a list of recorded kills (killed.txt: id, file:line, killer) against the files as
    they are now. An id no longer produced (its line's text changed or went) is an error, and so
    is an id whose line moved while its text occurs on more than one line of the file for that
    operator: the occurrence index then may name another line than the one that was killed (the
    web console's role check took the id of the token path's in src/http/auth.c). An id whose
    text is unique in the file and that only moved (code added above it) is the same mutant: a
    note, its line refreshed with fix (which also drops the ids that are gone). Returns the
    number of errors left."""
    rec = read_ids(path)
    cache = {}
    errors = moved = gone = 0
    fixed = dict(rec)
    for mid, rest in rec.items():
        rel = mid.split(":", 1)[0]
        if rel not in TARGETS:
            continue
        if rel not in cache:
            ms = mutants_of(rel) if os.path.exists(os.path.join(ROOT, rel)) else []
            lines = {}
            for mu in ms:
                lines.setdefault(mu["id"].rsplit(":", 1)[0], set()).add(mu["line"])
            cache[rel] = ({mu["id"]: mu for mu in ms}, lines)
        ids, lines = cache[rel]
        where, _, killer = rest.partition(" ")
        was = where.rpartition(":")[2]
        mu = ids.get(mid)
        if mu is None:
            print(f"{os.path.relpath(path, ROOT)}: {mid}: no such mutant now (its line changed "
                  f"or went): drop it (--fix); the line's new mutants come with a --record run")
            errors += 1
            gone += 1
            del fixed[mid]
            continue
        if was == str(mu["line"]):
            continue
        if len(lines[mid.rsplit(":", 1)[0]]) > 1:
            print(f"{os.path.relpath(path, ROOT)}: {mid}: recorded at line {was}, now line "
                  f"{mu['line']}, whose text is on several lines: it may be another line's "
                  f"mutant; re-run it (--ids {mid} --record {os.path.relpath(path, ROOT)})\n"
                  f"  {mu['line']}: {mu['new'].strip()}")
            errors += 1
            continue
        moved += 1
        fixed[mid] = f"{rel}:{mu['line']} {killer}".strip()
    if fix and (moved or gone):
        write_ids(path, fixed)
        errors -= gone
    print(f"mutants: {os.path.relpath(path, ROOT)}: {len(rec)} entries, {gone} gone"
          f"{' (dropped)' if fix and gone else ''}, {errors - (0 if fix else gone)} to re-run, "
          f"{moved} moved with their text{' (refreshed)' if fix and moved else ''}")
    return errors


def write_ids(path, rec):
    """Rewrites a list file: its leading comment lines kept, then the entries sorted."""
    head = []
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                if not line.startswith("#"):
                    break
                head.append(line)
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(head)
        for k in sorted(rec):
            f.write(f"{k} {rec[k]}\n")


def sync_tree(dst):
    """Copies the files the build and the unit tests need into dst, rewriting only those whose
    content differs, so that make stays incremental from one run to the next."""
    wanted = set()
    for item in COPY:
        src = os.path.join(ROOT, item)
        paths = [src] if os.path.isfile(src) else [
            os.path.join(d, f) for d, _, fs in os.walk(src) for f in fs]
        for p in paths:
            rel = os.path.relpath(p, ROOT)
            wanted.add(rel)
            q = os.path.join(dst, rel)
            with open(p, "rb") as f:
                data = f.read()
            try:
                with open(q, "rb") as f:
                    same = f.read() == data
            except OSError:
                same = False
            if not same:
                os.makedirs(os.path.dirname(q), exist_ok=True)
                with open(q, "wb") as f:
                    f.write(data)
    for item in ("src", "tests/unit"):
        for d, _, fs in os.walk(os.path.join(dst, item)):
            for f in fs:
                rel = os.path.relpath(os.path.join(d, f), dst)
                if rel not in wanted:
                    os.unlink(os.path.join(dst, rel))


def run(cmd, cwd, timeout, env=None):
    """(status, output tail): status 'ok', 'fail' or 'timeout'. The command runs in its own
    process group, which is killed on timeout (a server the tests started included)."""
    p = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, start_new_session=True)
    try:
        out, _ = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        return "timeout", ""
    text = out.decode(errors="replace")
    return ("ok" if p.returncode == 0 else "fail"), text[-2000:]


class Tree:
    """One worker's copy of the tree."""

    def __init__(self, path):
        self.path = path
        self.bin = os.path.join(path, "build", VARIANT, "vigie")

    def build(self, targets=None, timeout=900, jobs=1):
        targets = targets or [f"build/{VARIANT}/vigie", "unit-bin"]
        return run(["make", "-s", f"-j{jobs}", *MAKE_VARS, *targets], self.path, timeout)

    def units(self):
        """The unit test binaries (built or not: one per tests/unit/test_*.c, as the Makefile)."""
        d = os.path.join(self.path, "build", VARIANT, "tests")
        src = os.path.join(self.path, "tests", "unit")
        return sorted(os.path.join(d, f[:-2]) for f in os.listdir(src)
                      if f.startswith("test_") and f.endswith(".c"))

    def unit_target(self, name):
        return f"build/{VARIANT}/tests/{name}"

    def direct_units(self, rel):
        """The unit test binaries whose source names a function the file exports: the
        likeliest killers, built and run first."""
        obj = os.path.join(self.path, "build", VARIANT, rel[:-2] + ".o")
        out = subprocess.run(["nm", "-g", "--defined-only", obj], capture_output=True,
                             text=True).stdout
        syms = [ln.split()[-1] for ln in out.splitlines() if ln.strip()]
        res = []
        for u in self.units():
            name = os.path.basename(u)
            with open(os.path.join(self.path, "tests", "unit", name + ".c"),
                      encoding="utf-8") as f:
                text = f.read()
            if any(re.search(r"\b" + re.escape(s) + r"\b", text) for s in syms):
                res.append(u)
        return res

    def e2e(self, files, timeout):
        """Runs end-to-end files (or file::test node ids) against this copy's binary."""
        env = dict(os.environ, VIGIE_BIN=self.bin)
        paths = [os.path.join(ROOT, "tests", "e2e", f) for f in files
                 if os.path.exists(os.path.join(ROOT, "tests", "e2e", f.split("::")[0]))]
        if not paths:
            return "ok", ""
        return run(["/usr/bin/python3", "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                    *paths], os.path.join(ROOT, "tests", "e2e"), timeout, env)


def killer_of(tree, stage):
    """What a recorded stage names: ("unit", binary name), ("e2e", file::test), or None (a
    compile failure, a whole e2e file, a binary that is gone)."""
    if "::" in stage and stage.endswith(tuple("abcdefghijklmnopqrstuvwxyz0123456789_]")):
        if os.path.exists(os.path.join(ROOT, "tests", "e2e", stage.split("::")[0])):
            return ("e2e", stage)
        return None
    if re.fullmatch(r"test_\w+", stage) and os.path.exists(
            os.path.join(tree.path, "tests", "unit", stage + ".c")):
        return ("unit", stage)
    return None


def unit_limit(limits, name):
    """A mutant's unit binary may take ten times its unmutated time (a loop made endless is a
    timeout, counted as killed), not ten times all of them; one never timed unmutated (the
    whole ladder after a recorded killer that no longer kills) gets the unmutated bound."""
    t = limits["unit"].get(name)
    return UNTIMED if t is None else max(30.0, 10 * t)


def run_killer(tree, mu, killer, limits):
    """Runs a mutant's recorded killer first (sample mode): (status, stage), or None when it
    passes (the whole ladder then decides)."""
    kind, what = killer
    if kind == "unit":
        st, _ = tree.build([tree.unit_target(what)], timeout=300)
        if st != "ok":
            return "invalid", "compile"
        st, _ = run([os.path.join(tree.path, tree.unit_target(what))], tree.path,
                    unit_limit(limits, what))
    else:
        st, _ = tree.build([f"build/{VARIANT}/vigie"], timeout=300)
        if st != "ok":
            return "invalid", "compile"
        st, _ = tree.e2e([what], limits["e2e"])
    if st == "ok":
        return None
    return ("timeout" if st == "timeout" else "killed"), what


def time_units(tree, names, limits):
    """Runs unit binaries on the unmutated tree (built first): each must pass; its time sets
    its limit. Exits when one fails or overruns."""
    todo = [n for n in names if n not in limits["unit"]]
    if not todo:
        return
    st, out = tree.build([tree.unit_target(n) for n in todo], jobs=1)
    if st != "ok":
        print(out, file=sys.stderr)
        sys.exit("mutants.py: the unmutated copy does not build")
    for n in todo:
        t1 = time.monotonic()
        st, out = run([os.path.join(tree.path, tree.unit_target(n))], tree.path, UNTIMED)
        if st != "ok":
            print(out, file=sys.stderr)
            what = f"takes over {UNTIMED:.0f} s" if st == "timeout" else "fails"
            sys.exit(f"mutants.py: {n} {what} on the unmutated tree")
        limits["unit"][n] = time.monotonic() - t1


def apply_mutant(tree, mu, orig):
    lines = orig.split("\n")
    assert lines[mu["line"] - 1] == mu["orig"], mu["id"]
    lines[mu["line"] - 1] = mu["new"]
    with open(os.path.join(tree.path, mu["file"]), "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


def test_mutant(tree, mu, limits):
    """Runs the kill ladder on one mutant in tree; returns (status, stage). With a recorded
    killer (sample mode), that runs first; a mutant it does not kill runs the whole ladder,
    whose unit binaries are first timed on the unmutated tree (lazily: only then)."""
    path = os.path.join(tree.path, mu["file"])
    with open(path, encoding="utf-8") as f:
        orig = f.read()
    apply_mutant(tree, mu, orig)
    try:
        first = [u for u in tree.units() if os.path.basename(u) in limits["direct"][mu["file"]]]
        rest = [] if limits["direct_only"] else [u for u in tree.units() if u not in first]
        killer = killer_of(tree, limits["killer"].get(mu["id"], ""))
        if killer:
            res = run_killer(tree, mu, killer, limits)
            if res:
                return res
        if limits["lazy"] and any(os.path.basename(u) not in limits["unit"] for u in first + rest):
            with open(path, "w", encoding="utf-8") as f:  # the unmutated tree, to time them
                f.write(orig)
            time_units(tree, [os.path.basename(u) for u in first + rest], limits)
            apply_mutant(tree, mu, orig)
        rel = [os.path.relpath(u, tree.path) for u in first]
        st, _ = tree.build(rel or [f"build/{VARIANT}/vigie"], timeout=300)
        if st != "ok":
            return "invalid", "compile"
        for i, u in enumerate(first + rest):
            if i == len(first):  # the direct ones passed: build the others and the server
                st, _ = tree.build(timeout=300)
                if st != "ok":
                    return "invalid", "compile"
            st, _ = run([u], tree.path, unit_limit(limits, os.path.basename(u)))
            if st != "ok":
                return ("timeout" if st == "timeout" else "killed"), os.path.basename(u)
        if not rest:
            st, _ = tree.build(timeout=300)
            if st != "ok":
                return "invalid", "compile"
        st, out = tree.e2e(TARGETS[mu["file"]], limits["e2e"])
        if st != "ok":
            failed = re.findall(r"FAILED (\S+)", out)
            return ("timeout" if st == "timeout" else "killed"), (
                failed[0] if failed else "e2e")
        return "survived", ""
    finally:
        with open(path, "w", encoding="utf-8") as f:
            f.write(orig)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", nargs="+", help="restrict to these target files")
    ap.add_argument("--ops", nargs="+", help="restrict to these operators")
    ap.add_argument("--sample", type=int, help="run N mutants drawn at random")
    ap.add_argument("--seed", type=int, help="the sample's seed (random when absent)")
    ap.add_argument("--per-file", type=int,
                    help="a random sample of at most N mutants of each file (with --seed)")
    ap.add_argument("-j", type=int, default=int(os.environ.get("VIGIE_MUTANTS_JOBS", "2")))
    ap.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    ap.add_argument("--ids", nargs="+", help="run only these mutant ids")
    ap.add_argument("--json", help="write every result to this file")
    ap.add_argument("--from", dest="from_", metavar="FILE",
                    help="draw only from the mutant ids listed in FILE (first word of a line)")
    ap.add_argument("--record", metavar="FILE",
                    help="add the ids killed by this run to FILE (and drop the survivors)")
    ap.add_argument("--direct-only", action="store_true",
                    help="a shorter ladder: the unit binaries that name a function of the file, "
                    "then the end-to-end files, not the other unit binaries (a survivor here "
                    "may be one the whole ladder kills: the score is a lower bound)")
    ap.add_argument("--log", metavar="FILE",
                    help="append each result to FILE as it comes (one JSON object a line)")
    ap.add_argument("--check-killed", nargs="?", const=KILLED, metavar="FILE",
                    help="check the recorded kills of FILE (killed.txt) against the files as "
                    "they are now, run nothing (exit 1 when one must be re-run)")
    ap.add_argument("--fix", action="store_true",
                    help="with --check-killed: refresh the lines of the entries that only moved")
    a = ap.parse_args()
    if a.check_killed:
        return 1 if check_killed(a.check_killed, a.fix) else 0

    files = a.files or list(TARGETS)
    for f in files:
        if f not in TARGETS:
            sys.exit(f"mutants.py: {f} is not a target (see TARGETS)")
    mutants = [mu for f in files for mu in mutants_of(f)]
    if a.ops:
        mutants = [mu for mu in mutants if mu["op"] in a.ops]
    if a.ids:
        mutants = [mu for mu in mutants if mu["id"] in a.ids]
    if a.from_:
        known = set(read_ids(a.from_))
        mutants = [mu for mu in mutants if mu["id"] in known]
    if a.list:
        for mu in mutants:
            print(f"{mu['id']}\t{mu['file']}:{mu['line']}\t{mu['new'].strip()}")
        print(f"{len(mutants)} mutants", file=sys.stderr)
        return 0
    eq = read_equivalent()
    total = len(mutants)
    if a.sample is not None:
        seed = a.seed if a.seed is not None else random.SystemRandom().randrange(1 << 31)
        again = f" FROM={a.from_}" if a.from_ else ""
        print(f"mutants: sample of {a.sample} out of {total}, seed {seed} "
              f"(repeat: make mutants SAMPLE={a.sample} SEED={seed}{again})", flush=True)
        mutants = random.Random(seed).sample(mutants, min(a.sample, total))
    if a.per_file is not None:
        seed = a.seed if a.seed is not None else random.SystemRandom().randrange(1 << 31)
        rnd = random.Random(seed)
        picked = []
        for f in files:
            mf = [mu for mu in mutants if mu["file"] == f]
            picked += sorted(rnd.sample(mf, min(a.per_file, len(mf))), key=lambda m: m["line"])
        mutants = picked
        print(f"mutants: at most {a.per_file} of each file, {len(mutants)} out of {total}, "
              f"seed {seed}", flush=True)
    jobs = max(1, min(a.j, len(mutants) or 1))

    t0 = time.monotonic()
    trees = [Tree(os.path.join(WORK, f"w{i}")) for i in range(jobs)]
    # a mutant's recorded killer (--from: "id file:line stage"), run first
    killers = {k: v.partition(" ")[2] for k, v in read_ids(a.from_).items()} if a.from_ else {}
    ready = [f"build/{VARIANT}/vigie"] if killers else None  # the rest built when needed
    flags = " ".join(MAKE_VARS)
    for i, t in enumerate(trees):
        stamp = os.path.join(t.path, "build", "make-vars")
        fresh = os.path.exists(stamp) and open(stamp, encoding="utf-8").read() == flags
        if i > 0 and not fresh:  # a copy of the first, built: its objects are kept
            shutil.rmtree(t.path, ignore_errors=True)
            shutil.copytree(trees[0].path, t.path, symlinks=True)
            fresh = True
        os.makedirs(t.path, exist_ok=True)
        link = os.path.join(os.path.dirname(t.path), "shared")  # ../shared seen from the copy
        if os.path.isdir(SHARED) and not os.path.lexists(link):
            os.symlink(SHARED, link)
        sync_tree(t.path)
        if not fresh:  # make does not see a change of flags: start afresh
            shutil.rmtree(os.path.join(t.path, "build"), ignore_errors=True)
            os.makedirs(os.path.dirname(stamp))
            with open(stamp, "w", encoding="utf-8") as f:
                f.write(flags)
        st, out = t.build(ready, jobs=2)
        if st != "ok":
            print(out, file=sys.stderr)
            sys.exit("mutants.py: the unmutated copy does not build")
    # The unmutated copy must pass what each mutant runs; its times set the limits. Its bound
    # is wide: test_faults under ASan at -O0 on a loaded machine took 130 s (a server started
    # for each injected failure, with its reader and hash-pool connections). With recorded
    # killers (--from), only those are run here (the "unit asan" phase of make test ran them
    # all); the other binaries only if a mutant survives its killer (time_units, lazily).
    direct = {f: [os.path.basename(u) for u in trees[0].direct_units(f)] for f in files}
    needed = {u for us in direct.values() for u in us}
    limits = {"unit": {}, "e2e": 300.0, "direct": direct, "direct_only": a.direct_only,
              "killer": killers, "lazy": bool(killers)}
    if killers:
        picked = [killer_of(trees[0], killers.get(mu["id"], "")) for mu in mutants]
        time_units(trees[0], sorted({k[1] for k in picked if k and k[0] == "unit"}), limits)
        for k in sorted({k[1] for k in picked if k and k[0] == "e2e"}):
            st, out = trees[0].e2e([k], limits["e2e"])
            if st != "ok":
                print(out, file=sys.stderr)
                sys.exit(f"mutants.py: {k} fails on the unmutated tree")
    else:
        time_units(trees[0], [os.path.basename(u) for u in trees[0].units()
                              if not a.direct_only or os.path.basename(u) in needed], limits)
    print(f"mutants: {len(mutants)} to run, {jobs} workers, trees ready in "
          f"{time.monotonic() - t0:.0f} s", flush=True)

    results = []
    lock = threading.Lock()
    free = list(trees)

    def work(mu):
        with lock:
            tree = free.pop()
        try:
            st, stage = test_mutant(tree, mu, limits)
        finally:
            with lock:
                free.append(tree)
        r = dict(mu, status=st, stage=stage)
        with lock:
            results.append(r)
            if a.log:
                with open(a.log, "a", encoding="utf-8") as f:
                    f.write(json.dumps(r) + "\n")
            n = len(results)
            if st == "survived" or os.environ.get("VIGIE_MUTANTS_VERBOSE"):
                print(f"[{n}/{len(mutants)}] {st:8} {mu['file']}:{mu['line']} {mu['op']} "
                      f"{mu['new'].strip()} {stage}", flush=True)
            elif n % 25 == 0:
                print(f"[{n}/{len(mutants)}] {time.monotonic() - t0:.0f} s", flush=True)
        return r

    with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
        list(ex.map(work, mutants))
    elapsed = time.monotonic() - t0

    results.sort(key=lambda r: (r["file"], r["line"], r["id"]))
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=1)
    print(f"\n{'file':24} {'killed':>6} {'timeout':>7} {'survived':>8} {'equiv':>5} "
          f"{'invalid':>7} {'score':>7}")
    tot = {"killed": 0, "timeout": 0, "survived": 0, "equiv": 0, "invalid": 0}
    for f in files:
        rs = [r for r in results if r["file"] == f]
        if not rs:
            continue
        c = {k: 0 for k in tot}
        for r in rs:
            k = r["status"]
            if k == "survived" and r["id"] in eq:
                k = "equiv"
            c[k] += 1
            tot[k] += 1
        print(f"{f[4:]:24} {c['killed']:6} {c['timeout']:7} {c['survived']:8} {c['equiv']:5} "
              f"{c['invalid']:7} {score(c):>7}")
    print(f"{'total':24} {tot['killed']:6} {tot['timeout']:7} {tot['survived']:8} "
          f"{tot['equiv']:5} {tot['invalid']:7} {score(tot):>7}")
    print("score: (killed + timeout) / (valid mutants - listed equivalents); "
          f"{len(results)} mutants in {elapsed:.0f} s")

    if a.record:
        rec = read_ids(a.record) if os.path.exists(a.record) else {}
        for r in results:
            if r["status"] in ("killed", "timeout"):
                rec[r["id"]] = f"{r['file']}:{r['line']} {r['stage']}"
            else:
                rec.pop(r["id"], None)
        if not os.path.exists(a.record):
            with open(a.record, "w", encoding="utf-8") as f:
                f.write("# Mutants a recorded run killed (id, where, the stage that killed "
                        "it):\n# what `make test` samples from (scripts/mutants.py --from).\n")
        write_ids(a.record, rec)
    bad = [r for r in results if r["status"] == "survived" and r["id"] not in eq]
    stale = [r for r in results if r["status"] in ("killed", "timeout") and r["id"] in eq]
    for r in bad:
        print(f"SURVIVED {r['id']}\n  {r['file']}:{r['line']}: {r['op']}\n"
              f"  - {r['orig'].strip()}\n  + {r['new'].strip()}")
    for r in stale:
        print(f"STALE (listed as equivalent, killed by {r['stage']}) {r['id']}")
    passed = sum(1 for r in results if r["status"] in ("killed", "timeout")
                 or (r["status"] == "survived" and r["id"] in eq))
    print(f"mutants: {passed} killed or listed, {len(bad)} survived, "
          f"{sum(1 for r in results if r['status'] == 'invalid')} invalid, {len(stale)} stale")
    return 1 if bad or stale else 0


def score(c):
    valid = c["killed"] + c["timeout"] + c["survived"]
    return f"{100.0 * (c['killed'] + c['timeout']) / valid:.1f} %" if valid else "-"


if __name__ == "__main__":
    sys.exit(main())
