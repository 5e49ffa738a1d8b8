"""Why a request failed, in the archive's vocabulary (``crawler/reasons.py``)."""

from __future__ import annotations

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.defer import CancelledError
from twisted.internet.error import ConnectionRefusedError, DNSLookupError, TCPTimedOutError, TimeoutError
from twisted.python.failure import Failure

from crawler import reasons


def failure_reason(failure: Failure) -> tuple[str, int | None]:
    """A short stable slug for why a download failed, and the HTTP status if there was one."""
    exc = failure.value
    if isinstance(exc, HttpError):
        status = exc.response.status
        return reasons.http_status(status), status
    if isinstance(exc, (TimeoutError, TCPTimedOutError, DownloadTimeoutError)):
        return "timeout", None
    if isinstance(exc, (DNSLookupError, CannotResolveHostError)):
        return "dns", None
    if isinstance(exc, (ConnectionRefusedError, DownloadConnectionRefusedError)):
        return "connection-refused", None
    if isinstance(exc, (DownloadCancelledError, CancelledError)):
        # Scrapy cancels a download only when it outgrows DOWNLOAD_MAXSIZE.
        return reasons.TOO_LARGE, None
    return reasons.DOWNLOAD_ERROR, None


def ignored_reason(failure: Failure) -> str | None:
    """A request Scrapy dropped (``IgnoreRequest``) that is still the page's answer and must be
    recorded, so later runs do not ask again: a body over ``DOWNLOAD_MAXSIZE`` once decompressed,
    more redirects than ``REDIRECT_MAX_TIMES``, a redirect to another host. None for the drops
    that are ours to make before asking (robots.txt, an offsite link): nothing was fetched."""
    if not failure.check(IgnoreRequest) or failure.check(HttpError):
        return None
    message = str(failure.value)
    # Scrapy says which drop it was only in its messages (downloadermiddlewares/httpcompression.py,
    # redirect.py, offsite.py); tests/test_redirects_e2e.py pins them against the installed Scrapy.
    if "DOWNLOAD_MAXSIZE" in message:
        return reasons.TOO_LARGE
    if "max redirections" in message:
        return reasons.TOO_MANY_REDIRECTS
    if failure.request.meta.get("redirect_urls") and "offsite" in message.lower():
        # a redirect to another host, dropped by Scrapy's offsite filter: the answer for good
        return reasons.OFFSITE_REDIRECT
    return None
