"""The TAXII 2.1 server (/taxii2/) and the admin API of its collections
(/api/v1/taxii/collections): every endpoint, every filter and pagination boundary, every
error status with its TAXII error message, the content-type and Accept rules, the status
resource, DELETE and versions. Partners (and the TLP gate they meet) are tested once partner
tokens exist (test_taxii_partners)."""
import glob
import json
import os
import re
import uuid

from conftest import CORPUS, need_corpus

TAXII = "application/taxii+json;version=2.1"
STIX = "application/stix+json;version=2.1"
API = "/taxii2/vigie"
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
TLP = {  # the official TLP 2.0 marking-definition ids
    "CLEAR": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "GREEN": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "AMBER": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "AMBER+STRICT": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "RED": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}


def tx(srv, method, path, token=None, accept=TAXII, **kw):
    headers = kw.pop("headers", {})
    if accept is not None:
        headers["Accept"] = accept
    return srv.req(method, path, token=token, headers=headers, **kw)


def taxii_error(r, status):
    """Checks r is the TAXII error message of status; returns its body."""
    assert r.status_code == status, (r.status_code, r.text)
    assert r.headers["Content-Type"] == TAXII, r.headers
    body = r.json()
    assert body["http_status"] == str(status), body
    assert body["title"] and body["description"], body
    assert "error" not in body, body
    return body


def make_coll(srv, **fields):
    body = {"title": "Feed"}
    body.update(fields)
    r = srv.post("/api/v1/taxii/collections", body)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def sid(kind, n):
    return f"{kind}--{uuid.UUID(int=n)}"


def ind(n, version="2024-01-01T00:00:00.000Z", created="2024-01-01T00:00:00.000Z", tlp=None,
        **extra):
    o = {"type": "indicator", "spec_version": "2.1", "id": sid("indicator", n),
         "created": created, "modified": version, "pattern": f"[ipv4-addr:value = '198.51.100.{n % 250}']",
         "pattern_type": "stix", "valid_from": created}
    if tlp:
        o["object_marking_refs"] = [TLP[tlp]]
    o.update(extra)
    return o


def post(srv, coll, objects, token=None, ct=TAXII):
    return tx(srv, "POST", f"{API}/collections/{coll}/objects/", token=token,
              data=json.dumps({"objects": objects}), headers={"Content-Type": ct})


def posted(srv, coll, objects, token=None):
    r = post(srv, coll, objects, token=token)
    assert r.status_code == 202, r.text
    st = r.json()
    assert st["failure_count"] == 0, st
    return st


def objects(srv, coll, token=None, **params):
    r = tx(srv, "GET", f"{API}/collections/{coll}/objects/", token=token, params=params)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == TAXII
    return r


def manifest(srv, coll, **params):
    r = tx(srv, "GET", f"{API}/collections/{coll}/manifest/", params=params)
    assert r.status_code == 200, r.text
    return r.json()


# ---- discovery, API root, collections ----

def test_discovery_and_api_root(server):
    r = tx(server, "GET", "/taxii2/")
    assert r.status_code == 200 and r.headers["Content-Type"] == TAXII
    d = r.json()
    assert d["default"] == "/taxii2/vigie/" and d["api_roots"] == ["/taxii2/vigie/"]
    assert d["title"] and d["description"] and d["contact"]
    r = tx(server, "GET", "/taxii2/vigie/")
    assert r.status_code == 200 and r.headers["Content-Type"] == TAXII
    root = r.json()
    assert root["versions"] == [TAXII]
    assert root["max_content_length"] == 1024 * 1024  # the server's body cap
    assert root["title"] == "vigie"
    # without the trailing slash too
    assert tx(server, "GET", "/taxii2").json() == d


def test_envelope_over_max_content_length(server):
    c = make_coll(server)
    cap = tx(server, "GET", "/taxii2/vigie/").json()["max_content_length"]
    big = json.dumps({"objects": [ind(1, description="x" * cap)]})
    r = tx(server, "POST", f"{API}/collections/{c}/objects/", data=big,
           headers={"Content-Type": TAXII})
    taxii_error(r, 413)
    assert objects(server, c).json()["objects"] == []


def test_collections_admin_api(server):
    r = server.post("/api/v1/taxii/collections",
                    {"title": "Shared", "description": "d", "readers": "all", "writers": [3, 4]})
    assert r.status_code == 201, r.text
    c = r.json()
    assert uuid.UUID(c["id"]).version == 4
    assert r.headers["Location"] == "/api/v1/taxii/collections/" + c["id"]
    assert (c["title"], c["description"], c["readers"], c["writers"]) == ("Shared", "d", "all", [3, 4])
    assert STAMP.match(c["created"]) and c["created"] == c["updated"]
    d = make_coll(server, title="Defaults")
    got = server.get("/api/v1/taxii/collections/" + d).json()
    assert (got["readers"], got["writers"], got["description"]) == ([], [], "")
    items = server.get("/api/v1/taxii/collections").json()["items"]
    assert [i["id"] for i in items] == [c["id"], d]
    r = server.patch("/api/v1/taxii/collections/" + d, {"readers": [7], "title": "Renamed"})
    assert r.status_code == 200, r.text
    assert (r.json()["readers"], r.json()["title"], r.json()["writers"]) == ([7], "Renamed", [])
    assert server.get("/api/v1/taxii/collections/" + d).json()["readers"] == [7]
    # the audit log has both
    actions = [e["action"] for e in server.get("/api/v1/audit").json()["items"]]
    assert "taxii.collection.create" in actions and "taxii.collection.update" in actions


