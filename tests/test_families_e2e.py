"""End to end, one crawl per CMS family: ``scrapy crawl <a real site spider of the family>
-a base_url=<a loopback site in the family's shapes>`` (``samplesite/families.py``), then
the archive is checked: every article with its title, text and date, filed under the spider (whose
province is the one expected), nothing else stored; and each discovery path the family's site
offers (pagination form, stated or advertised feeds, robots.txt sitemaps, sitemap indexes with
gzipped children, news sitemaps, learned article shapes) is shown to have found the articles only
it leads to. The ``news`` spider crawls the "generic" site, an unknown layout.

The seven crawls run at once (module fixture); logs are in ``test-artifacts/crawls/``.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.spiders.discovery import PAGE_FORMS, page_link
from crawler.spiders.sitemaps import MAX_INDEX_DEPTH
from samplesite.families import FACETS, SHAPES, FamilyHandler, FamilySite
from crawler.sites import spider_classes
from tests.conftest import CrawlResult, run_crawl, rows, start_crawl

pytestmark = pytest.mark.e2e

SETTINGS = {"ARCHIVE_STALE_PAGES": 2, "ARCHIVE_EXTRACT_WORKERS": 0}
FAMILIES = sorted(SHAPES)


def norm(s: str | None) -> str:
    return " ".join((s or "").split())


def site_name(shape) -> str:
    """What records are filed under: the spider's name (the host for `news`)."""
    return "127.0.0.1" if shape.spider == "news" else shape.spider


def spider_args(site: FamilySite) -> list[str]:
    return [f"url={site.base_url}/"] if site.shape.spider == "news" else []


@dataclass
class Run:
    site: FamilySite
    db: Path
    requests: list[str]
    result: CrawlResult


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Run]:
    tmp = tmp_path_factory.mktemp("families")
    sites = {f: FamilySite(SHAPES[f]).start() for f in FAMILIES}
    try:
        procs = {}
        for family, site in sites.items():
            procs[family] = start_crawl(site, tmp / f"{family}.db", *spider_args(site), name=f"family-{family}",
                                        settings=SETTINGS, spider=site.shape.spider)
        deadline = time.monotonic() + 150
        out = {}
        for family, (proc, log_path) in procs.items():
            try:
                code = proc.wait(timeout=max(1, deadline - time.monotonic()))
            except Exception:
                proc.kill()
                proc.wait()
                pytest.fail(f"{family}: crawl did not finish; {log_path}")
            log = log_path.read_text(encoding="utf-8", errors="replace")
            result = CrawlResult(code, 0.0, log_path, log).check()
            out[family] = Run(sites[family], tmp / f"{family}.db", list(sites[family].requests), result)
        yield out
    finally:
        for site in sites.values():
            site.stop()


def stored(db: Path) -> dict[str, sqlite3.Row]:
    return {r["u"]: r for r in rows(db, "SELECT urls.url AS u, articles.* FROM urls JOIN articles USING (hash)")}


@pytest.mark.parametrize("family", FAMILIES)
def test_every_article_stored_with_title_text_date_and_site(runs, family):
    run = runs[family]
    shape, site = run.site.shape, run.site
    got = stored(run.db)
    problems = []
    for art in site.expected:
        row = got.get(site.url_of(art))
        if row is None:
            problems.append(f"missing {site.path_of[art.id]}")
            continue
        if row["title"] != art.title:
            problems.append(f"{art!r} title {row['title']!r}")
        if norm(row["text"]) not in (norm(art.text), norm(art.text_with_captions)):
            problems.append(f"{art!r} text {norm(row['text'])[:100]!r}")
        want = art.published.isoformat() if shape.markup.time_known else art.published.date().isoformat()
        if row["published"] != want:
            problems.append(f"{art!r} published {row['published']!r} != {want}")
        if row["site"] != site_name(shape):
            problems.append(f"{art!r} site {row['site']!r}")
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems[:30])
    if shape.spider != "news":
        assert spider_classes()[shape.spider].province == shape.province
    (crawl,) = rows(run.db, "SELECT * FROM crawls")
    assert crawl["finished"] and crawl["site"] == site_name(shape)


