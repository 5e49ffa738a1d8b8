"""The content model of the sample site: categories, articles, listing entries and traps.

Everything here is plain data built from a seeded ``random.Random``, so two sites built
with the same arguments are identical (same ids, titles, texts, dates), and nothing here
knows about HTTP: ``pages.py`` renders it, ``server.py`` serves it.

Texts: the five real article texts in ``texts/`` (copied from the project's seeds) become
the five oldest articles, cleaned of the chrome they were saved with. Every other article is
synthetic: a unique lead (sapo) and a unique "facts" paragraph made from templates, plus
paragraphs taken from or recombined out of the seed sentences, so each text is distinct,
at least 600 characters long and reads like a provincial news report (it mentions the
"Đại hội Đảng", the "Tỉnh ủy"/"Tỉnh uỷ", keeps both tone placements of the seeds, …).

``Article.text`` is the text the archive is expected to store for the article: the lead
once, then the body paragraphs (list items count as paragraphs) separated by a blank line,
with no masthead, no "(CMO)" dateline tag, no image caption and no byline. It is NFC and
uses ``Đ`` even where the page prints the Latin Eth ``Ð`` (``Article.eth``).
"""

from __future__ import annotations

import random
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

VN_TZ = timezone(timedelta(hours=7))
TEXTS_DIR = Path(__file__).with_name("texts")

#: Publication time of the newest article of a freshly built site.
NEWEST = datetime(2025, 10, 28, 18, 30, tzinfo=VN_TZ)
#: Id of the oldest article; ids grow with publication order (like baocamau.vn's a38376).
FIRST_ID = 38001
PER_PAGE = 20
MIN_TEXT_CHARS = 600


# --- Categories ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Category:
    slug: str  # "chinh-tri" or "chinh-tri/xay-dung-dang"
    name: str
    parent: Category | None = None

    @property
    def path(self) -> str:
        return f"/{self.slug}/"

    @property
    def section(self) -> Category:
        """The top-level category."""
        return self.parent or self

    def contains(self, other: Category) -> bool:
        return other == self or other.parent == self


_MENU = [
    ("chinh-tri", "Chính trị", [("xay-dung-dang", "Xây dựng Đảng"), ("thoi-su", "Thời sự")]),
    ("kinh-te", "Kinh tế", [("nong-nghiep", "Nông nghiệp"), ("dau-tu", "Đầu tư")]),
    ("xa-hoi", "Xã hội", [("giao-duc", "Giáo dục"), ("y-te", "Y tế")]),
    ("van-hoa", "Văn hóa", [("van-nghe", "Văn nghệ"), ("du-lich", "Du lịch")]),
    ("phap-luat", "Pháp luật", []),
    ("the-thao", "Thể thao", []),
]


def build_categories() -> list[Category]:
    """Top-level categories, each followed by its sub-categories (menu order)."""
    out: list[Category] = []
    for slug, name, subs in _MENU:
        top = Category(slug, name)
        out.append(top)
        out.extend(Category(f"{slug}/{sub}", sub_name, top) for sub, sub_name in subs)
    return out


# --- Articles ------------------------------------------------------------------------------


