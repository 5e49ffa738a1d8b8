"""The crawling logic every newspaper spider shares, as parts a reader can hold.

A site spider states facts only (see ``spiders/baocamau.py``); a CMS-family base
(``crawler/spiders/families/``) states the URL shapes the family shares; ``NewsSpider`` puts
the parts together:

- ``rules.SiteRules``: what a link is (article, listing, neither), learned article shapes of
  unknown CMSs, pagination URLs. It makes no request.
- one walker per listing kind: ``listings.ListingWalker`` (start pages, sections found on them
  and in menus, their pagination, the newest-first ``latest_path``), ``feeds.FeedWalker``,
  ``sitemaps.SitemapWalker`` (robots.txt ``Sitemap:`` lines, indexes), ``archives.DateArchiveWalker``
  (day archives, in backfills).
- ``wanted.Wanted``: the one decision whether an article URL is worth a request (``since``,
  already archived, already asked for).
- ``budget.Budget``: what every non-article request is paid from; ``-a backfill=1`` widens it.
- ``progress.Progress``: the archive as discovery sees it (known URLs, last section sweep, how
  far each listing was walked and whether the run completed): the one place this package
  touches the database.
- ``refresh``: ``-a refresh_days=N``, recent articles fetched again.

A paper's ``editions`` (hosts with content of their own) are starts like its canonical host;
listings keep the host they were found on (``rules``: listing keys), one budget pays for all.

Scrapy calls the spider's methods (callbacks must be spider methods for ``JOBDIR``); each hands
the response to its walker. Article pages are fetched, turned into ``PageItem`` s and handed to
the pipelines; every failed article download becomes a reject item, so nothing is lost silently,
and a page that ends on another host or port is recorded as ``offsite-redirect``, never stored
under the paper.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, DontCloseSpider, IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.sitemap import sitemap_urls_from_robots
from twisted.python.failure import Failure

from crawler import reasons
from crawler.items import PageItem
from crawler.spiders import refresh
from crawler.spiders.archives import DateArchiveWalker
from crawler.spiders.arguments import SpiderArguments
from crawler.spiders.budget import Budget
from crawler.spiders.discovery import path_shape
from crawler.spiders.failures import failure_reason, ignored_reason
from crawler.spiders.feeds import FeedWalker
from crawler.spiders.listings import ListingWalker
from crawler.spiders.progress import Progress, sweep_due
from crawler.spiders.rules import SiteRules
from crawler.spiders.sitemaps import SitemapWalker
from crawler.spiders.wanted import Wanted
from crawler.store.archive import now_iso
from crawler.urls import canonical_url, host, origin

__all__ = ["NewsSpider"]

REDIRECT_STATUSES = (301, 302, 303, 307, 308)
ARTICLE_PRIORITY = 10  # finish articles before paginating deeper: bounded memory, early results


class _CrawlerStats:
    """The crawler's stats collector, looked up when used."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    def __getattr__(self, name: str) -> Any:
        return getattr(self.crawler.stats, name)


