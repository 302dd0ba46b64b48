"""The console's sessions against the real server (issue 14): the login form's cookie and its
attributes, a wrong password and the rate limit shown on the form, sessions and API tokens kept
apart, idle and absolute expiry, logout, the CSRF token of every form, where a login leads
(?next= inside /console/ only), a disabled user and a reader's role.

Cookies are handled by hand (the Cookie header), so that a `Secure` cookie is still sent to
the plain-HTTP test server. A session is probed without ending it by POST /console/logout with
a wrong CSRF token: a live session gets 403 `Form expired`, a dead one 303 to the login."""
import hashlib
import re
import time

import html5lib
import pytest
import requests

from conftest import connect, ROOT, USER_PASSWORD, Server, add_user

COOKIE_RE = re.compile(r"^vigie_session=(vgt_[0-9a-f]{64}); Path=/console; HttpOnly; "
                       r"SameSite=Strict; Max-Age=(\d+)(; Secure)?$")
NS = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture
def srv(request, tmp_path):
    """A server with the serve options of an indirect parameter (if any), an analyst "dana"
    and a reader "rita" whose password is USER_PASSWORD."""
    extra = getattr(request, "param", [])
    s = Server(tmp_path / "vigie.db", extra=["--report-rate", "100000", *extra])
    add_user(s, "dana", "analyst")
    add_user(s, "rita", "reader")
    yield s
    rc, err = s.stop()
    assert rc == 0, f"server exited {rc} on SIGTERM: {err[-3000:]}"


def post_login(srv, name, password=USER_PASSWORD, next_=None, source=None):
    data = {"name": name, "password": password}
    if next_ is not None:
        data["next"] = next_
    return requests.post(srv.url + "/console/login", data=data, allow_redirects=False,
                         timeout=60)


def login(srv, name, password=USER_PASSWORD):
    """Logs in through the form; returns the session's token (the cookie's value)."""
    r = post_login(srv, name, password)
    assert r.status_code == 303, r.text[:2000]
    m = COOKIE_RE.match(r.headers["Set-Cookie"])
    assert m, r.headers["Set-Cookie"]
    return m.group(1)


def csrf(token):
    """A session's CSRF token: BLAKE2b-256 of "vigie csrf v1:" and the session's secret
    (app/auth.c vg_auth_csrf), as the console's forms carry it."""
    return hashlib.blake2b(b"vigie csrf v1:" + token.encode(), digest_size=32).hexdigest()


def get(srv, path, token=None):
    headers = {"Cookie": "vigie_session=" + token} if token else {}
    return requests.get(srv.url + path, headers=headers, allow_redirects=False, timeout=60)


def post(srv, path, token, data):
    headers = {"Cookie": "vigie_session=" + token} if token else {}
    return requests.post(srv.url + path, headers=headers, data=data, allow_redirects=False,
                         timeout=60)


def alive(srv, token):
    """Whether the session lives: a form with a wrong CSRF token is refused as such (403) by a
    live session, and sent to the login (303) by a dead one. Nothing is changed either way."""
    r = post(srv, "/console/logout", token, {"csrf": "0" * 64})
    assert r.status_code in (303, 403), (r.status_code, r.text[:500])
    if r.status_code == 303:
        assert r.headers["Location"].startswith("/console/login"), r.headers["Location"]
        return False
    assert "<h1>Form expired</h1>" in r.text
    return True


def doc(html):
    """The page parsed by html5lib (strict: a parse error fails)."""
    return html5lib.HTMLParser(strict=True).parse(html)


def field_value(html, name):
    for e in doc(html).iter(NS + "input"):
        if e.get("name") == name:
            return e.get("value")
    raise AssertionError(f"no input {name}")


def test_login_sets_exactly_the_session_cookie(srv):
    r = post_login(srv, "dana")
    assert r.status_code == 303 and r.headers["Location"] == "/console/"
    m = COOKIE_RE.match(r.headers["Set-Cookie"])
    assert m, r.headers["Set-Cookie"]
    assert m.group(2) == "43200" and m.group(3) is None  # 12 h by default; no Secure over HTTP
    assert alive(srv, m.group(1))


