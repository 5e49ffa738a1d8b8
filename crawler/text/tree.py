"""Small readers over a parsed page: visible text, bounded element text, document order."""

from __future__ import annotations

from collections.abc import Iterator
from lxml import etree
from lxml.html import HtmlElement
from crawler.text import canonical, clean


def _has_visible_text(tree: HtmlElement) -> bool:
    body = tree.find(".//body")
    if body is None:
        return False
    for el in body.iter():
        if el.tag in _INVISIBLE_TAGS:
            continue
        if (el.text or "").strip() and el.tag is not etree.Comment:
            return True
        if el is not body and (el.tail or "").strip() and el.getparent().tag not in _INVISIBLE_TAGS:
            return True
    return False


_INVISIBLE_TAGS = {"script", "style", "noscript", "template"}


def _visible_text(tree: HtmlElement) -> str:
    body = tree.find(".//body")
    if body is None:
        return ""
    return " ".join(
        t.strip() for t in body.xpath(".//text()[not(ancestor::script or ancestor::style or ancestor::noscript)]")
    ).strip()


def _text_of(el: HtmlElement) -> str:
    return " ".join(" ".join(el.itertext()).split())


def _drop(el: HtmlElement) -> None:
    if el.getparent() is not None:
        el.drop_tree()


# Chrome lines and tag lines are short; longer element texts are never read whole.
_SHORT_TEXT_CHARS = 400


def _short_text_elements(tree: HtmlElement) -> list[tuple[HtmlElement, str]]:
    """Elements printing text of their own whose whole text is short, with that text.

    A chrome line is printed by some element, so only elements with text of
    their own are candidates; reading stops at the length limit, which keeps
    the walk linear in the page instead of re-reading big subtrees.
    """
    body = tree.find(".//body")
    if body is None:
        return []
    out = []
    # XPath text() of an element includes its children's tails: exactly "text of its own".
    # normalize-space() runs on those text nodes only, never on whole subtrees.
    for el in body.xpath(".//*[text()[normalize-space()]][not(self::script or self::style or self::noscript)]"):
        text = _bounded_text(el, _SHORT_TEXT_CHARS)
        if text is not None:
            out.append((el, text))
    return out


def _bounded_text(el: HtmlElement, limit: int) -> str | None:
    """``_text_of(el)``, or None as soon as it is known to be ``limit`` chars or longer."""
    parts, size = [], 0
    for t in el.itertext():
        size += len(t)
        if size >= limit * 4:  # raw text, whitespace included
            return None
        parts.append(t)
    text = " ".join(" ".join(parts).split())
    return text if len(text) < limit else None


def _own_text(el: HtmlElement) -> bool:
    return bool((el.text or "").strip() or any((c.tail or "").strip() for c in el))


def _is_centred(el: HtmlElement) -> bool:
    style = (el.get("style") or "").replace(" ", "").lower()
    return "text-align:center" in style or (el.get("align") or "").lower() == "center"


def _is_italic(el: HtmlElement) -> bool:
    """All the element's text is inside <em>/<i> (or the element itself is italic)."""
    if el.tag in ("em", "i") or "font-style:italic" in (el.get("style") or "").replace(" ", "").lower():
        return True
    if _own_text(el):
        return False
    children = list(el)
    return bool(children) and all(c.tag in ("em", "i") or _is_italic(c) for c in children)


def _owning_table(el: HtmlElement) -> HtmlElement | None:
    return next(el.iterancestors("table"), None)


def _following(tree: HtmlElement, start: HtmlElement) -> Iterator[HtmlElement]:
    """Elements after ``start`` in document order, its own descendants included.

    Lazy and local: the walk starts at ``start``, so a caller that stops after a
    few elements never touches the rest of the page."""
    yield from start.iterdescendants(etree.Element)
    node = start
    while node is not None:
        for sibling in node.itersiblings():
            if isinstance(sibling.tag, str):
                yield sibling
                yield from sibling.iterdescendants(etree.Element)
        node = node.getparent()


def _clean_or_none(value: str | None) -> str | None:
    return clean(value) if value and value.strip() else None


def _unique(values: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for value in values:
        key = canonical(value)
        if value and key not in seen:
            seen.add(key)
            out.append(value)
    return out
