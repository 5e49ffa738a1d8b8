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
from crawler.spiders.families import FAMILIES, FamilySpider, deny

REGISTRY = {e["key"]: e for e in json.loads((Path(__file__).parent / "fixtures" / "sites.json").read_text(encoding="utf-8"))}
SPIDERS = spider_classes()
SITE_SPIDERS = sorted(n for n in SPIDERS if n != "news")
FAMILIES_BASES = (AIdSpider, Hex7Spider, PostSpider, NumIdSpider, CatIdSpider, MonthPathSpider, GenericSpider)

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
    assert issubclass(cls, FAMILIES_BASES), f"{name} is not built on a CMS family base"


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
        assert s.rules.classify(url) == ("article", url), url
    for url in map(first_url, entry.get("listing_urls", [])):
        kind = s.rules.classify(url)
        assert kind is None or kind[0] == "listing", url
    for url in entry.get("example_other_urls") or []:
        assert s.rules.classify(url) is None, url


@pytest.mark.parametrize("name", SITE_SPIDERS)
def test_article_pattern_refuses_listings_videos_and_other_sites(name):
    s = spider(name)
    domain = s.domains[0]
    for path in NON_ARTICLE_PATHS:
        kind = s.rules.classify(f"https://{domain}{path}")
        assert kind is None or kind[0] == "listing", (path, kind)
    assert s.rules.classify("https://example.org/ca-mau-khan-truong-thao-go-vuong-mac-a38376.html") is None
    assert s.rules.classify(f"mailto:toasoan@{domain}") is None


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
            assert bool(regex.match(v)) == (s.rules.classify(v) == ("article", v)), v


def test_baocamau_refuses_video_offsite_binary_and_search_urls():
    s = spider("baocamau")
    for url in [
        "https://baocamau.vn/video/xem-video/don-94-nguoi-ca-mau-ve-que-an-toan-1524.html",
        "https://example.org/tin-a5.html",
        "https://baocamau.vn/files/bao-cao.pdf",
        "https://baocamau.vn/tim-kiem/?q=ca-mau",
        "mailto:toasoan@baocamau.vn",
    ]:
        assert s.rules.classify(url) is None, url
    assert s.rules.classify("https://baocamau.vn/chinh-tri/xay-dung-dang/?page=43") == ("listing", "/chinh-tri/xay-dung-dang/")


def test_base_url_rewrites_the_sites_own_absolute_links_to_the_mirror():
    s = spider("baocamau", base_url="http://127.0.0.1:8765/")
    assert s.allowed_domains == ["127.0.0.1"]
    assert s.rules.classify("https://baocamau.vn/a-a1.html?utm_source=x") == ("article", "http://127.0.0.1:8765/a-a1.html")
    assert s.rules.classify("http://127.0.0.1:8765/a-a1.html#c") == ("article", "http://127.0.0.1:8765/a-a1.html")
    assert s.rules.classify("http://127.0.0.1:9999/a-a1.html") is None


def test_bad_since_is_a_clear_error():
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        spider("baocamau", since="23/07/2025")


def test_pagination_form_is_a_fact():
    assert spider("baocamau").rules.listing_url("/tin-moi/", 3) == "https://baocamau.vn/tin-moi/?page=3"
    assert spider("baoangiang").rules.listing_url("/phong-su-anh/", 35) == "https://baoangiang.com.vn/phong-su-anh/?p=35"
    assert spider("baodaklak").rules.listing_url("/khoa-hoc-cong-nghe/", 2) == "https://baodaklak.vn/khoa-hoc-cong-nghe/?paged=2"
    hue = spider("huengaynay")
    assert hue.rules.listing_url("/du-lich/", 4) == "https://huengaynay.vn/du-lich/p/4"
    assert hue.rules.listing_url("/du-lich/", 1) == "https://huengaynay.vn/du-lich/"


def test_page_links_of_a_path_form_are_not_articles():
    """'/thoi-su/trang-3.html' has the catid article shape; it is a page of a known section."""
    s = spider("baohaugiang")
    s.rules.add_section("/thoi-su/")
    assert s.rules.classify("https://baohaugiang.com.vn/thoi-su/trang-3.html") == ("listing", "/thoi-su/")
    assert s.rules.classify("https://baohaugiang.com.vn/kinh-te/trang-3.html") is None  # not a section we know


