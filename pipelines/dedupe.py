"""A read-only hint: has the archive got this text already? (Not in ``ITEM_PIPELINES``.)

Novelty is decided by the store, once, inside the transaction that writes the record
(``crawler.store.archive.Archive.store``); an earlier guess goes stale as soon as a batch fails
or another crawl writes. This pipeline only annotates items for pipelines of your own that
want a hint before the store (``item.hash``, ``item.duplicate``), counts ``dedupe/known``, and
never changes what is stored. It stays importable for settings that still list it.
"""

from __future__ import annotations

from scrapy.crawler import Crawler

from crawler.extensions.archive import ArchiveConnection
from crawler.items import PageItem
from crawler.text import content_hash


class DedupePipeline:
    def __init__(self, crawler: Crawler, connection: ArchiveConnection):
        self.stats = crawler.stats
        self.connection = connection

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupePipeline:
        return cls(crawler, ArchiveConnection.from_crawler(crawler))

    def process_item(self, item: PageItem) -> PageItem:
        if item.article is None:
            return item
        try:
            item.hash = content_hash(item.article["text"])
        except UnicodeError:  # the store will reject it as unstorable, with the error
            return item
        item.duplicate = self.connection.archive.has_hash(item.hash)
        if item.duplicate:
            self.stats.inc_value("dedupe/known")
        return item
