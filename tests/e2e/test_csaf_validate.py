"""`vigie csaf validate` (src/cli/cmd_csaf.c) and the schema stage of the CSAF checker
(src/advisory/csaf_schema.c).

The agreement test holds vigie's schema verdict (`--test schema`) against python-jsonschema's
Draft202012Validator with the corpus's CSAF 2.0 schema and FIRST's strict CVSS schemas, built
as ../shared/corpus/tools/validate_corpus.py builds it, over every JSON document of the CSAF 2.0
corpus and over 500 seeded mutations of its valid documents: the same valid/invalid
decision, every pointer vigie gives is one of jsonschema's error paths (with the paths of the
errors inside a oneOf), and every error jsonschema reports is reported by vigie at the same
place (or inside the oneOf of cvss_v3, which vigie checks by its version).

Formats: validate_corpus.py registers a date-time checker; Debian's jsonschema has no "uri"
checker without the rfc3987 package, so this file registers one written from RFC 3986's
grammar. Patterns: jsonschema uses Python's re, whose $ also matches before a final newline;
vigie follows ECMA-262 (JSON Schema's dialect), so no mutation ends a value with a newline."""
import copy
import glob
import json
import os
import random
import re
import sys

import pytest

from conftest import BIN, CORPUS, ROOT, need_corpus, run

CSAF = os.path.join(CORPUS, "csaf2.0")
SAMPLES = os.path.join(ROOT, "tests", "data", "csaf")
SEED = 20261206
MUTANTS = 500

# ---- the oracle -------------------------------------------------------------------------

_UNRESERVED = r"[A-Za-z0-9\-._~]"
_PCT = r"%[0-9A-Fa-f]{2}"
_SUB = r"[!$&'()*+,;=]"
_PCHAR = f"(?:{_UNRESERVED}|{_PCT}|{_SUB}|[:@])"
_H16 = r"[0-9A-Fa-f]{1,4}"
_V4 = r"(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_LS32 = f"(?:{_H16}:{_H16}|{_V4})"
_V6 = "|".join([
    f"(?:{_H16}:){{6}}{_LS32}", f"::(?:{_H16}:){{5}}{_LS32}",
    f"(?:{_H16})?::(?:{_H16}:){{4}}{_LS32}",
    f"(?:(?:{_H16}:){{0,1}}{_H16})?::(?:{_H16}:){{3}}{_LS32}",
    f"(?:(?:{_H16}:){{0,2}}{_H16})?::(?:{_H16}:){{2}}{_LS32}",
    f"(?:(?:{_H16}:){{0,3}}{_H16})?::{_H16}:{_LS32}",
    f"(?:(?:{_H16}:){{0,4}}{_H16})?::{_LS32}",
    f"(?:(?:{_H16}:){{0,5}}{_H16})?::{_H16}",
    f"(?:(?:{_H16}:){{0,6}}{_H16})?::"])
_HOST = (f"(?:\\[(?:{_V6}|[vV][0-9A-Fa-f]+\\.(?:{_UNRESERVED}|{_SUB}|:)+)\\]"
         f"|(?:{_UNRESERVED}|{_PCT}|{_SUB})*)")
_AUTHORITY = f"(?:(?:{_UNRESERVED}|{_PCT}|{_SUB}|:)*@)?{_HOST}(?::[0-9]*)?"
_URI = re.compile(
    f"[A-Za-z][A-Za-z0-9+\\-.]*:(?://{_AUTHORITY}(?:/{_PCHAR}*)*|(?!//)(?:{_PCHAR}|/)*)"
    f"(?:\\?(?:{_PCHAR}|[/?])*)?(?:#(?:{_PCHAR}|[/?])*)?\\Z")


@pytest.fixture(scope="module")
def oracle():
    need_corpus(os.path.join(CORPUS, "tools", "validate_corpus.py"), CSAF)
    sys.path.insert(0, os.path.join(CORPUS, "tools"))
    cwd = os.getcwd()
    try:
        import validate_corpus as vc  # chdirs to the corpus root (on its first import only)
        os.chdir(vc.ROOT)
        if "uri" not in vc.FORMAT_CHECKER.checkers:
            vc.FORMAT_CHECKER.checks("uri")(
                lambda v: not isinstance(v, str) or bool(_URI.match(v)))
        return vc.csaf_validator()
    finally:
        os.chdir(cwd)