@pytest.mark.parametrize("srv", [["--secure-cookies", "--session-ttl", "1h"]], indirect=True)
def test_secure_cookies_say_secure(srv):
    r = post_login(srv, "dana")
    m = COOKIE_RE.match(r.headers["Set-Cookie"])
    assert m and m.group(2) == "3600" and m.group(3) == "; Secure", r.headers["Set-Cookie"]
    tok = m.group(1)
    r = post(srv, "/console/logout", tok, {"csrf": csrf(tok)})
    assert r.status_code == 303
    assert r.headers["Set-Cookie"] == ("vigie_session=; Path=/console; HttpOnly; "
                                       "SameSite=Strict; Max-Age=0; Secure")


def test_wrong_password_is_the_login_page_with_the_name_kept(srv):
    r = post_login(srv, "dana", "not the password", next_="/console/incidents")
    assert r.status_code == 401
    assert r.headers["Content-Type"].startswith("text/html")
    assert "Set-Cookie" not in r.headers
    assert "<h1>Log in to the console</h1>" in r.text
    assert "Wrong user name or password." in r.text
    assert field_value(r.text, "name") == "dana"
    assert field_value(r.text, "password") is None  # never sent back
    assert field_value(r.text, "next") == "/console/incidents"
    # an unknown user gets the same answer
    r2 = post_login(srv, "nobody", "not the password")
    assert r2.status_code == 401 and "Wrong user name or password." in r2.text


def test_missing_fields_are_a_400_login_page(srv):
    r = requests.post(srv.url + "/console/login", data={"name": "dana"}, allow_redirects=False,
                      timeout=60)
    assert r.status_code == 400
    assert "the user name and the password are required" in r.text
    assert field_value(r.text, "name") == "dana"
    r = requests.post(srv.url + "/console/login", data="name=%zz&password=x",
                      headers={"Content-Type": "application/x-www-form-urlencoded"},
                      allow_redirects=False, timeout=60)
    assert r.status_code == 400 and "<h1>" in r.text
    r = requests.post(srv.url + "/console/login", json={"name": "dana", "password": "x"},
                      allow_redirects=False, timeout=60)
    assert r.status_code == 415


def test_login_from_another_site_is_refused(srv):
    """Login CSRF: a page elsewhere posting the form (with its author's credentials) would log
    the browser in as them; the browser's Sec-Fetch-Site says so and the login is refused."""
    r = requests.post(srv.url + "/console/login", data={"name": "dana", "password": USER_PASSWORD},
                      headers={"Sec-Fetch-Site": "cross-site"}, allow_redirects=False, timeout=60)
    assert r.status_code == 403 and "Set-Cookie" not in r.headers
    assert "a login sent from another site" in r.text and "<h1>Log in to the console</h1>" in r.text
    for site in ("same-origin", "none"):
        r = requests.post(srv.url + "/console/login",
                          data={"name": "dana", "password": USER_PASSWORD},
                          headers={"Sec-Fetch-Site": site}, allow_redirects=False, timeout=60)
        assert r.status_code == 303 and COOKIE_RE.match(r.headers["Set-Cookie"])


@pytest.mark.parametrize("srv", [["--login-free", "2", "--login-wait-max", "3s"]], indirect=True)
def test_login_form_is_rate_limited_like_the_api(srv):
    for _ in range(2):
        assert post_login(srv, "dana", "wrong password!").status_code == 401
    r = post_login(srv, "dana", "wrong password!")
    assert r.status_code == 429, r.text[:500]
    wait = int(r.headers["Retry-After"])
    assert 1 <= wait <= 3
    assert "<h1>Log in to the console</h1>" in r.text and "retry in" in r.text
    assert field_value(r.text, "name") == "dana"
    assert "Set-Cookie" not in r.headers
    # even the right password waits: the limit is judged before the password
    assert post_login(srv, "dana").status_code == 429
    # the API's login shares the limit: no second budget through the console
    r = requests.post(srv.url + "/api/v1/login", json={"name": "dana", "password": "wrong!!!"},
                      timeout=60)
    assert r.status_code == 429 and r.json()["error"]["code"] == "rate_limited"
    time.sleep(wait + 0.2)
    assert post_login(srv, "dana").status_code == 303


