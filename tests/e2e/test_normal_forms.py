"""Normal forms (issue 11 item 15): URL paths without dot segments and an empty query, Unicode
host names in A-labels (IDNA2008) in URLs and bare domains alike, e-mail addresses with one
'@', and a domain claimed by one organisation only (a more specific claim wins attribution).
The stored indicator and the text of a log must meet: both sides use the same normal form."""
import json

from conftest import make_org


def post_events(server, events):
    r = server.req("POST", "/api/v1/events", data="\n".join(json.dumps(e) for e in events) + "\n",
                   headers={"Content-Type": "application/x-ndjson"})
    assert r.status_code == 200, r.text
    return r.json()


def event(i, **kw):
    ev = {"timestamp": f"2026-11-22T08:00:{i:02d}Z", "src_ip": "192.0.2.1",
          "dest_ip": "192.0.2.2"}
    ev.update(kw)
    return ev


def sightings(server):
    items = server.get("/api/v1/sightings?limit=500").json()["items"]
    return sorted((s["indicator"]["id"], s["value"], s["org"]) for s in items)


def test_url_indicators_without_dot_segments_nor_empty_query(server):
    cases = [("http://Evil.example/a/b/../c?", "http://evil.example/a/c"),
             ("http://evil.example/x/./y/%2E%2e/z", "http://evil.example/x/z"),
             ("http://evil.example/../../etc/passwd", "http://evil.example/etc/passwd"),
             ("http://evil.example/%7Euser/p?", "http://evil.example/~user/p"),
             ("http://evil.example/q?a=/../b", "http://evil.example/q?a=/../b")]
    ids = {}
    for raw, norm in cases:
        r = server.post("/api/v1/indicators", {"value": raw})
        assert r.status_code == 201, r.text
        assert (r.json()["type"], r.json()["value"]) == ("url", norm), raw
        ids[norm] = r.json()["id"]
    # the normal form again is the same indicator
    r = server.post("/api/v1/indicators", {"value": "http://evil.example/a/./c"})
    assert r.status_code == 200 and r.json()["id"] == ids["http://evil.example/a/c"]
    # the matcher keys the log's URLs the same way
    out = post_events(server, [
        event(0, http={"hostname": "evil.example", "url": "/a/x/../c?"}),
        event(1, http={"hostname": "EVIL.example", "url": "/x/y/../z"}),
        event(2, http={"hostname": "evil.example", "url": "/etc/./passwd"}),
        event(3, http={"hostname": "evil.example", "url": "/%7euser/p"}),
        event(4, http={"hostname": "evil.example", "url": "/q?a=/b"}),  # the query keeps /../
    ])
    assert out["sightings"] == 4, out
    assert sorted(s[0] for s in sightings(server)) == sorted(
        ids[n] for n in ["http://evil.example/a/c", "http://evil.example/x/z",
                         "http://evil.example/etc/passwd", "http://evil.example/~user/p"])


def test_unicode_hosts_in_a_labels_for_urls_and_domains(server):
    r = server.post("/api/v1/indicators", {"value": "http://B\u00dcCHER.example/login"})
    assert r.status_code == 201, r.text
    assert r.json()["value"] == "http://xn--bcher-kva.example/login"
    url = r.json()["id"]
    r = server.post("/api/v1/indicators", {"value": "p\u0430ypal.example"})  # Cyrillic a
    assert r.status_code == 201, r.text
    assert (r.json()["type"], r.json()["value"]) == ("domain-name", "xn--pypal-4ve.example")
    dom = r.json()["id"]
    # the same name in A-labels is the same indicator
    r = server.post("/api/v1/indicators", {"value": "XN--PYPAL-4VE.example"})
    assert r.status_code == 200 and r.json()["id"] == dom
    r = server.post("/api/v1/indicators", {"value": "ceo@b\u00fccher.example"})
    assert r.status_code == 201 and r.json()["value"] == "ceo@xn--bcher-kva.example", r.text
    # logs carry A-labels (DNS, HTTP Host): they meet the indicators
    out = post_events(server, [
        event(0, dns={"rrname": "www.xn--pypal-4ve.example"}),
        event(1, http={"hostname": "xn--bcher-kva.example", "url": "/login"}),
        event(2, dns={"rrname": "www.paypal.example"}),
    ])
    assert out["sightings"] == 2, out
    assert sorted(s[0] for s in sightings(server)) == sorted([url, dom])
    # names that are no valid IDNA2008 are refused, naming the field
    for value, why in [("b\u00fccher\u2603.example", "IDNA2008"),
                       ("http://a\uff0fb\u00fc.example/", "IDNA2008"),
                       ("\u200b.example", "not a host name")]:  # maps to ".example"
        r = server.post("/api/v1/indicators", {"value": value})
        assert r.status_code == 400, (value, r.text)
        assert r.json()["error"]["field"] == "/value"
        assert why in r.json()["error"]["message"], r.json()


