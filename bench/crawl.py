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


def run_crawl(site: SampleSite, db: Path, log: Path, *, concurrency: int, timeout: float) -> Run:
    cmd = [
        sys.executable, "-m", "scrapy", "crawl", "baocamau", "-a", f"base_url={site.base_url}",
        "-s", f"ARCHIVE_DB={db}", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0",
        "-s", f"CONCURRENT_REQUESTS={concurrency}", "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={concurrency}",
        "-s", "ROBOTSTXT_OBEY=1", "-s", "LOG_LEVEL=WARNING",
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.crawl", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--timeout", type=float, default=1200, help="seconds allowed per crawl (default %(default)s)")
    parser.add_argument("--keep", type=Path, help="keep the archive and crawl logs in this directory")
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
    if args.keep or not ok:
        print(f"archive and crawl logs: {workdir}", file=sys.stderr)
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
