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


# ---- findings: version range ends, CVSS bands, EPSS and KEV priority, since ----

WIDGET = ["1.9", "2.0", "2.0.1", "2.5", "2.9.9", "3.0", "3.0.1"]


def widget(v):
    return f"cpe:2.3:a:acme:widget:{v}:*:*:*:*:*:*:*"


def nvd_cve(num, match, score=None, v2=False, severity=None):
    cve = {"id": f"CVE-2025-{num}", "published": "2025-01-10T00:00:00.000",
           "lastModified": "2025-01-15T00:00:00.000", "vulnStatus": "Analyzed",
           "descriptions": [{"lang": "en", "value": f"boundary {num}"}],
           "configurations": [{"nodes": [{"operator": "OR", "negate": False, "cpeMatch": [
               {"vulnerable": True, "criteria": widget("*"), **match}]}]}]}
    if score is not None:
        data = {"version": "2.0" if v2 else "3.1", "baseScore": score,
                "vectorString": "AV:N/AC:L/Au:N/C:P/I:P/A:P" if v2 else
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}
        if severity:
            data["baseSeverity"] = severity
        cve["metrics"] = {"cvssMetricV2" if v2 else "cvssMetricV31": [
            {"source": "nvd@nist.gov", "type": "Primary", "cvssData": data}]}
    return {"cve": cve}


def cve5_rec(num, versions, default="unaffected"):
    return {"dataType": "CVE_RECORD", "dataVersion": "5.1",
            "cveMetadata": {"cveId": f"CVE-2025-{num}", "state": "PUBLISHED",
                            "datePublished": "2025-01-10T00:00:00.000Z",
                            "dateUpdated": "2025-01-15T00:00:00.000Z"},
            "containers": {"cna": {"descriptions": [{"lang": "en", "value": f"cve5 {num}"}],
                                   "affected": [{"vendor": "ACME", "product": "Widget",
                                                 "defaultStatus": default,
                                                 "versions": versions}]}}}


def aff(version, status="affected", **bound):
    return dict(version=version, status=status, versionType="semver", **bound)


# (CVE number, record, the widget versions it affects)
RANGES = [
    (5101, nvd_cve(5101, {"versionStartIncluding": "2.0", "versionEndExcluding": "3.0"}),
     ["2.0", "2.0.1", "2.5", "2.9.9"]),
    (5102, nvd_cve(5102, {"versionStartExcluding": "2.0", "versionEndIncluding": "3.0"}),
     ["2.0.1", "2.5", "2.9.9", "3.0"]),
    (5103, nvd_cve(5103, {"versionStartIncluding": "2.0.1"}),
     ["2.0.1", "2.5", "2.9.9", "3.0", "3.0.1"]),
    (5104, nvd_cve(5104, {"versionEndExcluding": "2.0"}), ["1.9"]),
    (5105, nvd_cve(5105, {"versionEndIncluding": "2.0"}), ["1.9", "2.0"]),
    (5106, nvd_cve(5106, {"versionStartExcluding": "2.9.9"}), ["3.0", "3.0.1"]),
    (5107, nvd_cve(5107, {"criteria": widget("3.0")}), ["3.0"]),
    (5108, nvd_cve(5108, {"criteria": widget("2\\.0\\.*")}), ["2.0.1"]),
    (5201, cve5_rec(5201, [aff("2.0", lessThan="3.0")]), ["2.0", "2.0.1", "2.5", "2.9.9"]),
    (5202, cve5_rec(5202, [aff("2.0", lessThanOrEqual="3.0")]),
     ["2.0", "2.0.1", "2.5", "2.9.9", "3.0"]),
    (5203, cve5_rec(5203, [aff("*", lessThanOrEqual="2.5"), aff("2.0.1", "unaffected")]),
     ["1.9", "2.0", "2.5"]),
    (5204, cve5_rec(5204, [aff("0", lessThan="2.0.*")]), ["1.9", "2.0", "2.0.1"]),
    (5205, cve5_rec(5205, [aff("3.0")]), ["3.0"]),
    (5206, cve5_rec(5206, [aff("2.0", "unaffected", lessThan="3.0")], default="affected"),
     ["1.9", "3.0", "3.0.1"]),
    (5207, cve5_rec(5207, [aff("2.0.1", lessThan="2.5"), aff("2.5", "unaffected")]),
     ["2.0.1"]),
]


