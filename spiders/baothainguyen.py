"""Báo Thái Nguyên (baothainguyen.vn; the former Báo Bắc Kạn on bbk.baothainguyen.vn). Facts from
shared/sites.md and issue 20; overall: URL shapes from real URLs."""

from crawler.spiders.families import either
from crawler.spiders.families.monthpath import MonthPathSpider


class BaoThaiNguyenSpider(MonthPathSpider):
    name = "baothainguyen"
    paper = "Báo Thái Nguyên"
    domains = ("baothainguyen.vn", "bbk.baothainguyen.vn")
    # real URLs (issue 20): since the July 2025 merger Báo Bắc Kạn publishes on its own host, an
    # edition with articles of its own
    editions = ("bbk.baothainguyen.vn",)
    province = "Thái Nguyên"
    # URL eras: /<cat>[/<sub>]/<yyyymm>/<slug>[-<7 hex>][/] (config only, then real hex7 URLs with
    # or without the slash, issue 20) and the Bắc Kạn edition's /<slug>-post<id>.html (in any
    # folder, as on baolaocai: whether it has one is not known); its /chu-de/<slug>-<n>.html are
    # topic hubs, listings (the family's section shape)
    article_path = either(r"^/(?:[a-z0-9-]+/){1,3}\d{6}/[^/]+/?$", r"^/(?:[a-z0-9-]+/)*[a-z0-9-]+-post\d+\.html$")
