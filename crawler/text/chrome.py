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
from dataclasses import dataclass

_I = re.IGNORECASE


@dataclass(frozen=True)
class ClassHint:
    """Class names of one role: ``words`` match a whole space-separated word of ``@class``,
    ``parts`` any substring of it. ``crawler.text.markup.ClassIndex`` compiles them once."""

    words: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()


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
# below and trafilatura's own boilerplate rules. The class-based rows are in
# CLASS_HINTS["chrome"] below; these are the rest.
CHROME_XPATHS: list[str] = [
    # [spec][vn] comment forms (a text area or an e-mail field); some sites
    # wrap the whole page in a <form>, hence the conditions.
    "//form[.//textarea or .//input[@type='email']]",
]

# --- Whole lines / element texts that are chrome -----------------------------
# A tag-box label standing alone: the line after it is the tag list, whatever it says.
TAG_LABEL_PATTERN = re.compile(r"(?:Từ khóa|Từ khoá|Tags?|Chủ đề)\s*:?", _I)
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
    re.compile(r"(?:©|Copyright\b|Bản quyền thuộc).{0,300}", _I),
    # [vn] a tag-box label on a line of its own (its list follows: see TAG_LABEL_PATTERN).
    re.compile(r"(?:Từ khóa|Từ khoá|Tags?|Chủ đề)\s*:?", _I),
    # CMS shortcodes left unrendered: "[button link=…]Send us…[/button]".
    re.compile(r"\[(\w+)\b[^\]]{0,300}\].{0,300}\[/\1\]", _I),
    # "see also" links set inside the text: "Xem thêm: …", "Đọc thêm: …", "Related: …".
    # The colon is what makes it a link label: "Xem thêm thông tin về …" is a sentence.
    re.compile(r"(?:Xem thêm|Đọc thêm|Mời xem thêm|Related|Read more|See more|Read also|Also read)\s*:.{0,200}"
               r"|Don'?t miss|Đừng bỏ lỡ", _I),
    # social and newsletter calls closing a page: "Follow … on Twitter", "Subscribe to …".
    re.compile(r"(?:Follow|Theo dõi)\b.{0,120}\b(?:Twitter|Facebook|Instagram|YouTube|Zalo|TikTok)\b.{0,150}"
               r"|(?:Subscribe to|Sign up for|Đăng ký nhận)\b.{0,150}", _I),
    # teaser titles of other articles with a capitalised kind label: "… outbreak [NEWS]",
    # "[VIDEO] …" (case matters: the label is capitals).
    re.compile(r"(?-i:[^\n]{5,200}\s\[[A-Z]{3,12}\]\|?|\[(?:VIDEO|ẢNH|INFOGRAPHIC|PHOTO|Video|Ảnh)\]\s[^\n]{5,200})"),
    # contact lines: "Email … at x@y.com or follow him @…", "Liên hệ: … bandoc@…", "Have a tip? …".
    re.compile(r"(?:E-?mail|Contact|Liên hệ|Have a tip\?)\b[^\n]{0,120}@[^\n]{0,300}", _I),
    # share prompts: "Like this story? Share it with a friend!", "If you enjoyed this article, …".
    re.compile(r"(?:Like|Enjoy(?:ed)?) this (?:story|article)\b.{0,200}|If you enjoyed this article\b.{0,300}", _I),
    # update stamps: "Cập nhật lúc: 10:20 12/03/2025", "Updated at 1:23 p.m.".
    re.compile(r"(?:Cập nhật|Updated)(?:\s+(?:lúc|ngày|at|on))?\s*:?\s*[\d/:.,\s-]{1,30}"
               r"(?:\s*[ap]\.?m\.?)?(?:\s*\(?GMT\s*\+\s*7\)?)?", _I),
    # comment-box titles in English, as several provincial CMS templates print them.
    re.compile(r"(?:\d+\s+)?Comments?|Leave a (?:comment|reply)|Tell us what you think\W*", _I),
    re.compile(r".{0,200}Ghi rõ nguồn .{0,80} khi phát hành lại.{0,80}", _I),
    # [seed 003][sites] portal info line "[ Cập nhật vào ngày (27/04/2021) ] - [ Số lần xem: 453 ]";
    # [vn] view counters.
    re.compile(r"(?:\[\s*)?Cập nhật(?: vào)?(?: ngày)?.{0,40}(?:Số lần xem|Lượt xem)\s*:?\s*[\d.,]+\s*\]?", _I),
    re.compile(r"(?:Số lần xem|Lượt xem|Lượt đọc)\s*:?\s*[\d.,]+", _I),
    # [vn] page tools.
    re.compile(r"In bài(?: viết)?|Bản in|Lưu bài(?: viết)?|Quay lại|Về trang chủ|Lên đầu trang", _I),
    # [vn] listen widgets: "Nghe đọc bài", "Nghe bài viết", "Đọc bài viết 00:00".
    re.compile(r"(?:Nghe|Đọc)\s+(?:đọc\s+)?(?:bài|tin)(?:\s+viết|\s+này)?(?:\s*\d{1,2}:\d{2})*|Tạm dừng|Nghe audio", _I),
    # [vn] photo captions printed as lines: "Ảnh: Hữu Nghĩa", "Ảnh minh họa",
    # "(Ảnh: TTXVN)", and a caption sentence closed by its credit
    # ("Ông A phát biểu tại hội nghị. Ảnh: Hữu Nghĩa").
    re.compile(r"\(?\s*Ảnh(?:\s+minh\s+họa)?\s*(?:[:-]\s*[^()\n]{1,80})?\)?\.?", _I),
    re.compile(r"[^\n]{10,250}?[.!)]\s*\(?\s*Ảnh(?:\s+minh\s+họa)?\s*:\s*[^.()\n]{1,60}\)?\.?", _I),
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

