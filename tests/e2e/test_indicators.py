"""Indicators of compromise in the database: create, idempotent re-import, bulk with
rejections, listing."""


def test_create_normalises_and_is_idempotent(server):
    r = server.post("/api/v1/indicators", {"value": "Evil.Example.", "tlp": "GREEN",
                                           "source": "feed-a", "confidence": 80,
                                           "tags": ["apt"], "first_seen": "2026-01-02"})
    assert r.status_code == 201, r.text
    ind = r.json()
    assert (ind["type"], ind["value"], ind["tlp"]) == ("domain-name", "evil.example", "GREEN")
    assert ind["first_seen"] == "2026-01-02T00:00:00Z" and ind["tags"] == ["apt"]
    assert r.headers["Location"] == f"/api/v1/indicators/{ind['id']}"
    # the same again: 200, same id, nothing changed
    r = server.post("/api/v1/indicators", {"value": "evil.example", "tlp": "GREEN",
                                           "source": "feed-a", "confidence": 80,
                                           "tags": ["apt"]})
    assert r.status_code == 200 and r.json()["id"] == ind["id"]
    assert r.json()["updated"] == ind["updated"]
    # merged: new confidence, first_seen widened
    r = server.post("/api/v1/indicators", {"value": "evil.example", "confidence": 90,
                                           "first_seen": "2025-12-31T23:00:00Z"})
    assert r.status_code == 200
    assert r.json()["confidence"] == 90 and r.json()["first_seen"] == "2025-12-31T23:00:00Z"
    assert r.json()["tlp"] == "GREEN"
    assert server.get(f"/api/v1/indicators/{ind['id']}").json()["confidence"] == 90


def test_types_detected_or_given(server):
    for value, typ in [("198.51.100.0/24", "ipv4-addr"), ("2001:db8::1", "ipv6-addr"),
                       ("http://evil.example/a", "url"), ("x@evil.example", "email-addr"),
                       ("d41d8cd98f00b204e9800998ecf8427e", "md5")]:
        r = server.post("/api/v1/indicators", {"value": value})
        assert r.status_code == 201 and r.json()["type"] == typ, value
    r = server.post("/api/v1/indicators", {"value": "evil.example", "type": "url"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "/value"


def test_validation(server):
    for body, field in [({}, "/value"), ({"value": "x.example", "tlp": "WHITE"}, "/tlp"),
                        ({"value": "x.example", "confidence": 101}, "/confidence"),
                        ({"value": "x.example", "tags": [""]}, "/tags/0"),
                        ({"value": "x.example", "expires": "soon"}, "/expires"),
                        ({"value": "x.example", "colour": 1}, "/colour")]:
        r = server.post("/api/v1/indicators", body)
        assert r.status_code == 400, body
        assert r.json()["error"]["field"] == field, (body, r.json())


def test_bulk_reports_what_was_skipped(server):
    body = {"indicators": [{"value": "a.example"}, {"value": "not valid"},
                           {"value": "10.0.0.1"}, {"value": "a.example"},
                           {"value": "b.example", "tlp": "PURPLE"}]}
    r = server.post("/api/v1/indicators", body)
    assert r.status_code == 200, r.text
    res = r.json()
    assert (res["added"], res["updated"], res["unchanged"]) == (2, 0, 1)
    assert [x["index"] for x in res["rejected"]] == [1, 4]
    assert res["rejected"][1]["field"] == "/indicators/4/tlp"
    r = server.post("/api/v1/indicators", body)
    assert (r.json()["added"], r.json()["unchanged"]) == (0, 3)
    assert len(server.get("/api/v1/indicators").json()["items"]) == 2


def test_list_filters_and_roles(server):
    server.post("/api/v1/indicators", {"indicators": [
        {"value": "a.example", "source": "s1"}, {"value": "10.0.0.1", "source": "s2"},
        {"value": "b.example", "source": "s2"}]})
    items = server.get("/api/v1/indicators?type=domain-name").json()["items"]
    assert [i["value"] for i in items] == ["a.example", "b.example"]
    items = server.get("/api/v1/indicators?source=s2").json()["items"]
    assert [i["value"] for i in items] == ["10.0.0.1", "b.example"]
    assert server.get("/api/v1/indicators?type=mutex").status_code == 400
    p1 = server.get("/api/v1/indicators?limit=2").json()
    p2 = server.get("/api/v1/indicators?limit=2&cursor=" + p1["next_cursor"]).json()
    assert len(p1["items"]) == 2 and len(p2["items"]) == 1
    reader = server.token("r", "reader")
    assert server.post("/api/v1/indicators", {"value": "c.example"},
                       token=reader).status_code == 403
    assert server.get("/api/v1/indicators", token=reader).status_code == 200
    assert server.get("/api/v1/indicators/999").status_code == 404
    assert server.get("/api/v1/alerts?status=closed").status_code == 400
    assert server.get("/api/v1/sightings?org=x").status_code == 400
    assert server.get("/api/v1/alerts").json()["items"] == []
