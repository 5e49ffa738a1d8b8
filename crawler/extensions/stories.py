"""Place each crawl's new articles into stories (``crawler.stories``), as the crawl stores them.

At spider close (after the store pipeline's last flush), and, with ``ARCHIVE_STORIES_EVERY``
> 0, also every that many scraped items during the crawl, the site's articles not placed yet
are placed (``crawler.stories.placement.place_unplaced``): compared with what is already
placed, never re-clustering the archive. Articles of other sources (imports, a crawl with this
extension off) wait for ``python -m crawler stories``.

Settings: ``ARCHIVE_STORIES_ENABLED`` (off: ``NotConfigured``), ``ARCHIVE_STORIES_EVERY``.
Stats: ``stories/placed``, ``stories/copy``, ``stories/rewrite``, ``stories/alone``,
``stories/seconds``.
"""

from __future__ import annotations

import logging
import time

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.store.archive import Archive
from crawler.stories.placement import place_unplaced

logger = logging.getLogger(__name__)


class StoriesExtension:
    def __init__(self, crawler: Crawler, db_path: str, every: int):
        self.crawler = crawler
        self.db_path = db_path
        self.every = every
        self.scraped = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoriesExtension:
        s = crawler.settings
        if not s.getbool("ARCHIVE_STORIES_ENABLED"):
            raise NotConfigured("ARCHIVE_STORIES_ENABLED is off")
        path = s.get("ARCHIVE_DB")
        if not path:
            raise NotConfigured("ARCHIVE_DB is empty")
        ext = cls(crawler, path, max(0, s.getint("ARCHIVE_STORIES_EVERY")))
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
        site = getattr(spider, "site", None) or spider.name
        started = time.monotonic()
        with Archive(self.db_path) as archive:
            counts = place_unplaced(archive.db, site=site)
        stats = self.crawler.stats
        for key in ("placed", "copy", "rewrite", "alone"):
            stats.inc_value(f"stories/{key}", counts[key])
        stats.inc_value("stories/seconds", round(time.monotonic() - started, 3))
        logger.info("Stories: placed %d new articles of %s (%d copies, %d rewrites, %d alone)",
                    counts["placed"], site, counts["copy"], counts["rewrite"], counts["alone"])
