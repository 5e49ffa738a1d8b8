"""The vocabulary of outcomes: why a page became no article, and why a crawl ended.

Every reject reason and finish reason the archive writes is named here, once. Stats keys are
built from them (``extract/rejected/<reason>``), ``rejects.reason`` holds them, README lists them.
"""

from __future__ import annotations

# -- reject reasons (``rejects.reason``) ---------------------------------------------------------

# Extraction found no article in the page.
EMPTY_PAGE = "empty-page"
NOT_HTML = "not-html"
ERROR_PAGE = "error-page"
VIDEO_ONLY = "video-only"
NO_MAIN_TEXT = "no-main-text"
TOO_SHORT = "too-short"
# Extraction ran over its per-page time budget (ARCHIVE_EXTRACT_TIMEOUT). Not permanent: a
# later run, on a less loaded machine or a newer extractor, may finish it.
TIMEOUT_EXTRACT = "timeout-extract"
# The page has more elements than ARCHIVE_EXTRACT_MAX_ELEMENTS: rejected before it is parsed, since
# parsing and pruning it would cost memory and time no article needs.
TOO_MANY_ELEMENTS = "too-many-elements"
# Download outcomes.
TOO_LARGE = "too-large"
DOWNLOAD_ERROR = "download-error"
# More redirects than REDIRECT_MAX_TIMES: the page is never reached.
TOO_MANY_REDIRECTS = "too-many-redirects"
# The page redirects to another host, or another port of the same host: not the paper's page.
OFFSITE_REDIRECT = "offsite-redirect"
# A page item that reached extraction without HTML and without a reason of its own.
NO_CONTENT = "no-content"
# Extraction gave neither an article nor a reason (a bug, not a page property).
UNKNOWN = "unknown"
# A pipeline stage raised on the page, or its extraction worker died (a bug, not a page
# property; ``rejects.detail`` holds the stage and the exception). Not permanent: a fixed
# version handles the page on a later run.
STAGE_ERROR = "stage-error"
# The store could not write the page's record (``rejects.detail`` holds the error, e.g. a lone
# surrogate in a title). Not permanent: a fixed extractor or store may store it next time, and
# the reject back-off (ARCHIVE_REJECT_RETRY_HOURS, ARCHIVE_REJECT_MAX_ATTEMPTS) bounds the cost.
UNSTORABLE = "unstorable"


# Why a download failed before any answer (``crawler.spiders.failures.classify`` picks one).
DNS = "dns"
CONNECTION_REFUSED = "connection-refused"
TIMEOUT = "timeout"
TLS = "tls"

# The same, in words for a sentence ("baocamau.vn could not be reached (DNS lookup failed)").
FAILURE_WORDS = {
    DNS: "DNS lookup failed",
    CONNECTION_REFUSED: "connection refused",
    TIMEOUT: "timed out",
    TLS: "TLS handshake failed",
    TOO_LARGE: "response too large",
}


def http_status(status: int) -> str:
    """``http-404`` etc.: a final HTTP error status."""
    return f"http-{status}"


EXTRACTION_REASONS = (EMPTY_PAGE, NOT_HTML, ERROR_PAGE, VIDEO_ONLY, NO_MAIN_TEXT, TOO_SHORT, TIMEOUT_EXTRACT)

# Reasons after which fetching the page again would give the same answer. Other rejects
# (timeouts, 5xx, connection errors) are retried on later runs, with a back-off.
PERMANENT_REJECTS = frozenset(
    {
        http_status(404),
        http_status(410),
        http_status(403),
        TOO_LARGE,
        TOO_MANY_ELEMENTS,
        TOO_MANY_REDIRECTS,
        OFFSITE_REDIRECT,
        NOT_HTML,
        VIDEO_ONLY,
        EMPTY_PAGE,
        NO_MAIN_TEXT,
        TOO_SHORT,
        ERROR_PAGE,
    }
)


def is_permanent(reason: str) -> bool:
    return reason in PERMANENT_REJECTS


# -- finish reasons (``crawls.finish_reason``) ---------------------------------------------------

FINISHED = "finished"
# A write to the archive failed for good; ``crawls.lost_records`` says how many records were lost.
STORE_FAILED = "store-failed"
# The per-site, per-run request budget of discovery ran out before the site was walked.
BUDGET_EXHAUSTED = "budget-exhausted"
# The site could not be reached at all (DNS, connection refused, TLS), or every request failed.
SITE_UNREACHABLE = "site-unreachable"
ALL_REQUESTS_FAILED = "all-requests-failed"
# Another crawl of the same paper holds this archive (``crawl_locks``); nothing was fetched.
ALREADY_RUNNING = "already-running"
