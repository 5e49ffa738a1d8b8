"""End to end: ``scrapy crawl baocamau -a base_url=<sample site>`` in a subprocess, then the
resulting SQLite archive and the site's request log are checked against what the site holds.

One crawl of the trap-laden site is shared by most tests (module-scoped fixture); its
archive is snapshotted right after the run, so the incremental runs that follow (same
server, same port, same archive) cannot disturb the tests of the first run. Crawl logs are
kept in ``test-artifacts/crawls/``.
"""

from __future__ import annotations

import json
import re
import signal
import sqlite3
import time
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from samplesite import Article, SampleSite
from tests.conftest import connect, rows, run_crawl, snapshot, start_crawl

pytestmark = pytest.mark.e2e

STALE_PAGES = 2
SETTINGS = {"ARCHIVE_STALE_PAGES": STALE_PAGES}
ARTICLE_PATH = re.compile(r"^/[a-z0-9-]+-a\d+\.html$")

# Strings of the page chrome that must never reach a stored text.
CHROME = [
    "Theo dõi Báo điện tử", "Icon thời tiết", "°C", "Google News", "Chia sẻ", "Từ khóa:", "Tin liên quan",
    "Ý kiến của bạn", "Email (không hiển thị", "Gửi ý kiến", "Bản quyền thuộc", "Ghi rõ nguồn", "(CMO)",
    "Trang chủ", "Trang sau",
]
CLOCK = re.compile(r"(Thứ (hai|ba|tư|năm|sáu|bảy)|Chủ nhật), \d{1,2}-\d{1,2}-\d{2} \d{2}:\d{2}:\d{2}")


def norm(s: str | None) -> str:
    return " ".join((s or "").split())


def path_of(target: str) -> str:
    return target.split("?", 1)[0]


def is_article_request(target: str) -> bool:
    return bool(ARTICLE_PATH.match(path_of(target)))


def by_url(db: Path) -> dict[str, sqlite3.Row]:
    """Stored URL → its article row."""
    return {r["u"]: r for r in rows(db, "SELECT urls.url AS u, articles.* FROM urls JOIN articles USING (hash)")}


def listing_pages(requests: list[str]) -> dict[str, list[int]]:
    """Listing path → the page numbers requested (page 1 is the bare path)."""
    out: dict[str, list[int]] = defaultdict(list)
    for target in requests:
        parts = urlsplit(target)
        if parts.path.endswith("/") and parts.path != "/":
            page = parse_qs(parts.query).get("page", ["1"])[0]
            out[parts.path].append(int(page) if page.isdigit() else 1)
    return out


@dataclass
class Run:
    site: SampleSite
    db: Path  # the live archive (later runs write to it)
    snap: Path  # the archive as the first run left it
    requests: list[str]  # what the first run asked the site for
    seconds: float


@pytest.fixture(scope="module")
def run1(tmp_path_factory) -> Run:
    tmp = tmp_path_factory.mktemp("e2e")
    site = SampleSite(articles=60, traps=True).start()
    try:
        db = tmp / "archive.db"
        result = run_crawl(site, db, name="e2e-run1", settings=SETTINGS)
        yield Run(site, db, snapshot(db, tmp / "run1.db"), list(site.requests), result.seconds)
    finally:
        site.stop()


@pytest.fixture(scope="module")
def stored(run1) -> dict[str, sqlite3.Row]:
    return by_url(run1.snap)


def _failures(items: list[str]) -> str:
    return f"{len(items)} problem(s):\n" + "\n".join(items[:40])


# --- every article, exactly ----------------------------------------------------------------


def test_crawl_finished(run1):
    (crawl,) = rows(run1.snap, "SELECT * FROM crawls")
    assert crawl["finished"] and crawl["finish_reason"] == "finished", dict(crawl)


