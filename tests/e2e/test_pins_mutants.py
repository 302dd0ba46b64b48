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
