"""Báo Trà Vinh (travinh.baovinhlong.vn). Facts from shared/sites.md; overall: config only."""

from crawler.spiders.families.aid import AIdSpider


class TraVinhBaoVinhLongSpider(AIdSpider):
    name = "travinh_baovinhlong"
    paper = "Báo Trà Vinh"
    # baotravinh.vn: the paper's own domain before the merger (unverified: a templated RSS list only)
    domains = ("travinh.baovinhlong.vn", "baotravinh.vn")
    province = "Vĩnh Long"
    former_province = "Trà Vinh"
    # a third-party config disables TLS verification here; Scrapy does not verify certificates by default
