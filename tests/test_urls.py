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


def test_a_utf8_path_and_its_percent_encoded_spelling_are_one_url():
    typed = canonical_url("https://baocamau.vn/tin-tức/cà-mau-a123.html")
    encoded = canonical_url("https://baocamau.vn/tin-t%E1%BB%A9c/c%C3%A0-mau-a123.html")
    assert typed == encoded == "https://baocamau.vn/tin-t%E1%BB%A9c/c%C3%A0-mau-a123.html"
    # lower-case hex and a UTF-8 query are the same page too
    assert canonical_url("https://baocamau.vn/tin-t%e1%bb%a9c/c%c3%a0-mau-a123.html") == typed
    assert canonical_url("https://baocamau.vn/tim?q=cà mau") == canonical_url("https://baocamau.vn/tim?q=c%C3%A0+mau")


def test_what_w3lib_leaves_alone_is_still_ours():
    assert canonical_url("HTTPS://BaoCaMau.vn:443/a.html#top") == "https://baocamau.vn/a.html"
    assert canonical_url("http://baocamau.vn:80") == "http://baocamau.vn/"
    assert canonical_url("http://baocamau.vn:8080/a") == "http://baocamau.vn:8080/a"
    assert canonical_url("https://baocamau.vn/a.html?utm_source=zalo&fbclid=x&id=2") == "https://baocamau.vn/a.html?id=2"
    assert canonical_url("https://baocamau.vn/a.html?id=2", keep_query=False) == "https://baocamau.vn/a.html"
