"""Rebuild articles from their WARC captures with the current extractor, without the network.

``python -m crawler reextract [--site S] [--warc-dir D] [--workers N] [--dry-run]``, after an
extraction fix for example. For every article with a capture (``articles.warc_file``/
``warc_offset``) the response record is read back, decoded exactly as in a crawl (Scrapy's
``HttpCompressionMiddleware`` for the content-encoding, ``TextResponse`` for the charset: the
header's, else the BOM's, else the page's ``<meta charset>``; so a windows-1258 page decodes as
it did), and run through ``crawler.text.extract.extract``. Then, in place:

- same content hash: the row's fields (title, text, date, author, …) are updated if the
  extractor now reads them differently (``updated``), else left alone (``unchanged``);
- another hash (``changed``): the row is re-keyed, and every reference follows it
  (``urls.hash``, ``revisions.article``); two articles that now have the same text become one
  (``merged``): the first fetched keeps its row, the other's URLs and revisions join it;
- no article any more (``rejected``): the row is kept as it was and reported, because
  re-extraction never deletes archived text (the capture is still there for a later fix);
- ``urls`` rows whose article row is missing (a damaged or emptied ``articles`` table) are
  rebuilt from their capture (``rebuilt``): revision 1's capture if the article had
  revisions, else the capture of the URL seen first;
- revisions are re-extracted from their own captures too; consecutive revisions that are now
  the same text are collapsed, and an article left with one revision has none.

Extraction (the slow part) runs before anything is written, in ``--workers`` processes, with
results in a temporary table; the changes are then applied in one short transaction, so a
crawl writing meanwhile waits a moment at most, and a killed re-extraction changes nothing.
Articles without a capture (imported from text, or crawled without ``ARCHIVE_WARC_DIR``) are
left as they are (``no_capture``); unreadable captures are counted as ``missing``.
"""

from __future__ import annotations

import json
import logging
import time
import warnings
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field, fields
from itertools import groupby, islice
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Headers, TextResponse
from scrapy.responsetypes import responsetypes

from crawler import extractpool, reasons
from crawler.progress import LOG_INTERVAL_SECONDS
from crawler.progress import progress as progress_of
from crawler.store.archive import Archive, article_fields
from crawler.stories.placement import reextracted as stories_reextracted
from crawler.text import content_hash
from crawler.urls import canonical_url
from crawler.store.warc import Record, WarcReader

logger = logging.getLogger(__name__)

CHUNK = 64  # pages handed to the workers at a time (bounds memory)
MAX_DECODED_BYTES = 64 * 1024 * 1024
# Columns re-extraction may change; hash/url/site/fetched_at/captures are the row's history.
FIELDS = ("title", "text", "published", "author", "description", "language", "tags", "canonical_url")


class _Decompressor(HttpCompressionMiddleware):
    """Scrapy's own content-decoding, outside a crawl (no crawler, no stats)."""

    def __init__(self) -> None:  # the parent's __init__ wants a running crawler
        self.stats = None
        self._max_size = MAX_DECODED_BYTES
        self._warn_size = MAX_DECODED_BYTES


_decompressor = _Decompressor()


def response_from_record(rec: Record) -> Any:
    """The Scrapy response a crawl's spider would have received for this capture."""
    headers = Headers()
    for name, value in rec.headers:
        if name.lower() != "content-length":  # ours, computed from the stored body
            headers.appendlist(name, value)
    request = Request(rec.url)
    cls = responsetypes.from_args(headers=headers, url=rec.url, body=rec.body)
    response = cls(url=rec.url, status=rec.status, headers=headers, body=rec.body, request=request,
                   protocol=rec.protocol)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _decompressor.process_response(request, response)


def page_html(rec: Record) -> tuple[str | None, str | None]:
    """(HTML text, None) or (None, reason) for a captured response."""
    try:
        response = response_from_record(rec)
    except IgnoreRequest:
        return None, reasons.TOO_LARGE
    if not isinstance(response, TextResponse):
        return None, reasons.NOT_HTML
    return response.text, None


def extraction_url(row_url: str | None, rec: Record) -> str:
    """The URL the crawl gave the extractor: the stored URL, unless the page was redirected."""
    if row_url and urlsplit(row_url).path == urlsplit(rec.url).path:
        return row_url
    return canonical_url(rec.url)


# The task, in this process (workers=0) or a worker's.
_extract = extractpool.extract_page