def test_collections_admin_api_errors(server):
    cases = [
        ({}, "/title"),
        ({"title": ""}, "/title"),
        ({"title": "x" * 257}, "/title"),
        ({"title": 3}, "/title"),
        ({"title": "t", "description": 1}, "/description"),
        ({"title": "t", "readers": "some"}, "/readers"),
        ({"title": "t", "readers": [0]}, "/readers"),
        ({"title": "t", "writers": ["1"]}, "/writers"),
        ({"title": "t", "writers": [2, 2]}, "/writers"),
        ({"title": "t", "colour": "red"}, "/colour"),
    ]
    for body, field in cases:
        r = server.post("/api/v1/taxii/collections", body)
        assert r.status_code == 400, (body, r.text)
        assert r.json()["error"]["field"] == field, (body, r.text)
    assert server.get("/api/v1/taxii/collections").json()["items"] == []
    r = server.get("/api/v1/taxii/collections/" + str(uuid.uuid4()))
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = server.patch("/api/v1/taxii/collections/" + str(uuid.uuid4()), {"title": "x"})
    assert r.status_code == 404, r.text
    c = make_coll(server)
    r = server.patch("/api/v1/taxii/collections/" + c, {"title": ""})
    assert r.status_code == 400 and r.json()["error"]["field"] == "/title"


def test_taxii_collections_by_role(server):
    a = make_coll(server, title="A", description="first")
    b = make_coll(server, title="B", readers="all")
    reader = server.token("rita", "reader")
    analyst = server.token("anna", "analyst")
    for tok, can_write in ((reader, False), (analyst, True), (None, True)):
        r = tx(server, "GET", f"{API}/collections/", token=tok)
        assert r.status_code == 200 and r.headers["Content-Type"] == TAXII
        cols = r.json()["collections"]
        assert [c["id"] for c in cols] == [a, b]
        for c in cols:
            assert c["can_read"] is True and c["can_write"] is can_write
            assert c["media_types"] == [STIX]
        one = tx(server, "GET", f"{API}/collections/{a}/", token=tok).json()
        assert one == cols[0]
        assert (one["title"], one["description"]) == ("A", "first")


def test_no_collections_and_unknown_ones(server):
    r = tx(server, "GET", f"{API}/collections/")
    assert r.status_code == 200 and r.json() == {}
    unknown = str(uuid.uuid4())
    for path in (f"/collections/{unknown}/", f"/collections/{unknown}/objects/",
                 f"/collections/{unknown}/manifest/", f"/collections/{unknown}/objects/x--1/",
                 f"/collections/{unknown}/objects/x--1/versions/", f"/status/{unknown}/"):
        taxii_error(tx(server, "GET", API + path), 404)
    taxii_error(post(server, unknown, [ind(1)]), 404)
    taxii_error(tx(server, "DELETE", f"{API}/collections/{unknown}/objects/x--1/"), 404)
    # a route that does not exist under /taxii2 is a TAXII 404 too
    body = taxii_error(tx(server, "GET", "/taxii2/other/"), 404)
    assert body["error_code"] == "not_found"


# ---- the content type and Accept rules ----

def test_accept_rules(server):
    c = make_coll(server)
    posted(server, c, [ind(1)])
    paths = ["/taxii2/", f"{API}/", f"{API}/collections/", f"{API}/collections/{c}/",
             f"{API}/collections/{c}/objects/", f"{API}/collections/{c}/manifest/",
             f"{API}/collections/{c}/objects/{sid('indicator', 1)}/",
             f"{API}/collections/{c}/objects/{sid('indicator', 1)}/versions/"]
    good = [None, TAXII, "application/taxii+json", "*/*", "application/*",
            "application/json, application/taxii+json;version=2.1",
            "application/taxii+json ; version=2.1", "APPLICATION/TAXII+JSON;version=2.1"]
    bad = ["application/json", "application/taxii+json;version=2.0", "text/html",
           "application/taxii+json;version=2.1;q=0", "application/stix+json;version=2.1"]
    for p in paths:
        for a in good:
            r = tx(server, "GET", p, accept=a)
            assert r.status_code == 200, (p, a, r.text)
            assert r.headers["Content-Type"] == TAXII, (p, a)
        for a in bad:
            body = taxii_error(tx(server, "GET", p, accept=a), 406)
            assert body["details"] == {"field": "Accept"}, body
    taxii_error(tx(server, "POST", f"{API}/collections/{c}/objects/", accept="application/json",
                   data=json.dumps({"objects": []}), headers={"Content-Type": TAXII}), 406)


def test_post_content_type_rules(server):
    c = make_coll(server)
    for ct in ("application/json", "application/stix+json;version=2.1",
               "application/taxii+json;version=2.0", "text/plain"):
        body = taxii_error(post(server, c, [ind(1)], ct=ct), 415)
        assert body["details"] == {"field": "Content-Type"}
    r = tx(server, "POST", f"{API}/collections/{c}/objects/", data=b"{}")  # no Content-Type
    taxii_error(r, 415)
    for ct in (TAXII, "application/taxii+json", "application/taxii+json; version=2.1"):
        assert post(server, c, [ind(1)], ct=ct).status_code == 202, ct
    assert len(objects(server, c).json()["objects"]) == 1


