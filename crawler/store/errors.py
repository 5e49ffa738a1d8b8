"""Errors of the archive file itself, each with a one-line message a user can act on."""

from __future__ import annotations

from typing import Any


class ArchiveError(Exception):
    """The archive cannot be used (not SQLite, fails its integrity check, unwritable).

    ``str(exc)`` is the one line a command prints before exiting with status 2.
    """


class ArchiveMissing(ArchiveError):
    """A read command was given a path where no archive exists (never created by reading)."""


class StoreFailed(ArchiveError):
    """Writing to the archive failed for good (disk full, locked beyond every retry, I/O error).

    ``stored`` is what the failing ``Archive.store`` call did write (a ``StoreResult``) and
    ``pending`` the records it could not write, in order; a caller may try them again later
    (the store pipeline does, once, when the crawl closes) or count them as lost.
    """

    def __init__(self, message: str, *, stored: Any, pending: list[Any]):
        super().__init__(message)
        self.stored = stored
        self.pending = pending