@dataclass(frozen=True)
class Bounds:
    """The crawl's bounds on one page's extraction (``ARCHIVE_EXTRACT_TIMEOUT``,
    ``ARCHIVE_EXTRACT_MAX_ELEMENTS``): a page over them is reported rejected, kept as it was."""
    timeout: float | None = None
    max_elements: int = 0


@dataclass
class Report:
    articles: int = 0  # article rows re-extracted
    unchanged: int = 0
    updated: int = 0  # same text hash, other fields changed
    changed: int = 0  # text hash changed: row re-keyed
    merged: int = 0  # rows merged into another article that now has the same text
    rejected: int = 0  # the current extractor finds no article: row kept as it was
    rebuilt: int = 0  # article rows rebuilt from urls captures
    no_capture: int = 0  # articles without a capture: left as they are
    missing: int = 0  # captures that could not be read
    revisions: int = 0  # revision rows re-extracted
    revisions_dropped: int = 0  # revisions that became identical to the one before
    seconds: float = 0.0
    rejected_urls: list[str] = field(default_factory=list)

    def not_extracted(self, url: str, reason: str | None) -> None:
        """A page that gave no text now: its capture is missing, or the extractor rejects it."""
        if reason == "missing-capture":
            self.missing += 1
        else:
            self.rejected += 1
            self.rejected_urls.append(f"{url} ({reason})")

    def summary(self) -> str:
        parts = [f"{f.name.replace('_', ' ')} {getattr(self, f.name)}" for f in fields(self)
                 if f.name not in ("seconds", "rejected_urls", "articles")]
        return (f"re-extracted {self.articles} articles in {self.seconds:.1f} s: " + ", ".join(parts))


@dataclass
class Job:
    kind: str  # "article" | "orphan" | "revision"
    key: Any  # articles.rowid | orphan hash | revisions.rowid
    url: str | None
    file: str
    offset: int
    site: str | None = None
    seen: str | None = None  # orphan: when its first URL was first seen


def _jobs(db: Any, site: str | None) -> tuple[list[Job], int]:
    where, params = ("AND a.site = ?", [site]) if site else ("", [])
    jobs = [
        Job("article", rowid, url, f, off)
        for rowid, url, f, off in db.execute(
            f"SELECT a.rowid, a.url, a.warc_file, a.warc_offset FROM articles a "
            f"WHERE a.warc_file IS NOT NULL AND a.warc_offset IS NOT NULL {where} ORDER BY a.rowid", params)
    ]
    no_capture = db.execute(f"SELECT count(*) FROM articles a WHERE (a.warc_file IS NULL OR a.warc_offset IS NULL) "
                            f"{where}", params).fetchone()[0]
    # URLs whose article row is missing: rebuild it from revision 1's capture, else from the
    # capture of the URL seen first.
    uwhere, uparams = ("AND u.site = ?", [site]) if site else ("", [])
    orphans = db.execute(
        f"""SELECT u.hash, u.url, u.site, u.first_seen, u.warc_file, u.warc_offset FROM urls u
            WHERE u.hash NOT IN (SELECT hash FROM articles) {uwhere}
            ORDER BY u.hash, u.warc_file IS NULL OR u.warc_offset IS NULL, u.first_seen, u.rowid""", uparams).fetchall()
    for content_hash_, group in groupby(orphans, key=lambda r: r[0]):
        group = list(group)
        first_seen = min(r[3] for r in group)
        rev1 = db.execute("SELECT url, warc_file, warc_offset FROM revisions WHERE article = ? AND revision = 1 "
                          "AND warc_file IS NOT NULL AND warc_offset IS NOT NULL", [content_hash_]).fetchone()
        _, url, site_, _, f, off = group[0]
        if rev1:
            url, f, off = rev1
        if f is not None and off is not None:
            jobs.append(Job("orphan", content_hash_, url, f, off, site_, first_seen))
    rwhere = "AND r.article IN (SELECT hash FROM articles WHERE site = ?) " if site else ""
    jobs += [
        Job("revision", rowid, url, f, off)
        for rowid, url, f, off in db.execute(
            f"SELECT r.rowid, r.url, r.warc_file, r.warc_offset FROM revisions r "
            f"WHERE r.warc_file IS NOT NULL AND r.warc_offset IS NOT NULL {rwhere}ORDER BY r.rowid", [site] if site else [])
    ]
    return jobs, no_capture