# --- Class hints, by role ------------------------------------------------------
# One table for every class-name hint; the roles are read as follows:
# chrome  dropped before extraction (unless it holds the <h1>);
# caption dropped too: photo captions, in <figcaption>, a caption cell of the
#         layout table under a photo, or a caption paragraph;
# body    the article container, marked itemprop=articleBody for trafilatura;
# date    the printed publication date; sapo: the lead block;
# byline  the author line; tags: the tag box (its links); video: a player.
CLASS_HINTS: dict[str, ClassHint] = {
    "chrome": ClassHint(
        words=(
            # [spec][seed] clock + weather bar, "follow us on Google News", breadcrumb.
            "header-top", "clock", "weather", "follow-news", "breadcrumb", "breadcrumbs",
            # [spec][sites] share bar, tag line, related box, comment form of the
            # -a<id>.html family.
            "share-buttons", "related-news", "box-comment", "social-share",
            "tags", "comments", "comment", "related",
            # [vn] page tools inside the article box: font size, print, listen.
            "font-size", "fontsize", "text-size", "change-font", "btn-print", "tool-bar",
            "article-tools", "detail-tools", "audio-player", "listen", "text-to-speech", "tts",
            # [vn] newsletter sign-up boxes and teaser cards of other articles.
            "newsletter", "Newsletter", "promo-item", "box-newsletter",
        ),
        parts=("zoom-font", "font-resize", "textsize", "sharing", "newsletter-", "Newsletter-"),
    ),
    "caption": ClassHint(
        words=("caption", "image_desc", "image-desc", "img-desc", "desc_image", "photo-caption",
               "img-caption", "image-caption", "fig-caption", "PhotoCMS_Caption", "expNoEdit",
               "note-image", "chuthich", "chu-thich"),
    ),
    "body": ClassHint(
        # [sites] docbao content selectors (newscontent: baocamau; body-content:
        # baoquangnam), tammuoichanhoa main containers; [vn] detail-content /
        # content-detail / news-content / detail__content.
        words=("newscontent", "body-content", "detail-content", "content-detail", "news-content",
               "detail__content", "detail-content-body", "news-body", "content-news"),
    ),
    # [sites] docbao: //*[@class='date-time'] (baocamau), div.pull-right.date-time
    # (baoquangnam); [vn] common "post-date", "publish", "time" classes.
    "date": ClassHint(parts=("date-time", "datetime", "post-date", "publish", "date", "ngay-dang", "time")),
    # [spec][sites] docbao "title-italic" (baocamau sapo); [vn] "sapo", "chapeau"
    # (baoquangnam), "lead"/"summary"/"description" used by several CMSs.
    "sapo": ClassHint(
        words=("lead", "summary", "article-summary", "description", "desc", "article-description"),
        parts=("sapo", "chapeau", "title-italic"),
    ),
    # [spec] trailing "<p class=author>"; [vn] "tac-gia", "byline".
    "byline": ClassHint(parts=("author", "byline", "tac-gia", "writer")),
    # [spec] "Từ khóa: <a>…</a>"; [vn] tag boxes.
    "tags": ClassHint(words=("tags", "tag", "post-tags", "tag-list", "keywords"), parts=("tags-", "keyword")),
    "video": ClassHint(parts=("video-player", "jwplayer", "player-video")),
}

# --- Body containers ------------------------------------------------------------
# Article-body containers of Vietnamese CMSs that trafilatura's own body
# selectors miss; the first one found is marked itemprop=articleBody, which
# trafilatura honours. Without it trafilatura falls back to collecting loose
# paragraphs and drops subheadings. [sites] docbao content selectors
# (newscontent: baocamau; body-content: baoquangnam), tammuoichanhoa main
# containers; [vn] detail-content / content-detail / news-content / detail__content.
BODY_XPATHS: list[str] = []  # all class hints: CLASS_HINTS["body"]

