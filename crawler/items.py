"""What flows from spiders through the pipelines into the archive.

``PageItem`` is what a spider yields and the pipelines fill in. ``ArticleRecord`` and
``RejectRecord`` are what the store (``crawler.store.archive.Archive.store``) writes: typed,
so a misspelt key is an error where it is made, not a lost row in a batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crawler import reasons


@dataclass
class PageItem:
    """One fetched (or failed) article page.

    The spider fills the first block; pipelines fill the second. A page that failed to
    download carries ``html=None`` and a ``reject_reason`` from the start, so it is
    recorded in ``rejects`` rather than lost.
    """

    url: str
    site: str
    fetched_at: str
    final_url: str | None = None
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    html: str | None = None
    # Where the raw response is in the WARC files (crawler/store/warc.py): file relative to
    # ARCHIVE_WARC_DIR and byte offset of its response record; None when not captured.
    warc_file: str | None = None
    warc_offset: int | None = None

    article: dict[str, Any] | None = None
    # The content hash of ``article["text"]``, set by the store pipeline (informational: the
    # store hashes the text itself and never trusts a hash it is handed with a text).
    hash: str | None = None
    reject_reason: str | None = None
    reject_detail: str | None = None

    @property
    def seen_urls(self) -> list[str]:
        """Every URL this content was reached at (request URL, then redirect target)."""
        urls = [self.url]
        if self.final_url and self.final_url not in urls:
            urls.append(self.final_url)
        return urls


@dataclass
class ArticleRecord:
    """An extracted article to store, seen at ``urls`` (request URL first).

    ``article`` holds the extracted fields (``text`` required; ``title``, ``published``,
    ``author``, ``description``, ``language``, ``tags``, ``canonical_url``). The store hashes
    ``article["text"]`` itself. ``article=None`` with a ``hash`` records more URLs of a text the
    archive already holds (the text import does this for repeated files). ``warc_file`` and
    ``warc_offset`` locate the page's raw capture; both None when the page was not captured.
    """

    urls: list[str]
    site: str
    fetched_at: str
    article: dict[str, Any] | None = None
    hash: str | None = None
    warc_file: str | None = None
    warc_offset: int | None = None

    @property
    def url(self) -> str:
        return self.urls[0]


@dataclass
class RejectRecord:
    """A page that produced no article, and why (a reason of ``crawler.reasons``)."""

    url: str
    site: str
    reason: str
    fetched_at: str
    detail: str | None = None
    status: int | None = None


Record = ArticleRecord | RejectRecord


def record_from_item(item: PageItem) -> Record:
    """The record the store writes for a page item: an article if extraction found one."""
    if item.article is not None and not item.reject_reason:
        return ArticleRecord(urls=item.seen_urls, site=item.site, fetched_at=item.fetched_at, article=item.article,
                             warc_file=item.warc_file, warc_offset=item.warc_offset)
    return RejectRecord(url=item.url, site=item.site, reason=item.reject_reason or reasons.UNKNOWN,
                        fetched_at=item.fetched_at, detail=item.reject_detail, status=item.status)
