"""The CMS families: the URL shapes several newspapers share, as data (``FAMILIES``).

| family         | article URL shape                                   | base spider         |
| -------------- | --------------------------------------------------- | ------------------- |
| ``aid``        | ``/<slug>-a<id>.html``                              | ``AIdSpider``       |
| ``hex7``       | ``/<cat>[/<sub>]/<yyyymm>/<slug>-<7 hex>/``         | ``Hex7Spider``      |
| ``post``       | ``/<slug>-post<id>.html``                           | ``PostSpider``      |
| ``numid``      | ``/<slug>-<id>.html`` or ``.htm``                   | ``NumIdSpider``     |
| ``catid``      | ``/<cat>/<slug>-<id>.html``                         | ``CatIdSpider``     |
| ``monthpath``  | ``/<cat>[/<sub>…]/<yyyymm>/<slug>/``                | ``MonthPathSpider`` |
| ``generic``    | unknown: learned from feeds/sitemaps, or guessed    | ``GenericSpider``   |

A family is one ``Family`` row: regexes on the URL *path* (``article_path``, ``listing_path``,
``deny_path``), its pagination form (``page_url``, ``AUTO`` when it differs between the family's
sites) and any other ``NewsSpider`` fact all its sites share (``facts``). Its base spider, in
``families/<key>.py`` with the evidence for the family, is one line: ``family = FAMILIES[key]``
(``FamilySpider`` copies the row onto the class, where ``crawler/spiders/base.py`` reads it).

A site spider (``spiders/<name>.py``) states facts only and may narrow or widen ``article_path``:
a site that used several URL shapes over the years (its URL *eras*) joins them with ``either()``,
from other families where they are one (``either(NumIdSpider.article_path, Hex7Spider.article_path)``),
and adds what it never wants to ``deny()``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, ClassVar

from crawler.spiders.base import NewsSpider
from crawler.spiders.discovery import AUTO

# Section (category) listings: one or two path segments, with a trailing slash, ``.html``,
# ``/index.html`` or nothing. Article shapes are tested first, so an article never counts as one.
SECTION_PATH = r"^/[A-Za-z0-9-]+(?:/[A-Za-z0-9-]+)?(?:/|/index\.html?|\.html?)?$"

#: First path segments never useful and sometimes endless on every site: search, tags (``tu-khoa``
#: is Vietnamese for keyword), feeds (read as feeds, not as pages), accounts, contact and print
#: views, static files, videos and podcasts (no text to archive, also under the vendors'
#: ``/multimedia/``), classified ads (``rao-vat``).
DENY_SEGMENTS: tuple[str, ...] = (
    "video", "videos", "podcast", "podcasts", "multimedia/video", "multimedia/podcast", "tim-kiem", "search", "tag", "tags", "tu-khoa", "rss", "feed", "api", "admin",
    "wp-admin", "wp-json", "dang-nhap", "dang-ky", "login", "lien-he", "contact", "print", "in-bai",
    "files", "uploads", "images", "static", "assets", "rao-vat",
)


_PREFIX = re.compile(r"^[a-z0-9-]+(?:/[a-z0-9-]+)*$")  # literal in a regex as it is


def deny(*prefixes: str) -> str:
    """A ``deny_path`` regex: paths under any of ``DENY_SEGMENTS`` or of ``prefixes`` (literal
    path prefixes without the leading slash, e.g. ``"bao-in"`` or ``"multimedia/video"``)."""
    bad = [p for p in prefixes if not _PREFIX.match(p.strip("/"))]
    if bad:
        raise ValueError(f"deny(): {bad} are not path prefixes (lower-case letters, digits, '-', '/')")
    return rf"^/(?:{'|'.join(p.strip('/') for p in (*DENY_SEGMENTS, *prefixes))})(?:[/.]|$)"


DENY_PATH = deny()


#: The paths Vietnamese papers give their newest-first list of every article: "tin mới (nhất)",
#: "mới nhất", "tin mới cập nhật" (baoxaydung '/tin-moi-nhat.htm', baohatinh '/tin-moi.html').
NEWEST_FIRST = r"^/(?:tin-moi-nhat|tin-moi|moi-nhat|tin-moi-cap-nhat|tin-tuc-moi-nhat)(?:\.html?|/)?$"


def either(*paths: str) -> str:
    """One path regex matching any of ``paths`` (each anchored ``^…$``): a site with several URL eras."""
    return "^(?:" + "|".join(p.removeprefix("^").removesuffix("$") for p in paths) + ")$"


@dataclass(frozen=True)
class Family:
    """One CMS family's URL facts, as ``NewsSpider`` attributes."""

    key: str  # the module in crawler/spiders/families/
    shape: str  # the article URL shape, for people (docs, README)
    article_path: str | None  # None: unknown, learned from feeds/sitemaps or guessed
    listing_path: str = SECTION_PATH
    deny_path: str | None = DENY_PATH
    page_url: str | None = AUTO
    facts: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))  # other NewsSpider attributes

    def attributes(self) -> dict[str, Any]:
        return {"article_path": self.article_path, "listing_path": self.listing_path,
                "deny_path": self.deny_path, "page_url": self.page_url, **self.facts}


