"""Báo Lạng Sơn (baolangson.vn). Facts from shared/sites.md; overall: config only."""

from crawler.spiders.families.numid import NumIdSpider


class BaoLangSonSpider(NumIdSpider):
    name = "baolangson"
    paper = "Báo Lạng Sơn"
    domains = ("baolangson.vn",)
    province = "Lạng Sơn"
    # config only
    article_path = r"^/[a-z0-9-]+-\d+\.html$"
