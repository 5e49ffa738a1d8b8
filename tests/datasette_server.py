"""The real ``datasette`` command in a subprocess, as a user runs it: ``datasette FILE``, no flags.

With no flags Datasette listens on 127.0.0.1:8001, so every test run on this machine that
starts one takes a lock file first (other worktrees run the same tests) and then waits for the
port to be free. The server's log is kept under ``test-artifacts/``.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = 8001  # Datasette's default: the command gets no --port
BASE = f"http://127.0.0.1:{PORT}"
LOCK = Path(tempfile.gettempdir()) / "vn-archive-datasette-8001.lock"


def get(url: str, timeout: float = 10.0) -> tuple[int, str, dict]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8"), dict(response.headers)
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8", "replace"), dict(err.headers)


def _port_free() -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", PORT))
        except OSError:
            return False
    return True


@contextlib.contextmanager
def plain_datasette(db: Path, log_path: Path, *, wait: float = 120) -> Iterator[str]:
    """``datasette DB`` from the test's environment; yields its base URL."""
    exe = Path(sys.executable).parent / "datasette"
    LOCK.touch(exist_ok=True)
    with LOCK.open("r+") as lock:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"another test run held {LOCK} for {wait} s") from None
                time.sleep(0.5)
        while not _port_free():
            if time.monotonic() > deadline:
                raise RuntimeError(f"port {PORT} (Datasette's default) stayed busy for {wait} s")
            time.sleep(0.5)
        log_path.parent.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if k.lower() not in {"http_proxy", "https_proxy", "all_proxy"}}
        with log_path.open("w") as log:
            proc = subprocess.Popen([str(exe), str(db)], cwd=db.parent, stdout=log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, env=env, start_new_session=True)
            try:
                started = time.monotonic()
                while True:
                    if proc.poll() is not None:
                        raise RuntimeError(f"datasette exited {proc.returncode}:\n{log_path.read_text()}")
                    with contextlib.suppress(OSError):
                        get(BASE + "/-/versions.json", timeout=2)
                        break
                    if time.monotonic() - started > 60:
                        raise RuntimeError(f"datasette did not answer within 60 s:\n{log_path.read_text()}")
                    time.sleep(0.2)
                yield BASE
            finally:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
