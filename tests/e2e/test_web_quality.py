"""The web's quality, page by page (issue 14): a crawler visits every page reachable by links
from /, /report and /console/, as an administrator and as nobody, and holds each one to the
same rules: valid HTML (html5lib, strict), `<html lang>`, one h1 and headings in order, a label
for every field, unique ids, table headers with a scope, a Content-Security-Policy without
'unsafe-inline' scripts, no inline style or script, no broken link. Before it crawls, the three
payloads below are put through the API into every text field of an organisation, an incident
(notes and observables included), an indicator and an advisory: no page may show one of them
live. A TLP:RED incident's values never reach a page nobody logged in can see; the TLP badges'
colours have a contrast of 4.5:1 at least (WCAG AA).

Add a page to the web and it is crawled here as soon as a link leads to it: nothing to add."""
import re
from urllib.parse import urljoin, urlsplit

import html5lib
import pytest
import requests

from conftest import USER_PASSWORD, Server, add_user, make_org

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
JS = "javascript:alert(1)"
PAYLOAD = f"{SCRIPT} {IMG} {JS}"
RED = "redsecret7f3a"  # every value of the TLP:RED incident holds it
NS = "{http://www.w3.org/1999/xhtml}"
MAX_PAGES = 250
HEADINGS = {f"{NS}h{i}" for i in range(1, 7)}
# downloads and what is not a page: never followed
SKIP_PREFIXES = ("/api/", "/taxii2", "/misp-feed", "/static/")
SKIP_PATHS = {"/console/logout"}
DOWNLOAD_RE = re.compile(r"\.(json|xml|atom|csv|zip|txt|asc|sha256|sha512|pdf|md)$")
# the published site's files: one of each kind (first segment, depth, extension)
SITE_PREFIXES = ("/advisories/", "/guides/", "/.well-known/")


class Page:
    def __init__(self, url, path, status, headers, text, via):
        self.url, self.path, self.status, self.headers = url, path, status, headers
        self.text, self.via = text, via
        self.html = headers.get("Content-Type", "").startswith("text/html")
        self.errors = []
        self.doc = None
        if self.html:
            parser = html5lib.HTMLParser(strict=False, namespaceHTMLElements=True)
            self.doc = parser.parse(text)
            self.errors = [f"{pos}: {err} {args}" for pos, err, args in parser.errors]

    def elements(self, tag=None):
        return [e for e in self.doc.iter(NS + tag if tag else None)
                if isinstance(e.tag, str)] if self.doc is not None else []

    def __repr__(self):
        return f"{self.path} (from {self.via})"


def site_kind(path):
    if not path.startswith(SITE_PREFIXES):
        return None
    segs = [s for s in path.split("/") if s]
    last = segs[-1] if segs else ""
    ext = last.rsplit(".", 1)[-1] if "." in last else ""
    # the last segment's shape: "2026" (a year) is not "VIGIE-2026-GUI-0001" (an advisory)
    shape = re.sub(r"[0-9]+", "9", re.sub(r"[A-Za-z]+", "a", last.rsplit(".", 1)[0]))
    return (segs[0] if segs else "", len(segs), ext, shape)


def links(page, base):
    """The same-site targets of a page's links and GET forms, as paths with their query."""
    out = []
    for e in page.elements():
        tag = e.tag[len(NS):]
        target = None
        if tag == "a" and e.get("href"):
            target = e.get("href")
        elif tag == "form" and (e.get("method") or "get").lower() == "get":
            target = e.get("action") or page.path
        if not target:
            continue
        u = urlsplit(urljoin(page.url, target))
        if f"{u.scheme}://{u.netloc}" != base:
            continue
        out.append(u.path + ("?" + u.query if u.query else ""))
    return out


def crawl(base, session, starts, limit=MAX_PAGES):
    """Visits pages breadth first from starts; returns [Page]."""
    seen, kinds, pages = set(), set(), []
    queue = [(p, "start") for p in starts]
    while queue and len(pages) < limit:
        path, via = queue.pop(0)
        bare = path.split("?")[0]
        if path in seen or bare.startswith(SKIP_PREFIXES) or bare in SKIP_PATHS or \
                DOWNLOAD_RE.search(bare):
            continue
        kind = site_kind(bare)
        if kind and kind in kinds:
            continue
        seen.add(path)
        if kind:
            kinds.add(kind)
        r = session.get(base + path, timeout=60)
        page = Page(r.url, urlsplit(r.url).path + ("?" + urlsplit(r.url).query
                                                   if urlsplit(r.url).query else ""),
                    r.status_code, r.headers, r.text, via)
        page.asked = path
        pages.append(page)
        if page.html:
            queue.extend((t, path) for t in links(page, base) if t not in seen)
    return pages


