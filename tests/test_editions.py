"""A paper's editions (``NewsSpider.editions``): every host of a paper that serves content of its
own is a start, and a listing keeps the host it was found on.

Callback tests feed Scrapy ``HtmlResponse`` objects to ``baodaklak`` (its Phú Yên edition on
``phuyen.baodaklak.vn``), on the real hosts and on loopback-style mirrors (``-a base_url=`` for
the canonical host, ``-a edition_urls=`` for the edition). One end-to-end crawl serves the paper
and its edition on two loopback ports; the edition's articles are linked from nowhere on the
paper's main site, so only the edition's own start page leads to them.
"""

from __future__ import annotations

import asyncio

import pytest
import scrapy
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler


from crawler.settings import ADDONS
from crawler.sites import spider_classes
from samplesite.families import SHAPES, FamilySite, edition_shape
from spiders.baodaklak import BaoDakLakSpider
from tests.conftest import rows, run_crawl

MAIN = "http://bao.test"
EDITION = "http://phuyen.test"
PHUYEN = "phuyen.baodaklak.vn"
ART = "/xa-hoi/202507/nguoi-dan-phu-yen-don-mua-moi-{n:07x}/"


def make(settings: dict | None = None, **kwargs) -> BaoDakLakSpider:
    crawler = get_crawler(BaoDakLakSpider, {"ADDONS": ADDONS, "ARCHIVE_DB": "", "ARCHIVE_STALE_PAGES": 2, **(settings or {})})
    spider = BaoDakLakSpider.from_crawler(crawler, **kwargs)
    spider.discovering = True
    spider.progress.site_completed = True
    return spider


def mirrored(**kwargs) -> BaoDakLakSpider:
    return make(base_url=MAIN, edition_urls=f"{PHUYEN}={EDITION}", **kwargs)


def start_requests(spider) -> list[scrapy.Request]:
    async def collect():
        return [r async for r in spider.start()]
    return asyncio.run(collect())


def started(spider, *, robots: bool = False) -> list[str]:
    return [r.url for r in start_requests(spider) if robots or not r.url.endswith("/robots.txt")]


def page(articles: list[int], *, menu: list[str] = (), pager: list[str] = ()) -> bytes:
    nav = "".join(f'<a href="{p}">m</a>' for p in menu)
    items = "".join(f'<li><a href="{ART.format(n=0xa000 + i)}">Bài {i}</a></li>' for i in articles)
    more = "".join(f'<a href="{p}">p</a>' for p in pager)
    return (f'<html><body><header><nav class="menu">{nav}</nav></header><ul>{items}</ul>'
            f'<div class="pagination">{more}</div></body></html>').encode()


def parse(spider, key: str, n: int, body: bytes, *, depth: int = 0) -> list:
    req = spider.listing_walker.request(key, n, stale=0, depth=depth)
    assert req is not None
    return list(spider.parse_listing(HtmlResponse(req.url, body=body, encoding="utf-8", request=req)))


def listings(out: list) -> list[str]:
    return [r.url for r in out if isinstance(r, scrapy.Request) and r.callback.__name__ == "parse_listing"]


def articles(out: list) -> list[str]:
    return [r.url for r in out if isinstance(r, scrapy.Request) and r.callback.__name__ == "parse_article"]


# --- facts --------------------------------------------------------------------------------------


def test_every_edition_is_one_of_the_papers_other_domains():
    for name, cls in spider_classes().items():
        assert set(cls.editions) <= set(cls.domains[1:]), name
    assert BaoDakLakSpider.editions == (PHUYEN,)  # baophuyen.vn only redirects: recognised, not started


def test_an_edition_that_is_not_a_domain_is_refused():
    class Stray(BaoDakLakSpider):
        editions = ("phuyen.example.vn",)
    with pytest.raises(ValueError, match="editions"):
        Stray()


@pytest.mark.parametrize("value", ["baophuyen.vn=http://x.test", f"{PHUYEN}", f"{PHUYEN}=ftp://x.test"])
def test_edition_urls_must_name_an_edition_and_an_http_url(value):
    with pytest.raises(ValueError, match="edition_urls"):
        BaoDakLakSpider(base_url=MAIN, edition_urls=value)


