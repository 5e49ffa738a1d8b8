"""Progress during a crawl: a live line on a terminal, a periodic log line otherwise.

On a terminal (stderr is a TTY) one line is redrawn every ``ARCHIVE_PROGRESS_INTERVAL``
seconds (default 2)::

    baocamau  1,234 pages · 456 new · 12 rejects · 8.1 pages/s · 2 min 31 s

and under ``crawl-all`` a live table, one row per paper (its state, pages, new articles,
rejects, rate), under a line summing them all (``3/10 sites done``); running sites first when
the terminal is shorter than the table. Log lines that arrive meanwhile erase it first, so it
never garbles them. Elsewhere (cron,
systemd, a pipe) a log line with the same figures is written every ``LOGSTATS_INTERVAL``
seconds (default 60), in place of Scrapy's ``LogStats`` line, which this replaces
(``ARCHIVE_PROGRESS = "off"`` turns both off; ``"line"``/``"log"`` force one form).
"""

from __future__ import annotations

import logging
import shutil
import sys
import time
from typing import Any, ClassVar, TextIO

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.extensions.summary import duration

logger = logging.getLogger(__name__)

CLEAR = "\r\x1b[K"  # carriage return, erase to the end of the line


def _n(value: int) -> str:
    return f"{value:,}"


class Board:
    """The crawls of this process and what shows them (shared by every crawler): one line for one
    crawl, a table for several."""

    def __init__(self, stream: TextIO, height: int | None = None):
        self.stream = stream
        self.crawls: dict[int, Progress] = {}
        self.finished = 0
        self.shown = False
        self.drawn_lines = 0  # lines of the last drawing, to move back up over them
        self.height = height  # terminal rows available (None: ask the terminal)

    def line(self) -> str:
        if not self.crawls:
            return ""
        running = [p for p in self.crawls.values() if not p.closed]
        pages = sum(p.figures()["pages"] for p in self.crawls.values())
        new = sum(p.figures()["new"] for p in self.crawls.values())
        rejects = sum(p.figures()["rejects"] for p in self.crawls.values())
        rate = sum(p.rate() for p in running)
        elapsed = max(time.monotonic() - min(p.started for p in self.crawls.values()), 0)
        who = (next(iter(self.crawls.values())).site if len(self.crawls) == 1
               else f"{self.finished}/{len(self.crawls)} sites done")
        return (f"{who}  {_n(pages)} pages · {_n(new)} new · {_n(rejects)} rejects · "
                f"{rate:.1f} pages/s · {duration(elapsed)}")

    def lines(self) -> list[str]:
        head = self.line()
        if len(self.crawls) < 2:
            return [head] if head else []
        from tabulate import tabulate

        crawls = sorted(self.crawls.values(), key=lambda p: (p.closed, p.site))  # running first
        room = (self.height or shutil.get_terminal_size((100, 24)).lines) - 4
        shown, hidden = crawls[:max(room, 1)], crawls[max(room, 1):]
        rows = [(p.site, p.reason or "running", p.figures()["pages"], p.figures()["new"], p.figures()["rejects"],
                 "-" if p.closed else f"{p.rate():.1f}") for p in shown]
        table = tabulate(rows, headers=("site", "state", "pages", "new", "rejects", "pages/s"), tablefmt="simple",
                         intfmt=",").splitlines()
        more = [f"… and {len(hidden)} more sites"] if hidden else []
        return [head, *table, *more]

    def draw(self) -> None:
        lines = self.lines()
        if lines:
            self.erase()
            self.stream.write(CLEAR + "\n".join(lines))
            self.stream.flush()
            self.shown, self.drawn_lines = True, len(lines)

    def erase(self) -> None:
        if self.shown:
            up = self.drawn_lines - 1
            self.stream.write(CLEAR if up == 0 else f"\r\x1b[{up}A\x1b[J")
            self.stream.flush()
            self.shown, self.drawn_lines = False, 0