def pointer(path):
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def oracle_paths(v, doc):
    """The pointers of jsonschema's errors (and of the errors inside oneOf/anyOf), or an
    empty set when the document is valid."""
    out = set()

    def walk(errs):
        for e in errs:
            out.add(pointer(e.absolute_path))
            walk(e.context or [])

    walk(v.iter_errors(doc))
    return out


def vigie_schema(paths):
    """Runs `vigie csaf validate --test schema --json` once over paths: {path: [issue...]}."""
    r = run("csaf", "validate", "--test", "schema", "--json", *paths, check=False)
    assert r.returncode in (0, 1), r.stderr
    got = {p: [] for p in paths}
    for line in r.stdout.splitlines():
        o = json.loads(line)
        assert o["test"] == "schema"
        got[o["file"]].append(o)
    return got, r


def assert_agree(v, docs_by_path):
    got, _ = vigie_schema(list(docs_by_path))
    bad = []
    for path, doc in docs_by_path.items():
        want = oracle_paths(v, doc)
        mine = got[path]
        if bool(want) != bool(mine):
            bad.append(f"{path}: jsonschema {'invalid ' + str(sorted(want)) if want else 'valid'}"
                       f", vigie {mine[:2] if mine else 'valid'}")
        elif mine and mine[0]["pointer"] not in want:
            bad.append(f"{path}: vigie's first pointer {mine[0]['pointer']!r} not among "
                       f"jsonschema's {sorted(want)}")
        elif any(o["pointer"] not in want for o in mine):
            bad.append(f"{path}: vigie's pointers {[o['pointer'] for o in mine]} not all among "
                       f"jsonschema's {sorted(want)}")
        else:
            # every error jsonschema finds, vigie finds at the same place, or inside it for the
            # oneOf of cvss_v3 (which jsonschema reports as a whole)
            mine_ptrs = [o["pointer"] for o in mine]
            for e in v.iter_errors(doc):
                top = pointer(e.absolute_path)
                if not any(m == top or (e.validator == "oneOf" and m.startswith(top + "/"))
                           for m in mine_ptrs):
                    bad.append(f"{path}: jsonschema's {top!r} ({e.message[:80]}) missed by vigie"
                               f" {mine_ptrs}")
    assert not bad, "\n".join(bad[:20]) + f"\n({len(bad)} disagreements)"
    return got


def corpus_files():
    return sorted(glob.glob(os.path.join(CSAF, "examples", "csaf", "**", "*.json"),
                            recursive=True)
                  + glob.glob(os.path.join(CSAF, "test", "validator", "data", "**", "*.json"),
                              recursive=True))


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def test_corpus_agrees_with_jsonschema(oracle):
    files = corpus_files()
    assert len(files) > 200
    docs = {p: load(p) for p in files}
    got = assert_agree(oracle, docs)
    invalid = [p for p in files if got[p]]
    # the corpus's schema-invalid documents: two CVSS objects without their version or
    # baseSeverity, and testcases.json (no document at all)
    assert len(invalid) >= 4, invalid
    assert any(o["message"] == "required property 'document' is missing"
               for p in invalid for o in got[p])


# ---- mutations --------------------------------------------------------------------------

def _enum_values(schema):
    vals = set()

    def walk(x):
        if isinstance(x, dict):
            if isinstance(x.get("enum"), list):
                vals.update(v for v in x["enum"] if isinstance(v, str))
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(schema)
    return vals


UNIQUE_KEYS = {"product_ids", "group_ids", "aliases", "model_numbers", "serial_numbers", "ids",
               "involvements", "flags", "first_affected", "first_fixed", "fixed",
               "known_affected", "known_not_affected", "last_affected", "recommended",
               "under_investigation", "products"}
DATE = re.compile(r"^\d{4}-\d\d-\d\dT")
BAD_DATES = ["2023-02-30T00:00:00Z", "2023-01-01 00:00:00Z", "2023-01-01T24:00:00Z",
             "2023-01-01T00:00:00", "2023-13-01T00:00:00Z", "yesterday", "2023-01-01T00:00:00+25:00",
             "0000-01-01T00:00:00Z", "2023-01-01T00:00:00.Z"]
BAD_PATTERNS = {"version": ["1.0", "01", "1.0.0-", "v1"], "number": ["1.0", "1.02.3"],
                "cve": ["CVE-22-1234", "cve-2022-1234"], "lang": ["english", "e", "en_US"],
                "source_lang": ["12"], "id": [" leading", "trailing\t"],
                "category": ["_x", "x.", " csaf_base"], "cpe": ["cpe:2.3:z:a", "nocpe"],
                "purl": ["pkg:/x", "npm/x"], "value": ["z" * 40], "vectorString": ["AV:N",
                "CVSS:3.1/AV:Q"]}
