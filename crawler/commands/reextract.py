"""``python -m crawler reextract``: rebuild articles from their WARC captures, offline.

The work is ``crawler.jobs.reextract``; this is its verb. Exit status 0, or 2 when the
archive does not exist or is not SQLite (nothing is created).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import click

from crawler.commands.common import db_option, errors_as_lines, read_archive


@click.command("reextract")
@click.option("--site", help="only this site's articles")
@click.option("--warc-dir", type=click.Path(path_type=Path), default=None,
              help="the WARC folder (default: ARCHIVE_WARC_DIR, relative to the database's folder)")
@click.option("--workers", type=int, default=min(4, os.cpu_count() or 1), show_default="CPUs, at most 4",
              help="extraction processes (0: in this process)")
@click.option("--dry-run", is_flag=True, help="report what would change, write nothing")
@db_option
@click.pass_context
@errors_as_lines
def command(ctx: click.Context, site: str | None, warc_dir: Path | None, workers: int, dry_run: bool,
            db: str | None) -> None:
    """Rebuild articles from their WARC captures with the current extractor (no network)."""
    from scrapy.utils.project import get_project_settings

    from crawler.jobs.reextract import Bounds, run
    from crawler.store.warc import warc_dir as settings_warc_dir

    path = read_archive(ctx, db)
    settings = get_project_settings()
    root = warc_dir or settings_warc_dir(settings.get("ARCHIVE_WARC_DIR") or "warc", str(path))
    # the crawl's bounds on one page (a worker over the time budget is killed and replaced)
    bounds = Bounds(timeout=settings.getfloat("ARCHIVE_EXTRACT_TIMEOUT") or None,
                    max_elements=settings.getint("ARCHIVE_EXTRACT_MAX_ELEMENTS"))
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    run(str(path), root, site=site, workers=max(0, workers), dry_run=dry_run, out=click.echo, bounds=bounds)
