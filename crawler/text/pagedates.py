"""The publication date of a page: structured data, the printed date line, htmldate last.
Parsing of each string is :mod:`crawler.text.dates`; this module chooses among the page's."""

from __future__ import annotations

from datetime import date, datetime

import htmldate
from lxml.html import HtmlElement
from crawler.text import chrome
from crawler.text.dates import NUM_DATE, parse_iso, parse_visible_date, words_date, year_ok
from crawler.text.markup import ClassIndex
from crawler.text.structured import _jsonld_values, _meta
from crawler.text.tree import _bounded_text


_DATE_LINE_MAX_CHARS = 80


_DATEPARSER_TRIES = 3


def _published(tree: HtmlElement, jsonld: list[dict], zone: list[HtmlElement], hints: ClassIndex) -> str | None:
    structured = _structured_date(tree, jsonld)
    if isinstance(structured, datetime) and not _is_midnight(structured):
        return structured.isoformat()
    # A date-only structured date leaves only the time to find, and dateparser
    # reads no times: it runs only when there is no structured date at all.
    visible = _visible_date(tree, zone, hints, words=structured is None)
    if visible is _IMPOSSIBLE:
        return None
    if visible and (structured is None or _day(visible) == _day(structured)):
        return visible.isoformat()
    if structured is not None:
        return _day(structured).isoformat()
    try:
        fallback = htmldate.find_date(tree, extensive_search=False, original_date=True)
    except (ValueError, OverflowError, TypeError):
        return None
    return fallback if fallback and year_ok(int(fallback[:4])) else None


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _is_midnight(value: datetime) -> bool:
    return (value.hour, value.minute, value.second) == (0, 0, 0)


def _structured_date(tree: HtmlElement, jsonld: list[dict]) -> date | datetime | None:
    candidates = (
        _jsonld_values(jsonld, "datePublished")
        + _meta(tree, "article:published_time", "datePublished", "pubdate", "publishdate", "og:published_time")
        + tree.xpath("//time[@itemprop='datePublished' or @pubdate]/@datetime")
    )
    for value in candidates:
        parsed = parse_iso(value)
        if parsed is not None:
            return parsed
    return None


def _visible_date(tree: HtmlElement, zone: list[HtmlElement], hints: ClassIndex,
                  words: bool = True) -> date | datetime | None:
    """The printed date: a date-like element under the headline, any short line
    there, then a date-like element anywhere; numeric forms first, then dates in
    words from date-like elements only (dateparser is slow and eager)."""
    zone_ids = {id(el) for el in zone}
    elements = hints["date"] + [el for xp in chrome.DATE_XPATHS for el in tree.xpath(xp)]
    texts = [(el, _bounded_text(el, _DATE_LINE_MAX_CHARS + 1)) for el in elements]
    marked = [t for _, t in texts if t]
    marked_in_zone = [t for el, t in texts if t and id(el) in zone_ids]
    loose = [t.strip() for el in zone for t in (el.text, el.tail) if t and t.strip()]
    impossible = False
    for text in marked_in_zone + loose + marked:
        if len(text) <= _DATE_LINE_MAX_CHARS and NUM_DATE.search(text):
            parsed = parse_visible_date(text)
            if parsed is not None:
                return parsed
            impossible = True
    for text in (marked_in_zone + marked)[:_DATEPARSER_TRIES] if words else []:
        if len(text) <= _DATE_LINE_MAX_CHARS:
            parsed = words_date(text)
            if parsed is not None:
                return parsed
    # A printed date that is no date (30/02/2025, year 0001): say nothing rather
    # than let a fallback guess.
    return _IMPOSSIBLE if impossible else None


_IMPOSSIBLE = date.min
