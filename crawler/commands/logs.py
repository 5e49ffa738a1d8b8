"""A crawl log a human can read at the default level.

Scrapy at INFO prints its version table, every enabled component, the overridden settings,
the whole stats dictionary at the end, and our pipelines a line per rejected or duplicate page:
hundreds of lines in which the one that matters is lost. ``quiet_logging(settings)`` moves those
to DEBUG, and keeps network tracebacks (a DNS failure is one line, not 70) for DEBUG as well:

- only when ``LOG_LEVEL`` is the project's default: ``-L INFO`` / ``-s LOG_LEVEL=INFO`` (command
  line priority) brings every line back, ``-L DEBUG`` shows them at DEBUG with their tracebacks;
- done with a log record factory, so it holds for every logger, whatever module a component
  lives in, and before any crawler exists (Scrapy logs its versions when the process starts).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
)
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings
from twisted.internet import error as twisted_error

# (logger name prefix, message template prefix) of INFO lines that only matter when debugging.
# Message templates, not formatted text: ``record.msg`` before the arguments go in.
DEMOTED: tuple[tuple[str, str], ...] = (
    ("scrapy.utils.log", ""),  # "Scrapy 2.x started", "Versions: …"
    ("scrapy.addons", "Enabled addons"),
    ("scrapy.middleware", "Enabled "),  # extensions, middlewares, pipelines
    ("scrapy.crawler", "Overridden settings"),
    ("scrapy.statscollectors", "Dumping Scrapy stats"),
    ("scrapy.core.engine", "Spider opened"),
    ("scrapy.core.engine", "Spider closed"),
    ("scrapy.extensions.telnet", ""),
    # one line per page (pipelines): the end-of-crawl summary counts them
    ("", "Rejected %s"),
    ("", "Duplicate %s"),
    ("", "Stored batch"),
)

# Download failures whose traceback says nothing the message does not.
NETWORK_ERRORS: tuple[type[BaseException], ...] = (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    twisted_error.DNSLookupError,
    twisted_error.ConnectionRefusedError,
    twisted_error.TimeoutError,
    twisted_error.TCPTimedOutError,
    twisted_error.ConnectionLost,
)

_installed: dict[str, object] = {}


def level_is_default(settings: BaseSettings) -> bool:
    """LOG_LEVEL was not chosen on the command line (``-L``, ``-s LOG_LEVEL=``, ``--loglevel``)."""
    return (settings.getpriority("LOG_LEVEL") or 0) < SETTINGS_PRIORITIES["cmdline"]


def _demoted(name: str, msg: object) -> bool:
    text = msg if isinstance(msg, str) else ""
    return any(name.startswith(logger) and text.startswith(prefix) for logger, prefix in DEMOTED)


def _network_traceback(exc_info: object) -> bool:
    if not isinstance(exc_info, tuple) or len(exc_info) < 2:
        return False
    exc = exc_info[1]
    seen = 0
    while exc is not None and seen < 5:  # Scrapy's classes wrap Twisted's (raise … from …)
        if isinstance(exc, NETWORK_ERRORS):
            return True
        exc, seen = exc.__cause__, seen + 1
    return False


def quiet_logging(settings: BaseSettings) -> None:
    """Install the filtering for this process (idempotent). See the module docstring."""
    level = logging.getLevelName(str(settings.get("LOG_LEVEL", "DEBUG")).upper())
    level = level if isinstance(level, int) else logging.DEBUG
    demote = level_is_default(settings) and level > logging.DEBUG
    strip = level > logging.DEBUG
    if not (demote or strip):
        return
    previous: Callable[..., logging.LogRecord] = _installed.get("previous") or logging.getLogRecordFactory()
    _installed["previous"] = previous

    def factory(name, lvl, fn, lno, msg, args, exc_info, func=None, sinfo=None, **kwargs):
        if strip and exc_info and _network_traceback(exc_info):
            exc_info = None
        record = previous(name, lvl, fn, lno, msg, args, exc_info, func, sinfo, **kwargs)
        if demote and record.levelno == logging.INFO and _demoted(name, msg):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return record

    logging.setLogRecordFactory(factory)


def reset() -> None:
    """Undo ``quiet_logging`` (tests)."""
    previous = _installed.pop("previous", None)
    if previous is not None:
        logging.setLogRecordFactory(previous)

