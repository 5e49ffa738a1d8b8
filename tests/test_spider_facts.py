"""Each spider's facts agree with the researched registry (shared/sites.json, copied into
tests/fixtures/sites.json): its article pattern takes the real example URLs and refuses
listing, video and other non-article URLs; its province is the registry's post-merger province."""

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from scrapy.utils.test import get_crawler

from crawler.spiders.families.aid import AIdSpider
from crawler.spiders.families.catid import CatIdSpider
from crawler.spiders.families.generic import GenericSpider
from crawler.spiders.families.hex7 import Hex7Spider
from crawler.spiders.families.monthpath import MonthPathSpider
from crawler.spiders.families.numid import NumIdSpider
from crawler.spiders.families.post import PostSpider
from crawler.sites import spider_classes

REGISTRY = {e["key"]: e for e in json.loads((Path(__file__).parent / "fixtures" / "sites.json").read_text(encoding="utf-8"))}
SPIDERS = spider_classes()
SITE_SPIDERS = sorted(n for n in SPIDERS if n != "news")
FAMILIES = (AIdSpider, Hex7Spider, PostSpider, NumIdSpider, CatIdSpider, MonthPathSpider, GenericSpider)

# Registry entries that are not a spider of their own, and why.
NOT_A_SPIDER = {"haugiang_portal": "unidentified portal: `scrapy crawl news -a url=…`"}
# Spiders beyond the registry's entries, with the example URLs shared/sites.md gives in its notes.
EXTRA = {
    "baoquangbinh": [  # sites.md, baoquangtri notes
        "https://baoquangbinh.vn/chinh-tri/201504/tap-trung-su-lanh-dao-cua-cap-uy-bao-dam-cho-dai-hoi-dang-cac-cap-thanh-cong-tot-dep-2124091/",
    ],
    "baobinhduong": [],  # sites.md, sggp row: "-a<id>.html" per a third-party config, no real URL
}
# Pre-merger papers whose registry `province` field names only the new province.
FORMER_NOT_IN_PROVINCE_FIELD = {"baoquangnam": "Quảng Nam"}  # sites.md: "folded into Báo Đà Nẵng 2025-07-01"
# Paths that are never articles on any of these sites.
NON_ARTICLE_PATHS = [
    "/", "/tim-kiem/?q=dai-hoi-dang", "/search?q=x", "/tag/dai-hoi-dang-bo-tinh-123.html",
    "/tags/chuyen-doi-so-va-cai-cach-456.html", "/rss/home.rss", "/rss/cate/thoi-su/",
    "/video/xem-video/ngay-hoi-cua-ca-mau-lan-thu-hai-1524.html", "/video/ngay-hoi-cua-ca-mau-lan-thu-hai-1524.html",
    "/files/bao-cao-tong-ket-nam-2024.pdf", "/thoi-su/", "/lien-he.html", "/dang-nhap/",
]


def spider(name, **kwargs):
    cls = SPIDERS[name]
    return cls.from_crawler(get_crawler(cls, {"ARCHIVE_DB": ""}), **kwargs)


def registry_province(entry) -> tuple[str, str | None]:
    """'Cần Thơ (former Hậu Giang)' → ('Cần Thơ', 'Hậu Giang'); 'Huế' → ('Huế', None)."""
    text = entry["province"]
    if text.startswith("national"):
        return "Toàn quốc", None
    province, _, rest = text.partition(" (")
    former = re.match(r"former ([^)]+)\)", rest)
    return province.strip(), former.group(1) if former else None


def first_url(text: str) -> str:
    return text.split()[0]


@pytest.mark.parametrize("name", SITE_SPIDERS)
def test_spider_states_its_facts(name):
    cls = SPIDERS[name]
    assert cls.paper and cls.domains and cls.province, name
    assert cls.former_province is None or (cls.former_province and cls.former_province != cls.province)
    assert issubclass(cls, FAMILIES), f"{name} is not built on a CMS family base"


def test_every_registry_entry_has_a_spider():
    missing = sorted(set(REGISTRY) - set(SPIDERS) - set(NOT_A_SPIDER))
    assert not missing, missing
    unexplained = sorted(set(SITE_SPIDERS) - set(REGISTRY) - set(EXTRA))
    assert not unexplained, unexplained


@pytest.mark.parametrize("name", sorted(REGISTRY.keys() & set(SPIDERS)))
def test_province_is_the_registrys(name):
    cls = SPIDERS[name]
    province, former = registry_province(REGISTRY[name])
    assert (cls.province, cls.former_province) == (province, former or FORMER_NOT_IN_PROVINCE_FIELD.get(name))


