"""Partner CERTs (issue 12): their records and every refusal of a bad one (status, code and
JSON pointer), their tokens (shown once, listed without secret, revoked), authentication as
a bearer token or HTTP Basic (the partner's id and a token), and a partner kept to the sharing
routes: every other route of src/api/routes.c, read here so that none is forgotten, answers
403 `forbidden` to a partner's token."""
import base64
import json
import os
import re

from conftest import db_bytes, ROOT, run

LINE = re.compile(r'^\s*\{"([A-Z]+)",\s*"([^"]+)",\s*(VG_[A-Z]+),\s*\w+,\s*([^}]*)\}')


def routes():
    """(method, pattern, flags) of every route of the table."""
    with open(os.path.join(ROOT, "src", "api", "routes.c")) as f:
        text = f.read()
    body = text[text.index("vg_api_routes[]"):]
    body = body[:body.index("};")]
    found = [(m.group(1), m.group(2), m.group(4)) for m in map(LINE.match, body.splitlines()) if m]
    assert len(found) == len(re.findall(r'^\s*\{"', body, re.M)) and len(found) >= 40
    return found


def fill(path):
    ids = iter(["1", "1", "1"])
    if "/playbooks/" in path:
        ids = iter(["malicious-code"])
    if "/vulns/" in path:
        ids = iter(["CVE-2024-0001"])
    return re.sub(r"\{\}", lambda _m: next(ids), path)


def partner(srv, name="CERT-EU", **extra):
    body = {"name": name, "country": "BE"}
    body.update(extra)
    r = srv.post("/api/v1/partners", body)
    assert r.status_code == 201, r.text
    return r.json()


def new_token(srv, pid, label=None):
    r = srv.post(f"/api/v1/partners/{pid}/tokens", {"label": label} if label else None)
    assert r.status_code == 201, r.text
    return r.json()


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def err(r, status, code, field):
    assert r.status_code == status, (r.status_code, r.text)
    e = r.json()["error"]
    assert (e["code"], e.get("field")) == (code, field), r.text
    return e


def test_partner_create_read_list_patch(server):
    p = partner(server, "CERT-FR", country="FR", networks=["intercert-fr", "first"],
                contacts=[{"name": "Duty", "email": "duty@cert.example", "phone": "+33 1"}],
                max_tlp="AMBER")
    assert p["name"] == "CERT-FR" and p["country"] == "FR" and p["max_tlp"] == "AMBER"
    assert p["networks"] == ["intercert-fr", "first"] and p["disabled"] is False
    assert p["contacts"] == [{"name": "Duty", "email": "duty@cert.example", "role": "",
                              "phone": "+33 1"}]
    d = partner(server, "CSIRT-DE", country="DE")
    assert d["max_tlp"] == "GREEN" and d["networks"] == [] and d["contacts"] == []
    r = server.get(f"/api/v1/partners/{p['id']}")
    assert r.status_code == 200 and r.json() == p
    reader = server.token("pr-reader", "reader")
    r = server.get("/api/v1/partners", token=reader)
    assert r.status_code == 200
    assert [x["name"] for x in r.json()["items"]] == ["CERT-FR", "CSIRT-DE"]
    r = server.get("/api/v1/partners?limit=1")
    assert [x["name"] for x in r.json()["items"]] == ["CERT-FR"]
    r = server.get("/api/v1/partners?limit=1&cursor=" + r.json()["next_cursor"])
    assert [x["name"] for x in r.json()["items"]] == ["CSIRT-DE"]
    assert r.json()["next_cursor"] is None
    r = server.patch(f"/api/v1/partners/{p['id']}", {"max_tlp": "GREEN", "disabled": True})
    assert r.status_code == 200, r.text
    assert r.json()["max_tlp"] == "GREEN" and r.json()["disabled"] is True
    assert r.json()["country"] == "FR"  # untouched
    # writes are audited
    audit = server.get("/api/v1/audit").json()["items"]
    actions = [(a["action"], a["object"]) for a in audit]
    assert ("partner.create", f"partner:{p['id']}") in actions
    assert ("partner.update", f"partner:{p['id']}") in actions
    # a reader reads, only an admin writes
    err(server.post("/api/v1/partners", {"name": "X", "country": "FR"}, token=reader),
        403, "forbidden", None)