def import_feeds(tmp_path, db, *docs):
    paths = []
    for name, doc in docs:
        p = tmp_path / name
        p.write_text(doc if isinstance(doc, str) else json.dumps(doc))
        paths.append(str(p))
    return run("vuln", "import", *paths, db=db)


def test_version_range_ends(server, tmp_path):
    org = make_org(server, "Widgets", assets={"cidrs": [], "domains": [],
                                              "products": [widget(v) for v in WIDGET]})["id"]
    nvd = {"vulnerabilities": [r for n, r, _ in RANGES if n < 5200]}
    cve5 = [r for n, r, _ in RANGES if n >= 5200]
    import_feeds(tmp_path, server.db, ("nvd.json", nvd), ("cve5.json", cve5))
    want = sorted((f"CVE-2025-{n}", widget(v)) for n, _, vs in RANGES for v in vs)
    items = server.get(f"/api/v1/orgs/{org}/findings?limit=500").json()["items"]
    got = sorted((i["cve"], i["asset"]) for i in items)
    missing, extra = sorted(set(want) - set(got)), sorted(set(got) - set(want))
    assert (missing, extra) == ([], []), f"missing {missing}, extra {extra}"
    # the full re-match agrees with what the import stored
    p = run("vuln", "match", db=server.db)
    full = sorted((f["cve"], f["asset"]) for f in map(json.loads, p.stdout.splitlines()))
    assert full == want


BANDS = [  # (number, score, v2, severity shown) for records without baseSeverity
    (5301, 0.0, False, "NONE"), (5302, 3.9, False, "LOW"), (5303, 4.0, False, "MEDIUM"),
    (5304, 6.9, False, "MEDIUM"), (5305, 7.0, False, "HIGH"), (5306, 8.9, False, "HIGH"),
    (5307, 9.0, False, "CRITICAL"), (5308, 10.0, False, "CRITICAL"), (5309, 9.0, True, "HIGH"),
    (5310, 10.0, True, "HIGH"), (5311, 6.9, True, "MEDIUM"),
]


def test_cvss_severity_bands(server, tmp_path):
    nvd = {"vulnerabilities": [nvd_cve(n, {"criteria": widget("9.9")}, score, v2)
                               for n, score, v2, _ in BANDS] +
           [nvd_cve(5312, {"criteria": widget("9.9")}, 6.9, False, "HIGH")]}
    import_feeds(tmp_path, server.db, ("nvd.json", nvd))
    got = {}
    for n, score, v2, _ in BANDS + [(5312, 6.9, False, None)]:
        r = server.get(f"/api/v1/vulns/CVE-2025-{n}")
        assert r.status_code == 200, r.text
        c = r.json()["cvss"]
        got[n] = (c["score"], c["version"], c["severity"])
    want = {n: (score, "2.0" if v2 else "3.1", sev) for n, score, v2, sev in BANDS}
    want[5312] = (6.9, "3.1", "HIGH")  # the feed's own severity is kept
    assert got == want


def test_priority_epss_and_kev_boundaries(server, tmp_path):
    org = make_org(server, "Prio", assets={"cidrs": [], "domains": [],
                                           "products": [widget("2.0")]})["id"]
    scores = {5401: "0.099996", 5402: "0.1", 5403: "0.0999999", 5404: "0.100001",
              5405: "0.10000", 5406: "0", 5407: "1"}
    nvd = {"vulnerabilities": [nvd_cve(n, {"criteria": widget("2.0")}, 5.0)
                               for n in list(scores) + [5408, 5409]]}
    epss = ("#model_version:v2025.03.14,score_date:2025-03-01T00:00:00+0000\n"
            "cve,epss,percentile\n" +
            "".join(f"CVE-2025-{n},{s},0.5\n" for n, s in scores.items()))
    kev = {"title": "t", "catalogVersion": "1", "dateReleased": "2025-03-01T00:00:00Z",
           "count": 1, "vulnerabilities": [{
               "cveID": "CVE-2025-5406", "vendorProject": "Acme", "product": "Widget",
               "vulnerabilityName": "n", "dateAdded": "2025-02-01", "shortDescription": "s",
               "requiredAction": "patch", "dueDate": "2025-02-22",
               "knownRansomwareCampaignUse": "Unknown", "notes": "", "cwes": []}]}
    import_feeds(tmp_path, server.db, ("nvd.json", nvd), ("epss.csv", epss), ("kev.json", kev))
    want = {5401: (2, 0.099996), 5402: (1, 0.1), 5403: (2, 0.0999999), 5404: (1, 0.100001),
            5405: (1, 0.1), 5406: (0, 0.0), 5407: (1, 1.0), 5408: (2, None), 5409: (2, None)}
    items = server.get(f"/api/v1/orgs/{org}/findings").json()["items"]
    got = {int(i["cve"][-4:]): (i["priority"], i["epss"] and i["epss"]["score"]) for i in items}
    assert got == want
    kev_item = [i for i in items if i["cve"] == "CVE-2025-5406"][0]["kev"]
    assert kev_item == {"dateAdded": "2025-02-01", "dueDate": "2025-02-22",
                        "knownRansomwareCampaignUse": False}, kev_item
    # the order: priority, then CVSS (equal here), then EPSS, then the newer CVE
    assert [int(i["cve"][-4:]) for i in items] == [5406, 5407, 5404, 5405, 5402, 5403, 5401,
                                                   5409, 5408]
    # the command line computes the same priorities
    p = run("vuln", "match", db=server.db)
    cli = {int(f["cve"][-4:]): f["priority"] for f in map(json.loads, p.stdout.splitlines())}
    assert cli == {n: w[0] for n, w in want.items()}


