"""Vietnamese dates: the one time zone and the one printed ``dd/mm/yyyy`` form.

Every paper prints and publishes in Vietnam time (UTC+07:00, no daylight saving), and prints
days as ``dd/mm/yyyy``. Discovery, extraction, date archives and Datasette all read dates
through these, so a rule (which years are plausible, what an impossible day gives) holds
everywhere at once.
"""

from __future__ import annotations

import re
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
