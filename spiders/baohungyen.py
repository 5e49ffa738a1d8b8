"""Báo Hưng Yên (baohungyen.vn). Facts from shared/sites.md; overall: config only."""

from crawler.spiders.families.numid import NumIdSpider


class BaoHungYenSpider(NumIdSpider):
    name = "baohungyen"
    paper = "Báo Hưng Yên"
    domains = ("baohungyen.vn",)
    province = "Hưng Yên"
    # config only
    article_path = r"^/[a-z0-9-]+-\d+\.html$"
