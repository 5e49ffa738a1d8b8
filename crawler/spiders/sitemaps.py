"""The sitemap walker: sitemaps and sitemap indexes the site states or robots.txt names.

Each sitemap document is one request paid from ``ARCHIVE_BUDGET_SITEMAPS``. An index is read
newest child first when every child says when it changed; then, as on listings, a run of
``ARCHIVE_STALE_PAGES`` children with nothing new ends the walk (not in a backfill, and not
before the depth an unfinished earlier run reached). An index inside an index
is walked whole before its parent goes on (one sitemap request in flight per tree), and goes on
counting its parent's run of children with nothing new; indexes nest at most
``MAX_INDEX_DEPTH`` deep. So an endless index tree ends after a few requests, or at the budget. ``lastmod`` and ``news:publication_date`` are held against ``since``; a child whose
``lastmod`` is older than the last completed run was read by it and is not read again (except in
a backfill, or where an unfinished run left the index owed).

On a site with a newest-first listing (``latest_path``) sitemaps are walked like sections: on
the first run, on the section sweep (``ARCHIVE_SECTION_SWEEP_HOURS``), in backfills and ``since``
runs, where an unfinished run left one owed, and at once when ``latest_path`` shows a gap
(it runs out, fails or hits its page cap before reaching the archive). On any other run the
roots (stated, or named by robots.txt) are held until ``latest_path`` has stopped, then
skipped: it has covered everything published since the last run, and a sitemap would only
repeat it. A site without ``latest_path`` has no such signal, and its sitemaps are read every
run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response

from crawler.spiders.deadsources import DeadSources
from crawler.spiders.discovery import SITEMAP_MAXSIZE, entry_date, path_shape, sitemap_body, sitemap_entries
from crawler.urls import canonical_url

SITEMAP_SHAPE_QUORUM = 3  # unknown CMSs: a shape this many sitemap URLs share is an article shape
MAX_INDEX_DEPTH = 3  # an index of indexes of indexes; real sites nest two deep at most


class SitemapWalker:
    def __init__(self, spider: Any):
        self.spider = spider
        self.seen: set[str] = set()
        self.unchanged_before: date | None = None  # set from the last completed run (not in backfills)
        self.held: list[str] = []  # roots waiting for latest_path to show whether there is a gap

    def root(self, url: str) -> scrapy.Request | None:
        """A sitemap the site states or robots.txt names: requested now, held until
        ``latest_path`` has stopped, or skipped because it stopped on archived articles."""
        sp = self.spider
        key = canonical_url(url)
        if key in self.seen or not self.waits_for_latest(url):
            return self.request(url)
        state = sp.listing_walker.latest_state
        if state == "gap":
            return self.request(url)
        if state == "covered":
            self.stats.inc_value("discovery/sitemaps_skipped")
            self.seen.add(key)
        elif all(canonical_url(u) != key for u in self.held):
            self.held.append(url)
        return None

    def waits_for_latest(self, url: str) -> bool:
        """Whether this root's walk depends on what ``latest_path`` finds: not on a sweep (which
        also covers first runs, backfills and ``since``: see ``NewsSpider.section_sweep_due``),
        not on an edition's host (``latest_path`` covers the canonical host only), not where an
        unfinished run left the index owed."""
        sp = self.spider
        if sp.listing_walker.sweep_sections or sp.latest_path is None:
            return False
        if urlsplit(url).netloc.lower() != urlsplit(sp.origin).netloc.lower():
            return False
        return not sp.progress.owed(canonical_url(url))

    def release(self, *, covered: bool) -> list[scrapy.Request]:
        """``latest_path`` has stopped: the held roots are skipped if it covered the gap since
        the last run, requested otherwise."""
        held, self.held = self.held, []
        if covered:
            if held:
                self.stats.inc_value("discovery/sitemaps_skipped", len(held))
            self.seen.update(canonical_url(u) for u in held)
            return []
        return [req for url in held if (req := self.request(url)) is not None]

    @property
    def stats(self) -> Any:
        return self.spider.crawler.stats

    def request(self, url: str, chain: dict | None = None) -> scrapy.Request | None:
        key = canonical_url(url)
        if key in self.seen:
            return None
        self.seen.add(key)
        sp = self.spider
        if DeadSources.of(sp).skip(key):
            return None
        if not sp.budget.spend("sitemaps", key):
            if chain is not None:
                sp.progress.ended(chain["key"], "budget")
            return None
        depth = (chain or {}).get("depth", 0)
        return scrapy.Request(url, callback=sp.parse_sitemap, errback=sp.sitemap_failed,
                              meta={"download_maxsize": SITEMAP_MAXSIZE, "sitemap_chain": chain,
                                    "sitemap_depth": depth, **DeadSources.META})

    def from_robots(self, urls: Iterable[str]) -> list[scrapy.Request]:
        out = []
        for url in urls:
            own = self.spider.rules.resolve(url)
            if own and (req := self.root(own)):
                self.stats.inc_value("discovery/robots_sitemaps")
                out.append(req)
        return out

    def parse(self, response: Response) -> list[Any]:
        sp = self.spider
        out: list[Any] = []
        parent = response.meta.get("sitemap_chain")
        if sp.rules.own_url(response.url) is None:
            self.stats.inc_value("discovery/offsite_redirect")
            out.extend(self._child_done(parent, 0))
            return out
        if DeadSources.of(sp).gone(response, "sitemap"):
            return self._child_done(parent, 0)
        body = sitemap_body(response)
        kind, entries = sitemap_entries(body) if body is not None else ("", [])
        DeadSources.of(sp).answered(response, "sitemap", readable=kind in ("sitemapindex", "urlset"))
        if kind == "sitemapindex":
            self.stats.inc_value("discovery/sitemap_indexes")
            chain = self._index(response, entries, parent)
            if chain is None:
                out.extend(self._child_done(parent, 0))
            else:
                # an index inside an index is walked whole before its parent goes on
                out.extend(self._next(chain))
            return out
        new = 0
        if kind == "urlset":
            self.stats.inc_value("discovery/sitemaps")
            new = self._urlset(response, entries, out)
        else:
            self.stats.inc_value("discovery/sitemap_unreadable")
            sp.logger.warning("Sitemap %s unreadable (%s)", response.url, kind or "not XML")
        out.extend(self._child_done(parent, new))
        return out

    def _child_done(self, chain: dict | None, new: int) -> list[scrapy.Request]:
        """One child of ``chain`` is read (with ``new`` article requests under it): go on."""
        if chain is None:
            return []
        chain["done"] += 1
        chain["new"] += new
        # children no further than an unfinished earlier run read never count as stale
        chain["stale"] = 0 if new or chain["done"] <= chain["owed"] else chain["stale"] + 1
        # before the article requests leave: see listings.ListingWalker.parse
        self.spider.progress.walked(chain["key"], chain["done"], None, kind="sitemap")
        return self._next(chain)

    def _index(self, response: Response, entries: list[dict], parent: dict | None) -> dict | None:
        sp = self.spider
        depth = (parent["depth"] if parent else 0) + 1
        if depth > MAX_INDEX_DEPTH:
            self.stats.inc_value("discovery/sitemaps_stopped/too-deep")
            return None
        children: list[tuple[date | None, str]] = []
        for entry in entries:
            url = sp.rules.own_url(response.urljoin(entry["loc"]))
            lastmod = entry_date(entry.get("lastmod"))
            if url is None:
                continue
            if sp.since and lastmod and lastmod < sp.since:
                self.stats.inc_value("discovery/sitemaps_skipped_before_since")
                continue
            if (self.unchanged_before and lastmod and lastmod < self.unchanged_before
                    and not sp.progress.owed(canonical_url(response.url))):
                self.stats.inc_value("discovery/sitemaps_unchanged")
                continue
            if canonical_url(url) not in self.seen:
                children.append((lastmod, url))
        # Newest first when every child says when it changed; then a run of children with
        # nothing new ends the walk, as on listings. Without dates every child is read.
        ordered = bool(children) and all(d for d, _ in children)
        if ordered:
            children.sort(key=lambda c: c[0], reverse=True)
        key = canonical_url(response.url)
        # A nested index goes on counting its parent's run of children with nothing new: an
        # endless tree of indexes runs out as one index does.
        return {"key": key, "todo": [u for _, u in children], "done": 0, "new": 0, "depth": depth,
                "stale": parent["stale"] if parent else 0, "parent": parent,
                "stoppable": ordered and not sp.backfill and sp.progress.trusted(key), "owed": sp.progress.owed(key)}

    def _urlset(self, response: Response, entries: list[dict], out: list[Any]) -> int:
        sp = self.spider
        new = 0
        if sp.rules.unknown_cms:
            # Unknown CMS: the id-bearing shapes many of its sitemap URLs share are article
            # shapes (section and static pages are few, and have no long id).
            shapes = Counter(path_shape(urlsplit(response.urljoin(e["loc"])).path, plain_slug=False)
                             for e in entries)
            for shape, n in shapes.most_common():
                if shape and n >= SITEMAP_SHAPE_QUORUM:
                    reqs = sp.learned(shape, response.url)
                    new += len(reqs)
                    out.extend(reqs)
        for entry in entries:
            # a news sitemap entry is an article by definition
            news = "publication_date" in entry
            when = entry_date(entry.get("publication_date") or entry.get("lastmod"))
            reqs = sp.found_article(response.urljoin(entry["loc"]), when, trusted=news, source="sitemap")
            new += len(reqs)
            out.extend(reqs)
        return new

    def _next(self, chain: dict) -> list[scrapy.Request]:
        while chain["todo"]:
            if chain["stoppable"] and chain["stale"] >= self.spider.stale_pages:
                self.stats.inc_value("discovery/sitemaps_stopped/nothing-new")
                self.spider.progress.ended(chain["key"], "nothing-new")
                chain["todo"] = []
                break
            req = self.request(chain["todo"].pop(0), chain)
            if req is not None:
                return [req]
            if not chain["todo"]:
                break
        else:
            self.spider.progress.ended(chain["key"], "end")  # every child read
        # this index is done: its parent goes on
        parent = chain.get("parent")
        if parent is None:
            return []
        return self._child_done(parent, chain["new"])

    def failed(self, chain: dict | None) -> list[scrapy.Request]:
        return self._child_done(chain, 0)
