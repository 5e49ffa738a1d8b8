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

from crawler.text import fold

migrations = sqlite_utils.Migrations("archive")

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


@migrations()
def m001_core_tables(db: sqlite_utils.Database) -> None:
    db["articles"].create(
        {
            "hash": str,
            "url": str,
            "site": str,
            "title": str,
            "text": str,
            "published": str,
            "author": str,
            "description": str,
            "language": str,
            "tags": str,
            "canonical_url": str,
            "fetched_at": str,
            "folded": str,
        },
        pk="hash",
        not_null={"url", "site", "text", "fetched_at"},
    )
    db["urls"].create(
        {"url": str, "hash": str, "site": str, "first_seen": str, "last_seen": str},
        pk="url",
        foreign_keys=[("hash", "articles", "hash")],
        not_null={"hash", "site", "first_seen", "last_seen"},
    )
    db["rejects"].create(
        {
            "url": str,
            "site": str,
            "reason": str,
            "detail": str,
            "status": int,
            "first_seen": str,
            "last_seen": str,
            "attempts": int,
        },
        pk="url",
        not_null={"site", "reason", "first_seen", "last_seen"},
    )
    db["crawls"].create(
        {
            "id": int,
            "site": str,
            "started": str,
            "finished": str,
            "finish_reason": str,
            "requests": int,
            "new_articles": int,
            "duplicates": int,
            "rejects": int,
            "errors": int,
            "args": str,
            "stats": str,
        },
        pk="id",
    )
    db["articles"].create_index(["site", "published"])
    db["articles"].create_index(["published"])
    db["urls"].create_index(["hash"])
    db["urls"].create_index(["site"])
    db["rejects"].create_index(["site", "reason"])
    # Original-script columns match queries typed with diacritics (remove_diacritics 2 also
    # handles both tone placements); ``folded`` (no marks, đ→d) matches queries typed without.
    db["articles"].enable_fts(
        ["title", "text", "folded"],
        create_triggers=True,
        tokenize="unicode61 remove_diacritics 2",
    )


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
        only adds its URLs, so dedupe holds even across concurrent crawls.
        """
        inserted = duplicates = rejects = 0
        with self.db.atomic():
            for rec in records:
                if rec["kind"] == "article":
                    if self._insert_article(rec):
                        inserted += 1
                    else:
                        duplicates += 1
                    for url in rec["urls"]:
                        self._upsert_url(url, rec["hash"], rec["site"], rec["fetched_at"])
                else:
                    self._upsert_reject(rec)
                    rejects += 1
        return StoreResult(inserted, duplicates, rejects)

    def _insert_article(self, rec: dict[str, Any]) -> bool:
        art = rec.get("article")
        if art is None:  # dedupe already knew it; nothing to insert
            return False
        row = {
            "hash": rec["hash"],
            "url": rec["urls"][0],
            "site": rec["site"],
            "title": art.get("title"),
            "text": art["text"],
            "published": art.get("published"),
            "author": art.get("author"),
            "description": art.get("description"),
            "language": art.get("language"),
            "tags": json.dumps(art.get("tags") or [], ensure_ascii=False),
            "canonical_url": art.get("canonical_url"),
            "fetched_at": rec["fetched_at"],
            "folded": fold(f"{art.get('title') or ''}\n\n{art['text']}"),
        }
        cols = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        cur = self.db.execute(
            f"INSERT INTO articles ({cols}) VALUES ({marks}) ON CONFLICT(hash) DO NOTHING", list(row.values())
        )
        return cur.rowcount == 1

    def _upsert_url(self, url: str, content_hash: str, site: str, seen: str) -> None:
        self.db.execute(
            """INSERT INTO urls (url, hash, site, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)
               ON CONFLICT(url) DO UPDATE SET hash = excluded.hash, last_seen = excluded.last_seen""",
            [url, content_hash, site, seen, seen],
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
