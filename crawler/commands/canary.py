"""Do the spiders still work on the live sites? ``python -m crawler canary`` (or ``health --canary``).

For machines with internet. For each spider, in one process and all sites at once:

1. fetch its front page (its first start page), through Scrapy with the project's own
   User-Agent, robots.txt and politeness, a short ``--timeout`` and one retry;
2. pick the article links on it with the spider's own ``classify()`` (the URL patterns it
   crawls with), in page order;
3. fetch the first and run ``crawler.text.extract.extract`` on it; if that page gives no article
   (a video, a 404, …) try the next, up to ``--tries`` articles (default 3).

Nothing is written to the archive. A site is OK when one article extracted; otherwise FAIL
with the reason (``http-503``, ``dns``, ``robots.txt forbids /``, ``no article link on the
front page``, ``no-main-text``, …). Exit status 1 when any site fails.

``--base-url SPIDER=URL`` points a spider at a mirror (the tests use loopback sample sites);
never run the canary over the internet from tests.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import scrapy
from scrapy.crawler import AsyncCrawlerProcess, Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.settings import SETTINGS_PRIORITIES, Settings
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.text.extract import extract
from crawler.spiders.base import failure_reason


@dataclass
class CanaryResult:
    site: str
    ok: bool = False
    reason: str = "not run"
    front_page: str | None = None
    front_status: int | None = None
    article_links: int = 0
    tried: list[dict[str, Any]] = field(default_factory=list)  # url, status, outcome
    title: str | None = None
    chars: int = 0
    published: str | None = None

    @property
    def article(self) -> str | None:
        return self.tried[-1]["url"] if self.tried else None


class CanaryMixin:
    """Mixed in before a site spider: same URL facts, a different and tiny crawl."""

    canary_tries = 3

    async def start(self) -> AsyncIterator[Any]:
        self.canary = CanaryResult(self.name)
        path = self.start_paths[0] if self.start_paths else "/"
        url = self.listing_url(path, 1)
        self.canary.front_page = url
        self.canary.reason = "front page not fetched"
        yield scrapy.Request(url, callback=self.canary_front, errback=self.canary_failed, dont_filter=True,
                             meta={"canary": "front"})

    def robots_sitemaps(self, urls: Any) -> None:
        """The site's sitemaps are for crawls; the canary asks for two pages, no more."""

    def canary_front(self, response: Response) -> Iterator[scrapy.Request]:
        self.canary.front_status = response.status
        if not isinstance(response, TextResponse):
            self.canary.reason = f"front page is not HTML ({response.headers.get('Content-Type', b'').decode()})"
            return
        links: list[str] = []
        for href in response.xpath("//a/@href").getall():
            kind = self.classify(response.urljoin(href))
            if kind and kind[0] == "article" and kind[1] not in links:
                links.append(kind[1])
        self.canary.article_links = len(links)
        if not links:
            self.canary.reason = "no article link on the front page"
            return
        yield from self.canary_next(links)

    def canary_next(self, links: list[str]) -> Iterator[scrapy.Request]:
        if not links or len(self.canary.tried) >= self.canary_tries:
            return
        url, rest = links[0], links[1:]
        self.canary.tried.append({"url": url, "status": None, "outcome": "not fetched"})
        yield scrapy.Request(url, callback=self.canary_article, errback=self.canary_failed, dont_filter=True,
                             meta={"canary": "article", "rest": rest})

    def canary_article(self, response: Response) -> Iterator[scrapy.Request]:
        attempt = self.canary.tried[-1]
        attempt["status"] = response.status
        if not isinstance(response, TextResponse):
            attempt["outcome"] = "not-html"
        else:
            article, reason = extract(response.text, response.url)
            if article is not None:
                attempt["outcome"] = "ok"
                self.canary.ok, self.canary.reason = True, "ok"
                self.canary.title = article.title
                self.canary.chars = len(article.text)
                self.canary.published = article.published
                return
            attempt["outcome"] = reason or "no article"
        self.canary.reason = f"article: {attempt['outcome']}"
        yield from self.canary_next(response.meta["rest"])

    def canary_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        request = failure.request
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            why = (f"robots.txt forbids {request.url}" if "robots" in str(failure.value)
                   else f"ignored: {failure.value or type(failure.value).__name__}")
        else:
            why, status = failure_reason(failure)
            if request.meta.get("canary") == "front":
                self.canary.front_status = status
        if request.meta.get("canary") == "front":
            self.canary.reason = f"front page: {why}"
            return
        self.canary.tried[-1]["outcome"] = why
        self.canary.reason = f"article: {why}"
        yield from self.canary_next(request.meta.get("rest", []))


