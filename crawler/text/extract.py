"""Article extraction from one HTML page, usable outside Scrapy.

``extract(html, url)`` returns ``(Article, None)`` or ``(None, reason)``; the
reason is a short stable slug (``REASONS``) that the pipeline counts in its
stats and stores in ``rejects``.

trafilatura finds the main text and most metadata; extruct reads JSON-LD;
htmldate and dateparser read dates. What is ours is the Vietnamese-specific
part, with the site chrome kept as data in ``crawler.text.chrome``:

- Chrome is removed twice: elements (by class hints, by text such as the clock
  line, by box headings such as "Tin liên quan") before trafilatura runs, and
  whole lines after, for sites whose class names we have never seen.
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
  right-aligned closing name, "Tin, ảnh: Hữu Nghĩa"), else trafilatura's. A
  byline paragraph closing the text is dropped together with whatever follows
  it (the related-article lists of the ``-a<id>.html`` CMS family).
- List items are paragraphs: several CMSs put body text in ``<li>``, so the
  text carries no bullet markers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from itertools import islice
from urllib.parse import urljoin

import dateparser
import htmldate
import trafilatura
from extruct.jsonld import JsonLdExtractor
from lxml import etree
from lxml.html import HtmlElement

from crawler.text import chrome
from crawler.text import canonical, clean

__all__ = ["Article", "extract", "MIN_TEXT_CHARS", "REASONS"]

# Shorter bodies are captions, teasers or stubs, not articles.
MIN_TEXT_CHARS = 200

REASONS = ("empty-page", "not-html", "error-page", "video-only", "no-main-text", "too-short")

VN_TZ = timezone(timedelta(hours=7))

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
_NUM_DATE = re.compile(r"(?<!\d)(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?!\d)")
_NUM_TIME = re.compile(r"(?<![\d/.-])(\d{1,2})\s*[:hg]\s*(\d{2})(?::(\d{2}))?(?![\d/])")
_TRAFILATURA_OPTIONS = dict(
    include_comments=False,
    include_tables=True,
    include_images=False,
    favor_precision=True,
    with_metadata=True,
    # Our own date logic decides; keep htmldate from scanning the whole page.
    date_extraction_params={"extensive_search": False, "original_date": True},
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


def extract(html: str, url: str) -> tuple[Article | None, str | None]:
    """Extract the article of one page: ``(article, None)`` or ``(None, reason)``."""
    if not html or not html.strip():
        return None, "empty-page"
    # One spelling for every pattern below: NFC, Đ for Latin Eth, plain spaces.
    html = clean(html)
    if not _HTML_START.search(html[:5000]):
        return None, "not-html"
    tree = _parse(html)
    if tree is None:
        return None, "not-html"
    if not _visible_text(tree):
        return None, "empty-page"

    page = _read_page(tree, url)
    _drop_chrome_text(tree)
    if _is_error_title(page):
        return None, "error-page"
    _drop_chrome_elements(tree)
    _unwrap_layout_tables(tree)
    _mark_body(tree)
    byline = _read_byline(tree)

    doc = trafilatura.bare_extraction(tree, url=url, **_TRAFILATURA_OPTIONS)
    paragraphs = _paragraphs(doc) if doc is not None else []
    if not paragraphs:
        return None, _why_no_text(tree, page)

    title = _title(page, doc)
    paragraphs = _drop_title(paragraphs, title)
    mastheads = _mastheads(page, doc)
    paragraphs, text_byline = _cut_at_byline(paragraphs, byline, page.jsonld_author)
    paragraphs, lead = _place_lead(paragraphs, page.sapo, mastheads)
    text = "\n\n".join(paragraphs)
    if len(text) < MIN_TEXT_CHARS:
        return None, _why_too_short(page, text)

    return Article(
        title=title,
        text=text,
        published=page.published,
        author=page.jsonld_author or _byline_name(byline) or text_byline or _clean_or_none(doc.author),
        description=lead or _strip_lead_prefixes(_clean_or_none(doc.description), mastheads),
        language=page.language,
        tags=_unique(page.tags + _meta_tags(doc)),
        canonical_url=page.canonical_url,
    ), None


# --- Parsing -----------------------------------------------------------------


def _parse(html: str) -> HtmlElement | None:
    try:
        tree = trafilatura.load_html(html)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None
    return tree if isinstance(tree, HtmlElement) else None


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


def is_chrome_line(line: str) -> bool:
    return any(p.fullmatch(line) for p in chrome.CHROME_LINE_PATTERNS)


def _drop_chrome_text(tree: HtmlElement) -> None:
    """Drop the outermost elements whose whole text is a chrome line (clock, weather, …)."""
    matched = [
        el
        # Only elements with text of their own: a chrome line is printed by
        # some element, and this keeps the scan linear on big pages.
        for el in tree.xpath("//body//*[text()[normalize-space()]][string-length(normalize-space()) < 400]")
        if is_chrome_line(_text_of(el))
    ]
    ids = {id(el) for el in matched}
    for el in matched:
        if not any(id(a) in ids for a in el.iterancestors()):
            _drop(el)


def _drop_chrome_elements(tree: HtmlElement) -> None:
    for xpath in chrome.CHROME_XPATHS:
        for el in tree.xpath(xpath):
            # A class hint on a wrapper must not take the article with it.
            if el.tag not in ("html", "body") and not el.xpath(".//h1"):
                _drop(el)
    for heading in tree.xpath(chrome.BOX_HEADING_XPATH):
        if chrome.BOX_HEADING_PATTERN.fullmatch(_text_of(heading)):
            _drop_box(heading)


def _drop_box(heading: HtmlElement) -> None:
    """Drop the box a heading opens, or the heading and what follows it."""
    parent = heading.getparent()
    if parent is None:
        return
    opens_box = heading.getprevious() is None and not (parent.text or "").strip()
    if opens_box and parent.tag not in ("body", "html", "article", "main") and not parent.xpath(".//h1"):
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
    for table in tree.xpath("//table"):
        cells = table.xpath("./tr/td | ./tbody/tr/td | ./thead/tr/td")
        if table.xpath(".//h1") or any(len(_text_of(td)) >= _LAYOUT_CELL_CHARS for td in cells):
            parts = [el for el in table.iter("tbody", "thead", "tfoot", "tr", "td", "th") if _owning_table(el) is table]
            for el in [table] + parts:
                el.tag = "div"


def _mark_body(tree: HtmlElement) -> None:
    """Point trafilatura at a known CMS body container unless the page already does."""
    if tree.xpath("//*[@itemprop='articleBody']"):
        return
    for el in _xpaths(tree, chrome.BODY_XPATHS):
        # Body paragraphs after the container mean broken markup closed it
        # early; trafilatura's own search then does better than the hint.
        cut_short = any(len(_text_of(p)) >= _BODY_PARAGRAPH_CHARS for p in el.xpath("following::p"))
        if len(_text_of(el)) >= MIN_TEXT_CHARS and not cut_short:
            el.set("itemprop", "articleBody")
            return


def _owning_table(el: HtmlElement) -> HtmlElement | None:
    return next(el.iterancestors("table"), None)


# --- Page metadata (read before pruning) -----------------------------------


def _read_page(tree: HtmlElement, url: str) -> _Page:
    jsonld = _jsonld_articles(tree, url)
    zone = _header_zone(tree)
    return _Page(
        title=_clean_or_none(_first(_meta(tree, "og:title")) or _first(_jsonld_values(jsonld, "headline"))),
        headings=[clean(_text_of(h)) for h in tree.xpath("//h1 | //title")],
        published=_published(tree, jsonld, zone),
        sapo=_sapo(tree, zone),
        tags=_visible_tags(tree),
        language=_language(tree),
        canonical_url=_canonical_url(tree, url),
        jsonld_author=_jsonld_author(jsonld),
        has_video=bool(_xpaths(tree, chrome.VIDEO_XPATHS)),
    )


def _xpaths(tree: HtmlElement, xpaths: list[str]) -> list[HtmlElement]:
    return [el for xp in xpaths for el in tree.xpath(xp)]


def _meta(tree: HtmlElement, *names: str) -> list[str]:
    values = []
    for name in names:
        values += tree.xpath(
            "//meta[@property=$n or @name=$n or @itemprop=$n]/@content", n=name
        )
    return [v.strip() for v in values if v.strip()]


def _first(values: list[str]) -> str | None:
    return values[0] if values else None


def _jsonld_articles(tree: HtmlElement, url: str) -> list[dict]:
    try:
        items = JsonLdExtractor().extract_items(tree, base_url=url)
    except (ValueError, TypeError):  # broken JSON in a script tag
        return []
    flat = []
    for item in items:
        flat += _flatten_jsonld(item)
    typed = [i for i in flat if _jsonld_types(i) & _ARTICLE_TYPES]
    return typed or [i for i in flat if "datePublished" in i]


def _flatten_jsonld(item) -> list[dict]:
    if isinstance(item, list):
        return [d for sub in item for d in _flatten_jsonld(sub)]
    if not isinstance(item, dict):
        return []
    return [item] + _flatten_jsonld(item.get("@graph", []))


def _jsonld_types(item: dict) -> set[str]:
    types = item.get("@type", [])
    return set(types) if isinstance(types, list) else {types}


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
                names.append(str(author.get("name") or ""))
    names = _unique([clean(n) for n in names if n and n.strip()])
    return ", ".join(names) or None


def _visible_tags(tree: HtmlElement) -> list[str]:
    links = _xpaths(tree, chrome.TAG_XPATHS)
    for el in tree.xpath("//body//*[a][string-length(normalize-space()) < 400]"):
        if chrome.TAG_LINE_PATTERN.fullmatch(_text_of(el)):
            links += el.xpath(".//a")
    return _unique([t for t in (clean(_text_of(a)) for a in links) if t])


def _meta_tags(doc) -> list[str]:
    """trafilatura's tags (keywords meta, article:tag) split on separators."""
    return [t for tag in doc.tags or [] for t in (clean(p) for p in re.split(r"[,;]", tag)) if t]


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


