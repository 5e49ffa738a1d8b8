"""Sample sites shaped like each CMS family (``crawler/spiders/families/``), for end-to-end tests.

The content is the sample site's (``site.SiteModel``: the seed texts plus synthetic articles,
categories and sub-categories), spread over three months; what changes per family is what a
crawler sees: URL shapes, section paths and their pagination form, feeds (RSS 2.0 or Atom, stated
or advertised with ``<link rel="alternate">``), sitemaps (robots.txt ``Sitemap:`` line, sitemap
index with gzipped monthly children, Google News sitemap) and the article markup the research
notes record for the family (``span.pubdate 'dd/mm/yyyy - HH:MM'``, a date in JSON-LD only,
``(CTO) - `` datelines, …).

Some articles are reachable one way only, so a test can tell that a discovery path works:
``feed_only`` newest articles appear in feeds but in no listing, ``sitemap_only`` oldest ones in
sitemaps only, ``related_only`` ones only as related links of other articles.

    from samplesite.families import FamilySite, SHAPES
    with FamilySite(SHAPES["hex7"]) as site:
        site.base_url, site.expected   # every article the archive should end up with

``python -m samplesite --family hex7`` serves one.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from email.utils import format_datetime
from html import escape
from urllib.parse import parse_qs, urlsplit

from samplesite import pages
from samplesite.server import SampleSite, _Handler
from samplesite.site import NEWEST, Article, Category

WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"]


def e(s: str) -> str:
    return escape(s, quote=True)


# --- markup ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Markup:
    """How a family's article page prints its parts (classes from shared/sites.md where known)."""

    paper: str
    date: str  # pubdate | jsonld | meta | weekday-comma | weekday-ngay | weekday-bracket | portal
    tag: str = ""  # agency tag opening the first body paragraph: "(CTO) - "
    title_class: str = "title"
    sapo_class: str = "sapo"
    body_class: str = "content"
    time_known: bool = True  # False: the page prints the day only

    def date_html(self, when: datetime) -> str:
        wd = WEEKDAYS[when.weekday()]
        if self.date == "pubdate":  # baocantho
            return f'<div class="box-date"><span class="pubdate">{when:%d/%m/%Y - %H:%M}</span></div>'
        if self.date == "weekday-comma":  # baodongthap
            return f'<div class="date">{wd}, {when:%d/%m/%Y, %H:%M} (GMT+7)</div>'
        if self.date == "weekday-ngay":  # baohaugiang
            return f'<div class="news-date">{wd}, ngày {when:%d/%m/%Y | %H:%M}</div>'
        if self.date == "weekday-bracket":  # baoquangbinh (2015)
            return f'<p class="time">{wd}, {when:%d/%m/%Y, %H:%M} [GMT+7]</p>'
        if self.date == "portal":  # the Hậu Giang portal of seed 4
            return (f'<div class="date-view">[ Cập nhật vào ngày ({when:%d/%m/%Y}) ] - '
                    f'[ Số lần xem: {when.minute * 7 + 11} ]</div>')
        return ""  # jsonld, meta: structured data only

    def head_html(self, art: Article, title: str) -> str:
        out = ""
        if self.date in ("pubdate", "jsonld"):
            published = art.published.date().isoformat() if self.date == "pubdate" else art.published.isoformat()
            ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
                             "datePublished": published}, ensure_ascii=False).replace("</", "<\\/")
            out += f'<script type="application/ld+json">{ld}</script>'
        if self.date == "meta":
            out += f'<meta property="article:published_time" content="{art.published.isoformat()}">'
        return out


# --- pagination -----------------------------------------------------------------------------------
# Written here, apart from the crawler's own pagination code (crawler/spiders/discovery.py), so a
# test that the crawler paginates in a family's form checks it against the site, not against itself.


def _stem(path: str) -> str:
    """'/kinh-te/' → '/kinh-te'; '/kinh-te.htm' → '/kinh-te'; '/thoi-su-215.html' → '/thoi-su-215'."""
    if path.endswith("/"):
        return path[:-1]
    return path.rsplit(".", 1)[0] if "." in path.rsplit("/", 1)[-1] else path


