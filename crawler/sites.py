"""The newspapers the project knows, read from the spider classes themselves (their facts)."""

from __future__ import annotations

from functools import cache
from urllib.parse import urlsplit

from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings


@cache
def spider_classes() -> dict[str, type]:
    loader = SpiderLoader.from_settings(get_project_settings())
    return {name: loader.load(name) for name in loader.list()}


def site_for_url(url: str) -> str:
    """The spider name whose domains cover ``url``, else the URL's host."""
    hostname = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    for name, cls in spider_classes().items():
        if hostname in {d.removeprefix("www.") for d in getattr(cls, "domains", ())}:
            return name
    return hostname or "import"