def _header_zone(tree: HtmlElement) -> list[HtmlElement]:
    """Elements between the headline and the first long body paragraph.

    The date line and the sapo of an article live there; the same classes
    further down belong to related-article lists.
    """
    h1 = _first(tree.xpath("//h1"))
    if h1 is None:
        return []
    sapo_ids = {id(el) for el in _xpaths(tree, chrome.SAPO_XPATHS)}
    zone: list[HtmlElement] = []
    for el in islice(_following(tree, h1), _HEADER_ZONE_MAX):
        in_sapo = id(el) in sapo_ids or any(id(a) in sapo_ids for a in el.iterancestors())
        if el.tag == "p" and not in_sapo and len(_text_of(el)) >= _BODY_PARAGRAPH_CHARS:
            break
        zone.append(el)
    return zone


def _following(tree: HtmlElement, start: HtmlElement) -> Iterator[HtmlElement]:
    """Elements after ``start`` in document order, its own descendants included."""
    seen = False
    for el in tree.iter(tag=etree.Element):
        if seen:
            yield el
        seen = seen or el is start


def _sapo(tree: HtmlElement, zone: list[HtmlElement]) -> str | None:
    zone_ids = {id(el) for el in zone}
    for el in _xpaths(tree, chrome.SAPO_XPATHS):
        text = _text_of(el)
        if id(el) in zone_ids and len(text) >= 40 and not el.xpath(".//p[2]"):
            return clean(text)
    return None


