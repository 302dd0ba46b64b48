"""Two `vigie serve` processes on one PostgreSQL database (issue 16, "several servers, one
database"), each checked through both servers: incident and advisory references unique and
gap-free per year under concurrent creation from both; every write either acknowledged is in
the database afterwards (the group commit keeps its meaning); a token revoked through one is
refused by the other on its next request, and a user disabled in the database (no API
disables one: another process does it) is refused by both, its API tokens and its console
session alike; observables written through one are seen by `/related` on the other at once."""
import re
import threading

import pytest
import requests

from conftest import USER_PASSWORD, Server, add_user, wait_for
from pgcluster import pg_cluster, pg_db, pg_sql  # noqa: F401 (fixtures)

INC_REF = re.compile(r"^[A-Z]+-(\d{4})-(\d{6,})$")
ADV_REF = re.compile(r"^VIGIE-(\d{4})-([A-Z]{3})-(\d{4})$")


@pytest.fixture
def two(pg_db, tmp_path):
    """Two servers on one fresh PostgreSQL database (the first one runs `vigie init`)."""
    one = Server(pg_db, log=str(tmp_path / "one.log"))
    other = Server.__new__(Server)
    other.db, other.admin, other.extra = pg_db, one.admin, []
    other.logpath = str(tmp_path / "two.log")
    other.start()
    yield one, other
    for srv in (one, other):
        rc, err = srv.stop()
        assert rc == 0, f"server exited {rc} on SIGTERM: {err[-3000:]}"


def hammer(servers, per_thread, threads_per_server, make):
    """Runs threads_per_server threads against each server, each calling make(session, url)
    per_thread times (make returns (status, value)); returns the list of (server index,
    status, value) of every call."""
    out, lock = [], threading.Lock()

    def worker(i, url):
        with requests.Session() as s:
            for _ in range(per_thread):
                status, value = make(s, url)
                with lock:
                    out.append((i, status, value))

    ts = [threading.Thread(target=worker, args=(i, srv.url))
          for i, srv in enumerate(servers) for _ in range(threads_per_server)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in ts), "a client thread hung"
    return out


def creator(path, body, token):
    """A make function for hammer: POST body to path with token; (status, its ref or the
    error's text)."""
    hdr = {"Authorization": "Bearer " + token}

    def create(s, url):
        r = s.post(url + path, headers=hdr, timeout=60, json=body)
        return r.status_code, r.json().get("ref") if r.status_code == 201 else r.text
    return create


