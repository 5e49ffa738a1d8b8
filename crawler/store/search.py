"""Vietnamese full-text search: turn what a reader types into an FTS5 query on ``articles_fts``.

The index (migration ``m002_search_index`` in ``crawler/store/migrations.py``) is FTS5 over the stored
``title`` and ``text`` with ``tokenize="unicode61 remove_diacritics 2"``. That tokenizer lowercases
and drops every Vietnamese diacritic, including letters that carry two marks (``ế``, ``ặ``, ``ờ``),
so tone placement (``uỷ``/``ủy``) and NFD never matter inside the index. It does *not* fold ``đ``:
``đ`` is a letter of its own, not ``d`` plus a mark, and no FTS5 tokenizer option changes that.
So the index holds ``đai hoi đang`` for "Đại hội Đảng".

Instead of keeping a second, folded copy of every article in the index (that made it 1.7 times
as large), the query does the folding: it goes through ``crawler.text.fold`` (NFC, ``Ð``→``Đ``,
one tone convention, no diacritics, ``đ``→``d``, lowercase) and every term beginning with ``d``
becomes an OR of its ``d``/``đ`` spellings::

    fts_query("Đại hội Đảng")   == fts_query("dai hoi dang")
                                 == '("dai" OR "đai") AND "hoi" AND ("dang" OR "đang")'

so a query typed with full diacritics, without any, with ``d`` for ``đ``, in NFD, with ``Ð``
(U+00D0) or with either tone placement finds the same articles. Because the index keeps the
original text, FTS5's own ``snippet()`` and ``bm25()`` work on it directly.

What a reader may type (anything else is read as words, never as FTS5 syntax, so no query
raises a syntax error):

- ``kế hoạch``: both words, anywhere (AND);
- ``"đại hội đảng"``: a phrase (straight or curly quotes);
- ``nông OR ngư``: either; ``OR`` binds loosest, as in FTS5 (``a b OR c`` is ``(a b) OR c``);
- ``-covid`` or ``NOT covid``: without this word (or ``-"phrase"``); ``AND`` may be typed, it
  changes nothing;
- ``hoa*``: a prefix (``hoa``, ``hoàng``, ``hoạch``…). A prefix typed with a letter's own mark
  keeps that letter: ``nuô*`` finds ``nuôi`` but not ``nước`` (``ô`` is not ``ư``), ``đa*``
  finds ``đã`` but not ``dân``. The index has no marks at all, so ``fts_query`` matches the
  bare prefix and ``prefix_letters_match`` checks the letters on each matching article (the
  search page and the table search box both apply it); tone marks never count. The index keeps
  ready-merged lists for prefixes of 2–4 letters (``m008_search_prefix``): without them FTS5
  merges every matching term's list on each MATCH, ~1 s for ``kh*`` at a million articles;
- ``title:đảng`` / ``title:"đại hội"``: in the title only (``text:`` for the body).

Limits (``check_query``): at most ``MAX_QUERY_CHARS`` characters and ``MAX_QUERY_WORDS`` words,
set by cost, not by habit: a pasted headline (15–25 syllables, ~150 characters with marks) fits,
a 5,000-character paste does not. Each word is a posting list FTS5 merges, and ``snippet()``
scores every phrase on every row it shows, inside one SQLite step that the SQL time limit (a
progress handler, run *between* steps) cannot interrupt; a 5,000-character query held a worker
for 35 s. What bounds a long query's cost is that only the words the index holds cost anything:
with ``exists`` (the archive's vocabulary) a misspelt or absent word becomes ``NOTHING`` before
FTS5 reads a list, and a word present in most of the archive is not scored (``rank_query``).
Beyond the limits ``fts_query`` raises ``QueryTooLong`` with a message for the reader, and the
Datasette plugin answers 400 before any SQL runs.

``phrase_query`` gives the same words as one phrase; the ranked search puts articles that
contain the typed words in that order first (bm25 alone ignores word order, so "Đảng viên …
đại hội" could otherwise outrank "Đại hội Đảng").
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata

from crawler.text import fold
from crawler.text.normalize import LETTER_MARKS, TONE_MARKS, VOWELS

__all__ = ["fts_query", "phrase_query", "query_terms", "check_query", "prefix_letters_match", "QueryTooLong", "NOTHING",
           "MAX_QUERY_CHARS", "MAX_QUERY_WORDS"]

# A valid FTS5 query that matches no row: what an empty query becomes.
NOTHING = '""'

COLUMNS = ("title", "text")

# FTS5's unicode61 tokenizer keeps letters and numbers (and private-use characters) together;
# everything else separates tokens. After ``fold`` the query is mostly ASCII, so ``\w`` minus
# the underscore is the same split.
_TOKEN = re.compile(r"[^\W_]+")
_QUOTES = str.maketrans({c: '"' for c in "\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033\uff02"})
# One piece of the query: [-][column:]("phrase"|word)[*]
_PIECE = re.compile(
    r"""(?P<neg>-)?
        (?:(?P<col>[A-Za-z]+):)?
        (?:"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+))
    """,
    re.VERBOSE,
)
# Expanding every d of a phrase to d/đ multiplies spellings; past this many a phrase is searched
# as consecutive sub-phrases instead (each still exact, their adjacency no longer enforced).
MAX_SPELLINGS = 16

MAX_QUERY_CHARS = 300
MAX_QUERY_WORDS = 40


class QueryTooLong(ValueError):
    """A query beyond the limits; ``str()`` is the message for the reader (Vietnamese · English)."""


def check_query(query: str | None) -> str | None:
    """The reader's message if ``query`` is beyond the limits, else None."""
    if not query:
        return None
    if len(query) > MAX_QUERY_CHARS:
        return (f"Câu tìm quá dài ({len(query):,} ký tự, tối đa {MAX_QUERY_CHARS}) · "
                f"Query too long ({len(query):,} characters; at most {MAX_QUERY_CHARS}). "
                "Bớt từ hoặc dùng bộ lọc · Use fewer words or the filters.")
    words = len(_TOKEN.findall(fold(query.translate(_QUOTES))))
    if words > MAX_QUERY_WORDS:
        return (f"Câu tìm có quá nhiều từ ({words}, tối đa {MAX_QUERY_WORDS}) · "
                f"Too many words ({words}; at most {MAX_QUERY_WORDS}). "
                "Bớt từ hoặc dùng bộ lọc · Use fewer words or the filters.")
    return None


# Marks that make another letter (ă â ê ô ơ ư) as opposed to tone marks; đ is a letter of its own.
_TONE_MARKS = dict.fromkeys(map(ord, TONE_MARKS), None)
_LETTER_MARKS = LETTER_MARKS
_WORDS = re.compile(r"[^\W_]+")


def _letters(s: str) -> str:
    """Lowercase, NFC, tone marks removed, letter marks and đ kept (``Nuối`` → ``nuôi``)."""
    s = unicodedata.normalize("NFD", s.replace("\u00d0", "\u0110").replace("\u00f0", "\u0111").lower())
    return unicodedata.normalize("NFC", s.translate(_TONE_MARKS))


def _lettered_prefixes(query: str) -> list[str]:
    """The prefixes of ``query`` typed with a vowel's letter mark, in ``_letters`` form."""
    out = []
    for m in _PIECE.finditer(query.translate(_QUOTES)):
        raw = m.group("word")
        if raw is None or not raw.endswith("*") or m.group("neg"):
            continue
        words = _WORDS.findall(_letters(raw))
        if words and any(c in _LETTER_MARKS for c in unicodedata.normalize("NFD", words[-1])):
            out.append(words[-1])
    return out


_TONES_NFD = TONE_MARKS
_VOWELS = VOWELS


def _spelled(prefix: str) -> list[str]:
    """Every way ``prefix`` (``_letters`` form) can appear in NFC text: with no tone, or with
    one of the five tones on any one of its vowels."""
    out = {prefix}
    for i, ch in enumerate(prefix):
        if ch in _VOWELS:
            for tone in _TONES_NFD:
                out.add(prefix[:i] + unicodedata.normalize("NFC", ch + tone) + prefix[i + 1:])
    if prefix.startswith("d"):  # a typed d may stand for đ
        out |= {"đ" + p[1:] for p in out}
    return sorted(out)


@functools.lru_cache(maxsize=256)
def _prefix_patterns(query: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(_spelled(p)) for p in _lettered_prefixes(query))


def _starts_a_word(text: str, spellings: tuple[str, ...]) -> bool:
    # str.find, not a regex alternation: this runs on every matching article's whole text.
    for spelling in spellings:
        at = text.find(spelling)
        while at != -1:
            if at == 0 or not (text[at - 1].isalnum() or text[at - 1] == "_"):
                return True
            at = text.find(spelling, at + 1)
    return False


def prefix_letters_match(query: str | None, *texts: str | None) -> bool:
    """True unless ``query`` has a prefix typed with a letter mark (``nuô*``) that no word of
    ``texts`` starts with, letter for letter (tones ignored). Cheap when it has none."""
    patterns = _prefix_patterns(query) if query and "*" in query else ()
    if not patterns:
        return True
    text = " ".join(t for t in texts if t).replace("\u00d0", "Đ").replace("\u00f0", "đ").lower()
    if not unicodedata.is_normalized("NFC", text):  # stored text is NFC already
        text = unicodedata.normalize("NFC", text)
    return all(_starts_a_word(text, spellings) for spellings in patterns)


def _spellings(token: str, exists=None) -> list[str]:
    """The index spellings a folded token may stand for.

    ``đ`` only ever starts a Vietnamese syllable, and syllables are separate tokens, so only a
    leading ``d`` may have been ``đ`` (``dan`` → ``dan``/``đan``; ``covid`` stays ``covid``).
    A token fold() made from a typed ``đ`` is marked with a leading ``\x00`` (see
    ``fts_query``, prefixes only): it stands for ``đ`` alone.
    """
    if token.startswith("\x00"):
        out = ["đ" + token[2:]]
    else:
        out = [token, "đ" + token[1:]] if token.startswith("d") else [token]
    return out if exists is None else [t for t in out if exists(t)]


def _quote(tokens: list[str]) -> str:
    return '"' + " ".join(tokens).replace('"', '""') + '"'


def _chunks(tokens: list[str], exists=None) -> list[list[str]]:
    """Split a phrase so that no chunk has more than MAX_SPELLINGS spellings."""
    chunks: list[list[str]] = [[]]
    count = 1
    for tok in tokens:
        n = max(1, len(_spellings(tok, exists)))
        if chunks[-1] and count * n > MAX_SPELLINGS:
            chunks.append([])
            count = 1
        chunks[-1].append(tok)
        count *= n
    return chunks


def _phrase(tokens: list[str], prefix: bool, exists=None) -> str:
    """An FTS5 expression for the folded ``tokens`` as a phrase, đ spellings OR-ed.

    ``exists(term) -> bool``: keep only the spellings the index holds (a prefix is never
    pruned); a phrase with a word the index does not hold at all is ``NOTHING``."""
    parts = []
    chunks = _chunks(tokens, exists)
    for i, chunk in enumerate(chunks):
        last = prefix and i == len(chunks) - 1
        star = "*" if last else ""
        spell = [_spellings(t, None if last and j == len(chunk) - 1 else exists) for j, t in enumerate(chunk)]
        if not all(spell):
            return NOTHING
        variants = [_quote(list(v)) + star for v in itertools.product(*spell)]
        parts.append(variants[0] if len(variants) == 1 else "(" + " OR ".join(variants) + ")")
    return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"


def _loose(tokens: list[str], prefix: bool, exists=None) -> str:
    """The words of a phrase, each anywhere (AND): what ``fts_query(loose=True)`` uses."""
    parts = [_phrase([tok], prefix and i == len(tokens) - 1, exists) for i, tok in enumerate(tokens)]
    if NOTHING in parts:
        return NOTHING
    return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"


def fts_query(query: str | None, *, loose: bool = False, exists=None) -> str:
    """Return the FTS5 MATCH expression for what a reader typed (see the module docstring).

    Always a valid FTS5 query; one that matches nothing (``NOTHING``) when ``query`` has no
    words. ``loose``: phrases become their words anywhere (AND), everything else the same; a
    superset of the matches that FTS5 finds far faster than a phrase of common words, which it
    must check word position by word position in every article that has all of them.
    ``exists(term) -> bool`` (the index's vocabulary, see ``crawler/datasette/search.py``):
    only spellings the archive holds are searched; the matches are the same.
    """
    if not query:
        return NOTHING
    problem = check_query(query)
    if problem:
        raise QueryTooLong(problem)
    text = query.translate(_QUOTES)
    positives: list[str] = []  # expressions, with "OR" markers between some of them
    negatives: list[str] = []
    negate_next = False
    for m in _PIECE.finditer(text):
        raw = m.group("phrase") if m.group("phrase") is not None else m.group("word")
        bare = not m.group("neg") and not m.group("col")
        if bare and raw in ("OR", "AND", "NOT"):
            if raw == "OR":
                positives.append("OR")
            negate_next = raw == "NOT"
            continue
        prefix = m.group("phrase") is None and raw.endswith("*")
        tokens = _TOKEN.findall(fold(raw))
        if prefix and tokens and _letters(_TOKEN.findall(raw)[-1] if _TOKEN.findall(raw) else "").startswith("đ"):
            # A prefix typed with đ keeps the letter: "đa*" finds đã, not dân.
            tokens[-1] = "\x00" + tokens[-1]
        if not tokens:
            continue
        build = _loose if loose and not (m.group("neg") or negate_next) else _phrase
        expr = build(tokens, prefix, exists)
        col = (m.group("col") or "").lower()
        if expr == NOTHING:
            pass  # a word the archive does not hold: matches nothing in any column
        elif col in COLUMNS:
            expr = f"{col} : {expr if expr.startswith('(') else '(' + expr + ')'}"
        elif m.group("col"):  # "word:word" that is not a column filter: the words themselves
            expr = build(_TOKEN.findall(fold(m.group("col"))) + tokens, prefix, exists)
        (negatives if m.group("neg") or negate_next else positives).append(expr)
        negate_next = False
    # Drop OR markers that do not stand between two expressions.
    cleaned: list[str] = []
    for item in positives:
        if item == "OR" and (not cleaned or cleaned[-1] == "OR"):
            continue
        cleaned.append(item)
    while cleaned and cleaned[-1] == "OR":
        cleaned.pop()
    # A group of AND-ed expressions with one that matches nothing matches nothing: drop it
    # here, so that FTS5 never reads the other words' lists for it.
    groups: list[list[str]] = [[]]
    for item in cleaned:
        if item == "OR":
            groups.append([])
        else:
            groups[-1].append(item)
    groups = [g for g in groups if g and NOTHING not in g]
    cleaned = [item for i, g in enumerate(groups) for item in (["OR"] if i else []) + g]
    negatives = [n for n in negatives if n != NOTHING]
    if not cleaned:
        return NOTHING
    # FTS5 allows implicit AND only between phrases, not after a parenthesised group: spell it.
    expr = " ".join(
        item if item == "OR" or i == 0 or cleaned[i - 1] == "OR" else f"AND {item}"
        for i, item in enumerate(cleaned)
    )
    if negatives:
        expr = f"({expr})" + "".join(f" NOT {n}" for n in negatives)
    return expr


_OPERATORS = re.compile(r'["*:]|(?:^|\s)-|\b(?:OR|AND|NOT)\b')


def phrase_query(query: str | None, exists=None) -> str:
    """The typed words as one phrase (đ spellings OR-ed), for ranking exact-order matches first.

    Only for plain queries of two or more words; anything with operators, quotes, prefixes or
    column filters gives ``NOTHING``.
    """
    if not query or check_query(query) or _OPERATORS.search(query.translate(_QUOTES)):
        return NOTHING
    tokens = _TOKEN.findall(fold(query))
    return _phrase(tokens, False, exists) if len(tokens) >= 2 else NOTHING


def query_terms(query: str | None) -> list[list[str]]:
    """The index spellings of each word the reader wants (not the excluded ones): for scoring.

    ``query_terms('Đại hội -covid')`` == ``[["dai", "đai"], ["hoi"]]``. Empty beyond the limits.
    """
    if not query or check_query(query):
        return []
    out: list[list[str]] = []
    negate_next = False
    for m in _PIECE.finditer(query.translate(_QUOTES)):
        raw = m.group("phrase") if m.group("phrase") is not None else m.group("word")
        if not m.group("neg") and not m.group("col") and raw in ("OR", "AND", "NOT"):
            negate_next = raw == "NOT"
            continue
        if not (m.group("neg") or negate_next):
            prefix = m.group("phrase") is None and raw.endswith("*")
            tokens = _TOKEN.findall(fold(raw))
            out += [_spellings(t) for t in (tokens[:-1] if prefix else tokens)]
        negate_next = False
    return out