@pytest.mark.parametrize("name", SITE_SPIDERS)
def test_article_pattern_matches_registry_examples(name):
    entry = REGISTRY.get(name, {})
    s = spider(name)
    examples = [u for u in entry.get("example_article_urls", EXTRA.get(name, [])) if urlsplit(u).hostname]
    if entry.get("article_url_regex"):
        assert examples or entry["verification"].startswith("config only"), name
    for url in examples:
        assert s.classify(url) == ("article", url), url
    for url in map(first_url, entry.get("listing_urls", [])):
        kind = s.classify(url)
        assert kind is None or kind[0] == "listing", url
    for url in entry.get("example_other_urls") or []:
        assert s.classify(url) is None, url


@pytest.mark.parametrize("name", SITE_SPIDERS)
def test_article_pattern_refuses_listings_videos_and_other_sites(name):
    s = spider(name)
    domain = s.domains[0]
    for path in NON_ARTICLE_PATHS:
        kind = s.classify(f"https://{domain}{path}")
        assert kind is None or kind[0] == "listing", (path, kind)
    assert s.classify("https://example.org/ca-mau-khan-truong-thao-go-vuong-mac-a38376.html") is None
    assert s.classify(f"mailto:toasoan@{domain}") is None


@pytest.mark.parametrize("name", sorted(n for n in SITE_SPIDERS if REGISTRY.get(n, {}).get("article_url_regex")))
def test_article_pattern_agrees_with_the_registry_regex(name):
    """On the registry's examples and on same-shaped variants (other slug, other id), the
    spider and the registry's full-URL regex say the same."""
    entry, s = REGISTRY[name], spider(name)
    regex = re.compile(entry["article_url_regex"])
    for url in entry.get("example_article_urls", []):
        parts = urlsplit(url)
        variants = [url, url.replace(parts.path, re.sub(r"[a-z]+", "x", parts.path, count=1))]
        for v in variants:
            assert bool(regex.match(v)) == (s.classify(v) == ("article", v)), v


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


def test_pagination_form_is_a_fact():
    assert spider("baocamau").listing_url("/tin-moi/", 3) == "https://baocamau.vn/tin-moi/?page=3"
    assert spider("baoangiang").listing_url("/phong-su-anh/", 35) == "https://baoangiang.com.vn/phong-su-anh/?p=35"
    assert spider("baodaklak").listing_url("/khoa-hoc-cong-nghe/", 2) == "https://baodaklak.vn/khoa-hoc-cong-nghe/?paged=2"
    hue = spider("huengaynay")
    assert hue.listing_url("/du-lich/", 4) == "https://huengaynay.vn/du-lich/p/4"
    assert hue.listing_url("/du-lich/", 1) == "https://huengaynay.vn/du-lich/"


def test_page_links_of_a_path_form_are_not_articles():
    """'/thoi-su/trang-3.html' has the catid article shape; it is a page of a known section."""
    s = spider("baohaugiang")
    s._add_section("/thoi-su/")
    assert s.classify("https://baohaugiang.com.vn/thoi-su/trang-3.html") == ("listing", "/thoi-su/")
    assert s.classify("https://baohaugiang.com.vn/kinh-te/trang-3.html") is None  # not a section we know


def test_two_url_eras():
    s = spider("baoquangnam")
    assert s.classify("https://baoquangnam.vn/dem-tuoi-mot-cau-ca-3154504.html")[0] == "article"
    assert s.classify("https://baoquangnam.vn/xa-hoi/doc-gi-tren-bao-quang-nam-ngay-1392023-147743.html")[0] == "article"


def test_news_spider_takes_its_domain_from_the_url():
    with pytest.raises(ValueError, match="-a url="):
        spider("news")
    s = spider("news", url="https://www.haugiang.dcs.vn/tin-tuc/")
    assert s.domains == ("www.haugiang.dcs.vn", "haugiang.dcs.vn")
    assert s.start_paths == ("/tin-tuc/",)
    assert s.site == "haugiang.dcs.vn"
    assert s.classify("https://haugiang.dcs.vn/tin-tuc/hau-giang-phat-trien-kinh-te-xa-hoi-nam-2025-12345.html")[0] == "article"
    assert s.classify("https://haugiang.dcs.vn/tin-tuc/") == ("listing", "/tin-tuc/")
    assert s.classify("https://example.org/hau-giang-phat-trien-kinh-te-xa-hoi-12345.html") is None
    # a site with a spider of its own is filed under that spider's name
    assert spider("news", url="https://baocamau.vn/").site == "baocamau"
    stated = spider("news", url="http://127.0.0.1:8000/", article_path=r"^/bai/\d+$")
    assert stated.origin == "http://127.0.0.1:8000"
    assert stated.classify("http://127.0.0.1:8000/bai/12")[0] == "article"
    assert stated.classify("http://127.0.0.1:8000/hau-giang-phat-trien-kinh-te-xa-hoi-12345.html")[0] != "article"
