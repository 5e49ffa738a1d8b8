"""Báo Quảng Ninh (baoquangninh.vn). Facts from shared/sites.md; overall: config only."""

from crawler.spiders.families.numid import NumIdSpider


class BaoQuangNinhSpider(NumIdSpider):
    name = "baoquangninh"
    paper = "Báo Quảng Ninh"
    domains = ("baoquangninh.vn",)
    province = "Quảng Ninh"
    # config only
    article_path = r"^/[a-z0-9-]+-\d+\.html$"
