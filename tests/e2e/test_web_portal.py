"""The public portal (issue 14): the home (the constituency served and not, the latest alerts
and advisories through the TLP gate, how to report, links that answer), the report form (the
same intake, eligibility and limits as POST /api/v1/reports; errors beside their fields with
everything typed kept; honeypot; minimum fill time), the stylesheet and the script, and the
console login `vigie serve --demo` prints."""
import re
import time
import xml.etree.ElementTree as ET

import html5lib
import pytest
import requests

from conftest import connect, Server, wait_for

REDIRECT = "https://www.cybermalveillance.gouv.fr/"
SITE = "https://cert.example.org"
NS = "{http://www.w3.org/1999/xhtml}"
ELIGIBLE = ["Ministries", "Public agencies", "Local authorities",
            "Operators of vital importance (OIV)", "Operators of essential services (OSE)"]
XSS = "<script>alert(1)</script>"


def start(tmp_path, *extra):
    return Server(tmp_path / "vigie.db", extra=["--site-url", SITE, *extra])


def stop(srv):
    rc, err = srv.stop()
    assert rc == 0, f"server exited {rc} on SIGTERM: {err[-3000:]}"


@pytest.fixture
def portal(tmp_path):
    srv = start(tmp_path, "--report-rate", "100000", "--report-min-seconds", "0")
    yield srv
    rc, err = srv.stop()
    assert rc == 0, f"server exited {rc} on SIGTERM: {err[-3000:]}"


def get(srv, path, **kw):
    return requests.get(srv.url + path, timeout=60, allow_redirects=False, **kw)


def parse(html):
    """The page parsed strictly (html5lib raises on any parse error) as an element tree."""
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=True).parse(html)


def text_of(el):
    return re.sub(r"\s+", " ", "".join(el.itertext())).strip()


def find_all(doc, tag):
    return list(doc.iter(NS + tag))


def by_id(doc, ident):
    for el in doc.iter():
        if el.get("id") == ident:
            return el
    return None


def section(doc, ident):
    """The <section> whose heading has id ident."""
    for s in find_all(doc, "section"):
        if s.get("aria-labelledby") == ident:
            return s
    raise AssertionError(f"no section {ident}")


def check_page(r):
    """What every portal page holds: HTML with the CSP, valid, lang set, a label for every
    visible input, unique ids, headings in order, no inline style or script."""
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and \
        "style-src 'self'" in csp
    doc = parse(r.text)
    assert doc.get("lang") == "en"
    ids = [el.get("id") for el in doc.iter() if el.get("id")]
    assert len(ids) == len(set(ids)), ids
    labels = {lab.get("for") for lab in find_all(doc, "label")}
    for tag in ("input", "select", "textarea"):
        for el in find_all(doc, tag):
            if el.get("type") != "hidden":
                assert el.get("id") in labels, ET.tostring(el)
    levels = [int(el.tag[-1]) for el in doc.iter() if re.fullmatch(NS + r"h[1-6]", el.tag)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), levels
    assert not any(el.get("style") is not None for el in doc.iter())
    assert all(s.get("src") for s in find_all(doc, "script"))
    return doc


def publish_advisory(srv, author, reviewer, kind, title, tlp="CLEAR"):
    body = {"kind": kind, "title": title, "tlp": tlp, "summary": "Résumé.",
            "solution": "Mettre à jour."}
    if kind != "guide":
        body["affected_systems"] = [{"vendor": "Acme", "product": "Gateway",
                                     "versions": "< 1.10.3", "fixed": "1.10.3"}]
        body["risks"] = ["remote code execution"]
    r = srv.post("/api/v1/advisories", body, token=author)
    assert r.status_code == 201, r.text
    ref = r.json()["ref"]
    assert srv.post(f"/api/v1/advisories/{ref}/submit", {}, token=author).status_code == 200
    r = srv.post(f"/api/v1/advisories/{ref}/publish", {}, token=reviewer)
    assert r.status_code == 200, r.text
    return ref


# ---- the home ----

