"""Datasette: metadata, canned queries, Vietnamese search, the article page, safety.

The archive is a real SQLite file built through ``Archive.store`` and ``sync_sites``. Most
tests drive Datasette in-process exactly as ``datasette FILE`` builds it (no flags: everything
comes from the installed plugin, ``crawler/datasette``); ``test_plain_datasette_command_*``
start the real ``datasette`` command in a subprocess with nothing but the file, named
something other than ``archive.db``.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import unicodedata
from pathlib import Path
from urllib.parse import urlencode

import pytest

from crawler.items import ArticleRecord, RejectRecord
from crawler.store.archive import Archive
from crawler.store.search import NOTHING, fts_query
from crawler.jobs.sitesync import sync_sites
from crawler.text import clean, content_hash

ROOT = Path(__file__).resolve().parent.parent
FETCHED = "2025-10-01T03:00:00+00:00"


class Site:
    def __init__(self, name, paper, province, former_province=None):
        self.name, self.paper, self.province, self.former_province = name, paper, province, former_province
        self.domains = (f"{name}.vn",)


SITES = [
    Site("baocamau", "Báo Cà Mau", "Cà Mau"),
    Site("baobaclieu", "Báo Bạc Liêu", "Cà Mau", "Bạc Liêu"),
    Site("baocantho", "Báo Cần Thơ", "Cần Thơ"),
]

# key: (site, published, title, text, extra URLs (site, url))
ARTICLES = {
    "daihoi": (
        "baocamau", "2025-09-20T08:00:00+07:00",
        "Khai mạc Đại hội Đảng bộ tỉnh Cà Mau lần thứ I",
        "Sáng 20/9, Đại hội Đảng bộ tỉnh Cà Mau lần thứ I, nhiệm kỳ 2025 – 2030 khai mạc.\n"
        "Ban Thường vụ Tỉnh uỷ đã chuẩn bị chu đáo văn kiện.\n"
        "Các đại biểu thảo luận phương hướng phát triển.",
        [("baobaclieu", "http://baobaclieu.vn/khai-mac-dai-hoi-a11.html")],
    ),
    "vien": (
        "baocamau", "2025-08-15T09:30:00+07:00",
        "Đảng viên trẻ tham gia đại hội chi bộ",
        "Nhiều đảng viên trẻ được bầu vào cấp ủy tại đại hội chi bộ ấp.\n"
        "Phong trào thanh niên tiếp tục được chú trọng.",
        [],
    ),
    "kehoach": (
        "baocantho", "2025-12-05T07:00:00+07:00",
        "Kế hoạch phát triển kinh tế năm 2026",
        "Thành phố ban hành kế hoạch phát triển kinh tế năm 2026 với nhiều chỉ tiêu.\n"
        "Nông dân được hỗ trợ giống lúa chất lượng cao.",
        [],
    ),
    "tinhuy": (
        "baobaclieu", "2025-06-10T10:00:00+07:00",
        "Tỉnh ủy Bạc Liêu họp phiên cuối",
        "Tỉnh ủy Bạc Liêu tổ chức hội nghị tổng kết trước khi hợp nhất.\n"
        "Hội nghị đang diễn ra trong không khí trang trọng.",
        [],
    ),
    "lua": (
        "baocantho", "2024-11-01T06:00:00+07:00",
        "Mùa lúa mới, lúa trúng giá",
        "Vụ lúa thu đông năm nay nông dân thu hoạch lúa đạt năng suất cao, lúa bán được giá.",
        [],
    ),
    "html": (
        "baocantho", "2024-10-01",
        "Bài có ký tự <b>lạ</b>",
        "Văn bản có thẻ <script>alert('xss')</script> và dấu & ngoặc < > trong bài về thủy lợi.",
        [],
    ),
}


def article_url(key: str) -> str:
    site = ARTICLES[key][0]
    return f"https://{site}.vn/{key}-a{abs(hash(key)) % 1000}.html"


def build_archive(path: Path, *, url_for=article_url) -> dict[str, str]:
    """Write the test archive at ``path``; return {key: article hash}."""
    ids = {}
    with Archive(path) as archive:
        sync_sites(archive, SITES)
        crawl = archive.start_crawl("baocamau", {"since": "2025-01-01"})
        records = []
        for key, (site, published, title, text, extra) in ARTICLES.items():
            text = clean(text)
            ids[key] = content_hash(text)
            records.append(ArticleRecord(hash=ids[key], urls=[url_for(key)], site=site, fetched_at=FETCHED, article={"title": title, "text": text, "published": published, "author": "Phóng viên",
                            "description": text.split("\n")[0], "language": "vi",
                            "tags": ["Đảng", "Cà Mau"] if key == "daihoi" else [],
                            "canonical_url": url_for(key)}))
            for other_site, url in extra:  # the same text seen on another paper: an alias URL
                records.append(ArticleRecord(hash=ids[key], urls=[url], site=other_site, fetched_at="2025-10-02T03:00:00+00:00", article=None))
        records += [
            RejectRecord(url=f"https://baocamau.vn/gone-{i}.html", site="baocamau", reason="http-404", detail=None, status=404, fetched_at=FETCHED)
            for i in range(3)
        ] + [RejectRecord(url="https://baocamau.vn/slow.html", site="baocamau", reason="timeout", detail="30 s", status=None, fetched_at=FETCHED)]
        archive.store(records)
        archive.finish_crawl(crawl, finish_reason="finished",
                             figures={"requests": 12, "new_articles": len(ARTICLES), "duplicates": 1,
                                      "rejects": 4, "errors": 0},
                             stats={"downloader/request_count": 12})
    return ids


def make_datasette(db_path: Path):
    """Datasette as ``datasette FILE`` makes it: the installed plugin, no flags."""
    from datasette.app import Datasette

    return Datasette([str(db_path)])


class Client:
    """Synchronous wrapper around ``datasette.client`` on one event loop for the module."""

    def __init__(self, ds):
        self.ds = ds
        self.loop = asyncio.new_event_loop()
        self.run(ds.invoke_startup())

    def run(self, coro):
        return self.loop.run_until_complete(coro)

    def get(self, path: str, **params):
        if params:
            path += ("&" if "?" in path else "?") + urlencode(params)
        return self.run(self.ds.client.get(path))

    def json(self, path: str, **params):
        response = self.get(path, **params)
        assert response.status_code == 200, (path, params, response.text[:500])
        return response.json()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    path = tmp_path_factory.mktemp("datasette") / "archive.db"
    return path, build_archive(path)


@pytest.fixture(scope="module")
def ids(built):
    return built[1]


@pytest.fixture(scope="module")
def client(built):
    c = Client(make_datasette(built[0]))
    yield c
    c.loop.close()


def search(client, q, **filters) -> list[str]:
    """Article ids from the ranked search page, in rank order."""
    params = {"site": "", "province": "", "since": "", "until": "", **filters, "q": q, "_shape": "array"}
    return [row["Article"] for row in client.json("/archive/search.json", **params)]


def table_search(client, q, **filters) -> set[str]:
    rows = client.json("/archive/articles.json", _search=q, _shape="array", _col="title", **filters)
    return {row["hash"] for row in rows}


# --- the query language ----------------------------------------------------------------------


@pytest.mark.parametrize("typed", [
    "Đại hội Đảng", "dai hoi dang", "DAI HOI DANG", "Ðại hội Ðảng",  # Ð: U+00D0, Latin Eth
    unicodedata.normalize("NFD", "Đại hội Đảng"), "  đại   hội\u00a0đảng ",
])
def test_fts_query_folds_every_way_of_typing(typed):
    assert fts_query(typed) == '("dai" OR "đai") AND "hoi" AND ("dang" OR "đang")'


@pytest.mark.parametrize("typed", [
    "", "   ", '"', '""', "((", "OR", "NOT", "-", "*", "a OR", "OR OR b", "title:", "NEAR(a b, 3)",
    "x AND", "a:b:c", "^start", '"unbalanced', "-only -negative", "AND OR NOT", "{title}: x",
    "c++ && || !", "\u0000\u0002", "hoa* OR \"đại hội\" -xyz title:đảng",
])
def test_fts_query_never_raises_a_syntax_error(typed):
    con = sqlite3.connect(":memory:")
    con.execute("CREATE VIRTUAL TABLE t USING fts5(title, text, tokenize='unicode61 remove_diacritics 2')")
    con.execute("INSERT INTO t VALUES ('Đại hội Đảng', 'hoa hoạch xyz')")
    con.execute("SELECT count(*) FROM t WHERE t MATCH ?", [fts_query(typed)]).fetchone()


def test_fts_query_empty_matches_nothing():
    assert fts_query("") == fts_query("-x") == NOTHING


# --- metadata, pages, canned queries ---------------------------------------------------------


def test_metadata_loads_with_titles(client):
    meta = client.json("/-/metadata.json")
    tables = meta["databases"]["archive"]["tables"]
    assert {"articles", "urls", "rejects", "crawls", "sites"} <= set(tables)
    assert all(tables[t].get("title") and tables[t].get("description") for t in ("articles", "urls", "rejects", "crawls"))
    home = client.get("/archive")
    assert home.status_code == 200
    assert "Kho bài báo" in home.text and 'href="/archive/search">Tìm kiếm' in home.text


def test_articles_table_newest_first_with_facets(client, ids):
    data = client.json("/archive/articles.json", _col="published")
    published = [row[1] for row in data["rows"]]
    assert published == sorted(published, reverse=True)
    assert data["rows"][0][0] == ids["kehoach"]
    assert {"site", "province", "published_month"} <= set(data["facet_results"])
    provinces = {f["value"]: f["count"] for f in data["facet_results"]["province"]["results"]}
    assert provinces == {"Cà Mau": 3, "Cần Thơ": 3}
    months = {f["value"] for f in data["facet_results"]["published_month"]["results"]}
    assert {"2025-09", "2024-11"} <= months
    page = client.get("/archive/articles")
    assert page.status_code == 200 and "Bài báo · Articles" in page.text


CANNED = {
    "search": {"q": "dai hoi", "site": "", "province": "", "since": "", "until": ""},
    "newest_per_site": {"site": "", "per_site": ""},
    "syndication": {"min_sites": "", "site": ""},
    "crawl_history": {"site": ""},
    "rejects_by_reason": {"site": ""},
    "newspapers": {},
}


def test_every_canned_query_runs_as_json_and_html(client):
    queries = client.json("/archive.json")["queries"]
    # The stories plugin part adds its own (tested in tests/test_stories_datasette.py).
    from crawler.datasette.stories import CANNED as STORY_QUERIES

    assert {q["name"] for q in queries} == set(CANNED) | set(STORY_QUERIES)
    for name, params in CANNED.items():
        data = client.json(f"/archive/{name}.json", **params)
        assert data["ok"] and not data["error"], name
        assert data["rows"], f"{name} returned nothing"
        page = client.get(f"/archive/{name}", **params)
        assert page.status_code == 200, name
        title = next(q["title"] for q in queries if q["name"] == name)
        assert f"<title>{title}" in page.text, name


def test_newest_per_site(client, ids):
    rows = client.json("/archive/newest_per_site.json", site="", per_site="1", _shape="array")
    assert {r["Article"] for r in rows} == {ids["daihoi"], ids["kehoach"], ids["tinhuy"]}
    rows = client.json("/archive/newest_per_site.json", site="baocantho", per_site="", _shape="array")
    assert [r["Article"] for r in rows] == [ids["kehoach"], ids["lua"], ids["html"]]


def test_syndication_lists_articles_seen_at_several_sites(client, ids):
    rows = client.json("/archive/syndication.json", min_sites="2", site="", _shape="array")
    assert [r["Article"] for r in rows] == [ids["daihoi"]]
    assert rows[0]["Site count"] == 2 and rows[0]["URL count"] == 2
    assert "http://baobaclieu.vn/khai-mac-dai-hoi-a11.html" in rows[0]["URLs"]
    page = client.get("/archive/syndication", min_sites="2", site="")
    assert '<a href="http://baobaclieu.vn/khai-mac-dai-hoi-a11.html" rel="noopener noreferrer nofollow">' in page.text


def test_crawl_history_and_rejects_by_reason(client):
    runs = client.json("/archive/crawl_history.json", site="", _shape="array")
    assert len(runs) == 1 and runs[0]["Site"] == "baocamau" and runs[0]["New articles"] == len(ARTICLES)
    assert runs[0]["Finish reason"] == "finished" and runs[0]["Seconds"] is not None
    reasons = client.json("/archive/rejects_by_reason.json", site="baocamau", _shape="array")
    assert [(r["Reason"], r["Pages"]) for r in reasons] == [("http-404", 3), ("timeout", 1)]


def test_newspapers(client):
    rows = client.json("/archive/newspapers.json", _shape="array")
    counts = {r["Site"]: r["Articles"] for r in rows}
    assert counts == {"baocamau": 2, "baobaclieu": 1, "baocantho": 3}


# --- Vietnamese search -----------------------------------------------------------------------

DAIHOI_FORMS = ["Đại hội Đảng", "dai hoi dang", "Ðại hội Ðảng", unicodedata.normalize("NFD", "Đại hội Đảng"),
                "ĐẠI HỘI ĐẢNG", "đai hoi đang"]


@pytest.mark.parametrize("typed", DAIHOI_FORMS)
def test_search_any_form_finds_the_same_articles(client, ids, typed):
    assert set(search(client, typed)) == {ids["daihoi"], ids["vien"]}
    assert table_search(client, typed) == {ids["daihoi"], ids["vien"]}


@pytest.mark.parametrize("typed", ["kế hoạch", "ke hoach", "Kế Hoạch", unicodedata.normalize("NFD", "kế hoạch")])
def test_search_letters_with_two_marks(client, ids, typed):
    assert search(client, typed) == [ids["kehoach"]]
    assert table_search(client, typed) == {ids["kehoach"]}


@pytest.mark.parametrize("typed", ["Tỉnh uỷ", "Tỉnh ủy", "tinh uy", "TỈNH UỶ"])
def test_search_either_tone_placement(client, ids, typed):
    assert set(search(client, typed)) == {ids["daihoi"], ids["tinhuy"]}
    assert table_search(client, typed) == {ids["daihoi"], ids["tinhuy"]}


@pytest.mark.parametrize("typed", ['"đại hội đảng"', '"dai hoi dang"', "“Đại hội Đảng”"])
def test_phrase_query(client, ids, typed):
    # "Đảng viên … đại hội" has the words but not the phrase.
    assert search(client, typed) == [ids["daihoi"]]
    assert table_search(client, typed) == {ids["daihoi"]}


def test_operators(client, ids):
    assert search(client, "dai hoi -vien") == [ids["daihoi"]]
    assert search(client, "dai hoi NOT vien") == [ids["daihoi"]]
    assert set(search(client, "lua OR tinh uy")) == {ids["lua"], ids["kehoach"], ids["daihoi"], ids["tinhuy"]}
    assert set(search(client, "hoac*")) == {ids["kehoach"], ids["lua"]}  # kế hoạch, thu hoạch
    assert set(search(client, "title:dang")) == {ids["vien"], ids["daihoi"]}
    assert search(client, "title:lua") == [ids["lua"]]


def test_ranked_by_relevance(client, ids):
    # "lúa" five times, in the title too, beats "lúa" once in the body.
    assert search(client, "lua") == [ids["lua"], ids["kehoach"]]


def test_search_filters_site_province_dates(client, ids):
    both = {ids["daihoi"], ids["tinhuy"]}
    assert set(search(client, "tinh uy", province="Cà Mau")) == both
    assert set(search(client, "tinh uy", province="ca mau")) == both
    assert search(client, "tinh uy", province="Bac Lieu") == [ids["tinhuy"]]  # former province
    assert search(client, "tinh uy", province="Cần Thơ") == []
    assert search(client, "tinh uy", site="baobaclieu") == [ids["tinhuy"]]
    assert search(client, "tinh uy", since="2025-07-01") == [ids["daihoi"]]
    assert search(client, "tinh uy", until="06/2025") == [ids["tinhuy"]]
    assert search(client, "tinh uy", since="2025-06-10", until="2025-06-10") == [ids["tinhuy"]]
    assert set(search(client, "tinh uy", since="2025", until="2025")) == both
    # The table search box combines with ordinary column filters.
    assert table_search(client, "tinh uy", province="Cà Mau", published__gte="2025-07") == {ids["daihoi"]}


def test_empty_query_shows_the_form_and_no_error(client):
    assert search(client, "") == []
    page = client.get("/archive/search")
    assert page.status_code == 200 and 'name="q"' in page.text and "message-error" not in page.text


def test_search_page_highlights_and_links(client, ids):
    page = client.get("/archive/search", q="dai hoi dang", site="", province="", since="", until="")
    assert page.status_code == 200
    assert "<mark>Đại</mark> <mark>hội</mark> <mark>Đảng</mark>" in page.text
    assert "2 bài khớp" in page.text
    # The article with the words in the typed order first, though bm25 alone prefers the other.
    assert page.text.index(ids["daihoi"]) < page.text.index(ids["vien"])
    assert f'href="/archive/articles/{ids["daihoi"]}"' in page.text
    assert f'href="{article_url("daihoi")}"' in page.text


def test_search_results_are_escaped(client, ids):
    page = client.get("/archive/search", q="thuy loi", site="", province="", since="", until="")
    assert ids["html"] in page.text
    assert "<script>alert" not in page.text and "&lt;script&gt;" in page.text
    assert "<b>lạ</b>" not in page.text
    table = client.get("/archive/articles", _search="thuy loi")
    assert "<script>alert" not in table.text


def test_table_column_search_is_folded_too(client, ids):
    rows = client.json("/archive/articles.json", _search_title="dang", _shape="array", _col="title")
    assert {r["hash"] for r in rows} == {ids["daihoi"], ids["vien"]}


def test_table_search_links_to_ranked_results(client):
    page = client.get("/archive/articles", _search="dai hoi dang")
    assert "/archive/search?q=dai+hoi+dang" in page.text


# --- the article page ------------------------------------------------------------------------


def test_article_page_shows_paragraphs_and_every_url(client, ids):
    page = client.get(f"/archive/articles/{ids['daihoi']}")
    assert page.status_code == 200
    html = page.text
    assert ">Khai mạc Đại hội Đảng bộ tỉnh Cà Mau lần thứ I</h1>" in html and "<title>Khai mạc Đại hội" in html
    assert "<p>Ban Thường vụ Tỉnh uỷ đã chuẩn bị chu đáo văn kiện.</p>" in html
    assert html.count("<p>Các đại biểu") == 1
    assert f'class="source-link" href="{article_url("daihoi")}"' in html
    assert 'class="alias-link" href="http://baobaclieu.vn/khai-mac-dai-hoi-a11.html"' in html
    assert "Báo Cà Mau" in html and "Cà Mau" in html
    assert "tags__arraycontains=" in html  # tags link to the articles that share them


# --- province follows the sites table --------------------------------------------------------


def test_province_follows_site_changes(tmp_path):
    path = tmp_path / "archive.db"
    build_archive(path)
    with Archive(path) as archive:
        assert archive.db.execute("SELECT province FROM articles WHERE site = 'baocantho'").fetchall() == [("Cần Thơ",)] * 3
        sync_sites(archive, [Site("baocantho", "Báo Cần Thơ", "TP Cần Thơ")])
        assert {r[0] for r in archive.db.execute("SELECT province FROM articles WHERE site = 'baocantho'")} == {"TP Cần Thơ"}
        assert sync_sites(archive, [Site("baocantho", "Báo Cần Thơ", "TP Cần Thơ")]) == 0  # unchanged: no write
        # A site first seen after its articles: they take its province.
        archive.store([ArticleRecord(hash="0" * 16, urls=["https://new.vn/a1.html"], site="baonew", fetched_at=FETCHED, article={"title": "x", "text": "y"})])
        assert archive.db.execute("SELECT province FROM articles WHERE site = 'baonew'").fetchone() == (None,)
        sync_sites(archive, [Site("baonew", "Báo Mới", "Huế")])
        assert archive.db.execute("SELECT province FROM articles WHERE site = 'baonew'").fetchone() == ("Huế",)


def test_sync_sites_reads_the_project_spiders(tmp_path):
    with Archive(tmp_path / "archive.db") as archive:
        assert sync_sites(archive) >= 1
        row = archive.db["sites"].get("baocamau")
    assert row["province"] and row["paper"] and "baocamau.vn" in json.loads(row["domains"])


# --- safe to publish -------------------------------------------------------------------------


def test_robots_blocked(client):
    robots = client.get("/robots.txt")
    assert robots.status_code == 200 and "Disallow: /" in robots.text.splitlines()
    assert client.get("/archive/articles").headers["x-robots-tag"] == "noindex, nofollow"


def test_read_only_even_through_the_write_connection(client):
    db = client.ds.get_database("archive")
    with pytest.raises(sqlite3.OperationalError, match="readonly|read-only|query_only"):
        client.run(db.execute_write("DELETE FROM articles"))
    with pytest.raises(sqlite3.OperationalError):
        client.run(db.execute_write("UPDATE sites SET province = 'x'"))
    response = client.get("/archive.json", sql="DELETE FROM articles")
    assert response.status_code == 400
    assert client.json("/archive.json", sql="SELECT count(*) AS n FROM articles", _shape="array")[0]["n"] == len(ARTICLES)


def test_no_download_and_sql_time_limit(client):
    assert client.ds.setting("sql_time_limit_ms") == 3000
    # Datasette keeps copies of some settings: those are what limits queries
    assert client.ds.sql_time_limit_ms == 3000 and client.ds.max_returned_rows == 1000
    assert client.ds.page_size == 50 and client.ds.executor._max_workers == 4
    assert client.get("/archive.db").status_code in (403, 404)
    slow = "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c"
    response = client.get("/archive.json", sql=slow)
    assert response.status_code == 400 and "too long" in response.text


# --- the plain `datasette FILE` command ------------------------------------------------------

from tests.datasette_server import get as http_get  # noqa: E402
from tests.datasette_server import plain_datasette  # noqa: E402


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    """``datasette kho-bao-2025.db`` in a subprocess: no flags, and not named archive.db."""
    path = tmp_path_factory.mktemp("plain") / "kho-bao-2025.db"
    ids = build_archive(path)
    with plain_datasette(path, ROOT / "test-artifacts" / "datasette-plain.log") as base:
        yield base + "/kho-bao-2025", ids


def test_plain_datasette_command_searches_in_vietnamese(plain):
    base, ids = plain
    status, body, _ = http_get(base + "/articles.json?" + urlencode({"_search": "dai hoi", "_shape": "array"}))
    assert status == 200, body[:500]
    assert {r["hash"] for r in json.loads(body)} == {ids["daihoi"], ids["vien"]}
    status, body, _ = http_get(base + "/search.json?" + urlencode({"q": "Đại hội Đảng", "_shape": "array"}))
    assert status == 200, body[:500]
    assert [r["Article"] for r in json.loads(body)][0] == ids["daihoi"]
    status, page, _ = http_get(base + "/search?" + urlencode({"q": "dai hoi dang"}))
    assert status == 200 and '<ol class="results">' in page and "<mark>Đại</mark>" in page
    status, page, _ = http_get(base + "/articles?" + urlencode({"_search": "dai hoi"}))
    assert status == 200 and "Khai mạc Đại hội Đảng bộ" in page


def test_plain_datasette_command_has_the_archive_experience(plain):
    base, ids = plain
    status, body, _ = http_get(base + ".json")
    assert status == 200
    from crawler.datasette.stories import CANNED as STORY_QUERIES

    assert {q["name"] for q in json.loads(body)["queries"]} == set(CANNED) | set(STORY_QUERIES)
    status, page, headers = http_get(base + f"/articles/{ids['daihoi']}")
    assert status == 200 and ">Khai mạc Đại hội Đảng bộ tỉnh Cà Mau lần thứ I</h1>" in page
    assert headers.get("x-robots-tag") == "noindex, nofollow"
    settings = json.loads(http_get(base.rsplit("/", 1)[0] + "/-/settings.json")[1])
    assert settings["sql_time_limit_ms"] == 3000 and settings["allow_download"] is False
    assert http_get(base + ".db")[0] in (403, 404)
    status, body, _ = http_get(base + ".json?" + urlencode({"sql": "delete from articles"}))
    assert status == 400
    status, page, _ = http_get(base + "/-/dashboard")
    assert status == 200 and "<svg" in page


def test_plain_datasette_long_queries_never_hold_a_worker(plain):
    """A 5,000-character query is refused before any SQL runs; four at once do not stall others."""
    import concurrent.futures
    import time

    base, _ = plain
    long_query = ("đại hội đảng bộ tỉnh nhiệm kỳ " * 200)[:5000]
    urls = [base + "/search?" + urlencode({"q": long_query}),
            base + "/articles.json?" + urlencode({"_search": long_query}),
            base + "/search.json?" + urlencode({"q": long_query}),
            base + "/articles?" + urlencode({"_search": long_query}),
            # custom SQL handing FTS5 the same text, as a literal or as a parameter
            base + ".json?" + urlencode({"sql": "select snippet(articles_fts, 1, '[', ']', '', 9) from articles_fts "
                                                "where articles_fts match '" + long_query + "'"}),
            base + ".json?" + urlencode({"sql": "select rowid from articles_fts where articles_fts match vn_match(:q)",
                                         "q": long_query})]
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(10) as pool:
        attacks = [pool.submit(http_get, u) for u in urls]
        normal = pool.submit(http_get, base + "/search.json?" + urlencode({"q": "lua", "_shape": "array"}))
        results = [f.result(timeout=30) for f in attacks]
        assert normal.result(timeout=30)[0] == 200
    assert time.monotonic() - started < 5
    for status, body, _ in results:
        assert status == 400
        assert "Query too long (5,000 characters; at most 300)" in body
    # A pasted headline (25 syllables) is a search; a paste of 41 words is not.
    status, body, _ = http_get(base + "/search.json?" + urlencode({"q": " ".join(["lúa"] * 25)}))
    assert status == 200
    status, body, _ = http_get(base + "/search.json?" + urlencode({"q": " ".join(["lúa"] * 41)}))
    assert status == 400 and "Too many words (41; at most 40)" in body


# --- prefixes keep their letters -------------------------------------------------------------


@pytest.fixture(scope="module")
def letters_client(tmp_path_factory):
    path = tmp_path_factory.mktemp("letters") / "chu.db"
    texts = {
        "nuoi": ("Nuôi tôm công nghệ cao", "Nông dân nuôi tôm trên đất lúa."),
        "nuoc": ("Nước mặn xâm nhập", "Nước mặn vào sâu trong đất liền."),
        "da": ("Đã hoàn thành kế hoạch", "Tỉnh đã hoàn thành kế hoạch năm."),
        "dan": ("Dân vận khéo", "Phong trào dân vận khéo ở cơ sở."),
    }
    ids = {}
    with Archive(path) as archive:
        sync_sites(archive, SITES)
        records = []
        for key, (title, text) in texts.items():
            ids[key] = content_hash(clean(text))
            records.append(ArticleRecord(hash=ids[key], urls=[f"https://baocamau.vn/{key}.html"], site="baocamau", fetched_at=FETCHED, article={"title": title, "text": clean(text), "published": "2025-09-01"}))
        archive.store(records)
    c = Client(make_datasette(path))
    yield c, ids
    c.loop.close()


@pytest.mark.parametrize("typed, expected", [
    ("nuô*", {"nuoi"}), ("NUÔ*", {"nuoi"}), ("nuố*", {"nuoi"}), ("nươ*", {"nuoc"}), ("nuo*", {"nuoi", "nuoc"}),
    # đất is in the texts of nuoi and nuoc: a plain "a" stands for a/ă/â, a typed đ only for đ
    ("đa*", {"da", "nuoi", "nuoc"}), ("đâ*", {"nuoi", "nuoc"}), ("da*", {"da", "dan", "nuoi", "nuoc"}),
    ("dâ*", {"dan", "nuoi", "nuoc"}), ("tôm nuô*", {"nuoi"}), ("mặn nuô*", set()),
])
def test_prefix_does_not_cross_letters(letters_client, typed, expected):
    client, ids = letters_client
    want = {ids[k] for k in expected}
    params = {"site": "", "province": "", "since": "", "until": "", "q": typed, "_shape": "array"}
    assert {r["Article"] for r in client.json("/chu/search.json", **params)} == want
    rows = client.json("/chu/articles.json", _search=typed, _shape="array")
    assert {r["hash"] for r in rows} == want


# --- reading in Vietnamese -------------------------------------------------------------------


def test_vietnamese_alphabetical_order():
    from crawler.datasette.vietnamese import sort_key

    names = ["Gia Lai", "Huế", "Đà Nẵng", "Cần Thơ", "Hà Nội", "An Giang", "Cà Mau", "Ðắk Lắk"]
    assert sorted(names, key=sort_key) == ["An Giang", "Cà Mau", "Cần Thơ", "Đà Nẵng", "Ðắk Lắk", "Gia Lai",
                                           "Hà Nội", "Huế"]


def test_sql_collate_vi(client):
    sql = ("select v from (select 'Gia Lai' as v union all select 'Đà Nẵng' union all select 'Cần Thơ' "
           "union all select 'Huế' union all select 'Hà Nội') order by v collate vi")
    rows = client.json("/archive.json", sql=sql, _shape="array")
    assert [r["v"] for r in rows] == ["Cần Thơ", "Đà Nẵng", "Gia Lai", "Hà Nội", "Huế"]
    newspapers = client.json("/archive/newspapers.json", _shape="array")
    assert [r["Province"] for r in newspapers] == ["Cà Mau", "Cà Mau", "Cần Thơ"]
    assert [r["Paper"] for r in newspapers][:2] == ["Báo Bạc Liêu", "Báo Cà Mau"]


def test_dates_shown_in_vietnam_time(client, ids):
    page = client.get(f"/archive/articles/{ids['daihoi']}").text
    assert ">20/09/2025 08:00</time>" in page
    # fetched_at 2025-10-01T03:00:00+00:00 is 10:00 in Vietnam
    assert '<time datetime="2025-10-01T03:00:00+00:00">01/10/2025 10:00</time>' in page
    assert "2025-10-01T03:00:00+00:00</td>" not in page
    table = client.get("/archive/articles").text
    assert ">05/12/2025 07:00</time>" in table and ">01/10/2024</time>" in table
    crawls = client.get("/archive/crawl_history", site="").text
    assert re.search(r">\d\d/\d\d/\d{4} \d\d:\d\d</time>", crawls)


def test_labels_and_paper_names(client):
    page = client.get("/archive/articles").text
    assert "Tiêu đề · Title" in page and "Ngày đăng · Published" in page
    facets = client.json("/archive/articles.json")["facet_results"]["site"]["results"]
    assert {f["value"] for f in facets} == {"baocamau", "baobaclieu", "baocantho"}
    facet_html = page[page.index('class="facet-results"'):]
    assert ">Báo Cà Mau</a>" in facet_html and ">baocamau</a>" not in facet_html
    assert '<span class="paper" title="baocantho">Báo Cần Thơ</span>' in page
    search = client.get("/archive/search", q="lua", site="", province="", since="", until="").text
    assert "Báo Cần Thơ" in search


def test_crawl_statistics_are_a_table(client):
    page = client.get("/archive/crawls/1").text
    assert '<tr><th scope="row">downloader/request_count</th><td>12</td></tr>' in page
    assert '<table class="crawl-stats">' in page
    assert "{&#34;downloader" not in page and '{"downloader' not in page


def test_no_revisions_banner_without_revisions(client, ids):
    page = client.get(f"/archive/articles/{ids['daihoi']}").text
    assert "revisions-link" not in page and "Edited after publication" not in page


def test_links_from_crawled_data_are_http_only(tmp_path):
    path = tmp_path / "archive.db"
    build_archive(path)
    evil = "javascript:alert(document.cookie)"
    with Archive(path) as archive:
        article = archive.db.execute("select hash from articles where site = 'baocamau' limit 1").fetchone()[0]
        archive.db.execute("insert into urls (url, hash, site, first_seen, last_seen) values (?, ?, 'baocamau', ?, ?)",
                           [evil, article, FETCHED, FETCHED])
        archive.db.execute("update articles set canonical_url = ? where hash = ?", [" JavaScript:alert(1)", article])
        text = archive.db.execute("select text from articles where hash = ?", [article]).fetchone()[0]
        for n, url in ((1, "https://baocamau.vn/x.html"), (2, evil)):
            archive.db.execute("insert into revisions (article, revision, hash, url, fetched_at, title, text) "
                               "values (?, ?, ?, ?, ?, 't', ?)", [article, n, f"{n:016d}", url, FETCHED, text + str(n)])
        archive.db.conn.commit()
    c = Client(make_datasette(path))
    try:
        pages = [c.get(f"/archive/articles/{article}").text, c.get(f"/archive/-/revisions/{article}").text,
                 c.get("/archive/urls").text, c.get("/archive/syndication", min_sites="", site="").text,
                 c.get("/archive/articles").text]
    finally:
        c.loop.close()
    for page in pages:
        assert not re.search(r"""href=["']?\s*javascript:""", page, re.I), page[:200]
    assert "revisions-link" in pages[0]  # two revisions: the banner is there


