"""A bad record never takes its batch with it; a failing database ends the crawl, counted.

Real SQLite files throughout: a lone surrogate in a title, a lock another writer holds past
every retry, a full disk (a small tmpfs, when the tests run as root).
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from scrapy import signals
from scrapy.utils.test import get_crawler

from crawler import reasons
from crawler.extensions.archive import ArchiveConnection, crawl_archive
from crawler.extensions.crawllog import CrawlLog
from crawler.items import ArticleRecord, PageItem, RejectRecord
from crawler.store.archive import Archive
from crawler.store.errors import StoreFailed
from crawler.text import content_hash
from pipelines.extract import ExtractPipeline
from pipelines.store import StorePipeline
from spiders.baocamau import BaoCaMauSpider
from tests.conftest import rows, run_crawl
from tests.small_disk import fill, small_disk

AT = "2025-07-24T00:00:00+00:00"
PAGES = Path(__file__).parent / "fixtures" / "pages"


def text(n: int) -> str:
    return f"Bài số {n}: Tỉnh ủy Cà Mau họp bàn về nông nghiệp.\n\n" + "Nội dung bài báo dài. " * 20


def art(n: int, title: str | None = None) -> ArticleRecord:
    return ArticleRecord(urls=[f"https://baocamau.vn/bai-a{n}.html"], site="baocamau", fetched_at=AT,
                         article={"title": title or f"Bài {n}", "text": text(n)})


def item(n: int, title: str | None = None) -> PageItem:
    rec = art(n, title)
    return PageItem(url=rec.url, site="baocamau", fetched_at=AT, status=200, article=rec.article)


# -- a bad record ---------------------------------------------------------------------------------


def test_a_lone_surrogate_in_a_title_rejects_that_page_only(tmp_path):
    with Archive(tmp_path / "archive.db") as archive:
        result = archive.store([art(1), art(2, title="Tin nóng \ud83d hôm nay"), art(3),
                                RejectRecord("https://baocamau.vn/x-a9.html", "baocamau", "http-404", AT)])
        assert result.outcomes == ("new", "unstorable", "new", "rejected")
        assert (result.inserted, result.unstorable, result.rejects) == (2, 1, 2)
        assert archive.db["articles"].count == 2
        row = archive.db["rejects"].get("https://baocamau.vn/bai-a2.html")
        assert row["reason"] == reasons.UNSTORABLE == "unstorable"
        assert "UnicodeEncodeError" in row["detail"] and "surrogates not allowed" in row["detail"]
        # Not permanent: a fixed extractor gets the page again after the back-off.
        assert "https://baocamau.vn/bai-a2.html" not in archive.known_urls("baocamau", retry_after=timedelta(0))


def test_a_surrogate_in_the_url_itself_still_gives_a_reject_row(tmp_path):
    bad = ArticleRecord(urls=["https://baocamau.vn/\udcc3-a7.html"], site="baocamau", fetched_at=AT,
                        article={"title": "x", "text": text(7)})
    with Archive(tmp_path / "archive.db") as archive:
        assert archive.store([bad, art(8)]).outcomes == ("unstorable", "new")
        (reject,) = archive.db["rejects"].rows
        assert reject["url"] == "https://baocamau.vn/\\udcc3-a7.html" and reject["reason"] == "unstorable"


def test_the_batch_after_a_bad_one_is_stored_too(tmp_path):
    """Yesterday's bug: the dedupe stage remembered the hashes of a failed batch, so the next
    batch's copies of those texts were written as aliases of articles that did not exist."""
    crawler = get_crawler(BaoCaMauSpider, {"ARCHIVE_DB": str(tmp_path / "archive.db"), "ARCHIVE_BATCH_SIZE": 3,
                                           "ARCHIVE_EXTRACT_WORKERS": 0})
    crawler.stats.open_spider()
    store = StorePipeline.from_crawler(crawler)
    store.open_spider()
    for it in [item(1), item(2, title="\ud800"), item(3),  # first batch: one bad record
               item(4), PageItem(url="https://baocamau.vn/copy-a5.html", site="baocamau", fetched_at=AT,
                                 article=item(3).article), item(6)]:
        store.process_item(it)
    store.close_spider()
    stats = crawler.stats.get_stats()
    assert (stats["archive/inserted"], stats["archive/alias"], stats["archive/unstorable"]) == (4, 1, 1)
    assert "archive/lost" not in stats and store.connection.failure is None
    archive = crawl_archive(crawler)
    assert archive.db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert {r["url"]: r["hash"] for r in archive.db["urls"].rows}["https://baocamau.vn/copy-a5.html"] == \
        content_hash(text(3))
    store.connection.close()


