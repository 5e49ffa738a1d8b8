"""The run record: the ``crawls`` table, the ``listing_walks`` it vouches for, and ``crawl_locks``.

One owner for every write to the run record, as sqlite-utils' ``Database`` is the one door to
its tables: a crawl's start, how far each listing (or sitemap index) was walked while it ran,
how it ended (completed, the section sweep, the budgets that ended branches), its figures and
the records it lost. Callers (``crawler.extensions.crawllog``, ``crawler.spiders.progress``)
hold no SQL.

Every write is one short transaction, retried like the store's writes while the database is
locked (``Archive.retrying``). ``record_finish`` can also write on a fresh connection of its
own, so a run whose shared connection failed is still recorded (``finish_on_fresh``).

One crawl of a paper at a time on an archive: a crawl's ``Runs.start(hold=True)`` takes the
paper's ``crawl_locks`` row in the transaction that opens the run's row, or raises ``Held``
naming the live crawl that has it (no row is written: a crawl that never ran is not a run). A row whose holder is dead (its
pid is gone, or now belongs to a process started at another time: a reused pid) is taken over.
A holder on another host cannot be checked from here and is taken as alive; ``Held`` says how
to free its row by hand. ``Runs.release`` deletes the row when the run ends.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

from crawler.store.archive import Archive, is_store_error, now_iso
from crawler.text.dates import display

logger = logging.getLogger(__name__)

# Two start times of one process, read at two moments, differ by less than this (Linux derives
# them from the boot time, which NTP may move by a second); a reused pid's differ by far more.
SAME_START_SECONDS = 2.0


def _json(value: Any) -> str:
    # A stats value may hold text from a page (a lone surrogate would fail the write).
    text = json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


# -- one crawl of a paper at a time ----------------------------------------------------------


@dataclass(frozen=True)
class Holder:
    """The crawl that holds a paper on an archive (a ``crawl_locks`` row)."""

    site: str
    pid: int
    host: str
    pid_started: str | None
    crawl: int | None
    started: str

    def __str__(self) -> str:
        run = f", crawl {self.crawl}" if self.crawl is not None else ""
        return f"pid {self.pid} on {self.host} since {display(self.started)}{run}"

    def alive(self) -> bool:
        """Is the holder still running? On another host: cannot tell, so yes."""
        if self.host != socket.gethostname():
            return True
        try:
            proc = psutil.Process(self.pid)
            if proc.status() == psutil.STATUS_ZOMBIE:
                return False
            started = proc.create_time()
        except psutil.NoSuchProcess:
            return False
        except psutil.AccessDenied:
            return True  # a process of another user: running, and not ours to judge
        if self.pid_started is None:
            return True
        try:
            recorded = datetime.fromisoformat(self.pid_started).timestamp()
        except ValueError:
            return True
        return abs(started - recorded) < SAME_START_SECONDS

    def blocks(self, pid: int, host: str) -> bool:
        """Does this row keep the crawl of process ``pid`` on ``host`` from starting? A row of
        that very process blocks only while a run of it holds the lock (another crawler of the
        same paper in one process); one it failed to delete does not."""
        if self.pid == pid and self.host == host:
            return _holding(self.site, self.crawl)
        return self.alive()


class Held(Exception):
    """Another crawl of the paper is running on this archive; ``str()`` is the one line to show."""

    def __init__(self, holder: Holder):
        self.holder = holder
        freeing = "" if holder.host == socket.gethostname() else (
            f"; if no crawl runs there, free it: DELETE FROM crawl_locks WHERE site = '{holder.site}'")
        super().__init__(f"already being crawled into this archive by {holder}; nothing fetched{freeing}")


# The (site, crawl) locks this process holds, so that a row left by a run of this process that
# could not delete it (its connection failed) is known for stale, though its pid is alive.
_held_here: set[tuple[str, int | None]] = set()
_held_lock = threading.Lock()


def _holding(site: str, crawl: int | None) -> bool:
    with _held_lock:
        return (site, crawl) in _held_here


def _this_process() -> tuple[int, str, str]:
    started = datetime.fromtimestamp(psutil.Process().create_time(), UTC).isoformat(timespec="milliseconds")
    return os.getpid(), socket.gethostname(), started


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

    def start(self, site: str, args: Mapping[str, Any] | None = None, *, hold: bool = False) -> int:
        """A new row (``finished`` empty until the run ends, so a killed run leaves a trace).
        ``hold``: and the paper's lock in the same transaction (a crawl), or ``Held`` (nothing
        written) when a live crawl has it; pair it with ``release``."""
        args_json = json.dumps(dict(args or {}), ensure_ascii=False, default=str)
        if not hold:
            cur = self._write("INSERT INTO crawls (site, started, args) VALUES (?, ?, ?)", [site, now_iso(), args_json])
            return int(cur.lastrowid)
        pid, host, pid_started = _this_process()
        for attempt in self.archive.retrying():
            with attempt:
                # IMMEDIATE: two crawls starting at once are serialised here, not both let through.
                self.db.execute("BEGIN IMMEDIATE")
                try:
                    row = self.db.execute("SELECT site, pid, host, pid_started, crawl, started FROM crawl_locks "
                                          "WHERE site = ?", [site]).fetchone()
                    stale = Holder(*row) if row else None
                    if stale is not None and stale.blocks(pid, host):
                        raise Held(stale)
                    started = now_iso()
                    crawl_id = int(self.db.execute("INSERT INTO crawls (site, started, args) VALUES (?, ?, ?)",
                                                   [site, started, args_json]).lastrowid)
                    self.db.execute("INSERT OR REPLACE INTO crawl_locks (site, pid, host, pid_started, crawl, started) "
                                    "VALUES (?, ?, ?, ?, ?, ?)", [site, pid, host, pid_started, crawl_id, started])
                    self.db.execute("COMMIT")
                except BaseException:
                    if self.db.conn.in_transaction:
                        self.db.execute("ROLLBACK")
                    raise
        with _held_lock:
            _held_here.add((site, crawl_id))
        if stale is not None:
            logger.warning("%s: took over the crawl lock of %s, which is no longer running", site, stale)
        return crawl_id

    def release(self, site: str, crawl_id: int) -> None:
        """Free the paper's lock this run holds (a row another crawl took over is left alone)."""
        with _held_lock:
            _held_here.discard((site, crawl_id))
        self._write("DELETE FROM crawl_locks WHERE site = ? AND crawl = ? AND pid = ? AND host = ?",
                    [site, crawl_id, os.getpid(), socket.gethostname()])

    def holder(self, site: str) -> Holder | None:
        """Who holds ``site`` on this archive, if anyone (alive or not)."""
        row = self.db.execute("SELECT site, pid, host, pid_started, crawl, started FROM crawl_locks WHERE site = ?",
                              [site]).fetchone()
        return Holder(*row) if row else None

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
