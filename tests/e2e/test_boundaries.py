"""Boundaries pinned where the documentation states them (issue 10, "Pin the rules"): each
test holds values exactly at a limit, just inside and just outside, and asserts exact fields,
so that a comparison changed by one (`<` for `<=`) fails it. The limits and where they are
written:
- pages: `limit` 1-500, default 50 (docs/API.md, util/limits.h VG_MAX_PAGE/VG_DEFAULT_PAGE);
  `/related` `limit` 1-100, default 20 (docs/API.md, VG_MAX_RELATED);
- correlation (docs/API.md "Correlation") and attribution (docs/API.md "POST
  /api/v1/events"): first and last addresses of a CIDR, prefix lengths /0 /31 /32 /127 /128,
  IPv4 and IPv6 apart;
- findings (docs/VULN.md, docs/API.md): priority 0 in KEV, 1 EPSS >= 0.1, 2 the rest; the
  CVSS severity bands (LOW < 4.0 <= MEDIUM < 7.0 <= HIGH < 9.0 <= CRITICAL) when a feed gives
  none; version range ends (docs/VERSIONS.md "Ranges");
- dates: `since` (sightings: seen >= since; findings: published or modified >= since),
  KEV `dateAdded`/`dueDate` as YYYY-MM-DD, RFC 3339 fields refused with their name.
Indicator expiry at the exact second is pinned in tests/unit/test_boundaries.c (the clock
cannot be set from here). The rules already pinned by test_pinned_rules.py are not repeated."""
import json
import os

import pytest

from conftest import make_incident, make_org, run


def related(server, ref, q=""):
    r = server.get(f"/api/v1/incidents/{ref}/related{q}")
    assert r.status_code == 200, r.text
    return {x["ref"] for x in r.json()["related"]}


def error(r, status, code, field):
    assert r.status_code == status, r.text
    e = r.json()["error"]
    assert (e["code"], e.get("field")) == (code, field), r.text
    return e


# ---- pages ----

def test_page_limits_at_their_bounds(server):
    r = server.post("/api/v1/indicators", {"indicators": [
        {"value": f"h{i:03d}.page.example"} for i in range(501)]})
    assert r.status_code == 200 and r.json()["added"] == 501, r.text
    for bad in ("0", "501", "-1", "1.5", "", "50x", "18446744073709551617"):
        e = error(server.get(f"/api/v1/indicators?limit={bad}"), 400, "invalid", "limit")
        assert "1 to 500" in e["message"], e
    # limit=1: one item and a cursor
    p = server.get("/api/v1/indicators?limit=1").json()
    assert len(p["items"]) == 1 and p["next_cursor"]
    # limit=500, the maximum: 500 then the last 1, the last page without a cursor
    p = server.get("/api/v1/indicators?limit=500").json()
    assert len(p["items"]) == 500 and p["next_cursor"]
    q = server.get("/api/v1/indicators?limit=500&cursor=" + p["next_cursor"]).json()
    assert len(q["items"]) == 1 and q.get("next_cursor") is None
    values = [i["value"] for i in p["items"] + q["items"]]
    assert sorted(values) == [f"h{i:03d}.page.example" for i in range(501)]
    # a last page exactly full: 501 = 3 pages of 167, the third without a cursor
    seen, cursor, pages = [], None, 0
    for pages in range(1, 5):
        p = server.get("/api/v1/indicators?limit=167" +
                       (f"&cursor={cursor}" if cursor else "")).json()
        seen += [i["value"] for i in p["items"]]
        cursor = p.get("next_cursor")
        if not cursor:
            break
    assert (pages, len(seen), len(set(seen))) == (3, 501, 501)
    error(server.get("/api/v1/indicators?cursor=garbage"), 400, "invalid", "cursor")


def test_related_limit_bounds_and_default(server):
    base = make_incident(server, ["198.18.0.0/16"])["ref"]
    refs = [make_incident(server, [f"198.18.0.{i}"])["ref"] for i in range(101)]
    r = server.get(f"/api/v1/incidents/{base}/related")
    assert r.status_code == 200 and len(r.json()["related"]) == 20, r.text
    assert len(related(server, base, "?limit=1")) == 1
    got = related(server, base, "?limit=100")
    assert len(got) == 100 and got <= set(refs)
    for bad in ("0", "101"):
        error(server.get(f"/api/v1/incidents/{base}/related?limit={bad}"), 400, "invalid",
              "limit")


# ---- CIDRs: correlation ----

