"""Báo Long An (baolongan.vn). Facts from shared/sites.md; overall: partial (1 real URL)."""

from crawler.spiders.families.aid import AIdSpider


class BaoLongAnSpider(AIdSpider):
    name = "baolongan"
    paper = "Báo Long An"
    domains = ("baolongan.vn",)
    province = "Tây Ninh"
    former_province = "Long An"
