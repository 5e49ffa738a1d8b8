"""Dates typed into the archive's pages: ``since`` / ``until`` as a person writes them.

Every form of ``crawler.text.dates.parse_user_date`` is accepted (``25/10/2025``,
``2025-10-25``, ``10/2025``, ``2025``); ``until`` keeps the whole day, month or year it names.
``crawler.datasette.guard`` refuses a request with any other value, with the one-line message
of ``parse_user_date`` (Vietnamese first), before a query could answer "0 results" for it.
SQL gets ``vn_since(text)`` and ``vn_until(text)``: the first and last day (``yyyy-mm-dd``) of
what was typed, ``''`` for nothing typed, NULL for what is no date.
"""

from __future__ import annotations

from crawler.text.dates import DateInputError, parse_user_date

DATE_PARAMS = ("since", "until")


def problem(pairs) -> str | None:
    """The message for the first typed date that is no date, or None."""
    for key, value in pairs:
        if key in DATE_PARAMS and value.strip():
            try:
                parse_user_date(value)
            except DateInputError as err:
                label = "Từ ngày · since" if key == "since" else "Đến ngày · until"
                return f"{label}: {err}"
    return None


def _bound(value, end: bool):
    if value is None:
        return None
    if not str(value).strip():
        return ""
    try:
        span = parse_user_date(str(value))
    except DateInputError:
        return None
    return (span.end if end else span.start).isoformat()


def vn_since(value):
    return _bound(value, end=False)


def vn_until(value):
    return _bound(value, end=True)


def register(conn) -> None:
    conn.create_function("vn_since", 1, vn_since, deterministic=True)
    conn.create_function("vn_until", 1, vn_until, deterministic=True)