def inject(srv):
    """The payloads into every text field of an organisation, an incident, its notes and
    observables, an indicator and an advisory (published); returns what was made."""
    made = {}
    org = make_org(srv, "Org " + SCRIPT + IMG, domains=["xss.example"],
                   contacts=[{"name": IMG, "email": "soc@xss.example", "role": SCRIPT}])
    made["org"] = org
    r = srv.post("/api/v1/incidents", {
        "title": PAYLOAD, "description": PAYLOAD + "\n" + PAYLOAD, "class": "malicious-code",
        "type": "infected-system", "org": org["id"], "tlp": "AMBER",
        "reporter": {"name": PAYLOAD, "email": "rep@xss.example", "phone": IMG},
        "observables": [{"value": "xss.example"}, {"value": "http://xss.example/a"}]})
    assert r.status_code == 201, r.text
    ref = r.json()["ref"]
    made["incident"] = ref
    assert srv.post(f"/api/v1/incidents/{ref}/notes", {"text": PAYLOAD}).status_code == 201
    kept = 0
    for value in ('http://xss.example/"><img src=x onerror=alert(1)>',
                  "http://xss.example/<script>alert(1)</script>",
                  "http://xss.example/?q=javascript:alert(1)", JS, "sub.xss.example"):
        r = srv.post(f"/api/v1/incidents/{ref}/observables", {"value": value})
        assert r.status_code in (200, 201, 400), r.text
        kept += r.status_code != 400
    assert kept >= 2
    r = srv.post("/api/v1/indicators", {"value": "http://xss.example/<script>alert(1)</script>",
                                        "source": PAYLOAD, "tags": [SCRIPT, IMG, JS]})
    assert r.status_code in (200, 201), r.text
    assert srv.post("/api/v1/indicators", {"value": "ind.xss.example", "source": IMG,
                                           "tags": [JS]}).status_code in (200, 201)
    summary = (f"{SCRIPT}\n\n{IMG}\n\n[click]({JS})\n\n<img src=x onerror=alert(1)>\n\n"
               f"<a href=\"{JS}\">raw</a>")
    r = srv.post("/api/v1/advisories", {"kind": "guide", "title": PAYLOAD, "tlp": "CLEAR",
                                        "summary": summary, "solution": summary,
                                        "references": [JS]})
    assert r.status_code == 400, r.text  # a javascript: reference is refused by the API
    r = srv.post("/api/v1/advisories", {
        "kind": "guide", "title": PAYLOAD, "tlp": "CLEAR", "summary": summary,
        "solution": summary,
        "references": [{"url": "https://xss.example/?q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
                        "title": PAYLOAD}, "https://xss.example/javascript:alert(1)"]})
    assert r.status_code == 201, r.text
    adv = r.json()["ref"]
    assert srv.post(f"/api/v1/advisories/{adv}/submit", {}).status_code == 200
    r = srv.post(f"/api/v1/advisories/{adv}/publish", {})
    assert r.status_code == 200, r.text
    made["advisory"] = adv
    return made


def red_incident(srv):
    r = srv.post("/api/v1/incidents", {
        "title": f"{RED} title", "description": f"{RED} description", "tlp": "RED",
        "class": "malicious-code", "type": "infected-system",
        "reporter": {"name": f"{RED} reporter", "email": f"boss@{RED}.example"},
        "observables": [{"value": f"{RED}.example"}, {"value": f"http://{RED}.example/x"},
                        {"value": "198.51.100.77"}]})
    assert r.status_code == 201, r.text
    ref = r.json()["ref"]
    assert srv.post(f"/api/v1/incidents/{ref}/notes", {"text": f"{RED} note"}).status_code == 201
    return ref


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("quality") / "vigie.db",
                 extra=["--report-rate", "100000", "--single-analyst"])
    add_user(srv, "ada", "admin")
    made = inject(srv)
    made["red"] = red_incident(srv)
    admin = requests.Session()
    r = admin.post(srv.url + "/console/login", data={"name": "ada", "password": USER_PASSWORD},
                   allow_redirects=False, timeout=60)
    assert r.status_code == 303, r.text[:2000]
    starts = ["/", "/report", "/console/", f"/console/incidents/{made['incident']}"]
    srv.admin_pages = crawl(srv.url, admin, starts)
    srv.public_pages = crawl(srv.url, requests.Session(), starts)
    srv.made = made
    yield srv
    rc, err = srv.stop()
    assert rc == 0, f"server exited {rc} on SIGTERM: {err[-3000:]}"


