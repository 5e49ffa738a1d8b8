"""Báo Vĩnh Long (baovinhlong.com.vn). Facts from shared/sites.md; overall: partial (1 real URL + config)."""

from crawler.spiders.families.hex7 import Hex7Spider


class BaoVinhLongSpider(Hex7Spider):
    name = "baovinhlong"
    paper = "Báo Vĩnh Long"
    domains = ("baovinhlong.com.vn",)
    province = "Vĩnh Long"
    # dongkhoi./travinh.baovinhlong.vn hold the former Bến Tre and Trà Vinh papers: own spiders