def test_incident_references_gap_free_and_every_write_kept(two, pg_db):
    one, other = two
    create = creator("/api/v1/incidents", {"title": "t", "class": "fraud", "type": "phishing",
                                           "observables": [{"value": "multi.example"}]},
                     one.admin)
    per, threads = 15, 4
    calls = hammer(two, per, threads, create)
    assert [c for c in calls if c[1] != 201] == []
    refs = [c[2] for c in calls]
    n = 2 * threads * per
    assert len(refs) == n and len(set(refs)) == n
    # both servers created: the references interleave, none is one server's alone
    assert {c[0] for c in calls} == {0, 1}
    years = {INC_REF.match(r).group(1) for r in refs}
    assert len(years) == 1
    assert sorted(int(INC_REF.match(r).group(2)) for r in refs) == list(range(1, n + 1))
    # every acknowledged write is in the database, and each server reads the other's
    stored = set(pg_sql(pg_db, "SELECT ref FROM incident").split())
    assert stored == set(refs)
    assert int(pg_sql(pg_db, "SELECT count(*) FROM observable")) == n
    for i, ref in enumerate(sorted(refs)[:: max(1, n // 12)]):
        srv = two[i % 2]
        r = srv.get(f"/api/v1/incidents/{ref}")
        assert r.status_code == 200 and r.json()["ref"] == ref


def test_notes_from_both_servers_are_all_kept(two, pg_db):
    """Writes to one incident from both servers at once (each server's batches are one
    transaction): every acknowledged note is there, seen through either server."""
    one, other = two
    ref = one.post("/api/v1/incidents", {"title": "t", "class": "fraud",
                                         "type": "phishing"}).json()["ref"]
    hdr = {"Authorization": "Bearer " + one.admin}
    seq = iter(range(10**6))

    def note(s, url):
        text = f"note {next(seq)}"
        r = s.post(url + f"/api/v1/incidents/{ref}/notes", headers=hdr, timeout=60,
                   json={"text": text})
        return r.status_code, text

    calls = hammer(two, 10, 3, note)
    assert [c for c in calls if c[1] != 201] == []
    texts = {c[2] for c in calls}
    assert len(texts) == 60
    for srv in two:
        inc = srv.get(f"/api/v1/incidents/{ref}").json()
        seen = {e["detail"]["text"] for e in inc["timeline"] if e["action"] == "note"}
        assert texts <= seen, texts - seen


def test_advisory_references_gap_free(two):
    one, other = two
    tok = one.token("alice", "analyst")
    create = creator("/api/v1/advisories", {"kind": "avis", "title": "t"}, tok)
    per, threads = 8, 3
    calls = hammer(two, per, threads, create)
    assert [c for c in calls if c[1] != 201] == []
    refs = [c[2] for c in calls]
    n = 2 * threads * per
    assert len(set(refs)) == n
    assert {ADV_REF.match(r).group(2) for r in refs} == {"AVI"}
    assert sorted(int(ADV_REF.match(r).group(3)) for r in refs) == list(range(1, n + 1))
    # alerts count apart from notices, from both servers as well
    a = one.post("/api/v1/advisories", {"kind": "alerte", "title": "a"}, token=tok)
    b = other.post("/api/v1/advisories", {"kind": "alerte", "title": "b"}, token=tok)
    assert (a.status_code, b.status_code) == (201, 201), a.text + b.text
    assert sorted(ADV_REF.match(x.json()["ref"]).group(2, 3) for x in (a, b)) == \
        [("ALE", "0001"), ("ALE", "0002")]
    # each server reads what the other wrote
    for ref, srv in ((refs[0], other), (refs[-1], one), (a.json()["ref"], other)):
        r = srv.get(f"/api/v1/advisories/{ref}")
        assert r.status_code == 200 and r.json()["ref"] == ref


def test_token_revoked_through_one_is_refused_by_the_other(two):
    one, other = two
    bob = one.token("bob", "analyst")
    r = one.post("/api/v1/tokens", {"label": "laptop"}, token=bob)
    assert r.status_code == 201, r.text
    laptop, tid = r.json()["token"], r.json()["id"]
    for srv in two:  # both have seen it (a server caching valid tokens would keep it now)
        for _ in range(3):
            assert srv.get("/api/v1/me", token=laptop).json()["name"] == "bob"
    assert one.req("DELETE", f"/api/v1/tokens/{tid}", token=bob).status_code == 200
    r = other.get("/api/v1/me", token=laptop)
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    assert one.get("/api/v1/me", token=laptop).status_code == 401
    # bob's other token still works on both
    assert [srv.get("/api/v1/me", token=bob).status_code for srv in two] == [200, 200]
    # and the other way round: revoked through the second, refused by the first
    tid2 = [t["id"] for t in other.get("/api/v1/tokens", token=bob).json()["items"]
            if t["label"] == "cli"][0]
    assert other.req("DELETE", f"/api/v1/tokens/{tid2}").status_code == 200
    assert one.get("/api/v1/me", token=bob).status_code == 401


def console_alive(srv, cookie):
    """Whether the console session lives on srv: a live one is served its page (200), a
    dead one is sent to the login form (303)."""
    r = requests.get(srv.url + "/console/", headers={"Cookie": "vigie_session=" + cookie},
                     allow_redirects=False, timeout=60)
    assert r.status_code in (200, 303), r.text[:500]
    return r.status_code == 200


def test_disabled_user_is_refused_by_both_with_its_sessions(two, pg_db):
    one, other = two
    add_user(one, "dana", "analyst")
    add_user(one, "eric", "analyst")
    api = one.token("dana", "analyst")
    r = other.post("/api/v1/login", {"name": "dana", "password": USER_PASSWORD}, token="")
    assert r.status_code == 201, r.text
    login = r.json()["token"]
    r = requests.post(one.url + "/console/login", allow_redirects=False, timeout=60,
                      data={"name": "dana", "password": USER_PASSWORD})
    assert r.status_code == 303, r.text[:500]
    cookie = re.match(r"vigie_session=(vgt_[0-9a-f]+);", r.headers["Set-Cookie"]).group(1)
    eric = one.token("eric", "analyst")
    for srv in two:
        assert srv.get("/api/v1/me", token=api).status_code == 200
        assert srv.get("/api/v1/me", token=login).status_code == 200
        assert console_alive(srv, cookie)
    pg_sql(pg_db, "UPDATE \"user\" SET disabled = 1 WHERE name = 'dana'")
    for srv in two:
        for tok in (api, login):
            r = srv.get("/api/v1/me", token=tok)
            assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
        assert not console_alive(srv, cookie)
        r = srv.post("/api/v1/login", {"name": "dana", "password": USER_PASSWORD}, token="")
        assert r.status_code == 401
        # another user goes on
        assert srv.get("/api/v1/me", token=eric).json()["name"] == "eric"


def related(srv, ref):
    r = srv.get(f"/api/v1/incidents/{ref}/related")
    assert r.status_code == 200, r.text
    return {x["ref"] for x in r.json()["related"]}


def test_related_sees_the_other_servers_observables_at_once(two):
    one, other = two
    # each server's index is built (a lookup), then the other writes: the next lookup must
    # already see it, without waiting
    for rnd in range(6):
        writer, reader = (one, other) if rnd % 2 == 0 else (other, one)
        value = f"203.0.113.{rnd + 1}"
        mine = reader.post("/api/v1/incidents", {"title": "r", "class": "fraud",
                                                 "type": "phishing",
                                                 "observables": [{"value": value}]})
        assert mine.status_code == 201, mine.text
        mine = mine.json()["ref"]
        assert related(reader, mine) == set()
        theirs = writer.post("/api/v1/incidents", {"title": "w", "class": "fraud",
                                                   "type": "phishing",
                                                   "observables": [{"value": value}]})
        assert theirs.status_code == 201, theirs.text
        theirs = theirs.json()["ref"]
        assert related(reader, mine) == {theirs}
        assert related(writer, theirs) == {mine}
        # an observable added to an existing incident too
        extra = f"rel{rnd}.example"
        r = writer.post(f"/api/v1/incidents/{theirs}/observables", {"value": extra})
        assert r.status_code == 201, r.text
        third = reader.post("/api/v1/incidents", {"title": "x", "class": "fraud",
                                                  "type": "phishing",
                                                  "observables": [{"value": "a." + extra}]})
        assert related(reader, third.json()["ref"]) == {theirs}


def test_related_under_concurrent_writes_misses_nothing(two):
    """Both servers write incidents sharing one value while lookups run on both: afterwards
    each server's /related of a probe lists every incident acknowledged by either."""
    one, other = two
    probe = one.post("/api/v1/incidents", {"title": "p", "class": "fraud", "type": "phishing",
                                           "observables": [{"value": "shared.example"}]})
    probe = probe.json()["ref"]
    hdr = {"Authorization": "Bearer " + one.admin}

    def create_and_look(s, url):
        r = s.post(url + "/api/v1/incidents", headers=hdr, timeout=60,
                   json={"title": "c", "class": "fraud", "type": "phishing",
                         "observables": [{"value": "shared.example"}]})
        if r.status_code != 201:
            return r.status_code, r.text
        ref = r.json()["ref"]
        g = s.get(url + f"/api/v1/incidents/{probe}/related?limit=100", headers=hdr,
                  timeout=60)
        seen = {x["ref"] for x in g.json()["related"]} if g.status_code == 200 else set()
        # the lookup came after this server's own creation: it must see it
        return (201 if ref in seen else 0), ref

    calls = hammer(two, 8, 3, create_and_look)
    assert [c for c in calls if c[1] != 201] == []
    made = {c[2] for c in calls}
    for srv in two:
        r = srv.get(f"/api/v1/incidents/{probe}/related?limit=100")
        assert r.status_code == 200, r.text
        assert {x["ref"] for x in r.json()["related"]} == made


def revoke_under_writes(srv, owner, round_, writers=12):
    """One round of test_revocation_seen_by_the_later_requests_of_its_batch: a new token of
    owner used by `writers` threads creating incidents until refused, revoked while they run.
    Returns (the incidents created with it, the time of its revocation)."""
    r = srv.post("/api/v1/tokens", {"label": f"doomed{round_}"}, token=owner)
    assert r.status_code == 201, r.text
    doomed, tid = r.json()["token"], r.json()["id"]
    out, lock = [], threading.Lock()

    def writer(k):
        hdr = {"Authorization": "Bearer " + doomed}
        with requests.Session() as s:
            for i in range(400):  # until refused: a few dozen requests each
                r = s.post(srv.url + "/api/v1/incidents", headers=hdr, timeout=60,
                           json={"title": f"r{round_}w{k}-{i}", "class": "fraud",
                                 "type": "phishing"})
                with lock:
                    out.append((k, r.status_code, r.json()))
                if r.status_code != 201:
                    return

    ts = [threading.Thread(target=writer, args=(k,)) for k in range(writers)]
    for t in ts:
        t.start()
    wait_for(lambda: len(out) >= 2 * writers, what="the writers under way")
    r = srv.req("DELETE", f"/api/v1/tokens/{tid}", token=owner)
    assert r.status_code == 200, r.text
    for t in ts:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in ts), "a writer hung"
    revoked = [t["revoked"] for t in srv.get("/api/v1/tokens", token=owner).json()["items"]
               if t["id"] == tid][0]
    assert revoked
    made = [b for _, status, b in out if status == 201]
    refused = [(k, b) for k, status, b in out if status != 201]
    # each writer ends refused, as unauthorized, and nothing else was answered
    assert sorted(k for k, _ in refused) == list(range(writers)), refused
    assert all(b["error"]["code"] == "unauthorized" for _, b in refused), refused
    assert len(made) + writers == len(out) and len(made) >= 2 * writers
    return made, revoked


@pytest.mark.parametrize("backend", ["sqlite", "pg"])
def test_revocation_seen_by_the_later_requests_of_its_batch(backend, tmp_path, request):
    """The server looks up the tokens of a batch of requests at once (token prefetch): a
    revocation run by one request of a batch is seen by the batch's later ones. Writers keep
    the database thread's queue full with a token while it is revoked: none of them creates
    an incident after the revocation (every creation acknowledged with it is older than the
    revocation, to the microsecond: the database thread runs a batch in order, one clock).
    Several rounds: the revocation lands amid the writers' requests in most of them."""
    db = request.getfixturevalue("pg_db") if backend == "pg" else tmp_path / "v.db"
    srv = Server(db, log=str(tmp_path / "srv.log"))
    try:
        carl = srv.token("carl", "analyst")
        total = 0
        for round_ in range(6):
            made, revoked = revoke_under_writes(srv, carl, round_)
            late = [b["ref"] for b in made if b["created"] >= revoked]
            assert late == [], f"round {round_}: created with a token revoked at {revoked}: {late}"
            total += len(made)
        # the database holds the same: the incidents acknowledged, no other
        r = srv.get("/api/v1/incidents?limit=1", token=carl)
        assert r.status_code == 200
        assert int(r.json()["items"][0]["ref"][-6:]) == total
    finally:
        rc, err = srv.stop()
        assert rc == 0, f"server exited {rc} on SIGTERM: {err[-3000:]}"
