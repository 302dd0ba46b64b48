"""End-to-end tests of the statistics (GET /api/v1/stats) and of the console's dashboard
(GET /console/): on random data made through the API (incidents of random classes and
severities walked through the lifecycle, indicators seen in events, findings of the watch),
the numbers in the dashboard's tables equal the API's, which equal what the test counts
itself; empty states; the page is valid HTML with its charts as accessible inline SVG."""
import json
import os
import random
import re

import html5lib
import lxml.html
import pytest

from conftest import ROOT, add_user, make_org, run, web_login

VULNDB = os.path.join(ROOT, "tests", "data", "vulndb")
SEVERITIES = ["low", "medium", "high", "critical"]
# each path a walk of the lifecycle (core/lifecycle.c) from "new"
PATHS = [
    [],
    ["triage"],
    ["rejected"],
    ["triage", "analysis"],
    ["triage", "closed"],
    ["triage", "rejected"],
    ["triage", "analysis", "containment", "eradication", "recovery", "closed"],
    ["triage", "analysis", "closed", "triage"],
    ["triage", "analysis", "closed", "triage", "closed"],
]


def classes(server):
    r = server.get("/api/v1/taxonomy")
    assert r.status_code == 200
    return [(c["class"], c["types"][0]) for c in r.json()["classes"]]


def tables(html):
    """{table id: [[cell text, ...] per row of its tbody]} and {table id: [header data-key]}."""
    doc = lxml.html.fromstring(html)
    rows, heads = {}, {}
    for t in doc.xpath("//table[@id]"):
        heads[t.get("id")] = [th.get("data-key") for th in t.xpath("./thead/tr/th")]
        rows[t.get("id")] = [[c.text_content().strip() for c in tr.xpath("./th|./td")]
                             for tr in t.xpath("./tbody/tr")]
    return doc, rows, heads


def html5_errors(html):
    p = html5lib.HTMLParser(strict=False, namespaceHTMLElements=False)
    p.parse(html)
    return p.errors


def fill(server, rng):
    """Random incidents, sightings and findings; returns what the test expects."""
    cls = classes(server)
    expect_open = {s: 0 for s in SEVERITIES}
    expect_class = {}
    triaged = closed = 0
    for _ in range(rng.randint(25, 45)):
        name, typ = rng.choice(cls)
        sev = rng.choice(SEVERITIES)
        r = server.post("/api/v1/incidents", {"title": "t", "class": name, "type": typ,
                                              "severity": sev})
        assert r.status_code == 201, r.text
        ref = r.json()["ref"]
        path = rng.choice(PATHS)
        for st in path:
            r = server.patch(f"/api/v1/incidents/{ref}", {"status": st})
            assert r.status_code == 200, (path, st, r.text)
        if rng.random() < 0.2:  # reclassified: counted in its new class only
            name, typ = rng.choice(cls)
            r = server.patch(f"/api/v1/incidents/{ref}", {"class": name, "type": typ})
            assert r.status_code == 200, r.text
        if rng.random() < 0.2:  # its severity changed: counted in the new one only
            sev = rng.choice(SEVERITIES)
            r = server.patch(f"/api/v1/incidents/{ref}", {"severity": sev})
            assert r.status_code == 200, r.text
        final = path[-1] if path else "new"
        if final not in ("closed", "rejected"):
            expect_open[sev] += 1
        expect_class[name] = expect_class.get(name, 0) + 1
        triaged += 1 if path else 0
        closed += 1 if "closed" in path else 0
    # indicators seen a random number of times each
    sightings = {}
    for i in range(rng.randint(3, 14)):
        value = f"bad{i}.example"
        r = server.post("/api/v1/indicators", {"value": value, "tlp": rng.choice(
            ["CLEAR", "GREEN", "AMBER", "RED"])})
        assert r.status_code == 201, r.text
        n = rng.randint(1, 6)
        lines = [json.dumps({"timestamp": "2026-01-02T03:04:05Z", "dns": {"rrname": value}})
                 for _ in range(n)]
        r = server.req("POST", "/api/v1/events", data="\n".join(lines) + "\n")
        assert r.status_code == 200 and r.json()["sightings"] == n, r.text
        sightings[value] = n
    # findings: the watch's test data against two organisations' products
    make_org(server, "Ministry A", assets={"cidrs": [], "domains": [], "products": [
        "cpe:2.3:a:apache:http_server:2.4.41:*:*:*:*:*:*:*",
        "cpe:2.3:a:acme:gadget:1.9:*:*:*:*:*:*:*",
        "cpe:2.3:a:acme:widget:1.0:*:*:*:*:*:*:*"]})
    make_org(server, "Agency B", kind="public-agency", assets={"cidrs": [], "domains": [],
             "products": ["cpe:2.3:a:apache:http_server:2.2.0:*:*:*:*:*:*:*"]})
    run("vuln", "import", os.path.join(VULNDB, "nvd-a.json"), os.path.join(VULNDB, "kev.json"),
        os.path.join(VULNDB, "epss.csv"), db=server.db)
    found = [json.loads(l) for l in run("vuln", "match", db=server.db).stdout.splitlines()
             if l.strip()]
    tiers = [0, 0, 0]
    for f in found:
        tiers[f["priority"]] += 1
    return {"open": expect_open, "class": expect_class, "triaged": triaged, "closed": closed,
            "sightings": sightings, "tiers": tiers}


