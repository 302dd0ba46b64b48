"""Correlation: incidents sharing observables, by equal value, domain and subdomain, address
and containing CIDR, ranked by the number shared."""
from conftest import make_incident


def related(server, ref):
    r = server.get(f"/api/v1/incidents/{ref}/related")
    assert r.status_code == 200, r.text
    return {x["ref"]: x for x in r.json()["related"]}


def test_equal_values(server):
    a = make_incident(server, ["44d88612fea8a8f36de82e1278abb02f", "bad@evil.example"])["ref"]
    b = make_incident(server, ["44D88612FEA8A8F36DE82E1278ABB02F"])["ref"]
    c = make_incident(server, ["other.example"])["ref"]
    rel = related(server, a)
    assert list(rel) == [b]
    assert rel[b]["shared"] == [{"type": "md5", "value": "44d88612fea8a8f36de82e1278abb02f",
                                 "matched": "44d88612fea8a8f36de82e1278abb02f"}]
    assert c not in rel
    assert list(related(server, b)) == [a]


def test_domain_and_subdomains_both_ways(server):
    parent = make_incident(server, ["evil.example"])["ref"]
    child = make_incident(server, ["a.b.evil.example"])["ref"]
    lookalike = make_incident(server, ["notevil.example"])["ref"]
    rel = related(server, parent)
    assert child in rel and lookalike not in rel
    assert rel[child]["shared"][0]["matched"] == "a.b.evil.example"
    rel = related(server, child)
    assert parent in rel and lookalike not in rel
    assert rel[parent]["shared"][0]["matched"] == "evil.example"
    # a bare TLD is never a parent worth correlating on
    assert related(server, lookalike) == {}


def test_address_and_cidr(server):
    net = make_incident(server, ["198.51.100.0/24"])["ref"]
    addr = make_incident(server, ["198.51.100.77"])["ref"]
    outside = make_incident(server, ["198.51.101.1"])["ref"]
    wide = make_incident(server, ["198.0.0.0/8"])["ref"]
    rel = related(server, addr)
    assert set(rel) == {net, wide}
    rel = related(server, net)
    assert set(rel) == {addr, wide} and outside not in rel
    assert rel[addr]["shared"][0] == {"type": "ipv4-addr", "value": "198.51.100.0/24",
                                      "matched": "198.51.100.77"}


def test_ipv6_and_edges(server):
    net = make_incident(server, ["2001:db8::/32"])["ref"]
    addr = make_incident(server, ["2001:db8:1:2::5"])["ref"]
    other = make_incident(server, ["2001:db9::1"])["ref"]
    everything = make_incident(server, ["0.0.0.0/0"])["ref"]
    v4 = make_incident(server, ["203.0.113.9"])["ref"]
    assert set(related(server, addr)) == {net}
    assert other not in related(server, net)
    # an IPv4 /0 contains every IPv4 address, and no IPv6 one
    assert everything in related(server, v4)
    assert everything not in related(server, addr)


def test_ranking_by_number_shared(server):
    a = make_incident(server, ["one.example", "two.example", "10.0.0.1"])["ref"]
    b = make_incident(server, ["one.example"])["ref"]
    c = make_incident(server, ["one.example", "two.example", "10.0.0.0/8"])["ref"]
    d = make_incident(server, ["two.example", "x.one.example"])["ref"]
    r = server.get(f"/api/v1/incidents/{a}/related").json()["related"]
    assert [x["ref"] for x in r] == [c, d, b]
    assert [x["count"] for x in r] == [3, 2, 1]
    assert server.get(f"/api/v1/incidents/{a}/related?limit=1").json()["related"][0]["ref"] == c


def test_unknown_incident(server):
    assert server.get("/api/v1/incidents/VIG-2026-999999/related").status_code == 404


def test_hosts_of_urls_and_mail_addresses(server):
    dom = make_incident(server, ["evil.example"])["ref"]
    url = make_incident(server, ["https://login.evil.example/owa"])["ref"]
    mail = make_incident(server, ["ceo@evil.example"])["ref"]
    net = make_incident(server, ["192.0.2.0/24"])["ref"]
    ipurl = make_incident(server, ["http://192.0.2.7:8080/x"])["ref"]
    other = make_incident(server, ["https://good.example/owa"])["ref"]
    rel = related(server, dom)
    assert set(rel) == {url, mail}
    assert {"type": "domain-name", "value": "evil.example",
            "matched": "login.evil.example"} in rel[url]["shared"]
    rel = related(server, url)
    assert dom in rel and mail in rel and other not in rel
    assert rel[dom]["shared"][0]["value"] == "https://login.evil.example/owa"
    assert set(related(server, ipurl)) == {net}
    assert ipurl in related(server, net)


def test_answer_is_exact_json_with_every_field(server):
    """The answer is written as text, not built as a document: check every field and the
    escaping of titles that need it."""
    title = 'Ransomware "LockBit" \\ Pétya 漢字 <b>'
    a = make_incident(server, ["evil.example", "10.0.0.0/8"], title="first")
    b = make_incident(server, ["x.evil.example", "10.1.2.3"], title=title, severity="high",
                      tlp="RED")
    r = server.get(f"/api/v1/incidents/{a['ref']}/related")
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/json; charset=utf-8"
    assert r.json() == {"ref": a["ref"], "related": [{
        "ref": b["ref"], "title": title, "status": "new", "severity": "high", "tlp": "RED",
        "count": 2, "shared": [
            {"type": "ipv4-addr", "value": "10.0.0.0/8", "matched": "10.1.2.3"},
            {"type": "domain-name", "value": "evil.example", "matched": "x.evil.example"}]}]}
    assert server.get(f"/api/v1/incidents/{a['ref']}/related?limit=0").status_code == 400
    assert server.get("/api/v1/incidents/VIG-2026-999999/related").status_code == 404
