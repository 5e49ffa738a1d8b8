"""The crawl logic tested directly: spider callbacks fed Scrapy ``HtmlResponse`` / ``XmlResponse``
objects written here in the shapes real sites serve (no network, no subprocess).

Listing pages (articles, sections from start pages and menus only, pagination and its stops,
repeats, the depth an unfinished run owes), feeds, sitemaps and sitemap indexes (newest child
first, stale children, nesting), budgets running out, ``Wanted``, article redirects, and the
Scrapy messages ``failures.ignored_reason`` relies on.
"""

from __future__ import annotations

import gzip
from datetime import date

import pytest
import scrapy
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.exceptions import CloseSpider, IgnoreRequest
from scrapy.http import HtmlResponse, Response, XmlResponse
from scrapy.utils.test import get_crawler

from twisted.python.failure import Failure

from crawler import reasons
from crawler.items import PageItem
from crawler.settings import ADDONS
from crawler.spiders.failures import ignored_reason
from crawler.spiders.listings import page_links
from crawler.spiders.wanted import BEFORE_SINCE, KNOWN, SCHEDULED, Wanted
from spiders.baocamau import BaoCaMauSpider

ORIGIN = "http://bao.test"


def make(settings: dict | None = None, **kwargs) -> BaoCaMauSpider:
    crawler = get_crawler(BaoCaMauSpider, {"ADDONS": ADDONS, "ARCHIVE_DB": "", "ARCHIVE_STALE_PAGES": 2, **(settings or {})})
    spider = BaoCaMauSpider.from_crawler(crawler, base_url=ORIGIN, **kwargs)
    spider.discovering = True
    spider.progress.site_completed = True  # an archive some completed run has walked: stale pages count
    return spider


def art(i: int) -> str:
    return f"/bai-viet-so-{i}-ve-tinh-hinh-a{1000 + i}.html"


def listing_html(articles: list[int], *, menu: list[str] = (), body_links: list[str] = (),
                 dates: dict[int, str] | None = None, pages: list[str] = ()) -> bytes:
    dates = dates or {}
    items = "".join(f'<li><a href="{art(i)}">Bài {i}</a>' + (f"<span>{dates[i]}</span>" if i in dates else "")
                    + "</li>" for i in articles)
    nav = "".join(f'<a href="{p}">m</a>' for p in menu)
    body = "".join(f'<a href="{p}">b</a>' for p in body_links)
    pager = "".join(f'<a href="{p}">p</a>' for p in pages)
    return (f'<html><body><header><nav class="main-menu">{nav}</nav></header><div class="list"><ul>{items}</ul>'
            f'<div class="calendar">{body}</div><div class="pagination">{pager}</div></div></body></html>').encode()


def listing(spider, path: str, page: int, body: bytes, *, stale: int = 0, depth: int = 1) -> list:
    req = spider.listing_walker.request(path, page, stale=stale, depth=depth)
    assert req is not None
    return list(spider.parse_listing(HtmlResponse(req.url, body=body, encoding="utf-8", request=req)))


def articles_of(out: list) -> list[str]:
    return [r.url.removeprefix(ORIGIN) for r in out if isinstance(r, scrapy.Request) and r.callback.__name__ == "parse_article"]


def listings_of(out: list) -> list[tuple[str, int]]:
    return [(r.meta["listing"], r.meta["page"]) for r in out
            if isinstance(r, scrapy.Request) and r.callback.__name__ == "parse_listing"]


# --- listings --------------------------------------------------------------------------------------


def test_listing_requests_its_new_articles_and_its_next_page():
    s = make()
    s.wanted.known = {ORIGIN + art(2)}
    out = listing(s, "/thoi-su/", 1, listing_html([1, 2, 3], pages=["/thoi-su/?page=2"]))
    assert articles_of(out) == [art(1), art(3)]
    assert listings_of(out) == [("/thoi-su/", 2)]
    assert s.crawler.stats.get_value("listing/pages") == 1


