"""Article extraction from one HTML page, usable outside Scrapy.

``extract(html, url)`` returns ``(Article, None)`` or ``(None, reason)``; the
reason is a short stable slug (``REASONS``) that the pipeline counts in its
stats and stores in ``rejects``.

The page is parsed as a browser would (``crawler.text.markup``: lexbor, then
lxml), trafilatura finds the main text; extruct reads JSON-LD; htmldate and
dateparser read dates; title, author, description and tags come from the same
tree (trafilatura's own metadata pass is not run: it would repeat that work).
What is ours is the Vietnamese-specific part, with the site chrome kept as data
in ``crawler.text.chrome``:

- Nothing escapes: any input gives an article or a reason; a page over the
  time budget (``timeout=``, the pipeline's ``ARCHIVE_EXTRACT_TIMEOUT``) is
  ``timeout-extract``; impossible or out-of-range dates (``30/02/2025``,
  ``0001-01-01``) give no date.
- Class hints are matched in one pass over ``@class`` (``markup.ClassIndex``)
  and chrome lines with one combined pattern, so the work stays linear in the
  page.
- Chrome is removed twice: elements (by class hints, by text such as the clock
  line, by box headings such as "Tin liên quan", photo captions) before
  trafilatura runs, and whole lines after, for sites whose class names we have
  never seen: page tools and the repeated date line or title at the top, source
  and signature lines at the end. A labelled comma list of linked words inside
  the article container ("+ Rau củ: <a>…</a>, …") is kept as text.
- Lead (sapo): many CMSs print it twice, once in a sapo block (Báo Cà Mau
  prefixes it with its masthead, "Báo Cà Mau Chiều 23/7, …") and again as the
  first body paragraph behind a dateline tag ("(CMO) Chiều 23/7, …"). The text
  starts with the lead exactly once, without masthead or dateline tag; a lead
  that only the sapo block holds is put first. ``description`` is that lead,
  or the meta description when the page has no visible lead.
- Date: as precise as the page gives, in +07:00. Structured data (JSON-LD,
  ``article:published_time``) wins when it has a time; a visible date line
  (``23/07/2025 - 17:05``) adds the time to a date-only JSON-LD date of the
  same day. Nothing is guessed: no crawl date, no relative "8 giờ trước", no
  render-time clock line (two-digit year), so ``None`` rather than a wrong
  date. Times without an offset are taken as Vietnam time (UTC+7).
- Author: JSON-LD person, else a visible byline (``<p class=author>``, a
  right-aligned closing name, "Tin, ảnh: Hữu Nghĩa"), else the author meta tag. A
  byline paragraph closing the text is dropped together with whatever follows
  it (the related-article lists of the ``-a<id>.html`` CMS family).
- List items are paragraphs: several CMSs put body text in ``<li>``, so the
  text carries no bullet markers.
"""

from __future__ import annotations

import re
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from urllib.parse import urljoin

import dateparser
import htmldate
import trafilatura
from extruct.jsonld import JsonLdExtractor
from lxml import etree
from lxml.html import HtmlElement

from crawler import reasons
from crawler.text import canonical, chrome, clean
from crawler.text.markup import ClassIndex, parse
from crawler.text.normalize import drop_surrogates
from crawler.text.dates import VN_TZ, year_ok

__all__ = ["Article", "extract", "MIN_TEXT_CHARS", "REASONS"]

# Shorter bodies are captions, teasers or stubs, not articles.
MIN_TEXT_CHARS = 200

REASONS = reasons.EXTRACTION_REASONS

# Publication years outside this range are misreadings or placeholders
# (0001-01-01, 9999-12-31), never a Vietnamese provincial paper's date.


# Only the first few paragraphs can hold the lead and its duplicate.
_LEAD_WINDOW = 4
# A byline is a name or two, not a sentence.
_BYLINE_MAX_CHARS = 60
_BYLINE_MAX_WORDS = 8
# The header zone (date line, sapo) ends at the first body-sized paragraph.
_BODY_PARAGRAPH_CHARS = 150
_HEADER_ZONE_MAX = 200
_DATE_LINE_MAX_CHARS = 80
_LAYOUT_CELL_CHARS = 1000
_DATEPARSER_TRIES = 3

