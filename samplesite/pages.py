"""HTML of the sample site, shaped like baocamau.vn (same paths, same markup of the parts
an extractor reads; see the project's article-page spec).

Pure functions from the content model (``site.py``) to ``str``; ``encode_cp1258`` turns a
page into windows-1258 bytes the way Vietnamese Windows software wrote them (tone marks as
combining characters after the base letter).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from html import escape
from urllib.parse import urlsplit

from samplesite.site import VN_TZ, Article, Category, Page, eth, slugify

WEEKDAYS = ["Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật"]

Lookup = Callable[[str], "Article | None"]


def e(s: str) -> str:
    return escape(s, quote=True)


def clock(now: datetime | None = None) -> str:
    """The render-time clock of the header bar: 'Thứ ba, 28-10-25 19:43:07'."""
    now = (now or datetime.now(VN_TZ)).astimezone(VN_TZ)
    return f"{WEEKDAYS[now.weekday()]}, {now.day}-{now.month}-{now:%y} {now:%H:%M:%S}"


def dmy(d: datetime | date) -> str:
    return f"{d:%d/%m/%Y}"


def menu_html(categories: Iterable[Category], extra: Iterable[tuple[str, str]] = ()) -> str:
    items = ['<li><a href="/">Trang chủ</a></li>', '<li><a href="/tin-moi/">Tin mới</a></li>']
    cats = list(categories)
    for top in (c for c in cats if c.parent is None):
        subs = [c for c in cats if c.parent == top]
        sub_html = ""
        if subs:
            sub_html = "<ul class=\"sub-menu\">" + "".join(
                f'<li><a href="{c.path}">{e(c.name)}</a></li>' for c in subs) + "</ul>"
        items.append(f'<li><a href="{top.path}">{e(top.name)}</a>{sub_html}</li>')
    items.extend(f'<li><a href="{href}">{e(name)}</a></li>' for href, name in extra)
    return '<nav class="main-menu"><ul>' + "".join(items) + "</ul></nav>"


def header_html(now: datetime | None = None) -> str:
    return (f'<div class="header-top"><span class="clock">{clock(now)}</span> '
            '<span class="weather">Cà Mau, 32°C/ 32°C - 33°C <img alt="Icon thời tiết nắng" src="/img/nang.png">'
            ' Icon thời tiết nắng</span></div>')


FOOTER = ('<footer><p>Bản quyền thuộc Báo Cà Mau. Giấy phép số 123/GP-BTTTT. Địa chỉ: 94 Phan Ngọc Hiển, '
          'phường An Xuyên, tỉnh Cà Mau.</p><p>Ghi rõ nguồn "Báo điện tử Cà Mau" khi phát hành lại thông tin '
          'từ website này.</p></footer>')


def document(title: str, body: str, *, head: str = "", charset: str = "utf-8") -> str:
    return (f'<!DOCTYPE html>\n<html lang="vi"><head><meta charset="{charset}"><title>{e(title)}</title>{head}'
            f"</head><body>{body}{FOOTER}</body></html>")


# --- Listings --------------------------------------------------------------------------------


def news_item(entry: Article | Page, *, href: str | None = None) -> str:
    return (f'<div class="news-item"><a class="title" href="{e(href or entry.path)}">{e(entry.title)}</a>'
            f'<span class="date">{dmy(entry.listed)}</span><p class="sapo">{e(entry.sapo)}</p></div>')


def pagination(page: int, last: int | None, *, window: int = 2) -> str:
    """Numbered links around ``page`` and a "Trang sau" link unless ``page`` is the last
    (``last=None``: there is always a next page)."""
    top = page + window if last is None else min(last, page + window)
    active = ' class="active"'
    links = [f'<a href="?page={n}"{active if n == page else ""}>{n}</a>'
             for n in range(max(1, page - window), top + 1)]
    if last is None or page < last:
        links.append(f'<a class="next" href="?page={page + 1}">Trang sau</a>')
    return '<div class="pagination">' + " ".join(links) + "</div>"


def listing_page(heading: str, entries: list, page: int, last: int | None, menu: str, *,
                 now: datetime | None = None, extra: str = "") -> str:
    items = "".join(news_item(x) for x in entries)
    nav = pagination(page, last) if entries else ""
    body = (f"{header_html(now)}{menu}<div class=\"list-news\"><h1 class=\"cate-title\">{e(heading)}</h1>"
            f"{items}{nav}{extra}</div>")
    return document(f"{heading} - Báo Cà Mau", body)


def home_page(newest: list, menu: str, *, now: datetime | None = None, trap_links: list[tuple[str, str]] = ()) -> str:
    items = "".join(news_item(a) for a in newest)
    more = "".join(f'<li><a href="{e(href)}">{e(text)}</a></li>' for href, text in trap_links)
    body = (f'{header_html(now)}{menu}<div class="follow-news">Theo dõi Báo điện tử Cà Mau trên '
            '<a href="https://news.google.com/publications/baocamau">Google News</a></div>'
            f'<div class="home"><div class="featured">{items}</div>'
            '<p><a class="more" href="/tin-moi/">Xem thêm tin mới</a></p>'
            f'<ul class="links">{more}</ul></div>')
    return document("Báo Cà Mau - Tin tức Cà Mau mới nhất", body)


# --- Article pages ---------------------------------------------------------------------------


def _blocks_html(art: Article, text: Callable[[str], str]) -> str:
    out = []
    for kind, value in art.blocks:
        if kind == "p":
            out.append(f"<p>{e(text(value))}</p>")  # type: ignore[arg-type]
        elif kind == "ul":
            out.append("<ul>" + "".join(f"<li>{e(text(v))}</li>" for v in value) + "</ul>")  # type: ignore[union-attr]
        elif kind == "figure":
            out.append(f'<figure class="image"><img src="/img/x.jpg" alt=""><figcaption>{e(text(value))}</figcaption>'  # type: ignore[arg-type]
                       "</figure>")
    return "\n".join(out)


def _related_html(art: Article, lookup: Lookup) -> str:
    items = []
    for href in art.related:
        other = lookup(urlsplit(href).path)
        if other is not None:
            items.append(f'<li><a href="{e(href)}">{e(other.title)}</a><p>{e(other.sapo)}</p></li>')
    return f'<div class="related-news"><h3>Tin liên quan</h3><ul>{"".join(items)}</ul></div>'


COMMENTS = ('<div class="comments"><h3>Ý kiến của bạn</h3><form action="/binh-luan/gui" method="post">'
            '<textarea name="noi_dung"></textarea><label>*Họ tên:</label><input name="ten">'
            '<label>*Email (không hiển thị trên trang):</label><input name="email">'
            '<button type="submit">Gửi ý kiến</button></form></div>')


def article_page(art: Article, url: str, menu: str, lookup: Lookup, *, now: datetime | None = None,
                 charset: str = "utf-8") -> str:
    """The page of ``art`` served at ``url`` (its own URL, or a duplicate's)."""
    t = eth if art.eth else (lambda s: s)
    title, sapo = t(art.title), t(art.sapo)
    cat = art.category
    crumbs = [cat.parent, cat] if cat.parent else [cat]
    breadcrumb = " &gt; ".join(f'<a href="{c.path}">{e(c.name)}</a>' for c in crumbs)
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
                     "datePublished": art.published.date().isoformat(),
                     "author": {"@type": "Person", "name": art.author}}, ensure_ascii=False).replace("</", "<\\/")
    head = (f'<meta property="og:title" content="{e(title)}"><meta name="description" content="{e(sapo)}">'
            f'<meta property="og:url" content="{e(url)}"><link rel="canonical" href="{e(url)}">'
            f'<script type="application/ld+json">{ld}</script>')
    tags = " ".join(f'<a href="/tags/{slugify(tag)}">{e(tag)}</a>' for tag in art.tags)
    body = (
        f"{header_html(now)}\n{menu}\n"
        '<div class="follow-news">Theo dõi Báo điện tử Cà Mau trên '
        '<a href="https://news.google.com/publications/baocamau">Google News</a></div>\n'
        f'<div class="breadcrumb">{breadcrumb}</div>\n'
        '<article class="post-content">\n'
        f'<h1 class="post-title">{e(title)}</h1>\n'
        f'<div class="date-time">{art.published:%d/%m/%Y - %H:%M}</div>\n'
        f'<div class="post-sapo"><strong>Báo Cà Mau</strong> {e(sapo)}</div>\n'
        '<div class="newscontent">\n'
        f"<p>(CMO) {e(sapo)}</p>\n"
        f"{_blocks_html(art, t)}\n"
        f'<p class="author" style="text-align:right"><strong>{e(art.author)}</strong></p>\n'
        "</div>\n"
        '<div class="share-buttons">Chia sẻ <a href="https://www.facebook.com/sharer/sharer.php">Facebook</a> '
        '<a href="https://zalo.me/share">Zalo</a></div>\n'
        f'<div class="tags">Từ khóa: {tags}</div>\n'
        f"{_related_html(art, lookup)}\n"
        f"{COMMENTS}\n"
        "</article>\n"
    )
    return document(f"{title} - Báo Cà Mau", body, head=head, charset=charset)


