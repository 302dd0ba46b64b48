"""The HTTP transport and the checks behind it, as a client sees them: path matching (one
trailing slash, over-long segments), and bodies refused by the domain's checks with their
status, code, message and JSON pointer (URLs and e-mail addresses among an incident's
observables, the steps of a playbook), the refused request leaving nothing behind."""
import pytest

from conftest import make_incident


def error(r, status):
    assert r.status_code == status, (r.status_code, r.text)
    assert r.headers["Content-Type"] == "application/json; charset=utf-8"
    return r.json()["error"]


def test_one_trailing_slash_is_the_same_route(server):
    make_incident(server, title="first")
    plain = server.get("/api/v1/incidents")
    slash = server.get("/api/v1/incidents/")
    assert plain.status_code == slash.status_code == 200
    assert [i["ref"] for i in slash.json()["items"]] == [i["ref"] for i in plain.json()["items"]]
    assert error(server.get("/api/v1/incidents//"), 404)["code"] == "not_found"
    assert server.get("/api/v1/health/").status_code == 200


def test_over_long_path_segment_matches_no_route(server):
    ref = make_incident(server)["ref"]
    assert server.get(f"/api/v1/incidents/{ref}").status_code == 200
    for n in (255, 256, 4000):
        e = error(server.get("/api/v1/incidents/" + "A" * n), 404)
        assert e["code"] == "not_found"
    e = error(server.get("/api/v1/orgs/" + "9" * 300 + "/findings"), 404)
    assert e["code"] == "not_found"


@pytest.mark.parametrize("obs,message", [
    ({"type": "url", "value": "1http://x.example/"}, "URL scheme must start with a letter"),
    ({"type": "url", "value": "ht_tp://x.example/"}, "bad character in URL scheme"),
    ({"type": "url", "value": "://x.example/"}, "URL without a scheme"),
    ({"type": "url", "value": "http://[::1]x/"}, "junk after ']' in URL host"),
    ({"type": "url", "value": "http://[zz::1]/"}, "bad IPv6 address in URL"),
    ({"type": "url", "value": "http://[::1/"}, "unclosed '[' in URL host"),
    ({"type": "url", "value": "http://a b.example/"}, "control or blank in URL host"),
    ({"type": "url", "value": "http:///path"}, "URL without a host"),
    ({"type": "url", "value": "http://x.example:65536/"}, "bad URL port"),
    ({"type": "email-addr", "value": "a b@x.example"}, "blank in e-mail address"),
])
def test_observable_refused_names_its_place(server, obs, message):
    before = server.get("/api/v1/incidents").json()["items"]
    body = {"title": "t", "class": "fraud", "type": "phishing",
            "observables": [{"type": "domain-name", "value": "ok.example"}, obs]}
    e = error(server.post("/api/v1/incidents", body), 400)
    assert e == {"code": "invalid", "message": message, "field": "/observables/1/value"}
    assert server.get("/api/v1/incidents").json()["items"] == before


def test_url_normal_form_kept_on_the_incident(server):
    inc = make_incident(server, observables=[
        {"type": "url", "value": "HTTP://[::FFFF:1.2.3.4]:80/a#frag"},
        {"type": "url", "value": "https://Example.ORG.:443/x?y=1"},
        {"type": "url", "value": "ftp://files.example:443/f"}])
    values = [o["value"] for o in inc["observables"]]
    assert values == ["http://[::ffff:1.2.3.4]/a", "https://example.org/x?y=1",
                      "ftp://files.example:443/f"]


@pytest.mark.parametrize("steps,status,code,field,message", [
    ([{"id": "BAD ID", "phase": "containment", "title": "x"}], 400, "invalid", "/steps/0/id",
     "/steps/0/id must be 1-64 of [a-z0-9-]"),
    ([{"id": "a" * 65, "phase": "containment", "title": "x"}], 400, "invalid", "/steps/0/id",
     "/steps/0/id must be 1-64 of [a-z0-9-]"),
    ([{"id": "ok", "phase": "containment", "title": ""}], 400, "invalid", "/steps/0/title",
     "/steps/0/title must be 1-256 bytes"),
    ([{"id": "ok", "phase": "containment", "title": "t" * 257}], 400, "invalid",
     "/steps/0/title", "/steps/0/title must be 1-256 bytes"),
    ([{"id": f"s{i}", "phase": "containment", "title": "x"} for i in range(101)], 400,
     "too_large", "/steps", "at most 100 steps"),
    ([{"id": "ok", "phase": "containment", "title": "x", "extra": 1}], 400, "invalid",
     "/steps/0/extra", "unknown field '/steps/0/extra'"),
])
def test_playbook_steps_refused_leave_the_playbook(server, steps, status, code, field,
                                                     message):
    before = server.get("/api/v1/playbooks/fraud").json()
    e = error(server.req("PUT", "/api/v1/playbooks/fraud", json={"steps": steps}), status)
    assert e == {"code": code, "message": message, "field": field}
    assert server.get("/api/v1/playbooks/fraud").json() == before


def test_playbook_step_bounds_accepted(server):
    steps = [{"id": "a" * 64, "phase": "containment", "title": "t" * 256}] + \
        [{"id": f"s{i}", "phase": "containment", "title": "x"} for i in range(99)]
    r = server.req("PUT", "/api/v1/playbooks/fraud", json={"steps": steps})
    assert r.status_code == 200, r.text
    got = server.get("/api/v1/playbooks/fraud").json()["steps"]
    assert [s["id"] for s in got] == [s["id"] for s in steps]


def test_concurrent_reads_and_writes_all_answered_and_kept(server):
    """Reads and writes sent together land in shared batches (a read transaction ended by the
    first write): every request gets its own right answer and every write is kept once."""
    import concurrent.futures
    import requests

    def client(k):
        s = requests.Session()
        h = {"Authorization": "Bearer " + server.admin}
        out = []
        for i in range(15):
            if i % 3 == 2:
                r = s.post(server.url + "/api/v1/incidents", headers=h, timeout=60,
                           json={"title": f"c{k}-{i}", "class": "fraud", "type": "phishing"})
                out.append(("w", r.status_code, r.json().get("title")))
            else:
                r = s.get(server.url + "/api/v1/incidents?limit=200", headers=h, timeout=60)
                out.append(("r", r.status_code, len(r.json()["items"])))
        s.close()
        return out

    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        results = [a for part in ex.map(client, range(8)) for a in part]
    writes = [a for a in results if a[0] == "w"]
    assert [a[1] for a in writes] == [201] * 40
    assert all(a[1] == 200 and 0 <= a[2] <= 40 for a in results if a[0] == "r")
    titles = sorted(i["title"] for i in
                    server.get("/api/v1/incidents?limit=200").json()["items"])
    assert titles == sorted(a[2] for a in writes)
    assert len(set(titles)) == 40