def test_pagination_stops_after_a_run_of_pages_with_nothing_new():
    s = make()
    s.wanted.known = {ORIGIN + art(i) for i in range(10)}
    out = listing(s, "/thoi-su/", 3, listing_html([1, 2]))
    assert listings_of(out) == [("/thoi-su/", 4)]  # one stale page: go on
    out = listing(s, "/thoi-su/", 4, listing_html([3, 4]), stale=1)
    assert listings_of(out) == []
    assert s.crawler.stats.get_value("listing/stopped/nothing-new") == 1


def test_an_article_seen_on_another_listing_is_not_new_to_this_one():
    """Counted across sections: a listing that only repeats what others showed runs out."""
    s = make()
    listing(s, "/kinh-te/", 1, listing_html([1, 2, 3, 4]))
    out = listing(s, "/kinh-te/nong-nghiep/", 2, listing_html([2, 3]), stale=1)
    assert listings_of(out) == [] and articles_of(out) == []


def test_empty_page_ends_the_listing():
    s = make()
    out = listing(s, "/thoi-su/", 7, listing_html([]))
    assert listings_of(out) == [] and s.crawler.stats.get_value("listing/stopped/empty") == 1


def test_since_ends_the_listing_at_older_dates_and_skips_older_articles():
    s = make(since="2025-10-01")
    out = listing(s, "/thoi-su/", 1, listing_html([1, 2], dates={1: "03/10/2025", 2: "28/09/2025"}))
    assert articles_of(out) == [art(1)]
    out = listing(s, "/thoi-su/", 2, listing_html([3, 4], dates={3: "20/09/2025", 4: "19/09/2025"}))
    assert articles_of(out) == [] and listings_of(out) == []
    assert s.crawler.stats.get_value("listing/stopped/since") == 1


def test_sections_come_from_start_pages_and_menus_never_from_page_bodies():
    s = make()
    # the home page (a start page): every section-shaped link, menu or body
    home = s.listing_walker.request("/", 1, stale=0, depth=0)
    out = list(s.parse_listing(HtmlResponse(home.url, encoding="utf-8", request=home, body=listing_html(
        [1], menu=["/thoi-su/"], body_links=["/lich/ngay-28-10-2025/"]))))
    assert sorted(listings_of(out)) == [("/lich/ngay-28-10-2025/", 1), ("/thoi-su/", 1)]
    # a section page: its menu's new sections, not the day links of its calendar
    out = listing(s, "/thoi-su/", 1, listing_html([2], menu=["/thoi-su/chinh-tri/"],
                                                  body_links=["/lich/ngay-27-10-2025/", "/lich/ngay-29-10-2025/"]))
    assert ("/thoi-su/chinh-tri/", 1) in listings_of(out)
    assert not [p for p, _ in listings_of(out) if p.startswith("/lich/")]


def test_sections_from_menus_stop_at_the_section_depth():
    s = make({"ARCHIVE_SECTION_DEPTH": 2})
    out = listing(s, "/a/", 1, listing_html([1], menu=["/a/b/"]), depth=1)
    assert ("/a/b/", 1) in listings_of(out)
    out = listing(s, "/a/b/", 1, listing_html([2], menu=["/c/d/"]), depth=2)
    assert ("/c/d/", 1) not in listings_of(out)
    assert s.crawler.stats.get_value("listing/sections_too_deep") == 1


def test_a_page_with_nothing_new_opens_no_sections_from_its_menu():
    """A maze of listings that lead to each other runs out as one branch does."""
    s = make()
    s.wanted.known = {ORIGIN + art(1)}
    out = listing(s, "/a/", 1, listing_html([1], menu=["/a/loc-anh/"]), stale=1)
    assert listings_of(out) == []


def test_a_listing_repeating_another_is_recognised():
    """A filter or sort order showing the same articles as a page already read ends its branch."""
    s = make()
    listing(s, "/kinh-te/", 1, listing_html([1, 2, 3]))
    out = listing(s, "/kinh-te/loc-anh/", 1, listing_html([3, 2, 1], pages=["/kinh-te/loc-anh/?page=2"]))
    assert listings_of(out) == []
    assert s.crawler.stats.get_value("listing/stopped/repeat") == 1


