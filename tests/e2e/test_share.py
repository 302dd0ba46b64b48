"""Sharing (issue 12): exports of incidents and indicators as MISP and STIX 2.1 through the TLP
gate for each kind of recipient (partner of each max_tlp, constituent, the CERT itself), the
404 of an incident a recipient may not get, imports of MISP and STIX files (the corpus, partial
files, malformed files), round trips between two databases, and the CLI and the API giving the
same indicators."""
import glob
import json
import os
import random
import re

import pytest

from conftest import connect, CORPUS, make_incident, make_org, need_corpus, run

LEVELS = ["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"]
SECRET = {"AMBER+STRICT": "strict-secret", "RED": "red-secret"}


def partner(srv, name, max_tlp):
    r = srv.post("/api/v1/partners", {"name": name, "country": "FR", "networks": ["first"],
                                      "max_tlp": max_tlp})
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    r = srv.post(f"/api/v1/partners/{pid}/tokens", {"label": "t"})
    assert r.status_code == 201, r.text
    return pid, r.json()["token"]


def indicators(srv, items):
    r = srv.post("/api/v1/indicators", {"indicators": items})
    assert r.status_code == 200 and not r.json()["rejected"], r.text


def stored(srv, **filters):
    """Every stored indicator as {(type, value): tlp}."""
    out, cursor = {}, None
    while True:
        q = dict(filters, limit=500)
        if cursor:
            q["cursor"] = cursor
        r = srv.get("/api/v1/indicators", params=q)
        assert r.status_code == 200, r.text
        page = r.json()
        for i in page["items"]:
            out[(i["type"], i["value"])] = i["tlp"]
        cursor = page["next_cursor"]
        if not cursor:
            return out


def stored_db(db):
    """The same read from a database file."""
    con = connect(str(db))
    try:
        return {(t, v): tlp for t, v, tlp in con.execute("SELECT type, value, tlp FROM indicator")}
    finally:
        con.close()


def withheld(body, fmt):
    """The withheld count an export says: x_vigie_withheld in STIX, in MISP the event's."""
    doc = json.loads(body)
    if fmt == "stix":
        counts = [o["x_vigie_withheld"] for o in doc["objects"] if "x_vigie_withheld" in o]
        if "x_vigie_withheld" in doc:
            counts.append(doc["x_vigie_withheld"])
        assert counts, body[:2000]
        return max(counts)
    # MISP: a comment attribute "vigie: N item(s) withheld ...", only when N > 0
    m = re.findall(r"(\d+) item\(s\) withheld", body)
    assert len(m) <= 1, body[:2000]
    return int(m[0]) if m else 0


def values_in(body, fmt):
    """The indicator values an export carries (MISP attributes, STIX SCO values / hashes)."""
    doc = json.loads(body)
    vals = set()
    if fmt == "misp":
        ev = doc.get("Event", doc)
        for a in ev.get("Attribute", []):
            if a["type"] != "comment":  # the withheld count's attribute
                vals.add(a["value"])
        for o in ev.get("Object", []):
            for a in o.get("Attribute", []):
                vals.add(a["value"])
    else:
        for o in doc["objects"]:
            if "value" in o and o["type"] != "marking-definition":
                vals.add(o["value"])
            for h in (o.get("hashes") or {}).values():
                vals.add(h.lower())
    return vals


# ---- exports through the gate ----

def expected(level, rcpt):
    """The gate of core/tlp.h, written out for the test."""
    kind, arg = rcpt
    i = LEVELS.index(level)
    if kind == "internal":
        return True
    if level == "RED":
        return False
    if kind == "partner":
        return i <= LEVELS.index(arg) and level != "AMBER+STRICT"
    # constituent: arg is whether the incident concerns it
    return i <= 1 or arg


