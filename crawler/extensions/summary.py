"""The end of every crawl, in a few lines a human reads at a glance.

Logged at INFO when the spider closes (``scrapy crawl`` and every site of ``crawl-all``)::

    baocamau: finished in 1 min 12 s
      requests  345, 340 responses, 5 download errors
      articles  120 new, 3 aliases, 2 revisions, 10 unchanged
      rejects   7: http-404 4, too-short 3
      listings  40 pages; ended: nothing-new 3, budget-exhausted/pages 1
      errors    2 ERROR log lines
      archive   baocamau now holds 1,234 articles at 1,240 URLs

Every figure comes from the crawl's stats (the keys README lists); the last line reads the
archive. Scrapy's own stats dump (a hundred lines) moves to DEBUG (``crawler.commands.logs``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from crawler.extensions.reachability import DETAIL_STAT

logger = logging.getLogger(__name__)

# ERROR log lines of this crawl alone. Scrapy's ``log_count/ERROR`` counts every record of the
# process, so under crawl-all each site would be charged with the errors of all the others.
ERRORS_STAT = "log_count_own/ERROR"

# Stats prefixes whose suffix says why a listing branch (or discovery source) stopped.
BRANCH_ENDS = ("listing/stopped/", "budget/exhausted/", "discovery/sitemaps_stopped/")
# Rejects by reason: extraction's, and the store's when it counts them by reason.
REJECT_KEYS = ("extract/rejected/", "archive/rejected/")


def _n(value: int) -> str:
    return f"{value:,}"


def duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    if h:
        return f"{h} h {m} min"
    if m:
        return f"{m} min {s} s"
    return f"{s} s"


def _by_suffix(stats: Mapping[str, Any], prefixes: tuple[str, ...]) -> dict[str, int]:
    out: dict[str, int] = {}
    for key, value in stats.items():
        for prefix in prefixes:
            if key.startswith(prefix) and isinstance(value, int):
                name = key[len(prefix):]
                if prefix.startswith("budget/"):
                    name = f"budget-exhausted/{name}"
                out[name] = max(out.get(name, 0), value)  # the same reason may be counted twice
    return out


def _listing(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{k} {_n(v)}" for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def summary_lines(site: str, reason: str, stats: Mapping[str, Any], *, seconds: float | None,
                  totals: Mapping[str, int] | None = None) -> list[str]:
    g = lambda key: stats.get(key, 0) or 0  # noqa: E731
    head = f"{site}: {reason}" + (f" in {duration(seconds)}" if seconds is not None else "")
    lines = [head]
    if stats.get(DETAIL_STAT):
        lines.append(f"  why       {stats[DETAIL_STAT]}")
    lines.append(f"  requests  {_n(g('downloader/request_count'))}, {_n(g('downloader/response_count'))} responses, "
                 f"{_n(g('downloader/exception_count'))} download errors")
    lines.append(f"  articles  {_n(g('archive/inserted'))} new, {_n(g('archive/alias'))} aliases, "
                 f"{_n(g('archive/revised'))} revisions, {_n(g('archive/unchanged'))} unchanged")
    by_reason = {k: v for k, v in _by_suffix(stats, REJECT_KEYS).items() if "/" not in k}
    rejects = g("archive/rejected")
    lines.append(f"  rejects   {_n(rejects)}" + (f": {_listing(by_reason)}" if by_reason else ""))
    ends = _by_suffix(stats, BRANCH_ENDS)
    lines.append(f"  listings  {_n(g('listing/pages'))} pages" + (f"; ended: {_listing(ends)}" if ends else ""))
    lines.append(f"  errors    {_n(logged_errors(stats))} ERROR log lines")
    if totals is not None:
        lines.append(f"  archive   {site} now holds {_n(totals['articles'])} articles at {_n(totals['urls'])} URLs")
    return lines


def logged_errors(stats: Mapping[str, Any]) -> int:
    """ERROR (and CRITICAL) lines logged by this crawl (all of the process's when not counted)."""
    if ERRORS_STAT in stats:
        return stats[ERRORS_STAT] or 0
    return sum(v for k, v in stats.items() if k in ("log_count/ERROR", "log_count/CRITICAL"))


# Loggers of the components that write a crawl's records without naming its spider (the store,
# the WARC writer): their ERRORs are the crawl's as well.
STORE_LOGGERS = ("crawler.store", "crawler.middlewares.warc", "pipelines")


class OwnErrors(logging.Handler):
    """Counts the ERROR records that name this crawl's spider (``extra={"spider": …}``, which
    Scrapy's components and ``spider.logger`` set), and those of the store and the WARC writer
    that name no spider, while this is the one crawl of the process (under crawl-all with
    several sites at once, such a record could be any site's, and is charged to none)."""

    active: list[OwnErrors] = []  # the handlers of the crawls running in this process

    def __init__(self, crawler: Crawler):
        super().__init__(level=logging.ERROR)
        self.crawler = crawler

    def install(self) -> None:
        OwnErrors.active.append(self)
        logging.root.addHandler(self)

    def remove(self) -> None:
        logging.root.removeHandler(self)
        if self in OwnErrors.active:
            OwnErrors.active.remove(self)

    def emit(self, record: logging.LogRecord) -> None:
        spider = getattr(record, "spider", None)
        if spider is not None:
            ours = spider is self.crawler.spider
        else:
            ours = record.name.startswith(STORE_LOGGERS) and OwnErrors.active == [self]
        if ours:
            self.crawler.stats.inc_value(ERRORS_STAT)


def archive_totals(crawler: Crawler, site: str) -> dict[str, int] | None:
    """The paper's articles and URLs in the archive, read on the crawl's one connection (None
    without ``ARCHIVE_DB``, or when it cannot be read)."""
    from crawler.extensions.archive import crawl_archive

    try:
        archive = crawl_archive(crawler)
        if archive is None:
            return None
        db = archive.db
        return {
            "articles": db.execute("SELECT count(*) FROM articles WHERE site = ?", [site]).fetchone()[0],
            "urls": db.execute("SELECT count(*) FROM urls WHERE site = ?", [site]).fetchone()[0],
        }
    except Exception as exc:  # noqa: BLE001 - the summary must not turn a crawl's end into a crash
        logger.debug("no archive totals for %s: %s", site, exc)
        return None


class CrawlSummary:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.lines: list[str] = []
        self.errors = OwnErrors(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlSummary:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        self.crawler.stats.set_value(ERRORS_STAT, 0)
        self.errors.install()

    def spider_closed(self, spider: Spider, reason: str) -> None:
        stats = self.crawler.stats.get_stats()
        self.errors.remove()
        started = stats.get("start_time")
        seconds = (datetime.now(started.tzinfo) - started).total_seconds() if isinstance(started, datetime) else None
        site = getattr(spider, "site", None) or spider.name
        totals = archive_totals(self.crawler, site)
        self.lines = summary_lines(site, reason, stats, seconds=seconds, totals=totals)
        logger.info("%s", "\n".join(self.lines), extra={"spider": spider})