def nfd_page(html: str) -> str:
    """The same page as a CMS with a decomposing editor would serve it: NFD, Latin Eth."""
    return unicodedata.normalize("NFD", eth(html))


def malformed_page(html: str) -> str:
    """The same page with the sloppiness of hand-edited CMS output: no ``</p>``, ``</li>``
    or closing ``</html>``, unquoted attributes, an unclosed ``<b>``, entities without ``;``."""
    head, sep, rest = html.partition('<div class="newscontent">')
    content, sep2, tail = rest.partition('<p class="author"')
    content = content.replace("</p>", "").replace("</li>", "")
    content = content.replace("<p>", "<p><b>", 1) if content.count("<p>") > 2 else content
    content = content.replace("<p>", "<P >", 2)
    tail = tail.replace(' style="text-align:right"', " style=text-align:right")
    tail = tail.replace("</body></html>", "").replace("</article>", "")
    head = head.replace("&gt;", "&gt")
    return head + sep + content + sep2 + tail


def video_page(title: str, sapo: str, listed: datetime, menu: str, *, now: datetime | None = None,
               article_shaped: bool = False) -> str:
    """A video page: player, a one-line caption, no text."""
    content = (
        '<div class="video-player"><video controls poster="/img/x.jpg" width="640">'
        '<source src="/media/clip.mp4" type="video/mp4"></video></div>'
        f'<p class="video-caption"><em>{e(title)}</em></p>'
    )
    main = (
        '<article class="post-content">'
        f'<h1 class="post-title">{e(title)}</h1><div class="date-time">{listed:%d/%m/%Y - %H:%M}</div>'
        f'<div class="newscontent">{content}</div>'
        '<div class="share-buttons">Chia sẻ <a>Facebook</a> <a>Zalo</a></div>'
        f"{COMMENTS}</article>"
        if article_shaped else
        f'<div class="video-detail"><h1 class="video-title">{e(title)}</h1>{content}</div>'
    )
    return document(f"{title} - Báo Cà Mau", f"{header_html(now)}{menu}{main}")


