"""Roles from the route table itself (issue 10): every route of src/api/routes.c is read here,
so a route added to the table is covered by construction. For every route and every role
below the one it needs, the answer is 403 `forbidden`; without a token, 401 `unauthorized`.
The role each route needs is also written down here (ROLES): a route whose role changes in the
table, or a new route, fails until its role is stated here too, so a route made reachable by a
lower role is never silent."""
import os
import re

from conftest import ROOT

RANK = {"VG_PUBLIC": 0, "VG_READER": 1, "VG_ANALYST": 2, "VG_ADMIN": 3}
ROLE_OF_RANK = {1: "reader", 2: "analyst", 3: "admin"}
ROLES = {
    ("GET", "/api/v1/health"): "public",
    ("GET", "/api/v1/taxonomy"): "public",
    ("POST", "/api/v1/login"): "public",
    ("POST", "/api/v1/reports"): "public",
    ("GET", "/api/v1/me"): "reader",
    ("GET", "/api/v1/users"): "admin",
    ("POST", "/api/v1/users"): "admin",
    ("GET", "/api/v1/tokens"): "reader",
    ("POST", "/api/v1/tokens"): "reader",
    ("DELETE", "/api/v1/tokens/{}"): "reader",
    ("GET", "/api/v1/audit"): "admin",
    ("GET", "/api/v1/stats"): "reader",
    ("GET", "/api/v1/orgs"): "reader",
    ("POST", "/api/v1/orgs"): "admin",
    ("GET", "/api/v1/orgs/{}"): "reader",
    ("PATCH", "/api/v1/orgs/{}"): "admin",
    ("GET", "/api/v1/orgs/{}/findings"): "reader",
    ("GET", "/api/v1/vulns/{}"): "reader",
    ("GET", "/api/v1/incidents"): "reader",
    ("POST", "/api/v1/incidents"): "analyst",
    ("GET", "/api/v1/incidents/{}"): "reader",
    ("PATCH", "/api/v1/incidents/{}"): "analyst",
    ("POST", "/api/v1/incidents/{}/notes"): "analyst",
    ("POST", "/api/v1/incidents/{}/observables"): "analyst",
    ("PATCH", "/api/v1/incidents/{}/steps/{}"): "analyst",
    ("GET", "/api/v1/incidents/{}/related"): "reader",
    ("GET", "/api/v1/playbooks"): "reader",
    ("GET", "/api/v1/playbooks/{}"): "reader",
    ("PUT", "/api/v1/playbooks/{}"): "analyst",
    ("GET", "/api/v1/indicators"): "reader",
    ("POST", "/api/v1/indicators"): "analyst",
    ("GET", "/api/v1/indicators/{}"): "reader",
    ("GET", "/api/v1/sightings"): "reader",
    ("GET", "/api/v1/alerts"): "reader",
    ("POST", "/api/v1/alerts/{}/escalate"): "analyst",
    ("POST", "/api/v1/events"): "analyst",
    ("GET", "/api/v1/reports/queue"): "reader",
    ("POST", "/api/v1/reports/queue/{}/accept"): "analyst",
    ("DELETE", "/api/v1/reports/queue/{}"): "analyst",
    ("GET", "/api/v1/outbox"): "analyst",  # issue 15: outbound mail
    ("GET", "/misp-feed/manifest.json"): "reader",
    ("GET", "/misp-feed/hashes.csv"): "reader",
    ("GET", "/misp-feed/{}"): "reader",
    ("GET", "/api/v1/partners"): "reader",
    ("POST", "/api/v1/partners"): "admin",
    ("GET", "/api/v1/partners/{}"): "reader",
    ("PATCH", "/api/v1/partners/{}"): "admin",
    ("GET", "/api/v1/partners/{}/tokens"): "admin",
    ("POST", "/api/v1/partners/{}/tokens"): "admin",
    ("DELETE", "/api/v1/partners/{}/tokens/{}"): "admin",
    ("GET", "/api/v1/share/whoami"): "reader",
    # sharing (issue 12, h-share): also a partner's token, for itself (VG_ROUTE_SHARE)
    ("GET", "/api/v1/incidents/{}/export"): "analyst",
    ("GET", "/api/v1/share/export"): "analyst",
    ("POST", "/api/v1/share/import"): "analyst",
    ("GET", "/api/v1/taxii/collections"): "reader",
    ("POST", "/api/v1/taxii/collections"): "admin",
    ("GET", "/api/v1/taxii/collections/{}"): "reader",
    ("PATCH", "/api/v1/taxii/collections/{}"): "admin",
    # advisories shared through the TLP gate (issue 13)
    ("GET", "/api/v1/share/advisories"): "reader",
    ("GET", "/api/v1/share/advisories/{}"): "reader",
    # upstream advisories (issue 13, h-upstream)
    ("GET", "/api/v1/upstream-advisories"): "reader",
    ("GET", "/api/v1/upstream-advisories/{}"): "reader",
    ("GET", "/api/v1/upstream-advisories/{}/draft"): "reader",
    ("GET", "/taxii2"): "reader",
    ("GET", "/taxii2/vigie"): "reader",
    ("GET", "/taxii2/vigie/collections"): "reader",
    ("GET", "/taxii2/vigie/collections/{}"): "reader",
    ("GET", "/taxii2/vigie/collections/{}/objects"): "reader",
    ("POST", "/taxii2/vigie/collections/{}/objects"): "analyst",
    ("GET", "/taxii2/vigie/collections/{}/manifest"): "reader",
    ("GET", "/taxii2/vigie/collections/{}/objects/{}"): "reader",
    ("DELETE", "/taxii2/vigie/collections/{}/objects/{}"): "analyst",
    ("GET", "/taxii2/vigie/collections/{}/objects/{}/versions"): "reader",
    ("GET", "/taxii2/vigie/status/{}"): "reader",
    # advisories (issue 13, h-flow): readers read, analysts write
    ("GET", "/api/v1/advisories"): "reader",
    ("POST", "/api/v1/advisories"): "analyst",
    ("POST", "/api/v1/advisories/draft-from-cves"): "analyst",
    ("GET", "/api/v1/advisories/{}"): "reader",
    ("PATCH", "/api/v1/advisories/{}"): "analyst",
    ("POST", "/api/v1/advisories/{}/submit"): "analyst",
    ("POST", "/api/v1/advisories/{}/publish"): "analyst",
    ("POST", "/api/v1/advisories/{}/revisions"): "analyst",
    ("POST", "/api/v1/advisories/{}/close"): "analyst",
    # the crisis cell (issue 15): readers read, analysts write; the roll-call's link is public
    ("GET", "/api/v1/crises"): "reader",
    ("POST", "/api/v1/crises"): "analyst",
    ("GET", "/api/v1/crises/{}"): "reader",
    ("PATCH", "/api/v1/crises/{}"): "analyst",
    ("POST", "/api/v1/crises/{}/log"): "analyst",
    ("POST", "/api/v1/crises/{}/members"): "analyst",
    ("POST", "/api/v1/crises/{}/rollcall"): "analyst",
    ("GET", "/api/v1/crises/{}/rollcall"): "reader",
    ("POST", "/api/v1/crises/{}/sitreps"): "analyst",
    ("POST", "/api/v1/crises/{}/close"): "analyst",
    ("POST", "/api/v1/crises/{}/sitreps/{}/send"): "analyst",
    ("GET", "/api/v1/crises/{}/review.md"): "reader",
    ("GET", "/ack/{}"): "public",
    # inbound mail (issue 15): senders' addresses and the messages as received
    ("GET", "/api/v1/inbound"): "analyst",
    ("GET", "/api/v1/inbound/{}"): "analyst",
    ("GET", "/api/v1/inbound/{}/raw"): "analyst",
}
# How each family of routes writes its errors: the JSON API as {"error": {"code"}}, TAXII 2.1
# as an error message {title, description, http_status, error_code}. Routes are written
# without their trailing slash (TAXII clients send one; the router tolerates it): both forms
# are called.
ERROR_FORMS = (
    ("/taxii2", lambda body: body["error_code"] if body.get("http_status") else None, "/"),
    ("/api/v1/", lambda body: body["error"]["code"], ""),
    ("/misp-feed/", lambda body: body["error"]["code"], ""),
)


