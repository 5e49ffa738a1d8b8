"""``python -m crawler health`` on a hand-built archive (in process), and ``canary`` over loopback
sample sites and an unreachable network (subprocesses: a reactor each).

The archive is written through ``crawler.store.archive.Archive`` itself (``store``, ``start_crawl``,
``finish_crawl``), the way crawls write it; only ``crawls.started`` is moved back in time where
a test needs an old run.
"""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bench.aid_spiders import pick_spiders
from crawler.items import ArticleRecord, RejectRecord
from crawler.store.archive import Archive
from crawler.commands.crawlall import build_settings, load_spiders
from crawler.spiders.families.aid import AIdSpider
from crawler.commands.health import format_table
from crawler.health import check
from samplesite import SampleSite
from crawler.jobs.sitesync import sync_sites
from crawler.text import content_hash

NOW = datetime.now(UTC)


def iso(dt: datetime) -> str:
    return dt.isoformat(timespec="seconds")


class Newspaper:
    """Stands in for a spider class: sitesync reads these attributes."""

    def __init__(self, name: str, province: str):
        self.name, self.paper, self.domains, self.province = name, f"Báo {name}", (f"{name}.example",), province
        self.former_province = None


_serial = iter(range(1_000_000))


def run(archive: Archive, site: str, *, new: int = 0, dup: int = 0, rejects: int = 0, reason: str | None = "finished",
        responses: int | None = None, ago: timedelta = timedelta(0), stats: dict | None = None) -> int:
    """One crawl of ``site`` as CrawlLog and the store record it; ``reason=None``: never finished."""
    crawl_id = archive.start_crawl(site, {})
    when = iso(NOW - ago)
    records = []
    for _ in range(new):
        n = next(_serial)
        text = f"Bài {n} của {site}: " + "nội dung bài báo " * 40
        records.append(ArticleRecord(hash=content_hash(text), urls=[f"https://{site}.example/a{n}"], site=site, fetched_at=when, article={"title": text[:30], "text": text}))
    for _ in range(rejects):
        records.append(RejectRecord(url=f"https://{site}.example/r{next(_serial)}", site=site, reason="no-main-text", fetched_at=when))
    result = archive.store(records)
    assert result.inserted == new
    if reason is not None:
        pages = new + dup + rejects
        figures = {"requests": pages + 5, "new_articles": new, "duplicates": dup, "rejects": rejects, "errors": 0}
        archive.finish_crawl(crawl_id, finish_reason=reason, figures=figures,
                             stats={"downloader/response_count": pages + 5 if responses is None else responses,
                                    **(stats or {})})
    if ago:
        archive.db["crawls"].update(crawl_id, {"started": when})
    return crawl_id


@pytest.fixture(scope="module")
def archive_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("health") / "archive.db"
    with Archive(path) as a:
        sync_sites(a, [Newspaper(n, "Cà Mau") for n in (
            "healthy", "stale", "rejecting", "killed", "running", "errorcount", "noresponse", "exceptions",
            "never", "quiet", "slow")])
        for days in (2, 1, 0):
            run(a, "healthy", new=3, dup=1, ago=timedelta(days=days))
        run(a, "stale", new=5, ago=timedelta(days=4))
        for days in (3, 2, 1):
            run(a, "stale", dup=4, ago=timedelta(days=days))
        run(a, "rejecting", new=2, ago=timedelta(days=1))
        run(a, "rejecting", new=1, dup=1, rejects=6)
        run(a, "killed", new=2, ago=timedelta(days=3))
        run(a, "killed", new=1, reason=None, ago=timedelta(days=1))
        run(a, "running", new=2, ago=timedelta(days=1))
        run(a, "running", reason=None)  # started a moment ago: still going
        run(a, "errorcount", new=2, reason="closespider_errorcount")
        run(a, "noresponse", new=1, ago=timedelta(days=1))
        run(a, "noresponse", responses=0)
        run(a, "exceptions", new=2, stats={"spider_exceptions/count": 2, "spider_exceptions/KeyError": 2})
        run(a, "quiet", new=4, ago=timedelta(days=12))  # then a run that found nothing, long ago
        run(a, "quiet", dup=3, ago=timedelta(days=1))
        # crawled rarely: a new article 12 days ago, then runs that found nothing
        run(a, "slow", new=4, ago=timedelta(days=12))
        run(a, "slow", ago=timedelta(days=5))
        run(a, "slow", new=0, dup=2, ago=timedelta(days=1))
    return path


