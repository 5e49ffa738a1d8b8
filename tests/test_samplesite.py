"""The sample site itself: what it serves, so the end-to-end tests can trust it."""

from __future__ import annotations

import http.client
import json
import re
import socket
import time
import unicodedata
import urllib.error
import urllib.request
from datetime import timedelta

import lxml.html
import pytest

from samplesite import SampleSite
from samplesite.pages import encode_cp1258
from samplesite.site import TEXTS_DIR, VN_TZ, SiteModel

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))

CHROME = ["Theo dõi Báo điện tử", "Icon thời tiết", "°C", "Chia sẻ", "Từ khóa:", "Tin liên quan", "Ý kiến của bạn",
          "Gửi ý kiến", "Bản quyền", "Báo Cà Mau", "(CMO)", "Google News"]


def get(site: SampleSite, path: str, timeout: float = 5) -> tuple[int, dict, bytes]:
    try:
        with _OPENER.open(site.url(path), timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def html_of(site: SampleSite, path: str) -> lxml.html.HtmlElement:
    status, _, body = get(site, path)
    assert status == 200, path
    return lxml.html.fromstring(body.decode("utf-8"))


@pytest.fixture(scope="module")
def site():
    with SampleSite(articles=60, traps=True) as s:
        yield s


# --- content model ---------------------------------------------------------------------------


def test_deterministic():
    a, b = SiteModel(60), SiteModel(60)
    assert [(x.path, x.title, x.text, x.published) for x in a.articles] == \
           [(x.path, x.title, x.text, x.published) for x in b.articles]
    assert [(p.path, p.kind) for p in a.extra] == [(p.path, p.kind) for p in b.extra]
    assert SiteModel(60, seed=1).articles[10].text != a.articles[10].text


def test_texts_unique_long_clean():
    model = SiteModel(300, traps=False)
    texts = [a.text for a in model.articles]
    assert len(set(texts)) == len(texts)
    assert len({a.title for a in model.articles}) == len(texts)
    assert len({a.path for a in model.articles}) == len(texts)
    for a in model.articles:
        assert len(a.text) >= 600, a
        assert unicodedata.is_normalized("NFC", a.text) and "\u00d0" not in a.text + a.title
        assert a.text.startswith(a.sapo + "\n\n") and a.text.count(a.sapo) == 1, a
        assert a.published.utcoffset() == timedelta(hours=7)
        for chrome in CHROME:
            assert chrome not in a.text, (a, chrome)
    joined = "\n".join(texts)
    assert "Đại hội Đảng" in joined and "Tỉnh ủy" in joined and "Tỉnh uỷ" in joined
    assert sum(a.eth for a in model.articles) >= 30
    seeds = sorted(p.name for p in TEXTS_DIR.glob("*.txt"))
    assert len(seeds) == 5
    assert [a.source for a in model.articles[-5:]] == [f"seed:{n}" for n in reversed(seeds)]


def test_ids_grow_with_time():
    model = SiteModel(100, traps=False)
    arts = model.articles
    assert all(a.published > b.published and a.id > b.id for a, b in zip(arts, arts[1:]))
    assert arts[-1].id == 38001


def test_scales_to_benchmark_size():
    started = time.monotonic()
    model = SiteModel(2000, traps=False)
    assert time.monotonic() - started < 10
    assert len({a.text for a in model.articles}) == 2000


# --- pages ---------------------------------------------------------------------------------------


def test_robots(site):
    status, headers, body = get(site, "/robots.txt")
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    assert body.decode().splitlines() == ["User-agent: *", "Disallow: /tim-kiem/", "Disallow: /admin/"]


def test_home_links(site):
    tree = html_of(site, "/")
    hrefs = tree.xpath("//a/@href")
    assert "/tin-moi/" in hrefs and "/chinh-tri/" in hrefs and "/chinh-tri/xay-dung-dang/" in hrefs
    assert [a.path for a in site.articles[:12]] == tree.xpath('//div[@class="news-item"]/a[@class="title"]/@href')
    t = site.traps
    for href in [*t.variant_links, *t.disallowed, t.calendar, t.video_path, *t.binaries, *t.offsite, t.endless]:
        assert href in hrefs, href


def test_listing_pagination(site):
    entries = site.listing("/tin-moi/")
    last = -(-len(entries) // 20)
    tree = html_of(site, "/tin-moi/")
    items = tree.xpath('//div[@class="news-item"]')
    assert len(items) == 20
    assert items[0].xpath('a[@class="title"]/@href')[0] == entries[0].path
    assert re.fullmatch(r"\d\d/\d\d/\d{4}", items[0].xpath('span[@class="date"]/text()')[0])
    assert tree.xpath('//div[@class="pagination"]/a[@class="next"]/@href') == ["?page=2"]
    assert [x.path for x in entries[20:40]] == html_of(site, "/tin-moi/?page=2").xpath(
        '//div[@class="news-item"]/a[@class="title"]/@href')
    tail = html_of(site, f"/tin-moi/?page={last}")
    assert tail.xpath('//div[@class="news-item"]') and not tail.xpath('//a[@class="next"]')
    past = html_of(site, f"/tin-moi/?page={last + 1}")
    assert not past.xpath('//div[@class="news-item"]') and not past.xpath('//a[@class="next"]')


def test_category_listings(site):
    for path in ("/chinh-tri/", "/chinh-tri/xay-dung-dang/", "/kinh-te/"):
        cat_slug = path.strip("/")
        hrefs = html_of(site, path).xpath('//div[@class="news-item"]/a[@class="title"]/@href')
        expected = [e.path for e in site.listing(path)][:20]
        assert hrefs == expected
        arts = [site.model.article(h) for h in hrefs]
        assert all(a is None or a.category.slug.startswith(cat_slug) for a in arts)


def test_article_markup(site):
    art = next(a for a in site.articles if a.role is None and not a.eth)
    tree = html_of(site, art.path)
    assert tree.xpath("//h1[@class='post-title']/text()") == [art.title]
    assert tree.xpath("//div[@class='date-time']/text()") == [art.published.strftime("%d/%m/%Y - %H:%M")]
    assert tree.xpath("string(//div[@class='post-sapo'])") == f"Báo Cà Mau {art.sapo}"
    paras = tree.xpath("//div[@class='newscontent']/p[not(@class)]/text()")
    assert paras[0] == f"(CMO) {art.sapo}"
    assert tree.xpath("//link[@rel='canonical']/@href") == [site.url(art.path)]
    ld = json.loads(tree.xpath("//script[@type='application/ld+json']/text()")[0])
    assert ld["headline"] == art.title and ld["datePublished"] == art.published.date().isoformat()
    assert ld["author"]["name"] == art.author
    assert tree.xpath("string(//p[@class='author'])") == art.author
    clock = tree.xpath("string(//span[@class='clock'])")
    assert re.fullmatch(r"(Thứ (hai|ba|tư|năm|sáu|bảy)|Chủ nhật), \d{1,2}-\d{1,2}-\d\d \d\d:\d\d:\d\d", clock)
    assert len(tree.xpath("//div[@class='related-news']//li")) == 3
    body = " ".join(tree.xpath("//div[@class='newscontent']//text()"))
    for p in art.paragraphs:
        assert p in body


def test_eth_articles_print_latin_eth(site):
    art = next(a for a in site.articles if a.eth and "Đ" in a.text and a.role is None)
    _, _, body = get(site, art.path)
    page = body.decode()
    assert "\u00d0" in page
    assert art.title.replace("Đ", "\u00d0") in page


def test_flaky_500_then_200():
    with SampleSite(articles=30) as s:
        path = s.traps.flaky.path
        assert get(s, path)[0] == 500
        assert get(s, path)[0] == 200
        assert get(s, path)[0] == 200
        assert s.hits(path) == 3


def test_cp1258_page(site):
    art = site.traps.cp1258
    status, headers, body = get(site, art.path)
    assert status == 200 and headers["Content-Type"] == "text/html; charset=windows-1258"
    assert b'<meta charset="windows-1258">' in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    text = body.decode("cp1258")
    assert art.title not in text  # tones are combining marks …
    nfc = unicodedata.normalize("NFC", text)
    assert art.title in nfc and art.sapo in nfc and "&#" not in text  # … and nothing was lost
    assert unicodedata.normalize("NFC", encode_cp1258("Đảng uỷ, Thường trực").decode("cp1258")) == \
        "Đảng uỷ, Thường trực"
    # the UTF-8 twin serves the same article
    _, _, twin = get(site, site.traps.cp1258_twin_path)
    assert art.title in twin.decode("utf-8")


def test_nfd_copy(site):
    art = site.traps.nfd
    _, _, body = get(site, site.traps.nfd_path)
    page = body.decode("utf-8")
    assert unicodedata.is_normalized("NFD", page) and not unicodedata.is_normalized("NFC", page)
    assert "\u00d0" in page
    nfc = unicodedata.normalize("NFC", page).replace("\u00d0", "Đ")
    assert art.title in nfc and all(p in nfc for p in art.paragraphs)


def test_republished_copy(site):
    art = site.traps.republished
    tree = html_of(site, site.traps.republished_path)
    assert tree.xpath("//h1[@class='post-title']/text()") == [art.title]
    assert tree.xpath("//link[@rel='canonical']/@href") == [site.url(site.traps.republished_path)]


def test_url_variants_serve_the_article(site):
    art = site.traps.variant_target
    for link in site.traps.variant_links:
        status, _, body = get(site, link)
        assert status == 200 and art.title in body.decode()


def test_not_found(site):
    for path in site.traps.not_found:
        assert get(site, path)[0] == 404
    assert get(site, "/khong-co-trang-nay/")[0] == 404


def test_endless_tail_never_ends(site):
    for n in (1, 7, 500):
        tree = html_of(site, f"{site.traps.endless}?page={n}")
        assert len(tree.xpath('//div[@class="news-item"]')) == 10
        assert tree.xpath('//a[@class="next"]/@href') == [f"?page={n + 1}"]


def test_calendar_goes_on_forever(site):
    tree = html_of(site, site.traps.calendar)
    assert tree.xpath('//a[@class="prev"]/@href') == ["?ngay=2025-07-22"]
    assert tree.xpath('//a[@class="next"]/@href') == ["?ngay=2025-07-24"]
    tree = html_of(site, "/lich-su/?ngay=1990-01-01")
    assert tree.xpath('//a[@class="next"]/@href') == ["?ngay=1990-01-02"]
    assert set(site.traps.listing_variants) <= set(tree.xpath("//a/@href"))


def test_video_pages(site):
    for path in (site.traps.video_path, site.traps.video_only_path):
        tree = html_of(site, path)
        assert tree.xpath("//video") and not tree.xpath("//div[@class='newscontent']/p[not(@class)]")


def test_binaries(site):
    for path, ctype in zip(site.traps.binaries, ("application/pdf", "image/jpeg", "video/mp4")):
        status, headers, _ = get(site, path)
        assert status == 200 and headers["Content-Type"] == ctype


def test_huge_page_streams_without_length_and_does_not_stall(site):
    conn = http.client.HTTPConnection("127.0.0.1", site.port, timeout=5)
    conn.request("GET", site.traps.huge_path)
    resp = conn.getresponse()
    assert resp.status == 200 and resp.getheader("Content-Length") is None
    got = 0
    while got < 6 * 1024 * 1024:
        chunk = resp.read(256 * 1024)
        assert chunk
        got += len(chunk)
    conn.close()  # hang up midway, as Scrapy does at DOWNLOAD_MAXSIZE
    assert get(site, "/robots.txt")[0] == 200


def test_huge_page_is_12_mb():
    with SampleSite(articles=30) as s:
        _, _, body = get(s, s.traps.huge_path, timeout=30)
        assert len(body) >= 12 * 1024 * 1024


def test_slow_and_too_slow():
    with SampleSite(articles=30, slow_seconds=0.5, too_slow_seconds=30) as s:
        started = time.monotonic()
        assert get(s, s.traps.slow.path)[0] == 200
        assert 0.5 <= time.monotonic() - started < 3
        with pytest.raises((TimeoutError, socket.timeout, urllib.error.URLError)):
            get(s, s.traps.too_slow_path, timeout=0.5)
        started = time.monotonic()
    # stop() did not wait for the handler still sleeping on the too-slow page
    assert time.monotonic() - started < 3


def test_hits_and_requests(site):
    before = len(site.requests)
    get(site, "/tin-moi/?page=3")
    get(site, "/tin-moi/")
    assert site.requests[before:] == ["/tin-moi/?page=3", "/tin-moi/"]
    assert site.hits("/tin-moi/?page=3") >= 1
    assert site.hits("/tin-moi/") >= site.hits("/tin-moi/?page=3") + 1


def test_publish():
    with SampleSite(articles=40, traps=False) as s:
        old_newest = s.articles[0]
        new = s.publish(5)
        assert len(new) == 5 and s.articles[:5] == new
        assert all(a.published > old_newest.published and a.id > old_newest.id for a in new)
        assert new[0].published > new[-1].published
        hrefs = html_of(s, "/tin-moi/").xpath('//div[@class="news-item"]/a[@class="title"]/@href')
        assert hrefs[:5] == [a.path for a in new] and hrefs[5] == old_newest.path
        for a in new:
            top = html_of(s, a.category.path).xpath('//div[@class="news-item"]/a[@class="title"]/@href')
            assert a.path in top[:5]
            assert html_of(s, a.path).xpath("//h1[@class='post-title']/text()") == [a.title]
        assert len({a.text for a in s.articles}) == 45


def test_port_and_base_url():
    s = SampleSite(articles=20, traps=False)
    with pytest.raises(RuntimeError):
        _ = s.base_url
    with s:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", s.base_url)
        assert s.model.articles[0].published.tzinfo == VN_TZ


# --- family sites: their own pagination and the maze traps ------------------------------------------


@pytest.fixture(scope="module", params=["aid", "numid", "catid", "generic"])
def family_site(request):
    from samplesite.families import SHAPES, FamilySite

    with FamilySite(SHAPES[request.param], articles=30) as s:
        yield s


def test_family_pagination_is_the_sites_own(family_site):
    """Every page ≥ 2 the site builds is served with that page's entries; the links on a listing
    page are those same URLs (built by samplesite.families, not by the crawler's page_url)."""
    site = family_site
    section = next(p for p in site.sections if len(site.page_paths(p)) >= 2)
    paths = site.page_paths(section)
    for n, path in enumerate(paths, start=1):
        status, _, body = get(site, path)
        assert status == 200, path
        shown = site.section_entries(section)[(n - 1) * site.model.per_page: n * site.model.per_page]
        if site.shape.listing_articles:
            assert all(site.path_of[a.id] in body.decode() for a in shown), path
    if site.shape.listing_articles:
        links = {a.get("href") for a in html_of(site, paths[0]).xpath('//div[@class="pagination"]//a')}
        assert set(paths[1:]) <= links


def test_day_archives_have_the_section_shape_and_lead_on_forever(family_site):
    from samplesite.families import day_of

    site = family_site
    home = html_of(site, "/")
    day_link = next(h for h in home.xpath("//a/@href") if day_of(h))
    day = day_of(day_link)
    seen = set()
    path = day_link
    for _ in range(5):  # back in time: always one more day
        page = html_of(site, path)
        seen.add(path)
        prev = page.xpath('//div[@class="calendar"]/a/@href')[0]
        assert day_of(prev) == day_of(path) - timedelta(days=1)
        path = prev
    far = site.shape.day(day - timedelta(days=4000))
    assert get(site, far)[0] == 200
    assert len(seen) == 5


def test_facets_of_facets_never_end(family_site):
    site = family_site
    section = next(iter(site.sections))
    path = site.facet(section, "anh")
    for depth in range(4):
        page = html_of(site, path)
        facets = page.xpath('//ul[@class="nav-filter"]//a/@href')
        assert len(facets) == 3 and all(site.facet_of(f) for f in facets)
        path = facets[depth % 3]
        assert len(site.facet_of(path)[1]) == depth + 2
    # each listing page also links itself with a query string never seen before
    fresh = [h for h in html_of(site, section).xpath("//a/@href") if "sid=" in h]
    again = [h for h in html_of(site, section).xpath("//a/@href") if "sid=" in h]
    assert fresh and again and fresh != again


def test_the_sitemap_index_never_ends_and_the_all_days_page_has_thousands_of_links(family_site):
    from samplesite.families import ALL_DAYS, MAZE_SITEMAP

    site = family_site
    status, _, robots = get(site, "/robots.txt")
    assert f"Sitemap: {site.base_url}{MAZE_SITEMAP}" in robots.decode()
    path = MAZE_SITEMAP
    for n in range(1, 6):
        _, _, body = get(site, path)
        locs = re.findall(r"<loc>([^<]+)</loc>", body.decode())
        assert f"{site.base_url}/sitemaps/luu-tru-{n}.xml" in locs
        path = f"/sitemaps/luu-tru-{n}.xml"
    days = html_of(site, site.all_days_path()).xpath('//ul[@class="days"]//a/@href')
    assert len(days) == ALL_DAYS >= 2000
