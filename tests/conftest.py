"""Shared fixtures: the loopback sample site, and the two ways tests run our commands.

- ``invoke(*args)``: ``python -m crawler <args>`` in this process, through click's ``CliRunner``
  (for every verb that starts no crawl: health, sites, export, import, usage errors, …).
- ``cli(*args)`` / ``run_command([...])``: a command in a subprocess, for what needs a process
  of its own (a Twisted reactor runs once per process: crawls, crawl-all, canary; signals;
  blocked networking). ``crawl(...)`` is ``scrapy crawl`` through the same runner.

Crawl logs are kept under ``test-artifacts/crawls/`` (git-ignored) so a failing end-to-end
test can be read after the fact; the assertion message quotes the log's tail.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from samplesite import SampleSite

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "crawls"
CRAWL_TIMEOUT = 180  # seconds; one crawl of the sample site takes well under a minute


# --- the sample site ------------------------------------------------------------------------


@pytest.fixture
def sample_site() -> Iterator[SampleSite]:
    """A fresh 60-article sample site with traps, for one test."""
    with SampleSite(articles=60, traps=True) as site:
        yield site


@pytest.fixture
def clean_site() -> Iterator[SampleSite]:
    """A fresh 60-article sample site without traps, for one test."""
    with SampleSite(articles=60, traps=False) as site:
        yield site


# --- running the crawler --------------------------------------------------------------------


def crawl_env() -> dict[str, str]:
    """The environment for a crawl subprocess: no proxy may stand between it and 127.0.0.1."""
    env = {k: v for k, v in os.environ.items() if k.lower() not in {"http_proxy", "https_proxy", "all_proxy"}}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    return env


@dataclass
class Ran:
    """A finished subprocess: exit status, standard output, and its log (stderr, or both)."""

    returncode: int
    stdout: str
    stderr: str
    log_path: Path | None = None

    def tail(self, n: int = 60) -> str:
        return "\n".join((self.stderr or self.stdout).splitlines()[-n:])


def run_command(cmd: list[str], *, env: dict[str, str] | None = None, timeout: float = CRAWL_TIMEOUT,
                log: str | None = None, merge: bool = False, cwd: Path = PROJECT_ROOT) -> Ran:
    """Run ``cmd`` from the project root with the crawl environment, bounded by ``timeout``.

    ``log``: also keep stderr (with stdout when ``merge``) in ``test-artifacts/crawls/<log>.log``,
    so a failing end-to-end test can be read after the fact. A timeout fails the test.
    """
    cmd = [str(c) for c in cmd]
    log_path = _log_path(log) if log else None
    with open(log_path if log_path else os.devnull, "w", encoding="utf-8") as f:
        if log_path:
            f.write(" ".join(cmd) + "\n")
            f.flush()
        stdout = f if (merge and log_path) else subprocess.PIPE
        stderr = subprocess.STDOUT if merge else (f if log_path else subprocess.PIPE)
        try:
            proc = subprocess.run(cmd, cwd=cwd, env=env or crawl_env(), stdout=stdout, stderr=stderr, text=True,
                                  timeout=timeout, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            pytest.fail(f"{' '.join(cmd[:6])} … did not finish within {timeout} s"
                        + (f"; see {log_path}" if log_path else ""))
    logged = None
    if log_path:  # what the command wrote, without the command line heading the file
        logged = log_path.read_text(encoding="utf-8", errors="replace").split("\n", 1)[-1]
    stdout_text = logged if (merge and logged is not None) else (proc.stdout or "")
    stderr_text = logged if logged is not None else (proc.stderr or "")
    return Ran(proc.returncode, stdout_text, stderr_text, log_path)


def run_cli(*args: str | Path, **kwargs) -> Ran:
    """``python -m crawler <args>`` in a subprocess (``run_command``'s keyword arguments)."""
    return run_command([sys.executable, "-m", "crawler", *map(str, args)], **kwargs)


@pytest.fixture(scope="session")
def cli():
    """``cli(*args, env=…, timeout=…, log=…)`` → ``Ran``: ``python -m crawler`` in a subprocess."""
    return run_cli


def invoke_cli(*args: str | Path):
    """``python -m crawler <args>`` in this process through click's ``CliRunner`` → its ``Result``
    (``exit_code``, ``stdout``, ``stderr``). Never for a crawl (one reactor per process)."""
    from click.testing import CliRunner

    from crawler.__main__ import cli as group

    return CliRunner().invoke(group, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def invoke():
    """``invoke(*args)``: ``invoke_cli`` as a fixture."""
    return invoke_cli


def crawl_command(site: SampleSite | str, db: Path | str, *args: str, settings: dict | None = None,
                  spider: str = "baocamau", log_level: str | None = "INFO") -> list[str]:
    """The ``scrapy crawl`` command line; ``log_level=None`` leaves the project's default log."""
    base_url = site if isinstance(site, str) else site.base_url
    cmd = [sys.executable, "-m", "scrapy", "crawl", spider, "-a", f"base_url={base_url}",
           "-s", f"ARCHIVE_DB={db}", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0",
           "-s", "DOWNLOAD_TIMEOUT=3"]
    if log_level:
        cmd += ["-s", f"LOG_LEVEL={log_level}"]
    for key, value in (settings or {}).items():
        cmd += ["-s", f"{key}={value}"]
    for arg in args:
        cmd += ["-a", arg]
    return cmd


@dataclass
class CrawlResult:
    returncode: int
    seconds: float
    log_path: Path
    log: str

    def tail(self, n: int = 60) -> str:
        return "\n".join(self.log.splitlines()[-n:])

    def check(self) -> CrawlResult:
        assert self.returncode == 0, f"scrapy crawl exited {self.returncode}; {self.log_path}:\n{self.tail()}"
        # "Gave up retrying" is logged at ERROR and is expected (the too-slow page); crashes are not.
        errors = [line for line in self.log.splitlines() if _CRASH.search(line)]
        assert not errors, f"errors in the crawl log {self.log_path}:\n" + "\n".join(errors[:20]) + \
            "\n---\n" + self.tail()
        return self


_CRASH = re.compile(r"Traceback \(most recent call last\)|Spider error processing|Error processing|"
                    r"Unhandled error in Deferred|Error caught on signal handler")


def _log_path(name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:120]
    return ARTIFACTS / f"{safe}.log"


def run_crawl(site: SampleSite | str, db: Path | str, *args: str, name: str = "crawl", settings: dict | None = None,
              timeout: float = CRAWL_TIMEOUT, check: bool = True, spider: str = "baocamau") -> CrawlResult:
    """``scrapy crawl baocamau -a base_url=<site> -s ARCHIVE_DB=<db> …`` from the project root, bounded."""
    cmd = crawl_command(site, db, *args, settings=settings, spider=spider)
    started = time.monotonic()
    ran = run_command(cmd, timeout=timeout, log=name, merge=True)
    assert ran.log_path is not None
    result = CrawlResult(ran.returncode, time.monotonic() - started, ran.log_path, ran.stdout)
    return result.check() if check else result


def start_crawl(site: SampleSite | str, db: Path | str, *args: str, name: str = "crawl",
                settings: dict | None = None, spider: str = "baocamau") -> tuple[subprocess.Popen, Path]:
    """The same crawl, started in the background (the caller must wait for or kill it)."""
    log_path = _log_path(name)
    cmd = crawl_command(site, db, *args, settings=settings, spider=spider)
    log = log_path.open("w", encoding="utf-8")
    log.write(" ".join(cmd) + "\n")
    log.flush()
    proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=crawl_env(), stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL)
    log.close()
    return proc, log_path


@pytest.fixture(scope="session")
def crawl():
    """``crawl(site, db, *spider_args, name=…, settings={…})`` → CrawlResult (checked)."""
    return run_crawl


def connect(db: Path | str) -> sqlite3.Connection:
    con = sqlite3.connect(str(db), timeout=30)
    con.row_factory = sqlite3.Row
    return con


def rows(db: Path | str, sql: str, *params) -> list[sqlite3.Row]:
    con = connect(db)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def snapshot(db: Path, dest: Path) -> Path:
    """A consistent copy of the archive (WAL included) through SQLite's backup API."""
    src, dst = sqlite3.connect(db), sqlite3.connect(dest)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    return dest