def test_table_search_is_bounded_and_says_so(client, ids, monkeypatch):
    import crawler.datasette.search as plugin

    monkeypatch.setattr(plugin, "SEARCH_BOUND", 1)
    data = client.json("/archive/articles.json", _search="dai hoi", _shape="objects")
    assert [r["hash"] for r in data["rows"]] == [ids["vien"]]  # the most recently archived match
    page = client.get("/archive/articles", _search="dai hoi").text
    assert "there are more" in page and "Counts among the 1 most recently archived matches" in page


# --- the demo stays clean --------------------------------------------------------------------


@pytest.mark.e2e
def test_demo_twice_gives_the_same_archive(tmp_path):
    """``make demo`` run twice: the same articles and URLs as run once (the sample site keeps its port)."""
    import socket
    import subprocess
    import sys

    from tests.conftest import crawl_env

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    db = tmp_path / "demo" / "archive.db"

    def run():
        done = subprocess.run([sys.executable, "-m", "crawler.commands.demo", "--articles", "20", "--db", str(db),
                               "--port", str(port)], cwd=ROOT, env=crawl_env(), capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        con = sqlite3.connect(db)
        try:
            return (con.execute("select hash, url from articles order by hash").fetchall(),
                    con.execute("select url, hash from urls order by url").fetchall())
        finally:
            con.close()

    articles, urls = run()
    assert articles and all(f"127.0.0.1:{port}/" in u for u, _ in urls)
    assert run() == (articles, urls)


def test_demo_refuses_a_busy_port(tmp_path):
    import socket
    import subprocess
    import sys

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "crawler.commands.demo", "--db", str(tmp_path / "a.db"),
                               "--port", str(port)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and f"port {port} is in use" in done.stderr
    assert not (tmp_path / "a.db").exists()


# --- the dashboard ---------------------------------------------------------------------------


def test_dashboard_flags_what_health_flags(tmp_path):
    """One judgement (``crawler.health.check``): the dashboard lists exactly the papers
    ``python -m crawler health`` flags, a never-crawled one included; a run the discovery budget
    ended is not a broken one."""
    from crawler.commands.health import report
    from crawler.datasette.dashboard import flagged

    path = tmp_path / "judged.db"
    build_archive(path)
    with Archive(path) as archive:
        crawl = archive.start_crawl("baocantho", {})
        archive.finish_crawl(crawl, finish_reason="shutdown", figures={"requests": 3}, stats={})
        crawl = archive.start_crawl("baocamau", {})
        archive.finish_crawl(crawl, finish_reason="budget-exhausted",
                             figures={"requests": 50, "new_articles": 4, "duplicates": 40, "rejects": 1},
                             stats={"downloader/response_count": 50})
    by_health = {h.site: h for h in report(str(path), ["baocamau", "baobaclieu", "baocantho"], runs=3, days=7)}
    conn = sqlite3.connect(path)
    try:
        by_dashboard = flagged(conn, ["baocamau", "baobaclieu", "baocantho"])
    finally:
        conn.close()
    assert set(by_dashboard) == {s for s, h in by_health.items() if h.flags}
    assert "never-crawled" in by_health["baobaclieu"].flags
    assert any("chưa từng thu thập" in why for why in by_dashboard["baobaclieu"])
    assert any("shutdown" in why for why in by_dashboard["baocantho"])
    assert "failing" not in by_health["baocamau"].flags
    assert not any("lượt cuối hỏng" in why for why in by_dashboard.get("baocamau", []))


def test_dashboard_page(client):
    page = client.get("/archive/-/dashboard", since="2024-09-01", until="2025-12-31")
    assert page.status_code == 200
    html = page.text
    assert html.count('<svg class="heatmap"') == 2 and '<svg class="depth"' in html
    counts = [int(n) for n in re.findall(r'data-count="(\d+)"', html)]
    assert sum(counts) == 2 * len(ARTICLES)
    assert "<script src=" not in html.split("<footer")[0].split("</head>")[1]
    assert client.get("/archive/-/dashboard", since="2025-09-01", until="2025-09-30").text.count('data-count="1"') == 2
    assert client.get("/nope/-/dashboard").status_code == 404


def test_title_match_ranks_above_a_passing_mention(tmp_path):
    path = tmp_path / "rank.db"
    filler = "Người dân địa phương tham gia lao động sản xuất trong mùa khô. " * 8
    texts = {
        # the words once in the body, in passing, among other news; published later, archived later
        "passing": ("Tin tổng hợp trong tuần", filler + "Xã cũng nạo vét kênh thủy lợi. " + filler, "2025-09-02"),
        "title": ("Kênh thủy lợi mới ở Cái Nước", "Công trình hoàn thành đúng hẹn. " + filler, "2025-09-01"),
    }
    ids = {}
    with Archive(path) as archive:
        sync_sites(archive, SITES)
        for key in ("title", "passing"):
            title, text, day = texts[key]
            ids[key] = content_hash(clean(text))
            archive.store([ArticleRecord(hash=ids[key], urls=[f"https://baocamau.vn/{key}.html"], site="baocamau", fetched_at=FETCHED, article={"title": title, "text": clean(text), "published": day})])
    c = Client(make_datasette(path))
    try:
        for typed in ("thủy lợi", "thuy loi", "kenh thuy loi"):
            params = {"q": typed, "site": "", "province": "", "since": "", "until": "", "_shape": "array"}
            assert [r["Article"] for r in c.json("/rank/search.json", **params)] == [ids["title"], ids["passing"]]
    finally:
        c.loop.close()


def test_table_search_narrowed_by_paper_before_the_bound(client, ids, monkeypatch):
    import crawler.datasette.search as plugin

    monkeypatch.setattr(plugin, "SEARCH_BOUND", 1)
    # "tinh uy": daihoi (baocamau) and tinhuy (baobaclieu, archived earlier); bound 1 still finds
    # the Bạc Liêu one when that paper is chosen.
    rows = client.json("/archive/articles.json", _search="tinh uy", site="baobaclieu", _shape="array")
    assert [r["hash"] for r in rows] == [ids["tinhuy"]]
    rows = client.json("/archive/articles.json", _search="tinh uy", province="Cà Mau", _shape="array")
    assert len(rows) == 1


def test_make_serve_is_the_same_experience(tmp_path):
    """``make serve`` (sitesync, then plain ``datasette serve FILE``) on a free port."""
    import os
    import shutil
    import signal
    import socket
    import subprocess
    import sys
    import time

    if not shutil.which("make"):
        pytest.fail("make is not installed")
    db = tmp_path / "archive.db"
    ids = build_archive(db)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    bindir = Path(sys.executable).parent
    log = tmp_path / "serve.log"
    # -o: take the venv as built (the test runs inside it), so make only syncs and serves.
    cmd = ["make", "--no-print-directory", "-o", f"{bindir}/.installed", "serve", f"BIN={bindir}", f"DB={db}",
           "HOST=127.0.0.1", f"PORT={port}"]
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                status, body, _ = http_get(f"http://127.0.0.1:{port}/archive/search.json?"
                                           + urlencode({"q": "dai hoi dang", "_shape": "array"}), timeout=2)
                break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.3)
        assert status == 200 and {r["Article"] for r in json.loads(body)} == {ids["daihoi"], ids["vien"]}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)


