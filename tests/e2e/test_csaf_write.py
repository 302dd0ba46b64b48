"""The CSAF 2.0 documents vigie writes (src/advisory/csaf_write.c) validate against the official
CSAF 2.0 JSON schema and the FIRST CVSS schemas it references (../shared/corpus/csaf2.0), with
python3-jsonschema's Draft202012Validator and format checks; the CERT-FR-style documents
(src/advisory/certfr.c) have the keys and JSON types of CERT-FR's own (../shared/corpus/certfr).
The documents come from the unit test binary tests/unit/test_advisory_write.c, which writes them
into the directory named by VG_ADVISORY_OUT: each kind, an avis with CPE, fixed versions, scored
and KEV CVEs, an open and a closed alert, an avis without CVE, every severity band, version
ranges."""
import glob
import importlib.util
import json
import os
import subprocess

import pytest
from jsonschema import Draft202012Validator

from conftest import BIN, CORPUS, ROOT, need_corpus

CSAF = os.path.join(CORPUS, "csaf2.0")
CERTFR = os.path.join(CORPUS, "certfr")


def unit_binary():
    """build/<variant>/tests/test_advisory_write beside the vigie binary under test; built when
    missing."""
    variant_dir = os.path.dirname(os.path.abspath(BIN))
    if os.path.basename(variant_dir) not in ("release", "asan", "coverage"):
        variant_dir = os.path.join(ROOT, "build", "release")
    path = os.path.join(variant_dir, "tests", "test_advisory_write")
    if not os.path.exists(path):
        variant = os.path.basename(variant_dir)
        subprocess.run(["make", "-s", f"VARIANT={variant}", os.path.relpath(path, ROOT)],
                       cwd=ROOT, check=True, capture_output=True, timeout=300)
    return path


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("advisories")
    env = dict(os.environ, VG_ADVISORY_OUT=str(out))
    r = subprocess.run([unit_binary()], cwd=ROOT, env=env, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    docs = {}
    for path in sorted(glob.glob(str(out / "*.json"))):
        with open(path) as f:
            docs[os.path.basename(path)] = json.load(f)
    return docs


def corpus_tools():
    """../shared/corpus/tools/validate_corpus.py as a module: its $ref resolution and its
    format checker (date-time and hostname registered when Debian's jsonschema lacks them)."""
    path = os.path.join(CORPUS, "tools", "validate_corpus.py")
    need_corpus(path)
    spec = importlib.util.spec_from_file_location("validate_corpus", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def csaf_validator():
    """The CSAF schema with its CVSS $refs resolved from the corpus's copies, as
    validate_corpus.py's csaf_validator does (the strict CVSS schemas): under the URL
    csaf_json_schema.json names and under each CVSS schema's own $id."""
    need_corpus(os.path.join(CSAF, "json_schema", "csaf_json_schema.json"))
    vc = corpus_tools()
    store = {}
    for ver in ("2.0", "3.0", "3.1"):
        s = vc.load(os.path.join(CSAF, "referenced_schema", "first", f"cvss-v{ver}_strict.json"))
        store[f"https://www.first.org/cvss/cvss-v{ver}.json"] = s
        store[vc.schema_id(s)] = s
    schema = vc.load(os.path.join(CSAF, "json_schema", "csaf_json_schema.json"))
    v = vc.make_validator(schema, store, cls=Draft202012Validator)
    assert "date-time" in v.format_checker.checkers
    return v


def errors(v, doc):
    return [f"{list(e.absolute_path)}: {e.message[:300]}" for e in v.iter_errors(doc)]


def test_csaf_documents_validate(written):
    v = csaf_validator()
    csaf = {k: d for k, d in written.items() if k.startswith("csaf-")}
    # each kind, the avis, both alerts, no CVE, scores, versions
    assert len(csaf) == 14, sorted(csaf)
    for name, doc in csaf.items():
        assert errors(v, doc) == [], name


def test_csaf_schema_catches_a_broken_document(written):
    """The validator is live: a document with a wrong category of note fails."""
    v = csaf_validator()
    doc = json.loads(json.dumps(written["csaf-avis.json"]))
    doc["document"]["notes"][0]["category"] = "abstract"
    doc["vulnerabilities"][0]["scores"][0]["cvss_v3"]["baseSeverity"] = "SEVERE"
    errs = errors(v, doc)
    assert any("notes" in e for e in errs), errs
    assert any("scores" in e for e in errs), errs


def test_csaf_profile_fields(written):
    """What the schema cannot say and section 6.1 asks: product ids defined once and every
    reference defined, revision numbers 1..n with the version, dates from the history."""
    for name, doc in written.items():
        if not name.startswith("csaf-"):
            continue
        ids = []

        def walk(branches):
            for b in branches:
                if "product" in b:
                    ids.append(b["product"]["product_id"])
                walk(b.get("branches", []))

        walk(doc.get("product_tree", {}).get("branches", []))
        assert len(ids) == len(set(ids)), name
        for vuln in doc.get("vulnerabilities", []):
            refs = [p for lst in vuln.get("product_status", {}).values() for p in lst]
            refs += [p for s in vuln.get("scores", []) for p in s["products"]]
            refs += [p for r in vuln.get("remediations", []) for p in r["product_ids"]]
            assert set(refs) <= set(ids), name
        t = doc["document"]["tracking"]
        nums = [r["number"] for r in t["revision_history"]]
        assert nums == [str(i + 1) for i in range(len(nums))], name
        assert t["version"] == nums[-1], name
        assert t["initial_release_date"] == t["revision_history"][0]["date"], name
        assert t["current_release_date"] == t["revision_history"][-1]["date"], name
        if doc["document"]["category"] == "csaf_security_advisory":
            assert doc["product_tree"]["branches"], name
            assert doc["vulnerabilities"], name
            for vuln in doc["vulnerabilities"]:
                assert vuln["notes"] and vuln["product_status"], name


def shape(v):
    """The JSON type of v, and for objects the shape of each key (arrays: of their items)."""
    if isinstance(v, dict):
        return {k: shape(x) for k, x in v.items()}
    if isinstance(v, list):
        return ["list", *sorted({json.dumps(shape(x), sort_keys=True) for x in v})]
    return type(v).__name__


def test_certfr_documents_have_certfr_shape(written):
    need_corpus(CERTFR)
    theirs = []
    for path in sorted(glob.glob(os.path.join(CERTFR, "*.json"))):
        with open(path) as f:
            theirs.append(json.load(f))
    assert len(theirs) == 8
    keys = set(theirs[0])
    assert all(set(d) == keys for d in theirs)
    # every item type CERT-FR uses, per key
    item_shapes = {}
    types = {}
    for d in theirs:
        for k, v in d.items():
            types.setdefault(k, set()).add(type(v).__name__)
            if isinstance(v, list):
                for x in v:
                    item_shapes.setdefault(k, set()).add(json.dumps(shape(x), sort_keys=True))
    ours = {k: d for k, d in written.items() if k.startswith("certfr-")}
    assert sorted(ours) == ["certfr-alert-closed.json", "certfr-alert-open.json",
                            "certfr-avis.json"]
    for name, d in ours.items():
        extra = {"closed_at"} if "alert" in name else set()
        assert set(d) == keys | extra, name
        for k, v in d.items():
            if k == "closed_at":
                assert v is None or isinstance(v, str), name
                continue
            assert type(v).__name__ in types[k], (name, k)
            for x in v if isinstance(v, list) else []:
                assert json.dumps(shape(x), sort_keys=True) in item_shapes[k], (name, k, x)
        for r in d["revisions"]:
            # CERT-FR's own form of a date
            assert len(r["revision_date"]) == 26 and r["revision_date"].endswith(".000000")
    assert ours["certfr-alert-open.json"]["closed_at"] is None
    assert ours["certfr-alert-closed.json"]["closed_at"] == "2023-11-02T07:00:00.000000"
