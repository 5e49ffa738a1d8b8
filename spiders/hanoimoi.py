"""Báo Hànộimới (hanoimoi.vn). Facts from shared/sites.md; overall: config only."""

from crawler.spiders.families.numid import NumIdSpider


class HaNoiMoiSpider(NumIdSpider):
    name = "hanoimoi"
    paper = "Báo Hànộimới"
    domains = ("hanoimoi.vn",)
    province = "Hà Nội"
    # config only: -event<id>.html are topic hubs
    article_path = r"^/(?!.*-event\d+\.html$)[a-z0-9-]+-\d+\.html$"
