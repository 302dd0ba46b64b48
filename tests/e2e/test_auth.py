"""Users, roles, tokens and passwords."""

from conftest import DB_ERRORS, connect, make_incident


def test_token_required_and_checked(server):
    assert server.get("/api/v1/incidents", token="").status_code == 401
    r = server.get("/api/v1/incidents", token="vgt_" + "0" * 64)
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    assert server.get("/api/v1/incidents", token="garbage").status_code == 401
    r = server.req("GET", "/api/v1/incidents", token="",
                   headers={"Authorization": "Basic YWRtaW46YWRtaW4="})
    assert r.status_code == 401
    assert server.get("/api/v1/health", token="").status_code == 200


def test_tokens_are_stored_hashed(server):
    tok = server.token("zed", "analyst")
    db = connect(server.db)
    rows = db.execute("SELECT hash FROM token").fetchall()
    db.close()
    assert all(len(h) == 32 for (h,) in rows)
    assert all(tok.encode() not in h and tok[4:].encode() not in h for (h,) in rows)


def test_create_list_and_revoke_tokens(server):
    tok = server.token("bob", "analyst")
    r = server.post("/api/v1/tokens", {"label": "laptop"}, token=tok)
    assert r.status_code == 201
    second, tid = r.json()["token"], r.json()["id"]
    assert server.get("/api/v1/me", token=second).json()["name"] == "bob"
    mine = server.get("/api/v1/tokens", token=tok).json()["items"]
    assert [t["label"] for t in mine] == ["cli", "laptop"]
    assert server.req("DELETE", f"/api/v1/tokens/{tid}", token=tok).status_code == 200
    assert server.get("/api/v1/me", token=second).status_code == 401
    assert server.req("DELETE", f"/api/v1/tokens/{tid}", token=tok).status_code == 404
    # another analyst cannot revoke bob's token; an admin can
    other = server.token("eve", "analyst")
    first_id = mine[0]["id"]
    assert server.req("DELETE", f"/api/v1/tokens/{first_id}", token=other).status_code == 404
    assert server.req("DELETE", f"/api/v1/tokens/{first_id}").status_code == 200
    assert server.get("/api/v1/me", token=tok).status_code == 401


def test_users_and_password_login(server):
    r = server.post("/api/v1/users", {"name": "dana", "role": "analyst",
                                      "password": "correct horse battery"})
    assert r.status_code == 201, r.text
    assert server.post("/api/v1/users", {"name": "dana", "role": "reader"}).status_code == 409
    assert server.post("/api/v1/users", {"name": "x", "role": "boss"}).status_code == 400
    assert server.post("/api/v1/users", {"name": "y", "role": "reader",
                                         "password": "short"}).status_code == 400
    db = connect(server.db)
    (h,) = db.execute("SELECT password_hash FROM \"user\" WHERE name='dana'").fetchone()
    db.close()
    assert h.startswith("$argon2id$")
    r = server.post("/api/v1/login", {"name": "dana", "password": "wrong password!"}, token="")
    assert r.status_code == 401
    r = server.post("/api/v1/login", {"name": "dana", "password": "correct horse battery"},
                    token="")
    assert r.status_code == 201
    tok = r.json()["token"]
    assert server.get("/api/v1/me", token=tok).json() == {
        "id": server.get("/api/v1/me", token=tok).json()["id"], "name": "dana",
        "role": "analyst"}
    make_incident(server)
    assert server.post("/api/v1/login", {"name": "nobody", "password": "x"},
                       token="").status_code == 401


def test_only_admins_manage_users_and_read_audit(server):
    analyst = server.token("an", "analyst")
    assert server.get("/api/v1/users", token=analyst).status_code == 403
    assert server.post("/api/v1/users", {"name": "z", "role": "admin"},
                       token=analyst).status_code == 403
    assert server.get("/api/v1/audit", token=analyst).status_code == 403
    names = [u["name"] for u in server.get("/api/v1/users").json()["items"]]
    assert names == ["admin", "an"]
    assert all("password_hash" not in u for u in server.get("/api/v1/users").json()["items"])


def test_audit_log_is_append_only(server):
    make_incident(server)
    db = connect(server.db)
    try:
        for sql in ("UPDATE audit SET actor='x'", "DELETE FROM audit"):
            try:
                db.execute(sql)
                raise AssertionError("audit was modified by " + sql)
            except DB_ERRORS as e:
                assert "append-only" in str(e)
    finally:
        db.close()


def test_revocation_by_another_process_is_seen_at_once(server):
    """The server caches valid tokens; a token revoked by another connection (another
    process on the same database) must be refused by the very next request."""
    tok = server.token("carol", "analyst")
    for _ in range(3):
        assert server.get("/api/v1/me", token=tok).status_code == 200
    db = connect(server.db)
    db.execute("UPDATE token SET revoked = '2026-12-04T00:00:00Z' WHERE user_id = "
               "(SELECT id FROM \"user\" WHERE name = 'carol')")
    db.commit()
    db.close()
    assert server.get("/api/v1/me", token=tok).status_code == 401
    assert server.get("/api/v1/me").status_code == 200


def test_disabled_user_by_another_process_is_refused(server):
    tok = server.token("dave", "analyst")
    assert server.get("/api/v1/me", token=tok).status_code == 200
    db = connect(server.db)
    db.execute("UPDATE \"user\" SET disabled = 1 WHERE name = 'dave'")
    db.commit()
    db.close()
    assert server.get("/api/v1/me", token=tok).status_code == 401