class NewsSpider(scrapy.Spider):
    # -- facts a site spider states ------------------------------------------------
    paper: str = ""  # the newspaper's name, e.g. "Báo Cà Mau"
    domains: tuple[str, ...] = ()  # first one is the canonical host
    # Other domains that serve content of their own (an edition: "phuyen.baodaklak.vn"): the crawl
    # starts on each as on the canonical host (start_paths, robots.txt), and listings found there
    # are walked there. Old domains that only redirect to the paper's site are not editions.
    editions: tuple[str, ...] = ()
    province: str = ""  # province after the July 2025 merger
    former_province: str | None = None  # province before the merger, where it differs
    start_paths: tuple[str, ...] = ("/",)
    # The newest-first listing of every article ("/tin-moi/"), if the site has one. When it
    # reaches archived articles, it has covered everything published since the last run, and
    # the section listings and sitemaps are only walked every ARCHIVE_SECTION_SWEEP_HOURS.
    latest_path: str | None = None
    feeds: tuple[str, ...] = ()  # RSS/Atom feeds: paths or absolute URLs
    sitemaps: tuple[str, ...] = ()  # sitemaps or sitemap indexes: paths or absolute URLs
    # A day's archive page as a strftime path ("/tin-ngay/%d-%m-%Y.html"), if the site has one:
    # walked newest day first in backfills (crawler/spiders/archives.py).
    date_archive: str | None = None
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
                 max_pages: str | int | None = None, backfill: str | bool | None = None,
                 edition_urls: str | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)  # -a article_path=… lands here as an attribute
        # every -a value typed once (crawler/spiders/arguments.py); refresh_days stays an attribute too
        self.args = SpiderArguments.parse({"base_url": base_url, "since": since, "max_pages": max_pages,
                                           "backfill": backfill, "edition_urls": edition_urls,
                                           "refresh_days": kwargs.get("refresh_days")})
        if not self.domains:
            raise ValueError(f"{type(self).__name__} states no domains")
        if stray := [e for e in self.editions if e not in self.domains[1:]]:
            raise ValueError(f"{type(self).__name__}: editions {stray} are not among its domains after the first")
        self.site = self.site or self.name
        self.base_url = self.args.base_url.rstrip("/") if self.args.base_url else None
        self.origin = origin(self.base_url) if self.base_url else f"https://{self.domains[0]}"
        mirrors = self.parse_edition_urls(self.args.edition_urls)
        # -a base_url= mirrors the canonical host only: an edition is started on its own mirror
        # (-a edition_urls=) or, in a run on mirrors, not at all (its links go to base_url).
        self.edition_origins = {e: mirrors.get(e) or f"https://{e}" for e in self.editions
                                if e in mirrors or not self.base_url}
        self.allowed_domains = ([host(self.origin), *(host(o) for o in mirrors.values())] if self.base_url
                                else list(dict.fromkeys([*self.domains, *(host(o) for o in mirrors.values())])))
        self.since: date | None = self.args.since
        self.backfill = self.args.backfill
        self.max_pages = self.args.max_pages
        self.stale_pages = 2
        self.max_section_depth = self.section_depth if self.section_depth is not None else 2
        self.page_form = self.page_url or f"{{path}}?{self.page_param}={{page}}"
        self.rules = SiteRules(domains=self.domains, origin=self.origin, base_url=self.base_url,
                               article_path=self.article_path, listing_path=self.listing_path,
                               deny_path=self.deny_path, page_form=self.page_form,
                               article_keeps_query=self.article_keeps_query,
                               editions=self.edition_origins, mirrors=mirrors)
        self.wanted = Wanted(since=self.since)
        self.budget = Budget({})
        self.progress = Progress(None, self.site)
        self.listing_walker = ListingWalker(self)
        self.feed_walker = FeedWalker(self)
        self.sitemap_walker = SitemapWalker(self)
        self.archive_walker = DateArchiveWalker(self)
        self.refresh_urls: list[str] = []
        self.section_sweep: str | None = None  # when this run started walking every section
        # Set by start(): a subclass with a start() of its own (the canary) does no discovery.
        self.discovering = False

    def parse_edition_urls(self, value: str | None) -> dict[str, str]:
        """``-a edition_urls=host=url,host=url``: where each edition is mirrored."""
        out: dict[str, str] = {}
        for part in filter(None, (p.strip() for p in (value or "").split(","))):
            name, sep, url = part.partition("=")
            name = name.strip().lower()
            if not sep or name not in self.editions or urlsplit(url.strip()).scheme not in ("http", "https"):
                raise ValueError(f"-a edition_urls: {part!r} is not <edition>=<http(s) URL> "
                                 f"(editions of {self.name}: {', '.join(self.editions) or 'none'})")
            out[name] = origin(url.strip())
        return out

    def start_listings(self) -> list[str]:
        """The listing keys the crawl starts on: ``start_paths`` on the canonical host, then on
        each edition (``//<host><path>``, fetched from its origin)."""
        return [*self.start_paths, *(f"//{e}{p}" for e in self.edition_origins for p in self.start_paths)]

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        s = crawler.settings
        spider.stale_pages = s.getint("ARCHIVE_STALE_PAGES")
        spider.max_pages = spider.max_pages or s.getint("ARCHIVE_MAX_PAGES")
        if spider.section_depth is None:
            spider.max_section_depth = s.getint("ARCHIVE_SECTION_DEPTH")
        far = date.today() - timedelta(days=s.getint("ARCHIVE_BACKFILL_SINCE_DAYS"))
        if spider.since is not None and spider.since <= far:
            spider.backfill = True  # a since far in the past asks for the whole archive
        stats = _CrawlerStats(crawler)  # Scrapy sets crawler.stats only when the crawl starts
        spider.budget = Budget.from_settings(s, backfill=spider.backfill, stats=stats)
        spider.wanted.stats = stats
        spider.progress = Progress.for_crawler(crawler, spider.site)
        spider.wanted.known = spider.progress.known_urls(
            retry_after=timedelta(hours=s.getfloat("ARCHIVE_REJECT_RETRY_HOURS")),
            max_attempts=s.getint("ARCHIVE_REJECT_MAX_ATTEMPTS"),
        )
        last = spider.progress.last_completed_start()
        if last and not spider.backfill:
            # sitemap children whose lastmod is older than this (a day's margin for time zones and
            # clocks) were read by that completed run and have not changed since
            spider.sitemap_walker.unchanged_before = datetime.fromisoformat(last).date() - timedelta(days=1)
        spider.listing_walker.sweep_sections = spider.section_sweep_due(s.getfloat("ARCHIVE_SECTION_SWEEP_HOURS"))
        spider.logger.info("%d URLs already archived for %s; section listings and sitemaps: %s%s", len(spider.wanted.known), spider.site,
                           "all" if spider.listing_walker.sweep_sections else f"only if {spider.latest_path} shows a gap",
                           "; backfill" if spider.backfill else "")
        # -a refresh_days=N: recent archived articles to fetch again (crawler/spiders/refresh.py).
        days = spider.args.refresh_days
        if days is not None and spider.progress.archive is not None:
            spider.refresh_urls = refresh.refresh_urls(spider.progress.archive, spider.site, days)
            spider.logger.info("refresh_days=%s: %d archived URLs to fetch again", days, len(spider.refresh_urls))
        crawler.signals.connect(spider.spider_idle, signal=signals.spider_idle)
        return spider

    def section_sweep_due(self, hours: float) -> bool:
        if self.latest_path is None or self.since or self.backfill or not self.wanted.known:
            return True
        return sweep_due(self.progress.last_section_sweep(), hours)

    def section_sweep_started(self) -> None:
        self.crawler.stats.set_value("listing/section_sweep", 1)
        self.section_sweep = self.section_sweep or now_iso()

    # -- the parts' state, under the names other code reads ----------------------------

    @property
    def origin(self) -> str:
        return self._origin

    @origin.setter
    def origin(self, value: str) -> None:
        # the news spider moves its origin after __init__ (the URL's own scheme and port)
        self._origin = value
        if "rules" in self.__dict__:
            self.rules.origin = value

    # -- starting, idling, closing ------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        self.discovering = True
        self.progress.crawl_id = self._crawl_id()
        state = getattr(self, "state", None)  # JOBDIR: what the earlier part of this run spent
        if isinstance(state, dict):
            self.budget.restore(state.get("budget", {}))
            state["budget"] = self.budget.spent
        if self.listing_walker.sweep_sections:
            self.section_sweep_started()
        if not self.settings.getbool("ROBOTSTXT_OBEY") and self.budget.spend("robots"):
            # Otherwise RobotsTxtMiddleware fetches it and crawler.middlewares.robots hands us its Sitemap: lines.
            yield scrapy.Request(f"{self.origin}/robots.txt", callback=self.parse_robots,
                                 errback=self.discovery_failed)
            for where in self.edition_origins.values():
                if self.budget.spend("robots"):
                    yield scrapy.Request(f"{where}/robots.txt", callback=self.parse_robots,
                                         errback=self.discovery_failed)
        for ref in self.sitemaps:
            if (url := self.rules.resolve(ref)) and (req := self.sitemap_walker.root(url)):
                yield req
        for ref in self.feeds:
            if (url := self.rules.resolve(ref)) and (req := self.feed_walker.request(url)):
                yield req
        for path in self.start_listings():
            for req in self.listing_walker.start(path):
                yield req
        if self.backfill and self.date_archive:
            for req in self.archive_walker.start():
                yield req
        for request in refresh.requests(self.refresh_urls, self.article_request):
            yield request
        if self.refresh_urls:
            self.crawler.stats.set_value("refresh/requested", len(self.refresh_urls))

    def _crawl_id(self) -> int | None:
        """The ``crawls`` row ``crawler.extensions.crawllog`` opened for this run (it sets ``crawler.crawl_id``)."""
        return getattr(self.crawler, "crawl_id", None)

    def spider_idle(self, spider: scrapy.Spider) -> None:
        if spider is not self or not self.discovering:
            return
        if self.listing_walker.latest_state == "running" and (self.listing_walker.deferred or self.sitemap_walker.held):
            # latest_path never said whether there is a gap (its request was not paid, it
            # redirected elsewhere, it was not a listing): what it held back is owed now
            self.crawler.stats.inc_value("listing/latest_unanswered")
            requests = list(self.listing_walker.latest_done(covered=False))
            for request in requests:
                self.crawler.engine.crawl(request)
            if requests:
                raise DontCloseSpider
        if self.budget.ran_out:
            raise CloseSpider(reasons.BUDGET_EXHAUSTED)

    def closed(self, reason: str) -> None:
        # completed: everything asked for was stored or rejected, so no debt is left behind
        reason = Progress.true_reason(self.crawler, reason)
        completed = reason in (reasons.FINISHED, reasons.BUDGET_EXHAUSTED) and self.discovering
        # a page a stage dropped (pipelines/contract.py) is a debt this run leaves behind
        completed = completed and not self.crawler.stats.get_value("archive/dropped")
        try:
            # after a store failure the row stays "not completed" (NULL): nothing more to write
            if self.discovering and reason != reasons.STORE_FAILED:
                self.progress.crawl_id = self.progress.crawl_id or self._crawl_id()
                self.progress.finish(completed=completed, section_sweep=self.section_sweep,
                                     budget_ended=self.budget.report())
        finally:
            self.progress.close()

    # -- requests -----------------------------------------------------------------------

    def guess_paid(self, url: str) -> bool:
        """An article request by ARTICLE_GUESS alone is paid from ARCHIVE_BUDGET_GUESSES."""
        return not (self.rules.unknown_cms and self.rules.guessed(url)) or self.budget.spend("guesses", url)

    def article_request(self, url: str, hops: int = 0, *, dont_filter: bool = False) -> scrapy.Request:
        self.wanted.scheduled.add(url)
        return self.build_article_request(url, hops, dont_filter=dont_filter)

    def article_requests(self, urls: list[str]) -> Iterator[scrapy.Request]:
        """Requests for ``urls``, counted as asked for now and built as Scrapy takes them: a
        listing of thousands of links hands them over without blocking the reactor."""
        self.wanted.scheduled.update(urls)
        return (self.build_article_request(url) for url in urls)

    def build_article_request(self, url: str, hops: int = 0, *, dont_filter: bool = False) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_article,
            errback=self.article_failed,
            priority=ARTICLE_PRIORITY,
            # Redirects of articles are followed here, not by RedirectMiddleware, so that the
            # spider sees each hop: one to another host or port is this page's answer (the
            # offsite filter looks at host names only, and not at all for dont_filter requests).
            meta={"article_url": url, "hops": hops, "dont_redirect": True,
                  "handle_httpstatus_list": list(REDIRECT_STATUSES)},
            dont_filter=dont_filter,
        )

    def found_article(self, url: str, when: date | None, *, trusted: bool, source: str) -> list[scrapy.Request]:
        """An article request for a URL a feed, sitemap or date archive gave, unless it is not an
        article of this site (by its shape; ``trusted`` entries teach an unknown CMS's shape) or
        not wanted."""
        out: list[scrapy.Request] = []
        kind = self.rules.classify(url)
        if (kind is None or kind[0] != "article") and self.rules.unknown_cms and (own := self.rules.own_url(url)):
            if not trusted:
                self.rules.remember(own, when)
            else:
                out.extend(self.learned(path_shape(urlsplit(own).path), url))
                kind = ("article", self.rules.canonical(own))
        if kind is None or kind[0] != "article":
            self.crawler.stats.inc_value(f"discovery/{source}/not_article")
            return out
        if self.wanted(kind[1], when) and self.guess_paid(kind[1]):
            self.crawler.stats.inc_value(f"discovery/{source}/articles")
            out.append(self.article_request(kind[1]))
        return out

    def learned(self, shape: str | None, source: str) -> list[scrapy.Request]:
        """Requests for the URLs seen so far that a newly learned article shape takes in."""
        urls = self.rules.learn(shape)
        if urls is None:
            return []
        self.crawler.stats.inc_value("discovery/learned_shapes")
        self.logger.info("Learned article shape %s from %s", shape, source)
        out = []
        for url, when in urls:
            if self.wanted(url, when):
                # it may have been fetched as a listing before its shape was known
                out.append(self.article_request(url, dont_filter=self.rules.listing_key(url) in self.listing_walker.sections))
        return out

    # -- callbacks: each hands the response to its walker --------------------------------

    def parse_listing(self, response: Response) -> list[Any]:
        return self.listing_walker.parse(response)

    def listing_failed(self, failure: Failure) -> list[Any]:
        return self.listing_walker.failed(failure)

    def parse_feed(self, response: Response) -> list[Any]:
        return self.feed_walker.parse(response)

    def parse_sitemap(self, response: Response) -> list[Any]:
        return self.sitemap_walker.parse(response)

    def sitemap_failed(self, failure: Failure) -> list[Any]:
        self.discovery_failed(failure)
        return self.sitemap_walker.failed(failure.request.meta.get("sitemap_chain"))

    def parse_archive(self, response: Response) -> list[Any]:
        return self.archive_walker.parse(response)

    def archive_failed(self, failure: Failure) -> list[Any]:
        self.discovery_failed(failure)
        return self.archive_walker.failed(failure)

    def robots_sitemaps(self, urls: Iterable[str]) -> None:
        """Called by ``crawler.middlewares.robots.SitemapRobotParser`` with a robots.txt's Sitemap: lines."""
        if not self.discovering:
            return
        for req in self.sitemap_walker.from_robots(urls):
            self.crawler.engine.crawl(req)

    def parse_robots(self, response: Response) -> list[Any]:
        """robots.txt fetched by the spider itself (only when ROBOTSTXT_OBEY is off)."""
        return self.sitemap_walker.from_robots(sitemap_urls_from_robots(response.body, base_url=response.url))

    def discovery_failed(self, failure: Failure) -> None:
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            return
        reason, _ = failure_reason(failure)
        self.crawler.stats.inc_value(f"discovery/failed/{reason}")
        self.logger.warning("Feed/sitemap %s failed: %s", failure.request.url, reason)

    # -- articles -----------------------------------------------------------------------

    def article_redirect(self, response: Response, item: PageItem) -> Iterator[Any]:
        """Follow an article's redirect if it stays on the paper's origin, within
        ``REDIRECT_MAX_TIMES`` hops; otherwise the redirect is the page's answer, a reject."""
        location = response.headers.get("Location")
        chain = [*response.meta.get("redirect_urls", []), response.url]
        if not location:
            item.reject_reason = reasons.http_status(response.status)
            item.reject_detail = "redirect without Location"
            yield item
            return
        target = response.urljoin(location.decode("latin-1").strip())
        if self.rules.own_url(target) is None:
            self.crawler.stats.inc_value("archive/offsite_redirect")
            item.reject_reason = reasons.OFFSITE_REDIRECT
            item.reject_detail = target[:500]
            yield item
        elif canonical_url(target) in {canonical_url(u) for u in chain}:
            # A -> B -> A: the page is never reached, however many hops are allowed
            item.reject_reason = reasons.TOO_MANY_REDIRECTS
            item.reject_detail = f"redirect loop: {' -> '.join([*chain[-3:], target])}"[:500]
            yield item
        elif len(chain) > self.settings.getint("REDIRECT_MAX_TIMES"):
            item.reject_reason = reasons.TOO_MANY_REDIRECTS
            item.reject_detail = " -> ".join(chain[-3:])[:500]
            yield item
        else:
            # past the duplicate filter: a hop to a URL asked for before (the loop's start, an
            # article listed elsewhere) would be dropped without a word, and this page lost
            request = response.request.replace(url=target, dont_filter=True)
            request.meta["redirect_urls"] = chain
            yield request

    def parse_article(self, response: Response) -> Iterator[Any]:
        url = response.meta.get("article_url") or canonical_url(response.url)
        item = PageItem(
            url=url,
            site=self.site,
            fetched_at=now_iso(),
            status=response.status,
            headers={
                k: response.headers.get(k, b"").decode("latin-1")
                for k in ("Content-Type", "Last-Modified", "ETag")
                if response.headers.get(k)
            },
        )
        if response.status in REDIRECT_STATUSES:
            yield from self.article_redirect(response, item)
            return
        if self.rules.own_url(response.url) is None:
            # Redirected to another host or port some other way: whatever is there is not this
            # paper's page.
            item.reject_reason = reasons.OFFSITE_REDIRECT
            item.reject_detail = response.url[:500]
            yield item
            return
        final = self.rules.canonical(response.url)
        item.final_url = final if final != url else None
        if not isinstance(response, TextResponse):
            item.reject_reason = reasons.NOT_HTML
            item.reject_detail = item.headers.get("Content-Type")
            yield item
            return
        item.html = response.text
        yield item
        hops = response.meta.get("hops", 0) + 1
        if self.follow_article_links and not self.since:
            for href in response.xpath("//a/@href").getall():
                own = self.rules.own_url(response.urljoin(href))
                kind = self.rules.classify_own(own) if own else None
                if kind and kind[0] == "article":
                    if not self.wanted(kind[1]):
                        continue
                    # Only links that are articles by ARTICLE_GUESS alone count hops: a guess can be
                    # wrong, a stated or learned shape is not.
                    if self.related_hops is not None and hops > self.related_hops and self.rules.guessed(kind[1]):
                        continue
                    if not self.guess_paid(kind[1]):
                        continue
                    yield self.article_request(kind[1], hops)
                elif kind is None and own and self.rules.unknown_cms:
                    self.rules.remember(own)

    def article_failed(self, failure: Failure) -> Iterator[PageItem]:
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            reason = ignored_reason(failure)
            if reason is None:
                # robots.txt or the offsite filter: never fetched, so nothing to record.
                self.crawler.stats.inc_value("archive/ignored_request")
                return
            status = None
        else:
            reason, status = failure_reason(failure)
        yield PageItem(
            url=failure.request.meta.get("article_url", failure.request.url),
            site=self.site,
            fetched_at=now_iso(),
            status=status,
            reject_reason=reason,
            reject_detail=str(failure.value)[:500],
        )