def test_post_bad_envelopes(server):
    c = make_coll(server)
    url = f"{API}/collections/{c}/objects/"
    h = {"Content-Type": TAXII}
    body = taxii_error(tx(server, "POST", url, data=b"{not json", headers=h), 400)
    assert body["error_code"] == "malformed_json"
    taxii_error(tx(server, "POST", url, data=b"[]", headers=h), 400)
    taxii_error(tx(server, "POST", url, data=b"", headers=h), 400)
    body = taxii_error(tx(server, "POST", url, data=b'{"objects": {}}', headers=h), 400)
    assert body["details"] == {"field": "/objects"}
    body = taxii_error(tx(server, "POST", url, data=b'{"objects": [], "x": 1}', headers=h), 400)
    assert body["details"] == {"field": "/x"}
    body = taxii_error(tx(server, "POST", url, data=b'{}', headers=h), 400)
    assert body["details"] == {"field": "/objects"}
    too_many = json.dumps({"objects": [{"type": "x"}] * 10001})
    taxii_error(tx(server, "POST", url, data=too_many, headers=h), 400)
    assert "objects" not in objects(server, c).json() or objects(server, c).json()["objects"] == []


# ---- POST and the status resource ----

def test_post_status_counts_and_reasons(server):
    c = make_coll(server)
    good = [ind(1), ind(2, tlp="GREEN"),
            {"type": "ipv4-addr", "id": sid("ipv4-addr", 3), "value": "198.51.100.3"}]
    bad = [
        ("not an object", 5, ""),
        ({"id": sid("indicator", 4)}, "type", sid("indicator", 4)),
        (ind(5, type="Indicator"), "type", sid("indicator", 5)),
        (dict(ind(6), id="indicator-6"), "id", "indicator-6"),
        (dict(ind(7), id=sid("malware", 7)), "id", sid("malware", 7)),
        (dict(ind(8), spec_version="2.0"), "spec_version", sid("indicator", 8)),
        ({k: v for k, v in ind(9).items() if k != "spec_version"}, "spec_version",
         sid("indicator", 9)),
        (ind(10, version="yesterday"), "modified", sid("indicator", 10)),
        (ind(11, created="2024-13-01T00:00:00Z"), "created", sid("indicator", 11)),
        (ind(12, version="2023-01-01T00:00:00Z"), "modified", sid("indicator", 12)),
        (ind(13, version="2024-01-01T00:00:00+01:00"), "modified", sid("indicator", 13)),
    ]
    r = post(server, c, good + [b[0] for b in bad])
    assert r.status_code == 202 and r.headers["Content-Type"] == TAXII
    st = r.json()
    assert st["status"] == "complete" and uuid.UUID(st["id"])
    assert STAMP.match(st["request_timestamp"])
    assert (st["total_count"], st["success_count"], st["failure_count"], st["pending_count"]) == \
        (len(good) + len(bad), len(good), len(bad), 0)
    assert st["pendings"] == []
    assert [s["id"] for s in st["successes"]] == [o["id"] for o in good]
    assert st["successes"][0]["version"] == "2024-01-01T00:00:00.000Z"
    assert STAMP.match(st["successes"][2]["version"])  # an SCO: the time it came
    for f, (_o, prop, oid) in zip(st["failures"], bad):
        assert f["id"] == oid, (f, prop)
        i = len(good) + bad.index((_o, prop, oid))
        assert f["message"].startswith(f"/objects/{i}: {prop}" if prop != 5 else f"/objects/{i}: "), f
    # the status resource reads back the same
    r = tx(server, "GET", f"{API}/status/{st['id']}/")
    assert r.status_code == 200 and r.headers["Content-Type"] == TAXII
    assert r.json() == st
    # and only the good ones are stored
    got = objects(server, c, limit=100).json()["objects"]
    assert [o["id"] for o in got] == [o["id"] for o in good]


def test_post_keeps_the_object_as_received(server):
    c = make_coll(server)
    o = ind(1, x_custom={"nested": [1, 2, {"é": "ü"}]}, description="a \"quoted\" value")
    posted(server, c, [o])
    assert objects(server, c).json()["objects"] == [o]
    one = tx(server, "GET", f"{API}/collections/{c}/objects/{o['id']}/").json()
    assert one == {"objects": [o], "more": False}


def test_post_same_version_twice_is_kept_once(server):
    c = make_coll(server)
    posted(server, c, [ind(1)])
    st = posted(server, c, [ind(1, description="changed, same version")])
    assert st["success_count"] == 1 and "already stored" in st["successes"][0]["message"]
    got = tx(server, "GET", f"{API}/collections/{c}/objects/{sid('indicator', 1)}/versions/")
    assert got.json()["versions"] == ["2024-01-01T00:00:00.000Z"]
    assert "description" not in objects(server, c).json()["objects"][0]


def test_post_empty_envelope(server):
    c = make_coll(server)
    st = posted(server, c, [])
    assert (st["total_count"], st["success_count"], st["failure_count"]) == (0, 0, 0)
    r = objects(server, c)
    assert r.json() == {"objects": [], "more": False}
    assert "X-TAXII-Date-Added-First" not in r.headers and r.headers["X-Vigie-Withheld"] == "0"


def test_post_corpus_bundles(server):
    folder = os.path.join(CORPUS, "stix2.1", "examples")
    need_corpus(folder)
    c = make_coll(server)
    total, versions = 0, set()
    for path in sorted(glob.glob(os.path.join(folder, "*.json"))):
        with open(path) as f:
            doc = json.load(f)
        objs = doc.get("objects", []) if doc.get("type") == "bundle" else []
        st = posted(server, c, objs)
        assert st["success_count"] == len(objs), (path, st["failures"])
        # a version already stored (the same object in two bundles) is kept once
        for o in objs:
            key = (o["id"], o.get("modified", o.get("created")))
            total += key not in versions or key[1] is None
            versions.add(key)
    assert total >= 20
    seen = objects(server, c, limit=1000, **{"match[version]": "all"}).json()["objects"]
    assert len(seen) == total


