"""Errors of every route asserted by status, code and field pointer (issue 10), not status alone.

The routes are read from the route table src/api/routes.c (the parser of test_roles.py), so a
route added to the table fails here until its cases are written down:
- every route with a `{}` parameter (ID_ROUTES): an id that is well formed but does not exist,
  and malformed ids (`abc`, `0`, `-1`), each give the exact status, `error.code`, `error.field`
  and a message naming what is missing;
- every route taking a JSON body (BODY_ROUTES): a body that is not JSON (400 `malformed_json`
  with the parser position), a JSON non-object (400 `invalid`), an unknown field (400 `invalid`,
  `field` = its JSON pointer) and a missing required field (400 `invalid` with its `field`);
- `exists`: an organisation or a user created twice is 409 `exists` with the field;
- `GET /api/v1/playbooks/{class}`: a known RSIT class gives its steps, an unknown one 404.
An admin token is used throughout, so roles never interfere (test_roles.py pins those)."""
import pytest

from conftest import make_incident, make_org
from test_roles import routes

# the ids of vg_req_id are 1 .. 2^62: 0, 2^62 + 1 and non-numbers are malformed, 2^62 is absent
MALFORMED = ["abc", "0", "-1", "4611686018427387905"]
LARGEST_ID = "4611686018427387904"
ABSENT_NUMBER = "999999"
ABSENT_REF = "VIG-2026-999999"

# (method, pattern) -> what a missing id gives: the parameter filled in for the absent case,
# the body sent (a valid one, so the id is what fails), the field and the message, with
# {id} the parameter as sent. `malformed` is the same answer for `abc`, `0`, `-1`, or None when
# such a string is merely another absent key (refs and class names are not numbers).
NUM = {"absent": ABSENT_NUMBER, "field": "id"}
REF = {"absent": ABSENT_REF, "field": "ref"}
COLL = {"absent": "3f1c0a55-6b5e-4c8e-9f3b-0d7a1e2c4b6d", "field": "id",
        "absent_msg": "no collection {id}", "malformed_msg": "no collection {id}"}
ADV = {"absent": "VIGIE-2026-AVI-9999", "field": "ref", "absent_msg": "no advisory {id}",
       "malformed_msg": "no advisory {id}"}
