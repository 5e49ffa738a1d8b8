"""Each pipeline on real-shaped HTML: build an item, call process_item, assert."""

import asyncio
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from crawler.store.archive import Archive
from crawler.items import PageItem
from pipelines.extract import ExtractPipeline
from pipelines.store import StorePipeline
from spiders.baocamau import BaoCaMauSpider

PAGES = Path(__file__).parent / "fixtures" / "pages"


def page(name, url):
    return PageItem(url=url, site="baocamau", fetched_at="2025-07-24T00:00:00+00:00", status=200,
                    html=(PAGES / name).read_text(encoding="utf-8"))


@pytest.fixture
def crawler(tmp_path):
    c = get_crawler(BaoCaMauSpider, {"ARCHIVE_DB": str(tmp_path / "archive.db"), "ARCHIVE_BATCH_SIZE": 2,
                                      "ARCHIVE_EXTRACT_WORKERS": 0})
    c.stats.open_spider()
    return c


def run_all(crawler, items):
    extract, store = (cls.from_crawler(crawler) for cls in (ExtractPipeline, StorePipeline))
    for p in (extract, store):
        p.open_spider()
    out = []
    for item in items:
        out.append(store.process_item(asyncio.run(extract.process_item(item))))
    for p in (extract, store):
        p.close_spider()
    return out


def test_article_then_copy_then_reject(crawler):
    items = run_all(crawler, [
        page("baocamau_article.html", "https://baocamau.vn/a-a1.html"),
        page("baocamau_article.html", "https://baocamau.vn/copy-a2.html"),
        page("baocamau_video.html", "https://baocamau.vn/clip-a3.html"),
        PageItem(url="https://baocamau.vn/gone-a4.html", site="baocamau", fetched_at="2025-07-24T00:00:00+00:00",
                 status=404, reject_reason="http-404"),
    ])
    first, copy, video, gone = items
    assert first.article["title"] and copy.article == first.article
    assert video.reject_reason == "video-only"
    stats = crawler.stats.get_stats()
    assert stats["archive/inserted"] == 1
    assert stats["archive/alias"] == 1  # the store decided: same text, second URL
    assert stats["archive/rejected"] == 2
    assert stats["extract/rejected/video-only"] == 1
    assert stats["extract/rejected/http-404"] == 1
    with Archive(crawler.settings["ARCHIVE_DB"]) as archive:
        assert archive.db["articles"].count == 1
        assert archive.db["urls"].count == 2
        assert {r["reason"] for r in archive.db["rejects"].rows} == {"video-only", "http-404"}


def test_store_sees_articles_stored_by_an_earlier_run(crawler):
    run_all(crawler, [page("baocamau_article.html", "https://baocamau.vn/a-a1.html")])
    run_all(crawler, [page("baocamau_article.html", "https://baocamau.vn/moved-a9.html")])
    assert crawler.stats.get_value("archive/inserted") == 1 and crawler.stats.get_value("archive/alias") == 1
    with Archive(crawler.settings["ARCHIVE_DB"]) as archive:
        assert {r["hash"] for r in archive.db["urls"].rows} == {archive.db.execute("SELECT hash FROM articles").fetchone()[0]}


def test_extraction_in_worker_processes_gives_the_same_article(tmp_path):
    c = get_crawler(BaoCaMauSpider, {"ARCHIVE_DB": str(tmp_path / "a.db"), "ARCHIVE_EXTRACT_WORKERS": 1})
    c.stats.open_spider()
    p = ExtractPipeline.from_crawler(c)
    p.open_spider()
    try:
        item = asyncio.run(p.process_item(page("baocamau_article.html", "https://baocamau.vn/a-a1.html")))
    finally:
        p.close_spider()
    inline = asyncio.run(ExtractPipeline(c, 0).process_item(page("baocamau_article.html", "https://baocamau.vn/a-a1.html")))
    assert item.article == inline.article


# -- the extraction workers' lifetime ----------------------------------------------------------

_POOL_SCRIPT = r"""
import asyncio, multiprocessing.resource_tracker as rt, sys, time
from pathlib import Path
from scrapy.utils.test import get_crawler
from crawler.items import PageItem
from pipelines.extract import ExtractPipeline
from spiders.baocamau import BaoCaMauSpider

crawler = get_crawler(BaoCaMauSpider, {"ARCHIVE_EXTRACT_WORKERS": 2})
crawler.stats.open_spider()
pipeline = ExtractPipeline.from_crawler(crawler)
pipeline.open_spider()
html = Path(sys.argv[1]).read_text(encoding="utf-8")

async def two():
    return await asyncio.gather(*(pipeline.process_item(PageItem(url=f"https://baocamau.vn/a-a{n}.html",
        site="baocamau", fetched_at="2025-07-24T00:00:00+00:00", status=200, html=html)) for n in (1, 2)))

items = asyncio.run(two())
assert all(i.article for i in items)
from crawler.extractpool import worker_pids
print(*worker_pids(pipeline.pool), rt._resource_tracker._pid, flush=True)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has exited
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to watch processes")
def test_extraction_workers_exit_when_the_crawl_process_is_killed(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    from tests.conftest import PROJECT_ROOT, crawl_env

    proc = subprocess.Popen([sys.executable, "-c", _POOL_SCRIPT, str(PAGES / "baocamau_article.html")],
                            cwd=PROJECT_ROOT, env=crawl_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        line = proc.stdout.readline()
        pids = [int(p) for p in line.split()]
        assert len(pids) == 3, f"no pool started: {line!r} {proc.stderr.read() if proc.poll() is not None else ''}"
        assert all(_alive(p) for p in pids)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 15
        while any(_alive(p) for p in pids) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = [p for p in pids if _alive(p)]
        assert not left, f"still running after the crawl process was killed: {left} (workers, then tracker)"
    finally:
        if proc.poll() is None:
            proc.kill()
        for pid in pids if "pids" in locals() else []:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


