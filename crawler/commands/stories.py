"""Place new articles into stories: ``python -m crawler stories``.

Touches only articles that are not placed yet (no ``story_index`` row): the ones stored since
the last pass, imported from text files, or re-keyed by ``reextract``; each is compared with
what is already placed (``crawler.stories.placement``), never the whole archive with itself.
It first removes placements whose article is gone. Safe to run while a crawl writes: short
transactions of ``--batch`` articles.

    python -m crawler stories                   # place everything new
    python -m crawler stories --site baocamau   # only this site's new articles
    python -m crawler stories --limit 1000      # at most this many (oldest first)
    python -m crawler stories --json            # the counts as JSON

Exit status 0, or 2 when the archive does not exist.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from crawler.store.archive import Archive
from crawler.stories.placement import place_unplaced


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "stories",
        help="place new articles into stories (copies and rewrites of one report across papers)",
        description="Place every article not placed yet into its story: copies (MinHash LSH) and rewrites "
                    "(keyed candidates in a date window, text score and shared facts). Only new articles are "
                    "touched.",
    )
    p.add_argument("--site", help="only this site's new articles")
    p.add_argument("--limit", type=int, help="place at most this many (oldest first)")
    p.add_argument("--batch", type=int, default=200, help="articles per transaction (default %(default)s)")
    p.add_argument("--json", action="store_true", help="print the counts as JSON")
    p.add_argument("--db", default=argparse.SUPPRESS, help="archive database (default: ARCHIVE_DB)")
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    db = getattr(args, "db", None)
    if not db:
        from scrapy.utils.project import get_project_settings

        db = get_project_settings().get("ARCHIVE_DB")
    if not Path(db).exists():
        print(f"stories: no archive at {db}", file=sys.stderr)
        return 2
    started = time.monotonic()
    with Archive(db) as archive:
        counts = place_unplaced(archive.db, site=args.site, limit=args.limit, batch=max(1, args.batch))
        stories = archive.db.execute("SELECT count(*) FROM stories").fetchone()[0]
    took = time.monotonic() - started
    out = {"placed": counts["placed"], "copies": counts["copy"], "rewrites": counts["rewrite"],
           "alone": counts["alone"], "orphans_removed": counts["orphans"], "stories": stories,
           "seconds": round(took, 2)}
    if args.json:
        print(json.dumps(out))
    else:
        print("placed {placed} articles: {copies} copies, {rewrites} rewrites, {alone} alone; "
              "{stories} stories in the archive ({seconds} s)".format(**out)
              + (f"; removed {out['orphans_removed']} placements of deleted articles" if out["orphans_removed"] else ""))
    return 0
