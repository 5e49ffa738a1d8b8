"""``scrapy crawl <spider>``: Scrapy's command, with checked inputs and a truthful exit status.

Before anything starts: an unknown spider name lists the known ones, and ``ARCHIVE_DB`` must
be a SQLite file or a new file in an existing folder (``creating new archive at …``); either
problem is one line and exit status 2, as is a bad ``-a`` argument (an unknown name, a value
it does not accept) or ``-s ARCHIVE_*`` value. After the crawl the exit status follows its finish reason
(``crawler.commands.outcome``: 0 finished, 3 site unreachable, 4 every request failed, 5 records
lost, 6 cut short by a budget or ``CLOSESPIDER_*``, 7 interrupted, 1 anything else), and when
it is not 0 the last line on stderr says why in plain words.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader

from crawler.commands import outcome
from crawler.commands.logs import quiet_logging
from crawler.commands.paths import archive_for_writing, verify_archive
from crawler.spiders.base import NewsSpider
from crawler.store.errors import ArchiveError


def unknown_spider(name: str, known: list[str]) -> str:
    return f"unknown spider {name!r}; known spiders: {', '.join(sorted(known))}"


def bad_input(spidercls: type, spargs: dict[str, str], settings: Any) -> str | None:
    """The line for the first bad ``-a`` argument or ``ARCHIVE_*`` setting, checked before
    anything is created (``crawler/spiders/arguments.py``, ``crawler/defaults.py``)."""
    from crawler.defaults import problems
    from crawler.spiders.arguments import check

    if issubclass(spidercls, NewsSpider):
        try:
            check(spidercls, spargs)
            if spargs.get("edition_urls"):
                NewsSpider.parse_edition_urls(spidercls, spargs["edition_urls"])  # type: ignore[arg-type]
        except ValueError as exc:
            return str(exc)
    bad = problems(settings)
    return bad[0] if bad else None


def verdict_line(crawler: Crawler) -> tuple[int, str | None]:
    """The exit status of a finished crawler and, when it is not 0, the sentence that says why."""
    from crawler.extensions.reachability import DETAIL_STAT

    stats = crawler.stats.get_stats() if crawler.stats is not None else {}
    reason = stats.get("finish_reason")
    code = outcome.exit_code(reason)
    if code == outcome.OK:
        return code, None
    name = crawler.spidercls.name
    detail = stats.get(DETAIL_STAT)
    if detail:
        return code, f"{name}: {detail}"
    if reason is None:
        return code, f"{name}: the crawl did not finish (see the log above)"
    return code, f"{name}: {outcome.WORDS.get(code, 'failed')} (finish reason {reason})"


class Command(ScrapyCrawl):
    def short_desc(self) -> str:
        return "Run a spider of the current project, by name (exit status: README, 'Exit status')"

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        quiet_logging(self.settings)
        if len(args) != 1:
            return  # Scrapy's run() raises the usage error
        known = get_spider_loader(self.settings).list()
        if args[0] not in known:
            print(f"scrapy crawl: {unknown_spider(args[0], known)}", file=sys.stderr)
            sys.exit(outcome.USAGE)
        if line := bad_input(get_spider_loader(self.settings).load(args[0]), opts.spargs, self.settings):
            print(f"scrapy crawl: {line}", file=sys.stderr)
            sys.exit(outcome.USAGE)
        db = self.settings.get("ARCHIVE_DB")
        if db:
            try:
                archive_for_writing(db)
                verify_archive(db)
            except ArchiveError as exc:
                print(f"scrapy crawl: {exc}", file=sys.stderr)
                sys.exit(outcome.USAGE)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give one spider name (scrapy list shows them)" if not args
                             else "running 'scrapy crawl' with more than one spider is not supported")
        assert self.crawler_process is not None
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = outcome.FAILED
            print(f"{args[0]}: the crawler could not start (see the log above)", file=sys.stderr)
            return
        self.exitcode, line = verdict_line(crawler)
        if line:
            print(line, file=sys.stderr, flush=True)
