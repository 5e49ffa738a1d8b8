"""Page metadata read from the tree before pruning: title, meta tags, JSON-LD, tags,
language, canonical URL, the header zone under the headline and the lead (sapo) block."""

from __future__ import annotations

import re
from itertools import islice
from urllib.parse import urljoin
from lxml.html import HtmlElement
from crawler.text import chrome, clean
from crawler.text.markup import ClassIndex
from crawler.text.lead import _same_lead
from crawler.text.page import _Page
from crawler.text.pagedates import _published
from crawler.text.structured import _first, _jsonld_articles, _jsonld_author, _jsonld_values, _meta
from crawler.text.thresholds import _BODY_PARAGRAPH_CHARS
from crawler.text.tree import _SHORT_TEXT_CHARS, _bounded_text, _clean_or_none, _following, _text_of, _unique


_HEADER_ZONE_MAX = 200


# Letters only Vietnamese uses among Latin-script languages read here.
_VIETNAMESE = re.compile("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)


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
