"""The search plan (crawler/datasette/search.py) on a seeded archive: only the spellings the
archive holds are searched and the hits stay exactly those of the query language; a pasted
headline is answered; ``count_matches`` (for trends) agrees with an exact SQL count."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from urllib.parse import urlencode

import pytest

from bench.search import build
from crawler.datasette.search import Vocabulary, count_matches
from crawler.store.search import NOTHING, QueryTooLong, fts_query, prefix_letters_match

HEADLINE = ("Đại hội đại biểu Đảng bộ tỉnh Cà Mau lần thứ XVII nhiệm kỳ 2025 2030 "
            "thành công tốt đẹp với nhiều dấu ấn mới trong phát triển kinh tế")
HEADLINE_FOLDED = ("Dai hoi dai bieu Dang bo tinh Ca Mau lan thu XVII nhiem ky 2025 2030 "
                   "thanh cong tot dep voi nhieu dau an moi trong phat trien kinh te")

QUERIES = [
    "của", "cua", "dai hoi dang", "Đại hội Đảng", '"phát triển kinh tế"', '"dai hoi dang"',
    "deonh phu troech cua", "bom cac duoc giaon", "tỉnh ủy", "tinh uy", "nông OR ngư",
    "kinh tế -covid", "hoa*", "nuô*", "đa*", "title:đảng", 'title:"đại hội"', "dân NOT đảng",
    '"là các tỉnh"', "zzzqqq", "dang OR zzzqqq", '"cà mau" -"bạc liêu"', HEADLINE, HEADLINE_FOLDED,
]


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    path = tmp_path_factory.mktemp("plan") / "archive.db"
    build(path, 3000, log=lambda *a, **k: None)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(
            "INSERT INTO articles (hash, url, site, title, text, published, language, tags, fetched_at)"
            " VALUES ('00headline00000a', 'https://baocamau.vn/dai-hoi-a1.html', 'baocamau', ?, ?,"
            " '2025-09-20T08:00:00+07:00', 'vi', '[]', '2025-09-20T02:00:00+00:00')",
            [HEADLINE, "Sáng 20/9, đại hội bế mạc. " * 20])
    conn.close()
    return path


def _hits(conn, match: str) -> list[int]:
    return [r[0] for r in conn.execute(
        "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? ORDER BY rowid", [match])]


@pytest.mark.parametrize("query", QUERIES)
def test_only_existing_spellings_same_hits(archive, query):
    conn = sqlite3.connect(archive)
    vocab = Vocabulary(conn)
    plain, planned = fts_query(query), fts_query(query, exists=vocab)
    assert _hits(conn, planned) == _hits(conn, plain)
    assert _hits(conn, fts_query(query, loose=True, exists=vocab)) == _hits(conn, fts_query(query, loose=True))


def test_absent_word_costs_no_list(archive):
    conn = sqlite3.connect(archive)
    vocab = Vocabulary(conn)
    # Misspelt syllables that no article holds: the query is NOTHING before FTS5 reads "cua".
    assert fts_query("deonhzq phu troechzq cua", exists=vocab) == NOTHING
    assert fts_query("zzzqqq", exists=vocab) == NOTHING
    # Only the d/đ spellings present are kept: "dang" in the synthetic corpus is always "đảng"/"đang".
    kept = fts_query("dang", exists=vocab)
    assert kept.count('"') <= 4 and _hits(conn, kept)


def test_count_matches_equals_exact_sql_count(archive):
    conn = sqlite3.connect(archive)
    for query in ['"phát triển kinh tế"', '"dai hoi dang"', "tinh uy", "của", "nuô*", '"cà mau"']:
        result = count_matches(conn, query, group_by="month", budget_ms=None)
        assert result.complete
        rows = conn.execute(
            "SELECT substr(a.published, 1, 7), a.rowid, a.title, a.text FROM articles_fts f"
            " JOIN articles a ON a.rowid = f.rowid WHERE articles_fts MATCH ?", [fts_query(query)]).fetchall()
        exact: dict = {}
        for month, _, title, text in rows:
            if prefix_letters_match(query, title, text):
                exact[month] = exact.get(month, 0) + 1
        assert result.counts == exact, query
        total = count_matches(conn, query, group_by=None, budget_ms=None)
        assert total.counts.get("", 0) == sum(exact.values())


def test_count_matches_budget_says_it_was_cut(archive):
    conn = sqlite3.connect(archive)
    result = count_matches(conn, "của", group_by="month", budget_ms=0)
    assert not result.complete and result.searched_down_to is not None
    with pytest.raises(QueryTooLong):
        count_matches(conn, "x " * 3000)
    with pytest.raises(ValueError):
        count_matches(conn, "của", group_by="week")


@pytest.fixture(scope="module")
def client(archive):
    from datasette.app import Datasette

    ds = Datasette([str(archive)])
    loop = asyncio.new_event_loop()
    loop.run_until_complete(ds.invoke_startup())

    def get(path, **params):
        return loop.run_until_complete(ds.client.get(path + "?" + urlencode(params)))

    yield get
    loop.close()


@pytest.mark.parametrize("headline", [HEADLINE, HEADLINE_FOLDED])
def test_pasted_headline_is_answered(client, headline):
    assert len(headline.split()) > 20
    response = client("/archive/search.json", q=headline, _shape="objects")
    assert response.status_code == 200, response.text[:300]
    rows = response.json()["rows"]
    assert rows and rows[0]["Article"] == "00headline00000a"
    table = client("/archive/articles.json", _search=headline, _shape="objects")
    assert table.status_code == 200 and [r["hash"] for r in table.json()["rows"]] == ["00headline00000a"]


def test_misspelt_beside_common_word_answers_nothing_quickly(client):
    started = time.monotonic()
    response = client("/archive/search.json", q="deonhzq phu troechzq cua", _shape="objects")
    assert response.status_code == 200 and response.json()["rows"] == []
    assert time.monotonic() - started < 5


def test_long_paste_still_refused(client):
    response = client("/archive/search", q="đại hội " * 700)
    assert response.status_code == 400 and "Query too long" in response.text
