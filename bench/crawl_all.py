"""``crawl-all`` throughput over many loopback sites: ``python -m bench.crawl_all [--sites 10 --articles 500]``.

Serves ``--sites`` sample sites (``samplesite``, traps off, a different content seed
each) on 127.0.0.1 and maps one ``-a<id>.html``-family spider to each with ``--base-url``: the
project's own spiders of that family that state nothing beyond their identity (name, paper,
domains, province) and facts the sample site shares (``?page=N``), so that they crawl the URL
shapes the sample site serves, first,
then bench-only ones (``bench/aid_spiders.py``) to make up the number. Then, in a throw-away archive, with
politeness off (no delay, no AutoThrottle, ``--concurrency`` requests in flight per site):

1. ``python -m crawler crawl-all`` over all of them (a cold crawl);
2. ``--publish`` new articles on every site, then ``crawl-all`` again (a daily incremental run);
3. ``crawl-all`` once more with nothing published (the fixed cost of looking).

and prints plain lines:

    crawl-all: 10 sites x 500 articles: 4955 articles in 195.1 s = 25.4 articles/s; 1.19 requests/article; …
    incremental: 50 published/site: 988 requests for 500 new articles = 1.98 requests/new article (500 article
        pages + 488 robots.txt/listing pages = 49/site) in 25.6 s
    nothing new: 32 requests/site (0 article pages), 0 new articles in 4.8 s

(2 CPUs, ``ARCHIVE_EXTRACT_WORKERS=2``.) ``-s NAME=VALUE`` passes a setting to every run, e.g.
``-s ARCHIVE_STALE_PAGES=1`` to see what a shorter pagination tail saves.

How things are counted:

- wall time is the whole ``crawl-all`` subprocess (interpreter, Scrapy start-up, every site);
- articles are rows of ``articles`` at the end of the run (distinct texts: the sample sites share
  their five seed texts, which are one article each however many sites publish them);
- requests are the sum of the run's ``crawls.requests`` (Scrapy's ``downloader/request_count``:
  robots.txt, listings, articles, retries), cross-checked against the sites' request logs;
  "requests per new article" is that sum over the sum of ``crawls.new_articles``, and the
  parenthesis splits it into article pages and everything else (robots.txt and listing pages);
- peak RSS: ``largest`` is the biggest single process (``os.wait4`` rusage of the child,
  which covers its reaped extraction workers), ``tree`` the largest sum of VmRSS over the
  crawl process and its children, sampled every 0.5 s from /proc.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bench.aid_spiders import MODULE as BENCH_MODULE
from bench.aid_spiders import pick_spiders
from crawler import PROJECT_ROOT
from samplesite import SampleSite

ARTICLE_PATH = re.compile(r"^/[a-z0-9-]+-a\d+\.html$")


def crawl_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k.lower() not in {"http_proxy", "https_proxy", "all_proxy"}}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    return env


def tree_rss_kb(pid: int) -> int:
    """VmRSS of ``pid`` and all its descendants, in KB (0 once it is gone)."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    stack.extend(int(c) for c in f.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError, ValueError):
            continue
    return total


@dataclass
class Run:
    seconds: float
    returncode: int
    largest_rss_mb: float
    tree_rss_mb: float
    requests: int
    new_articles: int
    article_requests: int  # from the sites' logs
    site_requests: int
    stored: int
    log: Path
    summary: str


