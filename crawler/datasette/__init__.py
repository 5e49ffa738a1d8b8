"""Datasette plugin: the archive served as the full experience by a plain ``datasette archive.db``.

Installed with the project (entry point ``archive`` in ``pyproject.toml``), so ``datasette
archive.db``, ``datasette serve /data/whatever.db`` and ``make serve`` are the same thing. For
every served database that has an ``articles`` table, whatever the file is called:

- metadata (titles, Vietnamese column labels, facets, the articles' full-text index) and the
  canned queries come from ``crawler/datasette/archive.yml`` through the ``get_metadata`` and
  ``canned_queries`` hooks; templates and static files are in this package (``templates/``,
  ``static/``);
- the serving defaults (SQL time limit, no database download, no facet suggestions, …) are
  applied at startup to every setting still at Datasette's default (``SERVE_SETTINGS``), so an
  explicit ``--setting`` wins.

Search. Every connection gets SQL functions: ``vn_fold(text)`` (``crawler.text.fold``);
``vn_match(query)`` and the other search functions, the table search box and match counts are
``crawler.datasette.search`` (registered from ``prepare_connection``; its ``filters_from_request``
hook is imported here so the plugin carries it).

Safety. Connections are ``PRAGMA query_only``; queries over the limits of
``crawler.store.search.check_query`` get a 400 with the reason before any SQL runs (the SQL
time limit cannot interrupt FTS5 inside one step, see that module). Every response carries
``X-Robots-Tag: noindex, nofollow``. Only http(s) URLs from the archive are made into links.

Reading. ``render_cell`` shows dates as ``dd/mm/yyyy HH:MM`` in +07:00, newspapers by name,
crawl statistics as a table, article text as an excerpt, tags as links; in query results the
``Article``/``Title`` columns link to the article, ``Snippet`` is highlighted, ``URLs`` is one
link per line. ``extra_template_vars`` gives the article page (``templates/row.html``) the
article with its sources. SQLite gets ``COLLATE vi`` (``crawler.datasette.vietnamese``).
"""

from __future__ import annotations

import copy
import json
from concurrent.futures import ThreadPoolExecutor
import re
from functools import lru_cache
from importlib import resources
from urllib.parse import parse_qsl, urlencode

import markupsafe
import yaml
from datasette import hookimpl
from datasette.utils import urlsafe_components
from datasette.utils.asgi import Response

from crawler.datasette.vietnamese import collate, label, looks_like_timestamp, sort_key, vn_datetime

from crawler.store.search import check_query
from crawler.datasette import search as vn_search
from crawler.datasette.search import VN_SEARCH, filters_from_request  # noqa: F401 (the hook)

# snippet() markers: control characters that never occur in stored (cleaned) text, turned
# into <mark> after the whole snippet has been HTML-escaped.
MARK_START, MARK_END = "\x02", "\x03"
EXCERPT_CHARS = 240
INTERNAL_DATABASES = {"_internal", "_memory"}
MMAP_BYTES = 4 * 2**30
# What serving the archive needs, applied where the setting is still Datasette's default.
SERVE_SETTINGS = {
    "sql_time_limit_ms": 3000,
    "facet_time_limit_ms": 500,
    "max_returned_rows": 1000,
    "default_page_size": 50,
    "truncate_cells_html": 300,
    "suggest_facets": False,
    "allow_download": False,
    "num_sql_threads": 4,
}
@lru_cache(maxsize=1)
def config() -> dict:
    """``archive.yml``: instance, database and canned-query metadata (package data)."""
    text = resources.files(__package__).joinpath("archive.yml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _fill(value, db_url: str):
    """Replace ``{db}`` with the database's URL in every string of ``value``."""
    if isinstance(value, str):
        return value.replace("{db}", db_url)
    if isinstance(value, dict):
        return {k: _fill(v, db_url) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, db_url) for v in value]
    return value


def archives(datasette) -> list[str]:
    """Names of the served databases that are archives (found at startup)."""
    return getattr(datasette, "_vn_archives", [])


def is_archive(datasette, database: str | None) -> bool:
    return database is not None and database in archives(datasette)


# -- setup --------------------------------------------------------------------------------------


@hookimpl
def startup(datasette):
    async def inner():
        from datasette.app import DEFAULT_SETTINGS

        for key, value in SERVE_SETTINGS.items():
            if datasette._settings.get(key) == DEFAULT_SETTINGS.get(key):
                datasette._settings[key] = value
        # Datasette copies these settings into attributes when it is built; keep them in step.
        datasette.sql_time_limit_ms = datasette.setting("sql_time_limit_ms")
        datasette.max_returned_rows = datasette.setting("max_returned_rows")
        datasette.page_size = datasette.setting("default_page_size")
        threads = datasette.setting("num_sql_threads")
        if datasette.executor is not None and threads and datasette.executor._max_workers != threads:
            old, datasette.executor = datasette.executor, ThreadPoolExecutor(max_workers=threads)
            old.shutdown(wait=False)
        found = []
        for name, db in datasette.databases.items():
            if name in INTERNAL_DATABASES:
                continue
            if await db.table_exists("articles"):
                found.append(name)
        datasette._vn_archives = found

    return inner