@pytest.mark.parametrize("family", FAMILIES)
def test_nothing_else_stored_or_rejected(runs, family):
    run = runs[family]
    urls = {r["url"] for r in rows(run.db, "SELECT url FROM urls")}
    assert urls == {run.site.url_of(a) for a in run.site.expected}
    assert not rows(run.db, "SELECT url, reason FROM rejects")
    # never asked for: search, video, other hosts' pages
    assert not [t for t in run.requests if t.startswith(("/tim-kiem/", "/video/", "/api/"))]


@pytest.mark.parametrize("family", FAMILIES)
def test_each_discovery_path_did_its_part(runs, family):
    """Articles reachable one way only were found: feed-only, sitemap-only, related-only."""
    run = runs[family]
    site = run.site
    urls = {r["url"] for r in rows(run.db, "SELECT url FROM urls")}
    for group in ("feed_only", "sitemap_only", "related_only"):
        for art in getattr(site, group):
            assert site.url_of(art) in urls, f"{group} {site.path_of[art.id]} not found"
    if site.shape.feed_only or site.shape.feed_link:
        assert any(t in site.shape.feeds for t in run.requests), "no feed read"
    if site.shape.robots_sitemap:
        assert site.shape.sitemap_path in run.requests, "robots.txt Sitemap: line not followed"


def in_form(form: str, target: str) -> bool:
    """Is request ``target`` (path?query) page ≥ 2 of some listing in pagination ``form``?"""
    parts = urlsplit(target)
    if form.startswith("{path}?"):
        param = form.split("?", 1)[1].split("=", 1)[0]
        return any(k == param for k, _, v in (kv.partition("=") for kv in parts.query.split("&")) if v.isdigit())
    return page_link((form,), parts.path) is not None


@pytest.mark.parametrize("family", [f for f in FAMILIES if SHAPES[f].listing_articles])
def test_listings_paginated_in_the_familys_form(runs, family):
    run = runs[family]
    site = run.site
    form = site.shape.page_form
    pages = [t for t in run.requests if in_form(form, t)]
    assert len(pages) >= 3, f"no pagination in the form {form}: {run.requests[:40]}"
    # pages ≥ 2 as the site itself builds them (samplesite/families.py, not the crawler's code)
    served = {p for section in site.sections for p in site.page_paths(section)[1:]}
    assert len(served & set(run.requests)) >= 3, f"no served page ≥ 2 requested: {sorted(served)[:10]}"
    # the form is built from the listing path, never copied or guessed: no other form was tried
    others = [t for t in run.requests if t not in pages and any(in_form(f, t) for f in PAGE_FORMS if f != form)]
    assert not others, others


def test_sitemap_index_second_run_is_cheap(runs, tmp_path):
    """hex7: robots.txt → sitemap index → gzipped monthly children, newest first; a second run
    fetches no article and no child: none changed (``lastmod``) since the first run."""
    run = runs["hex7"]
    site = run.site
    assert site.months() and len(site.months()) >= 3
    assert all(f"/sitemaps/sitemap-{m}.xml.gz" in run.requests for m in site.months())
    n = len(site.requests)
    run_crawl(site, run.db, name="family-hex7-again", settings=SETTINGS, spider="baodaklak")
    again = site.requests[n:]
    assert not [t for t in again if t in site.by_path], "articles fetched again"
    assert "/sitemap.xml" in again
    assert not [t for t in again if t.startswith("/sitemaps/sitemap-")]


def test_sitemap_index_after_an_unchanged_lastmod_run_stops_after_stale_children(tmp_path):
    """Without a completed earlier run to hold lastmod against, a run that brings nothing new
    stops walking an index a completed run once read whole after ARCHIVE_STALE_PAGES children."""
    with FamilySite(SHAPES["hex7"], maze=False) as site:
        db = tmp_path / "index.db"
        run_crawl(site, db, name="family-hex7-index-1", settings=SETTINGS, spider="baodaklak")
        con = sqlite3.connect(db)
        # no completed run to hold lastmod against; the index itself was walked to its end
        con.execute("UPDATE crawls SET completed = 0")
        assert con.execute("SELECT complete FROM listing_walks WHERE listing LIKE '%/sitemap.xml'").fetchone() == (1,)
        con.commit()
        con.close()
        n = len(site.requests)
        run_crawl(site, db, name="family-hex7-index-2", settings=SETTINGS, spider="baodaklak")
        children = [t for t in site.requests[n:] if t.startswith("/sitemaps/sitemap-")]
        assert children == [f"/sitemaps/sitemap-{m}.xml.gz" for m in site.months()[:SETTINGS["ARCHIVE_STALE_PAGES"]]]


