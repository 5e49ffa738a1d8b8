"""A crawl that got nowhere says so: finish reason ``site-unreachable`` or ``all-requests-failed``.

Scrapy ends a crawl whose every request failed with ``finished``, like a successful one. This
extension watches what reached the downloader and what came back (``robots.txt`` aside: it is
Scrapy's own request, not the site's pages) and, when the crawl goes idle with not one page
answered, closes it with a finish reason that tells the truth:

``site-unreachable``
    no page got any response: DNS lookup failed, connection refused, TLS failed, timed out.
``all-requests-failed``
    the site answered, but every page with an HTTP error (403 from a firewall, 5xx, …).

The plain sentence (``baocamau.vn could not be reached (DNS lookup failed) — no network? try
make demo``) is kept in ``explanation``, in the ``archive/finish_detail`` stat (so it lands in
``crawls.stats``) and logged once at ERROR; commands print it as their last line.
"""

from __future__ import annotations

import logging
from collections import Counter
from urllib.parse import urlsplit

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, NotConfigured
from scrapy.http import Request, Response
from scrapy.utils.misc import load_object

from crawler import reasons
from crawler.spiders.failures import category_of_class

logger = logging.getLogger(__name__)

EXCEPTION_STAT = "downloader/exception_type_count/"
DETAIL_STAT = "archive/finish_detail"
HINT_OFFLINE = "no network? try make demo"


def cause_of(exception_path: str) -> str:
    """Words for a download exception given as its dotted class path (a Scrapy stats key)."""
    try:
        cls = load_object(exception_path)
    except (ImportError, NameError, ValueError, AttributeError):
        return exception_path.rsplit(".", 1)[-1]
    category = category_of_class(cls) if isinstance(cls, type) and issubclass(cls, BaseException) else None
    return reasons.FAILURE_WORDS.get(category or "", exception_path.rsplit(".", 1)[-1])


def is_robots(url: str) -> bool:
    return urlsplit(url).path == "/robots.txt"


class Reachability:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.host: str | None = None  # the host of the first page requested
        self.requests = 0  # pages (robots.txt aside) that reached the downloader
        self.answered = 0  # ... that got a response below 400
        self.statuses: Counter[int] = Counter()  # HTTP error statuses of the others
        self.verdict: str | None = None
        self.explanation: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Reachability:
        if not crawler.settings.getbool("ARCHIVE_REACHABILITY_ENABLED", True):
            raise NotConfigured("ARCHIVE_REACHABILITY_ENABLED is off")
        ext = cls(crawler)
        crawler.signals.connect(ext.request_reached_downloader, signal=signals.request_reached_downloader)
        crawler.signals.connect(ext.response_received, signal=signals.response_received)
        crawler.signals.connect(ext.spider_idle, signal=signals.spider_idle)
        return ext

    def request_reached_downloader(self, request: Request, spider: Spider) -> None:
        if is_robots(request.url):
            return
        self.requests += 1
        if self.host is None:
            self.host = urlsplit(request.url).netloc

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        if is_robots(request.url):
            return
        if response.status < 400:
            self.answered += 1
        else:
            self.statuses[response.status] += 1

    def judge(self) -> str | None:
        """The finish reason this crawl deserves if it ends now (None: it reached its site)."""
        if self.requests == 0 or self.answered:
            return None
        host = self.host or "the site"
        if self.statuses:
            codes = ", ".join(f"{n}× HTTP {status}" for status, n in self.statuses.most_common(3))
            self.explanation = f"{host} answered, but every request failed ({codes})"
            return reasons.ALL_REQUESTS_FAILED
        found = Counter()
        for key, n in self.crawler.stats.get_stats().items():
            if key.startswith(EXCEPTION_STAT):
                found[cause_of(key[len(EXCEPTION_STAT):])] += n
        cause = found.most_common(1)[0][0] if found else "no response"
        self.explanation = f"{host} could not be reached ({cause}) — {HINT_OFFLINE}"
        return reasons.SITE_UNREACHABLE

    def spider_idle(self, spider: Spider) -> None:
        verdict = self.judge()
        if verdict is None:
            return
        self.verdict = verdict
        self.crawler.stats.set_value(DETAIL_STAT, self.explanation)
        logger.error("%s", self.explanation, extra={"spider": spider})
        raise CloseSpider(verdict)
