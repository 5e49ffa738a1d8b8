"""End to end in a real browser: ``datasette archive.db`` (the plain command, no flags) on
127.0.0.1, driven by headless Chromium.

A reader types "dai hoi dang" (no diacritics) into the articles table's search box, sees the
"Đại hội Đảng" article, opens it, and follows its source link to the original page (served
here by a loopback HTTP server standing in for the newspaper). The ranked search page is
checked the same way with the query typed in full Vietnamese, and the dashboard is drawn with
nothing fetched from anywhere but the server. Screenshots and the server log are kept under
``test-artifacts/browser/``.

Needs Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them). Without them
the test is skipped locally, and fails under CI.
"""

from __future__ import annotations

import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.datasette_server import plain_datasette
from crawler.store.archive import Archive
from crawler.jobs.sitesync import sync_sites
from tests.test_datasette import ARTICLES, Site, build_archive

LONG_PAPER = "Báo Bà Rịa - Vũng Tàu điện tử, cơ quan của Đảng bộ tỉnh"

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROME_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage",
                "--no-proxy-server", "--window-size=1280,1400", "--lang=vi"]

pytestmark = pytest.mark.browser


def _require_browser():
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not os.access(p, os.X_OK)]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the selenium package")
    if missing:
        message = f"headless browser test needs {', '.join(missing)} (apt-get install chromium chromium-driver)"
        if os.environ.get("CI"):
            pytest.fail(message + " — .ci/run installs them, so CI must have them")
        pytest.skip(message)


class _OriginalPage(BaseHTTPRequestHandler):
    """The newspaper's own page for any article path."""

    def do_GET(self):  # noqa: N802
        body = (f"<!doctype html><html lang=vi><head><meta charset=utf-8><title>Trang gốc</title></head>"
                f"<body><h1 id=original>Trang gốc của báo</h1><p>{self.path}</p></body></html>").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def origin():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _OriginalPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def open_chrome():
    """Headless Chromium driven by Selenium, pages bounded to 20 s."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(20)
    return driver


@pytest.fixture(scope="module")
def server(tmp_path_factory, origin):
    """``datasette archive.db`` (what a new user types) over a freshly built archive."""
    _require_browser()
    db = tmp_path_factory.mktemp("browser") / "archive.db"
    ids = build_archive(db, url_for=lambda key: f"{origin}/{key}-a1.html")
    with Archive(db) as archive:  # a paper with a long name that was never crawled
        sync_sites(archive, [Site("baobariavungtau", LONG_PAPER, "Bà Rịa - Vũng Tàu")])
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with plain_datasette(db, ARTIFACTS / "datasette.log") as base:
        yield base, ids


@pytest.fixture(scope="module")
def browser(server):
    driver = open_chrome()
    yield driver
    driver.quit()


def _wait(driver, condition, timeout=10):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)


def _shot(driver, name):
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def test_type_search_open_article_follow_source(server, browser, origin):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec

    base, ids = server
    title = ARTICLES["daihoi"][2]
    browser.get(base + "/archive/articles")
    box = _wait(browser, ec.presence_of_element_located((By.ID, "_search")))
    box.send_keys("dai hoi dang")
    box.send_keys(Keys.ENTER)
    _wait(browser, ec.url_contains("_search=dai+hoi+dang"))
    _wait(browser, ec.presence_of_element_located((By.CSS_SELECTOR, "table.rows-and-columns")))
    _shot(browser, "01-table-search")
    assert title in browser.find_element(By.TAG_NAME, "body").text

    browser.find_element(By.CSS_SELECTOR, f'a[href="/archive/articles/{ids["daihoi"]}"]').click()
    heading = _wait(browser, ec.presence_of_element_located((By.CSS_SELECTOR, "h1.article-heading")))
    assert heading.text == title
    assert browser.title.startswith(title)
    paragraphs = browser.find_elements(By.CSS_SELECTOR, "article.article .body p")
    assert len(paragraphs) == 3 and paragraphs[1].text.startswith("Ban Thường vụ Tỉnh uỷ")
    aliases = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "a.alias-link")]
    assert len(aliases) == 2
    _shot(browser, "02-article")

    source = browser.find_element(By.CSS_SELECTOR, "a.source-link")
    assert source.get_attribute("href") == f"{origin}/daihoi-a1.html"
    source.click()
    _wait(browser, ec.presence_of_element_located((By.ID, "original")))
    assert browser.current_url == f"{origin}/daihoi-a1.html"
    _shot(browser, "03-source")


def test_ranked_search_page_in_vietnamese(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec

    base, ids = server
    browser.get(base + "/archive/search")
    box = _wait(browser, ec.presence_of_element_located((By.ID, "q")))
    box.send_keys("Đại hội Đảng")
    box.send_keys(Keys.ENTER)
    _wait(browser, ec.presence_of_element_located((By.CSS_SELECTOR, "ol.results")))
    _shot(browser, "04-ranked-search")
    results = browser.find_elements(By.CSS_SELECTOR, "ol.results li.result")
    assert len(results) == 2
    first = results[0].find_element(By.CSS_SELECTOR, "h3 a")
    assert first.text == ARTICLES["daihoi"][2]
    marks = [m.text for m in results[0].find_elements(By.TAG_NAME, "mark")]
    assert {"Đại", "hội", "Đảng"} <= set(marks)


def test_dashboard_draws_everything_locally(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    base, ids = server
    browser.get(base + "/archive/-/dashboard?since=2024-09-01&until=2025-12-31")
    _wait(browser, ec.presence_of_element_located((By.CSS_SELECTOR, "svg.heatmap")))
    _shot(browser, "05-dashboard")
    charts = browser.find_elements(By.CSS_SELECTOR, "svg.heatmap")
    assert len(charts) == 2
    # Per month over this range, which holds every article: each counted once on each chart.
    for chart in charts:
        counts = [int(r.get_attribute("data-count")) for r in chart.find_elements(By.TAG_NAME, "rect")]
        assert sum(counts) == len(ARTICLES)
    labels = [t.text for t in charts[1].find_elements(By.CSS_SELECTOR, "text.row-label")]
    assert labels == ["Cà Mau", "Cần Thơ"]
    depth = browser.find_elements(By.CSS_SELECTOR, "svg.depth rect.depth-bar")
    assert len(depth) == 3
    papers = [t.text for t in browser.find_elements(By.CSS_SELECTOR, "svg.depth text.row-label")]
    assert papers == ["Báo Bạc Liêu", "Báo Cà Mau", "Báo Cần Thơ"]
    crawls = browser.find_elements(By.CSS_SELECTOR, "#last-crawls tbody tr")
    assert len(crawls) == 1 and "Báo Cà Mau" in crawls[0].text
    # The same judgement as `python -m crawler health`: the papers never crawled are flagged.
    flagged = browser.find_element(By.CSS_SELECTOR, "#broken").text
    for paper in ("Báo Bạc Liêu", "Báo Cần Thơ", LONG_PAPER):
        assert paper in flagged and "chưa từng thu thập" in flagged
    # Every paper's name is drawn whole inside its chart, the long one too (not cut at the left).
    rows = browser.find_elements(By.CSS_SELECTOR, "svg.heatmap text.row-label")
    assert LONG_PAPER in [t.text for t in rows]
    assert all(browser.execute_script("return arguments[0].getBBox().x", t) >= 0 for t in rows)
    # Nothing from another origin: every script, style sheet, image and frame is the server's own.
    resources = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
        ".concat([...document.querySelectorAll('script[src],link[href],img[src],iframe[src]')]"
        ".map(e => e.src || e.href))")
    assert resources and all(r.startswith(base) for r in resources), resources
