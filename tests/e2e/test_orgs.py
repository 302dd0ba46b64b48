"""Organisations: the constituency, its assets and contacts, and eligibility."""
from conftest import make_org


def test_create_get_list_patch(server):
    org = make_org(server, "Ministère A", kind="ministry", domains=["Min-A.Example."],
                   cidrs=["10.1.2.3/8", "2001:DB8::1"],
                   contacts=[{"name": "RSSI", "email": "rssi@min-a.example", "role": "security"}])
    assert org["eligible"] is True
    assert org["assets"]["domains"] == ["min-a.example"]
    assert org["assets"]["cidrs"] == ["10.0.0.0/8", "2001:db8::1"]
    assert org["contacts"][0]["email"] == "rssi@min-a.example"
    r = server.get(f"/api/v1/orgs/{org['id']}")
    assert r.status_code == 200 and r.json()["name"] == "Ministère A"
    r = server.patch(f"/api/v1/orgs/{org['id']}", {"kind": "sme"})
    assert r.status_code == 200
    assert r.json()["kind"] == "sme" and r.json()["eligible"] is False
    assert r.json()["assets"]["domains"] == ["min-a.example"]  # untouched
    r = server.get("/api/v1/orgs")
    assert [o["name"] for o in r.json()["items"]] == ["Ministère A"]


def test_eligibility_by_kind(server):
    expected = {"ministry": True, "public-agency": True, "local-authority": True, "oiv": True,
                "ose": True, "private-company": False, "sme": False, "individual": False,
                "other": False}
    for kind, eligible in expected.items():
        assert make_org(server, "org " + kind, kind=kind)["eligible"] is eligible, kind


def test_products_are_cpe23(server):
    r = server.post("/api/v1/orgs", {"name": "P", "kind": "oiv", "assets": {
        "products": ["cpe:2.3:a:apache:http_server:2.4.57:*:*:*:*:*:*:*"]}})
    assert r.status_code == 201, r.text
    r = server.post("/api/v1/orgs", {"name": "Q", "kind": "oiv", "assets": {
        "products": ["apache httpd 2.4"]}})
    assert r.status_code == 400
    assert r.json()["error"]["field"] == "/assets/products/0"


def test_pagination_with_cursor(server):
    for i in range(7):
        make_org(server, f"org {i}")
    seen, cursor = [], None
    for pages in range(1, 5):  # 7 organisations by 3: 3 pages; a 4th would be a loop
        q = "/api/v1/orgs?limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = server.get(q).json()
        seen += [o["name"] for o in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    else:
        raise AssertionError(f"still a next_cursor after {pages} pages of 3 for 7 "
                             f"organisations: {seen}")
    assert pages == 3, f"{pages} pages of 3 for 7 organisations: {seen}"
    assert seen == [f"org {i}" for i in range(7)]
    assert server.get("/api/v1/orgs?cursor=garbage").status_code == 400
    assert server.get("/api/v1/orgs?limit=0").status_code == 400
    assert server.get("/api/v1/orgs?limit=501").status_code == 400


def test_validation_names_the_field(server):
    cases = [
        ({"kind": "ministry"}, "/name"),
        ({"name": "X"}, "/kind"),
        ({"name": "X", "kind": "embassy"}, "/kind"),
        ({"name": "X", "kind": "oiv", "sector": "mining"}, "/sector"),
        ({"name": "X", "kind": "oiv", "colour": "red"}, "/colour"),
        ({"name": "X", "kind": "oiv", "assets": {"cidrs": ["10.0.0.0/33"]}}, "/assets/cidrs/0"),
        ({"name": "X", "kind": "oiv", "assets": {"domains": ["not a domain"]}},
         "/assets/domains/0"),
        ({"name": "X", "kind": "oiv", "assets": {"ports": []}}, "/assets/ports"),
        ({"name": "X", "kind": "oiv", "contacts": [{"name": "a", "email": "nope"}]},
         "/contacts/0/email"),
        ({"name": "X", "kind": "oiv",
          "contacts": [{"name": "a", "email": "a@x.example", "lang": "de"}]}, "/contacts/0/lang"),
        ({"name": "X", "kind": "oiv",
          "contacts": [{"name": "a", "email": "a@x.example", "optout": "digest"}]},
         "/contacts/0/optout"),
        ({"name": "X", "kind": "oiv",
          "contacts": [{"name": "a", "email": "a@x.example", "optout": ["alert", "incident"]}]},
         "/contacts/0/optout/1"),
        ({"name": 42, "kind": "oiv"}, "/name"),
    ]
    for body, field in cases:
        r = server.post("/api/v1/orgs", body)
        assert r.status_code == 400, (body, r.text)
        assert r.json()["error"]["field"] == field, (body, r.json())
    assert server.get("/api/v1/orgs").json()["items"] == []


def test_contact_language_and_optouts_are_kept(server):
    body = {"name": "Lang", "kind": "oiv", "contacts": [
        {"name": "a", "email": "a@x.example", "lang": "en", "optout": ["digest", "alert", "digest"]},
        {"name": "b", "email": "b@x.example"}]}
    r = server.post("/api/v1/orgs", body)
    assert r.status_code == 201, r.text
    got = server.get(f"/api/v1/orgs/{r.json()['id']}").json()["contacts"]
    assert got[0]["lang"] == "en" and got[0]["optout"] == ["digest", "alert"]
    assert "lang" not in got[1] and "optout" not in got[1]


def test_duplicate_name_conflicts(server):
    make_org(server, "Same")
    r = server.post("/api/v1/orgs", {"name": "same", "kind": "oiv"})
    assert r.status_code == 409


def test_unknown_org_is_404(server):
    assert server.get("/api/v1/orgs/999").status_code == 404
    assert server.get("/api/v1/orgs/abc").status_code == 404
    assert server.patch("/api/v1/orgs/999", {"kind": "oiv"}).status_code == 404


def test_only_admins_manage_orgs(server):
    analyst = server.token("ana", "analyst")
    reader = server.token("rea", "reader")
    body = {"name": "X", "kind": "oiv"}
    assert server.post("/api/v1/orgs", body, token=analyst).status_code == 403
    assert server.post("/api/v1/orgs", body, token=reader).status_code == 403
    org = make_org(server, "Y")
    assert server.patch(f"/api/v1/orgs/{org['id']}", {"kind": "sme"},
                        token=analyst).status_code == 403
    assert server.get(f"/api/v1/orgs/{org['id']}", token=reader).status_code == 200
