"""``-a refresh_days=N``: fetch recent articles again, to catch edits made after publication.

Newspapers correct and extend articles in the days after publishing them. With
``refresh_days=N`` a crawl also requests, besides its usual discovery, every URL of this
spider's site whose article was published in the last N days (``published``, or
``fetched_at`` for an article without a date), bypassing the known-URL skip. What the store
does with the answer is in ``crawler/store/revisions.py``: an unchanged page costs one row update,
a changed one becomes a new revision of its article.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from collections.abc import Callable
from typing import Any

import scrapy

from crawler.spiders.arguments import SpiderArguments
from crawler.store.archive import Archive
from crawler.text.dates import VN_TZ

def parse_days(value: Any) -> float | None:
    """The ``refresh_days`` spider argument: None when absent, else a positive number of days
    (``crawler/spiders/arguments.py`` owns the rule)."""
    return SpiderArguments.parse({"refresh_days": value}).refresh_days


def refresh_urls(archive: Archive, site: str, days: float, *, now: datetime | None = None) -> list[str]:
    """URLs of ``site`` whose article was published (or, undated, fetched) in the last ``days``
    days, newest article first."""
    now = now or datetime.now(UTC)
    cutoff = now - timedelta(days=days)
    # published is "YYYY-MM-DD" or ISO with +07:00; compare its Vietnam date with the cutoff's
    # Vietnam date (inclusive), fetched_at (UTC ISO) with the cutoff instant.
    day = cutoff.astimezone(VN_TZ).date().isoformat()  # ``published`` dates are Vietnam dates
    rows = archive.db.execute(
        """SELECT u.url FROM urls u JOIN articles a ON a.hash = u.hash
           WHERE u.site = ?
             AND (substr(a.published, 1, 10) >= ? OR (a.published IS NULL AND a.fetched_at >= ?))
           ORDER BY coalesce(a.published, a.fetched_at) DESC, u.url""",
        [site, day, cutoff.isoformat(timespec="seconds")],
    )
    return [row[0] for row in rows]


def requests(urls: list[str], article_request: Callable[[str], scrapy.Request]) -> list[scrapy.Request]:
    """The refresh requests: ``article_request`` (the spider's) for each URL, made to pass the
    duplicate filter (a ``JOBDIR`` run may have seen them). ``dont_filter`` also lets a request
    past Scrapy's offsite filter, so the spider checks where each answer came from itself
    (``NewsSpider.parse_article``)."""
    out = []
    for url in urls:
        request = article_request(url).replace(dont_filter=True)
        request.meta["refresh"] = True
        out.append(request)
    return out