_ARTICLE_TYPES = {"NewsArticle", "Article", "BlogPosting", "ReportageNewsArticle", "AnalysisNewsArticle"}
_HTML_START = re.compile(r"<\s*(?:!doctype|html|head|body|meta|title|div|p|article)\b", re.I)
# Source indentation: trafilatura's length heuristics count it as text, so it goes
# (one C-level pass; whitespace inside elements is collapsed later anyway).
_INDENT = re.compile(r"[ \t]*\n\s*")
# Letters only Vietnamese uses among Latin-script languages read here.
_VIETNAMESE = re.compile("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)
_NUM_DATE = re.compile(r"(?<!\d)(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?!\d)")
_NUM_TIME = re.compile(r"(?<![\d/.-])(\d{1,2})\s*[:hg]\s*(\d{2})(?::(\d{2}))?(?![\d/])")
_TRAFILATURA_OPTIONS = dict(
    include_comments=False,
    include_tables=True,
    include_images=False,
    favor_precision=True,
    # Title, author, description, site name and tags are read by _read_page from
    # the same tree; trafilatura's own metadata pass would repeat that work (and
    # run htmldate) for fields we then override.
    with_metadata=False,
)


@dataclass(frozen=True)
class Article:
    title: str
    text: str
    published: str | None = None
    author: str | None = None
    description: str | None = None
    language: str | None = None
    tags: list[str] = field(default_factory=list)
    canonical_url: str | None = None


@dataclass
class _Page:
    """What is read from the tree before chrome is pruned from it."""

    title: str | None
    headings: list[str]
    published: str | None
    sapo: str | None
    tags: list[str]
    language: str | None
    canonical_url: str | None
    jsonld_author: str | None
    has_video: bool
    meta_author: str | None = None
    has_h1: bool = False
    description: str | None = None
    sitename: str | None = None
    meta_tags: list[str] = field(default_factory=list)


class _OverBudget(BaseException):
    """The page ran over its time budget.

    A BaseException, so that no library's ``except Exception`` swallows it."""


def extract(html: str, url: str, *, timeout: float | None = None) -> tuple[Article | None, str | None]:
    """Extract the article of one page: ``(article, None)`` or ``(None, reason)``.

    Never raises on any page content. ``timeout`` (seconds) bounds the work on
    one page; a page over it is ``(None, "timeout-extract")``.
    """
    try:
        with _budget(timeout):
            return _extract(html if isinstance(html, str) else "", url or "")
    except _OverBudget:
        return None, reasons.TIMEOUT_EXTRACT
    except RecursionError:
        # markup.parse flattens deep nesting; this is the net under it.
        return None, reasons.NO_MAIN_TEXT


@contextmanager
def _budget(timeout: float | None):
    """Interrupt the work after ``timeout`` seconds.

    SIGALRM interrupts the work wherever Python code runs, trafilatura's own
    loops included (a single C call such as the parse finishes first), so it is
    used where it can be: the main thread of a process, which is where the
    extraction pool's workers and an inline pipeline run. Elsewhere the
    checkpoints between the stages (``_check``) enforce the budget.
    """
    if not timeout or timeout <= 0:
        yield
        return
    deadline = time.monotonic() + timeout
    token = _DEADLINE.__dict__.get("value")
    _DEADLINE.value = deadline
    use_alarm = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    previous = None
    armed = [True]
    if use_alarm:
        def _on_alarm(signum, frame):
            # A late alarm (after the work ended) must not escape into the caller.
            if armed[0]:
                raise _OverBudget

        previous = signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        yield
    finally:
        armed[0] = False
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous or signal.SIG_DFL)
        _DEADLINE.value = token


_DEADLINE = threading.local()


def _check() -> None:
    deadline = getattr(_DEADLINE, "value", None)
    if deadline is not None and time.monotonic() > deadline:
        raise _OverBudget


