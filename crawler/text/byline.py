"""Bylines: the byline element, a name-like closing line, and cutting the text there."""

from __future__ import annotations

import re
from lxml.html import HtmlElement
from crawler.text import canonical, chrome, clean
from crawler.text.markup import ClassIndex
from crawler.text.lead import _key
from crawler.text.tree import _bounded_text


# A byline is a name or two, not a sentence.
_BYLINE_MAX_CHARS = 60


_BYLINE_MAX_WORDS = 8


def _read_byline(tree: HtmlElement, hints: ClassIndex) -> str | None:
    """The last short, name-like byline element left after pruning."""
    elements = hints["byline"] + [el for xp in chrome.BYLINE_XPATHS for el in tree.xpath(xp)]
    names = [t for t in (clean(_bounded_text(el, 200) or "") for el in elements) if _byline_name(t)]
    return names[-1] if names else None


def _byline_name(text: str | None) -> str | None:
    if not text:
        return None
    match = chrome.BYLINE_PREFIX.fullmatch(text)
    name = (match.group("name") if match else text).strip()
    looks_like_name = (
        len(name) <= _BYLINE_MAX_CHARS
        and len(name.split()) <= _BYLINE_MAX_WORDS
        and not re.search(r"[.!?:;\d]$|\d{2}", name)
    )
    return name if name and looks_like_name else None


def _cut_at_byline(paragraphs: list[str], byline: str | None, author: str | None) -> tuple[list[str], str | None]:
    """Drop a closing byline paragraph and whatever follows it (related-article lists).

    The byline is the one found in the markup or metadata, or a last paragraph
    of the "Tin, ảnh: Hữu Nghĩa" form. Returns (paragraphs, name in the text).
    """
    names = {canonical(n) for n in (byline, _byline_name(byline), author) if n}
    longest = max((len(n) for n in names), default=0) + 40
    for i in range(len(paragraphs) - 1, 0, -1):
        para = paragraphs[i]
        if names and len(para) <= longest and (_key(para) in names or _key(_byline_name(para) or "") in names):
            # A byline near the top opens the body rather than closing it.
            rest = paragraphs[i + 1 :] if i < len(paragraphs) // 3 else []
            return paragraphs[:i] + rest, _byline_name(para)
    last = paragraphs[-1] if len(paragraphs) > 2 else ""
    if chrome.BYLINE_PREFIX.fullmatch(last) and _byline_name(last):
        return paragraphs[:-1], _byline_name(last)
    return paragraphs, None
