"""robots.txt parsing that also hands the file's ``Sitemap:`` lines to the spider.

Scrapy's ``RobotsTxtMiddleware`` already downloads every site's robots.txt once; fetching it a
second time just to read its ``Sitemap:`` lines would double the request and bypass its cache.
So this parser backend (``ROBOTSTXT_PARSER`` in ``crawler/settings.py``) is Scrapy's Protego
parser plus one call: ``spider.robots_sitemaps(urls)`` when the spider has that method.
"""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from scrapy.robotstxt import ProtegoRobotParser
from scrapy.utils.sitemap import sitemap_urls_from_robots

logger = logging.getLogger(__name__)


class SitemapRobotParser(ProtegoRobotParser):
    @classmethod
    def from_crawler(cls, crawler: Crawler, robotstxt_body: bytes) -> SitemapRobotParser:
        parser = super().from_crawler(crawler, robotstxt_body)
        hook = getattr(getattr(crawler, "spider", None), "robots_sitemaps", None)
        if hook is not None and robotstxt_body:
            urls = list(sitemap_urls_from_robots(robotstxt_body))
            if urls:
                try:
                    hook(urls)
                except Exception:  # a discovery bug must never turn robots.txt rules off
                    logger.exception("robots_sitemaps(%r) failed", urls)
        return parser