def test_session_is_not_a_bearer_token_and_a_token_not_a_session(srv):
    tok = login(srv, "dana")
    r = srv.get("/api/v1/incidents", token=tok)
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    api = srv.post("/api/v1/login", {"name": "dana", "password": USER_PASSWORD}).json()["token"]
    assert srv.get("/api/v1/incidents", token=api).status_code == 200
    assert not alive(srv, api)
    assert not alive(srv, srv.admin)
    assert alive(srv, tok)


@pytest.mark.parametrize("srv", [["--session-idle", "2s"]], indirect=True)
def test_idle_expiry(srv):
    """Used within 2 s, a session lives past 2 s after its login (its last use was once
    recorded at most once a minute: it then died 2 s after the login however busy); unused for
    longer than 2 s, it ends."""
    tok = login(srv, "dana")
    start = time.monotonic()
    while time.monotonic() - start < 5:
        time.sleep(0.8)
        assert alive(srv, tok), f"died {time.monotonic() - start:.1f} s after the login"
    time.sleep(3.5)
    assert not alive(srv, tok)
    r = get(srv, "/console/incidents", tok)
    assert r.status_code == 303 and r.headers["Location"].startswith("/console/login?next=")
    # another session of the same user is not touched by that
    assert alive(srv, login(srv, "dana"))


@pytest.mark.parametrize("srv", [["--session-ttl", "2s"]], indirect=True)
def test_absolute_expiry(srv):
    r = post_login(srv, "dana")
    m = COOKIE_RE.match(r.headers["Set-Cookie"])
    assert m and m.group(2) == "2"
    tok = m.group(1)
    assert alive(srv, tok)
    deadline = time.monotonic() + 10
    while alive(srv, tok):  # kept busy: it still ends
        assert time.monotonic() < deadline, "the session outlived its 2 s"
        time.sleep(0.3)
    assert time.monotonic() > deadline - 10 + 1.0


def test_logout_revokes_and_clears(srv):
    tok = login(srv, "dana")
    other = login(srv, "dana")
    r = post(srv, "/console/logout", tok, {"csrf": csrf(tok)})
    assert r.status_code == 303 and r.headers["Location"] == "/console/login"
    assert r.headers["Set-Cookie"] == ("vigie_session=; Path=/console; HttpOnly; "
                                       "SameSite=Strict; Max-Age=0")
    assert not alive(srv, tok)
    r = post(srv, "/console/logout", tok, {"csrf": csrf(tok)})  # the old cookie again
    assert r.status_code == 303 and r.headers["Location"].startswith("/console/login")
    assert alive(srv, other)  # only that session ended


def revoked(srv, token):
    """The revocation time of a session in the database (None: live)."""
    h = hashlib.sha256(token.encode()).digest()
    with connect(str(srv.db)) as db:
        return db.execute("SELECT revoked FROM token WHERE hash = ?", (h,)).fetchone()[0]


def test_csrf_of_another_session_or_none_is_refused(srv):
    tok, other = login(srv, "dana"), login(srv, "dana")
    for data in ({"csrf": csrf(other)}, {}, {"csrf": ""}, {"csrf": csrf(tok)[:63]},
                 {"csrf": csrf(tok).upper()}):
        r = post(srv, "/console/logout", tok, data)
        assert r.status_code == 403, (data, r.status_code)
        assert "<h1>Form expired</h1>" in r.text
        assert "Set-Cookie" not in r.headers
        assert revoked(srv, tok) is None  # nothing changed
    r = post(srv, "/console/logout", tok, {"csrf": csrf(tok)})
    assert r.status_code == 303 and revoked(srv, tok) is not None
    assert revoked(srv, other) is None


