"""Turn a fetched page into an article, or into a reject with its reason."""

from __future__ import annotations

import asyncio
import logging

from pebble import ProcessPool
from scrapy.crawler import Crawler

from crawler import extractpool, reasons
from crawler.items import PageItem
from pipelines.contract import reject_on_error

logger = logging.getLogger(__name__)


class ExtractPipeline:
    """Thin Scrapy wrapper around :func:`crawler.text.extract.extract`.

    Extraction is CPU-bound (lxml + trafilatura), so with ``ARCHIVE_EXTRACT_WORKERS`` > 0 it
    runs in a process pool (``crawler.extractpool``) and the crawl keeps downloading meanwhile;
    0 runs it inline. Every page leaves as an article or a reject with its reason: a page over
    ``ARCHIVE_EXTRACT_MAX_ELEMENTS`` is ``too-many-elements`` before it is parsed; over
    ``ARCHIVE_EXTRACT_TIMEOUT`` it is ``timeout-extract``, in a worker even inside a long C call
    (the worker is killed and replaced; inline, only the extractor's own budget holds); an
    exception, or a worker that died, is ``stage-error`` with the exception in ``detail``.
    """

    stage = "extract"

    def __init__(self, crawler: Crawler, workers: int, timeout: float | None = None, max_elements: int = 0):
        self.crawler = crawler
        self.timeout = timeout or None
        self.max_elements = max(0, max_elements)
        self.stats = crawler.stats
        self.workers = workers
        self.pool: ProcessPool | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        s = crawler.settings
        return cls(crawler, s.getint("ARCHIVE_EXTRACT_WORKERS"), s.getfloat("ARCHIVE_EXTRACT_TIMEOUT"),
                   s.getint("ARCHIVE_EXTRACT_MAX_ELEMENTS"))

    def open_spider(self) -> None:
        if self.workers > 0:
            self.pool = extractpool.extraction_pool(self.workers)

    def close_spider(self) -> None:
        if self.pool is not None:
            extractpool.shutdown(self.pool)
            self.pool = None

    @reject_on_error
    async def process_item(self, item: PageItem) -> PageItem:
        if item.reject_reason or item.html is None:
            item.reject_reason = item.reject_reason or reasons.NO_CONTENT
            self._count_reject(item)
            return item
        url = item.final_url or item.url
        if self.pool is not None:
            future = extractpool.submit_page(self.pool, item.html, url, self.timeout, self.max_elements)
            try:
                await asyncio.wrap_future(future)
            except Exception:  # noqa: BLE001 — read below, as the outcome of the page
                pass
            article, reason, detail = extractpool.outcome(future, self.timeout)
        else:
            article, reason, detail = extractpool.extract_page(item.html, url, self.timeout, self.max_elements)
        item.html = None  # the text is what travels on; free the page early
        if article is None:
            item.reject_reason = reason or reasons.UNKNOWN
            item.reject_detail = detail
            self._count_reject(item)
        else:
            item.article = article
            self.stats.inc_value("extract/ok")
        return item

    def _count_reject(self, item: PageItem) -> None:
        self.stats.inc_value("extract/rejected")
        self.stats.inc_value(f"extract/rejected/{item.reject_reason}")
        logger.info("Rejected %s: %s%s", item.url, item.reject_reason,
                    f" ({item.reject_detail})" if item.reject_detail else "")
