"""Do the spiders still work on the live sites? ``python -m crawler canary`` (or ``health --canary``).

For machines with internet. For each spider, in one process and all sites at once:

1. fetch its front page (its first start page), through Scrapy with the project's own
   User-Agent, robots.txt and politeness, a short ``--timeout`` and one retry;
2. pick the article links on it with the spider's own ``classify()`` (the URL patterns it
   crawls with), in page order;
3. fetch the first and run ``crawler.text.extract.extract`` on it; if that page gives no article
   (a video, a 404, …) try the next, up to ``--tries`` articles (default 3).

Before any spider runs, the machine's own network is checked: one known host
(``ARCHIVE_NETWORK_PROBE``, ``host:port``), and if that fails the chosen sites' hosts. When none
answers the command says ``no network`` and exits 3 instead of blaming every spider.

Nothing is written to the archive. A site is OK when one article extracted; otherwise FAIL
with the step that failed (a download failure's category from ``crawler.spiders.failures.classify``:
``dns``, ``connection-refused``, ``timeout``, ``tls``, ``http-503``, ``download-error``; or
``robots``, ``article-links``, ``extraction``) and the reason (``http-503``, ``robots.txt forbids
/``, ``no article link on the front page``, ``no-main-text``, …). Exit status 1 when any site
fails, 3 when there is no network, 2 for a usage error.

``--base-url SPIDER=URL`` points a spider at a mirror (the tests use loopback sample sites);
never run the canary over the internet from tests.
"""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

import scrapy
from scrapy.crawler import AsyncCrawlerProcess, Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.settings import SETTINGS_PRIORITIES, Settings
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

import click

from crawler.commands import outcome
from crawler.commands.common import (UsageError, build_settings, canary_options, errors_as_lines, load_spiders,
                                     parse_assignments, table)
from crawler.commands.logs import quiet_logging
from crawler.spiders.failures import failure_reason
from crawler.text.extract import extract

@dataclass
class CanaryResult:
    site: str
    ok: bool = False
    reason: str = "not run"
    step: str = "start"  # where it stopped: dns, connection-refused, timeout, tls, http-503, robots, …, ok
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
        url = self.rules.listing_url(path, 1)
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
            self.canary.step = "front-page"
            return
        links: list[str] = []
        for href in response.xpath("//a/@href").getall():
            kind = self.rules.classify(response.urljoin(href))
            if kind and kind[0] == "article" and kind[1] not in links:
                links.append(kind[1])
        self.canary.article_links = len(links)
        if not links:
            self.canary.reason = "no article link on the front page"
            self.canary.step = "article-links"
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
                self.canary.ok, self.canary.reason, self.canary.step = True, "ok", "ok"
                self.canary.title = article.title
                self.canary.chars = len(article.text)
                self.canary.published = article.published
                return
            attempt["outcome"] = reason or "no article"
        self.canary.reason = f"article: {attempt['outcome']}"
        self.canary.step = "extraction"
        yield from self.canary_next(response.meta["rest"])

    def canary_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        request = failure.request
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            why = (f"robots.txt forbids {request.url}" if "robots" in str(failure.value)
                   else f"ignored: {failure.value or type(failure.value).__name__}")
            self.canary.step = "robots" if "robots" in str(failure.value) else "ignored"
        else:
            why, status = failure_reason(failure)
            self.canary.step = why
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
    quiet_logging(settings)
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
    head = ("site", "result", "step", "front page", "article", "detail")
    rows = []
    for r in results:
        front = "-" if r.front_status is None else f"{r.front_status}, {r.article_links} article links"
        if r.ok:
            detail = f"{r.chars} chars, {r.published or 'no date'}: {(r.title or '')[:60]}"
        else:
            detail = r.reason
        rows.append((r.site, "OK" if r.ok else "FAIL", r.step, front, r.article or "-", detail))
    failed = sum(not r.ok for r in results)
    return "\n".join([table(rows, head), "",
                      f"{len(results) - failed} of {len(results)} spiders work" + (f"; {failed} FAIL" if failed else "")])


