"""The console's login in a real browser: a wrong password is refused on the form with the
name kept; the right one opens a session whose cookie the page's scripts cannot read; logging
out ends it and the console sends the browser back to the login."""
from conftest import By, USER_PASSWORD, login, shot, wait_for


def test_wrong_password_keeps_the_name(web, browser):
    browser.get(web.url + "/console/login")
    browser.find_element(By.ID, "name").send_keys("dana")
    browser.find_element(By.ID, "password").send_keys("not the password")
    browser.find_element(By.CSS_SELECTOR, "form.login button[type=submit]").click()
    msg = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, ".error-message"),
                   what="the login error")
    assert "Wrong user name or password" in msg[0].text
    assert browser.find_element(By.ID, "name").get_attribute("value") == "dana"
    assert browser.find_element(By.ID, "password").get_attribute("value") == ""
    assert browser.get_cookie("vigie_session") is None
    shot(browser, "login-failed")


def test_session_cookie_is_http_only_and_strict(web, browser):
    login(browser, web, "dana", USER_PASSWORD)
    c = browser.get_cookie("vigie_session")
    assert c and c["httpOnly"] is True and c["sameSite"] == "Strict" and c["path"] == "/console"
    assert "vigie_session" not in browser.execute_script("return document.cookie")