def test_since_skips_old_sitemap_children_and_articles(tmp_path):
    with FamilySite(SHAPES["hex7"]) as site:
        since = site.expected[12].published.date()
        db = tmp_path / "since.db"
        run_crawl(site, db, f"since={since.isoformat()}", name="family-hex7-since", settings=SETTINGS,
                  spider="baodaklak")
        urls = {r["url"] for r in rows(db, "SELECT url FROM urls")}
        want = {site.url_of(a) for a in site.expected if a.published.date() >= since}
        assert urls == want
        old_months = [m for m in site.months() if m < f"{since:%Y-%m}"]
        assert old_months and not [m for m in old_months if f"/sitemaps/sitemap-{m}.xml.gz" in site.requests]


def test_news_spider_learns_the_article_shape(runs):
    run = runs["generic"]
    assert "Learned article shape" in run.result.log
    # its listings show no article links: everything came from robots.txt's sitemap, the
    # advertised Atom feed and related links of the learned shape
    assert "/feeds/tin-moi.atom" in run.requests and "/sitemap.xml" in run.requests
    published = [datetime.fromisoformat(r["published"]) for r in rows(run.db, "SELECT published FROM articles")]
    assert len(published) == len(run.site.expected)


@pytest.mark.parametrize("family", FAMILIES)
def test_maze_traps_cost_a_bounded_number_of_requests(runs, family):
    """Day archives in the section shape (each linking the day before and after), faceted
    filters in a nav-like box (facets of facets without end), links with ever-new query
    strings, an endless sitemap index and a page of thousands of section-shaped day links:
    the crawl ends on its own, and the maze costs a few requests per section."""
    run = runs[family]
    site = run.site
    asked = sorted(set(run.requests))  # a retry after a timeout on a loaded machine is no trap
    days = [t for t in asked if t.startswith("/lich-bao/")]
    facets = [t for t in asked if "/loc-" in t]
    sitemaps = [t for t in asked if t.startswith("/sitemaps/luu-tru")]
    fresh_queries = [t for t in asked if "sid=" in t]
    # the day linked from the home page and the "every day" page (each perhaps asked for page 2
    # once); none of the thousands of days they link to
    assert len(days) <= 4, days
    # facets are opened from section menus one level deep, never facets of facets
    assert len(facets) <= 2 * len(FACETS) * len(site.sections), facets
    assert not [t for t in facets if any(f"{a}-{b}" in t for a in FACETS for b in FACETS)], facets
    # index levels 0..MAX_INDEX_DEPTH-1 and one urlset each
    assert len(sitemaps) <= 2 * (MAX_INDEX_DEPTH + 1), sitemaps
    assert not fresh_queries, fresh_queries
    maze = len(days) + len(facets) + len(sitemaps)
    assert len(asked) - maze <= 2 * len(site.expected) + len(site.sections) * 3 + 10


def test_a_spent_budget_ends_the_run_and_says_which_branches_it_ended(tmp_path):
    """With a tiny overall budget the crawl stops discovering, finishes the articles it has
    asked for, and closes as budget-exhausted; the crawls row says what the budget ended."""
    budget = 6
    with FamilySite(SHAPES["numid"]) as site:
        db = tmp_path / "budget.db"
        result = run_crawl(site, db, name="family-numid-budget", check=False, spider=site.shape.spider,
                           settings={**SETTINGS, "ARCHIVE_BUDGET_REQUESTS": budget})
        (crawl,) = rows(db, "SELECT * FROM crawls")
        assert crawl["finish_reason"] == "budget-exhausted", result.tail()
        assert crawl["completed"] == 1  # what it asked for was stored: nothing owed
        ended = json.loads(crawl["budget_ended"])
        assert ended["requests"]["count"] >= 1 and ended["requests"]["branches"]
        stats = json.loads(crawl["stats"])
        assert stats["budget/exhausted/requests"] == 1
        articles = {t for t in site.requests if t in site.by_path}
        assert len([t for t in site.requests if t not in articles and t != "/robots.txt"]) <= budget
        stored = {r["url"] for r in rows(db, "SELECT url FROM urls")}
        assert stored == {run_url for run_url in (site.base_url + t for t in articles)} - {
            r["url"] for r in rows(db, "SELECT url FROM rejects")}