def test_pages_an_unfinished_run_walked_are_walked_again_whatever_they_bring():
    s = make()
    s.wanted.known = {ORIGIN + art(i) for i in range(20)}
    s.progress.owed_at_start = {"/thoi-su/": 4}
    stale = 0
    for page in range(1, 5):
        out = listing(s, "/thoi-su/", page, listing_html([2 * page, 2 * page + 1]), stale=stale)
        assert listings_of(out) == [("/thoi-su/", page + 1)], page
        stale = out[-1].meta["stale"]
    out = listing(s, "/thoi-su/", 5, listing_html([11, 12]), stale=stale)
    out = listing(s, "/thoi-su/", 6, listing_html([13, 14]), stale=out[-1].meta["stale"])
    assert listings_of(out) == []  # beyond the debt, the usual rule


def test_a_page_of_thousands_of_links_is_read_whole():
    s = make()
    day_links = [f"/lich/ngay-{i}/" for i in range(3000)]
    resp = HtmlResponse(ORIGIN + "/lich/tat-ca/", encoding="utf-8",
                        body=listing_html(list(range(2000)), body_links=day_links))
    links = page_links(resp, s.rules)
    assert sum(1 for link in links if link.kind and link.kind[0] == "article") == 2000
    assert sum(1 for link in links if link.kind == ("listing", link.url.removeprefix(ORIGIN))) == 3000
    assert not any(link.in_menu for link in links if link.kind and link.kind[0] == "article")


def test_listing_dates_are_read_next_to_each_link():
    s = make()
    body = (b'<html><body><ul><li><a href="' + art(1).encode() + b'">x</a><span>05/11/2025</span></li>'
            b'<li><a href="' + art(2).encode() + b'">y</a> 06/11/2025</li>'
            b'<li><div><a href="' + art(3).encode() + b'">z</a></div></li></ul>'
            b'<p>01/01/2020 02/02/2020</p></body></html>')
    links = {link.url.removeprefix(ORIGIN): link.when for link in page_links(
        HtmlResponse(ORIGIN + "/x/", body=body, encoding="utf-8"), s.rules)}
    assert links == {art(1): date(2025, 11, 5), art(2): date(2025, 11, 6), art(3): None}


# --- budgets -----------------------------------------------------------------------------------------


def test_the_overall_budget_ends_discovery_and_the_run():
    s = make({"ARCHIVE_BUDGET_REQUESTS": 2})
    out = listing(s, "/a/", 1, listing_html([1, 2], pages=["/a/?page=2"]))  # page 1 and page 2: all of it
    assert listings_of(out) == [("/a/", 2)]
    assert not s.budget.ran_out
    assert s.listing_walker.request("/b/", 1) is None
    assert s.crawler.stats.get_value("budget/exhausted/requests") == 1
    assert s.budget.ran_out
    assert s.budget.report()["requests"]["branches"] == ["/b/"]
    with pytest.raises(CloseSpider) as exc:
        s.spider_idle(s)
    assert exc.value.reason == reasons.BUDGET_EXHAUSTED


def test_a_kind_budget_ends_that_kind_only():
    s = make({"ARCHIVE_BUDGET_SITEMAPS": 1})
    assert s.sitemap_walker.request(ORIGIN + "/sitemap.xml") is not None
    assert s.sitemap_walker.request(ORIGIN + "/sitemap-2.xml") is None
    assert s.crawler.stats.get_value("budget/exhausted/sitemaps") == 1
    assert s.listing_walker.request("/a/", 1) is not None and not s.budget.ran_out
    s.spider_idle(s)  # no CloseSpider: the run goes on


def test_sections_budget_caps_the_sections_opened():
    s = make({"ARCHIVE_BUDGET_SECTIONS": 2})
    home = s.listing_walker.request("/", 1, stale=0, depth=0)
    out = list(s.parse_listing(HtmlResponse(home.url, encoding="utf-8", request=home,
                                            body=listing_html([1], menu=["/a/", "/b/", "/c/", "/d/"]))))
    assert sorted(p for p, _ in listings_of(out)) == ["/a/", "/b/"]
    assert s.crawler.stats.get_value("budget/exhausted/sections") == 1