def test_two_url_eras():
    s = spider("baoquangnam")
    assert s.rules.classify("https://baoquangnam.vn/dem-tuoi-mot-cau-ca-3154504.html")[0] == "article"
    assert s.rules.classify("https://baoquangnam.vn/xa-hoi/doc-gi-tren-bao-quang-nam-ngay-1392023-147743.html")[0] == "article"


def test_news_spider_takes_its_domain_from_the_url():
    with pytest.raises(ValueError, match="-a url="):
        spider("news")
    s = spider("news", url="https://www.haugiang.dcs.vn/tin-tuc/")
    assert s.domains == ("www.haugiang.dcs.vn", "haugiang.dcs.vn")
    assert s.start_paths == ("/tin-tuc/",)
    assert s.site == "haugiang.dcs.vn"
    assert s.rules.classify("https://haugiang.dcs.vn/tin-tuc/hau-giang-phat-trien-kinh-te-xa-hoi-nam-2025-12345.html")[0] == "article"
    assert s.rules.classify("https://haugiang.dcs.vn/tin-tuc/") == ("listing", "/tin-tuc/")
    assert s.rules.classify("https://example.org/hau-giang-phat-trien-kinh-te-xa-hoi-12345.html") is None
    # a site with a spider of its own is filed under that spider's name
    assert spider("news", url="https://baocamau.vn/").site == "baocamau"
    stated = spider("news", url="http://127.0.0.1:8000/", article_path=r"^/bai/\d+$")
    assert stated.origin == "http://127.0.0.1:8000"
    assert stated.rules.classify("http://127.0.0.1:8000/bai/12")[0] == "article"
    assert stated.rules.classify("http://127.0.0.1:8000/hau-giang-phat-trien-kinh-te-xa-hoi-12345.html")[0] != "article"


# --- URL eras and domains: every shape a paper used over the years ---------------------------------
# URLs written for these tests in the shapes of real ones (issue 8, shared/sites.md): each spider's
# `articles` are taken as articles, `never` are not followed at all (tags, classified ads, videos),
# `not_articles` are near misses of an era's shape that must not be taken as articles.