# --- sitemaps on a site with a newest-first listing ------------------------------------------------


class NewestSite(FamilySite):
    """The ``aid`` family with a robots.txt sitemap (every article but the feed-only ones) and
    a /tin-moi/ that can be made shallow (``newest_limit`` articles) or fail (``newest_down``)."""

    newest_limit: int | None = None
    newest_down = False

    def section_entries(self, path: str) -> list:
        entries = super().section_entries(path)
        return entries[: self.newest_limit] if path == self.shape.newest and self.newest_limit else entries


class _NewestHandler(FamilyHandler):
    def route(self, target: str) -> None:
        if self.site.newest_down and urlsplit(target).path == self.site.shape.newest:
            return self.send(503, "<h1>Service Unavailable</h1>")
        return super().route(target)


NewestSite.handler_class = _NewestHandler
NEWEST_SHAPE = replace(SHAPES["aid"], sitemap="urlset", robots_sitemap=True, sitemap_only=3)


def _urls(db: Path) -> set[str]:
    return {r["url"] for r in rows(db, "SELECT urls.url AS url FROM urls JOIN articles USING (hash)")}


@pytest.mark.parametrize("gap", ["shallow", "down"])
def test_sitemaps_wait_for_the_newest_first_listing_and_a_gap_walks_them_at_once(tmp_path, gap):
    """aid with a sitemap: the first run reads it; an incremental run whose /tin-moi/ reaches
    the archive reads no sitemap and no section; then more new articles than /tin-moi/ shows
    (or /tin-moi/ failing) makes the next run walk the sitemap and the sections at once, and
    every article is stored."""
    with NewestSite(NEWEST_SHAPE, maze=False) as site:
        spider = site.shape.spider
        db = tmp_path / "newest.db"
        run_crawl(site, db, name=f"newest-{gap}-1", settings=SETTINGS, spider=spider)
        assert "/sitemap.xml" in site.requests
        assert _urls(db) == {site.url_of(a) for a in site.expected}

        site.publish(3)  # fewer than a /tin-moi/ page holds
        n = len(site.requests)
        run_crawl(site, db, name=f"newest-{gap}-2", settings=SETTINGS, spider=spider)
        again = site.requests[n:]
        assert "/tin-moi/" in again
        assert "/sitemap.xml" not in again, again
        assert not [t for t in again if t in site.sections], again
        assert _urls(db) == {site.url_of(a) for a in site.expected}
        (stats,) = [json.loads(r["stats"]) for r in rows(db, "SELECT stats FROM crawls ORDER BY id DESC LIMIT 1")]
        assert stats["discovery/sitemaps_skipped"] == 1

        if gap == "shallow":
            site.newest_limit = 4  # /tin-moi/ shows one page: nine new articles are more than it reaches
            site.publish(9)
        else:
            site.newest_down = True
            site.publish(2)
        n = len(site.requests)
        run_crawl(site, db, name=f"newest-{gap}-3", settings=SETTINGS, spider=spider)
        again = site.requests[n:]
        assert "/sitemap.xml" in again, again
        assert [t for t in again if t in site.sections], again
        assert _urls(db) == {site.url_of(a) for a in site.expected}


def test_a_site_without_a_newest_first_listing_reads_its_sitemap_every_run(tmp_path):
    """hex7 has no /tin-moi/: an incremental run has no signal that could stand in for the
    sitemap, so it reads the index (its unchanged children are not read again)."""
    with FamilySite(SHAPES["hex7"], maze=False) as site:
        db = tmp_path / "nolatest.db"
        run_crawl(site, db, name="nolatest-1", settings=SETTINGS, spider="baodaklak")
        site.publish(2)
        n = len(site.requests)
        run_crawl(site, db, name="nolatest-2", settings=SETTINGS, spider="baodaklak")
        assert "/sitemap.xml" in site.requests[n:]
        assert _urls(db) == {site.url_of(a) for a in site.expected}
