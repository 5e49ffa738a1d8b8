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
    # The full-text index comes with m002.


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


# -- migrations for serving and searching the archive (Datasette) ------------------------------


@migrations()
def m002_search_index(db: sqlite_utils.Database) -> None:
    """FTS5 over the original ``title`` and ``text`` only; the query is folded instead.

    ``unicode61 remove_diacritics 2`` drops every Vietnamese mark but keeps ``đ``;
    ``crawler.store.search.fts_query`` folds the query and ORs ``d``/``đ`` spellings, so every way of
    typing a word meets every way it was published (see that module). Indexing a folded copy of
    the text as well (the obvious alternative) made the index 1.7 times larger (2.9 instead of
    1.7 KB per article of ~3 KB), and ``snippet()`` here highlights the article's own words.

    The update trigger fires only when an indexed column changes, so maintenance updates of
    other columns (``province``) do not re-index the article. ``rank`` is bm25 with a title
    match worth five body matches.
    """
    db["articles"].enable_fts(
        ["title", "text"],
        create_triggers=True,
        tokenize="unicode61 remove_diacritics 2",
        replace=True,
    )
    # One statement per execute(): executescript() would COMMIT the migration's transaction.
    db.execute("DROP TRIGGER IF EXISTS articles_au")
    db.execute(
        """CREATE TRIGGER articles_au AFTER UPDATE OF title, text ON articles BEGIN
            INSERT INTO articles_fts (articles_fts, rowid, title, text)
                VALUES ('delete', old.rowid, old.title, old.text);
            INSERT INTO articles_fts (rowid, title, text) VALUES (new.rowid, new.title, new.text);
        END"""
    )
    db.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('rank', 'bm25(5.0, 1.0)')")


@migrations()
def m003_sites_and_facets(db: sqlite_utils.Database) -> None:
    """The newspapers (``sites``, filled from the spider classes by ``crawler.store.sitesync``) and the
    columns Datasette facets on: ``articles.province`` and ``articles.published_month``.

    ``province`` is the site's, copied onto each article so that Datasette can facet and filter
    on it; triggers keep the copy right (a new article takes its site's province, a site whose
    province changes takes its articles along), so no writer has to know about it.
    ``published_month`` (``YYYY-MM``) is a virtual generated column: computed, never stored.
    """
    if not db["sites"].exists():
        db["sites"].create(
            {"name": str, "paper": str, "domains": str, "province": str, "former_province": str},
            pk="name",
        )
    columns = {c.name for c in db["articles"].columns}
    if "province" not in columns:
        db.execute("ALTER TABLE articles ADD COLUMN province TEXT")
    xcolumns = {row[1] for row in db.execute("PRAGMA table_xinfo(articles)")}
    if "published_month" not in xcolumns:
        db.execute(
            "ALTER TABLE articles ADD COLUMN published_month TEXT"
            " GENERATED ALWAYS AS (substr(published, 1, 7)) VIRTUAL"
        )
    # Backfill (the sites table may come from elsewhere already filled). m002 made the FTS
    # update trigger ignore this column, so this does not re-index anything.
    db.execute(
        "UPDATE articles SET province = (SELECT province FROM sites WHERE sites.name = articles.site)"
        " WHERE site IN (SELECT name FROM sites)"
    )
    for trigger in (
        """CREATE TRIGGER IF NOT EXISTS articles_province AFTER INSERT ON articles BEGIN
            UPDATE articles SET province = (SELECT province FROM sites WHERE name = new.site)
            WHERE rowid = new.rowid;
        END""",
        """CREATE TRIGGER IF NOT EXISTS sites_province_ai AFTER INSERT ON sites BEGIN
            UPDATE articles SET province = new.province
            WHERE site = new.name AND province IS NOT new.province;
        END""",
        """CREATE TRIGGER IF NOT EXISTS sites_province_au AFTER UPDATE OF province ON sites
        WHEN new.province IS NOT old.province BEGIN
            UPDATE articles SET province = new.province WHERE site = new.name;
        END""",
    ):
        db.execute(trigger)
    db["articles"].create_index(["province", "published"], if_not_exists=True)


# -- migrations for raw captures and revisions (crawler/store/warc.py, crawler/store/revisions.py) ---------


@migrations()
def m004_warc_captures_and_revisions(db: sqlite_utils.Database) -> None:
    """Where each page's raw capture is, and the later versions of edited articles.

    ``articles.warc_file``/``warc_offset``: the WARC response record the article's text was
    extracted from (file relative to ``ARCHIVE_WARC_DIR``, byte offset of the record's gzip
    member); ``urls.warc_file``/``warc_offset``: the latest capture of that URL, and
    ``urls.text_hash``: the hash of the text the URL showed last, when it is no longer the
    article's original text. ``revisions``: see ``crawler/store/revisions.py``.
    """
    for table, columns in (("articles", ("warc_file", "warc_offset")),
                           ("urls", ("warc_file", "warc_offset", "text_hash"))):
        existing = {c.name for c in db[table].columns}
        for column in columns:
            if column not in existing:
                db.execute(f"ALTER TABLE {table} ADD COLUMN {column} "
                           f"{'INTEGER' if column == 'warc_offset' else 'TEXT'}")
    if not db["revisions"].exists():
        db["revisions"].create(
            {
                "article": str,
                "revision": int,
                "hash": str,
                "url": str,
                "fetched_at": str,
                "title": str,
                "text": str,
                "warc_file": str,
                "warc_offset": int,
            },
            pk=("article", "revision"),
            foreign_keys=[("article", "articles", "hash")],
            not_null={"hash", "fetched_at", "text"},
        )
        db["revisions"].create_index(["hash"])