def test_date_added_unique_and_increasing(server):
    c = make_coll(server)
    posted(server, c, [ind(i) for i in range(50)])
    posted(server, c, [ind(i) for i in range(50, 60)])
    m = manifest(server, c, limit=1000)["objects"]
    added = [o["date_added"] for o in m]
    assert len(added) == 60 and all(STAMP.match(a) for a in added)
    assert added == sorted(added) and len(set(added)) == 60
    assert [o["id"] for o in m] == [sid("indicator", i) for i in range(60)]
    for o in m:
        assert o["version"] == "2024-01-01T00:00:00.000Z" and o["media_type"] == STIX


# ---- pagination ----

def test_pagination_limit_one_and_exact_ends(server):
    c = make_coll(server)
    posted(server, c, [ind(i) for i in range(5)])
    m = manifest(server, c)["objects"]
    # limit=1 walks every object with next
    seen, nxt, pages = [], None, 0
    while True:
        params = {"limit": 1}
        if nxt:
            params["next"] = nxt
        r = objects(server, c, **params)
        env = r.json()
        pages += 1
        assert len(env["objects"]) == 1
        o = env["objects"][0]
        k = len(seen)
        assert r.headers["X-TAXII-Date-Added-First"] == m[k]["date_added"]
        assert r.headers["X-TAXII-Date-Added-Last"] == m[k]["date_added"]
        seen.append(o["id"])
        if not env["more"]:
            assert "next" not in env
            break
        nxt = env["next"]
        assert pages < 10
    assert seen == [sid("indicator", i) for i in range(5)] and pages == 5
    # exact page ends: 5 objects in pages of 5, then of 4
    env = objects(server, c, limit=5).json()
    assert len(env["objects"]) == 5 and env["more"] is False and "next" not in env
    r = objects(server, c, limit=4)
    env = r.json()
    assert len(env["objects"]) == 4 and env["more"] is True
    assert r.headers["X-TAXII-Date-Added-First"] == m[0]["date_added"]
    assert r.headers["X-TAXII-Date-Added-Last"] == m[3]["date_added"]
    env2 = objects(server, c, limit=4, next=env["next"]).json()
    assert [o["id"] for o in env2["objects"]] == [sid("indicator", 4)]
    assert env2["more"] is False
    # the manifest pages the same way
    mp = manifest(server, c, limit=2)
    assert len(mp["objects"]) == 2 and mp["more"] is True
    assert manifest(server, c, limit=2, next=mp["next"])["objects"] == m[2:4]


def test_added_after_boundaries(server):
    c = make_coll(server)
    posted(server, c, [ind(i) for i in range(4)])
    m = manifest(server, c)["objects"]
    # equal to an object's date_added: that object is not after itself
    ids = [o["id"] for o in objects(server, c, added_after=m[1]["date_added"]).json()["objects"]]
    assert ids == [sid("indicator", 2), sid("indicator", 3)]
    # one microsecond earlier takes it
    earlier = m[1]["date_added"][:-2] + str(int(m[1]["date_added"][-2]) - 1) + "Z" \
        if m[1]["date_added"][-2] != "0" else None
    if earlier:
        ids = [o["id"] for o in objects(server, c, added_after=earlier).json()["objects"]]
        assert ids[0] == sid("indicator", 1)
    # the last one: nothing after
    r = objects(server, c, added_after=m[3]["date_added"])
    assert r.json() == {"objects": [], "more": False}
    assert "X-TAXII-Date-Added-First" not in r.headers
    # a coarser timestamp (no fraction) and an old one
    assert len(objects(server, c, added_after="2000-01-01T00:00:00Z").json()["objects"]) == 4
    # with next: the later of the two wins
    env = objects(server, c, limit=1).json()
    ids = [o["id"] for o in objects(server, c, next=env["next"],
                                    added_after=m[2]["date_added"]).json()["objects"]]
    assert ids == [sid("indicator", 3)]


def test_limit_default_and_cap(server):
    c = make_coll(server)
    posted(server, c, [ind(i) for i in range(1001)])
    env = objects(server, c).json()
    assert len(env["objects"]) == 100 and env["more"] is True  # the default
    env = objects(server, c, limit=5000).json()
    assert len(env["objects"]) == 1000 and env["more"] is True  # capped at 1,000
    env2 = objects(server, c, limit=5000, next=env["next"]).json()
    assert len(env2["objects"]) == 1 and env2["more"] is False
    assert len(manifest(server, c, limit=1000)["objects"]) == 1000


def test_bad_parameters(server):
    c = make_coll(server)
    cases = [
        ({"limit": "0"}, "limit"), ({"limit": "-1"}, "limit"), ({"limit": "ten"}, "limit"),
        ({"limit": ""}, "limit"), ({"limit": "99999999999999999999"}, "limit"),
        ({"added_after": "yesterday"}, "added_after"),
        ({"added_after": "2024-01-01"}, "added_after"),
        ({"added_after": "2024-02-30T00:00:00Z"}, "added_after"),
        ({"match[version]": "latest"}, "match[version]"),
        ({"match[version]": "last,"}, "match[version]"),
        ({"match[type]": "indicator,,malware"}, "match[type]"),
        ({"match[id]": ""}, "match[id]"),
        ({"next": "abc"}, "next"), ({"next": "-5"}, "next"),
    ]
    for params, field in cases:
        for what in ("objects", "manifest"):
            r = tx(server, "GET", f"{API}/collections/{c}/{what}/", params=params)
            body = taxii_error(r, 400)
            assert body["details"] == {"field": field}, (params, body)


