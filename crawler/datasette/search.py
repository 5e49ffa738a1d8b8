"""Vietnamese search in Datasette: the SQL functions, the table search box, and match counts.

The query language itself (what a reader types → FTS5) is ``crawler.store.search``; this module
connects it to a served archive:

- ``register(conn, database)`` (called by the plugin's ``prepare_connection``) gives every
  connection ``vn_match(q)``, ``vn_phrase(q)``, ``vn_loose(q)``, ``vn_title(q)``, ``vn_rank(q)``,
  ``vn_window(q)``, ``vn_bound()``, ``vn_fold(s)``, ``vn_prefix_ok(q, title, text)`` and
  ``vn_lettered(q)``, used by the ranked search canned query (``archive.yml``, ``search``);
- the vocabulary: on an archive, ``vn_match``/``vn_phrase``/``vn_loose`` search only the
  spellings the index holds (``Vocabulary``): a folded ``dang`` stands for ``dang`` and
  ``đang``, and a spelling absent from the archive is dropped before FTS5 reads a posting list;
  a word with no spelling in the archive makes its phrase match nothing (as it would anyway),
  so a misspelt syllable beside a common one costs nothing instead of the common word's whole
  list. The matches are exactly those of the plain query language;
- ``filters_from_request``: the table search box (``?_search=`` on ``articles``, routed to
  ``_vn_search`` by ``route_table_search``), bounded to the newest ``SEARCH_BOUND`` matches;
- ``match_operands``: the MATCH operands of custom SQL, held to the query limits.

For other pages (trends)::

    count_matches(conn, query, *, group_by="month", budget_ms=1000) -> MatchCounts

counts the articles matching ``query`` (the reader's query language, same plan and same
matches as the search page, prefixes typed with a letter mark checked) per
``group_by``: ``"month"`` (``YYYY-MM`` of ``published``), ``"year"``, ``"site"``,
``"province"`` or ``None`` (one total under the key ``""``). Articles without a
publication date count under ``""`` for the date groupings. ``MatchCounts.counts`` is a dict
key → count; ``MatchCounts.complete`` is False when the time budget (a progress handler on
``conn``) cut the count, and then ``counts`` holds what was counted up to the cut (the newest
articles first) and ``MatchCounts.searched_down_to`` the lowest rowid reached. Raises
``QueryTooLong`` for a query beyond the limits.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from typing import NamedTuple
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.filters import FilterArguments

from crawler.store.search import NOTHING, QueryTooLong, check_query, fts_query, phrase_query, prefix_letters_match, query_terms
from crawler.text import fold

__all__ = ["register", "count_matches", "MatchCounts", "Vocabulary", "filters_from_request", "match_operands",
           "route_table_search", "search_window", "rank_query", "title_query", "SEARCH_BOUND", "VN_SEARCH"]

# The table search box lists, counts and facets at most this many matches, the most recently
# archived, and the search page ranks at most this many: a common word matches half the
# archive, and counting, faceting or scoring all of it would take seconds at a million
# articles (bench/search.py measures it).
SEARCH_BOUND = 1000
# A phrase of common words, or a prefix typed with a letter mark (nuô*), is checked article by
# article; such a query is looked for among the newest this many articles having all its words.
PHRASE_WINDOW = 20_000
LETTERS_WINDOW = 5_000

# The table search box's own parameter (see asgi_wrapper): Datasette's built-in ?_search=
# handling would match the whole archive first; ours is bounded.
VN_SEARCH = "_vn_search"


def _vn_fold(value):
    return fold(value) if isinstance(value, str) else value


def search_window(query) -> int:
    """How many of the newest articles having all the words a costly query is checked in;
    0 when the query is not costly that way (no phrase, no marked prefix)."""
    if not isinstance(query, str) or check_query(query):
        return 0
    if not prefix_letters_match(query):
        return LETTERS_WINDOW
    if fts_query(query, loose=True) != fts_query(query):
        return PHRASE_WINDOW
    return 0


# bm25() first counts, for each word of the query, every article in the archive that has it:
# ~50 ms for a word in most of a million articles, whatever is being ranked. Scoring uses the
# query's words found in at most this many articles (or this share of the archive); rank
# among the rest: articles with all the words in the title first, then the newest.
SCORE_MAX_DOCS = 20_000
SCORE_MAX_SHARE = 0.05
_DOC_FREQ: dict[tuple[str, str], tuple[int, float]] = {}
DOC_FREQ_SECONDS = 3600


def _doc_freq(conn, key: str, term: str) -> int:
    """Articles having ``term`` (an index spelling), cached for an hour per database file."""
    hit = _DOC_FREQ.get((key, term))
    if hit and time.monotonic() - hit[1] < DOC_FREQ_SECONDS:
        return hit[0]
    if term == "":  # the archive's size (rowids only grow; close enough, and instant)
        n = conn.execute("SELECT coalesce(max(rowid), 0) FROM articles").fetchone()[0]
    else:
        quoted = '"' + term.replace('"', '""') + '"'
        n = conn.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", [quoted]).fetchone()[0]
    if len(_DOC_FREQ) > 100_000:
        _DOC_FREQ.clear()
    _DOC_FREQ[(key, term)] = (n, time.monotonic())
    return n


def rank_query(conn, key: str, query) -> str:
    """The FTS5 query bm25() scores with: the wanted words that are not too common, OR-ed."""
    terms = query_terms(query if isinstance(query, str) else None)
    if not terms:
        return NOTHING
    total = _doc_freq(conn, key, "")
    limit = max(SCORE_MAX_DOCS, int(total * SCORE_MAX_SHARE))
    keep = [t for spellings in terms for t in spellings if _doc_freq(conn, key, t) <= limit]
    return " OR ".join('"' + t + '"' for t in dict.fromkeys(keep)) or NOTHING


def title_query(query) -> str:
    """The query's words all in the title (no exclusions, no prefixes: NOTHING then)."""
    if not isinstance(query, str) or "*" in query or check_query(query):
        return NOTHING
    loose = fts_query(query, loose=True)
    if loose == NOTHING or " NOT " in loose:
        return NOTHING
    return f"title : ({loose})"


