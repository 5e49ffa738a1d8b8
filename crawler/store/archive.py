"""The archive: one SQLite file (``archive.db``) written through sqlite-utils.

Tables (see README for every column):

- ``articles``: one row per distinct content (``hash`` = ``content_hash(text)``).
- ``urls``: every URL at which some content was seen, pointing at its article.
- ``rejects``: pages that produced no article, with the reason.
- ``crawls``: one row per crawl run with its figures.

The store decides novelty, once: ``Archive.store`` hashes each article record's text
(``content_hash``) and decides, inside its transaction, whether the text is ``new``, an
``alias`` (known text at another URL), or, for a URL already archived, ``unchanged`` or
``revised`` (``crawler/store/revisions.py``); it returns that outcome per record. Nothing
upstream guesses: a guess made before a batch is written goes stale the moment a batch fails.

Crash safety comes from SQLite itself: WAL journal, one short transaction per batch, so a
SIGKILL loses at most the batch in flight (those URLs are simply fetched again next run) and
never leaves half a row. Lock contention (another crawl, a Datasette with a long query) is
absorbed by the connection's busy timeout and, beyond it, by tenacity retries.

A bad record never takes its batch with it: a batch that fails on a record's data is written
again record by record, and a record that still cannot be written becomes a ``rejects`` row
with reason ``unstorable`` and the error in ``detail``. A failure of the database itself (disk
full, locked beyond every retry, I/O error) raises ``StoreFailed`` with what was and was not
written; the crawl then ends as ``store-failed`` (``pipelines/store.py``).

Opening checks the file before anything is written to it: a file that is not SQLite, or an
archive that fails SQLite's ``quick_check`` (run once per process and file), raises
``ArchiveError`` with one line to show the user. ``readonly=True`` opens an existing archive
for reading only and never creates one (``ArchiveMissing``).
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from crawler import reasons
from crawler.items import ArticleRecord, Record, RejectRecord
from crawler.store import revisions
from crawler.store.errors import ArchiveError, ArchiveMissing, StoreFailed
from crawler.store.migrations import migrations
from crawler.text import content_hash

logger = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"
DEFAULT_LOCK_ATTEMPTS = 8

# Files this process has checked and migrated: (device, inode) → schema_version afterwards.
# Every component of a crawl, every command, opens the archive; only the first open of a
# file in a process pays for quick_check and the migrations (the schema_version comparison
# catches a file replaced under the same inode).
_ready: dict[tuple[int, int], int] = {}
_ready_lock = threading.Lock()

# Outcomes of one record (``StoreResult.outcomes``).
NEW, ALIAS, UNCHANGED, REVISED, REJECTED, UNSTORABLE = "new", "alias", "unchanged", "revised", "rejected", "unstorable"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _is_locked(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and (
        "locked" in str(exc) or "busy" in str(exc)
    )


def is_store_error(exc: BaseException) -> bool:
    """An error of the database rather than of one record's data: disk full, locked, I/O error,
    a damaged file. Writing the batch's records one by one would only fail again, slower."""
    if isinstance(exc, (sqlite3.IntegrityError, sqlite3.DataError, sqlite3.ProgrammingError)):
        return False
    return isinstance(exc, (sqlite3.DatabaseError, OSError))


def one_line(text: str, limit: int = 500) -> str:
    """``text`` safe to store and print: one line, no lone surrogates, bounded."""
    text = " ".join(str(text).split())
    return text.encode("utf-8", "backslashreplace").decode("utf-8")[:limit]