def _read_byline(tree: HtmlElement) -> str | None:
    """The last short, name-like byline element left after pruning."""
    names = [t for t in (clean(_text_of(el)) for el in _xpaths(tree, chrome.BYLINE_XPATHS)) if _byline_name(t)]
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


def _published(tree: HtmlElement, jsonld: list[dict], zone: list[HtmlElement]) -> str | None:
    structured = _structured_date(tree, jsonld)
    visible = _visible_date(tree, zone)
    if isinstance(structured, datetime) and not _is_midnight(structured):
        return structured.isoformat()
    if visible and (structured is None or _day(visible) == _day(structured)):
        return visible.isoformat()
    if structured is not None:
        return _day(structured).isoformat()
    fallback = htmldate.find_date(tree, extensive_search=False, original_date=True)
    return fallback


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
            return date.fromisoformat(value)
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return _to_vn(parsed)


def _to_vn(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=VN_TZ)
    return value.astimezone(VN_TZ)


def _visible_date(tree: HtmlElement, zone: list[HtmlElement]) -> date | datetime | None:
    """The printed date: a date-like element under the headline, any short line
    there, then a date-like element anywhere; numeric forms first, then dates in
    words from date-like elements only (dateparser is slow and eager)."""
    zone_ids = {id(el) for el in zone}
    elements = _xpaths(tree, chrome.DATE_XPATHS)
    marked = [_text_of(el) for el in elements]
    marked_in_zone = [_text_of(el) for el in elements if id(el) in zone_ids]
    loose = [t.strip() for el in zone for t in (el.text, el.tail) if t and t.strip()]
    for text in marked_in_zone + loose + marked:
        if len(text) <= _DATE_LINE_MAX_CHARS and _NUM_DATE.search(text):
            parsed = parse_visible_date(text)
            if parsed is not None:
                return parsed
    for text in (marked_in_zone + marked)[:_DATEPARSER_TRIES]:
        if len(text) <= _DATE_LINE_MAX_CHARS:
            parsed = _dateparser_date(text)
            if parsed is not None:
                return parsed
    return None


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
    try:
        found = date(year, month, day)
    except ValueError:
        return None
    rest = text[: match.start()] + " " + text[match.end() :]
    clock = _NUM_TIME.search(rest)
    if clock is None:
        return found
    hour, minute, second = int(clock.group(1)), int(clock.group(2)), int(clock.group(3) or 0)
    if hour > 23 or minute > 59 or second > 59:
        return found
    return datetime(found.year, found.month, found.day, hour, minute, second, tzinfo=VN_TZ)


