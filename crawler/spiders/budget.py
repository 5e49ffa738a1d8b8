"""What discovery may spend on one site in one run.

Every request that is not an article (listing pages, feeds, sitemaps, date archives, robots.txt)
is paid from the run's overall budget (``ARCHIVE_BUDGET_REQUESTS``) and from its kind's own
(``ARCHIVE_BUDGET_LISTING`` …); opening a section is paid from ``ARCHIVE_BUDGET_SECTIONS``, and
on a CMS whose article shape is unknown, a request for a link that is an article only by
``discovery.ARTICLE_GUESS`` from ``ARCHIVE_BUDGET_GUESSES`` (a guess may be a maze of pages).
Articles are never paid for: they are what the run is for, and each one was found by a paid
request. With ``-a backfill=1`` every budget is multiplied by ``ARCHIVE_BACKFILL_FACTOR``.

When a kind's budget is spent, that kind stops (``budget/exhausted/<kind>`` in the stats, and the
branches it ended in ``crawls.budget_ended``); when the overall budget is spent, discovery stops
and the spider closes, once the articles already asked for are in, with the finish reason
``budget-exhausted``.
"""

from __future__ import annotations

from typing import Any

TOTAL = "requests"
#: kind → its setting (defaults: crawler/settings.py). ``sections`` counts sections opened, the others requests.
LIMITS: dict[str, str] = {
    TOTAL: "ARCHIVE_BUDGET_REQUESTS",
    "listing": "ARCHIVE_BUDGET_LISTING",
    "sections": "ARCHIVE_BUDGET_SECTIONS",
    "feeds": "ARCHIVE_BUDGET_FEEDS",
    "sitemaps": "ARCHIVE_BUDGET_SITEMAPS",
    "archives": "ARCHIVE_BUDGET_ARCHIVES",
    # unknown CMSs: requests for links that are articles by ARTICLE_GUESS alone
    "guesses": "ARCHIVE_BUDGET_GUESSES",
}
#: kinds that count something else than discovery requests, so not paid from TOTAL
UNCOUNTED = frozenset({"sections", "guesses"})
#: how many branch names ``crawls.budget_ended`` keeps per kind (a maze has thousands)
ENDED_KEPT = 20


class Budget:
    def __init__(self, limits: dict[str, int], stats: Any = None):
        self.limits = dict(limits)
        self.spent: dict[str, int] = {}
        self.stats = stats
        self.ended: dict[str, list[str]] = {}
        self.ended_count: dict[str, int] = {}

    @classmethod
    def from_settings(cls, settings: Any, *, backfill: bool = False, stats: Any = None) -> Budget:
        factor = settings.getint("ARCHIVE_BACKFILL_FACTOR") if backfill else 1
        limits = {kind: settings.getint(name) * factor for kind, name in LIMITS.items()}
        return cls(limits, stats)

    @property
    def exhausted(self) -> bool:
        """The overall budget is spent: discovery is over for this run."""
        return self.spent.get(TOTAL, 0) >= self.limits.get(TOTAL, 0)

    @property
    def ran_out(self) -> bool:
        """A request was refused because the overall budget was spent."""
        return self.ended_count.get(TOTAL, 0) > 0

    def left(self, kind: str) -> int:
        kind_left = self.limits.get(kind, 1 << 62) - self.spent.get(kind, 0)
        if kind in UNCOUNTED:
            return kind_left
        return min(kind_left, self.limits.get(TOTAL, 0) - self.spent.get(TOTAL, 0))

    def spend(self, kind: str, branch: str = "") -> bool:
        """Pay for one ``kind`` (a request, or a section opened). False, and the branch recorded as
        ended by the budget that refused, when there is nothing left."""
        if kind not in UNCOUNTED and self.exhausted:
            self._refused(TOTAL, branch)
            return False
        if kind in self.limits and self.spent.get(kind, 0) >= self.limits[kind]:
            self._refused(kind, branch)
            return False
        self.spent[kind] = self.spent.get(kind, 0) + 1
        if kind not in UNCOUNTED:
            self.spent[TOTAL] = self.spent.get(TOTAL, 0) + 1
        if self.stats is not None:
            self.stats.inc_value(f"budget/spent/{kind}")
        return True

    def _refused(self, kind: str, branch: str) -> None:
        if self.stats is not None:
            self.stats.set_value(f"budget/exhausted/{kind}", 1)
        self.ended_count[kind] = self.ended_count.get(kind, 0) + 1
        kept = self.ended.setdefault(kind, [])
        if branch and branch not in kept and len(kept) < ENDED_KEPT:
            kept.append(branch)

    def restore(self, spent: dict[str, int]) -> None:
        """Counts saved by an earlier part of the same run (``JOBDIR``)."""
        for kind, n in spent.items():
            self.spent[kind] = max(self.spent.get(kind, 0), int(n))

    def report(self) -> dict[str, Any]:
        """For ``crawls.budget_ended``: which budget ended which branches (first few), and how many."""
        return {kind: {"branches": self.ended.get(kind, []), "count": n} for kind, n in self.ended_count.items()}
