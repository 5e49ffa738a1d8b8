"""Discovery helpers (crawler/spiders/discovery.py) and the robots.txt hook (crawler/middlewares/robots.py)."""

import gzip
import json
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from scrapy.http import Response, TextResponse, XmlResponse

from crawler.spiders.discovery import (
    ARTICLE_GUESS,
    PAGE_FORMS,
    entry_date,
    feed_entries,
    infer_page_form,
    page_link,
    page_url,
    path_shape,
    path_stem,
    sitemap_body,
    sitemap_entries,
)
from crawler.middlewares.robots import SitemapRobotParser

REGISTRY = json.loads((Path(__file__).parent / "fixtures" / "sites.json").read_text(encoding="utf-8"))


# --- pagination forms ---------------------------------------------------------------------------


@pytest.mark.parametrize("path, stem", [
    ("/thoi-su/", "/thoi-su"), ("/thoi-su", "/thoi-su"), ("/thoi-su-215.html", "/thoi-su-215"),
    ("/kinh-te.htm", "/kinh-te"), ("/van-hoa/tap-but/index.html", "/van-hoa/tap-but"), ("/", "/"),
])
def test_path_stem(path, stem):
    assert path_stem(path) == stem


@pytest.mark.parametrize("form, path, page, url", [
    ("{path}?page={page}", "/tin-moi/", 45, "/tin-moi/?page=45"),
    ("{path}?p={page}", "/phong-su-anh/", 35, "/phong-su-anh/?p=35"),
    ("{stem}/p/{page}", "/du-lich/", 23, "/du-lich/p/23"),
    ("{stem}/trang-{page}.html", "/thoi-su-215.html", 2, "/thoi-su-215/trang-2.html"),
    ("{stem}/p{page}", "/kinh-te.htm", 3, "/kinh-te/p3"),
    ("{stem}/page/{page}/", "/", 2, "/page/2/"),
    ("{stem}/p{page}", "/kinh-te.htm", 1, "/kinh-te.htm"),
])
def test_page_url(form, path, page, url):
    assert page_url(form, path, page) == url


def test_page_link_recognises_path_forms_only():
    assert page_link(PAGE_FORMS, "/thoi-su-215/trang-3.html") == ("/thoi-su-215", 3)
    assert page_link(PAGE_FORMS, "/du-lich/p/23") == ("/du-lich", 23)
    assert page_link(PAGE_FORMS, "/kinh-te/p2") == ("/kinh-te", 2)
    assert page_link(PAGE_FORMS, "/du-lich/p/1") is None  # page 1 is the listing itself
    assert page_link(PAGE_FORMS, "/ca-mau-khan-truong-192250723195402367.htm") is None
    assert page_link(("{path}?page={page}",), "/tin-moi/") is None


def test_infer_page_form_from_a_page_2_link():
    assert infer_page_form("/phong-su-anh/", {"/phong-su-anh/?p=2", "/phong-su-anh/?p=3"}) == "{path}?p={page}"
    assert infer_page_form("/thoi-su/", {"/thoi-su/trang-2.html"}) == "{stem}/trang-{page}.html"
    assert infer_page_form("/thoi-su/", {"/thoi-su/?page=9", "/khac/?page=2"}) is None


# --- dates -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("value, day", [
    ("Tue, 28 Oct 2025 18:30:00 +0700", date(2025, 10, 28)),
    ("Tue, 28 Oct 2025 20:30:00 GMT", date(2025, 10, 29)),  # 03:30 next day in Vietnam
    ("2025-10-28T18:30:00+07:00", date(2025, 10, 28)),
    ("2025-10-28T20:30:00Z", date(2025, 10, 29)),
    ("2025-10-28", date(2025, 10, 28)),
    ("28/10/2025 18:30", date(2025, 10, 28)),
    ("", None), (None, None), ("hôm qua", None), ("31/02/2025", None),
])
def test_entry_date(value, day):
    assert entry_date(value) == day


