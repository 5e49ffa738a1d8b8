"""Báo Phú Thọ (baophutho.vn). Facts from shared/sites.md; overall: config only."""

from crawler.spiders.families.numid import NumIdSpider


class BaoPhuThoSpider(NumIdSpider):
    name = "baophutho"
    paper = "Báo Phú Thọ"
    domains = ("baophutho.vn",)
    province = "Phú Thọ"
    # config only
    article_path = r"^/[^/]+-\d+\.htm$"