def _results(jobs: list[Job], reader: WarcReader, pool: Any, progress: Callable[[int], None] | None,
             bounds: Bounds = Bounds()) -> Iterator[tuple[Job, dict | None, str | None]]:
    """(job, article dict or None, reason) for every job, in order. Pages are read and decoded
    here a chunk at a time; with a pool the next chunk is read while the workers extract."""
    uses = Counter((j.file, j.offset) for j in jobs)
    cache: dict[tuple[str, int], tuple[dict | None, str | None]] = {}
    done = 0

    def prepare(chunk: list[Job]) -> list[tuple[Job, Any]]:
        """Each job with its result, or with the (html, url) still to extract (a future with a pool)."""
        out: list[tuple[Job, Any]] = []
        for job in chunk:
            key = (job.file, job.offset)
            if key in cache:
                out.append((job, cache[key]))
                continue
            try:
                rec = reader.read(job.file, job.offset)
            except Exception as exc:  # missing file, damaged or truncated record
                logger.warning("capture %s@%s unreadable: %s", job.file, job.offset, exc)
                out.append((job, (None, "missing-capture")))
                continue
            html, reason = page_html(rec)
            if html is None:
                out.append((job, (None, reason)))
            elif pool is not None:
                out.append((job, extractpool.submit_page(pool, html, extraction_url(job.url, rec), bounds.timeout,
                                                         bounds.max_elements)))
            else:
                out.append((job, (html, extraction_url(job.url, rec), "todo")))
        return out

    def finish(prepared: list[tuple[Job, Any]]) -> Iterator[tuple[Job, dict | None, str | None]]:
        for job, value in prepared:
            if isinstance(value, Future):
                art, reason, _detail = extractpool.outcome(value, bounds.timeout)
            elif len(value) == 3:
                art, reason, _detail = _extract(value[0], value[1], bounds.timeout, bounds.max_elements)
            else:
                art, reason = value
            key = (job.file, job.offset)
            uses[key] -= 1
            if uses[key] > 0:
                cache[key] = (art, reason)
            else:
                cache.pop(key, None)
            yield job, art, reason

    pending: deque[list[tuple[Job, Any]]] = deque()
    it = iter(jobs)
    while chunk := list(islice(it, CHUNK)):
        pending.append(prepare(chunk))
        if pool is None or len(pending) > 1:
            batch = pending.popleft()
            yield from finish(batch)
            done += len(batch)
            if progress:
                progress(done)
    while pending:
        batch = pending.popleft()
        yield from finish(batch)
        done += len(batch)
        if progress:
            progress(done)


def reextract(archive: Archive, warc_root: Path, *, site: str | None = None, workers: int = 0,
              dry_run: bool = False, progress: Callable[[int], None] | None = None,
              bounds: Bounds = Bounds(), on_jobs: Callable[[int], None] | None = None) -> Report:
    """Re-extract every captured article (of ``site``) in place; see the module docstring.
    ``on_jobs(n)`` is told how many captures there are to read, ``progress(done)`` how many
    are read."""
    started = time.monotonic()
    db = archive.db
    report = Report()
    jobs, report.no_capture = _jobs(db, site)
    columns = {c.name for c in db["articles"].columns}
    db.execute("DROP TABLE IF EXISTS temp._rx")
    db.execute("CREATE TEMP TABLE _rx (kind TEXT, key TEXT, new TEXT, fields TEXT, url TEXT, site TEXT, "
               "seen TEXT, file TEXT, offset INTEGER, reason TEXT)")
    if on_jobs is not None:
        on_jobs(len(jobs))
    pool = None
    if workers > 0 and len(jobs) > CHUNK:
        pool = extractpool.extraction_pool(workers)
    try:
        with WarcReader(warc_root) as reader:
            batch = []
            for job, art, reason in _results(jobs, reader, pool, progress, bounds):
                new = content_hash(art["text"]) if art else None
                values = article_fields(art) if art else None
                batch.append((job.kind, str(job.key), new, json.dumps(values, ensure_ascii=False) if values else None,
                              job.url, job.site, job.seen, job.file, job.offset, reason))
                if len(batch) >= 500:
                    _save(db, batch)
                    batch = []
            _save(db, batch)
    finally:
        if pool is not None:
            extractpool.shutdown(pool)
    _apply(archive, report, columns, dry_run)
    db.execute("DROP TABLE IF EXISTS temp._rx")
    report.seconds = time.monotonic() - started
    return report


