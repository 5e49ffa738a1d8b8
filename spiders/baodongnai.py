"""Báo Đồng Nai (baodongnai.com.vn). Facts from shared/sites.md; overall: config only."""

from crawler.spiders.families.monthpath import MonthPathSpider


class BaoDongNaiSpider(MonthPathSpider):
    name = "baodongnai"
    paper = "Báo Đồng Nai"
    domains = ("baodongnai.com.vn",)
    province = "Đồng Nai"
    # config only
    article_path = r"^/[a-z0-9-]+/\d{6}/[^/]+/?$"
