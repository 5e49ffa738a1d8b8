"""Write articles, URL aliases and rejects to archive.db in short batched transactions."""

from __future__ import annotations

import logging
import time
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.store.archive import Archive
from crawler.items import PageItem

logger = logging.getLogger(__name__)


def to_record(item: PageItem) -> dict[str, Any]:
    if item.hash is not None:
        return {
            "kind": "article",
            "hash": item.hash,
            "urls": item.seen_urls,
            "site": item.site,
            "fetched_at": item.fetched_at,
            "article": item.article,
            "warc_file": item.warc_file,
            "warc_offset": item.warc_offset,
        }
    return {
        "kind": "reject",
        "url": item.url,
        "site": item.site,
        "reason": item.reject_reason or "unknown",
        "detail": item.reject_detail,
        "status": item.status,
        "fetched_at": item.fetched_at,
    }


class StorePipeline:
    """Buffers records and flushes every ``ARCHIVE_BATCH_SIZE`` items or
    ``ARCHIVE_FLUSH_SECONDS``, whichever comes first, and at close.

    Short transactions keep the database readable (Datasette) while a crawl runs; a killed
    crawl loses only the unflushed batch, whose URLs are not yet known and so are fetched again.
    """

    def __init__(self, crawler: Crawler, db_path: str, batch_size: int, flush_seconds: float, timeout: float):
        self.stats = crawler.stats
        self.db_path = db_path
        self.batch_size = max(1, batch_size)
        self.flush_seconds = flush_seconds
        self.timeout = timeout
        self.buffer: list[dict[str, Any]] = []
        self.last_flush = time.monotonic()
        self.archive: Archive | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        s = crawler.settings
        path = s.get("ARCHIVE_DB")
        if not path:
            raise NotConfigured("ARCHIVE_DB is empty")
        return cls(crawler, path, s.getint("ARCHIVE_BATCH_SIZE"), s.getfloat("ARCHIVE_FLUSH_SECONDS"),
                   s.getfloat("ARCHIVE_DB_TIMEOUT"))

    def open_spider(self) -> None:
        self.archive = Archive(self.db_path, timeout=self.timeout)

    def close_spider(self) -> None:
        self.flush()
        if self.archive is not None:
            self.archive.close()

    def process_item(self, item: PageItem) -> PageItem:
        self.buffer.append(to_record(item))
        if len(self.buffer) >= self.batch_size or time.monotonic() - self.last_flush >= self.flush_seconds:
            self.flush()
        return item

    def flush(self) -> None:
        self.last_flush = time.monotonic()
        if not self.buffer or self.archive is None:
            return
        batch, self.buffer = self.buffer, []
        result = self.archive.store(batch)
        self.stats.inc_value("archive/inserted", result.inserted)
        self.stats.inc_value("archive/alias", result.duplicates - result.unchanged)
        self.stats.inc_value("archive/unchanged", result.unchanged)  # refetched, same text
        self.stats.inc_value("archive/revised", result.revised)  # refetched, new revision
        self.stats.inc_value("archive/rejected", result.rejects)
        self.stats.inc_value("archive/batches")
        logger.debug("Stored batch: %s", result)