def query_pages(param: str) -> Callable[[str, int], str]:
    return lambda path, n: path if n <= 1 else f"{path}?{param}={n}"


def path_pages(before: str, after: str = "") -> Callable[[str, int], str]:
    """Pages ≥ 2 at '<stem><before><n><after>' ('/kinh-te' + '/trang-' + 2 + '.html')."""
    return lambda path, n: path if n <= 1 else f"{_stem(path)}{before}{n}{after}"


def _day_slash(day: date) -> str:
    return f"/lich-bao/ngay-{day:%d-%m-%Y}/"


def _day_htm(day: date) -> str:
    return f"/lich-bao/ngay-{day:%d-%m-%Y}.htm"


def _day_bare(day: date) -> str:
    return f"/lich-bao/ngay/{day:%Y-%m-%d}"


_DAY = re.compile(r"^/lich-bao/ngay[-/](?:(?P<d>\d{2})-(?P<m>\d{2})-(?P<y>\d{4})|(?P<y2>\d{4})-(?P<m2>\d{2})-(?P<d2>\d{2}))")


def day_of(path: str) -> date | None:
    m = _DAY.match(path)
    if not m:
        return None
    try:
        return date(int(m["y"] or m["y2"]), int(m["m"] or m["m2"]), int(m["d"] or m["d2"]))
    except ValueError:
        return None
FACETS = ("anh", "cu-nhat", "doc-nhieu")
ALL_DAYS = 3000  # the "every day" page: a listing with thousands of links


# --- shapes ---------------------------------------------------------------------------------------


def _yyyymm(art: Article) -> str:
    return f"{art.published:%Y%m}"


def _hex7(art: Article) -> str:
    return f"{(art.id * 2654435761) % 0xFFFFFFF:07x}"


def _xaydung_id(art: Article) -> str:
    """'192' + yymmddHHMMSS + 3 digits, like baoxaydung.vn's 18-digit ids."""
    return f"192{art.published:%y%m%d%H%M%S}{art.id % 1000:03d}"


@dataclass(frozen=True)
class Shape:
    """What one CMS family's site looks like to a crawler."""

    family: str
    spider: str  # the real site spider of the family the tests crawl it with
    province: str  # that spider's province
    article: Callable[[Article], str]
    section: Callable[[Category], str]
    page_form: str  # the pagination form, as the crawler's discovery.PAGE_FORMS would write it
    page: Callable[[str, int], str]  # the site-relative URL of page n of the listing at a path
    markup: Markup
    newest: str | None = None  # a newest-first listing of everything ("/tin-moi/")
    feeds: tuple[str, ...] = ()  # RSS paths served (newest articles)
    atom: bool = False  # feeds are Atom, not RSS 2.0
    feed_link: bool = False  # advertise the feeds with <link rel="alternate"> on the home page
    sitemap: str | None = None  # "index": index → gzipped monthly urlsets; "news": a news sitemap; "urlset"
    sitemap_path: str = "/sitemap.xml"
    robots_sitemap: bool = False  # a "Sitemap:" line in robots.txt
    feed_only: int = 0
    sitemap_only: int = 0
    related_only: int = 0
    listing_articles: bool = True  # False: listings are rendered client-side (no article links)
    # Maze traps (``FamilySite(maze=True)``): day archives in the section shape, each linking the
    # day before and after; faceted filters; an endless sitemap index; links with ever-new query
    # strings; an "every day" page with thousands of links.
    day: Callable[[date], str] = _day_slash


def _cat_id(cat: Category) -> int:
    return 200 + sum(ord(c) for c in cat.slug) % 97


