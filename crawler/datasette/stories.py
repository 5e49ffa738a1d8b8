"""Datasette plugin part for stories (``crawler/stories/``): installed by the entry point
``vn_stories`` (pyproject.toml), so a plain ``datasette archive.db`` has it.

- ``/<database>/-/story/<id>``: a story's members by publication time, with paper, province,
  kind (copy / rewrite) and similarity; the earliest is marked as the source. Two members can
  be picked for comparison. ``.json`` gives the same as data.
- ``/<database>/-/compare?a=<hash>&b=<hash>``: two members side by side, paragraph by
  paragraph, the words they share marked.
- Canned queries ``stories_by_provinces`` (the stories carried by the most provinces in a date
  range) and ``republished`` (what paper X republished from others).
- The article page links to the article's story: ``extra_template_vars`` gives its template
  ``story`` (id, url, members, papers), and ``extra_body_script`` adds the link when the
  template does not show it itself.

Templates: ``crawler/datasette/templates/story.html`` and ``compare.html`` (package data),
rendered from this package's folder so they work whichever other plugin parts are installed.
"""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path
from urllib.parse import urlencode

import markupsafe
from datasette import hookimpl
from datasette.utils import urlsafe_components
from datasette.utils.asgi import NotFound, Response

TEMPLATES = Path(__file__).resolve().parent / "templates"
_WORDS = re.compile(r"\S+\s*")

STORY_SQL = """
SELECT m.article, m.kind, m.copy_of, m.similarity, m.earliest,
       a.title, a.site, a.province, a.published, a.fetched_at, a.url,
       (SELECT paper FROM sites WHERE name = a.site) AS paper
FROM story_members m JOIN articles a ON a.hash = m.article
WHERE m.story = ?
ORDER BY coalesce(a.published, a.fetched_at), a.hash
"""

CANNED = {
    "stories_by_provinces": {
        "title": "Tin được nhiều tỉnh đăng nhất · Stories carried by the most provinces",
        "description": "Stories first published between two dates (YYYY-MM-DD), by the number of provinces "
                       "whose papers carried them, then papers.",
        "sql": """SELECT s.id AS Story, s.title AS Title, s.first_published AS "First published",
       s.provinces AS Provinces, s.papers AS Papers, s.members AS Members,
       (SELECT a.site FROM articles a WHERE a.hash = s.source) AS "Source paper"
FROM stories s
WHERE s.first_published >= :from AND s.first_published < date(:to, '+1 day')
ORDER BY s.provinces DESC, s.papers DESC, s.members DESC, s.first_published
LIMIT 200""",
    },
    "republished": {
        "title": "Báo đăng lại · What a paper republished from others",
        "description": "Articles of one paper (its spider name, e.g. baocamau) that copy or rewrite a report "
                       "another paper published first.",
        "sql": """SELECT a.published AS Published, a.hash AS Article, a.title AS Title, m.kind AS Kind,
       round(m.similarity, 2) AS Similarity, src.site AS "From paper", src.published AS "Their date",
       src.hash AS "From article", m.story AS Story
FROM story_members m
JOIN articles a ON a.hash = m.article
JOIN stories s ON s.id = m.story
JOIN articles src ON src.hash = coalesce(m.copy_of, s.source)
WHERE a.site = :site AND m.earliest = 0 AND src.site != :site
ORDER BY a.published DESC
LIMIT 500""",
    },
}


async def _has_stories(datasette, database: str) -> bool:
    db = datasette.get_database(database)
    return await db.table_exists("story_members")


@hookimpl
def canned_queries(datasette, database):
    async def inner():
        if not await _has_stories(datasette, database):
            return {}
        return CANNED
    return inner


def story_url(datasette, database: str, story: int) -> str:
    return datasette.urls.database(database) + f"/-/story/{story}"


def compare_url(datasette, database: str, a: str, b: str) -> str:
    return datasette.urls.database(database) + "/-/compare?" + urlencode({"a": a, "b": b})


