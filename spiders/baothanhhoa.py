"""Báo Thanh Hóa (baothanhhoa.vn). Facts from shared/sites.md; overall: config only."""

from crawler.spiders.families.numid import NumIdSpider


class BaoThanhHoaSpider(NumIdSpider):
    name = "baothanhhoa"
    paper = "Báo Thanh Hóa"
    domains = ("baothanhhoa.vn",)
    province = "Thanh Hóa"
    # config only
    article_path = r"^/[a-z0-9-]+-\d+\.htm$"
