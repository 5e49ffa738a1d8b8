"""The per-page time budget of extraction: SIGALRM where it can interrupt, checkpoints elsewhere."""

from __future__ import annotations

import signal
import threading
import time
from contextlib import contextmanager


class _OverBudget(BaseException):
    """The page ran over its time budget.

    A BaseException, so that no library's ``except Exception`` swallows it."""


@contextmanager
def _budget(timeout: float | None):
    """Interrupt the work after ``timeout`` seconds.

    SIGALRM interrupts the work wherever Python code runs, trafilatura's own
    loops included (a single C call such as the parse finishes first), so it is
    used where it can be: the main thread of a process, which is where the
    extraction pool's workers and an inline pipeline run. Elsewhere the
    checkpoints between the stages (``_check``) enforce the budget.
    """
    if not timeout or timeout <= 0:
        yield
        return
    deadline = time.monotonic() + timeout
    token = _DEADLINE.__dict__.get("value")
    _DEADLINE.value = deadline
    use_alarm = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    previous = None
    armed = [True]
    if use_alarm:
        def _on_alarm(signum, frame):
            # A late alarm (after the work ended) must not escape into the caller.
            if armed[0]:
                raise _OverBudget

        previous = signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        yield
    finally:
        armed[0] = False
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous or signal.SIG_DFL)
        _DEADLINE.value = token


_DEADLINE = threading.local()


def _check() -> None:
    deadline = getattr(_DEADLINE, "value", None)
    if deadline is not None and time.monotonic() > deadline:
        raise _OverBudget
