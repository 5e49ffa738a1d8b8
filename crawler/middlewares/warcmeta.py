"""Carry each page's WARC capture from the response onto the item the spider made of it.

``crawler.middlewares.warc.WarcMiddleware`` (downloader side) puts ``{"file", "offset", "length"}`` in
``request.meta["warc"]``; this spider middleware copies it onto every ``PageItem`` the spider
yields for that response, so the store can record on the ``articles`` and ``urls`` rows where
the page's raw capture is. Spiders need not know about WARC at all.
"""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from crawler.items import PageItem
from crawler.store.warc import META_KEY, settings_warc_dir


class WarcMetaMiddleware(BaseSpiderMiddleware):
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcMetaMiddleware:
        if settings_warc_dir(crawler.settings) is None:
            raise NotConfigured("ARCHIVE_WARC_DIR is empty")
        return cls(crawler)

    def get_processed_item(self, item: Any, response: Response | None) -> Any:
        if not isinstance(item, PageItem) or response is None or item.warc_file is not None:
            return item
        try:
            capture = response.meta.get(META_KEY)
        except AttributeError:  # a response without its request
            return item
        if capture and item.html is not None:
            item.warc_file = capture["file"]
            item.warc_offset = capture["offset"]
        return item