def test_backfill_widens_every_budget():
    s = make({"ARCHIVE_BUDGET_REQUESTS": 10, "ARCHIVE_BACKFILL_FACTOR": 5}, backfill="1")
    assert s.backfill and s.budget.limits["requests"] == 50
    assert make(since="2001-01-01").backfill  # a since far in the past is a backfill
    assert not make(since=date.today().isoformat()).backfill


def test_backfill_walks_sections_to_their_end_whatever_they_bring():
    s = make(backfill="1")
    s.wanted.known = {ORIGIN + art(i) for i in range(20)}
    stale = 0
    for page in range(1, 6):
        out = listing(s, "/thoi-su/", page, listing_html([2 * page, 2 * page + 1]), stale=stale)
        assert listings_of(out) == [("/thoi-su/", page + 1)]
        stale = out[-1].meta["stale"]


# --- feeds and sitemaps --------------------------------------------------------------------------------


def feed(items: list[tuple[str, str]]) -> XmlResponse:
    body = "".join(f"<item><title>t</title><link>{ORIGIN}{p}</link><pubDate>{d}</pubDate></item>" for p, d in items)
    req = scrapy.Request(ORIGIN + "/rss/home.rss")
    return XmlResponse(req.url, request=req, encoding="utf-8",
                       body=f'<?xml version="1.0"?><rss version="2.0"><channel>{body}</channel></rss>'.encode())


def test_feed_entries_become_article_requests_unless_old_or_known():
    s = make(since="2025-10-01")
    s.wanted.known = {ORIGIN + art(2)}
    out = s.parse_feed(feed([(art(1), "Fri, 03 Oct 2025 08:00:00 +0700"), (art(2), "Fri, 03 Oct 2025 08:00:00 +0700"),
                             (art(3), "Sat, 20 Sep 2025 08:00:00 +0700"), ("/thoi-su/", "Fri, 03 Oct 2025 08:00:00 +0700")]))
    assert articles_of(out) == [art(1)]
    assert s.crawler.stats.get_value("discovery/feed/not_article") == 1


def urlset(paths: list[str], lastmod: str = "2025-10-03") -> bytes:
    rows = "".join(f"<url><loc>{ORIGIN}{p}</loc><lastmod>{lastmod}</lastmod></url>" for p in paths)
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</urlset>'.encode()


def index(children: list[tuple[str, str]]) -> bytes:
    rows = "".join(f"<sitemap><loc>{ORIGIN}{p}</loc><lastmod>{d}</lastmod></sitemap>" for p, d in children)
    return (f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}'
            "</sitemapindex>").encode()


def sitemap(spider, req: scrapy.Request, body: bytes) -> list:
    return list(spider.parse_sitemap(XmlResponse(req.url, body=body, request=req)))


def test_sitemap_urlset_entries_become_article_requests():
    s = make()
    out = sitemap(s, s.sitemap_walker.request(ORIGIN + "/sitemap.xml"), urlset([art(1), art(2), "/thoi-su/"]))
    assert articles_of(out) == [art(1), art(2)]


def test_sitemap_index_is_read_newest_child_first_and_stops_after_stale_children():
    s = make()
    s.wanted.known = {ORIGIN + art(i) for i in range(100)}
    out = sitemap(s, s.sitemap_walker.request(ORIGIN + "/sitemap.xml"),
                  index([(f"/sm-{m}.xml", f"2025-{m:02d}-28") for m in (3, 9, 5, 7, 1)]))
    (first,) = out
    assert first.url == ORIGIN + "/sm-9.xml"
    seen = [first.url]
    req = first
    while True:
        out = sitemap(s, req, urlset([art(1)]))  # nothing new in any child
        if not out:
            break
        (req,) = out
        seen.append(req.url)
    assert seen == [ORIGIN + "/sm-9.xml", ORIGIN + "/sm-7.xml"]
    assert s.crawler.stats.get_value("discovery/sitemaps_stopped/nothing-new") == 1


