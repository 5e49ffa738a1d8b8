"""Give each article its content hash and spot content that is already archived."""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.store.archive import Archive
from crawler.items import PageItem
from crawler.text import content_hash

logger = logging.getLogger(__name__)


class DedupePipeline:
    """Same canonical text = same article, whatever the URL, encoding or tone placement.

    A duplicate is not dropped: it keeps flowing to the store, which records its URL as an
    alias of the archived article (``urls`` table) without storing the text twice.
    """

    def __init__(self, crawler: Crawler, db_path: str):
        self.stats = crawler.stats
        self.db_path = db_path
        self.seen: set[str] = set()
        self.archive: Archive | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupePipeline:
        path = crawler.settings.get("ARCHIVE_DB")
        if not path:
            raise NotConfigured("ARCHIVE_DB is empty")
        return cls(crawler, path)

    def open_spider(self) -> None:
        self.archive = Archive(self.db_path)

    def close_spider(self) -> None:
        if self.archive is not None:
            self.archive.close()

    def process_item(self, item: PageItem) -> PageItem:
        if item.article is None:
            return item
        item.hash = content_hash(item.article["text"])
        if item.hash in self.seen or self.archive.has_hash(item.hash):
            item.duplicate = True
            item.article = None
            self.stats.inc_value("archive/duplicate")
            logger.info("Duplicate %s: same text as article %s", item.url, item.hash)
        else:
            self.seen.add(item.hash)
        return item