ERAS = {
    "sggp": {
        "articles": [
            "https://www.sggp.org.vn/thanh-pho-khoi-cong-du-an-chong-ngap-post791234.html",  # today
            "https://www.sggp.org.vn/tphcm-trien-khai-ke-hoach-chong-ngap-mua-mua-2019-598765.html",  # 2019
            "https://sggp.org.vn/nguoi-dan-don-tet-som-600123.html",
        ],
        "not_articles": [
            "https://www.sggp.org.vn/tphcm-trien-khai-ke-hoach-chong-ngap-59876.html",  # 5 digits
            "https://www.sggp.org.vn/tphcm-trien-khai-ke-hoach-chong-ngap-5987654.html",  # 7 digits
            "https://www.sggp.org.vn/xahoi/tphcm-trien-khai-ke-hoach-chong-ngap-598765.html",  # a folder
            "https://www.sggp.org.vn/tphcm-trien-khai-ke-hoach-chong-ngap-598765.htm",
        ],
        "never": ["https://www.sggp.org.vn/tag/chong-ngap-598765.html"],
    },
    "baonghean": {
        "articles": [
            "https://baonghean.vn/nghe-an-don-nhan-bang-xep-hang-di-tich-quoc-gia-285123.html",
            "https://baonghean.vn/nghe-an-don-nhan-bang-xep-hang-di-tich-quoc-gia-post301234.html",
            "https://baonghean.vn/dai-hoi-dang-bo-tinh-nghe-an-event12345.html",
        ],
        "not_articles": [
            "https://baonghean.vn/chinh-tri/nghe-an-don-nhan-bang-xep-hang-post301234.html",
            "https://baonghean.vn/nghe-an-don-nhan-bang-xep-hang-post.html",
        ],
        "never": ["https://baonghean.vn/tu-khoa/nghe-an-tag301234.html"],
    },
    "baoquangninh": {
        "articles": [
            "https://baoquangninh.vn/ha-long-don-luot-khach-quoc-te-dau-tien-3312345.html",
            "https://baoquangninh.vn/ha-long-don-luot-khach-quoc-te-dau-tien-post212345.html",
        ],
        "not_articles": [
            "https://baoquangninh.vn/du-lich/ha-long-don-luot-khach-post212345.html",
            "https://baoquangninh.vn/ha-long-don-luot-khach-post212345.htm",
        ],
        "never": ["https://baoquangninh.vn/tags/ha-long-post212345.html"],
    },
    "baoninhbinh": {
        "articles": [
            "https://baoninhbinh.org.vn/ninh-binh-don-nhan-bang-di-san-the-gioi-202507151230123.html",
            "https://baoninhbinh.org.vn/ninh-binh-don-nhan-danh-hieu-di-san/d20190512083015.htm",
            "https://baoninhbinh.org.vn/trang-an-mua-le-hoi/d20150301170000.htm",
        ],
        "not_articles": [
            "https://baoninhbinh.org.vn/trang-an-mua-le-hoi/d2019051208301.htm",  # 13 digits
            "https://baoninhbinh.org.vn/trang-an-mua-le-hoi/d201905120830155.htm",  # 15 digits
            "https://baoninhbinh.org.vn/trang-an-mua-le-hoi/d20190512083015.html",
            "https://baoninhbinh.org.vn/trang-an-mua-le-hoi/20190512083015.htm",
            "https://baoninhbinh.org.vn/du-lich/trang-an/d20190512083015.htm",  # two folders
        ],
        "never": ["https://baoninhbinh.org.vn/bao-in/so-1234/d20190512083015.htm",
                  "https://baoninhbinh.org.vn/doc-bao-in/d20190512083015.htm"],
    },
    "baohungyen": {
        "articles": [
            "https://baohungyen.vn/hung-yen-thu-hoach-nhan-long-dau-mua-3181234.html",
            "https://baohungyen.vn/kinh-te/202307/hung-yen-thu-hoach-nhan-long-dau-mua-a1b2c3d/",
            "https://baohungyen.vn/chinh-tri/202112/dai-hoi-dang-bo-tinh-hung-yen-0f3e9a1",
        ],
        "not_articles": [
            "https://baohungyen.vn/kinh-te/202307/hung-yen-thu-hoach-nhan-long-12345/",  # 5 hex
            "https://baohungyen.vn/kinh-te/202307/hung-yen-thu-hoach-nhan-long-xyz1234/",  # not hex
            "https://baohungyen.vn/kinh-te/2023/hung-yen-thu-hoach-nhan-long-a1b2c3d/",  # not yyyymm
        ],
        "never": ["https://baohungyen.vn/video/202307/hung-yen-thu-hoach-nhan-long-a1b2c3d/"],
    },
    "baodaklak": {
        "articles": [
            "https://baodaklak.vn/chinh-tri/202602/ban-thuong-vu-tinh-uy-gap-mat-chuc-tet-7617c5c/",
            "https://phuyen.baodaklak.vn/xa-hoi/202509/tuy-hoa-don-khach-du-lich-dau-mua-4c2e1f0/",
            "https://phuyen.baodaklak.vn/62/331245/tuy-hoa-don-khach-du-lich-dau-mua/",
            "https://baophuyen.vn/62/321456/phu-yen-don-nhan-bang-xep-hang-di-tich-quoc-gia/",
            "https://www.baophuyen.vn/5/298765/ghenh-da-dia-mua-du-lich",
            # the vendor's other multimedia pages (baosoctrang: /multimedia/<yyyymm>/…) are articles
            "https://baodaklak.vn/multimedia/202602/emagazine-mua-xuan-tren-cao-nguyen-b067013/",
        ],
        "not_articles": [
            "https://baophuyen.vn/tin-tuc/321456/phu-yen-don-nhan-bang-xep-hang/",  # cat id is a number
            "https://baophuyen.vn/62/321456/",
            "https://baophuyen.vn/62/321456/phu-yen-don-nhan/anh/",
        ],
        "never": [
            "https://baodaklak.vn/multimedia/video/202602/le-hoi-ca-phe-buon-ma-thuot-2026-1a2b3c4/",
            "https://baodaklak.vn/multimedia/infographic/202602/kinh-te-dak-lak-nam-2025-5d6e7f8/",
            "https://phuyen.baodaklak.vn/multimedia/video/202509/le-hoi-cau-ngu-9a8b7c6/",
            "https://phuyen.baodaklak.vn/multimedia/infographic/62/331246/kinh-te-phu-yen-2025/",
            "https://baophuyen.vn/multimedia/video/62/321457/le-hoi-cau-ngu/",
            "https://baophuyen.vn/multimedia/infographic/",
        ],
    },
    "baolaocai": {
        "articles": [
            "https://baolaocai.vn/sa-pa-don-luot-khach-thu-mot-trieu-post401234.html",
            "https://baolaocai.vn/kinh-te/sa-pa-don-luot-khach-thu-mot-trieu-post401235.html",
        ],
        "not_articles": [
            "https://baolaocai.vn/sa-pa-don-luot-khach-thu-mot-trieu-tag401234.html",
            "https://baolaocai.vn/sa-pa-don-luot-khach-thu-mot-trieu-401234.html",
            "https://baolaocai.vn/sa-pa-don-luot-khach-thu-mot-trieu-post401234.htm",
        ],
        "never": [
            "https://baolaocai.vn/tu-khoa/sa-pa-tag1234.html",
            "https://baolaocai.vn/tu-khoa/du-lich-sa-pa-post-tag56789.html",
            "https://baolaocai.vn/tu-khoa/du-lich-sa-pa-post56789.html",  # a tag page, whatever it ends in
        ],
    },
    "baocantho": {  # sites.md notes: classifieds, event hubs and the Khmer and English editions
        "articles": ["https://baocantho.com.vn/-infographics-can-tho-don-tet-a196545.html"],
        "not_articles": [
            "https://baocantho.com.vn/rao-vat-ban-nha-hem-30-thang-4-ninh-kieu-12.html",
            "https://baocantho.com.vn/su-kien/dai-hoi-dang-bo-thanh-pho-can-tho.123.html",
        ],
        "never": [
            "https://baocantho.com.vn/khmer/detail-a182477.html",
            "https://baocantho.com.vn/news/can-tho-welcomes-the-new-year-a182478.html",
            "https://baocantho.com.vn/rao-vat/ban-nha-hem-30-thang-4-a12.html",
        ],
    },
    "hanoimoi": {  # registry: -event<id>.html are topic hubs
        "articles": ["https://hanoimoi.vn/ha-noi-khoi-cong-vanh-dai-4-712345.html"],
        "not_articles": ["https://hanoimoi.vn/dai-hoi-dang-bo-thanh-pho-ha-noi-event12345.html"],
        "never": [],
    },
    "baotuyenquang": {
        "articles": ["https://baotuyenquang.com.vn/chinh-tri/202405/tuyen-quang-don-nhan-huan-chuong-lao-dong/"],
        "not_articles": [],
        "never": [
            "https://baotuyenquang.com.vn/rao-vat/202405/ban-dat-tho-cu-phuong-minh-xuan/",
            "https://baotuyenquang.com.vn/rao-vat/nha-dat/202405/cho-thue-nha-mat-duong-17-8/",
            "https://baotuyenquang.com.vn/rao-vat/",
        ],
    },
}