def _vn_prefix_ok(query, title, text):
    return 1 if prefix_letters_match(query if isinstance(query, str) else None, title, text) else 0


def _vn_lettered(query):
    return 0 if prefix_letters_match(query if isinstance(query, str) else None) else 1


_MATCH_OPERAND = re.compile(r"(?is)\bmatch\s*(?:vn_match\s*\(\s*)?(?:'((?:[^']|'')*)'|:(\w+))")


def match_operands(sql: str, params: dict) -> list[str]:
    """The strings custom SQL hands to FTS5 ``MATCH`` (literals, or named parameters' values):
    held to the same limits as a typed search, since FTS5 runs them past the time limit too."""
    out = []
    for literal, name in _MATCH_OPERAND.findall(sql):
        out.append(literal.replace("''", "'") if not name else params.get(name, ""))
    return out


def route_table_search(datasette, scope, pairs):
    """``/<archive>/articles?_search=`` → our bounded ``_vn_search`` (see filters_from_request)."""
    if not any(k == "_search" for k, _ in pairs):
        return scope
    parts = scope.get("path", "").strip("/").split("/")
    if len(parts) != 2 or re.sub(r"\.(json|csv)$", "", parts[1]) != "articles":
        return scope
    from crawler.datasette import archives

    if parts[0] not in archives(datasette):
        return scope
    renamed = [(VN_SEARCH if k == "_search" else k, v) for k, v in pairs]
    return {**scope, "query_string": urlencode(renamed).encode("latin-1", "replace"),
            "vn_search_from": "_search"}


@hookimpl
def filters_from_request(request, database, table, datasette):
    from crawler.datasette import is_archive

    if table != "articles" or not is_archive(datasette, database):
        return None
    typed = request.args.get(VN_SEARCH)
    if typed is None:
        return None
    if not typed.strip():
        return FilterArguments([], extra_context={"supports_search": True, "search": ""})
    # The newest SEARCH_BOUND matches (FTS5 walks its rowids backwards and stops), checked for
    # letters when a prefix was typed with a mark.
    # A paper or province chosen in the facets narrows the matches before the bound, so that
    # its older matches are not crowded out by other papers' newer ones. (+rowid: a check on
    # each match, not a lookup per rowid of the paper.)
    narrow, params = "", {"vn_search": typed}
    for column in ("site", "province"):
        value = request.args.get(column) or request.args.get(f"{column}__exact")
        if value:
            narrow += f" and +rowid in (select rowid from articles where {column} = :vn_{column})"
            params[f"vn_{column}"] = value
    window = search_window(typed)
    if window:  # see PHRASE_WINDOW; the table template says so
        narrow += (" and rowid >= (select coalesce(min(rowid), 0) from (select rowid from articles_fts"
                   f" where articles_fts match vn_loose(:vn_search) order by rowid desc limit {window}))")
    bound = SEARCH_BOUND

    async def inner():
        # The matches are found once, here (under the SQL time limit like any query), and
        # handed to the page's row, count and facet queries as a list: otherwise each of those
        # five queries would run the full-text search again.
        db = datasette.get_database(database)
        found = await db.execute(
            "select rowid from articles_fts where articles_fts match vn_match(:vn_search)"
            f" and (vn_lettered(:vn_search) = 0 or vn_prefix_ok(:vn_search, title, text)){narrow}"
            f" order by rowid desc limit {bound}", params)
        ids = json.dumps([row[0] for row in found.rows])
        return FilterArguments(
            ["rowid in (select value from json_each(:vn_ids))"], {"vn_ids": ids},
            [f'tìm · search "{typed}"'],
            {"supports_search": True, "search": typed, "search_bound": bound, "search_window": window},
        )

    return inner




