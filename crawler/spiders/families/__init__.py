"""One base spider per CMS family: the URL shapes and markup that several newspapers share.

| module         | article URL shape                                   | base spider       |
| -------------- | --------------------------------------------------- | ----------------- |
| ``aid``        | ``/<slug>-a<id>.html``                              | ``AIdSpider``     |
| ``hex7``       | ``/<cat>[/<sub>]/<yyyymm>/<slug>-<7 hex>/``         | ``Hex7Spider``    |
| ``post``       | ``/<slug>-post<id>.html``                           | ``PostSpider``    |
| ``numid``      | ``/<slug>-<id>.html`` or ``.htm``                   | ``NumIdSpider``   |
| ``catid``      | ``/<cat>/<slug>-<id>.html``                         | ``CatIdSpider``   |
| ``monthpath``  | ``/<cat>[/<sub>…]/<yyyymm>/<slug>/``                | ``MonthPathSpider`` |
| ``generic``    | unknown: learned from feeds/sitemaps, or guessed    | ``GenericSpider`` |

A family states regexes on the URL *path* (``article_path``, ``listing_path``, ``deny_path``) and
its pagination form (``page_url``, ``AUTO`` when it differs between the family's sites). A site
spider (``spiders/<name>.py``) states facts only and may narrow or widen ``article_path`` (two URL
eras) with a regex from ``shared/sites.json``; ``either()`` joins two families' shapes.
"""

from __future__ import annotations

# Section (category) listings: one or two path segments, with a trailing slash, ``.html``,
# ``/index.html`` or nothing. Article shapes are tested first, so an article never counts as one.
SECTION_PATH = r"^/[A-Za-z0-9-]+(?:/[A-Za-z0-9-]+)?(?:/|/index\.html?|\.html?)?$"

# Never useful, sometimes endless: search, tags, feeds (read as feeds, not as pages), accounts,
# contact and print views, static files, videos (no text to archive).
DENY_PATH = (r"^/(?:video|videos|tim-kiem|search|tag|tags|rss|feed|api|admin|wp-admin|wp-json|dang-nhap"
             r"|dang-ky|login|lien-he|contact|print|in-bai|files|uploads|images|static|assets)(?:[/.]|$)")


def either(*paths: str) -> str:
    """One path regex matching any of ``paths`` (each anchored ``^…$``): a site with two URL eras."""
    return "^(?:" + "|".join(p.removeprefix("^").removesuffix("$") for p in paths) + ")$"