def test_partner_validation_errors(server):
    partner(server, "CERT-EU")
    cases = [
        ({"country": "FR"}, 400, "invalid", "/name"),
        ({"name": "", "country": "FR"}, 400, "invalid", "/name"),
        ({"name": "x" * 257, "country": "FR"}, 400, "too_large", "/name"),
        ({"name": "A"}, 400, "invalid", "/country"),
        ({"name": "A", "country": "fr"}, 400, "invalid", "/country"),
        ({"name": "A", "country": "UK"}, 400, "invalid", "/country"),
        ({"name": "A", "country": "FRA"}, 400, "invalid", "/country"),
        ({"name": "A", "country": "FR", "networks": "first"}, 400, "invalid", "/networks"),
        ({"name": "A", "country": "FR", "networks": ["first", "nato"]}, 400, "invalid",
         "/networks/1"),
        ({"name": "A", "country": "FR", "contacts": [{"name": "B", "email": "no-at"}]}, 400,
         "invalid", "/contacts/0/email"),
        ({"name": "A", "country": "FR", "contacts": [{"email": "b@x.example"}]}, 400,
         "invalid", "/contacts/0/name"),
        ({"name": "A", "country": "FR", "contacts": [{"name": "B", "email": "a@b@x.example"}]},
         400, "invalid", "/contacts/0/email"),
        ({"name": "A", "country": "FR", "max_tlp": "WHITE"}, 400, "invalid", "/max_tlp"),
        ({"name": "A", "country": "FR", "max_tlp": "amber"}, 400, "invalid", "/max_tlp"),
        ({"name": "A", "country": "FR", "disabled": True}, 400, "invalid", "/disabled"),
        ({"name": "A", "country": "FR", "extra": 1}, 400, "invalid", "/extra"),
    ]
    for body, status, code, field in cases:
        err(server.post("/api/v1/partners", body), status, code, field)
    for level in ("AMBER+STRICT", "RED"):
        e = err(server.post("/api/v1/partners", {"name": "A", "country": "FR", "max_tlp": level}),
                400, "invalid", "/max_tlp")
        assert "never receives" in e["message"], e
    # the name is unique whatever its case
    err(server.post("/api/v1/partners", {"name": "cert-eu", "country": "FR"}), 409, "exists",
        "/name")
    b = partner(server, "CERT-B")
    err(server.patch(f"/api/v1/partners/{b['id']}", {"name": "Cert-Eu"}), 409, "exists", "/name")
    err(server.patch(f"/api/v1/partners/{b['id']}", {"max_tlp": "RED"}), 400, "invalid",
        "/max_tlp")
    err(server.patch(f"/api/v1/partners/{b['id']}", {"disabled": "yes"}), 400, "invalid",
        "/disabled")
    err(server.patch(f"/api/v1/partners/{b['id']}", {"country": "ZZ"}), 400, "invalid",
        "/country")
    assert server.get(f"/api/v1/partners/{b['id']}").json() == b  # nothing written
    err(server.get("/api/v1/partners/999"), 404, "not_found", "id")
    err(server.get("/api/v1/partners/abc"), 404, "not_found", "id")
    err(server.patch("/api/v1/partners/999", {"max_tlp": "CLEAR"}), 404, "not_found", "id")
    # nothing but the two good ones was stored
    assert len(server.get("/api/v1/partners").json()["items"]) == 2


