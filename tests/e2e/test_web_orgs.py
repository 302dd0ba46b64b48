"""The console's organisations (issue 14): the constituency directory and an organisation's
page with exactly its assets, contacts, findings by priority, alerts, sightings and
incidents."""
import html
import json
import re

import html5lib

from conftest import add_user, make_incident, make_org, run, web_login

MARK = '"><img src=x onerror=alert(1)><script>alert(2)</script>'
ALL = ["*"] * 7


def cpe(vendor, product, version):
    return ":".join(["cpe:2.3", "a", vendor, product, version] + ALL)


def cve5(num, vendor, product):
    aff = {"vendor": vendor, "product": product,
           "versions": [{"version": "1.0", "lessThan": "9.0", "status": "affected",
                         "versionType": "semver"}]}
    return {"dataType": "CVE_RECORD", "dataVersion": "5.1",
            "cveMetadata": {"cveId": f"CVE-2025-{num}", "state": "PUBLISHED",
                            "datePublished": "2025-01-01T00:00:00.000Z",
                            "dateUpdated": "2025-01-02T00:00:00.000Z"},
            "containers": {"cna": {"descriptions": [{"lang": "en", "value": f"test {num}"}],
                                   "affected": [aff]}}}


def eve(ts, src, dest):
    return json.dumps({"timestamp": ts, "src_ip": src, "dest_ip": dest})


def inert(page):
    """MARK shown as text: no element of it in the page."""
    assert "<img src=x" not in page and "<script>alert(2)" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in page


def valid(page):
    """The page parses as HTML without error, with no duplicate id."""
    html5lib.HTMLParser(strict=True).parse(page)
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), ids
    return page


def rows(page, table_class):
    m = re.search(r'<table class="list %s">(.*?)</table>' % table_class, page, re.S)
    return re.findall(r"<tr[^>]*>(.*?)</tr>", m.group(1), re.S)[1:] if m else []


