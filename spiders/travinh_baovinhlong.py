"""Báo Trà Vinh (travinh.baovinhlong.vn). Facts from shared/sites.md; overall: config only."""

from crawler.spiders.families.aid import AIdSpider


class TraVinhBaoVinhLongSpider(AIdSpider):
    name = "travinh_baovinhlong"
    paper = "Báo Trà Vinh"
    domains = ("travinh.baovinhlong.vn",)
    province = "Vĩnh Long"
    former_province = "Trà Vinh"
    # a third-party config disables TLS verification here; Scrapy does not verify certificates by default
