"""The crawling logic every newspaper spider shares.

A site spider states facts only (see ``spiders/baocamau.py``); a CMS-family base
(``crawler/spiders/families/``) states the URL shapes the family shares; this class does the work:

- start from the site's start pages (or a mirror given by ``-a base_url=``);
- follow section listings and their pagination, stopping a listing once
  ``ARCHIVE_STALE_PAGES`` pages in a row bring nothing new (so incremental runs are cheap),
  once its pages are older than ``-a since=``, or at ``ARCHIVE_MAX_PAGES``;
- read the feeds and sitemaps the site states (``feeds``, ``sitemaps``) and the ones it
  advertises: ``Sitemap:`` lines of robots.txt (handed over by ``crawler.middlewares.robots``) and
  ``<link rel="alternate" type="application/rss+xml">`` on listing pages; sitemap indexes are
  read newest child first and stop, like listings, after a run of children with nothing new;
  feed ``pubDate`` and sitemap ``lastmod`` / ``news:publication_date`` are held against ``since``;
- request article pages that are not in the archive yet, and hand them to the pipelines;
- turn every failed article download into a reject item, so nothing is lost silently.

Only links whose path matches the family's article or listing pattern are ever followed, and
pagination URLs are built from the listing path with the site's pagination form (a fact, or
learned from the listing's own page-2 link among ``discovery.PAGE_FORMS``) rather than copied
from the page: that is what keeps calendar widgets, search forms and endless "next" links from
trapping the crawl.

Where the article pattern is unknown (``article_path = None``: the generic family and the
``news`` spider), a link is an article when its path has the shape of an article URL taken from
the site's own feeds or news sitemaps (``discovery.path_shape``), or the conservative
``discovery.ARTICLE_GUESS`` shape.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from lxml import etree
from scrapy.crawler import Crawler
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.sitemap import sitemap_urls_from_robots
from twisted.internet.defer import CancelledError
from twisted.internet.error import ConnectionRefusedError, DNSLookupError, TCPTimedOutError, TimeoutError
from twisted.python.failure import Failure

from crawler.store.archive import Archive, now_iso
from crawler.spiders.discovery import (
    ARTICLE_GUESS,
    AUTO,
    FEED_TYPES,
    PAGE_FORMS,
    SITEMAP_MAXSIZE,
    entry_date,
    feed_entries,
    infer_page_form,
    page_link,
    page_url,
    path_shape,
    path_stem,
    sitemap_body,
    sitemap_entries,
)
from crawler.items import PageItem
from crawler.urls import canonical_url, host, origin

# dd/mm/yyyy as printed under each title on listing pages.
# Lookarounds, not \b: tags without whitespace glue dates to words ("tích cực25/10/2025Sáng").
LISTING_DATE = re.compile(r"(?<!\d)(\d{1,2})/(\d{1,2})/(\d{4})(?!\d)")

ARTICLE_PRIORITY = 10  # finish articles before paginating deeper: bounded memory, early results
MAX_LEARNED_SHAPES = 20
MAX_PENDING = 20_000  # unknown CMSs: same-site URLs kept for a second look once a shape is learned
SITEMAP_SHAPE_QUORUM = 3  # unknown CMSs: a shape this many sitemap URLs share is an article shape

_FEED_LINKS = ('//link[contains(concat(" ", normalize-space(@rel), " "), " alternate ")][@href]')


def failure_reason(failure: Failure) -> tuple[str, int | None]:
    """A short stable slug for why a download failed, and the HTTP status if there was one."""
    exc = failure.value
    if isinstance(exc, HttpError):
        status = exc.response.status
        return f"http-{status}", status
    if isinstance(exc, (TimeoutError, TCPTimedOutError, DownloadTimeoutError)):
        return "timeout", None
    if isinstance(exc, (DNSLookupError, CannotResolveHostError)):
        return "dns", None
    if isinstance(exc, (ConnectionRefusedError, DownloadConnectionRefusedError)):
        return "connection-refused", None
    if isinstance(exc, (DownloadCancelledError, CancelledError)):
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
    # The newest-first listing of every article ("/tin-moi/"), if the site has one. When it
    # reaches archived articles, it has covered everything published since the last run, and
    # the section listings are only walked every ARCHIVE_SECTION_SWEEP_HOURS.
    latest_path: str | None = None
    feeds: tuple[str, ...] = ()  # RSS/Atom feeds: paths or absolute URLs
    sitemaps: tuple[str, ...] = ()  # sitemaps or sitemap indexes: paths or absolute URLs
    # -- facts a CMS family states (regexes on the URL path) --------------------------
    article_path: str | None = r"$^"  # None: unknown; learn from feeds/sitemaps, else ARTICLE_GUESS
    listing_path: str = r"$^"
    deny_path: str | None = None
    page_param: str = "page"
    # Pagination URL form: a format string over {path}/{stem}/{page} (see discovery.PAGE_FORMS),
    # AUTO to learn it per listing from its page-2 link, None for "{path}?<page_param>={page}".
    page_url: str | None = None
    follow_article_links: bool = True  # related-article links on article pages
    related_hops: int | None = None  # hops of related links matched by ARTICLE_GUESS alone (None: no limit)
    article_keeps_query: bool = False  # on these CMSs the path alone names an article
    section_depth: int | None = None  # sections found this many listings away from a start page at most
    max_sections: int | None = None  # listings followed per run at most
    site: str | None = None  # the `site` of stored records; the spider's name unless stated

    def __init__(self, *args: Any, base_url: str | None = None, since: str | None = None,
                 max_pages: str | int | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)  # -a article_path=… lands here as an attribute
        if not self.domains:
            raise ValueError(f"{type(self).__name__} states no domains")
        self.site = self.site or self.name
        self.base_url = base_url.rstrip("/") if base_url else None
        self.origin = origin(self.base_url) if self.base_url else f"https://{self.domains[0]}"
        self.allowed_domains = [host(self.origin)] if self.base_url else list(self.domains)
        try:
            self.since: date | None = date.fromisoformat(since) if since else None
        except ValueError:
            raise ValueError(f"-a since={since!r}: expected a date as YYYY-MM-DD") from None
        self.max_pages = int(max_pages) if max_pages else None
        try:
            self._article_re = re.compile(self.article_path) if self.article_path else None
        except re.error as exc:
            raise ValueError(f"article_path {self.article_path!r}: {exc}") from None
        self._listing_re = re.compile(self.listing_path)
        self._deny_re = re.compile(self.deny_path) if self.deny_path else None
        self.page_form = self.page_url or f"{{path}}?{self.page_param}={{page}}"
        forms = PAGE_FORMS if self.page_form == AUTO else (self.page_form,)
        self._path_forms = tuple(f for f in forms if f.startswith("{stem}"))
        self.page_forms: dict[str, str | None] = {}  # listing path → the form learned for it (AUTO)
        self.learned: dict[str, re.Pattern[str]] = {}  # article path shapes learned from feeds/sitemaps
        self.pending: dict[str, date | None] = {}  # unknown CMSs: URLs to look at again after learning
        self.known: set[str] = set()
        self.scheduled: set[str] = set()
        self.sections: set[str] = set()
        self._stems: dict[str, str] = {}
        self.listing_seen: dict[str, set[str]] = {}
        self.feeds_seen: set[str] = set()
        self.sweep_sections = True  # decided in from_crawler
        self.latest_state = "running"  # of latest_path: running, covered (reached the archive), gap
        self.deferred_sections: list[tuple[str, int]] = []
        self.sitemaps_seen: set[str] = set()
        # Set by start(): a subclass with a start() of its own (the canary) does no discovery.
        self.discovering = False

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        s = crawler.settings
        spider.stale_pages = max(1, s.getint("ARCHIVE_STALE_PAGES", 2))
        spider.max_pages = spider.max_pages or s.getint("ARCHIVE_MAX_PAGES", 1000)
        if s.get("ARCHIVE_DB"):
            with Archive(s.get("ARCHIVE_DB")) as archive:
                spider.known = archive.known_urls(
                    spider.site,
                    retry_after=timedelta(hours=s.getfloat("ARCHIVE_REJECT_RETRY_HOURS", 6.0)),
                    max_attempts=s.getint("ARCHIVE_REJECT_MAX_ATTEMPTS", 5),
                )
                spider.sweep_sections = spider.section_sweep_due(
                    archive, hours=s.getfloat("ARCHIVE_SECTION_SWEEP_HOURS", 168.0))
        spider.logger.info("%d URLs already archived for %s; section listings: %s", len(spider.known), spider.site,
                           "all" if spider.sweep_sections else f"only if {spider.latest_path} shows a gap")
        # -a refresh_days=N: recent archived articles to fetch again (crawler/spiders/refresh.py).
        from crawler.spiders import refresh
        spider.refresh_urls = refresh.load(spider, s.get("ARCHIVE_DB"))
        return spider

    def section_sweep_due(self, archive: Archive, *, hours: float) -> bool:
        if self.latest_path is None or self.since or not self.known:
            return True
        last = archive.last_section_sweep(self.site)
        return last is None or last < (datetime.now(UTC) - timedelta(hours=hours)).isoformat(timespec="seconds")

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

    def resolve(self, ref: str) -> str | None:
        """A stated feed/sitemap (path or absolute URL) on the crawled origin."""
        return self.own_url(urljoin(self.origin + "/", ref))

    def listing_url(self, path: str, page: int) -> str:
        form = self.page_forms.get(path) or (PAGE_FORMS[0] if self.page_form == AUTO else self.page_form)
        return self.origin + page_url(form, path, page)

    def is_article_path(self, path: str) -> bool:
        if self._article_re is not None:
            return bool(self._article_re.match(path))
        return any(rx.match(path) for rx in self.learned.values()) or bool(ARTICLE_GUESS.match(path))

    def _guessed(self, url: str) -> bool:
        """An article by ``ARTICLE_GUESS`` only (no stated or learned shape says so)."""
        path = urlsplit(url).path
        return self._article_re is None and not any(rx.match(path) for rx in self.learned.values())

    def classify(self, url: str) -> tuple[str, str] | None:
        """('article', canonical URL) or ('listing', path) for a followable link, else None."""
        own = self.own_url(url)
        if own is None:
            return None
        path = urlsplit(own).path or "/"
        if self._deny_re and self._deny_re.search(path):
            return None
        if self._path_forms and (hit := page_link(self._path_forms, path)):
            # another page of a listing ("/thoi-su/trang-3.html"): never an article or a new section
            section = self._stems.get(hit[0])
            return ("listing", section) if section else None
        if self.is_article_path(path):
            return "article", canonical_url(own, keep_query=self.article_keeps_query)
        if self._listing_re.match(path):
            return "listing", path
        return None

    def learn(self, shape: str | None, source: str) -> Iterator[scrapy.Request]:
        """Take ``shape`` (a ``discovery.path_shape``) as an article shape of this unknown CMS, and
        request the URLs seen so far that have it."""
        if (self._article_re is not None or not shape or shape in self.learned
                or len(self.learned) >= MAX_LEARNED_SHAPES):
            return
        rx = self.learned[shape] = re.compile(shape, re.I)
        self.crawler.stats.inc_value("discovery/learned_shapes")
        self.logger.info("Learned article shape %s from %s", shape, source)
        for url, when in list(self.pending.items()):
            if not rx.match(urlsplit(url).path):
                continue
            del self.pending[url]
            if (self.since and when and when < self.since) or url in self.known or url in self.scheduled:
                continue
            # it may have been fetched as a listing before its shape was known
            yield self.article_request(url, dont_filter=urlsplit(url).path in self.sections)

    def remember(self, url: str, when: date | None = None) -> None:
        """Unknown CMSs: keep a same-site URL that is no article yet, for a second look."""
        if self._article_re is None and len(self.pending) < MAX_PENDING:
            path = urlsplit(url).path or "/"
            if not (self._deny_re and self._deny_re.search(path)):
                self.pending.setdefault(canonical_url(url, keep_query=self.article_keeps_query), when)

    def _add_section(self, path: str) -> None:
        self.sections.add(path)
        self._stems.setdefault(path_stem(path), path)

    # -- requests -----------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        self.discovering = True
        if self.sweep_sections:
            self.crawler.stats.set_value("listing/section_sweep", 1)  # read by the next run
        if not self.settings.getbool("ROBOTSTXT_OBEY"):
            # Otherwise RobotsTxtMiddleware fetches it and crawler.middlewares.robots hands us its Sitemap: lines.
            yield scrapy.Request(f"{self.origin}/robots.txt", callback=self.parse_robots,
                                 errback=self.discovery_failed)
        for ref in self.sitemaps:
            if (url := self.resolve(ref)) and (req := self.sitemap_request(url)):
                yield req
        for ref in self.feeds:
            if (url := self.resolve(ref)) and (req := self.feed_request(url)):
                yield req
        for path in self.start_paths:
            self._add_section(path)
            yield self.listing_request(path, 1, stale=0)
        # -a refresh_days=N: fetch recent archived articles again (crawler/spiders/refresh.py).
        from crawler.spiders import refresh
        for request in refresh.requests(self, getattr(self, "refresh_urls", [])):
            yield request

    def listing_request(self, path: str, page: int, *, stale: int, depth: int = 0) -> scrapy.Request:
        return scrapy.Request(
            self.listing_url(path, page),
            callback=self.parse_listing,
            errback=self.listing_failed,
            meta={"listing": path, "page": page, "stale": stale, "section_depth": depth},
        )

    def article_request(self, url: str, hops: int = 0, *, dont_filter: bool = False) -> scrapy.Request:
        self.scheduled.add(url)
        return scrapy.Request(
            url,
            callback=self.parse_article,
            errback=self.article_failed,
            priority=ARTICLE_PRIORITY,
            meta={"article_url": url, "hops": hops},
            dont_filter=dont_filter,
        )

    def feed_request(self, url: str) -> scrapy.Request | None:
        key = canonical_url(url)
        if key in self.feeds_seen:
            return None
        self.feeds_seen.add(key)
        return scrapy.Request(url, callback=self.parse_feed, errback=self.discovery_failed)

    def sitemap_request(self, url: str, chain: dict | None = None) -> scrapy.Request | None:
        key = canonical_url(url)
        if key in self.sitemaps_seen:
            return None
        self.sitemaps_seen.add(key)
        return scrapy.Request(url, callback=self.parse_sitemap, errback=self.sitemap_failed,
                              meta={"download_maxsize": SITEMAP_MAXSIZE, "sitemap_chain": chain})

    # -- listings -----------------------------------------------------------------

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        if not isinstance(response, TextResponse):
            return
        listing, page = response.meta["listing"], response.meta["page"]
        depth = response.meta.get("section_depth", 0)
        seen_here = self.listing_seen.setdefault(listing, set())
        article_links = new = 0
        dates: list[date] = []
        if page == 1:
            yield from self.autodiscover_feeds(response)
        learn_form = page == 1 and self.page_form == AUTO and listing not in self.page_forms
        links: set[str] = set()
        for link in response.xpath("//a[@href]"):
            own = self.own_url(response.urljoin(link.attrib["href"]))
            if own is None:
                continue
            if learn_form:
                parts = urlsplit(canonical_url(own))
                links.add(parts.path + (f"?{parts.query}" if parts.query else ""))
            kind = self.classify(own)
            if kind is None or (kind[0] == "listing" and self._article_re is None):
                self.remember(own, self.listing_date(link) if self._article_re is None else None)
            if kind is None:
                continue
            if kind[0] == "listing":
                if (kind[1] not in self.sections and self.origin + kind[1] not in self.known
                        and self._may_add_section(depth + 1)):
                    yield from self.open_section(kind[1], depth + 1)
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
        if learn_form:
            self.page_forms[listing] = infer_page_form(listing, links)
            if self.page_forms[listing]:
                self.crawler.stats.inc_value("listing/page_form_learned")
        stop = self.pagination_stop(page, article_links, new, dates, response.meta["stale"])
        if not stop and self.page_form == AUTO and not self.page_forms.get(listing):
            stop = "no-pagination"
        if stop:
            self.crawler.stats.inc_value(f"listing/stopped/{stop}")
            self.logger.debug("Stop paginating %s at page %d: %s", listing, page, stop)
            if listing == self.latest_path:
                yield from self.latest_done(covered=stop == "nothing-new")
            return
        stale = 0 if new else response.meta["stale"] + 1
        yield self.listing_request(listing, page + 1, stale=stale, depth=depth)

    def open_section(self, path: str, depth: int) -> Iterator[scrapy.Request]:
        self._add_section(path)
        if self.sweep_sections or self.latest_state == "gap":
            yield self.listing_request(path, 1, stale=0, depth=depth)
        elif self.latest_state == "running":
            self.deferred_sections.append((path, depth))
        else:
            self.crawler.stats.inc_value("listing/sections_skipped")

    def latest_done(self, *, covered: bool) -> Iterator[scrapy.Request]:
        """The newest-first listing has stopped. If it stopped on archived articles it covered
        the gap since the last run, and the sections it held back are not needed; otherwise
        (it failed, hit its page cap, or ran out of pages before reaching the archive) they are."""
        if self.latest_state != "running":
            return
        self.latest_state = "covered" if covered else "gap"
        if covered:
            self.crawler.stats.inc_value("listing/sections_skipped", len(self.deferred_sections))
        else:
            self.crawler.stats.set_value("listing/section_sweep", 1)
            for path, depth in self.deferred_sections:
                yield self.listing_request(path, 1, stale=0, depth=depth)
        self.deferred_sections.clear()

    def _may_add_section(self, depth: int) -> bool:
        if self.section_depth is not None and depth > self.section_depth:
            return False
        if self.max_sections is not None and len(self.sections) >= self.max_sections:
            self.crawler.stats.inc_value("listing/sections_capped")
            return False
        return True

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

    def listing_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        if failure.request.meta.get("listing") == self.latest_path:
            yield from self.latest_done(covered=False)
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            return
        reason, _ = failure_reason(failure)
        self.crawler.stats.inc_value(f"listing/failed/{reason}")
        self.logger.warning("Listing %s failed: %s", failure.request.url, reason)

    # -- feeds and sitemaps ---------------------------------------------------------

    def autodiscover_feeds(self, response: TextResponse) -> Iterator[scrapy.Request]:
        """``<link rel="alternate" type="application/rss+xml" href=…>`` of this site."""
        for link in response.xpath(_FEED_LINKS):
            if (link.attrib.get("type") or "").split(";")[0].strip().lower() not in FEED_TYPES:
                continue
            url = self.own_url(response.urljoin(link.attrib["href"]))
            if url and (req := self.feed_request(url)):
                self.crawler.stats.inc_value("discovery/feeds_autodiscovered")
                yield req

    def robots_sitemaps(self, urls: Iterable[str]) -> None:
        """Called by ``crawler.middlewares.robots.SitemapRobotParser`` with a robots.txt's Sitemap: lines."""
        if not self.discovering:
            return
        for req in self._robots_sitemap_requests(urls):
            self.crawler.engine.crawl(req)

    def _robots_sitemap_requests(self, urls: Iterable[str]) -> Iterator[scrapy.Request]:
        for url in urls:
            own = self.resolve(url)
            if own and (req := self.sitemap_request(own)):
                self.crawler.stats.inc_value("discovery/robots_sitemaps")
                yield req

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        """robots.txt fetched by the spider itself (only when ROBOTSTXT_OBEY is off)."""
        yield from self._robots_sitemap_requests(sitemap_urls_from_robots(response.body, base_url=response.url))

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        try:
            entries = list(feed_entries(response))
        except etree.XMLSyntaxError as exc:
            self.crawler.stats.inc_value("discovery/feed_unreadable")
            self.logger.warning("Feed %s unreadable: %s", response.url, exc)
            return
        self.crawler.stats.inc_value("discovery/feeds")
        for link, when in entries:
            yield from self._discovered(response.urljoin(link), entry_date(when), trusted=True, source="feed")

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        body = sitemap_body(response)
        kind, entries = sitemap_entries(body) if body is not None else ("", [])
        new = 0
        if kind == "sitemapindex":
            self.crawler.stats.inc_value("discovery/sitemap_indexes")
            children: list[tuple[date | None, str]] = []
            for entry in entries:
                url = self.own_url(response.urljoin(entry["loc"]))
                lastmod = entry_date(entry.get("lastmod"))
                if url is None:
                    continue
                if self.since and lastmod and lastmod < self.since:
                    self.crawler.stats.inc_value("discovery/sitemaps_skipped_before_since")
                    continue
                children.append((lastmod, url))
            # Newest first when every child says when it changed; then a run of children with
            # nothing new ends the walk, as on listings. Without dates every child is read.
            ordered = bool(children) and all(d for d, _ in children)
            if ordered:
                children.sort(key=lambda c: c[0], reverse=True)
            chain = {"todo": [u for _, u in children], "stale": 0, "stoppable": ordered}
            yield from self._next_sitemap(chain)
            new = 1  # an index inside an index: never counts as stale for its parent
        elif kind == "urlset":
            self.crawler.stats.inc_value("discovery/sitemaps")
            if self._article_re is None:
                # Unknown CMS: the id-bearing shapes many of its sitemap URLs share are article
                # shapes (section and static pages are few, and have no long id).
                shapes = Counter(path_shape(urlsplit(response.urljoin(e["loc"])).path, plain_slug=False)
                                 for e in entries)
                for shape, n in shapes.most_common():
                    if shape and n >= SITEMAP_SHAPE_QUORUM:
                        for req in self.learn(shape, response.url):
                            new += 1
                            yield req
            for entry in entries:
                # a news sitemap entry is an article by definition
                news = "publication_date" in entry
                when = entry_date(entry.get("publication_date") or entry.get("lastmod"))
                for req in self._discovered(response.urljoin(entry["loc"]), when, trusted=news, source="sitemap"):
                    new += 1
                    yield req
        else:
            self.crawler.stats.inc_value("discovery/sitemap_unreadable")
            self.logger.warning("Sitemap %s unreadable (%s)", response.url, kind or "not XML")
        parent = response.meta.get("sitemap_chain")
        if parent is not None:
            parent["stale"] = 0 if new else parent["stale"] + 1
            yield from self._next_sitemap(parent)

    def _next_sitemap(self, chain: dict) -> Iterator[scrapy.Request]:
        while chain["todo"]:
            if chain["stoppable"] and chain["stale"] >= self.stale_pages:
                self.crawler.stats.inc_value("discovery/sitemaps_stopped/nothing-new")
                return
            req = self.sitemap_request(chain["todo"].pop(0), chain)
            if req is not None:
                yield req
                return

    def sitemap_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        self.discovery_failed(failure)
        chain = failure.request.meta.get("sitemap_chain")
        if chain is not None:
            yield from self._next_sitemap(chain)

    def discovery_failed(self, failure: Failure) -> None:
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            return
        reason, _ = failure_reason(failure)
        self.crawler.stats.inc_value(f"discovery/failed/{reason}")
        self.logger.warning("Feed/sitemap %s failed: %s", failure.request.url, reason)

    def _discovered(self, url: str, when: date | None, *, trusted: bool, source: str) -> Iterator[scrapy.Request]:
        """An article request for a URL a feed or sitemap gave, unless it is not an article of
        this site (by its shape; ``trusted`` entries teach an unknown CMS's shape), older than
        ``since``, or known."""
        kind = self.classify(url)
        if (kind is None or kind[0] != "article") and self._article_re is None and (own := self.own_url(url)):
            if not trusted:
                self.remember(own, when)
            else:
                yield from self.learn(path_shape(urlsplit(own).path), url)
                kind = ("article", canonical_url(own, keep_query=self.article_keeps_query))
        if kind is None or kind[0] != "article":
            self.crawler.stats.inc_value(f"discovery/{source}/not_article")
            return
        if self.since and when and when < self.since:
            self.crawler.stats.inc_value(f"discovery/{source}/skipped_before_since")
            return
        if kind[1] in self.known or kind[1] in self.scheduled:
            return
        self.crawler.stats.inc_value(f"discovery/{source}/articles")
        yield self.article_request(kind[1])

    # -- articles -----------------------------------------------------------------

    def parse_article(self, response: Response) -> Iterator[Any]:
        url = response.meta.get("article_url") or canonical_url(response.url)
        final = canonical_url(response.url, keep_query=self.article_keeps_query)
        item = PageItem(
            url=url,
            site=self.site,
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
        hops = response.meta.get("hops", 0) + 1
        if self.follow_article_links and not self.since:
            for link in response.xpath("//a/@href").getall():
                kind = self.classify(response.urljoin(link))
                if kind and kind[0] == "article" and kind[1] not in self.known and kind[1] not in self.scheduled:
                    # Only links that are articles by ARTICLE_GUESS alone count hops: a guess can be
                    # wrong, a stated or learned shape is not.
                    if self.related_hops is not None and hops > self.related_hops and self._guessed(kind[1]):
                        continue
                    yield self.article_request(kind[1], hops)
                elif kind is None and self._article_re is None and (own := self.own_url(response.urljoin(link))):
                    self.remember(own)

    def article_failed(self, failure: Failure) -> Iterator[PageItem]:
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            # robots.txt or the offsite filter: never fetched, so nothing to record.
            self.crawler.stats.inc_value("archive/ignored_request")
            return
        reason, status = failure_reason(failure)
        yield PageItem(
            url=failure.request.meta.get("article_url", failure.request.url),
            site=self.site,
            fetched_at=now_iso(),
            status=status,
            reject_reason=reason,
            reject_detail=str(failure.value)[:500],
        )
