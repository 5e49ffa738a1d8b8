"""What a daily run costs on a ``numid``-family site: ``python -m bench.daily``.

Serves the sample site in the ``numid`` shape (``samplesite.families``, crawled by the real
``baoxaydung`` spider: seven sections with sub-sections, a newest-first list at
``/tin-moi-nhat.htm``, two live feeds besides the two stated ones that answer 404, the maze traps
on) and crawls it three times into one throw-away archive: a first full crawl, then a daily run
after ``--new`` articles were published (default 5), then one after ``--many`` (default 100).
Requests are the site's own count (robots.txt included).

    numid daily run: 5 new articles, 11 requests (target <= 12); without the remembered ...
    numid daily run: 100 new articles, 108 requests = 1.08 requests/new article (target <= 1.10)

The baseline is the same daily run with what this project adds for it turned off, measured in
the same run on a copy of the archive as it was before the run: the dead feeds forgotten and no
learned newest-first listing (``-a latest_pattern=$^``).
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

from bench.crawl import run_crawl


def _copy(db: Path, to: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{to}{suffix}").unlink(missing_ok=True)
    src, dst = sqlite3.connect(db), sqlite3.connect(to)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    return to


def _forget_dead(db: Path) -> None:
    con = sqlite3.connect(db)
    try:
        con.execute("DELETE FROM dead_sources")
        con.commit()
    finally:
        con.close()


def daily(site, db: Path, workdir: Path, new: int, *, label: str, concurrency: int, timeout: float) -> bool:
    site.publish(new)
    base_db = _copy(db, workdir / f"baseline-{label}.db")
    _forget_dead(base_db)
    run = run_crawl(site, db, workdir / f"daily-{label}.log", concurrency=concurrency, timeout=timeout,
                    spider="baoxaydung")
    # the baseline sees the same site: its requests are counted apart and do not change what the
    # next measured run finds new (it writes to its own archive)
    base = run_crawl(site, base_db, workdir / f"baseline-{label}.log", concurrency=concurrency, timeout=timeout,
                     spider="baoxaydung", extra=("-a", "latest_pattern=$^"))
    ratio = run.site_requests / max(run.new_articles, 1)
    target = "<= 12 requests" if new <= 5 else "<= 1.10 requests/new article"
    print(f"numid daily run: {run.new_articles} new articles, {run.site_requests} requests = {ratio:.2f} "
          f"requests/new article (target {target}); without remembered dead feeds and the learned "
          f"newest-first listing: {base.site_requests} requests = {base.site_requests / max(base.new_articles, 1):.2f}")
    return run.returncode == 0 and base.returncode == 0 and run.new_articles == new


def main(argv: list[str] | None = None) -> int:
    from samplesite.families import SHAPES, FamilySite

    parser = argparse.ArgumentParser(prog="python -m bench.daily", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--per-page", type=int, default=20)
    parser.add_argument("--new", type=int, default=5)
    parser.add_argument("--many", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--timeout", type=float, default=600, help="seconds allowed per crawl (default %(default)s)")
    parser.add_argument("--keep", type=Path, help="keep the archives and crawl logs in this directory")
    args = parser.parse_args(argv)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="bench-daily-"))
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "daily.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    with FamilySite(SHAPES["numid"], articles=args.articles, per_page=args.per_page) as site:
        first = run_crawl(site, db, workdir / "first.log", concurrency=args.concurrency, timeout=args.timeout,
                          spider="baoxaydung")
        print(f"numid first crawl: {first.stored} articles, {first.site_requests} requests", file=sys.stderr)
        ok = first.returncode == 0
        ok = daily(site, db, workdir, args.new, label="few", concurrency=args.concurrency, timeout=args.timeout) and ok
        ok = daily(site, db, workdir, args.many, label="many", concurrency=args.concurrency,
                   timeout=args.timeout) and ok
    if args.keep or not ok:
        print(f"archives and crawl logs: {workdir}", file=sys.stderr)
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
