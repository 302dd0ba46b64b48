"""Tokens: those minted by a login expire (--login-token-ttl) and a user keeps a few of them at
most (--login-tokens-max); those made on purpose live until revoked unless given expires_in;
the list shows each token's kind, expiry and last use (recorded at most once a minute)."""
import datetime

import pytest

from conftest import connect, USER_PASSWORD as PW, wait_for


def when(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def login(srv):
    r = srv.post("/api/v1/login", {"name": "dana", "password": PW}, token="")
    assert r.status_code == 201, r.text
    return r.json()


@pytest.mark.parametrize("user_server", [["--login-token-ttl", "2s"]], indirect=True)
def test_login_token_expires(user_server):
    srv = user_server
    before = now().replace(microsecond=0)
    out = login(srv)
    assert before + datetime.timedelta(seconds=2) <= when(out["expires"])
    assert when(out["expires"]) <= now() + datetime.timedelta(seconds=2)
    tok = out["token"]
    assert srv.get("/api/v1/me", token=tok).json()["name"] == "dana"
    mine = srv.get("/api/v1/tokens", token=tok).json()["items"]
    assert [(t["kind"], t["label"], t["expires"]) for t in mine] == [
        ("login", "login", out["expires"])]
    # the token is cached by the server: it expires all the same, with a message saying so
    (r,) = wait_for(lambda: (lambda r: (r,) if r.status_code != 200 else None)(
        srv.get("/api/v1/me", token=tok)), timeout=10, interval=0.1, what="the expiry")
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unauthorized"
    assert r.json()["error"]["message"] == (f"the token expired at {out['expires']}; "
                                           "log in again")
    assert srv.get("/api/v1/tokens", token=tok).status_code == 401


def test_login_token_lives_twelve_hours_by_default(user_server):
    out = login(user_server)
    left = when(out["expires"]) - now()
    assert datetime.timedelta(hours=11, minutes=59) < left <= datetime.timedelta(hours=12)


@pytest.mark.parametrize("user_server", [["--login-tokens-max", "3"]], indirect=True)
def test_login_tokens_are_capped(user_server):
    srv = user_server
    outs = [login(srv) for _ in range(4)]
    r = srv.get("/api/v1/me", token=outs[0]["token"])
    assert r.status_code == 401 and r.json()["error"]["message"] == "invalid or revoked token"
    for out in outs[1:]:
        assert srv.get("/api/v1/me", token=out["token"]).status_code == 200
    mine = srv.get("/api/v1/tokens", token=outs[3]["token"]).json()["items"]
    assert [t["id"] for t in mine] == [o["id"] for o in outs]
    assert [t["revoked"] is not None for t in mine] == [True, False, False, False]
    # api tokens do not count: made on purpose, they stay
    r = srv.post("/api/v1/tokens", {"label": "script"}, token=outs[3]["token"])
    assert r.status_code == 201
    api = r.json()["token"]
    login(srv)
    assert srv.get("/api/v1/me", token=api).status_code == 200
    assert srv.get("/api/v1/me", token=outs[1]["token"]).status_code == 401
    assert srv.get("/api/v1/me", token=outs[2]["token"]).status_code == 200


def test_api_tokens_do_not_expire_unless_asked(user_server):
    srv = user_server
    r = srv.post("/api/v1/tokens", {"label": "forever"})
    assert r.status_code == 201
    assert r.json()["kind"] == "api" and r.json()["expires"] is None
    before = now().replace(microsecond=0)
    r = srv.post("/api/v1/tokens", {"label": "an hour", "expires_in": 3600})
    assert r.status_code == 201
    exp = when(r.json()["expires"])
    assert before + datetime.timedelta(seconds=3600) <= exp <= now() + datetime.timedelta(
        seconds=3600)
    mine = {t["label"]: t for t in srv.get("/api/v1/tokens").json()["items"]}
    assert mine["init"]["kind"] == "api" and mine["init"]["expires"] is None
    assert mine["forever"]["expires"] is None
    assert mine["an hour"]["expires"] == r.json()["expires"]
    for bad in (59, 10 * 366 * 24 * 3600 + 1, "3600", 3600.5, None):
        r = srv.post("/api/v1/tokens", {"expires_in": bad})
        assert r.status_code == 400, bad
        assert r.json()["error"]["field"] == "/expires_in"
    assert srv.post("/api/v1/tokens", {"expires_in": 60}).status_code == 201


def test_an_expired_api_token_is_refused(user_server):
    """An expiry set by another process on a token the server has cached: refused at once."""
    srv = user_server
    r = srv.post("/api/v1/tokens", {"label": "x", "expires_in": 3600})
    tok, tid = r.json()["token"], r.json()["id"]
    assert srv.get("/api/v1/me", token=tok).status_code == 200
    db = connect(srv.db)
    db.execute("UPDATE token SET expires = '2026-01-01T00:00:00Z' WHERE id = ?", (tid,))
    db.commit()
    db.close()
    r = srv.get("/api/v1/me", token=tok)
    assert r.status_code == 401
    assert "expired at 2026-01-01T00:00:00Z" in r.json()["error"]["message"]


def test_last_used_is_shown_and_written_once_a_minute(user_server):
    srv = user_server
    tok = srv.token("bob", "analyst")
    mine = srv.get("/api/v1/tokens", token=tok).json()["items"]
    assert mine[0]["label"] == "cli"
    # that list was a use: written by the next write the server runs
    second = srv.post("/api/v1/tokens", {"label": "other"}, token=tok).json()
    mine = srv.get("/api/v1/tokens", token=tok).json()["items"]
    first_use = mine[0]["last_used"]
    assert first_use is not None
    assert when(mine[0]["created"]) <= when(first_use) <= now()
    assert mine[1]["id"] == second["id"] and mine[1]["last_used"] is None
    # used again within the minute: not written again
    assert srv.get("/api/v1/me", token=tok).status_code == 200
    assert srv.post("/api/v1/tokens", {"label": "third"}, token=tok).status_code == 201
    mine = srv.get("/api/v1/tokens", token=tok).json()["items"]
    assert mine[0]["last_used"] == first_use
    # a use recorded a minute ago is recorded again
    db = connect(srv.db)
    db.execute("UPDATE token SET last_used = '2026-01-01T00:00:00Z' WHERE id = ?",
               (mine[0]["id"],))
    db.commit()
    db.close()
    assert srv.get("/api/v1/me", token=tok).status_code == 200
    assert srv.post("/api/v1/tokens", {"label": "fourth"}, token=tok).status_code == 201
    mine = srv.get("/api/v1/tokens", token=tok).json()["items"]
    assert when(mine[0]["last_used"]) > when(first_use)
