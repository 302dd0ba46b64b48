"""The console's incidents in a real browser (issue 14): a form whose CSRF token was tampered
with is refused ("Form expired"); an incident created through the form and walked through its
lifecycle to closed; an observable added that relates another incident; a playbook step
ticked; after logging out the console sends the browser to its login. Screenshots of the queue
and the incident page."""
from selenium.webdriver.support.ui import Select

from conftest import By, USER_PASSWORD, login, shot, text_of, wait_for


def status_of(srv, ref):
    return srv.get("/api/v1/incidents/" + ref).json()["status"]


def test_a_tampered_csrf_token_is_refused(web, browser):
    login(browser, web, "dana", USER_PASSWORD)
    browser.get(web.url + "/console/incidents/new")
    browser.find_element(By.ID, "title").send_keys("should not exist")
    Select(browser.find_element(By.ID, "class")).select_by_value("fraud")
    Select(browser.find_element(By.ID, "type")).select_by_value("phishing")
    before = len(web.get("/api/v1/incidents?limit=500").json()["items"])
    browser.execute_script(
        "document.querySelector('main form input[name=csrf]').value = '0'.repeat(64);")
    browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    wait_for(lambda: "Form expired" in text_of(browser, "h1"),
             what="the Form expired page")
    assert len(web.get("/api/v1/incidents?limit=500").json()["items"]) == before
    shot(browser, "incident-csrf-refused")


def test_create_walk_relate_tick_and_log_out(web, browser):
    login(browser, web, "dana", USER_PASSWORD)
    browser.get(web.url + "/console/incidents")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Incidents"
    shot(browser, "incident-queue")
    browser.find_element(By.LINK_TEXT, "New incident").click()
    wait_for(lambda: browser.current_url.endswith("/console/incidents/new"), what="the form")
    browser.find_element(By.ID, "title").send_keys("Phishing wave at the ministry")
    Select(browser.find_element(By.ID, "class")).select_by_value("fraud")
    Select(browser.find_element(By.ID, "type")).select_by_value("phishing")
    Select(browser.find_element(By.ID, "severity")).select_by_value("high")
    browser.find_element(By.ID, "description").send_keys("Mails with a fake login page.")
    browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    wait_for(lambda: "/console/incidents/VIG-" in browser.current_url, what="the new incident")
    ref = browser.current_url.rsplit("/", 1)[1]
    assert browser.find_element(By.TAG_NAME, "h1").text == ref + ": Phishing wave at the ministry"
    # the TLP badge comes first
    assert browser.find_element(By.CSS_SELECTOR, "main p.meta > span").text == "TLP:AMBER"

    # through the lifecycle to closed, one button at a time
    for nxt in ("triage", "analysis", "containment", "eradication", "recovery", "closed"):
        buttons = browser.find_elements(By.CSS_SELECTOR, "p.transitions button")
        assert nxt in [b.get_attribute("value") for b in buttons]
        [b for b in buttons if b.get_attribute("value") == nxt][0].click()
        wait_for(lambda: text_of(browser, "strong.status") == nxt,
                 what="status " + nxt)
        assert status_of(web, ref) == nxt
    assert [b.get_attribute("value")
            for b in browser.find_elements(By.CSS_SELECTOR, "p.transitions button")] == ["triage"]

    # another incident with an observable; adding it here relates them
    r = web.post("/api/v1/incidents", {"title": "Same phishing kit", "class": "fraud",
                                       "type": "phishing",
                                       "observables": [{"value": "login-ministry.example.net"}]})
    assert r.status_code == 201, r.text
    other = r.json()["ref"]
    browser.find_element(By.ID, "value").send_keys("https://LOGIN-ministry.example.net/x")
    browser.find_element(By.XPATH, "//button[text()='Add the observable']").click()
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "table.observables code"),
             what="the observable")
    browser.find_element(By.ID, "value").send_keys("login-ministry.example.net")
    browser.find_element(By.XPATH, "//button[text()='Add the observable']").click()
    wait_for(lambda: browser.find_elements(By.LINK_TEXT, other), what="the related incident")
    rows = browser.find_elements(By.CSS_SELECTOR, "table.observables tbody tr")
    assert [r.find_elements(By.TAG_NAME, "td")[1].text for r in rows] == ["url", "domain-name"]
    related = browser.find_element(By.CSS_SELECTOR, "table.related")
    assert "login-ministry.example.net" in related.text and "Same phishing kit" in related.text

    # tick the first playbook step
    first = browser.find_element(By.CSS_SELECTOR, "ol.steps li")
    assert "To do" in first.text
    first.find_element(By.TAG_NAME, "button").click()
    wait_for(lambda: "Done" in text_of(browser, "ol.steps li"),
             what="the step done")
    steps = web.get("/api/v1/incidents/" + ref).json()["steps"]
    assert steps[0]["done"] is True and steps[0]["done_by"] == "dana"
    shot(browser, "incident-page")

    # log out: the console sends the browser to its login page
    browser.find_element(By.XPATH, "//button[text()='Log out']").click()
    wait_for(lambda: "/console/login" in browser.current_url, what="the login page")
    browser.get(web.url + "/console/incidents/" + ref)
    wait_for(lambda: "/console/login" in browser.current_url, what="the refusal")
    assert "Phishing wave" not in browser.page_source
    assert browser.get_cookie("vigie_session") is None
