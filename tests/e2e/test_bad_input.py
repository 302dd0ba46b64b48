"""A battery of broken requests: each gets a 4xx JSON error naming the problem, nothing is
half-written, and the server keeps serving."""
import socket

from conftest import make_incident


def err(r, status):
    assert r.status_code == status, r.text
    e = r.json()["error"]
    assert e["code"] and e["message"]
    return e


def raw(server, data, timeout=10):
    """Sends raw bytes and returns the raw answer."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as s:
        s.sendall(data)
        out = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
        except socket.timeout:
            pass
    return out


def test_malformed_json_is_located(server):
    for body in (b"{", b"{\"title\": }", b"[1,2", b"nul", b"\xff\xfe{}", b"{\"a\":1,\"a\":2}"):
        r = server.req("POST", "/api/v1/incidents", data=body,
                       headers={"Content-Type": "application/json"})
        e = err(r, 400)
        assert e["code"] == "malformed_json", body
    r = server.req("POST", "/api/v1/incidents", data=b'{"title":\n\n  tru}',
                   headers={"Content-Type": "application/json"})
    assert "line 3" in err(r, 400)["message"]


def test_wrong_types_and_shapes(server):
    for body in ([], "text", 42, None, {"title": ["x"], "class": "fraud", "type": "phishing"},
                 {"title": "x", "class": 1, "type": "phishing"},
                 {"title": "x", "class": "fraud", "type": "phishing", "observables": {}},
                 {"title": "x", "class": "fraud", "type": "phishing", "reporter": "me"},
                 {"title": "x", "class": "fraud", "type": "phishing", "unverified": True}):
        r = server.post("/api/v1/incidents", body)
        err(r, 400)
    r = server.post("/api/v1/incidents", {"title": "x" * 300, "class": "fraud",
                                          "type": "phishing"})
    assert err(r, 400)["field"] == "/title"
    assert server.get("/api/v1/incidents").json()["items"] == []


def test_empty_body(server):
    assert err(server.req("POST", "/api/v1/incidents"), 400)["message"]
    assert err(server.req("PATCH", "/api/v1/incidents/VIG-2026-000001", data=b""), 400)


def test_deep_nesting_refused(server):
    body = b"[" * 10000 + b"]" * 10000
    e = err(server.req("POST", "/api/v1/orgs", data=body,
                       headers={"Content-Type": "application/json"}), 400)
    assert "deeper" in e["message"]


def test_body_over_the_limit(server):
    big = b'{"title":"' + b"a" * (1024 * 1024 + 10) + b'"}'
    r = server.req("POST", "/api/v1/incidents", data=big)
    assert err(r, 413)["code"] == "too_large"
    # chunked, without a Content-Length
    def gen():
        for _ in range(20):
            yield b"a" * 65536
        yield b'"}'
    r = server.req("POST", "/api/v1/incidents", data=gen())
    assert r.status_code == 413
    assert server.get("/api/v1/health").status_code == 200


def test_unknown_routes_and_methods(server):
    assert err(server.get("/api/v1/nothing"), 404)
    assert err(server.get("/api/"), 404)  # "/" is the portal (issue 14)
    assert err(server.get("/api/v1/incidents/VIG-2026-000001/nope"), 404)
    r = server.req("DELETE", "/api/v1/incidents")
    assert err(r, 405) and set(r.headers["Allow"].split(", ")) == {"GET", "POST"}
    assert err(server.req("PUT", "/api/v1/orgs/1"), 405)
    assert err(server.get("/api/v1/incidents/VIG-2026-424242"), 404)


def test_garbage_on_the_socket(server):
    for data in (b"\x00\x01\x02\x03" * 100 + b"\r\n\r\n", b"GET\r\n\r\n",
                 b"POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n",
                 b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
                 b"POST /api/v1/orgs HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"):
        raw(server, data, timeout=3)
    assert server.get("/api/v1/health").status_code == 200
    ref = make_incident(server)["ref"]
    assert server.get("/api/v1/incidents/" + ref).status_code == 200


def test_nothing_half_written(server):
    # the second observable is bad: neither the incident nor the first observable is stored
    r = server.post("/api/v1/incidents", {"title": "t", "class": "fraud", "type": "phishing",
                                          "observables": [{"value": "1.2.3.4"},
                                                          {"value": "1.2.3.4/99"}]})
    assert err(r, 400)["field"] == "/observables/1/value"
    assert server.get("/api/v1/incidents").json()["items"] == []
    ref = make_incident(server)["ref"]
    r = server.patch("/api/v1/incidents/" + ref, {"title": "new", "severity": "extreme"})
    err(r, 400)
    assert server.get("/api/v1/incidents/" + ref).json()["title"] == "t"


def test_json_answers_say_application_json(server):
    """Every API answer is JSON and says so: built documents, answers written as text
    (/related), errors from handlers and from the router."""
    ref = make_incident(server)["ref"]
    for path, status in (("/api/v1/health", 200), (f"/api/v1/incidents/{ref}", 200),
                         (f"/api/v1/incidents/{ref}/related", 200),
                         ("/api/v1/incidents/VIG-2000-000009", 404), ("/api/nope", 404)):
        r = server.get(path)
        assert r.status_code == status, (path, r.text)
        assert r.headers["Content-Type"] == "application/json; charset=utf-8", path
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        r.json()