def test_every_article_stored_with_its_metadata(run1, stored):
    problems = []
    for art in run1.site.articles:
        url = run1.site.url(art.path)
        row = stored.get(url)
        if row is None:
            problems.append(f"missing {art!r}")
            continue
        if row["title"] != art.title:
            problems.append(f"{art!r} title {row['title']!r} != {art.title!r}")
        if row["site"] != "baocamau":
            problems.append(f"{art!r} site {row['site']!r}")
        text = row["text"] or ""
        if not text.startswith(art.sapo) or text.count(art.sapo) != 1:
            problems.append(f"{art!r} text does not begin with its sapo exactly once: {text[:120]!r}")
        try:
            published = datetime.fromisoformat(row["published"])
        except (TypeError, ValueError):
            problems.append(f"{art!r} published {row['published']!r} unreadable")
        else:
            if not row["published"].endswith("+07:00") or published.utcoffset() != timedelta(hours=7):
                problems.append(f"{art!r} published {row['published']!r} is not in +07:00")
            if published != art.published:
                problems.append(f"{art!r} published {row['published']!r} != {art.published.isoformat()}")
        if row["author"] != art.author:
            problems.append(f"{art!r} author {row['author']!r} != {art.author!r}")
    assert not problems, _failures(problems)


def test_texts_are_exact(run1, stored):
    """Lead once, then the body paragraphs; image captions may be kept or not."""
    problems = []
    for art in run1.site.articles:
        row = stored.get(run1.site.url(art.path))
        if row is not None and norm(row["text"]) not in (norm(art.text), norm(art.text_with_captions)):
            got, want = norm(row["text"]), norm(art.text)
            i = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
            problems.append(f"{art!r} differs at {i}: got …{got[max(0, i - 40):i + 80]!r} want …{want[max(0, i - 40):i + 80]!r}")
    assert not problems, _failures(problems)


def test_no_chrome_and_clean_unicode(run1):
    problems = []
    titles = {a.title for a in run1.site.articles}
    for row in rows(run1.snap, "SELECT url, title, text FROM articles"):
        text, title = row["text"] or "", row["title"] or ""
        for chrome in CHROME:
            if chrome in text:
                problems.append(f"{row['url']}: chrome {chrome!r} in text")
        if CLOCK.search(text):
            problems.append(f"{row['url']}: clock line in text")
        if text.startswith("Báo Cà Mau"):
            problems.append(f"{row['url']}: masthead before the lead")
        for other in titles - {title}:
            if other in text:
                problems.append(f"{row['url']}: another article's title (related news?) {other!r} in text")
        for field, value in (("title", title), ("text", text)):
            if not unicodedata.is_normalized("NFC", value) or "\u00d0" in value:
                problems.append(f"{row['url']}: {field} not clean (NFD or Latin Eth)")
    assert not problems, _failures(problems)


def test_description_language_tags(run1, stored):
    problems = []
    for art in run1.site.articles:
        row = stored.get(run1.site.url(art.path))
        if row is None:
            continue
        if row["description"] != art.sapo:
            problems.append(f"{art!r} description {row['description']!r}")
        if row["language"] != "vi":
            problems.append(f"{art!r} language {row['language']!r}")
        tags = json.loads(row["tags"] or "[]")
        if set(tags) != set(art.tags):
            problems.append(f"{art!r} tags {tags!r} != {art.tags!r}")
    assert not problems, _failures(problems)


def test_nothing_else_stored(run1):
    expected = {run1.site.url(p) for a in run1.site.articles for p in a.paths}
    urls = {r["url"] for r in rows(run1.snap, "SELECT url FROM urls")}
    extra, missing = sorted(urls - expected), sorted(expected - urls)
    assert not extra and not missing, f"{len(extra)} unexpected (e.g. {extra[:5]}); {len(missing)} missing " \
                                      f"(e.g. {missing[:5]})"
    (n,) = rows(run1.snap, "SELECT count(*) FROM articles")[0]
    assert n == len(run1.site.articles)


# --- duplicates -----------------------------------------------------------------------------


def test_duplicates_are_one_article_with_several_urls(run1, stored):
    traps, site = run1.site.traps, run1.site
    for alias, art in traps.duplicates.items():
        own, dup = stored.get(site.url(art.path)), stored.get(site.url(alias))
        assert own is not None and dup is not None, (art, alias)
        assert own["hash"] == dup["hash"], f"{alias} stored as a separate article from {art.path}"
        (n,) = rows(run1.snap, "SELECT count(*) FROM urls WHERE hash = ?", own["hash"])[0]
        assert n == 2, f"{art!r}: {n} urls rows"


