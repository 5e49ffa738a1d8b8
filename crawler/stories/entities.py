"""Names, places, numbers and dates in a Vietnamese news text: the strongest evidence that two
differently written texts report one event.

Rule-based, because no maintained Vietnamese NER runs at a crawler's speed without a model
download; the rules rest on how the language is written:

- Names of people, places and organisations are runs of two or more capitalised syllables
  ("Nguyễn Hồ Hải", "Bạc Liêu", "Vĩnh Trạch"); ordinary words capitalise only the first
  syllable of a sentence. Titles and institutions ("Tỉnh ủy", "Ban Thường vụ", "HĐND") and
  sentence openers are listed in ``data/generic.txt`` and trimmed; a family name from
  ``data/surnames.txt`` inside a run starts a new entity ("Cà Mau Nguyễn Hồ Hải").
- Dates written ``23/7``, ``23-7-2025`` or ``ngày 23 tháng 7`` become ``23/7`` (the year is
  left out: papers drop it in running text); other numbers count when they are specific
  (three or more digits, or with a thousands/decimal separator: ``3.420``, ``15,5``); years
  alone are too common to be evidence and are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from crawler.stories.tokens import tone_normalized
from crawler.text import clean


@cache
def _wordlist(name: str) -> frozenset[str]:
    lines = resources.files("crawler.stories").joinpath("data", name).read_text(encoding="utf-8").splitlines()
    return frozenset(ln.strip() for ln in lines if ln.strip() and not ln.startswith("#"))


def surnames() -> frozenset[str]:
    return _wordlist("surnames.txt")


def generic() -> frozenset[str]:
    return _wordlist("generic.txt")


# Never part of a person's name: a title or an administrative unit after it.
_HARD_GENERIC = frozenset({"tỉnh", "ủy", "ban", "đảng", "hđnd", "ubnd", "mttq", "bch", "xã", "phường", "huyện",
                           "tp", "sở", "bí", "chủ", "phó", "trưởng", "ông", "bà"})

# Tokens: a word (letters/digits), or one punctuation mark that ends a run of names.
_TOKEN = re.compile(r"\w+|[^\w\s]")
_DATE = re.compile(r"(?<![\d.,/])(\d{1,2})\s?[/-]\s?(\d{1,2})(?:\s?[/-]\s?(\d{2,4}))?(?![\d/])")
_DATE_WORDS = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\w.,])\d{1,3}(?:[.,]\d+)+(?![\w])|(?<![\w.,/])\d{3,}(?![\w/])")


@dataclass
class Entities:
    people: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)  # places and organisations (not told apart)
    dates: set[str] = field(default_factory=set)
    numbers: set[str] = field(default_factory=set)

    def keys(self) -> set[str]:
        """One flat set of typed keys (``p:``, ``n:``, ``d:``, ``x:``), lowercase."""
        return ({f"p:{e.lower()}" for e in self.people} | {f"n:{e.lower()}" for e in self.names}
                | {f"d:{e}" for e in self.dates} | {f"x:{e}" for e in self.numbers})


def _capitalised(tok: str) -> bool:
    return tok[0].isupper() and not tok.isdigit()


def _split_run(run: list[str]) -> list[list[str]]:
    """Trim generic syllables and split a run of capitalised syllables into entities."""
    gen, sur = generic(), surnames()
    parts: list[list[str]] = []
    cur: list[str] = []
    for tok in run:
        # Inside a person's name, syllables such as Quốc, Việt, Dân, Minh are given names.
        in_name = bool(cur) and cur[0] in sur and len(cur) < 4 and tok.lower() not in _HARD_GENERIC
        if tok.lower() in gen and not in_name:
            if cur:
                parts.append(cur)
            cur = []
            continue
        # A family name starts a new entity, unless the current one is a person's name that is
        # still short enough to go on (given names often are family names too: "Nguyễn Hồ Hải").
        if cur and tok in sur and not (cur[0] in sur and len(cur) < 3):
            parts.append(cur)
            cur = []
        cur.append(tok)
    if cur:
        parts.append(cur)
    return parts


# A byline or credit closing a text ("Hoàng Lam - Hữu Thọ", "Theo Báo Cà Mau"): short lines at
# the end name the writer or the source, not the event, and one writer covers many events.
BYLINE_WORDS = 8
BYLINE_LINES = 2


def without_byline(text: str) -> str:
    lines = text.rstrip().split("\n")
    for _ in range(BYLINE_LINES):
        while lines and not lines[-1].strip():
            lines.pop()
        if len(lines) > 1 and len(lines[-1].split()) <= BYLINE_WORDS and not lines[-1].rstrip().endswith((".", "!", "?", ";")):
            lines.pop()
    return "\n".join(lines)


def extract(text: str) -> Entities:
    """Entities of an article text (title included, if the caller adds it), its closing
    byline or credit left out."""
    s = without_byline(tone_normalized(clean(text)))
    found = Entities()
    for m in _DATE_WORDS.finditer(s):
        found.dates.add(f"{int(m.group(1))}/{int(m.group(2))}")
    for m in _DATE.finditer(s):
        day, month = int(m.group(1)), int(m.group(2))
        if 1 <= day <= 31 and 1 <= month <= 12:
            found.dates.add(f"{day}/{month}")
    for m in _NUMBER.finditer(_DATE.sub(" ", s)):
        digits = m.group()
        if re.fullmatch(r"(19|20)\d\d", digits):
            continue
        found.numbers.add(digits)
    sur = surnames()
    for line in s.split("\n"):
        run: list[str] = []
        for tok in [*_TOKEN.findall(line), "."]:
            if tok[0].isalpha() and _capitalised(tok):
                run.append(tok)
                continue
            for part in _split_run(run):
                if len(part) >= 2 or (len(part) == 1 and part[0].isupper() and len(part[0]) >= 3):
                    # one all-caps word (an acronym) is a name too: "VNPT", "EVN"
                    name = " ".join(part)
                    (found.people if part[0] in sur and 2 <= len(part) <= 4 else found.names).add(name)
            run = []
    return found
