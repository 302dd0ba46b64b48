"""The console's incidents (issue 14, web/console_incidents.c): the queue's filters, sorts and
pages, the incident page's actions seen through the API, CSRF and roles, the new incident
form, exports and what TLP withholds, and a TLP:RED incident kept off the public pages."""
import html
import json
import re

import html5lib
import pytest

from conftest import USER_PASSWORD, add_user, make_incident, make_org, web_login

REF_RE = re.compile(r'<a href="/console/incidents/(VIG-\d{4}-\d{6})">')


def queue(s, query=""):
    """The refs the queue lists on its first page, in order, and the page."""
    r = s.get(s.base + "/console/incidents" + query, timeout=60)
    return REF_RE.findall(r.text), r


def all_queue_pages(s, query=""):
    """Every ref of the queue page by page through its "Next page" links."""
    refs, url, pages = [], "/console/incidents" + query, 0
    while url:
        r = s.get(s.base + url, timeout=60)
        assert r.status_code == 200, r.text[:500]
        refs += REF_RE.findall(r.text)
        m = re.search(r'<a href="([^"]+)" rel="next">Next page</a>', r.text)
        url = html.unescape(m.group(1)) if m else None
        pages += 1
        assert pages < 20
    return refs, pages


def valid_html(text):
    p = html5lib.HTMLParser(strict=False)
    p.parse(text)
    assert p.errors == [], p.errors[:5]


def post(s, path, data, csrf=True):
    body = dict(data)
    if csrf is True:
        body["csrf"] = s.csrf
    elif csrf:
        body["csrf"] = csrf
    return s.post(s.base + path, data=body, allow_redirects=False, timeout=60)


@pytest.fixture
def console(user_server):
    """The server, an analyst session (dana) and a reader session (rita)."""
    add_user(user_server, "rita", "reader")
    dana = web_login(user_server, "dana", page="/console/incidents")
    rita = web_login(user_server, "rita", page="/console/incidents")
    return user_server, dana, rita


def test_queue_filters_narrow_to_exactly_the_expected(console):
    srv, dana, _ = console
    org = make_org(srv, "Ministry A")
    other = make_org(srv, "Agency B", kind="public-agency")
    a = make_incident(srv, title="a", severity="high", org=org["id"], tlp="RED")["ref"]
    b = make_incident(srv, title="b", severity="low", **{"class": "fraud", "type": "phishing"},
                      tlp="GREEN", org=other["id"])["ref"]
    c = make_incident(srv, title="c", severity="critical", tlp="AMBER+STRICT")["ref"]
    d = make_incident(srv, title="d", severity="high", org=org["id"])["ref"]
    assert srv.patch("/api/v1/incidents/" + c, {"status": "triage"}).status_code == 200
    assert srv.patch("/api/v1/incidents/" + d, {"assignee": "dana"}).status_code == 200

    assert queue(dana)[0] == [d, c, b, a]
    cases = {
        "?status=triage": [c],
        "?status=new": [d, b, a],
        "?class=fraud": [b],
        "?severity=high": [d, a],
        f"?org={org['id']}": [d, a],
        f"?org={other['id']}": [b],
        "?tlp=RED": [a],
        "?tlp=AMBER%2BSTRICT": [c],
        "?assignee=dana": [d],
        "?assignee=none": [c, b, a],
        "?assignee=rita": [],
        f"?severity=high&org={org['id']}&assignee=none": [a],
        # the filter form's "any" is an empty value
        "?status=&class=&severity=&org=&tlp=&assignee=&sort=": [d, c, b, a],
    }
    for q, want in cases.items():
        got, r = queue(dana, q)
        assert r.status_code == 200, q
        assert got == want, q
    got, r = queue(dana, "?assignee=rita")
    assert "No incident matches these filters." in r.text
    # a bad filter: 400, the error beside its field, the form kept
    got, r = queue(dana, "?status=open&severity=high")
    assert r.status_code == 400 and got == []
    assert 'id="status-error"' in r.text
    assert "status must be one of: new, triage" in r.text
    assert '<option value="high" selected>high</option>' in r.text
    valid_html(r.text)