def test_url_variants_are_one_url(run1, stored):
    art = run1.site.traps.variant_target
    row = stored[run1.site.url(art.path)]
    assert [r["url"] for r in rows(run1.snap, "SELECT url FROM urls WHERE hash = ?", row["hash"])] == \
        [run1.site.url(art.path)]
    for table in ("urls", "rejects"):
        bad = rows(run1.snap, f"SELECT url FROM {table} WHERE url LIKE '%utm\\_%' ESCAPE '\\' OR url LIKE '%#%'")
        assert not bad, [r["url"] for r in bad]
    # canonicalised before fetching: the tracking variant was never requested on its own
    assert sum(1 for t in run1.requests if path_of(t) == art.path) == 1, \
        [t for t in run1.requests if path_of(t) == art.path]


def test_nfd_copy_stored_as_nfc(run1, stored):
    art = run1.site.traps.nfd
    row = stored[run1.site.url(run1.site.traps.nfd_path)]
    assert row["title"] == art.title
    assert norm(row["text"]) == norm(art.text)
    assert unicodedata.is_normalized("NFC", row["text"]) and "\u00d0" not in row["text"]


def test_windows_1258_page_reads_as_vietnamese(run1, stored):
    art = run1.site.traps.cp1258
    row = stored[run1.site.url(art.path)]
    assert row["title"] == art.title
    assert norm(row["text"]) in (norm(art.text), norm(art.text_with_captions))
    assert row["hash"] == stored[run1.site.url(run1.site.traps.cp1258_twin_path)]["hash"]


# --- failures and traps -------------------------------------------------------------------------


def test_rejects_with_reasons(run1):
    got = {r["url"]: r for r in rows(run1.snap, "SELECT * FROM rejects")}
    problems = []
    for path, reason in run1.site.traps.rejects.items():
        row = got.get(run1.site.url(path))
        if row is None:
            problems.append(f"{path}: no reject row (want {reason})")
        elif row["reason"] != reason:
            problems.append(f"{path}: reason {row['reason']!r} != {reason!r} ({row['detail']!r})")
        elif row["site"] != "baocamau" or not row["first_seen"] or not row["last_seen"] or (row["attempts"] or 0) < 1:
            problems.append(f"{path}: incomplete reject row {dict(row)}")
    stored_urls = {r["url"] for r in rows(run1.snap, "SELECT url FROM urls")}
    problems += [f"{u}: both stored and rejected" for u in set(got) & stored_urls]
    problems += [f"{u}: unexpected reject {got[u]['reason']}" for u in
                 set(got) - {run1.site.url(p) for p in run1.site.traps.rejects}]
    assert not problems, _failures(problems)


def test_flaky_and_malformed_pages_stored(run1, stored):
    traps = run1.site.traps
    assert run1.site.hits(traps.flaky.path) >= 2  # a 500, then the retry that worked
    for art in (traps.flaky, traps.slow, traps.malformed):
        row = stored.get(run1.site.url(art.path))
        assert row is not None, art
        assert row["title"] == art.title
        assert norm(row["text"]) in (norm(art.text), norm(art.text_with_captions)), art


def test_never_requested(run1):
    traps = run1.site.traps
    forbidden = ("/tim-kiem/", "/admin/", "/video/", "/files/", "/img/", "/media/", "/tags/", "/binh-luan/")
    bad = [t for t in run1.requests if t.startswith(forbidden)]
    assert not bad, bad
    for path in traps.never_requested:
        assert run1.site.hits(path_of(path)) == 0, path
    # off-site links: nothing outside the site was stored or rejected
    for table in ("urls", "rejects"):
        outside = [r["url"] for r in rows(run1.snap, f"SELECT url FROM {table}")
                   if not r["url"].startswith(run1.site.base_url + "/")]
        assert not outside, outside


def test_traps_are_bounded(run1):
    pages = listing_pages(run1.requests)
    endless = pages.get(run1.site.traps.endless, [])
    assert len(endless) <= STALE_PAGES + 2, f"endless tail requested {len(endless)} times: pages {endless}"
    calendar = [t for t in run1.requests if t.startswith("/lich-su/")]
    assert len(calendar) <= STALE_PAGES + 1, calendar
    odd_queries = [t for t in run1.requests if not t.startswith("/lich-su/")
                   and set(parse_qs(urlsplit(t).query)) - {"page"}]
    assert len(odd_queries) <= 2, odd_queries