# ---- dates ----

def test_sightings_since_at_the_exact_second(server):
    make_org(server, "Ministry S", cidrs=["10.5.0.0/16"])
    r = server.post("/api/v1/indicators", {"value": "203.0.113.0/24"})
    assert r.status_code == 201, r.text
    post_events(server, [eve("2026-11-22T07:59:59Z", "10.5.0.1", "203.0.113.1"),
                         eve("2026-11-22T08:00:00.250+0000", "10.5.0.1", "203.0.113.2"),
                         eve("2026-11-22T09:00:01+01:00", "10.5.0.1", "203.0.113.3"),
                         eve("2026-11-22T08:00:01Z", "10.5.0.1", "203.0.113.4")])

    def since(q):
        r = server.get("/api/v1/sightings?since=" + q)
        assert r.status_code == 200, r.text
        return sorted((s["value"], s["seen"]) for s in r.json()["items"])

    every = since("2026-11-22T07:59:59Z")
    assert every == [("203.0.113.1", "2026-11-22T07:59:59Z"),
                     ("203.0.113.2", "2026-11-22T08:00:00Z"),
                     ("203.0.113.3", "2026-11-22T08:00:01Z"),
                     ("203.0.113.4", "2026-11-22T08:00:01Z")]
    assert since("2026-11-22T08:00:00Z") == every[1:]
    assert since("2026-11-22T09:00:00%2B01:00") == every[1:]  # the same instant
    assert since("2026-11-22T08:00:01Z") == every[2:]
    assert since("2026-11-22T08:00:02Z") == []
    assert since("2026-11-22") == every  # a date: from midnight UTC
    assert since("2026-11-23") == []
    for bad in ("yesterday", "2026-11-22T08:00:00", "2026-02-29", "2026-11-31T00:00:00Z",
                "2026-11-22T24:00:00Z", "2026-11-22T08:60:00Z", "2026-11-22T08:00:00+24:00"):
        error(server.get("/api/v1/sightings?since=" + bad), 400, "invalid", "since")


def test_time_fields_refused_with_their_name(server):
    for field, bad in (("expires", "2026-02-29T00:00:00Z"), ("expires", "2026-01-01T00:00:00"),
                       ("first_seen", "2026-04-31T00:00:00Z"), ("last_seen", "01/02/2026"),
                       ("expires", "2026-01-01T23:59:61Z")):
        r = server.post("/api/v1/indicators", {"value": "t.example", field: bad})
        error(r, 400, "invalid", "/" + field)
    # the edges that are valid: a leap day, the last second of a year, an offset
    r = server.post("/api/v1/indicators", {"value": "t.example",
                                           "first_seen": "2028-02-29T00:00:00Z",
                                           "last_seen": "2026-12-31T23:59:59Z",
                                           "expires": "2027-01-01T00:59:59+01:00"})
    assert r.status_code == 201, r.text
    got = r.json()
    assert (got["first_seen"], got["last_seen"], got["expires"]) == (
        "2028-02-29T00:00:00Z", "2026-12-31T23:59:59Z", "2026-12-31T23:59:59Z")
    # in bulk: the item and its field
    r = server.post("/api/v1/indicators", {"indicators": [
        {"value": "u.example"}, {"value": "v.example", "expires": "2026-13-01T00:00:00Z"}]})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["added"] == 1 and [(x["index"], x["field"]) for x in out["rejected"]] == [
        (1, "/indicators/1/expires")], out
    e = error(server.post("/api/v1/incidents", {"title": "t", "class": "malicious-code",
                                                 "type": "infected-system",
                                                 "occurred": "2026-06-31T00:00:00Z"}),
              400, "invalid", "/occurred")
    assert "occurred" in e["message"]


