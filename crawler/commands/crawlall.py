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
(``crawler.jobs.sitesync``).

At the end a per-site table (from the ``crawls`` rows this run wrote) is printed on stdout,
then one line per site that did not finish cleanly, saying why; the crawl log goes to stderr.
Exit status: that of the worst site (``crawler.commands.outcome``, README "Exit status"): 0
when every site finished, 5 when any lost records, 1 when any crashed, 3 when any could not
be reached, 4 when any answered only with errors, 7 interrupted, 8 when another process was
crawling one of the papers into this archive, 6 cut short by a limit; 2 for
a usage error or an archive that is not SQLite (nothing is crawled then).
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
from scrapy.crawler import AsyncCrawlerProcess, Crawler
from scrapy.settings import Settings

from crawler import extractpool
from crawler.commands import outcome
from crawler.commands.common import (  # noqa: F401 - build_settings, load_spiders: used by bench and tests
    UsageError,
    build_settings,
    db_option,
    db_path,
    errors_as_lines,
    load_spiders,
    parse_assignments,
    table,
)
from crawler.commands.logs import quiet_logging
from crawler.commands.paths import archive_for_crawling
from crawler.extensions.crawllog import CrawlLog
from crawler.extensions.reachability import DETAIL_STAT, EXCEPTION_STAT, cause_of
from crawler.extensions.summary import logged_errors
from crawler.store.archive import Archive
from crawler.jobs.sitesync import sync_sites
from crawler.text import fold
from pipelines.extract import ExtractPipeline

logger = logging.getLogger(__name__)


# -- settings and spiders ---------------------------------------------------------------------


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

    _shared: Any = None  # a pebble ProcessPool from crawler.extractpool
    _users = 0

    def open_spider(self) -> None:
        if self.workers <= 0:
            return
        cls = SharedPoolExtractPipeline
        if cls._shared is None:
            cls._shared = extractpool.extraction_pool(self.workers)
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
            extractpool.shutdown(pool)


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
    def detail(self) -> str | None:
        """Why the site was not reached, in words (``crawler.extensions.reachability``)."""
        return self.stats.get(DETAIL_STAT)

    @property
    def code(self) -> int:
        """The exit status this site alone would give (``crawler.commands.outcome``)."""
        return outcome.FAILED if self.error is not None else outcome.exit_code(self.finish_reason)

    @property
    def failed(self) -> bool:
        """Nothing to show for the run: the crawler broke, or no page was ever received."""
        return self.error is not None or self.finish_reason is None or self.responses == 0

    @property
    def status(self) -> str:
        """``ok``, or the finish reason (``site-unreachable``, ``closespider_timeout``, …), or FAILED."""
        if self.error is not None:
            return "FAILED"
        if self.finish_reason is None:
            return "FAILED (unfinished)"
        if self.finish_reason == "finished":
            if self.responses == 0:  # reachability judgement switched off
                return f"FAILED ({self.stats_failure() or 'no response'})"
            return "ok"
        return self.finish_reason

    def stats_failure(self) -> str | None:
        """The commonest download failure in words (e.g. 'DNS lookup failed') when nothing came back."""
        found: dict[str, int] = {}
        for key, n in self.stats.items():
            if key.startswith(EXCEPTION_STAT):
                words = cause_of(key[len(EXCEPTION_STAT):])
                found[words] = found.get(words, 0) + n
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
        errors=logged_errors(stats),
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
    quiet_logging(settings)
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


def summary_rows(results: Sequence[SiteResult]) -> list[tuple[Any, ...]]:
    return [(r.site, r.status, r.requests, r.new_articles, r.duplicates, r.rejects, r.errors,
             f"{r.seconds:.0f}s" if r.seconds is not None else "-") for r in results]


def format_summary(results: Sequence[SiteResult]) -> str:
    total = ("total", f"{sum(not r.failed for r in results)}/{len(results)} ok",
             *(sum(getattr(r, a) for r in results)
               for a in ("requests", "new_articles", "duplicates", "rejects", "errors")), "")
    rows = summary_rows(results)
    out = [table([*rows, total], _COLUMNS)]
    for r in results:
        if r.error:
            out.append(f"{r.site}: {r.error}")
        elif r.code != outcome.OK:
            out.append(f"{r.site}: {r.detail or outcome.WORDS[r.code]} ({r.finish_reason or 'unfinished'})")
    return "\n".join(out)


# -- command line -----------------------------------------------------------------------------


@click.command("crawl-all")
@click.option("--site", "sites", multiple=True, metavar="SPIDER", help="run this spider (repeatable)")
@click.option("--province", "provinces", multiple=True, metavar="NAME",
              help="run the spiders of this province, diacritics optional (repeatable)")
@click.option("--since", metavar="YYYY-MM-DD", help="passed to every spider: stop paginating past this date")
@click.option("--jobdir", type=click.Path(path_type=Path, file_okay=False), metavar="DIR",
              help="JOBDIR per spider under DIR, so an interrupted run resumes")
@click.option("--base-url", "base_url", multiple=True, metavar="SPIDER=URL",
              help="crawl a mirror for this spider (tests, replay; repeatable)")
@click.option("-a", "--arg", "spider_arg", multiple=True, metavar="NAME=VALUE",
              help="spider argument for every spider, e.g. max_pages=5 (repeatable)")
@click.option("-s", "--set", "sets", multiple=True, metavar="NAME=VALUE",
              help="Scrapy setting for every crawler, e.g. CLOSESPIDER_TIMEOUT=3600 (repeatable)")
@click.option("--list", "list_only", is_flag=True, help="only print the spiders that would run")
@db_option
@click.pass_context
@errors_as_lines
def command(ctx: click.Context, sites, provinces, since, jobdir, base_url, spider_arg, sets, list_only, db) -> None:
    """Crawl every newspaper (or those chosen by --site/--province) in one process, each site
    with its own politeness, then print a per-site summary. Exit status: the worst site's
    (README, "Exit status")."""
    if since:
        try:
            date.fromisoformat(since)
        except ValueError:
            raise UsageError(f"--since {since!r}: expected YYYY-MM-DD") from None
    settings = build_settings(db_path(ctx, db), parse_assignments(sets, "--set"))
    classes = load_spiders(settings)
    chosen = select(classes, sites, provinces)
    base_urls = parse_assignments(base_url, "--base-url")
    stray = sorted(set(base_urls) - set(classes))
    if stray:
        raise UsageError(f"--base-url for unknown spider(s): {', '.join(stray)}")
    spider_args = parse_assignments(spider_arg, "--arg")
    if list_only:
        for cls in chosen:
            click.echo(f"{cls.name}\t{getattr(cls, 'paper', '')}\t{getattr(cls, 'province', '')}\t"
                       f"{' '.join(getattr(cls, 'domains', ()))}")
        ctx.exit(0)
    if not chosen:
        raise UsageError("no spiders")
    if settings.get("ARCHIVE_DB"):
        archive_for_crawling(settings.get("ARCHIVE_DB"))
    if jobdir is not None:
        jobdir.mkdir(parents=True, exist_ok=True)
    results = crawl_all(chosen, settings, base_urls=base_urls, since=since, spider_args=spider_args, jobdir=jobdir)
    click.echo(format_summary(results))
    ctx.exit(outcome.worst(r.code for r in results))
