"""What discovery reads from and writes to the archive: the one place a spider touches it.

- at open: the URLs already archived (``Archive.known_urls``), when the sections were last
  swept, and how deep each listing must be walked because an earlier run that walked it did
  not finish;
- while crawling: how far each listing (or sitemap index) was walked, written before the
  article requests that page found leave the spider, so a crash at any moment leaves a record
  that covers every article it may have lost;
- at close: ``crawls.section_sweep``, ``crawls.completed``, ``crawls.budget_ended``.

The decisions are here; the reads and writes are the run record's (``crawler.store.runs``).

``listing_walks`` holds one row per site and listing: ``walked`` (the depth of the last run
that read it), ``owed`` (the depth the next run must reach at least: the deepest an unfinished
run went, kept until a completed run has walked that deep), ``ended`` (why that walk stopped:
a stop reason or ``budget``), ``crawl`` and ``updated``.

It uses the crawl's one archive connection (``crawler.extensions.archive.crawl_archive``).
Without ``ARCHIVE_DB`` (unit tests, the canary) it keeps everything in memory.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from collections.abc import Callable
from typing import Any

from scrapy.crawler import Crawler

from scrapy.exceptions import NotConfigured

from crawler.extensions.archive import ArchiveConnection, crawl_archive
from crawler.store.archive import Archive, is_store_error, one_line
from crawler.store.runs import Runs


logger = logging.getLogger(__name__)

#: how a walk ends when it has reached the listing's end (or the end it was asked for)
NATURAL_ENDS = frozenset({"empty", "repeat", "since", "max-pages", "no-pagination", "end"})


class Progress:
    def __init__(self, archive: Archive | None, site: str):
        self.archive = archive
        self.runs = Runs(archive) if archive is not None else None
        self.site = site
        self.owed_at_start: dict[str, int] = {}
        self.walked_now: dict[str, int] = {}
        self.crawl_id: int | None = None
        self.failed: str | None = None  # why recording failed for good, if it did
        self.complete_at_start: dict[str, bool] = {}
        self.site_completed = False  # a completed run of the site exists
        self.ended_now: dict[str, str | None] = {}

    @classmethod
    def for_crawler(cls, crawler: Crawler, site: str) -> Progress:
        """On the crawl's one archive connection (``crawler.extensions.archive``), which its
        owner closes; without ``ARCHIVE_DB``, in memory."""
        return cls.on(crawl_archive(crawler), site)

    @classmethod
    def on(cls, archive: Archive | None, site: str) -> Progress:
        progress = cls(archive, site)
        if archive is not None:
            assert progress.runs is not None
            for listing, owed, complete in progress.runs.walks(site):
                if owed:
                    progress.owed_at_start[listing] = owed
                progress.complete_at_start[listing] = bool(complete)
            progress.site_completed = progress.last_completed_start() is not None
        return progress

    @staticmethod
    def true_reason(crawler: Crawler, reason: str) -> str:
        """The run's finish reason as the crawl log records it (``store-failed`` once the store
        gave up, whatever closed the spider)."""
        try:
            return ArchiveConnection.from_crawler(crawler).finish_reason(reason)
        except NotConfigured:
            return reason

    def close(self) -> None:
        """Done with the archive (the connection itself belongs to the crawl)."""
        self.archive = None
        self.runs = None

    # -- reading at open ----------------------------------------------------------

    def known_urls(self, *, retry_after: timedelta, max_attempts: int) -> set[str]:
        if self.archive is None:
            return set()
        return self.archive.known_urls(self.site, retry_after=retry_after, max_attempts=max_attempts)

    def last_section_sweep(self) -> str | None:
        """When a completed crawl of the site last walked all its section listings."""
        return self.runs.last_section_sweep(self.site) if self.runs is not None else None

    def last_completed_start(self) -> str | None:
        """When the last completed crawl of the site started (ISO, UTC)."""
        return self.runs.last_completed_start(self.site) if self.runs is not None else None

    def trusted(self, listing: str) -> bool:
        """May a run of pages with nothing new end this walk? Only once a completed run has
        walked it to its end: before that, known pages may sit above pages nobody read (a first
        crawl killed midway stored the top of every listing). A listing never recorded is
        trusted on a site with a completed run (a new section; an archive older than these
        records)."""
        if listing in self.complete_at_start:
            return self.complete_at_start[listing]
        return self.site_completed

    def owed(self, listing: str) -> int:
        """How deep ``listing`` must be walked in this run whatever it brings (0: no debt)."""
        return self.owed_at_start.get(listing, 0)

    # -- writing while crawling ---------------------------------------------------

    def walked(self, listing: str, depth: int, ended: str | None, *, kind: str = "listing") -> None:
        self.walked_now[listing] = max(depth, self.walked_now.get(listing, 0))
        self.ended_now[listing] = ended
        if self.archive is None:
            return
        owed = max(self.walked_now[listing], self.owed(listing))
        self._write(lambda runs: runs.walked(
            self.site, listing, kind=kind, walked=self.walked_now[listing], owed=owed,
            trusted=self.trusted(listing), ended=ended, crawl_id=self.crawl_id))

    def ended(self, listing: str, why: str) -> None:
        self.ended_now[listing] = why
        if self.archive is None:
            return
        self._write(lambda runs: runs.walk_ended(self.site, listing, why))

    def _write(self, write: Callable[[Runs], None]) -> None:
        """One statement in its own short transaction, retried like the store's writes when
        the database is locked. A write that fails for good (a full disk, a lock held past every
        retry) is logged once and the walk records stop for this run: the store meets the same
        failure and ends the crawl as ``store-failed``, which leaves the run not completed."""
        if self.runs is None or self.failed:
            return
        try:
            write(self.runs)
        except Exception as exc:
            if not is_store_error(exc):
                raise
            self.failed = one_line(str(exc) or type(exc).__name__)
            logger.warning("Cannot record how far listings were walked: %s", self.failed)

    def walked_to_end(self, listing: str) -> bool:
        """Did this (completed) run leave ``listing`` without a gap: walked to its end, or to
        known pages of a listing that had none?"""
        ended = self.ended_now.get(listing)
        return ended in NATURAL_ENDS or (ended == "nothing-new" and self.trusted(listing))

    # -- at close -----------------------------------------------------------------

    def finish(self, *, completed: bool, section_sweep: str | None, budget_ended: dict[str, Any]) -> None:
        """Record how the run ended. A completed run has stored or rejected every article it
        asked for, so the debts it walked off are paid; an unfinished one leaves its walks owed."""
        if self.archive is None or self.failed:
            return
        try:
            self._finish(completed, section_sweep, budget_ended)
        except Exception as exc:
            if not is_store_error(exc):
                raise
            logger.warning("Cannot record how the run ended: %s", one_line(str(exc) or type(exc).__name__))

    def _finish(self, completed: bool, section_sweep: str | None, budget_ended: dict[str, Any]) -> None:
        assert self.runs is not None
        paid: dict[str, tuple[int, bool]] = {}
        if completed:
            for listing, depth in self.walked_now.items():
                # a walk less deep than an unfinished run's leaves that debt standing
                owed = 0 if depth >= self.owed(listing) else self.owed(listing)
                paid[listing] = (owed, self.walked_to_end(listing))
        self.runs.ended(self.crawl_id, self.site, completed=completed, section_sweep=section_sweep,
                        budget_ended=budget_ended, walks_paid=paid)


def sweep_due(last: str | None, hours: float) -> bool:
    return last is None or last < (datetime.now(UTC) - timedelta(hours=hours)).isoformat(timespec="seconds")
