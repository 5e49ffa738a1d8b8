"""What raw captures cost: ``python -m bench.warc [--articles 600] [--workers 2] [--plain]``.

Crawls the loopback sample site (traps off; pages sent gzip-compressed like most servers
send them, ``--plain`` for uncompressed) with WARC capture on, then prints plain lines:

    storage: 600 articles; WARC 6.1 KB/article (articles 88%, listings and robots.txt 12%) + database 9.8 KB/article = 15.9 KB/article
    reextract: 600 articles in 21.0 s = 35.0 s per 1,000 articles (1 process); 19.0 s per 1,000 (2 workers)

- WARC bytes are the ``*.warc.gz`` files on disk (request and response records, every page
  the crawl fetched, listings included); the split is by record, articles being the pages
  the database points at;
- database bytes are ``archive.db`` after a WAL checkpoint (rows, indexes and the search index);
- re-extraction is ``crawler.jobs.reextract.reextract`` over the whole archive, in this process
  (nothing changes, so it is pure read + decode + extract + compare), first in-process and
  then with ``--workers`` extraction processes (start-up included).
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

from bench.crawl import run_crawl
from crawler.store.archive import Archive
from crawler.jobs.reextract import reextract
from samplesite import SampleSite
from crawler.store.warc import iter_records, warc_files


def warc_split(root: Path, db: Path) -> tuple[int, int]:
    """(bytes of the records of article captures, bytes of all other records)."""
    con = sqlite3.connect(db)
    try:
        articles = {(f, o) for f, o in con.execute(
            "SELECT warc_file, warc_offset FROM urls WHERE warc_file IS NOT NULL "
            "UNION SELECT warc_file, warc_offset FROM articles WHERE warc_file IS NOT NULL")}
    finally:
        con.close()
    art = other = 0
    for path in warc_files(root):
        name = str(path.relative_to(root))
        pending_request = False
        for entry in iter_records(path):
            size = entry.length
            if entry.rec_type == "response":
                pending_request = (name, entry.offset) in articles
                art += size if pending_request else 0
                other += 0 if pending_request else size
            elif entry.rec_type == "request":  # written right after its response
                art += size if pending_request else 0
                other += 0 if pending_request else size
            else:
                other += size
    return art, other


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.warc", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="extraction processes for the second reextract run")
    parser.add_argument("--plain", action="store_true", help="serve pages uncompressed")
    parser.add_argument("--timeout", type=float, default=1200)
    parser.add_argument("--keep", type=Path, help="keep the archive, WARC files and crawl log in this directory")
    args = parser.parse_args(argv)

    workdir = args.keep or Path(tempfile.mkdtemp(prefix="bench-warc-"))
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "bench.db"
    root = workdir / "warc"  # ARCHIVE_WARC_DIR's default: "warc" beside the database
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    shutil.rmtree(root, ignore_errors=True)

    with SampleSite(articles=args.articles, traps=False, gzip=not args.plain) as site:
        print(f"site: {args.articles} articles at {site.base_url} ({'plain' if args.plain else 'gzip'}); "
              f"archive {db}", file=sys.stderr)
        run = run_crawl(site, db, workdir / "crawl.log", concurrency=args.concurrency, timeout=args.timeout)
    if run.returncode != 0 or not run.stored:
        print(f"crawl failed (exit {run.returncode}); see {run.log}", file=sys.stderr)
        return 1
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    n = run.stored
    warc_bytes = sum(p.stat().st_size for p in warc_files(root))
    db_bytes = db.stat().st_size
    art, other = warc_split(root, db)
    kb = 1024
    print(f"storage: {n} articles; WARC {warc_bytes / n / kb:.1f} KB/article "
          f"(article pages {100 * art / warc_bytes:.0f}%, listings and robots.txt {100 * other / warc_bytes:.0f}%) "
          f"+ database {db_bytes / n / kb:.1f} KB/article = {(warc_bytes + db_bytes) / n / kb:.1f} KB/article")

    timings = []
    for workers in (0, args.workers) if args.workers > 0 else (0,):
        with Archive(db) as archive:
            report = reextract(archive, root, workers=workers)
        if report.changed or report.missing or report.articles != n:
            print(f"warning: reextract with {workers} workers: {report.summary()}", file=sys.stderr)
        timings.append((workers, report.seconds, report.articles))
    w0, s0, a0 = timings[0]
    line = f"reextract: {a0} articles in {s0:.1f} s = {1000 * s0 / a0:.1f} s per 1,000 articles (1 process)"
    for workers, seconds, articles in timings[1:]:
        line += f"; {1000 * seconds / articles:.1f} s per 1,000 ({workers} workers)"
    print(line)
    if args.keep:
        print(f"archive, WARC files and crawl log: {workdir}", file=sys.stderr)
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