def test_an_endless_sitemap_index_tree_ends_at_the_nesting_limit():
    s = make()
    req = s.sitemap_walker.request(ORIGIN + "/sitemap.xml")
    fetched = 0
    while req is not None and fetched < 50:
        fetched += 1
        out = sitemap(s, req, index([(f"/sm-{fetched}.xml", "2025-10-01")]))
        req = out[0] if out else None
    assert fetched <= 4
    assert s.crawler.stats.get_value("discovery/sitemaps_stopped/too-deep") == 1


# --- Wanted ------------------------------------------------------------------------------------------


def test_wanted_is_the_one_decision():
    w = Wanted({"http://x/a"}, since=date(2025, 10, 1))
    w.scheduled.add("http://x/b")
    assert w.why_not("http://x/a") == KNOWN
    assert w.why_not("http://x/b") == SCHEDULED
    assert w.why_not("http://x/c", date(2025, 9, 30)) == BEFORE_SINCE
    assert w("http://x/c", date(2025, 10, 1)) and w("http://x/c")


# --- articles: redirects and lost answers ----------------------------------------------------------------


def redirect(spider, req: scrapy.Request, location: str, status: int = 302) -> list:
    resp = Response(req.url, status=status, headers={"Location": location}, request=req)
    return list(spider.parse_article(resp))


def test_an_article_redirect_on_the_paper_is_followed():
    s = make()
    req = s.article_request(ORIGIN + art(1))
    (nxt,) = redirect(s, req, art(2))
    assert isinstance(nxt, scrapy.Request) and nxt.url == ORIGIN + art(2)
    assert nxt.meta["article_url"] == ORIGIN + art(1) and nxt.meta["redirect_urls"] == [ORIGIN + art(1)]


@pytest.mark.parametrize("location", ["http://bao.test:8080/x-a1.html", "http://other.test/x-a1.html"])
def test_an_article_redirect_to_another_port_or_host_is_a_reject(location):
    s = make()
    (item,) = redirect(s, s.article_request(ORIGIN + art(1)).replace(dont_filter=True), location)
    assert isinstance(item, PageItem) and item.reject_reason == reasons.OFFSITE_REDIRECT
    assert item.url == ORIGIN + art(1) and item.html is None


def test_too_many_article_redirects_are_a_reject():
    s = make({"REDIRECT_MAX_TIMES": 2})
    req = s.article_request(ORIGIN + art(1))
    for hop in range(2):
        (req,) = redirect(s, req, f"{art(1)}?n={hop}")
    (item,) = redirect(s, req, f"{art(1)}?n=9")
    assert item.reject_reason == reasons.TOO_MANY_REDIRECTS


def test_scrapy_messages_ignored_reason_relies_on():
    """The installed Scrapy's decompression limit and redirect cap, as ``ignored_reason`` reads them."""
    crawler = get_crawler(settings_dict={"DOWNLOAD_MAXSIZE": 1000, "REDIRECT_MAX_TIMES": 1})
    crawler.spider = crawler._create_spider("x")
    req = scrapy.Request("http://bao.test/a-a1.html")
    bomb = Response(req.url, body=gzip.compress(b"0" * 100_000), headers={"Content-Encoding": "gzip"}, request=req)
    mw = HttpCompressionMiddleware.from_crawler(crawler)
    with pytest.raises(IgnoreRequest) as exc:
        mw.process_response(req, bomb)
    failure = Failure(exc.value)
    failure.request = req
    assert ignored_reason(failure) == reasons.TOO_LARGE

    mw = RedirectMiddleware.from_crawler(crawler)
    looped = req.replace(meta={"redirect_times": 1, "redirect_ttl": 1})
    with pytest.raises(IgnoreRequest) as exc:
        mw.process_response(looped, Response(req.url, status=302, headers={"Location": "/b-a2.html"}, request=looped))
    failure = Failure(exc.value)
    failure.request = looped
    assert ignored_reason(failure) == reasons.TOO_MANY_REDIRECTS

    robots = Failure(IgnoreRequest("Forbidden by robots.txt"))
    robots.request = req
    assert ignored_reason(robots) is None  # never fetched: nothing to record


