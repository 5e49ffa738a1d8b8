"""How a cell of the archive reads (``render_cell``): dates as ``dd/mm/yyyy HH:MM`` in +07:00,
newspapers by name, crawl statistics as a table, article text as an excerpt, tags as links; in
query results the ``Article``/``Title`` columns link to the article, ``Snippet`` is highlighted,
``URLs`` is one link per line. Only http(s) URLs from the archive are made into links.

Nothing here touches SQLite: newspaper names come from ``crawler.datasette.papers``.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

import markupsafe
from datasette import hookimpl

from crawler.datasette.papers import paper_names
from crawler.datasette.serving import is_archive
from crawler.datasette.vietnamese import looks_like_timestamp, reason_words, vn_datetime

# snippet() markers: control characters that never occur in stored (cleaned) text, turned
# into <mark> after the whole snippet has been HTML-escaped.
MARK_START, MARK_END = "\x02", "\x03"
EXCERPT_CHARS = 240
_URL_COLUMNS = {"url", "canonical_url", "Source", "Example URL"}
_SITE_COLUMNS = {"site", "Site", "name"}
_REASON_COLUMNS = {"finish_reason", "Finish reason", "reason", "Reason"}


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def highlight(snippet: str) -> markupsafe.Markup:
    escaped = str(markupsafe.escape(snippet))
    return markupsafe.Markup(escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


def http_url(url) -> str | None:
    """``url`` if it is an http(s) URL (safe to put in an href), else None."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    return url if re.match(r"(?i)^https?://[^\s]", url) and not re.search(r"[\x00-\x1f]", url) else None


def link(href: str, text: str, css: str = "") -> markupsafe.Markup:
    cls = f' class="{css}"' if css else ""
    return markupsafe.Markup('<a href="{}"{}>{}</a>').format(href, markupsafe.Markup(cls), text)


def external(url: str) -> markupsafe.Markup:
    safe = http_url(url)
    if not safe:
        return markupsafe.escape(url)
    return markupsafe.Markup('<a href="{}" rel="noopener noreferrer nofollow">{}</a>').format(safe, url)


def time_tag(iso: str) -> markupsafe.Markup:
    return markupsafe.Markup('<time datetime="{}">{}</time>').format(iso, vn_datetime(iso))


def _row_value(row, key):
    try:
        return row[key]
    except (KeyError, IndexError, TypeError):
        return None


def stats_table(value: str):
    """Scrapy's stats JSON as a table, one statistic per line (sorted, so ``downloader/…``,
    ``archive/…`` stay together), numbers with Vietnamese digit grouping, dates in +07:00; None if
    not a JSON object."""
    try:
        stats = json.loads(value)
    except (TypeError, ValueError):
        return None
    if not isinstance(stats, dict):
        return None
    rows = []
    for key in sorted(stats):
        v = stats[key]
        if looks_like_timestamp(v):
            shown = vn_datetime(v)
        elif isinstance(v, int) and not isinstance(v, bool):
            shown = f"{v:,}".replace(",", ".")
        elif isinstance(v, float):
            shown = f"{v:.2f}".replace(".", ",")
        else:
            shown = v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
        rows.append(markupsafe.Markup('<tr><th scope="row">{}</th><td>{}</td></tr>').format(key, shown))
    return markupsafe.Markup(
        '<table class="crawl-stats"><thead><tr><th scope="col">Chỉ số · Statistic</th>'
        '<th scope="col">Giá trị · Value</th></tr></thead><tbody>{}</tbody></table>'
    ).format(markupsafe.Markup("").join(rows))


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
    links = [link(f"{base}?{urlencode({'tags__arraycontains': t})}", str(t)) for t in tags]
    return markupsafe.Markup(", ").join(links)


def _article_path(datasette, database: str, content_hash: str) -> str:
    return datasette.urls.row(database, "articles", content_hash)


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if not is_archive(datasette, database):
        return None
    if column == "Run" and table is None and isinstance(value, int):
        return link(datasette.urls.row(database, "crawls", str(value)), str(value))
    if value is None or not isinstance(value, str):
        return None
    if looks_like_timestamp(value):
        return time_tag(value)
    if column in _SITE_COLUMNS and (table in (None, "articles", "urls", "rejects", "crawls") or
                                    (table == "sites" and column == "name")):
        paper = paper_names(datasette, database).get(value)
        if paper and table != "sites":
            return markupsafe.Markup('<span class="paper" title="{}">{}</span>').format(value, paper)
        return None
    if column in _URL_COLUMNS:
        return external(value)
    if column in _REASON_COLUMNS and (words := reason_words(value)):
        return words
    if table == "articles":
        if column == "text":
            return excerpt(value)
        if column == "tags":
            return _tag_links(datasette, database, value)
        if column == "published_month" and re.fullmatch(r"\d{4}-\d{2}", value):
            return f"{value[5:]}/{value[:4]}"  # as the facets show it, mm/yyyy
        return None
    if table == "crawls" and column == "stats":
        return stats_table(value)
    if table == "sites" and column == "domains":
        return _json_list(value)
    if table is not None:
        return None
    # Query results (canned or not): conventions on column names.
    if column in ("hash", "Article") and len(value) == 16:
        return link(_article_path(datasette, database, value), value)
    if column == "Title":
        content_hash = _row_value(row, "hash") or _row_value(row, "Article")
        if content_hash:
            return link(_article_path(datasette, database, content_hash), value, "article-link")
        return None
    if column == "Snippet":
        return highlight(value)
    if column == "URLs":
        return markupsafe.Markup("<br>").join(external(u) for u in value.split("\n") if u)
    if column == "Sites":
        names = paper_names(datasette, database)
        return ", ".join(names.get(s, s) for s in value.split(","))
    return None

