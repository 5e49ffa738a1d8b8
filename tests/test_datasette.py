"""Datasette in-process: metadata, canned queries, Vietnamese search, the article page, safety.

The archive is a real SQLite file built through ``Archive.store`` and ``sync_sites``; Datasette
is configured exactly as ``make serve`` runs it (metadata.yml, plugins/, templates/ and the
``--setting`` flags read from the Makefile).
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
import yaml

from crawler.store.archive import Archive
from crawler.store.search import NOTHING, fts_query
from crawler.store.sitesync import sync_sites
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
            records.append({
                "kind": "article", "hash": ids[key], "urls": [url_for(key)], "site": site,
                "fetched_at": FETCHED,
                "article": {"title": title, "text": text, "published": published, "author": "Phóng viên",
                            "description": text.split("\n")[0], "language": "vi",
                            "tags": ["Đảng", "Cà Mau"] if key == "daihoi" else [],
                            "canonical_url": url_for(key)},
            })
            for other_site, url in extra:  # the same text seen on another paper: an alias URL
                records.append({"kind": "article", "hash": ids[key], "urls": [url], "site": other_site,
                                "fetched_at": "2025-10-02T03:00:00+00:00", "article": None})
        records += [
            {"kind": "reject", "url": f"https://baocamau.vn/gone-{i}.html", "site": "baocamau",
             "reason": "http-404", "detail": None, "status": 404, "fetched_at": FETCHED}
            for i in range(3)
        ] + [{"kind": "reject", "url": "https://baocamau.vn/slow.html", "site": "baocamau",
              "reason": "timeout", "detail": "30 s", "status": None, "fetched_at": FETCHED}]
        archive.store(records)
        archive.finish_crawl(crawl, finish_reason="finished",
                             figures={"requests": 12, "new_articles": len(ARTICLES), "duplicates": 1,
                                      "rejects": 4, "errors": 0},
                             stats={"downloader/request_count": 12})
    return ids


def serve_settings() -> dict:
    """The ``--setting`` flags of ``make serve``, read from the Makefile, typed as Datasette wants."""
    from datasette.app import DEFAULT_SETTINGS

    found = re.findall(r"--setting (\w+) (\S+)", (ROOT / "Makefile").read_text())
    assert found, "the Makefile's serve target passes no --setting"
    settings = {}
    for key, value in found:
        default = DEFAULT_SETTINGS[key]
        if isinstance(default, bool):
            settings[key] = value in ("on", "1", "true")
        elif isinstance(default, int):
            settings[key] = int(value)
        else:
            settings[key] = value
    return settings


def make_datasette(db_path: Path):
    from datasette.app import Datasette

    return Datasette(
        [str(db_path)],
        metadata=yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8")),
        plugins_dir=str(ROOT / "plugins"),
        template_dir=str(ROOT / "templates"),
        settings=serve_settings(),
    )


class Client:
    """Synchronous wrapper around ``datasette.client`` on one event loop for the module."""

    def __init__(self, ds):
        self.ds = ds
        self.loop = asyncio.new_event_loop()

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
    assert '<a href="http://baobaclieu.vn/khai-mac-dai-hoi-a11.html">' in page.text


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
    assert search(client, "tinh uy", until="2025-06") == [ids["tinhuy"]]
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
    assert '<h2 class="article-title">Khai mạc Đại hội Đảng bộ tỉnh Cà Mau lần thứ I</h2>' in html
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
        archive.store([{"kind": "article", "hash": "0" * 16, "urls": ["https://new.vn/a1.html"], "site": "baonew",
                        "fetched_at": FETCHED, "article": {"title": "x", "text": "y"}}])
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
    assert client.ds.setting("sql_time_limit_ms") <= 5000
    assert client.get("/archive.db").status_code in (403, 404)
    slow = "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c"
    response = client.get("/archive.json", sql=slow)
    assert response.status_code == 400 and "too long" in response.text