ID_ROUTES = {
    ("DELETE", "/api/v1/tokens/{}"): dict(NUM, body=None, absent_msg="no such valid token",
                                          malformed_msg="no token '{id}'"),
    ("GET", "/api/v1/orgs/{}"): dict(NUM, body=None, absent_msg="no organisation {id}",
                                     malformed_msg="no organisation '{id}'"),
    ("PATCH", "/api/v1/orgs/{}"): dict(NUM, body={"sector": "energy"},
                                       absent_msg="no organisation {id}",
                                       malformed_msg="no organisation '{id}'"),
    ("GET", "/api/v1/orgs/{}/findings"): dict(NUM, body=None, absent_msg="no organisation {id}",
                                              malformed_msg="no organisation '{id}'"),
    ("GET", "/api/v1/vulns/{}"): {"absent": "CVE-2024-99999", "field": "cve", "body": None,
                                  "absent_msg": "no record of {id}",
                                  "malformed_msg": "'{id}' is not a CVE id"},
    ("GET", "/api/v1/incidents/{}"): dict(REF, body=None, absent_msg="no incident {id}",
                                          malformed_msg="no incident {id}"),
    ("PATCH", "/api/v1/incidents/{}"): dict(REF, body={"severity": "high"},
                                            absent_msg="no incident {id}",
                                            malformed_msg="no incident {id}"),
    ("POST", "/api/v1/incidents/{}/notes"): dict(REF, body={"text": "x"},
                                                 absent_msg="no incident {id}",
                                                 malformed_msg="no incident {id}"),
    ("POST", "/api/v1/incidents/{}/observables"): dict(REF, body={"value": "192.0.2.1"},
                                                       absent_msg="no incident {id}",
                                                       malformed_msg="no incident {id}"),
    ("PATCH", "/api/v1/incidents/{}/steps/{}"): dict(REF, body={"done": True},
                                                     absent_msg="no incident {id}",
                                                     malformed_msg="no incident {id}"),
    ("GET", "/api/v1/incidents/{}/related"): dict(REF, body=None, absent_msg="no incident {id}",
                                                  malformed_msg="no incident {id}"),
    ("GET", "/api/v1/playbooks/{}"): {"absent": "no-such-class", "field": "class", "body": None,
                                      "absent_msg": "no playbook for class '{id}'",
                                      "malformed_msg": "no playbook for class '{id}'"},
    ("PUT", "/api/v1/playbooks/{}"): {"absent": "no-such-class", "field": "class",
                                      "body": {"steps": [{"id": "a", "phase": "analysis",
                                                          "title": "A"}]},
                                      "absent_msg": "no playbook for class '{id}'",
                                      "malformed_msg": "no playbook for class '{id}'"},
    ("GET", "/api/v1/indicators/{}"): dict(NUM, body=None, absent_msg="no indicator {id}",
                                           malformed_msg="no indicator '{id}'"),
    ("POST", "/api/v1/alerts/{}/escalate"): dict(NUM, body={}, absent_msg="no alert {id}",
                                                 malformed_msg="no alert '{id}'"),
    ("POST", "/api/v1/reports/queue/{}/accept"): dict(NUM, body={},
                                                      absent_msg="no held report {id}",
                                                      malformed_msg="no held report '{id}'"),
    ("DELETE", "/api/v1/reports/queue/{}"): dict(NUM, body=None,
                                                 absent_msg="no held report {id}",
                                                 malformed_msg="no held report '{id}'"),
    ("GET", "/api/v1/partners/{}"): dict(NUM, body=None, absent_msg="no partner {id}",
                                         malformed_msg="no partner '{id}'"),
    ("PATCH", "/api/v1/partners/{}"): dict(NUM, body={"max_tlp": "CLEAR"},
                                           absent_msg="no partner {id}",
                                           malformed_msg="no partner '{id}'"),
    ("GET", "/api/v1/partners/{}/tokens"): dict(NUM, body=None, absent_msg="no partner {id}",
                                                malformed_msg="no partner '{id}'"),
    ("POST", "/api/v1/partners/{}/tokens"): dict(NUM, body={}, absent_msg="no partner {id}",
                                                 malformed_msg="no partner '{id}'"),
    ("DELETE", "/api/v1/partners/{}/tokens/{}"): dict(NUM, body=None,
                                                      absent_msg="no partner {id}",
                                                      malformed_msg="no partner '{id}'"),
    # the MISP feed: an event's file is its uuid and ".json"; anything else is no event
    ("GET", "/misp-feed/{}"): {"absent": "00000000-0000-4000-8000-000000000000.json",
                               "field": "uuid", "body": None, "absent_msg": "no such event",
                               "malformed_msg": "no such event"},
    # TAXII: collections are UUIDs (any other string is merely another absent one), and the
    # errors of /taxii2 are TAXII error messages (error_of reads both forms)
    ("GET", "/api/v1/taxii/collections/{}"): dict(COLL, body=None),
    ("PATCH", "/api/v1/taxii/collections/{}"): dict(COLL, body={"title": "t"}),
    ("GET", "/taxii2/vigie/collections/{}"): dict(COLL, body=None),
    ("GET", "/taxii2/vigie/collections/{}/objects"): dict(COLL, body=None),
    ("POST", "/taxii2/vigie/collections/{}/objects"): dict(COLL, body={"objects": []}),
    ("GET", "/taxii2/vigie/collections/{}/manifest"): dict(COLL, body=None),
    ("GET", "/taxii2/vigie/collections/{}/objects/{}"): dict(COLL, body=None),
    ("DELETE", "/taxii2/vigie/collections/{}/objects/{}"): dict(COLL, body=None),
    ("GET", "/taxii2/vigie/collections/{}/objects/{}/versions"): dict(COLL, body=None),
    ("GET", "/taxii2/vigie/status/{}"): dict(COLL, body=None, absent_msg="no status {id}",
                                              malformed_msg="no status {id}"),
    # sharing (h-share): the incident's 404 before the query's 400 (format is missing here)
    ("GET", "/api/v1/incidents/{}/export"): dict(REF, body=None, absent_msg="no incident {id}",
                                                 malformed_msg="no incident {id}"),
    # upstream advisories (issue 13, h-upstream): a reference is any string
    ("GET", "/api/v1/upstream-advisories/{}"): dict(
        REF, absent="CERTFR-2099-AVI-9999", body=None,
        absent_msg="no upstream advisory '{id}'", malformed_msg="no upstream advisory '{id}'"),
    ("GET", "/api/v1/upstream-advisories/{}/draft"): dict(
        REF, absent="CERTFR-2099-AVI-9999", body=None,
        absent_msg="no upstream advisory '{id}'", malformed_msg="no upstream advisory '{id}'"),
    ("GET", "/api/v1/share/advisories/{}"): dict(ADV, body=None),
    # advisories (issue 13, h-flow): references are not numbers
    ("GET", "/api/v1/advisories/{}"): dict(ADV, body=None),
    ("PATCH", "/api/v1/advisories/{}"): dict(ADV, body={"title": "t"}),
    ("POST", "/api/v1/advisories/{}/submit"): dict(ADV, body=None),
    ("POST", "/api/v1/advisories/{}/publish"): dict(ADV, body=None),
    ("POST", "/api/v1/advisories/{}/revisions"): dict(ADV, body={"description": "d"}),
    ("POST", "/api/v1/advisories/{}/close"): dict(ADV, body=None),
    # the crisis cell (issue 15)
    ("GET", "/api/v1/crises/{}"): dict(NUM, body=None, absent_msg="no crisis {id}",
                                       malformed_msg="no crisis '{id}'"),
    ("PATCH", "/api/v1/crises/{}"): dict(NUM, body={"level": "watch"},
                                         absent_msg="no crisis {id}",
                                         malformed_msg="no crisis '{id}'"),
    ("POST", "/api/v1/crises/{}/log"): dict(NUM, body={"text": "t"}, absent_msg="no crisis {id}",
                                            malformed_msg="no crisis '{id}'"),
    ("POST", "/api/v1/crises/{}/members"): dict(
        NUM, body={"kind": "person", "name": "n", "email": "n@example.org"},
        absent_msg="no crisis {id}", malformed_msg="no crisis '{id}'"),
    ("POST", "/api/v1/crises/{}/rollcall"): dict(NUM, body=None, absent_msg="no crisis {id}",
                                                 malformed_msg="no crisis '{id}'"),
    ("GET", "/api/v1/crises/{}/rollcall"): dict(NUM, body=None, absent_msg="no crisis {id}",
                                                malformed_msg="no crisis '{id}'"),
    ("POST", "/api/v1/crises/{}/sitreps"): dict(NUM, body={"title": "t", "body": "b"},
                                                absent_msg="no crisis {id}",
                                                malformed_msg="no crisis '{id}'"),
    ("POST", "/api/v1/crises/{}/close"): dict(NUM, body={"summary": "s"},
                                              absent_msg="no crisis {id}",
                                              malformed_msg="no crisis '{id}'"),
    ("GET", "/api/v1/crises/{}/review.md"): dict(NUM, body=None, absent_msg="no crisis {id}",
                                                 malformed_msg="no crisis '{id}'"),
    ("POST", "/api/v1/crises/{}/sitreps/{}/send"): dict(NUM, body=None,
                                                        absent_msg="no crisis {id}",
                                                        malformed_msg="no crisis '{id}'"),
    # inbound mail (issue 15)
    ("GET", "/api/v1/inbound/{}"): dict(NUM, body=None, absent_msg="no inbound message {id}",
                                        malformed_msg="no inbound message '{id}'"),
    ("GET", "/api/v1/inbound/{}/raw"): dict(NUM, body=None, absent_msg="no inbound message {id}",
                                            malformed_msg="no inbound message '{id}'"),
}
# routes whose {} answers a plain text, not a JSON error (test_crises.py checks each answer):
# the roll-call's public link, which names no member whatever the token
PLAIN_ID_ROUTES = {("GET", "/ack/{}")}

