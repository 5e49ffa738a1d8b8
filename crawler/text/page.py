"""What is read from a page before chrome is pruned from it."""

from __future__ import annotations

from dataclasses import dataclass, field


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
