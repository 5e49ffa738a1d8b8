"""What flows from spiders through the pipelines into the archive."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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
    hash: str | None = None
    duplicate: bool = False
    reject_reason: str | None = None
    reject_detail: str | None = None

    @property
    def seen_urls(self) -> list[str]:
        """Every URL this content was reached at (request URL, then redirect target)."""
        urls = [self.url]
        if self.final_url and self.final_url not in urls:
            urls.append(self.final_url)
        return urls