def error_code(path, r):
    for prefix, read, _slash in ERROR_FORMS:
        if path.startswith(prefix):
            return read(r.json())
    raise AssertionError(f"no error form for {path}")


def suffixes(path):
    """The spellings of a route's path that are called: as written, and with the trailing slash
    of its family's clients."""
    for prefix, _read, slash in ERROR_FORMS:
        if path.startswith(prefix) and slash:
            return ("", slash)
    return ("",)


RANK_OF_ROLE = {"public": 0, "reader": 1, "analyst": 2, "admin": 3}
LINE = re.compile(r'^\s*\{"([A-Z]+)",\s*"([^"]+)",\s*(VG_[A-Z]+),\s*vg_api_\w+,')


def routes():
    with open(os.path.join(ROOT, "src", "api", "routes.c")) as f:
        text = f.read()
    body = text[text.index("vg_api_routes[]"):]
    body = body[:body.index("};")]
    rows = [LINE.match(l) for l in body.splitlines()]
    found = [(m.group(1), m.group(2), RANK[m.group(3)]) for m in rows if m]
    # every entry of the table but its terminator must have been read: none forgotten
    entries = len(re.findall(r'^\s*\{"', body, re.M))
    assert len(found) == entries and len(found) >= 30, (len(found), entries)
    return found


