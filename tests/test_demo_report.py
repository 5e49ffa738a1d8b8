"""``make demo`` says what this run added, so a second run shows that it added nothing.

Two real runs of ``python -m crawler.commands.demo`` (the sample site on a free loopback port,
its smallest size, into a temporary archive); the figures printed are checked against the
archive itself.
"""

from __future__ import annotations

import re
import socket
import sqlite3
import subprocess
import sys

import pytest

from crawler.commands.demo import report_lines
from tests.conftest import PROJECT_ROOT, crawl_env

NOTHING_NEW = "Lần chạy này không thêm gì mới (this run added nothing new)"


def counts(db) -> dict[str, int]:
    con = sqlite3.connect(db)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("articles", "urls", "revisions", "rejects", "crawls")}
    finally:
        con.close()


@pytest.mark.e2e
def test_the_demo_run_twice_says_the_second_run_added_nothing(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    db = tmp_path / "demo" / "archive.db"

    def demo() -> str:
        done = subprocess.run([sys.executable, "-m", "crawler.commands.demo", "--articles", "20", "--port", str(port),
                               "--db", str(db)], cwd=PROJECT_ROOT, env=crawl_env(), capture_output=True, text=True,
                              timeout=300, stdin=subprocess.DEVNULL)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        return done.stdout

    first = demo()
    held = counts(db)
    added = re.search(r"this run added\): ([\d,]+) bài mới \(new articles\), ([\d,]+) địa chỉ mới \(new URLs\), "
                      r"([\d,]+) phiên bản sửa \(revisions\), ([\d,]+) trang bị loại mới \(new rejects\)", first)
    assert added, first
    assert [int(n.replace(",", "")) for n in added.groups()] == [held["articles"], held["urls"], held["revisions"],
                                                                 held["rejects"]]
    assert held["articles"] == 20 and held["rejects"] > 0
    assert NOTHING_NEW not in first

    second = demo()
    assert NOTHING_NEW in second, second
    assert "this run added)" not in second
    assert counts(db) == {**held, "crawls": 2}
    # the totals are still there, beside it
    assert (f"the archive now holds): {held['articles']} bài (articles), {held['urls']} địa chỉ (URLs)" in second)


def empty() -> dict:
    return {"articles": 0, "urls": 0, "revisions": 0, "rejects": 0, "crawls": 0, "rejected": {}}


def test_a_run_that_stored_an_earlier_reject_and_a_revision_says_so():
    before = {**empty(), "articles": 5, "urls": 5, "rejects": 2, "crawls": 1,
              "rejected": {"http://x/a-a1.html": "timeout", "http://x/a-a2.html": "http-404"}}
    after = {**before, "articles": 6, "urls": 6, "revisions": 1, "rejects": 2, "crawls": 2,
             "rejected": {"http://x/a-a2.html": "http-404", "http://x/a-a9.html": "too-short"}}
    lines = report_lines(before, after, "demo/archive.db")
    assert lines[1] == ("Lần chạy này thêm (this run added): 1 bài mới (new articles), 1 địa chỉ mới (new URLs), "
                        "1 phiên bản sửa (revisions), 1 trang bị loại mới (new rejects)")
    assert "  trang bị loại mới theo lý do (new rejects by reason): too-short ×1" in lines
    assert "  1 trang bị loại trước đây nay đã lưu được (earlier rejects now stored)" in lines
