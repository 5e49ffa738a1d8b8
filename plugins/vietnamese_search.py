"""Datasette plugin: Vietnamese search and reading for the archive (``--plugins-dir plugins``).

Search. Every connection gets three SQL functions:

- ``vn_fold(text)``: ``crawler.text.fold`` (no diacritics, ``đ``→``d``, lowercase, one tone
  placement), for comparing names typed any way (``vn_fold(province) = vn_fold(:province)``);
- ``vn_match(query)``: what a reader typed → an FTS5 query for ``articles_fts``
  (``crawler.store.search.fts_query``): folded, ``d``/``đ`` spellings OR-ed, phrases kept, never a
  syntax error. Canned queries use ``articles_fts MATCH vn_match(:q)``;
- ``vn_phrase(query)``: the typed words as one phrase (``crawler.store.search.phrase_query``), to
  rank articles that have them in that order first.

On a database that has ``articles_fts`` the plugin also replaces Datasette's own
``escape_fts()``, the function the table search box (``?_search=``) runs the typed text through,
with ``vn_match``: so the ordinary search box on ``/archive/articles`` is Vietnamese-aware too,
with no change to Datasette's views or URLs. (Datasette registers ``escape_fts`` in its own
``prepare_connection``; this hook runs ``trylast`` so that its definition is the one that stays.)

Safety. Connections to served databases are put in ``PRAGMA query_only``: even a plugin or a
canned query declared ``write: true`` cannot change the archive. They also memory-map the
file (``PRAGMA mmap_size``), which makes searches and facets on a large archive 2-3x faster.
Every response carries ``X-Robots-Tag: noindex, nofollow`` (robots.txt itself comes from
datasette-block-robots). Only http(s) URLs from the archive are ever made into links.

Reading. ``render_cell`` shows article text as a short excerpt in tables (the full text, in
paragraphs, is on the article's page), tags as links, and in query results: ``hash``/``Article``
columns and a ``Title`` next to one as links to the article, ``Snippet`` with the matched words
highlighted, ``URLs`` as one link per line. ``extra_template_vars`` gives the article page
(``templates/row.html``) the article with its sources and the table page
(``templates/table.html``) a link to the same search ranked by relevance.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

import markupsafe
from datasette import hookimpl
from datasette.utils import urlsafe_components

try:
    from crawler.store.search import fts_query, phrase_query
    from crawler.text import fold
except ImportError:  # served from a checkout whose package is not installed (no `make venv`)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from crawler.store.search import fts_query, phrase_query
    from crawler.text import fold

# snippet() markers: control characters that never occur in stored (cleaned) text, turned
# into <mark> after the whole snippet has been HTML-escaped.
MARK_START, MARK_END = "\x02", "\x03"
EXCERPT_CHARS = 240
INTERNAL_DATABASES = {"_internal", "_memory"}
MMAP_BYTES = 4 * 2**30


def _vn_fold(value):
    return fold(value) if isinstance(value, str) else value


def _vn_match(value):
    return fts_query(value if isinstance(value, str) else None)


def _vn_phrase(value):
    return phrase_query(value if isinstance(value, str) else None)


@hookimpl(trylast=True)
def prepare_connection(conn, database, datasette):
    conn.create_function("vn_fold", 1, _vn_fold, deterministic=True)
    conn.create_function("vn_match", 1, _vn_match, deterministic=True)
    conn.create_function("vn_phrase", 1, _vn_phrase, deterministic=True)
    if database in INTERNAL_DATABASES:
        return
    has_index = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE name = 'articles_fts' AND type = 'table'"
    ).fetchone()
    if has_index:
        conn.create_function("escape_fts", 1, _vn_match, deterministic=True)
    conn.execute("PRAGMA query_only = 1")
    # Read through the OS page cache instead of copying pages: 2-3x faster table searches and
    # facets on a large archive (SQLite caps the size at its compile-time maximum).
    conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def add_robots_header(scope, receive, send):
            async def send_with_header(event):
                if event["type"] == "http.response.start":
                    headers = [h for h in event.get("headers", []) if h[0].lower() != b"x-robots-tag"]
                    event = {**event, "headers": headers + [(b"x-robots-tag", b"noindex, nofollow")]}
                await send(event)

            if scope["type"] != "http":
                return await app(scope, receive, send)
            return await app(scope, receive, send_with_header)

        return add_robots_header

    return wrap


def _excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def _highlight(snippet: str) -> markupsafe.Markup:
    escaped = str(markupsafe.escape(snippet))
    return markupsafe.Markup(escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


def _http(url: str | None) -> str | None:
    """``url`` if it is an http(s) URL (safe to put in an href), else None."""
    return url if isinstance(url, str) and url.lower().startswith(("http://", "https://")) else None


def _link(href: str, label: str, css: str = "") -> markupsafe.Markup:
    cls = f' class="{css}"' if css else ""
    return markupsafe.Markup('<a href="{}"{}>{}</a>').format(href, markupsafe.Markup(cls), label)


def _article_path(datasette, database: str, content_hash: str) -> str:
    return datasette.urls.row(database, "articles", content_hash)


def _vn_date(iso: str) -> str:
    """``2025-09-20T08:00:00+07:00`` → ``20/09/2025 08:00`` (Vietnamese order); else unchanged."""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    has_time = "T" in iso or " " in iso.strip()
    return moment.strftime("%d/%m/%Y %H:%M" if has_time else "%d/%m/%Y")


def _time(iso: str) -> markupsafe.Markup:
    return markupsafe.Markup('<time datetime="{}">{}</time>').format(iso, _vn_date(iso))


def _row_value(row, key):
    try:
        return row[key]
    except (KeyError, IndexError, TypeError):
        return None


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if column == "Run" and table is None and isinstance(value, int):
        return _link(datasette.urls.row(database, "crawls", str(value)), str(value))
    if value is None or not isinstance(value, str):
        return None
    if table == "articles":
        if column == "text":
            return _excerpt(value)
        if column == "tags":
            return _tag_links(datasette, database, value)
        return None
    if table == "sites" and column == "domains":
        return _json_list(value)
    if table is not None:
        return None
    # Query results (canned or not): conventions on column names.
    if column in ("hash", "Article") and len(value) == 16:
        return _link(_article_path(datasette, database, value), value)
    if column == "Title":
        content_hash = _row_value(row, "hash") or _row_value(row, "Article")
        if content_hash:
            return _link(_article_path(datasette, database, content_hash), value, "article-link")
        return None
    if column == "Snippet":
        return _highlight(value)
    if column == "Published":
        return _time(value)
    if column == "URLs":
        links = [_link(u, u) if _http(u) else markupsafe.escape(u) for u in value.split("\n") if u]
        return markupsafe.Markup("<br>").join(links)
    return None


def _json_list(value: str):
    try:
        items = json.loads(value)
    except ValueError:
        return None
    return ", ".join(map(str, items)) if isinstance(items, list) else None


def _tag_links(datasette, database: str, value: str):
    try:
        tags = json.loads(value)
    except ValueError:
        return None
    if not isinstance(tags, list):
        return None
    base = datasette.urls.table(database, "articles")
    links = [_link(f"{base}?{urlencode({'tags__arraycontains': t})}", str(t)) for t in tags]
    return markupsafe.Markup(", ").join(links)


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


@hookimpl
def extra_template_vars(template, database, table, columns, view_name, request, datasette):
    if table != "articles" or request is None or database is None:
        return {}

    async def article_page():
        db = datasette.get_database(database)
        pks = urlsafe_components(request.url_vars["pks"])
        rows = await db.execute(
            """SELECT a.*, s.paper, s.former_province FROM articles a
               LEFT JOIN sites s ON s.name = a.site WHERE a.hash = ?""",
            pks[:1],
        )
        if not rows.rows:
            return {}
        art = dict(rows.rows[0])
        urls = await db.execute(
            "SELECT url, site, first_seen, last_seen FROM urls WHERE hash = ? ORDER BY first_seen, url",
            [art["hash"]],
        )
        try:
            tags = json.loads(art.get("tags") or "[]")
        except ValueError:
            tags = []
        paragraphs = _paragraphs(art.get("text") or "")
        lead = (art.get("description") or "").strip()
        if lead and paragraphs and paragraphs[0].startswith(lead.rstrip(".… ")):
            lead = ""  # the lead is the text's first paragraph: show it once
        art.update(
            paragraphs=paragraphs,
            lead=lead,
            published_display=_vn_date(art["published"]) if art.get("published") else None,
            url=_http(art.get("url")),
            canonical_url=_http(art.get("canonical_url")),
            sources=[dict(r, url=_http(r["url"]), label=r["url"]) for r in urls.rows],
            tag_list=tags if isinstance(tags, list) else [],
            site_url=datasette.urls.table(database, "articles") + "?" + urlencode({"site": art["site"]}),
        )
        return {"article": art}

    async def table_page():
        search = request.args.get("_search")
        if not search:
            return {}
        query = {"q": search}
        for key in ("site", "province"):
            if request.args.get(key):
                query[key] = request.args[key]
        if not await datasette.get_canned_query(database, "search", request.actor):
            return {}
        return {"ranked_search_url": datasette.urls.query(database, "search") + "?" + urlencode(query)}

    if view_name == "row":
        return article_page
    if view_name == "table":
        return table_page
    return {}