def _extract(html: str, url: str) -> tuple[Article | None, str | None]:
    if not html or not html.strip():
        return None, reasons.EMPTY_PAGE
    # One spelling for every pattern below: NFC, Đ for Latin Eth, plain spaces,
    # no lone surrogates. Character-level only, and only where needed.
    # Only what the parser needs: no lone surrogates (lexbor reads UTF-8), no
    # source indentation. Every text kept or matched is clean()ed on its own,
    # which costs far less than cleaning the whole raw page.
    html = _INDENT.sub("\n", drop_surrogates(html))
    if not _HTML_START.search(html[:5000]):
        return None, reasons.NOT_HTML
    tree = parse(html)
    if tree is None:
        return None, reasons.NOT_HTML
    if not _has_visible_text(tree):
        return None, reasons.EMPTY_PAGE
    _check()

    hints = ClassIndex(tree)
    short = _short_text_elements(tree)
    page = _read_page(tree, url, hints, short)
    _check()
    _drop_chrome_text(short)
    if _is_error_title(page):
        return None, reasons.ERROR_PAGE
    _drop_chrome_elements(tree, hints)
    _drop_captions(tree, hints)
    _unwrap_layout_tables(tree)
    _mark_body(tree, hints)
    _keep_comma_lists(tree)
    byline = _read_byline(tree, hints)
    _check()

    doc = trafilatura.bare_extraction(tree, url=url, **_TRAFILATURA_OPTIONS)
    _check()
    paragraphs = _paragraphs(doc) if doc is not None else []
    if not paragraphs:
        return None, _why_no_text(tree, page)

    title = _title(page)
    paragraphs = _drop_title(paragraphs, title)
    paragraphs = _drop_top_controls(paragraphs)
    mastheads = _mastheads(page)
    paragraphs, text_byline = _cut_at_byline(paragraphs, byline, page.jsonld_author)
    paragraphs = _drop_closing_lines(paragraphs)
    paragraphs, lead = _place_lead(paragraphs, page.sapo, mastheads)
    text = "\n\n".join(paragraphs)
    if len(text) < MIN_TEXT_CHARS:
        return None, _why_too_short(page, text)

    return Article(
        title=title,
        text=text,
        published=page.published,
        author=page.jsonld_author or _byline_name(byline) or text_byline or _clean_or_none(page.meta_author),
        description=lead or _strip_lead_prefixes(_clean_or_none(page.description), mastheads),
        language=page.language,
        tags=_unique(page.tags + page.meta_tags),
        canonical_url=page.canonical_url,
    ), None


# --- Parsing -----------------------------------------------------------------


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


# --- Chrome --------------------------------------------------------------------

# Chrome lines and tag lines are short; longer element texts are never read whole.
_SHORT_TEXT_CHARS = 400


def is_chrome_line(line: str) -> bool:
    """Whether the whole of ``line`` (cleaned text) is a chrome line of ``chrome.CHROME_LINE_PATTERNS``."""
    return _CHROME_LINE.fullmatch(line) is not None


# All chrome line patterns as one alternation: one C-level match per line.
_CHROME_LINE = re.compile("|".join(f"(?:{p.pattern})" for p in chrome.CHROME_LINE_PATTERNS), re.I)


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


def _owning_table(el: HtmlElement) -> HtmlElement | None:
    return next(el.iterancestors("table"), None)


# --- Page metadata (read before pruning) -----------------------------------


def _read_page(tree: HtmlElement, url: str, hints: ClassIndex, short: list[tuple[HtmlElement, str]]) -> _Page:
    jsonld = _jsonld_articles(tree, url)
    zone = _header_zone(tree, hints)
    return _Page(
        title=_clean_or_none(_first(_meta(tree, "og:title")) or _first(_jsonld_values(jsonld, "headline"))),
        # <h1> first: a <title> carries the site name as well.
        headings=[t for t in (clean(_text_of(h)) for h in [*tree.iter("h1"), *tree.iter("title")]) if t],
        published=_published(tree, jsonld, zone, hints),
        sapo=_sapo(tree, zone, hints),
        tags=_visible_tags(tree, hints, short),
        language=_language(tree),
        canonical_url=_canonical_url(tree, url),
        jsonld_author=_jsonld_author(jsonld),
        has_video=bool(hints["video"]) or any(tree.xpath(xp) for xp in chrome.VIDEO_XPATHS),
        has_h1=tree.find(".//h1") is not None,
        meta_author=_first([a for a in _meta(tree, "author", "article:author", "dc.creator") if not a.startswith("http")]),
        description=_first(_meta(tree, "og:description", "description", "twitter:description")),
        sitename=_first(_meta(tree, "og:site_name", "application-name")),
        meta_tags=_split_tags(_meta(tree, "keywords", "news_keywords", "article:tag")),
    )