def test_no_page_fetched_twice(run1):
    traps = run1.site.traps
    allowed = {traps.flaky.path: 2, traps.too_slow_path: 5}  # a retry after a 500; retries after timeouts
    counts = Counter(run1.requests)
    twice = {t: n for t, n in counts.items() if n > allowed.get(t, 1)}
    assert not twice, twice


def test_crawls_row(run1):
    (crawl,) = rows(run1.snap, "SELECT * FROM crawls")
    (n_articles,) = rows(run1.snap, "SELECT count(*) FROM articles")[0]
    (n_rejects,) = rows(run1.snap, "SELECT count(*) FROM rejects")[0]
    assert crawl["site"] == "baocamau"
    assert crawl["started"] and crawl["finished"] and crawl["started"] <= crawl["finished"]
    assert crawl["requests"] > 0
    assert crawl["new_articles"] == n_articles
    assert crawl["duplicates"] >= 3
    assert crawl["rejects"] == n_rejects
    assert isinstance(json.loads(crawl["stats"]), dict)
    assert run1.site.base_url in (crawl["args"] or "")


def test_archive_consistent(run1):
    con = connect(run1.snap)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert not con.execute("PRAGMA foreign_key_check").fetchall()
        orphans = con.execute("SELECT url FROM urls WHERE hash NOT IN (SELECT hash FROM articles)").fetchall()
        assert not orphans
        unlisted = con.execute("SELECT url FROM articles WHERE url NOT IN (SELECT url FROM urls)").fetchall()
        assert not unlisted, "articles.url (first seen) must be one of its urls"
        assert con.execute("SELECT count(*) FROM urls WHERE site != 'baocamau'").fetchone()[0] == 0
    finally:
        con.close()


def test_articles_carry_their_papers_province(run1):
    provinces = rows(run1.snap, "SELECT DISTINCT province FROM articles")
    assert [r["province"] for r in provinces] == ["Cà Mau"]
    [site] = rows(run1.snap, "SELECT * FROM sites")
    assert (site["name"], site["paper"]) == ("baocamau", "Báo Cà Mau")


def test_full_text_search(run1):
    art = next(a for a in run1.site.articles if a.role is None)
    word = max(art.title.split(), key=len)
    con = connect(run1.snap)
    try:
        hits = con.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", (f'"{word}"',)).fetchall()
    finally:
        con.close()
    assert hits


# --- incremental runs -----------------------------------------------------------------------------


@dataclass
class Incremental:
    second: list[str]  # requests of the run with nothing new
    published: list[Article]
    third: list[str]  # requests of the run after publish(5)
    before_third: set[str]  # stored URLs before the third run


@pytest.fixture(scope="module")
def incremental(run1) -> Incremental:
    site, db = run1.site, run1.db
    n = len(site.requests)
    run_crawl(site, db, name="e2e-run2-incremental", settings=SETTINGS)
    second = site.requests[n:]
    before = {r["url"] for r in rows(db, "SELECT url FROM urls")}
    published = site.publish(5)
    n = len(site.requests)
    run_crawl(site, db, name="e2e-run3-published", settings=SETTINGS)
    return Incremental(second, published, site.requests[n:], before)


def test_second_run_fetches_no_article_again(run1, incremental):
    articles = [t for t in incremental.second if is_article_request(t)]
    assert not articles, articles


def test_second_run_reads_few_listing_pages(run1, incremental):
    pages = listing_pages(incremental.second)
    too_deep = {p: n for p, n in pages.items() if len(n) > STALE_PAGES + 1}
    assert not too_deep, f"listings paginated past {STALE_PAGES} stale pages: {too_deep}"
    others = [t for t in incremental.second if t not in ("/robots.txt", "/") and urlsplit(t).path not in pages]
    assert not others, f"not listing pages: {others}"


