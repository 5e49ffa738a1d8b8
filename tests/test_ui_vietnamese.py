"""Every page of Datasette a reader opens is in Vietnamese (crawler/datasette/localize.py,
translations.yml), typed dates are read as people write them, and a crawl's row page reads as a
table. Through Datasette's own test client over a real archive file; the same pages in a real
browser are tests/test_ui_browser.py."""

from __future__ import annotations

from pathlib import Path

import datasette
import pytest

from crawler.datasette.localize import catalog
from tests.test_datasette import Client, make_datasette
from tests.ui_pages import INTERNAL_TABLES, build, english_left, pages, visible_text

CORE = Path(datasette.__file__).parent / "templates"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    path = tmp_path_factory.mktemp("ui") / "archive.db"
    return path, build(path)


@pytest.fixture(scope="module")
def client(built):
    c = Client(make_datasette(built[0]))
    yield c
    c.loop.close()


def test_every_translated_piece_is_still_in_the_installed_templates():
    # A Datasette upgrade that rewords a template must fail here, not leave English on a page.
    missing = [(name, english) for name, pieces in catalog()["templates"].items()
               for english, _ in pieces if english not in (CORE / name).read_text(encoding="utf-8")]
    assert missing == []


@pytest.mark.parametrize("name", list(pages({"daihoi": "x"})))
def test_no_english_of_datasette_left(client, built, name):
    path, status = pages(built[1])[name]
    response = client.get(path)
    assert response.status_code == status, (path, response.text[:300])
    assert '<html lang="vi">' in response.text
    assert english_left(visible_text(response.text)) == [], path


def test_error_pages_say_what_is_missing_in_vietnamese(client):
    assert "Không tìm thấy bản ghi" in client.get("/archive/articles/0000000000000000").text
    assert "Không tìm thấy bảng" in client.get("/archive/nosuchtable").text
    assert "Không tìm thấy cơ sở dữ liệu" in client.get("/nosuchdb").text


def test_table_line_says_count_filter_and_order_in_vietnamese(client):
    text = visible_text(client.get("/archive/articles?site=baocamau&_sort=title").text)
    assert '2 dòng với Báo = "baocamau" xếp theo Tiêu đề' in text


def test_labels_params_and_descriptions_are_vietnamese_first(client):
    crawls = visible_text(client.get("/archive/crawls").text)
    for label in ("Bản ghi bị mất · Lost records", "Đã đi hết · Completed"):
        assert label in crawls
    canned = visible_text(client.get("/archive/syndication").text)
    assert "Số báo tối thiểu" in canned and canned.index("Cùng một văn bản") < canned.index("The same text")
    article = client.get(f"/archive/articles/{client.run(_any_article(client))}").text
    assert "One row per distinct text" not in article  # the table's description is not the article's


async def _any_article(client):
    db = client.ds.get_database("archive")
    return (await db.execute("select hash from articles limit 1")).rows[0][0]


def test_internal_tables_hidden_but_reachable(client):
    home, database = client.get("/").text, client.get("/archive").text
    for table in INTERNAL_TABLES:
        assert f"/archive/{table}\"" not in home and f"/archive/{table}\"" not in database
        assert client.get(f"/archive/{table}").status_code == 200
    assert client.json("/archive.json?sql=select+count(*)+as+n+from+story_lsh&_shape=array") == [{"n": 0}]


@pytest.mark.parametrize("typed", ["25/10/2024", "2024-10-25", "10/2024", "2024"])
def test_search_since_as_people_type_it(client, built, typed):
    ids = built[1]
    rows = client.json("/archive/search.json", q="lua", site="", province="", since=typed, until="",
                       _shape="array")
    assert ids["lua"] in {r["Article"] for r in rows}


def test_until_keeps_the_whole_month_and_year(client, built):
    ids = built[1]
    rows = client.json("/archive/search.json", q="lua", site="", province="", since="", until="11/2024",
                       _shape="array")
    assert [r["Article"] for r in rows] == [ids["lua"]]
    assert client.json("/archive/search.json", q="lua", site="", province="", since="", until="2023",
                       _shape="array") == []


@pytest.mark.parametrize("path", ["/archive/search?q=lua&since=notadate",
                                  "/archive/search?q=lua&until=31/02/2025",
                                  "/archive/-/dashboard?since=hôm+qua"])
def test_a_date_that_is_no_date_is_a_visible_message(client, path):
    response = client.get(path)
    assert response.status_code == 400
    text = visible_text(response.text)
    assert "Ngày" in text and "dd/mm/yyyy" in text


def test_reasons_in_words_beside_the_stored_value(client):
    rejects = visible_text(client.get("/archive/rejects").text)
    assert "không tìm thấy (http-404)" in rejects and "quá giờ (timeout)" in rejects
    assert "xong (finished)" in visible_text(client.get("/archive/-/dashboard").text)
    # The stored value is still what a filter takes.
    assert client.json("/archive/rejects.json?reason=http-404&_shape=array")


def test_a_bad_date_page_keeps_the_archive_around_it(client):
    page = client.get("/archive/search?q=lua&since=notadate").text
    assert "Trang chủ" in page and "Tổng quan · Dashboard" in page  # Datasette's page, menu and crumbs


def test_dashboard_reads_typed_dates(client):
    text = visible_text(client.get("/archive/-/dashboard?since=09/2024&until=2025").text)
    assert "01/09/2024 – 31/12/2025: 6 bài" in text


def test_crawl_statistics_a_readable_table(client):
    page = client.get("/archive/crawls/2").text
    assert '<table class="record table-crawls">' in page
    assert '<tr><th scope="row">archive/inserted</th><td>3.120</td></tr>' in page
    # Scrapy's times in Vietnam time, dd/mm/yyyy HH:MM.
    assert '<tr><th scope="row">start_time</th><td>01/10/2025 10:00</td></tr>' in page


def test_paper_names_follow_the_sites_table_while_serving(tmp_path):
    # Names are read through Datasette's connection and kept until the file changes: a renamed
    # paper shows under its new name on the next page, with no restart.
    from crawler.store.archive import Archive
    from crawler.jobs.sitesync import sync_sites
    from tests.test_datasette import Site

    path = tmp_path / "archive.db"
    build(path)
    c = Client(make_datasette(path))
    try:
        assert "Báo Cà Mau" in visible_text(c.get("/archive/articles?site=baocamau").text)
        with Archive(path) as archive:
            sync_sites(archive, [Site("baocamau", "Báo Cà Mau điện tử", "Cà Mau")])
        assert "Báo Cà Mau điện tử" in visible_text(c.get("/archive/articles?site=baocamau").text)
    finally:
        c.loop.close()