# -- is this machine online? ------------------------------------------------------------------


def probe(host: str, port: int, timeout: float) -> str | None:
    """None if ``host:port`` accepts a TCP connection, else why not, in words."""
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return "DNS lookup failed"
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return None
    except TimeoutError:
        return "timed out"
    except ConnectionRefusedError:
        return "connection refused"
    except OSError as exc:
        return exc.strerror or str(exc)


def host_port(url_or_hostport: str) -> tuple[str, int]:
    from urllib.parse import urlsplit

    if "//" not in url_or_hostport:
        url_or_hostport = "//" + url_or_hostport
    parts = urlsplit(url_or_hostport)
    default = 80 if parts.scheme == "http" else 443
    return parts.hostname or "", parts.port or default


def network_check(probe_host: str, site_urls: Iterable[str], timeout: float = 5) -> str | None:
    """None when the network works (the known host answers, or at least one site's host does);
    else the ``no network`` sentence."""
    first = None
    if probe_host:
        host, port = host_port(probe_host)
        first = probe(host, port, timeout)
        if first is None:
            return None
    targets = sorted({host_port(u) for u in site_urls})
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(lambda hp: probe(hp[0], hp[1], timeout), targets))
    if any(a is None for a in answers) or not targets and first is None:
        return None
    causes = sorted({a for a in answers if a})
    parts = [f"{probe_host} ({first})"] if probe_host else []
    if targets:
        parts.append(f"none of the {len(targets)} site hosts ({', '.join(causes)})")
    return ("no network: " + " and ".join(parts) + " could be reached"
            + " — check the connection or DNS; try make demo")


def site_url(cls: type, base_urls: dict[str, str]) -> str:
    return base_urls.get(cls.name) or f"https://{cls.domains[0]}/"


# -- command line -----------------------------------------------------------------------------


def run(sites: Sequence[str], *, base_urls: Sequence[str] = (), timeout: float = 20, tries: int = 3,
        sets: Sequence[str] = (), as_json: bool = False) -> int:
    """``canary`` and ``health --canary``: the exit status."""
    from crawler.commands.crawlall import select

    settings = build_settings(None, parse_assignments(sets, "--set"))
    classes = load_spiders(settings)
    chosen = select(classes, sites)
    bases = parse_assignments(base_urls, "--base-url")
    stray = sorted(set(bases) - set(classes))
    if stray:
        raise UsageError(f"--base-url for unknown spider(s): {', '.join(stray)}")
    offline = network_check(settings.get("ARCHIVE_NETWORK_PROBE", ""),
                            [site_url(cls, bases) for cls in chosen if getattr(cls, "domains", ()) or cls.name in bases],
                            timeout=min(timeout, 5))
    if offline:
        click.echo(offline, err=True)
        return outcome.UNREACHABLE
    results = run_canaries(chosen, settings, base_urls=bases, timeout=timeout, tries=tries)
    if as_json:
        click.echo(json.dumps([{**asdict(r), "article": r.article} for r in results], ensure_ascii=False, indent=2))
    else:
        click.echo(format_results(results))
    return 1 if any(not r.ok for r in results) else 0


def _command():
    @click.command("canary")
    @click.option("--site", "sites", multiple=True, metavar="SPIDER", help="only this spider (repeatable)")
    @click.option("--json", "as_json", is_flag=True, help="print JSON instead of a table")
    @canary_options
    @click.pass_context
    @errors_as_lines
    def canary(ctx: click.Context, sites, as_json, base_urls, timeout, tries, sets) -> None:
        """For each spider, fetch its front page and one article it links to, and extract it
        (needs internet). Checks the network first. Exit status 1 if any spider fails, 3 if
        there is no network."""
        ctx.exit(run(sites, base_urls=base_urls, timeout=timeout, tries=tries, sets=sets, as_json=as_json))

    return canary


command = _command()