# -- a failing database ---------------------------------------------------------------------------


def hold_lock(path: Path) -> sqlite3.Connection:
    """Another writer holding the write lock (an open IMMEDIATE transaction)."""
    blocker = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    blocker.execute("UPDATE crawls SET args = args")
    return blocker


def test_a_lock_held_past_every_retry_fails_the_store_with_what_was_not_written(tmp_path):
    path = tmp_path / "archive.db"
    Archive(path).close()
    blocker = hold_lock(path)
    try:
        with Archive(path, timeout=0.1, lock_attempts=2) as archive:
            started = time.monotonic()
            with pytest.raises(StoreFailed) as failed:
                archive.store([art(1), art(2)])
            assert time.monotonic() - started < 5
            assert "database is locked" in str(failed.value) and "2 records not stored" in str(failed.value)
            assert failed.value.stored.outcomes == () and [r.url for r in failed.value.pending] == \
                ["https://baocamau.vn/bai-a1.html", "https://baocamau.vn/bai-a2.html"]
    finally:
        blocker.rollback()
        blocker.close()


def test_a_lock_held_longer_than_the_busy_timeout_but_not_for_ever_loses_nothing(tmp_path):
    path = tmp_path / "archive.db"
    Archive(path).close()
    blocker = hold_lock(path)
    threading.Timer(0.8, blocker.rollback).start()
    try:
        with Archive(path, timeout=0.1, lock_attempts=8) as archive:
            assert archive.store([art(1)]).inserted == 1
    finally:
        time.sleep(0.9)
        blocker.close()


def crawl_parts(tmp_path: Path, **settings):
    crawler = get_crawler(BaoCaMauSpider, {"ARCHIVE_DB": str(tmp_path / "archive.db"), "ARCHIVE_BATCH_SIZE": 2,
                                           "ARCHIVE_EXTRACT_WORKERS": 0, **settings})
    crawler.stats.open_spider()
    spider = BaoCaMauSpider()
    log = CrawlLog.from_crawler(crawler)
    store = StorePipeline.from_crawler(crawler)
    return crawler, spider, log, store


def test_store_pipeline_gives_up_on_a_locked_database_and_the_crawl_row_says_so(tmp_path):
    crawler, spider, log, store = crawl_parts(tmp_path, ARCHIVE_DB_TIMEOUT=0.1, ARCHIVE_DB_LOCK_ATTEMPTS=2)
    log.spider_opened(spider)
    store.open_spider()
    store.process_item(item(1))
    store.process_item(item(2))  # first batch: stored
    blocker = hold_lock(tmp_path / "archive.db")
    try:
        for n in range(3, 8):  # batch 3-4 fails; 5, 6, 7 arrive while the spider closes
            store.process_item(item(n))
        assert store.connection.failure is not None and "database is locked" in store.connection.failure
        store.close_spider()  # tries the five once more: still locked
    finally:
        blocker.rollback()
        blocker.close()
    log.spider_closed(spider, "finished")
    assert crawler.stats.get_value("archive/lost") == 5
    assert crawler.stats.get_value("finish_reason") == reasons.STORE_FAILED
    row = crawl_archive(crawler).db["crawls"].get(log.crawl_id)
    assert row["finish_reason"] == "store-failed" and row["lost_records"] == 5 and row["new_articles"] == 2
    store.connection.close()


def test_records_a_failed_write_left_are_stored_at_close_if_the_lock_has_gone(tmp_path):
    crawler, spider, log, store = crawl_parts(tmp_path, ARCHIVE_DB_TIMEOUT=0.1, ARCHIVE_DB_LOCK_ATTEMPTS=2)
    log.spider_opened(spider)
    store.open_spider()
    blocker = hold_lock(tmp_path / "archive.db")
    store.process_item(item(1))
    store.process_item(item(2))
    blocker.rollback()
    blocker.close()
    store.process_item(item(3))
    store.close_spider()
    log.spider_closed(spider, "store-failed")
    row = crawl_archive(crawler).db["crawls"].get(log.crawl_id)
    # Nothing was lost in the end, but the run was cut short: it stays a failed run.
    assert (row["finish_reason"], row["lost_records"], row["new_articles"]) == ("store-failed", 0, 3)
    store.connection.close()


