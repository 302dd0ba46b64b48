"""The console's detection pages (issue 14): indicators, sightings and alerts with their
filters and cursors, and "Escalate to incident" running the API's escalation."""
import html
import json
import re

import html5lib

from conftest import add_user, make_org, web_login

MARK = '<script>alert(1)</script>'


def eve(ts, src, dest, **kw):
    ev = {"timestamp": ts, "src_ip": src, "dest_ip": dest}
    ev.update(kw)
    return json.dumps(ev)


def post_events(srv, lines):
    r = srv.req("POST", "/api/v1/events", data="\n".join(lines) + "\n",
                headers={"Content-Type": "application/x-ndjson"})
    assert r.status_code == 200, r.text
    return r.json()


def seed(srv):
    """Two organisations, indicators of two feeds, events making sightings and alerts."""
    a = make_org(srv, "Ministry A", cidrs=["10.1.0.0/16"], domains=["a.example"])
    b = make_org(srv, "Ministry B", cidrs=["10.2.0.0/16"], domains=["b.example"])
    r = srv.post("/api/v1/indicators", {"indicators": [
        {"value": "203.0.113.0/24", "source": "feed-x", "tlp": "AMBER"},
        {"value": "evil.example", "source": "feed-y", "tlp": "GREEN"},
        {"value": "d41d8cd98f00b204e9800998ecf8427e", "source": "feed-x"},
        {"type": "url", "value": "http://bad.example/x?q=" + MARK, "source": "feed-y"}]})
    assert r.status_code == 200 and r.json()["rejected"] == [], r.text
    post_events(srv, [
        eve("2026-11-20T08:00:00Z", "10.1.2.3", "203.0.113.5"),          # A, day 20
        eve("2026-11-21T08:00:00Z", "10.1.2.3", "203.0.113.5"),          # A, day 21 (twin)
        eve("2026-11-21T09:00:00Z", "10.2.0.9", "203.0.113.6"),          # B
        eve("2026-11-21T10:00:00Z", "10.1.0.7", "192.0.2.1", dns={"rrname": "evil.example"}),
        eve("2026-11-21T11:00:00Z", "192.0.2.1", "203.0.113.7"),         # nobody's
        eve("2026-11-21T12:00:00Z", "10.2.0.1", "192.0.2.9",
            http={"url": "http://bad.example/x?q=" + MARK}),             # B, the URL
    ])
    return a, b


def valid(page):
    """The page parses as HTML without error, with no duplicate id."""
    html5lib.HTMLParser(strict=True).parse(page)
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), ids
    return page


def rows(page, table_class):
    m = re.search(r'<table class="list %s">(.*?)</table>' % table_class, page, re.S)
    return re.findall(r"<tr[^>]*>(.*?)</tr>", m.group(1), re.S)[1:] if m else []


def walk(s, path, table_class, key):
    """Every row of a list page followed through its "Next page" links: key(row) each."""
    out, url, pages = [], s.base + path, 0
    while url:
        r = s.get(url, timeout=60)
        assert r.status_code == 200, r.text[:2000]
        out += [key(x) for x in rows(valid(r.text), table_class)]
        m = re.search(r'<a href="([^"]+)" class="next">Next page</a>', r.text)
        url = s.base + html.unescape(m.group(1)) if m else None
        pages += 1
        assert pages < 50
    return out, pages


def ind_value(row):
    return html.unescape(re.findall(r"<code>(.*?)</code>", row, re.S)[0])


def test_indicators_filters_and_paging(user_server):
    srv = user_server
    seed(srv)
    s = web_login(srv, "dana", page="/console/indicators")
    api = [i["value"] for i in srv.get("/api/v1/indicators?limit=500").json()["items"]]
    assert len(api) == 4
    # paging covers everything once, in the API's order
    got, pages = walk(s, "/console/indicators?limit=3", "indicators", ind_value)
    assert got == api and pages == 2
    # the TLP badge first in each row
    page = s.get(s.base + "/console/indicators").text
    first = rows(page, "indicators")[0]
    assert re.match(r'\s*<td><span class="tlp tlp-amber">TLP:AMBER</span></td>', first), first
    # filters: type, source, value (typed in any case: its normal form is searched)
    assert walk(s, "/console/indicators?type=domain-name", "indicators", ind_value)[0] == [
        "evil.example"]
    assert sorted(walk(s, "/console/indicators?source=feed-x", "indicators", ind_value)[0]) == [
        "203.0.113.0/24", "d41d8cd98f00b204e9800998ecf8427e"]
    assert walk(s, "/console/indicators?value=EVIL.Example", "indicators", ind_value)[0] == [
        "evil.example"]
    assert walk(s, "/console/indicators?value=nothing.example", "indicators",
                ind_value)[0] == []
    # a filter the store cannot take: 400, the error beside its field, the value kept
    r = s.get(s.base + "/console/indicators?type=bogus&source=" + "%3Cb%3E")
    assert r.status_code == 400
    assert '<p class="error" id="type-error">not an indicator type</p>' in r.text
    assert 'value="&lt;b&gt;"' in r.text and "<b>" not in r.text
    # the value seen in a feed is shown inert
    page = s.get(s.base + "/console/indicators?type=url").text
    assert MARK not in page and html.escape(MARK, quote=True) in page


