"""End to end: the extraction bounds and the pipeline contract in real crawls of a loopback site.

- a 5 MB page of 300,000 short paragraphs (under ``DOWNLOAD_MAXSIZE``): rejected as
  ``too-many-elements`` before any parse by default; with the element bound off, its worker
  overruns ``ARCHIVE_EXTRACT_TIMEOUT`` inside a long C call and is killed and replaced, the page
  a ``timeout-extract`` reject; either way the crawl ends within bounds and stores the others;
- a page that makes a pipeline stage raise becomes a ``stage-error`` reject with the exception
  in ``detail``, counted in the stats, and never a silent loss.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from crawler import reasons
from samplesite import SampleSite, pages
from samplesite.server import _Handler
from tests.conftest import rows, run_crawl
from tests.stages import MARKER

pytestmark = pytest.mark.e2e

HUGE = "/trang-rat-dai-a900021.html"
BROKEN = "/trang-gay-loi-a900022.html"
PARAGRAPHS = 300_000


def huge_page() -> bytes:
    body = "".join(f"<p>Ý {n}</p>" for n in range(PARAGRAPHS))
    return (f"<html><head><title>Trang rất dài</title></head><body><article><h1>Trang rất dài</h1>{body}"
            "</article></body></html>").encode()


class BoundsHandler(_Handler):
    def route(self, target: str) -> None:
        path = urlsplit(target).path
        if path == "/":
            return self.send(200, pages.home_page(self.site.model.articles[:12], self.site.menu,
                                                  trap_links=[(HUGE, "Bài rất dài"), (BROKEN, "Bài gây lỗi")]))
        if path == HUGE:
            return self.send(200, self.site.huge)
        if path == BROKEN:
            body = "".join(f"<p>Đoạn {n} của bài viết về mùa lúa ở Cà Mau, đủ dài để là một bài báo.</p>"
                           for n in range(8))
            return self.send(200, f"<html><head><title>Bài gây lỗi</title></head><body><article><h1>Bài gây lỗi"
                                  f"</h1>{body}<p>{MARKER}</p></article></body></html>")
        return super().route(target)


class BoundsSite(SampleSite):
    handler_class = BoundsHandler
    huge = huge_page()


def test_the_huge_page_is_under_the_download_limit():
    assert 4_500_000 < len(BoundsSite.huge) < 5 * 1024 * 1024


def _outcome(db):
    rejects = {urlsplit(r["url"]).path: r for r in rows(db, "SELECT url, reason, detail FROM rejects")}
    crawl = rows(db, "SELECT completed, stats FROM crawls ORDER BY id DESC LIMIT 1")[0]
    return rejects, rows(db, "SELECT count(*) AS n FROM articles")[0]["n"], crawl, json.loads(crawl["stats"])


@pytest.mark.parametrize("bound", ["elements", "time"])
def test_a_huge_page_is_rejected_within_bounds_and_the_others_stored(tmp_path, bound):
    settings = {"ARCHIVE_EXTRACT_WORKERS": 1, "ARCHIVE_EXTRACT_TIMEOUT": 3, "ARCHIVE_STALE_PAGES": 2}
    if bound == "time":
        settings["ARCHIVE_EXTRACT_MAX_ELEMENTS"] = 0  # the kill alone must bound it
    with BoundsSite(articles=12, traps=False) as site:
        db = tmp_path / "archive.db"
        result = run_crawl(site, db, name=f"huge-page-{bound}", settings=settings, timeout=120, check=False)
    assert result.returncode == 0, result.tail()
    rejects, articles, crawl, stats = _outcome(db)
    want = reasons.TOO_MANY_ELEMENTS if bound == "elements" else reasons.TIMEOUT_EXTRACT
    assert rejects[HUGE]["reason"] == want, rejects.get(HUGE)
    assert stats[f"extract/rejected/{want}"] == 1
    assert articles >= 12  # the worker that was killed was replaced: every other page extracted
    # a killed worker costs its budget and the grace, not the 118 s the page would take
    assert result.seconds < 60, f"crawl took {result.seconds:.0f} s"


def test_a_page_that_makes_a_stage_raise_is_a_reject_with_the_exception(tmp_path):
    pipelines = {"tests.stages.RaisesOnMarker": 50, "pipelines.extract.ExtractPipeline": 100,
                 "pipelines.store.StorePipeline": 300}
    settings = {"ARCHIVE_EXTRACT_WORKERS": 0, "ARCHIVE_STALE_PAGES": 2, "ITEM_PIPELINES": json.dumps(pipelines)}
    with BoundsSite(articles=12, traps=False) as site:
        db = tmp_path / "archive.db"
        result = run_crawl(site, db, name="stage-raises", settings=settings, timeout=120, check=False)
    assert result.returncode == 0, result.tail()
    rejects, articles, crawl, stats = _outcome(db)
    assert rejects[BROKEN]["reason"] == reasons.STAGE_ERROR
    assert "ValueError" in rejects[BROKEN]["detail"] and "cannot read" in rejects[BROKEN]["detail"]
    assert stats[f"extract/rejected/{reasons.STAGE_ERROR}"] == 1 and stats["pipeline/errors/pipeline"] == 1
    assert articles >= 12