# ---- filters ----

def test_match_filters(server):
    c = make_coll(server)
    mal = {"type": "malware", "spec_version": "2.1", "id": sid("malware", 9),
           "created": "2024-01-01T00:00:00Z", "modified": "2024-01-01T00:00:00Z",
           "name": "x", "is_family": False}
    posted(server, c, [ind(1), ind(2), mal])

    def ids(**p):
        return [o["id"] for o in objects(server, c, **p).json()["objects"]]

    assert ids(**{"match[type]": "malware"}) == [mal["id"]]
    assert ids(**{"match[type]": "indicator,malware"}) == [sid("indicator", 1),
                                                            sid("indicator", 2), mal["id"]]
    assert ids(**{"match[type]": "tool"}) == []
    assert ids(**{"match[id]": sid("indicator", 2)}) == [sid("indicator", 2)]
    assert ids(**{"match[id]": f"{sid('indicator', 2)},{mal['id']}"}) == [sid("indicator", 2),
                                                                           mal["id"]]
    assert ids(**{"match[spec_version]": "2.1"}) == ids()
    assert ids(**{"match[spec_version]": "2.0"}) == []
    assert ids(**{"match[type]": "indicator", "match[id]": mal["id"]}) == []
    # the manifest takes the same filters
    m = manifest(server, c, **{"match[type]": "malware"})["objects"]
    assert [o["id"] for o in m] == [mal["id"]]


def test_match_version(server):
    c = make_coll(server)
    v = ["2024-01-01T00:00:00.000Z", "2024-02-01T00:00:00.000Z", "2024-03-01T00:00:00.000Z"]
    # posted out of order: the last version is the greatest modified, not the last posted
    posted(server, c, [ind(1, version=v[1])])
    posted(server, c, [ind(1, version=v[2])])
    posted(server, c, [ind(1, version=v[0])])
    posted(server, c, [ind(2, version=v[0])])

    def got(**p):
        return [(o["id"][-1], o["modified"]) for o in objects(server, c, **p).json()["objects"]]

    assert got() == [("1", v[2]), ("2", v[0])]  # default: last
    assert got(**{"match[version]": "last"}) == [("1", v[2]), ("2", v[0])]
    assert got(**{"match[version]": "first"}) == [("1", v[0]), ("2", v[0])]
    assert got(**{"match[version]": "all"}) == [("1", v[1]), ("1", v[2]), ("1", v[0]),
                                                ("2", v[0])]
    assert got(**{"match[version]": v[1]}) == [("1", v[1])]
    assert got(**{"match[version]": "2024-02-01T00:00:00Z"}) == [("1", v[1])]  # same instant
    assert got(**{"match[version]": f"{v[1]},first"}) == [("1", v[1]), ("1", v[0]),
                                                          ("2", v[0])]
    assert got(**{"match[version]": "2025-01-01T00:00:00Z"}) == []
    m = manifest(server, c, **{"match[version]": "all"})["objects"]
    assert [o["version"] for o in m] == [v[1], v[2], v[0], v[0]]


# ---- one object, its versions, deletes ----

def test_object_and_versions(server):
    c = make_coll(server)
    v = ["2024-01-01T00:00:00.000Z", "2024-02-01T00:00:00.000Z", "2024-03-01T00:00:00.000Z"]
    posted(server, c, [ind(1, version=x) for x in v] + [ind(2)])
    oid = sid("indicator", 1)
    r = tx(server, "GET", f"{API}/collections/{c}/objects/{oid}/")
    assert r.status_code == 200 and r.headers["Content-Type"] == TAXII
    env = r.json()
    assert [o["modified"] for o in env["objects"]] == [v[2]] and env["more"] is False
    env = tx(server, "GET", f"{API}/collections/{c}/objects/{oid}/",
             params={"match[version]": "all"}).json()
    assert [o["modified"] for o in env["objects"]] == v
    env = tx(server, "GET", f"{API}/collections/{c}/objects/{oid}/",
             params={"match[version]": "all", "limit": 2}).json()
    assert len(env["objects"]) == 2 and env["more"] is True
    r = tx(server, "GET", f"{API}/collections/{c}/objects/{oid}/versions/")
    assert r.status_code == 200 and r.headers["Content-Type"] == TAXII
    assert r.json() == {"versions": v, "more": False}
    m = manifest(server, c, **{"match[version]": "all"})["objects"]
    assert r.headers["X-TAXII-Date-Added-First"] == m[0]["date_added"]
    assert r.headers["X-TAXII-Date-Added-Last"] == m[2]["date_added"]
    r = tx(server, "GET", f"{API}/collections/{c}/objects/{oid}/versions/", params={"limit": 1})
    assert r.json()["versions"] == v[:1] and r.json()["more"] is True
    assert tx(server, "GET", f"{API}/collections/{c}/objects/{oid}/versions/",
              params={"match[version]": "last"}).json()["versions"] == v[2:]
    for path in (f"objects/{sid('indicator', 3)}/", f"objects/{sid('indicator', 3)}/versions/",
                 f"objects/{oid},{sid('indicator', 2)}/"):
        taxii_error(tx(server, "GET", f"{API}/collections/{c}/{path}"), 404)
    # a version that is not there: nothing to serve
    taxii_error(tx(server, "GET", f"{API}/collections/{c}/objects/{oid}/",
                   params={"match[version]": "2020-01-01T00:00:00Z"}), 404)