def _split_tags(values: list[str]) -> list[str]:
    return [t for v in values for t in (clean(p) for p in re.split(r"[,;]", v)) if t]


def _meta(tree: HtmlElement, *names: str) -> list[str]:
    """``content`` of the <meta> elements named (property, name or itemprop), in name order."""
    index = _META_CACHE.get(id(tree))
    if index is None or index[0] is not tree:
        # One walk over the <meta> elements per page instead of one XPath per name.
        table: dict[str, list[str]] = {}
        for el in tree.iter("meta"):
            content = (el.get("content") or "").strip()
            if content:
                for key in {el.get("property"), el.get("name"), el.get("itemprop")} - {None}:
                    table.setdefault(key, []).append(content)
        _META_CACHE.clear()
        _META_CACHE[id(tree)] = index = (tree, table)
    return [v for name in names for v in index[1].get(name, [])]


_META_CACHE: dict[int, tuple[HtmlElement, dict[str, list[str]]]] = {}


def _first(values: list[str]) -> str | None:
    return values[0] if values else None


def _jsonld_articles(tree: HtmlElement, url: str) -> list[dict]:
    try:
        items = _JSONLD.extract_items(tree, base_url=url)
    except (ValueError, TypeError, RecursionError):  # broken JSON in a script tag
        return []
    flat = []
    for item in items:
        flat += _flatten_jsonld(item)
    typed = [i for i in flat if _jsonld_types(i) & _ARTICLE_TYPES]
    return typed or [i for i in flat if "datePublished" in i]


_JSONLD = JsonLdExtractor()


def _flatten_jsonld(item, depth: int = 0) -> list[dict]:
    if depth > 8:  # hostile nesting; real @graph lists are one or two levels deep
        return []
    if isinstance(item, list):
        return [d for sub in item for d in _flatten_jsonld(sub, depth + 1)]
    if not isinstance(item, dict):
        return []
    return [item] + _flatten_jsonld(item.get("@graph", []), depth + 1)


def _jsonld_types(item: dict) -> set[str]:
    types = item.get("@type", [])
    # Malformed JSON-LD puts objects or lists where type names belong.
    return {t for t in (types if isinstance(types, list) else [types]) if isinstance(t, str)}


def _jsonld_values(items: list[dict], key: str) -> list[str]:
    return [str(i[key]).strip() for i in items if isinstance(i.get(key), (str, int, float)) and str(i[key]).strip()]


def _jsonld_author(items: list[dict]) -> str | None:
    names = []
    for item in items:
        authors = item.get("author") or []
        for author in authors if isinstance(authors, list) else [authors]:
            if isinstance(author, str):
                names.append(author)
            elif isinstance(author, dict) and "Organization" not in _jsonld_types(author):
                name = author.get("name")
                names.append(name if isinstance(name, str) else "")
    names = _unique([clean(n) for n in names if n and n.strip()])
    return ", ".join(names) or None


def _visible_tags(tree: HtmlElement, hints: ClassIndex, short: list[tuple[HtmlElement, str]]) -> list[str]:
    links = [a for box in hints["tags"] for a in box.iter("a")]
    links += [a for xp in chrome.TAG_XPATHS for a in tree.xpath(xp)]
    for el, text in short:
        # "Từ khóa: <a>…</a>": the label is an element's own text; the links are
        # in that element or, when the label has an element of its own, its parent.
        if not chrome.TAG_LINE_PATTERN.match(text):
            continue
        for box in (el, el.getparent()):
            if box is not None and box.find(".//a") is not None:
                box_text = text if box is el else _bounded_text(box, _SHORT_TEXT_CHARS)
                if box_text and chrome.TAG_LINE_PATTERN.fullmatch(box_text):
                    links += box.iter("a")
                    break
    return _unique([t for t in (clean(_text_of(a)) for a in links) if t])


def _language(tree: HtmlElement) -> str | None:
    values = tree.xpath("/html/@lang | //meta[@http-equiv='content-language']/@content") + _meta(tree, "og:locale")
    for value in values:
        primary = re.split(r"[-_]", value.strip())[0].lower()
        if re.fullmatch(r"[a-z]{2,3}", primary):
            return primary
    return None