@pytest.mark.parametrize("name", sorted(ERAS))
def test_every_url_era_of_a_paper_is_taken_and_nothing_else(name):
    s, era = spider(name), ERAS[name]
    for url in era["articles"]:
        assert s.rules.classify(url) == ("article", url), url
    for url in era["not_articles"]:
        kind = s.rules.classify(url)
        assert kind is None or kind[0] == "listing", (url, kind)
    for url in era["never"]:
        assert s.rules.classify(url) is None, url


def test_eras_are_a_papers_own():
    """An era added to one paper does not leak into its family: sggp's 2019 shape is not
    baogialai's, baoninhbinh's d<14 digits>.htm not baoxaydung's, Phú Yên's ids not baosoctrang's."""
    assert spider("baogialai").rules.classify("https://baogialai.com.vn/nguoi-dan-don-tet-som-600123.html") != (
        "article", "https://baogialai.com.vn/nguoi-dan-don-tet-som-600123.html")
    assert spider("baoxaydung").rules.classify("https://baoxaydung.vn/trang-an/d20190512083015.htm")[0] != "article"
    assert spider("baosoctrang").rules.classify("https://baosoctrang.org.vn/62/321456/soc-trang-don-khach/") is None


# Domains a paper moved from or publishes an edition on (shared/sites.md "Domains" and notes,
# issue 8): each is the same spider's, so links to it are followed and its records filed there.
OLD_DOMAINS = {
    "baodaklak": ["phuyen.baodaklak.vn", "baophuyen.vn"],  # the Phú Yên edition and Báo Phú Yên's own site
    "baocamau": ["baocamau.com.vn"],
    "baoxaydung": ["baoxaydung.com.vn"],
    "huengaynay": ["baothuathienhue.vn"],
    "baohaiphong": ["baohaiphong.com.vn"],
    "baodienbienphu": ["baodienbienphu.info.vn"],
    "travinh_baovinhlong": ["baotravinh.vn"],
    "baogialai": ["baobinhdinh.vn"],
    "baodongkhoi": ["baodongkhoi.vn"],
}