def test_home_says_who_is_served_and_sends_the_others_to_the_redirect_url(tmp_path):
    srv = start(tmp_path, "--redirect-url", "https://help.example.net/victims")
    try:
        r = get(srv, "/")
        assert r.status_code == 200
        doc = check_page(r)
        served = section(doc, "served")
        # the constituency: exactly the kinds core deems eligible
        items = [text_of(li) for li in served.iter(NS + "li")]
        assert items == ELIGIBLE
        links = [a for a in served.iter(NS + "a") if a.get("class") == "redirect"]
        assert [a.get("href") for a in links] == ["https://help.example.net/victims"]
        assert "Individuals, small businesses" in text_of(served)
        # nothing published yet: the empty states say so
        for ident, words in (("alerts", "No alert has been published yet."),
                             ("advisories", "No advisory has been published yet.")):
            empty = section(doc, ident).find(f"{NS}p[@class='empty']")
            assert empty.text == words
            assert section(doc, ident).find(f".//{NS}li") is None
        how = text_of(section(doc, "report"))
        assert "POST /api/v1/reports" in how
        assert [a.get("href") for a in section(doc, "report").iter(NS + "a")] == ["/report"]
    finally:
        stop(srv)


def test_home_lists_the_latest_public_alerts_and_advisories(portal):
    author, reviewer = portal.token("alice", "analyst"), portal.token("bob", "analyst")
    alerts = [publish_advisory(portal, author, reviewer, "alerte", f"Alerte {i} {XSS}")
              for i in range(6)]
    avis = publish_advisory(portal, author, reviewer, "avis", "Avis sur Acme")
    amber = publish_advisory(portal, author, reviewer, "avis", "Avis restreint", tlp="AMBER")
    guide = publish_advisory(portal, author, reviewer, "guide", "Guide des sauvegardes")
    r = get(portal, "/")
    assert r.status_code == 200
    doc = check_page(r)
    shown = section(doc, "alerts")
    lis = list(shown.iter(NS + "li"))
    # five, newest first; the oldest sixth is left out
    assert [li.find(NS + "span").text for li in lis] == alerts[:0:-1]
    first = lis[0]
    assert first.find(NS + "a").get("href") == f"/advisories/{alerts[5]}/"
    assert first.find(NS + "a").text == f"Alerte 5 {XSS}"  # as text, escaped in the page
    assert XSS not in r.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", first.find(NS + "time").text)
    adv = [text_of(li) for li in section(doc, "advisories").iter(NS + "li")]
    assert len(adv) == 1 and avis in adv[0] and "Avis sur Acme" in adv[0]
    # the TLP gate: a TLP:AMBER advisory is not public; guides are not advisories
    assert amber not in r.text and "Avis restreint" not in r.text and guide not in r.text
    # each item's page answers
    for li in lis + list(section(doc, "advisories").iter(NS + "li")):
        assert get(portal, li.find(NS + "a").get("href")).status_code == 200


def test_every_link_of_the_home_answers(portal):
    author, reviewer = portal.token("alice", "analyst"), portal.token("bob", "analyst")
    publish_advisory(portal, author, reviewer, "alerte", "Alerte")
    publish_advisory(portal, author, reviewer, "guide", "Guide")
    doc = parse(get(portal, "/").text)
    refs = {a.get("href") for a in doc.iter(NS + "a")}
    refs |= {el.get("src") or el.get("href") for el in doc.iter()
             if el.tag in (NS + "script", NS + "link")}
    for feed in ("/advisories/", "/advisories/feed.atom", "/guides/", "/guides/feed.atom",
                 "/report", "/static/vigie.css", "/static/vigie.js"):
        assert feed in refs
    # the console's pages are its own tests' (they need a session)
    local = sorted(h for h in refs if h.startswith("/") and not h.startswith("/console/"))
    assert len(local) == 9, local
    for href in local:
        assert get(portal, href).status_code == 200, href
    for feed in ("/advisories/feed.atom", "/guides/feed.atom"):
        r = get(portal, feed)
        assert r.headers["Content-Type"].startswith("application/atom+xml")
        assert ET.fromstring(r.content).tag == "{http://www.w3.org/2005/Atom}feed"