# (method, pattern) -> (field, message part) of an empty object `{}`: the first required field
# missing, or field None when nothing is required by name (the message says why it is refused),
# or None when `{}` is accepted.
BODY_ROUTES = {
    ("POST", "/api/v1/login"): ("/name", "name and password are required"),
    ("POST", "/api/v1/reports"): ("/reporter", "/reporter is required"),
    ("POST", "/api/v1/users"): ("/name", "/name must be"),
    ("POST", "/api/v1/tokens"): None,  # every field has a default: `{}` makes a token
    ("POST", "/api/v1/orgs"): ("/name", "/name is required"),
    ("PATCH", "/api/v1/orgs/{}"): (None, "nothing to change"),
    ("POST", "/api/v1/incidents"): ("/title", "/title is required"),
    ("PATCH", "/api/v1/incidents/{}"): (None, "nothing to change"),
    ("POST", "/api/v1/incidents/{}/notes"): ("/text", "/text must be a non-empty string"),
    ("POST", "/api/v1/incidents/{}/observables"): ("/value", "/value is required"),
    ("PATCH", "/api/v1/incidents/{}/steps/{}"): ("/done", "/done must be true or false"),
    ("PUT", "/api/v1/playbooks/{}"): ("/steps", "/steps must be an array"),
    ("POST", "/api/v1/indicators"): ("/value", "/value is required"),
    ("POST", "/api/v1/alerts/{}/escalate"): "escalate",  # `{}` is valid: the alert decides
    ("POST", "/api/v1/reports/queue/{}/accept"): "held",  # `{}` is valid: the queue decides
    ("POST", "/api/v1/partners"): ("/name", "/name is required"),
    ("PATCH", "/api/v1/partners/{}"): (None, "nothing to change"),
    ("POST", "/api/v1/partners/{}/tokens"): None,  # every field has a default: `{}` makes one
    ("POST", "/api/v1/taxii/collections"): ("/title", "title must be a string"),
    ("PATCH", "/api/v1/taxii/collections/{}"): (None, "nothing to change"),
    ("POST", "/taxii2/vigie/collections/{}/objects"): ("/objects", "objects must be an array"),
    # advisories (h-flow): `{}` on the steps of a fresh draft written by the caller (admin)
    ("POST", "/api/v1/advisories"): ("/kind", "/kind is required"),
    ("POST", "/api/v1/advisories/draft-from-cves"): ("/cves", "/cves must be a non-empty array"),
    ("PATCH", "/api/v1/advisories/{}"): (None, "nothing to change"),
    ("POST", "/api/v1/advisories/{}/submit"): {"status": 200},  # `{}` is no body: submitted
    ("POST", "/api/v1/advisories/{}/publish"): {"status": 403, "code": "four_eyes"},  # its author
    ("POST", "/api/v1/advisories/{}/revisions"): ("/description", "/description is required"),
    ("POST", "/api/v1/advisories/{}/close"): {"status": 409, "code": "conflict",
                                              "field": "kind"},  # an avis is not closed
    # the crisis cell (issue 15), on a fresh open crisis
    ("POST", "/api/v1/crises"): ("/title", "/title is required"),
    ("PATCH", "/api/v1/crises/{}"): (None, "the patch changes nothing"),
    ("POST", "/api/v1/crises/{}/log"): ("/text", "/text is required"),
    ("POST", "/api/v1/crises/{}/members"): ("/kind", "/kind is required"),
    ("POST", "/api/v1/crises/{}/rollcall"): {"status": 409, "code": "conflict",
                                             "field": "members"},  # `{}` is no body: no member
    ("POST", "/api/v1/crises/{}/sitreps"): ("/title", "/title is required"),
    ("POST", "/api/v1/crises/{}/close"): ("/summary", "/summary is required"),
    ("POST", "/api/v1/crises/{}/sitreps/{}/send"): {"status": 404, "code": "not_found",
                                                    "field": "number"},  # no such sitrep
}
# the media type of a route's body when it is not application/json
BODY_TYPES = {("POST", "/taxii2/vigie/collections/{}/objects"): "application/taxii+json;version=2.1"}


