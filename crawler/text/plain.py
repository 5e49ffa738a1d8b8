"""Plain text saved from a page (``python -m crawler import``), held to the extraction's standard.

A hand-saved article carries what a browser showed around it: the clock and weather bar,
"8 giờ trước", "Bài gốc", an image file name, the title twice, a byline followed by the
related-news list with its teasers, "Các ý kiến của bạn đọc" glued to the byline.
``clean_saved_text`` removes these with the same line rules as ``crawler.text.extract``
(``chrome.CHROME_LINE_PATTERNS``) plus the plain-text ones below, so an imported text
matches the text a crawl of the same page stores.

``paper_from_text`` names the paper of a text that has no source URL, from what the text
itself prints: its masthead ("Báo Cà Mau …", "Theo dõi Báo điện tử Cà Mau") or the
dateline tag of its lead ("(CMO)"). A category title ("Xây dựng hệ thống chính trị") is
never taken for a paper; when nothing names one, the answer is ``None``.
"""

from __future__ import annotations

import re

from crawler.text import chrome
from crawler.text.pruning import is_chrome_line
from crawler.text.normalize import canonical, clean

__all__ = ["clean_saved_text", "paper_from_text", "PAPERS"]

_I = re.IGNORECASE

# Paper (spider name) → the names it prints as its masthead and the dateline tags its
# leads open with. [sites] shared/sites.md (boilerplate lines, lead tags); names as the
# papers print them. Only papers whose masthead or tag is known are listed.
PAPERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "baocamau": (("Báo Cà Mau", "Báo điện tử Cà Mau"), ("CMO",)),
    "baoquangnam": (("Báo Quảng Nam",), ("QNO",)),
    "baocantho": (("Báo Cần Thơ",), ("CTO",)),
    "baohaugiang": (("Báo Hậu Giang",), ("HGO", "HG")),
    "baodongthap": (("Báo Đồng Tháp",), ("ĐTO",)),
    "baobaclieu": (("Báo Bạc Liêu",), ("BL",)),
    "baogialai": (("Báo Gia Lai",), ("GLO",)),
    "baoquangtri": (("Báo Quảng Trị",), ("QTO", "QBĐT")),
    "baoxaydung": (("Báo Xây dựng",), ()),
    "baosoctrang": (("Báo Sóc Trăng",), ()),
    "baovinhlong": (("Báo Vĩnh Long",), ()),
    "baodongkhoi": (("Báo Đồng Khởi",), ()),
    "baoapbac": (("Báo Ấp Bắc",), ()),
    "baoangiang": (("Báo An Giang",), ()),
    "baotayninh": (("Báo Tây Ninh",), ()),
    "baolongan": (("Báo Long An",), ()),
    "baodanang": (("Báo Đà Nẵng",), ()),
    "baoquangngai": (("Báo Quảng Ngãi",), ()),
    "huengaynay": (("Báo Huế ngày nay", "Huế ngày nay Online"), ()),
    "baokhanhhoa": (("Báo Khánh Hòa",), ()),
    "baodaklak": (("Báo Đắk Lắk",), ()),
    "baolamdong": (("Báo Lâm Đồng",), ()),
    "baohatinh": (("Báo Hà Tĩnh",), ()),
    "baonghean": (("Báo Nghệ An",), ()),
    "baothanhhoa": (("Báo Thanh Hóa",), ()),
    "sggp": (("Báo Sài Gòn Giải Phóng",), ("SGGP",)),
    "baodongnai": (("Báo Đồng Nai",), ()),
    "hanoimoi": (("Báo Hà Nội Mới", "Hànộimới"), ()),
    "baoquangninh": (("Báo Quảng Ninh",), ()),
    "baohaiphong": (("Báo Hải Phòng",), ()),
    "baobacninhtv": (("Báo Bắc Ninh",), ()),
    "baolaocai": (("Báo Lào Cai",), ()),
    "baothainguyen": (("Báo Thái Nguyên",), ()),
    "baotuyenquang": (("Báo Tuyên Quang",), ()),
    "baophutho": (("Báo Phú Thọ",), ()),
    "baohungyen": (("Báo Hưng Yên",), ()),
    "baoninhbinh": (("Báo Ninh Bình",), ()),
    "baolangson": (("Báo Lạng Sơn",), ()),
    "baocaobang": (("Báo Cao Bằng",), ()),
    "baodienbienphu": (("Báo Điện Biên Phủ",), ()),
    "baolaichau": (("Báo Lai Châu",), ()),
    "baosonla": (("Báo Sơn La",), ()),
}

