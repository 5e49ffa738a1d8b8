"""Newspaper names (``{spider name: paper}``) from each archive's ``sites`` table.

Read through Datasette's own connection (``refresh``, awaited once per request by
``crawler.datasette.guard``) and kept until the database file changes, so that rendering a
cell (``paper_names``, synchronous) looks them up without touching SQLite.
"""

from __future__ import annotations

import os
import sqlite3

from datasette.database import QueryInterrupted

from crawler.datasette.serving import archives, is_archive


def _stamp(path: str) -> tuple[float, float] | None:
    """When the file or its write-ahead log last changed (WAL writes leave the file alone)."""
    try:
        main = os.stat(path).st_mtime
    except OSError:
        return None
    try:
        wal = os.stat(path + "-wal").st_mtime
    except OSError:
        wal = 0.0
    return main, wal


async def refresh(datasette) -> None:
    cache = datasette.__dict__.setdefault("_vn_papers", {})
    for name in archives(datasette):
        db = datasette.get_database(name)
        stamp = _stamp(db.path) if db.path else None
        if name in cache and cache[name][0] == stamp:
            continue
        try:
            rows = (await db.execute("SELECT name, paper FROM sites WHERE paper IS NOT NULL")).rows
            names = {r[0]: r[1] for r in rows}
        except (sqlite3.Error, QueryInterrupted):  # no sites table (an archive from before it), a bad file
            names = {}
        cache[name] = (stamp, names)


def paper_names(datasette, database: str | None) -> dict:
    """``{spider name: paper}`` of an archive, as last read by ``refresh``."""
    if not is_archive(datasette, database):
        return {}
    entry = getattr(datasette, "_vn_papers", {}).get(database)
    return entry[1] if entry else {}