@pytest.fixture(scope="module")
def report(archive_path):
    with Archive(archive_path) as a:
        return {h.site: h for h in check(a.db, [
            "healthy", "stale", "rejecting", "killed", "running", "errorcount", "noresponse", "exceptions", "never",
            "quiet", "slow"], runs=3, days=7)}


def flags(h) -> set[str]:
    return set(h.flags)


def test_healthy_site_has_no_flag(report):
    h = report["healthy"]
    assert flags(h) == set()
    assert h.runs_in_window == 3 and h.new_in_window == 9
    assert h.last_run.new_articles == 3 and h.last_article is not None


def test_last_runs_that_found_nothing_are_stale(report):
    h = report["stale"]
    assert flags(h) == {"stale"}
    assert "last 3 runs" in h.flags["stale"]
    assert h.last_new_run < h.last_run.started


def test_mostly_rejects_is_rejecting(report):
    assert flags(report["rejecting"]) == {"rejecting"}
    assert "6 of 8" in report["rejecting"].flags["rejecting"]


def test_killed_errored_or_deaf_runs_are_failing(report):
    assert flags(report["killed"]) == {"failing"}
    assert "never finished" in report["killed"].flags["failing"]
    assert flags(report["errorcount"]) == {"failing"}
    assert "closespider_errorcount" in report["errorcount"].flags["failing"]
    # No response at all (DNS gone, blocked).
    assert flags(report["noresponse"]) == {"failing"}
    assert "no response" in report["noresponse"].flags["failing"]
    assert flags(report["exceptions"]) == {"failing"}


def test_a_run_in_progress_is_not_judged(report):
    h = report["running"]
    assert h.running is not None and h.running.finished is None
    assert flags(h) == set()
    assert h.last_run.new_articles == 2


def test_never_crawled(report):
    assert flags(report["never"]) == {"never-crawled"}
    assert report["never"].last_run is None


def test_no_new_article_within_days_is_stale(report):
    # The last run found nothing, the one before stored articles 12 days ago.
    assert flags(report["slow"]) == {"stale"}
    assert "no new article in 7 days" in report["slow"].flags["stale"]
    assert flags(report["quiet"]) == {"stale"}


def test_table_names_every_flag(report):
    text = format_table(list(report.values()), days=7)
    assert text.splitlines()[0].split()[:3] == ["site", "province", "last"]
    assert "9 of 11 sites flagged" in text
    assert "stale (the last 3 runs stored nothing new)" in text
    assert "running since" in text


def test_exit_status_tells_monitoring_whether_any_site_is_flagged(archive_path, invoke):
    ok = invoke("health", "--db", archive_path, "--site", "healthy", "--site", "running")
    assert ok.exit_code == 0, ok.output
    assert "0 of 2 sites flagged" in ok.stdout
    bad = invoke("health", "--db", archive_path, "--site", "healthy", "--site", "stale", "--json")
    assert bad.exit_code == 1
    data = {d["site"]: d for d in json.loads(bad.stdout)}
    assert data["stale"]["flags"] == ["stale"] and data["healthy"]["flags"] == []
    unknown = invoke("health", "--db", archive_path, "--site", "nosuch")
    assert unknown.exit_code == 2 and "unknown site(s): nosuch; known: " in unknown.stderr
    # --db before the verb is the same archive
    assert invoke("--db", archive_path, "health", "--site", "healthy").exit_code == 0


def test_every_newspaper_spider_is_reported(archive_path, invoke):
    out = invoke("health", "--db", archive_path, "--json")
    assert out.exit_code == 1
    sites = {d["site"]: d for d in json.loads(out.stdout)}
    spiders = {name for name, cls in load_spiders(build_settings()).items() if cls.domains}
    assert spiders | {"healthy", "stale"} <= set(sites)
    assert "news" not in sites  # the any-site spider is not a newspaper
    assert sites["baocamau"]["flags"] == ["never-crawled"]


# -- canary over loopback -----------------------------------------------------------------------


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def other_family_spider() -> str:
    """A spider whose article pattern the sample site (an ``-a<id>.html`` site) never matches."""
    for name, cls in load_spiders(build_settings()).items():
        if cls.domains and not issubclass(cls, AIdSpider) and getattr(cls, "article_path", None):
            return name
    pytest.skip("no spider of another family")


