"""The archive: one SQLite file (``archive.db``) written through sqlite-utils.

Tables (see README for every column):

- ``articles``: one row per distinct content (``hash`` = ``content_hash(text)``).
- ``urls``: every URL at which some content was seen, pointing at its article.
- ``rejects``: pages that produced no article, with the reason.
- ``crawls``: one row per crawl run with its figures.

Crash safety comes from SQLite itself: WAL journal, one short transaction per batch, so a
SIGKILL loses at most the batch in flight (those URLs are simply fetched again next run) and
never leaves half a row. Lock contention (another crawl, a Datasette with a long query) is
absorbed by the connection's busy timeout and, beyond it, by tenacity retries.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils
from tenacity import retry, retry_if_exception, stop_after_attempt, wait_exponential

from crawler.store import revisions

from crawler.store.migrations import migrations

# Reasons after which fetching the page again would give the same answer. Other rejects
# (timeouts, 5xx, connection errors) are retried on later runs, with a back-off.
PERMANENT_REJECTS = frozenset(
    {
        "http-404",
        "http-410",
        "http-403",
        "too-large",
        "not-html",
        "video-only",
        "empty-page",
        "no-main-text",
        "too-short",
        "error-page",
    }
)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _is_locked(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and (
        "locked" in str(exc) or "busy" in str(exc)
    )


# Outside Scrapy, so tenacity rather than Scrapy's retry machinery.
_retry_on_lock = retry(
    retry=retry_if_exception(_is_locked),
    wait=wait_exponential(multiplier=0.2, max=5),
    stop=stop_after_attempt(8),
    reraise=True,
)


@dataclass(frozen=True)
class StoreResult:
    inserted: int = 0
    duplicates: int = 0
    rejects: int = 0
    # Pages fetched again at a URL already archived (crawler/store/revisions.py).
    unchanged: int = 0
    revised: int = 0


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


def article_row(rec: dict[str, Any]) -> dict[str, Any]:
    """The ``articles`` row for an article record (see ``Archive.store``)."""
    return {
        "hash": rec["hash"],
        "url": rec["urls"][0],
        "site": rec["site"],
        **article_fields(rec["article"]),
        "fetched_at": rec["fetched_at"],
        "warc_file": rec.get("warc_file"),
        "warc_offset": rec.get("warc_offset"),
    }


class Archive:
    """The archive database. Plain Python: usable from Scrapy, the CLI, tests and notebooks."""

    def __init__(self, path: str | Path, *, timeout: float = 30.0):
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), timeout=timeout, check_same_thread=False)
        self.db = sqlite_utils.Database(conn)
        if str(path) != ":memory:":
            self.db.enable_wal()
        # NORMAL is crash-safe under WAL (an application kill loses no committed transaction).
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self._migrate()

    @_retry_on_lock
    def _migrate(self) -> None:
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
            if reason in PERMANENT_REJECTS or last_seen > cutoff or (attempts or 0) >= max_attempts:
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

    @_retry_on_lock
    def store(self, records: Iterable[dict[str, Any]]) -> StoreResult:
        """Write one batch in one transaction.

        Each record is either an article (``{"kind": "article", "hash", "urls": [...], "site",
        "fetched_at", "article": {...}}``) or a reject (``{"kind": "reject", "url", "site",
        "reason", "detail", "status", "fetched_at"}``). An article whose hash is already stored
        only adds its URLs, so dedupe holds even across concurrent crawls. An article record
        whose URL is already archived is a refetch: unchanged, or a new revision of the URL's
        article (``crawler.store.revisions.refetch``). Optional ``warc_file``/``warc_offset`` locate
        the page's raw capture (``crawler.store.warc``).
        """
        inserted = duplicates = rejects = unchanged = revised = 0
        with self.db.atomic():
            for rec in records:
                if rec["kind"] == "article":
                    refetched = revisions.refetch(self.db, rec)
                    if refetched is not None:
                        # An unchanged refetch is a duplicate too (nothing new); ``unchanged``
                        # says how many of the duplicates were refetches.
                        unchanged += refetched == "unchanged"
                        duplicates += refetched == "unchanged"
                        revised += refetched == "revised"
                        continue
                    # A text known as another article's revision is an alias of that article.
                    target = revisions.article_for(self.db, rec["hash"])
                    if target is None and self._insert_article(rec):
                        inserted += 1
                    else:
                        duplicates += 1
                    for url in rec["urls"]:
                        self._upsert_url(url, target or rec["hash"], rec["site"], rec["fetched_at"],
                                         rec.get("warc_file"), rec.get("warc_offset"))
                else:
                    self._upsert_reject(rec)
                    rejects += 1
        return StoreResult(inserted, duplicates, rejects, unchanged, revised)

    def _insert_article(self, rec: dict[str, Any]) -> bool:
        art = rec.get("article")
        if art is None:  # dedupe already knew it; nothing to insert
            return False
        row = article_row(rec)
        cols = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        cur = self.db.execute(
            f"INSERT INTO articles ({cols}) VALUES ({marks}) ON CONFLICT(hash) DO NOTHING", list(row.values())
        )
        return cur.rowcount == 1

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

    def _upsert_reject(self, rec: dict[str, Any]) -> None:
        self.db.execute(
            """INSERT INTO rejects (url, site, reason, detail, status, first_seen, last_seen, attempts)
               VALUES (?, ?, ?, ?, ?, ?, ?, 1)
               ON CONFLICT(url) DO UPDATE SET reason = excluded.reason, detail = excluded.detail,
                   status = excluded.status, last_seen = excluded.last_seen, attempts = attempts + 1""",
            [
                rec["url"],
                rec["site"],
                rec["reason"],
                rec.get("detail"),
                rec.get("status"),
                rec["fetched_at"],
                rec["fetched_at"],
            ],
        )

    @_retry_on_lock
    def start_crawl(self, site: str, args: dict[str, Any] | None = None) -> int:
        with self.db.atomic():
            cur = self.db.execute(
                "INSERT INTO crawls (site, started, args) VALUES (?, ?, ?)",
                [site, now_iso(), json.dumps(args or {}, ensure_ascii=False, default=str)],
            )
        return int(cur.lastrowid)

    @_retry_on_lock
    def finish_crawl(self, crawl_id: int, *, finish_reason: str, figures: dict[str, int], stats: dict) -> None:
        with self.db.atomic():
            self.db["crawls"].update(
                crawl_id,
                {
                    "finished": now_iso(),
                    "finish_reason": finish_reason,
                    **figures,
                    "stats": json.dumps(stats, ensure_ascii=False, default=str, sort_keys=True),
                },
            )
