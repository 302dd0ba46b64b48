"""The public intake: eligibility decisions, redirection, logging, rate limiting."""

from conftest import connect, Server, make_org

REDIRECT = "https://www.cybermalveillance.gouv.fr/"


def report(server, email, kind, org_name="Org", **extra):
    body = {"reporter": {"name": "Jo", "email": email, "phone": "+33 1 23 45 67 89"},
            "organisation": {"name": org_name, "kind": kind},
            "title": "Suspicious mail", "description": "We received phishing."}
    body.update(extra)
    return server.post("/api/v1/reports", body, token="")


def test_known_domain_ties_the_report_to_the_organisation(server):
    org = make_org(server, "Ministère", kind="ministry", domains=["min.example"])
    r = report(server, "agent@dept.min.example", "individual",
               observables=[{"value": "http://Evil.example/x"}])
    assert r.status_code == 201, r.text
    # the organisation is a candidate: nobody has checked the reporter's address
    assert r.json()["decision"] == "accepted" and r.json()["unverified"] is True
    inc = server.get("/api/v1/incidents/" + r.json()["incident"]).json()
    assert inc["org"] == org["id"] and inc["status"] == "new" and inc["unverified"] is True
    assert inc["reporter"]["email"] == "agent@dept.min.example"
    assert inc["observables"] == [{"type": "url", "value": "http://evil.example/x",
                                   "created": inc["observables"][0]["created"],
                                   "tlp": inc["tlp"]}]
    assert inc["created_by"] == "intake"


def test_known_ineligible_organisation_is_redirected(server):
    make_org(server, "Bakery", kind="sme", domains=["bakery.example"])
    r = report(server, "boss@bakery.example", "ministry")  # the recorded kind decides
    assert r.status_code == 200 and r.json()["decision"] == "redirect"
    assert server.get("/api/v1/incidents").json()["items"] == []


def test_unknown_reporter_eligible_kind_is_accepted_unverified(server):
    for kind in ("ministry", "public-agency", "local-authority", "oiv", "ose"):
        r = report(server, f"x@{kind}.example", kind)
        assert r.status_code == 201, (kind, r.text)
        assert r.json()["unverified"] is True
        inc = server.get("/api/v1/incidents/" + r.json()["incident"]).json()
        assert inc["unverified"] is True and inc["org"] is None and inc["status"] == "new"


def test_ineligible_kinds_are_redirected_without_incident(server):
    for kind in ("individual", "sme", "private-company", "other"):
        r = report(server, "someone@mail.example", kind)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["decision"] == "redirect" and body["url"] == REDIRECT
        assert body["message"]
        assert "incident" not in body
    assert server.get("/api/v1/incidents").json()["items"] == []
    # every attempt is logged, with its decision
    accepted = report(server, "x@agency.example", "public-agency").json()["incident"]
    db = connect(server.db)
    rows = db.execute("SELECT decision, org_kind, client, incident_ref FROM intake "
                      "ORDER BY id").fetchall()
    db.close()
    assert [(d, k) for d, k, _, _ in rows] == [
        ("redirect", "individual"), ("redirect", "sme"), ("redirect", "private-company"),
        ("redirect", "other"), ("accepted", "public-agency")]
    assert rows[0][2] == "127.0.0.1" and rows[-1][3] == accepted


def test_report_validation(server):
    cases = [({}, "/reporter"),
             ({"reporter": {"name": "a"}}, "/reporter/email"),
             ({"reporter": {"name": "a", "email": "not-mail"}}, "/reporter/email"),
             ({"reporter": {"name": "a", "email": "a@b.example"}}, "/organisation"),
             ({"reporter": {"name": "a", "email": "a@b.example"},
               "organisation": {"name": "o", "kind": "club"}}, "/organisation/kind"),
             ({"reporter": {"name": "a", "email": "a@b.example"},
               "organisation": {"name": "o", "kind": "oiv"}}, "/title"),
             ({"reporter": {"name": "a", "email": "a@b.example"},
               "organisation": {"name": "o", "kind": "oiv"}, "title": "t",
               "description": "d", "observables": [{"value": "??"}]}, "/observables/0/value"),
             ({"reporter": {"name": "a", "email": "a@b.example"},
               "organisation": {"name": "o", "kind": "oiv"}, "title": "t",
               "description": "d", "extra": 1}, "/extra")]
    for body, field in cases:
        r = server.post("/api/v1/reports", body, token="")
        assert r.status_code == 400, (body, r.text)
        assert r.json()["error"]["field"] == field, (body, r.json())


def test_redirect_url_is_configurable_and_rate_limit(tmp_path):
    srv = Server(tmp_path / "r.db", extra=["--report-rate", "3",
                                           "--redirect-url", "https://help.example/"])
    try:
        codes = []
        for _ in range(5):
            r = report(srv, "me@home.example", "individual")
            codes.append(r.status_code)
            if r.status_code == 200:
                assert r.json()["url"] == "https://help.example/"
        assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
        assert int(r.headers["Retry-After"]) >= 1
        assert r.json()["error"]["code"] == "rate_limited"
        # other routes are not limited
        assert srv.get("/api/v1/incidents").status_code == 200
    finally:
        assert srv.stop()[0] == 0