@hookimpl
def get_metadata(datasette, key, database, table):
    names = archives(datasette)
    if not names:
        return {}
    conf = config()
    meta = _fill(copy.deepcopy(conf["instance"]), datasette.urls.database(names[0]))
    meta["databases"] = {name: _fill(copy.deepcopy(conf["database"]), datasette.urls.database(name))
                         for name in names}
    return meta


@hookimpl
def canned_queries(datasette, database, actor):
    if not is_archive(datasette, database):
        return None
    return _fill(copy.deepcopy(config()["queries"]), datasette.urls.database(database))


@hookimpl
def prepare_jinja2_environment(env, datasette):
    env.filters["vn_label"] = label
    env.filters["vn_datetime"] = vn_datetime


@hookimpl(trylast=True)
def prepare_connection(conn, database, datasette):
    conn.create_function("vn_datetime", 1, vn_datetime, deterministic=True)
    conn.create_collation("vi", collate)
    vn_search.register(conn, database, internal=database in INTERNAL_DATABASES)
    if database in INTERNAL_DATABASES:
        return
    conn.execute("PRAGMA query_only = 1")
    # Read through the OS page cache instead of copying pages: 2-3x faster table searches and
    # facets on a large archive (SQLite caps the size at its compile-time maximum).
    conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")


# -- requests: robots header, query limits, the table search parameter ------------------------

_SEARCH_PARAMS = re.compile(r"^(q|_search(_\w+)?|" + VN_SEARCH + ")$")


def _too_long_response(path: str, message: str):
    if path.endswith(".json"):
        return Response.json({"ok": False, "error": message, "status": 400}, status=400)
    body = markupsafe.Markup(
        '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{t}</title></head>'
        '<body><h1>{t}</h1><p class="message-error">{m}</p><p><a href="javascript:history.back()">'
        "Quay lại · Back</a></p></body></html>"
    ).format(t="Câu tìm không hợp lệ · Query not accepted", m=message)
    return Response.html(str(body), status=400)


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def archive_app(scope, receive, send):
            if scope["type"] != "http":
                return await app(scope, receive, send)

            async def send_with_header(event):
                if event["type"] == "http.response.start":
                    headers = [h for h in event.get("headers", []) if h[0].lower() != b"x-robots-tag"]
                    event = {**event, "headers": headers + [(b"x-robots-tag", b"noindex, nofollow")]}
                await send(event)

            # The archives are found at startup; this wrapper runs before Datasette's own
            # first-request startup, and needs them.
            await datasette.invoke_startup()
            query = scope.get("query_string", b"").decode("latin-1")
            if query and ("q=" in query or "_search" in query or "sql=" in query):
                pairs = parse_qsl(query, keep_blank_values=True)
                values = dict(pairs)
                for key, value in pairs:
                    texts = [value] if _SEARCH_PARAMS.match(key) else []
                    if key == "sql":
                        texts = vn_search.match_operands(value, values)
                    for text in texts:
                        problem = check_query(text)
                        if not problem:
                            continue
                        response = _too_long_response(scope.get("path", ""), problem)
                        return await response.asgi_send(send_with_header)
                scope = vn_search.route_table_search(datasette, scope, pairs)
            return await app(scope, receive, send_with_header)

        return archive_app

    return wrap