def test_sitemap_children_unchanged_since_the_last_completed_run_are_not_read_again():
    s = make()
    s.sitemap_walker.unchanged_before = date(2025, 10, 1)
    out = sitemap(s, s.sitemap_walker.request(ORIGIN + "/sitemap.xml"),
                  index([("/sm-10.xml", "2025-10-28"), ("/sm-09.xml", "2025-09-28")]))
    assert [r.url for r in out] == [ORIGIN + "/sm-10.xml"]
    assert sitemap(s, out[0], urlset([art(1)])) and not s.sitemap_walker.failed(None)
    assert s.crawler.stats.get_value("discovery/sitemaps_unchanged") == 1


def test_the_newest_first_listing_ends_where_it_reaches_the_archive():
    s = make()
    s.wanted.known = {ORIGIN + art(i) for i in range(10, 30)}
    out = listing(s, "/tin-moi/", 1, listing_html([1, 2, 3]))
    assert ("/tin-moi/", 2) in listings_of(out)
    out = listing(s, "/tin-moi/", 2, listing_html([10, 11, 12]), stale=0)
    assert listings_of(out) == []  # a page with nothing new right after new ones
    # a section keeps the usual run of stale pages
    out = listing(s, "/kinh-te/", 2, listing_html([13, 14]), stale=0)
    assert listings_of(out) == [("/kinh-te/", 3)]


# --- day archives (backfills) ------------------------------------------------------------------------


class DayArchiveSpider(BaoCaMauSpider):
    name = "baocamau-days"
    date_archive = "/tin-ngay/%d-%m-%Y.html"


def test_a_backfill_walks_day_archives_newest_first_until_a_run_of_empty_days():
    crawler = get_crawler(DayArchiveSpider, {"ADDONS": ADDONS, "ARCHIVE_DB": "", "ARCHIVE_ARCHIVE_EMPTY_DAYS": 2})
    s = DayArchiveSpider.from_crawler(crawler, base_url=ORIGIN, backfill="1")
    (req,) = s.archive_walker.start()
    day = date.fromisoformat(req.meta["archive_day"])
    assert req.url == ORIGIN + day.strftime("/tin-ngay/%d-%m-%Y.html")
    out = s.parse_archive(HtmlResponse(req.url, request=req, encoding="utf-8", body=listing_html([1, 2])))
    assert articles_of(out) == [art(1), art(2)]
    (req,) = [r for r in out if r.callback.__name__ == "parse_archive"]
    assert date.fromisoformat(req.meta["archive_day"]) == day.fromordinal(day.toordinal() - 1)
    for _ in range(2):  # two empty days end the walk
        out = s.parse_archive(HtmlResponse(req.url, request=req, encoding="utf-8", body=listing_html([])))
        nxt = [r for r in out if r.callback.__name__ == "parse_archive"]
        req = nxt[0] if nxt else None
    assert req is None


def test_until_a_completed_run_has_walked_a_listing_known_pages_do_not_end_it():
    """A first crawl killed midway stored the top of every listing: below those known pages
    lie pages nobody read, so a run of known pages ends nothing until the listing was walked to
    its end once."""
    s = make()
    s.progress.site_completed = False
    s.wanted.known = {ORIGIN + art(i) for i in range(20)}
    stale = 0
    for page in range(1, 6):
        out = listing(s, "/thoi-su/", page, listing_html([2 * page, 2 * page + 1]), stale=stale)
        assert listings_of(out) == [("/thoi-su/", page + 1)], page
        stale = out[-1].meta["stale"]
    out = listing(s, "/thoi-su/", 6, listing_html([]), stale=stale)
    assert listings_of(out) == []
    assert s.progress.walked_to_end("/thoi-su/")
    # on the same site, a listing a completed run walked to its end is trusted
    s.progress.complete_at_start["/kinh-te/"] = True
    out = listing(s, "/kinh-te/", 3, listing_html([1, 2]), stale=1)
    assert listings_of(out) == []


