"""Dead feeds and sitemaps: what a daily run does not ask for again.

A stated feed that answers 404 costs a request on every run and brings nothing. A feed or
sitemap that answered 404 or 410, or answered with something that is not a feed (an HTML page)
or a sitemap, is remembered in the archive (``dead_sources``, ``crawler/store/deadsources.py``)
and not requested again until ``ARCHIVE_DEAD_SOURCE_DAYS`` (default 7) have passed; then it is
tried once more, and forgotten if it answers. Other failures (timeouts, 5xx, refused
connections) say nothing about the URL and are not remembered. Without an archive
(``ARCHIVE_DB`` empty) nothing is remembered.

The feed and sitemap walkers ask ``DeadSources.of(spider)`` before a request (``skip``) and
tell it what came back (``gone``: a 404/410, which ``META`` lets through to their callbacks;
``answered``: whether the body was a feed or sitemap). Stats: ``discovery/dead_skipped``,
``discovery/dead_found``, ``discovery/dead_revived``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from scrapy.http import Response

from crawler import reasons, settings
from crawler.store import deadsources as store
from crawler.store.archive import is_store_error, one_line
from crawler.urls import canonical_url

DEAD_STATUSES = frozenset({404, 410})
# The root element of an RSS 2.0, RSS 1.0 (rdf:RDF) or Atom document, after any XML
# declaration, comments, doctype or processing instructions.
_FEED_ROOT = re.compile(rb"^\s*(?:<\?[^>]*\?>\s*|<!--.*?-->\s*|<!DOCTYPE[^>]*>\s*)*<(?:[\w-]+:)?(?:rss|feed|RDF)\b",
                        re.S | re.I)


def looks_like_feed(body: bytes) -> bool:
    return bool(_FEED_ROOT.match(body[:4096].lstrip(b"\xef\xbb\xbf")))


def source_url(response_or_request: Any) -> str:
    """The URL a source was asked for (before redirects), canonical: the key it is remembered by."""
    return canonical_url((response_or_request.meta.get("redirect_urls") or [response_or_request.url])[0])


class DeadSources:
    #: request meta of a feed or sitemap: its 404 and 410 answers reach the walker's callback
    META = {"handle_httpstatus_list": sorted(DEAD_STATUSES)}

    def __init__(self, spider: Any):
        self.spider = spider
        self.archive = spider.progress.archive
        self.site = spider.site
        days = spider.settings.getfloat("ARCHIVE_DEAD_SOURCE_DAYS", settings.ARCHIVE_DEAD_SOURCE_DAYS)
        self.days = days
        self.retry_before = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")
        self.known = store.load(self.archive, self.site) if self.archive is not None else {}
        self.failed_write: str | None = None

    @classmethod
    def of(cls, spider: Any) -> DeadSources:
        """The spider's one instance (made on first use, once the spider has its archive)."""
        mine = spider.__dict__.get("_dead_sources")
        if mine is None:
            mine = spider.__dict__["_dead_sources"] = cls(spider)
        return mine

    @property
    def stats(self) -> Any:
        return self.spider.crawler.stats

    def skip(self, url: str) -> bool:
        """Is ``url`` a source found dead less than ``ARCHIVE_DEAD_SOURCE_DAYS`` ago?"""
        checked = self.known.get(canonical_url(url))
        if checked is None or checked < self.retry_before:
            return False
        self.stats.inc_value("discovery/dead_skipped")
        return True

    def gone(self, response: Response, kind: str) -> bool:
        """Did the source answer 404/410 (``META`` lets those reach the callback)? Then it is
        remembered, and counted and logged as a failed feed or sitemap."""
        if response.status not in DEAD_STATUSES:
            return False
        why = reasons.http_status(response.status)
        self.stats.inc_value(f"discovery/failed/{why}")
        self.spider.logger.warning("Feed/sitemap %s failed: %s", response.url, why)
        self.dead(source_url(response), kind, why)
        return True

    def answered(self, response: Response, kind: str, readable: bool) -> None:
        """A source answered: remembered if it is not a ``kind`` (feed or sitemap), forgotten if
        it was remembered and now is one."""
        url = source_url(response)
        if not readable:
            self.dead(url, kind, f"not-a-{kind}")
        elif url in self.known:
            del self.known[url]
            self.stats.inc_value("discovery/dead_revived")
            self._store(store.mark_alive, url)

    def dead(self, url: str, kind: str, why: str) -> None:
        self.stats.inc_value("discovery/dead_found")
        self.spider.logger.info("%s %s is dead (%s): not asked for again for %g days", kind.capitalize(), url, why,
                                self.days)
        self._store(store.mark_dead, url, kind, why)

    def _store(self, write: Any, *args: Any) -> None:
        if self.archive is None or self.failed_write:
            return
        try:
            write(self.archive, self.site, *args)
        except Exception as exc:
            if not is_store_error(exc):
                raise
            # the store meets the same failure and ends the crawl as store-failed
            self.failed_write = one_line(str(exc) or type(exc).__name__)
            self.spider.logger.warning("Cannot record a dead feed or sitemap: %s", self.failed_write)
