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
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from pebble import ProcessPool

# Seconds past a task's own budget before its worker is killed: extract() checks its budget
# between stages, so an honest overrun returns its reject within this.
KILL_GRACE = 2.0


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


def shutdown(pool: ProcessPool) -> None:
    """Stop taking work, drop what is queued, end the workers."""
    pool.stop()
    pool.join(timeout=10)
