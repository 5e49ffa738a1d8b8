"""The one way to start extraction workers: ``extraction_pool(n)``.

Every process pool that runs ``crawler.text.extract.extract`` (a crawl's ``ExtractPipeline``,
``crawl-all``'s shared pool, ``reextract``) comes from here, so each has the same two guards:

- a worker ends as soon as the process that started it is gone, however it died (SIGKILL
  included): no orphaned workers, no orphaned resource tracker;
- a task given a ``timeout`` that runs past it is a hard bound, even inside a long C call
  (lxml on a pathological page): the worker is killed and replaced, the task's future raises
  ``concurrent.futures.TimeoutError``. ``extract()``'s own budget ends ordinary overruns
  first; the kill is for what that budget cannot interrupt.

``pebble`` does kill-and-replace (``concurrent.futures.ProcessPoolExecutor`` can only break the
whole pool when a worker dies).

The task is ``extract_page`` (inline too, with no pool), and ``outcome`` reads its future: every
page ends as ``(article, None, None)`` or ``(None, reason, detail)``, whatever happened in the
worker — a page over ``ARCHIVE_EXTRACT_MAX_ELEMENTS`` is ``too-many-elements`` before any parse,
a kill for overrunning is ``timeout-extract``, an exception or a dead worker is ``stage-error``
with the exception in ``detail``.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import resource
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import asdict
from typing import Any

from pebble import ProcessExpired, ProcessPool

from crawler import reasons

# Seconds past a task's own budget before its worker is killed: extract() checks its budget
# between stages, so an honest overrun returns its reject within this.
KILL_GRACE = 2.0


# (article as a dict, or None; reject reason; reject detail)
Outcome = tuple[dict | None, str | None, str | None]


def element_count(html: str) -> int:
    """Start tags in ``html`` (``<`` not followed by ``/``): what the parse will build, counted
    at C speed over the text before anything is parsed (comments and a stray ``<`` in a script
    count too, which only errs on the safe side)."""
    return html.count("<") - html.count("</")


def describe(exc: BaseException) -> str:
    """The exception as ``rejects.detail`` holds it: its type and message, one line."""
    text = f"{type(exc).__name__}: {exc}".replace("\n", " ")
    return text[:500]


def extract_page(html: str, url: str, timeout: float | None = None, max_elements: int = 0) -> Outcome:
    """The extraction task: ``crawler.text.extract.extract`` behind the two bounds it cannot
    enforce itself (a page too big to parse at all; an exception, which it promises never to
    raise but a bug can). Runs in a worker, or inline."""
    if max_elements > 0:
        elements = element_count(html)
        if elements > max_elements:
            return None, reasons.TOO_MANY_ELEMENTS, f"{elements} elements > ARCHIVE_EXTRACT_MAX_ELEMENTS={max_elements}"
    from crawler.text.extract import extract

    try:
        article, reason = extract(html, url, timeout=timeout)
    except Exception as exc:  # noqa: BLE001 — the contract: a page ends as an article or a reject
        return None, reasons.STAGE_ERROR, f"extract: {describe(exc)}"
    if article is None:
        return None, reason or reasons.UNKNOWN, None
    return asdict(article), None, None


def peak_memory() -> int:
    """This process's peak resident memory in bytes (for the benchmark: run it in a worker)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def outcome(future: Future, timeout: float | None = None) -> Outcome:
    """The outcome of an ``extract_page`` future: its result, or the reject that stands for
    what happened to the worker."""
    try:
        return future.result()
    except TimeoutError:
        return None, reasons.TIMEOUT_EXTRACT, f"worker killed after {(timeout or 0) + KILL_GRACE:.0f} s"
    except ProcessExpired as exc:
        return None, reasons.STAGE_ERROR, f"extract: worker died ({describe(exc)})"
    except Exception as exc:  # noqa: BLE001 — a task that could not be sent or run
        return None, reasons.STAGE_ERROR, f"extract: {describe(exc)}"


def exit_with_parent() -> None:
    """Worker initializer: end this worker as soon as its parent process is gone.

    The parent's sentinel (a pipe the parent alone holds) becomes readable when the parent
    dies, however it dies; a daemon thread waits on it and exits the worker."""
    parent = multiprocessing.parent_process()
    if parent is None:  # pragma: no cover  (not started by multiprocessing)
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def extraction_pool(workers: int) -> ProcessPool:
    """``workers`` extraction processes. spawn, not fork: forking a process that runs a
    reactor and threads is unsafe."""
    return ProcessPool(max_workers=workers, initializer=exit_with_parent,
                       context=multiprocessing.get_context("spawn"))


def submit(pool: ProcessPool, fn: Callable[..., Any], *args: Any, timeout: float | None = None) -> Future:
    """Run ``fn(*args)`` in ``pool``; with ``timeout``, the worker is killed ``KILL_GRACE`` s past it."""
    return pool.schedule(fn, args=args, timeout=(timeout + KILL_GRACE) if timeout else None)


def submit_page(pool: ProcessPool, html: str, url: str, timeout: float | None = None,
                max_elements: int = 0) -> Future:
    """``extract_page`` in ``pool``, its worker killed ``KILL_GRACE`` s past ``timeout``."""
    return submit(pool, extract_page, html, url, timeout, max_elements, timeout=timeout)


def worker_pids(pool: ProcessPool) -> list[int]:
    """The pool's worker processes now (tests and the benchmark watch them)."""
    return list(pool._pool_manager.worker_manager.workers)


def shutdown(pool: ProcessPool) -> None:
    """Stop taking work, drop what is queued, end the workers."""
    pool.stop()
    pool.join(timeout=10)
