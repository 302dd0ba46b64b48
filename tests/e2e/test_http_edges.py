"""The HTTP transport's edges, on raw sockets against a real server: deadlines for a request's
headers and body, the per-address connection limit and the room kept near the cap (the idlest
connection closed first), a body announced twice (Content-Length and chunked) or too large
(one answer, then the connection is closed), paths routed as sent (%00 and %2F refused, %65 not
decoded into a route), HEAD, the 401 challenge, the charset, 415 for bodies that are not JSON,
and vigie's JSON errors where libmicrohttpd would answer HTML by itself."""
import socket

import pytest

from conftest import Server, make_incident, make_org, wait_for

JSON = "application/json; charset=utf-8"


@pytest.fixture
def serve(tmp_path):
    """Starts servers with extra `vigie serve` options; stops them at the end."""
    started = []

    def start(*extra):
        srv = Server(tmp_path / f"v{len(started)}.db", extra=list(extra))
        started.append(srv)
        return srv

    yield start
    for srv in started:
        rc, err = srv.stop()
        assert rc == 0, err[-3000:]


def connect(srv, src="127.0.0.1"):
    s = socket.socket()
    s.bind((src, 0))
    s.connect(("127.0.0.1", srv.port))
    s.settimeout(10)
    return s


def read_all(s):
    """Reads until the server closes the connection (or resets it); the bytes read."""
    out = b""
    while True:
        try:
            chunk = s.recv(65536)
        except ConnectionResetError:
            return out
        if not chunk:
            return out
        out += chunk


def closed(s, wait=10):
    """Whether the server closed s (EOF or reset) within wait seconds, nothing sent."""
    s.settimeout(wait)
    try:
        return s.recv(1) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def parse(data):
    """Splits data into answers: [(status, {header: value}, body)], by Content-Length."""
    answers = []
    while data:
        head, sep, rest = data.partition(b"\r\n\r\n")
        assert sep, data
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        n = int(headers.get("content-length", "0"))
        answers.append((status, headers, rest[:n]))
        data = rest[n:]
    return answers


def raw(srv, data):
    """Sends data on a new connection, reads until it is closed; the answers parsed."""
    s = connect(srv)
    s.sendall(data)
    out = read_all(s)
    s.close()
    return out


def get_raw(srv, target, method="GET", token=None):
    """One request with Connection: close; its one answer (status, headers, body)."""
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    data = f"{method} {target} HTTP/1.1\r\nHost: x\r\n{auth}Connection: close\r\n\r\n"
    out = raw(srv, data.encode())
    if method == "HEAD":  # no body follows, whatever Content-Length says
        head, _, rest = out.partition(b"\r\n\r\n")
        assert rest == b"", rest
        lines = head.decode("latin-1").split("\r\n")
        headers = dict((k.strip().lower(), v.strip()) for k, _, v in
                       (line.partition(":") for line in lines[1:]))
        return int(lines[0].split(" ")[1]), headers, b""
    answers = parse(out)
    assert len(answers) == 1, out
    return answers[0]


def json_error(answer, status):
    import json
    st, headers, body = answer
    assert st == status, (st, body)
    assert headers["content-type"] == JSON
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["cache-control"] == "no-store"
    return json.loads(body)["error"]


# -- deadlines and connection limits (item 2) --

def test_silent_and_dribbling_clients_are_closed_at_the_header_deadline(serve):
    srv = serve("--header-timeout", "1")
    silent = connect(srv)
    dribble = connect(srv)
    dribble.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    # one byte at a time keeps libmicrohttpd's inactivity timeout (30 s) from firing
    state = {"n": 0}

    def dribbled_out():
        try:
            dribble.sendall(b"a")
        except (BrokenPipeError, ConnectionResetError):
            return True
        state["n"] += 1
        dribble.settimeout(0.2)
        try:
            return dribble.recv(1) == b""
        except socket.timeout:
            return False
        except ConnectionResetError:
            return True

    wait_for(dribbled_out, timeout=8, interval=0, what="the dribbling client closed")
    assert state["n"] >= 1
    assert closed(silent)
    # another client is served all along
    assert srv.get("/api/v1/health").status_code == 200


def test_kept_alive_connection_serves_requests_before_the_deadline(serve):
    srv = serve("--header-timeout", "1")
    s = connect(srv)
    for _ in range(3):
        s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
        data = b""
        while b"}\n" not in data:
            data += s.recv(4096)
        assert parse(data)[0][0] == 200
    assert closed(s)  # idle after its answers: closed at the deadline