# ---- the report form ----

def form(**over):
    f = {"reporter-name": "Jo Agent", "reporter-email": "jo@dept.example",
         "reporter-phone": "+33 1 23 45 67 89", "organisation-name": "Préfecture du Nord",
         "organisation-kind": "public-agency", "title": "Rançongiciel sur le serveur RH",
         "description": "Fichiers chiffrés ce matin.\nNote de rançon.",
         "occurred": "2026-12-01", "observables": "185.220.101.7\n\n  evil.example  \n",
         "website": "", "started": "x"}
    f.update(over)
    return {k: v for k, v in f.items() if v is not None}


def post_report(srv, data):
    return requests.post(srv.url + "/report", data=data, timeout=60, allow_redirects=False)


def typed_values(doc):
    """The values the form shows: inputs, textareas, selected options, by name."""
    out = {}
    for el in find_all(doc, "input"):
        if el.get("type") != "hidden":
            out[el.get("name")] = el.get("value", "")
    for el in find_all(doc, "textarea"):
        out[el.get("name")] = el.text or ""
    for el in find_all(doc, "select"):
        sel = [o.get("value") for o in el.iter(NS + "option") if o.get("selected") is not None]
        out[el.get("name")] = sel[0] if sel else ""
    return out


def incidents(srv):
    return srv.get("/api/v1/incidents").json()["items"]


def intake_log(srv):
    db = connect(srv.db)
    try:
        return db.execute("SELECT decision, reporter_email, org_name, org_kind, incident_ref "
                          "FROM intake ORDER BY id").fetchall()
    finally:
        db.close()


def test_the_form_page(portal):
    r = get(portal, "/report")
    assert r.status_code == 200
    doc = check_page(r)
    f = doc.find(f".//{NS}form[@action='/report']")
    assert f.get("method") == "post"
    names = [el.get("name") for el in f.iter() if el.get("name")]
    assert names == ["started", "reporter-name", "reporter-email", "reporter-phone",
                     "organisation-name", "organisation-kind", "title", "description",
                     "occurred", "observables", "website"]
    kinds = [o.get("value") for o in by_id(doc, "organisation-kind").iter(NS + "option")]
    assert kinds == ["", "ministry", "public-agency", "local-authority", "oiv", "ose",
                     "private-company", "sme", "individual", "other"]
    hp = by_id(doc, "website")
    assert hp.get("autocomplete") == "off" and hp.get("tabindex") == "-1"
    assert doc.find(f".//{NS}div[@class='honeypot']/{NS}label").text == "Leave this field empty"
    assert re.fullmatch(r"\d+\.[0-9a-f]{64}",
                        doc.find(f".//{NS}input[@name='started']").get("value"))
    for name in ("reporter-name", "reporter-email", "organisation-name", "title"):
        assert by_id(doc, name).get("required") is not None
    assert by_id(doc, "reporter-phone").get("required") is None


def test_an_eligible_report_opens_the_incident_with_what_was_typed(portal):
    # a browser sends a textarea's line ends as CRLF: kept as LF
    r = post_report(portal, form(description="Fichiers chiffrés ce matin.\r\nNote de rançon."))
    assert r.status_code == 201, r.text
    doc = check_page(r)
    ref = doc.find(f".//{NS}strong[@class='ref']").text
    assert re.fullmatch(r"VIG-\d{4}-\d{6}", ref)
    assert "What happens next" in text_of(doc)
    inc = portal.get("/api/v1/incidents/" + ref).json()
    assert inc["title"] == "Rançongiciel sur le serveur RH"
    assert inc["description"] == "Fichiers chiffrés ce matin.\nNote de rançon."
    assert inc["reporter"] == {"name": "Jo Agent", "email": "jo@dept.example",
                               "phone": "+33 1 23 45 67 89"}
    assert inc["occurred"] == "2026-12-01T00:00:00Z"
    assert [(o["type"], o["value"]) for o in inc["observables"]] == \
        [("ipv4-addr", "185.220.101.7"), ("domain-name", "evil.example")]
    assert inc["unverified"] is True and inc["status"] == "new" and inc["created_by"] == "intake"
    assert intake_log(portal) == [("accepted", "jo@dept.example", "Préfecture du Nord",
                                   "public-agency", ref)]


