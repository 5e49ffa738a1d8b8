"""The run record (``crawls``) is written whatever else failed, and counts every ERROR.

Real crawls (``scrapy crawl`` in a subprocess) of the loopback sample site into a real archive,
with another writer holding the database's write lock.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from pathlib import Path

import pytest

from crawler.store.archive import Archive
from samplesite.server import SampleSite
from tests.conftest import rows, start_crawl

pytestmark = pytest.mark.e2e


def hold_lock(path: Path) -> sqlite3.Connection:
    """Another writer holding the write lock (an open IMMEDIATE transaction)."""
    blocker = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    blocker.execute("UPDATE crawls SET args = args")
    return blocker


def wait_for(log_path: Path, text: str, proc, deadline: float) -> bool:
    while time.monotonic() < deadline and proc.poll() is None:
        if text in log_path.read_text(encoding="utf-8"):
            return True
        time.sleep(0.02)
    return text in log_path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def locked_past_close(tmp_path_factory):
    """A crawl locked out of its archive from its start until after its spider has closed."""
    with SampleSite(articles=30, traps=False) as site:
        return _locked_past_close(tmp_path_factory.mktemp("locked-past-close") / "archive.db", site)


def _locked_past_close(db: Path, clean_site: SampleSite):
    Archive(db).close()
    proc, log_path = start_crawl(clean_site, db, name="run-record-locked-past-close",
                                 settings={"ARCHIVE_BATCH_SIZE": 3, "ARCHIVE_DB_TIMEOUT": 0.2,
                                           "ARCHIVE_DB_LOCK_ATTEMPTS": 3, "ARCHIVE_EXTRACT_WORKERS": 0,
                                           "ARCHIVE_WARC_DIR": ""})
    blocker = None
    try:
        deadline = time.monotonic() + 90
        while not rows(db, "SELECT id FROM crawls") and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.02)
        blocker = hold_lock(db)
        # held through the spider's close: Scrapy says "Spider closed" after every spider_closed handler ran
        wait_for(log_path, "Spider closed", proc, deadline)
        blocker.rollback()
        proc.wait(timeout=60)
    finally:
        if blocker is not None:
            blocker.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, log_path.read_text(encoding="utf-8"), rows(db, "SELECT * FROM crawls")


def test_a_lock_held_past_the_close_still_leaves_the_run_recorded(locked_past_close):
    returncode, log, crawls = locked_past_close
    (crawl,) = crawls
    assert crawl["finished"] is not None, log[-3000:]
    assert crawl["finish_reason"] == "store-failed" and returncode == 5
    stats = json.loads(crawl["stats"])
    assert crawl["lost_records"] == stats["archive/lost"] > 0
    assert "Traceback" not in log and "Error caught on signal handler" not in log


def test_the_store_errors_are_counted_in_the_run_and_its_summary(locked_past_close):
    returncode, log, crawls = locked_past_close
    (crawl,) = crawls
    logged = len(re.findall(r"\] ERROR: |\bERROR\b: ", log))
    store_errors = log.count("Store failed, closing the spider") + log.count("could not be stored")
    assert store_errors >= 2, log[-3000:]
    assert crawl["errors"] >= store_errors
    summary = re.search(r"errors\s+(\d+) ERROR log lines", log)
    assert summary and int(summary.group(1)) == crawl["errors"], log[-3000:]
    assert crawl["errors"] <= logged


def test_a_batch_is_flushed_on_time_even_when_no_item_follows_it(tmp_path):
    """Articles that arrive together and then nothing for a while (every page is slow) are written
    within ``ARCHIVE_FLUSH_SECONDS``, not when the next item happens to come."""
    db = tmp_path / "archive.db"
    with SampleSite(articles=20, traps=False, latency=8.0) as site:
        proc, log_path = start_crawl(site, db, name="run-record-flush-timer",
                                     settings={"ARCHIVE_BATCH_SIZE": 1000, "ARCHIVE_FLUSH_SECONDS": 1,
                                               "ARCHIVE_EXTRACT_WORKERS": 0, "ARCHIVE_WARC_DIR": "",
                                               "CONCURRENT_REQUESTS": 8, "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
                                               "DOWNLOAD_TIMEOUT": 30, "ARCHIVE_STORIES_ENABLED": 0})
        try:
            deadline = time.monotonic() + 90
            count = lambda: rows(db, "SELECT count(*) FROM articles")[0][0] if db.exists() else 0  # noqa: E731
            while time.monotonic() < deadline and proc.poll() is None:
                try:
                    if count() >= 1:
                        break
                except sqlite3.OperationalError:  # the archive is being created
                    pass
                time.sleep(0.05)
            first = time.monotonic()
            assert count() >= 1, log_path.read_text(encoding="utf-8")[-3000:]
            # the wave that brought the first article brought others: written within ~1 s, while
            # the next wave of responses is still 8 s away
            while count() < 2 and time.monotonic() - first < 3.5:
                time.sleep(0.05)
            assert count() >= 2, log_path.read_text(encoding="utf-8")[-3000:]
        finally:
            proc.kill()
            proc.wait(timeout=30)
