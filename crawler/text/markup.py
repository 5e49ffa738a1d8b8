"""Parsing a page the way a browser does, and finding elements by class hint in one pass.

Parser choice (measured on the 181 pages of ``tests/fixtures/extraction-bench``, one run,
median per page):

================================  =========  ===============================================
parser                            median     fidelity on broken provincial pages
================================  =========  ===============================================
lxml (libxml2 HTML parser)        1.0 ms     gives up: a stray ``</html>`` before ``<head>``
                                             leaves an empty body; a nested
                                             ``<!DOCTYPE><html><body>`` inside a ``div``
                                             closes the article early
selectolax/lexbor → lxml          1.3 ms     WHATWG tree construction, as in a browser: both
                                             pages above come out as the browser shows them
html5lib → lxml                   25 ms      WHATWG too, but pure Python: 20× lexbor
html5-parser                      n/a        sdist only, must be compiled against the exact
                                             libxml2 of the installed lxml wheel: fragile
================================  =========  ===============================================

(``make bench`` prints the first two figures for the machine it runs on.)

So pages are parsed by lexbor (``selectolax``), serialised back (its output is well-formed
HTML with every element closed where the browser closed it) and read by lxml, whose tree
trafilatura needs. The round trip costs about 0.3 ms a page over lxml alone.

Class hints (``crawler.text.chrome.CLASS_HINTS``) used to be XPath strings with
``contains(@class, …)`` evaluated one by one over the whole tree, about a quarter of the
extraction time. :class:`ClassIndex` reads every ``class`` attribute once and matches it
against one precompiled pattern per role, which gives the same elements in document order.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement, HTMLParser
from selectolax.lexbor import LexborHTMLParser

from crawler.text import chrome

__all__ = ["parse", "ClassIndex", "MAX_DEPTH"]

# Comments and processing instructions carry no text; dropping them at parse time keeps
# every later walk shorter. collect_ids off: ids are never looked up, and hostile pages
# repeat them by the thousand.
# huge_tree: libxml2 otherwise stops at depth 256 and hands back an empty page; deep
# nesting is flattened below instead.
_LXML = HTMLParser(collect_ids=False, default_doctype=False, encoding="utf-8",
                   remove_comments=True, remove_pis=True, huge_tree=True)

# No article nests this deep; hostile pages do, and every recursive walk (trafilatura's
# among them) would then overflow the Python stack. Deeper elements are flattened into
# their ancestor at this depth, their text kept.
MAX_DEPTH = 150


def parse(html: str) -> HtmlElement | None:
    """The page as a browser builds it, as an lxml tree; ``None`` if nothing is left."""
    try:
        lexbor = LexborHTMLParser(html)
        normalised = lexbor.html
    except (ValueError, UnicodeError):
        return None
    if not normalised:
        return None
    try:
        tree = etree.fromstring(normalised.encode("utf-8", "replace"), _LXML)
        if any("depth" in e.message for e in _LXML.error_log):
            # Nesting deeper than libxml2 goes even with huge_tree (2048): no page
            # of ours is like this; keep its text, one line a paragraph.
            tree = etree.fromstring(_flat_document(lexbor).encode("utf-8", "replace"), _LXML)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None
    if not isinstance(tree, HtmlElement):
        return None
    _flatten_deep(tree)
    return tree


def _flat_document(lexbor: LexborHTMLParser) -> str:
    from html import escape

    title = lexbor.css_first("title")
    body = lexbor.body
    lines = [line.strip() for line in (body.text(separator="\n") if body is not None else "").split("\n")]
    paragraphs = "".join(f"<p>{escape(line)}</p>" for line in lines if line)
    head = f"<title>{escape(title.text())}</title>" if title is not None else ""
    return f"<html><head>{head}</head><body>{paragraphs}</body></html>"


def _flatten_deep(tree: HtmlElement) -> None:
    """Unwrap elements nested deeper than MAX_DEPTH (text kept), iteratively."""
    # A cheap test first: only hostile pages have anything this deep.
    probe = "/*" * (MAX_DEPTH + 1)
    if not tree.xpath(probe):
        return
    for anchor in tree.xpath("/*" * MAX_DEPTH):
        # Collect the descendants' text, then replace them with it.
        text = " ".join(t for t in anchor.itertext() if t.strip())
        for child in list(anchor):
            anchor.remove(child)
        anchor.text = text


class ClassIndex:
    """Elements per role of ``chrome.CLASS_HINTS``, found in one pass over ``@class``."""

    def __init__(self, tree: HtmlElement):
        self.root = tree
        self.by_role: dict[str, list[HtmlElement]] = {role: [] for role in chrome.CLASS_HINTS}
        roles_by_word, parts, any_part = _compiled()
        # Pages repeat a few class values many times: each distinct value is matched once.
        roles_of: dict[str, tuple[str, ...]] = {}
        for el in tree.iterfind(".//*[@class]"):
            cls = el.get("class") or ""
            roles = roles_of.get(cls)
            if roles is None:
                found = {role for word in cls.split() for role in roles_by_word.get(word, ())}
                if any_part.search(cls):
                    found.update(role for role, pattern in parts if pattern.search(cls))
                roles = roles_of[cls] = tuple(found)
            for role in roles:
                self.by_role[role].append(el)

    def __getitem__(self, role: str) -> list[HtmlElement]:
        """The elements of ``role`` still in the tree (pruning may have dropped some)."""
        return [el for el in self.by_role[role] if el.getroottree().getroot() is self.root]


_COMPILED: list = []


def _compiled() -> tuple[dict[str, tuple[str, ...]], list[tuple[str, re.Pattern[str]]], re.Pattern[str]]:
    """Whole-word hints as a word → roles table (a set lookup per class word); substring
    hints as one literal alternation per role, plus one for all roles (most class values
    match none, and one search tells)."""
    if not _COMPILED:
        by_word: dict[str, set[str]] = {}
        parts = []
        for role, hint in chrome.CLASS_HINTS.items():
            for word in hint.words:
                by_word.setdefault(word, set()).add(role)
            if hint.parts:
                parts.append((role, re.compile("|".join(map(re.escape, hint.parts)))))
        every = [p for hint in chrome.CLASS_HINTS.values() for p in hint.parts]
        _COMPILED.extend([{w: tuple(r) for w, r in by_word.items()}, parts, re.compile("|".join(map(re.escape, every)))])
    return tuple(_COMPILED)
