"""The public portal in Chromium (issue 14): the home with the demo's publications, the report
form sent accepted, redirected and with an error (everything typed still there), the honeypot
out of sight. Screenshots: portal-home, portal-report, portal-accepted, portal-redirected,
portal-report-error."""
import re

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.support.ui import Select

from conftest import By, Server, shot, wait_for

REDIRECT = "https://www.cybermalveillance.gouv.fr/"


@pytest.fixture
def portal(tmp_path):
    """The demo's server, its report form without the minimum fill time (one e2e test keeps
    it: test_web_portal.py)."""
    srv = Server(tmp_path / "vigie.db",
                 extra=["--report-rate", "100000", "--demo", "--report-min-seconds", "0"])
    yield srv
    rc, err = srv.stop()
    assert rc == 0, f"server exited {rc} on SIGTERM: {err[-3000:]}"


TYPED = {
    "reporter-name": "Camille Agent",
    "reporter-email": "camille@prefecture.example",
    "reporter-phone": "+33 3 20 00 00 00",
    "organisation-name": "Préfecture du Nord <b>",
    "title": "Rançongiciel \"LockBit\" sur le serveur RH",
    "description": "Fichiers chiffrés ce matin.\nNote de rançon sur chaque partage.",
    "observables": "185.220.101.7\nupdate-check.evil.example",
}


def fill(browser, kind, **over):
    values = {**TYPED, **over}
    for name, value in values.items():
        el = browser.find_element(By.ID, name)
        el.clear()
        el.send_keys(value)
    Select(browser.find_element(By.ID, "organisation-kind")).select_by_value(kind)
    return values


def gone(el):
    try:
        el.tag_name
        return False
    except StaleElementReferenceException:
        return True


def submit(browser):
    page = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.CSS_SELECTOR, "form.report button[type=submit]").click()
    wait_for(lambda: gone(page), what="the report's answer")
    wait_for(lambda: browser.execute_script("return document.readyState") == "complete",
             what="the answer to load")


def open_form(browser, srv):
    browser.get(srv.url + "/")
    browser.find_element(By.LINK_TEXT, "the report form").click()
    wait_for(lambda: browser.current_url == srv.url + "/report", what="the report form")


def test_home_shows_the_constituency_and_the_demos_publications(browser, portal):
    browser.get(portal.url + "/")
    assert browser.find_element(By.TAG_NAME, "h1").text
    served = browser.find_element(By.CSS_SELECTOR, "ul.constituency").text
    assert "Operators of vital importance (OIV)" in served
    alerts = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby=alerts]").text
    assert "FortiOS" in alerts and "VIGIE-" in alerts
    advisories = browser.find_element(By.CSS_SELECTOR,
                                      "section[aria-labelledby=advisories]").text
    assert "Citrix NetScaler" in advisories
    # the stylesheet is loaded: the skip link is off-screen until focused
    assert browser.find_element(By.CSS_SELECTOR, ".skip").rect["x"] < 0
    nav = browser.find_element(By.CSS_SELECTOR, "nav a[aria-current=page]")
    assert nav.text == "Home"
    shot(browser, "portal-home")
    # an alert's page and the feeds are one click away
    browser.find_element(By.PARTIAL_LINK_TEXT, "FortiOS").click()
    wait_for(lambda: "/advisories/VIGIE-" in browser.current_url, what="the alert's page")
    assert "FortiOS" in browser.page_source


def test_an_eligible_report_is_accepted(browser, portal):
    open_form(browser, portal)
    website = browser.find_element(By.ID, "website")
    assert website.rect["x"] < 0 and website.get_attribute("tabindex") == "-1"
    shot(browser, "portal-report")
    fill(browser, "public-agency")
    submit(browser)
    assert browser.find_element(By.TAG_NAME, "h1").text == "Report received"
    ref = browser.find_element(By.CSS_SELECTOR, "strong.ref").text
    assert re.fullmatch(r"VIG-\d{4}-\d{6}", ref)
    assert "What happens next" in browser.page_source
    shot(browser, "portal-accepted")
    inc = portal.get("/api/v1/incidents/" + ref).json()
    assert inc["title"] == TYPED["title"] and inc["description"] == TYPED["description"]
    assert inc["reporter"]["email"] == TYPED["reporter-email"]
    assert [o["value"] for o in inc["observables"]] == ["185.220.101.7",
                                                        "update-check.evil.example"]