def _canonical_url(tree: HtmlElement, url: str) -> str | None:
    href = _first(tree.xpath("//link[@rel='canonical']/@href")) or _first(_meta(tree, "og:url"))
    return urljoin(url, href.strip()) if href and href.strip() else None


def _header_zone(tree: HtmlElement, hints: ClassIndex) -> list[HtmlElement]:
    """Elements between the headline and the first long body paragraph.

    The date line and the sapo of an article live there; the same classes
    further down belong to related-article lists.
    """
    h1 = tree.find(".//h1")
    if h1 is None:
        return []
    sapo_ids = {id(el) for el in hints["sapo"]}
    zone: list[HtmlElement] = []
    for el in islice(_following(tree, h1), _HEADER_ZONE_MAX):
        in_sapo = bool(sapo_ids) and (id(el) in sapo_ids or any(id(a) in sapo_ids for a in el.iterancestors()))
        if el.tag == "p" and not in_sapo and _bounded_text(el, _BODY_PARAGRAPH_CHARS) is None:
            break
        zone.append(el)
    return zone


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


def _sapo(tree: HtmlElement, zone: list[HtmlElement], hints: ClassIndex) -> str | None:
    """The lead block under the headline: a sapo-class element, else an <h2>
    standing right after the <h1> (several CMSs print the lead as a subheading).
    A lead cut short ("…") is kept only if nothing longer says the same."""
    zone_ids = {id(el) for el in zone}
    candidates = [el for el in hints["sapo"] if id(el) in zone_ids]
    h1 = tree.find(".//h1")
    if h1 is not None:
        nxt = h1.getnext()
        # Vietnamese CMSs print the lead as a subheading; in English-language
        # pages an <h2> there is a dek, which is not article text.
        if nxt is not None and nxt.tag == "h2" and _VIETNAMESE.search(_text_of(nxt)):
            candidates.append(nxt)
    leads = []
    for el in candidates:
        text = _text_of(el)
        if len(text) >= 40 and len(text) < 1500 and el.find(".//p[2]") is None and el.find(".//h1") is None:
            leads.append(clean(text))
    if not leads:
        return None
    # A truncated sapo block before the real lead: the longest of leads that
    # begin alike wins; otherwise the first.
    first = leads[0]
    same = [lead for lead in leads if _same_lead(lead, first)]
    return max(same, key=len)


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


# --- Dates -----------------------------------------------------------------------


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
    return fallback if fallback and _year_ok(int(fallback[:4])) else None


def _year_ok(year: int) -> bool:
    return year_ok(year)


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
        parsed = _parse_iso(value)
        if parsed is not None:
            return parsed
    return None


def _parse_iso(value: str) -> date | datetime | None:
    value = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            parsed_day = date.fromisoformat(value)
            return parsed_day if _year_ok(parsed_day.year) else None
        parsed = datetime.fromisoformat(value)
        if not _year_ok(parsed.year):
            return None
        # 0001-01-01T00:00:00+08:00 would overflow here, hence the year check first.
        return _to_vn(parsed)
    except (ValueError, OverflowError):
        return None


def _to_vn(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=VN_TZ)
    return value.astimezone(VN_TZ)


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
        if len(text) <= _DATE_LINE_MAX_CHARS and _NUM_DATE.search(text):
            parsed = parse_visible_date(text)
            if parsed is not None:
                return parsed
            impossible = True
    for text in (marked_in_zone + marked)[:_DATEPARSER_TRIES] if words else []:
        if len(text) <= _DATE_LINE_MAX_CHARS:
            parsed = _dateparser_date(text)
            if parsed is not None:
                return parsed
    # A printed date that is no date (30/02/2025, year 0001): say nothing rather
    # than let a fallback guess.
    return _IMPOSSIBLE if impossible else None


_IMPOSSIBLE = date.min