def body_type(method, pattern):
    return {"Content-Type": BODY_TYPES.get((method, pattern), "application/json")}
# routes with a body that is not one JSON object (VG_ROUTE_RAW_BODY: NDJSON, one event a line)
RAW_BODY = {("POST", "/api/v1/events"),
            ("POST", "/api/v1/share/import")}  # MISP or STIX, read by the format's reader


def error_of(r, status, code, field, method, path):
    assert r.status_code == status, (method, path, r.status_code, r.text)
    body = r.json()
    if path.startswith("/taxii2"):  # a TAXII error message, read as the API's error
        assert body["http_status"] == str(status), (method, path, r.text)
        err = {"code": body["error_code"], "message": body["description"]}
        if "details" in body:
            err["field"] = body["details"]["field"]
    else:
        err = body["error"]
    assert err["code"] == code, (method, path, r.text)
    if field is None:
        assert "field" not in err, (method, path, r.text)
    else:
        assert err.get("field") == field, (method, path, r.text)
    return err


def test_every_route_with_an_id_or_a_body_is_listed():
    table = routes()
    with_id = {(m, p) for m, p, _ in table if "{}" in p}
    assert with_id == set(ID_ROUTES) | PLAIN_ID_ROUTES, \
        "state the 404 of each route with an id in ID_ROUTES"
    with_body = {(m, p) for m, p, _ in table if m in ("POST", "PATCH", "PUT")}
    assert with_body == set(BODY_ROUTES) | RAW_BODY, "state its body errors in BODY_ROUTES"


