"""Several reader threads (`vigie serve --readers N`, the default on PostgreSQL): reads spread
over their connections answer as one reader does, while writes go on, and on SQLite too; the
option's bounds."""
import threading

import pytest

from conftest import Server, make_incident, run


@pytest.mark.parametrize("value", ["0", "65", "x", ""])
def test_readers_bounds(tmp_path, value):
    p = run("serve", "--readers", value, "--listen", "127.0.0.1:0", db=tmp_path / "v.db",
            check=False)
    assert p.returncode == 2
    assert "--readers must be 1 to 64" in p.stderr


def related(srv, ref):
    r = srv.get(f"/api/v1/incidents/{ref}/related?limit=100")
    assert r.status_code == 200, r.text
    return [x["ref"] for x in r.json()["related"]]


def test_readers_agree_under_writes(tmp_path):
    db = tmp_path / "vigie.db"
    srv = Server(db, extra=["--readers", "3", "--report-rate", "100000"])
    try:
        hub = make_incident(srv, ["198.51.100.0/24", "hub.readers.example"])["ref"]
        made, errors = [], []

        def write():
            for i in range(40):
                obs = [f"198.51.100.{i + 1}"] if i % 2 else [f"h{i}.hub.readers.example"]
                made.append(make_incident(srv, obs)["ref"])

        def read():
            # each reader thread's session: its own connections, so its GETs spread over the
            # server's readers; what one answers is a prefix of what the writes made
            s = Server.__new__(Server)
            s.__dict__.update(srv.__dict__)
            import requests
            s.s = requests.Session()
            for _ in range(30):
                for path in (f"/api/v1/incidents/{hub}/related", "/api/v1/incidents?limit=5",
                             f"/api/v1/incidents/{hub}"):
                    r = s.get(path)
                    if r.status_code != 200:
                        errors.append((path, r.status_code, r.text))
            s.s.close()

        threads = [threading.Thread(target=write)] + [threading.Thread(target=read)
                                                        for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        # every reader's index caught up: each of several lookups lists all 40, newest first
        want = list(reversed(made))
        for _ in range(6):
            assert related(srv, hub) == want
    finally:
        rc, err = srv.stop()
        assert rc == 0, err[-2000:]
    # one reader on the same database answers the same
    one = Server.__new__(Server)
    one.__dict__.update({"db": db, "logpath": str(tmp_path / "one.log"), "admin": srv.admin,
                         "extra": ["--readers", "1"]})
    one.start()
    try:
        assert related(one, hub) == want
    finally:
        rc, err = one.stop()
        assert rc == 0, err[-2000:]