async def _render(datasette, name: str, context: dict, request) -> Response:
    template = datasette.jinja_env.from_string((TEMPLATES / name).read_text(encoding="utf-8"))
    return Response.html(await datasette.render_template(template, context, request=request))


async def story_page(datasette, request):
    database = request.url_vars["database"]
    try:
        db = datasette.get_database(database)
    except KeyError:
        raise NotFound("Database not found") from None
    if not await _has_stories(datasette, database):
        raise NotFound("This database has no stories")
    story_id = int(request.url_vars["id"])
    story = (await db.execute("SELECT * FROM stories WHERE id = ?", [story_id])).first()
    if story is None:
        raise NotFound(f"No story {story_id}")
    members = [dict(r) for r in (await db.execute(STORY_SQL, [story_id])).rows]
    source = next((m for m in members if m["earliest"]), members[0] if members else None)
    by_hash = {m["article"]: m for m in members}
    for m in members:
        m["article_url"] = datasette.urls.row(database, "articles", m["article"])
        head = by_hash.get(m["copy_of"]) if m["copy_of"] else None
        if head and head is not source:  # a copy of the source needs no pointer: it is marked
            m["copy_of_title"] = f"{head['paper'] or head['site']}, {head['published'] or head['fetched_at']}"
            m["copy_of_url"] = head["article_url"] if "article_url" in head else \
                datasette.urls.row(database, "articles", head["article"])
        m["compare_url"] = compare_url(datasette, database, source["article"], m["article"]) \
            if source and m["article"] != source["article"] else None
    if request.url_vars.get("format") == "json":
        return Response.json({"story": dict(story), "members": members}, default=str)
    context = {"database": database, "story": dict(story), "members": members, "source": source,
               "compare_base": datasette.urls.database(database) + "/-/compare",
               "json_url": story_url(datasette, database, story_id) + ".json"}
    return await _render(datasette, "story.html", context, request)


def shared_words(a: str, b: str) -> tuple[list[markupsafe.Markup], list[markupsafe.Markup]]:
    """Both texts as paragraphs of HTML, the runs of words they share (3 or more) marked."""
    pa = [p.strip() for p in a.split("\n") if p.strip()]
    pb = [p.strip() for p in b.split("\n") if p.strip()]
    wa = [(i, w) for i, p in enumerate(pa) for w in _WORDS.findall(p + " ")]
    wb = [(i, w) for i, p in enumerate(pb) for w in _WORDS.findall(p + " ")]
    mark_a, mark_b = [False] * len(wa), [False] * len(wb)
    key = lambda w: w.strip().lower().strip(".,;:!?\"'“”()")  # noqa: E731
    matcher = difflib.SequenceMatcher(None, [key(w) for _, w in wa], [key(w) for _, w in wb], autojunk=False)
    for block in matcher.get_matching_blocks():
        if block.size >= 3:
            mark_a[block.a:block.a + block.size] = [True] * block.size
            mark_b[block.b:block.b + block.size] = [True] * block.size

    def html(words, marks, count):
        # One <mark> per run of shared words within a paragraph.
        runs: list[list[tuple[bool, str]]] = [[] for _ in range(count)]
        for (i, w), on in zip(words, marks):
            if runs[i] and runs[i][-1][0] == on:
                runs[i][-1] = (on, runs[i][-1][1] + w)
            else:
                runs[i].append((on, w))
        out = []
        for para in runs:
            parts = []
            for on, text in para:
                core = text.rstrip()
                parts.append(markupsafe.Markup("<mark>{}</mark>{}").format(core, text[len(core):]) if on
                             else markupsafe.escape(text))
            out.append(markupsafe.Markup("").join(parts).rstrip())
        return out

    return html(wa, mark_a, len(pa)), html(wb, mark_b, len(pb))


