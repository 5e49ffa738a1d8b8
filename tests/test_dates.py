"""Dates as a person reads and types them: printed dd/mm/yyyy HH:MM in Vietnam time, typed forms."""

from datetime import date

import pytest

from crawler.text.dates import DateInputError, DateSpan, display, parse_user_date


@pytest.mark.parametrize(
    "iso, shown",
    [
        ("2025-07-23T10:05:00+00:00", "23/07/2025 17:05"),  # UTC shown in Vietnam time
        ("2025-07-23T17:05:00+07:00", "23/07/2025 17:05"),
        ("2025-12-31T20:00:00Z", "01/01/2026 03:00"),  # crosses midnight and the year
        ("2025-07-23", "23/07/2025"),
        (None, ""),
        ("not a date", "not a date"),
    ],
)
def test_display(iso, shown):
    assert display(iso) == shown


@pytest.mark.parametrize(
    "typed, span",
    [
        ("23/07/2025", DateSpan(date(2025, 7, 23), date(2025, 7, 23))),
        ("3/7/2025", DateSpan(date(2025, 7, 3), date(2025, 7, 3))),
        ("2025-07-23", DateSpan(date(2025, 7, 23), date(2025, 7, 23))),
        ("02/2024", DateSpan(date(2024, 2, 1), date(2024, 2, 29))),
        ("12/2024", DateSpan(date(2024, 12, 1), date(2024, 12, 31))),
        (" 2024 ", DateSpan(date(2024, 1, 1), date(2024, 12, 31))),
    ],
)
def test_parse_user_date(typed, span):
    assert parse_user_date(typed) == span


@pytest.mark.parametrize("typed", ["31/02/2025", "13/2024", "hôm qua", "", "2025/07/23", "23-07-25"])
def test_parse_user_date_refuses_with_one_clear_line(typed):
    with pytest.raises(DateInputError) as raised:
        parse_user_date(typed)
    message = str(raised.value)
    assert "\n" not in message and "dd/mm/yyyy" in message and message.startswith("Ngày")
