"""The advisories editor in a real browser (issue 14): dana drafts an avis through the form and
submits it for review, tries to publish it herself and is refused (four eyes), another analyst
publishes it, and it appears on the public /advisories/ page. Screenshots of the list, the
editor and the preview."""
import re

from selenium.webdriver.support.ui import Select

from conftest import By, add_user, login, shot, text_of, wait_for

TITLE = "Vulnérabilité dans Example Gateway"


def button(driver, text):
    return driver.find_element(By.XPATH, f"//button[normalize-space()='{text}']")


def test_draft_submit_four_eyes_publish(web, browser):
    d = browser
    add_user(web, "eve", "analyst")
    login(d, web, "dana")
    d.get(web.url + "/console/advisories")
    assert "No advisory yet." in d.page_source or "VIGIE-" in d.page_source
    d.find_element(By.LINK_TEXT, "New advisory").click()
    wait_for(lambda: d.current_url.endswith("/console/advisories/new"), what="the draft form")

    Select(d.find_element(By.ID, "kind")).select_by_value("avis")
    d.find_element(By.ID, "title").send_keys(TITLE)
    Select(d.find_element(By.ID, "tlp")).select_by_value("CLEAR")
    Select(d.find_element(By.ID, "lang")).select_by_value("fr")
    d.find_element(By.ID, "risks-0").click()  # remote code execution
    d.find_element(By.ID, "affected_systems").send_keys(
        "Example | Gateway | < 3.2.1 | 3.2.1 | cpe:2.3:a:example:gateway:*:*:*:*:*:*:*:*")
    d.find_element(By.ID, "cves").send_keys("CVE-2026-1234 9.8 "
                                            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
    d.find_element(By.ID, "summary").send_keys("Une vulnérabilité **critique**.")
    d.find_element(By.ID, "solution").send_keys("Mettre à jour en 3.2.1.")
    # a bad reference first: the form comes back with the error beside it, all typed kept
    d.find_element(By.ID, "references").send_keys("ftp://example.org/sa")
    button(d, "Create the draft").click()
    wait_for(lambda: d.find_elements(By.ID, "references-error"), what="the error")
    assert d.find_element(By.ID, "references-error").text == \
        "/references/0 must be an http or https URL (line 1)"
    assert d.find_element(By.ID, "title").get_attribute("value") == TITLE
    assert d.find_element(By.ID, "risks-0").is_selected()
    assert "CVE-2026-1234 9.8" in d.find_element(By.ID, "cves").get_attribute("value")
    ta = d.find_element(By.ID, "references")
    ta.clear()
    ta.send_keys("https://example.org/sa-1")
    button(d, "Create the draft").click()
    wait_for(lambda: re.search(r"/console/advisories/VIGIE-\d{4}-AVI-\d{4}$", d.current_url),
             what="the advisory's page")
    ref = d.current_url.rsplit("/", 1)[1]
    assert d.find_element(By.CSS_SELECTOR, "p.meta .tlp").text == "TLP:CLEAR"
    shot(d, "advisories-editor")

    button(d, "Submit for review").click()
    wait_for(lambda: d.find_elements(By.XPATH, "//button[normalize-space()='Publish']"),
             what="the publish button")
    assert d.find_element(By.CSS_SELECTOR, "p.meta .badge").text == "review"
    assert not d.find_elements(By.XPATH, "//button[normalize-space()='Submit for review']")
    # dana wrote it: she may not publish it
    button(d, "Publish").click()
    wait_for(lambda: d.find_elements(By.CSS_SELECTOR, "p.error-message"), what="the refusal")
    assert d.find_element(By.CSS_SELECTOR, "p.error-message").text == (
        f"four eyes: dana wrote this text of {ref} (authors: dana); another analyst must "
        "publish it")
    assert d.find_element(By.CSS_SELECTOR, "p.meta .badge").text == "review"

    d.get(web.url + f"/console/advisories/{ref}/preview")
    assert "Preview, not published." in d.find_element(By.CSS_SELECTOR, "[role=note]").text
    assert d.find_element(By.TAG_NAME, "h1").text.endswith(TITLE)
    assert d.find_element(By.CSS_SELECTOR, "main strong").text == "critique"
    shot(d, "advisories-preview")
    d.get(web.url + "/console/advisories")
    assert ref in d.page_source
    shot(d, "advisories-list")

    # eve publishes it
    d.delete_all_cookies()
    login(d, web, "eve")
    d.get(web.url + f"/console/advisories/{ref}")
    button(d, "Publish").click()
    wait_for(lambda: text_of(d, "p.meta .badge") == "published",
             what="the publication")
    assert "Version initiale" in d.find_element(By.TAG_NAME, "table").text
    assert d.find_elements(By.XPATH, "//button[normalize-space()='Revise']")

    # the public site lists it and shows it
    d.delete_all_cookies()
    d.get(web.url + "/advisories/")
    row = d.find_element(By.XPATH, f"//tr[th/a[normalize-space()='{ref}']]")
    assert TITLE in row.text
    row.find_element(By.LINK_TEXT, ref).click()
    wait_for(lambda: d.current_url.rstrip("/").endswith(f"/advisories/{ref}"),
             what="the public page")
    assert TITLE in d.find_element(By.TAG_NAME, "h1").text
    assert not d.find_elements(By.CSS_SELECTOR, "[role=note]")