@pytest.mark.parametrize("fmt", ["misp", "stix"])
def test_incident_export_each_level_each_recipient(server, fmt):
    a = make_org(server, "Concerned", domains=["concerned.example"])["id"]
    b = make_org(server, "Other", domains=["other.example"])["id"]
    partners = {m: partner(server, f"P-{m}", m) for m in ["CLEAR", "GREEN", "AMBER"]}
    for level in LEVELS:
        value = SECRET.get(level, "shared") + "-" + level.lower().replace("+", "-") + ".example"
        inc = make_incident(server, observables=[value], tlp=level, org=a)
        ref = inc["ref"]
        cases = [(("internal", None), {}, None)]
        for m, (pid, tok) in partners.items():
            cases.append((("partner", m), {}, tok))          # its own token, no `to`
            cases.append((("partner", m), {"to": str(pid)}, None))  # an analyst, for it
        cases.append((("constituent", True), {"to": f"org:{a}"}, None))
        cases.append((("constituent", False), {"to": f"org:{b}"}, None))
        for rcpt, params, tok in cases:
            r = server.get(f"/api/v1/incidents/{ref}/export",
                           params=dict(params, format=fmt), token=tok)
            if not expected(level, rcpt):
                # not shareable: the same 404 as an incident that does not exist
                assert r.status_code == 404, (level, rcpt, r.text)
                assert r.json()["error"]["code"] == "not_found"
                assert value not in r.text
                continue
            assert r.status_code == 200, (level, rcpt, r.text)
            assert value in values_in(r.text, fmt), (level, rcpt)
            assert withheld(r.text, fmt) == 0
            if rcpt[0] == "partner":
                for s in SECRET.values():
                    assert s not in r.text, (level, rcpt)
    # an incident that does not exist: the same answer
    r = server.get("/api/v1/incidents/CERT-1999-000001/export", params={"format": fmt},
                   token=partners["AMBER"][1])
    assert r.status_code == 404


@pytest.mark.parametrize("fmt", ["misp", "stix"])
def test_indicator_export_withholds_exactly(server, fmt):
    items = [{"type": "domain-name", "value": f"{SECRET.get(l, 'ok')}-{i}.example", "tlp": l,
              "source": "feed"} for i, l in enumerate(LEVELS)]
    indicators(server, items)
    pid_g, tok_g = partner(server, "Green", "GREEN")
    pid_a, tok_a = partner(server, "Amber", "AMBER")
    org = make_org(server, "C")["id"]
    for tok, params, n_sent in [(tok_g, {}, 2), (tok_a, {}, 3), (None, {"to": str(pid_g)}, 2),
                                (None, {"to": f"org:{org}"}, 2), (None, {}, 5)]:
        r = server.get("/api/v1/share/export", params=dict(params, format=fmt), token=tok)
        assert r.status_code == 200, r.text
        got = {v for v in values_in(r.text, fmt) if v.endswith(".example")}
        assert len(got) == n_sent, (params, got)
        assert withheld(r.text, fmt) == 5 - n_sent
        if tok or "to" in params:
            for s in SECRET.values():
                assert s not in r.text  # not in ANY byte sent
    # filters
    r = server.get("/api/v1/share/export", params={"format": fmt, "type": "ipv4-addr"})
    assert r.status_code == 200 and not values_in(r.text, fmt) - {"ipv4-addr"}


