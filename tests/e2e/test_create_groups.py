"""End-to-end tests of the grouped creations of `vigie serve` (issue 16): the database thread
runs a batch's consecutive POST /api/v1/incidents as one group (one store operation: one
statement on PostgreSQL), falling back to one by one when the group fails. Checked through the
real server on both backends: under concurrent clients the groups happen (health's `writes`
counts them), every answer is the one a lone request gets (the same bodies sent one at a time
to a second server), the errors are each request's own (a missing organisation, a bad field, a
body that is not JSON), the references are unique and gap-free, and each incident's mail is
queued with it."""
import json
import random
import threading

import requests

from conftest import Server, make_org, sql

CLASSES = [("malicious-code", "infected-system"), ("fraud", "phishing"),
           ("intrusions", "system-compromise"), ("availability", "ddos")]
CONTACTS = [{"name": "Ana", "email": "ana@org.example", "lang": "en"}]


def bodies(rnd, n, org, tag):
    """n creation bodies: observables shared between some, one in 8 naming an organisation
    that does not exist, one in 11 with a bad severity, one in 13 not JSON at all (a str)."""
    out = []
    for i in range(n):
        cls, typ = rnd.choice(CLASSES)
        b = {"title": f"{tag} incident {i}", "class": cls, "type": typ,
             "severity": rnd.choice(["low", "medium", "high", "critical"]),
             "observables": [{"value": rnd.choice([f"198.51.100.{rnd.randrange(8)}",
                                                   f"h{rnd.randrange(6)}.evil.example",
                                                   "%064x" % rnd.getrandbits(256)])}
                             for _ in range(rnd.randrange(0, 6))]}
        if i % 3 == 0:
            b["org"] = org
        if i % 8 == 5:
            b["org"] = 999999
        if i % 11 == 7:
            b["severity"] = "apocalyptic"
        out.append('{"title": ' if i % 13 == 9 else b)
    return out


def post_all(srv, items, clients):
    """Posts items from `clients` threads at once, each its share in order; the answers by
    item index."""
    answers = [None] * len(items)
    barrier = threading.Barrier(clients)

    def client(k):
        s = requests.Session()
        barrier.wait()
        for i in range(k, len(items), clients):
            body = items[i]
            data = body if isinstance(body, str) else json.dumps(body)
            r = s.post(srv.url + "/api/v1/incidents", data=data, timeout=60,
                       headers={"Authorization": "Bearer " + srv.admin,
                                "Content-Type": "application/json"})
            answers[i] = (r.status_code, r.json(), r.headers.get("Location"))
        s.close()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


def comparable(answer):
    """An answer without what differs from one run to another: times and the reference."""
    status, body, _ = answer
    body = json.loads(json.dumps(body))
    for k in ("ref", "created", "updated"):
        body.pop(k, None)
    for t in body.get("timeline", []):
        t.pop("at", None)
        if isinstance(t.get("detail"), dict):
            t["detail"].pop("ref", None)
    for o in body.get("observables", []):
        o.pop("created", None)
    return status, body


def number(ref):
    return int(ref.rsplit("-", 1)[1])


def test_concurrent_creations_run_in_groups_with_the_answers_of_lone_requests(tmp_path):
    a = Server(tmp_path / "groups.db", extra=["--report-rate", "100000"])
    b = Server(tmp_path / "alone.db", extra=["--report-rate", "100000"])
    try:
        org_a = make_org(a, "Org", contacts=CONTACTS)["id"]
        org_b = make_org(b, "Org", contacts=CONTACTS)["id"]
        assert org_a == org_b
        rnd = random.Random(16)
        answers, items = [], []
        for rnd_no in range(6):  # until the database thread has formed groups, at most 6
            part = bodies(rnd, 64, org_a, f"r{rnd_no}")
            items += part
            answers += post_all(a, part, clients=16)
            if a.get("/api/v1/health").json()["writes"]["grouped"] >= 16:
                break
        w = a.get("/api/v1/health").json()["writes"]
        assert w["grouped"] >= 16 and 1 <= w["groups"] <= w["grouped"] // 2, w
        assert w["requests"] >= len(items) + 1 and w["batches"] >= 1

        alone = [None] * len(items)
        for i, body in enumerate(items):  # one at a time: no group can form
            alone[i] = post_all(b, [body], clients=1)[0]
        assert b.get("/api/v1/health").json()["writes"]["grouped"] == 0

        made = []
        for i, (got, want) in enumerate(zip(answers, alone)):
            assert comparable(got) == comparable(want), f"item {i}: {items[i]}"
            status, body, location = got
            if status == 201:
                assert location == "/api/v1/incidents/" + body["ref"]
                made.append(body)
        expected_errors = {i for i, x in enumerate(items)
                           if isinstance(x, str) or x.get("org") == 999999
                           or x.get("severity") == "apocalyptic"}
        assert {i for i, x in enumerate(answers) if x[0] != 201} == expected_errors
        org_errors = [x for x in answers
                      if x[0] == 400 and x[1]["error"].get("field") == "/org"]
        assert len(org_errors) == sum(1 for x in items if isinstance(x, dict)
                                      and x.get("org") == 999999
                                      and x.get("severity") != "apocalyptic")

        # references unique and gap-free: 1..n in the order the database gave them
        nums = sorted(number(x["ref"]) for x in made)
        assert nums == list(range(1, len(made) + 1))
        # each answer is what GET gives
        for x in made[:: max(1, len(made) // 20)]:
            assert a.get("/api/v1/incidents/" + x["ref"]).json() == x
        # one "opened" mail per incident of the organisation, none for the others
        mailed = [r[0] for r in sql(a.db, "SELECT object FROM outbox WHERE kind = 'incident' "
                                          "ORDER BY id")]
        assert sorted(mailed) == sorted(x["ref"] for x in made if x.get("org") == org_a)
        # the dashboard's counts (triggers: once per statement on PostgreSQL) as one by one
        assert a.get("/api/v1/stats").json() == b.get("/api/v1/stats").json()
        # the audit has one creation per incident
        audited = [r[0] for r in sql(a.db, "SELECT object FROM audit "
                                           "WHERE action = 'incident.create'")]
        assert sorted(audited) == sorted(x["ref"] for x in made)
    finally:
        stopped = [s.stop() for s in (a, b)]
        for rc, err in stopped:
            assert rc == 0, err[-2000:]
