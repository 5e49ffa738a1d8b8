"""Crawl throughput on the loopback sample site: ``python -m bench.crawl [--articles 2000]``.

Serves the sample site (``samplesite``, traps off) with ``--articles`` articles on
127.0.0.1, runs ``scrapy crawl baocamau -a base_url=…`` into a throw-away archive with
politeness off and 32 requests in flight, and prints plain lines:

    crawl: 2000 articles in 71.2 s = 28.1 articles/s; 1.06 requests/article; peak RSS 182 MB
    incremental: 9 requests, 0 new articles in 2.9 s; peak RSS 95 MB

- wall time is the whole subprocess (interpreter and Scrapy start-up included);
- stored articles are counted in the archive; requests are the crawl's own count (``crawls``
  row), which includes robots.txt and retries, cross-checked against the site's request log;
- peak RSS is the child's own maximum resident set size (``os.wait4`` rusage, Linux KB).

The second line is an incremental re-run against the same server and archive: what a
scheduled crawl costs when nothing was published.

Then discovery on a maze (``samplesite.families``, the ``aid`` family crawled by ``baocantho``,
every maze trap on: day archives in the section shape, faceted filters, an endless sitemap
index, ever-new query strings, a page of thousands of links):

    maze crawl: 600 articles, 702 requests = 1.17 requests/article (target <= 1.3)
    maze incremental: 100 new articles, 106 requests = 1.06 requests/new article (target <= 1.1)
    listing parse: 5000 links in 31.0 ms (target <= 50 ms); lxml parse + hrefs alone 12.0 ms = 2.6x; ...

Requests are the site's own count (robots.txt included). The listing parse is the spider's
listing callback on a page of 5,000 article links (half of them dated), HTML parsing included,
best of 5, against a plain baseline measured in the same run: lxml parsing the page and
listing its hrefs. The callback returns its article requests as a generator Scrapy consumes
item by item; building those 5,000 ``scrapy.Request`` objects is shown apart.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from crawler import PROJECT_ROOT
from samplesite import SampleSite


@dataclass
class Run:
    seconds: float
    returncode: int
    peak_rss_mb: float
    requests: int  # from the crawls row (0 if missing)
    site_requests: int  # from the server's log
    new_articles: int
    stored: int  # articles in the archive after the run
    log: Path


def crawl_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k.lower() not in {"http_proxy", "https_proxy", "all_proxy"}}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    return env


def run_crawl(site: SampleSite, db: Path, log: Path, *, concurrency: int, timeout: float,
              spider: str = "baocamau", extra: tuple[str, ...] = ()) -> Run:
    cmd = [
        sys.executable, "-m", "scrapy", "crawl", spider, "-a", f"base_url={site.base_url}",
        "-s", f"ARCHIVE_DB={db}", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0",
        "-s", f"CONCURRENT_REQUESTS={concurrency}", "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={concurrency}",
        "-s", "ROBOTSTXT_OBEY=1", "-s", "LOG_LEVEL=WARNING", *extra,
    ]
    before = len(site.requests)
    with log.open("w", encoding="utf-8") as out:
        started = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=crawl_env(), stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        timer = threading.Timer(timeout, proc.kill)  # bounded, whatever happens
        timer.start()
        try:
            # wait4 rather than Popen.wait: it gives this child's own peak RSS.
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        seconds = time.monotonic() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
    requests = new = stored = 0
    try:
        con = sqlite3.connect(db, timeout=30)
        try:
            stored = con.execute("SELECT count(*) FROM articles").fetchone()[0]
            row = con.execute("SELECT requests, new_articles FROM crawls ORDER BY started DESC LIMIT 1").fetchone()
            if row:
                requests, new = row[0] or 0, row[1] or 0
        finally:
            con.close()
    except sqlite3.Error as exc:
        print(f"warning: cannot read {db}: {exc}", file=sys.stderr)
    return Run(seconds, proc.returncode, usage.ru_maxrss / 1024, requests, len(site.requests) - before, new,
               stored, log)


def listing_parse_ms(links: int = 5000, repeat: int = 5) -> tuple[float, float, float]:
    """Best ms of the listing callback, of the plain baseline, and of building the callback's
    Scrapy requests (which Scrapy does as it takes them), on a page of ``links``."""
    from lxml import html as lxml_html
    from scrapy import Request
    from scrapy.http import HtmlResponse
    from scrapy.utils.test import get_crawler

    from spiders.baocamau import BaoCaMauSpider

    items = "".join(f'<li><a href="/bai-viet-so-{i}-ve-tinh-hinh-kinh-te-a{100000 + i}.html">Bài viết số {i}</a>'
                    + (f"<span>{i % 28 + 1:02d}/10/2025</span>" if i % 2 else "") + "</li>" for i in range(links))
    body = (f'<html><body><nav class="menu"><a href="/thoi-su/">Thời sự</a></nav><div class="list"><ul>{items}'
            '</ul></div></body></html>').encode()
    best = base = build = float("inf")
    for _ in range(repeat):
        crawler = get_crawler(BaoCaMauSpider, {"ARCHIVE_DB": ""})
        spider = BaoCaMauSpider.from_crawler(crawler, base_url="http://bao.test")
        req = spider.listing_walker.request("/kinh-te/", 1, stale=0, depth=1)
        response = HtmlResponse(req.url, body=body, encoding="utf-8", request=Request(req.url, meta=req.meta))
        started = time.perf_counter()
        out = spider.parse_listing(response)  # every decision made; requests built as Scrapy takes them
        best = min(best, time.perf_counter() - started)
        started = time.perf_counter()
        assert sum(1 for r in out if r.callback.__name__ == "parse_article") == links
        build = min(build, time.perf_counter() - started)
        started = time.perf_counter()
        lxml_html.fromstring(body).xpath("//a/@href")
        base = min(base, time.perf_counter() - started)
    return best * 1000, base * 1000, build * 1000


def maze(articles: int, new: int, workdir: Path, *, concurrency: int, timeout: float) -> bool:
    from samplesite.families import SHAPES, FamilySite

    db = workdir / "maze.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    with FamilySite(SHAPES["aid"], articles=articles, per_page=20) as site:
        first = run_crawl(site, db, workdir / "maze-1.log", concurrency=concurrency, timeout=timeout,
                          spider="baocantho")
        print(f"maze crawl: {first.stored} articles, {first.site_requests} requests = "
              f"{first.site_requests / max(first.stored, 1):.2f} requests/article (target <= 1.3)")
        site.publish(new)
        second = run_crawl(site, db, workdir / "maze-2.log", concurrency=concurrency, timeout=timeout,
                           spider="baocantho")
        print(f"maze incremental: {second.new_articles} new articles, {second.site_requests} requests = "
              f"{second.site_requests / max(second.new_articles, 1):.2f} requests/new article (target <= 1.1)")
    ok = first.returncode == 0 and second.returncode == 0 and first.stored == articles and second.new_articles == new
    if not ok:
        print(f"warning: maze crawls incomplete; see {workdir}", file=sys.stderr)
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.crawl", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--timeout", type=float, default=1200, help="seconds allowed per crawl (default %(default)s)")
    parser.add_argument("--keep", type=Path, help="keep the archive and crawl logs in this directory")
    parser.add_argument("--maze-articles", type=int, default=600, help="articles of the maze site (0: skip)")
    parser.add_argument("--maze-new", type=int, default=100, help="articles published before its incremental run")
    args = parser.parse_args(argv)

    workdir = args.keep or Path(tempfile.mkdtemp(prefix="bench-crawl-"))
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "bench.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)

    with SampleSite(articles=args.articles, traps=False) as site:
        print(f"site: {args.articles} articles at {site.base_url}; archive {db}", file=sys.stderr)
        first = run_crawl(site, db, workdir / "crawl-1.log", concurrency=args.concurrency, timeout=args.timeout)
        if first.returncode != 0:
            print(f"crawl failed (exit {first.returncode}); see {first.log}", file=sys.stderr)
            return 1
        requests = first.requests or first.site_requests
        print(f"crawl: {first.stored} articles in {first.seconds:.1f} s = {first.stored / first.seconds:.1f} "
              f"articles/s; {requests / max(first.stored, 1):.2f} requests/article; "
              f"peak RSS {first.peak_rss_mb:.0f} MB")
        if first.requests and abs(first.requests - first.site_requests) > 2:
            print(f"note: the crawl counted {first.requests} requests, the site saw {first.site_requests}",
                  file=sys.stderr)
        second = run_crawl(site, db, workdir / "crawl-2.log", concurrency=args.concurrency, timeout=args.timeout)
        print(f"incremental: {second.requests or second.site_requests} requests, {second.new_articles} new articles "
              f"in {second.seconds:.1f} s; peak RSS {second.peak_rss_mb:.0f} MB")
    missing = args.articles - first.stored
    if missing:
        print(f"warning: {missing} of {args.articles} articles were not stored; see {first.log}", file=sys.stderr)
    ok = not missing and second.returncode == 0
    if args.maze_articles:
        ok = maze(args.maze_articles, args.maze_new, workdir, concurrency=args.concurrency,
                  timeout=args.timeout) and ok
    parsed, plain, build = listing_parse_ms()
    print(f"listing parse: 5000 links in {parsed:.1f} ms (target <= 50 ms); lxml parse + hrefs alone "
          f"{plain:.1f} ms = {parsed / plain:.1f}x; then 5000 Scrapy requests built lazily in {build:.1f} ms")
    if args.keep or not ok:
        print(f"archive and crawl logs: {workdir}", file=sys.stderr)
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
