"""Structured metadata of a page: <meta> tags (one walk per page) and JSON-LD articles."""

from __future__ import annotations

from extruct.jsonld import JsonLdExtractor
from lxml.html import HtmlElement
from crawler.text import clean
from crawler.text.tree import _unique


_ARTICLE_TYPES = {"NewsArticle", "Article", "BlogPosting", "ReportageNewsArticle", "AnalysisNewsArticle"}


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