def test_queue_rows_start_with_the_tlp_badge_and_show_the_fields(console):
    srv, dana, _ = console
    org = make_org(srv, "Ministry <A>")
    ref = make_incident(srv, title="Title <b>x</b>", severity="critical", tlp="RED",
                        org=org["id"])["ref"]
    srv.patch("/api/v1/incidents/" + ref, {"assignee": "dana"})
    r = dana.get(dana.base + "/console/incidents", timeout=60)
    assert r.status_code == 200
    valid_html(r.text)
    row = re.search(r"<tr><td>(.*?)</tr>", r.text.replace("\n", "")).group(1)
    assert row.startswith('<span class="tlp tlp-red">TLP:RED</span></td>')
    cells = re.findall(r"<td[^>]*>(.*?)</td>", "<td>" + row)
    assert cells[1] == f'<a href="/console/incidents/{ref}">{ref}</a>'
    assert cells[2:8] == ["Title &lt;b&gt;x&lt;/b&gt;", "new", "critical", "malicious-code",
                          "Ministry &lt;A&gt;", "dana"]
    assert "<time" in cells[8]
    for col in ("TLP", "Reference", "Title", "Status", "Severity", "Class", "Organisation",
                "Assignee", "Updated"):
        assert f'<th scope="col">{col}</th>' in r.text


def test_queue_sorts(console):
    srv, dana, _ = console
    sevs = ["low", "critical", "medium", "high"]
    refs = [make_incident(srv, title=f"s{k}", severity=v)["ref"] for k, v in enumerate(sevs)]
    srv.patch("/api/v1/incidents/" + refs[0], {"title": "touched"})
    assert queue(dana, "?sort=newest")[0] == refs[::-1]
    assert queue(dana, "?sort=oldest")[0] == refs
    assert queue(dana, "?sort=updated")[0] == [refs[0], refs[3], refs[2], refs[1]]
    assert queue(dana, "?sort=severity")[0] == [refs[1], refs[3], refs[2], refs[0]]
    r = queue(dana, "?sort=severity")[1]
    assert '<option value="severity" selected>Most severe first</option>' in r.text


def test_queue_pages_cover_every_incident_once(console):
    srv, dana, _ = console
    refs = []
    for k in range(57):
        refs.append(make_incident(srv, title=f"p{k}", severity=["low", "high"][k % 2])["ref"])
    srv.patch("/api/v1/incidents/" + refs[3], {"assignee": "dana"})
    got, pages = all_queue_pages(dana)
    assert pages == 2 and got == refs[::-1]
    for sort in ("oldest", "updated", "severity"):
        got, pages = all_queue_pages(dana, "?sort=" + sort)
        assert pages == 2, sort
        assert sorted(got) == sorted(refs) and len(set(got)) == 57, sort
    # the next page keeps the filters
    got, pages = all_queue_pages(dana, "?severity=high&sort=oldest")
    assert got == [r for k, r in enumerate(refs) if k % 2 == 1] and pages == 1
    r = dana.get(dana.base + "/console/incidents?sort=severity&status=new", timeout=60)
    nxt = html.unescape(re.search(r'<a href="([^"]+)" rel="next">', r.text).group(1))
    assert "status=new" in nxt and "sort=severity" in nxt and "cursor=s0" in nxt
    # a cursor this server did not give is an error beside the filters, not a crash
    r = dana.get(dana.base + "/console/incidents?cursor=zz", timeout=60)
    assert r.status_code == 400 and "cursor is not one this server gave" in r.text


def transitions(text):
    return re.findall(r'<button type="submit" name="status" value="([a-z]+)">', text)


