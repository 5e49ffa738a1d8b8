"""Vietnamese text normalisation: the one place where encoding traps are handled.

Four levels, each built on the previous one:

- ``clean(s)``: what we store and show. Fixes encoding accidents (NFD, Latin
  Eth, non-breaking and zero-width characters, CR line ends, ragged
  whitespace) but keeps the text as published: paragraphs, tone placement.
- ``canonical(s)``: what we hash and compare. ``clean`` plus one tone-placement
  convention plus all whitespace collapsed, so two copies of one article that
  differ only in such invisible ways compare equal. Never shown to users.
- ``fold(s)``: what we search. ``canonical`` without diacritics, ``đ`` as
  ``d``, lowercase, so "dai hoi dang" finds "Đại hội Đảng".
- ``content_hash(text)``: the article's identity, 16 hex digits of SHA-256 of
  ``canonical(text)``.

Decisions:

- ``Ð``/``ð`` (U+00D0/U+00F0, Latin Eth) are folded to ``Đ``/``đ``
  (U+0110/U+0111). They look identical and old Vietnamese fonts and input
  methods produced Eth, so it turns up in real articles. Icelandic or Old
  English text is not something this archive holds, so the ambiguity is
  resolved in favour of Vietnamese everywhere, including in ``clean``.
- Tone placement: for ``oa``, ``oe``, ``uy`` with no final consonant two
  conventions coexist, the traditional one (``hòa``, ``khỏe``, ``thủy``) and
  the "new" one (``hoà``, ``khoẻ``, ``thuỷ``); newspapers switch between them,
  sometimes within one article. ``canonical`` uses the traditional one because
  it is what most Vietnamese sites, keyboards (Unikey's default) and
  dictionaries produce, so fewer strings change. The choice only affects
  hashes and comparison; stored text keeps the publisher's placement.
- The tone move is rule-based over syllables, not a word table: decompose the
  syllable, take the tone mark off, check the bare shape, put the mark back on
  the first vowel. ``qu`` and ``gi`` are onsets, so ``quý``/``quỳ`` have the
  single vowel ``y`` and are left alone. Words whose onset is not a Vietnamese
  onset are left alone too, which keeps foreign words such as "Zoé" intact.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

__all__ = [
    "clean", "clean_chars", "drop_surrogates", "drop_xml_incompatible", "canonical", "fold", "content_hash", "normalize_tone",
    "TONE_MARKS", "LETTER_MARKS", "VOWELS",
]

# Zero-width characters glue or split words invisibly; turning them into a
# space would split words that were typed as one, so they are dropped. So are
# the other invisible characters that make two spellings of one name differ
# (a search for "Cà Mau" must find "Cà\u200eMau"): bidi marks, embeddings
# and isolates, word joiner and invisible operators, the grapheme joiner, the
# Mongolian vowel separator, and C0/C1 controls other than line ends (lxml and
# SQLite exports choke on them and no article means them).
_INVISIBLE = (
    "\u200b\u200c\u200d\u200e\u200f\ufeff\u00ad\u034f\u061c\u180e"
    "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064"
    "\u2066\u2067\u2068\u2069"
    + "".join(map(chr, [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]))
)
_DROP = dict.fromkeys(map(ord, _INVISIBLE), None)
# Blank characters that stand for a space: tab, no-break and typographic spaces, and the
# Hangul fillers (U+3164 and its kin render blank and are pasted from Korean IMEs as spaces).
_TO_SPACE = dict.fromkeys(
    map(ord, "\t\u00a0\u202f\u205f\u3000\u3164\u115f\u1160\uffa0" + "".join(map(chr, range(0x2000, 0x200B)))),
    " ",
)
# Hyphens that print as "-": the non-breaking hyphen (U+2011) and the Unicode hyphen (U+2010)
# are the same word break to a reader (Bà Rịa‑Vũng Tàu).
_TO_HYPHEN = dict.fromkeys(map(ord, "\u2010\u2011"), "-")
_TRANSLATE = {**_DROP, **_TO_SPACE, **_TO_HYPHEN, 0x00D0: "\u0110", 0x00F0: "\u0111"}
# str.translate with a dict looks every character up in Python; most text
# (and most raw HTML) has none of these characters, so search first, in C.
_NEEDS_TRANSLATE = re.compile("[" + re.escape("".join(map(chr, _TRANSLATE))) + "\r]")
# A lone surrogate (JSON-LD "\ud800") cannot be encoded to UTF-8: it would
# fail the whole SQLite batch it travels in.
_SURROGATE = re.compile("[\ud800-\udfff]")
# Variation selectors after a letter only split identities; after a symbol
# (❤️) they choose its emoji form and stay.
_LETTER_VS = re.compile("(?<=[^\\W\\d_])[\ufe00-\ufe0f\U000e0100-\U000e01ef]+")

_SPACES = re.compile(r" {2,}")
_BLANK_LINES = re.compile(r"\n{3,}")
_RAGGED = re.compile(r"[ \n]{2,}|^[ \n]|[ \n]$|\n |  ?\n")


# Characters lxml refuses in any text it is given (``All strings must be XML compatible``):
# C0 controls other than tab and line ends, and the non-characters U+FFFE/U+FFFF; raw or
# as numeric character references, which an HTML parser turns back into the character.
_XML_INCOMPATIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"
    r"|&#(?:0*(?:[0-8]|1[124-9]|2\d|3[01])(?!\d)|[xX]0*(?:[0-8bBcCeEfF]|1[\da-fA-F])(?![\da-fA-F])"
    r"|0*6553[45](?!\d)|[xX]0*[fF]{3}[eEfF](?![\da-fA-F]));?"
)


def drop_xml_incompatible(html: str) -> str:
    """``html`` without the characters no lxml tree may hold, raw or as ``&#2;``/``&#x0B;``.
    Word pastes leave U+000B in real pages; none of them is text a reader sees."""
    return _XML_INCOMPATIBLE.sub("", html) if _XML_INCOMPATIBLE.search(html) else html


def drop_surrogates(s: str) -> str:
    """``s`` without lone surrogates: the one step raw HTML needs before a UTF-8 parser."""
    return _SURROGATE.sub("", s) if _SURROGATE.search(s) else s


def clean_chars(s: str) -> str:
    """The character-level half of :func:`clean`: no layout change, safe on raw HTML.

    Each step runs only when a fast search finds something for it to do, so a
    page that is already clean costs a few C-level scans.
    """
    if _SURROGATE.search(s):
        s = _SURROGATE.sub("", s)
    if _NEEDS_TRANSLATE.search(s):
        s = s.replace("\r\n", "\n").replace("\r", "\n").translate(_TRANSLATE)
    # NFC after removing invisible characters: removing one can bring a base
    # letter and a combining mark together, which would otherwise only be
    # composed on a second pass.
    if not unicodedata.is_normalized("NFC", s):
        s = unicodedata.normalize("NFC", s)
    if _LETTER_VS.search(s):
        s = _LETTER_VS.sub("", s)
    return s


def clean(s: str) -> str:
    """Return ``s`` with encoding accidents fixed and paragraphs kept.

    Idempotent: stored text is cleaned text, and cleaning it again must not
    change it (or its hash).
    """
    s = clean_chars(s)
    if not _RAGGED.search(s):
        return s
    lines = (_SPACES.sub(" ", line.strip()) for line in s.split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


# -- the tone-mark tables (imported by search and the Datasette collation) ---------------------

# The five tone marks as combining characters, in the order of Vietnamese dictionaries:
# huyền (grave), hỏi (hook above), ngã (tilde), sắc (acute), nặng (dot below).
TONE_MARKS = ("\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
# Marks that make another letter (ă â ê ô ơ ư): breve, circumflex, horn. đ is a letter of its own.
LETTER_MARKS = ("\u0306", "\u0302", "\u031b")
# The vowels, with their letter marks.
VOWELS = frozenset("aăâeêioôơuưy")
_TONES = frozenset(TONE_MARKS)
# Onsets are listed so that "qu" and "gi" are taken whole (there is no bare "q"), and so that
# a word starting with a non-Vietnamese consonant never matches. Longest first.
_ONSETS = "ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx]"
_FINALS = "ch|ng|nh|[cmnpt]"
# A Vietnamese syllable, tone marks taken off: onset, one to three vowels, final consonant.
_SYLLABLE = re.compile(rf"(?P<onset>{_ONSETS})?(?P<nucleus>[aăâeêioôơuưy]{{1,3}})(?P<final>{_FINALS})?")
# Whole \w runs with the combining marks inside them (a mark left over after NFC is not \w),
# so a letter run glued to digits or underscores (an identifier, a code) never matches the
# syllable shape and is left alone, and a stacked second mark stays with its word.
_WORD = re.compile(r"(?:\w|[\u0300-\u036f])+")
# Precomposed letters carrying a tone mark: only words holding one (or a combining tone
# mark) can need the mark moved, so the rest is never decomposed.
_TONED = re.compile(
    "["
    + "".join(c for c in map(chr, range(0xC0, 0x1FFF)) if _TONES & set(unicodedata.normalize("NFD", c)))
    + "".join(TONE_MARKS)
    + "]"
)


def _tone_place(onset: str, nucleus: str, final: str) -> int:
    """Where the tone mark of a syllable goes (index into ``nucleus``), by the traditional
    rule: on the last vowel with a letter mark (ê, ơ, â, …); else on the last vowel when a
    final consonant closes the syllable; else on the first of two vowels (hòa, thủy, mía)
    and the middle of three (ngoài, khuỷu)."""
    marked = [i for i, v in enumerate(nucleus) if v in "ăâêôơư"]
    if marked:
        return marked[-1]
    if final:
        return len(nucleus) - 1
    return {1: 0, 2: 0, 3: 1}[len(nucleus)]


def _place_tone(match: re.Match) -> str:
    word = match.group()
    if not _TONED.search(word):
        return word
    # Each letter as (base letter with its letter marks, tone marks typed on it).
    letters: list[list[str]] = []
    tone = None
    for ch in unicodedata.normalize("NFD", word):
        if ch in _TONES:
            if tone is not None or not letters:
                return word  # two tones, or a tone on nothing: not a syllable we can read
            tone = ch
            continue
        if unicodedata.combining(ch):
            if not letters:
                return word
            letters[-1][0] += ch
        else:
            letters.append([ch])
    if tone is None:
        return word
    bare = [unicodedata.normalize("NFC", base) for (base,) in letters]
    shape = "".join(bare).lower()
    if len(shape) != len(bare):
        return word
    m = _SYLLABLE.fullmatch(shape)
    if m is None:
        return word
    onset, nucleus, final = m.group("onset") or "", m.group("nucleus"), m.group("final") or ""
    at = len(onset) + _tone_place(onset, nucleus, final)
    bare[at] = bare[at] + tone
    return unicodedata.normalize("NFC", "".join(bare))


def normalize_tone(s: str) -> str:
    """Put each syllable's tone mark where traditional orthography puts it: ``hoà`` → ``hòa``,
    ``uỷ`` → ``ủy``, and a mark typed on the wrong letter by old input methods moves to the
    right vowel (``ngươì`` → ``người``, ``nhiêù`` → ``nhiều``, ``cuả`` → ``của``). Words that
    are not one Vietnamese syllable (foreign words, codes, two tone marks) are left alone."""
    return _WORD.sub(_place_tone, unicodedata.normalize("NFC", s))


def canonical(s: str) -> str:
    """Return the comparison form of ``s``: cleaned, one tone convention, one line."""
    return " ".join(normalize_tone(clean(s)).split())


def fold(s: str) -> str:
    """Return the search form of ``s``: no diacritics, ``đ`` → ``d``, lowercase."""
    s = unicodedata.normalize("NFD", canonical(s).lower())
    s = "".join(c for c in s if unicodedata.category(c) != "Mn")
    # Removing marks can leave two spaces side by side (a mark standing alone
    # between spaces); collapse again so that fold(fold(s)) == fold(s).
    return " ".join(s.replace("đ", "d").split())


def content_hash(text: str) -> str:
    """Return the article's identity: 16 hex digits of SHA-256 of ``canonical(text)``."""
    return hashlib.sha256(canonical(text).encode("utf-8")).hexdigest()[:16]
