"""Progress of long work (``reextract``, ``stories``, ``import``, ``export``): one owner.

On a terminal, a tqdm bar with its rate and estimate. Anywhere else (cron, CI, a pipe), one
line per interval on the same stream, made by tqdm's own meter, so a log shows how far the work
went and how fast without the bar's carriage returns::

    with progress(total=len(rows), desc="Trích xuất lại", unit="bài") as bar:
        for row in rows:
            ...
            bar.update()
"""

from __future__ import annotations

import sys
import time
from typing import IO, Any

from tqdm import tqdm

# A line every this many seconds when not on a terminal.
LOG_INTERVAL_SECONDS = 30.0


class _LogLines:
    """The tqdm meter as a line every ``interval`` seconds, and once at the end."""

    def __init__(self, total: int | None, desc: str, unit: str, stream: IO[str], interval: float) -> None:
        self.total, self.desc, self.unit, self.stream, self.interval = total, desc, unit, stream, interval
        self.n = 0
        self.started = self._last = time.monotonic()

    def update(self, n: int = 1) -> None:
        self.n += n
        now = time.monotonic()
        if now - self._last >= self.interval:
            self._last = now
            self._line(now)

    def set_postfix_str(self, s: str) -> None:  # tqdm's API; nothing to show between lines
        pass

    def _line(self, now: float) -> None:
        meter = tqdm.format_meter(self.n, self.total, now - self.started, prefix=self.desc, unit=self.unit, ascii=True,
                                  ncols=0)
        print(meter, file=self.stream, flush=True)

    def close(self) -> None:
        self._line(time.monotonic())

    def __enter__(self) -> _LogLines:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def progress(total: int | None, desc: str, unit: str = "bài", *, stream: IO[str] | None = None,
             interval: float = LOG_INTERVAL_SECONDS) -> Any:
    """A context manager with ``update(n=1)``: a bar on a terminal, log lines otherwise."""
    out = stream if stream is not None else sys.stderr
    if out.isatty():
        return tqdm(total=total, desc=desc, unit=unit, file=out, leave=True)
    return _LogLines(total, desc, unit, out, interval)
