"""Crawl every newspaper, or some, in one process: ``python -m crawler crawl-all``.

One Scrapy ``AsyncCrawlerProcess`` runs one crawler per spider, all at the same time. Each
crawler has its own downloader, so each site keeps its own politeness (robots.txt,
``CONCURRENT_REQUESTS_PER_DOMAIN``, ``DOWNLOAD_DELAY``, AutoThrottle): running sites side by
side makes the whole run as long as the slowest site, not the sum of all of them, without
asking any one site for more. ``CONCURRENT_REQUESTS`` is per crawler, i.e. per site.

    python -m crawler crawl-all                          # every spider
    python -m crawler crawl-all --province 'Ca Mau'      # the spiders of one province
    python -m crawler crawl-all --site baocamau --site baocantho --since 2025-07-01
    python -m crawler crawl-all --jobdir crawls/jobs     # resumable (what deploy/crawl-all.sh runs)

Selection: ``--site`` and ``--province`` add up (a spider is run if it is named or lies in a
named province); none of them means every newspaper spider (``news``, the spider for any site,
runs only when named, with ``-a url=…``). Provinces are compared folded
(``crawler.text.fold``), so ``Ca Mau``, ``cà mau`` and ``Cà Mau`` are the same, and a spider
matches on its current ``province`` or its ``former_province`` (before the July 2025 merger).

Resume: with ``--jobdir DIR`` every spider gets ``JOBDIR=DIR/<spider>``. A run stopped by
Ctrl-C/SIGTERM (or by a ``CLOSESPIDER_*`` limit) keeps its request queue there and the next
run picks it up; a spider that finished its crawl has its folder removed, because Scrapy's
JOBDIR also remembers every request made, and a finished daily crawl must start afresh the
next day (its start pages would otherwise be filtered out as already seen).

The archive: every crawler writes the same ``archive.db`` through its own connections; all of
them run on the one reactor thread, and the store writes short transactions with a busy
timeout and tenacity retries (``crawler.store.archive``), so parallel sites lose nothing. Dedupe
holds across sites: a text another site already stored is recorded as a URL alias. The
``sites`` table is synchronised from the spider classes before the crawl
(``crawler.store.sitesync``).

At the end a per-site table (from the ``crawls`` rows this run wrote) is printed on stdout;
the crawl log goes to stderr. Exit status: 0 when at least one site was crawled, 1 when every
site failed (no response at all, or the crawler could not start), 2 for a usage error.
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import shutil
import sys
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from scrapy.crawler import AsyncCrawlerProcess, Crawler
from scrapy.settings import Settings
from scrapy.spiderloader import get_spider_loader
from scrapy.utils.project import get_project_settings

from crawler.store.archive import Archive
from crawler.extensions.crawllog import CrawlLog
from crawler.store.sitesync import sync_sites
from crawler.text import fold
from pipelines.extract import ExtractPipeline

logger = logging.getLogger(__name__)


class UsageError(Exception):
    """A bad command line (exit status 2)."""


# -- settings and spiders ---------------------------------------------------------------------


def parse_assignments(values: Iterable[str] | None, flag: str) -> dict[str, str]:
    """``["a=1", "b=x=y"]`` → ``{"a": "1", "b": "x=y"}``."""
    out: dict[str, str] = {}
    for value in values or ():
        name, sep, rest = value.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"{flag} {value!r}: expected NAME=VALUE")
        out[name.strip()] = rest
    return out


def build_settings(db: str | None = None, overrides: dict[str, str] | None = None) -> Settings:
    """The project's settings, with ``--set`` overrides and ``--db`` at command-line priority."""
    settings = get_project_settings()
    settings.setdict(overrides or {}, priority="cmdline")
    if db:
        settings.set("ARCHIVE_DB", str(db), priority="cmdline")
    return settings


def load_spiders(settings: Settings) -> dict[str, type]:
    """Every spider class of ``SPIDER_MODULES`` (honours ``--set SPIDER_MODULES=…``), by name."""
    loader = get_spider_loader(settings)
    return {name: loader.load(name) for name in sorted(loader.list())}


def in_province(cls: type, folded: set[str]) -> bool:
    names = (getattr(cls, "province", None), getattr(cls, "former_province", None))
    return any(name and fold(name).strip() in folded for name in names)