def test_dashboard_equals_api_on_random_data(server):
    seed = int(os.environ.get("VIGIE_TEST_SEED", random.randrange(1 << 30)))
    print("seed", seed)
    rng = random.Random(seed)
    exp = fill(server, rng)
    add_user(server, "rita", "reader")
    reader = server.token("rita", "reader")
    r = server.get("/api/v1/stats", token=reader)
    assert r.status_code == 200, r.text
    api = r.json()

    # the API against what was made (everything was created today: the current week)
    assert len(api["weeks"]) == 12
    assert api["weeks"][-1]["classes"] == exp["class"]
    assert api["weeks"][-1]["total"] == sum(exp["class"].values())
    assert all(w["total"] == 0 for w in api["weeks"][:-1])
    assert api["open"]["by_severity"] == exp["open"]
    assert api["open"]["total"] == sum(exp["open"].values())
    assert api["times"]["triage"]["count"] == exp["triaged"]
    assert api["times"]["close"]["count"] == exp["closed"]
    assert api["times"]["window_days"] == 90
    top = sorted(exp["sightings"].items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    assert [(t["value"], t["sightings"]) for t in api["top_indicators"]] == top
    assert [p["count"] for p in api["findings"]["by_priority"]] == exp["tiers"]
    assert api["findings"]["total"] == sum(exp["tiers"]) > 0

    # the page against the API
    s = web_login(server, "rita")
    page = s.get(server.url + "/console/")
    assert page.status_code == 200
    assert html5_errors(page.text) == []
    doc, rows, heads = tables(page.text)

    weeks = rows["table-weeks"]
    keys = heads["table-weeks"]
    assert keys[:2] == ["week", "start"] and keys[-1] == "total"
    assert set(keys[2:-1]) == set(exp["class"])
    assert [r[0] for r in weeks] == [w["week"] for w in api["weeks"]]
    assert [r[1] for r in weeks] == [w["start"] for w in api["weeks"]]
    for row, w in zip(weeks, api["weeks"]):
        got = {k: int(v) for k, v in zip(keys[2:-1], row[2:-1])}
        assert {k: v for k, v in got.items() if v} == w["classes"]
        assert int(row[-1]) == w["total"]

    open_rows = {tr.get("data-key"): int(tr.xpath("./td")[0].text_content())
                 for tr in doc.xpath('//table[@id="table-open"]/tbody/tr')}
    assert open_rows == {**api["open"]["by_severity"], "total": api["open"]["total"]}

    times = {tr.get("data-key"): tr for tr in doc.xpath('//table[@id="table-times"]/tbody/tr')}
    for key in ("triage", "close"):
        m = api["times"][key]
        cells = times[key].xpath("./td")
        assert int(cells[1].text_content()) == m["count"]
        if m["median_seconds"] is None:
            assert cells[0].text_content() == "no incident in the window"
        else:
            assert float(cells[0].get("data-seconds")) == pytest.approx(m["median_seconds"],
                                                                        abs=0.05)
            text = cells[0].text_content()
            unit = "hours" if m["median_seconds"] < 2 * 86400 else "days"
            div = 3600 if unit == "hours" else 86400
            assert text == f"{m['median_seconds'] / div:.1f} {unit}"

    top_rows = rows["table-top"]
    assert [(r[2], int(r[3])) for r in top_rows] == \
        [(t["value"], t["sightings"]) for t in api["top_indicators"]]
    assert [r[0] for r in top_rows] == ["TLP:" + t["tlp"].upper() for t in api["top_indicators"]]
    assert [r[1] for r in top_rows] == [t["type"] for t in api["top_indicators"]]

    f_rows = {tr.get("data-key"): int(tr.xpath("./td")[0].text_content())
              for tr in doc.xpath('//table[@id="table-findings"]/tbody/tr')}
    assert f_rows == {**{p["name"]: p["count"] for p in api["findings"]["by_priority"]},
                      "total": api["findings"]["total"]}

    # each chart: an accessible inline SVG; legends link to the filtered queue
    svgs = doc.xpath("//svg[@role='img']")
    assert len(svgs) == 4
    for svg in svgs:
        assert svg.get("aria-label") and svg.xpath("./title")[0].text == svg.get("aria-label")
    assert 'viewbox="0 0 640 260"' in page.text  # the parser gives it its SVG case
    links = doc.xpath('//section[@id="open"]//ul[@class="legend"]//a/@href')
    assert links == [f"/console/incidents?severity={s}" for s in reversed(SEVERITIES)]
    class_links = doc.xpath('//section[@id="weeks"]//ul[@class="legend"]//a/@href')
    assert sorted(class_links) == sorted(f"/console/incidents?class={c}" for c in exp["class"])
    # the stacked bars: one rect per (week, class) with incidents, its height in proportion
    rects = doc.xpath('//section[@id="weeks"]//svg[@role="img"]//rect')
    assert len(rects) == len(exp["class"])
    # the plot is 210 high (the chart's 260 less its margins of 10 and 40, web/svg.c); each
    # rect is its value's share of the column's total (all here: one week), at least 1 high
    plot_h, total = 260 - 10 - 40, sum(exp["class"].values())
    for r in rects:
        v, h = int(r.xpath("./title")[0].text.rsplit(": ", 1)[1]), int(r.get("height"))
        assert abs(h - v * plot_h / total) < 1 or h == 1, (v, h, total)
    assert plot_h <= sum(int(r.get("height")) for r in rects) <= plot_h + len(rects)


def test_empty_dashboard(server):
    add_user(server, "rita", "reader")
    r = server.get("/api/v1/stats")
    assert r.status_code == 200
    api = r.json()
    assert [w["total"] for w in api["weeks"]] == [0] * 12
    assert api["open"] == {"total": 0, "by_severity": {s: 0 for s in SEVERITIES}}
    assert api["times"]["triage"] == {"median_seconds": None, "count": 0}
    assert api["times"]["close"] == {"median_seconds": None, "count": 0}
    assert api["top_indicators"] == []
    assert api["findings"]["total"] == 0
    s = web_login(server, "rita")
    page = s.get(server.url + "/console/")
    assert page.status_code == 200
    assert html5_errors(page.text) == []
    doc, rows, _ = tables(page.text)
    empties = [p.text_content() for p in doc.xpath('//p[@class="empty"]')]
    assert empties == [
        "No incidents were created in the last 12 weeks.",
        "No open incidents: every incident is closed or rejected.",
        "No sightings recorded yet.",
        "No findings: no asset of the constituency meets a known vulnerability. "
        "Organisations and their assets",
    ]
    assert doc.xpath("//svg[@role='img']") == []
    assert set(rows) == {"table-times"}
    assert [r[1] for r in rows["table-times"]] == ["no incident in the window"] * 2


def test_stats_roles_and_session(server):
    """A reader may read the statistics; no token: 401; the dashboard without a session
    redirects to the login."""
    add_user(server, "rita", "reader")
    assert server.get("/api/v1/stats", token=server.token("rita", "reader")).status_code == 200
    assert server.get("/api/v1/stats", token="").status_code == 401
    r = server.s.get(server.url + "/console/", allow_redirects=False)
    assert r.status_code == 303
    assert r.headers["Location"].startswith("/console/login")


def test_values_shown_inert(server):
    """An indicator's value is outside data: shown escaped in the chart and the table."""
    evil = "http://x.example/<script>alert(1)</script>"
    r = server.post("/api/v1/indicators", {"value": evil, "type": "url", "tlp": "RED"})
    assert r.status_code == 201, r.text
    stored = r.json()["value"]
    r = server.req("POST", "/api/v1/events",
                   data=json.dumps({"http": {"url": stored}, "url": stored}) + "\n")
    assert r.status_code == 200 and r.json()["sightings"] >= 1, r.text
    add_user(server, "rita", "reader")
    page = web_login(server, "rita").get(server.url + "/console/").text
    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page
    doc, rows, _ = tables(page)
    assert rows["table-top"][0][2] == stored
    assert rows["table-top"][0][0] == "TLP:RED"
