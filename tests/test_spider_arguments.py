"""Bad ``-a`` arguments and ``-s ARCHIVE_*`` values: one line naming the argument and what it
accepts, exit status 2, and no archive file (``crawler/spiders/arguments.py``,
``crawler/defaults.py``, checked by ``scrapy crawl`` before anything is created)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from crawler.defaults import DEFAULTS, problem
from crawler.spiders.arguments import ArgumentError, SpiderArguments
from crawler import PROJECT_ROOT as ROOT
from tests.conftest import crawl_command

BAD = [
    (("since=notadate",), {}, "since", "YYYY-MM-DD"),
    (("max_pages=abc",), {}, "max_pages", "whole number"),
    (("max_pages=-3",), {}, "max_pages", "1 or more"),
    (("refresh_days=-1",), {}, "refresh_days", "positive number"),
    (("backfill=maybe",), {}, "backfill", "true"),
    (("foo=bar",), {}, "foo", "arguments:"),
    (("edition_urls=nowhere=ftp://x",), {}, "edition_urls", "<edition>"),
    ((), {"ARCHIVE_BATCH_SIZE": "abc"}, "ARCHIVE_BATCH_SIZE", "whole number"),
    ((), {"ARCHIVE_STALE_PAGES": "0"}, "ARCHIVE_STALE_PAGES", "1 or more"),
    ((), {"ARCHIVE_REJECT_RETRY_HOURS": "soon"}, "ARCHIVE_REJECT_RETRY_HOURS", "number"),
    ((), {"ARCHIVE_STORIES_ENABLED": "maybe"}, "ARCHIVE_STORIES_ENABLED", "true"),
    ((), {"ARCHIVE_PROGRESS": "loud"}, "ARCHIVE_PROGRESS", "auto"),
]


@pytest.mark.parametrize(("args", "settings", "named", "accepts"), BAD)
def test_bad_input_is_one_line_exit_2_and_no_archive(tmp_path: Path, args, settings, named, accepts):
    db = tmp_path / "archive.db"
    # a closed port: were the input accepted, the crawl would start (and create the archive)
    cmd = crawl_command("http://127.0.0.1:9", db, *args, settings={"ARCHIVE_WARC_DIR": "", **settings})
    ran = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert ran.returncode == 2, ran.stderr[-2000:]
    lines = [line for line in ran.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, ran.stderr[-2000:]
    assert named in lines[0] and accepts in lines[0]
    assert "Traceback" not in ran.stderr
    assert list(tmp_path.iterdir()) == []


def test_good_arguments_are_typed():
    a = SpiderArguments.parse({"since": "2025-01-02", "max_pages": "3", "backfill": "yes", "refresh_days": "1.5"})
    assert (a.since.isoformat(), a.max_pages, a.backfill, a.refresh_days) == ("2025-01-02", 3, True, 1.5)
    assert SpiderArguments.parse({"backfill": "0"}).backfill is False
    with pytest.raises(ArgumentError):
        SpiderArguments.parse({"refresh_days": "inf"})


def test_every_default_is_accepted():
    assert all(problem(name, value) is None for name, value in DEFAULTS.items())
