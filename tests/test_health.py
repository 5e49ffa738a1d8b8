"""``python -m crawler health`` on a hand-built archive, and ``canary`` over loopback sample sites.

The archive is written through ``crawler.store.archive.Archive`` itself (``store``, ``start_crawl``,
``finish_crawl``), the way crawls write it; only ``crawls.started`` is moved back in time where
a test needs an old run.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bench.aid_spiders import pick_spiders
from crawler.store.archive import Archive
from crawler.commands.crawlall import build_settings, load_spiders
from crawler.spiders.families.aid import AIdSpider
from crawler.commands.health import check, format_table
from samplesite import SampleSite
from crawler.store.sitesync import sync_sites
from crawler.text import content_hash
from tests.conftest import PROJECT_ROOT, crawl_env

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
        records.append({"kind": "article", "hash": content_hash(text), "urls": [f"https://{site}.example/a{n}"],
                        "site": site, "fetched_at": when, "article": {"title": text[:30], "text": text}})
    for _ in range(rejects):
        records.append({"kind": "reject", "url": f"https://{site}.example/r{next(_serial)}", "site": site,
                        "reason": "no-main-text", "fetched_at": when})
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
        return {h.site: h for h in check(a, [
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


def health_cli(db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawler", "health", "--db", str(db), *args], cwd=PROJECT_ROOT,
                          env=crawl_env(), capture_output=True, text=True, timeout=60)


def test_exit_status_tells_monitoring_whether_any_site_is_flagged(archive_path):
    ok = health_cli(archive_path, "--site", "healthy", "--site", "running")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "0 of 2 sites flagged" in ok.stdout
    bad = health_cli(archive_path, "--site", "healthy", "--site", "stale", "--json")
    assert bad.returncode == 1
    data = {d["site"]: d for d in json.loads(bad.stdout)}
    assert data["stale"]["flags"] == ["stale"] and data["healthy"]["flags"] == []
    assert health_cli(archive_path, "--site", "nosuch").returncode == 2


def test_every_newspaper_spider_is_reported(archive_path):
    out = health_cli(archive_path, "--json")
    assert out.returncode == 1
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
def test_canary_reports_which_spiders_work():
    names, _ = pick_spiders(2)
    if "baocamau" not in names or len(names) < 2 or names[1].startswith("benchaid"):
        pytest.skip("needs baocamau and a second project spider of its family")
    other = names[0] if names[1] == "baocamau" else names[1]
    foreign = other_family_spider()
    with SampleSite(articles=30, traps=True) as site:
        cmd = [sys.executable, "-m", "crawler", "canary", "--json", "--timeout", "5",
               "--site", "baocamau", "--base-url", f"baocamau={site.base_url}",
               "--site", other, "--base-url", f"{other}=http://127.0.0.1:{closed_port()}",
               "--site", foreign, "--base-url", f"{foreign}={site.base_url}"]
        done = subprocess.run(cmd, cwd=PROJECT_ROOT, env=crawl_env(), capture_output=True, text=True, timeout=120)
        assert done.returncode == 1, done.stdout + done.stderr[-3000:]
        results = {r["site"]: r for r in json.loads(done.stdout)}
        ok = results["baocamau"]
        assert ok["ok"] and ok["front_status"] == 200 and ok["article_links"] >= 10
        titles = {a.title for a in site.articles}
        assert ok["title"] in titles and ok["chars"] > 500
        assert ok["article"].startswith(site.base_url)
        down = results[other]
        assert not down["ok"] and down["reason"].startswith("front page: ")
        assert "connection-refused" in down["reason"] or "download-error" in down["reason"]
        wrong = results[foreign]
        assert not wrong["ok"] and wrong["reason"] == "no article link on the front page"
        # A front page per spider and one article (plus robots.txt): nothing else is asked for.
        article_pages = [t for t in site.requests if t.split("?", 1)[0].endswith(".html")]
        assert len(article_pages) == 1
        assert len(site.requests) <= 5, site.requests

        # The same through health --canary; one working spider → exit 0, a table.
        done = subprocess.run([sys.executable, "-m", "crawler", "health", "--canary", "--timeout", "5",
                               "--site", "baocamau", "--base-url", f"baocamau={site.base_url}"],
                              cwd=PROJECT_ROOT, env=crawl_env(), capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr[-3000:]
        assert "1 of 1 spiders work" in done.stdout
        assert done.stdout.splitlines()[2].split()[:2] == ["baocamau", "OK"]