def test_delete(server):
    c = make_coll(server)
    v = ["2024-01-01T00:00:00.000Z", "2024-02-01T00:00:00.000Z", "2024-03-01T00:00:00.000Z"]
    posted(server, c, [ind(1, version=x) for x in v] + [ind(2)])
    oid = sid("indicator", 1)
    url = f"{API}/collections/{c}/objects/{oid}/"
    r = tx(server, "DELETE", url, params={"match[version]": "first"})
    assert r.status_code == 200, r.text
    assert tx(server, "GET", url + "versions/").json()["versions"] == v[1:]
    r = tx(server, "DELETE", url, params={"match[version]": v[2]})
    assert r.status_code == 200
    assert tx(server, "GET", url + "versions/").json()["versions"] == v[1:2]
    taxii_error(tx(server, "DELETE", url, params={"match[version]": v[2]}), 404)  # gone
    taxii_error(tx(server, "DELETE", url, params={"match[spec_version]": "2.0"}), 404)
    taxii_error(tx(server, "DELETE", url, params={"match[version]": "nope"}), 400)
    assert tx(server, "DELETE", url).status_code == 200  # default: every version
    taxii_error(tx(server, "GET", url), 404)
    taxii_error(tx(server, "DELETE", url), 404)
    # the other object is untouched
    assert [o["id"] for o in objects(server, c).json()["objects"]] == [sid("indicator", 2)]
    actions = [e["action"] for e in server.get("/api/v1/audit").json()["items"]]
    assert actions.count("taxii.object.delete") == 3


def test_reader_reads_but_may_not_write(server):
    c = make_coll(server)
    posted(server, c, [ind(1)])
    reader = server.token("rita", "reader")
    assert len(objects(server, c, token=reader).json()["objects"]) == 1
    body = taxii_error(post(server, c, [ind(2)], token=reader), 403)
    assert body["error_code"] == "forbidden"
    taxii_error(tx(server, "DELETE", f"{API}/collections/{c}/objects/{sid('indicator', 1)}/",
                   token=reader), 403)
    analyst = server.token("anna", "analyst")
    st = posted(server, c, [ind(2)], token=analyst)
    # the analyst's status is readable by the CERT's users
    assert tx(server, "GET", f"{API}/status/{st['id']}/", token=reader).json() == st


def test_auth_errors_are_taxii(server):
    body = taxii_error(tx(server, "GET", f"{API}/collections/", token=""), 401)
    assert body["error_code"] == "unauthorized"
    r = tx(server, "GET", f"{API}/collections/", token="")
    assert "WWW-Authenticate" in r.headers
    taxii_error(tx(server, "GET", f"{API}/collections/", token="vgt_nope"), 401)
    # a method the route does not have
    r = tx(server, "PUT", f"{API}/collections/")
    taxii_error(r, 405)
    assert r.headers["Allow"] == "GET"


def test_withheld_header_for_users(server):
    """The CERT's own users are internal recipients: every level is served, none withheld."""
    c = make_coll(server)
    posted(server, c, [ind(i, tlp=t) for i, t in enumerate(TLP)] + [ind(9)])
    r = objects(server, c)
    assert len(r.json()["objects"]) == 6 and r.headers["X-Vigie-Withheld"] == "0"


# ---- partners: their collections, and the TLP gate on every object served ----

def partner(srv, name, max_tlp):
    r = srv.post("/api/v1/partners", {"name": name, "country": "BE", "max_tlp": max_tlp})
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    r = srv.post(f"/api/v1/partners/{pid}/tokens", {"label": "taxii"})
    assert r.status_code == 201, r.text
    return pid, r.json()["token"]


def basic(pid, token):
    import base64
    return "Basic " + base64.b64encode(f"{pid}:{token}".encode()).decode()


VIGIE_NS = uuid.UUID("5b4c0f1e-3d7a-5e21-9a6e-2f418c3b7710")  # src/util/uuid.c


def inbox_id(pid):
    """The id of partner pid's inbox: UUIDv5 of "taxii-inbox:ID" in vigie's namespace."""
    return str(uuid.uuid5(VIGIE_NS, f"taxii-inbox:{pid}"))


