"""The date-archive walker: a site's day-by-day archive pages, in backfills.

A spider whose site has one states ``date_archive`` as a strftime path
(``"/tin-ngay/%d-%m-%Y.html"``). In a backfill the walker reads one day at a time, newest
first, from today back to ``since``: each page paid from ``ARCHIVE_BUDGET_ARCHIVES``, its
article links handed to ``Wanted``. It stops at the budget, at ``since``, or after
``ARCHIVE_ARCHIVE_EMPTY_DAYS`` days in a row that list no article (before the site's first
day). Day pages are never opened as sections, so the day-to-day links on them lead nowhere.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import scrapy
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from crawler.spiders.listings import page_links
from crawler.text.dates import VN_TZ



class DateArchiveWalker:
    def __init__(self, spider: Any):
        self.spider = spider
        self.empty_run = 0

    def start(self) -> list[scrapy.Request]:
        today = datetime.now(VN_TZ).date()
        req = self.request(today)
        return [req] if req else []

    def request(self, day: date) -> scrapy.Request | None:
        sp = self.spider
        if sp.since and day < sp.since:
            return None
        if not sp.budget.spend("archives", "date-archive"):
            sp.progress.ended("date-archive", "budget")
            return None
        url = sp.origin + day.strftime(sp.date_archive)
        return scrapy.Request(url, callback=sp.parse_archive, errback=sp.archive_failed,
                              meta={"archive_day": day.isoformat()})

    def parse(self, response: Response) -> list[Any]:
        sp = self.spider
        day = date.fromisoformat(response.meta["archive_day"])
        out: list[Any] = []
        articles = 0
        if isinstance(response, TextResponse) and sp.rules.own_url(response.url) is not None:
            for link in page_links(response, sp.rules):
                if link.kind and link.kind[0] == "article":
                    articles += 1
                    if sp.wanted(link.kind[1], link.when or day):
                        out.append(sp.article_request(link.kind[1]))
        sp.crawler.stats.inc_value("archives/pages")
        self.empty_run = 0 if articles else self.empty_run + 1
        walked = (datetime.now(VN_TZ).date() - day).days + 1
        limit = sp.settings.getint("ARCHIVE_ARCHIVE_EMPTY_DAYS")
        stop = "empty" if self.empty_run >= limit else None
        sp.progress.walked("date-archive", walked, stop, kind="archive")
        if not stop and (req := self.request(day - timedelta(days=1))):
            out.append(req)
        return out

    def failed(self, failure: Failure) -> list[Any]:
        day = date.fromisoformat(failure.request.meta["archive_day"])
        self.empty_run += 1
        if self.empty_run >= self.spider.settings.getint("ARCHIVE_ARCHIVE_EMPTY_DAYS"):
            return []
        req = self.request(day - timedelta(days=1))
        return [req] if req else []