@dataclass
class Article:
    """One article as the site publishes it and as the archive should store it."""

    id: int
    slug: str
    title: str
    sapo: str
    #: body blocks in page order: ("p", text) | ("ul", [item, …]) | ("figure", caption)
    blocks: list[tuple[str, object]]
    author: str
    published: datetime
    category: Category
    tags: list[str]
    #: the page prints Latin Eth "Ð" (U+00D0) for "Đ" in title, lead and body, as baocamau.vn does
    eth: bool = False
    #: "seed:<file name>" for the five real texts, else "synthetic"
    source: str = "synthetic"
    #: name of the trap this article plays a part in ("flaky", "slow", …), or None
    role: str | None = None
    #: other paths serving the same text (republished copy, NFD copy, UTF-8 twin)
    aliases: list[str] = field(default_factory=list)
    #: paths of the three "Tin liên quan" links (filled in by the site)
    related: list[str] = field(default_factory=list)
    #: when the listing shows it (the same as ``published`` for articles)
    listed: datetime | None = None

    kind = "article"

    def __post_init__(self) -> None:
        if self.listed is None:
            self.listed = self.published

    @property
    def path(self) -> str:
        return f"/{self.slug}-a{self.id}.html"

    @property
    def paths(self) -> list[str]:
        """Every path where this text is served (its own first)."""
        return [self.path, *self.aliases]

    def url(self, base_url: str) -> str:
        return base_url.rstrip("/") + self.path

    @property
    def paragraphs(self) -> list[str]:
        """Body paragraphs after the lead, list items included, captions excluded."""
        out: list[str] = []
        for kind, value in self.blocks:
            if kind == "p":
                out.append(value)  # type: ignore[arg-type]
            elif kind == "ul":
                out.extend(value)  # type: ignore[arg-type]
        return out

    @property
    def captions(self) -> list[str]:
        return [v for k, v in self.blocks if k == "figure"]  # type: ignore[misc]

    @property
    def text(self) -> str:
        """The expected stored text: lead, then paragraphs, one blank line between them."""
        return "\n\n".join([self.sapo, *self.paragraphs])

    @property
    def text_with_captions(self) -> str:
        """Like ``text`` but with image captions kept in place (an acceptable alternative)."""
        out = [self.sapo]
        for kind, value in self.blocks:
            if kind == "ul":
                out.extend(value)  # type: ignore[arg-type]
            else:
                out.append(value)  # type: ignore[arg-type]
        return "\n\n".join(out)

    def __repr__(self) -> str:  # keep pytest output short
        return f"<Article a{self.id} {self.path!r}{' ' + self.role if self.role else ''}>"


@dataclass
class Page:
    """A listing entry that is not an article of its own (a trap page or a duplicate)."""

    path: str
    title: str
    sapo: str
    listed: datetime
    category: Category
    kind: str  # "not-found", "too-slow", "huge", "video", "video-only", "republished", "nfd", "twin"
    article: Article | None = None  # the article whose text it serves (duplicates)

    @property
    def published(self) -> datetime:
        return self.article.published if self.article else self.listed

    def __repr__(self) -> str:
        return f"<Page {self.kind} {self.path!r}>"


@dataclass
class Traps:
    """Where each trap lives, so tests can name it. Paths are site-relative."""

    variant_target: Article
    variant_links: list[str]  # the target's path with ?utm_… and with #binh-luan
    republished: Article  # the original of the republished duplicate
    republished_path: str  # the same text under a new id
    nfd: Article  # the original of the NFD copy
    nfd_path: str  # the same text in Unicode NFD, "Ð" for "Đ"
    cp1258: Article  # served as windows-1258 at its own path
    cp1258_twin_path: str  # the same article in UTF-8 under another id
    not_found: list[str]  # article-shaped links that 404
    flaky: Article  # 500 on the first request, 200 after
    slow: Article  # answers after ``slow_seconds``
    slow_seconds: float
    too_slow_path: str  # answers after ``too_slow_seconds`` (a timeout for the crawler)
    too_slow_seconds: float
    disallowed: list[str]  # linked from home, disallowed by robots.txt
    huge_path: str  # article-shaped, streams ``huge_bytes`` of junk
    huge_bytes: int
    video_path: str  # /video/xem-video/<slug>-<id>.html
    video_only_path: str  # article-shaped, a player and a caption, no text
    malformed: Article  # unclosed tags, must still be stored
    endless: str  # a category whose ?page=N never ends
    endless_articles: list[Article]  # what every page of it lists
    calendar: str  # /lich-su/?ngay=… linking to the previous and next day forever
    listing_variants: list[str]  # listing links with extra query parameters
    binaries: list[str]  # pdf, jpg, mp4 links
    offsite: list[str]  # absolute links to other hosts

    @property
    def duplicates(self) -> dict[str, Article]:
        """Alias path → the article whose text it serves."""
        return {
            self.republished_path: self.republished,
            self.nfd_path: self.nfd,
            self.cp1258_twin_path: self.cp1258,
        }

    @property
    def rejects(self) -> dict[str, str]:
        """Path → the reject reason the archive should record for it."""
        out = {p: "http-404" for p in self.not_found}
        out[self.too_slow_path] = "timeout"
        out[self.huge_path] = "too-large"
        out[self.video_only_path] = "video-only"
        return out

    @property
    def never_requested(self) -> list[str]:
        """Paths a well-behaved crawler never requests (robots, video, binaries)."""
        return [*self.disallowed, self.video_path, *self.binaries]


