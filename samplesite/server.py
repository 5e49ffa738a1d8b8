"""``SampleSite``: the sample site served over real HTTP on 127.0.0.1, for tests, the demo
and the crawl benchmark.

    with SampleSite(articles=60, traps=True) as site:
        site.base_url                 # 'http://127.0.0.1:PORT'
        site.articles                 # what the archive should hold, newest first
        site.traps.flaky              # where each trap is (see site.Traps)
        ...crawl...
        site.hits(site.traps.flaky.path)   # how often the crawler asked for it
        site.publish(5)               # five new articles at the top of the listings
        site.edit(article, "Cập nhật …")  # change a published article (a new last paragraph)

stdlib ``http.server.ThreadingHTTPServer`` in a daemon thread; handler threads are daemon
threads too and every deliberate delay waits on an event that ``stop()`` sets, so a hanging
client never keeps the process (or a test run) alive.
"""

from __future__ import annotations

import gzip
import socket
import sys
import threading
import time
from collections import Counter
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from samplesite import pages
from samplesite.site import VN_TZ, Article, SiteModel, Traps, slugify

ROBOTS_TXT = "User-agent: *\nDisallow: /tim-kiem/\nDisallow: /admin/\n"
HOME_ARTICLES = 12
CHUNK = 64 * 1024

