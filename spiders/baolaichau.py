"""Báo Lai Châu (baolaichau.vn). Facts from shared/sites.md; overall: config only."""

from crawler.spiders.families.generic import GenericSpider


class BaoLaiChauSpider(GenericSpider):
    name = "baolaichau"
    paper = "Báo Lai Châu"
    domains = ("baolaichau.vn",)
    province = "Lai Châu"
    # config only
    article_path = r"^/[^/]+/[a-z0-9-]+-\d+/?$"
