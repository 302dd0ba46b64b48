"""A store that fails is not a missing item: a single-item GET answers 500 "internal" (the
cause logged on the server's stderr), not 404; the public intake answers 500 when it cannot
look up the reporter's organisation or log the report. The failures are provoked by dropping
a table from the database between two runs of the server."""

import pytest

from conftest import drop_table, make_incident, make_org, no_such_table


REPORT = {"reporter": {"name": "R", "email": "r@a.example"},
          "organisation": {"name": "B", "kind": "ministry"},
          "title": "t", "description": "d"}


@pytest.fixture
def seeded(server):
    make_org(server, "A", domains=["a.example"])
    ref = make_incident(server)["ref"]
    r = server.post("/api/v1/indicators", {"type": "domain-name", "value": "evil.example"})
    assert r.status_code == 201, r.text
    return server, ref


def restart_without(server, table):
    rc, err = server.stop()
    assert rc == 0, err
    drop_table(server.db, table)
    server.start()


def internal(server, r, cause):
    assert r.status_code == 500, r.text
    assert r.json()["error"]["code"] == "internal"
    rc, err = server.stop()
    assert cause in err, err
    server.start()


@pytest.mark.parametrize("table,path,cause", [
    ("org", "/api/v1/orgs/1", "cannot read organisation 1"),
    ("org", "/api/v1/orgs/1/findings", "cannot read organisation 1"),
    ("indicator", "/api/v1/indicators/1", "cannot read indicator 1"),
    ("vuln", "/api/v1/vulns/CVE-2024-0001", "cannot read record of CVE-2024-0001"),
    ("incident", "/api/v1/incidents/{ref}", "cannot read incident {ref}"),
])
def test_store_failure_on_get_is_500(seeded, table, path, cause):
    server, ref = seeded
    restart_without(server, table)
    internal(server, server.get(path.format(ref=ref)), cause.format(ref=ref))


def test_missing_items_are_still_404(seeded):
    server, ref = seeded
    for path in ("/api/v1/orgs/9", "/api/v1/orgs/9/findings", "/api/v1/indicators/9",
                 "/api/v1/vulns/CVE-2024-0001", "/api/v1/incidents/VIG-2000-000009",
                 "/api/v1/incidents/VIG-2000-000009/related", "/api/v1/playbooks/nosuch"):
        r = server.get(path)
        assert r.status_code == 404, (path, r.text)
        assert r.json()["error"]["code"] == "not_found"
        assert r.json()["error"]["message"].startswith("no "), r.text


@pytest.mark.parametrize("table,cause", [
    ("org_domain", "cannot look up the organisation of 'a.example'"),
    ("intake", None),  # the engine's own message: no_such_table
])
def test_intake_store_failure_is_500(seeded, table, cause):
    server, _ = seeded
    restart_without(server, table)
    internal(server, server.post("/api/v1/reports", REPORT, token=""),
             cause or no_such_table(server.db, table))


def test_token_check_store_failure_is_500_not_401(seeded):
    server, _ = seeded
    restart_without(server, "token")
    internal(server, server.get("/api/v1/me"), "cannot check a token")
    # no token at all is still the caller's fault
    assert server.get("/api/v1/me", token="").status_code == 401


def test_report_not_logged_leaves_no_incident(seeded):
    """An accepted report whose log cannot be written is a 500 and opens no incident: the
    incident and its intake log are one transaction."""
    server, _ = seeded
    before = server.get("/api/v1/incidents").json()["items"]
    restart_without(server, "intake")
    report = dict(REPORT, reporter={"name": "R", "email": "r@a.example"},
                  organisation={"name": "A", "kind": "ministry"})
    internal(server, server.post("/api/v1/reports", report, token=""),
             no_such_table(server.db, "intake"))
    after = server.get("/api/v1/incidents").json()["items"]
    assert [i["ref"] for i in after] == [i["ref"] for i in before]