def test_progress_records_on_a_real_archive(tmp_path):
    """listing_walks across runs: a killed run leaves its depth owed and keeps the trust earlier
    completed runs gave; a completed run pays the debt; a first crawl's walks are untrusted until
    walked to their end."""
    from crawler.spiders.progress import Progress
    from crawler.store.archive import Archive

    with Archive(tmp_path / "a.db") as archive:
        first = Progress.on(archive, "baocamau")
        assert not first.trusted("/thoi-su/")  # nothing completed yet
        first.crawl_id = archive.start_crawl("baocamau")
        first.walked("/thoi-su/", 1, None)
        first.walked("/thoi-su/", 2, "empty")
        first.walked("/kinh-te/", 3, None)  # the run ends before this walk does
        first.finish(completed=True, section_sweep=None, budget_ended={})

        killed = Progress.on(archive, "baocamau")
        assert killed.trusted("/thoi-su/") and not killed.trusted("/kinh-te/")
        assert killed.trusted("/moi/")  # never recorded, on a site with a completed run
        killed.crawl_id = archive.start_crawl("baocamau")
        killed.walked("/thoi-su/", 4, None)
        killed.walked("/moi/", 2, None)
        # SIGKILL: no finish()

        after = Progress.on(archive, "baocamau")
        # a completed run owes nothing, even for a walk it did not finish (it stored what it found)
        assert after.owed("/thoi-su/") == 4 and after.owed("/moi/") == 2 and after.owed("/kinh-te/") == 0
        assert after.trusted("/thoi-su/") and after.trusted("/moi/")
        after.crawl_id = archive.start_crawl("baocamau")
        after.walked("/thoi-su/", 5, "nothing-new")
        after.walked("/moi/", 1, "empty")  # shallower than its debt
        after.finish(completed=True, section_sweep="2026-01-01T00:00:00+00:00", budget_ended={"listing": {}})
        rows = {r[0]: r[1:] for r in archive.db.execute("SELECT listing, owed, complete FROM listing_walks")}
        assert rows["/thoi-su/"] == (0, 1) and rows["/moi/"] == (2, 1) and rows["/kinh-te/"] == (0, 0)
        (crawl,) = archive.db.execute("SELECT completed, section_sweep FROM crawls WHERE id = ?", [after.crawl_id])
        assert crawl == (1, "2026-01-01T00:00:00+00:00")


# --- sitemaps on a site with a newest-first listing ---------------------------------------------------


def sitemaps_of(out: list) -> list[str]:
    return [r.url.removeprefix(ORIGIN) for r in out
            if isinstance(r, scrapy.Request) and r.callback.__name__ == "parse_sitemap"]


def incremental(**kwargs) -> BaoCaMauSpider:
    """An incremental run on an archived site whose section sweep is not due."""
    s = make(**kwargs)
    s.wanted.known = {ORIGIN + art(i) for i in range(10, 60)}
    s.listing_walker.sweep_sections = False
    return s


def test_an_incremental_run_whose_newest_first_listing_reaches_the_archive_reads_no_sitemap():
    s = incremental()
    assert s.sitemap_walker.root(ORIGIN + "/sitemap.xml") is None  # held, not asked for
    assert s.sitemap_walker.from_robots([ORIGIN + "/sitemap-news.xml"]) == []
    out = listing(s, "/tin-moi/", 1, listing_html([1, 2, 3]), depth=0)
    assert sitemaps_of(out) == [] and ("/tin-moi/", 2) in listings_of(out)
    out = listing(s, "/tin-moi/", 2, listing_html([10, 11, 12]), depth=0)  # reaches the archive
    assert sitemaps_of(out) == [] and listings_of(out) == []
    assert s.listing_walker.latest_state == "covered"
    # a robots.txt read after that (ROBOTSTXT_OBEY off: the spider's own request) asks for none either
    assert s.sitemap_walker.from_robots([ORIGIN + "/sitemap-2.xml"]) == []
    assert s.crawler.stats.get_value("discovery/sitemaps_skipped") == 3


