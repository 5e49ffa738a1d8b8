"""Record each crawl run in the ``crawls`` table: when, with which arguments, and its figures."""

from __future__ import annotations

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.extensions.summary import logged_errors
from crawler.store.archive import Archive
from crawler.store.sitesync import sync_sites

# Spider attributes worth keeping with the run, so a row says what was asked for.
_ARGS = ("base_url", "since", "max_pages", "url", "refresh_days", "article_path")


class CrawlLog:
    """A row is written when the spider opens (so a killed run still leaves a trace, with
    ``finished`` empty) and completed with the run's stats when it closes."""

    def __init__(self, crawler: Crawler, db_path: str):
        self.crawler = crawler
        self.db_path = db_path
        self.crawl_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlLog:
        path = crawler.settings.get("ARCHIVE_DB")
        if not path:
            raise NotConfigured("ARCHIVE_DB is empty")
        ext = cls(crawler, path)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        args = {k: getattr(spider, k) for k in _ARGS if getattr(spider, k, None) is not None}
        with Archive(self.db_path) as archive:
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
        }
        with Archive(self.db_path) as archive:
            archive.finish_crawl(self.crawl_id, finish_reason=reason, figures=figures, stats=stats)
        # The summary (crawler/extensions/summary.py) says this and more at INFO.
        spider.logger.debug(
            "Crawl %s finished (%s): %d requests, %d new articles, %d duplicates, %d rejects",
            self.crawl_id, reason, figures["requests"], figures["new_articles"], figures["duplicates"], figures["rejects"],
        )