def _excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def _highlight(snippet: str) -> markupsafe.Markup:
    escaped = str(markupsafe.escape(snippet))
    return markupsafe.Markup(escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


def http_url(url) -> str | None:
    """``url`` if it is an http(s) URL (safe to put in an href), else None."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    return url if re.match(r"(?i)^https?://[^\s]", url) and not re.search(r"[\x00-\x1f]", url) else None


def _link(href: str, label_: str, css: str = "") -> markupsafe.Markup:
    cls = f' class="{css}"' if css else ""
    return markupsafe.Markup('<a href="{}"{}>{}</a>').format(href, markupsafe.Markup(cls), label_)


def _external(url: str) -> markupsafe.Markup:
    safe = http_url(url)
    if not safe:
        return markupsafe.escape(url)
    return markupsafe.Markup('<a href="{}" rel="noopener noreferrer nofollow">{}</a>').format(safe, url)


def _article_path(datasette, database: str, content_hash: str) -> str:
    return datasette.urls.row(database, "articles", content_hash)


def _time(iso: str) -> markupsafe.Markup:
    return markupsafe.Markup('<time datetime="{}">{}</time>').format(iso, vn_datetime(iso))


def _row_value(row, key):
    try:
        return row[key]
    except (KeyError, IndexError, TypeError):
        return None


def stats_table(value: str):
    """Scrapy's stats JSON as a two-column table, dates in +07:00; None if not a JSON object."""
    try:
        stats = json.loads(value)
    except (TypeError, ValueError):
        return None
    if not isinstance(stats, dict):
        return None
    rows = []
    for key in sorted(stats):
        v = stats[key]
        shown = vn_datetime(v) if looks_like_timestamp(v) else (f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else v)
        rows.append(markupsafe.Markup("<tr><th>{}</th><td>{}</td></tr>").format(key, shown))
    return markupsafe.Markup('<table class="crawl-stats">{}</table>').format(markupsafe.Markup("").join(rows))


@lru_cache(maxsize=8)
def _papers_cached(path: str, mtime: float) -> dict:
    import sqlite3

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return dict(conn.execute("SELECT name, paper FROM sites WHERE paper IS NOT NULL").fetchall())
    except sqlite3.Error:
        return {}
    finally:
        conn.close()


def paper_names(datasette, database: str | None) -> dict:
    """``{spider name: paper}`` from the database's ``sites`` table (re-read when the file changes)."""
    import os

    if not is_archive(datasette, database):
        return {}
    db = datasette.get_database(database)
    if not db.path:
        return {}
    try:
        mtime = os.stat(db.path).st_mtime
    except OSError:
        return {}
    return _papers_cached(db.path, mtime)


_URL_COLUMNS = {"url", "canonical_url", "Source", "Example URL"}
_SITE_COLUMNS = {"site", "Site", "name"}


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if not is_archive(datasette, database):
        return None
    if column == "Run" and table is None and isinstance(value, int):
        return _link(datasette.urls.row(database, "crawls", str(value)), str(value))
    if value is None or not isinstance(value, str):
        return None
    if looks_like_timestamp(value):
        return _time(value)
    if column in _SITE_COLUMNS and (table in (None, "articles", "urls", "rejects", "crawls") or
                                    (table == "sites" and column == "name")):
        paper = paper_names(datasette, database).get(value)
        if paper and table != "sites":
            return markupsafe.Markup('<span class="paper" title="{}">{}</span>').format(value, paper)
        return None
    if column in _URL_COLUMNS:
        return _external(value)
    if table == "articles":
        if column == "text":
            return _excerpt(value)
        if column == "tags":
            return _tag_links(datasette, database, value)
        return None
    if table == "crawls" and column == "stats":
        return stats_table(value)
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
    if column == "URLs":
        return markupsafe.Markup("<br>").join(_external(u) for u in value.split("\n") if u)
    if column == "Sites":
        names = paper_names(datasette, database)
        return ", ".join(names.get(s, s) for s in value.split(","))
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
    if not is_archive(datasette, database) or request is None:
        return {}
    common = {"paper_names": paper_names(datasette, database), "vn_sort_key": sort_key,
              "search_bound": vn_search.SEARCH_BOUND}
    if table != "articles":
        return common

    async def article_page():
        db = datasette.get_database(database)
        pks = urlsafe_components(request.url_vars["pks"])
        rows = await db.execute(
            """SELECT a.*, s.paper, s.former_province FROM articles a
               LEFT JOIN sites s ON s.name = a.site WHERE a.hash = ?""",
            pks[:1],
        )
        if not rows.rows:
            return common
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
        names = common["paper_names"]
        art.update(
            paragraphs=paragraphs,
            lead=lead,
            published_display=vn_datetime(art["published"]) if art.get("published") else None,
            url=http_url(art.get("url")),
            raw_url=art.get("url"),
            canonical_url=http_url(art.get("canonical_url")),
            sources=[dict(r, url=http_url(r["url"]), label=r["url"], paper=names.get(r["site"], r["site"]),
                          first_seen=vn_datetime(r["first_seen"]), last_seen=vn_datetime(r["last_seen"]))
                     for r in urls.rows],
            tag_list=tags if isinstance(tags, list) else [],
            site_url=datasette.urls.table(database, "articles") + "?" + urlencode({"site": art["site"]}),
        )
        return {**common, "article": art}

    async def table_page():
        search = request.args.get(VN_SEARCH) or request.args.get("_search")
        if not search:
            return common
        query = {"q": search}
        for key in ("site", "province"):
            if request.args.get(key):
                query[key] = request.args[key]
        return {**common, "ranked_search_url": datasette.urls.query(database, "search") + "?" + urlencode(query),
                "search_bound": vn_search.SEARCH_BOUND}

    if view_name == "row":
        return article_page
    if view_name == "table":
        return table_page
    return common