# --- starting -----------------------------------------------------------------------------------


def test_the_crawl_starts_on_the_canonical_host_and_on_each_edition():
    urls = started(make(settings={"ROBOTSTXT_OBEY": False}), robots=True)
    assert "https://baodaklak.vn/" in urls and f"https://{PHUYEN}/" in urls
    assert "https://baodaklak.vn/robots.txt" in urls and f"https://{PHUYEN}/robots.txt" in urls
    assert not [u for u in urls if "baophuyen.vn" in u]


def test_on_mirrors_base_url_is_the_canonical_host_and_edition_urls_the_editions():
    assert started(mirrored()) == [f"{MAIN}/", f"{EDITION}/"]
    # no mirror given for the edition: it is not started (its links go to base_url, as before)
    assert started(make(base_url=MAIN)) == [f"{MAIN}/"]


def test_one_budget_for_the_paper_and_its_editions():
    s = mirrored(settings={"ARCHIVE_BUDGET_LISTING": 2})
    reqs = [r for r in start_requests(s) if r.callback.__name__ == "parse_listing"]
    assert [r.url for r in reqs] == [f"{MAIN}/", f"{EDITION}/"]
    out = list(s.parse_listing(HtmlResponse(reqs[1].url, body=page([1], menu=["/xa-hoi/"]), encoding="utf-8",
                                            request=reqs[1])))
    assert listings(out) == []  # the edition's section: the shared listing budget is spent
    assert s.budget.spent["listing"] == 2


# --- listings keep their host -------------------------------------------------------------------


def test_canonical_listings_are_keyed_by_path_as_before():
    s = make()
    assert s.rules.classify("https://baodaklak.vn/xa-hoi/") == ("listing", "/xa-hoi/")
    assert s.rules.classify("https://www.baodaklak.vn/xa-hoi/") == ("listing", "/xa-hoi/")
    assert s.rules.classify(f"https://{PHUYEN}/xa-hoi/") == ("listing", f"//{PHUYEN}/xa-hoi/")
    assert s.rules.listing_url(f"//{PHUYEN}/xa-hoi/", 3) == f"https://{PHUYEN}/xa-hoi/?paged=3"
    assert s.rules.classify(f"http://www.{PHUYEN}/xa-hoi/") == ("listing", f"//{PHUYEN}/xa-hoi/")
    # an old domain's listing keeps its host too (its paths are not the new site's); the
    # redirect it answers with is followed to the paper's domains
    assert s.rules.classify("https://baophuyen.vn/tin-tuc/") == ("listing", "//baophuyen.vn/tin-tuc/")
    assert s.rules.listing_url("//baophuyen.vn/tin-tuc/", 1) == "https://baophuyen.vn/tin-tuc/"
    assert s.rules.classify("https://baophuyen.example/tin-tuc/") is None


def test_a_section_found_on_the_edition_is_fetched_on_the_edition():
    s = make()
    started(s)
    out = parse(s, f"//{PHUYEN}/", 1, page([1, 2], menu=["/xa-hoi/", "https://baodaklak.vn/kinh-te/"]))
    assert sorted(listings(out)) == ["https://baodaklak.vn/kinh-te/", f"https://{PHUYEN}/xa-hoi/"]
    assert articles(out) == [f"https://{PHUYEN}" + ART.format(n=0xa000 + i) for i in (1, 2)]


def test_on_mirrors_edition_links_relative_or_absolute_stay_on_the_editions_mirror():
    s = mirrored()
    started(s)
    out = parse(s, f"//{PHUYEN}/", 1, page([1], menu=["/xa-hoi/", f"https://{PHUYEN}/kinh-te/",
                                                     "https://baodaklak.vn/thoi-su/", "https://baophuyen.vn/"]))
    assert sorted(listings(out)) == sorted([f"{EDITION}/kinh-te/", f"{EDITION}/xa-hoi/", f"{MAIN}/thoi-su/"])
    assert articles(out) == [EDITION + ART.format(n=0xa001)]
    # an edition link on the main site goes to the edition's mirror too
    out = parse(s, "/", 1, page([], menu=[f"https://{PHUYEN}/the-thao/"]))
    assert listings(out) == [f"{EDITION}/the-thao/"]