def _save(db: Any, batch: list[tuple]) -> None:
    with db.atomic():  # a temporary table: locks nothing in the archive
        db.conn.executemany("INSERT INTO _rx VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", batch)


class _DryRun(Exception):
    pass


def _apply(archive: Archive, report: Report, columns: set[str], dry_run: bool) -> None:
    db = archive.db
    try:
        with db.atomic():
            db.execute("PRAGMA defer_foreign_keys = ON")
            changed = _apply_articles(db, report, columns)
            _rekey(db, report, changed, columns)
            _apply_revisions(db, report)
            # Stories follow the texts that changed (crawler/stories/placement.py).
            stories_reextracted(db, [(old, new) for _rowid, old, new, _values in changed])
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass


def _apply_articles(db: Any, report: Report, columns: set[str]) -> list[tuple[int, str, str, dict]]:
    """Update rows whose hash stays, rebuild missing ones; returns (rowid, old, new, fields)
    of the rows whose text hash changed."""
    changed: list[tuple[int, str, str, dict]] = []
    present = [f for f in FIELDS if f in columns]
    rows = db.execute("SELECT kind, key, new, fields, url, site, seen, file, offset, reason FROM _rx "
                      "WHERE kind IN ('article', 'orphan')").fetchall()
    for kind, key, new, values_json, url, site, seen, file, offset, reason in rows:
        if kind == "article":
            report.articles += 1
            rowid = int(key)
            old = db.execute(f"SELECT hash, {', '.join(present)} FROM articles WHERE rowid = ?", [rowid]).fetchone()
            if old is None:
                continue
            if new is None:
                report.not_extracted(url, reason)
                continue
            values = json.loads(values_json)
            current = dict(zip(present, old[1:]))
            if new != old[0]:
                changed.append((rowid, old[0], new, values))
                continue
            diff = {k: v for k, v in values.items() if k in current and v != current[k]}
            if diff:
                db.execute(f"UPDATE articles SET {', '.join(f'{k} = ?' for k in diff)} WHERE rowid = ?",
                           [*diff.values(), rowid])
                report.updated += 1
            else:
                report.unchanged += 1
        else:  # orphan: key is the hash its URLs point at
            if new is None:
                report.not_extracted(url, reason)
                continue
            report.articles += 1
            values = json.loads(values_json)
            row = {"hash": key, "url": url, "site": site, "fetched_at": seen, **values,
                   "warc_file": file, "warc_offset": offset}
            row = {k: v for k, v in row.items() if k in columns}
            cur = db.execute(f"INSERT INTO articles ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)}) "
                             "ON CONFLICT(hash) DO NOTHING", list(row.values()))
            if cur.rowcount != 1:
                continue
            report.rebuilt += 1
            if new != key:
                changed.append((cur.lastrowid, key, new, values))
            else:
                report.unchanged += 1
    return changed


def _rekey(db: Any, report: Report, changed: list[tuple[int, str, str, dict]], columns: set[str]) -> None:
    """Give re-keyed rows their new hash; rows that now share a hash become one."""
    if not changed:
        return
    # First out of the way (temporary keys), so a new hash may be one another row leaves.
    for rowid, old, _new, _values in changed:
        tmp = f"~{rowid}"
        db.execute("UPDATE articles SET hash = ? WHERE rowid = ?", [tmp, rowid])
        db.execute("UPDATE urls SET hash = ? WHERE hash = ?", [tmp, old])
        db.execute("UPDATE revisions SET article = ? WHERE article = ?", [tmp, old])
    order = {rowid: db.execute("SELECT fetched_at FROM articles WHERE rowid = ?", [rowid]).fetchone()[0]
             for rowid, *_ in changed}
    changed = sorted(changed, key=lambda c: (c[2], order[c[0]] or "", c[0]))
    for new, group in groupby(changed, key=lambda c: c[2]):
        group = list(group)
        keeper = db.execute("SELECT rowid FROM articles WHERE hash = ?", [new]).fetchone()
        if keeper is None:
            rowid, _old, _new, values = group[0]
            values = {k: v for k, v in values.items() if k in columns}
            db.execute(f"UPDATE articles SET hash = ?, {', '.join(f'{k} = ?' for k in values)} WHERE rowid = ?",
                       [new, *values.values(), rowid])
            losers = group[1:]
        else:
            losers = group
        for rowid, *_ in group:
            db.execute("UPDATE urls SET hash = ? WHERE hash = ?", [new, f"~{rowid}"])
            # Negative numbers never collide; _apply_revisions renumbers in fetch order.
            db.execute("UPDATE revisions SET article = ?, revision = -rowid WHERE article = ?", [new, f"~{rowid}"])
        for rowid, *_ in losers:
            db.execute("DELETE FROM articles WHERE rowid = ?", [rowid])
        report.changed += len(group)
        report.merged += len(losers)


