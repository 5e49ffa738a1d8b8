"""Site chrome of Vietnamese news pages, as data.

``crawler.text.extract`` reads these tables and holds no site names of its own: a new
CMS quirk is a new row here, never an ``if "site.vn" in url`` branch there. The
model is trafilatura's ``xpaths.py``.

Every pattern is matched against text that went through ``crawler.text.clean``
first (NFC, ``Ð`` already ``Đ``, no non-breaking spaces), so none of them has to
spell out those variants. Text patterns are matched against a whole line or a
whole element's text (``fullmatch``), never searched inside running text, so a
paragraph that merely *mentions* "bình luận" is safe.

Where each row came from:

- [seed]  ``shared/seeds/001_*.txt``: a Báo Cà Mau article saved with its chrome.
- [sites] ``shared/sites.md``: notes on the ``-a<id>.html`` CMS family (Cà Mau,
  Cần Thơ, Đồng Tháp, An Giang, Đồng Khởi, Long An) and others, including the
  selectors of the docbao (2019) and tammuoichanhoa (2025) crawler configs.
- [spec]  the project's markup spec of a Báo Cà Mau article page.
- [vn]    recurring labels of Vietnamese news CMSs (comment forms, share bars,
  tag lines, related boxes) seen across the provincial papers in sites.md.
"""

from __future__ import annotations

import re

_I = re.IGNORECASE


def _class(*tokens: str) -> str:
    """XPath predicate: the class attribute contains one of ``tokens`` as a substring."""
    return " or ".join(f"contains(@class, '{t}')" for t in tokens)


def _class_word(*words: str) -> str:
    """XPath predicate: ``@class`` has one of ``words`` as a whole space-separated word."""
    return " or ".join(
        f"contains(concat(' ', normalize-space(@class), ' '), ' {w} ')" for w in words
    )


# --- Elements removed before extraction ------------------------------------
# Dropped from the tree before trafilatura sees it. Metadata hidden in some of
# them (the date line, the tag list) is read first. Class names are hints only:
# a site with other names still loses its chrome through the text patterns
# below and trafilatura's own boilerplate rules.
CHROME_XPATHS: list[str] = [
    # [spec][seed] clock + weather bar, "follow us on Google News", breadcrumb.
    f"//*[{_class_word('header-top', 'clock', 'weather', 'follow-news', 'breadcrumb', 'breadcrumbs')}]",
    # [spec][sites] share bar, tag line, related box, comment form of the
    # -a<id>.html family.
    f"//*[{_class_word('share-buttons', 'related-news', 'box-comment', 'social-share')}]",
    f"//*[{_class_word('tags', 'comments', 'comment', 'related')}]",
    # [spec][vn] comment forms (a text area or an e-mail field); some sites
    # wrap the whole page in a <form>, hence the conditions.
    "//form[.//textarea or .//input[@type='email']]",
]

# --- Whole lines / element texts that are chrome -----------------------------
# [spec][vn] "Từ khóa: Đại hội Đảng Cà Mau": its links are the tags.
TAG_LINE_PATTERN = re.compile(r"(?:Từ khóa|Từ khoá|Tags?|Chủ đề)\s*:.{0,300}", _I)

CHROME_LINE_PATTERNS: list[re.Pattern[str]] = [
    # [seed][sites] render-time clock printed on every page: "Thứ ba, 28-10-25 19:43:07".
    # Two-digit year, seconds: never a publication date.
    re.compile(
        r"(?:Thứ\s+(?:hai|ba|tư|năm|sáu|bảy)|Chủ\s+nhật),?\s*"
        r"\d{1,2}-\d{1,2}-\d{2}\s+\d{1,2}:\d{2}:\d{2}",
        _I,
    ),
    # [seed] weather widget: "Cà Mau, 32°C/ 32°C - 33°C Icon thời tiết nắng".
    re.compile(r"[^,]{1,40},\s*-?\d+\s*°C\s*/\s*-?\d+\s*°C(?:\s*-\s*-?\d+\s*°C)?.{0,60}", _I),
    re.compile(r"(?:.{0,60}\s)?Icon thời tiết.{0,40}", _I),
    # [seed] "Theo dõi Báo điện tử Cà Mau trên (Google News)".
    re.compile(r"Theo dõi .{1,60} trên(?:\s+Google News)?", _I),
    # [spec][vn] share bars: "Chia sẻ", "Chia sẻ Facebook Zalo", "Chia sẻ bài viết".
    re.compile(
        r"Chia sẻ(?:\s*(?:bài viết|lên|qua|Facebook|Zalo|Twitter|X|Email|Copy link|In bài)[,:]?)*:?",
        _I,
    ),
    # [spec][vn] tag line "Từ khóa: …" / "Tags: …".
    TAG_LINE_PATTERN,
    # [spec][seed][vn] box titles of related lists and comment blocks.
    re.compile(
        r"(?:Tin|Bài)\s+(?:liên quan|cùng chuyên mục|khác|mới|đọc nhiều|xem nhiều)(?:\s*:)?"
        r"|(?:Các\s+)?ý kiến (?:của bạn(?: đọc)?|bạn đọc)|Gửi ý kiến|Gửi bình luận|Bình luận(?:\s*\(\d+\))?",
        _I,
    ),
    # [spec] comment form labels.
    re.compile(r"\*?\s*(?:Email|Họ (?:và )?tên|Nội dung)\s*(?:\(không hiển thị trên trang\))?\s*:?", _I),
    # [spec][vn] copyright footer.
    re.compile(r"(?:©|Copyright\s*(?:©|\(c\)|\d{4})|Bản quyền thuộc).{0,300}", _I),
    re.compile(r".{0,200}Ghi rõ nguồn .{0,80} khi phát hành lại.{0,80}", _I),
    # [seed 003][sites] portal info line "[ Cập nhật vào ngày (27/04/2021) ] - [ Số lần xem: 453 ]";
    # [vn] view counters.
    re.compile(r"(?:\[\s*)?Cập nhật(?: vào)?(?: ngày)?.{0,40}(?:Số lần xem|Lượt xem)\s*:?\s*[\d.,]+\s*\]?", _I),
    re.compile(r"(?:Số lần xem|Lượt xem|Lượt đọc)\s*:?\s*[\d.,]+", _I),
    # [vn] page tools.
    re.compile(r"In bài(?: viết)?|Bản in|Lưu bài(?: viết)?|Quay lại|Về trang chủ|Lên đầu trang", _I),
]