def test_a_crawl_uses_one_connection_shared_by_its_components(tmp_path):
    crawler, spider, log, store = crawl_parts(tmp_path)
    extract = ExtractPipeline.from_crawler(crawler)
    assert ArchiveConnection.from_crawler(crawler) is store.connection is log.connection
    log.spider_opened(spider)
    store.open_spider()
    assert store.archive is crawl_archive(crawler) is log.connection.archive
    store.process_item(asyncio.run(extract.process_item(PageItem(
        url="https://baocamau.vn/a-a1.html", site="baocamau", fetched_at=AT, status=200,
        html=(PAGES / "baocamau_article.html").read_text(encoding="utf-8")))))
    store.close_spider()
    log.spider_closed(spider, "finished")
    archive = crawl_archive(crawler)
    assert archive.db["articles"].count == 1 and archive.db["crawls"].get(log.crawl_id)["lost_records"] == 0
    crawler.signals.send_catch_log(signal=signals.engine_stopped)
    with pytest.raises(sqlite3.ProgrammingError):  # closed by its owner when the engine stopped
        archive.db.execute("SELECT 1")
    assert crawl_archive(get_crawler(BaoCaMauSpider, {"ARCHIVE_DB": ""})) is None


# -- a full disk ----------------------------------------------------------------------------------


def test_a_full_disk_fails_the_store_and_the_crawl_row_still_counts_the_loss(tmp_path):
    with small_disk(tmp_path / "disk", 1024) as disk:
        path = disk / "archive.db"
        Archive(path).close()
        fill(disk, leave_bytes=200 * 1024)
        with Archive(path) as archive:
            crawl_id = archive.start_crawl("baocamau")
            stored, failed = 0, None
            for batch in range(100):
                try:
                    stored += archive.store([art(batch * 10 + i) for i in range(10)]).inserted
                except StoreFailed as exc:
                    failed = exc
                    break
            assert failed is not None, "the disk never filled"
            assert "full" in str(failed).lower() and len(failed.pending) == 10
            # The rolled-back transaction's room in the WAL takes the run's row.
            archive.finish_crawl(crawl_id, finish_reason=reasons.STORE_FAILED, figures={"lost_records": 10},
                                 stats={})
        with Archive(path, readonly=True) as archive:
            assert archive.db["articles"].count == stored > 0
            assert archive.db["crawls"].get(crawl_id)["lost_records"] == 10
            assert archive.db.execute("PRAGMA quick_check").fetchone()[0] == "ok"


@pytest.mark.e2e
def test_a_crawl_onto_a_full_disk_ends_store_failed_with_its_losses_counted(tmp_path, clean_site):
    with small_disk(tmp_path / "disk", 1024) as disk:
        db = disk / "archive.db"
        Archive(db).close()
        # Room for some batches but not all: each article also fills the search index's prefix
        # lists (m008), so 200-640 KB all work; 160 KB filled up on the first batch.
        fill(disk, leave_bytes=320 * 1024)
        result = run_crawl(clean_site, db, name="store-full-disk", check=False,
                           settings={"ARCHIVE_BATCH_SIZE": 5, "ARCHIVE_WARC_DIR": str(tmp_path / "warc"),
                                     "ARCHIVE_EXTRACT_WORKERS": 0})
        (crawl,) = rows(db, "SELECT * FROM crawls")
        stats = json.loads(crawl["stats"])
        assert crawl["finish_reason"] == "store-failed", result.tail()
        assert result.returncode == 5  # README, "Exit status": records lost
        assert crawl["lost_records"] == stats["archive/lost"] > 0
        assert stats["finish_reason"] == "store-failed" and "Traceback" not in result.log
        assert result.log.count("Store failed, closing the spider") == 1
        stored = rows(db, "SELECT count(*) FROM articles")[0][0]
        assert 0 < stored < len(clean_site.model.articles)