def test_slow_body_is_closed_at_the_body_deadline(serve):
    srv = serve("--body-timeout", "1")
    s = connect(srv)
    s.sendall(b"POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Content-Length: 100\r\n\r\n{\"name\":")
    # a byte every 0.2 s: never silent long enough for libmicrohttpd's inactivity timeout
    sent = {"n": 0}

    def dribbled_out():
        try:
            s.sendall(b" ")
        except (BrokenPipeError, ConnectionResetError):
            return True
        sent["n"] += 1
        if sent["n"] >= 90:  # the whole body would be there: the deadline did not act
            pytest.fail("the body deadline did not close the connection")
        return closed(s, wait=0.2)

    wait_for(dribbled_out, timeout=15, interval=0, what="the slow body's connection closed")
    assert srv.get("/api/v1/health").status_code == 200


def test_per_address_connection_limit(serve):
    srv = serve("--per-address-connections", "3", "--header-timeout", "120")
    # four from 127.0.0.1: one of them (whichever a worker thread accepts last) is closed
    four = [connect(srv) for _ in range(4)]

    def gone(s):
        s.settimeout(0)
        try:
            return s.recv(1, socket.MSG_PEEK) == b""
        except BlockingIOError:
            return False
        except ConnectionResetError:
            return True
        finally:
            s.settimeout(10)

    wait_for(lambda: any(gone(s) for s in four), timeout=10, what="a connection refused")
    held = [s for s in four if not gone(s)]
    assert len(held) == 3
    other = connect(srv, src="127.0.0.2")
    other.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert parse(read_all(other))[0][0] == 200
    held.pop().close()

    def served_again():
        s = connect(srv)
        s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        out = read_all(s)
        s.close()
        return out.startswith(b"HTTP/1.1 200")

    wait_for(served_again, timeout=10, what="a freed slot for 127.0.0.1")
    for s in held:
        s.close()


def test_idlest_connections_closed_near_the_cap(serve):
    srv = serve("--max-connections", "8", "--threads", "1", "--per-address-connections", "0",
                "--header-timeout", "120")  # room is made, not waited for
    idle = [connect(srv) for _ in range(12)]
    s = connect(srv)
    s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert parse(read_all(s))[0][0] == 200
    # the oldest idle ones made room; a busy connection is not chosen over them
    assert closed(idle[0]) and closed(idle[1]) and closed(idle[5])
    for k in idle:
        k.close()


def test_serve_options_are_checked(tmp_path):
    from conftest import run
    for opt, bad, message in (
            ("--header-timeout", "0", "--header-timeout must be 1 to 3600 seconds"),
            ("--body-timeout", "3601", "--body-timeout must be 1 to 3600 seconds"),
            ("--max-connections", "1", "--max-connections must be 2 to 100000"),
            ("--per-address-connections", "x", "--per-address-connections must be 0 to 100000")):
        p = run("serve", opt, bad, "--listen", "127.0.0.1:0", db=tmp_path / "x.db", check=False)
        assert p.returncode == 2 and message in p.stderr, (opt, p.returncode, p.stderr)
    assert "--per-address-connections N" in run("help", "serve").stdout


# -- bodies announced twice or too large (item 8) --

PIPELINED = b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n"


def test_content_length_and_chunked_refused_and_closed(server):
    out = raw(server, b"POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
              b"\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
              + PIPELINED)
    answers = parse(out)
    assert len(answers) == 1, out  # the pipelined GET is not answered
    e = json_error(answers[0], 400)
    assert e["code"] == "invalid" and e["field"] == "Transfer-Encoding"
    assert answers[0][1]["connection"] == "close"


def test_body_over_the_cap_answered_once_then_closed(server):
    out = raw(server, b"POST /api/v1/incidents HTTP/1.1\r\nHost: x\r\nContent-Type: "
              b"application/json\r\nContent-Length: 1048577\r\n\r\n" + PIPELINED)
    answers = parse(out)
    assert len(answers) == 1, out
    assert json_error(answers[0], 413)["code"] == "too_large"
    assert answers[0][1]["connection"] == "close"
    # chunked, no length announced: read to its end (libmicrohttpd takes no answer in the
    # middle of a body; the body deadline bounds it), answered once, then closed
    s = connect(server)
    s.sendall(b"POST /api/v1/incidents HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Transfer-Encoding: chunked\r\n\r\n")
    s.sendall(b"%x\r\n%s\r\n" % (65536, b"a" * 65536) * 16 + b"1\r\na\r\n0\r\n\r\n" + PIPELINED)
    answers = parse(read_all(s))
    assert len(answers) == 1 and json_error(answers[0], 413)["code"] == "too_large"


def test_overflowing_content_length_closes_the_connection(server):
    """libmicrohttpd refuses a Content-Length over 2^64-1 before vigie sees the request
    (docs/API.md): the connection is closed, the pipelined request is not served."""
    out = raw(server, b"POST /api/v1/login HTTP/1.1\r\nHost: x\r\n"
              b"Content-Length: 99999999999999999999999\r\n\r\n" + PIPELINED)
    assert out.startswith(b"HTTP/1.1 413 ")
    assert b"version" not in out  # no health answer


# -- paths as sent (item 9) --

