"""The dead feeds and sitemaps section of ``python -m crawler health``: per paper, each stated or
found feed or sitemap that answered 404/410 or was not one (``crawler/spiders/deadsources.py``),
why, since when, and when a crawl will ask for it again. Information, not a flag: a paper whose
feeds are gone is still archived through its listings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from crawler import settings
from crawler.commands.common import table
from crawler.store import deadsources
from crawler.store.archive import Archive


def section(db: str, sites: Sequence[str], *, days: float = settings.ARCHIVE_DEAD_SOURCE_DAYS) -> str:
    """The section's text ('' when no paper has a dead source)."""
    with Archive(db, readonly=True) as archive:
        rows = deadsources.listed(archive, sites)
    if not rows:
        return ""
    out = []
    for r in rows:
        retry = (datetime.fromisoformat(r["checked"]) + timedelta(days=days)).date().isoformat()
        out.append((r["site"], r["kind"], r["url"], r["why"], r["first_failed"][:10], r["failures"], retry))
    papers = len({r["site"] for r in rows})
    head = f"dead feeds and sitemaps: {len(rows)} of {papers} paper(s), asked for again after {days:g} days"
    return head + "\n" + table(out, ("site", "kind", "url", "why", "dead since", "times", "next try"))
