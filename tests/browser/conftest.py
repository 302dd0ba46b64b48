"""Fixtures for the browser tests (issue 14): Debian's chromium driven by chromedriver through
python3-selenium, headless, with a fresh profile and no network beyond loopback, against the
real server (tests/e2e/conftest.py's Server) on 127.0.0.1.

Screenshots of the main pages are saved as test artefacts (not committed) under
$VIGIE_ARTEFACTS, build/artefacts by default: shot(driver, name)."""
import importlib.util
import os
import sys
import tempfile

import pytest

# the end-to-end tests' fixtures and helpers, loaded under a name of their own
_spec = importlib.util.spec_from_file_location(
    "vigie_e2e_conftest",
    os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "e2e",
                 "conftest.py"))
e2e = importlib.util.module_from_spec(_spec)
sys.modules["vigie_e2e_conftest"] = e2e
_spec.loader.exec_module(e2e)
ROOT, USER_PASSWORD, Server = e2e.ROOT, e2e.USER_PASSWORD, e2e.Server
add_user, wait_for, web_login, csrf_of = e2e.add_user, e2e.wait_for, e2e.web_login, e2e.csrf_of

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.common.exceptions import (StaleElementReferenceException,  # noqa: E402
                                        WebDriverException)
from selenium.webdriver.common.by import By  # noqa: E402,F401

ARTEFACTS = os.environ.get("VIGIE_ARTEFACTS", os.path.join(ROOT, "build", "artefacts"))
CHROMIUM = os.environ.get("VIGIE_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("VIGIE_CHROMEDRIVER", "/usr/bin/chromedriver")


@pytest.fixture(scope="module")
def driver():
    """One headless Chromium per test module (a fresh profile; cookies cleared per test by
    the `browser` fixture)."""
    profile = tempfile.mkdtemp(prefix="vigie-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              f"--user-data-dir={profile}", "--window-size=1280,1024",
              "--no-first-run", "--disable-extensions", "--disable-background-networking",
              "--disable-sync", "--disable-component-update",
              # nothing but loopback: any other host fails to resolve
              "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"):
        opts.add_argument(a)
    d = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    d.set_page_load_timeout(60)
    yield d
    d.quit()


@pytest.fixture
def browser(driver):
    driver.delete_all_cookies()
    yield driver
    driver.delete_all_cookies()


@pytest.fixture
def web(tmp_path):
    """A server with the demo data and an analyst "dana" and a reader "rita" (password
    USER_PASSWORD)."""
    srv = Server(tmp_path / "vigie.db", extra=["--report-rate", "100000", "--demo"])
    add_user(srv, "dana", "analyst")
    add_user(srv, "rita", "reader")
    yield srv
    rc, err = srv.stop()
    assert rc == 0, f"server exited {rc} on SIGTERM: {err[-3000:]}"


def text_of(driver, css):
    """The text of the first element css selects; "" when there is none or while the page is
    being replaced (an element found then read after a navigation is stale; Chromium may also
    say that its node "does not belong to the document", as in a CI run of 2026-12-06)."""
    try:
        found = driver.find_elements(By.CSS_SELECTOR, css)
        return found[0].text if found else ""
    except StaleElementReferenceException:
        return ""
    except WebDriverException as e:
        if "does not belong to the document" in str(e):
            return ""
        raise


def shot(driver, name):
    """Saves a screenshot of the page as a test artefact."""
    os.makedirs(ARTEFACTS, exist_ok=True)
    driver.save_screenshot(os.path.join(ARTEFACTS, name + ".png"))


def login(driver, srv, name, password=USER_PASSWORD):
    """Logs in through the console's login form; returns on the console's home."""
    driver.get(srv.url + "/console/login")
    driver.find_element(By.ID, "name").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form.login button[type=submit]").click()
    wait_for(lambda: "/console/login" not in driver.current_url, what="the login to finish")
