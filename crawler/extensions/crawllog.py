"""Record each crawl run in the ``crawls`` table: when, with which arguments, and its figures.

The rows are written through the run record (``crawler.store.runs``). The run's end is written
whatever else failed: when the crawl's connection cannot write it (a lock held past the
spider's close, a connection the store broke), it is written again when the engine has stopped,
on a fresh connection that waits up to ``ARCHIVE_DB_TIMEOUT`` × ``ARCHIVE_DB_LOCK_ATTEMPTS``.

One crawl of a paper at a time on an archive (``crawler.store.runs``): a crawl whose paper is
held by another live crawl closes at once with finish reason ``already-running`` (exit status
8), fetching nothing and writing no row; the sentence naming the holder is its
``archive/finish_detail``, which ``scrapy crawl`` and ``crawl-all`` print as their last line.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider

from crawler import reasons
from crawler.extensions.archive import ArchiveConnection
from crawler.extensions.reachability import DETAIL_STAT
from crawler.extensions.summary import logged_errors
from crawler.jobs.sitesync import sync_sites
from crawler.store.archive import Archive, is_store_error, one_line
from crawler.store.runs import Held, Runs, finish_on_fresh

logger = logging.getLogger(__name__)

# Spider attributes worth keeping with the run, so a row says what was asked for.
_ARGS = ("base_url", "since", "max_pages", "url", "refresh_days", "article_path")


class CrawlLog:
    """A row is written when the spider opens (so a killed run still leaves a trace, with
    ``finished`` empty) and completed with the run's stats when it closes. The row's id is set
    on the crawler as ``crawler.crawl_id`` (the spider files its listing walks under it)."""

    def __init__(self, crawler: Crawler, connection: ArchiveConnection):
        self.crawler = crawler
        self.connection = connection
        self.crawl_id: int | None = None
        self.site: str | None = None
        self._unreleased = False  # the paper's lock, when the run's end could not free it
        self._unwritten_end: dict[str, Any] | None = None  # the run's end, when it could not be written

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlLog:
        ext = cls(crawler, ArchiveConnection.from_crawler(crawler))  # NotConfigured without ARCHIVE_DB
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        args = {k: getattr(spider, k) for k in _ARGS if getattr(spider, k, None) is not None}
        archive = self.connection.archive
        # `site`: the name records are filed under (the spider's, or the host for `news`)
        self.site = getattr(spider, "site", None) or spider.name
        try:
            self.crawl_id = Runs(archive).start(self.site, args, hold=True)
        except Held as held:
            self.connection.held = held
            self.crawler.stats.set_value(DETAIL_STAT, str(held))
            logger.warning("%s: %s", self.site, held, extra={"spider": spider})
            raise CloseSpider(reasons.ALREADY_RUNNING) from held
        self.crawler.crawl_id = self.crawl_id  # type: ignore[attr-defined]
        sync_sites(archive, [type(spider)])  # so its articles get their province at once

    def figures(self) -> dict[str, int]:
        stats = self.crawler.stats.get_stats()
        return {
            "requests": stats.get("downloader/request_count", 0),
            "new_articles": stats.get("archive/inserted", 0),
            "duplicates": stats.get("archive/alias", 0),
            "rejects": stats.get("archive/rejected", 0),
            "errors": logged_errors(stats),  # this crawl's own, also under crawl-all
            "lost_records": self.connection.lost_records,  # set by the store pipeline at its close
        }

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.crawl_id is None:
            return
        if self.connection.finish_reason(reason) != reason:  # the store gave up, at its last flush too
            reason = self.connection.finish_reason(reason)
            self.crawler.stats.set_value("finish_reason", reason)  # CoreStats set it before us
        figures = self.figures()
        stats = self.crawler.stats.get_stats()
        try:
            Runs(self.connection.archive).finish(self.crawl_id, finish_reason=reason, figures=figures, stats=stats)
        except Exception as exc:
            if not is_store_error(exc):
                raise
            # Not lost: tried again once the engine has stopped, on a connection of its own.
            self._unwritten_end = {"finish_reason": reason}
            logger.warning("Cannot record how the run ended yet (%s); trying again at the end",
                           one_line(str(exc) or type(exc).__name__))
        self._release(Runs(self.connection.archive))
        # The summary (crawler/extensions/summary.py) says this and more at INFO.
        spider.logger.debug(
            "Crawl %s finished (%s): %d requests, %d new articles, %d duplicates, %d rejects",
            self.crawl_id, reason, figures["requests"], figures["new_articles"], figures["duplicates"], figures["rejects"],
        )

    def _release(self, runs: Runs) -> None:
        assert self.site is not None and self.crawl_id is not None
        try:
            runs.release(self.site, self.crawl_id)
            self._unreleased = False
        except Exception as exc:
            if not is_store_error(exc):
                raise
            # Harmless if it stays: once this process has exited, the next crawl takes it over.
            self._unreleased = True

    def engine_stopped(self) -> None:
        self._write_end()
        if self._unreleased:
            try:
                with Archive(self.connection.path, timeout=self.connection.timeout) as archive:
                    self._release(Runs(archive))
            except Exception as exc:
                if not is_store_error(exc):
                    raise
                self._unreleased = True

    def _write_end(self) -> None:
        if self._unwritten_end is None or self.crawl_id is None:
            return
        end, self._unwritten_end = self._unwritten_end, None
        wait = self.connection.timeout * max(1, self.connection.lock_attempts)
        try:
            finish_on_fresh(self.connection.path, self.crawl_id, wait_seconds=wait, figures=self.figures(),
                            stats=self.crawler.stats.get_stats(), **end)
            logger.info("Recorded how the run ended, on a fresh connection")
        except Exception as exc:
            if not is_store_error(exc):
                raise
            logger.error("Cannot record how the run ended: %s", one_line(str(exc) or type(exc).__name__))
