"""Báo Nghệ An (baonghean.vn). Facts from shared/sites.md; overall: config only."""

from crawler.spiders.families.numid import NumIdSpider


class BaoNgheAnSpider(NumIdSpider):
    name = "baonghean"
    paper = "Báo Nghệ An"
    domains = ("baonghean.vn",)
    province = "Nghệ An"
    # config only
    article_path = r"^/[a-z0-9-]+-(?:event)?\d+\.html$"
