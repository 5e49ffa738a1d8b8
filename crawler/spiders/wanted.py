"""The one decision whether an article URL is worth a request: ``Wanted(url, date)``.

Every discovery path (listings, feeds, sitemaps, date archives, related links, learned shapes)
asks it, so ``since``, the archive's known URLs and the run's own requests are applied alike.
"""

from __future__ import annotations

from datetime import date
from typing import Any

KNOWN = "known"  # in the archive, or a reject not due for a retry
SCHEDULED = "scheduled"  # already asked for in this run
BEFORE_SINCE = "before-since"  # dated before -a since=


class Wanted:
    def __init__(self, known: set[str] | None = None, since: date | None = None, stats: Any = None):
        self.known: set[str] = known if known is not None else set()
        self.since = since
        self.scheduled: set[str] = set()
        self.stats = stats

    def why_not(self, url: str, when: date | None = None) -> str | None:
        """Why ``url`` (canonical) published on ``when`` (if known) is not wanted; None if it is."""
        if self.since and when and when < self.since:
            return BEFORE_SINCE
        if url in self.known:
            return KNOWN
        if url in self.scheduled:
            return SCHEDULED
        return None

    def __call__(self, url: str, when: date | None = None) -> bool:
        reason = self.why_not(url, when)
        if reason is not None and self.stats is not None and reason == BEFORE_SINCE:
            self.stats.inc_value("discovery/skipped_before_since")
        return reason is None

    def is_new(self, url: str) -> bool:
        """Not in the archive (whether or not this run has asked for it yet)."""
        return url not in self.known