def is_newspaper(cls: type) -> bool:
    """A spider of one newspaper: it states its domains. (``news`` takes its site from
    ``-a url=`` and is run only when named.)"""
    return bool(getattr(cls, "domains", ()))


def select(classes: dict[str, type], sites: Sequence[str] = (), provinces: Sequence[str] = ()) -> list[type]:
    """The spiders to run: those named in ``sites`` plus the newspapers of ``provinces``; every
    newspaper spider if neither is given."""
    unknown = [s for s in sites if s not in classes]
    if unknown:
        raise UsageError(f"unknown spider(s): {', '.join(unknown)}; known: {', '.join(classes)}")
    if not sites and not provinces:
        return [cls for cls in classes.values() if is_newspaper(cls)]
    folded = {fold(p).strip() for p in provinces}
    chosen = [cls for name, cls in classes.items()
              if name in sites or (is_newspaper(cls) and in_province(cls, folded))]
    matched = {fold(p).strip() for cls in chosen for p in (getattr(cls, "province", None),
                                                           getattr(cls, "former_province", None)) if p}
    missing = [p for p in provinces if fold(p).strip() not in matched]
    if missing:
        known = sorted({cls.province for cls in classes.values() if getattr(cls, "province", None)})
        raise UsageError(f"no spider for province(s): {', '.join(missing)}; provinces: {', '.join(known)}")
    return chosen


# -- one extraction pool for all sites ------------------------------------------------------


class SharedPoolExtractPipeline(ExtractPipeline):
    """``ExtractPipeline`` whose process pool is shared by every crawler of the process.

    Ten sites with a pool of ``ARCHIVE_EXTRACT_WORKERS`` each would start ten times as many
    extraction processes as the machine has cores (each one importing trafilatura, ~80 MB):
    slower to start and no faster, since extraction is CPU-bound. Under ``crawl-all``,
    ``ARCHIVE_EXTRACT_WORKERS`` is the size of the one pool all sites share.
    """

    _shared: ProcessPoolExecutor | None = None
    _users = 0

    def open_spider(self) -> None:
        if self.workers <= 0:
            return
        cls = SharedPoolExtractPipeline
        if cls._shared is None:
            # spawn, not fork: forking a process that runs a reactor and threads is unsafe.
            cls._shared = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))
        cls._users += 1
        self.pool = cls._shared

    def close_spider(self) -> None:
        if self.pool is None:
            return
        cls = SharedPoolExtractPipeline
        self.pool = None
        cls._users -= 1
        if cls._users == 0 and cls._shared is not None:
            pool, cls._shared = cls._shared, None
            pool.shutdown(wait=True, cancel_futures=True)


def share_extraction_pool(settings: Settings) -> None:
    """Swap ``ExtractPipeline`` for ``SharedPoolExtractPipeline`` at the same place, if configured."""
    try:
        settings.replace_in_component_priority_dict("ITEM_PIPELINES", ExtractPipeline, SharedPoolExtractPipeline)
    except KeyError:  # extraction switched off or replaced: leave it alone
        pass


# -- the run ----------------------------------------------------------------------------------


@dataclass
class SiteResult:
    """One site's figures for this run (from its ``crawls`` row, else from the crawler)."""

    site: str
    crawl_id: int | None = None
    finish_reason: str | None = None
    requests: int = 0
    responses: int = 0
    new_articles: int = 0
    duplicates: int = 0
    rejects: int = 0
    errors: int = 0
    seconds: float | None = None
    error: str | None = None  # the crawler could not start (or crashed)
    stats: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def failed(self) -> bool:
        """Nothing to show for the run: the crawler broke, or no page was ever received."""
        return self.error is not None or self.finish_reason is None or self.responses == 0

    @property
    def status(self) -> str:
        if self.error is not None:
            return "FAILED"
        if self.finish_reason is None:
            return "FAILED (unfinished)"
        if self.responses == 0:
            return f"FAILED ({self.stats_failure() or 'no response'})"
        if self.finish_reason == "finished":
            return "ok"
        return self.finish_reason  # shutdown, closespider_*: resumable with --jobdir

    def stats_failure(self) -> str | None:
        """The commonest download exception, e.g. 'DNSLookupError', when nothing came back."""
        prefix = "downloader/exception_type_count/"
        found = {k[len(prefix):].rsplit(".", 1)[-1]: v for k, v in self.stats.items() if k.startswith(prefix)}
        return max(found, key=found.get) if found else None


