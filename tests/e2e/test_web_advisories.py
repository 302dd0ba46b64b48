"""End-to-end tests of the console's advisories editor (issue 14): a draft made through the form
is the draft the API makes from the same fields; each error of the API's checker is shown beside
the field it names with everything typed kept; an advisory's page offers exactly the steps its
state allows; four eyes holds for the author (unless --single-analyst); a publication the CSAF
checker refuses is shown; after publication the public page shows it; the preview is the public
renderer's page; a reader sees no form and is refused; a form without its CSRF token changes
nothing."""
import html as htmlmod
import os
import re

import html5lib
import pytest
import requests

from conftest import ROOT, USER_PASSWORD, Server, add_user, make_org, run, web_login

VULNDB = os.path.join(ROOT, "tests", "data", "vulndb")
CONSOLE = "/console/advisories"

# The API's body and the form that types the same fields.
API_BODY = {
    "kind": "avis",
    "title": "Vulnérabilité dans Example Server <b>",
    "tlp": "GREEN",
    "lang": "fr",
    "risks": ["remote code execution", "denial of service"],
    "affected_systems": [
        {"vendor": "Example", "product": "Server", "versions": "< 2.4.58", "fixed": "2.4.58",
         "cpe": "cpe:2.3:a:example:server:*:*:*:*:*:*:*:*"},
        {"vendor": "Example", "product": "PLC", "versions": "all", "scada": True},
    ],
    "cves": ["cve-2024-0001",
             {"id": "CVE-2024-0002", "cvss": 9.8,
              "cvss_vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "kev": True}],
    "summary": "Une vulnérabilité permet l'exécution de code.\n\n* point 1\n* point 2",
    "solution": "Mettre à jour en **2.4.58**.",
    "references": ["https://example.org/sa-1",
                   {"url": "https://example.org/sa-2", "title": "Bulletin de l'éditeur",
                    "vendor": True, "published_at": "2026-03-01T00:00:00Z"}],
}
FORM = {
    "kind": "avis",
    "title": "Vulnérabilité dans Example Server <b>",
    "tlp": "GREEN",
    "lang": "fr",
    "risks": ["remote code execution", "denial of service"],
    "affected_systems": "Example | Server | < 2.4.58 | 2.4.58 | "
                        "cpe:2.3:a:example:server:*:*:*:*:*:*:*:*\r\n\r\n"
                        "  Example | PLC | all |  |  | scada\r\n",
    "cves": "cve-2024-0001\r\n"
            "CVE-2024-0002 9.8 CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H kev\r\n",
    # browsers send a textarea's lines with CRLF
    "summary": "Une vulnérabilité permet l'exécution de code.\r\n\r\n* point 1\r\n* point 2",
    "solution": "Mettre à jour en **2.4.58**.",
    "references": "https://example.org/sa-1\r\n"
                  "https://example.org/sa-2 | Bulletin de l'éditeur | vendor | "
                  "2026-03-01T00:00:00Z\r\n",
}
CONTENT = ("kind", "title", "tlp", "lang", "risks", "affected_systems", "cves", "summary",
           "solution", "references")
STEP_RE = re.compile(r'<form method="post" action="/console/advisories/([^"/]+)/([a-z-]+)"')


@pytest.fixture
def team(user_server):
    """The server with analysts dana (the fixture's) and eve, a reader rita, and their
    console sessions."""
    s = user_server
    add_user(s, "eve", "analyst")
    add_user(s, "rita", "reader")
    s.dana = web_login(s, "dana", page=CONSOLE)
    s.eve = web_login(s, "eve", page=CONSOLE)
    s.rita = web_login(s, "rita", page=CONSOLE)
    return s


def post(sess, path, data=None, csrf=True):
    d = dict(data or {})
    if csrf:
        d["csrf"] = sess.csrf
    return sess.post(sess.base + path, data=d, allow_redirects=False, timeout=60)


def get(sess, path):
    return sess.get(sess.base + path, allow_redirects=False, timeout=60)


def valid_html(text):
    """The page parses as HTML5 without a single error."""
    html5lib.HTMLParser(strict=True).parse(text)
    ids = re.findall(r'\sid="([^"]+)"', text)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    return text


def create_form(sess, form=FORM):
    r = post(sess, CONSOLE, form)
    assert r.status_code == 303, r.text[:3000]
    m = re.fullmatch(r"/console/advisories/(VIGIE-\d{4}-[A-Z]{3}-\d{4})", r.headers["Location"])
    assert m, r.headers["Location"]
    return m.group(1)


def steps(sess, ref):
    """The steps the advisory's page offers (the actions of its forms), and the page."""
    r = get(sess, f"{CONSOLE}/{ref}")
    assert r.status_code == 200, r.text[:2000]
    valid_html(r.text)
    found = set()
    for m in STEP_RE.finditer(r.text):
        assert m.group(1) == ref
        found.add(m.group(2))
    return found, r.text


def field_error(text, field):
    """The error shown beside a field (its <p class="error" id="FIELD-error">), or None."""
    m = re.search(rf'<p class="error" id="{re.escape(field)}-error">([^<]*)</p>', text)
    return htmlmod.unescape(m.group(1)) if m else None


def api(srv, ref):
    r = srv.get(f"/api/v1/advisories/{ref}")
    assert r.status_code == 200, r.text
    return r.json()


def test_form_draft_equals_api_draft(team):
    s = team
    ref = create_form(s.dana)
    r = s.post("/api/v1/advisories", API_BODY, token=s.token("dana", "analyst"))
    assert r.status_code == 201, r.text
    by_api = r.json()
    by_form = api(s, ref)
    for k in CONTENT:
        assert by_form.get(k) == by_api.get(k), k
    assert (by_form["status"], by_form["version"], by_form["authors"]) == ("draft", 0, ["dana"])
    # the form shows it back as typed (one item a line) and saving it unchanged changes nothing
    found, text = steps(s.dana, ref)
    assert found == {"save", "submit"}
    assert "Example | PLC | all |  |  | scada\n" in htmlmod.unescape(text)
    assert ("https://example.org/sa-2 | Bulletin de l'éditeur | vendor | 2026-03-01T00:00:00Z"
            in htmlmod.unescape(text))
    form = dict(FORM)
    del form["kind"]
    r = post(s.dana, f"{CONSOLE}/{ref}/save", form)
    assert r.status_code == 303, r.text[:3000]
    again = api(s, ref)
    for k in CONTENT:
        assert again.get(k) == by_api.get(k), k
    # a list emptied on the form is emptied; kind is not a field of the change
    form["risks"] = []
    form["references"] = ""
    r = post(s.dana, f"{CONSOLE}/{ref}/save", form)
    assert r.status_code == 303, r.text[:3000]
    again = api(s, ref)
    assert (again["risks"], again["references"], again["kind"]) == ([], [], "avis")


ERRORS = [
    # (field of the form, what is typed, the field the error is beside, its message)
    ("title", "", "title", "/title must not be empty"),
    ("title", "x" * 513, "title", "/title is longer than 512 bytes"),
    ("tlp", "PURPLE", "tlp", "/tlp must be one of: CLEAR, GREEN, AMBER, AMBER+STRICT, RED"),
    ("kind", "poem", "kind", "/kind must be one of"),
    ("risks", ["remote code execution", "flying pigs"], "risks",
     "/risks/1 must be one of the risks"),
    ("affected_systems", "Example | Server | < 2\n\nAcme | Gateway", "affected_systems",
     "/affected_systems/1/versions is required (line 3)"),
    ("affected_systems", "Example | Server | < 2 | 2 | cpe:2.3:bad", "affected_systems",
     "/affected_systems/0/cpe is not a CPE 2.3 formatted string"),
    ("affected_systems", "Example | Server | < 2 | 2 | | maybe", "affected_systems",
     "/affected_systems/0/scada must be true or false"),
    ("cves", "CVE-2024-0001\nCVE-12", "cves", "/cves/1 must be a CVE id (CVE-YYYY-NNNN) (line 2)"),
    ("cves", "CVE-2024-0001 eleven", "cves", "/cves/0/cvss must be a score from 0 to 10"),
    ("cves", "CVE-2024-0001 11", "cves", "/cves/0/cvss must be a score from 0 to 10"),
    ("cves", "CVE-2024-0001\ncve-2024-0001", "cves", "/cves/1: CVE-2024-0001 is given twice"),
    ("references", "https://example.org/a\n\nhttps://example.org/b\njavascript:alert(1)",
     "references", "/references/2 must be an http or https URL (line 4)"),
    ("references", "https://example.org/a | t | vendor | yesterday", "references",
     "/references/0/published_at must be an RFC 3339 date"),
    ("references", "https://example.org/a | t | x | y | z", "references",
     "/references/0 has more than 4 parts"),
    ("summary", "a\x01b", "summary", "/summary holds a control character at byte 1"),
]


@pytest.mark.parametrize("field,value,beside,message", ERRORS)
def test_errors_beside_their_field_typed_kept(team, field, value, beside, message):
    s = team
    form = dict(FORM)
    form[field] = value
    r = post(s.dana, CONSOLE, form)
    assert r.status_code == 400, r.text[:3000]
    text = r.text
    if field != "summary":  # U+0001 kept as typed is not valid HTML (util/html.c passes it)
        valid_html(text)
    err = field_error(text, beside)
    assert err is not None and err.startswith(message), (err, message)
    # no other error on the page, the one field marked invalid
    assert len(re.findall(r'<p class="error" ', text)) == 1
    assert 'class="error-message"' not in text
    page = htmlmod.unescape(text)
    # everything typed is kept (textareas as typed, the title, the choices)
    for k in ("affected_systems", "cves", "references", "summary", "solution"):
        typed = form[k]
        if k == "summary" and field == "summary":
            continue  # a control character is not kept by an HTML parser's eyes: checked below
        assert typed.replace("\r\n", "\n") in page.replace("\r\n", "\n"), k
    assert f'value="{htmlmod.escape(form["title"], quote=True)}"' in text or field == "title"
    if field == "title" and form["title"]:
        assert f'value="{form["title"]}"' in text
    assert '<option value="GREEN" selected>' in text or field == "tlp"
    assert 'value="remote code execution" checked' in text
    assert 'value="denial of service" checked' in text or field == "risks"
    assert '<option value="fr" selected>' in text
    # nothing was created
    assert s.get("/api/v1/advisories").json()["items"] == []


def test_steps_offered_per_state(team):
    s = team
    ref = create_form(s.dana)
    assert steps(s.dana, ref)[0] == {"save", "submit"}
    assert post(s.dana, f"{CONSOLE}/{ref}/submit").status_code == 303
    assert steps(s.dana, ref)[0] == {"save", "publish"}
    assert api(s, ref)["status"] == "review"
    assert post(s.eve, f"{CONSOLE}/{ref}/publish").status_code == 303
    found, text = steps(s.eve, ref)
    assert found == {"revise"}  # an avis is never closed
    assert "Version initiale" in text and ">published<" in text
    # a step the state does not allow is refused by the use case, shown on the page: 409
    r = post(s.eve, f"{CONSOLE}/{ref}/submit")
    assert r.status_code == 409 and "is published: open a revision" in htmlmod.unescape(r.text)
    r = post(s.eve, f"{CONSOLE}/{ref}/save", {"title": "changed in place"})
    assert r.status_code == 409 and api(s, ref)["title"] == FORM["title"]
    assert "changed in place" not in r.text  # the page shows the published text, not that
    assert "never edited in place" in r.text
    r = post(s.eve, f"{CONSOLE}/{ref}/frobnicate")
    assert r.status_code == 404
    # a revision needs its description, beside its field
    r = post(s.eve, f"{CONSOLE}/{ref}/revise", {"description": ""})
    assert r.status_code == 400
    assert field_error(r.text, "description") == "/description must be a non-empty string"
    # a revision is a new draft version: the published one stays
    r = post(s.eve, f"{CONSOLE}/{ref}/revise", {"description": "Correctif 2.4.59"})
    assert r.status_code == 303
    found, text = steps(s.eve, ref)
    assert found == {"save", "submit"} and "Correctif 2.4.59" in text
    got = api(s, ref)
    assert (got["status"], got["version"], got["authors"]) == ("draft", 1, ["eve"])

    # an alert: published, it may be closed; closed, it may only be revised
    form = dict(FORM, kind="alerte", title="Campagne")
    ref = create_form(s.dana, form)
    post(s.dana, f"{CONSOLE}/{ref}/submit")
    assert post(s.eve, f"{CONSOLE}/{ref}/publish").status_code == 303
    assert steps(s.eve, ref)[0] == {"revise", "close"}
    r = post(s.eve, f"{CONSOLE}/{ref}/close", {"description": "Fin de campagne"})
    assert r.status_code == 303
    found, text = steps(s.eve, ref)
    assert found == {"revise"} and ">closed<" in text and "Fin de campagne" in text
    assert '<p class="meta"><span class="tlp tlp-green">TLP:GREEN</span>' in text
    assert api(s, ref)["closed_at"]
    # the list says so
    r = get(s.eve, CONSOLE)
    row = re.search(rf'<tr>(?:(?!</tr>).)*{ref}(?:(?!</tr>).)*</tr>', r.text).group(0)
    assert row.startswith('<tr><td><span class="tlp tlp-green">TLP:GREEN</span></td>')
    assert ">closed<" in row and ">2<" in row


def test_four_eyes_and_publication(team):
    s = team
    ref = create_form(s.dana, dict(FORM, tlp="CLEAR"))
    assert post(s.dana, f"{CONSOLE}/{ref}/submit").status_code == 303
    # the author is refused with the API's reason, and nothing changes
    r = post(s.dana, f"{CONSOLE}/{ref}/publish")
    assert r.status_code == 403, r.text[:2000]
    valid_html(r.text)
    msg = re.search(r'<p class="error-message" role="alert">([^<]*)</p>', r.text)
    assert msg and htmlmod.unescape(msg.group(1)) == (
        f"four eyes: dana wrote this text of {ref} (authors: dana); another analyst must "
        "publish it")
    got = api(s, ref)
    assert (got["status"], got["version"]) == ("review", 0)
    assert s.get(f"/advisories/{ref}").status_code == 404
    # whoever edits the text becomes an author: eve saves it, and eve may not publish it either
    r = post(s.eve, f"{CONSOLE}/{ref}/save", dict(FORM, tlp="CLEAR", solution="Patch."))
    assert r.status_code == 303
    r = post(s.eve, f"{CONSOLE}/{ref}/publish")
    assert r.status_code == 403 and "authors: dana, eve" in r.text
    add_user(s, "finn", "analyst")
    finn = web_login(s, "finn", page=CONSOLE)
    r = post(finn, f"{CONSOLE}/{ref}/publish")
    assert (r.status_code, r.headers["Location"]) == (303, f"{CONSOLE}/{ref}")
    got = api(s, ref)
    assert (got["status"], got["version"]) == ("published", 1)
    assert [(v["version"], v["publisher"]) for v in got["revisions"]] == [(1, "finn")]
    # the public site shows it
    r = requests.get(s.url + f"/advisories/{ref}", timeout=60)
    assert r.status_code == 200 and "Vulnérabilité dans Example Server &lt;b&gt;" in r.text
    assert ref in requests.get(s.url + "/advisories/", timeout=60).text


@pytest.mark.parametrize("user_server", [["--single-analyst"]], indirect=True)
def test_single_analyst_publishes_own(user_server):
    s = user_server
    dana = web_login(s, "dana", page=CONSOLE)
    ref = create_form(dana)
    assert post(dana, f"{CONSOLE}/{ref}/submit").status_code == 303
    r = post(dana, f"{CONSOLE}/{ref}/publish")
    assert r.status_code == 303, r.text[:2000]
    assert api(s, ref)["status"] == "published"


def test_refused_publication_shown(team):
    """An alert without affected systems would make a CSAF document that fails: the page says
    which test and where, and nothing changes."""
    s = team
    ref = create_form(s.dana, {"kind": "alerte", "title": "Campagne", "tlp": "CLEAR"})
    post(s.dana, f"{CONSOLE}/{ref}/submit")
    r = post(s.eve, f"{CONSOLE}/{ref}/publish")
    assert r.status_code == 400, r.text[:2000]
    msg = htmlmod.unescape(re.search(r'<p class="error-message" role="alert">([^<]*)</p>',
                                     r.text).group(1))
    assert msg == ("an advisory of kind alerte must name the products it concerns "
                   "(affected_systems): its CSAF 2.0 document is a csaf_security_advisory")
    got = api(s, ref)
    assert (got["status"], got["version"], got["revisions"]) == ("review", 0, [])


def strip_note(text):
    return re.sub(r'<div role="note" class="preview">.*?</div>\n', "", text, count=1,
                  flags=re.S)


def test_preview_is_the_public_renderer(team):
    s = team
    ref = create_form(s.dana, dict(FORM, tlp="CLEAR"))
    r = get(s.dana, f"{CONSOLE}/{ref}/preview")
    assert r.status_code == 200, r.text[:2000]
    assert r.headers["Content-Security-Policy"].startswith("default-src 'none'; style-src "
                                                          "'unsafe-inline'")
    assert r.headers["Cache-Control"] == "no-store"
    assert r.headers["X-Frame-Options"] == "DENY"
    draft = valid_html(r.text)
    assert "Preview, not published." in draft and "version 1, TLP:CLEAR" in draft
    # the renderer's markup: its Markdown, its escaping, its revision log, its stylesheet
    assert "<strong>2.4.58</strong>" in draft and "<li>point 1</li>" in draft
    assert "Vulnérabilité dans Example Server &lt;b&gt;" in draft
    assert "Version initiale" in draft and "<style>" in draft
    post(s.dana, f"{CONSOLE}/{ref}/submit")
    assert post(s.eve, f"{CONSOLE}/{ref}/publish").status_code == 303
    public = requests.get(s.url + f"/advisories/{ref}", timeout=60)
    assert public.status_code == 200
    # once published (nothing pending) the preview is the public page, byte for byte, but its
    # note
    r = get(s.dana, f"{CONSOLE}/{ref}/preview")
    assert strip_note(r.text) == public.text and r.text != public.text
    # the draft's preview was the page as published, but for the dates written then
    dates = re.compile(r'<time datetime="[^"]*">[^<]*</time>')
    assert dates.sub("", strip_note(draft)) == dates.sub("", public.text)
    # a pending revision previews as the next version, an amber one says it is not public
    r = post(s.eve, f"{CONSOLE}/{ref}/revise", {"description": "Mise à jour"})
    post(s.eve, f"{CONSOLE}/{ref}/save", dict(FORM, tlp="AMBER", title="Nouveau titre"))
    r = get(s.dana, f"{CONSOLE}/{ref}/preview")
    assert "version 2, TLP:AMBER" in r.text and "only TLP:CLEAR advisories are public" in r.text
    assert "Nouveau titre" in r.text and "Mise à jour" in r.text
    assert "Nouveau titre" not in requests.get(s.url + f"/advisories/{ref}", timeout=60).text
    assert get(s.dana, f"{CONSOLE}/VIGIE-2026-AVI-9999/preview").status_code == 404
    # a guide is published under /guides/: its preview is that page
    ref = create_form(s.dana, {"kind": "guide", "title": "Sauvegardes", "tlp": "CLEAR",
                               "summary": "Trois copies, **deux** supports."})
    post(s.dana, f"{CONSOLE}/{ref}/submit")
    assert post(s.eve, f"{CONSOLE}/{ref}/publish").status_code == 303
    public = requests.get(s.url + f"/guides/{ref}", timeout=60)
    assert public.status_code == 200
    assert strip_note(get(s.dana, f"{CONSOLE}/{ref}/preview").text) == public.text
    assert f'<a href="/guides/{ref}">Public page</a>' in get(s.dana, f"{CONSOLE}/{ref}").text


def test_reader_sees_no_form_and_is_refused(team):
    s = team
    ref = create_form(s.dana)
    r = get(s.rita, CONSOLE)
    assert r.status_code == 200 and ref in r.text and "New advisory" not in r.text
    found, text = steps(s.rita, ref)
    assert found == set()
    assert "<textarea" not in text and "/console/advisories" not in \
        "".join(re.findall(r'<form [^>]*>', text))
    assert FORM["summary"].split("\r\n")[0] in htmlmod.unescape(text)  # the text, read only
    assert get(s.rita, f"{CONSOLE}/new").status_code == 403
    assert get(s.rita, f"{CONSOLE}/{ref}/preview").status_code == 200
    for step, data in (("save", {"title": "by rita"}), ("submit", {}), ("publish", {})):
        r = post(s.rita, f"{CONSOLE}/{ref}/{step}", data)
        assert r.status_code == 403, step
    assert post(s.rita, CONSOLE, FORM).status_code == 403
    got = api(s, ref)
    assert (got["status"], got["title"]) == ("draft", FORM["title"])
    assert len(s.get("/api/v1/advisories").json()["items"]) == 1


def test_csrf_missing_changes_nothing(team):
    s = team
    ref = create_form(s.dana)
    r = post(s.dana, f"{CONSOLE}/{ref}/submit", csrf=False)
    assert r.status_code == 403 and "Form expired" in r.text
    r = post(s.dana, f"{CONSOLE}/{ref}/save", {"title": "x", "csrf": "0" * 64}, csrf=False)
    assert r.status_code == 403
    r = post(s.dana, CONSOLE, FORM, csrf=False)
    assert r.status_code == 403
    # another session's token is not this one's
    r = post(s.dana, f"{CONSOLE}/{ref}/submit", {"csrf": s.eve.csrf}, csrf=False)
    assert r.status_code == 403
    got = api(s, ref)
    assert (got["status"], got["title"]) == ("draft", FORM["title"])
    assert len(s.get("/api/v1/advisories").json()["items"]) == 1
    # without a session, a page sends to the login
    r = requests.get(s.url + f"{CONSOLE}/{ref}", allow_redirects=False, timeout=60)
    assert r.status_code == 303 and r.headers["Location"].startswith("/console/login")


def test_list_filters_and_pages(team):
    s = team
    r = get(s.dana, CONSOLE)
    assert r.status_code == 200 and "No advisory yet." in r.text
    refs = [create_form(s.dana, dict(FORM, title=f"Avis {i}")) for i in range(3)]
    alert = create_form(s.dana, dict(FORM, kind="alerte", title="Alerte"))
    post(s.dana, f"{CONSOLE}/{refs[0]}/submit")
    r = get(s.dana, CONSOLE)
    text = valid_html(r.text)
    assert all(ref in text for ref in refs + [alert])
    assert '<th scope="col">TLP</th><th scope="col">Reference</th>' in text
    r = get(s.dana, f"{CONSOLE}?status=review")
    assert refs[0] in r.text and refs[1] not in r.text and alert not in r.text
    assert '<option value="review" selected>' in r.text
    r = get(s.dana, f"{CONSOLE}?kind=alerte&status=")
    assert alert in r.text and refs[0] not in r.text
    r = get(s.dana, f"{CONSOLE}?kind=guide")
    assert "No advisory matches these filters." in r.text
    r = get(s.dana, f"{CONSOLE}?q=Avis%201")
    assert refs[1] in r.text and refs[2] not in r.text
    # pages: the store's cursor, the filters kept
    seen = []
    path = f"{CONSOLE}?kind=avis&limit=2"
    while path:
        r = get(s.dana, path)
        assert r.status_code == 200
        seen += re.findall(r'<a href="/console/advisories/(VIGIE-[^"]+)">', r.text)
        m = re.search(r'<a href="(/console/advisories\?[^"]*)" rel="next">', r.text)
        path = htmlmod.unescape(m.group(1)) + "&limit=2" if m else None
        if path:
            assert "kind=avis" in path and "cursor=" in path
    assert seen == list(reversed(refs))
    r = get(s.dana, f"{CONSOLE}?kind=poem")
    assert r.status_code == 400 and "kind must be one of" in r.text


def test_draft_from_cves_form(team):
    s = team
    make_org(s, "Ministry A", assets={"cidrs": [], "domains": [], "products": [
        "cpe:2.3:a:apache:http_server:2.4.41:*:*:*:*:*:*:*"]})
    run("vuln", "import", os.path.join(VULNDB, "nvd-a.json"), os.path.join(VULNDB, "kev.json"),
        db=s.db)
    run("vuln", "match", db=s.db)
    r = post(s.dana, f"{CONSOLE}/draft-from-cves", {"from_cves": "CVE-2025-1001\nCVE-1999-0001"})
    assert r.status_code == 404
    assert field_error(r.text, "from_cves").endswith("(line 2)")
    assert "CVE-2025-1001\nCVE-1999-0001" in htmlmod.unescape(r.text)
    r = post(s.dana, f"{CONSOLE}/draft-from-cves", {"from_cves": "cve-2025-1001\r\n"})
    assert r.status_code == 303, r.text[:2000]
    ref = r.headers["Location"].rsplit("/", 1)[1]
    got = api(s, ref)
    assert (got["kind"], got["tlp"], got["status"]) == ("avis", "AMBER", "draft")
    assert [c["id"] for c in got["cves"]] == ["CVE-2025-1001"]
    found, text = steps(s.dana, ref)
    assert found == {"save", "submit"}
    assert "Constituents concerned (internal, never published)" in text and "Ministry A" in text
    # the preview, as published, does not carry them
    assert "Ministry A" not in get(s.dana, f"{CONSOLE}/{ref}/preview").text


def test_injected_text_is_inert(team):
    s = team
    evil = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    form = dict(FORM, title=evil, summary=evil + "\n[x](javascript:alert(3))",
                references="https://example.org/?q=<x>")
    r = post(s.dana, CONSOLE, form)
    if r.status_code == 400:  # the URL check refuses '<': the form comes back, inert
        text = r.text
    else:
        text = get(s.dana, r.headers["Location"]).text
    for t in (text, get(s.dana, CONSOLE).text):
        valid_html(t)
        assert "<script>alert" not in t and "<img src=x" not in t and 'href="javascript' not in t