@pytest.mark.e2e
def test_canary_reports_which_spiders_work(cli):
    names, _ = pick_spiders(2)
    if "baocamau" not in names or len(names) < 2 or names[1].startswith("benchaid"):
        pytest.skip("needs baocamau and a second project spider of its family")
    other = names[0] if names[1] == "baocamau" else names[1]
    foreign = other_family_spider()
    with SampleSite(articles=30, traps=True) as site:
        # No probe of a known internet host: the sites' own hosts (one is up) prove the network.
        done = cli("canary", "--json", "--timeout", "5", "-s", "ARCHIVE_NETWORK_PROBE=",
                   "--site", "baocamau", "--base-url", f"baocamau={site.base_url}",
                   "--site", other, "--base-url", f"{other}=http://127.0.0.1:{closed_port()}",
                   "--site", foreign, "--base-url", f"{foreign}={site.base_url}", timeout=120)
        assert done.returncode == 1, done.stdout + done.stderr[-3000:]
        assert "Traceback" not in done.stderr
        results = {r["site"]: r for r in json.loads(done.stdout)}
        ok = results["baocamau"]
        assert ok["ok"] and ok["front_status"] == 200 and ok["article_links"] >= 10 and ok["step"] == "ok"
        titles = {a.title for a in site.articles}
        assert ok["title"] in titles and ok["chars"] > 500
        assert ok["article"].startswith(site.base_url)
        down = results[other]
        assert not down["ok"] and down["reason"].startswith("front page: ")
        assert "connection-refused" in down["reason"] or "download-error" in down["reason"]
        assert down["step"] == "connection-refused"
        wrong = results[foreign]
        assert not wrong["ok"] and wrong["reason"] == "no article link on the front page"
        assert wrong["step"] == "article-links"
        # A front page per spider and one article (plus robots.txt): nothing else is asked for.
        article_pages = [t for t in site.requests if t.split("?", 1)[0].endswith(".html")]
        assert len(article_pages) == 1
        assert len(site.requests) <= 5, site.requests

        # The same through health --canary; one working spider → exit 0, a table.
        # The known host is a loopback server that answers: the network counts as up.
        done = cli("health", "--canary", "--timeout", "5", "-s", f"ARCHIVE_NETWORK_PROBE={site.base_url}",
                   "--site", "baocamau", "--base-url", f"baocamau={site.base_url}", timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr[-3000:]
        assert "1 of 1 spiders work" in done.stdout
        assert done.stdout.splitlines()[2].split()[:3] == ["baocamau", "OK", "ok"]


# -- paths are checked, never invented ---------------------------------------------------------


@pytest.mark.parametrize("verb", [("health",), ("sites",), ("export", "out"), ("reextract", "--dry-run"),
                                  ("export", "--jsonl", "-")])
def test_read_commands_refuse_a_missing_archive_and_create_nothing(tmp_path, invoke, verb):
    missing = tmp_path / "typo" / "archve.db"
    done = invoke(*verb, "--db", missing)
    assert done.exit_code == 2, done.output
    assert done.stderr.strip().splitlines() == [f"{missing} does not exist (check --db / DB=, or crawl first: "
                                                "make crawl SITE=…)"]
    assert not missing.exists() and not missing.parent.exists()
    # The same through the group's --db.
    again = invoke("--db", missing, *verb)
    assert again.exit_code == 2 and "does not exist" in again.stderr
    assert not missing.parent.exists()


@pytest.mark.parametrize("verb", [("health",), ("sites",), ("export", "out"), ("import", "."), ("reextract",)])
def test_a_file_that_is_not_sqlite_is_one_line_and_untouched(tmp_path, invoke, verb):
    bad = tmp_path / "archive.db"
    bad.write_bytes(b"<html>not a database</html>\n" * 20)
    before = bad.read_bytes()
    done = invoke(*verb, "--db", bad)
    assert done.exit_code == 2, done.output
    assert done.stderr.strip() == f"{bad} is not a SQLite database"
    assert "Traceback" not in done.output
    assert bad.read_bytes() == before


def test_import_creates_a_new_archive_and_says_so(tmp_path, invoke):
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "001_x.txt").write_text("Bài báo thử nghiệm. " * 30 + "\n\nNguồn: https://baocamau.vn/bai-a1.html\n",
                                     encoding="utf-8")
    db = tmp_path / "new.db"
    done = invoke("import", texts, "--db", db)
    assert done.exit_code == 0, done.output
    assert f"creating new archive at {db}" in done.stderr
    assert db.exists()
    deeper = tmp_path / "no" / "such" / "a.db"
    made = invoke("import", texts, "--db", deeper)
    assert made.exit_code == 0, made.output
    assert f"creating new archive at {deeper} (and its folder {tmp_path / 'no'})" in made.stderr


