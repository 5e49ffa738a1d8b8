"""Revisions: articles edited after publication.

An article's identity is the content hash of the text first archived (``articles.hash``), and
``articles.text`` keeps that first text: the archive shows what was published, search and the
text export see it, and ``hash = content_hash(text)`` holds for every row (so dedupe, the text
export and import keep working on one rule). Later versions live in ``revisions``:

- ``revisions``: ``article`` (→ ``articles.hash``), ``revision`` (1, 2, …), ``hash`` (content
  hash of that version), ``url`` (where it was seen), ``fetched_at``, ``title``, ``text``,
  ``warc_file``/``warc_offset`` (its capture). Revision 1 is the original text; an article
  that was never seen changed has no rows here at all.
- ``urls.text_hash``: the hash of the text a URL showed when last fetched, when that is not
  the article's original text (NULL otherwise).

A page fetched again at a URL the archive already holds (``-a refresh_days=N``, see
``crawler/spiders/refresh.py``) is compared with what that URL showed last time:

- the same text: one row update (``urls.last_seen`` and the capture); no new row anywhere;
- a different text: a new revision of the URL's article (revision 1 is written first from
  the ``articles`` row if this is the first change), unless the text is already the article's
  latest revision (another URL of the article showed the change first). The URL stays with
  its article; the changed text never becomes an article of its own, and a later copy of it at
  another URL is an alias of that article (``article_for``).

All of this runs inside ``Archive.store``'s transaction.
"""

from __future__ import annotations

import difflib
from typing import Any

import sqlite_utils

from crawler.items import ArticleRecord


def article_for(db: sqlite_utils.Database, content_hash: str) -> str | None:
    """The article a text belongs to: the article with that hash, else the article that has
    a revision with that hash, else None (a new text)."""
    row = db.execute("SELECT hash FROM articles WHERE hash = ?", [content_hash]).fetchone()
    if row:
        return row[0]
    row = db.execute(
        "SELECT article FROM revisions WHERE hash = ? ORDER BY fetched_at, revision LIMIT 1", [content_hash]
    ).fetchone()
    return row[0] if row else None


def known_text(db: sqlite_utils.Database, content_hash: str) -> dict[str, Any] | None:
    """Title and text of an archived text (article or revision) with this hash."""
    row = db.execute("SELECT title, text FROM articles WHERE hash = ?", [content_hash]).fetchone()
    if row is None:
        row = db.execute("SELECT title, text FROM revisions WHERE hash = ? LIMIT 1", [content_hash]).fetchone()
    return {"title": row[0], "text": row[1]} if row else None


def refetch(db: sqlite_utils.Database, rec: ArticleRecord) -> str | None:
    """Store an article record (hash already set by the store) whose URL is already archived:
    ``"unchanged"`` or ``"revised"``. None when the URL is new to the archive (the caller
    stores it as usual)."""
    urls = rec.urls
    row = db.execute(
        "SELECT u.hash, u.text_hash FROM urls u JOIN articles a ON a.hash = u.hash WHERE u.url = ?", [urls[0]]
    ).fetchone()
    if row is None:
        return None
    article, shown = row[0], row[1] or row[0]
    new = rec.hash
    if new == shown:
        _touch_urls(db, rec, article, text_hash=row[1], keep_capture=True)
        return "unchanged"
    latest = db.execute(
        "SELECT revision, hash FROM revisions WHERE article = ? ORDER BY revision DESC LIMIT 1", [article]
    ).fetchone()
    if latest is None and new != article or latest is not None and latest[1] != new:
        content = rec.article or known_text(db, new)
        if content is None:  # a record without text whose hash nothing archived has
            raise LookupError(f"refetch of {urls[0]}: no text for {new}")
        number = latest[0] if latest else _first_revision(db, article)
        db.execute(
            """INSERT INTO revisions (article, revision, hash, url, fetched_at, title, text, warc_file, warc_offset)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [article, number + 1, new, urls[0], rec.fetched_at, content.get("title"), content["text"],
             rec.warc_file, rec.warc_offset if rec.warc_file else None],
        )
    _touch_urls(db, rec, article, text_hash=None if new == article else new, keep_capture=False)
    return "revised"


def _first_revision(db: sqlite_utils.Database, article: str) -> int:
    """Write revision 1 (the original text, from the articles row); returns 1."""
    db.execute(
        """INSERT INTO revisions (article, revision, hash, url, fetched_at, title, text, warc_file, warc_offset)
           SELECT hash, 1, hash, url, fetched_at, title, text, warc_file, warc_offset
           FROM articles WHERE hash = ?""",
        [article],
    )
    return 1


def _touch_urls(db: sqlite_utils.Database, rec: ArticleRecord, article: str, *, text_hash: str | None,
                keep_capture: bool) -> None:
    """The refetch's URLs: seen now, at this capture, showing ``text_hash``; they stay with
    ``article`` (a redirect target new to the archive joins it as an alias). An uncaptured
    refetch of changed text clears the capture: the old one no longer shows what the URL shows."""
    capture = ("coalesce(excluded.warc_file, warc_file)", "coalesce(excluded.warc_offset, warc_offset)") \
        if keep_capture else ("excluded.warc_file", "excluded.warc_offset")
    offset = rec.warc_offset if rec.warc_file else None
    for url in rec.urls:
        db.execute(
            f"""INSERT INTO urls (url, hash, site, first_seen, last_seen, warc_file, warc_offset, text_hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(url) DO UPDATE SET last_seen = excluded.last_seen,
                    warc_file = {capture[0]}, warc_offset = {capture[1]}, text_hash = excluded.text_hash""",
            [url, article, rec.site, rec.fetched_at, rec.fetched_at, rec.warc_file, offset, text_hash],
        )
    db.execute(f"DELETE FROM rejects WHERE url IN ({', '.join('?' for _ in rec.urls)})", rec.urls)


# -- showing changes -------------------------------------------------------------------------


def paragraphs(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split("\n") if p.strip()]


def text_diff(old: str | None, new: str | None, *, context: int = 1) -> str:
    """A unified diff of two texts, one paragraph per line (``-`` removed, ``+`` added,
    two spaces unchanged context, ``@@`` between hunks); empty when the texts are equal."""
    lines = difflib.unified_diff(paragraphs(old), paragraphs(new), lineterm="", n=context)
    out = []
    for line in lines:
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            out.append("@@")
        elif line.startswith(" "):
            out.append("  " + line[1:])
        else:
            out.append(line[0] + " " + line[1:])
    return "\n".join(out)
