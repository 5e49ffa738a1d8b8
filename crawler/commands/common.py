"""What every ``python -m crawler`` verb shares: ``--db``, settings, spiders, tables, errors."""

from __future__ import annotations

import functools
import sqlite3
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import click
from scrapy.settings import Settings
from scrapy.spiderloader import get_spider_loader
from scrapy.utils.project import get_project_settings
from tabulate import tabulate

from crawler.commands import outcome
from crawler.commands.paths import archive_for_writing, existing_archive
from crawler.store.errors import ArchiveError, StoreFailed


class UsageError(Exception):
    """A bad command line (exit status 2)."""


def db_option(f: Callable) -> Callable:
    """``--db PATH`` on a verb (``python -m crawler health --db X``). The group takes it too,
    before the verb (``python -m crawler --db X health``); the verb's wins."""
    return click.option("--db", "db", metavar="PATH", default=None,
                        help="the archive (default: --db before the verb, else the ARCHIVE_DB setting)")(f)


def db_path(ctx: click.Context, db: str | None) -> str:
    """The archive path a verb works on: its ``--db``, the group's, else ``ARCHIVE_DB``."""
    if db:
        return db
    root = ctx.find_root()
    if root.obj and root.obj.get("db"):
        return root.obj["db"]
    return get_project_settings().get("ARCHIVE_DB") or ""


def read_archive(ctx: click.Context, db: str | None) -> Path:
    """The path of an archive that must already exist (read commands)."""
    return existing_archive(db_path(ctx, db))


def write_archive(ctx: click.Context, db: str | None) -> Path:
    """The path of an archive a command may create (crawl, import)."""
    return archive_for_writing(db_path(ctx, db))


def parse_assignments(values: Iterable[str] | None, flag: str) -> dict[str, str]:
    """``["a=1", "b=x=y"]`` → ``{"a": "1", "b": "x=y"}``."""
    out: dict[str, str] = {}
    for value in values or ():
        name, sep, rest = value.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"{flag} {value!r}: expected NAME=VALUE")
        out[name.strip()] = rest
    return out


def build_settings(db: str | None = None, overrides: dict[str, str] | None = None) -> Settings:
    """The project's settings, with ``--set`` overrides and ``--db`` at command-line priority."""
    settings = get_project_settings()
    settings.setdict(overrides or {}, priority="cmdline")
    if db:
        settings.set("ARCHIVE_DB", str(db), priority="cmdline")
    return settings


def load_spiders(settings: Settings) -> dict[str, type]:
    """Every spider class of ``SPIDER_MODULES`` (honours ``--set SPIDER_MODULES=…``), by name."""
    loader = get_spider_loader(settings)
    return {name: loader.load(name) for name in sorted(loader.list())}


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> str:
    """A plain text table (tabulate's ``simple`` format: numbers right-aligned)."""
    return tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=False, intfmt=",",
                    missingval="-")


def errors_as_lines(f: Callable) -> Callable:
    """Run a verb; archive errors and usage errors become one line on stderr and status 2."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return f(*args, **kwargs)
        except UsageError as exc:
            name = click.get_current_context().info_name
            click.echo(f"{name}: {exc}", err=True)
            sys.exit(outcome.USAGE)
        except StoreFailed as exc:  # the disk has no room (a new archive, before a crawl)
            click.echo(str(exc), err=True)
            sys.exit(outcome.STORE_FAILED)
        except ArchiveError as exc:
            click.echo(str(exc), err=True)
            sys.exit(outcome.USAGE)
        except sqlite3.DatabaseError as exc:  # the store found what the header check could not
            click.echo(f"{db_hint()}: {exc}", err=True)
            sys.exit(outcome.USAGE)

    return wrapper


def db_hint() -> str:
    ctx = click.get_current_context(silent=True)
    db = ctx.params.get("db") if ctx else None
    return str(db_path(ctx, db)) if ctx else "archive"


def canary_options(f):
    """Options shared by ``canary`` and ``health --canary``."""
    for option in reversed((
        click.option("--base-url", "base_urls", multiple=True, metavar="SPIDER=URL",
                     help="check a mirror for this spider instead of the live site (repeatable)"),
        click.option("--timeout", type=float, default=20, show_default=True, help="download timeout, seconds"),
        click.option("--tries", type=int, default=3, show_default=True, help="articles to try per site"),
        click.option("-s", "--set", "sets", multiple=True, metavar="NAME=VALUE", help="Scrapy setting (repeatable)"),
    )):
        f = option(f)
    return f