BAD_URIS = ["not a uri", "http://exa mple.com", "://x", "1http://x", "http://x/%zz"]


def _nodes(doc):
    """Every (container, key, value) of doc."""
    out = []

    def walk(x):
        items = x.items() if isinstance(x, dict) else enumerate(x) if isinstance(x, list) else ()
        for k, v in items:
            out.append((x, k, v))
            walk(v)

    walk(doc)
    return out


def mutate(doc, kind, rnd, enums):
    """Applies one mutation of kind to doc in place; False when doc has no place for it."""
    nodes = _nodes(doc)
    if kind == "delete":
        cands = [(c, k) for c, k, _ in nodes if isinstance(c, dict)]
        if not cands:
            return False
        c, k = rnd.choice(cands)
        del c[k]
    elif kind == "type":
        if not nodes:
            return False
        c, k, v = rnd.choice(nodes)
        choices = [7, 2.5, "x", [], {}, True, None]
        c[k] = rnd.choice([x for x in choices if type(x) is not type(v)])
    elif kind == "enum":
        cands = [(c, k) for c, k, v in nodes if isinstance(v, str) and v in enums]
        if not cands:
            return False
        c, k = rnd.choice(cands)
        c[k] = rnd.choice(["not_in_enum", c[k].upper() + "X", ""])
    elif kind == "unknown":
        cands = [v for _, _, v in nodes if isinstance(v, dict)] + [doc]
        rnd.choice(cands)["x_unknown_property"] = 1
    elif kind == "date":
        cands = [(c, k) for c, k, v in nodes if isinstance(v, str) and DATE.match(v)]
        if not cands:
            return False
        c, k = rnd.choice(cands)
        c[k] = rnd.choice(BAD_DATES)
    elif kind == "unique":
        cands = [v for c, k, v in nodes if k in UNIQUE_KEYS and isinstance(v, list) and v]
        if not cands:
            return False
        arr = rnd.choice(cands)
        arr.insert(rnd.randrange(len(arr) + 1), copy.deepcopy(rnd.choice(arr)))
    elif kind == "pattern":
        cands = [(c, k) for c, k, v in nodes if k in BAD_PATTERNS and isinstance(v, str)]
        if not cands:
            return False
        c, k = rnd.choice(cands)
        c[k] = rnd.choice(BAD_PATTERNS[k])
    elif kind == "uri":
        cands = [(c, k) for c, k, v in nodes
                 if k in ("url", "namespace", "uri") and isinstance(v, str)]
        if not cands:
            return False
        c, k = rnd.choice(cands)
        c[k] = rnd.choice(BAD_URIS)
    elif kind == "cvss":
        cands = [v for c, k, v in nodes if k in ("cvss_v2", "cvss_v3") and isinstance(v, dict)]
        if not cands:
            return False
        o = rnd.choice(cands)
        what = rnd.randrange(4)
        if what == 0:
            o["baseScore"] = rnd.choice([-0.5, 10.1, 11, 0, 10, "9.8", None])
        elif what == 1:
            o["version"] = rnd.choice(["2.0", "3.0", "3.1", "4.0", 3.1])
        elif what == 2:
            o[rnd.choice(["foo", "baseSeverity", "attackVector", "accessVector"])] = "HIGH"
        else:
            o.pop(rnd.choice(["version", "vectorString", "baseScore", "baseSeverity"]), None)
    elif kind == "empty":
        cands = [(c, k) for c, k, v in nodes if isinstance(v, (list, str)) and v]
        if not cands:
            return False
        c, k = rnd.choice(cands)
        c[k] = type(c[k])()
    return True


KINDS = ["delete", "type", "enum", "unknown", "date", "unique", "pattern", "uri", "empty",
         "cvss"]