_BINARIES = {
    ".pdf": ("application/pdf", b"%PDF-1.4\n% sample\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"),
    ".jpg": ("image/jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"),
    ".png": ("image/png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"),
    ".mp4": ("video/mp4", b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"),
}


class SampleSite:
    """A deterministic Báo Cà Mau look-alike on a loopback port.

    ``articles``: how many articles (the five real seed texts are the oldest).
    ``traps``: add the crawler traps described in ``site.Traps`` (needs ≥ 20 articles).
    ``latency``: seconds every response waits (to slow a crawl down, e.g. to kill it midway).
    ``gzip``: send HTML pages gzip-compressed to clients that accept it (as most servers do).
    """

    #: the request handler (a ``_Handler`` subclass); ``families.FamilySite`` routes other URL shapes
    handler_class: type | None = None

    def __init__(self, articles: int = 60, *, traps: bool = True, seed: int = 38376, host: str = "127.0.0.1",
                 port: int = 0, per_page: int = 20, latency: float = 0.0, slow_seconds: float = 1.5,
                 too_slow_seconds: float = 30.0, huge_bytes: int = 12 * 1024 * 1024, gzip: bool = False):
        self.model = SiteModel(articles, traps=traps, seed=seed, per_page=per_page, slow_seconds=slow_seconds,
                               too_slow_seconds=too_slow_seconds, huge_bytes=huge_bytes)
        self.host, self._port = host, port
        self.latency = latency
        self.gzip = gzip
        self.requests: list[str] = []  # request targets (path?query) in arrival order
        self.log: list[tuple[float, str, int]] = []  # (time.time(), target, status) once answered
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.menu = pages.menu_html(self.model.categories,
                                    [("/bat-tan/", "Bất tận")] if self.model.traps else [])

    # -- content ----------------------------------------------------------------------------

    @property
    def articles(self) -> list[Article]:
        """Every article the archive should end up with, newest first (one per distinct text)."""
        return list(self.model.articles)

    @property
    def traps(self) -> Traps:
        if self.model.traps is None:
            raise AttributeError("this site was built with traps=False")
        return self.model.traps

    @property
    def categories(self):
        return self.model.categories

    def publish(self, n: int = 5) -> list[Article]:
        """Add ``n`` new articles at the top of /tin-moi/ and of their category; returns them, newest first."""
        return self.model.publish(n)

    def edit(self, article: Article | int, paragraph: str) -> Article:
        """Add ``paragraph`` at the end of a published article (an article or its id)."""
        return self.model.edit(article, paragraph)

    def listing_paths(self) -> list[str]:
        return self.model.listing_paths()

    def listing(self, path: str) -> list:
        """The entries the listing at ``path`` ('/tin-moi/', '/kinh-te/', …) shows, newest first."""
        if path == "/tin-moi/":
            return self.model.listing(None)
        cat = self.model.category(path.strip("/"))
        if cat is None:
            raise KeyError(path)
        return self.model.listing(cat)

    # -- request log --------------------------------------------------------------------------

    def hits(self, target: str) -> int:
        """How many requests asked for ``target``: an exact 'path?query' if it has a query,
        else that path with any query (or none)."""
        with self._lock:
            if "?" in target:
                return self._counts[target]
            return sum(n for t, n in self._counts.items() if t.split("?", 1)[0] == target)

    def _record(self, target: str) -> None:
        with self._lock:
            self.requests.append(target)
            self._counts[target] += 1

    # -- server -------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("not started")
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def start(self) -> SampleSite:
        if self._server is not None:
            return self
        self._stopping.clear()
        handler = type("Handler", (self.handler_class or _Handler,), {"site": self})
        server = _Server((self.host, self._port), handler)
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"samplesite:{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> SampleSite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wait(self, seconds: float) -> bool:
        """Sleep ``seconds`` unless the server stops first; True if it stopped."""
        return self._stopping.wait(seconds)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def handle_error(self, request, client_address) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, socket.timeout)):
            return  # the crawler gave up on a slow or huge page: expected
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    site: SampleSite
    protocol_version = "HTTP/1.1"
    server_version = "SampleCMS/1.0"
    timeout = 60  # an idle keep-alive connection is closed after this

    def log_message(self, format: str, *args: object) -> None:
        pass

    # -- responses ----------------------------------------------------------------------------

    def send(self, status: int, body: bytes | str, content_type: str = "text/html; charset=utf-8") -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        compress = self.site.gzip and content_type.startswith("text/html") and \
            "gzip" in self.headers.get("Accept-Encoding", "")
        if compress:
            data = gzip.compress(data, mtime=0)
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            if compress:
                self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
        except (ConnectionError, TimeoutError):
            self.close_connection = True
        self._status = status

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        site = self.site
        target = self.path
        site._record(target)
        self._status = 0
        try:
            if site.latency and site.wait(site.latency):
                self.close_connection = True
                return
            self.route(target)
        finally:
            with site._lock:
                site.log.append((time.time(), target, self._status))

    # -- routing ------------------------------------------------------------------------------

    def route(self, target: str) -> None:
        site, model = self.site, self.site.model
        parts = urlsplit(target)
        path, query = parts.path, parse_qs(parts.query)
        traps = model.traps
        now = datetime.now(VN_TZ)

        if path == "/robots.txt":
            return self.send(200, ROBOTS_TXT, "text/plain; charset=utf-8")
        if path == "/":
            return self.send(200, pages.home_page(model.articles[:HOME_ARTICLES], site.menu, now=now,
                                                  trap_links=self.trap_links()))
        for ext, (ctype, data) in _BINARIES.items():
            if path.endswith(ext) and path.startswith(("/files/", "/img/", "/media/")):
                return self.send(200, data, ctype)
        if path == "/tin-moi/":
            return self.listing("Tin mới", model.listing(None), query, now)
        if traps and path == traps.endless:
            page = self.page_number(query)
            return self.send(200, pages.listing_page("Bất tận", traps.endless_articles, page, None, site.menu, now=now))
        if traps and path == "/lich-su/":
            try:
                day = date.fromisoformat(query.get("ngay", [""])[0])
            except ValueError:
                day = date(2025, 7, 23)
            shown = [a for a in model.articles if a.published.date() == day][:10] or model.articles[:3]
            return self.send(200, pages.calendar_page(day, shown, site.menu, traps.listing_variants, now=now))
        if path.startswith("/tim-kiem/"):
            q = query.get("q", [""])[0]
            return self.send(200, pages.listing_page(f"Kết quả tìm kiếm: {q}", model.articles[:5], 1, 1, site.menu,
                                                     now=now))
        if path.startswith("/admin/"):
            return self.send(200, pages.simple_page("Đăng nhập quản trị", "Tên đăng nhập, mật khẩu.", site.menu,
                                                    now=now))
        if path.startswith("/tags/"):
            slug = path.removeprefix("/tags/").strip("/")
            tagged = [a for a in model.articles if any(slugify(t) == slug for t in a.tags)][:20]
            return self.send(200, pages.listing_page(f"Từ khóa: {slug}", tagged, 1, 1, site.menu, now=now))
        cat = model.category(path.strip("/")) if path.endswith("/") else None
        if cat is not None:
            return self.listing(cat.name, model.listing(cat), query, now)

        kind, obj = model.routes.get(path, (None, None))
        if kind is not None:
            return self.page(kind, obj, now)
        return self.send(404, pages.not_found_page(site.menu, now=now))

    @staticmethod
    def page_number(query: dict) -> int:
        try:
            return max(1, int(query.get("page", ["1"])[0]))
        except ValueError:
            return 1

    def listing(self, heading: str, entries: list, query: dict, now: datetime) -> None:
        per = self.site.model.per_page
        page = self.page_number(query)
        last = max(1, -(-len(entries) // per))
        shown = entries[(page - 1) * per: page * per] if page <= last else []
        self.send(200, pages.listing_page(heading, shown, page, last, self.site.menu, now=now))

    def trap_links(self) -> list[tuple[str, str]]:
        traps = self.site.model.traps
        if traps is None:
            return []
        art = traps.variant_target
        return [
            (traps.variant_links[0], art.title),
            (traps.variant_links[1], f"Bình luận: {art.title}"),
            (traps.disallowed[0], "Tìm kiếm: Đại hội Đảng"),
            (traps.disallowed[1], "Quản trị"),
            (traps.calendar, "Xem tin theo ngày"),
            (traps.listing_variants[0], "Tin mới (cũ trước)"),
            (traps.video_path, "Video: Ngày hội Cua Cà Mau lần thứ II"),
            (traps.binaries[0], "Báo cáo (PDF)"),
            (traps.binaries[1], "Ảnh"),
            (traps.binaries[2], "Clip"),
            (traps.offsite[0], "Facebook Báo Cà Mau"),
            (traps.offsite[1], "Tin giả mạo"),
            (traps.endless, "Bất tận"),
        ]

    def lookup(self, path: str) -> Article | None:
        return self.site.model.article(path)

    def page(self, kind: str, obj, now: datetime) -> None:
        site, traps = self.site, self.site.model.traps
        url = site.base_url + self.path.split("?", 1)[0]
        if kind == "article":
            art: Article = obj
            role = art.role if traps else None
            if role == "flaky":
                with site._lock:
                    n = site.model.flaky_counts[art.path] = site.model.flaky_counts.get(art.path, 0) + 1
                if n == 1:
                    return self.send(500, pages.server_error_page())
            if role == "slow" and site.wait(traps.slow_seconds):
                return
            if role == "cp1258":
                html = pages.article_page(art, url, site.menu, self.lookup, now=now, charset="windows-1258")
                return self.send(200, pages.encode_cp1258(html), "text/html; charset=windows-1258")
            html = pages.article_page(art, url, site.menu, self.lookup, now=now)
            if role == "malformed":
                html = pages.malformed_page(html)
            return self.send(200, html)
        page = obj
        if kind in ("republished", "twin"):
            return self.send(200, pages.article_page(page.article, url, site.menu, self.lookup, now=now))
        if kind == "nfd":
            return self.send(200, pages.nfd_page(pages.article_page(page.article, url, site.menu, self.lookup,
                                                                    now=now)))
        if kind == "too-slow":
            if site.wait(traps.too_slow_seconds):
                return
            return self.send(200, pages.article_page(site.model.too_slow_article, url, site.menu, self.lookup,
                                                     now=now))
        if kind == "huge":
            if self.command == "HEAD":
                return self.send(200, b"")
            return self.stream_junk(traps.huge_bytes)
        if kind in ("video", "video-only"):
            return self.send(200, pages.video_page(page.title, page.sapo, page.listed, site.menu, now=now,
                                                   article_shaped=kind == "video-only"))
        return self.send(404, pages.not_found_page(site.menu, now=now))

    def stream_junk(self, size: int) -> None:
        """``size`` bytes of HTML-ish junk with no Content-Length, ended by closing the connection,
        so only the crawler's running byte count can stop it."""
        self.close_connection = True
        self._status = 200
        chunk = (("<p>" + "Dữ liệu rác " * 400 + "</p>\n").encode("utf-8") * 20)[:CHUNK]
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write('<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Bản tin tổng hợp'
                             '</title></head><body>'.encode("utf-8"))
            sent = 0
            while sent < size and not self.site._stopping.is_set():
                self.wfile.write(chunk)
                sent += len(chunk)
            self.wfile.write(b"</body></html>")
        except (ConnectionError, TimeoutError):
            pass