def _seconds(started: str | None, finished: str | None) -> float | None:
    if not started or not finished:
        return None
    return (datetime.fromisoformat(finished) - datetime.fromisoformat(started)).total_seconds()


def result_from_row(site: str, row: dict[str, Any]) -> SiteResult:
    stats = json.loads(row.get("stats") or "{}")
    return SiteResult(
        site=site,
        crawl_id=row["id"],
        finish_reason=row.get("finish_reason"),
        requests=row.get("requests") or 0,
        responses=stats.get("downloader/response_count", 0),
        new_articles=row.get("new_articles") or 0,
        duplicates=row.get("duplicates") or 0,
        rejects=row.get("rejects") or 0,
        errors=row.get("errors") or 0,
        seconds=_seconds(row.get("started"), row.get("finished")),
        stats=stats,
    )


def collect(crawler: Crawler, task: Any, db_path: str | None) -> SiteResult:
    name = crawler.spidercls.name
    error = None
    if task.done() and not task.cancelled() and task.exception() is not None:
        exc = task.exception()
        error = f"{type(exc).__name__}: {exc}"
    elif not task.done() or task.cancelled():
        error = "cancelled"
    crawl_id = None
    try:
        ext = crawler.get_extension(CrawlLog)
        crawl_id = ext.crawl_id if ext else None
    except RuntimeError:  # the crawler never got as far as building its extensions
        pass
    if crawl_id is not None and db_path:
        with Archive(db_path) as archive:
            row = next(archive.db.query("SELECT * FROM crawls WHERE id = ?", [crawl_id]), None)
        if row is not None:
            result = result_from_row(name, row)
            result.error = error
            return result
    # No crawls row (ARCHIVE_DB empty, or the crawler broke before opening): the live stats.
    try:
        stats = crawler.stats.get_stats()
    except Exception:  # noqa: BLE001 - stats never created: the crawler did not even start
        stats = {}
    return SiteResult(
        site=name,
        finish_reason=stats.get("finish_reason"),
        requests=stats.get("downloader/request_count", 0),
        responses=stats.get("downloader/response_count", 0),
        new_articles=stats.get("archive/inserted", 0),
        duplicates=stats.get("archive/alias", 0),
        rejects=stats.get("archive/rejected", 0),
        errors=sum(v for k, v in stats.items() if k.startswith("log_count/ERROR")),
        error=error,
        stats=stats,
    )


def crawl_all(
    spiders: Sequence[type],
    settings: Settings,
    *,
    base_urls: dict[str, str] | None = None,
    since: str | None = None,
    spider_args: dict[str, str] | None = None,
    jobdir: Path | None = None,
    install_signal_handlers: bool = True,
) -> list[SiteResult]:
    """Run ``spiders`` side by side in one process; return one result per spider (input order).

    Blocks until every crawler has finished. Can run once per process (Twisted's reactor
    cannot be restarted): call it from a command, not a library.
    """
    base_urls = base_urls or {}
    db_path = settings.get("ARCHIVE_DB")
    if db_path:
        with Archive(db_path) as archive:
            changed = sync_sites(archive, load_spiders(settings).values())
        logger.info("sites table: %d row(s) added or updated", changed)
    share_extraction_pool(settings)
    process = AsyncCrawlerProcess(settings)
    runs: list[tuple[Crawler, Any]] = []
    for cls in spiders:
        own = settings.copy()
        if jobdir is not None:
            own.set("JOBDIR", str(jobdir / cls.name), priority="cmdline")
        crawler = Crawler(cls, own)
        kwargs: dict[str, Any] = dict(spider_args or {})
        if since:
            kwargs["since"] = since
        if cls.name in base_urls:
            kwargs["base_url"] = base_urls[cls.name]
        runs.append((crawler, process.crawl(crawler, **kwargs)))
    logger.info("crawl-all: %d site(s) in parallel: %s", len(runs), ", ".join(c.name for c in spiders))
    process.start(install_signal_handlers=install_signal_handlers)

    results = [collect(crawler, task, db_path) for crawler, task in runs]
    if jobdir is not None:
        for r in results:
            # A finished crawl drained its queue; what Scrapy remembers of it (requests.seen)
            # would only filter tomorrow's start pages. Anything else stays, to resume.
            if r.finish_reason == "finished" and r.error is None:
                shutil.rmtree(jobdir / r.site, ignore_errors=True)
    return results