def test_every_id_route_answers_404_for_absent_and_malformed_ids(server):
    inc = make_incident(server)
    checked = 0
    for method, pattern, _need in routes():
        if "{}" not in pattern or (method, pattern) in PLAIN_ID_ROUTES:
            continue
        case = ID_ROUTES[(method, pattern)]
        ids = [(case["absent"], case["absent_msg"])]
        ids += [(bad, case["malformed_msg"]) for bad in MALFORMED]
        if case["absent"] == ABSENT_NUMBER:
            ids.append((LARGEST_ID, case["absent_msg"]))
        for ident, msg in ids:
            path = pattern.replace("{}", ident, 1).replace("{}", "isolate-hosts")
            kw = {} if case["body"] is None else {"json": case["body"],
                                                  "headers": body_type(method, pattern)}
            r = server.req(method, path, **kw)
            err = error_of(r, 404, "not_found", case["field"], method, path)
            assert msg.format(id=ident) in err["message"], (method, path, err)
            checked += 1
        if pattern.endswith("/steps/{}"):
            # the incident exists, its playbook has no such step
            for step in ["no-such-step", "0"]:
                path = f"/api/v1/incidents/{inc['ref']}/steps/{step}"
                err = error_of(server.req(method, path, json={"done": True}), 404, "not_found",
                               "step", method, path)
                assert err["message"] == (
                    f"the playbook of class malicious-code has no step '{step}'"), err
                checked += 1
    numeric = sum(c["absent"] == ABSENT_NUMBER for c in ID_ROUTES.values())
    assert checked == (1 + len(MALFORMED)) * len(ID_ROUTES) + numeric + 2


def body_path(pattern, org, inc, partner=None, coll=None, adv=None, crisis=None):
    ids = {"/orgs/": str(org["id"]), "/incidents/": inc["ref"], "/playbooks/": "malicious-code",
           "/alerts/": "1", "/queue/": "1", "/partners/": str((partner or {}).get("id")),
           "/collections/": str(coll), "/advisories/": str(adv), "/crises/": str(crisis)}
    for part, value in ids.items():
        if part in pattern:
            path = pattern.replace("{}", value, 1)
            return path.replace("{}", "isolate-hosts")
    return pattern


def test_every_body_route_refuses_bad_bodies_with_code_and_pointer(server):
    org = make_org(server, "Body errors org")
    inc = make_incident(server)
    partner = server.post("/api/v1/partners", {"name": "Body errors CERT", "country": "FR"}).json()
    coll = server.post("/api/v1/taxii/collections", {"title": "Body errors"}).json()["id"]
    adv = server.post("/api/v1/advisories", {"kind": "avis", "title": "Body errors"}).json()["ref"]
    crisis = server.post("/api/v1/crises", {"title": "Body errors"}).json()["id"]
    checked = 0
    for method, pattern, _need in routes():
        if (method, pattern) in RAW_BODY or method not in ("POST", "PATCH", "PUT"):
            continue
        path = body_path(pattern, org, inc, partner, coll, adv, crisis)
        ctype = body_type(method, pattern)
        # not JSON: the parser's position is in the message
        r = server.req(method, path, data=b"{nope", headers=ctype)
        err = error_of(r, 400, "malformed_json", None, method, path)
        assert err["message"].startswith("malformed JSON at line 1 column 5"), (path, err)
        # JSON, not an object: an array is refused by the handler, a bare scalar by the parser
        for body in (b"[1]", b"[]"):
            r = server.req(method, path, data=body, headers=ctype)
            err = error_of(r, 400, "invalid", None, method, path)
            assert err["message"] == "the body must be a JSON object", (path, body, err)
        for body in (b'"text"', b"3", b"null"):
            r = server.req(method, path, data=body, headers=ctype)
            err = error_of(r, 400, "malformed_json", None, method, path)
            assert "'[' or '{' expected" in err["message"], (path, body, err)
        # an unknown field: its JSON pointer
        r = server.req(method, path, json={"no_such_field": 1}, headers=ctype)
        err = error_of(r, 400, "invalid", "/no_such_field", method, path)
        assert err["message"] == "unknown field '/no_such_field'", (path, err)
        # a missing required field
        expect = BODY_ROUTES[(method, pattern)]
        r = server.req(method, path, json={}, headers=ctype)
        if expect is None:
            assert r.status_code == 201, (path, r.text)
        elif expect == "escalate":
            err = error_of(r, 404, "not_found", "id", method, path)
            assert err["message"] == "no alert 1", err
        elif expect == "held":
            err = error_of(r, 404, "not_found", "id", method, path)
            assert err["message"] == "no held report 1", err
        elif isinstance(expect, dict):  # a step the state decides
            if "code" in expect:
                error_of(r, expect["status"], expect["code"], expect.get("field"), method, path)
            else:
                assert r.status_code == expect["status"], (path, r.text)
        else:
            err = error_of(r, 400, "invalid", expect[0], method, path)
            assert expect[1] in err["message"], (path, err)
        checked += 1
    assert checked == len(BODY_ROUTES)