def test_console_pages_carry_the_session_csrf(srv):
    tok = login(srv, "dana")
    r = get(srv, "/console/", tok)
    assert r.status_code == 200, r.status_code
    assert field_value(r.text, "csrf") == csrf(tok)


@pytest.mark.parametrize("path", ["/console/", "/console/incidents"])
def test_get_without_session_goes_to_login_and_back(srv, path):
    r = get(srv, path)
    assert r.status_code == 303
    assert r.headers["Location"] == "/console/login?next=" + requests.utils.quote(path, safe="")
    r = requests.get(srv.url + r.headers["Location"], timeout=60)
    assert r.status_code == 200 and field_value(r.text, "next") == path
    r = post_login(srv, "dana", next_=field_value(r.text, "next"))
    assert r.status_code == 303 and r.headers["Location"] == path
    tok = COOKIE_RE.match(r.headers["Set-Cookie"]).group(1)
    assert get(srv, path, tok).status_code == 200


@pytest.mark.parametrize("nxt", ["//evil.com", "https://evil.com", "/console/../x",
                                 "/console/%2e%2e/x", "/console/%2E./admin", "/console/./../x",
                                 "/console/..", "javascript:alert(1)", "/console//evil.com",
                                 "/console/\\evil.com", "/console/\t/evil.com", "/x",
                                 "/consolex", "/console/\r\nSet-Cookie:x=1", " /console/"])
def test_next_outside_the_console_is_ignored(srv, nxt):
    r = post_login(srv, "dana", next_=nxt)
    assert r.status_code == 303 and r.headers["Location"] == "/console/", r.headers["Location"]
    r = requests.get(srv.url + "/console/login", params={"next": nxt}, timeout=60)
    assert r.status_code == 200 and field_value(r.text, "next") == "/console/"


@pytest.mark.parametrize("nxt", ["/console/incidents?status=new&tlp=red",
                                 "/console/incidents/42", "/console/a.b/c..d/...x"])
def test_next_inside_the_console_is_followed(srv, nxt):
    r = post_login(srv, "dana", next_=nxt)
    assert r.status_code == 303 and r.headers["Location"] == nxt


def test_disabled_user_session_stops(srv):
    """Users are not disabled through the API (it has no such route): an administrator sets
    the flag in the database, which the server reads at the next request."""
    tok = login(srv, "dana")
    assert alive(srv, tok)
    with connect(str(srv.db)) as db:
        db.execute("UPDATE \"user\" SET disabled = 1 WHERE name = 'dana'")
    assert not alive(srv, tok)
    r = post_login(srv, "dana")
    assert r.status_code == 401 and "Wrong user name or password." in r.text


def analyst_form_route():
    """A console form route for analysts, from the route table (src/web/routes.c)."""
    src = open(f"{ROOT}/src/web/routes.c").read()
    pattern = r'\{"POST",\s*"(/console/[^"]*)",\s*VG_ANALYST,\s*\w+,\s*CFORM\s*\}'
    for m in re.finditer(pattern, src):
        return m.group(1).replace("{}", "1")
    raise AssertionError("no analyst form route (POST, VG_ANALYST, CFORM) in src/web/routes.c")


def test_reader_is_refused_an_analyst_form(srv):
    path = analyst_form_route()
    tok = login(srv, "rita")
    r = post(srv, path, tok, {"csrf": csrf(tok)})
    assert r.status_code == 403, (path, r.status_code)
    assert "<h1>Not allowed</h1>" in r.text and "role &#39;reader&#39; may not POST" in r.text
    assert alive(srv, tok)
    # the reader may log out (the logout route asks for a reader)
    assert post(srv, "/console/logout", tok, {"csrf": csrf(tok)}).status_code == 303
