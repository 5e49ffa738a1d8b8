"""The pages a reader opens, in headless Chromium over the plain ``datasette archive.db``: no
English of Datasette's left in what the browser shows, ``<html lang="vi">``, internal tables not
listed, a crawl's statistics readable on the first screen, long paper names whole on the
dashboard. Screenshots under ``test-artifacts/ui/``."""

from __future__ import annotations

import pytest

from tests.datasette_server import plain_datasette
from tests.test_browser import ROOT, _require_browser, open_chrome
from tests.ui_pages import CRAWL_STATS, INTERNAL_TABLES, LONG_PAPER, build, english_left, pages

ARTIFACTS = ROOT / "test-artifacts" / "ui"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    _require_browser()
    db = tmp_path_factory.mktemp("ui-browser") / "archive.db"
    ids = build(db)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with plain_datasette(db, ARTIFACTS / "datasette.log") as base:
        yield base, ids


@pytest.fixture(scope="module")
def browser(server):
    driver = open_chrome()
    yield driver
    driver.quit()


def _open(browser, url, shot):
    from selenium.webdriver.common.by import By

    browser.get(url)
    browser.save_screenshot(str(ARTIFACTS / f"{shot}.png"))
    return browser.find_element(By.TAG_NAME, "body")


def test_every_page_is_vietnamese(server, browser):
    base, ids = server
    left = {}
    for name, (path, _status) in pages(ids).items():
        body = _open(browser, base + path, name)
        assert browser.execute_script("return document.documentElement.lang") == "vi", path
        # All the text, the closed menus and selects too (a reader opens them); SQL shown as
        # code is no interface text.
        text = browser.execute_script(
            "const b = document.body.cloneNode(true);"
            "b.querySelectorAll('script, style, template, pre, code, textarea').forEach(e => e.remove());"
            "return b.innerText + ' ' + b.textContent")
        assert body.text
        if found := english_left(text):
            left[path] = found
    assert left == {}, left


def test_internal_tables_are_not_listed(server, browser):
    from selenium.webdriver.common.by import By

    base, _ = server
    for path in ("/", "/archive"):
        _open(browser, base + path, "tables" + path.replace("/", "-"))
        hrefs = {a.get_attribute("href") for a in browser.find_elements(By.TAG_NAME, "a")}
        assert not any(href and href.endswith(f"/archive/{t}") for t in INTERNAL_TABLES for href in hrefs)
        assert f"{base}/archive/articles" in hrefs
    body = _open(browser, base + "/archive/story_lsh", "story_lsh")
    assert "Không tìm thấy" not in body.text


def test_crawl_statistics_read_on_the_first_screen(server, browser):
    from selenium.webdriver.common.by import By

    base, _ = server
    _open(browser, base + "/archive/crawls/2", "crawl-2")
    width = browser.execute_script("return window.innerWidth")
    height = browser.execute_script("return window.innerHeight")
    # Nothing off to the right: the page does not scroll sideways, the statistics fit the window.
    assert browser.execute_script("return document.documentElement.scrollWidth") <= width
    stats = browser.find_element(By.CSS_SELECTOR, "table.crawl-stats")
    box = browser.execute_script("return arguments[0].getBoundingClientRect().toJSON()", stats)
    assert box["right"] <= width and box["top"] < height, box
    # One statistic per line, each a name and its value side by side.
    rows = stats.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert set(CRAWL_STATS) <= {r.find_element(By.TAG_NAME, "th").text for r in rows}
    first = rows[0].find_elements(By.CSS_SELECTOR, "th, td")
    assert first[0].location["y"] == first[1].location["y"] and first[1].text
    # The run's own figures come first, labelled in Vietnamese.
    labels = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "table.record > tbody > tr > th")]
    assert labels[:3] == ["Lượt · Run", "Báo · Newspaper", "Bắt đầu · Started"]


def test_dashboard_fits_long_names_and_flags_never_crawled(server, browser):
    from selenium.webdriver.common.by import By

    base, _ = server
    _open(browser, base + "/archive/-/dashboard?since=01/09/2024&until=12/2025", "dashboard")
    flagged = browser.find_element(By.CSS_SELECTOR, "#broken").text
    assert LONG_PAPER in flagged and "chưa từng thu thập" in flagged
    for label in browser.find_elements(By.CSS_SELECTOR, "svg text.row-label"):
        assert browser.execute_script("return arguments[0].getBBox().x", label) >= 0, label.text
    # The range as typed, shown back as dd/mm/yyyy.
    assert browser.find_element(By.ID, "since").get_attribute("value") == "01/09/2024"
    assert browser.find_element(By.ID, "until").get_attribute("value") == "31/12/2025"


def test_a_bad_date_is_said_not_silently_empty(server, browser):
    base, _ = server
    body = _open(browser, base + "/archive/search?q=lua&since=notadate", "bad-date")
    assert "Ngày không hợp lệ" in body.text and "dd/mm/yyyy" in body.text