def test_an_ineligible_report_is_redirected_without_an_incident(portal):
    for kind in ("sme", "individual"):
        r = post_report(portal, form(**{"organisation-kind": kind}))
        assert r.status_code == 200, r.text
        doc = check_page(r)
        assert doc.find(f".//{NS}h1").text == "This CERT cannot take your report"
        links = [a.get("href") for a in doc.iter(NS + "a") if a.get("class") == "redirect"]
        assert links == [REDIRECT]
        assert "no incident was opened" in text_of(doc)
        assert [text_of(li) for li in doc.find(f".//{NS}ul[@class='constituency']")] == \
            ELIGIBLE
    assert incidents(portal) == []
    assert [row[0] for row in intake_log(portal)] == ["redirect", "redirect"]


@pytest.mark.parametrize("over,field,message", [
    ({"reporter-name": ""}, "reporter-name", "This field is required"),
    ({"reporter-email": "not-an-address"}, "reporter-email",
     "This field is not an e-mail address"),
    ({"organisation-name": "x" * 300}, "organisation-name", None),
    ({"organisation-kind": ""}, "organisation-kind", "This field is required"),
    ({"organisation-kind": "martian"}, "organisation-kind", None),
    ({"title": ""}, "title", "This field is required"),
    ({"description": ""}, "description", "This field is required"),
    ({"occurred": "yesterday"}, "occurred", None),
    ({"observables": "185.220.101.7\n\nnot an observable!!\n"}, "observables",
     "Line 3 is not an IP address or network, a domain name, a URL, an e-mail address or a "
     "file hash"),
    ({"observables": "10.0.0.0/8\n0.0.0.0/1"}, "observables", None),
])
def test_each_error_is_shown_beside_its_field_with_everything_typed_kept(portal, over, field,
                                                                         message):
    sent = form(**{"title": f"Titre {XSS}", **over})
    r = post_report(portal, sent)
    assert r.status_code == 400, r.text
    doc = check_page(r)
    errors = [el for el in doc.iter(NS + "p") if el.get("class") == "error"]
    assert [e.get("id") for e in errors] == [field + "-error"]
    if message:
        assert errors[0].text == message
    summary = doc.find(f".//{NS}p[@role='alert']")
    assert summary.text == "The report could not be sent: see "
    assert summary.find(NS + "a").get("href") == "#" + field
    el = by_id(doc, field)
    assert el.get("aria-invalid") == "true" and el.get("aria-describedby") == field + "-error"
    assert "has-error" in doc.find(f".//{NS}div[@class='field has-error']").get("class")
    shown = typed_values(doc)
    for name, value in sent.items():
        if name in ("started", "website"):
            continue
        if (name, value) in (("occurred", "yesterday"), ("organisation-kind", "martian")):
            continue  # a date field holds a date only, a list its options
        assert shown[name] == value, name
    assert incidents(portal) == []


def test_the_honeypot_stores_nothing_and_logs_spam(portal):
    r = post_report(portal, form(website="http://cheap-pills.example"))
    assert r.status_code == 200
    doc = check_page(r)
    assert "Thank you" in text_of(doc.find(f".//{NS}main"))
    assert doc.find(f".//{NS}strong[@class='ref']") is None
    assert incidents(portal) == []
    assert intake_log(portal) == [("spam", "jo@dept.example", "Préfecture du Nord",
                                   "public-agency", None)]
    # a robot's report without any field is logged all the same
    r = post_report(portal, {"website": "x"})
    assert r.status_code == 200 and intake_log(portal)[-1] == ("spam", "", "", "", None)