def test_the_page_offers_exactly_the_allowed_transitions(console):
    srv, dana, rita = console
    ref = make_incident(srv)["ref"]
    allowed = {
        "new": ["triage", "rejected"],
        "triage": ["analysis", "rejected", "closed"],
        "analysis": ["containment", "closed"],
        "containment": ["eradication"],
        "eradication": ["recovery"],
        "recovery": ["closed"],
        "closed": ["triage"],
    }
    path = "/console/incidents/" + ref
    for status in ["new", "triage", "analysis", "containment", "eradication", "recovery",
                   "closed"]:
        r = dana.get(dana.base + path, timeout=60)
        assert r.status_code == 200
        assert f'<strong class="status">{status}</strong>' in r.text
        assert transitions(r.text) == allowed[status], status
        valid_html(r.text)
        # the reader sees the status but no button
        r = rita.get(rita.base + path, timeout=60)
        assert f'<strong class="status">{status}</strong>' in r.text
        assert transitions(r.text) == []
        walk = ["new", "triage", "analysis", "containment", "eradication", "recovery", "closed"]
        if status != "closed":
            nxt = walk[walk.index(status) + 1]
            r = post(dana, path + "/status", {"status": nxt})
            assert r.status_code == 303 and r.headers["Location"] == path
            assert srv.get("/api/v1/incidents/" + ref).json()["status"] == nxt
    # closed -> rejected is not allowed: 409, the page again with the message beside the form
    r = post(dana, path + "/status", {"status": "rejected"})
    assert r.status_code == 409
    assert "allowed: triage" in r.text and 'class="error" role="alert"' in r.text
    assert transitions(r.text) == ["triage"]
    assert srv.get("/api/v1/incidents/" + ref).json()["status"] == "closed"
    r = post(dana, path + "/status", {"status": "done"})
    assert r.status_code == 400 and "/status must be one of" in r.text


