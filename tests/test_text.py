import re
import unicodedata
from pathlib import Path

import pytest

from crawler.text import canonical, clean, content_hash, fold, normalize_tone

SEEDS = sorted((Path(__file__).parent / "fixtures" / "seeds").glob("*.txt"))
SEED_TEXTS = [p.read_text(encoding="utf-8") for p in SEEDS]

SAMPLES = [
    "Đại hội Đảng bộ tỉnh Cà Mau",
    "Ban Thường vụ Tỉnh uỷ họp bàn công tác cán bộ",
    "Hoà bình, khoẻ mạnh, Thuỵ Khuê, thuý, loé sáng",
    "Hoàng Văn Toán khuyến khích quyết định thuyền quý",
    "ĐỒNG CHÍ CHỦ TỊCH UỶ BAN NHÂN DÂN",
]


def nfd(s):
    return unicodedata.normalize("NFD", s)


def eth(s):
    return s.replace("Đ", "\u00d0").replace("đ", "\u00f0")


# --- clean -----------------------------------------------------------------

@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Ðại hội Ðảng", "Đại hội Đảng"),
        ("ðồng chí", "đồng chí"),
        ("Cà\u00a0Mau", "Cà Mau"),
        ("Cà\u202fMau", "Cà Mau"),
        ("Cà\u2009Mau\u3000mới", "Cà Mau mới"),
        ("Cà\u205fMau\u2002x", "Cà Mau x"),
        ("Tỉnh\u200b ủy", "Tỉnh ủy"),
        ("Tỉnh\u200bủy", "Tỉnhủy"),
        ("\ufeffBáo Cà Mau", "Báo Cà Mau"),
        ("zero\u200cwidth\u200djoiner", "zerowidthjoiner"),
        ("Cà\tMau", "Cà Mau"),
        ("thông\u00adtin", "thôngtin"),
        ("a   b \t c", "a b c"),
        ("  đầu  \n  cuối  ", "đầu\ncuối"),
        ("a\r\nb\rc", "a\nb\nc"),
        ("một\n\nhai", "một\n\nhai"),
        ("một\n\n\n\nhai", "một\n\nhai"),
        ("một\n \n\t\n\u00a0\nhai", "một\n\nhai"),
        ("\n\n  Tiêu đề  \n\n", "Tiêu đề"),
        ("", ""),
    ],
)
def test_clean(raw, expected):
    assert clean(raw) == expected


@pytest.mark.parametrize("s", SAMPLES)
def test_clean_nfd_equals_nfc(s):
    assert clean(nfd(s)) == clean(s) == unicodedata.normalize("NFC", s)


def test_clean_composes_across_removed_zero_width():
    # "e" + ZWSP + combining acute only composes once the ZWSP is gone.
    assert clean("Cafe\u200b\u0301") == "Café"


def test_clean_keeps_tone_placement():
    assert clean("Tỉnh uỷ, hoà") == "Tỉnh uỷ, hoà"


def test_clean_keeps_paragraphs():
    text = "Tiêu đề\n\nĐoạn một dòng một\ndòng hai.\n\nĐoạn hai."
    assert clean(text) == text


# --- tone placement -----------------------------------------------------------

TONE_MOVES = [
    ("uỷ", "ủy"),
    ("Uỷ", "Ủy"),
    ("UỶ", "ỦY"),
    ("hoà", "hòa"),
    ("Hoà", "Hòa"),
    ("HOÀ", "HÒA"),
    ("hoạ", "họa"),
    ("hoả", "hỏa"),
    ("thuý", "thúy"),
    ("khoẻ", "khỏe"),
    ("KHOẺ", "KHỎE"),
    ("loé", "lóe"),
    ("Thuỵ", "Thụy"),
    ("tuỳ", "tùy"),
    ("luỹ", "lũy"),
    ("xoã", "xõa"),
    ("oà", "òa"),
    ("nhoà", "nhòa"),
    ("Tỉnh uỷ", "Tỉnh ủy"),
]

TONE_KEPT = [
    # already traditional
    "ủy", "hòa", "thúy", "khỏe", "lóe", "Thụy", "HÒA",
    # final consonant: tone stays on the second vowel
    "hoàng", "Hoàng", "toán", "khuyến", "quyết", "thuyền", "hoặc", "khoảng", "HOÀNG",
    # qu / gi are onsets
    "quý", "quỳ", "quỹ", "quả", "quê", "Quý", "QUỲ", "già", "giá", "giỏi",
    # no tone mark, or not Vietnamese
    "quay", "Hoang", "hoa", "uy", "Zoé", "coé1", "khuỷu",
]


