"""Báo Đồng Tháp (baodongthap.vn, www.baodongthap.vn). Facts from shared/sites.md; overall: verified."""

from crawler.spiders.families.aid import AIdSpider


class BaoDongThapSpider(AIdSpider):
    name = "baodongthap"
    paper = "Báo Đồng Tháp"
    domains = ("baodongthap.vn", "www.baodongthap.vn")
    province = "Đồng Tháp"
