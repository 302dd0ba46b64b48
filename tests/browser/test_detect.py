"""Organisations and detection in a real browser: an analyst opens the directory, an
organisation, the indicators, sightings and alerts, escalates an alert and lands on its new
incident's page; a reader sees no escalate button. Screenshots of each page."""
import json
import re

from conftest import By, e2e, login, shot, wait_for


def seed(srv):
    org = e2e.make_org(srv, "Ministère de test", cidrs=["10.9.0.0/16"], domains=["test.example"],
                       contacts=[{"name": "Claire Martin", "email": "claire@test.example",
                                  "role": "RSSI"}])
    r = srv.post("/api/v1/indicators", {"indicators": [
        {"value": "198.18.0.0/24", "source": "feed-x", "tlp": "AMBER"},
        {"value": "evil.example", "source": "feed-y", "tlp": "GREEN"}]})
    assert r.status_code == 200, r.text
    lines = [json.dumps({"timestamp": "2026-11-21T08:00:00Z", "src_ip": "10.9.1.2",
                         "dest_ip": "198.18.0.5"}),
             json.dumps({"timestamp": "2026-11-21T09:00:00Z", "src_ip": "10.9.1.3",
                         "dest_ip": "100.64.0.1", "dns": {"rrname": "evil.example"}})]
    r = srv.req("POST", "/api/v1/events", data="\n".join(lines) + "\n",
                headers={"Content-Type": "application/x-ndjson"})
    assert r.status_code == 200 and r.json()["alerts"] == 2, r.text
    return org


def test_analyst_escalates_an_alert(web, browser):
    org = seed(web)
    login(browser, web, "dana")
    browser.get(web.url + "/console/orgs")
    link = wait_for(lambda: browser.find_elements(By.LINK_TEXT, "Ministère de test"),
                    what="the organisation in the directory")
    shot(browser, "orgs")
    link[0].click()
    wait_for(lambda: browser.current_url.endswith(f"/console/orgs/{org['id']}"),
             what="the organisation's page")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Ministère de test"
    assert "Claire Martin" in browser.find_element(By.CSS_SELECTOR, "table.contacts").text
    assert len(browser.find_elements(By.CSS_SELECTOR, "table.alerts tbody tr")) == 2
    shot(browser, "org")
    browser.get(web.url + "/console/indicators")
    assert len(browser.find_elements(By.CSS_SELECTOR, "table.indicators tbody tr")) == 2
    shot(browser, "indicators")
    browser.get(web.url + "/console/sightings")
    assert len(browser.find_elements(By.CSS_SELECTOR, "table.sightings tbody tr")) == 2
    shot(browser, "sightings")
    browser.get(web.url + "/console/alerts")
    buttons = browser.find_elements(By.CSS_SELECTOR, "button.escalate")
    assert len(buttons) == 2
    shot(browser, "alerts")
    row = buttons[0].find_element(By.XPATH, "ancestor::tr")
    alert_id = int(row.get_attribute("id").split("-")[1])
    buttons[0].click()
    wait_for(lambda: "/console/incidents/" in browser.current_url, what="the incident's page")
    m = re.search(r"/console/incidents/(VIG-\d{4}-\d{6})$", browser.current_url)
    assert m, browser.current_url
    alerts = web.get("/api/v1/alerts?status=escalated").json()["items"]
    assert [(a["id"], a["incident"]) for a in alerts] == [(alert_id, m.group(1))]
    inc = web.get(f"/api/v1/incidents/{m.group(1)}").json()
    assert inc["org"] == org["id"] and inc["created_by"] == "dana"
    # back on the alerts: the escalated one links to its incident, one button left
    browser.get(web.url + "/console/alerts")
    assert len(browser.find_elements(By.CSS_SELECTOR, "button.escalate")) == 1
    assert browser.find_elements(By.LINK_TEXT, m.group(1))


def test_reader_sees_no_escalate_button(web, browser):
    seed(web)
    login(browser, web, "rita")
    browser.get(web.url + "/console/alerts")
    assert len(browser.find_elements(By.CSS_SELECTOR, "table.alerts tbody tr")) == 2
    assert browser.find_elements(By.CSS_SELECTOR, "button.escalate") == []
    shot(browser, "alerts-reader")
