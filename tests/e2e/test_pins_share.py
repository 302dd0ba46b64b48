"""Pins of issue 10 for the sharing rules of issue 12 (the TLP gate, partner records, URL
normal forms), each written for a mutant of src/core/tlp.c, partner.c or url.c that no other
test killed (docs/TESTING.md, "Mutation score"); and the last use of partner tokens."""
import base64
from datetime import datetime, timezone

from conftest import connect


def when(s):
    return datetime.strptime(s[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)


def partner_token(srv, pid, label=None):
    r = srv.post(f"/api/v1/partners/{pid}/tokens", {"label": label} if label else None)
    assert r.status_code == 201, r.text
    return r.json()


def test_partner_token_last_used(server):
    """A partner token's use is recorded as a user token's is: by the server's next write,
    at most once a minute, shown by GET /api/v1/partners/{id}/tokens; an unused token shows
    null; partner and user tokens of the same id are told apart."""
    r = server.post("/api/v1/partners", {"name": "CERT-LU", "country": "LU"})
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    used = partner_token(server, pid, "used")
    unused = partner_token(server, pid, "unused")
    assert used["last_used"] is None and unused["last_used"] is None
    items = server.get(f"/api/v1/partners/{pid}/tokens").json()["items"]
    assert [(i["label"], i["last_used"]) for i in items] == [("used", None), ("unused", None)]
    assert server.get("/api/v1/share/whoami", token=used["token"]).status_code == 200
    # written by the next write the server runs (a batch of the database thread)
    assert server.post("/api/v1/partners", {"name": "CERT-MT", "country": "MT"}).status_code == 201
    items = server.get(f"/api/v1/partners/{pid}/tokens").json()["items"]
    first_use = items[0]["last_used"]
    assert first_use is not None, items
    assert when(items[0]["created"]) <= when(first_use) <= datetime.now(timezone.utc)
    assert items[1]["label"] == "unused" and items[1]["last_used"] is None
    db = connect(server.db)
    row = db.execute("SELECT last_used FROM partner_token WHERE id = ?", (used["id"],)).fetchone()
    db.close()
    assert row == (first_use,)
    # used again within the minute: not written again
    assert server.get("/api/v1/share/whoami", token=used["token"]).status_code == 200
    assert server.post("/api/v1/partners", {"name": "CERT-CY", "country": "CY"}).status_code == 201
    items = server.get(f"/api/v1/partners/{pid}/tokens").json()["items"]
    assert items[0]["last_used"] == first_use
    # a use recorded long ago is recorded again (as HTTP Basic this time)
    db = connect(server.db)
    db.execute("UPDATE partner_token SET last_used = '2026-01-01T00:00:00Z' WHERE id = ?",
               (used["id"],))
    db.commit()
    db.close()
    basic = "Basic " + base64.b64encode(f"{pid}:{used['token']}".encode()).decode()
    r = server.get("/api/v1/share/whoami", token="", headers={"Authorization": basic})
    assert r.status_code == 200, r.text
    assert server.post("/api/v1/partners", {"name": "CERT-GR", "country": "GR"}).status_code == 201
    items = server.get(f"/api/v1/partners/{pid}/tokens").json()["items"]
    assert when(items[0]["last_used"]) >= when(first_use)
    assert items[0]["last_used"] != "2026-01-01T00:00:00Z"
    assert items[1]["last_used"] is None
