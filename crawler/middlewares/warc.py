"""Raw captures: hand every downloaded response to the WARC writer (``crawler.store.warc``).

A downloader middleware at ``DOWNLOADER_MIDDLEWARES`` priority 880: closer to the downloader
than ``HttpCompressionMiddleware`` (590) and ``RedirectMiddleware`` (600), so it sees each
response as the download handler produced it (body still content-encoded, redirects and
server errors included). The capture's location goes into ``request.meta["warc"]``
(``{"file", "offset", "length"}``), from where ``crawler.middlewares.warcmeta`` copies it onto
the page item. See ``crawler/store/warc.py`` for the file layout and what is byte-exact.

Capture is a record of the crawl, never a condition of it: when a write fails (disk full,
folder removed, any error) the file is cut back to its last complete record and closed, the
error is logged once, ``warc/errors`` counted, and the rest of the crawl runs uncaptured
(``warc/skipped/failed``): the response goes on to the spider as if nothing happened, so a
full disk never turns pages into download errors. The next crawl tries again.
"""

from __future__ import annotations

import importlib.metadata
import logging
from pathlib import Path
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from crawler import PROJECT_URL, __version__
from crawler.store.warc import DEFAULT_MAX_BYTES, META_KEY, SiteWriter, settings_warc_dir

logger = logging.getLogger(__name__)


class WarcMiddleware:
    """Write every downloaded response (with its request) to the spider's WARC folder.

    Settings: ``ARCHIVE_WARC_DIR`` (empty: off, ``NotConfigured``), ``ARCHIVE_WARC_MAX_BYTES``.
    Stats: ``warc/records``, ``warc/bytes``, ``warc/files``, ``warc/skipped/cached``,
    ``warc/errors``, ``warc/skipped/failed``.
    """

    def __init__(self, crawler: Crawler, root: Path, max_bytes: int):
        self.crawler = crawler
        self.stats = crawler.stats
        self.root = root
        self.max_bytes = max_bytes
        self.writers: dict[str, SiteWriter] = {}
        self.failure: str | None = None  # set by the first failed write: capture is off from then on

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcMiddleware:
        root = settings_warc_dir(crawler.settings)
        if root is None:
            raise NotConfigured("ARCHIVE_WARC_DIR is empty")
        max_bytes = crawler.settings.getint("ARCHIVE_WARC_MAX_BYTES", DEFAULT_MAX_BYTES)
        mw = cls(crawler, root, max_bytes if max_bytes > 0 else DEFAULT_MAX_BYTES)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def _info(self, spider: Spider | None) -> dict[str, str]:
        from scrapy import __version__ as scrapy_version

        s = self.crawler.settings
        try:
            warcio_version = importlib.metadata.version("warcio")
        except importlib.metadata.PackageNotFoundError:  # pragma: no cover
            warcio_version = "?"
        return {
            "software": f"vn-provincial-archive/{__version__} (Scrapy {scrapy_version}, warcio {warcio_version})",
            "format": "WARC File Format 1.0",
            "isPartOf": getattr(spider, "site", None) or getattr(spider, "name", "") or "",
            "description": getattr(spider, "paper", "") or "",
            "http-header-user-agent": s.get("USER_AGENT") or "",
            "robots": "obey" if s.getbool("ROBOTSTXT_OBEY") else "ignore",
            "operator": PROJECT_URL,
        }

    def writer_for(self, site: str) -> SiteWriter:
        writer = self.writers.get(site)
        if writer is None:
            writer = self.writers[site] = SiteWriter(self.root, site, self.max_bytes, self._info(self.crawler.spider))
        return writer

    def process_response(self, request: Request, response: Response) -> Response:
        if request.meta.get("dont_archive"):
            return response
        if "cached" in response.flags:
            self.stats.inc_value("warc/skipped/cached")
            return response
        if self.failure is not None:
            self.stats.inc_value("warc/skipped/failed")
            return response
        spider = self.crawler.spider
        site = getattr(spider, "site", None) or getattr(spider, "name", None) or \
            (urlsplit(response.url).hostname or "unknown")
        writer = self.writer_for(site)
        name_before = writer.name if writer.fh is not None else None
        try:
            capture, records, size = writer.write(request, response)
        except Exception as exc:  # noqa: BLE001 — any capture failure: the crawl goes on, uncaptured
            self._failed(exc)
            return response
        if capture.file != name_before:
            self.stats.inc_value("warc/files")
        request.meta[META_KEY] = capture.as_meta()
        self.stats.inc_value("warc/records", records)
        self.stats.inc_value("warc/bytes", size)
        return response

    def _failed(self, exc: BaseException) -> None:
        self.stats.inc_value("warc/errors")
        if self.failure is None:
            self.failure = f"{type(exc).__name__}: {exc}"
            logger.error("WARC capture failed (%s); the crawl goes on without captures", self.failure)
        for writer in self.writers.values():  # close every file cleanly: the disk is shared
            try:
                writer.close()
            except Exception:  # noqa: BLE001 — the writer has cut its file back already
                pass

    def spider_closed(self, spider: Spider) -> None:
        for writer in self.writers.values():
            try:
                writer.close()
            except Exception as exc:  # noqa: BLE001 — the last flush: cut back, counted, logged once
                self._failed(exc)
