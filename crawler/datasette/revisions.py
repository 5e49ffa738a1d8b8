"""Datasette plugin (entry point ``archive_revisions``): the revisions of edited articles and the differences between them.

- ``/<database>/-/revisions/<article>``: every revision of an article (when it was fetched, at
  which URL, its capture) with what changed from one to the next, paragraph by paragraph and
  word by word; ``?old=N&new=M`` compares any two (``.json`` for the same as data). Linked from
  the article page (``crawler/datasette/templates/row.html``, only when the article has more
  than its first revision) and from each row of the ``revisions`` table.
- SQL function ``text_diff(old, new)``: the same comparison as plain text (``-``/``+`` lines,
  ``crawler.store.revisions.text_diff``), for ad-hoc queries.

Revision 1 is the text first archived (the one ``articles.text`` shows); see
``crawler/store/revisions.py``.
"""

from __future__ import annotations

import difflib
import re

import markupsafe
from datasette import hookimpl
from datasette.utils import urlsafe_components
from datasette.utils.asgi import NotFound, Response

from crawler.datasette.vietnamese import vn_datetime
from crawler.store.revisions import paragraphs, text_diff


def _http(url):
    from crawler.datasette import http_url

    return http_url(url)

EXCERPT_CHARS = 240
_WORDS = re.compile(r"\S+\s*")  # a word with the space after it, so a run of changed words is one mark


def _text_diff(old, new):
    if not isinstance(old, str) or not isinstance(new, str):
        return None
    return text_diff(old, new)


@hookimpl
def prepare_connection(conn):
    conn.create_function("text_diff", 2, _text_diff, deterministic=True)


# -- rendering a diff ------------------------------------------------------------------------


def _words_html(old: str, new: str) -> tuple[markupsafe.Markup, markupsafe.Markup]:
    """The two versions of a paragraph with the words that differ marked."""
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    left, right = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        x, y = "".join(a[i1:i2]), "".join(b[j1:j2])
        if op == "equal":
            left.append(markupsafe.escape(x))
            right.append(markupsafe.escape(y))
            continue
        for words, out, tag in ((x, left, "del"), (y, right, "ins")):
            if words:
                core = words.rstrip()
                out.append(markupsafe.Markup(f"<{tag}>{{}}</{tag}>{{}}").format(core, words[len(core):]))
    return markupsafe.Markup("").join(left), markupsafe.Markup("").join(right)


def diff_rows(old: str | None, new: str | None) -> list[dict]:
    """Paragraph-level comparison: [{"op": "same"|"removed"|"added"|"changed", "old", "new"}]
    with HTML for each side; a replaced paragraph is shown word by word."""
    a, b = paragraphs(old), paragraphs(new)
    out: list[dict] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out += [{"op": "same", "old": markupsafe.escape(p), "new": markupsafe.escape(p)} for p in a[i1:i2]]
            continue
        removed, added = a[i1:i2], b[j1:j2]
        for k in range(max(len(removed), len(added))):
            if k < len(removed) and k < len(added):
                left, right = _words_html(removed[k], added[k])
                out.append({"op": "changed", "old": left, "new": right})
            elif k < len(removed):
                out.append({"op": "removed", "old": markupsafe.escape(removed[k]), "new": ""})
            else:
                out.append({"op": "added", "old": "", "new": markupsafe.escape(added[k])})
    return out


# -- the revisions page ----------------------------------------------------------------------


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


async def revisions_page(datasette, request):
    database = request.url_vars["database"]
    article = request.url_vars["article"]
    fmt = request.url_vars.get("format")
    try:
        db = datasette.get_database(database)
    except KeyError:
        raise NotFound(f"Database not found: {database}") from None
    has_table = await db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'revisions'")
    if not has_table.rows:
        raise NotFound("This archive has no revisions table")
    art = await db.execute("SELECT hash, title, url, site, published FROM articles WHERE hash = ?", [article])
    if not art.rows:
        raise NotFound(f"No article {article}")
    art = dict(art.rows[0])
    revs = [dict(r) for r in (await db.execute(
        "SELECT revision, hash, url, fetched_at, title, text, warc_file, warc_offset FROM revisions "
        "WHERE article = ? ORDER BY revision", [article])).rows]
    numbers = [r["revision"] for r in revs]
    new = _int(request.args.get("new")) or (numbers[-1] if numbers else None)
    old = _int(request.args.get("old")) or (new - 1 if new else None)
    by_number = {r["revision"]: r for r in revs}
    a, b = by_number.get(old), by_number.get(new)
    if fmt == "json":
        return Response.json({
            "article": art,
            "revisions": [{k: v for k, v in r.items()} for r in revs],
            "old": old, "new": new,
            "diff": text_diff(a["text"], b["text"]) if a and b else None,
        })
    base = datasette.urls.path(f"/{database}/-/revisions/{article}")
    for r in revs:
        r["safe_url"] = _http(r["url"])
        r["fetched_display"] = vn_datetime(r["fetched_at"])
        r["diff_url"] = f"{base}?old={r['revision'] - 1}&new={r['revision']}" if r["revision"] > 1 else None
        r["paragraph_count"] = len(paragraphs(r["text"]))
    context = {
        "database": database,
        "article": art,
        "article_url": datasette.urls.row(database, "articles", article),
        "revisions": revs,
        "old": a,
        "new": b,
        "diff": diff_rows(a["text"], b["text"]) if a and b else [],
        "title_changed": bool(a and b and a["title"] != b["title"]),
        "json_url": f"{base}.json" + (f"?old={old}&new={new}" if a and b else ""),
    }
    art["published_display"] = vn_datetime(art.get("published"))
    return Response.html(await datasette.render_template("archive-revisions.html", context, request=request))


@hookimpl
def register_routes():
    return [
        (r"^/(?P<database>[^/]+)/-/revisions/(?P<article>[0-9a-f]{16})(\.(?P<format>json))?$", revisions_page),
    ]


# -- tables and the article page -------------------------------------------------------------


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if table != "revisions":
        return None
    if column == "text" and isinstance(value, str):
        text = " ".join(value.split())
        return text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS].rsplit(" ", 1)[0] + " …"
    if column == "revision" and isinstance(value, int):
        try:
            article = row["article"]
        except (KeyError, IndexError, TypeError):
            return None
        if isinstance(article, dict):  # a foreign key cell: {"value", "label"}
            article = article.get("value")
        if not isinstance(article, str):
            return None
        href = datasette.urls.path(f"/{database}/-/revisions/{article}?new={value}")
        return markupsafe.Markup('<a href="{}">{}</a>').format(href, value)
    return None


@hookimpl
def extra_template_vars(template, database, table, view_name, request, datasette):
    if view_name != "row" or table != "articles" or request is None or database is None:
        return {}

    async def article_revisions():
        db = datasette.get_database(database)
        has_table = await db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'revisions'")
        if not has_table.rows:
            return {}
        pks = urlsafe_components(request.url_vars.get("pks", ""))
        article = pks[0] if pks else ""
        rows = await db.execute(
            "SELECT revision, fetched_at, url FROM revisions WHERE article = ? ORDER BY revision", [article])
        # Revision 1 alone is the text as first archived: nothing was changed.
        if len(rows.rows) < 2:
            return {}
        base = datasette.urls.path(f"/{database}/-/revisions/{article}")
        return {
            "revisions": [dict(r, fetched_display=vn_datetime(r["fetched_at"])) for r in rows.rows],
            "revisions_url": base,
        }

    return article_revisions
