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


# Every spider's case: URLs written for this test in the shapes of the paper's real ones (the
# registry's examples where it has them, shared/sites.md notes, issues 8 and 20) — articles that
# must be taken as articles and listings that must be taken as listings — besides the registry's own.
SHAPES: dict[str, dict[str, list[str]]] = {
    "baoangiang": {"articles": [], "listings": ["https://baoangiang.com.vn/thoi-su/"]},
    "baoapbac": {  # issue 20: '/', nothing, '/index.htm'
        "articles": ["https://baoapbac.vn/kinh-te/202406/tien-giang-xuat-khau-trai-cay-tang-manh-1019339/",
                     "https://baoapbac.vn/xa-hoi/202406/tien-giang-xuat-khau-trai-cay-tang-manh-1019340",
                     "https://baoapbac.vn/van-hoa/201506/le-hoi-nghinh-ong-vam-lang-613140/index.htm"],
        "listings": ["https://baoapbac.vn/xa-hoi/", "https://baoapbac.vn/kinh-te/nong-nghiep/index.htm"],
    },
    "baobaclieu": {"articles": [], "listings": ["https://www.baobaclieu.vn/the-thao/"]},
    "baobacninhtv": {"articles": ["https://baobacninhtv.vn/bac-ninh-khoi-cong-du-an-nha-o-xa-hoi-postid412345.bbg"],
                     "listings": ["https://baobacninhtv.vn/thoi-su/"]},
    "baobinhduong": {"articles": ["https://baobinhduong.vn/binh-duong-don-nhan-huan-chuong-lao-dong-a312345.html"],
                     "listings": ["https://baobinhduong.vn/kinh-te/"]},
    "baocamau": {"articles": [], "listings": []},
    "baocantho": {"articles": [], "listings": []},
    "baocaobang": {"articles": ["https://baocaobang.vn/Cao-Bang-don-nhan-bang-cong-nhan-di-tich-3171234.html"],
                   "listings": ["https://baocaobang.vn/Thoi-su"]},
    "baodaklak": {"articles": [], "listings": []},
    "baodanang": {"articles": ["https://baodanang.vn/channel/5433/202304/gioi-tre-trai-nghiem-3942095/index.htm"],
                  "listings": ["https://baodanang.vn/thoi-su/"]},
    "baodienbienphu": {"articles": ["https://baodienbienphu.vn/tin-bai/chinh-tri/dien-bien-don-nhan-huan-chuong/"],
                       "listings": ["https://baodienbienphu.vn/chinh-tri/"]},
    "baodongkhoi": {"articles": [], "listings": []},
    "baodongnai": {  # issue 20: hex7 endings with or without the slash, under a sub-section too
        "articles": ["https://baodongnai.com.vn/kinh-te/202503/dong-nai-khoi-cong-san-bay-long-thanh-3b1f2a9/",
                     "https://baodongnai.com.vn/xa-hoi/giao-duc/202503/dong-nai-tuyen-sinh-lop-10-c0ffee1",
                     "https://baodongnai.com.vn/chinh-tri/202105/dai-hoi-dang-bo-tinh/"],
        "listings": ["https://baodongnai.com.vn/kinh-te/", "https://baodongnai.com.vn/xa-hoi/giao-duc/"],
    },
    "baodongthap": {"articles": [], "listings": ["https://baodongthap.vn/kinh-te/"]},
    "baogialai": {"articles": [], "listings": ["https://baogialai.com.vn/thoi-su/"]},
    "baohaiphong": {"articles": ["https://baohaiphong.vn/hai-phong-khoi-cong-cau-nguyen-trai-512345.html"],
                    "listings": ["https://baohaiphong.vn/kinh-te.html"]},
    "baohatinh": {"articles": ["https://baohatinh.vn/ha-tinh-don-nhan-bang-xep-hang-di-tich-post301234.html"],
                  "listings": ["https://baohatinh.vn/thoi-su/"]},
    "baohaugiang": {"articles": [], "listings": []},
    "baohungyen": {"articles": ["https://baohungyen.vn/hung-yen-thu-hoach-nhan-long-dau-mua-3181234.html"],
                   "listings": ["https://baohungyen.vn/kinh-te/"]},
    "baokhanhhoa": {"articles": ["https://baokhanhhoa.vn/xa-hoi/202508/nha-trang-don-khach-quoc-te-8e2f0a1/"],
                    "listings": ["https://baokhanhhoa.vn/xa-hoi/"]},
    "baolaichau": {  # issue 20: /<cat>/<slug>-<6 digits>.html is an article
        "articles": ["https://baolaichau.vn/chinh-tri/lai-chau-don-nhan-huan-chuong-lao-dong-123456",
                     "https://baolaichau.vn/kinh-te/lai-chau-phat-trien-cay-che-shan-tuyet-612345.html"],
        "listings": ["https://baolaichau.vn/chinh-tri/", "https://baolaichau.vn/chu-de/che-shan-tuyet-12.html"],
    },
    "baolamdong": {  # issue 20: English slugs on the main host
        "articles": ["https://baolamdong.vn/da-lat-welcomes-record-number-of-visitors-during-festival-456123.html",
                     "https://baolamdong.vn/english/202405/da-lat-flower-festival-opens-a1b2c3d/"],
        "listings": ["https://baolamdong.vn/xa-hoi/"],
    },
    "baolangson": {  # issue 20: /<cat>/<slug>-<6 digits>.html is an article
        "articles": ["https://baolangson.vn/lang-son-don-nhan-bang-xep-hang-di-tich-512345.html",
                     "https://baolangson.vn/kinh-te/lang-son-xuat-khau-na-chi-lang-612345.html"],
        "listings": ["https://baolangson.vn/kinh-te/", "https://baolangson.vn/chu-de/na-chi-lang-12.html"],
    },
    "baolaocai": {"articles": ["https://baolaocai.vn/sa-pa-don-luot-khach-thu-mot-trieu-post401234.html"],
                  "listings": ["https://baolaocai.vn/du-lich/"]},
    "baolongan": {"articles": [], "listings": ["https://baolongan.vn/kinh-te/"]},
    "baonghean": {"articles": ["https://baonghean.vn/nghe-an-don-nhan-bang-xep-hang-post301234.html"],
                  "listings": ["https://baonghean.vn/thoi-su/"]},
    "baoninhbinh": {  # issue 20: the d<17 digits> era besides d<14 digits>
        "articles": ["https://baoninhbinh.org.vn/trang-an-mua-le-hoi/d20150301170000.htm",
                     "https://baoninhbinh.org.vn/trang-an-mua-le-hoi/d20150301170000123.htm",
                     "https://baoninhbinh.org.vn/ninh-binh-don-nhan-bang-di-san-the-gioi-202507151230123.html"],
        "listings": ["https://baoninhbinh.org.vn/du-lich/"],
    },
    "baophutho": {"articles": ["https://baophutho.vn/phu-tho-don-nhan-di-san-hat-xoan-212345.htm"],
                  "listings": ["https://baophutho.vn/kinh-te/"]},
    "baoquangbinh": {"articles": ["https://baoquangbinh.vn/xa-hoi/201506/le-hoi-dau-xuan-2125091/index.htm"],
                     "listings": ["https://baoquangbinh.vn/chinh-tri/"]},
    "baoquangnam": {"articles": [], "listings": ["https://baoquangnam.vn/xa-hoi/"]},
    "baoquangngai": {  # issue 20: the /channel/ era (2021) and the hex7 era (2023)
        "articles": ["https://baoquangngai.vn/channel/2025/202103/quang-ngai-don-tet-3041234/",
                     "https://baoquangngai.vn/kinh-te/202308/truy-xuat-nguon-goc-thuy-san-3bc1af9"],
        "listings": ["https://baoquangngai.vn/kinh-te/"],
    },
    "baoquangninh": {"articles": ["https://baoquangninh.vn/ha-long-don-luot-khach-quoc-te-dau-tien-3312345.html"],
                     "listings": ["https://baoquangninh.vn/du-lich/"]},
    "baoquangtri": {  # issue 20: /<slug>-<id>.htm; listings /<cat>/<sub>[/index.html]; Quảng Bình's sections
        "articles": ["https://baoquangtri.vn/quang-tri-don-nhan-bang-xep-hang-di-tich-197123.htm",
                     "https://baoquangtri.vn/chinh-tri/201504/tap-trung-su-lanh-dao-cua-cap-uy-2124091/"],
        "listings": ["https://baoquangtri.vn/van-hoa/tap-but", "https://baoquangtri.vn/quang-binh/thoi-su/index.html"],
    },
    "baosoctrang": {"articles": [], "listings": ["https://baosoctrang.org.vn/van-hoa-the-thao-du-lich/"]},
    "baosonla": {"articles": ["https://baosonla.vn/kinh-te/son-la-xuat-khau-xoai-sang-uc-a1234.html"],
                 "listings": ["https://baosonla.vn/kinh-te.html"]},
    "baotayninh": {"articles": [], "listings": ["https://baotayninh.vn/kinh-te/"]},
    "baothainguyen": {  # issue 20: hex7 endings; the Bắc Kạn edition's -post<id>.html and topic hubs
        "articles": ["https://baothainguyen.vn/kinh-te/202506/thai-nguyen-thu-hoach-che-vu-xuan-5a7b9c1",
                     "https://baothainguyen.vn/xa-hoi/giao-duc/202506/thai-nguyen-tuyen-sinh-lop-10-5a7b9c2/",
                     "https://bbk.baothainguyen.vn/bac-kan-don-nhan-bang-xep-hang-di-tich-post123456.html"],
        "listings": ["https://baothainguyen.vn/kinh-te/", "https://bbk.baothainguyen.vn/chu-de/ho-ba-be-12.html"],
    },
    "baothanhhoa": {"articles": ["https://baothanhhoa.vn/thanh-hoa-khoi-cong-cao-toc-bac-nam-212345.htm"],
                    "listings": ["https://baothanhhoa.vn/thoi-su.htm"]},
    "baotuyenquang": {"articles": ["https://baotuyenquang.com.vn/chinh-tri/202405/tuyen-quang-don-nhan-huan-chuong/"],
                      "listings": ["https://baotuyenquang.com.vn/chinh-tri/"]},
    "baovinhlong": {"articles": [], "listings": []},
    "baoxaydung": {"articles": [], "listings": ["https://baoxaydung.vn/bat-dong-san.htm"]},
    "hanoimoi": {"articles": ["https://hanoimoi.vn/ha-noi-khoi-cong-vanh-dai-4-712345.html"],
                 "listings": ["https://hanoimoi.vn/chinh-tri.html"]},
    "huengaynay": {"articles": [], "listings": ["https://huengaynay.vn/du-lich/"]},
    "sggp": {"articles": ["https://www.sggp.org.vn/thanh-pho-khoi-cong-du-an-chong-ngap-post791234.html"],
             "listings": ["https://www.sggp.org.vn/xahoi/"]},
    "travinh_baovinhlong": {"articles": ["https://travinh.baovinhlong.vn/tra-vinh-don-nhan-bang-xep-hang-a123456.html"],
                            "listings": ["https://travinh.baovinhlong.vn/kinh-te/"]},
}


