"""The web pages in a real headless browser (Debian's Chromium driven through chromedriver by
Selenium) against a real server: ledger → dossier → article clicks, charts drawn, the ingest
form, hostile article text that must never execute, and no request leaving the server.
Screenshots of every page go to test-artifacts/ (or $MATERIEL_ARTIFACTS) to be looked at."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

import pytest

from materiel.assess.update import assess
from materiel.extract.extractor import shared_extractor
from materiel.model import Article
from support import Server, filled, headless_chromium

ARTIFACTS = Path(os.environ.get("MATERIEL_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts"))
TOKEN = "page-test-token-0123456789"
PAYLOAD = "window.__pwned = (window.__pwned || 0) + 1"
HOSTILE = Article(
    id="hostile-<b>1</b>",
    title=f"Iran ships drones <script>{PAYLOAD}</script><img src=x onerror=\"{PAYLOAD}\">",
    text=(f"Iran has delivered 300 Shahed-136 drones to Russia, U.S. officials said. <script>{PAYLOAD}</script>\n"
          f"The shipment <img src=x onerror=\"{PAYLOAD}\"> was described as [a link](javascript:{PAYLOAD}) by "
          f"officials. \"><svg onload=\"{PAYLOAD}\">"),
    url=f"javascript:{PAYLOAD}", outlet=f"<i onmouseover=\"{PAYLOAD}\">Evil Times</i>", published="2024-05-02")


@pytest.fixture(scope="module")
def site(tmp_path_factory, results):
    db = tmp_path_factory.mktemp("pages") / "ledger.db"
    with filled(db, results) as store:
        hostile = shared_extractor().extract(HOSTILE)
        assert hostile.events, "the hostile article must yield an event so it reaches every page"
        store.add(hostile)
        assess(store)
    server = Server(db, env={"MATERIEL_TOKEN": TOKEN})
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    driver = headless_chromium(1280, record_csp=False)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


def settle(driver) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")


def follow(driver, element) -> None:
    """Click something that loads a new page and wait until the new page has loaded."""
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    old = driver.find_element("tag name", "html")
    element.click()
    WebDriverWait(driver, 60).until(expected_conditions.staleness_of(old))
    settle(driver)


def check_safe(driver, server: Server, page: str) -> None:
    """Nothing from the article ran, no dialog opened, and every resource came from the server."""
    from selenium.common.exceptions import NoAlertPresentException

    assert driver.execute_script("return window.__pwned") is None, f"article text executed on {page}"
    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert.text  # noqa: B018
    resources = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    outside = [r for r in resources if urlparse(r).netloc not in ("", urlparse(server.url).netloc)]
    assert not outside, f"{page} requested {outside}"
    driver.save_screenshot(str(ARTIFACTS / f"{page}.png"))


def test_ledger_to_dossier_to_article(site, browser):
    from selenium.webdriver.common.by import By

    browser.get(site.url + "/")
    settle(browser)
    rows = browser.find_elements(By.CSS_SELECTOR, "#ledger tbody tr")
    assert len(rows) > 10
    check_safe(browser, site, "ledger")
    follow(browser, browser.find_element(By.CSS_SELECTOR, "th a[href*='sort=origins']"))  # largest first
    assert "sort=origins" in browser.current_url
    origins = [int(td.text) for td in browser.find_elements(By.CSS_SELECTOR, "#ledger tbody tr td:nth-child(7)")]
    assert origins == sorted(origins, reverse=True)
    follow(browser, browser.find_element(By.CSS_SELECTOR, "#ledger tbody tr a.dossier-link"))
    assert "/assessments/" in browser.current_url
    assert "How the grade was reached" in browser.page_source
    browser.find_element(By.CSS_SELECTOR, "#timeline .main-svg")  # Plotly drew the timeline
    assert browser.find_elements(By.CSS_SELECTOR, ".claim .hl-evidence")
    check_safe(browser, site, "dossier")
    follow(browser, browser.find_element(By.CSS_SELECTOR, ".claim a.article-link"))
    assert "/articles/" in browser.current_url
    for kind in ("evidence", "party", "item"):
        assert browser.find_elements(By.CSS_SELECTOR, f".article-text .hl-{kind}, h1 .hl-{kind}"), kind
    check_safe(browser, site, "article")
    browser.find_element(By.CSS_SELECTOR, "[data-events]").click()
    assert "#event-" in browser.current_url
    assert browser.find_element(By.CSS_SELECTOR, ".events li:target a.dossier-link")


def test_filters_live_in_the_url(site, browser):
    from selenium.webdriver.common.by import By

    browser.get(site.url + "/?between=IRN,RUS&contested=true")
    settle(browser)
    cells = browser.find_elements(By.CSS_SELECTOR, "#ledger tbody tr td:nth-child(9)")
    assert cells and all(int(c.text) > 0 for c in cells)
    assert browser.find_element(By.NAME, "between").get_attribute("value") == "IRN,RUS"


def test_search(site, browser):
    from selenium.webdriver.common.by import By

    browser.get(site.url + "/")
    box = browser.find_element(By.NAME, "q")
    box.send_keys("Crimea trainers")
    follow(browser, box.find_element("xpath", "ancestor::form").find_element("css selector", "button"))
    assert "q=Crimea" in browser.current_url
    assert browser.find_elements(By.CSS_SELECTOR, ".hits mark")
    check_safe(browser, site, "search")


def test_network_page_draws_and_links(site, browser):
    from selenium.webdriver.common.by import By

    browser.get(site.url + "/network")
    settle(browser)
    browser.find_element(By.CSS_SELECTOR, "#network .main-svg")
    targets = browser.execute_script(
        "return document.getElementById('network').data.flatMap(t => t.customdata || [])")
    assert any(t.startswith("/assessments/") or t.startswith("/?between=") for t in targets)
    assert any(t.startswith("/?party=") for t in targets)
    check_safe(browser, site, "network")


def test_ingest_page_extracts_then_stores(site, browser):
    from selenium.webdriver.common.by import By

    browser.get(site.url + "/ingest")
    browser.find_element(By.NAME, "token").send_keys(TOKEN)  # extracting needs the token too
    browser.find_element(By.NAME, "title").send_keys("Poland signs for more K2 tanks")
    browser.find_element(By.NAME, "text").send_keys(
        "Poland signed a contract with South Korea's Hyundai Rotem for 180 K2 tanks, the defence ministry said.")
    follow(browser, browser.find_element(By.CSS_SELECTOR, "button[value=preview]"))
    table = browser.find_element(By.CSS_SELECTOR, ".events-table").text
    assert "KOR → POL" in table and "K2" in table
    check_safe(browser, site, "ingest-preview")
    browser.find_element(By.NAME, "token").send_keys(TOKEN)
    follow(browser, browser.find_element(By.CSS_SELECTOR, "button[value=store]"))
    assert "Stored 1 article" in browser.page_source


def test_hostile_article_is_shown_as_text_everywhere(site, browser):
    from selenium.webdriver.common.by import By

    browser.get(site.url + "/?q=shipment+described")
    settle(browser)
    check_safe(browser, site, "hostile-search")
    follow(browser, browser.find_element(By.CSS_SELECTOR, ".hits a.article-link"))
    assert "<script>" in browser.find_element(By.CSS_SELECTOR, "h1").text  # shown, not run
    assert not browser.find_elements(By.CSS_SELECTOR, ".article-text img, .article-text svg, .article-text script")
    assert not browser.find_elements(By.CSS_SELECTOR, "a[href^='javascript']")
    check_safe(browser, site, "hostile-article")
    follow(browser, browser.find_element(By.CSS_SELECTOR, ".events a.dossier-link"))
    check_safe(browser, site, "hostile-dossier")
    browser.get(site.url + "/network")
    settle(browser)
    check_safe(browser, site, "hostile-network")


def test_a_missing_page_is_an_html_error_for_people(site, browser):
    from selenium.webdriver.common.by import By

    browser.get(site.url + "/assessments/<script>nothing")
    settle(browser)
    assert "no assessment" in browser.find_element(By.CSS_SELECTOR, "[role=alert]").text
    check_safe(browser, site, "error-404")


def test_a_very_often_reported_flow_shows_a_bounded_dossier():
    from materiel.model import AUTHOR_SOURCE, Category, Claim, Event, EventType, Item, Stance, Status
    from materiel.web.pages import DOSSIER_CLAIMS, _most_telling

    def claim(n: int, stance: Stance) -> Claim:
        event = Event(EventType.TRANSFER, "IRN", "RUS", Item(Category.UAV, "drones"), Status.DELIVERED, stance,
                      sources=(AUTHOR_SOURCE,))
        return Claim(f"e{n}", event, f"a{n}", f"h{n}", "t", "o", f"2024-01-{1 + n % 28:02d}")

    claims = tuple(claim(n, Stance.DENIED if n % 50 == 0 else Stance.ASSERTED) for n in range(500))
    shown = _most_telling(claims)
    assert len(shown) == DOSSIER_CLAIMS
    assert all(c in shown for c in claims if c.event.stance is Stance.DENIED)  # every denial stays
    assert _most_telling(claims[:10]) == claims[:10]
