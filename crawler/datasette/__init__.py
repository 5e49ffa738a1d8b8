"""Datasette plugin: the archive served as the full experience by a plain ``datasette archive.db``.

Installed with the project (entry point ``archive`` in ``pyproject.toml``), so ``datasette
archive.db``, ``datasette serve /data/whatever.db`` and ``make serve`` are the same thing. This
module only gathers the hooks of its parts, one concern each:

- ``serving``: which served databases are archives, the serving defaults, each connection's
  setup (``COLLATE vi``, ``vn_datetime()``, read-only);
- ``metadata``: titles, column descriptions, facets and the canned queries from ``archive.yml``;
- ``guard``: every request first (robots header, query limits, the table search routed to the
  bounded search);
- ``search``: the search functions and the bounded table search (``filters_from_request``);
- ``papers``: newspaper names, read through Datasette's connection;
- ``rendering``: ``render_cell``, how each cell reads;
- ``pages``: what the article and table pages get beyond Datasette's context.

The dashboard, revisions and stories pages are plugin parts of their own (their entry points).
"""

from __future__ import annotations

from crawler.datasette.guard import asgi_wrapper  # noqa: F401 (hooks, collected from this module)
from crawler.datasette.metadata import canned_queries, get_metadata  # noqa: F401
from crawler.datasette.pages import extra_template_vars, prepare_jinja2_environment  # noqa: F401
from crawler.datasette.papers import paper_names  # noqa: F401 (for the other plugin parts)
from crawler.datasette.rendering import http_url, render_cell  # noqa: F401
from crawler.datasette.search import filters_from_request  # noqa: F401
from crawler.datasette.serving import archives, is_archive, prepare_connection, startup  # noqa: F401