def test_partner_tokens_shown_once_listed_revoked(server):
    p = partner(server)
    t = new_token(server, p["id"], "taxii")
    assert re.fullmatch(r"vgp_[0-9a-f]{64}", t["token"]), t
    assert t["label"] == "taxii" and t["partner_id"] == p["id"] and t["revoked"] is None
    t2 = new_token(server, p["id"])
    assert t2["token"] != t["token"] and t2["label"] == ""
    r = server.get(f"/api/v1/partners/{p['id']}/tokens")
    assert r.status_code == 200
    items = r.json()["items"]
    assert [(i["id"], i["label"], i["revoked"]) for i in items] == \
        [(t["id"], "taxii", None), (t2["id"], "", None)]
    assert "token" not in r.text and t["token"][4:] not in r.text  # never the secret again
    # the database holds a hash only
    assert t["token"].encode() not in db_bytes(server.db)
    who = server.get("/api/v1/share/whoami", token=t["token"])
    assert who.status_code == 200, who.text
    assert who.json() == {"kind": "partner", "name": "CERT-EU", "partner_id": p["id"],
                          "max_tlp": "GREEN"}
    r = server.req("DELETE", f"/api/v1/partners/{p['id']}/tokens/{t['id']}")
    assert r.status_code == 200 and r.json()["revoked"] is True
    # refused at once (the connection's token cache must not keep it), the other one still valid
    err(server.get("/api/v1/share/whoami", token=t["token"]), 401, "unauthorized", None)
    assert server.get("/api/v1/share/whoami", token=t2["token"]).status_code == 200
    items = server.get(f"/api/v1/partners/{p['id']}/tokens").json()["items"]
    assert items[0]["revoked"] is not None and items[1]["revoked"] is None
    err(server.req("DELETE", f"/api/v1/partners/{p['id']}/tokens/{t['id']}"), 404, "not_found",
        "tid")
    other = partner(server, "CERT-X", country="FR")
    err(server.req("DELETE", f"/api/v1/partners/{other['id']}/tokens/{t2['id']}"), 404,
        "not_found", "tid")
    err(server.req("DELETE", f"/api/v1/partners/{p['id']}/tokens/x"), 404, "not_found", "tid")
    err(server.post("/api/v1/partners/999/tokens", {}), 404, "not_found", "id")
    err(server.get("/api/v1/partners/999/tokens"), 404, "not_found", "id")
    err(server.post(f"/api/v1/partners/{p['id']}/tokens", {"label": "x" * 129}), 400, "invalid",
        "/label")
    err(server.post(f"/api/v1/partners/{p['id']}/tokens", {"label": 3}), 400, "invalid", "/label")
    err(server.post(f"/api/v1/partners/{p['id']}/tokens", {"scope": "all"}), 400, "invalid",
        "/scope")
    audit = [a["action"] for a in server.get("/api/v1/audit").json()["items"]]
    assert "partner.token.create" in audit and "partner.token.revoke" in audit
    # only an admin manages them
    analyst = server.token("pt-analyst", "analyst")
    err(server.post(f"/api/v1/partners/{p['id']}/tokens", {}, token=analyst), 403, "forbidden",
        None)
    err(server.get(f"/api/v1/partners/{p['id']}/tokens", token=analyst), 403, "forbidden", None)


def test_partner_basic_auth_and_disabling(server):
    p = partner(server, "CERT-PL", country="PL", max_tlp="AMBER")
    q = partner(server, "CERT-IT", country="IT")
    t = new_token(server, p["id"])["token"]
    tq = new_token(server, q["id"])["token"]
    url = "/api/v1/share/whoami"
    r = server.get(url, token="", headers={"Authorization": basic(p["id"], t)})
    assert r.status_code == 200, r.text
    assert r.json() == {"kind": "partner", "name": "CERT-PL", "partner_id": p["id"],
                        "max_tlp": "AMBER"}
    # a wrong id, another partner's token, a user's token, a bad password, no colon: 401
    user_tok = server.token("pb-reader", "reader")
    for h in (basic(q["id"], t), basic(p["id"], tq), basic(p["id"], user_tok),
              basic(p["id"], t[:-1] + "0" if t[-1] != "0" else t[:-1] + "1"),
              basic("0" + str(p["id"]), t), basic("CERT-PL", t),
              "Basic " + base64.b64encode(t.encode()).decode(), "Basic !!!"):
        r = server.get(url, token="", headers={"Authorization": h})
        err(r, 401, "unauthorized", None)
        assert r.headers.get("WWW-Authenticate") == 'Bearer realm="vigie", Basic realm="vigie"'
    # a user's token on the sharing route: a user
    r = server.get(url, token=user_tok)
    assert r.json() == {"kind": "user", "name": "pb-reader", "partner_id": None,
                        "max_tlp": None}
    # a 401 of another route offers only Bearer
    r = server.get("/api/v1/me", token="")
    assert r.status_code == 401 and r.headers.get("WWW-Authenticate") == 'Bearer realm="vigie"'
    r = server.get(url, token="")
    err(r, 401, "unauthorized", None)
    assert "Basic" in r.headers.get("WWW-Authenticate")
    # max_tlp lowered: seen at once
    server.patch(f"/api/v1/partners/{p['id']}", {"max_tlp": "CLEAR"})
    assert server.get(url, token=t).json()["max_tlp"] == "CLEAR"
    # disabled: its tokens are refused, bearer and Basic; enabled again: accepted
    assert server.patch(f"/api/v1/partners/{p['id']}", {"disabled": True}).status_code == 200
    err(server.get(url, token=t), 401, "unauthorized", None)
    err(server.get(url, token="", headers={"Authorization": basic(p["id"], t)}), 401,
        "unauthorized", None)
    assert server.get(url, token=tq).status_code == 200  # the other partner is not touched
    assert server.patch(f"/api/v1/partners/{p['id']}", {"disabled": False}).status_code == 200
    assert server.get(url, token=t).status_code == 200