def test_email_address_with_two_at_refused(server):
    for body in [{"value": "a@b@evil.example"},
                 {"value": "a@b@evil.example", "type": "email-addr"}]:
        r = server.post("/api/v1/indicators", body)
        assert r.status_code == 400, r.text
        err = r.json()["error"]
        assert err["field"] == "/value"
        assert "more than one '@' (byte 3)" in err["message"], err
    r = server.post("/api/v1/incidents", {"title": "t", "class": "fraud", "type": "phishing",
                                          "observables": [{"value": "x@evil.example"},
                                                          {"value": "a@b@evil.example"}]})
    assert r.status_code == 400 and r.json()["error"]["field"] == "/observables/1/value", r.text
    # a reporter's or a contact's address too
    r = server.post("/api/v1/reports", {
        "reporter": {"name": "Jo", "email": "a@b@evil.example"},
        "organisation": {"name": "Org", "kind": "ministry"},
        "title": "t", "description": "d"}, token="")
    assert r.status_code == 400 and r.json()["error"]["field"] == "/reporter/email", r.text
    r = server.post("/api/v1/orgs", {"name": "C", "kind": "ministry", "contacts": [
        {"name": "RSSI", "email": "rssi@b@min.example"}]})
    assert r.status_code == 400 and r.json()["error"]["field"] == "/contacts/0/email", r.text


def test_domain_claimed_by_two_organisations_refused(server):
    first = make_org(server, "Ministère A", domains=["min.example"])
    r = server.post("/api/v1/orgs", {"name": "B", "kind": "ministry", "assets": {
        "domains": ["b.example", "MIN.Example."]}})
    assert r.status_code == 409, r.text
    err = r.json()["error"]
    assert (err["code"], err["field"]) == ("exists", "/assets/domains/1"), err
    assert f"organisation {first['id']} (Ministère A)" in err["message"], err
    assert "'min.example'" in err["message"]
    # nothing was written: the name is free, and the domain still A's
    assert [o["name"] for o in server.get("/api/v1/orgs").json()["items"]] == ["Ministère A"]
    b = make_org(server, "B", domains=["b.example"])
    r = server.patch(f"/api/v1/orgs/{b['id']}", {"assets": {"domains": ["b.example",
                                                                        "min.example"]}})
    assert r.status_code == 409 and r.json()["error"]["field"] == "/assets/domains/1", r.text
    assert server.get(f"/api/v1/orgs/{b['id']}").json()["assets"]["domains"] == ["b.example"]
    # an organisation may keep (re-send) its own claim
    r = server.patch(f"/api/v1/orgs/{first['id']}", {"assets": {"domains": ["min.example",
                                                                            "min.example"]}})
    assert r.status_code == 200, r.text
    # once given up, the domain may be claimed by another
    r = server.patch(f"/api/v1/orgs/{first['id']}", {"assets": {"domains": []}})
    assert r.status_code == 200, r.text
    r = server.patch(f"/api/v1/orgs/{b['id']}", {"assets": {"domains": ["min.example"]}})
    assert r.status_code == 200, r.text


def test_more_specific_domain_claim_wins_attribution(server):
    """A sighting of a constituent's host belongs to the most specific claim of it, whatever
    the order the organisations were created in (the store's lookup by domain, which the
    intake uses, is pinned in tests/unit/test_org_claims.c)."""
    child = make_org(server, "Child", domains=["dept.example.org"])["id"]
    parent = make_org(server, "Parent", domains=["example.org"])["id"]  # allowed
    leaf = make_org(server, "Leaf", domains=["x.dept.example.org"])["id"]
    hosts = {"www.example.org": parent, "mail.dept.example.org": child,
             "a.x.dept.example.org": leaf, "files.example.org": parent}
    for host in hosts:
        r = server.post("/api/v1/indicators", {"value": host})
        assert r.status_code == 201, r.text
    out = post_events(server, [event(i, dns={"rrname": h}) for i, h in enumerate(hosts)])
    assert out["sightings"] == 4, out
    got = {v: org for _, v, org in sightings(server)}
    assert got == hosts, got