def test_creating_twice_is_exists_with_the_field(server):
    make_org(server, "Twice org")
    body = {"name": "Twice org", "kind": "ministry", "sector": "government",
            "assets": {"domains": [], "cidrs": [], "products": []}}
    err = error_of(server.post("/api/v1/orgs", body), 409, "exists", "name", "POST", "/orgs")
    assert err["message"] == "an organisation of that name exists", err
    # one organisation only
    names = [o["name"] for o in server.get("/api/v1/orgs").json()["items"]]
    assert names.count("Twice org") == 1, names

    user = {"name": "twice", "role": "reader", "password": "correct horse battery"}
    r = server.post("/api/v1/users", user)
    assert r.status_code == 201, r.text
    err = error_of(server.post("/api/v1/users", dict(user, role="admin")), 409, "exists", "/name",
                   "POST", "/users")
    assert err["message"] == "user 'twice' exists", err


def test_events_body_reports_each_malformed_line_with_its_position(server):
    """The one raw-body route (NDJSON): a bad line is not a 400 but is named with its number and
    the parser's byte position, and the good lines are still taken."""
    r = server.req("POST", "/api/v1/events", data=b'{nope\n[1]\n{"a":1}\n"x"\n')
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["events"] == 1, out
    assert out["malformed"] == [
        {"line": 1, "message": "malformed JSON at byte 2: expected a key"},
        {"line": 2, "message": "malformed JSON at byte 1: expected '{'"},
        {"line": 4, "message": "malformed JSON at byte 1: expected '{'"}], out


@pytest.mark.parametrize("cls,first", [
    ("malicious-code", {"id": "isolate-hosts", "phase": "containment",
                        "title": "Isolate infected hosts from the network, keeping them powered "
                                 "for forensics"}),
    ("fraud", {"id": "identify-fraud", "phase": "analysis",
               "title": "Identify the fraudulent site, sender or resource use"}),
])
def test_playbook_of_a_class(server, cls, first):
    r = server.get(f"/api/v1/playbooks/{cls}")
    assert r.status_code == 200, r.text
    pb = r.json()
    assert pb["class"] == cls
    steps = pb["steps"]
    assert steps[0] == first, steps[0]
    assert all(set(s) == {"id", "phase", "title"} for s in steps), steps
    assert {s["phase"] for s in steps} <= {"analysis", "containment", "eradication", "recovery"}
    # every playbook closes with the lessons learnt
    assert steps[-1]["id"] == "lessons-learnt" and steps[-1]["phase"] == "recovery", steps[-1]
    # the list names the same class
    listed = server.get("/api/v1/playbooks")
    assert listed.status_code == 200, listed.text
    assert [p for p in listed.json()["items"] if p["class"] == cls] == [pb], cls
    err = error_of(server.get("/api/v1/playbooks/no-such-class"), 404, "not_found", "class",
                   "GET", "/playbooks/no-such-class")
    assert err["message"] == "no playbook for class 'no-such-class'", err
