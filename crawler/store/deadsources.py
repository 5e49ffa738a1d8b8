"""The ``dead_sources`` table: a site's feeds and sitemaps that answered 404/410 or were not a
feed or sitemap, with when that was last seen (``checked``) and how many times in a row.

Written by ``crawler.spiders.deadsources`` during a crawl, read by it at the start of the next
and by ``python -m crawler health``. One statement per transaction, retried while the database
is locked, like the store's other writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from crawler.store.archive import Archive, now_iso


def load(archive: Archive, site: str) -> dict[str, str]:
    """url → when it was last found dead, for ``site``."""
    if not archive.db["dead_sources"].exists():
        return {}
    return dict(archive.db.execute("SELECT url, checked FROM dead_sources WHERE site = ?", [site]).fetchall())


def mark_dead(archive: Archive, site: str, url: str, kind: str, why: str, when: str | None = None) -> None:
    when = when or now_iso()
    _write(archive, """INSERT INTO dead_sources (site, url, kind, why, first_failed, checked, failures)
                       VALUES (?, ?, ?, ?, ?, ?, 1)
                       ON CONFLICT (site, url) DO UPDATE SET why = excluded.why, kind = excluded.kind,
                       checked = excluded.checked, failures = dead_sources.failures + 1""",
           [site, url, kind, why, when, when])


def mark_alive(archive: Archive, site: str, url: str) -> None:
    _write(archive, "DELETE FROM dead_sources WHERE site = ? AND url = ?", [site, url])


def listed(archive: Archive, sites: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Every dead source (of ``sites`` if given), by site then URL."""
    if not archive.db["dead_sources"].exists():
        return []
    where, params = "", list(sites)
    if sites:
        where = f"WHERE site IN ({', '.join('?' for _ in sites)})"
    cur = archive.db.execute(f"SELECT site, url, kind, why, first_failed, checked, failures FROM dead_sources "
                             f"{where} ORDER BY site, url", params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _write(archive: Archive, sql: str, params: list[Any]) -> None:
    for attempt in archive.retrying():
        with attempt, archive.db.atomic():
            archive.db.execute(sql, params)