# --- sitemaps -------------------------------------------------------------------------------------

NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
<url><loc>https://baodanang.vn/truoc-them-chan-troi-moi-3202358.html</loc>
  <image:image><image:loc>https://baodanang.vn/x.jpg</image:loc></image:image>
  <news:news><news:publication><news:name>B\xc3\xa1o \xc4\x90\xc3\xa0 N\xe1\xba\xb5ng</news:name></news:publication>
  <news:publication_date>2025-06-30T08:00:00+07:00</news:publication_date><news:title>Tr\xc6\xb0\xe1\xbb\x9bc th\xe1\xbb\x81m</news:title></news:news>
</url>
<url><loc>https://baodanang.vn/thoi-su/</loc><lastmod>2025-07-01</lastmod></url>
</urlset>"""

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://x.vn/s-2025-09.xml.gz</loc><lastmod>2025-09-30</lastmod></sitemap>
<sitemap><loc>https://x.vn/s-2025-10.xml.gz</loc><lastmod>2025-10-28T18:30:00+07:00</lastmod></sitemap>
</sitemapindex>"""


def test_news_sitemap_entries_carry_publication_date_and_keep_their_loc():
    body = sitemap_body(XmlResponse("https://baodanang.vn/sitemap-news.xml", body=NEWS_SITEMAP))
    kind, entries = sitemap_entries(body)
    assert kind == "urlset"
    assert entries[0]["loc"] == "https://baodanang.vn/truoc-them-chan-troi-moi-3202358.html"  # not the image's
    assert entries[0]["publication_date"] == "2025-06-30T08:00:00+07:00"
    assert entries[0]["title"] == "Trước thềm"
    assert entries[1] == {"loc": "https://baodanang.vn/thoi-su/", "lastmod": "2025-07-01"}


def test_gzipped_sitemap_index():
    response = Response("https://x.vn/sitemap.xml.gz", body=gzip.compress(INDEX),
                        headers={"Content-Type": "application/x-gzip"})
    kind, entries = sitemap_entries(sitemap_body(response))
    assert kind == "sitemapindex"
    assert [e["loc"] for e in entries] == ["https://x.vn/s-2025-09.xml.gz", "https://x.vn/s-2025-10.xml.gz"]


def test_an_html_page_is_not_a_sitemap():
    html = TextResponse("https://x.vn/sitemap.xml", body=b"<!DOCTYPE html><html><body>404</body></html>",
                        encoding="utf-8")
    assert sitemap_body(html) is None
    assert sitemap_entries(b"not xml at all") == ("", [])


# --- feeds ----------------------------------------------------------------------------------------


def test_rss_items():
    rss = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
    <channel><title>Báo Xây dựng</title>
    <item><title>Một</title><link>https://baoxaydung.vn/a-192250723195402367.htm</link>
      <pubDate>Wed, 23 Jul 2025 19:54:02 +0700</pubDate></item>
    <item><title>Hai</title><guid>https://baoxaydung.vn/b-192250722100000001.htm</guid><dc:date>2025-07-22</dc:date></item>
    <item><title>Ba</title><guid isPermaLink="false">12345</guid></item>
    </channel></rss>""".encode()
    got = list(feed_entries(XmlResponse("https://baoxaydung.vn/rss/home.rss", body=rss)))
    assert got == [("https://baoxaydung.vn/a-192250723195402367.htm", "Wed, 23 Jul 2025 19:54:02 +0700"),
                   ("https://baoxaydung.vn/b-192250722100000001.htm", "2025-07-22")]


def test_atom_entries():
    atom = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title>
    <entry><title>A</title><link rel="alternate" href="https://x.vn/Pages/tin-tuc-1.aspx"/>
      <link rel="enclosure" href="https://x.vn/a.jpg"/><published>2021-04-27T08:00:00+07:00</published></entry>
    <entry><title>B</title><link href="https://x.vn/Pages/tin-tuc-2.aspx"/><updated>2021-04-28</updated></entry>
    </feed>"""
    got = list(feed_entries(XmlResponse("https://x.vn/feed.atom", body=atom)))
    assert got == [("https://x.vn/Pages/tin-tuc-1.aspx", "2021-04-27T08:00:00+07:00"),
                   ("https://x.vn/Pages/tin-tuc-2.aspx", "2021-04-28")]