def test_new_partner_gets_an_inbox_and_posts_become_indicators(server):
    """A new partner gets a collection of its own (it reads and writes it, no other partner
    sees it); what it posts there is stored and imported as indicators under its name, with
    the TLP of the objects' markings; what the CERT posts to a collection is imported too, with
    the collection as source. A sighting finds its indicator in the same envelope."""
    p1, t1 = partner(server, "CERT-Inbox", "AMBER")
    p2, t2 = partner(server, "CERT-Other", "AMBER")
    own = inbox_id(p1)
    c = tx(server, "GET", f"{API}/collections/{own}/", token=t1).json()
    assert (c["id"], c["title"], c["can_read"], c["can_write"]) == \
        (own, "Inbox of CERT-Inbox", True, True)
    taxii_error(tx(server, "GET", f"{API}/collections/{own}/", token=t2), 404)
    assert own not in [x["id"] for x in
                       tx(server, "GET", f"{API}/collections/", token=t2).json()["collections"]]
    o = ind(77, tlp="GREEN", pattern="[domain-name:value = 'inbox-77.example']")
    seen = {"type": "sighting", "spec_version": "2.1", "id": sid("sighting", 78),
            "created": "2024-01-02T00:00:00.000Z", "modified": "2024-01-02T00:00:00.000Z",
            "sighting_of_ref": o["id"], "count": 3,
            "first_seen": "2024-01-02T00:00:00.000Z", "last_seen": "2024-01-02T00:00:00.000Z"}
    posted(server, own, [o, seen], token=t1)
    got = server.get("/api/v1/indicators", params={"source": "CERT-Inbox"}).json()["items"]
    assert [(i["type"], i["value"], i["tlp"]) for i in got] == \
        [("domain-name", "inbox-77.example", "GREEN")]
    sightings = server.get("/api/v1/sightings", params={"indicator": got[0]["id"]}).json()
    assert len(sightings["items"]) >= 1
    # posted again: stored once, imported once (nothing new)
    again = posted(server, own, [o], token=t1)
    assert again["successes"][0]["message"].startswith("already stored")
    assert len(server.get("/api/v1/indicators",
                          params={"source": "CERT-Inbox"}).json()["items"]) == 1
    # the CERT's own post to a collection: source "taxii:ID"
    mine = make_coll(server, title="Published")
    posted(server, mine, [ind(79, tlp="CLEAR", pattern="[ipv4-addr:value = '203.0.113.79']")])
    got = server.get("/api/v1/indicators", params={"source": f"taxii:{mine}"}).json()["items"]
    assert [(i["type"], i["value"], i["tlp"]) for i in got] == \
        [("ipv4-addr", "203.0.113.79", "CLEAR")]


def test_partner_reads_only_its_collections(server):
    p1, t1 = partner(server, "CERT-A", "AMBER")
    p2, t2 = partner(server, "CERT-B", "AMBER")
    mine = make_coll(server, title="Mine", readers=[p1], writers=[p1])
    everyone = make_coll(server, title="Everyone", readers="all")
    inbox = make_coll(server, title="Drop box", writers=[p1, p2])
    theirs = make_coll(server, title="Theirs", readers=[p2], writers=[p2])
    internal = make_coll(server, title="Internal")
    for c in (mine, everyone, theirs, internal):
        posted(server, c, [ind(1, tlp="CLEAR")])
    cols = tx(server, "GET", f"{API}/collections/", token=t1).json()["collections"]
    own = inbox_id(p1)  # every partner's own inbox, made with it
    assert sorted((c["id"], c["can_read"], c["can_write"]) for c in cols) == \
        sorted([(own, True, True), (mine, True, True), (everyone, True, False),
                (inbox, False, True)])
    # the same through HTTP Basic (the partner's id and its token)
    r = tx(server, "GET", f"{API}/collections/", token="",
           headers={"Authorization": basic(p1, t1)})
    assert r.status_code == 200 and r.json()["collections"] == cols
    # collections it may neither read nor write do not exist for it
    for c in (theirs, internal):
        for path in (f"{c}/", f"{c}/objects/", f"{c}/manifest/",
                     f"{c}/objects/{sid('indicator', 1)}/",
                     f"{c}/objects/{sid('indicator', 1)}/versions/"):
            taxii_error(tx(server, "GET", f"{API}/collections/{path}", token=t1), 404)
        taxii_error(post(server, c, [ind(2)], token=t1), 404)
    # one it may only write: 403 to read; one it may only read: 403 to write
    for path in ("objects/", "manifest/", f"objects/{sid('indicator', 1)}/"):
        taxii_error(tx(server, "GET", f"{API}/collections/{inbox}/{path}", token=t1), 403)
    taxii_error(post(server, everyone, [ind(2)], token=t1), 403)
    taxii_error(tx(server, "DELETE", f"{API}/collections/{everyone}/objects/{sid('indicator', 1)}/",
                   token=t1), 403)
    assert tx(server, "GET", f"{API}/collections/{inbox}/", token=t1).json()["can_read"] is False
    # it writes where it may, and its status is its own
    st = posted(server, inbox, [ind(5, tlp="GREEN")], token=t1)
    assert tx(server, "GET", f"{API}/status/{st['id']}/", token=t1).json() == st
    taxii_error(tx(server, "GET", f"{API}/status/{st['id']}/", token=t2), 404)
    assert tx(server, "GET", f"{API}/status/{st['id']}/").json() == st  # the CERT's users
    assert [o["id"] for o in objects(server, inbox).json()["objects"]] == [sid("indicator", 5)]
    # the admin API stays closed to it
    r = server.get("/api/v1/taxii/collections", token=t1)
    assert r.status_code == 403
    # a collection opened to it later is there at once
    assert server.patch(f"/api/v1/taxii/collections/{theirs}", {"readers": [p2, p1]}).status_code == 200
    assert len(objects(server, theirs, token=t1).json()["objects"]) == 1


SECRET = {"AMBER+STRICT": "SECRET-STRICT-4f1c", "RED": "SECRET-RED-9a2e"}


