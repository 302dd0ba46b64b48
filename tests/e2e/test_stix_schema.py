"""The STIX 2.1 bundles vigie writes (src/share/stix.c) validate against the official STIX 2.1
JSON schemas (../shared/corpus/stix2.1/schemas, OASIS cti-stix2-json-schemas), with
python3-jsonschema. The bundles come from the unit test binary tests/unit/test_stix.c, which
writes its samples into the directory named by VIGIE_STIX_OUT (an indicator set with every
observable type and TLP level, an incident, an empty set). Each bundle is checked as a whole
against bundle.json and each object against the schema of its own type, so that no object
passes through the schema's branch for custom objects."""
import glob
import json
import os
import subprocess

import pytest
from jsonschema import Draft202012Validator, RefResolver

from conftest import BIN, CORPUS, ROOT, need_corpus

SCHEMAS = os.path.join(CORPUS, "stix2.1", "schemas")


def unit_binary():
    """build/<variant>/tests/test_stix beside the vigie binary under test; built when missing."""
    variant_dir = os.path.dirname(os.path.abspath(BIN))
    if os.path.basename(variant_dir) not in ("release", "asan", "coverage"):
        variant_dir = os.path.join(ROOT, "build", "release")
    path = os.path.join(variant_dir, "tests", "test_stix")
    if not os.path.exists(path):
        variant = os.path.basename(variant_dir)
        subprocess.run(["make", "-s", f"VARIANT={variant}", os.path.relpath(path, ROOT)],
                       cwd=ROOT, check=True, capture_output=True, timeout=300)
    return path


@pytest.fixture(scope="module")
def bundles(tmp_path_factory):
    out = tmp_path_factory.mktemp("stix")
    env = dict(os.environ, VIGIE_STIX_OUT=str(out))
    r = subprocess.run([unit_binary()], cwd=ROOT, env=env, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    files = sorted(glob.glob(str(out / "bundle-*.json")))
    assert len(files) == 3, files
    return [json.load(open(f)) for f in files]


@pytest.fixture(scope="module")
def schemas():
    need_corpus(SCHEMAS)
    store = {}
    for path in glob.glob(os.path.join(SCHEMAS, "*", "*.json")):
        with open(path) as f:
            s = json.load(f)
        store[s["$id"]] = s
    return store


def validator(store, rel):
    base = "http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/"
    schema = store[base + rel]
    return Draft202012Validator(schema, resolver=RefResolver(base + rel, schema, store=store))


def schema_of(obj_type):
    if obj_type in ("relationship", "sighting"):
        return f"sros/{obj_type}.json"
    if obj_type == "marking-definition":
        return "common/marking-definition.json"
    if obj_type in ("ipv4-addr", "ipv6-addr", "domain-name", "url", "email-addr", "file"):
        return f"observables/{obj_type}.json"
    return f"sdos/{obj_type}.json"


def errors(v, instance):
    return [f"{list(e.absolute_path)}: {e.message[:300]}" for e in v.iter_errors(instance)]


def test_bundles_validate(bundles, schemas):
    bundle_v = validator(schemas, "common/bundle.json")
    for b in bundles:
        assert errors(bundle_v, b) == []


def test_each_object_validates_against_its_type(bundles, schemas):
    seen = set()
    for b in bundles:
        for o in b["objects"]:
            v = validator(schemas, schema_of(o["type"]))
            errs = errors(v, o)
            assert errs == [], (o["id"], errs)
            seen.add(o["type"])
    # every kind of object the writer makes was checked
    assert seen == {"identity", "marking-definition", "indicator", "relationship", "sighting",
                    "report", "ipv4-addr", "ipv6-addr", "domain-name", "url",
                    "email-addr", "file"}


def test_schema_check_can_fail(bundles, schemas):
    """The check itself rejects what the schemas forbid: a created without milliseconds, an
    indicator without pattern, an SCO id that is not a UUID."""
    b = json.loads(json.dumps(bundles[0]))
    ind = next(o for o in b["objects"] if o["type"] == "indicator")
    v = validator(schemas, "sdos/indicator.json")
    bad = dict(ind, created="2026-01-02T03:04:05Z")
    assert errors(v, bad)
    bad = {k: val for k, val in ind.items() if k != "pattern"}
    assert errors(v, bad)
    sco = next(o for o in b["objects"] if o["type"] == "ipv4-addr")
    assert errors(validator(schemas, "observables/ipv4-addr.json"), dict(sco, id="ipv4-addr--x"))


def test_markings_are_the_tlp2_definitions(bundles):
    """Every marking referred to is defined in the bundle, with the official TLP 2.0 content."""
    official = {
        "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487": "clear",
        "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb": "green",
        "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421": "amber",
        "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003": "amber+strict",
        "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1": "red",
    }
    ext = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
    for b in bundles:
        defined = {o["id"]: o for o in b["objects"] if o["type"] == "marking-definition"}
        for mid, m in defined.items():
            level = official[mid]
            assert m["name"] == "TLP:" + level.upper()
            assert m["created"] == "2022-10-01T00:00:00.000Z"
            assert m["extensions"][ext] == {"extension_type": "property-extension",
                                            "tlp_2_0": level}
        for o in b["objects"]:
            if o["type"] != "marking-definition":
                assert len(o["object_marking_refs"]) == 1
                assert o["object_marking_refs"][0] in defined
        ids = [o["id"] for o in b["objects"]]
        assert len(ids) == len(set(ids))
