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
from crawler import reasons
from crawler.text.dates import display
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
    anything else unchanged. The printing is ``crawler.text.dates.display``; a stamp without an
    offset is read as UTC first, because that is what the crawler writes (``fetched_at``,
    ``started``), where ``display`` alone would read it as Vietnam time."""
    if not isinstance(value, str) or not _ISO.match(value.strip()):
        return value
    text = value.strip().replace("Z", "+00:00")
    if len(text) > 10 and not re.search(r"[+-]\d{2}:?\d{2}$", text):
        text += "+00:00"
    shown = display(text)
    return shown or value


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
    "lost_records": "Bản ghi bị mất · Lost records",
    "section_sweep": "Quét chuyên mục · Section sweep",
    "completed": "Đã đi hết · Completed",
    "budget_ended": "Hết hạn mức · Budget ended",
    "kind": "Loại · Kind",
    "why": "Vì sao · Why",
    "first_failed": "Hỏng lần đầu · First failed",
    "checked": "Kiểm tra lúc · Checked",
    "failures": "Số lần hỏng · Failures",
    "listing": "Trang danh sách · Listing",
    "walked": "Đã đi · Walked",
    "owed": "Còn nợ · Owed",
    "complete": "Đã xong · Complete",
    "ended": "Kết thúc · Ended",
    "crawl": "Lượt · Crawl",
    "updated": "Cập nhật · Updated",
    "source": "Bài gốc · Source",
    "first_published": "Đăng lần đầu · First published",
    "papers": "Số báo · Papers",
    "provinces": "Số tỉnh · Provinces",
    "members": "Số bài · Members",
    "story": "Sự kiện · Story",
    "copy_of": "Chép từ · Copy of",
    "similarity": "Độ giống · Similarity",
    "earliest": "Sớm nhất · Earliest",
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


# Values of the archive's vocabularies (crawler/reasons.py) in words: shown before the stored
# value, which stays what filters and SQL use.
REASON_WORDS = {
    reasons.FINISHED: "xong",
    reasons.STORE_FAILED: "ghi kho lỗi",
    reasons.BUDGET_EXHAUSTED: "hết hạn mức",
    reasons.SITE_UNREACHABLE: "không vào được báo",
    reasons.ALL_REQUESTS_FAILED: "mọi yêu cầu đều lỗi",
    "shutdown": "bị dừng",
    "closespider_timeout": "hết giờ",
    "closespider_itemcount": "đủ số bài",
    "closespider_pagecount": "đủ số trang",
    reasons.EMPTY_PAGE: "trang trống",
    reasons.NOT_HTML: "không phải HTML",
    reasons.ERROR_PAGE: "trang báo lỗi",
    reasons.VIDEO_ONLY: "chỉ có video",
    reasons.NO_MAIN_TEXT: "không thấy nội dung",
    reasons.TOO_SHORT: "quá ngắn",
    reasons.TIMEOUT_EXTRACT: "trích xuất quá giờ",
    reasons.TOO_LARGE: "quá lớn",
    reasons.DOWNLOAD_ERROR: "tải lỗi",
    reasons.TOO_MANY_REDIRECTS: "chuyển hướng quá nhiều",
    reasons.OFFSITE_REDIRECT: "chuyển sang trang ngoài",
    reasons.NO_CONTENT: "không có nội dung",
    reasons.UNKNOWN: "không rõ",
    reasons.UNSTORABLE: "không ghi được",
    reasons.DNS: "lỗi DNS",
    reasons.CONNECTION_REFUSED: "bị từ chối kết nối",
    reasons.TIMEOUT: "quá giờ",
    reasons.TLS: "lỗi TLS",
}
_HTTP_WORDS = {404: "không tìm thấy", 410: "đã xóa", 403: "bị cấm", 500: "lỗi máy chủ", 502: "lỗi cổng",
               503: "máy chủ bận", 504: "cổng quá giờ"}


def reason_words(value: str | None) -> str | None:
    """``http-404`` → ``không tìm thấy (http-404)``; None for a value with no words."""
    if not isinstance(value, str):
        return None
    words = REASON_WORDS.get(value)
    if words is None and (m := re.fullmatch(r"http-(\d{3})", value)):
        words = _HTTP_WORDS.get(int(m.group(1)), "lỗi HTTP")
    return f"{words} ({value})" if words else None


# A canned query's parameters, as its form labels them.
PARAM_LABELS = {
    "q": "Từ khóa · Query",
    "site": "Mã báo · Spider (vd. baocamau)",
    "province": "Tỉnh · Province",
    "since": "Từ ngày · Since (dd/mm/yyyy, mm/yyyy, yyyy)",
    "until": "Đến ngày · Until (dd/mm/yyyy, mm/yyyy, yyyy)",
    "per_site": "Số bài mỗi báo · Per newspaper",
    "min_sites": "Số báo tối thiểu · Minimum papers",
    "from": "Từ ngày · From",
    "to": "Đến ngày · To",
}


def label(column: str) -> str:
    return LABELS.get(column, column)
