"""How a crawl ended, as an exit status and one plain sentence.

The finish reason is the crawl's own word (``crawls.finish_reason``, ``crawler.reasons``);
the exit status is what ``scrapy crawl``, ``python -m crawler crawl-all``, ``make crawl`` and
``deploy/crawl-all.sh`` return. README's "Exit status" table is this module in prose.
"""

from __future__ import annotations

from collections.abc import Iterable

from crawler import reasons

OK = 0
FAILED = 1  # the crawler crashed, or ended for a reason this table does not know
USAGE = 2  # bad command line, unknown spider, missing/corrupt archive: nothing was crawled
UNREACHABLE = 3  # no response at all: DNS, connection refused, TLS, timeouts
ALL_FAILED = 4  # responses came back, but every page was an HTTP error
STORE_FAILED = 5  # records could not be written: the archive misses pages of this run
CUT_SHORT = 6  # a budget or a CLOSESPIDER_* limit ended the run before the site was walked
INTERRUPTED = 7  # Ctrl-C / SIGTERM; resumable with JOBDIR
HELD = 8  # another crawl of the same paper is running on this archive: nothing was crawled

# Finish reasons with their exit status; closespider_* are matched by prefix.
EXIT_CODES = {
    reasons.FINISHED: OK,
    reasons.SITE_UNREACHABLE: UNREACHABLE,
    reasons.ALL_REQUESTS_FAILED: ALL_FAILED,
    reasons.STORE_FAILED: STORE_FAILED,
    reasons.BUDGET_EXHAUSTED: CUT_SHORT,
    "shutdown": INTERRUPTED,
    reasons.ALREADY_RUNNING: HELD,
}
CUT_PREFIX = "closespider_"

# For crawl-all: the status of the whole run is that of its worst site, worst first.
SEVERITY = (STORE_FAILED, FAILED, UNREACHABLE, ALL_FAILED, INTERRUPTED, HELD, CUT_SHORT, OK)

WORDS = {
    OK: "finished",
    FAILED: "failed",
    UNREACHABLE: "site could not be reached",
    ALL_FAILED: "every request failed",
    STORE_FAILED: "records lost: the archive could not store them",
    CUT_SHORT: "cut short by a limit",
    INTERRUPTED: "interrupted",
    HELD: "already being crawled into this archive",
}


def exit_code(finish_reason: str | None) -> int:
    """The exit status for one crawl's finish reason (``None``: it never finished)."""
    if finish_reason is None:
        return FAILED
    if finish_reason.startswith(CUT_PREFIX):
        return CUT_SHORT
    return EXIT_CODES.get(finish_reason, FAILED)


def worst(codes: Iterable[int]) -> int:
    """The status of a run of several crawls: the most severe of theirs (0 if none)."""
    present = set(codes)
    return next((c for c in SEVERITY if c in present), OK)