def sighting_key(row):
    codes = re.findall(r"<code>(.*?)</code>", row, re.S)
    return html.unescape(codes[0]), html.unescape(codes[1])


def test_sightings_newest_first_and_filters(user_server):
    srv = user_server
    a, b = seed(srv)
    s = web_login(srv, "dana", page="/console/sightings")
    api = srv.get("/api/v1/sightings?limit=500").json()["items"]
    assert len(api) == 6
    got, pages = walk(s, "/console/sightings?limit=4", "sightings", sighting_key)
    assert got == [(x["indicator"]["value"], x["value"]) for x in api] and pages == 2
    assert [x["id"] for x in api] == sorted((x["id"] for x in api), reverse=True)
    # by organisation, by indicator
    got = walk(s, f"/console/sightings?org={a['id']}", "sightings", sighting_key)[0]
    assert got == [("evil.example", "evil.example"), ("203.0.113.0/24", "203.0.113.5"),
                   ("203.0.113.0/24", "203.0.113.5")]
    ind = next(x["indicator"]["id"] for x in api if x["indicator"]["value"] == "evil.example")
    assert walk(s, f"/console/sightings?indicator={ind}", "sightings", sighting_key)[0] == [
        ("evil.example", "evil.example")]
    r = s.get(s.base + "/console/sightings?org=x1")
    assert r.status_code == 400 and 'id="org-error"' in r.text
    # for whom: the organisation linked; an unattributed one said so
    page = s.get(s.base + "/console/sightings").text
    assert f'<a href="/console/orgs/{b["id"]}">Ministry B</a>' in page
    assert "not attributed" in page
    # log values are inert
    assert MARK not in page and html.escape(MARK, quote=True) in page


def alert_ids(page):
    return [int(x) for x in re.findall(r'<tr id="alert-(\d+)">', page)]


def test_alerts_open_first_paging_and_filters(user_server):
    srv = user_server
    a, b = seed(srv)
    api = srv.get("/api/v1/alerts?limit=500").json()["items"]
    assert len(api) == 6
    # one escalated through the API: listed after every open one
    esc = api[0]["id"]
    assert srv.post(f"/api/v1/alerts/{esc}/escalate", {}).status_code == 201
    s = web_login(srv, "dana", page="/console/alerts")
    page = valid(s.get(s.base + "/console/alerts").text)
    want = [x["id"] for x in api if x["id"] != esc] + [esc]
    assert alert_ids(page) == want
    ids, pages = [], 0
    url = s.base + "/console/alerts?limit=2"
    while url:
        r = s.get(url)
        assert r.status_code == 200
        ids += alert_ids(r.text)
        m = re.search(r'<a href="([^"]+)" class="next">Next page</a>', r.text)
        url = s.base + html.unescape(m.group(1)) if m else None
        pages += 1
    assert ids == want and pages == 3
    # a page filled by the open ones exactly: the escalated ones on the next
    for limit, npages in ((5, 2), (6, 1), (1, 6)):
        got, n = [], 0
        url = s.base + f"/console/alerts?limit={limit}"
        while url:
            r = s.get(url)
            got += alert_ids(r.text)
            m = re.search(r'<a href="([^"]+)" class="next">Next page</a>', r.text)
            url = s.base + html.unescape(m.group(1)) if m else None
            n += 1
        assert (got, n) == (want, npages), limit
    assert s.get(s.base + "/console/alerts?cursor=x12").status_code == 400
    # status and organisation filters
    assert alert_ids(s.get(s.base + "/console/alerts?status=escalated").text) == [esc]
    assert alert_ids(s.get(s.base + "/console/alerts?status=open").text) == want[:-1]
    mine = [x["id"] for x in api if x["org"] == a["id"]]
    got = alert_ids(s.get(s.base + f"/console/alerts?org={a['id']}").text)
    assert sorted(got) == sorted(mine) and len(mine) == 3
    assert s.get(s.base + "/console/alerts?status=closed").status_code == 400
    # what matched and for whom; escalated ones link to their incident; open ones a button
    ref = srv.get(f"/api/v1/alerts?status=escalated").json()["items"][0]["incident"]
    assert f'escalated to <a href="/console/incidents/{ref}">{ref}</a>' in page
    row = re.search(r'<tr id="alert-%d">(.*?)</tr>' % mine[0], page, re.S).group(1)
    assert "Ministry A" in row and "Escalate to incident" in row
    assert page.count('class="escalate"') == 5
    assert html.escape(MARK, quote=True) in page and MARK not in page


