"""Article extraction from one HTML page, usable outside Scrapy.

The stages live in modules of one concern each, in the order they run:
``budget`` (time budget), ``tree`` (readers), ``metadata`` with ``structured`` and
``pagedates`` (read before pruning), ``pruning`` (chrome out of the tree), trafilatura,
then ``paragraphs``, ``byline`` and ``lead`` (edits of its text) and ``rejects``.

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
from dataclasses import dataclass, field

import trafilatura

from crawler import reasons
from crawler.text.markup import ClassIndex, parse
from crawler.text.normalize import drop_surrogates, drop_xml_incompatible
from crawler.text.budget import _OverBudget, _budget, _check
from crawler.text.byline import _byline_name, _cut_at_byline, _read_byline
from crawler.text.lead import _mastheads, _place_lead, _strip_lead_prefixes
from crawler.text.metadata import _read_page
from crawler.text.paragraphs import _drop_closing_lines, _drop_title, _drop_top_controls, _paragraphs, _title
from crawler.text.pruning import _drop_captions, _drop_chrome_elements, _drop_chrome_text, _keep_comma_lists, _mark_body, _unwrap_layout_tables
from crawler.text.dates import parse_visible_date
from crawler.text.pruning import is_chrome_line
from crawler.text.rejects import _is_error_title, _why_no_text, _why_too_short
from crawler.text.thresholds import MIN_TEXT_CHARS
from crawler.text.tree import _clean_or_none, _has_visible_text, _short_text_elements, _unique


__all__ = ["Article", "extract", "is_chrome_line", "MIN_TEXT_CHARS", "parse_visible_date", "REASONS"]


REASONS = reasons.EXTRACTION_REASONS


_HTML_START = re.compile(r"<\s*(?:!doctype|html|head|body|meta|title|div|p|article)\b", re.I)


# Source indentation: trafilatura's length heuristics count it as text, so it goes
# (one C-level pass; whitespace inside elements is collapsed later anyway).
_INDENT = re.compile(r"[ \t]*\n\s*")


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


def _extract(html: str, url: str) -> tuple[Article | None, str | None]:
    if not html or not html.strip():
        return None, reasons.EMPTY_PAGE
    # One spelling for every pattern below: NFC, Đ for Latin Eth, plain spaces,
    # no lone surrogates. Character-level only, and only where needed.
    # Only what the parser needs: no lone surrogates (lexbor reads UTF-8), no
    # source indentation. Every text kept or matched is clean()ed on its own,
    # which costs far less than cleaning the whole raw page.
    html = _INDENT.sub("\n", drop_xml_incompatible(drop_surrogates(html)))
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