def test_paths_are_routed_as_sent(server):
    org = make_org(server, "Paths")
    ref = make_incident(server)["ref"]
    tok = server.admin
    for target in (f"/api/v1/orgs/{org['id']}%00/findings", f"/api/v1/orgs/{org['id']}%2Ffindings",
                   f"/api/v1/orgs/{org['id']}%2ffindings", "/api/v1/incidents/%00"):
        e = json_error(get_raw(server, target, token=tok), 400)
        assert e["code"] == "invalid" and e["field"] == "path", target
    e = json_error(get_raw(server, "/api/v1/m%65", token=tok), 404)
    assert e["code"] == "not_found" and "/api/v1/m%65" in e["message"]
    assert get_raw(server, "/api/v1/me", token=tok)[0] == 200
    # a parameter is decoded once matched
    enc = ref.replace("-", "%2D")
    st, _, body = get_raw(server, f"/api/v1/incidents/{enc}", token=tok)
    assert st == 200 and ref.encode() in body
    assert get_raw(server, f"/api/v1/orgs/{org['id']}/findings", token=tok)[0] == 200


# -- answers (item 10) --

def test_head_answers_as_get_without_body(server):
    st, headers, _ = get_raw(server, "/api/v1/health", method="HEAD")
    g = get_raw(server, "/api/v1/health")
    assert st == 200 and headers["content-type"] == JSON
    assert int(headers["content-length"]) == len(g[2])
    st, headers, _ = get_raw(server, "/api/v1/incidents", method="HEAD", token=server.admin)
    assert st == 200
    st, headers, _ = get_raw(server, "/api/v1/login", method="HEAD")
    assert st == 405 and headers["allow"] == "POST"


def test_401_carries_a_bearer_challenge(server):
    r = server.get("/api/v1/me", token="")
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == 'Bearer realm="vigie"'
    r = server.get("/api/v1/me", token="nope")
    assert r.status_code == 401 and r.headers["WWW-Authenticate"] == 'Bearer realm="vigie"'
    r = server.get("/api/v1/me")
    assert r.status_code == 200 and "WWW-Authenticate" not in r.headers
    assert r.headers["Content-Type"] == JSON


@pytest.mark.parametrize("ctype", [None, "text/plain", "text/plain;charset=UTF-8",
                                   "application/x-www-form-urlencoded", "multipart/form-data",
                                   "application/jsonx", "application/x-ndjson"])
def test_json_routes_refuse_other_content_types(server, ctype, tmp_path):
    headers = {"Content-Type": ctype} if ctype else {}
    body = b'{"name":"admin","password":"wrong password"}'
    r = server.req("POST", "/api/v1/login", token="", data=body, headers=headers)
    assert r.status_code == 415, r.text
    assert r.headers["Content-Type"] == JSON
    assert r.json()["error"]["code"] == "unsupported_media_type"
    assert r.json()["error"]["field"] == "Content-Type"
    before = server.get("/api/v1/incidents").json()["items"]
    r = server.req("POST", "/api/v1/reports", token="", headers=headers,
                   data=b'{"title":"t","description":"d","reporter":{"email":"a@x.example"}}')
    assert r.status_code == 415
    assert server.get("/api/v1/incidents").json()["items"] == before


@pytest.mark.parametrize("ctype", ["application/json", "Application/JSON; charset=utf-8",
                                   "application/json ;charset=UTF-8"])
def test_json_content_type_with_parameters_accepted(server, ctype):
    r = server.req("POST", "/api/v1/login", token="", headers={"Content-Type": ctype},
                   data=b'{"name":"nobody","password":"wrong password"}')
    assert r.status_code == 401, r.text  # judged by the handler, not refused as a type


def test_events_take_ndjson_or_json(server):
    line = b'{"src_ip":"192.0.2.1"}\n'
    for ctype, status in (("application/x-ndjson", 200), ("application/json", 200),
                          ("text/plain", 415), (None, 415)):
        headers = {"Content-Type": ctype} if ctype else {"Content-Type": ""}
        r = server.req("POST", "/api/v1/events", data=line, headers=headers)
        assert r.status_code == status, (ctype, r.text)


def test_request_target_and_headers_over_the_caps_get_json(server):
    e = json_error(get_raw(server, "/api/v1/" + "a" * 20000), 414)
    assert e["code"] == "too_large" and "8192" in e["message"]
    assert get_raw(server, "/api/v1/health?x=" + "a" * 8100)[0] == 200
    hdrs = "".join(f"X-A{i}: {'b' * 1000}\r\n" for i in range(20))
    out = raw(server, f"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n{hdrs}\r\n".encode())
    answers = parse(out)
    assert len(answers) == 1
    e = json_error(answers[0], 431)
    assert e["code"] == "too_large" and "16384" in e["message"]
    hdrs = "".join(f"X-A{i}: {'b' * 1000}\r\n" for i in range(14))
    out = raw(server, f"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n{hdrs}Connection: close\r\n\r\n"
              .encode())
    assert parse(out)[0][0] == 200
