import pytest

from crawler.urls import canonical_url

CASES = [
    ("https://BaoCaMau.vn/a-a1.html#binh-luan", "https://baocamau.vn/a-a1.html"),
    ("https://baocamau.vn/a-a1.html?utm_source=zalo&utm_medium=social", "https://baocamau.vn/a-a1.html"),
    ("https://baocamau.vn/a-a1.html?fbclid=x&zarsrc=1", "https://baocamau.vn/a-a1.html"),
    ("https://baocamau.vn/tin-moi/?page=2&utm_source=x", "https://baocamau.vn/tin-moi/?page=2"),
    ("https://baocamau.vn/x/?b=2&a=1", "https://baocamau.vn/x/?a=1&b=2"),
    ("http://127.0.0.1:8080/a-a1.html", "http://127.0.0.1:8080/a-a1.html"),
    ("https://baocamau.vn:443", "https://baocamau.vn/"),
]


@pytest.mark.parametrize("url,expected", CASES)
def test_canonical_url(url, expected):
    assert canonical_url(url) == expected


def test_article_urls_can_drop_the_whole_query():
    assert canonical_url("https://baocamau.vn/a-a1.html?page=3&x=1", keep_query=False) == "https://baocamau.vn/a-a1.html"