@dataclass(frozen=True)
class StoreResult:
    """What ``Archive.store`` did with each record, in order (``NEW``, ``ALIAS``, …)."""

    outcomes: tuple[str, ...] = ()

    def __add__(self, other: StoreResult) -> StoreResult:
        return StoreResult(self.outcomes + other.outcomes)

    def count(self, outcome: str) -> int:
        return self.outcomes.count(outcome)

    @property
    def inserted(self) -> int:
        return self.count(NEW)

    @property
    def aliases(self) -> int:
        return self.count(ALIAS)

    @property
    def unchanged(self) -> int:
        """Pages fetched again at a URL already archived, with the same text."""
        return self.count(UNCHANGED)

    @property
    def revised(self) -> int:
        return self.count(REVISED)

    @property
    def duplicates(self) -> int:
        """Nothing new: aliases and unchanged refetches."""
        return self.aliases + self.unchanged

    @property
    def unstorable(self) -> int:
        return self.count(UNSTORABLE)

    @property
    def rejects(self) -> int:
        """``rejects`` rows written: rejected pages and unstorable records."""
        return self.count(REJECTED) + self.unstorable


def article_fields(art: dict[str, Any]) -> dict[str, Any]:
    """The ``articles`` columns that extraction decides (and re-extraction may change)."""
    return {
        "title": art.get("title"),
        "text": art["text"],
        "published": art.get("published"),
        "author": art.get("author"),
        "description": art.get("description"),
        "language": art.get("language"),
        "tags": json.dumps(art.get("tags") or [], ensure_ascii=False),
        "canonical_url": art.get("canonical_url"),
    }


def article_row(rec: ArticleRecord) -> dict[str, Any]:
    """The ``articles`` row for an article record with a text (see ``Archive.store``)."""
    assert rec.article is not None
    return {
        "hash": rec.hash or content_hash(rec.article["text"]),
        "url": rec.urls[0],
        "site": rec.site,
        **article_fields(rec.article),
        "fetched_at": rec.fetched_at,
        "warc_file": rec.warc_file,
        "warc_offset": rec.warc_offset if rec.warc_file else None,
    }


def unstorable(rec: Record, exc: BaseException) -> RejectRecord:
    """The ``rejects`` row standing for a record that could not be written."""
    status = rec.status if isinstance(rec, RejectRecord) and isinstance(rec.status, int) else None
    return RejectRecord(url=one_line(rec.url, 4000), site=one_line(rec.site), reason=reasons.UNSTORABLE,
                        fetched_at=one_line(rec.fetched_at), detail=one_line(f"{type(exc).__name__}: {exc}"),
                        status=status)


def check_file(path: Path, *, readonly: bool) -> None:
    """Raise ``ArchiveError`` for a file that is not SQLite, ``ArchiveMissing`` for none at all
    when reading. Reads at most 16 bytes; never creates or changes anything."""
    if not path.exists():
        if readonly:
            raise ArchiveMissing(f"{path}: no archive there")
        return
    if path.is_dir():
        raise ArchiveError(f"{path} is a directory, not a SQLite database")
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise ArchiveError(f"{path}: cannot read it ({exc.strerror or exc})") from exc
    # An empty file is an empty SQLite database (sqlite3 makes one of it): fine for writing,
    # but there is nothing in it to read.
    if not head and readonly:
        raise ArchiveError(f"{path} is an empty file (0 bytes), not an archive; {ARCHIVE_HINT}")
    if head != SQLITE_HEADER and head:
        raise ArchiveError(f"{path} is not a SQLite database")


# What a read command accepts, said when it is given something else.
ARCHIVE_HINT = "give an archive a crawl or `python -m crawler import` wrote"


def _is_archive(db: sqlite_utils.Database) -> bool:
    """Holds the archive's schema, at any version (not just some other SQLite database)."""
    return bool(migrations.applied(db)) or db["articles"].exists()


def check_archive(path: Path) -> None:
    """For a command that reads an existing archive, before it opens it: the file is there, is
    SQLite, is not empty, and holds an archive (any schema version: a writing open upgrades
    it). Reads the file's schema on a read-only connection; never creates or changes anything."""
    check_file(path, readonly=True)
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return  # cannot be opened read-only here: the command's own open says why
    try:
        ours = _is_archive(sqlite_utils.Database(conn))
    except sqlite3.DatabaseError as exc:
        if "not a database" in str(exc):
            raise ArchiveError(f"{path} is not a SQLite database") from exc
        return  # a damaged file: the store's integrity check names it when the command opens it
    finally:
        conn.close()
    if not ours:
        raise ArchiveError(f"{path} is a SQLite database but not an archive; {ARCHIVE_HINT}")


