"""Each spider's facts agree with the researched registry (shared/sites.json, copied into
tests/fixtures/sites.json): its article pattern takes the real example URLs and refuses
listing and video URLs."""

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from scrapy.utils.test import get_crawler

from crawler.sites import spider_classes

REGISTRY = {e["key"]: e for e in json.loads((Path(__file__).parent / "fixtures" / "sites.json").read_text(encoding="utf-8"))}
SPIDERS = spider_classes()


def spider(name, **kwargs):
    cls = SPIDERS[name]
    return cls.from_crawler(get_crawler(cls, {"ARCHIVE_DB": ""}), **kwargs)


@pytest.mark.parametrize("name", sorted(SPIDERS))
def test_spider_states_its_facts(name):
    cls = SPIDERS[name]
    assert cls.paper and cls.domains and cls.province, name


@pytest.mark.parametrize("name", sorted(SPIDERS))
def test_article_pattern_matches_registry_examples(name):
    entry = REGISTRY.get(name)
    if entry is None:
        pytest.skip(f"{name} has no entry in sites.json")
    s = spider(name)
    examples = [u for u in entry.get("example_article_urls", []) if urlsplit(u).hostname]
    assert examples
    for url in examples:
        assert s.classify(url) == ("article", url), url
    for url in entry.get("listing_urls", []):
        kind = s.classify(url)
        assert kind is None or kind[0] == "listing", url


def test_baocamau_refuses_video_offsite_binary_and_search_urls():
    s = spider("baocamau")
    for url in [
        "https://baocamau.vn/video/xem-video/don-94-nguoi-ca-mau-ve-que-an-toan-1524.html",
        "https://example.org/tin-a5.html",
        "https://baocamau.vn/files/bao-cao.pdf",
        "https://baocamau.vn/tim-kiem/?q=ca-mau",
        "mailto:toasoan@baocamau.vn",
    ]:
        assert s.classify(url) is None, url
    assert s.classify("https://baocamau.vn/chinh-tri/xay-dung-dang/?page=43") == ("listing", "/chinh-tri/xay-dung-dang/")


def test_base_url_rewrites_the_sites_own_absolute_links_to_the_mirror():
    s = spider("baocamau", base_url="http://127.0.0.1:8765/")
    assert s.allowed_domains == ["127.0.0.1"]
    assert s.classify("https://baocamau.vn/a-a1.html?utm_source=x") == ("article", "http://127.0.0.1:8765/a-a1.html")
    assert s.classify("http://127.0.0.1:8765/a-a1.html#c") == ("article", "http://127.0.0.1:8765/a-a1.html")
    assert s.classify("http://127.0.0.1:9999/a-a1.html") is None


def test_bad_since_is_a_clear_error():
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        spider("baocamau", since="23/07/2025")