def _apply_revisions(db: Any, report: Report) -> None:
    """Re-extracted revision texts in place, then each edited article's revisions tidied."""
    hash_map: dict[str, str] = {}
    for key, new, values_json, _reason in db.execute(
            "SELECT key, new, fields, reason FROM _rx WHERE kind = 'revision'").fetchall():
        if new is None:
            continue
        values = json.loads(values_json)
        old = db.execute("SELECT hash FROM revisions WHERE rowid = ?", [int(key)]).fetchone()
        if old is None:
            continue
        if old[0] != new:
            hash_map[old[0]] = new
        db.execute("UPDATE revisions SET hash = ?, title = ?, text = ? WHERE rowid = ?",
                   [new, values.get("title"), values["text"], int(key)])
        report.revisions += 1
    for old, new in hash_map.items():
        db.execute("UPDATE urls SET text_hash = ? WHERE text_hash = ?", [new, old])
    for (article,) in db.execute("SELECT DISTINCT article FROM revisions").fetchall():
        art = db.execute("SELECT hash, title, text FROM articles WHERE hash = ?", [article]).fetchone()
        revs = db.execute("SELECT rowid, hash, revision FROM revisions WHERE article = ? "
                          "ORDER BY fetched_at, rowid", [article]).fetchall()
        if art is None:
            continue
        kept, last = [], None
        for rowid, h, _n in revs:
            if h == last:
                db.execute("DELETE FROM revisions WHERE rowid = ?", [rowid])
                report.revisions_dropped += 1
            else:
                kept.append(rowid)
                last = h
        if len(kept) <= 1:
            db.execute("DELETE FROM revisions WHERE article = ?", [article])
            report.revisions_dropped += len(kept)
            continue
        for rowid in kept:  # renumber 1..n without passing through a taken number
            db.execute("UPDATE revisions SET revision = -rowid WHERE rowid = ?", [rowid])
        for n, rowid in enumerate(kept, 1):
            db.execute("UPDATE revisions SET revision = ? WHERE rowid = ?", [n, rowid])
        # Revision 1 is the article's own text.
        db.execute("UPDATE revisions SET hash = ?, title = ?, text = ? WHERE rowid = ?", [art[0], art[1], art[2], kept[0]])
    db.execute("UPDATE urls SET text_hash = NULL WHERE text_hash = hash")


def run(db_path: str, warc_root: Path, *, site: str | None = None, workers: int = 0, dry_run: bool = False,
        out: Callable[[str], None] = print, bounds: Bounds = Bounds(), stream: Any = None,
        interval: float = LOG_INTERVAL_SECONDS) -> Report:
    """The CLI command: re-extract with progress (``crawler.progress`` on ``stream``, standard
    error by default), print the summary (and the URLs now rejected)."""
    state: dict[str, Any] = {"bar": None, "done": 0}

    def on_jobs(n: int) -> None:
        state["bar"] = progress_of(total=n, desc="Trích xuất lại", unit="trang", stream=stream, interval=interval).__enter__()

    def advanced(done: int) -> None:
        if state["bar"] is not None:
            state["bar"].update(done - state["done"])
        state["done"] = done

    try:
        with Archive(db_path) as archive:
            report = reextract(archive, warc_root, site=site, workers=workers, dry_run=dry_run, progress=advanced,
                               bounds=bounds, on_jobs=on_jobs)
    finally:
        if state["bar"] is not None:
            state["bar"].close()
    out(("(dry run, nothing written) " if dry_run else "") + report.summary())
    for line in report.rejected_urls[:50]:
        out(f"  now rejected, kept as it was: {line}")
    if len(report.rejected_urls) > 50:
        out(f"  … and {len(report.rejected_urls) - 50} more")
    return report