# -- the summary ------------------------------------------------------------------------------

_COLUMNS = ("site", "status", "requests", "new", "duplicates", "rejects", "errors", "time")


def summary_rows(results: Sequence[SiteResult]) -> list[tuple[str, ...]]:
    rows = []
    for r in results:
        t = f"{r.seconds:.0f}s" if r.seconds is not None else "-"
        rows.append((r.site, r.status, str(r.requests), str(r.new_articles), str(r.duplicates), str(r.rejects),
                     str(r.errors), t))
    return rows


def format_summary(results: Sequence[SiteResult]) -> str:
    rows = summary_rows(results)
    total = ("total", f"{sum(not r.failed for r in results)}/{len(results)} ok",
             *(str(sum(getattr(r, a) for r in results))
               for a in ("requests", "new_articles", "duplicates", "rejects", "errors")), "")
    table = [_COLUMNS, *rows, total]
    widths = [max(len(row[i]) for row in table) for i in range(len(_COLUMNS))]

    def line(row: Sequence[str]) -> str:
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1])]
        cells += [c.rjust(w) for c, w in zip(row[2:], widths[2:], strict=True)]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    out = [line(_COLUMNS), rule, *(line(r) for r in rows), rule, line(total)]
    for r in results:
        if r.error:
            out.append(f"{r.site}: {r.error}")
    return "\n".join(out)


# -- command line -----------------------------------------------------------------------------


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "crawl-all",
        help="crawl every newspaper (or some) in one process, sites in parallel",
        description="Crawl every newspaper (or those chosen by --site/--province) in one process, "
                    "each site with its own politeness, then print a per-site summary.",
    )
    p.add_argument("--site", action="append", default=[], metavar="SPIDER", help="run this spider (repeatable)")
    p.add_argument("--province", action="append", default=[], metavar="NAME",
                   help="run the spiders of this province, diacritics optional (repeatable)")
    p.add_argument("--since", metavar="YYYY-MM-DD", help="passed to every spider: stop paginating past this date")
    p.add_argument("--jobdir", type=Path, metavar="DIR",
                   help="JOBDIR per spider under DIR, so an interrupted run resumes")
    p.add_argument("--base-url", action="append", default=[], metavar="SPIDER=URL",
                   help="crawl a mirror for this spider (tests, replay; repeatable)")
    p.add_argument("-a", "--arg", action="append", default=[], metavar="NAME=VALUE",
                   help="spider argument for every spider, e.g. max_pages=5 (repeatable)")
    p.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                   help="Scrapy setting for every crawler, e.g. CLOSESPIDER_TIMEOUT=3600 (repeatable)")
    p.add_argument("--db", default=argparse.SUPPRESS, help="archive database (default: ARCHIVE_DB)")
    p.add_argument("--list", action="store_true", help="only print the spiders that would run")
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    try:
        if args.since:
            try:
                date.fromisoformat(args.since)
            except ValueError:
                raise UsageError(f"--since {args.since!r}: expected YYYY-MM-DD") from None
        settings = build_settings(getattr(args, "db", None), parse_assignments(args.set, "--set"))
        classes = load_spiders(settings)
        chosen = select(classes, args.site, args.province)
        base_urls = parse_assignments(args.base_url, "--base-url")
        stray = sorted(set(base_urls) - set(classes))
        if stray:
            raise UsageError(f"--base-url for unknown spider(s): {', '.join(stray)}")
        spider_args = parse_assignments(args.arg, "--arg")
    except UsageError as exc:
        print(f"crawl-all: {exc}", file=sys.stderr)
        return 2
    if args.list:
        for cls in chosen:
            print(f"{cls.name}\t{getattr(cls, 'paper', '')}\t{getattr(cls, 'province', '')}\t"
                  f"{' '.join(getattr(cls, 'domains', ()))}")
        return 0
    if not chosen:
        print("crawl-all: no spiders", file=sys.stderr)
        return 2
    if args.jobdir is not None:
        args.jobdir.mkdir(parents=True, exist_ok=True)
    results = crawl_all(chosen, settings, base_urls=base_urls, since=args.since, spider_args=spider_args,
                        jobdir=args.jobdir)
    print(format_summary(results), flush=True)
    return 1 if results and all(r.failed for r in results) else 0