# --- article shapes of unknown CMSs ---------------------------------------------------------------


def test_article_guess_takes_the_registrys_article_urls():
    examples = [urlsplit(u).path for e in REGISTRY for u in e.get("example_article_urls", [])]
    missed = [p for p in examples if not ARTICLE_GUESS.match(p)]
    assert len(examples) > 40 and not missed, missed


@pytest.mark.parametrize("path", [
    "/", "/thoi-su/", "/xa-hoi/du-lich/", "/thoi-su-215.html", "/van-hoa-the-thao-du-lich/", "/tin-moi.html",
    "/kinh-te/nong-nghiep.htm", "/channel/2023/", "/van-hoa/tap-but/index.html", "/quoc-phong-an-ninh/phap-luat/",
    "/gioi-thieu.html", "/Pages/tin-tuc-38014.aspx",
])
def test_article_guess_refuses_section_and_short_paths(path):
    assert not ARTICLE_GUESS.match(path)


@pytest.mark.parametrize("path, shape, matches, refuses", [
    ("/Pages/tin-tuc-38014.aspx", r"^/[^/]+/[^/]*-\d{4,}\.aspx$", "/Pages/tin-tuc-9999.aspx", "/Pages/chuyen-muc-12.aspx"),
    ("/kinh-te/202508/khoi-day-dam-me-9344c18/", r"^/[^/]+/\d{6}/[^/]*-[0-9a-f]{7,8}/?$",
     "/xa-hoi/202601/mot-hai-ba-b067013/", "/xa-hoi/202601/"),
    ("/tin-bai/thoi-su/hoi-nghi-tong-ket-cong-tac-dang/", r"^/[^/]+/[^/]+/[a-z0-9]+(?:-+[a-z0-9]+){3,}/?$",
     "/tin-bai/xa-hoi/mot-hai-ba-bon-nam/", "/tin-bai/thoi-su/"),
])
def test_path_shape(path, shape, matches, refuses):
    import re

    assert path_shape(path) == shape
    assert re.match(shape, path) and re.match(shape, matches) and not re.match(shape, refuses)


def test_path_shape_refuses_plain_paths():
    assert path_shape("/thoi-su/") is None
    assert path_shape("/") is None
    assert path_shape("/tin-bai/thoi-su/hoi-nghi-tong-ket-cong-tac-dang/", plain_slug=False) is None


# --- robots.txt ------------------------------------------------------------------------------------


def test_robots_parser_hands_sitemap_lines_to_the_spider_and_still_parses():
    got = []
    crawler = SimpleNamespace(spider=SimpleNamespace(robots_sitemaps=got.extend))
    body = b"User-agent: *\nDisallow: /tim-kiem/\nSitemap: https://x.vn/sitemap.xml\nsitemap: /news.xml\n"
    parser = SitemapRobotParser.from_crawler(crawler, body)
    assert got == ["https://x.vn/sitemap.xml", "/news.xml"]
    assert not parser.allowed("https://x.vn/tim-kiem/?q=a", "bot") and parser.allowed("https://x.vn/a", "bot")


def test_a_failing_hook_never_turns_robots_rules_off():
    def boom(urls):
        raise RuntimeError("bug")

    crawler = SimpleNamespace(spider=SimpleNamespace(robots_sitemaps=boom))
    parser = SitemapRobotParser.from_crawler(crawler, b"User-agent: *\nDisallow: /\nSitemap: /s.xml\n")
    assert not parser.allowed("https://x.vn/a", "bot")