@pytest.mark.e2e
def test_a_crawl_locked_out_of_its_archive_ends_store_failed_with_its_losses_counted(tmp_path, clean_site):
    from tests.conftest import start_crawl

    db = tmp_path / "archive.db"
    Archive(db).close()
    proc, log_path = start_crawl(clean_site, db, name="store-locked",
                                 settings={"ARCHIVE_BATCH_SIZE": 3, "ARCHIVE_DB_TIMEOUT": 0.2,
                                           "ARCHIVE_DB_LOCK_ATTEMPTS": 3, "ARCHIVE_EXTRACT_WORKERS": 0,
                                           "ARCHIVE_WARC_DIR": ""})
    blocker = None
    try:
        deadline = time.monotonic() + 60
        while not rows(db, "SELECT id FROM crawls") and time.monotonic() < deadline:
            time.sleep(0.02)
        blocker = hold_lock(db)  # another writer, from the crawl's start on, for longer than any retry
        while "could not be stored" not in log_path.read_text(encoding="utf-8") and proc.poll() is None \
                and time.monotonic() < deadline:
            time.sleep(0.02)
        blocker.rollback()  # gone: the crawl can still say in its row what it lost
        proc.wait(timeout=60)
    finally:
        if blocker is not None:
            blocker.close()
        if proc.poll() is None:
            proc.kill()
    log = log_path.read_text(encoding="utf-8")
    (crawl,) = rows(db, "SELECT * FROM crawls")
    stats = json.loads(crawl["stats"])
    assert crawl["finish_reason"] == "store-failed", log[-3000:]
    assert proc.returncode == 5  # README, "Exit status": records lost
    assert crawl["lost_records"] == stats["archive/lost"] > 0
    assert "database is locked" in log and "Traceback" not in log
    assert rows(db, "SELECT count(*) FROM articles")[0][0] + crawl["lost_records"] <= len(clean_site.articles)


def test_a_lone_surrogate_escaped_in_json_ld_is_cleaned_away_and_every_page_stored(tmp_path):
    """The reported page: JSON-LD may spell a lone surrogate as ``\\ud83d`` (half an emoji).
    ``clean()`` drops it at extraction, so the page is stored like its neighbours; the store's
    record-by-record fallback (tests above) is the second line of defence."""
    crawler = get_crawler(BaoCaMauSpider, {"ARCHIVE_DB": str(tmp_path / "archive.db"), "ARCHIVE_BATCH_SIZE": 3,
                                           "ARCHIVE_EXTRACT_WORKERS": 0})
    crawler.stats.open_spider()
    extract, store = ExtractPipeline.from_crawler(crawler), StorePipeline.from_crawler(crawler)
    store.open_spider()
    camau = (PAGES / "baocamau_article.html").read_text(encoding="utf-8")
    assert '"name":"Hoàng Lam - Hữu Thọ"' in camau
    pages = {
        "https://baoquangnam.vn/tin-a1.html": (PAGES / "baoquangnam_article.html").read_text(encoding="utf-8"),
        "https://baocamau.vn/tin-a2.html": camau.replace('"name":"Hoàng Lam - Hữu Thọ"',
                                                         '"name":"Hoàng Lam \\ud83d Hữu Thọ"'),
        "https://baocamau.vn/tin-a3.html": camau.replace("</p>", " (cập nhật)</p>", 1),
    }
    for url, html in pages.items():
        it = asyncio.run(extract.process_item(PageItem(url=url, site="baocamau", fetched_at=AT, status=200,
                                                       html=html)))
        assert it.article is not None
        store.process_item(it)
    store.close_spider()
    archive = crawl_archive(crawler)
    assert {r["url"] for r in archive.db["urls"].rows} == set(pages)
    assert not list(archive.db["rejects"].rows)
    author = archive.db.execute("SELECT author FROM articles a JOIN urls u ON u.hash = a.hash"
                                " WHERE u.url = 'https://baocamau.vn/tin-a2.html'").fetchone()[0]
    assert "\ud83d" not in author and "Hoàng Lam" in author and "Hữu Thọ" in author
    assert not crawler.stats.get_value("archive/unstorable") and crawler.stats.get_value("archive/inserted") == 3
    store.connection.close()
