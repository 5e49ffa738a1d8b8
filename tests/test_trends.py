"""The trends page (crawler/datasette/trends.py) over the test archive, in process."""

from __future__ import annotations

import pytest

from tests.test_datasette import Client, build_archive, make_datasette


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    path = tmp_path_factory.mktemp("trends") / "archive.db"
    build_archive(path)
    c = Client(make_datasette(path))
    yield c
    c.loop.close()


def test_counts_match_the_search_page(client):
    data = client.json("/archive/-/trends.json", q="dai hoi dang", by="province")
    found = client.json("/archive/search.json", q="dai hoi dang", _shape="array")
    assert data["series"][0]["total"] == len(found) > 0
    assert data["series"][0]["complete"] is True


def test_two_queries_side_by_side_with_chart_and_table(client):
    page = client.get("/archive/-/trends?q=dai+hoi+dang&q=ca+mau&unit=month")
    assert page.status_code == 200
    assert "<svg" in page.text and 'class="point"' in page.text
    assert "trends-counts" in page.text
    csv = client.get("/archive/-/trends.csv?q=dai+hoi+dang&q=ca+mau&unit=month").text
    assert csv.splitlines()[0] == "key,label,dai hoi dang,ca mau"


def test_bad_date_is_a_visible_message(client):
    page = client.get("/archive/-/trends?q=dai+hoi+dang&since=notadate")
    assert "Ngày không hợp lệ" in page.text and "dd/mm/yyyy" in page.text
    assert client.get("/archive/-/trends.json?q=x&since=notadate").status_code == 400


def test_since_until_typed_as_people_write_them(client):
    everything = client.json("/archive/-/trends.json", q="dai hoi dang")["series"][0]["total"]
    none = client.json("/archive/-/trends.json", q="dai hoi dang", since="01/1990", until="1990")["series"][0]["total"]
    assert everything > 0 and none == 0
