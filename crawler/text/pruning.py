"""Chrome pruned from the tree before trafilatura runs: class hints, chrome lines, boxes,
captions, layout tables; and what is kept against trafilatura's rules (comma lists)."""

from __future__ import annotations

import re
from lxml import etree
from lxml.html import HtmlElement
from crawler.text import chrome, clean
from crawler.text.markup import ClassIndex
from crawler.text.thresholds import MIN_TEXT_CHARS, _BODY_PARAGRAPH_CHARS
from crawler.text.tree import _bounded_text, _drop, _is_centred, _is_italic, _own_text, _owning_table, _text_of


_LAYOUT_CELL_CHARS = 1000


def is_chrome_line(line: str) -> bool:
    """Whether the whole of ``line`` (cleaned text) is a chrome line of ``chrome.CHROME_LINE_PATTERNS``."""
    return _CHROME_LINE.fullmatch(line) is not None


# All chrome line patterns as one alternation: one C-level match per line.
_CHROME_LINE = re.compile("|".join(f"(?:{p.pattern})" for p in chrome.CHROME_LINE_PATTERNS), re.I)


def _drop_chrome_text(short: list[tuple[HtmlElement, str]]) -> None:
    """Drop the outermost elements whose whole text is a chrome line (clock, weather, …)."""
    # ASCII text has nothing for clean() to fix that a chrome pattern could see.
    matched = [el for el, text in short if is_chrome_line(text if text.isascii() else clean(text))]
    ids = {id(el) for el in matched}
    for el in matched:
        if not any(id(a) in ids for a in el.iterancestors()):
            _drop(el)


def _drop_chrome_elements(tree: HtmlElement, hints: ClassIndex) -> None:
    for el in hints["chrome"] + [el for xp in chrome.CHROME_XPATHS for el in tree.xpath(xp)]:
        # A class hint on a wrapper must not take the article with it.
        if el.tag not in ("html", "body") and el.find(".//h1") is None:
            _drop(el)
    for heading in list(tree.iter("h2", "h3", "h4", "h5", "h6")):
        text = _bounded_text(heading, 100)
        if text and chrome.BOX_HEADING_PATTERN.fullmatch(clean(text)):
            _drop_box(heading)


def _drop_captions(tree: HtmlElement, hints: ClassIndex) -> None:
    """Photo captions: <figcaption>, caption-class cells and blocks, and the short
    italic or centred paragraph right after a paragraph holding only a photo."""
    for el in hints["caption"] + list(tree.iter("figcaption")):
        if el.find(".//h1") is None and len(_text_of(el)) < chrome.CAPTION_MAX_CHARS:
            _drop(el)
    for img in list(tree.iter("img")):
        holder = img
        # Climb to the block that holds nothing but the photo.
        while holder.getparent() is not None and holder.getparent().tag in ("a", "span", "p", "div", "figure", "center") \
                and not _own_text(holder.getparent()) and len(holder.getparent()) == 1:
            holder = holder.getparent()
        nxt = holder.getnext()
        if nxt is None or nxt.tag not in ("p", "div", "span", "em", "i"):
            continue
        text = _text_of(nxt)
        if not text or len(text) >= chrome.CAPTION_MAX_CHARS:
            continue
        for styled in (_is_italic, _is_centred):
            # A caption stands out from the text around it; on a page that
            # centres (or italicises) every paragraph, it is just text.
            # Centring alone is weaker evidence than italics: the text around
            # the photo must be there and not centred.
            neighbours = [n for n in (holder.getprevious(), nxt.getnext()) if n is not None and n.tag == nxt.tag]
            plain_text_around = styled is _is_italic or any(_own_text(n) for n in neighbours)
            if styled(nxt) and plain_text_around and not any(styled(n) for n in neighbours):
                _drop(nxt)
                break


def _drop_box(heading: HtmlElement) -> None:
    """Drop the box a heading opens, or the heading and what follows it."""
    parent = heading.getparent()
    if parent is None:
        return
    opens_box = heading.getprevious() is None and not (parent.text or "").strip()
    if opens_box and parent.tag not in ("body", "html", "article", "main") and parent.find(".//h1") is None:
        _drop(parent)
        return
    for sibling in list(heading.itersiblings()):
        _drop(sibling)
    _drop(heading)


def _unwrap_layout_tables(tree: HtmlElement) -> None:
    """Turn page-layout tables into plain blocks.

    Old portals lay pages out with tables; trafilatura then reads the article
    as one table cell. A table holding the headline, or a cell holding a whole
    article's worth of text, is layout: data tables have neither.
    """
    for table in list(tree.iter("table")):
        cells = table.xpath("./tr/td | ./tbody/tr/td | ./thead/tr/td")
        if table.find(".//h1") is not None or any(_bounded_text(td, _LAYOUT_CELL_CHARS) is None for td in cells):
            parts = [el for el in table.iter("tbody", "thead", "tfoot", "tr", "td", "th") if _owning_table(el) is table]
            for el in [table] + parts:
                el.tag = "div"


def _mark_body(tree: HtmlElement, hints: ClassIndex) -> None:
    """Point trafilatura at a known CMS body container unless the page already does."""
    if tree.xpath("//*[@itemprop='articleBody']"):
        return
    for el in hints["body"]:
        # Body paragraphs after the container mean broken markup closed it
        # early; trafilatura's own search then does better than the hint.
        if len(_text_of(el)) < MIN_TEXT_CHARS:
            continue
        cut_short = any(_bounded_text(p, _BODY_PARAGRAPH_CHARS) is None for p in el.xpath("following::p"))
        if not cut_short:
            el.set("itemprop", "articleBody")
            return


_BLOCKS = {"p", "div", "table", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "figure", "section", "article",
           "blockquote"}


# "+ Rau củ: …", "- Trái cây: …", "Đạm: …": a list marker or a short label and a colon,
# the shape of a tag line.
_LABELLED_LIST = re.compile(r"\s*(?:[-+•*–]\s*\S|[^,:.]{1,40}:\s)")


def _keep_comma_lists(tree: HtmlElement) -> None:
    """Body paragraphs that list linked words ("+ Rau củ: <a>Cải xoăn</a>, <a>cải bó xôi</a>")
    look like tag lines to trafilatura's link-density rules and are dropped with them. Inside
    the article container they are text: their links go (the text stays), and a <div>
    holding one among <p> paragraphs becomes a <p>."""
    container = tree.find(".//*[@itemprop='articleBody']")
    if container is None:
        return
    for el in list(container.iter("p", "div", "li")):
        links = el.findall(".//a")
        if len(links) < 2 or any(child.tag in _BLOCKS for child in el.iterdescendants()):
            continue
        text = _bounded_text(el, 1000)
        if text and "," in text and _LABELLED_LIST.match(text):
            etree.strip_tags(el, "a")
            # A <div> line among <p> paragraphs is read as loose text and lost; as a
            # <p> it is a paragraph like its neighbours.
            parent = el.getparent()
            if el.tag == "div" and parent is not None and parent.find("p") is not None:
                el.tag = "p"
