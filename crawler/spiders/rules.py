"""A site's URL rules: which links are articles, which are listings, how listings paginate.

``SiteRules`` classifies and learns URL shapes and builds URLs; it never makes a request and
keeps no crawl state beyond what it has learned about the site's shapes (article shapes of an
unknown CMS, each listing's pagination form). The walkers (``listings``, ``feeds``,
``sitemaps``, ``archives``) ask it what a link is; the spider turns the answers into requests.

A paper may publish on several hosts (``NewsSpider.editions``). A listing keeps the host it was
found on: its key is its path on the canonical host (``/xa-hoi/``) and ``//<host><path>`` on
any other of the paper's hosts (``//phuyen.baodaklak.vn/xa-hoi/``), always named by the real
host, so ``listing_walks`` rows mean the same whether a run crawled the paper or a mirror
(``editions`` maps a host to where its pages are fetched).
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urljoin, urlsplit

from crawler.spiders.discovery import ARTICLE_GUESS, AUTO, PAGE_FORMS, infer_page_form, page_link, page_url, path_stem
from crawler.urls import canonical_url

MAX_LEARNED_SHAPES = 20
MAX_PENDING = 20_000  # unknown CMSs: same-site URLs kept for a second look once a shape is learned
_DEFAULT_PORTS = {"http": 80, "https": 443}


class SiteRules:
    """The URL facts of one site (stated by its spider and CMS family) put to work."""

    def __init__(self, *, domains: tuple[str, ...], origin: str, base_url: str | None,
                 article_path: str | None, listing_path: str, deny_path: str | None,
                 page_form: str, article_keeps_query: bool = False, editions: dict[str, str] | None = None,
                 mirrors: dict[str, str] | None = None):
        self.domains = tuple(d.lower() for d in domains)
        self.origin = origin
        self.base_url = base_url
        # host → the origin its pages are fetched from (https://host, or a mirror), for every
        # host other than the canonical one that the crawl starts on; mirrors: those mirrored
        self.editions = {h.lower(): o.rstrip("/") for h, o in (editions or {}).items()}
        self.mirrors = {h.lower(): o.rstrip("/") for h, o in (mirrors or {}).items()}
        self._edition_of = {o.lower(): h for h, o in self.editions.items()}
        try:
            self.article_re = re.compile(article_path) if article_path else None
        except re.error as exc:
            raise ValueError(f"article_path {article_path!r}: {exc}") from None
        self.listing_re = re.compile(listing_path)
        self.deny_re = re.compile(deny_path) if deny_path else None
        self.page_form = page_form
        forms = PAGE_FORMS if page_form == AUTO else (page_form,)
        self.path_forms = tuple(f for f in forms if f.startswith("{stem}"))
        self.article_keeps_query = article_keeps_query
        self.page_forms: dict[str, str | None] = {}  # listing path → the form learned for it (AUTO)
        self.learned: dict[str, re.Pattern[str]] = {}  # article path shapes learned from feeds/sitemaps
        self.pending: dict[str, date | None] = {}  # unknown CMSs: URLs to look at again after learning
        self.stems: dict[str, str] = {}  # path stem → the section path it belongs to

    @property
    def unknown_cms(self) -> bool:
        return self.article_re is None

    # -- where a URL is ------------------------------------------------------------

    def own_url(self, url: str) -> str | None:
        """The URL on the crawled origin, or None if it is on another host or port.

        With ``base_url`` the site's real domains are rewritten to the mirror, because real
        pages often link with absolute URLs. A stated domain on a non-default port is another
        server, not the paper.
        """
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return None
        here = f"{parts.scheme}://{parts.netloc.lower()}"
        if here == self.origin or here in self._edition_of:
            return url
        hostname = (parts.hostname or "").lower()
        name = hostname if hostname in self.domains else hostname.removeprefix("www.")
        if name in self.domains:
            try:
                port = parts.port
            except ValueError:
                return None
            if port is not None and port != _DEFAULT_PORTS[parts.scheme]:
                return None
            rest = url[len(f"{parts.scheme}://{parts.netloc}"):]
            if name in self.mirrors:  # an edition crawled on a mirror of its own
                return self.mirrors[name] + rest
            if self.base_url:
                return self.origin + rest
            return url
        return None

    def listing_key(self, own: str, path: str | None = None) -> str:
        """The key of the listing at ``own`` (a URL ``own_url`` returned): its path on the
        canonical host, ``//<host><path>`` on another of the paper's hosts."""
        path = (urlsplit(own).path if path is None else path) or "/"
        n = len(self.origin)
        if own.startswith(self.origin) and own[n:n + 1] in ("/", "?", "#", ""):
            return path
        parts = urlsplit(own)
        host = self._edition_of.get(f"{parts.scheme}://{parts.netloc.lower()}")
        if host is None:
            hostname = (parts.hostname or "").lower()
            bare = hostname.removeprefix("www.")
            if bare == self.domains[0].removeprefix("www."):  # the canonical host, with or without www.
                return path
            host = bare if bare in self.domains or bare in self.editions else hostname
        return f"//{host}{path}"

    def listing_origin(self, key: str) -> tuple[str, str]:
        """(origin the listing is fetched from, its path) for a listing key."""
        if not key.startswith("//"):
            return self.origin, key
        host, _, rest = key[2:].partition("/")
        return self.editions.get(host) or f"https://{host}", "/" + rest

    @property
    def origins(self) -> set[str]:
        """Every origin the crawl fetches listings from (lower case)."""
        return {self.origin, self.origin.lower(), *self._edition_of}

    def resolve(self, ref: str) -> str | None:
        """A stated feed/sitemap (path or absolute URL) on the crawled origin."""
        return self.own_url(urljoin(self.origin + "/", ref))

    # -- what a URL is -------------------------------------------------------------

    def is_article_path(self, path: str) -> bool:
        if self.article_re is not None:
            return bool(self.article_re.match(path))
        return any(rx.match(path) for rx in self.learned.values()) or bool(ARTICLE_GUESS.match(path))

    def guessed(self, url: str) -> bool:
        """An article by ``ARTICLE_GUESS`` only (no stated or learned shape says so)."""
        path = urlsplit(url).path
        return self.article_re is None and not any(rx.match(path) for rx in self.learned.values())

    def classify(self, url: str) -> tuple[str, str] | None:
        """('article', canonical URL) or ('listing', path) for a followable link, else None."""
        own = self.own_url(url)
        if own is None:
            return None
        return self.classify_own(own)

    def classify_own(self, own: str, path: str | None = None) -> tuple[str, str] | None:
        """``classify`` of a URL already on the crawled origin (``path``: its path, if known)."""
        path = (urlsplit(own).path if path is None else path) or "/"
        if self.deny_re and self.deny_re.search(path):
            return None
        if self.path_forms and (hit := page_link(self.path_forms, path)):
            # another page of a listing ("/thoi-su/trang-3.html"): never an article or a new section
            key = self.listing_key(own, hit[0])
            section = self.stems.get(key)
            return ("listing", section) if section else None
        if self.is_article_path(path):
            return "article", self.canonical(own)
        if self.listing_re.match(path):
            return "listing", self.listing_key(own, path)
        return None

    def canonical(self, url: str) -> str:
        # Fast path (listing pages classify thousands of links): a URL on our own origin with no
        # query or fragment is already canonical when the origin is.
        if (self._origin_canonical and url.startswith(self.origin) and len(url) > len(self.origin)
                and url[len(self.origin)] == "/" and "?" not in url and "#" not in url):
            return url
        return canonical_url(url, keep_query=self.article_keeps_query)

    @property
    def origin(self) -> str:
        return self._origin

    @origin.setter
    def origin(self, value: str) -> None:
        self._origin = value
        self._origin_canonical = canonical_url(value + "/") == value + "/"

    # -- listings --------------------------------------------------------------------

    def add_section(self, key: str) -> None:
        head, path = ("", key) if not key.startswith("//") else (key[:key.index("/", 2)], self.listing_origin(key)[1])
        self.stems.setdefault(head + path_stem(path), key)

    def listing_path(self, key: str) -> str:
        """The path of a listing key (``//host/xa-hoi/`` → ``/xa-hoi/``)."""
        return self.listing_origin(key)[1] if key.startswith("//") else key

    def listing_url(self, key: str, page: int) -> str:
        form = self.page_forms.get(key) or (PAGE_FORMS[0] if self.page_form == AUTO else self.page_form)
        where, path = self.listing_origin(key)
        return where + page_url(form, path, page)

    def needs_page_form(self, path: str) -> bool:
        return self.page_form == AUTO and path not in self.page_forms

    def learn_page_form(self, path: str, links: set[str]) -> str | None:
        """Learn (AUTO) the form of ``path``'s pages from its page-1 links (site-relative, canonical)."""
        form = self.page_forms[path] = infer_page_form(self.listing_path(path), links)
        return form

    def paginates(self, path: str) -> bool:
        """Is there a known way to ask for page 2 of ``path``?"""
        return self.page_form != AUTO or bool(self.page_forms.get(path))

    # -- unknown CMSs: learning article shapes ---------------------------------------

    def learn(self, shape: str | None) -> list[tuple[str, date | None]] | None:
        """Take ``shape`` (a ``discovery.path_shape``) as an article shape of this unknown CMS.
        Returns the URLs seen so far that have it (None if nothing was learned)."""
        if (self.article_re is not None or not shape or shape in self.learned
                or len(self.learned) >= MAX_LEARNED_SHAPES):
            return None
        rx = self.learned[shape] = re.compile(shape, re.I)
        out = []
        for url, when in list(self.pending.items()):
            if rx.match(urlsplit(url).path):
                del self.pending[url]
                out.append((url, when))
        return out

    def remember(self, url: str, when: date | None = None) -> None:
        """Unknown CMSs: keep a same-site URL that is no article yet, for a second look."""
        if self.article_re is None and len(self.pending) < MAX_PENDING:
            path = urlsplit(url).path or "/"
            if not (self.deny_re and self.deny_re.search(path)):
                self.pending.setdefault(self.canonical(url), when)
