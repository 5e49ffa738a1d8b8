"""Báo Đồng Khởi (dongkhoi.baovinhlong.vn, baodongkhoi.vn). Facts from shared/sites.md; overall: verified."""

from crawler.spiders.families.aid import AIdSpider


class BaoDongKhoiSpider(AIdSpider):
    name = "baodongkhoi"
    paper = "Báo Đồng Khởi"
    domains = ("dongkhoi.baovinhlong.vn", "baodongkhoi.vn")
    province = "Vĩnh Long"
    former_province = "Bến Tre"
    # dongkhoi.baovinhlong.vn first: baodongkhoi.vn pages carry <base href> to it (config only)
