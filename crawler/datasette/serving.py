"""Which served databases are archives, the serving defaults, and every connection's setup.

- ``archives(datasette)`` / ``is_archive``: the served databases that have an ``articles``
  table, whatever the file is called (found at startup).
- ``SERVE_SETTINGS``: what serving the archive needs (SQL time limit, no database download, no
  facet suggestions, …), applied at startup to every setting still at Datasette's default, so an
  explicit ``--setting`` wins.
- ``prepare_connection``: ``vn_datetime()``, ``COLLATE vi``, ``vn_since()`` / ``vn_until()``
  (``crawler.datasette.typed_dates``) and the search functions
  (``crawler.datasette.search``) on every connection; archive connections are
  ``PRAGMA query_only`` and read through mmap.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from datasette import hookimpl

from crawler.datasette import search as vn_search
from crawler.datasette import typed_dates
from crawler.datasette.vietnamese import collate, vn_datetime

INTERNAL_DATABASES = {"_internal", "_memory"}
MMAP_BYTES = 4 * 2**30
SERVE_SETTINGS = {
    "sql_time_limit_ms": 3000,
    "facet_time_limit_ms": 500,
    "max_returned_rows": 1000,
    "default_page_size": 50,
    "truncate_cells_html": 300,
    "suggest_facets": False,
    "allow_download": False,
    "num_sql_threads": 4,
}


def archives(datasette) -> list[str]:
    """Names of the served databases that are archives (found at startup)."""
    return getattr(datasette, "_vn_archives", [])


def is_archive(datasette, database: str | None) -> bool:
    return database is not None and database in archives(datasette)


@hookimpl
def startup(datasette):
    async def inner():
        from datasette.app import DEFAULT_SETTINGS

        for key, value in SERVE_SETTINGS.items():
            if datasette._settings.get(key) == DEFAULT_SETTINGS.get(key):
                datasette._settings[key] = value
        # Datasette copies these settings into attributes when it is built; keep them in step.
        datasette.sql_time_limit_ms = datasette.setting("sql_time_limit_ms")
        datasette.max_returned_rows = datasette.setting("max_returned_rows")
        datasette.page_size = datasette.setting("default_page_size")
        threads = datasette.setting("num_sql_threads")
        if datasette.executor is not None and threads and datasette.executor._max_workers != threads:
            old, datasette.executor = datasette.executor, ThreadPoolExecutor(max_workers=threads)
            old.shutdown(wait=False)
        found = []
        for name, db in datasette.databases.items():
            if name in INTERNAL_DATABASES:
                continue
            if await db.table_exists("articles"):
                found.append(name)
        datasette._vn_archives = found

    return inner


@hookimpl(trylast=True)
def prepare_connection(conn, database, datasette):
    conn.create_function("vn_datetime", 1, vn_datetime, deterministic=True)
    conn.create_collation("vi", collate)
    typed_dates.register(conn)
    vn_search.register(conn, database, internal=database in INTERNAL_DATABASES)
    if database in INTERNAL_DATABASES:
        return
    conn.execute("PRAGMA query_only = 1")
    # Read through the OS page cache instead of copying pages: 2-3x faster table searches and
    # facets on a large archive (SQLite caps the size at its compile-time maximum).
    conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
