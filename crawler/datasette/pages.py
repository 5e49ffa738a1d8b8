"""What the archive's pages get beyond Datasette's own context (``extra_template_vars``) and
the template filters they use (``prepare_jinja2_environment``).

- Every page of an archive: ``paper_names``, ``vn_sort_key``, ``search_bound``.
- The article page (``templates/row.html``): the article with its lead, paragraphs, every URL
  it was seen at, its tags, dates in +07:00.
- The articles table under a search: a link to the same search ranked by relevance.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.utils import urlsafe_components

from crawler.datasette import localize
from crawler.datasette import search as vn_search
from crawler.datasette.papers import paper_names
from crawler.datasette.rendering import http_url
from crawler.datasette.search import VN_SEARCH
from crawler.datasette.serving import is_archive
from crawler.datasette.vietnamese import label, reason_words, sort_key, vn_datetime


@hookimpl
def prepare_jinja2_environment(env, datasette):
    env.filters["vn_label"] = label
    env.filters["vn_datetime"] = vn_datetime
    localize.install(env)


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


@hookimpl
def extra_template_vars(template, database, table, columns, view_name, request, datasette):
    if not is_archive(datasette, database) or request is None:
        return {}
    common = {"paper_names": paper_names(datasette, database), "vn_sort_key": sort_key, "vn_reason": reason_words,
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
