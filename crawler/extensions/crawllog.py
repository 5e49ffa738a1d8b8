"""Record each crawl run in the ``crawls`` table: when, with which arguments, and its figures."""

from __future__ import annotations

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from crawler.extensions.archive import ArchiveConnection
from crawler.extensions.summary import logged_errors
from crawler.store.sitesync import sync_sites

# Spider attributes worth keeping with the run, so a row says what was asked for.
_ARGS = ("base_url", "since", "max_pages", "url", "refresh_days", "article_path")


class CrawlLog:
    """A row is written when the spider opens (so a killed run still leaves a trace, with
    ``finished`` empty) and completed with the run's stats when it closes."""

    def __init__(self, crawler: Crawler, connection: ArchiveConnection):
        self.crawler = crawler
        self.connection = connection
        self.crawl_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlLog:
        ext = cls(crawler, ArchiveConnection.from_crawler(crawler))  # NotConfigured without ARCHIVE_DB
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        args = {k: getattr(spider, k) for k in _ARGS if getattr(spider, k, None) is not None}
        archive = self.connection.archive
        sync_sites(archive, [type(spider)])  # so its articles get their province at once
        # `site`: the name records are filed under (the spider's, or the host for `news`)
        self.crawl_id = archive.start_crawl(getattr(spider, "site", None) or spider.name, args)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.crawl_id is None:
            return
        stats = self.crawler.stats.get_stats()
        errors = logged_errors(stats)  # this crawl's own, also under crawl-all
        figures = {
            "requests": stats.get("downloader/request_count", 0),
            "new_articles": stats.get("archive/inserted", 0),
            "duplicates": stats.get("archive/alias", 0),
            "rejects": stats.get("archive/rejected", 0),
            "errors": errors,
            "lost_records": self.connection.lost_records,  # set by the store pipeline at its close
        }
        if self.connection.finish_reason(reason) != reason:  # the store gave up, at its last flush too
            reason = self.connection.finish_reason(reason)
            self.crawler.stats.set_value("finish_reason", reason)  # CoreStats set it before us
        self.connection.archive.finish_crawl(self.crawl_id, finish_reason=reason, figures=figures, stats=stats)
        # The summary (crawler/extensions/summary.py) says this and more at INFO.
        spider.logger.debug(
            "Crawl %s finished (%s): %d requests, %d new articles, %d duplicates, %d rejects",
            self.crawl_id, reason, figures["requests"], figures["new_articles"], figures["duplicates"], figures["rejects"],
        )
