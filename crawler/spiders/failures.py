"""Why a request failed, in the archive's vocabulary (``crawler/reasons.py``).

``classify(exc)`` is the one map from a download exception to a failure category; the spiders'
reject reasons, ``canary``'s failed step and the reachability sentence all come from it.
"""

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

# Download exception classes → category, most specific first. Scrapy ≥ 2.15 raises its own
# classes; Twisted's are what they wrap (and what older download handlers raise).
CATEGORIES: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    ((CannotResolveHostError, DNSLookupError), reasons.DNS),
    ((DownloadConnectionRefusedError, ConnectionRefusedError), reasons.CONNECTION_REFUSED),
    ((DownloadTimeoutError, TimeoutError, TCPTimedOutError), reasons.TIMEOUT),
    # Scrapy cancels a download only when it outgrows DOWNLOAD_MAXSIZE.
    ((DownloadCancelledError, CancelledError), reasons.TOO_LARGE),
)
try:  # TLS failures surface as pyOpenSSL errors
    from OpenSSL.SSL import Error as TLSError

    CATEGORIES += (((TLSError,), reasons.TLS),)
except ImportError:  # pragma: no cover - pyOpenSSL is a Scrapy dependency
    pass


def category_of_class(cls: type[BaseException]) -> str | None:
    """The category of an exception class, None when it is none of ours."""
    for classes, category in CATEGORIES:
        if issubclass(cls, classes):
            return category
    return None


def classify(exc: BaseException | None) -> tuple[str, int | None]:
    """A short stable slug for why a download failed, and the HTTP status if there was one.

    Follows ``raise … from …`` a few links deep: Scrapy's exceptions wrap Twisted's.
    """
    for _ in range(5):
        if exc is None:
            break
        if isinstance(exc, HttpError):
            return reasons.http_status(exc.response.status), exc.response.status
        category = category_of_class(type(exc))
        if category is not None:
            return category, None
        exc = exc.__cause__
    return reasons.DOWNLOAD_ERROR, None


def failure_reason(failure: Failure) -> tuple[str, int | None]:
    """``classify`` of a Twisted failure."""
    return classify(failure.value)


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
