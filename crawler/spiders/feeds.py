"""The feed walker: RSS/Atom feeds the site states or advertises with ``<link rel="alternate">``.

A feed is one request (paid from ``ARCHIVE_BUDGET_FEEDS``); its entries are articles by
definition, so on an unknown CMS they teach the article shape (``SiteRules.learn``).
"""

from __future__ import annotations

from typing import Any

import scrapy
from lxml import etree
from scrapy.http import Response, TextResponse

from crawler.spiders.deadsources import DeadSources, looks_like_feed
from crawler.spiders.discovery import FEED_TYPES, entry_date, feed_entries
from crawler.urls import canonical_url

_FEED_LINKS = '//link[contains(concat(" ", normalize-space(@rel), " "), " alternate ")][@href]'


class FeedWalker:
    def __init__(self, spider: Any):
        self.spider = spider
        self.seen: set[str] = set()

    def request(self, url: str) -> scrapy.Request | None:
        key = canonical_url(url)
        if key in self.seen:
            return None
        self.seen.add(key)
        sp = self.spider
        if DeadSources.of(sp).skip(key) or not sp.budget.spend("feeds", key):
            return None
        return scrapy.Request(url, callback=sp.parse_feed, errback=sp.discovery_failed, meta=DeadSources.META)

    def autodiscover(self, response: TextResponse) -> list[scrapy.Request]:
        """``<link rel="alternate" type="application/rss+xml" href=…>`` of this site."""
        out = []
        for link in response.xpath(_FEED_LINKS):
            if (link.attrib.get("type") or "").split(";")[0].strip().lower() not in FEED_TYPES:
                continue
            url = self.spider.rules.own_url(response.urljoin(link.attrib["href"]))
            if url and (req := self.request(url)):
                self.spider.crawler.stats.inc_value("discovery/feeds_autodiscovered")
                out.append(req)
        return out

    def parse(self, response: Response) -> list[Any]:
        sp = self.spider
        if sp.rules.own_url(response.url) is None:
            sp.crawler.stats.inc_value("discovery/offsite_redirect")
            return []
        if DeadSources.of(sp).gone(response, "feed"):
            return []
        try:
            entries = list(feed_entries(response))
        except etree.XMLSyntaxError as exc:
            entries, unreadable = [], exc
        else:
            unreadable = None if entries or looks_like_feed(response.body) else "not a feed"
        DeadSources.of(sp).answered(response, "feed", readable=unreadable is None)
        if unreadable is not None:
            sp.crawler.stats.inc_value("discovery/feed_unreadable")
            sp.logger.warning("Feed %s unreadable: %s", response.url, unreadable)
            return []
        sp.crawler.stats.inc_value("discovery/feeds")
        out: list[Any] = []
        for link, when in entries:
            out.extend(sp.found_article(response.urljoin(link), entry_date(when), trusted=True, source="feed"))
        return out
