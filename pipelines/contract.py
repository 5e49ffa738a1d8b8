"""The pipeline contract: every page item leaves the pipelines as an article or a reject.

A stage (``ExtractPipeline``, ``StorePipeline``) wraps its ``process_item`` in
``reject_on_error``: whatever it raises on a page makes the page a ``stage-error`` reject with
the stage and the exception in ``detail``, counted in ``pipeline/errors/<stage>`` and
``extract/rejected/stage-error``; the item goes on to the next stage (the store writes the
reject, so the page is asked for again on a later run, within the reject back-off).

A pipeline outside the contract (a third party's) that raises on a page is caught by the
store's ``item_error`` handler: the page becomes the same reject (stage ``pipeline``). What
escapes all the same (an exception in a spider callback, a reject that cannot be made) is
counted by ``watch_drops`` in ``archive/dropped``; a run with drops is not ``completed``
(``crawls.completed``), so its walks are not trusted as whole.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from crawler import reasons
from crawler.extractpool import describe
from crawler.items import PageItem

logger = logging.getLogger(__name__)

DROPPED_STAT = "archive/dropped"


def as_stage_error(stage: Any, item: Any, exc: BaseException, *, name: str | None = None) -> None:
    """Make ``item`` the reject that stands for ``exc`` raised by ``stage`` on it."""
    name = name or getattr(stage, "stage", type(stage).__name__)
    logger.error("%s raised on %s: %s", name, getattr(item, "url", item), describe(exc), exc_info=exc)
    stats = stage.crawler.stats
    stats.inc_value(f"pipeline/errors/{name}")
    if not isinstance(item, PageItem):
        return
    item.article = None
    item.html = None
    item.reject_reason = reasons.STAGE_ERROR
    item.reject_detail = f"{name}: {describe(exc)}"
    stats.inc_value("extract/rejected")
    stats.inc_value(f"extract/rejected/{reasons.STAGE_ERROR}")


def reject_on_error(process_item: Callable) -> Callable:
    """Wrap a stage's ``process_item`` (plain or ``async``) in the contract. A stage may
    define ``after_error(item)`` to take the reject in (the store buffers it)."""

    def handled(self: Any, item: Any, exc: Exception) -> Any:
        as_stage_error(self, item, exc)
        after = getattr(self, "after_error", None)
        if after is not None:
            after(item)
        return item

    if inspect.iscoroutinefunction(process_item):
        @functools.wraps(process_item)
        async def wrapped_async(self: Any, item: Any, *args: Any) -> Any:
            try:
                return await process_item(self, item, *args)
            except Exception as exc:  # noqa: BLE001 — the contract
                return handled(self, item, exc)

        return wrapped_async

    @functools.wraps(process_item)
    def wrapped(self: Any, item: Any, *args: Any) -> Any:
        try:
            return process_item(self, item, *args)
        except Exception as exc:  # noqa: BLE001 — the contract
            return handled(self, item, exc)

    return wrapped


def watch_drops(crawler: Crawler) -> None:
    """Count in ``archive/dropped`` every spider callback that raised: a page or listing that
    gave nothing (once per crawler)."""
    if getattr(crawler, "_archive_drops_watched", False):
        return
    crawler._archive_drops_watched = True  # type: ignore[attr-defined]

    def dropped(*_args: Any, **_kwargs: Any) -> None:
        crawler.stats.inc_value(DROPPED_STAT)

    crawler.signals.connect(dropped, signal=signals.spider_error, weak=False)
