"""End to end: answers that are lost on the way are recorded once, never stored under the paper,
and not asked for again by every run.

- an article that redirects to another port of the same host (Scrapy's offsite filter looks at
  host names only) or to another host;
- an endless chain of redirects (``REDIRECT_MAX_TIMES``);
- a gzip body that outgrows ``DOWNLOAD_MAXSIZE`` once decompressed;
- a refreshed article (``-a refresh_days``) that now redirects to another port: its request
  skips the duplicate filter (``dont_filter``), which also skips Scrapy's offsite filter.
"""

from __future__ import annotations

import gzip
from urllib.parse import parse_qs, urlsplit

import pytest

from crawler import reasons
from samplesite import SampleSite, pages
from samplesite.server import _Handler
from tests.conftest import rows, run_crawl

pytestmark = pytest.mark.e2e

SETTINGS = {"ARCHIVE_STALE_PAGES": 2, "ARCHIVE_EXTRACT_WORKERS": 0, "DOWNLOAD_MAXSIZE": 1024 * 1024}
OTHER_PORT = "/chuyen-sang-cong-khac-a900001.html"
OTHER_HOST = "/chuyen-sang-may-khac-a900002.html"
LOOP = "/vong-chuyen-huong-vo-tan-a900003.html"
BOMB = "/bai-nen-qua-lon-khi-giai-nen-a900004.html"
EXPECTED = {OTHER_PORT: reasons.OFFSITE_REDIRECT, OTHER_HOST: reasons.OFFSITE_REDIRECT,
            LOOP: reasons.TOO_MANY_REDIRECTS, BOMB: reasons.TOO_LARGE}


class LossySite(SampleSite):
    """The sample site plus the four lossy answers, linked from the home page."""

    def __init__(self, elsewhere: SampleSite, **kwargs):
        super().__init__(**kwargs)
        self.elsewhere = elsewhere
        self.moved: dict[str, str] = {}  # path → URL it now redirects to


class LossyHandler(_Handler):
    site: LossySite

    def redirect(self, location: str) -> None:
        self._status = 302
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def route(self, target: str) -> None:
        site = self.site
        parts = urlsplit(target)
        path = parts.path
        other = site.elsewhere.articles[0]
        if path == "/":
            links = [(p, f"Bài {i}") for i, p in enumerate(EXPECTED)]
            return self.send(200, pages.home_page(site.model.articles[:12], site.menu, trap_links=links))
        if path in site.moved:
            return self.redirect(site.moved[path])
        if path == OTHER_PORT:
            return self.redirect(site.elsewhere.url(other.path))
        if path == OTHER_HOST:
            return self.redirect(f"http://127.0.0.2:{site.elsewhere.port}{other.path}")
        if path == LOOP:
            n = int(parse_qs(parts.query).get("n", ["0"])[0])
            return self.redirect(f"{LOOP}?n={n + 1}")
        if path == BOMB:
            body = gzip.compress(b"<html><body>" + b"0" * (3 * 1024 * 1024) + b"</body></html>")
            self._status = 200
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return None
        return super().route(target)


LossySite.handler_class = LossyHandler


def test_lost_answers_are_rejects_once_and_never_stored_under_the_paper(tmp_path):
    with SampleSite(articles=20, traps=False) as elsewhere, \
            LossySite(elsewhere, articles=20, traps=False) as site:
        db = tmp_path / "archive.db"
        run_crawl(site, db, name="lossy-run1", settings=SETTINGS)
        rejects = {urlsplit(r["url"]).path: r["reason"] for r in rows(db, "SELECT url, reason FROM rejects")}
        assert {p: rejects.get(p) for p in EXPECTED} == EXPECTED
        urls = {r["url"] for r in rows(db, "SELECT url FROM urls")}
        assert urls == {site.url(a.path) for a in site.articles}, "only the paper's own pages are stored"
        assert not [r for r in rows(db, "SELECT url FROM articles") if elsewhere.base_url in r["url"]]
        assert not elsewhere.requests, "the other server is never even asked"

        # a second run asks none of them again: they are rejects for good
        before = {p: site.hits(p) for p in EXPECTED}
        run_crawl(site, db, name="lossy-run2", settings=SETTINGS)
        assert {p: site.hits(p) for p in EXPECTED} == before

        # a refreshed article that now redirects to another port is not revised with that page
        moved = site.articles[0]
        site.moved[moved.path] = elsewhere.url(elsewhere.articles[1].path)
        (article_before,) = rows(db, "SELECT hash, text FROM articles WHERE url = ?", site.url(moved.path))
        run_crawl(site, db, "refresh_days=100000", name="lossy-refresh", settings=SETTINGS)
        assert site.hits(moved.path) == 2
        assert not elsewhere.requests
        (url_row,) = rows(db, "SELECT hash FROM urls WHERE url = ?", site.url(moved.path))
        assert url_row["hash"] == article_before["hash"]
        assert not rows(db, "SELECT * FROM revisions")
        (reject,) = rows(db, "SELECT reason, detail FROM rejects WHERE url = ?", site.url(moved.path))
        assert reject["reason"] == reasons.OFFSITE_REDIRECT and elsewhere.base_url in reject["detail"]
