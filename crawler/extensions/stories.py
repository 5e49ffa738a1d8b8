"""Place each crawl's new articles into stories (``crawler.stories``), as the crawl stores them.

At spider close (after the store pipeline's last flush), and, with ``ARCHIVE_STORIES_EVERY``
> 0, also every that many scraped items during the crawl, the site's articles not placed yet
are placed (``crawler.stories.placement.place_unplaced``): compared with what is already
placed, never re-clustering the archive. Articles of other sources (imports, a crawl with this
extension off) wait for ``python -m crawler stories``.

Placing is an addition to the archive, never a condition of it: when the store has given up
(``store-failed``) nothing is placed, and a placement that fails (a full disk, a lock) is
logged once and counted in ``stories/errors``; its articles stay unplaced until the next
crawl or ``python -m crawler stories`` places them. Placement uses the crawl's one archive
connection (``crawler.extensions.archive``).

Settings: ``ARCHIVE_STORIES_ENABLED`` (off: ``NotConfigured``), ``ARCHIVE_STORIES_EVERY``.
Stats: ``stories/placed``, ``stories/copy``, ``stories/rewrite``, ``stories/alone``,
``stories/seconds``, ``stories/errors``.
"""

from __future__ import annotations

import logging
import sqlite3
import time

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.extensions.archive import ArchiveConnection
from crawler.store.errors import ArchiveError
from crawler.stories.placement import place_unplaced

logger = logging.getLogger(__name__)


class StoriesExtension:
    def __init__(self, crawler: Crawler, connection: ArchiveConnection, every: int):
        self.crawler = crawler
        self.connection = connection
        self.every = every
        self.failed = False
        self.scraped = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoriesExtension:
        s = crawler.settings
        if not s.getbool("ARCHIVE_STORIES_ENABLED"):
            raise NotConfigured("ARCHIVE_STORIES_ENABLED is off")
        connection = ArchiveConnection.from_crawler(crawler)  # NotConfigured without ARCHIVE_DB
        ext = cls(crawler, connection, max(0, s.getint("ARCHIVE_STORIES_EVERY")))
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        if ext.every:
            crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        return ext

    def item_scraped(self, item: object, spider: Spider) -> None:
        self.scraped += 1
        if self.scraped % self.every == 0:
            self.place(spider)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.place(spider)

    def place(self, spider: Spider) -> None:
        if self.failed or self.connection.failure is not None or self.connection.held is not None:
            return  # the store gave up, placing already failed once, or the crawl never ran
        site = getattr(spider, "site", None) or spider.name
        started = time.monotonic()
        stats = self.crawler.stats
        try:
            counts = place_unplaced(self.connection.archive.db, site=site)
        except (sqlite3.Error, ArchiveError) as exc:
            self.failed = True
            stats.inc_value("stories/errors")
            logger.warning("Stories: could not place the new articles of %s (%s: %s); they stay "
                           "unplaced until the next crawl or `python -m crawler stories`",
                           site, type(exc).__name__, exc)
            return
        for key in ("placed", "copy", "rewrite", "alone"):
            stats.inc_value(f"stories/{key}", counts[key])
        stats.inc_value("stories/seconds", round(time.monotonic() - started, 3))
        logger.info("Stories: placed %d new articles of %s (%d copies, %d rewrites, %d alone)",
                    counts["placed"], site, counts["copy"], counts["rewrite"], counts["alone"])