def test_a_form_sent_too_soon_is_given_again_with_its_text(tmp_path):
    srv = start(tmp_path, "--report-rate", "100000")  # the default minimum: 3 s
    try:
        doc = parse(get(srv, "/report").text)
        started = doc.find(f".//{NS}input[@name='started']").get("value")
        t0 = time.monotonic()
        r = post_report(srv, form(started=started))
        assert r.status_code == 400
        doc = check_page(r)
        alert = doc.find(f".//{NS}p[@role='alert']")
        assert "sent too quickly" in alert.text and "send it again" in alert.text
        assert typed_values(doc)["title"] == "Rançongiciel sur le serveur RH"
        # missing, forged or from the future: the same
        ts, mac = started.split(".")
        for bad in (None, "", ts, f"{int(ts) - 100}.{mac}", f"{ts}.{'0' * 64}",
                    f"{int(ts) + 3600}.{mac}", "abc.def"):
            r = post_report(srv, form(started=bad))
            assert r.status_code == 400 and "sent too quickly" in r.text, bad
        assert incidents(srv) == []

        def sent():
            r = post_report(srv, form(started=started))
            return r if r.status_code == 201 else None
        r = wait_for(sent, timeout=10, interval=0.25, what="the minimum fill time to pass")
        assert time.monotonic() - t0 >= 2.0
        assert len(incidents(srv)) == 1
    finally:
        stop(srv)


def test_the_form_shares_the_apis_rate_limit_and_answers_429_with_the_text(tmp_path):
    srv = start(tmp_path, "--report-rate", "2", "--report-min-seconds", "0")
    try:
        assert post_report(srv, form()).status_code == 201
        assert post_report(srv, form(**{"organisation-kind": "sme"})).status_code == 200
        r = post_report(srv, form(title="Troisième"))
        assert r.status_code == 429
        assert 1 <= int(r.headers["Retry-After"]) <= 60
        doc = check_page(r)
        assert "Too many reports" in doc.find(f".//{NS}p[@role='alert']").text
        assert typed_values(doc)["title"] == "Troisième"
        # one bucket for both doors
        api = srv.post("/api/v1/reports", {}, token="")
        assert api.status_code == 429
        assert len(incidents(srv)) == 1
    finally:
        stop(srv)


def test_the_api_drains_the_forms_bucket_too(tmp_path):
    srv = start(tmp_path, "--report-rate", "1", "--report-min-seconds", "0")
    try:
        body = {"reporter": {"name": "Jo", "email": "jo@x.example"},
                "organisation": {"name": "X", "kind": "sme"}, "title": "t", "description": "d"}
        assert srv.post("/api/v1/reports", body, token="").status_code == 200
        r = post_report(srv, form())
        assert r.status_code == 429 and "Retry-After" in r.headers
    finally:
        stop(srv)


def test_over_the_global_cap_the_report_waits_in_the_queue(tmp_path):
    srv = start(tmp_path, "--report-rate", "100000", "--report-min-seconds", "0",
                "--report-global-rate", "1")
    try:
        assert post_report(srv, form()).status_code == 201
        r = post_report(srv, form(title="Deuxième"))
        assert r.status_code == 202
        doc = check_page(r)
        number = doc.find(f".//{NS}strong[@class='ref']").text
        held = srv.get("/api/v1/reports/queue").json()["items"]
        assert [str(h["id"]) for h in held] == [number]
        assert len(incidents(srv)) == 1
    finally:
        stop(srv)


# ---- the stylesheet and the script ----

