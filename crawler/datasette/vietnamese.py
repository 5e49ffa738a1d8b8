"""What makes the served archive read as Vietnamese: alphabetical order, dates, column labels.

- ``sort_key`` / ``collate``: Vietnamese dictionary order. Letters first (``a ă â b c d đ e ê
  g h i k l m n o ô ơ p q r s t u ư v x y``), then tones (none, huyền, hỏi, ngã, sắc, nặng) only
  to break ties, so ``Cần Thơ < Đà Nẵng < Gia Lai`` and ``Hà Nội < Huế`` (a binary sort puts
  ``Đ`` after ``Z`` and ``Huế`` before ``Hà Nội``). Registered in SQLite as ``COLLATE vi``.
- ``vn_datetime``: every stored timestamp (UTC ``fetched_at``, ``+07:00`` ``published``, naive
  ones read as UTC) shown as ``dd/mm/yyyy HH:MM`` in Vietnam's time (+07:00); a bare date as
  ``dd/mm/yyyy``.
- ``LABELS``: the heading a reader sees for a column or a canned query's result column.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timezone
from crawler.text.dates import VN_TZ
from crawler.text.normalize import TONE_MARKS


_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_RANK = {c: i for i, c in enumerate(_ALPHABET)}
# Tone order of Vietnamese dictionaries: ngang, huyền, hỏi, ngã, sắc, nặng.
_TONE_RANK = {mark: rank for rank, mark in enumerate(TONE_MARKS, 1)}
_LETTER_MARKS = {"\u0306": "ă", "\u0302": None, "\u031b": None}  # breve, circumflex, horn


def _letters_and_tones(s: str) -> tuple[list[int | str], list[int]]:
    letters: list[int | str] = []
    tones: list[int] = []
    for ch in unicodedata.normalize("NFD", s.replace("\u00d0", "Đ").lower()):
        if ch in _TONE_RANK:
            if tones:
                tones[-1] = _TONE_RANK[ch]
            continue
        if ch in _LETTER_MARKS and letters and isinstance(letters[-1], str):
            base = unicodedata.normalize("NFC", letters[-1] + ch)
            letters[-1] = base
            continue
        letters.append(ch)
        tones.append(0)
    ranked: list[int | str] = []
    for ch in letters:
        ranked.append(_RANK[ch] if isinstance(ch, str) and ch in _RANK else ch)
    return ranked, tones


def sort_key(s: str | None) -> tuple:
    """Key for Vietnamese alphabetical order (case-insensitive; tones break ties)."""
    if s is None:
        return ((), ())
    letters, tones = _letters_and_tones(s)
    # Spaces and punctuation sort first (so "Hà Nội" < "Hàm"), then the alphabet by its own
    # order, then anything else (digits, f j w z, other scripts) by code point.
    key = tuple((0, c) if isinstance(c, int) else ((-1, ord(c)) if not c.isalnum() else (1, ord(c)))
                for c in letters)
    return key, tuple(tones)


def collate(a: str, b: str) -> int:
    """SQLite collation ``vi``."""
    ka, kb = sort_key(a), sort_key(b)
    return (ka > kb) - (ka < kb)


_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")


def looks_like_timestamp(value) -> bool:
    return isinstance(value, str) and bool(_ISO.match(value.strip()))


def vn_datetime(value: str | None) -> str | None:
    """``2025-10-01T03:00:00+00:00`` → ``01/10/2025 10:00`` (+07:00); a date → ``dd/mm/yyyy``;
    anything else unchanged."""
    if not isinstance(value, str) or not _ISO.match(value.strip()):
        return value
    text = value.strip().replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return value
    if len(text) == 10:
        return moment.strftime("%d/%m/%Y")
    if moment.tzinfo is None:  # the crawler writes UTC; a naive stamp is one of those
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M")


# Headings: Vietnamese first, English beside it. Keys are column names of the tables and the
# result columns of the canned queries (crawler/datasette/archive.yml).
LABELS = {
    "hash": "Mã bài · Article id",
    "url": "Địa chỉ · URL",
    "site": "Báo · Newspaper",
    "title": "Tiêu đề · Title",
    "text": "Nội dung · Text",
    "published": "Ngày đăng · Published",
    "author": "Tác giả · Author",
    "description": "Sapo · Lead",
    "language": "Ngôn ngữ · Language",
    "tags": "Thẻ · Tags",
    "canonical_url": "URL chuẩn · Canonical URL",
    "fetched_at": "Thu thập lúc · Fetched",
    "province": "Tỉnh · Province",
    "published_month": "Tháng đăng · Month",
    "warc_file": "Tệp WARC · WARC file",
    "warc_offset": "Vị trí WARC · WARC offset",
    "first_seen": "Thấy lần đầu · First seen",
    "last_seen": "Thấy lần cuối · Last seen",
    "text_hash": "Mã văn bản · Text hash",
    "reason": "Lý do · Reason",
    "detail": "Chi tiết · Detail",
    "status": "Mã HTTP · Status",
    "attempts": "Số lần thử · Attempts",
    "id": "Lượt · Run",
    "started": "Bắt đầu · Started",
    "finished": "Kết thúc · Finished",
    "finish_reason": "Kết quả · Finish reason",
    "requests": "Yêu cầu · Requests",
    "new_articles": "Bài mới · New",
    "duplicates": "Trùng · Duplicates",
    "rejects": "Bị loại · Rejects",
    "errors": "Lỗi · Errors",
    "args": "Tham số · Arguments",
    "stats": "Thống kê · Statistics",
    "article": "Bài · Article",
    "revision": "Phiên bản · Revision",
    "name": "Mã báo · Spider",
    "paper": "Tên báo · Newspaper",
    "domains": "Tên miền · Domains",
    "former_province": "Tỉnh cũ · Former province",
    # canned query result columns
    "Article": "Bài · Article",
    "Title": "Tiêu đề · Title",
    "Snippet": "Trích đoạn · Snippet",
    "Published": "Ngày đăng · Published",
    "Paper": "Báo · Newspaper",
    "Province": "Tỉnh · Province",
    "Former province": "Tỉnh cũ · Former province",
    "Source": "Nguồn · Source",
    "Matches": "Số bài khớp · Matches",
    "URL count": "Số địa chỉ · URLs",
    "Site count": "Số báo · Papers",
    "Sites": "Các báo · Papers",
    "URLs": "Các địa chỉ · URLs",
    "Run": "Lượt · Run",
    "Site": "Mã báo · Spider",
    "Started": "Bắt đầu · Started",
    "Finished": "Kết thúc · Finished",
    "Seconds": "Giây · Seconds",
    "Finish reason": "Kết quả · Finish reason",
    "Requests": "Yêu cầu · Requests",
    "New articles": "Bài mới · New",
    "Duplicates": "Trùng · Duplicates",
    "Rejects": "Bị loại · Rejects",
    "Errors": "Lỗi · Errors",
    "Arguments": "Tham số · Arguments",
    "Reason": "Lý do · Reason",
    "Pages": "Số trang · Pages",
    "Attempts": "Số lần thử · Attempts",
    "First seen": "Thấy lần đầu · First seen",
    "Last seen": "Thấy lần cuối · Last seen",
    "Example URL": "Ví dụ · Example URL",
    "Articles": "Số bài · Articles",
    "Newest": "Bài mới nhất · Newest",
    "Oldest": "Bài cũ nhất · Oldest",
    "Last crawl": "Thu thập gần nhất · Last crawl",
}


def label(column: str) -> str:
    return LABELS.get(column, column)
