"""Paragraph edits on trafilatura's output: list items as paragraphs, chrome lines, the
repeated title, top controls and closing source lines."""

from __future__ import annotations

import re
import trafilatura
from crawler.text import chrome, clean
from crawler.text.lead import _LEAD_WINDOW, _key
from crawler.text.page import _Page
from crawler.text.pruning import is_chrome_line


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