def test_an_editions_section_paginates_on_the_edition():
    s = mirrored()
    out = parse(s, f"//{PHUYEN}/xa-hoi/", 1, page([1, 2, 3], pager=["/xa-hoi/?paged=2"]), depth=1)
    assert listings(out) == [f"{EDITION}/xa-hoi/?paged=2"]
    out = parse(s, f"//{PHUYEN}/xa-hoi/", 2, page([4, 5]), depth=1)
    assert listings(out) == [f"{EDITION}/xa-hoi/?paged=3"]
    # the same section on the main site is another listing
    out = parse(s, "/xa-hoi/", 1, page([6]), depth=1)
    assert listings(out) == [f"{MAIN}/xa-hoi/?paged=2"]


def test_an_edition_article_is_stored_under_the_paper():
    s = mirrored()
    url = EDITION + ART.format(n=0xa001)
    req = s.article_request(url)
    body = b"<html><body><h1>Tin</h1><p>Phu Yen.</p></body></html>"
    (item,) = [x for x in s.parse_article(HtmlResponse(url, body=body, encoding="utf-8", request=req))
               if not isinstance(x, scrapy.Request)]
    assert item.site == "baodaklak" and item.reject_reason is None and item.url == url


# --- end to end ---------------------------------------------------------------------------------


@pytest.mark.e2e
def test_an_editions_articles_are_reached_from_its_own_start_page(tmp_path):
    """The paper on one loopback port, its edition (other articles, no sitemap) on another; the
    main site never links to the edition, so only the edition's start page leads to them."""
    db = tmp_path / "editions.db"
    with FamilySite(SHAPES["hex7"], maze=False) as main, \
            FamilySite(edition_shape(SHAPES["hex7"]), maze=False, seed=77) as ed:
        run_crawl(main, db, f"edition_urls={PHUYEN}={ed.base_url}", name="editions",
                  settings={"ARCHIVE_STALE_PAGES": 2, "ARCHIVE_EXTRACT_WORKERS": 0}, spider="baodaklak")
        ed_requests = list(ed.requests)
        main_requests = list(main.requests)
        want = [ed.url_of(a) for a in ed.expected]
        main_want = [main.url_of(a) for a in main.expected]
    urls = {r["url"]: r["site"] for r in rows(db, "SELECT urls.url, articles.site FROM urls JOIN articles USING (hash)")}
    missing = [u for u in want if u not in urls]
    assert not missing, f"{len(missing)} edition articles missing: {missing[:5]}"
    assert {urls[u] for u in want} == {"baodaklak"}
    assert all(u in urls for u in main_want)
    assert "/" in ed_requests
    # the edition's sections and their later pages were asked of the edition
    section = next(iter(ed.sections))
    assert any(t.startswith(section + "?paged=") for t in ed_requests), ed_requests
    assert not [t for t in main_requests if "paged=" in t and t.split("?")[0] not in main.sections]


def test_latest_path_holds_back_the_canonical_hosts_sections_only():
    """``latest_path`` lists the canonical host's newest articles: it says nothing of an
    edition's, so an edition's sections are walked even when the main site's are held back."""
    from spiders.baoangiang import BaoAnGiangSpider

    crawler = get_crawler(BaoAnGiangSpider, {"ADDONS": ADDONS, "ARCHIVE_DB": "", "ARCHIVE_STALE_PAGES": 2})
    s = BaoAnGiangSpider.from_crawler(crawler)
    s.discovering = True
    s.listing_walker.sweep_sections = False  # a recent section sweep: /tin-moi/ decides
    edition = "tintucmientay.baoangiang.com.vn"
    body = b'<html><body><nav class="menu"><a href="/thoi-su/">m</a></nav></body></html>'
    for key in ("/", f"//{edition}/"):
        req = s.listing_walker.request(key, 1, stale=0)
        out = list(s.parse_listing(HtmlResponse(req.url, body=body, encoding="utf-8", request=req)))
        assert listings(out) == ([] if key == "/" else [f"https://{edition}/thoi-su/"])
    assert s.listing_walker.deferred == [("/thoi-su/", 1, 0)]