def run_crawl_all(names: list[str], sites: list[SampleSite], db: Path, log: Path, *, concurrency: int,
                  timeout: float, bench_spiders: bool, settings: list[str] = ()) -> Run:
    cmd = [sys.executable, "-m", "crawler", "crawl-all", "--db", str(db),
           "--set", "AUTOTHROTTLE_ENABLED=0", "--set", "DOWNLOAD_DELAY=0",
           "--set", f"CONCURRENT_REQUESTS={concurrency}", "--set", f"CONCURRENT_REQUESTS_PER_DOMAIN={concurrency}",
           "--set", "LOG_LEVEL=WARNING"]
    if bench_spiders:
        cmd += ["--set", f"SPIDER_MODULES=spiders,{BENCH_MODULE}"]
    for setting in settings:
        cmd += ["--set", setting]
    for name, site in zip(names, sites, strict=True):
        cmd += ["--site", name, "--base-url", f"{name}={site.base_url}"]
    before = [len(s.requests) for s in sites]
    first_id = 0
    if db.exists():
        with sqlite3.connect(db) as con:
            first_id = con.execute("SELECT coalesce(max(id), 0) FROM crawls").fetchone()[0]
    peak_tree = 0
    with log.open("w", encoding="utf-8") as err, tempfile.TemporaryFile("w+", encoding="utf-8") as out:
        started = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=crawl_env(), stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL)
        timer = threading.Timer(timeout, proc.kill)  # bounded, whatever happens
        timer.start()
        stop = threading.Event()

        def sample() -> None:
            nonlocal peak_tree
            while not stop.wait(0.5):
                peak_tree = max(peak_tree, tree_rss_kb(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)  # this child's own peak RSS
        finally:
            timer.cancel()
            stop.set()
        seconds = time.monotonic() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        summary = out.read()
    requests = new = stored = 0
    try:
        with sqlite3.connect(db, timeout=30) as con:
            stored = con.execute("SELECT count(*) FROM articles").fetchone()[0]
            requests, new = con.execute("SELECT coalesce(sum(requests), 0), coalesce(sum(new_articles), 0) "
                                        "FROM crawls WHERE id > ?", [first_id]).fetchone()
    except sqlite3.Error as exc:
        print(f"warning: cannot read {db}: {exc}", file=sys.stderr)
    targets = [t for s, b in zip(sites, before, strict=True) for t in s.requests[b:]]
    article_requests = sum(1 for t in targets if ARTICLE_PATH.match(t.split("?", 1)[0]))
    return Run(seconds, proc.returncode, usage.ru_maxrss / 1024, peak_tree / 1024, requests, new,
               article_requests, len(targets), stored, log, summary)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.crawl_all", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sites", type=int, default=10)
    parser.add_argument("--articles", type=int, default=500, help="articles per site (default %(default)s)")
    parser.add_argument("--publish", type=int, default=50,
                        help="new articles per site before the incremental run (default %(default)s)")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight per site (default %(default)s)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds allowed per run (default %(default)s)")
    parser.add_argument("--keep", type=Path, help="keep the archive and crawl logs in this directory")
    parser.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                        help="extra Scrapy setting for crawl-all, e.g. ARCHIVE_STALE_PAGES=1 (repeatable)")
    args = parser.parse_args(argv)

    names, bench_spiders = pick_spiders(args.sites)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="bench-crawl-all-"))
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "bench.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)

    sites = [SampleSite(articles=args.articles, traps=False, seed=1000 + i) for i in range(args.sites)]
    seeds = {a.text for s in sites for a in s.articles if a.source.startswith("seed:")}
    expected = len({a.text for s in sites for a in s.articles})
    try:
        for s in sites:
            s.start()
        print(f"sites: {args.sites} x {args.articles} articles ({expected} distinct texts, {len(seeds)} shared); "
              f"spiders {', '.join(names)}; archive {db}", file=sys.stderr)
        first = run_crawl_all(names, sites, db, workdir / "crawl-all-1.log", concurrency=args.concurrency,
                              timeout=args.timeout, bench_spiders=bench_spiders,
                              settings=args.set)
        if first.returncode != 0:
            print(f"crawl-all failed (exit {first.returncode}); see {first.log}\n{first.summary}", file=sys.stderr)
            return 1
        print(f"crawl-all: {args.sites} sites x {args.articles} articles: {first.stored} articles in "
              f"{first.seconds:.1f} s = {first.stored / first.seconds:.1f} articles/s; "
              f"{first.requests / max(first.stored, 1):.2f} requests/article; peak RSS {first.largest_rss_mb:.0f} MB "
              f"largest process, {first.tree_rss_mb:.0f} MB process tree", flush=True)
        if abs(first.requests - first.site_requests) > args.sites * 2:
            print(f"note: the crawls counted {first.requests} requests, the sites saw {first.site_requests}",
                  file=sys.stderr)

        for s in sites:
            s.publish(args.publish)
        second = run_crawl_all(names, sites, db, workdir / "crawl-all-2.log", concurrency=args.concurrency,
                               timeout=args.timeout, bench_spiders=bench_spiders,
                              settings=args.set)
        other = second.requests - second.article_requests
        print(f"incremental: {args.publish} published/site: {second.requests} requests for {second.new_articles} "
              f"new articles = {second.requests / max(second.new_articles, 1):.2f} requests/new article "
              f"({second.article_requests} article pages + {other} robots.txt/listing pages = "
              f"{other / args.sites:.0f}/site) in {second.seconds:.1f} s", flush=True)

        third = run_crawl_all(names, sites, db, workdir / "crawl-all-3.log", concurrency=args.concurrency,
                              timeout=args.timeout, bench_spiders=bench_spiders,
                              settings=args.set)
        print(f"nothing new: {third.requests / args.sites:.0f} requests/site ({third.article_requests} article "
              f"pages), {third.new_articles} new articles in {third.seconds:.1f} s", flush=True)
    finally:
        for s in sites:
            s.stop()
    missing = expected + args.sites * args.publish - second.stored
    if missing:
        print(f"warning: {missing} articles were not stored; see {workdir}", file=sys.stderr)
    ok = not missing and second.returncode == 0 and third.returncode == 0 and third.new_articles == 0
    if args.keep or not ok:
        print(f"archive and crawl logs: {workdir}", file=sys.stderr)
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