def simple_page(title: str, text: str, menu: str, *, now: datetime | None = None) -> str:
    return document(f"{title} - Báo Cà Mau", f'{header_html(now)}{menu}<div class="page"><h1>{e(title)}</h1>'
                                            f"<p>{e(text)}</p></div>")


def not_found_page(menu: str, *, now: datetime | None = None) -> str:
    return simple_page("Không tìm thấy trang", "Trang bạn tìm không tồn tại hoặc đã bị xóa.", menu, now=now)


def server_error_page() -> str:
    return document("Lỗi máy chủ", "<h1>Lỗi máy chủ</h1><p>Hệ thống đang bận, vui lòng thử lại sau.</p>")


def calendar_page(day: date, entries: list, menu: str, variants: list[str], *, now: datetime | None = None) -> str:
    prev_day, next_day = day - timedelta(days=1), day + timedelta(days=1)
    nav = (f'<div class="calendar"><a class="prev" href="?ngay={prev_day.isoformat()}">Ngày trước</a> '
           f'<a class="next" href="?ngay={next_day.isoformat()}">Ngày sau</a></div>')
    views = "".join(f'<a href="{e(v)}">Xem dạng khác</a> ' for v in variants)
    items = "".join(news_item(x) for x in entries)
    body = (f'{header_html(now)}{menu}<div class="list-news"><h1 class="cate-title">Tin ngày {dmy(day)}</h1>'
            f'{items}{nav}<div class="views">{views}</div></div>')
    return document(f"Tin ngày {dmy(day)} - Báo Cà Mau", body)


# --- windows-1258 ------------------------------------------------------------------------------

_TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_cp1258_form(s: str) -> str:
    """Vietnamese as windows-1258 writes it: letters with circumflex, breve or horn stay
    precomposed (â, ơ, ư …, which the code page has), tone marks become combining characters
    (the code page has five), unless the toned letter itself is in the code page (à, á, …)."""
    out = []
    for ch in unicodedata.normalize("NFC", s):
        try:
            ch.encode("cp1258")
            out.append(ch)
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONE_MARKS))
        tones = "".join(c for c in parts if c in _TONE_MARKS)
        out.append(base + tones)
    return "".join(out)


def encode_cp1258(s: str) -> bytes:
    """windows-1258 bytes of ``s``; anything the code page cannot hold becomes ``&#N;``."""
    return to_cp1258_form(s).encode("cp1258", errors="xmlcharrefreplace")