def _offsite_filter(s):
    from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware

    s.crawler.spider = s
    mw = OffsiteMiddleware.from_crawler(s.crawler)
    mw.spider_opened(s)
    return mw


@pytest.mark.parametrize("name", sorted(OLD_DOMAINS))
def test_a_papers_old_domains_are_its_own(name):
    from scrapy import Request
    from scrapy.exceptions import IgnoreRequest

    from crawler.sites import site_for_url

    s = spider(name)
    offsite = _offsite_filter(s)
    for domain in OLD_DOMAINS[name]:
        assert domain in s.domains
        for host in (domain, f"www.{domain}"):
            home = f"https://{host}/"
            assert s.rules.own_url(home) == home, host  # the spider's own check: links to it are followed
            offsite.process_request(Request(home))  # Scrapy's offsite check lets it through
            assert site_for_url(home) == name  # `news` and `import` file its pages under this paper
        for stranger in (f"https://{domain}.example.org/", f"https://{domain.replace('.', '-')}.com/"):
            assert s.rules.own_url(stranger) is None
            with pytest.raises(IgnoreRequest):
                offsite.process_request(Request(stranger))


def test_old_domains_are_rewritten_to_a_mirror_like_the_current_one():
    s = spider("baodaklak", base_url="http://127.0.0.1:8765/")
    assert s.rules.classify("https://baophuyen.vn/62/321456/phu-yen-don-nhan-bang/") == (
        "article", "http://127.0.0.1:8765/62/321456/phu-yen-don-nhan-bang/")
    assert s.rules.classify("https://phuyen.baodaklak.vn/multimedia/video/202509/le-hoi-cau-ngu-9a8b7c6/") is None


def test_no_domain_belongs_to_two_spiders():
    owners: dict[str, set[str]] = {}
    for name in SITE_SPIDERS:
        for domain in SPIDERS[name].domains:
            owners.setdefault(domain.removeprefix("www."), set()).add(name)
    assert {d: n for d, n in owners.items() if len(n) > 1} == {}


def test_a_family_is_a_row_of_data():
    """Each family's base spider is its FAMILIES row, attribute for attribute; a site's own fact
    wins over its family's; the other families are untouched by it."""
    import importlib

    assert set(FAMILIES) == {cls.__module__.rsplit(".", 1)[1] for cls in FAMILIES_BASES}
    for cls in FAMILIES_BASES:
        row = FAMILIES[cls.__module__.rsplit(".", 1)[1]]
        assert cls.family is row and issubclass(cls, FamilySpider)
        assert getattr(importlib.import_module(cls.__module__), cls.__name__) is cls
        for attr, value in row.attributes().items():
            assert getattr(cls, attr) == value, (cls.__name__, attr)
    assert SPIDERS["baoninhbinh"].article_path != NumIdSpider.article_path == FAMILIES["numid"].article_path
    assert SPIDERS["baocamau"].start_paths == AIdSpider.start_paths == ("/", "/tin-moi/")
    assert GenericSpider.section_depth == 2 and NumIdSpider.section_depth is None


def test_deny_takes_path_prefixes_only():
    rx = re.compile(deny("bao-in", "multimedia/video"))
    for path in ("/bao-in/", "/bao-in.html", "/multimedia/video/x-1/", "/tu-khoa/x-tag1.html", "/rao-vat/"):
        assert rx.search(path), path
    for path in ("/bao-in-dac-biet-123.html", "/multimedia/202401/x-1234567/", "/multimedia/videos/"):
        assert not rx.search(path), path
    with pytest.raises(ValueError, match="path prefixes"):
        deny("bao-in|.*")


def family_of(cls) -> str:
    return next(k.__dict__["family"].key for k in cls.__mro__ if "family" in k.__dict__)


@pytest.mark.parametrize("doc", ["README.md", "docs/sites.md"])
def test_the_family_tables_say_where_each_spider_is(doc):
    """The README's and docs/sites.md's family tables name each spider in its family's row."""
    text = (Path(__file__).parent.parent / doc).read_text(encoding="utf-8")
    rows = {m[1]: m[2] for m in re.finditer(r"^\| `(\w+)` \| [^|]+ \|(.*)\|$", text, re.M) if m[1] in FAMILIES}
    assert set(rows) == set(FAMILIES), doc
    for name in SITE_SPIDERS:
        rows_naming = {key for key, row in rows.items() if re.search(rf"(?<![\w`]){name}(?![\w`])|`{name}`", row)}
        assert rows_naming == {family_of(SPIDERS[name])}, (doc, name, rows_naming)
