"""Báo Đồng Nai (baodongnai.com.vn). Facts from shared/sites.md and issue 20; overall: URL shape from real URLs."""

from crawler.spiders.families.monthpath import MonthPathSpider


class BaoDongNaiSpider(MonthPathSpider):
    name = "baodongnai"
    paper = "Báo Đồng Nai"
    domains = ("baodongnai.com.vn",)
    province = "Đồng Nai"
    # config only: /<cat>/<yyyymm>/<slug>/; real URLs (issue 20) end in the hex7 form
    # …/<yyyymm>/<slug>-<7 hex>, with or without the slash, under a section or a sub-section
    article_path = r"^/(?:[a-z0-9-]+/){1,3}\d{6}/[^/]+/?$"