def test_every_action_is_seen_through_the_api(console):
    srv, dana, _ = console
    ref = make_incident(srv, observables=["10.0.0.1"], tlp="AMBER")["ref"]
    other = make_incident(srv, title="the other one", observables=["evil.example.net"])["ref"]
    path = "/console/incidents/" + ref
    api = lambda: srv.get("/api/v1/incidents/" + ref).json()  # noqa: E731

    # assign, then unassign
    assert post(dana, path + "/assignee", {"assignee": "dana"}).status_code == 303
    assert api()["assignee"] == "dana"
    r = dana.get(dana.base + path, timeout=60)
    assert '<option value="dana" selected>dana</option>' in r.text
    assert post(dana, path + "/assignee", {"assignee": ""}).status_code == 303
    assert api()["assignee"] is None
    r = post(dana, path + "/assignee", {"assignee": "ghost"})
    assert r.status_code == 400 and "/assignee: no user &#39;ghost&#39;" in r.text
    assert 'id="assignee-error"' in r.text and api()["assignee"] is None

    # a note
    assert post(dana, path + "/note", {"text": "Called the <b>CISO</b>"}).status_code == 303
    notes = [t for t in api()["timeline"] if t["action"] == "note"]
    assert notes[-1]["detail"]["text"] == "Called the <b>CISO</b>" and notes[-1]["actor"] == "dana"
    r = dana.get(dana.base + path, timeout=60)
    assert '<p class="note">Called the &lt;b&gt;CISO&lt;/b&gt;</p>' in r.text
    r = post(dana, path + "/note", {"text": ""})
    assert r.status_code == 400 and 'id="text-error"' in r.text
    assert "/text must be a non-empty string" in r.text

    # an observable, its type detected, then one with its own TLP; it relates the other one
    r = post(dana, path + "/observable", {"value": "Evil.Example.NET", "type": "", "tlp": ""})
    assert r.status_code == 303
    obs = {o["value"]: o for o in api()["observables"]}
    assert obs["evil.example.net"]["type"] == "domain-name"
    assert obs["evil.example.net"]["tlp"] == "AMBER"
    r = post(dana, path + "/observable", {"value": "10.9.9.9", "type": "ipv4-addr",
                                          "tlp": "GREEN"})
    assert r.status_code == 303
    obs = {o["value"]: o for o in api()["observables"]}
    assert obs["10.9.9.9"]["tlp"] == "GREEN" and obs["10.9.9.9"]["type"] == "ipv4-addr"
    r = dana.get(dana.base + path, timeout=60)
    related = r.text.split("<h2>Related incidents</h2>")[1].split("<h2>")[0]
    assert f'<a href="/console/incidents/{other}">{other}</a>' in related
    assert "<code>evil.example.net</code>" in related and "the other one" in related
    api_rel = srv.get(f"/api/v1/incidents/{ref}/related").json()["related"]
    assert [x["ref"] for x in api_rel] == [other]
    # a bad observable: 400, beside the value field, what was typed kept
    r = post(dana, path + "/observable", {"value": "not an observable at all", "type": "",
                                          "tlp": ""})
    assert r.status_code == 400 and 'id="value-error"' in r.text
    assert 'value="not an observable at all"' in r.text
    r = post(dana, path + "/observable", {"value": "10.1.1.1", "tlp": "PURPLE"})
    assert r.status_code == 400 and "/tlp must be one of" in r.text

    # a playbook step, done then not done
    step = api()["steps"][0]["id"]
    assert post(dana, path + "/step", {"step": step, "done": "on"}).status_code == 303
    s0 = api()["steps"][0]
    assert s0["done"] is True and s0["done_by"] == "dana"
    r = dana.get(dana.base + path, timeout=60)
    assert '<li class="step done"><span class="badge">Done</span>' in r.text
    assert post(dana, path + "/step", {"step": step, "done": "off"}).status_code == 303
    assert api()["steps"][0]["done"] is False
    r = post(dana, path + "/step", {"step": "no-such-step", "done": "on"})
    assert r.status_code == 404 and "Playbook" in r.text
    r = post(dana, path + "/step", {"step": step, "done": "maybe"})
    assert r.status_code == 400 and "/done must be true or false" in r.text

    # the timeline is newest first
    r = dana.get(dana.base + path, timeout=60)
    tl = r.text.split("<h2>Timeline (newest first)</h2>")[1]
    actions = re.findall(r"<strong>([a-z]+)</strong>", tl)
    assert actions[-1] == "created" and actions[0] == "step"
    # an unknown action and an unknown incident
    assert post(dana, path + "/frobnicate", {}).status_code == 404
    assert post(dana, "/console/incidents/VIG-2026-999999/note", {"text": "x"}).status_code == 404
    assert dana.get(dana.base + "/console/incidents/VIG-2026-999999").status_code == 404


def test_csrf_missing_or_wrong_is_refused_and_changes_nothing(console):
    srv, dana, _ = console
    ref = make_incident(srv)["ref"]
    path = "/console/incidents/" + ref
    before = srv.get("/api/v1/incidents/" + ref).json()
    for csrf in (None, "0" * 64, dana.csrf[:-1] + ("0" if dana.csrf[-1] != "0" else "1")):
        for action, data in (("/status", {"status": "triage"}), ("/note", {"text": "x"}),
                             ("/assignee", {"assignee": "dana"}),
                             ("/observable", {"value": "1.2.3.4"})):
            r = post(dana, path + action, data, csrf=csrf if csrf else False)
            assert r.status_code == 403, (action, csrf)
        r = post(dana, "/console/incidents",
                 {"title": "x", "class": "fraud", "type": "phishing"}, csrf=csrf or False)
        assert r.status_code == 403
    assert srv.get("/api/v1/incidents/" + ref).json() == before
    assert len(srv.get("/api/v1/incidents").json()["items"]) == 1