async def compare_page(datasette, request):
    database = request.url_vars["database"]
    try:
        db = datasette.get_database(database)
    except KeyError:
        raise NotFound("Database not found") from None
    a, b = request.args.get("a"), request.args.get("b")
    if not a or not b:
        raise NotFound("Give two articles: ?a=<hash>&b=<hash>")
    sql = """SELECT a.hash, a.title, a.text, a.site, a.province, a.published, a.fetched_at, a.url,
                    m.story, m.kind, m.copy_of, m.similarity, m.earliest,
                    (SELECT paper FROM sites WHERE name = a.site) AS paper
             FROM articles a LEFT JOIN story_members m ON m.article = a.hash WHERE a.hash = ?"""
    sides = []
    for h in (a, b):
        row = (await db.execute(sql, [h])).first()
        if row is None:
            raise NotFound(f"No article {h}")
        side = dict(row)
        side["article_url"] = datasette.urls.row(database, "articles", side["hash"])
        sides.append(side)
    left, right = shared_words(sides[0]["text"] or "", sides[1]["text"] or "")
    sides[0]["paragraphs"], sides[1]["paragraphs"] = left, right
    story = sides[0]["story"] if sides[0]["story"] == sides[1]["story"] else None
    context = {"database": database, "left": sides[0], "right": sides[1], "story": story,
               "story_url": story_url(datasette, database, story) if story else None,
               "swap_url": compare_url(datasette, database, b, a)}
    return await _render(datasette, "compare.html", context, request)


@hookimpl
def register_routes():
    return [
        (r"^/(?P<database>[^/]+)/-/story/(?P<id>\d+)(\.(?P<format>json))?$", story_page),
        (r"^/(?P<database>[^/]+)/-/compare$", compare_page),
    ]


@hookimpl
def render_cell(value, column, table, database, datasette):
    # Canned queries name the story column "Story": a link to its page.
    if column == "Story" and table is None and isinstance(value, int) and database:
        return markupsafe.Markup('<a href="{}">{}</a>').format(story_url(datasette, database, value), value)
    if (column, table) in (("story", "story_members"), ("id", "stories")) and isinstance(value, int):
        return markupsafe.Markup('<a href="{}">{}</a>').format(story_url(datasette, database, value), value)
    return None


async def _story_of(datasette, database: str, request) -> dict | None:
    if not await _has_stories(datasette, database):
        return None
    pks = urlsafe_components(request.url_vars["pks"])
    db = datasette.get_database(database)
    row = (await db.execute(
        """SELECT s.id, s.members, s.papers, s.provinces, m.kind, m.earliest FROM story_members m
           JOIN stories s ON s.id = m.story WHERE m.article = ?""", pks[:1])).first()
    if row is None:
        return None
    story = dict(row)
    story["url"] = story_url(datasette, database, story["id"])
    return story


@hookimpl
def extra_template_vars(database, table, view_name, request, datasette):
    if view_name != "row" or table != "articles" or request is None or database is None:
        return {}

    async def inner():
        story = await _story_of(datasette, database, request)
        return {"story": story} if story else {}
    return inner


@hookimpl
def extra_body_script(database, table, view_name, request, datasette):
    if view_name != "row" or table != "articles" or request is None or database is None:
        return None

    async def inner():
        story = await _story_of(datasette, database, request)
        if not story:
            return None
        label = ("Nguồn gốc của tin này" if story["earliest"] else
                 "Bản sao" if story["kind"] == "copy" else "Cùng một tin") + \
            f" · Story: {story['members']} bài, {story['papers']} báo, {story['provinces']} tỉnh"
        # The article template may render ``story`` itself (id vn-story-link); otherwise the
        # link goes at the top of the page's content.
        return ("(function(){if(document.getElementById('vn-story-link'))return;"
                "var p=document.createElement('p');p.id='vn-story-link';p.className='story-link';"
                "var a=document.createElement('a');a.href=" + json.dumps(story["url"]) + ";"
                "a.textContent=" + json.dumps(label) + ";p.appendChild(a);"
                "var c=document.querySelector('.content')||document.body;"
                "var h=c.querySelector('h1');if(h&&h.nextSibling){c.insertBefore(p,h.nextSibling);}"
                "else{c.insertBefore(p,c.firstChild);}})();")
    return inner
