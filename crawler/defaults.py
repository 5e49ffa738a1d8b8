"""The ``ARCHIVE_*`` settings: their defaults applied once, their values checked once.

The defaults are the ``ARCHIVE_*`` names of ``crawler/settings.py`` (the one place they are
written, documented in README.md). ``ArchiveDefaults`` is a Scrapy add-on (``ADDONS``): its
``update_settings`` gives every crawler the defaults it lacks (at add-on priority, so the project,
a spider's ``custom_settings`` and ``-s`` win) and checks every value, so code reads
``settings.getint("ARCHIVE_MAX_PAGES")`` plainly. ``problem`` is the check alone, for
``scrapy crawl`` to refuse a bad ``-s`` in one line before anything is created.
"""

from __future__ import annotations

from typing import Any

from crawler import settings as project

DEFAULTS: dict[str, Any] = {name: getattr(project, name) for name in dir(project) if name.startswith("ARCHIVE_")}

# Values below these make no sense (a walk of zero pages, a batch of none); the rest accept 0.
AT_LEAST_ONE = frozenset({
    "ARCHIVE_BATCH_SIZE", "ARCHIVE_STALE_PAGES", "ARCHIVE_MAX_PAGES", "ARCHIVE_REJECT_MAX_ATTEMPTS",
    "ARCHIVE_DB_LOCK_ATTEMPTS", "ARCHIVE_BACKFILL_FACTOR", "ARCHIVE_BACKFILL_SINCE_DAYS",
    "ARCHIVE_ARCHIVE_EMPTY_DAYS", "ARCHIVE_SECTION_DEPTH", "ARCHIVE_WARC_MAX_BYTES",
})
CHOICES: dict[str, tuple[str, ...]] = {"ARCHIVE_PROGRESS": ("auto", "line", "log", "off")}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def problem(name: str, value: Any) -> str | None:
    """None when ``value`` is one ``name`` accepts, else the line that says what it accepts."""
    default = DEFAULTS.get(name)
    if default is None:
        return None
    text = str(value).strip()
    if isinstance(default, bool):
        if isinstance(value, bool) or text.lower() in _TRUE | _FALSE:
            return None
        return f"-s {name}={value!r}: expected 1/true/yes/on or 0/false/no/off"
    least = 1 if name in AT_LEAST_ONE else 0
    if isinstance(default, int):
        try:
            number: float = int(text)
        except ValueError:
            return f"-s {name}={value!r}: expected a whole number, {least} or more"
        if number < least:
            return f"-s {name}={value!r}: expected a whole number, {least} or more"
        return None
    if isinstance(default, float):
        try:
            number = float(text)
        except ValueError:
            return f"-s {name}={value!r}: expected a number, 0 or more"
        if not 0 <= number < float("inf"):
            return f"-s {name}={value!r}: expected a number, 0 or more"
        return None
    if name in CHOICES and text.lower() not in CHOICES[name]:
        return f"-s {name}={value!r}: expected one of {', '.join(CHOICES[name])}"
    return None


def problems(settings: Any) -> list[str]:
    """The lines for every bad ``ARCHIVE_*`` value in ``settings``."""
    return [line for name in DEFAULTS if name in settings and (line := problem(name, settings[name])) is not None]


class ArchiveDefaults:
    """Scrapy add-on: the ``ARCHIVE_*`` defaults for every crawler, and their values checked."""

    def update_settings(self, settings: Any) -> None:
        for name, value in DEFAULTS.items():
            settings.set(name, value, "addon")  # a value set with a higher priority stays
        if bad := problems(settings):
            raise ValueError(bad[0])