def test_every_spider_has_a_case():
    assert sorted(SHAPES) == SITE_SPIDERS


@pytest.mark.parametrize("name", SITE_SPIDERS)
def test_article_pattern_matches_registry_examples(name):
    """The registry's and SHAPES' articles are taken as articles, their listings as listings; a
    case with nothing to check fails."""
    entry = REGISTRY.get(name, {})
    s = spider(name)
    examples = [u for u in entry.get("example_article_urls", EXTRA.get(name, [])) if urlsplit(u).hostname]
    if entry.get("article_url_regex"):
        assert examples or entry["verification"].startswith("config only"), name
    articles = examples + SHAPES[name]["articles"]
    # the registry's search-result pages are listings the spider denies (never followed)
    listings = SHAPES[name]["listings"] + [u for u in map(first_url, entry.get("listing_urls", []))
                                           if not s.rules.deny_re.search(urlsplit(u).path)]
    assert articles and listings, f"{name}: the case has nothing to check"
    for url in articles:
        assert s.rules.classify(url) == ("article", url), url
    for url in listings:
        kind = s.rules.classify(url)
        assert kind is not None and kind[0] == "listing", (url, kind)
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
            "https://baoninhbinh.org.vn/trang-an-mua-le-hoi/d20120301170000123.htm",  # the d<17 digits> era
        ],
        "not_articles": [
            "https://baoninhbinh.org.vn/trang-an-mua-le-hoi/d2019051208301.htm",  # 13 digits
            "https://baoninhbinh.org.vn/trang-an-mua-le-hoi/d201905120830155.htm",  # 15 digits
            "https://baoninhbinh.org.vn/trang-an-mua-le-hoi/d2019051208301551.htm",  # 16 digits
            "https://baoninhbinh.org.vn/trang-an-mua-le-hoi/d201905120830155123.htm",  # 18 digits
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
    # issue 20
    "baoapbac": {
        "articles": ["https://baoapbac.vn/kinh-te/202406/tien-giang-xuat-khau-trai-cay-1019339/index.html"],
        "not_articles": ["https://baoapbac.vn/kinh-te/202406/", "https://baoapbac.vn/kinh-te/2024/tien-giang-xuat-khau-1019339/",
                         "https://baoapbac.vn/kinh-te/202406/tien-giang-xuat-khau-1019339/anh/"],
        "never": ["https://baoapbac.vn/xa-hoi/index.rss", "https://baoapbac.vn/video/202406/tien-giang-xuat-khau-1019339/"],
    },
    "baoquangtri": {
        "articles": ["https://baoquangtri.vn/khoa-hoc-cong-nghe/202508/khoi-day-dam-me-9344c18/index.htm"],
        "not_articles": ["https://baoquangtri.vn/van-hoa/tap-but/index.html", "https://baoquangtri.vn/van-hoa-197123.html",
                         "https://baoquangtri.vn/van-hoa/quang-tri-don-nhan-197123.htm"],
        "never": ["https://baoquangtri.vn/multimedia/podcast/202508/ban-tin-sang-9344c19/",
                  "https://baoquangtri.vn/multimedia/video/202508/le-hoi-9344c1a/",
                  "https://baoquangtri.vn/podcast/ban-tin-sang-197124.htm"],
    },
    "baothainguyen": {
        "articles": ["https://bbk.baothainguyen.vn/xa-hoi/bac-kan-don-nhan-bang-xep-hang-post123457.html"],
        "not_articles": ["https://bbk.baothainguyen.vn/chu-de/ho-ba-be-12.html",
                         "https://bbk.baothainguyen.vn/bac-kan-don-nhan-bang-xep-hang-123456.html"],
        "never": ["https://bbk.baothainguyen.vn/tu-khoa/ho-ba-be-post123.html",
                  "https://baothainguyen.vn/multimedia/podcast/202506/ban-tin-5a7b9c3/"],
    },
    "baoquangngai": {
        "articles": ["https://baoquangngai.vn/channel/2025/202103/quang-ngai-don-tet-3041234",
                     "https://baoquangngai.vn/o-dau-cung-la-que-huong-54385.htm"],
        "not_articles": ["https://baoquangngai.vn/channel/2025/", "https://baoquangngai.vn/channel/2025/202103/"],
        "never": ["https://baoquangngai.vn/multimedia/podcast/202311/song-lanh-manh-e670e32/"],
    },
    "baolaichau": {
        "articles": ["https://baolaichau.vn/van-hoa/le-hoi-nang-han-cua-nguoi-lu-654321.html"],
        "not_articles": ["https://baolaichau.vn/chu-de/le-hoi-12.html", "https://baolaichau.vn/van-hoa.html"],
        "never": ["https://baolaichau.vn/video/le-hoi-nang-han-654322.html"],
    },
    "baolangson": {
        "articles": ["https://baolangson.vn/van-hoa/le-hoi-long-tong-654321.html"],
        "not_articles": ["https://baolangson.vn/chu-de/le-hoi-12.html", "https://baolangson.vn/van-hoa/le-hoi-654321.htm"],
        "never": ["https://baolangson.vn/podcast/le-hoi-long-tong-654322.html"],
    },
    "baodongnai": {
        "articles": ["https://baodongnai.com.vn/kinh-te/202503/dong-nai-khoi-cong-san-bay-3b1f2a9"],
        "not_articles": ["https://baodongnai.com.vn/kinh-te/202503/", "https://baodongnai.com.vn/kinh-te/2025/dong-nai-khoi-cong-3b1f2a9/"],
        "never": ["https://baodongnai.com.vn/multimedia/podcast/202503/ban-tin-3b1f2aa/"],
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
    "baothainguyen": ["bbk.baothainguyen.vn"],  # the former Báo Bắc Kạn, an edition (issue 20)
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