def test_first_request_is_already_the_bounded_table_search(built, monkeypatch):
    """The very first request of a fresh Datasette (startup not yet run) is routed like any other."""
    import crawler.datasette.search as plugin

    monkeypatch.setattr(plugin, "SEARCH_BOUND", 1)
    ds = make_datasette(built[0])
    loop = asyncio.new_event_loop()
    try:
        response = loop.run_until_complete(ds.client.get("/archive/articles.json?_search=dai+hoi&_shape=array"))
    finally:
        loop.close()
    assert response.status_code == 200 and len(response.json()) == 1


def test_costly_phrase_is_windowed_and_says_so(client, ids, monkeypatch):
    import crawler.datasette.search as plugin

    # "đại hội" as words is in daihoi and vien; with a window of 1 only the newest archived
    # article having both words (vien) is checked for the phrase
    monkeypatch.setattr(plugin, "PHRASE_WINDOW", 1)
    params = {"site": "", "province": "", "since": "", "until": ""}
    rows = client.json("/archive/search.json", q='"dai hoi"', _shape="array", **params)
    assert [r["Article"] for r in rows] == [ids["vien"]] and rows[0]["Window"] == 1
    page = client.get("/archive/search", q='"dai hoi"', **params).text
    assert "was looked for among the 1 most recently archived articles" in page
    assert {r["hash"] for r in client.json("/archive/articles.json", _search='"dai hoi"', _shape="array")} == {ids["vien"]}
    assert "is looked for among the 1 most recently archived" in client.get("/archive/articles", _search='"dai hoi"').text
    monkeypatch.setattr(plugin, "PHRASE_WINDOW", 20_000)
    rows = client.json("/archive/search.json", q='"dai hoi"', _shape="array", **params)
    assert {r["Article"] for r in rows} == {ids["vien"], ids["daihoi"]} and rows[0]["Window"] == 0
