"""Keep the archive's ``sites`` table in step with the spider classes (the newspapers' facts).

The spider classes are the single source of truth for a newspaper's name, paper, domains and
province; ``sites`` is their copy inside ``archive.db`` so that SQL (and Datasette) can join
and facet on them. Call ``sync_sites(archive)`` at crawl start, and before serving::

    python -m crawler.jobs.sitesync archive.db

Sites are inserted or updated, never deleted: articles of a spider that was removed keep their
paper and province. Triggers (migration ``m003_sites_and_facets``) copy a changed province onto
the site's articles.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import Any

from crawler.store.archive import Archive

COLUMNS = ("name", "paper", "domains", "province", "former_province")


def site_row(cls: type) -> dict[str, Any]:
    """The ``sites`` row stated by one spider class."""
    return {
        "name": cls.name,
        "paper": getattr(cls, "paper", None) or None,
        "domains": json.dumps(list(getattr(cls, "domains", ()) or ()), ensure_ascii=False),
        "province": getattr(cls, "province", None) or None,
        "former_province": getattr(cls, "former_province", None) or None,
    }


def sync_sites(archive: Archive, classes: Iterable[type] | None = None) -> int:
    """Insert or update one ``sites`` row per spider class; return how many rows changed.

    ``classes`` defaults to every spider of the project (``crawler.sites.spider_classes()``).
    Unchanged rows are not written, so calling this at every crawl start costs one read.
    """
    if classes is None:
        from crawler.sites import spider_classes  # imports Scrapy's project settings

        classes = spider_classes().values()
    # A spider without a paper (the generic ``news`` spider) files records under the host it
    # crawls, so it has no row of its own.
    rows = [site_row(cls) for cls in classes if getattr(cls, "paper", None)]
    for attempt in archive.retrying():
        with attempt:
            changed = _write_changed(archive, rows)
    return changed


def _write_changed(archive: Archive, rows: list[dict[str, Any]]) -> int:
    existing = {
        row["name"]: row for row in archive.db.query(f"SELECT {', '.join(COLUMNS)} FROM sites")
    }
    changed = [row for row in rows if existing.get(row["name"]) != row]
    if changed:
        with archive.db.atomic():
            for row in changed:
                archive.db.execute(
                    """INSERT INTO sites (name, paper, domains, province, former_province)
                       VALUES (:name, :paper, :domains, :province, :former_province)
                       ON CONFLICT(name) DO UPDATE SET paper = excluded.paper,
                           domains = excluded.domains, province = excluded.province,
                           former_province = excluded.former_province""",
                    row,
                )
    return len(changed)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1 or (args and args[0].startswith("-")):
        print("usage: python -m crawler.jobs.sitesync [ARCHIVE_DB]   (default archive.db)", file=sys.stderr)
        return 2
    path = args[0] if args else "archive.db"
    with Archive(path) as archive:
        changed = sync_sites(archive)
        total = archive.db["sites"].count
    print(f"{path}: {total} sites, {changed} added or updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
