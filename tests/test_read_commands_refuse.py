"""Read commands refuse what is not an archive: a 0-byte file, another SQLite database.

Each is one line naming what was wrong and what is accepted, exit status 2, and nothing is
created or changed: not the file (no schema written into it, no -wal or -shm beside it), not
an export's output. ``make serve`` runs ``sites --sync`` first, so it refuses them too.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from crawler.store.archive import Archive

VERBS = [("health",), ("sites",), ("sites", "--sync"), ("export", "OUT"), ("export", "--jsonl", "OUT.jsonl"),
         ("reextract",), ("stories",)]
ACCEPTED = "give an archive a crawl or `python -m crawler import` wrote"


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def run(invoke, verb: tuple[str, ...], db: Path, folder: Path):
    args = [str(folder / a) if a.startswith("OUT") else a for a in verb]
    return invoke(*args, "--db", db)


@pytest.mark.parametrize("verb", VERBS, ids=" ".join)
def test_a_zero_byte_file_is_refused_in_one_line_and_left_alone(tmp_path, invoke, verb):
    db = tmp_path / "archive.db"
    db.touch()
    done = run(invoke, verb, db, tmp_path)
    assert done.exit_code == 2, done.output
    assert done.stderr.strip() == f"{db} is an empty file (0 bytes), not an archive; {ACCEPTED}"
    assert files(tmp_path) == {"archive.db": b""}  # no schema, no -wal/-shm, no export output


@pytest.mark.parametrize("verb", VERBS, ids=" ".join)
def test_another_sqlite_database_is_refused_in_one_line_and_left_alone(tmp_path, invoke, verb):
    db = tmp_path / "notes.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE notes (text TEXT)")
    con.execute("INSERT INTO notes VALUES ('ghi chú')")
    con.commit()
    con.close()
    before = files(tmp_path)
    done = run(invoke, verb, db, tmp_path)
    assert done.exit_code == 2, done.output
    assert done.stderr.strip() == f"{db} is a SQLite database but not an archive; {ACCEPTED}"
    assert files(tmp_path) == before


def test_an_archive_of_an_older_schema_is_still_read(tmp_path, invoke):
    """The check asks for an archive, not for the newest schema (a writing open upgrades it)."""
    db = tmp_path / "archive.db"
    Archive(db).close()
    con = sqlite3.connect(db)
    con.execute("DROP TABLE crawl_locks")
    con.execute("DELETE FROM _sqlite_migrations WHERE name = 'm011_crawl_locks'")
    con.commit()
    con.close()
    done = invoke("sites", "--db", db)
    assert done.exit_code == 0, done.output
    assert "baocamau" in done.stdout
