"""Is every newspaper still being archived? ``python -m crawler health``.

Reads ``archive.db`` only (the ``crawls`` rows every run writes, ``articles``, ``sites``) and
prints, per site: when it last stored a new article, its runs and new articles over the last
``--days`` days, the figures of its last run, and flags:

flags from the one health judgement, ``crawler.health.check`` (the dashboard shows the same):
``never-crawled``, ``failing``, ``stale``, ``rejecting`` — see that module for what each means.
ERROR log lines are counted in the ``err`` column but are not a flag.

Archive depth, per site: the oldest and the newest ``published`` date and the number of
articles per year, so a backfill shows how far back each paper's archive reaches.

Exit status: 0 when no site is flagged, 1 when any is (so a cron job or a monitoring check
can alert on it), 2 for a usage error or when the archive does not exist (it is never created
by this command). ``--json`` prints the same as a JSON list.

``--canary`` checks the live sites instead (``crawler.commands.canary``; needs internet).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import click

from crawler.commands.common import (UsageError, build_settings, canary_options, db_option, errors_as_lines,
                                     load_spiders, read_archive, table)
from crawler.commands import deadsources
from crawler.health import SiteHealth, check, crawled_sites, parse_time, site_names
from crawler.store.archive import Archive

def _ago(ts: str | None, now: datetime) -> str:
    if not ts:
        return "never"
    delta = now - parse_time(ts)
    if delta < timedelta(hours=1):
        return f"{max(0, int(delta.total_seconds() // 60))} min ago"
    if delta < timedelta(days=2):
        return f"{int(delta.total_seconds() // 3600)} h ago"
    return f"{delta.days} d ago"


def format_table(report: Sequence[SiteHealth], *, days: float, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    head = ("site", "province", "last new article", f"runs/{days:g}d", f"new/{days:g}d", "last run",
            "req", "new", "dup", "rej", "err", "oldest", "newest", "flags")
    rows = []
    for h in report:
        last = h.last_run
        if h.running is not None:
            run_desc = f"running since {_ago(h.running.started, now)}"
        elif last is not None:
            run_desc = f"{_ago(last.started, now)}, {last.finish_reason or 'unfinished'}"
        else:
            run_desc = "-"
        figures = ([getattr(last, a) for a in ("requests", "new_articles", "duplicates", "rejects", "errors")]
                   if last else [None] * 5)
        rows.append((h.site, h.province or "-", _ago(h.last_article, now), h.runs_in_window, h.new_in_window,
                     run_desc, *figures, h.oldest, h.newest, ",".join(sorted(h.flags)) or "ok"))
    out = [table(rows, head)]
    flagged = [h for h in report if h.flags]
    out.append("")
    out.append(f"{len(flagged)} of {len(report)} sites flagged")
    for h in flagged:
        out.append(f"  {h.site}: " + "; ".join(f"{flag} ({why})" for flag, why in sorted(h.flags.items())))
    depth = format_depth(report)
    if depth:
        out += ["", depth]
    return "\n".join(out)


def format_depth(report: Sequence[SiteHealth]) -> str:
    """Articles per year, one row per site that has any (empty string if none has)."""
    years = sorted({y for h in report for y in h.per_year if y != "undated"})
    undated = any("undated" in h.per_year for h in report)
    columns = years + (["undated"] if undated else [])
    rows = [(h.site, *(h.per_year.get(y) for y in columns), sum(h.per_year.values()))
            for h in report if h.per_year]
    if not rows:
        return ""
    return "archive depth: articles per year of publication\n" + table(rows, ("site", *columns, "total"))


# -- command line -----------------------------------------------------------------------------


def report(db: str, sites: Sequence[str], *, runs: int, days: float) -> list[SiteHealth]:
    """The health of ``sites`` (every newspaper if empty) in the archive at ``db``."""
    if runs < 1 or days <= 0:
        raise UsageError("--runs and --days must be positive")
    spiders = load_spiders(build_settings())
    with Archive(db) as archive:
        names = site_names(archive.db, spiders.values())
        if sites:
            unknown = [s for s in sites if s not in names and s not in crawled_sites(archive.db)]
            if unknown:
                raise UsageError(f"unknown site(s): {', '.join(unknown)}; known: {', '.join(names)}")
            names = list(sites)
        return check(archive.db, names, runs=runs, days=days)


@click.command("health")
@click.option("--site", "sites", multiple=True, metavar="SPIDER", help="only this site (repeatable)")
@click.option("--days", type=float, default=7, show_default=True,
              help="window for the run figures and the stale flag")
@click.option("--runs", type=int, default=3, show_default=True,
              help="stale when this many last runs found nothing new")
@click.option("--json", "as_json", is_flag=True, help="print JSON instead of a table")
@click.option("--canary", is_flag=True, help="fetch each site's front page and one article instead (internet)")
@canary_options
@db_option
@click.pass_context
@errors_as_lines
def command(ctx: click.Context, sites, days, runs, as_json, canary, base_urls, timeout, tries, sets, db) -> None:
    """Per newspaper: when it last stored a new article, its last runs, its archive depth, and
    flags (stale, rejecting, failing). Exit status 1 if any site is flagged."""
    if canary:
        from crawler.commands import canary as canary_module

        ctx.exit(canary_module.run(sites, base_urls=base_urls, timeout=timeout, tries=tries, sets=sets,
                                   as_json=as_json))
    path = read_archive(ctx, db)
    result = report(str(path), sites, runs=runs, days=days)
    if as_json:
        click.echo(json.dumps([h.to_dict() for h in result], ensure_ascii=False, indent=2))
    else:
        click.echo(format_table(result, days=days))
        if dead := deadsources.section(str(path), [h.site for h in result],
                                       days=build_settings().getfloat("ARCHIVE_DEAD_SOURCE_DAYS")):
            click.echo("\n" + dead)
    ctx.exit(1 if any(h.flags for h in result) else 0)
