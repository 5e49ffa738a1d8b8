"""The lead (sapo): one copy, first, without masthead or dateline tag."""

from __future__ import annotations

import re
from functools import lru_cache
from crawler.text import canonical, chrome, clean
from crawler.text.page import _Page
from crawler.text.tree import _unique


# Only the first few paragraphs can hold the lead and its duplicate.
_LEAD_WINDOW = 4


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