def test_zz_crawl_size(site):
    """How much was crawled (shown with -s): a check that the crawl is not trivially small."""
    print(f"crawled {len(site.admin_pages)} pages as admin, {len(site.public_pages)} as nobody")
    assert len(site.admin_pages) + len(site.public_pages) >= 20


def every_page(site):
    return site.admin_pages + site.public_pages


def html_pages(site):
    return [p for p in every_page(site) if p.html]


def report(failures):
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:60])


def test_the_crawl_reaches_the_web(site):
    admin = {p.path.split("?")[0] for p in site.admin_pages if p.status == 200}
    public = {p.path.split("?")[0] for p in site.public_pages if p.status == 200}
    for path in ("/", "/report", "/console/", "/console/incidents",
                 f"/console/incidents/{site.made['incident']}"):
        assert path in admin, f"{path} not reached as admin: {sorted(admin)[:50]}"
    for path in ("/", "/report", "/console/login"):
        assert path in public, f"{path} not reached as nobody: {sorted(public)[:50]}"
    assert not any(p.startswith("/console/") and p != "/console/login" for p in public), public
    assert len(site.admin_pages) >= 10


def test_no_broken_link(site):
    report([f"{p!r}: {p.status}" for p in every_page(site) if p.status != 200])


def test_every_page_is_valid_html(site):
    failures = [f"{p!r}: {e}" for p in html_pages(site) for e in p.errors]
    report(failures)
    for p in html_pages(site):  # and strictly so: the parser's strict mode agrees
        html5lib.HTMLParser(strict=True).parse(p.text)


def test_lang_one_h1_and_headings_in_order(site):
    failures = []
    for p in html_pages(site):
        root = p.doc
        if not (root.get("lang") or "").strip():
            failures.append(f"{p!r}: <html> without lang")
        levels = [int(e.tag[-1]) for e in p.elements() if e.tag in HEADINGS]
        if levels.count(1) != 1:
            failures.append(f"{p!r}: {levels.count(1)} h1")
        if levels and levels[0] != 1:
            failures.append(f"{p!r}: the first heading is h{levels[0]}")
        for a, b in zip(levels, levels[1:]):
            if b > a + 1:
                failures.append(f"{p!r}: h{a} then h{b}")
                break
    report(failures)


def test_every_field_has_a_label_and_ids_are_unique(site):
    failures = []
    for p in html_pages(site):
        ids = [e.get("id") for e in p.elements() if e.get("id") is not None]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            failures.append(f"{p!r}: duplicate ids {sorted(dup)}")
        labelled = {e.get("for") for e in p.elements("label") if e.get("for")}
        for tag in ("input", "select", "textarea"):
            for e in p.elements(tag):
                if tag == "input" and (e.get("type") or "text").lower() in (
                        "hidden", "submit", "button", "reset", "image"):
                    continue
                if e.get("aria-label") or e.get("aria-labelledby"):
                    continue
                if not e.get("id") or e.get("id") not in labelled:
                    failures.append(f"{p!r}: <{tag} name={e.get('name')!r} id={e.get('id')!r}> "
                                    "has no <label for> nor aria-label")
    report(failures)


def test_table_headers_have_a_scope(site):
    failures = [f"{p!r}: <th> {(e.text or '').strip()[:30]!r} without scope col or row"
                for p in html_pages(site) for e in p.elements("th")
                if e.get("scope") not in ("col", "row", "colgroup", "rowgroup")]
    report(failures)


def test_csp_forbids_inline_script_and_framing(site):
    failures = []
    for p in html_pages(site):
        csp = p.headers.get("Content-Security-Policy")
        if not csp:
            failures.append(f"{p!r}: no Content-Security-Policy")
            continue
        directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
        script = directives.get("script-src", directives.get("default-src"))
        if script is None or "'unsafe-inline'" in script or "*" in script or \
                "'unsafe-eval'" in script:
            failures.append(f"{p!r}: script sources {script}")
        # the published site's files carry their own <style> (they are served as files too,
        # web/publication.c, and previewed as such): only the pages of the frame, which use
        # the server's stylesheet, must do without
        framed = any(e.get("href") == "/static/vigie.css" for e in p.elements("link"))
        if framed and "'unsafe-inline'" in directives.get("style-src",
                                                          directives.get("default-src", [])):
            failures.append(f"{p!r}: inline styles allowed")
        if directives.get("frame-ancestors") != ["'none'"] and \
                p.headers.get("X-Frame-Options") != "DENY":
            failures.append(f"{p!r}: may be framed")
    report(failures)