def canary_class(cls: type) -> type:
    return type(f"{cls.__name__}Canary", (CanaryMixin, cls), {"__module__": __name__})


def canary_settings(settings: Settings, timeout: float) -> Settings:
    s = settings.copy()
    for name, value in {
        "ARCHIVE_DB": "",  # nothing is stored: pipelines and the crawl log switch themselves off
        "ITEM_PIPELINES": {},
        "EXTENSIONS": {},
        "DOWNLOAD_TIMEOUT": timeout,
        "RETRY_TIMES": 1,
        "CLOSESPIDER_TIMEOUT": timeout * 6,
        "AUTOTHROTTLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
    }.items():
        if (s.getpriority(name) or 0) < SETTINGS_PRIORITIES["cmdline"]:  # an explicit --set wins
            s.set(name, value, priority="cmdline")
    return s


def run_canaries(spiders: Sequence[type], settings: Settings, *, base_urls: dict[str, str] | None = None,
                 timeout: float = 20, tries: int = 3) -> list[CanaryResult]:
    """Check each spider against its live site (or ``base_urls`` mirror); one result per spider."""
    base_urls = base_urls or {}
    settings = canary_settings(settings, timeout)
    process = AsyncCrawlerProcess(settings)
    runs = []
    for cls in spiders:
        sub = canary_class(cls)
        sub.canary_tries = max(1, tries)
        crawler = Crawler(sub, settings)
        kwargs = {"base_url": base_urls[cls.name]} if cls.name in base_urls else {}
        runs.append((cls.name, crawler, process.crawl(crawler, **kwargs)))
    process.start()
    results = []
    for name, crawler, task in runs:
        result = getattr(crawler.spider, "canary", None) if crawler.spider is not None else None
        if result is None:
            result = CanaryResult(name)
        if task.done() and not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            result.ok, result.reason = False, f"spider did not start: {type(exc).__name__}: {exc}"
        results.append(result)
    return results


def format_results(results: Sequence[CanaryResult]) -> str:
    head = ("site", "result", "front page", "article", "detail")
    rows = []
    for r in results:
        front = "-" if r.front_status is None else f"{r.front_status}, {r.article_links} article links"
        if r.ok:
            detail = f"{r.chars} chars, {r.published or 'no date'}: {(r.title or '')[:60]}"
        else:
            detail = r.reason
        rows.append((r.site, "OK" if r.ok else "FAIL", front, r.article or "-", detail))
    table = [head, *rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(head) - 1)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row[:-1], widths, strict=True)) + "  " + row[-1]
             for row in table]
    lines.insert(1, "  ".join("-" * w for w in widths) + "  ------")
    failed = sum(not r.ok for r in results)
    lines += ["", f"{len(results) - failed} of {len(results)} spiders work" + (f"; {failed} FAIL" if failed else "")]
    return "\n".join(lines)


# -- command line -----------------------------------------------------------------------------


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options shared by ``canary`` and ``health --canary``."""
    p.add_argument("--base-url", action="append", default=[], metavar="SPIDER=URL",
                   help="check a mirror for this spider instead of the live site (repeatable)")
    p.add_argument("--timeout", type=float, default=20, help="download timeout, seconds (default %(default)s)")
    p.add_argument("--tries", type=int, default=3, help="articles to try per site (default %(default)s)")
    p.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE", help="Scrapy setting")


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "canary",
        help="fetch each site's front page and one article: which spiders still work (needs internet)",
        description="For each spider, fetch its front page and one article it links to, and extract it. "
                    "Exit status 1 if any spider fails.",
    )
    p.add_argument("--site", action="append", default=[], metavar="SPIDER", help="only this spider (repeatable)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    add_arguments(p)
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    from crawler.commands.crawlall import UsageError, build_settings, load_spiders, parse_assignments, select

    try:
        settings = build_settings(None, parse_assignments(args.set, "--set"))
        classes = load_spiders(settings)
        chosen = select(classes, args.site)
        base_urls = parse_assignments(args.base_url, "--base-url")
    except UsageError as exc:
        print(f"canary: {exc}", file=sys.stderr)
        return 2
    results = run_canaries(chosen, settings, base_urls=base_urls, timeout=args.timeout, tries=args.tries)
    if args.json:
        print(json.dumps([{**asdict(r), "article": r.article} for r in results], ensure_ascii=False, indent=2))
    else:
        print(format_results(results))
    return 1 if any(not r.ok for r in results) else 0