def test_partner_token_only_on_sharing_routes(server):
    """Every route of the table that is not a sharing route answers 403 `forbidden` to a
    partner's token, as bearer and as Basic, whatever its least role (public ones too)."""
    p = partner(server)
    t = new_token(server, p["id"])["token"]
    table = routes()
    shares = [(m, pat) for m, pat, flags in table if "VG_ROUTE_SHARE" in flags]
    assert ("GET", "/api/v1/share/whoami") in shares
    checked = logins = 0
    for method, pattern, flags in table:
        path = fill(pattern)
        for auth in ("Bearer " + t, basic(p["id"], t)):
            kw = {"headers": {"Authorization": auth}}
            if method not in ("GET", "DELETE"):
                kw["json"] = {}
            if path.endswith("/events"):
                kw = {"headers": {"Authorization": auth,
                                  "Content-Type": "application/x-ndjson"}, "data": b""}
            r = server.req(method, path, token="", **kw)
            if "VG_ROUTE_SHARE" in flags:
                assert r.status_code not in (401, 403), (method, pattern, r.text)
                continue
            if "VG_ROUTE_LOGIN" in flags:
                # a password login: its body is checked before any token, and a partner's
                # token does not log it in
                assert r.status_code == 400, (method, pattern, r.status_code, r.text)
                logins += 1
                continue
            assert r.status_code == 403, (method, pattern, r.status_code, r.text)
            assert r.json()["error"]["code"] == "forbidden", (method, pattern, r.text)
            checked += 1
    assert logins == 2 and checked == 2 * (len(table) - len(shares) - 1)
    # and nothing was written by them: no partner, user or incident more
    assert len(server.get("/api/v1/partners").json()["items"]) == 1
    assert server.get("/api/v1/incidents").json()["items"] == []


def test_partner_cli(server):
    db = server.db
    r = run("partner", "add", "CERT-NL", "--country", "NL", "--network", "first",
            "--network", "tf-csirt", "--max-tlp", "AMBER", "--contact", "soc@cert.example",
            db=db)
    p = json.loads(r.stdout)
    assert p["name"] == "CERT-NL" and p["networks"] == ["first", "tf-csirt"]
    assert p["max_tlp"] == "AMBER" and p["contacts"][0]["email"] == "soc@cert.example"
    bad = run("partner", "add", "CERT-Y", "--country", "nl", db=db, check=False)
    assert bad.returncode == 1 and "/country" in bad.stderr
    bad = run("partner", "add", "CERT-Y", "--country", "NL", "--max-tlp", "RED", db=db,
              check=False)
    assert bad.returncode == 1 and "/max_tlp" in bad.stderr
    bad = run("partner", "add", "cert-nl", "--country", "NL", db=db, check=False)
    assert bad.returncode == 1 and "exists" in bad.stderr
    assert run("partner", "add", db=db, check=False).returncode == 2
    r = run("partner", "list", db=db)
    rows = [json.loads(l) for l in r.stdout.splitlines()]
    assert [x["name"] for x in rows] == ["CERT-NL"]
    r = run("partner", "token", str(p["id"]), "--label", "misp", db=db)
    tok = r.stdout.strip()
    assert re.fullmatch(r"vgp_[0-9a-f]{64}", tok), r.stdout
    who = server.get("/api/v1/share/whoami", token=tok)
    assert who.status_code == 200 and who.json()["name"] == "CERT-NL"
    assert run("partner", "token", "999", db=db, check=False).returncode == 1
    assert "partner" in run("help", "partner").stdout