SHAPES: dict[str, Shape] = {
    "aid": Shape(
        "aid", "baocantho", "Cần Thơ",
        article=lambda a: f"/{a.slug}-a{a.id}.html",
        section=lambda c: f"/{c.slug}/",
        page_form="{path}?page={page}", page=query_pages("page"),
        newest="/tin-moi/",
        markup=Markup("Báo Cần Thơ", "pubdate", tag="(CTO) - ", title_class="title-detail",
                      sapo_class="detail-desc", body_class="content-fck"),
        feeds=("/rss/cate/thoi-su/",), feed_only=2,
    ),
    "hex7": Shape(
        "hex7", "baodaklak", "Đắk Lắk",
        article=lambda a: f"/{a.category.slug}/{_yyyymm(a)}/{a.slug}-{_hex7(a)}/",
        section=lambda c: f"/{c.slug}/",
        page_form="{path}?paged={page}", page=query_pages("paged"),
        markup=Markup("Báo Đắk Lắk", "jsonld", title_class="detail-title", body_class="article_content"),
        sitemap="index", robots_sitemap=True, sitemap_only=5,
    ),
    "post": Shape(
        "post", "baogialai", "Gia Lai",
        article=lambda a: f"/{a.slug}-post{a.id}.html",
        section=lambda c: f"/{c.slug}/",
        page_form="{stem}/trang-{page}.html", page=path_pages("/trang-", ".html"),
        markup=Markup("Báo Gia Lai", "meta", tag="(GLO)- ", title_class="article__title",
                      sapo_class="article__sapo", body_class="article__body zce-content-body cms-body"),
        feeds=("/rss/home.rss",), feed_link=True, feed_only=2,
    ),
    "numid": Shape(
        "numid", "baoxaydung", "Toàn quốc",
        article=lambda a: f"/{a.slug}-{_xaydung_id(a)}.htm",
        section=lambda c: f"/{c.slug}.htm",
        page_form="{stem}/p{page}", page=path_pages("/p"), day=_day_htm,
        newest="/tin-moi-nhat.htm",  # baoxaydung's newest-first list (issue 20)
        markup=Markup("Báo Xây dựng", "weekday-comma", title_class="detail-title", sapo_class="detail-sapo",
                      body_class="detail-content"),
        feeds=("/rss/home.rss", "/rss/kinh-te.rss"), feed_only=2,
    ),
    "catid": Shape(
        "catid", "baohaugiang", "Cần Thơ",
        article=lambda a: f"/{a.category.section.slug}/{a.slug}-{a.id}.html",
        section=lambda c: f"/{c.slug.replace('/', '-')}-{_cat_id(c)}.html",
        page_form="{stem}/p/{page}", page=path_pages("/p/"), day=_day_htm,
        markup=Markup("Báo Hậu Giang", "weekday-ngay", tag="(HGO) – ", title_class="news-details-title",
                      body_class="contentView"),
        related_only=2,
    ),
    "monthpath": Shape(
        "monthpath", "baodongnai", "Đồng Nai",
        article=lambda a: f"/{a.category.section.slug}/{_yyyymm(a)}/{a.slug}/",
        section=lambda c: f"/{c.slug}/",
        page_form="{stem}/page/{page}/", page=path_pages("/page/", "/"),
        markup=Markup("Báo Đồng Nai", "weekday-bracket", body_class="content-detail"),
        sitemap="news", sitemap_path="/sitemap-news.xml", robots_sitemap=True, sitemap_only=4,
    ),
    "generic": Shape(
        # The unidentified Hậu Giang party portal of seed 4, imagined as a SharePoint-style site:
        # article paths no family knows (and ARTICLE_GUESS misses), listings rendered client-side.
        "generic", "news", "",
        article=lambda a: f"/Pages/tin-tuc-{a.id}.aspx",
        section=lambda c: f"/danh-muc/{c.slug}/",
        page_form="{path}?trang={page}", page=query_pages("trang"), day=_day_bare,
        markup=Markup("Cổng thông tin Đảng bộ tỉnh Hậu Giang", "portal", body_class="noi-dung", time_known=False),
        feeds=("/feeds/tin-moi.atom",), atom=True, feed_link=True,
        sitemap="urlset", robots_sitemap=True, related_only=2, listing_articles=False,
    ),
}


def edition_shape(shape: Shape) -> Shape:
    """An edition of a paper in ``shape`` (Báo Đắk Lắk's Phú Yên edition on its own host): the
    same CMS with articles of its own and no sitemap or feed, served by a second ``FamilySite``
    (another seed) on another loopback port. The main site never links to it, so a crawl reaches
    its articles only by starting on it (``-a edition_urls=<host>=<its base_url>``)."""
    return replace(shape, sitemap=None, robots_sitemap=False, sitemap_only=0, feeds=(), feed_only=0)


