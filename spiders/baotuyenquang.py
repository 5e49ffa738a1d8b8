"""Báo Tuyên Quang (baotuyenquang.com.vn). Facts from shared/sites.md; overall: config only."""

from crawler.spiders.families.monthpath import MonthPathSpider


class BaoTuyenQuangSpider(MonthPathSpider):
    name = "baotuyenquang"
    paper = "Báo Tuyên Quang"
    domains = ("baotuyenquang.com.vn",)
    province = "Tuyên Quang"
    # config only
    article_path = r"^/(?:[^/]+/)+\d{6}/[^/]+/?$"