# Lines of saved pages that are never text: relative times and the "original article"
# link of aggregators ("8 giờ trướcBài gốc"), image file names. [seed 002][seed 003]
SAVED_CHROME_LINES: list[re.Pattern[str]] = [
    re.compile(r"(?:\d+\s*(?:giây|phút|giờ|ngày|tuần|tháng|năm)\s*trước)?\s*(?:Bài gốc|Xem bài gốc)?", _I),
    re.compile(r"\S{1,200}\.(?:jpe?g|png|gif|webp|bmp|svg|avif)(?:\?\S*)?", _I),
    re.compile(r"(?:Thời sự|Chính trị|Kinh tế|Xã hội|Văn hóa|Thể thao)\s*/\s*.{0,60}", _I),
]
# Chrome glued to the end of a text line by the copy ("Hoàng ÝCác ý kiến của bạn đọc").
SAVED_CHROME_SUFFIX = re.compile(
    r"(?:Các\s+)?ý kiến (?:của bạn(?: đọc)?|bạn đọc)\s*$|Bài gốc\s*$|(?:Tin|Bài)\s+liên quan\s*:?\s*$", _I
)

# A byline: two to eight capitalised words, names joined by " - ", no sentence in it.
_NAME_WORD = r"[A-ZĐÀ-Ỹ][\wÀ-ỹ.]*"
_BYLINE = re.compile(rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,5}}(?:\s*[-–,]\s*{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,5}})*")


def clean_saved_text(raw: str) -> str:
    """The article text of a saved page: chrome lines out, the title once, no closing list."""
    lines = []
    for line in clean(raw).split("\n"):
        line = SAVED_CHROME_SUFFIX.sub("", line).strip() if len(line) < 300 else line
        if not line:
            lines.append("")
            continue
        if is_chrome_line(line) or any(p.fullmatch(line) for p in SAVED_CHROME_LINES):
            continue
        lines.append(line)
    lines = _drop_repeated_title(lines)
    lines = _drop_category_line(lines)
    lines = _cut_after_closing_byline(lines)
    lines = _strip_lead_masthead(lines)
    return clean("\n".join(lines))


def _drop_repeated_title(lines: list[str]) -> list[str]:
    """The title printed twice at the top (page heading, then article heading)."""
    filled = [i for i, line in enumerate(lines) if line][:2]
    if len(filled) == 2 and canonical(lines[filled[0]]) == canonical(lines[filled[1]]):
        return lines[: filled[1]] + lines[filled[1] + 1 :]
    return lines


_HEADLINE = re.compile(r"[^\n]{3,200}(?<![.!?…;,])")


def _drop_category_line(lines: list[str]) -> list[str]:
    """A section name above the title ("Xây dựng hệ thống chính trị"): the page's
    breadcrumb, which extraction drops from HTML too. It is a short headline-like line
    right above a longer one that is the title."""
    filled = [i for i, line in enumerate(lines) if line][:2]
    if len(filled) < 2 or filled[1] != filled[0] + 1:
        return lines
    first, second = lines[filled[0]], lines[filled[1]]
    if (
        len(first.split()) <= 6
        and len(first) < len(second)
        and _HEADLINE.fullmatch(first)
        and _HEADLINE.fullmatch(second)
    ):
        return lines[: filled[0]] + lines[filled[0] + 1 :]
    return lines


def _cut_after_closing_byline(lines: list[str]) -> list[str]:
    """Drop a closing byline and the related-news list a saved page has after it.

    The byline is a name-only line after the first few paragraphs; it goes with what
    follows it (titles and teasers of other articles, which can outnumber the article's
    own paragraphs), as extraction drops it from HTML.
    """
    filled = [i for i, line in enumerate(lines) if line]
    for n, i in enumerate(filled):
        if n < 3:
            continue
        line = lines[i]
        if len(line) <= 60 and (_BYLINE.fullmatch(line) or chrome.BYLINE_PREFIX.fullmatch(line)):
            return lines[:i]
    return lines


def _strip_lead_masthead(lines: list[str]) -> list[str]:
    """"Báo Cà Mau Chiều 23/7, …": the masthead printed before the lead is not text."""
    names = sorted({n for names, _ in PAPERS.values() for n in names}, key=len, reverse=True)
    for i, line in enumerate(lines[:8]):
        for name in names:
            if line.startswith(name + " ") and len(line) > len(name) + 40:
                lines = lines[:i] + [line[len(name) :].strip()] + lines[i + 1 :]
                return lines
    return lines


def paper_from_text(raw: str) -> str | None:
    """The paper (spider name) a saved text names itself by, or None."""
    text = clean(raw)
    head_and_tail = text[:3000] + "\n" + text[-1500:]
    for key, (names, tags) in PAPERS.items():
        for name in names:
            if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", head_and_tail):
                return key
        for tag in tags:
            if re.search(rf"\(\s*{re.escape(tag)}(?:\s*[-–/][^)]{{0,12}})?\s*\)", head_and_tail):
                return key
    return None