def test_sites_lists_every_newspaper_with_its_articles(archive_path, invoke):
    done = invoke("sites", "--db", archive_path, "--json")
    assert done.exit_code == 0, done.output
    sites = {r["site"]: r for r in json.loads(done.stdout)}
    assert sites["baocamau"]["province"] == "Cà Mau" and "baocamau.vn" in sites["baocamau"]["domains"]
    assert "news" not in sites
    table = invoke("sites", "--db", archive_path).stdout.splitlines()
    assert table[0].split() == ["site", "paper", "province", "domains", "articles"]


# -- archive depth -------------------------------------------------------------------------------


def test_depth_shows_oldest_newest_and_articles_per_year(tmp_path, invoke):
    path = tmp_path / "archive.db"
    dates = ["2016-03-02T08:00:00+07:00", "2019-12-31", "2019-01-05T10:00:00+07:00", "2025-07-01T06:30:00+07:00",
             None]
    with Archive(path) as a:
        sync_sites(a, [Newspaper("deep", "Cà Mau")])
        crawl_id = a.start_crawl("deep", {})
        records = []
        for i, published in enumerate(dates):
            text = f"Bài {i} lưu trữ: " + "nội dung bài báo cũ " * 40
            art = {"title": f"Bài {i}", "text": text}
            if published:
                art["published"] = published
            records.append(ArticleRecord(hash=content_hash(text), urls=[f"https://deep.example/a{i}"], site="deep", fetched_at=iso(NOW), article=art))
        a.store(records)
        a.finish_crawl(crawl_id, finish_reason="finished", stats={"downloader/response_count": 6},
                       figures={"requests": 6, "new_articles": 5, "duplicates": 0, "rejects": 0, "errors": 0})
        (h,) = check(a.db, ["deep"])
    assert (h.oldest, h.newest) == ("2016-03-02", "2025-07-01")
    assert h.per_year == {"2016": 1, "2019": 2, "2025": 1, "undated": 1}
    done = invoke("health", "--db", path, "--site", "deep")
    lines = done.stdout.splitlines()
    assert lines[0].split()[-3:] == ["oldest", "newest", "flags"]
    assert "2016-03-02" in lines[2] and "2025-07-01" in lines[2]
    at = lines.index("archive depth: articles per year of publication")
    assert lines[at + 1].split() == ["site", "2016", "2019", "2025", "undated", "total"]
    assert lines[at + 3].split() == ["deep", "1", "2", "1", "1", "5"]
    data = json.loads(invoke("health", "--db", path, "--site", "deep", "--json").stdout)[0]
    assert data["oldest"] == "2016-03-02" and data["per_year"]["2019"] == 2


# -- canary without a network ---------------------------------------------------------------------


def test_canary_says_no_network_instead_of_blaming_every_spider(cli):
    """Nothing resolves: the known host is unresolvable (.invalid is reserved, RFC 6761), and so
    are the sites (a mirror on .invalid); one line, exit 3, no spider run, no traceback."""
    done = cli("canary", "-s", "ARCHIVE_NETWORK_PROBE=probe.invalid:443",
               "--site", "baocamau", "--base-url", "baocamau=http://baocamau.invalid",
               "--site", "baocantho", "--base-url", "baocantho=http://baocantho.invalid", timeout=60)
    assert done.returncode == 3, done.stdout + done.stderr
    assert done.stderr.strip().splitlines() == [
        "no network: probe.invalid:443 (DNS lookup failed) and none of the 2 site hosts (DNS lookup failed) "
        "could be reached — check the connection or DNS; try make demo"]
    assert done.stdout == ""


def test_canary_with_a_closed_probe_port_but_a_reachable_site_goes_on(cli):
    with SampleSite(articles=10, traps=False) as site:
        done = cli("canary", "--json", "--timeout", "5", "-s", f"ARCHIVE_NETWORK_PROBE=127.0.0.1:{closed_port()}",
                   "--site", "baocamau", "--base-url", f"baocamau={site.base_url}", timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert json.loads(done.stdout)[0]["ok"]
