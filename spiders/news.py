"""``scrapy crawl news -a url=https://host/[path]``: any news site, with automatic discovery only.

For sites without a spider of their own (a provincial party portal such as the Hậu Giang one
behind a seed, a new paper before its facts are known). Domains come from the URL; the crawl
starts at its path. Articles are found through robots.txt ``Sitemap:`` lines, feeds advertised with
``<link rel="alternate" type="application/rss+xml">``, same-site section links and their
pagination; an article is a link shaped like the URLs those feeds and sitemaps list, or like
``discovery.ARTICLE_GUESS``. ``-a article_path=REGEX`` (a regex on the URL path) replaces the
guessing. Trap rules: ``crawler/spiders/families/generic.py``.

Records are filed under the spider whose domains cover the host (``news`` on baocamau.vn files
under ``baocamau``), else under the host without ``www.`` (``haugiang.dcs.vn``): the ``site``
column, ``crawls.site`` and the incremental "already archived" set all use that name.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from crawler.spiders.families.generic import GenericSpider
from crawler.sites import site_for_url
from crawler.urls import origin


class AnySiteSpider(GenericSpider):
    name = "news"
    paper = ""  # any site: stated per run by -a url=
    domains: tuple[str, ...] = ()
    province = ""

    def __init__(self, *args: Any, url: str | None = None, **kwargs: Any):
        parts = urlsplit(url or "")
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("scrapy crawl news needs -a url=https://host/ (an http or https URL)")
        hostname = parts.hostname.lower()
        self.url = url
        self.domains = tuple(dict.fromkeys((hostname, hostname.removeprefix("www."))))
        self.start_paths = (parts.path or "/",)
        self.site = site_for_url(url)
        super().__init__(*args, **kwargs)
        if not self.base_url:  # crawl the URL's own scheme and port, not https://host
            self.origin = origin(url)
