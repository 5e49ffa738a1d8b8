"""Sections and their pagination: the listing walker, and reading a listing page's links.

Bounded by design, whatever the site:

- sections are opened from the start pages and from the site's menus (``<nav>``, ``<header>``,
  elements whose class or id says ``menu``/``nav``) only, never from links in a page's body, so
  calendars, tag clouds, day archives and faceted filters with the section shape cannot chain;
- a listing page brings something when it shows an article URL neither archived nor seen on
  another listing in this run; a run of ``ARCHIVE_STALE_PAGES`` pages that bring nothing ends
  the branch, and the count is carried from a page to the sections found in its menu, so a maze
  of listings that lead to each other runs out as one branch does;
- a page whose article links are exactly those of a page already read (a filter, a sort order,
  an endless "next" that repeats itself) is a repeat and ends its branch;
- every listing page is paid from the run's budget (``crawler.spiders.budget``);
- after an unfinished run, each listing is walked at least as deep as that run walked it
  (``crawler.spiders.progress``), so articles it found but did not store are found again.

``page_links`` reads a page's links in one pass over its tree: dates printed next to a link are
looked up in at most three ancestors, each ancestor's text read once per page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import chain
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.response import get_base_url
from twisted.python.failure import Failure

from crawler.spiders.failures import failure_reason
from crawler.urls import canonical_url
from crawler.text.dates import DMY, dmy_date

if TYPE_CHECKING:
    from crawler.spiders.rules import SiteRules

# dd/mm/yyyy as printed under each title on listing pages.
# Lookarounds, not \b: tags without whitespace glue dates to words ("tích cực25/10/2025Sáng").
LISTING_DATE = DMY  # crawler/text/dates.py
DATE_ANCESTORS = 3
_PATH_END = re.compile(r"[?#]")


@dataclass(slots=True)
class Link:
    url: str  # absolute, on an origin the crawl fetches from
    kind: tuple[str, str] | None  # SiteRules.classify
    when: date | None  # the date printed next to it
    in_menu: bool


_DATE_TEXTS = "//text()[contains(., '/')]"
_MENU_WORD = re.compile(r"menu|nav", re.I)
_PAGE_TAGS = frozenset({"html", "body", "main", "article"})


def _menu_hrefs(root: Any) -> set[str]:
    """hrefs of the anchors inside the site's menus: ``<nav>``, ``<header>``, or an element whose
    class or id says menu/nav. Attribute values are read as strings (no element objects) and
    each distinct value is tested once, so this stays cheap on pages of thousands of items."""
    hrefs = set(root.xpath("//nav//a/@href | //header//a/@href"))
    verdict: dict[str, bool] = {}
    for value in root.xpath("//@class | //@id"):
        hit = verdict.get(value)
        if hit is None:
            hit = verdict[value] = bool(_MENU_WORD.search(value))
        if hit:
            el = value.getparent()
            if el.tag not in _PAGE_TAGS:  # <body class="has-nav">: the whole page is no menu
                hrefs.update(el.xpath(".//a/@href"))
    return hrefs


def _dated_elements(root: Any) -> dict[Any, set]:
    """Element → the distinct dates its text holds (at most two: two already means
    "ambiguous"), for the elements that hold any. Each date climbs the tree until it meets an
    ancestor that already has it or already has two: linear in the dates, not the links."""
    held: dict[Any, set] = {}
    for text in root.xpath(_DATE_TEXTS):
        matches = {m.groups() for m in LISTING_DATE.finditer(text)}
        if not matches:
            continue
        el = text.getparent()
        if el is not None and text.is_tail:
            el = el.getparent()
        for found in matches:
            node = el
            while node is not None:
                have = held.setdefault(node, set())
                if found in have or len(have) > 1:
                    break
                have.add(found)
                node = node.getparent()
    return held


def _date_of(link: Any, held: dict[Any, set]) -> date | None:
    """The dd/mm/yyyy next to a link: the nearest of its three ancestors whose text holds
    exactly one date (a wider one would mix up neighbouring items)."""
    el = link.getparent()
    for _ in range(DATE_ANCESTORS):
        if el is None:
            return None
        found = held.get(el)
        if found:
            if len(found) > 1:
                return None
            return dmy_date(*next(iter(found)))
        el = el.getparent()
    return None


def page_links(response: TextResponse, rules: SiteRules) -> list[Link]:
    """Every same-site link of a page, classified, with its printed date and whether it sits in
    a menu. Linear in the page size: the tree is searched in C (lxml XPath), each distinct href
    is classified once, and dates are looked up only on pages that print some."""
    root = response.selector.root
    base = get_base_url(response)
    parts = urlsplit(base)
    base_origin = f"{parts.scheme}://{parts.netloc}"
    # root-relative hrefs are on an origin we crawl (the canonical host's or an edition's)
    base_origin = rules.origin if base_origin.lower() == rules.origin.lower() else base_origin.lower()
    local = base_origin in rules.origins
    menu = _menu_hrefs(root)
    held = _dated_elements(root)
    if held:
        anchors = [(a.get("href"), a) for a in root.iter("a")]
    else:
        anchors = [(href, None) for href in root.xpath("//a/@href")]
    out = []
    known: dict[str, tuple[str | None, tuple[str, str] | None]] = {}
    for href, a in anchors:
        if not href:
            continue
        hit = known.get(href)
        if hit is None:
            ref = href.strip()
            if local and ref.startswith("/") and not ref.startswith("//"):
                own = base_origin + ref
                path = _PATH_END.split(ref, 1)[0]
                hit = known[href] = (own, rules.classify_own(own, path))
            else:
                own = rules.own_url(urljoin(base, ref))
                hit = known[href] = (own, rules.classify_own(own) if own else None)
        own, kind = hit
        if own is None:
            continue
        out.append(Link(own, kind, _date_of(a, held) if a is not None else None, href in menu))
    return out


class ListingWalker:
    """Sections, their pagination, and the newest-first listing (``latest_path``) of a spider."""

    def __init__(self, spider: Any):
        self.spider = spider
        self.sections: set[str] = set()
        self.seen: set[str] = set()  # article URLs seen on listing pages in this run
        self.fingerprints: dict[int, tuple[str, int]] = {}  # a page's article links → (listing, page)
        self.sweep_sections = True
        self.latest_state = "running"  # of latest_path: running, covered (reached the archive), gap
        self.deferred: list[tuple[str, int, int]] = []

    @property
    def stats(self) -> Any:
        return self.spider.crawler.stats

    # -- requests ----------------------------------------------------------------------

    def request(self, path: str, page: int, *, stale: int = 0, depth: int = 0) -> scrapy.Request | None:
        sp = self.spider
        if not sp.budget.spend("listing", path):
            sp.progress.ended(path, "budget")
            return None
        return scrapy.Request(
            sp.rules.listing_url(path, page),
            callback=sp.parse_listing,
            errback=sp.listing_failed,
            meta={"listing": path, "page": page, "stale": stale, "section_depth": depth},
        )

    def start(self, path: str) -> Iterator[scrapy.Request]:
        self.sections.add(path)
        self.spider.rules.add_section(path)
        if req := self.request(path, 1, stale=0):
            yield req

    def open_section(self, path: str, depth: int, stale: int) -> Iterator[scrapy.Request]:
        sp = self.spider
        if path in self.sections:
            return
        if depth > sp.max_section_depth:
            self.stats.inc_value("listing/sections_too_deep")
            return
        if sp.max_sections is not None and len(self.sections) >= sp.max_sections:
            self.stats.inc_value("listing/sections_capped")
            return
        if not sp.budget.spend("sections", path):
            return
        self.sections.add(path)
        sp.rules.add_section(path)
        # latest_path covers the canonical host only: another host's sections are always walked
        if self.sweep_sections or self.latest_state == "gap" or sp.progress.owed(path) or path.startswith("//"):
            if req := self.request(path, 1, stale=stale, depth=depth):
                yield req
        elif self.latest_state == "running":
            self.deferred.append((path, depth, stale))
        else:
            self.stats.inc_value("listing/sections_skipped")

    # -- callbacks ----------------------------------------------------------------------

    def parse(self, response: Response) -> Iterable[Any]:
        sp = self.spider
        if not isinstance(response, TextResponse):
            return []
        if sp.rules.own_url(response.url) is None:
            self.stats.inc_value("discovery/offsite_redirect")
            return []
        meta = response.meta
        listing, page = meta["listing"], meta["page"]
        depth, stale = meta.get("section_depth", 0), meta.get("stale", 0)
        rules = sp.rules
        out: list[Any] = []
        if page == 1:
            out.extend(sp.feed_walker.autodiscover(response))
        paginated = bool(rules.listing_re.match(rules.listing_path(listing)))
        learn_form = page == 1 and paginated and rules.needs_page_form(listing)
        rel_links: set[str] = set()
        here: dict[str, None] = {}
        wanted: list[str] = []
        sections: list[str] = []
        new = 0
        dates: list[date] = []
        for link in page_links(response, rules):
            if learn_form:
                parts = urlsplit(canonical_url(link.url))
                rel_links.add(parts.path + (f"?{parts.query}" if parts.query else ""))
            kind = link.kind
            if rules.unknown_cms and (kind is None or kind[0] == "listing"):
                rules.remember(link.url, link.when)
            if kind is None:
                continue
            if kind[0] == "listing":
                # sections: on start pages anywhere, elsewhere in the site's menus only
                if page == 1 and (depth == 0 or link.in_menu):
                    sections.append(kind[1])
                continue
            url = kind[1]
            if url in here:
                continue
            here[url] = None
            if link.when:
                dates.append(link.when)
            if url not in self.seen and sp.wanted.is_new(url):
                new += 1
            self.seen.add(url)
            if sp.wanted(url, link.when) and sp.guess_paid(url):
                wanted.append(url)
        self.stats.inc_value("listing/pages")
        repeat = False
        if here:
            fingerprint = hash(frozenset(here))
            first = self.fingerprints.setdefault(fingerprint, (listing, page))
            repeat = first != (listing, page)
            if repeat:
                self.stats.inc_value("listing/repeats")
        # Pages no deeper than an unfinished earlier run walked never count as stale: that run
        # stored their articles, perhaps without the ones it found further down.
        owed = sp.progress.owed(listing)
        stale_after = 0 if new or page <= owed else stale + 1
        # A page that brings nothing (or repeats another) ends its branch: the sections in its
        # menu are not opened from here (a menu shared with the start pages was read there).
        if depth == 0 or (not repeat and stale_after < sp.stale_pages):
            for path in sections:
                if path not in self.sections and rules.listing_url(path, 1) not in sp.wanted.known:
                    out.extend(self.open_section(path, depth + 1, stale_after if depth else 0))
        if not paginated:
            # the home page and other start pages that are not sections have no pagination
            return chain(out, sp.article_requests(wanted))
        if learn_form and rules.learn_page_form(listing, rel_links):
            self.stats.inc_value("listing/page_form_learned")
        stop = self.stop(listing, page, len(here), dates, stale_after, repeat,
                         after_new=page > 1 and stale == 0 and page - 1 > owed)
        if not stop and not rules.paginates(listing):
            stop = "no-pagination"
        nxt = None
        if not stop:
            nxt = self.request(listing, page + 1, stale=stale_after, depth=depth)
            if nxt is None:
                stop = "budget"
        # written before the article requests leave: a crash after this point is repaired by
        # the next run walking this listing at least this deep
        sp.progress.walked(listing, page, stop)
        if stop:
            self.stats.inc_value(f"listing/stopped/{stop}")
            sp.logger.debug("Stop paginating %s at page %d: %s", listing, page, stop)
            if listing == sp.latest_path:
                out.extend(self.latest_done(covered=stop in ("nothing-new", "repeat")))
        else:
            out.append(nxt)
        return chain(out, sp.article_requests(wanted))

    def stop(self, listing: str, page: int, article_links: int, dates: list[date], stale_after: int, repeat: bool,
             after_new: bool = False) -> str | None:
        """Why the walk of ``listing`` ends at ``page`` (None: it goes on). ``after_new``: the
        page before brought new articles."""
        sp = self.spider
        if article_links == 0:
            return "empty"
        if repeat:
            return "repeat"
        trusted = not sp.backfill and sp.progress.trusted(listing)
        if trusted and stale_after >= sp.stale_pages:
            return "nothing-new"
        if trusted and listing == sp.latest_path and stale_after and after_new:
            # the newest-first listing: a page with nothing new right after one with new articles
            # is where it reaches the archive (pinned old articles sit on page 1, not here)
            return "nothing-new"
        if sp.since and dates and max(dates) < sp.since:
            return "since"
        if page >= sp.max_pages:
            return "max-pages"
        return None

    def latest_done(self, *, covered: bool) -> Iterator[scrapy.Request]:
        """The newest-first listing has stopped. If it stopped on archived articles it covered
        the gap since the last run, and the sections and sitemaps it held back are not needed;
        otherwise (it failed, hit its page cap, or ran out of pages before reaching the archive)
        they are walked now."""
        if self.latest_state != "running":
            return
        self.latest_state = "covered" if covered else "gap"
        if covered:
            self.stats.inc_value("listing/sections_skipped", len(self.deferred))
        else:
            self.spider.section_sweep_started()
            for path, depth, stale in self.deferred:
                if req := self.request(path, 1, stale=stale, depth=depth):
                    yield req
        self.deferred.clear()
        # the sitemaps wait on the same signal (crawler/spiders/sitemaps.py)
        yield from self.spider.sitemap_walker.release(covered=covered)

    def failed(self, failure: Failure) -> list[scrapy.Request]:
        out = []
        listing = failure.request.meta.get("listing")
        if listing == self.spider.latest_path:
            out.extend(self.latest_done(covered=False))
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            return out
        reason, _ = failure_reason(failure)
        self.stats.inc_value(f"listing/failed/{reason}")
        self.spider.logger.warning("Listing %s failed: %s", failure.request.url, reason)
        return out
