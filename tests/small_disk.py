"""A real small file system for disk-full tests: a tmpfs of a given size, mounted for one test.

Mounting needs root (CAP_SYS_ADMIN); elsewhere the tests that need it are skipped with a
message saying so. A tmpfs is enough: SQLite and Python see the same ENOSPC as on a disk.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def small_disk(path: Path, size_kb: int) -> Iterator[Path]:
    """Mount a ``size_kb`` KiB tmpfs at ``path`` (skips the test when it cannot)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("disk-full test needs root to mount a small tmpfs (run the suite as root to include it)")
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k,mode=0755", "tmpfs", str(path)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"disk-full test: cannot mount a tmpfs here ({done.stderr.strip()})")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def fill(path: Path, leave_bytes: int = 0) -> None:
    """Fill the file system holding ``path`` until at most ``leave_bytes`` are free."""
    free = shutil.disk_usage(path).free - leave_bytes
    with open(path / "filler", "wb") as fh:
        try:
            while free > 0:
                n = min(free, 1 << 16)
                fh.write(b"\0" * n)
                fh.flush()
                free -= n
        except OSError:
            pass