def test_findings_since_and_kev_dates(server, tmp_path):
    org = make_org(server, "Since", assets={"cidrs": [], "domains": [],
                                            "products": [widget("2.0")]})["id"]
    old = nvd_cve(5501, {"criteria": widget("2.0")}, 5.0)  # published 01-10, modified 01-15
    new = nvd_cve(5502, {"criteria": widget("2.0")}, 5.0)
    new["cve"]["published"] = new["cve"]["lastModified"] = "2025-02-01T00:00:00.000"
    kev = {"title": "t", "catalogVersion": "1", "dateReleased": "2025-03-01T00:00:00Z",
           "count": 3, "vulnerabilities": [
               {"cveID": f"CVE-2025-{n}", "vendorProject": "Acme", "product": "Widget",
                "vulnerabilityName": "n", "dateAdded": added, "shortDescription": "s",
                "requiredAction": "patch", "dueDate": due,
                "knownRansomwareCampaignUse": "Known", "notes": "", "cwes": []}
               for n, added, due in ((5501, "2025-02-01", "2025/02/22"),
                                     (5502, "2025-02-01", "2025-02-22"),
                                     (5501, "01-02-2025", "2025-02-22"))]}
    p = import_feeds(tmp_path, server.db, ("nvd.json", {"vulnerabilities": [old, new]}),
                     ("kev.json", kev))
    kev_file = str(tmp_path / "kev.json")
    assert f"{kev_file}: /vulnerabilities/0/dueDate:" in p.stderr, p.stderr
    assert f"{kev_file}: /vulnerabilities/2/dateAdded:" in p.stderr, p.stderr

    def since(q):
        r = server.get(f"/api/v1/orgs/{org}/findings?since={q}")
        assert r.status_code == 200, r.text
        return sorted((i["cve"], i["priority"]) for i in r.json()["items"])

    both = [("CVE-2025-5501", 2), ("CVE-2025-5502", 0)]
    assert since("2025-01-10") == both
    assert since("2025-01-15") == both  # modified that day
    assert since("2025-01-15T00:00:00.000") == both
    assert since("2025-01-15T00:00:00.001") == both[1:]
    assert since("2025-01-16") == both[1:]
    assert since("2025-02-01") == both[1:]
    assert since("2025-02-02") == []
    for bad in ("x", "202", "-2025-01-01"):
        error(server.get(f"/api/v1/orgs/{org}/findings?since={bad}"), 400, "invalid", "since")
    # the command line keeps the same ones
    out = run("vuln", "match", "--since", "2025-01-16", db=server.db).stdout
    assert [json.loads(l)["cve"] for l in out.splitlines()] == ["CVE-2025-5502"]


def test_events_without_time_are_seen_in_whole_seconds(server, tmp_path):
    """`seen` is in whole seconds (docs/API.md) also when it is the time of the request: with
    microseconds, "...:05.5Z" sorted before "...:05Z" and `since` at that very second left
    the sighting out."""
    import re
    make_org(server, "Ministry W", cidrs=["10.6.0.0/16"])
    r = server.post("/api/v1/indicators", {"value": "203.0.113.0/24"})
    assert r.status_code == 201, r.text
    post_events(server, [json.dumps({"src_ip": "10.6.0.1", "dest_ip": "203.0.113.1"}),
                         eve("not a time", "10.6.0.1", "203.0.113.2")])
    log = tmp_path / "eve.json"
    log.write_text(json.dumps({"src_ip": "10.6.0.1", "dest_ip": "203.0.113.3"}) + "\n")
    run("match", "--record", str(log), db=server.db)
    log.write_text("10.6.0.1 -> 203.0.113.4\n")
    run("match", "--record", "--format", "text", str(log), db=server.db)
    items = server.get("/api/v1/sightings").json()["items"]
    assert len(items) == 4, items
    for s in items:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", s["seen"]), s
        r = server.get("/api/v1/sightings?since=" + s["seen"])
        assert s["value"] in {x["value"] for x in r.json()["items"]}, (s, r.text)
    for a in server.get("/api/v1/alerts").json()["items"]:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", a["last_seen"]), a
