"""End to end: an article that redirects between two URLs (A -> B -> A) leaves a reject row and
is not asked for again by the next run (the duplicate filter must not swallow the hop back)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from crawler import reasons
from samplesite import SampleSite, pages
from samplesite.server import _Handler
from tests.conftest import rows, run_crawl

pytestmark = pytest.mark.e2e

SETTINGS = {"ARCHIVE_STALE_PAGES": 2, "ARCHIVE_EXTRACT_WORKERS": 0}
PING = "/chuyen-qua-lai-mot-a900011.html"
PONG = "/chuyen-qua-lai-hai-a900012.html"


class LoopHandler(_Handler):
    def redirect(self, location: str) -> None:
        self._status = 302
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def route(self, target: str) -> None:
        path = urlsplit(target).path
        if path == "/":
            return self.send(200, pages.home_page(self.site.model.articles[:12], self.site.menu,
                                                  trap_links=[(PING, "Bài vòng")]))
        if path == PING:
            return self.redirect(PONG)
        if path == PONG:
            return self.redirect(PING)
        return super().route(target)


class LoopSite(SampleSite):
    handler_class = LoopHandler


def test_a_two_url_redirect_loop_is_a_reject_once(tmp_path):
    with LoopSite(articles=12, traps=False) as site:
        db = tmp_path / "archive.db"
        run_crawl(site, db, name="loop-run1", settings=SETTINGS)
        rejects = {urlsplit(r["url"]).path: r for r in rows(db, "SELECT url, reason, detail FROM rejects")}
        assert rejects[PING]["reason"] == reasons.TOO_MANY_REDIRECTS
        assert "loop" in rejects[PING]["detail"]
        assert site.hits(PING) == 1 and site.hits(PONG) == 1  # the loop is seen before the hop back

        run_crawl(site, db, name="loop-run2", settings=SETTINGS)
        assert site.hits(PING) == 1 and site.hits(PONG) == 1
