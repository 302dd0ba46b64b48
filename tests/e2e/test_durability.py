"""Acknowledged writes survive kill -9 of the server."""
import signal
import threading

import pytest

from conftest import Server, make_incident, wait_for


def test_acknowledged_writes_survive_kill_9(tmp_path):
    srv = Server(tmp_path / "d.db")
    acked = []
    refused = []
    lock = threading.Lock()

    def writer(n):
        import requests
        s = requests.Session()
        for i in range(n):
            try:
                r = s.post(srv.url + "/api/v1/incidents",
                           json={"title": f"w{i}", "class": "fraud", "type": "phishing",
                                 "observables": [{"value": f"h{i}.evil.example"}]},
                           headers={"Authorization": "Bearer " + srv.admin}, timeout=10)
            except Exception:
                return
            with lock:
                if r.status_code == 201:
                    acked.append(r.json()["ref"])
                else:
                    refused.append(f"{r.status_code} {r.text[:200]}")

    threads = [threading.Thread(target=writer, args=(200,)) for _ in range(4)]
    for t in threads:
        t.start()
    # let some writes through, then kill the server mid-stream; bounded: if writes fail or the
    # writers stop before 100 are acknowledged, the test fails saying so instead of spinning
    def enough():
        with lock:
            if len(acked) >= 100:
                return True
        if not any(t.is_alive() for t in threads):
            with lock:
                if len(acked) >= 100:
                    return True
                pytest.fail(f"writers stopped after {len(acked)} acknowledged writes; "
                            f"{len(refused)} refused, first: {refused[:3]}", pytrace=False)
        return False

    try:
        wait_for(enough, timeout=60, interval=0.001, what="100 acknowledged writes")
    finally:
        srv.proc.send_signal(signal.SIGKILL)
    srv.proc.wait()
    for t in threads:
        t.join()
    srv.proc.stderr.close()
    srv.log.close()
    assert len(acked) >= 100
    srv.start()
    try:
        for ref in acked:
            r = srv.get("/api/v1/incidents/" + ref)
            assert r.status_code == 200, ref
            assert len(r.json()["observables"]) == 1
        # the server still works and references keep increasing
        new = make_incident(srv)["ref"]
        assert new > max(acked)
    finally:
        assert srv.stop()[0] == 0


def test_concurrent_failures_do_not_undo_other_writes(server):
    """Group commit: a request that fails inside a batch (here: an unknown organisation,
    refused by the foreign key) must not take the other requests' writes with it."""
    from concurrent.futures import ThreadPoolExecutor

    def create(i):
        body = {"title": f"c{i}", "class": "fraud", "type": "phishing",
                "observables": [{"value": f"n{i}.evil.example"}]}
        if i % 3 == 0:
            body["org"] = 999999
        return i, server.post("/api/v1/incidents", body)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(create, range(120)))
    ok = {r.json()["ref"]: i for i, r in results if r.status_code == 201}
    bad = [i for i, r in results if r.status_code == 400]
    assert sorted(bad) == [i for i in range(120) if i % 3 == 0]
    assert len(ok) == 80
    for ref, i in ok.items():
        inc = server.get("/api/v1/incidents/" + ref).json()
        assert inc["title"] == f"c{i}"
        assert inc["observables"][0]["value"] == f"n{i}.evil.example"
    listed = server.get("/api/v1/incidents?limit=500").json()["items"]
    assert len(listed) == 80
