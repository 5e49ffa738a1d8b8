"""The archive's metadata and canned queries, from ``archive.yml`` (package data).

``get_metadata`` gives every archive (``crawler.datasette.serving.archives``) the ``database``
section of the file and the home page the ``instance`` section; ``canned_queries`` gives it the
``queries``. ``{db}`` in the file stands for the database's URL.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from importlib import resources

import yaml
from datasette import hookimpl

from crawler.datasette.serving import archives, is_archive


@lru_cache(maxsize=1)
def config() -> dict:
    """``archive.yml``: instance, database and canned-query metadata (package data)."""
    text = resources.files(__package__).joinpath("archive.yml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _fill(value, db_url: str):
    """Replace ``{db}`` with the database's URL in every string of ``value``."""
    if isinstance(value, str):
        return value.replace("{db}", db_url)
    if isinstance(value, dict):
        return {k: _fill(v, db_url) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, db_url) for v in value]
    return value


@hookimpl
def get_metadata(datasette, key, database, table):
    names = archives(datasette)
    if not names:
        return {}
    conf = config()
    meta = _fill(copy.deepcopy(conf["instance"]), datasette.urls.database(names[0]))
    meta["databases"] = {name: _fill(copy.deepcopy(conf["database"]), datasette.urls.database(name))
                         for name in names}
    return meta


@hookimpl
def canned_queries(datasette, database, actor):
    if not is_archive(datasette, database):
        return None
    return _fill(copy.deepcopy(config()["queries"]), datasette.urls.database(database))
