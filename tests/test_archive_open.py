"""Opening the archive: a wrong or damaged file gives one clear line and is never written to;
reading never creates an archive; the checks and migrations run once per process and file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from crawler.items import ArticleRecord
from crawler.store import archive as archive_module
from crawler.store.archive import Archive
from crawler.store.errors import ArchiveError, ArchiveMissing
from crawler.text import content_hash

TEXT = "Chiều 23/7, Thường trực Tỉnh ủy Cà Mau tổ chức Hội nghị.\n\n" + "Nội dung. " * 400


def record(n: int) -> dict:
    text = f"Bài {n}. {TEXT}"
    return ArticleRecord(hash=content_hash(text), urls=[f"https://baocamau.vn/a-a{n}.html"], site="baocamau", fetched_at="2025-07-24T00:00:00+00:00", article={"title": f"Bài {n}",
                                                                                       "text": text})


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


@pytest.mark.parametrize("content", [b"<html>not a database</html>\n", b"\x1f\x8b\x08\x00" + b"\0" * 5000,
                                     b"SQLite format 2\x00" + b"\0" * 100])
@pytest.mark.parametrize("readonly", [False, True])
def test_a_file_that_is_not_sqlite_is_named_in_one_line_and_left_alone(tmp_path, content, readonly):
    path = tmp_path / "archive.db"
    path.write_bytes(content)
    before = files(tmp_path)
    with pytest.raises(ArchiveError) as raised:
        Archive(path, readonly=readonly)
    assert str(raised.value) == f"{path} is not a SQLite database"
    assert files(tmp_path) == before  # not written, no -wal or -shm beside it


def damaged_archive(tmp_path: Path) -> Path:
    path = tmp_path / "archive.db"
    with Archive(path) as archive:
        archive.store([record(n) for n in range(40)])
    con = sqlite3.connect(path)
    page_size = con.execute("PRAGMA page_size").fetchone()[0]
    pages = con.execute("PRAGMA page_count").fetchone()[0]
    con.close()
    assert not Path(f"{path}-wal").exists()  # all in the main file
    with open(path, "r+b") as fh:  # scribble over a page in the middle (a bad sector, a bad copy)
        for page in range(pages // 3, pages // 3 + 3):
            fh.seek(page_size * page)
            fh.write(b"\xff" * 64)
    return path


@pytest.mark.parametrize("readonly", [False, True])
def test_a_damaged_archive_fails_its_check_in_one_line_and_is_not_written(tmp_path, readonly):
    path = damaged_archive(tmp_path)
    archive_module._ready.clear()  # a fresh process
    before = path.read_bytes()
    with pytest.raises(ArchiveError) as raised:
        archive = Archive(path, readonly=readonly)
        archive.quick_check()  # (not reached: the open checks)
    message = str(raised.value)
    assert message.startswith("integrity_check failed: ") and "\n" not in message
    assert path.read_bytes() == before


def test_reading_never_creates_an_archive(tmp_path):
    path = tmp_path / "nowhere" / "archive.db"
    with pytest.raises(ArchiveMissing) as raised:
        Archive(path, readonly=True)
    assert str(raised.value) == f"{path}: no archive there"
    assert not path.parent.exists()


def test_readonly_reads_and_refuses_to_write(tmp_path):
    path = tmp_path / "archive.db"
    with Archive(path) as archive:
        archive.store([record(1)])
    with Archive(path, readonly=True) as archive:
        assert archive.counts()["articles"] == 1
        with pytest.raises(ArchiveError):
            archive.store([record(2)])
        with pytest.raises(sqlite3.OperationalError):
            archive.db.execute("DELETE FROM articles")
    with Archive(path, readonly=True) as archive:
        assert archive.counts()["articles"] == 1


def test_readonly_on_another_sqlite_database_says_it_is_no_archive(tmp_path):
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    with pytest.raises(ArchiveError, match="is a SQLite database but not an archive"):
        Archive(path, readonly=True)


def test_checks_and_migrations_run_once_per_process_and_file(tmp_path, monkeypatch):
    calls = []
    real = archive_module.migrations.apply
    monkeypatch.setattr(archive_module.migrations, "apply", lambda db: calls.append(1) or real(db))
    path = tmp_path / "archive.db"
    for _ in range(3):
        Archive(path).close()
    assert len(calls) == 1
    # A new file at the same path (a test, a restore from backup) is checked and migrated again.
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    with Archive(path) as archive:
        assert "lost_records" in {c.name for c in archive.db["crawls"].columns}
    assert len(calls) == 2