def test_correlation_prefix_lengths(server):
    v4all = make_incident(server, ["0.0.0.0/0"])["ref"]
    v6all = make_incident(server, ["::/0"])["ref"]
    p31 = make_incident(server, ["192.0.2.6/31"])["ref"]
    a6 = make_incident(server, ["192.0.2.6"])["ref"]
    a7 = make_incident(server, ["192.0.2.7/32"])["ref"]  # /32 is the address itself
    a5 = make_incident(server, ["192.0.2.5"])["ref"]
    a8 = make_incident(server, ["192.0.2.8"])["ref"]
    p127 = make_incident(server, ["2001:db8::2/127"])["ref"]
    b2 = make_incident(server, ["2001:db8::2"])["ref"]
    b3 = make_incident(server, ["2001:db8::3/128"])["ref"]
    b1 = make_incident(server, ["2001:db8::1"])["ref"]
    b4 = make_incident(server, ["2001:db8::4"])["ref"]
    top4 = make_incident(server, ["255.255.255.255"])["ref"]
    top6 = make_incident(server, ["ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"])["ref"]
    zero6 = make_incident(server, ["::"])["ref"]
    v4 = {p31, a6, a7, a5, a8, top4}
    v6 = {p127, b2, b3, b1, b4, top6, zero6}
    # /0 holds every address of its family, up to the last one, and none of the other
    assert related(server, v4all) == v4
    assert related(server, v6all) == v6
    assert related(server, top4) == {v4all}
    assert related(server, top6) == {v6all}
    assert related(server, zero6) == {v6all}
    # /31 and /127: both addresses, not their neighbours
    assert related(server, p31) == {v4all, a6, a7}
    assert related(server, a5) == {v4all} and related(server, a8) == {v4all}
    assert related(server, a7) == {v4all, p31}
    assert related(server, p127) == {v6all, b2, b3}
    assert related(server, b1) == {v6all} and related(server, b4) == {v6all}
    assert related(server, b3) == {v6all, p127}
    # /32 and /128 are the address: equal values
    a7b = make_incident(server, ["192.0.2.7"])["ref"]
    b3b = make_incident(server, ["2001:db8::3"])["ref"]
    assert related(server, a7b) == {v4all, p31, a7}
    assert related(server, b3b) == {v6all, p127, b3}


# ---- CIDRs: attribution of sightings ----

def eve(ts, src, dest, **kw):
    ev = {"timestamp": ts, "src_ip": src, "dest_ip": dest}
    ev.update(kw)
    return json.dumps(ev)


def post_events(server, lines):
    r = server.req("POST", "/api/v1/events", data="\n".join(lines) + "\n",
                   headers={"Content-Type": "application/x-ndjson"})
    assert r.status_code == 200, r.text
    return r.json()


def test_attribution_prefix_lengths(server):
    """Each address meets the indicator 203.0.113.0/24 from one side of a flow; the sighting
    belongs to the most specific network of a constituent holding the other side."""
    whole4 = make_org(server, "Everything v4", cidrs=["0.0.0.0/0"])["id"]
    whole6 = make_org(server, "Everything v6", cidrs=["::/0"])["id"]
    pair = make_org(server, "Pair", cidrs=["10.0.0.6/31"])["id"]
    pair6 = make_org(server, "Pair6", cidrs=["2001:db8::2/127"])["id"]
    wide = make_org(server, "Wide", cidrs=["10.0.0.0/8"])["id"]
    r = server.post("/api/v1/indicators", {"value": "203.0.113.0/24"})
    assert r.status_code == 201, r.text
    cases = [("10.0.0.5", wide), ("10.0.0.6", pair), ("10.0.0.7", pair), ("10.0.0.8", wide),
             ("10.0.0.0", wide), ("10.255.255.255", wide), ("11.0.0.0", whole4),
             ("9.255.255.255", whole4), ("0.0.0.0", whole4), ("255.255.255.255", whole4),
             ("2001:db8::1", whole6), ("2001:db8::2", pair6), ("2001:db8::3", pair6),
             ("2001:db8::4", whole6), ("::", whole6),
             ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", whole6)]
    lines = [eve(f"2026-11-22T08:00:{i:02d}Z", addr, f"203.0.113.{i}")
             for i, (addr, _) in enumerate(cases)]
    out = post_events(server, lines)
    assert (out["events"], out["sightings"]) == (len(cases), len(cases)), out
    items = server.get("/api/v1/sightings?limit=500").json()["items"]
    got = {s["value"]: s["org"] for s in items}
    want = {f"203.0.113.{i}": org for i, (_, org) in enumerate(cases)}
    assert got == want, [(cases[int(v.rsplit(".", 1)[1])][0], got[v], want[v])
                         for v in want if got.get(v) != want[v]]


def test_attribution_keeps_ipv4_and_ipv6_apart(server):
    """An IPv6 network shorter than /96 (::/0) holds no IPv4 address: a constituent holding
    only ::/0 owns no IPv4 sighting (before the fix, it owned them all); an IPv4 address
    written as IPv4-mapped IPv6 (::ffff:a.b.c.d) is the IPv4 address."""
    v6 = make_org(server, "Only v6", cidrs=["::/0"])["id"]
    v4 = make_org(server, "Mapped", cidrs=["10.0.0.0/8"])["id"]
    r = server.post("/api/v1/indicators", {"value": "203.0.113.0/24"})
    assert r.status_code == 201, r.text
    post_events(server, [eve("2026-11-22T08:00:00Z", "198.18.0.1", "203.0.113.1"),
                         eve("2026-11-22T08:00:01Z", "2001:db8::1", "203.0.113.2"),
                         eve("2026-11-22T08:00:02Z", "::ffff:10.1.2.3", "203.0.113.3")])
    got = {s["value"]: s["org"] for s in server.get("/api/v1/sightings").json()["items"]}
    assert got == {"203.0.113.1": None, "203.0.113.2": v6, "203.0.113.3": v4}, got
