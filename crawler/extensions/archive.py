"""The one archive connection of a crawl, and the store's account of the crawl's records.

Every component of a crawl that touches ``archive.db`` gets the same ``Archive`` from here
(``crawl_archive(crawler)``): the spider reading the URLs it already has, the crawl log, the
store pipeline. So one crawl is one connection, the file is checked and migrated once, and a
write failure seen by the store is known to the crawl log when it writes the run's row.

The connection is opened by the first component that asks (a spider's ``from_crawler`` runs
before the pipelines exist) and closed when the engine stops, after every ``spider_closed``
handler has written what it had to write.
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import BaseSettings

from crawler import reasons
from crawler.store.archive import DEFAULT_LOCK_ATTEMPTS, Archive

logger = logging.getLogger(__name__)

_ATTR = "_archive_connection"


def archive_db(settings: BaseSettings) -> str:
    """``ARCHIVE_DB``, or ``NotConfigured`` when it is empty (a canary, a dry run: nothing is
    stored, and every archive component switches itself off)."""
    path = settings.get("ARCHIVE_DB")
    if not path:
        raise NotConfigured("ARCHIVE_DB is empty")
    return str(path)


class ArchiveConnection:
    """Owner of a crawl's ``Archive``; also holds the store's outcome for the crawl log.

    Settings: ``ARCHIVE_DB``, ``ARCHIVE_DB_TIMEOUT`` (busy timeout of a write, seconds),
    ``ARCHIVE_DB_LOCK_ATTEMPTS`` (tries of a write that finds the database locked).
    """

    def __init__(self, crawler: Crawler, path: str):
        self.crawler = crawler
        self.path = path
        self.timeout = crawler.settings.getfloat("ARCHIVE_DB_TIMEOUT", 30.0)
        self.lock_attempts = crawler.settings.getint("ARCHIVE_DB_LOCK_ATTEMPTS", DEFAULT_LOCK_ATTEMPTS)
        self._archive: Archive | None = None
        # Set by the store pipeline: the error that made the store give up, and how many
        # records it could not write at all.
        self.failure: str | None = None
        self.lost_records = 0
        # Set by the crawl log: another crawl of the paper holds this archive (``Held``); the
        # crawl closes at once, and no component does its closing work.
        self.held: Exception | None = None
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveConnection:
        """The crawler's one instance (made on first call); ``NotConfigured`` without ARCHIVE_DB."""
        conn = getattr(crawler, _ATTR, None)
        if conn is None:
            conn = cls(crawler, archive_db(crawler.settings))
            setattr(crawler, _ATTR, conn)
        return conn

    @property
    def archive(self) -> Archive:
        if self._archive is None:
            self._archive = Archive(self.path, timeout=self.timeout, lock_attempts=self.lock_attempts)
        return self._archive

    def finish_reason(self, reason: str) -> str:
        """The crawl's true finish reason: ``store-failed`` once the store gave up, whatever
        closed the spider (the store fails at its last flush after a ``finished``, too)."""
        return reasons.STORE_FAILED if self.failure is not None else reason

    def close(self) -> None:
        if self._archive is not None:
            self._archive.close()
            self._archive = None

    def engine_stopped(self) -> None:
        self.close()


def crawl_archive(crawler: Crawler) -> Archive | None:
    """The crawl's shared ``Archive``, or None when ``ARCHIVE_DB`` is empty. For components
    that read or write the archive during a crawl (e.g. ``NewsSpider.from_crawler``); do not
    close it, the connection's owner does."""
    try:
        return ArchiveConnection.from_crawler(crawler).archive
    except NotConfigured:
        return None