def test_mutations_agree_with_jsonschema(oracle, tmp_path):
    enums = _enum_values(load(os.path.join(CSAF, "json_schema", "csaf_json_schema.json")))
    enums |= {"NETWORK", "LOW", "HIGH", "NONE", "UNCHANGED", "REQUIRED", "CRITICAL", "MEDIUM"}
    bases = []
    for p in corpus_files():
        if os.path.getsize(p) < 40000:
            d = load(p)
            if isinstance(d, dict) and "document" in d and not oracle_paths(oracle, d):
                bases.append(d)
    assert len(bases) > 100
    rnd = random.Random(SEED)
    docs, kinds = {}, {}
    while len(docs) < MUTANTS:
        kind = KINDS[len(docs) % len(KINDS)]
        doc = copy.deepcopy(rnd.choice(bases))
        if not mutate(doc, kind, rnd, enums):
            continue
        path = str(tmp_path / f"m{len(docs):03d}-{kind}.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f)
        docs[path], kinds[path] = doc, kind
    got = assert_agree(oracle, docs)
    # not vacuous: every kind of mutation made invalid documents vigie caught
    caught = {k: sum(1 for p in docs if kinds[p] == k and got[p]) for k in KINDS}
    for k in KINDS:
        if k != "unknown":
            assert caught[k] >= 5, caught
    assert caught["unknown"] >= 1, caught  # only the strict CVSS objects refuse them


def test_every_property_agrees(oracle, tmp_path):
    """Every kind of object the corpus's valid documents hold (by its pointer with the indices
    left out: 50 kinds) has every property name the schemas know set to a number, then
    an empty string, an empty array, an empty object: jsonschema and vigie must find the same
    failures, so each property of each object of the schema is pinned in vigie's table."""
    names = set()

    def walk(x):
        if isinstance(x, dict):
            if isinstance(x.get("properties"), dict):
                names.update(x["properties"])
            for y in x.values():
                walk(y)
        elif isinstance(x, list):
            for y in x:
                walk(y)

    for schema in ("json_schema/csaf_json_schema.json",
                   "referenced_schema/first/cvss-v2.0_strict.json",
                   "referenced_schema/first/cvss-v3.1_strict.json"):
        walk(load(os.path.join(CSAF, schema)))
    kinds = {}
    for p in corpus_files():
        d = load(p)
        if not (isinstance(d, dict) and "document" in d) or oracle_paths(oracle, d):
            continue
        def objects(x, path):
            if isinstance(x, dict):
                kinds.setdefault(re.sub(r"/\d+", "/*", path), (d, path))
                for k, y in x.items():
                    objects(y, f"{path}/{k}")
            elif isinstance(x, list):
                for i, y in enumerate(x):
                    objects(y, f"{path}/{i}")

        objects(d, "")
    assert len(kinds) >= 45, sorted(kinds)
    docs = {}
    for i, (kind, (d, path)) in enumerate(sorted(kinds.items())):
        for value in (12345, "", [], {}):
            doc = copy.deepcopy(d)
            o = doc
            for seg in path.split("/")[1:]:
                o = o[int(seg)] if isinstance(o, list) else o[seg]
            for n in names:
                o[n] = copy.deepcopy(value)
            p = str(tmp_path / f"k{i:03d}-{type(value).__name__}.json")
            with open(p, "w", encoding="utf-8") as f:
                json.dump(doc, f)
            docs[p] = doc
    assert_agree(oracle, docs)


# ---- the command ------------------------------------------------------------------------

def sample(name):
    return os.path.join(SAMPLES, name)


def test_valid_file_prints_nothing():
    r = run("csaf", "validate", sample("good-minimal.json"), sample("good-full.json"))
    assert r.returncode == 0 and r.stdout == "" and r.stderr == ""


def test_invalid_file_lines_and_exit_1():
    bad = sample("bad-schema.json")
    r = run("csaf", "validate", "--test", "schema", sample("good-minimal.json"), bad, check=False)
    assert r.returncode == 1, r.stderr
    lines = r.stdout.splitlines()
    assert lines == [
        f"{bad}: schema /document: required property 'title' is missing",
        f"{bad}: schema /document/category: '_base' does not match the pattern of a document "
        "category",
        f"{bad}: schema /document/tracking/current_release_date: '2024-02-30T10:00:00Z' is "
        "not a date-time (RFC 3339, format)",
        f"{bad}: schema /document/tracking/status: 'done' is not one of draft, final, interim",
        f"{bad}: schema /document/tracking/version: '1.0' does not match the pattern of a CSAF "
        "version (version_t)",
        f"{bad}: schema /product_tree/branches/0/branches/0: has 2 properties, fewer than 3 "
        "(minProperties)",
        f"{bad}: schema /vulnerabilities/0/product_status/fixed: items 0 and 1 are equal "
        "(uniqueItems)",
        f"{bad}: schema /vulnerabilities/0/scores/0/cvss_v3/baseScore: 11 is greater than 10 "
        "(maximum)",
        f"{bad}: schema /vulnerabilities/0/scores/0/cvss_v3: unknown property 'foo'",
    ], lines


def test_json_output():
    bad = sample("bad-schema.json")
    r = run("csaf", "validate", "--json", "--test", "schema", bad, check=False)
    assert r.returncode == 1
    objs = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(objs) == 9
    assert objs[0] == {"file": bad, "test": "schema", "pointer": "/document",
                       "message": "required property 'title' is missing"}
    assert all(set(o) == {"file", "test", "pointer", "message"} for o in objs)


def test_root_not_an_object():
    r = run("csaf", "validate", "-", input="[1]", check=False)
    assert r.returncode == 1
    assert r.stdout == "-: schema : expected an object, got an array\n"


def test_stdin():
    with open(sample("good-full.json"), encoding="utf-8") as f:
        text = f.read()
    r = run("csaf", "validate", "-", input=text)
    assert r.stdout == ""
    doc = json.loads(text)
    doc["document"]["csaf_version"] = "2.1"
    r = run("csaf", "validate", "--test", "schema", "-", input=json.dumps(doc), check=False)
    assert r.returncode == 1
    assert r.stdout == "-: schema /document/csaf_version: '2.1' is not one of 2.0\n"


def test_parse_error_names_line_and_column(tmp_path):
    p = tmp_path / "broken.json"
    p.write_text('{\n  "document": {\n    "title": "x",,\n  }\n}\n')
    r = run("csaf", "validate", str(p), sample("good-minimal.json"), check=False)
    assert r.returncode == 1
    assert r.stdout == ""
    assert r.stderr.startswith(f"{p}:3:18: malformed JSON: "), r.stderr
    r = run("csaf", "validate", sample("bad-truncated.json"), check=False)
    assert r.returncode == 1 and re.match(r".*bad-truncated\.json:\d+:\d+: malformed JSON",
                                          r.stderr), r.stderr


def test_missing_file_and_too_deep(tmp_path):
    r = run("csaf", "validate", str(tmp_path / "nope.json"), check=False)
    assert r.returncode == 1 and "No such file or directory" in r.stderr
    deep = tmp_path / "deep.json"
    deep.write_text('{"document":' + "[" * 64 + "]" * 64 + "}")
    r = run("csaf", "validate", str(deep), check=False)
    assert r.returncode == 1
    assert r.stderr == f"{deep}:1:76: nested deeper than 64 levels\n"
    deep.write_text('{"document":' + "[" * 63 + "]" * 63 + "}")
    r = run("csaf", "validate", "--test", "schema", str(deep), check=False)
    assert r.returncode == 1 and r.stderr == ""
    assert r.stdout == f"{deep}: schema /document: expected an object, got an array\n"


def test_usage_errors():
    for args in (["csaf"], ["csaf", "validate"], ["csaf", "check", "x"],
                 ["csaf", "validate", "--bogus", "x"], ["csaf", "validate", "--test"],
                 ["csaf", "validate", "--test", "9.9.9", sample("good-minimal.json")]):
        r = run(*args, check=False)
        assert r.returncode == 2, args
        assert "see: vigie help csaf" in r.stderr, args
    r = run("help", "csaf")
    assert "usage: vigie csaf validate [--test ID|schema] [--json] FILE..." in r.stdout
    assert "csaf" in run("help").stdout


def test_report_truncated(tmp_path):
    doc = load(sample("good-minimal.json"))
    doc["document"]["notes"] = [{"category": "nope", "text": "t"}] * 1500
    p = tmp_path / "many.json"
    p.write_text(json.dumps(doc))
    r = run("csaf", "validate", "--test", "schema", str(p), check=False)
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert len(lines) == 1000
    assert lines[-1].startswith(f"{p}: schema /document/notes/999/category: 'nope' is not")
    assert r.stderr == f"{p}: more than 1000 failures: the first 1000 are shown\n"


def test_size_cap(tmp_path):
    """VG_MAX_CSAF_FILE (64 MiB) bytes are read; one more stops the reading."""
    cap = 64 * 1024 * 1024
    p = tmp_path / "big.json"
    with open(p, "wb") as f:
        f.write(b" " * (cap - 2) + b"[]")
    r = run("csaf", "validate", "--test", "schema", str(p), check=False)
    assert r.returncode == 1 and r.stderr == ""
    assert r.stdout == f"{p}: schema : expected an object, got an array\n"
    with open(p, "ab") as f:
        f.write(b" ")
    r = run("csaf", "validate", str(p), check=False)
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr == f"{p}: larger than {cap} bytes: not read\n"
