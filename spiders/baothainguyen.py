"""Báo Thái Nguyên (baothainguyen.vn). Facts from shared/sites.md; overall: config only."""

from crawler.spiders.families.monthpath import MonthPathSpider


class BaoThaiNguyenSpider(MonthPathSpider):
    name = "baothainguyen"
    paper = "Báo Thái Nguyên"
    domains = ("baothainguyen.vn",)
    province = "Thái Nguyên"
    # config only
    article_path = r"^/[a-z0-9-]+/\d{6}/[^/]+/?$"
