"""The console's dashboard in a real browser: after a login, its four charts are inline SVG
images the browser lays out at their size (the HTML parser gave `viewBox` its SVG case), each
bar a painted rectangle with its tooltip, each followed by its table; a legend entry leads to
the incident queue filtered on it. A screenshot is saved."""
import json
import os

from conftest import ROOT, By, e2e, login, shot

VULNDB = os.path.join(ROOT, "tests", "data", "vulndb")


def some_sightings_and_findings(srv):
    for i, n in enumerate((5, 3, 1)):
        value = f"seen{i}.example"
        r = srv.post("/api/v1/indicators", {"value": value, "tlp": "AMBER"})
        assert r.status_code == 201, r.text
        lines = [json.dumps({"dns": {"rrname": value}})] * n
        r = srv.req("POST", "/api/v1/events", data="\n".join(lines) + "\n")
        assert r.status_code == 200 and r.json()["sightings"] == n, r.text
    e2e.make_org(srv, "Dashboard ministry", assets={"cidrs": [], "domains": [], "products": [
        "cpe:2.3:a:apache:http_server:2.4.41:*:*:*:*:*:*:*"]})
    e2e.run("vuln", "import", os.path.join(VULNDB, "nvd-a.json"),
            os.path.join(VULNDB, "kev.json"), os.path.join(VULNDB, "epss.csv"), db=srv.db)
    e2e.run("vuln", "match", db=srv.db)


def test_dashboard_charts(web, browser):
    # the demo's incidents, plus one of each severity still open, sightings and findings
    for sev in ("low", "medium", "high", "critical"):
        e2e.make_incident(web, severity=sev)
    some_sightings_and_findings(web)
    login(browser, web, "rita")
    browser.get(web.url + "/console/")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Dashboard"
    charts = browser.find_elements(By.CSS_SELECTOR, "main svg[role=img]")
    assert len(charts) == 4
    for svg in charts:
        assert svg.get_dom_attribute("viewBox").startswith("0 0 640 ")
        size = svg.size
        assert size["width"] >= 300 and size["height"] >= 60, size
        assert svg.get_attribute("aria-label")
        rects = svg.find_elements(By.TAG_NAME, "rect")
        assert rects and all(r.size["width"] > 0 and r.size["height"] > 0 for r in rects)
    # a table after each chart, the same bars as rows
    bars = charts[1].find_elements(By.TAG_NAME, "rect")
    rows = browser.find_elements(By.CSS_SELECTOR, "#table-open tbody tr")
    assert len(bars) == 4 and len(rows) == 5  # four severities and the total
    top = browser.find_elements(By.CSS_SELECTOR, "#table-top tbody tr")
    assert [r.find_elements(By.TAG_NAME, "td")[2].text for r in top][:3] == \
        ["seen0.example", "seen1.example", "seen2.example"]
    shot(browser, "dashboard")
    # the legend leads to the filtered queue
    link = browser.find_element(By.CSS_SELECTOR, "#open ul.legend a[href$='severity=critical']")
    assert link.text == "critical"
    link.click()
    assert browser.current_url.endswith("/console/incidents?severity=critical")
