"""Why a page gave no article: the reject reason, from :mod:`crawler.reasons`."""

from __future__ import annotations

from crawler import reasons
from lxml.html import HtmlElement
from crawler.text import chrome
from crawler.text.page import _Page
from crawler.text.tree import _visible_text


def _is_error_title(page: _Page) -> bool:
    titles = [page.title or ""] + page.headings
    return any(chrome.ERROR_PAGE_PATTERN.search(t) for t in titles if t and len(t) <= 120)


def _why_no_text(tree: HtmlElement, page: _Page) -> str:
    if page.has_video:
        return reasons.VIDEO_ONLY
    if chrome.ERROR_PAGE_PATTERN.search(_visible_text(tree)):
        return reasons.ERROR_PAGE
    return reasons.NO_MAIN_TEXT


def _why_too_short(page: _Page, text: str) -> str:
    if page.has_video:
        return reasons.VIDEO_ONLY
    if chrome.ERROR_PAGE_PATTERN.search(text):
        return reasons.ERROR_PAGE
    return reasons.TOO_SHORT
