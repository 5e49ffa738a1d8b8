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

Exit status 0, or 2 when the archive does not exist or is not SQLite (nothing is created).
"""

from __future__ import annotations

import json
import time

import click

from crawler.commands.common import db_option, errors_as_lines, read_archive
from crawler.store.archive import Archive
from crawler.stories.placement import place_unplaced


@click.command("stories")
@click.option("--site", help="only this site's new articles")
@click.option("--limit", type=int, help="place at most this many (oldest first)")
@click.option("--batch", type=int, default=200, show_default=True, help="articles per transaction")
@click.option("--json", "as_json", is_flag=True, help="print the counts as JSON")
@db_option
@click.pass_context
@errors_as_lines
def command(ctx: click.Context, site: str | None, limit: int | None, batch: int, as_json: bool,
            db: str | None) -> None:
    """Place every article not placed yet into its story: copies (MinHash LSH) and rewrites
    (keyed candidates in a date window, text score and shared facts). Only new articles are
    touched."""
    path = read_archive(ctx, db)
    started = time.monotonic()
    with Archive(path) as archive:
        counts = place_unplaced(archive.db, site=site, limit=limit, batch=max(1, batch))
        stories = archive.db.execute("SELECT count(*) FROM stories").fetchone()[0]
    out = {"placed": counts["placed"], "copies": counts["copy"], "rewrites": counts["rewrite"],
           "alone": counts["alone"], "orphans_removed": counts["orphans"], "stories": stories,
           "seconds": round(time.monotonic() - started, 2)}
    if as_json:
        click.echo(json.dumps(out))
    else:
        click.echo("placed {placed} articles: {copies} copies, {rewrites} rewrites, {alone} alone; "
                   "{stories} stories in the archive ({seconds} s)".format(**out)
                   + (f"; removed {out['orphans_removed']} placements of deleted articles"
                      if out["orphans_removed"] else ""))
