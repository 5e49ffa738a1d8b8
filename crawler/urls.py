"""URL canonicalisation: one spelling per page, so dedupe and incremental checks compare like with like."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

# Parameters that only say how a reader arrived (share buttons, ads, Zalo/Facebook); never part of a page's identity.
TRACKING_PARAMS = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|zarsrc|zaloid|_ga|_gl|mc_cid|mc_eid|ref|src|igshid)$", re.I
)


def canonical_url(url: str, *, keep_query: bool = True) -> str:
    """One spelling per page: ``w3lib.url.canonicalize_url`` (lower-case scheme and host, UTF-8
    paths and queries percent-encoded the one way, so ``/tin-tức/`` and ``/tin-t%E1%BB%A9c/`` are
    one URL; query sorted; no fragment) plus what it leaves alone: the default port dropped,
    tracking parameters dropped, an empty path made ``/``.

    ``keep_query=False`` drops the whole query: right for article URLs on CMSs where the
    path alone names the article.
    """
    parts = urlsplit(url.strip())
    netloc = parts.netloc.lower()
    if (parts.scheme.lower(), netloc.rsplit(":", 1)[-1]) in {("http", "80"), ("https", "443")}:
        netloc = netloc.rsplit(":", 1)[0]
    query = ""
    if keep_query and parts.query:
        pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING_PARAMS.match(k)]
        query = urlencode(pairs)
    return canonicalize_url(urlunsplit((parts.scheme, netloc, parts.path or "/", query, "")))


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()
