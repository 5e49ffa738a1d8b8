"""Is every newspaper still being archived? The one health judgement.

``check(db, sites)`` judges each newspaper from the archive alone (``crawls``, ``articles``,
``sites``) and sets its flags; ``python -m crawler health`` prints them and exits 1 when any is
set, the Datasette dashboard (``/<db>/-/dashboard``) lists the same papers with the same flags:

``never-crawled``
    no run recorded for the site.
``failing``
    the last run did not finish (killed), ended for a reason other than ``finished``, the
    discovery budget (``budget-exhausted``: the next run walks on from where this one stopped)
    or a ``CLOSESPIDER_*`` time/page/item limit someone set on purpose; received no response at
    all (DNS, refused, blocked); or raised in the spider (``spider_exceptions/*``: the code broke
    on the site's pages). ERROR log lines alone are not a flag: Scrapy logs "Gave up retrying"
    at ERROR for every page that kept timing out, which a healthy site does now and then.
``stale``
    the last ``runs`` runs (default 3; fewer if the site has fewer) stored no new article,
    or no new article was stored in the last ``days`` days (default 7) although the site was
    crawled in that time. A paper publishes daily: a run of empty crawls means its listings
    moved or its URLs changed shape.
``rejecting``
    at least half of the article pages of the last run were rejects (at least 4 pages).

A run still in progress (started less than ``RUNNING_HOURS`` ago, not finished) is ``running``
and the run before it is judged instead.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlite_utils import Database

from crawler import reasons

# Each flag in words, Vietnamese first (the dashboard shows these; ``health`` prints the keys).
FLAG_LABELS = {
    "never-crawled": "chưa từng thu thập · never crawled",
    "failing": "lượt cuối hỏng · failing",
    "stale": "không có bài mới · stale",
    "rejecting": "loại bỏ nhiều trang · rejecting",
}

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


def parse_time(ts: str) -> datetime:
    dt = datetime.fromisoformat(ts)
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def site_names(db: Database, spiders: Iterable[type] = ()) -> list[str]:
    """The newspapers to report on: every newspaper spider of the project (one that states its
    domains; not ``news``) and every row of ``sites`` that has domains."""
    names = {cls.name for cls in spiders if getattr(cls, "domains", ())}
    if db["sites"].exists():
        names |= {row["name"] for row in db.query("SELECT name, domains FROM sites")
                  if row["domains"] and row["domains"] != "[]"}
    return sorted(names)


def crawled_sites(db: Database) -> set[str]:
    return {row[0] for row in db.execute("SELECT DISTINCT site FROM crawls")}


def check(db: Database, sites: Sequence[str], *, runs: int = 3, days: float = 7,
          now: datetime | None = None) -> list[SiteHealth]:
    """The health of each site in ``sites``, judged from the archive alone."""
    now = now or datetime.now(UTC)
    cutoff = (now - timedelta(days=days)).isoformat(timespec="seconds")
    running_cutoff = now - timedelta(hours=RUNNING_HOURS)
    facts: dict[str, dict[str, Any]] = {}
    if db["sites"].exists():
        facts = {r["name"]: r for r in db.query("SELECT name, paper, province FROM sites")}
    last_article = dict(db.execute("SELECT site, max(fetched_at) FROM articles GROUP BY site").fetchall())
    depth = archive_depth(db)
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
        if rows and rows[0].finished is None and parse_time(rows[0].started) > running_cutoff:
            h.running = rows.pop(0)
        h.recent = rows[:runs]
        h.last_run = h.recent[0] if h.recent else None
        judge(h, runs=runs, days=days, cutoff=cutoff)
        out.append(h)
    return out


def archive_depth(db: Database) -> dict[str, tuple[str | None, str | None, dict[str, int]]]:
    """Per site: (oldest ``published`` date, newest, {year: articles}); undated articles are
    counted under ``undated``. Dates are the first 10 characters of ``published`` (ISO 8601)."""
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
