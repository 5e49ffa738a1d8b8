"""One spelling per word in ``canonical``: tone marks typed on the wrong letter, stacked marks,
invisible look-alike characters. Hashing, search and stories compare through ``canonical``."""

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.text import canonical, content_hash, fold, normalize_tone


@pytest.mark.parametrize(
    "typed, right",
    [
        # Old input methods put the mark on the letter typed last (VNI/Telex without "free
        # tone placement"): on a final vowel, or on the wrong vowel of a cluster.
        ("ngươì", "người"),
        ("nhiêù", "nhiều"),
        ("cuả", "của"),
        ("muôń", "muốn"),
        ("thuở", "thuở"),
        ("hoạt", "hoạt"),
        ("khaỉ", "khải"),
        ("đêń", "đến"),
        ("Tiêń", "Tiến"),
        ("NGƯƠÌ", "NGƯỜI"),
        ("khoaí", "khoái"),
        ("quýêt", "quyết"),
    ],
)
def test_tone_on_the_wrong_letter_is_one_spelling_with_the_right_one(typed, right):
    assert normalize_tone(typed) == normalize_tone(right)
    assert content_hash(f"Ông {typed} đến.") == content_hash(f"Ông {right} đến.")
    assert fold(typed) == fold(right)


def test_real_sentence_typed_with_an_old_input_method():
    old = "Nhiêù ngươì dân cuả tỉnh đã đêń dự lễ khaỉ mạc."
    new = "Nhiều người dân của tỉnh đã đến dự lễ khải mạc."
    assert canonical(old) == canonical(new)


@pytest.mark.parametrize(
    "word",
    # Right already (traditional placement), or not a Vietnamese syllable: unchanged.
    ["người", "hòa", "thủy", "quý", "gì", "giữ", "ngoài", "khuỷu", "rượu", "huỳnh", "xoáy",
     "hoàng", "thuở", "Zoé", "café", "Nguyễn", "Ðà", "COVID-19", "x̀", "oạ̀"],
)
def test_right_placement_and_foreign_words_stay(word):
    once = normalize_tone(unicodedata.normalize("NFC", word))
    assert once == unicodedata.normalize("NFC", word) or word in ("Ðà",)


def test_stacked_marks_are_idempotent():
    assert canonical(canonical("oạ̀")) == canonical("oạ̀")


def test_hangul_filler_is_a_space_and_non_breaking_hyphen_a_hyphen():
    assert canonical("Cà\u3164Mau") == canonical("Cà Mau")
    assert canonical("Bà Rịa\u2011Vũng Tàu") == canonical("Bà Rịa-Vũng Tàu")
    assert content_hash("Bà Rịa\u2011Vũng Tàu\u3164hôm nay") == content_hash("Bà Rịa-Vũng Tàu hôm nay")


_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(list("aăâeêioôơuưyđngqh \u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b\u3164\u2011\u00d0")),
    ),
    max_size=40,
)


@settings(max_examples=400, deadline=None)
@given(_TEXT)
def test_canonical_is_idempotent_for_any_string(s):
    once = canonical(s)
    assert canonical(once) == once
    assert fold(fold(s)) == fold(s)