@pytest.mark.parametrize("end", ["runs-out", "fails"])
def test_a_gap_in_the_newest_first_listing_walks_sitemaps_and_sections_at_once(end):
    s = incremental()
    assert s.sitemap_walker.root(ORIGIN + "/sitemap.xml") is None
    # a section found on the home page waits for /tin-moi/ too
    home = listing(s, "/", 1, listing_html([], menu=["/thoi-su/"]), depth=0)
    assert listings_of(home) == [] and s.listing_walker.deferred
    out = listing(s, "/tin-moi/", 1, listing_html([1, 2, 3]), depth=0)
    (nxt,) = [r for r in out if isinstance(r, scrapy.Request) and r.callback.__name__ == "parse_listing"]
    if end == "runs-out":
        # more new articles than /tin-moi/ reaches: its last page still brings only new ones
        resp = HtmlResponse(nxt.url, body=listing_html([]), encoding="utf-8", request=nxt)
        out = list(s.parse_listing(resp))
    else:
        out = s.listing_failed(_failure(nxt, 503))
    assert s.listing_walker.latest_state == "gap"
    assert sitemaps_of(out) == ["/sitemap.xml"]
    assert ("/thoi-su/", 1) in listings_of(out)
    # a sitemap named after the gap is asked for at once
    assert [r.url for r in s.sitemap_walker.from_robots([ORIGIN + "/sitemap-news.xml"])] == [ORIGIN + "/sitemap-news.xml"]


def _failure(req: scrapy.Request, status: int) -> Failure:
    from scrapy.spidermiddlewares.httperror import HttpError
    try:
        raise HttpError(Response(req.url, status=status, request=req), "Ignoring non-200 response")
    except HttpError:
        failure = Failure()
    failure.request = req
    return failure


def test_sitemaps_are_read_on_every_run_of_a_site_without_a_newest_first_listing():
    class NoLatest(BaoCaMauSpider):
        name = "baocamau-nolatest"
        latest_path = None
        start_paths = ("/",)

    crawler = get_crawler(NoLatest, {"ADDONS": ADDONS, "ARCHIVE_DB": "", "ARCHIVE_STALE_PAGES": 2})
    s = NoLatest.from_crawler(crawler, base_url=ORIGIN)
    s.discovering = True
    s.wanted.known = {ORIGIN + art(i) for i in range(10, 60)}
    assert s.section_sweep_due(168.0)  # no signal that could replace a sweep
    s.listing_walker.sweep_sections = s.section_sweep_due(168.0)
    assert s.sitemap_walker.root(ORIGIN + "/sitemap.xml").url == ORIGIN + "/sitemap.xml"
    assert [r.url for r in s.sitemap_walker.from_robots([ORIGIN + "/sm-2.xml"])] == [ORIGIN + "/sm-2.xml"]


def test_sitemaps_are_read_on_the_sweep_and_where_an_unfinished_run_left_them_owed():
    s = make()  # the first run: nothing archived, so every listing and sitemap is walked
    assert s.listing_walker.sweep_sections and s.sitemap_walker.root(ORIGIN + "/sitemap.xml") is not None
    s = incremental()
    s.progress.owed_at_start[ORIGIN + "/sitemap.xml"] = 2
    assert s.sitemap_walker.root(ORIGIN + "/sitemap.xml") is not None
    assert s.sitemap_walker.root(ORIGIN + "/other.xml") is None


class _Engine:
    """What spider_idle hands requests to (Scrapy's engine has the same crawl())."""

    def __init__(self):
        self.crawled: list[scrapy.Request] = []

    def crawl(self, request: scrapy.Request) -> None:
        self.crawled.append(request)


def test_a_newest_first_listing_that_never_answers_releases_what_it_held_when_the_run_idles():
    from scrapy.exceptions import DontCloseSpider

    s = incremental()
    s.crawler.engine = _Engine()
    assert s.sitemap_walker.root(ORIGIN + "/sitemap.xml") is None
    with pytest.raises(DontCloseSpider):
        s.spider_idle(s)
    assert [r.url for r in s.crawler.engine.crawled] == [ORIGIN + "/sitemap.xml"]
    assert s.listing_walker.latest_state == "gap"
    s.spider_idle(s)  # nothing held any more: the run may close