# --- Seed texts ----------------------------------------------------------------------------

# What the five saved texts are, and where their chrome ends. The texts are kept verbatim
# in texts/; everything about them that is not article text is stated here.
_SEED_META: dict[str, dict] = {
    "000": dict(title="Bí thư Tỉnh ủy Cà Mau chỉ đạo tháo gỡ khó khăn cho chính quyền cấp xã",
                author="Ngọc Minh", stop=None, eth=False),
    "001": dict(title="Thường trực Tỉnh uỷ làm việc với Thường trực Đảng uỷ các xã, phường",
                author="Hoàng Lam - Hữu Thọ", stop="Hoàng Lam - Hữu Thọ", eth=True),
    "002": dict(title="Cà Mau khẩn trương tháo gỡ vướng mắc để chính quyền hai cấp hoạt động hiệu quả",
                author="Gia Minh", stop="Gia Minh", eth=False),
    "003": dict(title="Hậu Giang: Lãnh đạo tỉnh gặp gỡ cán bộ chủ chốt xã, phường, thị trấn",
                author="Hoàng Ý", stop="Hoàng ÝCác ý kiến của bạn đọc", eth=False,
                captions={"Quang cảnh buổi gặp gỡ cán bộ chủ chốt cấp xã"}),
    "004": dict(title="Tiếp tục rà soát, kiện toàn công tác cán bộ chuẩn bị đại hội Đảng các cấp",
                author="Thanh Nhã", stop=None, eth=False),
}

_SEED_CHROME = [
    re.compile(r"^(Thứ (hai|ba|tư|năm|sáu|bảy)|Chủ nhật), \d{1,2}-\d{1,2}-\d{2} \d{2}:\d{2}:\d{2}$"),
    re.compile(r"°C"),
    re.compile(r"^Theo dõi Báo điện tử"),
    re.compile(r"^\[ Cập nhật"),
    re.compile(r"Bài gốc$"),
    re.compile(r"\.(png|jpe?g)$"),
]
# Shorter lines of the saved texts are section labels and sub-headings, not paragraphs.
_SEED_MIN_LINE = 45


@dataclass
class Seed:
    name: str
    title: str
    author: str
    sapo: str
    blocks: list[tuple[str, object]]
    eth: bool


def load_seeds() -> list[Seed]:
    seeds = []
    for path in sorted(TEXTS_DIR.glob("*.txt")):
        meta = _SEED_META.get(path.name[:3], {})
        title = meta.get("title") or path.stem
        captions = meta.get("captions", set())
        paras: list[tuple[str, object]] = []
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = " ".join(raw.split())
            if meta.get("stop") and line == meta["stop"]:
                break
            if line.startswith("Nguồn"):  # the source line closes the saved text
                break
            if not line or line == title or any(p.search(line) for p in _SEED_CHROME):
                continue
            line = line.removeprefix("Báo Cà Mau ")
            if line in captions:
                paras.append(("figure", line))
            elif len(line) >= _SEED_MIN_LINE:
                paras.append(("p", line))
        first = next(i for i, (k, _) in enumerate(paras) if k == "p")
        sapo = paras.pop(first)[1]
        seeds.append(Seed(path.name, title, meta.get("author", "Ban Biên tập"), sapo, paras,  # type: ignore[arg-type]
                          meta.get("eth", False)))
    return seeds


_SENTENCE_SPLIT = re.compile(r"(?<=[.!?…])\s+(?=[A-ZĐÀ-Ỹ“\"])")


