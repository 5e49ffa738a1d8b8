"""One crawl of a paper at a time on an archive (``crawl_locks``, ``crawler.store.runs``).

The lock is judged on real processes: a live holder (a running ``sleep``, with its real start
time) keeps a second crawl out; a dead one (exited), or one whose pid now belongs to a process
started at another time (a reused pid), is taken over. End to end: two real ``scrapy crawl``
subprocesses of the same paper on one archive (the second exits 8 at once, naming the first,
and fetches nothing), a crawl of another paper beside them, and a SIGKILLed holder taken over.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil
import pytest

from crawler.commands import outcome
from crawler.store.archive import Archive
from crawler.store.runs import Held, Runs
from crawler.text.dates import display
from samplesite.server import SampleSite
from tests.conftest import rows, run_crawl, start_crawl


def started_iso(pid: int, shift: float = 0.0) -> str:
    started = psutil.Process(pid).create_time() + shift
    return datetime.fromtimestamp(started, UTC).isoformat(timespec="milliseconds")


def leave_lock(db: Path, site: str, pid: int, pid_started: str | None, *, host: str | None = None,
               since: str = "2026-01-02T03:04:05+00:00") -> None:
    """A ``crawl_locks`` row as a crawl that started elsewhere leaves it."""
    with Archive(db) as archive:
        with archive.db.atomic():
            archive.db.execute("INSERT OR REPLACE INTO crawl_locks (site, pid, host, pid_started, crawl, started) "
                               "VALUES (?, ?, ?, ?, ?, ?)", [site, pid, host or socket.gethostname(), pid_started,
                                                             41, since])


@pytest.fixture
def other_process():
    proc = subprocess.Popen(["sleep", "120"])
    yield proc
    proc.kill()
    proc.wait()


def test_a_live_holder_keeps_the_paper_and_is_named(tmp_path, other_process):
    db = tmp_path / "archive.db"
    leave_lock(db, "baocamau", other_process.pid, started_iso(other_process.pid))
    with Archive(db) as archive:
        with pytest.raises(Held) as held:
            Runs(archive).start("baocamau", hold=True)
        assert str(held.value) == (f"already being crawled into this archive by pid {other_process.pid} on "
                                   f"{socket.gethostname()} since {display('2026-01-02T03:04:05+00:00')}, "
                                   "crawl 41; nothing fetched")
        assert archive.db.execute("SELECT count(*) FROM crawls").fetchone()[0] == 0  # a held run is no run
        # another paper is not held by it
        crawl = Runs(archive).start("baoangiang", hold=True)
        assert Runs(archive).holder("baoangiang").crawl == crawl
        Runs(archive).release("baoangiang", crawl)
        assert Runs(archive).holder("baoangiang") is None
        assert Runs(archive).holder("baocamau").pid == other_process.pid  # untouched


def test_a_holder_on_another_host_is_taken_as_alive_and_the_line_says_how_to_free_it(tmp_path):
    db = tmp_path / "archive.db"
    leave_lock(db, "baocamau", 1, None, host="other-machine")
    with Archive(db) as archive, pytest.raises(Held) as held:
        Runs(archive).start("baocamau", hold=True)
    assert "on other-machine" in str(held.value)
    assert str(held.value).endswith("if no crawl runs there, free it: DELETE FROM crawl_locks WHERE site = 'baocamau'")


def test_a_holder_whose_process_has_exited_is_taken_over(tmp_path, caplog):
    db = tmp_path / "archive.db"
    gone = subprocess.Popen(["true"])
    started = started_iso(gone.pid)
    gone.wait()
    leave_lock(db, "baocamau", gone.pid, started)
    with Archive(db) as archive:
        crawl = Runs(archive).start("baocamau", hold=True)
        holder = Runs(archive).holder("baocamau")
    assert holder is not None and holder.crawl == crawl and holder.pid != gone.pid
    assert f"took over the crawl lock of pid {gone.pid}" in caplog.text


def test_a_reused_pid_is_not_taken_for_the_holder(tmp_path, other_process):
    """The pid is alive, but its process started an hour after the one that took the lock."""
    db = tmp_path / "archive.db"
    leave_lock(db, "baocamau", other_process.pid, started_iso(other_process.pid, shift=-3600))
    with Archive(db) as archive:
        crawl = Runs(archive).start("baocamau", hold=True)
        assert Runs(archive).holder("baocamau").crawl == crawl


def test_two_starts_of_one_paper_in_one_process_are_one_at_a_time(tmp_path):
    db = tmp_path / "archive.db"
    with Archive(db) as archive:
        runs = Runs(archive)
        first = runs.start("baocamau", hold=True)
        with pytest.raises(Held):
            runs.start("baocamau", hold=True)
        runs.release("baocamau", first)
        second = runs.start("baocamau", hold=True)
        assert runs.holder("baocamau").crawl == second != first


# -- end to end: real crawls ----------------------------------------------------------------


FAST = {"ARCHIVE_EXTRACT_WORKERS": 0, "ARCHIVE_WARC_DIR": "", "ARCHIVE_STORIES_ENABLED": 0}


def wait_for_lock(db: Path, proc: subprocess.Popen, log_path: Path, seconds: float = 90) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if db.exists() and (found := rows(db, "SELECT * FROM crawl_locks WHERE site = 'baocamau'")):
                return dict(found[0])
        except Exception:  # noqa: BLE001 - the archive is being created
            pass
        time.sleep(0.1)
    pytest.fail("the first crawl never took its lock:\n" + log_path.read_text(encoding="utf-8")[-3000:])


@pytest.mark.e2e
def test_a_second_crawl_of_the_same_paper_exits_8_naming_the_first_and_other_papers_run_beside(tmp_path):
    db = tmp_path / "archive.db"
    # The holder walks a slow site (every answer 2 s, two at a time): it runs for minutes.
    with SampleSite(articles=60, traps=False, latency=2.0) as slow, \
            SampleSite(articles=20, traps=False) as untouched, SampleSite(articles=20, traps=False) as other:
        holder, holder_log = start_crawl(slow, db, name="lock-holder",
                                         settings={**FAST, "CONCURRENT_REQUESTS": 2, "CLOSESPIDER_TIMEOUT": 240})
        try:
            lock = wait_for_lock(db, holder, holder_log)
            assert lock["pid"] == holder.pid and lock["host"] == socket.gethostname()

            second = run_crawl(untouched, db, name="lock-second", settings=FAST, check=False, timeout=120)
            assert second.returncode == outcome.HELD, second.tail()
            assert second.log.strip().splitlines()[-1] == (
                f"baocamau: already being crawled into this archive by pid {holder.pid} on {socket.gethostname()} "
                f"since {display(lock['started'])}, crawl {lock['crawl']}; nothing fetched"), second.tail()
            assert untouched.requests == []  # fetched nothing, robots.txt included
            assert "Traceback" not in second.log
            assert [r["id"] for r in rows(db, "SELECT id FROM crawls WHERE site = 'baocamau'")] == [lock["crawl"]]

            # Another paper on the same archive runs while the first still holds its own.
            beside = run_crawl(other, db, name="lock-other-paper", settings=FAST, check=False, spider="baoangiang",
                               timeout=150)
            assert beside.returncode in (outcome.OK, outcome.CUT_SHORT), beside.tail()
            assert holder.poll() is None, "the holder ended before the other paper's crawl: nothing overlapped"
            (ran,) = rows(db, "SELECT * FROM crawls WHERE site = 'baoangiang'")
            assert ran["finished"] and ran["requests"] > 0 and ran["new_articles"] > 0
            assert [r["site"] for r in rows(db, "SELECT site FROM crawl_locks")] == ["baocamau"]  # released its own

            # Killed without a chance to free its lock: the next crawl takes it over and runs.
            holder.send_signal(signal.SIGKILL)
            holder.wait(timeout=30)
            assert [r["pid"] for r in rows(db, "SELECT pid FROM crawl_locks WHERE site = 'baocamau'")] == [holder.pid]
            after = run_crawl(untouched, db, name="lock-after-kill", settings=FAST, check=False, timeout=150)
            assert after.returncode == outcome.OK, after.tail()
            assert f"took over the crawl lock of pid {holder.pid} on {socket.gethostname()}" in after.log
            assert untouched.requests, "the crawl after the kill fetched nothing"
            assert rows(db, "SELECT count(*) FROM crawl_locks")[0][0] == 0  # freed at its end
            assert datetime.fromisoformat(rows(db, "SELECT max(finished) FROM crawls")[0][0]) > \
                datetime.now(UTC) - timedelta(minutes=5)
        finally:
            if holder.poll() is None:
                holder.kill()
            holder.wait(timeout=30)