def parse_visible_date(text: str) -> date | datetime | None:
    """Read a printed publication date such as ``23/07/2025 - 17:05`` or ``08:21 | 23/07/2025``.

    Day-month-year order, four-digit year (the render-time clock line has a
    two-digit one). A time anywhere in the same short string is taken as Vietnam
    time. Dates in words go to dateparser, absolute forms only.
    """
    match = _NUM_DATE.search(text)
    if match is None:
        return _dateparser_date(text)
    day, month, year = (int(g) for g in match.groups())
    if not _year_ok(year):
        return None
    try:
        found = date(year, month, day)
    except ValueError:  # 30/02/2025: an impossible date is no date, not a guess
        return None
    rest = text[: match.start()] + " " + text[match.end() :]
    clock = _NUM_TIME.search(rest)
    if clock is None:
        return found
    hour, minute, second = int(clock.group(1)), int(clock.group(2)), int(clock.group(3) or 0)
    if hour > 23 or minute > 59 or second > 59:
        return found
    return datetime(found.year, found.month, found.day, hour, minute, second, tzinfo=VN_TZ)


# Vietnamese dates in words ("11 tháng 7 năm 2024"); other languages are left to htmldate.
_MONTH_WORD = re.compile(r"tháng", re.I)


def _dateparser_date(text: str) -> date | None:
    # dateparser is slow: only strings with a year and a month in words reach it.
    if not re.search(r"\b(?:19|20)\d{2}\b", text) or not _MONTH_WORD.search(text):
        return None
    try:
        parsed = dateparser.parse(
            text,
            languages=["vi"],
            settings={"DATE_ORDER": "DMY", "PARSERS": ["absolute-time"], "REQUIRE_PARTS": ["day", "month", "year"]},
        )
    except (ValueError, OverflowError, TypeError):
        return None
    return parsed.date() if parsed and _year_ok(parsed.year) else None


# --- Text ----------------------------------------------------------------------


def _paragraphs(doc) -> list[str]:
    """Body paragraphs, list items as plain paragraphs, chrome lines dropped."""
    body = doc.body
    if body is None:
        return []
    for item in body.iter("item"):
        item.tag = "p"
    for lst in body.iter("list"):
        lst.tag = "div"
    text = trafilatura.xml.xmltotxt(body, include_formatting=False)
    lines = [line for line in (clean(line) for line in text.split("\n")) if line]
    out = []
    for i, line in enumerate(lines):
        if is_chrome_line(line):
            continue
        if i and chrome.TAG_LABEL_PATTERN.fullmatch(lines[i - 1]) and "," in line and not line.endswith("."):
            continue  # the list under a bare "Tags" label
        out.append(line)
    return out


def _title(page: _Page) -> str:
    if page.title:
        return clean(page.title)
    if not page.headings:
        return ""
    first = page.headings[0]
    # A <title> only: "Headline - Site name"; the headline is the longest part.
    if page.has_h1:
        return first
    parts = re.split(r"\s+[-|–]\s+", first)
    return clean(max(parts, key=len))


def _drop_title(paragraphs: list[str], title: str) -> list[str]:
    """The headline repeated at the top of the body, whole or split over two lines."""
    key = _key(title)
    if not key:
        return paragraphs
    head = paragraphs[:3]
    limit = 2 * len(title) + 20  # longer paragraphs cannot be the title
    for i in range(len(head)):
        if len(head[i]) > limit:
            continue
        if _key(head[i]) == key:
            return paragraphs[:i] + paragraphs[i + 1 :]
        if i + 1 < len(head) and len(head[i + 1]) <= limit and _key(head[i] + " " + head[i + 1]) == key:
            return paragraphs[:i] + paragraphs[i + 2 :]
    return paragraphs


def _drop_top_controls(paragraphs: list[str]) -> list[str]:
    """Page controls and the repeated date line opening the body."""
    i = 0
    while i < min(len(paragraphs), _LEAD_WINDOW) and any(
        p.fullmatch(paragraphs[i]) for p in chrome.TOP_LINE_PATTERNS
    ):
        i += 1
    return paragraphs[i:]


def _drop_closing_lines(paragraphs: list[str]) -> list[str]:
    """Source, credit and signature lines closing the text ("Theo TTXVN", "Nguồn: …")."""
    end = len(paragraphs)
    while end > 1 and end > len(paragraphs) - chrome.CLOSING_LINES_MAX and any(
        p.fullmatch(paragraphs[end - 1]) for p in chrome.CLOSING_LINE_PATTERNS
    ):
        end -= 1
    return paragraphs[:end]