def seed_sentences(seeds: list[Seed]) -> list[str]:
    out: list[str] = []
    for seed in seeds:
        for kind, value in seed.blocks:
            if kind != "p":
                continue
            for s in _SENTENCE_SPLIT.split(value):  # type: ignore[arg-type]
                s = s.strip()
                if 40 <= len(s) <= 400 and s.endswith((".", "…")) and s.count("“") == s.count("”") \
                        and s.count('"') % 2 == 0:
                    out.append(s)
    return list(dict.fromkeys(out))


# --- Vocabulary for synthetic articles ---------------------------------------------------

PLACES = [
    "Cà Mau", "Bạc Liêu", "phường Bạc Liêu", "xã Phong Thạnh", "phường Giá Rai", "xã Ngọc Hiển",
    "xã Khánh Bình", "phường Tân Thành", "xã Đất Mũi", "xã Năm Căn", "phường Vĩnh Trạch",
    "xã Trần Văn Thời", "xã U Minh", "xã Cái Nước", "xã Đầm Dơi", "phường Láng Tròn",
    "xã Hồng Dân", "xã Phước Long", "xã Đông Hải", "xã Hòa Bình", "phường Lý Văn Lâm",
    "xã Tân Thuận", "xã Sông Đốc", "xã Vĩnh Lợi",
]
TITLE_VERBS = [
    "đẩy mạnh", "tập trung", "triển khai", "nâng cao hiệu quả", "khẩn trương", "tháo gỡ vướng mắc trong",
    "sơ kết", "tổng kết", "ra quân", "chuẩn bị", "kiểm tra", "đổi mới",
]
TOPICS = [
    "công tác chuẩn bị Đại hội Đảng bộ cấp xã", "cải cách thủ tục hành chính", "chuyển đổi số",
    "xây dựng nông thôn mới", "nuôi tôm công nghệ cao", "phòng, chống xâm nhập mặn",
    "chăm lo gia đình chính sách", "xóa nhà tạm, nhà dột nát", "bảo vệ rừng ngập mặn",
    "phát triển du lịch cộng đồng", "giải quyết việc làm cho lao động nông thôn", "tuyên truyền pháp luật",
    "tiêm chủng mở rộng", "phòng, chống dịch bệnh trên tôm", "kiện toàn bộ máy chính quyền hai cấp",
    "thu ngân sách nhà nước", "giải ngân vốn đầu tư công", "bảo đảm an toàn giao thông",
    "phòng cháy, chữa cháy rừng", "học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "phát triển đảng viên mới", "xây dựng văn kiện Đại hội Đảng", "chăm sóc sức khỏe người cao tuổi",
    "phát triển kinh tế biển",
]
TIMES_OF_DAY = ["Sáng", "Chiều", "Tối", "Ngày"]
ORGS = [
    "Thường trực Tỉnh ủy Cà Mau", "Ban Thường vụ Tỉnh uỷ", "UBND tỉnh Cà Mau", "HĐND tỉnh",
    "Ủy ban MTTQ Việt Nam tỉnh", "Sở Nông nghiệp và Môi trường", "Đảng ủy {place}", "UBND {place}",
    "Ban Tuyên giáo và Dân vận Tỉnh ủy", "Hội Nông dân tỉnh", "Tỉnh đoàn Cà Mau",
    "Liên đoàn Lao động tỉnh", "Công an tỉnh", "Sở Y tế",
]
EVENTS = [
    "hội nghị sơ kết", "buổi làm việc", "hội nghị triển khai nhiệm vụ", "lễ ra quân", "buổi đối thoại",
    "hội thảo", "cuộc họp", "buổi khảo sát",
]
WHERES = ["tại hội trường Đảng ủy {place}", "tại Trung tâm Hội nghị tỉnh", "tại {place}", "tại trụ sở UBND {place}"]
PURPOSES = [
    "đánh giá kết quả thực hiện 9 tháng đầu năm và đề ra giải pháp thời gian tới",
    "tháo gỡ khó khăn, vướng mắc cho cơ sở", "lắng nghe ý kiến, kiến nghị của người dân",
    "chuẩn bị tốt cho Đại hội Đảng bộ các cấp", "thống nhất kế hoạch thực hiện trong quý tới",
    "rút kinh nghiệm sau thời gian vận hành chính quyền địa phương hai cấp",
    "bàn giải pháp hoàn thành chỉ tiêu năm 2025", "nâng cao chất lượng phục vụ người dân và doanh nghiệp",
]
ACHIEVEMENTS = [
    ("hỗ trợ xây mới và sửa chữa", "căn nhà"), ("giải quyết", "hồ sơ thủ tục hành chính"),
    ("kết nạp", "đảng viên mới"), ("tập huấn cho", "lượt cán bộ"), ("trồng mới", "ha rừng ngập mặn"),
    ("giới thiệu việc làm cho", "lao động"), ("tiêm vắc xin cho", "trẻ em"), ("cấp", "chữ ký số"),
    ("nạo vét", "km kênh thủy lợi"), ("chuyển đổi", "ha đất lúa kém hiệu quả"),
]
AUTHORS = [
    "Hoàng Lam", "Hữu Thọ", "Trần Nguyên", "Mỹ Pha", "Băng Thanh", "Ngọc Minh", "Thanh Nhã",
    "Huỳnh Lâm", "Quang Minh", "Kim Cương", "Trọng Nghĩa", "Hồng Nhung", "Phong Phú", "Thúy Hằng",
]
TAGS = [
    "Đại hội Đảng", "Tỉnh ủy Cà Mau", "chính quyền hai cấp", "cải cách hành chính", "cán bộ cấp xã",
    "chuyển đổi số", "nông thôn mới", "Bạc Liêu", "an sinh xã hội", "kinh tế biển",
]
CAPTIONS = [
    "Quang cảnh hội nghị.", "Các đại biểu dự buổi làm việc.", "Lãnh đạo tỉnh phát biểu chỉ đạo.",
    "Người dân làm thủ tục tại bộ phận một cửa.", "Đoàn công tác khảo sát thực tế tại cơ sở.",
]