def luminance(hexcolour):
    def ch(c):
        c = int(c, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (ch(hexcolour[i:i + 2]) for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b):
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_static_assets(portal):
    css = get(portal, "/static/vigie.css")
    assert css.status_code == 200
    assert css.headers["Content-Type"] == "text/css; charset=utf-8"
    assert css.headers["Cache-Control"] == "public, max-age=3600"
    js = get(portal, "/static/vigie.js")
    assert js.status_code == 200
    assert js.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert js.headers["Cache-Control"] == "public, max-age=3600"
    assert "data-filter-for" in js.text
    assert get(portal, "/static/..%2Fvigie.db").status_code in (400, 404)
    for missing in ("/static/other.css", "/static/vigie.css.map", "/static/vigie.css/x"):
        r = get(portal, missing)
        assert r.status_code == 404 and r.headers["Content-Type"].startswith("text/html")
        assert "Page not found" in r.text
    lines = css.text.splitlines()
    want = {"red": "FF2B2B", "amber": "FFC000", "amber-strict": "FFC000", "green": "33FF00",
            "clear": "FFFFFF"}
    for name, colour in want.items():
        line = f".tlp-{name}{{color:#{colour};background:#000}}"
        assert line in lines, line
        assert contrast(colour, "000000") >= 4.5
    assert any(ln.startswith(".tlp{") for ln in lines)
    # body text, links and errors on white, the header's text on its colour
    for fg, bg in (("1a1a1a", "ffffff"), ("0b4f9c", "ffffff"), ("b00020", "ffffff"),
                   ("4a4a4a", "ffffff"), ("ffffff", "13294b"), ("b00020", "fdecee"),
                   ("1a1a1a", "f3f5f7"), ("1a1a1a", "e4e8ee"), ("ffffff", "0b4f9c")):
        assert contrast(fg, bg) >= 4.5, (fg, bg)
        assert f"#{fg}" in css.text.lower() or fg in ("ffffff",)
    assert ".honeypot{position:absolute;left:-10000px" in css.text
    assert ".skip:focus{left:0}" in css.text


def test_every_portal_page_has_the_csp(portal):
    pages = [get(portal, "/"), get(portal, "/report"), get(portal, "/static/nothing"),
             get(portal, "/no/such/page"), post_report(portal, form()),
             post_report(portal, form(title="")),
             post_report(portal, form(**{"organisation-kind": "individual"})),
             post_report(portal, form(website="x"))]
    assert [r.status_code for r in pages] == [200, 200, 404, 404, 201, 400, 200, 200]
    for r in pages:
        assert "default-src 'none'" in r.headers["Content-Security-Policy"]
        assert r.headers["X-Frame-Options"] == "DENY"
        assert not re.search(r"<script(?![^>]*\bsrc=)", r.text)
        assert " style=" not in r.text and "<style" not in r.text


# ---- make run: the console's login ----

def console_line(srv):
    """The line `vigie serve --demo` prints after 'listening on'."""
    for _ in range(10):
        line = srv.proc.stderr.readline()
        m = re.match(r"console: (http://127\.0\.0\.1:\d+/console/)  user (\S+), password (\S+) "
                     r"\(shown once\)$", line.rstrip("\n"))
        if m:
            return m.groups()
    raise AssertionError("no console line")


def test_demo_prints_a_console_login_that_works_once_per_start(tmp_path):
    srv = Server(tmp_path / "vigie.db", extra=["--demo", "--report-min-seconds", "0"])
    try:
        url, user, password = console_line(srv)
        assert url == srv.url + "/console/" and user == "admin"
        assert re.fullmatch(r"[A-Za-z0-9]{20}", password)
        s = requests.Session()
        r = s.post(srv.url + "/console/login", data={"name": user, "password": password},
                   allow_redirects=False, timeout=60)
        assert r.status_code == 303 and r.headers["Location"] == "/console/"
        assert "vigie_session=" in r.headers["Set-Cookie"]
        r = s.post(srv.url + "/console/login", data={"name": user, "password": password + "x"},
                   allow_redirects=False, timeout=60)
        assert r.status_code == 401
        # the demo's home shows its alert and advisory
        home = get(srv, "/").text
        assert "FortiOS" in home and "Citrix NetScaler" in home
        stop(srv)
        srv.start()  # a new start: a new password; the old one no longer works
        _, _, again = console_line(srv)
        assert again != password
        r = requests.post(srv.url + "/console/login", data={"name": "admin", "password": password},
                          allow_redirects=False, timeout=60)
        assert r.status_code == 401
        r = requests.post(srv.url + "/console/login", data={"name": "admin", "password": again},
                          allow_redirects=False, timeout=60)
        assert r.status_code == 303
    finally:
        if srv.proc.poll() is None:
            stop(srv)
