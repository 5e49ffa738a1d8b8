"""Errors of the archive file itself, each with a one-line message a user can act on."""

from __future__ import annotations


class ArchiveError(Exception):
    """The archive cannot be used (not SQLite, fails its integrity check, unwritable).

    ``str(exc)`` is the one line a command prints before exiting with status 2.
    """


class ArchiveMissing(ArchiveError):
    """A read command was given a path where no archive exists (never created by reading)."""
