"""Archive paths are checked, never invented.

Every command resolves its ``--db`` (or ``ARCHIVE_DB``) through one of two functions:

- ``existing_archive(path)`` for commands that read (``health``, ``export``, ``reextract``,
  ``sites``, ``stories``): the file must exist and hold an archive (not be empty, not be some
  other SQLite database: ``crawler.store.archive.check_archive``). Nothing is created or changed.
- ``archive_for_writing(path)`` for the two commands that may start an archive (a crawl and
  ``import``): an existing file must be a SQLite database; a missing one is created, and the
  command says so (``creating new archive at … (and its folder …)``). A crawl goes through
  ``archive_for_crawling``, which also opens it once through the store before anything starts.

They raise ``ArchiveError``/``ArchiveMissing`` (``crawler.store.errors``) whose text is the one
line the command prints before exiting with status 2, or ``StoreFailed`` (status 5) when the
disk has no room for a new archive. The store (``crawler.store.archive``)
checks more (``PRAGMA integrity_check``) when it opens the file; this module is the cheap check
that runs before anything is started or written.
"""

from __future__ import annotations

import errno
import sqlite3
import sys
from pathlib import Path

from crawler.store.archive import check_archive, check_file
from crawler.store.errors import ArchiveError, ArchiveMissing, StoreFailed


def existing_archive(path: str | Path | None) -> Path:
    """The archive a read command may open: it exists and holds an archive."""
    if not path:
        raise ArchiveMissing("no archive given: pass --db PATH (ARCHIVE_DB is empty)")
    p = Path(path)
    if not p.exists():
        raise ArchiveMissing(f"{p} does not exist (check --db / DB=, or crawl first: make crawl SITE=…)")
    check_archive(p)
    return p


def archive_for_writing(path: str | Path, *, quiet: bool = False) -> Path:
    """The archive a crawl or an import may write: an existing SQLite file, or a new one, which is
    announced on stderr (unless ``quiet``) with the folders made for it, so a mistyped path is
    seen at once rather than discovered later as an empty archive."""
    p = Path(path)
    if p.exists():
        check_file(p, readonly=False)
        return p
    missing = [d for d in (p.parent, *p.parent.parents) if not d.exists()]
    if missing:
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ArchiveError(f"cannot create {p}: {exc.strerror or exc}") from exc
    if not p.parent.is_dir():
        raise ArchiveError(f"cannot create {p}: {p.parent} is not a folder")
    if not quiet:
        made = f" (and its folder {missing[-1]})" if missing else ""
        print(f"creating new archive at {p}{made}", file=sys.stderr, flush=True)
    return p


def archive_for_crawling(path: str | Path) -> Path:
    """``archive_for_writing``, then the archive opened through the store once, before a crawl
    starts (a new one is created and migrated here), so that what the header check cannot see
    is one line now rather than a traceback from inside the crawl: a damaged file or a failed
    integrity check (``ArchiveError``, status 2), or a disk with no room for it (``StoreFailed``,
    status 5). A new archive that could not be made whole is removed again, with the folders
    made for it."""
    from crawler.store.archive import Archive

    p = Path(path)
    made = [q for q in (p, *p.parents) if not q.exists()]
    archive_for_writing(p)
    try:
        with Archive(p):
            pass
    except ArchiveError:
        _remove(made, p)
        raise
    except (sqlite3.DatabaseError, OSError) as exc:
        _remove(made, p)
        if _no_room(exc):
            raise StoreFailed(f"cannot write the archive {p}: {_why(exc)}; nothing was crawled (free some space, "
                              "or give an archive on another disk)", stored=None, pending=[]) from exc
        raise ArchiveError(f"{p}: {_why(exc)}") from exc


def _why(exc: BaseException) -> str:
    return (exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)) or type(exc).__name__


def _no_room(exc: BaseException) -> bool:
    """Disk full, over quota, or an I/O error: the archive's place cannot take it, whatever
    the command line says (a damaged or foreign file is a usage error instead)."""
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EIO)
    name = getattr(exc, "sqlite_errorname", "") or ""
    return name == "SQLITE_FULL" or name.startswith("SQLITE_IOERR") or "disk is full" in str(exc)


def _remove(made: list[Path], path: Path) -> None:
    """Undo the creation of a new archive: its file (and SQLite's files beside it), then the
    folders made for it, innermost first, each only if empty."""
    if path not in made:
        return
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    for folder in made[1:]:
        try:
            folder.rmdir()
        except OSError:
            break
