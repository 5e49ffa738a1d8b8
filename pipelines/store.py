"""Write articles, URL aliases and rejects to archive.db in short batched transactions."""

from __future__ import annotations

import logging
import time
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task

from crawler import reasons
from crawler.extensions.archive import ArchiveConnection
from crawler.items import PageItem, Record, record_from_item
from crawler.store.archive import Archive, StoreResult
from crawler.store.errors import StoreFailed
from pipelines.contract import DROPPED_STAT, as_stage_error, reject_on_error, watch_drops

logger = logging.getLogger(__name__)


class StorePipeline:
    """Buffers records and flushes every ``ARCHIVE_BATCH_SIZE`` items or
    ``ARCHIVE_FLUSH_SECONDS``, whichever comes first, and at close.

    The store decides what each record is (``Archive.store``: new, alias, unchanged, revised,
    rejected, unstorable) and this pipeline counts it: ``archive/inserted``, ``archive/alias``,
    ``archive/unchanged``, ``archive/revised``, ``archive/rejected``, ``archive/unstorable``.

    Short transactions keep the database readable (Datasette) while a crawl runs; a killed
    crawl loses only the unflushed batch, whose URLs are not yet known and so are fetched again.
    When the database itself fails for good (``StoreFailed``: disk full, a lock that outlasts
    every retry, an I/O error), fetching more pages is pointless: the spider is closed with
    ``store-failed``, later items are held, everything unwritten is tried once more at close,
    and what still fails is counted in ``archive/lost`` and ``crawls.lost_records``.

    The pipeline contract (``pipelines.contract``): a page this stage raises on is stored as a
    ``stage-error`` reject; a batch the store raised on other than ``StoreFailed`` (a bug) is
    counted in ``archive/dropped``, and so the run is not completed.
    """

    stage = "store"

    def __init__(self, crawler: Crawler, connection: ArchiveConnection, batch_size: int, flush_seconds: float):
        self.crawler = crawler
        self.stats = crawler.stats
        self.connection = connection
        self.batch_size = max(1, batch_size)
        self.flush_seconds = flush_seconds
        self.buffer: list[Record] = []
        self.unwritten: list[Record] = []  # after a store failure: records not written yet
        self.last_flush = time.monotonic()
        self.archive: Archive | None = None
        self.timer: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        s = crawler.settings
        watch_drops(crawler)
        pipeline = cls(crawler, ArchiveConnection.from_crawler(crawler), s.getint("ARCHIVE_BATCH_SIZE"),
                       s.getfloat("ARCHIVE_FLUSH_SECONDS"))
        crawler.signals.connect(pipeline.item_error, signal=signals.item_error)
        return pipeline

    def item_error(self, item: Any, response: Any = None, spider: Any = None, failure: Any = None) -> None:
        """Any pipeline that raised on a page (one of ours outside the contract, or a third
        party's): the page is stored as a ``stage-error`` reject all the same."""
        exc = getattr(failure, "value", None) or RuntimeError("a pipeline failed")
        if not isinstance(item, PageItem):
            self.stats.inc_value(DROPPED_STAT)
            return
        as_stage_error(self, item, exc, name="pipeline")
        self.after_error(item)

    @property
    def failed(self) -> bool:
        return self.connection.failure is not None

    def open_spider(self) -> None:
        self.archive = self.connection.archive
        if self.flush_seconds > 0:
            # a batch waits no longer than flush_seconds even when no item comes after it
            # (a slow page, a long listing walk)
            self.timer = task.LoopingCall(self._flush_if_due)
            self.timer.start(self.flush_seconds, now=False)

    def _flush_if_due(self) -> None:
        if self.buffer and time.monotonic() - self.last_flush >= self.flush_seconds:
            self.flush()

    def close_spider(self) -> None:
        if self.timer is not None and self.timer.running:
            self.timer.stop()
        self.flush()
        if self.failed and self.archive is not None:
            pending, self.unwritten = self.unwritten, []
            if pending:
                # The lock may have gone, or the failed transaction freed its space: one more try.
                try:
                    self._count(self.archive.store(pending))
                    logger.info("Stored at close the %d records a failed write had left", len(pending))
                except StoreFailed as exc:
                    self._count(exc.stored)
                    self.unwritten = list(exc.pending)
        lost = len(self.unwritten) if self.failed else 0
        self.connection.lost_records = lost
        if lost:
            self.stats.set_value("archive/lost", lost)
            logger.error("%d records of this crawl could not be stored (%s)", lost, self.connection.failure)

    @reject_on_error
    def process_item(self, item: PageItem) -> PageItem:
        if self.failed:
            self.unwritten.append(record_from_item(item))
            return item
        self.buffer.append(record_from_item(item))
        if len(self.buffer) >= self.batch_size or time.monotonic() - self.last_flush >= self.flush_seconds:
            self.flush()
        return item

    def after_error(self, item: PageItem) -> None:
        """The contract's reject for a page this stage raised on, stored like any other."""
        try:
            (self.unwritten if self.failed else self.buffer).append(record_from_item(item))
        except Exception:  # noqa: BLE001 — even the reject cannot be made
            logger.exception("Could not record %s", item.url)
            self.stats.inc_value(DROPPED_STAT)

    def flush(self) -> None:
        self.last_flush = time.monotonic()
        if not self.buffer or self.archive is None:
            return
        batch, self.buffer = self.buffer, []
        if self.failed:
            self.unwritten.extend(batch)
            return
        try:
            result = self.archive.store(batch)
        except StoreFailed as exc:
            self._count(exc.stored)
            self._fail(exc)
            return
        except Exception:  # noqa: BLE001 — not the database's failure: a bug; the batch is counted lost
            logger.exception("Store raised on a batch of %d records", len(batch))
            self.stats.inc_value(DROPPED_STAT, len(batch))
            return
        self._count(result)
        self.stats.inc_value("archive/batches")
        logger.debug("Stored batch: %s", result)

    def _count(self, result: StoreResult) -> None:
        for key, n in (("archive/inserted", result.inserted), ("archive/alias", result.aliases),
                       ("archive/unchanged", result.unchanged), ("archive/revised", result.revised),
                       ("archive/rejected", result.rejects), ("archive/unstorable", result.unstorable)):
            if n:
                self.stats.inc_value(key, n)

    def _fail(self, exc: StoreFailed) -> None:
        self.connection.failure = str(exc)
        self.unwritten.extend(exc.pending)
        self.stats.set_value("archive/store_failed", 1)
        logger.error("Store failed, closing the spider: %s", exc)
        try:
            engine = self.crawler.engine
        except RuntimeError:  # not crawling (a pipeline driven by hand)
            return
        if engine is not None and engine.spider is not None:
            deferred_from_coro(engine.close_spider_async(reason=reasons.STORE_FAILED))