def _dateparser_date(text: str) -> date | None:
    if not re.search(r"\b(?:19|20)\d{2}\b", text):
        return None
    parsed = dateparser.parse(
        text,
        languages=["vi", "en"],
        settings={"DATE_ORDER": "DMY", "PARSERS": ["absolute-time"], "REQUIRE_PARTS": ["day", "month", "year"]},
    )
    return parsed.date() if parsed else None


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
    lines = (clean(line) for line in text.split("\n"))
    return [line for line in lines if line and not is_chrome_line(line)]


def _title(page: _Page, doc) -> str:
    return clean(page.title or doc.title or _first(page.headings) or "")


def _drop_title(paragraphs: list[str], title: str) -> list[str]:
    key = canonical(title)
    return [p for i, p in enumerate(paragraphs) if not (i < 2 and canonical(p) == key)]


def _mastheads(page: _Page, doc) -> list[str]:
    """Names a lead may be prefixed with: the site name and a title's site suffix."""
    names = [doc.sitename or ""]
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


def _same_lead(a: str, b: str) -> bool:
    """One is the other, possibly cut short (sapo blocks are sometimes truncated)."""
    ka, kb = canonical(a), canonical(b)
    shorter, longer = sorted((ka, kb), key=len)
    return len(shorter) >= 40 and longer.startswith(shorter)


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
    for i in range(len(paragraphs) - 1, 0, -1):
        para = paragraphs[i]
        if names and (canonical(para) in names or canonical(_byline_name(para) or "") in names):
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