def fill(path):
    """Plausible ids for the `{}` parameters: a 403/401 comes before any 404/400."""
    ids = iter(["1", "1", "1"])
    if "/playbooks/" in path:
        ids = iter(["malicious-code"])
    if "/vulns/" in path:
        ids = iter(["CVE-2024-0001"])
    return re.sub(r"\{\}", lambda _m: next(ids), path)


def call(server, method, path, token):
    body = None if method in ("GET", "DELETE") else {}
    if path.endswith("/events"):
        return server.req(method, path, token=token, data=b"")
    return server.req(method, path, token=token, json=body)


def test_route_table_roles_are_the_stated_ones():
    table = {(m, p): ROLE_OF_RANK.get(need, "public") for m, p, need in routes()}
    assert table == ROLES


def test_every_route_refuses_lower_roles_and_no_token(server):
    tokens = {"reader": server.token("pin-reader", "reader"),
              "analyst": server.token("pin-analyst", "analyst"),
              "admin": server.admin}
    checked = 0
    for method, pattern, _need in routes():
        assert (method, pattern) in ROLES, f"new route {method} {pattern}: state its role in ROLES"
        need = RANK_OF_ROLE[ROLES[(method, pattern)]]
        if need == 0:
            continue
        for slash in suffixes(pattern):
            path = fill(pattern) + slash
            r = call(server, method, path, "")
            assert r.status_code == 401, (method, path, r.status_code, r.text)
            assert error_code(path, r) == "unauthorized", (method, path, r.text)
            for rank in range(1, need):
                role = ROLE_OF_RANK[rank]
                r = call(server, method, path, tokens[role])
                assert r.status_code == 403, (method, path, role, r.status_code, r.text)
                assert error_code(path, r) == "forbidden", (method, path, role, r.text)
                checked += 1
            # the role it needs passes the gate (whatever the handler then answers)
            r = call(server, method, path, tokens[ROLE_OF_RANK[need]])
            assert r.status_code not in (401, 403), (method, path, r.status_code, r.text)
    assert checked == sum((RANK_OF_ROLE[r] - 1) * len(suffixes(p))
                          for (_m, p), r in ROLES.items() if r != "public")