FAMILIES: Mapping[str, Family] = MappingProxyType({f.key: f for f in (
    # Cà Mau, Cần Thơ, Đồng Tháp, An Giang, … : a newest-first list at /tin-moi/; sections at
    # /<cat>/ and /<cat>/<sub>/; an English and a Khmer edition under /news/, /en/, /khmer/.
    # Slugs may start with '-' or hold '--' (baocantho '/-infographics-…-a196544.html'). Sections
    # come with and without the slash (baodongkhoi '/an-ninh/an-toan-giao-thong').
    Family("aid", "/<slug>-a<id>.html", r"^/[a-z0-9-]+-a\d+\.html$",
           listing_path=r"^/[a-z0-9-]+(?:/[a-z0-9-]+)?/?$", deny_path=deny("khmer", "news", "en"),
           facts=MappingProxyType({"start_paths": ("/", "/tin-moi/"), "latest_path": "/tin-moi/"})),
    # The vendor's month-folder articles end in '/', in nothing or (older pages) in '/index.htm'.
    Family("hex7", "/<cat>[/<sub>]/<yyyymm>/<slug>-<7 hex>/",
           r"^/[a-z0-9-]+(?:/[a-z0-9-]+)?/\d{6}/[a-z0-9-]+-[0-9a-f]{7}(?:/|/index\.html?)?$"),
    # post, numid: a newest-first list (baohatinh /tin-moi.html, baoxaydung /tin-moi-nhat.htm) at a
    # path of NEWEST_FIRST's, learned where the site links it (FamilySpider.latest_path)
    Family("post", "/<slug>-post<id>.html", r"^/[a-z0-9-]+-post\d+\.html$",
           facts=MappingProxyType({"latest_pattern": NEWEST_FIRST})),
    Family("numid", "/<slug>-<id>.html or .htm", r"^/[a-z0-9-]+-\d+\.html?$",
           facts=MappingProxyType({"latest_pattern": NEWEST_FIRST})),
    Family("catid", "/<cat>/<slug>-<id>.html", r"^/[a-z0-9-]+/[a-z0-9-]+-\d+\.html$"),
    Family("monthpath", "/<cat>[/<sub>…]/<yyyymm>/<slug>/",
           r"^/(?:[a-z0-9-]+/){1,3}\d{6}/[a-z0-9-]+(?:/|/index\.html?)?$"),
    # Unknown CMSs: tighter trap rules (crawler/spiders/families/generic.py).
    Family("generic", "unknown: learned from feeds/sitemaps, or guessed", None,
           listing_path=r"^/(?:[\w-]+/){0,2}(?:[\w-]+(?:\.(?:html?|aspx|php))?)?$",
           facts=MappingProxyType({"section_depth": 2, "max_sections": 150, "related_hops": 1})),
)})


class FamilySpider(NewsSpider):
    """The base of a family's spider: a subclass stating ``family = FAMILIES[key]`` gets that row's
    attributes as its own class attributes (unless it states one itself).

    ``latest_pattern`` (a family's or a site's fact, a regex on the path): what the paper's
    newest-first listing looks like, where its path is not stated as ``latest_path``. A listing
    of that shape that an earlier run walked on the canonical host (``listing_walks``: a first
    run walks every section the home page links) is then this run's ``latest_path``, started on
    like ``start_paths``; so its "no gap" signal spares the section listings and sitemaps.
    """

    family: ClassVar[Family | None] = None
    latest_pattern: str | None = None

    @property  # type: ignore[override]
    def latest_path(self) -> str | None:
        if "_latest_path" in self.__dict__:
            return self.__dict__["_latest_path"]
        progress = self.__dict__.get("progress")
        if self.latest_pattern is None or progress is None:
            return None  # not known before the run's records are read (from_crawler)
        rx = re.compile(self.latest_pattern)
        walked = sorted(k for k in progress.complete_at_start if rx.match(k))
        found = self.__dict__["_latest_path"] = walked[0] if walked else None
        return found

    @latest_path.setter
    def latest_path(self, value: str | None) -> None:
        self.__dict__["_latest_path"] = value

    def start_listings(self) -> list[str]:
        starts = super().start_listings()
        latest = self.latest_path
        return starts if latest is None or latest in starts else [starts[0], latest, *starts[1:]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        family = cls.__dict__.get("family")
        if family is not None:
            for attr, value in family.attributes().items():
                if attr not in cls.__dict__:
                    setattr(cls, attr, value)
