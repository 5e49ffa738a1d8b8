"""Command line: ``python -m crawler <verb>``, one click group (the shape of ``sqlite-utils``).

Verbs: ``crawl-all``, ``health``, ``canary``, ``sites``, ``export``, ``import``, ``reextract``,
``stories``. Every verb takes ``--db PATH`` after its name;
``python -m crawler --db PATH <verb>`` works too. Read verbs (``health``, ``sites``, ``export``,
``reextract``) never create an archive: a missing or non-SQLite ``--db`` is one line and exit
status 2. ``crawl-all`` and ``import`` create a new one, and say so. ``scrapy crawl <spider>``
is Scrapy's own command (with the same checks: ``crawler/commands/scrapycmds/crawl.py``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import click
from scrapy.utils.project import get_project_settings

from crawler.commands import canary, crawlall, health, outcome, reextract, stories
from crawler.commands.common import (
    UsageError,
    build_settings,
    db_option,
    errors_as_lines,
    load_spiders,
    read_archive,
    table,
    write_archive,
)
from crawler.store.archive import Archive


def default_db() -> str:
    return get_project_settings().get("ARCHIVE_DB")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", metavar="PATH", default=None,
              help="the archive for every verb (default: the ARCHIVE_DB setting, archive.db)")
@click.version_option(package_name="vn-provincial-archive", message="%(version)s")
@click.pass_context
def cli(ctx: click.Context, db: str | None) -> None:
    """The archive of Vietnamese provincial newspapers. Crawl one paper with
    `scrapy crawl <spider>` (or `make crawl SITE=…`); the verbs below do the rest."""
    ctx.ensure_object(dict)
    ctx.obj["db"] = db


cli.add_command(crawlall.command)
cli.add_command(health.command)
cli.add_command(canary.command)


@cli.command("export")
@click.argument("directory", required=False, type=click.Path(path_type=Path, file_okay=False))
@click.option("--site", help="only this spider's articles")
@click.option("--warc", metavar="OUT", help="every WARC capture into OUT.warc.gz (or copied into OUT/ if a folder)")
@click.option("--jsonl", type=click.Path(path_type=Path, allow_dash=True), metavar="OUT",
              help="one JSON object per article, with its URLs and revisions (- for standard output)")
@click.option("--warc-dir", type=click.Path(path_type=Path), help="the WARC folder (default: ARCHIVE_WARC_DIR)")
@db_option
@click.pass_context
@errors_as_lines
def export_command(ctx, directory, site, warc, jsonl, warc_dir, db) -> None:
    """Write every article as DIRECTORY/NNN_<hash>.txt; --warc/--jsonl: the raw captures as one
    WARC file, the archive as JSON lines."""
    from crawler.jobs.textfiles import export_texts

    if not (directory or warc or jsonl):
        raise UsageError("give DIRECTORY, --warc OUT or --jsonl OUT")
    path = read_archive(ctx, db)
    with Archive(path) as archive:
        if directory:
            n = export_texts(archive, directory, site=site)
            click.echo(f"exported {n} articles to {directory}")
        if warc or jsonl:
            from crawler.jobs.exports import run_export

            run_export(archive, argparse.Namespace(warc=warc, jsonl=jsonl, warc_dir=warc_dir, site=site))


@cli.command("import")
@click.argument("directory", type=click.Path(path_type=Path))
@db_option
@click.pass_context
@errors_as_lines
def import_command(ctx, directory: Path, db) -> None:
    """Load DIRECTORY/*.txt plain-text articles (deduplicated); creates the archive if needed."""
    from crawler.jobs.textfiles import import_texts

    if not directory.is_dir():
        raise UsageError(f"{directory} is not a directory")
    path = write_archive(ctx, db)
    with Archive(path) as archive:
        counts = import_texts(archive, directory)
    click.echo("imported {files} files: {new} new articles, {duplicates} duplicates, {skipped} empty".format(**counts))


@cli.command("sites")
@click.option("--sync", is_flag=True, help="write the spiders' facts into the archive's sites table first")
@click.option("--json", "as_json", is_flag=True, help="print JSON instead of a table")
@db_option
@click.pass_context
@errors_as_lines
def sites_command(ctx, sync: bool, as_json: bool, db) -> None:
    """The newspapers: spider, paper, province, domains, and the articles each has in the archive."""
    import json

    from crawler.jobs.sitesync import sync_sites

    path = read_archive(ctx, db)
    spiders = load_spiders(build_settings(str(path)))
    with Archive(path) as archive:
        if sync:
            changed = sync_sites(archive, spiders.values())
            click.echo(f"{path}: {changed} site row(s) added or updated", err=True)
        counts = dict(archive.db.execute("SELECT site, count(*) FROM articles GROUP BY site").fetchall())
    rows = [{"site": name, "paper": getattr(cls, "paper", ""), "province": getattr(cls, "province", ""),
             "domains": " ".join(getattr(cls, "domains", ())), "articles": counts.get(name, 0)}
            for name, cls in spiders.items() if getattr(cls, "domains", ())]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        click.echo(table([tuple(r.values()) for r in rows], ("site", "paper", "province", "domains", "articles")))


cli.add_command(reextract.command)
cli.add_command(stories.command)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return its exit status (for callers that want a number)."""
    try:
        cli.main(args=argv, prog_name="python -m crawler", standalone_mode=True)
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else outcome.FAILED)
    return 0


if __name__ == "__main__":
    sys.exit(main())