def test_a_reader_sees_no_form_and_is_refused(console):
    srv, _, rita = console
    org = make_org(srv, "O")
    ref = make_incident(srv, observables=["1.2.3.4"], org=org["id"])["ref"]
    path = "/console/incidents/" + ref
    before = srv.get("/api/v1/incidents/" + ref).json()
    r = rita.get(rita.base + path, timeout=60)
    assert r.status_code == 200 and "<code>1.2.3.4</code>" in r.text
    main = r.text.split('<main id="main">')[1]
    assert 'method="post"' not in main and "<button" not in main
    assert "/share" not in main
    r = rita.get(rita.base + "/console/incidents", timeout=60)
    assert "New incident" not in r.text and ref in r.text
    for action, data in (("/status", {"status": "triage"}), ("/note", {"text": "x"}),
                         ("/assignee", {"assignee": "rita"}), ("/step", {"step": "x"}),
                         ("/observable", {"value": "5.6.7.8"})):
        assert post(rita, path + action, data).status_code == 403, action
    assert post(rita, "/console/incidents",
                {"title": "x", "class": "fraud", "type": "phishing"}).status_code == 403
    for p in ("/console/incidents/new", path + "/share", path + "/export?format=misp"):
        assert rita.get(rita.base + p, allow_redirects=False).status_code == 403, p
    assert srv.get("/api/v1/incidents/" + ref).json() == before
    assert len(srv.get("/api/v1/incidents").json()["items"]) == 1


def test_create_form(console):
    srv, dana, _ = console
    org = make_org(srv, "Ministry C")
    r = dana.get(dana.base + "/console/incidents/new", timeout=60)
    assert r.status_code == 200
    valid_html(r.text)
    assert f'<option value="{org["id"]}">Ministry C</option>' in r.text
    assert '<option value="intrusions">intrusions</option>' in r.text
    # errors beside their fields, everything typed kept
    typed = {"title": "", "class": "malicious-code", "type": "infected-system",
             "severity": "high", "tlp": "RED", "org": str(org["id"]),
             "description": "desc <i>kept</i>", "observables": "1.2.3.4\nnot-an-observable !"}
    r = post(dana, "/console/incidents", typed)
    assert r.status_code == 400 and 'id="title-error"' in r.text
    assert "desc &lt;i&gt;kept&lt;/i&gt;" in r.text
    assert '<option value="RED" selected>RED</option>' in r.text
    assert f'<option value="{org["id"]}" selected>Ministry C</option>' in r.text
    typed["title"] = "Ransomware at C"
    r = post(dana, "/console/incidents", typed)
    assert r.status_code == 400 and 'id="observables-error"' in r.text
    assert "1.2.3.4\nnot-an-observable !" in r.text
    r = post(dana, "/console/incidents", dict(typed, observables="", type="phishing"))
    assert r.status_code == 400 and 'id="type-error"' in r.text
    assert len(srv.get("/api/v1/incidents").json()["items"]) == 0
    # success: 303 to its page, as the API sees it
    typed["observables"] = "1.2.3.4\r\n  evil.example.org  \r\n\r\n"
    r = post(dana, "/console/incidents", typed)
    assert r.status_code == 303
    ref = r.headers["Location"].rsplit("/", 1)[1]
    assert r.headers["Location"] == "/console/incidents/" + ref
    inc = srv.get("/api/v1/incidents/" + ref).json()
    assert (inc["title"], inc["severity"], inc["tlp"], inc["org"], inc["created_by"]) == (
        "Ransomware at C", "high", "RED", org["id"], "dana")
    assert inc["description"] == "desc <i>kept</i>"
    assert [(o["type"], o["value"]) for o in inc["observables"]] == [
        ("ipv4-addr", "1.2.3.4"), ("domain-name", "evil.example.org")]