# --- the site -------------------------------------------------------------------------------------


class FamilySite(SampleSite):
    """A sample site in ``shape``'s URL shapes, served on a loopback port."""

    def __init__(self, shape: Shape, articles: int = 30, *, per_page: int = 4, seed: int = 2025, maze: bool = True,
                 **kwargs):
        super().__init__(articles, traps=False, per_page=per_page, seed=seed, **kwargs)
        self.shape = shape
        self.maze = maze
        model = self.model
        # Three months of articles, two days apart, newest first (the sitemap index has children).
        for i, art in enumerate(model.articles):
            when = NEWEST - timedelta(days=2 * i)
            art.published = art.listed = when.replace(hour=art.published.hour, minute=art.published.minute)
        model.version += 1
        arts = model.articles
        self.feed_only = arts[: shape.feed_only]
        self.sitemap_only = arts[len(arts) - shape.sitemap_only:] if shape.sitemap_only else []
        rest = arts[shape.feed_only: len(arts) - shape.sitemap_only]
        self.related_only = rest[len(rest) // 2: len(rest) // 2 + shape.related_only]
        hidden = {a.id for a in (*self.feed_only, *self.sitemap_only, *self.related_only)}
        self.listed = [a for a in arts if a.id not in hidden]
        self.path_of = {a.id: shape.article(a) for a in arts}
        self.by_path = {p: a for a in arts for p in [self.path_of[a.id]]}
        if len(self.by_path) != len(arts):
            raise AssertionError("two articles share a path")
        self.by_aid_path = {a.path: a for a in arts}  # SiteModel's related links use baocamau paths
        # Related links: visible articles only, plus one link to each related-only article.
        visible = [a for a in arts if a.id not in hidden]
        for i, art in enumerate(arts):
            art.related = [visible[(i + k) % len(visible)].path for k in (1, 2) if visible[(i + k) % len(visible)] is not art]
        for j, art in enumerate(self.related_only):
            visible[j].related.append(art.path)
        self.sections = {shape.section(c): c for c in model.categories}
        self.menu = self._menu()
        self.query_serial = 0
        self.all_days: str | None = None
        self.days = sorted({a.published.date() for a in self.listed}, reverse=True)

    # -- maze traps --------------------------------------------------------------------------

    def facet(self, section: str, name: str) -> str:
        """A filter view of a section, in the section shape: '/kinh-te/loc-anh/', '/kinh-te/loc-anh.htm'."""
        suffix = "/" if section.endswith("/") else ("." + section.rsplit(".", 1)[1] if "." in section else "")
        return f"{_stem(section)}/loc-{name}{suffix}"

    def facet_of(self, path: str) -> tuple[str, list[str]] | None:
        """(section, facet names) of a facet path, facets of facets included ('loc-anh-cu-nhat')."""
        for section in self.sections:
            head = _stem(section) + "/loc-"
            if path.startswith(head):
                rest = path[len(head):]
                tail = "/" if section.endswith("/") else ("." + section.rsplit(".", 1)[1] if "." in section else "")
                if tail and not rest.endswith(tail):
                    continue
                rest = rest[: len(rest) - len(tail)] if tail else rest
                names = []
                while rest:
                    name = next((f for f in FACETS if rest.startswith(f)), None)
                    if name is None:
                        break
                    names.append(name)
                    rest = rest[len(name):].removeprefix("-")
                if names and not rest:
                    return section, names
        return None

    def faceted(self, entries: list[Article], names: list[str]) -> list[Article]:
        out = list(entries)
        for name in names:
            if name == "anh":
                out = out[::2] or out
            elif name == "cu-nhat":
                out = out[::-1]
            else:
                out = sorted(out, key=lambda a: (a.id * 7919) % 101)
        return out

    def day_entries(self, day: date) -> list[Article]:
        return [a for a in self.listed if a.published.date() == day]

    def page_paths(self, path: str) -> list[str]:
        """The URLs of every page of the listing at ``path`` this site serves, page 1 first."""
        last = max(1, -(-len(self.section_entries(path)) // self.model.per_page))
        return [self.shape.page(path, n) for n in range(1, last + 1)]

    def all_days_path(self) -> str:
        return self.shape.day(date(2000, 1, 1)).replace("01-01-2000", "tat-ca").replace("2000-01-01", "tat-ca")

    def publish(self, n: int = 5) -> list[Article]:
        """``n`` new articles at the top of every listing (shown on listings, in no feed or
        sitemap of their own); returns them, newest first."""
        new = super().publish(n)
        for art in new:
            path = self.shape.article(art)
            self.path_of[art.id] = path
            self.by_path[path] = art
            self.by_aid_path[art.path] = art
            art.related = []
        self.listed[:0] = new
        self.days = sorted({a.published.date() for a in self.listed}, reverse=True)
        self.all_days = None
        return new

    @property
    def expected(self) -> list[Article]:
        """Every article the archive should hold after a crawl, newest first."""
        return list(self.model.articles)

    def url_of(self, art: Article) -> str:
        return self.base_url + self.path_of[art.id]

    def section_entries(self, path: str) -> list[Article]:
        if path == self.shape.newest:
            return self.listed
        cat = self.sections[path]
        return [a for a in self.listed if cat.contains(a.category)]

    def feed_entries(self, path: str) -> list[Article]:
        if path == "/rss/kinh-te.rss":
            return [a for a in self.listed if a.category.section.slug == "kinh-te"][:6] + self.feed_only
        return self.feed_only + self.listed[:8]

    def sitemap_entries(self) -> list[Article]:
        """Everything but the feed-only and related-only articles (the portal's sitemap leaves out
        what its feed has)."""
        left_out = {a.id for a in (*self.feed_only, *self.related_only)}
        if self.shape.sitemap == "urlset":
            left_out |= {a.id for a in self.feed_entries(self.shape.feeds[0])}
        return [a for a in self.model.articles if a.id not in left_out]

    def months(self) -> list[str]:
        return sorted({f"{a.published:%Y-%m}" for a in self.sitemap_entries()}, reverse=True)

    def _menu(self) -> str:
        shape = self.shape
        items = ['<li><a href="/">Trang chủ</a></li>']
        if shape.newest:
            items.append(f'<li><a href="{shape.newest}">Tin mới</a></li>')
        cats = self.model.categories
        for top in (c for c in cats if c.parent is None):
            subs = "".join(f'<li><a href="{shape.section(c)}">{e(c.name)}</a></li>' for c in cats if c.parent == top)
            items.append(f'<li><a href="{shape.section(top)}">{e(top.name)}</a><ul>{subs}</ul></li>')
        items.append('<li><a href="/tim-kiem/?q=tin">Tìm kiếm</a></li><li><a href="/video/">Video</a></li>')
        return '<nav class="menu"><ul>' + "".join(items) + "</ul></nav>"


# --- rendering ------------------------------------------------------------------------------------


def _document(site: FamilySite, title: str, body: str, head: str = "") -> str:
    paper = site.shape.markup.paper
    feeds = ""
    if site.shape.feed_link:
        kind = "application/atom+xml" if site.shape.atom else "application/rss+xml"
        feeds = "".join(f'<link rel="alternate" type="{kind}" title="{e(paper)}" href="{p}">' for p in site.shape.feeds)
    return (f'<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8"><title>{e(title)}</title>{feeds}{head}'
            f'</head><body><header><a class="logo" href="/">{e(paper)}</a></header>{site.menu}{body}'
            f"<footer><p>Bản quyền thuộc {e(paper)}. Ghi rõ nguồn khi phát hành lại thông tin từ website này.</p>"
            "</footer></body></html>")


def _item(site: FamilySite, art: Article) -> str:
    if not site.shape.listing_articles:
        return ""
    return pages.news_item(art, href=site.path_of[art.id])


def _pagination(site: FamilySite, path: str, page: int, last: int) -> str:
    links = [f'<a href="{site.shape.page(path, n)}">{n}</a>' for n in range(1, last + 1) if n != page]
    if page < last:
        links.append(f'<a class="next" href="{site.shape.page(path, page + 1)}">Trang sau</a>')
    return '<div class="pagination">' + " ".join(links) + "</div>"


def _maze_links(site: FamilySite, path: str, page: int) -> str:
    """Facet filters in a nav-like box (facets of facets on facet pages: endless combinations),
    and a link to the same listing with a query string never seen before."""
    if not site.maze or path == site.shape.newest:
        return ""
    hit = site.facet_of(path)
    section, names = hit if hit else (path, [])
    facets = []
    for name in FACETS:
        href = site.facet(section, "-".join([*names, name]))
        facets.append(f'<li><a href="{href}">Lọc: {name}</a></li>')
    site.query_serial += 1
    fresh = f"{path}?sid={site.query_serial}"
    return (f'<ul class="nav-filter">{"".join(facets)}</ul>'
            f'<p class="share"><a href="{fresh}">Xem bản mới nhất</a></p>')


def listing_html(site: FamilySite, heading: str, path: str, entries: list[Article], page: int, *,
                 paginated: bool = True) -> str:
    per = site.model.per_page
    last = max(1, -(-len(entries) // per))
    shown = entries[(page - 1) * per: page * per] if page <= last else []
    if not site.shape.listing_articles:  # filled in by a script the crawler does not run
        body = (f'<div class="list"><h1>{e(heading)}</h1><div id="ds-tin" data-src="/api/tin?cm={e(path)}">'
                "Đang tải…</div></div>")
    else:
        nav = _pagination(site, path, page, last) if shown and paginated else ""
        body = f'<div class="list"><h1>{e(heading)}</h1>{"".join(_item(site, a) for a in shown)}{nav}</div>'
    body += _maze_links(site, path, page)
    return _document(site, f"{heading} - {site.shape.markup.paper}", body)


def day_html(site: FamilySite, day: date) -> str:
    """A day's archive page: that day's articles and links to the day before and after, forever."""
    prev, nxt = day - timedelta(days=1), day + timedelta(days=1)
    items = "".join(_item(site, a) for a in site.day_entries(day))
    popular = "".join(_item(site, a) for a in site.listed[:2])  # "đọc nhiều" box: on every day page
    body = (f'<div class="list"><h1>Tin ngày {day:%d/%m/%Y}</h1>{items}'
            f'<div class="calendar"><a href="{site.shape.day(prev)}">Ngày trước</a> '
            f'<a href="{site.shape.day(nxt)}">Ngày sau</a></div><div class="most-read">{popular}</div></div>')
    return _document(site, f"Tin ngày {day:%d/%m/%Y}", body)


def all_days_html(site: FamilySite) -> str:
    """Every day of the archive on one page: thousands of section-shaped links."""
    start = site.days[0] if site.days else NEWEST.date()
    links = "".join(f'<li><a href="{site.shape.day(start - timedelta(days=i))}">{start - timedelta(days=i):%d/%m/%Y}</a></li>'
                    for i in range(ALL_DAYS))
    items = "".join(_item(site, a) for a in site.listed[:3])
    return _document(site, "Lưu trữ", f'<div class="list"><h1>Lưu trữ</h1>{items}<ul class="days">{links}</ul></div>')


def home_html(site: FamilySite) -> str:
    newest = "".join(_item(site, a) for a in site.listed[:8])
    maze = ""
    if site.maze and site.days:
        maze = (f'<div class="calendar"><a href="{site.shape.day(site.days[0])}">Tin theo ngày</a> '
                f'<a href="{site.all_days_path()}">'
                "Lưu trữ</a></div>")
    return _document(site, site.shape.markup.paper, f'<div class="home">{newest}</div>{maze}')


def article_html(site: FamilySite, art: Article) -> str:
    m = site.shape.markup
    url = site.url_of(art)
    related = []
    for href in art.related:
        other = site.by_aid_path.get(href)
        if other is not None:
            related.append(f'<li><a href="{site.path_of[other.id]}">{e(other.title)}</a></li>')
    blocks = pages._blocks_html(art, lambda s: s)
    cat = art.category
    head = (f'<meta property="og:title" content="{e(art.title)}"><meta name="description" content="{e(art.sapo)}">'
            f'<link rel="canonical" href="{e(url)}">{m.head_html(art, art.title)}')
    body = (
        f'<div class="breadcrumb"><a href="{site.shape.section(cat)}">{e(cat.name)}</a></div>'
        '<article class="detail">'
        f'<h1 class="{m.title_class}">{e(art.title)}</h1>{m.date_html(art.published)}'
        f'<div class="{m.sapo_class}"><strong>{e(art.sapo)}</strong></div>'
        f'<div class="{m.body_class}"><p>{e(m.tag)}{e(art.sapo)}</p>\n{blocks}\n'
        f'<p class="author" style="text-align:right"><strong>{e(art.author)}</strong></p></div>'
        f'<div class="related"><h3>Tin liên quan</h3><ul>{"".join(related)}</ul></div>'
        "</article>"
    )
    return _document(site, f"{art.title} - {m.paper}", body, head)


def rss_xml(site: FamilySite, path: str) -> str:
    items = "".join(
        f"<item><title>{e(a.title)}</title><link>{e(site.url_of(a))}</link>"
        f"<description>{e(a.sapo)}</description><pubDate>{format_datetime(a.published)}</pubDate></item>"
        for a in site.feed_entries(path))
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>{e(site.shape.markup.paper)}'
            f"</title><link>{site.base_url}/</link>{items}</channel></rss>")


def atom_xml(site: FamilySite, path: str) -> str:
    entries = "".join(
        f'<entry><title>{e(a.title)}</title><link rel="alternate" href="{e(site.url_of(a))}"/>'
        f"<id>{e(site.url_of(a))}</id><published>{a.published.isoformat()}</published>"
        f"<updated>{a.published.isoformat()}</updated><summary>{e(a.sapo)}</summary></entry>"
        for a in site.feed_entries(path))
    return ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>{e(site.shape.markup.paper)}</title><id>{site.base_url}/</id>"
            f"<updated>{NEWEST.isoformat()}</updated>{entries}</feed>")


_SM = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
_NEWS = 'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'


def urlset_xml(site: FamilySite, arts: list[Article], *, news: bool = False) -> str:
    rows = []
    for a in arts:
        extra = (f"<news:news><news:publication><news:name>{e(site.shape.markup.paper)}</news:name>"
                 "<news:language>vi</news:language></news:publication>"
                 f"<news:publication_date>{a.published.isoformat()}</news:publication_date>"
                 f"<news:title>{e(a.title)}</news:title></news:news>") if news else \
                f"<lastmod>{a.published.isoformat()}</lastmod>"
        rows.append(f"<url><loc>{e(site.url_of(a))}</loc>{extra}</url>")
    # A category page in the sitemap too: not an article, must not be archived as one.
    rows.append(f"<url><loc>{site.base_url}{next(iter(site.sections))}</loc></url>")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {_SM}{" " + _NEWS if news else ""}>{"".join(rows)}</urlset>'


def index_xml(site: FamilySite) -> str:
    rows = []
    for month in site.months():
        arts = [a for a in site.sitemap_entries() if f"{a.published:%Y-%m}" == month]
        rows.append(f"<sitemap><loc>{site.base_url}/sitemaps/sitemap-{month}.xml.gz</loc>"
                    f"<lastmod>{max(a.published for a in arts).isoformat()}</lastmod></sitemap>")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex {_SM}>{"".join(rows)}</sitemapindex>'


MAZE_SITEMAP = "/sitemaps/luu-tru.xml"


def maze_index_xml(site: FamilySite, n: int) -> str:
    """An endless sitemap index: each level lists a urlset of already listed articles and the
    next level, whose URL was never seen before."""
    old = (NEWEST - timedelta(days=400 + n)).isoformat()
    rows = (f"<sitemap><loc>{site.base_url}/sitemaps/luu-tru-{n}-tin.xml</loc><lastmod>{old}</lastmod></sitemap>"
            f"<sitemap><loc>{site.base_url}/sitemaps/luu-tru-{n + 1}.xml</loc><lastmod>{old}</lastmod></sitemap>")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex {_SM}>{rows}</sitemapindex>'


# --- serving --------------------------------------------------------------------------------------


class FamilyHandler(_Handler):
    site: FamilySite

    def route(self, target: str) -> None:
        site, shape = self.site, self.site.shape
        parts = urlsplit(target)
        path, query = parts.path, parse_qs(parts.query)
        if path == "/robots.txt":
            robots = "User-agent: *\nDisallow: /tim-kiem/\nDisallow: /api/\n"
            if shape.robots_sitemap:
                robots += f"\nSitemap: {site.base_url}{shape.sitemap_path}\n"
            if site.maze:
                robots += f"Sitemap: {site.base_url}{MAZE_SITEMAP}\n"
            return self.send(200, robots, "text/plain; charset=utf-8")
        if path == "/":
            return self.send(200, home_html(site))
        if path in shape.feeds:
            if shape.atom:
                return self.send(200, atom_xml(site, path), "application/atom+xml; charset=utf-8")
            return self.send(200, rss_xml(site, path), "application/rss+xml; charset=utf-8")
        if shape.sitemap and path == shape.sitemap_path:
            if shape.sitemap == "index":
                return self.send(200, index_xml(site), "application/xml; charset=utf-8")
            return self.send(200, urlset_xml(site, site.sitemap_entries(), news=shape.sitemap == "news"),
                             "application/xml; charset=utf-8")
        if shape.sitemap == "index" and path.startswith("/sitemaps/sitemap-") and path.endswith(".xml.gz"):
            month = path.removeprefix("/sitemaps/sitemap-").removesuffix(".xml.gz")
            arts = [a for a in site.sitemap_entries() if f"{a.published:%Y-%m}" == month]
            if arts:
                return self.send(200, gzip.compress(urlset_xml(site, arts).encode("utf-8")), "application/x-gzip")
        if path in site.by_path:
            return self.send(200, article_html(site, site.by_path[path]))
        if site.maze:
            if (m := re.match(r"^/sitemaps/luu-tru(?:-(\d+))?(-tin)?\.xml$", path)):
                n = int(m[1] or 0)
                if m[2]:
                    return self.send(200, urlset_xml(site, site.listed[:6]), "application/xml; charset=utf-8")
                return self.send(200, maze_index_xml(site, n), "application/xml; charset=utf-8")
            if (day := day_of(path)) and path == shape.day(day):
                return self.send(200, day_html(site, day))
            if path == site.all_days_path():
                if site.all_days is None:
                    site.all_days = all_days_html(site)
                return self.send(200, site.all_days)
            if (facet := site.facet_of(path)) is not None:
                section, names = facet
                entries = site.faceted(site.section_entries(section), names)
                return self.send(200, listing_html(site, f"{site.sections[section].name} ({', '.join(names)})", path,
                                                   entries, 1, paginated=False))
        listing = self.listing_of(path, query)
        if listing is not None:
            section, page = listing
            name = "Tin mới" if section == shape.newest else site.sections[section].name
            return self.send(200, listing_html(site, name, section, site.section_entries(section), page))
        return self.send(404, _document(site, "Không tìm thấy trang", "<h1>Không tìm thấy trang</h1>"))

    def listing_of(self, path: str, query: dict) -> tuple[str, int] | None:
        """(section path, page) of a listing URL in the shape's pagination form."""
        site, shape = self.site, self.site.shape
        known = set(site.sections) | ({shape.newest} if shape.newest else set())
        if shape.page_form.startswith("{path}?"):
            if path not in known:
                return None
            param = shape.page_form.split("?", 1)[1].split("=", 1)[0]
            try:
                return path, max(1, int(query.get(param, ["1"])[0]))
            except ValueError:
                return path, 1
        if path in known:
            return path, 1
        for section in known:
            pages = site.page_paths(section)
            # past the last page: an empty listing, as most CMSs answer
            pages += [shape.page(section, n) for n in range(len(pages) + 1, len(pages) + 4)]
            for n, page in enumerate(pages, start=1):
                if page == path:
                    return section, n
        return None


FamilySite.handler_class = FamilyHandler