def test_observable_tlp_default_explicit_and_refused(server):
    from conftest import make_incident
    inc = make_incident(server, observables=["198.51.100.7"], tlp="GREEN")
    assert [o["tlp"] for o in inc["observables"]] == ["GREEN"]  # the incident's, at creation
    ref = inc["ref"]
    url = f"/api/v1/incidents/{ref}/observables"
    r = server.post(url, {"value": "evil.example"})
    assert r.status_code == 201 and r.json()["tlp"] == "GREEN", r.text  # default: the incident's
    r = server.post(url, {"value": "203.0.113.9", "tlp": "RED"})
    assert r.status_code == 201 and r.json()["tlp"] == "RED", r.text
    r = server.post(url, {"value": "http://x.example/a", "type": "url", "tlp": "AMBER+STRICT"})
    assert r.status_code == 201 and r.json()["tlp"] == "AMBER+STRICT", r.text
    for bad in ("WHITE", "red", "", "TLP:RED", 3, None):
        err(server.post(url, {"value": "bad.example", "tlp": bad}), 400, "invalid", "/tlp")
    err(server.post(url, {"value": "bad.example", "colour": "RED"}), 400, "invalid", "/colour")
    err(server.post("/api/v1/incidents/VIG-2000-999999/observables", {"value": "a.example"}),
        404, "not_found", "ref")
    got = {o["value"]: o["tlp"] for o in server.get(f"/api/v1/incidents/{ref}").json()
           ["observables"]}
    assert got == {"198.51.100.7": "GREEN", "evil.example": "GREEN", "203.0.113.9": "RED",
                   "http://x.example/a": "AMBER+STRICT"}
    assert "bad.example" not in got
    # an observable without its own TLP follows its incident's; one with it keeps it
    assert server.patch(f"/api/v1/incidents/{ref}", {"tlp": "AMBER"}).status_code == 200
    got = {o["value"]: o["tlp"] for o in server.get(f"/api/v1/incidents/{ref}").json()
           ["observables"]}
    assert got["198.51.100.7"] == "AMBER" and got["evil.example"] == "AMBER"
    assert got["203.0.113.9"] == "RED"
    # posted again with another TLP: re-marked (200, not created), and in the timeline
    r = server.post(url, {"value": "evil.example", "tlp": "CLEAR"})
    assert r.status_code == 200 and r.json() == {"type": "domain-name", "value": "evil.example",
                                                 "tlp": "CLEAR", "created": False}
    r = server.post(url, {"value": "evil.example"})
    assert r.status_code == 200 and r.json()["tlp"] == "CLEAR"
    tl = server.get(f"/api/v1/incidents/{ref}").json()["timeline"]
    assert [e["detail"].get("tlp") for e in tl if e["action"] == "observable"] == \
        [None, "RED", "AMBER+STRICT", "CLEAR"]


def test_observables_of_other_paths_get_their_incidents_tlp(server):
    """Intake (public report) and alert escalation make incidents with observables: each has
    its incident's TLP."""
    from conftest import make_org
    r = server.post("/api/v1/reports", {
        "reporter": {"name": "Jo", "email": "jo@nowhere.example"},
        "organisation": {"name": "Org", "kind": "ministry"},
        "title": "t", "description": "d", "observables": [{"value": "http://evil.example/x"}]},
        token="")
    assert r.status_code == 201, r.text
    inc = server.get("/api/v1/incidents/" + r.json()["incident"]).json()
    assert [o["tlp"] for o in inc["observables"]] == [inc["tlp"]] and inc["tlp"]
    org = make_org(server, "A", cidrs=["198.51.100.0/24"])
    assert server.post("/api/v1/indicators", {"value": "203.0.113.0/24", "tlp": "GREEN"}) \
        .status_code == 201
    ev = '{"src_ip":"198.51.100.1","dest_ip":"203.0.113.5"}\n'
    r = server.req("POST", "/api/v1/events", data=ev)
    assert r.json()["sightings"] == 1, r.text
    al = server.get(f"/api/v1/alerts?org={org['id']}").json()["items"][0]
    r = server.post(f"/api/v1/alerts/{al['id']}/escalate", {})
    assert r.status_code == 201, r.text
    inc = server.get("/api/v1/incidents/" + r.json()["ref"]).json()
    assert inc["observables"] and {o["tlp"] for o in inc["observables"]} == {inc["tlp"]}


def test_sighting_tlp_is_its_indicators(server):
    from conftest import make_org
    make_org(server, "B", cidrs=["198.51.100.0/24"])
    ids = {}
    for value, tlp in (("203.0.113.0/24", "GREEN"), ("192.0.2.0/24", "RED")):
        r = server.post("/api/v1/indicators", {"value": value, "tlp": tlp})
        assert r.status_code == 201, r.text
        ids[value] = r.json()["id"]
    ev = ('{"src_ip":"198.51.100.1","dest_ip":"203.0.113.5"}\n'
          '{"src_ip":"198.51.100.1","dest_ip":"192.0.2.5"}\n')
    assert server.req("POST", "/api/v1/events", data=ev).json()["sightings"] == 2
    sg = server.get("/api/v1/sightings").json()["items"]
    assert sorted((s["value"], s["tlp"]) for s in sg) == [("192.0.2.5", "RED"),
                                                          ("203.0.113.5", "GREEN")]
    # an indicator re-marked: its sightings (without a TLP of their own) follow it
    r = server.post("/api/v1/indicators", {"value": "203.0.113.0/24", "tlp": "AMBER"})
    assert r.status_code == 200, r.text
    sg = server.get(f"/api/v1/sightings?indicator={ids['203.0.113.0/24']}").json()["items"]
    assert [s["tlp"] for s in sg] == ["AMBER"]