def test_incremental_runs_skip_section_listings_when_tin_moi_reaches_the_archive(run1, incremental):
    # /tin-moi/ lists every article newest first: once it reaches archived ones, nothing was
    # missed, and the sections are left for the weekly sweep (ARCHIVE_SECTION_SWEEP_HOURS).
    for requests in (incremental.second, incremental.third):
        sections = {p for p in listing_pages(requests) if p not in ("/", "/tin-moi/")}
        assert not sections, sections
    crawls = rows(run1.db, "SELECT stats, started, section_sweep, completed FROM crawls ORDER BY started")
    sweeps = [json.loads(c["stats"]).get("listing/section_sweep") for c in crawls]
    assert sweeps == [1, None, None]
    # the sweep time is a column, not read back from the stats
    assert crawls[0]["section_sweep"] >= crawls[0]["started"]
    assert [c["section_sweep"] for c in crawls[1:]] == [None, None]
    assert [c["completed"] for c in crawls] == [1, 1, 1]


def test_sections_are_walked_when_tin_moi_cannot_reach_the_archive(tmp_path):
    with SampleSite(articles=40, traps=False) as site:
        db = tmp_path / "archive.db"
        run_crawl(site, db, name="e2e-gap-run1", settings=SETTINGS)
        site.publish(45)  # more than two pages of /tin-moi/ …
        n = len(site.requests)
        run_crawl(site, db, "max_pages=2", name="e2e-gap-run2", settings=SETTINGS)  # … which may only read two
        sections = {p for p in listing_pages(site.requests[n:]) if p not in ("/", "/tin-moi/")}
        assert sections, "a gap on /tin-moi/ must send the crawl through the sections"
        assert {site.url(a.path) for a in site.articles} <= {r["url"] for r in rows(db, "SELECT url FROM urls")}


def test_third_run_stores_exactly_the_new_articles(run1, incremental):
    site, db = run1.site, run1.db
    after = {r["url"] for r in rows(db, "SELECT url FROM urls")}
    assert after - incremental.before_third == {site.url(a.path) for a in incremental.published}
    stored = by_url(db)
    for art in incremental.published:
        row = stored[site.url(art.path)]
        assert row["title"] == art.title and norm(row["text"]) in (norm(art.text), norm(art.text_with_captions))
    fetched = sorted(path_of(t) for t in incremental.third if is_article_request(t))
    assert fetched == sorted(a.path for a in incremental.published)


def test_crawls_has_a_row_per_run(run1, incremental):
    crawls = rows(run1.db, "SELECT * FROM crawls ORDER BY started")
    assert len(crawls) == 3
    assert [c["new_articles"] for c in crawls[1:]] == [0, 5]
    assert all(c["finished"] for c in crawls)


# --- since ---------------------------------------------------------------------------------------------


def test_since_stores_only_newer_articles_and_stops_paginating(tmp_path):
    with SampleSite(articles=120, traps=False) as site:
        since = site.articles[30].published.date()
        run_crawl(site, tmp_path / "archive.db", f"since={since.isoformat()}", name="e2e-since", settings=SETTINGS)
        want = {site.url(a.path) for a in site.articles if a.published.date() >= since}
        got = {r["url"] for r in rows(tmp_path / "archive.db", "SELECT url FROM urls")}
        extra, missing = sorted(got - want), sorted(want - got)
        assert not extra and not missing, (f"{len(extra)} stored from before {since} (e.g. {extra[:3]}); "
                                           f"{len(missing)} missing (e.g. {missing[:3]})")
        requested = listing_pages(site.requests)
        problems = []
        for path in site.listing_paths():
            entries = site.listing(path)
            older = next((i for i, e in enumerate(entries) if e.listed.date() < since), len(entries))
            boundary = older // site.model.per_page + 1  # the page where older entries start
            deepest = max(requested.get(path, [0]))
            if deepest > boundary + 1:
                problems.append(f"{path}: paginated to page {deepest}, older articles start on page {boundary}")
        assert not problems, _failures(problems)


# --- kill safety ---------------------------------------------------------------------------------------


def _count_articles(db: Path) -> int:
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return con.execute("SELECT count(*) FROM articles").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return 0