def test_export_errors(server):
    pid, tok = partner(server, "P", "AMBER")
    other, _ = partner(server, "Q", "AMBER")
    org = make_org(server, "C")["id"]
    ref = make_incident(server, observables=["x.example"], tlp="GREEN", org=org)["ref"]
    url = f"/api/v1/incidents/{ref}/export"
    r = server.get(url, params={"format": "xml"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "format"
    r = server.get(url)
    assert r.status_code == 400 and r.json()["error"]["field"] == "format"
    for to, code in [("abc", 400), ("org:x", 400), ("0", 400), ("org:999", 404), ("999", 404)]:
        r = server.get(url, params={"format": "misp", "to": to})
        assert r.status_code == code, (to, r.text)
        assert r.json()["error"]["field"] == "to"
    # a partner exports for itself only
    for to in [str(other), f"org:{org}"]:
        r = server.get(url, params={"format": "misp", "to": to}, token=tok)
        assert r.status_code == 403, r.text
        r = server.get("/api/v1/share/export", params={"format": "misp", "to": to}, token=tok)
        assert r.status_code == 403, r.text
    r = server.get(url, params={"format": "misp", "to": str(pid)}, token=tok)
    assert r.status_code == 200, r.text
    # a disabled partner is no recipient
    assert server.patch(f"/api/v1/partners/{other}", {"disabled": True}).status_code == 200
    r = server.get(url, params={"format": "misp", "to": str(other)})
    assert r.status_code == 404
    r = server.get("/api/v1/share/export", params={"format": "stix", "since": "yesterday"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "since"
    r = server.get("/api/v1/share/export", params={"format": "stix", "type": "car"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "type"


def test_export_cli(server, tmp_path):
    org = make_org(server, "C")["id"]
    pid, _ = partner(server, "P", "GREEN")
    ref = make_incident(server, observables=["cli.example"], tlp="GREEN", org=org)["ref"]
    red = make_incident(server, observables=["red-secret.example"], tlp="RED", org=org)["ref"]
    p = run("share", "export", "--format", "misp", "--to", str(pid), "--incident", ref,
            db=server.db)
    assert "cli.example" in values_in(p.stdout, "misp")
    api = server.get(f"/api/v1/incidents/{ref}/export", params={"format": "misp", "to": str(pid)})
    assert json.loads(api.text) == json.loads(p.stdout)  # the same document both ways
    p = run("share", "export", "--format", "stix", "--to", str(pid), "--incident", red,
            db=server.db, check=False)
    assert p.returncode == 1 and p.stdout == "" and "no incident" in p.stderr
    p = run("share", "export", "--format", "stix", "--to", f"org:{org}", "--indicators",
            "type=domain-name", db=server.db)
    assert json.loads(p.stdout)["type"] == "bundle"
    for bad in [["--format", "csv", "--incident", ref], ["--format", "misp"],
                ["--format", "misp", "--incident", ref, "--indicators", ""],
                ["--format", "misp", "--indicators", "colour=red"]]:
        p = run("share", "export", *bad, db=server.db, check=False)
        assert p.returncode == 2, (bad, p.stderr)


# ---- imports ----

def misp_event(attrs, tlp=None, uuid="a0a0a0a0-0000-4000-8000-000000000001"):
    ev = {"uuid": uuid, "info": "test", "date": "2026-12-01", "threat_level_id": "2",
          "analysis": "1", "distribution": "1", "timestamp": "1764547200",
          "Attribute": [dict({"category": "Network activity", "to_ids": True,
                              "uuid": "b0b0b0b0-0000-4000-8000-%012d" % i}, **a)
                        for i, a in enumerate(attrs)]}
    if tlp:
        ev["Tag"] = [{"name": "tlp:" + tlp.lower()}]
    return {"Event": ev}


def write(tmp_path, name, doc):
    p = tmp_path / name
    p.write_text(json.dumps(doc) if not isinstance(doc, str) else doc)
    return str(p)


def reports(stdout):
    return [json.loads(l) for l in stdout.splitlines() if l.strip()]


def test_import_partial_reports_skip_and_keeps_rest(server, tmp_path):
    ev = misp_event([{"type": "ip-dst", "value": "198.51.100.1"},
                     {"type": "ip-dst", "value": "999.1.1.1"},
                     {"type": "domain", "value": "Good.Example",
                      "Tag": [{"name": "tlp:green"}]}], tlp="amber")
    f = write(tmp_path, "ev.json", ev)
    p = run("share", "import", f, db=server.db, check=False)
    assert p.returncode == 1, p.stderr  # something was skipped
    rep = reports(p.stdout)[0]
    assert rep["format"] == "misp" and rep["added"] == 2 and rep["skipped"] == 1
    assert "/Event/Attribute/1" in p.stderr
    got = stored(server)
    assert got[("ipv4-addr", "198.51.100.1")] == "AMBER"   # the event's TLP
    assert got[("domain-name", "good.example")] == "GREEN"  # its own
    assert ("ipv4-addr", "999.1.1.1") not in got
    # again: unchanged
    p = run("share", "import", f, db=server.db, check=False)
    rep = reports(p.stdout)[0]
    assert (rep["added"], rep["updated"], rep["unchanged"]) == (0, 0, 2)
    # the API says the same, and names the pointer
    r = server.req("POST", "/api/v1/share/import", data=json.dumps(ev), params={"source": f},
                   headers={"Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["unchanged"] == 2 and body["skipped"] == 1
    assert body["skipped_items"][0]["pointer"] == "/Event/Attribute/1"
    assert body["skipped_truncated"] is False


def test_import_malformed_keeps_valid_before(server, tmp_path):
    good = write(tmp_path, "good.json", misp_event([{"type": "domain", "value": "a.example"}]))
    bad = write(tmp_path, "bad.json", '{"Event": {"info": "x", "Attribute": [{"type": "domain",'
                ' "value": "b.example"}, {"type": "domain", "value": ')
    p = run("share", "import", bad, good, db=server.db, check=False)
    assert p.returncode == 2, p.stderr
    assert "bad.json" in p.stderr
    got = stored(server)
    assert ("domain-name", "a.example") in got  # the other file was read
    r = server.req("POST", "/api/v1/share/import", data=open(bad).read(),
                   headers={"Content-Type": "application/json"})
    assert r.status_code == 400, r.text
    assert r.json()["error"]["field"].startswith("/")
    assert "report" in r.json()
    p = run("share", "import", write(tmp_path, "x.json", "[1, 2]"), db=server.db, check=False)
    assert p.returncode == 2 and "format" in p.stderr


def test_partner_import_source_is_its_name(server, tmp_path):
    _, tok = partner(server, "CERT-XY", "GREEN")
    ev = misp_event([{"type": "domain", "value": "partner.example"}], tlp="green")
    r = server.req("POST", "/api/v1/share/import", token=tok, data=json.dumps(ev),
                   headers={"Content-Type": "application/json"},
                   params={"source": "spoofed"})
    assert r.status_code == 200, r.text
    assert r.json()["added"] == 1
    ind = server.get("/api/v1/indicators", params={"source": "CERT-XY"}).json()["items"]
    assert [i["value"] for i in ind] == ["partner.example"]
    # a reader may not import
    reader = server.token("rita", "reader")
    r = server.req("POST", "/api/v1/share/import", token=reader, data=json.dumps(ev),
                   headers={"Content-Type": "application/json"})
    assert r.status_code == 403


def corpus_misp():
    base = os.path.join(CORPUS, "misp", "pymisp", "tests")
    files = sorted(glob.glob(os.path.join(base, "mispevent_testfiles", "*.json")) +
                   glob.glob(os.path.join(base, "reportlab_testfiles", "*.json")) +
                   [os.path.join(base, f) for f in ("misp_event.json", "new_misp_event.json",
                                                    "57c4445b-c548-4654-af0b-4be3950d210f.json")])
    # samples that are not events (a lone sighting, a definition) are left out
    return [f for f in files if os.path.basename(f) not in ("sighting.json", "definition.json")]


def test_import_misp_corpus(server):
    need_corpus(os.path.join(CORPUS, "misp"))
    files = corpus_misp()
    assert len(files) >= 30
    p = run("share", "import", "--format", "misp", *files, db=server.db, check=False)
    assert p.returncode in (0, 1), p.stderr[-3000:]
    reps = reports(p.stdout)
    assert len(reps) == len(files)
    for rep in reps:
        assert rep["containers"] >= 1, rep
        assert rep["added"] + rep["updated"] + rep["unchanged"] <= rep["items"], rep
    assert sum(r["added"] for r in reps) > 0
    # each file twice in a row: the second time changes nothing (files overlap, each one
    # replaces what an earlier one said of the same value, so the check is per file)
    twice = [f for f in files for _ in (0, 1)]
    p = run("share", "import", "--format", "misp", *twice, db=server.db, check=False)
    reps = reports(p.stdout)
    for first, again in zip(reps[0::2], reps[1::2]):
        assert again["added"] + again["updated"] == 0, (first, again)
        assert again["unchanged"] == first["added"] + first["updated"] + first["unchanged"]


def test_import_stix_corpus(server):
    need_corpus(os.path.join(CORPUS, "stix2.1"))
    files = sorted(glob.glob(os.path.join(CORPUS, "stix2.1", "examples", "**", "*.json"),
                             recursive=True))
    assert len(files) >= 7
    p = run("share", "import", *files, db=server.db, check=False)
    assert p.returncode in (0, 1), p.stderr[-3000:]
    reps = reports(p.stdout)
    assert len(reps) == len(files)
    assert all(r["format"] == "stix" for r in reps)
    got = stored(server)
    # indicator-for-c2-ip-address.json: [ipv4-addr:value = '198.51.100.1'] ...
    assert any(t == "ipv4-addr" for t, _ in got), got


# ---- round trips ----

def seed_indicators(srv):
    items = []
    for i, level in enumerate(["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"]):
        items += [{"type": "domain-name", "value": f"d{i}.example", "tlp": level},
                  {"type": "ipv4-addr", "value": f"192.0.2.{i + 1}", "tlp": level},
                  {"type": "ipv6-addr", "value": f"2001:db8::{i + 1}", "tlp": level},
                  {"type": "url", "value": f"https://u{i}.example/p?q={i}", "tlp": level},
                  {"type": "email-addr", "value": f"m{i}@mail.example", "tlp": level},
                  {"type": "md5", "value": "%032x" % (i + 1), "tlp": level},
                  {"type": "sha1", "value": "%040x" % (i + 1), "tlp": level},
                  {"type": "sha256", "value": "%064x" % (i + 1), "tlp": level}]
    for it in items:
        it["source"] = "seed"
    indicators(srv, items)
    return stored(srv)


@pytest.mark.parametrize("fmt", ["misp", "stix"])
def test_round_trip_export_import(server, tmp_path, fmt):
    want = seed_indicators(server)
    p = run("share", "export", "--format", fmt, "--indicators", "", db=server.db)
    f = write(tmp_path, "out.json", p.stdout)
    db2 = tmp_path / "second.db"
    run("init", db=db2)
    p = run("share", "import", f, db=db2, check=False)
    # vigie's own export is understood whole: the withheld count's comment attribute (MISP),
    # the identity, TLP markings, relationships and SCOs of the indicators and the report
    # (STIX) are not skips, so the import exits 0
    assert p.returncode == 0, p.stderr
    rep = reports(p.stdout)[0]
    assert rep["items"] == len(want) and rep["added"] == len(want), rep
    assert rep["skipped"] == 0 and rep["skipped_truncated"] is False, rep
    assert rep["containers"] >= 1 and p.stderr == "", p.stderr
    assert stored_db(db2) == want  # the same indicators with the same TLP
    # again: all unchanged, still nothing skipped
    p = run("share", "import", f, db=db2, check=False)
    assert p.returncode == 0, p.stderr
    rep = reports(p.stdout)[0]
    assert rep["unchanged"] == len(want) and rep["added"] == 0 and rep["skipped"] == 0, rep


@pytest.mark.parametrize("fmt", ["misp", "stix"])
def test_own_export_with_foreign_parts_still_skips_them(server, tmp_path, fmt):
    """What vigie does not import stays counted and listed beside its own export's parts."""
    seed_indicators(server)
    doc = json.loads(run("share", "export", "--format", fmt, "--indicators", "",
                         db=server.db).stdout)
    if fmt == "misp":
        doc["Event"]["Attribute"].append({"uuid": "5e4f7a3e-0000-4000-8000-0000000000f1",
                                          "type": "vulnerability", "value": "CVE-2026-0001"})
        where, what = "/Event/Attribute/%d" % (len(doc["Event"]["Attribute"]) - 1), \
            "attribute type 'vulnerability'"
    else:
        doc["objects"].append({"type": "malware", "spec_version": "2.1",
                               "id": "malware--5e4f7a3e-0000-4000-8000-0000000000f2",
                               "created": "2026-01-01T00:00:00Z",
                               "modified": "2026-01-01T00:00:00Z", "name": "x",
                               "is_family": False})
        where, what = "/objects/%d" % (len(doc["objects"]) - 1), "object 'malware'"
    f = write(tmp_path, "out.json", json.dumps(doc))
    db2 = tmp_path / "second.db"
    run("init", db=db2)
    p = run("share", "import", f, db=db2, check=False)
    assert p.returncode == 1, p.stderr
    rep = reports(p.stdout)[0]
    assert rep["skipped"] == 1 and rep["items"] == 40, rep
    # the one line of the skip: FILE: POINTER: WHAT: REASON
    assert p.stderr.count("\n") == 1 and f"{f}: {where}: {what}: " in p.stderr, p.stderr


def test_misp_stix_misp_keeps_every_attribute(server, tmp_path):
    attrs = [("ip-dst", "198.51.100.9", "ipv4-addr"), ("ip-src", "203.0.113.4", "ipv4-addr"),
             ("domain", "chain.example", "domain-name"), ("hostname", "h.chain.example",
                                                          "domain-name"),
             ("url", "https://chain.example/x", "url"), ("email-src", "a@chain.example",
                                                         "email-addr"),
             ("md5", "d41d8cd98f00b204e9800998ecf8427e", "md5"),
             ("sha1", "da39a3ee5e6b4b0d3255bfef95601890afd80709", "sha1"),
             ("sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
              "sha256")]
    levels = ["clear", "green", "amber"]
    ev = misp_event([{"type": t, "value": v, "Tag": [{"name": "tlp:" + levels[i % 3]}]}
                     for i, (t, v, _) in enumerate(attrs)])
    f = write(tmp_path, "in.json", ev)
    run("share", "import", f, db=server.db)
    first = stored(server)
    assert len(first) == len(attrs)
    # vigie -> STIX -> a second vigie -> MISP -> a third vigie
    stix = write(tmp_path, "s.json", run("share", "export", "--format", "stix", "--indicators",
                                         "", db=server.db).stdout)
    db2, db3 = tmp_path / "2.db", tmp_path / "3.db"
    run("init", db=db2)
    run("init", db=db3)
    run("share", "import", stix, db=db2, check=False)
    misp = write(tmp_path, "m.json", run("share", "export", "--format", "misp", "--indicators", "",
                                         db=db2).stdout)
    values = values_in(open(misp).read(), "misp")
    for _, v, _ in attrs:
        assert v in values
    run("share", "import", misp, db=db3, check=False)
    assert stored_db(db3) == first


def test_cli_and_api_agree_on_random_inputs(server, tmp_path):
    rnd = random.Random(20261205)
    db2 = tmp_path / "cli.db"
    run("init", db=db2)
    kinds = [("ip-dst", lambda: "10.%d.%d.%d" % tuple(rnd.randrange(256) for _ in range(3))),
             ("domain", lambda: "r%d.example" % rnd.randrange(10 ** 6)),
             ("md5", lambda: "%032x" % rnd.getrandbits(128)),
             ("url", lambda: "http://r%d.example/%d" % (rnd.randrange(999), rnd.randrange(999))),
             ("ip-dst", lambda: "300.%d.1.1" % rnd.randrange(9)),  # invalid: skipped both ways
             ("vulnerability", lambda: "CVE-2024-%04d" % rnd.randrange(9999))]
    for n in range(5):
        attrs = []
        for _ in range(rnd.randrange(1, 40)):
            t, gen = rnd.choice(kinds)
            a = {"type": t, "value": gen()}
            if rnd.random() < 0.3:
                a["Tag"] = [{"name": "tlp:" + rnd.choice(["clear", "green", "amber", "red"])}]
            attrs.append(a)
        ev = misp_event(attrs, tlp=rnd.choice([None, "green", "amber"]))
        body = json.dumps(ev)
        r = server.req("POST", "/api/v1/share/import", data=body, params={"source": "same"},
                       headers={"Content-Type": "application/json"})
        assert r.status_code == 200, r.text
        p = run("share", "import", "--source", "same", write(tmp_path, f"r{n}.json", body),
                db=db2, check=False)
        assert p.returncode in (0, 1)
        cli = reports(p.stdout)[0]
        for k in ("items", "added", "skipped"):
            assert cli[k] == r.json()[k], (k, cli, r.json())
    assert stored_db(db2) == stored(server)


def test_incident_sightings_gated_per_organisation(server):
    """The sightings of the indicator equal to an observable go as the stricter of their TLPs
    says, each concerning the organisation it was attributed to."""
    a = make_org(server, "A", cidrs=["10.1.0.0/16"])["id"]
    b = make_org(server, "B", cidrs=["10.2.0.0/16"])["id"]
    indicators(server, [{"type": "domain-name", "value": "seen.example", "tlp": "AMBER"}])
    events = "".join(json.dumps({"timestamp": "2026-12-01T10:00:00Z", "src_ip": ip,
                                 "dest_ip": "192.0.2.53", "dns": {"rrname": "seen.example"}})
                     + "\n" for ip in ("10.1.0.5", "10.2.0.5"))
    r = server.req("POST", "/api/v1/events", data=events)
    assert r.status_code == 200 and r.json()["sightings"] == 2, r.text
    ref = make_incident(server, observables=["seen.example"], tlp="GREEN", org=a)["ref"]
    pid_a, _ = partner(server, "PA", "AMBER")
    pid_g, _ = partner(server, "PG", "GREEN")

    def export(to):
        r = server.get(f"/api/v1/incidents/{ref}/export", params={"format": "stix", "to": to})
        assert r.status_code == 200, r.text
        objs = json.loads(r.text)["objects"]
        assert "api:" not in r.text and "10.1.0.5" not in r.text  # the log's source stays
        return sum(o["type"] == "sighting" for o in objs), withheld(r.text, "stix")

    assert export(str(pid_a)) == (2, 0)   # an AMBER partner: both
    assert export(str(pid_g)) == (0, 2)   # GREEN partner: the AMBER sightings withheld
    assert export(f"org:{a}") == (1, 1)   # A: its own only
    r = server.get(f"/api/v1/incidents/{ref}/export", params={"format": "stix", "to": f"org:{b}"})
    assert r.status_code == 200  # GREEN incident: any constituent
    assert json.loads(r.text)["objects"] and withheld(r.text, "stix") == 1


@pytest.mark.parametrize("fmt", ["misp", "stix"])
def test_incident_observables_each_level(server, fmt):
    """Observables carry their own TLP: each recipient gets those the gate lets through, the
    others are withheld and counted, and RED / AMBER+STRICT values are in no byte a partner
    gets."""
    a = make_org(server, "A")["id"]
    b = make_org(server, "B")["id"]
    ref = make_incident(server, tlp="GREEN", org=a)["ref"]
    vals = {}
    for level in LEVELS:
        v = SECRET.get(level, "obs") + "-" + level.lower().replace("+", "-") + ".example"
        r = server.post(f"/api/v1/incidents/{ref}/observables", {"value": v, "tlp": level})
        assert r.status_code in (200, 201), r.text
        vals[level] = v
    pid_g, tok_g = partner(server, "PG", "GREEN")
    pid_a, tok_a = partner(server, "PA", "AMBER")
    cases = [({}, tok_g, ["CLEAR", "GREEN"]), ({"to": str(pid_a)}, None, ["CLEAR", "GREEN", "AMBER"]),
             ({}, tok_a, ["CLEAR", "GREEN", "AMBER"]),
             ({"to": f"org:{a}"}, None, ["CLEAR", "GREEN", "AMBER", "AMBER+STRICT"]),
             ({"to": f"org:{b}"}, None, ["CLEAR", "GREEN"]), ({}, None, LEVELS)]
    for params, tok, want in cases:
        r = server.get(f"/api/v1/incidents/{ref}/export", params=dict(params, format=fmt),
                       token=tok)
        assert r.status_code == 200, r.text
        got = {v for v in values_in(r.text, fmt) if v.endswith(".example")}
        assert got == {vals[l] for l in want}, (params, got)
        assert withheld(r.text, fmt) == len(LEVELS) - len(want)
        for level in set(LEVELS) - set(want):
            assert vals[level] not in r.text  # in no byte