class EraseLine(logging.Filter):
    """On the log handler: erase the progress line before a log line is written."""

    def __init__(self, board: Board):
        super().__init__()
        self.board = board

    def filter(self, record: logging.LogRecord) -> bool:
        self.board.erase()
        return True


class Progress:
    boards: ClassVar[dict[int, Board]] = {}  # id(stream) → board: one line per terminal

    def __init__(self, crawler: Crawler, mode: str, interval: float, stream: TextIO):
        self.crawler = crawler
        self.mode = mode  # "line" or "log"
        self.interval = interval
        self.stream = stream
        self.site = ""
        self.started = time.monotonic()
        self.closed = False
        self.reason: str | None = None  # the finish reason, once closed
        self._last = (self.started, 0)  # (time, pages) of the previous rate sample
        self._rate = 0.0
        self.task: Any = None
        self.board: Board | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, stream: TextIO | None = None) -> Progress:
        s = crawler.settings
        mode = str(s.get("ARCHIVE_PROGRESS", "auto")).lower()
        if mode in {"off", "0", "false", "none", ""}:
            raise NotConfigured("ARCHIVE_PROGRESS is off")
        stream = stream or sys.stderr
        if mode == "auto":
            mode = "line" if getattr(stream, "isatty", lambda: False)() else "log"
        if mode == "line":
            interval = s.getfloat("ARCHIVE_PROGRESS_INTERVAL", 2.0)
        else:
            interval = s.getfloat("LOGSTATS_INTERVAL", 60.0)
        if interval <= 0:
            raise NotConfigured("progress interval is 0")
        ext = cls(crawler, mode, interval, stream)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    # -- figures --------------------------------------------------------------------------

    def figures(self) -> dict[str, int]:
        get = self.crawler.stats.get_value
        return {
            "pages": get("response_received_count", 0) or 0,
            "new": get("archive/inserted", 0) or 0,
            "rejects": (get("archive/rejected", 0) or 0),
        }

    def rate(self) -> float:
        """Pages per second since the previous sample (sampled on each tick)."""
        return self._rate

    def sample(self) -> None:
        now, pages = time.monotonic(), self.figures()["pages"]
        then, before = self._last
        if now > then:
            self._rate = (pages - before) / (now - then)
        self._last = (now, pages)

    def log_line(self) -> str:
        f = self.figures()
        return (f"Progress: {_n(f['pages'])} pages ({self._rate * 60:.0f}/min), {_n(f['new'])} new articles, "
                f"{_n(f['rejects'])} rejects, {duration(time.monotonic() - self.started)}")

    # -- signals --------------------------------------------------------------------------

    def spider_opened(self, spider: Spider) -> None:
        from scrapy.utils.asyncio import create_looping_call

        self.site = getattr(spider, "site", None) or spider.name
        self.started = time.monotonic()
        self._last = (self.started, 0)
        if self.mode == "line":
            self.board = self.boards.get(id(self.stream))
            if self.board is None:
                self.board = self.boards[id(self.stream)] = Board(self.stream)
                for handler in logging.root.handlers:
                    handler.addFilter(EraseLine(self.board))
            self.board.crawls[id(self)] = self
        self.task = create_looping_call(self.tick, spider)
        self.task.start(self.interval, now=False)

    def tick(self, spider: Spider) -> None:
        self.sample()
        if self.board is not None:
            self.board.draw()
        else:
            logger.info("%s", self.log_line(), extra={"spider": spider})

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        self.closed, self.reason = True, reason
        board = self.board
        if board is None:
            return
        board.finished += 1
        board.erase()
        if board.finished >= len(board.crawls):  # the last crawl on this terminal: remove the board
            for handler in logging.root.handlers:
                for f in [f for f in handler.filters if isinstance(f, EraseLine) and f.board is board]:
                    handler.removeFilter(f)
            self.boards.pop(id(self.stream), None)
