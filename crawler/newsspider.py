"""The crawling logic every newspaper spider shares.

A site spider states facts only (see ``spiders/baocamau.py``); a CMS-family base
(``crawler/families/``) states the URL shapes the family shares; this class does the work:

- start from the site's start pages (or a mirror given by ``-a base_url=``);
- follow section listings and their ``?page=N`` pagination, stopping a listing once
  ``ARCHIVE_STALE_PAGES`` pages in a row bring nothing new (so incremental runs are cheap),
  once its pages are older than ``-a since=``, or at ``ARCHIVE_MAX_PAGES``;
- request article pages that are not in the archive yet, and hand them to the pipelines;
- turn every failed article download into a reject item, so nothing is lost silently.

Only links whose path matches the family's article or listing pattern are ever followed, and
pagination URLs are built from the listing path rather than copied from the page: that is what
keeps calendar widgets, search forms and endless "next" links from trapping the crawl.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectionRefusedError, DNSLookupError, TCPTimedOutError, TimeoutError
from twisted.python.failure import Failure

from crawler.archive import Archive, now_iso
from crawler.items import PageItem
from crawler.urls import canonical_url, host, origin

# dd/mm/yyyy as printed under each title on listing pages.
# Lookarounds, not \b: tags without whitespace glue dates to words ("tích cực25/10/2025Sáng").
LISTING_DATE = re.compile(r"(?<!\d)(\d{1,2})/(\d{1,2})/(\d{4})(?!\d)")

ARTICLE_PRIORITY = 10  # finish articles before paginating deeper: bounded memory, early results


def failure_reason(failure: Failure) -> tuple[str, int | None]:
    """A short stable slug for why a download failed, and the HTTP status if there was one."""
    exc = failure.value
    if isinstance(exc, HttpError):
        status = exc.response.status
        return f"http-{status}", status
    name = type(exc).__name__
    if isinstance(exc, (TimeoutError, TCPTimedOutError)) or name == "DownloadTimeoutError":
        return "timeout", None
    if isinstance(exc, DNSLookupError) or name == "CannotResolveHostError":
        return "dns", None
    if isinstance(exc, ConnectionRefusedError) or name == "DownloadConnectionRefusedError":
        return "connection-refused", None
    if name in {"DownloadCancelledError", "CancelledError"}:
        # Scrapy cancels a download only when it outgrows DOWNLOAD_MAXSIZE.
        return "too-large", None
    return "download-error", None


class NewsSpider(scrapy.Spider):
    # -- facts a site spider states ------------------------------------------------
    paper: str = ""  # the newspaper's name, e.g. "Báo Cà Mau"
    domains: tuple[str, ...] = ()  # first one is the canonical host
    province: str = ""  # province after the July 2025 merger
    former_province: str | None = None  # province before the merger, where it differs
    start_paths: tuple[str, ...] = ("/",)
    # -- facts a CMS family states (regexes on the URL path) --------------------------
    article_path: str = r"$^"
    listing_path: str = r"$^"
    deny_path: str | None = None
    page_param: str = "page"
    follow_article_links: bool = True  # related-article links on article pages
    article_keeps_query: bool = False  # on these CMSs the path alone names an article

    def __init__(self, *args: Any, base_url: str | None = None, since: str | None = None,
                 max_pages: str | int | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if not self.domains:
            raise ValueError(f"{type(self).__name__} states no domains")
        self.base_url = base_url.rstrip("/") if base_url else None
        self.origin = origin(self.base_url) if self.base_url else f"https://{self.domains[0]}"
        self.allowed_domains = [host(self.origin)] if self.base_url else list(self.domains)
        try:
            self.since: date | None = date.fromisoformat(since) if since else None
        except ValueError:
            raise ValueError(f"-a since={since!r}: expected a date as YYYY-MM-DD") from None
        self.max_pages = int(max_pages) if max_pages else None
        self._article_re = re.compile(self.article_path)
        self._listing_re = re.compile(self.listing_path)
        self._deny_re = re.compile(self.deny_path) if self.deny_path else None
        self.known: set[str] = set()
        self.scheduled: set[str] = set()
        self.sections: set[str] = set()
        self.listing_seen: dict[str, set[str]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        s = crawler.settings
        spider.stale_pages = max(1, s.getint("ARCHIVE_STALE_PAGES", 2))
        spider.max_pages = spider.max_pages or s.getint("ARCHIVE_MAX_PAGES", 1000)
        if s.get("ARCHIVE_DB"):
            with Archive(s.get("ARCHIVE_DB")) as archive:
                spider.known = archive.known_urls(
                    spider.name,
                    retry_after=timedelta(hours=s.getfloat("ARCHIVE_REJECT_RETRY_HOURS", 6.0)),
                    max_attempts=s.getint("ARCHIVE_REJECT_MAX_ATTEMPTS", 5),
                )
        spider.logger.info("%d URLs already archived for %s", len(spider.known), spider.name)
        return spider

    # -- URLs ---------------------------------------------------------------------

    def own_url(self, url: str) -> str | None:
        """The URL on the crawled origin, or None if it is off-site.

        With ``base_url`` the site's real domains are rewritten to the mirror, because real
        pages often link with absolute URLs.
        """
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return None
        if f"{parts.scheme}://{parts.netloc.lower()}" == self.origin:
            return url
        hostname = (parts.hostname or "").lower()
        if hostname in self.domains or hostname.removeprefix("www.") in self.domains:
            if self.base_url:
                return self.origin + url[len(f"{parts.scheme}://{parts.netloc}"):]
            return url
        return None

    def listing_url(self, path: str, page: int) -> str:
        query = f"?{urlencode({self.page_param: page})}" if page > 1 else ""
        return f"{self.origin}{path}{query}"

    def classify(self, url: str) -> tuple[str, str] | None:
        """('article', canonical URL) or ('listing', path) for a followable link, else None."""
        own = self.own_url(url)
        if own is None:
            return None
        path = urlsplit(own).path or "/"
        if self._deny_re and self._deny_re.search(path):
            return None
        if self._article_re.match(path):
            return "article", canonical_url(own, keep_query=self.article_keeps_query)
        if self._listing_re.match(path):
            return "listing", path
        return None

    # -- requests -----------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        for path in self.start_paths:
            self.sections.add(path)
            yield self.listing_request(path, 1, stale=0)

    def listing_request(self, path: str, page: int, *, stale: int) -> scrapy.Request:
        return scrapy.Request(
            self.listing_url(path, page),
            callback=self.parse_listing,
            errback=self.listing_failed,
            meta={"listing": path, "page": page, "stale": stale},
        )

    def article_request(self, url: str) -> scrapy.Request:
        self.scheduled.add(url)
        return scrapy.Request(
            url,
            callback=self.parse_article,
            errback=self.article_failed,
            priority=ARTICLE_PRIORITY,
            meta={"article_url": url},
        )

    # -- listings -----------------------------------------------------------------

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        if not isinstance(response, TextResponse):
            return
        listing, page = response.meta["listing"], response.meta["page"]
        seen_here = self.listing_seen.setdefault(listing, set())
        article_links = new = 0
        dates: list[date] = []
        for link in response.xpath("//a[@href]"):
            kind = self.classify(response.urljoin(link.attrib["href"]))
            if kind is None:
                continue
            if kind[0] == "listing":
                if kind[1] not in self.sections:
                    self.sections.add(kind[1])
                    yield self.listing_request(kind[1], 1, stale=0)
                continue
            url = kind[1]
            article_links += 1
            published = self.listing_date(link)
            if published:
                dates.append(published)
            if self.since and published and published < self.since:
                self.crawler.stats.inc_value("listing/skipped_before_since")
                continue
            # "New" is judged per listing: an endless tail that repeats itself brings nothing new
            # even though its articles are new to the archive.
            if url not in self.known and url not in seen_here:
                new += 1
            seen_here.add(url)
            if url not in self.known and url not in self.scheduled:
                yield self.article_request(url)
        self.crawler.stats.inc_value("listing/pages")
        if not self._listing_re.match(listing):
            return  # the home page and other start pages that are not sections have no pagination
        stop = self.pagination_stop(page, article_links, new, dates, response.meta["stale"])
        if stop:
            self.crawler.stats.inc_value(f"listing/stopped/{stop}")
            self.logger.debug("Stop paginating %s at page %d: %s", listing, page, stop)
            return
        stale = 0 if new else response.meta["stale"] + 1
        yield self.listing_request(listing, page + 1, stale=stale)

    def pagination_stop(self, page: int, article_links: int, new: int, dates: list[date], stale: int) -> str | None:
        if article_links == 0:
            return "empty"
        if not new and stale + 1 >= self.stale_pages:
            return "nothing-new"
        if self.since and dates and max(dates) < self.since:
            return "since"
        if page >= self.max_pages:
            return "max-pages"
        return None

    @staticmethod
    def listing_date(link: scrapy.Selector) -> date | None:
        """The dd/mm/yyyy printed next to a listing link: the nearest enclosing element whose
        text holds exactly one date (a wider one would mix up neighbouring items)."""
        for ancestor in link.xpath("ancestor::*[position() <= 3]")[::-1]:
            text = " ".join(ancestor.xpath(".//text()").getall())
            found = {m.groups() for m in LISTING_DATE.finditer(text)}
            if len(found) == 1:
                d, m, y = (int(x) for x in found.pop())
                try:
                    return date(y, m, d)
                except ValueError:
                    return None
            if len(found) > 1:
                return None
        return None

    def listing_failed(self, failure: Failure) -> None:
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            return
        reason, _ = failure_reason(failure)
        self.crawler.stats.inc_value(f"listing/failed/{reason}")
        self.logger.warning("Listing %s failed: %s", failure.request.url, reason)

    # -- articles -----------------------------------------------------------------

    def parse_article(self, response: Response) -> Iterator[Any]:
        url = response.meta.get("article_url") or canonical_url(response.url)
        final = canonical_url(response.url, keep_query=self.article_keeps_query)
        item = PageItem(
            url=url,
            site=self.name,
            fetched_at=now_iso(),
            final_url=final if final != url and self.own_url(final) else None,
            status=response.status,
            headers={
                k: response.headers.get(k, b"").decode("latin-1")
                for k in ("Content-Type", "Last-Modified", "ETag")
                if response.headers.get(k)
            },
        )
        if not isinstance(response, TextResponse):
            item.reject_reason = "not-html"
            item.reject_detail = item.headers.get("Content-Type")
            yield item
            return
        item.html = response.text
        yield item
        if self.follow_article_links and not self.since:
            for link in response.xpath("//a/@href").getall():
                kind = self.classify(response.urljoin(link))
                if kind and kind[0] == "article" and kind[1] not in self.known and kind[1] not in self.scheduled:
                    yield self.article_request(kind[1])

    def article_failed(self, failure: Failure) -> Iterator[PageItem]:
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            # robots.txt or the offsite filter: never fetched, so nothing to record.
            self.crawler.stats.inc_value("archive/ignored_request")
            return
        reason, status = failure_reason(failure)
        yield PageItem(
            url=failure.request.meta.get("article_url", failure.request.url),
            site=self.name,
            fetched_at=now_iso(),
            status=status,
            reject_reason=reason,
            reject_detail=str(failure.value)[:500],
        )