# Titles of boxes that end the article (related lists, comments): the box
# holding such a heading is dropped, or, if the heading sits loose, the heading
# and everything after it in its parent. [spec][seed][vn]
BOX_HEADING_PATTERN = re.compile(
    r"(?:Tin|Bài)\s+(?:liên quan|cùng chuyên mục|khác|mới|đọc nhiều|xem nhiều)(?:\s*:)?"
    r"|(?:Các\s+)?ý kiến (?:của bạn(?: đọc)?|bạn đọc)|Bình luận(?:\s*\(\d+\))?",
    _I,
)
BOX_HEADING_XPATH = "//h2 | //h3 | //h4 | //h5 | //h6"

# --- Body containers ------------------------------------------------------------
# Article-body containers of Vietnamese CMSs that trafilatura's own body
# selectors miss; the first one found is marked itemprop=articleBody, which
# trafilatura honours. Without it trafilatura falls back to collecting loose
# paragraphs and drops subheadings. [sites] docbao content selectors
# (newscontent: baocamau; body-content: baoquangnam), tammuoichanhoa main
# containers; [vn] detail-content / content-detail / news-content / detail__content.
BODY_XPATHS: list[str] = [
    f"//*[{_class_word('newscontent', 'body-content', 'detail-content', 'content-detail', 'news-content', 'detail__content', 'detail-content-body', 'news-body', 'content-news')}]",
]

# --- Parts of the article read before pruning --------------------------------
# [sites] docbao: //*[@class='date-time'] (baocamau), div.pull-right.date-time
# (baoquangnam); [vn] common "post-date", "publish", "time" classes; HTML5 <time>.
DATE_XPATHS: list[str] = [
    f"//*[{_class('date-time', 'datetime', 'post-date', 'publish', 'date', 'ngay-dang', 'time')}]",
    "//time",
]

# [spec][sites] docbao "title-italic" (baocamau sapo); [vn] "sapo", "chapeau"
# (baoquangnam), "lead"/"summary" used by several CMSs.
SAPO_XPATHS: list[str] = [
    f"//*[{_class('sapo', 'chapeau', 'title-italic')} or {_class_word('lead', 'summary', 'article-summary')}]",
]

# [spec] trailing "<p class=author>"; [seed] right-aligned bold name closing the
# body (Báo Cà Mau, Báo Xây dựng); [vn] "tac-gia", "byline".
BYLINE_XPATHS: list[str] = [
    f"//*[{_class('author', 'byline', 'tac-gia', 'writer')}]",
    "//p[contains(translate(@style, ' ', ''), 'text-align:right')]",
]

# [spec] "Từ khóa: <a>…</a>"; [vn] tag boxes; microformat rel=tag.
TAG_XPATHS: list[str] = [
    f"//*[{_class_word('tags', 'tag', 'post-tags', 'tag-list', 'keywords')} or {_class('tags-', 'keyword')}]//a",
    "//a[@rel='tag']",
]

# Bylines with a role prefix: "Tin, ảnh: Hữu Nghĩa", "Bài và ảnh: …". [vn]
BYLINE_PREFIX = re.compile(
    r"(?:(?:Tin|Bài|Ảnh|Clip|Video)(?:\s*(?:,|và|-|/)\s*(?:ảnh|clip|video))*|Nhóm phóng viên|PV)\s*:\s*(?P<name>.{2,60})",
    _I,
)

# Agency / site tag opening the first body paragraph: "(CMO)", "(CMO-ĐD)",
# "(QNO) - ", "(Baohaugiang.com.vn) -", "(TTXVN)". [seed][sites]
DATELINE_PATTERN = re.compile(
    r"\(\s*[A-ZĐ][\w.]{1,30}(?:\s*[-–/]\s*[\w.]{1,12})*\s*\)\s*[-–—:]?\s*"
)

# --- Pages that are not articles ----------------------------------------------
# Matched (searched) in <title>, og:title and <h1>, and in the whole text of
# pages too short to be articles. [vn] plus the usual English wording.
ERROR_PAGE_PATTERN = re.compile(
    r"^\W*(?:Lỗi|Error)?\s*404\b|\b404\s*(?:[-–:|]|Not Found|Error)|"
    r"Không tìm thấy (?:trang|bài viết|nội dung|dữ liệu)|"
    r"(?:Trang|Bài viết|Nội dung)(?: bạn (?:tìm|yêu cầu|truy cập))?(?: kiếm)? không tồn tại|"
    r"Page not found|\bNot Found\b|đã bị xóa hoặc không tồn tại",
    _I,
)

# Players that make a page a video page. [sites] /video/xem-video/ pages.
VIDEO_XPATHS: list[str] = [
    "//video",
    "//iframe[contains(@src, 'youtube') or contains(@src, 'player') or contains(@src, 'video') or contains(@src, 'vimeo')]",
    f"//*[{_class('video-player', 'jwplayer', 'player-video')}]",
    "//meta[starts-with(@property, 'og:video')]",
]
