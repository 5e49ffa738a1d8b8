"""Finding article URLs beyond listing pages: feeds, sitemaps, pagination forms, URL shapes.

Plain functions (no Scrapy spider state) used by ``crawler/spiders/base.py``:

- ``page_url`` / ``page_link`` / ``infer_page_form``: the listing pagination URL form as a
  format string (``"{path}?page={page}"``, ``"{stem}/trang-{page}.html"``, …), built, recognised
  and learned from a listing's own links;
- ``sitemap_body`` / ``sitemap_entries``: Scrapy's ``Sitemap`` parser (gzip, sitemap indexes,
  ``<news:publication_date>`` read too);
- ``feed_entries``: RSS 2.0 / Atom items through Scrapy's ``xmliter_lxml``;
- ``entry_date``: the dates those carry (RFC 822, ISO 8601, ``dd/mm/yyyy``), as a Vietnam date;
- ``path_shape`` / ``ARTICLE_GUESS``: what an article URL of an unknown CMS looks like.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from lxml import etree
from scrapy.http import Response
from scrapy.utils.gz import gunzip, gzip_magic_number
from scrapy.utils.iterators import xmliter_lxml
from scrapy.utils.sitemap import Sitemap
from crawler.text.dates import DMY, VN_TZ, dmy_date


# --- pagination ---------------------------------------------------------------------------------

#: ``page_url`` value meaning "learn the form from the listing's own page-2 link".
AUTO = "auto"

#: The pagination forms seen on Vietnamese news CMSs, tried in this order when a site's form is
#: unknown. ``{path}`` is the listing path as linked (``/thoi-su/``, ``/thoi-su.html``);
#: ``{stem}`` is that path without trailing slash, ``index.html`` or extension (``/thoi-su``).
PAGE_FORMS: tuple[str, ...] = (
    "{path}?page={page}",  # baocamau
    "{path}?p={page}",  # baoangiang
    "{path}?paged={page}",  # baodaklak (older layout), WordPress
    "{path}?trang={page}",
    "{stem}/p/{page}",  # huengaynay
    "{stem}/page/{page}/",  # WordPress
    "{stem}/trang-{page}.html",
    "{stem}/trang-{page}.htm",
    "{stem}/trang/{page}",
    "{stem}/p{page}",
)

_STEM = re.compile(r"(?:/index)?(?:\.(?:html?|aspx|php))?/?$")


def path_stem(path: str) -> str:
    """``/thoi-su/`` → ``/thoi-su``; ``/thoi-su-215.html`` → ``/thoi-su-215``; ``/a/index.html`` → ``/a``."""
    return _STEM.sub("", path) or "/"


def page_url(form: str, path: str, page: int) -> str:
    """The site-relative URL of page ``page`` of the listing at ``path`` (page 1 is ``path``)."""
    if page <= 1:
        return path
    stem = path_stem(path)
    return form.format(path=path, stem="" if stem == "/" else stem, page=page)


def _form_regex(form: str) -> re.Pattern[str] | None:
    """A regex recognising pages of a path-style form (``{stem}/p/{page}``) by their path."""
    if not form.startswith("{stem}"):
        return None  # query forms keep the listing path: the path already names the listing
    rest = re.escape(form[len("{stem}"):]).replace(re.escape("{page}"), r"(?P<page>\d+)")
    return re.compile(rf"^(?P<stem>/.*?){rest}$")


_FORM_REGEXES: dict[str, re.Pattern[str] | None] = {}


def page_link(forms: tuple[str, ...] | list[str], path: str) -> tuple[str, int] | None:
    """(stem, page) if ``path`` is page ≥ 2 of some listing under one of the path-style ``forms``."""
    for form in forms:
        if form not in _FORM_REGEXES:
            _FORM_REGEXES[form] = _form_regex(form)
        rx = _FORM_REGEXES[form]
        m = rx.match(path) if rx else None
        if m and int(m["page"]) >= 2:
            return m["stem"] or "/", int(m["page"])
    return None


def infer_page_form(path: str, links: set[str], forms: tuple[str, ...] = PAGE_FORMS) -> str | None:
    """The form whose page-2 URL of ``path`` is among ``links`` (site-relative, canonical)."""
    for form in forms:
        if page_url(form, path, 2) in links:
            return form
    return None


# --- dates ----------------------------------------------------------------------------------------

def entry_date(value: str | None) -> date | None:
    """The Vietnam-time day of a feed or sitemap date: RFC 822 (``pubDate``), ISO 8601
    (``lastmod``, ``news:publication_date``, Atom), or a printed ``dd/mm/yyyy``."""
    value = (value or "").strip()
    if not value:
        return None
    parsed: datetime | date | None = None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            m = DMY.search(value)
            return dmy_date(*m.groups()) if m else None
    if isinstance(parsed, datetime):
        if parsed.tzinfo is None:
            return parsed.date()  # local (Vietnam) time already
        return parsed.astimezone(VN_TZ).date()
    return parsed


# --- sitemaps -------------------------------------------------------------------------------------

#: Uncompressed size limit of one sitemap (the sitemaps protocol's own limit).
SITEMAP_MAXSIZE = 50 * 1024 * 1024


class NewsSitemap(Sitemap):
    """Scrapy's ``Sitemap`` that also reads one level of nested elements, so a Google News
    entry's ``<news:news><news:publication_date>`` arrives as ``publication_date`` (and
    ``<news:title>`` as ``title``). The parent's flattening stops at direct children.

    Overrides ``Sitemap._process_sitemap_element``, a protected method of a module Scrapy marks
    as "subject to change": ``tests/test_discovery.py`` pins the behaviour."""

    __slots__ = ()

    def _process_sitemap_element(self, elem: etree._Element) -> dict[str, Any] | None:
        nested: dict[str, str] = {}
        for child in elem:
            for grandchild in child:
                name = self._get_tag_name(grandchild)
                if name and name not in nested:
                    nested[name] = (grandchild.text or "").strip()
        d = super()._process_sitemap_element(elem)
        if d is not None:
            for key, value in nested.items():
                d.setdefault(key, value)
        return d


def sitemap_body(response: Response, max_size: int = SITEMAP_MAXSIZE) -> bytes | None:
    """The XML of a sitemap response (gunzipped if need be), or None if it holds none.
    The same decisions as ``SitemapSpider._get_sitemap_body``."""
    body = response.body
    if gzip_magic_number(response):
        try:
            body = gunzip(body, max_size=max_size)
        except Exception:  # noqa: BLE001 - corrupt or oversized archive: not a sitemap we can read
            return None
    head = body[:512].lstrip()
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    return body if head.startswith(b"<") and b"<html" not in head[:200].lower() else None


def sitemap_entries(body: bytes) -> tuple[str, list[dict[str, Any]]]:
    """(``"urlset"`` | ``"sitemapindex"`` | other root tag, entries)."""
    try:
        sitemap = NewsSitemap(body)
    except (etree.XMLSyntaxError, StopIteration, ValueError):
        return "", []
    return sitemap.type, list(sitemap)


# --- feeds ----------------------------------------------------------------------------------------

ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")


def feed_entries(response: Response) -> Iterator[tuple[str, str | None]]:
    """(link, date string) of every item of an RSS 2.0 / RSS 1.0 or Atom feed."""
    found = False
    for item in xmliter_lxml(response, "item"):
        found = True
        link = (item.xpath("./link/text()").get() or "").strip()
        if not link:
            guid = item.xpath("./guid")
            if guid and guid.attrib.get("isPermaLink", "true").lower() != "false":
                link = (guid.xpath("./text()").get() or "").strip()
        when = item.xpath("./pubDate/text() | ./*[local-name()='date']/text()").get()
        if link:
            yield link, when
    if found:
        return
    for entry in xmliter_lxml(response, "entry", namespace=ATOM_NS, prefix="atom"):
        link = entry.xpath("./atom:link[not(@rel) or @rel='alternate']/@href").get()
        when = entry.xpath("./atom:published/text()").get() or entry.xpath("./atom:updated/text()").get()
        if link:
            yield link.strip(), when


# --- article URL shapes of unknown CMSs -----------------------------------------------------------

#: A path that looks like an article on a CMS we know nothing about: a slug of three or more
#: words ending in an id (``-123456``, ``-a123``, ``-post123``, a 7–8 digit hex), or a slug of
#: eight or more words (section slugs are shorter: ``van-hoa-the-thao-du-lich`` has six), with an
#: optional extension or trailing slash, at most four folders deep.
ARTICLE_GUESS = re.compile(
    r"^/(?:[\w.-]+/){0,4}-*"
    r"(?:[a-z0-9]+(?:-+[a-z0-9]+){2,}-+(?:[a-z]{0,6}\d{3,}|(?=[a-f]*\d)[0-9a-f]{7,8})"
    r"|[a-z0-9]+(?:-+[a-z0-9]+){7,})"
    r"(?:\.[a-z]{2,5}|/)?$",
    re.I,
)

_EXT = re.compile(r"\.[a-z0-9]{2,5}$", re.I)
_ID_TAIL = re.compile(r"-+([a-z]{0,6})(\d{3,})$", re.I)
_HEX_TAIL = re.compile(r"-+(?=[a-f]*\d)[0-9a-f]{7,8}$")
_SLUG4 = re.compile(r"^[a-z0-9]+(?:-+[a-z0-9]+){3,}$", re.I)


def path_shape(path: str, *, plain_slug: bool = True) -> str | None:
    """A regex for article paths shaped like ``path`` (an article URL taken from a feed or a news
    sitemap), or None when the path is too plain to generalise safely.

    ``/tin-tuc/2025/10/dan-so-tang-nhanh-12345.html`` → ``^/[^/]+/\\d{4}/\\d{2}/[^/]*-\\d{4,}\\.html$``.
    Folders become ``[^/]+`` (numeric ones keep their width: dates), the last segment keeps its id
    form (``a``/``post`` prefixes, hex, digits at least one fewer than here: section ids such as
    ``/thoi-su-215.html`` are short) or, with ``plain_slug``, must be a slug of four or more words.
    """
    trailing = path.endswith("/") and path != "/"
    segments = path.strip("/").split("/")
    if not segments or not segments[-1]:
        return None
    out = []
    for seg in segments[:-1]:
        out.append(rf"\d{{{len(seg)}}}" if seg.isdigit() and len(seg) in (2, 4, 6, 8) else
                   r"\d+" if seg.isdigit() else r"[^/]+")
    last = segments[-1]
    ext_match = _EXT.search(last)
    ext = ext_match.group(0) if ext_match else ""
    body = last[: len(last) - len(ext)]
    if m := _ID_TAIL.search(body):
        tail = rf"[^/]*-{re.escape(m.group(1))}\d{{{max(1, len(m.group(2)) - 1)},}}"
    elif _HEX_TAIL.search(body):
        tail = r"[^/]*-[0-9a-f]{7,8}"
    elif plain_slug and _SLUG4.match(body):
        tail = r"[a-z0-9]+(?:-+[a-z0-9]+){3,}"
    else:
        return None
    out.append(tail)
    return "^/" + "/".join(out) + re.escape(ext) + ("/?" if trailing else "") + "$"