def _mastheads(page: _Page) -> list[str]:
    """Names a lead may be prefixed with: the site name and a title's site suffix."""
    names = [page.sitename or ""]
    for heading in page.headings:
        parts = re.split(r"\s+[-|–]\s+", heading)
        if len(parts) > 1:
            names.append(parts[-1])
    return _unique([clean(n) for n in names if 0 < len(n.strip()) <= 40])


def _strip_masthead(text: str, mastheads: list[str]) -> str:
    for name in mastheads:
        if text.startswith(name + " ") and len(text) > len(name) + 20:
            return text[len(name) :].strip()
    return text


def _strip_lead_prefixes(text: str | None, mastheads: list[str]) -> str | None:
    """The lead's own words: no masthead ("Báo Cà Mau …"), no dateline tag ("(CMO) …")."""
    if not text:
        return text
    return _strip_masthead(_strip_dateline(_strip_masthead(text, mastheads)), mastheads)


def _strip_dateline(text: str) -> str:
    """Drop an opening agency tag; one inside the text ("Ủy ban (UBND)") stays."""
    match = chrome.DATELINE_PATTERN.match(text)
    return text[match.end() :] if match and len(text) > match.end() else text


@lru_cache(maxsize=4096)
def _key(s: str) -> str:
    """``canonical`` for comparisons that repeat over the same few paragraphs."""
    return canonical(s)


def _same_lead(a: str, b: str) -> bool:
    """One is the other, possibly cut short (sapo blocks are sometimes truncated).

    Cut short means visibly so: the shorter ends in an ellipsis or stops inside
    a word. A short paragraph that merely is the beginning of the next one (a
    sentence the next paragraph repeats and continues) is its own paragraph.
    """
    if min(len(a), len(b)) < 20:
        return False
    ka, kb = _key(a), _key(b)
    if ka == kb:
        return len(ka) >= 20
    shorter, longer = sorted((ka, kb), key=len)
    if len(shorter) < 40:
        return False
    bare = shorter.rstrip(".… ")
    if shorter != bare and longer.startswith(bare):
        return True
    return longer.startswith(shorter) and longer[len(shorter)].isalnum()


def _merge_twins(head: list[str], mastheads: list[str]) -> list[str]:
    """Keep one of two paragraphs saying the same lead (sapo block + first body paragraph)."""
    out: list[str] = []
    for para in head:
        bare = _strip_lead_prefixes(para, mastheads)
        twin = next((i for i, kept in enumerate(out) if _same_lead(_strip_lead_prefixes(kept, mastheads), bare)), None)
        if twin is None:
            out.append(para)
        else:
            out[twin] = max(bare, _strip_lead_prefixes(out[twin], mastheads), key=len)
    return out


def _place_lead(paragraphs: list[str], sapo: str | None, mastheads: list[str]) -> tuple[list[str], str | None]:
    """Put the lead first, once, without masthead or dateline tag. Returns (paragraphs, lead)."""
    head = _merge_twins(paragraphs[:_LEAD_WINDOW], mastheads)
    rest = paragraphs[_LEAD_WINDOW:]
    lead = _strip_lead_prefixes(sapo, mastheads)
    if not lead:
        return ([_strip_dateline(head[0])] + head[1:] if head else head) + rest, None
    found = next((i for i, p in enumerate(head) if _same_lead(_strip_lead_prefixes(p, mastheads), lead)), None)
    if found is None:
        return [lead] + head + rest, lead
    body_lead = _strip_lead_prefixes(head.pop(found), mastheads)
    return [body_lead] + head + rest, lead


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


# --- Rejections --------------------------------------------------------------------


def _is_error_title(page: _Page) -> bool:
    titles = [page.title or ""] + page.headings
    return any(chrome.ERROR_PAGE_PATTERN.search(t) for t in titles if t and len(t) <= 120)


def _why_no_text(tree: HtmlElement, page: _Page) -> str:
    if page.has_video:
        return "video-only"
    if chrome.ERROR_PAGE_PATTERN.search(_visible_text(tree)):
        return "error-page"
    return "no-main-text"


def _why_too_short(page: _Page, text: str) -> str:
    if page.has_video:
        return "video-only"
    if chrome.ERROR_PAGE_PATTERN.search(text):
        return "error-page"
    return "too-short"


# --- Small helpers -------------------------------------------------------------------


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