def incident_view(inc):
    """An incident's fields that an escalation decides (not its reference or times)."""
    skip = {"ref", "id", "created", "updated", "timeline", "occurred"}
    out = {k: v for k, v in inc.items() if k not in skip}
    out["observables"] = sorted((o["type"], o["value"]) for o in inc["observables"])
    return out


def test_escalate_through_the_page_as_the_api(user_server):
    srv = user_server
    a, _ = seed(srv)
    twins = [x for x in srv.get(f"/api/v1/alerts?org={a['id']}").json()["items"]
             if x["indicator"]["value"] == "203.0.113.0/24"]
    assert [t["day"] for t in twins] == ["2026-11-21", "2026-11-20"]
    s = web_login(srv, "dana", page="/console/alerts")
    r = s.post(s.base + f"/console/alerts/{twins[0]['id']}/escalate", data={"csrf": s.csrf},
               allow_redirects=False)
    assert r.status_code == 303, r.text[:2000]
    m = re.fullmatch(r"/console/incidents/(VIG-\d{4}-\d{6})", r.headers["Location"])
    assert m, r.headers["Location"]
    by_page = srv.get(f"/api/v1/incidents/{m.group(1)}").json()
    r = srv.post(f"/api/v1/alerts/{twins[1]['id']}/escalate", {},
                 token=srv.token("dana", "analyst"))
    assert r.status_code == 201
    by_api = r.json()
    assert incident_view(by_page) == incident_view(by_api)
    assert by_page["org"] == a["id"] and by_page["created_by"] == "dana"
    assert ("ipv4-addr", "203.0.113.5") in incident_view(by_page)["observables"]
    al = srv.get(f"/api/v1/alerts?status=escalated").json()["items"]
    assert {x["id"]: x["incident"] for x in al}[twins[0]["id"]] == m.group(1)
    # again: the page says it is done, nothing new
    n = len(srv.get("/api/v1/incidents").json()["items"])
    r = s.post(s.base + f"/console/alerts/{twins[0]['id']}/escalate", data={"csrf": s.csrf},
               allow_redirects=False)
    assert r.status_code == 409 and "<h1>Already escalated</h1>" in valid(r.text)
    assert f"is already escalated to {m.group(1)}" in r.text
    r = s.post(s.base + "/console/alerts/99999/escalate", data={"csrf": s.csrf},
               allow_redirects=False)
    assert r.status_code == 404 and "no alert 99999" in r.text
    assert len(srv.get("/api/v1/incidents").json()["items"]) == n


def test_reader_and_csrf_refused(user_server):
    srv = user_server
    seed(srv)
    add_user(srv, "rita", "reader")
    before = srv.get("/api/v1/alerts?limit=500").json()["items"]
    rita = web_login(srv, "rita", page="/console/alerts")
    page = rita.get(rita.base + "/console/alerts").text
    assert len(alert_ids(page)) == 6
    assert "Escalate to incident" not in page and "/escalate" not in page
    aid = before[0]["id"]
    r = rita.post(rita.base + f"/console/alerts/{aid}/escalate", data={"csrf": rita.csrf},
                  allow_redirects=False)
    assert r.status_code == 403
    dana = web_login(srv, "dana", page="/console/alerts")
    r = dana.post(dana.base + f"/console/alerts/{aid}/escalate", data={},
                  allow_redirects=False)
    assert r.status_code == 403
    r = dana.post(dana.base + f"/console/alerts/{aid}/escalate", data={"csrf": "0" * 64},
                  allow_redirects=False)
    assert r.status_code == 403
    assert srv.get("/api/v1/alerts?limit=500").json()["items"] == before
    assert srv.get("/api/v1/incidents").json()["items"] == []
    # no session: to the login
    import requests
    r = requests.get(srv.url + "/console/alerts", allow_redirects=False, timeout=60)
    assert r.status_code == 303 and "/console/login" in r.headers["Location"]