def test_an_ineligible_report_is_redirected(browser, portal):
    before = len(portal.get("/api/v1/incidents").json()["items"])
    open_form(browser, portal)
    fill(browser, "sme")
    submit(browser)
    assert browser.find_element(By.TAG_NAME, "h1").text == "This CERT cannot take your report"
    link = browser.find_element(By.CSS_SELECTOR, "main a.redirect")
    assert link.get_attribute("href") == REDIRECT and link.text == REDIRECT
    shot(browser, "portal-redirected")
    assert len(portal.get("/api/v1/incidents").json()["items"]) == before


def test_an_error_keeps_everything_typed(browser, portal):
    before = len(portal.get("/api/v1/incidents").json()["items"])
    open_form(browser, portal)
    values = fill(browser, "ose", observables="185.220.101.7\n\nnot an observable!!")
    submit(browser)
    assert browser.find_element(By.TAG_NAME, "h1").text == "Report an incident"
    err = browser.find_element(By.ID, "observables-error")
    assert err.text.startswith("Line 3 is not an IP address")
    field = browser.find_element(By.ID, "observables")
    assert field.get_attribute("aria-describedby") == "observables-error"
    for name, value in values.items():
        assert browser.find_element(By.ID, name).get_attribute("value") == value, name
    assert Select(browser.find_element(By.ID, "organisation-kind")) \
        .first_selected_option.get_attribute("value") == "ose"
    shot(browser, "portal-report-error")
    # corrected, the same form goes through
    field.clear()
    field.send_keys("185.220.101.7")
    submit(browser)
    assert browser.find_element(By.TAG_NAME, "h1").text == "Report received"
    assert len(portal.get("/api/v1/incidents").json()["items"]) == before + 1


def test_the_script_filters_a_table_live(browser, portal, tmp_path):
    """vigie.js on a page of its own (the portal has no table; the console's lists use it):
    rows without the typed text are hidden, all come back when the box is emptied."""
    page = tmp_path / "filter.html"
    page.write_text(
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>t</title>"
        f"<script src='{portal.url}/static/vigie.js' defer></script></head><body>"
        "<label for=q>Filter</label><input type=search id=q data-filter-for=t>"
        "<table id=t><thead><tr><th scope=col>Ref</th></tr></thead><tbody>"
        "<tr><td>VIG-1 Phishing</td></tr><tr><td>VIG-2 Ransomware</td></tr>"
        "<tr><td>VIG-3 phishing kit</td></tr></tbody></table>"
        "<p id=t-filter-status></p></body></html>", encoding="utf-8")
    browser.get(page.as_uri())

    def visible():
        return [r.text for r in browser.find_elements(By.CSS_SELECTOR, "#t tbody tr")
                if r.is_displayed()]
    wait_for(lambda: browser.execute_script("return document.readyState") == "complete",
             what="the page")
    box = browser.find_element(By.ID, "q")
    box.send_keys("PHISH")
    wait_for(lambda: visible() == ["VIG-1 Phishing", "VIG-3 phishing kit"], what="the filter")
    assert browser.find_element(By.ID, "t-filter-status").text == "2 of 3 rows shown"
    assert browser.find_element(By.CSS_SELECTOR, "#t thead tr").is_displayed()
    box.send_keys("ing kit")
    wait_for(lambda: visible() == ["VIG-3 phishing kit"], what="a narrower filter")
    box.clear()
    box.send_keys(" ")
    wait_for(lambda: len(visible()) == 3, what="every row back")