class Vocabulary:
    """Which index spellings the archive holds: a ``LIMIT 1`` look-up in the index per
    spelling (one b-tree descent, whatever the word's frequency). Only "present" is cached,
    for the life of the connection: a spelling never leaves an archive that keeps growing,
    while one absent now may arrive with the next crawl, so absence is asked again."""

    def __init__(self, conn):
        self.conn = conn
        self.present: set[str] = set()

    def __call__(self, term: str) -> bool:
        if term in self.present:
            return True
        quoted = '"' + term.replace('"', '""') + '"'
        try:
            hit = self.conn.execute("SELECT 1 FROM articles_fts WHERE articles_fts MATCH ? LIMIT 1",
                                    [quoted]).fetchone()
        except sqlite3.Error:  # no index, or one being rebuilt: assume it is there
            return True
        if hit:
            if len(self.present) > 100_000:
                self.present.clear()
            self.present.add(term)
        return bool(hit)


# Search only the spellings the archive holds (bench/search.py switches it off to measure
# the plain query language beside it).
USE_VOCABULARY = True


def register(conn, database: str, internal: bool = False) -> None:
    """The search SQL functions on ``conn`` (see the module docstring)."""
    exists = None
    if USE_VOCABULARY and not internal and conn.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'articles_fts' AND type = 'table'").fetchone():
        exists = Vocabulary(conn)

    def vn_match(value):
        return fts_query(value if isinstance(value, str) else None, exists=exists)

    def vn_phrase(value):
        return phrase_query(value if isinstance(value, str) else None, exists)

    def vn_loose(value):
        return fts_query(value if isinstance(value, str) else None, loose=True, exists=exists)

    conn.create_function("vn_fold", 1, _vn_fold, deterministic=True)
    # Deterministic within a statement (the vocabulary only grows between statements).
    conn.create_function("vn_match", 1, vn_match, deterministic=True)
    conn.create_function("vn_phrase", 1, vn_phrase, deterministic=True)
    conn.create_function("vn_prefix_ok", 3, _vn_prefix_ok, deterministic=True)
    conn.create_function("vn_lettered", 1, _vn_lettered, deterministic=True)
    conn.create_function("vn_loose", 1, vn_loose, deterministic=True)
    conn.create_function("vn_window", 1, search_window, deterministic=True)
    conn.create_function("vn_bound", 0, lambda: SEARCH_BOUND)
    conn.create_function("vn_title", 1, title_query, deterministic=True)
    if not internal:
        key = next((row[2] for row in conn.execute("PRAGMA database_list") if row[1] == "main"), "") or database
        conn.create_function("vn_rank", 1, lambda q: rank_query(conn, key, q))
    if exists is not None:
        conn.create_function("escape_fts", 1, vn_match, deterministic=True)


class MatchCounts(NamedTuple):
    counts: dict
    complete: bool
    searched_down_to: int | None


_GROUPS = {
    "month": "coalesce(substr(a.published, 1, 7), '')",
    "year": "coalesce(substr(a.published, 1, 4), '')",
    "site": "a.site",
    "province": "coalesce(a.province, '')",
    None: "''",
}


def count_matches(conn, query: str, *, group_by: str | None = "month", budget_ms: int | None = 1000) -> MatchCounts:
    """Articles matching ``query`` counted per ``group_by`` (see the module docstring)."""
    if group_by not in _GROUPS:
        raise ValueError(f"group_by: one of {sorted(k for k in _GROUPS if k)} or None, not {group_by!r}")
    problem = check_query(query)
    if problem:
        raise QueryTooLong(problem)
    exists = Vocabulary(conn)
    match = fts_query(query, exists=exists)
    counts: dict = {}
    if match == NOTHING:
        return MatchCounts(counts, True, None)
    lettered = not prefix_letters_match(query)
    sql = (f"SELECT f.rowid, {_GROUPS[group_by]}"
           + (", f.title, f.text" if lettered else "")
           + " FROM articles_fts f JOIN articles a ON a.rowid = f.rowid"
           " WHERE articles_fts MATCH ? ORDER BY f.rowid DESC")
    deadline = None if budget_ms is None else time.monotonic() + budget_ms / 1000
    cut = False

    def handler():
        nonlocal cut
        if deadline is not None and time.monotonic() > deadline:
            cut = True
            return 1
        return 0

    conn.set_progress_handler(handler, 1000)
    lowest = None
    try:
        for row in conn.execute(sql, [match]):
            lowest = row[0]
            if lettered and not prefix_letters_match(query, row[2], row[3]):
                continue
            counts[row[1]] = counts.get(row[1], 0) + 1
    except sqlite3.OperationalError:
        if not cut:
            raise
    finally:
        conn.set_progress_handler(None, 0)
    return MatchCounts(counts, not cut, lowest if cut else None)
