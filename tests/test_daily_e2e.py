"""A daily run costs what is new (issue 20): real crawls of the loopback ``numid`` sample site by
the real ``baoxaydung`` spider.

- The stated feeds that answer 404, or answer with a page that is not a feed, are remembered in
  the archive (``dead_sources``) and not asked for again until ``ARCHIVE_DEAD_SOURCE_DAYS`` have
  passed; then they are tried once more, and forgotten when they answer with a feed.
  ``python -m crawler health`` lists them per paper.
- The newest-first list (``/tin-moi-nhat.htm``, the numid family's ``latest_pattern``), walked
  by the first run as a section, is the next runs' ``latest_path``: a day with five new articles
  is read from it alone, not from every section and its page 2.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections import Counter

import pytest

from crawler import PROJECT_ROOT
from samplesite.families import SHAPES, FamilyHandler, FamilySite
from tests.conftest import crawl_env, rows, run_crawl

pytestmark = pytest.mark.e2e

SETTINGS = {"ARCHIVE_EXTRACT_WORKERS": 0}
SPIDER = "baoxaydung"
STATED_FEEDS = {"/rss/home.rss", "/rss/bat-dong-san.rss", "/rss/kinh-te.rss", "/rss/xay-dung/vat-lieu-xay-dung.rss"}
GONE = "/rss/xay-dung/vat-lieu-xay-dung.rss"  # answers 404 (the sample site has no such feed)
HTML = "/rss/bat-dong-san.rss"  # answers 200 with an HTML page


class HtmlFeedHandler(FamilyHandler):
    serve_feed = False

    def route(self, target: str) -> None:
        if target.split("?")[0] == HTML:
            if self.serve_feed:
                return self.send(200, '<?xml version="1.0"?><rss version="2.0"><channel><title>BĐS</title>'
                                 "</channel></rss>", "application/rss+xml; charset=utf-8")
            return self.send(200, "<!DOCTYPE html><html><body><h1>Bất động sản</h1></body></html>")
        return super().route(target)


class Site(FamilySite):
    handler_class = HtmlFeedHandler


def asked(site, before: int) -> Counter:
    return Counter(t.split("?")[0] for t in site.requests[before:])


def dead(db) -> dict[str, str]:
    return {r["url"].split("/", 3)[3]: r["why"] for r in rows(db, "SELECT url, why FROM dead_sources WHERE site = ?", SPIDER)}


def test_dead_feeds_are_remembered_and_the_newest_first_list_covers_a_day(tmp_path):
    db = tmp_path / "archive.db"
    HtmlFeedHandler.serve_feed = False
    with Site(SHAPES["numid"], articles=60, per_page=10) as site:
        # 1. the first run reads every stated feed and walks every section, /tin-moi-nhat.htm too
        run_crawl(site, db, name="daily-1", settings=SETTINGS, spider=SPIDER)
        first = asked(site, 0)
        assert all(first[f] == 1 for f in STATED_FEEDS), first
        assert first["/tin-moi-nhat.htm"] == 1
        assert dead(db) == {GONE.lstrip("/"): "http-404", HTML.lstrip("/"): "not-a-feed"}

        # 2. a day with five new articles: the dead feeds are not asked for, the newest-first list
        # shows there is no gap, and the sections are not walked
        new = site.publish(5)
        before = len(site.requests)
        run_crawl(site, db, name="daily-2", settings=SETTINGS, spider=SPIDER)
        second = asked(site, before)
        assert second[GONE] == second[HTML] == 0, second
        assert second["/tin-moi-nhat.htm"] == 1
        newest_pages = {site.shape.page("/tin-moi-nhat.htm", n) for n in range(1, 4)}
        allowed = {"/robots.txt", "/", "/rss/home.rss", "/rss/kinh-te.rss", *newest_pages,
                   *(site.path_of[a.id] for a in new)}
        assert set(second) - allowed == set(), second  # no section, no sitemap, no old article
        assert sum(second.values()) <= 12, second
        stored = {r["url"] for r in rows(db, "SELECT url FROM urls WHERE site = ?", SPIDER)}
        assert {site.url_of(a) for a in new} <= stored
        stats = rows(db, "SELECT requests, new_articles FROM crawls ORDER BY id DESC LIMIT 1")[0]
        assert stats["new_articles"] == 5

        # 3. ARCHIVE_DEAD_SOURCE_DAYS later they are tried again; one now is a feed and is forgotten
        con = sqlite3.connect(db)
        con.execute("UPDATE dead_sources SET checked = '2000-01-01T00:00:00+00:00'")
        con.commit()
        con.close()
        HtmlFeedHandler.serve_feed = True
        before = len(site.requests)
        run_crawl(site, db, name="daily-3", settings=SETTINGS, spider=SPIDER)
        third = asked(site, before)
        assert third[GONE] == third[HTML] == 1, third
        assert dead(db) == {GONE.lstrip("/"): "http-404"}
        assert rows(db, "SELECT failures FROM dead_sources")[0]["failures"] == 2

        # health lists the paper's dead feed
        out = subprocess.run([sys.executable, "-m", "crawler", "health", "--db", str(db), "--site", SPIDER],
                             cwd=PROJECT_ROOT, env=crawl_env(), capture_output=True, text=True, timeout=120)
        assert "Traceback" not in out.stderr
        assert "dead feeds and sitemaps" in out.stdout and GONE in out.stdout and "http-404" in out.stdout, out.stdout


def test_a_setting_of_zero_days_asks_every_run(tmp_path):
    db = tmp_path / "archive.db"
    with FamilySite(SHAPES["numid"], articles=20, per_page=10) as site:
        run_crawl(site, db, name="dead-0-1", settings=SETTINGS, spider=SPIDER)
        before = len(site.requests)
        run_crawl(site, db, name="dead-0-2", settings={**SETTINGS, "ARCHIVE_DEAD_SOURCE_DAYS": 0}, spider=SPIDER)
        assert asked(site, before)[GONE] == 1