def cells(row):
    return [html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def section_list(page, cls):
    m = re.search(r'<ul class="list %s">(.*?)</ul>' % cls, page, re.S)
    return [html.unescape(x) for x in re.findall(r"<li>(.*?)</li>", m.group(1), re.S)] if m else []


def test_directory_rows_and_paging(user_server):
    srv = user_server
    make_org(srv, "Ministry A", cidrs=["10.1.0.0/16"], domains=["a.example"],
             contacts=[{"name": "Ann", "email": "ann@a.example"}])
    make_org(srv, "Shop " + MARK, kind="sme", domains=["shop.example"])
    make_org(srv, "Region C", kind="local-authority")
    add_user(srv, "rita", "reader")
    s = web_login(srv, "rita", page="/console/orgs")
    r = s.get(s.base + "/console/orgs")
    got = [cells(x) for x in rows(valid(r.text), "orgs")]
    assert got == [
        ["Ministry A", "ministry", "government", "eligible", "1 networks, 1 domains, 0 products",
         "1"],
        ["Shop " + MARK, "sme", "government", "not eligible", "0 networks, 1 domains, 0 products",
         "0"],
        ["Region C", "local-authority", "government", "eligible",
         "0 networks, 0 domains, 0 products", "0"]]
    inert(r.text)
    ids = [o["id"] for o in srv.get("/api/v1/orgs").json()["items"]]
    assert re.findall(r'<a href="/console/orgs/(\d+)">', r.text) == [str(i) for i in ids]
    # paging covers everything once
    seen, url, pages = [], s.base + "/console/orgs?limit=2", 0
    while url:
        r = s.get(url)
        assert r.status_code == 200
        seen += re.findall(r'<a href="/console/orgs/(\d+)">', r.text)
        m = re.search(r'<a href="([^"]+)" class="next">Next page</a>', r.text)
        url = s.base + html.unescape(m.group(1)) if m else None
        pages += 1
    assert seen == [str(i) for i in ids] and pages == 2
    assert s.get(s.base + "/console/orgs?limit=0").status_code == 400


def names_of(s, path):
    r = s.get(s.base + path)
    return r.status_code, [cells(x)[0] for x in rows(valid(r.text), "orgs")], r.text


def test_directory_filters_as_the_api(user_server):
    srv = user_server
    make_org(srv, "Ministry of Health", sector="health")
    make_org(srv, "Regional health agency", kind="public-agency", sector="health")
    make_org(srv, "City of Brest", kind="local-authority")
    make_org(srv, "HEALTHY shop", kind="sme", sector="other")
    s = web_login(srv, "dana", page="/console/orgs")
    cases = {"name=health": ["Ministry of Health", "Regional health agency", "HEALTHY shop"],
             "name=HEALTH&sector=health": ["Ministry of Health", "Regional health agency"],
             "kind=public-agency": ["Regional health agency"],
             "sector=government": ["City of Brest"],
             "kind=sme&sector=health": [],
             "name=": ["Ministry of Health", "Regional health agency", "City of Brest",
                       "HEALTHY shop"]}
    for q, want in cases.items():
        status, got, page = names_of(s, "/console/orgs?" + q)
        assert (status, got) == (200, want), q
        api = srv.get("/api/v1/orgs?" + q).json()["items"]
        assert [o["name"] for o in api] == want, q
    assert "No organisation matches." in names_of(s, "/console/orgs?kind=sme&sector=health")[2]
    # the filters kept across pages, each row once
    seen, url = [], s.base + "/console/orgs?limit=1&name=health"
    while url:
        r = s.get(url)
        seen += [cells(x)[0] for x in rows(r.text, "orgs")]
        m = re.search(r'<a href="([^"]+)" class="next">Next page</a>', r.text)
        url = s.base + html.unescape(m.group(1)) if m else None
    assert seen == cases["name=health"]
    # a filter outside the vocabulary: 400, beside its field, the value kept
    status, got, page = names_of(s, "/console/orgs?kind=bank&name=%3Cb%3E")
    assert status == 400 and got == []
    assert '<p class="error" id="kind-error">kind must be one of: ministry,' in page
    assert 'value="&lt;b&gt;"' in page
    r = srv.get("/api/v1/orgs?sector=banking")
    assert r.status_code == 400 and r.json()["error"]["field"] == "sector"
    assert srv.get("/api/v1/orgs?name=" + "x" * 300).status_code == 400


def test_empty_directory(user_server):
    s = web_login(user_server, "dana", page="/console/orgs")
    page = s.get(s.base + "/console/orgs").text
    assert "No organisation in the constituency." in page and "<table" not in page


def test_org_page_shows_exactly_its_own(user_server, tmp_path):
    srv = user_server
    p1, p2, p3 = cpe("acme", "widget", "2.0"), cpe("acme", "gadget", "3.0"), cpe("zeta", "z", "1")
    a = make_org(srv, "Ministry A", cidrs=["10.1.0.0/16", "2001:db8:a::/48"],
                 domains=["a.example"],
                 assets={"cidrs": ["10.1.0.0/16", "2001:db8:a::/48"], "domains": ["a.example"],
                         "products": [p1, p2]},
                 contacts=[{"name": "Ann " + MARK, "email": "ann@a.example", "phone": "+33 1",
                            "role": "CISO"}])
    b = make_org(srv, "Ministry B", cidrs=["10.2.0.0/16"], domains=["b.example"],
                 assets={"cidrs": ["10.2.0.0/16"], "domains": ["b.example"], "products": [p3]})
    f = tmp_path / "recs.json"
    f.write_text(json.dumps([cve5(2001, "acme", "widget"), cve5(2002, "acme", "gadget"),
                             cve5(2003, "acme", "widget"), cve5(2004, "zeta", "z")]))
    run("vuln", "import", str(f), db=srv.db)
    srv.post("/api/v1/indicators", {"indicators": [{"value": "203.0.113.0/24"}]})
    r = srv.req("POST", "/api/v1/events", data="\n".join([
        eve("2026-11-20T08:00:00Z", "10.1.2.3", "203.0.113.5"),
        eve("2026-11-21T08:00:00Z", "10.1.2.4", "203.0.113.6"),
        eve("2026-11-21T09:00:00Z", "10.2.0.9", "203.0.113.9")]) + "\n",
        headers={"Content-Type": "application/x-ndjson"})
    assert r.json()["sightings"] == 3, r.text
    inc = make_incident(srv, title="Phish at A", org=a["id"], tlp="AMBER")
    make_incident(srv, title="Other at B", org=b["id"])

    s = web_login(srv, "dana", page="/console/orgs")
    r = s.get(s.base + f"/console/orgs/{a['id']}")
    assert r.status_code == 200
    page = valid(r.text)
    assert "<h1>Ministry A</h1>" in page
    assert section_list(page, "cidrs") == ["10.1.0.0/16", "2001:db8:a::/48"]
    assert section_list(page, "domains") == ["a.example"]
    assert section_list(page, "products") == [p1, p2]
    assert [cells(x) for x in rows(page, "contacts")] == [
        ["Ann " + MARK, "ann@a.example", "+33 1", "CISO"]]
    inert(page)
    # findings: exactly its own, in the API's priority order
    api = srv.get(f"/api/v1/orgs/{a['id']}/findings").json()["items"]
    got = [(c[1], c[2]) for c in map(cells, rows(page, "findings"))]
    assert got == [(x["cve"], x["asset"]) for x in api]
    assert sorted(got) == [("CVE-2025-2001", p1), ("CVE-2025-2002", p2), ("CVE-2025-2003", p1)]
    # alerts and sightings attributed to it, none of B's
    al = [cells(x) for x in rows(page, "alerts")]
    assert [(c[1], c[2], c[3]) for c in al] == [
        ("ipv4-addr 203.0.113.0/24", "2026-11-21", "1"),
        ("ipv4-addr 203.0.113.0/24", "2026-11-20", "1")]
    sg = [cells(x) for x in rows(page, "sightings")]
    assert [c[3] for c in sg] == ["203.0.113.6", "203.0.113.5"]
    assert "203.0.113.9" not in page
    # its incidents, TLP badge first, and the link to the queue filtered on it
    inc_rows = rows(page, "incidents")
    assert len(inc_rows) == 1 and "Phish at A" in inc_rows[0] and "Other at B" not in page
    assert inc_rows[0].startswith('<td><span class="tlp tlp-amber">TLP:AMBER</span></td>')
    assert f'<a href="/console/incidents/{inc["ref"]}">' in inc_rows[0]
    assert f'<a href="/console/incidents?org={a["id"]}">' in page
    assert f'<a href="/console/alerts?org={a["id"]}">' in page
    assert f'<a href="/console/sightings?org={a["id"]}">' in page
    # B's page: its own finding, alert, sighting
    page = s.get(s.base + f"/console/orgs/{b['id']}").text
    assert [c[1] for c in map(cells, rows(page, "findings"))] == ["CVE-2025-2004"]
    assert [c[3] for c in map(cells, rows(page, "sightings"))] == ["203.0.113.9"]
    assert len(rows(page, "alerts")) == 1 and "No contact." in page
    # no such organisation
    r = s.get(s.base + "/console/orgs/9999")
    assert r.status_code == 404 and "<h1>Page not found</h1>" in r.text
    assert s.get(s.base + "/console/orgs/abc").status_code == 404


def test_org_page_findings_paged(user_server, tmp_path):
    srv = user_server
    p1 = cpe("acme", "widget", "2.0")
    o = make_org(srv, "Big estate", assets={"cidrs": [], "domains": [], "products": [p1]})
    f = tmp_path / "recs.json"
    f.write_text(json.dumps([cve5(3000 + i, "acme", "widget") for i in range(55)]))
    run("vuln", "import", str(f), db=srv.db)
    api = srv.get(f"/api/v1/orgs/{o['id']}/findings?limit=500").json()["items"]
    assert len(api) == 55
    s = web_login(srv, "dana", page="/console/orgs")
    r = s.get(s.base + f"/console/orgs/{o['id']}")
    first = [cells(x)[1] for x in rows(valid(r.text), "findings")]
    m = re.search(r'<a href="([^"]+)" class="next">More findings</a>', r.text)
    assert len(first) == 50 and m
    r = s.get(s.base + html.unescape(m.group(1)))
    rest = [cells(x)[1] for x in rows(r.text, "findings")]
    assert first + rest == [x["cve"] for x in api]
    assert "More findings" not in r.text


def test_org_page_empty_states(user_server):
    srv = user_server
    o = make_org(srv, "Quiet agency", kind="public-agency")
    s = web_login(srv, "dana", page=f"/console/orgs/{o['id']}")
    page = valid(s.get(s.base + f"/console/orgs/{o['id']}").text)
    for text in ("No contact.", "No finding: no known vulnerability in its products.",
                 "No alert.", "No sighting.", "No incident."):
        assert text in page, text
    assert page.count("<p class=\"empty\">None.</p>") == 3