def slugify(text: str) -> str:
    s = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")


def eth(s: str) -> str:
    """Print Latin Eth for Đ, as baocamau.vn often does."""
    return s.replace("Đ", "\u00d0")


def strip_eth(s: str) -> str:
    return s.replace("\u00d0", "Đ")


# --- The site ------------------------------------------------------------------------------


class SiteModel:
    """All the content of one sample site, and the lists its listing pages show."""

    def __init__(self, articles: int = 60, *, traps: bool = True, seed: int = 38376, per_page: int = PER_PAGE,
                 slow_seconds: float = 1.5, too_slow_seconds: float = 30.0, huge_bytes: int = 12 * 1024 * 1024):
        if articles < 1:
            raise ValueError("a site needs at least one article")
        if traps and articles < 20:
            raise ValueError("traps need at least 20 articles")
        self.rng = random.Random(seed)
        self.per_page = per_page
        self.lock = threading.RLock()
        self.categories = build_categories()
        self.seeds = load_seeds()
        self.sentences = seed_sentences(self.seeds)
        self.seed_paragraphs = [v for s in self.seeds for k, v in s.blocks if k == "p"]
        self._titles: set[str] = set()
        self._sapos: set[str] = set()
        self._texts: set[str] = set()
        self._next_id = FIRST_ID
        self.version = 0
        self._cache: dict[str, tuple[int, list]] = {}

        # Oldest first while building, then kept newest first.
        times = [NEWEST]
        for _ in range(articles - 1):
            times.append(times[-1] - timedelta(minutes=self.rng.randint(90, 300)))
        times.reverse()
        built = []
        for i, when in enumerate(times):
            seed_obj = self.seeds[i] if i < len(self.seeds) else None
            built.append(self._make_article(when, seed_obj))
        self.articles: list[Article] = built[::-1]  # newest first
        for a in self.articles:
            self._set_related(a)
        self.extra: list[Page] = []  # non-article listing entries
        self.routes: dict[str, tuple[str, object]] = {a.path: ("article", a) for a in self.articles}
        self.flaky_counts: dict[str, int] = {}
        self.traps: Traps | None = self._build_traps(slow_seconds, too_slow_seconds, huge_bytes) if traps else None

    # -- building -------------------------------------------------------------------------

    def _alloc_id(self) -> int:
        self._next_id += 1
        return self._next_id - 1

    def _unique(self, seen: set[str], make) -> str:
        for _ in range(1000):
            s = make()
            if s not in seen:
                seen.add(s)
                return s
        raise RuntimeError("vocabulary exhausted")

    def _make_article(self, when: datetime, seed: Seed | None = None, *, register: bool = True) -> Article:
        rng = self.rng
        cat = rng.choice(self.categories)
        tags = rng.sample(TAGS, rng.randint(2, 3))
        if seed is not None:
            self._titles.add(seed.title)
            self._sapos.add(seed.sapo)
            art = Article(self._alloc_id(), slugify(seed.title), seed.title, seed.sapo, list(seed.blocks),
                          seed.author, when, self.categories[1] if "Đảng" in seed.title else cat,
                          ["Đại hội Đảng", "Tỉnh ủy Cà Mau"], eth=seed.eth, source=f"seed:{seed.name}")
        else:
            title = self._unique(self._titles, lambda: self._title())
            sapo = self._unique(self._sapos, lambda: self._sapo(when))
            blocks = self._body(when)
            author = rng.choice(AUTHORS) if rng.random() < 0.7 else " - ".join(rng.sample(AUTHORS, 2))
            art = Article(self._alloc_id(), slugify(title), title, sapo, blocks, author, when, cat, tags,
                          eth=rng.random() < 0.25)
        if art.text in self._texts or len(art.text) < MIN_TEXT_CHARS:
            raise AssertionError(f"article text not unique or too short: {art!r}")
        self._texts.add(art.text)
        return art

    def _title(self) -> str:
        rng = self.rng
        place = rng.choice(PLACES)
        if rng.random() < 0.75:
            t = f"{place} {rng.choice(TITLE_VERBS)} {rng.choice(TOPICS)}"
        else:
            topic = rng.choice(TOPICS)
            t = f"{topic[0].upper()}{topic[1:]}: {place} {rng.choice(['về đích sớm', 'còn nhiều khó khăn', 'tạo chuyển biến rõ nét', 'đạt kết quả tích cực', 'cần sự vào cuộc quyết liệt'])}"
        return t[0].upper() + t[1:]

    def _sapo(self, when: datetime) -> str:
        rng = self.rng
        place = rng.choice(PLACES)
        org = rng.choice(ORGS).format(place=place)
        where = rng.choice(WHERES).format(place=rng.choice(PLACES))
        return (f"{rng.choice(TIMES_OF_DAY)} {when.day}/{when.month}, {org} "
                f"{rng.choice(['tổ chức', 'chủ trì', 'phối hợp tổ chức'])} {rng.choice(EVENTS)} về "
                f"{rng.choice(TOPICS)} {where}, nhằm {rng.choice(PURPOSES)}.")

    def _facts(self, when: datetime) -> str:
        rng = self.rng
        verb, unit = rng.choice(ACHIEVEMENTS)
        place = rng.choice(PLACES)
        return (f"Theo báo cáo của {rng.choice(ORGS).format(place=place)}, tính đến ngày {when.day}/{when.month}, "
                f"{place} đã {verb} {rng.randint(12, 4800)} {unit}, đạt {rng.randint(55, 130)}% kế hoạch năm; "
                f"tổng kinh phí thực hiện hơn {rng.randint(2, 950)},{rng.randint(1, 9)} tỷ đồng.")

    def _recombined(self) -> str:
        return " ".join(self.rng.sample(self.sentences, self.rng.randint(2, 4)))

    def _body(self, when: datetime) -> list[tuple[str, object]]:
        rng = self.rng
        paras: list[str] = []
        n = rng.randint(3, 6)
        while len(paras) < n or sum(map(len, paras)) < MIN_TEXT_CHARS:
            p = rng.choice(self.seed_paragraphs) if rng.random() < 0.4 else self._recombined()
            if p not in paras:
                paras.append(p)
        paras.insert(rng.randint(0, min(2, len(paras))), self._facts(when))
        blocks: list[tuple[str, object]] = [("p", p) for p in paras]
        if rng.random() < 0.35:
            items = [s for s in rng.sample(self.sentences, 3) if s not in paras]
            blocks.insert(rng.randint(1, len(blocks)), ("ul", items))
        if rng.random() < 0.5:
            blocks.insert(rng.randint(1, len(blocks)), ("figure", f"{rng.choice(CAPTIONS)} Ảnh: {rng.choice(AUTHORS)}"))
        return blocks

    def _set_related(self, art: Article) -> None:
        others = [a for a in self.articles if a is not art]
        art.related = [a.path for a in self.rng.sample(others, min(3, len(others)))]

    def _page(self, path: str, kind: str, listed: datetime, article: Article | None = None,
              title: str | None = None) -> Page:
        cat = article.category if article else self.rng.choice(self.categories)
        page = Page(path, title or (article.title if article else self._unique(self._titles, self._title)),
                    article.sapo if article else self._sapo(listed), listed, cat, kind, article)
        self.extra.append(page)
        self.routes[path] = (kind, page)
        return page

    def _build_traps(self, slow_seconds: float, too_slow_seconds: float, huge_bytes: int) -> Traps:
        arts = self.articles  # newest first
        n = len(arts)

        def pick(frac: float, role: str) -> Article:
            i = min(int(frac * n), n - 1)
            while arts[i].role is not None:
                i = (i + 1) % n
            arts[i].role = role
            return arts[i]

        def near(frac: float, minutes: int = 7) -> datetime:
            return arts[min(int(frac * n), n - 1)].listed - timedelta(minutes=minutes)

        variant = pick(0.04, "variants")
        flaky = pick(0.08, "flaky")
        slow = pick(0.12, "slow")
        cp = pick(0.18, "cp1258")
        cp.eth = False  # windows-1258 has Đ but no Latin Eth
        malformed = pick(0.38, "malformed")
        republished = pick(0.5, "republished")
        nfd = pick(0.6, "nfd")
        endless_articles = [arts[i] for i in range(n // 4, min(n, n // 4 + 10))]

        # Duplicates: listed newer than their originals, so they are likely fetched first.
        rep_path = f"/{republished.slug}-a{self._alloc_id()}.html"
        self._page(rep_path, "republished", near(0.02), republished)
        nfd_path = f"/{nfd.slug}-a{self._alloc_id()}.html"
        self._page(nfd_path, "nfd", near(0.1), nfd)
        twin_path = f"/{cp.slug}-a{self._alloc_id()}.html"
        self._page(twin_path, "twin", near(0.45), cp)
        for a, p in ((republished, rep_path), (nfd, nfd_path), (cp, twin_path)):
            a.aliases.append(p)

        not_found = []
        for frac in (0.15, 0.55):
            title = self._unique(self._titles, self._title)
            path = f"/{slugify(title)}-a{self._alloc_id()}.html"
            self._page(path, "not-found", near(frac), title=title)
            self.routes.pop(path)  # linked, never served
            not_found.append(path)
        too_slow_title = self._unique(self._titles, self._title)
        too_slow = f"/{slugify(too_slow_title)}-a{self._alloc_id()}.html"
        self._page(too_slow, "too-slow", near(0.2), title=too_slow_title)
        huge = f"/ban-tin-tong-hop-du-lieu-a{self._alloc_id()}.html"
        self._page(huge, "huge", near(0.25), title="Bản tin tổng hợp dữ liệu")
        video = f"/video/xem-video/ngay-hoi-cua-ca-mau-lan-thu-ii-{self._alloc_id() - FIRST_ID + 1500}.html"
        self._page(video, "video", near(0.06), title="Video: Ngày hội Cua Cà Mau lần thứ II")
        video_only = f"/clip-toan-canh-ngay-hoi-cua-ca-mau-a{self._alloc_id()}.html"
        self._page(video_only, "video-only", near(0.3), title="Clip: Toàn cảnh Ngày hội Cua Cà Mau")

        # An extra article that the too-slow page would serve, if anyone waited for it.
        self.too_slow_article = self._make_article(NEWEST - timedelta(days=3))
        self.too_slow_article.role = "too-slow"

        # Related links: the URL variants and a duplicate appear there too.
        variant_links = [f"{variant.path}?utm_source=zalo&utm_medium=social", f"{variant.path}#binh-luan"]
        arts[-1].related = [variant_links[0], *arts[-1].related[1:]]
        arts[-2].related = [variant_links[1], *arts[-2].related[1:]]

        self.version += 1
        day = "2025-07-23"
        return Traps(
            variant_target=variant, variant_links=variant_links,
            republished=republished, republished_path=rep_path,
            nfd=nfd, nfd_path=nfd_path,
            cp1258=cp, cp1258_twin_path=twin_path,
            not_found=not_found,
            flaky=flaky, slow=slow, slow_seconds=slow_seconds,
            too_slow_path=too_slow, too_slow_seconds=too_slow_seconds,
            disallowed=["/tim-kiem/?q=dai+hoi+dang", "/admin/dang-nhap-quan-tri-a9.html"],
            huge_path=huge, huge_bytes=huge_bytes,
            video_path=video, video_only_path=video_only,
            malformed=malformed,
            endless="/bat-tan/", endless_articles=endless_articles,
            calendar=f"/lich-su/?ngay={day}",
            listing_variants=[f"/tin-moi/?page=2&sort=asc&ngay={day}", f"/chinh-tri/?view=grid&ngay={day}"],
            binaries=["/files/bao-cao.pdf", "/img/x.jpg", "/media/clip.mp4"],
            offsite=["https://facebook.com/baocamau", "https://example.org/tin-gia-mao-a5.html"],
        )

    # -- reading --------------------------------------------------------------------------

    @property
    def entries(self) -> list:
        """Everything /tin-moi/ lists, newest first."""
        with self.lock:
            hit = self._cache.get("")
            if hit and hit[0] == self.version:
                return hit[1]
            out = sorted([*self.articles, *self.extra], key=lambda e: (e.listed, e.path), reverse=True)
            self._cache[""] = (self.version, out)
            return out

    def category(self, slug: str) -> Category | None:
        return next((c for c in self.categories if c.slug == slug), None)

    def listing(self, category: Category | None) -> list:
        """Entries of /tin-moi/ (``None``) or of a category page, newest first."""
        if category is None:
            return self.entries
        with self.lock:
            hit = self._cache.get(category.slug)
            if hit and hit[0] == self.version:
                return hit[1]
            out = [e for e in self.entries if category.contains(e.category)]
            self._cache[category.slug] = (self.version, out)
            return out

    def listing_paths(self) -> list[str]:
        """/tin-moi/ and every category and sub-category path."""
        return ["/tin-moi/", *(c.path for c in self.categories)]

    def page_count(self, category: Category | None) -> int:
        return max(1, -(-len(self.listing(category)) // self.per_page))

    def article(self, path: str) -> Article | None:
        kind, obj = self.routes.get(path, (None, None))
        return obj if kind == "article" else None  # type: ignore[return-value]

    def by_id(self, article_id: int) -> Article | None:
        return next((a for a in self.articles if a.id == article_id), None)

    # -- changing -------------------------------------------------------------------------

    def edit(self, article: Article | int, paragraph: str) -> Article:
        """Change a published article as newspapers do after publication: ``paragraph`` is
        added at the end of its body. Its pages (and aliases) serve the new text from the next
        request on; ``Article.text`` is the new expected text."""
        with self.lock:
            art = article if isinstance(article, Article) else self.by_id(article)
            if art is None:
                raise KeyError(article)
            art.blocks.append(("p", paragraph))
            self.version += 1
            return art

    def publish(self, n: int = 5) -> list[Article]:
        """Add ``n`` new articles, newer than everything, at the top of the listings."""
        with self.lock:
            newest = max(e.listed for e in self.entries)
            new = []
            when = newest
            for _ in range(n):
                when = when + timedelta(minutes=self.rng.randint(60, 180))
                art = self._make_article(when)
                new.append(art)
            for art in new:
                self.articles.insert(0, art)
                self.routes[art.path] = ("article", art)
                self._set_related(art)
            self.version += 1
            return new[::-1]  # newest first, like the listings