# --- Parts of the article read before pruning --------------------------------
# [sites] docbao: //*[@class='date-time'] (baocamau), div.pull-right.date-time
# (baoquangnam); [vn] common "post-date", "publish", "time" classes; HTML5 <time>.
DATE_XPATHS: list[str] = ["//time"]  # plus CLASS_HINTS["date"]

# [spec][sites] docbao "title-italic" (baocamau sapo); [vn] "sapo", "chapeau"
# (baoquangnam), "lead"/"summary" used by several CMSs.
SAPO_XPATHS: list[str] = []  # all class hints: CLASS_HINTS["sapo"]

# [spec] trailing "<p class=author>"; [seed] right-aligned bold name closing the
# body (Báo Cà Mau, Báo Xây dựng); [vn] "tac-gia", "byline".
BYLINE_XPATHS: list[str] = ["//p[contains(translate(@style, ' ', ''), 'text-align:right')]"]

# [spec] "Từ khóa: <a>…</a>"; [vn] tag boxes; microformat rel=tag.
TAG_XPATHS: list[str] = ["//a[@rel='tag']"]  # plus the links of CLASS_HINTS["tags"]

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
    "//meta[starts-with(@property, 'og:video')]",
]

# --- Captions ---------------------------------------------------------------------
# A caption is a sentence or two; an element this long under a photo is body text.
CAPTION_MAX_CHARS = 300

# --- Lines at the edges of the body --------------------------------------------------
# [vn] Lines that are chrome only where they stand at the top of the body (the
# first few paragraphs): page tools inside the article box and the
# publication-date line repeated as the first body line. In running text a
# bare date could be content (a timeline), so these are not global.
TOP_LINE_PATTERNS: list[re.Pattern[str]] = [
    # font-size buttons "A A", "AA", "A- A+", "A A A", with a "Cỡ chữ" label.
    re.compile(r"(?:Cỡ chữ\s*:?\s*)?(?:A\s*[-+−]?\s*){2,3}", _I),
    # date lines: "Thứ Năm, 11/07/2024 - 08:21", "23/07/2025 17:05 (GMT+7)", "08:21 | 23/07/2025".
    re.compile(
        r"(?:(?:Thứ\s+(?:hai|ba|tư|năm|sáu|bảy)|Chủ\s+nhật),?\s*(?:ngày\s*)?)?"
        r"(?:\d{1,2}[:hg]\d{2}\s*[|,-]?\s*)?\d{1,2}[/.-]\d{1,2}[/.-]\d{4}"
        r"(?:\s*[|,-]?\s*\d{1,2}[:hg]\d{2}(?::\d{2})?)?\s*(?:\(?GMT\s*\+\s*7\)?)?",
        _I,
    ),
]

# [vn] Lines that close the text without being part of it: source and credit
# lines, the byline of a reader's letter, a doctor's signature. Only trailing
# ones go (at most CLOSING_LINES_MAX); each is short and has no sentence inside.
CLOSING_LINES_MAX = 3
CLOSING_LINE_PATTERNS: list[re.Pattern[str]] = [
    # "Theo DTO", "Theo TTXVN", "Theo báo Nhân Dân" (no comma: "Theo kế hoạch, …" is text).
    re.compile(r"\(?\s*Theo\s+[^.,;:!?\n]{1,50}\)?\.?", _I),
    # agency credits in English: "(Reporting by …; Editing by …)".
    re.compile(r"\(?\s*(?:Additional\s+)?(?:Reporting|Writing|Editing)\s+by\b[^\n]{1,400}", _I),
    # "Nguồn: …", "(Nguồn: Bộ Y tế)".
    re.compile(r"\(?\s*Nguồn\s*:\s*[^\n]{1,150}\)?\.?", _I),
    # reader's letter: "Bạn đọc Nguyễn Văn An (phường 5)".
    re.compile(r"(?:Bạn đọc|BĐ)\s*:?\s+[^.!?\n]{2,80}", _I),
    # doctor's signature: "BSCKII. Trần Thị Bích - Bệnh viện Đa khoa tỉnh", "ThS.BS Lê Văn Nam".
    re.compile(
        r"(?:(?:PGS|GS|TS|ThS|BS|BSCK\s*I{1,2}|BSCKI{1,2}|BSNT|DS|Bác sĩ|Dược sĩ|Lương y)\s*[.,]?\s*)+"
        r"[A-ZĐÀ-Ỹ][^.!?\n]{2,100}",
    ),
]