def gate_collection(server):
    """A collection every partner reads, with one object per TLP level, one with no marking
    (AMBER) and the official TLP marking-definitions of TLP 2.0 (public)."""
    c = make_coll(server, readers="all", writers="all")
    objs = [ind(i, tlp=t, description=SECRET.get(t, "shareable " + t))
            for i, t in enumerate(["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"])]
    objs.append(ind(5, description="no marking"))
    # an object marked both GREEN and RED is RED
    objs.append(dict(ind(6, description=SECRET["RED"] + " twice"),
                     object_marking_refs=[TLP["GREEN"], TLP["RED"]]))
    objs.append({"type": "marking-definition", "spec_version": "2.1", "id": TLP["CLEAR"],
                 "created": "2022-10-01T00:00:00.000Z", "name": "TLP:CLEAR",
                 "extensions": {}})
    posted(server, c, objs)
    return c


def every_answer(server, c, token):
    """The raw bytes of every answer a partner can get from collection c, and the objects."""
    out, got = [], {}
    for what in ("objects", "manifest"):
        for params in ({}, {"match[version]": "all"}, {"limit": 1}):
            nxt = None
            while True:
                p = dict(params)
                if nxt:
                    p["next"] = nxt
                r = tx(server, "GET", f"{API}/collections/{c}/{what}/", token=token, params=p)
                assert r.status_code == 200, r.text
                out.append(r.content)
                env = r.json()
                for o in env.get("objects", []):
                    got.setdefault(what, set()).add(o["id"])
                if not env["more"]:
                    break
                nxt = env["next"]
    for i in range(7):
        for path in (f"objects/{sid('indicator', i)}/", f"objects/{sid('indicator', i)}/versions/"):
            r = tx(server, "GET", f"{API}/collections/{c}/{path}", token=token)
            assert r.status_code in (200, 404), r.text
            out.append(r.content + str(r.headers).encode())
            if r.status_code == 200:
                got.setdefault("single", set()).add(sid("indicator", i))
    return out, got


def test_tlp_gate_for_partners(server):
    c = gate_collection(server)
    _pg, green = partner(server, "CERT-G", "GREEN")
    _pa, amber = partner(server, "CERT-A", "AMBER")
    _pc, clear = partner(server, "CERT-C", "CLEAR")
    ind_ids = lambda *ns: {sid("indicator", n) for n in ns}  # noqa: E731
    expect = {
        green: ind_ids(0, 1) | {TLP["CLEAR"]},
        amber: ind_ids(0, 1, 2, 5) | {TLP["CLEAR"]},
        clear: ind_ids(0) | {TLP["CLEAR"]},
    }
    for tok, ids in expect.items():
        answers, got = every_answer(server, c, tok)
        assert got["objects"] == ids and got["manifest"] == ids, tok
        assert got["single"] == ids - {TLP["CLEAR"]}
        r = objects(server, c, token=tok)
        assert r.headers["X-Vigie-Withheld"] == str(8 - len(ids))
        assert len(r.json()["objects"]) == len(ids)
        raw = b"".join(answers)
        # AMBER+STRICT and RED never reach any partner, in any byte
        for secret in SECRET.values():
            assert secret.encode() not in raw, (tok, secret)
        for n in (3, 4, 6):
            assert sid("indicator", n).encode() not in raw, (tok, n)
        for withheld in ind_ids(0, 1, 2, 3, 4, 5, 6) - ids:
            assert withheld.encode() not in raw, (tok, withheld)
    # the CERT's users get everything
    r = objects(server, c)
    assert len(r.json()["objects"]) == 8 and r.headers["X-Vigie-Withheld"] == "0"


def test_partner_max_tlp_lowered_applies_at_once(server):
    c = gate_collection(server)
    pid, tok = partner(server, "CERT-A", "AMBER")
    oid = sid("indicator", 2)  # AMBER
    assert tx(server, "GET", f"{API}/collections/{c}/objects/{oid}/", token=tok).status_code == 200
    assert server.patch(f"/api/v1/partners/{pid}", {"max_tlp": "GREEN"}).status_code == 200
    taxii_error(tx(server, "GET", f"{API}/collections/{c}/objects/{oid}/", token=tok), 404)
    assert objects(server, c, token=tok).headers["X-Vigie-Withheld"] == "5"


def test_partner_delete_only_what_it_may_read(server):
    c = gate_collection(server)
    _p, tok = partner(server, "CERT-G", "GREEN")
    red = sid("indicator", 4)
    body = taxii_error(tx(server, "DELETE", f"{API}/collections/{c}/objects/{red}/", token=tok), 404)
    assert SECRET["RED"] not in json.dumps(body)
    assert tx(server, "GET", f"{API}/collections/{c}/objects/{red}/").status_code == 200  # kept
    green = sid("indicator", 1)
    assert tx(server, "DELETE", f"{API}/collections/{c}/objects/{green}/", token=tok).status_code == 200
    taxii_error(tx(server, "GET", f"{API}/collections/{c}/objects/{green}/"), 404)


def test_partner_posts_are_gated_for_other_partners(server):
    """What a partner posts keeps its TLP: a RED object it sends reaches no other partner."""
    c = make_coll(server, readers="all", writers="all")
    _p1, t1 = partner(server, "CERT-A", "AMBER")
    _p2, t2 = partner(server, "CERT-B", "AMBER")
    posted(server, c, [ind(1, tlp="RED", description=SECRET["RED"]), ind(2, tlp="GREEN")],
           token=t1)
    for tok in (t1, t2):
        r = objects(server, c, token=tok)
        assert [o["id"] for o in r.json()["objects"]] == [sid("indicator", 2)]
        assert SECRET["RED"].encode() not in r.content
        assert r.headers["X-Vigie-Withheld"] == "1"
    assert len(objects(server, c).json()["objects"]) == 2
