"""Pins found by mutation (scripts/mutants.py, docs/TESTING.md "Mutation score"): rules of
the route matcher (src/http/router.c) and of the token check (src/http/auth.c) that a one-line
change broke without any other test failing. Each asserts status, code and what the answer
names."""
from conftest import connect


def error(r, status, code):
    assert r.status_code == status, (r.status_code, r.text)
    e = r.json()["error"]
    assert e["code"] == code, r.text
    return e


def test_path_parameter_bounds(server):
    """A `{}` segment holds 1 to 255 bytes: 255 reach the handler (its own 404), 256 or an
    empty segment are no route at all."""
    e = error(server.get("/api/v1/playbooks/" + "a" * 255), 404, "not_found")
    assert "no such route" not in e["message"], e
    e = error(server.get("/api/v1/playbooks/" + "a" * 256), 404, "not_found")
    assert "no such route" in e["message"], e
    e = error(server.get("/api/v1/incidents//related"), 404, "not_found")
    assert "no such route" in e["message"], e


def test_trailing_slash(server):
    """One trailing slash is tolerated, two are not; nor is a missing segment."""
    r = server.get("/api/v1/incidents/")
    assert r.status_code == 200, r.text
    assert r.json()["items"] == []
    error(server.get("/api/v1/incidents//"), 404, "not_found")
    error(server.get("/api/v1/incident"), 404, "not_found")
    error(server.get("/api/v1/incidentsx"), 404, "not_found")


def test_method_not_allowed_lists_methods_in_table_order(server):
    r = server.req("DELETE", "/api/v1/incidents/1")
    error(r, 405, "method_not_allowed")
    assert r.headers["Allow"] == "GET, PATCH"
    r = server.req("PUT", "/api/v1/tokens")
    error(r, 405, "method_not_allowed")
    assert r.headers["Allow"] == "GET, POST"


def test_authorization_scheme(server):
    """"Bearer" in any case, then the token; anything else is 401 `unauthorized`."""
    tok = server.admin
    for scheme in ("Bearer ", "bearer ", "BEARER "):
        r = server.req("GET", "/api/v1/me", token="", headers={"Authorization": scheme + tok})
        assert r.status_code == 200, (scheme, r.text)
    for value in ("Basic " + tok, "Bearer" + tok, "Bearer", tok, "Bearer x" + tok):
        r = server.req("GET", "/api/v1/me", token="", headers={"Authorization": value})
        error(r, 401, "unauthorized")
    # a public route with a bad token is refused too; with none it is served
    r = server.req("GET", "/api/v1/health", token="", headers={"Authorization": "Bearer nope"})
    error(r, 401, "unauthorized")
    assert server.req("GET", "/api/v1/health", token="").status_code == 200
    # a reader on an analyst route: 403 naming the role, the method and the path
    reader = server.token("pin-reader", "reader")
    e = error(server.post("/api/v1/incidents", {}, token=reader), 403, "forbidden")
    assert "reader" in e["message"] and "POST /api/v1/incidents" in e["message"], e
    # the analyst it needs passes the gate, on to the handler's own 400
    analyst = server.token("pin-analyst", "analyst")
    error(server.post("/api/v1/incidents", {}, token=analyst), 400, "invalid")


def test_token_check_store_failure_is_500(server):
    """When the store cannot check a token (here its table is gone), the answer is 500
    `internal`, not 401: the caller's token is not at fault."""
    assert server.get("/api/v1/me").status_code == 200
    con = connect(str(server.db), timeout=30)
    con.execute("ALTER TABLE token RENAME TO token_gone")
    con.commit()
    try:
        r = server.get("/api/v1/me")
        error(r, 500, "internal")
        assert r.json()["error"]["message"] == "internal error"
    finally:
        con.execute("ALTER TABLE token_gone RENAME TO token")
        con.commit()
        con.close()
    assert server.get("/api/v1/me").status_code == 200


def console(srv, method, path, cookie=None, **kw):
    """A console request with a session cookie (or none), redirects not followed."""
    import requests
    headers = {"Cookie": "vigie_session=" + cookie} if cookie else {}
    return requests.request(method, srv.url + path, headers=headers, allow_redirects=False,
                            timeout=60, **kw)


def console_login(srv, name):
    """Logs in through the form: the session's token (its cookie) and CSRF token."""
    import hashlib
    import requests
    from conftest import USER_PASSWORD
    r = requests.post(srv.url + "/console/login", data={"name": name, "password": USER_PASSWORD},
                      allow_redirects=False, timeout=60)
    assert r.status_code == 303, r.text[:2000]
    tok = r.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
    return tok, hashlib.blake2b(b"vigie csrf v1:" + tok.encode(), digest_size=32).hexdigest()


def to_login(r, path, why=None):
    """A redirect to the login page and back to path; why: the message of its body."""
    assert r.status_code == 303, (r.status_code, r.text[:500])
    assert r.headers["Location"] == "/console/login?next=" + path.replace("/", "%2F"), r.headers
    if why is not None:
        assert r.json()["error"] == {"code": "unauthorized", "message": why}, r.text