def test_export_shows_what_tlp_withholds_and_downloads_the_api_document(console):
    srv, dana, _ = console
    ref = make_incident(srv, tlp="AMBER", observables=["198.51.100.7"])["ref"]
    for value, tlp in (("green.example.com", "GREEN"), ("red.example.com", "RED")):
        r = srv.post(f"/api/v1/incidents/{ref}/observables", {"value": value, "tlp": tlp})
        assert r.status_code == 201, r.text
    r = srv.post("/api/v1/partners", {"name": "CERT-Green", "country": "FR",
                                      "networks": ["first"], "max_tlp": "GREEN"})
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    path = "/console/incidents/" + ref
    r = dana.get(dana.base + path, timeout=60)
    assert f'href="{path}/share?format=misp"' in r.text
    assert f'href="{path}/share?format=stix"' in r.text

    def sections(text):
        inc = text.split("<h2>Included</h2>")[1].split("<h2>")[0]
        wh = text.split("<h2>Withheld by TLP</h2>")[1]
        return (re.findall(r"<code>([^<]+)</code>", inc), re.findall(r"<code>([^<]+)</code>", wh))

    # internal: everything
    r = dana.get(dana.base + path + "/share?format=misp", timeout=60)
    assert r.status_code == 200
    valid_html(r.text)
    assert sections(r.text) == (["198.51.100.7", "green.example.com", "red.example.com"], [])
    assert "Nothing is withheld from this recipient." in r.text
    # a GREEN partner: the AMBER incident itself is withheld
    r = dana.get(dana.base + f"{path}/share?format=stix&to={pid}", timeout=60)
    assert r.status_code == 200 and "The whole incident is withheld" in r.text
    # an AMBER partner gets the AMBER and GREEN ones, not the RED one
    r = srv.post("/api/v1/partners", {"name": "CERT-Amber", "country": "DE",
                                      "networks": ["first"], "max_tlp": "AMBER"})
    amber = r.json()["id"]
    r = dana.get(dana.base + f"{path}/share?format=stix&to={amber}", timeout=60)
    assert sections(r.text) == (["198.51.100.7", "green.example.com"], ["red.example.com"])
    assert f'<option value="{amber}" selected>' in r.text
    # the download is the API's document, as an attachment
    m = re.search(r'<a href="([^"]+/export\?[^"]+)"', r.text)
    url = html.unescape(m.group(1))
    assert url == f"{path}/export?format=stix&to={amber}"
    dl = dana.get(dana.base + url, timeout=60)
    assert dl.status_code == 200
    assert dl.headers["Content-Disposition"] == f'attachment; filename="{ref}-stix.json"'
    ours, theirs = dl.json(), srv.get(f"/api/v1/incidents/{ref}/export?format=stix&to={amber}")
    assert theirs.status_code == 200
    strip = lambda doc: [o for o in doc["objects"] if o["type"] != "identity"]  # noqa: E731
    assert len(strip(ours)) == len(strip(theirs.json()))
    assert "red.example.com" not in dl.text and "green.example.com" in dl.text
    dl = dana.get(dana.base + f"{path}/export?format=misp", timeout=60)
    assert dl.status_code == 200 and "red.example.com" in dl.text
    assert json.loads(dl.text)["Event"]["info"]
    assert dana.get(dana.base + f"{path}/export?format=csv").status_code == 400
    assert dana.get(dana.base + f"{path}/share?format=csv").status_code == 400
    assert dana.get(dana.base + f"{path}/share?to=999").status_code == 404


def test_red_incident_only_in_the_console(console):
    srv, dana, rita = console
    secret_title, secret_obs = "Zorglub-RED-title-8731", "zorglub-red-8731.example.com"
    ref = make_incident(srv, title=secret_title, tlp="RED", observables=[secret_obs])["ref"]
    for s in (dana, rita):
        r = s.get(s.base + "/console/incidents/" + ref, timeout=60)
        assert secret_title in r.text and secret_obs in r.text
        assert secret_title in s.get(s.base + "/console/incidents", timeout=60).text
    import requests
    anon = requests.Session()
    for p in ("/", "/report", "/advisories/", "/guides/", "/advisories", "/guides",
              "/console/incidents", "/console/incidents/" + ref):
        r = anon.get(srv.url + p, timeout=60)
        assert secret_title not in r.text and secret_obs not in r.text, p
        assert ref not in r.text or p.startswith("/console/incidents/"), p
    # the console without a session sends to its login page
    r = anon.get(srv.url + "/console/incidents/" + ref, allow_redirects=False, timeout=60)
    assert r.status_code == 303 and r.headers["Location"].startswith("/console/login")