@pytest.mark.parametrize("new, old", TONE_MOVES)
def test_tone_new_to_traditional(new, old):
    assert normalize_tone(new) == old
    assert normalize_tone(nfd(new)) == old
    assert canonical(new) == canonical(old) == old


@pytest.mark.parametrize("word", TONE_KEPT)
def test_tone_untouched(word):
    assert normalize_tone(word) == word


def test_tone_in_running_text():
    assert (
        normalize_tone("Uỷ viên Ban Thường vụ Tỉnh uỷ, hoà giải, Hoàng Quý")
        == "Ủy viên Ban Thường vụ Tỉnh ủy, hòa giải, Hoàng Quý"
    )


# --- canonical --------------------------------------------------------------

def test_canonical_collapses_paragraphs_and_whitespace():
    assert canonical("Tiêu đề\n\nĐoạn\tmột\r\n dòng\u00a0hai") == "Tiêu đề Đoạn một dòng hai"


@pytest.mark.parametrize("s", SAMPLES)
def test_canonical_variants_agree(s):
    assert canonical(nfd(s)) == canonical(eth(s)) == canonical(s)


# --- fold -------------------------------------------------------------------

@pytest.mark.parametrize(
    "raw, folded",
    [
        ("Đại hội Đảng", "dai hoi dang"),
        ("\u00d0ại hội \u00d0ảng", "dai hoi dang"),
        (nfd("Đại hội Đảng"), "dai hoi dang"),
        ("Tỉnh uỷ", "tinh uy"),
        ("Tỉnh ủy", "tinh uy"),
        ("CÀ MAU\n\nBẠC LIÊU", "ca mau bac lieu"),
        ("Thừa Thiên Huế", "thua thien hue"),
        ("Quảng Nam", "quang nam"),
    ],
)
def test_fold(raw, folded):
    assert fold(raw) == folded


# --- idempotence ------------------------------------------------------------

IDEMPOTENCE_INPUTS = SAMPLES + SEED_TEXTS + [
    "  Ðoạn\u00a0một\r\n\r\n\r\n\tĐoạn hai\u200b  \n",
    nfd("Hoà bình\n\n\nTỉnh uỷ"),
    "Cafe\u200b\u0301 e\u00ad\u0301",
]


@pytest.mark.parametrize("fn", [clean, canonical, fold, normalize_tone])
@pytest.mark.parametrize("s", IDEMPOTENCE_INPUTS)
def test_idempotent(fn, s):
    once = fn(s)
    assert fn(once) == once


def test_seed_fixtures_present():
    assert len(SEEDS) == 5


@pytest.mark.parametrize("text", SEED_TEXTS, ids=[p.name for p in SEEDS])
def test_seed_properties(text):
    # Property-style: every perturbation the hash must ignore, on real articles.
    cleaned = clean(text)
    nonblank = [line.strip() for line in text.splitlines() if line.strip()]
    assert [line for line in cleaned.split("\n") if line] == [
        " ".join(line.replace("\u00a0", " ").split()) for line in nonblank
    ], "clean keeps every line"
    assert "\n" not in canonical(text)
    assert canonical(cleaned) == canonical(text)
    assert fold(canonical(text)) == fold(text)
    h = content_hash(text)
    assert content_hash(cleaned) == h
    assert content_hash(nfd(text)) == h
    assert content_hash(eth(text)) == h
    assert content_hash(text.replace(" ", "\u00a0")) == h
    assert content_hash(text.replace("\n", "\r\n")) == h
    assert content_hash(text.replace("ủy", "uỷ").replace("hòa", "hoà")) == h
    assert content_hash("\n\n" + text.replace("\n\n", "\n\n\n") + "  \n") == h


# --- content_hash -----------------------------------------------------------

BASE = "Ban Thường vụ Tỉnh ủy Cà Mau họp bàn Đại hội Đảng.\n\nHòa bình và khỏe mạnh."
HASH_VARIANTS = [
    BASE,
    nfd(BASE),
    eth(BASE),
    BASE.replace("ủy", "uỷ").replace("Hòa", "Hoà").replace("khỏe", "khoẻ"),
    BASE.replace(" ", "\u00a0"),
    BASE.replace("\n\n", "\n"),
    BASE.replace("\n\n", " "),
    BASE.replace(" Cà Mau ", "\nCà Mau\n"),
    "\ufeff  " + BASE.replace("\n", "\r\n") + "\t\n",
    BASE.replace("Tỉnh", "Tỉ\u200bnh"),
    eth(nfd(BASE.replace("ủy", "uỷ"))).replace(" ", "\u202f"),
]


