"""Turn a fetched page into an article, or into a reject with its reason."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import multiprocessing.connection
import os
import threading
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import asdict

from scrapy.crawler import Crawler

from crawler import reasons
from crawler.text.extract import extract
from crawler.items import PageItem

logger = logging.getLogger(__name__)


def _exit_with_parent() -> None:
    """Worker initializer: end this worker as soon as the crawl process is gone.

    A pool worker waits on a queue whose pipe it holds both ends of, so a SIGKILLed crawl
    would leave it (and, through it, multiprocessing's resource tracker) alive for ever. The
    parent's sentinel (a pipe the parent alone writes) becomes readable when the parent dies,
    however it dies; a daemon thread waits on it and exits the worker."""
    parent = multiprocessing.parent_process()
    if parent is None:  # pragma: no cover  (not started by multiprocessing)
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _extract_to_dict(html: str, url: str, timeout: float | None = None) -> tuple[dict | None, str | None]:
    article, reason = extract(html, url, timeout=timeout)
    return (asdict(article) if article is not None else None), reason


class ExtractPipeline:
    """Thin Scrapy wrapper around :func:`crawler.text.extract.extract`.

    Extraction is CPU-bound (lxml + trafilatura), so with ``ARCHIVE_EXTRACT_WORKERS`` > 0 it
    runs in a process pool and the crawl keeps downloading meanwhile; 0 runs it inline.
    """

    def __init__(self, crawler: Crawler, workers: int, timeout: float | None = None):
        self.crawler = crawler
        # ARCHIVE_EXTRACT_TIMEOUT: a page over it is a ``timeout-extract`` reject.
        self.timeout = timeout or None
        self.stats = crawler.stats
        self.workers = workers
        self.pool: Executor | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        return cls(crawler, crawler.settings.getint("ARCHIVE_EXTRACT_WORKERS"),
                   crawler.settings.getfloat("ARCHIVE_EXTRACT_TIMEOUT"))

    def open_spider(self) -> None:
        if self.workers > 0:
            # spawn, not fork: forking a process that runs a reactor and threads is unsafe.
            self.pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                            initializer=_exit_with_parent)

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    async def process_item(self, item: PageItem) -> PageItem:
        if item.reject_reason or item.html is None:
            item.reject_reason = item.reject_reason or reasons.NO_CONTENT
            self._count_reject(item)
            return item
        url = item.final_url or item.url
        if self.pool is not None:
            loop = asyncio.get_running_loop()
            article, reason = await loop.run_in_executor(self.pool, _extract_to_dict, item.html, url,
                                                         self.timeout)
        else:
            article, reason = _extract_to_dict(item.html, url, self.timeout)
        item.html = None  # the text is what travels on; free the page early
        if article is None:
            item.reject_reason = reason or reasons.UNKNOWN
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