class Archive:
    """The archive database. Plain Python: usable from Scrapy, the CLI, tests and notebooks.

    ``timeout`` is the busy timeout of each write; a write still locked after it is tried
    ``lock_attempts`` times in all, with a growing pause between tries. ``readonly=True``
    opens an existing archive for reading (``ArchiveMissing`` when there is none).
    """

    def __init__(self, path: str | Path, *, timeout: float = 30.0, readonly: bool = False,
                 lock_attempts: int = DEFAULT_LOCK_ATTEMPTS):
        self.path = Path(path)
        self.readonly = readonly
        self.timeout = timeout
        self.lock_attempts = max(1, lock_attempts)
        memory = str(path) == ":memory:"
        if not memory:
            check_file(self.path, readonly=readonly)
        if readonly and not memory:
            conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, timeout=timeout,
                                   check_same_thread=False)
        else:
            if not memory:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(path), timeout=timeout, check_same_thread=False)
        self.db = sqlite_utils.Database(conn)
        try:
            self._open(memory)
        except BaseException:
            conn.close()
            raise

    def _open(self, memory: bool) -> None:
        try:
            schema_version = self.db.execute("PRAGMA schema_version").fetchone()[0]
        except sqlite3.DatabaseError as exc:  # "file is not a database", "malformed database schema"
            if "not a database" in str(exc):
                raise ArchiveError(f"{self.path} is not a SQLite database") from exc
            raise ArchiveError(f"integrity_check failed: {one_line(str(exc))}") from exc
        key = None
        if not memory:
            st = os.stat(self.path)
            key = (st.st_dev, st.st_ino)
        with _ready_lock:
            if key is not None and _ready.get(key) == schema_version:
                self._configure(memory)
                return
            if not memory:
                self.quick_check()
            self._configure(memory)
            if self.readonly:
                self._check_schema()  # raises unless every migration has run
            else:
                self._migrate()
            if key is not None:
                _ready[key] = self.db.execute("PRAGMA schema_version").fetchone()[0]

    def _configure(self, memory: bool) -> None:
        if self.readonly:
            self.db.execute("PRAGMA query_only=ON")
            return
        if not memory:
            self.db.enable_wal()
        # NORMAL is crash-safe under WAL (an application kill loses no committed transaction).
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")

    def quick_check(self) -> None:
        """SQLite's ``quick_check`` (integrity_check without matching index contents to their
        tables): one read of the file, 0.2 s for a cached 300 MB archive. Raises
        ``ArchiveError`` with its first finding."""
        try:
            rows = [r[0] for r in self.db.execute("PRAGMA quick_check")]
        except sqlite3.DatabaseError as exc:
            raise ArchiveError(f"integrity_check failed: {one_line(str(exc))}") from exc
        if rows != ["ok"]:
            more = f" (and {len(rows) - 1} more problems)" if len(rows) > 1 else ""
            raise ArchiveError(f"integrity_check failed: {one_line(rows[0])}{more}")

    def _check_schema(self) -> None:
        pending = migrations.pending(self.db)
        if not pending:
            return
        if not _is_archive(self.db):
            raise ArchiveError(f"{self.path} is a SQLite database but not an archive; {ARCHIVE_HINT}")
        raise ArchiveError(f"{self.path} has an older schema ({len(pending)} upgrades pending); "
                           f"a writing command (a crawl, an import) upgrades it")

    def retrying(self) -> Retrying:
        """Tenacity's loop for a write that may find the database locked (``for attempt in
        archive.retrying(): with attempt: …``): ``lock_attempts`` tries, growing pauses."""
        # Outside Scrapy, so tenacity rather than Scrapy's retry machinery.
        return Retrying(retry=retry_if_exception(_is_locked), wait=wait_exponential(multiplier=0.2, max=5),
                        stop=stop_after_attempt(self.lock_attempts), reraise=True)

    def _migrate(self) -> None:
        for attempt in self.retrying():
            with attempt:
                migrations.apply(self.db)

    def close(self) -> None:
        self.db.conn.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading -----------------------------------------------------------------

    def has_hash(self, content_hash: str) -> bool:
        return self.db.execute("SELECT 1 FROM articles WHERE hash = ?", [content_hash]).fetchone() is not None

    def known_urls(
        self,
        site: str | None = None,
        *,
        retry_after: timedelta = timedelta(hours=6),
        max_attempts: int = 5,
    ) -> set[str]:
        """URLs a crawl need not fetch again: stored ones, permanent rejects, and transient
        rejects that were tried recently or too often."""
        where, params = ("WHERE site = ?", [site]) if site else ("", [])
        known = {row[0] for row in self.db.execute(f"SELECT url FROM urls {where}", params)}
        cutoff = (datetime.now(UTC) - retry_after).isoformat(timespec="seconds")
        for url, reason, last_seen, attempts in self.db.execute(
            f"SELECT url, reason, last_seen, attempts FROM rejects {where}", params
        ):
            if reasons.is_permanent(reason) or last_seen > cutoff or (attempts or 0) >= max_attempts:
                known.add(url)
        return known

    def last_section_sweep(self, site: str) -> str | None:
        """When a finished crawl of ``site`` last walked all its section listings."""
        row = self.db.execute(
            """SELECT max(started) FROM crawls WHERE site = ? AND finish_reason = 'finished'
               AND json_extract(stats, '$."listing/section_sweep"') = 1""",
            [site],
        ).fetchone()
        return row[0] if row else None

    def articles(self, site: str | None = None) -> Iterator[dict[str, Any]]:
        where, params = ("WHERE site = ?", [site]) if site else ("", [])
        yield from self.db.query(
            f"SELECT * FROM articles {where} ORDER BY coalesce(published, fetched_at), hash", params
        )

    def counts(self) -> dict[str, int]:
        return {t: self.db[t].count for t in ("articles", "urls", "rejects", "crawls")}

    # -- writing -----------------------------------------------------------------

    def store(self, records: Iterable[Record]) -> StoreResult:
        """Write a batch of records in one transaction; the outcome of each, in order.

        Records are ``ArticleRecord``/``RejectRecord`` (``crawler.items``). For an article the store hashes its text and decides: a URL already
        archived is a refetch (``unchanged``, or a new revision: ``revised``, see
        ``crawler.store.revisions``); else a text already archived (as an article, or as a
        revision of one) makes the URLs aliases of that article (``alias``); else the article
        is ``new``. A reject is upserted (``rejected``; its ``attempts`` counted).

        A batch that fails on some record's data is written again record by record; a record
        that still fails becomes a reject with reason ``unstorable`` (``UNSTORABLE``). A failure
        of the database itself raises ``StoreFailed`` (what was stored, what was not).
        """
        if self.readonly:
            raise ArchiveError(f"{self.path} was opened read-only")
        recs = list(records)
        if not recs:
            return StoreResult()
        try:
            return self._write(recs)
        except Exception as exc:  # noqa: BLE001 — sorted just below: the database's, or one record's
            if is_store_error(exc):
                raise self._failed(exc, StoreResult(), recs) from exc
            logger.warning("A batch of %d records failed (%s: %s); writing them one by one",
                           len(recs), type(exc).__name__, one_line(str(exc), 200))
        result = StoreResult()
        for i, rec in enumerate(recs):
            try:
                result += self._write([rec])
                continue
            except Exception as exc:  # noqa: BLE001
                if is_store_error(exc):
                    raise self._failed(exc, result, recs[i:]) from exc
                error = exc
            logger.error("Unstorable record %s: %s: %s", one_line(rec.url, 300), type(error).__name__,
                         one_line(str(error), 300))
            try:
                self._write([unstorable(rec, error)])
            except Exception as exc:  # the reject row itself cannot be written: the database's fault
                raise self._failed(exc, result, recs[i:]) from exc
            result += StoreResult((UNSTORABLE,))
        return result

    def _failed(self, exc: BaseException, stored: StoreResult, pending: list[Record]) -> StoreFailed:
        return StoreFailed(f"{self.path}: write failed ({type(exc).__name__}: {one_line(str(exc), 300)}); "
                           f"{len(pending)} records not stored", stored=stored, pending=pending)

    def _write(self, recs: list[Record]) -> StoreResult:
        """One transaction, retried while the database is locked."""
        for attempt in self.retrying():
            with attempt:
                with self.db.atomic():
                    return StoreResult(tuple(self._store_one(rec) for rec in recs))
        raise AssertionError("unreachable")  # pragma: no cover

    def _store_one(self, rec: Record) -> str:
        if isinstance(rec, RejectRecord):
            self._upsert_reject(rec)
            return REJECTED
        if rec.article is not None:
            rec.hash = content_hash(rec.article["text"])
        elif rec.hash is None:
            raise ValueError("an article record needs a text or a hash")
        refetched = revisions.refetch(self.db, rec)
        if refetched is not None:
            return refetched
        # A text known as another article's revision is an alias of that article.
        target = revisions.article_for(self.db, rec.hash)
        if target is None:
            if rec.article is None:
                raise LookupError(f"no article has the text {rec.hash}, and the record carries none")
            self._insert_article(rec)
        for url in rec.urls:
            self._upsert_url(url, target or rec.hash, rec.site, rec.fetched_at, rec.warc_file,
                             rec.warc_offset if rec.warc_file else None)
        return NEW if target is None else ALIAS

    def _insert_article(self, rec: ArticleRecord) -> None:
        row = article_row(rec)
        cols = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        self.db.execute(f"INSERT INTO articles ({cols}) VALUES ({marks})", list(row.values()))

    def _upsert_url(self, url: str, content_hash: str, site: str, seen: str,
                    warc_file: str | None = None, warc_offset: int | None = None) -> None:
        self.db.execute(
            """INSERT INTO urls (url, hash, site, first_seen, last_seen, warc_file, warc_offset)
               VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(url) DO UPDATE SET hash = excluded.hash, last_seen = excluded.last_seen,
                   warc_file = coalesce(excluded.warc_file, warc_file),
                   warc_offset = coalesce(excluded.warc_offset, warc_offset), text_hash = NULL""",
            [url, content_hash, site, seen, seen, warc_file, warc_offset],
        )
        self.db.execute("DELETE FROM rejects WHERE url = ?", [url])

    def _upsert_reject(self, rec: RejectRecord) -> None:
        self.db.execute(
            """INSERT INTO rejects (url, site, reason, detail, status, first_seen, last_seen, attempts)
               VALUES (?, ?, ?, ?, ?, ?, ?, 1)
               ON CONFLICT(url) DO UPDATE SET reason = excluded.reason, detail = excluded.detail,
                   status = excluded.status, last_seen = excluded.last_seen, attempts = attempts + 1""",
            [rec.url, rec.site, rec.reason, rec.detail, rec.status, rec.fetched_at, rec.fetched_at],
        )

    # The run record (``crawls``) belongs to ``crawler.store.runs``; these two are its doors
    # for callers that hold an ``Archive``.

    def start_crawl(self, site: str, args: dict[str, Any] | None = None) -> int:
        from crawler.store.runs import Runs

        return Runs(self).start(site, args)

    def finish_crawl(self, crawl_id: int, *, finish_reason: str, figures: dict[str, int], stats: dict) -> None:
        from crawler.store.runs import Runs

        Runs(self).finish(crawl_id, finish_reason=finish_reason, figures=figures, stats=stats)
