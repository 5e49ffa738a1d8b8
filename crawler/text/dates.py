"""Vietnamese dates: the one time zone and the one printed ``dd/mm/yyyy`` form.

Every paper prints and publishes in Vietnam time (UTC+07:00, no daylight saving), and prints
days as ``dd/mm/yyyy``. Discovery, extraction, date archives and Datasette all read dates
through these, so a rule (which years are plausible, what an impossible day gives) holds
everywhere at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

VN_TZ = timezone(timedelta(hours=7), "+07:00")

# The oldest year a provincial party paper can date an article in (the press of the
# Democratic Republic begins in 1945); anything earlier is a placeholder such as 0001-01-01.
MIN_YEAR = 1945

# ``dd/mm/yyyy`` as printed in listings, date lines and feeds; digits glued to it on either
# side make it something else (an id, a phone number).
DMY = re.compile(r"(?<!\d)(\d{1,2})/(\d{1,2})/(\d{4})(?!\d)")


def year_ok(year: int) -> bool:
    """A year an article can carry: 1945 to next year (a page dated ahead by a clock error)."""
    return MIN_YEAR <= year <= datetime.now(VN_TZ).year + 1


def dmy_date(day: str, month: str, year: str) -> date | None:
    """The day the three printed parts name, or None when it does not exist (``30/02``) or
    its year is implausible: an impossible date gives no date, never a guess."""
    try:
        found = date(int(year), int(month), int(day))
    except ValueError:
        return None
    return found if year_ok(found.year) else None


def today() -> date:
    """Today in Vietnam."""
    return datetime.now(VN_TZ).date()


# -- reading dates printed by the papers -------------------------------------------------------

# A numeric day-month-year with ``/``, ``.`` or ``-`` between the parts (date lines).
NUM_DATE = re.compile(r"(?<!\d)(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?!\d)")
# A clock time beside it: ``17:05``, ``17h05``, ``17g05``, ``17:05:30``.
NUM_TIME = re.compile(r"(?<![\d/.-])(\d{1,2})\s*[:hg]\s*(\d{2})(?::(\d{2}))?(?![\d/])")
# Vietnamese dates in words ("11 tháng 7 năm 2024"); other languages are left to htmldate.
_MONTH_WORD = re.compile(r"tháng", re.I)
_YEAR_WORD = re.compile(r"\b(?:19|20)\d{2}\b")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def to_vn(value: datetime) -> datetime:
    """``value`` in Vietnam time; a time without an offset is taken as Vietnam time."""
    if value.tzinfo is None:
        return value.replace(tzinfo=VN_TZ)
    return value.astimezone(VN_TZ)


def parse_iso(value: str) -> date | datetime | None:
    """An ISO date or date-time from structured data (JSON-LD, meta tags), in +07:00, or None
    when it is no date or its year is implausible."""
    value = (value or "").strip()
    try:
        if _ISO_DAY.fullmatch(value):
            parsed_day = date.fromisoformat(value)
            return parsed_day if year_ok(parsed_day.year) else None
        parsed = datetime.fromisoformat(value)
        # 0001-01-01T00:00:00+08:00 would overflow in astimezone, hence the year check first.
        if not year_ok(parsed.year):
            return None
        return to_vn(parsed)
    except (ValueError, OverflowError):
        return None


def parse_visible_date(text: str) -> date | datetime | None:
    """Read a printed publication date such as ``23/07/2025 - 17:05`` or ``08:21 | 23/07/2025``.

    Day-month-year order, four-digit year (the render-time clock line has a two-digit one).
    A time anywhere in the same short string is taken as Vietnam time. Dates in words go to
    dateparser, absolute forms only.
    """
    match = NUM_DATE.search(text)
    if match is None:
        return words_date(text)
    found = dmy_date(*match.groups())
    if found is None:  # 30/02/2025: an impossible date is no date, not a guess
        return None
    rest = text[: match.start()] + " " + text[match.end() :]
    clock = NUM_TIME.search(rest)
    if clock is None:
        return found
    hour, minute, second = int(clock.group(1)), int(clock.group(2)), int(clock.group(3) or 0)
    if hour > 23 or minute > 59 or second > 59:
        return found
    return datetime(found.year, found.month, found.day, hour, minute, second, tzinfo=VN_TZ)


def words_date(text: str) -> date | None:
    """A Vietnamese date in words, or None. dateparser is slow: only strings with a year and
    the word ``tháng`` reach it."""
    if not _YEAR_WORD.search(text) or not _MONTH_WORD.search(text):
        return None
    import dateparser  # slow to import; most pages never need it

    try:
        parsed = dateparser.parse(
            text,
            languages=["vi"],
            settings={"DATE_ORDER": "DMY", "PARSERS": ["absolute-time"], "REQUIRE_PARTS": ["day", "month", "year"]},
        )
    except (ValueError, OverflowError, TypeError):
        return None
    return parsed.date() if parsed and year_ok(parsed.year) else None


# -- printing dates for a person ---------------------------------------------------------------


def display(iso: str | None) -> str:
    """An ISO date or date-time as a reader in Vietnam reads it: ``dd/mm/yyyy HH:MM`` in +07:00
    (``dd/mm/yyyy`` for a date without a time). Empty for no date; text that is no ISO date is
    returned as it is, so a bad stored value is shown, not hidden."""
    if not iso:
        return ""
    parsed = _parse_any_iso(iso)
    if parsed is None:
        return str(iso)
    if isinstance(parsed, datetime):
        return parsed.strftime("%d/%m/%Y %H:%M")
    return parsed.strftime("%d/%m/%Y")


def _parse_any_iso(value: str) -> date | datetime | None:
    value = str(value).strip()
    try:
        if _ISO_DAY.fullmatch(value):
            return date.fromisoformat(value)
        return to_vn(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except (ValueError, OverflowError):
        return None


# -- reading dates typed by a person -----------------------------------------------------------

USER_DATE_FORMS = "dd/mm/yyyy, yyyy-mm-dd, mm/yyyy, yyyy"


class DateInputError(ValueError):
    """A typed date that is none of ``USER_DATE_FORMS``, or a day that does not exist.
    The message is one line, Vietnamese first, naming what was typed and what is accepted."""


@dataclass(frozen=True)
class DateSpan:
    """What a typed date means: every day from ``start`` to ``end`` inclusive (one day for
    ``dd/mm/yyyy``, a month for ``mm/yyyy``, a year for ``yyyy``)."""

    start: date
    end: date


_USER_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_USER_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_USER_MY = re.compile(r"(\d{1,2})[/.-](\d{4})")
_USER_Y = re.compile(r"(\d{4})")


def parse_user_date(text: str) -> DateSpan:
    """The span of days a person means by ``text``: ``23/07/2025`` or ``2025-07-23`` (one day),
    ``07/2025`` (that month), ``2025`` (that year). Raises ``DateInputError`` otherwise."""
    typed = (text or "").strip()
    try:
        if m := _USER_DMY.fullmatch(typed):
            day = date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            return DateSpan(day, day)
        if m := _USER_ISO.fullmatch(typed):
            day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            return DateSpan(day, day)
        if m := _USER_MY.fullmatch(typed):
            year, month = int(m.group(2)), int(m.group(1))
            start = date(year, month, 1)
            following = date(year + (month == 12), month % 12 + 1, 1)
            return DateSpan(start, following - timedelta(days=1))
        if m := _USER_Y.fullmatch(typed):
            year = int(m.group(1))
            return DateSpan(date(year, 1, 1), date(year, 12, 31))
    except ValueError:
        raise DateInputError(
            f"Ngày không tồn tại: {typed!r} (invalid date: no such day; accepted: {USER_DATE_FORMS})"
        ) from None
    raise DateInputError(
        f"Ngày không hợp lệ: {typed!r}; dùng {USER_DATE_FORMS} (invalid date; accepted: {USER_DATE_FORMS})"
    )
