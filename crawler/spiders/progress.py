"""What discovery reads from and writes to the archive: the one place a spider touches it.

- at open: the URLs already archived (``Archive.known_urls``), when the sections were last
  swept, and how deep each listing must be walked because an earlier run that walked it did
  not finish;
- while crawling: how far each listing (or sitemap index) was walked, written before the
  article requests that page found leave the spider, so a crash at any moment leaves a record
  that covers every article it may have lost;
- at close: ``crawls.section_sweep``, ``crawls.completed``, ``crawls.budget_ended``.

``listing_walks`` holds one row per site and listing: ``walked`` (the depth of the last run
that read it), ``owed`` (the depth the next run must reach at least: the deepest an unfinished
run went, kept until a completed run has walked that deep), ``ended`` (why that walk stopped:
a stop reason or ``budget``), ``crawl`` and ``updated``.

It uses the crawl's one archive connection (``crawler.extensions.archive.crawl_archive``).
Without ``ARCHIVE_DB`` (unit tests, the canary) it keeps everything in memory.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from scrapy.crawler import Crawler

from scrapy.exceptions import NotConfigured

from crawler.extensions.archive import ArchiveConnection, crawl_archive
from crawler.store.archive import Archive, now_iso


class Progress:
    def __init__(self, archive: Archive | None, site: str):
        self.archive = archive
        self.site = site
        self.owed_at_start: dict[str, int] = {}
        self.walked_now: dict[str, int] = {}
        self.crawl_id: int | None = None

    @classmethod
    def for_crawler(cls, crawler: Crawler, site: str) -> Progress:
        """On the crawl's one archive connection (``crawler.extensions.archive``), which its
        owner closes; without ``ARCHIVE_DB``, in memory."""
        return cls.on(crawl_archive(crawler), site)

    @classmethod
    def on(cls, archive: Archive | None, site: str) -> Progress:
        progress = cls(archive, site)
        if archive is not None:
            progress.owed_at_start = {
                row[0]: row[1] for row in archive.db.execute(
                    "SELECT listing, owed FROM listing_walks WHERE site = ? AND owed > 0", [site])}
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

    # -- reading at open ----------------------------------------------------------

    def known_urls(self, *, retry_after: timedelta, max_attempts: int) -> set[str]:
        if self.archive is None:
            return set()
        return self.archive.known_urls(self.site, retry_after=retry_after, max_attempts=max_attempts)

    def last_section_sweep(self) -> str | None:
        """When a completed crawl of the site last walked all its section listings."""
        if self.archive is None:
            return None
        row = self.archive.db.execute(
            "SELECT max(section_sweep) FROM crawls WHERE site = ? AND completed = 1", [self.site]).fetchone()
        return row[0] if row else None

    def last_completed_start(self) -> str | None:
        """When the last completed crawl of the site started (ISO, UTC)."""
        if self.archive is None:
            return None
        row = self.archive.db.execute(
            "SELECT max(started) FROM crawls WHERE site = ? AND completed = 1", [self.site]).fetchone()
        return row[0] if row else None

    def owed(self, listing: str) -> int:
        """How deep ``listing`` must be walked in this run whatever it brings (0: no debt)."""
        return self.owed_at_start.get(listing, 0)

    # -- writing while crawling ---------------------------------------------------

    def walked(self, listing: str, depth: int, ended: str | None, *, kind: str = "listing") -> None:
        self.walked_now[listing] = max(depth, self.walked_now.get(listing, 0))
        if self.archive is None:
            return
        owed = max(self.walked_now[listing], self.owed(listing))
        self._write(
            """INSERT INTO listing_walks (site, listing, kind, walked, owed, ended, crawl, updated)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(site, listing) DO UPDATE SET kind = excluded.kind, walked = excluded.walked,
                   owed = max(listing_walks.owed, excluded.owed), ended = excluded.ended,
                   crawl = excluded.crawl, updated = excluded.updated""",
            [self.site, listing, kind, self.walked_now[listing], owed, ended, self.crawl_id, now_iso()])

    def ended(self, listing: str, why: str) -> None:
        if self.archive is None:
            return
        self._write("UPDATE listing_walks SET ended = ? WHERE site = ? AND listing = ?", [why, self.site, listing])

    def _write(self, sql: str, params: list[Any]) -> None:
        """One statement in its own short transaction, retried like the store's writes when
        the database is locked."""
        assert self.archive is not None
        for attempt in self.archive.retrying():
            with attempt, self.archive.db.atomic():
                self.archive.db.execute(sql, params)

    # -- at close -----------------------------------------------------------------

    def finish(self, *, completed: bool, section_sweep: str | None, budget_ended: dict[str, Any]) -> None:
        """Record how the run ended. A completed run has stored or rejected every article it
        asked for, so the debts it walked off are paid; an unfinished one leaves its walks owed."""
        if self.archive is None:
            return
        db = self.archive.db
        for attempt in self.archive.retrying():
            with attempt, db.atomic():
                if completed:
                    for listing, depth in self.walked_now.items():
                        # a walk less deep than an unfinished run's leaves that debt standing
                        owed = 0 if depth >= self.owed(listing) else self.owed(listing)
                        db.execute("UPDATE listing_walks SET owed = ? WHERE site = ? AND listing = ?",
                                   [owed, self.site, listing])
                if self.crawl_id is not None:
                    db.execute("UPDATE crawls SET completed = ?, section_sweep = ?, budget_ended = ? WHERE id = ?",
                               [int(completed), section_sweep,
                                json.dumps(budget_ended, ensure_ascii=False, sort_keys=True) if budget_ended else None,
                                self.crawl_id])


def sweep_due(last: str | None, hours: float) -> bool:
    return last is None or last < (datetime.now(UTC) - timedelta(hours=hours)).isoformat(timespec="seconds")