def test_sigkill_leaves_a_consistent_archive_and_resumes(tmp_path):
    db = tmp_path / "archive.db"
    settings = {**SETTINGS, "ARCHIVE_BATCH_SIZE": 10, "CONCURRENT_REQUESTS_PER_DOMAIN": 8}
    with SampleSite(articles=400, traps=False, latency=0.01) as site:
        proc, log = start_crawl(site, db, name="e2e-killed", settings=settings)
        deadline = time.monotonic() + 90
        try:
            while _count_articles(db) < 20:
                assert proc.poll() is None, f"the crawl ended (exit {proc.returncode}) before it could be killed; {log}"
                assert time.monotonic() < deadline, f"fewer than 20 articles stored after 90 s; {log}"
                time.sleep(0.05)
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL, "the crawl finished before the kill"

        con = connect(db)
        try:
            assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            partial = con.execute("SELECT * FROM articles").fetchall()
            orphans = con.execute("SELECT url FROM urls WHERE hash NOT IN (SELECT hash FROM articles)").fetchall()
        finally:
            con.close()
        assert 20 <= len(partial) < 400
        assert not orphans
        by_path = {a.path: a for a in site.articles}
        for row in partial:
            art = by_path[urlsplit(row["url"]).path]
            assert row["title"] == art.title and row["published"] and row["site"] == "baocamau"
            assert norm(row["text"]) in (norm(art.text), norm(art.text_with_captions)), art
        done_before = {urlsplit(r["url"]).path for r in partial}

        n = len(site.requests)
        run_crawl(site, db, name="e2e-after-kill", settings=settings)
        again = [path_of(t) for t in site.requests[n:] if is_article_request(t)]
        assert not set(again) & done_before, "articles stored before the kill were fetched again"

        con = connect(db)
        try:
            assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            urls = [r[0] for r in con.execute("SELECT url FROM urls")]
            n_articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
            n_texts = con.execute("SELECT count(DISTINCT text) FROM articles").fetchone()[0]
        finally:
            con.close()
        assert sorted(urls) == sorted(site.url(a.path) for a in site.articles)
        assert n_articles == n_texts == 400


# --- backfill ------------------------------------------------------------------------------------------


def test_backfill_walks_the_whole_archive_and_resumes_with_jobdir(tmp_path):
    """An archive begun with a recent ``since`` lacks the older years; an ordinary run does not
    reach them (its listings stop at pages it knows), ``-a backfill=1`` does, and a backfill
    stopped midway (SIGINT, as a scheduler would) resumes from its JOBDIR."""
    with SampleSite(articles=150, traps=False, per_page=10, latency=0.03) as site:
        db = tmp_path / "archive.db"
        since = site.articles[20].published.date()
        run_crawl(site, db, f"since={since.isoformat()}", name="e2e-backfill-recent", settings=SETTINGS)
        everything = {site.url(a.path) for a in site.articles}
        recent = {r["url"] for r in rows(db, "SELECT url FROM urls")}
        assert recent < everything
        run_crawl(site, db, name="e2e-backfill-ordinary", settings=SETTINGS)
        assert {r["url"] for r in rows(db, "SELECT url FROM urls")} == recent, "an ordinary run reached old pages"

        jobdir = tmp_path / "job"
        # small batches: the archive's count follows the crawl closely enough to stop it midway
        settings = {**SETTINGS, "JOBDIR": str(jobdir), "CONCURRENT_REQUESTS_PER_DOMAIN": 2, "ARCHIVE_BATCH_SIZE": 2}
        proc, log = start_crawl(site, db, "backfill=1", name="e2e-backfill-stopped", settings=settings)
        deadline = time.monotonic() + 60
        while _count_articles(db) < len(recent) + 10 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.poll() is None, f"the backfill ended before it could be stopped; {log}"
        proc.send_signal(signal.SIGINT)  # graceful: Scrapy keeps the queue in JOBDIR
        proc.wait(timeout=60)
        partial = {r["url"] for r in rows(db, "SELECT url FROM urls")}
        assert recent < partial < everything
        n = len(site.requests)
        result = run_crawl(site, db, "backfill=1", name="e2e-backfill-resumed", settings=settings)
        assert {r["url"] for r in rows(db, "SELECT url FROM urls")} == everything
        assert "scheduler/unserializable" not in result.log  # every request could be kept in JOBDIR
        resumed = site.requests[n:]
        assert not [t for t in resumed if is_article_request(t) and site.url(path_of(t)) in partial]
