"""Is every newspaper still being archived? ``python -m crawler health``.

Reads ``archive.db`` only (the ``crawls`` rows every run writes, ``articles``, ``sites``) and
prints, per site: when it last stored a new article, its runs and new articles over the last
``--days`` days, the figures of its last run, and flags:

``never-crawled``
    no run recorded for the site.
``failing``
    the last run did not finish (killed), ended for a reason other than ``finished`` (or a
    ``CLOSESPIDER_*`` time/page/item limit someone set on purpose), received no response at
    all (DNS, refused, blocked), or raised in the spider (``spider_exceptions/*``: the code broke
    on the site's pages). ERROR log lines alone are not a flag: Scrapy logs "Gave up retrying"
    at ERROR for every page that kept timing out, which a healthy site does now and then; their
    count is shown in the ``err`` column.
``stale``
    the last ``--runs`` runs (default 3; fewer if the site has fewer) stored no new article,
    or no new article was stored in the last ``--days`` days (default 7) although the site was
    crawled in that time. A paper publishes daily: a run of empty crawls means its listings
    moved or its URLs changed shape.
``rejecting``
    at least half of the article pages of the last run were rejects (404s, pages without a
    main text, …; at least 4 pages): a sign the site changed its markup.

A run still in progress (started less than ``RUNNING_HOURS`` ago, not finished) is shown as
``running`` and the run before it is judged instead.

Archive depth, per site: the oldest and the newest ``published`` date and the number of
articles per year, so a backfill shows how far back each paper's archive reaches.

Exit status: 0 when no site is flagged, 1 when any is (so a cron job or a monitoring check
can alert on it), 2 for a usage error or when the archive does not exist (it is never created
by this command). ``--json`` prints the same as a JSON list.

``--canary`` checks the live sites instead (``crawler.commands.canary``; needs internet).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import click

from crawler import reasons
from crawler.commands import deadsources
from crawler.commands.common import (UsageError, build_settings, canary_options, db_option, errors_as_lines,
                                     load_spiders, read_archive, table)
from crawler.store.archive import Archive

RUNNING_HOURS = 12
REJECTING_SHARE = 0.5
REJECTING_MIN_PAGES = 4
# A run cut short on purpose (a CLOSESPIDER_* limit someone set, the discovery budget) is not a
# failing site; the crawl's exit status still says it was cut short.
OK_REASONS = frozenset({reasons.FINISHED, reasons.BUDGET_EXHAUSTED, "closespider_timeout", "closespider_itemcount",
                        "closespider_pagecount"})


@dataclass
class Run:
    id: int
    started: str
    finished: str | None
    finish_reason: str | None
    requests: int
    new_articles: int
    duplicates: int
    rejects: int
    errors: int
    responses: int
    spider_exceptions: int

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Run:
        try:
            stats = json.loads(row.get("stats") or "{}")
        except ValueError:
            stats = {}
        return cls(
            id=row["id"], started=row["started"], finished=row.get("finished"),
            finish_reason=row.get("finish_reason"), requests=row.get("requests") or 0,
            new_articles=row.get("new_articles") or 0, duplicates=row.get("duplicates") or 0,
            rejects=row.get("rejects") or 0, errors=row.get("errors") or 0,
            responses=stats.get("downloader/response_count", 0),
            spider_exceptions=stats.get("spider_exceptions/count") or sum(
                v for k, v in stats.items() if k.startswith("spider_exceptions/")),
        )

    @property
    def pages(self) -> int:
        return self.new_articles + self.duplicates + self.rejects


@dataclass
class SiteHealth:
    site: str
    paper: str | None = None
    province: str | None = None
    last_article: str | None = None  # fetched_at of the newest stored article
    last_new_run: str | None = None  # start of the last run that stored a new article
    runs_in_window: int = 0
    new_in_window: int = 0
    running: Run | None = None
    last_run: Run | None = None
    recent: list[Run] = field(default_factory=list)  # newest first, the last --runs finished ones
    # Archive depth: the oldest and newest publication date, and articles per year.
    oldest: str | None = None
    newest: str | None = None
    per_year: dict[str, int] = field(default_factory=dict)  # "2024" → articles; "undated" too
    flags: dict[str, str] = field(default_factory=dict)  # flag → why

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["flags"] = sorted(self.flags)
        out["reasons"] = dict(self.flags)
        return out


def _parse(ts: str) -> datetime:
    dt = datetime.fromisoformat(ts)
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _ago(ts: str | None, now: datetime) -> str:
    if not ts:
        return "never"
    delta = now - _parse(ts)
    if delta < timedelta(hours=1):
        return f"{max(0, int(delta.total_seconds() // 60))} min ago"
    if delta < timedelta(days=2):
        return f"{int(delta.total_seconds() // 3600)} h ago"
    return f"{delta.days} d ago"


def site_names(archive: Archive, spiders: Iterable[type] = ()) -> list[str]:
    """The newspapers to report on: every newspaper spider of the project (one that states its
    domains; not ``news``) and every row of ``sites`` that has domains."""
    names = {cls.name for cls in spiders if getattr(cls, "domains", ())}
    if archive.db["sites"].exists():
        names |= {row["name"] for row in archive.db.query("SELECT name, domains FROM sites")
                  if row["domains"] and row["domains"] != "[]"}
    return sorted(names)


def crawled_sites(archive: Archive) -> set[str]:
    return {row[0] for row in archive.db.execute("SELECT DISTINCT site FROM crawls")}


def check(archive: Archive, sites: Sequence[str], *, runs: int = 3, days: float = 7,
          now: datetime | None = None) -> list[SiteHealth]:
    """The health of each site in ``sites``, judged from the archive alone."""
    now = now or datetime.now(UTC)
    cutoff = (now - timedelta(days=days)).isoformat(timespec="seconds")
    running_cutoff = now - timedelta(hours=RUNNING_HOURS)
    db = archive.db
    facts: dict[str, dict[str, Any]] = {}
    if db["sites"].exists():
        facts = {r["name"]: r for r in db.query("SELECT name, paper, province FROM sites")}
    last_article = dict(db.execute("SELECT site, max(fetched_at) FROM articles GROUP BY site").fetchall())
    depth = archive_depth(archive)
    out = []
    for site in sites:
        h = SiteHealth(site, facts.get(site, {}).get("paper"), facts.get(site, {}).get("province"),
                       last_article=last_article.get(site))
        h.oldest, h.newest, h.per_year = depth.get(site, (None, None, {}))
        h.last_new_run = db.execute("SELECT max(started) FROM crawls WHERE site = ? AND new_articles > 0",
                                    [site]).fetchone()[0]
        h.runs_in_window, new = db.execute(
            "SELECT count(*), sum(new_articles) FROM crawls WHERE site = ? AND started >= ?", [site, cutoff]
        ).fetchone()
        h.new_in_window = new or 0
        rows = [Run.from_row(r) for r in db.query(
            "SELECT * FROM crawls WHERE site = ? ORDER BY id DESC LIMIT ?", [site, runs + 1])]
        if rows and rows[0].finished is None and _parse(rows[0].started) > running_cutoff:
            h.running = rows.pop(0)
        h.recent = rows[:runs]
        h.last_run = h.recent[0] if h.recent else None
        judge(h, runs=runs, days=days, cutoff=cutoff)
        out.append(h)
    return out


def archive_depth(archive: Archive) -> dict[str, tuple[str | None, str | None, dict[str, int]]]:
    """Per site: (oldest ``published`` date, newest, {year: articles}); undated articles are
    counted under ``undated``. Dates are the first 10 characters of ``published`` (ISO 8601)."""
    db = archive.db
    out: dict[str, tuple[str | None, str | None, dict[str, int]]] = {}
    for site, oldest, newest in db.execute(
            "SELECT site, min(substr(published, 1, 10)), max(substr(published, 1, 10)) FROM articles "
            "WHERE published IS NOT NULL AND published != '' GROUP BY site"):
        out[site] = (oldest, newest, {})
    for site, year, n in db.execute(
            "SELECT site, CASE WHEN published IS NULL OR published = '' THEN 'undated' "
            "ELSE substr(published, 1, 4) END AS year, count(*) FROM articles GROUP BY site, year ORDER BY year"):
        out.setdefault(site, (None, None, {}))[2][year] = n
    return out


def judge(h: SiteHealth, *, runs: int, days: float, cutoff: str) -> None:
    """Set ``h.flags`` (flag → the reason, in words)."""
    last = h.last_run
    if last is None:
        if h.running is None:
            h.flags["never-crawled"] = "no run recorded"
        return
    if last.finished is None:
        h.flags["failing"] = f"run {last.id} never finished (killed?)"
    elif last.finish_reason not in OK_REASONS:
        h.flags["failing"] = f"run {last.id} ended with {last.finish_reason!r}"
    elif last.responses == 0:
        h.flags["failing"] = f"run {last.id} received no response ({last.requests} requests)"
    elif last.spider_exceptions:
        h.flags["failing"] = f"run {last.id}: {last.spider_exceptions} spider exception(s)"
    if all(r.new_articles == 0 for r in h.recent):
        n = len(h.recent)
        h.flags["stale"] = (f"the last {n} runs stored nothing new" if n > 1 else "the last run stored nothing new")
    elif h.runs_in_window and (h.last_article or "") < cutoff:
        h.flags["stale"] = f"no new article in {days:g} days ({h.runs_in_window} runs)"
    if last.pages >= REJECTING_MIN_PAGES and last.rejects >= REJECTING_SHARE * last.pages:
        h.flags["rejecting"] = f"run {last.id}: {last.rejects} of {last.pages} pages rejected"


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
        names = site_names(archive, spiders.values())
        if sites:
            unknown = [s for s in sites if s not in names and s not in crawled_sites(archive)]
            if unknown:
                raise UsageError(f"unknown site(s): {', '.join(unknown)}; known: {', '.join(names)}")
            names = list(sites)
        return check(archive, names, runs=runs, days=days)


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