def test_session_route_gate(server):
    """The console's gate (src/http/auth.c session_auth), in the order it checks: a session
    cookie (none, an unknown one or an API token: 303 to the login, back here after it), then
    for a form its CSRF token (403 "Form expired"), then the route's least role (403 "Not
    allowed" naming the role, the method and the path); a reader's GET needs no CSRF token,
    nor does a HEAD."""
    from conftest import add_user
    add_user(server, "pin-rita", "reader")
    add_user(server, "pin-dana", "analyst")
    to_login(console(server, "GET", "/console/incidents"), "/console/incidents")
    to_login(console(server, "GET", "/console/incidents", "vgt_" + "0" * 64),
             "/console/incidents")
    to_login(console(server, "GET", "/console/incidents", server.admin), "/console/incidents")
    tok, csrf = console_login(server, "pin-rita")
    for method in ("GET", "HEAD"):
        r = console(server, method, "/console/incidents", tok)
        assert r.status_code == 200, (method, r.status_code, r.text[:500])
    # a form without this session's CSRF token: refused before the role is looked at
    for data in ({}, {"csrf": "0" * 64}):
        r = console(server, "POST", "/console/incidents", tok, data=data)
        assert r.status_code == 403 and "<h1>Form expired</h1>" in r.text, (r.status_code,
                                                                             r.text[:500])
        assert "Location" not in r.headers
    # the reader's role on an analyst's form: 403 naming the role, the method and the path
    r = console(server, "POST", "/console/incidents", tok, data={"csrf": csrf})
    assert r.status_code == 403, (r.status_code, r.text[:500])
    assert "<h1>Not allowed</h1>" in r.text, r.text[:2000]
    assert "role &#39;reader&#39; may not POST /console/incidents" in r.text, r.text[:2000]
    # the analyst it needs passes the gate, on to the form's own answer (a 400 page: no title)
    tok2, csrf2 = console_login(server, "pin-dana")
    r = console(server, "POST", "/console/incidents", tok2, data={"csrf": csrf2})
    assert r.status_code == 400, (r.status_code, r.text[:500])
    # a form route the reader's role reaches: its CSRF token accepted, the session ended
    r = console(server, "POST", "/console/logout", tok, data={"csrf": csrf})
    assert r.status_code == 303 and r.headers["Location"] == "/console/login", r.headers
    to_login(console(server, "GET", "/console/incidents", tok), "/console/incidents")


def test_session_check_store_failure_is_500(server):
    """When the store cannot check a session (its table is gone), a console route answers 500,
    not the login page: the browser's session is not at fault."""
    from conftest import add_user
    add_user(server, "pin-rita", "reader")
    tok, _ = console_login(server, "pin-rita")
    con = connect(server.db, timeout=30)
    con.execute("ALTER TABLE token RENAME TO token_gone")
    con.commit()
    try:
        r = console(server, "GET", "/console/incidents", tok)
        assert r.status_code == 500, (r.status_code, r.text[:500])
        assert "Location" not in r.headers
        # the gate's own answer (a page), not the server's for an answer it could not make
        assert "internal error" in r.text and "out of memory" not in r.text, r.text[:2000]
    finally:
        con.execute("ALTER TABLE token_gone RENAME TO token")
        con.commit()
        con.close()
    assert console(server, "GET", "/console/incidents", tok).status_code == 200


def test_session_idle_of_one_second(tmp_path):
    """--session-idle 1s is honoured (the smallest value, not the default's 30 minutes): a
    session unused for one second (on the clock's whole seconds) lives; unused for over a
    second (two whole seconds), it is sent to the login page."""
    import time
    from conftest import Server, add_user
    srv = Server(tmp_path / "vigie.db", extra=["--session-idle", "1s"])
    try:
        add_user(srv, "pin-rita", "reader")
        tok, _ = console_login(srv, "pin-rita")
        assert console(srv, "GET", "/console/incidents", tok).status_code == 200
        # used at second s, used again at second s + 1: one second unused is not over one
        for _ in range(5):
            time.sleep(1.02 - time.time() % 1)
            s0 = int(time.time())
            assert console(srv, "GET", "/console/incidents", tok).status_code == 200
            if int(time.time()) != s0:
                continue  # the request straddled a second: try again
            time.sleep(s0 + 1.02 - time.time())
            r = console(srv, "GET", "/console/incidents", tok)
            if int(time.time()) == s0 + 1:
                assert r.status_code == 200, (r.status_code, r.headers.get("Location"))
                break
            assert r.status_code in (200, 303), r.status_code
            if r.status_code == 303:  # too late: the session ended; a new one
                tok, _ = console_login(srv, "pin-rita")
        else:
            raise AssertionError("five tries, each request straddling a second")
        time.sleep(2.1)
        to_login(console(srv, "GET", "/console/incidents", tok), "/console/incidents",
                 "the session expired; log in again")
    finally:
        rc, err = srv.stop()
    assert rc == 0, err[-3000:]


def test_session_of_no_known_use_is_not_idle(server):
    """A session whose last use is unknown (none in the database, none seen by this process)
    is not idle: it is served, not sent to the login page as if last used in 1970."""
    from conftest import add_user
    add_user(server, "pin-rita", "reader")
    tok, _ = console_login(server, "pin-rita")
    rc, err = server.stop()
    assert rc == 0, err[-3000:]
    with connect(server.db) as db:
        n = db.execute("UPDATE token SET last_used = NULL WHERE kind = 'session'").rowcount
    assert n == 1
    server.start()
    r = console(server, "GET", "/console/incidents", tok)
    assert r.status_code == 200, (r.status_code, r.headers.get("Location"))


def test_session_cookie_bounds_and_login_reasons(server):
    """The redirect to the login page says why: no cookie (or an empty one, or one longer than
    any cookie buffer of 76 bytes: a token is 68) is "log in first"; a cookie that fits and
    names no session is "unknown or ended"."""
    first, unknown = "log in first", "the session is unknown or ended; log in again"
    path = "/console/incidents"
    to_login(console(server, "GET", path), path, first)
    to_login(console(server, "GET", path, ""), path, first)
    for n, why in ((68, unknown), (75, unknown), (76, first), (77, first)):
        to_login(console(server, "GET", path, "vgt_" + "0" * (n - 4)), path, why)
