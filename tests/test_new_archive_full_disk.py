"""A crawl into a new archive on a full disk: one line, exit status 5, nothing fetched, nothing left.

A real small file system (``tests/small_disk.py``: a tmpfs, needs root), filled until it has no
room (or only a few pages: enough to create the file, not to migrate it), and real crawls in
subprocesses (``scrapy crawl`` and ``python -m crawler crawl-all``) against the loopback sample site.
"""

from __future__ import annotations

import pytest

from crawler.commands import outcome
from samplesite.server import SampleSite
from tests.conftest import run_cli, run_crawl
from tests.small_disk import fill, small_disk

pytestmark = pytest.mark.e2e

SETTINGS = {"ARCHIVE_WARC_DIR": "", "ARCHIVE_EXTRACT_WORKERS": 0}


@pytest.mark.parametrize("room_kb", [0, 40])
def test_scrapy_crawl_into_a_new_archive_on_a_full_disk_is_one_line_and_status_5(tmp_path, room_kb):
    with SampleSite(articles=10, traps=False) as site, small_disk(tmp_path / "disk", 1024) as disk:
        fill(disk, leave_bytes=room_kb * 1024)
        db = disk / "new" / "archive.db"  # its folder is made for it, and removed again
        result = run_crawl(site, db, name=f"full-disk-new-archive-{room_kb}", settings=SETTINGS, check=False,
                           timeout=120)
        last = result.log.strip().splitlines()[-1]
        assert result.returncode == outcome.STORE_FAILED, result.tail()
        assert last.startswith(f"scrapy crawl: cannot write the archive {db}: "), result.tail()
        assert last.endswith("; nothing was crawled (free some space, or give an archive on another disk)")
        assert "Traceback" not in result.log and "Task exception" not in result.log
        assert site.requests == []
        assert sorted(p.name for p in disk.iterdir()) == ["filler"]


def test_crawl_all_into_a_new_archive_on_a_full_disk_is_one_line_and_status_5(tmp_path):
    with SampleSite(articles=10, traps=False) as site, small_disk(tmp_path / "disk", 1024) as disk:
        fill(disk)
        db = disk / "archive.db"
        done = run_cli("crawl-all", "--site", "baocamau", "--base-url", f"baocamau={site.base_url}",
                       "--db", db, "--set", "ARCHIVE_WARC_DIR=", timeout=120, log="full-disk-new-archive-crawl-all")
        assert done.returncode == outcome.STORE_FAILED, done.tail()
        last = done.stderr.strip().splitlines()[-1]
        assert last.startswith(f"cannot write the archive {db}: ") and "Traceback" not in done.stderr, done.tail()
        assert site.requests == []
        assert sorted(p.name for p in disk.iterdir()) == ["filler"]
