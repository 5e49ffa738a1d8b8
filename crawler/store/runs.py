"""The run record: the ``crawls`` table and the ``listing_walks`` it vouches for.

One owner for every write to the run record, as sqlite-utils' ``Database`` is the one door to
its tables: a crawl's start, how far each listing (or sitemap index) was walked while it ran,
how it ended (completed, the section sweep, the budgets that ended branches), its figures and
the records it lost. Callers (``crawler.extensions.crawllog``, ``crawler.spiders.progress``)
hold no SQL.

Every write is one short transaction, retried like the store's writes while the database is
locked (``Archive.retrying``). ``record_finish`` can also write on a fresh connection of its
own, so a run whose shared connection failed is still recorded (``finish_on_fresh``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from crawler.store.archive import Archive, is_store_error, now_iso


def _json(value: Any) -> str:
    # A stats value may hold text from a page (a lone surrogate would fail the write).
    text = json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


class Runs:
    """The run record of one archive (``Runs(archive)``)."""

    def __init__(self, archive: Archive):
        self.archive = archive
        self.db = archive.db

    def _write(self, sql: str, params: list[Any]) -> Any:
        for attempt in self.archive.retrying():
            with attempt, self.db.atomic():
                cur = self.db.execute(sql, params)
        return cur

    # -- a run's row ----------------------------------------------------------------

    def start(self, site: str, args: Mapping[str, Any] | None = None) -> int:
        """A new row (``finished`` empty until the run ends, so a killed run leaves a trace)."""
        cur = self._write("INSERT INTO crawls (site, started, args) VALUES (?, ?, ?)",
                          [site, now_iso(), json.dumps(dict(args or {}), ensure_ascii=False, default=str)])
        return int(cur.lastrowid)

    def finish(self, crawl_id: int, *, finish_reason: str, figures: Mapping[str, int], stats: Mapping) -> None:
        """How the run ended: ``finished``, ``finish_reason``, its figures (``requests``,
        ``new_articles``, ``duplicates``, ``rejects``, ``errors``, ``lost_records``), its stats."""
        row = {"finished": now_iso(), "finish_reason": finish_reason, **figures, "stats": _json(dict(stats))}
        cols = ", ".join(f"{k} = ?" for k in row)
        self._write(f"UPDATE crawls SET {cols} WHERE id = ?", [*row.values(), crawl_id])

    def ended(self, crawl_id: int | None, site: str, *, completed: bool, section_sweep: str | None,
              budget_ended: Mapping[str, Any] | None, walks_paid: Mapping[str, tuple[int, bool]]) -> None:
        """Whether the run completed, when it swept the sections, which budgets ended branches;
        and, in the same transaction, the walks a completed run paid off (listing → owed, complete)."""
        for attempt in self.archive.retrying():
            with attempt, self.db.atomic():
                for listing, (owed, complete) in walks_paid.items():
                    self.db.execute("UPDATE listing_walks SET owed = ?, complete = ? WHERE site = ? AND listing = ?",
                                    [owed, int(complete), site, listing])
                if crawl_id is not None:
                    self.db.execute(
                        "UPDATE crawls SET completed = ?, section_sweep = ?, budget_ended = ? WHERE id = ?",
                        [int(completed), section_sweep, _json(budget_ended) if budget_ended else None, crawl_id])

    # -- what earlier runs left -------------------------------------------------------

    def walks(self, site: str) -> list[tuple[str, int, bool]]:
        """(listing, owed, complete) of every listing of ``site`` walked before."""
        return [(listing, owed or 0, bool(complete)) for listing, owed, complete in self.db.execute(
            "SELECT listing, owed, complete FROM listing_walks WHERE site = ?", [site])]

    def last_section_sweep(self, site: str) -> str | None:
        """When a completed run of the site last walked all its section listings."""
        row = self.db.execute(
            "SELECT max(section_sweep) FROM crawls WHERE site = ? AND completed = 1", [site]).fetchone()
        return row[0] if row else None

    def last_completed_start(self, site: str) -> str | None:
        """When the last completed run of the site started (ISO, UTC)."""
        row = self.db.execute("SELECT max(started) FROM crawls WHERE site = ? AND completed = 1", [site]).fetchone()
        return row[0] if row else None

    # -- walks while crawling ---------------------------------------------------------

    def walked(self, site: str, listing: str, *, kind: str, walked: int, owed: int, trusted: bool,
               ended: str | None, crawl_id: int | None) -> None:
        """How far this run walked ``listing`` (a new row keeps the trust the listing had at the
        start of the run: a killed run leaves its debt in ``owed``, not a distrust of what
        earlier completed runs walked)."""
        self._write(
            """INSERT INTO listing_walks (site, listing, kind, walked, owed, complete, ended, crawl, updated)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(site, listing) DO UPDATE SET kind = excluded.kind, walked = excluded.walked,
                   owed = max(listing_walks.owed, excluded.owed), ended = excluded.ended,
                   crawl = excluded.crawl, updated = excluded.updated""",
            [site, listing, kind, walked, owed, int(trusted), ended, crawl_id, now_iso()])

    def walk_ended(self, site: str, listing: str, why: str) -> None:
        self._write("UPDATE listing_walks SET ended = ? WHERE site = ? AND listing = ?", [why, site, listing])


def finish_on_fresh(path: str | Path, crawl_id: int, *, wait_seconds: float, **finish: Any) -> None:
    """``Runs.finish`` on a connection of its own, tried until ``wait_seconds`` have passed:
    for a run whose shared connection could not write its end (a lock held past the close)."""
    deadline = time.monotonic() + max(0.0, wait_seconds)
    while True:
        try:
            with Archive(path, timeout=max(0.1, min(5.0, deadline - time.monotonic()))) as archive:
                Runs(archive).finish(crawl_id, **finish)
            return
        except Exception as exc:
            if not is_store_error(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.2)
