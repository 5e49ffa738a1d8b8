"""The ``-a`` arguments of a news spider, parsed once into one typed object.

``scrapy crawl <spider> -a name=value`` hands every value over as text. ``SpiderArguments.parse``
turns them into typed fields and says, in one line naming the argument and what it accepts,
what is wrong with a bad one; ``crawler/commands/scrapycmds/crawl.py`` runs it before anything
is created, so a bad argument is exit status 2 and no archive file.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"0", "false", "no", "off", ""})


class ArgumentError(ValueError):
    """A spider argument that is not what it accepts; the message is the one line to print."""


@dataclass(frozen=True)
class SpiderArguments:
    base_url: str | None = None  # a mirror of the canonical host (tests, a local copy)
    since: date | None = None  # articles published before this day are not requested
    max_pages: int | None = None  # pages walked per listing at most (else ARCHIVE_MAX_PAGES)
    backfill: bool = False  # the whole archive: budgets widened, day archives walked
    edition_urls: str | None = None  # host=url,… mirrors of editions (parsed by the spider)
    refresh_days: float | None = None  # archived articles of the last N days fetched again

    @classmethod
    def parse(cls, values: dict[str, Any]) -> SpiderArguments:
        """The typed arguments from ``values`` (the names of this class only)."""
        out: dict[str, Any] = {}
        for name, value in values.items():
            if value is None:
                continue
            parse = _PARSERS[name]
            out[name] = parse(name, value)
        return cls(**out)


def _text(name: str, value: Any) -> str | None:
    return str(value) or None


def _since(name: str, value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if not str(value).strip():
        return None
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ArgumentError(f"-a {name}={value!r}: expected a date as YYYY-MM-DD") from None


def _max_pages(name: str, value: Any) -> int | None:
    if not str(value).strip():
        return None
    try:
        pages = int(str(value).strip())
    except ValueError:
        raise ArgumentError(f"-a {name}={value!r}: expected a whole number of pages, 1 or more") from None
    if pages < 1:
        raise ArgumentError(f"-a {name}={value!r}: expected a whole number of pages, 1 or more")
    return pages


def _backfill(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE:
        return True
    if word in FALSE:
        return False
    raise ArgumentError(f"-a {name}={value!r}: expected 1/true/yes/on or 0/false/no/off")


def _refresh_days(name: str, value: Any) -> float | None:
    if not str(value).strip():
        return None
    try:
        days = float(str(value).strip())
    except ValueError:
        raise ArgumentError(f"-a {name}={value!r}: expected a positive number of days") from None
    if not days > 0 or days == float("inf"):
        raise ArgumentError(f"-a {name}={value!r}: expected a positive number of days")
    return days


_PARSERS = {"base_url": _text, "since": _since, "max_pages": _max_pages, "backfill": _backfill,
            "edition_urls": _text, "refresh_days": _refresh_days}
NAMES = tuple(f.name for f in fields(SpiderArguments))


def accepted_names(spidercls: type) -> set[str]:
    """Every ``-a`` name ``spidercls`` accepts: ``SpiderArguments``, the keyword parameters of its
    constructors (``-a url=`` of ``news``), and the facts it states, which an argument replaces
    for one run (``-a article_path=``)."""
    names = set(NAMES)
    for klass in spidercls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is not None:
            names.update(p.name for p in inspect.signature(init).parameters.values()
                         if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD) and p.name != "self")
    names.update(n for n in dir(spidercls) if not n.startswith("_") and not callable(getattr(spidercls, n, None)))
    return names


def check(spidercls: type, values: dict[str, Any]) -> SpiderArguments:
    """Raise ``ArgumentError`` for an argument ``spidercls`` does not accept or a bad value."""
    for name in values:
        if name not in accepted_names(spidercls):
            known = ", ".join(sorted(NAMES))
            raise ArgumentError(f"-a {name}: not an argument of {getattr(spidercls, 'name', spidercls.__name__)} "
                                f"(arguments: {known}; README, 'Spider arguments')")
    return SpiderArguments.parse({n: v for n, v in values.items() if n in NAMES})