@pytest.mark.parametrize("variant", HASH_VARIANTS)
def test_content_hash_equal_across_variants(variant):
    assert content_hash(variant) == content_hash(BASE)


@pytest.mark.parametrize(
    "other",
    [
        BASE.replace("Cà Mau", "Bạc Liêu"),
        BASE.replace("Tỉnh ủy", "Tỉnh uy"),  # a tone mark is content
        BASE.replace("Đại", "Dại"),  # đ is not d
        BASE.lower(),  # case is content
        BASE + " Thêm.",
        BASE.replace("Ban", "Ban,"),
    ],
)
def test_content_hash_differs_for_different_text(other):
    assert content_hash(other) != content_hash(BASE)


@pytest.mark.parametrize("text", SAMPLES + SEED_TEXTS + [""])
def test_content_hash_format(text):
    assert re.fullmatch(r"[0-9a-f]{16}", content_hash(text))


def test_content_hash_is_sha256_of_canonical():
    import hashlib

    assert content_hash(BASE) == hashlib.sha256(canonical(BASE).encode("utf-8")).hexdigest()[:16]


# --- hostile characters ------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Cà\u200eMau", "CàMau"),                    # LRM
        ("Cà \u200fMau", "Cà Mau"),                  # RLM
        ("\u202aĐại hội\u202c", "Đại hội"),          # bidi embedding
        ("\u2066Đảng\u2069 bộ", "Đảng bộ"),          # bidi isolate
        ("Đảng\u2060bộ", "Đảngbộ"),                  # word joiner
        ("Cà\u034fMau", "CàMau"),                     # combining grapheme joiner
        ("Cà\u180eMau", "CàMau"),                     # Mongolian vowel separator
        ("Cà\u2063Mau", "CàMau"),                     # invisible separator
        ("Ca\ufe0fMau", "CaMau"),                     # variation selector after a letter
        ("tim \u2764\ufe0f", "tim \u2764\ufe0f"),     # … but not after a symbol
        ("A\ud800B\udfffC", "ABC"),                   # lone surrogates
        ("a\x00b\x07c", "abc"),                       # controls
    ],
)
def test_clean_removes_invisible_and_unencodable(raw, expected):
    out = clean(raw)
    assert out == expected
    out.encode("utf-8")


def test_invisible_characters_do_not_split_identities():
    assert content_hash("Cà\u200eMau\u2063 mới") == content_hash("CàMau mới")
    assert fold("Đại\u2060hội") == fold("Đạihội")


_ANY_TEXT = st.text(alphabet=st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF), max_size=80)


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(_ANY_TEXT)
def test_fuzz_idempotent_and_encodable(s):
    for fn in (clean, canonical, fold):
        once = fn(s)
        assert fn(once) == once, fn.__name__
        once.encode("utf-8")


# -- dates: the one time zone and the one printed form (crawler/text/dates.py) ----------------


def test_printed_dates_give_a_day_only_when_it_exists_and_is_plausible():
    from datetime import date

    from crawler.text.dates import DMY, dmy_date

    assert dmy_date(*DMY.search("Cập nhật 23/7/2025, 14:05").groups()) == date(2025, 7, 23)
    assert dmy_date("30", "02", "2025") is None  # impossible day: no date, not a guess
    assert dmy_date("01", "01", "0001") is None and dmy_date("01", "01", "1944") is None
    assert DMY.search("mã 123/45/20251") is None  # digits glued on: an id, not a date


def test_vietnam_time_is_utc_plus_seven_everywhere():
    from datetime import UTC, datetime

    from crawler.spiders.discovery import entry_date
    from crawler.text.dates import VN_TZ

    assert VN_TZ.utcoffset(None).total_seconds() == 7 * 3600
    # 20:30 UTC on the 22nd is already the 23rd in Vietnam.
    assert str(entry_date(datetime(2025, 7, 22, 20, 30, tzinfo=UTC).isoformat())) == "2025-07-23"
    assert entry_date("31/02/2025") is None