def test_no_inline_style_or_script(site):
    failures = []
    for p in html_pages(site):
        for e in p.elements():
            if e.get("style") is not None:
                failures.append(f"{p!r}: style= on <{e.tag[len(NS):]}>")
            for name in e.keys():
                if isinstance(name, str) and name.lower().startswith("on"):
                    failures.append(f"{p!r}: {name}= on <{e.tag[len(NS):]}>")
        for e in p.elements("script"):
            if not e.get("src") or (e.text or "").strip():
                failures.append(f"{p!r}: an inline <script>")
    report(failures)


def test_payloads_are_shown_inert(site):
    failures = []
    for p in html_pages(site):
        low = p.text.lower()
        for bad in ("<script>alert", "<img src=x"):
            if bad in low:
                failures.append(f"{p!r}: {bad!r} live in the page")
        for e in p.elements():
            if e.get("onerror") is not None:
                failures.append(f"{p!r}: onerror= on <{e.tag[len(NS):]}>")
            for name in ("href", "src", "action", "formaction", "poster", "data"):
                v = e.get(name)
                if v is None:
                    continue
                v = re.sub(r"[\x00-\x20]", "", v).lower()
                if v.startswith(("javascript:", "data:", "vbscript:")):
                    failures.append(f"{p!r}: <{e.tag[len(NS):]} {name}={e.get(name)!r}>")
        if p.doc is not None and any(e.get("src") == "x" for e in p.elements("img")):
            failures.append(f"{p!r}: an <img src=x>")
    report(failures)
    # and they are shown (as text): the test above would pass on pages that omit them
    shown = [p for p in site.admin_pages if p.html and
             "&lt;script&gt;alert(1)&lt;/script&gt;" in p.text]
    where = {p.path.split("?")[0] for p in shown}
    assert f"/console/incidents/{site.made['incident']}" in where, sorted(where)
    assert any(p.path.startswith("/console/orgs") for p in shown), sorted(where)
    assert any(p.path.startswith(("/advisories", "/guides")) for p in
               site.public_pages if "&lt;script&gt;alert(1)&lt;/script&gt;" in p.text), \
        "the published guide's title is on no public page"


def test_red_incident_never_on_a_public_page(site):
    failures = [f"{p!r}: shows {RED}" for p in site.public_pages if RED in p.text.lower()]
    report(failures)
    # the console shows it to its users: the crawl would have found it
    assert any(RED in p.text.lower() for p in site.admin_pages), "the RED incident is nowhere"
    assert len(site.public_pages) >= 3


def luminance(hexcolor):
    h = hexcolor.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    assert len(h) == 6, hexcolor
    out = []
    for i in (0, 2, 4):
        c = int(h[i:i + 2], 16) / 255
        out.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    return 0.2126 * out[0] + 0.7152 * out[1] + 0.0722 * out[2]


def contrast(a, b):
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


NAMED = {"black": "#000000", "white": "#ffffff"}


def css_color(decls, *props):
    for prop in props:
        m = re.search(r"(?:^|;|\s)" + prop + r"\s*:\s*(#[0-9a-fA-F]{3,6}|black|white)\b", decls)
        if m:
            return NAMED.get(m.group(1).lower(), m.group(1))
    return None


def test_contrast_math():
    assert round(contrast("#000", "#fff"), 1) == 21.0
    assert round(contrast("#FF2B2B", "#000"), 2) == 5.63
    assert contrast("#777", "#fff") < 4.5


def test_tlp_badges_have_enough_contrast(site):
    r = requests.get(site.url + "/static/vigie.css", timeout=60)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/css")
    css = re.sub(r"/\*.*?\*/", "", r.text, flags=re.S)
    rules = re.findall(r"([^{}]+)\{([^}]*)\}", css)
    base = {"color": None, "background": None}
    for sel, decls in rules:
        if ".tlp" in [s.strip() for s in sel.split(",")]:
            base["color"] = css_color(decls, "color") or base["color"]
            base["background"] = css_color(decls, "background-color", "background") or \
                base["background"]
    found = {}
    for sel, decls in rules:
        for s in sel.split(","):
            m = re.fullmatch(r"\s*\.tlp-(clear|green|amber|amber-strict|red)\s*", s)
            if m:
                fg = css_color(decls, "color") or base["color"]
                bg = css_color(decls, "background-color", "background") or base["background"]
                found[m.group(1)] = (fg, bg)
    assert set(found) == {"clear", "green", "amber", "amber-strict", "red"}, found
    for name, (fg, bg) in found.items():
        assert fg and bg, (name, fg, bg)
        assert contrast(fg, bg) >= 4.5, f".tlp-{name}: {fg} on {bg}: {contrast(fg, bg):.2f}"
